//! What the contacts sync costs in Xero calls, against xero-sim with Xero's limits on (60 calls
//! a minute, 1,000 a day, 5 at once): 10,000 contacts in Xero and 10,000 clients here, 9,000 of
//! them the same businesses. Prints the initial pull, the first import's matching and apply,
//! the first sync after it, an unchanged re-sync and a sync after three edits in Xero — calls
//! as Scopebook counts them and as the simulator saw them, and times — beside the naive way,
//! one `searchTerm` search per client, run for real on a sample and scaled up. Then checks the
//! targets: initial pull ≤ 11 calls, matching under a second, an unchanged re-sync one call.
//!
//! `cargo bench -p scopebook-core --bench sync_calls` (a minute or two: the naive sample first
//! waits for Xero's minute window to empty, so its time is its own).

mod against_sim;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use against_sim::{Outcome, measured, sign_in, total};
use scopebook_core::clients::import::import_clients;
use scopebook_core::store::{SharedStore, Store, lock};
use scopebook_core::sync::{
    FirstImportOptions, SyncOptions, SyncReport, apply_first_import, preview_first_import,
    pull_contacts, sync_contacts,
};
use scopebook_core::xero_calls::count_calls_since;
use scopebook_xero::{ContactQuery, XeroClient};
use serde_json::{Value, json};
use xero_sim::Limits;

/// Contacts in the bookkeeper's Xero file, and clients here.
const CONTACTS: usize = 10_000;
const CLIENTS: usize = 10_000;
/// Client `i` is contact `i` below this; the other clients are only here, the other contacts
/// only in Xero.
const BOTH: usize = 9_000;
/// Clients the naive way is run for (within one minute's calls); scaled up to `CLIENTS`.
const NAIVE_SAMPLE: usize = 50;
/// Contacts the bookkeeper edits in Xero before the last sync.
const EDITED: usize = 3;

