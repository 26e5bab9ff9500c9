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

/// How a locale writes numbers: what groups the thousands and what marks the decimals, laid out
/// as the UI's `format.ts` lays them out (from the browser's `Intl` data). The practice's locale
/// picks one; it decides how typed amounts are read and how documents print them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    /// BCP 47 tag, as stored on the practice.
    pub locale: &'static str,
    /// Between groups of three digits: `,`, `.`, a no-break space (U+00A0) or a narrow one (U+202F).
    pub group: char,
    /// Before the decimals: `.` or `,`.
    pub decimal: char,
    /// Where the currency goes: `1.234,50 €` rather than `€1,234.50`.
    symbol_after: bool,
}

const fn number_format(locale: &'static str, group: char, decimal: char) -> NumberFormat {
    NumberFormat {
        locale,
        group,
        decimal,
        symbol_after: false,
    }
}

const NBSP: char = '\u{a0}';
const NARROW_NBSP: char = '\u{202f}';

/// Every locale Scopebook reads and writes numbers in: those of the countries a practice can be in
/// (see `reference::COUNTRIES`) and the common decimal-comma locales of Europe.
pub const NUMBER_FORMATS: &[NumberFormat] = &[
    number_format("en-AU", ',', '.'),
    number_format("en-NZ", ',', '.'),
    number_format("en-GB", ',', '.'),
    number_format("en-IE", ',', '.'),
    number_format("en-US", ',', '.'),
    number_format("en-CA", ',', '.'),
    number_format("en-ZA", NBSP, ','),
    number_format("en-SG", ',', '.'),
    number_format("en-HK", ',', '.'),
    number_format("en-MY", ',', '.'),
    NumberFormat {
        symbol_after: true,
        ..number_format("de-DE", '.', ',')
    },
    NumberFormat {
        symbol_after: true,
        ..number_format("fr-FR", NARROW_NBSP, ',')
    },
    number_format("nl-NL", '.', ','),
];

impl NumberFormat {
    /// The format of `locale` (`en-ZA`, `de-de`); a locale we don't know writes as `en-AU` does.
    pub fn for_locale(locale: &str) -> NumberFormat {
        let locale = locale.trim();
        NUMBER_FORMATS
            .iter()
            .copied()
            .find(|f| f.locale.eq_ignore_ascii_case(locale))
            .unwrap_or(NUMBER_FORMATS[0])
    }

    fn groups_with_space(&self) -> bool {
        is_space(self.group)
    }

    /// `1234.5` as this locale writes it, for examples in messages: `1,234.50`, `1 234,50`.
    fn example(&self) -> String {
        format_number(Decimal::new(123_450, 2), *self).replace([NBSP, NARROW_NBSP], " ")
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | NBSP | NARROW_NBSP | '\u{2009}')
}

/// Why typed text is not an amount. Each reads as a sentence a bookkeeper can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Nothing was entered.")]
    Empty,
    #[error("“{0}” isn't a number.")]
    NotANumber(String),
    #[error(
        "“{text}” has a separator in the wrong place; this practice writes numbers like {example}."
    )]
    MisplacedSeparator { text: String, example: String },
    #[error(
        "“{text}” has more than one decimal separator; this practice writes numbers like {example}."
    )]
    TwoDecimalSeparators { text: String, example: String },
    #[error(
        "“{text}” could be read two ways here: write {whole} for the whole number, or {decimals} if it has decimals."
    )]
    Ambiguous {
        text: String,
        whole: String,
        decimals: String,
    },
    #[error("“{0}” is too large.")]
    TooLarge(String),
}

