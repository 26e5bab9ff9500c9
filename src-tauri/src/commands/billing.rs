//! Billing: the month's plan, its adjustments, posting the month's invoices, payments back.

use scopebook_core::billing::{
    self, Adjustment, AdjustmentDraft, BillingMonth, BillingSettings, OutboxInvoice,
    PaymentsReport, PlannedInvoice, PostOptions, PostingDryRun, PostingProgress, PostingReport,
};
use scopebook_core::{Error, sync};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use super::Reply;
use crate::AppState;

/// The month's plan with its outbox and what is left to post, from the data file.
#[tauri::command]
pub async fn billing_month(state: State<'_, AppState>, month: String) -> Reply<BillingMonth> {
    let cache = state.billing.clone();
    state
        .with_store(move |store| cache.month(store, &month))
        .await
}

/// One invoice of the month's plan in full (its lines as Xero will get them), for its preview.
#[tauri::command]
pub async fn planned_invoice(
    state: State<'_, AppState>,
    month: String,
    client_id: i64,
    seq: u32,
) -> Reply<PlannedInvoice> {
    state
        .with_store(move |store| billing::planned_invoice(store, &month, client_id, seq))
        .await
}

#[tauri::command]
pub async fn billing_settings(state: State<'_, AppState>) -> Reply<BillingSettings> {
    state
        .with_store(|store| billing::billing_settings(store))
        .await
}

#[tauri::command]
pub async fn save_billing_settings(
    state: State<'_, AppState>,
    settings: BillingSettings,
) -> Reply<BillingSettings> {
    state
        .with_store(move |store| billing::save_billing_settings(store, &settings))
        .await
}

#[tauri::command]
pub async fn add_billing_adjustment(
    state: State<'_, AppState>,
    draft: AdjustmentDraft,
) -> Reply<Adjustment> {
    state
        .with_store(move |store| billing::add_adjustment(store, &draft))
        .await
}

#[tauri::command]
pub async fn remove_billing_adjustment(state: State<'_, AppState>, id: i64) -> Reply<()> {
    state
        .with_store(move |store| billing::remove_adjustment(store, id))
        .await
}

#[tauri::command]
pub async fn billing_adjustments(
    state: State<'_, AppState>,
    month: String,
) -> Reply<Vec<Adjustment>> {
    state
        .with_store(move |store| billing::adjustments(store, &month))
        .await
}

/// Reads only: what a posting run would send, checked against Xero now.
#[tauri::command]
pub async fn dry_run_post(state: State<'_, AppState>, month: String) -> Reply<PostingDryRun> {
    let xero = state.xero()?;
    billing::dry_run_post(&state.store()?, &xero, &month)
        .await
        .map_err(|e| e.report())
}

/// Posts the month's invoices, telling `progress` after each batch; [`cancel_posting`] stops
/// it after the batch in flight.
#[tauri::command]
pub async fn post_invoices(
    state: State<'_, AppState>,
    month: String,
    options: PostOptions,
    progress: Channel<PostingProgress>,
) -> Reply<PostingReport> {
    let xero = state.xero()?;
    let Some(_turn) = state.posting.start() else {
        return Err(Error::AlreadyDone(
            "This month's invoices are being posted already. Wait for the run to finish.".into(),
        )
        .report());
    };
    let holder = format!("Scopebook app (process {})", std::process::id());
    let cancelled = state.posting.cancelled.clone();
    billing::post_month(
        &state.store()?,
        &xero,
        &month,
        options,
        &holder,
        &cancelled,
        |p| {
            let _ = progress.send(p.clone());
        },
    )
    .await
    .map_err(|e| e.report())
}

/// The invoices overdue today, across every month (as of the last payments refresh).
#[tauri::command]
pub async fn overdue_invoices(state: State<'_, AppState>) -> Reply<Vec<OutboxInvoice>> {
    state
        .with_store(|store| billing::overdue_invoices(store, scopebook_core::reports::today()))
        .await
}

/// Queues a new copy of an invoice voided in Xero (the bookkeeper asked); the next run posts it.
#[tauri::command]
pub async fn repost_voided_invoice(
    state: State<'_, AppState>,
    outbox_id: i64,
) -> Reply<OutboxInvoice> {
    state
        .with_store(move |store| billing::repost_voided(store, outbox_id))
        .await
}

#[tauri::command]
pub fn cancel_posting(state: State<'_, AppState>) {
    state.posting.cancel();
}

/// Payments back from Xero (only what changed since the last refresh); a desktop notification
/// says when invoices were paid, or voided in Xero.
#[tauri::command]
pub async fn refresh_payments(app: AppHandle, state: State<'_, AppState>) -> Reply<PaymentsReport> {
    let xero = state.xero()?;
    let report = billing::refresh_payments(&state.store()?, &xero)
        .await
        .map_err(|e| e.report())?;
    crate::notify::payments(&app, &report);
    Ok(report)
}

/// Opens a posted invoice in Xero in the system browser.
#[tauri::command]
pub async fn open_invoice_in_xero(
    app: AppHandle,
    state: State<'_, AppState>,
    invoice_id: String,
) -> Reply<()> {
    let xero = state.xero()?;
    let link = sync::xero_link(
        &state.store()?,
        &xero,
        &state.endpoint,
        &format!("/AccountsReceivable/View.aspx?InvoiceID={invoice_id}"),
    )
    .await
    .map_err(|e| e.report())?;
    app.opener().open_url(&link, None::<&str>).map_err(|e| {
        Error::io(
            "Scopebook couldn't open the browser",
            std::io::Error::other(e.to_string()),
        )
        .report()
    })
}
