//! `/conversations/:id`: one conversation, read and worked on as agents do: the thread, with
//! internal notes set apart so they can never be mistaken for mail to the customer; the
//! controls (status, snooze, priority, assignee, tags, follow, subject); the composer for
//! replies and notes, whose drafts are saved on the server as the agent types; the history of
//! every change; and the customer's card beside it. A conversation the caller may not see is
//! a real 404.
//!
//! Every control answers with the conversation as it now is, which replaces what the page
//! shows; the composer keeps its own text, so a change made while writing loses nothing.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;
use model::live::{Doing, Writing};
use model::{
    ComposerMode, ConversationAction, ConversationDetail, DeliveryStatus, Direction, HistoryChange, HistoryEntry,
    MessageView, Priority, ReplyComposer, Status,
};

use super::attach::{AttachButton, Attached, AttachedFiles};
use super::presence::PresenceLine;
use super::{NotFoundMessage, Shell};
use crate::api;
use crate::error::AppError;
use crate::format;
use crate::fresh;
use crate::i18n::template::{Piece, sentence};
use crate::i18n::{Texts, use_texts};
use crate::live::use_live;
use crate::refusals;

/// The statuses an agent picks from (spam and trash come with their own actions later).
const WORKING_STATUSES: [Status; 4] = [Status::Open, Status::InProgress, Status::Waiting, Status::Closed];

/// Snooze choices, in seconds.
const SNOOZE_CHOICES: [i64; 5] = [3_600, 4 * 3_600, 86_400, 3 * 86_400, 7 * 86_400];

/// How long the composer waits after the last keystroke before saving the draft.
const DRAFT_DELAY_MS: u64 = 600;

/// The conversation page.
#[component]
pub fn ConversationView() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new_serde_wb_blocking(id, api::conversation);
    view! {
        <Shell>
            <Suspense fallback=move || view! { <p class="loading">{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! { <Detail d/> }.into_any(),
                        Err(AppError::NotFound) => view! { <NotFoundMessage/> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{t.error(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Shell>
    }
}

#[component]
fn Detail(d: ConversationDetail) -> impl IntoView {
    let t = use_texts();
    let id = StoredValue::new(d.summary.id.to_string());
    let viewer = d.viewer;
    let (reply_draft, note_draft) = (d.reply_draft.clone(), d.note_draft.clone());
    let setup = d.composer.clone();
    let back = format!("/mailboxes/{}", d.mailbox_id);
    let mailbox_name = d.mailbox_name.clone();
    let state = RwSignal::new(d);

    let act = ServerAction::<api::Act>::new();
    let sidebar = super::shell::sidebar_data();
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = act.value().get() {
            state.set(fresh);
            // Status, owner, snooze and tags move the sidebar's counts.
            if let Some(sidebar) = sidebar {
                sidebar.refresh();
            }
        }
    });
    let act_with = Callback::new(move |action: ConversationAction| {
        act.dispatch(api::Act { id: id.get_value(), action });
    });
    let act_error = move || act.value().get().and_then(Result::err).map(|e| t.error(&e));

    let mode = RwSignal::new(ComposerMode::Reply);
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let on_posted = Callback::new(move |fresh: ConversationDetail| state.set(fresh));
    // The conversation as it now is: after a retry or an undo on one message, a change made
    // elsewhere, or a reconnection. An answer older than what is shown is dropped.
    let refresh = Callback::new(move |_: ()| {
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = api::conversation(id.get_value()).await
                && fresh.summary.rev >= state.with_untracked(|d| d.summary.rev)
            {
                state.set(fresh);
            }
        });
    });

    // Live: say this tab is here, and follow what others change.
    let live = use_live();
    let conversation = state.with_untracked(|d| d.summary.id);
    live.open(Some(conversation));
    on_cleanup(move || live.close(conversation));
    live.on_change(move |change| {
        if change.conversation == conversation && change.rev > state.with_untracked(|d| d.summary.rev) {
            refresh.run(());
        }
    });
    live.on_reconnect(move || refresh.run(()));

    // r / n start a reply or a note, e closes, a assigns to me. Not while typing.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() || super::keys::typing(&ev) {
            return;
        }
        let focus = move |m: ComposerMode| {
            mode.set(m);
            if let Some(area) = textarea.get_untracked() {
                let _ = area.focus();
            }
        };
        match ev.key().as_str() {
            "r" => {
                ev.prevent_default();
                focus(ComposerMode::Reply);
            }
            "n" => {
                ev.prevent_default();
                focus(ComposerMode::Note);
            }
            "e" => act_with.run(ConversationAction::SetStatus(Status::Closed)),
            "a" => act_with.run(ConversationAction::Assign(Some(viewer))),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        <div class="conversation-layout">
            <div class="conversation-main">
                <header class="content-header">
                    <a class="back" href=back dir="auto">{mailbox_name}</a>
                    <Subject state act_with/>
                    <PresenceLine conversation/>
                    <p class="muted">
                        <span dir="auto">{move || state.with(|d| d.summary.contact_name.clone())}</span>
                        " · "
                        <span dir="auto">{move || state.with(|d| d.summary.contact_email.clone())}</span>
                    </p>
                </header>
                <Controls state act_with pending=act.pending()/>
                {move || act_error().map(|e| view! { <p class="alert alert-error" role="alert">{t.action_failed} " " {e}</p> })}
                <section class="thread" aria-label=t.messages>
                    <For
                        each=move || state.with(|d| d.messages.clone())
                        key=|m| (m.id, m.delivery.as_ref().map(|d| d.status))
                        children=move |m| view! { <MessageCard m refresh/> }
                    />
                </section>
                <Composer id=id.get_value() reply_draft note_draft setup mode textarea on_posted state refresh/>
                <section class="history">
                    <h2>{t.history}</h2>
                    <ol>
                        {move || {
                            state.with(|d| d.history.clone()).into_iter().map(|h| view! { <li>{history_line(t, h)}</li> }).collect_view()
                        }}
                    </ol>
                </section>
            </div>
            <ContactCard state/>
        </div>
    }
}

