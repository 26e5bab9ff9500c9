//! The SQLite store: one file, WAL, foreign keys on, schema only from `migrations/*.sql`.
//!
//! Opening never damages a file it cannot use: a newer schema, a foreign or corrupt file is
//! refused with a clear error before anything is written, and a copy is taken before migrating.

mod changes;
mod migrate;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use changes::{Change, Source, Tx, history};
pub use migrate::{LATEST_VERSION, MIGRATIONS};

use crate::error::{Error, Result};

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "scopebook.sqlite3";

/// Marks a SQLite file as Scopebook's (`PRAGMA application_id`), so we never migrate someone
/// else's database that happens to sit in the data folder. ASCII "SCPB".
const APPLICATION_ID: i64 = 0x5343_5042;

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
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

        // Reading the header is the first thing that fails on a file that isn't SQLite.
        let (app_id, version) = read_identity(&conn)
            .map_err(|_| unreadable("it is not a Scopebook data file, or it is damaged".into()))?;
        let has_tables: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table')",
                [],
                |r| r.get(0),
            )
            .map_err(|_| unreadable("it is damaged".into()))?;
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
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
        };
        if version < LATEST_VERSION {
            if existed && version > 0 {
                store.backup_before_migration(version)?;
            }
            migrate::apply(&mut store.conn, version)?;
        }
        Ok(store)
    }

    /// A private in-memory database at the latest schema, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrate::apply(&mut conn, 0)?;
        Ok(Store { conn, path: None })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// For reads. Writes go through [`Store::write`] so they are atomic and attributed.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `work` in one transaction; every change it logs carries `source`. Nothing is kept
    /// unless `work` returns `Ok`.
    pub fn write<T>(
        &mut self,
        source: Source,
        work: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self.conn.transaction()?;
        let mut tx = Tx::new(tx, source);
        let value = work(&mut tx)?;
        tx.commit()?;
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
        self.conn
            .execute("VACUUM INTO ?1", [backup.to_string_lossy().as_ref()])?;
        Ok(())
    }
}

fn read_identity(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    let app_id = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok((app_id, version))
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // An in-memory database answers "memory"; a file answers "wal".
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA application_id = {APPLICATION_ID};"
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests;
