//! Backups of the data file and putting one back.
//!
//! A backup is a copy of the file taken with SQLite's online backup API from a connection of its
//! own, so it is a consistent snapshot even while the app writes, and the store's lock is not
//! held while it is taken. Backups live in `<data folder>/backups/`, named for when and why they
//! were taken (`scopebook-20261201T071500Z-daily.sqlite3`); a copy is written under a temporary
//! name and renamed when complete, so a half-written backup never looks like one.
//!
//! Automatic backups: the first start of each day, before each posting run, and before a restore
//! (the copy taken before a migration sits beside the file, see `store`). After each, only the
//! newest [`backups_kept`] are kept.
//!
//! A restore checks the chosen file first (a Scopebook data file, not from a newer Scopebook,
//! undamaged), backs up the current file, copies the backup into the live file through the same
//! API (so other connections see the change at once), then reopens it — migrating an older
//! backup to today's schema — and logs that it happened.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{Connection, MAIN_DB, OpenFlags};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store::{APPLICATION_ID, DATABASE_FILE, LATEST_VERSION, Source, Store};

/// The folder inside the data folder that holds the backups.
pub const BACKUP_DIR: &str = "backups";

/// How many backups are kept when the practice hasn't said.
pub const DEFAULT_KEPT: u32 = 14;

/// The fewest and most backups the setting allows.
pub const KEPT_RANGE: std::ops::RangeInclusive<u32> = 1..=365;

const STAMP: &str = "%Y%m%dT%H%M%SZ";

crate::db_enum! {
    /// Why a backup was taken.
    #[ts(export)]
    pub enum BackupReason: "backup reason" {
        /// The first start of the day.
        Daily = "daily",
        /// Before invoices were posted to Xero.
        BeforePosting = "posting",
        /// "Back up now".
        Manual = "manual",
        /// The file as it was before a backup was restored over it.
        BeforeRestore = "restore",
        /// The file as it was before Scopebook upgraded its layout (kept beside the file).
        BeforeUpgrade = "upgrade",
    }
}

/// What a data file holds, in a bookkeeper's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Contents {
    /// The file's layout version (older ones are upgraded when restored).
    pub schema_version: i64,
    pub practice_name: Option<String>,
    pub clients: u32,
    pub prospects: u32,
    pub services: u32,
    pub proposals: u32,
    /// Invoices posted to Xero.
    pub invoices_posted: u32,
    /// When the last change in it was made (RFC 3339), if any.
    pub last_change_at: Option<String>,
}

/// One backup on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Backup {
    pub file_name: String,
    pub path: String,
    pub reason: BackupReason,
    /// When it was taken (RFC 3339, UTC).
    pub taken_at: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// What it holds; `None` when it can't be read (it is listed, and refused on restore).
    pub contents: Option<Contents>,
}

/// The outcome of a restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Restored {
    /// The backup put back.
    pub from: Backup,
    /// The copy of the file as it was just before, if there was a readable one.
    pub previous: Option<Backup>,
}

/// The setting: how many backups to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackupSettings {
    pub kept: u32,
}

/// How many backups the practice keeps.
pub fn backups_kept(store: &Store) -> Result<u32> {
    let kept: Option<u32> = store
        .conn()
        .query_row("SELECT backups_kept FROM practice WHERE id = 1", [], |r| {
            r.get(0)
        })
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    Ok(kept.unwrap_or(DEFAULT_KEPT))
}

/// Sets how many backups to keep (the practice must be set up).
pub fn set_backups_kept(store: &mut Store, kept: u32) -> Result<BackupSettings> {
    if !KEPT_RANGE.contains(&kept) {
        return Err(Error::invalid(
            "kept",
            format!(
                "Keep between {} and {} backups.",
                KEPT_RANGE.start(),
                KEPT_RANGE.end()
            ),
        ));
    }
    store.write(Source::User, |tx| {
        let changed = tx.execute("UPDATE practice SET backups_kept = ?1 WHERE id = 1", [kept])?;
        if changed == 0 {
            return Err(Error::invalid(
                "kept",
                "Set up the practice first; its settings hold how many backups to keep.",
            ));
        }
        tx.log(
            "practice",
            1,
            "backups_kept",
            &serde_json::json!({ "kept": kept }),
        )?;
        Ok(BackupSettings { kept })
    })?;
    Ok(BackupSettings { kept })
}

