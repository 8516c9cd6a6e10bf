//! Formatting of times for people. Pure functions of their input, so the server's rendering
//! and the browser's hydration print the same text.

/// UTC microseconds as `YYYY-MM-DD HH:MM` (UTC until the per-user time zone lands).
pub fn date_time(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", of_day / 3600, (of_day % 3600) / 60)
}

/// A count as people read it.
pub fn number(n: i64) -> String {
    n.to_string()
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

#[cfg(test)]
mod tests {
    use super::date_time;

    #[test]
    fn known_instants() {
        assert_eq!(date_time(0), "1970-01-01 00:00");
        assert_eq!(date_time(1_795_305_600_000_000 + 14 * 3_600_000_000 + 5 * 60_000_000), "2026-11-22 14:05");
        assert_eq!(date_time(951_782_400_000_000), "2000-02-29 00:00");
    }
}
