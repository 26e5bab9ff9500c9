//! The monthly plan from real proposals in a real (in-memory) SQLite store.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use scopebook_xero::models::{Account, BrandingTheme, Connection, TaxRate};

use super::*;
use crate::catalog::{self, Frequency, PricingDraft, PricingKind, ServiceDraft, TierDraft};
use crate::clients::{ClientDraft, create_client};
use crate::connection::{XeroLists, choose_organisation, keep_lists};
use crate::proposals::{
    LineDraft, ProposalAction, amend_proposal, blank_proposal, change_status, create_proposal,
    update_proposal,
};
use crate::store::{Source, Store};

const TENANT: &str = "tenant-billing";

struct World {
    store: Store,
    client: i64,
    bookkeeping: i64,
    bas: i64,
    tax_return: i64,
    setup: i64,
    payroll: i64,
}

fn account(code: &str) -> Account {
    serde_json::from_value(serde_json::json!({
        "AccountID": format!("acc-{code}"), "Code": code, "Name": format!("Fees {code}"),
        "Type": "REVENUE", "Status": "ACTIVE", "Class": "REVENUE",
    }))
    .unwrap()
}

fn world() -> World {
    let mut store = Store::open_in_memory().unwrap();
    crate::practice::set_up_for_tests(&mut store);
    choose_organisation(
        &mut store,
        &Connection {
            id: "conn".into(),
            auth_event_id: None,
            tenant_id: TENANT.into(),
            tenant_type: "ORGANISATION".into(),
            tenant_name: Some("Ledger & Co".into()),
            created_date_utc: None,
            updated_date_utc: None,
        },
    )
    .unwrap();
    store
        .write(Source::User, |tx| {
            tx.execute(
                "UPDATE practice SET recurring_account_code = '200', one_off_account_code = '260',
                    default_tax_type = 'OUTPUT'",
                [],
            )?;
            tx.log("practice", 1, "update", &serde_json::json!({}))
        })
        .unwrap();
    let practice = crate::practice::require_practice(&store).unwrap();
    let rate: TaxRate = serde_json::from_value(serde_json::json!({
        "Name": "GST on Income", "TaxType": practice.default_tax_type, "Status": "ACTIVE",
        "EffectiveRate": 10, "CanApplyToRevenue": true,
    }))
    .unwrap();
    let lists = XeroLists {
        accounts: vec![
            account(&practice.recurring_account_code),
            account(&practice.one_off_account_code),
        ],
        tax_rates: vec![rate],
        branding_themes: vec![BrandingTheme {
            branding_theme_id: "theme-1".into(),
            name: "Standard".into(),
            sort_order: Some(0),
        }],
        fetched_at: Some(crate::now()),
        ..XeroLists::default()
    };
    keep_lists(&mut store, TENANT, lists).unwrap();

    let client = create_client(
        &mut store,
        &ClientDraft {
            display_name: "Acme Plumbing".into(),
            ..ClientDraft::blank()
        },
    )
    .unwrap()
    .id;
    crate::sync::link_client(&mut store, Source::User, client, "contact-acme").unwrap();
    let service = |store: &mut Store, name: &str, pricing: PricingDraft, frequency: Frequency| {
        catalog::create_service(
            store,
            &ServiceDraft {
                name: name.into(),
                pricing,
                frequency,
                ..ServiceDraft::blank()
            },
        )
        .unwrap()
        .id
    };
    let fixed = |price: &str| PricingDraft {
        price: price.into(),
        ..PricingDraft::empty(PricingKind::Fixed)
    };
    let bookkeeping = service(
        &mut store,
        "Bookkeeping",
        PricingDraft {
            unit_name: "transactions".into(),
            default_quantity: "250".into(),
            tiers: vec![
                TierDraft {
                    up_to: "100".into(),
                    unit_price: "2".into(),
                },
                TierDraft {
                    up_to: String::new(),
                    unit_price: "1.50".into(),
                },
            ],
            ..PricingDraft::empty(PricingKind::PerUnit)
        },
        Frequency::Monthly,
    );
    let bas = service(&mut store, "BAS", fixed("600"), Frequency::Quarterly);
    let tax_return = service(&mut store, "Tax return", fixed("1200"), Frequency::Annually);
    let setup = service(&mut store, "Setup", fixed("450"), Frequency::OneOff);
    let payroll = service(&mut store, "Payroll", fixed("50"), Frequency::Weekly);
    World {
        store,
        client,
        bookkeeping,
        bas,
        tax_return,
        setup,
        payroll,
    }
}

