//! The JSON the browser reads: server functions' answers and errors, resources' hydration
//! data, live frames and upload answers, all through one reader.
//!
//! In the browser that reader is the browser's own: `JSON.parse`, then serde-wasm-bindgen
//! turns the JavaScript value into the Rust type ([`from_json`]). serde_json's reader, which
//! the browser no longer carries, compiled a parser into every type's deserializer and was a
//! seventh of the first load's code. Resources use the same pair (`Resource::
//! new_serde_wb_blocking`), so each type has one deserializer. On the server, and in tests,
//! [`from_json`] is serde_json. The bytes on the wire are the same JSON either way: the
//! server writes it with serde_json.
//!
//! What the browser reads this way must stay within what a JavaScript number holds exactly:
//! an integer beyond 2^53 (a `u64` id, a nanosecond stamp) would make the whole answer
//! unreadable in the browser, not merely imprecise. Ids are UUIDs (strings) and stamps are
//! microseconds, far inside the limit.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a text could not be read as the type asked for (worded for logs, never shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unreadable JSON: {}", self.0)
    }
}

/// Reads `text` as JSON into `T`.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Unreadable> {
    #[cfg(feature = "hydrate")]
    {
        let value = js_sys::JSON::parse(text).map_err(|e| Unreadable(format!("{e:?}")))?;
        serde_wasm_bindgen::from_value(value).map_err(|e| Unreadable(e.to_string()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        serde_json::from_str(text).map_err(|e| Unreadable(e.to_string()))
    }
}

/// JSON, written by serde_json and read by [`from_json`].
pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = Unreadable;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|e| Unreadable(e.to_string()))?;
        from_json(text)
    }
}

/// A server function's answer (or its body, as input) as JSON in a `POST`.
pub type Json = Post<JsonText>;

/// A resource whose hydration data the browser reads with `JSON.parse`, as [`from_json`]
/// does (made with `Resource::new_serde_wb` or `new_serde_wb_blocking`).
pub type Resource<T> = leptos::prelude::Resource<T, leptos_server::codee::string::JsonSerdeWasmCodec>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_bad_bytes_are_an_error() {
        let bytes = <JsonText as Encodes<Vec<String>>>::encode(&vec!["سلام".to_string()]).expect("encode");
        let back: Vec<String> = <JsonText as Decodes<Vec<String>>>::decode(bytes).expect("decode");
        assert_eq!(back, ["سلام"]);
        assert!(<JsonText as Decodes<String>>::decode(Bytes::from_static(b"\"\xff\"")).is_err());
        assert!(from_json::<Vec<String>>("[1,").is_err());
    }
}
