//! `/settings/security`: the signed-in person's own account security (see
//! `backend::two_factor` and `backend::security`).
//!
//! Two-factor sign-in: "Turn on" shows a QR code (drawn by the server) and the key as text;
//! a first right code turns it on and shows ten recovery codes, once. While it is on, a code
//! (or a recovery code) turns it off or makes new recovery codes. A person the team requires
//! it of is sent here until it is on.
//!
//! Sessions: every browser signed in as them, this one first, each with its browser and
//! system, address and when it was last used, and "Sign out" for one or all the others.

use leptos::prelude::*;
use model::{SecurityView, SessionView, TwoFactorSetup};

use super::Shell;
use crate::api;
use crate::error::AppError;
use crate::form::Fields;
use crate::format;
use crate::i18n::use_texts;

/// The page.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let t = use_texts();
    let loaded = Resource::new_serde_wb_blocking(|| (), |_| api::security());
    view! {
        <Shell>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(s) => view! { <Security s/> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Shell>
    }
}

#[component]
fn Security(s: SecurityView) -> impl IntoView {
    let t = use_texts();
    let admin = s.admin;
    let state = RwSignal::new(s);
    view! {
        <header class="content-header">
            {admin.then(|| view! { <p><a href="/settings">{t.settings}</a></p> })}
            <h1>{t.security_title}</h1>
        </header>
        <TwoFactor state/>
        <Sessions state/>
    }
}

/// What the two-factor panel shows between its answers.
#[derive(Clone, PartialEq)]
enum Step {
    /// On or off, as the state says.
    Idle,
    /// Set-up begun: the QR code and key, waiting for a first code.
    Scanning(TwoFactorSetup),
    /// Recovery codes just made, shown once.
    Codes(Vec<String>),
}

