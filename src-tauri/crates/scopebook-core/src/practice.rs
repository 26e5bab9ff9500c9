//! Practice settings: the firm using Scopebook, its defaults for Xero and for profitability.

use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::PriceRounding;
use crate::error::{Error, Problems, Result};
use crate::money::{AmountError, Currency, NumberFormat, parse_amount};
use crate::proposals::FeeDisplay;
use crate::reference::Country;
use crate::store::{Source, Store, decimal_column};

crate::db_enum! {
    /// Whether the firm's prices include tax.
    #[ts(export)]
    pub enum TaxTreatment: "tax treatment" {
        /// Prices are quoted before tax; tax is added on the invoice.
        Exclusive = "exclusive",
        /// Prices include tax.
        Inclusive = "inclusive",
    }
}

/// The practice as saved.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Practice {
    pub firm_name: String,
    pub legal_name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub region: String,
    pub postcode: String,
    pub email: String,
    pub phone: String,
    pub tax_number: String,
    pub country: String,
    pub base_currency: String,
    /// Digits after the decimal point in the base currency.
    pub currency_places: u32,
    pub locale: String,
    pub brand_colour: String,
    pub payment_terms_days: u32,
    pub recurring_account_code: String,
    pub one_off_account_code: String,
    pub default_tax_type: String,
    /// The Xero branding theme invoices use unless a client overrides it.
    pub default_branding_theme_id: String,
    pub tax_treatment: TaxTreatment,
    /// What an hour of staff time costs the firm (for profitability).
    #[ts(as = "String")]
    pub hourly_cost: Decimal,
    /// The share of a fee, in percent, the firm aims to keep after the cost of staff time.
    #[ts(as = "String")]
    pub target_margin: Decimal,
    /// Where a proposal line's price is rounded (once, after its drivers and discount).
    pub price_rounding: PriceRounding,
    /// How new proposals show their fees.
    pub fee_display: FeeDisplay,
    /// The least a client with recurring services pays a month (0: none); a proposal under it
    /// gets a top-up line.
    #[ts(as = "String")]
    pub minimum_monthly_fee: Decimal,
    pub has_logo: bool,
    pub updated_at: String,
}

impl Practice {
    pub fn currency(&self) -> Currency {
        Currency::find(&self.base_currency).unwrap_or(crate::money::CURRENCIES[0])
    }

    /// How the practice's locale writes numbers; typed amounts are read by it.
    pub fn number_format(&self) -> NumberFormat {
        NumberFormat::for_locale(&self.locale)
    }
}

/// The first-run form: just enough to start.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PracticeSetup {
    pub firm_name: String,
    pub country: String,
    pub base_currency: String,
}

/// The settings form, as typed. Amounts and numbers arrive as text so that a typo becomes a
/// message beside its field rather than a failed request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PracticeDraft {
    pub firm_name: String,
    pub legal_name: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub region: String,
    pub postcode: String,
    pub email: String,
    pub phone: String,
    pub tax_number: String,
    pub country: String,
    pub base_currency: String,
    pub brand_colour: String,
    pub payment_terms_days: String,
    pub recurring_account_code: String,
    pub one_off_account_code: String,
    pub default_tax_type: String,
    #[serde(default)]
    pub default_branding_theme_id: String,
    pub tax_treatment: Option<TaxTreatment>,
    pub hourly_cost: String,
    /// Percent; empty keeps no target.
    #[serde(default)]
    pub target_margin: String,
    /// `None` keeps what is saved.
    #[serde(default)]
    pub price_rounding: Option<PriceRounding>,
    /// `None` keeps what is saved.
    #[serde(default)]
    pub fee_display: Option<FeeDisplay>,
    /// Empty for none.
    #[serde(default)]
    pub minimum_monthly_fee: String,
}

impl Practice {
    /// The form pre-filled with what is saved.
    pub fn draft(&self) -> PracticeDraft {
        PracticeDraft {
            firm_name: self.firm_name.clone(),
            legal_name: self.legal_name.clone(),
            address_line1: self.address_line1.clone(),
            address_line2: self.address_line2.clone(),
            city: self.city.clone(),
            region: self.region.clone(),
            postcode: self.postcode.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            tax_number: self.tax_number.clone(),
            country: self.country.clone(),
            base_currency: self.base_currency.clone(),
            brand_colour: self.brand_colour.clone(),
            payment_terms_days: self.payment_terms_days.to_string(),
            recurring_account_code: self.recurring_account_code.clone(),
            one_off_account_code: self.one_off_account_code.clone(),
            default_tax_type: self.default_tax_type.clone(),
            default_branding_theme_id: self.default_branding_theme_id.clone(),
            tax_treatment: Some(self.tax_treatment),
            hourly_cost: self.hourly_cost.to_string(),
            target_margin: self.target_margin.to_string(),
            price_rounding: Some(self.price_rounding),
            fee_display: Some(self.fee_display),
            minimum_monthly_fee: if self.minimum_monthly_fee.is_zero() {
                String::new()
            } else {
                self.minimum_monthly_fee.to_string()
            },
        }
    }
}

