//! `/settings`: everyone's own signatures (one per mailbox they answer from) and a link to
//! their security (`security`), then what admins manage: people (role, mailboxes,
//! deactivate, two-factor reset and requirement, invitations: `invite`), mailboxes (added,
//! named, removed: `mailbox_admin`; which one sends system mail), tags (name, colour) and a
//! link to the audit trail of those changes (`activity`). Every change is saved as it is
//! made and answered with the settings as they now are. Others see "admins only" below
//! their signatures.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use model::{MailboxId, Role, SettingsChange, SettingsView, TagSummary, TeamMember};

use super::Shell;
use super::invite::{People, SystemMailbox};
use super::mailbox_admin::{AddMailbox, MailboxRow};
use crate::api;
use crate::error::AppError;
use crate::form::Fields;
use crate::format;
use crate::i18n::use_texts;

/// The Settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let t = use_texts();
    let loaded = Resource::new_serde_wb_blocking(|| (), |_| api::settings());
    view! {
        <Shell>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(s) => view! { <Settings s/> <Signatures/> }.into_any(),
                        Err(AppError::Forbidden) => view! {
                            <header class="content-header">
                                <h1>{t.settings}</h1>
                            </header>
                            <p><a href="/settings/security">{t.security_link}</a></p>
                            <Signatures/>
                            <p class="muted">{t.admins_only}</p>
                        }
                        .into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Shell>
    }
}

