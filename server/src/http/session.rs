//! Sessions over HTTP: the cookie, sign-in and sign-out, and the gate in front of the pages.
//!
//! Sign-in is a plain form POST so it works before the WASM has loaded. Browsers get a
//! redirect (303) either way, with `?error=` on failure; clients that ask for JSON get a
//! status code and a JSON body instead.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Form, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use backend::auth::SignedIn;
use backend::{Caller, ClientAddr, Error, SessionToken};
use cookie::{Cookie, SameSite};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::client::client_ip;

/// The session cookie's name.
pub const COOKIE: &str = "sanduq_session";
/// The cookie of a sign-in whose password was right, waiting for its two-factor code.
pub const CHALLENGE_COOKIE: &str = "sanduq_challenge";
/// The page that asks for the code.
pub const CODE_PATH: &str = "/signin/code";
/// Where a person the team requires two-factor of turns it on.
pub const SECURITY_PATH: &str = "/settings/security";
/// The server functions such a person may call meanwhile: who they are, their preferences,
/// the sidebar of the frame, and turning two-factor on.
const ENROL_API: &[&str] = &[
    "/api/current_user",
    "/api/set_preferences",
    "/api/sidebar",
    "/api/mailboxes",
    "/api/security",
    "/api/begin_two_factor",
    "/api/confirm_two_factor",
];

/// Paths anyone may open without signing in.
/// (`/live` answers 401 itself: a websocket cannot follow a redirect.)
const PUBLIC_PATHS: &[&str] =
    &["/signin", CODE_PATH, "/setup", "/forgot", "/signout", "/healthz", "/live", "/favicon.svg", "/robots.txt"];
/// Path prefixes anyone may open: the app's assets, and the server functions (which check
/// the caller themselves and answer 401).
const PUBLIC_PREFIXES: &[&str] =
    &["/pkg/", "/api/", backend::invitations::INVITATION_PATH, backend::password_reset::RESET_PATH];

/// The value of the request's cookie `name`.
fn cookie_of(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The session token of the request's cookie, if it has one that looks like a token.
fn token_of(headers: &HeaderMap) -> Option<SessionToken> {
    cookie_of(headers, COOKIE).and_then(|value| SessionToken::from_cookie(&value))
}

/// Puts the signed-in [`Caller`] (and the session token) on the request when the cookie
/// names a valid session.
pub async fn load_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/pkg/")
        && let Some(token) = token_of(request.headers())
    {
        match state.backend.session(&token).await {
            Ok(Some(caller)) => {
                request.extensions_mut().insert(caller);
                request.extensions_mut().insert(token);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return (StatusCode::SERVICE_UNAVAILABLE, "The database is not answering. Try again shortly.\n")
                    .into_response();
            }
        }
    }
    next.run(request).await
}

/// Sends visitors who are not signed in to the sign-in page, and signed-in users away from
/// it. Before the team is set up there is no one to sign in: the pages then lead to the
/// set-up page, which is gone once the first admin exists.
pub async fn require_sign_in(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let signed_in = request.extensions().get::<Caller>().is_some();
    let get = request.method() == axum::http::Method::GET;
    if (path == "/signin" || path == "/setup") && signed_in && get {
        return Redirect::to("/").into_response();
    }
    // Home is the inbox view most worth opening, unless an admin has first steps left.
    if path == "/"
        && get
        && let Some(caller) = request.extensions().get::<Caller>()
    {
        match state.backend.home_view(caller).await {
            Ok(Some(view)) => return Redirect::to(&format!("/views/{}", view.as_str())).into_response(),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "choosing the home view failed"),
        }
    }
    if !signed_in && (path == "/setup" || (get && (path == "/" || path == "/signin"))) {
        match state.backend.first_run_pending().await {
            Ok(true) if path != "/setup" => return Redirect::to("/setup").into_response(),
            Ok(true) => return next.run(request).await,
            Ok(false) if path == "/setup" && get => return Redirect::to("/signin").into_response(),
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "reading whether the team is set up failed");
                return (StatusCode::SERVICE_UNAVAILABLE, "The database is not answering. Try again shortly.\n")
                    .into_response();
            }
        }
    }
    // A person who must turn on two-factor first does that and nothing else.
    if request.extensions().get::<Caller>().is_some_and(|c| c.must_enrol)
        && path != SECURITY_PATH
        && path != "/signout"
        && !path.starts_with("/pkg/")
        && !ENROL_API.contains(&path)
    {
        if path.starts_with("/api/") || path == "/live" {
            let error = app::error::AppError::from(Error::Refused(model::Refusal::TwoFactorRequired));
            return (StatusCode::FORBIDDEN, Json(&error)).into_response();
        }
        return Redirect::to(SECURITY_PATH).into_response();
    }
    let public = PUBLIC_PATHS.contains(&path) || PUBLIC_PREFIXES.iter().any(|p| path.starts_with(p));
    if public || signed_in {
        return next.run(request).await;
    }
    let wanted = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    let target = if wanted == "/" { "/signin".to_string() } else { format!("/signin?next={}", urlencode(wanted)) };
    Redirect::to(&target).into_response()
}

