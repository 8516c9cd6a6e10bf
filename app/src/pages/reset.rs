//! "Forgot password?": `/forgot`, where a person asks for a link by mail, and
//! `/reset/:token`, where the link lets them choose a new password (see
//! `backend::password_reset`). Both are plain forms posting to the server, so they work
//! before and without the WASM; a refusal comes back as `?error=`, worded here.
//!
//! `/forgot` says the same after every ask, whether or not the address has an account.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::signin::SignInCard;
use crate::api;
use crate::error::AppError;
use crate::i18n::use_texts;

/// The refusal that came back on the address, in the reader's language.
pub(super) fn refusal_in_query() -> impl Fn() -> Option<String> + Copy {
    let t = use_texts();
    let query = use_query_map();
    move || {
        let wire = query.read().get("error")?;
        Some(crate::codec::from_json::<AppError>(&wire).map_or_else(|_| t.error(&AppError::Internal), |e| t.error(&e)))
    }
}

/// `/forgot`.
#[component]
pub fn ForgotPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let email = move || query.read().get("email").unwrap_or_default();
    let sent = move || query.read().get("sent").is_some();
    let error = refusal_in_query();
    view! {
        <SignInCard>
            <h1>{t.forgot_title}</h1>
            {move || if sent() {
                view! { <p class="alert alert-info" role="status">{t.forgot_sent.view([email()])}</p> }.into_any()
            } else {
                view! { <p class="muted">{t.forgot_lead}</p> }.into_any()
            }}
            {move || error().map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })}
            <form method="post" action="/forgot" class="form">
                <label for="forgot-email">{t.email}</label>
                <input id="forgot-email" name="email" type="email" dir="ltr" autocomplete="username" required
                    autofocus value=email/>
                <button type="submit" class="btn btn-primary">{t.forgot_submit}</button>
            </form>
            <p class="signin-aside"><a href="/signin">{t.back_to_sign_in}</a></p>
        </SignInCard>
    }
}

/// `/reset/:token`.
#[component]
pub fn ResetPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let email = Resource::new_serde_wb_blocking(token, api::reset_preview);
    let error = refusal_in_query();
    view! {
        <SignInCard>
            <h1>{t.reset_title}</h1>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match email.await {
                        Ok(email) => view! {
                            <p class="muted">{t.reset_lead.view([email.clone()])}</p>
                            {move || error().map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })}
                            <form method="post" action=format!("/reset/{}", token()) class="form">
                                // For password managers: whose password this is.
                                <input type="email" name="username" value=email autocomplete="username" hidden/>
                                <label for="reset-password">{t.new_password}</label>
                                <input id="reset-password" name="password" type="password" autocomplete="new-password"
                                    required autofocus/>
                                <button type="submit" class="btn btn-primary">{t.reset_submit}</button>
                            </form>
                        }
                        .into_any(),
                        Err(err) => view! {
                            <p class="alert alert-error" role="alert">{t.error(&err)}</p>
                            <p><a href="/forgot">{t.ask_new_link}</a></p>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </SignInCard>
    }
}
