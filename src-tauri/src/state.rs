//! What the app holds while it runs: the data folder, the open store (or why it isn't open),
//! where Xero is, and the Xero client for the saved client id.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDate;
use scopebook_core::connection::{self, XeroEndpoint};
use scopebook_core::reports::{self, Dashboard};
use scopebook_core::store::{Generation, SharedStore, lock};
use scopebook_core::{Error, ErrorReport, Store};
use scopebook_xero::XeroClient;

/// The demo: an in-process Xero simulator and its own data folder and keychain entries.
pub struct Demo {
    pub sim: xero_sim::SimHandle,
}

pub struct AppState {
    pub data_dir: Option<PathBuf>,
    /// The store, or the reason it could not be opened (shown full-screen by the UI, the file
    /// left untouched). Set once more only when a backup is restored over a damaged file.
    store: RwLock<Result<SharedStore, ErrorReport>>,
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
    /// The home screen's figures, computed once as the app starts (while the window loads) and
    /// kept until the data file changes or the day turns.
    pub dashboard: DashboardCache,
    /// Why the last automatic backup on start failed, shown in Settings → Backups.
    pub backup_problem: Arc<Mutex<Option<String>>>,
    /// A backup file the bookkeeper picked from elsewhere in the open dialog, checked and
    /// waiting for them to confirm the restore (the window never names a path itself).
    pub picked_backup: Mutex<Option<PathBuf>>,
}

/// The dashboard last computed, with the file's generation and the day it was computed for.
#[derive(Clone, Default)]
pub struct DashboardCache(Arc<Mutex<Option<(Generation, NaiveDate, Dashboard)>>>);

impl DashboardCache {
    /// Forgets the kept figures (the data file was replaced).
    pub fn clear(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The dashboard for `today`: the kept one while nothing has been written since, else
    /// computed afresh (and kept).
    pub fn get(&self, store: &Store, today: NaiveDate) -> scopebook_core::Result<Dashboard> {
        let generation = store.generation()?;
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, day, dashboard)) = kept.as_ref()
            && *at == generation
            && *day == today
        {
            return Ok(dashboard.clone());
        }
        let dashboard = reports::dashboard(store, today)?;
        *kept = Some((generation, today, dashboard.clone()));
        Ok(dashboard)
    }
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
    /// The data folder for this run: `explicit` (or the environment's, or the OS's), and its
    /// `demo` subfolder in the demo, which never touches the firm's real data.
    pub fn data_folder(explicit: Option<&Path>, demo: bool) -> scopebook_core::Result<PathBuf> {
        scopebook_core::data_dir(explicit).map(|dir| if demo { dir.join("demo") } else { dir })
    }

    pub fn open(
        data_dir: scopebook_core::Result<PathBuf>,
        endpoint: XeroEndpoint,
        demo: Option<Demo>,
    ) -> AppState {
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
            store: RwLock::new(store),
            endpoint,
            xero: Mutex::new(None),
            demo,
            sign_in: connection::SignInSlot::default(),
            sync: RunSlot::default(),
            posting: RunSlot::default(),
            dashboard: DashboardCache::default(),
            backup_problem: Arc::default(),
            picked_backup: Mutex::new(None),
        }
    }

    /// Computes the dashboard on a thread of its own while the window loads, so the home
    /// screen's first request finds it ready (or waits only for the rest of this one).
    ///
    /// Then takes the day's backup if it is due, off the store's lock.
    pub fn warm_up(&self) {
        let Ok(store) = self.store() else {
            return;
        };
        let cache = self.dashboard.clone();
        let problem = self.backup_problem.clone();
        std::thread::spawn(move || {
            let (path, kept) = {
                let store = lock(&store);
                // A failure here shows when the screen asks again.
                let _ = cache.get(&store, reports::today());
                (
                    store.path().map(Path::to_path_buf),
                    scopebook_core::backup::backups_kept(&store),
                )
            };
            if let (Some(path), Ok(kept)) = (path, kept)
                && let Err(error) = scopebook_core::backup::daily_backup_if_due(&path, kept)
            {
                eprintln!("Scopebook: the day's backup failed: {error}");
                *problem.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(format!("The backup taken on start failed: {error}"));
            }
        });
    }

    pub fn startup_error(&self) -> Option<ErrorReport> {
        self.opened().as_ref().err().cloned()
    }

    fn opened(&self) -> std::sync::RwLockReadGuard<'_, Result<SharedStore, ErrorReport>> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn store(&self) -> Result<SharedStore, ErrorReport> {
        self.opened().clone()
    }

    /// The data file's path (whether or not it opened).
    pub fn database_path(&self) -> Result<PathBuf, ErrorReport> {
        self.data_dir
            .as_ref()
            .map(|dir| dir.join(scopebook_core::store::DATABASE_FILE))
            .ok_or_else(|| {
                Error::invalid("data_dir", "Scopebook has no data folder to work in.").report()
            })
    }

    /// After a backup was restored over a file that could not be opened: the store to use now.
    /// Refused while a store is open (a restore then goes through the open store).
    pub fn replace_damaged_store(&self, store: Store) -> Result<(), ErrorReport> {
        let mut opened = self.store.write().unwrap_or_else(|p| p.into_inner());
        if opened.is_ok() {
            return Err(Error::AlreadyDone("The data file is open already.".into()).report());
        }
        *opened = Ok(Arc::new(Mutex::new(store)));
        Ok(())
    }

    /// Runs `work` on the store off the UI thread; the store is used by one request at a time.
    pub async fn with_store<T, F>(&self, work: F) -> Result<T, ErrorReport>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> scopebook_core::Result<T> + Send + 'static,
    {
        let store = self.store()?;
        tauri::async_runtime::spawn_blocking(move || {
            work(&mut lock(&store)).map_err(|e| e.report())
        })
        .await
        .map_err(|e| Error::worker_stopped(e).report())?
    }

    /// The Xero client for the saved client id (made on first use, remade when it or the daily
    /// budget changes).
    pub fn xero(&self) -> Result<Arc<XeroClient>, ErrorReport> {
        let store = self.store()?;
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
