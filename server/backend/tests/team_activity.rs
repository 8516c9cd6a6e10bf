//! The team's audit trail: each change to people, mailboxes and invitations is recorded with
//! who made it, admins read it newest first in pages, and nobody else reads it at all.

use backend::testing::caller;
use backend::{Backend, Error, Store};
use model::{InvitationForm, NewMailboxForm, Refusal, Role, SettingsChange, TeamChange, TeamEvent};

/// (who, what, to whom, which mailbox) of an entry, for comparing whole lists.
fn line(event: &TeamEvent) -> (Option<&str>, TeamChange, Option<&str>, Option<&str>) {
    (event.actor.as_deref(), event.change.clone(), event.user.as_deref(), event.mailbox.as_deref())
}

async fn each_change_is_recorded_with_who_made_it(store: &Store) {
    let backend = Backend::new(store.clone());
    let amal = caller(&backend, "amal@shop.test", "Amal", Role::Admin).await;
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let form = NewMailboxForm { name: "Support".into(), address: "support@shop.test".into(), members: vec![sara.id] };
    let support = backend.add_mailbox(&amal, &form).await.expect("mailbox");

    let manager = SettingsChange::SetRole { user: sara.id, role: Role::Manager };
    backend.change_settings(&amal, manager.clone()).await.expect("role");
    backend.change_settings(&amal, manager).await.expect("the same role again");
    let leave = SettingsChange::SetMember { user: sara.id, mailbox: support, member: false };
    backend.change_settings(&amal, leave.clone()).await.expect("left");
    backend.change_settings(&amal, leave).await.expect("not a member already");
    let invite = InvitationForm {
        email: "omar@shop.test".into(),
        name: "Omar".into(),
        role: Role::Agent,
        locale: "ar".into(),
        mailboxes: vec![],
    };
    backend.invite(&amal, invite).await.expect("invited");
    let invitation = backend.settings(&amal).await.expect("settings").invitations[0].id;
    backend.change_settings(&amal, SettingsChange::RevokeInvitation { invitation }).await.expect("revoked");
    backend.change_settings(&amal, SettingsChange::SetActive { user: sara.id, active: false }).await.expect("off");

    let page = backend.team_activity(&amal, None).await.expect("activity");
    let omar = "omar@shop.test".to_string();
    assert_eq!(
        page.events.iter().map(line).collect::<Vec<_>>(),
        vec![
            (Some("Amal"), TeamChange::Deactivated, Some("Sara"), None),
            (Some("Amal"), TeamChange::InvitationRevoked { email: omar.clone() }, None, None),
            (Some("Amal"), TeamChange::Invited { email: omar }, None, None),
            (Some("Amal"), TeamChange::MemberRemoved, Some("Sara"), Some("Support")),
            (Some("Amal"), TeamChange::RoleChanged { role: Role::Manager }, Some("Sara"), None),
            (Some("Amal"), TeamChange::MemberAdded, Some("Sara"), Some("Support")),
            (Some("Amal"), TeamChange::MailboxAdded, None, Some("Support")),
            (None, TeamChange::AccountMade { role: Role::Agent }, Some("Sara"), None),
            (None, TeamChange::AccountMade { role: Role::Admin }, Some("Amal"), None),
        ],
        "newest first; a change that changed nothing is not recorded"
    );
    assert!(page.events.windows(2).all(|w| w[0].at >= w[1].at));
    assert_eq!(page.older, None, "one page holds it all");

    // A later rename shows in old entries: they name people and mailboxes as they are now.
    let rename = SettingsChange::RenameMailbox { mailbox: support, name: "Help".into() };
    backend.change_settings(&amal, rename).await.expect("renamed");
    let page = backend.team_activity(&amal, None).await.expect("activity");
    assert!(page.events.iter().any(|e| e.change == TeamChange::MailboxAdded && e.mailbox.as_deref() == Some("Help")));

    // Only admins read it, and a cursor no page gave is refused.
    let nadia = caller(&backend, "nadia@shop.test", "Nadia", Role::Manager).await;
    assert!(matches!(backend.team_activity(&nadia, None).await, Err(Error::Forbidden)));
    for bad in ["yesterday", "12_not-a-uuid", "_", "9_01234567-89ab-cdef-0123-456789abcdef_1"] {
        let refused = backend.team_activity(&amal, Some(bad)).await;
        assert!(matches!(refused, Err(Error::Refused(Refusal::BadFilter))), "{bad}: {refused:?}");
    }
}

/// More changes than a page holds: the pages follow on without a gap or an overlap, even
/// where entries share a microsecond (a mailbox and its first members do).
async fn older_changes_come_in_pages(store: &Store) {
    let backend = Backend::new(store.clone());
    let amal = caller(&backend, "amal@shop.test", "Amal", Role::Admin).await;
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let roles = [Role::Manager, Role::Agent];
    for round in 0..128 {
        let change = SettingsChange::SetRole { user: sara.id, role: roles[round % 2] };
        backend.change_settings(&amal, change).await.expect("role");
    }

    let first = backend.team_activity(&amal, None).await.expect("first page");
    assert_eq!(first.events.len(), 100);
    assert_eq!(first.events[0].change, TeamChange::RoleChanged { role: Role::Agent }, "the last change first");
    let older = first.older.expect("more to read");
    let second = backend.team_activity(&amal, Some(&older)).await.expect("second page");
    assert_eq!(second.events.len(), 30, "two accounts and 128 changes of role, nothing twice");
    assert_eq!(second.older, None);
    assert_eq!(second.events[27].change, TeamChange::RoleChanged { role: Role::Manager }, "the first change");
    assert_eq!(second.events[29].user.as_deref(), Some("Amal"), "the first account last");
    let roles: Vec<_> = first.events.iter().chain(&second.events[..28]).collect();
    assert!(roles.windows(2).all(|w| w[0].at >= w[1].at && w[0].change != w[1].change), "alternating, newest first");
}

backend::on_both_engines!(each_change_is_recorded_with_who_made_it, older_changes_come_in_pages);
