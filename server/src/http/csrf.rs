//! The cross-site request guard. Leptos server functions have no CSRF protection of their
//! own, so every request that may change something (anything but GET, HEAD and OPTIONS) and
//! every websocket upgrade must come from Sanduq's own pages.
//!
//! Browsers say where a request comes from: `Sec-Fetch-Site` (all current browsers) and
//! `Origin` (on every POST). A request passes when `Sec-Fetch-Site` is `same-origin` or `none`
//! (typed by the user), or when `Origin` is exactly the origin of `SANDUQ_PUBLIC_URL`.
//! Anything else a browser sent is refused with 403 before it reaches a handler. A request
//! with neither header did not come from a browser page (curl, the CLI's peers), so no
//! signed-in user's browser can have been tricked into it; it passes. No GET changes state.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Refuses cross-site requests that could change state.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let upgrade = request.headers().contains_key(header::UPGRADE);
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !upgrade;
    if safe {
        return next.run(request).await;
    }
    let expected = state.web.public_url.origin().ascii_serialization();
    match verdict(
        header_text(&request, "sec-fetch-site"),
        header_text(&request, header::ORIGIN.as_str()),
        &expected,
        upgrade,
    ) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            // A link's token is a secret: only the path's first part is logged.
            let path = request.uri().path().split('/').nth(1).unwrap_or_default().to_string();
            tracing::warn!(method = %request.method(), path = %format!("/{path}"), reason, "cross-site request refused");
            (
                StatusCode::FORBIDDEN,
                format!(
                    "Refused: this request did not come from Sanduq's own pages ({reason}). If you opened \
                     Sanduq at another address than {expected}, set SANDUQ_PUBLIC_URL to that address.\n"
                ),
            )
                .into_response()
        }
    }
}

fn header_text<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The rule itself, apart from HTTP types so it can be tested case by case.
fn verdict(fetch_site: Option<&str>, origin: Option<&str>, expected: &str, upgrade: bool) -> Result<(), &'static str> {
    if origin == Some(expected) {
        return Ok(());
    }
    match fetch_site {
        Some("same-origin") | Some("none") if !upgrade => return Ok(()),
        Some(_) => return Err("Sec-Fetch-Site is not same-origin"),
        None => {}
    }
    match origin {
        Some(_) => Err("Origin does not match SANDUQ_PUBLIC_URL"),
        None if upgrade => Err("a websocket upgrade without Origin"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::verdict;

    const US: &str = "https://help.shop.test";

    #[test]
    fn own_pages_pass() {
        assert!(verdict(Some("same-origin"), Some(US), US, false).is_ok());
        assert!(verdict(None, Some(US), US, false).is_ok());
        assert!(verdict(Some("same-origin"), None, US, false).is_ok());
        assert!(verdict(None, Some(US), US, true).is_ok());
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(verdict(None, Some("https://evil.test"), US, false).is_err());
        assert!(verdict(Some("cross-site"), Some("https://evil.test"), US, false).is_err());
        assert!(verdict(Some("same-site"), Some("https://sub.help.shop.test"), US, false).is_err());
        assert!(verdict(Some("cross-site"), None, US, false).is_err());
        assert!(verdict(None, Some("null"), US, false).is_err());
        assert!(verdict(None, None, US, true).is_err(), "a websocket needs an Origin");
        assert!(verdict(Some("same-origin"), Some("https://evil.test"), US, true).is_err());
    }

    #[test]
    fn non_browser_clients_pass() {
        assert!(verdict(None, None, US, false).is_ok());
    }
}
