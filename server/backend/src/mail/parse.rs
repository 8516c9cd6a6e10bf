//! Raw mail to what Sanduq stores: addresses, threading headers, text and HTML bodies,
//! attachments, whether the mail is automatic and, for a bounce, which mail bounced.
//!
//! mail-parser does the MIME work (RFC 2047 headers, transfer encodings, charsets such as
//! windows-1256 and iso-8859-6). It is built never to panic; [`parse`] still catches a panic,
//! because one hostile mail must fail alone and never take the sync down with it.

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};
use model::SetAside;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Mail larger than this is kept raw; only its headers are read (25 MB).
pub const DEFAULT_MAX_MAIL_BYTES: usize = 25 * 1024 * 1024;

/// A name and an address; the address is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    pub name: String,
    pub email: String,
}

impl Party {
    /// `Name <email>`, or the bare address when there is no name; a name with punctuation
    /// that would split an address list is quoted (`"Doe, Jo" <jo@example.com>`).
    pub fn display(&self) -> String {
        let name = self.name.trim();
        if name.is_empty() {
            self.email.clone()
        } else if name.contains([',', ';', '<', '>', '"', '@', '(', ')', ':']) {
            format!("\"{}\" <{}>", name.replace(['"', '\\'], ""), self.email)
        } else {
            format!("{name} <{}>", self.email)
        }
    }
}

/// A file that came with a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// `Content-ID` without angle brackets, for `cid:` references in the HTML body.
    pub content_id: Option<String>,
    pub inline: bool,
}

/// What Sanduq keeps of a parsed mail.
#[derive(Debug, Clone, Default)]
pub struct ParsedMail {
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<Party>,
    pub reply_to: Option<Party>,
    pub to: Vec<Party>,
    pub cc: Vec<Party>,
    pub subject: String,
    /// The `Date` header in microseconds since the epoch, when it parses.
    pub date: Option<i64>,
    pub text: String,
    /// The HTML body as sent: sanitize before showing it.
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// An auto-reply, a list mail, a bounce: it must never get an automatic answer.
    pub automatic: bool,
    /// For a delivery report (bounce): the `Message-ID` of the mail that bounced, and the
    /// reason in the report.
    pub bounce: Option<Bounce>,
    /// Too large to parse: only the headers were read.
    pub too_large: bool,
    /// The hash of what makes the mail this mail (sender, date, subject, bodies,
    /// attachments), leaving out the trace headers a second delivery changes.
    pub content_sha256: String,
}

/// A delivery status report about a mail that could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    pub original_message_id: String,
    pub reason: String,
}

/// Parses `raw`. Mail larger than `max_bytes` keeps only its headers and is marked too large.
pub fn parse(raw: &[u8], max_bytes: usize) -> Result<ParsedMail> {
    std::panic::catch_unwind(|| parse_inner(raw, max_bytes)).map_err(|_| Error::NotAMail(SetAside::Unparseable))?
}

