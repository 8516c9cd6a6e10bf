//! The mail pipeline's pure steps on any bytes, as the fuzz target
//! (`fuzz/fuzz_targets/parse_sanitize_thread.rs`, nightly) and the stable mutation test
//! (`tests/mail.rs`) both run them: parse never panics and refuses in words, sanitizing
//! leaves nothing that runs, threading reads whatever ids the mail names, and quoted
//! history folds without breaking the markup it was given.

/// Runs one input through parse → sanitize → thread; panics on a broken promise.
pub fn check(data: &[u8]) {
    let Ok(mail) = crate::mail::parse::parse(data, 1 << 20) else { return };
    if let Some(html) = &mail.html {
        let clean = crate::mail::sanitize::sanitize_html(html);
        let lower = clean.to_lowercase();
        assert!(!lower.contains("<script"), "a script survived sanitizing");
        for (attribute, value) in attributes(&lower) {
            // As a browser's URL parser reads it: tabs and line breaks dropped anywhere, C0
            // controls and spaces trimmed at the ends (entities are already decoded by the
            // serializer, except `&amp;` and `&quot;`, which cannot make a scheme).
            let value: String = value.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
            let value = value.trim_matches(|c: char| c <= ' ');
            let runs = match attribute {
                "href" | "src" | "background" | "action" | "formaction" | "poster" => value.starts_with("javascript:"),
                "style" => value.contains("javascript:") || value.contains("expression("),
                _ => attribute.starts_with("on"),
            };
            assert!(!runs, "{attribute}=\"{value}\" survived sanitizing");
        }
        let folded = model::mail::fold_quoted_html(&clean, "Show quoted text");
        assert!(folded.len() >= clean.len(), "folding only adds");
    }
    let _ = model::mail::split_quoted(&mail.text);
    let _ = crate::mail::thread::subject_key(&mail.subject);
    for id in mail.in_reply_to.iter().chain(&mail.references) {
        let _ = crate::mail::thread::conversation_of(id);
    }
}

/// Every `name="value"` pair inside the tags of serialized HTML (as html5ever writes it:
/// double quotes, `"` inside values escaped); text between tags is not looked at, since
/// words like "javascript:" there are only words.
fn attributes(html: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        // The tag name, then attributes until the closing `>` outside quotes.
        let mut at = rest.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(rest.len());
        loop {
            let tail = &rest[at..];
            let trimmed = tail.trim_start();
            at += tail.len() - trimmed.len();
            if trimmed.is_empty() || trimmed.starts_with('>') || trimmed.starts_with('/') {
                break;
            }
            let name_end = trimmed.find(['=', ' ', '>']).unwrap_or(trimmed.len());
            let name = &trimmed[..name_end];
            at += name_end;
            if rest[at..].starts_with("=\"") {
                let value_start = at + 2;
                let value_end = rest[value_start..].find('"').map_or(rest.len(), |e| value_start + e);
                found.push((name, &rest[value_start..value_end]));
                at = (value_end + 1).min(rest.len());
            } else if name_end == 0 {
                at += 1;
            }
        }
        rest = &rest[at.min(rest.len())..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_from_tags_only() {
        let html =
            r#"<p>javascript: is text</p><a href="https://x.test" title="a &quot;b&quot;">x</a><img src="cid:1">"#;
        assert_eq!(attributes(html), [("href", "https://x.test"), ("title", "a &quot;b&quot;"), ("src", "cid:1")]);
    }
}
