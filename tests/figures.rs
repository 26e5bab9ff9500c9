//! The app's figures at a firm's volume, measured in the real window (release build, Xvfb):
//!
//! - start-up: from the process's start (as the OS recorded it) to the first screen interactive,
//!   cold (the first launch on this data) and warm (the next ones); goal < 1 s warm;
//! - each list screen (clients, proposals, billing, services) at 2,000 clients, 300 services,
//!   5,000 proposals and 24 months of posted invoices: from the click in the sidebar to its rows
//!   in the page and then on screen, the first time and the median of five more visits from the
//!   dashboard; and a search from the query leaving the search box (after its 120 ms typing
//!   pause) to the matching rows on screen; goal < 100 ms;
//! - memory: the proportional set size (PSS: shared libraries split between the processes that
//!   map them) of the app and its WebKit processes at the first screen and after opening every
//!   screen (goal < 150 MB), and of an empty Tauri window with the same webview settings (the
//!   engine's floor; `src-tauri/examples/blank_window.rs`).
//!
//! Printed, and written to `target/e2e-artifacts/figures.txt`. Not a pass/fail test. Run with
//! `bash tests/figures.sh` (builds the release app, starts Xvfb and a keyring, runs this).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::Datelike;

use scopebook_core::catalog::{self, Frequency, PricingDraft, PricingKind, ServiceDraft};
use scopebook_core::clients::{ClientDraft, create_client};
use scopebook_core::practice::{PracticeSetup, setup_practice};
use scopebook_core::proposals::{
    LineDraft, ProposalAction, blank_proposal, change_status, create_proposal,
};
use scopebook_core::store::Source;
use scopebook_core::{Store, backup};
use scopebook_e2e::{App, Result};

const CLIENTS: usize = 2_000;
const SERVICES: usize = 300;
const PROPOSALS: usize = 5_000;
const MONTHS: usize = 24;
/// Bump when the data below changes, so a kept file is made again.
const DATA_VERSION: u32 = 1;
/// Each list screen is opened once more this many times (the median is printed).
const AGAIN: usize = 5;

fn data_folder() -> PathBuf {
    scopebook_e2e::artifacts_dir()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join(format!("figures-data-v{DATA_VERSION}"))
}

fn line(service: i64, start_month: &str) -> LineDraft {
    LineDraft {
        service_id: Some(service),
        line_id: None,
        quantity: "1".into(),
        discount_percent: "0".into(),
        estimated_minutes: String::new(),
        start_month: start_month.into(),
        end_month: String::new(),
        optional: false,
        driver_choices: Vec::new(),
        option: None,
    }
}

fn month(back: usize) -> String {
    let today = chrono::Utc::now().date_naive();
    let first = today.with_day0(0).unwrap_or(today);
    first
        .checked_sub_months(chrono::Months::new(back as u32))
        .unwrap_or(first)
        .format("%Y-%m")
        .to_string()
}

