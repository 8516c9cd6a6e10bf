//! Why the server refused what someone asked, as typed reasons with their data. The backend
//! returns these, never prose, for what a person can see; the app words each one in the
//! reader's language (`app/src/refusals.rs`, `Texts::error`), and the HTTP API sends each
//! one named by a stable machine code (the variant's name in snake case) beside the English
//! words of [`fmt::Display`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::mail_fault::{MailFault, Server};
use crate::text::TextFault;

/// The most a reply's files may come to, in MB (10^6 bytes).
pub const MAX_REPLY_FILES_MB: u64 = 18;

/// Which field a text rule was broken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Subject,
    /// The text of a reply, note, forward or new conversation.
    Message,
    Signature,
    TagName,
    PersonName,
    MailboxName,
    /// A To, Cc or Bcc line.
    AddressLine,
    /// The team's name, chosen on the set-up page.
    TeamName,
}

impl Field {
    /// The field's name in English, for the API's message.
    fn english(self) -> &'static str {
        match self {
            Field::Subject => "a subject",
            Field::Message => "a message",
            Field::Signature => "a signature",
            Field::TagName => "a tag name",
            Field::PersonName => "a name",
            Field::MailboxName => "a mailbox name",
            Field::AddressLine => "an address line",
            Field::TeamName => "a team name",
        }
    }
}

/// What was written and is now empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Writing {
    Reply,
    Note,
    /// The line that goes with a forwarded conversation.
    Forward,
    /// The first mail of a new conversation.
    NewMail,
}

