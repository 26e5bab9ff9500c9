//! Billing in the real window against xero-sim over HTTP: the month's plan from accepted
//! proposals, a line added for the month, a dry run against Xero, posting with a confirmation
//! and a progress bar, the results with Xero's numbers, then a payment recorded in Xero coming
//! back as a paid badge.

use std::process::Command;

use scopebook_core::catalog::{self, Frequency, PricingDraft, PricingKind, ServiceDraft};
use scopebook_core::clients::{ClientDraft, create_client};
use scopebook_core::proposals::{
    LineDraft, ProposalAction, blank_proposal, change_status, create_proposal,
};
use scopebook_core::store::Source;
use scopebook_core::{Store, sync};
use scopebook_e2e::{App, Result, Sim, cli_with, practice_folder};

const DEMO_COMPANY_AU: &str = "7f3c1b52-9d4e-4a8b-8c21-5e6f70a1b201";

/// Two clients, linked to the demo organisation's first two active contacts, each with an
/// accepted proposal billing monthly from this month.
fn two_clients_with_proposals(dir: &std::path::Path, month: &str) -> Result {
    let mut store = Store::open_in(dir)?;
    store.write(Source::User, |tx| {
        tx.execute(
            "UPDATE practice SET recurring_account_code = '200', one_off_account_code = '200',
                default_tax_type = 'OUTPUT'",
            [],
        )?;
        tx.log("practice", 1, "update", &serde_json::json!({}))
    })?;
    let contacts: Vec<String> = store
        .conn()
        .prepare(
            "SELECT contact_id FROM xero_contacts WHERE status = 'ACTIVE'
                AND merged_to_contact_id IS NULL ORDER BY name LIMIT 2",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (i, (name, price)) in [("Bondi Bakery", "450"), ("Coogee Cycles", "320")]
        .iter()
        .enumerate()
    {
        let client = create_client(
            &mut store,
            &ClientDraft {
                display_name: (*name).into(),
                ..ClientDraft::blank()
            },
        )?
        .id;
        sync::link_client(&mut store, Source::User, client, &contacts[i])?;
        let service = catalog::create_service(
            &mut store,
            &ServiceDraft {
                name: format!("Monthly bookkeeping ({name})"),
                pricing: PricingDraft {
                    price: (*price).into(),
                    ..PricingDraft::empty(PricingKind::Fixed)
                },
                frequency: Frequency::Monthly,
                ..ServiceDraft::blank()
            },
        )?
        .id;
        let mut draft = blank_proposal(&store, client)?;
        draft.lines = vec![LineDraft {
            service_id: Some(service),
            line_id: None,
            quantity: "1".into(),
            discount_percent: "0".into(),
            estimated_minutes: String::new(),
            start_month: month.into(),
            end_month: String::new(),
            optional: false,
            driver_choices: Vec::new(),
            option: None,
        }];
        let p = create_proposal(&mut store, &draft)?;
        change_status(
            &mut store,
            p.id,
            ProposalAction::Accept,
            Some("Sam Lee"),
            &[],
        )?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_adjust_check_post_and_a_payment_comes_back() -> Result {
    let sim = Sim::start().await?;
    let dir = practice_folder()?;
    let browser = scopebook_e2e::workspace().join("tests/fake-browser.sh");
    let env = [
        ("SCOPEBOOK_XERO_BASE_URL", sim.base_url.as_str()),
        ("SCOPEBOOK_BROWSER", browser.to_str().unwrap_or_default()),
    ];
    cli_with(
        dir.path(),
        &["xero", "client-id", "SCOPEBOOK-TEST-CLIENT"],
        &env,
    );
    cli_with(
        dir.path(),
        &["xero", "connect", "--tenant", DEMO_COMPANY_AU],
        &env,
    );
    cli_with(dir.path(), &["xero", "accounts"], &env);
    cli_with(dir.path(), &["sync"], &env);
    let month = chrono_month();
    two_clients_with_proposals(dir.path(), &month)?;

    let app = App::launch_with(dir.path(), &env).await?;
    app.click("[data-nav=billing]").await?;
    app.wait_for_text("[data-testid=billing-table]", "Bondi Bakery")
        .await?;
    // 450 + 320, plus 10 % GST.
    app.wait_for_text("[data-testid=ready-total]", "847.00")
        .await?;
    app.screenshot("70-billing-plan", "[data-testid=billing-table]")
        .await?;

    // Invoices dated on the 15th: a day that can't be is said beside its field.
    app.click("[data-testid=billing-settings]").await?;
    app.type_into("[data-testid=invoice-day]", "40").await?;
    app.click("[data-testid=save-billing-settings]").await?;
    app.wait_for_text(
        "[data-testid=billing-settings-dialog]",
        "Choose a day from 1 to 31",
    )
    .await?;
    app.type_into("[data-testid=invoice-day]", "15").await?;
    app.click("[data-testid=save-billing-settings]").await?;
    app.wait_for_text("[data-testid=toast]", "Billing settings saved")
        .await?;

    // A line for this month only, with an inline error on the way.
    app.click("[data-open-invoice='Bondi Bakery']").await?;
    app.wait_for_text("[data-testid=invoice-preview]", "495.00")
        .await?;
    app.click("[data-testid=add-line]").await?;
    app.type_into(
        "[data-testid=extra-description]",
        "Catch-up of last year's receipts",
    )
    .await?;
    app.type_into("[data-testid=extra-amount]", "1,5").await?;
    app.click("[data-testid=save-extra-line]").await?;
    app.wait_for_text("[data-testid=extra-line-form]", "separator")
        .await?;
    app.type_into("[data-testid=extra-amount]", "150").await?;
    app.click("[data-testid=save-extra-line]").await?;
    app.wait_for_text("[data-testid=preview-total]", "660.00")
        .await?;
    app.screenshot("71-billing-preview", "[data-testid=invoice-preview]")
        .await?;
    app.wait_for_text("[data-testid=ready-total]", "1,012.00")
        .await?;

    // Work outside the scope, logged on the client and billed on this month's invoice.
    app.click("[data-nav=clients]").await?;
    app.click("[data-open-client='Coogee Cycles']").await?;
    app.click("[data-tab=work]").await?;
    app.type_into(
        "[data-testid=work-what]",
        "Helped with a bank loan application",
    )
    .await?;
    app.click("[data-testid=log-work]").await?;
    app.wait_for_text("[data-field-error=minutes]", "minutes spent")
        .await?;
    app.type_into("[data-testid=work-minutes]", "60").await?;
    app.click("[data-testid=log-work]").await?;
    app.wait_for_text("[data-testid=work-table]", "Not covered")
        .await?;
    app.wait_for_text("[data-testid=unbilled]", "1 h out of scope")
        .await?;
    app.click("[data-testid=bill-work]").await?;
    app.type_into("[data-testid=work-rate]", "120").await?;
    app.click("[data-testid=confirm-bill-work]").await?;
    app.wait_for_text("[data-testid=work-table]", "Billed")
        .await?;
    // Asked for again: gathered into an amendment adding a service to cover such work.
    app.type_into("[data-testid=work-what]", "Grant application paperwork")
        .await?;
    app.type_into("[data-testid=work-minutes]", "45").await?;
    app.click("[data-testid=log-work]").await?;
    app.wait_for_text("[data-testid=work-table]", "Grant application")
        .await?;
    app.click("[data-testid=propose-work]").await?;
    app.click("[data-testid=confirm-propose]").await?;
    app.wait_for_text("[data-testid=propose-form]", "Choose the service")
        .await?;
    app.select_text("[data-testid=propose-service]", "Coogee Cycles")
        .await?;
    app.click("[data-testid=confirm-propose]").await?;
    app.wait_for_text("[data-testid=toast]", "Drafted").await?;
    app.wait_for_text("[data-testid=work-table]", "In a proposal")
        .await?;
    app.screenshot("72a-client-work", "[data-testid=client-work]")
        .await?;
    app.click("[data-testid=client-editor] button[aria-label='Close (Esc)']")
        .await?;
    app.click("[data-nav=billing]").await?;
    app.wait_for_text("[data-testid=ready-total]", "1,144.00")
        .await?;

    // A dry run against Xero: reads only.
    app.click("[data-testid=dry-run-post]").await?;
    app.wait_for_text("[data-testid=dry-run]", "2 invoices would be posted")
        .await?;

    // Post, confirmed, as approved invoices.
    app.click("[data-testid=post-invoices]").await?;
    let confirm = app
        .wait_for_text("[data-testid=post-confirm]", "Post 2 invoices to Xero?")
        .await?;
    assert!(confirm.contains("1,144.00"), "{confirm}");
    app.click("[data-post-as=authorised]").await?;
    app.screenshot("72-post-confirm", "[data-testid=post-confirm]")
        .await?;
    app.click("[data-testid=confirm-post]").await?;
    let result = app
        .wait_for_text("[data-testid=posting-result]", "Posted 2")
        .await?;
    assert!(result.contains("1 call"), "{result}");
    app.wait_for_text("tr[data-billing-client='Bondi Bakery']", "Awaiting payment")
        .await?;
    let number = app
        .text("tr[data-billing-client='Bondi Bakery'] [data-testid=open-invoice]")
        .await?;
    assert!(number.starts_with("INV-"), "{number}");
    app.screenshot("73-billing-posted", "[data-testid=posting-result]")
        .await?;

    // The client pays in Xero; a refresh brings it back.
    let body = serde_json::json!({
        "tenant_id": DEMO_COMPANY_AU, "invoice_id": number, "amount": "660.00",
    });
    let paid = Command::new("curl")
        .args(["--silent", "--fail", "-H", "content-type: application/json"])
        .args(["--data", &body.to_string()])
        .arg(format!("{}/__admin/payments", sim.base_url))
        .status()?;
    assert!(paid.success());
    app.click("[data-testid=refresh-payments]").await?;
    app.wait_for_text("tr[data-billing-client='Bondi Bakery']", "Paid")
        .await?;
    app.screenshot("74-billing-paid", "tr[data-billing-client='Bondi Bakery']")
        .await?;
    // The same screen in dark mode, then back to the system's.
    app.theme("Dark").await?;
    app.wait_for("html[data-theme=dark]").await?;
    app.screenshot("75-billing-dark", "tr[data-billing-client='Bondi Bakery']")
        .await?;
    app.theme("Auto").await?;

    // Something else to bill this month, after the month's invoice went to Xero: a separate
    // invoice beside it, only when asked for, with its own Reference.
    app.click("[data-open-invoice='Bondi Bakery']").await?;
    app.click("[data-testid=add-separate-invoice]").await?;
    app.type_into("[data-testid=extra-description]", "Year-end tax planning")
        .await?;
    app.type_into("[data-testid=extra-amount]", "300").await?;
    app.click("[data-testid=save-extra-line]").await?;
    app.wait_for_text("[data-testid=toast]", "separate invoice 2")
        .await?;
    let separate = app
        .wait_for_text("tr[data-invoice-seq='2']", "Separate")
        .await?;
    assert!(
        separate.contains("(2)") && separate.contains("330.00"),
        "{separate}"
    );
    app.screenshot("76-billing-separate", "[data-testid=billing-table]")
        .await?;
    app.click("[data-testid=post-invoices]").await?;
    app.wait_for_text("[data-testid=post-confirm]", "Post 1 invoice to Xero?")
        .await?;
    app.click("[data-testid=confirm-post]").await?;
    app.wait_for_text("[data-testid=posting-result]", "Posted 1")
        .await?;
    app.wait_for_text(
        "tr[data-invoice-seq='2'] [data-testid=open-invoice]",
        "INV-",
    )
    .await?;
    app.close().await?;

    // Posting again sends nothing.
    let again = cli_with(dir.path(), &["post", "--month", &month], &env);
    assert!(again.contains("Posted 0"), "{again}");
    Ok(())
}

/// This month, `YYYY-MM`, by the computer's clock (what the Billing screen opens on).
fn chrono_month() -> String {
    let out = Command::new("date").arg("+%Y-%m").output();
    out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "2026-12".into())
}
