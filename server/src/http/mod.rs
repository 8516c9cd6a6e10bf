//! The HTTP surface: the router and the layers every request passes.
//!
//! Order of the layers, outermost first: tracing (method and path, link tokens left out:
//! [`loggable_path`]), the security headers ([`headers`]),
//! compression, the cross-site request guard
//! ([`csrf`]), the session lookup that puts the [`backend::Caller`] on the request
//! ([`session`]), and the sign-in gate in front of the pages.

pub mod api_errors;
pub mod client;
pub mod csrf;
mod files;
pub mod headers;
pub mod health;
pub mod live;
pub mod session;

use std::sync::Arc;

use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::middleware;
use axum::routing::{get, post};
use backend::Backend;
use ipnet::IpNet;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use url::Url;

/// What every handler may need. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub backend: Backend,
    pub web: Arc<WebSettings>,
    /// This node's live sockets and presence.
    pub hub: backend::live::hub::Hub,
}

/// The HTTP-facing settings.
#[derive(Debug)]
pub struct WebSettings {
    /// Where people open Sanduq; the one origin allowed to change anything.
    pub public_url: Url,
    /// Proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: Vec<IpNet>,
}

impl WebSettings {
    /// Whether the session cookie must be `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos.clone()
    }
}

/// What every page render gets in its context: the backend, and this response's script nonce.
fn page_context(backend: Backend) -> impl Fn() + Clone + Send + 'static {
    move || {
        provide_context(backend.clone());
        headers::provide_page_nonce();
    }
}

/// The whole router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let backend = state.backend.clone();
    let leptos = state.leptos.clone();
    // The app's JS, WASM and CSS, with the brotli and gzip copies the build writes beside them.
    let pkg = format!("{}/{}", leptos.site_root, leptos.site_pkg_dir);
    let pkg_service = ServeDir::new(pkg).precompressed_br().precompressed_gzip();
    Router::new()
        .route("/healthz", get(health::healthz))
        .nest_service(&format!("/{}", leptos.site_pkg_dir), pkg_service)
        .route("/signin", post(session::sign_in))
        .route(session::CODE_PATH, post(session::sign_in_code))
        .route("/setup", post(session::set_up))
        .route("/invitation/{token}", post(session::join))
        .route("/forgot", post(session::forgot))
        .route("/reset/{token}", post(session::reset))
        .route("/signout", post(session::sign_out))
        .route("/live", get(live::live))
        .route("/attachments/{id}", get(files::attachment))
        .route(
            "/uploads",
            post(files::upload).layer(axum::extract::DefaultBodyLimit::max(files::MAX_UPLOAD_REQUEST_BYTES)),
        )
        .leptos_routes_with_context(&state, routes, page_context(backend.clone()), move || shell(leptos.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(page_context(backend), shell))
        .layer(middleware::from_fn(api_errors::fix_status))
        .layer(middleware::from_fn_with_state(state.clone(), session::require_sign_in))
        .layer(middleware::from_fn_with_state(state.clone(), session::load_session))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(headers::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| request_span(request)))
        .with_state(state)
}

/// The span every request is logged in (at DEBUG): its method and a path fit for a log,
/// where tower-http's own would print the whole URI, link tokens and query included.
fn request_span(request: &axum::extract::Request) -> tracing::Span {
    tracing::debug_span!("request", method = %request.method(), path = %loggable_path(request.uri().path()))
}

/// The path without what would let a reader of the log in: the token of a reset or
/// invitation link (the query, which may hold what someone searched for, is left out too).
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for secret in ["/reset/", "/invitation/"] {
        if path.strip_prefix(secret).is_some_and(|token| !token.is_empty()) {
            return format!("{secret}(token)").into();
        }
    }
    path.into()
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn link_tokens_stay_out_of_the_log() {
        let token = "9f".repeat(32);
        assert_eq!(loggable_path(&format!("/reset/{token}")), "/reset/(token)");
        assert_eq!(loggable_path(&format!("/invitation/{token}")), "/invitation/(token)");
        assert_eq!(loggable_path("/conversations/0190e7a2"), "/conversations/0190e7a2");
        assert_eq!(loggable_path("/reset/"), "/reset/");
    }
}
