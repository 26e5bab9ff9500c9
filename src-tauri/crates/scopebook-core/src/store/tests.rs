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
    store.conn.pragma_update(None, "query_only", false).unwrap();
    migrate::apply(&mut store.conn, APPLICATION_ID).unwrap();
    store.seal().unwrap();
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

#[test]
fn a_write_that_skips_the_change_log_is_refused_and_keeps_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let err = store
        .write(Source::User, |tx| {
            tx.execute(
                "INSERT INTO practice (id, firm_name, country, base_currency, locale, created_at, updated_at)
                 VALUES (1, 'Sneaky', 'AU', 'AUD', 'en-AU', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                [],
            )?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, crate::Error::Unlogged { .. }), "{err:?}");
    assert!(err.to_string().contains("practice"), "{err}");
    let rows: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM practice", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0, "the unlogged row was rolled back");
    // The same write with a change record goes through.
    store
        .write(Source::User, |tx| {
            tx.execute(
                "INSERT INTO practice (id, firm_name, country, base_currency, locale, created_at, updated_at)
                 VALUES (1, 'Open', 'AU', 'AUD', 'en-AU', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                [],
            )?;
            tx.log("practice", 1, "create", &serde_json::json!({}))
        })
        .unwrap();
}

#[test]
fn reads_cannot_write() {
    let store = Store::open_in_memory().unwrap();
    let err = store
        .conn()
        .execute(
            "INSERT INTO changes (at, source, entity, entity_id, action) VALUES ('x', 'user', 'e', 1, 'a')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("readonly"), "{err}");
}

#[test]
fn an_unknown_source_read_back_is_an_error_not_a_default() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .write(Source::System, |tx| {
            tx.log("test", 7, "tick", &serde_json::json!({}))
        })
        .unwrap();
    let log = history(store.conn(), "test", 7, 1).unwrap();
    assert_eq!(log[0].source, Source::System);
    // A value no version of Scopebook writes (the CHECK is bypassed by rebuilding the row).
    store
        .write(Source::User, |tx| {
            tx.execute_batch(
                "PRAGMA ignore_check_constraints = ON;
                 UPDATE changes SET source = 'robot' WHERE entity = 'test';
                 PRAGMA ignore_check_constraints = OFF;",
            )?;
            tx.log("test", 8, "tamper", &serde_json::json!({}))
        })
        .unwrap();
    let err = crate::Error::from(history(store.conn(), "test", 7, 1).unwrap_err_db());
    let report = err.report();
    assert_eq!(report.code, crate::ErrorCode::Database);
    assert!(
        report.message.contains("unknown change source"),
        "{}",
        report.message
    );
    assert!(report.message.contains("robot"), "{}", report.message);
}

trait UnwrapErrDb<T> {
    fn unwrap_err_db(self) -> rusqlite::Error;
}

impl<T: std::fmt::Debug> UnwrapErrDb<T> for Result<T> {
    fn unwrap_err_db(self) -> rusqlite::Error {
        match self.unwrap_err() {
            crate::Error::Database(e) => e,
            other => panic!("expected a database error, got {other:?}"),
        }
    }
}

#[test]
fn twenty_writers_in_twenty_connections_queue_and_none_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    Store::open_in(dir.path()).unwrap();
    let writers: Vec<_> = (0..20)
        .map(|n| {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || -> Result<()> {
                let mut store = Store::open_in(&dir)?;
                // A read first, as a real use case does, then the write.
                let _: i64 = store
                    .conn()
                    .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))?;
                // Read, then write, in one transaction (what a numbering or a duplicate check
                // does): a deferred transaction would fail here with "database is locked" when
                // another writer got in between; taken IMMEDIATE, they queue.
                store.write(Source::User, |tx| {
                    let seen: i64 =
                        tx.query_row("SELECT count(*) FROM changes", [], |r| r.get(0))?;
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    tx.log(
                        "writer",
                        n,
                        "write",
                        &serde_json::json!({ "n": n, "seen": seen }),
                    )
                })
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap().unwrap();
    }
    let store = Store::open_in(dir.path()).unwrap();
    let count: i64 = store
        .conn()
        .query_row(
            "SELECT count(DISTINCT entity_id) FROM changes WHERE entity = 'writer'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 20);
}

#[test]
fn twenty_processes_opening_a_new_file_at_once_migrate_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let openers: Vec<_> = (0..20)
        .map(|_| {
            let dir = dir.path().to_path_buf();
            std::thread::spawn(move || Store::open_in(&dir).map(|_| ()))
        })
        .collect();
    for o in openers {
        o.join().unwrap().unwrap();
    }
    let store = Store::open_in(dir.path()).unwrap();
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
}

