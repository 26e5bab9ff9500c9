//! Services & pricing: the catalogue proposals are built from.

pub mod bands;
pub mod csv;
pub mod drivers;
pub mod pricing;

use rusqlite::{OptionalExtension, Row, params};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Problems, Result};
use crate::money::{Currency, NumberFormat, parse_amount};
use crate::practice::{check_account_code, require_practice};
use crate::store::{Source, Store, Tx, decimal_column, optional_decimal_column};
pub use bands::{
    BandSets, BandSetsDraft, RevenueBand, band_sets, save_band_sets, set_client_bands,
};
pub use drivers::{
    Driver, DriverChoice, DriverChoiceDraft, DriverDraft, DriverOp, LineDriver, LinePrice,
    PriceRounding, PriceStep, line_price,
};
pub use pricing::{
    BandPrice, PriceType, Pricing, PricingDraft, PricingKind, Quote, Tier, TierDraft, quote,
};

crate::db_enum! {
    /// How often a service is billed.
    #[ts(export)]
    pub enum Frequency: "billing frequency" {
        OneOff = "one_off",
        Weekly = "weekly",
        Monthly = "monthly",
        Quarterly = "quarterly",
        Annually = "annually",
    }
}

impl Frequency {
    /// Reads what a person or a spreadsheet might say ("One-off", "annual", "yearly"). The
    /// database is read strictly, through `FromSql`.
    pub fn from_user_text(text: &str) -> Option<Frequency> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "one_off" | "once" | "oneoff" => Some(Frequency::OneOff),
            "weekly" | "week" => Some(Frequency::Weekly),
            "monthly" | "month" => Some(Frequency::Monthly),
            "quarterly" | "quarter" => Some(Frequency::Quarterly),
            "annually" | "annual" | "yearly" | "year" => Some(Frequency::Annually),
            _ => None,
        }
    }

    pub fn is_recurring(self) -> bool {
        self != Frequency::OneOff
    }
}

/// A service in the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Service {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub description: String,
    pub category: String,
    pub pricing: Pricing,
    /// Up to five adjustments to the price, in order, each chosen per proposal line.
    pub drivers: Vec<Driver>,
    /// Terms of this service, added to the letter of engagement when it is in the accepted scope.
    pub terms: String,
    pub frequency: Frequency,
    /// Overrides the practice's default account code for this service; empty for the default.
    pub account_code: String,
    pub tax_type: String,
    /// Staff time the service takes each period, for profitability.
    pub estimated_minutes: u32,
    /// What the typical quantity costs each period, in the practice's currency (a range's
    /// lower end; a price by band: its lowest band).
    #[ts(as = "Option<String>")]
    pub typical_total: Option<Decimal>,
    /// The top of that span: a range's upper end, or a price by band's highest band (`None`
    /// for one price).
    #[ts(as = "Option<String>")]
    pub typical_high: Option<Decimal>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// The service form, as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ServiceDraft {
    pub name: String,
    pub description: String,
    pub category: String,
    pub pricing: PricingDraft,
    #[serde(default)]
    pub drivers: Vec<DriverDraft>,
    #[serde(default)]
    pub terms: String,
    pub frequency: Frequency,
    pub account_code: String,
    pub tax_type: String,
    pub estimated_minutes: String,
}

impl ServiceDraft {
    /// A blank form for a new service.
    pub fn blank() -> Self {
        ServiceDraft {
            name: String::new(),
            description: String::new(),
            category: String::new(),
            pricing: PricingDraft::empty(PricingKind::Fixed),
            drivers: Vec::new(),
            terms: String::new(),
            frequency: Frequency::Monthly,
            account_code: String::new(),
            tax_type: String::new(),
            estimated_minutes: String::new(),
        }
    }
}

impl Service {
    /// The form pre-filled with this service.
    pub fn draft(&self) -> ServiceDraft {
        ServiceDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            pricing: self.pricing.draft(),
            drivers: self.drivers.iter().map(Driver::draft).collect(),
            terms: self.terms.clone(),
            frequency: self.frequency,
            account_code: self.account_code.clone(),
            tax_type: self.tax_type.clone(),
            estimated_minutes: self.estimated_minutes.to_string(),
        }
    }
}

