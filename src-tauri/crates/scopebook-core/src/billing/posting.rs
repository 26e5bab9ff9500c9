//! "Post this month's invoices": each invoice lands in Xero exactly once, through crashes, rate
//! limits, outages and lost replies.
//!
//! How:
//! - **Outbox.** The month's ready invoices are queued in the data file first (one per client,
//!   month and organisation; a Reference is never reused), each `pending`. A batch of up to 50 is
//!   marked `sending` — with its Idempotency-Key, derived from what it carries — in one
//!   transaction *before* the call, and each invoice's outcome (`posted` with Xero's id and
//!   number, or `failed` with Xero's words) in one transaction as soon as Xero answers.
//! - **Nothing is sent twice.** An invoice found `sending` or `uncertain` (the process died
//!   mid-call, or the reply was lost) is looked up in Xero — the invoices this app created
//!   since the batch was sent, matched by Reference — before anything is sent again: found, it is
//!   `posted`; not found, it goes back to `pending`. A lost reply within a call is also replayed
//!   by Xero through the batch's Idempotency-Key.
//! - **One run at a time per organisation**, across processes: a lease row in the data file
//!   (the app and a scheduled `scopebook post` cannot both post), renewed before every call and
//!   left to expire if its holder dies.
//! - **Pauses, never half-states.** A rate limit, Scopebook's daily budget, an outage or a
//!   network failure puts the batch back to `pending` (Xero had not taken it) and pauses the run
//!   with when it can go on; met while looking invoices up, it pauses the run with them left to
//!   be looked up first next time. Cancel finishes the batch in flight and stops.
//!
//! Calls: one `PUT /Invoices` per 50 invoices, plus one `GET /Invoices` per 1,000 to look up
//! uncertain ones (only after a crash or a lost reply).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use scopebook_xero::models::{ContactRef, Invoice, LineItem, LineItemTracking};
use scopebook_xero::{InvoiceQuery, XeroClient, XeroError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::plan::{PlanState, PlannedInvoice, billing_plan};
use super::settings::{PostAs, billing_settings};
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::store::{SharedStore, Source, Store, decimal_column, lock};

/// Xero's advice: at most 50 invoices a call.
const PER_CALL: usize = 50;
/// How long a posting lease lasts unless renewed (before every call).
const LEASE: Duration = Duration::minutes(3);

crate::db_enum! {
    /// Where an invoice is on its way to Xero.
    #[ts(export)]
    pub enum OutboxState: "outbox state" {
        Pending = "pending",
        Sending = "sending",
        Posted = "posted",
        Failed = "failed",
        Uncertain = "uncertain",
    }
}

/// How to post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct PostOptions {
    /// DRAFT or AUTHORISED for this run (the billing setting otherwise).
    pub post_as: Option<PostAs>,
}

/// An invoice of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OutboxInvoice {
    #[ts(type = "number")]
    pub id: i64,
    pub month: String,
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    /// Its number among the client's invoices this month (its Reference ends "(seq)" past 1).
    pub seq: u32,
    /// The planned invoice it posts: 1 the month's invoice, 2, 3, … a separate one; a voided
    /// invoice posted again keeps the number of the one it replaces.
    pub plan_seq: u32,
    pub reference: String,
    #[ts(as = "String")]
    pub total: Decimal,
    pub state: OutboxState,
    pub invoice_id: Option<String>,
    pub invoice_number: Option<String>,
    pub xero_status: Option<String>,
    #[ts(as = "Option<String>")]
    pub amount_due: Option<Decimal>,
    #[ts(as = "Option<String>")]
    pub amount_paid: Option<Decimal>,
    /// When it is due (YYYY-MM-DD), as sent to Xero.
    pub due_date: Option<String>,
    /// Xero's words when it refused it.
    pub messages: Vec<String>,
}

/// Where a run is, for a progress bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PostingProgress {
    pub done: u32,
    pub total: u32,
    pub posted: u32,
    pub failed: u32,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PostingReport {
    pub month: String,
    pub post_as: Option<PostAs>,
    /// Posted by this run.
    pub posted: u32,
    /// Refused by Xero in this run (see the invoices' messages).
    pub failed: u32,
    /// Emailed to the client by Xero in this run (when the billing setting asks for it).
    pub emailed: u32,
    /// Found already in Xero after a crash or a lost reply, and recorded (not sent again).
    pub reconciled: u32,
    /// Still to post (a paused or cancelled run).
    pub remaining: u32,
    pub calls: u32,
    /// Why the run paused, and when it can go on, in words.
    pub paused: Option<String>,
    pub cancelled: bool,
    /// The month's invoices in the outbox, by client.
    pub invoices: Vec<OutboxInvoice>,
}

