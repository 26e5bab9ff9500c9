//! The one way Scopebook calls Xero: every request goes through the tenant's limiter, carries a
//! fresh token and `xero-tenant-id`, is retried within bounds when that is safe, and comes back
//! as a typed value or a [`XeroError`].
//!
//! Safe to retry: reads, and writes that carry an `Idempotency-Key` (Xero replays the first
//! answer). A write whose outcome Scopebook could not see — no answer, a 5xx, a 409 "still in
//! progress" — is reported as [`XeroError::Uncertain`] so the caller looks it up (or resends with
//! the same key) before sending it again.
//!
//! What Xero limits, the client handles itself: every call is recorded in the [`CallLog`] the
//! daily budget is counted from; long `IDs`/`InvoiceNumbers` lists are looked up in chunks of
//! [`MAX_IDS_PER_CALL`]; writes go in batches of at most [`MAX_PER_WRITE`] elements.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::Session;
use crate::calls::{CallLog, CallRecord, MemoryCallLog};
use crate::error::{LimitProblem, Result, XeroError};
use crate::limiter::Limiters;
use crate::models::*;

/// Most values in one `IDs`/`InvoiceNumbers`/`ContactIDs` list: Xero answers 404 once a URL
/// carries about 50 ids, so longer look-ups are split.
pub const MAX_IDS_PER_CALL: usize = 40;

/// Most elements in one write, as Xero advises.
pub const MAX_PER_WRITE: usize = 50;

/// Xero refuses longer `Idempotency-Key`s.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 128;

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

    /// Anything but a read may change something in Xero.
    fn is_write(&self) -> bool {
        self.method != Method::GET
    }

    fn path(&self) -> String {
        url::Url::parse(&self.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| self.url.clone())
    }

    /// The endpoint's first segment after the API base (`Invoices`, `Contacts`, …).
    fn resource(&self) -> String {
        let path = self.path();
        let after = path.split("/api.xro/2.0/").nth(1).unwrap_or(&path);
        after
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// What Scopebook was doing, and the scope Xero wants for it (for a 401
    /// `AuthorizationUnsuccessful`).
    fn permission(&self) -> (String, String) {
        let write = self.is_write();
        let resource = self.resource();
        let (action, permission) = match resource.as_str() {
            "Contacts" | "ContactGroups" => (
                if write {
                    "change contacts"
                } else {
                    "read contacts"
                },
                "accounting.contacts",
            ),
            "Invoices" | "CreditNotes" | "Payments" | "Items" => (
                if write {
                    "create or change invoices"
                } else {
                    "read invoices"
                },
                "accounting.invoices",
            ),
            "Accounts" | "TaxRates" | "BrandingThemes" | "TrackingCategories" | "Organisation" => {
                if write {
                    ("change the organisation's settings", "accounting.settings")
                } else {
                    (
                        "read the organisation's settings",
                        "accounting.settings.read",
                    )
                }
            }
            _ => {
                return (format!("use {resource}"), "the one this needs".to_string());
            }
        };
        (action.to_string(), permission.to_string())
    }
}

pub struct XeroClient {
    session: Arc<Session>,
    http: reqwest::Client,
    limiters: Limiters,
    log: Arc<dyn CallLog>,
    last_call: Mutex<Option<DateTime<Utc>>>,
}

/// Which contacts to read. More than [`MAX_IDS_PER_CALL`] `ids` are looked up in chunks; the
/// reply then holds them all, without pagination.
#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    /// Xero's `order`, e.g. `UpdatedDateUTC ASC` (what a resumable pull pages by).
    pub order: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
    pub modified_since: Option<DateTime<Utc>>,
    pub search_term: Option<String>,
    pub ids: Vec<String>,
    pub include_archived: bool,
    pub summary_only: bool,
}

/// Which invoices to read. Lists longer than [`MAX_IDS_PER_CALL`] are looked up in chunks (the
/// same `page` of each); the reply then holds them all, without pagination.
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
    /// Xero's `order`, e.g. `Date DESC`.
    pub order: Option<String>,
    /// Only invoices this app created (`createdByMyApp=true`).
    pub created_by_my_app: bool,
    /// Up to 1,000 a page (Xero's default is 100).
    pub page_size: Option<u32>,
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

/// Most records a page of contacts or invoices may hold.
pub const MAX_PAGE_SIZE: u32 = 1000;

impl XeroClient {
    /// A client that keeps its record of calls in memory (tests; a one-off look-up).
    pub fn new(session: Arc<Session>) -> Result<XeroClient> {
        XeroClient::with_call_log(session, Arc::new(MemoryCallLog::new()))
    }

