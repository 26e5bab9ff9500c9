//! Insight: recurring revenue and its movements month by month, revenue by service and category,
//! and profitability per service per client — computed here, from the accepted proposals, the
//! month adjustments, the work log and what Xero said about the posted invoices. The window and
//! the CLI only show what these functions return; every amount is a Decimal rounded as money.
//!
//! A report reads the lines in force over its months once ([`lines_in_force`]) and walks each
//! line's run of months: nothing is read per client or per month.

mod dashboard;
mod profitability;
mod revenue;
mod services;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::billing::arithmetic::{LineMonths, months_between, periods_due, round};
use crate::error::{Error, Result};
use crate::practice::{Practice, require_practice};
pub(crate) use crate::proposals::terms::month_text;
use crate::proposals::terms::{parse_month, require_month, shift_months as shift};
use crate::proposals::{LineInForce, lines_in_force};
use crate::store::{Store, optional_decimal_column};
pub use dashboard::{Attention, BillingFigures, Dashboard, NextAction, Pipeline, dashboard};
pub use profitability::{
    Profit, ProfitLine, ProfitRollup, ProfitabilityReport, profitability_report,
};
pub use revenue::{ClientRevenue, RevenueMonth, RevenueReport, revenue_clients, revenue_report};
pub use services::{ServiceRevenue, ServicesReport, services_report};

/// The longest range a report covers: ten years of months.
pub const MAX_MONTHS: usize = 120;

/// Which clients a report counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReportClients {
    /// Every client, archived ones too (their history still counts).
    #[default]
    All,
    /// Clients not archived.
    Active,
    /// Archived clients only (former clients).
    Archived,
}

/// What a report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReportFilter {
    /// The first month, `YYYY-MM`; empty: eleven months before this one.
    #[serde(default)]
    pub from: String,
    /// The last month; empty: three months after this one (a forecast from accepted scope).
    #[serde(default)]
    pub to: String,
    /// Only the services of this category.
    #[serde(default)]
    pub category: Option<String>,
    /// Only this catalogue service.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub service_id: Option<i64>,
    #[serde(default)]
    pub clients: ReportClients,
}

/// A report as a table: for CSV and the printable PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReportTable {
    pub title: String,
    /// What it covers, in words ("January 2026 to March 2027, all clients").
    pub subtitle: String,
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TableColumn {
    pub name: String,
    pub kind: ColumnKind,
}

/// What a column holds: how a printout lays it out (CSV keeps plain decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ColumnKind {
    Text,
    /// An amount in the practice's currency.
    Money,
    /// A whole number (clients, minutes).
    Count,
    Percent,
}

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReportKind {
    Revenue,
    Services,
    Profitability,
}

impl ReportKind {
    /// The report's table for `filter`.
    pub fn table(
        self,
        store: &Store,
        filter: &ReportFilter,
        today: NaiveDate,
    ) -> Result<ReportTable> {
        Ok(match self {
            ReportKind::Revenue => revenue_report(store, filter, today)?.table,
            ReportKind::Services => services_report(store, filter, today)?.table,
            ReportKind::Profitability => profitability_report(store, filter, today)?.table,
        })
    }

    /// A file name for an export: "recurring-revenue.csv".
    pub fn file_name(self, extension: &str) -> String {
        let name = match self {
            ReportKind::Revenue => "recurring-revenue",
            ReportKind::Services => "revenue-by-service",
            ReportKind::Profitability => "profitability",
        };
        format!("{name}.{extension}")
    }
}

/// The report printed for the partners' meeting: the firm's name, brand colour and logo, the
/// report's title and range, and its table with amounts in the practice's way of writing numbers.
pub fn report_pdf(
    store: &Store,
    kind: ReportKind,
    filter: &ReportFilter,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let practice = require_practice(store)?;
    let table = kind.table(store, filter, today)?;
    let format = practice.number_format();
    let cell = |text: &str, kind: ColumnKind| -> String {
        let Ok(amount) = text.parse::<Decimal>() else {
            return text.to_string();
        };
        match kind {
            ColumnKind::Text => text.to_string(),
            ColumnKind::Count => crate::money::format_number(amount, format),
            ColumnKind::Money => {
                let mut amount = round(amount, practice.currency_places);
                amount.rescale(practice.currency_places);
                crate::money::format_number(amount, format)
            }
            ColumnKind::Percent => format!("{} %", crate::money::format_number(amount, format)),
        }
    };
    let document = scopebook_pdf::ReportDocument {
        practice: practice.firm_name.clone(),
        brand_colour: practice.brand_colour.clone(),
        logo: crate::proposals::document::pdf_logo(store)?,
        title: table.title.clone(),
        subtitle: table.subtitle.clone(),
        printed: crate::proposals::document::long_date(today, &practice.country),
        columns: table
            .columns
            .iter()
            .map(|c| scopebook_pdf::ReportColumn {
                name: c.name.clone(),
                numeric: c.kind != ColumnKind::Text,
            })
            .collect(),
        rows: table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&table.columns)
                    .map(|(text, column)| cell(text, column.kind))
                    .collect()
            })
            .collect(),
        note: format!(
            "Amounts in {}, excluding tax. Staff time and fees as estimated on each client's engagement.",
            practice.base_currency
        ),
    };
    scopebook_pdf::render_report_pdf(&document)
        .map_err(|e| Error::io("Couldn't print the report", std::io::Error::other(e)))
}

