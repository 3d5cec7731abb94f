//! Calendar days: parsing `YYYY-MM-DD` and timestamps, today, and the arithmetic rules and pages do on days.

use jiff::civil::Date;

/// Parses exactly `YYYY-MM-DD` (jiff alone would also take other shapes).
pub fn parse(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    s.parse().ok()
}

/// [`parse`] for a command-line argument: the error says what was expected.
pub fn parse_arg(s: &str) -> Result<Date, String> {
    parse(s).ok_or_else(|| format!("`{s}` is not a calendar date written YYYY-MM-DD"))
}

/// The UTC calendar day of an ISO 8601 / RFC 3339 timestamp (`2026-03-04T10:11:12+00:00`, `…Z`).
/// Timestamps in UTC beyond the last one the clock can shift by a day (GCP's `9999-12-31T23:59:59Z`, "never
/// expires") keep their calendar day.
pub fn of_timestamp(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date());
    }
    let utc = text.ends_with('Z') || text.ends_with("+00:00");
    let (day, time) = text.split_at_checked(10)?;
    let time_ok = time.starts_with('T') && time.parse::<jiff::Timestamp>().is_err();
    if utc && time_ok && text.starts_with("9999-") {
        return parse(day);
    }
    None
}

/// Today in UTC: the default day rules are evaluated as of.
pub fn today_utc() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn between(from: Date, to: Date) -> i64 {
    from.until(to).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

/// `date` plus `days`, saturating at the calendar's ends.
pub fn add(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days.clamp(-7_000_000, 7_000_000)))
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_shape_is_a_day() {
        assert_eq!(parse("2026-03-04"), Some(jiff::civil::date(2026, 3, 4)));
        assert_eq!(parse("2026-3-04"), None);
        assert_eq!(parse("2026-02-30"), None);
        assert!(parse_arg("tomorrow").unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn arithmetic_is_signed_and_saturates() {
        let d = jiff::civil::date(2026, 3, 4);
        assert_eq!(between(d, add(d, 10)), 10);
        assert_eq!(between(add(d, 10), d), -10);
        assert_eq!(add(d, i64::MAX), Date::MAX);
        assert_eq!(add(d, i64::MIN), Date::MIN);
    }

    #[test]
    fn timestamps_become_utc_days() {
        let d = jiff::civil::date(2026, 3, 4);
        assert_eq!(of_timestamp("2026-03-04T23:30:00-00:00"), Some(d));
        assert_eq!(of_timestamp("2026-03-03T23:30:00-01:00"), Some(d));
        assert_eq!(
            of_timestamp("9999-12-31T23:59:59Z"),
            Some(jiff::civil::date(9999, 12, 31))
        );
        assert_eq!(of_timestamp("yesterday"), None);
    }
}