/// Xero account codes are at most 10 characters: letters, digits, and a few separators.
pub(crate) fn check_account_code(problems: &mut Problems, field: &str, code: &str) {
    let code = code.trim();
    if code.len() > 10 {
        problems.add(field, "A Xero account code has at most 10 characters.");
    } else if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        problems.add(
            field,
            "Use the account's code from Xero (letters and digits, e.g. 200).",
        );
    }
}

pub(crate) fn check_email(problems: &mut Problems, field: &str, email: &str) {
    let email = email.trim();
    if email.is_empty() {
        return;
    }
    let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.contains(char::is_whitespace)
    });
    if !well_formed {
        problems.add(field, "Enter an email address like accounts@firm.com.");
    }
}

fn check_name_currency_country(
    problems: &mut Problems,
    firm_name: &str,
    country: &str,
    currency: &str,
) -> (Option<Country>, Option<Currency>) {
    if firm_name.trim().is_empty() {
        problems.add("firm_name", "Enter the practice's name.");
    } else if firm_name.trim().chars().count() > 120 {
        problems.add("firm_name", "Keep the name under 120 characters.");
    }
    let country = Country::find(country);
    if country.is_none() {
        problems.add("country", "Choose the country the practice is in.");
    }
    let currency = Currency::find(currency);
    if currency.is_none() {
        problems.add(
            "base_currency",
            "Choose the currency the practice bills in.",
        );
    }
    (country, currency)
}

/// The practice, or `None` before the first-run screen has been completed.
pub fn get_practice(store: &Store) -> Result<Option<Practice>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT firm_name, legal_name, address_line1, address_line2, city, region, postcode,
                    email, phone, tax_number, country, base_currency, locale, brand_colour,
                    payment_terms_days, recurring_account_code, one_off_account_code,
                    default_tax_type, tax_treatment, hourly_cost, logo IS NOT NULL AS has_logo,
                    updated_at, default_branding_theme_id, target_margin, price_rounding, fee_display, minimum_monthly_fee
             FROM practice WHERE id = 1",
            [],
            |r| {
                let base_currency: String = r.get("base_currency")?;
                Ok(Practice {
                    firm_name: r.get("firm_name")?,
                    legal_name: r.get("legal_name")?,
                    address_line1: r.get("address_line1")?,
                    address_line2: r.get("address_line2")?,
                    city: r.get("city")?,
                    region: r.get("region")?,
                    postcode: r.get("postcode")?,
                    email: r.get("email")?,
                    phone: r.get("phone")?,
                    tax_number: r.get("tax_number")?,
                    country: r.get("country")?,
                    currency_places: Currency::find(&base_currency).map_or(2, |c| c.places),
                    base_currency,
                    locale: r.get("locale")?,
                    brand_colour: r.get("brand_colour")?,
                    payment_terms_days: r.get("payment_terms_days")?,
                    recurring_account_code: r.get("recurring_account_code")?,
                    one_off_account_code: r.get("one_off_account_code")?,
                    default_tax_type: r.get("default_tax_type")?,
                    default_branding_theme_id: r.get("default_branding_theme_id")?,
                    tax_treatment: r.get("tax_treatment")?,
                    hourly_cost: decimal_column(r, "hourly_cost")?,
                    target_margin: decimal_column(r, "target_margin")?,
                    price_rounding: r.get("price_rounding")?,
                    fee_display: r.get("fee_display")?,
                    minimum_monthly_fee: decimal_column(r, "minimum_monthly_fee")?,
                    has_logo: r.get("has_logo")?,
                    updated_at: r.get("updated_at")?,
                })
            },
        )
        .optional()?)
}

/// Sets up "Ledger & Co" (AU, AUD): the practice the tests across the crate start from.
#[cfg(test)]
pub(crate) fn set_up_for_tests(store: &mut Store) {
    #[allow(clippy::unwrap_used)]
    setup_practice(
        store,
        PracticeSetup {
            firm_name: "Ledger & Co".into(),
            country: "AU".into(),
            base_currency: "AUD".into(),
        },
    )
    .unwrap();
}

