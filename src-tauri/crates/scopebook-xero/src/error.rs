//! What can go wrong talking to Xero, in words a bookkeeper understands. No message ever
//! carries a token.

use std::time::Duration;

use chrono::{DateTime, Local, Utc};

/// Which of Xero's limits was hit (`X-Rate-Limit-Problem`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitProblem {
    Minute,
    Day,
    Concurrent,
    AppMinute,
}

impl LimitProblem {
    pub fn parse(text: &str) -> LimitProblem {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" => LimitProblem::Day,
            "concurrent" => LimitProblem::Concurrent,
            "appminute" => LimitProblem::AppMinute,
            _ => LimitProblem::Minute,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum XeroError {
    #[error("Scopebook isn't connected to Xero. Connect in Settings → Integrations.")]
    NotConnected,

    #[error(
        "Xero no longer accepts Scopebook's connection (it was revoked or expired). Connect to \
         Xero again in Settings → Integrations."
    )]
    Unauthorised,

    #[error(
        "Xero refused access to this organisation. It may have been disconnected; connect to \
         Xero again and choose it."
    )]
    Forbidden,

    #[error("Xero couldn't find {what}.")]
    NotFound { what: String },

    /// Xero answered 429, or said there are no calls left today: `until` is when Xero said
    /// calls may start again.
    #[error("{}", rate_limited_message(*.problem, *.until))]
    RateLimited {
        problem: LimitProblem,
        retry_after: Duration,
        until: DateTime<Utc>,
    },

    /// Scopebook's own count: the organisation's daily budget of calls (a setting) is spent
    /// over the last 24 hours; `until` is when the oldest of them leaves that window.
    #[error(
        "Scopebook has made {budget} calls to Xero for this organisation in the last 24 hours, \
         its daily allowance (Settings → Integrations). More calls can be made from {}.",
        at_local(*.until)
    )]
    DailyBudgetSpent { budget: u32, until: DateTime<Utc> },

    /// A 401 `AuthorizationUnsuccessful`: the connection lacks a permission (scope), or Xero has
    /// locked the endpoint for this app. Signing in again with the same app does not help.
    #[error(
        "Xero didn't let Scopebook {action}: the connection doesn't have Xero's “{permission}” \
         permission, or Xero has restricted it for this Xero app. Check the app's permissions at \
         developer.xero.com."
    )]
    PermissionMissing { action: String, permission: String },

    #[error("Xero didn't accept this: {}", .messages.join(" "))]
    Validation { messages: Vec<String> },

    /// Only for reads: a change is never reported this way (see `Uncertain`).
    #[error(
        "Xero is unavailable right now ({detail}). Nothing was changed by Scopebook; try again in a few minutes."
    )]
    Unavailable { detail: String },

    /// A write whose outcome we could not see (a 5xx, a 409 "still in progress", a timeout, or
    /// the connection dropped after sending). The caller must look the record up in Xero (or
    /// resend with the same idempotency key) before sending it again.
    #[error(
        "Xero didn't confirm the change ({detail}), so it's not certain whether it was made. \
         Check Xero before sending it again."
    )]
    Uncertain { detail: String },

    /// Scopebook itself built a request Xero would refuse (a bug, not the bookkeeper's doing).
    #[error("Scopebook built a request Xero would refuse: {0}")]
    InvalidRequest(String),

    /// The record of calls made (which the daily budget is counted from) couldn't be read.
    #[error("Scopebook couldn't read its record of calls to Xero ({0}).")]
    CallLog(String),

    #[error(
        "Scopebook couldn't reach Xero ({detail}). Check the internet connection and try again."
    )]
    Network { detail: String },

    #[error("Xero sent a reply Scopebook doesn't understand ({detail}).")]
    InvalidReply { detail: String },

    #[error("Connecting to Xero didn't finish: {0}")]
    Authorization(String),

    #[error("The system keychain couldn't be used: {0}")]
    Keychain(String),

    #[error("The Xero connection was cancelled.")]
    Cancelled,
}

/// `14:05` in the computer's time zone, or `14:05 on 2 Dec` when that is not today.
pub fn at_local(at: DateTime<Utc>) -> String {
    // Round up: "wait until 14:05" must not be a minute early.
    let at = at + chrono::Duration::seconds(59);
    let local = at.with_timezone(&Local);
    if local.date_naive() == Local::now().date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%H:%M on %-d %b").to_string()
    }
}

fn rate_limited_message(problem: LimitProblem, until: DateTime<Utc>) -> String {
    let until = at_local(until);
    match problem {
        LimitProblem::Day => format!(
            "Xero's daily limit of calls for this organisation has been reached: Xero asked \
             Scopebook to wait until {until}."
        ),
        _ => format!("Xero asked Scopebook to wait until {until} before calling again."),
    }
}

impl XeroError {
    /// Worth trying the same request again after a pause.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            XeroError::RateLimited { .. }
                | XeroError::Unavailable { .. }
                | XeroError::Network { .. }
        )
    }
}

pub type Result<T, E = XeroError> = std::result::Result<T, E>;
