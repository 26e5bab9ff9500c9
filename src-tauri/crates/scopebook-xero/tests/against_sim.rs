//! The client against `xero-sim` over real HTTP on 127.0.0.1: the OAuth loopback flow, paging,
//! If-Modified-Since, limits and the daily budget, faults, idempotent retries, uncertain
//! outcomes, chunked look-ups, batched and partial writes, and refresh-token rotation.

// A failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use scopebook_xero::models::{Contact, ContactRef, Invoice, LineItem};
use scopebook_xero::{
    CallLog, ContactQuery, InvoiceQuery, MemoryCallLog, MemoryTokenStore, RetryPolicy, Session,
    TokenStore, XeroClient, XeroConfig, XeroError, XeroUrls, begin_authorization,
};
use xero_sim::{SimConfig, SimHandle};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config_for(sim: &SimHandle) -> XeroConfig {
    let mut config = XeroConfig::new(sim.client_id(), XeroUrls::simulator(&sim.base_url()));
    config.redirect_ports = vec![free_port(), free_port()];
    // Xero (and the simulator) accept only the redirect URIs registered for the app.
    for port in &config.redirect_ports {
        sim.register_redirect_uri(&format!("http://localhost:{port}/callback"));
    }
    config.retry = RetryPolicy {
        attempts: 4,
        backoff: Duration::from_millis(20),
        max_wait: Duration::from_secs(2),
    };
    config.timeout = Duration::from_secs(5);
    config
}

/// Plays the browser: opens the authorize URL, follows Xero's redirect to the loopback.
async fn browse(url: &str) -> reqwest::StatusCode {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap();
    http.get(url).send().await.unwrap().status()
}

