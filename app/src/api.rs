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

    /// The token of the session the request came with.
    pub fn session() -> Result<backend::SessionToken, AppError> {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<backend::SessionToken>().cloned())
            .ok_or_else(|| fail(AppError::NotSignedIn))
    }

    /// Reads a page cursor from a request; empty is the first page, garbage is a 400.
    pub fn cursor(after: Option<String>) -> Result<Option<backend::store::Cursor>, AppError> {
        match after.as_deref().filter(|token| !token.is_empty()) {
            Some(token) => {
                backend::store::Cursor::parse(token).map(Some).ok_or_else(|| fail(model::Refusal::BadFilter))
            }
            None => Ok(None),
        }
    }

    /// Parses an id from its text; a malformed one is not found.
    pub fn parse_id<T: std::str::FromStr>(text: &str) -> Result<T, AppError> {
        text.parse().map_err(|_| fail(AppError::NotFound))
    }

    /// Reads a list's narrowing from a request: a tag name, and an assignee that is `me`,
    /// `none` or a user id. Empty means no narrowing; anything else is a 400.
    pub fn refine(caller: &Caller, tag: Option<String>, assignee: Option<String>) -> Result<backend::Refine, AppError> {
        use backend::store::AssigneeFilter;
        let tag = tag.map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
        let assignee = match assignee.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some("me") => Some(AssigneeFilter::User(caller.id)),
            Some("none") => Some(AssigneeFilter::Unassigned),
            Some(id) => Some(AssigneeFilter::User(id.parse().map_err(|_| fail(model::Refusal::BadFilter))?)),
        };
        Ok(backend::Refine { tag, assignee })
    }
}

/// The signed-in user.
#[server(prefix = "/api", endpoint = "current_user", output = crate::codec::Json)]
pub async fn current_user() -> Result<Me, AppError> {
    Ok(server::caller()?.me())
}

/// Sets the caller's language (`en`, `ar`, `fa`) and time zone (IANA name). The page is
/// reloaded afterwards to render in them; without JavaScript the form post comes back to it.
#[server(prefix = "/api", endpoint = "set_preferences", output = crate::codec::Json)]
pub async fn set_preferences(locale: String, time_zone: String) -> Result<(), AppError> {
    let caller = server::caller()?;
    server::backend()?.set_preferences(&caller, &locale, time_zone.trim()).await.map_err(server::fail)
}

/// The mailboxes the caller may see, with their open counts.
#[server(prefix = "/api", endpoint = "mailboxes", output = crate::codec::Json)]
pub async fn mailboxes() -> Result<Vec<MailboxSummary>, AppError> {
    let caller = server::caller()?;
    let list = server::backend()?.mailboxes(&caller).await.map_err(server::fail)?;
    Ok(list.into_iter().map(summary).collect())
}

/// One mailbox, if the caller may see it; "not found" (404) otherwise.
#[server(prefix = "/api", endpoint = "mailbox", output = crate::codec::Json)]
pub async fn mailbox(id: String) -> Result<MailboxSummary, AppError> {
    let caller = server::caller()?;
    let id = server::parse_id(&id)?;
    let found = server::backend()?.mailbox(&caller, id).await.map_err(server::fail)?;
    Ok(summary(found))
}

#[cfg(feature = "ssr")]
fn summary(m: backend::store::Mailbox) -> MailboxSummary {
    MailboxSummary { id: m.id, name: m.name, address: m.address, open_count: m.open_count, removed: m.removed }
}

/// A page of a mailbox's conversations in a view (`open`, `waiting`, `closed`), 50 at a time,
/// most recent activity first; `after` is the previous page's `next`. `tag` and `assignee`
/// (`me`, `none` or a user id) narrow the list.
#[server(prefix = "/api", endpoint = "conversations", output = crate::codec::Json)]
pub async fn conversations(
    mailbox: String,
    view: String,
    after: Option<String>,
    tag: Option<String>,
    assignee: Option<String>,
) -> Result<ConversationPage, AppError> {
    let caller = server::caller()?;
    let mailbox = server::parse_id(&mailbox)?;
    let after = server::cursor(after)?;
    let refine = server::refine(&caller, tag, assignee)?;
    let view = model::ListView::from_word(&view);
    let page = server::backend()?
        .mailbox_conversations(&caller, mailbox, view, refine, after, 50)
        .await
        .map_err(server::fail)?;
    Ok(page_of(page))
}