/// Reads an amount the way a bookkeeper types it in the practice's locale: `1200`, `1,200.50`,
/// ` $1 200 `, `-3` in `en-AU`; `1 200,50` or `1200.50` in `en-ZA`; `1.200,50` in `de-DE`.
/// Spaces may group thousands in every locale. Anything that could be read two ways, or has a
/// separator where none belongs, is an error, never a guess: `2,50` in `en-AU` is not 250, and
/// `1,234` in `en-ZA` (where both habits are common) is neither 1.234 nor 1234.
pub fn parse_amount(text: &str, format: NumberFormat) -> Result<Decimal, AmountError> {
    let original = text.trim();
    if original.is_empty() {
        return Err(AmountError::Empty);
    }
    let not_a_number = || AmountError::NotANumber(original.to_string());
    let (negative, body) = strip_sign_and_currency(original);
    let body: String = body
        .chars()
        .map(|c| if is_space(c) { ' ' } else { c })
        .collect();
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' '))
        || !body.ends_with(|c: char| c.is_ascii_digit())
        || body.starts_with(' ')
    {
        return Err(not_a_number());
    }
    let misplaced = || AmountError::MisplacedSeparator {
        text: original.to_string(),
        example: format.example(),
    };
    let two_decimals = || AmountError::TwoDecimalSeparators {
        text: original.to_string(),
        example: format.example(),
    };
    let commas = body.matches(',').count();
    let dots = body.matches('.').count();
    // Which character marks the decimals here, if any.
    let decimal = if format.groups_with_space() {
        // Both `,` and `.` are decimal marks in practice (the locale's and the English habit);
        // so only one of them, once, and a lone three-digit tail is ambiguous.
        match (commas, dots) {
            (0, 0) => None,
            (c, d) if c > 0 && d > 0 => return Err(misplaced()),
            (1, 0) => Some(','),
            (0, 1) => Some('.'),
            _ => return Err(two_decimals()),
        }
    } else if body.contains(format.decimal) {
        if body.matches(format.decimal).count() > 1 {
            return Err(two_decimals());
        }
        Some(format.decimal)
    } else {
        None
    };
    let (whole, fraction) = match decimal {
        Some(mark) => body.split_once(mark).unwrap_or((&body, "")),
        None => (body.as_str(), ""),
    };
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(misplaced());
    }
    // The whole part: digits, optionally grouped in threes by one kind of separator.
    let separators: Vec<char> = whole.chars().filter(|c| !c.is_ascii_digit()).collect();
    let digits: String = whole.chars().filter(char::is_ascii_digit).collect();
    if let Some(&first) = separators.first() {
        let allowed = first == ' ' || (!format.groups_with_space() && first == format.group);
        if !allowed || separators.iter().any(|&c| c != first) {
            return Err(misplaced());
        }
        let groups: Vec<&str> = whole.split(first).collect();
        let head = groups.first().copied().unwrap_or("");
        let well_grouped = (1..=3).contains(&head.len())
            && !head.starts_with('0')
            && groups[1..].iter().all(|g| g.len() == 3);
        if !well_grouped {
            return Err(misplaced());
        }
    }
    if format.groups_with_space()
        && let Some(mark) = decimal
        && separators.is_empty()
        && fraction.len() == 3
        && (1..=3).contains(&digits.len())
        && !digits.starts_with('0')
    {
        // `1,234`: one thousand two hundred and thirty-four, or one point two three four?
        return Err(AmountError::Ambiguous {
            text: original.to_string(),
            whole: format!("{digits}{fraction}"),
            decimals: format!("{digits}{mark}{fraction}0"),
        });
    }
    if digits.is_empty() && fraction.is_empty() {
        return Err(not_a_number());
    }
    let canonical = format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        if digits.is_empty() { "0" } else { &digits },
        if fraction.is_empty() { "0" } else { fraction }
    );
    match canonical.parse::<Decimal>() {
        Ok(value) => Ok(value.normalize()),
        Err(_) if digits.len() + fraction.len() > 20 => {
            Err(AmountError::TooLarge(original.to_string()))
        }
        Err(_) => Err(not_a_number()),
    }
}

