//! Keyboard shortcuts. The conversation page handles its own (r, n, e, a); the frame handles
//! moving in the list (j, k) and the help (`?`), which lists them all.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;

use crate::i18n::use_texts;

/// Whether a key event happens while the person is typing (in a field, a menu or an
/// editable area), when letters must stay letters.
pub fn typing(ev: &leptos::ev::KeyboardEvent) -> bool {
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlElement>().ok()) else {
        return false;
    };
    matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || target.is_content_editable()
}

/// Moves the focus to the next (`step` 1) or previous (-1) row of the conversation list on
/// the page, starting from the first one.
fn move_in_list(step: i32) {
    let Ok(rows) = document().query_selector_all(".conversation-list .row-body") else {
        return;
    };
    let count = rows.length() as i32;
    if count == 0 {
        return;
    }
    let active = document().active_element();
    let current = (0..count).find(|i| {
        let row = rows.item(*i as u32);
        matches!((&row, &active), (Some(r), Some(a)) if r.is_same_node(Some(a.as_ref())))
    });
    let next = match current {
        Some(i) => (i + step).clamp(0, count - 1),
        None => 0,
    };
    if let Some(row) = rows.item(next as u32).and_then(|n| n.dyn_into::<leptos::web_sys::HtmlElement>().ok()) {
        let _ = row.focus();
        row.scroll_into_view_with_bool(false);
    }
}

/// The frame's shortcuts, and the dialog that lists every shortcut.
#[component]
pub fn Shortcuts() -> impl IntoView {
    let t = use_texts();
    let open = RwSignal::new(false);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            open.set(false);
            return;
        }
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() || typing(&ev) {
            return;
        }
        match ev.key().as_str() {
            "j" => move_in_list(1),
            "k" => move_in_list(-1),
            "?" => open.update(|o| *o = !*o),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let rows = [
        ("j", t.k_next),
        ("k", t.k_prev),
        ("Enter", t.k_open),
        ("r", t.k_reply),
        ("n", t.k_note),
        ("e", t.k_close),
        ("a", t.assign_to_me),
        ("?", t.k_help),
    ];
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)>
                <div
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-label=t.shortcuts
                    on:click=|ev| ev.stop_propagation()
                >
                    <h2>{t.shortcuts}</h2>
                    <dl class="shortcut-list">
                        {rows
                            .into_iter()
                            .map(|(key, what)| view! { <dt><kbd>{key}</kbd></dt> <dd>{what}</dd> })
                            .collect_view()}
                    </dl>
                    <button type="button" class="btn" on:click=move |_| open.set(false)>{t.close}</button>
                </div>
            </div>
        </Show>
    }
}