async fn admin(sim: &SimHandle, path: &str, body: serde_json::Value) {
    let status = reqwest::Client::new()
        .post(format!("{}/{path}", sim.admin_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "admin {path}: {status}");
}

struct Connected {
    client: XeroClient,
    store: Arc<MemoryTokenStore>,
    tenant: String,
}

async fn connect(sim: &SimHandle, config: XeroConfig) -> Connected {
    let authorization = begin_authorization(&config).await.unwrap();
    let url = authorization.url().to_string();
    let (tokens, status) =
        tokio::join!(authorization.finish(Duration::from_secs(10)), browse(&url));
    assert!(status.is_success(), "the browser ended on {status}");
    let store = Arc::new(MemoryTokenStore::new());
    let session = Arc::new(Session::new(config, store.clone()).unwrap());
    session.start(tokens.unwrap()).await.unwrap();
    let client = XeroClient::new(session).unwrap();
    // The demo organisation: the one with ~50 contacts, near-duplicates among them.
    let tenant = xero_sim::seed::DEMO_COMPANY_AU.to_string();
    assert!(
        client
            .connections()
            .await
            .unwrap()
            .iter()
            .any(|o| o.tenant_id == tenant)
    );
    let _ = sim;
    Connected {
        client,
        store,
        tenant,
    }
}

async fn started(config: SimConfig) -> SimHandle {
    xero_sim::start(config).await.unwrap()
}

fn auto() -> SimConfig {
    SimConfig {
        auto_approve: true,
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn the_loopback_flow_connects_and_lists_the_organisations() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let organisations = c.client.connections().await.unwrap();
    assert!(organisations.len() >= 2, "{organisations:?}");
    assert!(
        organisations
            .iter()
            .all(|o| o.tenant_type == "ORGANISATION")
    );
    let org = c.client.organisation(&c.tenant).await.unwrap();
    assert!(!org.name.is_empty());
    assert!(c.client.last_call().is_some());
    let tokens = c.store.load().unwrap().unwrap();
    assert!(!tokens.refresh_token.is_empty());
}

#[tokio::test]
async fn a_callback_with_the_wrong_state_is_refused_and_the_real_one_still_works() {
    let sim = started(auto()).await;
    let config = config_for(&sim);
    let authorization = begin_authorization(&config).await.unwrap();
    let forged = format!(
        "{}?code=stolen&state=not-ours",
        authorization.redirect_uri()
    );
    let url = authorization.url().to_string();
    let waiting = tokio::spawn(authorization.finish(Duration::from_secs(10)));
    let forged_status = reqwest::get(&forged).await.unwrap().status();
    assert_eq!(forged_status, reqwest::StatusCode::BAD_REQUEST);
    assert!(browse(&url).await.is_success());
    assert!(waiting.await.unwrap().is_ok());
}

#[tokio::test]
async fn no_browser_answer_times_out_with_a_clear_error() {
    let sim = started(auto()).await;
    let authorization = begin_authorization(&config_for(&sim)).await.unwrap();
    let err = authorization
        .finish(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no answer from Xero in time"),
        "{err}"
    );
}

#[tokio::test]
async fn contacts_page_and_honour_if_modified_since() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let first = c
        .client
        .contacts(
            &c.tenant,
            &ContactQuery {
                page: Some(1),
                page_size: Some(10),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(first.items.len(), 10);
    let pagination = first.pagination.unwrap();
    assert!(pagination.page_count >= 4, "{pagination:?}");
    let mut seen = 0;
    for page in 1..=pagination.page_count {
        let batch = c
            .client
            .contacts(
                &c.tenant,
                &ContactQuery {
                    page: Some(page),
                    page_size: Some(10),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        seen += batch.items.len();
    }
    let all = c.client.all_contacts(&c.tenant, None, false).await.unwrap();
    assert_eq!(seen, all.len());
    assert_eq!(pagination.item_count as usize, all.len());

    // Only what changed after the newest seeded contact comes back once one is added.
    let newest = all.iter().filter_map(|x| x.updated_date_utc).max().unwrap();
    let created = c
        .client
        .create_contacts(
            &c.tenant,
            &[Contact {
                name: "Brand New Client Pty Ltd".into(),
                ..Default::default()
            }],
            None,
        )
        .await
        .unwrap();
    assert!(
        created[0].validation_errors.is_empty(),
        "{:?}",
        created[0].validation_errors
    );
    let changed = c
        .client
        .all_contacts(&c.tenant, Some(newest), false)
        .await
        .unwrap();
    assert!(
        changed.iter().any(|x| x.name == "Brand New Client Pty Ltd"),
        "{changed:?}"
    );
    // If-Modified-Since has whole seconds: only what changed in that last second may repeat.
    for contact in &changed {
        let updated = contact.updated_date_utc.unwrap();
        assert!(
            updated >= newest - chrono::Duration::seconds(1),
            "{} at {updated}",
            contact.name
        );
    }
    assert!(changed.len() < all.len());

    let found = c
        .client
        .contacts(
            &c.tenant,
            &ContactQuery {
                search_term: Some("brand new".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
}

#[tokio::test]
async fn a_duplicate_contact_name_comes_back_as_that_elements_error() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let existing = c.client.all_contacts(&c.tenant, None, false).await.unwrap()[0]
        .name
        .clone();
    let reply = c
        .client
        .create_contacts(
            &c.tenant,
            &[
                Contact {
                    name: existing.clone(),
                    ..Default::default()
                },
                Contact {
                    name: "Unique Name For This Test".into(),
                    ..Default::default()
                },
            ],
            None,
        )
        .await
        .unwrap();
    assert!(!reply[0].validation_errors.is_empty());
    assert!(
        reply[0].validation_errors[0]
            .message
            .contains("already assigned"),
        "{:?}",
        reply[0].validation_errors
    );
    assert!(reply[1].validation_errors.is_empty());
    assert!(reply[1].contact_id.is_some());
}

async fn accounts_requests(sim: &SimHandle) -> u64 {
    let stats: serde_json::Value = reqwest::get(format!("{}/stats", sim.admin_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["requests"]["GET /api.xro/2.0/Accounts"]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn the_client_holds_requests_when_xero_says_the_minute_is_spent() {
    let sim = started(SimConfig {
        limits: xero_sim::Limits {
            per_minute: 3,
            ..xero_sim::Limits::default()
        },
        ..auto()
    })
    .await;
    let c = connect(&sim, config_for(&sim)).await;
    for _ in 0..3 {
        c.client.accounts(&c.tenant).await.unwrap();
    }
    // X-MinLimit-Remaining said 0: the fourth waits for the window instead of earning a 429.
    let fourth = tokio::time::timeout(Duration::from_secs(2), c.client.accounts(&c.tenant)).await;
    assert!(fourth.is_err(), "the fourth request went out at once");
    assert_eq!(accounts_requests(&sim).await, 3);
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    let sim = started(SimConfig {
        limits: xero_sim::Limits {
            concurrent: 1,
            ..xero_sim::Limits::default()
        },
        ..auto()
    })
    .await;
    let c = connect(&sim, config_for(&sim)).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "delay", "count": 3, "delay_ms": 300 }),
    )
    .await;
    let started_at = std::time::Instant::now();
    let (a, b, d) = tokio::join!(
        c.client.accounts(&c.tenant),
        c.client.accounts(&c.tenant),
        c.client.accounts(&c.tenant)
    );
    assert!(a.is_ok() && b.is_ok() && d.is_ok(), "{a:?} {b:?} {d:?}");
    // Xero answered 429 "concurrent" with Retry-After: 1, and the client waited it out.
    assert!(
        started_at.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started_at.elapsed()
    );
    assert!(accounts_requests(&sim).await > 3);
}

#[tokio::test]
async fn the_daily_limit_is_reported_not_waited_for() {
    let sim = started(SimConfig {
        limits: xero_sim::Limits {
            per_day: 2,
            ..xero_sim::Limits::default()
        },
        ..auto()
    })
    .await;
    let c = connect(&sim, config_for(&sim)).await;
    let mut outcome = Ok(());
    for _ in 0..3 {
        outcome = c.client.accounts(&c.tenant).await.map(|_| ());
    }
    match outcome {
        Err(
            err @ XeroError::RateLimited {
                problem: scopebook_xero::LimitProblem::Day,
                ..
            },
        ) => {
            assert!(err.to_string().contains("daily limit"), "{err}");
        }
        other => panic!("expected the daily limit, got {other:?}"),
    }
}

#[tokio::test]
async fn a_plain_text_503_is_retried_then_reported_in_words() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "plain_503", "count": 2 }),
    )
    .await;
    assert!(!c.client.accounts(&c.tenant).await.unwrap().is_empty());

    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "plain_503", "count": 10 }),
    )
    .await;
    let err = c.client.accounts(&c.tenant).await.unwrap_err();
    assert!(matches!(err, XeroError::Unavailable { .. }), "{err:?}");
    assert!(err.to_string().contains("503"), "{err}");
    reqwest::Client::new()
        .delete(format!("{}/faults", sim.admin_url()))
        .send()
        .await
        .unwrap();
}

