//! What kind of change happened to a conversation: the word in the audit trail's `kind`
//! column, on the live wire (`ServerMsg::Change`, `ServerMsg::Notice`) and, next, in reports.
//! The details of each kind are the backend's `EventData`, one serde-tagged enum; the browser
//! needs only the kind.
//!
//! A word this build does not know (written by a newer one, or by hand) reads as
//! [`EventKind::Unknown`] instead of failing the frame or the page.

use serde::{Deserialize, Serialize};

/// The kind of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The conversation began (a customer's first mail, or an agent's new conversation).
    Created,
    /// A message, reply or note was added.
    Message,
    Assigned,
    Status,
    Priority,
    Tagged,
    Untagged,
    Snoozed,
    Unsnoozed,
    Renamed,
    Followed,
    Unfollowed,
    /// A note mentioned people (each gets a notice).
    Mentioned,
    /// A reply bounced back.
    Bounced,
    /// A reply's delivery state moved (not shown in the history; it moves the reply's badge).
    Delivery,
    /// A word this build does not know.
    #[serde(other)]
    Unknown,
}

impl EventKind {
    /// Every kind this build writes.
    pub const ALL: [EventKind; 15] = [
        EventKind::Created,
        EventKind::Message,
        EventKind::Assigned,
        EventKind::Status,
        EventKind::Priority,
        EventKind::Tagged,
        EventKind::Untagged,
        EventKind::Snoozed,
        EventKind::Unsnoozed,
        EventKind::Renamed,
        EventKind::Followed,
        EventKind::Unfollowed,
        EventKind::Mentioned,
        EventKind::Bounced,
        EventKind::Delivery,
    ];

    /// The word stored in the `kind` column and sent on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Message => "message",
            EventKind::Assigned => "assigned",
            EventKind::Status => "status",
            EventKind::Priority => "priority",
            EventKind::Tagged => "tagged",
            EventKind::Untagged => "untagged",
            EventKind::Snoozed => "snoozed",
            EventKind::Unsnoozed => "unsnoozed",
            EventKind::Renamed => "renamed",
            EventKind::Followed => "followed",
            EventKind::Unfollowed => "unfollowed",
            EventKind::Mentioned => "mentioned",
            EventKind::Bounced => "bounced",
            EventKind::Delivery => "delivery",
            EventKind::Unknown => "unknown",
        }
    }

    /// The kind a stored word names; [`EventKind::Unknown`] for any other word.
    pub fn from_word(word: &str) -> EventKind {
        EventKind::ALL.into_iter().find(|k| k.as_str() == word).unwrap_or(EventKind::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_word_and_the_wire_word_are_one() {
        for kind in EventKind::ALL {
            assert_eq!(serde_json::to_string(&kind).expect("json"), format!("\"{}\"", kind.as_str()));
            assert_eq!(EventKind::from_word(kind.as_str()), kind);
        }
    }

    #[test]
    fn an_unknown_word_reads_as_unknown() {
        assert_eq!(EventKind::from_word("merged"), EventKind::Unknown);
        assert_eq!(serde_json::from_str::<EventKind>("\"merged\"").expect("tolerant"), EventKind::Unknown);
    }
}
