//! Every call Scopebook makes to Xero, in the `xero_calls` table: the [`CallLog`] the Xero
//! client counts each organisation's daily budget from. The app and the CLI open the same file,
//! so they share one count, and a restart remembers it.
//!
//! How it writes: one small `Store::write` transaction per call (source `system`) that inserts
//! the row — and now and then deletes rows older than [`KEEP_DAYS`]. `xero_calls` is a log in
//! its own right (telemetry, not a change the bookkeeper made), so the store lets such a
//! transaction commit without a `changes` row.
//!
//! The Xero client asks the log around every request, so the shared store's lock must never be
//! held across a call to Xero (the store's rule anyway): if it is, the log gives up after
//! [`LOCK_WAIT`] with an error instead of hanging.

use std::sync::{MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use scopebook_xero::{CallCount, CallLog, CallRecord, XeroError};

use crate::error::{Error, Result};
use crate::store::{SharedStore, Source, Store};

/// How long calls are kept (the budget needs a day; the rest is for looking back).
pub const KEEP_DAYS: i64 = 30;

/// Timestamps as stored: fixed-width UTC with milliseconds, so text order is time order.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Keeps `call`.
pub fn record_call(store: &mut Store, call: &CallRecord) -> Result<()> {
    store.write(Source::System, |tx| {
        tx.execute(
            "INSERT INTO xero_calls (at, tenant_id, method, path, status, duration_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                stamp(call.at),
                call.tenant_id,
                call.method,
                call.path,
                call.status,
                i64::try_from(call.duration_ms).unwrap_or(i64::MAX),
            ],
        )?;
        if tx.last_insert_rowid() % 200 == 0 {
            tx.execute(
                "DELETE FROM xero_calls WHERE at < ?1",
                [stamp(Utc::now() - chrono::Duration::days(KEEP_DAYS))],
            )?;
        }
        Ok(())
    })
}

/// Calls to `tenant` since `since` that Xero counts (all but 429 refusals), and the earliest.
pub fn count_calls_since(store: &Store, tenant: &str, since: DateTime<Utc>) -> Result<CallCount> {
    let (calls, earliest): (i64, Option<String>) = store.conn().query_row(
        "SELECT COUNT(*), MIN(at) FROM xero_calls
         WHERE tenant_id = ?1 AND at >= ?2 AND (status IS NULL OR status <> 429)",
        params![tenant, stamp(since)],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let earliest = earliest
        .map(|at| {
            DateTime::parse_from_rfc3339(&at)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| {
                    Error::io(
                        "A recorded Xero call has an unreadable time",
                        std::io::Error::other(format!("xero_calls.at = {at:?}")),
                    )
                })
        })
        .transpose()?;
    Ok(CallCount {
        calls: u32::try_from(calls).unwrap_or(u32::MAX),
        earliest,
    })
}

/// The organisation's daily budget of Xero calls (Settings → Integrations).
pub fn daily_call_budget(store: &Store) -> Result<u32> {
    let budget: Option<i64> = store
        .conn()
        .query_row(
            "SELECT daily_call_budget FROM xero_settings WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(budget
        .and_then(|b| u32::try_from(b).ok())
        .unwrap_or(scopebook_xero::DEFAULT_DAILY_BUDGET))
}

/// The most a budget may be set to (Xero's highest published tier is 5,000).
pub const MAX_DAILY_BUDGET: u32 = 100_000;

/// Sets the daily budget: 1,000 on Xero's Starter tier, 5,000 on the higher ones.
pub fn set_daily_call_budget(store: &mut Store, budget: u32) -> Result<u32> {
    if budget == 0 || budget > MAX_DAILY_BUDGET {
        return Err(Error::invalid(
            "daily_call_budget",
            "Enter the number of calls your Xero plan allows per organisation per day (1,000 on \
             Xero's Starter tier, 5,000 on higher tiers).",
        ));
    }
    store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO xero_settings (id, daily_call_budget, updated_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET daily_call_budget = excluded.daily_call_budget,
                updated_at = excluded.updated_at",
            params![budget, crate::now()],
        )?;
        tx.log(
            "xero_settings",
            1,
            "set_daily_call_budget",
            &serde_json::json!({ "daily_call_budget": budget }),
        )
    })?;
    Ok(budget)
}