/// A page of a view across every mailbox the caller may see (`unassigned`, `mine`, `open`,
/// `waiting`, `snoozed`, `closed`), narrowed like [`conversations`].
#[server(prefix = "/api", endpoint = "inbox", output = crate::codec::Json)]
pub async fn inbox(
    view: String,
    after: Option<String>,
    tag: Option<String>,
    assignee: Option<String>,
) -> Result<ConversationPage, AppError> {
    let caller = server::caller()?;
    let view = model::InboxView::from_word(&view).ok_or_else(|| server::fail(AppError::NotFound))?;
    let after = server::cursor(after)?;
    let refine = server::refine(&caller, tag, assignee)?;
    let page = server::backend()?.inbox_view(&caller, view, refine, after, 50).await.map_err(server::fail)?;
    Ok(page_of(page))
}

/// The sidebar's counts: the working views and the tags.
#[server(prefix = "/api", endpoint = "sidebar", output = crate::codec::Json)]
pub async fn sidebar() -> Result<model::SidebarCounts, AppError> {
    let caller = server::caller()?;
    let found = server::backend()?.sidebar(&caller).await.map_err(server::fail)?;
    Ok(model::SidebarCounts { views: found.views, tags: found.tags.into_iter().map(tag_summary).collect() })
}

#[cfg(feature = "ssr")]
fn page_of(page: backend::store::Page<backend::store::ListedConversation>) -> ConversationPage {
    ConversationPage { items: page.items.into_iter().map(row).collect(), next: page.next.map(|c| c.token()) }
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
        rev: c.rev,
    }
}

/// One conversation with its messages and history; "not found" (404) unless the caller may
/// see its mailbox.
#[server(prefix = "/api", endpoint = "conversation", output = crate::codec::Json)]
pub async fn conversation(id: String) -> Result<model::ConversationDetail, AppError> {
    let caller = server::caller()?;
    let id = server::parse_id(&id)?;
    let opened = server::backend()?.open_conversation(&caller, id).await.map_err(server::fail)?;
    Ok(detail(caller.id, opened))
}

/// Applies one change from a conversation's controls (status, snooze, priority, assignee,
/// tags, following, subject) and answers with the conversation as it now is.
#[server(prefix = "/api", endpoint = "act", input = server_fn::codec::Json, output = crate::codec::Json)]
pub async fn act(id: String, action: model::ConversationAction) -> Result<model::ConversationDetail, AppError> {
    let caller = server::caller()?;
    let id = server::parse_id(&id)?;
    let backend = server::backend()?;
    backend.act(&caller, id, action).await.map_err(server::fail)?;
    let opened = backend.open_conversation(&caller, id).await.map_err(server::fail)?;
    Ok(detail(caller.id, opened))
}

/// Posts a reply (queued for sending) or an internal note; `client_id` is made by the
/// browser for each message, so a retried request posts once. Answers with the
/// conversation as it now is.
///
/// A reply goes to `to`, `cc` and `bcc` (address lists as typed; an empty To answers the
/// customer) with the uploads named in `files` (ids separated by commas); `forward` set to
/// `true` forwards the conversation to them instead.
#[server(prefix = "/api", endpoint = "post_message", output = crate::codec::Json)]
#[allow(clippy::too_many_arguments)]
pub async fn post_message(
    id: String,
    mode: String,
    body: String,
    client_id: String,
    #[server(default)] to: String,
    #[server(default)] cc: String,
    #[server(default)] bcc: String,
    #[server(default)] forward: String,
    #[server(default)] files: String,
    #[server(default)] seen_seq: String,
) -> Result<model::ConversationDetail, AppError> {
    let caller = server::caller()?;
    let id = server::parse_id(&id)?;
    let mode = mode.parse().map_err(|e: model::UnknownWord| server::fail(AppError::Invalid(e.to_string())))?;
    // A reply says which state of the conversation its author answered, so a reply written
    // against an older one is refused instead of sent twice.
    let seen_seq = match (mode, seen_seq.trim().parse::<i64>()) {
        (model::ComposerMode::Note, _) => None,
        (model::ComposerMode::Reply, Ok(seq)) => Some(seq),
        (model::ComposerMode::Reply, Err(_)) => {
            return Err(server::fail(AppError::Invalid(
                "a reply must say which version of the conversation it answers (seen_seq)".to_string(),
            )));
        }
    };
    let client_id =
        client_id.parse().map_err(|_| server::fail(AppError::Invalid("client_id must be a UUID".to_string())))?;
    let attachments = file_ids(&files)?;
    let text = backend::store::DraftText { body, to, cc, bcc, forward: forward == "true" };
    let backend = server::backend()?;
    let posted = backend::work::Posted { mode, text, attachments, client_id, seen_seq };
    backend.post(&caller, id, posted).await.map_err(server::fail)?;
    let opened = backend.open_conversation(&caller, id).await.map_err(server::fail)?;
    Ok(detail(caller.id, opened))
}

