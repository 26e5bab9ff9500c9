//! The organisation's calendar day. Xero defaults an invoice's Date to "today" where the
//! organisation is, not in UTC: at 09:00 in Sydney it is still yesterday in UTC.
//!
//! Without a time-zone database this knows the zones of the seeded organisations (Xero's
//! `Timezone` names), daylight saving included; any other zone is taken as UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};

/// Today in the organisation's time zone (Xero's `Organisation.Timezone`).
pub fn local_day(timezone: &str, at: DateTime<Utc>) -> NaiveDate {
    (at + offset(timezone, at)).date_naive()
}

/// The zone's offset from UTC at `at`.
fn offset(timezone: &str, at: DateTime<Utc>) -> Duration {
    let year = at.year();
    match timezone {
        // Sydney, Melbourne, Canberra: +10, +11 from the first Sunday of October 02:00 to the
        // first Sunday of April 03:00 (both 16:00 UTC the day before).
        "AUSEASTERNSTANDARDTIME" => {
            let ends = switch(year, 4, first_sunday(year, 4), 16);
            let starts = switch(year, 10, first_sunday(year, 10), 16);
            Duration::hours(if at < ends || at >= starts { 11 } else { 10 })
        }
        // New Zealand: +12, +13 from the last Sunday of September 02:00 to the first Sunday of
        // April 03:00 (both 14:00 UTC the day before).
        "NEWZEALANDSTANDARDTIME" => {
            let ends = switch(year, 4, first_sunday(year, 4), 14);
            let starts = switch(year, 9, last_sunday(year, 9), 14);
            Duration::hours(if at < ends || at >= starts { 13 } else { 12 })
        }
        _ => Duration::zero(),
    }
}

/// `utc_hour`:00 UTC on the day before `day` of `month` (when Australasian clocks change).
fn switch(year: i32, month: u32, day: u32, utc_hour: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|date| date.pred_opt())
        .and_then(|date| date.and_hms_opt(utc_hour, 0, 0))
        .map_or(DateTime::<Utc>::MIN_UTC, |at| Utc.from_utc_datetime(&at))
}

fn first_sunday(year: i32, month: u32) -> u32 {
    (1..=7)
        .find(|day| {
            NaiveDate::from_ymd_opt(year, month, *day).is_some_and(|d| d.weekday() == Weekday::Sun)
        })
        .unwrap_or(1)
}

fn last_sunday(year: i32, month: u32) -> u32 {
    (22..=31)
        .rev()
        .find(|day| {
            NaiveDate::from_ymd_opt(year, month, *day).is_some_and(|d| d.weekday() == Weekday::Sun)
        })
        .unwrap_or(30)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn sydney_and_wellington_with_daylight_saving() {
        let sydney = "AUSEASTERNSTANDARDTIME";
        let nz = "NEWZEALANDSTANDARDTIME";
        // Summer: Sydney +11, NZ +13.
        assert_eq!(
            local_day(sydney, at("2026-11-30T12:59:00Z")),
            day("2026-11-30")
        );
        assert_eq!(
            local_day(sydney, at("2026-11-30T13:00:00Z")),
            day("2026-12-01")
        );
        assert_eq!(local_day(nz, at("2026-11-30T11:00:00Z")), day("2026-12-01"));
        // Winter: Sydney +10, NZ +12.
        assert_eq!(
            local_day(sydney, at("2026-06-30T13:30:00Z")),
            day("2026-06-30")
        );
        assert_eq!(
            local_day(sydney, at("2026-06-30T14:00:00Z")),
            day("2026-07-01")
        );
        assert_eq!(local_day(nz, at("2026-06-30T11:59:00Z")), day("2026-06-30"));
        assert_eq!(local_day(nz, at("2026-06-30T12:00:00Z")), day("2026-07-01"));
        // 2026: Sydney's DST ends 5 April and starts 4 October; NZ's starts 27 September.
        assert_eq!(
            offset(sydney, at("2026-04-04T15:59:00Z")),
            Duration::hours(11)
        );
        assert_eq!(
            offset(sydney, at("2026-04-04T16:00:00Z")),
            Duration::hours(10)
        );
        assert_eq!(
            offset(sydney, at("2026-10-03T16:00:00Z")),
            Duration::hours(11)
        );
        assert_eq!(offset(nz, at("2026-09-26T14:00:00Z")), Duration::hours(13));
        assert_eq!(offset(nz, at("2026-09-26T13:59:00Z")), Duration::hours(12));
        assert_eq!(
            local_day("UTC", at("2026-06-30T23:00:00Z")),
            day("2026-06-30")
        );
    }
}
