//! The Xero connection: which Xero app Scopebook signs in as (its client id), which organisation
//! is connected, and copies of the organisation's lists (accounts, tax rates, branding themes,
//! tracking categories) so forms work offline. Tokens are never here: they stay in the OS
//! keychain behind `scopebook_xero::TokenStore`.
//!
//! Xero is called only from the `async` use cases below, only when the user asks, and no store
//! lock is held across a call.

use std::time::Duration;

use rusqlite::{OptionalExtension, params};
use scopebook_xero::models::{Account, BrandingTheme, Connection, TaxRate, TrackingCategory};
use scopebook_xero::{XeroClient, XeroConfig, XeroUrls};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store::{SharedStore, Source, Store, lock};

/// The organisation Scopebook is connected to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConnectedOrganisation {
    pub connection_id: String,
    pub tenant_id: String,
    pub name: String,
    pub connected_at: String,
    pub last_call_at: Option<String>,
}

/// What Settings → Integrations shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct XeroStatus {
    /// The Xero app's client id ("" until entered).
    pub client_id: String,
    pub organisation: Option<ConnectedOrganisation>,
    /// Where Scopebook talks to: "Xero", or the simulator's address in demo mode.
    pub endpoint: String,
    /// Calls per organisation per day Scopebook allows itself (Xero's Starter tier: 1,000).
    pub daily_call_budget: u32,
    /// Calls left for the connected organisation over the last 24 hours (`None` when none is
    /// connected), counted from every call the app and the CLI made.
    pub calls_left_today: Option<u32>,
    /// Set when the connection has been idle long enough that Xero will soon end it (Xero
    /// ends a refresh token unused for 60 days); says what to do.
    pub idle_warning: Option<String>,
}

/// The organisation's lists as last fetched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct XeroLists {
    pub accounts: Vec<Account>,
    pub tax_rates: Vec<TaxRate>,
    pub branding_themes: Vec<BrandingTheme>,
    pub tracking_categories: Vec<TrackingCategory>,
    pub fetched_at: Option<String>,
    /// The accounts an invoice line can post to (income accounts with a code).
    #[serde(default)]
    pub income_accounts: Vec<Account>,
    /// The tax rates that apply to sales.
    #[serde(default)]
    pub sales_tax_rates: Vec<TaxRate>,
}

impl XeroLists {
    /// Fills the choices the forms offer, derived from the full lists.
    fn with_choices(mut self) -> Self {
        self.income_accounts = self
            .accounts
            .iter()
            .filter(|a| a.is_revenue() && a.code.is_some())
            .cloned()
            .collect();
        self.sales_tax_rates = self
            .tax_rates
            .iter()
            .filter(|t| t.can_apply_to_revenue != Some(false))
            .cloned()
            .collect();
        self
    }
}

/// Where Xero is, from the environment or flags (tests, the demo, a proxy). Unset parts are
/// the real Xero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XeroEndpoint {
    /// A server laid out like `xero-sim` (all URLs under one base).
    pub base_url: Option<String>,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub connections_url: Option<String>,
    pub api_url: Option<String>,
    /// Overrides the client id saved in Settings.
    pub client_id: Option<String>,
}

