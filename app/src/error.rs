//! The app's one error type: what a server function can answer, in words a person can act on.
//!
//! On the server each variant also sets the HTTP status (a foreign id is a real 404), and
//! internal failures are logged there, never shown.

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, as the browser learns it.
///
/// On the wire (a server function's or an upload's error body) it is
/// `{"error": "<code>", ...the code's data, "message": "<English>"}`: `error` is a stable
/// machine code for the HTTP API's callers, `message` the same in English. `refused` carries
/// a typed `refusal`, itself named by a stable code: `"bad_filter"`, or
/// `{"too_many_recipients":{"max":50}}` where it has data. `mail_server` carries a typed
/// `fault`, named the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "Wire", from = "Wire")]
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
    /// A mail server failed or refused, for a typed reason (`message` is its English).
    #[error("{message}")]
    MailServer { fault: model::MailFault, message: String },
    #[error("Too many attempts. Try again in {0} seconds.")]
    RateLimited(u64),
    #[error("Something went wrong on the server. Try again; if it keeps happening, tell your admin.")]
    Internal,
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

/// [`AppError`] as it is sent: one flat struct (no serde flatten or inner tag, which would
/// cost the browser's bundle a second copy of every deserializer).
#[derive(Serialize, Deserialize)]
struct Wire {
    /// The machine code: `not_signed_in`, `refused`, `stale`, `mail_server`, ...
    error: Code,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refusal: Option<model::Refusal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fault: Option<model::MailFault>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seq: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<u64>,
    message: String,
}

/// The machine code of an [`AppError`].
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Code {
    NotSignedIn,
    NotFound,
    Forbidden,
    Refused,
    Invalid,
    Conflict,
    Stale,
    MailServer,
    RateLimited,
    Internal,
    Transport,
}

impl From<AppError> for Wire {
    fn from(error: AppError) -> Wire {
        let message = error.to_string();
        let mut wire =
            Wire { error: Code::Internal, refusal: None, fault: None, seq: None, retry_after_secs: None, message };
        wire.error = match error {
            AppError::NotSignedIn => Code::NotSignedIn,
            AppError::NotFound => Code::NotFound,
            AppError::Forbidden => Code::Forbidden,
            AppError::Refused { refusal, .. } => {
                wire.refusal = Some(refusal);
                Code::Refused
            }
            AppError::Invalid(_) => Code::Invalid,
            AppError::Conflict(_) => Code::Conflict,
            AppError::Stale { seq, .. } => {
                wire.seq = Some(seq);
                Code::Stale
            }
            AppError::MailServer { fault, .. } => {
                wire.fault = Some(fault);
                Code::MailServer
            }
            AppError::RateLimited(secs) => {
                wire.retry_after_secs = Some(secs);
                Code::RateLimited
            }
            AppError::Internal => Code::Internal,
            AppError::Transport(_) => Code::Transport,
        };
        wire
    }
}

impl From<Wire> for AppError {
    fn from(wire: Wire) -> AppError {
        let message = wire.message;
        match (wire.error, wire.refusal, wire.fault) {
            (Code::NotSignedIn, ..) => AppError::NotSignedIn,
            (Code::NotFound, ..) => AppError::NotFound,
            (Code::Forbidden, ..) => AppError::Forbidden,
            (Code::Refused, Some(refusal), _) => AppError::Refused { refusal, message },
            (Code::MailServer, _, Some(fault)) => AppError::MailServer { fault, message },
            (Code::Stale, ..) => AppError::Stale { seq: wire.seq.unwrap_or_default(), message },
            (Code::RateLimited, ..) => AppError::RateLimited(wire.retry_after_secs.unwrap_or_default()),
            (Code::Conflict, ..) => AppError::Conflict(message),
            // A refusal or fault without its data reads as the words that came with it.
            (Code::Invalid | Code::Refused | Code::MailServer, ..) => AppError::Invalid(message),
            (Code::Internal, ..) => AppError::Internal,
            (Code::Transport, ..) => AppError::Transport(message),
        }
    }
}

impl From<model::Refusal> for AppError {
    /// A refusal with its English words beside it, for the HTTP API's callers.
    fn from(refusal: model::Refusal) -> AppError {
        AppError::Refused { message: refusal.to_string(), refusal }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::JsonText;

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
            AppError::MailServer { .. } => StatusCode::BAD_GATEWAY,
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
            E::NotAMail(reason) => AppError::Invalid(reason.to_string()),
            E::Conflict(text) => AppError::Conflict(text),
            E::Stale { seq } => AppError::Stale { seq, message: err.to_string() },
            E::Remote(fault) => AppError::MailServer { message: fault.to_string(), fault },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_carries_a_code_its_data_and_the_english() {
        let refused = AppError::from(model::Refusal::TooManyRecipients { max: 50 });
        let json = serde_json::to_value(&refused).expect("json");
        assert_eq!(json["error"], "refused");
        assert_eq!(json["refusal"]["too_many_recipients"]["max"], 50);
        assert_eq!(json["message"], "a reply goes to 50 addresses at most");
        assert_eq!(serde_json::from_value::<AppError>(json).expect("back"), refused);
        let json = serde_json::to_value(AppError::RateLimited(30)).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "error": "rate_limited", "retry_after_secs": 30, "message": "Too many attempts. Try again in 30 seconds."
            })
        );
        let json = serde_json::to_value(AppError::NotFound).expect("json");
        assert_eq!(json, serde_json::json!({ "error": "not_found", "message": "Not found." }));
        for error in
            [AppError::NotFound, AppError::Invalid("bad".into()), AppError::Stale { seq: 4, message: "x".into() }]
        {
            let back: AppError = serde_json::from_str(&serde_json::to_string(&error).expect("json")).expect("back");
            assert_eq!(back, error);
        }
    }
}
