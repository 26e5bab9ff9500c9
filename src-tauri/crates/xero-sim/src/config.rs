//! How a simulator instance behaves: the registered app (redirect URIs, creation date), token
//! lifetimes, consent, Xero's rate limits, seeding.

use std::time::Duration;

use chrono::NaiveDate;

/// Apps created on or after this day get only Xero's granular scopes (`accounting.invoices`, …);
/// `accounting.transactions` is refused to them.
pub const GRANULAR_SCOPES_SINCE: NaiveDate = match NaiveDate::from_ymd_opt(2026, 3, 2) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// The redirect URIs Scopebook's README tells a firm to register for its Xero app.
pub const SCOPEBOOK_REDIRECT_URIS: &[&str] = &[
    "http://localhost:53682/callback",
    "http://localhost:53683/callback",
    "http://localhost:53684/callback",
];

/// Settings for one simulator instance. `Default` matches real Xero.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Lifetime of an access token; Xero's is 30 minutes.
    pub access_token_ttl: Duration,
    /// How long a rotated-out refresh token stays usable; Xero allows 30 minutes.
    pub refresh_grace: Duration,
    /// `true`: the authorize endpoint redirects at once with a code for every organisation (tests).
    /// `false`: it shows a consent page where organisations are chosen (demo mode).
    pub auto_approve: bool,
    /// Xero's API limits, per tenant and app-wide.
    pub limits: Limits,
    /// Seed the demo organisations (and their charts of accounts, contacts, …).
    pub seed: bool,
    /// The app's registered redirect URIs; an authorize request must use one of them exactly.
    /// More can be registered later with [`crate::SimHandle::register_redirect_uri`].
    pub redirect_uris: Vec<String>,
    /// When the app was created at developer.xero.com. Apps created since
    /// [`GRANULAR_SCOPES_SINCE`] may not ask for `accounting.transactions`.
    pub app_created: NaiveDate,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(30 * 60),
            refresh_grace: Duration::from_secs(30 * 60),
            auto_approve: false,
            limits: Limits::default(),
            seed: true,
            redirect_uris: SCOPEBOOK_REDIRECT_URIS
                .iter()
                .map(|uri| (*uri).to_string())
                .collect(),
            app_created: chrono::Utc::now().date_naive(),
        }
    }
}

/// Xero's rate limits. Defaults are Xero's published numbers (the daily limit is the Starter
/// tier's, which apps registered since March 2026 start on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests in flight at once, per tenant.
    pub concurrent: u32,
    /// Requests per rolling minute, per tenant.
    pub per_minute: u32,
    /// Requests per rolling 24 hours, per tenant.
    pub per_day: u32,
    /// Requests per rolling minute across all tenants of the app.
    pub app_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            concurrent: 5,
            per_minute: 60,
            per_day: 1000,
            app_per_minute: 10_000,
        }
    }
}
