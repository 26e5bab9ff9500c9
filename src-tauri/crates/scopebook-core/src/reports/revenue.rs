//! Recurring revenue month by month, and its movements: new, expansion, contraction, churn.
//!
//! A client's recurring revenue in a month is what its lines engaged then are worth a month
//! (weekly × 52 / 12, quarterly / 3, annual / 12; one-off lines count for nothing), rounded as
//! money — the figure the billing plan shows. Each month's movements add up, to the cent, to the
//! change in the firm's recurring revenue since the month before.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use super::{ColumnKind, ReportFilter, ReportTable, Scope, cell, month_text};
use crate::billing::arithmetic::{monthly_value, round};
use crate::billing::{Movement, Movements};
use crate::error::Result;
use crate::proposals::terms::require_month;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RevenueMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// After this month: what accepted scope says it will be.
    pub forecast: bool,
    #[ts(as = "String")]
    pub recurring: Decimal,
    /// Clients with recurring revenue that month.
    pub clients: u32,
    pub movements: Movements,
    /// `recurring` less the month before's; the movements' amounts add up to it.
    #[ts(as = "String")]
    pub change: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RevenueReport {
    pub from: String,
    pub to: String,
    /// This month (later months are a forecast).
    pub current_month: String,
    /// Recurring revenue the month before `from`.
    #[ts(as = "String")]
    pub recurring_before: Decimal,
    pub months: Vec<RevenueMonth>,
    /// The movements over the whole range (clients counted once per month they moved).
    pub totals: Movements,
    pub table: ReportTable,
}

/// A client behind a bar: its recurring revenue that month and the month before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientRevenue {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub movement: Movement,
    #[ts(as = "String")]
    pub recurring: Decimal,
    #[ts(as = "String")]
    pub recurring_before: Decimal,
    #[ts(as = "String")]
    pub change: Decimal,
}

/// Each client's recurring revenue per month: index 0 the month before the report, then its
/// months; rounded as money.
fn per_client(scope: &Scope) -> HashMap<i64, Vec<Decimal>> {
    let width = scope.months.len() + 1;
    let mut by_client: HashMap<i64, Vec<Decimal>> = HashMap::new();
    for line in &scope.lines {
        let value = monthly_value(line.line.frequency, line.line.price);
        if value.is_zero() {
            continue;
        }
        let months = by_client
            .entry(line.client_id)
            .or_insert_with(|| vec![Decimal::ZERO; width]);
        let all = std::iter::once(scope.before).chain(scope.months.iter().copied());
        for (at, month) in all.enumerate() {
            if line.engaged_in(month)
                && let Some(slot) = months.get_mut(at)
            {
                *slot += value;
            }
        }
    }
    let places = scope.places();
    for months in by_client.values_mut() {
        for m in months.iter_mut() {
            *m = round(*m, places);
        }
    }
    by_client
}

/// Recurring revenue month by month over `filter`'s range, with its movements.
pub fn revenue_report(
    store: &Store,
    filter: &ReportFilter,
    today: NaiveDate,
) -> Result<RevenueReport> {
    let scope = Scope::read(store, filter, today)?;
    let by_client = per_client(&scope);
    let places = scope.places();
    let recurring_before: Decimal = by_client.values().filter_map(|m| m.first()).sum();
    let mut totals = Movements::default();
    let mut months = Vec::with_capacity(scope.months.len());
    for (at, month) in scope.months.iter().enumerate() {
        let mut movements = Movements::default();
        let (mut recurring, mut before, mut clients) = (Decimal::ZERO, Decimal::ZERO, 0);
        for values in by_client.values() {
            let (Some(was), Some(now)) = (values.get(at), values.get(at + 1)) else {
                continue;
            };
            recurring += *now;
            before += *was;
            if !now.is_zero() {
                clients += 1;
            }
            if was.is_zero() && now.is_zero() {
                continue;
            }
            let movement = Movement::between(*was, *now);
            let total = movements.of(movement);
            total.clients += 1;
            total.amount += *now - *was;
            let overall = totals.of(movement);
            overall.clients += 1;
            overall.amount += *now - *was;
        }
        months.push(RevenueMonth {
            month: month_text(*month),
            forecast: *month > scope.current,
            recurring,
            clients,
            movements: movements.rounded(places),
            change: recurring - before,
        });
    }
    let mut table = ReportTable::new(
        "Recurring revenue",
        scope.subtitle(),
        &[
            ("Month", ColumnKind::Text),
            ("Recurring revenue", ColumnKind::Money),
            ("Clients", ColumnKind::Count),
            ("New", ColumnKind::Money),
            ("Expansion", ColumnKind::Money),
            ("Contraction", ColumnKind::Money),
            ("Churn", ColumnKind::Money),
            ("Change", ColumnKind::Money),
            ("Forecast", ColumnKind::Text),
        ],
    );
    for m in &months {
        table.rows.push(vec![
            m.month.clone(),
            cell(m.recurring),
            m.clients.to_string(),
            cell(m.movements.new.amount),
            cell(m.movements.expansion.amount),
            cell(m.movements.contraction.amount),
            cell(m.movements.churn.amount),
            cell(m.change),
            if m.forecast { "yes" } else { "" }.to_string(),
        ]);
    }
    Ok(RevenueReport {
        from: month_text(scope.first()),
        to: month_text(scope.last()),
        current_month: month_text(scope.current),
        recurring_before,
        months,
        totals: totals.rounded(places),
        table,
    })
}

/// The clients behind one month's figure: those that moved `movement` (every client with
/// recurring revenue then or the month before when `None`), largest change first.
pub fn revenue_clients(
    store: &Store,
    filter: &ReportFilter,
    month: &str,
    movement: Option<Movement>,
    today: NaiveDate,
) -> Result<Vec<ClientRevenue>> {
    require_month("month", month)?;
    let only = ReportFilter {
        from: month.to_string(),
        to: month.to_string(),
        ..filter.clone()
    };
    let scope = Scope::read(store, &only, today)?;
    let mut clients: Vec<ClientRevenue> = per_client(&scope)
        .into_iter()
        .filter_map(|(client_id, values)| {
            let (was, now) = (*values.first()?, *values.get(1)?);
            if was.is_zero() && now.is_zero() {
                return None;
            }
            let moved = Movement::between(was, now);
            movement.is_none_or(|m| m == moved).then(|| ClientRevenue {
                client_id,
                client_name: scope.client_name(client_id),
                movement: moved,
                recurring: now,
                recurring_before: was,
                change: now - was,
            })
        })
        .collect();
    clients.sort_by(|a, b| {
        b.change
            .abs()
            .cmp(&a.change.abs())
            .then(b.recurring.cmp(&a.recurring))
            .then_with(|| {
                a.client_name
                    .to_lowercase()
                    .cmp(&b.client_name.to_lowercase())
            })
    });
    Ok(clients)
}
