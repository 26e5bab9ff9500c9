//! Clients against a real (in-memory) SQLite store.

use super::import::{
    RowStatus, export_clients, import_clients, normalized_name, preview_import, undo_import,
};
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

fn draft(name: &str) -> ClientDraft {
    ClientDraft {
        display_name: name.into(),
        ..ClientDraft::blank()
    }
}

fn names(store: &Store, status: ClientStatusFilter) -> Vec<String> {
    list_clients(
        store,
        &ClientFilter {
            search: None,
            status: Some(status),
        },
    )
    .unwrap()
    .into_iter()
    .map(|c| c.details.display_name)
    .collect()
}

#[test]
fn a_client_with_invoicing_round_trips() {
    let mut store = store();
    let mut d = draft("  Acme Plumbing ");
    d.first_name = "Sam".into();
    d.last_name = "Lee".into();
    d.email = "sam@acme.example".into();
    d.tax_number = "51 824 753 556".into();
    d.postal_address = Address {
        line1: "12 Harbour St".into(),
        city: "Sydney".into(),
        region: "NSW".into(),
        postcode: "2000".into(),
        ..Default::default()
    };
    d.invoicing = Invoicing {
        line_detail: LineDetail::ByCategory,
        account_code: "201".into(),
        branding_theme_id: "theme-1".into(),
        tracking: vec![TrackingChoice {
            category: "Region".into(),
            option: "North".into(),
        }],
        payment_terms_days: "7".into(),
        invoice_email: "accounts@acme.example".into(),
        push_to_xero: true,
    };
    let created = create_client(&mut store, &d).unwrap();
    assert_eq!(created.details.display_name, "Acme Plumbing");
    assert_eq!(created.contact_name(), "Sam Lee");
    assert_eq!(
        created.details.postal_address.lines(),
        ["12 Harbour St", "Sydney NSW 2000"]
    );
    let loaded = get_client(&store, created.id).unwrap();
    assert_eq!(loaded, created);
    assert_eq!(loaded.details.invoicing.tracking.len(), 1);
    assert!(loaded.details.invoicing.push_to_xero);
}

#[test]
fn bad_details_are_reported_field_by_field_and_nothing_is_saved() {
    let mut store = store();
    let mut d = draft("");
    d.email = "sam at acme".into();
    d.tax_number = "51 824 753 557".into();
    d.invoicing.payment_terms_days = "ninety".into();
    d.invoicing.tracking = vec![
        TrackingChoice {
            category: "Region".into(),
            option: "".into(),
        },
        TrackingChoice {
            category: "Region".into(),
            option: "South".into(),
        },
    ];
    let report = create_client(&mut store, &d).unwrap_err().report();
    let fields: Vec<&str> = report.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "display_name",
            "email",
            "tax_number",
            "invoicing.payment_terms_days",
            "invoicing.tracking.0",
            "invoicing.tracking.1"
        ]
    );
    assert!(names(&store, ClientStatusFilter::All).is_empty());
}

#[test]
fn names_are_unique_among_active_clients() {
    let mut store = store();
    let first = create_client(&mut store, &draft("Acme Plumbing")).unwrap();
    assert_eq!(
        create_client(&mut store, &draft("ACME PLUMBING"))
            .unwrap_err()
            .report()
            .fields[0]
            .field,
        "display_name"
    );
    archive_client(&mut store, first.id).unwrap();
    create_client(&mut store, &draft("Acme Plumbing")).unwrap();
    assert!(restore_client(&mut store, first.id).is_err());
}

