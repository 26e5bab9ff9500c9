//! Files the bookkeeper chooses. The native dialogs are opened here, in Rust: the window never
//! hands Rust a path to read or write, so a compromised page can't touch other files.

use std::path::PathBuf;

use scopebook_core::{Error, ErrorReport};
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// What the save dialog offers.
pub struct SaveAs<'a> {
    pub title: &'a str,
    pub file_name: &'a str,
    pub filter_name: &'a str,
    pub extension: &'a str,
}

/// Opens the native save dialog; `None` when the bookkeeper cancelled. With
/// `SCOPEBOOK_SAVE_DIR` set (automated runs: the end-to-end tests), saves under the suggested
/// name in that folder without asking — still a path Rust chose, never one from the window.
pub async fn choose_save_path(
    app: AppHandle,
    save_as: SaveAs<'_>,
) -> Result<Option<PathBuf>, ErrorReport> {
    if let Some(folder) = std::env::var_os("SCOPEBOOK_SAVE_DIR") {
        return Ok(Some(PathBuf::from(folder).join(save_as.file_name)));
    }
    let dialog = app
        .dialog()
        .file()
        .set_title(save_as.title)
        .add_filter(save_as.filter_name, &[save_as.extension])
        .set_file_name(save_as.file_name);
    let chosen = tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file())
        .await
        .map_err(|e| Error::worker_stopped(e).report())?;
    chosen
        .map(|path| path.into_path().map_err(|e| not_a_file(&e)))
        .transpose()
}

/// Asks where to save (the native dialog) and writes the file there with `write`, which gets
/// the store and the new file and says how many records it wrote. `None` when cancelled.
pub async fn export_to_chosen_file<F>(
    app: AppHandle,
    state: &crate::AppState,
    save_as: SaveAs<'_>,
    write: F,
) -> Result<Option<usize>, ErrorReport>
where
    F: FnOnce(&mut scopebook_core::Store, std::fs::File) -> scopebook_core::Result<usize>
        + Send
        + 'static,
{
    let Some(path) = choose_save_path(app, save_as).await? else {
        return Ok(None);
    };
    state
        .with_store(move |store| {
            let file = std::fs::File::create(&path)
                .map_err(|e| Error::io(format!("Couldn't create {}", path.display()), e))?;
            write(store, file)
        })
        .await
        .map(Some)
}

/// Opens the native open dialog; `None` when the bookkeeper cancelled.
pub async fn choose_open_path(
    app: AppHandle,
    title: &str,
    filter_name: &str,
    extensions: &[&str],
) -> Result<Option<PathBuf>, ErrorReport> {
    let dialog = app
        .dialog()
        .file()
        .set_title(title)
        .add_filter(filter_name, extensions);
    let chosen = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file())
        .await
        .map_err(|e| Error::worker_stopped(e).report())?;
    chosen
        .map(|path| path.into_path().map_err(|e| not_a_file(&e)))
        .transpose()
}

fn not_a_file(e: &impl std::fmt::Display) -> ErrorReport {
    Error::invalid(
        "file",
        format!("Scopebook can't use that location as a file: {e}"),
    )
    .report()
}