/// The backups folder for the data file at `db_path`.
pub fn backup_dir(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(BACKUP_DIR)
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> Error {
    move |e| Error::io(what, e)
}

/// Takes a backup of the data file at `db_path` now, then keeps only the newest `kept`.
/// Reads the file through a connection of its own: call it without holding the store.
pub fn back_up(db_path: &Path, reason: BackupReason, kept: u32) -> Result<Backup> {
    let dir = backup_dir(db_path);
    std::fs::create_dir_all(&dir).map_err(io(format!(
        "Scopebook can't create its backups folder {}",
        dir.display()
    )))?;
    let now = Utc::now();
    let mut name = format!(
        "scopebook-{}-{}.sqlite3",
        now.format(STAMP),
        reason.as_str()
    );
    // Two backups in the same second (a manual one right after the daily one) keep both.
    let mut n = 1;
    while dir.join(&name).exists() {
        n += 1;
        name = format!(
            "scopebook-{}-{}-{n}.sqlite3",
            now.format(STAMP),
            reason.as_str()
        );
    }
    let path = dir.join(&name);
    copy_database(db_path, &path)?;
    prune(&dir, kept, &path)?;
    describe(&path)
}

/// Copies the SQLite file at `from` to a new file `to` with the online backup API, through a
/// temporary name.
pub(crate) fn copy_database(from: &Path, to: &Path) -> Result<()> {
    let partial = to.with_extension("partial");
    let source = Connection::open_with_flags(
        from,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| cant_read(from, e))?;
    source.busy_timeout(std::time::Duration::from_secs(30))?;
    let _ = std::fs::remove_file(&partial);
    let copied = (|| -> rusqlite::Result<()> {
        let mut copy = Connection::open(&partial)?;
        rusqlite::backup::Backup::new(&source, &mut copy)?.run_to_completion(
            1024,
            std::time::Duration::ZERO,
            None,
        )?;
        // One self-contained file: no journal beside it to lose when it is copied elsewhere.
        let _mode: String = copy.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        Ok(())
    })()
    .map_err(|e| Error::UnreadableDatabase {
        path: from.display().to_string(),
        reason: format!("it could not be copied ({e})"),
    });
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, to).map_err(io(format!("Scopebook can't write {}", to.display())))
}

fn cant_read(path: &Path, e: rusqlite::Error) -> Error {
    Error::UnreadableDatabase {
        path: path.display().to_string(),
        reason: format!("it could not be opened ({e})"),
    }
}

/// Removes the oldest backups in `dir` beyond the newest `kept`; never `just_taken`.
fn prune(dir: &Path, kept: u32, just_taken: &Path) -> Result<()> {
    let mut backups = list_dir(dir)?;
    backups.sort_by_key(|b| std::cmp::Reverse(b.1));
    for (path, _) in backups.into_iter().skip(kept.max(1) as usize) {
        if path != just_taken {
            std::fs::remove_file(&path).map_err(io(format!(
                "Scopebook can't remove the old backup {}",
                path.display()
            )))?;
        }
    }
    Ok(())
}

/// The backup files in `dir` with when they were taken (from their names).
fn list_dir(dir: &Path) -> Result<Vec<(PathBuf, DateTime<Utc>)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::io(
                format!("Scopebook can't read its backups folder {}", dir.display()),
                e,
            ));
        }
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io(format!("Scopebook can't read {}", dir.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some((taken, _)) = parse_name(&name) {
            found.push((entry.path(), taken));
        }
    }
    Ok(found)
}

/// When and why a backup was taken, from its file name: `scopebook-<stamp>-<reason>[-n].sqlite3`
/// in the backups folder, or `scopebook.sqlite3.v<N>-<stamp>.bak` beside the file.
fn parse_name(name: &str) -> Option<(DateTime<Utc>, BackupReason)> {
    let utc = |stamp: &str, format: &str| {
        NaiveDateTime::parse_from_str(stamp, format)
            .ok()
            .map(|t| t.and_utc())
    };
    if let Some(rest) = name
        .strip_prefix("scopebook-")
        .and_then(|n| n.strip_suffix(".sqlite3"))
    {
        let (stamp, reason) = rest.split_once('-')?;
        let reason = reason.split('-').next()?;
        return Some((utc(stamp, STAMP)?, reason.parse::<BackupReason>().ok()?));
    }
    let rest = name
        .strip_prefix(&format!("{DATABASE_FILE}.v"))?
        .strip_suffix(".bak")?;
    let (_, stamp) = rest.split_once('-')?;
    Some((utc(stamp, "%Y%m%dT%H%M%S")?, BackupReason::BeforeUpgrade))
}

