//! How a simulator instance behaves: token lifetimes, consent, Xero's rate limits, seeding.

use std::time::Duration;

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
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_secs(30 * 60),
            refresh_grace: Duration::from_secs(30 * 60),
            auto_approve: false,
            limits: Limits::default(),
            seed: true,
        }
    }
}

/// Xero's rate limits. Defaults are Xero's published numbers.
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
            per_day: 5000,
            app_per_minute: 10_000,
        }
    }
}
