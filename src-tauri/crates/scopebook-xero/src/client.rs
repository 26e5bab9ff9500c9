//! The one way Scopebook calls Xero: every request goes through the tenant's limiter, carries a
//! fresh token and `xero-tenant-id`, is retried within bounds when that is safe, and comes back
//! as a typed value or a [`XeroError`].
//!
//! Safe to retry: reads, and writes that carry an `Idempotency-Key` (Xero replays the first
//! answer). A write without a key whose answer was lost is reported as [`XeroError::Uncertain`]
//! so the caller looks it up before sending it again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::Session;
use crate::error::{LimitProblem, Result, XeroError};
use crate::limiter::Limiters;
use crate::models::*;

/// A request to the accounting API (or the connections endpoint).
struct Call {
    method: Method,
    url: String,
    tenant: Option<String>,
    query: Vec<(String, String)>,
    body: Option<serde_json::Value>,
    idempotency_key: Option<String>,
    if_modified_since: Option<DateTime<Utc>>,
}

impl Call {
    fn get(url: String, tenant: Option<&str>) -> Call {
        Call {
            method: Method::GET,
            url,
            tenant: tenant.map(str::to_string),
            query: Vec::new(),
            body: None,
            idempotency_key: None,
            if_modified_since: None,
        }
    }

    fn retry_is_safe(&self) -> bool {
        self.method == Method::GET
            || self.method == Method::DELETE
            || self.idempotency_key.is_some()
    }
}

pub struct XeroClient {
    session: Arc<Session>,
    http: reqwest::Client,
    limiters: Limiters,
    last_call: Mutex<Option<DateTime<Utc>>>,
}

/// Which contacts to read.
#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    pub page: Option<u32>,
    pub page_size: Option<u32>,
    pub modified_since: Option<DateTime<Utc>>,
    pub search_term: Option<String>,
    pub ids: Vec<String>,
    pub include_archived: bool,
    pub summary_only: bool,
}

/// Which invoices to read.
#[derive(Debug, Clone, Default)]
pub struct InvoiceQuery {
    pub page: Option<u32>,
    pub modified_since: Option<DateTime<Utc>>,
    pub ids: Vec<String>,
    pub invoice_numbers: Vec<String>,
    pub contact_ids: Vec<String>,
    pub statuses: Vec<String>,
    /// Exact `Reference` (how posting finds an invoice whose reply was lost).
    pub reference: Option<String>,
}

/// One page of a paged list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub pagination: Option<Pagination>,
}

/// The collection names Xero wraps lists in.
const COLLECTIONS: &[&str] = &[
    "Contacts",
    "Invoices",
    "Accounts",
    "TaxRates",
    "BrandingThemes",
    "TrackingCategories",
    "Organisations",
];

#[derive(Serialize)]
struct ContactsBody<'a> {
    #[serde(rename = "Contacts")]
    contacts: &'a [Contact],
}

#[derive(Serialize)]
struct InvoicesBody<'a> {
    #[serde(rename = "Invoices")]
    invoices: &'a [Invoice],
}

/// Most records a page of contacts or invoices may hold.
pub const MAX_PAGE_SIZE: u32 = 1000;

