//! Gives server-function errors the HTTP status they mean.
//!
//! Our server functions set the status of the errors they return themselves. But a request
//! whose arguments cannot be read (a missing field, a malformed body) fails inside the
//! framework before our code runs, and the framework answers every error with 500. This layer
//! reads such an error body back as an [`AppError`] and uses its status, so a caller's mistake
//! is a 4xx, never a 500.

use app::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are a few hundred bytes; anything larger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Corrects the status of `/api/` error responses.
pub async fn fix_status(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
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