#[component]
fn TwoFactor(state: RwSignal<SecurityView>) -> impl IntoView {
    let t = use_texts();
    let step = RwSignal::new(Step::Idle);
    let begin = ServerAction::<api::BeginTwoFactor>::new();
    let confirm = ServerAction::<api::ConfirmTwoFactor>::new();
    let disable = ServerAction::<api::DisableTwoFactor>::new();
    let renew = ServerAction::<api::NewRecoveryCodes>::new();
    let reload = ServerAction::<api::Security>::new();
    let error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match begin.value().get() {
        Some(Ok(setup)) => step.set(Step::Scanning(setup)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let codes_came = move |answer: Option<Result<Vec<String>, AppError>>| match answer {
        Some(Ok(codes)) => {
            error.set(None);
            step.set(Step::Codes(codes));
            reload.dispatch(api::Security {});
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    };
    Effect::new(move |_| codes_came(confirm.value().get()));
    Effect::new(move |_| codes_came(renew.value().get()));
    Effect::new(move |_| match disable.value().get() {
        Some(Ok(())) => {
            error.set(None);
            step.set(Step::Idle);
            reload.dispatch(api::Security {});
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = reload.value().get() {
            state.set(fresh);
        }
    });
    let on_confirm = move |ev: leptos::ev::SubmitEvent| {
        let fields = Fields::take(&ev);
        confirm.dispatch(api::ConfirmTwoFactor { code: fields.text("code") });
    };
    // With two-factor on, one code field serves both buttons.
    let code = NodeRef::<leptos::html::Input>::new();
    let typed = move || code.get_untracked().map(|i| i.value()).unwrap_or_default();
    let busy =
        move || begin.pending().get() || confirm.pending().get() || disable.pending().get() || renew.pending().get();

    view! {
        <section class="settings-section" aria-labelledby="s-two-factor">
            <h2 id="s-two-factor">{t.two_factor_title}</h2>
            <p class="muted">{t.two_factor_lead}</p>
            {move || {
                let s = state.get();
                (s.required && !s.two_factor)
                    .then(|| view! { <p class="alert alert-info" role="status">{t.two_factor_must}</p> })
            }}
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{t.error(&e)}</p> })}
            {move || match step.get() {
                Step::Scanning(setup) => view! {
                    <p>{t.scan_lead}</p>
                    <div class="qr" inner_html=setup.qr_svg role="img" aria-label=t.two_factor_title></div>
                    <p><code class="secret" dir="ltr">{setup.secret}</code></p>
                    <form class="inline-form" on:submit=on_confirm>
                        <label for="tf-code">{t.code_label}</label>
                        <input id="tf-code" name="code" type="text" dir="ltr" inputmode="numeric"
                            autocomplete="one-time-code" maxlength="10" required autofocus/>
                        <button type="submit" class="btn btn-primary" disabled=busy>{t.confirm_code}</button>
                    </form>
                }
                .into_any(),
                Step::Codes(codes) => view! {
                    <h3>{t.recovery_title}</h3>
                    <p>{t.recovery_lead}</p>
                    <ul class="recovery-codes" dir="ltr">
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                    <button type="button" class="btn" on:click=move |_| step.set(Step::Idle)>{t.step_done}</button>
                }
                .into_any(),
                Step::Idle if state.with(|s| s.two_factor) => view! {
                    <p>
                        <span class="badge status-open">{t.on}</span> " "
                        {move || format::count(&t.recovery_left, state.with(|s| s.recovery_left) as i64)}
                    </p>
                    <p class="muted">{t.code_to_change}</p>
                    <div class="inline-form">
                        <label for="tf-proof">{t.code_label}</label>
                        <input id="tf-proof" node_ref=code type="text" dir="ltr" autocomplete="one-time-code" maxlength="20"/>
                        <button type="button" class="btn" disabled=busy
                            on:click=move |_| { renew.dispatch(api::NewRecoveryCodes { code: typed() }); }>
                            {t.new_codes}
                        </button>
                        {move || (!state.with(|s| s.required)).then(|| view! {
                            <button type="button" class="btn btn-quiet danger" disabled=busy
                                on:click=move |_| { disable.dispatch(api::DisableTwoFactor { code: typed() }); }>
                                {t.turn_off}
                            </button>
                        })}
                    </div>
                }
                .into_any(),
                Step::Idle => view! {
                    <p><span class="badge status-closed">{t.off}</span></p>
                    <button type="button" class="btn btn-primary" disabled=busy
                        on:click=move |_| { begin.dispatch(api::BeginTwoFactor {}); }>
                        {t.turn_on}
                    </button>
                }
                .into_any(),
            }}
        </section>
    }
}

#[component]
fn Sessions(state: RwSignal<SecurityView>) -> impl IntoView {
    let t = use_texts();
    let end = ServerAction::<api::EndSessions>::new();
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = end.value().get() {
            state.set(fresh);
        }
    });
    let failed = move || end.value().get().and_then(Result::err).map(|e| t.error(&e));
    view! {
        <section class="settings-section" aria-labelledby="s-sessions">
            <h2 id="s-sessions">{t.sessions_title}</h2>
            {move || failed().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <ul class="settings-list">
                {move || state.get().sessions.into_iter().map(|s| view! { <SessionRow s end/> }).collect_view()}
            </ul>
            {move || (state.with(|s| s.sessions.len()) > 1).then(|| view! {
                <button type="button" class="btn" disabled=move || end.pending().get()
                    on:click=move |_| { end.dispatch(api::EndSessions { session: String::new() }); }>
                    {t.sign_out_others}
                </button>
            })}
        </section>
    }
}

#[component]
fn SessionRow(s: SessionView, end: ServerAction<api::EndSessions>) -> impl IntoView {
    let t = use_texts();
    let device = match (s.browser.is_empty(), s.system.is_empty()) {
        (true, _) => t.unknown_browser.to_string(),
        (false, true) => s.browser.clone(),
        (false, false) => t.device.text([&s.browser, &s.system]),
    };
    let id = s.id.clone();
    view! {
        <li class="settings-item session">
            <p>
                <strong dir="auto">{device}</strong>
                {s.current.then(|| view! { " " <span class="badge status-open">{t.this_browser}</span> })}
            </p>
            <p class="muted">
                {s.address.map(|a| view! { <span dir="ltr">{a}</span> " · " })}
                {t.last_seen.text([&format::date_time(s.last_seen_at)])} " · "
                {t.signed_in_at.text([&format::date_time(s.signed_in_at)])}
            </p>
            {(!s.current).then(|| view! {
                <button type="button" class="btn btn-quiet" disabled=move || end.pending().get()
                    on:click=move |_| { end.dispatch(api::EndSessions { session: id.clone() }); }>
                    {t.sign_out}
                </button>
            })}
        </li>
    }
}
