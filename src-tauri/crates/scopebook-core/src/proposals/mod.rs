//! Proposals and letters of engagement: built from the catalogue for a client or prospect, sent,
//! accepted (the prospect becomes a client and the lines become active scope), amended by a new
//! version that supersedes the accepted one from a given month.

mod amendments;
pub mod archive;
pub mod document;
pub mod lifecycle;
mod numbering;
pub mod price_increase;
mod ranges;
mod scope;
pub mod structures;
mod templates;
pub mod terms;
mod validation;

use std::collections::HashMap;

use chrono::Datelike;
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::{self, Frequency, LineDriver, Pricing};
use crate::clients;
use crate::error::{Error, Problems, Result};
use crate::money::{AmountError, Currency, parse_amount};
use crate::practice::require_practice;
use crate::store::{Source, Store, Tx, decimal_column, json_column};
pub(crate) use amendments::amend_with;
pub use amendments::{amend_proposal, duplicate_proposal};
pub use lifecycle::{change_status, change_status_choosing, expire_overdue};
pub use numbering::find_by_number;
use numbering::next_number;
pub use ranges::confirm_line_price;
pub use scope::{BillableLine, ClientScope, LineInForce, ScopeLine, client_scope, lines_in_force};
pub use structures::{
    ProposalStructure, StartedFromStructure, delete_structure, list_structures, save_structure,
    start_from_structure,
};
use templates::default_number_prefix;
pub use templates::{ProposalTemplates, proposal_templates, save_proposal_templates};
pub use terms::{
    AllowedActions, BillingStart, FeeDisplay, ProposalAction, ProposalStatus, ProposalTotals,
};
use validation::{Snapshot, ValidLine, validate};

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
    /// Staff time per period for this client, in minutes; empty keeps the snapshot's
    /// (a new line: the service's estimate).
    #[serde(default)]
    pub estimated_minutes: String,
    /// `YYYY-MM`.
    pub start_month: String,
    /// `YYYY-MM`, or empty for no end.
    pub end_month: String,
    pub optional: bool,
    /// The choice made for each of the service's price drivers, in order, by name; empty (or
    /// missing) for the driver's default.
    #[serde(default)]
    pub driver_choices: Vec<String>,
    /// The option (1–3) this line belongs to, or `None` for a line common to every option.
    #[serde(default)]
    pub option: Option<u8>,
}

/// One of up to three packages a proposal offers ("Essentials", "Growth", "Complete").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ProposalOption {
    pub name: String,
    pub description: String,
}

/// At most this many options on a proposal.
pub const MAX_OPTIONS: usize = 3;

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
    /// `None`: the practice's default.
    #[serde(default)]
    pub fee_display: Option<FeeDisplay>,
    /// The packages offered, in order (option 1, 2, 3); empty when there is no choice.
    #[serde(default)]
    pub options: Vec<ProposalOption>,
    /// `None`: from each service's start month.
    #[serde(default)]
    pub billing_start: Option<BillingStart>,
    /// With [`BillingStart::FreeMonths`]: how many (1–24).
    #[serde(default)]
    pub free_months: u32,
    /// The client's band in the practice's first set (annual revenue), which prices the
    /// services priced by band; from the client, to start with.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub band_1_id: Option<i64>,
    /// The client's band in the second set, if the practice has one.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub band_2_id: Option<i64>,
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
    /// The service's price drivers when the line was made, each with the choice made.
    pub drivers: Vec<LineDriver>,
    /// The service's own terms when the line was made.
    pub terms: String,
    pub frequency: Frequency,
    pub account_code: String,
    pub tax_type: String,
    pub estimated_minutes: u32,
    #[ts(as = "String")]
    pub quantity: Decimal,
    #[ts(as = "String")]
    pub discount_percent: Decimal,
    /// Per billing period, after discount (a range's lower end).
    #[ts(as = "String")]
    pub price: Decimal,
    /// A range's upper end per billing period.
    #[ts(as = "Option<String>")]
    pub price_high: Option<Decimal>,
    /// A range's price as the firm confirmed it (within the range): billed from then on.
    #[ts(as = "Option<String>")]
    pub confirmed_price: Option<Decimal>,
    pub start_month: String,
    /// The month the line's billing cycle counts from (its first start month; an amendment
    /// moves the start, not the cycle).
    pub anchor_month: String,
    pub end_month: Option<String>,
    pub optional: bool,
    pub chosen: bool,
    /// Added by Scopebook to reach the practice's minimum monthly fee; recalculated on save.
    pub top_up: bool,
    /// The option (1–3) the line belongs to; `None` for a line common to every option.
    pub option: Option<u8>,
}

