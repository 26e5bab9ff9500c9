//! Posting a month's invoices to xero-sim over real HTTP, with Xero's limits on: exactly once
//! through lost replies, crashes mid-batch, rate limits and a second poster.

use std::sync::atomic::AtomicBool;

use rust_decimal::Decimal;
use scopebook_xero::{InvoiceQuery, XeroClient};
use xero_sim::SimHandle;

use super::*;
use crate::ErrorCode;
use crate::catalog::{self, Frequency, PricingDraft, PricingKind, ServiceDraft};
use crate::clients::{ClientDraft, create_client};
use crate::proposals::{LineDraft, ProposalAction, blank_proposal, change_status, create_proposal};
use crate::store::{SharedStore, Source, lock};
use crate::sync::against_sim::{admin, connected};

static NEVER: AtomicBool = AtomicBool::new(false);
const MONTH: &str = "2026-12";

/// A connected practice whose `n` clients (linked to the first `n` active contacts) each have an
/// accepted proposal: bookkeeping at 100 + i a month from December 2026.
async fn practice_with_clients(n: usize) -> (SimHandle, SharedStore, XeroClient, String, Vec<i64>) {
    let (sim, store, xero, tenant) = connected().await;
    {
        let mut s = lock(&store);
        crate::practice::set_up_for_tests(&mut s);
        s.write(Source::User, |tx| {
            tx.execute(
                "UPDATE practice SET recurring_account_code = '200', one_off_account_code = '200',
                    default_tax_type = 'OUTPUT'",
                [],
            )?;
            tx.log("practice", 1, "update", &serde_json::json!({}))
        })
        .unwrap();
    }
    crate::connection::refresh_lists(&store, &xero)
        .await
        .unwrap();
    crate::sync::pull_contacts(&store, &xero, &NEVER, |_| {})
        .await
        .unwrap();
    let contacts: Vec<String> = {
        let s = lock(&store);
        let mut stmt = s
            .conn()
            .prepare(
                "SELECT contact_id FROM xero_contacts WHERE status = 'ACTIVE'
                    AND merged_to_contact_id IS NULL ORDER BY name LIMIT ?1",
            )
            .unwrap();
        stmt.query_map([n as i64], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let mut clients = Vec::new();
    let mut s = lock(&store);
    for (i, contact) in contacts.iter().enumerate() {
        let client = create_client(
            &mut s,
            &ClientDraft {
                display_name: format!("Posting Client {i:03}"),
                ..ClientDraft::blank()
            },
        )
        .unwrap()
        .id;
        crate::sync::link_client(&mut s, Source::User, client, contact).unwrap();
        let service = catalog::create_service(
            &mut s,
            &ServiceDraft {
                name: format!("Bookkeeping {i}"),
                pricing: PricingDraft {
                    price: format!("{}", 100 + i),
                    ..PricingDraft::empty(PricingKind::Fixed)
                },
                frequency: Frequency::Monthly,
                ..ServiceDraft::blank()
            },
        )
        .unwrap()
        .id;
        let mut draft = blank_proposal(&s, client).unwrap();
        draft.lines = vec![LineDraft {
            service_id: Some(service),
            line_id: None,
            quantity: "1".into(),
            discount_percent: "0".into(),
            estimated_minutes: String::new(),
            start_month: MONTH.into(),
            end_month: String::new(),
            optional: false,
            driver_choices: Vec::new(),
            option: None,
        }];
        let p = create_proposal(&mut s, &draft).unwrap();
        change_status(&mut s, p.id, ProposalAction::Accept, Some("Sam Lee"), &[]).unwrap();
        clients.push(client);
    }
    drop(s);
    (sim, store, xero, tenant, clients)
}

/// A run that died mid-call: the month queued and its batch marked `sending`, answer unknown.
fn stage_a_crashed_batch(store: &SharedStore, tenant: &str) {
    let mut s = lock(store);
    posting_queue_for_tests(&mut s, tenant);
    s.write(Source::Posting, |tx| {
        tx.execute(
            "UPDATE outbox SET state = 'sending', sent_at = ?1",
            [crate::now()],
        )?;
        tx.log("outbox", 0, "test", &serde_json::json!({}))
    })
    .unwrap();
}

/// The invoices this app created in Xero, by Reference: (count per reference, total).
async fn in_xero(
    xero: &XeroClient,
    tenant: &str,
) -> std::collections::HashMap<String, (u32, Decimal)> {
    let query = InvoiceQuery {
        created_by_my_app: true,
        page: Some(1),
        page_size: Some(1000),
        ..InvoiceQuery::default()
    };
    let mut found = std::collections::HashMap::new();
    for invoice in xero.invoices(tenant, &query).await.unwrap().items {
        let entry = found
            .entry(invoice.reference.clone().unwrap_or_default())
            .or_insert((0, Decimal::ZERO));
        entry.0 += 1;
        entry.1 = invoice.total.unwrap_or_default();
    }
    found
}

async fn post(store: &SharedStore, xero: &XeroClient) -> PostingReport {
    post_month(
        store,
        xero,
        MONTH,
        PostOptions::default(),
        "test",
        &NEVER,
        |_| {},
    )
    .await
    .unwrap()
}

/// Every ready invoice of the plan is in Xero exactly once, with the plan's total.
async fn ledger_check(store: &SharedStore, xero: &XeroClient, tenant: &str) {
    let plan = billing_plan(&lock(store), MONTH).unwrap();
    let xero_side = in_xero(xero, tenant).await;
    for invoice in plan.invoices.iter().filter(|i| i.state == PlanState::Ready) {
        let (count, total) = xero_side
            .get(&invoice.reference)
            .copied()
            .unwrap_or_else(|| panic!("{} is not in Xero", invoice.reference));
        assert_eq!(count, 1, "{} is in Xero {count} times", invoice.reference);
        assert_eq!(total, invoice.totals.total, "{}", invoice.reference);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_month_posts_once_and_a_second_run_sends_nothing() {
    let (_sim, store, xero, tenant, clients) = practice_with_clients(3).await;
    let mut seen = Vec::new();
    let report = post_month(
        &store,
        &xero,
        MONTH,
        PostOptions::default(),
        "test",
        &NEVER,
        |p| seen.push(p.clone()),
    )
    .await
    .unwrap();
    assert_eq!(
        (report.posted, report.failed, report.remaining),
        (3, 0, 0),
        "{report:?}"
    );
    assert_eq!(report.calls, 1, "one batch");
    assert!(seen.last().is_some_and(|p| p.done == 3 && p.total == 3));
    assert!(
        report
            .invoices
            .iter()
            .all(|i| i.invoice_number.is_some() && i.xero_status.as_deref() == Some("DRAFT"))
    );
    ledger_check(&store, &xero, &tenant).await;
    assert_eq!(report.invoices.len(), clients.len());

    let again = post(&store, &xero).await;
    assert_eq!((again.posted, again.calls), (0, 0), "{again:?}");
    ledger_check(&store, &xero, &tenant).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_reply_is_replayed_not_posted_twice() {
    let (sim, store, xero, tenant, _) = practice_with_clients(3).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "drop_after_commit" }),
    )
    .await;
    let report = post(&store, &xero).await;
    assert_eq!(report.posted + report.reconciled, 3, "{report:?}");
    ledger_check(&store, &xero, &tenant).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_after_xero_committed_is_found_not_resent() {
    let (_sim, store, xero, tenant, _) = practice_with_clients(2).await;
    // A run that died mid-call: the batch marked `sending`, Xero holding the invoices.
    let plan = billing_plan(&lock(&store), MONTH).unwrap();
    let invoices: Vec<_> = plan
        .invoices
        .iter()
        .map(|i| xero_invoice(i, PostAs::Draft))
        .collect();
    stage_a_crashed_batch(&store, &tenant);
    xero.create_invoices(&tenant, &invoices, None)
        .await
        .unwrap();
    let report = post(&store, &xero).await;
    assert_eq!((report.reconciled, report.posted), (2, 0), "{report:?}");
    ledger_check(&store, &xero, &tenant).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_before_xero_saw_the_batch_sends_it_once() {
    let (_sim, store, xero, tenant, _) = practice_with_clients(2).await;
    stage_a_crashed_batch(&store, &tenant);
    let report = post(&store, &xero).await;
    assert_eq!((report.reconciled, report.posted), (0, 2), "{report:?}");
    ledger_check(&store, &xero, &tenant).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_while_looking_up_a_crashed_batch_pauses_the_run_and_resends_nothing() {
    let (sim, store, xero, tenant, _) = practice_with_clients(2).await;
    stage_a_crashed_batch(&store, &tenant);
    // Every attempt of the look-up (three here) meets Xero's edge down.
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "plain_503", "count": 3 }),
    )
    .await;
    let report = post(&store, &xero).await;
    assert!(
        report.paused.is_some(),
        "a pause, not a failure: {report:?}"
    );
    assert_eq!((report.posted, report.remaining), (0, 2), "{report:?}");
    assert!(
        report
            .invoices
            .iter()
            .all(|i| i.state == OutboxState::Sending),
        "still to be looked up first: {report:?}"
    );
    let resumed = post(&store, &xero).await;
    assert_eq!(resumed.posted, 2, "{resumed:?}");
    ledger_check(&store, &xero, &tenant).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_invoice_is_named_and_the_others_post() {
    let (sim, store, xero, tenant, clients) = practice_with_clients(3).await;
    let archived = crate::sync::link_of(&lock(&store), clients[1])
        .unwrap()
        .unwrap()
        .contact_id;
    admin(
        &sim,
        "contacts/archive",
        serde_json::json!({ "tenant_id": tenant, "contact_id": archived }),
    )
    .await;
    let report = post(&store, &xero).await;
    assert_eq!((report.posted, report.failed), (2, 1), "{report:?}");
    let refused = report
        .invoices
        .iter()
        .find(|i| i.client_id == clients[1])
        .unwrap();
    assert_eq!(refused.state, OutboxState::Failed);
    assert!(refused.messages[0].contains("archived"), "{refused:?}");
    // Fixed in Xero, the next run posts it alone.
    admin(
        &sim,
        "contacts/edit",
        serde_json::json!({ "tenant_id": tenant, "contact_id": archived,
            "changes": { "ContactStatus": "ACTIVE" } }),
    )
    .await;
    let again = post(&store, &xero).await;
    assert_eq!((again.posted, again.failed), (1, 0), "{again:?}");
    ledger_check(&store, &xero, &tenant).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_pauses_the_run_with_everything_saved() {
    let (sim, store, xero, tenant, _) = practice_with_clients(2).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "plain_503", "count": 5 }),
    )
    .await;
    let report = post(&store, &xero).await;
    assert!(report.paused.is_some(), "{report:?}");
    assert_eq!((report.posted, report.remaining), (0, 2));
    assert!(
        report
            .invoices
            .iter()
            .all(|i| i.state == OutboxState::Pending)
    );
    reqwest::Client::new()
        .delete(format!("{}/faults", sim.admin_url()))
        .send()
        .await
        .unwrap();
    let resumed = post(&store, &xero).await;
    assert_eq!(resumed.posted, 2, "{resumed:?}");
    ledger_check(&store, &xero, &tenant).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_run_at_a_time_per_organisation() {
    let (_sim, store, xero, tenant, _) = practice_with_clients(1).await;
    {
        let mut s = lock(&store);
        s.write(Source::Posting, |tx| {
            tx.execute(
                "INSERT INTO posting_lease (tenant_id, holder, acquired_at, expires_at)
                 VALUES (?1, 'scheduled CLI', ?2, ?3)",
                rusqlite::params![
                    tenant,
                    crate::now(),
                    (chrono::Utc::now() + chrono::Duration::minutes(2)).to_rfc3339()
                ],
            )?;
            Ok(())
        })
        .unwrap();
    }
    let refused = post_month(
        &store,
        &xero,
        MONTH,
        PostOptions::default(),
        "app",
        &NEVER,
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InUse);
    assert!(
        refused.to_string().contains("another Scopebook"),
        "{refused}"
    );
    assert!(in_xero(&xero, &tenant).await.is_empty(), "nothing was sent");
    // A lease whose holder died expires.
    lock(&store)
        .write(Source::Posting, |tx| {
            tx.execute(
                "UPDATE posting_lease SET expires_at = '2000-01-01T00:00:00Z'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(post(&store, &xero).await.posted, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_reads_only_and_names_what_xero_would_refuse() {
    let (sim, store, xero, tenant, clients) = practice_with_clients(3).await;
    let archived = crate::sync::link_of(&lock(&store), clients[0])
        .unwrap()
        .unwrap()
        .contact_id;
    admin(
        &sim,
        "contacts/archive",
        serde_json::json!({ "tenant_id": tenant, "contact_id": archived }),
    )
    .await;
    let changes_before: i64 = lock(&store)
        .conn()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    let dry = dry_run_post(&store, &xero, MONTH).await.unwrap();
    assert_eq!((dry.invoices.len(), dry.blocked.len()), (2, 1), "{dry:?}");
    assert!(
        dry.blocked[0]
            .warnings
            .iter()
            .any(|w| w.contains("archived"))
    );
    assert_eq!(dry.calls_needed, 1);
    assert_eq!(dry.calls_used, 5, "four lists and one contacts call");
    let changes_after: i64 = lock(&store)
        .conn()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(changes_before, changes_after, "a dry run writes nothing");
    assert!(in_xero(&xero, &tenant).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn payments_come_back_in_one_call_with_their_history() {
    let (sim, store, xero, tenant, _) = practice_with_clients(3).await;
    let options = PostOptions {
        post_as: Some(PostAs::Authorised),
    };
    let report = post_month(&store, &xero, MONTH, options, "test", &NEVER, |_| {})
        .await
        .unwrap();
    assert_eq!(report.posted, 3);
    let first = refresh_payments(&store, &xero).await.unwrap();
    assert_eq!(first.calls, 1);
    let numbers: Vec<(String, Decimal)> = report
        .invoices
        .iter()
        .map(|i| (i.invoice_number.clone().unwrap(), i.total))
        .collect();
    let pay = |number: &str, amount: Decimal| serde_json::json!({ "tenant_id": tenant, "invoice_id": number, "amount": amount.to_string() });
    admin(&sim, "payments", pay(&numbers[0].0, numbers[0].1)).await;
    admin(&sim, "payments", pay(&numbers[1].0, Decimal::from(10))).await;
    admin(
        &sim,
        "invoices/void",
        serde_json::json!({ "tenant_id": tenant, "invoice_id": numbers[2].0 }),
    )
    .await;
    let back = refresh_payments(&store, &xero).await.unwrap();
    assert_eq!(back.calls, 1, "{back:?}");
    assert_eq!(
        (back.paid.len(), back.part_paid.len(), back.voided.len()),
        (1, 1, 1),
        "{back:?}"
    );
    assert_eq!(back.paid[0].xero_status.as_deref(), Some("PAID"));
    let history: i64 = lock(&store)
        .conn()
        .query_row("SELECT count(*) FROM invoice_status_history", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(history, 3 + 3, "posted, then one change each");
    // Overdue: only the part-paid one (the paid one owes nothing, the voided one isn't owed),
    // for what is still due, and only once its due date has passed.
    let due = report.invoices[1].due_date.clone().unwrap();
    let due = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap();
    assert!(
        overdue_invoices(&lock(&store), due).unwrap().is_empty(),
        "not overdue on its due date"
    );
    let late = overdue_invoices(&lock(&store), due + chrono::Duration::days(1)).unwrap();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(
        late[0].invoice_number.as_deref(),
        Some(numbers[1].0.as_str())
    );
    assert_eq!(late[0].amount_due, Some(numbers[1].1 - Decimal::from(10)));
    let quiet = refresh_payments(&store, &xero).await.unwrap();
    assert_eq!((quiet.calls, quiet.changed), (1, 0));
    // A voided invoice is not posted again by a re-run.
    let again = post(&store, &xero).await;
    assert_eq!((again.posted, again.calls), (0, 0), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_refused_after_xero_saved_it_is_looked_up_not_resent() {
    let (sim, store, xero, tenant, _) = practice_with_clients(3).await;
    admin(&sim, "faults", serde_json::json!({ "kind": "partial_400" })).await;
    let report = post(&store, &xero).await;
    assert_eq!((report.reconciled, report.failed), (3, 0), "{report:?}");
    ledger_check(&store, &xero, &tenant).await;
    let again = post(&store, &xero).await;
    assert_eq!(again.calls, 0, "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invoice_skipped_after_a_paused_run_is_not_posted() {
    let (sim, store, xero, tenant, clients) = practice_with_clients(3).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "plain_503", "count": 5 }),
    )
    .await;
    let paused = post(&store, &xero).await;
    assert!(paused.paused.is_some(), "{paused:?}");
    reqwest::Client::new()
        .delete(format!("{}/faults", sim.admin_url()))
        .send()
        .await
        .unwrap();
    add_adjustment(
        &mut lock(&store),
        &AdjustmentDraft {
            month: MONTH.into(),
            client_id: clients[0],
            kind: Some(AdjustmentKind::Skip),
            ..AdjustmentDraft::default()
        },
    )
    .unwrap();
    let report = post(&store, &xero).await;
    assert_eq!(report.posted, 2, "{report:?}");
    assert!(report.invoices.iter().all(|i| i.client_id != clients[0]));
    assert_eq!(in_xero(&xero, &tenant).await.len(), 2);
    ledger_check(&store, &xero, &tenant).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn approved_invoices_are_emailed_once_when_the_setting_asks() {
    let (sim, store, xero, tenant, clients) = practice_with_clients(2).await;
    {
        let mut s = lock(&store);
        let mut settings = billing_settings(&s).unwrap();
        settings.email_invoices = true;
        save_billing_settings(&mut s, &settings).unwrap();
    }
    // One contact has no email address: Xero can't email its invoice, and says so.
    let bare = crate::sync::link_of(&lock(&store), clients[1])
        .unwrap()
        .unwrap()
        .contact_id;
    admin(
        &sim,
        "contacts/edit",
        serde_json::json!({ "tenant_id": tenant, "contact_id": bare,
            "changes": { "EmailAddress": "" } }),
    )
    .await;
    let first_email = crate::sync::link_of(&lock(&store), clients[0])
        .unwrap()
        .unwrap()
        .contact_id;
    admin(
        &sim,
        "contacts/edit",
        serde_json::json!({ "tenant_id": tenant, "contact_id": first_email,
            "changes": { "EmailAddress": "accounts@first.test" } }),
    )
    .await;
    let options = PostOptions {
        post_as: Some(PostAs::Authorised),
    };
    let report = post_month(&store, &xero, MONTH, options, "test", &NEVER, |_| {})
        .await
        .unwrap();
    assert_eq!((report.posted, report.emailed), (2, 1), "{report:?}");
    assert_eq!(report.calls, 1 + 2, "one batch, one email call per invoice");
    let note: Option<String> = lock(&store)
        .conn()
        .query_row(
            "SELECT email_note FROM outbox WHERE client_id = ?1",
            [clients[1]],
            |r| r.get(0),
        )
        .unwrap();
    assert!(note.unwrap().contains("email address"));
    // A second run emails nobody again.
    let again = post_month(&store, &xero, MONTH, options, "test", &NEVER, |_| {})
        .await
        .unwrap();
    assert_eq!((again.emailed, again.calls), (0, 0), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_separate_invoice_posts_once_beside_the_months_with_its_own_reference() {
    let (_sim, store, xero, tenant, clients) = practice_with_clients(2).await;
    let extra = |invoice: OnInvoice, description: &str| AdjustmentDraft {
        month: MONTH.into(),
        client_id: clients[0],
        kind: Some(AdjustmentKind::ExtraLine),
        description: description.into(),
        quantity: "2".into(),
        unit_amount: "150".into(),
        invoice,
        ..AdjustmentDraft::default()
    };
    let separate = add_adjustment(
        &mut lock(&store),
        &extra(OnInvoice::Separate, "Catch-up bookkeeping"),
    )
    .unwrap();
    assert_eq!(separate.invoice_seq, 2);
    add_adjustment(
        &mut lock(&store),
        &extra(OnInvoice::Existing(2), "Year-end adjustments"),
    )
    .unwrap();
    let refused = add_adjustment(
        &mut lock(&store),
        &AdjustmentDraft {
            kind: Some(AdjustmentKind::Hold),
            invoice: OnInvoice::Existing(2),
            ..extra(OnInvoice::Month, "")
        },
    )
    .unwrap_err();
    assert!(
        refused.to_string().contains("Only an added line"),
        "{refused}"
    );
    let nowhere =
        add_adjustment(&mut lock(&store), &extra(OnInvoice::Existing(5), "Lost")).unwrap_err();
    assert!(
        nowhere.to_string().contains("no separate invoice 5"),
        "{nowhere}"
    );

    let plan = billing_plan(&lock(&store), MONTH).unwrap();
    let mine: Vec<&PlannedInvoice> = plan
        .invoices
        .iter()
        .filter(|i| i.client_id == clients[0])
        .collect();
    assert_eq!(mine.len(), 2, "the month's invoice and the separate one");
    let (month_invoice, second) = (mine[0], mine[1]);
    assert_eq!((month_invoice.seq, second.seq), (1, 2));
    assert_eq!(second.reference, format!("{} (2)", month_invoice.reference));
    assert_eq!(second.lines.len(), 2, "only the lines put on it");
    assert!(month_invoice.lines.iter().all(|l| l.frequency.is_some()));
    assert_eq!(second.totals.sub_total, Decimal::from(600));
    assert_eq!((second.movement, second.recurring), (None, Decimal::ZERO));
    assert_eq!(
        plan.figures.movements.new.clients, 2,
        "movements count clients, not invoices"
    );
    assert_eq!(plan.figures.ready, 3);

    let report = post(&store, &xero).await;
    assert_eq!(report.posted, 3, "{report:?}");
    ledger_check(&store, &xero, &tenant).await;
    let again = post(&store, &xero).await;
    assert_eq!((again.posted, again.calls), (0, 0), "{again:?}");

    // Once in Xero, the invoice is changed there: a line added to it or taken off it here would
    // never reach Xero, so both are refused — a new separate invoice is still possible.
    let late = add_adjustment(&mut lock(&store), &extra(OnInvoice::Month, "Late"))
        .unwrap_err()
        .to_string();
    assert!(late.contains("already in Xero as INV-"), "{late}");
    let removing = remove_adjustment(&mut lock(&store), separate.id)
        .unwrap_err()
        .to_string();
    assert!(removing.contains("already in Xero"), "{removing}");
    let third =
        add_adjustment(&mut lock(&store), &extra(OnInvoice::Separate, "Later work")).unwrap();
    assert_eq!(third.invoice_seq, 3);
    let month = billing_month(&lock(&store), MONTH).unwrap();
    assert_eq!(
        (month.to_post, month.to_post_total, month.posted),
        (1, Decimal::from(330), 3),
        "only the new separate invoice is left to post"
    );
    let report = post(&store, &xero).await;
    assert_eq!((report.posted, report.calls), (1, 1), "{report:?}");
    ledger_check(&store, &xero, &tenant).await;

    // A voided invoice posted again takes the next free number, never a separate one's.
    let voided = outbox(&lock(&store), MONTH)
        .unwrap()
        .into_iter()
        .find(|o| o.client_id == clients[0] && o.seq == 2)
        .unwrap();
    lock(&store)
        .write(Source::Posting, |tx| {
            tx.execute(
                "UPDATE outbox SET xero_status = 'VOIDED' WHERE id = ?1",
                [voided.id],
            )?;
            tx.log("outbox", voided.id, "test", &serde_json::json!({}))
        })
        .unwrap();
    let again = repost_voided(&mut lock(&store), voided.id).unwrap();
    assert_eq!((again.seq, again.plan_seq), (4, 2));
    assert!(again.reference.ends_with(" (4)"), "{}", again.reference);
    let fourth = add_adjustment(&mut lock(&store), &extra(OnInvoice::Separate, "More")).unwrap();
    assert_eq!(fourth.invoice_seq, 5);
    let month = billing_month(&lock(&store), MONTH).unwrap();
    assert_eq!(
        month.to_post, 2,
        "the voided one queued again, and invoice 5"
    );
    let report = post(&store, &xero).await;
    assert_eq!(report.posted, 2, "{report:?}");
    ledger_check(&store, &xero, &tenant).await;
}
