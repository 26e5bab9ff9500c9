//! Reference lists the forms offer (countries, currencies, tax types), kept here so the UI and
//! the CLI read one source.

use serde::Serialize;
use ts_rs::TS;

use crate::money::{CURRENCIES, Currency};

/// A country a practice can be in, with what follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    pub name: &'static str,
    pub currency: &'static str,
    /// BCP 47 locale for numbers, money and dates.
    pub locale: &'static str,
    /// What the business tax number is called there.
    pub tax_number_label: &'static str,
    /// An example of a well-formed tax number.
    pub tax_number_example: &'static str,
}

const fn country(
    code: &'static str,
    name: &'static str,
    currency: &'static str,
    locale: &'static str,
    tax_number_label: &'static str,
    tax_number_example: &'static str,
) -> Country {
    Country {
        code,
        name,
        currency,
        locale,
        tax_number_label,
        tax_number_example,
    }
}

pub const COUNTRIES: &[Country] = &[
    country("AU", "Australia", "AUD", "en-AU", "ABN", "51 824 753 556"),
    country(
        "NZ",
        "New Zealand",
        "NZD",
        "en-NZ",
        "GST number",
        "49-091-850",
    ),
    country(
        "GB",
        "United Kingdom",
        "GBP",
        "en-GB",
        "VAT number",
        "GB 123 4567 89",
    ),
    country("IE", "Ireland", "EUR", "en-IE", "VAT number", "IE 1234567T"),
    country("US", "United States", "USD", "en-US", "EIN", "12-3456789"),
    country(
        "CA",
        "Canada",
        "CAD",
        "en-CA",
        "Business number",
        "123456789 RT0001",
    ),
    country(
        "ZA",
        "South Africa",
        "ZAR",
        "en-ZA",
        "VAT number",
        "4123456789",
    ),
    country(
        "SG",
        "Singapore",
        "SGD",
        "en-SG",
        "GST registration number",
        "M90312345A",
    ),
    country(
        "HK",
        "Hong Kong",
        "HKD",
        "en-HK",
        "Business registration number",
        "12345678",
    ),
    country(
        "MY",
        "Malaysia",
        "MYR",
        "en-MY",
        "SST number",
        "W10-1808-31000123",
    ),
];

