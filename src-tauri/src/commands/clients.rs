use scopebook_core::clients::import::{self, ClientImport, ImportPreview};
use scopebook_core::clients::{self, Client, ClientDraft, ClientFilter, ClientRow};
use tauri::State;

use super::Reply;
use crate::AppState;

#[tauri::command]
pub async fn list_clients(
    state: State<'_, AppState>,
    filter: ClientFilter,
) -> Reply<Vec<ClientRow>> {
    state
        .with_store(move |store| clients::list_client_rows(store, &filter))
        .await
}

#[tauri::command]
pub async fn get_client(state: State<'_, AppState>, id: i64) -> Reply<Client> {
    state
        .with_store(move |store| clients::get_client(store, id))
        .await
}

#[tauri::command]
pub fn blank_client_draft() -> ClientDraft {
    ClientDraft::blank()
}

#[tauri::command]
pub async fn create_client(state: State<'_, AppState>, draft: ClientDraft) -> Reply<Client> {
    state
        .with_store(move |store| clients::create_client(store, &draft))
        .await
}

#[tauri::command]
pub async fn update_client(
    state: State<'_, AppState>,
    id: i64,
    draft: ClientDraft,
) -> Reply<Client> {
    state
        .with_store(move |store| clients::update_client(store, id, &draft))
        .await
}

#[tauri::command]
pub async fn archive_client(state: State<'_, AppState>, id: i64) -> Reply<Client> {
    state
        .with_store(move |store| clients::archive_client(store, id))
        .await
}

#[tauri::command]
pub async fn restore_client(state: State<'_, AppState>, id: i64) -> Reply<Client> {
    state
        .with_store(move |store| clients::restore_client(store, id))
        .await
}

#[tauri::command]
pub async fn delete_client(state: State<'_, AppState>, id: i64) -> Reply<()> {
    state
        .with_store(move |store| clients::delete_client(store, id))
        .await
}

/// `csv` is the file's bytes as chosen; core works out the encoding and the separator.
#[tauri::command]
pub async fn preview_client_import(
    state: State<'_, AppState>,
    csv: Vec<u8>,
) -> Reply<ImportPreview> {
    state
        .with_store(move |store| import::preview_import(store, &csv))
        .await
}

#[tauri::command]
pub async fn import_clients(state: State<'_, AppState>, csv: Vec<u8>) -> Reply<ClientImport> {
    state
        .with_store(move |store| import::import_clients(store, &csv))
        .await
}

#[tauri::command]
pub async fn undo_client_import(state: State<'_, AppState>, batch: String) -> Reply<u32> {
    state
        .with_store(move |store| import::undo_import(store, &batch))
        .await
}

/// Asks where to save (the native dialog, opened here) and writes the clients as CSV there.
/// `None` when the bookkeeper cancelled.
#[tauri::command]
pub async fn export_clients_csv(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    filter: ClientFilter,
) -> Reply<Option<usize>> {
    let save_as = super::files::SaveAs {
        title: "Export clients",
        file_name: "clients.csv",
        filter_name: "CSV",
        extension: "csv",
    };
    super::files::export_to_chosen_file(app, &state, save_as, move |store, file| {
        import::export_clients(store, &filter, file)
    })
    .await
}

/// Puts the client's bands (the practice's first set, then its second) on the client.
#[tauri::command]
pub async fn set_client_bands(
    state: State<'_, AppState>,
    id: i64,
    band_1_id: Option<i64>,
    band_2_id: Option<i64>,
) -> Reply<Client> {
    state
        .with_store(move |store| {
            scopebook_core::catalog::set_client_bands(store, id, [band_1_id, band_2_id])
        })
        .await
}
