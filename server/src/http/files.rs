//! `GET /attachments/:id`: a file that came with a mail, for members of its mailbox only;
//! `POST /uploads`: a file an agent attaches to a reply.
//!
//! Always served so that it can never run as a page of this site: `nosniff`, a sandboxing
//! CSP, and a download (`Content-Disposition: attachment`). With `?inline=1` a raster image
//! (the `cid:` pictures inside mail bodies) is shown in place instead; SVG never is, since it
//! can carry script.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use backend::Caller;
use serde::Deserialize;

use super::AppState;

#[derive(Debug, Deserialize)]
pub struct FileQuery {
    #[serde(default)]
    inline: Option<String>,
}

/// The largest upload request: the most files a reply carries, and room for the request.
pub const MAX_UPLOAD_REQUEST_BYTES: usize = 19 * 1_000_000;

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// The file's name.
    name: String,
    /// The conversation whose reply it goes with; none for a new conversation.
    #[serde(default)]
    conversation: Option<String>,
}

/// `POST /uploads?name=...&conversation=...` with the file's bytes as the body and its type
/// as `Content-Type`. Answers with the file as the composer lists it. A body over the limit
/// is refused by the router with 413 before it is read whole.
pub async fn upload(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(Extension(caller)) = caller else {
        return refused(app::AppError::NotSignedIn);
    };
    let conversation = match query.conversation.as_deref().filter(|c| !c.is_empty()).map(str::parse) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return refused(app::AppError::NotFound),
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match state.backend.upload(&caller, conversation, &query.name, content_type, body.to_vec()).await {
        Ok(upload) => Json(model::AttachmentView {
            id: upload.id,
            filename: upload.filename,
            content_type: upload.content_type,
            size: upload.size,
        })
        .into_response(),
        // The reason typed, for the composer to word, and in English for other callers:
        // the same body as a server function's error.
        Err(e) => refused(app::AppError::from(e)),
    }
}

/// An upload's error, with its status and the body a server function's error has.
fn refused(error: app::AppError) -> Response {
    (error.status(), Json(error)).into_response()
}

/// Images a browser shows without running anything.
fn showable(content_type: &str) -> bool {
    matches!(content_type, "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/bmp")
}

/// `filename` for a Content-Disposition header: an ASCII fallback and the UTF-8 name.
fn disposition(kind: &str, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded = model::url_encode(filename);
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub async fn attachment(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path(id): Path<String>,
    Query(query): Query<FileQuery>,
) -> Response {
    let Some(Extension(caller)) = caller else {
        return (StatusCode::UNAUTHORIZED, "Sign in to continue.\n").into_response();
    };
    let Ok(id) = id.parse() else {
        return (StatusCode::NOT_FOUND, "Not found.\n").into_response();
    };
    let (attachment, bytes) = match state.backend.attachment(&caller, id).await {
        Ok(found) => found,
        Err(backend::Error::NotFound) => return (StatusCode::NOT_FOUND, "Not found.\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading an attachment failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "The file cannot be read.\n").into_response();
        }
    };
    let inline = query.inline.is_some() && showable(&attachment.content_type);
    let content_type = if inline { attachment.content_type.as_str() } else { "application/octet-stream" };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let set =
        |value: &str| HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, set(content_type));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    let kind = if inline { "inline" } else { "attachment" };
    if let Ok(value) = HeaderValue::from_str(&disposition(kind, &attachment.filename)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_in_the_header() {
        assert_eq!(
            disposition("attachment", "a b.pdf"),
            "attachment; filename=\"a b.pdf\"; filename*=UTF-8''a%20b.pdf"
        );
        let arabic = disposition("attachment", "فاتورة\".pdf");
        assert!(arabic.starts_with("attachment; filename=\"_______.pdf\""), "{arabic}");
        assert!(arabic.contains("filename*=UTF-8''%D9%81"), "{arabic}");
        assert!(!showable("image/svg+xml"));
    }
}