impl ProposalLine {
    fn included(&self) -> bool {
        !self.optional || self.chosen
    }

    /// A price range whose price the firm has not confirmed yet (not billed until it is).
    pub fn awaiting_confirmation(&self) -> bool {
        self.price_high.is_some() && self.confirmed_price.is_none()
    }

    /// The price per billing period: the confirmed price of a range, else the line's price.
    pub fn billed_price(&self) -> Decimal {
        self.confirmed_price.unwrap_or(self.price)
    }

    /// The line as the totals see it.
    fn priced(&self) -> terms::PricedLine {
        terms::PricedLine {
            frequency: self.frequency,
            price: self.billed_price(),
            included: self.included(),
            estimate: self.awaiting_confirmation(),
        }
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
    pub fee_display: FeeDisplay,
    pub options: Vec<ProposalOption>,
    /// The option the client accepted (1–3).
    pub chosen_option: Option<u8>,
    pub billing_start: BillingStart,
    pub free_months: u32,
    #[ts(type = "number | null")]
    pub band_1_id: Option<i64>,
    #[ts(type = "number | null")]
    pub band_2_id: Option<i64>,
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
    /// Per option: the lines common to all and that option's (before it is chosen).
    pub option_totals: Vec<ProposalTotals>,
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
                // The minimum-fee top-up is worked out on save, never typed.
                .filter(|l| !l.top_up)
                .map(|l| LineDraft {
                    service_id: l.service_id,
                    line_id: Some(l.id),
                    quantity: l.quantity.to_string(),
                    discount_percent: l.discount_percent.to_string(),
                    estimated_minutes: l.estimated_minutes.to_string(),
                    start_month: l.start_month.clone(),
                    end_month: l.end_month.clone().unwrap_or_default(),
                    optional: l.optional,
                    driver_choices: l.drivers.iter().map(|d| d.choice.clone()).collect(),
                    option: l.option,
                })
                .collect(),
            fee_display: Some(self.fee_display),
            options: self.options.clone(),
            billing_start: Some(self.billing_start),
            free_months: self.free_months,
            band_1_id: self.band_1_id,
            band_2_id: self.band_2_id,
        }
    }

    /// The form for what was agreed: with the chosen option's lines made common lines and the
    /// other options' lines left out (an amendment starts from this). Without options, [`draft`].
    ///
    /// [`draft`]: Proposal::draft
    pub fn settled_draft(&self) -> ProposalDraft {
        let mut draft = self.draft();
        // Billing started when this was accepted: the lines already carry its months.
        draft.billing_start = Some(BillingStart::FromMonth);
        draft.free_months = 0;
        if let Some(chosen) = self.chosen_option {
            draft
                .lines
                .retain(|l| l.option.is_none() || l.option == Some(chosen));
            for line in &mut draft.lines {
                if line.option.take().is_some() {
                    line.optional = false;
                }
            }
            draft.options.clear();
        }
        draft
    }

    /// Display label: "P-2026-0042" or "P-2026-0042 v2".
    pub fn label(&self) -> String {
        label(&self.number, self.version)
    }
}

fn label(number: &str, version: u32) -> String {
    if version > 1 {
        format!("{number} v{version}")
    } else {
        number.to_string()
    }
}

/// One line as the option totals see it: its option, and the line (`included`: counted without
/// the option).
type OptionLine = (Option<u8>, terms::PricedLine);

/// What the proposal comes to with each of its `options` options taken: the lines common to all
/// (the optional ones as chosen so far) and every line of that option.
fn option_totals(lines: &[OptionLine], options: usize, currency: Currency) -> Vec<ProposalTotals> {
    (1..=options as u8)
        .map(|option| {
            let priced: Vec<terms::PricedLine> = lines
                .iter()
                .filter(|(of, _)| of.is_none() || *of == Some(option))
                .map(|&(of, line)| terms::PricedLine {
                    included: of == Some(option) || line.included,
                    ..line
                })
                .collect();
            terms::totals(&priced, currency)
        })
        .collect()
}

fn totals_of(lines: &[ProposalLine], currency: Currency) -> ProposalTotals {
    let priced: Vec<terms::PricedLine> = lines.iter().map(ProposalLine::priced).collect();
    terms::totals(&priced, currency)
}

