//! The app's one error type: what a server function can answer, in words a person can act on.
//!
//! On the server each variant also sets the HTTP status (a foreign id is a real 404), and
//! internal failures are logged there, never shown.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, as the browser learns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Sign in to continue.")]
    NotSignedIn,
    #[error("Not found.")]
    NotFound,
    #[error("Your role does not allow this.")]
    Forbidden,
    /// Refused for a typed reason, worded in the reader's language by the page
    /// (`Texts::error`); `message` is the same in English, for the HTTP API's callers.
    #[error("{message}")]
    Refused { refusal: model::Refusal, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// A reply was refused because someone added to the conversation since its author
    /// loaded it: `seq` is the conversation's number now (send it to send anyway).
    #[error("{message}")]
    Stale { seq: i64, message: String },
    /// A mail server failed or refused; the words say how.
    #[error("{0}")]
    MailServer(String),
    #[error("Too many attempts. Try again in {0} seconds.")]
    RateLimited(u64),
    #[error("Something went wrong on the server. Try again; if it keeps happening, tell your admin.")]
    Internal,
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl From<model::Refusal> for AppError {
    /// A refusal with its English words beside it, for the HTTP API's callers.
    fn from(refusal: model::Refusal) -> AppError {
        AppError::Refused { message: refusal.to_string(), refusal }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(text) | ServerFnErrorErr::MissingArg(text) => {
                AppError::Invalid(format!("The request is incomplete or malformed: {text}"))
            }
            // On the server, what fails to deserialize is the request (a JSON body that names
            // no known action, say): the caller's mistake. In the browser it is the answer.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(text) => {
                AppError::Invalid(format!("The request is incomplete or malformed: {text}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Invalid(_) | AppError::Refused { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) | AppError::Stale { .. } => StatusCode::CONFLICT,
            AppError::MailServer(_) => StatusCode::BAD_GATEWAY,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::Error> for AppError {
    fn from(err: backend::Error) -> AppError {
        use backend::Error as E;
        match err {
            E::NotFound => AppError::NotFound,
            E::Refused(refusal) => refusal.into(),
            E::Invalid(text) => AppError::Invalid(text),
            E::Conflict(text) => AppError::Conflict(text),
            E::Stale { seq } => AppError::Stale { seq, message: err.to_string() },
            E::Remote(text) => AppError::MailServer(text),
            E::Unauthenticated | E::BadCredentials => AppError::NotSignedIn,
            E::Forbidden => AppError::Forbidden,
            E::RateLimited { retry_after_secs } => AppError::RateLimited(retry_after_secs),
            E::Database(_) | E::Migrate(_) | E::Internal(_) => {
                tracing::error!(error = %err, "server function failed");
                AppError::Internal
            }
        }
    }
}