/// The firm: 300 services, 2,000 clients each with an accepted proposal (three services from 24
/// months ago), 3,000 more proposals (drafts, sent, declined), and every client's invoice posted
/// each month for 24 months (most paid).
fn make_firm(dir: &Path) -> Result<()> {
    let started = Instant::now();
    let mut store = Store::open_in(dir)?;
    setup_practice(
        &mut store,
        PracticeSetup {
            firm_name: "Harbour Bookkeeping".into(),
            country: "AU".into(),
            base_currency: "AUD".into(),
        },
    )?;
    let categories = [
        "Bookkeeping",
        "Payroll",
        "Tax",
        "Advisory",
        "Compliance",
        "Reporting",
        "Setup",
        "Training",
        "Audit support",
        "Other",
    ];
    let mut services = Vec::with_capacity(SERVICES);
    for i in 0..SERVICES {
        let draft = ServiceDraft {
            name: format!("{} service {i:03}", categories[i % categories.len()]),
            category: categories[i % categories.len()].into(),
            frequency: if i % 5 == 4 {
                Frequency::Quarterly
            } else {
                Frequency::Monthly
            },
            estimated_minutes: format!("{}", 30 + (i % 8) * 30),
            pricing: PricingDraft {
                price: format!("{}", 50 + (i % 40) * 25),
                ..PricingDraft::empty(PricingKind::Fixed)
            },
            ..ServiceDraft::blank()
        };
        services.push(catalog::create_service(&mut store, &draft)?.id);
    }
    let from = month(MONTHS - 1);
    let mut clients = Vec::with_capacity(CLIENTS);
    for i in 0..CLIENTS {
        let client = create_client(
            &mut store,
            &ClientDraft {
                display_name: format!("Client {i:04} Pty Ltd"),
                email: format!("accounts{i}@client.example"),
                ..ClientDraft::blank()
            },
        )?
        .id;
        clients.push(client);
        let mut draft = blank_proposal(&store, client)?;
        draft.lines = (0..3)
            .map(|k| line(services[(i * 7 + k * 31) % SERVICES], &from))
            .collect();
        let id = create_proposal(&mut store, &draft)?.id;
        change_status(&mut store, id, ProposalAction::Accept, Some("Sam Lee"), &[])?;
    }
    for j in 0..(PROPOSALS - CLIENTS) {
        let client = clients[(j * 13) % CLIENTS];
        let mut draft = blank_proposal(&store, client)?;
        draft.lines = vec![line(services[(j * 11) % SERVICES], &month(0))];
        let id = create_proposal(&mut store, &draft)?.id;
        match j % 3 {
            0 => {}
            1 => {
                change_status(&mut store, id, ProposalAction::Send, None, &[])?;
            }
            _ => {
                change_status(&mut store, id, ProposalAction::Send, None, &[])?;
                change_status(&mut store, id, ProposalAction::Decline, None, &[])?;
            }
        }
    }
    // The organisation and 24 months of posted invoices, as a posting run leaves them.
    store.write(Source::System, |tx| {
        tx.execute(
            "INSERT INTO xero_connection (id, connection_id, tenant_id, tenant_name, connected_at)
             VALUES (1, 'c-figures', 't-figures', 'Harbour Bookkeeping', '2024-01-01T00:00:00Z')",
            [],
        )?;
        let mut insert = tx.prepare(
            "INSERT INTO outbox (tenant_id, month, client_id, seq, reference, contact_id, invoice,
                 total, state, invoice_id, invoice_number, xero_status, amount_due, amount_paid,
                 updated_at)
             VALUES ('t-figures', ?1, ?2, 1, ?3, ?4, ?5, ?6, 'posted', ?7, ?8, ?9, ?10, ?11,
                 '2026-01-01T00:00:00Z')",
        )?;
        let mut number = 0;
        for back in 1..=MONTHS {
            let m = month(back);
            for (i, client) in clients.iter().enumerate() {
                number += 1;
                let total = format!("{}.00", 300 + (i % 17) * 45);
                let paid = back > 1 || i % 4 != 0;
                insert.execute(rusqlite::params![
                    m,
                    client,
                    format!("{m} fees C{client}"),
                    format!("contact-{client}"),
                    format!(r#"{{"Type":"ACCREC","DueDate":"{m}-28"}}"#),
                    total,
                    format!("inv-{number}"),
                    format!("INV-{number:06}"),
                    if paid { "PAID" } else { "AUTHORISED" },
                    if paid { "0.00" } else { total.as_str() },
                    if paid { total.as_str() } else { "0.00" },
                ])?;
            }
        }
        tx.log(
            "figures",
            1,
            "seeded",
            &serde_json::json!({ "invoices": number }),
        )
    })?;
    drop(store);
    println!(
        "made the firm's data file in {:.1} s ({CLIENTS} clients, {SERVICES} services, \
         {PROPOSALS} proposals, {} posted invoices)",
        started.elapsed().as_secs_f64(),
        CLIENTS * MONTHS
    );
    Ok(())
}

/// A fresh copy of the firm's file (made once, kept in target/), for one launch.
fn firm_copy() -> Result<tempfile::TempDir> {
    let kept = data_folder();
    let file = kept.join(scopebook_core::store::DATABASE_FILE);
    if !file.exists() {
        let _ = std::fs::remove_dir_all(&kept);
        std::fs::create_dir_all(&kept)?;
        make_firm(&kept)?;
    }
    let copy = tempfile::tempdir()?;
    // A consistent single file (the WAL folded in), through the same code as a backup.
    let taken = backup::back_up(&file, backup::BackupReason::Manual, 1)?;
    std::fs::rename(
        &taken.path,
        copy.path().join(scopebook_core::store::DATABASE_FILE),
    )?;
    Ok(copy)
}

