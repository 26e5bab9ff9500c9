//! Keeps each organisation under Xero's limits: at most N requests in flight, M in any rolling
//! minute, and a daily budget; waits out a `Retry-After`, and believes Xero's
//! `X-MinLimit-Remaining` / `X-DayLimit-Remaining` over its own count.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
// Tokio's clock, so tests can run a minute of waiting in no time.
use tokio::time::Instant;

use crate::config::Limits;
use crate::error::{LimitProblem, Result, XeroError};

const MINUTE: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Window {
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    minute_remaining: Option<u32>,
    day_remaining: Option<u32>,
}

pub(crate) struct TenantLimiter {
    limits: Limits,
    slots: Arc<Semaphore>,
    window: Mutex<Window>,
}

/// Held while a request is in flight; dropping it frees the slot.
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl TenantLimiter {
    fn new(limits: Limits) -> Self {
        TenantLimiter {
            limits,
            slots: Arc::new(Semaphore::new(limits.concurrent.max(1))),
            window: Mutex::new(Window::default()),
        }
    }

    /// Waits until a request may go, and counts it.
    pub(crate) async fn acquire(&self) -> Result<Slot> {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| XeroError::Cancelled)?;
        loop {
            let wait = {
                let mut w = self.window.lock().map_err(|_| XeroError::Cancelled)?;
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
                if w.day_remaining == Some(0) {
                    return Err(XeroError::RateLimited {
                        problem: LimitProblem::Day,
                        retry_after: Duration::from_secs(3600),
                    });
                }
                if let Some(until) = w.blocked_until.filter(|u| *u > now) {
                    until - now
                } else if w.sent.len() >= self.limits.per_minute || w.minute_remaining == Some(0) {
                    w.sent.front().map_or(Duration::from_secs(1), |oldest| {
                        MINUTE.saturating_sub(now.duration_since(*oldest))
                    })
                } else {
                    w.sent.push_back(now);
                    w.minute_remaining = w.minute_remaining.map(|r| r.saturating_sub(1));
                    break;
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(10))).await;
        }
        Ok(Slot { _permit: permit })
    }

    /// Takes in what Xero says is left.
    pub(crate) fn observe(&self, minute_remaining: Option<u32>, day_remaining: Option<u32>) {
        if let Ok(mut w) = self.window.lock() {
            if minute_remaining.is_some() {
                w.minute_remaining = minute_remaining;
            }
            if day_remaining.is_some() {
                w.day_remaining = day_remaining;
            }
        }
    }

    /// Holds every request for this organisation for `pause` (after a 429).
    pub(crate) fn block_for(&self, pause: Duration) {
        if let Ok(mut w) = self.window.lock() {
            let until = Instant::now() + pause;
            w.blocked_until = Some(w.blocked_until.map_or(until, |u| u.max(until)));
        }
    }
}

/// One limiter per organisation (tenant), created on first use.
pub(crate) struct Limiters {
    limits: Limits,
    tenants: Mutex<HashMap<String, Arc<TenantLimiter>>>,
}

impl Limiters {
    pub(crate) fn new(limits: Limits) -> Self {
        Limiters {
            limits,
            tenants: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn for_tenant(&self, tenant: &str) -> Arc<TenantLimiter> {
        match self.tenants.lock() {
            Ok(mut map) => map
                .entry(tenant.to_string())
                .or_insert_with(|| Arc::new(TenantLimiter::new(self.limits)))
                .clone(),
            Err(_) => Arc::new(TenantLimiter::new(self.limits)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_minute: usize, concurrent: usize) -> Limits {
        Limits {
            concurrent,
            per_minute,
            per_day: 5000,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_rolling_minute() {
        let limiter = TenantLimiter::new(limits(2, 5));
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
        let limiter = Arc::new(TenantLimiter::new(limits(100, 2)));
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
        let limiter = TenantLimiter::new(limits(60, 5));
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
    async fn a_retry_after_holds_requests() {
        let limiter = TenantLimiter::new(limits(60, 5));
        limiter.block_for(Duration::from_millis(150));
        let start = Instant::now();
        drop(limiter.acquire().await.unwrap());
        assert!(
            start.elapsed() >= Duration::from_millis(140),
            "{:?}",
            start.elapsed()
        );
    }
}
