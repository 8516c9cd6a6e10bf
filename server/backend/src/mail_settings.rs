//! How Sanduq reaches a mailbox's mail servers: IMAP in (host, port, security, user, the
//! folders to sync) and SMTP out. Checked here before they are stored; passwords are sealed
//! with the instance's secret key and are never read back out of the server.

use std::fmt;
use std::str::FromStr;

use model::text::TextFault;
use model::{MailFault, MailboxId, Refusal, Server, UserId};

use crate::error::{Error, Result};
use crate::secret::SecretKey;
use crate::store::Store;

/// How a connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text: only for a server on this machine (loopback).
    None,
    /// Plain connection upgraded with STARTTLS.
    StartTls,
    /// TLS from the first byte.
    Tls,
}

impl Security {
    /// The word stored and typed on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            Security::None => "none",
            Security::StartTls => "starttls",
            Security::Tls => "tls",
        }
    }

    /// The usual IMAP port for this security.
    pub fn imap_port(&self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::None | Security::StartTls => 143,
        }
    }

    /// The usual SMTP submission port for this security.
    pub fn smtp_port(&self) -> u16 {
        match self {
            Security::Tls => 465,
            Security::StartTls => 587,
            Security::None => 25,
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Security {
    type Err = Error;

    fn from_str(s: &str) -> Result<Security> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::StartTls),
            "tls" | "ssl" => Ok(Security::Tls),
            other => Err(refused(None, MailFault::UnknownSecurity { text: other.to_string() })),
        }
    }
}

/// One mail server and the account on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: String,
}

impl Endpoint {
    fn check(&self, server: Server) -> Result<()> {
        let refused = |fault| refused(Some(server), fault);
        let host = self.host.trim();
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
            return Err(refused(MailFault::NotAHostName { host: host.to_string() }));
        }
        if self.port == 0 {
            return Err(refused(MailFault::NoPort));
        }
        // Sent as it is in IMAP LOGIN and SMTP AUTH: a line break would end the command.
        if self.user.chars().any(char::is_control) {
            return Err(refused(MailFault::UserName { fault: TextFault::ControlCharacter }));
        }
        model::text::one_line(&self.user, 320).map_err(|fault| refused(MailFault::UserName { fault }))?;
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]");
        if self.security == Security::None && !loopback {
            return Err(refused(MailFault::ClearTextPassword));
        }
        Ok(())
    }
}

/// How replies name their sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FromStyle {
    /// "Sara via Support <support@shop.test>": customers see who answered.
    #[default]
    Agent,
    /// "Support <support@shop.test>": the team answers as one.
    Mailbox,
}

impl FromStyle {
    pub fn as_str(&self) -> &'static str {
        match self {
            FromStyle::Agent => "agent",
            FromStyle::Mailbox => "mailbox",
        }
    }

    /// The name on the From line of a reply by `agent` from `mailbox`.
    pub fn sender_name(&self, agent: &str, mailbox: &str) -> String {
        match self {
            FromStyle::Agent => format!("{agent} via {mailbox}"),
            FromStyle::Mailbox => mailbox.to_string(),
        }
    }
}

impl FromStr for FromStyle {
    type Err = Error;

    fn from_str(s: &str) -> Result<FromStyle> {
        match s.trim() {
            "agent" | "" => Ok(FromStyle::Agent),
            "mailbox" => Ok(FromStyle::Mailbox),
            other => Err(refused(None, MailFault::UnknownSenderStyle { text: other.to_string() })),
        }
    }
}

/// A mailbox's mail servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub imap: Endpoint,
    /// The IMAP folders to sync, INBOX first.
    pub folders: Vec<String>,
    pub smtp: Endpoint,
    /// How replies name their sender.
    pub from_style: FromStyle,
    /// A folder's first sync fetches only mail that arrived since this time (UTC
    /// microseconds); all of it when `None`.
    pub sync_since: Option<i64>,
}

/// What is stored for a mailbox, without the passwords themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMailSettings {
    pub settings: MailSettings,
    pub has_imap_password: bool,
    pub has_smtp_password: bool,
}