/// A refusal: what was wrong with the request, with what the reader needs to fix it.
///
/// In JSON, a refusal is its code naming its data, `{"too_many_recipients":{"max":50}}`, or
/// the code alone where it has none, `"bad_filter"` (serde's external tagging, which the
/// browser reads without buffering the value first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// A text field broke its rule (empty, too long, a control character).
    Text {
        field: Field,
        fault: TextFault,
    },
    /// Nothing was written.
    NothingWritten {
        what: Writing,
    },
    /// The text (as typed) is not an email address.
    NotAnEmail {
        text: String,
    },
    /// A new conversation names no customer in To.
    NoCustomerAddress,
    /// A forward names nobody to forward to.
    NoForwardAddress,
    /// The customer (named) has no address to reply to.
    CustomerHasNoAddress {
        name: String,
    },
    /// More recipients than a mail may have.
    TooManyRecipients {
        max: usize,
    },
    /// An attached file was removed or expired before sending.
    AttachmentGone,
    /// An empty file was attached.
    EmptyFile,
    /// The files attached come to more than a reply may carry.
    FilesTooLarge {
        max_mb: u64,
    },
    /// A snooze must end in the future …
    SnoozeInThePast,
    /// … and within a year.
    SnoozeTooLong,
    /// The chosen assignee is not an active member of the mailbox.
    NotAMember,
    /// A list's filter or page link in the address is not one the app makes (edited by hand,
    /// or cut short).
    BadFilter,
    /// Undo came too late: the reply has already left.
    AlreadySent,
    /// The mailbox cannot send yet: an admin adds its mail servers in Settings.
    NoMailServers,
    /// The mail servers in the form cannot work (`server` names which, where one does).
    MailServers {
        server: Option<Server>,
        fault: MailFault,
    },
    /// An admin tried to take away their own admin role …
    OwnAdminRole,
    /// … or to deactivate themselves.
    DeactivateSelf,
    /// A colour is written like `#3b82f6`.
    BadColour,
    /// Another tag or mailbox already has the name.
    NameTaken {
        field: Field,
        name: String,
    },
    UnknownLanguage {
        text: String,
    },
    UnknownTimeZone {
        text: String,
    },
    /// A new password is shorter than a password may be …
    PasswordTooShort {
        min: usize,
    },
    /// … or longer …
    PasswordTooLong {
        max: usize,
    },
    /// … or one of the most common passwords, or made of them (or of the person's name).
    PasswordCommon,
    /// Another person already signs in with this email.
    EmailTaken {
        email: String,
    },
    /// The set-up code is not the one `sanduq serve` printed.
    WrongSetupCode,
    /// The team has been set up already: its people sign in instead.
    AlreadySetUp,
    /// The address has an invitation waiting; send that one again instead.
    AlreadyInvited {
        email: String,
    },
    /// The invitation link is older than its week: the admin sends a new one.
    InvitationExpired,
    /// The invitation was accepted already: its person signs in.
    InvitationUsed,
    /// The invitation was revoked, or its link replaced by a newer one.
    InvitationWithdrawn,
    /// A password reset link is older than its hour …
    ResetExpired,
    /// … or was used already …
    ResetUsed,
    /// … or was replaced by a newer one (or never existed).
    ResetWithdrawn,
    /// The mailbox was removed: its conversations are read, not answered.
    MailboxRemoved,
    /// Removing a mailbox needs its name typed again, exactly.
    ConfirmName {
        name: String,
    },
    /// A two-factor code is wrong, or was used already.
    WrongCode,
    /// The team requires two-factor sign-in; the person turns it on first.
    TwoFactorRequired,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Text { field, fault } => write!(f, "{} {fault}", field.english()),
            Refusal::NothingWritten { what: Writing::Reply } => f.write_str("write a reply before sending"),
            Refusal::NothingWritten { what: Writing::Note } => f.write_str("write a note before adding it"),
            Refusal::NothingWritten { what: Writing::Forward } => {
                f.write_str("write a line to go with the forwarded conversation")
            }
            Refusal::NothingWritten { what: Writing::NewMail } => f.write_str("write the mail before sending"),
            Refusal::NotAnEmail { text } => write!(f, "{text:?} is not an email address"),
            Refusal::NoCustomerAddress => f.write_str("add the customer's address in To"),
            Refusal::NoForwardAddress => f.write_str("add the address to forward the conversation to"),
            Refusal::CustomerHasNoAddress { name } => write!(f, "{name} has no email address to reply to"),
            Refusal::TooManyRecipients { max } => write!(f, "a reply goes to {max} addresses at most"),
            Refusal::AttachmentGone => f.write_str("an attached file is gone; attach it again"),
            Refusal::EmptyFile => f.write_str("this file is empty"),
            Refusal::FilesTooLarge { max_mb } => write!(f, "a reply carries {max_mb} MB of files at most"),
            Refusal::SnoozeInThePast => f.write_str("choose a time in the future to snooze until"),
            Refusal::SnoozeTooLong => f.write_str("a conversation can be snoozed for a year at most"),
            Refusal::NotAMember => {
                f.write_str("that person is not an active member of this mailbox and cannot be assigned")
            }
            Refusal::BadFilter => {
                f.write_str("the list's filter or page in the address is malformed (assignee: me, none or a user id)")
            }
            Refusal::AlreadySent => f.write_str("this reply has already left"),
            Refusal::NoMailServers => {
                f.write_str("this mailbox has no mail servers yet; an admin adds them in Settings")
            }
            Refusal::MailServers { server: Some(server), fault } => write!(f, "{}: {fault}", server.as_str()),
            Refusal::MailServers { server: None, fault } => write!(f, "{fault}"),
            Refusal::OwnAdminRole => f.write_str("you cannot take away your own admin role"),
            Refusal::DeactivateSelf => f.write_str("you cannot deactivate yourself"),
            Refusal::BadColour => f.write_str("a colour looks like #3b82f6"),
            Refusal::NameTaken { field, name } => write!(f, "{} {name:?} already exists", field.english()),
            Refusal::UnknownLanguage { text } => write!(f, "unknown language {text:?}: choose en, ar or fa"),
            Refusal::UnknownTimeZone { text } => write!(f, "unknown time zone {text:?}"),
            Refusal::PasswordTooShort { min } => write!(f, "a password needs at least {min} characters"),
            Refusal::PasswordTooLong { max } => write!(f, "a password has at most {max} characters"),
            Refusal::PasswordCommon => f.write_str(
                "this password is too easy to guess: it is a common one, or made of common words or your name",
            ),
            Refusal::EmailTaken { email } => write!(f, "a user with the email {email} already exists"),
            Refusal::WrongSetupCode => {
                f.write_str("the set-up code is wrong; `sanduq serve` printed it and wrote it into the data folder")
            }
            Refusal::AlreadySetUp => f.write_str("this team is set up already; sign in instead"),
            Refusal::AlreadyInvited { email } => {
                write!(f, "{email} is invited already; send that invitation again from the list")
            }
            Refusal::InvitationExpired => f.write_str("this invitation has expired; ask your admin to send it again"),
            Refusal::InvitationUsed => f.write_str("this invitation has been used; sign in instead"),
            Refusal::InvitationWithdrawn => {
                f.write_str("this invitation link no longer works; it was revoked or a newer one was sent")
            }
            Refusal::ResetExpired => f.write_str("this password reset link has expired; ask for a new one"),
            Refusal::ResetUsed => f.write_str("this password reset link has been used; sign in, or ask for a new one"),
            Refusal::ResetWithdrawn => {
                f.write_str("this password reset link no longer works; a newer one was sent, use the newest mail")
            }
            Refusal::MailboxRemoved => {
                f.write_str("this mailbox was removed; its conversations can be read, not answered")
            }
            Refusal::ConfirmName { name } => write!(f, "type the mailbox's name, {name}, to remove it"),
            Refusal::WrongCode => f.write_str("that code is wrong or was used already; enter the newest code"),
            Refusal::TwoFactorRequired => {
                f.write_str("your team requires two-factor sign-in; turn it on in Settings, Security")
            }
        }
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_names_the_data() {
        let refusal = Refusal::Text { field: Field::Subject, fault: TextFault::TooLong { max: 250 } };
        let json = serde_json::to_value(&refusal).expect("json");
        assert_eq!(json["text"]["field"], "subject");
        assert_eq!(serde_json::from_value::<Refusal>(json).expect("back"), refusal);
        assert_eq!(refusal.to_string(), "a subject has at most 250 characters");
        let json = serde_json::to_value(Refusal::NotAnEmail { text: "omar@".into() }).expect("json");
        assert_eq!(json, serde_json::json!({ "not_an_email": { "text": "omar@" } }));
        // A refusal with no data is its code alone.
        assert_eq!(serde_json::to_value(Refusal::BadFilter).expect("json"), "bad_filter");
    }
}
