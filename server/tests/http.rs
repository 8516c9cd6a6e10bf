//! HTTP-level tests: a real server on a port of its own, a real database, and requests as a
//! browser (or an attacker's page) would send them.

use backend::SignInLimits;
use backend::testing::TestDb;
use model::Role;
use reqwest::StatusCode;
use server::testing::{PASSWORD, TestApp, location, session_cookie, set_cookie_text};

/// The HTML of a page as a browser asking for `languages` gets it.
async fn page_in_language(app: &TestApp, path: &str, cookie: &str, languages: &str) -> String {
    let request = app.client.get(app.url(path)).header("cookie", cookie).header("accept-language", languages);
    request.send().await.expect("GET").text().await.expect("html")
}

#[tokio::test]
async fn healthz_tells_anyone_it_is_up_and_only_admins_the_details() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body, serde_json::json!({ "status": "ok" }), "no version, node or sockets for strangers");

    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let agent = app.sign_in("sara@shop.test").await;
    let body: serde_json::Value = app.get("/healthz", Some(&agent)).await.json().await.expect("json");
    assert_eq!(body, serde_json::json!({ "status": "ok" }));

    app.add_user("amal@shop.test", "Amal", Role::Admin).await;
    let admin = app.sign_in("amal@shop.test").await;
    let body: serde_json::Value = app.get("/healthz", Some(&admin)).await.json().await.expect("json");
    assert_eq!(body["database"]["status"], "ok");
    assert_eq!(body["database"]["engine"], "sqlite");
    assert!(body["version"].is_string() && body["node"].is_string(), "{body}");
}

#[tokio::test]
async fn sign_in_never_sends_the_browser_to_another_site() {
    let many = SignInLimits { account_burst: 100, ..SignInLimits::default() };
    let app = TestApp::spawn_with(TestDb::sqlite().await, None, many).await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    // What a form field holds once `next=/%09/evil.test`, `/%0a/x` and their kin are decoded.
    for next in ["/\t/evil.test", "/\n/x", "/\r\n//evil.test", "/\\evil.test", "//evil.test", "/\u{0}/x", "/ /x"] {
        let form = [("email", "sara@shop.test"), ("password", PASSWORD), ("next", next)];
        let r = app.post_form("/signin", &form, None).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location(r.headers()), "/", "{next:?}");
        let form = [("email", "sara@shop.test"), ("password", "wrong wrong"), ("next", next)];
        let r = app.post_form("/signin", &form, None).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert!(location(r.headers()).ends_with("&next=%2F"), "{next:?}: {}", location(r.headers()));
    }
    let form = [("email", "sara@shop.test"), ("password", PASSWORD), ("next", "/views/mine?status=open")];
    let r = app.post_form("/signin", &form, None).await;
    assert_eq!(location(r.headers()), "/views/mine?status=open", "a path on this site is kept");
}

#[tokio::test]
async fn pages_carry_security_headers_and_only_their_own_scripts_run() {
    let app = TestApp::spawn().await;
    let r = app.get("/signin", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let policy = header("content-security-policy");
    for directive in ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "'wasm-unsafe-eval'"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "same-origin");
    assert!(header("permissions-policy").contains("camera=()"));
    let nonce = scripts_carry_the_nonce(r).await;
    let again = scripts_carry_the_nonce(app.get("/signin", None).await).await;
    assert_ne!(nonce, again, "a nonce is used once");
    // A path that is no page renders its 404 under the same rule.
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let cookie = app.sign_in("sara@shop.test").await;
    let missing = app.get("/no/such/page", Some(&cookie)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    scripts_carry_the_nonce(missing).await;
}

/// The nonce of a page's policy, after checking that every script in the page carries it.
/// Posts `fields` to the server function `function` as a browser without JavaScript does,
/// from the page at `from`.
async fn post_plain_form(
    app: &TestApp,
    cookie: &str,
    from: &str,
    function: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/{function}")))
        .header("cookie", cookie)
        .header("origin", app.origin.clone())
        .header("accept", "text/html")
        .header("referer", app.url(from))
        .form(fields)
        .send()
        .await
        .expect("POST")
}

async fn scripts_carry_the_nonce(page: reqwest::Response) -> String {
    let policy = page.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_string();
    let html = page.text().await.expect("html");
    let scripts = html.matches("<script").count();
    assert!(scripts > 0, "the page hydrates through inline scripts");
    assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "every script carries the nonce: {html}");
    nonce
}

