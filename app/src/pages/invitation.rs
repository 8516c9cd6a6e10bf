//! `/invitation/:token`: the page an invitation link opens. The person sees which team they
//! join and with which address, chooses their name, password and language, and is signed in
//! (see `backend::invitations`). A link that no longer works says why in words: expired,
//! used, or revoked and replaced.
//!
//! Like set-up it is a plain HTML form posting to the server (`POST /invitation/:token`), so
//! it works before and without the WASM; a refusal comes back as `?error=` with the name and
//! language.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::signin::{SignInCard, language_options};
use crate::api;
use crate::error::AppError;
use crate::i18n::{Lang, use_texts};

/// The page behind an invitation link.
#[component]
pub fn JoinPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new_serde_wb_blocking(token, api::invitation);
    view! {
        <SignInCard>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(p) => view! { <JoinForm p token=token()/> }.into_any(),
                        Err(err) => view! {
                            <h1>{t.join_title_plain}</h1>
                            <p class="alert alert-error" role="alert">{t.error(&err)}</p>
                            <p><a href="/signin">{t.sign_in}</a></p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </SignInCard>
    }
}

#[component]
fn JoinForm(p: model::InvitationPreview, token: String) -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let field = move |name: &str| query.read().get(name);
    let error = move || {
        let wire = field("error")?;
        Some(crate::codec::from_json::<AppError>(&wire).map_or_else(|_| t.error(&AppError::Internal), |e| t.error(&e)))
    };
    let chosen = field("locale").as_deref().and_then(Lang::from_tag).or(Lang::from_tag(&p.locale)).unwrap_or(t.lang);
    let name = field("name").unwrap_or(p.name);
    let title = if p.team.is_empty() { t.join_title_plain.to_string() } else { t.join_title.text([&p.team]) };
    view! {
        <h1 dir="auto">{title}</h1>
        <p class="muted">{t.join_lead}</p>
        {move || error().map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })}
        <form method="post" action=format!("/invitation/{token}") class="form">
            <label for="join-email">{t.email}</label>
            <input id="join-email" type="email" dir="ltr" value=p.email autocomplete="username" readonly/>
            <label for="join-name">{t.your_name}</label>
            <input id="join-name" name="name" type="text" dir="auto" maxlength="100" autocomplete="name" required
                value=name/>
            <label for="join-password">{t.password}</label>
            <input id="join-password" name="password" type="password" autocomplete="new-password" required autofocus/>
            <label for="join-language">{t.language}</label>
            <select id="join-language" name="locale">
                {language_options(chosen)}
            </select>
            <button type="submit" class="btn btn-primary">{t.join_submit}</button>
        </form>
    }
}