fn parse_inner(raw: &[u8], max_bytes: usize) -> Result<ParsedMail> {
    let too_large = raw.len() > max_bytes;
    let input = if too_large { header_block(raw) } else { raw };
    let message = MessageParser::default().parse(input).ok_or(Error::NotAMail(SetAside::NoHeaders))?;
    let known = ["From", "Sender", "To", "Cc", "Subject", "Date", "Message-ID"];
    if !known.iter().any(|name| message.header_raw(*name).is_some()) {
        return Err(Error::NotAMail(SetAside::NotAMail));
    }

    let mut mail = ParsedMail {
        message_id: message.message_id().map(clean_id).filter(|id| !id.is_empty()),
        in_reply_to: id_list(message.in_reply_to()),
        references: id_list(message.references()),
        from: first_party(message.from()).or_else(|| first_party(message.sender())),
        reply_to: first_party(message.reply_to()),
        to: parties(message.to()),
        cc: parties(message.cc()),
        subject: message.subject().map(clean_line).unwrap_or_default(),
        date: message.date().map(|d| d.to_timestamp().saturating_mul(1_000_000)),
        too_large,
        ..ParsedMail::default()
    };

    if too_large {
        mail.text = format!(
            "This mail is too large to show ({:.1} MB; the limit is {:.0} MB). The original is kept.",
            raw.len() as f64 / 1_048_576.0,
            max_bytes as f64 / 1_048_576.0
        );
    } else {
        mail.text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
        mail.html = message
            .html_part(0)
            .filter(|part| part.is_text_html())
            .and_then(|part| part.text_contents())
            .map(str::to_string);
        for part in message.attachments() {
            let content_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_string())
                .to_ascii_lowercase();
            let filename =
                part.attachment_name()
                    .map(|n| clean_line(n).chars().filter(|c| !crate::files::is_bidi_control(*c)).collect::<String>())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| {
                        if part.is_message() { "message.eml".to_string() } else { "attachment".to_string() }
                    });
            let inline = part.content_disposition().is_some_and(|d| d.is_inline()) && part.content_id().is_some();
            mail.attachments.push(Attachment {
                filename,
                content_type,
                bytes: part.contents().to_vec(),
                content_id: part.content_id().map(clean_id).filter(|id| !id.is_empty()),
                inline,
            });
        }
        mail.bounce = bounce_of(&message);
    }

    mail.automatic = mail.bounce.is_some() || is_automatic(&message, mail.from.as_ref());
    mail.content_sha256 = content_hash(&message, &mail);
    Ok(mail)
}

/// The headers of a raw mail: everything up to the first empty line.
fn header_block(raw: &[u8]) -> &[u8] {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2))
        .unwrap_or(raw.len().min(256 * 1024));
    &raw[..end]
}

/// A one-line header text: no control characters, trimmed.
fn clean_line(text: &str) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A message id without angle brackets or spaces.
fn clean_id(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').trim().to_string()
}

fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    let mut ids: Vec<String> = match value {
        HeaderValue::Text(text) => text.split_whitespace().map(clean_id).collect(),
        HeaderValue::TextList(list) => list.iter().flat_map(|t| t.split_whitespace()).map(clean_id).collect(),
        _ => Vec::new(),
    };
    ids.retain(|id| !id.is_empty());
    ids
}

fn party(name: Option<&str>, address: Option<&str>) -> Option<Party> {
    let email = address?.trim().to_lowercase();
    if email.is_empty() || !email.contains('@') {
        return None;
    }
    Some(Party { name: name.map(clean_line).unwrap_or_default(), email })
}

fn first_party(address: Option<&Address<'_>>) -> Option<Party> {
    address?.iter().find_map(|a| party(a.name(), a.address()))
}

fn parties(address: Option<&Address<'_>>) -> Vec<Party> {
    address.map(|a| a.iter().filter_map(|a| party(a.name(), a.address())).collect()).unwrap_or_default()
}

fn header_text<'a>(message: &'a mail_parser::Message<'_>, name: &'a str) -> Option<&'a str> {
    message.header_raw(name).map(str::trim)
}

/// Auto-replies, vacation notices, lists, bulk mail and mail from mail systems.
fn is_automatic(message: &mail_parser::Message<'_>, from: Option<&Party>) -> bool {
    let auto_submitted = header_text(message, "Auto-Submitted").is_some_and(|v| !v.eq_ignore_ascii_case("no"));
    let precedence = header_text(message, "Precedence")
        .is_some_and(|v| ["bulk", "junk", "list", "auto_reply"].iter().any(|p| v.eq_ignore_ascii_case(p)));
    let list = header_text(message, "List-Id").is_some() || header_text(message, "List-Unsubscribe").is_some();
    let autoreply_headers = ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"]
        .iter()
        .any(|h| header_text(message, h).is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("no")));
    let system_sender = from.is_some_and(|p| {
        let local = p.email.split('@').next().unwrap_or_default();
        matches!(local, "mailer-daemon" | "postmaster" | "noreply" | "no-reply" | "donotreply" | "do-not-reply")
    });
    let report = message.root_part().content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart") && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    auto_submitted || precedence || list || autoreply_headers || system_sender || report
}

