//! The live channel's protocol: JSON text frames over one websocket per browser tab at
//! `/live`, spoken by the app, the tests and the load generator alike.
//!
//! # Connecting
//! `GET /live` with the session cookie and an `Origin` equal to `SANDUQ_PUBLIC_URL`
//! (anything else is refused with 401 or 403 before the upgrade). The server's first frame is
//! [`ServerMsg::Hello`].
//!
//! A frame is one JSON value named by its kind: `{"kind":{...fields}}`, or the bare
//! string `"kind"` for a kind with no fields (serde's external tagging, which the browser
//! reads without buffering a frame first).
//!
//! # What a tab sends ([`ClientMsg`])
//! - `{"watch":{"conversations":[id, ...]}}`: the conversations on screen (list rows and
//!   the open one; at most [`MAX_WATCHED`]). Replaces the previous set. The server answers with
//!   the presence of each of them that has anyone in it, and from then on sends every
//!   presence change of those conversations. A conversation the user may not see is ignored.
//! - `{"view":{"conversation":id}}` or `{"view":{"conversation":null}}`: the tab
//!   has this conversation open (or none). One per tab.
//! - `{"typing":{"conversation":id,"mode":"reply"|"note"}}`: the agent is writing. Sent
//!   at most every [`TYPING_EVERY_MS`] while keys are pressed; without another one the
//!   server turns it back into viewing after [`TYPING_TTL_MS`]. `stamp` (any number) is
//!   echoed in the presence frames it causes, so a client can time the round trip.
//! - `{"idle":{"conversation":id}}`: the agent stopped writing (sent, emptied the box).
//! - `{"ping":{"stamp":n}}`: answered by `{"pong":{"stamp":n}}`.
//!
//! # What the server sends ([`ServerMsg`])
//! - `hello` once, at once; `heartbeat` every [`HEARTBEAT_SECS`] (a tab that hears nothing
//!   for three heartbeats, or no `hello` within five seconds of opening, takes the socket as
//!   lost and reconnects).
//! - `presence`: everyone now in one conversation (the receiving user included; the app
//!   leaves itself out). Whole state each time, so a lost frame heals with the next one.
//! - `change`: something happened to a conversation the user may see: its id, mailbox,
//!   kind and `rev` after the change. Details are fetched by id; a tab that already holds
//!   that `rev` or a later one drops it.
//! - `notice`: for this user alone (a conversation was assigned to them, a note mentions
//!   them).
//! - `error`: a frame from the tab could not be read (the socket stays open).
//!
//! # Reconnecting
//! A tab reconnects with backoff, sends `watch` and `view` first, then refetches what is on
//! screen, and drops changes older than what it fetched (by `rev`). Close codes:
//! [`CLOSE_SIGNED_OUT`] (sign in again), [`CLOSE_ACCESS_CHANGED`] (reconnect: the mailboxes
//! the user may see changed), [`CLOSE_TOO_SLOW`] (the tab did not read its frames; reconnect
//! and refetch), 1001 (the server is stopping).

use serde::{Deserialize, Serialize};

use crate::events::EventKind;
use crate::ids::{ConversationId, MailboxId, UserId};

/// The most conversations one tab watches.
pub const MAX_WATCHED: usize = 500;
/// A tab sends `typing` at most this often while the agent types.
pub const TYPING_EVERY_MS: u64 = 2_000;
/// Writing turns back into viewing this long after the last `typing`.
pub const TYPING_TTL_MS: u64 = 6_000;
/// The server sends a heartbeat this often.
pub const HEARTBEAT_SECS: u64 = 10;
/// The session ended (signed out, password changed): sign in again.
pub const CLOSE_SIGNED_OUT: u16 = 4001;
/// The user's mailboxes changed: reconnect to hear about the right ones.
pub const CLOSE_ACCESS_CHANGED: u16 = 4003;
/// The tab fell too far behind reading its frames: reconnect and refetch.
pub const CLOSE_TOO_SLOW: u16 = 4008;

/// What someone is doing in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Doing {
    Viewing,
    /// Writing a reply to the customer.
    Reply,
    /// Writing an internal note.
    Note,
}

/// Which kind of text an agent is writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Writing {
    Reply,
    Note,
}

/// A frame from a tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientMsg {
    Watch {
        conversations: Vec<ConversationId>,
    },
    View {
        conversation: Option<ConversationId>,
    },
    Typing {
        conversation: ConversationId,
        mode: Writing,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stamp: Option<u64>,
    },
    Idle {
        conversation: ConversationId,
    },
    Ping {
        stamp: u64,
    },
}

/// One person in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Present {
    pub user: UserId,
    pub name: String,
    pub doing: Doing,
}

/// Why the server could not take a frame a tab sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameProblem {
    /// Not a [`ClientMsg`] this server reads; `detail` is the parser's own words, for a
    /// developer reading the socket (tabs of this build never send one).
    Unreadable { detail: String },
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerMsg {
    Hello {
        user: UserId,
        heartbeat_secs: u64,
    },
    Heartbeat,
    Pong {
        stamp: u64,
    },
    Presence {
        conversation: ConversationId,
        /// One entry per person (their busiest tab), sorted by name.
        people: Vec<Present>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stamp: Option<u64>,
    },
    Change {
        conversation: ConversationId,
        mailbox: MailboxId,
        /// The event's kind: `message`, `status`, `assigned`, `tagged`, `delivery`, ... (a
        /// word this build does not know reads as `unknown`).
        kind: EventKind,
        /// The conversation's revision after this change.
        rev: i64,
        #[serde(default)]
        actor: Option<UserId>,
    },
    /// A frame the server could not read; the socket stays open.
    Error {
        problem: FrameProblem,
    },
    Notice {
        conversation: ConversationId,
        /// `assigned` or `mentioned`.
        kind: EventKind,
        /// Who did it, if a person did.
        by: Option<String>,
        subject: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_as_documented() {
        let id = "0190a000-0000-7000-8000-000000000001";
        let typing: ClientMsg =
            serde_json::from_str(&format!(r#"{{"typing":{{"conversation":"{id}","mode":"reply"}}}}"#)).expect("typing");
        assert!(matches!(typing, ClientMsg::Typing { mode: Writing::Reply, stamp: None, .. }));
        let view: ClientMsg = serde_json::from_str(r#"{"view":{"conversation":null}}"#).expect("view");
        assert_eq!(view, ClientMsg::View { conversation: None });
        assert_eq!(serde_json::to_string(&ServerMsg::Heartbeat).expect("json"), r#""heartbeat""#);
        let pong = serde_json::to_string(&ServerMsg::Pong { stamp: 7 }).expect("json");
        assert_eq!(pong, r#"{"pong":{"stamp":7}}"#);
        assert!(serde_json::from_str::<ClientMsg>(r#"{"shout":{}}"#).is_err());
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"view","conversation":null}"#).is_err());
    }
}
