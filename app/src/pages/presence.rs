//! Who else is in a conversation, from the live channel: a line of avatars and words in the
//! conversation's header ("Sara is viewing", "Omar is writing a reply…"), and small avatars
//! on the rows of a list.

use leptos::prelude::*;
use model::ConversationId;
use model::live::{Doing, Present};

use crate::i18n::{Texts, use_texts};
use crate::live::use_live;

/// The words for what someone does.
fn doing_words(t: &'static Texts, doing: Doing) -> &'static str {
    match doing {
        Doing::Viewing => t.live_viewing,
        Doing::Reply => t.live_writing_reply,
        Doing::Note => t.live_writing_note,
    }
}

/// A small round avatar with the person's initial; writing ones pulse.
fn avatar(person: &Present, t: &'static Texts) -> impl IntoView + use<> {
    let class = match person.doing {
        Doing::Viewing => "avatar",
        Doing::Reply | Doing::Note => "avatar avatar-writing",
    };
    let title = format!("{} {}", person.name, doing_words(t, person.doing));
    view! { <span class=class title=title aria-hidden="true">{crate::format::initial(&person.name)}</span> }
}

/// Everyone else in the conversation, in avatars and words. Nothing when nobody is.
#[component]
pub fn PresenceLine(conversation: ConversationId) -> impl IntoView {
    let t = use_texts();
    let live = use_live();
    let others = move || live.others_in(conversation);
    view! {
        <Show when=move || !others().is_empty()>
            <div class="presence" role="status" aria-label=t.live_people>
                {move || {
                    others()
                        .into_iter()
                        .map(|p| {
                            let words = doing_words(t, p.doing);
                            view! {
                                <span class="presence-person" class:presence-writing=p.doing != Doing::Viewing>
                                    {avatar(&p, t)}
                                    <bdi>{p.name.clone()}</bdi>
                                    " "
                                    {words}
                                </span>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </Show>
    }
}

/// The avatars of everyone else in a conversation, for a list row.
#[component]
pub fn RowAvatars(conversation: ConversationId) -> impl IntoView {
    let t = use_texts();
    let live = use_live();
    move || {
        let others = live.others_in(conversation);
        (!others.is_empty()).then(|| {
            let label =
                others.iter().map(|p| format!("{} {}", p.name, doing_words(t, p.doing))).collect::<Vec<_>>().join(", ");
            let title = label.clone();
            view! {
                <span class="row-presence" title=title>
                    <span class="visually-hidden">{label}</span>
                    {others.iter().map(|p| avatar(p, t)).collect_view()}
                </span>
            }
        })
    }
}
