//! What stops a mailbox's mail servers from working, as typed faults with their data: a
//! setting in Mail servers that cannot work, or what a server did when Sanduq connected. The
//! backend returns these (in a [`crate::Refusal::MailServers`], a [`ConnectionCheck`] or a
//! failed sync), the app words each in the reader's language (`app/src/refusals.rs`), and
//! [`fmt::Display`] gives the English for logs, the stored sync state and the HTTP API.
//! `detail` fields carry a server's or library's own words, shown as data.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::TextFault;

/// Which of a mailbox's two servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Server {
    Imap,
    Smtp,
}

impl Server {
    pub fn as_str(self) -> &'static str {
        match self {
            Server::Imap => "IMAP",
            Server::Smtp => "SMTP",
        }
    }
}

/// A mail server fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailFault {
    // The form.
    /// Security is none, starttls or tls.
    UnknownSecurity {
        text: String,
    },
    NotAHostName {
        host: String,
    },
    NoPort,
    /// Security none off this machine would send the password in the clear.
    ClearTextPassword,
    UserName {
        fault: TextFault,
    },
    /// Sync between 1 and `max` folders.
    FolderCount {
        max: usize,
    },
    BadFolderName,
    UnknownSenderStyle {
        text: String,
    },
    NotADate {
        text: String,
    },
    DateInFuture {
        text: String,
    },
    NeedsImapPassword,
    /// A demo mailbox never connects.
    DemoMailbox,
    // Reaching the server.
    NameUnknown {
        host: String,
    },
    NameTimeout {
        host: String,
        secs: u64,
    },
    PortRefused {
        host: String,
        port: u16,
    },
    Unreachable {
        host: String,
        port: u16,
        detail: String,
    },
    NoAnswer {
        host: String,
        port: u16,
        secs: u64,
    },
    NotATlsName {
        host: String,
    },
    TlsTimeout {
        host: String,
        secs: u64,
    },
    TlsFailed {
        host: String,
        detail: String,
    },
    NoStartTls {
        host: String,
        port: u16,
    },
    // IMAP.
    NotImap {
        host: String,
        detail: Option<String>,
    },
    GreetingTimeout {
        host: String,
        secs: u64,
    },
    SignInRejected {
        user: String,
        detail: String,
    },
    SignInFailed {
        host: String,
        detail: String,
    },
    SignInTimeout {
        host: String,
        secs: u64,
    },
    FolderMissing {
        folder: String,
        detail: String,
    },
    FolderFailed {
        folder: String,
        detail: String,
    },
    FolderTimeout {
        folder: String,
    },
    /// An IMAP command (`FETCH`, `IDLE`…) failed.
    CommandFailed {
        command: String,
        detail: String,
    },
    CommandTimeout {
        command: String,
        secs: u64,
    },
    ConnectionLost {
        detail: Option<String>,
    },
    /// The stored password was sealed with another secret key.
    PasswordUnreadable,
    // SMTP.
    /// The server offers no AUTH Sanduq can use, yet a password is set.
    SmtpNoAuth,
    SmtpNoStartTls,
    /// The connection is not encrypted, so the password was not sent.
    SmtpNotEncrypted,
    /// Another set-up mismatch lettre found.
    SmtpMisfit {
        detail: String,
    },
    SmtpNotAccepted {
        host: String,
    },
    /// A permanent refusal, usually the user or password.
    SmtpRejected {
        detail: String,
    },
    SmtpFailed {
        detail: String,
    },
    // Sending a reply.
    /// The server answered a reply with this SMTP code.
    SmtpAnswered {
        code: String,
        detail: String,
    },
    SmtpUnreachable {
        detail: String,
    },
    /// A reply's stored envelope cannot be sent (a bad sender or recipient address).
    BadEnvelope {
        detail: String,
    },
    /// A reply kept failing for a day; the last fault.
    GaveUp {
        last: Box<MailFault>,
    },
    /// The reply was written before the mailbox could send: send it again.
    WrittenBeforeServers,
    NoSmtpServer,
    SmtpPasswordUnreadable,
    /// The customer's server sent the reply back.
    Bounced {
        detail: String,
    },
    /// Words stored before faults were typed, or a fault of another kind.
    Other {
        detail: String,
    },
}

