//! Proposals and letters of engagement: built from the catalogue for a client or prospect, sent,
//! accepted (the prospect becomes a client and the lines become active scope), amended by a new
//! version that supersedes the accepted one from a given month.

pub mod document;
pub mod lifecycle;
pub mod price_increase;
pub mod terms;

use chrono::Datelike;
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::{self, Frequency, Pricing};
use crate::clients;
use crate::error::{Error, Problems, Result};
use crate::money::{AmountError, Currency, parse_amount};
use crate::practice::require_practice;
use crate::store::{Source, Store, Tx, decimal_column, json_column};
pub use lifecycle::change_status;
pub use terms::{AllowedActions, ProposalAction, ProposalStatus, ProposalTotals};

/// A proposal line as typed in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LineDraft {
    /// The catalogue service; `None` keeps the snapshot of an existing line.
    #[ts(type = "number | null")]
    pub service_id: Option<i64>,
    /// For an existing line: its id (its snapshot is kept).
    #[ts(type = "number | null")]
    pub line_id: Option<i64>,
    pub quantity: String,
    pub discount_percent: String,
    /// `YYYY-MM`.
    pub start_month: String,
    /// `YYYY-MM`, or empty for no end.
    pub end_month: String,
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProposalDraft {
    #[ts(type = "number")]
    pub client_id: i64,
    pub title: String,
    pub introduction: String,
    pub scope_out: Vec<String>,
    pub terms: String,
    /// `YYYY-MM-DD`.
    pub valid_until: String,
    pub lines: Vec<LineDraft>,
}

/// A line as saved: the service snapshot, the quantity and the price per billing period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProposalLine {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub service_id: Option<i64>,
    pub name: String,
    pub description: String,
    pub category: String,
    pub pricing: Pricing,
    pub frequency: Frequency,
    pub account_code: String,
    pub tax_type: String,
    pub estimated_minutes: u32,
    #[ts(as = "String")]
    pub quantity: Decimal,
    #[ts(as = "String")]
    pub discount_percent: Decimal,
    /// Per billing period, after discount.
    #[ts(as = "String")]
    pub price: Decimal,
    pub start_month: String,
    pub end_month: Option<String>,
    pub optional: bool,
    pub chosen: bool,
}

