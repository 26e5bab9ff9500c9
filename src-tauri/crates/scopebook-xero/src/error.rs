//! What can go wrong talking to Xero, in words a bookkeeper understands. No message ever
//! carries a token.

use std::time::Duration;

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

    #[error("{}", rate_limited_message(*.problem, *.retry_after))]
    RateLimited {
        problem: LimitProblem,
        retry_after: Duration,
    },

    #[error("Xero didn't accept this: {}", .messages.join(" "))]
    Validation { messages: Vec<String> },

    #[error(
        "Xero is unavailable right now ({detail}). Nothing was changed by Scopebook; try again in a few minutes."
    )]
    Unavailable { detail: String },

    /// A write whose outcome we could not see (timeout, connection dropped after sending).
    /// The caller must look the record up in Xero before sending it again.
    #[error(
        "Xero didn't answer in time, so it's not certain whether the change was made ({detail})."
    )]
    Uncertain { detail: String },

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

fn rate_limited_message(problem: LimitProblem, retry_after: Duration) -> String {
    let wait = if retry_after.as_secs() >= 3600 {
        format!("about {} hours", retry_after.as_secs().div_ceil(3600))
    } else if retry_after.as_secs() >= 60 {
        format!("about {} minutes", retry_after.as_secs().div_ceil(60))
    } else {
        format!("{} seconds", retry_after.as_secs().max(1))
    };
    match problem {
        LimitProblem::Day => format!(
            "Xero's daily limit of calls for this organisation has been reached. Try again in {wait}."
        ),
        _ => format!("Xero asked Scopebook to slow down. Try again in {wait}."),
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