/// Describes one backup file (its contents read without a full check).
fn describe(path: &Path) -> Result<Backup> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((taken, reason)) = parse_name(&file_name) else {
        return Err(Error::invalid(
            "backup",
            format!("{file_name} isn't named like a Scopebook backup."),
        ));
    };
    let size_bytes = std::fs::metadata(path)
        .map_err(io(format!("Scopebook can't read {}", path.display())))?
        .len();
    Ok(Backup {
        file_name,
        path: path.display().to_string(),
        reason,
        taken_at: taken.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        size_bytes,
        contents: read_contents(path, false).ok(),
    })
}

/// The backups of the data file at `db_path`, newest first: the backups folder and the copies
/// taken before upgrades.
pub fn list_backups(db_path: &Path) -> Result<Vec<Backup>> {
    let mut found = list_dir(&backup_dir(db_path))?;
    if let Some(parent) = db_path.parent() {
        found.extend(
            list_dir(parent)?
                .into_iter()
                .filter(|(p, _)| p.extension().is_some_and(|e| e == "bak")),
        );
    }
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    found.iter().map(|(path, _)| describe(path)).collect()
}

/// The newest backup that reads as a sound Scopebook data file, for a damaged file on start.
pub fn newest_good_backup(db_path: &Path) -> Result<Option<Backup>> {
    for backup in list_backups(db_path)? {
        if check(Path::new(&backup.path)).is_ok() {
            return Ok(Some(backup));
        }
    }
    Ok(None)
}

/// Checks that `path` is a sound Scopebook data file this version can open, and says what it
/// holds. The full page check reads the whole file.
pub fn check(path: &Path) -> Result<Contents> {
    read_contents(path, true)
}

fn read_contents(path: &Path, full_check: bool) -> Result<Contents> {
    let refused = |reason: &str| Error::UnreadableDatabase {
        path: path.display().to_string(),
        reason: reason.to_string(),
    };
    if !path.is_file() {
        return Err(refused("there is no such file"));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| cant_read(path, e))?;
    let header = || -> rusqlite::Result<(i64, i64)> {
        Ok((
            conn.query_row("PRAGMA application_id", [], |r| r.get(0))?,
            conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        ))
    };
    let (app_id, version) =
        header().map_err(|_| refused("it is not a Scopebook data file, or it is damaged"))?;
    if app_id != APPLICATION_ID {
        return Err(refused("it is not a Scopebook data file"));
    }
    if version > LATEST_VERSION {
        return Err(Error::NewerDatabase {
            found: version,
            supported: LATEST_VERSION,
        });
    }
    if full_check {
        let integrity: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|_| refused("it is damaged"))?;
        if integrity != "ok" {
            return Err(refused(&format!("it is damaged ({integrity})")));
        }
    }
    let count = |sql: &str| -> Result<u32> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|_| refused("it is damaged"))
    };
    Ok(Contents {
        schema_version: version,
        practice_name: conn
            .query_row("SELECT firm_name FROM practice WHERE id = 1", [], |r| {
                r.get(0)
            })
            .ok(),
        clients: count("SELECT count(*) FROM clients WHERE kind = 'client'")?,
        prospects: count("SELECT count(*) FROM clients WHERE kind = 'prospect'")?,
        services: count("SELECT count(*) FROM services")?,
        proposals: count("SELECT count(*) FROM proposals")?,
        invoices_posted: if version >= 11 {
            count("SELECT count(*) FROM outbox WHERE state = 'posted'")?
        } else {
            0
        },
        last_change_at: conn
            .query_row("SELECT max(at) FROM changes", [], |r| r.get(0))
            .map_err(|_| refused("it is damaged"))?,
    })
}

/// Checks the file at `path` fully and describes it (for the confirmation before a restore).
pub fn inspect(path: &Path) -> Result<Backup> {
    let contents = check(path)?;
    Ok(Backup {
        contents: Some(contents),
        ..described(path)?
    })
}