impl XeroEndpoint {
    /// Xero's web site, where deep links ("open in Xero") go: the test server's own pages when
    /// one stands in for Xero.
    pub fn site(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| "https://go.xero.com".to_string())
    }

    /// `SCOPEBOOK_XERO_BASE_URL`, `SCOPEBOOK_XERO_AUTHORIZE_URL`, `SCOPEBOOK_XERO_TOKEN_URL`,
    /// `SCOPEBOOK_XERO_CONNECTIONS_URL`, `SCOPEBOOK_XERO_API_URL`, `SCOPEBOOK_XERO_CLIENT_ID`.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        XeroEndpoint {
            base_url: var("SCOPEBOOK_XERO_BASE_URL"),
            authorize_url: var("SCOPEBOOK_XERO_AUTHORIZE_URL"),
            token_url: var("SCOPEBOOK_XERO_TOKEN_URL"),
            connections_url: var("SCOPEBOOK_XERO_CONNECTIONS_URL"),
            api_url: var("SCOPEBOOK_XERO_API_URL"),
            client_id: var("SCOPEBOOK_XERO_CLIENT_ID"),
        }
    }

    pub fn urls(&self) -> XeroUrls {
        let mut urls = match &self.base_url {
            Some(base) => XeroUrls::simulator(base),
            None => XeroUrls::production(),
        };
        let set = |slot: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                *slot = v.clone();
            }
        };
        set(&mut urls.authorize, &self.authorize_url);
        set(&mut urls.token, &self.token_url);
        set(&mut urls.connections, &self.connections_url);
        set(&mut urls.api, &self.api_url);
        urls
    }

    /// Whether any URL points somewhere other than Xero (a test server, the demo's simulator).
    pub fn is_overridden(&self) -> bool {
        self.base_url.is_some()
            || self.authorize_url.is_some()
            || self.token_url.is_some()
            || self.connections_url.is_some()
            || self.api_url.is_some()
    }

    /// Refuses an override that could send the bookkeeper's sign-in or tokens in the clear to
    /// another machine: every URL must be `https`, or `http` to this computer (127.0.0.0/8,
    /// `::1`, `localhost`).
    pub fn checked(self) -> Result<Self> {
        let named = [
            ("SCOPEBOOK_XERO_BASE_URL / --xero-base-url", &self.base_url),
            (
                "SCOPEBOOK_XERO_AUTHORIZE_URL / --xero-authorize-url",
                &self.authorize_url,
            ),
            (
                "SCOPEBOOK_XERO_TOKEN_URL / --xero-token-url",
                &self.token_url,
            ),
            (
                "SCOPEBOOK_XERO_CONNECTIONS_URL / --xero-connections-url",
                &self.connections_url,
            ),
            ("SCOPEBOOK_XERO_API_URL / --xero-api-url", &self.api_url),
        ];
        for (name, value) in named {
            if let Some(text) = value
                && !safe_override(text)
            {
                return Err(Error::invalid(
                    "xero_url",
                    format!(
                        "{name} is \u{201c}{text}\u{201d}: a Xero address must start with https://, \
                         or be http:// to this computer (127.0.0.1 or localhost) for a test server."
                    ),
                ));
            }
        }
        Ok(self)
    }

    /// The warning to print (CLI) or show as a badge (app) while an override is active.
    pub fn warning(&self) -> Option<String> {
        self.is_overridden().then(|| {
            format!(
                "Scopebook is talking to {}, not to Xero: nothing sent there reaches your real \
                 Xero organisation.",
                self.describe()
            )
        })
    }

    /// "Xero", or the address of whatever stands in for it.
    pub fn describe(&self) -> String {
        match &self.base_url {
            Some(base) => format!("Xero simulator at {base}"),
            None if self.api_url.is_some() => "a Xero stand-in (custom URLs)".to_string(),
            None => "Xero".to_string(),
        }
    }
}

/// The Xero client for this data folder: its configuration (client id, URLs, daily budget),
/// its tokens in the OS keychain under the data folder's own namespace (the sandbox never
/// touches the firm's entries), and every call recorded in the data file, which the daily
/// budget is counted from. The app and the CLI both build their client here.
pub fn xero_client(store: &SharedStore, endpoint: &XeroEndpoint) -> Result<XeroClient> {
    let (config, secrets) = {
        let store = lock(store);
        (xero_config(&store, endpoint)?, crate::secrets_of(&store))
    };
    let tokens = std::sync::Arc::new(scopebook_xero::KeyringTokenStore::new(
        secrets,
        &config.client_id,
    ));
    let session = scopebook_xero::Session::new(config, tokens)?;
    let call_log = crate::xero_calls::call_log(store);
    Ok(XeroClient::with_call_log(
        std::sync::Arc::new(session),
        call_log,
    )?)
}

