//! The audit trail's events, typed: one serde-tagged enum of what happened to a conversation
//! and its details, read the same way by the history, the live channel and (next) reports.
//!
//! An event is stored as two columns: `kind` (the [`EventKind`] word) and `data` (the
//! variant's fields as JSON), so the table stays readable in SQL and the kind can be indexed.
//! [`EventData::decode`] is tolerant: a kind this build does not know, or data that no longer
//! fits its kind, reads as [`EventData::Unknown`] and shows as "an unknown change" instead of
//! failing the page. Rows written before the events were typed read as they are: the field
//! names and words are the ones those rows used.

use model::{DeliveryStatus, Direction, EventKind, MessageId, Priority, Status, UserId};
use serde::{Deserialize, Serialize};

/// Which channel a conversation or message came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Email,
    /// A channel a newer version added.
    #[serde(other)]
    Other,
}

/// Why a status changed without a person changing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusReason {
    /// The customer wrote again, so a waiting or closed conversation is open.
    #[serde(rename = "customer replied")]
    CustomerReplied,
    /// A reason a newer version added.
    #[serde(other)]
    Other,
}

/// What happened to a conversation, with its details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum EventData {
    Created {
        subject: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<Via>,
    },
    Message {
        message_id: MessageId,
        direction: Direction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<Via>,
    },
    Assigned {
        from: Option<UserId>,
        to: Option<UserId>,
    },
    Status {
        from: Status,
        to: Status,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<StatusReason>,
    },
    Priority {
        from: Priority,
        to: Priority,
    },
    Tagged {
        tag: String,
    },
    Untagged {
        tag: String,
    },
    /// Put aside until a time (UTC microseconds).
    Snoozed {
        until: i64,
    },
    Unsnoozed {},
    Renamed {
        from: String,
        to: String,
    },
    Followed {
        user: UserId,
    },
    Unfollowed {
        user: UserId,
    },
    Mentioned {
        message_id: MessageId,
        users: Vec<UserId>,
    },
    Bounced {
        message_id: MessageId,
        reason: String,
    },
    Delivery {
        message_id: MessageId,
        status: DeliveryStatus,
    },
    /// A row this build cannot read; `kind` is its stored word.
    #[serde(skip)]
    Unknown {
        kind: String,
    },
}

impl EventData {
    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        match self {
            EventData::Created { .. } => EventKind::Created,
            EventData::Message { .. } => EventKind::Message,
            EventData::Assigned { .. } => EventKind::Assigned,
            EventData::Status { .. } => EventKind::Status,
            EventData::Priority { .. } => EventKind::Priority,
            EventData::Tagged { .. } => EventKind::Tagged,
            EventData::Untagged { .. } => EventKind::Untagged,
            EventData::Snoozed { .. } => EventKind::Snoozed,
            EventData::Unsnoozed {} => EventKind::Unsnoozed,
            EventData::Renamed { .. } => EventKind::Renamed,
            EventData::Followed { .. } => EventKind::Followed,
            EventData::Unfollowed { .. } => EventKind::Unfollowed,
            EventData::Mentioned { .. } => EventKind::Mentioned,
            EventData::Bounced { .. } => EventKind::Bounced,
            EventData::Delivery { .. } => EventKind::Delivery,
            EventData::Unknown { .. } => EventKind::Unknown,
        }
    }

    /// The `data` column: the variant's fields as JSON.
    pub fn data_json(&self) -> String {
        let tagged = serde_json::to_value(self).unwrap_or_default();
        tagged.get("data").map(|data| data.to_string()).unwrap_or_else(|| "{}".to_string())
    }

    /// Reads a stored row's `kind` and `data`; anything this build cannot read is
    /// [`EventData::Unknown`].
    pub fn decode(kind: &str, data: &str) -> EventData {
        let unknown = || EventData::Unknown { kind: kind.to_string() };
        let Ok(data) = serde_json::from_str::<serde_json::Value>(data) else { return unknown() };
        serde_json::from_value(serde_json::json!({ "kind": kind, "data": data })).unwrap_or_else(|_| unknown())
    }

    /// The people the event names besides its actor (an assignee before and after, a
    /// follower, the people a note mentions), whose names the history needs.
    pub fn people(&self) -> Vec<UserId> {
        match self {
            EventData::Assigned { from, to } => from.iter().chain(to.iter()).copied().collect(),
            EventData::Followed { user } | EventData::Unfollowed { user } => vec![*user],
            EventData::Mentioned { users, .. } => users.clone(),
            _ => Vec::new(),
        }
    }

    /// The people this event gives a notice to: whom a conversation was assigned to, whom a
    /// note mentions.
    pub fn notifies(&self) -> Vec<UserId> {
        match self {
            EventData::Assigned { to, .. } => to.iter().copied().collect(),
            EventData::Mentioned { users, .. } => users.clone(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    #[test]
    fn every_event_reads_back_as_written() {
        let message = MessageId(Uuid::from_u128(9));
        let events = [
            EventData::Created { subject: "Where is my order?".into(), via: Some(Via::Email) },
            EventData::Message { message_id: message, direction: Direction::Inbound, via: None },
            EventData::Assigned { from: None, to: Some(user(1)) },
            EventData::Status { from: Status::Waiting, to: Status::Open, reason: Some(StatusReason::CustomerReplied) },
            EventData::Priority { from: Priority::Normal, to: Priority::Urgent },
            EventData::Tagged { tag: "شحن".into() },
            EventData::Untagged { tag: "refund".into() },
            EventData::Snoozed { until: 1_700_000_000_000_000 },
            EventData::Unsnoozed {},
            EventData::Renamed { from: "a".into(), to: "b".into() },
            EventData::Followed { user: user(2) },
            EventData::Unfollowed { user: user(2) },
            EventData::Mentioned { message_id: message, users: vec![user(1), user(2)] },
            EventData::Bounced { message_id: message, reason: "550 no such user".into() },
            EventData::Delivery { message_id: message, status: DeliveryStatus::Sent },
        ];
        for event in events {
            let kind = event.kind();
            assert_ne!(kind, EventKind::Unknown);
            assert_eq!(EventData::decode(kind.as_str(), &event.data_json()), event, "{kind:?}");
        }
    }

    #[test]
    fn rows_written_before_the_types_still_read() {
        let id = "0190a000-0000-7000-8000-000000000001";
        let reopened = EventData::decode("status", r#"{"from":"closed","to":"open","reason":"customer replied"}"#);
        assert_eq!(
            reopened,
            EventData::Status { from: Status::Closed, to: Status::Open, reason: Some(StatusReason::CustomerReplied) }
        );
        let assigned = EventData::decode("assigned", &format!(r#"{{"from":null,"to":"{id}"}}"#));
        assert_eq!(assigned.notifies(), vec![id.parse::<UserId>().expect("id")]);
        assert_eq!(EventData::decode("unsnoozed", "{}"), EventData::Unsnoozed {});
        let message = EventData::decode("message", &format!(r#"{{"message_id":"{id}","direction":"note"}}"#));
        assert!(matches!(message, EventData::Message { direction: Direction::Note, via: None, .. }));
    }

    #[test]
    fn what_cannot_be_read_is_an_unknown_change() {
        assert_eq!(EventData::decode("merged", r#"{"into":"x"}"#), EventData::Unknown { kind: "merged".into() });
        assert_eq!(EventData::decode("status", r#"{"from":"limbo","to":"open"}"#).kind(), EventKind::Unknown);
        assert_eq!(EventData::decode("tagged", "not json").kind(), EventKind::Unknown);
    }
}