const MAX_PULL_CALLS: u32 = 11;
const MAX_MATCHING: Duration = Duration::from_secs(1);

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Outcome<()> {
    let limits = Limits::default();
    let (sim, admin) = against_sim::start(limits).await?;
    let tenant = xero_sim::seed::HARBOUR_BOOKKEEPING.to_string();

    // The file was entered long ago: its contacts are not "changed since" any pull here.
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    admin
        .post("/clock", json!({ "now": month_ago.to_rfc3339() }))
        .await?;
    let started = Instant::now();
    let contact_ids = admin.add_contacts(&tenant, xero_file()).await?;
    let load_time = started.elapsed();
    admin.post("/clock", json!({ "now": null })).await?;

    let folder = tempfile::tempdir()?;
    let store: SharedStore = Arc::new(Mutex::new(Store::open_in(folder.path())?));
    let journal: String = lock(&store)
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    let xero = sign_in(&sim, &store, &tenant).await?;
    let started = Instant::now();
    let imported = import_clients(&mut lock(&store), clients_csv())?;
    let import_time = started.elapsed();
    println!(
        "Setup: {} contacts put in Harbour Bookkeeping's Xero file through xero-sim's admin API \
         ({:.2} s, no API calls); {} clients imported here from CSV into a SQLite file, journal \
         mode {journal} ({:.2} s).",
        contact_ids.len(),
        load_time.as_secs_f64(),
        imported.imported,
        import_time.as_secs_f64()
    );

    let never = AtomicBool::new(false);
    let mut table = Table::default();

    let (pull, took, seen) = measured(&admin, async {
        Ok(pull_contacts(&store, &xero, &never, |_| {}).await?)
    })
    .await?;
    table.row(
        "initial pull",
        pull.pages,
        total(&seen),
        took,
        format!("{} contacts in {} pages", pull.received, pull.pages),
    );
    let pull_counts = (pull.pages, total(&seen));

    let options = FirstImportOptions::default();
    let (preview, matching, seen) = measured(&admin, async {
        Ok(preview_first_import(&lock(&store), options)?)
    })
    .await?;
    table.row(
        "first import: matching (the preview)",
        0,
        total(&seen),
        matching,
        format!(
            "{} links, {} new clients, {} to review, {} left out",
            preview.links, preview.new_clients, preview.reviews, preview.skipped
        ),
    );
    let (applied, took, seen) = measured(&admin, async {
        Ok(apply_first_import(&mut lock(&store), options)?)
    })
    .await?;
    table.row(
        "first import: apply",
        0,
        total(&seen),
        took,
        format!(
            "{} linked, {} clients added",
            applied.links, applied.new_clients
        ),
    );

    let (first, took, seen) = measured(&admin, sync(&store, &xero)).await?;
    table.sync_row("first sync after the import", &first, total(&seen), took);
    let (unchanged, took, seen) = measured(&admin, sync(&store, &xero)).await?;
    table.sync_row("unchanged re-sync", &unchanged, total(&seen), took);
    let unchanged_counts = (unchanged.calls, total(&seen));

    for (i, id) in contact_ids.iter().take(EDITED).enumerate() {
        let changes = json!({ "EmailAddress": format!("billing{i}@client.example") });
        admin
            .post(
                "/contacts/edit",
                json!({ "tenant_id": tenant, "contact_id": id, "changes": changes }),
            )
            .await?;
    }
    let (edited, took, seen) = measured(&admin, sync(&store, &xero)).await?;
    table.sync_row(
        &format!("sync after {EDITED} edits in Xero"),
        &edited,
        total(&seen),
        took,
    );

    println!("(Waiting 61 s for Xero's minute window to empty before the naive sample.)");
    tokio::time::sleep(Duration::from_secs(61)).await;
    let since = chrono::Utc::now();
    let (found, naive_time, naive_seen) = measured(&admin, async {
        let mut found = 0;
        for i in (0..CLIENTS).step_by(CLIENTS / NAIVE_SAMPLE) {
            let query = ContactQuery {
                search_term: Some(client_name(i)),
                ..ContactQuery::default()
            };
            if !xero.contacts(&tenant, &query).await?.items.is_empty() {
                found += 1;
            }
        }
        Ok(found)
    })
    .await?;
    let counted = count_calls_since(&lock(&store), &tenant, since)?.calls;
    table.naive(counted, total(&naive_seen), naive_time, found, limits);

    println!(
        "\nXero calls of the contacts sync: {CONTACTS} contacts in Xero, {CLIENTS} clients here \
         ({BOTH} the same businesses), xero-sim with Xero's limits ({} calls a minute, {} a day, \
         {} at once)\n",
        limits.per_minute, limits.per_day, limits.concurrent
    );
    table.print();

    let mut missed = Vec::new();
    if pull.pages > MAX_PULL_CALLS {
        missed.push(format!(
            "the initial pull took {} calls (at most {MAX_PULL_CALLS})",
            pull.pages
        ));
    }
    if matching >= MAX_MATCHING {
        missed.push(format!(
            "matching took {:.3} s (under {} s)",
            matching.as_secs_f64(),
            MAX_MATCHING.as_secs()
        ));
    }
    if unchanged.calls != 1 {
        missed.push(format!(
            "an unchanged re-sync took {} calls (1)",
            unchanged.calls
        ));
    }
    for (step, (counted, seen)) in [("pull", pull_counts), ("re-sync", unchanged_counts)] {
        if u64::from(counted) != seen {
            missed.push(format!(
                "the {step}: Scopebook counted {counted} calls, xero-sim saw {seen}"
            ));
        }
    }
    if !missed.is_empty() {
        panic!("targets missed: {}", missed.join("; "));
    }
    println!(
        "\nTargets met: initial pull ≤ {MAX_PULL_CALLS} calls, matching < {} s, unchanged re-sync 1 call.",
        MAX_MATCHING.as_secs()
    );
    sim.shutdown().await;
    Ok(())
}

/// One sync run, as *Sync with Xero* runs it.
async fn sync(store: &SharedStore, xero: &XeroClient) -> Outcome<SyncReport> {
    let never = AtomicBool::new(false);
    Ok(sync_contacts(store, xero, SyncOptions::default(), &never, |_| {}).await?)
}

/// The bookkeeper's Xero file. Contact `i` below `BOTH` is client `i` as Xero has it: the name
/// written differently for two in three, the same email and tax number, the phone in Xero's
/// parts. The rest are only in Xero, half customers and half suppliers.
fn xero_file() -> Vec<Value> {
    (0..CONTACTS)
        .map(|i| {
            if i < BOTH {
                let name = match i % 3 {
                    0 => format!("CLIENT {i} PTY. LTD."),
                    1 => client_name(i),
                    _ => format!("Client {i}"),
                };
                json!({
                    "Name": name,
                    "EmailAddress": client_email(i),
                    "TaxNumber": tax_number(i),
                    "Phones": [{ "PhoneType": "DEFAULT", "PhoneCountryCode": "61",
                                 "PhoneAreaCode": "02", "PhoneNumber": format!("9{i:07}") }],
                    "IsCustomer": true,
                })
            } else {
                json!({
                    "Name": format!("Xero Only {i} Holdings"),
                    "EmailAddress": format!("office{i}@xero-only.example"),
                    "Phones": [{ "PhoneType": "DEFAULT", "PhoneCountryCode": "61",
                                 "PhoneAreaCode": "07", "PhoneNumber": format!("3{i:07}") }],
                    "IsCustomer": i % 2 == 0,
                    "IsSupplier": i % 2 == 1,
                })
            }
        })
        .collect()
}