impl ProposalLine {
    fn included(&self) -> bool {
        !self.optional || self.chosen
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Proposal {
    #[ts(type = "number")]
    pub id: i64,
    pub number: String,
    pub version: u32,
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub status: ProposalStatus,
    pub title: String,
    pub introduction: String,
    pub scope_out: Vec<String>,
    pub terms: String,
    pub valid_until: String,
    #[ts(type = "number | null")]
    pub supersedes_id: Option<i64>,
    pub effective_from: Option<String>,
    pub sent_at: Option<String>,
    pub accepted_at: Option<String>,
    pub accepted_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub lines: Vec<ProposalLine>,
    pub totals: ProposalTotals,
    /// What may be done to it now; the UI shows its buttons from this.
    pub allowed: AllowedActions,
}

impl Proposal {
    /// The editor's form for this proposal.
    pub fn draft(&self) -> ProposalDraft {
        ProposalDraft {
            client_id: self.client_id,
            title: self.title.clone(),
            introduction: self.introduction.clone(),
            scope_out: self.scope_out.clone(),
            terms: self.terms.clone(),
            valid_until: self.valid_until.clone(),
            lines: self
                .lines
                .iter()
                .map(|l| LineDraft {
                    service_id: l.service_id,
                    line_id: Some(l.id),
                    quantity: l.quantity.to_string(),
                    discount_percent: l.discount_percent.to_string(),
                    start_month: l.start_month.clone(),
                    end_month: l.end_month.clone().unwrap_or_default(),
                    optional: l.optional,
                })
                .collect(),
        }
    }

    /// Display label: "P-2026-0042" or "P-2026-0042 v2".
    pub fn label(&self) -> String {
        if self.version > 1 {
            format!("{} v{}", self.number, self.version)
        } else {
            self.number.clone()
        }
    }
}

fn totals_of(lines: &[ProposalLine], currency: Currency) -> ProposalTotals {
    let priced: Vec<terms::PricedLine> = lines
        .iter()
        .map(|l| terms::PricedLine {
            frequency: l.frequency,
            price: l.price,
            included: l.included(),
        })
        .collect();
    terms::totals(&priced, currency)
}

/// The firm's engagement-letter template: what every new proposal starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProposalTemplates {
    pub introduction: String,
    pub terms: String,
    /// How many days a new proposal is valid for.
    pub validity_days: String,
    /// What proposal numbers start with: `P` gives P-2026-0001.
    #[serde(default = "default_number_prefix")]
    pub number_prefix: String,
}

fn default_number_prefix() -> String {
    "P".into()
}

pub fn proposal_templates(store: &Store) -> Result<ProposalTemplates> {
    Ok(store
        .conn()
        .query_row(
            "SELECT introduction, terms, validity_days, number_prefix FROM proposal_settings WHERE id = 1",
            [],
            |r| {
                Ok(ProposalTemplates {
                    introduction: r.get(0)?,
                    terms: r.get(1)?,
                    validity_days: r.get::<_, u32>(2)?.to_string(),
                    number_prefix: r.get(3)?,
                })
            },
        )
        .optional()?
        .unwrap_or_else(|| ProposalTemplates {
            introduction: terms::DEFAULT_INTRODUCTION.into(),
            terms: terms::DEFAULT_TERMS.into(),
            validity_days: "30".into(),
            number_prefix: default_number_prefix(),
        }))
}

/// Saves the firm's template. Placeholders must be ones Scopebook knows.
pub fn save_proposal_templates(
    store: &mut Store,
    templates: &ProposalTemplates,
) -> Result<ProposalTemplates> {
    let mut problems = Problems::new();
    let known: Vec<(&str, String)> = terms::PLACEHOLDERS
        .iter()
        .map(|p| (*p, String::new()))
        .collect();
    let braces = |names: &[String]| {
        names
            .iter()
            .map(|u| format!("{{{{{u}}}}}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (field, text) in [
        ("introduction", &templates.introduction),
        ("terms", &templates.terms),
    ] {
        let (_, unknown) = terms::fill_placeholders(text, &known);
        if !unknown.is_empty() {
            let all: Vec<String> = terms::PLACEHOLDERS.iter().map(|p| p.to_string()).collect();
            problems.add(
                field,
                format!(
                    "Scopebook doesn't know {}. Use {}.",
                    braces(&unknown),
                    braces(&all)
                ),
            );
        }
    }
    if templates.terms.trim().is_empty() {
        problems.add(
            "terms",
            "Write the terms of engagement (the letter's body).",
        );
    }
    let days = templates
        .validity_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=365).contains(d));
    if days.is_none() {
        problems.add("validity_days", "Enter a number of days from 1 to 365.");
    }
    let prefix = templates.number_prefix.trim();
    if prefix.is_empty()
        || prefix.chars().count() > 10
        || !prefix.chars().all(|c| c.is_ascii_alphanumeric())
    {
        problems.add(
            "number_prefix",
            "Use 1 to 10 letters or digits, like P or LOE.",
        );
    }
    problems.into_result()?;
    let days = days.unwrap_or(30);
    store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO proposal_settings (id, validity_days, introduction, terms, number_prefix, updated_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET validity_days = excluded.validity_days,
                introduction = excluded.introduction, terms = excluded.terms,
                number_prefix = excluded.number_prefix, updated_at = excluded.updated_at",
            params![days, templates.introduction.trim(), templates.terms.trim(), prefix, crate::now()],
        )?;
        tx.log("proposal_settings", 1, "update", templates)
    })?;
    proposal_templates(store)
}

