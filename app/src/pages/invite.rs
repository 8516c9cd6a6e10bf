//! Settings → People: inviting someone, the invitations waiting to be accepted, and which
//! mailbox sends the invitation mail (see `backend::invitations`).
//!
//! An invitation goes by mail when some mailbox can send; otherwise the admin is handed the
//! link to pass on, and the same panel shows it after "Get a link". Every answer carries
//! Settings as they now are, which replace the page's state.

use leptos::prelude::*;
use model::{InvitationForm, InvitationView, Invited, MailboxId, Role, SettingsChange, SettingsView};

use super::signin::language_options;
use crate::api;
use crate::error::AppError;
use crate::form::Fields;
use crate::format;
use crate::i18n::use_texts;
use crate::refusals;

/// The invite form, what became of the last invitation sent, and the waiting invitations.
#[component]
pub fn People(state: RwSignal<SettingsView>, apply: Callback<SettingsChange>) -> impl IntoView {
    let t = use_texts();
    let invite = ServerAction::<api::Invite>::new();
    let resend = ServerAction::<api::ResendInvitation>::new();
    // The newest answer of either action, shown under the form.
    let outcome = RwSignal::new(None::<Result<Invited, AppError>>);
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(answer) = invite.value().get() {
            if answer.is_ok()
                && let Some(form) = form.get_untracked()
            {
                form.reset();
            }
            outcome.set(Some(answer));
        }
    });
    Effect::new(move |_| {
        if let Some(answer) = resend.value().get() {
            outcome.set(Some(answer));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(invited)) = outcome.get() {
            state.set(invited.settings);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let fields = Fields::take(&ev);
        let form = InvitationForm {
            email: fields.text("email"),
            name: fields.text("name"),
            role: fields.text("role").parse().unwrap_or(Role::Agent),
            locale: fields.text("locale"),
            mailboxes: fields.all("mailbox").iter().filter_map(|id| id.parse().ok()).collect(),
        };
        invite.dispatch(api::Invite { form });
    };
    let resend_with = Callback::new(move |(id, by_mail): (model::InvitationId, bool)| {
        resend.dispatch(api::ResendInvitation { id: id.to_string(), by_mail });
    });
    let busy = move || invite.pending().get() || resend.pending().get();
    view! {
        <h3 id="s-invite">{t.invite_title}</h3>
        <p class="muted">{t.invite_lead}</p>
        <form node_ref=form class="form invite-form" on:submit=submit aria-labelledby="s-invite">
            <label for="invite-email">{t.email}</label>
            <input id="invite-email" name="email" type="email" dir="ltr" autocomplete="off" required/>
            <label for="invite-name">{t.name}</label>
            <input id="invite-name" name="name" type="text" dir="auto" maxlength="100" autocomplete="off" required/>
            <label for="invite-role">{t.role_label}</label>
            <select id="invite-role" name="role">
                {Role::ALL
                    .into_iter()
                    .map(|r| view! { <option value=r.as_str() selected=r == Role::Agent>{t.role(r)}</option> })
                    .collect_view()}
            </select>
            <label for="invite-language">{t.invite_language}</label>
            <select id="invite-language" name="locale">
                {language_options(t.lang)}
            </select>
            {move || {
                let mailboxes: Vec<_> = state.read().mailboxes.iter().filter(|m| !m.removed).cloned().collect();
                (!mailboxes.is_empty()).then(|| view! {
                    <fieldset class="checks">
                        <legend>{t.invite_mailboxes}</legend>
                        {mailboxes
                            .into_iter()
                            .map(|m| view! {
                                <label class="check">
                                    <input type="checkbox" name="mailbox" value=m.id.to_string()/>
                                    <span dir="auto">{m.name}</span>
                                </label>
                            })
                            .collect_view()}
                    </fieldset>
                })
            }}
            <div>
                <button type="submit" class="btn btn-primary" disabled=busy>{t.invite_submit}</button>
            </div>
        </form>
        {move || outcome.get().map(|answer| view! { <Outcome answer/> })}
        {move || {
            let invitations = state.read().invitations.clone();
            (!invitations.is_empty()).then(|| {
                let can_mail = state.read().system_mailbox.is_some();
                view! {
                    <h3 id="s-invitations">{t.pending_invitations}</h3>
                    <ul class="settings-list" aria-labelledby="s-invitations">
                        {invitations
                            .into_iter()
                            .map(|i| view! { <Waiting i can_mail resend=resend_with apply/> })
                            .collect_view()}
                    </ul>
                }
            })
        }}
    }
}

/// What became of the last invitation: sent, or its link to copy, or why it was refused.
#[component]
fn Outcome(answer: Result<Invited, AppError>) -> impl IntoView {
    let t = use_texts();
    match answer {
        Ok(Invited { email, link: None, .. }) => {
            view! { <p class="alert alert-info" role="status">{t.invite_sent.view([email])}</p> }.into_any()
        }
        Ok(Invited { email, link: Some(link), .. }) => {
            let copied = RwSignal::new(false);
            let copy = {
                let link = link.clone();
                move |_| {
                    #[cfg(feature = "hydrate")]
                    {
                        let _ = window().navigator().clipboard().write_text(&link);
                    }
                    let _ = &link;
                    copied.set(true);
                }
            };
            view! {
                <div class="alert alert-info invite-link" role="status">
                    <p>{t.invite_link_lead.view([email])}</p>
                    <input type="text" readonly dir="ltr" value=link aria-label=t.copy_link
                        on:focus=|ev| {
                            #[cfg(feature = "hydrate")]
                            {
                                use wasm_bindgen::JsCast;
                                if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    input.select();
                                }
                            }
                            let _ = ev;
                        }/>
                    <button type="button" class="btn" on:click=copy>
                        {move || if copied.get() { t.link_copied } else { t.copy_link }}
                    </button>
                </div>
            }
            .into_any()
        }
        Err(e) => view! { <p class="alert alert-error" role="alert">{t.error(&e)}</p> }.into_any(),
    }
}

