//! Profitability per service per client: for each client's service over the period, the fee it
//! billed (as the plan invoices it, excluding tax), the staff time it takes (the minutes per
//! period estimated on the client's proposal line — copied from the service, changed per client
//! on the proposal — times the periods billed) at the practice's hourly cost, the margin, and the
//! effective hourly rate; flagged under the practice's target margin. Work logged outside the
//! scope counts as its own line per client — its time a cost, the lines added for the month (work
//! billed among them) its fee. Beside each client, what was invoiced in Xero and what was paid.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use ts_rs::TS;

use super::{
    ADDED_CATEGORY, ADDED_LINES, ColumnKind, ReportFilter, ReportTable, Scope, cell, month_text,
    optional_cell, percent, service_key,
};
use crate::billing::arithmetic::round;
use crate::error::Result;
use crate::store::{Store, decimal_column, optional_decimal_column};

/// What some work earned and cost over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Profit {
    /// Billed in the period, excluding tax.
    #[ts(as = "String")]
    pub fee: Decimal,
    /// Estimated staff time in the period.
    pub minutes: u32,
    #[ts(as = "String")]
    pub cost: Decimal,
    #[ts(as = "String")]
    pub margin: Decimal,
    /// Percent of the fee; `None` without a fee.
    #[ts(as = "Option<String>")]
    pub margin_percent: Option<Decimal>,
    /// The fee per hour of staff time; `None` without time.
    #[ts(as = "Option<String>")]
    pub hourly_rate: Option<Decimal>,
    /// Under the target margin (or time spent for no fee).
    pub below_target: bool,
}

/// One client's service over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProfitLine {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    #[ts(type = "number | null")]
    pub service_id: Option<i64>,
    pub service: String,
    pub category: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub profit: Profit,
}

/// A client's or a service's lines together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProfitRollup {
    /// The client's or service's id (`None`: lines added for a month).
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub name: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub profit: Profit,
    /// For a client: posted to Xero for the period's months (not voided), and paid, as Xero
    /// last said; zero for a service.
    #[ts(as = "String")]
    pub invoiced: Decimal,
    #[ts(as = "String")]
    pub paid: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProfitabilityReport {
    pub from: String,
    pub to: String,
    #[ts(as = "String")]
    pub hourly_cost: Decimal,
    /// Percent.
    #[ts(as = "String")]
    pub target_margin: Decimal,
    /// The least profitable first.
    pub lines: Vec<ProfitLine>,
    /// By margin, the least profitable first.
    pub by_client: Vec<ProfitRollup>,
    pub by_service: Vec<ProfitRollup>,
    /// Everything together.
    pub total: ProfitRollup,
    /// Lines under the target margin.
    pub below_target: u32,
    pub table: ReportTable,
}

/// Fee and time, before the figures derived from them.
#[derive(Debug, Clone, Default)]
struct Sum {
    fee: Decimal,
    minutes: u32,
}

impl Sum {
    fn add(&mut self, other: &Sum) {
        self.fee += other.fee;
        self.minutes += other.minutes;
    }

    fn profit(&self, hourly_cost: Decimal, target: Decimal, places: u32) -> Profit {
        let hours = Decimal::from(self.minutes) / Decimal::from(60);
        let cost = round(hours * hourly_cost, places);
        let margin = self.fee - cost;
        let margin_percent = percent(margin, self.fee);
        Profit {
            fee: self.fee,
            minutes: self.minutes,
            cost,
            margin,
            margin_percent,
            hourly_rate: (!hours.is_zero()).then(|| round(self.fee / hours, places)),
            below_target: match margin_percent {
                Some(p) => !target.is_zero() && p < target,
                None => !cost.is_zero(),
            },
        }
    }
}

