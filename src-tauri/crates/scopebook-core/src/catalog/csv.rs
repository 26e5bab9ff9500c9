//! The catalogue as CSV: export everything, import all-or-nothing with a per-row report.
//!
//! Columns: name, description, category, frequency, pricing, price, unit_name, tiers,
//! default_quantity, estimated_hours, account_code, tax_type, estimated_minutes.
//! `tiers` lists graduated tiers as `up_to:unit_price` separated by `;`, the last one open:
//! `100:2.00; 500:1.50; rest:1.00`. A per-unit row with no tiers uses `price` per unit.

use std::collections::HashSet;
use std::io::{Read, Write};

use serde::Serialize;
use ts_rs::TS;

use super::{
    Frequency, Pricing, PricingDraft, PricingKind, ServiceDraft, ServiceFilter, TierDraft,
    insert_service, list_services, validate_service,
};
use crate::csv_input::CsvInput;
use crate::error::{Error, Result};
use crate::practice::require_practice;
use crate::store::{Source, Store};

const HEADER: [&str; 14] = [
    "name",
    "description",
    "category",
    "frequency",
    "pricing",
    "price",
    "unit_name",
    "tiers",
    "default_quantity",
    "estimated_hours",
    "account_code",
    "tax_type",
    "estimated_minutes",
    "price_high",
];

/// The word that marks the open-ended last tier in the `tiers` column.
const OPEN_TIER: &str = "rest";