/// Takes a leading minus and a currency symbol or code off either end: `-$5`, `$-5`, `5 €`,
/// `R 1 234,50`, `CHF 12`.
fn strip_sign_and_currency(text: &str) -> (bool, &str) {
    const SYMBOLS: &[&str] = &["HK$", "RM", "$", "£", "€", "¥", "R"];
    let mut rest = text.trim();
    let mut negative = false;
    for _ in 0..2 {
        if let Some(after) = rest.strip_prefix(['-', '−']) {
            negative = !negative;
            rest = after.trim_start_matches(is_space);
            continue;
        }
        let symbol = SYMBOLS
            .iter()
            .copied()
            .chain(CURRENCIES.iter().map(|c| c.code))
            .find(|s| rest.starts_with(s));
        if let Some(symbol) = symbol {
            rest = rest[symbol.len()..].trim_start_matches(is_space);
        }
    }
    let symbol = SYMBOLS
        .iter()
        .copied()
        .chain(CURRENCIES.iter().map(|c| c.code))
        .find(|s| rest.ends_with(s));
    if let Some(symbol) = symbol {
        rest = rest[..rest.len() - symbol.len()].trim_end_matches(is_space);
    }
    (negative, rest)
}

/// A number laid out in `format`'s digits, every decimal kept: `-1,234,567.5`, `1 234,5`.
pub fn format_number(amount: Decimal, format: NumberFormat) -> String {
    let negative = amount.is_sign_negative() && !amount.is_zero();
    let text = amount.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(format.group);
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(format.decimal);
        out.push_str(fraction);
    }
    out
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

