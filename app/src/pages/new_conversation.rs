//! `/mailboxes/:id/new`: an agent writes to a customer first. To (the customer: the first
//! address), Cc, Bcc, subject, text and files; sending opens the new conversation, which
//! waits for the customer's answer, assigned to the sender.

use super::attach::{AttachButton, Attached, AttachedFiles};
use super::{NotFoundMessage, Shell};
use crate::api;
use crate::error::AppError;
use crate::form::Fields;
use crate::fresh;
use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_navigate, use_params_map};

/// The page.
#[component]
pub fn NewConversationPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let mailbox = Resource::new_serde_wb_blocking(id, api::mailbox);
    view! {
        <Shell>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match mailbox.await {
                        Ok(m) => view! { <NewConversation mailbox=m.id.to_string() name=m.name address=m.address/> }.into_any(),
                        Err(AppError::NotFound) => view! { <NotFoundMessage/> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Shell>
    }
}

#[component]
fn NewConversation(mailbox: String, name: String, address: String) -> impl IntoView {
    let t = use_texts();
    let back = format!("/mailboxes/{mailbox}");
    let start = ServerAction::<api::StartConversation>::new();
    let client_id = fresh::request_id();
    let attached = Attached::new(Vec::new());
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            navigate(&format!("/conversations/{id}"), Default::default());
        }
    });
    let failed = move || start.value().get().and_then(Result::err).map(|e| t.error(&e));
    let url = <api::StartConversation as ServerFn>::url();
    let (mailbox_id, request_id) = (mailbox.clone(), client_id.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let fields = Fields::take(&ev);
        start.dispatch(api::StartConversation {
            mailbox: mailbox_id.clone(),
            to: fields.text("to"),
            cc: fields.text("cc"),
            bcc: fields.text("bcc"),
            subject: fields.text("subject"),
            body: fields.text("body"),
            files: untrack(|| attached.ids()),
            client_id: request_id.clone(),
        });
    };
    view! {
        <header class="content-header">
            <a class="back" href=back dir="auto">{name.clone()}</a>
            <h1>{t.new_conversation}</h1>
            <p class="muted" dir="ltr">{address}</p>
        </header>
        <section class="composer new-conversation">
            // Without JavaScript the browser posts these fields to the same function.
            <form method="post" action=url on:submit=submit>
                <input type="hidden" name="mailbox" value=mailbox/>
                <input type="hidden" name="client_id" value=client_id/>
                <input type="hidden" name="files" value=move || attached.ids()/>
                <div class="recipients">
                    <div class="recipient-row">
                        <label for="n-to">{t.to_label}</label>
                        <input id="n-to" name="to" type="text" dir="ltr" autocomplete="off" required/>
                    </div>
                    <div class="recipient-row">
                        <label for="n-cc">{t.cc_label}</label>
                        <input id="n-cc" name="cc" type="text" dir="ltr" autocomplete="off"/>
                    </div>
                    <div class="recipient-row">
                        <label for="n-bcc">{t.bcc_label}</label>
                        <input id="n-bcc" name="bcc" type="text" dir="ltr" autocomplete="off"/>
                    </div>
                    <div class="recipient-row">
                        <label for="n-subject">{t.subject}</label>
                        <input id="n-subject" name="subject" type="text" dir="auto" maxlength="250" required/>
                    </div>
                </div>
                <textarea name="body" dir="auto" rows="8" aria-label=t.mode_reply required></textarea>
                <AttachedFiles attached/>
                <div class="composer-footer">
                    <AttachButton conversation=String::new() attached/>
                    <span class="draft-state muted" aria-live="polite">
                        {move || if attached.busy() { t.uploading } else { "" }}
                    </span>
                    <button type="submit" class="btn btn-primary" disabled=move || start.pending().get() || attached.busy()>
                        {move || if start.pending().get() { t.posting } else { t.send }}
                    </button>
                </div>
            </form>
            {move || failed().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        </section>
    }
}
