//! Proposals against a real (in-memory) SQLite store.

use rust_decimal_macros::dec;

use super::*;
use crate::catalog::{PricingDraft, PricingKind, ServiceDraft, TierDraft};
use crate::clients::{ClientDraft, ClientKind};
use crate::practice::{PracticeSetup, setup_practice};

struct World {
    store: Store,
    prospect: i64,
    bookkeeping: i64,
    tax_return: i64,
    setup_fee: i64,
}

fn world() -> World {
    let mut store = Store::open_in_memory().unwrap();
    setup_practice(
        &mut store,
        PracticeSetup {
            firm_name: "Ledger & Co".into(),
            country: "AU".into(),
            base_currency: "AUD".into(),
        },
    )
    .unwrap();
    let prospect = clients::create_client(
        &mut store,
        &ClientDraft {
            display_name: "Acme Plumbing".into(),
            ..ClientDraft::blank()
        },
    )
    .unwrap()
    .id;
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
    let fixed = |price: &str| PricingDraft {
        price: price.into(),
        ..PricingDraft::empty(PricingKind::Fixed)
    };
    let tax_return = service(&mut store, "Tax return", fixed("1200"), Frequency::Annually);
    let setup_fee = service(&mut store, "Setup", fixed("450"), Frequency::OneOff);
    World {
        store,
        prospect,
        bookkeeping,
        tax_return,
        setup_fee,
    }
}

fn line(service_id: i64, quantity: &str, optional: bool) -> LineDraft {
    LineDraft {
        service_id: Some(service_id),
        line_id: None,
        quantity: quantity.into(),
        discount_percent: "0".into(),
        estimated_minutes: String::new(),
        start_month: "2026-12".into(),
        end_month: String::new(),
        optional,
        driver_choices: Vec::new(),
        option: None,
    }
}

fn draft(w: &World) -> ProposalDraft {
    let mut d = blank_proposal(&w.store, w.prospect).unwrap();
    d.scope_out = vec!["Payroll".into(), "  ".into(), "Audit".into()];
    d.lines = vec![
        line(w.bookkeeping, "250", false),
        line(w.tax_return, "1", false),
        line(w.setup_fee, "1", true),
    ];
    d
}

#[test]
fn a_proposal_snapshots_services_prices_lines_and_totals() {
    let mut w = world();
    let p = {
        let d = draft(&w);
        create_proposal(&mut w.store, &d)
    }
    .unwrap();
    assert!(
        p.number.starts_with("P-") && p.number.ends_with("-0001"),
        "{}",
        p.number
    );
    assert_eq!(p.status, ProposalStatus::Draft);
    assert_eq!(p.client_name, "Acme Plumbing");
    assert_eq!(p.scope_out, ["Payroll", "Audit"]);
    let prices: Vec<Decimal> = p.lines.iter().map(|l| l.price).collect();
    assert_eq!(prices, [dec!(425.00), dec!(1200.00), dec!(450.00)]);
    // 425×12 + 1200 = 6300 a year; the optional setup isn't counted until chosen.
    assert_eq!(p.totals.annual, dec!(6300.00));
    assert_eq!(p.totals.monthly, dec!(525.00));
    assert_eq!(p.totals.one_off, dec!(0));

    // The catalogue changing later doesn't touch the proposal.
    let mut s = catalog::get_service(&w.store, w.tax_return)
        .unwrap()
        .draft();
    s.pricing.price = "1500".into();
    catalog::update_service(&mut w.store, w.tax_return, &s).unwrap();
    assert_eq!(
        get_proposal(&w.store, p.id).unwrap().lines[1].price,
        dec!(1200.00)
    );

    let second = {
        let d = draft(&w);
        create_proposal(&mut w.store, &d)
    }
    .unwrap();
    assert!(second.number.ends_with("-0002"), "{}", second.number);
}

#[test]
fn discounts_and_bad_lines() {
    let mut w = world();
    let mut d = draft(&w);
    d.lines[0].discount_percent = "10".into();
    let p = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(p.lines[0].price, dec!(382.50));

    let mut bad = draft(&w);
    bad.lines[0].quantity = "0".into();
    bad.lines[1].discount_percent = "120".into();
    bad.lines[2].start_month = "soon".into();
    bad.valid_until = "".into();
    let fields: Vec<String> = create_proposal(&mut w.store, &bad)
        .unwrap_err()
        .report()
        .fields
        .into_iter()
        .map(|f| f.field)
        .collect();
    assert_eq!(
        fields,
        [
            "valid_until",
            "lines.0.quantity",
            "lines.1.discount_percent",
            "lines.2.start_month"
        ]
    );
}

#[test]
fn accepting_makes_the_prospect_a_client_and_records_who() {
    let mut w = world();
    let p = {
        let d = draft(&w);
        create_proposal(&mut w.store, &d)
    }
    .unwrap();
    let sent = change_status(&mut w.store, p.id, ProposalAction::Send, None, &[]).unwrap();
    assert_eq!(sent.status, ProposalStatus::Sent);
    assert!(change_status(&mut w.store, p.id, ProposalAction::Accept, Some("  "), &[]).is_err());
    let setup_line = sent.lines[2].id;
    let accepted = change_status(
        &mut w.store,
        p.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[setup_line],
    )
    .unwrap();
    assert_eq!(accepted.status, ProposalStatus::Accepted);
    assert_eq!(accepted.accepted_by.as_deref(), Some("Sam Lee"));
    assert!(accepted.lines[2].chosen);
    assert_eq!(accepted.totals.one_off, dec!(450.00));
    assert_eq!(
        clients::get_client(&w.store, w.prospect)
            .unwrap()
            .details
            .kind,
        ClientKind::Client
    );

    // Accepted proposals are never edited, and can't be withdrawn.
    assert!(
        update_proposal(&mut w.store, p.id, &accepted.draft())
            .unwrap_err()
            .to_string()
            .contains("amendment")
    );
    assert!(change_status(&mut w.store, p.id, ProposalAction::Withdraw, None, &[]).is_err());

    let scope = client_scope(&w.store, w.prospect, "2026-12").unwrap();
    assert_eq!(scope.in_scope.len(), 3);
    assert_eq!(scope.out_of_scope, ["Payroll", "Audit"]);
    assert!(
        client_scope(&w.store, w.prospect, "2026-11")
            .unwrap()
            .in_scope
            .is_empty()
    );
}

#[test]
fn an_amendment_supersedes_from_its_month_and_keeps_history() {
    let mut w = world();
    let p = {
        let d = draft(&w);
        create_proposal(&mut w.store, &d)
    }
    .unwrap();
    change_status(
        &mut w.store,
        p.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[],
    )
    .unwrap();
    let amendment = amend_proposal(&mut w.store, p.id, "2027-03").unwrap();
    assert_eq!(
        (amendment.number.as_str(), amendment.version),
        (p.number.as_str(), 2)
    );
    assert_eq!(amendment.label(), format!("{} v2", p.number));
    assert!(
        amendment
            .lines
            .iter()
            .all(|l| l.start_month.as_str() >= "2027-03")
    );
    assert!(
        amend_proposal(&mut w.store, p.id, "2027-04")
            .unwrap_err()
            .to_string()
            .contains("already open")
    );

    let mut d = amendment.draft();
    d.lines[0].quantity = "600".into(); // more transactions: 200 + 500×1.50 = 950
    let amendment = update_proposal(&mut w.store, amendment.id, &d).unwrap();
    change_status(
        &mut w.store,
        amendment.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[],
    )
    .unwrap();
    assert_eq!(
        get_proposal(&w.store, p.id).unwrap().status,
        ProposalStatus::Superseded
    );

    let february = client_scope(&w.store, w.prospect, "2027-02").unwrap();
    let march = client_scope(&w.store, w.prospect, "2027-03").unwrap();
    assert_eq!(february.in_scope[0].line.price, dec!(425.00));
    assert_eq!(february.in_scope[0].proposal, p.number);
    assert_eq!(march.in_scope[0].line.price, dec!(950.00));
    assert_eq!(
        march.in_scope.len(),
        2,
        "the old one no longer counts from March"
    );
    let history = crate::store::history(w.store.conn(), "proposal", p.id, 10).unwrap();
    assert!(history.iter().any(|c| c.action == "superseded"));
    assert_eq!(find_by_number(&w.store, &p.number).unwrap().version, 2);
    assert_eq!(
        find_by_number(&w.store, &format!("{} v1", p.number))
            .unwrap()
            .id,
        p.id
    );
}

