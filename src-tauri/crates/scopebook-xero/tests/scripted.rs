//! The client over real HTTP against a scripted server on 127.0.0.1 that answers exactly what a
//! test tells it to, for Xero's answers the simulator has no switch for (a 401
//! `AuthorizationUnsuccessful`, a 409, a `Retry-After` of an hour) and to see exactly what the
//! client sent.

// A failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use scopebook_xero::models::{Contact, Invoice};
use scopebook_xero::{
    ContactQuery, InvoiceQuery, MemoryTokenStore, RetryPolicy, Session, TokenSet, XeroClient,
    XeroConfig, XeroError, XeroUrls,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

#[derive(Clone, Default)]
struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Script {
    fn then(&self, reply: Reply) -> &Self {
        self.replies.lock().unwrap().push_back(reply);
        self
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Starts the server; every request gets the next scripted reply (then `200 {}`).
async fn serve() -> (String, Script) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let script = Script::default();
    let shared = script.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let script = shared.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
                let mut lines = head.lines();
                let mut first = lines.next().unwrap_or_default().split_whitespace();
                let method = first.next().unwrap_or_default().to_string();
                let target = first.next().unwrap_or_default().to_string();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while buffer.len() < head_end + length {
                    let n = stream.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                }
                script.seen.lock().unwrap().push(Seen {
                    method,
                    target,
                    headers,
                });
                let next = script.replies.lock().unwrap().pop_front();
                let reply = next.unwrap_or_else(|| reply(200, "{}"));
                let mut text = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                    reply.status,
                    reply.body.len()
                );
                for (name, value) in &reply.headers {
                    text.push_str(&format!("{name}: {value}\r\n"));
                }
                text.push_str("\r\n");
                text.push_str(&reply.body);
                let _ = stream.write_all(text.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (base, script)
}

const TENANT: &str = "11111111-2222-3333-4444-555555555555";

async fn client(base: &str) -> XeroClient {
    let mut config = XeroConfig::new("CLIENT", XeroUrls::simulator(base));
    config.retry = RetryPolicy {
        attempts: 3,
        backoff: Duration::from_millis(10),
        max_wait: Duration::from_secs(2),
    };
    config.timeout = Duration::from_secs(5);
    let store = Arc::new(MemoryTokenStore::new());
    let session = Arc::new(Session::new(config, store).unwrap());
    session
        .start(TokenSet {
            access_token: "access".into(),
            refresh_token: "refresh".into(),
            expires_at: Utc::now() + chrono::Duration::hours(1),
            scope: None,
            refresh_issued_at: Some(Utc::now()),
        })
        .await
        .unwrap();
    XeroClient::new(session).unwrap()
}

fn contact(name: &str) -> Contact {
    Contact {
        name: name.into(),
        ..Contact::default()
    }
}

#[tokio::test]
async fn if_modified_since_is_sent_in_xeros_utc_form() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    let since = Utc.with_ymd_and_hms(2026, 11, 3, 9, 5, 7).unwrap();
    xero.contacts(
        TENANT,
        &ContactQuery {
            modified_since: Some(since),
            ..ContactQuery::default()
        },
    )
    .await
    .unwrap();
    let seen = script.seen();
    assert_eq!(
        seen[0].header("if-modified-since"),
        Some("2026-11-03T09:05:07")
    );
}

#[tokio::test]
async fn a_missing_permission_is_named_and_never_refreshes_the_token() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    script.then(reply(
        401,
        r#"{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"AuthorizationUnsuccessful"}"#,
    ));
    let err = xero
        .invoices(TENANT, &InvoiceQuery::default())
        .await
        .unwrap_err();
    match &err {
        XeroError::PermissionMissing { permission, .. } => {
            assert_eq!(permission, "accounting.invoices")
        }
        other => panic!("expected a missing permission, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("accounting.invoices"), "{text}");
    assert!(text.contains("read invoices"), "{text}");
    assert!(!text.contains("Connect to Xero again"), "{text}");
    let seen = script.seen();
    assert_eq!(seen.len(), 1, "no token refresh, no retry: {seen:?}");
}

#[tokio::test]
async fn a_long_retry_after_is_reported_at_once_and_later_calls_do_not_hang() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    script.then(Reply {
        status: 429,
        headers: vec![
            ("Retry-After", "3600".into()),
            ("X-Rate-Limit-Problem", "minute".into()),
        ],
        body: "{}".into(),
    });
    let in_an_hour = || scopebook_xero::error::at_local(Utc::now() + chrono::Duration::hours(1));
    let before = in_an_hour();
    let first = tokio::time::timeout(Duration::from_secs(2), xero.accounts(TENANT))
        .await
        .expect("the 429 must be reported at once")
        .unwrap_err();
    let after = in_an_hour();
    let text = first.to_string();
    assert!(
        text.contains(&format!("Xero asked Scopebook to wait until {before}"))
            || text.contains(&format!("Xero asked Scopebook to wait until {after}")),
        "{text} (expected {before})"
    );
    let second = tokio::time::timeout(Duration::from_secs(2), xero.accounts(TENANT))
        .await
        .expect("a later call must not hang")
        .unwrap_err();
    assert!(
        matches!(second, XeroError::RateLimited { .. }),
        "{second:?}"
    );
    assert_eq!(script.seen().len(), 1, "the second call was not sent");
}

#[tokio::test]
async fn xeros_day_limit_remaining_is_believed() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    script.then(Reply {
        status: 200,
        headers: vec![("X-DayLimit-Remaining", "0".into())],
        body: r#"{"Accounts":[]}"#.into(),
    });
    xero.accounts(TENANT).await.unwrap();
    let err = xero.accounts(TENANT).await.unwrap_err();
    assert!(
        matches!(
            err,
            XeroError::RateLimited {
                problem: scopebook_xero::LimitProblem::Day,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(script.seen().len(), 1);
}

#[tokio::test]
async fn a_409_on_a_keyed_write_is_uncertain_after_retries() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    for _ in 0..3 {
        script.then(reply(409, r#"{"Title":"Conflict","Status":409}"#));
    }
    let err = xero
        .create_contacts(TENANT, &[contact("Acme")], Some("key-409"))
        .await
        .unwrap_err();
    assert!(matches!(err, XeroError::Uncertain { .. }), "{err:?}");
    assert!(!err.to_string().contains("Nothing was changed"), "{err}");
    let seen = script.seen();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .all(|s| s.header("idempotency-key") == Some("key-409"))
    );
}

#[tokio::test]
async fn a_keyed_write_ending_in_5xx_is_uncertain() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    for _ in 0..3 {
        script.then(reply(503, "Service Unavailable"));
    }
    let err = xero
        .create_invoices(TENANT, &[Invoice::default()], Some("key-503"))
        .await
        .unwrap_err();
    assert!(matches!(err, XeroError::Uncertain { .. }), "{err:?}");
    assert!(!err.to_string().contains("Nothing was changed"), "{err}");
}

#[tokio::test]
async fn an_idempotency_key_over_128_characters_is_refused_before_sending() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    let key = "k".repeat(129);
    let err = xero
        .create_contacts(TENANT, &[contact("Acme")], Some(&key))
        .await
        .unwrap_err();
    assert!(matches!(err, XeroError::InvalidRequest(_)), "{err:?}");
    assert!(script.seen().is_empty());
    // 128 is fine.
    xero.create_contacts(TENANT, &[contact("Acme")], Some(&"k".repeat(128)))
        .await
        .unwrap();
    // With batches, the numbered keys must fit too.
    let many: Vec<Contact> = (0..60).map(|i| contact(&format!("C{i}"))).collect();
    let err = xero
        .create_contacts(TENANT, &many, Some(&"k".repeat(127)))
        .await
        .unwrap_err();
    assert!(matches!(err, XeroError::InvalidRequest(_)), "{err:?}");
    assert_eq!(script.seen().len(), 1);
}

#[tokio::test]
async fn writes_go_in_batches_of_50_with_numbered_keys() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    let many: Vec<Contact> = (0..120).map(|i| contact(&format!("C{i}"))).collect();
    xero.create_contacts(TENANT, &many, Some("run-7"))
        .await
        .unwrap();
    let seen = script.seen();
    assert_eq!(seen.len(), 3);
    let keys: Vec<_> = seen.iter().map(|s| s.header("idempotency-key")).collect();
    assert_eq!(
        keys,
        vec![Some("run-7-1"), Some("run-7-2"), Some("run-7-3")]
    );
}

