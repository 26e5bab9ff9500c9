//! CSV files as firms really have them, read by both imports through `csv_input`: Excel's
//! Windows-1252 with semicolons, Xero's own contacts export, amounts in a decimal-comma locale.
//! The fixtures are real bytes, as those programs write them.

// A failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal_macros::dec;
use scopebook_core::Store;
use scopebook_core::catalog::{self, Pricing, ServiceFilter, Tier};
use scopebook_core::clients::import::{RowStatus, import_clients, preview_import};
use scopebook_core::clients::{ClientFilter, list_clients};
use scopebook_core::practice::{PracticeSetup, setup_practice};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn practice_in(country: &str, currency: &str) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    setup_practice(
        &mut store,
        PracticeSetup {
            firm_name: "Ledger & Co".into(),
            country: country.into(),
            base_currency: currency.into(),
        },
    )
    .unwrap();
    store
}

#[test]
fn clients_from_excel_in_windows_1252_with_semicolons() {
    let bytes = fixture("clients-excel-windows-1252.csv");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is not UTF-8"
    );
    let mut store = practice_in("AU", "AUD");
    let preview = preview_import(&store, &bytes).unwrap();
    assert_eq!(preview.encoding, "Windows-1252");
    assert_eq!(preview.delimiter, "semicolons");
    assert_eq!(preview.errors, 0, "{:?}", preview.rows);
    let names: Vec<&str> = preview
        .rows
        .iter()
        .map(|r| r.display_name.as_str())
        .collect();
    assert_eq!(names, ["Café Müller", "Björk & Söhne Pty Ltd"]);

    import_clients(&mut store, &bytes).unwrap();
    let clients = list_clients(&store, &ClientFilter::default()).unwrap();
    let cafe = clients
        .iter()
        .find(|c| c.details.display_name == "Café Müller")
        .unwrap();
    assert_eq!(cafe.details.postal_address.city, "Zürich");
    // A quoted semicolon stays in its field; the en dash is Windows-1252's 0x96.
    assert_eq!(cafe.details.notes, "Öffnungszeiten; Mo–Fr");
}

#[test]
fn xeros_own_contacts_export_is_mapped_onto_the_client_fields() {
    let bytes = fixture("xero-contacts-export.csv");
    let mut store = practice_in("AU", "AUD");
    let preview = preview_import(&store, &bytes).unwrap();
    assert_eq!(preview.encoding, "UTF-8");
    assert!(
        preview.rows.iter().all(|r| r.status != RowStatus::Error),
        "{:?}",
        preview.rows
    );
    // What Scopebook has no field for is listed, not refused.
    assert!(preview.ignored_columns.contains(&"website".to_string()));
    for mapped in [
        "*contactname",
        "emailaddress",
        "poaddressline1",
        "poaddressline4",
        "pocity",
        "popostalcode",
        "mobilenumber",
        "taxnumber",
        "accountnumber",
    ] {
        assert!(
            !preview.ignored_columns.iter().any(|c| c == mapped),
            "{mapped} ignored: {:?}",
            preview.ignored_columns
        );
    }

    import_clients(&mut store, &bytes).unwrap();
    let clients = list_clients(&store, &ClientFilter::default()).unwrap();
    let harbourside = &clients
        .iter()
        .find(|c| c.details.display_name == "Harbourside Cafe Pty Ltd")
        .unwrap()
        .details;
    assert_eq!(harbourside.email, "accounts@harbourside.example");
    assert_eq!(
        (
            harbourside.first_name.as_str(),
            harbourside.last_name.as_str()
        ),
        ("Mia", "Chen")
    );
    assert_eq!(harbourside.postal_address.line1, "Shop 4");
    assert_eq!(
        harbourside.postal_address.line2,
        "12 Wharf Rd, Level 1, Rear entrance"
    );
    assert_eq!(harbourside.postal_address.city, "Sydney");
    assert_eq!(harbourside.postal_address.region, "NSW");
    assert_eq!(harbourside.postal_address.postcode, "2000");
    assert_eq!(harbourside.postal_address.country, "Australia");
    assert_eq!(harbourside.street_address.line1, "1 Pier St");
    assert_eq!(harbourside.phone, "02 9555 0101");
    assert_eq!(harbourside.tax_number, "51 824 753 556");
    assert_eq!(harbourside.account_number, "HARB01");
    let bakery = &clients
        .iter()
        .find(|c| c.details.display_name == "Bondi Bakery")
        .unwrap()
        .details;
    assert_eq!(
        bakery.phone, "0400 111 222",
        "the mobile when there is no phone"
    );
}

#[test]
fn services_from_excel_with_semicolons_and_decimal_commas() {
    let bytes = fixture("services-excel-semicolons.csv");
    // A South African practice writes 12,50 for twelve and a half.
    let mut store = practice_in("ZA", "ZAR");
    let report = catalog::csv::import_services(&mut store, bytes.as_slice(), true).unwrap();
    assert_eq!(
        (report.encoding.as_str(), report.delimiter.as_str()),
        ("Windows-1252", "semicolons")
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.rows, 2);
    catalog::csv::import_services(&mut store, bytes.as_slice(), false).unwrap();
    let services = catalog::list_services(&store, &ServiceFilter::default()).unwrap();
    let payroll = services
        .iter()
        .find(|s| s.name == "Lohnbuchhaltung")
        .unwrap();
    assert_eq!(payroll.description, "Gehälter & Löhne");
    let Pricing::PerUnit { tiers, .. } = &payroll.pricing else {
        panic!("{:?}", payroll.pricing)
    };
    assert_eq!(
        tiers,
        &[
            Tier {
                up_to: Some(dec!(10)),
                unit_price: dec!(12.50)
            },
            Tier {
                up_to: None,
                unit_price: dec!(9.75)
            },
        ]
    );
    let annual = services
        .iter()
        .find(|s| s.name == "Jahresabschluss")
        .unwrap();
    assert_eq!(annual.pricing, Pricing::Fixed { price: dec!(1250) });

    // The same file in an en-AU practice is refused line by line, never read 100× off.
    let mut au = practice_in("AU", "AUD");
    let report = catalog::csv::import_services(&mut au, bytes.as_slice(), false).unwrap();
    assert_eq!(report.imported, 0);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("separator in the wrong place")),
        "{:?}",
        report.problems
    );
}
