//! Settings → Integrations in the real window against xero-sim over HTTP: connect through the
//! browser sign-in, choose the organisation, pick defaults from its accounts, restart, and
//! disconnect — and the tokens never reach the data file, the app's output or the IPC.

use scopebook_e2e::{App, Result, Sim, cli, keychain_tokens, practice_folder, workspace};

const CLIENT_ID: &str = "SCOPEBOOK-TEST-CLIENT";

/// Records every command and its reply passing between the window and Rust. Tauri's IPC goes
/// through `fetch` to its `ipc` protocol; `invoke` itself can't be wrapped (it is read-only).
const RECORD_IPC: &str = r#"
    if (!window.__ipcLog) {
        window.__ipcLog = [];
        const realFetch = window.fetch.bind(window);
        window.fetch = async (input, init) => {
            const url = String(input && input.url ? input.url : input);
            const ipc = url.startsWith("ipc:") || url.includes("ipc.localhost");
            if (ipc) window.__ipcLog.push("request " + url + " " + String(init && init.body));
            const response = await realFetch(input, init);
            if (ipc) {
                const text = await response.clone().text();
                window.__ipcLog.push("reply " + text);
            }
            return response;
        };
    }
    return true;
"#;

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_choose_defaults_restart_and_disconnect() -> Result {
    let sim = Sim::start().await?;
    let dir = practice_folder()?;
    let browser = workspace().join("tests/fake-browser.sh");
    let env = [
        ("SCOPEBOOK_XERO_BASE_URL", sim.base_url.as_str()),
        ("SCOPEBOOK_BROWSER", browser.to_str().unwrap_or_default()),
    ];
    let app = App::launch_with(dir.path(), &env).await?;
    // The keychain service of this data folder's entries (never the firm's own).
    let service = scopebook_secrets::Namespace::data_folder(dir.path())
        .service()
        .to_string();
    app.script(RECORD_IPC).await?;

    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=integrations]").await?;
    app.wait_for_text("[data-testid=xero-state]", "Not connected")
        .await?;
    // Xero's URLs point at the simulator: the window says so.
    let badge = app
        .wait_for_text("[data-testid=test-server-badge]", "Test server")
        .await?;
    assert!(badge.contains(sim.base_url.as_str()), "{badge}");
    app.screenshot("20-integrations-not-connected", "[data-testid=xero-state]")
        .await?;

    // The client id is checked, then saved.
    app.type_into("#client_id", "not valid!").await?;
    app.client
        .find(fantoccini::Locator::Css(
            "form.client-id button[type=submit]",
        ))
        .await?
        .click()
        .await?;
    app.wait_for_text("[data-field-error=client_id]", "Paste the client id")
        .await?;
    app.type_into("#client_id", CLIENT_ID).await?;
    app.client
        .find(fantoccini::Locator::Css(
            "form.client-id button[type=submit]",
        ))
        .await?
        .click()
        .await?;
    app.wait_for_text("[data-testid=toast]", "Client id saved")
        .await?;

    // Connect: the "browser" signs in; the grant reaches three organisations, so we choose.
    app.click("[data-testid=connect-xero]").await?;
    app.wait_for("[data-testid=xero-choose]").await?;
    app.screenshot("21-choose-organisation", "[data-testid=xero-choose]")
        .await?;
    app.click("input[data-tenant='Demo Company (AU)']").await?;
    app.click("[data-testid=choose-organisation]").await?;
    app.wait_for_text("[data-testid=xero-organisation]", "Demo Company (AU)")
        .await?;
    app.wait_for_text("[data-testid=xero-state]", "Connected")
        .await?;

    // Defaults chosen from the organisation's own lists.
    app.wait_for("#xero_recurring option[value='201']").await?;
    app.select("#xero_recurring", "201").await?;
    app.select("#xero_one_off", "260").await?;
    app.select("#xero_tax_type", "OUTPUT").await?;
    app.click("[data-testid=save-xero-defaults]").await?;
    app.wait_for_text("[data-testid=toast]", "Defaults saved")
        .await?;
    app.screenshot(
        "22-integrations-connected",
        "[data-testid=xero-organisation]",
    )
    .await?;

    // The tokens are in the keychain, and nowhere else.
    let tokens = keychain_tokens(&service, CLIENT_ID).ok_or("no tokens in the keychain")?;
    let access = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let refresh = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(access.len() > 10 && refresh.len() > 10, "{tokens}");
    let ipc = app
        .script("return (window.__ipcLog || []).join('\\n');")
        .await?;
    let ipc = ipc.as_str().unwrap_or_default();
    assert!(
        ipc.contains("connect_xero"),
        "the IPC recorder saw nothing: {ipc}"
    );
    assert!(
        !ipc.contains(&access) && !ipc.contains(&refresh),
        "a token crossed the IPC"
    );

    // Restart: still connected, from the local record alone.
    let app = app.restart().await?;
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=integrations]").await?;
    app.wait_for_text("[data-testid=xero-organisation]", "Demo Company (AU)")
        .await?;
    assert_eq!(app.value("#xero_recurring").await?, "201");
    // And Xero still accepts the stored tokens.
    app.click("[data-testid=refresh-xero-lists]").await?;
    app.wait_for_text("[data-testid=toast]", "Lists refreshed from Xero")
        .await?;

    for file in [
        "scopebook.sqlite3",
        "scopebook.sqlite3-wal",
        "app-output.log",
    ] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(
            !contains(&bytes, &access) && !contains(&bytes, &refresh),
            "a token is in {file}"
        );
    }

    // Disconnect: Xero forgets the grant, the keychain forgets the tokens.
    app.click("[data-testid=disconnect-xero]").await?;
    app.click("[data-testid=confirm-disconnect]").await?;
    app.wait_for_text("[data-testid=xero-state]", "Not connected")
        .await?;
    assert!(
        keychain_tokens(&service, CLIENT_ID).is_none(),
        "tokens left in the keychain"
    );
    app.screenshot("23-integrations-disconnected", "[data-testid=xero-state]")
        .await?;
    app.close().await?;

    let status = cli(dir.path(), &["xero", "status"]);
    assert!(status.contains("not connected"), "{status}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_runs_its_own_xero_sandbox_and_data() -> Result {
    let dir = practice_folder()?;
    let browser = workspace().join("tests/fake-browser.sh");
    let env = [("SCOPEBOOK_BROWSER", browser.to_str().unwrap_or_default())];
    let app = App::launch_full(dir.path(), &["--demo"], &env).await?;

    // A separate data folder: the demo starts at the first-run screen, under a banner.
    app.wait_for("[data-testid=first-run]").await?;
    app.type_into("#firm_name", "Demo Practice").await?;
    app.click("[data-testid=get-started]").await?;
    app.wait_for_text("[data-testid=demo-banner]", "simulated Xero")
        .await?;
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=integrations]").await?;
    app.wait_for_text(".endpoint", "Xero simulator at http://127.0.0.1:")
        .await?;
    app.click("[data-testid=connect-xero]").await?;
    app.click("input[data-tenant='Northwind Advisory Ltd']")
        .await?;
    app.click("[data-testid=choose-organisation]").await?;
    app.wait_for_text("[data-testid=xero-organisation]", "Northwind Advisory Ltd")
        .await?;
    app.wait_for("#xero_tax_type option[value='OUTPUT2']")
        .await?;
    app.screenshot("24-demo-connected", "[data-testid=xero-organisation]")
        .await?;

    // Clients → Sync with Xero reads the organisation's contacts; a second sync finds
    // nothing new, in one call.
    app.click("[data-nav=clients]").await?;
    app.click("[data-testid=sync-xero]").await?;
    app.click("[data-testid=run-sync]").await?;
    app.wait_for_text("[data-testid=sync-summary]", "contacts changed in Xero")
        .await?;
    app.screenshot("25-clients-synced", "[data-testid=sync-summary]")
        .await?;
    app.click("[data-testid=run-sync]").await?;
    let again = app
        .wait_for_text("[data-testid=sync-summary]", "No contact changed in Xero")
        .await?;
    assert!(
        again.contains("1 call to Xero") && again.contains("Everything is in step"),
        "{again}"
    );
    app.click("[data-testid=sync-dialog] button[aria-label=Close]")
        .await?;

    // Clients → Xero connections: the first import, previewed, applied in one step, undone.
    app.click("[data-tab=xero-connections]").await?;
    app.click("[data-testid=import-from-xero]").await?;
    let summary = app
        .wait_for_text("[data-testid=xero-import-summary]", "new clients")
        .await?;
    assert!(summary.contains("left out"), "{summary}");
    // The demo's contacts have no invoices yet: they come in as prospects when asked.
    app.click("[data-testid=include-prospects]").await?;
    app.wait_for_text("[data-testid=xero-import-preview] tbody", "New prospect")
        .await?;
    app.screenshot(
        "26-xero-import-preview",
        "[data-testid=xero-import-preview]",
    )
    .await?;
    app.click("[data-testid=apply-xero-import]").await?;
    app.wait_for_text("[data-testid=xero-import-notice]", "Imported from Xero")
        .await?;
    app.wait_for("[data-testid=connections-table] [data-testid=unlink]")
        .await?;
    app.screenshot("27-xero-connections", "[data-testid=connections-table]")
        .await?;
    app.click("[data-testid=undo-xero-import]").await?;
    app.wait_for_text("[data-testid=toast]", "Import from Xero undone")
        .await?;
    app.close().await?;

    // The practice's own data is untouched.
    let real = cli(dir.path(), &["practice", "show"]);
    assert!(
        real.contains("Harbour Bookkeeping") && !real.contains("Demo Practice"),
        "{real}"
    );
    assert!(dir.path().join("demo").join("scopebook.sqlite3").exists());
    Ok(())
}
