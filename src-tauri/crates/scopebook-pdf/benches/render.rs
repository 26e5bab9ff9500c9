//! Render timing for the sample proposal: one cold render (fonts parsed, template compiled), then
//! 50 warm renders of the same document and 50 of a document that changes each time; then a
//! 40-line proposal laid out as the app lays out a full breakdown (five pages with the sample's
//! introduction and terms), rendered warm 50 times with a change each time (target: median
//! under 30 ms). Every render is PDF/A-2b + PDF/UA-1, as the app exports them.
//! Run with `cargo bench -p scopebook-pdf`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use scopebook_pdf::{ProposalDocument, render_pdf, render_pdf_timed};

const WARM_RUNS: usize = 50;

fn main() {
    let doc = ProposalDocument::sample();

    let start = Instant::now();
    let pdf = render_pdf(&doc).expect("cold render");
    let cold = start.elapsed();

    let mut warm: Vec<Duration> = (0..WARM_RUNS)
        .map(|_| {
            let start = Instant::now();
            render_pdf(&doc).expect("warm render");
            start.elapsed()
        })
        .collect();
    warm.sort();

    // Milliseconds with two decimals, in integers (the workspace lints forbid float arithmetic).
    let ms = |d: Duration| {
        let micros = d.as_micros();
        format!("{}.{:02}", micros / 1000, micros % 1000 / 10)
    };
    let median = warm[WARM_RUNS / 2];
    let p95 = warm[p95_index(WARM_RUNS)];
    // typst memoizes unchanged work, so re-rendering the very same document is cheaper than the
    // usual case; also time a document that changes on every render (client, number, a price).
    let mut changed: Vec<Duration> = (0..WARM_RUNS)
        .map(|i| {
            let mut doc = doc.clone();
            doc.client.name = format!("Client number {i}");
            doc.number = format!("P-2026-{i:04}");
            doc.scope_in[0].price = format!("${},000.00", i + 1);
            let start = Instant::now();
            render_pdf(&doc).expect("warm render of a changed document");
            start.elapsed()
        })
        .collect();
    changed.sort();

    println!("scopebook-pdf sample proposal ({} bytes)", pdf.len());
    println!("cold render:                    {:>8} ms", ms(cold));
    println!("warm, same document, median:    {:>8} ms", ms(median));
    println!("warm, same document, p95:       {:>8} ms", ms(p95));
    println!(
        "warm, changed document, median: {:>8} ms",
        ms(changed[WARM_RUNS / 2])
    );
    println!(
        "warm, changed document, p95:    {:>8} ms",
        ms(changed[p95_index(WARM_RUNS)])
    );

    let long = forty_lines();
    let start = Instant::now();
    let pdf = render_pdf(&long).expect("cold render of the 40-line proposal");
    let cold = start.elapsed();
    let mut compile = Vec::new();
    let mut export = Vec::new();
    let mut other = Vec::new();
    let mut warm: Vec<Duration> = (0..WARM_RUNS)
        .map(|i| {
            let mut doc = long.clone();
            doc.client.name = format!("Client number {i}");
            doc.scope_in[7].price = format!("${},000.00", i + 1);
            let start = Instant::now();
            let (_, phases) = render_pdf_timed(&doc).expect("warm render of the 40-line proposal");
            compile.push(phases.compile);
            export.push(phases.export);
            other.push(phases.data + phases.evict);
            start.elapsed()
        })
        .collect();
    warm.sort();
    compile.sort();
    export.sort();
    other.sort();
    let median = warm[WARM_RUNS / 2];
    println!(
        "40-line proposal, {} pages, PDF/A-2b + PDF/UA-1 ({} bytes):",
        pages(&pdf),
        pdf.len()
    );
    println!("cold render:                    {:>8} ms", ms(cold));
    println!(
        "warm, changed document, median: {:>8} ms  (target < 30 ms: {})",
        ms(median),
        if median < Duration::from_millis(30) {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "warm, changed document, p95:    {:>8} ms",
        ms(warm[p95_index(WARM_RUNS)])
    );
    println!(
        "  of which layout (median):      {:>8} ms, PDF writing: {} ms, data and cache upkeep: {} ms",
        ms(compile[WARM_RUNS / 2]),
        ms(export[WARM_RUNS / 2]),
        ms(other[WARM_RUNS / 2])
    );
}

/// The sample with 40 services in scope, as the app lays out a full breakdown: each line with
/// its description, price and how the price was reached; the fees section with each frequency's
/// total (the lines are not listed twice).
fn forty_lines() -> ProposalDocument {
    let mut doc = ProposalDocument::sample();
    let item = doc.scope_in[0].clone();
    doc.scope_in = (1..=40)
        .map(|i| {
            let mut item = item.clone();
            item.service = format!("Service {i}: {}", item.service);
            item.price = format!("${i}00.00");
            item.note = "Quality of the books: average (× 1.15)".into();
            item
        })
        .collect();
    for group in &mut doc.fee_groups {
        group.lines.clear();
    }
    doc
}

/// Pages in a PDF, counted from its page objects.
fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type/Page").count() + text.matches("/Type /Page").count()
        - text.matches("/Type/Pages").count()
        - text.matches("/Type /Pages").count()
}

fn p95_index(runs: usize) -> usize {
    (runs * 95).div_ceil(100) - 1
}
