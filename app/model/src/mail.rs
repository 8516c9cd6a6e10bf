//! Wire types of a mailbox's mail servers as admins see and edit them in Settings, with the
//! sync health of each folder and the mails that could not be read. Passwords go in, never
//! out: the view says only whether one is stored.

use serde::{Deserialize, Serialize};

use crate::ids::MailboxId;
use crate::mail_fault::MailFault;

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
    /// How replies name their sender: `agent` ("Sara via Support") or `mailbox` ("Support").
    #[serde(default)]
    pub from_style: String,
    /// Fetch only mail since this date (`YYYY-MM-DD`, UTC) on a folder's first sync; empty
    /// for all mail.
    #[serde(default)]
    pub sync_since: String,
}

/// How one folder's sync stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderHealthView {
    pub folder: String,
    /// Mails in the folder at the last look, and how many of them are fetched.
    pub total: i64,
    pub fetched: i64,
    pub last_sync_at: Option<i64>,
    /// Why the last sync of the folder failed, if it did.
    pub last_error: Option<MailFault>,
}

/// A mail set aside: the parser refused it, or it kept failing for hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantinedView {
    /// The raw mail's id, for the retry action.
    pub id: String,
    pub folder: String,
    pub size: i64,
    pub reason: SetAside,
    pub received_at: i64,
}

/// Why a mail was set aside instead of becoming a conversation. Kept as JSON (external
/// tagging: `"not_a_mail"`, `{"kept_failing":{"detail":"..."}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetAside {
    /// The MIME parser gave up on its bytes.
    Unparseable,
    /// It is empty, or has no header block.
    NoHeaders,
    /// It has headers, but none a mail has (From, To, Subject, Date…): a fragment of one.
    NotAMail,
    /// The store refused it for good; `detail` is for a developer reading the logs.
    Refused {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
    },
    /// It failed for a reason that may pass, on every try for about an hour; `detail` is the
    /// last failure, for a developer reading the logs.
    KeptFailing {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
    },
}

impl SetAside {
    /// The reason as kept in the database, read back by [`SetAside::from_stored`].
    pub fn stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The reason as an admin's page shows it: without a developer's detail (a database
    /// error, say), which stays in the logs and the database.
    pub fn without_detail(self) -> SetAside {
        match self {
            SetAside::Refused { .. } => SetAside::Refused { detail: String::new() },
            SetAside::KeptFailing { .. } => SetAside::KeptFailing { detail: String::new() },
            other => other,
        }
    }

    /// A reason as kept by [`SetAside::stored`]. The English words of an older version read
    /// as the reason they named, and any other words as [`SetAside::KeptFailing`].
    pub fn from_stored(text: &str) -> SetAside {
        if let Ok(reason) = serde_json::from_str(text) {
            return reason;
        }
        match text {
            "the MIME parser failed on this mail" => SetAside::Unparseable,
            "the mail is empty or has no headers" => SetAside::NoHeaders,
            "the mail has no From, To, Subject or Date header: it is not a mail" => SetAside::NotAMail,
            other => SetAside::KeptFailing { detail: other.to_string() },
        }
    }
}

impl std::fmt::Display for SetAside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetAside::Unparseable => f.write_str("the MIME parser failed on this mail"),
            SetAside::NoHeaders => f.write_str("the mail is empty or has no headers"),
            SetAside::NotAMail => f.write_str("the mail has no From, To, Subject or Date header: it is not a mail"),
            SetAside::Refused { detail } => write!(f, "refused: {detail}"),
            SetAside::KeptFailing { detail } => write!(f, "kept failing: {detail}"),
        }
    }
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
    /// Mails that failed for a reason that may pass, waiting for their next try.
    pub retrying: i64,
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
         img{{max-width:100%;height:auto}}details.quoted>summary{{cursor:pointer;color:#64748b;margin:.5em 0}}\
         </style></head><body>{sanitized}</body></html>"
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

/// Sanitized HTML with its quoted history (the first `<blockquote>`, which holds the mail
/// being answered in Gmail, Apple Mail, Thunderbird and most others) folded into a
/// `<details>` that opens with a click, no script needed. A mail that is all quote, or has
/// none, is left as it is.
pub fn fold_quoted_html(sanitized: &str, label: &str) -> String {
    let lower = sanitized.to_ascii_lowercase();
    let Some(start) = lower.find("<blockquote") else {
        return sanitized.to_string();
    };
    let before_text = strip_tags(&sanitized[..start]);
    if before_text.trim().is_empty() {
        return sanitized.to_string();
    }
    // The matching end tag: count nested blockquotes.
    let (mut depth, mut at) = (0usize, start);
    let end = loop {
        let open = lower[at..].find("<blockquote").map(|i| at + i);
        let close = lower[at..].find("</blockquote>").map(|i| at + i);
        match (open, close) {
            (Some(o), Some(c)) if o < c => {
                depth += 1;
                at = o + "<blockquote".len();
            }
            (_, Some(c)) => {
                depth = depth.saturating_sub(1);
                at = c + "</blockquote>".len();
                if depth == 0 {
                    break at;
                }
            }
            (_, None) => return sanitized.to_string(),
        }
    };
    let label = label.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "{}<details class=\"quoted\"><summary>{label}</summary>{}</details>{}",
        &sanitized[..start],
        &sanitized[start..end],
        &sanitized[end..]
    )
}

/// The visible text of some HTML, roughly: tags dropped.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
}