fn line(service_id: i64, quantity: &str, start: &str, end: &str, optional: bool) -> LineDraft {
    LineDraft {
        service_id: Some(service_id),
        line_id: None,
        quantity: quantity.into(),
        discount_percent: "0".into(),
        estimated_minutes: String::new(),
        start_month: start.into(),
        end_month: end.into(),
        optional,
        driver_choices: Vec::new(),
        option: None,
    }
}

/// An accepted proposal for the client, with `chosen` optional lines taken.
fn accepted(
    store: &mut Store,
    client: i64,
    lines: Vec<LineDraft>,
    choose_optional: bool,
) -> crate::proposals::Proposal {
    let mut draft = blank_proposal(store, client).unwrap();
    draft.lines = lines;
    let p = create_proposal(store, &draft).unwrap();
    let chosen: Vec<i64> = if choose_optional {
        p.lines
            .iter()
            .filter(|l| l.optional)
            .map(|l| l.id)
            .collect()
    } else {
        Vec::new()
    };
    change_status(
        store,
        p.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &chosen,
    )
    .unwrap()
}

/// The names on the client's invoice for `month`, and its total.
/// A line added for `month` to the client's invoice or a separate one: (quantity, unit price).
fn extra_line(
    month: &str,
    client: i64,
    description: &str,
    (quantity, unit_amount): (&str, &str),
    invoice: OnInvoice,
) -> AdjustmentDraft {
    AdjustmentDraft {
        month: month.into(),
        client_id: client,
        kind: Some(AdjustmentKind::ExtraLine),
        description: description.into(),
        quantity: quantity.into(),
        unit_amount: unit_amount.into(),
        invoice,
        ..AdjustmentDraft::default()
    }
}

fn invoice(w: &World, month: &str) -> Option<(Vec<String>, Decimal)> {
    let plan = billing_plan(&w.store, month).unwrap();
    plan.invoices
        .iter()
        .find(|i| i.client_id == w.client)
        .map(|i| {
            (
                i.lines.iter().map(|l| l.name.clone()).collect(),
                i.totals.total,
            )
        })
}

#[test]
fn every_frequency_across_a_year() {
    let mut w = world();
    let lines = vec![
        line(w.bookkeeping, "250", "2027-01", "", false),
        line(w.bas, "1", "2027-01", "", false),
        line(w.tax_return, "1", "2027-01", "", false),
        line(w.setup, "1", "2027-01", "", true),
        line(w.payroll, "1", "2027-01", "", false),
    ];
    accepted(&mut w.store, w.client, lines, true);
    let mut payroll_weeks = Decimal::ZERO;
    for month in 1..=12 {
        let text = format!("2027-{month:02}");
        let plan = billing_plan(&w.store, &text).unwrap();
        let inv = &plan.invoices[0];
        let names: Vec<&str> = inv.lines.iter().map(|l| l.name.as_str()).collect();
        assert!(names.contains(&"Bookkeeping"), "{text}: {names:?}");
        assert_eq!(
            names.contains(&"BAS"),
            [1, 4, 7, 10].contains(&month),
            "{text}"
        );
        assert_eq!(names.contains(&"Tax return"), month == 1, "{text}");
        assert_eq!(names.contains(&"Setup"), month == 1, "{text}");
        let payroll = inv.lines.iter().find(|l| l.name == "Payroll").unwrap();
        payroll_weeks += payroll.money.quantity;
        assert!(
            payroll
                .quantity_note
                .as_deref()
                .unwrap()
                .contains("weeks starting in")
        );
        assert_eq!(inv.state, PlanState::Ready, "{text}: {:?}", inv.warnings);
        // Exclusive of 10 % tax, line by line.
        let sub: Decimal = inv.lines.iter().map(|l| l.money.line_amount).sum();
        assert_eq!(inv.totals.sub_total, sub);
        assert_eq!(
            inv.totals.total,
            inv.totals.sub_total + inv.totals.total_tax
        );
        assert_eq!(plan.figures.ready, 1);
        assert_eq!(plan.figures.ready_total, inv.totals.total);
    }
    assert_eq!(payroll_weeks, dec!(52));
    // January: 425 + 600 + 1200 + 450 + 4 weeks × 50, plus 10 %.
    let (_, january) = invoice(&w, "2027-01").unwrap();
    assert_eq!(
        january,
        (dec!(425) + dec!(600) + dec!(1200) + dec!(450) + dec!(200)) * dec!(1.1)
    );
    // Recurring per month: 425 + 600/3 + 1200/12 + 50×52/12.
    let plan = billing_plan(&w.store, "2027-02").unwrap();
    assert_eq!(plan.figures.recurring, dec!(941.67));
    assert_eq!(plan.invoices[0].movement, Some(Movement::Unchanged));
    let first = billing_plan(&w.store, "2027-01").unwrap();
    assert_eq!(first.invoices[0].movement, Some(Movement::New));
    assert_eq!(first.figures.movements.new.clients, 1);
    assert_eq!(first.figures.recurring_before, dec!(0));
}

