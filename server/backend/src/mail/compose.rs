//! A reply rendered once to the exact bytes every delivery attempt sends: Message-ID (which
//! names the conversation, see [`super::thread::message_id_for`]), In-Reply-To, References,
//! From "Agent via Mailbox <address>", text and HTML parts and attached files. Bcc is only
//! in the envelope. Also reads the address lists agents type into To, Cc and Bcc.

use lettre::Address;
use lettre::address::Envelope;
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart};
use model::{ConversationId, MessageId, Refusal};

use super::parse::Party;
use super::thread::message_id_for;
use crate::error::{Error, Result};
use crate::store::Outgoing;

/// Everything a reply's bytes are made from.
#[derive(Debug, Clone)]
pub struct Draft {
    pub conversation: ConversationId,
    pub message: MessageId,
    /// The name shown as sender, e.g. "Sara via Support".
    pub from_name: String,
    pub from_address: String,
    pub to: Vec<Party>,
    pub cc: Vec<Party>,
    pub bcc: Vec<Party>,
    pub subject: String,
    /// The Message-ID answered, without angle brackets.
    pub in_reply_to: Option<String>,
    /// The thread's Message-IDs so far, oldest first, without angle brackets.
    pub references: Vec<String>,
    pub text: String,
    /// Sent by Sanduq on its own (never in answer to automatic mail).
    pub automatic: bool,
    /// Not before this time, in microseconds (undo send).
    pub send_after: i64,
    /// Files sent with it, in order.
    pub files: Vec<OutgoingFile>,
}

/// A file attached to a reply.
#[derive(Debug, Clone)]
pub struct OutgoingFile {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The most recipients one reply may have (To, Cc and Bcc together).
pub const MAX_RECIPIENTS: usize = 50;

/// Reads an address list as agents type it: `Layla <layla@example.com>, sam@example.com`,
/// separated by commas, semicolons or line breaks. Each address once (the first spelling
/// wins); a piece that is not an address is refused by name.
pub fn parse_addresses(text: &str) -> Result<Vec<Party>> {
    let mut pieces = Vec::new();
    let (mut current, mut quoted, mut angled) = (String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angled = true,
            '>' if !quoted => angled = false,
            ',' | ';' | '\n' | '\r' if !quoted && !angled => {
                pieces.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    pieces.push(current);
    let mut parties: Vec<Party> = Vec::new();
    for piece in pieces.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let parsed: Mailbox = piece.parse().map_err(|_| model::Refusal::NotAnEmail { text: piece.to_string() })?;
        let email = parsed.email.to_string().to_lowercase();
        if !parties.iter().any(|p| p.email == email) {
            parties.push(Party { name: parsed.name.unwrap_or_default(), email });
        }
    }
    Ok(parties)
}

fn mailbox(party: &Party) -> Result<Mailbox> {
    let address = party.email.parse().map_err(|_| Refusal::NotAnEmail { text: party.email.clone() })?;
    Ok(Mailbox::new(if party.name.is_empty() { None } else { Some(party.name.clone()) }, address))
}

fn bracket(id: &str) -> String {
    format!("<{id}>")
}

/// The text as simple HTML: escaped, paragraphs kept, direction left to the reader's script.
pub fn text_to_html(text: &str) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let paragraphs: Vec<String> = text
        .replace("\r\n", "\n")
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p dir=\"auto\">{}</p>", escape(p).replace('\n', "<br>")))
        .collect();
    format!("<!doctype html><html><body>{}</body></html>", paragraphs.join(""))
}