impl Country {
    pub fn find(code: &str) -> Option<Country> {
        let code = code.trim();
        COUNTRIES
            .iter()
            .copied()
            .find(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// Checks a tax number's form (and its check digits where the country has them).
    /// Returns the sentence to show when it is wrong. An empty number is allowed.
    pub fn check_tax_number(&self, number: &str) -> Result<(), String> {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        if number.trim().is_empty() {
            return Ok(());
        }
        let wrong = || {
            format!(
                "That doesn't look like a valid {} (for example {}).",
                self.tax_number_label, self.tax_number_example
            )
        };
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/');
        if !number.chars().all(allowed) {
            return Err(wrong());
        }
        let ok = match self.code {
            "AU" => is_valid_abn(&digits),
            "NZ" => is_valid_nz_ird(&digits),
            "US" => {
                digits.len() == 9
                    && number.trim().chars().filter(|c| c.is_alphabetic()).count() == 0
            }
            "CA" => digits.len() == 9 || digits.len() == 13,
            "GB" => matches!(digits.len(), 9 | 12),
            "ZA" => digits.len() == 10 && digits.starts_with('4'),
            "IE" => (7..=8).contains(&digits.len()),
            _ => number.chars().filter(char::is_ascii_alphanumeric).count() >= 6,
        };
        if ok { Ok(()) } else { Err(wrong()) }
    }
}

/// Australian Business Number: 11 digits; subtract 1 from the first, weight, sum divisible by 89.
fn is_valid_abn(digits: &str) -> bool {
    const WEIGHTS: [u32; 11] = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
    let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if values.len() != 11 || values[0] == 0 {
        return false;
    }
    let sum: u32 = values
        .iter()
        .zip(WEIGHTS)
        .enumerate()
        .map(|(i, (d, w))| if i == 0 { (d - 1) * w } else { d * w })
        .sum();
    sum.is_multiple_of(89)
}

/// New Zealand IRD / GST number: 8 or 9 digits with a mod-11 check digit (IRD's published rule).
fn is_valid_nz_ird(digits: &str) -> bool {
    let padded = match digits.len() {
        8 => format!("0{digits}"),
        9 => digits.to_string(),
        _ => return false,
    };
    let values: Vec<u32> = padded.chars().filter_map(|c| c.to_digit(10)).collect();
    let number: u32 = padded.parse().unwrap_or(0);
    if !(10_000_000..=150_000_000).contains(&number) {
        return false;
    }
    let check = |weights: [u32; 8]| {
        let sum: u32 = values[..8].iter().zip(weights).map(|(d, w)| d * w).sum();
        match sum % 11 {
            0 => 0,
            r => 11 - r,
        }
    };
    let mut digit = check([3, 2, 7, 6, 5, 4, 3, 2]);
    if digit == 10 {
        digit = check([7, 4, 3, 2, 5, 2, 7, 6]);
    }
    digit != 10 && digit == values[8]
}

/// A Xero tax type commonly used on sales in a country. After connecting to Xero, the
/// organisation's own tax rates replace these suggestions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TaxTypeSuggestion {
    pub country: &'static str,
    pub code: &'static str,
    pub name: &'static str,
}

const fn tax(country: &'static str, code: &'static str, name: &'static str) -> TaxTypeSuggestion {
    TaxTypeSuggestion {
        country,
        code,
        name,
    }
}

pub const TAX_TYPES: &[TaxTypeSuggestion] = &[
    tax("AU", "OUTPUT", "GST on Income"),
    tax("AU", "EXEMPTOUTPUT", "GST Free Income"),
    tax("AU", "BASEXCLUDED", "BAS Excluded"),
    tax("NZ", "OUTPUT2", "GST on Income"),
    tax("NZ", "ZERORATED", "Zero Rated"),
    tax("NZ", "NONE", "No GST"),
    tax("GB", "OUTPUT2", "20% (VAT on Income)"),
    tax("GB", "RROUTPUT", "5% (VAT on Income)"),
    tax("GB", "ZERORATEDOUTPUT", "Zero Rated Income"),
    tax("GB", "EXEMPTOUTPUT", "Exempt Income"),
    tax("GB", "NONE", "No VAT"),
    tax("IE", "OUTPUT2", "23% (VAT on Income)"),
    tax("IE", "EXEMPTOUTPUT", "Exempt Income"),
    tax("US", "OUTPUT", "Tax on Sales"),
    tax("US", "NONE", "Tax Exempt"),
    tax("CA", "OUTPUT", "GST on Sales"),
    tax("CA", "NONE", "Tax Exempt"),
    tax("ZA", "OUTPUT", "Standard Rate Sales"),
    tax("ZA", "ZERORATEDOUTPUT", "Zero Rated Sales"),
    tax("SG", "OUTPUT", "Standard-Rated Supplies"),
    tax("SG", "ZERORATEDOUTPUT", "Zero-Rated Supplies"),
    tax("HK", "NONE", "No Tax"),
    tax("MY", "OUTPUT", "Sales and Service Tax"),
    tax("MY", "NONE", "No Tax"),
];

/// Everything the forms need to offer choices, in one reply.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ReferenceData {
    pub countries: Vec<Country>,
    pub currencies: Vec<Currency>,
    pub tax_types: Vec<TaxTypeSuggestion>,
}

pub fn reference_data() -> ReferenceData {
    ReferenceData {
        countries: COUNTRIES.to_vec(),
        currencies: CURRENCIES.to_vec(),
        tax_types: TAX_TYPES.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(country: &str, number: &str) -> bool {
        Country::find(country)
            .unwrap()
            .check_tax_number(number)
            .is_ok()
    }

    #[test]
    fn abn_checksum() {
        assert!(check("AU", "51 824 753 556"));
        assert!(check("AU", "53004085616"));
        assert!(!check("AU", "51 824 753 557"));
        assert!(!check("AU", "1234"));
        assert!(check("AU", ""));
    }

    #[test]
    fn nz_ird_check_digit() {
        assert!(check("NZ", "49-091-850"));
        assert!(check("NZ", "35-901-981"));
        assert!(check("NZ", "136-410-132"));
        assert!(!check("NZ", "136-410-133"));
        assert!(!check("NZ", "9125568"));
    }

    #[test]
    fn other_formats() {
        assert!(check("US", "12-3456789"));
        assert!(!check("US", "12-34567"));
        assert!(check("GB", "GB 123 4567 89"));
        assert!(!check("GB", "GB 123"));
        assert!(check("ZA", "4123456789"));
        assert!(!check("ZA", "5123456789"));
        assert!(!check("AU", "51 824 753 556; DROP"));
    }

    #[test]
    fn every_country_has_a_known_currency_and_a_valid_example() {
        for country in COUNTRIES {
            assert!(
                crate::money::Currency::find(country.currency).is_some(),
                "{}",
                country.code
            );
            assert!(
                country.check_tax_number(country.tax_number_example).is_ok(),
                "{} example {}",
                country.code,
                country.tax_number_example
            );
        }
    }
}
