//! Files attached in a composer (a reply, a forward or a new conversation): the list with a
//! Remove button each, and the "Attach files" button that uploads what the agent picks.

use leptos::prelude::*;
use model::{AttachmentId, AttachmentView};

use crate::api;
use crate::error::AppError;
use crate::format;
use crate::i18n::use_texts;

/// What a composer's files are: the list, how many are still uploading, and the last error.
#[derive(Debug, Clone, Copy)]
pub struct Attached {
    pub files: RwSignal<Vec<AttachmentView>>,
    pub uploading: RwSignal<usize>,
    pub error: RwSignal<Option<String>>,
}

impl Attached {
    pub fn new(files: Vec<AttachmentView>) -> Attached {
        Attached { files: RwSignal::new(files), uploading: RwSignal::new(0), error: RwSignal::new(None) }
    }

    /// The ids, separated by commas, as the composer's form sends them.
    pub fn ids(&self) -> String {
        self.files.with(|f| f.iter().map(|f| f.id.to_string()).collect::<Vec<_>>().join(","))
    }

    pub fn busy(&self) -> bool {
        self.uploading.get() != 0
    }
}

/// The attached files, each with Remove, and the last upload error.
#[component]
pub fn AttachedFiles(attached: Attached) -> impl IntoView {
    let t = use_texts();
    let remove = move |file: AttachmentId| {
        leptos::task::spawn_local(async move {
            match api::remove_upload(file.to_string()).await {
                Ok(()) | Err(AppError::NotFound) => attached.files.update(|f| f.retain(|x| x.id != file)),
                Err(e) => attached.error.set(Some(t.error(&e))),
            }
        });
    };
    view! {
        <ul class="attachments composer-files" aria-label=t.attachments>
            <For
                each=move || attached.files.get()
                key=|f| f.id
                children=move |f| {
                    let file = f.id;
                    view! {
                        <li>
                            <span dir="auto">{f.filename}</span>
                            " " <span class="muted" dir="ltr">{format::bytes(f.size)}</span>
                            " "
                            <button type="button" class="btn btn-quiet" on:click=move |_| remove(file)>
                                {t.remove_file}
                            </button>
                        </li>
                    }
                }
            />
        </ul>
        {move || attached.error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
    }
}

/// "Attach files": uploads each picked file for the draft of `conversation` (empty for a
/// new conversation) and lists it once stored.
#[component]
pub fn AttachButton(conversation: String, attached: Attached) -> impl IntoView {
    let t = use_texts();
    let on_files = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        crate::upload::pick(ev, conversation.clone(), attached.files, attached.uploading, attached.error, t);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &conversation, attached);
    };
    view! {
        <label class="btn btn-quiet attach">
            {t.attach_files}
            <input type="file" multiple class="visually-hidden" on:change=on_files/>
        </label>
    }
}
