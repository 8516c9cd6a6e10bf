//! Formatting of times and numbers for people: in the reader's time zone, with the digits of
//! their language. Everything here is a pure function of the [`Clock`] and its input, and the
//! clock is the same in the server's rendering and the browser's hydration (the server puts
//! it on the document), so both print the same text. ([`initial`] upper-cases through
//! JavaScript in the browser and through Rust on the server: the same Unicode mapping.)

use std::sync::Arc;

use crate::i18n::{Lang, Plural};

/// The markup that makes a `<textarea>` start with `text`, for its `inner_html`.
///
/// A textarea's contents are text to the browser (character references are decoded, tags are
/// not), but tachys 0.2 prints a textarea's children into the server's HTML without escaping
/// them, so a draft holding `</textarea><img onerror=…>` would end the element and run as
/// markup. Escaped here, the server's HTML and the browser's `innerHTML` both give back the
/// exact text.
pub fn textarea_markup(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

/// How to print times and numbers for the person reading the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub lang: Lang,
    /// UTC offsets in seconds, each from an instant (UTC microseconds) on; the first one
    /// holds before every other. See `backend::prefs::offset_table`. Shared, so handing the
    /// clock to every timestamp of a page copies no table.
    pub offsets: Arc<[(i64, i32)]>,
}

impl Default for Clock {
    fn default() -> Clock {
        Clock { lang: Lang::En, offsets: Arc::from([(i64::MIN, 0)]) }
    }
}

impl Clock {
    /// Reads the `data-tz` text the server wrote (`micros:seconds,...`); anything malformed
    /// reads as UTC.
    pub fn from_table(lang: Lang, text: &str) -> Clock {
        let offsets: Option<Vec<(i64, i32)>> = text
            .split(',')
            .map(|pair| {
                let (at, offset) = pair.split_once(':')?;
                Some((at.parse().ok()?, offset.parse().ok()?))
            })
            .collect();
        match offsets {
            Some(offsets) if !offsets.is_empty() => Clock { lang, offsets: offsets.into() },
            _ => Clock { lang, ..Clock::default() },
        }
    }

    /// The UTC offset in force at `micros`, in seconds.
    fn offset_at(&self, micros: i64) -> i64 {
        let i = self.offsets.partition_point(|(at, _)| *at <= micros);
        self.offsets.get(i.saturating_sub(1)).map(|(_, o)| i64::from(*o)).unwrap_or(0)
    }

    /// `YYYY-MM-DD HH:MM` in the reader's zone and digits.
    pub fn date_time(&self, micros: i64) -> String {
        let secs = micros.div_euclid(1_000_000) + self.offset_at(micros);
        let days = secs.div_euclid(86_400);
        let of_day = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let text = format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", of_day / 3600, (of_day % 3600) / 60);
        self.digits(&text)
    }

    /// A count in the reader's digits.
    pub fn number(&self, n: i64) -> String {
        self.digits(&n.to_string())
    }

    /// The phrase for a count of `n`, in the reader's digits.
    pub fn count(&self, phrase: &Plural, n: i64) -> String {
        phrase.form(u64::try_from(n).unwrap_or(0), &self.number(n))
    }

    /// `text` with its ASCII digits in the reader's script: Arabic-Indic for Arabic,
    /// Persian for Persian.
    fn digits(&self, text: &str) -> String {
        let zero = match self.lang {
            Lang::En => return text.to_string(),
            Lang::Ar => '٠',
            Lang::Fa => '۰',
        };
        text.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32(zero as u32 + d).unwrap_or(c),
                None => c,
            })
            .collect()
    }
}

/// The clock of the page being rendered.
pub fn use_clock() -> Clock {
    leptos::prelude::use_context::<Clock>().unwrap_or_default()
}

/// A time as [`Clock::date_time`] prints it for the current page.
pub fn date_time(micros: i64) -> String {
    use_clock().date_time(micros)
}

/// A count as the current page prints it.
pub fn number(n: i64) -> String {
    use_clock().number(n)
}

/// A counted phrase as the current page prints it.
pub fn count(phrase: &Plural, n: i64) -> String {
    use_clock().count(phrase, n)
}

/// The clock of this page. On the server it comes from the signed-in user's time zone; in
/// the browser from the `data-tz` the server put on the document.
pub fn page_clock(lang: Lang) -> Clock {
    Clock::from_table(lang, &page_offsets())
}