#[test]
fn filters_search_and_archive() {
    let mut store = store();
    let a = create_client(
        &mut store,
        &ClientDraft {
            kind: ClientKind::Client,
            email: "hello@bondi.example".into(),
            ..draft("Bondi Bakery")
        },
    )
    .unwrap();
    create_client(&mut store, &draft("Acme Plumbing")).unwrap();
    assert_eq!(
        names(&store, ClientStatusFilter::All),
        ["Acme Plumbing", "Bondi Bakery"]
    );
    assert_eq!(
        names(&store, ClientStatusFilter::Prospects),
        ["Acme Plumbing"]
    );
    assert_eq!(names(&store, ClientStatusFilter::Clients), ["Bondi Bakery"]);
    let found = list_clients(
        &store,
        &ClientFilter {
            search: Some("BONDI.example".into()),
            status: None,
        },
    )
    .unwrap();
    assert_eq!(found.len(), 1);
    // The list's rows: the same clients, found the same way, with what the table shows.
    let rows = list_client_rows(
        &store,
        &ClientFilter {
            search: Some("BONDI.example".into()),
            status: None,
        },
    )
    .unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.id, r.display_name.as_str(), r.email.as_str(), r.kind))
            .collect::<Vec<_>>(),
        [(
            found[0].id,
            "Bondi Bakery",
            found[0].details.email.as_str(),
            found[0].details.kind
        )]
    );
    archive_client(&mut store, a.id).unwrap();
    assert_eq!(
        names(&store, ClientStatusFilter::Archived),
        ["Bondi Bakery"]
    );
    assert_eq!(names(&store, ClientStatusFilter::All), ["Acme Plumbing"]);
}

#[test]
fn delete_only_with_nothing_attached() {
    let mut store = store();
    let a = create_client(&mut store, &draft("Acme Plumbing")).unwrap();
    let b = create_client(&mut store, &draft("Bondi Bakery")).unwrap();
    store
        .write(Source::Sync, |tx| {
            tx.execute(
                "INSERT INTO xero_links (tenant_id, client_id, contact_id, linked_at)
                 VALUES ('tenant-1', ?1, 'x', '2026-11-30T00:00:00Z')",
                [b.id],
            )?;
            tx.log("client", b.id, "link", &serde_json::json!({}))
        })
        .unwrap();
    let err = delete_client(&mut store, b.id).unwrap_err();
    assert!(
        err.to_string().contains("linked to a Xero contact"),
        "{err}"
    );
    delete_client(&mut store, a.id).unwrap();
    assert_eq!(names(&store, ClientStatusFilter::All), ["Bondi Bakery"]);
}

#[test]
fn normalized_names_ignore_case_punctuation_and_suffixes() {
    assert_eq!(normalized_name("ACME Plumbing Pty. Ltd."), "acme plumbing");
    assert_eq!(
        normalized_name("O'Brien & Sons"),
        normalized_name("OBrien and Sons").replace("obrien", "o brien")
    );
    assert_eq!(normalized_name("The Good Grocer"), "good grocer");
}

#[test]
fn an_import_warns_of_a_name_differing_only_in_an_apostrophe_and_legal_suffix() {
    let mut store = store();
    create_client(&mut store, &draft("OBrien Plumbing")).unwrap();
    let csv = "name,email,abn\n\
        O'Brien Plumbing Pty Ltd,,\n\
        Smith & Sons,,\n\
        Smith and Sons Limited,,\n";
    let preview = preview_import(&store, csv).unwrap();
    let warnings: Vec<(u32, RowStatus, String)> = preview
        .rows
        .iter()
        .map(|r| (r.line, r.status, r.messages.join(" ")))
        .collect();
    assert_eq!(
        warnings,
        [
            (
                2,
                RowStatus::Warning,
                "Probably the same as \u{201c}OBrien Plumbing\u{201d}: name differs only in legal \
                 suffix (such as Pty Ltd or Limited)."
                    .to_string()
            ),
            (3, RowStatus::Ok, String::new()),
            (
                4,
                RowStatus::Warning,
                "Probably the same as line 3: name differs only in legal suffix (such as Pty Ltd \
                 or Limited)."
                    .to_string()
            ),
        ]
    );
}

const CSV_WITH_ONE_BAD_ROW: &str = "name,email,abn,kind,city\n\
    Harbourside Cafe,cafe@harbour.example,,client,Sydney\n\
    Acme Plumbing Pty Ltd,sam@acme.example,,client,Parramatta\n\
    Bad Row Co,not-an-email,51 824 753 557,client,\n\
    Northwind,accounts@northwind.example,,prospect,\n";

