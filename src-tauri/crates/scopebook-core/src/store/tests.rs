//! Opening, migrating and refusing database files, on real files.

use super::*;
use crate::ErrorCode;

#[test]
fn a_new_file_is_created_at_the_latest_version_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let conn = store.conn();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    assert!(dir.path().join(DATABASE_FILE).exists());
}

#[test]
fn reopening_keeps_data_and_takes_no_backup_when_current() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open_in(dir.path()).unwrap();
        store
            .write(Source::User, |tx| {
                tx.log("test", 1, "hello", &serde_json::json!({"n": 1}))
            })
            .unwrap();
    }
    let store = Store::open_in(dir.path()).unwrap();
    let log = history(store.conn(), "test", 1, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].detail["n"], 1);
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".bak")
        })
        .count();
    assert_eq!(backups, 0);
}

#[test]
fn a_failed_write_keeps_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let result: Result<()> = store.write(Source::User, |tx| {
        tx.log("test", 1, "first", &serde_json::json!({}))?;
        Err(crate::Error::invalid("name", "no"))
    });
    assert!(result.is_err());
    assert!(history(store.conn(), "test", 1, 10).unwrap().is_empty());
}

#[test]
fn a_newer_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert_eq!(err.code(), ErrorCode::NewerDatabase);
    assert!(err.to_string().contains("newer version of Scopebook"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_corrupt_file_is_refused_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let garbage = b"this is not a database, it is a shopping list: milk, eggs".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert_eq!(err.code(), ErrorCode::UnreadableDatabase);
    assert!(err.to_string().contains("has not been changed"));
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE recipes (name TEXT)")
            .unwrap();
    }
    let err = Store::open(&path).err().unwrap();
    assert_eq!(err.code(), ErrorCode::UnreadableDatabase);
    assert!(err.to_string().contains("another program"));
}

#[test]
fn an_older_database_is_backed_up_then_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    // Build a version-1 file by hand, as an earlier release would have left it.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0].sql).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.execute(
            "INSERT INTO changes (at, source, entity, entity_id, action) VALUES ('x', 'user', 'e', 1, 'a')",
            [],
        )
        .unwrap();
    }
    // Pretend a newer build knows one more migration.
    let mut store = Store::open(&path).unwrap();
    if LATEST_VERSION > 1 {
        let backups: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("scopebook.sqlite3.v1-") && n.ends_with(".bak"))
            .collect();
        assert_eq!(backups.len(), 1, "{backups:?}");
    }
    // The migration runner applies later files in order and stamps each version.
    migrate::apply(&mut store.conn, LATEST_VERSION).unwrap();
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
    assert_eq!(history(store.conn(), "e", 1, 10).unwrap().len(), 1);
}

#[test]
fn backup_is_a_readable_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let mut store = Store::open(&path).unwrap();
    store
        .write(Source::User, |tx| {
            tx.log("test", 7, "kept", &serde_json::json!({}))
        })
        .unwrap();
    store.backup_before_migration(1).unwrap();
    let backup = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".bak"))
        .unwrap();
    let copy = rusqlite::Connection::open(backup).unwrap();
    let n: i64 = copy
        .query_row(
            "SELECT count(*) FROM changes WHERE entity_id = 7",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}
