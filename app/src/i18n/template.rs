//! Sentences with named holes: `"{name} is already writing a reply"`.
//!
//! A [`Template`] is a translation that puts values where its own language wants them, so
//! Persian can say "وضعیت به {status} تغییر کرد" where English says "Status changed to
//! {status}". The holes a sentence has belong to its key, not to a language: the field's type
//! names them ([`Holes`]), and [`Template::new`] checks the text against them while the table
//! is compiled, so a misspelt, missing or repeated hole stops the build.
//!
//! Values are filled in the order the key's [`Holes`] lists them, and each is isolated from
//! the sentence around it (`<bdi>` in a page, U+2068/U+2069 in plain text), so an Arabic name
//! in an English sentence, or an address in a Persian one, cannot reorder the words.

use std::marker::PhantomData;

use leptos::prelude::*;

/// The holes of one kind of sentence, in the order values are given.
pub trait Holes {
    const NAMES: &'static [&'static str];
}

/// Declares a [`Holes`] type per kind of sentence.
macro_rules! holes {
    ($($(#[$doc:meta])* $name:ident = [$($hole:literal),+];)*) => {
        $($(#[$doc])* pub struct $name; impl Holes for $name { const NAMES: &'static [&'static str] = &[$($hole),+]; })*
    };
}

holes! {
    /// A person's name.
    Name = ["name"];
    /// A value a change set (a status, a tag, a subject).
    Value = ["value"];
    /// A time.
    Time = ["time"];
    /// How far a job got: `{done}` of `{total}`.
    Progress = ["done", "total"];
    /// A count, as an ordinal (the third attempt).
    Nth = ["n"];
    /// Who signed in to a mail server, and the folders found there.
    SignedIn = ["user", "folders"];
    /// A server's host name.
    Host = ["host"];
    /// A file's name.
    File = ["file"];
    /// A browser and the system it runs on.
    Device = ["browser", "system"];
    /// A person and a mailbox they joined or left.
    Member = ["name", "mailbox"];
    /// A person and the role they were given.
    NewRole = ["name", "role"];
}

/// A translated sentence whose holes are those of `H`.
pub struct Template<H: Holes> {
    text: &'static str,
    holes: PhantomData<H>,
}

/// One part of a filled sentence.
pub enum Piece<V> {
    Text(&'static str),
    Value(V),
}

impl<H: Holes> Template<H> {
    /// The sentence `text`; fails to compile (in a `static`) unless it holds each of `H`'s
    /// holes exactly once and no other braces.
    pub const fn new(text: &'static str) -> Template<H> {
        check(text.as_bytes(), H::NAMES);
        Template { text, holes: PhantomData }
    }

    /// The sentence cut at its holes, with `values` (in [`Holes::NAMES`] order) in place.
    pub fn pieces<V, const N: usize>(&self, values: [V; N]) -> Vec<Piece<V>> {
        const { assert!(N == H::NAMES.len(), "give one value per hole") };
        let mut values = values.map(Some);
        let mut pieces = Vec::with_capacity(2 * N + 1);
        let mut rest = self.text;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            if open > 0 {
                pieces.push(Piece::Text(&rest[..open]));
            }
            let name = rest.get(open + 1..close).unwrap_or_default();
            if let Some(value) = H::NAMES.iter().position(|n| *n == name).and_then(|i| values[i].take()) {
                pieces.push(Piece::Value(value));
            }
            rest = rest.get(close + 1..).unwrap_or_default();
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest));
        }
        pieces
    }

    /// The sentence for a page, each value in a `<bdi>`.
    pub fn view<const N: usize>(&self, values: [String; N]) -> impl IntoView + use<H, N> {
        sentence(self.pieces(values))
    }

    /// The sentence as plain text (a title, a notice), each value isolated by U+2068/U+2069.
    pub fn text<const N: usize>(&self, values: [&str; N]) -> String {
        self.pieces(values)
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.to_string(),
                Piece::Value(value) => format!("\u{2068}{value}\u{2069}"),
            })
            .collect()
    }
}

/// A sentence's pieces for a page, each value in a `<bdi>`. One function for every
/// sentence, so the page's code holds one copy of it.
pub fn sentence(pieces: Vec<Piece<String>>) -> impl IntoView {
    use leptos::either::Either;
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => Either::Left(text),
            Piece::Value(value) => Either::Right(view! { <bdi>{value}</bdi> }),
        })
        .collect::<Vec<_>>()
}

/// Panics (at compile time, when the template is in a `static`) unless `text` holds each of
/// `names` once as `{name}` and no other brace.
const fn check(text: &[u8], names: &[&str]) {
    let mut seen = [false; 8];
    assert!(names.len() <= seen.len(), "a sentence has at most 8 holes");
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'}' {
            panic!("a template has a closing brace that closes no hole");
        }
        if text[i] == b'{' {
            let start = i + 1;
            let mut end = start;
            while end < text.len() && text[end] != b'}' {
                assert!(text[end] != b'{', "a template opens a hole inside a hole");
                end += 1;
            }
            assert!(end < text.len(), "a template has an opening brace that is never closed");
            let mut found = false;
            let mut n = 0;
            while n < names.len() {
                if same(text, start, end, names[n].as_bytes()) {
                    assert!(!seen[n], "a template names a hole twice");
                    seen[n] = true;
                    found = true;
                }
                n += 1;
            }
            assert!(found, "a template names a hole its key does not have");
            i = end;
        }
        i += 1;
    }
    let mut n = 0;
    while n < names.len() {
        assert!(seen[n], "a template leaves out a hole of its key");
        n += 1;
    }
}

/// Whether `text[start..end]` is `name`.
const fn same(text: &[u8], start: usize, end: usize, name: &[u8]) -> bool {
    if end - start != name.len() {
        return false;
    }
    let mut k = 0;
    while k < name.len() {
        if text[start + k] != name[k] {
            return false;
        }
        k += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    static TWO: Template<Progress> = Template::new("{done} من {total}");

    fn texts(pieces: Vec<Piece<&str>>) -> Vec<String> {
        pieces
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => format!("t:{t}"),
                Piece::Value(v) => format!("v:{v}"),
            })
            .collect()
    }

    #[test]
    fn values_go_where_the_language_puts_its_holes() {
        assert_eq!(texts(TWO.pieces(["3", "7"])), ["v:3", "t: من ", "v:7"]);
        let reordered: Template<Progress> = Template::new("of {total}, {done} done");
        assert_eq!(texts(reordered.pieces(["3", "7"])), ["t:of ", "v:7", "t:, ", "v:3", "t: done"]);
        assert_eq!(Template::<Name>::new("{name}").text(["ليلى"]), "\u{2068}ليلى\u{2069}");
    }

    #[test]
    #[should_panic(expected = "does not have")]
    fn a_misspelt_hole_is_refused() {
        let _ = Template::<Name>::new("{nmae} wrote");
    }

    #[test]
    #[should_panic(expected = "leaves out")]
    fn a_missing_hole_is_refused() {
        let _ = Template::<Progress>::new("{done} fetched");
    }

    #[test]
    #[should_panic(expected = "twice")]
    fn a_repeated_hole_is_refused() {
        let _ = Template::<Name>::new("{name} and {name}");
    }
}