#[tokio::test]
async fn invoices_are_read_and_written_with_four_decimal_unit_prices() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    xero.invoices(TENANT, &InvoiceQuery::default())
        .await
        .unwrap();
    xero.create_invoices(TENANT, &[Invoice::default()], None)
        .await
        .unwrap();
    let seen = script.seen();
    assert!(seen[0].target.contains("unitdp=4"), "{}", seen[0].target);
    assert!(seen[1].target.contains("unitdp=4"), "{}", seen[1].target);
    assert_eq!(seen[1].method, "PUT");
}

#[tokio::test]
async fn long_id_lists_are_looked_up_in_chunks_of_40() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    let ids: Vec<String> = (0..95)
        .map(|i| format!("00000000-0000-0000-0000-{i:012}"))
        .collect();
    xero.invoices(
        TENANT,
        &InvoiceQuery {
            ids: ids.clone(),
            ..InvoiceQuery::default()
        },
    )
    .await
    .unwrap();
    xero.contacts(
        TENANT,
        &ContactQuery {
            ids,
            ..ContactQuery::default()
        },
    )
    .await
    .unwrap();
    let seen = script.seen();
    assert_eq!(seen.len(), 6, "3 for invoices, 3 for contacts");
    for request in &seen {
        let url = url::Url::parse(&format!("http://x{}", request.target)).unwrap();
        let (_, list) = url.query_pairs().find(|(k, _)| k == "IDs").unwrap();
        assert!(list.split(',').count() <= 40, "{}", request.target);
    }
}

#[tokio::test]
async fn a_429_after_an_attempt_that_may_have_landed_is_uncertain_not_unsent() {
    let (base, script) = serve().await;
    let xero = client(&base).await;
    // The first attempt may have been applied (a 500 after sending); the retry is told to wait
    // an hour. "Rate limited" would tell the caller nothing was sent — it may have been.
    script.then(reply(500, "{}"));
    script.then(Reply {
        status: 429,
        headers: vec![
            ("Retry-After", "3600".into()),
            ("X-Rate-Limit-Problem", "minute".into()),
        ],
        body: "{}".into(),
    });
    let err = xero
        .create_invoices(TENANT, &[Invoice::default()], Some("key-500-429"))
        .await
        .unwrap_err();
    assert!(matches!(err, XeroError::Uncertain { .. }), "{err:?}");
    assert!(err.to_string().contains("not certain"), "{err}");
}