fn invoice(contact_id: &str, reference: &str) -> Invoice {
    Invoice {
        invoice_type: "ACCREC".into(),
        contact: ContactRef {
            contact_id: Some(contact_id.into()),
            name: None,
        },
        line_items: vec![LineItem {
            description: Some("Monthly bookkeeping".into()),
            quantity: Some(Decimal::ONE),
            unit_amount: Some("425.00".parse().unwrap()),
            account_code: Some("200".into()),
            tax_type: Some("OUTPUT".into()),
            ..Default::default()
        }],
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
        due_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 15),
        line_amount_types: Some("Exclusive".into()),
        reference: Some(reference.into()),
        status: Some("DRAFT".into()),
        ..Default::default()
    }
}

async fn a_contact(c: &Connected) -> String {
    c.client.all_contacts(&c.tenant, None, false).await.unwrap()[0]
        .contact_id
        .clone()
        .unwrap()
}

async fn invoices_with_reference(c: &Connected, reference: &str) -> Vec<Invoice> {
    c.client
        .invoices(
            &c.tenant,
            &InvoiceQuery {
                reference: Some(reference.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items
}

#[tokio::test]
async fn a_lost_reply_with_an_idempotency_key_is_retried_and_lands_once() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let contact = a_contact(&c).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "drop_after_commit", "count": 1 }),
    )
    .await;
    let created = c
        .client
        .create_invoices(
            &c.tenant,
            &[invoice(&contact, "SB-2026-11-C1")],
            Some("post-2026-11-c1"),
        )
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].total, Some("467.50".parse().unwrap()));
    assert_eq!(invoices_with_reference(&c, "SB-2026-11-C1").await.len(), 1);
}