#[tokio::test]
async fn failed_guesses_from_elsewhere_never_lock_the_owner_out() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    // A stranger on another address (127.0.0.2 reaches the server on 127.0.0.1) keeps guessing.
    let stranger = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("client");
    let mut tripped = false;
    for _ in 0..8 {
        let r = stranger
            .post(app.url("/signin"))
            .form(&[("email", "sara@shop.test"), ("password", "guess guess")])
            .header("origin", &app.origin)
            .send()
            .await
            .expect("POST");
        tripped |= location(r.headers()).contains("error=rate_limited");
    }
    assert!(tripped, "the stranger is slowed down");
    // Sara, who has not failed, signs in at once with her password.
    let cookie = app.sign_in("sara@shop.test").await;
    assert_eq!(app.call("current_user", &[], Some(&cookie)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn pages_and_server_functions_require_sign_in() {
    let app = TestApp::spawn().await;
    let home = app.get("/", None).await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(home.headers()), "/signin");
    let deep = app.get("/mailboxes/0190b0c4-7d1e-7c3a-9f7e-3a1f5e2b4c6d", None).await;
    assert_eq!(location(deep.headers()), "/signin?next=%2Fmailboxes%2F0190b0c4-7d1e-7c3a-9f7e-3a1f5e2b4c6d");
    let (status, _) = app.call("current_user", &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.call("current_user", &[], Some("sanduq_session=not-a-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let page = app.get("/signin", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    for needle in [
        "<label for=\"email\">Email</label>",
        "<label for=\"password\">Password</label>",
        ">Sign in</button>",
        "action=\"/signin\"",
    ] {
        assert!(html.contains(needle), "sign-in page lacks {needle}");
    }
}

#[tokio::test]
async fn signing_in_opens_the_shell_with_a_safe_cookie() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara Haddad", Role::Agent).await;
    app.mailbox("Support", &["sara@shop.test"]).await;
    app.mailbox("Billing", &[]).await;

    let response = app.post_form("/signin", &[("email", " SARA@shop.test "), ("password", PASSWORD)], None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = set_cookie_text(response.headers());
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "plain http public URL: {set_cookie}");
    let cookie = session_cookie(response.headers()).expect("cookie");

    let shell = app.get("/views/unassigned", Some(&cookie)).await;
    assert_eq!(shell.status(), StatusCode::OK);
    let html = shell.text().await.expect("html");
    assert!(html.contains("Sara Haddad"), "the shell names the user");
    assert!(html.contains("Support"), "the shell lists her mailbox");
    assert!(!html.contains("Billing"), "and not the one she is not in");

    let (status, body) = app.call("current_user", &[], Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("sara@shop.test"));

    let back = app.get("/signin", Some(&cookie)).await;
    assert_eq!(location(back.headers()), "/", "signed-in users skip the sign-in page");
}

#[tokio::test]
async fn https_public_url_makes_the_cookie_secure() {
    let app =
        TestApp::spawn_with(TestDb::sqlite().await, Some("https://help.shop.test"), SignInLimits::default()).await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let response = app.post_form("/signin", &[("email", "sara@shop.test"), ("password", PASSWORD)], None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie_text(response.headers()).contains("Secure"));
}

#[tokio::test]
async fn wrong_credentials_get_one_generic_answer() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let wrong_password =
        app.post_form("/signin", &[("email", "sara@shop.test"), ("password", "nope nope")], None).await;
    let unknown_user =
        app.post_form("/signin", &[("email", "nobody@shop.test"), ("password", "nope nope")], None).await;
    let garbage = app.post_form("/signin", &[("email", "not an email")], None).await;
    for response in [&wrong_password, &unknown_user, &garbage] {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(location(response.headers()).starts_with("/signin?error=invalid"), "{}", location(response.headers()));
        assert!(session_cookie(response.headers()).is_none());
    }
    let page = app.get(&location(wrong_password.headers()), None).await.text().await.expect("html");
    assert!(page.contains("Wrong email or password."));

    let json = app
        .client
        .post(app.url("/signin"))
        .header("accept", "application/json")
        .form(&[("email", "sara@shop.test"), ("password", "nope nope")])
        .send()
        .await
        .expect("POST");
    assert_eq!(json.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_password_change_ends_every_session() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let first = app.sign_in("sara@shop.test").await;
    let second = app.sign_in("sara@shop.test").await;
    let user = app.backend().store.user_by_email("sara@shop.test").await.expect("lookup").expect("user");
    app.backend().set_password(user.id, "a brand new password").await.expect("new password");
    for cookie in [&first, &second] {
        let (status, _) = app.call("current_user", &[], Some(cookie)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get("/", Some(cookie)).await.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_and_signing_in_rotates_it() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let old = app.sign_in("sara@shop.test").await;
    // Signing in again from the same browser replaces the session.
    let response = app.post_form("/signin", &[("email", "sara@shop.test"), ("password", PASSWORD)], Some(&old)).await;
    let new = session_cookie(response.headers()).expect("new cookie");
    assert_ne!(old, new);
    assert_eq!(app.call("current_user", &[], Some(&old)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call("current_user", &[], Some(&new)).await.0, StatusCode::OK);

    let out = app.post_form("/signout", &[], Some(&new)).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(out.headers()), "/signin?notice=signed_out");
    assert!(set_cookie_text(out.headers()).contains("Max-Age=0"));
    assert_eq!(app.call("current_user", &[], Some(&new)).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_foreign_mailbox_is_not_found() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    app.add_user("admin@shop.test", "Admin", Role::Admin).await;
    let mine = app.mailbox("Support", &["sara@shop.test"]).await;
    let foreign = app.mailbox("Secret Billing", &[]).await;
    let sara = app.sign_in("sara@shop.test").await;
    let admin = app.sign_in("admin@shop.test").await;

    let (status, body) = app.call("mailbox", &[("id", &mine.to_string())], Some(&sara)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Support"));

    let (status, body) = app.call("mailbox", &[("id", &foreign.to_string())], Some(&sara)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("Secret Billing"), "no data about a foreign mailbox: {body}");

    let page = app.get(&format!("/mailboxes/{foreign}"), Some(&sara)).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(!page.text().await.expect("html").contains("Secret Billing"));
    let page = app.get(&format!("/mailboxes/{mine}"), Some(&sara)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("html").contains("support@shop.test"));

    let (status, body) = app.call("mailbox", &[("id", &foreign.to_string())], Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "admins see every mailbox");
    assert!(body.contains("Secret Billing"));

    // Malformed ids and missing arguments are the caller's mistake, never a 500.
    let (status, _) = app.call("mailbox", &[("id", "../../etc/passwd")], Some(&sara)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/mailboxes/not-a-uuid", Some(&sara)).await.status(), StatusCode::NOT_FOUND);
    let (status, _) = app.call("mailbox", &[], Some(&sara)).await;
    assert!(status.is_client_error(), "missing id gives {status}");
    assert_eq!(app.get("/no/such/page", Some(&sara)).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cross_site_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let cookie = app.sign_in("sara@shop.test").await;

    let creds = [("email", "sara@shop.test"), ("password", PASSWORD)];
    let evil_sign_in = app.post_form_from("/signin", &creds, None, Some("https://evil.test"), None).await;
    assert_eq!(evil_sign_in.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(evil_sign_in.headers()).is_none(), "no session made");

    let evil_sign_out = app.post_form_from("/signout", &[], Some(&cookie), Some("https://evil.test"), None).await;
    assert_eq!(evil_sign_out.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.call("current_user", &[], Some(&cookie)).await.0, StatusCode::OK, "still signed in");

    let cross = app
        .post_form_from("/api/current_user", &[], Some(&cookie), Some("https://evil.test"), Some("cross-site"))
        .await;
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let same_site = app.post_form_from("/signout", &[], Some(&cookie), None, Some("same-site")).await;
    assert_eq!(same_site.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.call("current_user", &[], Some(&cookie)).await.0, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn the_sign_in_rate_limit_trips() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    for _ in 0..5 {
        let r = app.post_form("/signin", &[("email", "sara@shop.test"), ("password", "guess guess")], None).await;
        assert!(location(r.headers()).starts_with("/signin?error=invalid"));
    }
    // Even the right password is refused now, with a clear message and a Retry-After.
    let r = app.post_form("/signin", &[("email", "sara@shop.test"), ("password", PASSWORD)], None).await;
    assert!(location(r.headers()).starts_with("/signin?error=rate_limited"), "{}", location(r.headers()));
    assert!(r.headers().contains_key("retry-after"));
    assert!(session_cookie(r.headers()).is_none());
    let page = app.get(&location(r.headers()), None).await.text().await.expect("html");
    assert!(page.contains("Too many sign-in attempts"));

    // Per client address too: many accounts from one address trip it.
    let mut limited = false;
    for i in 0..25 {
        let email = format!("someone{i}@shop.test");
        let r = app.post_form("/signin", &[("email", &email), ("password", "guess guess")], None).await;
        limited |= location(r.headers()).contains("error=rate_limited");
    }
    assert!(limited, "one address cannot try account after account");
}

#[tokio::test]
async fn the_server_runs_on_postgres() {
    let app = TestApp::spawn_with(TestDb::postgres().await, None, SignInLimits::default()).await;
    app.add_user("amal@shop.test", "Amal", Role::Admin).await;
    let admin = app.sign_in("amal@shop.test").await;
    let health: serde_json::Value = app.get("/healthz", Some(&admin)).await.json().await.expect("json");
    assert_eq!(health["database"]["engine"], "postgres");
    app.add_user("sara@shop.test", "Sara", Role::Manager).await;
    let mailbox = app.mailbox("Support", &["sara@shop.test"]).await;
    let cookie = app.sign_in("sara@shop.test").await;
    let (status, body) = app.call("mailboxes", &[], Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&mailbox.to_string()));
}

#[tokio::test]
async fn the_conversation_list_pages_through_a_mailbox() {
    use backend::store::{By, NewConversation, NewMessage};
    use backend::testing::{inbound, note};
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let support = app.mailbox("Support", &["sara@shop.test"]).await;
    let foreign = app.mailbox("Billing", &[]).await;
    let store = &app.backend().store;
    let contact = store.contact_for_email("layla@customer.test", "ليلى").await.expect("contact");
    for i in 0..60 {
        let c = store
            .create_conversation(
                NewConversation {
                    mailbox_id: support,
                    contact_id: contact.id,
                    subject: format!("طلب رقم {i}"),
                    status: model::Status::Open,
                    priority: model::Priority::Normal,
                },
                By::system().at(1_000_000 + i),
            )
            .await
            .expect("conversation");
        let message = NewMessage {
            from_name: "ليلى".to_string(),
            subject: c.subject.clone(),
            ..inbound(&format!("أين   طلبي\nرقم {i}؟"), Some(2_000_000 + i))
        };
        store.append_message(c.id, message).await.expect("message");
    }
    let sara = app.sign_in("sara@shop.test").await;
    let id = support.to_string();

    let (status, body) = app.call("conversations", &[("mailbox", &id), ("view", "open")], Some(&sara)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first: model::ConversationPage = serde_json::from_str(&body).expect("json");
    assert_eq!(first.items.len(), 50);
    assert_eq!(first.items[0].subject, "طلب رقم 59", "newest activity first");
    assert_eq!(first.items[0].snippet, "أين طلبي رقم 59؟", "one line");
    assert_eq!(first.items[0].contact_name, "ليلى");
    let next = first.next.expect("a second page");
    let (_, body) =
        app.call("conversations", &[("mailbox", &id), ("view", "open"), ("after", &next)], Some(&sara)).await;
    let second: model::ConversationPage = serde_json::from_str(&body).expect("json");
    assert_eq!(second.items.len(), 10);
    assert!(second.next.is_none());
    assert_eq!(second.items[9].subject, "طلب رقم 0");

    let (status, _) =
        app.call("conversations", &[("mailbox", &foreign.to_string()), ("view", "open")], Some(&sara)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) =
        app.call("conversations", &[("mailbox", &id), ("view", "open"), ("after", "garbage")], Some(&sara)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let page = app.get(&format!("/mailboxes/{id}"), Some(&sara)).await.text().await.expect("html");
    assert!(page.contains("aria-label=\"Conversations\""), "a list named Conversations");
    assert!(page.contains("طلب رقم 59"));
    assert!(page.contains("Older conversations"));
    let closed = app.get(&format!("/mailboxes/{id}?view=closed"), Some(&sara)).await.text().await.expect("html");
    assert!(closed.contains("Nothing here"), "{closed}");

    // Opening one: the thread, with notes set apart, and the history.
    let newest = first.items[0].id;
    let agent = store.user_by_email("sara@shop.test").await.expect("lookup").expect("sara");
    store.append_message(newest, note(agent.id, "Customer is a VIP, be quick")).await.expect("note");
    store.set_status(newest, model::Status::Waiting, By::user(agent.id)).await.expect("status");
    let (status, body) = app.call("conversation", &[("id", &newest.to_string())], Some(&sara)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail: model::ConversationDetail = serde_json::from_str(&body).expect("json");
    let kinds: Vec<model::Direction> = detail.messages.iter().map(|m| m.direction).collect();
    assert_eq!(kinds, vec![model::Direction::Inbound, model::Direction::Note]);
    assert_eq!(detail.messages[1].author, "Sara");
    assert_eq!(
        detail.history.last().map(|h| h.change.clone()),
        Some(model::HistoryChange::Status(model::Status::Waiting))
    );
    let html = app.get(&format!("/conversations/{newest}"), Some(&sara)).await.text().await.expect("html");
    assert!(html.contains("Internal note") && html.contains("Customer is a VIP"), "the note is labelled");
    assert!(html.contains("Status changed to") && html.contains("<bdi>Waiting on customer</bdi>"), "history in words");

    let hidden = store
        .create_conversation(
            NewConversation {
                mailbox_id: foreign,
                contact_id: contact.id,
                subject: "Secret invoice".to_string(),
                status: model::Status::Open,
                priority: model::Priority::Normal,
            },
            By::system(),
        )
        .await
        .expect("foreign conversation");
    let (status, body) = app.call("conversation", &[("id", &hidden.id.to_string())], Some(&sara)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("Secret invoice"));
    let page = app.get(&format!("/conversations/{}", hidden.id), Some(&sara)).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(!page.text().await.expect("html").contains("Secret invoice"));
}

#[tokio::test]
async fn views_cover_every_mailbox_of_the_user_and_no_other() {
    use backend::store::{By, NewConversation};
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let support = app.mailbox("Support", &["sara@shop.test"]).await;
    let sales = app.mailbox("Sales", &["sara@shop.test"]).await;
    let foreign = app.mailbox("Billing", &[]).await;
    let store = &app.backend().store;
    let sara = store.user_by_email("sara@shop.test").await.expect("lookup").expect("sara");
    let contact = store.contact_for_email("layla@customer.test", "Layla").await.expect("contact");
    let make = |mailbox, subject: &str, status| NewConversation {
        mailbox_id: mailbox,
        contact_id: contact.id,
        subject: subject.to_string(),
        status,
        priority: model::Priority::Normal,
    };
    store.create_conversation(make(support, "nobody's", model::Status::Open), By::system()).await.expect("c1");
    let mine = store.create_conversation(make(sales, "hers", model::Status::Waiting), By::system()).await.expect("c2");
    store.assign(mine.id, Some(sara.id), By::user(sara.id)).await.expect("assign");
    store.create_conversation(make(foreign, "secret", model::Status::Open), By::system()).await.expect("c3");
    let cookie = app.sign_in("sara@shop.test").await;

    let subjects = |body: String| {
        let page: model::ConversationPage = serde_json::from_str(&body).expect("json");
        page.items.into_iter().map(|c| c.subject).collect::<Vec<_>>()
    };
    for (view, expected) in [
        ("unassigned", vec!["nobody's"]),
        ("mine", vec!["hers"]),
        ("open", vec!["nobody's"]),
        ("waiting", vec!["hers"]),
    ] {
        let (status, body) = app.call("inbox", &[("view", view)], Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(subjects(body), expected, "view {view}");
    }
    let (status, _) = app.call("inbox", &[("view", "everything")], Some(&cookie)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let page = app.get("/views/mine", Some(&cookie)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("html").contains("hers"));
    assert_eq!(app.get("/views/everything", Some(&cookie)).await.status(), StatusCode::NOT_FOUND);
}

/// The conversation's server functions as the browser calls them: `act` with JSON, the
/// composer's form posts, drafts, and list filters in the query.
#[tokio::test]
async fn agents_work_a_conversation_through_the_api() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    app.add_user("nadia@shop.test", "Nadia", Role::Agent).await;
    let support = app.mailbox("Support", &["sara@shop.test"]).await;
    app.mailbox("Billing", &["nadia@shop.test"]).await;
    let id = app.conversation(support, "Broken lamp").await.to_string();
    let sara = app.sign_in("sara@shop.test").await;
    let nadia = app.sign_in("nadia@shop.test").await;

    let act = |cookie: String, action: serde_json::Value| {
        let request = app
            .client
            .post(app.url("/api/act"))
            .header("cookie", cookie)
            .header("origin", app.origin.clone())
            .json(&serde_json::json!({ "id": id, "action": action }));
        async move {
            let response = request.send().await.expect("POST");
            (response.status(), response.text().await.expect("body"))
        }
    };
    let (status, body) = act(sara.clone(), serde_json::json!({ "action": "set_status", "value": "waiting" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail: model::ConversationDetail = serde_json::from_str(&body).expect("json");
    assert_eq!(detail.summary.status, model::Status::Waiting, "answers with the conversation as it now is");
    let (status, body) = act(sara.clone(), serde_json::json!({ "action": "add_tag", "value": "Fragile" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = act(sara.clone(), serde_json::json!({ "action": "rename", "value": "" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("subject cannot be empty"), "{body}");
    let (status, _) = act(sara.clone(), serde_json::json!({ "action": "explode" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown action is the client's mistake");
    let (status, _) = act(nadia.clone(), serde_json::json!({ "action": "set_status", "value": "closed" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another mailbox's agent");

    let (status, body) =
        app.call("save_draft", &[("id", &id), ("mode", "reply"), ("body", "Hello La")], Some(&sara)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.call("conversation", &[("id", &id)], Some(&sara)).await;
    let detail: model::ConversationDetail = serde_json::from_str(&body).expect("json");
    assert_eq!(detail.reply_draft, "Hello La", "the draft comes back");
    let (status, _) = app.call("save_draft", &[("id", &id), ("mode", "poem"), ("body", "x")], Some(&sara)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The composer is a plain form: JS or not, the same fields reach the same function.
    let client_id = uuid::Uuid::new_v4().to_string();
    let unguarded =
        [("id", id.as_str()), ("mode", "reply"), ("body", "Hello Layla"), ("client_id", client_id.as_str())];
    let (status, body) = app.call("post_message", &unguarded, Some(&sara)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a reply says what it answers: {body}");
    assert!(body.contains("seen_seq"), "{body}");
    let seen = detail.seq.to_string();
    let stale = (detail.seq + 7).to_string();
    let late = [
        ("id", id.as_str()),
        ("mode", "reply"),
        ("body", "Hello"),
        ("client_id", client_id.as_str()),
        ("seen_seq", &stale),
    ];
    let (status, body) = app.call("post_message", &late, Some(&sara)).await;
    assert_eq!(status, StatusCode::CONFLICT, "a reply to another state of the conversation: {body}");
    assert!(body.contains("while you were writing"), "{body}");
    let reply = [
        ("id", id.as_str()),
        ("mode", "reply"),
        ("body", "Hello Layla"),
        ("client_id", client_id.as_str()),
        ("seen_seq", seen.as_str()),
    ];
    let (status, body) = app.call("post_message", &reply, Some(&sara)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail: model::ConversationDetail = serde_json::from_str(&body).expect("json");
    let last = detail.messages.last().expect("the reply");
    assert_eq!(last.delivery.as_ref().map(|d| d.status), Some(model::DeliveryStatus::Queued));
    assert_eq!(detail.reply_draft, "", "sending consumed the draft");
    let (_, body) = app.call("post_message", &reply, Some(&sara)).await;
    let again: model::ConversationDetail = serde_json::from_str(&body).expect("json");
    assert_eq!(again.messages.len(), detail.messages.len(), "a retried post is stored once");
    let empty = [("id", id.as_str()), ("mode", "note"), ("body", "  "), ("client_id", client_id.as_str())];
    let (status, body) = app.call("post_message", &empty, Some(&sara)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let no_id = [("id", id.as_str()), ("mode", "note"), ("body", "hi"), ("client_id", "nope")];
    assert_eq!(app.call("post_message", &no_id, Some(&sara)).await.0, StatusCode::BAD_REQUEST);

    // Without JavaScript the browser posts the form and is sent back to the page.
    let page = format!("/conversations/{id}");
    let note_id = uuid::Uuid::new_v4().to_string();
    let note = [("id", id.as_str()), ("mode", "note"), ("body", "Customer called"), ("client_id", &note_id)];
    let response = post_plain_form(&app, &sara, &page, "post_message", &note).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let html = app.get(&page, Some(&sara)).await.text().await.expect("html");
    assert!(html.contains("Customer called") && html.contains("Queued"), "note and queued reply on the page");
    assert!(html.contains("aria-label=\"Reply\""), "the composer's textbox is named Reply");
    // Refused, it is sent back to the page too, with the reason for the form to show: a 303,
    // not the error's status on a redirect (which browsers show as the error's JSON).
    let blank_id = uuid::Uuid::new_v4().to_string();
    let blank = [("id", id.as_str()), ("mode", "note"), ("body", " "), ("client_id", &blank_id)];
    let response = post_plain_form(&app, &sara, &page, "post_message", &blank).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
    assert!(back.starts_with(&format!("{page}?")) && back.contains("__err="), "{back}");

    // Lists narrow by tag and assignee in the URL; nonsense is a 400, not a 500.
    let mailbox = support.to_string();
    let query = [("mailbox", mailbox.as_str()), ("view", "waiting"), ("tag", "fragile")];
    let (status, body) = app.call("conversations", &query, Some(&sara)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: model::ConversationPage = serde_json::from_str(&body).expect("json");
    assert_eq!(page.items.len(), 1);
    let query = [("mailbox", mailbox.as_str()), ("view", "waiting"), ("assignee", "me")];
    let page: model::ConversationPage =
        serde_json::from_str(&app.call("conversations", &query, Some(&sara)).await.1).expect("json");
    assert!(page.items.is_empty(), "not assigned to Sara");
    let query = [("view", "waiting"), ("assignee", "nobody-at-all")];
    assert_eq!(app.call("inbox", &query, Some(&sara)).await.0, StatusCode::BAD_REQUEST);
    let html = app.get(&format!("/mailboxes/{mailbox}?view=waiting&tag=fragile"), Some(&sara)).await;
    assert_eq!(html.status(), StatusCode::OK);
    assert!(html.text().await.expect("html").contains("Broken lamp"));

    let (status, body) = app.call("sidebar", &[], Some(&sara)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let counts: model::SidebarCounts = serde_json::from_str(&body).expect("json");
    assert!(counts.views.contains(&(model::InboxView::Waiting, 1)), "{:?}", counts.views);
    assert_eq!(counts.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["fragile"]);
}

/// A user's language and time zone follow them: the page renders in them on the server,
/// whatever the browser's Accept-Language, and nonsense is refused.
#[tokio::test]
async fn each_user_reads_in_their_language_and_time_zone() {
    let app = TestApp::spawn().await;
    app.add_user("reza@shop.test", "Reza", Role::Agent).await;
    let reza = app.sign_in("reza@shop.test").await;
    let page = app.get("/views/unassigned", Some(&reza)).await.text().await.expect("html");
    assert!(page.contains("lang=\"en\"") && page.contains("dir=\"ltr\""));
    let arabic_browser = page_in_language(&app, "/views/unassigned", &reza, "ar-SA,ar;q=0.9").await;
    assert!(arabic_browser.contains("lang=\"ar\""), "until Reza chooses, the browser's language holds");
    assert!(page.contains("data-tz=\"-9223372036854775808:0\""), "UTC until chosen");
    assert!(page.contains(" Account</span>"), "the account button says Account");

    let (status, body) =
        app.call("set_preferences", &[("locale", "fa"), ("time_zone", "Asia/Tehran")], Some(&reza)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = app.get("/views/unassigned", Some(&reza)).await.text().await.expect("html");
    assert!(page.contains("lang=\"fa\"") && page.contains("dir=\"rtl\""), "Persian, right to left");
    let english_browser = page_in_language(&app, "/views/unassigned", &reza, "en-US").await;
    assert!(english_browser.contains("lang=\"fa\""), "once chosen, the choice wins over the browser");
    assert!(page.contains("data-tz=\"-9223372036854775808:12600\""), "Tehran is UTC+3:30");

    for (locale, zone) in [("de", "UTC"), ("ar", "Mars/Olympus"), ("ar", "")] {
        let (status, body) = app.call("set_preferences", &[("locale", locale), ("time_zone", zone)], Some(&reza)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{locale} {zone}: {body}");
    }
    let me: model::Me = serde_json::from_str(&app.call("current_user", &[], Some(&reza)).await.1).expect("json");
    assert_eq!((me.locale.as_str(), me.time_zone.as_str()), ("fa", "Asia/Tehran"), "refusals changed nothing");
}

#[tokio::test]
async fn attachments_reach_members_only_as_downloads_and_inline_pictures_show_in_place() {
    use backend::mail::Ingest;
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    app.add_user("nadia@shop.test", "Nadia", Role::Agent).await;
    let support = app.mailbox("Support", &["sara@shop.test"]).await;
    app.mailbox("Billing", &["nadia@shop.test"]).await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\nnot really a picture";
    let raw = format!(
        "From: Layla <layla@customer.test>\r\nTo: support@shop.test\r\nSubject: Invoice\r\nMessage-ID: <inv@customer.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n\
         --m\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n\
         --r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>See <img src=\"cid:logo@shop\"></p>\r\n\
         --r\r\nContent-Type: image/png\r\nContent-ID: <logo@shop>\r\nContent-Disposition: inline; filename=\"logo.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--r--\r\n\
         --m\r\nContent-Type: application/pdf; name=\"فاتورة.pdf\"\r\nContent-Disposition: attachment; filename=\"=?UTF-8?B?2YHYp9iq2YjYsdipLnBkZg==?=\"\r\n\r\n%PDF-1.4 invoice\r\n--m--\r\n",
        "iVBORw0KGgpub3QgcmVhbGx5IGEgcGljdHVyZQ=="
    );
    let ingest = Ingest {
        store: app.backend().store.clone(),
        blobs: app.backend().blobs.clone().expect("blobs"),
        max_mail_bytes: 1 << 20,
    };
    let conversation = match ingest.ingest_raw(support, raw.into_bytes()).await.expect("ingest") {
        backend::store::IngestOutcome::Stored { conversation, .. } => conversation,
        other => panic!("{other:?}"),
    };

    let sara = app.sign_in("sara@shop.test").await;
    let (status, body) = app.call("conversation", &[("id", &conversation.to_string())], Some(&sara)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail: serde_json::Value = serde_json::from_str(&body).expect("json");
    let message = &detail["messages"][0];
    let html = message["html"].as_str().expect("html");
    let files = message["attachments"].as_array().expect("attachments");
    // The inline picture is in the body, not in the list; the PDF is in the list.
    assert_eq!(files.len(), 1, "{message}");
    assert_eq!(files[0]["filename"], "فاتورة.pdf");
    let picture =
        html.split("src=\"").nth(1).and_then(|s| s.split('"').next()).expect("an image").replace("&amp;", "&");
    assert!(picture.starts_with("/attachments/") && picture.ends_with("?inline=1"), "{html}");

    let pdf = app.get(&format!("/attachments/{}", files[0]["id"].as_str().expect("id")), Some(&sara)).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let headers = pdf.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert!(headers["content-disposition"].to_str().expect("ascii").starts_with("attachment;"));
    assert!(headers["content-security-policy"].to_str().expect("ascii").contains("sandbox"));
    assert_eq!(pdf.bytes().await.expect("body").as_ref(), b"%PDF-1.4 invoice");

    let shown = app.get(&picture, Some(&sara)).await;
    assert_eq!(shown.status(), StatusCode::OK);
    assert_eq!(shown.headers()["content-type"], "image/png");
    assert_eq!(shown.bytes().await.expect("body").as_ref(), png);

    // Another mailbox's agent gets a plain 404; nobody signed in is sent to sign in.
    let nadia = app.sign_in("nadia@shop.test").await;
    assert_eq!(app.get(&picture, Some(&nadia)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/attachments/not-an-id", Some(&sara)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&picture, None).await.status(), StatusCode::SEE_OTHER);
}

/// Files attached in the composer go to `POST /uploads` (members of the conversation's
/// mailbox only, within the size limit), stay with the draft, and become the reply's
/// attachments when it is posted.
#[tokio::test]
async fn uploads_attach_to_a_reply_and_stay_with_the_draft_until_then() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    app.add_user("nadia@shop.test", "Nadia", Role::Agent).await;
    let support = app.mailbox("Support", &["sara@shop.test"]).await;
    app.mailbox("Billing", &["nadia@shop.test"]).await;
    let conversation = app.conversation(support, "Broken lamp").await.to_string();
    let sara = app.sign_in("sara@shop.test").await;
    let nadia = app.sign_in("nadia@shop.test").await;
    let upload = |cookie: String, name: &str, body: Vec<u8>| {
        let url = app.url(&format!("/uploads?conversation={conversation}&name={name}"));
        let request = app
            .client
            .post(url)
            .header("cookie", cookie)
            .header("origin", app.origin.clone())
            .header("content-type", "image/png")
            .body(body);
        async move { request.send().await.expect("POST") }
    };
    let stored = upload(sara.clone(), "lamp%20photo.png", b"\x89PNG picture".to_vec()).await;
    assert_eq!(stored.status(), StatusCode::OK);
    let file: model::AttachmentView = stored.json().await.expect("json");
    assert_eq!((file.filename.as_str(), file.content_type.as_str(), file.size), ("lamp photo.png", "image/png", 12));
    assert_eq!(upload(nadia, "x.png", b"x".to_vec()).await.status(), StatusCode::NOT_FOUND, "not her mailbox");
    let empty = upload(sara.clone(), "x.png", Vec::new()).await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    assert!(empty.text().await.expect("words").contains("empty"));
    let huge = upload(sara.clone(), "big.bin", vec![0u8; 19_500_000]).await;
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // The draft keeps the file across a reload; posting sends it with the reply.
    let (_, body) = app.call("conversation", &[("id", &conversation)], Some(&sara)).await;
    let detail: model::ConversationDetail = serde_json::from_str(&body).expect("json");
    assert_eq!(detail.composer.files, std::slice::from_ref(&file));
    let client_id = uuid::Uuid::new_v4().to_string();
    let file_id = file.id.to_string();
    let reply = [
        ("id", conversation.as_str()),
        ("mode", "reply"),
        ("body", "Here is the photo"),
        ("client_id", client_id.as_str()),
        ("to", "layla@customer.test"),
        ("cc", ""),
        ("bcc", ""),
        ("forward", "false"),
        ("files", file_id.as_str()),
        ("seen_seq", "0"),
    ];
    let (status, body) = app.call("post_message", &reply, Some(&sara)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail: model::ConversationDetail = serde_json::from_str(&body).expect("json");
    let sent = detail.messages.last().expect("the reply");
    assert_eq!(sent.attachments, std::slice::from_ref(&file));
    assert!(detail.composer.files.is_empty());
    let download = app.get(&format!("/attachments/{file_id}"), Some(&sara)).await;
    assert_eq!(download.bytes().await.expect("body").as_ref(), b"\x89PNG picture");
    let (status, _) = app.call("remove_upload", &[("id", file_id.as_str())], Some(&sara)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "sent files are no longer uploads");
}

/// A fresh server leads every visitor to the set-up page, which refuses a wrong code in the
/// reader's language and keeps what was typed, signs the first admin in, and is gone after.
#[tokio::test]
async fn a_fresh_server_is_set_up_once_in_the_browser() {
    let app = TestApp::spawn().await;
    let code = app.backend().prepare_first_run().await.expect("prepare").expect("a code on an empty database");
    for path in ["/", "/signin"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(r.headers()), "/setup", "{path}");
    }
    let page = app.get("/setup", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains(r#"action="/setup""#) && html.contains("Set-up code"), "{html}");

    let form = |code: &str| {
        [
            ("code", code.to_string()),
            ("team", "Rose & Co".to_string()),
            ("name", "Amal".to_string()),
            ("email", "amal@shop.test".to_string()),
            ("password", PASSWORD.to_string()),
            ("locale", "ar".to_string()),
        ]
    };
    let app = &app;
    let post = |code: String| async move {
        let fields = form(&code);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post_form("/setup", &fields, None).await
    };
    let wrong = post("AAAA-BBBB-CCCC".to_string()).await;
    assert_eq!(wrong.status(), StatusCode::SEE_OTHER);
    let back = location(wrong.headers());
    assert!(back.starts_with("/setup?error=") && back.contains("wrong_setup_code"), "{back}");
    assert!(back.contains("team=Rose+%26+Co") && back.contains("email=amal%40shop.test"), "{back}");
    assert!(!back.contains("AAAA") && !back.contains("horse"), "no code or password in the address: {back}");
    assert!(session_cookie(wrong.headers()).is_none());
    let arabic = app.client.get(app.url(&back)).header("accept-language", "ar").send().await.expect("GET");
    let html = arabic.text().await.expect("html");
    assert!(html.contains("رمز الإعداد غير صحيح"), "worded in Arabic: {html}");
    assert!(html.contains(r#"value="Rose &amp; Co""#), "the team's name is kept: {html}");

    let right = post(code.as_str().to_string()).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(right.headers()), "/");
    let cookie = session_cookie(right.headers()).expect("the admin is signed in");
    assert_eq!(app.get("/", Some(&cookie)).await.status(), StatusCode::OK);

    let r = app.get("/setup", None).await;
    assert_eq!(location(r.headers()), "/signin", "the set-up page is gone");
    assert_eq!(location(app.get("/", None).await.headers()), "/signin");
    let again = post(code.as_str().to_string()).await;
    assert!(location(again.headers()).contains("already_set_up"), "{}", location(again.headers()));
    assert_eq!(app.backend().store.users().await.expect("users").len(), 1);
}

/// An invitation link opens a page that works without JavaScript: a refusal comes back worded
/// in the reader's language with the name kept, the right form signs the new person in and
/// sends them home, and the link is then used up. Home for a person with no conversations of
/// their own is the unassigned ones.
#[tokio::test]
async fn an_invited_person_joins_from_the_link_and_lands_on_their_inbox() {
    let app = TestApp::spawn().await;
    let admin = app.add_user("amal@shop.test", "Amal", Role::Admin).await;
    let form = model::InvitationForm {
        email: "omar@shop.test".into(),
        name: "Omar".into(),
        role: Role::Agent,
        locale: "ar".into(),
        mailboxes: vec![],
    };
    let link = app.backend().invite(&admin, form).await.expect("invited").link().expect("a link to copy");
    let path = link.strip_prefix(&app.origin).expect("the link names this server");
    assert!(path.starts_with("/invitation/"), "{path}");

    let page = app.client.get(app.url(path)).header("accept-language", "ar").send().await.expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("omar@shop.test") && html.contains(&format!(r#"action="{path}""#)), "{html}");
    assert!(html.contains(r#"<option value="ar" lang="ar" selected"#), "the invitation's language is chosen: {html}");

    let short = app.post_form(path, &[("name", "Omar & Sons"), ("password", "short"), ("locale", "ar")], None).await;
    assert_eq!(short.status(), StatusCode::SEE_OTHER);
    let back = location(short.headers());
    assert!(back.starts_with(&format!("{path}?error=")) && back.contains("password_too_short"), "{back}");
    assert!(!back.contains("short&") && back.contains("name=Omar+%26+Sons"), "{back}");
    let again = app.client.get(app.url(&back)).header("accept-language", "ar").send().await.expect("GET");
    let html = again.text().await.expect("html");
    assert!(html.contains(r#"value="Omar &amp; Sons""#), "the name is kept: {html}");

    let joined = app.post_form(path, &[("name", "Omar"), ("password", PASSWORD), ("locale", "ar")], None).await;
    assert_eq!(location(joined.headers()), "/");
    let cookie = session_cookie(joined.headers()).expect("signed in");
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(location(home.headers()), "/views/unassigned", "nothing of his own yet");

    let used = app.client.get(app.url(path)).send().await.expect("GET");
    assert!(used.text().await.expect("html").contains("has been used"), "the link is spent");
    let twice = app.post_form(path, &[("name", "Omar"), ("password", PASSWORD), ("locale", "ar")], None).await;
    assert!(location(twice.headers()).contains("invitation_used"), "{}", location(twice.headers()));
    let garbage = app.client.get(app.url("/invitation/..%2f..%2fetc")).send().await.expect("GET");
    assert!(garbage.text().await.expect("html").contains("no longer works"));
}

/// "Forgot password?" from the sign-in page works without JavaScript and answers the same for
/// an address with an account and one without; a dead reset link says so in words.
#[tokio::test]
async fn forgot_password_answers_the_same_for_every_address() {
    let app = TestApp::spawn().await;
    app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let signin = app.get("/signin", None).await.text().await.expect("html");
    assert!(signin.contains(r#"href="/forgot""#), "the sign-in page links to it");
    let page = app.get("/forgot", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("html").contains(r#"action="/forgot""#));

    let known = app.post_form("/forgot", &[("email", "sara@shop.test")], None).await;
    let unknown = app.post_form("/forgot", &[("email", "nobody@shop.test")], None).await;
    assert_eq!((known.status(), unknown.status()), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
    let (known, unknown) = (location(known.headers()), location(unknown.headers()));
    assert_eq!(known.replace("sara", "nobody"), unknown, "the same answer");
    let sent = app.get(&known, None).await.text().await.expect("html");
    assert!(sent.contains("a link to choose a new password is on its way"), "{sent}");

    let dead = app.get(&format!("/reset/{}", "ab".repeat(32)), None).await.text().await.expect("html");
    assert!(dead.contains("no longer works"), "{dead}");
    let posted = app.post_form(&format!("/reset/{}", "ab".repeat(32)), &[("password", PASSWORD)], None).await;
    assert!(location(posted.headers()).contains("reset_withdrawn"), "{}", location(posted.headers()));
}

/// Two-factor sign-in over HTTP, without JavaScript: the right password leads to the code
/// page with a short cookie scoped to it (and no session); a wrong code comes back in words;
/// a recovery code signs in; a code without a waiting sign-in starts over.
#[tokio::test]
async fn two_factor_sign_in_asks_for_a_code_after_the_password() {
    let app = TestApp::spawn().await;
    let sara = app.add_user("sara@shop.test", "Sara", Role::Agent).await;
    let setup = app.backend().begin_two_factor(&sara).await.expect("begin");
    let secret = backend::two_factor::key_bytes(&setup.secret).expect("key");
    let now = u64::try_from(backend::time::now_micros() / 1_000_000).expect("now");
    let first = backend::two_factor::code_at(&secret, now).expect("code");
    let recovery = app.backend().confirm_two_factor_at(&sara, &first, now).await.expect("on");

    let password = app.post_form("/signin", &[("email", "sara@shop.test"), ("password", PASSWORD)], None).await;
    assert_eq!(location(password.headers()), "/signin/code");
    assert!(session_cookie(password.headers()).is_none(), "no session before the code");
    let cookies = set_cookie_text(password.headers());
    assert!(cookies.contains("Path=/signin/code") && cookies.contains("HttpOnly"), "{cookies}");
    let challenge = cookies.lines().find(|c| c.starts_with("sanduq_challenge=")).expect("challenge cookie");
    let challenge = challenge.split(';').next().expect("value").to_string();

    let page = app.get("/signin/code", None).await.text().await.expect("html");
    assert!(page.contains(r#"action="/signin/code""#) && page.contains("one-time-code"), "{page}");
    let wrong = app.post_form("/signin/code", &[("code", "abcdef")], Some(&challenge)).await;
    let back = location(wrong.headers());
    assert!(back.starts_with("/signin/code?error=") && back.contains("wrong_code"), "{back}");
    let worded = app.get(&back, None).await.text().await.expect("html");
    assert!(worded.contains("That code is wrong"), "{worded}");

    let right = app.post_form("/signin/code", &[("code", &recovery[0])], Some(&challenge)).await;
    assert_eq!(location(right.headers()), "/");
    let cookie = session_cookie(right.headers()).expect("signed in");
    assert!(set_cookie_text(right.headers()).contains("sanduq_challenge=; "), "the challenge cookie is cleared");
    assert_eq!(app.get("/settings/security", Some(&cookie)).await.status(), StatusCode::OK);
    let spent = app.post_form("/signin/code", &[("code", &recovery[1])], Some(&challenge)).await;
    assert!(location(spent.headers()).starts_with("/signin?error=expired"), "{}", location(spent.headers()));
    let none = app.post_form("/signin/code", &[("code", &recovery[1])], None).await;
    assert!(location(none.headers()).starts_with("/signin?error=expired"));
}

/// When the team requires two-factor sign-in, a person without it is sent to turn it on and
/// the rest of the app refuses them in words until they do.
#[tokio::test]
async fn a_required_second_factor_comes_before_any_work() {
    let app = TestApp::spawn().await;
    let admin = app.add_user("amal@shop.test", "Amal", Role::Admin).await;
    app.add_user("omar@shop.test", "Omar", Role::Agent).await;
    let change = model::SettingsChange::RequireTwoFactor { required: true };
    app.backend().change_settings(&admin, change).await.expect("required");
    let omar = app.sign_in("omar@shop.test").await;
    assert_eq!(location(app.get("/views/mine", Some(&omar)).await.headers()), "/settings/security");
    assert_eq!(location(app.get("/settings", Some(&omar)).await.headers()), "/settings/security");
    assert_eq!(app.get("/settings/security", Some(&omar)).await.status(), StatusCode::OK);
    let (status, body) = app.call("settings", &[], Some(&omar)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("two_factor_required"), "{body}");
    let (status, body) = app.call("security", &[], Some(&omar)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.call("begin_two_factor", &[], Some(&omar)).await;
    assert_eq!(status, StatusCode::OK);
}
