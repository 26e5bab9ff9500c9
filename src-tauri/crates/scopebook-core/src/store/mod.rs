//! The SQLite store: one file, WAL, foreign keys on, schema only from `migrations/*.sql`.
//!
//! Opening never damages a file it cannot use: a newer schema, a foreign or corrupt file is
//! refused with a clear error before anything is written, and a copy is taken before migrating.

mod changes;
pub mod enums;
mod migrate;

use std::path::{Path, PathBuf};

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use changes::TouchedTables;
pub use changes::{Change, Source, Tx, history};
pub use migrate::{LATEST_VERSION, MIGRATIONS};

use crate::error::{Error, Result};

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "scopebook.sqlite3";

/// Marks a SQLite file as Scopebook's (`PRAGMA application_id`), so we never migrate someone
/// else's database that happens to sit in the data folder. ASCII "SCPB".
pub(crate) const APPLICATION_ID: i64 = 0x5343_5042;

/// How long a writer waits for another process (the CLI beside the app) to finish its write
/// before giving up. Writers queue rather than fail.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The store. Outside [`Store::write`] its connection is read-only (`PRAGMA query_only`), so a
/// read can never change data by accident; inside it, a transaction that changed rows without
/// appending to the change log is refused at commit.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// The tables the current write touched, filled by SQLite's update hook.
    touched: Arc<Mutex<TouchedTables>>,
}

/// The store as the app shares it between requests: one request uses it at a time, and no lock
/// is ever held across a call to Xero.
pub type SharedStore = std::sync::Arc<std::sync::Mutex<Store>>;

/// Locks a shared store. A panic in an earlier request poisons the lock, but the store is still
/// sound (every write is one transaction), so carry on with it.
pub fn lock(store: &SharedStore) -> std::sync::MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
    /// Opens (or creates) the database in `data_dir`, migrating it to the latest schema.
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            Error::io(
                format!(
                    "Scopebook can't create its data folder {}",
                    data_dir.display()
                ),
                e,
            )
        })?;
        Store::open(&data_dir.join(DATABASE_FILE))
    }

    /// Opens (or creates) the database file at `path`, migrating it to the latest schema.
    pub fn open(path: &Path) -> Result<Store> {
        // Processes opening the file at once (the app and a scheduled CLI run, twenty scripted
        // commands) take turns here, so a new or older file is created and migrated by exactly
        // one of them. Held only while opening.
        let _opening = opening_lock(path)?;
        let existed = path.exists();
        let unreadable = |reason: String| Error::UnreadableDatabase {
            path: path.display().to_string(),
            reason,
        };
        let flags = if existed {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| unreadable(format!("it could not be opened ({e})")))?;

        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Reading the header is the first thing that fails on a file that isn't SQLite. The
        // header and the table list are read in one snapshot, so another process migrating the
        // file at this moment is seen either before or after, never half-way.
        let (app_id, version, has_tables) = read_identity(&conn)
            .map_err(|_| unreadable("it is not a Scopebook data file, or it is damaged".into()))?;
        if app_id != APPLICATION_ID && (app_id != 0 || has_tables) {
            return Err(unreadable("it belongs to another program".into()));
        }
        if version > LATEST_VERSION {
            return Err(Error::NewerDatabase {
                found: version,
                supported: LATEST_VERSION,
            });
        }
        let integrity: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|_| unreadable("it is damaged".into()))?;
        if integrity != "ok" {
            return Err(unreadable(format!("it is damaged ({integrity})")));
        }

        configure(&conn)?;
        let mut store = Store::from_connection(conn, Some(path.to_path_buf()))?;
        if version < LATEST_VERSION {
            if existed && version > 0 {
                store.backup_before_migration(version)?;
            }
            store.conn.pragma_update(None, "query_only", false)?;
            migrate::apply(&mut store.conn, APPLICATION_ID)?;
        }
        store.seal()?;
        Ok(store)
    }

    fn from_connection(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        let touched = Arc::new(Mutex::new(TouchedTables::default()));
        let hook = Arc::clone(&touched);
        conn.update_hook(Some(
            move |_: rusqlite::hooks::Action, _db: &str, table: &str, _row: i64| {
                changes::lock_touched(&hook).record(table);
            },
        ))?;
        Ok(Store {
            conn,
            path,
            touched,
        })
    }

    /// Makes the connection read-only until the next [`Store::write`].
    fn seal(&self) -> Result<()> {
        self.conn.pragma_update(None, "query_only", true)?;
        Ok(())
    }

    /// A private in-memory database at the latest schema, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        configure(&conn)?;
        let mut store = Store::from_connection(conn, None)?;
        migrate::apply(&mut store.conn, APPLICATION_ID)?;
        store.seal()?;
        Ok(store)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// For reads: the connection refuses writes (`PRAGMA query_only`). Writes go through
    /// [`Store::write`] so they are atomic and attributed.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A stamp that differs whenever anything was committed to the file since it was taken, by
    /// this connection (every write appends to the change log) or by another process (SQLite's
    /// `data_version`). Lets a caller keep a figure computed from the file until it changes.
    pub fn generation(&self) -> Result<Generation> {
        let other: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let logged: i64 =
            self.conn
                .query_row("SELECT coalesce(max(id), 0) FROM changes", [], |r| r.get(0))?;
        Ok(Generation { other, logged })
    }

    /// Runs `work` in one transaction; every change it logs carries `source`. Nothing is kept
    /// unless `work` returns `Ok` and the transaction appended to the change log whatever it
    /// changed ([`Error::Unlogged`] otherwise).
    ///
    /// The write lock is taken up front (`BEGIN IMMEDIATE`), so two processes writing the same
    /// file queue for up to [`BUSY_TIMEOUT`] instead of failing half-way through.
    pub fn write<T>(
        &mut self,
        source: Source,
        work: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.conn.pragma_update(None, "query_only", false)?;
        changes::lock_touched(&self.touched).clear();
        let result: Result<T> = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut tx = Tx::new(tx, source, Arc::clone(&self.touched));
            let value = work(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })();
        let sealed = self.seal();
        let value = result?;
        sealed?;
        Ok(value)
    }

    /// Copies the file next to itself (`scopebook.sqlite3.v1-20261122T101500.bak`).
    fn backup_before_migration(&self, version: i64) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| DATABASE_FILE.to_string());
        let backup = path.with_file_name(format!("{file_name}.v{version}-{stamp}.bak"));
        // VACUUM INTO writes only the new file, but `query_only` refuses it all the same.
        self.conn.pragma_update(None, "query_only", false)?;
        let copied = self
            .conn
            .execute("VACUUM INTO ?1", [backup.to_string_lossy().as_ref()]);
        self.seal()?;
        copied?;
        Ok(())
    }
}