#[tokio::test]
async fn a_lost_reply_without_a_key_is_uncertain_and_found_by_reference() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let contact = a_contact(&c).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "drop_after_commit", "count": 1 }),
    )
    .await;
    let err = c
        .client
        .create_invoices(&c.tenant, &[invoice(&contact, "SB-2026-11-C2")], None)
        .await
        .unwrap_err();
    assert!(matches!(err, XeroError::Uncertain { .. }), "{err:?}");
    // The write did happen: looking it up before any resend finds it.
    assert_eq!(invoices_with_reference(&c, "SB-2026-11-C2").await.len(), 1);
}

#[tokio::test]
async fn a_500_on_a_keyed_write_is_retried_without_billing_twice() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let contact = a_contact(&c).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "status_500", "count": 1 }),
    )
    .await;
    c.client
        .create_invoices(
            &c.tenant,
            &[invoice(&contact, "SB-2026-11-C3")],
            Some("post-2026-11-c3"),
        )
        .await
        .unwrap();
    // The same key again (a re-run of the month) replays instead of creating another.
    c.client
        .create_invoices(
            &c.tenant,
            &[invoice(&contact, "SB-2026-11-C3")],
            Some("post-2026-11-c3"),
        )
        .await
        .unwrap();
    assert_eq!(invoices_with_reference(&c, "SB-2026-11-C3").await.len(), 1);
}

#[tokio::test]
async fn invalid_invoices_come_back_with_xeros_reasons() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let contact = a_contact(&c).await;
    let mut bad = invoice(&contact, "SB-BAD");
    bad.line_items[0].account_code = Some("999999".into());
    let reply = c
        .client
        .create_invoices(&c.tenant, &[bad], None)
        .await
        .unwrap();
    assert_eq!(reply[0].has_errors, Some(true));
    assert!(!reply[0].validation_errors.is_empty());
}

#[tokio::test]
async fn a_crash_between_refresh_and_store_recovers_within_the_grace_window() {
    let sim = started(SimConfig {
        access_token_ttl: Duration::from_secs(2),
        ..auto()
    })
    .await;
    let config = config_for(&sim);
    let c = connect(&sim, config.clone()).await;
    let stored = c.store.load().unwrap().unwrap();

    // Another process refreshed (Xero rotated the refresh token) and died before storing.
    let rotated = reqwest::Client::new()
        .post(sim.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", stored.refresh_token.as_str()),
            ("client_id", sim.client_id()),
        ])
        .send()
        .await
        .unwrap();
    assert!(rotated.status().is_success());

    // A new session starts from what the store still holds (the old refresh token).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let session = Arc::new(Session::new(config, c.store.clone()).unwrap());
    let client = XeroClient::new(session).unwrap();
    assert!(!client.accounts(&c.tenant).await.unwrap().is_empty());
    let after = c.store.load().unwrap().unwrap();
    assert_ne!(
        after.refresh_token, stored.refresh_token,
        "the new refresh token was stored"
    );
    assert_ne!(after.access_token, stored.access_token);
}

#[tokio::test]
async fn after_the_grace_window_the_old_refresh_token_is_refused() {
    let sim = started(SimConfig {
        access_token_ttl: Duration::from_secs(1),
        refresh_grace: Duration::from_millis(300),
        ..auto()
    })
    .await;
    let config = config_for(&sim);
    let c = connect(&sim, config.clone()).await;
    let stored = c.store.load().unwrap().unwrap();
    reqwest::Client::new()
        .post(sim.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", stored.refresh_token.as_str()),
            ("client_id", sim.client_id()),
        ])
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let session = Arc::new(Session::new(config, c.store.clone()).unwrap());
    let err = XeroClient::new(session)
        .unwrap()
        .accounts(&c.tenant)
        .await
        .unwrap_err();
    assert!(matches!(err, XeroError::Unauthorised), "{err:?}");
}

