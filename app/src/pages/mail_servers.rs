//! `/settings/mailboxes/:id`: a mailbox's mail servers. Admins pick their provider (Gmail,
//! Outlook, Zoho, Yandex fill in the servers and show the app-password steps) or enter IMAP
//! and SMTP themselves (host, port, security, user, password, folders), test them ("Test connection" answers in words
//! for each server), save them, and watch each folder's sync (N of M fetched, the last
//! error) and the mails that could not be read, each with a retry.
//!
//! Passwords are write-only: the page says whether one is stored and never shows it.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use model::{ConnectionCheck, MailFault, MailServersForm, MailServersView, Server, ServerForm, SetAside};

use super::Shell;
use crate::api;
use crate::error::AppError;
use crate::format;
use crate::i18n::{Lang, Texts, use_texts};
use crate::refusals;

/// The page.
#[component]
pub fn MailServersPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let loaded = Resource::new_serde_wb_blocking(id, api::mail_servers);
    view! {
        <Shell>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(v) => view! { <MailServers v/> }.into_any(),
                        Err(AppError::Forbidden) => view! {
                            <section class="empty-state">
                                <h1>{t.settings}</h1>
                                <p>{t.admins_only}</p>
                            </section>
                        }
                        .into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Shell>
    }
}

/// A mail provider whose servers the form can fill in.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Preset {
    /// The `<option>` value.
    key: &'static str,
    /// The provider's own name (not translated).
    name: &'static str,
    imap: (&'static str, u16, &'static str),
    smtp: (&'static str, u16, &'static str),
}

/// The providers small teams use most, with their published IMAP and SMTP settings.
const PRESETS: [Preset; 4] = [
    Preset {
        key: "gmail",
        name: "Gmail / Google Workspace",
        imap: ("imap.gmail.com", 993, "tls"),
        smtp: ("smtp.gmail.com", 465, "tls"),
    },
    Preset {
        key: "outlook",
        name: "Outlook.com / Microsoft 365",
        imap: ("outlook.office365.com", 993, "tls"),
        smtp: ("smtp.office365.com", 587, "starttls"),
    },
    Preset { key: "zoho", name: "Zoho Mail", imap: ("imap.zoho.com", 993, "tls"), smtp: ("smtp.zoho.com", 465, "tls") },
    Preset {
        key: "yandex",
        name: "Yandex Mail",
        imap: ("imap.yandex.com", 993, "tls"),
        smtp: ("smtp.yandex.com", 465, "tls"),
    },
];

/// The preset whose IMAP server `host` is, if any.
fn preset_of(host: &str) -> Option<Preset> {
    PRESETS.into_iter().find(|p| p.imap.0.eq_ignore_ascii_case(host.trim()))
}