/// The practice, or [`Error::NotSetUp`].
pub fn require_practice(store: &Store) -> Result<Practice> {
    get_practice(store)?.ok_or(Error::NotSetUp)
}

/// First run: creates the practice from its name, country and currency.
pub fn setup_practice(store: &mut Store, setup: PracticeSetup) -> Result<Practice> {
    let mut problems = Problems::new();
    let (country, currency) = check_name_currency_country(
        &mut problems,
        &setup.firm_name,
        &setup.country,
        &setup.base_currency,
    );
    problems.into_result()?;
    let (Some(country), Some(currency)) = (country, currency) else {
        return Err(Error::invalid(
            "country",
            "Choose the country the practice is in.",
        ));
    };
    let firm_name = setup.firm_name.trim().to_string();
    store.write(Source::User, |tx| {
        let now = crate::now();
        let inserted = tx.execute(
            "INSERT INTO practice (id, firm_name, legal_name, country, base_currency, locale,
                                   created_at, updated_at)
             VALUES (1, ?1, ?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (id) DO NOTHING",
            params![firm_name, country.code, currency.code, country.locale, now],
        )?;
        if inserted == 0 {
            return Err(Error::invalid(
                "firm_name",
                "The practice is already set up; change it in Settings.",
            ));
        }
        tx.log(
            "practice",
            1,
            "create",
            &serde_json::json!({
                "firm_name": firm_name, "country": country.code, "base_currency": currency.code,
            }),
        )
    })?;
    require_practice(store)
}

/// Saves the settings form. Every field is checked; nothing is saved if any is wrong.
pub fn update_practice(store: &mut Store, draft: PracticeDraft) -> Result<Practice> {
    let before = require_practice(store)?;
    let mut problems = Problems::new();
    let (country, currency) = check_name_currency_country(
        &mut problems,
        &draft.firm_name,
        &draft.country,
        &draft.base_currency,
    );
    if let Some(country) = country
        && let Err(message) = country.check_tax_number(&draft.tax_number)
    {
        problems.add("tax_number", message);
    }
    check_email(&mut problems, "email", &draft.email);
    check_account_code(
        &mut problems,
        "recurring_account_code",
        &draft.recurring_account_code,
    );
    check_account_code(
        &mut problems,
        "one_off_account_code",
        &draft.one_off_account_code,
    );
    let colour = draft.brand_colour.trim().to_ascii_uppercase();
    let colour_ok = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !colour_ok {
        problems.add("brand_colour", "Use a colour like #2F6FD6.");
    }
    let terms = draft
        .payment_terms_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| *d <= 365);
    if terms.is_none() {
        problems.add(
            "payment_terms_days",
            "Enter a number of days from 0 to 365.",
        );
    }
    // Read in the locale the saved practice will have (it follows a changed country).
    let numbers = match country {
        Some(country) if country.code != before.country => NumberFormat::for_locale(country.locale),
        _ => before.number_format(),
    };
    let hourly_cost = match parse_amount(&draft.hourly_cost, numbers) {
        Err(AmountError::Empty) => Ok(Decimal::ZERO),
        other => other,
    };
    let hourly_cost = match hourly_cost {
        Err(AmountError::NotANumber(_)) => {
            problems.add("hourly_cost", "Enter an amount like 65 or 65.50.");
            None
        }
        Err(error) => {
            problems.add("hourly_cost", error.to_string());
            None
        }
        Ok(cost) => Some(cost),
    };
    match hourly_cost {
        None => {}
        Some(cost) if cost.is_sign_negative() && !cost.is_zero() => {
            problems.add("hourly_cost", "The cost of an hour can't be negative.")
        }
        _ => {}
    }
    let target_margin = match parse_amount(&draft.target_margin, numbers) {
        Err(AmountError::Empty) => Some(Decimal::ZERO),
        Ok(margin) if (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&margin) => Some(margin),
        Ok(_) | Err(_) => {
            problems.add(
                "target_margin",
                "Enter a percentage from 0 to 100, like 40.",
            );
            None
        }
    };
    let minimum_monthly_fee = match parse_amount(&draft.minimum_monthly_fee, numbers) {
        Err(AmountError::Empty) => Some(Decimal::ZERO),
        Ok(fee) if fee >= Decimal::ZERO && fee <= Decimal::from(1_000_000) => Some(fee),
        Ok(_) | Err(_) => {
            problems.add(
                "minimum_monthly_fee",
                "Enter the least a client pays a month, like 250, or leave it empty for none.",
            );
            None
        }
    };
    if draft.phone.trim().chars().count() > 50 {
        problems.add("phone", "Keep the phone number under 50 characters.");
    }
    problems.into_result()?;
    let (
        Some(country),
        Some(currency),
        Some(terms),
        Some(hourly_cost),
        Some(target_margin),
        Some(minimum_monthly_fee),
    ) = (
        country,
        currency,
        terms,
        hourly_cost,
        target_margin,
        minimum_monthly_fee,
    )
    else {
        return Err(Error::invalid(
            "firm_name",
            "Please check the highlighted fields.",
        ));
    };
    let hourly_cost = currency.round(hourly_cost);
    // The locale follows the country unless the country did not change.
    let locale = if before.country == country.code {
        before.locale.clone()
    } else {
        country.locale.to_string()
    };
    let t = |s: &str| s.trim().to_string();
    store.write(Source::User, |tx| {
        tx.execute(
            "UPDATE practice SET firm_name = ?1, legal_name = ?2, address_line1 = ?3,
                address_line2 = ?4, city = ?5, region = ?6, postcode = ?7, email = ?8, phone = ?9,
                tax_number = ?10, country = ?11, base_currency = ?12, locale = ?13,
                brand_colour = ?14, payment_terms_days = ?15, recurring_account_code = ?16,
                one_off_account_code = ?17, default_tax_type = ?18, tax_treatment = ?19,
                hourly_cost = ?20, updated_at = ?21, default_branding_theme_id = ?22,
                target_margin = ?23, price_rounding = ?24, fee_display = ?25,
                minimum_monthly_fee = ?26
             WHERE id = 1",
            params![
                t(&draft.firm_name),
                t(&draft.legal_name),
                t(&draft.address_line1),
                t(&draft.address_line2),
                t(&draft.city),
                t(&draft.region),
                t(&draft.postcode),
                t(&draft.email),
                t(&draft.phone),
                t(&draft.tax_number),
                country.code,
                currency.code,
                locale,
                colour,
                terms,
                t(&draft.recurring_account_code),
                t(&draft.one_off_account_code),
                t(&draft.default_tax_type),
                draft
                    .tax_treatment
                    .unwrap_or(TaxTreatment::Exclusive)
                    .as_str(),
                hourly_cost.to_string(),
                crate::now(),
                t(&draft.default_branding_theme_id),
                target_margin.normalize().to_string(),
                draft
                    .price_rounding
                    .unwrap_or(before.price_rounding)
                    .as_str(),
                draft.fee_display.unwrap_or(before.fee_display).as_str(),
                currency.round(minimum_monthly_fee).normalize().to_string(),
            ],
        )?;
        tx.log(
            "practice",
            1,
            "update",
            &serde_json::json!({ "before": before.draft(), "after": draft }),
        )
    })?;
    require_practice(store)
}

