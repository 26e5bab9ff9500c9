//! The admin API under `/__admin` (no auth; loopback only): fault injection, revoking every
//! token, recording payments as a bookkeeper would in Xero, counters, reset.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounting::invoices::record_payment;
use crate::accounting::json_reply;
use crate::faults::FaultRequest;
use crate::state::Sim;
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

async fn payment(State(sim): State<Arc<Sim>>, Json(request): Json<PaymentRequest>) -> Response {
    let date = match request
        .date
        .as_deref()
        .map(|text| parse_day(text).ok_or(text))
    {
        None => None,
        Some(Ok(day)) => Some(day),
        Some(Err(text)) => {
            return admin_error(StatusCode::BAD_REQUEST, &format!("'{text}' is not a date"));
        }
    };
    let mut inner = sim.lock();
    let Some(org) = inner.orgs.get_mut(&request.tenant_id) else {
        return admin_error(StatusCode::NOT_FOUND, "no such tenant");
    };
    match record_payment(org, &request.invoice_id, request.amount, date, Utc::now()) {
        Ok(invoice) => Json(invoice).into_response(),
        Err(message) => admin_error(StatusCode::BAD_REQUEST, &message),
    }
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