impl MailFault {
    /// How the fault is kept in the database (a sync's or a reply's last error).
    pub fn stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| self.to_string())
    }

    /// A fault as kept by [`MailFault::stored`]; words kept by an older version (or a fault
    /// this version does not know) read as [`MailFault::Other`] with those words.
    pub fn from_stored(text: &str) -> MailFault {
        if let Ok(fault) = serde_json::from_str(text) {
            return fault;
        }
        match text.strip_prefix("bounced: ") {
            Some(reason) => MailFault::Bounced { detail: reason.to_string() },
            None => MailFault::Other { detail: text.to_string() },
        }
    }
}

impl fmt::Display for MailFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MailFault as M;
        match self {
            M::UnknownSecurity { text } => write!(f, "security must be none, starttls or tls (not {text:?})"),
            M::NotAHostName { host } => write!(f, "{host:?} is not a host name"),
            M::NoPort => f.write_str("the port must be 1 to 65535"),
            M::ClearTextPassword => f.write_str(
                "security none would send the password in the clear; use tls or starttls \
                 (none is allowed only for a server on this machine)",
            ),
            M::UserName { fault } => write!(f, "the user {fault}"),
            M::FolderCount { max } => write!(f, "sync 1 to {max} folders (INBOX by default)"),
            M::BadFolderName => f.write_str("a folder name cannot be empty or hold a line break"),
            M::UnknownSenderStyle { text } => {
                write!(f, "unknown sender name style {text:?}: expected agent or mailbox")
            }
            M::NotADate { text } => {
                write!(f, "{text:?} is not a date; write it as YYYY-MM-DD, or leave it empty for all mail")
            }
            M::DateInFuture { text } => write!(f, "{text} is in the future; no mail arrived since then yet"),
            M::NeedsImapPassword => f.write_str("enter the IMAP password (for Gmail, an app password)"),
            M::DemoMailbox => f.write_str("a demo mailbox never connects to mail servers"),
            M::NameUnknown { host } => write!(f, "the name {host} could not be resolved: check the host name"),
            M::NameTimeout { host, secs } => write!(f, "the name {host} could not be resolved within {secs} s"),
            M::PortRefused { host, port } => write!(f, "{host} port {port} refused the connection: check the port"),
            M::Unreachable { host, port, detail } => write!(f, "cannot reach {host} port {port}: {detail}"),
            M::NoAnswer { host, port, secs } => write!(f, "no answer from {host} port {port} within {secs} s"),
            M::NotATlsName { host } => write!(f, "{host} is not a name TLS can check"),
            M::TlsTimeout { host, secs } => write!(f, "the TLS handshake with {host} did not finish within {secs} s"),
            M::TlsFailed { host, detail } => write!(f, "TLS failed with {host}: {detail}"),
            M::NoStartTls { host, port } => {
                write!(f, "{host} does not offer STARTTLS on port {port}: try security tls")
            }
            M::NotImap { host, detail: None } => {
                write!(f, "{host} closed the connection before greeting: is it an IMAP server?")
            }
            M::NotImap { host, detail: Some(detail) } => {
                write!(f, "{host} did not greet like an IMAP server: {detail}")
            }
            M::GreetingTimeout { host, secs } => write!(f, "{host} sent no IMAP greeting within {secs} s"),
            M::SignInRejected { user, detail } => write!(f, "authentication failed for {user}: {detail}"),
            M::SignInFailed { host, detail } => write!(f, "signing in to {host} failed: {detail}"),
            M::SignInTimeout { host, secs } => write!(f, "signing in to {host}: no answer within {secs} s"),
            M::FolderMissing { folder, detail } => write!(f, "folder {folder:?} is missing on the server ({detail})"),
            M::FolderFailed { folder, detail } => write!(f, "opening folder {folder:?} failed: {detail}"),
            M::FolderTimeout { folder } => write!(f, "opening folder {folder:?}: no answer"),
            M::CommandFailed { command, detail } => write!(f, "{command} failed: {detail}"),
            M::CommandTimeout { command, secs } => write!(f, "{command}: no answer within {secs} s"),
            M::ConnectionLost { detail: None } => f.write_str("the IMAP server stopped answering"),
            M::ConnectionLost { detail: Some(detail) } => write!(f, "the IMAP connection broke: {detail}"),
            M::PasswordUnreadable => f.write_str("the IMAP password cannot be read with this secret key"),
            M::SmtpNoAuth => f.write_str(
                "the SMTP server offers no sign-in (AUTH) that Sanduq can use, yet the mailbox has an SMTP password: \
                 clear the password in Mail servers if the server needs none, or turn on AUTH PLAIN or LOGIN on it",
            ),
            M::SmtpNoStartTls => f.write_str(
                "the SMTP server does not offer STARTTLS: choose TLS (usually port 465) in Mail servers, or none for \
                 a server on this machine",
            ),
            M::SmtpNotEncrypted => f.write_str(
                "the SMTP connection is not encrypted, so the password was not sent: choose STARTTLS or TLS in Mail \
                 servers",
            ),
            M::SmtpMisfit { detail } => {
                write!(f, "the SMTP settings do not fit this server ({detail}): check them in Mail servers")
            }
            M::SmtpNotAccepted { host } => write!(f, "{host} did not accept the connection"),
            M::SmtpRejected { detail } => {
                write!(f, "the SMTP server rejected us: {detail} (check the user and password)")
            }
            M::SmtpFailed { detail } => write!(f, "the SMTP server failed: {detail}"),
            M::SmtpAnswered { code, detail } => write!(f, "the mail server answered {code}: {detail}"),
            M::SmtpUnreachable { detail } => write!(f, "the mail server could not be reached: {detail}"),
            M::BadEnvelope { detail } => write!(f, "this reply cannot be addressed: {detail}"),
            M::GaveUp { last } => write!(f, "gave up after 24 hours of trying; last: {last}"),
            M::WrittenBeforeServers => {
                f.write_str("this reply was written before the mailbox could send mail; send it again")
            }
            M::NoSmtpServer => f.write_str("the mailbox has no SMTP server"),
            M::SmtpPasswordUnreadable => f.write_str("the SMTP password cannot be read with this secret key"),
            M::Bounced { detail } => write!(f, "bounced: {detail}"),
            M::Other { detail } => f.write_str(detail),
        }
    }
}