impl ReportTable {
    fn new(title: &str, subtitle: String, columns: &[(&str, ColumnKind)]) -> ReportTable {
        ReportTable {
            title: title.to_string(),
            subtitle,
            columns: columns
                .iter()
                .map(|(name, kind)| TableColumn {
                    name: (*name).to_string(),
                    kind: *kind,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    /// The table as CSV: a header row, then the rows; amounts as plain decimals.
    pub fn csv(&self) -> Result<String> {
        let mut out = Vec::new();
        {
            let mut writer = ::csv::Writer::from_writer(&mut out);
            let failed = |e: ::csv::Error| Error::io("Couldn't write the CSV", e.into());
            writer
                .write_record(self.columns.iter().map(|c| c.name.as_str()))
                .map_err(failed)?;
            for row in &self.rows {
                writer.write_record(row).map_err(failed)?;
            }
            writer
                .flush()
                .map_err(|e| Error::io("Couldn't write the CSV", e))?;
        }
        String::from_utf8(out)
            .map_err(|e| Error::io("Couldn't write the CSV", std::io::Error::other(e)))
    }
}

/// What lines added for a month (one-off work, out-of-scope work billed) are reported under.
pub const ADDED_LINES: &str = "Added for the month";
pub const ADDED_CATEGORY: &str = "Additional work";

/// How a line is tallied: lines of a catalogue service together; others by name.
fn service_key(service_id: Option<i64>, name: &str) -> (String, Option<i64>) {
    match service_id {
        Some(_) => (String::new(), service_id),
        None => (name.to_lowercase(), None),
    }
}

/// A line added for one of the report's months.
struct AddedLine {
    /// Where its month is in the report.
    at: usize,
    client_id: i64,
    /// Excluding tax.
    amount: Decimal,
}

/// A client as the reports name it.
#[derive(Debug, Clone)]
struct ClientName {
    name: String,
    archived: bool,
}

/// What a report reads once: its months, the practice, the clients it counts, and the lines in
/// force over its months (and the month before, for movements), filtered.
struct Scope {
    practice: Practice,
    /// The report's months, first days, in order.
    months: Vec<NaiveDate>,
    /// The month before the first (where the first month's movements start from).
    before: NaiveDate,
    /// This month: later ones are a forecast.
    current: NaiveDate,
    clients: HashMap<i64, ClientName>,
    lines: Vec<LineInForce>,
    filter: ReportFilter,
}

fn first_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn month_words(month: NaiveDate) -> String {
    month.format("%B %Y").to_string()
}

/// The report's first and last month: as asked, or the last twelve months and the next three.
fn range(filter: &ReportFilter, today: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
    let current = first_of(today);
    let read = |text: &str, field: &str, default: NaiveDate| -> Result<NaiveDate> {
        if text.trim().is_empty() {
            return Ok(default);
        }
        require_month(field, text)
    };
    let from = read(&filter.from, "from", shift(current, -11))?;
    let to = read(&filter.to, "to", shift(current, 3))?;
    if to < from {
        return Err(Error::invalid(
            "to",
            "The last month comes before the first: swap them.",
        ));
    }
    let months = months_between(from, to) as usize + 1;
    if months > MAX_MONTHS {
        return Err(Error::invalid(
            "to",
            format!("A report covers at most {MAX_MONTHS} months; this range has {months}."),
        ));
    }
    Ok((from, to))
}

impl Scope {
    fn read(store: &Store, filter: &ReportFilter, today: NaiveDate) -> Result<Scope> {
        let practice = require_practice(store)?;
        let (from, to) = range(filter, today)?;
        let months: Vec<NaiveDate> = (0..=months_between(from, to))
            .map(|i| shift(from, i))
            .collect();
        let before = shift(from, -1);
        let mut clients = HashMap::new();
        {
            let mut stmt = store
                .conn()
                .prepare_cached("SELECT id, display_name, archived_at IS NOT NULL FROM clients")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let archived: bool = r.get(2)?;
                let counted = match filter.clients {
                    ReportClients::All => true,
                    ReportClients::Active => !archived,
                    ReportClients::Archived => archived,
                };
                if counted {
                    clients.insert(
                        r.get::<_, i64>(0)?,
                        ClientName {
                            name: r.get(1)?,
                            archived,
                        },
                    );
                }
            }
        }
        let category = filter
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let lines = lines_in_force(store, before, to)?
            .into_iter()
            .filter(|l| clients.contains_key(&l.client_id))
            .filter(|l| category.is_none_or(|c| l.line.category.eq_ignore_ascii_case(c)))
            .filter(|l| {
                filter
                    .service_id
                    .is_none_or(|s| l.line.service_id == Some(s))
            })
            .collect();
        Ok(Scope {
            practice,
            months,
            before,
            current: first_of(today),
            clients,
            lines,
            filter: filter.clone(),
        })
    }

    /// Whether lines added for a month belong in the report: not when it is about one catalogue
    /// service, or a category other than theirs.
    fn counts_added_lines(&self) -> bool {
        self.filter.service_id.is_none()
            && self
                .filter
                .category
                .as_deref()
                .map(str::trim)
                .is_none_or(|c| c.is_empty() || c.eq_ignore_ascii_case(ADDED_CATEGORY))
    }

    /// The lines added for the report's months, for the clients it counts (one read).
    fn added_lines(&self, store: &Store) -> Result<Vec<AddedLine>> {
        let mut stmt = store.conn().prepare_cached(
            "SELECT month, client_id, quantity, unit_amount FROM billing_adjustments
             WHERE kind = 'extra_line' AND month BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query([month_text(self.first()), month_text(self.last())])?;
        let mut added = Vec::new();
        while let Some(r) = rows.next()? {
            let client_id: i64 = r.get("client_id")?;
            let month: String = r.get("month")?;
            let Some(at) = parse_month(&month).and_then(|m| self.index(m)) else {
                continue;
            };
            if !self.clients.contains_key(&client_id) {
                continue;
            }
            let quantity = optional_decimal_column(r, "quantity")?.unwrap_or(Decimal::ONE);
            let unit = optional_decimal_column(r, "unit_amount")?.unwrap_or_default();
            added.push(AddedLine {
                at,
                client_id,
                amount: round(quantity * unit, 2),
            });
        }
        Ok(added)
    }

    fn places(&self) -> u32 {
        self.practice.currency_places
    }

    fn first(&self) -> NaiveDate {
        self.months.first().copied().unwrap_or(self.before)
    }

    fn last(&self) -> NaiveDate {
        self.months.last().copied().unwrap_or(self.before)
    }

    /// Where `month` is in the report (0 = the first month).
    fn index(&self, month: NaiveDate) -> Option<usize> {
        let at = months_between(self.first(), month);
        (at >= 0 && (at as usize) < self.months.len()).then_some(at as usize)
    }

    fn client_name(&self, id: i64) -> String {
        self.clients.get(&id).map_or_else(
            || format!("Client {id}"),
            |c| {
                if c.archived {
                    format!("{} (archived)", c.name)
                } else {
                    c.name.clone()
                }
            },
        )
    }

    /// "January 2026 to March 2027, all clients, category Payroll".
    fn subtitle(&self) -> String {
        let mut words = if self.first() == self.last() {
            month_words(self.first())
        } else {
            format!(
                "{} to {}",
                month_words(self.first()),
                month_words(self.last())
            )
        };
        words.push_str(match self.filter.clients {
            ReportClients::All => ", all clients",
            ReportClients::Active => ", active clients",
            ReportClients::Archived => ", archived clients",
        });
        if let Some(category) = self.filter.category.as_deref().filter(|c| !c.is_empty()) {
            words.push_str(&format!(", category {category}"));
        }
        if let Some(line) = self
            .filter
            .service_id
            .and_then(|s| self.lines.iter().find(|l| l.line.service_id == Some(s)))
        {
            words.push_str(&format!(", {}", line.line.name));
        }
        if self.last() > self.current {
            words.push_str(&format!(
                "; after {} a forecast from accepted scope",
                month_words(self.current)
            ));
        }
        words
    }

    /// What `line` bills in each of the report's months it is engaged and due: (index, periods,
    /// amount excluding tax) — as the billing plan would invoice it.
    fn billed<'l>(
        &'l self,
        line: &'l LineInForce,
    ) -> impl Iterator<Item = (usize, Decimal, Decimal)> + 'l {
        let l = &line.line;
        let months = LineMonths {
            start: l.start,
            anchor: l.anchor,
            end: l.end,
        };
        self.months
            .iter()
            .enumerate()
            .filter(move |(_, m)| line.engaged_in(**m))
            .filter_map(move |(at, m)| {
                let periods = periods_due(l.frequency, months, *m)?;
                Some((at, periods, round(periods * l.price, 2)))
            })
    }
}

/// `part` as a percentage of `whole`, to one place; `None` when `whole` is zero.
fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero()).then(|| round(part * Decimal::ONE_HUNDRED / whole, 1))
}

/// A Decimal for a table cell: plain, as CSV wants it.
fn cell(amount: Decimal) -> String {
    amount.normalize().to_string()
}

fn optional_cell(amount: Option<Decimal>) -> String {
    amount.map(cell).unwrap_or_default()
}

/// Today by the computer's clock (the reports' default range and where their forecast starts).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}
