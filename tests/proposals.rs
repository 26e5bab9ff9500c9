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
    let csv = d.join("prospect.csv");
    std::fs::write(
        &csv,
        "name,email,kind\nAcme Plumbing,sam@acme.example,prospect\n",
    )?;
    cli(
        d,
        &[
            "clients",
            "import",
            "--csv",
            csv.to_str().unwrap_or_default(),
        ],
    );

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
    let csv = d.join("prospect.csv");
    std::fs::write(
        &csv,
        "name,email,kind\nAcme Plumbing,sam@acme.example,prospect\n",
    )?;
    cli(
        d,
        &[
            "clients",
            "import",
            "--csv",
            csv.to_str().unwrap_or_default(),
        ],
    );

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