/// See [`Store::generation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    other: i64,
    logged: i64,
}

/// An OS file lock on `<database>.lock` beside the database, released when dropped.
fn opening_lock(path: &Path) -> Result<std::fs::File> {
    let lock_path = path.with_extension("sqlite3.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::io(format!("Scopebook can't open {}", lock_path.display()), e))?;
    file.lock()
        .map_err(|e| Error::io(format!("Scopebook can't lock {}", lock_path.display()), e))?;
    Ok(file)
}

fn read_identity(conn: &Connection) -> rusqlite::Result<(i64, i64, bool)> {
    conn.execute_batch("BEGIN")?;
    let read = (|| {
        let has_tables = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table')",
            [],
            |r| r.get(0),
        )?;
        let app_id = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        Ok((app_id, version, has_tables))
    })();
    conn.execute_batch("COMMIT")?;
    read
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // An in-memory database answers "memory"; a file answers "wal". Asking again on a file that
    // is already in WAL mode writes nothing, so processes opening the file together don't race.
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if mode != "wal" && mode != "memory" {
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    }
    // 16 MiB of page cache (a ceiling, filled only as pages are read; SQLite's default is 2 MiB)
    // holds a firm's working set — clients, services, proposals, the month's plan. A report over
    // years of invoices reads the rest from the OS's file cache, which costs milliseconds and
    // isn't held by the app; the screens read most often (the dashboard, the billing month) are
    // kept whole by the app between changes.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;

/// A text column borrowed from the row, not copied (for reads of thousands of rows).
pub(crate) fn str_column<'r>(row: &'r rusqlite::Row<'_>, at: usize) -> rusqlite::Result<&'r str> {
    Ok(row.get_ref(at)?.as_str()?)
}

/// [`str_column`] for a column that may be NULL.
pub(crate) fn optional_str_column<'r>(
    row: &'r rusqlite::Row<'_>,
    at: usize,
) -> rusqlite::Result<Option<&'r str>> {
    Ok(row.get_ref(at)?.as_str_or_null()?)
}

/// Reads a money or quantity column (decimal text) by name or position. Text that isn't a number
/// is an error, never zero.
pub(crate) fn decimal_column(
    row: &rusqlite::Row<'_>,
    column: impl rusqlite::RowIndex,
) -> rusqlite::Result<rust_decimal::Decimal> {
    // Borrowed from the row, not copied: plans and reports read thousands.
    let text = row.get_ref(column)?.as_str()?;
    text.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(enums::UnknownValue {
                what: "number",
                value: format!("{text} ({e})"),
            }),
        )
    })
}

/// [`decimal_column`] for a column that may be NULL.
pub(crate) fn optional_decimal_column(
    row: &rusqlite::Row<'_>,
    column: impl rusqlite::RowIndex,
) -> rusqlite::Result<Option<rust_decimal::Decimal>> {
    match row.get_ref(column)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => decimal_column(row, column).map(Some),
    }
}

/// Reads a JSON column by name; JSON that doesn't fit the type is an error, never a default.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    column: &str,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    json_text(&text, column)
}

/// Reads JSON text taken from `column` strictly: an unknown field or value is an error naming
/// the column, never a default.
pub(crate) fn json_text<T: serde::de::DeserializeOwned>(
    text: &str,
    column: &str,
) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(enums::UnknownValue {
                what: "stored detail",
                value: format!("{column}: {e}"),
            }),
        )
    })
}
