//! Prints how long matching 10,000 clients against 10,000 Xero contacts takes through the
//! index, beside a naive scan that compares every client's name with every contact's.
//!
//! `cargo bench -p scopebook-core --bench matching`

use std::time::Instant;

use scopebook_core::matching::normalize::compare_names;
use scopebook_core::matching::{Decision, MatchOptions, match_clients, synthetic_firm};

const N: usize = 10_000;
/// Clients the naive scan is timed on; its figure is scaled up to `N`.
const NAIVE_SAMPLE: usize = 500;

fn main() {
    let (clients, contacts) = synthetic_firm(N);

    let started = Instant::now();
    let matches = match_clients(&clients, &contacts, MatchOptions::default());
    let indexed = started.elapsed();
    let linked = matches
        .iter()
        .filter(|m| matches!(m.decision, Decision::AutoLink { .. }))
        .count();
    println!(
        "indexed: {N} clients x {N} contacts matched in {:.3} s ({linked} linked without asking)",
        indexed.as_secs_f64()
    );

    let started = Instant::now();
    let mut similar = 0usize;
    for client in &clients[..NAIVE_SAMPLE] {
        for contact in &contacts {
            if compare_names(&client.display_name, &contact.name)
                != scopebook_core::matching::normalize::NameMatch::Different
            {
                similar += 1;
            }
        }
    }
    let naive = (started.elapsed() * (N / NAIVE_SAMPLE) as u32).as_secs_f64();
    println!(
        "naive: comparing every name with every name would take about {naive:.1} s for {N} x {N} \
         (timed on {NAIVE_SAMPLE} clients, {similar} similar names found)"
    );
}