/// Starts a conversation with a customer (the first To address) from `mailbox` and
/// answers with its id.
#[server(prefix = "/api", endpoint = "start_conversation", output = crate::codec::Json)]
#[allow(clippy::too_many_arguments)]
pub async fn start_conversation(
    mailbox: String,
    to: String,
    #[server(default)] cc: String,
    #[server(default)] bcc: String,
    subject: String,
    body: String,
    #[server(default)] files: String,
    client_id: String,
) -> Result<String, AppError> {
    let caller = server::caller()?;
    let mailbox = mailbox.parse().map_err(|_| server::fail(AppError::NotFound))?;
    let client_id =
        client_id.parse().map_err(|_| server::fail(AppError::Invalid("client_id must be a UUID".to_string())))?;
    let attachments = file_ids(&files)?;
    let text = backend::store::DraftText { body, to, cc, bcc, forward: false };
    let new = backend::work::NewOutbound { mailbox, subject, text, attachments, client_id };
    let id = server::backend()?.start_conversation(&caller, new).await.map_err(server::fail)?;
    Ok(id.to_string())
}

/// Upload ids as the composer sends them: separated by commas.
#[cfg(feature = "ssr")]
fn file_ids(files: &str) -> Result<Vec<model::AttachmentId>, AppError> {
    files
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| f.parse().map_err(|_| server::fail(AppError::Invalid(format!("{f:?} is not a file id")))))
        .collect()
}

/// Saves what the caller is writing in the composer, recipients included (a blank draft is
/// deleted).
#[server(prefix = "/api", endpoint = "save_draft", output = crate::codec::Json)]
pub async fn save_draft(
    id: String,
    mode: String,
    body: String,
    #[server(default)] to: String,
    #[server(default)] cc: String,
    #[server(default)] bcc: String,
    #[server(default)] forward: bool,
) -> Result<(), AppError> {
    let caller = server::caller()?;
    let id = server::parse_id(&id)?;
    let mode = mode.parse().map_err(|e: model::UnknownWord| server::fail(AppError::Invalid(e.to_string())))?;
    let draft = backend::store::DraftText { body, to, cc, bcc, forward };
    server::backend()?.save_draft(&caller, id, mode, &draft).await.map_err(server::fail)
}

/// Removes a file the caller attached to a reply and has not sent.
#[server(prefix = "/api", endpoint = "remove_upload", output = crate::codec::Json)]
pub async fn remove_upload(id: String) -> Result<(), AppError> {
    let caller = server::caller()?;
    let id = id.parse().map_err(|_| server::fail(AppError::NotFound))?;
    server::backend()?.remove_upload(&caller, id).await.map_err(server::fail)
}

/// What is left of a new team's first steps, for admins (`None`: nothing to show).
#[server(prefix = "/api", endpoint = "first_steps", output = crate::codec::Json)]
pub async fn first_steps() -> Result<Option<model::FirstSteps>, AppError> {
    let caller = server::caller()?;
    server::backend()?.first_steps(&caller).await.map_err(server::fail)
}