/// What Test connection found on the IMAP server when it worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImapReached {
    pub user: String,
    /// Each folder to sync, with its number of mails.
    pub folders: Vec<(String, i64)>,
}

/// What Test connection found, server by server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCheck {
    pub imap: Result<ImapReached, MailFault>,
    /// `Ok` with the SMTP host when it accepted the connection and the sign-in.
    pub smtp: Result<String, MailFault>,
}

impl ConnectionCheck {
    /// Both servers work.
    pub fn ok(&self) -> bool {
        self.imap.is_ok() && self.smtp.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_faults_read_back_and_old_words_still_read() {
        let fault = MailFault::GaveUp { last: Box::new(MailFault::PortRefused { host: "mx.test".into(), port: 25 }) };
        assert_eq!(MailFault::from_stored(&fault.stored()), fault);
        assert_eq!(
            MailFault::from_stored("bounced: 550 no such user"),
            MailFault::Bounced { detail: "550 no such user".into() }
        );
        assert_eq!(
            MailFault::from_stored("{\"from_the_future\":{}}"),
            MailFault::Other { detail: "{\"from_the_future\":{}}".into() }
        );
        assert_eq!(
            MailFault::SmtpNoAuth.to_string(),
            MailFault::from_stored(&MailFault::SmtpNoAuth.stored()).to_string()
        );
    }
}
