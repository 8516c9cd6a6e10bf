//! Fresh random ids made where a request starts, such as the id a reply carries so that a
//! double click or a retried request posts it once.

/// A new random UUID (version 4) as text.
pub fn request_id() -> String {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

#[cfg(feature = "hydrate")]
fn fill_random(bytes: &mut [u8]) {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        // Available in every browser context, secure or not (unlike `crypto.randomUUID`).
        #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
        fn get_random_values(buf: &mut [u8]);
    }
    get_random_values(bytes);
}

#[cfg(all(feature = "ssr", not(feature = "hydrate")))]
fn fill_random(bytes: &mut [u8]) {
    // On the server the id only seeds the first render of a form; a time-ordered id from
    // the same generator the backend uses is as good as random here.
    let id = uuid::Uuid::now_v7();
    bytes.copy_from_slice(id.as_bytes());
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn fill_random(_bytes: &mut [u8]) {}
