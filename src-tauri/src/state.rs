//! What the app holds while it runs: the data folder, the open store (or why it isn't open),
//! where Xero is, and the Xero client for the saved client id.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use scopebook_core::connection::{self, XeroEndpoint};
use scopebook_core::store::{SharedStore, lock};
use scopebook_core::{Error, ErrorReport, Store};
use scopebook_xero::XeroClient;

/// The demo: an in-process Xero simulator and its own data folder and keychain entries.
pub struct Demo {
    pub sim: xero_sim::SimHandle,
}

pub struct AppState {
    pub data_dir: Option<PathBuf>,
    /// The store, or the reason it could not be opened (shown full-screen by the UI, the file
    /// left untouched).
    store: Result<SharedStore, ErrorReport>,
    pub endpoint: XeroEndpoint,
    xero: Mutex<Option<Arc<XeroClient>>>,
    pub demo: Option<Demo>,
    /// Cancels a sign-in that is waiting for the browser.
    pub sign_in: connection::SignInSlot,
    /// The contacts sync running now, if any (one at a time; it can be stopped).
    pub sync: RunSlot,
    /// The posting run of this window, if any (the lease in the data file keeps it to one per
    /// organisation across processes; this stops it).
    pub posting: RunSlot,
}

/// One run at a time (a sync, a posting run), and the switch that stops it between pages and
/// batches.
#[derive(Default)]
pub struct RunSlot {
    running: AtomicBool,
    pub cancelled: Arc<AtomicBool>,
}

/// Held while a sync runs; lets the next one start when dropped.
pub struct RunTurn<'a>(&'a RunSlot);

impl Drop for RunTurn<'_> {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::SeqCst);
    }
}

impl RunSlot {
    /// The turn to run, or `None` while another run is going.
    pub fn start(&self) -> Option<RunTurn<'_>> {
        if self.running.swap(true, Ordering::SeqCst) {
            return None;
        }
        self.cancelled.store(false, Ordering::SeqCst);
        Some(RunTurn(self))
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }
}

impl AppState {
    pub fn open(
        explicit_dir: Option<&Path>,
        endpoint: XeroEndpoint,
        demo: Option<Demo>,
    ) -> AppState {
        let data_dir = scopebook_core::data_dir(explicit_dir).map(|dir| match &demo {
            // The demo never touches the firm's real data.
            Some(_) => dir.join("demo"),
            None => dir,
        });
        let store = data_dir
            .as_ref()
            .map_err(Error::report)
            .and_then(|dir| Store::open_in(dir).map_err(|e| e.report()))
            .and_then(|mut store| {
                if demo.is_some() {
                    // A fresh sandbox each start: yesterday's demo connection means nothing to it.
                    connection::forget_organisation(&mut store).map_err(|e| e.report())?;
                }
                Ok(Arc::new(Mutex::new(store)))
            });
        AppState {
            data_dir: data_dir.ok(),
            store,
            endpoint,
            xero: Mutex::new(None),
            demo,
            sign_in: connection::SignInSlot::default(),
            sync: RunSlot::default(),
            posting: RunSlot::default(),
        }
    }

    pub fn startup_error(&self) -> Option<ErrorReport> {
        self.store.as_ref().err().cloned()
    }

    pub fn store(&self) -> Result<SharedStore, ErrorReport> {
        self.store.clone()
    }

    /// Runs `work` on the store off the UI thread; the store is used by one request at a time.
    pub async fn with_store<T, F>(&self, work: F) -> Result<T, ErrorReport>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> scopebook_core::Result<T> + Send + 'static,
    {
        let store = self.store.clone()?;
        tauri::async_runtime::spawn_blocking(move || {
            work(&mut lock(&store)).map_err(|e| e.report())
        })
        .await
        .map_err(|e| Error::worker_stopped(e).report())?
    }

    /// The Xero client for the saved client id (made on first use, remade when it or the daily
    /// budget changes).
    pub fn xero(&self) -> Result<Arc<XeroClient>, ErrorReport> {
        let store = self.store.clone()?;
        let config =
            connection::xero_config(&lock(&store), &self.endpoint).map_err(|e| e.report())?;
        let cached = self.xero.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(client) = cached.as_ref()
            && client.session().config().client_id == config.client_id
            && client.session().config().limits == config.limits
        {
            return Ok(client.clone());
        }
        drop(cached);
        let client =
            Arc::new(connection::xero_client(&store, &self.endpoint).map_err(|e| e.report())?);
        let mut cached = self.xero.lock().unwrap_or_else(|p| p.into_inner());
        *cached = Some(client.clone());
        Ok(client)
    }
}