/// The largest logo we keep (it goes into every proposal PDF).
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

/// Stores the practice's logo: a PNG or JPEG of at most 2 MB.
pub fn set_logo(store: &mut Store, bytes: &[u8]) -> Result<Practice> {
    require_practice(store)?;
    let (mime, format) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        ("image/png", scopebook_pdf::LogoFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("image/jpeg", scopebook_pdf::LogoFormat::Jpeg)
    } else {
        return Err(Error::invalid(
            "logo",
            "Choose a PNG or JPEG image for the logo.",
        ));
    };
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(Error::invalid(
            "logo",
            "The logo must be smaller than 2 MB.",
        ));
    }
    let logo = scopebook_pdf::Logo {
        bytes: bytes.to_vec(),
        format,
    };
    if scopebook_pdf::check_logo(&logo).is_err() {
        return Err(Error::invalid(
            "logo",
            "That image couldn't be read (it may be damaged or cut short). Choose another file \
             for the logo.",
        ));
    }
    store.write(Source::User, |tx| {
        tx.execute(
            "UPDATE practice SET logo = ?1, logo_mime = ?2, updated_at = ?3 WHERE id = 1",
            params![bytes, mime, crate::now()],
        )?;
        tx.log(
            "practice",
            1,
            "set_logo",
            &serde_json::json!({ "mime": mime, "bytes": bytes.len() }),
        )
    })?;
    require_practice(store)
}

pub fn clear_logo(store: &mut Store) -> Result<Practice> {
    store.write(Source::User, |tx| {
        tx.execute(
            "UPDATE practice SET logo = NULL, logo_mime = NULL, updated_at = ?1 WHERE id = 1",
            [crate::now()],
        )?;
        tx.log("practice", 1, "clear_logo", &serde_json::json!({}))
    })?;
    require_practice(store)
}