/// Renders the reply.
pub fn render(draft: &Draft) -> Result<Outgoing> {
    if draft.to.is_empty() && draft.cc.is_empty() && draft.bcc.is_empty() {
        // Callers refuse a reply without recipients before they render it.
        return Err(Error::Internal("a reply to render has no recipient".to_string()));
    }
    let domain = draft.from_address.rsplit_once('@').map(|(_, d)| d).unwrap_or("sanduq.invalid");
    let message_id = message_id_for(draft.conversation, draft.message, domain);
    let from = mailbox(&Party { name: draft.from_name.clone(), email: draft.from_address.clone() })?;
    let mut builder = lettre::Message::builder()
        .message_id(Some(bracket(&message_id)))
        .from(from)
        .subject(draft.subject.clone())
        .date_now();
    for party in &draft.to {
        builder = builder.to(mailbox(party)?);
    }
    for party in &draft.cc {
        builder = builder.cc(mailbox(party)?);
    }
    if let Some(parent) = &draft.in_reply_to {
        builder = builder.in_reply_to(bracket(parent));
    }
    if !draft.references.is_empty() {
        builder = builder.references(draft.references.iter().map(|r| bracket(r)).collect::<Vec<_>>().join(" "));
    }
    if draft.automatic {
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-replied".into()));
    }
    let mut body = MultiPart::alternative_plain_html(draft.text.clone(), text_to_html(&draft.text));
    if !draft.files.is_empty() {
        let mut mixed = MultiPart::mixed().multipart(body);
        for file in &draft.files {
            let content_type = ContentType::parse(&file.content_type)
                .or_else(|_| ContentType::parse("application/octet-stream"))
                .map_err(|e| Error::Internal(format!("a content type: {e}")))?;
            mixed = mixed.singlepart(Attachment::new(file.filename.clone()).body(file.bytes.clone(), content_type));
        }
        body = mixed;
    }
    // The envelope is ours (Bcc only there), so lettre need not make one from the headers.
    let envelope_from: Address = draft.from_address.parse().map_err(|_| {
        Error::Internal(format!("the mailbox's address {:?} is not an email address", draft.from_address))
    })?;
    let recipients = draft
        .to
        .iter()
        .chain(&draft.cc)
        .chain(&draft.bcc)
        .map(|p| p.email.parse::<Address>().map_err(|_| Error::from(Refusal::NotAnEmail { text: p.email.clone() })))
        .collect::<Result<Vec<_>>>()?;
    builder = builder.envelope(
        Envelope::new(Some(envelope_from), recipients).map_err(|e| Error::Internal(format!("an envelope: {e}")))?,
    );
    let message = builder.multipart(body).map_err(|e| Error::Internal(format!("cannot write this mail: {e}")))?;
    let join = |parties: &[Party]| parties.iter().map(Party::display).collect::<Vec<_>>().join(", ");
    let envelope_to: Vec<&str> = draft.to.iter().chain(&draft.cc).chain(&draft.bcc).map(|p| p.email.as_str()).collect();
    Ok(Outgoing {
        id: draft.message,
        message_id_header: message_id,
        in_reply_to: draft.in_reply_to.clone(),
        references: if draft.references.is_empty() { None } else { Some(draft.references.join(" ")) },
        to: join(&draft.to),
        cc: join(&draft.cc),
        bcc: join(&draft.bcc),
        raw: message.formatted(),
        envelope_from: draft.from_address.clone(),
        envelope_to: envelope_to.join("\n"),
        send_after: draft.send_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn party(email: &str) -> Party {
        Party { name: String::new(), email: email.to_string() }
    }

    #[test]
    fn a_reply_carries_threading_headers_and_keeps_bcc_out_of_the_bytes() {
        let conversation = ConversationId(Uuid::now_v7());
        let draft = Draft {
            conversation,
            message: MessageId(Uuid::now_v7()),
            from_name: "Sara via Support".into(),
            from_address: "support@shop.test".into(),
            to: vec![Party { name: "Layla".into(), email: "layla@example.com".into() }],
            cc: vec![party("boss@example.com")],
            bcc: vec![party("audit@shop.test")],
            subject: "Re: طلبي".into(),
            in_reply_to: Some("c2@mail.test".into()),
            references: vec!["c1@mail.test".into(), "c2@mail.test".into()],
            text: "مرحبا Layla,\n\nYour order left today.".into(),
            automatic: false,
            send_after: 0,
            files: vec![OutgoingFile {
                filename: "فاتورة 7.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4 invoice".to_vec(),
            }],
        };
        let out = render(&draft).expect("renders");
        let raw = String::from_utf8_lossy(&out.raw);
        assert!(raw.contains(&format!("Message-ID: <{}>", out.message_id_header)), "{raw}");
        assert!(raw.contains("In-Reply-To: <c2@mail.test>"), "{raw}");
        assert!(raw.contains("References: <c1@mail.test> <c2@mail.test>"), "{raw}");
        assert!(raw.contains("Sara via Support"), "{raw}");
        assert!(!raw.to_lowercase().contains("audit@shop.test"), "{raw}");
        assert_eq!(out.envelope_to, "layla@example.com\nboss@example.com\naudit@shop.test");
        let parsed = super::super::parse::parse(&out.raw, usize::MAX).expect("parses back");
        assert_eq!(parsed.subject, "Re: طلبي");
        assert!(parsed.text.contains("مرحبا Layla"));
        assert_eq!(parsed.attachments.len(), 1, "{raw}");
        assert_eq!(parsed.attachments[0].filename, "فاتورة 7.pdf");
        assert_eq!(parsed.attachments[0].bytes, b"%PDF-1.4 invoice");
        assert_eq!(
            super::super::thread::conversation_of(parsed.message_id.as_deref().unwrap_or("")),
            Some(conversation)
        );
    }

    #[test]
    fn address_lists_read_as_typed() {
        let parties = parse_addresses(
            "Layla <Layla@Example.com>, sam@example.com;\n\"Doe, Jo\" <jo@example.com>, layla@example.com",
        )
        .expect("three addresses");
        let emails: Vec<&str> = parties.iter().map(|p| p.email.as_str()).collect();
        assert_eq!(emails, ["layla@example.com", "sam@example.com", "jo@example.com"]);
        assert_eq!(parties[0].name, "Layla");
        assert_eq!(parties[2].name, "Doe, Jo");
        assert!(parse_addresses("  ").expect("empty").is_empty());
        let err = parse_addresses("sam@example.com, not an address").expect_err("refused");
        assert!(err.to_string().contains("\"not an address\""), "{err}");
    }

    #[test]
    fn html_is_escaped() {
        assert!(text_to_html("<b>x</b> & y").contains("&lt;b&gt;x&lt;/b&gt; &amp; y"));
    }
}
