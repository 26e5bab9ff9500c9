//! Keeps each organisation under Xero's limits: at most N requests in flight, M in any rolling
//! minute, and a daily budget counted over a rolling 24 hours from the [`CallLog`] (so the app,
//! the CLI and a restart share one count). Xero's `X-MinLimit-Remaining` /
//! `X-DayLimit-Remaining` are believed when they say less than our own count.
//!
//! A `Retry-After` up to the policy's maximum wait is waited out; a longer one is reported at
//! once — to the call that received it and to every later call until it has passed.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
// Tokio's clock for the minute window and waits, so tests can run a minute in no time.
use tokio::time::Instant;

use crate::calls::CallLog;
use crate::config::Limits;
use crate::error::{LimitProblem, Result, XeroError};

const MINUTE: Duration = Duration::from_secs(60);

fn day() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// How long an `X-DayLimit-Remaining` reading is believed. Xero's window rolls, so a reading
/// of 0 must not refuse forever: after this, a call goes out, and if the day really is spent
/// Xero answers 429 with the exact `Retry-After`.
fn day_reading_lifetime() -> chrono::Duration {
    chrono::Duration::hours(1)
}

/// Requests for the organisation are held until `until` (after a 429).
#[derive(Clone, Copy)]
struct Block {
    until: Instant,
    until_utc: DateTime<Utc>,
    problem: LimitProblem,
}

#[derive(Default)]
struct Window {
    sent: VecDeque<Instant>,
    blocked: Option<Block>,
    minute_remaining: Option<u32>,
    /// Xero's `X-DayLimit-Remaining` and when it was read.
    day_reading: Option<(u32, DateTime<Utc>)>,
}

pub(crate) struct TenantLimiter {
    tenant: String,
    limits: Limits,
    max_wait: Duration,
    log: Arc<dyn CallLog>,
    slots: Arc<Semaphore>,
    window: Mutex<Window>,
    /// Requests let through and not yet in the call log: counted against the day too, so
    /// calls sent at once can't overshoot the budget.
    unrecorded: Arc<AtomicU32>,
}

/// Held while a request is in flight; drop it once the call is in the log: that frees the
/// slot.
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
    unrecorded: Arc<AtomicU32>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let _ = self
            .unrecorded
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }
}

enum Next {
    Go,
    Wait(Duration),
}

impl TenantLimiter {
    fn new(tenant: &str, limits: Limits, max_wait: Duration, log: Arc<dyn CallLog>) -> Self {
        TenantLimiter {
            tenant: tenant.to_string(),
            limits,
            max_wait,
            log,
            slots: Arc::new(Semaphore::new(limits.concurrent.max(1))),
            window: Mutex::new(Window::default()),
            unrecorded: Arc::new(AtomicU32::new(0)),
        }
    }

