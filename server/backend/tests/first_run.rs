//! The first run: a fresh server is claimed once, by whoever holds its set-up code.

use backend::first_run::FirstRun;
use backend::testing::{PASSWORD, caller, client};
use backend::{Backend, Error, Store};
use model::{Field, Refusal, Role};

fn form(code: &str, email: &str) -> FirstRun {
    FirstRun {
        code: code.to_string(),
        team: "متجر الورد".to_string(),
        name: "Amal".to_string(),
        email: email.to_string(),
        password: PASSWORD.to_string(),
        locale: "ar".to_string(),
    }
}

fn refusal(result: Result<impl std::fmt::Debug, Error>) -> Refusal {
    match result {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Two nodes (two backends over one database) take the same code at the same instant: one
/// team and one admin come of it, the other request is refused and creates nothing.
async fn a_fresh_server_is_claimed_once_even_by_racing_requests(store: &Store) {
    let (one, two) = (Backend::new(store.clone()), Backend::new(store.clone()));
    let code = one.prepare_first_run().await.expect("prepare").expect("a fresh database has a code");
    let again = two.prepare_first_run().await.expect("prepare").expect("still a code");
    assert_eq!(again, code, "every node asks for the same code");
    assert!(one.first_run_pending().await.expect("pending"));

    let typed = code.as_str().to_lowercase().replace('-', " ");
    let (a, b) = (one.clone(), two.clone());
    let (first, second) = (form(&typed, "amal@shop.test"), form(code.as_str(), "omar@shop.test"));
    let first = tokio::spawn(async move { a.set_up_team(first, client(1), None).await });
    let second = tokio::spawn(async move { b.set_up_team(second, client(2), None).await });
    let (first, second) = (first.await.expect("task"), second.await.expect("task"));
    assert_eq!(usize::from(first.is_ok()) + usize::from(second.is_ok()), 1, "{first:?} / {second:?}");
    let (won, lost) = if first.is_ok() { (first, second) } else { (second, first) };
    assert_eq!(refusal(lost), Refusal::AlreadySetUp);
    let (admin, token) = won.expect("the winner");
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.locale, "ar", "the admin speaks the team's language");
    assert_eq!(one.session(&token).await.expect("session").map(|c| c.id), Some(admin.id), "signed in");

    let users = store.users().await.expect("users");
    assert_eq!(users.len(), 1, "one admin, whoever won");
    assert_eq!(one.team_name().await.expect("team"), "متجر الورد");
    for node in [&one, &two] {
        assert!(!node.first_run_pending().await.expect("pending"), "the set-up page is gone");
        assert!(node.prepare_first_run().await.expect("prepare").is_none(), "no code is printed again");
    }
    let late = one.set_up_team(form(code.as_str(), "nadia@shop.test"), client(3), None).await;
    assert_eq!(refusal(late), Refusal::AlreadySetUp, "the old code claims nothing later either");
    assert_eq!(store.users().await.expect("users").len(), 1);

    // The home page's checklist: each step ticks as it is done, and then it is gone.
    let steps = |mailbox_connected, team_invited, signature_set| {
        Some(model::FirstSteps { mailbox_connected, team_invited, signature_set })
    };
    assert_eq!(one.first_steps(&admin).await.expect("steps"), steps(false, false, false));
    let agent = caller(&one, "sara@shop.test", "Sara", Role::Agent).await;
    assert_eq!(one.first_steps(&agent).await.expect("steps"), None, "for admins only");
    assert_eq!(one.first_steps(&admin).await.expect("steps"), steps(false, true, false));
    let mailbox = store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    one.set_signature(&admin, mailbox.id, "Amal, Rose & Co").await.expect("signature");
    assert_eq!(one.first_steps(&admin).await.expect("steps"), steps(false, true, true));
}

/// A wrong code, or a field that breaks its rule, is refused in words and creates nothing; the
/// right code still works after; guessing codes trips the same limit as guessing passwords.
async fn a_wrong_code_or_field_creates_nothing(store: &Store) {
    let backend = Backend::new(store.clone());
    let code = backend.prepare_first_run().await.expect("prepare").expect("code");
    let right = || form(code.as_str(), "amal@shop.test");

    let refused = |changed: FirstRun| {
        let backend = backend.clone();
        async move { refusal(backend.set_up_team(changed, client(9), None).await) }
    };
    assert_eq!(
        refused(FirstRun { email: "amal@".into(), ..right() }).await,
        Refusal::NotAnEmail { text: "amal@".into() }
    );
    assert_eq!(refused(FirstRun { password: "short".into(), ..right() }).await, Refusal::PasswordTooShort { min: 10 });
    assert_eq!(
        refused(FirstRun { locale: "de".into(), ..right() }).await,
        Refusal::UnknownLanguage { text: "de".into() }
    );
    assert!(matches!(
        refused(FirstRun { team: "Shop\u{0}".into(), ..right() }).await,
        Refusal::Text { field: Field::TeamName, .. }
    ));
    assert!(matches!(
        refused(FirstRun { team: " ".into(), ..right() }).await,
        Refusal::Text { field: Field::TeamName, .. }
    ));
    assert_eq!(refused(FirstRun { code: "AAAA-BBBB-CCCC".into(), ..right() }).await, Refusal::WrongSetupCode);
    assert!(store.users().await.expect("users").is_empty(), "nothing was created");
    assert!(backend.first_run_pending().await.expect("pending"), "the page is still open");

    // Guessing from one client: five wrong codes in a burst, then the limit.
    for _ in 0..4 {
        assert_eq!(refused(FirstRun { code: "AAAA-BBBB-CCCC".into(), ..right() }).await, Refusal::WrongSetupCode);
    }
    let limited = backend.set_up_team(right(), client(9), None).await;
    assert!(matches!(limited, Err(Error::RateLimited { .. })), "{limited:?}");
    // Another client, with the code, is not held back by the guesser.
    backend.set_up_team(right(), client(10), None).await.expect("the operator sets up");
}

/// A database whose first admin came from the command line has no first run.
async fn a_server_with_people_has_no_first_run(store: &Store) {
    let backend = Backend::new(store.clone());
    caller(&backend, "amal@shop.test", "Amal", Role::Admin).await;
    assert!(backend.prepare_first_run().await.expect("prepare").is_none());
    assert!(!backend.first_run_pending().await.expect("pending"));
    let late = backend.set_up_team(form("AAAA-BBBB-CCCC", "omar@shop.test"), client(1), None).await;
    assert_eq!(refusal(late), Refusal::AlreadySetUp);
    assert_eq!(backend.team_name().await.expect("team"), "", "an unnamed team");
}

backend::on_both_engines!(
    a_fresh_server_is_claimed_once_even_by_racing_requests,
    a_wrong_code_or_field_creates_nothing,
    a_server_with_people_has_no_first_run,
);