impl MailSettings {
    /// Fails with the first thing that cannot work.
    pub fn check(&self) -> Result<()> {
        self.imap.check(Server::Imap)?;
        self.smtp.check(Server::Smtp)?;
        if self.folders.is_empty() || self.folders.len() > MAX_FOLDERS {
            return Err(refused(Some(Server::Imap), MailFault::FolderCount { max: MAX_FOLDERS }));
        }
        if self.folders.iter().any(|f| f.trim().is_empty() || f.chars().any(char::is_control)) {
            return Err(refused(Some(Server::Imap), MailFault::BadFolderName));
        }
        Ok(())
    }
}

/// The most IMAP folders a mailbox syncs.
pub const MAX_FOLDERS: usize = 50;

/// A refusal of the mail servers form.
pub fn refused(server: Option<Server>, fault: MailFault) -> Error {
    Error::Refused(Refusal::MailServers { server, fault })
}

/// The start of a backfill from a date typed as `YYYY-MM-DD` (midnight UTC); all mail
/// when empty. A date ahead would fetch nothing, so it is refused.
pub fn parse_since(date: &str) -> Result<Option<i64>> {
    let date = date.trim();
    if date.is_empty() {
        return Ok(None);
    }
    let not_a_date = || refused(Some(Server::Imap), MailFault::NotADate { text: date.to_string() });
    let day: jiff::civil::Date = date.parse().map_err(|_| not_a_date())?;
    let at = day.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| not_a_date())?.timestamp().as_microsecond();
    if at > crate::time::now_micros() {
        return Err(refused(Some(Server::Imap), MailFault::DateInFuture { text: date.to_string() }));
    }
    Ok(Some(at))
}

/// A backfill start as `YYYY-MM-DD` (UTC), the way [`parse_since`] reads it.
pub fn format_since(at: i64) -> String {
    jiff::Timestamp::from_microsecond(at)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
        .unwrap_or_default()
}

/// Checks and stores a mailbox's mail servers, sealing the passwords given (a password left
/// out keeps the one stored). `by` is the admin who saved them (`None`: the command line), for
/// the team's audit trail.
pub async fn save(
    store: &Store,
    key: &SecretKey,
    mailbox: MailboxId,
    settings: &MailSettings,
    (imap_password, smtp_password): (Option<&str>, Option<&str>),
    by: Option<UserId>,
) -> Result<()> {
    settings.check()?;
    let imap = imap_password.map(|p| key.seal(p));
    let smtp = smtp_password.map(|p| key.seal(p));
    store.save_mail_settings(mailbox, settings, (imap, smtp), by).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(host: &str, security: Security) -> Endpoint {
        Endpoint { host: host.to_string(), port: 993, security, user: "support@shop.test".to_string() }
    }

    #[test]
    fn plain_text_only_on_loopback() {
        let mut settings = MailSettings {
            imap: endpoint("imap.gmail.com", Security::Tls),
            folders: vec!["INBOX".to_string()],
            smtp: endpoint("smtp.gmail.com", Security::StartTls),
            from_style: FromStyle::Agent,
            sync_since: None,
        };
        assert!(settings.check().is_ok());
        settings.imap.security = Security::None;
        let err = settings.check().expect_err("clear text to a remote host");
        assert!(err.to_string().contains("in the clear"), "{err}");
        settings.imap.host = "127.0.0.1".to_string();
        assert!(settings.check().is_ok());
        settings.folders.clear();
        assert!(settings.check().is_err());
        assert_eq!("SSL".parse::<Security>().expect("alias"), Security::Tls);
        let since = parse_since(" 2026-01-31 ").expect("a date").expect("some");
        assert_eq!(format_since(since), "2026-01-31");
        assert_eq!(parse_since("").expect("empty"), None);
        assert!(parse_since("31/01/2026").is_err());
        assert!(parse_since("2999-01-01").expect_err("ahead").to_string().contains("future"));
        assert!("starttls2".parse::<Security>().is_err());
    }
}
