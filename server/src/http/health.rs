//! `GET /healthz`: is the process up and does the database answer.
//!
//! Anyone (a load balancer, an uptime check) gets liveness and readiness: the status code and
//! `"status"`. What would help an attacker map the deployment (version, node id, engine, open
//! sockets) is for signed-in admins only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use backend::Caller;
use serde_json::json;

use super::AppState;

/// 200 with `"status": "ok"` when the database answers; 503 otherwise. For an admin, `node`
/// names this process as it appears on the mailboxes' sync leases and live presence.
pub async fn healthz(State(state): State<AppState>, caller: Option<Extension<Caller>>) -> impl IntoResponse {
    let engine = match state.backend.store.engine() {
        backend::store::Engine::Sqlite => "sqlite",
        backend::store::Engine::Postgres => "postgres",
    };
    let started = std::time::Instant::now();
    let database = state.backend.store.ping().await;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let (status, word, error) = match database {
        Ok(()) => (StatusCode::OK, "ok", None),
        Err(e) => {
            tracing::error!(error = %e, "health check: database");
            (StatusCode::SERVICE_UNAVAILABLE, "error", Some("the database does not answer"))
        }
    };
    if !caller.is_some_and(|Extension(c)| c.role == model::Role::Admin) {
        return (status, Json(json!({ "status": word })));
    }
    let body = json!({
        "status": word,
        "version": env!("CARGO_PKG_VERSION"),
        "node": state.backend.live.node.0,
        "live_sockets": state.hub.sockets(),
        "database": { "status": word, "engine": engine, "latency_ms": millis, "error": error },
    });
    (status, Json(body))
}