/// The practice's client list as a CSV file, the way it is brought in.
fn clients_csv() -> String {
    let mut csv = String::from("display_name,email,phone,tax_number\n");
    for i in 0..CLIENTS {
        let row = if i < BOTH {
            format!(
                "{},{},02 9{i:07},{}\n",
                client_name(i),
                client_email(i),
                tax_number(i)
            )
        } else {
            format!(
                "{},hello{i}@local-only.example,03 8{i:07},\n",
                client_name(i)
            )
        };
        csv.push_str(&row);
    }
    csv
}

fn client_name(i: usize) -> String {
    if i < BOTH {
        format!("Client {i} Pty Ltd")
    } else {
        format!("Local Only {i} Partners")
    }
}

fn client_email(i: usize) -> String {
    format!("accounts{i}@client.example")
}

/// One business in three has its tax number on file.
fn tax_number(i: usize) -> String {
    if i.is_multiple_of(3) {
        format!("{i:011}")
    } else {
        String::new()
    }
}

/// The printed figures: (step, calls by Scopebook's count, calls by xero-sim's, time, note).
#[derive(Default)]
struct Table {
    rows: Vec<[String; 5]>,
}

impl Table {
    fn row(&mut self, step: &str, counted: impl ToString, seen: u64, took: Duration, note: String) {
        self.rows.push([
            step.to_string(),
            counted.to_string(),
            seen.to_string(),
            format!("{:.3} s", took.as_secs_f64()),
            note,
        ]);
    }

    fn sync_row(&mut self, step: &str, report: &SyncReport, seen: u64, took: Duration) {
        let note = if report.is_quiet() {
            format!("{} contacts read, nothing to do", report.pull.received)
        } else {
            format!(
                "{} contacts read; {} clients brought up to date, {} sent, {} conflicts",
                report.pull.received,
                report.to_here.len(),
                report.to_xero.len() + report.created.len(),
                report.conflicts.len()
            )
        };
        self.row(step, report.calls, seen, took, note);
    }

    /// The naive way: the sample as run, then scaled up to every client. Its time is the
    /// longer of the sample's pace and Xero's minute limit.
    fn naive(&mut self, counted: u32, seen: u64, took: Duration, found: usize, limits: Limits) {
        self.rows.push(Default::default());
        self.row(
            &format!("naive: one search per client, {NAIVE_SAMPLE} run"),
            counted,
            seen,
            took,
            format!("{found} of {NAIVE_SAMPLE} searches found a contact by the client's name"),
        );
        let calls = CLIENTS as u64;
        let paced = took * u32::try_from(CLIENTS / NAIVE_SAMPLE).unwrap_or(u32::MAX);
        let limited = Duration::from_secs(calls * 60 / u64::from(limits.per_minute));
        let minutes = paced.max(limited).as_secs().div_ceil(60);
        self.rows.push([
            format!("naive: {CLIENTS} clients (scaled up)"),
            calls.to_string(),
            String::new(),
            format!("{} h {:02} min", minutes / 60, minutes % 60),
            format!(
                "{:.0} s at the sample's pace, but Xero allows {} calls a minute; {} days of a \
                 {}-call daily budget",
                paced.as_secs_f64(),
                limits.per_minute,
                calls.div_ceil(u64::from(limits.per_day)),
                limits.per_day
            ),
        ]);
    }

    fn print(&self) {
        let header = ["step", "Scopebook", "xero-sim", "time", ""];
        let line = |row: &[String; 5]| {
            println!(
                "{:<44} {:>9} {:>9} {:>10}   {}",
                row[0], row[1], row[2], row[3], row[4]
            );
        };
        line(&header.map(str::to_string));
        line(&[
            String::new(),
            "calls".into(),
            "calls".into(),
            String::new(),
            String::new(),
        ]);
        for row in &self.rows {
            if row[0].is_empty() {
                println!();
            } else {
                line(row);
            }
        }
    }
}
