//! "Forgot password?": the same answer for every address, a link by mail that works once and
//! for an hour, the old password working until the new one is chosen, every other session
//! ended then, and a rate limit per address and per client.

use std::time::Duration;

use backend::testing::mailservers::{self, SmtpSink};
use backend::testing::{PASSWORD, caller, client, count, wait_until};
use backend::{Backend, Error, SecretKey, Store};
use model::{Refusal, Role};

const NEW_PASSWORD: &str = "a brand new passphrase";

fn refusal(result: Result<impl std::fmt::Debug, Error>) -> Refusal {
    match result {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A backend whose Support mailbox sends through `smtp`.
async fn mailing_backend(store: &Store, smtp: &SmtpSink) -> (Backend, SecretKey) {
    let key = SecretKey::generate();
    let backend = Backend::new(store.clone()).with_secret(key.clone()).with_public_url("https://desk.shop.test");
    mailservers::sending_mailbox(store, &key, smtp, "Support", "support@shop.test").await;
    (backend, key)
}

/// Sends what is queued and answers the reset links in the mails that reached `smtp`.
async fn mailed_links(store: &Store, key: &SecretKey, smtp: &SmtpSink, expected: usize) -> Vec<(Vec<String>, String)> {
    wait_until("the reset mails are queued", Duration::from_secs(10), || async {
        count(store, "outbox WHERE message_id IS NULL AND status = 'queued'").await > 0
            || smtp.received().len() >= expected
    })
    .await;
    backend::mail::send::send_due(store, key, Duration::from_secs(5)).await.expect("sent");
    wait_until("the reset mails arrive", Duration::from_secs(10), || async { smtp.received().len() >= expected }).await;
    smtp.received()
        .into_iter()
        .map(|mail| {
            let parsed = mail_parser::MessageParser::default().parse(&mail.raw).expect("parses");
            let text = parsed.body_text(0).expect("text").into_owned();
            let link = text.split_whitespace().find(|w| w.starts_with("https://desk.shop.test/reset/")).expect("link");
            (mail.to, link.to_string())
        })
        .collect()
}

fn token(link: &str) -> &str {
    link.rsplit('/').next().expect("token")
}

async fn a_reset_link_works_once_and_ends_every_other_session(store: &Store) {
    let smtp = SmtpSink::start();
    let (backend, key) = mailing_backend(store, &smtp).await;
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let (_, laptop) =
        backend.sign_in("sara@shop.test", PASSWORD, client(1), None).await.expect("laptop").session().expect("no code");
    let (_, phone) =
        backend.sign_in("sara@shop.test", PASSWORD, client(2), None).await.expect("phone").session().expect("no code");

    // Whether or not an address has an account, the answer is the same.
    backend.request_password_reset(" SARA@shop.test ", client(3)).await.expect("asked");
    backend.request_password_reset("nobody@shop.test", client(3)).await.expect("asked, the same");
    backend.request_password_reset("not an address", client(3)).await.expect("asked, the same");
    let links = mailed_links(store, &key, &smtp, 1).await;
    let [(to, link)] = links.as_slice() else { panic!("one mail, for the account only: {links:?}") };
    assert_eq!(to, &vec!["sara@shop.test".to_string()]);
    assert_eq!(backend.reset_preview(token(link)).await.expect("preview"), "sara@shop.test");

    // Until the new password is chosen, the old one works.
    backend.sign_in("sara@shop.test", PASSWORD, client(4), None).await.expect("the old password still works");
    let weak = backend.reset_password(token(link), "password1234", client(5), None).await;
    assert_eq!(refusal(weak), Refusal::PasswordCommon);
    let (me, here) = backend
        .reset_password(token(link), NEW_PASSWORD, client(5), None)
        .await
        .expect("reset")
        .session()
        .expect("no code");
    assert_eq!(me.id, sara.id);
    for other in [&laptop, &phone] {
        assert_eq!(backend.session(other).await.expect("lookup"), None, "every other session ended");
    }
    assert_eq!(backend.session(&here).await.expect("lookup").map(|c| c.id), Some(sara.id), "this one is signed in");
    assert!(matches!(backend.sign_in("sara@shop.test", PASSWORD, client(6), None).await, Err(Error::BadCredentials)));
    backend.sign_in("sara@shop.test", NEW_PASSWORD, client(6), None).await.expect("the new password works");
    let again = backend.reset_password(token(link), "another long passphrase", client(5), None).await;
    assert_eq!(refusal(again), Refusal::ResetUsed, "a link works once");

    // Asking again replaces the link not used yet; an hour later the newest one has expired.
    backend.request_password_reset("sara@shop.test", client(7)).await.expect("asked");
    let first = mailed_links(store, &key, &smtp, 2).await.pop().expect("a mail").1;
    backend.request_password_reset("sara@shop.test", client(7)).await.expect("asked");
    let second = mailed_links(store, &key, &smtp, 3).await.pop().expect("a mail").1;
    assert_ne!(first, second);
    assert_eq!(refusal(backend.reset_preview(token(&first)).await), Refusal::ResetWithdrawn);
    store.set_password_reset_expiry(sara.id, backend::time::now_micros() - 1).await.expect("an hour later");
    assert_eq!(refusal(backend.reset_preview(token(&second)).await), Refusal::ResetExpired);
    let late = backend.reset_password(token(&second), "another long passphrase", client(8), None).await;
    assert_eq!(refusal(late), Refusal::ResetExpired);
    assert_eq!(refusal(backend.reset_preview("0123").await), Refusal::ResetWithdrawn);
    backend.sign_in("sara@shop.test", NEW_PASSWORD, client(9), None).await.expect("unchanged by the refused links");
}

/// Nobody can flood a person's mailbox or walk the list of addresses: asks are limited per
/// address asked for (whatever the client) and per client (whatever the address), the same
/// for addresses with and without an account.
async fn asking_is_rate_limited_per_address_and_per_client(store: &Store) {
    let backend = Backend::new(store.clone());
    caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    for email in ["sara@shop.test", "nobody@shop.test"] {
        for n in 0..3 {
            backend.request_password_reset(email, client(10 + n)).await.expect("within the limit");
        }
        let flood = backend.request_password_reset(email, client(20)).await;
        assert!(matches!(flood, Err(Error::RateLimited { .. })), "{email}: {flood:?}");
    }
    for n in 0..10 {
        backend.request_password_reset(&format!("person{n}@shop.test"), client(30)).await.expect("within the limit");
    }
    let walk = backend.request_password_reset("person10@shop.test", client(30)).await;
    assert!(matches!(walk, Err(Error::RateLimited { .. })), "{walk:?}");
    backend.request_password_reset("person10@shop.test", client(31)).await.expect("another client is not limited");
}

/// Whoever reads a person's mail must not skip their second factor: with two-factor on, a
/// new password leads to the code, not into the app.
async fn a_reset_still_asks_for_the_second_factor(store: &Store) {
    let smtp = SmtpSink::start();
    let (backend, key) = mailing_backend(store, &smtp).await;
    let sara = caller(&backend, "sara@shop.test", "Sara", Role::Agent).await;
    let setup = backend.begin_two_factor(&sara).await.expect("begin");
    let secret = backend::two_factor::key_bytes(&setup.secret).expect("base32");
    let at = u64::try_from(backend::time::now_micros() / 1_000_000).expect("now");
    let code = backend::two_factor::code_at(&secret, at).expect("code");
    backend.confirm_two_factor_at(&sara, &code, at).await.expect("on");

    backend.request_password_reset("sara@shop.test", client(3)).await.expect("asked");
    let link = mailed_links(store, &key, &smtp, 1).await.pop().expect("a mail").1;
    let answer = backend.reset_password(token(&link), NEW_PASSWORD, client(5), None).await.expect("reset");
    let backend::auth::SignedIn::NeedsCode(challenge) = answer else { panic!("signed in without a code") };
    let next = backend::two_factor::code_at(&secret, at + backend::two_factor::STEP_SECS).expect("code");
    let (me, _) = backend
        .sign_in_code_at(&challenge, &next, client(5), None, at + backend::two_factor::STEP_SECS)
        .await
        .expect("in with the code");
    assert_eq!(me.id, sara.id);
}

/// Asks that race each other (a double click, two tabs) leave one working link, the last.
async fn racing_asks_leave_one_working_link(store: &Store) {
    let smtp = SmtpSink::start();
    let (backend, _) = mailing_backend(store, &smtp).await;
    let people = ["sara@shop.test", "omar@shop.test", "rami@shop.test", "nadia@shop.test"];
    for (n, email) in (0u8..).zip(people) {
        caller(&backend, email, "Someone", Role::Agent).await;
        let ask = |k: u8| backend.request_password_reset(email, client(40 + 3 * n + k));
        let (a, b, c) = tokio::join!(ask(0), ask(1), ask(2));
        for answer in [a, b, c] {
            answer.expect("asked");
        }
    }
    // The links are written after the answer, in the background.
    wait_until("every ask is written", Duration::from_secs(10), || async {
        count(store, "password_resets").await == 12
    })
    .await;
    let working = "password_resets WHERE used_at IS NULL AND replaced_at IS NULL";
    assert_eq!(count(store, working).await, 4, "one working link a person");
}

backend::on_both_engines!(
    a_reset_link_works_once_and_ends_every_other_session,
    asking_is_rate_limited_per_address_and_per_client,
    racing_asks_leave_one_working_link,
    a_reset_still_asks_for_the_second_factor,
);