/// For a delivery status report (RFC 3464): the Message-ID of the returned mail and the
/// reason the report gives.
fn bounce_of(message: &mail_parser::Message<'_>) -> Option<Bounce> {
    let report = message.root_part().content_type().is_some_and(|ct| {
        ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct.attribute("report-type").is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"))
    });
    if !report {
        return None;
    }
    let mut original = None;
    let mut reason = String::new();
    for part in message.parts.iter() {
        let Some(ct) = part.content_type() else { continue };
        let kind = format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase();
        match kind.as_str() {
            "message/delivery-status" => {
                let text = String::from_utf8_lossy(part.contents());
                for line in text.lines() {
                    let lower = line.to_ascii_lowercase();
                    if lower.starts_with("diagnostic-code:") || (reason.is_empty() && lower.starts_with("status:")) {
                        reason = clean_line(line.split_once(':').map(|(_, v)| v).unwrap_or(line));
                    }
                }
            }
            "message/rfc822" | "message/global" => {
                if let Some(inner) = part.message() {
                    original = original.or_else(|| inner.message_id().map(clean_id));
                }
            }
            "text/rfc822-headers" | "message/rfc822-headers" => {
                if let Some(inner) = MessageParser::default().parse(part.contents()) {
                    original = original.or_else(|| inner.message_id().map(clean_id));
                }
            }
            _ => {}
        }
    }
    let original_message_id = original.filter(|id| !id.is_empty())?;
    if reason.is_empty() {
        reason = "the receiving server returned the mail undelivered".to_string();
    }
    Some(Bounce { original_message_id, reason })
}