/// How long the window took from an action until its result was in the page and then on screen,
/// measured inside the window with performance.now(). The action is a click on `target`
/// (`open`: ready when `table` has rows) or `term` typed into the search box `target`
/// (`search`: ready when fewer rows than `before` show, the term among them). "In the page" is
/// the first change to the page that makes it ready (a mutation observer); "on screen" is two
/// frames later: the first frame draws the rows, the second starts once that one is shown. No
/// code is passed as text: the app's content security policy forbids evaluating strings.
const TIMED: &str = r#"
  const [mode, target, table, term, before, settle] = arguments;
  const ready = () => {
    const rows = [...document.querySelectorAll(table + " tbody tr:not(.spacer)")];
    if (mode === "open") return rows.length > 0;
    return rows.length > 0 && rows.length < before && rows.some((r) => r.textContent.includes(term));
  };
  const start = performance.now();
  window.__scopebookT0 = start;
  // Given up after 10 s (reported as -1): the figure is then "not reached", not a hang.
  const done = new Promise((resolve) => {
    let finished = false;
    const finish = (found) => {
      if (finished) return;
      finished = true;
      watch.disconnect();
      clearTimeout(limit);
      if (!found) return resolve([-1, -1]);
      const inPage = performance.now() - start - settle;
      requestAnimationFrame(() => requestAnimationFrame(() => resolve([inPage, performance.now() - start - settle])));
    };
    const watch = new MutationObserver(() => { if (ready()) finish(true); });
    watch.observe(document.body, { childList: true, subtree: true, characterData: true });
    const limit = setTimeout(() => finish(false), 10000);
  });
  if (mode === "open") {
    document.querySelector(target).click();
  } else {
    const box = document.querySelector(target);
    box.value = term;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  return done;
"#;

/// An action's two times ([`TIMED`]), in ms: in the page, on screen; negative when not reached.
#[derive(Clone, Copy)]
struct Timing {
    in_page: f64,
    on_screen: f64,
}

impl Timing {
    fn reached(&self) -> bool {
        self.on_screen >= 0.0
    }
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.reached() {
            write!(
                f,
                "{:.0} ms (in the page at {:.0} ms)",
                self.on_screen, self.in_page
            )
        } else {
            f.write_str("not reached in 10 s")
        }
    }
}

async fn timed(
    app: &App,
    mode: &str,
    target: &str,
    table: &str,
    term: &str,
    before: u64,
    settle: f64,
) -> Result<Timing> {
    let value = app
        .client
        .execute(
            &format!("return (async () => {{ {TIMED} }})();"),
            vec![
                mode.into(),
                target.into(),
                table.into(),
                term.into(),
                before.into(),
                settle.into(),
            ],
        )
        .await?;
    let at = |i: usize| value.get(i).and_then(serde_json::Value::as_f64);
    match (at(0), at(1)) {
        (Some(in_page), Some(on_screen)) => Ok(Timing { in_page, on_screen }),
        _ => Err(format!("no time from the window: {value}").into()),
    }
}

/// The median of the timings (by the time on screen), and the slowest.
fn median_and_worst(mut times: Vec<Timing>) -> (Timing, Timing) {
    times.sort_by(|a, b| a.on_screen.total_cmp(&b.on_screen));
    (times[times.len() / 2], times[times.len() - 1])
}

struct ListScreen {
    nav: &'static str,
    table: &'static str,
    search: &'static str,
    term: &'static str,
    /// The screen's pause after typing before it searches (ms), left out of the figure: the
    /// lists read from the data file wait for the typing to stop, billing filters at once.
    pause: f64,
}

const LISTS: [ListScreen; 4] = [
    ListScreen {
        nav: "clients",
        table: "[data-testid=clients-table]",
        search: "[data-testid=client-search]",
        term: "Client 1234",
        pause: 120.0,
    },
    ListScreen {
        nav: "proposals",
        table: "[data-testid=proposals-table]",
        search: "input[aria-label='Search proposals']",
        term: "Client 1234",
        pause: 120.0,
    },
    ListScreen {
        nav: "billing",
        table: "[data-testid=billing-table]",
        search: "[data-testid=billing-search]",
        term: "Client 1234",
        pause: 0.0,
    },
    ListScreen {
        nav: "services",
        table: "[data-testid=services-table]",
        search: "main input[type=search]",
        term: "Payroll service 121",
        pause: 120.0,
    },
];

/// How many rows the table matching `table` shows now.
async fn row_count(app: &App, table: &str) -> Result<u64> {
    Ok(app
        .script(&format!(
            "return document.querySelectorAll('{} tbody tr:not(.spacer)').length",
            table.replace('\'', "\\'")
        ))
        .await?
        .as_u64()
        .unwrap_or(0))
}

/// Every process now: its pid, its parent's pid and its name.
fn processes() -> Vec<(u32, u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let name = head
            .split_once('(')
            .map(|(_, n)| n)
            .unwrap_or("")
            .to_string();
        let parent = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        found.push((pid, parent, name));
    }
    found
}

