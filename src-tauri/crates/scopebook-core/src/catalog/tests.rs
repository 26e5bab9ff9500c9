//! The catalogue against a real (in-memory) SQLite store.

use super::*;
use crate::practice::{PracticeSetup, setup_practice};

fn store() -> Store {
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
    store
}

fn bookkeeping() -> ServiceDraft {
    ServiceDraft {
        name: "Bookkeeping".into(),
        description: "Reconciling bank feeds".into(),
        category: "Bookkeeping".into(),
        pricing: PricingDraft {
            unit_name: "transactions".into(),
            default_quantity: "250".into(),
            tiers: vec![
                TierDraft {
                    up_to: "100".into(),
                    unit_price: "2".into(),
                },
                TierDraft {
                    up_to: "500".into(),
                    unit_price: "1.50".into(),
                },
                TierDraft {
                    up_to: String::new(),
                    unit_price: "1".into(),
                },
            ],
            ..PricingDraft::empty(PricingKind::PerUnit)
        },
        drivers: Vec::new(),
        terms: String::new(),
        frequency: Frequency::Monthly,
        account_code: "200".into(),
        tax_type: "output".into(),
        estimated_minutes: "240".into(),
    }
}

fn fixed(name: &str, category: &str, price: &str) -> ServiceDraft {
    ServiceDraft {
        name: name.into(),
        category: category.into(),
        pricing: PricingDraft {
            price: price.into(),
            ..PricingDraft::empty(PricingKind::Fixed)
        },
        ..ServiceDraft::blank()
    }
}

fn change_count(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_tiered_service_round_trips_through_the_database() {
    let mut store = store();
    let created = create_service(&mut store, &bookkeeping()).unwrap();
    assert_eq!(created.tax_type, "OUTPUT");
    assert_eq!(created.estimated_minutes, 240);
    let Pricing::PerUnit {
        tiers,
        default_quantity,
        ..
    } = &created.pricing
    else {
        panic!("expected per-unit pricing, got {:?}", created.pricing)
    };
    assert_eq!(tiers.len(), 3);
    assert_eq!(tiers[2].up_to, None);
    assert_eq!(default_quantity.to_string(), "250");
    let loaded = get_service(&store, created.id).unwrap();
    assert_eq!(loaded, created);
    let q = quote(
        &loaded.pricing,
        loaded.pricing.default_quantity(),
        Currency::find("AUD").unwrap(),
    )
    .unwrap();
    assert_eq!(q.total.to_string(), "425.00");
    let history = crate::store::history(store.conn(), "service", created.id, 5).unwrap();
    assert_eq!(history[0].action, "create");
    assert_eq!(history[0].source, crate::Source::User);
}

#[test]
fn an_invalid_service_writes_nothing() {
    let mut store = store();
    let before = change_count(&store);
    let err = create_service(&mut store, &fixed("Payroll", "", "twelve")).unwrap_err();
    assert_eq!(err.code(), crate::ErrorCode::Invalid);
    assert_eq!(err.report().fields[0].field, "price");
    assert!(
        list_services(&store, &ServiceFilter::default())
            .unwrap()
            .is_empty()
    );
    assert_eq!(change_count(&store), before);
}

#[test]
fn active_names_are_unique_regardless_of_case() {
    let mut store = store();
    create_service(&mut store, &fixed("Payroll", "", "100")).unwrap();
    let err = create_service(&mut store, &fixed("PAYROLL", "", "90")).unwrap_err();
    assert_eq!(err.report().fields[0].field, "name");
    assert!(err.to_string().contains("already a service called"));
}

#[test]
fn edit_changes_pricing_kind_and_drops_old_tiers() {
    let mut store = store();
    let created = create_service(&mut store, &bookkeeping()).unwrap();
    let mut draft = created.draft();
    draft.pricing = PricingDraft {
        price: "95".into(),
        estimated_hours: "1.5".into(),
        ..PricingDraft::empty(PricingKind::Hourly)
    };
    let updated = update_service(&mut store, created.id, &draft).unwrap();
    assert!(matches!(updated.pricing, Pricing::Hourly { .. }));
    let tiers: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM service_tiers WHERE service_id = ?1",
            [created.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tiers, 0);
    let history = crate::store::history(store.conn(), "service", created.id, 5).unwrap();
    assert_eq!(history[0].action, "update");
    assert_eq!(history[0].detail["before"]["pricing"]["kind"], "per_unit");
}

#[test]
fn duplicate_archive_and_restore() {
    let mut store = store();
    let original = create_service(&mut store, &fixed("Tax return", "Tax", "450")).unwrap();
    let copy = duplicate_service(&mut store, original.id).unwrap();
    assert_eq!(copy.name, "Tax return (copy)");
    assert_eq!(copy.pricing, original.pricing);
    let copy2 = duplicate_service(&mut store, original.id).unwrap();
    assert_eq!(copy2.name, "Tax return (copy 2)");

    archive_service(&mut store, original.id).unwrap();
    let active = list_services(&store, &ServiceFilter::default()).unwrap();
    assert_eq!(active.len(), 2);
    let archived = list_services(
        &store,
        &ServiceFilter {
            archived: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        archived.iter().map(|s| s.id).collect::<Vec<_>>(),
        [original.id]
    );

    // While archived, its name is free; restoring then refuses the clash.
    let clash = create_service(&mut store, &fixed("Tax return", "Tax", "500")).unwrap();
    assert_eq!(
        restore_service(&mut store, original.id).unwrap_err().code(),
        crate::ErrorCode::Invalid
    );
    archive_service(&mut store, clash.id).unwrap();
    assert!(!restore_service(&mut store, original.id).unwrap().archived);
}

#[test]
fn list_searches_words_and_filters_by_category() {
    let mut store = store();
    create_service(&mut store, &bookkeeping()).unwrap();
    create_service(&mut store, &fixed("Annual tax return", "Tax", "450")).unwrap();
    create_service(&mut store, &fixed("BAS lodgement", "Tax", "180")).unwrap();
    let names = |filter: ServiceFilter| -> Vec<String> {
        list_services(&store, &filter)
            .unwrap()
            .into_iter()
            .map(|s| s.name)
            .collect()
    };
    assert_eq!(
        names(ServiceFilter::default()),
        ["Bookkeeping", "Annual tax return", "BAS lodgement"]
    );
    assert_eq!(
        names(ServiceFilter {
            category: Some("Tax".into()),
            ..Default::default()
        }),
        ["Annual tax return", "BAS lodgement"]
    );
    assert_eq!(
        names(ServiceFilter {
            search: Some("TAX annual".into()),
            ..Default::default()
        }),
        ["Annual tax return"]
    );
    assert_eq!(
        names(ServiceFilter {
            search: Some("transactions".into()),
            ..Default::default()
        }),
        ["Bookkeeping"]
    );
    assert!(
        names(ServiceFilter {
            search: Some("payroll".into()),
            ..Default::default()
        })
        .is_empty()
    );
    assert_eq!(service_categories(&store).unwrap(), ["Bookkeeping", "Tax"]);
}

#[test]
fn preview_prices_an_example_without_writing() {
    let store = store();
    let preview = preview_price(&store, &bookkeeping(), Some("600")).unwrap();
    assert!(preview.problems.is_empty());
    let quote = preview.quote.unwrap();
    assert_eq!(quote.total.to_string(), "900.00");
    assert_eq!(quote.bands.len(), 3);
    let mut bad = bookkeeping();
    bad.pricing.tiers[1].unit_price = "-1".into();
    let preview = preview_price(&store, &bad, None).unwrap();
    assert!(preview.quote.is_none());
    assert_eq!(preview.problems[0].field, "tiers.1.unit_price");
    let preview = preview_price(&store, &bookkeeping(), Some("0")).unwrap();
    assert_eq!(preview.problems[0].field, "example_quantity");
    assert_eq!(change_count(&store), 1); // only the practice's creation
}

#[test]
fn csv_export_then_import_into_another_practice_round_trips() {
    let mut store = store();
    create_service(&mut store, &bookkeeping()).unwrap();
    create_service(&mut store, &fixed("Tax return", "Tax, compliance", "450")).unwrap();
    let mut out = Vec::new();
    assert_eq!(csv::export_services(&store, &mut out).unwrap(), 2);
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.contains("100:2; 500:1.50; rest:1"), "{text}");
    assert!(text.contains("\"Tax, compliance\""), "{text}");

    let mut other = self::store();
    let report = csv::import_services(&mut other, out.as_slice(), false).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.imported, 2);
    let imported = list_services(&other, &ServiceFilter::default()).unwrap();
    let originals = list_services(&store, &ServiceFilter::default()).unwrap();
    for (a, b) in imported.iter().zip(&originals) {
        assert_eq!(
            (&a.name, &a.pricing, a.frequency),
            (&b.name, &b.pricing, b.frequency)
        );
    }
    let history = crate::store::history(other.conn(), "service", imported[0].id, 5).unwrap();
    assert_eq!(history[0].source, crate::Source::Import);
    assert!(
        history[0]
            .batch
            .as_deref()
            .unwrap()
            .starts_with("import-services-")
    );
}