/// What makes two copies of a mail the same mail: not the trace headers (Received,
/// Delivered-To, Return-Path) that differ per delivery and per folder.
fn content_hash(message: &mail_parser::Message<'_>, mail: &ParsedMail) -> String {
    let mut hash = Sha256::new();
    let mut field = |label: &str, value: &[u8]| {
        hash.update(label.as_bytes());
        hash.update((value.len() as u64).to_be_bytes());
        hash.update(value);
    };
    field("from", mail.from.as_ref().map(|p| p.email.as_bytes()).unwrap_or_default());
    field("date", message.header_raw("Date").unwrap_or_default().trim().as_bytes());
    field("subject", mail.subject.as_bytes());
    field("to", mail.to.iter().map(|p| p.email.as_str()).collect::<Vec<_>>().join(",").as_bytes());
    field("text", mail.text.as_bytes());
    field("html", mail.html.as_deref().unwrap_or_default().as_bytes());
    for attachment in &mail.attachments {
        field("attachment", &Sha256::digest(&attachment.bytes));
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(raw: &str) -> ParsedMail {
        parse(raw.as_bytes(), DEFAULT_MAX_MAIL_BYTES).expect("parses")
    }

    #[test]
    fn reads_addresses_ids_and_bodies() {
        let mail = parse_str(
            "From: \"Layla Haddad\" <Layla@Example.COM>\r\nTo: support@shop.test, Omar <omar@shop.test>\r\n\
             Subject: Where is my order?\r\nMessage-ID: <abc@mail.test>\r\nIn-Reply-To: <x1@shop.test>\r\n\
             References: <x0@shop.test> <x1@shop.test>\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nHello\r\n",
        );
        assert_eq!(mail.from, Some(Party { name: "Layla Haddad".into(), email: "layla@example.com".into() }));
        assert_eq!(mail.to.len(), 2);
        assert_eq!(mail.message_id.as_deref(), Some("abc@mail.test"));
        assert_eq!(mail.in_reply_to, vec!["x1@shop.test"]);
        assert_eq!(mail.references, vec!["x0@shop.test", "x1@shop.test"]);
        assert_eq!(mail.text.trim(), "Hello");
        assert!(!mail.automatic);
        assert!(mail.date.is_some());
    }

    #[test]
    fn decodes_arabic_in_rfc2047_and_windows_1256() {
        // "مرحبا" in windows-1256 is E3 D1 CD C8 C7.
        let mut raw = b"From: =?UTF-8?B?2YTZitmE2Yk=?= <l@example.com>\r\nSubject: =?windows-1256?B?48fRzcjH?=\r\n\
             Content-Type: text/plain; charset=windows-1256\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            .to_vec();
        raw.extend_from_slice(&[0xE3, 0xD1, 0xCD, 0xC8, 0xC7, b'\r', b'\n']);
        let mail = parse(&raw, DEFAULT_MAX_MAIL_BYTES).expect("parses");
        assert_eq!(mail.from.map(|p| p.name), Some("ليلى".to_string()));
        assert_eq!(mail.text.trim(), "مرحبا");
    }

    #[test]
    fn marks_automatic_mail() {
        for header in
            ["Auto-Submitted: auto-replied", "Precedence: bulk", "List-Id: <news.shop.test>", "X-Autoreply: yes"]
        {
            let mail = parse_str(&format!("From: a@example.com\r\n{header}\r\nSubject: x\r\n\r\nbody\r\n"));
            assert!(mail.automatic, "{header}");
        }
        assert!(parse_str("From: MAILER-DAEMON@mx.test\r\nSubject: x\r\n\r\nb\r\n").automatic);
        assert!(!parse_str("From: a@example.com\r\nAuto-Submitted: no\r\nSubject: x\r\n\r\nb\r\n").automatic);
    }

    #[test]
    fn finds_the_bounced_mail_in_a_delivery_report() {
        let mail = parse_str(
            "From: Mail Delivery System <MAILER-DAEMON@mx.test>\r\nTo: support@shop.test\r\nSubject: Undelivered\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n\
             --b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.test\r\n\r\n\
             Final-Recipient: rfc822; nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\
             Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n\
             --b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <sent-1@shop.test>\r\nSubject: Re: x\r\n\r\n\
             --b--\r\n",
        );
        let bounce = mail.bounce.expect("a bounce");
        assert_eq!(bounce.original_message_id, "sent-1@shop.test");
        assert!(bounce.reason.contains("550 5.1.1 user unknown"), "{}", bounce.reason);
        assert!(mail.automatic);
    }

    #[test]
    fn large_mail_keeps_only_its_headers() {
        let raw = format!("From: a@example.com\r\nSubject: big\r\n\r\n{}", "x".repeat(2000));
        let mail = parse(raw.as_bytes(), 1000).expect("parses");
        assert!(mail.too_large);
        assert_eq!(mail.subject, "big");
        assert!(mail.text.contains("too large"));
    }

    #[test]
    fn the_content_hash_ignores_trace_headers() {
        let a = parse_str(
            "Received: from a\r\nFrom: x@example.com\r\nSubject: s\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n",
        );
        let b = parse_str(
            "Received: from b\r\nDelivered-To: y@shop.test\r\nFrom: x@example.com\r\nSubject: s\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n",
        );
        let c = parse_str(
            "From: x@example.com\r\nSubject: s\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n\r\nother body\r\n",
        );
        assert_eq!(a.content_sha256, b.content_sha256);
        assert_ne!(a.content_sha256, c.content_sha256);
    }

    #[test]
    fn garbage_is_refused_in_words() {
        assert!(parse(b"", DEFAULT_MAX_MAIL_BYTES).is_err());
        let err = parse(b"\x00\x01\x02 not a mail at all", DEFAULT_MAX_MAIL_BYTES).expect_err("not a mail");
        assert!(err.to_string().contains("not a mail"), "{err}");
    }
}