/// A service that passed every check, ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidService {
    pub name: String,
    pub description: String,
    pub category: String,
    pub pricing: Pricing,
    pub drivers: Vec<Driver>,
    pub terms: String,
    pub frequency: Frequency,
    pub account_code: String,
    pub tax_type: String,
    pub estimated_minutes: u32,
}

/// Checks every field of a service form; all problems are reported together.
/// Checks a service form; amounts are read in the practice's number format (`numbers`).
pub fn validate_service(
    draft: &ServiceDraft,
    currency: Currency,
    numbers: NumberFormat,
) -> Result<ValidService> {
    let mut problems = Problems::new();
    let name = draft.name.trim();
    if name.is_empty() {
        problems.add("name", "Give the service a name.");
    } else if name.chars().count() > 100 {
        problems.add("name", "Keep the name under 100 characters.");
    }
    if draft.description.chars().count() > 4000 {
        problems.add(
            "description",
            "Keep the description under 4,000 characters.",
        );
    }
    if draft.terms.chars().count() > 20_000 {
        problems.add("terms", "Keep the service's terms under 20,000 characters.");
    }
    if draft.category.trim().chars().count() > 60 {
        problems.add("category", "Keep the category under 60 characters.");
    }
    let pricing = pricing::parse_pricing(&draft.pricing, currency, numbers, &mut problems);
    let drivers = drivers::parse_drivers(&draft.drivers, currency, numbers, &mut problems);
    check_account_code(&mut problems, "account_code", &draft.account_code);
    if draft.tax_type.trim().chars().count() > 50 {
        problems.add(
            "tax_type",
            "Use the tax type's code from Xero, e.g. OUTPUT.",
        );
    }
    let minutes = if draft.estimated_minutes.trim().is_empty() {
        Some(0)
    } else {
        draft
            .estimated_minutes
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| *m <= 100_000)
    };
    if minutes.is_none() {
        problems.add(
            "estimated_minutes",
            "Enter whole minutes, e.g. 90 for an hour and a half.",
        );
    }
    problems.into_result()?;
    match (pricing, drivers, minutes) {
        (Some(pricing), Some(drivers), Some(estimated_minutes)) => Ok(ValidService {
            name: name.to_string(),
            description: draft.description.trim().to_string(),
            category: draft.category.trim().to_string(),
            pricing,
            drivers,
            terms: draft.terms.trim().to_string(),
            frequency: draft.frequency,
            account_code: draft.account_code.trim().to_string(),
            tax_type: draft.tax_type.trim().to_ascii_uppercase(),
            estimated_minutes,
        }),
        _ => Err(Error::invalid(
            "name",
            "Please check the highlighted fields.",
        )),
    }
}

/// What the form shows live: the price for an example quantity, or the problems so far.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PricePreview {
    pub quote: Option<Quote>,
    /// The quote taken through the service's drivers at their default choices and the
    /// practice's rounding: what a new proposal line starts at, step by step.
    pub priced: Option<LinePrice>,
    pub unit_name: String,
    pub problems: Vec<crate::FieldError>,
}

