//! The pages loaded on first visit: each is a lazy route, so its code sits in WASM chunks of
//! its own (`cargo leptos build --split`) and the first load of the app (sign-in, a mailbox's
//! list) carries none of it.
//!
//! The conversation page is a chunk too, which every other signed-in page asks the browser to
//! fetch once it is loaded ([`prefetch_conversation`]): an agent opens a conversation from a
//! list that is already interactive, and by then its code is in. Keeping it out of the first
//! load is what brings the list under its budget (`.ci/size-budget`).
//!
//! The server renders these pages like any other and names their chunks in the page's head
//! ([`chunk_links`]), so a page opened directly fetches its code beside the main bundle and
//! hydrates once it is in (`hydrate_lazy`). Navigating to one keeps the current page on
//! screen with the routing indicator (see `App`) until the chunk has loaded. A chunk that
//! cannot load (the network dropped, the server was updated to a new build) stops the WASM;
//! the app's panic hook then says so with a Retry link (see `crate::broken`). Every page
//! added from now on (contacts, reports, dashboard, knowledge base) belongs here.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use super::{
    ActivityPage, CodePage, ConversationView, ForgotPage, Home, JoinPage, MailServersPage, NewConversationPage,
    ResetPage, SecurityPage, SetUpPage, SettingsPage,
};

/// `/settings`.
pub struct SettingsRoute;

#[lazy_route]
impl LazyRoute for SettingsRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        SettingsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <SettingsPage/> }.into_any()
    }
}

/// `/settings/mailboxes/:id`.
pub struct MailServersRoute;

#[lazy_route]
impl LazyRoute for MailServersRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        MailServersRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <MailServersPage/> }.into_any()
    }
}

/// `/mailboxes/:id/new`.
pub struct NewConversationRoute;

#[lazy_route]
impl LazyRoute for NewConversationRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        NewConversationRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <NewConversationPage/> }.into_any()
    }
}

/// `/conversations/:id`.
pub struct ConversationRoute;

#[lazy_route]
impl LazyRoute for ConversationRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        ConversationRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <ConversationView/> }.into_any()
    }
}

/// `/`, the home page: the welcome, and a new team's checklist for its admins.
pub struct HomeRoute;

#[lazy_route]
impl LazyRoute for HomeRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        HomeRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <Home/> }.into_any()
    }
}

/// `/setup`, the first run: seen once in a server's life, so never in the first load.
pub struct SetUpRoute;

#[lazy_route]
impl LazyRoute for SetUpRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        SetUpRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <SetUpPage/> }.into_any()
    }
}

/// `/invitation/:token`, where an invited person joins: seen once by each person.
pub struct JoinRoute;

#[lazy_route]
impl LazyRoute for JoinRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        JoinRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <JoinPage/> }.into_any()
    }
}

/// `/forgot`, where a lost password is asked for again.
pub struct ForgotRoute;

#[lazy_route]
impl LazyRoute for ForgotRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        ForgotRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <ForgotPage/> }.into_any()
    }
}

/// `/reset/:token`.
pub struct ResetRoute;

#[lazy_route]
impl LazyRoute for ResetRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        ResetRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <ResetPage/> }.into_any()
    }
}

/// `/settings/security`: a person's two-factor sign-in and sessions.
pub struct SecurityRoute;

#[lazy_route]
impl LazyRoute for SecurityRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        SecurityRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <SecurityPage/> }.into_any()
    }
}

/// `/settings/activity`: the team's audit trail, for admins.
pub struct ActivityRoute;

#[lazy_route]
impl LazyRoute for ActivityRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        ActivityRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <ActivityPage/> }.into_any()
    }
}

/// `/signin/code`, the second step of signing in with two-factor on.
pub struct CodeRoute;

#[lazy_route]
impl LazyRoute for CodeRoute {
    fn data() -> Self {
        chunk_links::<Self>(Hint::Preload);
        CodeRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <CodePage/> }.into_any()
    }
}

