//! `/settings/activity`: the team's audit trail for admins (see `model::audit` and
//! `backend::settings`): who invited, removed, promoted or reset whom, which mailboxes were
//! added, changed or removed, and when the team's sign-in rules changed, newest first, a
//! hundred to a page. Plain links page through it, so it works before the WASM is in.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use model::{TeamActivity, TeamChange, TeamEvent};

use super::Shell;
use crate::api;
use crate::format;
use crate::i18n::{Texts, use_texts};

/// The page.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let before = move || query.read().get("before").filter(|b| !b.is_empty());
    let loaded = Resource::new_serde_wb_blocking(before, api::team_activity);
    view! {
        <Shell>
            <header class="content-header">
                <p><a href="/settings">{t.settings}</a></p>
                <h1>{t.activity_title}</h1>
                <p class="muted">{t.activity_lead}</p>
            </header>
            <Transition fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(activity) => view! { <Activity activity/> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </Shell>
    }
}

#[component]
fn Activity(activity: TeamActivity) -> impl IntoView {
    let t = use_texts();
    if activity.events.is_empty() {
        return view! { <p class="muted">{t.activity_empty}</p> }.into_any();
    }
    let older = activity.older.map(|before| {
        let href = format!("/settings/activity?before={}", model::url_encode(&before));
        view! { <p><a class="btn" href=href>{t.activity_older}</a></p> }
    });
    view! {
        <table class="settings-table activity" aria-label=t.activity_title>
            <thead>
                <tr>
                    <th scope="col">{t.activity_when}</th>
                    <th scope="col">{t.activity_who}</th>
                    <th scope="col">{t.activity_what}</th>
                </tr>
            </thead>
            <tbody>
                {activity
                    .events
                    .into_iter()
                    .map(|event| {
                        let who = event.actor.clone().unwrap_or_else(|| t.activity_cli.to_string());
                        view! {
                            <tr>
                                <td class="muted">{format::date_time(event.at)}</td>
                                <td><bdi>{who}</bdi></td>
                                <td>{what(t, event)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        {older}
    }
    .into_any()
}

/// The sentence that says what an entry changed, names in `<bdi>`.
fn what(t: &'static Texts, event: TeamEvent) -> AnyView {
    let user = event.user.unwrap_or_default();
    let mailbox = event.mailbox.unwrap_or_default();
    match event.change {
        TeamChange::SetUp => t.a_set_up.into_any(),
        TeamChange::Invited { email } => t.a_invited.view([email]).into_any(),
        TeamChange::InvitationRevoked { email } => t.a_invitation_revoked.view([email]).into_any(),
        TeamChange::Joined => t.a_joined.into_any(),
        TeamChange::RoleChanged { role } => t.a_role.view([user, t.role(role).to_string()]).into_any(),
        TeamChange::AccountMade { role } => t.a_account_made.view([user, t.role(role).to_string()]).into_any(),
        TeamChange::Deactivated => t.a_deactivated.view([user]).into_any(),
        TeamChange::Reactivated => t.a_reactivated.view([user]).into_any(),
        TeamChange::MemberAdded => t.a_member_added.view([user, mailbox]).into_any(),
        TeamChange::MemberRemoved => t.a_member_removed.view([user, mailbox]).into_any(),
        TeamChange::MailboxAdded => t.a_mailbox_added.view([mailbox]).into_any(),
        TeamChange::MailboxRemoved => t.a_mailbox_removed.view([mailbox]).into_any(),
        TeamChange::MailServersSaved => t.a_mail_servers.view([mailbox]).into_any(),
        TeamChange::SystemMailboxSet if mailbox.is_empty() => t.a_system_mailbox_auto.into_any(),
        TeamChange::SystemMailboxSet => t.a_system_mailbox.view([mailbox]).into_any(),
        TeamChange::TwoFactorReset => t.a_two_factor_reset.view([user]).into_any(),
        TeamChange::TwoFactorRequired => t.a_two_factor_required.into_any(),
        TeamChange::TwoFactorOptional => t.a_two_factor_optional.into_any(),
    }
}
