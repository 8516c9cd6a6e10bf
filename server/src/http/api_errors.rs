//! Gives server-function errors the HTTP status they mean, and sends a refused plain form
//! back to its page.
//!
//! Our server functions set the status of the errors they return themselves. But a request
//! whose arguments cannot be read (a missing field, a malformed body) fails inside the
//! framework before our code runs, and the framework answers every error with 500. This layer
//! reads such an error body back as an [`AppError`] and uses its status, so a caller's mistake
//! is a 4xx, never a 500.
//!
//! A form posted without JavaScript (it asks for `text/html`) and refused is sent back to its
//! page by server_fn, with the error in the address (`__path`, `__err`), where the page's
//! `ServerAction` finds it and the form shows it in the reader's language. But our error
//! status stayed on that redirect, and the browser showed the error's JSON instead of going
//! back. Such an answer becomes a `303 See Other` to the page.

use app::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are a few hundred bytes; anything larger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Corrects the status of `/api/` error responses.
pub async fn fix_status(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let plain_form = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let mut response = next.run(request).await;
    let status = response.status();
    if !is_api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if plain_form {
        let back = response.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).and_then(same_site);
        if let Some(back) = back {
            *response.status_mut() = StatusCode::SEE_OTHER;
            response.headers_mut().insert(header::LOCATION, back);
            return response;
        }
    }
    if status != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_ERROR_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = err.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The path and query of `location` (the page the form came from, as its Referer said), so
/// the answer never sends the browser to another site; `None` if it has no path.
fn same_site(location: &str) -> Option<HeaderValue> {
    let path = match location.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None if location.starts_with('/') && !location.starts_with("//") => location,
        None => return None,
    };
    HeaderValue::from_str(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_form_goes_back_to_its_page_on_this_site() {
        let back = |location| same_site(location).map(|v| v.to_str().expect("ascii").to_string());
        assert_eq!(
            back("http://127.0.0.1:3000/conversations/x?__path=a&__err=b").as_deref(),
            Some("/conversations/x?__path=a&__err=b")
        );
        assert_eq!(back("https://evil.test/steal?a=1").as_deref(), Some("/steal?a=1"));
        assert_eq!(back("http://host").as_deref(), Some("/"));
        assert_eq!(back("/settings").as_deref(), Some("/settings"));
        assert_eq!(back("//evil.test/x"), None);
    }
}
