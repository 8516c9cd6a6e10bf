//! The rules of who may see what, and of signing in, tested on the backend directly.

use std::time::Duration;

use backend::store::{By, NewUser};
use backend::testing::{PASSWORD, TestDb, caller, conversation};
use backend::{Backend, ClientAddr, Error, SignInLimits};
use model::{Field, Refusal, Role};

#[tokio::test]
async fn members_see_their_mailboxes_and_nothing_else() {
    let db = TestDb::sqlite().await;
    let backend = Backend::new(db.store.clone());
    let agent = caller(&backend, "sara@shop.test", "sara@shop.test", Role::Agent).await;
    let manager = caller(&backend, "lead@shop.test", "lead@shop.test", Role::Manager).await;
    let admin = caller(&backend, "boss@shop.test", "boss@shop.test", Role::Admin).await;
    let support = db.store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");
    let billing = db.store.create_mailbox("Billing", "billing@shop.test", false).await.expect("mailbox");
    db.store.add_member(support.id, agent.id).await.expect("member");

    let names = |list: Vec<backend::store::Mailbox>| list.into_iter().map(|m| m.name).collect::<Vec<_>>();
    assert_eq!(names(backend.mailboxes(&agent).await.expect("list")), vec!["Support"]);
    assert!(backend.mailboxes(&manager).await.expect("list").is_empty(), "managers need membership too");
    assert_eq!(names(backend.mailboxes(&admin).await.expect("list")), vec!["Billing", "Support"]);

    assert!(backend.mailbox(&agent, support.id).await.is_ok());
    assert!(matches!(backend.mailbox(&agent, billing.id).await, Err(Error::NotFound)));
    assert!(backend.mailbox(&admin, billing.id).await.is_ok());

    let secret = conversation(&db.store, billing.id, "Invoice", By::system()).await;
    assert!(matches!(backend.conversation(&agent, secret.id).await, Err(Error::NotFound)));
    assert!(backend.conversation(&admin, secret.id).await.is_ok());

    db.store.set_member(support.id, agent.id, false, admin.id).await.expect("remove");
    assert!(matches!(backend.mailbox(&agent, support.id).await, Err(Error::NotFound)), "removal takes effect");
}

#[tokio::test]
async fn sign_in_checks_everything_and_says_little() {
    let db = TestDb::sqlite().await;
    let backend = Backend::new(db.store.clone());
    backend.add_user("sara@shop.test", "Sara", Role::Agent, PASSWORD).await.expect("add");
    let here = Some(ClientAddr("192.0.2.1".parse().expect("ip")));

    let (who, token) =
        backend.sign_in(" Sara@Shop.test", PASSWORD, here, None).await.expect("sign in").session().expect("no code");
    assert_eq!(who.email, "sara@shop.test");
    assert_eq!(backend.session(&token).await.expect("lookup"), Some(who.clone()));
    assert!(format!("{token:?}").contains("redacted"), "tokens are never logged");

    for (email, password) in [("sara@shop.test", "wrong password"), ("nobody@shop.test", PASSWORD), ("", "")] {
        let err = backend.sign_in(email, password, here, None).await.expect_err("refused");
        assert!(matches!(err, Error::BadCredentials), "{email}: {err:?}");
    }

    backend.sign_out(&token).await.expect("sign out");
    assert_eq!(backend.session(&token).await.expect("lookup"), None);

    assert!(matches!(
        backend.add_user("omar@shop.test", "Omar", Role::Agent, "short").await,
        Err(Error::Refused(Refusal::PasswordTooShort { min: 10 }))
    ));
    assert!(matches!(
        backend.add_user("omar@shop.test", "Omar", Role::Agent, "password1234").await,
        Err(Error::Refused(Refusal::PasswordCommon))
    ));
    assert!(matches!(
        backend.add_user("not-an-email", "Omar", Role::Agent, "long enough pw").await,
        Err(Error::Refused(Refusal::NotAnEmail { text })) if text == "not-an-email"
    ));
    assert!(matches!(
        backend.add_user("omar@shop.test", "  ", Role::Agent, "long enough pw").await,
        Err(Error::Refused(Refusal::Text { field: Field::PersonName, .. }))
    ));
    // An email someone already signs in with, in any case.
    assert!(matches!(
        backend.add_user("Sara@Shop.test", "Sara again", Role::Agent, "long enough pw").await,
        Err(Error::Refused(Refusal::EmailTaken { .. }))
    ));
}

