//! The admin API under `/__admin` (no auth; loopback only): fault injection, revoking every
//! token, the clock, registered redirect URIs, counters, reset — and a bookkeeper's work in
//! Xero: editing, archiving and merging contacts, voiding and deleting invoices, recording
//! payments and credit notes. Each of those bumps the record's `UpdatedDateUTC`, so a client
//! syncing with `If-Modified-Since` sees it.
//!
//! `POST /__admin/contacts/bulk` with `{"tenant_id", "contacts": [...]}` puts a bookkeeper's
//! existing file into an organisation at once, without API calls (so without rate limits or
//! request counts): each contact in Xero's JSON (`Name`, `EmailAddress`, `TaxNumber`,
//! `Phones`, …, plus `IsCustomer` / `IsSupplier`), checked as `PUT /Contacts` checks it, all
//! or none. The reply lists the new `ContactIDs` in order. Their `UpdatedDateUTC` is the
//! simulator's now: move the clock back first (`/clock`) for a file entered long ago.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounting::contacts;
use crate::accounting::invoices::{
    allocate_credit_note, delete_invoice, record_payment, void_invoice,
};
use crate::accounting::json_reply;
use crate::faults::FaultRequest;
use crate::state::{Org, Sim};
use crate::wire::parse_day;

/// Requests seen, per `METHOD /route`.
#[derive(Default, Debug)]
pub struct Stats {
    requests: BTreeMap<String, u64>,
}

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/faults", post(add_fault).delete(clear_faults))
        .route("/revoke", post(revoke))
        .route("/payments", post(payment))
        .route("/credit-notes", post(credit_note))
        .route("/invoices/void", post(void))
        .route("/invoices/delete", post(delete))
        .route("/contacts/edit", post(edit_contact))
        .route("/contacts/archive", post(archive_contact))
        .route("/contacts/merge", post(merge_contacts))
        // A whole file's contacts in one request is more than axum's default 2 MB.
        .route(
            "/contacts/bulk",
            post(add_contacts).layer(DefaultBodyLimit::disable()),
        )
        .route("/clock", post(set_clock))
        .route("/redirect-uris", post(register_redirect_uri))
        .route("/stats", get(stats))
        .route("/reset", post(reset))
}

/// Counts every simulator request by route (admin calls excluded), for "exactly once" tests.
pub async fn count_requests(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    if let Some(path) = request.extensions().get::<MatchedPath>()
        && !path.as_str().starts_with("/__admin")
    {
        let key = format!("{} {}", request.method(), path.as_str());
        *sim.lock().stats.requests.entry(key).or_default() += 1;
    }
    next.run(request).await
}

fn admin_error(status: StatusCode, message: &str) -> Response {
    json_reply(status, json!({"error": message}))
}

