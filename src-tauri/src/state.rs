//! What the app holds while it runs: the data folder, the open store (or why it isn't open),
//! where Xero is, and the Xero client for the saved client id.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDate;
use scopebook_core::billing::{self, BillingMonth};
use scopebook_core::connection::{self, XeroEndpoint};
use scopebook_core::proposals::terms::month_text;
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
    /// The billing screen's month last read, kept until the data file changes: the screen is
    /// opened again and again while invoices are checked (computed first as the app starts).
    pub billing: BillingCache,
    /// Why the last automatic backup on start failed, shown in Settings → Backups.
    pub backup_problem: Arc<Mutex<Option<String>>>,
    /// A backup file the bookkeeper picked from elsewhere in the open dialog, checked and
    /// waiting for them to confirm the restore (the window never names a path itself).
    pub picked_backup: Mutex<Option<PathBuf>>,
}

/// A figure last computed from the data file, for one key (the day, the month), kept while the
/// file's generation stays the same: any change logged by this app, or a write by another
/// process, makes the next read compute it afresh.
pub struct Kept<K, V>(Arc<Mutex<Option<(Generation, K, V)>>>);

impl<K, V> Clone for Kept<K, V> {
    fn clone(&self) -> Self {
        Kept(self.0.clone())
    }
}

impl<K, V> Default for Kept<K, V> {
    fn default() -> Self {
        Kept(Arc::new(Mutex::new(None)))
    }
}

impl<K: PartialEq, V: Clone> Kept<K, V> {
    /// Forgets the kept figure (the data file was replaced).
    pub fn clear(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The figure for `key`: the kept one while nothing has been written since, else `compute`d
    /// afresh (and kept in place of the one before).
    pub fn get(
        &self,
        store: &Store,
        key: K,
        compute: impl FnOnce(&Store, &K) -> scopebook_core::Result<V>,
    ) -> scopebook_core::Result<V> {
        let generation = store.generation()?;
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, for_key, value)) = kept.as_ref()
            && *at == generation
            && *for_key == key
        {
            return Ok(value.clone());
        }
        let value = compute(store, &key)?;
        *kept = Some((generation, key, value.clone()));
        Ok(value)
    }
}

/// The home screen's figures for a day.
pub type DashboardCache = Kept<NaiveDate, Dashboard>;

/// The billing screen's month (its plan's figures and invoice rows).
pub type BillingCache = Kept<String, BillingMonth>;

impl DashboardCache {
    /// The dashboard for `today`.
    pub fn today(&self, store: &Store, today: NaiveDate) -> scopebook_core::Result<Dashboard> {
        self.get(store, today, |store, today| {
            reports::dashboard(store, *today)
        })
    }
}

impl BillingCache {
    /// The billing screen's `month`.
    pub fn month(&self, store: &Store, month: &str) -> scopebook_core::Result<BillingMonth> {
        self.get(store, month.to_string(), |store, month| {
            billing::billing_month(store, month)
        })
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
            billing: BillingCache::default(),
            backup_problem: Arc::default(),
            picked_backup: Mutex::new(None),
        }
    }

    /// Computes the dashboard and this month's billing on a thread of its own while the window
    /// loads, so the home screen's first request finds it ready (or waits only for the rest of
    /// this one), and so does the billing screen's. The lock is let go between the two.
    ///
    /// Then takes the day's backup if it is due, off the store's lock.
    pub fn warm_up(&self) {
        let Ok(store) = self.store() else {
            return;
        };
        let dashboard = self.dashboard.clone();
        let billing = self.billing.clone();
        let problem = self.backup_problem.clone();
        std::thread::spawn(move || {
            let today = reports::today();
            // A failure here shows when the screen asks again.
            let _ = dashboard.today(&lock(&store), today);
            let _ = billing.month(&lock(&store), &month_text(today));
            let (path, kept) = {
                let store = lock(&store);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::cell::Cell;

    use scopebook_core::clients::{ClientDraft, create_client};
    use scopebook_core::store::Store;

    use super::Kept;

    /// Counts the clients, and how often it was asked to.
    fn counter(
        computed: &Cell<u32>,
    ) -> impl Fn(&Store, &String) -> scopebook_core::Result<usize> + '_ {
        |store, _| {
            computed.set(computed.get() + 1);
            Ok(scopebook_core::clients::list_client_rows(store, &Default::default())?.len())
        }
    }

    #[test]
    fn a_kept_figure_is_computed_again_only_after_a_change_or_for_another_key() {
        let mut store = Store::open_in_memory().unwrap();
        let kept: Kept<String, usize> = Kept::default();
        let computed = Cell::new(0);
        let count = counter(&computed);

        assert_eq!(kept.get(&store, "2026-12".into(), &count).unwrap(), 0);
        assert_eq!(kept.get(&store, "2026-12".into(), &count).unwrap(), 0);
        assert_eq!(computed.get(), 1, "nothing changed: the kept figure serves");

        create_client(
            &mut store,
            &ClientDraft {
                display_name: "Harbour Bakery".into(),
                ..ClientDraft::blank()
            },
        )
        .unwrap();
        assert_eq!(kept.get(&store, "2026-12".into(), &count).unwrap(), 1);
        assert_eq!(computed.get(), 2, "a logged change: computed again");

        assert_eq!(kept.get(&store, "2026-11".into(), &count).unwrap(), 1);
        assert_eq!(computed.get(), 3, "another month: computed for it");
        kept.clear();
        assert_eq!(kept.get(&store, "2026-11".into(), &count).unwrap(), 1);
        assert_eq!(computed.get(), 4, "cleared (a restore): computed again");
    }
}
