//! `scopebook xero …` against xero-sim, with the tokens in the real Secret Service. Ignored by a
//! plain `cargo test` (it needs an unlocked keychain); tests/test-all.sh runs it with --ignored.

// A failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn scopebook(dir: &Path, base_url: &str, args: &[&str]) -> Output {
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fake-browser.sh");
    Command::new(env!("CARGO_BIN_EXE_scopebook"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SCOPEBOOK_XERO_BASE_URL", base_url)
        .env("SCOPEBOOK_BROWSER", browser)
        .env_remove("SCOPEBOOK_DATA_DIR")
        .env_remove("SCOPEBOOK_XERO_CLIENT_ID")
        .output()
        .unwrap()
}

fn ok(dir: &Path, base_url: &str, args: &[&str]) -> String {
    let out = scopebook(dir, base_url, args);
    assert!(
        out.status.success(),
        "scopebook {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs an unlocked Secret Service; tests/test-all.sh runs it"]
async fn connect_list_and_disconnect_from_the_command_line() {
    let sim = xero_sim::start(xero_sim::SimConfig {
        auto_approve: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let base = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let out = scopebook(d, &base, &["xero", "accounts"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("client id"),
        "{out:?}"
    );

    ok(d, &base, &["xero", "client-id", xero_sim::CLIENT_ID]);
    let tenant = xero_sim::seed::DEMO_COMPANY_AU.to_string();
    let connected = tokio::task::spawn_blocking({
        let (d, base, tenant) = (d.to_path_buf(), base.clone(), tenant.clone());
        move || ok(&d, &base, &["xero", "connect", "--tenant", &tenant])
    })
    .await
    .unwrap();
    assert!(
        connected.contains("Connected to Demo Company (AU)."),
        "{connected}"
    );

    let status = ok(d, &base, &["xero", "status"]);
    assert!(
        status.contains("Demo Company (AU)") && status.contains(&tenant),
        "{status}"
    );
    let accounts = ok(d, &base, &["xero", "accounts"]);
    assert!(
        accounts.contains("200") && accounts.contains("Sales"),
        "{accounts}"
    );
    let themes = ok(d, &base, &["xero", "branding-themes"]);
    assert!(themes.contains("Standard"), "{themes}");
    let tracking = ok(d, &base, &["xero", "tracking"]);
    assert!(
        tracking.contains("Region: North, South, East, West"),
        "{tracking}"
    );
    let found = ok(d, &base, &["xero", "contacts", "--search", "harbourside"]);
    assert!(
        found.contains("Harbourside Cafe Pty Ltd") && found.contains("2 contacts"),
        "{found}"
    );

    // Link a local client to one of those contacts, then unlink it.
    let contact_id = found
        .lines()
        .find(|l| l.contains("Harbourside Cafe Pty Ltd"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    ok(
        d,
        &base,
        &[
            "practice",
            "setup",
            "--name",
            "Harbour Books",
            "--country",
            "AU",
            "--currency",
            "AUD",
        ],
    );
    std::fs::write(d.join("clients.csv"), "name\nHarbourside Cafe\n").unwrap();
    ok(
        d,
        &base,
        &[
            "clients",
            "import",
            "--csv",
            d.join("clients.csv").to_str().unwrap(),
        ],
    );
    let linked = ok(d, &base, &["xero", "link", "Harbourside Cafe", &contact_id]);
    assert!(
        linked.contains("Linked Harbourside Cafe to the Xero contact Harbourside Cafe Pty Ltd"),
        "{linked}"
    );
    let review = ok(d, &base, &["xero", "review"]);
    assert!(review.starts_with("1 linked, "), "{review}");
    let unknown = scopebook(
        d,
        &base,
        &["xero", "link", "Harbourside Cafe", "no-such-contact"],
    );
    assert!(!unknown.status.success());
    assert!(ok(d, &base, &["xero", "unlink", "Harbourside Cafe"]).contains("Unlinked"));
    // Creating it in Xero is refused while contacts there may be it.
    let refused = scopebook(d, &base, &["xero", "create", "Harbourside Cafe"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Link to it instead"),
        "{refused:?}"
    );

    // The first import: a dry run changes nothing; the import lands in one batch; undo takes
    // it back whole.
    let dry = ok(
        d,
        &base,
        &["xero", "import", "--dry-run", "--include-prospects"],
    );
    assert!(dry.contains("Dry run: nothing was changed."), "{dry}");
    assert!(ok(d, &base, &["xero", "review"]).contains("0 linked"));
    let imported = ok(d, &base, &["xero", "import", "--include-prospects"]);
    let batch = imported
        .lines()
        .find_map(|l| l.strip_prefix("Imported. To undo: scopebook xero undo-import "))
        .unwrap()
        .to_string();
    assert!(!ok(d, &base, &["xero", "review"]).contains("\n0 linked"));
    assert!(ok(d, &base, &["xero", "undo-import", &batch]).contains("Import undone"));
    assert!(ok(d, &base, &["xero", "review"]).contains("0 linked"));
    assert!(
        !scopebook(d, &base, &["xero", "undo-import", &batch])
            .status
            .success()
    );

    // A dry run reads Xero and changes nothing; sync then reads every contact once, and the
    // next sync finds nothing new, in one call.
    let dry = ok(d, &base, &["sync", "--dry-run"]);
    assert!(dry.contains("Dry run: nothing was changed."), "{dry}");
    let first = ok(d, &base, &["sync"]);
    assert!(first.contains("1 call(s) to Xero."), "{first}");
    assert!(first.contains("Everything is in step."), "{first}");
    let again = ok(d, &base, &["--json", "sync"]);
    let report: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(report["calls"], 1, "{again}");
    assert_eq!(report["pull"]["changed"], 0, "{again}");
    let bad = scopebook(d, &base, &["xero", "resolve", "1", "--keep", "colour=xero"]);
    assert_eq!(bad.status.code(), Some(3), "{bad:?}");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("DETAIL=here or DETAIL=xero"),
        "{bad:?}"
    );
    assert!(ok(d, &base, &["xero", "review"]).contains("0 linked"));

    let gone = ok(d, &base, &["xero", "disconnect"]);
    assert!(gone.contains("Disconnected"), "{gone}");
    assert!(ok(d, &base, &["xero", "status"]).contains("not connected"));
    let out = scopebook(d, &base, &["xero", "accounts"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("isn't connected"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs an unlocked Secret Service; tests/test-all.sh runs it"]
async fn connect_without_a_terminal_says_to_pass_tenant_and_lists_the_organisations() {
    // Xero grants all three demo organisations at once.
    let sim = xero_sim::start(xero_sim::SimConfig {
        auto_approve: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let base = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &base, &["xero", "client-id", xero_sim::CLIENT_ID]);
    // `Command::output` gives the command no terminal: nobody can answer a question.
    let out = tokio::task::spawn_blocking({
        let (d, base) = (d.to_path_buf(), base.clone());
        move || scopebook(&d, &base, &["xero", "connect"])
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("isn't one of the numbers"), "{said}");
    assert!(said.contains("--tenant"), "{said}");
    for id in [
        xero_sim::seed::DEMO_COMPANY_AU.to_string(),
        xero_sim::seed::HARBOUR_BOOKKEEPING.to_string(),
        xero_sim::seed::NORTHWIND_ADVISORY.to_string(),
    ] {
        assert!(said.contains(&id), "{id} missing from: {said}");
    }
    assert!(said.contains("Demo Company (AU)"), "{said}");
    assert!(ok(d, &base, &["xero", "status"]).contains("not connected"));
    let _ = ok(d, &base, &["xero", "disconnect"]);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs an unlocked Secret Service; tests/test-all.sh runs it"]
async fn every_command_counts_against_one_daily_budget_kept_in_the_data_file() {
    let sim = xero_sim::start(xero_sim::SimConfig {
        auto_approve: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let base = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &base, &["xero", "client-id", xero_sim::CLIENT_ID]);
    let tenant = xero_sim::seed::DEMO_COMPANY_AU.to_string();
    tokio::task::spawn_blocking({
        let (d, base, tenant) = (d.to_path_buf(), base.clone(), tenant.clone());
        move || ok(&d, &base, &["xero", "connect", "--tenant", &tenant])
    })
    .await
    .unwrap();
    let status = ok(d, &base, &["xero", "status"]);
    assert!(status.contains("of 1000 today"), "{status}");

    // Each run is a new process: the count lives in the data file, not in memory.
    ok(d, &base, &["xero", "daily-budget", "6"]);
    ok(d, &base, &["xero", "accounts"]); // 4 calls: accounts, tax rates, themes, tracking
    let status = ok(d, &base, &["xero", "status"]);
    let used: usize = status
        .lines()
        .find(|l| l.starts_with("Calls left"))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(used <= 2, "{status}");
    ok(d, &base, &["xero", "contacts", "--search", "harbourside"]);
    let refused = tokio::task::spawn_blocking({
        let (d, base) = (d.to_path_buf(), base.clone());
        move || scopebook(&d, &base, &["xero", "accounts"])
    })
    .await
    .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("6 calls to Xero"), "{said}");
}