#[test]
fn optional_lines_bill_only_when_chosen_and_end_months_are_honoured() {
    let mut w = world();
    let lines = vec![
        line(w.bookkeeping, "100", "2027-01", "2027-03", false),
        line(w.setup, "1", "2027-01", "", true),
    ];
    accepted(&mut w.store, w.client, lines, false);
    let (names, total) = invoice(&w, "2027-01").unwrap();
    assert_eq!(names, vec!["Bookkeeping"]);
    assert_eq!(total, dec!(220));
    assert!(invoice(&w, "2027-03").is_some());
    assert!(
        invoice(&w, "2027-04").is_none(),
        "nothing after the end month"
    );
    let april = billing_plan(&w.store, "2027-04").unwrap();
    assert_eq!(april.figures.movements.churn.clients, 1);
    assert_eq!(april.figures.movements.churn.amount, dec!(-200));
}

#[test]
fn a_month_the_data_file_garbled_stops_the_plan_instead_of_dropping_the_line() {
    let mut w = world();
    let p = accepted(
        &mut w.store,
        w.client,
        vec![line(w.bookkeeping, "100", "2027-01", "", false)],
        false,
    );
    assert!(invoice(&w, "2027-01").is_some());
    // As a newer version or a damaged file might hold it, written past the editor's checks.
    w.store
        .write(Source::User, |tx| {
            tx.execute(
                "UPDATE proposal_lines SET start_month = 'Jan 2027' WHERE proposal_id = ?1",
                [p.id],
            )?;
            tx.log("proposals", p.id, "garble", &serde_json::json!({}))
        })
        .unwrap();
    let err = billing_plan(&w.store, "2027-01").unwrap_err().to_string();
    assert!(
        err.contains("unknown month \"Jan 2027\""),
        "the damage is named, not skipped: {err}"
    );
}

#[test]
fn an_amendment_takes_over_from_its_month_without_billing_a_cycle_twice() {
    let mut w = world();
    let lines = vec![
        line(w.bookkeeping, "250", "2026-07", "", false),
        line(w.tax_return, "1", "2026-07", "", false),
        line(w.setup, "1", "2026-07", "", false),
    ];
    let p = accepted(&mut w.store, w.client, lines, false);
    let amendment = amend_proposal(&mut w.store, p.id, "2027-03").unwrap();
    let mut d = amendment.draft();
    d.lines[0].quantity = "600".into(); // 200 + 500 × 1.50 = 950
    let amendment = update_proposal(&mut w.store, amendment.id, &d).unwrap();
    change_status(
        &mut w.store,
        amendment.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[],
    )
    .unwrap();

    let (feb, feb_total) = invoice(&w, "2027-02").unwrap();
    assert_eq!(feb, vec!["Bookkeeping"]);
    assert_eq!(feb_total, dec!(467.50));
    let (march, march_total) = invoice(&w, "2027-03").unwrap();
    assert_eq!(
        march,
        vec!["Bookkeeping"],
        "the setup fee and tax return aren't billed again"
    );
    assert_eq!(march_total, dec!(1045));
    let (july, _) = invoice(&w, "2027-07").unwrap();
    assert!(
        july.contains(&"Tax return".to_string()),
        "the annual fee keeps July"
    );
    let plan = billing_plan(&w.store, "2027-03").unwrap();
    assert_eq!(plan.invoices[0].movement, Some(Movement::Expansion));
    assert_eq!(plan.figures.movements.expansion.amount, dec!(525));
}

