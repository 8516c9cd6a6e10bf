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

    /// Reads a page cursor from a request; empty is the first page, garbage is a 400.
    pub fn cursor(after: Option<String>) -> Result<Option<backend::store::Cursor>, AppError> {
        match after.as_deref().filter(|token| !token.is_empty()) {
            Some(token) => backend::store::Cursor::parse(token)
                .map(Some)
                .ok_or_else(|| fail(AppError::Invalid("malformed page cursor".to_string()))),
            None => Ok(None),
        }
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
    let caller = server::caller()?;
    let mailbox = server::parse_id(&mailbox)?;
    let after = server::cursor(after)?;
    let view = model::ListView::from_word(&view);
    let page = server::backend()?
        .mailbox_conversations(&caller, mailbox, view.statuses(), after, 50)
        .await
        .map_err(server::fail)?;
    Ok(ConversationPage { items: page.items.into_iter().map(row).collect(), next: page.next.map(|c| c.token()) })
}

/// A page of a view across every mailbox the caller may see (`unassigned`, `mine`, `open`,
/// `waiting`, `closed`).
#[server(prefix = "/api", endpoint = "inbox")]
pub async fn inbox(view: String, after: Option<String>) -> Result<ConversationPage, AppError> {
    let caller = server::caller()?;
    let view = model::InboxView::from_word(&view).ok_or_else(|| server::fail(AppError::NotFound))?;
    let after = server::cursor(after)?;
    let page = server::backend()?.inbox_view(&caller, view, after, 50).await.map_err(server::fail)?;
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

/// One conversation with its messages and history; "not found" (404) unless the caller may
/// see its mailbox.
#[server(prefix = "/api", endpoint = "conversation")]
pub async fn conversation(id: String) -> Result<model::ConversationDetail, AppError> {
    let caller = server::caller()?;
    let id = server::parse_id(&id)?;
    let opened = server::backend()?.open_conversation(&caller, id).await.map_err(server::fail)?;
    Ok(detail(opened))
}

#[cfg(feature = "ssr")]
fn detail(opened: backend::OpenedConversation) -> model::ConversationDetail {
    use model::{Direction, HistoryChange, HistoryEntry, MessageView};
    let name_of = |id: Option<model::UserId>| id.and_then(|id| opened.names.get(&id).cloned());
    let messages = opened
        .messages
        .into_iter()
        .map(|m| MessageView {
            id: m.id,
            direction: m.direction,
            author: match m.direction {
                Direction::Inbound if m.from_name.is_empty() => m.from_email,
                Direction::Inbound => m.from_name,
                Direction::Outbound | Direction::Note => name_of(m.author_id).unwrap_or_default(),
            },
            body_text: m.body_text,
            created_at: m.created_at,
        })
        .collect();
    let history = opened
        .events
        .into_iter()
        .filter_map(|e| {
            let text = |key: &str| e.data[key].as_str().map(str::to_string);
            let change = match e.kind.as_str() {
                "created" => HistoryChange::Created,
                "assigned" => HistoryChange::Assigned(
                    text("to").and_then(|id| id.parse().ok()).and_then(|id: model::UserId| name_of(Some(id))),
                ),
                "status" => HistoryChange::Status(text("to")?.parse().ok()?),
                "priority" => HistoryChange::Priority(text("to")?.parse().ok()?),
                "tagged" => HistoryChange::Tagged(text("tag")?),
                "untagged" => HistoryChange::Untagged(text("tag")?),
                _ => return None,
            };
            Some(HistoryEntry { actor: name_of(e.actor_id), change, created_at: e.created_at })
        })
        .collect();
    model::ConversationDetail {
        summary: row(opened.listed),
        mailbox_id: opened.mailbox.id,
        mailbox_name: opened.mailbox.name,
        messages,
        history,
    }
}
