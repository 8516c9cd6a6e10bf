//! Wire types: what server functions return to the app.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{MailboxId, UserId};

/// What a user may do. Admins see every mailbox; managers and agents see the mailboxes they
/// are members of. Managers will also see reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Manager,
    Agent,
}

impl Role {
    /// Every role, in order of power.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Manager, Role::Agent];

    /// The word stored in the database and used on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Agent => "agent",
        }
    }

    /// Whether this role sees every mailbox without being a member.
    pub fn sees_all_mailboxes(&self) -> bool {
        matches!(self, Role::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownWord {
    pub what: &'static str,
    pub word: String,
    pub expected: &'static str,
}

impl fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}: expected {}", self.what, self.word, self.expected)
    }
}

impl std::error::Error for UnknownWord {}

impl FromStr for Role {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "manager" => Ok(Role::Manager),
            "agent" => Ok(Role::Agent),
            _ => Err(UnknownWord { what: "role", word: s.to_string(), expected: "admin, manager or agent" }),
        }
    }
}

/// Where a conversation stands. Snoozing is kept apart (a time), so a snoozed conversation
/// keeps the status it will wake up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    InProgress,
    Waiting,
    Closed,
    Spam,
    Trash,
}

impl Status {
    /// Every status, in the order the app lists them.
    pub const ALL: [Status; 6] =
        [Status::Open, Status::InProgress, Status::Waiting, Status::Closed, Status::Spam, Status::Trash];

    /// The word stored in the database and used in URLs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in_progress",
            Status::Waiting => "waiting",
            Status::Closed => "closed",
            Status::Spam => "spam",
            Status::Trash => "trash",
        }
    }
}

impl FromStr for Status {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| UnknownWord {
            what: "status",
            word: s.to_string(),
            expected: "open, in_progress, waiting, closed, spam or trash",
        })
    }
}

/// How urgent a conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    /// Every priority, least urgent first.
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    /// The word stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

impl FromStr for Priority {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| UnknownWord {
            what: "priority",
            word: s.to_string(),
            expected: "low, normal, high or urgent",
        })
    }
}

/// Who wrote a message and who may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the customer.
    Inbound,
    /// An agent's reply to the customer.
    Outbound,
    /// Internal, never sent to the customer.
    Note,
}

impl Direction {
    /// The word stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
            Direction::Note => "note",
        }
    }
}

impl FromStr for Direction {
    type Err = UnknownWord;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "inbound" => Ok(Direction::Inbound),
            "outbound" => Ok(Direction::Outbound),
            "note" => Ok(Direction::Note),
            _ => Err(UnknownWord { what: "direction", word: s.to_string(), expected: "inbound, outbound or note" }),
        }
    }
}

/// The signed-in user, as the app shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// The interface language: `en`, `ar` or `fa`; empty: the browser's language.
    pub locale: String,
    /// The IANA time zone times are shown in.
    pub time_zone: String,
}

/// A mailbox in the sidebar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxSummary {
    pub id: MailboxId,
    pub name: String,
    pub address: String,
    /// Conversations in it that are open or in progress.
    pub open_count: i64,
    /// Removed in Settings: admins read its conversations; nothing syncs or leaves.
    #[serde(default)]
    pub removed: bool,
}

/// The first steps of a new team, as its admins see them on the home page, each done or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstSteps {
    /// Some mailbox has its mail servers.
    pub mailbox_connected: bool,
    /// Someone besides the first admin has an account.
    pub team_invited: bool,
    /// The admin has a signature in some mailbox.
    pub signature_set: bool,
}

impl FirstSteps {
    /// Whether every step is done (the checklist is then gone).
    pub fn all_done(self) -> bool {
        self.mailbox_connected && self.team_invited && self.signature_set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>(), Ok(p));
        }
        assert_eq!(" Admin ".parse::<Role>(), Ok(Role::Admin));
    }

    #[test]
    fn unknown_role_says_what_is_expected() {
        let err = "owner".parse::<Role>().expect_err("not a role");
        assert_eq!(err.to_string(), "unknown role \"owner\": expected admin, manager or agent");
    }
}

/// A row of the conversation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: crate::ids::ConversationId,
    pub subject: String,
    pub contact_name: String,
    pub contact_email: String,
    /// The start of the latest customer or agent message.
    pub snippet: String,
    /// UTC microseconds.
    pub last_activity_at: i64,
    pub status: Status,
    pub priority: Priority,
    pub assignee_name: Option<String>,
    pub tags: Vec<String>,
    /// Bumped by every change: a live update with this `rev` or an older one is already here.
    #[serde(default)]
    pub rev: i64,
}

/// A page of the conversation list and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub items: Vec<ConversationSummary>,
    /// Pass back as `after` for the next page; `None` on the last one.
    pub next: Option<String>,
}