/// The offset table of this page, as text.
pub fn page_offsets() -> String {
    #[cfg(feature = "ssr")]
    {
        let zone = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<backend::Caller>().map(|c| c.time_zone.clone()))
            .unwrap_or_else(|| "UTC".to_string());
        backend::prefs::encode_offsets(&backend::prefs::offset_table(&zone, backend::time::now_micros()))
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        leptos::prelude::document()
            .document_element()
            .and_then(|root| root.get_attribute("data-tz"))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        String::new()
    }
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The first letter of a name, upper-cased, for its avatar: "sara" → "S", "«رضا»" → "ر".
pub fn initial(name: &str) -> String {
    // Spaces, punctuation and quote marks, and the invisible marks that set a name's
    // direction (U+200B–U+200F, U+2066–U+2069, U+FEFF), are not letters to show.
    let shown = |c: &char| {
        !(c.is_whitespace()
            || c.is_ascii_punctuation()
            || matches!(c, '«' | '»' | '“' | '”' | '‘' | '’' | '„' | '‹' | '›' | '\u{feff}')
            || ('\u{200b}'..='\u{200f}').contains(c)
            || ('\u{2066}'..='\u{2069}').contains(c))
    };
    name.chars().find(shown).map(upper).unwrap_or_default()
}

/// `c` upper-cased. The browser asks JavaScript (the same Unicode mapping), so the WASM
/// carries no case tables of its own.
fn upper(c: char) -> String {
    #[cfg(feature = "hydrate")]
    {
        String::from(js_sys::JsString::from(c.to_string()).to_upper_case())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        c.to_uppercase().collect()
    }
}

/// A file size in words a person reads: 820 B, 14.2 KB, 3.1 MB. Whole numbers only: the
/// browser's bundle has no float formatting to carry.
pub fn bytes(n: i64) -> String {
    let n = n.max(0);
    if n < 1024 {
        return format!("{n} B");
    }
    // Tenths of the unit, rounded half up; a size that rounds to 1024 KB is 1.0 MB.
    let tenths = |unit: i64| (n / unit) * 10 + ((n % unit) * 10 + unit / 2) / unit;
    let kb = tenths(1024);
    let (tenths, name) = if kb < 10_240 { (kb, "KB") } else { (tenths(1_048_576), "MB") };
    format!("{}.{} {name}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_initial_is_the_first_letter_upper_cased() {
        assert_eq!(initial("sara nasser"), "S");
        assert_eq!(initial("  \"émile\""), "É");
        assert_eq!(initial("رضا احمدی"), "ر");
        assert_eq!(initial("ß"), "SS");
        assert_eq!(initial("\u{2068}«رضا»\u{2069}"), "ر");
        assert_eq!(initial(" ."), "");
    }

    #[test]
    fn sizes_read_in_tenths_of_their_unit() {
        assert_eq!(bytes(-5), "0 B");
        assert_eq!(bytes(820), "820 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1024), "1.0 KB");
        assert_eq!(bytes(14_541), "14.2 KB");
        assert_eq!(bytes(1_048_575), "1.0 MB");
        assert_eq!(bytes(1_048_000), "1023.4 KB");
        assert_eq!(bytes(3_250_586), "3.1 MB");
        assert_eq!(bytes(18 * 1_048_576), "18.0 MB");
        assert_eq!(bytes(i64::MAX), "8796093022208.0 MB");
    }

    const NOV_22_1405_UTC: i64 = 1_795_305_600_000_000 + 14 * 3_600_000_000 + 5 * 60_000_000;

    #[test]
    fn known_instants_in_utc() {
        let utc = Clock::default();
        assert_eq!(utc.date_time(0), "1970-01-01 00:00");
        assert_eq!(utc.date_time(NOV_22_1405_UTC), "2026-11-22 14:05");
        assert_eq!(utc.date_time(951_782_400_000_000), "2000-02-29 00:00");
    }

    #[test]
    fn zones_and_digits() {
        // Riyadh is UTC+3 all year; the table's change at 10:00 UTC moves the same zone to +4.
        let riyadh = Clock::from_table(Lang::Ar, "-9223372036854775808:10800");
        assert_eq!(riyadh.date_time(NOV_22_1405_UTC), "٢٠٢٦-١١-٢٢ ١٧:٠٥");
        let tehran = Clock::from_table(Lang::Fa, "-9223372036854775808:12600");
        assert_eq!(tehran.date_time(NOV_22_1405_UTC), "۲۰۲۶-۱۱-۲۲ ۱۷:۳۵");
        assert_eq!(tehran.number(1205), "۱۲۰۵");
        let changing = Clock::from_table(Lang::En, &format!("-9223372036854775808:0,{}:3600", NOV_22_1405_UTC));
        assert_eq!(changing.date_time(NOV_22_1405_UTC - 1), "2026-11-22 14:04");
        assert_eq!(changing.date_time(NOV_22_1405_UTC), "2026-11-22 15:05");
        assert_eq!(Clock::from_table(Lang::En, "garbage"), Clock::default());
    }
}
