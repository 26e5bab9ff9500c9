//! Exact money: `rust_decimal::Decimal`, rounded explicitly to the currency's places, half away
//! from zero (as Xero rounds each line). Never `f64`.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use ts_rs::TS;

/// A currency Scopebook can bill in (those Xero supports as base currencies for our markets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Currency {
    pub code: &'static str,
    pub name: &'static str,
    /// Digits after the decimal point (ISO 4217 minor units).
    pub places: u32,
}

const fn currency(code: &'static str, name: &'static str, places: u32) -> Currency {
    Currency { code, name, places }
}

pub const CURRENCIES: &[Currency] = &[
    currency("AUD", "Australian dollar", 2),
    currency("NZD", "New Zealand dollar", 2),
    currency("GBP", "Pound sterling", 2),
    currency("USD", "US dollar", 2),
    currency("CAD", "Canadian dollar", 2),
    currency("EUR", "Euro", 2),
    currency("ZAR", "South African rand", 2),
    currency("SGD", "Singapore dollar", 2),
    currency("HKD", "Hong Kong dollar", 2),
    currency("MYR", "Malaysian ringgit", 2),
    currency("CHF", "Swiss franc", 2),
    currency("JPY", "Japanese yen", 0),
];

impl Currency {
    pub fn find(code: &str) -> Option<Currency> {
        let code = code.trim();
        CURRENCIES
            .iter()
            .copied()
            .find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// Rounds to this currency's places, half away from zero.
    pub fn round(&self, amount: Decimal) -> Decimal {
        round_to(amount, self.places)
    }
}

/// Rounds half away from zero to `places` digits and keeps exactly that many digits, so
/// `12.5` at 2 places is `12.50` (what the user expects to see).
pub fn round_to(amount: Decimal, places: u32) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(places);
    rounded
}

/// Reads an amount the way a bookkeeper types it: `1200`, `1,200.50`, ` $1 200 `, `-3`.
/// Returns `None` for anything that isn't a plain number.
pub fn parse_amount(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '$' | '£' | '€' | '¥'))
        .collect();
    if cleaned.is_empty()
        || !cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    cleaned.parse::<Decimal>().ok().map(|d| d.normalize())
}

/// The symbol a currency is written with in English-speaking locales.
fn symbol(code: &str) -> &'static str {
    match code {
        "AUD" | "NZD" | "USD" | "CAD" | "SGD" | "HKD" => "$",
        "GBP" => "£",
        "EUR" => "€",
        "JPY" => "¥",
        "ZAR" => "R",
        "MYR" => "RM",
        _ => "",
    }
}

/// Money as printed on documents: `$1,234.50`, `-£12.00`, `CHF 1,000.00`. All our markets'
/// locales group thousands with commas and use a decimal point. Rounds to the currency first.
pub fn format_money(amount: Decimal, currency: Currency) -> String {
    let rounded = currency.round(amount);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = rounded.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number = if fraction.is_empty() {
        grouped
    } else {
        format!("{grouped}.{fraction}")
    };
    let sign = if negative { "-" } else { "" };
    match symbol(currency.code) {
        "" => format!("{sign}{} {number}", currency.code),
        s => format!("{sign}{s}{number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero_to_currency_places() {
        let aud = Currency::find("aud").unwrap();
        assert_eq!(aud.round(dec!(2.345)), dec!(2.35));
        assert_eq!(aud.round(dec!(2.344)), dec!(2.34));
        assert_eq!(aud.round(dec!(-2.345)), dec!(-2.35));
        assert_eq!(aud.round(dec!(12.5)).to_string(), "12.50");
        let jpy = Currency::find("JPY").unwrap();
        assert_eq!(jpy.round(dec!(100.5)).to_string(), "101");
        assert_eq!(jpy.round(dec!(-100.5)).to_string(), "-101");
    }

    #[test]
    fn parses_amounts_as_typed() {
        assert_eq!(parse_amount("1,200.50"), Some(dec!(1200.5)));
        assert_eq!(parse_amount(" $1 200 "), Some(dec!(1200)));
        assert_eq!(parse_amount("-3"), Some(dec!(-3)));
        assert_eq!(parse_amount("0.1"), Some(dec!(0.1)));
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount("12abc"), None);
        assert_eq!(parse_amount("1e5"), None);
        assert_eq!(parse_amount("1.2.3"), None);
    }

    #[test]
    fn formats_money_for_documents() {
        let aud = Currency::find("AUD").unwrap();
        assert_eq!(format_money(dec!(1234.5), aud), "$1,234.50");
        assert_eq!(format_money(dec!(1234567.891), aud), "$1,234,567.89");
        assert_eq!(format_money(dec!(0), aud), "$0.00");
        assert_eq!(
            format_money(dec!(-12), Currency::find("GBP").unwrap()),
            "-£12.00"
        );
        assert_eq!(
            format_money(dec!(1000.5), Currency::find("JPY").unwrap()),
            "¥1,001"
        );
        assert_eq!(
            format_money(dec!(999), Currency::find("CHF").unwrap()),
            "CHF 999.00"
        );
    }

    #[test]
    fn unknown_currency_is_none() {
        assert!(Currency::find("XYZ").is_none());
    }
}