#[test]
fn a_price_increase_in_the_middle_of_the_year() {
    use crate::proposals::price_increase::{
        IncreaseKind, PriceIncrease, RoundingRule, apply_price_increase,
    };
    let mut w = world();
    accepted(
        &mut w.store,
        w.client,
        vec![line(w.bas, "1", "2027-01", "", false)],
        false,
    );
    apply_price_increase(
        &mut w.store,
        &PriceIncrease {
            service_ids: vec![w.bas],
            kind: IncreaseKind::Percent,
            value: "10".into(),
            rounding: RoundingRule::None,
            effective_from: "2027-06".into(),
            update_catalogue: false,
            accept: true,
        },
    )
    .unwrap();
    let (_, april) = invoice(&w, "2027-04").unwrap();
    assert_eq!(april, dec!(660));
    assert!(
        invoice(&w, "2027-06").is_none(),
        "the quarter's anchor stays January"
    );
    let (_, july) = invoice(&w, "2027-07").unwrap();
    assert_eq!(july, dec!(726), "660 × 1.1");
}

#[test]
fn tax_inclusive_prices_are_the_invoice_totals() {
    let mut w = world();
    w.store
        .write(Source::User, |tx| {
            tx.execute("UPDATE practice SET tax_treatment = 'inclusive'", [])?;
            tx.log("practice", 1, "update", &serde_json::json!({}))
        })
        .unwrap();
    accepted(
        &mut w.store,
        w.client,
        vec![line(w.bookkeeping, "137", "2027-01", "", false)],
        false,
    );
    let plan = billing_plan(&w.store, "2027-01").unwrap();
    let inv = &plan.invoices[0];
    assert_eq!(inv.line_amounts, arithmetic::LineAmounts::Inclusive);
    // 100 × 2 + 37 × 1.50 = 255.50, tax included: 255.50 − 255.50 / 1.1 = 23.23.
    assert_eq!(inv.totals.total, dec!(255.50));
    assert_eq!(inv.totals.total_tax, dec!(23.23));
    assert_eq!(inv.totals.sub_total, dec!(232.27));
}

