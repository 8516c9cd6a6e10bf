//! Mailboxes from Settings: added with a name, an address and members (refused in words when
//! the address is no address or the name is taken), and removed only with the name typed
//! again — which stops its sync and sending, takes away its members and its place as the
//! sender of system mail, and keeps its conversations for admins to read.

use backend::testing::mailservers::{self, SmtpSink};
use backend::testing::{caller, conversation, count};
use backend::work::Posted;
use backend::{Backend, Error, SecretKey, Store};
use model::{ComposerMode, Field, NewMailboxForm, Refusal, Role, SettingsChange};
use uuid::Uuid;

fn refusal(result: Result<impl std::fmt::Debug, Error>) -> Refusal {
    match result {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn a_mailbox_is_added_with_its_members(store: &Store) {
    let backend = Backend::new(store.clone());
    let admin = caller(&backend, "amal@shop.test", "Amal", Role::Admin).await;
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let form = |name: &str, address: &str| NewMailboxForm {
        name: name.into(),
        address: address.into(),
        members: vec![sara.id],
    };
    assert!(matches!(backend.add_mailbox(&sara, &form("Sales", "sales@shop.test")).await, Err(Error::Forbidden)));
    let sales = backend.add_mailbox(&admin, &form(" Sales ", "Sales@Shop.test")).await.expect("added");
    let found = store.mailbox(sales).await.expect("stored");
    assert_eq!((found.name.as_str(), found.address.as_str(), found.removed), ("Sales", "sales@shop.test", false));
    assert!(store.is_member(sales, sara.id).await.expect("member"), "Sara answers from it");
    assert_eq!(
        refusal(backend.add_mailbox(&admin, &form("Sales", "other@shop.test")).await),
        Refusal::NameTaken { field: Field::MailboxName, name: "Sales".into() }
    );
    assert_eq!(
        refusal(backend.add_mailbox(&admin, &form("Billing", "billing@")).await),
        Refusal::NotAnEmail { text: "billing@".into() }
    );
    assert!(matches!(
        refusal(backend.add_mailbox(&admin, &form("", "billing@shop.test")).await),
        Refusal::Text { field: Field::MailboxName, .. }
    ));
}

async fn a_removed_mailbox_stops_and_keeps_its_conversations_for_admins(store: &Store) {
    let smtp = SmtpSink::start();
    let key = SecretKey::generate();
    let blob_dir = tempfile::tempdir().expect("tempdir");
    let blobs = backend::mail::Blobs::open(blob_dir.path()).expect("blobs");
    let backend = Backend::new(store.clone()).with_secret(key.clone()).with_blobs(blobs);
    let admin = caller(&backend, "amal@shop.test", "Amal", Role::Admin).await;
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let support = mailservers::sending_mailbox(store, &key, &smtp, "Support", "support@shop.test").await;
    store.add_member(support, sara.id).await.expect("member");
    backend.change_settings(&admin, SettingsChange::SetSystemMailbox { mailbox: Some(support) }).await.expect("system");
    let thread = conversation(store, support, "Where is my order?", backend::store::By::user(admin.id)).await;
    // A reply waits in the outbox (the undo window) when the mailbox goes.
    let reply = Posted::text(ComposerMode::Reply, "It left today.", Uuid::new_v4());
    backend.post(&sara, thread.id, reply).await.expect("reply queued");

    let remove = |confirm: &str| SettingsChange::RemoveMailbox { mailbox: support, confirm: confirm.into() };
    assert_eq!(
        refusal(backend.change_settings(&admin, remove("support")).await),
        Refusal::ConfirmName { name: "Support".into() },
        "the name typed exactly"
    );
    assert!(store.can_send(support).await.expect("still"), "nothing changed");
    backend.change_settings(&admin, remove("Support")).await.expect("removed");

    assert!(store.mailbox(support).await.expect("kept").removed);
    assert!(!store.can_send(support).await.expect("can send"), "no mail servers: nothing syncs or sends");
    assert!(!store.is_member(support, sara.id).await.expect("member"), "no members");
    assert_eq!(store.system_mailbox().await.expect("system"), None, "no longer sends system mail");
    assert_eq!(count(store, "outbox WHERE status = 'failed'").await, 1, "the waiting reply failed");
    assert_eq!(count(store, "outbox WHERE status IN ('queued', 'retrying')").await, 0);
    let newest = backend.team_activity(&admin, None).await.expect("activity").events.remove(0);
    assert_eq!(
        (newest.actor.as_deref(), newest.mailbox.as_deref(), newest.change),
        (Some("Amal"), Some("Support"), model::TeamChange::MailboxRemoved)
    );

    // Admins read it; Sara no longer sees it; nobody answers from it.
    backend.open_conversation(&admin, thread.id).await.expect("admins read it");
    assert!(matches!(backend.open_conversation(&sara, thread.id).await, Err(Error::NotFound)));
    let answer = Posted::text(ComposerMode::Reply, "One more thing", Uuid::new_v4());
    assert_eq!(refusal(backend.post(&admin, thread.id, answer).await), Refusal::MailboxRemoved);
    let note = Posted::text(ComposerMode::Note, "Moved to the new address", Uuid::new_v4());
    backend.post(&admin, thread.id, note).await.expect("notes still work");
    let back = SettingsChange::SetMember { user: sara.id, mailbox: support, member: true };
    assert_eq!(refusal(backend.change_settings(&admin, back).await), Refusal::MailboxRemoved);
    // Nothing brings it back into use by a side door: mail servers again, an invitation to it.
    let servers = backend.save_mail_servers(&admin, support, &model::MailServersForm::default()).await;
    assert_eq!(refusal(servers), Refusal::MailboxRemoved);
    let invitation = model::InvitationForm {
        email: "omar@shop.test".into(),
        name: "Omar".into(),
        role: Role::Agent,
        locale: "en".into(),
        mailboxes: vec![support],
    };
    assert_eq!(refusal(backend.invite(&admin, invitation).await), Refusal::MailboxRemoved);
    backend.change_settings(&admin, remove("Support")).await.expect("removing again changes nothing");
}

backend::on_both_engines!(
    a_mailbox_is_added_with_its_members,
    a_removed_mailbox_stops_and_keeps_its_conversations_for_admins,
);
