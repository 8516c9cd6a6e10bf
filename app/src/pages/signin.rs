//! `/signin`: a plain HTML form that posts to the server's `/signin` handler, so it works
//! before (and without) the WASM. Errors come back as `?error=` on the redirect.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::use_texts;

/// The sign-in page.
#[component]
pub fn SignIn() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let alert = move || {
        query.read().get("error").map(|code| match code.as_str() {
            "rate_limited" => t.rate_limited,
            "expired" => t.code_expired,
            _ => t.wrong_credentials,
        })
    };
    let notice = move || {
        query.read().get("notice").and_then(|code| match code.as_str() {
            "signed_out" => Some(t.signed_out),
            "expired" => Some(t.session_ended),
            _ => None,
        })
    };
    let next = move || query.read().get("next").unwrap_or_default();
    let email = move || query.read().get("email").unwrap_or_default();

    view! {
        <SignInCard>
            <h1>{t.sign_in_title}</h1>
            <p class="muted">{t.sign_in_lead}</p>
            {move || alert().map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })}
            {move || notice().map(|text| view! { <p class="alert alert-info" role="status">{text}</p> })}
            <form method="post" action="/signin" class="form">
                <input type="hidden" name="next" value=next/>
                <label for="email">{t.email}</label>
                <input
                    id="email"
                    name="email"
                    type="email"
                    autocomplete="username"
                    required
                    autofocus=move || email().is_empty()
                    dir="auto"
                    value=email
                />
                <label for="password">{t.password}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    autofocus=move || !email().is_empty()
                />
                <button type="submit" class="btn btn-primary">{t.sign_in}</button>
            </form>
            <p class="signin-aside"><a href="/forgot">{t.forgot_link}</a></p>
        </SignInCard>
    }
}

/// The card that pages for people who are not signed in (sign-in, set-up) stand on, with the
/// product's mark above `children`.
#[component]
pub fn SignInCard(children: Children) -> impl IntoView {
    let t = use_texts();
    view! {
        <main class="signin">
            <div class="signin-card">
                <div class="brand">
                    <span class="brand-mark" aria-hidden="true">"ص"</span>
                    <span>{t.product}</span>
                </div>
                {children()}
            </div>
        </main>
    }
}

/// The options of a language choice, each named in its own language, `chosen` selected.
pub fn language_options(chosen: crate::i18n::Lang) -> impl IntoView {
    crate::i18n::Lang::ALL
        .into_iter()
        .map(|lang| view! { <option value=lang.tag() lang=lang.tag() selected=lang == chosen>{lang.native_name()}</option> })
        .collect_view()
}