/// The app process running on `data_dir`, if any.
fn app_pid(data_dir: &Path) -> Option<u32> {
    let needle = data_dir.display().to_string();
    processes()
        .into_iter()
        .find(|(pid, _, name)| {
            name.starts_with("scopebook-app")
                && std::fs::read(format!("/proc/{pid}/cmdline"))
                    .map(|c| String::from_utf8_lossy(&c).contains(&needle))
                    .unwrap_or(false)
        })
        .map(|(pid, _, _)| pid)
}

/// Process `root` and its children (the WebKit processes): each one's name, its PSS in KiB
/// (shared libraries split between the processes that map them), and the part of it that is
/// private to the process (USS: what it holds alone).
fn memory(root: u32) -> Vec<(String, u64, u64)> {
    let sizes = |pid: u32| -> (u64, u64) {
        let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let field = |prefix: &str| -> u64 {
            text.lines()
                .find(|l| l.starts_with(prefix))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
                .unwrap_or(0)
        };
        (
            field("Pss:"),
            field("Private_Clean:") + field("Private_Dirty:"),
        )
    };
    let all = processes();
    let mut found = Vec::new();
    for (pid, parent, name) in &all {
        if *pid == root || *parent == root {
            let (pss, uss) = sizes(*pid);
            found.push((name.clone(), pss, uss));
        }
    }
    // The root first.
    found.sort_by_key(|(name, _, _)| name.starts_with("WebKit"));
    found
}

