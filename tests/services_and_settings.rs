//! The first vertical slice in the real window: first run, a tiered service with its worked
//! example, practice settings, a restart, and an invalid price refused beside its field.

use scopebook_e2e::{App, Result, cli, practice_folder};

#[tokio::test(flavor = "multi_thread")]
async fn first_run_tiered_service_and_settings_survive_a_restart() -> Result {
    let dir = tempfile::tempdir()?;
    let app = App::launch(dir.path()).await?;

    // First run: the practice's name and currency.
    app.wait_for("[data-testid=first-run]").await?;
    app.screenshot("01-first-run", "[data-testid=first-run]")
        .await?;
    app.type_into("#firm_name", "Harbour Bookkeeping").await?;
    app.select("#country", "AU").await?;
    app.click("[data-testid=get-started]").await?;
    app.wait_for_text("[data-testid=firm-name]", "Harbour Bookkeeping")
        .await?;
    app.screenshot("02-dashboard", "[data-testid=firm-name]")
        .await?;

    // Services & Pricing starts empty, and says so.
    app.click("[data-nav=services]").await?;
    app.wait_for_text(
        "[data-testid=empty-state]",
        "Add the services your firm sells",
    )
    .await?;
    app.screenshot("03-services-empty", "[data-testid=empty-state]")
        .await?;

    // A per-unit service with graduated tiers: 0–100 at $2, 100–500 at $1.50, above at $1.
    app.click("[data-testid=new-service]").await?;
    app.type_into("input[name=name]", "Monthly bookkeeping")
        .await?;
    app.type_into("input[name=category]", "Bookkeeping").await?;
    app.type_into(
        "textarea[name=description]",
        "Bank feeds reconciled and coded each month.",
    )
    .await?;
    app.click("[data-kind=per_unit]").await?;
    app.type_into("input[name=unit_name]", "transactions")
        .await?;
    app.type_into("input[name=default_quantity]", "250").await?;
    app.type_into("input[name='tiers.0.unit_price']", "2")
        .await?;
    app.click("[data-testid=add-tier]").await?;
    app.type_into("input[name='tiers.0.up_to']", "100").await?;
    app.type_into("input[name='tiers.1.unit_price']", "1.50")
        .await?;
    app.click("[data-testid=add-tier]").await?;
    app.type_into("input[name='tiers.1.up_to']", "500").await?;
    app.type_into("input[name='tiers.2.unit_price']", "1")
        .await?;
    app.type_into("input[name=estimated_minutes]", "240")
        .await?;

    // The worked example: 100 × $2.00 + 150 × $1.50 = $425.00, in the practice's locale.
    let example = app
        .wait_for_text("[data-testid=price-example]", "$425.00")
        .await?;
    assert!(example.contains("First 100 transactions"), "{example}");
    assert!(example.contains("Next 150 transactions"), "{example}");
    assert!(example.contains("$225.00"), "{example}");
    // A larger example quantity reaches the third tier: 200 + 600 + 500 = $1,300.00.
    app.type_into("input[name=example_quantity]", "1000")
        .await?;
    app.wait_for_text("[data-testid=example-total]", "$1,300.00")
        .await?;
    app.screenshot("04-service-editor-tiers", "[data-testid=example-total]")
        .await?;
    app.click("[data-testid=save-service]").await?;

    let row = app
        .wait_for_text("tr[data-service='Monthly bookkeeping']", "$425.00")
        .await?;
    assert!(row.contains("Per transaction · 3 tiers"), "{row}");
    assert!(row.contains("4 h"), "{row}");
    app.screenshot("05-services-list", "tr[data-service='Monthly bookkeeping']")
        .await?;
    // The same screen in dark mode, then back to following the system.
    app.theme("Dark").await?;
    app.wait_for("html[data-theme=dark]").await?;
    app.screenshot(
        "05b-services-list-dark",
        "tr[data-service='Monthly bookkeeping']",
    )
    .await?;
    app.theme("Auto").await?;

    // Settings: legal name, ABN (checked), terms, account codes, cost of an hour.
    app.click("[data-nav=settings]").await?;
    app.wait_for("[data-testid=settings-form]").await?;
    app.type_into("#legal_name", "Harbour Bookkeeping Pty Ltd")
        .await?;
    app.type_into("#tax_number", "51 824 753 556").await?;
    app.type_into("#email", "hello@harbour.example").await?;
    app.type_into("#payment_terms_days", "7").await?;
    app.type_into("#recurring_account_code", "200").await?;
    app.type_into("#one_off_account_code", "260").await?;
    app.type_into("#hourly_cost", "65").await?;
    let logo = scopebook_e2e::workspace().join("icons/128x128.png");
    app.upload("[data-testid=logo-input]", &logo).await?;
    app.wait_for("img[alt='Practice logo']").await?;
    app.screenshot("06-settings", "img[alt='Practice logo']")
        .await?;
    app.click("[data-testid=save-settings]").await?;
    app.wait_for_text("[data-testid=toast]", "Settings saved")
        .await?;

    // Restart: both the service and the settings are still there.
    let app = app.restart().await?;
    app.wait_for_text("[data-testid=firm-name]", "Harbour Bookkeeping")
        .await?;
    app.click("[data-nav=services]").await?;
    app.wait_for_text("tr[data-service='Monthly bookkeeping']", "$425.00")
        .await?;
    app.click("[data-open-service='Monthly bookkeeping']")
        .await?;
    assert_eq!(app.value("input[name='tiers.1.up_to']").await?, "500");
    assert_eq!(app.value("input[name='tiers.1.unit_price']").await?, "1.50");
    app.click("[aria-label='Close (Esc)']").await?;
    app.click("[data-nav=settings]").await?;
    app.wait_for("[data-testid=settings-form]").await?;
    assert_eq!(
        app.value("#legal_name").await?,
        "Harbour Bookkeeping Pty Ltd"
    );
    assert_eq!(app.value("#tax_number").await?, "51 824 753 556");
    assert_eq!(app.value("#payment_terms_days").await?, "7");
    assert_eq!(app.value("#recurring_account_code").await?, "200");
    assert_eq!(app.value("#hourly_cost").await?, "65.00");
    app.wait_for("img[alt='Practice logo']").await?;
    app.screenshot("07-settings-after-restart", "img[alt='Practice logo']")
        .await?;
    app.close().await?;

    // And the data file agrees (read through the CLI, not the window).
    let shown = cli(dir.path(), &["practice", "show"]);
    assert!(shown.contains("Harbour Bookkeeping Pty Ltd"), "{shown}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_price_is_shown_beside_its_field_and_nothing_is_saved() -> Result {
    let dir = practice_folder()?;
    let app = App::launch(dir.path()).await?;
    app.click("[data-nav=services]").await?;
    app.wait_for("[data-testid=empty-state]").await?;
    // The keyboard shortcut N opens a new service; Escape closes it.
    app.press("n").await?;
    app.wait_for("[data-testid=service-editor]").await?;
    app.press("\u{e00c}").await?;
    app.wait_gone("[data-testid=service-editor]").await?;
    app.press("n").await?;
    app.type_into("input[name=name]", "Tax return").await?;
    app.type_into("input[name=price]", "12,50abc").await?;
    app.click("[data-testid=save-service]").await?;

    let error = app
        .wait_for_text("[data-field-error=price]", "Enter the price as a number")
        .await?;
    assert!(error.contains("like 120 or 120.50"), "{error}");
    let invalid = app
        .wait_for("input[name=price]")
        .await?
        .attr("aria-invalid")
        .await?;
    assert_eq!(invalid.as_deref(), Some("true"));
    // The editor stays open with what was typed.
    assert_eq!(app.value("input[name=name]").await?, "Tax return");
    app.screenshot("08-invalid-price", "input[name=name]")
        .await?;

    // Fixing the price clears the message once the live check agrees.
    app.type_into("input[name=price]", "450").await?;
    app.wait_for_text("[data-testid=example-total]", "$450.00")
        .await?;
    assert!(!app.exists("[data-field-error=price]").await);

    // Nothing was written: close without saving and look at the data file.
    app.click("[aria-label='Close (Esc)']").await?;
    app.wait_for_text(
        "[data-testid=empty-state]",
        "Add the services your firm sells",
    )
    .await?;
    app.close().await?;
    let listed = cli(dir.path(), &["services", "list", "--json"]);
    assert_eq!(listed.trim(), "[]");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_settings_are_refused_field_by_field() -> Result {
    let dir = practice_folder()?;
    let app = App::launch(dir.path()).await?;
    app.click("[data-nav=settings]").await?;
    app.wait_for("[data-testid=settings-form]").await?;
    app.type_into("#tax_number", "51 824 753 557").await?;
    app.type_into("#email", "not an email").await?;
    app.click("[data-testid=save-settings]").await?;
    app.wait_for_text("[data-field-error=tax_number]", "valid ABN")
        .await?;
    app.wait_for_text("[data-field-error=email]", "Enter an email address")
        .await?;
    app.screenshot("09-settings-invalid", "[data-field-error=email]")
        .await?;
    app.close().await?;
    let shown = cli(dir.path(), &["practice", "show", "--json"]);
    assert!(shown.contains("\"tax_number\": \"\""), "{shown}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_data_file_is_reported_and_left_untouched() -> Result {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("scopebook.sqlite3");
    let garbage = b"these are a bookkeeper's notes, not a database. ".repeat(40);
    std::fs::write(&file, &garbage)?;
    let app = App::launch(dir.path()).await?;
    let shown = app
        .wait_for_text(
            "[data-testid=startup-error]",
            "Scopebook can't open your data",
        )
        .await?;
    assert!(shown.contains("has not been changed"), "{shown}");
    app.screenshot("10-damaged-data-file", "[data-testid=startup-error]")
        .await?;
    app.close().await?;
    assert_eq!(std::fs::read(&file)?, garbage);
    Ok(())
}