/// Money as printed on documents, in the practice's locale, as the app's screens show it:
/// `$1,234.50`, `-£12.00`, `CHF 1,000.00`, `R 1 234,50` (en-ZA), `1.234,50 €` (de-DE).
/// Rounds to the currency first.
pub fn format_money(amount: Decimal, currency: Currency, format: NumberFormat) -> String {
    let rounded = currency.round(amount);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let number = format_number(rounded.abs(), format);
    let sign = if negative { "-" } else { "" };
    match symbol(currency.code) {
        "" if format.symbol_after => format!("{sign}{number}{NBSP}{}", currency.code),
        "" => format!("{sign}{} {number}", currency.code),
        s if format.symbol_after => format!("{sign}{number}{NBSP}{s}"),
        // Letter symbols stand apart from the digits (`R 1 234,50`, `RM 99.00`), as Intl writes them.
        s if s.chars().all(char::is_alphabetic) => format!("{sign}{s}{NBSP}{number}"),
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

    fn locale(tag: &str) -> NumberFormat {
        let found = NumberFormat::for_locale(tag);
        assert_eq!(found.locale, tag);
        found
    }

    #[test]
    fn parses_amounts_as_typed() {
        let au = locale("en-AU");
        assert_eq!(parse_amount("1,200.50", au), Ok(dec!(1200.5)));
        assert_eq!(parse_amount(" $1 200 ", au), Ok(dec!(1200)));
        assert_eq!(parse_amount("-3", au), Ok(dec!(-3)));
        assert_eq!(parse_amount("-$5.00", au), Ok(dec!(-5)));
        assert_eq!(parse_amount("0.1", au), Ok(dec!(0.1)));
        assert_eq!(parse_amount("1,234,567.891", au), Ok(dec!(1234567.891)));
        assert_eq!(parse_amount("", au), Err(AmountError::Empty));
        for bad in ["abc", "12abc", "1e5", "-", "$", "1.", "1,234,"] {
            assert!(
                matches!(parse_amount(bad, au), Err(AmountError::NotANumber(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_decimal_comma_is_never_read_as_a_thousands_separator() {
        // The bug: "2,50" became 250 and "1 234,50" became 123450.
        let au = locale("en-AU");
        assert!(matches!(
            parse_amount("2,50", au),
            Err(AmountError::MisplacedSeparator { .. })
        ));
        assert!(matches!(
            parse_amount("1 234,50", au),
            Err(AmountError::MisplacedSeparator { .. })
        ));
        assert!(matches!(
            parse_amount("1.234,50", au),
            Err(AmountError::MisplacedSeparator { .. })
        ));
        assert!(matches!(
            parse_amount("1.2.3", au),
            Err(AmountError::TwoDecimalSeparators { .. })
        ));
        assert!(matches!(
            parse_amount("0,500", au),
            Err(AmountError::MisplacedSeparator { .. })
        ));
        // In a decimal-comma locale they are what they say.
        let za = locale("en-ZA");
        assert_eq!(parse_amount("2,50", za), Ok(dec!(2.5)));
        assert_eq!(parse_amount("1 234,50", za), Ok(dec!(1234.5)));
        assert_eq!(parse_amount("R\u{a0}1\u{a0}234,50", za), Ok(dec!(1234.5)));
        assert_eq!(parse_amount("1234.50", za), Ok(dec!(1234.5)));
        assert_eq!(parse_amount("0,125", za), Ok(dec!(0.125)));
        assert_eq!(parse_amount("1 234,567", za), Ok(dec!(1234.567)));
        let de = locale("de-DE");
        assert_eq!(parse_amount("1.234,50 €", de), Ok(dec!(1234.5)));
        assert_eq!(parse_amount("-2,5", de), Ok(dec!(-2.5)));
        assert!(parse_amount("2.50", de).is_err());
        assert!(parse_amount("1,234.50", de).is_err());
    }

    #[test]
    fn what_could_be_read_two_ways_is_refused_with_both_readings() {
        let za = locale("en-ZA");
        let error = parse_amount("1,234", za).unwrap_err();
        assert!(matches!(error, AmountError::Ambiguous { .. }));
        assert_eq!(
            error.to_string(),
            "“1,234” could be read two ways here: write 1234 for the whole number, or 1,2340 if it has decimals."
        );
        assert!(parse_amount("1.234", za).is_err());
        assert!(parse_amount("1,234,567", za).is_err());
        assert!(parse_amount("1,234.50", za).is_err());
        let fr = locale("fr-FR");
        assert!(parse_amount("12,345", fr).is_err());
        assert_eq!(parse_amount("12,3450", fr), Ok(dec!(12.345)));
        // Where the locale's own group separator is a comma, 1,234 is a thousand and more.
        assert_eq!(parse_amount("1,234", locale("en-GB")), Ok(dec!(1234)));
        assert_eq!(parse_amount("1.234", locale("nl-NL")), Ok(dec!(1234)));
    }

    #[test]
    fn every_country_has_a_number_format() {
        for country in crate::reference::COUNTRIES {
            assert_eq!(
                NumberFormat::for_locale(country.locale).locale,
                country.locale
            );
        }
        assert_eq!(NumberFormat::for_locale("xx-XX").locale, "en-AU");
    }

    #[test]
    fn digits_are_laid_out_as_the_ui_lays_them_out() {
        // What `Intl.NumberFormat(locale).format(-1234567.5)` gives, which format.ts follows.
        let expected = [
            ("en-AU", "-1,234,567.5"),
            ("en-NZ", "-1,234,567.5"),
            ("en-GB", "-1,234,567.5"),
            ("en-IE", "-1,234,567.5"),
            ("en-US", "-1,234,567.5"),
            ("en-CA", "-1,234,567.5"),
            ("en-ZA", "-1\u{a0}234\u{a0}567,5"),
            ("en-SG", "-1,234,567.5"),
            ("en-HK", "-1,234,567.5"),
            ("en-MY", "-1,234,567.5"),
            ("de-DE", "-1.234.567,5"),
            ("fr-FR", "-1\u{202f}234\u{202f}567,5"),
            ("nl-NL", "-1.234.567,5"),
        ];
        assert_eq!(expected.len(), NUMBER_FORMATS.len());
        for (tag, text) in expected {
            assert_eq!(format_number(dec!(-1234567.5), locale(tag)), text, "{tag}");
        }
    }

    #[test]
    fn formats_money_for_documents() {
        let au = locale("en-AU");
        let aud = Currency::find("AUD").unwrap();
        assert_eq!(format_money(dec!(1234.5), aud, au), "$1,234.50");
        assert_eq!(format_money(dec!(1234567.891), aud, au), "$1,234,567.89");
        assert_eq!(format_money(dec!(0), aud, au), "$0.00");
        assert_eq!(
            format_money(dec!(-12), Currency::find("GBP").unwrap(), au),
            "-£12.00"
        );
        assert_eq!(
            format_money(dec!(1000.5), Currency::find("JPY").unwrap(), au),
            "¥1,001"
        );
        assert_eq!(
            format_money(dec!(999), Currency::find("CHF").unwrap(), au),
            "CHF 999.00"
        );
        // As Intl writes them (and so the app's screens).
        assert_eq!(
            format_money(
                dec!(-1234567.5),
                Currency::find("ZAR").unwrap(),
                locale("en-ZA")
            ),
            "-R\u{a0}1\u{a0}234\u{a0}567,50"
        );
        assert_eq!(
            format_money(
                dec!(1234.5),
                Currency::find("EUR").unwrap(),
                locale("de-DE")
            ),
            "1.234,50\u{a0}€"
        );
    }

    mod round_trips {
        use super::*;
        use proptest::prelude::*;

        fn any_format() -> impl Strategy<Value = NumberFormat> {
            proptest::sample::select(NUMBER_FORMATS)
        }

        fn any_currency() -> impl Strategy<Value = Currency> {
            proptest::sample::select(CURRENCIES)
        }

        /// Amounts up to a hundred billion, with up to `places` decimals.
        fn amount(places: u32) -> impl Strategy<Value = Decimal> {
            (-100_000_000_000_000i64..100_000_000_000_000i64, 0..=places)
                .prop_map(|(units, scale)| Decimal::new(units, 4).round_dp(scale))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Money as the practice's documents and screens print it reads back as itself.
            #[test]
            fn money_reads_back_in_its_own_locale(
                value in amount(4), currency in any_currency(), format in any_format()
            ) {
                let printed = format_money(value, currency, format);
                prop_assert_eq!(parse_amount(&printed, format), Ok(currency.round(value)), "{}", printed);
            }

            /// Money printed in any locale, read in any other, is the same amount or refused:
            /// never read 100× (or 1000×) off.
            #[test]
            fn money_from_another_locale_is_never_misread(
                value in amount(2),
                currency in any_currency().prop_filter("two places", |c| c.places == 2),
                written in any_format(),
                read in any_format(),
            ) {
                let printed = format_money(value, currency, written);
                if let Ok(read_back) = parse_amount(&printed, read) {
                    prop_assert_eq!(read_back, currency.round(value), "{} read in {}", printed, read.locale);
                }
            }

            /// Quantities with up to four decimals, in the locale's digits, read back as
            /// themselves or (only where the locale makes `1,234` two-faced) are refused.
            #[test]
            fn numbers_read_back_or_are_refused(value in amount(4), format in any_format()) {
                let printed = format_number(value, format);
                match parse_amount(&printed, format) {
                    Ok(read_back) => prop_assert_eq!(read_back, value.normalize(), "{}", printed),
                    Err(AmountError::Ambiguous { .. }) => prop_assert!(format.groups_with_space()),
                    Err(other) => prop_assert!(false, "{} refused: {}", printed, other),
                }
            }

            /// Whatever is typed, digits and separators in any order, a reading that is
            /// accepted keeps every digit in its order: nothing is dropped or invented.
            #[test]
            fn typed_text_keeps_its_digits(text in "-?[0-9 ,.]{1,14}", format in any_format()) {
                if let Ok(value) = parse_amount(&text, format) {
                    let typed: String = text.chars().filter(char::is_ascii_digit).collect();
                    let typed = typed.trim_start_matches('0');
                    let read = value.abs().to_string().replace('.', "");
                    let read = read.trim_start_matches('0');
                    prop_assert!(typed.trim_end_matches('0') == read.trim_end_matches('0'), "{} → {}", text, value);
                }
            }
        }
    }

    #[test]
    fn unknown_currency_is_none() {
        assert!(Currency::find("XYZ").is_none());
    }
}