/// A blank proposal for `client_id`, with the firm's introduction and terms templates.
pub fn blank_proposal(store: &Store, client_id: i64) -> Result<ProposalDraft> {
    clients::get_client(store, client_id)?;
    let templates = proposal_templates(store)?;
    let days: i64 = templates.validity_days.parse().unwrap_or(30);
    let today = chrono::Local::now().date_naive();
    Ok(ProposalDraft {
        client_id,
        title: "Proposal and letter of engagement".into(),
        introduction: templates.introduction,
        scope_out: Vec::new(),
        terms: templates.terms,
        valid_until: (today + chrono::Duration::days(days))
            .format("%Y-%m-%d")
            .to_string(),
        lines: Vec::new(),
    })
}

/// A new line for `service_id`, starting next month with the service's typical quantity.
pub fn line_for_service(store: &Store, service_id: i64) -> Result<LineDraft> {
    let service = catalog::get_service(store, service_id)?;
    let today = chrono::Local::now().date_naive();
    let next = today
        .with_day0(0)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .unwrap_or(today);
    Ok(LineDraft {
        service_id: Some(service_id),
        line_id: None,
        quantity: service.pricing.default_quantity().normalize().to_string(),
        discount_percent: "0".into(),
        start_month: next.format("%Y-%m").to_string(),
        end_month: String::new(),
        optional: false,
    })
}

/// A line ready to be stored.
struct ValidLine {
    snapshot: Snapshot,
    quantity: Decimal,
    discount: Decimal,
    price: Decimal,
    start_month: String,
    end_month: Option<String>,
    optional: bool,
    /// For an optional line: already chosen by the client (kept through amendments).
    chosen: bool,
}

#[derive(Clone)]
struct Snapshot {
    service_id: Option<i64>,
    name: String,
    description: String,
    category: String,
    pricing: Pricing,
    frequency: Frequency,
    account_code: String,
    tax_type: String,
    estimated_minutes: u32,
}

