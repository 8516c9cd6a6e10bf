//! Time as stored: UTC microseconds since the Unix epoch, the same integer on both engines.

use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds in one second.
pub const SECOND: i64 = 1_000_000;
/// Microseconds in one day.
pub const DAY: i64 = 86_400 * SECOND;

/// Now, in UTC microseconds since the epoch.
pub fn now_micros() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX)).unwrap_or(0)
}
