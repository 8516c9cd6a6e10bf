//! When the WASM stops: a panic aborts the whole module (`panic = "abort"`), after which no
//! click does anything. The commonest cause is a lazy page's chunk that could not be fetched
//! (the network dropped, or the server now runs a newer build whose chunks have other names).
//! The hook logs the panic as before and puts a banner on the page, in the page's language,
//! with a Retry link: a plain link, since no script of ours can run any more.

use std::cell::RefCell;

use wasm_bindgen::JsCast;

use crate::i18n::Lang;

thread_local! {
    /// Where the router is going. The address bar changes only once the new page is ready,
    /// so after a chunk that failed it still shows the page before; Retry must go here.
    static WANTED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers the path and query the router is going to (see [`WANTED`]).
pub fn remember(path_and_query: String) {
    WANTED.with(|wanted| *wanted.borrow_mut() = Some(path_and_query));
}

/// Installs the hook; called once, first thing in `hydrate`.
pub fn set_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_banner();
    }));
}

fn show_banner() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if document.get_element_by_id("app-broken").is_some() {
        return;
    }
    let lang = document
        .document_element()
        .and_then(|root| root.get_attribute("lang"))
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_default();
    let t = lang.texts();
    let here = WANTED
        .with(|wanted| wanted.borrow().clone())
        .or_else(|| document.location().and_then(|l| l.href().ok()))
        .unwrap_or_else(|| "/".to_string());
    let (Ok(banner), Ok(text), Ok(link)) =
        (document.create_element("div"), document.create_element("p"), document.create_element("a"))
    else {
        return;
    };
    banner.set_id("app-broken");
    banner.set_class_name("app-broken");
    let _ = banner.set_attribute("role", "alert");
    text.set_text_content(Some(t.page_broken));
    link.set_text_content(Some(t.retry));
    let _ = link.set_attribute("href", &here);
    // A full page load: the router's own click handler still runs in the stopped module.
    let _ = link.set_attribute("rel", "external");
    link.set_class_name("btn btn-primary");
    let _ = banner.append_child(&text);
    let _ = banner.append_child(&link);
    if let Some(body) = document.body() {
        let _ = body.append_child(banner.unchecked_ref::<web_sys::Node>());
    }
}
