//! Two-factor sign-in with a fixed clock: turned on by a first right code, then asked for at
//! every sign-in; a wrong code, a reused code and a used recovery code refused; a waiting
//! sign-in that runs out of tries; turned off with a code; reset by an admin (a team event);
//! required of everyone. And each person's list of signed-in browsers, signed out one or all
//! others.

use backend::testing::{PASSWORD, caller, client};
use backend::two_factor::{STEP_SECS, code_at};
use backend::{Backend, Caller, Error, SecretKey, SessionToken, Store};
use model::{Refusal, Role, SettingsChange};

fn refusal(result: Result<impl std::fmt::Debug, Error>) -> Refusal {
    match result {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Unix seconds now, on a step's first second (so the next step is `at + STEP_SECS`).
fn step_start() -> u64 {
    let now = u64::try_from(backend::time::now_micros() / 1_000_000).expect("now");
    now - now % STEP_SECS
}

/// Turns two-factor on for `who` at `at`; answers their secret's bytes and recovery codes.
async fn turn_on(backend: &Backend, who: &Caller, at: u64) -> (Vec<u8>, Vec<String>) {
    let setup = backend.begin_two_factor(who).await.expect("begin");
    let secret = totp_rs::Secret::Encoded(setup.secret.replace(' ', "")).to_bytes().expect("base32");
    let codes = backend.confirm_two_factor_at(who, &code_at(&secret, at).expect("code"), at).await.expect("on");
    (secret, codes)
}

/// Signs in with the password: a code is wanted.
async fn password_step(backend: &Backend, email: &str) -> backend::two_factor::Challenge {
    match backend.sign_in(email, PASSWORD, client(1), None).await.expect("right password") {
        backend::auth::SignedIn::NeedsCode(challenge) => challenge,
        backend::auth::SignedIn::Session(..) => panic!("signed in without a code"),
    }
}

async fn a_code_is_asked_for_and_works_once(store: &Store) {
    let backend = Backend::new(store.clone()).with_secret(SecretKey::generate());
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let at = step_start();

    let setup = backend.begin_two_factor(&sara).await.expect("begin");
    assert!(setup.uri.starts_with("otpauth://totp/"), "{}", setup.uri);
    assert!(setup.uri.contains(&format!("secret={}", setup.secret.replace(' ', ""))), "{}", setup.uri);
    assert!(setup.qr_svg.contains("<svg"), "the QR code is SVG");
    let secret = totp_rs::Secret::Encoded(setup.secret.replace(' ', "")).to_bytes().expect("base32");
    // Sealed with the key: the secret's text is nowhere in the row.
    let sealed = store.totp(sara.id).await.expect("stored").expect("begun").sealed_secret;
    let text = setup.secret.replace(' ', "");
    assert!(!sealed.windows(text.len()).any(|w| w == text.as_bytes()), "the secret is sealed");
    let wrong = if code_at(&secret, at).expect("code") == "000000" { "111111" } else { "000000" };
    assert_eq!(refusal(backend.confirm_two_factor_at(&sara, wrong, at).await), Refusal::WrongCode);
    // Not on until confirmed: the password alone still signs in.
    assert!(backend.sign_in("sara@shop.test", PASSWORD, client(1), None).await.expect("in").session().is_some());

    let first = code_at(&secret, at).expect("code");
    let recovery = backend.confirm_two_factor_at(&sara, &first, at).await.expect("turned on");
    assert_eq!(recovery.len(), 10);
    assert!(matches!(backend.begin_two_factor(&sara).await, Err(Error::Conflict(_))), "on already");

    // The code that confirmed it is used up; the next step's works, once.
    let challenge = password_step(&backend, "sara@shop.test").await;
    assert_eq!(refusal(backend.sign_in_code_at(&challenge, &first, client(1), None, at).await), Refusal::WrongCode);
    let next = code_at(&secret, at + STEP_SECS).expect("code");
    let (who, token) =
        backend.sign_in_code_at(&challenge, &next, client(1), None, at + STEP_SECS).await.expect("signed in");
    assert_eq!(who.id, sara.id);
    assert_eq!(backend.session(&token).await.expect("lookup").map(|c| c.id), Some(sara.id));
    let challenge = password_step(&backend, "sara@shop.test").await;
    let reused = backend.sign_in_code_at(&challenge, &next, client(1), None, at + STEP_SECS).await;
    assert_eq!(refusal(reused), Refusal::WrongCode, "a code works once");

    // A recovery code works once, typed any way.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    backend.sign_in_code_at(&challenge, &typed, client(1), None, at + STEP_SECS).await.expect("recovery code");
    let challenge = password_step(&backend, "sara@shop.test").await;
    let again = backend.sign_in_code_at(&challenge, &recovery[0], client(1), None, at + STEP_SECS).await;
    assert_eq!(refusal(again), Refusal::WrongCode, "a recovery code works once");
    assert_eq!(backend.security(&sara, &token).await.expect("security").recovery_left, 9);

    // The waiting sign-in is used up by a right code …
    let challenge = password_step(&backend, "sara@shop.test").await;
    let later = code_at(&secret, at + 2 * STEP_SECS).expect("code");
    backend.sign_in_code_at(&challenge, &later, client(1), None, at + 2 * STEP_SECS).await.expect("in");
    let twice = backend.sign_in_code_at(&challenge, &recovery[1], client(1), None, at + 2 * STEP_SECS).await;
    assert!(matches!(twice, Err(Error::BadCredentials)), "{twice:?}");
    // … or by five wrong ones: then even a right code needs the password again.
    let challenge = password_step(&backend, "sara@shop.test").await;
    for _ in 0..5 {
        let err = backend.sign_in_code_at(&challenge, "123456", client(2), None, at + 2 * STEP_SECS).await;
        assert!(matches!(err, Err(Error::Refused(Refusal::WrongCode)) | Err(Error::RateLimited { .. })), "{err:?}");
    }
    let late = backend.sign_in_code_at(&challenge, &recovery[1], client(2), None, at + 2 * STEP_SECS).await;
    assert!(matches!(late, Err(Error::BadCredentials)), "{late:?}");
}

async fn turned_off_with_a_code_reset_by_an_admin_and_required_of_everyone(store: &Store) {
    let backend = Backend::new(store.clone()).with_secret(SecretKey::generate());
    let admin = caller(&backend, "amal@shop.test", "Amal", Role::Admin).await;
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let at = step_start();

    // Off with a code; on again, with new recovery codes that replace the old.
    let (secret, codes) = turn_on(&backend, &sara, at).await;
    assert_eq!(refusal(backend.disable_two_factor(&sara, "12").await), Refusal::WrongCode);
    let fresh = backend.new_recovery_codes(&sara, &codes[0]).await.expect("new codes");
    assert_eq!(fresh.len(), 10);
    let challenge = password_step(&backend, "sara@shop.test").await;
    let old = backend.sign_in_code_at(&challenge, &codes[1], client(1), None, at).await;
    assert_eq!(refusal(old), Refusal::WrongCode, "the old codes stopped working");
    backend.disable_two_factor(&sara, &fresh[0]).await.expect("off");
    assert!(backend.sign_in("sara@shop.test", PASSWORD, client(1), None).await.expect("in").session().is_some());
    let _ = secret;

    // Sara lost her phone: an admin resets it, and the audit trail says so.
    turn_on(&backend, &sara, at + STEP_SECS).await;
    assert!(matches!(backend.reset_two_factor(&sara, admin.id).await, Err(Error::Forbidden)), "admins only");
    backend.change_settings(&admin, SettingsChange::ResetTwoFactor { user: sara.id }).await.expect("reset");
    let newest = backend.team_activity(&admin, None).await.expect("activity").events.remove(0);
    assert_eq!(
        (newest.actor.as_deref(), newest.user.as_deref(), newest.change),
        (Some("Amal"), Some("Sara"), model::TeamChange::TwoFactorReset)
    );
    assert!(backend.sign_in("sara@shop.test", PASSWORD, client(1), None).await.expect("in").session().is_some());

    // Required of everyone: until Sara turns it on, her session may only do that.
    backend.change_settings(&admin, SettingsChange::RequireTwoFactor { required: true }).await.expect("required");
    let (_, token) =
        backend.sign_in("sara@shop.test", PASSWORD, client(1), None).await.expect("in").session().expect("s");
    assert!(backend.session(&token).await.expect("lookup").expect("valid").must_enrol);
    let (_, codes) = turn_on(&backend, &sara, at + 2 * STEP_SECS).await;
    assert!(!backend.session(&token).await.expect("lookup").expect("valid").must_enrol);
    assert_eq!(refusal(backend.disable_two_factor(&sara, &codes[0]).await), Refusal::TwoFactorRequired);
    assert!(backend.settings(&admin).await.expect("settings").require_two_factor);
}

async fn each_browser_is_listed_and_can_be_signed_out(store: &Store) {
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                         (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    let backend = Backend::new(store.clone());
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let open = |ua: &'static str, n: u8| {
        let backend = backend.clone();
        async move {
            let (_, token): (Caller, SessionToken) = backend
                .sign_in("sara@shop.test", PASSWORD, client(n), Some(ua))
                .await
                .expect("in")
                .session()
                .expect("s");
            token
        }
    };
    let (laptop, phone, tablet) = (open(FIREFOX, 1).await, open(PHONE, 2).await, open(PHONE, 3).await);

    let seen = backend.security(&sara, &laptop).await.expect("security");
    assert_eq!(seen.sessions.len(), 3);
    let here = &seen.sessions[0];
    assert!(here.current, "this browser first");
    assert_eq!((here.browser.as_str(), here.system.as_str()), ("Firefox", "Linux"));
    assert_eq!(here.address.as_deref(), Some("192.0.2.1"));
    let phone_ref = seen.sessions.iter().find(|s| s.address.as_deref() == Some("192.0.2.2")).expect("phone").id.clone();

    backend.end_sessions(&sara, &laptop, backend::security::EndSessions::One(phone_ref.clone())).await.expect("out");
    assert!(backend.session(&phone).await.expect("lookup").is_none(), "the phone is signed out");
    assert!(backend.session(&tablet).await.expect("lookup").is_some(), "the tablet is not");
    let gone = backend.end_sessions(&sara, &laptop, backend::security::EndSessions::One(phone_ref)).await;
    assert!(matches!(gone, Err(Error::NotFound)), "{gone:?}");
    // Nobody can end another person's session by its reference, nor their own this way.
    let own = seen.sessions[0].id.clone();
    let kept = backend.end_sessions(&sara, &laptop, backend::security::EndSessions::One(own)).await;
    assert!(matches!(kept, Err(Error::NotFound)), "{kept:?}");
    backend.end_sessions(&sara, &laptop, backend::security::EndSessions::AllOthers).await.expect("all others");
    assert!(backend.session(&tablet).await.expect("lookup").is_none());
    assert!(backend.session(&laptop).await.expect("lookup").is_some(), "this browser stays signed in");
    assert_eq!(backend.security(&sara, &laptop).await.expect("security").sessions.len(), 1);
}

/// The password is what an attacker has: a right one does not forget wrong codes, and past
/// the limit no code is looked at, on any path that takes one.
async fn wrong_codes_are_limited_per_person(store: &Store) {
    let backend = Backend::new(store.clone()).with_secret(SecretKey::generate());
    let admin = caller(&backend, "amal@shop.test", "Amal", Role::Admin).await;
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let at = step_start();
    let (secret, _) = turn_on(&backend, &sara, at).await;
    let next = code_at(&secret, at + STEP_SECS).expect("code");
    let wrong = if next == "000000" { "111111" } else { "000000" };
    for n in 0..10 {
        // A fresh password step each time, from ever new addresses.
        let challenge = match backend.sign_in("sara@shop.test", PASSWORD, client(10 + n), None).await.expect("in") {
            backend::auth::SignedIn::NeedsCode(challenge) => challenge,
            backend::auth::SignedIn::Session(..) => panic!("signed in without a code"),
        };
        let err = backend.sign_in_code_at(&challenge, wrong, client(10 + n), None, at + STEP_SECS).await;
        assert_eq!(refusal(err), Refusal::WrongCode, "try {n}");
    }
    let challenge = password_step(&backend, "sara@shop.test").await;
    let limited = backend.sign_in_code_at(&challenge, &next, client(1), None, at + STEP_SECS).await;
    assert!(matches!(limited, Err(Error::RateLimited { .. })), "{limited:?}");
    let off = backend.disable_two_factor(&sara, &next).await;
    assert!(matches!(off, Err(Error::RateLimited { .. })), "{off:?}");

    // An admin resets Sara's (her sessions end with it), but not their own without a code.
    backend.change_settings(&admin, SettingsChange::ResetTwoFactor { user: sara.id }).await.expect("reset");
    let (_, sara_token) =
        backend.sign_in("sara@shop.test", PASSWORD, client(1), None).await.expect("in").session().expect("no code now");
    turn_on(&backend, &admin, at).await;
    let own = backend.change_settings(&admin, SettingsChange::ResetTwoFactor { user: admin.id }).await;
    assert!(matches!(own, Err(Error::Forbidden)), "{own:?}");
    turn_on(&backend, &sara, at + 2 * STEP_SECS).await;
    backend.change_settings(&admin, SettingsChange::ResetTwoFactor { user: sara.id }).await.expect("reset");
    assert!(backend.session(&sara_token).await.expect("lookup").is_none(), "a reset ends the person's sessions");
}

backend::on_both_engines!(
    wrong_codes_are_limited_per_person,
    a_code_is_asked_for_and_works_once,
    turned_off_with_a_code_reset_by_an_admin_and_required_of_everyone,
    each_browser_is_listed_and_can_be_signed_out,
);