/// What the browser is asked to do with a page's chunks.
#[derive(Clone, Copy)]
enum Hint {
    /// Fetch them now: the page shown needs them to hydrate.
    Preload,
    /// Fetch them when idle: the next page will likely need them.
    Prefetch,
}

/// Names the chunks of the lazy route `R` in the page's head, as `<link rel="preload">` or
/// `<link rel="prefetch">`. On the server only; the browser renders nothing for this.
///
/// leptos names a lazy page's chunks itself once its code has run on the server, but it reads
/// that list while the page may still be rendering, so about half the pages opened by their
/// address came without them and fetched their code only after the main bundle (seen with
/// curl on Settings and on a conversation). The route's `data()` calls this as soon as the
/// route matches, which every render reaches. A link leptos adds as well names the same file,
/// which the browser fetches once. Like leptos's own, these links exist in the server's HTML
/// only: they come after the head tags the app renders in the browser too (the stylesheet and
/// title in `App`), so hydrating those is not thrown off by them.
fn chunk_links<R: LazyRoute>(hint: Hint) {
    #[cfg(feature = "ssr")]
    {
        use leptos_meta::Link;

        let Some(manifest) = use_context::<leptos::WasmSplitManifest>() else { return };
        let Some(read) = manifest.0.try_read_value() else { return };
        let (pkg, chunks, _) = &*read;
        let route = std::any::type_name::<R>();
        let key = manifest_key(route);
        let rel = match hint {
            Hint::Preload => "preload",
            Hint::Prefetch => "prefetch",
        };
        let files: Vec<&String> =
            chunks.iter().filter(|(name, _)| name.starts_with(&key)).flat_map(|(_, files)| files).collect();
        if files.is_empty() {
            // A route renamed without its name here, or a leptos that names chunks otherwise:
            // pages still work, but load their code late. Said once, not on every page.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| tracing::warn!(route, "the split manifest names no chunks for this lazy route"));
        }
        for file in files {
            // `to_html` hands a meta tag to the head, as leptos does with its own preloads.
            let _ = view! {
                <Link rel=rel href=format!("{pkg}/{file}.wasm") as_="fetch" type_="application/wasm" crossorigin="anonymous"/>
            }
            .to_html();
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = hint;
}

/// The split manifest's key for the lazy route whose type is `type_name`, as `#[lazy_route]`
/// names it: `__<type in snake case>_view_`, then a hash (`SettingsRoute` →
/// `__settings_route_view_…`).
#[cfg(any(feature = "ssr", test))]
fn manifest_key(type_name: &str) -> String {
    let name = type_name.rsplit("::").next().unwrap_or(type_name);
    let mut key = String::from("__");
    let mut after_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && after_lower {
            key.push('_');
        }
        after_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        key.push(c.to_ascii_lowercase());
    }
    key.push_str("_view_");
    key
}

/// Asks the browser to fetch the conversation page's chunks once the page is loaded and the
/// network is idle, so opening a conversation waits for no code: the chunk loader then finds
/// them in the browser's cache. The frame of every signed-in page calls it (`Shell`), so
/// whichever page an agent opens first, the conversation's code follows; the conversation
/// page itself preloads them instead. A prefetch that fails costs nothing (the chunk is
/// fetched again on the way in, and says so if it cannot be), which a preload from the WASM
/// could not promise: its failure stops the app.
pub fn prefetch_conversation() {
    #[cfg(feature = "ssr")]
    if leptos_router::hooks::use_location().pathname.get_untracked().starts_with("/conversations/") {
        return;
    }
    chunk_links::<ConversationRoute>(Hint::Prefetch);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_type_names_its_manifest_key() {
        assert_eq!(manifest_key(std::any::type_name::<MailServersRoute>()), "__mail_servers_route_view_");
        assert_eq!(manifest_key("app::pages::lazy::ConversationRoute"), "__conversation_route_view_");
        assert_eq!(manifest_key("SettingsRoute"), "__settings_route_view_");
    }
}
