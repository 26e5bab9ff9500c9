//! Contacts: paging, If-Modified-Since, searchTerm, IDs, includeArchived, summaryOnly, writes.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use xero_sim::seed::contact_id;

use crate::common::*;

#[tokio::test]
async fn pages_of_ten_over_the_seed() {
    let app = connect(auto_approve()).await;
    let all = app.get("/Contacts").await;
    let active = all["Contacts"].as_array().unwrap().len();
    assert!(active >= 40, "{active}");
    assert!(all.get("pagination").is_none());

    let first = app.get("/Contacts?page=1&pageSize=10").await;
    let pages = active.div_ceil(10);
    assert_eq!(
        first["pagination"],
        json!({"page": 1, "pageSize": 10, "pageCount": pages, "itemCount": active})
    );
    assert_eq!(first["Contacts"].as_array().unwrap().len(), 10);

    let mut seen = Vec::new();
    for page in 1..=pages {
        let body = app.get(&format!("/Contacts?page={page}&pageSize=10")).await;
        seen.extend(names(&body, "Contacts", "ContactID"));
        if page == pages {
            let expected = if active % 10 == 0 { 10 } else { active % 10 };
            assert_eq!(body["Contacts"].as_array().unwrap().len(), expected);
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), active, "pages neither overlap nor skip");

    let beyond = app
        .get(&format!("/Contacts?page={}&pageSize=10", pages + 1))
        .await;
    assert!(beyond["Contacts"].as_array().unwrap().is_empty());
    let default_size = app.get("/Contacts?page=1").await;
    assert_eq!(default_size["pagination"]["pageSize"], 100);
    let too_big = app
        .api(Method::GET, "/Contacts?page=1&pageSize=1001")
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn if_modified_since_returns_only_later_changes() {
    let app = connect(auto_approve()).await;
    let all = app.get("/Contacts").await;
    let cutoff = Utc::now() - Duration::days(30);
    let expected = all["Contacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| ms(&c["UpdatedDateUTC"]) > cutoff.timestamp_millis())
        .count();
    assert!(expected > 0 && expected < all["Contacts"].as_array().unwrap().len());
    let since = app
        .api(Method::GET, "/Contacts")
        .header(
            "If-Modified-Since",
            cutoff.format("%Y-%m-%dT%H:%M:%S").to_string(),
        )
        .send()
        .await
        .unwrap();
    let since: Value = since.json().await.unwrap();
    assert_eq!(since["Contacts"].as_array().unwrap().len(), expected);

    // A change made now shows up, and only it.
    let mark = Utc::now() - Duration::seconds(1);
    let update = json!({"Contacts": [{"ContactID": contact_id(DEMO, "Bondi Bakery"), "EmailAddress": "new@bondibakery.com.au"}]});
    assert_eq!(
        app.api(Method::POST, "/Contacts")
            .json(&update)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let changed: Value = app
        .api(Method::GET, "/Contacts")
        .header("If-Modified-Since", mark.to_rfc3339())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(names(&changed, "Contacts", "Name"), vec!["Bondi Bakery"]);
    assert_eq!(
        changed["Contacts"][0]["EmailAddress"],
        "new@bondibakery.com.au"
    );
}

#[tokio::test]
async fn search_ids_archived_and_summary() {
    let app = connect(auto_approve()).await;
    let mut found = names(
        &app.get("/Contacts?searchTerm=HARBOURSIDE").await,
        "Contacts",
        "Name",
    );
    found.sort();
    assert_eq!(found, vec!["Harbourside Cafe", "Harbourside Cafe Pty Ltd"]);
    // Email addresses are searched too (two contacts share this one).
    assert_eq!(
        names(
            &app.get("/Contacts?searchTerm=accounts@smithelectrical")
                .await,
            "Contacts",
            "Name"
        )
        .len(),
        2
    );
    assert_eq!(
        names(
            &app.get("/Contacts?searchTerm=SB-0003").await,
            "Contacts",
            "Name"
        ),
        vec!["Harbourside Cafe Pty Ltd"]
    );

    let ids = [
        contact_id(DEMO, "Acme Plumbing"),
        contact_id(DEMO, "Glebe Legal"),
    ];
    let by_ids = app
        .get(&format!("/Contacts?IDs={},{}", ids[0], ids[1]))
        .await;
    let mut found = names(&by_ids, "Contacts", "Name");
    found.sort();
    assert_eq!(found, vec!["Acme Plumbing", "Glebe Legal"]);

    let hidden = names(
        &app.get("/Contacts?searchTerm=acme").await,
        "Contacts",
        "Name",
    );
    assert_eq!(hidden, vec!["Acme Plumbing"]);
    let mut shown = names(
        &app.get("/Contacts?searchTerm=acme&includeArchived=true")
            .await,
        "Contacts",
        "Name",
    );
    shown.sort();
    assert_eq!(shown, vec!["ACME Plumbing", "Acme Plumbing"]);

    let summary = app.get("/Contacts?summaryOnly=true").await;
    let first = &summary["Contacts"][0];
    assert!(first.get("Addresses").is_none() && first.get("Phones").is_none());
    assert!(first["ContactID"].is_string() && first["Name"].is_string());
    let full = app.get(&format!("/Contacts/{}", ids[0])).await;
    assert_eq!(full["Contacts"][0]["Name"], "Acme Plumbing");
    assert_eq!(full["Contacts"][0]["TaxNumber"], "51 824 753 556");
    assert!(full["Contacts"][0]["Addresses"].as_array().unwrap().len() == 2);
    let by_number = app.get("/Contacts/SB-0001").await;
    assert_eq!(by_number["Contacts"][0]["ContactID"], ids[0].to_string());

    let filtered = app
        .get("/Contacts?where=ContactNumber%3D%3D%22SB-0002%22")
        .await;
    assert_eq!(names(&filtered, "Contacts", "Name"), vec!["O'Brien & Sons"]);
}

#[tokio::test]
async fn duplicate_name_is_an_element_error_and_valid_elements_are_saved_either_way() {
    let app = connect(auto_approve()).await;
    let before = app.get("/Contacts").await["Contacts"]
        .as_array()
        .unwrap()
        .len();
    let batch = json!({"Contacts": [
        {"Name": "Acme Plumbing"},
        {"Name": "Brand New Client Pty Ltd", "EmailAddress": "hello@brandnew.com.au", "ContactNumber": "SB-0100"},
    ]});
    let response = app
        .api(Method::PUT, "/Contacts?summarizeErrors=false")
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let bad = &body["Contacts"][0];
    assert_eq!(bad["HasValidationErrors"], true);
    assert_eq!(bad["StatusAttributeString"], "ERROR");
    assert_eq!(
        bad["ValidationErrors"][0]["Message"],
        "The contact name Acme Plumbing is already assigned to another contact. The contact name must be unique across all active contacts."
    );
    let good = &body["Contacts"][1];
    assert_eq!(good["StatusAttributeString"], "OK");
    assert!(good["ContactID"].is_string() && good.get("ValidationErrors").is_none());
    assert_eq!(
        app.get("/Contacts").await["Contacts"]
            .as_array()
            .unwrap()
            .len(),
        before + 1
    );

    // Without summarizeErrors=false a bad element makes the reply a 400 that lists only the
    // failures, but the valid elements are saved all the same, as in Xero.
    let batch = json!({"Contacts": [{"Name": "Another New Client"}, {"Name": "acme plumbing"}]});
    let response = app
        .api(Method::PUT, "/Contacts")
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["ErrorNumber"], 10);
    assert_eq!(body["Type"], "ValidationException");
    assert_eq!(body["Message"], "A validation exception occurred");
    assert_eq!(body["Elements"].as_array().unwrap().len(), 1);
    assert_eq!(body["Elements"][0]["Name"], "acme plumbing");
    assert_eq!(
        names(
            &app.get("/Contacts?searchTerm=Another%20New%20Client").await,
            "Contacts",
            "Name"
        ),
        vec!["Another New Client"]
    );

    // An archived contact's name is free; ContactNumber must be unique; fields are checked.
    let batch = json!({"Contacts": [
        {"Name": "Riverside Medical Centre"},
        {"Name": "Numbered Twice", "ContactNumber": "SB-0001"},
        {"Name": "Bad Email", "EmailAddress": "not-an-email"},
        {"Name": "Long Number", "ContactNumber": "X".repeat(51)},
        {"EmailAddress": "nameless@example.com"},
    ]});
    let body: Value = app
        .api(Method::PUT, "/Contacts?summarizeErrors=false")
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let contacts = body["Contacts"].as_array().unwrap();
    assert!(contacts[0].get("ValidationErrors").is_none());
    for (index, fragment) in [
        (1, "contact number SB-0001"),
        (2, "Email address"),
        (3, "50 characters"),
        (4, "name must be"),
    ] {
        let message = contacts[index]["ValidationErrors"][0]["Message"]
            .as_str()
            .unwrap();
        assert!(message.contains(fragment), "{message}");
    }
}

#[tokio::test]
async fn post_updates_by_contact_id_or_contact_number() {
    let app = connect(auto_approve()).await;
    let body = json!({"Contacts": [{"ContactNumber": "SB-0007", "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "0400 000 000"}]}]});
    let reply: Value = app
        .api(Method::POST, "/Contacts")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        reply["Contacts"][0]["ContactID"],
        contact_id(DEMO, "Glebe Legal").to_string()
    );
    assert_eq!(reply["Contacts"][0]["Phones"][0]["PhoneType"], "MOBILE");

    let archive = json!({"ContactStatus": "ARCHIVED"});
    let path = format!("/Contacts/{}", contact_id(DEMO, "Glebe Legal"));
    let reply = app
        .api(Method::POST, &path)
        .json(&archive)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    assert!(
        app.get("/Contacts?searchTerm=Glebe").await["Contacts"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let stats = app.stats().await;
    assert_eq!(
        stats["tenants"][DEMO.to_string()]["writes"]["contacts_updated"],
        2
    );
    assert_eq!(
        stats["tenants"][DEMO.to_string()]["writes"]["contacts_created"],
        0
    );
}

#[tokio::test]
async fn an_existing_file_loaded_in_bulk_is_checked_as_the_api_checks_it_all_or_none() {
    let mut app = connect(auto_approve()).await;
    app.tenant = HARBOUR;
    let tenant = HARBOUR.to_string();
    let before = app.stats().await;
    let bulk = |contacts: Value| {
        app.admin(Method::POST, "/contacts/bulk")
            .json(&json!({"tenant_id": tenant, "contacts": contacts}))
            .send()
    };

    // One refused element (a name Harbour already has, an email Xero would refuse) adds none.
    let refused = bulk(json!([
        {"Name": "Leichhardt Florist", "EmailAddress": "shop@leichhardtflorist.com.au"},
        {"Name": "harbour dental"},
        {"Name": "Bad Email Pty Ltd", "EmailAddress": "not-an-email"},
    ]))
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let message = refused.json::<Value>().await.unwrap()["error"].to_string();
    assert!(
        message.contains("#2 The contact name harbour dental is already assigned"),
        "{message}"
    );
    assert!(
        message.contains("#3 Email address must be valid"),
        "{message}"
    );
    let found = app.get("/Contacts?searchTerm=Leichhardt").await;
    assert!(found["Contacts"].as_array().unwrap().is_empty());

    let added = bulk(json!([
        {"Name": "Leichhardt Florist", "EmailAddress": "shop@leichhardtflorist.com.au",
         "TaxNumber": "12 345 678 901", "IsCustomer": true,
         "Phones": [{"PhoneType": "DEFAULT", "PhoneAreaCode": "02", "PhoneNumber": "9555 0300"}]},
        {"Name": "Rozelle Paper Supplies", "IsSupplier": true},
    ]))
    .await
    .unwrap();
    assert_eq!(added.status(), StatusCode::OK);
    let ids = added.json::<Value>().await.unwrap()["ContactIDs"].clone();
    assert_eq!(ids.as_array().unwrap().len(), 2);

    let florist = app
        .get(&format!("/Contacts/{}", ids[0].as_str().unwrap()))
        .await;
    let florist = &florist["Contacts"][0];
    assert_eq!(florist["Name"], "Leichhardt Florist");
    assert_eq!(florist["TaxNumber"], "12 345 678 901");
    assert_eq!(florist["Phones"][0]["PhoneNumber"], "9555 0300");
    assert_eq!(
        (florist["IsCustomer"].clone(), florist["IsSupplier"].clone()),
        (json!(true), json!(false))
    );

    // Loading is no API call: the request counts and the write counters stay as they were.
    let after = app.stats().await;
    assert_eq!(
        after["tenants"][&tenant]["contacts"].as_u64().unwrap(),
        before["tenants"][&tenant]["contacts"].as_u64().unwrap() + 2
    );
    assert_eq!(
        after["tenants"][&tenant]["writes"],
        before["tenants"][&tenant]["writes"]
    );
    let api_calls = |stats: &Value| {
        stats["requests"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(route, _)| route.contains("/api.xro/"))
            .map(|(_, count)| count.as_u64().unwrap())
            .sum::<u64>()
    };
    // The search and the read above; nothing for the loads.
    assert_eq!(api_calls(&after), api_calls(&before) + 2);
}
