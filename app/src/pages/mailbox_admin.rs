//! Settings → Mailboxes: adding one (name, address, members; its mail servers next, on its
//! own page) and each mailbox's row: its name, address, members, mail servers link and
//! "Remove mailbox", which asks for the name typed again. A removed mailbox stays listed,
//! marked, for the admins who still read its conversations.

use leptos::prelude::*;
use model::{MailboxId, NewMailboxForm, SettingsChange, SettingsView};

use crate::api;
use crate::form::Fields;
use crate::i18n::use_texts;

/// The "Add a mailbox" form. Once added, the browser goes to the new mailbox's mail servers.
#[component]
pub fn AddMailbox(state: RwSignal<SettingsView>) -> impl IntoView {
    let t = use_texts();
    let add = ServerAction::<api::AddMailbox>::new();
    Effect::new(move |_| {
        if let Some(Ok(id)) = add.value().get() {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&format!("/settings/mailboxes/{id}"), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let fields = Fields::take(&ev);
        let form = NewMailboxForm {
            name: fields.text("name"),
            address: fields.text("address"),
            members: fields.all("member").iter().filter_map(|id| id.parse().ok()).collect(),
        };
        add.dispatch(api::AddMailbox { form });
    };
    let failed = move || add.value().get().and_then(Result::err).map(|e| t.error(&e));
    view! {
        <details class="add-mailbox" open=move || state.with(|s| s.mailboxes.is_empty())>
            <summary class="btn">{t.add_mailbox}</summary>
            <form class="form" on:submit=submit aria-label=t.add_mailbox>
                <p class="muted">{t.add_mailbox_lead}</p>
                <label for="new-mailbox-name">{t.mailbox_name}</label>
                <input id="new-mailbox-name" name="name" type="text" dir="auto" maxlength="80" required/>
                <label for="new-mailbox-address">{t.mailbox_address}</label>
                <input id="new-mailbox-address" name="address" type="email" dir="ltr" autocomplete="off" required/>
                <fieldset class="checks">
                    <legend>{t.members}</legend>
                    {move || state.with(|s| {
                        s.users
                            .iter()
                            .filter(|u| u.active)
                            .map(|u| view! {
                                <label class="check">
                                    <input type="checkbox" name="member" value=u.id.to_string()/>
                                    <span dir="auto">{u.name.clone()}</span>
                                </label>
                            })
                            .collect_view()
                    })}
                </fieldset>
                {move || failed().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                <button type="submit" class="btn btn-primary" disabled=move || add.pending().get()>{t.add_mailbox}</button>
            </form>
        </details>
    }
}

/// One mailbox in Settings.
#[component]
pub fn MailboxRow(
    id: MailboxId,
    name: String,
    address: String,
    removed: bool,
    members: Vec<String>,
    apply: Callback<SettingsChange>,
) -> impl IntoView {
    let t = use_texts();
    let input = NodeRef::<leptos::html::Input>::new();
    let field = format!("mb-{id}");
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = input.get_untracked() {
            apply.run(SettingsChange::RenameMailbox { mailbox: id, name: input.value() });
        }
    };
    if removed {
        return view! {
            <li class="settings-item inactive">
                <p><strong dir="auto">{name}</strong> " " <span class="badge status-closed">{t.removed_badge}</span></p>
                <p class="muted" dir="ltr">{address}</p>
            </li>
        }
        .into_any();
    }
    let confirming = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let confirm_field = format!("rm-{id}");
    let lead = t.remove_mailbox_lead.view([name.clone()]);
    let matches = {
        let name = name.clone();
        move || typed.get().trim() == name
    };
    let remove = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply.run(SettingsChange::RemoveMailbox { mailbox: id, confirm: typed.get_untracked() });
    };
    view! {
        <li class="settings-item">
            <form class="inline-form" on:submit=save>
                <label for=field.clone()>{t.mailbox_name}</label>
                <input id=field node_ref=input type="text" dir="auto" value=name.clone() maxlength="80" required/>
                <button type="submit" class="btn">{t.save}</button>
            </form>
            <p class="muted" dir="ltr">{address}</p>
            <p><a href=format!("/settings/mailboxes/{id}")>{t.mail_servers}</a></p>
            <p>
                <span class="control-label">{t.members}</span> " "
                {members.into_iter().map(|m| view! { <span class="tag" dir="auto">{m}</span> " " }).collect_view()}
            </p>
            <button type="button" class="btn btn-quiet danger" aria-expanded=move || confirming.get().to_string()
                on:click=move |_| confirming.update(|c| *c = !*c)>
                {t.remove_mailbox}
            </button>
            <form class="remove-mailbox" on:submit=remove hidden=move || !confirming.get()>
                <p>{lead}</p>
                <label for=confirm_field.clone()>{t.mailbox_name}</label>
                <input id=confirm_field type="text" dir="auto" autocomplete="off"
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                <button type="submit" class="btn danger" disabled=move || !matches()>{t.remove_mailbox}</button>
                <button type="button" class="btn btn-quiet" on:click=move |_| confirming.set(false)>{t.cancel}</button>
            </form>
        </li>
    }
    .into_any()
}