/// The caller's signature in each mailbox they answer from.
#[server(prefix = "/api", endpoint = "signatures", output = crate::codec::Json)]
pub async fn signatures() -> Result<Vec<model::SignatureView>, AppError> {
    let caller = server::caller()?;
    let found = server::backend()?.signatures(&caller).await.map_err(server::fail)?;
    Ok(found
        .into_iter()
        .map(|(mailbox, body)| model::SignatureView { mailbox_id: mailbox.id, mailbox_name: mailbox.name, body })
        .collect())
}

/// Sets the caller's signature in one mailbox; empty removes it.
#[server(prefix = "/api", endpoint = "save_signature", output = crate::codec::Json)]
pub async fn save_signature(mailbox: String, body: String) -> Result<(), AppError> {
    let caller = server::caller()?;
    let mailbox = mailbox.parse().map_err(|_| server::fail(AppError::NotFound))?;
    server::backend()?.set_signature(&caller, mailbox, &body).await.map_err(server::fail)
}

#[cfg(feature = "ssr")]
fn detail(caller: model::UserId, opened: backend::OpenedConversation) -> model::ConversationDetail {
    use model::{Direction, HistoryChange, HistoryEntry, MessageView};
    let name_of = |id: Option<model::UserId>| id.and_then(|id| opened.names.get(&id).cloned());
    let mut files: std::collections::HashMap<model::MessageId, Vec<backend::store::Attachment>> =
        std::collections::HashMap::new();
    for attachment in opened.attachments {
        files.entry(attachment.message_id).or_default().push(attachment);
    }
    let messages = opened
        .messages
        .into_iter()
        .map(|m| {
            let files = files.remove(&m.id).unwrap_or_default();
            // Inline pictures (`cid:`) point at their attachment, served to members only.
            let html = m.body_html.clone().map(|mut html| {
                for file in files.iter().filter(|f| f.content_id.is_some()) {
                    let cid = format!("cid:{}", file.content_id.as_deref().unwrap_or_default());
                    html = html.replace(&cid, &format!("/attachments/{}?inline=1", file.id));
                }
                html
            });
            let attachments = files
                .iter()
                .filter(|f| {
                    !(f.is_inline && html.as_deref().is_some_and(|h| h.contains(&format!("/attachments/{}", f.id))))
                })
                .map(|f| model::AttachmentView {
                    id: f.id,
                    filename: f.filename.clone(),
                    content_type: f.content_type.clone(),
                    size: f.size,
                })
                .collect();
            (m, html, attachments)
        })
        .map(|(m, html, attachments)| MessageView {
            id: m.id,
            direction: m.direction,
            to: m.to,
            cc: m.cc,
            bcc: m.bcc,
            author: match m.direction {
                Direction::Inbound if m.from_name.is_empty() => m.from_email,
                Direction::Inbound => m.from_name,
                // A reply found in the Sent folder has no author in Sanduq.
                Direction::Outbound if m.author_id.is_none() => {
                    if m.from_name.is_empty() {
                        m.from_email
                    } else {
                        m.from_name
                    }
                }
                Direction::Outbound | Direction::Note => name_of(m.author_id).unwrap_or_default(),
            },
            html,
            attachments,
            body_text: m.body_text,
            created_at: m.created_at,
            delivery: m.delivery,
        })
        .collect();
    let history = opened
        .events
        .into_iter()
        .filter_map(|e| {
            use backend::events::EventData;
            let change = match e.what {
                EventData::Created { .. } => HistoryChange::Created,
                EventData::Assigned { to, .. } => HistoryChange::Assigned(to.and_then(|id| name_of(Some(id)))),
                EventData::Status { to, .. } => HistoryChange::Status(to),
                EventData::Priority { to, .. } => HistoryChange::Priority(to),
                EventData::Tagged { tag } => HistoryChange::Tagged(tag),
                EventData::Untagged { tag } => HistoryChange::Untagged(tag),
                EventData::Snoozed { until } => HistoryChange::Snoozed(until),
                EventData::Unsnoozed {} => HistoryChange::Unsnoozed,
                EventData::Renamed { to, .. } => HistoryChange::Renamed(to),
                EventData::Followed { user } => HistoryChange::Followed(name_of(Some(user))?),
                EventData::Unfollowed { user } => HistoryChange::Unfollowed(name_of(Some(user))?),
                EventData::Unknown { .. } => HistoryChange::Unknown,
                // Shown elsewhere: messages in the thread, delivery on each reply, mentions
                // as notices, bounces under the reply they belong to.
                EventData::Message { .. }
                | EventData::Mentioned { .. }
                | EventData::Bounced { .. }
                | EventData::Delivery { .. } => return None,
            };
            Some(HistoryEntry { actor: name_of(e.actor_id), change, created_at: e.created_at })
        })
        .collect();
    let person = |id: model::UserId| model::Person { id, name: name_of(Some(id)).unwrap_or_default() };
    let draft = |mode: model::ComposerMode| {
        opened.drafts.iter().find(|d| d.mode == mode).map(|d| d.body.clone()).unwrap_or_default()
    };
    let now = backend::time::now_micros();
    model::ConversationDetail {
        seq: opened.listed.conversation.seq,
        viewer: caller,
        snoozed_until: opened.listed.conversation.snoozed_until.filter(|until| *until > now),
        assignee_id: opened.listed.conversation.assignee_id,
        assignable: opened.assignable.iter().map(|u| model::Person { id: u.id, name: u.name.clone() }).collect(),
        followers: opened.followers.iter().map(|id| person(*id)).collect(),
        following: opened.followers.contains(&caller),
        reply_draft: draft(model::ComposerMode::Reply),
        note_draft: draft(model::ComposerMode::Note),
        composer: {
            let reply = opened.drafts.iter().find(|d| d.mode == model::ComposerMode::Reply);
            model::ReplyComposer {
                to: reply.map(|d| d.to.clone()).filter(|to| !to.trim().is_empty()).unwrap_or(opened.reply_to.clone()),
                cc: reply.map(|d| d.cc.clone()).unwrap_or_default(),
                bcc: reply.map(|d| d.bcc.clone()).unwrap_or_default(),
                forward: reply.is_some_and(|d| d.forward),
                default_to: opened.reply_to,
                reply_all: opened.reply_all,
                files: opened
                    .uploads
                    .into_iter()
                    .map(|u| model::AttachmentView {
                        id: u.id,
                        filename: u.filename,
                        content_type: u.content_type,
                        size: u.size,
                    })
                    .collect(),
                signature: opened.signature,
                can_send: opened.can_send,
            }
        },
        contact: model::ContactCardView {
            name: opened.contact.name,
            emails: opened.contact.emails,
            conversations: opened.other_conversations.into_iter().map(row).collect(),
        },
        summary: row(opened.listed),
        mailbox_id: opened.mailbox.id,
        mailbox_name: opened.mailbox.name,
        messages,
        history,
    }
}