/// One waiting invitation, with how its link went out and what can be done with it.
#[component]
fn Waiting(
    i: InvitationView,
    can_mail: bool,
    resend: Callback<(model::InvitationId, bool)>,
    apply: Callback<SettingsChange>,
) -> impl IntoView {
    let t = use_texts();
    let id = i.id;
    let when = if i.expired {
        t.invitation_expired.to_string()
    } else {
        t.invitation_expires.text([&format::date_time(i.expires_at)])
    };
    let delivery = match &i.delivery {
        Some(d) => {
            let reason = d.last_error.as_ref().map(|f| refusals::mail_fault(t.lang, f)).unwrap_or_default();
            format!("{} {reason}", t.delivery(d.status))
        }
        None => t.link_given.to_string(),
    };
    let label = |what: &str| format!("{what} {}", i.email);
    view! {
        <li class="settings-item invitation" class:expired=i.expired>
            <p>
                <strong dir="auto">{i.name.clone()}</strong> " "
                <span class="muted" dir="ltr">{i.email.clone()}</span> " "
                <span class="badge">{t.role(i.role)}</span>
            </p>
            <p class="muted">
                {(!i.invited_by.is_empty()).then(|| view! { <span>{t.invited_by.view([i.invited_by.clone()])}</span> " · " })}
                <span>{when}</span> " · " <span class="delivery">{delivery}</span>
            </p>
            <p class="actions">
                {can_mail.then(|| view! {
                    <button type="button" class="btn" aria-label=label(t.resend)
                        on:click=move |_| resend.run((id, true))>{t.resend}</button>
                })}
                <button type="button" class="btn" aria-label=label(t.get_link)
                    on:click=move |_| resend.run((id, false))>{t.get_link}</button>
                <button type="button" class="btn btn-quiet danger" aria-label=label(t.revoke)
                    on:click=move |_| apply.run(SettingsChange::RevokeInvitation { invitation: id })>{t.revoke}</button>
            </p>
        </li>
    }
}

/// The choice of the mailbox that sends invitations and password resets.
#[component]
pub fn SystemMailbox(state: RwSignal<SettingsView>, apply: Callback<SettingsChange>) -> impl IntoView {
    let t = use_texts();
    move || {
        let s = state.read();
        if s.can_send.is_empty() {
            return view! { <p class="muted">{t.system_mail_none}</p> }.into_any();
        }
        let options: Vec<(MailboxId, String)> = s
            .mailboxes
            .iter()
            .filter(|m| s.can_send.contains(&m.id))
            .map(|m| (m.id, format!("{} <{}>", m.name, m.address)))
            .collect();
        let chosen = s.system_mailbox;
        view! {
            <p class="inline-form">
                <label for="system-mailbox">{t.system_mail_label}</label>
                <select id="system-mailbox" on:change=move |ev| {
                    let mailbox = event_target_value(&ev).parse().ok();
                    apply.run(SettingsChange::SetSystemMailbox { mailbox });
                }>
                    {options
                        .into_iter()
                        .map(|(id, label)| view! {
                            <option value=id.to_string() selected=Some(id) == chosen dir="auto">{label}</option>
                        })
                        .collect_view()}
                </select>
            </p>
        }
        .into_any()
    }
}
