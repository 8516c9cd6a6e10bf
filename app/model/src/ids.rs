//! Typed ids: a `ConversationId` cannot be passed where a `MailboxId` is expected.
//!
//! All ids are UUIDs (version 7, time-ordered, made by the backend). Parsing one from a URL or
//! a form is the single place a malformed id is caught, so callers answer "not found" instead
//! of failing deeper down.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The text given where an id was expected is not an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedId {
    /// Which kind of id was expected, for the error message.
    pub kind: &'static str,
}

impl fmt::Display for MalformedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed {} id", self.kind)
    }
}

impl std::error::Error for MalformedId {}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The underlying UUID, for storage.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = MalformedId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::try_parse(s.trim()).map($name).map_err(|_| MalformedId { kind: $kind })
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                $name(u)
            }
        }
    };
}

id_type!(
    /// An agent, manager or admin account.
    UserId,
    "user"
);
id_type!(
    /// A support mailbox (an email address or a chat channel).
    MailboxId,
    "mailbox"
);
id_type!(
    /// A customer.
    ContactId,
    "contact"
);
id_type!(
    /// A thread of messages with one customer in one mailbox.
    ConversationId,
    "conversation"
);
id_type!(
    /// One inbound, outbound or internal message.
    MessageId,
    "message"
);
id_type!(
    /// A tag that can be put on conversations.
    TagId,
    "tag"
);
id_type!(
    /// One entry of a conversation's audit trail.
    EventId,
    "event"
);
id_type!(
    /// A file that came with a mail.
    AttachmentId,
    "attachment"
);
id_type!(
    /// A reply waiting to be delivered.
    OutboxId,
    "outbox"
);
id_type!(
    /// An invitation to join the team.
    InvitationId,
    "invitation"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_same_text() {
        let text = "01890a5d-ac96-774b-bcce-b302099a8057";
        let id: ConversationId = text.parse().expect("valid uuid");
        assert_eq!(id.to_string(), text);
    }

    #[test]
    fn malformed_text_names_the_kind() {
        let err = "not-a-uuid".parse::<MailboxId>().expect_err("must fail");
        assert_eq!(err.to_string(), "malformed mailbox id");
        assert!("".parse::<UserId>().is_err());
        assert!("../../etc/passwd".parse::<UserId>().is_err());
    }
}
