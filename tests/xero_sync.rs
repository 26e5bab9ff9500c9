//! Clients ⇄ Xero contacts in the real window, against xero-sim over HTTP: the first import
//! with its preview, a review item resolved, a client edited here and synced to Xero, a detail
//! changed on both sides resolved side by side, the board's filters, a create refused while a
//! contact in Xero may be the client, and the client page's Xero panel.

use std::process::Command;

use scopebook_e2e::{App, Result, Sim, cli, cli_with, practice_folder};

const CLIENT_ID: &str = "SCOPEBOOK-TEST-CLIENT";
const DEMO_COMPANY_AU: &str = "7f3c1b52-9d4e-4a8b-8c21-5e6f70a1b201";

/// A bookkeeper's edit in Xero, through the simulator's admin API.
fn edit_in_xero(sim: &Sim, contact_id: &str, changes: serde_json::Value) -> Result {
    let body = serde_json::json!({
        "tenant_id": DEMO_COMPANY_AU,
        "contact_id": contact_id,
        "changes": changes,
    });
    let out = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--fail",
            "-H",
            "content-type: application/json",
        ])
        .args(["--data", &body.to_string()])
        .arg(format!("{}/__admin/contacts/edit", sim.base_url))
        .output()?;
    if !out.status.success() {
        return Err(format!("admin edit: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(())
}

/// The ContactID of the contact named exactly `name`, as `scopebook xero contacts` lists it.
fn contact_id(listing: &str, name: &str) -> Option<String> {
    listing.lines().find_map(|line| {
        let (id, rest) = line.split_once(char::is_whitespace)?;
        rest.trim_start()
            .starts_with(&format!("{name}  "))
            .then(|| id.to_string())
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn import_review_sync_conflict_filters_and_a_refused_create() -> Result {
    let sim = Sim::start().await?;
    let dir = practice_folder()?;
    let browser = scopebook_e2e::workspace().join("tests/fake-browser.sh");
    let env = [
        ("SCOPEBOOK_XERO_BASE_URL", sim.base_url.as_str()),
        ("SCOPEBOOK_BROWSER", browser.to_str().unwrap_or_default()),
    ];
    let csv = dir.path().join("clients.csv");
    std::fs::write(
        &csv,
        "Name,Email,Status\nBlue Gum Landscaping,,client\nZed Unique Consulting,zed@unique.test,client\n",
    )?;
    cli(
        dir.path(),
        &[
            "clients",
            "import",
            "--csv",
            csv.to_str().unwrap_or_default(),
        ],
    );
    // Connecting through the window is the Xero connection test's; here the CLI connects (the
    // tokens go to this data folder's keychain entries, which the app shares).
    cli_with(dir.path(), &["xero", "client-id", CLIENT_ID], &env);
    cli_with(
        dir.path(),
        &["xero", "connect", "--tenant", DEMO_COMPANY_AU],
        &env,
    );

    let app = App::launch_with(dir.path(), &env).await?;
    app.click("[data-nav=clients]").await?;
    app.click("[data-tab=xero-connections]").await?;
    app.wait_for_text("[data-testid=connections-table]", "Blue Gum Landscaping")
        .await?;

    // The first import: previewed, then applied in one step.
    app.click("[data-testid=import-from-xero]").await?;
    let summary = app
        .wait_for_text("[data-testid=xero-import-summary]", "to link")
        .await?;
    assert!(summary.contains("to review"), "{summary}");
    app.screenshot(
        "60-xero-import-preview",
        "[data-testid=xero-import-preview]",
    )
    .await?;
    app.click("[data-testid=apply-xero-import]").await?;
    app.wait_for_text("[data-testid=toast]", "Imported from Xero")
        .await?;

    // A review item: Blue Gum may be either of two contacts; link the suggested one.
    let row = "tr[data-connection='Blue Gum Landscaping']";
    app.wait_for_text(row, "Needs review").await?;
    app.wait_for_text(row, "possible matches").await?;
    app.screenshot("61-connections-review", row).await?;
    // Its panel ranks every candidate, with the reasons; a search by name reaches the rest.
    app.click("[data-open-connection='Blue Gum Landscaping']")
        .await?;
    let candidates = app
        .wait_for_text(
            "[data-testid=panel-candidates]",
            "Blue Gum Landscaping Limited",
        )
        .await?;
    assert!(
        candidates.contains("Blue Gum Landscaping Ltd"),
        "{candidates}"
    );
    assert!(candidates.contains("legal suffix"), "{candidates}");
    app.type_into("[data-testid=xero-search]", "Harbourside")
        .await?;
    app.click("[data-testid=xero-search-go]").await?;
    app.wait_for_text(
        "[data-testid=xero-search-results]",
        "Harbourside Cafe Pty Ltd",
    )
    .await?;
    app.screenshot("61b-connection-panel", "[data-testid=panel-candidates]")
        .await?;
    app.click("[data-testid=connection-drawer] button[aria-label='Close (Esc)']")
        .await?;
    app.click(&format!("{row} [data-testid=link-suggested]"))
        .await?;
    app.wait_for_text(row, "Linked").await?;

    // Edit the client here (and let Scopebook update it in Xero), then sync: previewed first.
    app.click("[data-tab=clients-list]").await?;
    app.click("[data-open-client='Blue Gum Landscaping']")
        .await?;
    app.type_into("input[name=email]", "accounts@bluegum.test")
        .await?;
    app.click("[data-tab=invoicing]").await?;
    app.click("[data-testid=push-to-xero]").await?;
    app.click("[data-testid=save-client]").await?;
    app.wait_for_text(
        "tr[data-client='Blue Gum Landscaping']",
        "accounts@bluegum.test",
    )
    .await?;
    app.click("[data-testid=sync-xero]").await?;
    app.click("[data-testid=preview-sync]").await?;
    app.wait_for_text(
        "[data-testid=sync-summary]",
        "Preview: nothing has changed yet",
    )
    .await?;
    app.wait_for_text("[data-testid=sync-to-xero]", "accounts@bluegum.test")
        .await?;
    app.click("[data-testid=run-sync]").await?;
    app.wait_for_text("[data-testid=sync-to-xero]", "accounts@bluegum.test")
        .await?;
    let done = app.text("[data-testid=sync-summary]").await?;
    assert!(!done.contains("Preview"), "{done}");
    app.screenshot("62-sync-report", "[data-testid=sync-to-xero]")
        .await?;
    app.click("[data-testid=sync-dialog] button[aria-label=Close]")
        .await?;
    let in_xero = cli_with(
        dir.path(),
        &["xero", "contacts", "--search", "Blue Gum"],
        &env,
    );
    assert!(in_xero.contains("accounts@bluegum.test"), "{in_xero}");

    // The same detail changed here and in Xero: a conflict, settled side by side.
    let linked = contact_id(&in_xero, "Blue Gum Landscaping Limited")
        .ok_or_else(|| format!("no Blue Gum contact in: {in_xero}"))?;
    edit_in_xero(
        &sim,
        &linked,
        serde_json::json!({ "Name": "Blue Gum Landscapes Limited" }),
    )?;
    app.click("[data-open-client='Blue Gum Landscaping']")
        .await?;
    app.type_into("input[name=display_name]", "Blue Gum Gardens")
        .await?;
    app.click("[data-testid=save-client]").await?;
    app.wait_for("tr[data-client='Blue Gum Gardens']").await?;
    app.click("[data-testid=sync-xero]").await?;
    app.click("[data-testid=run-sync]").await?;
    app.wait_for_text(
        "[data-testid=sync-conflicts]",
        "Blue Gum Landscapes Limited",
    )
    .await?;
    app.click("[data-testid=sync-conflicts] button").await?;
    app.wait_for_text("[data-testid=conflict-dialog]", "Blue Gum Gardens")
        .await?;
    app.screenshot("63-conflict", "[data-testid=conflict-dialog]")
        .await?;
    app.click("tr[data-conflict-field=name] input[data-keep=xero]")
        .await?;
    app.click("[data-testid=apply-resolution]").await?;
    app.wait_for_text("[data-testid=toast]", "resolved").await?;
    app.click("[data-testid=sync-dialog] button[aria-label=Close]")
        .await?;
    app.wait_for("tr[data-client='Blue Gum Landscapes Limited']")
        .await?;

    // The board's filters and counts.
    app.click("[data-tab=xero-connections]").await?;
    app.click("[data-state-filter=linked]").await?;
    let linked_rows = app.text("[data-testid=connections-table]").await?;
    assert!(
        linked_rows.contains("Blue Gum Landscapes Limited") && !linked_rows.contains("Zed Unique"),
        "{linked_rows}"
    );
    app.click("[data-state-filter=not_linked]").await?;
    app.wait_for_text("[data-testid=connections-table]", "Zed Unique Consulting")
        .await?;
    app.screenshot("64-connections-filtered", "[data-testid=connections-table]")
        .await?;

    // A new client that Xero may have already: creating it there is refused, with why.
    app.click("[data-tab=clients-list]").await?;
    app.click("[data-testid=new-client]").await?;
    app.type_into("input[name=display_name]", "Pinnacle Investments")
        .await?;
    app.click("[data-testid=save-client]").await?;
    app.wait_for("tr[data-client='Pinnacle Investments']")
        .await?;
    app.click("[data-tab=xero-connections]").await?;
    app.click("[data-state-filter=all]").await?;
    let pinnacle = "tr[data-connection='Pinnacle Investments']";
    app.click(&format!("{pinnacle} [data-testid=create-in-xero]"))
        .await?;
    let refused = app
        .wait_for_text("[data-testid=create-refused]", "Pinnacle Investments Pty")
        .await?;
    assert!(refused.contains("may be"), "{refused}");
    app.screenshot("65-create-refused", "[data-testid=create-refused]")
        .await?;
    let pinnacles = cli_with(
        dir.path(),
        &["xero", "contacts", "--search", "Pinnacle"],
        &env,
    );
    assert!(
        pinnacles.contains("2 contacts"),
        "nothing was created: {pinnacles}"
    );

    // The client page shows the same link, and its standing in Xero on request.
    app.click("[data-tab=clients-list]").await?;
    app.click("[data-open-client='Blue Gum Landscapes Limited']")
        .await?;
    app.click("[data-tab=xero]").await?;
    app.wait_for_text("[data-testid=panel-state]", "Linked")
        .await?;
    app.click("[data-testid=refresh-summary]").await?;
    app.wait_for("[data-testid=summary-outstanding]").await?;
    app.screenshot("66-client-xero-panel", "[data-testid=xero-summary]")
        .await?;
    app.close().await?;
    Ok(())
}