fn validate(
    store: &Store,
    draft: &ProposalDraft,
    existing: &[ProposalLine],
) -> Result<Vec<ValidLine>> {
    let practice = require_practice(store)?;
    let (currency, numbers) = (practice.currency(), practice.number_format());
    let mut problems = Problems::new();
    if clients::get_client(store, draft.client_id).is_err() {
        problems.add(
            "client_id",
            "Choose the client or prospect this proposal is for.",
        );
    }
    if draft.title.trim().is_empty() {
        problems.add("title", "Give the proposal a title.");
    }
    if chrono::NaiveDate::parse_from_str(draft.valid_until.trim(), "%Y-%m-%d").is_err() {
        problems.add("valid_until", "Enter the date the proposal is valid until.");
    }
    if draft.lines.is_empty() {
        problems.add("lines", "Add at least one service.");
    }
    let mut lines = Vec::new();
    for (i, line) in draft.lines.iter().enumerate() {
        let field = |name: &str| format!("lines.{i}.{name}");
        let kept = line
            .line_id
            .and_then(|id| existing.iter().find(|l| l.id == id));
        let chosen = kept.is_some_and(|l| l.chosen);
        let snapshot = match (kept, line.service_id) {
            (Some(kept), _) => Some(Snapshot {
                service_id: kept.service_id,
                name: kept.name.clone(),
                description: kept.description.clone(),
                category: kept.category.clone(),
                pricing: kept.pricing.clone(),
                frequency: kept.frequency,
                account_code: kept.account_code.clone(),
                tax_type: kept.tax_type.clone(),
                estimated_minutes: kept.estimated_minutes,
            }),
            (None, Some(service_id)) => match catalog::get_service(store, service_id) {
                Ok(s) => Some(Snapshot {
                    service_id: Some(s.id),
                    name: s.name,
                    description: s.description,
                    category: s.category,
                    pricing: s.pricing,
                    frequency: s.frequency,
                    account_code: s.account_code,
                    tax_type: s.tax_type,
                    estimated_minutes: s.estimated_minutes,
                }),
                Err(_) => {
                    problems.add(
                        field("service_id"),
                        "That service is no longer in the catalogue.",
                    );
                    None
                }
            },
            (None, None) => {
                problems.add(field("service_id"), "Choose a service.");
                None
            }
        };
        let quantity = match parse_amount(&line.quantity, numbers) {
            Ok(q) if q > Decimal::ZERO => Some(q),
            Err(
                error @ (AmountError::MisplacedSeparator { .. }
                | AmountError::TwoDecimalSeparators { .. }
                | AmountError::Ambiguous { .. }),
            ) => {
                problems.add(field("quantity"), error.to_string());
                None
            }
            _ => {
                problems.add(field("quantity"), "Enter a quantity above zero.");
                None
            }
        };
        let discount = if line.discount_percent.trim().is_empty() {
            Some(Decimal::ZERO)
        } else {
            match parse_amount(line.discount_percent.trim_end_matches('%'), numbers) {
                Ok(d) if d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED => Some(d),
                _ => {
                    problems.add(
                        field("discount_percent"),
                        "Enter a discount from 0 to 100 %.",
                    );
                    None
                }
            }
        };
        let start = terms::parse_month(&line.start_month);
        if start.is_none() {
            problems.add(field("start_month"), "Choose the month the service starts.");
        }
        let end = if line.end_month.trim().is_empty() {
            Some(None)
        } else {
            match (terms::parse_month(&line.end_month), start) {
                (Some(end), Some(start)) if end >= start => {
                    Some(Some(line.end_month.trim().to_string()))
                }
                (Some(_), Some(_)) => {
                    problems.add(
                        field("end_month"),
                        "The end month can't be before the start month.",
                    );
                    None
                }
                _ => {
                    problems.add(
                        field("end_month"),
                        "Choose the last month, or leave it empty.",
                    );
                    None
                }
            }
        };
        if let (Some(snapshot), Some(quantity), Some(discount), Some(_), Some(end_month)) =
            (snapshot, quantity, discount, start, end)
        {
            match catalog::quote(&snapshot.pricing, quantity, currency) {
                Ok(quote) => {
                    let price = currency.round(
                        quote.total * (Decimal::ONE_HUNDRED - discount) / Decimal::ONE_HUNDRED,
                    );
                    lines.push(ValidLine {
                        snapshot,
                        quantity,
                        discount,
                        price,
                        start_month: line.start_month.trim().to_string(),
                        end_month,
                        optional: line.optional,
                        chosen: chosen && line.optional,
                    });
                }
                Err(e) => problems.add(field("quantity"), e.to_string()),
            }
        }
    }
    problems.into_result()?;
    Ok(lines)
}

fn write_lines(tx: &Tx<'_>, proposal_id: i64, lines: &[ValidLine]) -> Result<()> {
    tx.execute(
        "DELETE FROM proposal_lines WHERE proposal_id = ?1",
        [proposal_id],
    )?;
    for (position, l) in lines.iter().enumerate() {
        let s = &l.snapshot;
        tx.execute(
            "INSERT INTO proposal_lines (proposal_id, position, service_id, name, description, category,
                pricing, frequency, account_code, tax_type, estimated_minutes, quantity,
                discount_percent, price, start_month, end_month, optional, chosen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            params![
                proposal_id,
                position as i64,
                s.service_id,
                s.name,
                s.description,
                s.category,
                serde_json::to_string(&s.pricing).unwrap_or_default(),
                s.frequency.as_str(),
                s.account_code,
                s.tax_type,
                s.estimated_minutes,
                l.quantity.to_string(),
                l.discount.to_string(),
                l.price.to_string(),
                l.start_month,
                l.end_month,
                l.optional,
                l.chosen,
            ],
        )?;
    }
    Ok(())
}

