//! Forms posted to a server function without `ActionForm`.
//!
//! `ActionForm` reads a form's fields into the function's arguments through serde_qs, whose
//! deserializer was 19 KB (brotli) of every page with a form. A form here is a plain
//! `<form method="post" action=<Fn as ServerFn>::url()>`: without JavaScript the browser
//! posts it to the function as before; with it, the submit handler builds the arguments
//! from [`Fields`] (or from the page's own signals) and dispatches the action.

use leptos::ev::SubmitEvent;

/// The named values of a submitted form.
pub struct Fields {
    #[cfg(feature = "hydrate")]
    data: Option<web_sys::FormData>,
}

impl Fields {
    /// Stops the browser's own submission and reads the form's fields.
    pub fn take(ev: &SubmitEvent) -> Self {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let data = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|form| web_sys::FormData::new_with_form(&form).ok());
            Fields { data }
        }
        #[cfg(not(feature = "hydrate"))]
        Fields {}
    }

    /// The text of the field `name`; empty when the form has none.
    pub fn text(&self, name: &str) -> String {
        #[cfg(feature = "hydrate")]
        if let Some(value) = self.data.as_ref().and_then(|d| d.get(name).as_string()) {
            return value;
        }
        let _ = name;
        String::new()
    }

    /// Every value of the fields named `name` (the ticked boxes of a group), in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        #[cfg(feature = "hydrate")]
        if let Some(data) = self.data.as_ref() {
            return data.get_all(name).iter().filter_map(|v| v.as_string()).collect();
        }
        let _ = name;
        Vec::new()
    }
}