/// A blank proposal for `client_id`, with the firm's introduction and terms templates.
pub fn blank_proposal(store: &Store, client_id: i64) -> Result<ProposalDraft> {
    let client = clients::get_client(store, client_id)?;
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
        fee_display: Some(require_practice(store)?.fee_display),
        options: Vec::new(),
        billing_start: Some(BillingStart::FromMonth),
        free_months: 0,
        band_1_id: client.band_1_id,
        band_2_id: client.band_2_id,
    })
}

/// A new line of `service_id` for `client_id`: [`line_for_service`], each price driver starting at
/// the choice the client had for a driver of the same name on its latest proposal line that has
/// one ("Quality of the books: poor" carries over to the next service priced by the books), else
/// at the driver's default.
pub fn line_for_client(store: &Store, service_id: i64, client_id: i64) -> Result<LineDraft> {
    let mut line = line_for_service(store, service_id)?;
    let service = catalog::get_service(store, service_id)?;
    if service.drivers.is_empty() {
        return Ok(line);
    }
    let mut stmt = store.conn().prepare(
        "SELECT l.drivers FROM proposal_lines l JOIN proposals p ON p.id = l.proposal_id
         WHERE p.client_id = ?1 AND l.drivers <> '[]'
         ORDER BY p.created_at DESC, p.id DESC, l.position",
    )?;
    let history: Vec<Vec<LineDriver>> = stmt
        .query_map([client_id], |r| {
            let text: String = r.get(0)?;
            crate::store::json_text(&text, "drivers")
        })?
        .collect::<rusqlite::Result<_>>()?;
    line.driver_choices = service
        .drivers
        .iter()
        .map(|driver| {
            history
                .iter()
                .flatten()
                .find(|had| had.driver.name == driver.name && driver.choice(&had.choice).is_some())
                .map(|had| had.choice.clone())
                .unwrap_or_default()
        })
        .collect();
    Ok(line)
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
        estimated_minutes: service.estimated_minutes.to_string(),
        start_month: next.format("%Y-%m").to_string(),
        end_month: String::new(),
        optional: false,
        driver_choices: Vec::new(),
        option: None,
    })
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
                discount_percent, price, start_month, end_month, optional, chosen, anchor_month,
                drivers, terms, top_up, option_no, price_high)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                ?19, ?20, ?21, ?22, ?23, ?24)",
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
                l.anchor_month,
                serde_json::to_string(&l.drivers).unwrap_or_default(),
                s.terms,
                l.top_up,
                l.option,
                l.price_high.map(|p| p.to_string()),
            ],
        )?;
    }
    Ok(())
}

/// What the editor shows live: each line's price and the totals, or the problems so far.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProposalPreview {
    /// Per line, per billing period after discount (`None` while the line has a problem).
    pub prices: Vec<Option<String>>,
    /// Per line, a price range's upper end (`None` for a set price, or while it has a problem).
    pub highs: Vec<Option<String>>,
    /// The minimum monthly fee's top-ups the proposal would get, a month: one for the whole
    /// proposal, or one per option that comes in under the minimum.
    pub top_ups: Vec<TopUp>,
    /// Per option: what the proposal comes to with it.
    pub option_totals: Vec<ProposalTotals>,
    /// Per line, how its price was reached (empty while the line has a problem).
    pub steps: Vec<Vec<catalog::PriceStep>>,
    pub totals: ProposalTotals,
    pub problems: Vec<crate::FieldError>,
}