/// The team, mailboxes and tags, for admins.
#[server(prefix = "/api", endpoint = "settings", output = crate::codec::Json)]
pub async fn settings() -> Result<model::SettingsView, AppError> {
    let caller = server::caller()?;
    let found = server::backend()?.settings(&caller).await.map_err(server::fail)?;
    Ok(settings_view(caller.id, found))
}

/// Applies one change from Settings (admins only) and answers with Settings as they now are.
#[server(prefix = "/api", endpoint = "change_settings", input = server_fn::codec::Json, output = crate::codec::Json)]
pub async fn change_settings(change: model::SettingsChange) -> Result<model::SettingsView, AppError> {
    let caller = server::caller()?;
    let backend = server::backend()?;
    backend.change_settings(&caller, change).await.map_err(server::fail)?;
    let found = backend.settings(&caller).await.map_err(server::fail)?;
    Ok(settings_view(caller.id, found))
}

#[cfg(feature = "ssr")]
fn settings_view(viewer: model::UserId, found: backend::settings::TeamSettings) -> model::SettingsView {
    model::SettingsView {
        users: found.users,
        mailboxes: found.mailboxes.into_iter().map(summary).collect(),
        tags: found.tags.into_iter().map(tag_summary).collect(),
        viewer,
        invitations: found.invitations,
        can_send: found.can_send,
        system_mailbox: found.system_mailbox,
        require_two_factor: found.require_two_factor,
    }
}

/// Adds a mailbox with its members (admins only); answers its id, whose page takes its mail
/// servers next.
#[server(prefix = "/api", endpoint = "add_mailbox", input = server_fn::codec::Json, output = crate::codec::Json)]
pub async fn add_mailbox(form: model::NewMailboxForm) -> Result<String, AppError> {
    let caller = server::caller()?;
    let id = server::backend()?.add_mailbox(&caller, &form).await.map_err(server::fail)?;
    Ok(id.to_string())
}

