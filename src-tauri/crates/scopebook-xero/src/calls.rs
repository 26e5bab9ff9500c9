//! Every call Scopebook makes to Xero, kept in a [`CallLog`] so the daily budget is counted per
//! organisation over a rolling 24 hours — shared by the app and the CLI, and remembered across
//! restarts when the log is the database (`scopebook-core` keeps it in SQLite).

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::error::{Result, XeroError};

/// One request sent to Xero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// When it was sent.
    pub at: DateTime<Utc>,
    /// The organisation (`xero-tenant-id`); `None` for calls about the connection itself.
    pub tenant_id: Option<String>,
    pub method: String,
    /// The URL's path, without the query (`/api.xro/2.0/Invoices`).
    pub path: String,
    /// Xero's HTTP status; `None` when no answer came back.
    pub status: Option<u16>,
    pub duration_ms: u64,
}

impl CallRecord {
    /// Whether Xero counts it against the organisation's limits: a call refused with 429 is not
    /// counted by Xero; everything else that was sent may have been.
    pub fn counts(&self) -> bool {
        self.tenant_id.is_some() && self.status != Some(429)
    }
}

/// How many counted calls an organisation made since a moment, and the earliest of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCount {
    pub calls: u32,
    pub earliest: Option<DateTime<Utc>>,
}

/// Where calls are recorded. Implementations must be safe to use from several threads, and
/// quick: both methods are called around every request.
pub trait CallLog: Send + Sync {
    /// Keeps `call`. A failure here never fails the call itself (its answer matters more).
    fn record(&self, call: &CallRecord) -> Result<()>;
    /// Calls to `tenant` sent at or after `since` that [`CallRecord::counts`].
    fn count_since(&self, tenant: &str, since: DateTime<Utc>) -> Result<CallCount>;
}

/// Calls kept in memory: for tests, and for a client with no database behind it.
#[derive(Default)]
pub struct MemoryCallLog {
    calls: Mutex<Vec<CallRecord>>,
}

impl MemoryCallLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything recorded so far, oldest first.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

fn poisoned() -> XeroError {
    XeroError::CallLog("the in-memory log was poisoned".into())
}

impl CallLog for MemoryCallLog {
    fn record(&self, call: &CallRecord) -> Result<()> {
        self.calls
            .lock()
            .map_err(|_| poisoned())?
            .push(call.clone());
        Ok(())
    }

    fn count_since(&self, tenant: &str, since: DateTime<Utc>) -> Result<CallCount> {
        let calls = self.calls.lock().map_err(|_| poisoned())?;
        let mut count = CallCount::default();
        for call in calls
            .iter()
            .filter(|c| c.counts() && c.tenant_id.as_deref() == Some(tenant) && c.at >= since)
        {
            count.calls = count.calls.saturating_add(1);
            count.earliest = Some(count.earliest.map_or(call.at, |e| e.min(call.at)));
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(tenant: &str, minutes_ago: i64, status: Option<u16>) -> CallRecord {
        CallRecord {
            at: Utc::now() - chrono::Duration::minutes(minutes_ago),
            tenant_id: Some(tenant.into()),
            method: "GET".into(),
            path: "/api.xro/2.0/Accounts".into(),
            status,
            duration_ms: 12,
        }
    }

    #[test]
    fn counts_per_organisation_in_the_window_without_refusals() {
        let log = MemoryCallLog::new();
        log.record(&call("a", 30, Some(200))).unwrap();
        log.record(&call("a", 10, None)).unwrap();
        log.record(&call("a", 5, Some(429))).unwrap();
        log.record(&call("a", 60 * 25, Some(200))).unwrap();
        log.record(&call("b", 1, Some(200))).unwrap();
        let count = log
            .count_since("a", Utc::now() - chrono::Duration::hours(24))
            .unwrap();
        assert_eq!(count.calls, 2);
        let earliest = count.earliest.unwrap();
        assert!(earliest < Utc::now() - chrono::Duration::minutes(29));
        assert_eq!(log.calls().len(), 5);
    }
}