/// A minimum monthly fee top-up as the editor shows it: for the option it belongs to (`None`:
/// the whole proposal), a month.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TopUp {
    pub option: Option<u8>,
    pub price: String,
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
    match validation::price_draft(store, draft, &existing) {
        Ok(lines) => {
            let priced: Vec<terms::PricedLine> =
                lines.iter().map(|l| l.priced(!l.optional)).collect();
            Ok(ProposalPreview {
                prices: lines
                    .iter()
                    .filter(|l| !l.top_up)
                    .map(|l| Some(l.price.to_string()))
                    .collect(),
                highs: lines
                    .iter()
                    .filter(|l| !l.top_up)
                    .map(|l| l.price_high.map(|h| h.to_string()))
                    .collect(),
                top_ups: lines
                    .iter()
                    .filter(|l| l.top_up)
                    .map(|l| TopUp {
                        option: l.option,
                        price: l.price.to_string(),
                    })
                    .collect(),
                steps: lines
                    .iter()
                    .filter(|l| !l.top_up)
                    .map(|l| l.steps.clone())
                    .collect(),
                totals: terms::totals(&priced, currency),
                option_totals: option_totals(
                    &lines
                        .iter()
                        .map(|l| (l.option, l.priced(!l.optional)))
                        .collect::<Vec<_>>(),
                    draft.options.len(),
                    currency,
                ),
                problems: validation::empty_options(draft).fields().to_vec(),
            })
        }
        Err(Error::Invalid(problems)) => Ok(ProposalPreview {
            prices: vec![None; draft.lines.len()],
            highs: vec![None; draft.lines.len()],
            top_ups: Vec::new(),
            steps: vec![Vec::new(); draft.lines.len()],
            totals: ProposalTotals::default(),
            option_totals: Vec::new(),
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
            terms, valid_until, supersedes_id, effective_from, created_at, updated_at, fee_display,
            options, billing_start, free_months, band_1_id, band_2_id)
         VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11,
            COALESCE(?12, (SELECT fee_display FROM practice WHERE id = 1), 'breakdown'), ?13,
            ?14, ?15, ?16, ?17)",
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
            draft.fee_display,
            serde_json::to_string(&clean_options(&draft.options)).unwrap_or_default(),
            draft.billing_start.unwrap_or(BillingStart::FromMonth),
            billing_free_months(draft),
            draft.band_1_id,
            draft.band_2_id,
        ],
    )?;
    Ok(())
}

/// The free months stored with the billing start: none unless the start is after free months.
fn billing_free_months(draft: &ProposalDraft) -> u32 {
    if draft.billing_start == Some(BillingStart::FreeMonths) {
        draft.free_months
    } else {
        0
    }
}

fn clean_options(options: &[ProposalOption]) -> Vec<ProposalOption> {
    options
        .iter()
        .map(|o| ProposalOption {
            name: o.name.trim().to_string(),
            description: o.description.trim().to_string(),
        })
        .collect()
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
                terms = ?6, valid_until = ?7, updated_at = ?8,
                fee_display = COALESCE(?9, fee_display), options = ?10,
                billing_start = ?11, free_months = ?12, band_1_id = ?13, band_2_id = ?14
             WHERE id = ?1",
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
                draft.fee_display,
                serde_json::to_string(&clean_options(&draft.options)).unwrap_or_default(),
                draft.billing_start.unwrap_or(BillingStart::FromMonth),
                billing_free_months(draft),
                draft.band_1_id,
                draft.band_2_id,
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

/// A line's columns, from `proposal_lines l`, in the order [`line_from_row`] reads them.
const LINE_COLUMNS: &str = "l.id, l.service_id, l.name, l.description, l.category, l.pricing,
    l.frequency, l.account_code, l.tax_type, l.estimated_minutes, l.quantity, l.discount_percent,
    l.price, l.start_month, l.end_month, l.optional, l.chosen, l.anchor_month, l.drivers,
    l.terms, l.top_up, l.option_no, l.price_high, l.confirmed_price";

/// Reads a line from [`LINE_COLUMNS`], the row's columns from `at` on. By position, not by name:
/// each name is looked up among all the row's columns, which is most of the time of reading
/// every client's lines for the billing plan. `pricings` keeps each pricing (a service's, the
/// same on many lines) parsed once.
fn line_from_row(
    r: &rusqlite::Row<'_>,
    at: usize,
    pricings: &mut HashMap<String, Pricing>,
) -> rusqlite::Result<ProposalLine> {
    let pricing_text: String = r.get(at + 5)?;
    let pricing = match pricings.get(&pricing_text) {
        Some(pricing) => pricing.clone(),
        None => {
            let pricing: Pricing = json_column(r, "pricing")?;
            pricings.insert(pricing_text, pricing.clone());
            pricing
        }
    };
    Ok(ProposalLine {
        id: r.get(at)?,
        service_id: r.get(at + 1)?,
        name: r.get(at + 2)?,
        description: r.get(at + 3)?,
        category: r.get(at + 4)?,
        pricing,
        drivers: {
            let text: String = r.get(at + 18)?;
            if text == "[]" {
                Vec::new()
            } else {
                crate::store::json_text(&text, "drivers")?
            }
        },
        terms: r.get(at + 19)?,
        top_up: r.get(at + 20)?,
        option: r.get(at + 21)?,
        frequency: r.get(at + 6)?,
        account_code: r.get(at + 7)?,
        tax_type: r.get(at + 8)?,
        estimated_minutes: r.get(at + 9)?,
        quantity: decimal_column(r, at + 10)?,
        discount_percent: decimal_column(r, at + 11)?,
        price: decimal_column(r, at + 12)?,
        start_month: r.get(at + 13)?,
        end_month: r.get(at + 14)?,
        optional: r.get(at + 15)?,
        chosen: r.get(at + 16)?,
        anchor_month: r.get(at + 17)?,
        price_high: crate::store::optional_decimal_column(r, at + 22)?,
        confirmed_price: crate::store::optional_decimal_column(r, at + 23)?,
    })
}

fn lines_of(store: &Store, id: i64) -> Result<Vec<ProposalLine>> {
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT {LINE_COLUMNS} FROM proposal_lines l WHERE l.proposal_id = ?1 ORDER BY l.position"
    ))?;
    let mut pricings = HashMap::new();
    let rows = stmt.query_map([id], |r| line_from_row(r, 0, &mut pricings))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const PROPOSAL_COLUMNS: &str =
    "p.id, p.number, p.version, p.client_id, c.display_name AS client_name,
    p.status, p.title, p.introduction, p.scope_out, p.terms, p.valid_until, p.supersedes_id,
    p.effective_from, p.sent_at, p.accepted_at, p.accepted_by, p.created_at, p.updated_at,
    p.fee_display, p.options, p.chosen_option, p.billing_start, p.free_months, p.band_1_id,
    p.band_2_id";

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
        fee_display: r.get("fee_display")?,
        options: json_column(r, "options")?,
        chosen_option: r.get("chosen_option")?,
        billing_start: r.get("billing_start")?,
        free_months: r.get("free_months")?,
        band_1_id: r.get("band_1_id")?,
        band_2_id: r.get("band_2_id")?,
        supersedes_id: r.get("supersedes_id")?,
        effective_from: r.get("effective_from")?,
        sent_at: r.get("sent_at")?,
        accepted_at: r.get("accepted_at")?,
        accepted_by: r.get("accepted_by")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        lines: Vec::new(),
        totals: ProposalTotals::default(),
        option_totals: Vec::new(),
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
    let lines: Vec<OptionLine> = proposal
        .lines
        .iter()
        .map(|l| (l.option, l.priced()))
        .collect();
    proposal.option_totals = option_totals(&lines, proposal.options.len(), currency);
    proposal.allowed = terms::allowed_actions(proposal.status);
    Ok(proposal)
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ProposalFilter {
    pub search: Option<String>,
    pub status: Option<ProposalStatus>,
    #[ts(type = "number | null")]
    pub client_id: Option<i64>,
}

