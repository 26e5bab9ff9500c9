//! The home screen's figures, from the data file alone: recurring revenue and its change, this
//! month's billing with the next thing to do, the proposals pipeline, and the clients that need
//! attention. Each figure says which list it opens.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use super::{ReportFilter, month_text, revenue_report};
use crate::billing::{billing_month_of, billing_plan};
use crate::connection::require_tenant;
use crate::error::Result;
use crate::store::Store;
use crate::sync::connections_board;

/// This month's invoices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BillingFigures {
    pub month: String,
    /// Invoices the plan would post (ready), and their total.
    pub planned: u32,
    #[ts(as = "String")]
    pub planned_total: Decimal,
    /// Still to post, posted, paid, and overdue (approved, due before today, not fully paid).
    pub to_post: u32,
    pub posted: u32,
    pub paid: u32,
    pub overdue: u32,
    #[ts(as = "String")]
    pub overdue_total: Decimal,
    /// Invoices that can't be posted until something is fixed.
    pub blocked: u32,
}

/// Proposals, by where they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Pipeline {
    pub drafts: u32,
    /// Sent and awaiting an answer, and what they are worth a month.
    pub awaiting: u32,
    #[ts(as = "String")]
    pub awaiting_monthly: Decimal,
    pub accepted_this_month: u32,
    /// Sent, valid until within the next 7 days.
    pub expiring_soon: u32,
    /// Accepted of those decided (accepted, declined, expired) in the last 12 months; percent.
    #[ts(as = "Option<String>")]
    pub win_rate: Option<Decimal>,
}

/// The next things to do, in words, each with the screen that does it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NextAction {
    pub text: String,
    /// The screen: `billing`, `overdue` (Billing's overdue invoices), `clients`, `connections`,
    /// `proposals`, `awaiting` (proposals sent and awaiting an answer), `reports`.
    pub opens: String,
    /// Whether it is urgent (money at stake or work blocked).
    pub urgent: bool,
}

/// A client that needs a look, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Attention {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub reason: String,
    pub opens: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    pub month: String,
    #[ts(as = "String")]
    pub recurring: Decimal,
    #[ts(as = "String")]
    pub recurring_change: Decimal,
    /// The last twelve months' recurring revenue, oldest first (for a sparkline).
    #[ts(as = "Vec<String>")]
    pub recurring_trend: Vec<Decimal>,
    pub clients: u32,
    pub billing: BillingFigures,
    pub pipeline: Pipeline,
    pub next: Vec<NextAction>,
    pub attention: Vec<Attention>,
    /// Whether an organisation is connected (some figures need one).
    pub connected: bool,
}

fn count(store: &Store, sql: &str, params: impl rusqlite::Params) -> Result<u32> {
    Ok(store.conn().query_row(sql, params, |r| r.get(0))?)
}

