use std::sync::Mutex;

use scopebook_core::Error;
use scopebook_core::catalog::csv::{self, ImportReport};
use scopebook_core::catalog::{self, PricePreview, Service, ServiceDraft, ServiceFilter};
use scopebook_core::csv_input::ChosenCsv;
use tauri::{AppHandle, State};

use super::Reply;
use crate::AppState;

#[tauri::command]
pub async fn list_services(
    state: State<'_, AppState>,
    filter: ServiceFilter,
) -> Reply<Vec<Service>> {
    state
        .with_store(move |store| catalog::list_services(store, &filter))
        .await
}

#[tauri::command]
pub async fn service_categories(state: State<'_, AppState>) -> Reply<Vec<String>> {
    state
        .with_store(|store| catalog::service_categories(store))
        .await
}

#[tauri::command]
pub async fn get_service(state: State<'_, AppState>, id: i64) -> Reply<Service> {
    state
        .with_store(move |store| catalog::get_service(store, id))
        .await
}

#[tauri::command]
pub fn blank_service_draft() -> ServiceDraft {
    ServiceDraft::blank()
}

#[tauri::command]
pub async fn service_draft(state: State<'_, AppState>, id: i64) -> Reply<ServiceDraft> {
    state
        .with_store(move |store| Ok(catalog::get_service(store, id)?.draft()))
        .await
}

#[tauri::command]
pub async fn create_service(state: State<'_, AppState>, draft: ServiceDraft) -> Reply<Service> {
    state
        .with_store(move |store| catalog::create_service(store, &draft))
        .await
}

#[tauri::command]
pub async fn update_service(
    state: State<'_, AppState>,
    id: i64,
    draft: ServiceDraft,
) -> Reply<Service> {
    state
        .with_store(move |store| catalog::update_service(store, id, &draft))
        .await
}

#[tauri::command]
pub async fn duplicate_service(state: State<'_, AppState>, id: i64) -> Reply<Service> {
    state
        .with_store(move |store| catalog::duplicate_service(store, id))
        .await
}

#[tauri::command]
pub async fn archive_service(state: State<'_, AppState>, id: i64) -> Reply<Service> {
    state
        .with_store(move |store| catalog::archive_service(store, id))
        .await
}

#[tauri::command]
pub async fn restore_service(state: State<'_, AppState>, id: i64) -> Reply<Service> {
    state
        .with_store(move |store| catalog::restore_service(store, id))
        .await
}

#[tauri::command]
pub async fn preview_price(
    state: State<'_, AppState>,
    draft: ServiceDraft,
    quantity: Option<String>,
) -> Reply<PricePreview> {
    state
        .with_store(move |store| catalog::preview_price(store, &draft, quantity.as_deref()))
        .await
}

/// A file chosen for import, kept until it is imported or another is chosen. One window, one
/// pending import: the window names it by token and never hands Rust a path.
static PENDING_IMPORT: Mutex<Option<(String, Vec<u8>)>> = Mutex::new(None);

/// Opens the native save dialog (in Rust) and writes the active catalogue as CSV where the
/// bookkeeper chose. `None` when the dialog was cancelled.
#[tauri::command]
pub async fn export_services_csv(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Reply<Option<usize>> {
    let save_as = super::files::SaveAs {
        title: "Export services",
        file_name: "services.csv",
        filter_name: "CSV",
        extension: "csv",
    };
    super::files::export_to_chosen_file(app, &state, save_as, |store, file| {
        csv::export_services(store, file)
    })
    .await
}

/// Opens the native open dialog (in Rust), reads the chosen CSV and checks every row (a dry
/// run: nothing is written). `None` when the dialog was cancelled.
#[tauri::command]
pub async fn choose_services_csv(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Reply<Option<ChosenCsv<ImportReport>>> {
    let chosen =
        super::files::choose_open_path(app, "Import services", "CSV", &["csv", "txt"]).await?;
    let Some(path) = chosen else {
        return Ok(None);
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = tauri::async_runtime::spawn_blocking(move || {
        std::fs::read(&path).map_err(|e| Error::io(format!("Couldn't read {}", path.display()), e))
    })
    .await
    .map_err(|e| Error::worker_stopped(e).report())?
    .map_err(|e| e.report())?;
    let checked = bytes.clone();
    let preview = state
        .with_store(move |store| csv::import_services(store, checked.as_slice(), true))
        .await?;
    let token = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    *PENDING_IMPORT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((token.clone(), bytes));
    Ok(Some(ChosenCsv {
        token,
        file_name,
        preview,
    }))
}

/// Imports the file chosen with [`choose_services_csv`]: every row, or none.
#[tauri::command]
pub async fn import_services_csv(state: State<'_, AppState>, token: String) -> Reply<ImportReport> {
    let bytes = {
        let mut pending = PENDING_IMPORT
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match pending.take() {
            Some((kept, bytes)) if kept == token => Some(bytes),
            other => {
                // Not this file's token: keep whatever is pending for its own dialog.
                *pending = other;
                None
            }
        }
    };
    let Some(bytes) = bytes else {
        return Err(Error::invalid(
            "file",
            "That file is no longer open for import; choose it again.",
        )
        .report());
    };
    state
        .with_store(move |store| csv::import_services(store, bytes.as_slice(), false))
        .await
}

#[tauri::command]
pub async fn band_sets(state: State<'_, AppState>) -> Reply<catalog::BandSets> {
    state.with_store(|store| catalog::band_sets(store)).await
}

#[tauri::command]
pub async fn save_band_sets(
    state: State<'_, AppState>,
    draft: catalog::BandSetsDraft,
) -> Reply<catalog::BandSets> {
    state
        .with_store(move |store| catalog::save_band_sets(store, &draft))
        .await
}