#[tokio::test]
async fn failures_from_one_address_never_lock_the_owner_out_from_another() {
    let db = TestDb::sqlite().await;
    let limits = SignInLimits {
        account_burst: 2,
        account_period: Duration::from_secs(3600),
        address_burst: 4,
        address_period: Duration::from_secs(3600),
    };
    let backend = Backend::with_limits(db.store.clone(), limits);
    db.store
        .create_user(NewUser {
            email: "sara@shop.test".to_string(),
            name: "Sara".to_string(),
            role: Role::Agent,
            password_hash: backend::auth::hash_password(PASSWORD).await.expect("hash"),
        })
        .await
        .expect("user");
    let a = Some(ClientAddr("192.0.2.1".parse().expect("ip")));
    let b = Some(ClientAddr("192.0.2.2".parse().expect("ip")));

    // A stranger at address a guesses until the limit trips, even for the right password there.
    for _ in 0..2 {
        assert!(matches!(backend.sign_in("sara@shop.test", "guess", a, None).await, Err(Error::BadCredentials)));
    }
    let limited = backend.sign_in("sara@shop.test", PASSWORD, a, None).await;
    assert!(matches!(limited, Err(Error::RateLimited { retry_after_secs }) if retry_after_secs > 0), "{limited:?}");
    // Sara herself, at address b, has not failed: her password lets her in.
    let owner = backend.sign_in("sara@shop.test", PASSWORD, b, None).await;
    assert!(owner.is_ok(), "{owner:?}");

    // Address a has one attempt left; spending it on another account trips its own limit.
    assert!(matches!(backend.sign_in("x@shop.test", "guess", a, None).await, Err(Error::BadCredentials)));
    assert!(matches!(backend.sign_in("y@shop.test", "guess", a, None).await, Err(Error::RateLimited { .. })));
    assert!(matches!(backend.sign_in("y@shop.test", "guess", b, None).await, Err(Error::BadCredentials)));
}

#[tokio::test]
async fn only_admins_change_settings_and_nobody_locks_themselves_out() {
    use model::SettingsChange;
    let db = TestDb::sqlite().await;
    let backend = Backend::new(db.store.clone());
    let admin = caller(&backend, "boss@shop.test", "boss@shop.test", Role::Admin).await;
    let agent = caller(&backend, "sara@shop.test", "sara@shop.test", Role::Agent).await;
    let support = db.store.create_mailbox("Support", "support@shop.test", false).await.expect("mailbox");

    assert!(matches!(backend.settings(&agent).await, Err(Error::Forbidden)));
    let promote = SettingsChange::SetRole { user: agent.id, role: Role::Manager };
    assert!(matches!(backend.change_settings(&agent, promote.clone()).await, Err(Error::Forbidden)));

    backend.change_settings(&admin, promote).await.expect("promote");
    let join = SettingsChange::SetMember { user: agent.id, mailbox: support.id, member: true };
    backend.change_settings(&admin, join).await.expect("join");
    assert_eq!(backend.mailboxes(&agent).await.expect("list").len(), 1, "membership takes effect");
    let rename = SettingsChange::RenameMailbox { mailbox: support.id, name: "  Customer   care ".to_string() };
    backend.change_settings(&admin, rename).await.expect("rename");
    backend
        .change_settings(&admin, SettingsChange::CreateTag { name: "VIP".to_string(), color: "#FF0000".to_string() })
        .await
        .expect("tag");
    let bad_color = SettingsChange::CreateTag { name: "late".to_string(), color: "red".to_string() };
    assert!(matches!(backend.change_settings(&admin, bad_color).await, Err(Error::Refused(Refusal::BadColour))));
    let taken = SettingsChange::CreateTag { name: "vip".to_string(), color: "#00ff00".to_string() };
    assert!(
        matches!(backend.change_settings(&admin, taken).await, Err(Error::Refused(Refusal::NameTaken { field: Field::TagName, name })) if name == "vip")
    );

    let seen = backend.settings(&admin).await.expect("settings");
    let sara = seen.users.iter().find(|u| u.id == agent.id).expect("sara listed");
    assert_eq!((sara.role, sara.mailboxes.clone()), (Role::Manager, vec![support.id]));
    assert_eq!(seen.mailboxes[0].name, "Customer care");
    assert_eq!((seen.tags[0].name.as_str(), seen.tags[0].color.as_str()), ("vip", "#ff0000"));

    let demote_self = SettingsChange::SetRole { user: admin.id, role: Role::Agent };
    assert!(matches!(backend.change_settings(&admin, demote_self).await, Err(Error::Refused(Refusal::OwnAdminRole))));
    let deactivate_self = SettingsChange::SetActive { user: admin.id, active: false };
    assert!(matches!(
        backend.change_settings(&admin, deactivate_self).await,
        Err(Error::Refused(Refusal::DeactivateSelf))
    ));

    // Deactivating ends the person's sessions and refuses their next sign-in.
    let (_, token) =
        backend.sign_in("sara@shop.test", PASSWORD, None, None).await.expect("sign in").session().expect("no code");
    assert!(backend.session(&token).await.expect("session").is_some());
    backend.change_settings(&admin, SettingsChange::SetActive { user: agent.id, active: false }).await.expect("off");
    assert!(backend.session(&token).await.expect("session").is_none(), "signed out at once");
    let again = backend.sign_in("sara@shop.test", PASSWORD, None, None).await;
    assert!(matches!(again, Err(Error::BadCredentials)), "{again:?}");
    backend.change_settings(&admin, SettingsChange::SetActive { user: agent.id, active: true }).await.expect("on");
    assert!(backend.sign_in("sara@shop.test", PASSWORD, None, None).await.is_ok());
}
