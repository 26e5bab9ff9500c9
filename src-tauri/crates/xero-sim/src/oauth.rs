//! Xero's identity service: OAuth 2.0 authorization code + PKCE (S256) for a public client,
//! refresh-token rotation with a grace period, revocation, and `/connections`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, Utc};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;
use uuid::Uuid;

use crate::accounting::{json_reply, unauthorized};
use crate::config::GRANULAR_SCOPES_SINCE;
use crate::state::Sim;

/// Authorization codes are single-use and short-lived, as in Xero.
const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// The one person who "logs in" to the simulator.
const USER_ID: Uuid = Uuid::from_u128(0x5ce0_b00c_0000_4000_8000_0000_0000_0001);

#[derive(Default)]
pub struct Identity {
    codes: HashMap<String, AuthCode>,
    grants: HashMap<Uuid, Grant>,
    access_tokens: HashMap<String, AccessToken>,
    refresh_tokens: HashMap<String, RefreshToken>,
}

struct AuthCode {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    scope: String,
    tenants: Vec<Uuid>,
    expires: Instant,
    used: bool,
}

/// What one completed authorization granted: the tenants connected and the tokens issued.
pub struct Grant {
    /// Xero's `authEventId`.
    auth_event_id: Uuid,
    client_id: String,
    scope: String,
    revoked: bool,
    connections: Vec<ConnectionRecord>,
}

struct ConnectionRecord {
    id: Uuid,
    tenant_id: Uuid,
    created: DateTime<Utc>,
}

struct AccessToken {
    grant: Uuid,
    expires: Instant,
}

struct RefreshToken {
    grant: Uuid,
    /// When this token was exchanged for a newer one; it stays usable for the grace period.
    rotated_at: Option<Instant>,
}

impl Grant {
    pub fn is_connected(&self, tenant: Uuid) -> bool {
        self.connections.iter().any(|c| c.tenant_id == tenant)
    }

