//! `/setup`: the first run of a fresh server, where its first admin names the team, picks its
//! language and creates their account (see `backend::first_run`). The server shows it only
//! while no one can sign in, and leads every page there until then.
//!
//! Like sign-in it is a plain HTML form posting to the server's `/setup` handler, so it works
//! before (and without) the WASM. A refusal comes back on the redirect as `?error=`, the
//! error's JSON, which this page words in the reader's language; the fields come back too,
//! all but the password and the code.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::signin::{SignInCard, language_options};
use crate::error::AppError;
use crate::i18n::{Lang, use_texts};

/// The set-up page.
#[component]
pub fn SetUpPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let field = move |name: &str| query.read().get(name).unwrap_or_default();
    let error = move || {
        let wire = query.read().get("error")?;
        // A damaged address still says something went wrong rather than nothing.
        Some(crate::codec::from_json::<AppError>(&wire).map_or_else(|_| t.error(&AppError::Internal), |e| t.error(&e)))
    };
    let chosen = Lang::from_tag(&field("locale")).unwrap_or(t.lang);
    view! {
        <SignInCard>
            <h1>{t.setup_title}</h1>
            <p class="muted">{t.setup_lead}</p>
            {move || error().map(|text| view! { <p class="alert alert-error" role="alert">{text}</p> })}
            <form method="post" action="/setup" class="form">
                <label for="setup-code">{t.setup_code}</label>
                <input id="setup-code" name="code" type="text" dir="ltr" autocomplete="off" spellcheck="false"
                    required autofocus aria-describedby="setup-code-hint"/>
                <p id="setup-code-hint" class="muted field-hint">
                    {t.setup_code_hint.view([model::SETUP_CODE_FILE.to_string()])}
                </p>
                <label for="setup-team">{t.team_name}</label>
                <input id="setup-team" name="team" type="text" dir="auto" maxlength="80" required
                    value=move || field("team")/>
                <label for="setup-language">{t.team_language}</label>
                <select id="setup-language" name="locale">
                    {language_options(chosen)}
                </select>
                <label for="setup-name">{t.your_name}</label>
                <input id="setup-name" name="name" type="text" dir="auto" maxlength="100" autocomplete="name"
                    required value=move || field("name")/>
                <label for="setup-email">{t.email}</label>
                <input id="setup-email" name="email" type="email" dir="ltr" autocomplete="username" required
                    value=move || field("email")/>
                <label for="setup-password">{t.password}</label>
                <input id="setup-password" name="password" type="password" autocomplete="new-password"
                    required/>
                <button type="submit" class="btn btn-primary">{t.set_up}</button>
            </form>
        </SignInCard>
    }
}
