//! Backups, restores and "Export everything" (Settings → Backups), and putting back a backup
//! when the data file could not be opened on start.
//!
//! The window names a backup only by a file name from the list (or one the bookkeeper picked in
//! the native open dialog, kept here); it never hands Rust a path.

use scopebook_core::backup::{self, Backup, BackupSettings, Restored};
use scopebook_core::export::{self, ExportProgress, ExportSummary};
use scopebook_core::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use ts_rs::TS;

use super::Reply;
use crate::AppState;

/// Settings → Backups.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupsView {
    /// How many are kept.
    pub kept: u32,
    /// Where they are.
    pub folder: String,
    /// Newest first.
    pub backups: Vec<Backup>,
    /// Why the last automatic backup failed, if it did.
    pub problem: Option<String>,
}

/// Which backup to restore.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum RestoreFrom {
    /// One of the list, by its file name.
    Listed { file_name: String },
    /// The file picked with [`choose_backup_file`].
    Picked,
}

#[tauri::command]
pub async fn backups(state: State<'_, AppState>) -> Reply<BackupsView> {
    let db = state.database_path()?;
    let kept = state
        .with_store(|store| backup::backups_kept(store))
        .await?;
    let problem = state
        .backup_problem
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    // Reading each backup's counts is file work: off the store's lock.
    let listed = db.clone();
    let backups = tauri::async_runtime::spawn_blocking(move || backup::list_backups(&listed))
        .await
        .map_err(|e| Error::worker_stopped(e).report())?
        .map_err(|e| e.report())?;
    Ok(BackupsView {
        kept,
        folder: backup::backup_dir(&db).display().to_string(),
        backups,
        problem,
    })
}

/// "Back up now".
#[tauri::command]
pub async fn back_up_now(state: State<'_, AppState>) -> Reply<Backup> {
    let db = state.database_path()?;
    let kept = state
        .with_store(|store| backup::backups_kept(store))
        .await?;
    let taken = tauri::async_runtime::spawn_blocking(move || {
        backup::back_up(&db, backup::BackupReason::Manual, kept)
    })
    .await
    .map_err(|e| Error::worker_stopped(e).report())?
    .map_err(|e| e.report())?;
    *state
        .backup_problem
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = None;
    Ok(taken)
}

#[tauri::command]
pub async fn set_backups_kept(state: State<'_, AppState>, kept: u32) -> Reply<BackupSettings> {
    state
        .with_store(move |store| backup::set_backups_kept(store, kept))
        .await
}

/// Opens the native dialog to pick a backup from elsewhere, checks it fully and says what it
/// holds; `None` when cancelled. Restoring it takes [`RestoreFrom::Picked`].
#[tauri::command]
pub async fn choose_backup_file(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Reply<Option<Backup>> {
    let Some(path) = super::files::choose_open_path(
        app,
        "Restore a Scopebook backup",
        "Scopebook data file",
        &["sqlite3", "bak", "db"],
    )
    .await?
    else {
        return Ok(None);
    };
    let checked = path.clone();
    let described = tauri::async_runtime::spawn_blocking(move || backup::inspect(&checked))
        .await
        .map_err(|e| Error::worker_stopped(e).report())?
        .map_err(|e| e.report())?;
    *state
        .picked_backup
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(path);
    Ok(Some(described))
}

/// Checks a listed backup fully and says what it holds (the confirmation before restoring).
#[tauri::command]
pub async fn inspect_backup(state: State<'_, AppState>, file_name: String) -> Reply<Backup> {
    let db = state.database_path()?;
    tauri::async_runtime::spawn_blocking(move || backup::inspect(&backup::listed(&db, &file_name)?))
        .await
        .map_err(|e| Error::worker_stopped(e).report())?
        .map_err(|e| e.report())
}

fn chosen(state: &AppState, from: RestoreFrom) -> Reply<std::path::PathBuf> {
    match from {
        RestoreFrom::Listed { file_name } => {
            backup::listed(&state.database_path()?, &file_name).map_err(|e| e.report())
        }
        RestoreFrom::Picked => state
            .picked_backup
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                Error::invalid("backup", "Choose the backup file to restore first.").report()
            }),
    }
}

/// Puts a backup back. Holds the store for the whole restore: nothing may read or write the
/// file while it is replaced. The dashboard's kept figures go with the old file.
#[tauri::command]
pub async fn restore_backup(state: State<'_, AppState>, from: RestoreFrom) -> Reply<Restored> {
    let path = chosen(&state, from)?;
    if state.startup_error().is_some() {
        let db = state.database_path()?;
        let (store, restored) =
            tauri::async_runtime::spawn_blocking(move || backup::restore_damaged(&db, &path))
                .await
                .map_err(|e| Error::worker_stopped(e).report())?
                .map_err(|e| e.report())?;
        state.replace_damaged_store(store)?;
        return Ok(restored);
    }
    let restored = state
        .with_store(move |store| backup::restore(store, &path))
        .await?;
    state.dashboard.clear();
    state.billing.clear();
    Ok(restored)
}

/// When the data file could not be opened on start: the newest backup that reads as sound.
#[tauri::command]
pub async fn newest_good_backup(state: State<'_, AppState>) -> Reply<Option<Backup>> {
    let Some(error) = state.startup_error() else {
        return Ok(None);
    };
    // A file from a newer Scopebook is sound; an older backup would lose its work.
    if error.code != ErrorCode::UnreadableDatabase {
        return Ok(None);
    }
    let db = state.database_path()?;
    tauri::async_runtime::spawn_blocking(move || backup::newest_good_backup(&db))
        .await
        .map_err(|e| Error::worker_stopped(e).report())?
        .map_err(|e| e.report())
}

/// "Export everything": asks where to save the archive, then writes it off the store's lock,
/// telling `progress` after each step. `None` when the bookkeeper cancelled.
#[tauri::command]
pub async fn export_everything(
    app: AppHandle,
    state: State<'_, AppState>,
    progress: Channel<ExportProgress>,
) -> Reply<Option<ExportSummary>> {
    let db = state.database_path()?;
    let file_name = format!(
        "Scopebook export {}.zip",
        chrono::Local::now().format("%Y-%m-%d %H%M")
    );
    let save_as = super::files::SaveAs {
        title: "Export everything",
        file_name: &file_name,
        filter_name: "Zip archive",
        extension: "zip",
    };
    let Some(out) = super::files::choose_save_path(app, save_as).await? else {
        return Ok(None);
    };
    tauri::async_runtime::spawn_blocking(move || {
        export::export_all(&db, &out, |p| {
            let _ = progress.send(p.clone());
        })
    })
    .await
    .map_err(|e| Error::worker_stopped(e).report())?
    .map(Some)
    .map_err(|e| e.report())
}