/// "N MB PSS, M MB private — each process's share".
fn describe(used: &[(String, u64, u64)]) -> String {
    let pss: u64 = used.iter().map(|(_, kb, _)| kb).sum();
    let uss: u64 = used.iter().map(|(_, _, kb)| kb).sum();
    format!(
        "{} MB PSS, {} MB private — {}",
        pss / 1024,
        uss / 1024,
        used.iter()
            .map(|(name, pss, uss)| format!("{name} {} MB ({} MB private)", pss / 1024, uss / 1024))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The engine's floor: an empty Tauri window with the app's webview settings
/// (src-tauri/examples/blank_window.rs, its path in SCOPEBOOK_BLANK_WINDOW), its memory once its
/// web process has settled. None when tests/figures.sh didn't build it.
async fn blank_window_memory() -> Result<Option<Vec<(String, u64, u64)>>> {
    let Some(binary) = std::env::var_os("SCOPEBOOK_BLANK_WINDOW") else {
        return Ok(None);
    };
    let mut child = std::process::Command::new(&binary)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("couldn't start {}: {e}", PathBuf::from(&binary).display()))?;
    let root = child.id();
    let started = Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(20)
        && !processes()
            .iter()
            .any(|(_, parent, name)| *parent == root && name.starts_with("WebKitWebProces"))
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // As long as the app's dashboard is given before it is measured.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let used = memory(root);
    let _ = child.kill();
    let _ = child.wait();
    Ok(Some(used))
}

#[tokio::main]
async fn main() -> Result {
    if std::env::var_os("DISPLAY").is_none() {
        return Err("run under a display: bash tests/figures.sh".into());
    }
    let mut report = Vec::new();
    let mut say = |line: String| {
        println!("{line}");
        report.push(line);
    };
    say(format!(
        "Scopebook figures — {CLIENTS} clients, {SERVICES} services, {PROPOSALS} proposals, \
         {} posted invoices; release build under Xvfb ({})",
        CLIENTS * MONTHS,
        scopebook_e2e::app_binary().display()
    ));

    // Start-up: three launches on the same data; the first is the coldest this machine allows
    // (the file was just copied, so the OS may still hold its pages).
    let mut startups = Vec::new();
    let folder = firm_copy()?;
    for launch in 0..3 {
        let app = App::launch(folder.path()).await?;
        if let Err(e) = app.wait_for("[data-testid=dash-recurring]").await {
            // Say why: the app's own output (a data file from a newer build, a crash…).
            let output =
                std::fs::read_to_string(folder.path().join("app-output.log")).unwrap_or_default();
            let tail: Vec<&str> = output.lines().rev().take(20).collect();
            let shown = app
                .script("return document.body.innerText.slice(0, 400)")
                .await;
            return Err(format!(
                "the dashboard didn't appear ({e}); the window shows {shown:?}; the app said:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            )
            .into());
        }
        let mut shown = serde_json::Value::Null;
        for _ in 0..50 {
            shown = app
                .script(
                    "const m = performance.getEntriesByName('scopebook-first-screen'); \
                     return m.length ? m[0].detail : null;",
                )
                .await?;
            if !shown.is_null() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let ms = shown["since_process_start_ms"]
            .as_u64()
            .or_else(|| shown["since_main_ms"].as_u64())
            .ok_or_else(|| format!("the window didn't report its start-up: {shown}"))?;
        startups.push(ms);
        if launch < 2 {
            app.close().await?;
        } else {
            // The last launch goes on to the screens; first, what the window holds with only
            // the dashboard shown (the floor the screens add to).
            let app_process = app_pid(folder.path()).ok_or("the app's process wasn't found")?;
            let first_screen = memory(app_process);
            let mut lines = Vec::new();
            for list in &LISTS {
                let nav = format!("[data-nav={}]", list.nav);
                app.script("window.__scopebookCalls = []; return 0;")
                    .await?;
                let open = timed(&app, "open", &nav, list.table, "", 0, 0.0).await?;
                // The commands the screen waited on, and their round trips.
                let calls = app
                    .script(
                        "const c = window.__scopebookCalls || []; delete window.__scopebookCalls; \
                         const t0 = window.__scopebookT0 || 0; \
                         return c.map((x) => x.command + ' ' + Math.round(x.ms) + ' ms (sent at +' \
                           + Math.round(x.at - t0) + ' ms)').join(', ');",
                    )
                    .await?;
                let rows = row_count(&app, list.table).await?;
                // Opened again from the dashboard: what a bookkeeper sees on the day's later
                // visits (the window's code and caches warm), and how far a frame moves it.
                let mut again = Vec::new();
                for _ in 0..AGAIN {
                    app.click("[data-nav=dashboard]").await?;
                    app.wait_for("[data-testid=dash-recurring]").await?;
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                    again.push(timed(&app, "open", &nav, list.table, "", 0, 0.0).await?);
                }
                let (median, worst) = median_and_worst(again);
                let search = timed(
                    &app,
                    "search",
                    list.search,
                    list.table,
                    list.term,
                    rows,
                    list.pause,
                )
                .await?;
                let found = row_count(&app, list.table).await?;
                if !search.reached() {
                    // Say what was on screen instead, so a wrong readiness check shows.
                    let shown = app
                        .script(&format!(
                            "return [...document.querySelectorAll('{} tbody tr:not(.spacer)')]\
                             .slice(0, 3).map((r) => r.textContent.trim().slice(0, 80))",
                            list.table.replace('\'', "\\'")
                        ))
                        .await?;
                    println!("  ({} search: the rows shown were {shown})", list.nav);
                }
                lines.push(format!(
                    "  {:<10} opens in {open} the first time, then {median} (median of {AGAIN}; \
                     slowest {:.0} ms); {rows} rows on screen; first open's commands: {}\n  \
                     {:<10} search \"{}\" {search} after the typing pause ({found} rows)",
                    list.nav,
                    worst.on_screen,
                    calls.as_str().unwrap_or("none"),
                    "",
                    list.term,
                ));
            }
            // Every other screen once, then memory.
            for nav in ["reports", "settings", "dashboard"] {
                app.click(&format!("[data-nav={nav}]")).await?;
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            for tab in ["services", "profitability", "scope-creep", "revenue"] {
                app.click("[data-nav=reports]").await?;
                if app.exists(&format!("[data-tab={tab}]")).await {
                    app.click(&format!("[data-tab={tab}]")).await?;
                }
                tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            }
            app.click("[data-nav=dashboard]").await?;
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            let used = memory(app_process);
            say(format!(
                "start-up to the first screen interactive: {} ms cold, then {} ms and {} ms warm \
                 (goal < 1,000 ms warm)",
                startups[0], startups[1], startups[2]
            ));
            say("list screens (goal < 100 ms):".to_string());
            for line in lines {
                say(line);
            }
            say(format!(
                "memory at the first screen (the dashboard only): {}",
                describe(&first_screen)
            ));
            say(format!(
                "memory after every screen (goal < 150 MB): {}",
                describe(&used)
            ));
            app.close().await?;
            if let Some(floor) = blank_window_memory().await? {
                say(format!(
                    "memory of an empty Tauri window with the same settings (the engine's floor): {}",
                    describe(&floor)
                ));
            }
        }
    }
    std::fs::create_dir_all(scopebook_e2e::artifacts_dir())?;
    std::fs::write(
        scopebook_e2e::artifacts_dir().join("figures.txt"),
        report.join("\n") + "\n",
    )?;
    Ok(())
}