/// Checks a form without saving and prices `quantity` (or the service's typical quantity).
pub fn preview_price(
    store: &Store,
    draft: &ServiceDraft,
    quantity: Option<&str>,
) -> Result<PricePreview> {
    let practice = require_practice(store)?;
    let (currency, numbers) = (practice.currency(), practice.number_format());
    // The whole form is checked (all but the name's uniqueness, which saving checks).
    let mut problems = match validate_service(draft, currency, numbers) {
        Ok(_) => Problems::new(),
        Err(Error::Invalid(problems)) => problems,
        Err(other) => return Err(other),
    };
    let mut pricing =
        pricing::parse_pricing(&draft.pricing, currency, numbers, &mut Problems::new());
    if let Some(parsed) = &mut pricing {
        bands::check_band_prices(parsed, &band_sets(store)?, &mut problems);
        // The worked example of a banded price: its first band.
        if let Pricing::Banded { prices, band, .. } = parsed {
            *band = prices.first().map(|p| p.band_id);
        }
    }
    let quantity = match quantity.map(str::trim).filter(|q| !q.is_empty()) {
        None => pricing.as_ref().map(Pricing::default_quantity),
        Some(text) => {
            let parsed = parse_amount(text, numbers);
            if let Err(error) = &parsed {
                problems.add(
                    "example_quantity",
                    format!("{error} Enter a quantity like 250."),
                );
            }
            parsed.ok()
        }
    };
    let quote = match (&pricing, quantity) {
        (Some(pricing), Some(quantity)) => match quote(pricing, quantity, currency) {
            Ok(quote) => Some(quote),
            Err(error) => {
                problems.add("example_quantity", error.to_string());
                None
            }
        },
        _ => None,
    };
    let drivers = drivers::parse_drivers(&draft.drivers, currency, numbers, &mut Problems::new());
    let priced = match (&quote, drivers) {
        (Some(quote), Some(drivers)) => Some(line_price(
            quote,
            &drivers::choose(&drivers, &[]),
            Decimal::ZERO,
            practice.price_rounding,
            currency,
            numbers,
        )),
        _ => None,
    };
    Ok(PricePreview {
        quote,
        priced,
        unit_name: draft.pricing.unit_name.trim().to_string(),
        problems: problems.fields().to_vec(),
    })
}

/// Which services a list shows.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ServiceFilter {
    /// Words that must all appear in the name, description, category or unit.
    pub search: Option<String>,
    pub category: Option<String>,
    /// Show archived services instead of active ones.
    pub archived: Option<bool>,
}

const SERVICE_COLUMNS: &str = "id, name, description, category, pricing_kind, price, unit_name,
    default_quantity, estimated_hours, frequency, account_code, tax_type, estimated_minutes,
    archived_at IS NOT NULL AS archived, created_at, updated_at, drivers, terms, price_type,
    price_high, band_set";

fn service_from_row(
    row: &Row<'_>,
    (tiers, band_prices): (Vec<Tier>, Vec<BandPrice>),
    currency: Currency,
) -> rusqlite::Result<Service> {
    let kind: PricingKind = row.get("pricing_kind")?;
    let price_type: PriceType = row.get("price_type")?;
    let pricing = match (kind, price_type) {
        (PricingKind::Fixed, PriceType::Exact) => Pricing::Fixed {
            price: decimal_column(row, "price")?,
        },
        (PricingKind::Fixed, PriceType::Minimum) => Pricing::Minimum {
            price: decimal_column(row, "price")?,
        },
        (PricingKind::Fixed, PriceType::Included) => Pricing::Included,
        (PricingKind::Fixed, PriceType::Range) => Pricing::Range {
            low: decimal_column(row, "price")?,
            high: decimal_column(row, "price_high")?,
        },
        (PricingKind::Fixed, PriceType::Banded) => Pricing::Banded {
            set: row.get("band_set")?,
            prices: band_prices,
            band: None,
        },
        (PricingKind::Hourly, PriceType::Exact) => Pricing::Hourly {
            rate: decimal_column(row, "price")?,
            estimated_hours: decimal_column(row, "estimated_hours")?,
        },
        (PricingKind::PerUnit, PriceType::Exact) => Pricing::PerUnit {
            unit_name: row.get("unit_name")?,
            tiers,
            default_quantity: decimal_column(row, "default_quantity")?,
        },
        // The table's CHECK keeps every other pairing out: a file that has one is damaged.
        (kind, price_type) => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                Box::new(crate::store::enums::UnknownValue {
                    what: "pricing",
                    value: format!("{kind} priced as {price_type}"),
                }),
            ));
        }
    };
    let (typical_total, typical_high) = typical_span(&pricing, currency);
    Ok(Service {
        id: row.get("id")?,
        name: row.get("name")?,
        description: row.get("description")?,
        category: row.get("category")?,
        pricing,
        drivers: crate::store::json_column(row, "drivers")?,
        terms: row.get("terms")?,
        frequency: row.get("frequency")?,
        account_code: row.get("account_code")?,
        tax_type: row.get("tax_type")?,
        estimated_minutes: row.get("estimated_minutes")?,
        typical_total,
        typical_high,
        archived: row.get("archived")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

/// A service's tiers and band prices (each empty unless it is priced that way).
fn price_rows_of(
    conn: &rusqlite::Connection,
    service_id: i64,
) -> rusqlite::Result<(Vec<Tier>, Vec<BandPrice>)> {
    Ok((
        tiers_of(conn, service_id)?,
        band_prices_of(conn, service_id)?,
    ))
}

/// A banded service's prices, in the order of its set's bands.
fn band_prices_of(
    conn: &rusqlite::Connection,
    service_id: i64,
) -> rusqlite::Result<Vec<BandPrice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.band_id, b.name, p.price FROM service_band_prices p
         JOIN revenue_bands b ON b.id = p.band_id
         WHERE p.service_id = ?1 AND b.archived_at IS NULL ORDER BY b.position, b.id",
    )?;
    let rows = stmt.query_map([service_id], |r| {
        Ok(BandPrice {
            band_id: r.get(0)?,
            band: r.get(1)?,
            price: decimal_column(r, 2)?,
        })
    })?;
    rows.collect()
}