#[tokio::test]
async fn revoked_tokens_ask_the_user_to_connect_again() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    admin(&sim, "revoke", serde_json::json!({})).await;
    let err = c.client.accounts(&c.tenant).await.unwrap_err();
    assert!(matches!(err, XeroError::Unauthorised), "{err:?}");
    assert!(err.to_string().contains("Connect to Xero again"));
}

#[tokio::test]
async fn sign_out_revokes_and_forgets() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let old = c.store.load().unwrap().unwrap();
    c.client.session().sign_out().await.unwrap();
    assert!(c.store.load().unwrap().is_none());
    let refused = reqwest::Client::new()
        .post(sim.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", old.refresh_token.as_str()),
            ("client_id", sim.client_id()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);
    assert!(matches!(
        c.client.accounts(&c.tenant).await.unwrap_err(),
        XeroError::NotConnected
    ));
}

async fn requests(sim: &SimHandle, key: &str) -> u64 {
    let stats: serde_json::Value = reqwest::get(format!("{}/stats", sim.admin_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["requests"][key].as_u64().unwrap_or(0)
}

/// Connects with its own call log, as the app and the CLI do with the database.
async fn connect_with_log(sim: &SimHandle, config: XeroConfig, log: Arc<dyn CallLog>) -> Connected {
    let c = connect(sim, config.clone()).await;
    let session = Arc::new(Session::new(config, c.store.clone()).unwrap());
    Connected {
        client: XeroClient::with_call_log(session, log).unwrap(),
        store: c.store,
        tenant: c.tenant,
    }
}

#[tokio::test]
async fn every_call_is_recorded_with_its_organisation_status_and_duration() {
    let sim = started(auto()).await;
    let log = Arc::new(MemoryCallLog::new());
    let c = connect_with_log(&sim, config_for(&sim), log.clone()).await;
    c.client.accounts(&c.tenant).await.unwrap();
    let _ = c
        .client
        .contacts(
            &c.tenant,
            &ContactQuery {
                ids: vec!["not-an-id".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    let calls = log.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].tenant_id.as_deref(), Some(c.tenant.as_str()));
    assert_eq!(calls[0].method, "GET");
    assert_eq!(calls[0].path, "/api.xro/2.0/Accounts");
    assert_eq!(calls[0].status, Some(200));
    assert_eq!(calls[1].path, "/api.xro/2.0/Contacts");
    assert_eq!(calls[1].status, Some(400));
    assert!(calls[0].at <= calls[1].at);
    assert_eq!(c.client.calls_left_today(&c.tenant).unwrap(), 1000 - 2);
}

#[tokio::test]
async fn the_daily_budget_is_shared_by_every_client_of_one_log() {
    let sim = started(auto()).await;
    let mut config = config_for(&sim);
    config.limits.per_day = 3;
    // The app and the CLI: two clients, one record of calls (the database).
    let log: Arc<dyn CallLog> = Arc::new(MemoryCallLog::new());
    let app = connect_with_log(&sim, config.clone(), log.clone()).await;
    let cli = connect_with_log(&sim, config, log).await;
    app.client.accounts(&app.tenant).await.unwrap();
    cli.client.accounts(&cli.tenant).await.unwrap();
    app.client.accounts(&app.tenant).await.unwrap();
    let err = cli.client.accounts(&cli.tenant).await.unwrap_err();
    match &err {
        XeroError::DailyBudgetSpent { budget: 3, until } => {
            assert!(*until > chrono::Utc::now() + chrono::Duration::hours(23));
        }
        other => panic!("expected the daily budget, got {other:?}"),
    }
    assert!(err.to_string().contains("3 calls"), "{err}");
    assert_eq!(accounts_requests(&sim).await, 3);
}

#[tokio::test]
async fn after_xeros_daily_429_later_calls_fail_at_once_with_the_time() {
    let sim = started(SimConfig {
        limits: xero_sim::Limits {
            per_day: 1,
            ..xero_sim::Limits::default()
        },
        ..auto()
    })
    .await;
    let c = connect(&sim, config_for(&sim)).await;
    c.client.accounts(&c.tenant).await.unwrap();
    for _ in 0..2 {
        let err = tokio::time::timeout(Duration::from_secs(2), c.client.tax_rates(&c.tenant))
            .await
            .expect("must not wait a day")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("daily limit"), "{text}");
        assert!(
            text.contains("Xero asked Scopebook to wait until"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_missing_scope_names_the_permission_and_keeps_the_connection() {
    let sim = started(auto()).await;
    let mut config = config_for(&sim);
    config.scopes.retain(|s| s != "accounting.invoices");
    let c = connect(&sim, config).await;
    let before = c.store.load().unwrap().unwrap();
    let err = c
        .client
        .invoices(&c.tenant, &InvoiceQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, XeroError::PermissionMissing { permission, .. } if permission == "accounting.invoices"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("Connect to Xero again"), "{err}");
    // No refresh was attempted: the stored tokens are the same.
    assert_eq!(c.store.load().unwrap().unwrap(), before);
    // What the connection may do still works.
    assert!(!c.client.accounts(&c.tenant).await.unwrap().is_empty());
}

#[tokio::test]
async fn more_than_40_ids_are_looked_up_in_chunks_and_all_found() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let all = c.client.all_contacts(&c.tenant, None, false).await.unwrap();
    assert!(
        all.len() > 40,
        "the demo organisation has {} contacts",
        all.len()
    );
    let ids: Vec<String> = all.iter().filter_map(|x| x.contact_id.clone()).collect();
    let before = requests(&sim, "GET /api.xro/2.0/Contacts").await;
    let found = c
        .client
        .contacts(
            &c.tenant,
            &ContactQuery {
                ids: ids.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.items.len(), ids.len());
    let sent = requests(&sim, "GET /api.xro/2.0/Contacts").await - before;
    assert_eq!(sent, ids.len().div_ceil(40) as u64);
}

#[tokio::test]
async fn more_than_50_contacts_are_written_in_batches() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let new: Vec<Contact> = (0..60)
        .map(|i| Contact {
            name: format!("Batch Client {i:02}"),
            ..Default::default()
        })
        .collect();
    let created = c
        .client
        .create_contacts(&c.tenant, &new, Some("batch-run-1"))
        .await
        .unwrap();
    assert_eq!(created.len(), 60);
    assert!(created.iter().all(|x| x.contact_id.is_some()));
    assert_eq!(requests(&sim, "PUT /api.xro/2.0/Contacts").await, 2);
}

#[tokio::test]
async fn a_partial_contact_update_changes_only_what_it_names() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let existing = c.client.all_contacts(&c.tenant, None, false).await.unwrap()[0].clone();
    let updated = c
        .client
        .update_contacts(
            &c.tenant,
            &[Contact {
                contact_id: existing.contact_id.clone(),
                email_address: Some("new-accounts@example.com".into()),
                ..Default::default()
            }],
            None,
        )
        .await
        .unwrap();
    assert!(
        updated[0].validation_errors.is_empty(),
        "{:?}",
        updated[0].validation_errors
    );
    let after = c
        .client
        .contacts(
            &c.tenant,
            &ContactQuery {
                ids: vec![existing.contact_id.clone().unwrap()],
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(after.name, existing.name);
    assert_eq!(
        after.email_address.as_deref(),
        Some("new-accounts@example.com")
    );
}

#[tokio::test]
async fn a_partial_invoice_update_keeps_the_lines_and_four_decimal_prices_survive() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let contact = a_contact(&c).await;
    let mut draft = invoice(&contact, "SB-UNITDP");
    draft.line_items[0].quantity = Some(Decimal::from(3));
    draft.line_items[0].unit_amount = Some("12.3456".parse().unwrap());
    let created = c
        .client
        .create_invoices(&c.tenant, &[draft], None)
        .await
        .unwrap();
    assert!(
        created[0].validation_errors.is_empty(),
        "{:?}",
        created[0].validation_errors
    );
    assert_eq!(
        created[0].line_items[0].unit_amount,
        Some("12.3456".parse().unwrap())
    );
    // 3 × 12.3456 = 37.0368 → 37.04 (with 2 decimals Xero would bill 3 × 12.35 = 37.05).
    assert_eq!(created[0].sub_total, Some("37.04".parse().unwrap()));

    let id = created[0].invoice_id.clone().unwrap();
    let updated = c
        .client
        .update_invoices(
            &c.tenant,
            &[Invoice {
                invoice_id: Some(id.clone()),
                reference: Some("SB-UNITDP-RENAMED".into()),
                ..Default::default()
            }],
            None,
        )
        .await
        .unwrap();
    assert!(
        updated[0].validation_errors.is_empty(),
        "{:?}",
        updated[0].validation_errors
    );
    let read = c
        .client
        .invoices(
            &c.tenant,
            &InvoiceQuery {
                ids: vec![id],
                page: Some(1),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(read.reference.as_deref(), Some("SB-UNITDP-RENAMED"));
    assert_eq!(read.line_items.len(), 1);
    assert_eq!(
        read.line_items[0].unit_amount,
        Some("12.3456".parse().unwrap())
    );
}

#[tokio::test]
async fn a_keyed_write_that_keeps_failing_with_500_is_uncertain() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let contact = a_contact(&c).await;
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "status_500", "count": 10 }),
    )
    .await;
    let err = c
        .client
        .create_invoices(
            &c.tenant,
            &[invoice(&contact, "SB-2026-11-C9")],
            Some("post-2026-11-c9"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, XeroError::Uncertain { .. }), "{err:?}");
    assert!(!err.to_string().contains("Nothing was changed"), "{err}");
}

#[tokio::test]
async fn the_same_key_sent_twice_at_once_lands_once() {
    let sim = started(auto()).await;
    let c = connect(&sim, config_for(&sim)).await;
    let contact = a_contact(&c).await;
    // The first request is slow; the second, with the same key, meets Xero's 409 "in progress"
    // and waits for the first one's answer instead of failing.
    admin(
        &sim,
        "faults",
        serde_json::json!({ "kind": "delay", "count": 1, "delay_ms": 150 }),
    )
    .await;
    let one = [invoice(&contact, "SB-2026-11-C10")];
    let (a, b) = tokio::join!(
        c.client
            .create_invoices(&c.tenant, &one, Some("post-2026-11-c10")),
        async {
            tokio::time::sleep(Duration::from_millis(30)).await;
            c.client
                .create_invoices(&c.tenant, &one, Some("post-2026-11-c10"))
                .await
        }
    );
    assert!(a.is_ok(), "{a:?}");
    assert!(b.is_ok(), "{b:?}");
    assert_eq!(invoices_with_reference(&c, "SB-2026-11-C10").await.len(), 1);
}

#[tokio::test]
async fn a_refresh_token_rotated_by_another_process_is_picked_up() {
    let sim = started(SimConfig {
        access_token_ttl: Duration::from_secs(1),
        refresh_grace: Duration::from_millis(300),
        ..auto()
    })
    .await;
    let config = config_for(&sim);
    let c = connect(&sim, config.clone()).await;
    let issued = c.store.load().unwrap().unwrap().refresh_issued_at;
    assert!(issued.is_some(), "the refresh token's issue time is kept");
    let age = c
        .client
        .session()
        .refresh_token_age()
        .await
        .unwrap()
        .unwrap();
    assert!(age < chrono::Duration::minutes(1), "{age}");

    // The app and the CLI: two sessions over one keychain entry, both with tokens loaded.
    let app = XeroClient::new(Arc::new(
        Session::new(config.clone(), c.store.clone()).unwrap(),
    ))
    .unwrap();
    let cli = XeroClient::new(Arc::new(Session::new(config, c.store.clone()).unwrap())).unwrap();
    app.accounts(&c.tenant).await.unwrap();
    cli.accounts(&c.tenant).await.unwrap();
    // The access token expires; the CLI refreshes first (Xero rotates the refresh token) …
    tokio::time::sleep(Duration::from_millis(1100)).await;
    cli.accounts(&c.tenant).await.unwrap();
    // … and after the grace period the app's refresh token is refused: it reads the keychain
    // again and carries on with the CLI's.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(!app.accounts(&c.tenant).await.unwrap().is_empty());
    let newer = c.store.load().unwrap().unwrap().refresh_issued_at;
    assert!(newer > issued);
}
