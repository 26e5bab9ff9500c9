//! The change log: every write is attributed to a [`Source`] and recorded in one transaction
//! with the data it changed.

use std::ops::Deref;

use rusqlite::{Transaction, params};
use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Source {
    User,
    Import,
    Sync,
    Posting,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::User => "user",
            Source::Import => "import",
            Source::Sync => "sync",
            Source::Posting => "posting",
        }
    }
}

/// One row of the change log.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Change {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub source: String,
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
}

impl<'c> Tx<'c> {
    pub(super) fn new(tx: Transaction<'c>, source: Source) -> Self {
        Tx {
            tx,
            source,
            batch: None,
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
                self.source.as_str(),
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

    pub(super) fn commit(self) -> Result<()> {
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
        let detail: String = r.get(7)?;
        Ok(Change {
            id: r.get(0)?,
            at: r.get(1)?,
            source: r.get(2)?,
            batch: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            action: r.get(6)?,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