#[component]
fn Settings(s: SettingsView) -> impl IntoView {
    let t = use_texts();
    let state = RwSignal::new(s);
    let change = ServerAction::<api::ChangeSettings>::new();
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = change.value().get() {
            state.set(fresh);
        }
    });
    let apply = Callback::new(move |c: SettingsChange| {
        change.dispatch(api::ChangeSettings { change: c });
    });
    let failed = move || change.value().get().and_then(Result::err).map(|e| t.error(&e));
    view! {
        <header class="content-header">
            <h1>{t.settings}</h1>
            <p>
                <a href="/settings/security">{t.security_link}</a>
                " · "
                <a href="/settings/activity">{t.activity_title}</a>
            </p>
        </header>
        {move || failed().map(|e| view! { <p class="alert alert-error" role="alert">{t.action_failed} " " {e}</p> })}
        <section class="settings-section" aria-labelledby="s-team">
            <h2 id="s-team">{t.team}</h2>
            <table class="settings-table">
                <thead>
                    <tr>
                        <th scope="col">{t.name}</th>
                        <th scope="col">{t.role_label}</th>
                        <th scope="col">{t.member_of}</th>
                        <th scope="col">{t.two_factor_col}</th>
                        <th scope="col">{t.status_label}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let s = state.get();
                        s.users
                            .iter()
                            .cloned()
                            .map(|u| view! { <UserRow u mailboxes=s.mailboxes.clone() viewer=s.viewer apply/> })
                            .collect_view()
                    }}
                </tbody>
            </table>
            <label class="check">
                <input type="checkbox" prop:checked=move || state.with(|s| s.require_two_factor)
                    on:change=move |ev| apply.run(SettingsChange::RequireTwoFactor { required: event_target_checked(&ev) })/>
                <span>{t.require_two_factor}</span>
            </label>
            <People state apply/>
        </section>
        <section class="settings-section" aria-labelledby="s-mailboxes">
            <h2 id="s-mailboxes">{t.mailboxes}</h2>
            <AddMailbox state/>
            <SystemMailbox state apply/>
            <ul class="settings-list">
                {move || {
                    let s = state.get();
                    s.mailboxes
                        .iter()
                        .map(|m| {
                            let members: Vec<String> = s
                                .users
                                .iter()
                                .filter(|u| u.mailboxes.contains(&m.id))
                                .map(|u| u.name.clone())
                                .collect();
                            view! {
                                <MailboxRow id=m.id name=m.name.clone() address=m.address.clone() removed=m.removed members apply/>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
        <section class="settings-section" aria-labelledby="s-tags">
            <h2 id="s-tags">{t.tags}</h2>
            <NewTag apply/>
            {move || {
                let tags = state.with(|s| s.tags.clone());
                if tags.is_empty() {
                    view! { <p class="muted">{t.no_tags}</p> }.into_any()
                } else {
                    view! {
                        <ul class="settings-list">
                            {tags.into_iter().map(|tag| view! { <TagRow tag apply/> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn UserRow(
    u: TeamMember,
    mailboxes: Vec<model::MailboxSummary>,
    viewer: model::UserId,
    apply: Callback<SettingsChange>,
) -> impl IntoView {
    let t = use_texts();
    let user = u.id;
    let is_me = u.id == viewer;
    let role_id = format!("role-{}", u.id);
    let role_label = format!("{} {}", t.role_label, u.name);
    view! {
        <tr class:inactive=!u.active>
            <td>
                <strong dir="auto">{u.name.clone()}</strong>
                {is_me.then(|| view! { " " <span class="muted">{t.you}</span> })}
                <div class="muted" dir="ltr">{u.email.clone()}</div>
            </td>
            <td>
                <select
                    id=role_id
                    aria-label=role_label
                    disabled=is_me
                    on:change=move |ev| {
                        if let Ok(role) = event_target_value(&ev).parse::<Role>() {
                            apply.run(SettingsChange::SetRole { user, role });
                        }
                    }
                >
                    {Role::ALL
                        .into_iter()
                        .map(|r| view! { <option value=r.as_str() selected=r == u.role>{t.role(r)}</option> })
                        .collect_view()}
                </select>
            </td>
            <td>
                <div class="checks">
                    {mailboxes
                        .into_iter()
                        .filter(|m| !m.removed)
                        .map(|m| {
                            let mailbox: MailboxId = m.id;
                            let checked = u.mailboxes.contains(&mailbox);
                            let label = format!("{} — {}", u.name, m.name);
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        checked=checked
                                        aria-label=label
                                        on:change=move |ev| {
                                            apply.run(SettingsChange::SetMember { user, mailbox, member: event_target_checked(&ev) });
                                        }
                                    />
                                    <span dir="auto">{m.name}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </td>
            <td>
                <span class=if u.two_factor { "badge status-open" } else { "badge status-closed" }>
                    {if u.two_factor { t.on } else { t.off }}
                </span>
                {(u.two_factor && !is_me).then(|| {
                    let label = format!("{} {}", t.reset_two_factor, u.name);
                    view! {
                        <button type="button" class="btn btn-quiet" aria-label=label
                            on:click=move |_| apply.run(SettingsChange::ResetTwoFactor { user })>
                            {t.reset_two_factor}
                        </button>
                    }
                })}
            </td>
            <td>
                <span class=if u.active { "badge status-open" } else { "badge status-closed" }>
                    {if u.active { t.status_active } else { t.status_inactive }}
                </span>
                {(!is_me).then(|| {
                    let active = u.active;
                    view! {
                        <button
                            type="button"
                            class="btn btn-quiet"
                            on:click=move |_| apply.run(SettingsChange::SetActive { user, active: !active })
                        >
                            {if active { t.deactivate } else { t.reactivate }}
                        </button>
                    }
                })}
            </td>
        </tr>
    }
}

#[component]
fn NewTag(apply: Callback<SettingsChange>) -> impl IntoView {
    let t = use_texts();
    let name = NodeRef::<leptos::html::Input>::new();
    let color = NodeRef::<leptos::html::Input>::new();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let (Some(name), Some(color)) = (name.get_untracked(), color.get_untracked()) {
            apply.run(SettingsChange::CreateTag { name: name.value(), color: color.value() });
            name.set_value("");
        }
    };
    view! {
        <form class="inline-form" on:submit=create>
            <label for="new-tag">{t.new_tag}</label>
            <input id="new-tag" node_ref=name type="text" dir="auto" maxlength="50" required/>
            <label for="new-tag-color">{t.color}</label>
            <input id="new-tag-color" node_ref=color type="color" value="#0f766e"/>
            <button type="submit" class="btn btn-primary">{t.create}</button>
        </form>
    }
}

#[component]
fn TagRow(tag: TagSummary, apply: Callback<SettingsChange>) -> impl IntoView {
    let t = use_texts();
    let id = tag.id;
    let name = NodeRef::<leptos::html::Input>::new();
    let color = NodeRef::<leptos::html::Input>::new();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let (Some(name), Some(color)) = (name.get_untracked(), color.get_untracked()) {
            apply.run(SettingsChange::UpdateTag { tag: id, name: name.value(), color: color.value() });
        }
    };
    let name_label = format!("{} {}", t.name, tag.name);
    let color_label = format!("{} {}", t.color, tag.name);
    let delete_label = format!("{} {}", t.delete, tag.name);
    view! {
        <li class="settings-item">
            <form class="inline-form" on:submit=save>
                <input node_ref=color type="color" value=tag.color aria-label=color_label/>
                <input node_ref=name type="text" dir="auto" value=tag.name maxlength="50" required aria-label=name_label/>
                <span class="muted">{format::count(&t.open_conversations, tag.open_count)}</span>
                <button type="submit" class="btn">{t.save}</button>
                <button
                    type="button"
                    class="btn btn-quiet danger"
                    aria-label=delete_label
                    on:click=move |_| apply.run(SettingsChange::DeleteTag { tag: id })
                >
                    {t.delete}
                </button>
            </form>
        </li>
    }
}

/// The signed-in user's signature in each mailbox they answer from, each saved on its own.
#[component]
fn Signatures() -> impl IntoView {
    let t = use_texts();
    let loaded = Resource::new_serde_wb(|| (), |_| api::signatures());
    view! {
        <section class="settings-section" aria-labelledby="s-signatures">
            <h2 id="s-signatures">{t.signatures_title}</h2>
            <p class="muted">{t.signatures_lead}</p>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(list) => list
                            .into_iter()
                            .map(|s| view! { <SignatureForm s/> })
                            .collect_view()
                            .into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SignatureForm(s: model::SignatureView) -> impl IntoView {
    let t = use_texts();
    let save = ServerAction::<api::SaveSignature>::new();
    let field = format!("sig-{}", s.mailbox_id);
    let outcome = move || {
        save.value().get().map(|done| match done {
            Ok(()) => view! { <span class="muted" role="status">{t.saved}</span> }.into_any(),
            Err(e) => view! { <span class="alert alert-error" role="alert">{t.error(&e)}</span> }.into_any(),
        })
    };
    let url = <api::SaveSignature as ServerFn>::url();
    let mailbox = s.mailbox_id.to_string();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let fields = Fields::take(&ev);
        save.dispatch(api::SaveSignature { mailbox: mailbox.clone(), body: fields.text("body") });
    };
    view! {
        // Without JavaScript the browser posts these fields to the same function.
        <form method="post" action=url class="signature-form" on:submit=submit>
            <input type="hidden" name="mailbox" value=s.mailbox_id.to_string()/>
            <label for=field.clone() dir="auto">{s.mailbox_name}</label>
            <textarea id=field name="body" rows="3" dir="auto" maxlength="2000"
                inner_html=crate::format::textarea_markup(&s.body)></textarea>
            <div>
                <button type="submit" class="btn" disabled=move || save.pending().get()>{t.save}</button>
                " "
                {outcome}
            </div>
        </form>
    }
}
