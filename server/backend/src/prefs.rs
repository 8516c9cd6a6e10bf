//! Each person's language and time zone, and what the app needs to show times in that zone;
//! and their signature in each mailbox they answer from.
//!
//! The browser never holds a time zone database (it would weigh more than the whole app).
//! Instead the server sends, with each page, the zone's UTC offsets and the instants they
//! change, for a window around now ([`offset_table`]). The server's rendering and the
//! browser's hydration read the same table, so both print the same times.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use model::MailboxId;

use crate::Backend;
use crate::access::Caller;
use crate::error::Result;
use crate::store::Mailbox;
use crate::time::DAY;

/// The languages of the interface.
pub const LOCALES: [&str; 3] = ["en", "ar", "fa"];

/// How far either side of now the offset table reaches.
const TABLE_REACH: i64 = 400 * DAY;

/// The most zone changes a table holds (zones change at most twice a year).
const MAX_CHANGES: usize = 16;

/// The longest signature, in characters.
pub const MAX_SIGNATURE_CHARS: usize = 2_000;

impl Backend {
    /// Sets the caller's language and time zone; an unknown one is refused in words.
    pub async fn set_preferences(&self, caller: &Caller, locale: &str, time_zone: &str) -> Result<()> {
        if !LOCALES.contains(&locale) {
            return Err(model::Refusal::UnknownLanguage { text: locale.to_string() }.into());
        }
        check_time_zone(time_zone)?;
        self.store.set_preferences(caller.id, locale, time_zone).await
    }

    /// The caller's signature in each mailbox they may answer from (empty where none).
    pub async fn signatures(&self, caller: &Caller) -> Result<Vec<(Mailbox, String)>> {
        let mut found = Vec::new();
        for mailbox in self.mailboxes(caller).await? {
            let signature = self.store.signature(caller.id, mailbox.id).await?;
            found.push((mailbox, signature));
        }
        Ok(found)
    }

    /// Sets the caller's signature in a mailbox they may answer from; empty removes it.
    pub async fn set_signature(&self, caller: &Caller, mailbox: MailboxId, body: &str) -> Result<()> {
        self.check_mailbox(caller, mailbox).await?;
        let body = body.trim_end();
        model::text::check_multi_line(body, MAX_SIGNATURE_CHARS)
            .map_err(|fault| model::Refusal::Text { field: model::Field::Signature, fault })?;
        self.store.set_signature(caller.id, mailbox, body).await
    }
}

/// Fails unless `name` is a time zone of the IANA database.
pub fn check_time_zone(name: &str) -> Result<()> {
    TimeZone::get(name).map(|_| ()).map_err(|_| model::Refusal::UnknownTimeZone { text: name.to_string() }.into())
}

/// The UTC offsets (in seconds) of `time_zone` from `at - 400 days` to `at + 400 days`: the
/// first entry holds from the start of that window, each later one from its instant (UTC
/// microseconds). An unknown zone reads as UTC.
pub fn offset_table(time_zone: &str, at: i64) -> Vec<(i64, i32)> {
    let Ok(tz) = TimeZone::get(time_zone) else {
        return vec![(i64::MIN, 0)];
    };
    let (Ok(start), Ok(end)) = (
        Timestamp::from_microsecond(at.saturating_sub(TABLE_REACH)),
        Timestamp::from_microsecond(at.saturating_add(TABLE_REACH)),
    ) else {
        return vec![(i64::MIN, 0)];
    };
    let mut table = vec![(i64::MIN, tz.to_offset(start).seconds())];
    for transition in tz.following(start).take(MAX_CHANGES) {
        let when = transition.timestamp();
        if when > end {
            break;
        }
        table.push((when.as_microsecond(), transition.offset().seconds()));
    }
    table
}

/// The offset table as text for a page attribute: `micros:seconds` pairs joined by commas.
pub fn encode_offsets(table: &[(i64, i32)]) -> String {
    table.iter().map(|(at, offset)| format!("{at}:{offset}")).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SECOND;

    #[test]
    fn tehran_has_no_summer_time_and_berlin_has() {
        let now = 1_795_305_600 * SECOND; // 2026-11-22
        assert_eq!(offset_table("Asia/Tehran", now), vec![(i64::MIN, 12_600)]);
        let berlin = offset_table("Europe/Berlin", now);
        assert_eq!(berlin[0].1, 7_200, "the window opens in mid-October 2025, still summer time");
        assert!(berlin.len() >= 4, "two changes a year: {berlin:?}");
        assert!(berlin.iter().any(|(_, o)| *o == 3_600));
        assert_eq!(offset_table("Mars/Olympus", now), vec![(i64::MIN, 0)]);
        assert_eq!(encode_offsets(&[(i64::MIN, 0), (5, 60)]), "-9223372036854775808:0,5:60");
        assert!(check_time_zone("Asia/Riyadh").is_ok());
        assert!(check_time_zone("Riyadh").is_err());
    }
}
