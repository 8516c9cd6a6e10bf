//! Server functions: the app's operations, each thin. Each one finds the caller, calls one
//! backend operation, and maps the error (setting the HTTP status on the way).
//!
//! URLs are fixed (`/api/<endpoint>`) so tests and other clients can call them.

use leptos::prelude::*;
use model::{ConversationPage, MailboxSummary, Me};

use crate::error::AppError;

#[cfg(feature = "ssr")]
mod server {
    //! What every server function needs on the server: the backend and the caller.
    use backend::{Backend, Caller};
    use leptos::prelude::*;

    use crate::error::AppError;

    /// Records `err`'s status on the response and hands it back.
    pub fn fail(err: impl Into<AppError>) -> AppError {
        let err = err.into();
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(err.status());
        }
        err
    }

    /// The backend, provided by the server.
    pub fn backend() -> Result<Backend, AppError> {
        use_context::<Backend>().ok_or_else(|| {
            tracing::error!("no backend in the server function's context");
            fail(AppError::Internal)
        })
    }

    /// The signed-in caller, put on the request by the server's session layer.
    pub fn caller() -> Result<Caller, AppError> {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Caller>().cloned())
            .ok_or_else(|| fail(AppError::NotSignedIn))
    }

    /// Parses an id from its text; a malformed one is not found.
    pub fn parse_id<T: std::str::FromStr>(text: &str) -> Result<T, AppError> {
        text.parse().map_err(|_| fail(AppError::NotFound))
    }
}

/// The signed-in user.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Me, AppError> {
    Ok(server::caller()?.me())
}

/// The mailboxes the caller may see, with their open counts.
#[server(prefix = "/api", endpoint = "mailboxes")]
pub async fn mailboxes() -> Result<Vec<MailboxSummary>, AppError> {
    let caller = server::caller()?;
    let list = server::backend()?.mailboxes(&caller).await.map_err(server::fail)?;
    Ok(list.into_iter().map(summary).collect())
}

/// One mailbox, if the caller may see it; "not found" (404) otherwise.
#[server(prefix = "/api", endpoint = "mailbox")]
pub async fn mailbox(id: String) -> Result<MailboxSummary, AppError> {
    let caller = server::caller()?;
    let id = server::parse_id(&id)?;
    let found = server::backend()?.mailbox(&caller, id).await.map_err(server::fail)?;
    Ok(summary(found))
}

#[cfg(feature = "ssr")]
fn summary(m: backend::store::Mailbox) -> MailboxSummary {
    MailboxSummary { id: m.id, name: m.name, address: m.address, open_count: m.open_count }
}

/// A page of a mailbox's conversations in a view (`open`, `waiting`, `closed`), 50 at a time,
/// most recent activity first; `after` is the previous page's `next`.
#[server(prefix = "/api", endpoint = "conversations")]
pub async fn conversations(mailbox: String, view: String, after: Option<String>) -> Result<ConversationPage, AppError> {
    use backend::store::Cursor;
    let caller = server::caller()?;
    let mailbox = server::parse_id(&mailbox)?;
    let after = match after.as_deref().filter(|token| !token.is_empty()) {
        Some(token) => Some(
            Cursor::parse(token).ok_or_else(|| server::fail(AppError::Invalid("malformed page cursor".to_string())))?,
        ),
        None => None,
    };
    let view = model::ListView::from_word(&view);
    let page = server::backend()?
        .mailbox_conversations(&caller, mailbox, view.statuses(), after, 50)
        .await
        .map_err(server::fail)?;
    Ok(ConversationPage { items: page.items.into_iter().map(row).collect(), next: page.next.map(|c| c.token()) })
}

#[cfg(feature = "ssr")]
fn row(listed: backend::store::ListedConversation) -> model::ConversationSummary {
    let c = listed.conversation;
    model::ConversationSummary {
        id: c.id,
        subject: c.subject,
        contact_name: listed.contact_name,
        contact_email: listed.contact_email,
        snippet: listed.snippet,
        last_activity_at: c.last_activity_at,
        status: c.status,
        priority: c.priority,
        assignee_name: listed.assignee_name,
        tags: listed.tags,
    }
}
