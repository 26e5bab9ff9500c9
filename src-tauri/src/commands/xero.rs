//! Settings → Integrations: the Xero connection.

use scopebook_core::Error;
use scopebook_core::connection::{self, ConnectedOrganisation, XeroLists, XeroStatus};
use scopebook_core::store::lock;
use scopebook_core::sync;
use scopebook_xero::models::Connection;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;
use ts_rs::TS;

use super::Reply;
use crate::AppState;

#[tauri::command]
pub async fn xero_status(state: State<'_, AppState>) -> Reply<XeroStatus> {
    let endpoint = state.endpoint.clone();
    let status = state
        .with_store(move |store| connection::status(store, &endpoint))
        .await?;
    // Without a client id there is no connection to warn about.
    Ok(match state.xero() {
        Ok(xero) => connection::with_idle_warning(status, &xero).await,
        Err(_) => status,
    })
}

#[tauri::command]
pub async fn set_xero_client_id(
    state: State<'_, AppState>,
    client_id: String,
) -> Reply<XeroStatus> {
    let endpoint = state.endpoint.clone();
    state
        .with_store(move |store| {
            connection::set_client_id(store, &client_id)?;
            connection::status(store, &endpoint)
        })
        .await
}

/// What connecting found: the organisations to choose from, and the status after it.
#[derive(Serialize, TS)]
#[ts(export)]
pub struct SignInOutcome {
    organisations: Vec<Connection>,
    status: XeroStatus,
}

/// Opens Xero's sign-in in the system browser (or `$SCOPEBOOK_BROWSER`, for tests) and waits.
#[tauri::command]
pub async fn connect_xero(app: AppHandle, state: State<'_, AppState>) -> Reply<SignInOutcome> {
    let xero = state.xero()?;
    let store = state.store()?;
    let open = move |url: &str| match std::env::var_os("SCOPEBOOK_BROWSER") {
        Some(browser) => std::process::Command::new(browser)
            .arg(url)
            .spawn()
            .map(|_| ())
            .map_err(|e| e.to_string()),
        None => app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| e.to_string()),
    };
    let organisations = {
        let (xero, store) = (xero.clone(), store.clone());
        state
            .sign_in
            .run(async move { connection::sign_in(&store, &xero, open).await })
            .await
            .map_err(|e| e.report())?
    };
    let status = connection::status(&lock(&store), &state.endpoint).map_err(|e| e.report())?;
    Ok(SignInOutcome {
        organisations,
        status,
    })
}

#[tauri::command]
pub fn cancel_xero_connect(state: State<'_, AppState>) {
    state.sign_in.cancel();
}

#[tauri::command]
pub async fn choose_xero_organisation(
    state: State<'_, AppState>,
    tenant_id: String,
) -> Reply<ConnectedOrganisation> {
    let xero = state.xero()?;
    connection::choose_organisation_by_id(&state.store()?, &xero, &tenant_id)
        .await
        .map_err(|e| e.report())
}

#[tauri::command]
pub async fn xero_lists(state: State<'_, AppState>) -> Reply<XeroLists> {
    state
        .with_store(|store| connection::cached_lists(store))
        .await
}

#[tauri::command]
pub async fn refresh_xero_lists(state: State<'_, AppState>) -> Reply<XeroLists> {
    let xero = state.xero()?;
    connection::refresh_lists(&state.store()?, &xero)
        .await
        .map_err(|e| e.report())
}

/// Syncs clients and Xero contacts both ways (or, in a dry run, says what would change),
/// telling `progress` as it goes. One sync at a time; [`cancel_xero_sync`] stops it between
/// pages and batches.
#[tauri::command]
pub async fn sync_xero(
    state: State<'_, AppState>,
    options: sync::SyncOptions,
    progress: Channel<sync::SyncProgress>,
) -> Reply<sync::SyncReport> {
    let xero = state.xero()?;
    let Some(_turn) = state.sync.start() else {
        return Err(Error::AlreadyDone(
            "A sync with Xero is already running. Wait for it to finish.".into(),
        )
        .report());
    };
    let cancelled = state.sync.cancelled.clone();
    sync::sync_contacts(&state.store()?, &xero, options, &cancelled, |p| {
        // The window may have gone; the sync goes on.
        let _ = progress.send(p.clone());
    })
    .await
    .map_err(|e| e.report())
}

#[tauri::command]
pub fn cancel_xero_sync(state: State<'_, AppState>) {
    state.sync.cancel();
}

/// Settles a client's conflict with one choice per detail.
#[tauri::command]
pub async fn resolve_xero_conflict(
    state: State<'_, AppState>,
    client_id: i64,
    choices: Vec<sync::ConflictChoice>,
) -> Reply<()> {
    state
        .with_store(move |store| sync::resolve_conflict(store, client_id, &choices))
        .await
}