/// The next number this year, after the prefix set in Settings → Proposals: P-2026-0001,
/// P-2026-0002, … (or LOE-2026-0001 with the prefix LOE).
fn next_number(tx: &Tx<'_>) -> Result<String> {
    let year = chrono::Local::now().year();
    let firm_prefix: String = tx
        .query_row(
            "SELECT number_prefix FROM proposal_settings WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(default_number_prefix);
    let prefix = format!("{firm_prefix}-{year}-");
    let last: Option<String> = tx
        .query_row(
            "SELECT max(number) FROM proposals WHERE number LIKE ?1 || '%'",
            [&prefix],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let next = last
        .and_then(|n| n.rsplit('-').next().and_then(|s| s.parse::<u32>().ok()))
        .unwrap_or(0)
        + 1;
    Ok(format!("{prefix}{next:04}"))
}

/// What the editor shows live: each line's price and the totals, or the problems so far.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProposalPreview {
    /// Per line, per billing period after discount (`None` while the line has a problem).
    pub prices: Vec<Option<String>>,
    pub totals: ProposalTotals,
    pub problems: Vec<crate::FieldError>,
}

/// Checks the editor's form and prices it without saving. `id` is the proposal being edited.
pub fn preview_proposal(
    store: &Store,
    id: Option<i64>,
    draft: &ProposalDraft,
) -> Result<ProposalPreview> {
    let currency = require_practice(store)?.currency();
    let existing = match id {
        Some(id) => lines_of(store, id)?,
        None => Vec::new(),
    };
    match validate(store, draft, &existing) {
        Ok(lines) => {
            let priced: Vec<terms::PricedLine> = lines
                .iter()
                .map(|l| terms::PricedLine {
                    frequency: l.snapshot.frequency,
                    price: l.price,
                    included: !l.optional,
                })
                .collect();
            Ok(ProposalPreview {
                prices: lines.iter().map(|l| Some(l.price.to_string())).collect(),
                totals: terms::totals(&priced, currency),
                problems: Vec::new(),
            })
        }
        Err(Error::Invalid(problems)) => Ok(ProposalPreview {
            prices: vec![None; draft.lines.len()],
            totals: ProposalTotals::default(),
            problems: problems.fields().to_vec(),
        }),
        Err(other) => Err(other),
    }
}

pub fn create_proposal(store: &mut Store, draft: &ProposalDraft) -> Result<Proposal> {
    let lines = validate(store, draft, &[])?;
    let id = store.write(Source::User, |tx| {
        let number = next_number(tx)?;
        insert(tx, &number, 1, draft, None, None)?;
        let id = tx.last_insert_rowid();
        write_lines(tx, id, &lines)?;
        tx.log(
            "proposal",
            id,
            "create",
            &serde_json::json!({ "number": number, "client_id": draft.client_id }),
        )?;
        Ok(id)
    })?;
    get_proposal(store, id)
}

fn insert(
    tx: &Tx<'_>,
    number: &str,
    version: u32,
    draft: &ProposalDraft,
    supersedes: Option<i64>,
    effective_from: Option<&str>,
) -> Result<()> {
    let now = crate::now();
    tx.execute(
        "INSERT INTO proposals (number, version, client_id, status, title, introduction, scope_out,
            terms, valid_until, supersedes_id, effective_from, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            number,
            version,
            draft.client_id,
            draft.title.trim(),
            draft.introduction.trim(),
            serde_json::to_string(&clean_scope_out(&draft.scope_out))
                .unwrap_or_else(|_| "[]".into()),
            draft.terms.trim(),
            draft.valid_until.trim(),
            supersedes,
            effective_from,
            now,
        ],
    )?;
    Ok(())
}

