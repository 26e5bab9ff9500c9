//! Clients in the real window: a prospect created by hand (with an inline error on the way), and
//! a CSV import with one bad line — report, fix, import, undo.

use scopebook_e2e::{App, Result, cli, practice_folder};

#[tokio::test(flavor = "multi_thread")]
async fn a_prospect_by_hand_with_an_inline_error_on_the_way() -> Result {
    let dir = practice_folder()?;
    let app = App::launch(dir.path()).await?;
    app.click("[data-nav=clients]").await?;
    app.wait_for_text("[data-testid=empty-state]", "Add your first client")
        .await?;
    app.screenshot("30-clients-empty", "[data-testid=empty-state]")
        .await?;
    app.click("[data-testid=new-client]").await?;
    app.type_into("input[name=display_name]", "Acme Plumbing")
        .await?;
    app.type_into("input[name=first_name]", "Sam").await?;
    app.type_into("input[name=last_name]", "Lee").await?;
    app.type_into("input[name=email]", "sam at acme").await?;
    app.click("[data-testid=save-client]").await?;
    app.wait_for_text("[data-field-error=email]", "Enter an email address")
        .await?;
    app.type_into("input[name=email]", "sam@acme.example")
        .await?;
    app.click("[data-tab=invoicing]").await?;
    app.type_into("input[name='invoicing.payment_terms_days']", "7")
        .await?;
    app.screenshot(
        "31-client-invoicing",
        "input[name='invoicing.payment_terms_days']",
    )
    .await?;
    app.click("[data-testid=save-client]").await?;
    let row = app
        .wait_for_text("tr[data-client='Acme Plumbing']", "Prospect")
        .await?;
    assert!(
        row.contains("sam@acme.example") && row.contains("Sam Lee"),
        "{row}"
    );
    app.close().await?;
    let listed = cli(dir.path(), &["clients", "list", "--json"]);
    assert!(listed.contains("\"payment_terms_days\": \"7\""), "{listed}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_with_a_bad_line_is_reported_then_fixed_imported_and_undone() -> Result {
    let dir = practice_folder()?;
    let bad = dir.path().join("clients-bad.csv");
    let good = dir.path().join("clients-fixed.csv");
    let lines = |third: &str| {
        format!(
            "name,first_name,last_name,email,abn,kind\n\
             Harbourside Cafe,Mia,Wong,mia@harbourside.example,,client\n\
             Bondi Bakery,Tom,Ng,tom@bondi.example,,client\n\
             {third}\n\
             Northwind Advisory,Ana,Ruiz,ana@northwind.example,,prospect\n"
        )
    };
    std::fs::write(
        &bad,
        lines("Smith Electrical,Jo,Smith,jo at smith,51 824 753 557,client"),
    )?;
    std::fs::write(
        &good,
        lines("Smith Electrical,Jo,Smith,jo@smith.example,51 824 753 556,client"),
    )?;

    let app = App::launch(dir.path()).await?;
    app.click("[data-nav=clients]").await?;
    app.click("[data-testid=import-clients]").await?;
    app.upload("[data-testid=import-file]", &bad).await?;
    let summary = app
        .wait_for_text("[data-testid=import-summary]", "1 to fix")
        .await?;
    assert!(summary.contains("3 ready"), "{summary}");
    let line = app.text("tr[data-line='4']").await?;
    assert!(
        line.contains("Enter an email address") && line.contains("ABN"),
        "{line}"
    );
    let disabled = app
        .wait_for("[data-testid=run-import]")
        .await?
        .attr("disabled")
        .await?;
    assert!(
        disabled.is_some(),
        "import must wait until every line is right"
    );
    app.screenshot("32-import-report", "[data-testid=run-import]")
        .await?;

    // Fixed in the spreadsheet, chosen again: all four import.
    app.upload("[data-testid=import-file]", &good).await?;
    app.wait_for_text("[data-testid=import-summary]", "4 ready")
        .await?;
    app.click("[data-testid=run-import]").await?;
    app.wait_for_text("[data-testid=import-notice]", "Imported 4 clients")
        .await?;
    app.wait_for("tr[data-client='Smith Electrical']").await?;
    app.screenshot("33-clients-imported", "tr[data-client='Smith Electrical']")
        .await?;
    let listed = cli(dir.path(), &["clients", "list"]);
    assert!(
        listed.contains("Northwind Advisory") && listed.contains("prospect"),
        "{listed}"
    );

    // Undo removes the whole import.
    app.click("[data-testid=undo-import]").await?;
    app.wait_for_text("[data-testid=empty-state]", "Add your first client")
        .await?;
    app.close().await?;
    assert!(cli(dir.path(), &["clients", "list"]).contains("No clients."));
    Ok(())
}
