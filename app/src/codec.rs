//! The JSON of the server functions' answers and errors, read from text.
//!
//! server_fn's own `Json` reads an answer with `serde_json::from_slice`, while a resource's
//! hydration data is read with `serde_json::from_str`: two readers, so the browser's bundle
//! held two copies of every type's deserializer. [`Json`] reads with `from_str` too, so each
//! type is deserialized by one copy. The bytes on the wire are the same JSON.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, written as server_fn writes it and read from a `str`.
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
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

/// A server function's answer (or its body, as input) as JSON in a `POST`.
pub type Json = Post<JsonText>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_bad_bytes_are_an_error() {
        let bytes = <JsonText as Encodes<Vec<String>>>::encode(&vec!["سلام".to_string()]).expect("encode");
        let back: Vec<String> = <JsonText as Decodes<Vec<String>>>::decode(bytes).expect("decode");
        assert_eq!(back, ["سلام"]);
        assert!(<JsonText as Decodes<String>>::decode(Bytes::from_static(b"\"\xff\"")).is_err());
    }
}