/// The sign-in form.
#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

/// Where to go after signing in: a path on this site, never another site.
///
/// Browsers strip tabs and line breaks from a `Location` and read `\` as `/`, so `/\t/evil`
/// is `//evil`, another site. Only visible ASCII is taken (the app itself only ever sends a
/// percent-encoded path here), which also keeps the header value valid.
fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && !next.starts_with("/signin")
        && next.parse::<axum::http::uri::PathAndQuery>().is_ok();
    if ok { next } else { "/" }
}

/// `POST /signin`.
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let client = ClientAddr(client_ip(&headers, peer, &state.web.trusted_proxies));
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let json = wants_json(&headers);
    let result = state.backend.sign_in(&form.email, &form.password, Some(client), user_agent).await;
    match result {
        Ok(SignedIn::NeedsCode(challenge)) => needs_code(&state, &challenge, &form.next, json),
        Ok(SignedIn::Session(caller, token)) => signed_in(&state, &headers, caller, token, safe_next(&form.next)).await,
        Err(err) => {
            let (status, code, retry) = match &err {
                Error::RateLimited { retry_after_secs } => {
                    (StatusCode::TOO_MANY_REQUESTS, "rate_limited", Some(*retry_after_secs))
                }
                Error::BadCredentials | Error::Invalid(_) => (StatusCode::UNAUTHORIZED, "invalid", None),
                other => {
                    tracing::error!(error = %other, "sign-in failed");
                    (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None)
                }
            };
            let mut response = if json {
                (status, Json(json!({ "error": code, "message": err.to_string() }))).into_response()
            } else {
                let mut target = format!("/signin?error={code}&email={}", urlencode(form.email.trim()));
                if !form.next.is_empty() {
                    target.push_str(&format!("&next={}", urlencode(safe_next(&form.next))));
                }
                Redirect::to(&target).into_response()
            };
            if let Some(secs) = retry
                && let Ok(v) = HeaderValue::from_str(&secs.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

/// The form that asks for the two-factor code.
#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// `POST /signin/code`: the second step of signing in, with the code from the person's app
/// or a recovery code. A wrong code goes back to the code page (`?error=`); a sign-in that
/// expired or ran out of tries goes back to the password (`/signin?error=expired`).
pub async fn sign_in_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let client = ClientAddr(client_ip(&headers, peer, &state.web.trusted_proxies));
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let next = safe_next(&form.next);
    let challenge = cookie_of(&headers, CHALLENGE_COOKIE).and_then(|value| backend::auth::LinkToken::from_link(&value));
    let result = match &challenge {
        Some(challenge) => state.backend.sign_in_code(challenge, &form.code, Some(client), user_agent).await,
        None => Err(Error::BadCredentials),
    };
    match result {
        Ok((caller, token)) => {
            let mut response = signed_in(&state, &headers, caller, token, next).await;
            set_cookie(&mut response, &expired_challenge_cookie(state.web.secure_cookies()));
            response
        }
        Err(Error::BadCredentials) if !wants_json(&headers) => {
            let mut response = Redirect::to(&format!("/signin?error=expired&next={}", urlencode(next))).into_response();
            set_cookie(&mut response, &expired_challenge_cookie(state.web.secure_cookies()));
            response
        }
        Err(err) => refused(err, &headers, CODE_PATH, &[("next", next)]),
    }
}

/// The set-up form (see `backend::first_run`).
#[derive(Debug, Default, Deserialize)]
pub struct SetUpForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    locale: String,
}

/// `POST /setup`: sets the team up and signs its first admin in. A browser is sent home, or
/// back to the form with the refusal (`?error=`, the error's JSON, worded by the page in the
/// reader's language) and every field but the password and the code; a client that asks for
/// JSON gets the error's status and JSON body.
pub async fn set_up(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SetUpForm>,
) -> Response {
    let client = ClientAddr(client_ip(&headers, peer, &state.web.trusted_proxies));
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let first_run = backend::first_run::FirstRun {
        code: form.code,
        team: form.team.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        password: form.password,
        locale: form.locale.clone(),
    };
    match state.backend.set_up_team(first_run, Some(client), user_agent).await {
        Ok((caller, token)) => signed_in(&state, &headers, caller, token, "/").await,
        Err(err) => {
            let email = form.email.trim();
            let fields =
                [("team", form.team.as_str()), ("name", &form.name), ("email", email), ("locale", &form.locale)];
            refused(err, &headers, "/setup", &fields)
        }
    }
}

/// The form on the page behind an invitation link.
#[derive(Debug, Default, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    locale: String,
}

