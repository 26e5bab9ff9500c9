//! Rate limits and injected faults.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xero_sim::{Limits, SimConfig};

use crate::common::*;

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn fourth_call_in_a_minute_is_429_with_retry_after() {
    let limits = Limits {
        per_minute: 3,
        ..Limits::default()
    };
    let app = connect(SimConfig {
        limits,
        ..auto_approve()
    })
    .await;
    let (mut remaining, mut app_remaining) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let response = app.api(Method::GET, "/Organisation").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        remaining.push(header(&response, "X-MinLimit-Remaining"));
        app_remaining.push(header(&response, "X-AppMinLimit-Remaining"));
    }
    assert_eq!(remaining, vec!["2", "1", "0"]);
    assert_eq!(app_remaining, vec!["9999", "9998", "9997"]);
    let response = app.api(Method::GET, "/Organisation").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&response, "X-Rate-Limit-Problem"), "minute");
    let retry_after: u64 = header(&response, "Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // Xero's Starter tier (apps registered since March 2026): 1,000 calls a day.
    assert_eq!(header(&response, "X-DayLimit-Remaining"), "997");

    // Another tenant has its own minute.
    assert_eq!(
        app.api_for(HARBOUR, Method::GET, "/Organisation")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn too_many_in_flight_is_429_concurrent() {
    let limits = Limits {
        concurrent: 1,
        ..Limits::default()
    };
    let app = connect(SimConfig {
        limits,
        ..auto_approve()
    })
    .await;
    app.fault(json!({"kind": "delay", "count": 1, "delay_ms": 500}))
        .await;
    let slow = app.api(Method::GET, "/Organisation").send();
    let quick = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        app.api(Method::GET, "/Organisation").send().await
    };
    let (slow, quick) = tokio::join!(slow, quick);
    assert_eq!(slow.unwrap().status(), StatusCode::OK);
    let quick = quick.unwrap();
    assert_eq!(quick.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&quick, "X-Rate-Limit-Problem"), "concurrent");
    assert_eq!(
        app.api(Method::GET, "/Organisation")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn server_errors_and_delays() {
    let app = connect(auto_approve()).await;
    app.fault(json!({"kind": "status_500", "count": 1})).await;
    app.fault(json!({"kind": "plain_503", "count": 1})).await;
    app.fault(json!({"kind": "delay", "count": 1, "delay_ms": 300}))
        .await;

    let response = app.api(Method::GET, "/Contacts").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Status"], 500);

    let response = app.api(Method::GET, "/Contacts").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(header(&response, "content-type").starts_with("text/plain"));
    assert_eq!(response.text().await.unwrap(), "Service Unavailable");

    let started = Instant::now();
    assert_eq!(
        app.api(Method::GET, "/Contacts")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    // Faults are used up; clearing works.
    app.fault(json!({"kind": "status_500", "count": 5})).await;
    app.admin(Method::DELETE, "/faults").send().await.unwrap();
    assert_eq!(
        app.api(Method::GET, "/Contacts")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let bad = app
        .admin(Method::POST, "/faults")
        .json(&json!({"kind": "gremlins"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn dropped_reply_after_commit_leaves_the_invoice_in_xero() {
    let app = connect(auto_approve()).await;
    let body = json!({"Invoices": [{
        "Type": "ACCREC",
        "Contact": {"ContactID": xero_sim::seed::contact_id(DEMO, "Bondi Bakery")},
        "Reference": "SB-LOST-REPLY",
        "Status": "AUTHORISED",
        "LineItems": [{"Description": "Bookkeeping", "Quantity": 1, "UnitAmount": 300, "AccountCode": "201"}],
    }]});
    app.fault(json!({"kind": "drop_after_commit", "count": 1}))
        .await;
    let send = || {
        app.api(Method::PUT, "/Invoices?summarizeErrors=false")
            .header("Idempotency-Key", "lost-1")
            .json(&body)
            .send()
    };
    let lost = send().await;
    assert!(
        lost.is_err(),
        "the client must see a connection error, got {lost:?}"
    );

    let found = app
        .api(Method::GET, "/Invoices")
        .query(&[("where", r#"Reference=="SB-LOST-REPLY""#)])
        .send()
        .await
        .unwrap();
    let found: Value = found.json().await.unwrap();
    assert_eq!(found["Invoices"].as_array().unwrap().len(), 1);
    assert_eq!(found["Invoices"][0]["Total"], json!(330));

    // A retry with the same key gets the stored reply, not a second invoice.
    let retry: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!(
        retry["Invoices"][0]["InvoiceID"],
        found["Invoices"][0]["InvoiceID"]
    );
    let stats = app.stats().await;
    assert_eq!(
        stats["tenants"][DEMO.to_string()]["writes"]["invoices_created"],
        1
    );
}
