//! The Accounting API under `/api.xro/2.0`: the gate every call passes (token, tenant, limits,
//! faults, idempotency) and the shared pieces of Xero's reply format.

pub mod contacts;
pub mod idempotency;
pub mod invoices;
pub mod query;
pub mod settings;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::faults::Fault;
use crate::listener::Connection;
use crate::state::Sim;
use crate::wire::ms_date_plain;

/// The tenant a call is for, put in the request's extensions by the gate.
#[derive(Clone, Copy, Debug)]
pub struct Tenant(pub Uuid);

/// The app making the call (its client id), for `createdByMyApp`.
#[derive(Clone, Debug)]
pub struct Caller(pub String);

pub fn router(sim: Arc<Sim>) -> Router<Arc<Sim>> {
    Router::new()
        .route("/Organisation", get(settings::organisation))
        .route("/Accounts", get(settings::accounts))
        .route("/TaxRates", get(settings::tax_rates))
        .route("/BrandingThemes", get(settings::branding_themes))
        .route("/TrackingCategories", get(settings::tracking_categories))
        .route(
            "/Contacts",
            get(contacts::list)
                .put(contacts::create)
                .post(contacts::create_or_update),
        )
        .route(
            "/Contacts/{id}",
            get(contacts::one).post(contacts::update_one),
        )
        .route(
            "/Invoices",
            get(invoices::list)
                .put(invoices::create)
                .post(invoices::create_or_update),
        )
        .route(
            "/Invoices/{id}",
            get(invoices::one).post(invoices::update_one),
        )
        .route("/Invoices/{id}/Email", axum::routing::post(invoices::email))
        .layer(middleware::from_fn_with_state(sim, gate))
}

/// Runs before every accounting call, in Xero's order: authentication (401), scope (401
/// `AuthorizationUnsuccessful`), tenant (403), rate limits (429), the idempotency check for
/// writes (replay, or 409 while the same key is still being processed), then injected faults.
/// No lock is held across the call: concurrent calls run side by side, as in Xero.
async fn gate(State(sim): State<Arc<Sim>>, mut request: Request, next: Next) -> Response {
    let (tenant, client_id) = match authorise(
        &sim,
        request.method(),
        request.uri().path(),
        request.headers(),
    ) {
        Ok(authorised) => authorised,
        Err(reply) => return reply,
    };
    request.extensions_mut().insert(Tenant(tenant));
    request.extensions_mut().insert(Caller(client_id));

    let (_in_flight, remaining) = match crate::limits::admit(&sim, tenant) {
        Ok(admitted) => admitted,
        Err(rejected) => return rejected.into_response(),
    };

    let is_write = request.method() == Method::PUT || request.method() == Method::POST;
    let (request, claim) = if is_write {
        match idempotency::claim(&sim, tenant, request).await {
            Ok(claimed) => claimed,
            Err(reply) => return remaining.stamp(reply),
        }
    } else {
        (request, None)
    };

    let fault = sim.lock().faults.next();
    let mut drop_connection = false;
    let mut partial_400 = false;
    let mut delay = None;
    match fault {
        Some(Fault::Status500) => return remaining.stamp(crate::faults::status_500()),
        Some(Fault::Plain503) => return remaining.stamp(crate::faults::plain_503()),
        Some(Fault::Delay(ms)) => delay = Some(Duration::from_millis(ms)),
        Some(Fault::DropAfterCommit) => drop_connection = true,
        Some(Fault::PartialThen400) => partial_400 = true,
        Some(Fault::Status429) => {
            return crate::limits::Rejected::injected(remaining).into_response();
        }
        None => {}
    }
    let connection = request
        .extensions()
        .get::<ConnectInfo<Connection>>()
        .map(|info| info.0.clone());

    // Xero finishes a request it has received even when its caller goes away (a killed
    // process, a dropped connection): the call runs in its own task, which a disconnect does not
    // cancel, so a slow write still commits, its Idempotency-Key stays "still being processed"
    // (409) until then, and its reply is stored for a replay.
    let call = tokio::spawn(async move {
        // The call counts against the concurrent-calls limit until it ends.
        let _in_flight = _in_flight;
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let reply = next.run(request).await;
        let reply = match claim {
            Some(claim) => claim.store(reply).await,
            None => reply,
        };
        if partial_400 {
            return remaining.stamp(crate::faults::status_400());
        }
        if drop_connection && let Some(connection) = connection {
            // The write (if any) is committed; now the client never hears about it.
            connection.kill();
        }
        remaining.stamp(reply)
    });
    match call.await {
        Ok(reply) => reply,
        Err(_) => remaining.stamp(crate::faults::status_500()),
    }
}

/// Checks the Bearer token, the scope the endpoint needs and `xero-tenant-id`; returns the
/// tenant and the calling app's client id.
fn authorise(
    sim: &Sim,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Result<(Uuid, String), Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        })
        .map(str::trim);
    let inner = sim.lock();
    let Some(grant) = token.and_then(|token| inner.identity.grant_for_access_token(token)) else {
        return Err(unauthorized());
    };
    if let Some(scopes) = required_scopes(method, path)
        && !grant.has_any_scope(scopes)
    {
        return Err(forbidden_scope());
    }
    let tenant = headers
        .get("xero-tenant-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| Uuid::parse_str(value.trim()).ok());
    match tenant {
        Some(tenant) if grant.is_connected(tenant) && inner.orgs.contains_key(&tenant) => {
            Ok((tenant, grant.client_id().to_string()))
        }
        _ => Err(unknown_tenant()),
    }
}