/// The dashboard for `today`.
pub fn dashboard(store: &Store, today: NaiveDate) -> Result<Dashboard> {
    let month_start = today.with_day(1).unwrap_or(today);
    let month = month_text(month_start);
    let revenue = revenue_report(
        store,
        &ReportFilter {
            from: month_text(
                month_start
                    .checked_sub_months(chrono::Months::new(11))
                    .unwrap_or(month_start),
            ),
            to: month.clone(),
            ..ReportFilter::default()
        },
        today,
    )?;
    let this = revenue.months.last();
    let connected = require_tenant(store).is_ok();

    let plan = billing_plan(store, &month)?;
    let billing = billing_month_of(store, &plan)?;
    let today_text = today.format("%Y-%m-%d").to_string();
    let mut figures = BillingFigures {
        month: month.clone(),
        planned: billing.plan.ready,
        planned_total: billing.plan.ready_total,
        to_post: billing.to_post,
        posted: billing.posted,
        paid: billing.paid,
        blocked: billing.plan.blocked,
        ..BillingFigures::default()
    };
    // Overdue across every month posted, not only this one (Billing lists the same invoices).
    if connected {
        for invoice in crate::billing::overdue_invoices(store, today)? {
            figures.overdue += 1;
            figures.overdue_total += invoice.amount_due.unwrap_or_default();
        }
    }

    let soon = (today + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let year_ago = (today - chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    let decided = count(
        store,
        "SELECT count(*) FROM proposals WHERE status IN ('accepted', 'superseded', 'declined', 'expired')
            AND version = 1 AND updated_at >= ?1",
        [&year_ago],
    )?;
    let won = count(
        store,
        "SELECT count(*) FROM proposals WHERE status IN ('accepted', 'superseded')
            AND version = 1 AND accepted_at >= ?1",
        [&year_ago],
    )?;
    let pipeline = Pipeline {
        drafts: count(
            store,
            "SELECT count(*) FROM proposals WHERE status = 'draft'",
            [],
        )?,
        awaiting: count(
            store,
            "SELECT count(*) FROM proposals WHERE status = 'sent'",
            [],
        )?,
        awaiting_monthly: awaiting_monthly(store)?,
        accepted_this_month: count(
            store,
            "SELECT count(*) FROM proposals WHERE status IN ('accepted', 'superseded')
                AND substr(accepted_at, 1, 7) = ?1",
            [&month],
        )?,
        expiring_soon: count(
            store,
            "SELECT count(*) FROM proposals WHERE status = 'sent' AND valid_until IS NOT NULL
                AND valid_until >= ?1 AND valid_until <= ?2",
            [&today_text, &soon],
        )?,
        win_rate: super::percent(Decimal::from(won), Decimal::from(decided.max(won))),
    };

    let mut attention = Vec::new();
    if connected {
        for row in connections_board(store)?.rows {
            let reason = match row.state {
                crate::sync::BoardState::Conflict => "Changed here and in Xero since the last sync",
                crate::sync::BoardState::NeedsReview => "Its Xero contact needs a decision",
                crate::sync::BoardState::ArchivedInXero => "Archived in Xero",
                _ => continue,
            };
            attention.push(Attention {
                client_id: row.client_id,
                client_name: row.client_name,
                reason: reason.into(),
                opens: "connections".into(),
            });
        }
    }
    let unlinked: Vec<&crate::billing::PlannedInvoice> = plan
        .invoices
        .iter()
        .filter(|i| i.contact_id.is_none())
        .collect();
    for i in &unlinked {
        attention.push(Attention {
            client_id: i.client_id,
            client_name: i.client_name.clone(),
            reason: "Billed this month but not linked to a Xero contact".into(),
            opens: "connections".into(),
        });
    }
    {
        // Engagements whose lines all end this month or next.
        let next_month = month_text(
            month_start
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(month_start),
        );
        let mut stmt = store.conn().prepare_cached(
            "SELECT p.client_id, c.display_name, max(coalesce(l.end_month, '9999-12')) AS ends
             FROM proposals p JOIN proposal_lines l ON l.proposal_id = p.id
             JOIN clients c ON c.id = p.client_id
             WHERE p.status = 'accepted' AND c.archived_at IS NULL
             GROUP BY p.id HAVING ends BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query([&month, &next_month])?;
        while let Some(r) = rows.next()? {
            let ends: String = r.get(2)?;
            attention.push(Attention {
                client_id: r.get(0)?,
                client_name: r.get(1)?,
                reason: format!("Its engagement ends in {ends}: send a renewal"),
                opens: "proposals".into(),
            });
        }
    }

    // (how many, the words for one and for several, the rest of the sentence, the screen, urgent)
    let to_post_for = format!("to post for {}", month_start.format("%B"));
    let candidates = [
        (
            figures.to_post,
            "invoice",
            "invoices",
            to_post_for.as_str(),
            "billing",
            false,
        ),
        (
            unlinked.len() as u32,
            "client needs",
            "clients need",
            "a Xero link",
            "connections",
            true,
        ),
        (
            figures.blocked,
            "invoice needs",
            "invoices need",
            "attention before posting",
            "billing",
            true,
        ),
        (
            figures.overdue,
            "invoice",
            "invoices",
            "overdue in Xero",
            "overdue",
            true,
        ),
        (
            pipeline.expiring_soon,
            "proposal expires",
            "proposals expire",
            "within 7 days",
            "awaiting",
            false,
        ),
    ];
    let next = candidates
        .into_iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many, rest, opens, urgent)| NextAction {
            text: if n == 1 {
                format!("1 {one} {rest}")
            } else {
                format!("{n} {many} {rest}")
            },
            opens: opens.into(),
            urgent,
        })
        .collect();
    Ok(Dashboard {
        month,
        recurring: this.map(|m| m.recurring).unwrap_or_default(),
        recurring_change: this.map(|m| m.change).unwrap_or_default(),
        recurring_trend: revenue.months.iter().map(|m| m.recurring).collect(),
        clients: this.map(|m| m.clients).unwrap_or_default(),
        billing: figures,
        pipeline,
        next,
        attention,
        connected,
    })
}

/// What the proposals awaiting an answer are worth a month (their recurring lines).
fn awaiting_monthly(store: &Store) -> Result<Decimal> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT l.frequency, COALESCE(l.confirmed_price, l.price) FROM proposal_lines l JOIN proposals p ON p.id = l.proposal_id
         WHERE p.status = 'sent' AND (l.optional = 0 OR l.chosen = 1)",
    )?;
    let mut rows = stmt.query([])?;
    let mut total = Decimal::ZERO;
    while let Some(r) = rows.next()? {
        total += crate::billing::arithmetic::monthly_value(
            r.get(0)?,
            crate::store::decimal_column(r, 1)?,
        );
    }
    Ok(crate::billing::arithmetic::round(total, 2))
}
