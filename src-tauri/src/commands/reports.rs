//! Insight: the reports, computed in core; exported as CSV where the bookkeeper chooses.

use scopebook_core::billing::Movement;
use scopebook_core::reports::{
    self, ClientRevenue, ProfitabilityReport, ReportFilter, ReportTable, RevenueReport,
    ServicesReport,
};
use serde::Deserialize;
use tauri::State;

use super::Reply;
use crate::AppState;

#[tauri::command]
pub async fn revenue_report(
    state: State<'_, AppState>,
    filter: ReportFilter,
) -> Reply<RevenueReport> {
    state
        .with_store(move |store| reports::revenue_report(store, &filter, reports::today()))
        .await
}

#[tauri::command]
pub async fn revenue_clients(
    state: State<'_, AppState>,
    filter: ReportFilter,
    month: String,
    movement: Option<Movement>,
) -> Reply<Vec<ClientRevenue>> {
    state
        .with_store(move |store| {
            reports::revenue_clients(store, &filter, &month, movement, reports::today())
        })
        .await
}

#[tauri::command]
pub async fn services_report(
    state: State<'_, AppState>,
    filter: ReportFilter,
) -> Reply<ServicesReport> {
    state
        .with_store(move |store| reports::services_report(store, &filter, reports::today()))
        .await
}

#[tauri::command]
pub async fn profitability_report(
    state: State<'_, AppState>,
    filter: ReportFilter,
) -> Reply<ProfitabilityReport> {
    state
        .with_store(move |store| reports::profitability_report(store, &filter, reports::today()))
        .await
}

/// Which report to export.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Revenue,
    Services,
    Profitability,
}

fn table_of(
    store: &scopebook_core::Store,
    kind: ReportKind,
    filter: &ReportFilter,
) -> scopebook_core::Result<ReportTable> {
    let today = reports::today();
    Ok(match kind {
        ReportKind::Revenue => reports::revenue_report(store, filter, today)?.table,
        ReportKind::Services => reports::services_report(store, filter, today)?.table,
        ReportKind::Profitability => reports::profitability_report(store, filter, today)?.table,
    })
}

/// Asks where to save (the native dialog) and writes the report's table there as CSV; the number
/// of rows written, `None` when the bookkeeper cancelled.
#[tauri::command]
pub async fn export_report_csv(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    kind: ReportKind,
    filter: ReportFilter,
) -> Reply<Option<usize>> {
    let file_name = match kind {
        ReportKind::Revenue => "recurring-revenue.csv",
        ReportKind::Services => "revenue-by-service.csv",
        ReportKind::Profitability => "profitability.csv",
    };
    let save_as = super::files::SaveAs {
        title: "Export the report",
        file_name,
        filter_name: "CSV",
        extension: "csv",
    };
    super::files::export_to_chosen_file(app, &state, save_as, move |store, mut file| {
        let table = table_of(store, kind, &filter)?;
        std::io::Write::write_all(&mut file, table.csv()?.as_bytes())
            .map_err(|e| scopebook_core::Error::io("Couldn't write the CSV", e))?;
        Ok(table.rows.len())
    })
    .await
}

/// The home screen's figures (from the data file; no call to Xero).
#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> Reply<reports::Dashboard> {
    state
        .with_store(move |store| reports::dashboard(store, reports::today()))
        .await
}
