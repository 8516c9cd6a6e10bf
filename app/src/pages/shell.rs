//! The frame of every signed-in page: the top bar with the account menu, and the sidebar
//! with the mailboxes the user may see.

use leptos::prelude::*;
use leptos_router::components::A;
use model::{InboxView, MailboxSummary, Me};

use crate::api;
use crate::error::AppError;
use crate::i18n::use_texts;

/// The signed-in frame around `children`.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let t = use_texts();
    // Blocking, and every signed-in route renders with `SsrMode::Async`: the frame arrives
    // complete in the first HTML, so it works before the WASM loads (and without it) and
    // never flashes "Loading".
    let me = Resource::new_blocking(|| (), |_| api::current_user());
    let mailboxes = Resource::new_blocking(|| (), |_| api::mailboxes());

    view! {
        <div class="app">
            <header class="topbar">
                <a href="/" class="brand">
                    <span class="brand-mark" aria-hidden="true">"ص"</span>
                    <span>{t.product}</span>
                </a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match me.await {
                            Ok(me) => view! { <AccountMenu me/> }.into_any(),
                            Err(_) => view! {
                                <a class="btn" href="/signin?notice=expired">{t.sign_in}</a>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
            </header>
            <div class="sidebar">
            <nav aria-label=t.views>
                <h2 class="sidebar-title">{t.views}</h2>
                <ul class="mailbox-list">
                    {InboxView::ALL
                        .into_iter()
                        .map(|v| {
                            view! {
                                <li>
                                    <A href=format!("/views/{}", v.as_str())>
                                        <span class="mailbox-name">{t.inbox_view(v)}</span>
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <nav aria-label=t.mailboxes>
                <h2 class="sidebar-title">{t.mailboxes}</h2>
                <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
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
                            Err(err) => view! { <p class="alert alert-error">{err.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </nav>
            </div>
            <main class="content">{children()}</main>
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
                                <span class="count" title=t.open_count>{m.open_count}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The user's name in the top bar; it opens a menu with who is signed in and "Sign out".
#[component]
fn AccountMenu(me: Me) -> impl IntoView {
    let t = use_texts();
    let open = RwSignal::new(false);
    let initial = me.name.chars().next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    view! {
        <div class="account">
            <button
                type="button"
                class="account-button"
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                aria-label=t.account_menu
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="account-name" dir="auto">{me.name.clone()}</span>
            </button>
            <Show when=move || open.get()>
                <div class="menu" role="menu">
                    <p class="menu-who">
                        <strong dir="auto">{me.name.clone()}</strong>
                        <span class="muted" dir="auto">{me.email.clone()}</span>
                        <span class="role">{t.role(me.role)}</span>
                    </p>
                    <form method="post" action="/signout">
                        <button type="submit" class="btn menu-item" role="menuitem">{t.sign_out}</button>
                    </form>
                </div>
            </Show>
        </div>
    }
}