#[test]
fn duplicate_and_declined() {
    let mut w = world();
    let p = {
        let d = draft(&w);
        create_proposal(&mut w.store, &d)
    }
    .unwrap();
    change_status(&mut w.store, p.id, ProposalAction::Send, None, &[]).unwrap();
    change_status(&mut w.store, p.id, ProposalAction::Decline, None, &[]).unwrap();
    assert!(change_status(&mut w.store, p.id, ProposalAction::Accept, Some("x"), &[]).is_err());
    let copy = duplicate_proposal(&mut w.store, p.id, None).unwrap();
    assert_ne!(copy.number, p.number);
    assert_eq!(copy.status, ProposalStatus::Draft);
    assert_eq!(copy.lines.len(), 3);
    assert_eq!(
        clients::get_client(&w.store, w.prospect)
            .unwrap()
            .details
            .kind,
        ClientKind::Prospect
    );
    let listed = list_proposals(
        &w.store,
        &ProposalFilter {
            search: Some("acme".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(listed.len(), 2);
    // A client with proposals can't be deleted.
    assert!(
        clients::delete_client(&mut w.store, w.prospect)
            .unwrap_err()
            .to_string()
            .contains("proposal")
    );
}

#[test]
fn overdue_sent_proposals_expire() {
    let mut w = world();
    let mut d = draft(&w);
    d.valid_until = "2020-01-31".into();
    let p = create_proposal(&mut w.store, &d).unwrap();
    change_status(&mut w.store, p.id, ProposalAction::Send, None, &[]).unwrap();
    // Listing is a read: it changes nothing.
    let listed = list_proposals(&w.store, &ProposalFilter::default()).unwrap();
    assert_eq!(listed[0].status, ProposalStatus::Sent);
    assert_eq!(expire_overdue(&mut w.store).unwrap(), 1);
    assert_eq!(
        get_proposal(&w.store, p.id).unwrap().status,
        ProposalStatus::Expired
    );
    let log = crate::store::history(w.store.conn(), "proposal", p.id, 1).unwrap();
    assert_eq!(log[0].action, "expired");
    assert_eq!(log[0].source, crate::Source::System);
}

#[test]
fn a_preview_prices_the_form_without_saving() {
    let w = world();
    let d = draft(&w);
    let preview = preview_proposal(&w.store, None, &d).unwrap();
    assert!(preview.problems.is_empty());
    assert_eq!(
        preview.prices,
        [
            Some("425.00".into()),
            Some("1200.00".into()),
            Some("450.00".into())
        ]
    );
    assert_eq!(preview.totals.monthly, dec!(525.00));
    let mut bad = d.clone();
    bad.lines[0].quantity = "-1".into();
    let preview = preview_proposal(&w.store, None, &bad).unwrap();
    assert_eq!(preview.problems[0].field, "lines.0.quantity");
    assert!(
        list_proposals(&w.store, &ProposalFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_document_fills_placeholders_and_formats_money_in_rust() {
    let mut w = world();
    let mut d = draft(&w);
    d.lines[0].discount_percent = "10".into();
    let p = { create_proposal(&mut w.store, &d) }.unwrap();
    let doc = document::proposal_document(&w.store, p.id).unwrap();
    assert_eq!(doc.client.name, "Acme Plumbing");
    assert_eq!(doc.number, p.number);
    assert!(
        doc.introduction.contains("work with Acme Plumbing"),
        "{}",
        doc.introduction
    );
    assert!(
        doc.introduction.contains("Ledger & Co"),
        "{}",
        doc.introduction
    );
    assert!(!doc.terms.contains("{{"), "{}", doc.terms);
    assert_eq!(doc.scope_in[0].quantity, "250 transactions");
    assert_eq!(doc.scope_in[0].price, "$382.50");
    assert!(
        doc.scope_in[0].starts.starts_with("From December 2026"),
        "{}",
        doc.scope_in[0].starts
    );
    assert!(doc.scope_in[2].optional);
    // How a price was reached is on its line; the fees section gives each frequency's total
    // without listing the lines a second time.
    assert_eq!(doc.scope_in[0].note, "10% discount");
    let monthly = doc
        .fee_groups
        .iter()
        .find(|g| g.label == "Monthly")
        .unwrap();
    assert!(monthly.lines.is_empty());
    let one_off = doc
        .fee_groups
        .iter()
        .find(|g| g.label == "One-off")
        .unwrap();
    assert_eq!(one_off.total, "$0.00", "the optional setup isn't counted");
    assert_eq!(doc.totals[1].value, "$5,790.00"); // 382.50 × 12 + 1200
    assert_eq!(doc.currency_note, "All amounts in AUD, excluding GST.");
}

/// A service with two drivers: the line picks "poor" and "light", gets $1,200 × 1.3 + $50 =
/// $1,610 a year, keeps the drivers as a snapshot (editing the service later changes nothing),
/// prints how the price was reached, and a choice the driver lacks is refused by field. With the
/// practice rounding up to the next $10, the same line is $1,610 → $1,610 and 0.5 % off → $1,610
/// ($1,601.95 rounded up).
#[test]
fn a_lines_price_drivers_are_chosen_snapshotted_and_printed() {
    let mut w = world();
    let mut service = catalog::get_service(&w.store, w.tax_return)
        .unwrap()
        .draft();
    service.drivers = vec![
        catalog::DriverDraft {
            name: "Quality of the books".into(),
            op: catalog::DriverOp::Multiply,
            choices: [("good", "1"), ("poor", "1.3")]
                .map(|(name, value)| catalog::DriverChoiceDraft {
                    name: name.into(),
                    value: value.into(),
                })
                .to_vec(),
        },
        catalog::DriverDraft {
            name: "Clean-up".into(),
            op: catalog::DriverOp::Add,
            choices: [("none", "0"), ("light", "50")]
                .map(|(name, value)| catalog::DriverChoiceDraft {
                    name: name.into(),
                    value: value.into(),
                })
                .to_vec(),
        },
    ];
    catalog::update_service(&mut w.store, w.tax_return, &service).unwrap();

    let mut d = blank_proposal(&w.store, w.prospect).unwrap();
    d.lines = vec![LineDraft {
        driver_choices: vec!["poor".into(), "light".into()],
        ..line(w.tax_return, "1", false)
    }];
    let preview = preview_proposal(&w.store, None, &d).unwrap();
    assert_eq!(preview.prices, [Some("1610.00".to_string())]);
    assert_eq!(
        preview.steps[0]
            .iter()
            .map(|s| s.amount)
            .collect::<Vec<_>>(),
        [dec!(1200.00), dec!(1560.00), dec!(1610.00)]
    );
    let p = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(p.lines[0].price, dec!(1610.00));
    assert_eq!(
        p.lines[0]
            .drivers
            .iter()
            .map(|d| d.choice.as_str())
            .collect::<Vec<_>>(),
        ["poor", "light"]
    );
    assert_eq!(p.draft().lines[0].driver_choices, ["poor", "light"]);

    // The service changes; the line keeps what it was priced with.
    service.drivers[0].choices[1].value = "2".into();
    catalog::update_service(&mut w.store, w.tax_return, &service).unwrap();
    let again = get_proposal(&w.store, p.id).unwrap();
    assert_eq!(again.lines[0].drivers[0].value(), dec!(1.3));
    let note = document::proposal_document(&w.store, p.id)
        .unwrap()
        .scope_in[0]
        .note
        .clone();
    assert_eq!(
        note,
        "Quality of the books: poor (× 1.3) · Clean-up: light (+ $50.00)"
    );

    let mut bad = p.draft();
    bad.lines[0].driver_choices = vec!["dreadful".into()];
    match update_proposal(&mut w.store, p.id, &bad) {
        Err(Error::Invalid(problems)) => assert_eq!(
            problems.fields()[0].field,
            "lines.0.driver_choices.0",
            "{problems:?}"
        ),
        other => panic!("a choice the driver lacks was accepted: {other:?}"),
    }

    let mut practice = crate::practice::require_practice(&w.store).unwrap().draft();
    practice.price_rounding = Some(catalog::PriceRounding::Ten);
    crate::practice::update_practice(&mut w.store, practice).unwrap();
    let mut discounted = p.draft();
    discounted.lines[0].discount_percent = "0.5".into();
    let updated = update_proposal(&mut w.store, p.id, &discounted).unwrap();
    assert_eq!(updated.lines[0].price, dec!(1610.00)); // 1,601.95 up to the next 10
}

/// Fees shown per category or as totals only, and a service's own terms in the letter only
/// while the service is in scope (an optional one once the client chooses it).
#[test]
fn fee_display_and_service_terms_follow_the_scope() {
    let mut w = world();
    for (id, category, terms) in [
        (w.bookkeeping, "Bookkeeping", ""),
        (w.tax_return, "Tax", ""),
        (w.setup_fee, "Setup", "Setup takes two weeks from signing."),
    ] {
        let mut service = catalog::get_service(&w.store, id).unwrap().draft();
        service.category = category.into();
        service.terms = terms.into();
        catalog::update_service(&mut w.store, id, &service).unwrap();
    }
    let payroll = catalog::create_service(
        &mut w.store,
        &ServiceDraft {
            name: "Payroll".into(),
            category: "Bookkeeping".into(),
            terms: "Timesheets are due by the 25th.".into(),
            pricing: PricingDraft {
                price: "150".into(),
                ..PricingDraft::empty(PricingKind::Fixed)
            },
            ..ServiceDraft::blank()
        },
    )
    .unwrap()
    .id;
    let mut d = draft(&w);
    d.lines.insert(1, line(payroll, "1", false));
    d.fee_display = Some(FeeDisplay::Categories);
    let p = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(p.fee_display, FeeDisplay::Categories);

    let doc = document::proposal_document(&w.store, p.id).unwrap();
    assert!(doc.scope_in.iter().all(|item| item.price.is_empty()));
    let groups: Vec<String> = doc
        .fee_groups
        .iter()
        .flat_map(|g| {
            g.lines
                .iter()
                .map(|l| format!("{}: {} {} ({})", g.label, l.name, l.amount, l.note))
        })
        .collect();
    assert_eq!(
        groups,
        [
            "Monthly: Bookkeeping $575.00 (2 services)", // 425 + 150
            "Annually: Tax $1,200.00 (1 service)",
        ],
        "the optional setup, not chosen, has no group"
    );
    assert!(
        doc.terms
            .contains("## Payroll\nTimesheets are due by the 25th.")
    );
    assert!(
        !doc.terms.contains("Setup takes two weeks"),
        "{}",
        doc.terms
    );
    let pdf = document::render_proposal_pdf(&w.store, p.id).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.pdf"), &pdf).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(dir.path().join("p.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("2 services") && text.contains("Timesheets are due by the 25th."));
    assert!(
        !text.contains("$425.00"),
        "no line prices in a per-category letter:\n{text}"
    );

    let mut totals_only = p.draft();
    totals_only.fee_display = Some(FeeDisplay::Totals);
    update_proposal(&mut w.store, p.id, &totals_only).unwrap();
    let doc = document::proposal_document(&w.store, p.id).unwrap();
    assert!(doc.fee_groups.is_empty());
    assert_eq!(doc.totals[0].value, "$675.00"); // 575 a month + 1,200 a year / 12

    let setup_line = get_proposal(&w.store, p.id)
        .unwrap()
        .lines
        .iter()
        .find(|l| l.optional)
        .unwrap()
        .id;
    change_status(
        &mut w.store,
        p.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[setup_line],
    )
    .unwrap();
    let doc = document::proposal_document(&w.store, p.id).unwrap();
    assert!(
        doc.terms
            .contains("## Setup\nSetup takes two weeks from signing."),
        "{}",
        doc.terms
    );
}

/// "From" and "Included" prices: stored and read back, priced ($450 from; included at nothing),
/// printed as "From $450.00" and "Included", and the included service never reaches an invoice.
/// A minimum monthly fee of $800 tops a $525-a-month proposal up by a visible $275 line, worked
/// out afresh on every save (never twice), gone once the proposal reaches the minimum, and billed.
#[test]
fn price_types_and_the_minimum_monthly_fee_top_up() {
    let mut w = world();
    let fixed = |name: &str, kind: PricingKind, price: &str| ServiceDraft {
        name: name.into(),
        pricing: PricingDraft {
            price: price.into(),
            ..PricingDraft::empty(kind)
        },
        ..ServiceDraft::blank()
    };
    let advice = catalog::create_service(
        &mut w.store,
        &ServiceDraft {
            frequency: Frequency::OneOff,
            ..fixed("Advisory call", PricingKind::Minimum, "450")
        },
    )
    .unwrap();
    assert_eq!(
        advice.pricing,
        catalog::Pricing::Minimum { price: dec!(450) }
    );
    assert_eq!(advice.typical_total, Some(dec!(450.00)));
    let portal = catalog::create_service(
        &mut w.store,
        &fixed("Client portal", PricingKind::Included, ""),
    )
    .unwrap();
    assert_eq!(portal.pricing, catalog::Pricing::Included);
    assert_eq!(
        catalog::get_service(&w.store, portal.id).unwrap().pricing,
        catalog::Pricing::Included
    );

    let mut practice = crate::practice::require_practice(&w.store).unwrap().draft();
    practice.minimum_monthly_fee = "800".into();
    crate::practice::update_practice(&mut w.store, practice).unwrap();

    let mut d = draft(&w); // bookkeeping $425 a month, tax $1,200 a year, setup optional
    d.lines.push(line(advice.id, "1", false));
    d.lines.push(line(portal.id, "1", false));
    d.lines[3].start_month = "2027-01".into();
    let preview = preview_proposal(&w.store, None, &d).unwrap();
    assert_eq!(preview.prices.len(), 5);
    assert_eq!(preview.top_ups.len(), 1);
    assert_eq!(preview.top_ups[0].option, None);
    assert_eq!(preview.top_ups[0].price, "275.00"); // 800 − (425 + 1,200 / 12)
    let p = create_proposal(&mut w.store, &d).unwrap();
    let top_ups: Vec<&ProposalLine> = p.lines.iter().filter(|l| l.top_up).collect();
    assert_eq!(top_ups.len(), 1);
    assert_eq!(top_ups[0].price, dec!(275.00));
    assert_eq!(top_ups[0].name, validation::TOP_UP_NAME);
    assert_eq!(top_ups[0].frequency, Frequency::Monthly);
    assert_eq!(top_ups[0].start_month, "2026-12");
    assert_eq!(p.totals.monthly, dec!(800.00));

    // Saved again with the top-up among the lines (as an old form might send it): still one.
    let mut again = p.draft();
    assert_eq!(again.lines.len(), 5, "the form never holds the top-up");
    again.lines.push(LineDraft {
        line_id: Some(top_ups[0].id),
        service_id: None,
        ..line(w.bookkeeping, "1", false)
    });
    let saved = update_proposal(&mut w.store, p.id, &again).unwrap();
    assert_eq!(saved.lines.iter().filter(|l| l.top_up).count(), 1);

    let doc = document::proposal_document(&w.store, p.id).unwrap();
    let prices: Vec<(&str, &str)> = doc
        .scope_in
        .iter()
        .map(|i| (i.service.as_str(), i.price.as_str()))
        .collect();
    assert!(
        prices.contains(&("Advisory call", "From $450.00")),
        "{prices:?}"
    );
    assert!(
        prices.contains(&("Client portal", "Included")),
        "{prices:?}"
    );
    assert!(
        prices.contains(&(validation::TOP_UP_NAME, "$275.00")),
        "{prices:?}"
    );

    change_status(
        &mut w.store,
        p.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[],
    )
    .unwrap();
    let plan = crate::billing::billing_plan(&w.store, "2026-12").unwrap();
    let invoice = plan
        .invoices
        .iter()
        .find(|i| i.client_id == w.prospect)
        .unwrap();
    let names: Vec<&str> = invoice.lines.iter().map(|l| l.name.as_str()).collect();
    assert!(names.contains(&validation::TOP_UP_NAME), "{names:?}");
    assert!(
        !names.contains(&"Client portal"),
        "an included service is not invoiced: {names:?}"
    );

    // A draft at the minimum gets no top-up.
    let mut d = draft(&w);
    d.lines[0].quantity = "600".into(); // 100 × 2 + 400 × 1.50 + 100 × 1 = 900 a month
    let p = create_proposal(&mut w.store, &d).unwrap();
    assert!(p.lines.iter().all(|l| !l.top_up));
    again = p.draft();
    assert!(again.lines.len() == 3);
}

/// A proposal offering Essentials / Growth / Complete beside a common annual tax return: each
/// option's totals (hand-checked), the PDF side by side, acceptance needing the option, and after
/// choosing Growth only Growth (and the common line) in scope and on December's invoice; an
/// amendment starts from what was agreed.
#[test]
fn three_options_and_only_the_chosen_one_becomes_scope() {
    let mut w = world();
    let monthly = |store: &mut Store, name: &str, price: &str| {
        catalog::create_service(
            store,
            &ServiceDraft {
                name: name.into(),
                pricing: PricingDraft {
                    price: price.into(),
                    ..PricingDraft::empty(PricingKind::Fixed)
                },
                ..ServiceDraft::blank()
            },
        )
        .unwrap()
        .id
    };
    let payroll = monthly(&mut w.store, "Payroll", "150");
    let advisory = monthly(&mut w.store, "Advisory", "300");
    let in_option = |service: i64, quantity: &str, option: u8| LineDraft {
        option: Some(option),
        ..line(service, quantity, false)
    };
    let mut d = blank_proposal(&w.store, w.prospect).unwrap();
    d.options = ["Essentials", "Growth", "Complete"]
        .map(|name| ProposalOption {
            name: name.into(),
            description: format!("{name} package"),
        })
        .to_vec();
    d.lines = vec![
        line(w.tax_return, "1", false),     // $1,200 a year, common to all
        in_option(w.bookkeeping, "100", 1), // $200 a month
        in_option(w.bookkeeping, "250", 2), // $425
        in_option(payroll, "1", 2),         // $150
        in_option(w.bookkeeping, "250", 3),
        in_option(payroll, "1", 3),
        in_option(advisory, "1", 3), // $300
    ];

    // Checked first: an option with no lines, a line in an option that doesn't exist.
    let mut bad = d.clone();
    bad.lines.retain(|l| l.option != Some(1));
    bad.lines.push(in_option(payroll, "1", 4));
    match create_proposal(&mut w.store, &bad) {
        Err(Error::Invalid(problems)) => {
            let fields: Vec<&str> = problems.fields().iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, ["lines.6.option", "options.0.name"], "{problems:?}");
        }
        other => panic!("accepted: {other:?}"),
    }

    let p = create_proposal(&mut w.store, &d).unwrap();
    let monthly_of: Vec<Decimal> = p.option_totals.iter().map(|t| t.monthly).collect();
    assert_eq!(monthly_of, [dec!(300.00), dec!(675.00), dec!(975.00)]); // + 1,200 / 12 each
    assert_eq!(
        p.totals.monthly,
        dec!(100.00),
        "before a choice: the common line only"
    );
    assert!(
        p.lines
            .iter()
            .filter(|l| l.option.is_some())
            .all(|l| l.optional)
    );

    let doc = document::proposal_document(&w.store, p.id).unwrap();
    assert_eq!(doc.options.len(), 3);
    assert_eq!(
        doc.options[1].services,
        [
            "Bookkeeping · 250 transactions — $425.00 a month",
            "Payroll — $150.00 a month"
        ]
    );
    assert_eq!(doc.options[1].totals[0].value, "$675.00");
    assert!(doc.totals.is_empty(), "each option carries its own totals");
    assert_eq!(doc.scope_in.len(), 1);
    let pdf = document::render_proposal_pdf(&w.store, p.id).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.pdf"), &pdf).unwrap();
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(dir.path().join("p.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Choose your package"), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains("Essentials") && l.contains("Growth") && l.contains("Complete"))
        .unwrap_or_else(|| panic!("the options are not side by side:\n{text}"));
    assert!(
        row.find("Essentials") < row.find("Growth") && row.find("Growth") < row.find("Complete")
    );

    match change_status(
        &mut w.store,
        p.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[],
    ) {
        Err(Error::Invalid(problems)) => assert_eq!(problems.fields()[0].field, "chosen_option"),
        other => panic!("accepted without an option: {other:?}"),
    }
    let accepted = change_status_choosing(
        &mut w.store,
        p.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        Some(2),
        &[],
    )
    .unwrap();
    assert_eq!(accepted.chosen_option, Some(2));
    assert_eq!(accepted.totals.monthly, dec!(675.00));

    let scope = client_scope(&w.store, w.prospect, "2026-12").unwrap();
    let mut in_scope: Vec<(String, Decimal)> = scope
        .in_scope
        .iter()
        .map(|s| (s.line.name.clone(), s.line.price))
        .collect();
    in_scope.sort();
    assert_eq!(
        in_scope,
        [
            ("Bookkeeping".to_string(), dec!(425.00)),
            ("Payroll".to_string(), dec!(150.00)),
            ("Tax return".to_string(), dec!(1200.00)),
        ]
    );
    let plan = crate::billing::billing_plan(&w.store, "2026-12").unwrap();
    let invoice = plan
        .invoices
        .iter()
        .find(|i| i.client_id == w.prospect)
        .unwrap();
    let mut names: Vec<&str> = invoice.lines.iter().map(|l| l.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Bookkeeping", "Payroll", "Tax return"]);
    let doc = document::proposal_document(&w.store, p.id).unwrap();
    assert!(doc.options[1].chosen && !doc.options[0].chosen);

    let amendment = amend_proposal(&mut w.store, p.id, "2027-03").unwrap();
    assert!(amendment.options.is_empty());
    assert!(
        amendment
            .lines
            .iter()
            .all(|l| l.option.is_none() && !l.optional)
    );
    assert_eq!(amendment.totals.monthly, dec!(675.00));
}

/// The letter a client accepted is kept as it was: later changes to the client's name do not
/// reach it, a draft keeps nothing, and SQLite refuses to change or remove the kept file.
#[test]
fn the_accepted_pdf_is_kept_as_agreed() {
    let (mut store, id) = store_with_a_proposal();
    assert!(
        !archive::keep_now(&mut store, id).unwrap(),
        "a draft keeps nothing"
    );
    assert_eq!(archive::accepted_pdf(&store, id).unwrap(), None);

    change_status(&mut store, id, ProposalAction::Accept, Some("Sam Lee"), &[]).unwrap();
    assert!(archive::keep_now(&mut store, id).unwrap());
    assert!(!archive::keep_now(&mut store, id).unwrap(), "kept once");
    let kept = archive::accepted_pdf(&store, id).unwrap().unwrap();
    assert!(kept.pdf.starts_with(b"%PDF-"));
    assert_eq!(kept.standards, "PDF/A-2b, PDF/UA-1");
    assert_eq!(kept.sha256.len(), 64);

    let client = get_proposal(&store, id).unwrap().client_id;
    store
        .write(crate::store::Source::User, |tx| {
            tx.execute(
                "UPDATE clients SET display_name = 'Renamed Plumbing' WHERE id = ?1",
                [client],
            )?;
            tx.log("client", client, "updated", &serde_json::json!({}))
        })
        .unwrap();
    assert_eq!(document::render_proposal_pdf(&store, id).unwrap(), kept.pdf);
    assert!(
        document::proposal_document(&store, id)
            .unwrap()
            .client
            .name
            .contains("Renamed"),
        "a fresh render would show the new name; the kept file does not"
    );

    for sql in [
        "UPDATE accepted_pdfs SET pdf = CAST('%PDF-x' AS BLOB)",
        "DELETE FROM accepted_pdfs",
    ] {
        let refused = store.write(crate::store::Source::User, |tx| {
            tx.execute(sql, [])?;
            tx.log("proposal", id, "tampered", &serde_json::json!({}))
        });
        assert!(refused.is_err(), "{sql} was allowed");
    }
    assert_eq!(archive::accepted_pdf(&store, id).unwrap().unwrap(), kept);
}

#[test]
fn the_pdf_carries_client_lines_and_totals() {
    let mut w = world();
    let p = {
        let d = draft(&w);
        create_proposal(&mut w.store, &d)
    }
    .unwrap();
    let pdf = document::render_proposal_pdf(&w.store, p.id).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("proposal.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for expected in [
        "Acme Plumbing",
        "Bookkeeping",
        "Tax return",
        "Setup",
        "$425.00",
        "$1,200.00",
        "$6,300.00",
        "Payroll",
        p.number.as_str(),
    ] {
        assert!(
            text.contains(expected),
            "{expected} missing from the PDF:\n{text}"
        );
    }
}

mod price_increases {
    use super::*;
    use crate::proposals::price_increase::*;

    fn accepted_world() -> (World, Proposal) {
        let mut w = world();
        let p = {
            let d = draft(&w);
            create_proposal(&mut w.store, &d)
        }
        .unwrap();
        let p = change_status(
            &mut w.store,
            p.id,
            ProposalAction::Accept,
            Some("Sam Lee"),
            &[],
        )
        .unwrap();
        (w, p)
    }

    fn five_percent(w: &World) -> PriceIncrease {
        PriceIncrease {
            service_ids: vec![w.bookkeeping, w.tax_return],
            kind: IncreaseKind::Percent,
            value: "5".into(),
            rounding: RoundingRule::UpToWhole,
            effective_from: "2027-07".into(),
            update_catalogue: true,
            accept: true,
        }
    }

    fn counts(store: &Store) -> (i64, i64, i64) {
        let count = |sql: &str| store.conn().query_row(sql, [], |r| r.get(0)).unwrap();
        (
            count("SELECT count(*) FROM changes"),
            count("SELECT count(*) FROM proposals"),
            count("SELECT count(*) FROM proposal_lines"),
        )
    }

    #[test]
    fn the_preview_shows_before_after_and_difference_and_writes_nothing() {
        let (w, p) = accepted_world();
        let before = counts(&w.store);
        let preview = preview_price_increase(&w.store, &five_percent(&w)).unwrap();
        assert_eq!(counts(&w.store), before, "the dry run wrote something");
        assert_eq!(preview.clients.len(), 1);
        let c = &preview.clients[0];
        assert_eq!(
            (c.client_name.as_str(), c.proposal.as_str()),
            ("Acme Plumbing", p.number.as_str())
        );
        // Bookkeeping tiers 2.00→2.10, 1.50→1.58 (cents for unit prices): 210 + 150×1.58 = 447.00;
        // the tax return 1200 × 1.05 = 1260 (already whole).
        let lines: Vec<(&str, Decimal, Decimal)> = c
            .lines
            .iter()
            .map(|l| (l.service.as_str(), l.before, l.after))
            .collect();
        assert_eq!(
            lines,
            [
                ("Bookkeeping", dec!(425.00), dec!(447.00)),
                ("Tax return", dec!(1200.00), dec!(1260.00))
            ]
        );
        assert_eq!(c.annual_before, dec!(6300.00));
        assert_eq!(c.annual_after, dec!(6624.00)); // 447×12 + 1260
        assert_eq!(c.annual_difference, dec!(324.00));
        // Its catalogue was not touched either.
        assert_eq!(
            catalog::get_service(&w.store, w.tax_return)
                .unwrap()
                .typical_total,
            Some(dec!(1200.00))
        );
    }

    #[test]
    fn applying_makes_accepted_amendments_from_the_month_and_updates_the_catalogue() {
        let (mut w, p) = accepted_world();
        let increase = five_percent(&w);
        let result = apply_price_increase(&mut w.store, &increase).unwrap();
        assert_eq!(result.amendments, [format!("{} v2", p.number)]);
        assert_eq!(result.services_updated, 2);
        assert_eq!(
            get_proposal(&w.store, p.id).unwrap().status,
            ProposalStatus::Superseded
        );
        let june = client_scope(&w.store, w.prospect, "2027-06").unwrap();
        let july = client_scope(&w.store, w.prospect, "2027-07").unwrap();
        assert_eq!(june.in_scope[0].line.price, dec!(425.00));
        assert_eq!(july.in_scope[0].line.price, dec!(447.00));
        assert_eq!(
            catalog::get_service(&w.store, w.tax_return)
                .unwrap()
                .typical_total,
            Some(dec!(1260.00))
        );
        let log = crate::store::history(w.store.conn(), "service", w.tax_return, 5).unwrap();
        assert_eq!(log[0].action, "price_increase");
        assert!(
            log[0]
                .batch
                .as_deref()
                .unwrap()
                .starts_with("price-increase-")
        );
        // A second run finds nothing accepted at the old prices.
        let again = preview_price_increase(&w.store, &increase).unwrap();
        assert_eq!(again.clients[0].annual_before, dec!(6624.00));
    }

    #[test]
    fn drafts_to_send_when_not_accepting_and_bad_input_refused() {
        let (mut w, p) = accepted_world();
        let mut increase = five_percent(&w);
        increase.accept = false;
        increase.update_catalogue = false;
        apply_price_increase(&mut w.store, &increase).unwrap();
        assert_eq!(
            get_proposal(&w.store, p.id).unwrap().status,
            ProposalStatus::Accepted
        );
        let amendment = find_by_number(&w.store, &p.number).unwrap();
        assert_eq!(
            (amendment.version, amendment.status),
            (2, ProposalStatus::Draft)
        );
        // The open amendment keeps a second increase away from that proposal.
        assert_eq!(
            preview_price_increase(&w.store, &increase)
                .unwrap()
                .skipped
                .len(),
            1
        );

        let mut bad = five_percent(&w);
        bad.value = "-5".into();
        bad.effective_from = "July".into();
        bad.service_ids.clear();
        let fields: Vec<String> = preview_price_increase(&w.store, &bad)
            .unwrap_err()
            .report()
            .fields
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["service_ids", "value", "effective_from"]);
    }
}

#[test]
fn the_firms_template_starts_every_new_proposal() {
    let mut w = world();
    let mut t = proposal_templates(&w.store).unwrap();
    assert!(t.terms.contains("{{monthly_fee}}"));
    t.terms = "## Terms\nFees of {{monthly_fee}} a month for {{client}}.".into();
    t.introduction = "Hello {{client_contact}}.".into();
    t.validity_days = "14".into();
    save_proposal_templates(&mut w.store, &t).unwrap();
    let blank = blank_proposal(&w.store, w.prospect).unwrap();
    assert_eq!(blank.terms, t.terms);
    assert_eq!(blank.introduction, "Hello {{client_contact}}.");
    let in_14_days = (chrono::Local::now().date_naive() + chrono::Duration::days(14))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(blank.valid_until, in_14_days);

    let mut bad = t.clone();
    bad.terms = "Dear {{cleint}}".into();
    bad.validity_days = "0".into();
    let report = save_proposal_templates(&mut w.store, &bad)
        .unwrap_err()
        .report();
    let fields: Vec<&str> = report.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["terms", "validity_days"]);
    assert!(
        report.fields[0].message.contains("{{cleint}}"),
        "{}",
        report.fields[0].message
    );
}

#[test]
fn proposal_numbers_start_with_the_firms_prefix() {
    let mut w = world();
    let d = draft(&w);
    let first = create_proposal(&mut w.store, &d).unwrap();
    assert!(first.number.starts_with("P-"), "{}", first.number);

    let mut t = proposal_templates(&w.store).unwrap();
    assert_eq!(t.number_prefix, "P");
    t.number_prefix = " LOE ".into();
    save_proposal_templates(&mut w.store, &t).unwrap();
    assert_eq!(proposal_templates(&w.store).unwrap().number_prefix, "LOE");
    let year = chrono::Local::now().year();
    let loe = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(loe.number, format!("LOE-{year}-0001"));
    let next = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(next.number, format!("LOE-{year}-0002"));
    assert_eq!(find_by_number(&w.store, &next.number).unwrap().id, next.id);

    for bad in ["", "P/Q", "ELEVENCHARS"] {
        t.number_prefix = bad.into();
        let report = save_proposal_templates(&mut w.store, &t)
            .unwrap_err()
            .report();
        assert_eq!(report.fields[0].field, "number_prefix", "{bad:?}");
    }
}

#[test]
fn an_import_whose_prospect_has_a_proposal_is_not_undone_and_says_why() {
    let mut w = world();
    let imported =
        clients::import::import_clients(&mut w.store, "name\nBondi Bakery\nHarbourside Cafe\n")
            .unwrap();
    let bondi = clients::list_clients(
        &w.store,
        &clients::ClientFilter {
            search: Some("bondi".into()),
            status: None,
        },
    )
    .unwrap()
    .remove(0);
    let mut d = draft(&w);
    d.client_id = bondi.id;
    create_proposal(&mut w.store, &d).unwrap();

    let err = clients::import::undo_import(&mut w.store, &imported.batch).unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::InUse);
    let message = err.to_string();
    assert!(message.contains("Bondi Bakery"), "{message}");
    assert!(message.contains("a proposal"), "{message}");
    assert!(!message.contains("FOREIGN KEY"), "{message}");
    // Nothing was removed: both imported clients are still there.
    assert!(clients::get_client(&w.store, bondi.id).is_ok());
    assert_eq!(
        clients::list_clients(&w.store, &clients::ClientFilter::default())
            .unwrap()
            .len(),
        3
    );
}

/// A practice, a client and one draft proposal, for tests elsewhere in the crate.
pub(crate) fn store_with_a_proposal() -> (Store, i64) {
    let mut w = world();
    let d = draft(&w);
    let id = create_proposal(&mut w.store, &d).unwrap().id;
    (w.store, id)
}

/// The list's summaries (two queries) say what the full proposals say: same order, same
/// filters and search, the same totals (optional lines as chosen, options as taken).
#[test]
fn summaries_match_the_full_proposals() {
    let mut w = world();
    let d = draft(&w);
    let first = create_proposal(&mut w.store, &d).unwrap();
    let setup = first.lines.iter().find(|l| l.optional).unwrap().id;
    change_status(
        &mut w.store,
        first.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[setup],
    )
    .unwrap();
    let mut second = draft(&w);
    second.title = "Payroll review".into();
    second.lines[0].quantity = "600".into();
    create_proposal(&mut w.store, &second).unwrap();
    for filter in [
        ProposalFilter::default(),
        ProposalFilter {
            search: Some("payroll ACME".into()),
            ..ProposalFilter::default()
        },
        ProposalFilter {
            status: Some(ProposalStatus::Accepted),
            ..ProposalFilter::default()
        },
    ] {
        let full = list_proposals(&w.store, &filter).unwrap();
        let summaries = list_proposal_summaries(&w.store, &filter).unwrap();
        assert_eq!(
            summaries
                .iter()
                .map(|s| (s.id, s.totals.clone()))
                .collect::<Vec<_>>(),
            full.iter()
                .map(|p| (p.id, p.totals.clone()))
                .collect::<Vec<_>>(),
            "{filter:?}"
        );
    }
    let accepted = list_proposal_summaries(&w.store, &ProposalFilter::default()).unwrap();
    assert!(
        accepted.iter().any(|s| s.totals.one_off == dec!(450.00)),
        "the chosen setup counts"
    );
    // The screen's first read: the newest only, but the count and the pipeline of them all.
    let all = proposal_list(&w.store, &ProposalFilter::default(), None).unwrap();
    let head = proposal_list(&w.store, &ProposalFilter::default(), Some(1)).unwrap();
    assert_eq!((all.total, all.proposals.len()), (2, 2));
    assert_eq!((head.total, head.proposals.len()), (2, 1));
    assert_eq!(head.proposals[0], all.proposals[0]);
    assert_eq!(head.stages, all.stages);
}

/// A proposal's structure saved as a template and started from for another client: options,
/// lines and their choices carried over, from next month, with the firm's validity; an archived
/// service left out and said, an option left empty closed up; saving under the same name
/// replaces the template.
#[test]
fn a_proposals_structure_is_a_template_for_the_next() {
    let mut w = world();
    let mut d = draft(&w);
    d.options = ["Lite", "Full"]
        .map(|name| ProposalOption {
            name: name.into(),
            description: String::new(),
        })
        .to_vec();
    d.lines[0].option = Some(1); // bookkeeping in Lite
    d.lines[1].option = Some(2); // tax return in Full
    d.lines[0].discount_percent = "5".into();
    d.introduction = "Dear {{client}}, here are two ways we can help.".into();
    let p = create_proposal(&mut w.store, &d).unwrap();
    let saved = save_structure(&mut w.store, p.id, "  Two ways  ").unwrap();
    assert_eq!(saved.name, "Two ways");
    assert_eq!(saved.summary, "3 services in 2 options");
    assert_eq!(
        save_structure(&mut w.store, p.id, "two WAYS").unwrap().id,
        saved.id
    );
    assert_eq!(list_structures(&w.store).unwrap().len(), 1);
    assert!(save_structure(&mut w.store, p.id, " ").is_err());

    let other = clients::named_for_test(&mut w.store, "Bondi Bakery");
    let started = start_from_structure(&w.store, saved.id, other).unwrap();
    assert!(started.notes.is_empty(), "{:?}", started.notes);
    assert_eq!(started.draft.client_id, other);
    assert_eq!(started.draft.options.len(), 2);
    assert_eq!(started.draft.lines[0].discount_percent, "5");
    assert_eq!(started.draft.introduction, d.introduction);
    assert!(
        started
            .draft
            .lines
            .iter()
            .all(|l| l.line_id.is_none() && l.start_month.len() == 7)
    );
    let fresh = create_proposal(&mut w.store, &started.draft).unwrap();
    assert_eq!(fresh.option_totals.len(), 2);

    // The tax return (Full's only service) is archived: Full closes up, and one option is no
    // choice, so Lite's bookkeeping becomes a common line.
    catalog::archive_service(&mut w.store, w.tax_return).unwrap();
    let started = start_from_structure(&w.store, saved.id, other).unwrap();
    assert_eq!(started.draft.lines.len(), 2);
    assert!(started.draft.options.is_empty());
    assert!(started.draft.lines.iter().all(|l| l.option.is_none()));
    assert_eq!(
        started.notes,
        [
            "Tax return is archived, so it was left out.",
            "The option Full has none of its services left, so it was left out."
        ]
    );
    create_proposal(&mut w.store, &started.draft).unwrap();

    delete_structure(&mut w.store, saved.id).unwrap();
    assert!(list_structures(&w.store).unwrap().is_empty());
}

/// A new line's price drivers start where the client's latest proposal had a driver of the same
/// name; another client, or a choice the service lacks, starts at the default.
#[test]
fn a_clients_driver_choices_carry_over_to_new_lines() {
    let mut w = world();
    let books = |store: &mut Store, id: i64, choices: &[(&str, &str)]| {
        let mut service = catalog::get_service(store, id).unwrap().draft();
        service.drivers = vec![catalog::DriverDraft {
            name: "Quality of the books".into(),
            op: catalog::DriverOp::Multiply,
            choices: choices
                .iter()
                .map(|(name, value)| catalog::DriverChoiceDraft {
                    name: (*name).into(),
                    value: (*value).into(),
                })
                .collect(),
        }];
        catalog::update_service(store, id, &service).unwrap();
    };
    books(
        &mut w.store,
        w.bookkeeping,
        &[("good", "1"), ("poor", "1.3")],
    );
    books(
        &mut w.store,
        w.tax_return,
        &[("good", "1"), ("poor", "1.2")],
    );
    books(
        &mut w.store,
        w.setup_fee,
        &[("good", "1"), ("messy", "1.5")],
    );
    let mut d = blank_proposal(&w.store, w.prospect).unwrap();
    d.lines = vec![LineDraft {
        driver_choices: vec!["poor".into()],
        ..line(w.bookkeeping, "250", false)
    }];
    create_proposal(&mut w.store, &d).unwrap();

    let next = line_for_client(&w.store, w.tax_return, w.prospect).unwrap();
    assert_eq!(next.driver_choices, ["poor"]);
    let lacking = line_for_client(&w.store, w.setup_fee, w.prospect).unwrap();
    assert_eq!(
        lacking.driver_choices,
        [""],
        "\"poor\" isn't one of its choices"
    );
    let stranger = clients::named_for_test(&mut w.store, "Bondi Bakery");
    assert_eq!(
        line_for_client(&w.store, w.tax_return, stranger)
            .unwrap()
            .driver_choices,
        [""]
    );
}

/// Billing after two free months: on acceptance every line moves to the month two months after
/// this one; the letter says so; the month before has no invoice for the client and that month
/// has one. Free months must be 1 to 24.
#[test]
fn billing_starts_after_free_months_from_acceptance() {
    let mut w = world();
    let mut d = draft(&w);
    d.billing_start = Some(BillingStart::FreeMonths);
    d.free_months = 0;
    match create_proposal(&mut w.store, &d) {
        Err(Error::Invalid(problems)) => assert_eq!(problems.fields()[0].field, "free_months"),
        other => panic!("no free months accepted: {other:?}"),
    }
    d.free_months = 2;
    let p = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(
        (p.billing_start, p.free_months),
        (BillingStart::FreeMonths, 2)
    );
    let note = document::proposal_document(&w.store, p.id)
        .unwrap()
        .currency_note;
    assert!(note.contains("Your first 2 months are free"), "{note}");

    let this_month = chrono::Local::now().date_naive().with_day(1).unwrap();
    let month = |n: u32| {
        this_month
            .checked_add_months(chrono::Months::new(n))
            .unwrap()
            .format("%Y-%m")
            .to_string()
    };
    let accepted = change_status(
        &mut w.store,
        p.id,
        ProposalAction::Accept,
        Some("Sam Lee"),
        &[],
    )
    .unwrap();
    assert!(
        accepted.lines.iter().all(|l| l.start_month >= month(2)),
        "{:?}",
        accepted
            .lines
            .iter()
            .map(|l| &l.start_month)
            .collect::<Vec<_>>()
    );
    let invoice_for = |m: &str| {
        crate::billing::billing_plan(&w.store, m)
            .unwrap()
            .invoices
            .iter()
            .any(|i| i.client_id == w.prospect)
    };
    assert!(!invoice_for(&month(1)), "a free month");
    assert!(invoice_for(&month(2)), "billing starts");
    // An amendment starts from the months as they now are.
    let amendment = amend_proposal(&mut w.store, p.id, &month(3)).unwrap();
    assert_eq!(amendment.billing_start, BillingStart::FromMonth);
}

/// The practice's bands: annual revenue (Under $250k / $250k–$1m / Over $1m) and a second set
/// (entities). A service priced by band; the client's band carried into a new proposal, where it
/// can be changed; drivers and rounding on top of the band's price; acceptance puts the bands
/// on the client. Hand-checked: $250k–$1m is 450.00, × 1.3 (poor books) = 585.00; Over $1m is
/// 700.00 × 1.3 = 910.00; with rounding to the next 10, 585.00 → 590.00.
#[test]
fn revenue_bands_price_a_service_per_band() {
    use crate::catalog::bands::{BandDraft, BandSetsDraft};
    let mut w = world();
    let band = |set: u8, name: &str| BandDraft {
        id: None,
        set,
        name: name.into(),
    };
    let sets = catalog::save_band_sets(
        &mut w.store,
        &BandSetsDraft {
            set_1_name: "Annual revenue".into(),
            set_2_name: "Entities".into(),
            bands: vec![
                band(1, "Under $250k"),
                band(1, "$250k–$1m"),
                band(1, "Over $1m"),
                band(2, "One"),
                band(2, "Two or more"),
            ],
        },
    )
    .unwrap();
    let id_of = |name: &str| sets.bands.iter().find(|b| b.name == name).unwrap().id;
    let (mid, top, two) = (id_of("$250k–$1m"), id_of("Over $1m"), id_of("Two or more"));

    // Priced per band: every band of its set needs a price.
    let prices = |values: &[&str]| {
        sets.of(1)
            .zip(values)
            .map(|(b, v)| catalog::pricing::BandPriceDraft {
                band_id: b.id,
                band: b.name.clone(),
                price: (*v).into(),
            })
            .collect::<Vec<_>>()
    };
    let mut service = ServiceDraft {
        name: "Management accounts".into(),
        pricing: PricingDraft {
            band_set: 1,
            band_prices: prices(&["300", "450"]),
            ..PricingDraft::empty(PricingKind::Banded)
        },
        frequency: Frequency::Monthly,
        drivers: vec![catalog::DriverDraft {
            name: "Quality of the books".into(),
            op: catalog::DriverOp::Multiply,
            choices: vec![
                catalog::DriverChoiceDraft {
                    name: "good".into(),
                    value: "1".into(),
                },
                catalog::DriverChoiceDraft {
                    name: "poor".into(),
                    value: "1.3".into(),
                },
            ],
        }],
        ..ServiceDraft::blank()
    };
    match catalog::create_service(&mut w.store, &service) {
        Err(Error::Invalid(problems)) => assert!(
            problems.fields()[0].message.contains("Over $1m"),
            "{problems:?}"
        ),
        other => panic!("a band without a price was accepted: {other:?}"),
    }
    service.pricing.band_prices = prices(&["300", "450", "700"]);
    let accounts = catalog::create_service(&mut w.store, &service).unwrap();
    assert_eq!(accounts.draft().pricing.band_prices.len(), 3);

    // The client is in the middle band; a new proposal starts there.
    catalog::set_client_bands(&mut w.store, w.prospect, [Some(mid), None]).unwrap();
    let mut d = blank_proposal(&w.store, w.prospect).unwrap();
    assert_eq!((d.band_1_id, d.band_2_id), (Some(mid), None));
    d.lines = vec![LineDraft {
        driver_choices: vec!["poor".into()],
        ..line(accounts.id, "1", false)
    }];
    let p = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(p.lines[0].price, dec!(585.00));
    assert_eq!(p.totals.monthly, dec!(585.00));

    // Picked on the proposal: the top band reprices the line.
    d.band_1_id = Some(top);
    d.band_2_id = Some(two);
    let p = update_proposal(&mut w.store, p.id, &d).unwrap();
    assert_eq!(p.lines[0].price, dec!(910.00));
    let page = document::proposal_document(&w.store, p.id).unwrap();
    let text = format!("{page:?}");
    assert!(text.contains("Over $1m"), "the letter names the band");

    // Without a band the line can't be priced, and the form says where to pick one.
    d.band_1_id = None;
    match preview_proposal(&w.store, Some(p.id), &d) {
        Ok(preview) => assert_eq!(preview.problems[0].field, "band_1_id"),
        Err(e) => panic!("{e:?}"),
    }
    // A band of the wrong set is refused.
    d.band_1_id = Some(two);
    match update_proposal(&mut w.store, p.id, &d) {
        Err(Error::Invalid(problems)) => assert_eq!(problems.fields()[0].field, "band_1_id"),
        other => panic!("a set-2 band priced set 1: {other:?}"),
    }

    // Rounding to the next 10 happens once, after the driver.
    let mut practice = crate::practice::get_practice(&w.store)
        .unwrap()
        .unwrap()
        .draft();
    practice.price_rounding = Some(catalog::PriceRounding::Ten);
    crate::practice::update_practice(&mut w.store, practice).unwrap();
    d.band_1_id = Some(mid);
    let p = update_proposal(&mut w.store, p.id, &d).unwrap();
    assert_eq!(p.lines[0].price, dec!(590.00));

    // Accepting puts the proposal's bands on the client.
    change_status(&mut w.store, p.id, ProposalAction::Accept, Some("Sam"), &[]).unwrap();
    let client = clients::get_client(&w.store, w.prospect).unwrap();
    assert_eq!((client.band_1_id, client.band_2_id), (Some(mid), Some(two)));

    // A band removed in Settings is archived: it drops out of the sets and off new forms.
    let kept: Vec<BandDraft> = sets
        .bands
        .iter()
        .filter(|b| b.id != top)
        .map(|b| BandDraft {
            id: Some(b.id),
            set: b.set,
            name: b.name.clone(),
        })
        .collect();
    let after = catalog::save_band_sets(
        &mut w.store,
        &BandSetsDraft {
            set_1_name: "Annual revenue".into(),
            set_2_name: "Entities".into(),
            bands: kept,
        },
    )
    .unwrap();
    assert_eq!(after.of(1).count(), 2);
    assert_eq!(
        catalog::get_service(&w.store, accounts.id)
            .unwrap()
            .draft()
            .pricing
            .band_prices
            .len(),
        2
    );
}

/// A price range ($400–$600 a quarter, poor books × 1.3 → $520–$780): the letter shows the range
/// and "From" totals; once accepted, the month's invoice is blocked until the price is
/// confirmed; a price outside the range is refused; once confirmed, it is billed at it.
#[test]
fn price_ranges_are_billed_once_confirmed() {
    let mut w = world();
    let advisory = catalog::create_service(
        &mut w.store,
        &ServiceDraft {
            name: "Advisory".into(),
            pricing: PricingDraft {
                price: "400".into(),
                price_high: "600".into(),
                ..PricingDraft::empty(PricingKind::Range)
            },
            frequency: Frequency::Monthly,
            drivers: vec![catalog::DriverDraft {
                name: "Quality of the books".into(),
                op: catalog::DriverOp::Multiply,
                choices: vec![catalog::DriverChoiceDraft {
                    name: "poor".into(),
                    value: "1.3".into(),
                }],
            }],
            ..ServiceDraft::blank()
        },
    )
    .unwrap();
    // The top must be above the bottom.
    let mut flat = advisory.draft();
    flat.pricing.price_high = "400".into();
    match catalog::update_service(&mut w.store, advisory.id, &flat) {
        Err(Error::Invalid(problems)) => assert_eq!(problems.fields()[0].field, "price_high"),
        other => panic!("{other:?}"),
    }

    let month = chrono::Local::now()
        .date_naive()
        .with_day(1)
        .unwrap()
        .format("%Y-%m")
        .to_string();
    let mut d = blank_proposal(&w.store, w.prospect).unwrap();
    d.lines = vec![
        LineDraft {
            start_month: month.clone(),
            ..line(advisory.id, "1", false)
        },
        LineDraft {
            start_month: month.clone(),
            ..line(w.tax_return, "1", false)
        },
    ];
    let p = create_proposal(&mut w.store, &d).unwrap();
    let range = &p.lines[0];
    assert_eq!(
        (range.price, range.price_high),
        (dec!(520.00), Some(dec!(780.00)))
    );
    assert!(p.totals.estimated);
    // 520 a month + 1,200 a year = 7,440 a year, 620 a month, counted at the lower end.
    assert_eq!(
        (p.totals.annual, p.totals.monthly),
        (dec!(7440.00), dec!(620.00))
    );
    // Per billing frequency: the monthly total holds the range, the annual one doesn't.
    let estimated: Vec<(Option<Frequency>, bool)> = p
        .totals
        .by_frequency
        .iter()
        .map(|f| (f.frequency, f.estimated))
        .collect();
    assert_eq!(
        estimated,
        [
            (Some(Frequency::Monthly), true),
            (Some(Frequency::Annually), false)
        ]
    );
    let page = format!("{:?}", document::proposal_document(&w.store, p.id).unwrap());
    assert!(page.contains("$520.00 – $780.00 (estimate)"), "{page}");
    assert!(page.contains("From $620.00"), "{page}");

    // Confirming waits for acceptance.
    assert!(confirm_line_price(&mut w.store, range.id, "600").is_err());
    let p = change_status(&mut w.store, p.id, ProposalAction::Accept, Some("Sam"), &[]).unwrap();
    let range_id = p.lines[0].id;
    let invoice = |store: &Store| {
        crate::billing::billing_plan(store, &month)
            .unwrap()
            .invoices
            .into_iter()
            .find(|i| i.client_id == w.prospect)
            .unwrap()
    };
    let waiting = invoice(&w.store);
    assert!(waiting.blocked);
    assert!(
        waiting
            .warnings
            .iter()
            .any(|w| w.contains("Confirm the price of \u{201c}Advisory\u{201d}")),
        "{:?}",
        waiting.warnings
    );

    for outside in ["500", "780.01", "lots"] {
        match confirm_line_price(&mut w.store, range_id, outside) {
            Err(Error::Invalid(problems)) => assert_eq!(problems.fields()[0].field, "price"),
            other => panic!("{outside} was confirmed: {other:?}"),
        }
    }
    let fixed_line = p.lines[1].id;
    assert!(confirm_line_price(&mut w.store, fixed_line, "1200").is_err());

    let p = confirm_line_price(&mut w.store, range_id, "650").unwrap();
    assert_eq!(p.lines[0].confirmed_price, Some(dec!(650)));
    assert!(!p.totals.estimated);
    let confirmed = invoice(&w.store);
    assert!(
        !confirmed
            .warnings
            .iter()
            .any(|w| w.contains("Confirm the price")),
        "{:?}",
        confirmed.warnings
    );
    let advisory_line = confirmed
        .lines
        .iter()
        .find(|l| l.name == "Advisory")
        .unwrap();
    assert_eq!(advisory_line.money.line_amount, dec!(650.00));
}

/// With options, the minimum monthly fee is weighed per option: Lite (the common $100 a month
/// of tax return + $425 bookkeeping = $525) gets a $275 top-up of its own; Full ($100 + $950)
/// gets none; the top-up becomes scope only when Lite is chosen.
#[test]
fn each_option_under_the_minimum_fee_gets_its_own_top_up() {
    let mut w = world();
    let mut practice = crate::practice::require_practice(&w.store).unwrap().draft();
    practice.minimum_monthly_fee = "800".into();
    crate::practice::update_practice(&mut w.store, practice).unwrap();
    let mut d = blank_proposal(&w.store, w.prospect).unwrap();
    d.options = vec![
        ProposalOption {
            name: "Lite".into(),
            description: String::new(),
        },
        ProposalOption {
            name: "Full".into(),
            description: String::new(),
        },
    ];
    d.lines = vec![
        line(w.tax_return, "1", false),
        LineDraft {
            option: Some(1),
            ..line(w.bookkeeping, "250", false)
        },
        LineDraft {
            option: Some(2),
            ..line(w.bookkeeping, "600", false)
        },
    ];
    let preview = preview_proposal(&w.store, None, &d).unwrap();
    assert_eq!(preview.top_ups.len(), 1);
    assert_eq!(
        (preview.top_ups[0].option, preview.top_ups[0].price.as_str()),
        (Some(1), "275.00")
    );
    let p = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(p.option_totals[0].monthly, dec!(800.00));
    assert_eq!(p.option_totals[1].monthly, dec!(1050.00));
    // Not scope until Lite is chosen: the common line alone counts.
    assert_eq!(p.totals.monthly, dec!(100.00));
    let sent = change_status(&mut w.store, p.id, ProposalAction::Send, None, &[]).unwrap();
    let accepted = change_status_choosing(
        &mut w.store,
        sent.id,
        ProposalAction::Accept,
        Some("Sam"),
        Some(1),
        &[],
    )
    .unwrap();
    assert_eq!(accepted.totals.monthly, dec!(800.00));
    let top_up = accepted.lines.iter().find(|l| l.top_up).unwrap();
    assert!(top_up.chosen && top_up.option == Some(1));
}

/// A proposal copied for another client, or started from a template for one, is priced at that
/// client's band, not the band of the proposal it came from.
#[test]
fn a_copy_for_another_client_is_priced_at_that_clients_band() {
    use crate::catalog::bands::{BandDraft, BandSetsDraft};
    let mut w = world();
    let sets = catalog::save_band_sets(
        &mut w.store,
        &BandSetsDraft {
            set_1_name: "Annual revenue".into(),
            set_2_name: String::new(),
            bands: ["Small", "Large"]
                .iter()
                .map(|name| BandDraft {
                    id: None,
                    set: 1,
                    name: (*name).into(),
                })
                .collect(),
        },
    )
    .unwrap();
    let (small, large) = (sets.bands[0].id, sets.bands[1].id);
    let accounts = catalog::create_service(
        &mut w.store,
        &ServiceDraft {
            name: "Management accounts".into(),
            pricing: PricingDraft {
                band_set: 1,
                band_prices: sets
                    .bands
                    .iter()
                    .zip(["300", "700"])
                    .map(|(b, price)| catalog::pricing::BandPriceDraft {
                        band_id: b.id,
                        band: b.name.clone(),
                        price: price.into(),
                    })
                    .collect(),
                ..PricingDraft::empty(PricingKind::Banded)
            },
            frequency: Frequency::Monthly,
            ..ServiceDraft::blank()
        },
    )
    .unwrap();
    catalog::set_client_bands(&mut w.store, w.prospect, [Some(small), None]).unwrap();
    let big = clients::named_for_test(&mut w.store, "Bondi Bakery");
    catalog::set_client_bands(&mut w.store, big, [Some(large), None]).unwrap();
    let mut d = blank_proposal(&w.store, w.prospect).unwrap();
    d.lines = vec![line(accounts.id, "1", false)];
    let p = create_proposal(&mut w.store, &d).unwrap();
    assert_eq!(p.lines[0].price, dec!(300.00));

    let copy = duplicate_proposal(&mut w.store, p.id, Some(big)).unwrap();
    assert_eq!(
        (copy.band_1_id, copy.lines[0].price),
        (Some(large), dec!(700.00))
    );
    let saved = save_structure(&mut w.store, p.id, "Accounts").unwrap();
    let started = start_from_structure(&w.store, saved.id, big).unwrap();
    assert_eq!(started.draft.band_1_id, Some(large));
}