    /// Whether the user granted at least one of `scopes`.
    pub fn has_any_scope(&self, scopes: &[&str]) -> bool {
        self.scope.split_whitespace().any(|s| scopes.contains(&s))
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl Identity {
    /// The live grant behind an unexpired access token.
    pub fn grant_for_access_token(&self, token: &str) -> Option<&Grant> {
        let access = self.access_tokens.get(token)?;
        if access.expires <= Instant::now() {
            return None;
        }
        self.grants
            .get(&access.grant)
            .filter(|grant| !grant.revoked)
    }

    /// `POST /__admin/revoke`: as if the user disconnected the app in Xero.
    pub fn revoke_all(&mut self) {
        for grant in self.grants.values_mut() {
            grant.revoked = true;
        }
    }

    fn issue(&mut self, grant: Uuid, ttl: Duration, offline: bool) -> (String, Option<String>) {
        let access = random_token();
        self.access_tokens.insert(
            access.clone(),
            AccessToken {
                grant,
                expires: Instant::now() + ttl,
            },
        );
        let refresh = offline.then(|| {
            let refresh = random_token();
            self.refresh_tokens.insert(
                refresh.clone(),
                RefreshToken {
                    grant,
                    rotated_at: None,
                },
            );
            refresh
        });
        (access, refresh)
    }
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A validated authorize request.
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    code_challenge: String,
}

fn validate_authorize(
    sim: &Sim,
    params: &HashMap<String, String>,
) -> Result<AuthRequest, Response> {
    let get = |name: &str| {
        params
            .get(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    if get("client_id").as_deref() != Some(sim.client_id.as_str()) {
        return Err(error_page(
            "Invalid client",
            "The client_id is not registered with this Xero app.",
        ));
    }
    // Exactly one of the registered URIs: Xero matches the whole string (port and path too).
    let registered = sim.lock().redirect_uris.clone();
    let Some(redirect_uri) = get("redirect_uri").filter(|uri| registered.contains(uri)) else {
        return Err(error_page(
            "Invalid redirect_uri",
            &format!(
                "The redirect_uri is not one of the app's registered redirect URIs ({}).",
                registered.join(", ")
            ),
        ));
    };
    if get("response_type").as_deref() != Some("code") {
        return Err(error_page(
            "Unsupported response_type",
            "Only response_type=code is supported.",
        ));
    }
    let Some(code_challenge) = get("code_challenge") else {
        return Err(error_page(
            "Missing code_challenge",
            "PKCE is required: send code_challenge.",
        ));
    };
    if get("code_challenge_method").as_deref() != Some("S256") {
        return Err(error_page(
            "Invalid code_challenge_method",
            "Only code_challenge_method=S256 is supported.",
        ));
    }
    let Some(scope) = get("scope") else {
        return Err(error_page(
            "Missing scope",
            "Send the scopes the app needs.",
        ));
    };
    // With the client and the redirect URI trusted, a bad scope goes back to the app.
    if let Some(refused) = scope
        .split_whitespace()
        .find(|s| !scope_allowed(s, sim.config.app_created))
    {
        let description = if LEGACY_SCOPES.contains(&refused) {
            format!(
                "The scope {refused} is not available to apps created since {}; use the granular scopes",
                GRANULAR_SCOPES_SINCE.format("%-d %B %Y")
            )
        } else {
            format!("The scope {refused} is not a valid scope")
        };
        return Err(redirect_with(
            &redirect_uri,
            &[
                ("error", "invalid_scope"),
                ("error_description", &description),
            ],
            get("state").as_deref(),
        ));
    }
    Ok(AuthRequest {
        client_id: sim.client_id.clone(),
        redirect_uri,
        scope,
        state: get("state"),
        code_challenge,
    })
}

/// Scopes every app may ask for.
const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.settings",
    "accounting.settings.read",
    "accounting.contacts",
    "accounting.contacts.read",
    "accounting.attachments",
    "accounting.attachments.read",
    "accounting.budgets.read",
    "accounting.invoices",
    "accounting.invoices.read",
    "accounting.payments",
    "accounting.payments.read",
    "accounting.banktransactions",
    "accounting.banktransactions.read",
    "accounting.manualjournals",
    "accounting.manualjournals.read",
    "accounting.reports.aged.read",
    "accounting.reports.balancesheet.read",
    "accounting.reports.profitandloss.read",
    "accounting.reports.trialbalance.read",
];

/// Broad scopes only apps created before [`GRANULAR_SCOPES_SINCE`] may ask for.
const LEGACY_SCOPES: &[&str] = &[
    "accounting.transactions",
    "accounting.transactions.read",
    "accounting.reports.read",
    "accounting.journals.read",
];

fn scope_allowed(scope: &str, app_created: NaiveDate) -> bool {
    SCOPES.contains(&scope)
        || (LEGACY_SCOPES.contains(&scope) && app_created < GRANULAR_SCOPES_SINCE)
}

/// `GET /identity/connect/authorize`.
pub async fn authorize(
    State(sim): State<Arc<Sim>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let request = match validate_authorize(&sim, &params) {
        Ok(request) => request,
        Err(page) => return page,
    };
    if sim.config.auto_approve {
        let tenants = sim.lock().orgs.keys().copied().collect();
        return approve(&sim, request, tenants);
    }
    consent_page(&sim, &request)
}

/// `POST /identity/connect/authorize/consent`: the consent page's buttons.
pub async fn consent(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let mut params = HashMap::new();
    let mut tenants = Vec::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        if key == "tenant" {
            if let Ok(id) = Uuid::parse_str(&value) {
                tenants.push(id);
            }
        } else {
            params.insert(key.into_owned(), value.into_owned());
        }
    }
    let request = match validate_authorize(&sim, &params) {
        Ok(request) => request,
        Err(page) => return page,
    };
    if params.get("action").map(String::as_str) != Some("allow") {
        return redirect_with(
            &request.redirect_uri,
            &[("error", "access_denied")],
            request.state.as_deref(),
        );
    }
    let known: Vec<Uuid> = {
        let inner = sim.lock();
        tenants
            .into_iter()
            .filter(|id| inner.orgs.contains_key(id))
            .collect()
    };
    if known.is_empty() {
        return consent_page(&sim, &request);
    }
    approve(&sim, request, known)
}

fn approve(sim: &Sim, request: AuthRequest, tenants: Vec<Uuid>) -> Response {
    let code = random_token();
    sim.lock().identity.codes.insert(
        code.clone(),
        AuthCode {
            client_id: request.client_id,
            redirect_uri: request.redirect_uri.clone(),
            code_challenge: request.code_challenge,
            scope: request.scope,
            tenants,
            expires: Instant::now() + CODE_LIFETIME,
            used: false,
        },
    );
    redirect_with(
        &request.redirect_uri,
        &[("code", &code)],
        request.state.as_deref(),
    )
}

fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return error_page(
            "Invalid redirect_uri",
            "The redirect_uri could not be read.",
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in pairs {
            query.append_pair(key, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    // 302, as Xero's login service answers (axum's `Redirect::to` would be a 303).
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

fn consent_page(sim: &Sim, request: &AuthRequest) -> Response {
    let orgs: Vec<(Uuid, String)> = sim
        .lock()
        .orgs
        .values()
        .map(|org| (org.tenant_id(), org.organisation.name.clone()))
        .collect();
    let hidden = [
        ("response_type", "code"),
        ("client_id", request.client_id.as_str()),
        ("redirect_uri", request.redirect_uri.as_str()),
        ("scope", request.scope.as_str()),
        ("state", request.state.as_deref().unwrap_or("")),
        ("code_challenge", request.code_challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(name, value)| {
        format!(
            r#"<input type="hidden" name="{name}" value="{}">"#,
            escape(value)
        )
    })
    .collect::<String>();
    let boxes = orgs
        .iter()
        .map(|(id, name)| {
            format!(r#"<label><input type="checkbox" name="tenant" value="{id}" checked> {}</label><br>"#, escape(name))
        })
        .collect::<String>();
    let scopes = request
        .scope
        .split_whitespace()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect::<String>();
    Html(format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>Xero (simulator) — Allow access</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto">
<h1>Scopebook wants to access your Xero data</h1>
<p>This is <strong>xero-sim</strong>, a local Xero simulator. Choose the organisations to connect.</p>
<form method="post" action="/identity/connect/authorize/consent">{hidden}
<fieldset><legend>Organisations</legend>{boxes}</fieldset>
<p>Permissions requested:</p><ul>{scopes}</ul>
<button type="submit" name="action" value="allow">Allow access</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form></body></html>"#
    ))
    .into_response()
}

fn error_page(title: &str, detail: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><html><head><title>{0}</title></head><body><h1>{0}</h1><p>{1}</p></body></html>",
            escape(title),
            escape(detail)
        )),
    )
        .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Form fields of a token or revocation request; the client id may come in a Basic header.
fn form_fields(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let mut fields: HashMap<String, String> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    if let Some(pair) = basic {
        let id = pair.split(':').next().unwrap_or_default();
        let id = url::form_urlencoded::parse(id.as_bytes())
            .next()
            .map_or_else(String::new, |(k, _)| k.into_owned());
        fields.entry("client_id".into()).or_insert(id);
    }
    fields
}

fn oauth_error(error: &str) -> Response {
    json_reply(StatusCode::BAD_REQUEST, json!({"error": error}))
}

/// `POST /connect/token`.
pub async fn token(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = form_fields(&headers, &body);
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    if field("client_id") != sim.client_id {
        return oauth_error("invalid_client");
    }
    match field("grant_type") {
        "authorization_code" => exchange_code(
            &sim,
            field("code"),
            field("redirect_uri"),
            field("code_verifier"),
        ),
        "refresh_token" => refresh(&sim, field("refresh_token")),
        _ => oauth_error("unsupported_grant_type"),
    }
}

fn exchange_code(sim: &Sim, code: &str, redirect_uri: &str, verifier: &str) -> Response {
    let mut inner = sim.lock();
    let identity = &mut inner.identity;
    let Some(stored) = identity.codes.get_mut(code) else {
        return oauth_error("invalid_grant");
    };
    if stored.used || stored.expires <= Instant::now() {
        return oauth_error("invalid_grant");
    }
    // Single use: even a failed exchange burns the code.
    stored.used = true;
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if challenge != stored.code_challenge
        || stored.redirect_uri != redirect_uri
        || stored.client_id != sim.client_id
    {
        return oauth_error("invalid_grant");
    }
    let now = Utc::now();
    let grant = Grant {
        auth_event_id: Uuid::new_v4(),
        client_id: stored.client_id.clone(),
        scope: stored.scope.clone(),
        revoked: false,
        connections: stored
            .tenants
            .iter()
            .map(|tenant| ConnectionRecord {
                id: Uuid::new_v4(),
                tenant_id: *tenant,
                created: now,
            })
            .collect(),
    };
    let grant_id = grant.auth_event_id;
    identity.grants.insert(grant_id, grant);
    token_reply(sim, identity, grant_id)
}

fn refresh(sim: &Sim, refresh_token: &str) -> Response {
    let mut inner = sim.lock();
    let identity = &mut inner.identity;
    let Some(stored) = identity.refresh_tokens.get_mut(refresh_token) else {
        return oauth_error("invalid_grant");
    };
    if stored
        .rotated_at
        .is_some_and(|at| at.elapsed() > sim.config.refresh_grace)
    {
        return oauth_error("invalid_grant");
    }
    // Rotation: this token is now the previous one and lives on only for the grace period.
    stored.rotated_at.get_or_insert_with(Instant::now);
    let grant_id = stored.grant;
    if identity
        .grants
        .get(&grant_id)
        .is_none_or(|grant| grant.revoked)
    {
        return oauth_error("invalid_grant");
    }
    token_reply(sim, identity, grant_id)
}

fn token_reply(sim: &Sim, identity: &mut Identity, grant_id: Uuid) -> Response {
    let Some(grant) = identity.grants.get(&grant_id) else {
        return oauth_error("invalid_grant");
    };
    let scope = grant.scope.clone();
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let id_token = scopes.contains(&"openid").then(|| id_token(sim, grant));
    // Like Xero, a refresh token only comes with the offline_access scope.
    let (access, refresh) = identity.issue(
        grant_id,
        sim.config.access_token_ttl,
        scopes.contains(&"offline_access"),
    );
    let mut reply = json_reply(
        StatusCode::OK,
        crate::accounting::drop_nulls(json!({
            "id_token": id_token,
            "access_token": access,
            "expires_in": sim.config.access_token_ttl.as_secs(),
            "token_type": "Bearer",
            "refresh_token": refresh,
            "scope": scope,
        })),
    );
    reply
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    reply
}

/// An unsigned JWT-shaped id token with the claims Xero's carries. Nothing should trust it.
fn id_token(sim: &Sim, grant: &Grant) -> String {
    let now = Utc::now().timestamp();
    let header = json!({"alg": "none", "typ": "JWT"});
    let claims = json!({
        "iss": sim.base_url,
        "aud": grant.client_id,
        "sub": USER_ID.simple().to_string(),
        "iat": now,
        "exp": now + 300,
        "auth_time": now,
        "xero_userid": USER_ID,
        "global_session_id": grant.auth_event_id.simple().to_string(),
        "email": "demo.bookkeeper@scopebook.test",
        "given_name": "Demo",
        "family_name": "Bookkeeper",
        "name": "Demo Bookkeeper",
    });
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// `POST /connect/revocation`: revoking a refresh token ends its grant (all its tokens).
pub async fn revocation(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let fields = form_fields(&headers, &body);
    if fields.get("client_id").map(String::as_str) != Some(sim.client_id.as_str()) {
        return oauth_error("invalid_client");
    }
    let token = fields.get("token").map(String::as_str).unwrap_or_default();
    let mut inner = sim.lock();
    let identity = &mut inner.identity;
    let grant = identity
        .refresh_tokens
        .get(token)
        .map(|t| t.grant)
        .or_else(|| identity.access_tokens.get(token).map(|t| t.grant));
    if let Some(grant) = grant.and_then(|id| identity.grants.get_mut(&id)) {
        grant.revoked = true;
    }
    // RFC 7009: an unknown token is not an error.
    StatusCode::OK.into_response()
}

fn bearer_grant_id(sim: &Sim, headers: &HeaderMap) -> Option<Uuid> {
    let token = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim();
    sim.lock()
        .identity
        .grant_for_access_token(token)
        .map(|grant| grant.auth_event_id)
}

/// `GET /connections`: the tenants this token may call.
pub async fn connections(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(grant_id) = bearer_grant_id(&sim, &headers) else {
        return unauthorized();
    };
    let inner = sim.lock();
    let Some(grant) = inner.identity.grants.get(&grant_id) else {
        return unauthorized();
    };
    if let Some(filter) = params.get("authEventId")
        && Uuid::parse_str(filter).ok() != Some(grant.auth_event_id)
    {
        return json_reply(StatusCode::OK, json!([]));
    }
    let list: Vec<Value> = grant
        .connections
        .iter()
        .map(|c| {
            let name = inner
                .orgs
                .get(&c.tenant_id)
                .map(|org| org.organisation.name.clone())
                .unwrap_or_default();
            // Xero's form: seven fractional digits, no zone ("2019-12-07T18:46:19.5165400").
            let created = format!(
                "{}.{:07}",
                c.created.format("%Y-%m-%dT%H:%M:%S"),
                c.created.timestamp_subsec_nanos() / 100
            );
            json!({
                "id": c.id,
                "authEventId": grant.auth_event_id,
                "tenantId": c.tenant_id,
                "tenantType": "ORGANISATION",
                "tenantName": name,
                "createdDateUtc": created,
                "updatedDateUtc": created,
            })
        })
        .collect();
    json_reply(StatusCode::OK, Value::Array(list))
}

/// `DELETE /connections/{id}`: disconnects one tenant; later calls for it get 403.
pub async fn delete_connection(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(grant_id) = bearer_grant_id(&sim, &headers) else {
        return unauthorized();
    };
    let mut inner = sim.lock();
    let Some(grant) = inner.identity.grants.get_mut(&grant_id) else {
        return unauthorized();
    };
    let id = Uuid::parse_str(&id).ok();
    let before = grant.connections.len();
    grant.connections.retain(|c| Some(c.id) != id);
    if grant.connections.len() == before {
        return StatusCode::NOT_FOUND.into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}