/// The path of the listed backup named `file_name` (a name from [`list_backups`], nothing else:
/// no folders, nothing outside the backups).
pub fn listed(db_path: &Path, file_name: &str) -> Result<PathBuf> {
    list_backups(db_path)?
        .into_iter()
        .find(|b| b.file_name == file_name)
        .map(|b| PathBuf::from(b.path))
        .ok_or_else(|| {
            Error::invalid(
                "backup",
                format!("There is no backup named {file_name}; the list may have changed."),
            )
        })
}

/// Puts the backup at `from` back as the data file `store` has open: checks it, backs up the
/// current file, copies the backup in, reopens (upgrading an older backup) and logs the restore.
pub fn restore(store: &mut Store, from: &Path) -> Result<Restored> {
    let Some(db_path) = store.path().map(Path::to_path_buf) else {
        return Err(Error::invalid(
            "backup",
            "This data file lives in memory; there is nothing to restore into.",
        ));
    };
    let from = from.to_path_buf();
    check(&from)?;
    let backup = described(&from)?;
    let kept = backups_kept(store)?;
    // The current file first, so a restore can itself be undone.
    let previous = back_up(
        &db_path,
        BackupReason::BeforeRestore,
        kept.saturating_add(1),
    )?;
    {
        let mut live = Connection::open_with_flags(
            &db_path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| cant_read(&db_path, e))?;
        live.busy_timeout(std::time::Duration::from_secs(30))?;
        live.restore(MAIN_DB, &from, None::<fn(rusqlite::backup::Progress)>)
            .map_err(|e| Error::UnreadableDatabase {
                path: from.display().to_string(),
                reason: format!("it could not be copied in ({e})"),
            })?;
    }
    *store = Store::open(&db_path)?;
    log_restore(store, &backup)?;
    Ok(Restored {
        from: backup,
        previous: Some(previous),
    })
}

/// Restores into a data file Scopebook could not open on start: the damaged file (and its
/// journal) is moved aside as `scopebook.sqlite3.damaged-<stamp>`, never deleted, and the backup
/// copied in its place. Returns the opened store.
pub fn restore_damaged(db_path: &Path, from: &Path) -> Result<(Store, Restored)> {
    check(from)?;
    let backup = described(from)?;
    let stamp = Utc::now().format(STAMP);
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if file.exists() {
            let aside = PathBuf::from(format!("{}.damaged-{stamp}{suffix}", db_path.display()));
            std::fs::rename(&file, &aside).map_err(io(format!(
                "Scopebook can't move the damaged file {} aside",
                file.display()
            )))?;
        }
    }
    copy_database(from, db_path)?;
    let mut store = Store::open(db_path)?;
    log_restore(&mut store, &backup)?;
    Ok((
        store,
        Restored {
            from: backup,
            previous: None,
        },
    ))
}

/// A backup as listed, or — for a file the bookkeeper picked from elsewhere — described by its
/// own contents and modification time.
fn described(path: &Path) -> Result<Backup> {
    if let Ok(backup) = describe(path) {
        return Ok(backup);
    }
    let metadata =
        std::fs::metadata(path).map_err(io(format!("Scopebook can't read {}", path.display())))?;
    let modified: DateTime<Utc> = metadata
        .modified()
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|_| Utc::now());
    Ok(Backup {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path: path.display().to_string(),
        reason: BackupReason::Manual,
        taken_at: modified.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        size_bytes: metadata.len(),
        contents: read_contents(path, false).ok(),
    })
}

fn log_restore(store: &mut Store, backup: &Backup) -> Result<()> {
    store.write(Source::User, |tx| {
        tx.log(
            "data_file",
            1,
            "restored",
            &serde_json::json!({ "from": backup.file_name, "taken_at": backup.taken_at }),
        )
    })
}

/// Takes the day's backup if none was taken today (UTC) — on the app's start.
pub fn daily_backup_if_due(db_path: &Path, kept: u32) -> Result<Option<Backup>> {
    let today = Utc::now().date_naive();
    let taken_today = list_dir(&backup_dir(db_path))?.iter().any(|(path, taken)| {
        taken.date_naive() == today
            && path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().contains("-daily"))
    });
    if taken_today {
        return Ok(None);
    }
    back_up(db_path, BackupReason::Daily, kept).map(Some)
}

#[cfg(test)]
mod tests;
