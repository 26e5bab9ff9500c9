//! The simulator's replies checked against Xero's official OpenAPI specs: every property we
//! send is declared, with the declared type, enum value and (for `x-is-msdate*`) `/Date(…)/` form.
//! The parts of the specs used are vendored in `tests/spec/` (MIT, see its README), so the test
//! needs nothing outside the repository.
//!
//! Tolerated, because real Xero sends them although the spec doesn't declare them:
//! - the reply envelope (`Id`, `Status`, `ProviderName`, `DateTimeUTC`) on every collection;
//! - `DateString` / `DueDateString` on invoices;
//! - a 400's `Elements` echo the whole invoice/contact (the spec's `Element` lists only ids),
//!   so they are checked against `Invoice`/`Contact` instead.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use serde_yaml::Value as Yaml;

use crate::common::*;

const ENVELOPE: &[&str] = &["Id", "Status", "ProviderName", "DateTimeUTC"];
const UNDECLARED_BUT_REAL: &[(&str, &str)] =
    &[("Invoice", "DateString"), ("Invoice", "DueDateString")];

struct Spec {
    schemas: Yaml,
}

impl Spec {
    fn load(file: &str) -> Self {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/spec")
            .join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let spec: Yaml = serde_yaml::from_str(&text).unwrap();
        Self {
            schemas: spec["components"]["schemas"].clone(),
        }
    }

    fn schema(&self, name: &str) -> &Yaml {
        let schema = &self.schemas[name];
        assert!(!schema.is_null(), "no schema {name}");
        schema
    }

    /// Checks `value` against schema `name`; returns every problem found.
    fn check(&self, name: &str, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        self.check_value(self.schema(name), Some(name), value, name, &mut problems);
        problems
    }

    fn check_value(
        &self,
        schema: &Yaml,
        name: Option<&str>,
        value: &Value,
        path: &str,
        problems: &mut Vec<String>,
    ) {
        if let Some(reference) = schema["$ref"].as_str() {
            let target = reference.strip_prefix("#/components/schemas/").unwrap();
            return self.check_value(self.schema(target), Some(target), value, path, problems);
        }
        if let Some(allowed) = schema["enum"].as_sequence() {
            let allowed: Vec<String> = allowed.iter().map(yaml_text).collect();
            if let Some(text) = value.as_str()
                && !allowed.iter().any(|a| a == text)
            {
                problems.push(format!("{path}: '{text}' is not one of the enum"));
            }
        }
        if schema["x-is-msdate"].as_bool() == Some(true)
            || schema["x-is-msdate-time"].as_bool() == Some(true)
        {
            let text = value.as_str().unwrap_or_default();
            if !(text.starts_with("/Date(") && text.ends_with(")/")) {
                problems.push(format!("{path}: '{value}' is not a /Date(…)/ value"));
            }
        }
        let declared_type = schema["type"]
            .as_str()
            .or(if schema["properties"].is_mapping() {
                Some("object")
            } else {
                None
            });
        match declared_type {
            Some("string") if !value.is_string() => {
                problems.push(format!("{path}: expected string, got {value}"))
            }
            Some("number") if !value.is_number() => {
                problems.push(format!("{path}: expected number, got {value}"))
            }
            Some("integer") if !(value.is_i64() || value.is_u64()) => {
                problems.push(format!("{path}: expected integer, got {value}"))
            }
            Some("boolean") if !value.is_boolean() => {
                problems.push(format!("{path}: expected boolean, got {value}"))
            }
            Some("array") => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.check_value(
                            &schema["items"],
                            None,
                            item,
                            &format!("{path}[{i}]"),
                            problems,
                        );
                    }
                }
                None => problems.push(format!("{path}: expected array, got {value}")),
            },
            Some("object") => match value.as_object() {
                Some(map) => {
                    for (key, item) in map {
                        let property = &schema["properties"][key.as_str()];
                        if property.is_null() {
                            let tolerated = name
                                .is_some_and(|n| UNDECLARED_BUT_REAL.contains(&(n, key.as_str())));
                            if !tolerated {
                                problems.push(format!("{path}.{key}: not declared in the spec"));
                            }
                            continue;
                        }
                        self.check_value(property, None, item, &format!("{path}.{key}"), problems);
                    }
                }
                None => problems.push(format!("{path}: expected object, got {value}")),
            },
            _ => {}
        }
    }

    /// A collection reply: the envelope is tolerated, the rest must match `collection`.
    fn check_reply(&self, collection: &str, body: &Value) -> Vec<String> {
        let mut body = body.clone();
        let map = body.as_object_mut().unwrap();
        for key in ENVELOPE {
            assert!(map.remove(*key).is_some(), "envelope field {key} missing");
        }
        self.check(collection, &body)
    }
}

