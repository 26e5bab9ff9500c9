//! Forward-only migrations, embedded from `migrations/` by the build script.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::error::{Error, Result};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The schema version this build writes; an older build refuses a file with a higher one.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every migration the file lacks, each in its own transaction with its version stamp.
///
/// The version is read again inside each write transaction (`BEGIN IMMEDIATE`), so when several
/// processes open a new or older file at once, one migrates and the others wait, then skip.
///
/// Foreign keys are off while migrations run (SQLite's procedure for rebuilding a table whose
/// constraints change: with them on, dropping the old table would cascade-delete the rows that
/// refer to it), and every migration must leave none broken: `PRAGMA foreign_key_check` runs
/// before its commit, and a violation rolls it back.
pub(super) fn apply(conn: &mut Connection, application_id: i64) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", false)?;
    let applied = apply_each(conn, application_id);
    conn.pragma_update(None, "foreign_keys", true)?;
    applied
}

fn apply_each(conn: &mut Connection, application_id: i64) -> Result<()> {
    for migration in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current >= migration.version {
            continue;
        }
        if current == 0 {
            tx.pragma_update(None, "application_id", application_id)?;
        }
        tx.execute_batch(migration.sql)?;
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(Error::UnreadableDatabase {
                path: String::new(),
                reason: format!(
                    "migration {} ({}) left a row of {table} pointing at nothing",
                    migration.version, migration.name
                ),
            });
        }
        tx.pragma_update(None, "user_version", migration.version)?;
        tx.commit()?;
    }
    Ok(())
}