/// At most one sign-in waits for the browser. Starting another cancels the one before: its
/// caller gets `Cancelled` (not an error to show) and its loopback listener closes, so the
/// bookkeeper who clicked "Connect to Xero" twice ends up with one sign-in, the latest.
#[derive(Default)]
pub struct SignInSlot(std::sync::Mutex<Option<tokio::task::AbortHandle>>);

impl SignInSlot {
    /// Runs `sign_in` as the one current sign-in.
    pub async fn run<T: Send + 'static>(
        &self,
        sign_in: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        self.cancel();
        let task = tokio::spawn(sign_in);
        let previous = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(task.abort_handle());
        if let Some(previous) = previous {
            previous.abort();
        }
        match task.await {
            Ok(result) => result,
            Err(_) => Err(Error::Xero(scopebook_xero::XeroError::Cancelled)),
        }
    }

    /// Cancels the waiting sign-in, if any.
    pub fn cancel(&self) {
        if let Some(task) = self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

fn safe_override(text: &str) -> bool {
    let Ok(url) = url::Url::parse(text.trim()) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

pub fn client_id(store: &Store) -> Result<String> {
    Ok(store
        .conn()
        .query_row(
            "SELECT client_id FROM xero_settings WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

/// Saves the Xero app's client id (from developer.xero.com → My Apps).
pub fn set_client_id(store: &mut Store, client_id: &str) -> Result<String> {
    let id = client_id.trim();
    let well_formed = !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !well_formed {
        return Err(Error::invalid(
            "client_id",
            "Paste the client id of your Xero app (32 letters and digits, from developer.xero.com → My Apps).",
        ));
    }
    store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO xero_settings (id, client_id, updated_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, updated_at = excluded.updated_at",
            params![id, crate::now()],
        )?;
        tx.log("xero_settings", 1, "set_client_id", &serde_json::json!({ "client_id": id }))
    })?;
    Ok(id.to_string())
}

/// The configuration for the Xero client: the saved client id (or the endpoint's) and URLs.
pub fn xero_config(store: &Store, endpoint: &XeroEndpoint) -> Result<XeroConfig> {
    let client_id = match &endpoint.client_id {
        Some(id) => id.clone(),
        None => client_id(store)?,
    };
    if client_id.is_empty() {
        return Err(Error::invalid(
            "client_id",
            "Enter your Xero app's client id first (see “How to connect” below).",
        ));
    }
    let mut config = XeroConfig::new(client_id, endpoint.urls());
    config.limits.per_day = crate::xero_calls::daily_call_budget(store)?;
    Ok(config)
}

pub fn connected_organisation(store: &Store) -> Result<Option<ConnectedOrganisation>> {
    Ok(store
        .conn()
        .query_row(
            // When Xero last answered comes from the call log (every call is recorded there).
            "SELECT connection_id, tenant_id, tenant_name, connected_at,
                    coalesce((SELECT max(at) FROM xero_calls
                              WHERE xero_calls.tenant_id = xero_connection.tenant_id
                                AND status IS NOT NULL), last_call_at) AS last_call_at
             FROM xero_connection WHERE id = 1",
            [],
            |r| {
                Ok(ConnectedOrganisation {
                    connection_id: r.get("connection_id")?,
                    tenant_id: r.get("tenant_id")?,
                    name: r.get("tenant_name")?,
                    connected_at: r.get("connected_at")?,
                    last_call_at: r.get("last_call_at")?,
                })
            },
        )
        .optional()?)
}

/// The organisation's tenant id, or [`scopebook_xero::XeroError::NotConnected`].
pub fn require_tenant(store: &Store) -> Result<String> {
    connected_organisation(store)?
        .map(|o| o.tenant_id)
        .ok_or(Error::Xero(scopebook_xero::XeroError::NotConnected))
}

/// What Settings → Integrations shows, from the data file alone (no keychain, no Xero):
/// `idle_warning` is filled by [`with_idle_warning`].
pub fn status(store: &Store, endpoint: &XeroEndpoint) -> Result<XeroStatus> {
    let organisation = connected_organisation(store)?;
    let calls_left_today = organisation
        .as_ref()
        .map(|o| crate::xero_calls::calls_left_today(store, &o.tenant_id))
        .transpose()?;
    Ok(XeroStatus {
        client_id: endpoint
            .client_id
            .clone()
            .map_or_else(|| client_id(store), Ok)?,
        organisation,
        endpoint: endpoint.describe(),
        daily_call_budget: crate::xero_calls::daily_call_budget(store)?,
        calls_left_today,
        idle_warning: None,
    })
}

/// Xero ends a refresh token that has not been used for this many days.
pub const REFRESH_TOKEN_LIFETIME_DAYS: i64 = 60;

/// Settings warns once the connection has been idle this many days.
pub const IDLE_WARNING_DAYS: i64 = 50;

/// The warning for a connection whose refresh token is `age` old, if it is old enough to worry.
pub fn idle_warning(age: chrono::Duration) -> Option<String> {
    let days = age.num_days();
    if days < IDLE_WARNING_DAYS {
        return None;
    }
    let left = REFRESH_TOKEN_LIFETIME_DAYS - days;
    Some(if left > 0 {
        format!(
            "Scopebook hasn't used its Xero connection for {days} days. Xero ends a connection \
             that goes unused for {REFRESH_TOKEN_LIFETIME_DAYS} days, so within {left} days \
             refresh the organisation's lists (or do anything else with Xero) to keep it."
        )
    } else {
        format!(
            "Scopebook hasn't used its Xero connection for {days} days, so Xero has probably \
             ended it. If Xero refuses the next call, connect to Xero again."
        )
    })
}

/// Adds the idle warning from the stored tokens (the keychain; Xero is not called). A keychain
/// that can't be read leaves the status as it is: the next Xero call will say what is wrong.
pub async fn with_idle_warning(mut status: XeroStatus, xero: &XeroClient) -> XeroStatus {
    if status.organisation.is_some()
        && let Ok(Some(age)) = xero.session().refresh_token_age().await
    {
        status.idle_warning = idle_warning(age);
    }
    status
}

/// How long the browser sign-in may take before Scopebook stops waiting.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Signs in with Xero: `open_browser` is given the authorize URL; after the redirect, the
/// tokens go to the keychain and the organisations the grant reaches come back. With exactly
/// one organisation it is connected at once.
pub async fn sign_in(
    store: &SharedStore,
    xero: &XeroClient,
    open_browser: impl FnOnce(&str) -> std::result::Result<(), String>,
) -> Result<Vec<Connection>> {
    let authorization = scopebook_xero::begin_authorization(xero.session().config()).await?;
    open_browser(authorization.url()).map_err(|e| {
        Error::Xero(scopebook_xero::XeroError::Authorization(format!(
            "the browser couldn't be opened ({e}); open this address yourself: {}",
            authorization.url()
        )))
    })?;
    let tokens = authorization.finish(SIGN_IN_TIMEOUT).await?;
    xero.session().start(tokens).await?;
    let organisations = xero.connections().await?;
    if let [only] = organisations.as_slice() {
        choose_organisation(&mut lock(store), only)?;
    }
    Ok(organisations)
}

/// Connects the organisation the user picked.
pub fn choose_organisation(
    store: &mut Store,
    organisation: &Connection,
) -> Result<ConnectedOrganisation> {
    let name = organisation
        .tenant_name
        .clone()
        .unwrap_or_else(|| "Xero organisation".to_string());
    store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO xero_connection (id, connection_id, tenant_id, tenant_name, connected_at, last_call_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?4)
             ON CONFLICT (id) DO UPDATE SET connection_id = excluded.connection_id,
                tenant_id = excluded.tenant_id, tenant_name = excluded.tenant_name,
                connected_at = excluded.connected_at, last_call_at = excluded.last_call_at",
            params![organisation.id, organisation.tenant_id, name, crate::now()],
        )?;
        tx.log(
            "xero_connection",
            1,
            "connect",
            &serde_json::json!({ "tenant_id": organisation.tenant_id, "name": name }),
        )
    })?;
    connected_organisation(store)?.ok_or(Error::NotFound {
        entity: "Xero connection",
        id: 1,
    })
}