#[test]
fn an_import_preview_reports_errors_and_duplicate_warnings_and_writes_nothing() {
    let mut store = store();
    create_client(&mut store, &draft("Acme Plumbing")).unwrap();
    let before: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    let preview = preview_import(&store, CSV_WITH_ONE_BAD_ROW).unwrap();
    let statuses: Vec<(u32, RowStatus)> = preview.rows.iter().map(|r| (r.line, r.status)).collect();
    assert_eq!(
        statuses,
        [
            (2, RowStatus::Ok),
            (3, RowStatus::Warning),
            (4, RowStatus::Error),
            (5, RowStatus::Ok)
        ]
    );
    assert!(
        preview.rows[1].messages[0].contains("Probably the same as \u{201c}Acme Plumbing\u{201d}")
    );
    assert_eq!(
        preview.rows[2].messages.len(),
        2,
        "{:?}",
        preview.rows[2].messages
    );
    assert_eq!((preview.errors, preview.warnings), (1, 1));
    let err = import_clients(&mut store, CSV_WITH_ONE_BAD_ROW).unwrap_err();
    assert!(err.to_string().contains("Nothing was imported"), "{err}");
    let after: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn a_fixed_import_lands_whole_and_undoes_whole() {
    let mut store = store();
    let fixed = CSV_WITH_ONE_BAD_ROW.replace(
        "not-an-email,51 824 753 557",
        "bad@row.example,51 824 753 556",
    );
    let imported = import_clients(&mut store, &fixed).unwrap();
    assert_eq!(imported.imported, 4);
    assert_eq!(names(&store, ClientStatusFilter::All).len(), 4);
    assert_eq!(names(&store, ClientStatusFilter::Prospects), ["Northwind"]);
    let harbourside = list_clients(
        &store,
        &ClientFilter {
            search: Some("harbourside".into()),
            status: None,
        },
    )
    .unwrap();
    assert_eq!(harbourside[0].details.postal_address.city, "Sydney");
    assert_eq!(undo_import(&mut store, &imported.batch).unwrap(), 4);
    assert!(names(&store, ClientStatusFilter::All).is_empty());
    let log = crate::store::history(store.conn(), "client", harbourside[0].id, 5).unwrap();
    assert_eq!(log[0].action, "undo_import");
    // A second undo says so, and changes nothing.
    let again = undo_import(&mut store, &imported.batch).unwrap_err();
    assert_eq!(again.code(), crate::ErrorCode::AlreadyDone);
    assert!(again.to_string().contains("already undone"), "{again}");
}

#[test]
fn undo_counts_only_the_clients_it_removed() {
    let mut store = store();
    let imported = import_clients(&mut store, "name\nHarbourside Cafe\nBondi Bakery\n").unwrap();
    let bondi = list_clients(
        &store,
        &ClientFilter {
            search: Some("bondi".into()),
            status: None,
        },
    )
    .unwrap()
    .remove(0);
    delete_client(&mut store, bondi.id).unwrap();
    assert_eq!(undo_import(&mut store, &imported.batch).unwrap(), 1);
}

#[test]
fn an_import_cannot_be_undone_once_a_client_changed() {
    let mut store = store();
    let imported = import_clients(&mut store, "name\nHarbourside Cafe\nBondi Bakery\n").unwrap();
    let bondi = list_clients(
        &store,
        &ClientFilter {
            search: Some("bondi".into()),
            status: None,
        },
    )
    .unwrap()
    .remove(0);
    let mut d = bondi.details.clone();
    d.phone = "02 9999 0000".into();
    update_client(&mut store, bondi.id, &d).unwrap();
    let err = undo_import(&mut store, &imported.batch).unwrap_err();
    assert!(err.to_string().contains("Bondi Bakery"), "{err}");
    assert_eq!(names(&store, ClientStatusFilter::All).len(), 2);
}

#[test]
fn export_then_import_elsewhere() {
    let mut store = store();
    import_clients(
        &mut store,
        "name,email,city\nHarbourside Cafe,cafe@harbour.example,Sydney\n",
    )
    .unwrap();
    let mut out = Vec::new();
    export_clients(&store, &ClientFilter::default(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut other = self::store();
    import_clients(&mut other, &text).unwrap();
    let copy = list_clients(&other, &ClientFilter::default())
        .unwrap()
        .remove(0);
    assert_eq!(copy.details.email, "cafe@harbour.example");
    assert_eq!(copy.details.postal_address.city, "Sydney");
}

#[test]
fn client_rows_are_read_by_the_names_the_select_gives() {
    let store = crate::store::Store::open_in_memory().unwrap();
    let stmt = store
        .conn()
        .prepare(&format!("SELECT {CLIENT_COLUMNS} FROM clients"))
        .unwrap();
    let names: Vec<&str> = stmt.column_names().collect();
    assert_eq!(names, CLIENT_COLUMN_NAMES.to_vec());
}