/// The scopes that let a token call `method path` (any one of them is enough): reads accept
/// the `.read` scope too; invoices accept the broad `accounting.transactions` of older apps.
pub fn required_scopes(method: &Method, path: &str) -> Option<&'static [&'static str]> {
    let path = path.strip_prefix("/api.xro/2.0").unwrap_or(path);
    let resource = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let read = method == Method::GET || method == Method::HEAD;
    Some(match (resource.as_str(), read) {
        ("contacts", true) => &["accounting.contacts", "accounting.contacts.read"],
        ("contacts", false) => &["accounting.contacts"],
        ("invoices", true) => &[
            "accounting.invoices",
            "accounting.invoices.read",
            "accounting.transactions",
            "accounting.transactions.read",
        ],
        ("invoices", false) => &["accounting.invoices", "accounting.transactions"],
        (
            "organisation" | "accounts" | "taxrates" | "brandingthemes" | "trackingcategories",
            true,
        ) => &["accounting.settings", "accounting.settings.read"],
        (
            "organisation" | "accounts" | "taxrates" | "brandingthemes" | "trackingcategories",
            false,
        ) => &["accounting.settings"],
        _ => return None,
    })
}

pub fn unauthorized() -> Response {
    json_reply(
        StatusCode::UNAUTHORIZED,
        json!({"Type": null, "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"}),
    )
}

/// The token is valid but lacks the scope this endpoint needs (or the endpoint is locked).
pub fn forbidden_scope() -> Response {
    json_reply(
        StatusCode::UNAUTHORIZED,
        json!({"Type": null, "Title": "Unauthorized", "Status": 401, "Detail": "AuthorizationUnsuccessful"}),
    )
}

/// The tenant is not (or no longer) connected for this token.
pub fn unknown_tenant() -> Response {
    json_reply(
        StatusCode::FORBIDDEN,
        json!({"Type": null, "Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}),
    )
}

/// Xero's 404 for a resource that does not exist is a short plain-text sentence.
pub fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "The resource you're looking for cannot be found",
    )
        .into_response()
}

pub fn json_reply(status: StatusCode, body: Value) -> Response {
    let mut reply = Response::new(Body::from(body.to_string()));
    *reply.status_mut() = status;
    reply.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    reply
}

pub fn ok_json(body: Value) -> Response {
    json_reply(StatusCode::OK, body)
}

/// Xero's reply envelope around a collection.
pub fn envelope(collection: &str, items: Vec<Value>) -> Value {
    let mut body = serde_json::Map::new();
    body.insert("Id".into(), json!(Uuid::new_v4()));
    body.insert("Status".into(), json!("OK"));
    body.insert("ProviderName".into(), json!("Scopebook"));
    body.insert("DateTimeUTC".into(), json!(ms_date_plain(Utc::now())));
    body.insert(collection.into(), Value::Array(items));
    Value::Object(body)
}

/// A 400 for a request whose elements failed validation (without `summarizeErrors=false`).
pub fn validation_exception(elements: Vec<Value>) -> Response {
    json_reply(
        StatusCode::BAD_REQUEST,
        json!({
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": elements,
        }),
    )
}

/// A 400 for a malformed request (bad JSON, bad query parameter).
pub fn bad_request(message: &str) -> Response {
    json_reply(
        StatusCode::BAD_REQUEST,
        json!({"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": message}),
    )
}

/// Xero omits absent fields rather than sending `null`.
pub fn drop_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, drop_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(drop_nulls).collect()),
        other => other,
    }
}

/// Marks an element that failed validation, as Xero does with `summarizeErrors=false`.
pub fn with_errors(mut element: Value, errors: &[String], has_errors_field: &str) -> Value {
    if let Value::Object(map) = &mut element {
        map.insert(has_errors_field.into(), json!(true));
        map.insert("StatusAttributeString".into(), json!("ERROR"));
        map.insert(
            "ValidationErrors".into(),
            Value::Array(
                errors
                    .iter()
                    .map(|message| json!({"Message": message}))
                    .collect(),
            ),
        );
    }
    element
}

/// Marks a saved element in a `summarizeErrors=false` reply.
pub fn with_ok(mut element: Value) -> Value {
    if let Value::Object(map) = &mut element {
        map.insert("StatusAttributeString".into(), json!("OK"));
    }
    element
}

/// Parses the `{"Contacts": [...]}` / `{"Invoices": [...]}` body of a write. Like Xero, a bare
/// array or a single object is accepted too.
pub fn write_elements(body: &[u8], collection: &str) -> Result<Vec<Value>, Response> {
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|error| bad_request(&format!("The request body is not valid JSON: {error}")))?;
    match parsed {
        Value::Object(mut map) => match map.remove(collection) {
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(bad_request(&format!("{collection} must be an array"))),
            None => Ok(vec![Value::Object(map)]),
        },
        Value::Array(items) => Ok(items),
        _ => Err(bad_request(&format!(
            "Expected an object with a {collection} array"
        ))),
    }
}

/// What a write does with an element that names an existing record.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `PUT`: every element is a new record (naming an existing one is an error).
    Create,
    /// `POST`: an element naming an existing record updates it.
    CreateOrUpdate,
}
