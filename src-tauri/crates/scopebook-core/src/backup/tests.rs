//! Backups and restores on real files.

use super::*;
use crate::ErrorCode;

use crate::practice::{PracticeSetup, setup_practice};

fn practice(store: &mut Store) {
    setup_practice(
        store,
        PracticeSetup {
            firm_name: "Ledger & Co".into(),
            country: "AU".into(),
            base_currency: "AUD".into(),
        },
    )
    .unwrap();
}

fn client(store: &mut Store, name: &str) -> i64 {
    crate::clients::named_for_test(store, name)
}

fn names(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT display_name FROM clients ORDER BY display_name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn a_backup_is_a_consistent_copy_that_says_what_it_holds_and_restoring_it_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    practice(&mut store);
    client(&mut store, "Acme Pty Ltd");
    client(&mut store, "Birch Bakery");
    let db = store.path().unwrap().to_path_buf();

    let backup = back_up(&db, BackupReason::Manual, 14).unwrap();
    assert_eq!(backup.reason, BackupReason::Manual);
    assert!(backup.file_name.starts_with("scopebook-"));
    assert!(backup.file_name.ends_with("-manual.sqlite3"));
    let contents = backup.contents.clone().unwrap();
    assert_eq!(contents.practice_name.as_deref(), Some("Ledger & Co"));
    assert_eq!((contents.clients, contents.prospects), (0, 2));
    assert_eq!(contents.schema_version, LATEST_VERSION);
    assert!(contents.last_change_at.is_some());
    assert_eq!(check(Path::new(&backup.path)).unwrap(), contents);

    // Work goes on after the backup, then the backup is put back.
    client(&mut store, "Cedar Dental");
    assert_eq!(names(&store).len(), 3);
    let restored = restore(&mut store, Path::new(&backup.path)).unwrap();
    assert_eq!(names(&store), ["Acme Pty Ltd", "Birch Bakery"]);
    // The file as it was just before is kept, with the third client in it.
    let previous = restored.previous.unwrap();
    assert_eq!(previous.reason, BackupReason::BeforeRestore);
    assert_eq!(previous.contents.unwrap().prospects, 3);
    // The restore is in the change log, and the store writes on as before.
    let logged: String = store
        .conn()
        .query_row(
            "SELECT detail FROM changes WHERE entity = 'data_file' AND action = 'restored'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(logged.contains(&backup.file_name), "{logged}");
    client(&mut store, "Dune Surf");
    assert_eq!(names(&store).len(), 3);
    // Another connection to the same file (the CLI beside the app) sees the restored data.
    let other = Store::open(&db).unwrap();
    assert_eq!(names(&other).len(), 3);

    let listed = list_backups(&db).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[0].reason,
        BackupReason::BeforeRestore,
        "newest first"
    );
}

#[test]
fn only_the_newest_backups_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    practice(&mut store);
    let db = store.path().unwrap().to_path_buf();
    let folder = backup_dir(&db);
    std::fs::create_dir_all(&folder).unwrap();
    // Five older backups, then one more with room for three.
    for day in 1..=5 {
        let name = format!("scopebook-202611{day:02}T090000Z-daily.sqlite3");
        std::fs::copy(&db, folder.join(name)).unwrap();
    }
    let newest = back_up(&db, BackupReason::Manual, 3).unwrap();
    let left: Vec<String> = list_backups(&db)
        .unwrap()
        .into_iter()
        .map(|b| b.file_name)
        .collect();
    assert_eq!(
        left,
        [
            newest.file_name.as_str(),
            "scopebook-20261105T090000Z-daily.sqlite3",
            "scopebook-20261104T090000Z-daily.sqlite3",
        ]
    );
    // The setting bounds it, and needs the practice.
    assert_eq!(backups_kept(&store).unwrap(), DEFAULT_KEPT);
    set_backups_kept(&mut store, 30).unwrap();
    assert_eq!(backups_kept(&store).unwrap(), 30);
    let error = set_backups_kept(&mut store, 0).unwrap_err();
    assert_eq!(error.code(), ErrorCode::Invalid);
    let mut empty = Store::open_in_memory().unwrap();
    assert_eq!(backups_kept(&empty).unwrap(), DEFAULT_KEPT);
    assert!(set_backups_kept(&mut empty, 5).is_err());
}