/// The subject as a heading, with a "Rename" button that turns it into a form.
#[component]
fn Subject(state: RwSignal<ConversationDetail>, act_with: Callback<ConversationAction>) -> impl IntoView {
    let t = use_texts();
    let editing = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let subject = move || state.with(|d| d.summary.subject.clone());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = input.get_untracked() {
            act_with.run(ConversationAction::Rename(input.value()));
        }
        editing.set(false);
    };
    view! {
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <div class="subject-line">
                    <h1 dir="auto">{subject}</h1>
                    <button type="button" class="btn btn-quiet" on:click=move |_| editing.set(true)>{t.rename}</button>
                </div>
            }
        >
            <form class="rename-form" on:submit=save>
                <label class="visually-hidden" for="c-subject">{t.subject}</label>
                <input id="c-subject" node_ref=input type="text" dir="auto" value=subject maxlength="250" required autofocus/>
                <button type="submit" class="btn btn-primary">{t.save}</button>
                <button type="button" class="btn" on:click=move |_| editing.set(false)>{t.cancel}</button>
            </form>
        </Show>
    }
}

/// Status, snooze, priority, assignee, follow and tags.
#[component]
fn Controls(
    state: RwSignal<ConversationDetail>,
    act_with: Callback<ConversationAction>,
    pending: Memo<bool>,
) -> impl IntoView {
    let t = use_texts();
    let status = move || state.with(|d| d.summary.status);
    let priority = move || state.with(|d| d.summary.priority);
    let assignee = move || state.with(|d| d.assignee_id.map(|id| id.to_string()).unwrap_or_default());
    let viewer = state.with_untracked(|d| d.viewer);
    let following = move || state.with(|d| d.following);
    let snoozed_until = move || state.with(|d| d.snoozed_until);
    let tag_input = NodeRef::<leptos::html::Input>::new();
    let add_tag = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = tag_input.get_untracked() {
            let name = input.value();
            if !name.trim().is_empty() {
                act_with.run(ConversationAction::AddTag(name));
                input.set_value("");
            }
        }
    };
    view! {
        <div class="controls" aria-busy=move || pending.get().to_string()>
            <div class="control">
                <label for="c-status">{t.status_label}</label>
                <select
                    id="c-status"
                    prop:value=move || status().as_str()
                    on:change=move |ev| {
                        if let Ok(s) = event_target_value(&ev).parse() {
                            act_with.run(ConversationAction::SetStatus(s));
                        }
                    }
                >
                    {WORKING_STATUSES
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str() selected=move || status() == s>{t.status(s)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="control">
                <label for="c-priority">{t.priority_label}</label>
                <select
                    id="c-priority"
                    prop:value=move || priority().as_str()
                    on:change=move |ev| {
                        if let Ok(p) = event_target_value(&ev).parse() {
                            act_with.run(ConversationAction::SetPriority(p));
                        }
                    }
                >
                    {Priority::ALL
                        .into_iter()
                        .map(|p| view! { <option value=p.as_str() selected=move || priority() == p>{t.priority(p)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="control">
                <label for="c-assignee">{t.assignee_label}</label>
                <select
                    id="c-assignee"
                    prop:value=assignee
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        act_with.run(ConversationAction::Assign(value.parse().ok()));
                    }
                >
                    <option value="" selected=move || assignee().is_empty()>{t.unassigned}</option>
                    {move || {
                        state
                            .with(|d| d.assignable.clone())
                            .into_iter()
                            .map(|p| {
                                let value = p.id.to_string();
                                let is = value.clone();
                                view! { <option value=value selected=move || assignee() == is>{p.name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
                <Show when=move || state.with(|d| d.assignee_id != Some(viewer))>
                    <button
                        type="button"
                        class="btn btn-quiet"
                        on:click=move |_| act_with.run(ConversationAction::Assign(Some(viewer)))
                    >
                        {t.assign_to_me}
                    </button>
                </Show>
            </div>
            <div class="control">
                <Show
                    when=move || snoozed_until().is_some()
                    fallback=move || view! {
                        <label for="c-snooze">{t.snooze}</label>
                        <select
                            id="c-snooze"
                            on:change=move |ev| {
                                if let Ok(secs) = event_target_value(&ev).parse() {
                                    act_with.run(ConversationAction::SnoozeFor(secs));
                                }
                            }
                        >
                            <option value="" selected>{t.snooze_pick}</option>
                            {SNOOZE_CHOICES
                                .into_iter()
                                .zip([t.snooze_1h, t.snooze_4h, t.snooze_1d, t.snooze_3d, t.snooze_1w])
                                .map(|(secs, label)| view! { <option value=secs.to_string()>{label}</option> })
                                .collect_view()}
                        </select>
                    }
                >
                    <span class="badge snoozed">
                        {move || t.snoozed_until.view([snoozed_until().map(format::date_time).unwrap_or_default()])}
                    </span>
                    <button type="button" class="btn btn-quiet" on:click=move |_| act_with.run(ConversationAction::Snooze(None))>
                        {t.wake_now}
                    </button>
                </Show>
            </div>
            <div class="control">
                <button
                    type="button"
                    class="btn"
                    class:btn-on=following
                    aria-pressed=move || following().to_string()
                    on:click=move |_| act_with.run(ConversationAction::Follow(!following()))
                >
                    {move || if following() { t.following } else { t.follow }}
                </button>
            </div>
            <div class="control tags-control">
                <span class="control-label">{t.tags}</span>
                <ul class="tag-list">
                    {move || {
                        state
                            .with(|d| d.summary.tags.clone())
                            .into_iter()
                            .map(|tag| {
                                let name = tag.clone();
                                let label = format!("{} {tag}", t.remove_tag);
                                view! {
                                    <li class="tag">
                                        <bdi>{tag}</bdi>
                                        <button
                                            type="button"
                                            class="tag-remove"
                                            aria-label=label
                                            on:click=move |_| act_with.run(ConversationAction::RemoveTag(name.clone()))
                                        >
                                            "×"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <form class="tag-add" on:submit=add_tag>
                    <input node_ref=tag_input type="text" dir="auto" maxlength="50" aria-label=t.add_tag placeholder=t.add_tag/>
                </form>
            </div>
        </div>
    }
}

/// Where a draft stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DraftState {
    Idle,
    Saving,
    Saved,
    Failed,
}

/// The composer: Reply, Forward or Note. A reply shows To (the customer, editable), Cc and
/// Bcc, "Reply all", files to attach and the signature it will carry; a forward goes to
/// whoever the agent names, with the conversation below. Text and recipients are saved as
/// a draft on the server while the agent types. It is a real form posting to the server
/// function, so replies and notes also work before the WASM has loaded.
#[component]
fn Composer(
    id: String,
    reply_draft: String,
    note_draft: String,
    setup: ReplyComposer,
    mode: RwSignal<ComposerMode>,
    textarea: NodeRef<leptos::html::Textarea>,
    on_posted: Callback<ConversationDetail>,
    state: RwSignal<ConversationDetail>,
    refresh: Callback<()>,
) -> impl IntoView {
    let t = use_texts();
    let id = StoredValue::new(id);
    let live = use_live();
    let conversation = state.with_untracked(|d| d.summary.id);
    // The conversation's `seq` when the agent started this reply: sending is refused if
    // anything was added since, until the agent has read it and chooses "Send anyway".
    let seen = RwSignal::new(state.with_untracked(|d| d.seq));
    let stale = RwSignal::new(false);
    let reply_text = RwSignal::new(reply_draft);
    let note_text = RwSignal::new(note_draft);
    let text_of = move |m: ComposerMode| match m {
        ComposerMode::Reply => reply_text,
        ComposerMode::Note => note_text,
    };
    let to = RwSignal::new(setup.to.clone());
    let cc = RwSignal::new(setup.cc.clone());
    let bcc = RwSignal::new(setup.bcc.clone());
    let forward = RwSignal::new(setup.forward);
    let show_copies = RwSignal::new(!setup.cc.is_empty() || !setup.bcc.is_empty());
    let attached = Attached::new(setup.files.clone());
    let default_to = StoredValue::new(setup.default_to.clone());
    let reply_all = StoredValue::new(setup.reply_all.clone());
    let signature = setup.signature.clone();
    let can_send = setup.can_send;
    let client_id = RwSignal::new(fresh::request_id());
    let draft_state = RwSignal::new(DraftState::Idle);
    let generation = StoredValue::new(0u64);

    let save_draft = Action::new(move |m: &ComposerMode| {
        let m = *m;
        let body = text_of(m).get_untracked();
        let (to, cc, bcc, forward) = match m {
            ComposerMode::Reply => {
                (to.get_untracked(), cc.get_untracked(), bcc.get_untracked(), forward.get_untracked())
            }
            ComposerMode::Note => (String::new(), String::new(), String::new(), false),
        };
        async move {
            let saved = api::save_draft(id.get_value(), m.as_str().to_string(), body, to, cc, bcc, forward).await;
            draft_state.set(if saved.is_ok() { DraftState::Saved } else { DraftState::Failed });
        }
    });
    // Saves the current mode's draft once the agent pauses.
    let schedule_save = move || {
        let m = mode.get_untracked();
        draft_state.set(DraftState::Saving);
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    save_draft.dispatch(m);
                }
            },
            std::time::Duration::from_millis(DRAFT_DELAY_MS),
        );
    };
    let on_input = move |ev: leptos::ev::Event| {
        let m = mode.get_untracked();
        let value = event_target_value(&ev);
        let was_empty = text_of(m).with_untracked(|text| text.trim().is_empty());
        if m == ComposerMode::Reply && (was_empty || stale.get_untracked()) {
            // A new reply starts from what is on screen now; so does editing a refused one.
            seen.set(state.with_untracked(|d| d.seq));
            stale.set(false);
        }
        if value.trim().is_empty() {
            live.idle(conversation);
        } else {
            live.typing(conversation, writing(m));
        }
        text_of(m).set(value);
        schedule_save();
    };
    let field_input = move |field: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            field.set(event_target_value(&ev));
            schedule_save();
        }
    };

    let post = ServerAction::<api::PostMessage>::new();
    let post_url = <api::PostMessage as ServerFn>::url();
    Effect::new(move |_| {
        if let Some(Ok(fresh)) = post.value().get() {
            // The posted text is stored; start afresh with a new id for the next one.
            let m = mode.get_untracked();
            text_of(m).set(String::new());
            if m == ComposerMode::Reply {
                to.set(default_to.get_value());
                cc.set(String::new());
                bcc.set(String::new());
                forward.set(false);
                attached.files.set(Vec::new());
                show_copies.set(false);
            }
            client_id.set(fresh::request_id());
            draft_state.set(DraftState::Idle);
            seen.set(fresh.seq);
            stale.set(false);
            live.idle(conversation);
            on_posted.run(fresh);
        }
    });
    Effect::new(move |_| {
        if let Some(Err(AppError::Stale { .. })) = post.value().get() {
            // Show what happened in place; the text stays for "Send anyway" or "Edit".
            stale.set(true);
            refresh.run(());
        }
    });
    let post_error = move || {
        post.value().get().and_then(Result::err).filter(|e| !matches!(e, AppError::Stale { .. })).map(|e| t.error(&e))
    };
    // What the composer shows is what it sends: its fields are bound to these signals.
    let send = move || {
        let m = mode.get_untracked();
        post.dispatch(api::PostMessage {
            id: id.get_value(),
            mode: m.as_str().to_string(),
            body: text_of(m).get_untracked(),
            client_id: client_id.get_untracked(),
            to: to.get_untracked(),
            cc: cc.get_untracked(),
            bcc: bcc.get_untracked(),
            forward: forward.get_untracked().to_string(),
            files: untrack(|| attached.ids()),
            seen_seq: seen.get_untracked().to_string(),
        });
    };
    let send_anyway = move |_| {
        stale.set(false);
        leptos::task::spawn_local(async move {
            // Against the conversation as it is now, which the agent has just been shown.
            if let Ok(fresh) = api::conversation(id.get_value()).await {
                seen.set(fresh.seq);
                state.set(fresh);
            }
            send();
        });
    };
    let edit = move |_| {
        stale.set(false);
        seen.set(state.with_untracked(|d| d.seq));
        if let Some(area) = textarea.get_untracked() {
            let _ = area.focus();
        }
    };
    // Before the first keystroke: someone else is already answering, or it is theirs.
    let others_writing = move || {
        live.others_in(conversation).into_iter().filter(|p| p.doing == Doing::Reply).map(|p| p.name).collect::<Vec<_>>()
    };
    let assigned_to_other =
        move || state.with(|d| d.assignee_id.filter(|a| *a != d.viewer).and(d.summary.assignee_name.clone()));
    let is_note = move || mode.get() == ComposerMode::Note;
    let is_reply = move || mode.get() == ComposerMode::Reply;
    let pick = move |m: ComposerMode, fwd: bool| {
        mode.set(m);
        if m == ComposerMode::Reply && fwd != forward.get_untracked() {
            forward.set(fwd);
            // A forward goes to someone new; a reply goes back to the customer.
            if fwd && to.get_untracked() == default_to.get_value() {
                to.set(String::new());
            } else if !fwd && to.get_untracked().trim().is_empty() {
                to.set(default_to.get_value());
            }
            schedule_save();
        }
        if let Some(area) = textarea.get_untracked() {
            let _ = area.focus();
        }
    };
    let tab = move |m: ComposerMode, fwd: bool, label: &'static str| {
        let selected = move || mode.get() == m && (m == ComposerMode::Note || forward.get() == fwd);
        view! {
            <button
                type="button"
                role="tab"
                class="composer-tab"
                aria-selected=move || selected().to_string()
                on:click=move |_| pick(m, fwd)
            >
                {label}
            </button>
        }
    };
    let add_reply_all = move |_| {
        let extra = reply_all.get_value();
        cc.update(|cc| {
            *cc = if cc.trim().is_empty() {
                extra.clone()
            } else {
                format!("{}, {extra}", cc.trim_end_matches([',', ' ']))
            };
        });
        show_copies.set(true);
        schedule_save();
    };
    let initial_text = crate::format::textarea_markup(&text_of(mode.get_untracked()).get_untracked());
    let has_reply_all = !setup.reply_all.is_empty();
    let signature_view = (!signature.trim().is_empty()).then(|| {
        view! {
            <div class="composer-signature muted" hidden=move || !is_reply()>
                <span class="visually-hidden">{t.signature_label}</span>
                <div dir="auto">{signature.clone()}</div>
            </div>
        }
    });

    view! {
        <section class="composer" class:composer-note=is_note>
            <div class="composer-tabs" role="tablist" aria-label=t.composer_mode>
                {tab(ComposerMode::Reply, false, t.mode_reply)}
                {tab(ComposerMode::Reply, true, t.mode_forward)}
                {tab(ComposerMode::Note, false, t.mode_note)}
            </div>
            // Without JavaScript the browser posts these fields to the same function.
            <form method="post" action=post_url on:submit=move |ev| {
                ev.prevent_default();
                send();
            }>
                <input type="hidden" name="id" value=id.get_value()/>
                <input type="hidden" name="mode" value=move || mode.get().as_str()/>
                <input type="hidden" name="client_id" value=move || client_id.get()/>
                <input type="hidden" name="forward" value=move || forward.get().to_string()/>
                <input type="hidden" name="files" value=move || attached.ids()/>
                <input type="hidden" name="seen_seq" value=move || seen.get().to_string()/>
                // What belongs to a reply only is hidden, not unmounted, while a note is
                // written: an attribute costs the page less code than a `<Show>` per part.
                <div class="reply-only" hidden=move || !is_reply()>
                    {move || {
                        others_writing()
                            .into_iter()
                            .map(|name| view! {
                                <p class="composer-warning" role="status">{t.live_already_writing.view([name])}</p>
                            })
                            .collect_view()
                    }}
                    {move || assigned_to_other().map(|name| view! {
                        <p class="composer-warning" role="status">{t.live_assigned_to.view([name])}</p>
                    })}
                    <div class="recipients">
                        <div class="recipient-row">
                            <label for="c-to">{t.to_label}</label>
                            <input id="c-to" name="to" type="text" dir="ltr" autocomplete="off"
                                prop:value=move || to.get() on:input=field_input(to)/>
                            <button type="button" class="btn btn-quiet" hidden=move || show_copies.get()
                                on:click=move |_| show_copies.set(true)>
                                {t.show_cc_bcc}
                            </button>
                            <button type="button" class="btn btn-quiet" hidden=move || !has_reply_all || forward.get()
                                on:click=add_reply_all>{t.reply_all}</button>
                        </div>
                        <div class="recipient-row" hidden=move || !show_copies.get()>
                            <label for="c-cc">{t.cc_label}</label>
                            <input id="c-cc" name="cc" type="text" dir="ltr" autocomplete="off"
                                prop:value=move || cc.get() on:input=field_input(cc)/>
                        </div>
                        <div class="recipient-row" hidden=move || !show_copies.get()>
                            <label for="c-bcc">{t.bcc_label}</label>
                            <input id="c-bcc" name="bcc" type="text" dir="ltr" autocomplete="off"
                                prop:value=move || bcc.get() on:input=field_input(bcc)/>
                        </div>
                    </div>
                </div>
                <textarea
                    node_ref=textarea
                    name="body"
                    dir="auto"
                    rows="5"
                    aria-label=move || if is_note() { t.mode_note } else if forward.get() { t.mode_forward } else { t.mode_reply }
                    placeholder=move || {
                        if is_note() { t.note_placeholder } else if forward.get() { t.forward_placeholder } else { t.reply_placeholder }
                    }
                    prop:value=move || text_of(mode.get()).get()
                    inner_html=initial_text
                    on:input=on_input
                    on:blur=move |_| {
                        // Leaving the box (to click a link, say) saves at once.
                        if draft_state.get_untracked() == DraftState::Saving {
                            generation.update_value(|g| *g += 1);
                            save_draft.dispatch(mode.get_untracked());
                        }
                    }
                ></textarea>
                {signature_view}
                <p class="muted composer-hint" hidden=move || !is_reply() || !forward.get()>{t.forward_hint}</p>
                <p class="muted composer-hint" hidden=move || !is_reply() || can_send>{t.never_sends}</p>
                <div class="reply-only" hidden=move || !is_reply()>
                    <AttachedFiles attached/>
                </div>
                <div class="composer-footer">
                    <span class="reply-only" hidden=move || !is_reply()>
                        <AttachButton conversation=id.get_value() attached/>
                    </span>
                    <span class="draft-state muted" aria-live="polite">
                        {move || {
                            if attached.busy() {
                                return t.uploading;
                            }
                            match draft_state.get() {
                                DraftState::Idle => "",
                                DraftState::Saving => t.draft_saving,
                                DraftState::Saved => t.draft_saved,
                                DraftState::Failed => t.draft_failed,
                            }
                        }}
                    </span>
                    <button type="submit" class="btn btn-primary" disabled=move || post.pending().get() || attached.busy()>
                        {move || match (post.pending().get(), is_note(), forward.get()) {
                            (true, _, _) => t.posting,
                            (false, true, _) => t.add_note,
                            (false, false, true) => t.mode_forward,
                            (false, false, false) => t.send,
                        }}
                    </button>
                </div>
            </form>
            <Show when=move || stale.get()>
                <div class="alert alert-warning stale-reply" role="alert">
                    <p>{t.live_stale}</p>
                    <div class="stale-actions">
                        <button type="button" class="btn btn-primary" on:click=send_anyway>{t.live_send_anyway}</button>
                        <button type="button" class="btn" on:click=edit>{t.live_edit}</button>
                    </div>
                </div>
            </Show>
            {move || post_error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        </section>
    }
}

/// What the live channel calls a composer mode.
fn writing(mode: ComposerMode) -> Writing {
    match mode {
        ComposerMode::Reply => Writing::Reply,
        ComposerMode::Note => Writing::Note,
    }
}

#[component]
fn MessageCard(m: MessageView, refresh: Callback<()>) -> impl IntoView {
    let t = use_texts();
    let (class, label) = match m.direction {
        Direction::Inbound => ("message message-inbound", t.from_customer),
        Direction::Outbound => ("message message-outbound", t.reply_sent),
        Direction::Note => ("message message-note", t.internal_note),
    };
    let message = m.id.to_string();
    let failed = RwSignal::new(None::<String>);
    let delivery = m.delivery.map(|d| {
        let class = format!("delivery delivery-{}", d.status.as_str());
        let label = match d.status {
            DeliveryStatus::Retrying => t.retrying_attempt.text([&format::number(d.attempts)]),
            other => t.delivery(other).to_string(),
        };
        let reason = d.last_error.as_ref().map(|fault| refusals::mail_fault(t.lang, fault)).unwrap_or_default();
        let action = match d.status {
            DeliveryStatus::Failed => Some((t.send_again, true)),
            DeliveryStatus::Queued => Some((t.undo_send, false)),
            _ => None,
        };
        let button = action.map(|(text, again)| {
            let message = message.clone();
            view! {
                <button type="button" class="btn btn-quiet" on:click=move |_| {
                    let message = message.clone();
                    leptos::task::spawn_local(async move {
                        let done = if again {
                            api::retry_reply(message).await
                        } else {
                            api::undo_reply(message).await
                        };
                        match done {
                            Ok(()) => refresh.run(()),
                            Err(e) => failed.set(Some(t.error(&e))),
                        }
                    });
                }>{text}</button>
            }
        });
        let shown_reason = (d.status == DeliveryStatus::Failed && !reason.is_empty())
            .then(|| view! { <p class="delivery-reason" dir="auto">{reason.clone()}</p> });
        view! {
            <span class=class title=reason>{label}</span>
            {button}
            {shown_reason}
        }
    });
    let body = match m.html {
        Some(html) => {
            let remote = model::has_remote_images(&html);
            let load = RwSignal::new(false);
            let html = StoredValue::new(html);
            let frame = NodeRef::<leptos::html::Iframe>::new();
            // The frame has no scripts; the page sizes it to its content once it has loaded.
            let fit = move |_| {
                if let Some(frame) = frame.get_untracked()
                    && let Some(document) = frame.content_document()
                    && let Some(body) = document.body()
                {
                    let _ = frame.set_attribute("style", &format!("height: {}px", body.scroll_height() + 16));
                }
            };
            view! {
                {remote.then(|| view! {
                    <button type="button" class="btn btn-quiet load-images" on:click=move |_| load.set(true)
                        hidden=move || load.get()>{t.load_images}</button>
                })}
                <iframe class="message-html" node_ref=frame title=t.messages
                    sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
                    srcdoc=move || model::frame_document(&model::fold_quoted_html(&html.get_value(), t.show_quoted), load.get())
                    on:load=fit></iframe>
            }
            .into_any()
        }
        None => {
            let (main, quoted) = model::split_quoted(&m.body_text);
            view! {
                <div class="message-body" dir="auto">{main}</div>
                {quoted.map(|q| view! {
                    <details class="quoted">
                        <summary>{t.show_quoted}</summary>
                        <div class="message-body" dir="auto">{q}</div>
                    </details>
                })}
            }
            .into_any()
        }
    };
    // Whom a mail went to, when it went to more than the mailbox or the customer alone.
    let addressed = (m.direction != Direction::Note && !(m.to.is_empty() && m.cc.is_empty())).then(|| {
        let mut parts = vec![t.to_line.text([&m.to])];
        if !m.cc.is_empty() {
            parts.push(format!("{}: {}", t.cc_label, m.cc));
        }
        if !m.bcc.is_empty() {
            parts.push(format!("{}: {}", t.bcc_label, m.bcc));
        }
        view! { <p class="message-addressed muted" dir="auto">{parts.join(" · ")}</p> }
    });
    let files = (!m.attachments.is_empty()).then(|| {
        view! {
            <ul class="attachments" aria-label=t.attachments>
                {m.attachments
                    .into_iter()
                    .map(|a| {
                        let href = format!("/attachments/{}", a.id);
                        let name = a.filename.clone();
                        view! {
                            <li>
                                <a href=href download=name dir="auto">{a.filename}</a>
                                " " <span class="muted" dir="ltr">{format::bytes(a.size)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <article class=class>
            <header>
                <strong dir="auto">{m.author}</strong>
                <span class="message-kind">{label}</span>
                {delivery}
                <time class="muted" dir="ltr">{format::date_time(m.created_at)}</time>
            </header>
            {addressed}
            {move || failed.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            {body}
            {files}
        </article>
    }
}

/// The customer beside the conversation: name, addresses, and their other conversations.
#[component]
fn ContactCard(state: RwSignal<ConversationDetail>) -> impl IntoView {
    let t = use_texts();
    let card = state.with_untracked(|d| d.contact.clone());
    let name = if card.name.is_empty() { card.emails.first().cloned().unwrap_or_default() } else { card.name.clone() };
    let initial = crate::format::initial(&name);
    let others = card.conversations;
    view! {
        <aside class="contact-card" aria-label=t.contact>
            <div class="contact-head">
                <span class="avatar avatar-large" aria-hidden="true">{initial}</span>
                <div>
                    <h2 dir="auto">{name}</h2>
                    <ul class="contact-emails">
                        {card.emails.into_iter().map(|e| view! { <li dir="ltr">{e}</li> }).collect_view()}
                    </ul>
                </div>
            </div>
            <h3>{t.other_conversations}</h3>
            {if others.is_empty() {
                view! { <p class="muted">{t.no_other_conversations}</p> }.into_any()
            } else {
                view! {
                    <ul class="contact-conversations">
                        {others
                            .into_iter()
                            .map(|c| {
                                let href = format!("/conversations/{}", c.id);
                                let status_class = format!("badge status-{}", c.status.as_str());
                                view! {
                                    <li>
                                        <a href=href dir="auto">{c.subject}</a>
                                        <span class=status_class>{t.status(c.status)}</span>
                                        <time class="muted" dir="ltr">{format::date_time(c.last_activity_at)}</time>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <h3>{t.followers}</h3>
            {move || {
                let followers = state.with(|d| d.followers.clone());
                if followers.is_empty() {
                    view! { <p class="muted">{t.no_followers}</p> }.into_any()
                } else {
                    view! {
                        <ul class="followers">
                            {followers.into_iter().map(|p| view! { <li dir="auto">{p.name}</li> }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
        </aside>
    }
}

fn history_line(t: &'static Texts, h: HistoryEntry) -> impl IntoView {
    // Each language places the value in its own sentence; names, tags and subjects are
    // isolated with <bdi>, so an Arabic name in an English sentence (or the other way round)
    // cannot reorder the words around it.
    let said = match h.change {
        HistoryChange::Created => vec![Piece::Text(t.h_created)],
        HistoryChange::Assigned(Some(name)) => t.h_assigned_to.pieces([name]),
        HistoryChange::Assigned(None) => vec![Piece::Text(t.h_unassigned)],
        HistoryChange::Status(status) => t.h_status.pieces([t.status(status).to_string()]),
        HistoryChange::Priority(priority) => t.h_priority.pieces([t.priority(priority).to_string()]),
        HistoryChange::Tagged(tag) => t.h_tagged.pieces([tag]),
        HistoryChange::Untagged(tag) => t.h_untagged.pieces([tag]),
        HistoryChange::Snoozed(until) => t.h_snoozed.pieces([format::date_time(until)]),
        HistoryChange::Unsnoozed => vec![Piece::Text(t.h_unsnoozed)],
        HistoryChange::Renamed(subject) => t.h_renamed.pieces([subject]),
        HistoryChange::Followed(name) => t.h_followed.pieces([name]),
        HistoryChange::Unfollowed(name) => t.h_unfollowed.pieces([name]),
        HistoryChange::Unknown => vec![Piece::Text(t.h_unknown)],
    };
    let said = sentence(said);
    view! {
        <time class="muted" dir="ltr">{format::date_time(h.created_at)}</time>
        " "
        {said}
        {h.actor.map(|name| view! { <span class="muted">" — " <bdi>{name}</bdi></span> })}
    }
}
