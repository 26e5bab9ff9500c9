//! Invoices: Xero's arithmetic, validation, idempotency, where Reference, payments.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xero_sim::seed::contact_id;

use crate::common::*;

fn line(description: &str, quantity: Value, unit: Value, account: &str) -> Value {
    json!({"Description": description, "Quantity": quantity, "UnitAmount": unit, "AccountCode": account, "TaxType": "OUTPUT"})
}

fn invoice(reference: &str, lines: Vec<Value>) -> Value {
    json!({
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id(DEMO, "Acme Plumbing")},
        "Date": "2026-11-01",
        "DueDate": "2026-11-15",
        "LineAmountTypes": "Exclusive",
        "Status": "AUTHORISED",
        "Reference": reference,
        "LineItems": lines,
    })
}

async fn put(app: &App, query: &str, body: &Value) -> (StatusCode, Value) {
    let response = app
        .api(Method::PUT, &format!("/Invoices{query}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn messages(element: &Value) -> Vec<String> {
    element["ValidationErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["Message"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn exclusive_gst_is_rounded_per_line_half_away_from_zero() {
    let app = connect(auto_approve()).await;
    let mut discounted = line("Quarterly review", json!(3), json!(19.99), "203");
    discounted["DiscountRate"] = json!(12.5);
    let body = invoice(
        "SB-2026-11-ACME",
        vec![
            line("Bookkeeping", json!(1), json!(10.05), "201"),
            line("Bookkeeping", json!(1), json!(10.05), "201"),
            discounted,
        ],
    );
    let (status, reply) = put(&app, "", &json!({"Invoices": [body]})).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let saved = &reply["Invoices"][0];
    // 10.05 × 10% = 1.005 → 1.01 on each line (per line, half away from zero): 2.02, not 2.01.
    assert_eq!(saved["LineItems"][0]["TaxAmount"], json!(1.01));
    // 3 × 19.99 × 0.875 = 52.47375 → 52.47; tax 5.247 → 5.25.
    assert_eq!(saved["LineItems"][2]["LineAmount"], json!(52.47));
    assert_eq!(saved["LineItems"][2]["TaxAmount"], json!(5.25));
    assert_eq!(saved["SubTotal"], json!(72.57));
    assert_eq!(saved["TotalTax"], json!(7.27));
    assert_eq!(saved["Total"], json!(79.84));
    assert_eq!(saved["AmountDue"], json!(79.84));
    assert_eq!(saved["AmountPaid"], json!(0));
    assert_eq!(saved["TotalDiscount"], json!(7.5));
    assert_eq!(saved["Status"], "AUTHORISED");
    assert_eq!(saved["CurrencyCode"], "AUD");
    assert_eq!(saved["DateString"], "2026-11-01T00:00:00");
    assert_eq!(saved["DueDateString"], "2026-11-15T00:00:00");
    assert!(saved["Date"].as_str().unwrap().starts_with("/Date("));
    // Three invoices are seeded, so the next automatic number is INV-0004.
    assert_eq!(saved["InvoiceNumber"], "INV-0004");
    assert_eq!(saved["Contact"]["Name"], "Acme Plumbing");

    let mut inclusive = invoice(
        "SB-INCL",
        vec![
            line("Tax return", json!(1), json!(110), "202"),
            line("Extra", json!(1), json!(99.99), "202"),
        ],
    );
    inclusive["LineAmountTypes"] = json!("Inclusive");
    let (_, reply) = put(&app, "", &inclusive).await;
    let saved = &reply["Invoices"][0];
    assert_eq!(saved["TotalTax"], json!(19.09));
    assert_eq!(saved["Total"], json!(209.99));
    assert_eq!(saved["SubTotal"], json!(190.9));
}

#[tokio::test]
async fn invalid_references_become_validation_errors() {
    let app = connect(auto_approve()).await;
    let mut bad_account = invoice("R1", vec![line("x", json!(1), json!(10), "999")]);
    bad_account["InvoiceNumber"] = json!("BAD-1");
    let mut bad_tax = invoice("R2", vec![line("x", json!(1), json!(10), "201")]);
    bad_tax["LineItems"][0]["TaxType"] = json!("BOGUS");
    let mut three_tracking = invoice("R3", vec![line("x", json!(1), json!(10), "201")]);
    three_tracking["LineItems"][0]["Tracking"] = json!([
        {"Name": "Region", "Option": "North"},
        {"Name": "Service line", "Option": "Tax"},
        {"Name": "Region", "Option": "South"},
    ]);
    let mut bad_theme = invoice("R4", vec![line("x", json!(1), json!(10), "201")]);
    bad_theme["BrandingThemeID"] = json!("00000000-0000-4000-8000-000000000099");
    let mut archived_account = invoice("R5", vec![line("x", json!(1), json!(10), "205")]);
    archived_account["LineItems"][0]["Tracking"] =
        json!([{"Name": "Service line", "Option": "Payroll"}]);
    let mut wrong_line_amount = invoice("R6", vec![line("x", json!(2), json!(10), "201")]);
    wrong_line_amount["LineItems"][0]["LineAmount"] = json!(25);
    let mut unknown_contact = invoice("R7", vec![line("x", json!(1), json!(10), "201")]);
    unknown_contact["Contact"] = json!({"ContactNumber": "NOPE-1"});
    let mut good = invoice("R8", vec![line("x", json!(1), json!(10), "201")]);
    good["Contact"] = json!({"Name": "glebe legal"});
    good["LineItems"][0]["Tracking"] =
        json!([{"Name": "Region", "Option": "North"}, {"Name": "Service line", "Option": "Tax"}]);
    good["BrandingThemeID"] = json!(xero_sim::seed::stable_id(
        DEMO,
        "branding-theme",
        "Special Projects"
    ));

    let batch = json!({"Invoices": [bad_account, bad_tax, three_tracking, bad_theme, archived_account, wrong_line_amount, unknown_contact, good]});
    let (status, reply) = put(&app, "?summarizeErrors=false", &batch).await;
    assert_eq!(status, StatusCode::OK);
    let replies = reply["Invoices"].as_array().unwrap();
    let expect = [
        "Account code '999' is not a valid code for this document.",
        "The TaxType code 'BOGUS' does not exist",
        "at most 2 tracking categories",
        "The BrandingThemeID",
        "Account code '205' has been archived",
        "LineAmount 25 does not match",
        "The contact with ContactNumber NOPE-1 could not be found",
    ];
    for (element, fragment) in replies.iter().zip(expect) {
        assert_eq!(element["HasErrors"], true, "{element}");
        assert_eq!(element["StatusAttributeString"], "ERROR");
        assert!(
            messages(element).iter().any(|m| m.contains(fragment)),
            "{fragment}: {:?}",
            messages(element)
        );
    }
    assert!(
        messages(&replies[4])
            .iter()
            .any(|m| m.contains("'Payroll' is not an active option"))
    );
    let good = &replies[7];
    assert_eq!(good["StatusAttributeString"], "OK", "{good}");
    assert_eq!(good["Contact"]["Name"], "Glebe Legal");
    assert_eq!(
        good["LineItems"][0]["Tracking"].as_array().unwrap().len(),
        2
    );

    // Without summarizeErrors=false the 400 lists only the 7 failures, and the valid invoice
    // is saved all the same, as in Xero.
    let before = app.stats().await["tenants"][DEMO.to_string()]["invoices"]
        .as_u64()
        .unwrap();
    let (status, reply) = put(&app, "", &batch).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reply["Type"], "ValidationException");
    assert_eq!(reply["Elements"].as_array().unwrap().len(), 7);
    assert_eq!(
        app.stats().await["tenants"][DEMO.to_string()]["invoices"],
        before + 1
    );

    // Invoice numbers are unique.
    let mut duplicate = invoice("R9", vec![line("x", json!(1), json!(10), "201")]);
    duplicate["InvoiceNumber"] = json!("INV-0001");
    let (status, reply) = put(&app, "", &duplicate).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        messages(&reply["Elements"][0]),
        vec!["Invoice # must be unique."]
    );
}

#[tokio::test]
async fn idempotency_key_replays_without_writing_twice() {
    let app = connect(auto_approve()).await;
    let body =
        json!({"Invoices": [invoice("SB-IDEM-1", vec![line("x", json!(1), json!(100), "201")])]});
    let send = |body: Value| {
        app.api(Method::PUT, "/Invoices?summarizeErrors=false")
            .header("Idempotency-Key", "key-1")
            .json(&body)
            .send()
    };
    let first: Value = send(body.clone()).await.unwrap().json().await.unwrap();
    let second = send(body.clone()).await.unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let second: Value = second.json().await.unwrap();
    assert_eq!(
        first["Invoices"][0]["InvoiceID"],
        second["Invoices"][0]["InvoiceID"]
    );

    let stats = app.stats().await;
    assert_eq!(
        stats["tenants"][DEMO.to_string()]["writes"]["invoices_created"],
        1
    );
    assert_eq!(stats["requests"]["PUT /api.xro/2.0/Invoices"], 2);
    let found = app
        .get("/Invoices?where=Reference%3D%3D%22SB-IDEM-1%22")
        .await;
    assert_eq!(found["Invoices"].as_array().unwrap().len(), 1);

    let mut changed = body.clone();
    changed["Invoices"][0]["Reference"] = json!("SB-IDEM-2");
    let reused = send(changed).await.unwrap();
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);
    let reused: Value = reused.json().await.unwrap();
    assert_eq!(reused["Title"], "Idempotency key reused");
}

