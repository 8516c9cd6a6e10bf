//! The pages of the agent app and the frame they share.

mod activity;
mod attach;
mod code;
mod conversation;
mod invitation;
mod invite;
mod keys;
pub mod lazy;
mod mail_servers;
mod mailbox_admin;
mod new_conversation;
mod presence;
mod reset;
mod security;
mod settings;
mod setup;
mod shell;
mod signin;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::HashMap;

use model::{
    ConversationId, ConversationPage, ConversationSummary, InboxView, ListView, MailboxId, Priority, TagSummary,
};

use crate::api;
use crate::error::AppError;
use crate::format;
use crate::i18n::{Texts, use_texts};
use crate::live::{coalesced, use_live};
pub use activity::ActivityPage;
pub use code::CodePage;
pub use conversation::ConversationView;
pub use invitation::JoinPage;
pub use mail_servers::MailServersPage;
pub use new_conversation::NewConversationPage;
use presence::RowAvatars;
pub use reset::{ForgotPage, ResetPage};
pub use security::SecurityPage;
pub use settings::SettingsPage;
pub use setup::SetUpPage;
pub use shell::Shell;
pub use signin::SignIn;

/// How long a list waits after a change before it reloads, so a burst reloads once.
const RELOAD_DELAY_MS: u64 = 300;

/// `/`: the signed-in home.
#[component]
pub fn Home() -> impl IntoView {
    let t = use_texts();
    let steps = Resource::new_serde_wb(|| (), |_| api::first_steps());
    view! {
        <Shell>
            <section class="empty-state">
                <h1>{t.welcome}</h1>
                <p>{t.welcome_hint}</p>
            </section>
            <Suspense>
                {move || Suspend::new(async move { steps.await.ok().flatten().map(|steps| first_steps(t, steps)) })}
            </Suspense>
        </Shell>
    }
}

/// A new team's checklist, for its admins until every step is done: each step links to where
/// it is done, and says when it is.
fn first_steps(t: &'static Texts, steps: model::FirstSteps) -> impl IntoView {
    let step = |done: bool, label: &'static str, href: &'static str| {
        view! {
            <li class:step-done=done>
                <a href=href>{label}</a>
                {done.then(|| view! { <span class="badge step-badge">{t.step_done}</span> })}
            </li>
        }
    };
    view! {
        <section class="first-steps" aria-labelledby="first-steps">
            <h2 id="first-steps">{t.first_steps}</h2>
            <ol>
                {step(steps.mailbox_connected, t.step_connect_mailbox, "/settings#s-mailboxes")}
                {step(steps.team_invited, t.step_invite_team, "/settings#s-team")}
                {step(steps.signature_set, t.step_set_signature, "/settings#s-signatures")}
            </ol>
        </section>
    }
}

/// `/mailboxes/:id?view=open|waiting|closed&after=CURSOR`: a mailbox's conversations, newest
/// activity first, 50 a page. A mailbox the caller may not see is a real 404, so this route
/// renders only after its data is in (`SsrMode::Async`). Views and pages live in the URL.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let view = move || ListView::from_word(&query.read().get("view").unwrap_or_default());
    let after = move || query.read().get("after").filter(|a| !a.is_empty());
    let narrow = move || Narrow::from_query(&query.read());
    let mailbox = Resource::new_serde_wb_blocking(id, api::mailbox);
    let page = Resource::new_serde_wb_blocking(
        move || (id(), view(), after(), narrow()),
        |(id, view, after, narrow)| {
            api::conversations(id, view.as_str().to_string(), after, narrow.tag, narrow.assignee)
        },
    );
    let reload = Callback::new(move |_| page.refetch());
    view! {
        <Shell>
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || {
                    let sidebar = shell::sidebar_data();
                    Suspend::new(async move {
                    // One Suspend for all: nested ones may stream after the page in SSR.
                    let (mailbox, page) = (mailbox.await, page.await);
                    let tags = shell::tags_of(sidebar).await;
                    match (mailbox, page) {
                        (Ok(m), Ok(list)) => {
                            let base = format!("/mailboxes/{}", m.id);
                            let narrow = narrow();
                            let first_page = format!("{base}?view={}{}", view().as_str(), narrow.query_suffix());
                            view! {
                                <header class="content-header">
                                    <div class="subject-line">
                                        <h1 dir="auto">{m.name}</h1>
                                        <a class="btn btn-primary" href=format!("/mailboxes/{}/new", m.id)>{t.new_conversation}</a>
                                    </div>
                                    <p class="muted" dir="auto">{m.address}</p>
                                </header>
                                <ViewTabs base=base.clone() current=view() narrow=narrow.clone()/>
                                <Filters action=base view=Some(view().as_str()) narrow tags/>
                                <ConversationList list first_page paged=after().is_some() mailbox=Some(m.id)
                                    reload/>
                            }
                            .into_any()
                        }
                        (Err(AppError::NotFound), _) | (_, Err(AppError::NotFound)) => {
                            view! { <NotFoundMessage/> }.into_any()
                        }
                        (Err(err), _) | (_, Err(err)) => {
                            view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any()
                        }
                    }
                })
                }}
            </Transition>
        </Shell>
    }
}

