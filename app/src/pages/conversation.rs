//! `/conversations/:id`: one conversation, read as agents read it: the thread, with internal
//! notes set apart so they can never be mistaken for mail to the customer, and the history of
//! every change. A conversation the caller may not see is a real 404.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use model::{ConversationDetail, Direction, HistoryChange, HistoryEntry, MessageView};

use super::{NotFoundMessage, Shell};
use crate::api;
use crate::error::AppError;
use crate::format;
use crate::i18n::{Texts, use_texts};

/// The conversation page.
#[component]
pub fn ConversationView() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new_blocking(id, api::conversation);
    view! {
        <Shell>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! { <Detail d/> }.into_any(),
                        Err(AppError::NotFound) => view! { <NotFoundMessage/> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Shell>
    }
}

#[component]
fn Detail(d: ConversationDetail) -> impl IntoView {
    let t = use_texts();
    let s = d.summary;
    let back = format!("/mailboxes/{}", d.mailbox_id);
    let status_class = format!("badge status-{}", s.status.as_str());
    view! {
        <header class="content-header">
            <a class="back" href=back dir="auto">{d.mailbox_name}</a>
            <h1 dir="auto">{s.subject}</h1>
            <p class="muted">
                <span dir="auto">{s.contact_name}</span>
                " · "
                <span dir="auto">{s.contact_email}</span>
            </p>
            <div class="row-meta">
                <span class=status_class>{t.status(s.status)}</span>
                <span class="assignee" dir="auto">{s.assignee_name.unwrap_or_else(|| t.unassigned.to_string())}</span>
                {s.tags.into_iter().map(|tag| view! { <span class="tag" dir="auto">{tag}</span> }).collect_view()}
            </div>
        </header>
        <section class="thread" aria-label=t.messages>
            {d.messages.into_iter().map(|m| view! { <MessageCard m/> }).collect_view()}
        </section>
        <section class="history">
            <h2>{t.history}</h2>
            <ol>
                {d.history.into_iter().map(|h| view! { <li>{history_line(t, h)}</li> }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn MessageCard(m: MessageView) -> impl IntoView {
    let t = use_texts();
    let (class, label) = match m.direction {
        Direction::Inbound => ("message message-inbound", t.from_customer),
        Direction::Outbound => ("message message-outbound", t.reply_sent),
        Direction::Note => ("message message-note", t.internal_note),
    };
    view! {
        <article class=class>
            <header>
                <strong dir="auto">{m.author}</strong>
                <span class="message-kind">{label}</span>
                <time class="muted" dir="ltr">{format::date_time(m.created_at)}</time>
            </header>
            <div class="message-body" dir="auto">{m.body_text}</div>
        </article>
    }
}

fn history_line(t: &'static Texts, h: HistoryEntry) -> impl IntoView {
    // Names and tags are isolated with <bdi>, so an Arabic name in an English sentence (or
    // the other way round) cannot reorder the words around it.
    let (label, value): (&str, Option<String>) = match h.change {
        HistoryChange::Created => (t.h_created, None),
        HistoryChange::Assigned(Some(name)) => (t.h_assigned_to, Some(name)),
        HistoryChange::Assigned(None) => (t.h_unassigned, None),
        HistoryChange::Status(status) => (t.h_status, Some(t.status(status).to_string())),
        HistoryChange::Priority(priority) => (t.h_priority, Some(t.priority(priority).to_string())),
        HistoryChange::Tagged(tag) => (t.h_tagged, Some(tag)),
        HistoryChange::Untagged(tag) => (t.h_untagged, Some(tag)),
    };
    view! {
        <time class="muted" dir="ltr">{format::date_time(h.created_at)}</time>
        " "
        {label}
        {value.map(|v| view! { " " <bdi>{v}</bdi> })}
        {h.actor.map(|name| view! { <span class="muted">" — " <bdi>{name}</bdi></span> })}
    }
}
