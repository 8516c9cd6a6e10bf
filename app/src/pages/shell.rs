//! The frame of every signed-in page: the top bar with the account menu, and the sidebar
//! with the mailboxes the user may see.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use model::{EventKind, InboxView, MailboxSummary, Me, SidebarCounts, TagSummary};

use crate::api;
use crate::error::AppError;
use crate::format;
use crate::i18n::{Lang, use_texts};
use crate::live::{Link, coalesced, use_live};

/// The signed-in frame around `children`.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let t = use_texts();
    // Blocking, and every signed-in route renders with `SsrMode::Async`: the frame arrives
    // complete in the first HTML, so it works before the WASM loads (and without it) and
    // never flashes "Loading".
    let me = Resource::new_serde_wb_blocking(|| (), |_| api::current_user());
    let mailboxes = Resource::new_serde_wb_blocking(|| (), |_| api::mailboxes());
    let counts = Resource::new_serde_wb_blocking(|| (), |_| api::sidebar());
    provide_context(SidebarData(counts));
    super::lazy::prefetch_conversation();
    // What others change moves the counts: read them again, at most twice a second.
    let live = use_live();
    let recount = coalesced(std::time::Duration::from_millis(500), move || {
        counts.refetch();
        mailboxes.refetch();
    });
    live.on_change(move |_| recount());
    live.on_reconnect(recount);

    view! {
        <div class="app">
            <header class="topbar">
                <a href="/" class="brand" rel="external">
                    <span class="brand-mark" aria-hidden="true">"ص"</span>
                    <span>{t.product}</span>
                </a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(me) => view! {
                                <div class="topbar-end">
                                    {(me.role == model::Role::Admin).then(|| view! {
                                        <A href="/settings" attr:class="btn btn-quiet">{t.settings}</A>
                                    })}
                                    <AccountMenu me/>
                                </div>
                            }
                            .into_any(),
                            Err(_) => view! {
                                <a class="btn" href="/signin?notice=expired">{t.sign_in}</a>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
            </header>
            <div class="sidebar">
            // A Transition, not a Suspense: the counts are read again after every change
            // anyone makes, and the sidebar keeps what it shows until the new ones are in
            // instead of flashing "Loading…".
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    let counts = counts.await.ok();
                    let count_of = |v: InboxView| {
                        counts.as_ref().and_then(|c| c.views.iter().find(|(x, _)| *x == v).map(|(_, n)| *n))
                    };
                    let tags = counts.as_ref().map(|c| c.tags.clone()).unwrap_or_default();
                    view! {
                        <nav aria-label=t.views>
                            <h2 class="sidebar-title">{t.views}</h2>
                            <ul class="mailbox-list">
                                {InboxView::ALL
                                    .into_iter()
                                    .map(|v| {
                                        let count = count_of(v);
                                        view! {
                                            <li>
                                                <a
                                                    href=format!("/views/{}", v.as_str())
                                                    aria-current=current_link(format!("/views/{}", v.as_str()), None)
                                                >
                                                    <span class="mailbox-name">{t.inbox_view(v)}</span>
                                                    {count.map(|n| view! { <span class="count">{format::number(n)}</span> })}
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </nav>
                        {(!tags.is_empty()).then(|| view! { <TagList tags/> })}
                    }
                })}
            </Transition>
            <nav aria-label=t.mailboxes>
                <h2 class="sidebar-title">{t.mailboxes}</h2>
                <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                    {move || Suspend::new(async move {
                        match mailboxes.await {
                            Ok(list) if list.is_empty() => view! {
                                <div class="sidebar-empty">
                                    <p>{t.no_mailboxes}</p>
                                    <p class="muted">{t.no_mailboxes_hint}</p>
                                </div>
                            }
                            .into_any(),
                            Ok(list) => view! { <MailboxList list/> }.into_any(),
                            Err(AppError::NotSignedIn) => view! {
                                <p class="muted">{t.session_ended}</p>
                            }
                            .into_any(),
                            Err(err) => view! { <p class="alert alert-error">{t.error(&err)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
            </div>
            <main class="content">
                <LiveBanner/>
                {children()}
            </main>
            <super::keys::Shortcuts/>
        </div>
    }
}

/// "Reconnecting…" while the live channel is down, and the notices meant for this user.
#[component]
fn LiveBanner() -> impl IntoView {
    let t = use_texts();
    let live = use_live();
    view! {
        <Show when=move || live.link.get() == Link::Reconnecting>
            <p class="live-banner" role="status">{t.live_reconnecting}</p>
        </Show>
        <Show when=move || live.link.get() == Link::SignedOut>
            <p class="live-banner" role="alert">
                {t.session_ended} " " <a href="/signin?notice=expired">{t.sign_in}</a>
            </p>
        </Show>
        <div class="notices" aria-live="polite">
            <For
                each=move || live.notices.get()
                key=|n| n.id
                children=move |n| {
                    let id = n.id;
                    set_timeout(move || live.dismiss(id), std::time::Duration::from_secs(12));
                    let what = match (&n.by, n.kind) {
                        (Some(by), EventKind::Mentioned) => t.live_mentioned_you.text([by]),
                        (Some(by), _) => t.live_assigned_you.text([by]),
                        (None, _) => t.live_assigned_to_you.to_string(),
                    };
                    view! {
                        <div class="notice" role="status">
                            <a href=format!("/conversations/{}", n.conversation) on:click=move |_| live.dismiss(id)>
                                <span>{what}": "</span>
                                <bdi>{n.subject}</bdi>
                            </a>
                            <button type="button" class="btn btn-quiet" aria-label=t.live_dismiss on:click=move |_| live.dismiss(id)>
                                "×"
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}

#[component]
fn MailboxList(list: Vec<MailboxSummary>) -> impl IntoView {
    let t = use_texts();
    view! {
        <ul class="mailbox-list">
            {list
                .into_iter()
                .map(|m| {
                    let href = format!("/mailboxes/{}", m.id);
                    view! {
                        <li>
                            <A href=href>
                                <span class="mailbox-name" dir="auto">{m.name}</span>
                                <span class="count" title=format::count(&t.open_conversations, m.open_count)>{format::number(m.open_count)}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The sidebar's counts, loaded once by the frame and shared with the page inside it.
#[derive(Clone, Copy)]
pub struct SidebarData(crate::codec::Resource<Result<SidebarCounts, AppError>>);

impl SidebarData {
    /// Reads the counts again (after a change that moves them).
    pub fn refresh(&self) {
        self.0.refetch();
    }
}

/// The frame's sidebar counts, if called inside the frame.
pub fn sidebar_data() -> Option<SidebarData> {
    use_context::<SidebarData>()
}

/// The tags from the frame's counts (none if they could not be read).
pub async fn tags_of(data: Option<SidebarData>) -> Vec<TagSummary> {
    match data {
        Some(SidebarData(resource)) => resource.await.map(|c| c.tags).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// The view the sidebar's tag links narrow (`/views/open?tag=…`).
const TAG_VIEW: &str = "/views/open";

/// `aria-current` for a sidebar link to the view at `path`, narrowed to `tag` or not: "page"
/// on the link of the list shown and on no other. A tag's list marks its tag, not "All open";
/// any other view narrowed by a tag (the filter bar's) marks the view. (`A` compares paths
/// only, so on "All open" it marked every tag too, whose links share that path.)
fn current_link(path: String, tag: Option<String>) -> impl Fn() -> Option<&'static str> + Send + Sync + 'static {
    let location = leptos_router::hooks::use_location();
    move || {
        let shown_tag = location.query.with(|q| q.get("tag").filter(|t| !t.is_empty()));
        let shown = location.pathname.with(|p| *p == path)
            && match &tag {
                Some(tag) => shown_tag.as_ref() == Some(tag),
                None => path != TAG_VIEW || shown_tag.is_none(),
            };
        shown.then_some("page")
    }
}

/// The tags in the sidebar, each a link to the open conversations carrying it.
#[component]
fn TagList(tags: Vec<TagSummary>) -> impl IntoView {
    let t = use_texts();
    view! {
        <nav aria-label=t.tags>
            <h2 class="sidebar-title">{t.tags}</h2>
            <ul class="mailbox-list tag-nav">
                {tags
                    .into_iter()
                    .map(|tag| {
                        let href = format!("{TAG_VIEW}?tag={}", model::url_encode(&tag.name));
                        let style = format!("background:{}", tag.color);
                        let current = current_link(TAG_VIEW.to_string(), Some(tag.name.clone()));
                        view! {
                            <li>
                                <a href=href aria-current=current>
                                    <span class="tag-dot" style=style aria-hidden="true"></span>
                                    <span class="mailbox-name" dir="auto">{tag.name}</span>
                                    <span class="count">{format::number(tag.open_count)}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// Time zones offered in the menu, roughly from where Sanduq's teams work; the user's own
/// zone is added when it is another one.
const TIME_ZONES: [&str; 34] = [
    "UTC",
    "Africa/Algiers",
    "Africa/Cairo",
    "Africa/Casablanca",
    "Africa/Khartoum",
    "Africa/Tripoli",
    "Africa/Tunis",
    "America/Chicago",
    "America/Los_Angeles",
    "America/New_York",
    "America/Toronto",
    "Asia/Amman",
    "Asia/Baghdad",
    "Asia/Bahrain",
    "Asia/Beirut",
    "Asia/Damascus",
    "Asia/Dubai",
    "Asia/Gaza",
    "Asia/Kabul",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Kuwait",
    "Asia/Muscat",
    "Asia/Qatar",
    "Asia/Riyadh",
    "Asia/Singapore",
    "Asia/Tehran",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Europe/Berlin",
    "Europe/Istanbul",
    "Europe/London",
    "Europe/Paris",
    "Asia/Aden",
];

/// Language and time zone. Choosing one saves it and reloads the page in it; "Save" posts
/// the form. (It sits in the account menu, which opens with JavaScript only.)
#[component]
fn Preferences(locale: String, time_zone: String) -> impl IntoView {
    let t = use_texts();
    let save = ServerAction::<api::SetPreferences>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            let _ = window().location().reload();
        }
    });
    // Until the person chooses, the page follows the browser's language; show that one.
    let locale = if locale.is_empty() { use_context::<Lang>().unwrap_or_default().tag().to_string() } else { locale };
    let chosen_locale = RwSignal::new(locale.clone());
    let chosen_zone = RwSignal::new(time_zone.clone());
    let submit = move || {
        save.dispatch(api::SetPreferences {
            locale: chosen_locale.get_untracked(),
            time_zone: chosen_zone.get_untracked(),
        });
    };
    let mut zones: Vec<String> = TIME_ZONES.iter().map(|z| z.to_string()).collect();
    if !zones.contains(&time_zone) {
        zones.push(time_zone.clone());
    }
    zones.sort();
    let url = <api::SetPreferences as ServerFn>::url();
    view! {
        // A plain form, not `ActionForm`: its reader of form data (serde_qs) would be the one
        // copy in the first load.
        <form
            method="post"
            action=url
            class="prefs"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <label for="p-locale">{t.language}</label>
            <select
                id="p-locale"
                name="locale"
                on:change=move |ev| {
                    chosen_locale.set(event_target_value(&ev));
                    submit();
                }
            >
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <option value=lang.tag() selected=lang.tag() == locale lang=lang.tag()>
                                {lang.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <label for="p-zone">{t.time_zone}</label>
            <select
                id="p-zone"
                name="time_zone"
                dir="ltr"
                on:change=move |ev| {
                    chosen_zone.set(event_target_value(&ev));
                    submit();
                }
            >
                {zones
                    .into_iter()
                    .map(|zone| {
                        let selected = zone == time_zone;
                        view! { <option value=zone.clone() selected=selected>{zone.replace('_', " ")}</option> }
                    })
                    .collect_view()}
            </select>
            <button type="submit" class="btn">{t.save}</button>
            {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="alert alert-error" role="alert">{t.error(&e)}</p> })}
        </form>
    }
    // Its type ends here, as `ActionForm`'s children did: nested inside the account menu's,
    // the whole would be too deep a type for the server's compiler.
    .into_any()
}

/// The user's name in the top bar; it opens a menu with who is signed in and "Sign out".
#[component]
fn AccountMenu(me: Me) -> impl IntoView {
    let t = use_texts();
    let open = RwSignal::new(false);
    let initial = crate::format::initial(&me.name);
    view! {
        <div class="account">
            <button
                type="button"
                class="account-button"
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                // The accessible name starts with the name people see (WCAG 2.5.3), then says
                // what the button opens.
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="account-name" dir="auto">{me.name.clone()}</span>
                <span class="visually-hidden">{format!(" {}", t.account_menu)}</span>
            </button>
            <Show when=move || open.get()>
                <div class="menu" role="menu">
                    <p class="menu-who">
                        <strong dir="auto">{me.name.clone()}</strong>
                        <span class="muted" dir="auto">{me.email.clone()}</span>
                        <span class="role">{t.role(me.role)}</span>
                    </p>
                    <Preferences locale=me.locale.clone() time_zone=me.time_zone.clone()/>
                    <a href="/settings/security" class="btn menu-item" role="menuitem">{t.security_link}</a>
                    <form method="post" action="/signout">
                        <button type="submit" class="btn menu-item" role="menuitem">{t.sign_out}</button>
                    </form>
                </div>
            </Show>
        </div>
    }
}
