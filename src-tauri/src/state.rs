//! What the app holds while it runs: the data folder and the open store (or why it isn't open).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use scopebook_core::{Error, ErrorReport, Store};

pub struct AppState {
    pub data_dir: Option<PathBuf>,
    /// The store, or the reason it could not be opened (shown full-screen by the UI, the file
    /// left untouched).
    store: Result<Arc<Mutex<Store>>, ErrorReport>,
}

impl AppState {
    pub fn open(explicit_dir: Option<&Path>) -> AppState {
        let data_dir = scopebook_core::data_dir(explicit_dir);
        let store = data_dir
            .as_ref()
            .map_err(Error::report)
            .and_then(|dir| Store::open_in(dir).map_err(|e| e.report()))
            .map(|store| Arc::new(Mutex::new(store)));
        AppState {
            data_dir: data_dir.ok(),
            store,
        }
    }

    pub fn startup_error(&self) -> Option<ErrorReport> {
        self.store.as_ref().err().cloned()
    }

    /// Runs `work` on the store off the UI thread; the store is used by one request at a time.
    pub async fn with_store<T, F>(&self, work: F) -> Result<T, ErrorReport>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> scopebook_core::Result<T> + Send + 'static,
    {
        let store = self.store.clone()?;
        tauri::async_runtime::spawn_blocking(move || {
            // A panic in an earlier request poisons the lock; the store itself is still sound
            // (every write is one transaction), so carry on with it.
            let mut store = store
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut store).map_err(|e| e.report())
        })
        .await
        .map_err(|e| {
            Error::io(
                "Scopebook's background worker stopped",
                std::io::Error::other(e.to_string()),
            )
            .report()
        })?
    }
}