/// A conversation opened: its row, its messages and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub summary: ConversationSummary,
    /// Bumped by every message, note and queued reply: a reply sends the one its author saw.
    #[serde(default)]
    pub seq: i64,
    pub mailbox_id: crate::ids::MailboxId,
    pub mailbox_name: String,
    /// Oldest first.
    pub messages: Vec<MessageView>,
    /// Oldest first; messages themselves are not repeated here.
    pub history: Vec<HistoryEntry>,
    /// The signed-in user reading it.
    pub viewer: UserId,
    /// Snoozed until this time (UTC microseconds), if it is still ahead.
    pub snoozed_until: Option<i64>,
    pub assignee_id: Option<UserId>,
    /// Who it may be assigned to.
    pub assignable: Vec<Person>,
    pub followers: Vec<Person>,
    /// Whether the signed-in user follows it.
    pub following: bool,
    /// The signed-in user's unsent reply, if any.
    pub reply_draft: String,
    /// The signed-in user's unsent note, if any.
    pub note_draft: String,
    pub contact: ContactCardView,
    /// Recipients, files and signature of the signed-in user's reply.
    #[serde(default)]
    pub composer: ReplyComposer,
}

/// What the reply composer starts from: the recipients and files of the signed-in user's
/// draft, what "Reply" and "Reply all" fill in, and the signature added when it is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyComposer {
    /// To, Cc and Bcc as saved with the draft (To is the default when there is no draft).
    pub to: String,
    pub cc: String,
    pub bcc: String,
    /// The draft forwards the conversation instead of answering the customer.
    pub forward: bool,
    /// Whom a reply goes to: the sender of the customer's latest mail.
    pub default_to: String,
    /// Whom "Reply all" adds as Cc: everyone else that mail was addressed to.
    pub reply_all: String,
    /// Files attached to the draft, not sent yet.
    pub files: Vec<AttachmentView>,
    /// Added under the reply when it is sent.
    pub signature: String,
    /// Whether replies leave by mail; demo mailboxes never send.
    pub can_send: bool,
}

/// A user as others see them: a name to show and an id to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: UserId,
    pub name: String,
}

/// The customer beside a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCardView {
    pub name: String,
    /// Primary first.
    pub emails: Vec<String>,
    /// Their other conversations the user may see, most recent first.
    pub conversations: Vec<ConversationSummary>,
}

/// One message of a conversation as agents read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: crate::ids::MessageId,
    pub direction: Direction,
    /// The agent's name for replies and notes, the sender's for customer mail.
    pub author: String,
    /// Whom the mail was addressed to (`Name <address>, ...`); empty for notes. Bcc only
    /// for replies sent from here.
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub cc: String,
    #[serde(default)]
    pub bcc: String,
    pub body_text: String,
    /// The mail's HTML body, already sanitized on the server, with `cid:` images pointing at
    /// their attachments; shown in a sandboxed frame.
    #[serde(default)]
    pub html: Option<String>,
    /// The files that came with the mail (inline images left out).
    #[serde(default)]
    pub attachments: Vec<AttachmentView>,
    /// UTC microseconds.
    pub created_at: i64,
    /// For a reply sent from Sanduq: where it is on its way out.
    pub delivery: Option<crate::actions::Delivery>,
}

/// A file that came with a mail, downloaded from `/attachments/<id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub id: crate::ids::AttachmentId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// One change in a conversation's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Who made it; `None` for Sanduq itself (mail arriving, automation).
    pub actor: Option<String>,
    pub change: HistoryChange,
    /// UTC microseconds.
    pub created_at: i64,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryChange {
    Created,
    /// Given to someone (their name), or to nobody.
    Assigned(Option<String>),
    Status(Status),
    Priority(Priority),
    Tagged(String),
    Untagged(String),
    /// Snoozed until a time (UTC microseconds).
    Snoozed(i64),
    Unsnoozed,
    /// Given a new subject.
    Renamed(String),
    /// Someone (their name) started or stopped following it.
    Followed(String),
    Unfollowed(String),
    /// A change this version cannot read (written by a newer one): shown as such, so the
    /// page still opens.
    Unknown,
}

/// Which conversations of a mailbox a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ListView {
    /// Open and in progress: the work to do.
    #[default]
    Open,
    /// Waiting on the customer.
    Waiting,
    /// Done.
    Closed,
}

impl ListView {
    /// Every view, in tab order.
    pub const ALL: [ListView; 3] = [ListView::Open, ListView::Waiting, ListView::Closed];

