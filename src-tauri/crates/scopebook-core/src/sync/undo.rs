//! Undoing a sync here: every row a sync writes in `clients`, `xero_links` or `xero_review` is
//! logged with its image before and after ([`imaged`]), so a sync batch is undone by putting
//! each row back as it was, newest first — exactly, or not at all when a row has been changed
//! since. What the sync sent to Xero stays in Xero (the mirror of Xero's contacts is Xero's
//! side, and is not undone either).

use std::collections::BTreeMap;

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{OptionalExtension, params_from_iter};
use serde::Serialize;
use serde_json::{Value, json};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store::{Source, Store, Tx};

/// The tables a sync writes locally; nothing else is imaged or restored.
const IMAGED_TABLES: &[&str] = &["clients", "xero_links", "xero_review"];

fn check_table(table: &str) -> Result<()> {
    if IMAGED_TABLES.contains(&table) {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "a sync doesn't keep images of the {table} table"
        )))
    }
}

/// Row `id` of `table` as JSON (column → value), or `null` when there is no such row.
fn image(tx: &Tx<'_>, table: &str, id: i64) -> Result<Value> {
    check_table(table)?;
    let mut stmt = tx.prepare_cached(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let row = stmt
        .query_row([id], |r| {
            let mut map = serde_json::Map::new();
            for (i, name) in names.iter().enumerate() {
                let value = match r.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => json!(n),
                    ValueRef::Real(x) => json!(x),
                    ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                    ValueRef::Blob(b) => json!({ "blob": b }),
                };
                map.insert(name.clone(), value);
            }
            Ok(Value::Object(map))
        })
        .optional()?;
    Ok(row.unwrap_or(Value::Null))
}

/// Runs `write`, which changes (or inserts, returning its id) one row of `table`, and logs the
/// change against `entity` #`entity_id` with the row's image before and after. `id` is the
/// row's id when it exists already.
pub(super) fn imaged(
    tx: &Tx<'_>,
    table: &str,
    id: Option<i64>,
    (entity, entity_id, action): (&str, i64, &str),
    detail: Value,
    write: impl FnOnce(&Tx<'_>) -> Result<i64>,
) -> Result<i64> {
    let before = match id {
        Some(id) => image(tx, table, id)?,
        None => Value::Null,
    };
    let row = write(tx)?;
    let after = image(tx, table, row)?;
    let mut detail = match detail {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    detail.insert(
        "image".into(),
        json!({ "table": table, "row": row, "before": before, "after": after }),
    );
    tx.log(entity, entity_id, action, &Value::Object(detail))?;
    Ok(row)
}

/// Puts row `id` of `table` back to `image` (`null`: the row did not exist).
fn restore(tx: &Tx<'_>, table: &str, id: i64, image: &Value) -> Result<()> {
    check_table(table)?;
    let Some(columns) = image.as_object() else {
        tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
        return Ok(());
    };
    let to_sql = |v: &Value| -> SqlValue {
        match v {
            Value::Null => SqlValue::Null,
            Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
            Value::Number(n) => match n.as_i64() {
                Some(i) => SqlValue::Integer(i),
                None => SqlValue::Real(n.as_f64().unwrap_or_default()),
            },
            Value::String(s) => SqlValue::Text(s.clone()),
            other => SqlValue::Text(other.to_string()),
        }
    };
    let names: Vec<&String> = columns.keys().collect();
    let values: Vec<SqlValue> = columns.values().map(to_sql).collect();
    let exists: bool = tx.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
        [id],
        |r| r.get(0),
    )?;
    let sql = if exists {
        let sets: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("\"{n}\" = ?{}", i + 1))
            .collect();
        format!(
            "UPDATE {table} SET {} WHERE id = ?{}",
            sets.join(", "),
            names.len() + 1
        )
    } else {
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
        format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            quoted.join(", "),
            marks.join(", ")
        )
    };
    let mut params = values;
    if exists {
        params.push(SqlValue::Integer(id));
    }
    tx.execute(&sql, params_from_iter(params))?;
    Ok(())
}

/// A sync that can be undone here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncBatch {
    pub batch: String,
    pub at: String,
    /// Rows it changed here (clients, links, review items).
    pub changes: u32,
    /// Whether it has been undone already.
    pub undone: bool,
}