/// The month's invoices in the outbox (every state), by client name.
pub fn outbox(store: &Store, month: &str) -> Result<Vec<OutboxInvoice>> {
    let tenant = require_tenant(store)?;
    let mut stmt = store.conn().prepare_cached(&format!(
        "{OUTBOX_SELECT} WHERE o.tenant_id = ?1 AND o.month = ?2
         ORDER BY lower(c.display_name), o.seq"
    ))?;
    let rows = stmt.query_map(params![tenant, month], outbox_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Invoices overdue on `today`, across every month posted: approved in Xero, due before today,
/// and with money still owed as of the last payments refresh. Longest overdue first. The
/// dashboard counts these; Billing lists them.
pub fn overdue_invoices(store: &Store, today: chrono::NaiveDate) -> Result<Vec<OutboxInvoice>> {
    let tenant = require_tenant(store)?;
    let mut stmt = store.conn().prepare_cached(&format!(
        "{OUTBOX_SELECT} WHERE o.tenant_id = ?1 AND o.state = 'posted'
            AND o.xero_status = 'AUTHORISED' AND json_extract(o.invoice, '$.DueDate') < ?2
         ORDER BY due_date, lower(c.display_name), o.seq"
    ))?;
    let rows = stmt.query_map(
        params![tenant, today.format("%Y-%m-%d").to_string()],
        outbox_row,
    )?;
    let mut overdue = Vec::new();
    for row in rows {
        let row = row?;
        if row.amount_due.is_some_and(|due| due > Decimal::ZERO) {
            overdue.push(row);
        }
    }
    Ok(overdue)
}

const OUTBOX_SELECT: &str = "SELECT o.id, o.month, o.client_id, c.display_name AS client_name,
        o.seq, o.plan_seq, o.reference, o.total, o.state, o.invoice_id, o.invoice_number,
        o.xero_status, o.amount_due, o.amount_paid, o.messages,
        json_extract(o.invoice, '$.DueDate') AS due_date
     FROM outbox o JOIN clients c ON c.id = o.client_id";

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxInvoice> {
    Ok(OutboxInvoice {
        id: r.get("id")?,
        month: r.get("month")?,
        client_id: r.get("client_id")?,
        client_name: r.get("client_name")?,
        seq: r.get("seq")?,
        plan_seq: r.get("plan_seq")?,
        reference: r.get("reference")?,
        total: decimal_column(r, "total")?,
        state: r.get("state")?,
        invoice_id: r.get("invoice_id")?,
        invoice_number: r.get("invoice_number")?,
        xero_status: r.get("xero_status")?,
        amount_due: crate::store::optional_decimal_column(r, "amount_due")?,
        amount_paid: crate::store::optional_decimal_column(r, "amount_paid")?,
        due_date: r.get("due_date")?,
        messages: crate::store::json_column(r, "messages")?,
    })
}

/// The invoice exactly as it is sent to Xero.
pub fn xero_invoice(planned: &PlannedInvoice, post_as: PostAs) -> Invoice {
    let line_items = planned
        .invoice_lines
        .iter()
        .map(|l| LineItem {
            description: Some(l.description.clone()),
            quantity: Some(l.money.quantity),
            unit_amount: Some(l.money.unit_amount),
            account_code: (!l.account_code.is_empty()).then(|| l.account_code.clone()),
            tax_type: (!l.tax_type.is_empty()).then(|| l.tax_type.clone()),
            tracking: l
                .tracking
                .iter()
                .map(|t| LineItemTracking {
                    name: t.category.clone(),
                    option: t.option.clone(),
                })
                .collect(),
            ..LineItem::default()
        })
        .collect();
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    Invoice {
        invoice_type: "ACCREC".into(),
        contact: ContactRef {
            contact_id: planned.contact_id.clone(),
            name: None,
        },
        line_items,
        date: day(&planned.date),
        due_date: day(&planned.due_date),
        line_amount_types: Some(planned.line_amounts.as_str().to_string()),
        reference: Some(planned.reference.clone()),
        branding_theme_id: planned.branding_theme_id.clone(),
        currency_code: Some(planned.currency.clone()),
        status: Some(post_as.xero_status().to_string()),
        ..Invoice::default()
    }
}

/// Queues the month's ready invoices (one transaction): new ones as `pending`; a `pending` or
/// `failed` one is rebuilt from the plan (it never reached Xero, and what failed may be fixed);
/// `sending`, `uncertain` and `posted` ones are left alone. Returns how many are to send.
fn queue(store: &mut Store, tenant: &str, month: &str, post_as: PostAs) -> Result<u32> {
    let plan = billing_plan(store, month)?;
    store.write(Source::Posting, |tx| {
        for planned in plan.invoices.iter().filter(|i| i.state == PlanState::Ready) {
            let Some(contact_id) = planned.contact_id.as_deref() else {
                continue;
            };
            let body = serde_json::to_string(&xero_invoice(planned, post_as))
                .map_err(|e| Error::io("Couldn't keep the invoice", std::io::Error::other(e)))?;
            let existing: Option<(i64, OutboxState)> = tx
                .query_row(
                    "SELECT id, state FROM outbox WHERE tenant_id = ?1 AND month = ?2
                        AND client_id = ?3 AND seq = ?4",
                    params![tenant, month, planned.client_id, planned.seq],
                    |r| Ok((r.get("id")?, r.get("state")?)),
                )
                .optional()?;
            match existing {
                None => {
                    tx.execute(
                        "INSERT INTO outbox (tenant_id, month, client_id, seq, plan_seq, reference,
                            contact_id, invoice, total, state, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, 'pending', ?9)",
                        params![
                            tenant,
                            month,
                            planned.client_id,
                            planned.seq,
                            planned.reference,
                            contact_id,
                            body,
                            planned.totals.total.to_string(),
                            crate::now()
                        ],
                    )?;
                    tx.log(
                        "outbox",
                        tx.last_insert_rowid(),
                        "queue",
                        &serde_json::json!({ "client_id": planned.client_id, "month": month,
                            "seq": planned.seq, "reference": planned.reference,
                            "total": planned.totals.total }),
                    )?;
                }
                Some((id, OutboxState::Pending | OutboxState::Failed)) => {
                    tx.execute(
                        "UPDATE outbox SET invoice = ?2, total = ?3, contact_id = ?4,
                            state = 'pending', messages = '[]', updated_at = ?5 WHERE id = ?1",
                        params![
                            id,
                            body,
                            planned.totals.total.to_string(),
                            contact_id,
                            crate::now()
                        ],
                    )?;
                    tx.log("outbox", id, "requeue", &serde_json::json!({}))?;
                }
                Some(_) => {}
            }
        }
        // Queued earlier but no longer ready (skipped, held or blocked since a paused run, or a
        // separate invoice whose lines were removed): it never reached Xero, so it leaves the
        // outbox rather than being posted. A voided invoice queued again (its own number past
        // the one it replaces) was asked for by the bookkeeper, and stays.
        let ready: std::collections::HashSet<(i64, u32)> = plan
            .invoices
            .iter()
            .filter(|i| i.state == PlanState::Ready)
            .map(|i| (i.client_id, i.seq))
            .collect();
        let stale: Vec<i64> = {
            let mut stmt = tx.prepare(
                "SELECT id, client_id, seq FROM outbox WHERE tenant_id = ?1 AND month = ?2
                    AND seq = plan_seq AND state IN ('pending', 'failed')",
            )?;
            stmt.query_map(params![tenant, month], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    (r.get::<_, i64>(1)?, r.get::<_, u32>(2)?),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|(_, invoice)| !ready.contains(invoice))
            .map(|(id, _)| id)
            .collect()
        };
        for id in stale {
            tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
            tx.log(
                "outbox",
                id,
                "dequeue",
                &serde_json::json!({ "why": "no longer ready" }),
            )?;
        }
        Ok(())
    })?;
    Ok(store.conn().query_row(
        "SELECT count(*) FROM outbox WHERE tenant_id = ?1 AND month = ?2
            AND state IN ('pending', 'sending', 'uncertain')",
        params![tenant, month],
        |r| r.get(0),
    )?)
}

/// Holds the organisation's posting lease while it lives; lets it go when dropped.
struct Lease<'s> {
    store: &'s SharedStore,
    tenant: String,
    holder: String,
}