fn clean_scope_out(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Saves the editor; only a draft can be edited.
pub fn update_proposal(store: &mut Store, id: i64, draft: &ProposalDraft) -> Result<Proposal> {
    let before = get_proposal(store, id)?;
    if before.status != ProposalStatus::Draft {
        return Err(Error::invalid(
            "status",
            match before.status {
                ProposalStatus::Accepted => {
                    "An accepted proposal is never edited; make an amendment instead."
                }
                _ => "Only a draft can be edited. Duplicate it to start a new one.",
            },
        ));
    }
    let lines = validate(store, draft, &before.lines)?;
    store.write(Source::User, |tx| {
        tx.execute(
            "UPDATE proposals SET client_id = ?2, title = ?3, introduction = ?4, scope_out = ?5,
                terms = ?6, valid_until = ?7, updated_at = ?8 WHERE id = ?1",
            params![
                id,
                draft.client_id,
                draft.title.trim(),
                draft.introduction.trim(),
                serde_json::to_string(&clean_scope_out(&draft.scope_out))
                    .unwrap_or_else(|_| "[]".into()),
                draft.terms.trim(),
                draft.valid_until.trim(),
                crate::now(),
            ],
        )?;
        write_lines(tx, id, &lines)?;
        tx.log(
            "proposal",
            id,
            "update",
            &serde_json::json!({ "before": before.draft(), "after": draft }),
        )
    })?;
    get_proposal(store, id)
}

fn lines_of(store: &Store, id: i64) -> Result<Vec<ProposalLine>> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, service_id, name, description, category, pricing, frequency, account_code, tax_type,
                estimated_minutes, quantity, discount_percent, price, start_month, end_month, optional, chosen
         FROM proposal_lines WHERE proposal_id = ?1 ORDER BY position",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(ProposalLine {
            id: r.get("id")?,
            service_id: r.get("service_id")?,
            name: r.get("name")?,
            description: r.get("description")?,
            category: r.get("category")?,
            pricing: json_column(r, "pricing")?,
            frequency: r.get("frequency")?,
            account_code: r.get("account_code")?,
            tax_type: r.get("tax_type")?,
            estimated_minutes: r.get("estimated_minutes")?,
            quantity: decimal_column(r, "quantity")?,
            discount_percent: decimal_column(r, "discount_percent")?,
            price: decimal_column(r, "price")?,
            start_month: r.get("start_month")?,
            end_month: r.get("end_month")?,
            optional: r.get("optional")?,
            chosen: r.get("chosen")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const PROPOSAL_COLUMNS: &str =
    "p.id, p.number, p.version, p.client_id, c.display_name AS client_name,
    p.status, p.title, p.introduction, p.scope_out, p.terms, p.valid_until, p.supersedes_id,
    p.effective_from, p.sent_at, p.accepted_at, p.accepted_by, p.created_at, p.updated_at";

fn proposal_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Proposal> {
    Ok(Proposal {
        id: r.get("id")?,
        number: r.get("number")?,
        version: r.get("version")?,
        client_id: r.get("client_id")?,
        client_name: r.get("client_name")?,
        status: r.get("status")?,
        title: r.get("title")?,
        introduction: r.get("introduction")?,
        scope_out: json_column(r, "scope_out")?,
        terms: r.get("terms")?,
        valid_until: r.get("valid_until")?,
        supersedes_id: r.get("supersedes_id")?,
        effective_from: r.get("effective_from")?,
        sent_at: r.get("sent_at")?,
        accepted_at: r.get("accepted_at")?,
        accepted_by: r.get("accepted_by")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        lines: Vec::new(),
        totals: ProposalTotals::default(),
        allowed: AllowedActions::default(),
    })
}

pub fn get_proposal(store: &Store, id: i64) -> Result<Proposal> {
    let currency = require_practice(store)?.currency();
    let mut proposal = store
        .conn()
        .query_row(
            &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals p JOIN clients c ON c.id = p.client_id WHERE p.id = ?1"),
            [id],
            proposal_from_row,
        )
        .optional()?
        .ok_or(Error::NotFound { entity: "proposal", id })?;
    proposal.lines = lines_of(store, id)?;
    proposal.totals = totals_of(&proposal.lines, currency);
    proposal.allowed = terms::allowed_actions(proposal.status);
    Ok(proposal)
}

/// Finds a proposal by its number ("P-2026-0042", newest version, or "P-2026-0042 v2").
pub fn find_by_number(store: &Store, label: &str) -> Result<Proposal> {
    let (number, version) = match label.trim().split_once(" v") {
        Some((n, v)) => (n.trim().to_string(), v.trim().parse::<u32>().ok()),
        None => (label.trim().to_string(), None),
    };
    let id: Option<i64> = store
        .conn()
        .query_row(
            "SELECT id FROM proposals WHERE number = ?1 AND (?2 IS NULL OR version = ?2)
             ORDER BY version DESC LIMIT 1",
            params![number, version],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => get_proposal(store, id),
        None => Err(Error::invalid(
            "number",
            format!("There is no proposal {label}."),
        )),
    }
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ProposalFilter {
    pub search: Option<String>,
    pub status: Option<ProposalStatus>,
    #[ts(type = "number | null")]
    pub client_id: Option<i64>,
}

/// Proposals, newest first. A read: it changes nothing (run [`expire_overdue`] first to mark
/// sent proposals past their date as expired).
pub fn list_proposals(store: &Store, filter: &ProposalFilter) -> Result<Vec<Proposal>> {
    let ids: Vec<i64> = {
        let mut stmt = store.conn().prepare(
            "SELECT p.id FROM proposals p JOIN clients c ON c.id = p.client_id
             WHERE (?1 IS NULL OR p.status = ?1) AND (?2 IS NULL OR p.client_id = ?2)
             ORDER BY p.created_at DESC, p.id DESC",
        )?;
        stmt.query_map(
            params![filter.status.map(|s| s.as_str()), filter.client_id],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?
    };
    let words: Vec<String> = filter
        .search
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut out = Vec::new();
    for id in ids {
        let p = get_proposal(store, id)?;
        let haystack = format!("{} {} {}", p.number, p.client_name, p.title).to_lowercase();
        if words.iter().all(|w| haystack.contains(w.as_str())) {
            out.push(p);
        }
    }
    Ok(out)
}

/// Marks sent proposals whose validity has passed as expired: an automatic step, logged with
/// the `system` source. The app runs it when the proposals list opens; the CLI before listing.
pub fn expire_overdue(store: &mut Store) -> Result<usize> {
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let overdue: Vec<i64> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM proposals WHERE status = 'sent' AND valid_until < ?1")?;
        stmt.query_map([&today], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    if overdue.is_empty() {
        return Ok(0);
    }
    store.write(Source::System, |tx| {
        for id in &overdue {
            lifecycle::apply_action(
                tx,
                *id,
                ProposalAction::Expire,
                lifecycle::Acceptance::default(),
                serde_json::json!({ "valid_until_before": today }),
            )?;
        }
        Ok(overdue.len())
    })
}

/// A copy as a new draft with a new number (for the same or another client).
pub fn duplicate_proposal(store: &mut Store, id: i64, client_id: Option<i64>) -> Result<Proposal> {
    let original = get_proposal(store, id)?;
    let mut draft = original.draft();
    if let Some(client) = client_id {
        draft.client_id = client;
    }
    draft.valid_until = blank_proposal(store, draft.client_id)?.valid_until;
    let lines = validate(store, &draft, &original.lines)?;
    let new_id = store.write(Source::User, |tx| {
        let number = next_number(tx)?;
        insert(tx, &number, 1, &draft, None, None)?;
        let new_id = tx.last_insert_rowid();
        write_lines(tx, new_id, &lines)?;
        tx.log(
            "proposal",
            new_id,
            "duplicate",
            &serde_json::json!({ "from": original.label() }),
        )?;
        Ok(new_id)
    })?;
    get_proposal(store, new_id)
}

/// Starts an amendment of an accepted proposal: a new version (a draft) that will supersede it
/// from `effective_from` (`YYYY-MM`) once accepted. History is kept.
pub fn amend_proposal(store: &mut Store, id: i64, effective_from: &str) -> Result<Proposal> {
    let original = get_proposal(store, id)?;
    if original.status != ProposalStatus::Accepted {
        return Err(Error::invalid(
            "status",
            "Only an accepted proposal is amended; edit or duplicate this one instead.",
        ));
    }
    if terms::parse_month(effective_from).is_none() {
        return Err(Error::invalid(
            "effective_from",
            "Choose the month the amendment takes effect.",
        ));
    }
    let open: Option<String> = store
        .conn()
        .query_row(
            "SELECT number || ' v' || version FROM proposals WHERE supersedes_id = ?1 AND status IN ('draft', 'sent')",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(label) = open {
        return Err(Error::invalid(
            "status",
            format!("An amendment is already open: {label}."),
        ));
    }
    let mut draft = original.draft();
    draft.valid_until = blank_proposal(store, draft.client_id)?.valid_until;
    // Lines keep their snapshots; they run from the amendment's month.
    for line in &mut draft.lines {
        if line.start_month.as_str() < effective_from {
            line.start_month = effective_from.to_string();
        }
    }
    let lines = validate(store, &draft, &original.lines)?;
    let version: u32 = store.conn().query_row(
        "SELECT max(version) + 1 FROM proposals WHERE number = ?1",
        [&original.number],
        |r| r.get(0),
    )?;
    let new_id = store.write(Source::User, |tx| {
        insert(
            tx,
            &original.number,
            version,
            &draft,
            Some(id),
            Some(effective_from),
        )?;
        let new_id = tx.last_insert_rowid();
        write_lines(tx, new_id, &lines)?;
        tx.log(
            "proposal",
            new_id,
            "amend",
            &serde_json::json!({ "supersedes": id, "effective_from": effective_from }),
        )?;
        Ok(new_id)
    })?;
    get_proposal(store, new_id)
}

/// One service in a client's current scope.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ScopeLine {
    pub proposal: String,
    pub line: ProposalLine,
}

/// What a client has engaged the firm for in `month` (`YYYY-MM`): the lines of its proposals in
/// force then, and what they say is out of scope.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClientScope {
    pub month: String,
    pub in_scope: Vec<ScopeLine>,
    pub out_of_scope: Vec<String>,
    pub totals: ProposalTotals,
}

pub fn client_scope(store: &Store, client_id: i64, month: &str) -> Result<ClientScope> {
    let currency = require_practice(store)?.currency();
    // Accepted proposals, and superseded ones before their amendment's month.
    let ids: Vec<i64> = {
        let mut stmt = store.conn().prepare(
            "SELECT p.id FROM proposals p
             WHERE p.client_id = ?1 AND (
                p.status = 'accepted' OR (p.status = 'superseded' AND EXISTS (
                    SELECT 1 FROM proposals n WHERE n.supersedes_id = p.id AND n.status = 'accepted'
                      AND n.effective_from > ?2)))
             ORDER BY p.accepted_at",
        )?;
        stmt.query_map(params![client_id, month], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut in_scope = Vec::new();
    let mut out_of_scope: Vec<String> = Vec::new();
    for id in ids {
        let p = get_proposal(store, id)?;
        let in_force = |l: &ProposalLine| {
            l.included()
                && l.start_month.as_str() <= month
                && l.end_month.as_deref().is_none_or(|end| end >= month)
                && p.effective_from.as_deref().is_none_or(|from| from <= month)
        };
        for line in p.lines.iter().filter(|l| in_force(l)) {
            in_scope.push(ScopeLine {
                proposal: p.label(),
                line: line.clone(),
            });
        }
        for item in &p.scope_out {
            if !out_of_scope.contains(item) {
                out_of_scope.push(item.clone());
            }
        }
    }
    let lines: Vec<ProposalLine> = in_scope.iter().map(|s| s.line.clone()).collect();
    Ok(ClientScope {
        month: month.to_string(),
        totals: totals_of(&lines, currency),
        in_scope,
        out_of_scope,
    })
}

#[cfg(test)]
pub(crate) mod tests;