#[test]
fn the_generation_moves_on_a_write_here_or_in_another_process_and_not_on_a_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut here = Store::open_in(dir.path()).unwrap();
    let mut other = Store::open_in(dir.path()).unwrap();
    let first = here.generation().unwrap();
    let _: i64 = here
        .conn()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(here.generation().unwrap(), first, "a read changes nothing");

    here.write(Source::User, |tx| {
        tx.log("test", 1, "here", &serde_json::json!({}))
    })
    .unwrap();
    let second = here.generation().unwrap();
    assert_ne!(second, first, "this connection's write");

    other
        .write(Source::User, |tx| {
            tx.log("test", 2, "there", &serde_json::json!({}))
        })
        .unwrap();
    let third = here.generation().unwrap();
    assert_ne!(third, second, "another connection's write");
    assert_eq!(here.generation().unwrap(), third);
}

/// Migration 25 rebuilds the services table (SQLite can't change a CHECK in place): a per-unit
/// service's tiers (ON DELETE CASCADE), the proposal lines and work that refer to services, and
/// the indexes all come through, with foreign keys back on afterwards.
#[test]
fn rebuilding_the_services_table_keeps_tiers_and_references() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for m in &MIGRATIONS[..24] {
            conn.execute_batch(m.sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 24).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             INSERT INTO services (id, name, pricing_kind, unit_name, default_quantity, frequency,
                 created_at, updated_at)
             VALUES (7, 'Transactions', 'per_unit', 'transactions', '250', 'monthly', 'x', 'x');
             INSERT INTO service_tiers (service_id, position, up_to, unit_price)
             VALUES (7, 0, '100', '2.00'), (7, 1, NULL, '1.50');
             INSERT INTO clients (id, display_name, created_at, updated_at) VALUES (1, 'Acme', 'x', 'x');
             INSERT INTO proposals (id, number, client_id, title, valid_until, created_at, updated_at)
             VALUES (1, 'P-1', 1, 'T', '2027-01-01', 'x', 'x');
             INSERT INTO proposal_lines (proposal_id, position, service_id, name, pricing, frequency,
                 quantity, price, start_month)
             VALUES (1, 0, 7, 'Transactions', '{}', 'monthly', '250', '425.00', '2027-01');",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let conn = store.conn();
    let tiers: i64 = conn
        .query_row(
            "SELECT count(*) FROM service_tiers WHERE service_id = 7",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tiers, 2);
    let line_service: i64 = conn
        .query_row("SELECT service_id FROM proposal_lines", [], |r| r.get(0))
        .unwrap();
    assert_eq!(line_service, 7);
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'services'
             AND name IN ('services_active_name', 'services_category')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 2);
    let on: bool = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert!(on, "foreign keys are back on after migrating");
    drop(store);
    // The new price types are allowed, and still only on a fixed price.
    let raw = rusqlite::Connection::open(&path).unwrap();
    let price_as = |kind: &str, price_type: &str, high: Option<&str>| {
        raw.execute(
            "UPDATE services SET pricing_kind = ?1, price = '1', price_type = ?2, price_high = ?3
             WHERE id = 7",
            rusqlite::params![kind, price_type, high],
        )
    };
    assert!(price_as("per_unit", "range", Some("2")).is_err());
    assert!(
        price_as("fixed", "range", None).is_err(),
        "a range needs its top"
    );
    assert!(price_as("fixed", "range", Some("2")).is_ok());
}
