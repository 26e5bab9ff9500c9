//! The `scopebook` binary, run as a user would, against a real data folder.

// A failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn scopebook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scopebook"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("SCOPEBOOK_DATA_DIR")
        .output()
        .expect("the scopebook binary runs")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = scopebook(dir, args);
    assert!(
        out.status.success(),
        "scopebook {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn set_up(dir: &Path) {
    ok(
        dir,
        &[
            "practice",
            "setup",
            "--name",
            "Harbour Bookkeeping",
            "--country",
            "NZ",
            "--currency",
            "NZD",
        ],
    );
}

#[test]
fn practice_show_before_setup_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = scopebook(dir.path(), &["practice", "show"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("hasn't been set up yet"));
}

#[test]
fn practice_show_prints_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let text = ok(dir.path(), &["practice", "show"]);
    assert!(text.contains("Harbour Bookkeeping"), "{text}");
    assert!(text.contains("NZD"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["practice", "show", "--json"])).unwrap();
    assert_eq!(json["locale"], "en-NZ");
}

#[test]
fn add_a_tiered_service_and_list_it() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let added = ok(
        dir.path(),
        &[
            "services",
            "add",
            "--name",
            "Bookkeeping",
            "--category",
            "Books",
            "--pricing",
            "per_unit",
            "--unit",
            "transactions",
            "--tier",
            "100:2",
            "--tier",
            "500:1.50",
            "--tier",
            "rest:1",
            "--quantity",
            "250",
            "--frequency",
            "monthly",
        ],
    );
    assert!(added.contains("Added service #1: Bookkeeping"), "{added}");
    let table = ok(dir.path(), &["services", "list"]);
    assert!(
        table.contains("Bookkeeping") && table.contains("NZD 425.00"),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["services", "list", "--json"])).unwrap();
    assert_eq!(json[0]["pricing"]["tiers"][1]["unit_price"], "1.5");
    assert_eq!(json[0]["typical_total"], "425.00");
}