#[component]
fn ViewTabs(base: String, current: ListView, narrow: Narrow) -> impl IntoView {
    let t = use_texts();
    view! {
        <nav class="tabs" aria-label=t.filter_status>
            {ListView::ALL
                .into_iter()
                .map(|v| {
                    let href = format!("{base}?view={}{}", v.as_str(), narrow.query_suffix());
                    let selected = (v == current).then_some("page");
                    view! { <a href=href class="tab" aria-current=selected>{t.view(v)}</a> }
                })
                .collect_view()}
        </nav>
    }
}

/// A page of conversation rows with links to the newest and to the next page.
/// `first_page` is the URL of the list's first page; later pages add `after=`.
///
/// The list follows what others change: a change to a conversation of `mailbox` (of any
/// mailbox, for a view across them) that is newer than the row shown reloads the page in
/// place, at most every [`RELOAD_DELAY_MS`], and so does a reconnection.
#[component]
fn ConversationList(
    list: ConversationPage,
    first_page: String,
    paged: bool,
    mailbox: Option<MailboxId>,
    reload: Callback<()>,
) -> impl IntoView {
    let t = use_texts();
    let live = use_live();
    let ids: Vec<ConversationId> = list.items.iter().map(|c| c.id).collect();
    let revs: HashMap<ConversationId, i64> = list.items.iter().map(|c| (c.id, c.rev)).collect();
    live.show_rows(ids.clone());
    on_cleanup(move || live.hide_rows(&ids));
    let schedule = coalesced(std::time::Duration::from_millis(RELOAD_DELAY_MS), move || reload.run(()));
    live.on_change(move |change| {
        let ours = mailbox.is_none_or(|m| m == change.mailbox);
        let newer = revs.get(&change.conversation).is_none_or(|rev| change.rev > *rev);
        if ours && newer {
            schedule();
        }
    });
    live.on_reconnect(schedule);
    let joiner = if first_page.contains('?') { '&' } else { '?' };
    let next = list.next.map(|token| format!("{first_page}{joiner}after={token}"));
    let first = paged.then_some(first_page);
    if list.items.is_empty() {
        return view! {
            <section class="empty-state">
                <h2>{t.list_empty}</h2>
                <p>{t.list_empty_hint}</p>
                {first.map(|href| view! { <a class="btn" href=href>{t.newest}</a> })}
            </section>
        }
        .into_any();
    }
    view! {
        <ul class="conversation-list" aria-label=t.conversations>
            {list.items.into_iter().map(|c| view! { <ConversationRow c/> }).collect_view()}
        </ul>
        <div class="pager">
            {first.map(|href| view! { <a class="btn" href=href>{t.newest}</a> })}
            {next.map(|href| view! { <a class="btn" href=href>{t.older}</a> })}
        </div>
    }
    .into_any()
}

#[component]
fn ConversationRow(c: ConversationSummary) -> impl IntoView {
    let t = use_texts();
    let urgent = matches!(c.priority, Priority::High | Priority::Urgent);
    let priority_class = format!("badge priority-{}", c.priority.as_str());
    let status_class = format!("badge status-{}", c.status.as_str());
    let name = if c.contact_name.is_empty() { c.contact_email.clone() } else { c.contact_name.clone() };
    let initial = crate::format::initial(&name);
    let href = format!("/conversations/{}", c.id);
    let id = c.id;
    view! {
        <li class="conversation-row">
            <span class="avatar" aria-hidden="true">{initial}</span>
            <RowAvatars conversation=id/>
            <a class="row-body" href=href>
                <div class="row-top">
                    <span class="contact" dir="auto" title=c.contact_email>{name}</span>
                    <time class="muted" dir="ltr">{format::date_time(c.last_activity_at)}</time>
                </div>
                <div class="subject" dir="auto">{c.subject}</div>
                <div class="snippet muted" dir="auto">{c.snippet}</div>
                <div class="row-meta">
                    <span class=status_class>{t.status(c.status)}</span>
                    {urgent.then(|| view! { <span class=priority_class>{t.priority(c.priority)}</span> })}
                    <span class="assignee" dir="auto">{c.assignee_name.unwrap_or_else(|| t.unassigned.to_string())}</span>
                    {c.tags.into_iter().map(|tag| view! { <span class="tag" dir="auto">{tag}</span> }).collect_view()}
                </div>
            </a>
        </li>
    }
}

