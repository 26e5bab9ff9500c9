//! Links per organisation, the mirror and the migration that brought links in, on real SQLite.

use scopebook_xero::models::{Connection, Contact};

use super::*;
use crate::ErrorCode;
use crate::clients::{delete_client, get_client, named_for_test};
use crate::connection::choose_organisation;
use crate::store::{MIGRATIONS, Source, Store};

fn organisation(tenant: &str, name: &str) -> Connection {
    Connection {
        id: format!("conn-{tenant}"),
        auth_event_id: None,
        tenant_id: tenant.into(),
        tenant_type: "ORGANISATION".into(),
        tenant_name: Some(name.into()),
        created_date_utc: None,
        updated_date_utc: None,
    }
}

fn store_with_clients() -> (Store, i64, i64) {
    let mut store = Store::open_in_memory().unwrap();
    crate::practice::set_up_for_tests(&mut store);
    let acme = named_for_test(&mut store, "Acme Plumbing");
    let bondi = named_for_test(&mut store, "Bondi Bakery");
    choose_organisation(&mut store, &organisation("tenant-a", "Harbour Books")).unwrap();
    (store, acme, bondi)
}

#[test]
fn a_link_is_one_to_one_and_says_why_it_refuses() {
    let (mut store, acme, bondi) = store_with_clients();
    let link = link_client(&mut store, Source::User, acme, "contact-1").unwrap();
    assert_eq!(
        (link.client_name.as_str(), link.contact_id.as_str()),
        ("Acme Plumbing", "contact-1")
    );
    assert_eq!(link.state, LinkState::Linked);
    assert_eq!(
        get_client(&store, acme).unwrap().xero_contact_id.as_deref(),
        Some("contact-1")
    );
    // Linking the same pair again changes nothing.
    link_client(&mut store, Source::User, acme, "contact-1").unwrap();

    let taken = link_client(&mut store, Source::User, bondi, "contact-1").unwrap_err();
    assert_eq!(taken.report().fields[0].field, "contact_id");
    assert!(taken.to_string().contains("Acme Plumbing"), "{taken}");
    let twice = link_client(&mut store, Source::User, acme, "contact-2").unwrap_err();
    assert!(twice.to_string().contains("already linked"), "{twice}");

    // The schema holds the rule too, whatever a future writer forgets.
    let raw = store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO xero_links (tenant_id, client_id, contact_id, linked_at)
             VALUES ('tenant-a', ?1, 'contact-1', 'x')",
            [bondi],
        )?;
        tx.log("client", bondi, "xero_link", &serde_json::json!({}))
    });
    assert!(raw.is_err());

    let log = crate::store::history(store.conn(), "client", acme, 1).unwrap();
    assert_eq!(log[0].action, "xero_link");
}

#[test]
fn switching_organisation_leaves_no_link_pointing_at_the_old_books() {
    let (mut store, acme, _) = store_with_clients();
    link_client(&mut store, Source::User, acme, "contact-1").unwrap();
    choose_organisation(&mut store, &organisation("tenant-b", "Other Books")).unwrap();
    assert_eq!(get_client(&store, acme).unwrap().xero_contact_id, None);
    assert!(links(&store).unwrap().is_empty());
    // In the new organisation the client can be linked afresh.
    link_client(&mut store, Source::User, acme, "contact-b-9").unwrap();
    // And back in the first, its link is still there.
    choose_organisation(&mut store, &organisation("tenant-a", "Harbour Books")).unwrap();
    assert_eq!(
        get_client(&store, acme).unwrap().xero_contact_id.as_deref(),
        Some("contact-1")
    );
}

#[test]
fn unlinking_removes_the_link_and_a_second_unlink_says_so() {
    let (mut store, acme, _) = store_with_clients();
    link_client(&mut store, Source::User, acme, "contact-1").unwrap();
    // A linked client can't be deleted.
    assert!(delete_client(&mut store, acme).is_err());
    unlink_client(&mut store, Source::User, acme).unwrap();
    assert_eq!(link_of(&store, acme).unwrap(), None);
    let again = unlink_client(&mut store, Source::User, acme).unwrap_err();
    assert_eq!(again.code(), ErrorCode::AlreadyDone);
    delete_client(&mut store, acme).unwrap();
}