/// Connects the organisation `tenant_id` among those the grant reaches (asks Xero which).
pub async fn choose_organisation_by_id(
    store: &SharedStore,
    xero: &XeroClient,
    tenant_id: &str,
) -> Result<ConnectedOrganisation> {
    let organisations = xero.connections().await?;
    let chosen = organisations
        .iter()
        .find(|o| o.tenant_id == tenant_id)
        .ok_or_else(|| {
            Error::invalid(
                "organisation",
                "That organisation is no longer connected to Scopebook in Xero. Connect again and choose it.",
            )
        })?;
    let mut store = lock(store);
    let connected = choose_organisation(&mut store, chosen)?;
    Ok(connected)
}

/// The organisation's contacts, optionally only those matching `search` (name, number, email).
pub async fn xero_contacts(
    store: &SharedStore,
    xero: &XeroClient,
    search: Option<&str>,
) -> Result<Vec<scopebook_xero::models::Contact>> {
    let tenant = require_tenant(&lock(store))?;
    let contacts = match search.map(str::trim).filter(|s| !s.is_empty()) {
        Some(term) => {
            let query = scopebook_xero::ContactQuery {
                search_term: Some(term.to_string()),
                ..Default::default()
            };
            xero.contacts(&tenant, &query).await?.items
        }
        None => xero.all_contacts(&tenant, None, false).await?,
    };
    Ok(contacts)
}

