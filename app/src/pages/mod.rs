//! The pages of the agent app and the frame they share.

mod shell;
mod signin;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api;
use crate::error::AppError;
use crate::i18n::use_texts;
pub use shell::Shell;
pub use signin::SignIn;

/// `/`: the signed-in home.
#[component]
pub fn Home() -> impl IntoView {
    let t = use_texts();
    view! {
        <Shell>
            <section class="empty-state">
                <h1>{t.welcome}</h1>
                <p>{t.welcome_hint}</p>
            </section>
        </Shell>
    }
}

/// `/mailboxes/:id`: one mailbox. A mailbox the caller may not see is a real 404, so this
/// route renders only after its data is in (`SsrMode::Async`).
#[component]
pub fn MailboxPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let mailbox = Resource::new_blocking(id, api::mailbox);
    view! {
        <Shell>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match mailbox.await {
                        Ok(m) => view! {
                            <header class="content-header">
                                <h1 dir="auto">{m.name}</h1>
                                <p class="muted" dir="auto">{m.address}</p>
                            </header>
                            <section class="empty-state">
                                <h2>{t.mailbox_empty}</h2>
                                <p>{t.mailbox_empty_hint}</p>
                            </section>
                        }
                        .into_any(),
                        Err(AppError::NotFound) => view! { <NotFoundMessage/> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Shell>
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
            <a class="btn" href="/">{t.back_to_inbox}</a>
        </section>
    }
}
