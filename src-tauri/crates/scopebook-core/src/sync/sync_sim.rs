//! Sync runs against xero-sim over real HTTP, with Xero's limits on: a bookkeeper's work in
//! Xero goes through the simulator's admin API.

use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::types::Value as SqlValue;
use scopebook_xero::{ContactQuery, XeroClient};
use xero_sim::SimHandle;

use super::against_sim::{admin, connected, count, mirrored};
use super::*;
use crate::ErrorCode;
use crate::clients::{ClientDraft, create_client, get_client, update_client};
use crate::store::{SharedStore, lock};

static NEVER: AtomicBool = AtomicBool::new(false);

async fn sync(store: &SharedStore, xero: &XeroClient) -> SyncReport {
    sync_contacts(store, xero, SyncOptions::default(), &NEVER, |_| {})
        .await
        .unwrap()
}

async fn dry_run(store: &SharedStore, xero: &XeroClient) -> SyncReport {
    sync_contacts(store, xero, SyncOptions { dry_run: true }, &NEVER, |_| {})
        .await
        .unwrap()
}

/// The first `n` active contacts of the mirror, by name: (id, name).
fn contacts(store: &SharedStore, n: usize) -> Vec<(String, String)> {
    let store = lock(store);
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT contact_id, name FROM xero_contacts WHERE status = 'ACTIVE'
                AND merged_to_contact_id IS NULL ORDER BY name LIMIT ?1",
        )
        .unwrap();
    stmt.query_map([n as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// A client for each contact, named like it, linked to it; `push` turns on "push my changes".
fn linked_clients(store: &SharedStore, of: &[(String, String)], push: bool) -> Vec<i64> {
    let mut store = lock(store);
    crate::practice::set_up_for_tests(&mut store);
    of.iter()
        .map(|(contact_id, name)| {
            let mut draft = ClientDraft {
                display_name: name.clone(),
                ..ClientDraft::blank()
            };
            draft.invoicing.push_to_xero = push;
            let id = create_client(&mut store, &draft).unwrap().id;
            link_client(&mut store, crate::Source::User, id, contact_id).unwrap();
            id
        })
        .collect()
}

fn edit_here(store: &SharedStore, id: i64, edit: impl FnOnce(&mut ClientDraft)) {
    let mut store = lock(store);
    let mut draft = get_client(&store, id).unwrap().details;
    edit(&mut draft);
    update_client(&mut store, id, &draft).unwrap();
}

async fn edit_in_xero(sim: &SimHandle, tenant: &str, contact_id: &str, changes: serde_json::Value) {
    admin(
        sim,
        "contacts/edit",
        serde_json::json!({ "tenant_id": tenant, "contact_id": contact_id, "changes": changes }),
    )
    .await;
}

async fn in_xero(
    xero: &XeroClient,
    tenant: &str,
    contact_id: &str,
) -> scopebook_xero::models::Contact {
    let query = ContactQuery {
        ids: vec![contact_id.to_string()],
        include_archived: true,
        ..ContactQuery::default()
    };
    xero.contacts(tenant, &query).await.unwrap().items.remove(0)
}

/// Calls the simulator saw to the Contacts endpoint, by method.
async fn contact_calls(sim: &SimHandle) -> (u64, u64, u64) {
    let stats: serde_json::Value = reqwest::get(format!("{}/stats", sim.admin_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let requests = &stats["requests"];
    let of = |method: &str| {
        requests
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with(method) && k.ends_with("/Contacts"))
            .map(|(_, v)| v.as_u64().unwrap())
            .sum()
    };
    (of("GET"), of("POST"), of("PUT"))
}

/// Every row of the tables a sync writes here, in order, to compare before and after.
pub(super) fn local_tables(store: &SharedStore) -> Vec<Vec<Vec<SqlValue>>> {
    let store = lock(store);
    ["clients", "xero_links", "xero_review"]
        .iter()
        .map(|table| {
            let mut stmt = store
                .conn()
                .prepare(&format!("SELECT * FROM {table} ORDER BY id"))
                .unwrap();
            let width = stmt.column_count();
            stmt.query_map([], |r| {
                (0..width).map(|i| r.get::<_, SqlValue>(i)).collect()
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_brings_xero_changes_here_sends_ours_and_the_next_one_costs_one_call() {
    let (sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let two = contacts(&store, 2);
    let ids = linked_clients(&store, &two, true);
    let (ours, theirs) = (ids[0], ids[1]);

    // Here: an email and a phone on the first; in Xero: the second renamed.
    edit_here(&store, ours, |d| {
        d.email = "accounts@ours.test".into();
        d.phone = "02 9999 0000".into();
    });
    edit_in_xero(
        &sim,
        &tenant,
        &two[1].0,
        serde_json::json!({ "Name": "Renamed In Xero Pty Ltd" }),
    )
    .await;

    // A dry run says exactly that, and writes nothing on either side.
    let before = local_tables(&store);
    let calls_before = contact_calls(&sim).await;
    let preview = dry_run(&store, &xero).await;
    assert_eq!(
        local_tables(&store),
        before,
        "a dry run writes nothing here"
    );
    let calls_after = contact_calls(&sim).await;
    assert_eq!(
        (calls_after.1, calls_after.2),
        (calls_before.1, calls_before.2),
        "nor in Xero"
    );
    assert!(preview.dry_run && preview.batch.is_none());
    assert_eq!(preview.to_xero.len(), 1, "{preview:?}");
    let fields: Vec<SyncField> = preview.to_xero[0].changes.iter().map(|c| c.field).collect();
    assert_eq!(fields, vec![SyncField::Email, SyncField::Phone]);
    assert_eq!(preview.to_here.len(), 1);
    assert_eq!(preview.to_here[0].changes[0].to, "Renamed In Xero Pty Ltd");

    let report = sync(&store, &xero).await;
    assert_eq!(report.to_xero.len(), 1, "{report:?}");
    assert_eq!(report.to_here.len(), 1, "{report:?}");
    assert!(
        report.refused.is_empty() && report.conflicts.is_empty(),
        "{report:?}"
    );
    assert_eq!(report.calls, 2, "one page read, one batch sent");
    let sent = in_xero(&xero, &tenant, &two[0].0).await;
    assert_eq!(sent.email_address.as_deref(), Some("accounts@ours.test"));
    assert_eq!(sent.name, two[0].1, "only the changed details are sent");
    assert_eq!(
        get_client(&lock(&store), theirs)
            .unwrap()
            .details
            .display_name,
        "Renamed In Xero Pty Ltd"
    );

    // Nothing changed since: the next sync changes nothing and reads one page.
    let (gets, posts, puts) = contact_calls(&sim).await;
    let before = local_tables(&store);
    let again = sync(&store, &xero).await;
    assert!(again.is_quiet(), "{again:?}");
    assert_eq!(again.calls, 1);
    assert_eq!(contact_calls(&sim).await, (gets + 1, posts, puts));
    assert_eq!(local_tables(&store), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_detail_changed_on_both_sides_waits_for_a_choice_per_field() {
    let (sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let two = contacts(&store, 2);
    let ids = linked_clients(&store, &two, true);

    for (i, (contact_id, _)) in two.iter().enumerate() {
        edit_here(&store, ids[i], |d| {
            d.display_name = format!("Here Name {i}")
        });
        edit_in_xero(
            &sim,
            &tenant,
            contact_id,
            serde_json::json!({ "Name": format!("Xero Name {i}") }),
        )
        .await;
    }
    let report = sync(&store, &xero).await;
    assert_eq!(report.conflicts.len(), 2, "{report:?}");
    assert!(report.to_xero.is_empty() && report.to_here.is_empty());
    let conflict = &report.conflicts[0].fields[0];
    assert_eq!(conflict.field, SyncField::Name);
    assert_eq!(
        (conflict.here.as_str(), conflict.xero.as_str()),
        ("Here Name 0", "Xero Name 0")
    );
    {
        let store = lock(&store);
        let board = connections_board(&store).unwrap();
        assert_eq!(board.conflict, 2, "{board:?}");
        let row = board.rows.iter().find(|r| r.client_id == ids[0]).unwrap();
        assert_eq!(row.state, BoardState::Conflict);
        assert!(
            row.review_notes[0].contains("Here Name 0"),
            "{:?}",
            row.review_notes
        );
        assert_eq!(
            get_client(&store, ids[0]).unwrap().details.display_name,
            "Here Name 0"
        );
    }
    // A second sync leaves the conflicts as they are.
    let again = sync(&store, &xero).await;
    assert_eq!(again.conflicts.len(), 2);
    assert_eq!(again.new_reviews, 0);

    // The first takes Xero's name; the second keeps ours, which the next sync sends.
    let choose = |keep| {
        [ConflictChoice {
            field: SyncField::Name,
            keep,
        }]
    };
    {
        let mut store = lock(&store);
        let missing = resolve_conflict(&mut store, ids[0], &[]).unwrap_err();
        assert_eq!(missing.code(), ErrorCode::Invalid);
        resolve_conflict(&mut store, ids[0], &choose(Side::Xero)).unwrap();
        resolve_conflict(&mut store, ids[1], &choose(Side::Here)).unwrap();
        let twice = resolve_conflict(&mut store, ids[1], &choose(Side::Here)).unwrap_err();
        assert_eq!(twice.code(), ErrorCode::AlreadyDone);
        assert_eq!(
            get_client(&store, ids[0]).unwrap().details.display_name,
            "Xero Name 0"
        );
        assert!(open_reviews(&store).unwrap().is_empty());
    }
    let after = sync(&store, &xero).await;
    assert!(after.conflicts.is_empty(), "{after:?}");
    assert_eq!(after.to_xero.len(), 1, "{after:?}");
    assert_eq!(in_xero(&xero, &tenant, &two[1].0).await.name, "Here Name 1");
    assert!(sync(&store, &xero).await.is_quiet());
}

#[tokio::test(flavor = "multi_thread")]
async fn undoing_a_sync_puts_every_row_here_back_exactly() {
    let (sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let four = contacts(&store, 4);
    let ids = linked_clients(&store, &four, false);
    // Settle the links' bases with one sync first.
    sync(&store, &xero).await;

    edit_in_xero(
        &sim,
        &tenant,
        &four[0].0,
        serde_json::json!({ "Name": "Pulled Name Ltd", "EmailAddress": "new@pulled.test" }),
    )
    .await;
    edit_here(&store, ids[1], |d| {
        d.display_name = "Both Sides Here".into()
    });
    edit_in_xero(
        &sim,
        &tenant,
        &four[1].0,
        serde_json::json!({ "Name": "Both Sides Xero" }),
    )
    .await;
    admin(
        &sim,
        "contacts/archive",
        serde_json::json!({ "tenant_id": tenant, "contact_id": four[2].0 }),
    )
    .await;
    admin(
        &sim,
        "contacts/merge",
        serde_json::json!({ "tenant_id": tenant, "contact_id": four[3].0, "into": contacts(&store, 6)[5].0 }),
    )
    .await;
    let edited = local_tables(&store);
    let report = sync(&store, &xero).await;
    assert_eq!(report.to_here.len(), 1, "{report:?}");
    assert_eq!(report.conflicts.len(), 1, "{report:?}");
    let batch = report.batch.clone().unwrap();
    assert_ne!(local_tables(&store), edited);
    {
        let store = lock(&store);
        let link = link_of(&store, ids[2]).unwrap().unwrap();
        assert_eq!(link.state, LinkState::ArchivedInXero);
        let listed = sync_batches(&store, 5).unwrap();
        assert_eq!(listed[0].batch, batch);
        assert!(!listed[0].undone);
    }

    let put_back = undo_sync(&mut lock(&store), &batch).unwrap();
    assert!(put_back >= 4, "{put_back}");
    assert_eq!(
        local_tables(&store),
        edited,
        "every row here is as before the sync"
    );
    let twice = undo_sync(&mut lock(&store), &batch).unwrap_err();
    assert_eq!(twice.code(), ErrorCode::AlreadyDone);
    assert!(sync_batches(&lock(&store), 5).unwrap()[0].undone);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_undo_is_refused_when_a_client_changed_since() {
    let (sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let one = contacts(&store, 1);
    let ids = linked_clients(&store, &one, false);
    edit_in_xero(
        &sim,
        &tenant,
        &one[0].0,
        serde_json::json!({ "EmailAddress": "x@pulled.test" }),
    )
    .await;
    let report = sync(&store, &xero).await;
    let batch = report.batch.unwrap();
    edit_here(&store, ids[0], |d| d.notes = "Called them".into());
    let refused = undo_sync(&mut lock(&store), &batch).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InUse);
    assert!(refused.to_string().contains(&one[0].1), "{refused}");
    assert_eq!(
        get_client(&lock(&store), ids[0]).unwrap().details.email,
        "x@pulled.test",
        "nothing undone"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn what_xero_would_refuse_is_named_per_client_and_the_others_go_through() {
    let (sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let four = contacts(&store, 4);
    let ids = linked_clients(&store, &four[..3], true);
    // Caught before any call: a name another Xero contact has.
    edit_here(&store, ids[0], |d| d.display_name = four[3].1.clone());
    // Xero refuses: a name taken in Xero by an edit the pull can't see (Xero's clock was
    // behind, so the edit is older than the pull's cursor).
    admin(
        &sim,
        "clock",
        serde_json::json!({ "now": "2020-01-01T00:00:00Z" }),
    )
    .await;
    edit_in_xero(
        &sim,
        &tenant,
        &four[3].0,
        serde_json::json!({ "Name": "Quietly Taken Pty Ltd" }),
    )
    .await;
    admin(&sim, "clock", serde_json::json!({ "now": null })).await;
    // Hidden from the mirror now: the fourth contact is still "its old name" here.
    edit_here(&store, ids[1], |d| {
        d.display_name = "Quietly Taken Pty Ltd".into()
    });
    edit_here(&store, ids[2], |d| d.email = "fine@ok.test".into());
    let (_, posts, _) = contact_calls(&sim).await;

    let report = sync(&store, &xero).await;
    assert_eq!(report.refused.len(), 2, "{report:?}");
    let refused_before_call = report
        .refused
        .iter()
        .find(|r| r.client_id == ids[0])
        .unwrap();
    assert!(
        refused_before_call.problems[0].contains("already called"),
        "{refused_before_call:?}"
    );
    let refused_by_xero = report
        .refused
        .iter()
        .find(|r| r.client_id == ids[1])
        .unwrap();
    assert!(
        refused_by_xero.problems[0].contains("Xero refused it")
            && refused_by_xero.problems[0].contains("unique"),
        "{refused_by_xero:?}"
    );
    assert_eq!(report.to_xero.len(), 1);
    assert_eq!(report.to_xero[0].client_id, ids[2]);
    assert_eq!(contact_calls(&sim).await.1, posts + 1, "one batch sent");
    assert_eq!(
        in_xero(&xero, &tenant, &four[2].0)
            .await
            .email_address
            .as_deref(),
        Some("fine@ok.test")
    );
    assert_eq!(in_xero(&xero, &tenant, &four[0].0).await.name, four[0].1);
    // Nothing is lost: the refused clients keep their details, and are tried again next time.
    assert_eq!(
        get_client(&lock(&store), ids[1])
            .unwrap()
            .details
            .display_name,
        "Quietly Taken Pty Ltd"
    );
    let again = sync(&store, &xero).await;
    assert_eq!(again.refused.len(), 2, "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn new_contacts_land_once_through_a_429_and_a_lost_reply() {
    let (sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let ids: Vec<i64> = {
        let mut store = lock(&store);
        crate::practice::set_up_for_tests(&mut store);
        (0..60)
            .map(|i| {
                let mut draft = ClientDraft {
                    display_name: format!("Zephyr Brand New {i:02} Pty Ltd"),
                    email: format!("owner{i}@zephyr{i}.test"),
                    ..ClientDraft::blank()
                };
                draft.invoicing.push_to_xero = true;
                create_client(&mut store, &draft).unwrap().id
            })
            .collect()
    };
    let contacts_before: i64 = count(&store, "SELECT count(*) FROM xero_contacts");
    // The pull passes; the first batch of 50 gets 429, then its retry commits and the reply is
    // lost; the client sends it again with the same Idempotency-Key.
    for kind in ["delay", "status_429", "drop_after_commit"] {
        admin(
            &sim,
            "faults",
            serde_json::json!({ "kind": kind, "delay_ms": 0 }),
        )
        .await;
    }
    let mut seen = Vec::new();
    let report = sync_contacts(&store, &xero, SyncOptions::default(), &NEVER, |p| {
        seen.push(p.clone())
    })
    .await
    .unwrap();
    assert_eq!(report.created.len(), 60, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    assert!(
        seen.iter()
            .any(|p| p.phase == SyncPhase::Sending && p.done == 50 && p.total == 60)
    );
    // Each landed once: 60 new contacts in Xero, each linked to its client.
    let all = xero.all_contacts(&tenant, None, true).await.unwrap();
    let zephyrs = all
        .iter()
        .filter(|c| c.name.starts_with("Zephyr Brand New"))
        .count();
    assert_eq!(zephyrs, 60);
    assert_eq!(
        count(&store, "SELECT count(*) FROM xero_contacts"),
        contacts_before + 60
    );
    {
        let store = lock(&store);
        for id in &ids {
            assert!(link_of(&store, *id).unwrap().is_some());
        }
    }
    assert!(sync(&store, &xero).await.is_quiet());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_created_by_a_run_that_died_is_linked_not_created_again() {
    let (_sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let id = {
        let mut store = lock(&store);
        crate::practice::set_up_for_tests(&mut store);
        let mut draft = ClientDraft {
            display_name: "Orphaned Creation Co".into(),
            ..ClientDraft::blank()
        };
        draft.invoicing.push_to_xero = true;
        create_client(&mut store, &draft).unwrap().id
    };
    // A run created it in Xero and died before recording it.
    let client = get_client(&lock(&store), id).unwrap();
    xero.create_contacts(&tenant, &[super::create::new_contact(&client)], None)
        .await
        .unwrap();
    let report = sync(&store, &xero).await;
    assert!(report.created.is_empty(), "{report:?}");
    let link = link_of(&lock(&store), id).unwrap().unwrap();
    let all = xero.all_contacts(&tenant, None, true).await.unwrap();
    assert_eq!(
        all.iter()
            .filter(|c| c.name == "Orphaned Creation Co")
            .count(),
        1
    );
    assert_eq!(link.contact_name.as_deref(), Some("Orphaned Creation Co"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_removed_here_after_linking_is_never_recreated() {
    let (_sim, store, xero, _) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let two = contacts(&store, 2);
    let ids = linked_clients(&store, &two, true);
    {
        let mut store = lock(&store);
        // Deleting a linked client is refused in words; unlinked, it goes.
        let refused = crate::clients::delete_client(&mut store, ids[0]).unwrap_err();
        assert!(refused.to_string().contains("Xero"), "{refused}");
        unlink_client(&mut store, crate::Source::User, ids[0]).unwrap();
        crate::clients::delete_client(&mut store, ids[0]).unwrap();
        // Archived, the other is left alone by syncs.
        crate::clients::archive_client(&mut store, ids[1]).unwrap();
    }
    let clients_before = count(&store, "SELECT count(*) FROM clients");
    let report = sync(&store, &xero).await;
    assert!(report.is_quiet(), "{report:?}");
    assert_eq!(
        count(&store, "SELECT count(*) FROM clients"),
        clients_before
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_changed_between_two_pages_is_not_missed() {
    let (sim, store, xero, tenant) = connected().await;
    let cancel = AtomicBool::new(false);
    let save = pull::Pull::Save("sync-test");
    // Stopped after the first page of 20; in Xero, a contact of that page is edited (it moves
    // to the end of the order, and the others move up a place).
    let stopped = pull::pull_in_pages(&store, &xero, 20, save, &cancel, |report: &PullReport| {
        if report.pages == 1 {
            cancel.store(true, Ordering::SeqCst);
        }
    })
    .await
    .unwrap_err();
    assert_eq!(stopped.code(), ErrorCode::Cancelled);
    let first_read: String = lock(&store)
        .conn()
        .query_row(
            "SELECT contact_id FROM xero_contacts ORDER BY updated_date_utc, contact_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    edit_in_xero(
        &sim,
        &tenant,
        &first_read,
        serde_json::json!({ "EmailAddress": "moved@late.test" }),
    )
    .await;
    cancel.store(false, Ordering::SeqCst);
    let (resumed, _) = pull::pull_in_pages(&store, &xero, 20, save, &cancel, |_| {})
        .await
        .unwrap();
    assert!(resumed.read_again_next, "{resumed:?}");
    // The next pull reads the window again: every contact is here.
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let everything = xero.all_contacts(&tenant, None, true).await.unwrap().len() as i64;
    assert_eq!(mirrored(&store), everything);
    let quiet = pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    assert_eq!((quiet.pages, quiet.changed), (1, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clients_summary_and_deep_link_come_from_xero() {
    let (sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    // A contact with unpaid invoices in the demo organisation.
    let query = scopebook_xero::InvoiceQuery {
        statuses: vec!["AUTHORISED".into()],
        ..Default::default()
    };
    let unpaid = xero.invoices(&tenant, &query).await.unwrap().items;
    let sale = unpaid
        .iter()
        .find(|i| i.invoice_type == "ACCREC" && i.amount_due.is_some_and(|d| !d.is_zero()))
        .expect("the demo organisation has an unpaid sale");
    let contact_id = sale.contact.contact_id.clone().unwrap();
    let expected: rust_decimal::Decimal = unpaid
        .iter()
        .filter(|i| {
            i.invoice_type == "ACCREC" && i.contact.contact_id.as_deref() == Some(&contact_id)
        })
        .filter_map(|i| i.amount_due)
        .sum();
    let name = lock(&store)
        .conn()
        .query_row(
            "SELECT name FROM xero_contacts WHERE contact_id = ?1",
            [&contact_id],
            |r| r.get::<_, String>(0),
        )
        .unwrap();
    let id = linked_clients(&store, &[(contact_id.clone(), name)], false)[0];

    let summary = contact_summary(&store, &xero, id).await.unwrap();
    assert_eq!(summary.outstanding, expected, "{summary:?}");
    assert!(summary.unpaid_invoices >= 1);
    assert!(summary.last_invoice.is_some());

    let endpoint = crate::connection::XeroEndpoint {
        base_url: Some(sim.base_url()),
        ..Default::default()
    };
    let link = open_in_xero_link(&store, &xero, &endpoint, id)
        .await
        .unwrap();
    let again = open_in_xero_link(&store, &xero, &endpoint, id)
        .await
        .unwrap();
    assert_eq!(link, again);
    let stats: serde_json::Value = reqwest::get(format!("{}/stats", sim.admin_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let organisation_calls: u64 = stats["requests"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.ends_with("/Organisation"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum();
    assert_eq!(organisation_calls, 1, "the short code is asked for once");
    // The link opens the contact's page in the sandbox.
    let page = reqwest::get(&link).await.unwrap();
    assert!(page.status().is_success(), "{link}");
    assert!(page.text().await.unwrap().contains(&contact_id));

    // A client that isn't linked gets words, not a call.
    let mut draft = ClientDraft::blank();
    draft.display_name = "Not Linked Co".into();
    let lone = create_client(&mut lock(&store), &draft).unwrap().id;
    let refused = contact_summary(&store, &xero, lone).await.unwrap_err();
    assert!(refused.to_string().contains("isn't linked"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_mid_push_loses_nothing_and_the_next_sync_sends_it() {
    let (sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let one = contacts(&store, 1);
    let ids = linked_clients(&store, &one, true);
    edit_here(&store, ids[0], |d| d.email = "after@outage.test".into());
    let before = local_tables(&store);
    // The pull passes; every try of the push meets Xero's edge during an outage.
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "delay", "delay_ms": 0 }),
    )
    .await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "plain_503", "count": 5 }),
    )
    .await;
    let failed = sync_contacts(&store, &xero, SyncOptions::default(), &NEVER, |_| {})
        .await
        .unwrap_err();
    assert!(failed.to_string().contains("Xero"), "{failed}");
    assert_eq!(local_tables(&store), before, "nothing here half-written");
    assert_ne!(
        in_xero(&xero, &tenant, &one[0].0)
            .await
            .email_address
            .as_deref(),
        Some("after@outage.test")
    );
    reqwest::Client::new()
        .delete(format!("{}/faults", sim.admin_url()))
        .send()
        .await
        .unwrap();
    let report = sync(&store, &xero).await;
    assert_eq!(report.to_xero.len(), 1, "{report:?}");
    assert_eq!(
        in_xero(&xero, &tenant, &one[0].0)
            .await
            .email_address
            .as_deref(),
        Some("after@outage.test")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_sync_keeps_what_was_sent_and_the_next_one_sends_the_rest() {
    let (_sim, store, xero, tenant) = connected().await;
    pull_contacts(&store, &xero, &NEVER, |_| {}).await.unwrap();
    let ids: Vec<i64> = {
        let mut store = lock(&store);
        crate::practice::set_up_for_tests(&mut store);
        (0..55)
            .map(|i| {
                let mut draft = ClientDraft {
                    display_name: format!("Quokka Newcomer {i:02} Pty Ltd"),
                    ..ClientDraft::blank()
                };
                draft.invoicing.push_to_xero = true;
                create_client(&mut store, &draft).unwrap().id
            })
            .collect()
    };
    let cancel = AtomicBool::new(false);
    let report = sync_contacts(&store, &xero, SyncOptions::default(), &cancel, |p| {
        if p.phase == SyncPhase::Sending {
            cancel.store(true, Ordering::SeqCst);
        }
    })
    .await
    .unwrap();
    assert!(report.cancelled, "{report:?}");
    assert_eq!(
        report.created.len(),
        50,
        "the first batch of 50 landed and is recorded"
    );
    let linked = ids
        .iter()
        .filter(|id| link_of(&lock(&store), **id).unwrap().is_some())
        .count();
    assert_eq!(linked, 50);
    let rest = sync(&store, &xero).await;
    assert_eq!(rest.created.len(), 5, "{rest:?}");
    let all = xero.all_contacts(&tenant, None, true).await.unwrap();
    assert_eq!(
        all.iter()
            .filter(|c| c.name.starts_with("Quokka Newcomer"))
            .count(),
        55
    );
}
