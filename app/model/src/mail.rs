//! Wire types of a mailbox's mail servers as admins see and edit them in Settings, with the
//! sync health of each folder and the mails that could not be read. Passwords go in, never
//! out: the view says only whether one is stored.

use serde::{Deserialize, Serialize};

use crate::ids::MailboxId;

/// One server (IMAP or SMTP) as shown and edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServerForm {
    pub host: String,
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub security: String,
    pub user: String,
    /// A new password; empty keeps the stored one.
    #[serde(default)]
    pub password: String,
}

/// What an admin saves or tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MailServersForm {
    pub imap: ServerForm,
    /// Folder names, one per line (INBOX by default).
    pub folders: String,
    pub smtp: ServerForm,
}

/// How one folder's sync stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderHealthView {
    pub folder: String,
    /// Mails in the folder at the last look, and how many of them are fetched.
    pub total: i64,
    pub fetched: i64,
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
}

/// A mail that failed to be read three times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantinedView {
    /// The raw mail's id, for the retry action.
    pub id: String,
    pub folder: String,
    pub size: i64,
    pub reason: String,
    pub received_at: i64,
}

/// A mailbox's mail servers in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailServersView {
    pub mailbox: MailboxId,
    pub name: String,
    pub address: String,
    /// The stored settings (passwords blank), or a blank form when there are none yet.
    pub form: MailServersForm,
    pub configured: bool,
    pub has_imap_password: bool,
    pub has_smtp_password: bool,
    pub folders: Vec<FolderHealthView>,
    pub quarantined: Vec<QuarantinedView>,
}

/// What "Test connection" found: words for each server, good or bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCheck {
    pub imap_ok: bool,
    pub imap: String,
    pub smtp_ok: bool,
    pub smtp: String,
}

/// The document a `srcdoc` iframe shows for a sanitized mail body: its own CSP (no scripts
/// ever; images only inline and from this server unless `load_images`), links opening
/// outside the frame.
pub fn frame_document(sanitized: &str, load_images: bool) -> String {
    let img = if load_images { "img-src * data: blob:" } else { "img-src 'self' data:" };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'none'; \
         style-src 'unsafe-inline'; font-src 'none'; {img}\">\
         <base target=\"_blank\"><style>body{{margin:0;font:14px/1.5 system-ui,sans-serif;overflow-wrap:anywhere}}\
         img{{max-width:100%;height:auto}}</style></head><body>{sanitized}</body></html>"
    )
}

/// Whether sanitized HTML would fetch images from another server.
pub fn has_remote_images(sanitized: &str) -> bool {
    let lower = sanitized.to_ascii_lowercase();
    lower.contains("src=\"http")
        || lower.contains("url(http")
        || lower.contains("url(\"http")
        || lower.contains("url('http")
}