#[test]
fn a_months_adjustments_leave_the_proposal_alone_and_are_logged() {
    let mut w = world();
    let p = accepted(
        &mut w.store,
        w.client,
        vec![line(w.bookkeeping, "250", "2027-01", "", false)],
        false,
    );
    let month = "2027-02";
    let extra = add_adjustment(
        &mut w.store,
        &extra_line(
            month,
            w.client,
            "Catch-up of last year's records",
            ("3", "150"),
            OnInvoice::Month,
        ),
    )
    .unwrap();
    add_adjustment(
        &mut w.store,
        &AdjustmentDraft {
            month: month.into(),
            client_id: w.client,
            kind: Some(AdjustmentKind::Description),
            line_id: Some(p.lines[0].id),
            description: "Bookkeeping, February (busy month)".into(),
            ..AdjustmentDraft::default()
        },
    )
    .unwrap();
    let plan = billing_plan(&w.store, month).unwrap();
    let inv = &plan.invoices[0];
    assert_eq!(inv.lines.len(), 2);
    assert_eq!(
        inv.lines[0].description,
        "Bookkeeping, February (busy month)"
    );
    assert_eq!(inv.totals.sub_total, dec!(425) + dec!(450));
    assert_eq!(
        invoice(&w, "2027-03").unwrap().1,
        dec!(467.50),
        "next month is as proposed"
    );

    // Bad input is named field by field.
    let bad = add_adjustment(
        &mut w.store,
        &AdjustmentDraft {
            month: month.into(),
            client_id: w.client,
            kind: Some(AdjustmentKind::ExtraLine),
            unit_amount: "1,5".into(),
            ..AdjustmentDraft::default()
        },
    )
    .unwrap_err();
    let crate::Error::Invalid(problems) = bad else {
        panic!("{bad:?}")
    };
    let fields: Vec<&str> = problems.fields().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["description", "unit_amount"]);

    // Held, then skipped.
    let hold = add_adjustment(
        &mut w.store,
        &AdjustmentDraft {
            month: month.into(),
            client_id: w.client,
            kind: Some(AdjustmentKind::Hold),
            ..AdjustmentDraft::default()
        },
    )
    .unwrap();
    let plan = billing_plan(&w.store, month).unwrap();
    assert_eq!(
        (plan.invoices[0].state, plan.figures.ready),
        (PlanState::Held, 0)
    );
    let twice = add_adjustment(
        &mut w.store,
        &AdjustmentDraft {
            month: month.into(),
            client_id: w.client,
            kind: Some(AdjustmentKind::Hold),
            ..AdjustmentDraft::default()
        },
    )
    .unwrap_err();
    assert_eq!(twice.code(), crate::ErrorCode::AlreadyDone);
    remove_adjustment(&mut w.store, hold.id).unwrap();
    add_adjustment(
        &mut w.store,
        &AdjustmentDraft {
            month: month.into(),
            client_id: w.client,
            kind: Some(AdjustmentKind::Skip),
            ..AdjustmentDraft::default()
        },
    )
    .unwrap();
    let plan = billing_plan(&w.store, month).unwrap();
    assert_eq!(plan.invoices[0].state, PlanState::Skipped);
    let logged = crate::store::history(w.store.conn(), "billing_adjustment", extra.id, 5).unwrap();
    assert_eq!(logged[0].action, "add");
}

#[test]
fn the_billing_screen_lists_rows_and_reads_one_invoice_in_full() {
    let mut w = world();
    accepted(
        &mut w.store,
        w.client,
        vec![
            line(w.bookkeeping, "250", "2027-01", "", false),
            line(w.bas, "1", "2027-01", "", false),
        ],
        false,
    );
    let month = "2027-02";
    let extra = add_adjustment(
        &mut w.store,
        &extra_line(
            month,
            w.client,
            "Catch-up",
            ("2", "100"),
            OnInvoice::Separate,
        ),
    )
    .unwrap();
    let plan = billing_plan(&w.store, month).unwrap();
    let screen = billing_month(&w.store, month).unwrap();
    assert_eq!(screen.plan, plan.figures);
    // A row per invoice, in the plan's order, with what the table shows.
    let rows: Vec<(i64, u32, Decimal, Vec<String>)> = screen
        .invoices
        .iter()
        .map(|r| (r.client_id, r.seq, r.total, r.services.clone()))
        .collect();
    let planned: Vec<(i64, u32, Decimal, Vec<String>)> = plan
        .invoices
        .iter()
        .map(|i| {
            let names = i.lines.iter().map(|l| l.name.clone()).collect();
            (i.client_id, i.seq, i.totals.total, names)
        })
        .collect();
    assert_eq!(rows, planned);
    assert_eq!(rows.len(), 2, "the month's invoice and the separate one");
    assert_eq!(rows[1].2, dec!(220.00), "2 × 100, plus 10 %");
    // Opened: the invoice in full, the same as the plan's.
    let separate = planned_invoice(&w.store, month, w.client, extra.invoice_seq).unwrap();
    assert_eq!(&separate, &plan.invoices[1]);
    assert_eq!(separate.invoice_lines[0].description, "Catch-up");
    // An invoice that isn't in the plan (any more) is said so, not shown empty.
    let gone = planned_invoice(&w.store, month, w.client, 9)
        .unwrap_err()
        .to_string();
    assert!(gone.contains("no such invoice"), "{gone}");
}