/// `POST /invitation/{token}`: joins the team by an invitation and signs the person in. A
/// browser is sent home, or back to the page with the refusal (`?error=`) and the name and
/// language; a client that asks for JSON gets the error's status and JSON body.
pub async fn join(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<JoinForm>,
) -> Response {
    let client = ClientAddr(client_ip(&headers, peer, &state.web.trusted_proxies));
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let joining =
        backend::invitations::Joining { name: form.name.clone(), password: form.password, locale: form.locale.clone() };
    match state.backend.accept_invitation(&token, joining, Some(client), user_agent).await {
        Ok((caller, new)) => signed_in(&state, &headers, caller, new, "/").await,
        Err(err) => {
            // The token came in the path and goes back there; anything but hex cannot be a token.
            let token: String = token.chars().filter(char::is_ascii_hexdigit).take(64).collect();
            let page = format!("{}{token}", backend::invitations::INVITATION_PATH);
            refused(err, &headers, &page, &[("name", &form.name), ("locale", &form.locale)])
        }
    }
}

/// The "Forgot password?" form.
#[derive(Debug, Default, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// `POST /forgot`: asks for a reset link. The answer is the same whether or not the address
/// has an account (see `backend::password_reset`); only the rate limit can refuse.
pub async fn forgot(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Response {
    let client = ClientAddr(client_ip(&headers, peer, &state.web.trusted_proxies));
    let email = form.email.trim();
    match state.backend.request_password_reset(email, Some(client)).await {
        Ok(()) if wants_json(&headers) => Json(json!({ "status": "asked" })).into_response(),
        Ok(()) => Redirect::to(&format!("/forgot?sent=1&email={}", urlencode(email))).into_response(),
        Err(err) => refused(err, &headers, "/forgot", &[("email", email)]),
    }
}

/// The form on the page behind a reset link.
#[derive(Debug, Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// `POST /reset/{token}`: sets the new password, ends the person's other sessions and signs
/// this browser in.
pub async fn reset(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Response {
    let client = ClientAddr(client_ip(&headers, peer, &state.web.trusted_proxies));
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    match state.backend.reset_password(&token, &form.password, Some(client), user_agent).await {
        Ok(SignedIn::Session(caller, new)) => signed_in(&state, &headers, caller, new, "/").await,
        Ok(SignedIn::NeedsCode(challenge)) => needs_code(&state, &challenge, "", wants_json(&headers)),
        Err(err) => {
            let token: String = token.chars().filter(char::is_ascii_hexdigit).take(64).collect();
            refused(err, &headers, &format!("{}{token}", backend::password_reset::RESET_PATH), &[])
        }
    }
}

/// The answer to a right password of a person with two-factor on: the short cookie of the
/// sign-in waiting for its code, and the code page for a browser (`{"needs_code":true}` for a
/// JSON client).
fn needs_code(state: &AppState, challenge: &backend::auth::LinkToken, next: &str, json: bool) -> Response {
    let mut response = if json {
        Json(json!({ "needs_code": true })).into_response()
    } else if next.is_empty() {
        Redirect::to(CODE_PATH).into_response()
    } else {
        Redirect::to(&format!("{CODE_PATH}?next={}", urlencode(safe_next(next)))).into_response()
    };
    set_cookie(&mut response, &challenge_cookie(challenge.as_str(), state.web.secure_cookies()));
    response
}

/// The answer to a form that signed someone in (sign-in, set-up, joining, a new password): the
/// cookie, and home for a browser or the user for a JSON client. A session this browser had
/// before ends: the browser is the new person's now.
async fn signed_in(state: &AppState, headers: &HeaderMap, caller: Caller, token: SessionToken, to: &str) -> Response {
    if let Some(old) = token_of(headers)
        && let Err(e) = state.backend.sign_out(&old).await
    {
        tracing::warn!(error = %e, "could not end the previous session");
    }
    let cookie = session_cookie(token.as_str(), state.web.secure_cookies(), false);
    let mut response = if wants_json(headers) {
        Json(json!({ "user": caller.me() })).into_response()
    } else {
        Redirect::to(to).into_response()
    };
    set_cookie(&mut response, &cookie);
    response
}

/// The answer to a form the backend refused: a JSON client gets the error's status and body;
/// a browser goes back to `page` with the error (`?error=`, its JSON, which the page words in
/// the reader's language) and `fields` as typed (never a password or a code).
fn refused(err: Error, headers: &HeaderMap, page: &str, fields: &[(&str, &str)]) -> Response {
    let error = app::error::AppError::from(err);
    let mut response = if wants_json(headers) {
        (error.status(), Json(&error)).into_response()
    } else {
        let wire = serde_json::to_string(&error).unwrap_or_default();
        let mut target = format!("{page}?error={}", urlencode(&wire));
        for (name, value) in fields {
            target.push_str(&format!("&{name}={}", urlencode(value)));
        }
        Redirect::to(&target).into_response()
    };
    if let app::error::AppError::RateLimited(retry_after_secs) = error
        && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// `POST /signout`: ends the session and clears the cookie.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = token_of(&headers)
        && let Err(e) = state.backend.sign_out(&token).await
    {
        tracing::error!(error = %e, "sign-out failed");
        return (StatusCode::SERVICE_UNAVAILABLE, "The database is not answering; you are still signed in.\n")
            .into_response();
    }
    let mut response = Redirect::to("/signin?notice=signed_out").into_response();
    set_cookie(&mut response, &session_cookie("", state.web.secure_cookies(), true));
    response
}

fn session_cookie(value: &str, secure: bool, expire: bool) -> String {
    let mut cookie =
        Cookie::build((COOKIE, value.to_string())).path("/").http_only(true).same_site(SameSite::Lax).secure(secure);
    cookie = if expire {
        cookie.max_age(cookie::time::Duration::ZERO)
    } else {
        cookie.max_age(cookie::time::Duration::days(backend::auth::SESSION_DAYS))
    };
    cookie.build().to_string()
}

/// The cookie of a sign-in waiting for its code: only sent back to the code form, for as
/// long as the sign-in waits.
fn challenge_cookie(value: &str, secure: bool) -> String {
    Cookie::build((CHALLENGE_COOKIE, value.to_string()))
        .path(CODE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::minutes(backend::two_factor::CHALLENGE_MINUTES))
        .build()
        .to_string()
}

fn expired_challenge_cookie(secure: bool) -> String {
    Cookie::build((CHALLENGE_COOKIE, String::new()))
        .path(CODE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next("/mailboxes/1"), "/mailboxes/1");
        assert_eq!(safe_next("//evil.test/x"), "/");
        assert_eq!(safe_next("https://evil.test"), "/");
        assert_eq!(safe_next("/\\evil.test"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(safe_next("/conversations/1?tab=notes#end"), "/conversations/1?tab=notes#end");
        // What `next=/%09/evil.test`, `/%0a/x` and their kin decode to.
        for bad in [
            "/\t/evil.test",
            "/\n/x",
            "/\r\n/x",
            "/ /evil.test",
            "/\u{0}/x",
            "/\u{7f}/x",
            "/\u{a0}/evil.test",
            "/\u{3000}/evil.test",
            "/\t\\evil.test",
            "\t//evil.test",
            " /x",
            "/signin?next=//evil.test",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn the_cookie_is_http_only_and_lax() {
        let c = session_cookie("abc", false, false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"), "{c}");
        assert!(session_cookie("abc", true, false).contains("Secure"));
        assert!(session_cookie("", false, true).contains("Max-Age=0"));
    }
}
