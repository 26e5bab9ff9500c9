//! Settings → Integrations: the Xero connection.

use scopebook_core::Error;
use scopebook_core::connection::{self, ConnectedOrganisation, XeroLists, XeroStatus};
use scopebook_core::store::lock;
use scopebook_xero::models::Connection;
use serde::Serialize;
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

/// Pulls what changed in the organisation's contacts since the last sync (one call per 1,000).
#[tauri::command]
pub async fn sync_xero_contacts(
    state: State<'_, AppState>,
) -> Reply<scopebook_core::sync::PullReport> {
    let xero = state.xero()?;
    let never = std::sync::atomic::AtomicBool::new(false);
    scopebook_core::sync::pull_contacts(&state.store()?, &xero, &never, |_| {})
        .await
        .map_err(|e| e.report())
}

/// The connections board, from the data file alone.
#[tauri::command]
pub async fn connections_board(
    state: State<'_, AppState>,
) -> Reply<scopebook_core::sync::ConnectionsBoard> {
    state
        .with_store(|store| scopebook_core::sync::connections_board(store))
        .await
}

/// Pulls the contacts, then says what the first import would do (writes only the mirror).
#[tauri::command]
pub async fn preview_xero_import(
    state: State<'_, AppState>,
    options: scopebook_core::sync::FirstImportOptions,
) -> Reply<scopebook_core::sync::FirstImportPreview> {
    let xero = state.xero()?;
    let never = std::sync::atomic::AtomicBool::new(false);
    scopebook_core::sync::pull_contacts(&state.store()?, &xero, &never, |_| {})
        .await
        .map_err(|e| e.report())?;
    state
        .with_store(move |store| scopebook_core::sync::preview_first_import(store, options))
        .await
}

#[tauri::command]
pub async fn apply_xero_import(
    state: State<'_, AppState>,
    options: scopebook_core::sync::FirstImportOptions,
) -> Reply<scopebook_core::sync::FirstImportResult> {
    state
        .with_store(move |store| scopebook_core::sync::apply_first_import(store, options))
        .await
}

#[tauri::command]
pub async fn undo_xero_import(state: State<'_, AppState>, batch: String) -> Reply<u32> {
    state
        .with_store(move |store| scopebook_core::sync::undo_first_import(store, &batch))
        .await
}

/// Links a client to a contact the bookkeeper chose (looked up in Xero first; its review items
/// are closed).
#[tauri::command]
pub async fn link_xero_contact(
    state: State<'_, AppState>,
    client_id: i64,
    contact_id: String,
) -> Reply<scopebook_core::sync::XeroLink> {
    let xero = state.xero()?;
    scopebook_core::sync::link_to_xero_contact(&state.store()?, &xero, client_id, &contact_id)
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
) -> Reply<scopebook_core::sync::XeroLink> {
    let xero = state.xero()?;
    scopebook_core::sync::create_xero_contact(&state.store()?, &xero, client_id, confirmed)
        .await
        .map_err(|e| e.report())
}

#[tauri::command]
pub async fn unlink_xero_contact(state: State<'_, AppState>, client_id: i64) -> Reply<()> {
    state
        .with_store(move |store| {
            scopebook_core::sync::unlink_client(store, scopebook_core::Source::User, client_id)
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