#[test]
fn what_would_stop_an_invoice_is_said_before_any_call() {
    let mut w = world();
    accepted(
        &mut w.store,
        w.client,
        vec![line(w.bookkeeping, "250", "2027-01", "", false)],
        false,
    );
    crate::sync::unlink_client(&mut w.store, Source::User, w.client).unwrap();
    let mut details = crate::clients::get_client(&w.store, w.client)
        .unwrap()
        .details;
    details.invoicing.account_code = "999".into();
    crate::clients::update_client(&mut w.store, w.client, &details).unwrap_or_else(|e| {
        panic!("{e:?}");
    });
    let plan = billing_plan(&w.store, "2027-01").unwrap();
    let inv = &plan.invoices[0];
    assert_eq!(inv.state, PlanState::Blocked);
    assert_eq!(plan.figures.blocked, 1);
    assert!(
        inv.warnings.iter().any(|w| w.contains("Not linked")),
        "{:?}",
        inv.warnings
    );
    assert!(
        inv.warnings.iter().any(|w| w.contains("Account 999")),
        "{:?}",
        inv.warnings
    );
}

#[test]
fn a_summary_or_by_category_invoice_groups_lines_without_mixing_accounts() {
    let mut w = world();
    accepted(
        &mut w.store,
        w.client,
        vec![
            line(w.bookkeeping, "250", "2027-01", "", false),
            line(w.bas, "1", "2027-01", "", false),
            line(w.setup, "1", "2027-01", "", false),
        ],
        false,
    );
    let mut details = crate::clients::get_client(&w.store, w.client)
        .unwrap()
        .details;
    details.invoicing.line_detail = crate::clients::LineDetail::Summary;
    crate::clients::update_client(&mut w.store, w.client, &details).unwrap();
    let plan = billing_plan(&w.store, "2027-01").unwrap();
    let inv = &plan.invoices[0];
    let practice = crate::practice::require_practice(&w.store).unwrap();
    let expected = if practice.recurring_account_code == practice.one_off_account_code {
        1
    } else {
        2
    };
    assert_eq!(inv.invoice_lines.len(), expected, "{:?}", inv.invoice_lines);
    assert!(inv.invoice_lines[0].description.contains("January 2027"));
    assert_eq!(inv.totals.sub_total, dec!(425) + dec!(600) + dec!(450));
}

#[test]
fn a_voided_invoice_is_posted_again_only_when_asked_with_its_own_reference() {
    let mut w = world();
    w.store
        .write(Source::Posting, |tx| {
            tx.execute(
                "INSERT INTO outbox (tenant_id, month, client_id, seq, reference, contact_id,
                    invoice, total, state, invoice_id, xero_status, updated_at)
                 VALUES (?1, '2027-01', ?2, 1, 'Jan 2027 fees C1', 'contact-acme',
                    '{\"Reference\": \"Jan 2027 fees C1\"}', '467.50', 'posted', 'inv-1', 'AUTHORISED', ?3)",
                rusqlite::params![TENANT, w.client, crate::now()],
            )?;
            tx.log("outbox", 1, "test", &serde_json::json!({}))
        })
        .unwrap();
    let refused = repost_voided(&mut w.store, 1).unwrap_err();
    assert!(refused.to_string().contains("still in Xero"), "{refused}");
    w.store
        .write(Source::Sync, |tx| {
            tx.execute("UPDATE outbox SET xero_status = 'VOIDED'", [])?;
            tx.log("outbox", 1, "test", &serde_json::json!({}))
        })
        .unwrap();
    let again = repost_voided(&mut w.store, 1).unwrap();
    assert_eq!(again.reference, "Jan 2027 fees C1 (2)");
    assert_eq!(again.state, OutboxState::Pending);
    let body: String = w
        .store
        .conn()
        .query_row(
            "SELECT invoice FROM outbox WHERE id = ?1",
            [again.id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(body.contains("Jan 2027 fees C1 (2)"));
}