/// The latest syncs that changed something here, newest first.
pub fn sync_batches(store: &Store, limit: u32) -> Result<Vec<SyncBatch>> {
    let mut stmt = store.conn().prepare(
        "SELECT batch, min(at) AS at, count(*) AS changes,
                EXISTS (SELECT 1 FROM changes u WHERE u.batch = 'undo-' || c.batch) AS undone
         FROM changes c
         WHERE batch LIKE 'sync-%' AND json_extract(detail, '$.image') IS NOT NULL
         GROUP BY batch ORDER BY max(id) DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(SyncBatch {
            batch: r.get("batch")?,
            at: r.get("at")?,
            changes: r.get("changes")?,
            undone: r.get("undone")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Puts every row sync `batch` changed here back as it was before, in one transaction logged
/// as batch `undo-<batch>`. Refused, with the clients named, when one of those rows was changed
/// after the sync; a second undo says it was done already. Returns the rows put back.
pub fn undo_sync(store: &mut Store, batch: &str) -> Result<u32> {
    if !batch.starts_with("sync-") {
        return Err(Error::invalid(
            "batch",
            format!(
                "\u{201c}{batch}\u{201d} isn't a sync. Sync batches start with \u{201c}sync-\u{201d}."
            ),
        ));
    }
    let undo_batch = not_undone_yet(store, batch, "That sync")?;
    let images = images_of(store, batch)?;
    if images.is_empty() {
        return Err(Error::invalid(
            "batch",
            "That sync changed nothing here, so there is nothing to undo.",
        ));
    }
    store.write(Source::Sync, |tx| {
        tx.set_batch(undo_batch.clone());
        put_back(tx, batch, &images, "That sync")
    })
}

/// The batch id an undo of `batch` is logged under — or, when `batch` was undone already, an
/// error that says when (`what`: "That sync", "That import from Xero").
pub(super) fn not_undone_yet(store: &Store, batch: &str, what: &str) -> Result<String> {
    let undo_batch = format!("undo-{batch}");
    let undone: Option<String> = store.conn().query_row(
        "SELECT min(at) FROM changes WHERE batch = ?1",
        [&undo_batch],
        |r| r.get(0),
    )?;
    match undone {
        Some(at) => Err(Error::AlreadyDone(format!(
            "{what} was already undone ({}). Nothing was changed.",
            at.replace('T', " ").trim_end_matches('Z')
        ))),
        None => Ok(undo_batch),
    }
}

/// A logged row image: (entity id, entity, change id, image).
pub(super) type Image = (i64, String, i64, Value);

/// The row images batch `batch` logged, oldest first.
pub(super) fn images_of(store: &Store, batch: &str) -> Result<Vec<Image>> {
    Ok(store
        .conn()
        .prepare(
            "SELECT entity_id, entity, id, json_extract(detail, '$.image') AS image FROM changes
             WHERE batch = ?1 AND json_extract(detail, '$.image') IS NOT NULL ORDER BY id",
        )?
        .query_map([batch], |r| {
            let image: String = r.get("image")?;
            Ok((
                r.get("entity_id")?,
                r.get("entity")?,
                r.get("id")?,
                serde_json::from_str(&image).unwrap_or(Value::Null),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Puts the rows of `images` back as they were before `batch`, newest first, inside the
/// caller's transaction. A client or link changed since the batch refuses it all, naming them
/// (`what`: "That sync", "The import from Xero"); review items are the batch's own bookkeeping
/// and go back whatever became of them. Returns the rows put back.
pub(super) fn put_back(tx: &Tx<'_>, batch: &str, images: &[Image], what: &str) -> Result<u32> {
    let mut last: BTreeMap<(String, i64), (&Value, i64)> = BTreeMap::new();
    for (entity_id, entity, _, image) in images {
        let table = image["table"].as_str().unwrap_or_default().to_string();
        let row = image["row"].as_i64().unwrap_or_default();
        let client = if entity == "client" { *entity_id } else { 0 };
        last.insert((table, row), (&image["after"], client));
    }
    let mut changed_since = Vec::new();
    for ((table, row), (after, client)) in &last {
        if table != "xero_review" && image(tx, table, *row)? != **after {
            let name: Option<String> = tx
                .query_row(
                    "SELECT display_name FROM clients WHERE id = ?1",
                    [client],
                    |r| r.get(0),
                )
                .optional()?;
            changed_since.push(name.unwrap_or_else(|| format!("{table} #{row}")));
        }
    }
    if !changed_since.is_empty() {
        changed_since.sort();
        changed_since.dedup();
        return Err(Error::InUse(format!(
            "{what} can't be undone, because these have been changed since: {}. Nothing was \
             undone.",
            changed_since.join(", ")
        )));
    }
    for (entity_id, entity, change_id, image) in images.iter().rev() {
        let table = image["table"].as_str().unwrap_or_default();
        let row = image["row"].as_i64().unwrap_or_default();
        restore(tx, table, row, &image["before"])?;
        tx.log(
            entity,
            *entity_id,
            "undo",
            &json!({ "batch": batch, "change": change_id, "table": table, "row": row }),
        )?;
    }
    Ok(last.len() as u32)
}