impl<'s> Lease<'s> {
    /// Takes the lease, or says who holds it.
    fn take(store: &'s SharedStore, tenant: &str, holder: &str) -> Result<Lease<'s>> {
        let lease = Lease {
            store,
            tenant: tenant.to_string(),
            holder: holder.to_string(),
        };
        lease.renew()?;
        Ok(lease)
    }

    /// Extends the lease; refused when another holder has it (ours lapsed and was taken).
    fn renew(&self) -> Result<()> {
        let now = Utc::now();
        let mut store = lock(self.store);
        store.write(Source::Posting, |tx| {
            let held: Option<(String, String, String)> = tx
                .query_row(
                    "SELECT holder, acquired_at, expires_at FROM posting_lease WHERE tenant_id = ?1",
                    [&self.tenant],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            if let Some((holder, since, expires)) = &held
                && holder != &self.holder
                && DateTime::parse_from_rfc3339(expires).is_ok_and(|e| e > now)
            {
                return Err(Error::InUse(format!(
                    "Invoices for this organisation are being posted by another Scopebook (since {}). \
                     Wait for it to finish, then run again.",
                    since.replace('T', " ").trim_end_matches('Z')
                )));
            }
            tx.execute(
                "INSERT INTO posting_lease (tenant_id, holder, acquired_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (tenant_id) DO UPDATE SET holder = excluded.holder,
                    acquired_at = CASE WHEN posting_lease.holder = excluded.holder
                        THEN posting_lease.acquired_at ELSE excluded.acquired_at END,
                    expires_at = excluded.expires_at",
                params![
                    self.tenant,
                    self.holder,
                    crate::now(),
                    (now + LEASE).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ],
            )?;
            Ok(())
        })
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut store = lock(self.store);
        let _ = store.write(Source::Posting, |tx| {
            tx.execute(
                "DELETE FROM posting_lease WHERE tenant_id = ?1 AND holder = ?2",
                params![self.tenant, self.holder],
            )?;
            Ok(())
        });
    }
}

/// A deterministic Idempotency-Key for a batch: the same invoices, sent again, carry the same
/// key (Xero then replays its first answer rather than creating them twice).
fn batch_key(tenant: &str, rows: &[(i64, String)]) -> String {
    let mut hash = Sha256::new();
    hash.update(tenant.as_bytes());
    for (id, body) in rows {
        hash.update(id.to_le_bytes());
        hash.update(body.as_bytes());
    }
    let digest = hash.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("scopebook-invoices-{hex}")
}

/// Looks the month's `sending` and `uncertain` invoices up in Xero (the invoices this app
/// created since the earliest of them was sent, by Reference) and records what it finds: found,
/// `posted`; not found, back to `pending`. Returns (found, calls).
async fn reconcile(
    store: &SharedStore,
    xero: &XeroClient,
    tenant: &str,
    month: &str,
) -> Result<(u32, u32)> {
    let (open, since): (Vec<(i64, String)>, Option<String>) = {
        let store = lock(store);
        let mut stmt = store.conn().prepare(
            "SELECT id, reference FROM outbox WHERE tenant_id = ?1 AND month = ?2
                AND state IN ('sending', 'uncertain')",
        )?;
        let open = stmt
            .query_map(params![tenant, month], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let since: Option<String> = store.conn().query_row(
            "SELECT min(sent_at) FROM outbox WHERE tenant_id = ?1 AND month = ?2
                AND state IN ('sending', 'uncertain')",
            params![tenant, month],
            |r| r.get(0),
        )?;
        (open, since)
    };
    if open.is_empty() {
        return Ok((0, 0));
    }
    // Five minutes' grace for the two clocks.
    let since = since
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|s| s.with_timezone(&Utc) - Duration::minutes(5));
    let mut found: HashMap<String, Invoice> = HashMap::new();
    let mut calls = 0;
    for page in 1.. {
        let query = InvoiceQuery {
            page: Some(page),
            page_size: Some(1000),
            created_by_my_app: true,
            modified_since: since,
            ..InvoiceQuery::default()
        };
        let batch = xero.invoices(tenant, &query).await?;
        calls += 1;
        let count = batch.items.len();
        for invoice in batch.items {
            if let Some(reference) = invoice.reference.clone()
                && invoice.invoice_type == "ACCREC"
                && invoice.status.as_deref() != Some("DELETED")
            {
                found.insert(reference, invoice);
            }
        }
        let last = match batch.pagination {
            Some(p) if p.page_count > 0 => page >= p.page_count,
            _ => count < 1000,
        };
        if last {
            break;
        }
    }
    let mut store = lock(store);
    let mut recorded = 0;
    store.write(Source::Posting, |tx| {
        for (id, reference) in &open {
            match found.get(reference) {
                Some(invoice) => {
                    record_posted(tx, *id, invoice)?;
                    tx.log(
                        "outbox",
                        *id,
                        "found_in_xero",
                        &serde_json::json!({
                            "invoice_id": invoice.invoice_id, "number": invoice.invoice_number,
                        }),
                    )?;
                    recorded += 1;
                }
                None => {
                    tx.execute(
                        "UPDATE outbox SET state = 'pending', batch_key = NULL, updated_at = ?2
                         WHERE id = ?1",
                        params![id, crate::now()],
                    )?;
                    tx.log("outbox", *id, "not_in_xero", &serde_json::json!({}))?;
                }
            }
        }
        Ok(())
    })?;
    Ok((recorded, calls))
}

/// [`reconcile`], counted in the run's report and progress; returns how many it found. When
/// Xero is down, limiting or out of reach for the look-up, the run pauses instead of failing
/// (`None`, with the reason in `report.paused`): the invoices stay `sending` or `uncertain`, to
/// be looked up first by the next run, as a scheduler expects of a pause (`scopebook post`
/// exits 8, not 6).
async fn look_up(
    store: &SharedStore,
    xero: &XeroClient,
    tenant: &str,
    month: &str,
    report: &mut PostingReport,
    state: &mut PostingProgress,
) -> Result<Option<u32>> {
    match reconcile(store, xero, tenant, month).await {
        Ok((found, calls)) => {
            report.reconciled += found;
            report.calls += calls;
            state.posted += found;
            state.done += found;
            Ok(Some(found))
        }
        Err(Error::Xero(
            e @ (XeroError::RateLimited { .. }
            | XeroError::DailyBudgetSpent { .. }
            | XeroError::Unavailable { .. }
            | XeroError::Network { .. }),
        )) => {
            report.paused = Some(format!("{e} Everything is saved: run again to carry on."));
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

fn record_posted(tx: &crate::store::Tx<'_>, id: i64, invoice: &Invoice) -> Result<()> {
    tx.execute(
        "UPDATE outbox SET state = 'posted', invoice_id = ?2, invoice_number = ?3,
            xero_status = ?4, amount_due = ?5, amount_paid = ?6, messages = '[]',
            xero_updated_at = ?7, updated_at = ?8
         WHERE id = ?1",
        params![
            id,
            invoice.invoice_id,
            invoice.invoice_number,
            invoice.status,
            invoice.amount_due.map(|d| d.to_string()),
            invoice.amount_paid.map(|d| d.to_string()),
            invoice.updated_date_utc.map(|d| d.to_rfc3339()),
            crate::now()
        ],
    )?;
    if let Some(status) = &invoice.status {
        tx.execute(
            "INSERT INTO invoice_status_history (outbox_id, at, xero_status, amount_due, amount_paid)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                crate::now(),
                status,
                invoice.amount_due.map(|d| d.to_string()),
                invoice.amount_paid.map(|d| d.to_string())
            ],
        )?;
    }
    Ok(())
}

/// A backup of the data file before anything is sent (see [`crate::backup`]); the file is read
/// through a connection of its own, off the store's lock. A posting run doesn't start without it.
async fn back_up_before_posting(store: &SharedStore) -> Result<()> {
    let (path, kept) = {
        let store = lock(store);
        (
            store.path().map(std::path::Path::to_path_buf),
            crate::backup::backups_kept(&store)?,
        )
    };
    let Some(path) = path else {
        return Ok(());
    };
    tokio::task::spawn_blocking(move || {
        crate::backup::back_up(&path, crate::backup::BackupReason::BeforePosting, kept)
    })
    .await
    .map_err(Error::worker_stopped)??;
    Ok(())
}

/// Posts the month's ready invoices (see the module's notes). `holder` names this process for
/// the lease; `cancelled` is checked between batches; `progress` hears after each.
pub async fn post_month(
    store: &SharedStore,
    xero: &XeroClient,
    month: &str,
    options: PostOptions,
    holder: &str,
    cancelled: &AtomicBool,
    mut progress: impl FnMut(&PostingProgress),
) -> Result<PostingReport> {
    let (tenant, post_as, email) = {
        let store = lock(store);
        let tenant = require_tenant(&store)?;
        let settings = billing_settings(&store)?;
        (
            tenant,
            options.post_as.unwrap_or(settings.post_as),
            settings.email_invoices,
        )
    };
    let _lease = Lease::take(store, &tenant, holder)?;
    back_up_before_posting(store).await?;
    let total = queue(&mut lock(store), &tenant, month, post_as)?;
    let mut report = PostingReport {
        month: month.to_string(),
        post_as: Some(post_as),
        ..PostingReport::default()
    };
    let mut state = PostingProgress {
        total,
        ..PostingProgress::default()
    };
    progress(&state);

    // After a crash or a lost reply: look up before sending anything again.
    look_up(store, xero, &tenant, month, &mut report, &mut state).await?;

    loop {
        // A look-up Xero couldn't answer paused the run.
        if report.paused.is_some() {
            break;
        }
        if cancelled.load(Ordering::SeqCst) {
            report.cancelled = true;
            break;
        }
        let rows: Vec<(i64, String)> = {
            let store = lock(store);
            let mut stmt = store.conn().prepare(
                "SELECT id, invoice FROM outbox WHERE tenant_id = ?1 AND month = ?2
                    AND state = 'pending' ORDER BY id LIMIT ?3",
            )?;
            stmt.query_map(params![tenant, month, PER_CALL as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        if rows.is_empty() {
            break;
        }
        let key = batch_key(&tenant, &rows);
        let invoices: Vec<Invoice> = rows
            .iter()
            .map(|(_, body)| {
                serde_json::from_str(body).map_err(|e| {
                    Error::Database(rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    ))
                })
            })
            .collect::<Result<_>>()?;
        _lease.renew()?;
        // Marked before the call: a crash from here on leaves them `sending`, looked up next time.
        // Only invoices still `pending`: one another run took meanwhile (this process slept past
        // its lease) stops this batch, unsent, before anything goes twice.
        lock(store).write(Source::Posting, |tx| {
            for (id, _) in &rows {
                let marked = tx.execute(
                    "UPDATE outbox SET state = 'sending', batch_key = ?2, sent_at = ?3,
                        updated_at = ?3 WHERE id = ?1 AND state = 'pending'",
                    params![id, key, crate::now()],
                )?;
                if marked == 0 {
                    return Err(Error::InUse(
                        "Another Scopebook posted some of these invoices meanwhile. Nothing was \
                         sent twice; run again to see where things stand."
                            .into(),
                    ));
                }
            }
            tx.log(
                "outbox_batch",
                0,
                "send",
                &serde_json::json!({
                    "key": key, "invoices": rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                }),
            )
        })?;
        let sent = xero.create_invoices(&tenant, &invoices, Some(&key)).await;
        report.calls += 1;
        match sent {
            Ok(answers) => {
                let (posted, failed, unanswered) =
                    record_answers(store, &rows, &invoices, &answers)?;
                report.posted += posted;
                report.failed += failed;
                state.posted += posted;
                state.failed += failed;
                state.done += posted + failed;
                if unanswered > 0 {
                    look_up(store, xero, &tenant, month, &mut report, &mut state).await?;
                }
                progress(&state);
            }
            Err(
                e @ (XeroError::RateLimited { .. }
                | XeroError::DailyBudgetSpent { .. }
                | XeroError::Unavailable { .. }
                | XeroError::Network { .. }),
            ) => {
                // Xero didn't take the batch: back to pending, and pause.
                set_state(store, &rows, OutboxState::Pending, "paused")?;
                report.paused = Some(format!("{e} Everything is saved: run again to carry on."));
                break;
            }
            Err(XeroError::Uncertain { detail }) => {
                set_state(store, &rows, OutboxState::Uncertain, "uncertain")?;
                let found = look_up(store, xero, &tenant, month, &mut report, &mut state).await?;
                progress(&state);
                if found == Some(0) {
                    report.paused = Some(format!(
                        "Xero didn't confirm the last batch ({detail}) and doesn't have it. \
                         Everything is saved: run again to send it."
                    ));
                    break;
                }
            }
            Err(XeroError::Validation { messages }) => {
                // Xero refused the batch as a whole, but may have saved part of it: look up
                // first; what it doesn't have failed, with its words.
                set_state(store, &rows, OutboxState::Uncertain, "refused_as_a_batch")?;
                if look_up(store, xero, &tenant, month, &mut report, &mut state)
                    .await?
                    .is_some()
                {
                    let failed = fail_unfound(store, &rows, &messages)?;
                    report.failed += failed;
                    state.failed += failed;
                    state.done += failed;
                }
                progress(&state);
            }
            Err(other) => {
                set_state(store, &rows, OutboxState::Pending, "stopped")?;
                return Err(other.into());
            }
        }
    }
    if email && post_as == PostAs::Authorised && report.paused.is_none() && !report.cancelled {
        email_posted(store, xero, &tenant, month, cancelled, &mut report).await?;
    }
    let invoices = outbox(&lock(store), month)?;
    report.remaining = invoices
        .iter()
        .filter(|i| {
            matches!(
                i.state,
                OutboxState::Pending | OutboxState::Sending | OutboxState::Uncertain
            )
        })
        .count() as u32;
    report.invoices = invoices;
    Ok(report)
}

/// After a batch-level refusal and its look-up: the batch's invoices Xero doesn't have (they
/// went back to `pending`) are `failed` with Xero's words. Returns how many.
fn fail_unfound(store: &SharedStore, rows: &[(i64, String)], messages: &[String]) -> Result<u32> {
    let words = serde_json::to_string(messages).unwrap_or_default();
    lock(store).write(Source::Posting, |tx| {
        let mut failed = 0;
        for (id, _) in rows {
            let changed = tx.execute(
                "UPDATE outbox SET state = 'failed', messages = ?2, updated_at = ?3
                 WHERE id = ?1 AND state = 'pending'",
                params![id, words, crate::now()],
            )?;
            if changed > 0 {
                tx.log(
                    "outbox",
                    *id,
                    "failed",
                    &serde_json::json!({ "messages": messages }),
                )?;
                failed += 1;
            }
        }
        Ok(failed)
    })
}

fn set_state(
    store: &SharedStore,
    rows: &[(i64, String)],
    to: OutboxState,
    why: &str,
) -> Result<()> {
    lock(store).write(Source::Posting, |tx| {
        for (id, _) in rows {
            tx.execute(
                "UPDATE outbox SET state = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, to, crate::now()],
            )?;
            tx.log("outbox", *id, why, &serde_json::json!({ "state": to }))?;
        }
        Ok(())
    })
}

/// Records Xero's answer for each invoice of a batch in one transaction; returns (posted,
/// failed, unanswered). Each answer is matched by its Reference; an invoice Xero's answer left
/// out is `uncertain` (looked up before anything is sent again), never assumed refused.
fn record_answers(
    store: &SharedStore,
    rows: &[(i64, String)],
    sent: &[Invoice],
    answers: &[Invoice],
) -> Result<(u32, u32, u32)> {
    let by_reference: HashMap<&str, &Invoice> = answers
        .iter()
        .filter_map(|a| Some((a.reference.as_deref()?, a)))
        .collect();
    let (mut posted, mut failed, mut unanswered) = (0, 0, 0);
    lock(store).write(Source::Posting, |tx| {
        for ((id, _), invoice) in rows.iter().zip(sent) {
            let reference = invoice.reference.as_deref().unwrap_or_default();
            let answer = by_reference.get(reference);
            match answer {
                Some(a) if a.validation_errors.is_empty() && a.invoice_id.is_some() => {
                    record_posted(tx, *id, a)?;
                    tx.log("outbox", *id, "posted", &serde_json::json!({
                        "invoice_id": a.invoice_id, "number": a.invoice_number, "total": a.total,
                    }))?;
                    posted += 1;
                }
                None => {
                    tx.execute(
                        "UPDATE outbox SET state = 'uncertain', updated_at = ?2 WHERE id = ?1",
                        params![id, crate::now()],
                    )?;
                    tx.log("outbox", *id, "unanswered", &serde_json::json!({}))?;
                    unanswered += 1;
                }
                Some(a) => {
                    let mut messages: Vec<String> = a
                        .validation_errors
                        .iter()
                        .map(|e| e.message.clone())
                        .collect();
                    if messages.is_empty() {
                        messages.push("Xero refused it without saying why.".to_string());
                    }
                    tx.execute(
                        "UPDATE outbox SET state = 'failed', messages = ?2, updated_at = ?3
                         WHERE id = ?1",
                        params![
                            id,
                            serde_json::to_string(&messages).unwrap_or_default(),
                            crate::now()
                        ],
                    )?;
                    tx.log(
                        "outbox",
                        *id,
                        "failed",
                        &serde_json::json!({ "messages": messages }),
                    )?;
                    failed += 1;
                }
            }
        }
        Ok(())
    })?;
    Ok((posted, failed, unanswered))
}

/// Queues the month's ready invoices without sending anything (tests that stage a crash).
#[cfg(test)]
pub(crate) fn posting_queue_for_tests(store: &mut Store, tenant: &str) {
    #[allow(clippy::unwrap_used)]
    queue(store, tenant, "2026-12", PostAs::Draft).unwrap();
}

/// Asks Xero to email each approved invoice of the month not emailed yet (the billing setting),
/// one call each, with a key per invoice so a retry never sends a second email. A refusal (no
/// email address on the contact) is noted on the invoice and not tried again; a rate limit or an
/// outage pauses the run, and the next one carries on.
async fn email_posted(
    store: &SharedStore,
    xero: &XeroClient,
    tenant: &str,
    month: &str,
    cancelled: &AtomicBool,
    report: &mut PostingReport,
) -> Result<()> {
    let due: Vec<(i64, String)> = {
        let store = lock(store);
        let mut stmt = store.conn().prepare(
            "SELECT id, invoice_id FROM outbox WHERE tenant_id = ?1 AND month = ?2
                AND state = 'posted' AND xero_status = 'AUTHORISED' AND emailed_at IS NULL
                AND email_note IS NULL AND invoice_id IS NOT NULL ORDER BY id",
        )?;
        stmt.query_map(params![tenant, month], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (id, invoice_id) in due {
        if cancelled.load(Ordering::SeqCst) {
            report.cancelled = true;
            break;
        }
        let sent = xero
            .email_invoice(
                tenant,
                &invoice_id,
                &format!("scopebook-email-{invoice_id}"),
            )
            .await;
        report.calls += 1;
        let (column, value) = match sent {
            Ok(()) => {
                report.emailed += 1;
                ("emailed_at", crate::now())
            }
            Err(XeroError::Validation { messages }) => (
                "email_note",
                format!("Xero couldn't email it: {}", messages.join(" ")),
            ),
            Err(
                e @ (XeroError::RateLimited { .. }
                | XeroError::DailyBudgetSpent { .. }
                | XeroError::Unavailable { .. }
                | XeroError::Network { .. }
                | XeroError::Uncertain { .. }),
            ) => {
                report.paused = Some(format!(
                    "The invoices are in Xero; emailing them stopped: {e} Run again to email the rest."
                ));
                break;
            }
            Err(other) => return Err(other.into()),
        };
        lock(store).write(Source::Posting, |tx| {
            tx.execute(
                &format!("UPDATE outbox SET {column} = ?2, updated_at = ?3 WHERE id = ?1"),
                params![id, value, crate::now()],
            )?;
            tx.log("outbox", id, column, &serde_json::json!({ "value": value }))
        })?;
    }
    Ok(())
}

/// A month's billing as the Billing screen shows it: the plan's figures and its invoices as rows
/// (one in full: [`super::planned_invoice`]), the outbox, and what is left to post beside what is
/// in Xero already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BillingMonth {
    pub plan: super::PlanFigures,
    pub invoices: Vec<super::InvoiceRow>,
    /// Empty when no organisation is connected.
    pub outbox: Vec<OutboxInvoice>,
    /// Ready invoices not posted yet, and their total.
    pub to_post: u32,
    #[ts(as = "String")]
    pub to_post_total: Decimal,
    /// Posted invoices, their total, and how many Xero says are paid.
    pub posted: u32,
    #[ts(as = "String")]
    pub posted_total: Decimal,
    pub paid: u32,
}

/// The plan for `month` with its outbox (from the data file; no call to Xero).
pub fn billing_month(store: &Store, month: &str) -> Result<BillingMonth> {
    billing_month_of(store, &billing_plan(store, month)?)
}

/// The month's billing for a plan worked out already (by a caller that reads its invoices in
/// full too).
pub(crate) fn billing_month_of(store: &Store, plan: &super::BillingPlan) -> Result<BillingMonth> {
    let month = plan.figures.month.as_str();
    let outbox = match require_tenant(store) {
        Ok(_) => outbox(store, month)?,
        Err(_) => Vec::new(),
    };
    let posted: Vec<&OutboxInvoice> = outbox
        .iter()
        .filter(|o| o.state == OutboxState::Posted)
        .collect();
    // Left to post: the plan's ready invoices not in Xero yet, and voided ones queued again.
    let planned: Vec<Decimal> = plan
        .invoices
        .iter()
        .filter(|i| i.state == PlanState::Ready)
        .filter(|i| {
            !posted
                .iter()
                .any(|o| o.client_id == i.client_id && o.seq == i.seq)
        })
        .map(|i| i.totals.total)
        .collect();
    let reposts: Vec<Decimal> = outbox
        .iter()
        .filter(|o| o.seq != o.plan_seq && o.state != OutboxState::Posted)
        .map(|o| o.total)
        .collect();
    Ok(BillingMonth {
        to_post: (planned.len() + reposts.len()) as u32,
        to_post_total: planned.iter().chain(&reposts).sum(),
        posted: posted.len() as u32,
        posted_total: posted.iter().map(|o| o.total).sum(),
        paid: posted
            .iter()
            .filter(|o| o.xero_status.as_deref() == Some("PAID"))
            .count() as u32,
        invoices: plan.invoices.iter().map(super::InvoiceRow::from).collect(),
        plan: plan.figures.clone(),
        outbox,
    })
}