impl XeroClient {
    pub fn new(session: Arc<Session>) -> Result<XeroClient> {
        let config = session.config();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("Scopebook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| XeroError::Network {
                detail: e.to_string(),
            })?;
        Ok(XeroClient {
            limiters: Limiters::new(config.limits),
            session,
            http,
            last_call: Mutex::new(None),
        })
    }

    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    /// When Scopebook last heard from Xero.
    pub fn last_call(&self) -> Option<DateTime<Utc>> {
        self.last_call.lock().ok().and_then(|t| *t)
    }

    fn api(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.session.config().urls.api.trim_end_matches('/'),
            path
        )
    }

    /// The organisations the grant reaches.
    pub async fn connections(&self) -> Result<Vec<Connection>> {
        let url = self.session.config().urls.connections.clone();
        let value = self.send(Call::get(url, None)).await?;
        parse(value)
    }

    /// Removes an organisation from the grant (Xero's "disconnect").
    pub async fn delete_connection(&self, connection_id: &str) -> Result<()> {
        let url = format!(
            "{}/{}",
            self.session.config().urls.connections.trim_end_matches('/'),
            connection_id
        );
        let mut call = Call::get(url, None);
        call.method = Method::DELETE;
        self.send(call).await.map(|_| ())
    }

    async fn list<T: DeserializeOwned>(&self, call: Call) -> Result<Page<T>> {
        let mut reply = self.send(call).await?;
        let pagination = reply
            .get_mut("pagination")
            .map(serde_json::Value::take)
            .map(parse)
            .transpose()?;
        let items = COLLECTIONS
            .iter()
            .find_map(|name| reply.get_mut(*name).map(serde_json::Value::take))
            .unwrap_or(serde_json::Value::Array(Vec::new()));
        Ok(Page {
            items: parse(items)?,
            pagination,
        })
    }

    pub async fn organisation(&self, tenant: &str) -> Result<Organisation> {
        let page: Page<Organisation> = self
            .list(Call::get(self.api("Organisation"), Some(tenant)))
            .await?;
        page.items
            .into_iter()
            .next()
            .ok_or(XeroError::InvalidReply {
                detail: "no organisation in the reply".into(),
            })
    }

    pub async fn accounts(&self, tenant: &str) -> Result<Vec<Account>> {
        Ok(self
            .list(Call::get(self.api("Accounts"), Some(tenant)))
            .await?
            .items)
    }

    pub async fn tax_rates(&self, tenant: &str) -> Result<Vec<TaxRate>> {
        Ok(self
            .list(Call::get(self.api("TaxRates"), Some(tenant)))
            .await?
            .items)
    }

    pub async fn branding_themes(&self, tenant: &str) -> Result<Vec<BrandingTheme>> {
        Ok(self
            .list(Call::get(self.api("BrandingThemes"), Some(tenant)))
            .await?
            .items)
    }

    pub async fn tracking_categories(&self, tenant: &str) -> Result<Vec<TrackingCategory>> {
        Ok(self
            .list(Call::get(self.api("TrackingCategories"), Some(tenant)))
            .await?
            .items)
    }

    /// One page of contacts (or all matching contacts when no page is given).
    pub async fn contacts(&self, tenant: &str, query: &ContactQuery) -> Result<Page<Contact>> {
        let mut call = Call::get(self.api("Contacts"), Some(tenant));
        if let Some(page) = query.page {
            call.query.push(("page".into(), page.to_string()));
        }
        if let Some(size) = query.page_size {
            call.query
                .push(("pageSize".into(), size.min(MAX_PAGE_SIZE).to_string()));
        }
        if let Some(term) = query.search_term.as_ref().filter(|t| !t.trim().is_empty()) {
            call.query
                .push(("searchTerm".into(), term.trim().to_string()));
        }
        if !query.ids.is_empty() {
            call.query.push(("IDs".into(), query.ids.join(",")));
        }
        if query.include_archived {
            call.query.push(("includeArchived".into(), "true".into()));
        }
        if query.summary_only {
            call.query.push(("summaryOnly".into(), "true".into()));
        }
        call.if_modified_since = query.modified_since;
        self.list(call).await
    }

    /// Every contact changed since `modified_since` (all when `None`), page by page.
    pub async fn all_contacts(
        &self,
        tenant: &str,
        modified_since: Option<DateTime<Utc>>,
        include_archived: bool,
    ) -> Result<Vec<Contact>> {
        let page_size = MAX_PAGE_SIZE;
        let mut all = Vec::new();
        for page in 1.. {
            let query = ContactQuery {
                page: Some(page),
                page_size: Some(page_size),
                modified_since,
                include_archived,
                ..ContactQuery::default()
            };
            let batch = self.contacts(tenant, &query).await?;
            let count = batch.items.len();
            all.extend(batch.items);
            let last = match batch.pagination {
                Some(p) if p.page_count > 0 => page >= p.page_count,
                _ => (count as u32) < page_size,
            };
            if last || count == 0 {
                break;
            }
        }
        Ok(all)
    }

    /// Creates contacts (`PUT`, `summarizeErrors=false`): each comes back with its ContactID or
    /// its own ValidationErrors.
    pub async fn create_contacts(
        &self,
        tenant: &str,
        contacts: &[Contact],
        idempotency_key: Option<&str>,
    ) -> Result<Vec<Contact>> {
        self.write(
            Method::PUT,
            tenant,
            "Contacts",
            &ContactsBody { contacts },
            idempotency_key,
        )
        .await
    }

    /// Creates or updates contacts (`POST`, matched by ContactID).
    pub async fn update_contacts(
        &self,
        tenant: &str,
        contacts: &[Contact],
        idempotency_key: Option<&str>,
    ) -> Result<Vec<Contact>> {
        self.write(
            Method::POST,
            tenant,
            "Contacts",
            &ContactsBody { contacts },
            idempotency_key,
        )
        .await
    }

    pub async fn invoices(&self, tenant: &str, query: &InvoiceQuery) -> Result<Page<Invoice>> {
        let mut call = Call::get(self.api("Invoices"), Some(tenant));
        if let Some(page) = query.page {
            call.query.push(("page".into(), page.to_string()));
        }
        let joined = |name: &str, values: &[String], call: &mut Call| {
            if !values.is_empty() {
                call.query.push((name.into(), values.join(",")));
            }
        };
        joined("IDs", &query.ids, &mut call);
        joined("InvoiceNumbers", &query.invoice_numbers, &mut call);
        joined("ContactIDs", &query.contact_ids, &mut call);
        joined("Statuses", &query.statuses, &mut call);
        if let Some(reference) = &query.reference {
            let escaped = reference.replace('\\', "\\\\").replace('"', "\\\"");
            call.query
                .push(("where".into(), format!("Reference==\"{escaped}\"")));
        }
        call.if_modified_since = query.modified_since;
        self.list(call).await
    }

    /// Creates invoices (`PUT`, `summarizeErrors=false`), at most 50 a call as Xero advises.
    pub async fn create_invoices(
        &self,
        tenant: &str,
        invoices: &[Invoice],
        idempotency_key: Option<&str>,
    ) -> Result<Vec<Invoice>> {
        self.write(
            Method::PUT,
            tenant,
            "Invoices",
            &InvoicesBody { invoices },
            idempotency_key,
        )
        .await
    }

    async fn write<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        tenant: &str,
        path: &str,
        body: &B,
        idempotency_key: Option<&str>,
    ) -> Result<Vec<T>> {
        let body = serde_json::to_value(body).map_err(|e| XeroError::InvalidReply {
            detail: e.to_string(),
        })?;
        let call = Call {
            method,
            url: self.api(path),
            tenant: Some(tenant.to_string()),
            query: vec![("summarizeErrors".into(), "false".into())],
            body: Some(body),
            idempotency_key: idempotency_key.map(str::to_string),
            if_modified_since: None,
        };
        Ok(self.list(call).await?.items)
    }

    /// Sends `call` with limits, auth and bounded retries; returns the JSON body.
    async fn send(&self, call: Call) -> Result<serde_json::Value> {
        let policy = self.session.config().retry;
        let limiter = call.tenant.as_deref().map(|t| self.limiters.for_tenant(t));
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last_attempt = attempt >= policy.attempts;
            let slot = match &limiter {
                Some(l) => Some(l.acquire().await?),
                None => None,
            };
            let token = self.session.access_token().await?;
            let outcome = self.http_request(&call, &token).send().await;
            if let Ok(mut t) = self.last_call.lock() {
                *t = Some(Utc::now());
            }
            let response = match outcome {
                Ok(response) => response,
                Err(error) => {
                    drop(slot);
                    let detail = describe(&error);
                    let sent = !error.is_connect();
                    if !call.retry_is_safe() && sent {
                        return Err(XeroError::Uncertain { detail });
                    }
                    if last_attempt {
                        return Err(if sent {
                            XeroError::Uncertain { detail }
                        } else {
                            XeroError::Network { detail }
                        });
                    }
                    tokio::time::sleep(backoff(policy.backoff, attempt)).await;
                    continue;
                }
            };
            let headers = response.headers().clone();
            if let Some(l) = &limiter {
                l.observe(
                    header_u32(&headers, "x-minlimit-remaining"),
                    header_u32(&headers, "x-daylimit-remaining"),
                );
            }
            let status = response.status();
            let body = response.text().await;
            drop(slot);
            let body = match body {
                Ok(body) => body,
                Err(error) if call.retry_is_safe() && !last_attempt => {
                    let _ = error;
                    tokio::time::sleep(backoff(policy.backoff, attempt)).await;
                    continue;
                }
                Err(error) => {
                    return Err(XeroError::Uncertain {
                        detail: describe(&error),
                    });
                }
            };
            match status {
                s if s.is_success() => {
                    return if body.trim().is_empty() {
                        Ok(serde_json::Value::Null)
                    } else {
                        serde_json::from_str(&body).map_err(|e| XeroError::InvalidReply {
                            detail: e.to_string(),
                        })
                    };
                }
                StatusCode::UNAUTHORIZED if !refreshed => {
                    // The token may have been revoked or expired early: refresh once and retry.
                    refreshed = true;
                    self.session.refresh_after_rejection(&token).await?;
                }
                StatusCode::UNAUTHORIZED => return Err(XeroError::Unauthorised),
                StatusCode::FORBIDDEN => return Err(XeroError::Forbidden),
                StatusCode::NOT_FOUND => {
                    return Err(XeroError::NotFound {
                        what: call
                            .url
                            .rsplit('/')
                            .next()
                            .unwrap_or("that record")
                            .to_string(),
                    });
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    let retry_after = Duration::from_secs(
                        header_u32(&headers, "retry-after").unwrap_or(60).into(),
                    );
                    let problem = headers
                        .get("x-rate-limit-problem")
                        .and_then(|v| v.to_str().ok())
                        .map_or(LimitProblem::Minute, LimitProblem::parse);
                    if let Some(l) = &limiter {
                        l.block_for(retry_after);
                    }
                    if problem == LimitProblem::Day || retry_after > policy.max_wait || last_attempt
                    {
                        return Err(XeroError::RateLimited {
                            problem,
                            retry_after,
                        });
                    }
                    // The limiter holds this request (and others for the tenant) until then.
                }
                s if s.is_server_error() => {
                    if !call.retry_is_safe() {
                        // A 5xx on a write without a key may still have been applied.
                        return Err(XeroError::Uncertain {
                            detail: server_detail(s, &body),
                        });
                    }
                    if last_attempt {
                        return Err(XeroError::Unavailable {
                            detail: server_detail(s, &body),
                        });
                    }
                    tokio::time::sleep(backoff(policy.backoff, attempt)).await;
                }
                _ => return Err(validation_error(status, &body)),
            }
        }
    }

    fn http_request(&self, call: &Call, token: &str) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(call.method.clone(), &call.url)
            .bearer_auth(token)
            .header("Accept", "application/json");
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(tenant) = &call.tenant {
            request = request.header("xero-tenant-id", tenant);
        }
        if let Some(key) = &call.idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(since) = call.if_modified_since {
            request = request.header(
                "If-Modified-Since",
                since.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            );
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        request
    }
}