fn yaml_text(value: &Yaml) -> String {
    match value {
        Yaml::String(s) => s.clone(),
        other => serde_yaml::to_string(other).unwrap().trim().to_string(),
    }
}

fn assert_clean(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{what} does not match the spec:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn settings_replies_match_the_spec() {
    let spec = Spec::load("xero_accounting.yaml");
    let app = connect(auto_approve()).await;
    for (path, collection) in [
        ("/Organisation", "Organisations"),
        ("/Accounts", "Accounts"),
        ("/TaxRates", "TaxRates"),
        ("/BrandingThemes", "BrandingThemes"),
        ("/TrackingCategories", "TrackingCategories"),
    ] {
        let body = app.get(path).await;
        assert!(
            !body[collection].as_array().unwrap().is_empty(),
            "{collection} empty"
        );
        assert_clean(path, spec.check_reply(collection, &body));
    }
    let nz = app
        .api_for(NORTHWIND, Method::GET, "/TaxRates")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_clean("NZ TaxRates", spec.check_reply("TaxRates", &nz));
}

#[tokio::test]
async fn contact_replies_match_the_spec() {
    let spec = Spec::load("xero_accounting.yaml");
    let app = connect(auto_approve()).await;
    assert_clean(
        "Contacts",
        spec.check_reply("Contacts", &app.get("/Contacts?includeArchived=true").await),
    );
    assert_clean(
        "paged",
        spec.check_reply("Contacts", &app.get("/Contacts?page=2&pageSize=5").await),
    );
    assert_clean(
        "summary",
        spec.check_reply("Contacts", &app.get("/Contacts?summaryOnly=true").await),
    );
    let written: Value = app
        .api(Method::PUT, "/Contacts?summarizeErrors=false")
        .json(&json!({"Contacts": [
            {"Name": "Spec Check Pty Ltd", "FirstName": "Spec", "EmailAddress": "spec@example.com",
             "Addresses": [{"AddressType": "STREET", "City": "Sydney"}], "Phones": [{"PhoneType": "MOBILE", "PhoneNumber": "0400"}]},
            {"Name": "Acme Plumbing"},
        ]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(written["Contacts"][1]["HasValidationErrors"], true);
    assert_clean("written contacts", spec.check_reply("Contacts", &written));
}

#[tokio::test]
async fn invoice_replies_match_the_spec() {
    let spec = Spec::load("xero_accounting.yaml");
    let app = connect(auto_approve()).await;
    assert_clean(
        "Invoices",
        spec.check_reply("Invoices", &app.get("/Invoices").await),
    );
    assert_clean(
        "paged",
        spec.check_reply("Invoices", &app.get("/Invoices?page=1&pageSize=2").await),
    );
    let batch = json!({"Invoices": [
        {"Type": "ACCREC", "Contact": {"Name": "Acme Plumbing"}, "Status": "AUTHORISED", "Reference": "SPEC-1",
         "LineItems": [{"Description": "x", "Quantity": 2, "UnitAmount": 12.5, "AccountCode": "201", "DiscountRate": 10,
                        "Tracking": [{"Name": "Region", "Option": "West"}]}]},
        {"Type": "ACCREC", "Contact": {"Name": "Acme Plumbing"}, "Reference": "SPEC-2",
         "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": "999", "TaxType": "BOGUS"}]},
    ]});
    let written = app
        .api(Method::PUT, "/Invoices?summarizeErrors=false")
        .json(&batch)
        .send()
        .await
        .unwrap();
    let written: Value = written.json().await.unwrap();
    assert_eq!(written["Invoices"][1]["HasErrors"], true);
    assert_clean(
        "written invoices with ValidationErrors",
        spec.check_reply("Invoices", &written),
    );

    let id = written["Invoices"][0]["InvoiceID"].as_str().unwrap();
    let paid: Value = app
        .admin(Method::POST, "/payments")
        .json(&json!({"tenant_id": DEMO, "invoice_id": id, "amount": 24.75}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paid["Status"], "PAID");
    assert_clean(
        "paid invoice",
        spec.check_reply("Invoices", &app.get(&format!("/Invoices/{id}")).await),
    );

    let rejected = app
        .api(Method::PUT, "/Invoices")
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), StatusCode::BAD_REQUEST);
    let mut rejected: Value = rejected.json().await.unwrap();
    let elements = rejected
        .as_object_mut()
        .unwrap()
        .remove("Elements")
        .unwrap();
    assert_clean("400 body", spec.check("Error", &rejected));
    for element in elements.as_array().unwrap() {
        assert_clean("400 element", spec.check("Invoice", element));
    }
}

/// What a bookkeeper does in Xero (merge, credit notes) and the new list options still match.
#[tokio::test]
async fn merged_contacts_and_credited_invoices_match_the_spec() {
    let spec = Spec::load("xero_accounting.yaml");
    let app = connect(auto_approve()).await;
    let acme = xero_sim::seed::contact_id(DEMO, "Acme Plumbing");
    let glebe = xero_sim::seed::contact_id(DEMO, "Glebe Legal");
    let merged = app
        .admin(Method::POST, "/contacts/merge")
        .json(&json!({"tenant_id": DEMO, "contact_id": glebe, "into": acme}))
        .send()
        .await
        .unwrap();
    assert_eq!(merged.status(), StatusCode::OK);
    assert_clean(
        "merged contact",
        spec.check_reply("Contacts", &app.get(&format!("/Contacts/{glebe}")).await),
    );
    let credited: Value = app
        .admin(Method::POST, "/credit-notes")
        .json(&json!({"tenant_id": DEMO, "invoice_id": "INV-0002", "amount": 10}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(credited["CreditNotes"][0]["AppliedAmount"], 10);
    assert_clean(
        "credited invoice",
        spec.check_reply("Invoices", &app.get("/Invoices/INV-0002?unitdp=4").await),
    );
    assert_clean(
        "summary invoices",
        spec.check_reply(
            "Invoices",
            &app.get("/Invoices?summaryOnly=true&order=Date%20DESC")
                .await,
        ),
    );
}

#[tokio::test]
async fn connections_match_the_identity_spec() {
    let spec = Spec::load("xero-identity.yaml");
    let app = connect(auto_approve()).await;
    let connections: Value = app
        .http
        .get(app.sim.connections_url())
        .bearer_auth(&app.access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for connection in connections.as_array().unwrap() {
        assert_clean("connection", spec.check("Connection", connection));
    }
}

/// The specs live in this crate (with Xero's licence), not beside the repository.
#[test]
fn the_spec_is_vendored_with_its_licence() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/spec");
    for file in ["xero_accounting.yaml", "xero-identity.yaml"] {
        assert!(dir.join(file).is_file(), "{file} is not vendored");
    }
    let licence = std::fs::read_to_string(dir.join("LICENSE-xero-openapi.txt")).unwrap();
    assert!(licence.starts_with("MIT License") && licence.contains("Xero Developer API"));
    let note = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(note.contains("github.com/XeroAPI/Xero-OpenAPI"));
    let spec = Spec::load("xero_accounting.yaml");
    for schema in [
        "Invoices",
        "Contacts",
        "Organisations",
        "Error",
        "ValidationError",
    ] {
        spec.schema(schema);
    }
}

#[test]
fn checker_catches_undeclared_mistyped_and_bad_enum_fields() {
    let spec = Spec::load("xero_accounting.yaml");
    let bad = json!({
        "Invoices": [{
            "Type": "INVOICE",
            "Total": "12.30",
            "UpdatedDateUTC": "2026-11-01",
            "Flavour": "vanilla",
            "LineItems": [{"Quantity": true}],
        }],
    });
    let problems = spec.check("Invoices", &bad);
    for fragment in [
        "Type: 'INVOICE'",
        "Total: expected number",
        "UpdatedDateUTC",
        "Flavour: not declared",
        "Quantity: expected number",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(fragment)),
            "{fragment} not caught: {problems:?}"
        );
    }
}
