//! `/signin/code`: the second step of signing in for a person with two-factor sign-in on
//! (see `backend::two_factor`). A plain form posting to the server's `/signin/code`, so it
//! works before and without the WASM; the sign-in waiting for the code is in a short cookie
//! the server set with the right password. A wrong code comes back as `?error=`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::reset::refusal_in_query;
use super::signin::SignInCard;
use crate::i18n::use_texts;

/// The page.
#[component]
pub fn CodePage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = refusal_in_query();
    view! {
        <SignInCard>
            <h1>{t.code_title}</h1>
            <p class="muted">{t.code_lead}</p>
            {move || error().map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })}
            <form method="post" action="/signin/code" class="form">
                <input type="hidden" name="next" value=next/>
                <label for="code">{t.code_label}</label>
                <input id="code" name="code" type="text" dir="ltr" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="20" required autofocus/>
                <button type="submit" class="btn btn-primary">{t.sign_in}</button>
            </form>
            <p class="signin-aside"><a href="/signin">{t.back_to_sign_in}</a></p>
        </SignInCard>
    }
}