/// A proposal as the list and the pipeline show it: no lines, texts or terms.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProposalSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub number: String,
    pub version: u32,
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub status: ProposalStatus,
    pub title: String,
    pub valid_until: String,
    pub sent_at: Option<String>,
    pub accepted_at: Option<String>,
    pub created_at: String,
    pub totals: ProposalTotals,
}

/// The proposals [`ProposalFilter`] picks, newest first, as summaries: two queries however many
/// there are (the proposals, then every line's frequency, price and inclusion for the totals).
pub fn list_proposal_summaries(
    store: &Store,
    filter: &ProposalFilter,
) -> Result<Vec<ProposalSummary>> {
    let currency = require_practice(store)?.currency();
    let words: Vec<String> = filter
        .search
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let mut summaries: Vec<ProposalSummary> = {
        let mut stmt = store.conn().prepare(
            "SELECT p.id, p.number, p.version, p.client_id, c.display_name, p.status, p.title,
                    p.valid_until, p.sent_at, p.accepted_at, p.created_at
             FROM proposals p JOIN clients c ON c.id = p.client_id
             WHERE (?1 IS NULL OR p.status = ?1) AND (?2 IS NULL OR p.client_id = ?2)
             ORDER BY p.created_at DESC, p.id DESC",
        )?;
        let rows = stmt.query_map(
            params![filter.status.map(|s| s.as_str()), filter.client_id],
            |r| {
                Ok(ProposalSummary {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    version: r.get(2)?,
                    client_id: r.get(3)?,
                    client_name: r.get(4)?,
                    status: r.get(5)?,
                    title: r.get(6)?,
                    valid_until: r.get(7)?,
                    sent_at: r.get(8)?,
                    accepted_at: r.get(9)?,
                    created_at: r.get(10)?,
                    totals: ProposalTotals::default(),
                })
            },
        )?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|p| {
                let haystack = format!("{} {} {}", p.number, p.client_name, p.title).to_lowercase();
                words.iter().all(|w| haystack.contains(w.as_str()))
            })
            .collect()
    };
    let wanted: HashMap<i64, usize> = summaries
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let mut priced: Vec<Vec<terms::PricedLine>> = vec![Vec::new(); summaries.len()];
    let mut stmt = store.conn().prepare(
        "SELECT proposal_id, frequency, COALESCE(confirmed_price, price),
            optional = 0 OR chosen = 1, price_high IS NOT NULL AND confirmed_price IS NULL
         FROM proposal_lines",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let Some(&at) = wanted.get(&r.get::<_, i64>(0)?) else {
            continue;
        };
        priced[at].push(terms::PricedLine {
            frequency: r.get(1)?,
            price: decimal_column(r, 2)?,
            included: r.get(3)?,
            estimate: r.get(4)?,
        });
    }
    for (summary, lines) in summaries.iter_mut().zip(&priced) {
        summary.totals = terms::totals(lines, currency);
    }
    Ok(summaries)
}

