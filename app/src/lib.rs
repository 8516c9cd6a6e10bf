//! What people see: the pages and components of the agent app, the translation tables, and
//! the thin server functions the pages call.
//!
//! The same crate builds twice: with `ssr` into the server (pages rendered to HTML, server
//! functions run against the backend) and with `hydrate` into the WASM bundle that makes the
//! rendered page live. Server-only dependencies are optional behind `ssr`.

#![deny(clippy::unwrap_used)]
// The conversation page is one deep view type; the default limit of 128 is too shallow for it.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "hydrate")]
mod broken;
pub mod codec;
pub mod error;
mod form;
pub mod format;
mod fresh;
pub mod i18n;
mod live;
mod pages;
mod refusals;
mod upload;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};

pub use error::AppError;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = i18n::page_lang();
    // The reader's time zone as a table of offsets, read back by the browser (see `format`).
    let offsets = format::page_offsets();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag() dir=lang.dir() data-tz=offsets>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The agent app: its routes and the things every page shares.
///
/// Nothing between here and `<Routes>` may be an `AnyView` (no `.into_any()`, no component
/// that takes `Children`): the patched tachys (vendor/README.md) hydrates an `AnyView`
/// synchronously, and the router must hydrate asynchronously for a lazy page opened by its
/// address.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = i18n::page_lang();
    provide_context(lang);
    provide_context(format::page_clock(lang));
    live::Live::provide();
    mark_hydrated();
    // While a page's code or data is on its way, the page shown stays and says so.
    let (routing, set_routing) = signal(false);

    view! {
        <Stylesheet id="leptos" href="/pkg/sanduq.css"/>
        <Title text=lang.texts().product/>
        <div class="routing" role="status" aria-live="polite" class:active=move || routing.get()>
            {move || routing.get().then_some(lang.texts().loading)}
        </div>
        <Router set_is_routing=set_routing>
            <FollowLocation/>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/signin") view=pages::SignIn/>
                <Route path=path!("/signin/code") view={Lazy::<pages::lazy::CodeRoute>::new()}/>
                <Route path=path!("/setup") view={Lazy::<pages::lazy::SetUpRoute>::new()}/>
                <Route path=path!("/forgot") view={Lazy::<pages::lazy::ForgotRoute>::new()}/>
                <Route
                    path=path!("/reset/:token")
                    view={Lazy::<pages::lazy::ResetRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/invitation/:token")
                    view={Lazy::<pages::lazy::JoinRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=path!("/") view={Lazy::<pages::lazy::HomeRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/mailboxes/:id") view=pages::MailboxPage ssr=SsrMode::Async/>
                <Route
                    path=path!("/mailboxes/:id/new")
                    view={Lazy::<pages::lazy::NewConversationRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/conversations/:id")
                    view={Lazy::<pages::lazy::ConversationRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=path!("/views/:view") view=pages::ViewPage ssr=SsrMode::Async/>
                <Route path=path!("/settings") view={Lazy::<pages::lazy::SettingsRoute>::new()} ssr=SsrMode::Async/>
                <Route
                    path=path!("/settings/activity")
                    view={Lazy::<pages::lazy::ActivityRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/settings/security")
                    view={Lazy::<pages::lazy::SecurityRoute>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/settings/mailboxes/:id")
                    view={Lazy::<pages::lazy::MailServersRoute>::new()}
                    ssr=SsrMode::Async
                />
            </Routes>
        </Router>
    }
}

/// Keeps where the router is going for the panic hook's Retry link (`broken`).
#[component]
fn FollowLocation() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        Effect::new(move |_| {
            let search = location.search.get();
            let query = if search.is_empty() { String::new() } else { format!("?{search}") };
            broken::remember(format!("{}{query}", location.pathname.get()));
        });
    }
}

/// Sets `data-hydrated` on the document once the WASM has taken over, so tests (and
/// curious operators) can tell a live page from a rendered one.
fn mark_hydrated() {
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

/// Entry point of the WASM bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    broken::set_panic_hook();
    // Lazy routes: the pages loaded on first visit (`pages::lazy`) wait for their chunks.
    leptos::mount::hydrate_lazy(App);
}
