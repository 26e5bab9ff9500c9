//! Forward-only migrations, embedded from `migrations/` by the build script.

use rusqlite::Connection;

use crate::error::Result;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The schema version this build writes; an older build refuses a file with a higher one.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every migration after `from`, each in its own transaction with its version stamp.
pub(super) fn apply(conn: &mut Connection, from: i64) -> Result<()> {
    for migration in MIGRATIONS.iter().filter(|m| m.version > from) {
        let tx = conn.transaction()?;
        tx.execute_batch(migration.sql)?;
        tx.pragma_update(None, "user_version", migration.version)?;
        tx.commit()?;
    }
    Ok(())
}
