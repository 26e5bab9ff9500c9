//! Prints how long matching 10,000 clients against 10,000 Xero contacts takes through the
//! index, beside a naive scan that compares every client's name with every contact's.
//!
//! `cargo bench -p scopebook-core --bench matching`

use std::time::Instant;

use scopebook_core::matching::normalize::compare_names;
use scopebook_core::matching::{Decision, MatchClient, MatchContact, MatchOptions, match_clients};

const N: usize = 10_000;
/// Clients the naive scan is timed on; its figure is scaled up to `N`.
const NAIVE_SAMPLE: usize = 500;

fn synthetic(n: usize) -> (Vec<MatchClient>, Vec<MatchContact>) {
    let clients = (0..n)
        .map(|i| MatchClient {
            id: i as i64,
            display_name: format!("Client {i} Pty Ltd"),
            emails: vec![format!("accounts{i}@client.example")],
            phone: format!("02 9{i:07}"),
            tax_number: if i % 3 == 0 {
                format!("{i:011}")
            } else {
                String::new()
            },
            postcode: format!("{}", 2000 + i % 100),
            ..MatchClient::default()
        })
        .collect();
    let contacts = (0..n)
        .map(|i| MatchContact {
            contact_id: format!("contact-{i}"),
            name: if i % 2 == 0 {
                format!("CLIENT {i} PTY. LTD.")
            } else {
                format!("Someone Else {i}")
            },
            email: format!("Accounts{i}@client.example"),
            tax_number: if i % 3 == 0 {
                format!("{i:011}")
            } else {
                String::new()
            },
            phones: vec![format!("+61 2 9{i:07}")],
            is_customer: true,
            ..MatchContact::default()
        })
        .collect();
    (clients, contacts)
}

fn main() {
    let (clients, contacts) = synthetic(N);

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
