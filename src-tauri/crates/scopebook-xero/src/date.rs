//! Xero's dates. Replies write timestamps as `/Date(1573755038314+0000)/` (milliseconds since
//! the epoch, with an offset that is informational); some fields use ISO 8601 instead. We read
//! both and write ISO 8601, which Xero accepts.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// Parses `/Date(1573755038314+0000)/`, `/Date(1573755038314)/` or an ISO 8601 date-time.
pub fn parse_xero_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|t| t.strip_suffix(")/"))
    {
        let digits_end = inner
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '+' || *c == '-')
            .map_or(inner.len(), |(i, _)| i);
        let millis: i64 = inner[..digits_end].parse().ok()?;
        return Utc.timestamp_millis_opt(millis).single();
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(Utc.from_utc_datetime(&dt));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| Utc.from_utc_datetime(&dt))
}

/// Writes the `/Date(…+0000)/` form (what Xero itself sends).
pub fn format_xero_datetime(value: &DateTime<Utc>) -> String {
    format!("/Date({}+0000)/", value.timestamp_millis())
}

/// `#[serde(with = "crate::date::optional")]` for `Option<DateTime<Utc>>` fields.
pub mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_str(&format_xero_datetime(v)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => parse_xero_datetime(t)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("not a Xero date: {t}"))),
        }
    }
}

/// `#[serde(with = "crate::date::optional_day")]` for calendar dates (`Date`, `DueDate`):
/// read in any Xero form, written as `YYYY-MM-DD`.
pub mod optional_day {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_str(&v.format("%Y-%m-%d").to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => parse_xero_datetime(t)
                .map(|dt| Some(dt.date_naive()))
                .ok_or_else(|| serde::de::Error::custom(format!("not a Xero date: {t}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ms_dates_with_and_without_offset() {
        let expected = Utc.with_ymd_and_hms(2019, 11, 14, 18, 10, 38).unwrap()
            + chrono::Duration::milliseconds(314);
        assert_eq!(
            parse_xero_datetime("/Date(1573755038314+0000)/"),
            Some(expected)
        );
        assert_eq!(parse_xero_datetime("/Date(1573755038314)/"), Some(expected));
        assert_eq!(
            parse_xero_datetime("/Date(1573755038314-0500)/"),
            Some(expected)
        );
        assert_eq!(
            parse_xero_datetime("/Date(-86400000+0000)/").map(|d| d.date_naive().to_string()),
            Some("1969-12-31".into())
        );
    }

    #[test]
    fn reads_iso_forms() {
        assert_eq!(
            parse_xero_datetime("2026-11-01T00:00:00").map(|d| d.to_rfc3339()),
            Some("2026-11-01T00:00:00+00:00".into())
        );
        assert_eq!(
            parse_xero_datetime("2026-11-01T10:30:00+10:00").map(|d| d.to_rfc3339()),
            Some("2026-11-01T00:30:00+00:00".into())
        );
        assert!(parse_xero_datetime("2026-11-01").is_some());
        assert!(parse_xero_datetime("yesterday").is_none());
        assert!(parse_xero_datetime("/Date(abc)/").is_none());
    }

    #[test]
    fn round_trips_the_ms_form() {
        let now = Utc.timestamp_millis_opt(1_790_000_000_123).unwrap();
        assert_eq!(parse_xero_datetime(&format_xero_datetime(&now)), Some(now));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            /// What we write in Xero's form reads back as the same instant, whatever offset
            /// Xero puts after it.
            #[test]
            fn xero_dates_round_trip(
                millis in -2_208_988_800_000i64..4_102_444_800_000i64,
                offset in prop::sample::select(vec!["", "+0000", "+1300", "-0500"]),
            ) {
                let value = Utc.timestamp_millis_opt(millis).single().unwrap_or_default();
                let written = format_xero_datetime(&value);
                prop_assert_eq!(parse_xero_datetime(&written), Some(value));
                let with_offset = format!("/Date({millis}{offset})/");
                prop_assert_eq!(parse_xero_datetime(&with_offset), Some(value));
            }

            /// Anything else is a date or nothing: never a panic.
            #[test]
            fn any_text_is_a_date_or_none(text in "\\PC{0,40}", wrapped in any::<bool>()) {
                let text = if wrapped { format!("/Date({text})/") } else { text };
                let _ = parse_xero_datetime(&text);
            }
        }
    }
}
