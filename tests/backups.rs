//! Never losing the firm's data, in the real window: the day's backup taken on start, "Back up
//! now", a restore that shows what the backup holds and puts it back (keeping the file as it
//! was), "Export everything" to a zip, a damaged data file on start opened from the newest good
//! backup — and the app itself: one window per data folder, the window's size remembered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::time::{Duration, Instant};

use scopebook_core::Store;
use scopebook_core::clients::{ClientDraft, create_client};
use scopebook_e2e::{App, Result, app_binary, practice_folder};

/// A prospect added from outside the window (as the CLI or another script would).
fn add_client(dir: &std::path::Path, name: &str) {
    let mut store = Store::open_in(dir).unwrap();
    create_client(
        &mut store,
        &ClientDraft {
            display_name: name.into(),
            ..ClientDraft::blank()
        },
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn backups_restore_and_export_everything() -> Result {
    let dir = practice_folder()?;
    add_client(dir.path(), "Acme Pty Ltd");
    let saves = tempfile::tempdir()?;
    let save_dir = saves.path().display().to_string();
    let app = App::launch_with(dir.path(), &[("SCOPEBOOK_SAVE_DIR", &save_dir)]).await?;

    // The day's backup was taken as the app started.
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=backups]").await?;
    app.wait_for("[data-testid=backups-table]").await?;
    app.wait_for_text("[data-testid=backups-table]", "Daily, on start")
        .await?;
    app.wait_for_text("[data-testid=backups-table]", "1 prospect")
        .await?;

    // Back up now, then work goes on: a second client, from the CLI beside the app.
    app.click("[data-testid=back-up-now]").await?;
    app.wait_for("[data-backup$='-manual.sqlite3']").await?;
    add_client(dir.path(), "Birch Bakery");
    app.click("[data-nav=clients]").await?;
    app.wait_for("[data-client='Birch Bakery']").await?;

    // Restore the manual backup: the dialog says what it holds before anything changes.
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=backups]").await?;
    app.click("[data-backup$='-manual.sqlite3'] [data-testid=restore-backup]")
        .await?;
    let holds = app
        .wait_for_text("[data-testid=restore-contents]", "prospect")
        .await?;
    assert!(holds.contains("0 clients and 1 prospect"), "{holds}");
    app.screenshot("91-restore-confirm", "[data-testid=restore-confirm]")
        .await?;
    app.click("[data-testid=confirm-restore]").await?;
    app.wait_gone("[data-testid=restore-confirm]").await?;
    // The file as it was is kept, and listed.
    app.wait_for_text("[data-testid=backups-table]", "Before a restore")
        .await?;
    app.click("[data-nav=clients]").await?;
    app.wait_for("[data-client='Acme Pty Ltd']").await?;
    assert!(
        !app.exists("[data-client='Birch Bakery']").await,
        "Birch came after the backup and is gone"
    );

    // Export everything: a progress bar, then a zip with the tables and the data file.
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=backups]").await?;
    app.wait_for("[data-testid=backups-table]").await?;
    app.screenshot("92-backups", "[data-testid=backups]")
        .await?;
    app.theme("Dark").await?;
    app.screenshot("92-backups-dark", "[data-testid=backups]")
        .await?;
    app.theme("Auto").await?;
    app.click("[data-testid=export-everything]").await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let archive = loop {
        let found = std::fs::read_dir(saves.path())?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "zip"));
        if let Some(found) = found
            && !app.exists("[data-testid=export-progress]").await
        {
            break found;
        }
        assert!(Instant::now() < deadline, "no archive in {save_dir}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive)?)?;
    let mut clients = String::new();
    zip.by_name("tables/clients.csv")?
        .read_to_string(&mut clients)?;
    assert!(clients.contains("Acme Pty Ltd"), "{clients}");
    assert!(!clients.contains("Birch Bakery"), "{clients}");
    let mut header = [0u8; 16];
    zip.by_name("scopebook.sqlite3")?.read_exact(&mut header)?;
    assert_eq!(&header, b"SQLite format 3\0");
    app.close().await?;

    // A damaged data file on the next start: the newest good backup is offered and opened.
    let data_file = dir.path().join("scopebook.sqlite3");
    for journal in ["scopebook.sqlite3-wal", "scopebook.sqlite3-shm"] {
        let _ = std::fs::remove_file(dir.path().join(journal));
    }
    std::fs::write(&data_file, vec![0x42u8; 64 * 1024])?;
    let app = App::launch(dir.path()).await?;
    app.wait_for("[data-testid=startup-error]").await?;
    app.wait_for_text("[data-testid=startup-restore]", "newest good backup")
        .await?;
    app.screenshot("93-startup-restore", "[data-testid=startup-error]")
        .await?;
    app.click("[data-testid=startup-restore-button]").await?;
    app.wait_for("[data-testid=firm-name]").await?;
    // The newest good backup is the copy taken just before the restore above: both clients.
    app.click("[data-nav=clients]").await?;
    app.wait_for("[data-client='Acme Pty Ltd']").await?;
    app.wait_for("[data-client='Birch Bakery']").await?;
    let aside = std::fs::read_dir(dir.path())?
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().contains(".damaged-"));
    assert!(aside, "the damaged file is kept beside the restored one");
    app.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn one_window_per_data_folder_and_its_size_remembered() -> Result {
    let dir = practice_folder()?;
    let app = App::launch(dir.path()).await?;
    app.wait_for("[data-testid=firm-name]").await?;

    // A second launch on the same folder hands over to the running window and exits.
    let started = Instant::now();
    let second = tokio::process::Command::new(app_binary())
        .args(["--data-dir", &dir.path().display().to_string()])
        .output();
    let second = tokio::time::timeout(Duration::from_secs(30), second).await??;
    assert!(second.status.success(), "{second:?}");
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(said.contains("already open"), "{said}");
    assert!(started.elapsed() < Duration::from_secs(30));
    // The first window is still there and answers.
    app.click("[data-nav=clients]").await?;
    app.wait_for("[data-testid=clients-table], [data-testid=empty-state]")
        .await?;

    // Resized, then restarted: the same size.
    app.client.set_window_size(1100, 720).await?;
    let wanted = app.client.get_window_size().await?;
    let saved = dir.path().join("window.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    let narrower = |text: String| {
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|g| g["width"].as_f64())
            .is_some_and(|w| w < 1200.0)
    };
    while !std::fs::read_to_string(&saved).is_ok_and(narrower) {
        assert!(
            Instant::now() < deadline,
            "window.json never had the new size"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let app = app.restart().await?;
    app.wait_for("[data-testid=firm-name]").await?;
    let now = app.client.get_window_size().await?;
    assert_eq!(now, wanted);
    app.close().await
}