/// What the typical quantity costs: one price, or the span of a range or of a price by band.
fn typical_span(pricing: &Pricing, currency: Currency) -> (Option<Decimal>, Option<Decimal>) {
    if let Pricing::Banded { prices, .. } = pricing {
        let low = prices.iter().map(|p| currency.round(p.price)).min();
        let high = prices.iter().map(|p| currency.round(p.price)).max();
        return (low, high.filter(|h| Some(*h) != low));
    }
    match quote(pricing, pricing.default_quantity(), currency) {
        Ok(q) => (Some(q.total), q.high),
        Err(_) => (None, None),
    }
}

fn tiers_of(conn: &rusqlite::Connection, service_id: i64) -> rusqlite::Result<Vec<Tier>> {
    let mut stmt = conn.prepare_cached(
        "SELECT up_to, unit_price FROM service_tiers WHERE service_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([service_id], |r| {
        Ok(Tier {
            up_to: optional_decimal_column(r, "up_to")?,
            unit_price: decimal_column(r, "unit_price")?,
        })
    })?;
    rows.collect()
}

/// The practice's currency (services are only created after the first-run screen).
fn catalogue_currency(store: &Store) -> Result<Currency> {
    Ok(crate::practice::get_practice(store)?
        .map(|p| p.currency())
        .unwrap_or(crate::money::CURRENCIES[0]))
}

pub fn get_service(store: &Store, id: i64) -> Result<Service> {
    let currency = catalogue_currency(store)?;
    let conn = store.conn();
    let tiers = price_rows_of(conn, id)?;
    conn.query_row(
        &format!("SELECT {SERVICE_COLUMNS} FROM services WHERE id = ?1"),
        [id],
        |r| service_from_row(r, tiers, currency),
    )
    .optional()?
    .ok_or(Error::NotFound {
        entity: "service",
        id,
    })
}

/// Services matching `filter`, by category then name.
pub fn list_services(store: &Store, filter: &ServiceFilter) -> Result<Vec<Service>> {
    let currency = catalogue_currency(store)?;
    let conn = store.conn();
    let mut stmt = conn.prepare(&format!(
        "SELECT {SERVICE_COLUMNS} FROM services
         WHERE (archived_at IS NOT NULL) = ?1 AND (?2 IS NULL OR category = ?2)
         ORDER BY category = '', lower(category), lower(name)"
    ))?;
    let archived = filter.archived.unwrap_or(false);
    let category = filter.category.as_deref().filter(|c| !c.is_empty());
    let words: Vec<String> = filter
        .search
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut services = Vec::new();
    let mut rows = stmt.query(params![archived, category])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let service = service_from_row(row, price_rows_of(conn, id)?, currency)?;
        let haystack = match &service.pricing {
            Pricing::PerUnit { unit_name, .. } => format!(
                "{} {} {} {}",
                service.name, service.description, service.category, unit_name
            ),
            _ => format!(
                "{} {} {}",
                service.name, service.description, service.category
            ),
        }
        .to_lowercase();
        if words.iter().all(|w| haystack.contains(w.as_str())) {
            services.push(service);
        }
    }
    Ok(services)
}

