//! The pure parts of threading: Sanduq's own reply token, and a subject without its reply
//! and forward prefixes. The store applies them in order (token, then In-Reply-To /
//! References against known Message-IDs, then subject + same customer within
//! [`SUBJECT_WINDOW_MICROS`]).

use model::{ConversationId, MessageId};
use uuid::Uuid;

/// How far back a subject match may reach: 14 days.
pub const SUBJECT_WINDOW_MICROS: i64 = 14 * 24 * 3600 * 1_000_000;

/// Reply and forward prefixes, lower-cased, in the languages our customers write in.
const PREFIXES: &[&str] =
    &["re", "aw", "sv", "vs", "antw", "ref", "rif", "fwd", "fw", "wg", "tr", "enc", "رد", "پاسخ", "جواب"];

/// The Message-ID Sanduq gives a mail it sends: it names the conversation, so the answer
/// threads back even when the customer's mail program drops the other headers' history.
pub fn message_id_for(conversation: ConversationId, message: MessageId, domain: &str) -> String {
    format!("sanduq.{}.{}@{}", conversation.0.simple(), message.0.simple(), domain)
}

/// The conversation a Message-ID made by [`message_id_for`] names.
pub fn conversation_of(message_id: &str) -> Option<ConversationId> {
    let rest = message_id.strip_prefix("sanduq.")?;
    let (conversation, _) = rest.split_once('.')?;
    Uuid::try_parse(conversation).ok().map(ConversationId)
}

/// The subject without reply and forward prefixes (`Re:`, `AW:`, `Fwd:`, `رد:`, `پاسخ:`,
/// `Re[2]:`), bracketed list tags and case, for comparing two subjects.
pub fn subject_key(subject: &str) -> String {
    let mut rest = subject.trim();
    loop {
        let before = rest;
        if let Some(stripped) = strip_prefix(rest) {
            rest = stripped.trim_start();
        }
        if rest == before {
            break;
        }
    }
    rest.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn strip_prefix(text: &str) -> Option<&str> {
    // A prefix is a known word, an optional counter like [2] or (2), then ':' (or the Arabic
    // and Persian full-width forms) .
    let colon = text.char_indices().find(|(_, c)| matches!(c, ':' | '：' | '؛'))?.0;
    let head = text[..colon].trim();
    let word = head.split(['[', '(']).next().unwrap_or(head).trim().to_lowercase();
    let counter_ok = head[word.len().min(head.len())..].chars().all(|c| c.is_ascii_digit() || "[]() ".contains(c));
    if PREFIXES.contains(&word.as_str()) && counter_ok {
        let after = &text[colon..];
        let mut chars = after.chars();
        chars.next();
        return Some(chars.as_str());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_reply_prefixes_in_many_languages() {
        for subject in [
            "Where is my order?",
            "Re: Where is my order?",
            "RE: re: Where is my order?",
            "AW: Where is my order?",
            "SV:Where is my order?",
            "Fwd: Re: Where is my order?",
            "Re[2]: Where is my order?",
            "رد: Where is my order?",
            "پاسخ: Where is my order?",
            "  where   is my ORDER?  ",
        ] {
            assert_eq!(subject_key(subject), "where is my order?", "{subject}");
        }
        assert_eq!(subject_key("Regarding: refund"), "regarding: refund");
        assert_eq!(subject_key("رد: طلبي لم يصل"), "طلبي لم يصل");
    }

    #[test]
    fn the_reply_token_names_the_conversation() {
        let conversation = ConversationId(Uuid::now_v7());
        let id = message_id_for(conversation, MessageId(Uuid::now_v7()), "shop.test");
        assert_eq!(conversation_of(&id), Some(conversation));
        assert_eq!(conversation_of("abc@mail.test"), None);
        assert_eq!(conversation_of("sanduq.nothex.x@y"), None);
    }
}