#[tokio::test]
async fn where_reference_lookup_and_filters() {
    let app = connect(auto_approve()).await;
    let (_, reply) = put(
        &app,
        "",
        &invoice(
            "SB 2026-11 \"Acme\" retainer",
            vec![line("x", json!(1), json!(100), "201")],
        ),
    )
    .await;
    let id = reply["Invoices"][0]["InvoiceID"]
        .as_str()
        .unwrap()
        .to_string();
    let number = reply["Invoices"][0]["InvoiceNumber"]
        .as_str()
        .unwrap()
        .to_string();

    let found = app
        .api(Method::GET, "/Invoices")
        .query(&[("where", r#"Reference=="SB-DEMO-0002""#)])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(names(&found, "Invoices", "InvoiceNumber"), vec!["INV-0002"]);
    let none = app
        .api(Method::GET, "/Invoices")
        .query(&[("where", r#"Reference=="nope""#)])
        .send()
        .await
        .unwrap();
    assert!(
        none.json::<Value>().await.unwrap()["Invoices"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let unsupported = app
        .api(Method::GET, "/Invoices")
        .query(&[("where", "Total>10")])
        .send()
        .await
        .unwrap();
    assert_eq!(unsupported.status(), StatusCode::BAD_REQUEST);

    assert_eq!(
        app.get(&format!("/Invoices/{number}")).await["Invoices"][0]["InvoiceID"],
        id
    );
    assert_eq!(
        app.get(&format!("/Invoices/{id}")).await["Invoices"][0]["InvoiceNumber"],
        number
    );
    assert_eq!(
        app.get(&format!("/Invoices?IDs={id}")).await["Invoices"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        names(
            &app.get("/Invoices?InvoiceNumbers=INV-0001,INV-0003").await,
            "Invoices",
            "InvoiceNumber"
        )
        .len(),
        2
    );
    assert_eq!(
        names(
            &app.get("/Invoices?Statuses=DRAFT").await,
            "Invoices",
            "InvoiceNumber"
        ),
        vec!["INV-0003"]
    );
    let acme = contact_id(DEMO, "Acme Plumbing");
    assert_eq!(
        app.get(&format!("/Invoices?ContactIDs={acme}")).await["Invoices"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let paged = app.get("/Invoices?page=1&pageSize=2").await;
    assert_eq!(paged["pagination"]["itemCount"], 4);
    assert_eq!(paged["pagination"]["pageCount"], 2);
    let missing = app
        .api(Method::GET, "/Invoices/INV-9999")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn drafts_update_approved_invoices_do_not() {
    let app = connect(auto_approve()).await;
    let mut draft = invoice("SB-DRAFT", vec![line("x", json!(1), json!(100), "201")]);
    draft["Status"] = json!("DRAFT");
    let (_, reply) = put(&app, "", &draft).await;
    let id = reply["Invoices"][0]["InvoiceID"]
        .as_str()
        .unwrap()
        .to_string();
    let update = json!({"Invoices": [{"InvoiceID": id, "LineAmountTypes": "Inclusive", "Status": "AUTHORISED"}]});
    let reply: Value = app
        .api(Method::POST, "/Invoices")
        .json(&update)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["Invoices"][0]["Total"], json!(100));
    assert_eq!(reply["Invoices"][0]["TotalTax"], json!(9.09));
    assert_eq!(reply["Invoices"][0]["Status"], "AUTHORISED");

    let again = json!({"Invoices": [{"InvoiceID": id, "Reference": "changed"}]});
    let response = app
        .api(Method::POST, "/Invoices")
        .json(&again)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let void = json!({"Status": "VOIDED"});
    let reply: Value = app
        .api(Method::POST, &format!("/Invoices/{id}"))
        .json(&void)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["Invoices"][0]["Status"], "VOIDED");
}

#[tokio::test]
async fn payment_recorded_in_xero_updates_amount_due_and_status() {
    let app = connect(auto_approve()).await;
    let (_, reply) = put(
        &app,
        "",
        &invoice("SB-PAY", vec![line("x", json!(1), json!(100), "201")]),
    )
    .await;
    let id = reply["Invoices"][0]["InvoiceID"]
        .as_str()
        .unwrap()
        .to_string();
    let pay = |amount: Value| {
        app.admin(Method::POST, "/payments").json(&json!({"tenant_id": DEMO, "invoice_id": id, "amount": amount, "date": "2026-11-20"})).send()
    };
    let partial: Value = pay(json!(40)).await.unwrap().json().await.unwrap();
    assert_eq!(partial["Status"], "AUTHORISED");
    assert_eq!(partial["AmountPaid"], json!(40));
    assert_eq!(partial["AmountDue"], json!(70));
    assert_eq!(
        pay(json!("70.01")).await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
    let paid: Value = pay(json!("70.00")).await.unwrap().json().await.unwrap();
    assert_eq!(paid["Status"], "PAID");
    assert_eq!(paid["AmountDue"], json!(0));
    assert!(
        paid["FullyPaidOnDate"]
            .as_str()
            .unwrap()
            .starts_with("/Date(")
    );
    let fetched = app.get(&format!("/Invoices/{id}")).await;
    assert_eq!(fetched["Invoices"][0]["Status"], "PAID");
    assert_eq!(
        fetched["Invoices"][0]["Payments"].as_array().unwrap().len(),
        2
    );

    // Reset restores the seed.
    app.admin(Method::POST, "/reset").send().await.unwrap();
    assert_eq!(
        app.get("/Invoices").await["Invoices"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        app.get("/Invoices/INV-0001").await["Invoices"][0]["Status"],
        "PAID"
    );
}