/// Every category in use, for the filter and the form's suggestions.
pub fn service_categories(store: &Store) -> Result<Vec<String>> {
    let mut stmt = store.conn().prepare(
        "SELECT DISTINCT category FROM services WHERE category <> '' ORDER BY lower(category)",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn name_taken(tx: &Tx<'_>, name: &str, except: Option<i64>) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM services WHERE archived_at IS NULL AND lower(name) = lower(?1)
                        AND id IS NOT ?2)",
        params![name, except],
        |r| r.get(0),
    )?)
}

fn name_taken_error(name: &str) -> Error {
    Error::invalid(
        "name",
        format!("There is already a service called \u{201c}{name}\u{201d}. Choose another name."),
    )
}

/// Writes service `id`'s fields and its pricing.
fn write_service(tx: &Tx<'_>, id: i64, service: &ValidService) -> Result<()> {
    tx.execute(
        "UPDATE services SET name = ?2, description = ?3, category = ?4, frequency = ?5,
            account_code = ?6, tax_type = ?7, estimated_minutes = ?8, updated_at = ?9,
            drivers = ?10, terms = ?11
         WHERE id = ?1",
        params![
            id,
            service.name,
            service.description,
            service.category,
            service.frequency.as_str(),
            service.account_code,
            service.tax_type,
            service.estimated_minutes,
            crate::now(),
            serde_json::to_string(&service.drivers).unwrap_or_default(),
            service.terms,
        ],
    )?;
    write_pricing(tx, id, &service.pricing)
}

/// Writes how service `id` is priced: its pricing columns, tiers and band prices (the one place
/// they are written, for the form and for a price increase alike).
pub(crate) fn write_pricing(tx: &Tx<'_>, id: i64, pricing: &Pricing) -> Result<()> {
    let (price, unit_name, default_quantity, hours) = match pricing {
        Pricing::Fixed { price }
        | Pricing::Minimum { price }
        | Pricing::Range { low: price, .. } => (Some(price.to_string()), "", None, None),
        Pricing::Included => (Some("0".to_string()), "", None, None),
        Pricing::Banded { .. } => (None, "", None, None),
        Pricing::Hourly {
            rate,
            estimated_hours,
        } => (
            Some(rate.to_string()),
            "",
            None,
            Some(estimated_hours.to_string()),
        ),
        Pricing::PerUnit {
            unit_name,
            default_quantity,
            ..
        } => (
            None,
            unit_name.as_str(),
            Some(default_quantity.to_string()),
            None,
        ),
    };
    let (kind, price_type) = pricing.stored_as();
    tx.execute(
        "UPDATE services SET pricing_kind = ?2, price = ?3, unit_name = ?4, default_quantity = ?5,
            estimated_hours = ?6, price_type = ?7, price_high = ?8, band_set = ?9,
            updated_at = ?10
         WHERE id = ?1",
        params![
            id,
            kind.as_str(),
            price,
            unit_name,
            default_quantity,
            hours,
            price_type.as_str(),
            match pricing {
                Pricing::Range { high, .. } => Some(high.to_string()),
                _ => None,
            },
            match pricing {
                Pricing::Banded { set, .. } => Some(*set),
                _ => None,
            },
            crate::now(),
        ],
    )?;
    tx.execute("DELETE FROM service_tiers WHERE service_id = ?1", [id])?;
    if let Pricing::PerUnit { tiers, .. } = pricing {
        for (position, tier) in tiers.iter().enumerate() {
            tx.execute(
                "INSERT INTO service_tiers (service_id, position, up_to, unit_price)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    id,
                    position as i64,
                    tier.up_to.map(|u| u.to_string()),
                    tier.unit_price.to_string()
                ],
            )?;
        }
    }
    tx.execute(
        "DELETE FROM service_band_prices WHERE service_id = ?1",
        [id],
    )?;
    if let Pricing::Banded { prices, .. } = pricing {
        for band in prices {
            tx.execute(
                "INSERT INTO service_band_prices (service_id, band_id, price) VALUES (?1, ?2, ?3)",
                params![id, band.band_id, band.price.to_string()],
            )?;
        }
    }
    Ok(())
}