fn parse<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| XeroError::InvalidReply {
        detail: e.to_string(),
    })
}

fn backoff(first: Duration, attempt: u32) -> Duration {
    first * 2u32.saturating_pow(attempt.saturating_sub(1).min(6))
}

fn header_u32(headers: &HeaderMap, name: &str) -> Option<u32> {
    headers
        .get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// A reqwest error without its URL (query strings can be long; tokens are never in URLs).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the request timed out".into()
    } else if error.is_connect() {
        "couldn't connect".into()
    } else {
        "the connection was lost".into()
    }
}

fn server_detail(status: StatusCode, body: &str) -> String {
    // A 503 body may be plain text; keep it short and free of markup.
    let text: String = body
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect::<String>()
        .trim()
        .to_string();
    if text.is_empty() || text.starts_with('<') || text.starts_with('{') {
        format!("HTTP {}", status.as_u16())
    } else {
        format!("HTTP {}: {text}", status.as_u16())
    }
}

/// Reads Xero's error body: `Elements[].ValidationErrors[].Message`, else `Message`/`Detail`.
fn validation_error(status: StatusCode, body: &str) -> XeroError {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    let mut messages: Vec<String> = value
        .get("Elements")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .flat_map(|element| {
            element
                .get("ValidationErrors")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| {
                    v.get("Message")
                        .and_then(|m| m.as_str())
                        .map(str::to_string)
                })
        })
        .collect();
    if messages.is_empty() {
        for key in ["Detail", "Message", "Title"] {
            if let Some(text) = value.get(key).and_then(|m| m.as_str()) {
                messages.push(text.to_string());
                break;
            }
        }
    }
    if messages.is_empty() {
        messages.push(format!("HTTP {}", status.as_u16()));
    }
    XeroError::Validation { messages }
}