#[test]
fn add_with_a_bad_price_fails_with_the_reason_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let out = scopebook(
        dir.path(),
        &[
            "services",
            "add",
            "--name",
            "Tax",
            "--pricing",
            "fixed",
            "--price",
            "lots",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Enter the price as a number"));
    assert!(ok(dir.path(), &["services", "list"]).contains("No services."));
}

#[test]
fn export_then_import_into_another_folder() {
    let from = tempfile::tempdir().unwrap();
    let to = tempfile::tempdir().unwrap();
    set_up(from.path());
    set_up(to.path());
    ok(
        from.path(),
        &[
            "services",
            "add",
            "--name",
            "Tax return",
            "--pricing",
            "fixed",
            "--price",
            "450",
            "--frequency",
            "annually",
        ],
    );
    ok(
        from.path(),
        &[
            "services",
            "add",
            "--name",
            "Advisory",
            "--pricing",
            "hourly",
            "--price",
            "180",
            "--hours",
            "2",
        ],
    );
    let csv = from.path().join("services.csv");
    ok(
        from.path(),
        &["services", "export", "--csv", "-o", csv.to_str().unwrap()],
    );
    let dry = ok(
        to.path(),
        &[
            "services",
            "import",
            "--csv",
            csv.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(dry.contains("nothing was written"), "{dry}");
    assert!(ok(to.path(), &["services", "list"]).contains("No services."));
    let text = ok(
        to.path(),
        &["services", "import", "--csv", csv.to_str().unwrap()],
    );
    assert!(text.contains("Imported 2 services."), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(to.path(), &["services", "list", "--json"])).unwrap();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Advisory", "Tax return"]);
}

#[test]
fn import_with_a_bad_row_reports_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "name,frequency,pricing,price\nPayroll,monthly,fixed,120\nTax,sometimes,fixed,450\n",
    )
    .unwrap();
    let out = scopebook(
        dir.path(),
        &["services", "import", "--csv", csv.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Nothing was imported"), "{text}");
    assert!(text.contains("row    3  frequency"), "{text}");
    assert!(ok(dir.path(), &["services", "list"]).contains("No services."));
}

#[test]
fn a_corrupt_data_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scopebook.sqlite3");
    std::fs::write(
        &file,
        b"not a database at all, but long enough to look like a header...",
    )
    .unwrap();
    let out = scopebook(dir.path(), &["services", "list"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("can't read the data file"));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"not a database at all, but long enough to look like a header..."
    );
}

#[test]
fn clients_import_reports_bad_lines_then_imports_lists_exports_and_undoes() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "name,email\nHarbourside Cafe,cafe@harbour.example\nBad Row,not-an-email\n",
    )
    .unwrap();
    let out = scopebook(
        dir.path(),
        &["clients", "import", "--csv", bad.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("line    3  error") && text.contains("Nothing was imported"),
        "{text}"
    );
    assert!(ok(dir.path(), &["clients", "list"]).contains("No clients."));

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "name,email,kind\nHarbourside Cafe,cafe@harbour.example,client\nNorthwind,n@north.example,prospect\n").unwrap();
    let text = ok(
        dir.path(),
        &["clients", "import", "--csv", good.to_str().unwrap()],
    );
    assert!(text.contains("Imported 2 clients."), "{text}");
    let batch = text
        .split("undo-import ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    let listed = ok(dir.path(), &["clients", "list", "--status", "prospects"]);
    assert!(
        listed.contains("Northwind") && !listed.contains("Harbourside"),
        "{listed}"
    );
    let csv = ok(dir.path(), &["clients", "export", "--csv"]);
    assert!(
        csv.starts_with("display_name,kind,") && csv.contains("cafe@harbour.example"),
        "{csv}"
    );
    ok(dir.path(), &["clients", "undo-import", &batch]);
    assert!(ok(dir.path(), &["clients", "list"]).contains("No clients."));
}

#[test]
fn proposals_list_show_and_pdf() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    ok(
        dir.path(),
        &[
            "services",
            "add",
            "--name",
            "Tax return",
            "--pricing",
            "fixed",
            "--price",
            "450",
            "--frequency",
            "annually",
        ],
    );
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "name\nAcme Plumbing\n").unwrap();
    ok(
        dir.path(),
        &["clients", "import", "--csv", csv.to_str().unwrap()],
    );
    assert!(ok(dir.path(), &["proposals", "list"]).contains("No proposals."));
    // Made through the same use case the app calls.
    let mut store = scopebook_core::Store::open_in(dir.path()).unwrap();
    let client = scopebook_core::clients::list_clients(&store, &Default::default()).unwrap()[0].id;
    let mut draft = scopebook_core::proposals::blank_proposal(&store, client).unwrap();
    let service =
        scopebook_core::catalog::list_services(&store, &Default::default()).unwrap()[0].id;
    draft
        .lines
        .push(scopebook_core::proposals::line_for_service(&store, service).unwrap());
    let p = scopebook_core::proposals::create_proposal(&mut store, &draft).unwrap();
    drop(store);

    let listed = ok(dir.path(), &["proposals", "list"]);
    assert!(
        listed.contains(&p.number) && listed.contains("Acme Plumbing") && listed.contains("draft"),
        "{listed}"
    );
    let shown = ok(dir.path(), &["proposals", "show", &p.number]);
    assert!(
        shown.contains("Tax return") && shown.contains("$450.00"),
        "{shown}"
    );
    let file = dir.path().join("p.pdf");
    let wrote = ok(
        dir.path(),
        &["proposals", "pdf", &p.number, "-o", file.to_str().unwrap()],
    );
    assert!(wrote.contains("Wrote"), "{wrote}");
    assert!(std::fs::read(&file).unwrap().starts_with(b"%PDF"));
    let missing = scopebook(dir.path(), &["proposals", "show", "P-1999-0001"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("There is no proposal"));
}

