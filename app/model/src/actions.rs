//! What agents do to a conversation, and the state of a reply on its way out.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::UserId;
use crate::mail_fault::MailFault;
use crate::types::{Priority, Status, UnknownWord};

/// One change an agent makes to a conversation from its controls. Every one of them is
/// persisted with an event in the conversation's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "value", rename_all = "snake_case")]
pub enum ConversationAction {
    SetStatus(Status),
    /// Hide it from the working views until this time (UTC microseconds); `None` wakes it now.
    Snooze(Option<i64>),
    /// Snooze for this many seconds from now (the server's clock decides "now").
    SnoozeFor(i64),
    SetPriority(Priority),
    /// Give it to this user, or to nobody.
    Assign(Option<UserId>),
    AddTag(String),
    RemoveTag(String),
    /// Follow (true) or stop following (false): followers hear about every change.
    Follow(bool),
    Rename(String),
}

/// What the composer writes: a reply to the customer or an internal note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ComposerMode {
    #[default]
    Reply,
    Note,
}

impl ComposerMode {
    /// The word stored with a draft.
    pub fn as_str(&self) -> &'static str {
        match self {
            ComposerMode::Reply => "reply",
            ComposerMode::Note => "note",
        }
    }
}

impl FromStr for ComposerMode {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "reply" => Ok(ComposerMode::Reply),
            "note" => Ok(ComposerMode::Note),
            _ => Err(UnknownWord { what: "composer mode", word: s.to_string(), expected: "reply or note" }),
        }
    }
}

/// Where a reply is on its way to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting in the outbox.
    Queued,
    /// Being handed to the mail server.
    Sending,
    /// Accepted by the mail server.
    Sent,
    /// The last attempt failed for a reason that may pass; it will be tried again.
    Retrying,
    /// Refused for good.
    Failed,
    /// Taken back before it left.
    Cancelled,
}

impl DeliveryStatus {
    /// Every state, in the order a reply moves through them.
    pub const ALL: [DeliveryStatus; 6] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Retrying,
        DeliveryStatus::Failed,
        DeliveryStatus::Cancelled,
    ];

    /// The word stored in the outbox.
    pub fn as_str(&self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeliveryStatus {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeliveryStatus::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| UnknownWord {
            what: "delivery status",
            word: s.to_string(),
            expected: "queued, sending, sent, retrying, failed or cancelled",
        })
    }
}

/// A reply's outbox state as the thread shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// Why the mail server refused it or the last try failed.
    pub last_error: Option<MailFault>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for s in DeliveryStatus::ALL {
            assert_eq!(s.as_str().parse::<DeliveryStatus>(), Ok(s));
        }
        for m in [ComposerMode::Reply, ComposerMode::Note] {
            assert_eq!(m.as_str().parse::<ComposerMode>(), Ok(m));
        }
    }

    #[test]
    fn actions_read_as_tagged_json() {
        let action = ConversationAction::SetStatus(Status::Waiting);
        let json = serde_json::to_string(&action).expect("serializes");
        assert_eq!(json, r#"{"action":"set_status","value":"waiting"}"#);
        let back: ConversationAction = serde_json::from_str(r#"{"action":"assign","value":null}"#).expect("parses");
        assert_eq!(back, ConversationAction::Assign(None));
    }
}

/// One change an admin makes in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SettingsChange {
    SetRole {
        user: UserId,
        role: crate::types::Role,
    },
    /// Deactivating signs the person out everywhere and stops them signing in; their
    /// conversations and history stay.
    SetActive {
        user: UserId,
        active: bool,
    },
    SetMember {
        user: UserId,
        mailbox: crate::ids::MailboxId,
        member: bool,
    },
    RenameMailbox {
        mailbox: crate::ids::MailboxId,
        name: String,
    },
    CreateTag {
        name: String,
        color: String,
    },
    UpdateTag {
        tag: crate::ids::TagId,
        name: String,
        color: String,
    },
    DeleteTag {
        tag: crate::ids::TagId,
    },
    /// Its link stops working at once; a mail with it that has not left is held back.
    RevokeInvitation {
        invitation: crate::ids::InvitationId,
    },
    /// The mailbox whose mail servers send invitations and password resets (`None`: the
    /// oldest mailbox that can send).
    SetSystemMailbox {
        mailbox: Option<crate::ids::MailboxId>,
    },
    /// Stops the mailbox's sync and sending and takes away its members; its conversations
    /// stay for admins. `confirm` is its name, typed again.
    RemoveMailbox {
        mailbox: crate::ids::MailboxId,
        confirm: String,
    },
    /// Everyone must turn on two-factor sign-in before they work.
    RequireTwoFactor {
        required: bool,
    },
    /// Turns off a person's two-factor sign-in (they lost their phone); they set it up anew.
    ResetTwoFactor {
        user: UserId,
    },
}