/// Inserts a checked service inside an open transaction; returns its id.
pub(crate) fn insert_service(tx: &Tx<'_>, service: &ValidService) -> Result<i64> {
    if name_taken(tx, &service.name, None)? {
        return Err(name_taken_error(&service.name));
    }
    let now = crate::now();
    tx.execute(
        "INSERT INTO services (name, pricing_kind, frequency, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![
            service.name,
            service.pricing.stored_as().0.as_str(),
            service.frequency.as_str(),
            now
        ],
    )?;
    let id = tx.last_insert_rowid();
    write_service(tx, id, service)?;
    tx.log("service", id, "create", &service_detail(service))?;
    Ok(id)
}

fn service_detail(service: &ValidService) -> serde_json::Value {
    serde_json::json!({
        "name": service.name,
        "category": service.category,
        "pricing": service.pricing,
        "drivers": service.drivers,
        "terms": service.terms,
        "frequency": service.frequency,
        "account_code": service.account_code,
        "tax_type": service.tax_type,
        "estimated_minutes": service.estimated_minutes,
    })
}

/// [`validate_service`], and a banded price checked against the practice's bands.
fn checked_service(store: &Store, draft: &ServiceDraft) -> Result<ValidService> {
    let practice = require_practice(store)?;
    let service = validate_service(draft, practice.currency(), practice.number_format())?;
    let mut problems = Problems::new();
    bands::check_band_prices(&service.pricing, &band_sets(store)?, &mut problems);
    problems.into_result()?;
    Ok(service)
}

pub fn create_service(store: &mut Store, draft: &ServiceDraft) -> Result<Service> {
    let service = checked_service(store, draft)?;
    let id = store.write(Source::User, |tx| insert_service(tx, &service))?;
    get_service(store, id)
}

pub fn update_service(store: &mut Store, id: i64, draft: &ServiceDraft) -> Result<Service> {
    let before = get_service(store, id)?;
    let service = checked_service(store, draft)?;
    store.write(Source::User, |tx| {
        if !before.archived && name_taken(tx, &service.name, Some(id))? {
            return Err(name_taken_error(&service.name));
        }
        write_service(tx, id, &service)?;
        tx.log(
            "service",
            id,
            "update",
            &serde_json::json!({ "before": before.draft(), "after": service_detail(&service) }),
        )
    })?;
    get_service(store, id)
}

/// Copies a service as "Name (copy)", "Name (copy 2)", … so it can be adapted.
pub fn duplicate_service(store: &mut Store, id: i64) -> Result<Service> {
    let original = get_service(store, id)?;
    let new_id = store.write(Source::User, |tx| {
        let mut name = format!("{} (copy)", original.name);
        let mut n = 2;
        while name_taken(tx, &name, None)? {
            name = format!("{} (copy {n})", original.name);
            n += 1;
        }
        let copy = ValidService {
            name,
            description: original.description.clone(),
            category: original.category.clone(),
            pricing: original.pricing.clone(),
            drivers: original.drivers.clone(),
            terms: original.terms.clone(),
            frequency: original.frequency,
            account_code: original.account_code.clone(),
            tax_type: original.tax_type.clone(),
            estimated_minutes: original.estimated_minutes,
        };
        let new_id = insert_service(tx, &copy)?;
        tx.log(
            "service",
            new_id,
            "duplicate",
            &serde_json::json!({ "from": id }),
        )?;
        Ok(new_id)
    })?;
    get_service(store, new_id)
}

/// Archives a service: it leaves the catalogue's active list but stays on existing proposals.
pub fn archive_service(store: &mut Store, id: i64) -> Result<Service> {
    get_service(store, id)?;
    store.write(Source::User, |tx| {
        tx.set_archived("services", "service", id, true)
    })?;
    get_service(store, id)
}

/// Brings an archived service back, unless an active one has taken its name meanwhile.
pub fn restore_service(store: &mut Store, id: i64) -> Result<Service> {
    let service = get_service(store, id)?;
    store.write(Source::User, |tx| {
        if name_taken(tx, &service.name, Some(id))? {
            return Err(Error::invalid(
                "name",
                format!(
                    "An active service is already called \u{201c}{}\u{201d}. Rename one of them first.",
                    service.name
                ),
            ));
        }
        tx.set_archived("services", "service", id, false)
    })?;
    get_service(store, id)
}

#[cfg(test)]
mod tests;