/// Calls left for `tenant` in the last 24 hours, by Scopebook's count.
pub fn calls_left_today(store: &Store, tenant: &str) -> Result<u32> {
    let used = count_calls_since(store, tenant, Utc::now() - chrono::Duration::hours(24))?;
    Ok(daily_call_budget(store)?.saturating_sub(used.calls))
}

/// The database as the Xero client's record of calls.
pub struct SqliteCallLog {
    store: SharedStore,
}

impl SqliteCallLog {
    pub fn new(store: SharedStore) -> Self {
        SqliteCallLog { store }
    }
}

fn call_log_error(error: Error) -> XeroError {
    XeroError::CallLog(error.to_string())
}

/// How long the log waits for the shared store before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(20);

impl SqliteCallLog {
    fn lock(&self) -> scopebook_xero::Result<MutexGuard<'_, Store>> {
        let deadline = Instant::now() + LOCK_WAIT;
        loop {
            match self.store.try_lock() {
                Ok(guard) => return Ok(guard),
                // A panic elsewhere poisons the lock; the store is still sound (see `lock`).
                Err(TryLockError::Poisoned(poisoned)) => return Ok(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(XeroError::CallLog(
                        "the data file stayed busy with another task".into(),
                    ));
                }
            }
        }
    }
}

impl CallLog for SqliteCallLog {
    fn record(&self, call: &CallRecord) -> scopebook_xero::Result<()> {
        let mut store = self.lock()?;
        record_call(&mut store, call).map_err(call_log_error)
    }

    fn count_since(&self, tenant: &str, since: DateTime<Utc>) -> scopebook_xero::Result<CallCount> {
        let store = self.lock()?;
        count_calls_since(&store, tenant, since).map_err(call_log_error)
    }
}

/// The call log the app's and the CLI's Xero client use: this data file.
pub fn call_log(store: &SharedStore) -> std::sync::Arc<dyn CallLog> {
    std::sync::Arc::new(SqliteCallLog::new(store.clone()))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    fn call(tenant: &str, ago: chrono::Duration, status: Option<u16>) -> CallRecord {
        CallRecord {
            at: Utc::now() - ago,
            tenant_id: Some(tenant.into()),
            method: "GET".into(),
            path: "/api.xro/2.0/Contacts".into(),
            status,
            duration_ms: 42,
        }
    }

    #[test]
    fn calls_are_counted_per_organisation_over_a_rolling_day() {
        let mut store = Store::open_in_memory().unwrap();
        let hours = chrono::Duration::hours;
        record_call(&mut store, &call("a", hours(25), Some(200))).unwrap();
        record_call(&mut store, &call("a", hours(23), Some(200))).unwrap();
        record_call(&mut store, &call("a", hours(1), None)).unwrap();
        record_call(&mut store, &call("a", hours(1), Some(429))).unwrap();
        record_call(&mut store, &call("b", hours(1), Some(200))).unwrap();
        let count = count_calls_since(&store, "a", Utc::now() - hours(24)).unwrap();
        assert_eq!(count.calls, 2);
        let earliest = count.earliest.unwrap();
        assert!((earliest - (Utc::now() - hours(23))).num_seconds().abs() < 5);
        assert_eq!(calls_left_today(&store, "a").unwrap(), 998);
        // Telemetry, not a change: nothing in the change log.
        let changes: i64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(changes, 0);
    }

    #[test]
    fn the_budget_defaults_to_xeros_starter_tier_and_can_be_set() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(daily_call_budget(&store).unwrap(), 1000);
        let err = set_daily_call_budget(&mut store, 0).unwrap_err();
        assert_eq!(err.report().fields[0].field, "daily_call_budget");
        set_daily_call_budget(&mut store, 5000).unwrap();
        assert_eq!(daily_call_budget(&store).unwrap(), 5000);
        let log = crate::store::history(store.conn(), "xero_settings", 1, 5).unwrap();
        assert_eq!(log[0].action, "set_daily_call_budget");
    }

    #[test]
    fn a_restart_remembers_the_count() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store: SharedStore = Arc::new(Mutex::new(Store::open_in(dir.path()).unwrap()));
            let log = call_log(&store);
            for _ in 0..3 {
                log.record(&call("t", chrono::Duration::minutes(5), Some(200)))
                    .unwrap();
            }
        }
        let reopened: SharedStore = Arc::new(Mutex::new(Store::open_in(dir.path()).unwrap()));
        let count = call_log(&reopened)
            .count_since("t", Utc::now() - chrono::Duration::hours(24))
            .unwrap();
        assert_eq!(count.calls, 3);
    }
}
