//! What a text field accepts: the one place that decides it, for the browser and the server.
//!
//! A one-line field (a subject, a person's or mailbox's name, a tag, a host name) is trimmed
//! and its runs of whitespace, line breaks and tabs included, fold to one space, since that is
//! what a pasted subject means. Every other control character (NUL, ESC, DEL, the C1 range) is
//! refused rather than dropped: it cannot be typed, only injected, and it breaks what reads
//! these texts later (mail headers, PostgreSQL, which refuses NUL, terminals and logs).
//! Multi-line fields (replies, notes, signatures) keep every kind of whitespace (line breaks,
//! tabs, and the form feeds text pasted from a PDF brings) and refuse the rest.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextFault {
    /// Nothing but whitespace.
    Empty,
    /// More than `max` characters.
    TooLong { max: usize },
    /// A control character that is not whitespace.
    ControlCharacter,
}

impl fmt::Display for TextFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextFault::Empty => f.write_str("cannot be empty"),
            TextFault::TooLong { max } => write!(f, "has at most {max} characters"),
            TextFault::ControlCharacter => f.write_str("cannot contain control characters"),
        }
    }
}

impl std::error::Error for TextFault {}

/// Whether `c` may never appear in a text field: a control character that is not whitespace.
fn forbidden(c: char) -> bool {
    c.is_control() && !c.is_whitespace()
}

/// A one-line field as stored: trimmed, whitespace folded, 1 to `max` characters, no control
/// characters.
pub fn one_line(text: &str, max: usize) -> Result<String, TextFault> {
    if text.chars().any(forbidden) {
        return Err(TextFault::ControlCharacter);
    }
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return Err(TextFault::Empty);
    }
    if folded.chars().count() > max {
        return Err(TextFault::TooLong { max });
    }
    Ok(folded)
}

/// Checks a multi-line text (which may be empty): at most `max` characters, whitespace of
/// every kind allowed, no other control characters.
pub fn check_multi_line(text: &str, max: usize) -> Result<(), TextFault> {
    if text.chars().any(forbidden) {
        return Err(TextFault::ControlCharacter);
    }
    if text.chars().count() > max {
        return Err(TextFault::TooLong { max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_line_field_folds_whitespace_and_refuses_control_characters() {
        assert_eq!(one_line("  New\n subject\t here ", 100).as_deref(), Ok("New subject here"));
        assert_eq!(one_line("شحن متأخر", 100).as_deref(), Ok("شحن متأخر"));
        // Persian needs the zero-width non-joiner; it is a format character, not a control one.
        assert_eq!(one_line("می\u{200c}خواهم", 100).as_deref(), Ok("می\u{200c}خواهم"));
        for bad in ["a\0b", "\u{1b}[31mred", "del\u{7f}", "c1\u{9b}", "\u{0}"] {
            assert_eq!(one_line(bad, 100), Err(TextFault::ControlCharacter), "{bad:?}");
        }
        assert_eq!(one_line(" \n\t ", 100), Err(TextFault::Empty));
        assert_eq!(one_line("abcd", 3), Err(TextFault::TooLong { max: 3 }));
        assert_eq!(one_line("ابج", 3).as_deref(), Ok("ابج"), "characters are counted, not bytes");
    }

    #[test]
    fn a_multi_line_field_keeps_line_breaks_and_refuses_other_control_characters() {
        assert_eq!(check_multi_line("Thanks,\r\n\tSara\u{c}", 100), Ok(()));
        assert_eq!(check_multi_line("", 100), Ok(()));
        assert_eq!(check_multi_line("a\0b", 100), Err(TextFault::ControlCharacter));
        assert_eq!(check_multi_line("abcd", 3), Err(TextFault::TooLong { max: 3 }));
    }
}
