//! The pages loaded on first visit: each is a lazy route, so its code sits in a WASM chunk of
//! its own (`cargo leptos build --split`) and the first load of the app (sign-in, a mailbox's
//! list) carries none of it.
//!
//! The conversation page is a chunk too, which every other signed-in page asks the browser to
//! fetch once it is loaded ([`prefetch_conversation`]): an agent opens a conversation from a
//! list that is already interactive, and by then its code is in. Keeping it out of the first load is what brings
//! the list under its budget (`.ci/size-budget`).
//!
//! The server renders these pages like any other and names their chunks in the page, so a
//! page opened directly hydrates once its chunk is in (`hydrate_lazy`). Navigating to one
//! keeps the current page on screen with the routing indicator (see `App`) until the chunk
//! has loaded. A chunk that cannot load (the network dropped, the server was updated to a new
//! build) stops the WASM; the app's panic hook then says so with a Retry link (see
//! `crate::broken`). Every page added from now on (contacts, reports, dashboard, knowledge
//! base) belongs here.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use super::{ConversationView, MailServersPage, NewConversationPage, SettingsPage};

/// `/settings`.
pub struct SettingsRoute;

#[lazy_route]
impl LazyRoute for SettingsRoute {
    fn data() -> Self {
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
        ConversationRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <ConversationView/> }.into_any()
    }
}

/// Asks the browser, in the page's head, to fetch the conversation page's chunks once the page
/// is loaded and the network is idle (`<link rel="prefetch">`), so opening a conversation
/// waits for no code: the chunk loader then finds them in the browser's cache. The frame of
/// every signed-in page calls it (`Shell`), so whichever page an agent opens first, the
/// conversation's code follows; the conversation page itself preloads them instead. A
/// prefetch that fails costs nothing (the chunk is fetched again on the way in, and says so
/// if it cannot be), which a preload from the WASM could not promise: its failure stops the
/// app. The server names the chunks from the split manifest it already read for the page's
/// own preloads; the browser renders nothing for this.
pub fn prefetch_conversation() {
    #[cfg(feature = "ssr")]
    {
        use leptos_meta::Link;

        /// The manifest names a lazy route's chunks `__<route in snake case>_view_<hash>`.
        const CONVERSATION: &str = "__conversation_route_view_";
        if leptos_router::hooks::use_location().pathname.get_untracked().starts_with("/conversations/") {
            return;
        }
        let Some(manifest) = use_context::<leptos::WasmSplitManifest>() else { return };
        let Some(read) = manifest.0.try_read_value() else { return };
        let (pkg, chunks, _) = &*read;
        let wanted = chunks.iter().filter(|(name, _)| name.starts_with(CONVERSATION)).flat_map(|(_, files)| files);
        for file in wanted {
            // `to_html` hands a meta tag to the head, as leptos does with its own preloads.
            let _ = view! {
                <Link rel="prefetch" href=format!("{pkg}/{file}.wasm") as_="fetch" crossorigin="anonymous"/>
            }
            .to_html();
        }
    }
}
