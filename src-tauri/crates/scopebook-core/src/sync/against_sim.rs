//! Pulling contacts from xero-sim over real HTTP, with Xero's limits on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use scopebook_xero::{
    MemoryTokenStore, RetryPolicy, Session, XeroClient, XeroConfig, XeroUrls, begin_authorization,
};
use xero_sim::{SimConfig, SimHandle};

use super::*;
use crate::ErrorCode;
use crate::store::{SharedStore, Store, lock};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Signs in to the simulator as a bookkeeper would (the "browser" follows the redirect) and
/// connects the demo organisation with ~50 contacts.
pub(crate) async fn connected() -> (SimHandle, SharedStore, XeroClient, String) {
    let sim = xero_sim::start(SimConfig {
        auto_approve: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut config = XeroConfig::new(sim.client_id(), XeroUrls::simulator(&sim.base_url()));
    config.redirect_ports = vec![free_port()];
    sim.register_redirect_uri(&format!(
        "http://localhost:{}/callback",
        config.redirect_ports[0]
    ));
    config.retry = RetryPolicy {
        attempts: 3,
        backoff: Duration::from_millis(20),
        max_wait: Duration::from_secs(2),
    };
    let authorization = begin_authorization(&config).await.unwrap();
    let url = authorization.url().to_string();
    let browser = async {
        reqwest::Client::new()
            .get(&url)
            .send()
            .await
            .unwrap()
            .status()
    };
    let (tokens, status) = tokio::join!(authorization.finish(Duration::from_secs(10)), browser);
    assert!(status.is_success(), "{status}");
    let session = Arc::new(Session::new(config, Arc::new(MemoryTokenStore::new())).unwrap());
    session.start(tokens.unwrap()).await.unwrap();
    let xero = XeroClient::new(session).unwrap();
    let tenant = xero_sim::seed::DEMO_COMPANY_AU.to_string();
    let organisation = xero
        .connections()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.tenant_id == tenant)
        .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    crate::connection::choose_organisation(&mut store, &organisation).unwrap();
    (sim, Arc::new(std::sync::Mutex::new(store)), xero, tenant)
}

pub(super) fn mirrored(store: &SharedStore) -> i64 {
    lock(store)
        .conn()
        .query_row("SELECT count(*) FROM xero_contacts", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_mirrors_every_contact_and_an_unchanged_resync_costs_one_call() {
    let (sim, store, xero, tenant) = connected().await;
    let never = AtomicBool::new(false);
    let first = pull_contacts(&store, &xero, &never, |_| {}).await.unwrap();
    assert_eq!(first.pages, 1);
    assert!(first.received >= 40, "{first:?}");
    assert_eq!(first.changed, first.received);
    assert_eq!(mirrored(&store), i64::from(first.received));

    // Nothing changed in Xero: one call, nothing written.
    let changes_before: i64 = lock(&store)
        .conn()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    let second = pull_contacts(&store, &xero, &never, |_| {}).await.unwrap();
    assert_eq!((second.pages, second.changed), (1, 0), "{second:?}");
    let changes_after: i64 = lock(&store)
        .conn()
        .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(changes_before, changes_after);

    // A bookkeeper renames a contact in Xero: the next pull brings just that change.
    let contact_id: String = lock(&store)
        .conn()
        .query_row(
            "SELECT contact_id FROM xero_contacts WHERE status = 'ACTIVE' ORDER BY name LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let edited = reqwest::Client::new()
        .post(format!("{}/contacts/edit", sim.admin_url()))
        .json(&serde_json::json!({
            "tenant_id": tenant,
            "contact_id": contact_id,
            "changes": { "Name": "Renamed In Xero Ltd" },
        }))
        .send()
        .await
        .unwrap();
    assert!(edited.status().is_success());
    let third = pull_contacts(&store, &xero, &never, |_| {}).await.unwrap();
    assert_eq!((third.pages, third.changed), (1, 1), "{third:?}");
    let name: String = lock(&store)
        .conn()
        .query_row(
            "SELECT name FROM xero_contacts WHERE contact_id = ?1",
            [&contact_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, "Renamed In Xero Ltd");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_pull_resumes_at_the_next_page() {
    let (_sim, store, xero, _) = connected().await;
    let cancel = AtomicBool::new(false);
    // Stopped after the first page of 20.
    let save = pull::Pull::Save("sync-test");
    let err = pull::pull_in_pages(
        &store,
        &xero,
        20,
        save,
        &cancel,
        |report: &pull::PullReport| {
            if report.pages == 1 {
                cancel.store(true, Ordering::SeqCst);
            }
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
    assert_eq!(mirrored(&store), 20, "the first page was kept");

    cancel.store(false, Ordering::SeqCst);
    let (resumed, _) = pull::pull_in_pages(&store, &xero, 20, save, &cancel, |_| {})
        .await
        .unwrap();
    assert_eq!(resumed.resumed_at_page, Some(2));
    let total = mirrored(&store);
    assert_eq!(total, 20 + i64::from(resumed.received), "{resumed:?}");
    // Complete now: the next pull starts afresh from the cursor, not from a page.
    let (next, _) = pull::pull_in_pages(&store, &xero, 20, save, &cancel, |_| {})
        .await
        .unwrap();
    assert_eq!(next.resumed_at_page, None);
    assert_eq!(next.changed, 0);
}

pub(crate) async fn admin(sim: &SimHandle, path: &str, body: serde_json::Value) {
    let status = reqwest::Client::new()
        .post(format!("{}/{path}", sim.admin_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "admin {path}: {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn archived_contacts_mark_their_link_and_merged_ones_are_followed() {
    use crate::clients::{ClientDraft, create_client};
    let (sim, store, xero, tenant) = connected().await;
    let never = AtomicBool::new(false);
    pull_contacts(&store, &xero, &never, |_| {}).await.unwrap();
    let ids: Vec<String> = {
        let store = lock(&store);
        let mut stmt = store
            .conn()
            .prepare("SELECT contact_id FROM xero_contacts WHERE status = 'ACTIVE' ORDER BY name LIMIT 3")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let (archived, merged, survivor) = (&ids[0], &ids[1], &ids[2]);
    let (first, second) = {
        let mut store = lock(&store);
        crate::practice::set_up_for_tests(&mut store);
        let mut client = |name: &str| {
            create_client(
                &mut store,
                &ClientDraft {
                    display_name: name.into(),
                    ..ClientDraft::blank()
                },
            )
            .unwrap()
            .id
        };
        let (first, second) = (client("First Client"), client("Second Client"));
        link_client(&mut store, crate::Source::User, first, archived).unwrap();
        link_client(&mut store, crate::Source::User, second, merged).unwrap();
        (first, second)
    };

    // In Xero, a bookkeeper archives one contact and merges the other into a third.
    admin(
        &sim,
        "contacts/archive",
        serde_json::json!({ "tenant_id": tenant, "contact_id": archived }),
    )
    .await;
    admin(
        &sim,
        "contacts/merge",
        serde_json::json!({ "tenant_id": tenant, "contact_id": merged, "into": survivor }),
    )
    .await;
    pull_contacts(&store, &xero, &never, |_| {}).await.unwrap();

    let store = lock(&store);
    let first_link = link_of(&store, first).unwrap().unwrap();
    assert_eq!(first_link.state, LinkState::ArchivedInXero);
    assert!(
        crate::clients::get_client(&store, first).is_ok(),
        "the client stays"
    );
    let second_link = link_of(&store, second).unwrap().unwrap();
    assert_eq!(&second_link.contact_id, survivor);
    assert_eq!(second_link.state, LinkState::Linked);
    let reviews = open_reviews(&store).unwrap();
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(reviews[0].kind, ReviewKind::ContactArchived);
    assert_eq!(reviews[0].client_name.as_deref(), Some("First Client"));
}

pub(super) fn count(store: &SharedStore, sql: &str) -> i64 {
    lock(store).conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_import_previews_applies_in_one_batch_and_undoes_whole() {
    use crate::clients::{ClientDraft, create_client};
    let (_sim, store, xero, _) = connected().await;
    {
        let mut store = lock(&store);
        crate::practice::set_up_for_tests(&mut store);
        // A local client the organisation has as "Harbourside Cafe Pty Ltd" (and a near twin).
        create_client(
            &mut store,
            &ClientDraft {
                display_name: "Harbourside Cafe".into(),
                ..ClientDraft::blank()
            },
        )
        .unwrap();
    }
    pull_contacts(&store, &xero, &AtomicBool::new(false), |_| {})
        .await
        .unwrap();
    let options = FirstImportOptions {
        include_non_customers: true,
        include_suppliers: false,
    };
    let before = (
        count(&store, "SELECT count(*) FROM changes"),
        count(&store, "SELECT count(*) FROM clients"),
    );
    let tables_before = super::sync_sim::local_tables(&store);
    let preview = preview_first_import(&lock(&store), options).unwrap();
    assert_eq!(
        count(&store, "SELECT count(*) FROM changes"),
        before.0,
        "a preview writes nothing"
    );
    let mirrored = count(&store, "SELECT count(*) FROM xero_contacts");
    assert_eq!(preview.contacts.len() as i64, mirrored);
    assert_eq!(
        i64::from(
            preview.links
                + preview.new_clients
                + preview.new_prospects
                + preview.reviews
                + preview.skipped
        ),
        mirrored
    );
    assert!(
        preview.new_prospects + preview.new_clients > 0,
        "{preview:?}"
    );
    // The Harbourside contacts are the local client's, to link or review: never new clients.
    for plan in preview
        .contacts
        .iter()
        .filter(|p| p.contact_name.starts_with("Harbourside"))
    {
        assert!(
            matches!(plan.action, ImportAction::Link | ImportAction::Review),
            "{plan:?}"
        );
        assert!(!plan.reason.is_empty());
    }

    let result = apply_first_import(&mut lock(&store), options).unwrap();
    assert_eq!(result.links, preview.links);
    assert_eq!(result.new_clients, preview.new_clients);
    assert_eq!(result.new_prospects, preview.new_prospects);
    let created = i64::from(result.new_clients + result.new_prospects);
    assert_eq!(
        count(&store, "SELECT count(*) FROM clients"),
        before.1 + created
    );
    assert_eq!(
        count(&store, "SELECT count(*) FROM xero_links"),
        i64::from(result.links) + created
    );
    // The board shows every client once, in one state.
    let board = connections_board(&lock(&store)).unwrap();
    assert_eq!(
        board.rows.len() as i64,
        count(&store, "SELECT count(*) FROM clients")
    );
    assert_eq!(
        (board.linked + board.not_linked + board.needs_review + board.archived_in_xero) as usize,
        board.rows.len()
    );
    assert!(i64::from(board.linked) >= created, "{board:?}");
    let harbourside = board
        .rows
        .iter()
        .find(|r| r.client_name == "Harbourside Cafe")
        .unwrap();
    assert!(
        matches!(
            harbourside.state,
            BoardState::Linked | BoardState::NeedsReview
        ),
        "{harbourside:?}"
    );
    // Nothing matched twice: an import that is run again finds nothing new to create.
    let again = preview_first_import(&lock(&store), options).unwrap();
    assert_eq!(
        (again.new_clients, again.new_prospects),
        (0, 0),
        "{again:?}"
    );

    let undone = undo_first_import(&mut lock(&store), &result.batch).unwrap();
    assert_eq!(
        undone,
        result.links + result.new_clients + result.new_prospects
    );
    assert_eq!(count(&store, "SELECT count(*) FROM clients"), before.1);
    assert_eq!(count(&store, "SELECT count(*) FROM xero_links"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM xero_review"), 0);
    assert_eq!(
        super::sync_sim::local_tables(&store),
        tables_before,
        "clients, links and review items exactly as before the import"
    );
    let twice = undo_first_import(&mut lock(&store), &result.batch).unwrap_err();
    assert_eq!(twice.code(), ErrorCode::AlreadyDone);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_is_created_in_xero_only_when_nothing_there_may_be_the_client() {
    use crate::clients::{ClientDraft, create_client};
    let (_sim, store, xero, _) = connected().await;
    let (harbourside, brand_new) = {
        let mut store = lock(&store);
        crate::practice::set_up_for_tests(&mut store);
        let mut client = |name: &str, email: &str| {
            create_client(
                &mut store,
                &ClientDraft {
                    display_name: name.into(),
                    email: email.into(),
                    ..ClientDraft::blank()
                },
            )
            .unwrap()
            .id
        };
        (
            client("Harbourside Cafe", ""),
            client("Brand New Bookshop", "hello@brandnew.example"),
        )
    };
    // Xero has "Harbourside Cafe" (and "… Pty Ltd"): refused, with the suggestions and why.
    let refused = create_xero_contact(&store, &xero, harbourside, false)
        .await
        .unwrap_err();
    let message = refused.to_string();
    assert_eq!(refused.report().fields[0].field, "contact_id");
    assert!(message.contains("\u{201c}Harbourside Cafe"), "{message}");
    assert!(message.contains("Link to it instead"), "{message}");
    let contacts_before = count(&store, "SELECT count(*) FROM xero_contacts");

    // Nothing like the bookshop: created with our client id as ContactNumber, and linked.
    let link = create_xero_contact(&store, &xero, brand_new, false)
        .await
        .unwrap();
    assert_eq!(link.client_id, brand_new);
    let made = mirrored_contact(&lock(&store), &link.contact_id)
        .unwrap()
        .unwrap();
    assert_eq!(made.name, "Brand New Bookshop");
    assert_eq!(
        made.contact_number.as_deref(),
        Some(brand_new.to_string().as_str())
    );
    assert_eq!(made.email.as_deref(), Some("hello@brandnew.example"));
    assert_eq!(
        count(&store, "SELECT count(*) FROM xero_contacts"),
        contacts_before + 1
    );
    // Asked again: already linked, nothing created.
    let again = create_xero_contact(&store, &xero, brand_new, false)
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::AlreadyDone);
    // A client sharing an email with a contact under another name: refused until the
    // bookkeeper confirms it is a different business, then created.
    let (email, contact_name): (String, String) = lock(&store)
        .conn()
        .query_row(
            "SELECT email, name FROM xero_contacts WHERE email LIKE '%@%' AND status = 'ACTIVE'
             ORDER BY name LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let sharing = create_client(
        &mut lock(&store),
        &ClientDraft {
            display_name: "Quay Street Partners".into(),
            email,
            ..ClientDraft::blank()
        },
    )
    .unwrap()
    .id;
    let refused = create_xero_contact(&store, &xero, sharing, false)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains(&contact_name), "{refused}");
    let confirmed = create_xero_contact(&store, &xero, sharing, true)
        .await
        .unwrap();
    assert_eq!(
        confirmed.contact_name.as_deref(),
        Some("Quay Street Partners")
    );
}