    fn window(&self) -> Result<std::sync::MutexGuard<'_, Window>> {
        self.window.lock().map_err(|_| XeroError::Cancelled)
    }

    /// Waits until a request may go, and counts it in the minute window. Refuses at once when
    /// the day's budget is spent or Xero asked for a longer pause than we may wait.
    pub(crate) async fn acquire(&self) -> Result<Slot> {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| XeroError::Cancelled)?;
        loop {
            let blocked = self.window()?.blocked;
            if let Some(block) = blocked {
                let now = Instant::now();
                if block.until > now {
                    let wait = block.until - now;
                    if wait > self.max_wait {
                        return Err(XeroError::RateLimited {
                            problem: block.problem,
                            retry_after: wait,
                            until: block.until_utc,
                        });
                    }
                    tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
                    continue;
                }
            }
            self.check_day().await?;
            match self.take_minute_slot()? {
                Next::Go => {
                    self.unrecorded.fetch_add(1, Ordering::SeqCst);
                    return Ok(Slot {
                        _permit: permit,
                        unrecorded: self.unrecorded.clone(),
                    });
                }
                Next::Wait(wait) => tokio::time::sleep(wait.max(Duration::from_millis(10))).await,
            }
        }
    }

    /// The daily budget: our own count over the last 24 hours, and Xero's last word on it.
    async fn check_day(&self) -> Result<()> {
        let now = Utc::now();
        let ours = self.count_since(now - day()).await?;
        let unrecorded = self.unrecorded.load(Ordering::SeqCst);
        if ours.calls.saturating_add(unrecorded) >= self.limits.per_day {
            return Err(XeroError::DailyBudgetSpent {
                budget: self.limits.per_day,
                until: ours.earliest.map_or(now + day(), |e| e + day()),
            });
        }
        let reading = self.window()?.day_reading;
        if let Some((remaining, read_at)) = reading {
            let believed_until = read_at + day_reading_lifetime();
            if believed_until > now {
                let since = self.count_since(read_at).await?.calls;
                if remaining.saturating_sub(since).saturating_sub(unrecorded) == 0 {
                    // The earliest call we know of leaving the window may free one sooner.
                    let frees = ours.earliest.map(|e| e + day());
                    return Err(XeroError::RateLimited {
                        problem: LimitProblem::Day,
                        retry_after: (believed_until - now).to_std().unwrap_or_default(),
                        until: frees.map_or(believed_until, |f| f.min(believed_until)),
                    });
                }
            }
        }
        Ok(())
    }

    /// The log may be a database another process is writing: ask it off the async threads.
    async fn count_since(&self, since: DateTime<Utc>) -> Result<crate::calls::CallCount> {
        let (log, tenant) = (self.log.clone(), self.tenant.clone());
        tokio::task::spawn_blocking(move || log.count_since(&tenant, since))
            .await
            .map_err(|e| XeroError::CallLog(e.to_string()))?
    }

    fn take_minute_slot(&self) -> Result<Next> {
        let mut w = self.window()?;
        let now = Instant::now();
        while w
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= MINUTE)
        {
            w.sent.pop_front();
        }
        if w.sent.is_empty() {
            // A fresh minute: Xero's count of the last one no longer applies.
            w.minute_remaining = None;
        }
        if w.sent.len() >= self.limits.per_minute || w.minute_remaining == Some(0) {
            return Ok(Next::Wait(
                w.sent.front().map_or(Duration::from_secs(1), |oldest| {
                    MINUTE.saturating_sub(now.duration_since(*oldest))
                }),
            ));
        }
        w.sent.push_back(now);
        w.minute_remaining = w.minute_remaining.map(|r| r.saturating_sub(1));
        Ok(Next::Go)
    }

    /// Takes in what Xero says is left.
    pub(crate) fn observe(&self, minute_remaining: Option<u32>, day_remaining: Option<u32>) {
        self.observe_at(minute_remaining, day_remaining, Utc::now());
    }

    fn observe_at(&self, minute: Option<u32>, day: Option<u32>, at: DateTime<Utc>) {
        if let Ok(mut w) = self.window.lock() {
            if minute.is_some() {
                w.minute_remaining = minute;
            }
            if let Some(day) = day {
                w.day_reading = Some((day, at));
            }
        }
    }

    /// Holds every request for this organisation for `pause` (after a 429); returns when
    /// requests may start again.
    pub(crate) fn block_for(&self, pause: Duration, problem: LimitProblem) -> DateTime<Utc> {
        let until_utc = Utc::now() + chrono::Duration::from_std(pause).unwrap_or_else(|_| day());
        if let Ok(mut w) = self.window.lock() {
            let until = Instant::now() + pause;
            let longer = w.blocked.is_none_or(|b| b.until < until);
            if longer {
                w.blocked = Some(Block {
                    until,
                    until_utc,
                    problem,
                });
            }
        }
        until_utc
    }
}

/// One limiter per organisation (tenant), created on first use.
pub(crate) struct Limiters {
    limits: Limits,
    max_wait: Duration,
    log: Arc<dyn CallLog>,
    tenants: Mutex<HashMap<String, Arc<TenantLimiter>>>,
}

