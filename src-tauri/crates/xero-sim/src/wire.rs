//! Xero's JSON conventions: `/Date(…)/` timestamps, date strings, money as JSON numbers,
//! and the rounding Xero applies to amounts.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serializer;

/// `/Date(1573755038314+0000)/`, the form Xero uses for `UpdatedDateUTC` and friends.
pub fn ms_date(at: DateTime<Utc>) -> String {
    format!("/Date({}+0000)/", at.timestamp_millis())
}

/// `/Date(1573755038314)/`, the form of the envelope's `DateTimeUTC`.
pub fn ms_date_plain(at: DateTime<Utc>) -> String {
    format!("/Date({})/", at.timestamp_millis())
}

/// A calendar date as Xero sends `Date`/`DueDate`: midnight UTC in `/Date(…+0000)/` form.
pub fn ms_day(day: NaiveDate) -> String {
    ms_date(Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN)))
}

/// A calendar date as Xero's `DateString`: `2026-11-01T00:00:00`.
pub fn day_string(day: NaiveDate) -> String {
    format!("{}T00:00:00", day.format("%Y-%m-%d"))
}

/// Parses the date forms clients send: `2026-11-01`, `2026-11-01T00:00:00`, `/Date(ms…)/`.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some(ms) = parse_ms_date(text) {
        return Some(ms.date_naive());
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day);
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Some(at.date());
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.date_naive())
}

fn parse_ms_date(text: &str) -> Option<DateTime<Utc>> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits: String = inner
        .chars()
        .enumerate()
        .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '-'))
        .map(|(_, c)| c)
        .collect();
    Utc.timestamp_millis_opt(digits.parse().ok()?).single()
}

/// Parses an `If-Modified-Since` value. Xero accepts ISO timestamps (taken as UTC) as well as
/// the HTTP date format.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(at) = DateTime::parse_from_rfc2822(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Utc.from_utc_datetime(&at));
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(Utc.from_utc_datetime(&day.and_time(chrono::NaiveTime::MIN)));
    }
    parse_ms_date(text)
}

/// Rounds as Xero does: half away from zero, to `places`.
pub fn round(amount: Decimal, places: u32) -> Decimal {
    amount.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Money goes over the wire as a JSON number, like Xero's (the spec says `number/double`).
/// Whole amounts are written as integers (`100`), others via the shortest float text, which is
/// exact for values already rounded to 2 or 4 places; no arithmetic ever happens on the float.
pub fn money_json(amount: Decimal) -> serde_json::Value {
    let amount = amount.normalize();
    if amount.scale() == 0
        && let Some(whole) = amount.to_i64()
    {
        return serde_json::Value::from(whole);
    }
    amount
        .to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// `serialize_with` helper for `Decimal` fields.
pub fn ser_money<S: Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&money_json(*amount), serializer)
}

/// `serialize_with` helper for `Option<Decimal>` fields (used with `skip_serializing_if`).
pub fn ser_opt_money<S: Serializer>(
    amount: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match amount {
        Some(amount) => ser_money(amount, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round(dec!(2.345), 2), dec!(2.35));
        assert_eq!(round(dec!(-2.345), 2), dec!(-2.35));
        assert_eq!(round(dec!(2.344), 2), dec!(2.34));
    }

    #[test]
    fn dates_in_xero_forms() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(day_string(day), "2026-11-01T00:00:00");
        assert_eq!(parse_day(&ms_day(day)), Some(day));
        assert_eq!(parse_day("2026-11-01T00:00:00"), Some(day));
        assert_eq!(parse_day("2026-11-01"), Some(day));
        assert!(parse_timestamp("2026-11-01T10:00:00").is_some());
        assert!(parse_timestamp("Sun, 01 Nov 2026 10:00:00 GMT").is_some());
    }

    #[test]
    fn money_is_a_plain_number() {
        assert_eq!(money_json(dec!(12.30)).to_string(), "12.3");
        assert_eq!(money_json(dec!(100.00)).to_string(), "100");
        assert_eq!(money_json(dec!(1234.56)).to_string(), "1234.56");
    }
}
