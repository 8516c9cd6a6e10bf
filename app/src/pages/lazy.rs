//! The pages loaded on first visit: each is a lazy route, so its code sits in a WASM chunk of
//! its own (`cargo leptos build --split`) and the first load of the app (sign-in, a mailbox's
//! list, a conversation) carries none of it.
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

use super::{MailServersPage, NewConversationPage, SettingsPage};

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