/// Profitability per service per client over `filter`'s range.
pub fn profitability_report(
    store: &Store,
    filter: &ReportFilter,
    today: NaiveDate,
) -> Result<ProfitabilityReport> {
    let scope = Scope::read(store, filter, today)?;
    let (hourly_cost, target, places) = (
        scope.practice.hourly_cost,
        scope.practice.target_margin,
        scope.places(),
    );
    // (client, service key) → what it is and its sums.
    type Key = (i64, Option<i64>, String);
    let mut lines: BTreeMap<Key, (String, String, Sum)> = BTreeMap::new();
    for line in &scope.lines {
        let l = &line.line;
        let (name_key, service_id) = service_key(l.service_id, &l.name);
        let key = (line.client_id, service_id, name_key);
        let entry = lines
            .entry(key)
            .or_insert_with(|| (l.name.clone(), l.category.clone(), Sum::default()));
        for (_, periods, amount) in scope.billed(line) {
            entry.2.fee += amount;
            let minutes = periods * Decimal::from(l.estimated_minutes);
            entry.2.minutes += minutes.round().to_u32().unwrap_or(u32::MAX);
        }
    }
    let (first, last) = (month_text(scope.first()), month_text(scope.last()));
    if scope.counts_added_lines() {
        let mut added = |client: i64, sum: Sum| {
            if !scope.clients.contains_key(&client) {
                return;
            }
            let (name_key, _) = service_key(None, ADDED_LINES);
            let entry = lines.entry((client, None, name_key)).or_insert_with(|| {
                (
                    ADDED_LINES.to_string(),
                    ADDED_CATEGORY.to_string(),
                    Sum::default(),
                )
            });
            entry.2.add(&sum);
        };
        for line in scope.added_lines(store)? {
            added(
                line.client_id,
                Sum {
                    fee: line.amount,
                    minutes: 0,
                },
            );
        }
        let mut stmt = store.conn().prepare_cached(
            "SELECT client_id, sum(minutes) FROM work_log
             WHERE coverage <> 'in_scope' AND substr(done_on, 1, 7) BETWEEN ?1 AND ?2
             GROUP BY client_id",
        )?;
        let mut rows = stmt.query([&first, &last])?;
        while let Some(r) = rows.next()? {
            added(
                r.get(0)?,
                Sum {
                    fee: Decimal::ZERO,
                    minutes: r.get(1)?,
                },
            );
        }
    }
    // What Xero holds for the period's months, per client.
    let mut in_xero: HashMap<i64, (Decimal, Decimal)> = HashMap::new();
    {
        let mut stmt = store.conn().prepare_cached(
            "SELECT client_id, total, amount_paid, xero_status FROM outbox
             WHERE state = 'posted' AND month BETWEEN ?1 AND ?2
                AND coalesce(xero_status, '') NOT IN ('VOIDED', 'DELETED')",
        )?;
        let mut rows = stmt.query([&first, &last])?;
        while let Some(r) = rows.next()? {
            let total = decimal_column(r, "total")?;
            let paid = match optional_decimal_column(r, "amount_paid")? {
                Some(paid) => paid,
                None if r.get::<_, Option<String>>("xero_status")?.as_deref() == Some("PAID") => {
                    total
                }
                None => Decimal::ZERO,
            };
            let entry = in_xero.entry(r.get(0)?).or_default();
            entry.0 += total;
            entry.1 += paid;
        }
    }

    let mut rows = Vec::with_capacity(lines.len());
    let mut clients: BTreeMap<i64, Sum> = BTreeMap::new();
    let mut services: BTreeMap<(Option<i64>, String), (String, Sum)> = BTreeMap::new();
    let mut total = Sum::default();
    for ((client_id, service_id, name_key), (service, category, sum)) in lines {
        if sum.fee.is_zero() && sum.minutes == 0 {
            continue;
        }
        clients.entry(client_id).or_default().add(&sum);
        services
            .entry((service_id, name_key))
            .or_insert_with(|| (service.clone(), Sum::default()))
            .1
            .add(&sum);
        total.add(&sum);
        rows.push(ProfitLine {
            client_id,
            client_name: scope.client_name(client_id),
            service_id,
            service,
            category,
            profit: sum.profit(hourly_cost, target, places),
        });
    }
    let least_first = |a: &Option<Decimal>, b: &Option<Decimal>| match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(a), Some(b)) => a.cmp(b),
    };
    rows.sort_by(|a, b| {
        least_first(&a.profit.margin_percent, &b.profit.margin_percent)
            .then(a.profit.margin.cmp(&b.profit.margin))
            .then_with(|| {
                a.client_name
                    .to_lowercase()
                    .cmp(&b.client_name.to_lowercase())
            })
    });
    let rollup =
        |id: Option<i64>, name: String, sum: &Sum, xero: (Decimal, Decimal)| ProfitRollup {
            id,
            name,
            profit: sum.profit(hourly_cost, target, places),
            invoiced: xero.0,
            paid: xero.1,
        };
    let mut by_client: Vec<ProfitRollup> = clients
        .iter()
        .map(|(id, sum)| {
            rollup(
                Some(*id),
                scope.client_name(*id),
                sum,
                in_xero.get(id).copied().unwrap_or_default(),
            )
        })
        .collect();
    by_client.sort_by(|a, b| {
        least_first(&a.profit.margin_percent, &b.profit.margin_percent)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    let mut by_service: Vec<ProfitRollup> = services
        .into_iter()
        .map(|((id, _), (name, sum))| rollup(id, name, &sum, Default::default()))
        .collect();
    by_service.sort_by(|a, b| {
        least_first(&a.profit.margin_percent, &b.profit.margin_percent)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    let xero_total = by_client
        .iter()
        .fold((Decimal::ZERO, Decimal::ZERO), |(i, p), c| {
            (i + c.invoiced, p + c.paid)
        });
    let total = rollup(None, "All clients".into(), &total, xero_total);

    let mut table = ReportTable::new(
        "Profitability per service per client",
        format!(
            "{}; staff time at {} an hour, target margin {} %",
            scope.subtitle(),
            crate::money::format_money(
                hourly_cost,
                scope.practice.currency(),
                scope.practice.number_format()
            ),
            cell(target)
        ),
        &[
            ("Client", ColumnKind::Text),
            ("Service", ColumnKind::Text),
            ("Category", ColumnKind::Text),
            ("Fee", ColumnKind::Money),
            ("Minutes", ColumnKind::Count),
            ("Cost", ColumnKind::Money),
            ("Margin", ColumnKind::Money),
            ("Margin %", ColumnKind::Percent),
            ("Per hour", ColumnKind::Money),
            ("Under target", ColumnKind::Text),
        ],
    );
    for r in &rows {
        let p = &r.profit;
        table.rows.push(vec![
            r.client_name.clone(),
            r.service.clone(),
            r.category.clone(),
            cell(p.fee),
            p.minutes.to_string(),
            cell(p.cost),
            cell(p.margin),
            optional_cell(p.margin_percent),
            optional_cell(p.hourly_rate),
            if p.below_target { "yes" } else { "" }.to_string(),
        ]);
    }
    Ok(ProfitabilityReport {
        from: first,
        to: last,
        hourly_cost,
        target_margin: target,
        below_target: rows.iter().filter(|r| r.profit.below_target).count() as u32,
        lines: rows,
        by_client,
        by_service,
        total,
        table,
    })
}
