//! Counted phrases: "1 conversation", "٣ محادثات", "محادثتان".
//!
//! Each language picks a form by the CLDR plural rules for whole numbers (Arabic: zero, one,
//! two, few, many, other; Persian and English: one, other; a test checks the rules against
//! CLDR's own data in ICU4X). A [`Plural`] holds one form per category of its
//! language, checked while the table is compiled: an Arabic phrase without its "few" form, or
//! an English one with a "two", stops the build. A form writes the number as `{n}` where the
//! language wants it, in the reader's digits, or leaves it out ("محادثة واحدة").

use super::Lang;

/// A CLDR plural category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl Lang {
    /// The categories this language's phrases have forms for.
    pub const fn categories(self) -> &'static [Category] {
        use Category::*;
        match self {
            Lang::En | Lang::Fa => &[One, Other],
            Lang::Ar => &[Zero, One, Two, Few, Many, Other],
        }
    }

    /// The category of the whole number `n` in this language.
    pub fn plural(self, n: u64) -> Category {
        use Category::*;
        match self {
            Lang::En if n == 1 => One,
            Lang::Fa if n <= 1 => One,
            Lang::En | Lang::Fa => Other,
            Lang::Ar => match (n, n % 100) {
                (0, _) => Zero,
                (1, _) => One,
                (2, _) => Two,
                (_, 3..=10) => Few,
                (_, 11..=99) => Many,
                _ => Other,
            },
        }
    }
}

/// A phrase for a count, with one form per plural category of its language.
pub struct Plural {
    lang: Lang,
    forms: &'static [(Category, &'static str)],
}

impl Plural {
    /// `lang`'s forms of a phrase; fails to compile (in a `static`) unless there is exactly
    /// one form for each of the language's categories and each form has at most the hole
    /// `{n}`.
    pub const fn new(lang: Lang, forms: &'static [(Category, &'static str)]) -> Plural {
        let wanted = lang.categories();
        assert!(forms.len() == wanted.len(), "a plural phrase needs one form per category of its language");
        let mut w = 0;
        while w < wanted.len() {
            let mut found = false;
            let mut f = 0;
            while f < forms.len() {
                found = found || forms[f].0 as u8 == wanted[w] as u8;
                f += 1;
            }
            assert!(found, "a plural phrase misses a category of its language");
            w += 1;
        }
        let mut f = 0;
        while f < forms.len() {
            check_form(forms[f].1.as_bytes());
            f += 1;
        }
        Plural { lang, forms }
    }

    /// The language whose forms these are.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The phrase for `n`, with `digits` (the number in the reader's script) in place of `{n}`.
    pub fn form(&self, n: u64, digits: &str) -> String {
        let category = self.lang.plural(n);
        let form = self.forms.iter().find(|(c, _)| *c == category).or(self.forms.last()).map_or("", |(_, f)| f);
        form.replace("{n}", digits)
    }
}

/// Panics unless `form`'s only brace pair is one `{n}`.
const fn check_form(form: &[u8]) {
    let mut holes = 0;
    let mut i = 0;
    while i < form.len() {
        if form[i] == b'{' {
            assert!(i + 2 < form.len() && form[i + 1] == b'n' && form[i + 2] == b'}', "a plural form's only hole is n");
            holes += 1;
            i += 2;
        } else {
            assert!(form[i] != b'}', "a plural form has a closing brace that closes no hole");
        }
        i += 1;
    }
    assert!(holes <= 1, "a plural form writes its number once at most");
}

#[cfg(test)]
mod tests {
    use super::*;
    use icu_locale_core::locale;
    use icu_plurals::{PluralCategory, PluralRules};

    #[test]
    fn the_rules_are_cldrs() {
        for (lang, id) in [(Lang::En, locale!("en")), (Lang::Ar, locale!("ar")), (Lang::Fa, locale!("fa"))] {
            let cldr = PluralRules::try_new_cardinal(id.into()).expect("CLDR has the language");
            for n in (0..=1_000u64).chain([1_000_000, 1_000_003, 1_000_011, 1_000_100]) {
                let theirs = match cldr.category_for(n) {
                    PluralCategory::Zero => Category::Zero,
                    PluralCategory::One => Category::One,
                    PluralCategory::Two => Category::Two,
                    PluralCategory::Few => Category::Few,
                    PluralCategory::Many => Category::Many,
                    PluralCategory::Other => Category::Other,
                };
                assert_eq!(lang.plural(n), theirs, "{lang:?} {n}");
                assert!(lang.categories().contains(&theirs), "{lang:?} {n}");
            }
        }
    }

    #[test]
    fn each_language_says_its_counts() {
        static AR: Plural = Plural::new(
            Lang::Ar,
            &[
                (Category::Zero, "لا محادثات"),
                (Category::One, "محادثة واحدة"),
                (Category::Two, "محادثتان"),
                (Category::Few, "{n} محادثات"),
                (Category::Many, "{n} محادثة"),
                (Category::Other, "{n} محادثة"),
            ],
        );
        assert_eq!(AR.form(3, "٣"), "٣ محادثات");
        assert_eq!(AR.form(2, "٢"), "محادثتان");
        assert_eq!(AR.form(11, "١١"), "١١ محادثة");
        assert_eq!(AR.form(0, "٠"), "لا محادثات");
    }

    #[test]
    #[should_panic(expected = "misses a category")]
    fn a_missing_form_is_refused() {
        let _ = Plural::new(
            Lang::Ar,
            &[
                (Category::One, "a"),
                (Category::Other, "b"),
                (Category::Two, "c"),
                (Category::Few, "d"),
                (Category::Many, "e"),
                (Category::Many, "f"),
            ],
        );
    }

    #[test]
    #[should_panic(expected = "one form per category")]
    fn an_extra_form_is_refused() {
        let _ = Plural::new(
            Lang::En,
            &[(Category::One, "1 file"), (Category::Two, "2 files"), (Category::Other, "{n} files")],
        );
    }
}