/// A failed command's JSON report and exit code, for scripts to branch on.
fn failure(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = scopebook(dir, args);
    let code = out.status.code().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "scopebook {args:?} printed no JSON ({e}): {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

#[test]
fn json_mode_reports_errors_with_a_code_and_an_exit_code_per_kind() {
    let dir = tempfile::tempdir().unwrap();
    // Not set up yet: bad input (3).
    let (code, report) = failure(dir.path(), &["--json", "practice", "show"]);
    assert_eq!((code, report["code"].as_str()), (3, Some("not_set_up")));
    assert!(
        report["message"]
            .as_str()
            .unwrap()
            .contains("hasn't been set up")
    );

    set_up(dir.path());
    // A field error names the field: "2,50" is not 250 in en-NZ.
    let (code, report) = failure(
        dir.path(),
        &[
            "services",
            "add",
            "--name",
            "Payroll",
            "--pricing",
            "fixed",
            "--price",
            "2,50",
            "--json",
        ],
    );
    assert_eq!(
        (code, report["code"].as_str()),
        (3, Some("invalid")),
        "{report}"
    );
    assert_eq!(report["fields"][0]["field"], "price", "{report}");
    assert!(
        report["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("separator in the wrong place"),
        "{report}"
    );
    assert!(ok(dir.path(), &["services", "list"]).contains("No services."));

    // Usage (2), also as JSON.
    let (code, report) = failure(dir.path(), &["--json", "services", "frobnicate"]);
    assert_eq!(
        (code, report["code"].as_str()),
        (2, Some("usage")),
        "{report}"
    );

    // No Xero app client id yet: bad input (3); with one but not connected: Xero (6).
    let (code, report) = failure(dir.path(), &["--json", "xero", "accounts"]);
    assert_eq!(
        (code, report["fields"][0]["field"].as_str()),
        (3, Some("client_id")),
        "{report}"
    );
    ok(
        dir.path(),
        &["xero", "client-id", "0123456789ABCDEF0123456789ABCDEF"],
    );
    let (code, report) = failure(dir.path(), &["--json", "xero", "accounts"]);
    assert_eq!(
        (code, report["code"].as_str()),
        (6, Some("xero_not_connected")),
        "{report}"
    );

    // A file that can't be read (7).
    let missing = dir.path().join("missing.csv");
    let (code, report) = failure(
        dir.path(),
        &[
            "--json",
            "services",
            "import",
            "--csv",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!((code, report["code"].as_str()), (7, Some("io")), "{report}");

    // A data file that isn't one (7).
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(
        broken.path().join("scopebook.sqlite3"),
        "this is not a database, just text that is long enough to have a header".repeat(20),
    )
    .unwrap();
    let (code, report) = failure(broken.path(), &["--json", "practice", "show"]);
    assert_eq!(
        (code, report["code"].as_str()),
        (7, Some("unreadable_database")),
        "{report}"
    );

    // Without --json, the sentence goes to stderr and the exit code is the same.
    let out = scopebook(
        dir.path(),
        &["services", "import", "--csv", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(7));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv"));

    // The exit codes are documented where a user looks.
    let help = ok(dir.path(), &["--help"]);
    assert!(
        help.contains("Exit codes:") && help.contains("7  the data file"),
        "{help}"
    );
}

#[test]
fn an_import_with_bad_rows_exits_with_the_bad_input_code() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let csv = dir.path().join("s.csv");
    std::fs::write(
        &csv,
        "name,pricing,frequency,price\nPayroll,fixed,monthly,abc\n",
    )
    .unwrap();
    let out = scopebook(
        dir.path(),
        &["services", "import", "--csv", csv.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Nothing was imported"));
}

#[test]
fn subcommand_help_lists_the_xero_flags_under_their_own_heading() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(dir.path(), &["services", "list", "--help"]);
    let heading = help
        .find("Xero connection (advanced):")
        .unwrap_or_else(|| panic!("no Xero heading in:\n{help}"));
    let (own, xero) = help.split_at(heading);
    assert!(own.contains("--search"), "{help}");
    for flag in [
        "--xero-base-url",
        "--xero-authorize-url",
        "--xero-token-url",
        "--xero-connections-url",
        "--xero-api-url",
        "--xero-client-id",
    ] {
        assert!(
            xero.contains(flag) && !own.contains(flag),
            "{flag} in:\n{help}"
        );
    }
}

#[test]
fn imports_read_excel_files_in_windows_1252_with_semicolons() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let csv = dir.path().join("excel.csv");
    // As Excel on Windows saves "CSV" where the list separator is a semicolon.
    std::fs::write(
        &csv,
        b"Name;Email\r\nCaf\xE9 M\xFCller;cafe@example.com\r\n",
    )
    .unwrap();
    let checked = ok(
        dir.path(),
        &[
            "clients",
            "import",
            "--csv",
            csv.to_str().unwrap(),
            "--dry-run",
        ],
    );
    assert!(checked.contains("All 1 lines are ready"), "{checked}");
    ok(
        dir.path(),
        &["clients", "import", "--csv", csv.to_str().unwrap()],
    );
    let listed = ok(dir.path(), &["clients", "list"]);
    assert!(listed.contains("Café Müller"), "{listed}");
}

#[test]
fn twenty_commands_writing_one_data_folder_at_once_all_land() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let children: Vec<_> = (0..20)
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_scopebook"))
                .arg("--data-dir")
                .arg(dir.path())
                .args([
                    "services",
                    "add",
                    "--name",
                    &format!("Service {n:02}"),
                    "--pricing",
                    "fixed",
                    "--price",
                    "100",
                    "--frequency",
                    "monthly",
                ])
                .env_remove("SCOPEBOOK_DATA_DIR")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the scopebook binary runs")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let list = ok(dir.path(), &["services", "list", "--json"]);
    let services: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(services.as_array().map(Vec::len), Some(20), "{list}");
}

#[test]
fn a_xero_override_to_another_machine_over_http_is_refused_and_a_safe_one_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    let out = scopebook(
        dir.path(),
        &[
            "--xero-base-url",
            "http://xero.example.com",
            "xero",
            "status",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("https://"), "{err}");

    let out = scopebook(
        dir.path(),
        &["--xero-base-url", "http://127.0.0.1:9", "xero", "status"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not to Xero"), "{err}");
}

#[test]
fn work_is_logged_checked_against_scope_billed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    set_up(d);
    let csv = d.join("clients.csv");
    std::fs::write(&csv, "Name,Status\nKiwi Cafe,client\n").unwrap();
    ok(d, &["clients", "import", "--csv", csv.to_str().unwrap()]);
    let bad = scopebook(
        d,
        &[
            "work",
            "log",
            "Kiwi Cafe",
            "--what",
            "Payroll",
            "--minutes",
            "0",
        ],
    );
    assert_eq!(bad.status.code(), Some(3), "{bad:?}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("minutes spent"));
    let logged = ok(
        d,
        &[
            "work",
            "log",
            "Kiwi Cafe",
            "--what",
            "Payroll for December",
            "--minutes",
            "90",
            "--on",
            "2026-12-03",
            "--by",
            "Jo",
        ],
    );
    assert!(logged.contains("not covered"), "{logged}");
    let report = ok(
        d,
        &[
            "report",
            "scope-creep",
            "--from",
            "2026-12",
            "--to",
            "2026-12",
            "--csv",
        ],
    );
    assert_eq!(
        report,
        "client,unbilled_minutes,entries\n\"Kiwi Cafe\",90,1\n"
    );
    let id = logged.split_whitespace().nth(1).unwrap();
    let billed = ok(
        d,
        &["work", "bill", id, "--month", "2026-12", "--rate", "150"],
    );
    assert!(
        billed.contains("December invoice") || billed.contains("2026-12 invoice"),
        "{billed}"
    );
    let plan = ok(d, &["billing", "plan", "--month", "2026-12"]);
    assert!(
        plan.contains("Kiwi Cafe") && plan.contains("225.00"),
        "{plan}"
    );
    // Work already billed isn't gathered into an amendment too.
    let no_engagement = scopebook(
        d,
        &[
            "work",
            "propose",
            "Kiwi Cafe",
            "--work",
            id,
            "--service",
            "1",
            "--from",
            "2027-01",
        ],
    );
    assert_eq!(no_engagement.status.code(), Some(3), "{no_engagement:?}");
    assert!(String::from_utf8_lossy(&no_engagement.stderr).contains("is billed already"));
    // Another invoice for the month, only when asked for.
    let added = ok(
        d,
        &[
            "billing",
            "add-line",
            "Kiwi Cafe",
            "--month",
            "2026-12",
            "--description",
            "Catch-up bookkeeping",
            "--amount",
            "400",
            "--separate",
        ],
    );
    assert!(added.contains("(separate invoice 2)"), "{added}");
    let plan = ok(d, &["billing", "plan", "--month", "2026-12"]);
    assert!(
        plan.contains("Kiwi Cafe (invoice 2)") && plan.contains("400.00"),
        "{plan}"
    );
    // The reports: the lines added for December (the work billed, the separate invoice) are
    // December's revenue and the work's time its cost.
    let month = ["--from", "2026-12", "--to", "2026-12"];
    let services = ok(d, &[&["report", "services", "--csv"][..], &month].concat());
    assert_eq!(
        services.lines().nth(1),
        Some("Added for the month,Additional work,1,625,100,0,0,"),
        "{services}"
    );
    let profit = ok(
        d,
        &[&["report", "profitability", "--csv"][..], &month].concat(),
    );
    assert!(
        profit.contains("Kiwi Cafe,Added for the month,Additional work,625,90,0,625,100,"),
        "{profit}"
    );
    let pdf = d.join("profitability.pdf");
    let printed = ok(
        d,
        &[
            &["report", "profitability", "--pdf", pdf.to_str().unwrap()][..],
            &month,
        ]
        .concat(),
    );
    assert!(printed.starts_with("Printed to"), "{printed}");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let revenue = ok(
        d,
        &["report", "revenue", "--from", "2026-11", "--to", "2026-12"],
    );
    assert!(
        revenue.starts_with("Recurring revenue\nNovember 2026 to December 2026"),
        "{revenue}"
    );
    let backwards = scopebook(
        d,
        &["report", "revenue", "--from", "2026-12", "--to", "2026-01"],
    );
    assert_eq!(backwards.status.code(), Some(3), "{backwards:?}");
    assert!(String::from_utf8_lossy(&backwards.stderr).contains("swap them"));
    let report = ok(
        d,
        &[
            "report",
            "scope-creep",
            "--from",
            "2026-12",
            "--to",
            "2026-12",
            "--csv",
        ],
    );
    assert_eq!(report, "client,unbilled_minutes,entries\n");
}

#[test]
fn backup_list_restore_and_export_all_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    set_up(dir.path());
    ok(
        dir.path(),
        &[
            "services",
            "add",
            "--name",
            "Bookkeeping",
            "--pricing",
            "fixed",
            "--price",
            "450",
        ],
    );
    let said = ok(dir.path(), &["backup", "--keep", "5"]);
    assert!(said.contains("the newest 5 are kept"), "{said}");
    let listed: serde_json::Value =
        serde_json::from_str(&ok(dir.path(), &["backup", "--list", "--json"])).unwrap();
    let first = listed[0]["file_name"].as_str().unwrap().to_string();
    assert_eq!(listed[0]["reason"], "manual");
    assert_eq!(listed[0]["contents"]["services"], 1);

    // More work, then the backup put back by its name.
    ok(
        dir.path(),
        &[
            "services",
            "add",
            "--name",
            "Payroll",
            "--pricing",
            "fixed",
            "--price",
            "90",
        ],
    );
    let said = ok(dir.path(), &["restore", &first]);
    assert!(said.contains("Restored"), "{said}");
    assert!(said.contains("restore it to undo"), "{said}");
    let services = ok(dir.path(), &["services", "list"]);
    assert!(
        services.contains("Bookkeeping") && !services.contains("Payroll"),
        "{services}"
    );

    // A file that isn't a backup is refused, and nothing changes.
    let stray = dir.path().join("notes.sqlite3");
    std::fs::write(&stray, "shopping list").unwrap();
    let out = scopebook(dir.path(), &["restore", stray.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(7),
        "the data file can't be read: exit 7"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Scopebook data file"));
    assert!(ok(dir.path(), &["services", "list"]).contains("Bookkeeping"));

    // A data file that no longer opens: the newest sound backup replaces it, the file kept aside.
    let data = dir.path().join("scopebook.sqlite3");
    for journal in ["scopebook.sqlite3-wal", "scopebook.sqlite3-shm"] {
        let _ = std::fs::remove_file(dir.path().join(journal));
    }
    std::fs::write(&data, vec![7u8; 8192]).unwrap();
    assert!(
        !scopebook(dir.path(), &["services", "list"])
            .status
            .success()
    );
    ok(dir.path(), &["restore", "--newest"]);
    // The newest backup is the copy taken just before the restore above, with Payroll in it.
    let services = ok(dir.path(), &["services", "list"]);
    assert!(services.contains("Payroll"), "{services}");
    assert!(std::fs::read_dir(dir.path()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".damaged-")
    }));

    // Everything, in one archive.
    let archive = dir.path().join("everything.zip");
    let said = ok(dir.path(), &["export-all", archive.to_str().unwrap()]);
    assert!(said.contains("tables"), "{said}");
    let bytes = std::fs::read(&archive).unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip archive");
}
