//! Ids and wire types shared by the browser and the server.
//!
//! Everything here crosses the wire between the WASM app and the server functions, so it is
//! plain data with serde and nothing else: it must build for `wasm32-unknown-unknown` and for
//! the server alike. Database rows live in the backend; these are what people see.

pub mod actions;
pub mod audit;
pub mod events;
pub mod ids;
pub mod live;
pub mod mail;
pub mod mail_fault;
pub mod refusal;
pub mod text;
pub mod types;

pub use actions::*;
pub use audit::{TeamActivity, TeamChange, TeamEvent};
pub use events::EventKind;
pub use ids::*;
pub use mail::*;
pub use mail_fault::{ConnectionCheck, ImapReached, MailFault, Server};
pub use refusal::{Field, MAX_REPLY_FILES_MB, Refusal, Writing};
pub use types::*;

/// Percent-encodes a URL query value or an RFC 5987 header value: everything but ASCII
/// letters, digits and `-._~` (Arabic tags and file names, spaces, `&`).
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The file in the data folder that holds the first run's set-up code, until the team is set
/// up (`sanduq serve` writes it; the set-up page names it).
pub const SETUP_CODE_FILE: &str = "setup-code";

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_percent_encoded() {
        assert_eq!(super::url_encode("a b&c~"), "a%20b%26c~");
        assert_eq!(super::url_encode("شحن"), "%D8%B4%D8%AD%D9%86");
    }
}