const LIST_KINDS: [&str; 4] = [
    "accounts",
    "tax_rates",
    "branding_themes",
    "tracking_categories",
];

/// The organisation's lists as Xero has them now (four calls), without keeping them.
pub async fn fetch_lists(xero: &XeroClient, tenant: &str) -> Result<XeroLists> {
    let (accounts, tax_rates, branding_themes, tracking_categories) = tokio::try_join!(
        xero.accounts(tenant),
        xero.tax_rates(tenant),
        xero.branding_themes(tenant),
        xero.tracking_categories(tenant),
    )?;
    Ok(XeroLists {
        accounts: accounts.into_iter().filter(|a| a.is_active()).collect(),
        tax_rates: tax_rates
            .into_iter()
            .filter(|t| t.status.as_deref().is_none_or(|s| s == "ACTIVE"))
            .collect(),
        branding_themes,
        tracking_categories: tracking_categories
            .into_iter()
            .filter(|t| t.status.as_deref().is_none_or(|s| s == "ACTIVE"))
            .collect(),
        fetched_at: Some(crate::now()),
        ..XeroLists::default()
    }
    .with_choices())
}

/// Fetches the organisation's lists from Xero and keeps a copy.
pub async fn refresh_lists(store: &SharedStore, xero: &XeroClient) -> Result<XeroLists> {
    let tenant = require_tenant(&lock(store))?;
    let lists = fetch_lists(xero, &tenant).await?;
    keep_lists(&mut lock(store), &tenant, lists)
}