/// Writes the active catalogue as CSV.
pub fn export_services(store: &Store, out: impl Write) -> Result<usize> {
    let services = list_services(store, &ServiceFilter::default())?;
    let mut writer = ::csv::Writer::from_writer(out);
    let csv_error = |e: ::csv::Error| Error::io("Couldn't write the CSV", std::io::Error::other(e));
    writer.write_record(HEADER).map_err(csv_error)?;
    for service in &services {
        let draft = service.draft();
        let (price, tiers) = match &service.pricing {
            Pricing::PerUnit { tiers, .. } => (
                String::new(),
                tiers
                    .iter()
                    .map(|t| {
                        let bound = t.up_to.map_or(OPEN_TIER.to_string(), |u| u.to_string());
                        format!("{bound}:{}", super::pricing::amount_text(t.unit_price))
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            // Each band's price, for the record (a spreadsheet can't add a banded service).
            Pricing::Banded { prices, .. } => (
                String::new(),
                prices
                    .iter()
                    .map(|p| format!("{}: {}", p.band, super::pricing::amount_text(p.price)))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            _ => (draft.pricing.price.clone(), String::new()),
        };
        writer
            .write_record([
                draft.name.as_str(),
                &draft.description,
                &draft.category,
                service.frequency.as_str(),
                service.pricing.kind().as_str(),
                &price,
                &draft.pricing.unit_name,
                &tiers,
                &draft.pricing.default_quantity,
                &draft.pricing.estimated_hours,
                &draft.account_code,
                &draft.tax_type,
                &draft.estimated_minutes,
                &draft.pricing.price_high,
            ])
            .map_err(csv_error)?;
    }
    writer
        .flush()
        .map_err(|e| Error::io("Couldn't write the CSV", e))?;
    Ok(services.len())
}

/// One problem in one row of an import. `row` is the line number in the file (the header is 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RowProblem {
    #[ts(type = "number")]
    pub row: u64,
    pub column: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportReport {
    /// Rows read (not counting the header).
    #[ts(type = "number")]
    pub rows: u64,
    /// Services written: 0 unless every row was good and this was not a dry run.
    #[ts(type = "number")]
    pub imported: u64,
    pub problems: Vec<RowProblem>,
    /// The batch to undo the import with, when something was written.
    pub batch: Option<String>,
    /// How the file was read: "UTF-8", "Windows-1252" or "UTF-16", and its separator
    /// ("commas", "semicolons", "tabs").
    pub encoding: String,
    pub delimiter: String,
}

/// Reads services from CSV. If any row is wrong nothing is written and every problem is
/// reported; `dry_run` checks everything and writes nothing in any case.
pub fn import_services(
    store: &mut Store,
    mut input: impl Read,
    dry_run: bool,
) -> Result<ImportReport> {
    let practice = require_practice(store)?;
    let (currency, numbers) = (practice.currency(), practice.number_format());
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("Couldn't read the CSV", e))?;
    let input = CsvInput::decode(&bytes);
    let (encoding, delimiter) = (
        input.encoding.to_string(),
        input.delimiter_name().to_string(),
    );
    let mut reader = input.reader();
    let mut problems = Vec::new();
    let headers = reader
        .headers()
        .map_err(|e| Error::invalid("file", format!("The file isn't readable CSV: {e}")))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    for required in ["name", "pricing", "frequency"] {
        if column(required).is_none() {
            problems.push(RowProblem {
                row: 1,
                column: required.into(),
                message: format!("The header row has no \u{201c}{required}\u{201d} column."),
            });
        }
    }
    if !problems.is_empty() {
        return Ok(ImportReport {
            rows: 0,
            imported: 0,
            problems,
            batch: None,
            encoding,
            delimiter,
        });
    }
    let existing: HashSet<String> = list_services(store, &ServiceFilter::default())?
        .into_iter()
        .map(|s| s.name.to_lowercase())
        .collect();
    let mut seen = HashSet::new();
    let mut valid = Vec::new();
    let mut rows = 0;
    for (index, record) in reader.records().enumerate() {
        let row = index as u64 + 2;
        rows += 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(RowProblem {
                    row,
                    column: String::new(),
                    message: format!("This row can't be read: {e}"),
                });
                continue;
            }
        };
        let get = |name: &str| {
            column(name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_string()
        };
        let mut problem = |column: &str, message: String| {
            problems.push(RowProblem {
                row,
                column: column.into(),
                message,
            })
        };
        let Some(frequency) = Frequency::from_user_text(&get("frequency")) else {
            problem(
                "frequency",
                "Use one_off, weekly, monthly, quarterly or annually.".into(),
            );
            continue;
        };
        let Some(kind) = PricingKind::from_user_text(&get("pricing")) else {
            problem(
                "pricing",
                "Use fixed, per_unit, hourly, minimum, range or included.".into(),
            );
            continue;
        };
        if kind == PricingKind::Banded {
            problem(
                "pricing",
                "Prices by band are set in the service form: import the service as fixed, then change it there.".into(),
            );
            continue;
        }
        let tiers = match parse_tiers_column(&get("tiers")) {
            Ok(tiers) if tiers.is_empty() => vec![TierDraft {
                up_to: String::new(),
                unit_price: get("price"),
            }],
            Ok(tiers) => tiers,
            Err(message) => {
                problem("tiers", message);
                continue;
            }
        };
        let draft = ServiceDraft {
            name: get("name"),
            description: get("description"),
            category: get("category"),
            pricing: PricingDraft {
                kind,
                price: get("price"),
                unit_name: get("unit_name"),
                tiers,
                default_quantity: match get("default_quantity") {
                    q if q.is_empty() => "1".into(),
                    q => q,
                },
                estimated_hours: get("estimated_hours"),
                price_high: get("price_high"),
                band_set: 1,
                band_prices: Vec::new(),
            },
            // Price drivers are set in the service form; a spreadsheet adds new services only.
            drivers: Vec::new(),
            terms: String::new(),
            frequency,
            account_code: get("account_code"),
            tax_type: get("tax_type"),
            estimated_minutes: get("estimated_minutes"),
        };
        match validate_service(&draft, currency, numbers) {
            Err(Error::Invalid(found)) => {
                for field in found.fields() {
                    // A form field like `tiers.1.unit_price` is the `tiers` column here.
                    let column = field.field.split('.').next().unwrap_or("").to_string();
                    problem(&column, field.message.clone());
                }
            }
            Err(other) => return Err(other),
            Ok(service) => {
                let key = service.name.to_lowercase();
                if existing.contains(&key) {
                    problem(
                        "name",
                        format!(
                            "\u{201c}{}\u{201d} is already in the catalogue.",
                            service.name
                        ),
                    );
                } else if !seen.insert(key) {
                    problem(
                        "name",
                        format!(
                            "\u{201c}{}\u{201d} appears twice in this file.",
                            service.name
                        ),
                    );
                } else {
                    valid.push(service);
                }
            }
        }
    }
    if !problems.is_empty() || dry_run || valid.is_empty() {
        return Ok(ImportReport {
            rows,
            imported: 0,
            problems,
            batch: None,
            encoding,
            delimiter,
        });
    }
    let batch = format!(
        "import-services-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f")
    );
    store.write(Source::Import, |tx| {
        tx.set_batch(batch.clone());
        for service in &valid {
            insert_service(tx, service)?;
        }
        Ok(())
    })?;
    Ok(ImportReport {
        rows,
        imported: valid.len() as u64,
        problems,
        batch: Some(batch),
        encoding,
        delimiter,
    })
}

/// `100:2.00; 500:1.50; rest:1.00` → tier drafts (checked later with the rest of the form).
fn parse_tiers_column(text: &str) -> Result<Vec<TierDraft>, String> {
    text.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (bound, price) = part.split_once(':').ok_or_else(|| {
                format!("Write each tier as up_to:price, e.g. 100:2.00; rest:1.00 (not \u{201c}{part}\u{201d}).")
            })?;
            let bound = bound.trim();
            Ok(TierDraft {
                up_to: if bound.eq_ignore_ascii_case(OPEN_TIER) {
                    String::new()
                } else {
                    bound.to_string()
                },
                unit_price: price.trim().to_string(),
            })
        })
        .collect()
}
