//! Invitations: an admin invites someone, the link works once and for a week, and the person
//! who opens it joins with the role and mailboxes they were invited with.

use std::time::Duration;

use backend::invitations::{Joining, Sent};
use backend::testing::mailservers::{self, SmtpSink};
use backend::testing::{PASSWORD, TestDb, caller, count, wait_until};
use backend::{Backend, Caller, Error, SecretKey, Store};
use model::{Field, InvitationForm, MailboxId, Refusal, Role};

fn form(email: &str, mailboxes: Vec<MailboxId>) -> InvitationForm {
    InvitationForm {
        email: email.to_string(),
        name: "Omar".to_string(),
        role: Role::Agent,
        locale: "ar".to_string(),
        mailboxes,
    }
}

fn joining(password: &str) -> Joining {
    Joining { name: "عمر".to_string(), password: password.to_string(), locale: "fa".to_string() }
}

fn refusal(result: Result<impl std::fmt::Debug, Error>) -> Refusal {
    match result {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The token at the end of a link.
fn token(link: &str) -> String {
    link.rsplit('/').next().expect("a token").to_string()
}

fn link(sent: Sent) -> String {
    sent.link().expect("no mailbox can send, so the link comes back to copy")
}

async fn admin_of(backend: &Backend) -> Caller {
    caller(backend, "amal@shop.test", "Amal", Role::Admin).await
}

/// Two tabs accept the same link at the same instant: one account comes of it, with the
/// invitation's role and mailboxes and the chosen name and language; the other is refused.
async fn an_invitation_is_accepted_once_and_makes_the_account_it_names(store: &Store) {
    let backend = Backend::new(store.clone()).with_public_url("https://desk.shop.test/");
    let admin = admin_of(&backend).await;
    let support = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox").id;
    store.create_mailbox("Sales", "sales@shop.test", false).await.expect("mailbox");

    let sent = backend.invite(&admin, form(" Omar@Shop.test ", vec![support])).await.expect("invited");
    let url = link(sent);
    assert!(url.starts_with("https://desk.shop.test/invitation/"), "{url}");
    let settings = backend.settings(&admin).await.expect("settings");
    let [waiting] = settings.invitations.as_slice() else { panic!("{:?}", settings.invitations) };
    assert_eq!(
        (waiting.email.as_str(), waiting.role, waiting.invited_by.as_str()),
        ("omar@shop.test", Role::Agent, "Amal")
    );
    assert_eq!((waiting.mailboxes.clone(), waiting.expired, waiting.delivery.clone()), (vec![support], false, None));
    assert_eq!(settings.system_mailbox, None, "no mailbox can send");

    // Refused in words: the same address again, an address with an account, a stranger.
    let again = backend.invite(&admin, form("omar@shop.test", vec![])).await;
    assert_eq!(refusal(again), Refusal::AlreadyInvited { email: "omar@shop.test".into() });
    let taken = backend.invite(&admin, form("AMAL@shop.test", vec![])).await;
    assert_eq!(refusal(taken), Refusal::EmailTaken { email: "amal@shop.test".into() });
    let agent = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    assert!(matches!(backend.invite(&agent, form("nadia@shop.test", vec![])).await, Err(Error::Forbidden)));

    let preview = backend.invitation_preview(&token(&url)).await.expect("preview");
    assert_eq!(
        (preview.email.as_str(), preview.name.as_str(), preview.locale.as_str()),
        ("omar@shop.test", "Omar", "ar")
    );

    let (a, b) = (backend.clone(), Backend::new(store.clone()));
    let (ta, tb) = (token(&url), token(&url).to_uppercase());
    let first = tokio::spawn(async move { a.accept_invitation(&ta, joining(PASSWORD), None, None).await });
    let second = tokio::spawn(async move { b.accept_invitation(&tb, joining(PASSWORD), None, None).await });
    let (first, second) = (first.await.expect("task"), second.await.expect("task"));
    assert_eq!(usize::from(first.is_ok()) + usize::from(second.is_ok()), 1, "{first:?} / {second:?}");
    let (won, lost) = if first.is_ok() { (first, second) } else { (second, first) };
    assert_eq!(refusal(lost), Refusal::InvitationUsed);
    let (omar, session) = won.expect("joined");
    assert_eq!(
        (omar.email.as_str(), omar.name.as_str(), omar.role, omar.locale.as_str()),
        ("omar@shop.test", "عمر", Role::Agent, "fa")
    );
    assert_eq!(backend.session(&session).await.expect("session").map(|c| c.id), Some(omar.id), "signed in");
    let mailboxes: Vec<MailboxId> = backend.mailboxes(&omar).await.expect("mailboxes").iter().map(|m| m.id).collect();
    assert_eq!(mailboxes, vec![support], "the mailboxes of the invitation, no more");
    backend.sign_in("omar@shop.test", PASSWORD, None, None).await.expect("signs in with the chosen password");

    assert_eq!(refusal(backend.invitation_preview(&token(&url)).await), Refusal::InvitationUsed);
    assert!(backend.settings(&admin).await.expect("settings").invitations.is_empty(), "no longer waiting");
    assert_eq!(store.users().await.expect("users").len(), 3);
}

/// A link replaced by a newer one, an expired link and a revoked one are each refused in
/// words, and nothing is made; a bad field is refused and the link still works after.
async fn expired_revoked_and_replaced_links_are_refused_in_words(store: &Store) {
    let backend = Backend::new(store.clone());
    let admin = admin_of(&backend).await;
    let first = link(backend.invite(&admin, form("omar@shop.test", vec![])).await.expect("invited"));
    let id = backend.settings(&admin).await.expect("settings").invitations[0].id;
    let second = link(backend.resend_invitation(&admin, id, true).await.expect("sent again"));
    assert_ne!(token(&first), token(&second));
    for refused in [
        backend.invitation_preview(&token(&first)).await.map(|_| ()),
        backend.accept_invitation(&token(&first), joining(PASSWORD), None, None).await.map(|_| ()),
        backend.invitation_preview("not-a-token").await.map(|_| ()),
    ] {
        assert_eq!(refusal(refused), Refusal::InvitationWithdrawn, "the older link stops working");
    }

    // Fields are checked before the link is used up.
    let short = backend.accept_invitation(&token(&second), joining("short"), None, None).await;
    assert!(matches!(refusal(short), Refusal::PasswordTooShort { .. }));
    let nameless = Joining { name: " ".into(), ..joining(PASSWORD) };
    let nameless = backend.accept_invitation(&token(&second), nameless, None, None).await;
    assert!(matches!(refusal(nameless), Refusal::Text { field: Field::PersonName, .. }));
    let german = Joining { locale: "de".into(), ..joining(PASSWORD) };
    assert!(matches!(
        refusal(backend.accept_invitation(&token(&second), german, None, None).await),
        Refusal::UnknownLanguage { .. }
    ));
    backend.invitation_preview(&token(&second)).await.expect("the link still works");

    // A week later.
    store.set_invitation_expiry(id, backend::time::now_micros() - 1).await.expect("expire");
    assert_eq!(refusal(backend.invitation_preview(&token(&second)).await), Refusal::InvitationExpired);
    let late = backend.accept_invitation(&token(&second), joining(PASSWORD), None, None).await;
    assert_eq!(refusal(late), Refusal::InvitationExpired);
    let waiting = backend.settings(&admin).await.expect("settings").invitations;
    assert!(waiting[0].expired, "listed as expired, to send again or revoke");

    // An expired invitation makes room for a new one; the new one can be revoked.
    let third = link(backend.invite(&admin, form("omar@shop.test", vec![])).await.expect("invited anew"));
    let waiting = backend.settings(&admin).await.expect("settings").invitations;
    assert_eq!(waiting.len(), 1, "the expired one is gone: {waiting:?}");
    let change = model::SettingsChange::RevokeInvitation { invitation: waiting[0].id };
    backend.change_settings(&admin, change.clone()).await.expect("revoked");
    assert!(matches!(backend.change_settings(&admin, change).await, Err(Error::NotFound)), "once");
    let revoked = backend.accept_invitation(&token(&third), joining(PASSWORD), None, None).await;
    assert_eq!(refusal(revoked), Refusal::InvitationWithdrawn);
    assert!(matches!(backend.resend_invitation(&admin, waiting[0].id, false).await, Err(Error::NotFound)));

    // The invite form's fields.
    let mut bad = form("omar@", vec![]);
    assert_eq!(refusal(backend.invite(&admin, bad.clone()).await), Refusal::NotAnEmail { text: "omar@".into() });
    bad.email = "nadia@shop.test".into();
    bad.locale = "de".into();
    assert!(matches!(refusal(backend.invite(&admin, bad.clone()).await), Refusal::UnknownLanguage { .. }));
    bad.locale = "en".into();
    bad.mailboxes = vec![MailboxId(uuid::Uuid::now_v7())];
    assert!(matches!(backend.invite(&admin, bad).await, Err(Error::NotFound)));
    assert_eq!(store.users().await.expect("users").len(), 1, "no one joined");

    // An invitation stands on its sender's say-so: a deactivated admin's invitations end.
    let nadia = caller(&backend, "nadia@shop.test", "Nadia", Role::Admin).await;
    let theirs = link(backend.invite(&nadia, form("rami@shop.test", vec![])).await.expect("invited"));
    let deactivate = model::SettingsChange::SetActive { user: nadia.id, active: false };
    backend.change_settings(&admin, deactivate).await.expect("deactivated");
    assert_eq!(refusal(backend.invitation_preview(&token(&theirs)).await), Refusal::InvitationWithdrawn);
}

backend::on_both_engines!(
    an_invitation_is_accepted_once_and_makes_the_account_it_names,
    expired_revoked_and_replaced_links_are_refused_in_words,
);

/// With a mailbox that can send, the invitation goes by mail through the outbox to a real
/// SMTP server, in the language chosen for the person, and the link in that mail lets them in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_goes_by_mail_from_the_mailbox_that_sends_system_mail() {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    let key = SecretKey::generate();
    let smtp = SmtpSink::start();
    let backend = Backend::new(store.clone()).with_secret(key.clone()).with_public_url("https://desk.shop.test");
    let admin = admin_of(&backend).await;
    // The demo mailbox never sends; the first real one with mail servers does.
    store.create_mailbox("Demo", "demo@shop.test", true).await.expect("demo");
    let support = mailservers::sending_mailbox(store, &key, &smtp, "Support", "support@shop.test").await;
    let shown = backend.settings(&admin).await.expect("settings");
    assert_eq!((shown.can_send, shown.system_mailbox), (vec![support], Some(support)));

    let sent = backend.invite(&admin, form("omar@shop.test", vec![support])).await.expect("invited");
    assert_eq!(sent, Sent::Mailed);
    backend::mail::send::send_due(store, &key, Duration::from_secs(5)).await.expect("sent");
    let mail = {
        let mut found = None;
        wait_until("the invitation reaches the SMTP server", Duration::from_secs(10), || {
            found = smtp.received().into_iter().next();
            let done = found.is_some();
            async move { done }
        })
        .await;
        found.expect("a mail")
    };
    assert_eq!((mail.from.as_str(), mail.to.clone()), ("support@shop.test", vec!["omar@shop.test".to_string()]));
    let parsed = mail_parser::MessageParser::default().parse(&mail.raw).expect("parses");
    assert!(parsed.subject().is_some_and(|s| s.starts_with("دعوة")), "in Arabic: {:?}", parsed.subject());
    let text = parsed.body_text(0).expect("text").into_owned();
    let url = text.split_whitespace().find(|w| w.starts_with("https://desk.shop.test/invitation/")).expect("link");
    let waiting = backend.settings(&admin).await.expect("settings").invitations;
    assert_eq!(waiting[0].delivery.as_ref().map(|d| d.status), Some(model::DeliveryStatus::Sent));
    let kept = count(store, "outbox WHERE message_id IS NULL AND raw IS NOT NULL").await;
    assert_eq!(kept, 0, "a sent invitation's bytes, with its working link, are not kept");

    let (omar, _) = backend.accept_invitation(&token(url), joining(PASSWORD), None, None).await.expect("joined");
    assert_eq!(omar.role, Role::Agent);

    // Revoking an invitation whose mail has not left yet holds the mail back.
    backend.invite(&admin, form("nadia@shop.test", vec![])).await.expect("invited");
    let id = backend.settings(&admin).await.expect("settings").invitations[0].id;
    backend.change_settings(&admin, model::SettingsChange::RevokeInvitation { invitation: id }).await.expect("revoked");
    backend::mail::send::send_due(store, &key, Duration::from_secs(5)).await.expect("send pass");
    assert_eq!(smtp.received().len(), 1, "the revoked invitation's mail never left");
}
