//! What talks to Xero besides posting: the dry run of a posting run against the live
//! organisation, and payments coming back.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use scopebook_xero::{ContactQuery, InvoiceQuery, XeroClient};
use serde::Serialize;
use ts_rs::TS;

use super::plan::{PlanState, PlannedInvoice, billing_plan_with};
use super::posting::OutboxInvoice;
use crate::connection::{fetch_lists, require_tenant};
use crate::error::Result;
use crate::store::{SharedStore, Source, lock};

/// Xero's largest page.
const PAGE: u32 = 1000;

/// What a posting run would do now, checked against the organisation as it is in Xero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PostingDryRun {
    pub month: String,
    /// The invoices that would be posted.
    pub invoices: Vec<PlannedInvoice>,
    /// Invoices that would not be posted, with why (checked against Xero now).
    pub blocked: Vec<PlannedInvoice>,
    /// Write calls the run would use (one per 50 invoices).
    pub calls_needed: u32,
    /// Calls this dry run used (reads only).
    pub calls_used: u32,
    /// Calls left today for this organisation, by Scopebook's count (after this dry run).
    pub calls_left_today: u32,
}

/// Reads only: the organisation's accounts, tax rates, branding themes and tracking options
/// (four calls, not kept) and whether each invoice's contact is still active (one call per 50
/// contacts); then the plan checked against them. Nothing is written.
pub async fn dry_run_post(
    store: &SharedStore,
    xero: &XeroClient,
    month: &str,
) -> Result<PostingDryRun> {
    let tenant = require_tenant(&lock(store))?;
    let lists = fetch_lists(xero, &tenant).await?;
    let mut calls_used = 4;
    let mut plan = billing_plan_with(&lock(store), month, lists)?;
    let ids: Vec<String> = plan
        .invoices
        .iter()
        .filter(|i| i.state == PlanState::Ready)
        .filter_map(|i| i.contact_id.clone())
        .collect();
    let mut status: HashMap<String, String> = HashMap::new();
    for chunk in ids.chunks(50) {
        let query = ContactQuery {
            ids: chunk.to_vec(),
            include_archived: true,
            ..ContactQuery::default()
        };
        calls_used += 1;
        for c in xero.contacts(&tenant, &query).await?.items {
            if let Some(id) = c.contact_id {
                status.insert(id, c.contact_status.unwrap_or_default());
            }
        }
    }
    for invoice in plan
        .invoices
        .iter_mut()
        .filter(|i| i.state == PlanState::Ready)
    {
        let Some(id) = &invoice.contact_id else {
            continue;
        };
        match status.get(id).map(String::as_str) {
            Some("ACTIVE") => {}
            Some(_) => {
                invoice
                    .warnings
                    .push("Its contact is archived in Xero.".into());
                invoice.state = PlanState::Blocked;
            }
            None => {
                invoice
                    .warnings
                    .push("Its contact is no longer in Xero.".into());
                invoice.state = PlanState::Blocked;
            }
        }
    }
    let (ready, blocked): (Vec<_>, Vec<_>) = plan
        .invoices
        .into_iter()
        .filter(|i| matches!(i.state, PlanState::Ready | PlanState::Blocked))
        .partition(|i| i.state == PlanState::Ready);
    let calls_left_today = crate::xero_calls::calls_left_today(&lock(store), &tenant)?;
    Ok(PostingDryRun {
        month: plan.figures.month,
        calls_needed: ready.len().div_ceil(50) as u32,
        invoices: ready,
        blocked,
        calls_used,
        calls_left_today,
    })
}

/// What a payments refresh found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PaymentsReport {
    /// Posted invoices whose status Xero reported changed.
    pub changed: u32,
    /// Newly paid in full.
    pub paid: Vec<OutboxInvoice>,
    /// Newly part-paid.
    pub part_paid: Vec<OutboxInvoice>,
    /// Voided or deleted in Xero since the last refresh.
    pub voided: Vec<OutboxInvoice>,
    pub calls: u32,
}

