//! Files an agent attaches in the composer go to the server at once (`POST /uploads`, the
//! bytes as the body), so sending the reply later only names them.

#[cfg(feature = "hydrate")]
use crate::error::AppError;

/// Sends one file for the reply draft of `conversation`; answers with the file as the
/// composer lists it, or why not.
#[cfg(feature = "hydrate")]
pub async fn upload(conversation: &str, file: web_sys::File) -> Result<model::AttachmentView, AppError> {
    let url =
        format!("/uploads?conversation={}&name={}", model::url_encode(conversation), model::url_encode(&file.name()));
    let content_type = file.type_();
    let content_type = if content_type.is_empty() { "application/octet-stream".to_string() } else { content_type };
    let response = gloo_net::http::Request::post(&url)
        .header("Content-Type", &content_type)
        .body(file)
        .map_err(|e| AppError::Transport(e.to_string()))?
        .send()
        .await
        .map_err(|e| AppError::Transport(e.to_string()))?;
    match response.status() {
        200 => {
            let body = response.text().await.map_err(|e| AppError::Transport(e.to_string()))?;
            crate::codec::from_json(&body).map_err(|e| AppError::Transport(e.to_string()))
        }
        413 => Err(model::Refusal::FilesTooLarge { max_mb: model::MAX_REPLY_FILES_MB }.into()),
        status => {
            let body = response.text().await.unwrap_or_default();
            Err(crate::codec::from_json::<AppError>(&body).unwrap_or(match status {
                404 => AppError::NotFound,
                401 => AppError::NotSignedIn,
                403 => AppError::Forbidden,
                400 => AppError::Invalid(body.trim().to_string()),
                _ => AppError::Internal,
            }))
        }
    }
}

/// Uploads every file picked in a file input (`ev` is its change event), adding each to
/// `files` as it is stored; `conversation` is empty for a new conversation.
#[cfg(feature = "hydrate")]
pub fn pick(
    ev: leptos::ev::Event,
    conversation: String,
    files: leptos::prelude::RwSignal<Vec<model::AttachmentView>>,
    uploading: leptos::prelude::RwSignal<usize>,
    error: leptos::prelude::RwSignal<Option<String>>,
    t: &'static crate::i18n::Texts,
) {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return;
    };
    let picked: Vec<web_sys::File> = match input.files() {
        Some(list) => (0..list.length()).filter_map(|i| list.get(i)).collect(),
        None => Vec::new(),
    };
    input.set_value("");
    error.set(None);
    for file in picked {
        uploading.update(|n| *n += 1);
        let conversation = conversation.clone();
        leptos::task::spawn_local(async move {
            let name = file.name();
            match upload(&conversation, file).await {
                Ok(view) => files.update(|f| f.push(view)),
                Err(e) => error.set(Some(format!("{} {name}: {}", t.upload_failed, t.error(&e)))),
            }
            uploading.update(|n| *n = n.saturating_sub(1));
        });
    }
}
