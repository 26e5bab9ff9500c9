//! Proposals in the real window: a prospect gets a proposal with a tiered service and an optional
//! line, it is sent and accepted, and the prospect becomes a client with active scope.

use scopebook_e2e::{App, Result, cli, practice_folder};

#[tokio::test(flavor = "multi_thread")]
async fn build_send_and_accept_a_proposal() -> Result {
    let dir = practice_folder()?;
    let d = dir.path();
    cli(
        d,
        &[
            "services",
            "add",
            "--name",
            "Monthly bookkeeping",
            "--pricing",
            "per_unit",
            "--unit",
            "transactions",
            "--tier",
            "100:2",
            "--tier",
            "rest:1.50",
            "--quantity",
            "250",
            "--frequency",
            "monthly",
        ],
    );
    cli(
        d,
        &[
            "services",
            "add",
            "--name",
            "Xero setup",
            "--pricing",
            "fixed",
            "--price",
            "450",
            "--frequency",
            "one_off",
        ],
    );
    import_prospect(d, "Acme Plumbing", "sam@acme.example")?;

    let app = App::launch(d).await?;
    app.click("[data-nav=proposals]").await?;
    app.wait_for_text("[data-testid=empty-state]", "Write your first proposal")
        .await?;
    app.click("[data-testid=new-proposal]").await?;
    app.wait_for("[data-testid=choose-client]").await?;
    app.select_text("#client_choice", "Acme Plumbing").await?;

    app.wait_for("select[name=add_service] option:nth-child(3)")
        .await?;
    for service in ["Monthly bookkeeping", "Xero setup"] {
        app.select_text("select[name=add_service]", service).await?;
        app.click("[data-testid=add-line]").await?;
        app.wait_for(&format!("tr[data-line='{service}']")).await?;
    }
    // The setup is optional: it doesn't count until chosen.
    app.click("tr[data-line='Xero setup'] input[type=checkbox]")
        .await?;
    app.wait_for_text(
        "tr[data-line='Monthly bookkeeping'] [data-testid=line-price]",
        "$425.00",
    )
    .await?;
    app.wait_for_text("[data-testid=total-monthly]", "$425.00")
        .await?;
    app.wait_for_text("[data-testid=total-annual]", "$5,100.00")
        .await?;
    app.wait_for_text("[data-testid=total-one-off]", "$0.00")
        .await?;
    app.type_into("[data-testid=scope-out-input]", "Payroll")
        .await?;
    app.click("[data-testid=add-scope-out]").await?;
    app.click("[data-testid=save-proposal]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Draft")
        .await?;
    app.screenshot("40-proposal-draft", "[data-testid=proposal-status]")
        .await?;

    app.click("[data-testid=mark-sent]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Sent")
        .await?;
    app.click("[data-testid=mark-accepted]").await?;
    app.type_into("#accepted_by", "Sam Lee").await?;
    app.click("input[data-optional='Xero setup']").await?;
    app.click("[data-testid=confirm-accept]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Accepted")
        .await?;
    let out = app.text(".out").await?;
    assert!(out.contains("Payroll"), "{out}");
    app.wait_for_text("[data-testid=total-one-off]", "$450.00")
        .await?;
    app.screenshot("41-proposal-accepted", "[data-testid=total-one-off]")
        .await?;

    // The client's page shows its active scope, in and out.
    app.click("[data-nav=clients]").await?;
    app.click("[data-open-client='Acme Plumbing']").await?;
    app.click("[data-tab=scope]").await?;
    let scope = app
        .wait_for_text("[data-testid=client-scope]", "Monthly bookkeeping")
        .await?;
    assert!(
        scope.contains("Xero setup") && scope.contains("$425.00"),
        "{scope}"
    );
    app.wait_for_text(".drawer-body", "Payroll").await?;
    app.screenshot("44-client-scope", ".drawer-body").await?;
    app.click("[aria-label='Close (Esc)']").await?;
    app.click("[data-nav=proposals]").await?;
    app.click("tr[data-proposal] .row-title").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Accepted")
        .await?;

    // The PDF previews inside the app.
    app.click("[data-testid=preview-pdf]").await?;
    app.wait_for("[data-testid=pdf-preview] iframe").await?;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    app.screenshot(
        "42-proposal-pdf-preview",
        "[data-testid=pdf-preview] iframe",
    )
    .await?;
    app.click("[aria-label='Close preview']").await?;

    // A 10 % price increase on bookkeeping from July: preview per client, then apply.
    app.click("[data-nav=services]").await?;
    app.click("[data-testid=price-increase-button]").await?;
    app.click("input[data-service='Monthly bookkeeping']")
        .await?;
    app.type_into("#increase_value", "10").await?;
    app.type_into("#effective_from", "2027-07").await?;
    app.click("[data-testid=preview-increase]").await?;
    // Tiers 2.00→2.20 and 1.50→1.65: 100×2.20 + 150×1.65 = 467.50 a month.
    let row = app
        .wait_for_text(
            "[data-testid=increase-preview] tr[data-client='Acme Plumbing']",
            "$5,610.00",
        )
        .await?;
    assert!(
        row.contains("$5,100.00") && row.contains("+$510.00") && row.contains("$467.50"),
        "{row}"
    );
    app.screenshot(
        "43-price-increase-preview",
        "[data-testid=increase-preview]",
    )
    .await?;
    let unchanged = cli(d, &["proposals", "list"]);
    assert!(
        !unchanged.contains(" v2"),
        "the preview wrote something: {unchanged}"
    );
    app.click("[data-testid=apply-increase]").await?;
    app.wait_for_text("[data-testid=toast]", "1 proposal amended")
        .await?;
    app.close().await?;
    let amended = cli(d, &["proposals", "list"]);
    assert!(
        amended.contains(" v2") && amended.contains("draft"),
        "{amended}"
    );

    let clients = cli(d, &["clients", "list", "--status", "clients"]);
    assert!(
        clients.contains("Acme Plumbing"),
        "the prospect became a client: {clients}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn email_a_proposal_through_the_practices_mail_server() -> Result {
    let inbox = scopebook_e2e::SmtpInbox::start().await?;
    let dir = practice_folder()?;
    let d = dir.path();
    cli(
        d,
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
    import_prospect(d, "Acme Plumbing", "sam@acme.example")?;

    let app = App::launch(d).await?;
    // The practice's mail server (the password goes to the keychain).
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=integrations]").await?;
    app.wait_for("[data-testid=email-settings]").await?;
    app.type_into("#smtp_host", "127.0.0.1").await?;
    app.select("#smtp_security", "none").await?;
    app.type_into("#smtp_port", &inbox.port.to_string()).await?;
    app.type_into("#smtp_username", "ledger").await?;
    app.type_into("#smtp_password", "s3cret-smtp").await?;
    app.type_into("#from_address", "hello@harbour.example")
        .await?;
    app.click("[data-testid=save-email-settings]").await?;
    app.wait_for_text("[data-testid=toast]", "saved").await?;

    // A proposal, emailed with its PDF.
    app.click("[data-nav=proposals]").await?;
    app.click("[data-testid=new-proposal]").await?;
    app.select_text("#client_choice", "Acme Plumbing").await?;
    app.wait_for("select[name=add_service] option:nth-child(2)")
        .await?;
    app.select_text("select[name=add_service]", "Tax return")
        .await?;
    app.click("[data-testid=add-line]").await?;
    app.click("[data-testid=save-proposal]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Draft")
        .await?;
    app.click("[data-testid=email-proposal]").await?;
    app.wait_for_text("[data-testid=email-attachment]", "Acme Plumbing.pdf")
        .await?;
    app.screenshot("45-email-proposal", "[data-testid=email-attachment]")
        .await?;
    app.click("[data-testid=email-send]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Sent")
        .await?;
    app.close().await?;

    let messages = inbox.messages();
    assert_eq!(messages.len(), 1, "one email");
    let message = &messages[0];
    assert!(message.contains("sam@acme.example"), "{message}");
    assert!(message.contains("application/pdf"), "{message}");
    // The attachment is the PDF: base64 of "%PDF" starts "JVBER".
    assert!(message.contains("JVBER"), "{message}");
    assert!(!message.contains("s3cret-smtp"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_firms_engagement_letter_template_is_checked_and_saved() -> Result {
    let dir = practice_folder()?;
    let app = App::launch(dir.path()).await?;
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=proposals]").await?;
    app.wait_for("[data-testid=proposal-templates]").await?;
    app.type_into(
        "#template_introduction",
        "Dear {{client_contact}}, thank you {{cleint}}.",
    )
    .await?;
    app.click("[data-testid=save-proposal-templates]").await?;
    app.wait_for_text(
        "[data-field-error=template_introduction]",
        "doesn't know {{cleint}}",
    )
    .await?;
    app.type_into(
        "#template_introduction",
        "Dear {{client_contact}}, thank you for choosing {{practice}}.",
    )
    .await?;
    app.type_into("#validity_days", "14").await?;
    app.click("[data-testid=save-proposal-templates]").await?;
    app.wait_for_text("[data-testid=toast]", "Proposal template saved")
        .await?;
    app.screenshot("46-proposal-template", "#validity_days")
        .await?;
    app.close().await?;
    Ok(())
}

/// Packages to choose from (issue 12): a proposal offers Essentials / Growth / Complete beside a
/// common annual line, Growth's bookkeeping priced through a driver ("poor" books × 1.3); the PDF
/// shows the three side by side; the client chooses Growth, and only Growth (with the common
/// line) becomes scope and next month's invoice.
#[tokio::test(flavor = "multi_thread")]
async fn three_packages_with_a_price_driver_the_client_chooses_growth() -> Result {
    let dir = practice_folder()?;
    let d = dir.path();
    let fixed = |name: &str, price: &str, frequency: &str, extra: &[&str]| {
        let mut args = vec![
            "services",
            "add",
            "--name",
            name,
            "--pricing",
            "fixed",
            "--price",
            price,
            "--frequency",
            frequency,
        ];
        args.extend_from_slice(extra);
        cli(d, &args);
    };
    fixed(
        "Monthly bookkeeping",
        "400",
        "monthly",
        &["--driver", "Quality of the books:multiply:good=1,poor=1.3"],
    );
    fixed("Payroll", "150", "monthly", &[]);
    fixed("Advisory", "300", "monthly", &[]);
    fixed("Annual accounts", "1200", "annually", &[]);
    import_prospect(d, "Bondi Bakery", "jo@bondi.example")?;

    let inbox = scopebook_e2e::SmtpInbox::start().await?;
    let app = App::launch(d).await?;
    // The practice's mail server, for the pipeline's email action at the end.
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=integrations]").await?;
    app.wait_for("[data-testid=email-settings]").await?;
    app.type_into("#smtp_host", "127.0.0.1").await?;
    app.select("#smtp_security", "none").await?;
    app.type_into("#smtp_port", &inbox.port.to_string()).await?;
    app.type_into("#smtp_username", "ledger").await?;
    app.type_into("#smtp_password", "s3cret-smtp").await?;
    app.type_into("#from_address", "hello@harbour.example")
        .await?;
    app.click("[data-testid=save-email-settings]").await?;
    app.wait_for_text("[data-testid=toast]", "saved").await?;

    app.click("[data-nav=proposals]").await?;
    app.click("[data-testid=new-proposal]").await?;
    app.wait_for("[data-testid=choose-client]").await?;
    app.select_text("#client_choice", "Bondi Bakery").await?;
    app.wait_for("select[name=add_service] option:nth-child(3)")
        .await?;
    for (i, name) in ["Essentials", "Growth", "Complete"].iter().enumerate() {
        app.click("[data-testid=add-option]").await?;
        app.type_into(&format!("input[name='options.{i}.name']"), name)
            .await?;
    }
    // Line 0 common; 1 Essentials; 2–3 Growth; 4–5 Complete.
    let lines = [
        ("Annual accounts", None),
        ("Monthly bookkeeping", Some("1")),
        ("Monthly bookkeeping", Some("2")),
        ("Payroll", Some("2")),
        ("Monthly bookkeeping", Some("3")),
        ("Advisory", Some("3")),
    ];
    // A line's option and driver choice are set as a script would (value, then a change event):
    // the table reflows as each line is priced, and WebKitWebDriver's click on an <option> of a
    // moving row is refused as not interactable.
    let choose = |css: String, value: &str| {
        format!(
            "const s = document.querySelector(\"{css}\"); s.value = '{value}'; \
             s.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        )
    };
    for (i, (service, option)) in lines.iter().enumerate() {
        app.select_text("select[name=add_service]", service).await?;
        app.wait_for("[data-testid=add-line]:not([disabled])")
            .await?;
        app.click("[data-testid=add-line]").await?;
        let line_option = format!("select[name='lines.{i}.option']");
        app.wait_for(&line_option).await?;
        if let Some(option) = option {
            app.script(&choose(line_option, option)).await?;
        }
        // The line is priced (the editor's preview has settled and the table stopped growing)
        // before the next one is added.
        app.wait_for_text(
            &format!("tr[data-line][data-index='{i}'] [data-testid=line-price]"),
            "$",
        )
        .await?;
    }
    app.script(&choose(
        "select[name='lines.2.driver_choices.0']".into(),
        "poor",
    ))
    .await?;
    // How Growth's bookkeeping price was reached: $400 × 1.3 = $520.
    let steps = app
        .wait_for_text(
            "tr[data-drivers][data-index='2'] [data-testid=price-steps]",
            "$520.00",
        )
        .await?;
    assert!(steps.contains("Quality of the books: poor"), "{steps}");
    // Per option a month, with the common $1,200 a year (= $100): 500 / 770 / 800.
    let totals = app
        .wait_for_text("[data-testid=option-totals]", "$770.00")
        .await?;
    assert!(
        totals.contains("$500.00") && totals.contains("$800.00"),
        "{totals}"
    );
    app.click("[data-testid=save-proposal]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Draft")
        .await?;
    app.screenshot("45-proposal-options", "[data-testid=proposal-options]")
        .await?;

    // The PDF: three packages side by side, the driver's choice on Growth's line.
    let number = cli(d, &["proposals", "list"])
        .split_whitespace()
        .find(|w| w.starts_with("P-"))
        .map(str::to_string)
        .ok_or("no proposal number in the list")?;
    let pdf = d.join("options.pdf");
    cli(
        d,
        &[
            "proposals",
            "pdf",
            &number,
            "-o",
            pdf.to_str().unwrap_or_default(),
        ],
    );
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap_or_default(), "-"])
        .output()?;
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Choose your package"), "{text}");
    assert!(
        text.lines().any(|l| {
            let (e, g, c) = (l.find("Essentials"), l.find("Growth"), l.find("Complete"));
            e.is_some() && e < g && g < c
        }),
        "the packages are not side by side:\n{text}"
    );
    assert!(
        text.contains("$770.00") && text.contains("$520.00"),
        "{text}"
    );

    // The pipeline: the draft's stage and value, then emailed from the list in one action.
    app.click("[data-nav=proposals]").await?;
    let drafts = app
        .wait_for_text("[data-testid=pipeline] [data-stage=draft]", "1")
        .await?;
    assert!(drafts.contains("$100.00"), "{drafts}");
    app.click(&format!("input[data-pick='{number}']")).await?;
    app.click("[data-testid=bulk-email]").await?;
    app.click("[data-testid=bulk-send]").await?;
    let results = app
        .wait_for_text("[data-testid=bulk-results]", "Sent to")
        .await?;
    assert!(results.contains("jo@bondi.example"), "{results}");
    app.screenshot("48-pipeline-bulk-email", "[data-testid=bulk-results]")
        .await?;
    assert_eq!(inbox.messages().len(), 1);
    assert!(inbox.messages()[0].contains(&number));
    app.click("[data-testid=bulk-email-dialog] .modal-foot .btn")
        .await?;
    app.wait_for_text(&format!("tr[data-proposal='{number}']"), "Sent")
        .await?;
    app.click(&format!("tr[data-proposal='{number}'] .row-title"))
        .await?;
    app.wait_for_text("[data-testid=proposal-status]", "Sent")
        .await?;
    app.click("[data-testid=mark-accepted]").await?;
    app.type_into("#accepted_by", "Jo Bondi").await?;
    app.click("input[data-option='Growth']").await?;
    app.screenshot("46-accept-an-option", "[data-testid=accept-panel]")
        .await?;
    app.click("[data-testid=confirm-accept]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Accepted")
        .await?;
    app.wait_for_text("[data-testid=total-monthly]", "$770.00")
        .await?;

    // Scope: Growth's services and the common one, nothing of the other packages.
    app.click("[data-nav=clients]").await?;
    app.click("[data-open-client='Bondi Bakery']").await?;
    app.click("[data-tab=scope]").await?;
    let scope = app
        .wait_for_text("[data-testid=client-scope]", "Payroll")
        .await?;
    assert!(
        scope.contains("$520.00") && scope.contains("Annual accounts"),
        "{scope}"
    );
    assert!(
        !scope.contains("Advisory") && !scope.contains("$400.00"),
        "{scope}"
    );
    app.screenshot("47-scope-of-the-chosen-option", ".drawer-body")
        .await?;
    app.click("[aria-label='Close (Esc)']").await?;

    // Its structure as a template, and a new proposal from it in one click.
    app.click("[data-nav=proposals]").await?;
    app.click(&format!("tr[data-proposal='{number}'] .row-title"))
        .await?;
    app.click("[data-testid=save-template]").await?;
    app.type_into("#template_name", "Three packages").await?;
    app.click("[data-testid=confirm-save-template]").await?;
    app.wait_for_text("[data-testid=toast]", "Three packages")
        .await?;
    app.click("[data-nav=proposals]").await?;
    app.click("[data-testid=new-proposal]").await?;
    app.select_text("#template_choice", "Three packages")
        .await?;
    app.select_text("#client_choice", "Bondi Bakery").await?;
    let totals = app
        .wait_for_text("[data-testid=option-totals]", "$770.00")
        .await?;
    assert!(
        totals.contains("Essentials") && totals.contains("Complete"),
        "{totals}"
    );
    app.close().await?;

    // Next month's invoice: Growth only.
    let today = chrono::Local::now().date_naive();
    let next = today
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(today)
        .format("%Y-%m")
        .to_string();
    let plan = cli(d, &["billing", "plan", "--month", &next]);
    // $520 + $150 a month and the $1,200 a year in its first month: $1,870; not Essentials'
    // $400 bookkeeping nor Complete's $300 advisory.
    assert!(
        plan.contains("Bondi Bakery") && plan.contains("1870.00"),
        "{plan}"
    );
    assert!(plan.contains("Recurring fees a month: 770.00"), "{plan}");
    Ok(())
}

/// Revenue bands and a price range (issue 12): the practice's bands set in Settings; a service
/// priced per band; the client's band on the client, carried to a new proposal and changed
/// there; a range ("$400–$600") shown as an estimate with "From" totals; after acceptance the
/// month's invoice waits for the range's price, which must be within it; once confirmed it is
/// billed at that price.
#[tokio::test(flavor = "multi_thread")]
async fn revenue_bands_and_a_price_range_confirmed_before_billing() -> Result {
    let dir = practice_folder()?;
    let d = dir.path();
    cli(
        d,
        &[
            "services",
            "add",
            "--name",
            "Advisory",
            "--pricing",
            "range",
            "--price",
            "400",
            "--price-high",
            "600",
            "--frequency",
            "monthly",
        ],
    );
    import_prospect(d, "Coastal Dental", "ann@coastal.example")?;

    let app = App::launch(d).await?;
    // The practice's revenue bands.
    app.click("[data-nav=settings]").await?;
    app.click("[data-tab=bands]").await?;
    app.wait_for("[data-testid=band-settings]").await?;
    for (i, band) in ["Under $250k", "$250k–$1m", "Over $1m"].iter().enumerate() {
        app.click("[data-testid=add-band-1]").await?;
        app.type_into(&format!("input[name='bands.{i}.name']"), band)
            .await?;
    }
    app.click("[data-testid=save-bands]").await?;
    app.wait_for_text("[data-testid=toast]", "Bands saved")
        .await?;
    app.screenshot("49-revenue-bands", "[data-testid=band-settings]")
        .await?;

    // A service priced per band.
    app.click("[data-nav=services]").await?;
    app.click("[data-testid=new-service]").await?;
    app.type_into("input[name=name]", "Management accounts")
        .await?;
    app.click("[data-kind=banded]").await?;
    for (i, price) in ["300", "450", "700"].iter().enumerate() {
        app.type_into(&format!("input[name='band_prices.{i}.price']"), price)
            .await?;
    }
    app.wait_for_text("[data-testid=example-total]", "$300.00")
        .await?;
    app.screenshot("50-service-priced-by-band", "[data-testid=band-prices]")
        .await?;
    app.click("[data-testid=save-service]").await?;
    let row = app
        .wait_for_text("tr[data-service='Management accounts']", "$300.00–$700.00")
        .await?;
    assert!(row.contains("By band"), "{row}");
    let advisory = app
        .wait_for_text("tr[data-service='Advisory']", "$400.00–$600.00")
        .await?;
    assert!(advisory.contains("Range"), "{advisory}");

    // The client's band.
    app.click("[data-nav=clients]").await?;
    app.click("[data-open-client='Coastal Dental']").await?;
    app.select_text("#band_1_id", "$250k–$1m").await?;
    app.click("[data-testid=save-client]").await?;
    app.wait_for_text("[data-testid=toast]", "Coastal Dental")
        .await?;

    // A proposal starts at the client's band; the range shows as an estimate.
    app.click("[data-nav=proposals]").await?;
    app.click("[data-testid=new-proposal]").await?;
    app.wait_for("[data-testid=choose-client]").await?;
    app.select_text("#client_choice", "Coastal Dental").await?;
    app.wait_for("select[name=add_service] option:nth-child(3)")
        .await?;
    for (i, service) in ["Management accounts", "Advisory"].iter().enumerate() {
        app.select_text("select[name=add_service]", service).await?;
        app.wait_for("[data-testid=add-line]:not([disabled])")
            .await?;
        app.click("[data-testid=add-line]").await?;
        app.wait_for_text(
            &format!("tr[data-line][data-index='{i}'] [data-testid=line-price]"),
            "$",
        )
        .await?;
    }
    app.wait_for_text(
        "tr[data-line='Management accounts'] [data-testid=line-price]",
        "$450.00",
    )
    .await?;
    app.wait_for_text(
        "tr[data-line='Advisory'] [data-testid=line-price]",
        "$400.00–$600.00",
    )
    .await?;
    app.wait_for_text("[data-testid=total-monthly]", "From $850.00")
        .await?;
    // Picked on the proposal: the top band.
    app.select_text("#band_1_id", "Over $1m").await?;
    app.wait_for_text(
        "tr[data-line='Management accounts'] [data-testid=line-price]",
        "$700.00",
    )
    .await?;
    app.wait_for_text("[data-testid=total-monthly]", "From $1,100.00")
        .await?;
    app.click("[data-testid=save-proposal]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Draft")
        .await?;
    app.screenshot(
        "51-proposal-band-and-range",
        "[data-testid=proposal-totals]",
    )
    .await?;
    app.click("[data-testid=mark-sent]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Sent")
        .await?;
    app.click("[data-testid=mark-accepted]").await?;
    app.type_into("#accepted_by", "Ann Coast").await?;
    app.click("[data-testid=confirm-accept]").await?;
    app.wait_for_text("[data-testid=proposal-status]", "Accepted")
        .await?;

    // The invoice waits for the range's price.
    let today = chrono::Local::now().date_naive();
    let next = today
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(today)
        .format("%Y-%m")
        .to_string();
    let plan = cli(d, &["billing", "plan", "--month", &next]);
    assert!(
        plan.contains("Confirm the price of \u{201c}Advisory\u{201d}"),
        "{plan}"
    );

    // Confirmed in the proposal: outside the range is refused, inside it is kept.
    app.click("tr[data-line='Advisory'] [data-testid=confirm-price]")
        .await?;
    app.type_into("input[name=confirmed_price]", "700").await?;
    app.click("[data-testid=save-confirmed-price]").await?;
    let refused = app
        .wait_for_text(
            "[data-testid=confirm-price-panel]",
            "confirm a price in that range",
        )
        .await?;
    assert!(refused.contains("$400.00 to $600.00"), "{refused}");
    app.screenshot("52-confirm-a-range", "[data-testid=confirm-price-panel]")
        .await?;
    app.type_into("input[name=confirmed_price]", "520").await?;
    app.click("[data-testid=save-confirmed-price]").await?;
    app.wait_for_text("[data-testid=toast]", "Price confirmed")
        .await?;
    app.wait_for_text(
        "tr[data-line='Advisory'] [data-testid=line-price]",
        "$520.00",
    )
    .await?;
    app.close().await?;

    // The client now holds the proposal's band, and the month is billed at the confirmed price.
    let plan = cli(d, &["billing", "plan", "--month", &next]);
    assert!(!plan.contains("Confirm the price"), "{plan}");
    assert!(
        plan.contains("Coastal Dental") && plan.contains("1220.00"),
        "{plan}"
    );
    Ok(())
}

/// A prospect, imported through the CLI from a one-row CSV.
fn import_prospect(d: &std::path::Path, name: &str, email: &str) -> Result {
    let csv = d.join("prospect.csv");
    std::fs::write(&csv, format!("name,email,kind\n{name},{email},prospect\n"))?;
    cli(
        d,
        &[
            "clients",
            "import",
            "--csv",
            csv.to_str().unwrap_or_default(),
        ],
    );
    Ok(())
}