    /// A client that records every call in `log`, and counts the daily budget from it.
    pub fn with_call_log(session: Arc<Session>, log: Arc<dyn CallLog>) -> Result<XeroClient> {
        let config = session.config();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("Scopebook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| XeroError::Network {
                detail: e.to_string(),
            })?;
        Ok(XeroClient {
            limiters: Limiters::new(config.limits, config.retry.max_wait, log.clone()),
            log,
            session,
            http,
            last_call: Mutex::new(None),
        })
    }

    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    /// Where calls are recorded.
    pub fn call_log(&self) -> &Arc<dyn CallLog> {
        &self.log
    }

    /// Calls left for `tenant` in the daily budget, by Scopebook's own count of the last 24
    /// hours.
    pub fn calls_left_today(&self, tenant: &str) -> Result<u32> {
        let used = self
            .log
            .count_since(tenant, Utc::now() - chrono::Duration::hours(24))?
            .calls;
        Ok(self.session.config().limits.per_day.saturating_sub(used))
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
        if query.ids.len() <= MAX_IDS_PER_CALL {
            return self.contacts_once(tenant, query).await;
        }
        let mut items = Vec::new();
        for ids in query.ids.chunks(MAX_IDS_PER_CALL) {
            let chunk = ContactQuery {
                ids: ids.to_vec(),
                ..query.clone()
            };
            items.extend(self.contacts_once(tenant, &chunk).await?.items);
        }
        Ok(Page {
            items,
            pagination: None,
        })
    }

    async fn contacts_once(&self, tenant: &str, query: &ContactQuery) -> Result<Page<Contact>> {
        let mut call = Call::get(self.api("Contacts"), Some(tenant));
        if let Some(page) = query.page {
            call.query.push(("page".into(), page.to_string()));
        }
        if let Some(order) = query.order.as_ref().filter(|o| !o.trim().is_empty()) {
            call.query.push(("order".into(), order.trim().to_string()));
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
    /// its own ValidationErrors. Batches of [`MAX_PER_WRITE`]; see [`XeroClient::write`].
    pub async fn create_contacts(
        &self,
        tenant: &str,
        contacts: &[Contact],
        idempotency_key: Option<&str>,
    ) -> Result<Vec<Contact>> {
        self.write(Method::PUT, tenant, "Contacts", contacts, idempotency_key)
            .await
    }

    /// Creates or updates contacts (`POST`, matched by ContactID). Fields left `None` (or
    /// empty) are not sent, so Xero keeps what it has.
    pub async fn update_contacts(
        &self,
        tenant: &str,
        contacts: &[Contact],
        idempotency_key: Option<&str>,
    ) -> Result<Vec<Contact>> {
        self.write(Method::POST, tenant, "Contacts", contacts, idempotency_key)
            .await
    }

    pub async fn invoices(&self, tenant: &str, query: &InvoiceQuery) -> Result<Page<Invoice>> {
        let queries = split_invoice_query(query);
        if let [only] = queries.as_slice() {
            return self.invoices_once(tenant, only).await;
        }
        let mut items = Vec::new();
        for chunk in &queries {
            items.extend(self.invoices_once(tenant, chunk).await?.items);
        }
        Ok(Page {
            items,
            pagination: None,
        })
    }

    async fn invoices_once(&self, tenant: &str, query: &InvoiceQuery) -> Result<Page<Invoice>> {
        let mut call = Call::get(self.api("Invoices"), Some(tenant));
        // Four-decimal unit prices, so Xero's totals agree with Scopebook's to the cent.
        call.query.push(("unitdp".into(), "4".into()));
        if let Some(page) = query.page {
            call.query.push(("page".into(), page.to_string()));
        }
        let joined = |name: &str, values: &[String], call: &mut Call| {
            if !values.is_empty() {
                call.query.push((name.into(), values.join(",")));
            }
        };
        if let Some(order) = query.order.as_ref().filter(|o| !o.trim().is_empty()) {
            call.query.push(("order".into(), order.trim().to_string()));
        }
        if query.created_by_my_app {
            call.query.push(("createdByMyApp".into(), "true".into()));
        }
        if let Some(size) = query.page_size {
            call.query
                .push(("pageSize".into(), size.min(MAX_PAGE_SIZE).to_string()));
        }
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

    /// Creates invoices (`PUT`, `summarizeErrors=false`, `unitdp=4`), at most
    /// [`MAX_PER_WRITE`] a call as Xero advises.
    pub async fn create_invoices(
        &self,
        tenant: &str,
        invoices: &[Invoice],
        idempotency_key: Option<&str>,
    ) -> Result<Vec<Invoice>> {
        self.write(Method::PUT, tenant, "Invoices", invoices, idempotency_key)
            .await
    }

    /// Asks Xero to email an approved invoice to its contact (`POST /Invoices/{id}/Email`, 204).
    /// The Idempotency-Key makes a retry after a lost reply safe: the contact gets one email.
    pub async fn email_invoice(
        &self,
        tenant: &str,
        invoice_id: &str,
        idempotency_key: &str,
    ) -> Result<()> {
        let mut call = Call::get(
            self.api(&format!("Invoices/{invoice_id}/Email")),
            Some(tenant),
        );
        call.method = Method::POST;
        call.body = Some(serde_json::json!({}));
        call.idempotency_key = Some(idempotency_key.to_string());
        self.send(call).await.map(|_| ())
    }

    /// Updates invoices (`POST`, matched by InvoiceID): only the fields that are set are sent.
    pub async fn update_invoices(
        &self,
        tenant: &str,
        invoices: &[Invoice],
        idempotency_key: Option<&str>,
    ) -> Result<Vec<Invoice>> {
        self.write(Method::POST, tenant, "Invoices", invoices, idempotency_key)
            .await
    }

    /// Sends `elements` in batches of at most [`MAX_PER_WRITE`], in order, and returns Xero's
    /// answer for each element. With more than one batch, batch N (from 1) carries the key
    /// `{key}-N`, so a re-run replays the batches that landed. A failed batch stops the run: the
    /// batches before it were written.
    async fn write<E: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        tenant: &str,
        collection: &str,
        elements: &[E],
        idempotency_key: Option<&str>,
    ) -> Result<Vec<T>> {
        let batches: Vec<&[E]> = elements.chunks(MAX_PER_WRITE).collect();
        let keys: Vec<Option<String>> = (1..=batches.len())
            .map(|n| {
                idempotency_key.map(|key| match batches.len() {
                    1 => key.to_string(),
                    _ => format!("{key}-{n}"),
                })
            })
            .collect();
        // Checked before anything is sent, so a bad key never leaves half a run behind.
        if let Some(long) = keys
            .iter()
            .flatten()
            .find(|k| k.chars().count() > MAX_IDEMPOTENCY_KEY_LEN)
        {
            return Err(XeroError::InvalidRequest(format!(
                "the idempotency key “{long}” is longer than Xero's {MAX_IDEMPOTENCY_KEY_LEN} characters"
            )));
        }
        let mut answers = Vec::with_capacity(elements.len());
        for (batch, key) in batches.into_iter().zip(keys) {
            let mut body = serde_json::Map::new();
            body.insert(
                collection.to_string(),
                serde_json::to_value(batch)
                    .map_err(|e| XeroError::InvalidRequest(e.to_string()))?,
            );
            let mut query = vec![("summarizeErrors".into(), "false".into())];
            if collection == "Invoices" {
                query.push(("unitdp".into(), "4".into()));
            }
            let call = Call {
                method: method.clone(),
                url: self.api(collection),
                tenant: Some(tenant.to_string()),
                query,
                body: Some(serde_json::Value::Object(body)),
                idempotency_key: key,
                if_modified_since: None,
            };
            answers.extend(self.list::<T>(call).await?.items);
        }
        Ok(answers)
    }

    /// Keeps the call in the log (off the async threads: it may be a busy database); a log that
    /// fails never fails the call.
    async fn record(&self, call: &Call, at: DateTime<Utc>, took: Duration, status: Option<u16>) {
        let record = CallRecord {
            at,
            tenant_id: call.tenant.clone(),
            method: call.method.as_str().to_string(),
            path: call.path(),
            status,
            duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
        };
        let log = self.log.clone();
        let _ = tokio::task::spawn_blocking(move || log.record(&record)).await;
    }

    /// Sends `call` with limits, auth and bounded retries; returns the JSON body.
    async fn send(&self, call: Call) -> Result<serde_json::Value> {
        let policy = self.session.config().retry;
        let limiter = call.tenant.as_deref().map(|t| self.limiters.for_tenant(t));
        let mut refreshed = false;
        // An earlier attempt of this write may have reached Xero and been applied.
        let mut maybe_applied = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last_attempt = attempt >= policy.attempts;
            let slot = match &limiter {
                Some(l) => Some(l.acquire().await?),
                None => None,
            };
            let token = self.session.access_token().await?;
            let sent_at = Utc::now();
            let clock = std::time::Instant::now();
            let outcome = self.http_request(&call, &token).send().await;
            if let Ok(mut t) = self.last_call.lock() {
                *t = Some(Utc::now());
            }
            let response = match outcome {
                Ok(response) => response,
                Err(error) => {
                    let detail = describe(&error);
                    let sent = !error.is_connect();
                    if sent {
                        self.record(&call, sent_at, clock.elapsed(), None).await;
                        maybe_applied |= call.is_write();
                    }
                    // Only now: the slot counts the call against the day until it is logged.
                    drop(slot);
                    if call.is_write() && sent && !call.retry_is_safe() {
                        return Err(XeroError::Uncertain { detail });
                    }
                    if last_attempt {
                        return Err(if maybe_applied {
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
            self.record(&call, sent_at, clock.elapsed(), Some(status.as_u16()))
                .await;
            drop(slot);
            let body = match body {
                Ok(body) => body,
                Err(error) => {
                    // Xero answered, but the reply was lost on the way.
                    maybe_applied |= call.is_write() && status != StatusCode::TOO_MANY_REQUESTS;
                    if call.retry_is_safe() && !last_attempt {
                        tokio::time::sleep(backoff(policy.backoff, attempt)).await;
                        continue;
                    }
                    let detail = describe(&error);
                    return Err(if maybe_applied {
                        XeroError::Uncertain { detail }
                    } else {
                        XeroError::Network { detail }
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
                // A missing scope or a locked endpoint: a new token would be refused the same.
                StatusCode::UNAUTHORIZED
                    if error_detail(&body).as_deref() == Some("AuthorizationUnsuccessful") =>
                {
                    let (action, permission) = call.permission();
                    return Err(XeroError::PermissionMissing { action, permission });
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
                // Xero is still working on an earlier request with this idempotency key.
                StatusCode::CONFLICT if call.is_write() => {
                    maybe_applied = true;
                    let detail = "Xero was still working on an earlier request for the same change"
                        .to_string();
                    if !call.retry_is_safe() || last_attempt {
                        return Err(XeroError::Uncertain { detail });
                    }
                    tokio::time::sleep(backoff(policy.backoff, attempt)).await;
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    let retry_after = Duration::from_secs(
                        header_u32(&headers, "retry-after").unwrap_or(60).into(),
                    );
                    let problem = headers
                        .get("x-rate-limit-problem")
                        .and_then(|v| v.to_str().ok())
                        .map_or(LimitProblem::Minute, LimitProblem::parse);
                    let until = match &limiter {
                        Some(l) => l.block_for(retry_after, problem),
                        None => {
                            Utc::now()
                                + chrono::Duration::from_std(retry_after)
                                    .unwrap_or(chrono::Duration::hours(24))
                        }
                    };
                    if problem == LimitProblem::Day || retry_after > policy.max_wait || last_attempt
                    {
                        // An earlier attempt of this write may have been applied: the 429 says
                        // nothing about that one, so the outcome is uncertain, not "not sent".
                        if maybe_applied {
                            return Err(XeroError::Uncertain {
                                detail: format!(
                                    "an earlier attempt's reply was lost, then Xero asked to wait until {}",
                                    crate::error::at_local(until)
                                ),
                            });
                        }
                        return Err(XeroError::RateLimited {
                            problem,
                            retry_after,
                            until,
                        });
                    }
                    // The limiter holds this request (and others for the tenant) until then.
                    if limiter.is_none() {
                        tokio::time::sleep(retry_after).await;
                    }
                }
                s if s.is_server_error() => {
                    if call.is_write() {
                        // A 5xx on a write may still have been applied.
                        maybe_applied = true;
                        if !call.retry_is_safe() || last_attempt {
                            return Err(XeroError::Uncertain {
                                detail: server_detail(s, &body),
                            });
                        }
                    } else if last_attempt {
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
            // The form Xero documents: UTC, `yyyy-mm-ddThh:mm:ss`.
            request = request.header(
                "If-Modified-Since",
                since.format("%Y-%m-%dT%H:%M:%S").to_string(),
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

/// The `Detail` of Xero's problem body (`{"Title":"Unauthorized","Detail":"AuthorizationUnsuccessful"}`).
fn error_detail(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get("Detail")?
        .as_str()
        .map(str::to_string)
}

/// Splits a look-up whose lists are longer than [`MAX_IDS_PER_CALL`] into several, each list
/// at most that long. An invoice has one id, one number and one contact, so the chunks never
/// return the same invoice twice.
fn split_invoice_query(query: &InvoiceQuery) -> Vec<InvoiceQuery> {
    let lists: [fn(&mut InvoiceQuery) -> &mut Vec<String>; 3] = [
        |q| &mut q.ids,
        |q| &mut q.invoice_numbers,
        |q| &mut q.contact_ids,
    ];
    let mut queries = vec![query.clone()];
    for list in lists {
        queries = queries
            .into_iter()
            .flat_map(|mut q| {
                let values = std::mem::take(list(&mut q));
                if values.len() <= MAX_IDS_PER_CALL {
                    *list(&mut q) = values;
                    return vec![q];
                }
                values
                    .chunks(MAX_IDS_PER_CALL)
                    .map(|chunk| {
                        let mut part = q.clone();
                        *list(&mut part) = chunk.to_vec();
                        part
                    })
                    .collect()
            })
            .collect();
    }
    queries
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
