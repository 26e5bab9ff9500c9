//! Revenue by service and by category: what each bills month by month (as the billing plan
//! invoices it, excluding tax — a quarterly fee in its quarter's month, a one-off in its month),
//! its share of the period's total, and the growth of its recurring revenue over the period.
//! Lines added for a month (one-off work, out-of-scope work billed) count as "Added for the month".

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use super::{
    ADDED_CATEGORY, ADDED_LINES, ColumnKind, ReportFilter, ReportTable, Scope, cell, month_text,
    optional_cell, percent, service_key,
};
use crate::billing::arithmetic::{monthly_value, round};
use crate::error::Result;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ServiceRevenue {
    /// The catalogue service; `None` for lines added for a month.
    #[ts(type = "number | null")]
    pub service_id: Option<i64>,
    pub name: String,
    pub category: String,
    /// Billed in each of the report's months, excluding tax.
    #[ts(as = "Vec<String>")]
    pub per_month: Vec<Decimal>,
    #[ts(as = "String")]
    pub total: Decimal,
    /// Percent of the period's total.
    #[ts(as = "Option<String>")]
    pub share: Option<Decimal>,
    /// Its recurring revenue a month in the first month and in the last.
    #[ts(as = "String")]
    pub recurring_first: Decimal,
    #[ts(as = "String")]
    pub recurring_last: Decimal,
    /// Percent change from the first month's recurring revenue to the last's; `None` when it
    /// had none in the first month.
    #[ts(as = "Option<String>")]
    pub growth: Option<Decimal>,
    /// Clients it billed in the period.
    pub clients: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ServicesReport {
    pub from: String,
    pub to: String,
    pub months: Vec<String>,
    /// By total, largest first.
    pub services: Vec<ServiceRevenue>,
    /// The same, by category (`service_id` always `None`).
    pub categories: Vec<ServiceRevenue>,
    #[ts(as = "Vec<String>")]
    pub per_month: Vec<Decimal>,
    #[ts(as = "String")]
    pub total: Decimal,
    pub table: ReportTable,
}

#[derive(Default)]
struct Tally {
    service_id: Option<i64>,
    name: String,
    category: String,
    per_month: Vec<Decimal>,
    recurring_first: Decimal,
    recurring_last: Decimal,
    clients: std::collections::HashSet<i64>,
}

impl Tally {
    fn named(service_id: Option<i64>, name: &str, category: &str, width: usize) -> Tally {
        Tally {
            service_id,
            name: name.to_string(),
            category: category.to_string(),
            per_month: vec![Decimal::ZERO; width],
            ..Tally::default()
        }
    }

    fn finish(self, grand_total: Decimal, places: u32) -> ServiceRevenue {
        let total: Decimal = self.per_month.iter().sum();
        let (first, last) = (
            round(self.recurring_first, places),
            round(self.recurring_last, places),
        );
        ServiceRevenue {
            service_id: self.service_id,
            name: self.name,
            category: self.category,
            per_month: self.per_month,
            total,
            share: percent(total, grand_total),
            recurring_first: first,
            recurring_last: last,
            growth: percent(last - first, first),
            clients: self.clients.len() as u32,
        }
    }
}

/// Revenue by service and category over `filter`'s range.
pub fn services_report(
    store: &Store,
    filter: &ReportFilter,
    today: NaiveDate,
) -> Result<ServicesReport> {
    let scope = Scope::read(store, filter, today)?;
    let width = scope.months.len();
    let mut tallies: BTreeMap<(String, Option<i64>), Tally> = BTreeMap::new();
    let (first, last) = (scope.first(), scope.last());
    for line in &scope.lines {
        let l = &line.line;
        let t = tallies
            .entry(service_key(l.service_id, &l.name))
            .or_insert_with(|| Tally::named(l.service_id, &l.name, &l.category, width));
        let mut billed_any = false;
        for (at, _, amount) in scope.billed(line) {
            if let Some(slot) = t.per_month.get_mut(at) {
                *slot += amount;
                billed_any = true;
            }
        }
        if billed_any {
            t.clients.insert(line.client_id);
        }
        let value = monthly_value(l.frequency, l.price);
        if line.engaged_in(first) {
            t.recurring_first += value;
        }
        if line.engaged_in(last) {
            t.recurring_last += value;
        }
    }
    // Lines added for a month, unless the report is about one catalogue service.
    if scope.counts_added_lines() {
        for added in scope.added_lines(store)? {
            let t = tallies
                .entry(service_key(None, ADDED_LINES))
                .or_insert_with(|| Tally::named(None, ADDED_LINES, ADDED_CATEGORY, width));
            if let Some(slot) = t.per_month.get_mut(added.at) {
                *slot += added.amount;
            }
            t.clients.insert(added.client_id);
        }
    }
    let places = scope.places();
    let tallies: Vec<Tally> = tallies
        .into_values()
        .filter(|t| t.per_month.iter().any(|m| !m.is_zero()) || !t.recurring_last.is_zero())
        .collect();
    let per_month: Vec<Decimal> = (0..width)
        .map(|at| tallies.iter().filter_map(|t| t.per_month.get(at)).sum())
        .collect();
    let total: Decimal = per_month.iter().sum();

    let mut by_category: BTreeMap<String, Tally> = BTreeMap::new();
    for t in &tallies {
        let name = if t.category.trim().is_empty() {
            "Uncategorised".to_string()
        } else {
            t.category.clone()
        };
        let c = by_category
            .entry(name.to_lowercase())
            .or_insert_with(|| Tally::named(None, &name, &name, width));
        for (slot, amount) in c.per_month.iter_mut().zip(&t.per_month) {
            *slot += *amount;
        }
        c.recurring_first += t.recurring_first;
        c.recurring_last += t.recurring_last;
        c.clients.extend(t.clients.iter().copied());
    }
    let by_total = |a: &ServiceRevenue, b: &ServiceRevenue| {
        b.total
            .cmp(&a.total)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    };
    let mut services: Vec<ServiceRevenue> = tallies
        .into_iter()
        .map(|t| t.finish(total, places))
        .collect();
    services.sort_by(by_total);
    let mut categories: Vec<ServiceRevenue> = by_category
        .into_values()
        .map(|t| t.finish(total, places))
        .collect();
    categories.sort_by(by_total);

    let mut table = ReportTable::new(
        "Revenue by service",
        scope.subtitle(),
        &[
            ("Service", ColumnKind::Text),
            ("Category", ColumnKind::Text),
            ("Clients", ColumnKind::Count),
            ("Revenue", ColumnKind::Money),
            ("Share %", ColumnKind::Percent),
            ("Recurring a month, first", ColumnKind::Money),
            ("Recurring a month, last", ColumnKind::Money),
            ("Growth %", ColumnKind::Percent),
        ],
    );
    for s in &services {
        table.rows.push(vec![
            s.name.clone(),
            s.category.clone(),
            s.clients.to_string(),
            cell(s.total),
            optional_cell(s.share),
            cell(s.recurring_first),
            cell(s.recurring_last),
            optional_cell(s.growth),
        ]);
    }
    Ok(ServicesReport {
        from: month_text(first),
        to: month_text(last),
        months: scope.months.iter().map(|m| month_text(*m)).collect(),
        services,
        categories,
        per_month,
        total,
        table,
    })
}