#[test]
fn csv_import_with_a_bad_row_reports_every_problem_and_writes_nothing() {
    let mut store = store();
    create_service(&mut store, &fixed("Payroll", "", "100")).unwrap();
    let before = change_count(&store);
    let csv = "name,category,frequency,pricing,price,unit_name,tiers,default_quantity\n\
               Bookkeeping,Books,monthly,per_unit,,transactions,100:2; rest:1,200\n\
               Tax return,Tax,annually,fixed,abc,,,\n\
               Payroll,,monthly,fixed,90,,,\n\
               Advisory,,fortnightly,hourly,150,,,\n\
               Payslips,,monthly,per_unit,,payslips,50:3; 40:2; rest:1,10\n\
               Bookkeeping,Books,monthly,fixed,10,,,\n";
    let report = csv::import_services(&mut store, csv.as_bytes(), false).unwrap();
    let found: Vec<(u64, &str)> = report
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (3, "price"),
            (4, "name"),
            (5, "frequency"),
            (6, "tiers"),
            (7, "name")
        ]
    );
    assert_eq!(report.rows, 6);
    assert_eq!(report.imported, 0);
    assert_eq!(change_count(&store), before);
    assert_eq!(
        list_services(&store, &ServiceFilter::default())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn csv_dry_run_checks_but_writes_nothing() {
    let mut store = store();
    let csv = "name,frequency,pricing,price\nTax return,annually,fixed,450\n";
    let report = csv::import_services(&mut store, csv.as_bytes(), true).unwrap();
    assert!(report.problems.is_empty());
    assert_eq!((report.rows, report.imported), (1, 0));
    assert!(
        list_services(&store, &ServiceFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn csv_without_required_columns_is_refused() {
    let mut store = store();
    let report = csv::import_services(&mut store, "title,cost\nX,1\n".as_bytes(), false).unwrap();
    let columns: Vec<&str> = report.problems.iter().map(|p| p.column.as_str()).collect();
    assert_eq!(columns, ["name", "pricing", "frequency"]);
}