/// `/views/:view?after=CURSOR`: one of the views across every mailbox the user may see.
#[component]
pub fn ViewPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let query = use_query_map();
    let word = move || params.read().get("view").unwrap_or_default();
    let after = move || query.read().get("after").filter(|a| !a.is_empty());
    let narrow = move || Narrow::from_query(&query.read());
    let page = Resource::new_serde_wb_blocking(
        move || (word(), after(), narrow()),
        |(word, after, narrow)| api::inbox(word, after, narrow.tag, narrow.assignee),
    );
    let reload = Callback::new(move |_| page.refetch());
    view! {
        <Shell>
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || {
                    let sidebar = shell::sidebar_data();
                    Suspend::new(async move {
                    let Some(view) = InboxView::from_word(&word()) else {
                        return view! { <NotFoundMessage/> }.into_any();
                    };
                    let tags = shell::tags_of(sidebar).await;
                    match page.await {
                        Ok(list) => {
                            let narrow = narrow();
                            let base = format!("/views/{}", view.as_str());
                            let suffix = narrow.query_suffix();
                            let first_page =
                                if suffix.is_empty() { base.clone() } else { format!("{base}?{}", &suffix[1..]) };
                            // Unassigned and Mine choose the assignee themselves.
                            let assignee_choice = !matches!(view, InboxView::Unassigned | InboxView::Mine);
                            view! {
                                <header class="content-header">
                                    <h1>{t.inbox_view(view)}</h1>
                                </header>
                                {if assignee_choice {
                                    view! { <Filters action=base view=None narrow tags/> }.into_any()
                                } else {
                                    let narrow = Narrow { assignee: None, ..narrow };
                                    view! { <Filters action=base view=None narrow tags no_assignee=true/> }.into_any()
                                }}
                                <ConversationList list first_page paged=after().is_some() mailbox=None
                                    reload/>
                            }
                            .into_any()
                        }
                        Err(AppError::NotFound) => view! { <NotFoundMessage/> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any(),
                    }
                })
                }}
            </Transition>
        </Shell>
    }
}

/// What narrows a list beyond its view, as it stands in the URL: `tag=` and `assignee=`
/// (`me`, `none` or a user id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Narrow {
    tag: Option<String>,
    assignee: Option<String>,
}

impl Narrow {
    fn from_query(query: &leptos_router::params::ParamsMap) -> Narrow {
        let word = |key: &str| query.get(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Narrow { tag: word("tag"), assignee: word("assignee") }
    }

    /// `&tag=..&assignee=..` for the parts that are set, encoded for a URL.
    fn query_suffix(&self) -> String {
        let mut out = String::new();
        for (key, value) in [("tag", &self.tag), ("assignee", &self.assignee)] {
            if let Some(value) = value {
                out.push_str(&format!("&{key}={}", model::url_encode(value)));
            }
        }
        out
    }
}

/// The filter bar: a plain GET form, so a filtered list is a URL that can be shared,
/// bookmarked and reloaded.
#[component]
fn Filters(
    action: String,
    view: Option<&'static str>,
    narrow: Narrow,
    tags: Vec<TagSummary>,
    #[prop(optional)] no_assignee: bool,
) -> impl IntoView {
    let t = use_texts();
    let tag = narrow.tag.clone().unwrap_or_default();
    let assignee = narrow.assignee.clone().unwrap_or_default();
    let filtered = narrow != Narrow::default();
    let clear = match view {
        Some(v) => format!("{action}?view={v}"),
        None => action.clone(),
    };
    view! {
        <form class="filters" method="get" action=action aria-label=t.filters>
            {view.map(|v| view! { <input type="hidden" name="view" value=v/> })}
            <label for="f-tag">{t.filter_tag}</label>
            <select id="f-tag" name="tag">
                <option value="" selected=tag.is_empty()>{t.any_tag}</option>
                {tags
                    .into_iter()
                    .map(|x| {
                        let selected = x.name == tag;
                        let value = x.name.clone();
                        view! { <option value=value selected=selected dir="auto">{x.name}</option> }
                    })
                    .collect_view()}
            </select>
            {(!no_assignee).then(|| view! {
                <label for="f-assignee">{t.assignee_label}</label>
                <select id="f-assignee" name="assignee">
                    <option value="" selected=assignee.is_empty()>{t.anyone}</option>
                    <option value="me" selected=assignee == "me">{t.me}</option>
                    <option value="none" selected=assignee == "none">{t.unassigned}</option>
                </select>
            })}
            <button type="submit" class="btn">{t.apply}</button>
            {filtered.then(|| view! { <a class="btn btn-quiet" href=clear>{t.clear_filters}</a> })}
        </form>
    }
}

/// Any path the app does not know: a real 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="standalone">
            <NotFoundMessage/>
        </main>
    }
}

#[component]
fn NotFoundMessage() -> impl IntoView {
    let t = use_texts();
    view! {
        <section class="empty-state">
            <h1>{t.not_found_title}</h1>
            <p>{t.not_found_hint}</p>
            <a class="btn" href="/" rel="external">{t.back_to_inbox}</a>
        </section>
    }
}