/// One client's connection: its link, state and what waits for a decision.
#[tauri::command]
pub async fn xero_connection_of(
    state: State<'_, AppState>,
    client_id: i64,
) -> Reply<sync::BoardRow> {
    state
        .with_store(move |store| sync::board_row(store, client_id))
        .await
}

#[tauri::command]
pub async fn xero_sync_batches(state: State<'_, AppState>) -> Reply<Vec<sync::SyncBatch>> {
    state
        .with_store(|store| sync::sync_batches(store, 10))
        .await
}

#[tauri::command]
pub async fn undo_xero_sync(state: State<'_, AppState>, batch: String) -> Reply<u32> {
    state
        .with_store(move |store| sync::undo_sync(store, &batch))
        .await
}

/// Xero contacts whose name, number or email contains `text` (one call).
#[tauri::command]
pub async fn search_xero_contacts(
    state: State<'_, AppState>,
    text: String,
) -> Reply<Vec<sync::MirroredContact>> {
    let xero = state.xero()?;
    sync::search_xero_contacts(&state.store()?, &xero, &text)
        .await
        .map_err(|e| e.report())
}

/// The client's standing in Xero (one call).
#[tauri::command]
pub async fn xero_contact_summary(
    state: State<'_, AppState>,
    client_id: i64,
) -> Reply<sync::ContactSummary> {
    let xero = state.xero()?;
    sync::contact_summary(&state.store()?, &xero, client_id)
        .await
        .map_err(|e| e.report())
}

/// Opens the client's contact in Xero in the system browser.
#[tauri::command]
pub async fn open_in_xero(app: AppHandle, state: State<'_, AppState>, client_id: i64) -> Reply<()> {
    let xero = state.xero()?;
    let link = sync::open_in_xero_link(&state.store()?, &xero, &state.endpoint, client_id)
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

/// The connections board, from the data file alone.
#[tauri::command]
pub async fn connections_board(state: State<'_, AppState>) -> Reply<sync::ConnectionsBoard> {
    state
        .with_store(|store| sync::connections_board(store))
        .await
}

/// Pulls the contacts, then says what the first import would do (writes only the mirror).
#[tauri::command]
pub async fn preview_xero_import(
    state: State<'_, AppState>,
    options: sync::FirstImportOptions,
) -> Reply<sync::FirstImportPreview> {
    let xero = state.xero()?;
    let never = std::sync::atomic::AtomicBool::new(false);
    sync::pull_contacts(&state.store()?, &xero, &never, |_| {})
        .await
        .map_err(|e| e.report())?;
    state
        .with_store(move |store| sync::preview_first_import(store, options))
        .await
}

#[tauri::command]
pub async fn apply_xero_import(
    state: State<'_, AppState>,
    options: sync::FirstImportOptions,
) -> Reply<sync::FirstImportResult> {
    state
        .with_store(move |store| sync::apply_first_import(store, options))
        .await
}

#[tauri::command]
pub async fn undo_xero_import(state: State<'_, AppState>, batch: String) -> Reply<u32> {
    state
        .with_store(move |store| sync::undo_first_import(store, &batch))
        .await
}

/// Links a client to a contact the bookkeeper chose (looked up in Xero first; its review items
/// are closed).
#[tauri::command]
pub async fn link_xero_contact(
    state: State<'_, AppState>,
    client_id: i64,
    contact_id: String,
) -> Reply<sync::XeroLink> {
    let xero = state.xero()?;
    sync::link_to_xero_contact(&state.store()?, &xero, client_id, &contact_id)
        .await
        .map_err(|e| e.report())
}

/// Creates the client's contact in Xero and links it (refused while one may be it already,
/// unless `confirmed`).
#[tauri::command]
pub async fn create_xero_contact(
    state: State<'_, AppState>,
    client_id: i64,
    confirmed: bool,
) -> Reply<sync::XeroLink> {
    let xero = state.xero()?;
    sync::create_xero_contact(&state.store()?, &xero, client_id, confirmed)
        .await
        .map_err(|e| e.report())
}

#[tauri::command]
pub async fn unlink_xero_contact(state: State<'_, AppState>, client_id: i64) -> Reply<()> {
    state
        .with_store(move |store| {
            sync::unlink_client(store, scopebook_core::Source::User, client_id)
        })
        .await
}

#[tauri::command]
pub async fn disconnect_xero(state: State<'_, AppState>) -> Reply<XeroStatus> {
    let xero = state.xero()?;
    let store = state.store()?;
    connection::disconnect(&store, &xero)
        .await
        .map_err(|e| e.report())?;
    connection::status(&lock(&store), &state.endpoint).map_err(|e| e.report())
}

/// Restarts Scopebook in (or out of) the demo with the Xero sandbox.
#[tauri::command]
pub fn switch_demo(app: AppHandle, demo: bool) -> Reply<()> {
    crate::relaunch(demo).map_err(|e| Error::io("Scopebook couldn't restart", e).report())?;
    app.exit(0);
    Ok(())
}