/// Keeps the organisation's lists as fetched (replacing the last ones).
pub(crate) fn keep_lists(store: &mut Store, tenant: &str, lists: XeroLists) -> Result<XeroLists> {
    let bodies = [
        serde_json::to_string(&lists.accounts),
        serde_json::to_string(&lists.tax_rates),
        serde_json::to_string(&lists.branding_themes),
        serde_json::to_string(&lists.tracking_categories),
    ];
    store.write(Source::Sync, |tx| {
        for (kind, body) in LIST_KINDS.iter().zip(&bodies) {
            let body = body.as_ref().map_err(|e| Error::io("Couldn't keep Xero's lists", std::io::Error::other(e.to_string())))?;
            tx.execute(
                "INSERT INTO xero_lists (tenant_id, kind, body, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (tenant_id, kind) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
                params![tenant, kind, body, lists.fetched_at],
            )?;
        }
        tx.log("xero_lists", 1, "refresh", &serde_json::json!({
            "tenant_id": tenant,
            "accounts": lists.accounts.len(),
            "tax_rates": lists.tax_rates.len(),
            "branding_themes": lists.branding_themes.len(),
            "tracking_categories": lists.tracking_categories.len(),
        }))
    })?;
    Ok(lists)
}

/// The lists as last fetched for the connected organisation (empty before the first fetch).
pub fn cached_lists(store: &Store) -> Result<XeroLists> {
    let Some(org) = connected_organisation(store)? else {
        return Ok(XeroLists::default());
    };
    let mut stmt = store
        .conn()
        .prepare("SELECT kind, body, fetched_at FROM xero_lists WHERE tenant_id = ?1")?;
    let rows = stmt.query_map([&org.tenant_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut lists = XeroLists::default();
    for row in rows {
        let (kind, body, fetched_at) = row?;
        let bad = |e: serde_json::Error| {
            Error::io(
                "The saved Xero lists are unreadable; refresh them",
                std::io::Error::other(e),
            )
        };
        match kind.as_str() {
            "accounts" => lists.accounts = serde_json::from_str(&body).map_err(bad)?,
            "tax_rates" => lists.tax_rates = serde_json::from_str(&body).map_err(bad)?,
            "branding_themes" => {
                lists.branding_themes = serde_json::from_str(&body).map_err(bad)?
            }
            "tracking_categories" => {
                lists.tracking_categories = serde_json::from_str(&body).map_err(bad)?
            }
            _ => {}
        }
        lists.fetched_at = Some(fetched_at);
    }
    Ok(lists.with_choices())
}

/// Disconnects: removes the organisation from the grant at Xero, revokes the tokens and
/// forgets them, and forgets the organisation here. Local forgetting happens even when Xero
/// can't be reached, so "Disconnect" always leaves nothing behind on this computer.
pub async fn disconnect(store: &SharedStore, xero: &XeroClient) -> Result<()> {
    let organisation = connected_organisation(&lock(store))?;
    if let Some(org) = organisation {
        // Best effort: an expired grant or an offline computer must not keep tokens around.
        let _ = xero.delete_connection(&org.connection_id).await;
    }
    xero.session().sign_out().await?;
    forget_organisation(&mut lock(store))
}

/// Forgets the connected organisation and its lists here (not at Xero). The demo does this at
/// every start, since its sandbox starts afresh each time.
pub fn forget_organisation(store: &mut Store) -> Result<()> {
    let organisation = connected_organisation(store)?;
    store.write(Source::User, |tx| {
        tx.execute("DELETE FROM xero_connection", [])?;
        tx.execute("DELETE FROM xero_lists", [])?;
        tx.log(
            "xero_connection",
            1,
            "disconnect",
            &serde_json::json!({ "tenant_id": organisation.as_ref().map(|o| o.tenant_id.clone()) }),
        )
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn client_id_is_checked_and_saved() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(client_id(&store).unwrap(), "");
        let err = set_client_id(&mut store, "not a client id!").unwrap_err();
        assert_eq!(err.report().fields[0].field, "client_id");
        set_client_id(&mut store, " 0123456789ABCDEF0123456789ABCDEF ").unwrap();
        assert_eq!(
            client_id(&store).unwrap(),
            "0123456789ABCDEF0123456789ABCDEF"
        );
        let config = xero_config(&store, &XeroEndpoint::default()).unwrap();
        assert_eq!(config.urls, XeroUrls::production());
    }

    #[test]
    fn no_client_id_means_no_config() {
        let store = Store::open_in_memory().unwrap();
        let err = xero_config(&store, &XeroEndpoint::default()).unwrap_err();
        assert_eq!(err.report().fields[0].field, "client_id");
    }

    #[test]
    fn an_endpoint_overrides_urls_and_client() {
        let store = Store::open_in_memory().unwrap();
        let endpoint = XeroEndpoint {
            base_url: Some("http://127.0.0.1:4010".into()),
            api_url: Some("http://127.0.0.1:5000/api".into()),
            client_id: Some("SIM".into()),
            ..Default::default()
        };
        let config = xero_config(&store, &endpoint).unwrap();
        assert_eq!(config.client_id, "SIM");
        assert_eq!(config.urls.token, "http://127.0.0.1:4010/connect/token");
        assert_eq!(config.urls.api, "http://127.0.0.1:5000/api");
        assert!(endpoint.describe().contains("127.0.0.1:4010"));
    }

    #[tokio::test]
    async fn a_second_sign_in_cancels_the_first_and_closes_its_listener() {
        let slot = std::sync::Arc::new(SignInSlot::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let first = tokio::spawn({
            let slot = slot.clone();
            async move {
                slot.run(async move {
                    // Waits for a browser that never comes, holding its listener.
                    let _ = listener.accept().await;
                    Ok("first")
                })
                .await
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = slot.run(async { Ok("second") }).await.unwrap();
        assert_eq!(second, "second");
        let first = first.await.unwrap().unwrap_err();
        assert_eq!(first.code(), crate::ErrorCode::Cancelled);
        // The first sign-in's listener is closed: nothing answers on its port now.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_err()
        );
    }

    #[test]
    fn overrides_must_be_https_or_this_computer_and_are_announced() {
        let plain = XeroEndpoint::default();
        assert!(plain.clone().checked().is_ok());
        assert_eq!(plain.warning(), None);
        for fine in [
            "https://xero-proxy.example.com",
            "http://127.0.0.1:4010",
            "http://127.1.2.3:80",
            "http://localhost:4010",
            "http://[::1]:4010",
        ] {
            let endpoint = XeroEndpoint {
                base_url: Some(fine.into()),
                ..Default::default()
            };
            let endpoint = endpoint.checked().unwrap_or_else(|e| panic!("{fine}: {e}"));
            let warning = endpoint.warning().expect("an override is announced");
            assert!(warning.contains("not to Xero"), "{warning}");
        }
        for refused in [
            "http://192.168.1.10:4010",
            "http://evil.example.com",
            "ftp://127.0.0.1",
            "file:///etc/passwd",
            "not a url",
        ] {
            let endpoint = XeroEndpoint {
                token_url: Some(refused.into()),
                ..Default::default()
            };
            let err = endpoint.checked().unwrap_err();
            assert_eq!(err.report().fields[0].field, "xero_url");
            assert!(err.to_string().contains("--xero-token-url"), "{err}");
        }
    }

    #[test]
    fn the_budget_and_calls_left_are_in_the_status() {
        let mut store = Store::open_in_memory().unwrap();
        let status = status(&store, &XeroEndpoint::default()).unwrap();
        assert_eq!(status.daily_call_budget, 1000);
        assert_eq!(status.calls_left_today, None);
        choose_organisation(
            &mut store,
            &Connection {
                id: "conn-1".into(),
                auth_event_id: None,
                tenant_id: "tenant-1".into(),
                tenant_type: "ORGANISATION".into(),
                tenant_name: Some("Demo Company (AU)".into()),
                created_date_utc: None,
                updated_date_utc: None,
            },
        )
        .unwrap();
        for _ in 0..2 {
            crate::xero_calls::record_call(
                &mut store,
                &scopebook_xero::CallRecord {
                    at: chrono::Utc::now(),
                    tenant_id: Some("tenant-1".into()),
                    method: "GET".into(),
                    path: "/api.xro/2.0/Accounts".into(),
                    status: Some(200),
                    duration_ms: 30,
                },
            )
            .unwrap();
        }
        // "Last call" is read from the call log: no extra write per call.
        let last = connected_organisation(&store)
            .unwrap()
            .unwrap()
            .last_call_at;
        assert!(
            last.is_some_and(
                |at| at.starts_with(&chrono::Utc::now().format("%Y-%m-%d").to_string())
            )
        );
        crate::xero_calls::set_daily_call_budget(&mut store, 5000).unwrap();
        let status = super::status(&store, &XeroEndpoint::default()).unwrap();
        assert_eq!(status.daily_call_budget, 5000);
        assert_eq!(status.calls_left_today, Some(4998));
        set_client_id(&mut store, "0123456789ABCDEF0123456789ABCDEF").unwrap();
        let config = xero_config(&store, &XeroEndpoint::default()).unwrap();
        assert_eq!(config.limits.per_day, 5000);
    }

    #[test]
    fn an_idle_connection_is_warned_about_from_50_days() {
        assert_eq!(idle_warning(chrono::Duration::days(49)), None);
        let warning = idle_warning(chrono::Duration::days(52)).unwrap();
        assert!(
            warning.contains("52 days") && warning.contains("within 8 days"),
            "{warning}"
        );
        let gone = idle_warning(chrono::Duration::days(61)).unwrap();
        assert!(gone.contains("connect to Xero again"), "{gone}");
    }

    #[tokio::test]
    async fn the_status_warns_when_the_refresh_token_has_been_idle_50_days() {
        use scopebook_xero::{MemoryTokenStore, Session, TokenSet, TokenStore};
        let mut store = Store::open_in_memory().unwrap();
        choose_organisation(
            &mut store,
            &Connection {
                id: "conn-1".into(),
                auth_event_id: None,
                tenant_id: "tenant-1".into(),
                tenant_type: "ORGANISATION".into(),
                tenant_name: None,
                created_date_utc: None,
                updated_date_utc: None,
            },
        )
        .unwrap();
        let tokens = Arc::new(MemoryTokenStore::new());
        tokens
            .save(&TokenSet {
                access_token: "a".into(),
                refresh_token: "r".into(),
                expires_at: chrono::Utc::now() - chrono::Duration::days(52),
                scope: None,
                refresh_issued_at: Some(chrono::Utc::now() - chrono::Duration::days(52)),
            })
            .unwrap();
        let config = XeroConfig::new("CLIENT", XeroUrls::production());
        let xero = XeroClient::new(Arc::new(Session::new(config, tokens).unwrap())).unwrap();
        let plain = status(&store, &XeroEndpoint::default()).unwrap();
        assert_eq!(plain.idle_warning, None);
        let warned = with_idle_warning(plain, &xero).await;
        assert!(
            warned
                .idle_warning
                .as_deref()
                .is_some_and(|w| w.contains("52 days")),
            "{warned:?}"
        );
    }

    #[test]
    fn choosing_an_organisation_is_remembered_and_logged() {
        let mut store = Store::open_in_memory().unwrap();
        let org = Connection {
            id: "conn-1".into(),
            auth_event_id: None,
            tenant_id: "tenant-1".into(),
            tenant_type: "ORGANISATION".into(),
            tenant_name: Some("Demo Company (AU)".into()),
            created_date_utc: None,
            updated_date_utc: None,
        };
        let connected = choose_organisation(&mut store, &org).unwrap();
        assert_eq!(connected.name, "Demo Company (AU)");
        assert_eq!(require_tenant(&store).unwrap(), "tenant-1");
        let log = crate::store::history(store.conn(), "xero_connection", 1, 5).unwrap();
        assert_eq!(log[0].action, "connect");
        assert!(cached_lists(&store).unwrap().accounts.is_empty());
    }
}