/// How to let Sanduq in at the provider: the app-password steps.
fn preset_steps(t: &'static Texts, key: &str) -> Option<&'static str> {
    match key {
        "gmail" => Some(t.steps_gmail),
        "outlook" => Some(t.steps_outlook),
        "zoho" => Some(t.steps_zoho),
        "yandex" => Some(t.steps_yandex),
        _ => None,
    }
}

/// The fields of one server, bound to signals.
#[derive(Clone, Copy)]
struct ServerFields {
    host: RwSignal<String>,
    port: RwSignal<String>,
    security: RwSignal<String>,
    user: RwSignal<String>,
    password: RwSignal<String>,
}

impl ServerFields {
    fn new(form: &ServerForm) -> ServerFields {
        ServerFields {
            host: RwSignal::new(form.host.clone()),
            port: RwSignal::new(form.port.to_string()),
            security: RwSignal::new(form.security.clone()),
            user: RwSignal::new(form.user.clone()),
            password: RwSignal::new(String::new()),
        }
    }

    /// Fills in a provider's server; the account is the mailbox's address unless one is typed.
    fn fill(&self, (host, port, security): (&str, u16, &str), address: &str) {
        self.host.set(host.to_string());
        self.port.set(port.to_string());
        self.security.set(security.to_string());
        if self.user.get_untracked().trim().is_empty() {
            self.user.set(address.to_string());
        }
    }

    fn form(&self) -> ServerForm {
        ServerForm {
            host: self.host.get_untracked(),
            port: self.port.get_untracked().trim().parse().unwrap_or(0),
            security: self.security.get_untracked(),
            user: self.user.get_untracked(),
            password: self.password.get_untracked(),
        }
    }
}

#[component]
fn MailServers(v: MailServersView) -> impl IntoView {
    let t = use_texts();
    let mailbox = v.mailbox.to_string();
    let state = RwSignal::new(v.clone());
    let imap = ServerFields::new(&v.form.imap);
    let smtp = ServerFields::new(&v.form.smtp);
    let folders = RwSignal::new(v.form.folders.clone());
    let from_style = RwSignal::new(v.form.from_style.clone());
    let sync_since = RwSignal::new(v.form.sync_since.clone());
    let form = move || MailServersForm {
        imap: imap.form(),
        folders: folders.get_untracked(),
        smtp: smtp.form(),
        from_style: from_style.get_untracked(),
        sync_since: sync_since.get_untracked(),
    };

    let save = ServerAction::<api::SaveMailServers>::new();
    let test = ServerAction::<api::TestMailServers>::new();
    let retry = ServerAction::<api::RetryQuarantined>::new();
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = save.value().get() {
            imap.password.set(String::new());
            smtp.password.set(String::new());
            state.set(fresh);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = retry.value().get() {
            state.set(fresh);
        }
    });
    let mailbox_for_save = mailbox.clone();
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(api::SaveMailServers { mailbox: mailbox_for_save.clone(), form: form() });
    };
    let mailbox_for_test = mailbox.clone();
    let on_test = move |_| {
        test.dispatch(api::TestMailServers { mailbox: mailbox_for_test.clone(), form: form() });
    };
    let saved_message = move || match save.value().get() {
        Some(Ok(_)) => Some(view! { <p class="alert alert-info" role="status">{t.saved}</p> }.into_any()),
        Some(Err(e)) => Some(view! { <p class="alert alert-error" role="alert">{t.error(&e)}</p> }.into_any()),
        None => None,
    };
    let test_result = move || {
        if test.pending().get() {
            return Some(view! { <p class="muted" role="status">{t.testing}</p> }.into_any());
        }
        match test.value().get() {
            Some(Ok(check)) => Some(view! { <CheckResult check/> }.into_any()),
            Some(Err(e)) => Some(view! { <p class="alert alert-error" role="alert">{t.error(&e)}</p> }.into_any()),
            None => None,
        }
    };

    let preset = RwSignal::new(preset_of(&v.form.imap.host).map_or("custom", |p| p.key));
    let address = v.address.clone();
    let on_preset = move |ev: leptos::ev::Event| {
        let key = event_target_value(&ev);
        if let Some(p) = PRESETS.into_iter().find(|p| p.key == key) {
            imap.fill(p.imap, &address);
            smtp.fill(p.smtp, &address);
        }
        preset.set(PRESETS.into_iter().find(|p| p.key == key).map_or("custom", |p| p.key));
    };

    view! {
        <header class="content-header">
            <p><a href="/settings">{t.settings}</a></p>
            <h1 dir="auto">{t.mail_servers} " · " {v.name.clone()}</h1>
            <p class="muted" dir="ltr">{v.address.clone()}</p>
        </header>
        <section class="settings-section">
            <p class="hint">{t.mail_servers_lead}</p>
            <p class="inline-form">
                <label for="provider">{t.provider_label}</label>
                <select id="provider" on:change=on_preset>
                    {PRESETS
                        .into_iter()
                        .map(|p| view! { <option value=p.key selected=move || preset.get() == p.key>{p.name}</option> })
                        .collect_view()}
                    <option value="custom" selected=move || preset.get() == "custom">{t.provider_custom}</option>
                </select>
            </p>
            {move || preset_steps(t, preset.get()).map(|steps| view! { <p class="hint provider-steps">{steps}</p> })}
            <form class="server-form" on:submit=on_save>
                <fieldset>
                    <legend>{t.imap_server}</legend>
                    <ServerInputs prefix="imap" fields=imap has_password=Signal::derive(move || state.with(|s| s.has_imap_password))/>
                    <label for="imap-folders">{t.folders_label}</label>
                    <textarea id="imap-folders" dir="ltr" rows="3" prop:value=move || folders.get()
                        on:input=move |ev| folders.set(event_target_value(&ev))></textarea>
                    <label for="imap-since">{t.sync_since_label}</label>
                    <input id="imap-since" type="date" dir="ltr" prop:value=move || sync_since.get()
                        on:input=move |ev| sync_since.set(event_target_value(&ev))/>
                    <p class="hint">{t.sync_since_hint}</p>
                </fieldset>
                <fieldset>
                    <legend>{t.smtp_server}</legend>
                    <ServerInputs prefix="smtp" fields=smtp has_password=Signal::derive(move || state.with(|s| s.has_smtp_password))/>
                    <label for="smtp-from">{t.sender_name_label}</label>
                    <select id="smtp-from" prop:value=move || from_style.get()
                        on:change=move |ev| from_style.set(event_target_value(&ev))>
                        <option value="agent" selected=move || from_style.get() != "mailbox">{t.sender_agent}</option>
                        <option value="mailbox" selected=move || from_style.get() == "mailbox">{t.sender_mailbox}</option>
                    </select>
                </fieldset>
                <div class="form-actions">
                    <button type="button" class="btn" on:click=on_test disabled=move || test.pending().get()>{t.test_connection}</button>
                    <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>{t.save}</button>
                </div>
                {test_result}
                {saved_message}
            </form>
        </section>
        <section class="settings-section" aria-labelledby="s-health">
            <h2 id="s-health">{t.sync_health}</h2>
            {move || {
                let s = state.get();
                if !s.configured || s.folders.is_empty() {
                    return view! { <p class="muted">{t.not_connected}</p> }.into_any();
                }
                view! {
                    <table class="settings-table">
                        <thead>
                            <tr>
                                <th scope="col">{t.folder}</th>
                                <th scope="col">{t.fetched}</th>
                                <th scope="col">{t.last_sync}</th>
                                <th scope="col">{t.problem}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {s.folders
                                .into_iter()
                                .map(|f| view! {
                                    <tr>
                                        <td dir="ltr">{f.folder}</td>
                                        <td>{t.fetched_of.view([format::number(f.fetched), format::number(f.total)])}</td>
                                        <td dir="ltr">{f.last_sync_at.map(format::date_time).unwrap_or_default()}</td>
                                        <td class="problem">{f.last_error.map(|fault| refusals::mail_fault(t.lang, &fault))}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
            {move || {
                let waiting = state.with(|s| s.retrying);
                (waiting > 0).then(|| view! { <p class="muted">{format::count(&t.retrying, waiting)}</p> })
            }}
            <h3>{t.quarantined}</h3>
            {move || {
                let list = state.with(|s| s.quarantined.clone());
                if list.is_empty() {
                    return view! { <p class="muted">{t.none_quarantined}</p> }.into_any();
                }
                let mailbox = mailbox.clone();
                view! {
                    <ul class="settings-list">
                        {list
                            .into_iter()
                            .map(|q| {
                                let (mailbox, id) = (mailbox.clone(), q.id.clone());
                                view! {
                                    <li class="settings-item">
                                        <p><strong>{set_aside(t.lang, &q.reason)}</strong></p>
                                        <p class="muted" dir="ltr">
                                            {q.folder} " · " {format::bytes(q.size)} " · " {format::date_time(q.received_at)}
                                        </p>
                                        <button type="button" class="btn" on:click=move |_| {
                                            retry.dispatch(api::RetryQuarantined { mailbox: mailbox.clone(), id: id.clone() });
                                        }>{t.retry}</button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn ServerInputs(prefix: &'static str, fields: ServerFields, has_password: Signal<bool>) -> impl IntoView {
    let t = use_texts();
    let id = move |name: &str| format!("{prefix}-{name}");
    view! {
        <div class="server-grid">
            <label for=id("host")>{t.host}</label>
            <input id=id("host") type="text" dir="ltr" required autocomplete="off"
                prop:value=move || fields.host.get() on:input=move |ev| fields.host.set(event_target_value(&ev))/>
            <label for=id("port")>{t.port}</label>
            <input id=id("port") type="number" min="1" max="65535" dir="ltr" required
                prop:value=move || fields.port.get() on:input=move |ev| fields.port.set(event_target_value(&ev))/>
            <label for=id("security")>{t.security}</label>
            <select id=id("security") on:change=move |ev| fields.security.set(event_target_value(&ev))>
                {["tls", "starttls", "none"]
                    .into_iter()
                    .map(|s| view! {
                        <option value=s selected=move || fields.security.get() == s>{security_label(t, s)}</option>
                    })
                    .collect_view()}
            </select>
            <label for=id("user")>{t.user_name}</label>
            <input id=id("user") type="text" dir="ltr" required autocomplete="off"
                prop:value=move || fields.user.get() on:input=move |ev| fields.user.set(event_target_value(&ev))/>
            <label for=id("password")>{move || if has_password.get() { t.password_kept } else { t.password }}</label>
            <input id=id("password") type="password" dir="ltr" autocomplete="new-password"
                prop:value=move || fields.password.get() on:input=move |ev| fields.password.set(event_target_value(&ev))/>
        </div>
    }
}

fn security_label(t: &'static Texts, word: &str) -> &'static str {
    match word {
        "tls" => "TLS",
        "starttls" => "STARTTLS",
        _ => t.security_none,
    }
}

#[component]
fn CheckResult(check: ConnectionCheck) -> impl IntoView {
    let t = use_texts();
    let line = |server: Server, found: Result<String, MailFault>| {
        let ok = found.is_ok();
        let class = if ok { "check-line check-ok" } else { "check-line check-bad" };
        let verdict = if ok { t.works } else { t.does_not_work };
        let words = found.unwrap_or_else(|fault| refusals::mail_fault(t.lang, &fault));
        view! { <li class=class><strong>{server.as_str()} ": " {verdict}</strong> " — " <span>{words}</span></li> }
    };
    let imap = check.imap.map(|reached| {
        let folders: Vec<String> = reached
            .folders
            .iter()
            .map(|(folder, mails)| format!("\u{2068}{folder}\u{2069} ({})", format::count(&t.mail_count, *mails)))
            .collect();
        let comma = if t.lang == Lang::En { ", " } else { "، " };
        t.imap_reached.text([&reached.user, &folders.join(comma)])
    });
    let smtp = check.smtp.map(|host| t.smtp_reached.text([&host]));
    view! {
        // The live region around the list, not on it: a list with role=status is no list.
        <div role="status">
            <ul class="check-result">
                {line(Server::Imap, imap)}
                {line(Server::Smtp, smtp)}
            </ul>
        </div>
    }
}

/// Why a mail was set aside, in `lang`.
fn set_aside(lang: Lang, reason: &SetAside) -> &'static str {
    match (lang, reason) {
        (Lang::En, SetAside::Unparseable) => "The mail could not be read: its MIME structure is broken.",
        (Lang::En, SetAside::NoHeaders) => "The mail is empty or has no headers.",
        (Lang::En, SetAside::NotAMail) => "This is not a mail: it has no sender, recipient, subject or date header.",
        (Lang::En, SetAside::Refused { .. }) => "Storing this mail was refused.",
        (Lang::En, SetAside::KeptFailing { .. }) => "Storing this mail kept failing for about an hour.",
        (Lang::Ar, SetAside::Unparseable) => "تعذّرت قراءة الرسالة: بنيتها تالفة.",
        (Lang::Ar, SetAside::NoHeaders) => "الرسالة فارغة أو بلا ترويسات.",
        (Lang::Ar, SetAside::NotAMail) => "هذه ليست رسالة بريد: لا ترويسة فيها للمُرسِل ولا للمُستلِم ولا للموضوع ولا للتاريخ.",
        (Lang::Ar, SetAside::Refused { .. }) => "رُفض حفظ هذه الرسالة.",
        (Lang::Ar, SetAside::KeptFailing { .. }) => "تكرّر فشل حفظ هذه الرسالة طوال ساعة تقريبًا.",
        (Lang::Fa, SetAside::Unparseable) => "این ایمیل خوانده نشد: ساختار آن خراب است.",
        (Lang::Fa, SetAside::NoHeaders) => "ایمیل خالی است یا سرآیند ندارد.",
        (Lang::Fa, SetAside::NotAMail) => "این یک ایمیل نیست: سرآیند فرستنده، گیرنده، موضوع یا تاریخ ندارد.",
        (Lang::Fa, SetAside::Refused { .. }) => "ذخیرهٔ این ایمیل رد شد.",
        (Lang::Fa, SetAside::KeptFailing { .. }) => "ذخیرهٔ این ایمیل حدود یک ساعت پیاپی ناموفق بود.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_for_setting_a_mail_aside_is_worded_in_each_language() {
        let detail = || "database error: locked".to_string();
        let reasons = [
            SetAside::Unparseable,
            SetAside::NoHeaders,
            SetAside::NotAMail,
            SetAside::Refused { detail: detail() },
            SetAside::KeptFailing { detail: detail() },
        ];
        for reason in &reasons {
            assert!(set_aside(Lang::En, reason).ends_with('.'));
            for lang in [Lang::Ar, Lang::Fa] {
                let text = set_aside(lang, reason);
                assert!(!text.chars().any(|c| c.is_ascii_alphanumeric()), "{lang:?}: {text}");
            }
        }
    }
}
