//! The change log: every write is attributed to a [`Source`] and recorded in one transaction
//! with the data it changed.

use std::collections::BTreeSet;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Transaction, params};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};

crate::db_enum! {
    /// Who made a change.
    #[ts(export)]
    pub enum Source: "change source" {
        User = "user",
        Import = "import",
        Sync = "sync",
        Posting = "posting",
        /// Scopebook itself: a sent proposal passing its validity date, and other automatic steps.
        System = "system",
    }
}

/// Tables a write may change without a change record: the change log itself, the log of Xero
/// calls, where the next contacts pull and payments refresh start, and the posting lease (sync
/// bookkeeping, not the firm's data; what a pull or a posting run changes is logged).
const SELF_LOGGING_TABLES: &[&str] = &[
    "changes",
    "xero_calls",
    "xero_sync_cursors",
    "posting_lease",
    "payments_cursor",
];

/// The tables one write transaction changed, as SQLite's update hook reports them.
#[derive(Debug, Default)]
pub(super) struct TouchedTables {
    tables: BTreeSet<String>,
    logged: bool,
}

impl TouchedTables {
    pub(super) fn record(&mut self, table: &str) {
        if table == "changes" {
            self.logged = true;
        }
        if !self.tables.contains(table) {
            self.tables.insert(table.to_string());
        }
    }

    pub(super) fn clear(&mut self) {
        self.tables.clear();
        self.logged = false;
    }

    /// The tables changed without a change record, if the transaction logged nothing.
    fn unlogged(&self) -> Vec<String> {
        if self.logged {
            return Vec::new();
        }
        self.tables
            .iter()
            .filter(|t| !SELF_LOGGING_TABLES.contains(&t.as_str()))
            .cloned()
            .collect()
    }
}

pub(super) fn lock_touched(touched: &Mutex<TouchedTables>) -> MutexGuard<'_, TouchedTables> {
    touched
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One row of the change log.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Change {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub source: Source,
    pub batch: Option<String>,
    pub entity: String,
    #[ts(type = "number")]
    pub entity_id: i64,
    pub action: String,
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
}

/// A write transaction that knows who is writing. Reads go through `Deref` to the transaction.
pub struct Tx<'c> {
    tx: Transaction<'c>,
    source: Source,
    batch: Option<String>,
    touched: Arc<Mutex<TouchedTables>>,
}

impl<'c> Tx<'c> {
    pub(super) fn new(
        tx: Transaction<'c>,
        source: Source,
        touched: Arc<Mutex<TouchedTables>>,
    ) -> Self {
        Tx {
            tx,
            source,
            batch: None,
            touched,
        }
    }

    /// Tags every change logged from now on with `batch` (an import or a sync run).
    pub fn set_batch(&mut self, batch: impl Into<String>) {
        self.batch = Some(batch.into());
    }

    pub fn source(&self) -> Source {
        self.source
    }

    /// Appends to the change log: `entity` #`entity_id` had `action` done, with `detail`.
    pub fn log(
        &self,
        entity: &str,
        entity_id: i64,
        action: &str,
        detail: &impl Serialize,
    ) -> Result<()> {
        let detail = serde_json::to_string(detail).unwrap_or_else(|_| "{}".to_string());
        self.tx.execute(
            "INSERT INTO changes (at, source, batch, entity, entity_id, action, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                crate::now(),
                self.source,
                self.batch,
                entity,
                entity_id,
                action,
                detail
            ],
        )?;
        Ok(())
    }

    /// Archives (or restores) row `id` of `table` and logs it against `entity`. Archived rows
    /// leave the active lists but stay wherever they are used.
    pub fn set_archived(
        &self,
        table: &'static str,
        entity: &str,
        id: i64,
        archived: bool,
    ) -> Result<()> {
        let sql = if archived {
            format!(
                "UPDATE {table} SET archived_at = ?2, updated_at = ?2 WHERE id = ?1 AND archived_at IS NULL"
            )
        } else {
            format!("UPDATE {table} SET archived_at = NULL, updated_at = ?2 WHERE id = ?1")
        };
        self.tx.execute(&sql, params![id, crate::now()])?;
        self.log(
            entity,
            id,
            if archived { "archive" } else { "restore" },
            &serde_json::json!({}),
        )
    }

    /// Commits, unless rows changed without a change record: then nothing is kept.
    pub(super) fn commit(self) -> Result<()> {
        let unlogged = lock_touched(&self.touched).unlogged();
        if !unlogged.is_empty() {
            // Dropping the transaction rolls it back.
            return Err(Error::Unlogged { tables: unlogged });
        }
        self.tx.commit()?;
        Ok(())
    }
}

impl<'c> Deref for Tx<'c> {
    type Target = Transaction<'c>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

/// The latest changes to one entity, newest first.
pub fn history(
    conn: &rusqlite::Connection,
    entity: &str,
    entity_id: i64,
    limit: u32,
) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, source, batch, entity, entity_id, action, detail FROM changes
         WHERE entity = ?1 AND entity_id = ?2 ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![entity, entity_id, limit], |r| {
        let detail: String = r.get("detail")?;
        Ok(Change {
            id: r.get("id")?,
            at: r.get("at")?,
            source: r.get("source")?,
            batch: r.get("batch")?,
            entity: r.get("entity")?,
            entity_id: r.get("entity_id")?,
            action: r.get("action")?,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