/// A page of the team's audit trail (admins), newest first; `before` is a page's `older`.
#[server(prefix = "/api", endpoint = "team_activity", output = crate::codec::Json)]
pub async fn team_activity(before: Option<String>) -> Result<model::TeamActivity, AppError> {
    let caller = server::caller()?;
    server::backend()?.team_activity(&caller, before.as_deref()).await.map_err(server::fail)
}

/// The caller's own account security: two-factor sign-in and their signed-in browsers.
#[server(prefix = "/api", endpoint = "security", output = crate::codec::Json)]
pub async fn security() -> Result<model::SecurityView, AppError> {
    let caller = server::caller()?;
    let token = server::session()?;
    server::backend()?.security(&caller, &token).await.map_err(server::fail)
}

/// Begins turning on two-factor sign-in: a new secret and its QR code.
#[server(prefix = "/api", endpoint = "begin_two_factor", output = crate::codec::Json)]
pub async fn begin_two_factor() -> Result<model::TwoFactorSetup, AppError> {
    let caller = server::caller()?;
    server::backend()?.begin_two_factor(&caller).await.map_err(server::fail)
}

/// Turns two-factor sign-in on with a first right code; answers the recovery codes.
#[server(prefix = "/api", endpoint = "confirm_two_factor", output = crate::codec::Json)]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    let caller = server::caller()?;
    server::backend()?.confirm_two_factor(&caller, &code).await.map_err(server::fail)
}

/// Turns two-factor sign-in off, with a right code.
#[server(prefix = "/api", endpoint = "disable_two_factor", output = crate::codec::Json)]
pub async fn disable_two_factor(code: String) -> Result<(), AppError> {
    let caller = server::caller()?;
    server::backend()?.disable_two_factor(&caller, &code).await.map_err(server::fail)
}

/// New recovery codes (the old ones stop working), with a right code.
#[server(prefix = "/api", endpoint = "new_recovery_codes", output = crate::codec::Json)]
pub async fn new_recovery_codes(code: String) -> Result<Vec<String>, AppError> {
    let caller = server::caller()?;
    server::backend()?.new_recovery_codes(&caller, &code).await.map_err(server::fail)
}

/// Signs out one of the caller's other browsers (`session`, its reference), or all of them
/// (`session` empty); answers the list as it now is.
#[server(prefix = "/api", endpoint = "end_sessions", output = crate::codec::Json)]
pub async fn end_sessions(session: String) -> Result<model::SecurityView, AppError> {
    use backend::security::EndSessions;
    let caller = server::caller()?;
    let token = server::session()?;
    let backend = server::backend()?;
    let which = if session.is_empty() { EndSessions::AllOthers } else { EndSessions::One(session) };
    backend.end_sessions(&caller, &token, which).await.map_err(server::fail)?;
    backend.security(&caller, &token).await.map_err(server::fail)
}

/// Invites someone (admins only): the link goes by mail, or comes back to copy when no
/// mailbox can send.
#[server(prefix = "/api", endpoint = "invite", input = server_fn::codec::Json, output = crate::codec::Json)]
pub async fn invite(form: model::InvitationForm) -> Result<model::Invited, AppError> {
    let caller = server::caller()?;
    let backend = server::backend()?;
    let email = form.email.trim().to_lowercase();
    let sent = backend.invite(&caller, form).await.map_err(server::fail)?;
    let found = backend.settings(&caller).await.map_err(server::fail)?;
    Ok(model::Invited { email, link: sent.link(), settings: settings_view(caller.id, found) })
}

/// Sends a pending invitation again with a new link, by mail or (`by_mail` false) to copy.
#[server(prefix = "/api", endpoint = "resend_invitation", output = crate::codec::Json)]
pub async fn resend_invitation(id: String, by_mail: bool) -> Result<model::Invited, AppError> {
    let caller = server::caller()?;
    let backend = server::backend()?;
    let id: model::InvitationId = server::parse_id(&id)?;
    let sent = backend.resend_invitation(&caller, id, by_mail).await.map_err(server::fail)?;
    let found = backend.settings(&caller).await.map_err(server::fail)?;
    let email = found.invitations.iter().find(|i| i.id == id).map(|i| i.email.clone()).unwrap_or_default();
    Ok(model::Invited { email, link: sent.link(), settings: settings_view(caller.id, found) })
}

