use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use scopebook_core::practice::{self, Practice, PracticeDraft, PracticeSetup};
use scopebook_core::reference::{self, ReferenceData};
use scopebook_core::{Error, ErrorReport};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::Reply;
use crate::AppState;

#[derive(Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    version: &'static str,
    data_dir: Option<String>,
    /// Why the data file could not be opened, if it couldn't.
    startup_error: Option<ErrorReport>,
    /// `None` until the first-run screen is completed.
    practice: Option<Practice>,
    /// Running with the Xero sandbox and a separate demo data folder.
    demo: bool,
    /// Set while Xero's URLs point at a test server (not in the demo, which has its banner):
    /// the window shows it as a badge.
    test_server: Option<String>,
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    let practice = match state.startup_error() {
        Some(_) => None,
        None => {
            state
                .with_store(|store| practice::get_practice(store))
                .await?
        }
    };
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: state.data_dir.as_ref().map(|d| d.display().to_string()),
        startup_error: state.startup_error(),
        practice,
        demo: state.demo.is_some(),
        test_server: match state.demo {
            Some(_) => None,
            None => state
                .endpoint
                .is_overridden()
                .then(|| state.endpoint.describe()),
        },
    })
}

/// How long the app took to start, asked by the window once its first screen is interactive.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StartupTime {
    /// From the process's start (as the OS recorded it), where the OS says.
    pub since_process_start_ms: Option<u32>,
    /// From the app's own first instruction.
    pub since_main_ms: u32,
}

#[tauri::command]
pub fn startup_time() -> StartupTime {
    crate::startup_time()
}

#[tauri::command]
pub fn reference_data() -> ReferenceData {
    reference::reference_data()
}

#[tauri::command]
pub async fn setup_practice(state: State<'_, AppState>, setup: PracticeSetup) -> Reply<Practice> {
    state
        .with_store(move |store| practice::setup_practice(store, setup))
        .await
}

#[tauri::command]
pub async fn practice_draft(state: State<'_, AppState>) -> Reply<PracticeDraft> {
    state
        .with_store(|store| Ok(practice::require_practice(store)?.draft()))
        .await
}

#[tauri::command]
pub async fn update_practice(state: State<'_, AppState>, draft: PracticeDraft) -> Reply<Practice> {
    state
        .with_store(move |store| practice::update_practice(store, draft))
        .await
}

/// The logo arrives base64-encoded (a file picked in the window).
#[tauri::command]
pub async fn set_practice_logo(state: State<'_, AppState>, base64: String) -> Reply<Practice> {
    let bytes = BASE64
        .decode(base64.trim())
        .map_err(|_| Error::invalid("logo", "That file couldn't be read as an image.").report())?;
    state
        .with_store(move |store| practice::set_logo(store, &bytes))
        .await
}

#[tauri::command]
pub async fn clear_practice_logo(state: State<'_, AppState>) -> Reply<Practice> {
    state.with_store(practice::clear_logo).await
}

/// The logo as a `data:` URL for an `<img>`, if one is set.
#[tauri::command]
pub async fn practice_logo(state: State<'_, AppState>) -> Reply<Option<String>> {
    let logo = state.with_store(|store| practice::logo(store)).await?;
    Ok(logo.map(|(mime, bytes)| format!("data:{mime};base64,{}", BASE64.encode(bytes))))
}