/// What the Settings page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub users: Vec<TeamMember>,
    pub mailboxes: Vec<crate::types::MailboxSummary>,
    pub tags: Vec<crate::types::TagSummary>,
    /// The admin looking at it (who may not demote or deactivate themselves).
    pub viewer: UserId,
    /// Invitations not yet accepted or revoked, newest first.
    pub invitations: Vec<InvitationView>,
    /// The mailboxes that can send mail (they have their mail servers).
    pub can_send: Vec<crate::ids::MailboxId>,
    /// The mailbox that sends invitations and password resets; `None` while no mailbox can
    /// send, when invitation links are shown to copy instead.
    pub system_mailbox: Option<crate::ids::MailboxId>,
    /// Everyone must turn on two-factor sign-in.
    pub require_two_factor: bool,
}

/// What an admin fills in to add a mailbox; its mail servers come next, on its own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMailboxForm {
    pub name: String,
    pub address: String,
    pub members: Vec<UserId>,
}

/// The signed-in person's account security: two-factor sign-in and their sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub two_factor: bool,
    /// Recovery codes not used yet.
    pub recovery_left: usize,
    /// The team requires two-factor sign-in (and this person has yet to turn it on, when
    /// `two_factor` is false).
    pub required: bool,
    /// Signed-in browsers, this one first, then the most recently used.
    pub sessions: Vec<SessionView>,
    /// The person is an admin (the page links back to Settings, which only admins have).
    pub admin: bool,
}

/// One signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// A short public reference to the session (not its token).
    pub id: String,
    /// The browser ("Firefox") and system ("Windows 10") read from its User-Agent; empty
    /// when it names none.
    pub browser: String,
    pub system: String,
    pub address: Option<String>,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    /// The browser this page is open in.
    pub current: bool,
}

/// Two-factor set-up, before the first code confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// The secret as text (base32, in groups of four), for apps that cannot scan.
    pub secret: String,
    /// The `otpauth://` link the QR code carries.
    pub uri: String,
    /// The QR code, as SVG markup made on the server.
    pub qr_svg: String,
}

/// A pending invitation, as Settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub id: crate::ids::InvitationId,
    pub email: String,
    pub name: String,
    pub role: crate::types::Role,
    pub mailboxes: Vec<crate::ids::MailboxId>,
    /// Who sent it (empty if they are gone).
    pub invited_by: String,
    /// When its current link was made, and when that link stops working (microseconds).
    pub sent_at: i64,
    pub expires_at: i64,
    pub expired: bool,
    /// The mail that carried the current link; `None` when the link was given to copy.
    pub delivery: Option<Delivery>,
}

/// What an admin fills in to invite someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationForm {
    pub email: String,
    pub name: String,
    pub role: crate::types::Role,
    /// The language of the mail and of the page it links to (`en`, `ar`, `fa`).
    pub locale: String,
    pub mailboxes: Vec<crate::ids::MailboxId>,
}

/// The answer to inviting someone or sending their invitation again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invited {
    pub email: String,
    /// The link to give the person, when it did not go by mail (no mailbox can send, or the
    /// admin asked for the link).
    pub link: Option<String>,
    pub settings: SettingsView,
}

/// What the page behind an invitation link shows before the person joins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    /// The team's name (empty when it has none).
    pub team: String,
    pub email: String,
    pub name: String,
    pub locale: String,
}

/// A user in Settings, with the mailboxes they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: crate::types::Role,
    pub active: bool,
    pub mailboxes: Vec<crate::ids::MailboxId>,
    /// Signs in with a second factor.
    pub two_factor: bool,
}

/// The signed-in user's signature in one mailbox, as edited in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureView {
    pub mailbox_id: crate::ids::MailboxId,
    pub mailbox_name: String,
    pub body: String,
}
