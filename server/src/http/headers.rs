//! Security headers on every response: what a browser may load into our pages, and that no
//! other page may frame them.
//!
//! The app's pages carry inline scripts that Leptos writes for hydration and for the data
//! rendered on the server; they run because they carry this response's nonce, which the layer
//! makes before the page renders and hands to Leptos through the request (see
//! [`provide_page_nonce`]). Nothing else inline runs, and no other origin's script at all.
//!
//! - `img-src *`: an agent may choose to load a mail's remote pictures. The mail itself sits in
//!   a `srcdoc` frame that inherits this policy and adds its own stricter one.
//! - `style-src 'unsafe-inline'`: the mail frame's own `<style>` and mails' inline styles;
//!   style cannot run code.
//! - `frame-ancestors 'none'` (and `X-Frame-Options` for older browsers): a signed-in app must
//!   never be framed by another page, not even one on the same site, which could trick clicks.
//!
//! A response that sets its own policy (attachments are sandboxed) keeps it.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;

/// This response's script nonce, made per request.
#[derive(Debug, Clone)]
pub struct PageNonce(Arc<str>);

impl PageNonce {
    fn generate() -> PageNonce {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        PageNonce(hex::encode(bytes).into())
    }
}

/// The policy for a page whose inline scripts carry `nonce`.
fn content_security_policy(nonce: &PageNonce) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{}'; style-src 'self' 'unsafe-inline'; \
         img-src * data: blob:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        nonce.0
    )
}

/// Powerful browser features no page of Sanduq uses.
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

/// The layer: makes the nonce, runs the request, then adds what the response lacks.
pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let nonce = PageNonce::generate();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&content_security_policy(&nonce))
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        // Links in mails open other sites: they must not learn which conversation they came from.
        (header::REFERRER_POLICY, "same-origin"),
        (header::HeaderName::from_static("permissions-policy"), PERMISSIONS_POLICY),
        (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ];
    for (name, value) in fixed {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Gives Leptos this request's nonce, so the scripts it writes into the page carry it. Called
/// in the context of every page render.
pub fn provide_page_nonce() {
    let nonce = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    if let Some(PageNonce(value)) = nonce {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_differ_and_reach_the_policy() {
        let (a, b) = (PageNonce::generate(), PageNonce::generate());
        assert_ne!(a.0, b.0);
        let policy = content_security_policy(&a);
        assert!(policy.contains(&format!("'nonce-{}'", a.0)), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"));
        let script = policy.split(';').find(|d| d.trim().starts_with("script-src")).expect("script-src");
        assert!(!script.contains("'unsafe-inline'") && !script.contains(" 'unsafe-eval'"), "{script}");
    }
}
