//! The dashboard at scale in the real window: the billing bench's data file (2,000 clients × 8
//! services, their proposals over 2026–2027) opened by a release build, and the time from
//! opening the dashboard to its figures on screen, as the window measures it. A figure, printed
//! and written to `target/e2e-artifacts/dashboard-at-scale.txt`, not a pass/fail timing.
//!
//! Needs the file and a release app, so it is not part of the test command:
//!
//! ```sh
//! SCOPEBOOK_BENCH_KEEP=/tmp/scale cargo bench -p scopebook-core --bench billing
//! (cd ui && npm run build) && cargo build --release -p scopebook-app
//! SCOPEBOOK_SCALE_DATA=/tmp/scale SCOPEBOOK_APP=target/release/scopebook-app \
//!   cargo test -p scopebook-e2e --test scale -- --ignored --nocapture   # under Xvfb, as test-all
//! ```

use scopebook_e2e::{App, Result};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the billing bench's data file and a release build (see the module docs)"]
async fn the_dashboard_on_two_thousand_clients() -> Result {
    let Some(source) = std::env::var_os("SCOPEBOOK_SCALE_DATA") else {
        return Err("set SCOPEBOOK_SCALE_DATA to the folder the billing bench kept".into());
    };
    // A copy: opening may migrate or checkpoint the file.
    let dir = tempfile::tempdir()?;
    for entry in std::fs::read_dir(&source)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name()))?;
        }
    }
    let app = App::launch(dir.path()).await?;
    let mut figures = Vec::new();
    // The first opening, then three more (the second onwards with SQLite's pages warm).
    for round in 0..4 {
        if round > 0 {
            app.click("[data-nav=clients]").await?;
            app.wait_for("[data-testid=clients-table]").await?;
            app.click("[data-nav=dashboard]").await?;
        }
        app.wait_for("[data-testid=dash-recurring]").await?;
        let took = app
            .script(
                "const last = (name) => { const m = performance.getEntriesByName(name); \
                   return m.length ? m[m.length - 1].duration : null; }; \
                 const both = [last('dashboard-data'), last('dashboard-interactive')]; \
                 performance.clearMeasures(); return both;",
            )
            .await?;
        let figure = |at: usize| took.get(at).and_then(serde_json::Value::as_f64);
        let (Some(data), Some(shown)) = (figure(0), figure(1)) else {
            return Err(format!("the dashboard didn't measure itself: {took}").into());
        };
        figures.push((data, shown));
    }
    let recurring = app.text("[data-testid=dash-recurring]").await?;
    app.screenshot("90-dashboard-at-scale", "[data-testid=dashboard]")
        .await?;
    app.close().await?;
    let times: Vec<String> = figures
        .iter()
        .map(|(data, shown)| format!("{shown:.0} ms (figures from Rust at {data:.0} ms)"))
        .collect();
    let line = format!(
        "dashboard at scale (2,000 clients × 8 services, release build): interactive after \
         opening in {} the first time, then {}; recurring {recurring}\n",
        times[0],
        times[1..].join(" / ")
    );
    print!("{line}");
    std::fs::create_dir_all(scopebook_e2e::artifacts_dir())?;
    std::fs::write(
        scopebook_e2e::artifacts_dir().join("dashboard-at-scale.txt"),
        line,
    )?;
    Ok(())
}
