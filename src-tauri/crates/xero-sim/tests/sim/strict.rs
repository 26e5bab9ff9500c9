//! The simulator as strict as Xero: scopes per endpoint, scopes per app age, partial saves under
//! `summarizeErrors`, unknown query parameters, Xero's list options, contacts created by name,
//! the organisation's day, per-organisation concurrency, and a bookkeeper's edits in Xero.

use chrono::NaiveDate;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xero_sim::SimConfig;
use xero_sim::seed::contact_id;

use crate::common::*;

async fn status_and_body(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn sale(contact: Value, reference: &str) -> Value {
    json!({
        "Type": "ACCREC", "Contact": contact, "Status": "AUTHORISED", "Reference": reference,
        "LineItems": [{"Description": "Monthly bookkeeping", "Quantity": 1, "UnitAmount": 100, "AccountCode": "201"}],
    })
}

async fn put_invoices(app: &App, query: &str, body: &Value) -> (StatusCode, Value) {
    status_and_body(
        app.api(Method::PUT, &format!("/Invoices{query}"))
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn admin_post(app: &App, path: &str, body: Value) -> (StatusCode, Value) {
    status_and_body(
        app.admin(Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn each_endpoint_needs_its_scope() {
    // Read-only contacts and settings, nothing for invoices.
    let app = connect_with_scopes(
        auto_approve(),
        "openid offline_access accounting.contacts.read accounting.settings.read",
    )
    .await;
    for path in [
        "/Organisation",
        "/Accounts",
        "/TaxRates",
        "/BrandingThemes",
        "/TrackingCategories",
        "/Contacts",
    ] {
        let response = app.api(Method::GET, path).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let refused = [
        app.api(Method::GET, "/Invoices"),
        app.api(Method::PUT, "/Invoices")
            .json(&json!({"Invoices": []})),
        app.api(Method::PUT, "/Contacts")
            .json(&json!({"Contacts": [{"Name": "Scope Test"}]})),
        app.api(Method::POST, "/Contacts")
            .json(&json!({"Contacts": [{"Name": "Scope Test"}]})),
    ];
    for request in refused {
        let (status, body) = status_and_body(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["Detail"], "AuthorizationUnsuccessful", "{body}");
        assert_eq!(body["Title"], "Unauthorized");
    }
    // Nothing was written by the refused calls.
    assert!(
        app.get("/Contacts?searchTerm=Scope%20Test").await["Contacts"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Without any settings scope the settings are refused too.
    let app =
        connect_with_scopes(auto_approve(), "openid offline_access accounting.invoices").await;
    let (status, body) =
        status_and_body(app.api(Method::GET, "/Organisation").send().await.unwrap()).await;
    assert_eq!(
        (status, body["Detail"].clone()),
        (StatusCode::UNAUTHORIZED, json!("AuthorizationUnsuccessful"))
    );
    let response = app.api(Method::GET, "/Invoices").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn accounting_transactions_is_only_for_apps_created_before_march_2026() {
    let transactions =
        "openid offline_access accounting.transactions accounting.contacts accounting.settings";
    // A new app (the default) is refused the broad scope: Xero sends the browser back with
    // invalid_scope.
    let sim = xero_sim::start(auto_approve()).await.unwrap();
    let (_, challenge) = pkce();
    let mut query = authorize_query(&sim, &challenge);
    query[3].1 = transactions;
    let response = no_redirects()
        .get(sim.authorize_url())
        .query(&query)
        .send()
        .await
        .unwrap();
    let params = redirect_params(&response);
    assert_eq!(param(&params, "error").as_deref(), Some("invalid_scope"));
    assert!(param(&params, "code").is_none());
    assert!(
        param(&params, "error_description")
            .unwrap()
            .contains("accounting.transactions")
    );
    // An unknown scope is refused too.
    query[3].1 = "openid accounting.everything";
    let response = no_redirects()
        .get(sim.authorize_url())
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(
        param(&redirect_params(&response), "error").as_deref(),
        Some("invalid_scope")
    );

    // An app created in 2025 may use it, and it opens invoices (read and write).
    let old_app = SimConfig {
        app_created: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
        ..auto_approve()
    };
    let app = connect_with_scopes(old_app, transactions).await;
    assert_eq!(
        app.api(Method::GET, "/Invoices")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let (status, _) = put_invoices(
        &app,
        "",
        &sale(
            json!({"ContactID": contact_id(DEMO, "Acme Plumbing")}),
            "OLD-APP",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn summarize_errors_default_saves_the_valid_invoices_and_lists_only_failures() {
    let app = connect(auto_approve()).await;
    let acme = json!({"ContactID": contact_id(DEMO, "Acme Plumbing")});
    let mut bad = sale(acme.clone(), "SUM-BAD");
    bad["LineItems"][0]["AccountCode"] = json!("999");
    let batch = json!({"Invoices": [sale(acme.clone(), "SUM-1"), bad, sale(acme, "SUM-2")]});
    let (status, body) = put_invoices(&app, "", &batch).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["Type"], "ValidationException");
    let elements = body["Elements"].as_array().unwrap();
    assert_eq!(elements.len(), 1, "{body}");
    assert_eq!(elements[0]["Reference"], "SUM-BAD");
    // The two valid ones are in Xero although the reply never named them: a client that
    // retries the whole batch would post them twice.
    let mut saved = names(
        &app.get("/Invoices?searchTerm=SUM-").await,
        "Invoices",
        "Reference",
    );
    saved.sort();
    assert_eq!(saved, vec!["SUM-1", "SUM-2"]);
}

#[tokio::test]
async fn unknown_query_parameters_are_refused() {
    let app = connect(auto_approve()).await;
    for (method, path) in [
        (Method::GET, "/Invoices?Reference=SB-1"),
        (
            Method::GET,
            "/Invoices?pagesize=10&page=1&modifiedAfter=2026-01-01",
        ),
        (Method::GET, "/Contacts?Name=Acme"),
        (Method::GET, "/Contacts/SB-0001?summaryOnly=true"),
        (Method::GET, "/Organisation?includeArchived=true"),
        (Method::GET, "/Accounts?Code=200"),
        (Method::GET, "/BrandingThemes?page=1"),
        (Method::GET, "/Invoices?unitdp=3"),
        (Method::PUT, "/Contacts?unitdp=4"),
        (Method::PUT, "/Invoices?summariseErrors=false"),
    ] {
        let (status, body) = status_and_body(
            app.api(method.clone(), path)
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}: {body}");
    }
    // Names are matched without regard to case, as Xero does.
    let response = app
        .api(Method::GET, "/Invoices?PAGE=1&pagesize=2&SummaryOnly=true")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // `where` and `order` on settings work on their fields.
    let accounts = app
        .get("/Accounts?where=Type%3D%3D%22REVENUE%22&order=Code%20DESC")
        .await;
    let codes = names(&accounts, "Accounts", "Code");
    assert!(
        codes.len() >= 2 && codes.windows(2).all(|w| w[0] > w[1]),
        "{codes:?}"
    );
    assert!(
        accounts["Accounts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["Type"] == "REVENUE")
    );
}

#[tokio::test]
async fn invoice_lists_as_xero_serves_them() {
    let app = connect(auto_approve()).await;
    let acme = json!({"ContactID": contact_id(DEMO, "Acme Plumbing")});
    let mut four_places = sale(acme.clone(), "UNITDP-4");
    four_places["LineItems"][0]["UnitAmount"] = json!(12.3456);
    four_places["LineItems"][0]["Quantity"] = json!(3);
    let (status, written) =
        put_invoices(&app, "?unitdp=4", &json!({"Invoices": [four_places]})).await;
    assert_eq!(status, StatusCode::OK, "{written}");
    assert_eq!(
        written["Invoices"][0]["LineItems"][0]["UnitAmount"],
        json!(12.3456)
    );
    assert_eq!(
        written["Invoices"][0]["LineItems"][0]["LineAmount"],
        json!(37.04)
    );
    let id = written["Invoices"][0]["InvoiceID"]
        .as_str()
        .unwrap()
        .to_string();
    // Read back: 4 places with unitdp=4, Xero's 2 without.
    let one = app.get(&format!("/Invoices/{id}?unitdp=4")).await;
    assert_eq!(
        one["Invoices"][0]["LineItems"][0]["UnitAmount"],
        json!(12.3456)
    );
    let one = app.get(&format!("/Invoices/{id}")).await;
    assert_eq!(
        one["Invoices"][0]["LineItems"][0]["UnitAmount"],
        json!(12.35)
    );
    assert_eq!(
        one["Invoices"][0]["LineItems"][0]["LineAmount"],
        json!(37.04)
    );

    // An unpaged list has no line items; a page has them.
    let unpaged = app.get("/Invoices").await;
    assert!(
        unpaged["Invoices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("LineItems").is_none())
    );
    let paged = app.get("/Invoices?page=1&unitdp=4").await;
    let mine = paged["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["InvoiceID"] == json!(id))
        .unwrap();
    assert_eq!(mine["LineItems"][0]["UnitAmount"], json!(12.3456));

    // createdByMyApp: only what this app created (the seeded invoices were made "in Xero").
    let all = names(&app.get("/Invoices").await, "Invoices", "Reference");
    assert!(all.len() >= 4);
    assert_eq!(
        names(
            &app.get("/Invoices?createdByMyApp=true").await,
            "Invoices",
            "Reference"
        ),
        vec!["UNITDP-4"]
    );

    // searchTerm looks in InvoiceNumber and Reference, without regard to case.
    assert_eq!(
        names(
            &app.get("/Invoices?searchTerm=unitdp").await,
            "Invoices",
            "Reference"
        ),
        vec!["UNITDP-4"]
    );
    assert_eq!(
        names(
            &app.get("/Invoices?searchTerm=inv-0001").await,
            "Invoices",
            "InvoiceNumber"
        ),
        vec!["INV-0001"]
    );

    // order, several keys.
    let ordered = app.get("/Invoices?order=Total%20DESC,InvoiceNumber").await;
    let totals: Vec<f64> = ordered["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Total"].as_f64().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
    let (status, body) = status_and_body(
        app.api(Method::GET, "/Invoices?order=Colour")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // summaryOnly leaves out line items and payments even on a page.
    let summary = app.get("/Invoices?summaryOnly=true&page=1").await;
    assert!(
        summary["Invoices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("LineItems").is_none() && i.get("Payments").is_none())
    );

    // Contacts: order.
    let by_name_desc = names(
        &app.get("/Contacts?order=Name%20DESC").await,
        "Contacts",
        "Name",
    );
    let mut sorted = by_name_desc.clone();
    sorted.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(by_name_desc, sorted);
}

#[tokio::test]
async fn an_invoice_to_an_unknown_contact_name_creates_the_contact() {
    let app = connect(auto_approve()).await;
    let before = app.stats().await["tenants"][DEMO.to_string()]["contacts"]
        .as_u64()
        .unwrap();
    let batch = json!({"Invoices": [
        sale(json!({"Name": "Brand New Bistro"}), "NEW-1"),
        sale(json!({"Name": "brand new bistro"}), "NEW-2"),
        sale(json!({"Name": "Acme Plumbing"}), "NEW-3"),
    ]});
    let (status, body) = put_invoices(&app, "", &batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let invoices = body["Invoices"].as_array().unwrap();
    let created = invoices[0]["Contact"]["ContactID"].clone();
    assert_eq!(invoices[0]["Contact"]["Name"], "Brand New Bistro");
    // The second invoice in the batch finds the contact the first one created.
    assert_eq!(invoices[1]["Contact"]["ContactID"], created);
    assert_eq!(
        invoices[2]["Contact"]["ContactID"],
        json!(contact_id(DEMO, "Acme Plumbing"))
    );
    let stats = app.stats().await;
    assert_eq!(
        stats["tenants"][DEMO.to_string()]["contacts"]
            .as_u64()
            .unwrap(),
        before + 1
    );
    let contact = app
        .get(&format!("/Contacts/{}", created.as_str().unwrap()))
        .await;
    assert_eq!(contact["Contacts"][0]["Name"], "Brand New Bistro");
    assert_eq!(contact["Contacts"][0]["IsCustomer"], true);
}

#[tokio::test]
async fn default_dates_are_the_organisations_day() {
    let app = connect(auto_approve()).await;
    let draft =
        json!({"Type": "ACCREC", "Contact": {"ContactID": contact_id(DEMO, "Acme Plumbing")}});
    // 30 November 2026 14:30 UTC is 1 December 01:30 in Sydney (summer time, +11).
    let (status, _) = admin_post(&app, "/clock", json!({"now": "2026-11-30T14:30:00Z"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = put_invoices(&app, "", &draft).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Invoices"][0]["DateString"], "2026-12-01T00:00:00");
    // Its due date follows the organisation's terms (14 days) from that day.
    assert_eq!(body["Invoices"][0]["DueDateString"], "2026-12-15T00:00:00");
    // A payment recorded in Xero without a date is dated that day too.
    let (_, body) = put_invoices(
        &app,
        "",
        &sale(
            json!({"ContactID": contact_id(DEMO, "Acme Plumbing")}),
            "PAY-TODAY",
        ),
    )
    .await;
    let (status, paid) = admin_post(
        &app,
        "/payments",
        json!({"tenant_id": DEMO, "invoice_id": body["Invoices"][0]["InvoiceID"], "amount": 10}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    let december_first = NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    assert_eq!(ms(&paid["Payments"][0]["Date"]), december_first);
    // 30 June 12:30 UTC: still 30 June in Sydney (22:30, +10), already 1 July in Wellington
    // (00:30, +12).
    admin_post(&app, "/clock", json!({"now": "2026-06-30T12:30:00Z"})).await;
    let (_, body) = put_invoices(&app, "", &draft).await;
    assert_eq!(body["Invoices"][0]["DateString"], "2026-06-30T00:00:00");
    let northwind_draft = json!({"Type": "ACCREC", "Contact": {"Name": "Kiwi Cafe"}});
    let response = app
        .api_for(NORTHWIND, Method::PUT, "/Invoices")
        .json(&northwind_draft)
        .send()
        .await
        .unwrap();
    let (_, body) = status_and_body(response).await;
    assert_eq!(
        body["Invoices"][0]["DateString"], "2026-07-01T00:00:00",
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_caller_hung_up_still_commits_once() {
    // A posting process killed mid-call: Xero carries on with what it received.
    let app = connect(auto_approve()).await;
    let body = json!({"Invoices": [sale(json!({"ContactID": contact_id(DEMO, "Acme Plumbing")}), "HUNG-UP-1")]});
    app.fault(json!({"kind": "delay", "delay_ms": 800})).await;
    let send = || {
        app.api(Method::PUT, "/Invoices")
            .header("Idempotency-Key", "hung-up-key")
            .json(&body)
            .send()
    };
    let hung_up = tokio::time::timeout(std::time::Duration::from_millis(200), send()).await;
    assert!(hung_up.is_err(), "the caller gave up before the reply");
    let (status, reply) = status_and_body(send().await.unwrap()).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "still being processed: {reply}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    let replay = send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(
        names(
            &app.get("/Invoices?searchTerm=HUNG-UP-1").await,
            "Invoices",
            "Reference"
        )
        .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_idempotency_key_while_the_first_call_runs_is_a_409() {
    let app = connect(auto_approve()).await;
    let body = json!({"Invoices": [sale(json!({"ContactID": contact_id(DEMO, "Acme Plumbing")}), "RACE-1")]});
    app.fault(json!({"kind": "delay", "delay_ms": 800})).await;
    let first = app
        .api(Method::PUT, "/Invoices")
        .header("Idempotency-Key", "race-key-1")
        .json(&body)
        .send();
    let second = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        // Another organisation is not held up by the slow call.
        let started = std::time::Instant::now();
        let other = app
            .api_for(HARBOUR, Method::GET, "/Organisation")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::OK);
        assert!(started.elapsed() < std::time::Duration::from_millis(400));
        app.api(Method::PUT, "/Invoices")
            .header("Idempotency-Key", "race-key-1")
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.unwrap().status(), StatusCode::OK);
    let (status, reply) = status_and_body(second).await;
    assert_eq!(status, StatusCode::CONFLICT, "{reply}");
    assert_eq!(
        names(
            &app.get("/Invoices?searchTerm=RACE-1").await,
            "Invoices",
            "Reference"
        )
        .len(),
        1
    );
    // Once the first has finished, the same key replays its reply.
    let replay = app
        .api(Method::PUT, "/Invoices")
        .header("Idempotency-Key", "race-key-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    // Keys longer than 128 characters are refused.
    let response = app
        .api(Method::PUT, "/Invoices")
        .header("Idempotency-Key", "k".repeat(129))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

/// The `UpdatedDateUTC` of a record, in milliseconds.
fn updated(record: &Value) -> i64 {
    ms(&record["UpdatedDateUTC"])
}

#[tokio::test]
async fn a_bookkeeper_in_xero_edits_archives_merges_voids_deletes_pays_and_credits() {
    let app = connect(auto_approve()).await;
    let tenant = DEMO.to_string();
    let acme = contact_id(DEMO, "Acme Plumbing");
    let glebe = contact_id(DEMO, "Glebe Legal");
    let bondi = contact_id(DEMO, "Bondi Bakery");
    // An invoice to Glebe Legal, so the merge has something to move.
    let (_, written) = put_invoices(&app, "", &sale(json!({"ContactID": glebe}), "MERGE-ME")).await;
    let glebe_invoice = written["Invoices"][0].clone();
    let mut draft = sale(json!({"ContactID": acme}), "DRAFT-1");
    draft["Status"] = json!("DRAFT");
    let (_, written) = put_invoices(&app, "", &draft).await;
    let draft = written["Invoices"][0].clone();
    let (_, written) = put_invoices(&app, "", &sale(json!({"ContactID": acme}), "VOID-1")).await;
    let to_void = written["Invoices"][0].clone();
    let (_, written) = put_invoices(&app, "", &sale(json!({"ContactID": acme}), "CREDIT-1")).await;
    let to_credit = written["Invoices"][0].clone();
    let acme_before = app.get(&format!("/Contacts/{acme}")).await["Contacts"][0].clone();

    // Later: the bookkeeper works in Xero.
    admin_post(&app, "/clock", json!({"now": "2030-01-15T01:00:00Z"})).await;
    let since = "2030-01-15T00:00:00";

    let (status, edited) = admin_post(&app, "/contacts/edit", json!({"tenant_id": tenant, "contact_id": acme, "changes": {"EmailAddress": "new@acme.example.com"}})).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["EmailAddress"], "new@acme.example.com");
    assert!(updated(&edited) > updated(&acme_before));
    let (status, refused) = admin_post(
        &app,
        "/contacts/edit",
        json!({"tenant_id": tenant, "contact_id": acme, "changes": {"Name": "Bondi Bakery"}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");

    let (status, archived) = admin_post(
        &app,
        "/contacts/archive",
        json!({"tenant_id": tenant, "contact_id": bondi}),
    )
    .await;
    assert_eq!(
        (status, archived["ContactStatus"].clone()),
        (StatusCode::OK, json!("ARCHIVED"))
    );

    let (status, merged) = admin_post(
        &app,
        "/contacts/merge",
        json!({"tenant_id": tenant, "contact_id": glebe, "into": acme}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["MergedToContactID"], json!(acme));
    assert_eq!(merged["ContactStatus"], "ARCHIVED");
    let moved = app
        .get(&format!(
            "/Invoices/{}",
            glebe_invoice["InvoiceID"].as_str().unwrap()
        ))
        .await;
    assert_eq!(moved["Invoices"][0]["Contact"]["ContactID"], json!(acme));
    assert!(updated(&moved["Invoices"][0]) > updated(&glebe_invoice));

    let (status, voided) = admin_post(
        &app,
        "/invoices/void",
        json!({"tenant_id": tenant, "invoice_id": to_void["InvoiceID"]}),
    )
    .await;
    assert_eq!(
        (status, voided["Status"].clone()),
        (StatusCode::OK, json!("VOIDED"))
    );
    let (status, _) = admin_post(
        &app,
        "/invoices/void",
        json!({"tenant_id": tenant, "invoice_id": draft["InvoiceID"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, deleted) = admin_post(
        &app,
        "/invoices/delete",
        json!({"tenant_id": tenant, "invoice_id": draft["InvoiceID"]}),
    )
    .await;
    assert_eq!(
        (status, deleted["Status"].clone()),
        (StatusCode::OK, json!("DELETED"))
    );

    let (status, credited) = admin_post(
        &app,
        "/credit-notes",
        json!({"tenant_id": tenant, "invoice_id": to_credit["InvoiceID"], "amount": "40"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{credited}");
    assert_eq!(credited["AmountCredited"], json!(40));
    assert_eq!(credited["AmountDue"], json!(70));
    assert_eq!(credited["CreditNotes"][0]["AppliedAmount"], json!(40));
    let (status, paid) = admin_post(
        &app,
        "/payments",
        json!({"tenant_id": tenant, "invoice_id": to_credit["InvoiceID"], "amount": 70}),
    )
    .await;
    assert_eq!(
        (status, paid["Status"].clone()),
        (StatusCode::OK, json!("PAID"))
    );

    // A client syncing with If-Modified-Since sees exactly what the bookkeeper touched.
    let changed = |collection: &'static str, field: &'static str| {
        let request = app
            .api(Method::GET, &format!("/{collection}?includeArchived=true"))
            .header("If-Modified-Since", since);
        async move {
            let body: Value = request.send().await.unwrap().json().await.unwrap();
            let mut found = names(&body, collection, field);
            found.sort();
            found
        }
    };
    assert_eq!(
        changed("Contacts", "Name").await,
        vec!["Acme Plumbing", "Bondi Bakery", "Glebe Legal"]
    );
    assert_eq!(
        changed("Invoices", "Reference").await,
        vec!["CREDIT-1", "DRAFT-1", "MERGE-ME", "VOID-1"]
    );
}
