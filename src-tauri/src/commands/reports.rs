//! Insight: the reports, computed in core; exported as CSV where the bookkeeper chooses.

use scopebook_core::billing::Movement;
use scopebook_core::reports::{
    self, ClientRevenue, ProfitabilityReport, ReportFilter, ReportKind, RevenueReport,
    ServicesReport,
};
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

/// How a report is exported.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Its table, amounts as plain decimals.
    Csv,
    /// Printed for the partners' meeting: the firm's name, colour and logo.
    Pdf,
}

/// Asks where to save (the native dialog) and writes the report there as CSV or PDF; the rows
/// written, `None` when the bookkeeper cancelled.
#[tauri::command]
pub async fn export_report(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    kind: ReportKind,
    filter: ReportFilter,
    format: ExportFormat,
) -> Reply<Option<usize>> {
    let (extension, filter_name, title) = match format {
        ExportFormat::Csv => ("csv", "CSV", "Export the report"),
        ExportFormat::Pdf => ("pdf", "PDF", "Print the report to PDF"),
    };
    let file_name = kind.file_name(extension);
    let save_as = super::files::SaveAs {
        title,
        file_name: &file_name,
        filter_name,
        extension,
    };
    super::files::export_to_chosen_file(app, &state, save_as, move |store, mut file| {
        let today = reports::today();
        let (bytes, rows) = match format {
            ExportFormat::Csv => {
                let table = kind.table(store, &filter, today)?;
                (table.csv()?.into_bytes(), table.rows.len())
            }
            ExportFormat::Pdf => (reports::report_pdf(store, kind, &filter, today)?, 1),
        };
        std::io::Write::write_all(&mut file, &bytes)
            .map_err(|e| scopebook_core::Error::io("Couldn't write the report", e))?;
        Ok(rows)
    })
    .await
}

/// The home screen's figures (from the data file; no call to Xero).
#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> Reply<reports::Dashboard> {
    let cache = state.dashboard.clone();
    state
        .with_store(move |store| cache.today(store, reports::today()))
        .await
}