/// A plain-text mail split into what was written and the quoted history below it: the
/// first attribution line ("On … wrote:", "-----Original Message-----", a forwarded
/// conversation, their Arabic and Persian forms) or a run of `>` lines that goes on to the
/// end. `None` when there is no such history, or nothing above it.
pub fn split_quoted(text: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = text.lines().collect();
    let attribution = |line: &str| {
        let line = line.trim();
        // The English markers are ASCII: no Unicode case tables needed (nor in the WASM).
        let lower = line.to_ascii_lowercase();
        (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || lower.contains("-----original message-----")
            || lower.starts_with("---------- forwarded")
            || ((line.ends_with("كتب:") || line.ends_with("نوشت:")) && line.chars().count() < 200)
    };
    let mut cut = lines.iter().position(|l| attribution(l));
    if cut.is_none() {
        // A block of `>` lines (blank lines allowed) running to the end.
        let mut start = None;
        for (i, line) in lines.iter().enumerate() {
            let quoted = line.trim_start().starts_with('>');
            match (quoted, start) {
                (true, None) => start = Some(i),
                (false, Some(_)) if !line.trim().is_empty() => start = None,
                _ => {}
            }
        }
        cut = start;
    }
    match cut {
        Some(cut) if lines[..cut].iter().any(|l| !l.trim().is_empty()) => {
            let main = lines[..cut].join("\n").trim_end().to_string();
            let quoted = lines[cut..].join("\n").trim_end().to_string();
            (main, Some(quoted))
        }
        _ => (text.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_aside_reason_reads_back_and_so_do_the_old_words() {
        for reason in [
            SetAside::Unparseable,
            SetAside::NoHeaders,
            SetAside::NotAMail,
            SetAside::Refused { detail: "x".into() },
            SetAside::KeptFailing { detail: "database error: locked".into() },
        ] {
            assert_eq!(SetAside::from_stored(&reason.stored()), reason);
            // What an older version kept: its English words.
            let legacy = SetAside::from_stored(&reason.to_string());
            match reason {
                SetAside::Refused { .. } | SetAside::KeptFailing { .. } => {
                    assert!(matches!(legacy, SetAside::KeptFailing { .. }), "{legacy:?}")
                }
                named => assert_eq!(legacy, named),
            }
        }
    }

    #[test]
    fn quoted_html_folds_behind_a_summary() {
        let html = "<p>Thanks, that works.</p><div>On Mon, Layla wrote:</div><blockquote><p>Is it \
                    <blockquote>nested</blockquote> here?</p></blockquote><p>PS</p>";
        let folded = fold_quoted_html(html, "Show quoted text");
        assert!(
            folded.starts_with(
                "<p>Thanks, that works.</p><div>On Mon, Layla wrote:</div><details class=\"quoted\"><summary>Show quoted text</summary><blockquote>"
            ),
            "{folded}"
        );
        assert!(folded.ends_with("here?</p></blockquote></details><p>PS</p>"), "{folded}");
        // All quote, no quote, or a broken one: left alone.
        assert_eq!(fold_quoted_html("<blockquote>x</blockquote>", "s"), "<blockquote>x</blockquote>");
        assert_eq!(fold_quoted_html("<p>x</p>", "s"), "<p>x</p>");
        assert_eq!(fold_quoted_html("<p>x</p><blockquote>y", "s"), "<p>x</p><blockquote>y");
    }

    #[test]
    fn quoted_text_is_split_from_the_answer() {
        let (main, quoted) = split_quoted("Thanks!\n\nOn Mon, 2 Nov 2026, Sara wrote:\n> Your order left.\n");
        assert_eq!(main, "Thanks!");
        assert_eq!(quoted.as_deref(), Some("On Mon, 2 Nov 2026, Sara wrote:\n> Your order left."));
        let (main, quoted) = split_quoted("شكرًا\n\nفي 2 نوفمبر، سارة كتب:\n> طلبك في الطريق");
        assert_eq!(main, "شكرًا");
        assert!(quoted.is_some());
        let (main, quoted) = split_quoted("Hi\n> quoted\n>\n> more\n");
        assert_eq!((main.as_str(), quoted.as_deref()), ("Hi", Some("> quoted\n>\n> more")));
        // Inline answers between quotes are not history.
        let inline = "> Is it red?\nYes.\n> Size?\nM.";
        assert_eq!(split_quoted(inline), (inline.to_string(), None));
        assert_eq!(split_quoted("Just text"), ("Just text".to_string(), None));
    }
}
