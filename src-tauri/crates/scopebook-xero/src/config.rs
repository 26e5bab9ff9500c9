//! Where Xero is and how Scopebook identifies itself. Every URL is configuration, so the same
//! code runs against Xero and against `xero-sim`.

use std::time::Duration;

/// Xero's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XeroUrls {
    pub authorize: String,
    pub token: String,
    pub revocation: String,
    pub connections: String,
    /// The accounting API's base, e.g. `https://api.xero.com/api.xro/2.0`.
    pub api: String,
}

impl XeroUrls {
    /// The real Xero.
    pub fn production() -> Self {
        XeroUrls {
            authorize: "https://login.xero.com/identity/connect/authorize".into(),
            token: "https://identity.xero.com/connect/token".into(),
            revocation: "https://identity.xero.com/connect/revocation".into(),
            connections: "https://api.xero.com/connections".into(),
            api: "https://api.xero.com/api.xro/2.0".into(),
        }
    }

    /// A server laid out like `xero-sim` at `base` (e.g. `http://127.0.0.1:4010`).
    pub fn simulator(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        XeroUrls {
            authorize: format!("{base}/identity/connect/authorize"),
            token: format!("{base}/connect/token"),
            revocation: format!("{base}/connect/revocation"),
            connections: format!("{base}/connections"),
            api: format!("{base}/api.xro/2.0"),
        }
    }
}

/// The scopes Scopebook asks for (granular scopes; see README for older apps).
pub const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.contacts",
    "accounting.invoices",
    "accounting.settings.read",
];

/// The loopback ports Scopebook listens on for Xero's redirect. Register each as
/// `http://localhost:PORT/callback` in the Xero app.
pub const REDIRECT_PORTS: &[u16] = &[53682, 53683, 53684];

/// How hard Scopebook may push: Xero's limits per organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub concurrent: usize,
    pub per_minute: usize,
    /// Calls per organisation in any 24 hours (a practice setting; see [`DEFAULT_DAILY_BUDGET`]).
    pub per_day: u32,
}

/// Xero's Starter tier, which apps registered since March 2026 start on: 1,000 calls per
/// organisation per day (higher tiers allow 5,000).
pub const DEFAULT_DAILY_BUDGET: u32 = 1000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            concurrent: 5,
            per_minute: 60,
            per_day: DEFAULT_DAILY_BUDGET,
        }
    }
}

/// How stubbornly a request is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The first pause after a 5xx or a timeout; doubled each time.
    pub backoff: Duration,
    /// The longest `Retry-After` we wait out ourselves; longer ones are reported.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(65),
        }
    }
}

#[derive(Debug, Clone)]
pub struct XeroConfig {
    /// The Xero app's client id ("Auth Code with PKCE" apps have no secret).
    pub client_id: String,
    pub urls: XeroUrls,
    pub scopes: Vec<String>,
    pub redirect_ports: Vec<u16>,
    /// Per request.
    pub timeout: Duration,
    pub limits: Limits,
    pub retry: RetryPolicy,
}

impl XeroConfig {
    pub fn new(client_id: impl Into<String>, urls: XeroUrls) -> Self {
        XeroConfig {
            client_id: client_id.into(),
            urls,
            scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
            redirect_ports: REDIRECT_PORTS.to_vec(),
            timeout: Duration::from_secs(30),
            limits: Limits::default(),
            retry: RetryPolicy::default(),
        }
    }
}