impl Limiters {
    pub(crate) fn new(limits: Limits, max_wait: Duration, log: Arc<dyn CallLog>) -> Self {
        Limiters {
            limits,
            max_wait,
            log,
            tenants: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn for_tenant(&self, tenant: &str) -> Arc<TenantLimiter> {
        let make = || {
            Arc::new(TenantLimiter::new(
                tenant,
                self.limits,
                self.max_wait,
                self.log.clone(),
            ))
        };
        match self.tenants.lock() {
            Ok(mut map) => map.entry(tenant.to_string()).or_insert_with(make).clone(),
            Err(_) => make(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::{CallRecord, MemoryCallLog};

    fn limits(per_minute: usize, concurrent: usize) -> Limits {
        Limits {
            concurrent,
            per_minute,
            per_day: 1000,
        }
    }

    fn limiter(limits: Limits) -> TenantLimiter {
        TenantLimiter::new(
            "t",
            limits,
            Duration::from_secs(65),
            Arc::new(MemoryCallLog::new()),
        )
    }

    fn with_calls(per_day: u32, hours_ago: &[i64]) -> TenantLimiter {
        let log = Arc::new(MemoryCallLog::new());
        for h in hours_ago {
            log.record(&CallRecord {
                at: Utc::now() - chrono::Duration::hours(*h),
                tenant_id: Some("t".into()),
                method: "GET".into(),
                path: "/api.xro/2.0/Contacts".into(),
                status: Some(200),
                duration_ms: 5,
            })
            .unwrap();
        }
        TenantLimiter::new(
            "t",
            Limits {
                per_day,
                ..Limits::default()
            },
            Duration::from_secs(65),
            log,
        )
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_rolling_minute() {
        let limiter = limiter(limits(2, 5));
        let start = Instant::now();
        drop(limiter.acquire().await.unwrap());
        drop(limiter.acquire().await.unwrap());
        assert!(start.elapsed() < Duration::from_secs(1));
        // The third waits until the first has left the window.
        drop(limiter.acquire().await.unwrap());
        assert!(
            start.elapsed() >= Duration::from_secs(60),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn concurrent_slots_are_bounded() {
        let limiter = Arc::new(limiter(limits(100, 2)));
        let a = limiter.acquire().await.unwrap();
        let _b = limiter.acquire().await.unwrap();
        assert!(
            tokio::time::timeout(Duration::from_millis(50), limiter.acquire())
                .await
                .is_err()
        );
        drop(a);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), limiter.acquire())
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn xero_saying_the_day_is_spent_stops_requests() {
        let limiter = limiter(limits(60, 5));
        limiter.observe(Some(10), Some(0));
        match limiter.acquire().await {
            Err(XeroError::RateLimited {
                problem: LimitProblem::Day,
                ..
            }) => {}
            other => panic!("expected the daily limit, got {:?}", other.map(|_| ())),
        }
    }

    #[tokio::test]
    async fn calls_sent_at_once_cannot_overshoot_the_budget() {
        // 1 call made, 3 allowed: two may go at once; a third at the same time is refused.
        let limiter = with_calls(3, &[1]);
        let a = limiter.acquire().await.unwrap();
        let b = limiter.acquire().await.unwrap();
        assert!(matches!(
            limiter.acquire().await,
            Err(XeroError::DailyBudgetSpent { .. })
        ));
        drop((a, b));
    }

    #[tokio::test]
    async fn a_spent_day_reading_does_not_refuse_forever() {
        // Xero said "0 left today" two hours ago; its window rolls, so a call may go now
        // (Xero will say 429 with the exact wait if the day is still spent).
        let limiter = limiter(limits(60, 5));
        limiter.observe_at(None, Some(0), Utc::now() - chrono::Duration::hours(2));
        assert!(limiter.acquire().await.is_ok());
    }

    #[tokio::test]
    async fn the_daily_budget_counts_the_last_24_hours_only() {
        // 3 calls allowed; 3 made 23–21 hours ago: refused until the oldest is 24 hours old.
        let spent = with_calls(3, &[23, 22, 21]);
        match spent.acquire().await {
            Err(err @ XeroError::DailyBudgetSpent { budget: 3, until }) => {
                let expected = Utc::now() + chrono::Duration::hours(1);
                assert!((until - expected).num_seconds().abs() < 5, "{until}");
                assert!(err.to_string().contains("3 calls"), "{err}");
            }
            other => panic!(
                "expected the budget to be spent, got {:?}",
                other.map(|_| ())
            ),
        }
        // The same calls a day and more ago no longer count: the window has rolled on.
        let rolled = with_calls(3, &[25, 22, 21]);
        assert!(rolled.acquire().await.is_ok());
    }

    #[tokio::test]
    async fn xeros_day_reading_is_believed_when_lower_than_our_count() {
        let limiter = with_calls(1000, &[1]);
        // Xero says 1 left (another computer used the rest); after one more call, none.
        limiter.observe(None, Some(1));
        drop(limiter.acquire().await.unwrap());
        limiter
            .log
            .record(&CallRecord {
                at: Utc::now(),
                tenant_id: Some("t".into()),
                method: "GET".into(),
                path: "/api.xro/2.0/Contacts".into(),
                status: Some(200),
                duration_ms: 5,
            })
            .unwrap();
        assert!(matches!(
            limiter.acquire().await,
            Err(XeroError::RateLimited {
                problem: LimitProblem::Day,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn a_retry_after_holds_requests() {
        let limiter = limiter(limits(60, 5));
        limiter.block_for(Duration::from_millis(150), LimitProblem::Minute);
        let start = Instant::now();
        drop(limiter.acquire().await.unwrap());
        assert!(
            start.elapsed() >= Duration::from_millis(140),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn a_retry_after_longer_than_the_maximum_wait_is_reported_at_once() {
        let limiter = limiter(limits(60, 5));
        limiter.block_for(Duration::from_secs(3600), LimitProblem::Minute);
        let outcome = tokio::time::timeout(Duration::from_secs(1), limiter.acquire())
            .await
            .expect("a later call must not hang");
        match outcome {
            Err(err @ XeroError::RateLimited { .. }) => {
                let text = err.to_string();
                assert!(
                    text.contains("Xero asked Scopebook to wait until"),
                    "{text}"
                );
            }
            other => panic!("expected a wait error, got {:?}", other.map(|_| ())),
        }
    }
}