async fn add_fault(State(sim): State<Arc<Sim>>, Json(request): Json<FaultRequest>) -> Response {
    let fault = match request.fault() {
        Ok(fault) => fault,
        Err(message) => return admin_error(StatusCode::BAD_REQUEST, &message),
    };
    let mut inner = sim.lock();
    inner.faults.push(fault, request.count);
    Json(json!({"pending": inner.faults.len()})).into_response()
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> Response {
    sim.lock().faults.clear();
    Json(json!({"pending": 0})).into_response()
}

async fn revoke(State(sim): State<Arc<Sim>>) -> Response {
    sim.lock().identity.revoke_all();
    Json(json!({"revoked": true})).into_response()
}

#[derive(Deserialize)]
struct PaymentRequest {
    tenant_id: Uuid,
    /// InvoiceID, or the InvoiceNumber.
    invoice_id: String,
    /// A JSON number or a decimal string.
    amount: Decimal,
    /// `YYYY-MM-DD`; today when absent.
    date: Option<String>,
}

fn optional_day(date: Option<&str>) -> Result<Option<NaiveDate>, Response> {
    match date.map(|text| parse_day(text).ok_or(text)) {
        None => Ok(None),
        Some(Ok(day)) => Ok(Some(day)),
        Some(Err(text)) => Err(admin_error(
            StatusCode::BAD_REQUEST,
            &format!("'{text}' is not a date"),
        )),
    }
}

/// Runs `change` on one organisation at the simulator's "now"; its error is a 400.
fn in_org(
    sim: &Sim,
    tenant: Uuid,
    change: impl FnOnce(&mut Org, DateTime<Utc>) -> Result<Value, String>,
) -> Response {
    let now = sim.now();
    let mut inner = sim.lock();
    let Some(org) = inner.orgs.get_mut(&tenant) else {
        return admin_error(StatusCode::NOT_FOUND, "no such tenant");
    };
    match change(org, now) {
        Ok(record) => Json(record).into_response(),
        Err(message) => admin_error(StatusCode::BAD_REQUEST, &message),
    }
}

async fn payment(State(sim): State<Arc<Sim>>, Json(request): Json<PaymentRequest>) -> Response {
    let date = match optional_day(request.date.as_deref()) {
        Ok(date) => date,
        Err(reply) => return reply,
    };
    in_org(&sim, request.tenant_id, |org, now| {
        record_payment(org, &request.invoice_id, request.amount, date, now)
    })
}

/// `POST /__admin/credit-notes`: a credit note for the invoice's contact, allocated to it.
async fn credit_note(State(sim): State<Arc<Sim>>, Json(request): Json<PaymentRequest>) -> Response {
    let date = match optional_day(request.date.as_deref()) {
        Ok(date) => date,
        Err(reply) => return reply,
    };
    in_org(&sim, request.tenant_id, |org, now| {
        allocate_credit_note(org, &request.invoice_id, request.amount, date, now)
    })
}

#[derive(Deserialize)]
struct InvoiceRequest {
    tenant_id: Uuid,
    /// InvoiceID, or the InvoiceNumber.
    invoice_id: String,
}

async fn void(State(sim): State<Arc<Sim>>, Json(request): Json<InvoiceRequest>) -> Response {
    in_org(&sim, request.tenant_id, |org, now| {
        void_invoice(org, &request.invoice_id, now)
    })
}

async fn delete(State(sim): State<Arc<Sim>>, Json(request): Json<InvoiceRequest>) -> Response {
    in_org(&sim, request.tenant_id, |org, now| {
        delete_invoice(org, &request.invoice_id, now)
    })
}

#[derive(Deserialize)]
struct ContactRequest {
    tenant_id: Uuid,
    contact_id: Uuid,
    /// Xero's field names, e.g. `{"Name": "…", "EmailAddress": "…"}` (edit only).
    #[serde(default)]
    changes: Value,
    /// The contact to merge into (merge only).
    into: Option<Uuid>,
}

async fn edit_contact(
    State(sim): State<Arc<Sim>>,
    Json(request): Json<ContactRequest>,
) -> Response {
    in_org(&sim, request.tenant_id, |org, now| {
        contacts::edit_contact(org, request.contact_id, request.changes, now)
    })
}

async fn archive_contact(
    State(sim): State<Arc<Sim>>,
    Json(request): Json<ContactRequest>,
) -> Response {
    in_org(&sim, request.tenant_id, |org, now| {
        contacts::edit_contact(
            org,
            request.contact_id,
            json!({"ContactStatus": "ARCHIVED"}),
            now,
        )
    })
}

async fn merge_contacts(
    State(sim): State<Arc<Sim>>,
    Json(request): Json<ContactRequest>,
) -> Response {
    let Some(into) = request.into else {
        return admin_error(StatusCode::BAD_REQUEST, "say which contact to merge into");
    };
    in_org(&sim, request.tenant_id, |org, now| {
        contacts::merge_contacts(org, request.contact_id, into, now)
    })
}

#[derive(Deserialize)]
struct BulkContactsRequest {
    tenant_id: Uuid,
    /// Xero's contact JSON, one element a contact.
    contacts: Vec<Value>,
}

async fn add_contacts(
    State(sim): State<Arc<Sim>>,
    Json(request): Json<BulkContactsRequest>,
) -> Response {
    in_org(&sim, request.tenant_id, |org, now| {
        contacts::add_existing_contacts(org, &request.contacts, now)
    })
}

#[derive(Deserialize)]
struct ClockRequest {
    /// An RFC 3339 moment the simulator's clock moves to; `null` for the real clock.
    now: Option<String>,
}

/// `POST /__admin/clock`: puts the simulator at a chosen moment (it keeps ticking from there).
async fn set_clock(State(sim): State<Arc<Sim>>, Json(request): Json<ClockRequest>) -> Response {
    let offset = match request.now.as_deref() {
        None => chrono::Duration::zero(),
        Some(text) => match DateTime::parse_from_rfc3339(text) {
            Ok(at) => at.with_timezone(&Utc) - Utc::now(),
            Err(_) => {
                return admin_error(
                    StatusCode::BAD_REQUEST,
                    &format!("'{text}' is not an RFC 3339 time"),
                );
            }
        },
    };
    sim.lock().clock_offset = offset;
    Json(json!({"now": sim.now().to_rfc3339()})).into_response()
}

#[derive(Deserialize)]
struct RedirectRequest {
    uri: String,
}

/// `POST /__admin/redirect-uris`: registers one more redirect URI for the app.
async fn register_redirect_uri(
    State(sim): State<Arc<Sim>>,
    Json(request): Json<RedirectRequest>,
) -> Response {
    sim.register_redirect_uri(&request.uri);
    Json(json!({"redirect_uris": sim.lock().redirect_uris})).into_response()
}

async fn stats(State(sim): State<Arc<Sim>>) -> Response {
    let inner = sim.lock();
    let tenants: serde_json::Map<String, Value> = inner
        .orgs
        .values()
        .map(|org| {
            (
                org.tenant_id().to_string(),
                json!({
                    "name": org.organisation.name,
                    "contacts": org.contacts.len(),
                    "invoices": org.invoices.len(),
                    "writes": org.counters,
                }),
            )
        })
        .collect();
    Json(json!({
        "requests": inner.stats.requests,
        "tenants": tenants,
        "pending_faults": inner.faults.len(),
    }))
    .into_response()
}

async fn reset(State(sim): State<Arc<Sim>>) -> Response {
    sim.reset();
    Json(json!({"reset": true})).into_response()
}