/// Brings back the status of the invoices Scopebook posted: only those Xero changed since the
/// last refresh (`If-Modified-Since`, `createdByMyApp`, pages of 1,000 — never one call per
/// invoice). Each change is kept with its history.
pub async fn refresh_payments(store: &SharedStore, xero: &XeroClient) -> Result<PaymentsReport> {
    let (tenant, since) = {
        let store = lock(store);
        let tenant = require_tenant(&store)?;
        let since: Option<String> = store
            .conn()
            .query_row(
                "SELECT modified_since FROM payments_cursor WHERE tenant_id = ?1",
                [&tenant],
                |r| r.get(0),
            )
            .unwrap_or(None);
        (tenant, since)
    };
    let since = since
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|s| s.with_timezone(&Utc));
    let started = Utc::now();
    let mut report = PaymentsReport::default();
    let mut seen = Vec::new();
    for page in 1.. {
        let query = InvoiceQuery {
            page: Some(page),
            page_size: Some(PAGE),
            created_by_my_app: true,
            modified_since: since,
            ..InvoiceQuery::default()
        };
        let batch = xero.invoices(&tenant, &query).await?;
        report.calls += 1;
        let count = batch.items.len() as u32;
        seen.extend(batch.items);
        let last = match batch.pagination {
            Some(p) if p.page_count > 0 => page >= p.page_count,
            _ => count < PAGE,
        };
        if last {
            break;
        }
    }
    let mut store = lock(store);
    let mut changed_ids: Vec<(i64, &'static str)> = Vec::new();
    store.write(Source::Sync, |tx| {
        for invoice in &seen {
            let Some(id) = invoice.invoice_id.as_deref() else { continue };
            let row: Option<(i64, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT id, xero_status, amount_paid FROM outbox WHERE tenant_id = ?1
                        AND invoice_id = ?2",
                    params![tenant, id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .ok();
            let Some((outbox_id, status_before, paid_before)) = row else { continue };
            let status = invoice.status.clone().unwrap_or_default();
            let paid = invoice.amount_paid.map(|d| d.to_string());
            if status_before.as_deref() == Some(status.as_str()) && paid_before == paid {
                continue;
            }
            tx.execute(
                "UPDATE outbox SET xero_status = ?2, amount_due = ?3, amount_paid = ?4,
                    fully_paid_on = ?5, xero_updated_at = ?6, updated_at = ?7 WHERE id = ?1",
                params![
                    outbox_id,
                    status,
                    invoice.amount_due.map(|d| d.to_string()),
                    paid,
                    invoice.fully_paid_on_date.map(|d| d.to_string()),
                    invoice.updated_date_utc.map(|d| d.to_rfc3339()),
                    crate::now()
                ],
            )?;
            tx.execute(
                "INSERT INTO invoice_status_history (outbox_id, at, xero_status, amount_due,
                    amount_paid) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    outbox_id,
                    crate::now(),
                    status,
                    invoice.amount_due.map(|d| d.to_string()),
                    invoice.amount_paid.map(|d| d.to_string())
                ],
            )?;
            tx.log("outbox", outbox_id, "status_from_xero", &serde_json::json!({
                "status": status, "amount_paid": invoice.amount_paid,
            }))?;
            let kind = match status.as_str() {
                "PAID" => "paid",
                "VOIDED" | "DELETED" => "voided",
                _ if invoice.amount_paid.is_some_and(|p| !p.is_zero()) => "part_paid",
                _ => "other",
            };
            changed_ids.push((outbox_id, kind));
        }
        // Next time: what changed since this refresh began (less five minutes for the clocks).
        tx.execute(
            "INSERT INTO payments_cursor (tenant_id, modified_since, refreshed_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (tenant_id) DO UPDATE SET modified_since = excluded.modified_since,
                refreshed_at = excluded.refreshed_at",
            params![
                tenant,
                (started - Duration::minutes(5)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                crate::now()
            ],
        )?;
        Ok(())
    })?;
    report.changed = changed_ids.len() as u32;
    let months: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT DISTINCT month FROM outbox WHERE tenant_id = ?1")?;
        stmt.query_map([&tenant], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut all: HashMap<i64, OutboxInvoice> = HashMap::new();
    for month in months {
        for invoice in super::posting::outbox(&store, &month)? {
            all.insert(invoice.id, invoice);
        }
    }
    for (id, kind) in changed_ids {
        let Some(invoice) = all.get(&id).cloned() else {
            continue;
        };
        match kind {
            "paid" => report.paid.push(invoice),
            "voided" => report.voided.push(invoice),
            "part_paid" => report.part_paid.push(invoice),
            _ => {}
        }
    }
    Ok(report)
}