/// One stage of the pipeline: how many proposals and what they are worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PipelineStage {
    /// "draft", "sent", "expiring", "accepted".
    pub key: String,
    pub label: String,
    pub count: u32,
    #[ts(as = "String")]
    pub monthly: Decimal,
    #[ts(as = "String")]
    pub annual: Decimal,
}

/// The list's pipeline, from its summaries on `today`: drafts, awaiting an answer, open ones
/// expiring within 7 days (or already past their date), and accepted this month.
pub fn pipeline_stages(
    summaries: &[ProposalSummary],
    today: chrono::NaiveDate,
) -> Vec<PipelineStage> {
    let open =
        |p: &ProposalSummary| matches!(p.status, ProposalStatus::Draft | ProposalStatus::Sent);
    let soon = (today + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let month = today.format("%Y-%m").to_string();
    let stage = |key: &str, label: &str, keep: &dyn Fn(&ProposalSummary) -> bool| {
        let picked: Vec<&ProposalSummary> = summaries.iter().filter(|p| keep(p)).collect();
        PipelineStage {
            key: key.into(),
            label: label.into(),
            count: u32::try_from(picked.len()).unwrap_or(u32::MAX),
            monthly: picked.iter().map(|p| p.totals.monthly).sum(),
            annual: picked.iter().map(|p| p.totals.annual).sum(),
        }
    };
    vec![
        stage("draft", "Drafts", &|p| p.status == ProposalStatus::Draft),
        stage("sent", "Awaiting an answer", &|p| {
            p.status == ProposalStatus::Sent
        }),
        stage("expiring", "Expiring within 7 days", &|p| {
            open(p) && p.valid_until.as_str() <= soon.as_str()
        }),
        stage("accepted", "Accepted this month", &|p| {
            p.status == ProposalStatus::Accepted
                && p.accepted_at
                    .as_deref()
                    .is_some_and(|at| at.starts_with(&month))
        }),
    ]
}

/// The proposals list: the summaries (all, or the first few asked for) and the pipeline over
/// all of them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProposalList {
    pub proposals: Vec<ProposalSummary>,
    /// How many match the filter (more than `proposals` holds when only the first were asked for).
    pub total: u32,
    pub stages: Vec<PipelineStage>,
}

/// The list screen's read: [`list_proposal_summaries`] and [`pipeline_stages`] for today. With
/// `first`, only that many summaries come back (the screen shows a screenful of 5,000 at once,
/// then asks for the rest); the total and the pipeline are always over every match.
pub fn proposal_list(
    store: &Store,
    filter: &ProposalFilter,
    first: Option<u32>,
) -> Result<ProposalList> {
    let mut proposals = list_proposal_summaries(store, filter)?;
    let stages = pipeline_stages(&proposals, chrono::Local::now().date_naive());
    let total = proposals.len() as u32;
    if let Some(first) = first {
        proposals.truncate(first as usize);
    }
    Ok(ProposalList {
        proposals,
        total,
        stages,
    })
}

/// Proposals, newest first, whole. A read: it changes nothing (run [`expire_overdue`] first to
/// mark sent proposals past their date as expired).
pub fn list_proposals(store: &Store, filter: &ProposalFilter) -> Result<Vec<Proposal>> {
    list_proposal_summaries(store, filter)?
        .iter()
        .map(|summary| get_proposal(store, summary.id))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