    /// The word in URLs.
    pub fn as_str(&self) -> &'static str {
        match self {
            ListView::Open => "open",
            ListView::Waiting => "waiting",
            ListView::Closed => "closed",
        }
    }

    /// The view a URL word names; the default for anything else.
    pub fn from_word(word: &str) -> ListView {
        ListView::ALL.into_iter().find(|v| v.as_str() == word).unwrap_or_default()
    }

    /// Whether the view hides snoozed conversations (see [`InboxView::snoozed`]).
    pub fn snoozed(&self) -> Option<bool> {
        match self {
            ListView::Open | ListView::Waiting => Some(false),
            ListView::Closed => None,
        }
    }

    /// The statuses the view shows.
    pub fn statuses(&self) -> Vec<Status> {
        match self {
            ListView::Open => vec![Status::Open, Status::InProgress],
            ListView::Waiting => vec![Status::Waiting],
            ListView::Closed => vec![Status::Closed],
        }
    }
}

/// The views across every mailbox the user may see, in the sidebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxView {
    /// Open or in progress, and nobody's yet.
    Unassigned,
    /// Assigned to me and not closed.
    Mine,
    /// Open or in progress.
    AllOpen,
    /// Waiting on the customer.
    Waiting,
    /// Done.
    Closed,
    /// Put aside until a time.
    Snoozed,
}

impl InboxView {
    /// Every view, in sidebar order.
    pub const ALL: [InboxView; 6] = [
        InboxView::Unassigned,
        InboxView::Mine,
        InboxView::AllOpen,
        InboxView::Waiting,
        InboxView::Snoozed,
        InboxView::Closed,
    ];

    /// The word in URLs.
    pub fn as_str(&self) -> &'static str {
        match self {
            InboxView::Unassigned => "unassigned",
            InboxView::Mine => "mine",
            InboxView::AllOpen => "open",
            InboxView::Waiting => "waiting",
            InboxView::Closed => "closed",
            InboxView::Snoozed => "snoozed",
        }
    }

    /// Whether the view shows snoozed conversations only (`Some(true)`), awake ones only
    /// (`Some(false)`), or both.
    pub fn snoozed(&self) -> Option<bool> {
        match self {
            InboxView::Snoozed => Some(true),
            InboxView::Closed => None,
            InboxView::Unassigned | InboxView::Mine | InboxView::AllOpen | InboxView::Waiting => Some(false),
        }
    }

    /// The view a URL word names, if any.
    pub fn from_word(word: &str) -> Option<InboxView> {
        InboxView::ALL.into_iter().find(|v| v.as_str() == word)
    }

    /// The statuses the view shows.
    pub fn statuses(&self) -> Vec<Status> {
        match self {
            InboxView::Unassigned | InboxView::AllOpen => vec![Status::Open, Status::InProgress],
            InboxView::Mine | InboxView::Snoozed => vec![Status::Open, Status::InProgress, Status::Waiting],
            InboxView::Waiting => vec![Status::Waiting],
            InboxView::Closed => vec![Status::Closed],
        }
    }
}

/// An email address as Sanduq keeps it: trimmed and lower-cased, with one `@`, something on
/// each side, and no spaces. Deliverability is the mail server's business; this only keeps
/// out text that cannot be an address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why a text is not an email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEmail(pub String);

impl fmt::Display for InvalidEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an email address", self.0)
    }
}

impl std::error::Error for InvalidEmail {}

impl EmailAddress {
    /// Checks and normalises `text`.
    pub fn parse(text: &str) -> Result<EmailAddress, InvalidEmail> {
        let email = text.trim().to_lowercase();
        let bad = || InvalidEmail(text.trim().to_string());
        if email.is_empty() || email.len() > 254 {
            return Err(bad());
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')) {
            return Err(bad());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.contains('@')
            || domain.is_empty()
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(bad());
        }
        Ok(EmailAddress(email))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidEmail;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&text)
    }
}

impl From<EmailAddress> for String {
    fn from(email: EmailAddress) -> String {
        email.0
    }
}

#[cfg(test)]
mod email_tests {
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        let email = EmailAddress::parse("  Sara@Example.TEST ").expect("valid");
        assert_eq!(email.as_str(), "sara@example.test");
        assert!(EmailAddress::parse("سارة@مثال.test").is_ok());
    }

    #[test]
    fn non_addresses_are_refused() {
        for text in [
            "",
            "sara",
            "@example.test",
            "sara@",
            "sara@.test",
            "sara@example..test",
            "sa ra@x.test",
            "a@b@c",
            "<a@b.test>",
        ] {
            assert!(EmailAddress::parse(text).is_err(), "{text:?} accepted");
        }
    }
}

/// What the sidebar counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SidebarCounts {
    /// The working views with how many conversations each holds.
    pub views: Vec<(InboxView, i64)>,
    pub tags: Vec<TagSummary>,
}

/// A tag in the sidebar and in settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagSummary {
    pub id: crate::ids::TagId,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// Open or in-progress conversations carrying it.
    pub open_count: i64,
}