#[test]
fn pulled_contacts_are_mirrored_and_named_on_the_link() {
    let (mut store, acme, _) = store_with_clients();
    let contact = Contact {
        contact_id: Some("contact-1".into()),
        name: "ACME PLUMBING PTY LTD".into(),
        email_address: Some("accounts@acme.example".into()),
        contact_status: Some("ACTIVE".into()),
        is_customer: Some(true),
        updated_date_utc: Some(chrono::Utc::now() - chrono::Duration::hours(1)),
        ..Contact::default()
    };
    let saved = store
        .write(Source::Sync, |tx| {
            save_contacts(tx, "tenant-a", std::slice::from_ref(&contact))
        })
        .unwrap();
    assert_eq!(saved, 1);
    let mirrored = mirrored_contact(&store, "contact-1").unwrap().unwrap();
    assert_eq!(mirrored.email.as_deref(), Some("accounts@acme.example"));
    assert!(mirrored.is_customer && !mirrored.is_supplier);
    let link = link_client(&mut store, Source::User, acme, "contact-1").unwrap();
    assert_eq!(link.contact_name.as_deref(), Some("ACME PLUMBING PTY LTD"));
    // Pulled again with a new name: updated in place.
    let renamed = Contact {
        name: "Acme Plumbing Group".into(),
        updated_date_utc: Some(chrono::Utc::now()),
        ..contact.clone()
    };
    // The same contact again, unchanged in Xero: nothing is written.
    let unchanged = store
        .write(Source::Sync, |tx| {
            save_contacts(tx, "tenant-a", std::slice::from_ref(&contact))
        })
        .unwrap();
    assert_eq!(unchanged, 0);
    store
        .write(Source::Sync, |tx| save_contacts(tx, "tenant-a", &[renamed]))
        .unwrap();
    assert_eq!(
        link_of(&store, acme)
            .unwrap()
            .unwrap()
            .contact_name
            .as_deref(),
        Some("Acme Plumbing Group")
    );
    assert!(open_reviews(&store).unwrap().is_empty());
}

#[test]
fn the_migration_keeps_existing_links_for_the_connected_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(crate::store::DATABASE_FILE);
    {
        // A data file as version 7 left it: a contact id on two clients (the old column
        // allowed it) and one on a third.
        let conn = rusqlite::Connection::open(&path).unwrap();
        for m in MIGRATIONS.iter().filter(|m| m.version <= 7) {
            conn.execute_batch(m.sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA application_id = 1396920386; PRAGMA user_version = 7;
             INSERT INTO practice (id, firm_name, country, base_currency, locale, created_at, updated_at)
                VALUES (1, 'Ledger & Co', 'AU', 'AUD', 'en-AU', 'x', 'x');
             INSERT INTO xero_connection (id, connection_id, tenant_id, tenant_name, connected_at)
                VALUES (1, 'conn', 'tenant-a', 'Harbour Books', 'x');",
        )
        .unwrap();
        for (id, name, contact) in [
            (1, "Acme Plumbing", Some("contact-1")),
            (2, "Acme Plumbing (old)", Some("contact-1")),
            (3, "Bondi Bakery", Some("contact-3")),
            (4, "Coogee Cafe", None),
        ] {
            conn.execute(
                "INSERT INTO clients (id, kind, display_name, xero_contact_id, created_at, updated_at)
                 VALUES (?1, 'client', ?2, ?3, 'x', 'x')",
                rusqlite::params![id, name, contact],
            )
            .unwrap();
        }
    }
    let store = Store::open(&path).unwrap();
    let kept: Vec<(i64, String)> = links(&store)
        .unwrap()
        .into_iter()
        .map(|l| (l.client_id, l.contact_id))
        .collect();
    assert_eq!(
        kept,
        [(1, "contact-1".to_string()), (3, "contact-3".to_string())]
    );
}