/// The logo's MIME type and bytes, if one is set.
pub fn logo(store: &Store) -> Result<Option<(String, Vec<u8>)>> {
    Ok(store
        .conn()
        .query_row(
            "SELECT logo_mime, logo FROM practice WHERE id = 1 AND logo IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_up() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        setup_practice(
            &mut store,
            PracticeSetup {
                firm_name: " Ledger & Co ".into(),
                country: "AU".into(),
                base_currency: "AUD".into(),
            },
        )
        .unwrap();
        store
    }

    #[test]
    fn first_run_creates_the_practice_with_country_defaults() {
        let store = set_up();
        let practice = require_practice(&store).unwrap();
        assert_eq!(practice.firm_name, "Ledger & Co");
        assert_eq!(practice.locale, "en-AU");
        assert_eq!(practice.currency_places, 2);
        assert_eq!(practice.payment_terms_days, 14);
    }

    #[test]
    fn first_run_rejects_missing_name_and_unknown_currency() {
        let mut store = Store::open_in_memory().unwrap();
        let err = setup_practice(
            &mut store,
            PracticeSetup {
                firm_name: "  ".into(),
                country: "AU".into(),
                base_currency: "XXX".into(),
            },
        )
        .unwrap_err();
        let report = err.report();
        let fields: Vec<_> = report.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["firm_name", "base_currency"]);
        assert!(get_practice(&store).unwrap().is_none());
    }

    #[test]
    fn update_saves_every_field_and_logs_before_and_after() {
        let mut store = set_up();
        let mut draft = require_practice(&store).unwrap().draft();
        draft.legal_name = "Ledger & Co Pty Ltd".into();
        draft.tax_number = "51 824 753 556".into();
        draft.email = "hello@ledger.co".into();
        draft.payment_terms_days = "7".into();
        draft.hourly_cost = "62.555".into();
        draft.brand_colour = "#0a7c66".into();
        draft.tax_treatment = Some(TaxTreatment::Inclusive);
        draft.recurring_account_code = "200".into();
        let saved = update_practice(&mut store, draft).unwrap();
        assert_eq!(saved.legal_name, "Ledger & Co Pty Ltd");
        assert_eq!(saved.payment_terms_days, 7);
        assert_eq!(saved.hourly_cost.to_string(), "62.56");
        assert_eq!(saved.brand_colour, "#0A7C66");
        assert_eq!(saved.tax_treatment, TaxTreatment::Inclusive);
        let log = crate::store::history(store.conn(), "practice", 1, 10).unwrap();
        assert_eq!(log[0].action, "update");
        assert_eq!(log[0].source, crate::Source::User);
        assert_eq!(log[0].detail["before"]["payment_terms_days"], "14");
        assert_eq!(log[0].detail["after"]["payment_terms_days"], "7");
    }

    #[test]
    fn bad_settings_are_all_reported_and_nothing_is_saved() {
        let mut store = set_up();
        let mut draft = require_practice(&store).unwrap().draft();
        draft.firm_name = "Changed".into();
        draft.tax_number = "51 824 753 557".into();
        draft.email = "not-an-email".into();
        draft.payment_terms_days = "ninety".into();
        draft.hourly_cost = "-5".into();
        draft.brand_colour = "blue".into();
        draft.recurring_account_code = "this-code-is-too-long".into();
        let report = update_practice(&mut store, draft).unwrap_err().report();
        let fields: Vec<_> = report.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "tax_number",
                "email",
                "recurring_account_code",
                "brand_colour",
                "payment_terms_days",
                "hourly_cost"
            ]
        );
        assert!(report.fields[0].message.contains("ABN"));
        assert_eq!(require_practice(&store).unwrap().firm_name, "Ledger & Co");
    }

    #[test]
    fn logo_must_be_png_or_jpeg() {
        let mut store = set_up();
        let err = set_logo(&mut store, b"GIF89a....").unwrap_err();
        assert_eq!(err.report().fields[0].field, "logo");
        // A PNG signature with nothing behind it: a field error now, not an io failure later
        // when a proposal PDF is made.
        let damaged = set_logo(&mut store, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert_eq!(damaged.code(), crate::ErrorCode::Invalid);
        assert_eq!(damaged.report().fields[0].field, "logo");
        assert!(damaged.to_string().contains("damaged"), "{damaged}");
        let png = include_bytes!("../../../../icons/32x32.png");
        assert!(set_logo(&mut store, png).unwrap().has_logo);
        assert_eq!(logo(&store).unwrap().unwrap().0, "image/png");
        assert!(!clear_logo(&mut store).unwrap().has_logo);
    }
}