/// The address a password reset link is for; anyone with the link may ask.
#[server(prefix = "/api", endpoint = "reset_preview", output = crate::codec::Json)]
pub async fn reset_preview(token: String) -> Result<String, AppError> {
    server::backend()?.reset_preview(&token).await.map_err(server::fail)
}

/// What the page behind an invitation link shows; anyone with the link may ask.
#[server(prefix = "/api", endpoint = "invitation", output = crate::codec::Json)]
pub async fn invitation(token: String) -> Result<model::InvitationPreview, AppError> {
    server::backend()?.invitation_preview(&token).await.map_err(server::fail)
}

#[cfg(feature = "ssr")]
fn tag_summary(t: backend::store::TagCount) -> model::TagSummary {
    model::TagSummary { id: t.id, name: t.name, color: t.color, open_count: t.open_count }
}

/// A mailbox's mail servers, sync health and quarantined mails; admins only.
#[server(prefix = "/api", endpoint = "mail_servers", output = crate::codec::Json)]
pub async fn mail_servers(mailbox: String) -> Result<model::MailServersView, AppError> {
    let caller = server::caller()?;
    let mailbox = server::parse_id(&mailbox)?;
    server::backend()?.mail_servers(&caller, mailbox).await.map_err(server::fail)
}

/// Saves a mailbox's mail servers (an empty password keeps the stored one); answers with
/// the servers as now stored. Admins only.
#[server(prefix = "/api", endpoint = "save_mail_servers", input = server_fn::codec::Json, output = crate::codec::Json)]
pub async fn save_mail_servers(
    mailbox: String,
    form: model::MailServersForm,
) -> Result<model::MailServersView, AppError> {
    let caller = server::caller()?;
    let mailbox = server::parse_id(&mailbox)?;
    let backend = server::backend()?;
    backend.save_mail_servers(&caller, mailbox, &form).await.map_err(server::fail)?;
    backend.mail_servers(&caller, mailbox).await.map_err(server::fail)
}

/// Tries the servers in the form and answers in words; saves nothing. Admins only.
#[server(prefix = "/api", endpoint = "test_mail_servers", input = server_fn::codec::Json, output = crate::codec::Json)]
pub async fn test_mail_servers(
    mailbox: String,
    form: model::MailServersForm,
) -> Result<model::ConnectionCheck, AppError> {
    let caller = server::caller()?;
    let mailbox = server::parse_id(&mailbox)?;
    server::backend()?.test_mail_servers(&caller, mailbox, &form).await.map_err(server::fail)
}

/// Puts a quarantined mail back in line; answers with the mailbox's servers. Admins only.
#[server(prefix = "/api", endpoint = "retry_quarantined", output = crate::codec::Json)]
pub async fn retry_quarantined(mailbox: String, id: String) -> Result<model::MailServersView, AppError> {
    let caller = server::caller()?;
    let mailbox = server::parse_id(&mailbox)?;
    let backend = server::backend()?;
    backend.retry_quarantined(&caller, mailbox, &id).await.map_err(server::fail)?;
    backend.mail_servers(&caller, mailbox).await.map_err(server::fail)
}

/// Sends a failed reply again, with the same bytes.
#[server(prefix = "/api", endpoint = "retry_reply", output = crate::codec::Json)]
pub async fn retry_reply(message: String) -> Result<(), AppError> {
    let caller = server::caller()?;
    let message = server::parse_id(&message)?;
    server::backend()?.retry_reply(&caller, message).await.map_err(server::fail)
}

/// Cancels a reply that has not left yet.
#[server(prefix = "/api", endpoint = "undo_reply", output = crate::codec::Json)]
pub async fn undo_reply(message: String) -> Result<(), AppError> {
    let caller = server::caller()?;
    let message = server::parse_id(&message)?;
    server::backend()?.undo_reply(&caller, message).await.map_err(server::fail)
}