#[test]
fn the_daily_backup_is_taken_once_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    practice(&mut store);
    let db = store.path().unwrap().to_path_buf();
    let first = daily_backup_if_due(&db, 14).unwrap().unwrap();
    assert_eq!(first.reason, BackupReason::Daily);
    assert!(daily_backup_if_due(&db, 14).unwrap().is_none());
    // A manual backup doesn't count as the day's.
    std::fs::remove_file(&first.path).unwrap();
    back_up(&db, BackupReason::Manual, 14).unwrap();
    assert!(daily_backup_if_due(&db, 14).unwrap().is_some());
}

#[test]
fn a_file_that_is_not_a_sound_scopebook_backup_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    practice(&mut store);
    client(&mut store, "Acme Pty Ltd");
    let elsewhere = tempfile::tempdir().unwrap();

    let text = elsewhere.path().join("notes.sqlite3");
    std::fs::write(&text, "not a database at all, just some words").unwrap();
    let foreign = elsewhere.path().join("other.sqlite3");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let newer = elsewhere.path().join("newer.sqlite3");
    copy_database(store.path().unwrap(), &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", LATEST_VERSION + 1)
        .unwrap();
    let missing = elsewhere.path().join("missing.sqlite3");

    for (file, code) in [
        (&text, ErrorCode::UnreadableDatabase),
        (&foreign, ErrorCode::UnreadableDatabase),
        (&newer, ErrorCode::NewerDatabase),
        (&missing, ErrorCode::UnreadableDatabase),
    ] {
        let error = restore(&mut store, file).unwrap_err();
        assert_eq!(error.code(), code, "{}: {error}", file.display());
        assert_eq!(names(&store), ["Acme Pty Ltd"]);
    }
    assert!(
        list_backups(store.path().unwrap()).unwrap().is_empty(),
        "a refused restore takes no backup either"
    );
}

#[test]
fn a_damaged_data_file_is_moved_aside_and_the_newest_good_backup_opened() {
    let dir = tempfile::tempdir().unwrap();
    let db = {
        let mut store = Store::open_in(dir.path()).unwrap();
        practice(&mut store);
        client(&mut store, "Acme Pty Ltd");
        let db = store.path().unwrap().to_path_buf();
        back_up(&db, BackupReason::Daily, 14).unwrap();
        db
    };
    // A newer backup that is itself damaged is passed over.
    let folder = backup_dir(&db);
    std::fs::write(
        folder.join("scopebook-20991231T000000Z-manual.sqlite3"),
        vec![0x5au8; 8192],
    )
    .unwrap();
    std::fs::write(&db, vec![0xffu8; 16384]).unwrap();
    assert!(Store::open(&db).is_err());

    let good = newest_good_backup(&db).unwrap().unwrap();
    assert_eq!(good.reason, BackupReason::Daily);
    let (store, restored) = restore_damaged(&db, Path::new(&good.path)).unwrap();
    assert_eq!(restored.from.file_name, good.file_name);
    assert_eq!(names(&store), ["Acme Pty Ltd"]);
    let aside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".damaged-"))
        .collect();
    assert!(
        aside
            .iter()
            .any(|n| !n.ends_with("-wal") && !n.ends_with("-shm")),
        "the damaged file is kept: {aside:?}"
    );
}

#[test]
fn an_older_backup_is_upgraded_when_restored() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    practice(&mut store);
    // A file at schema 16 (before this version's backup setting), as an older Scopebook kept it.
    let old = dir.path().join("old.sqlite3");
    {
        let conn = Connection::open(&old).unwrap();
        for migration in crate::store::MIGRATIONS.iter().filter(|m| m.version <= 16) {
            conn.execute_batch(migration.sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 16).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.execute(
            "INSERT INTO clients (display_name, kind, created_at, updated_at)
             VALUES ('Old Client', 'client', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
    }
    assert_eq!(check(&old).unwrap().schema_version, 16);
    restore(&mut store, &old).unwrap();
    assert_eq!(names(&store), ["Old Client"]);
    let version: i64 = store
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
    assert_eq!(backups_kept(&store).unwrap(), DEFAULT_KEPT);
}
