//! Xero's rate limits: per tenant (in flight, per rolling minute, per rolling day) and per app
//! (per rolling minute). Every admitted call gets the remaining-count headers; a call over a
//! limit gets 429 with `Retry-After` and `X-Rate-Limit-Problem`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use crate::accounting::json_reply;
use crate::state::Sim;

const MINUTE: Duration = Duration::from_secs(60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Default)]
pub struct LimitState {
    tenants: HashMap<Uuid, TenantWindow>,
    app_minute: VecDeque<Instant>,
}

#[derive(Default)]
struct TenantWindow {
    in_flight: u32,
    minute: VecDeque<Instant>,
    day: VecDeque<Instant>,
}

/// What is left after an admitted call; stamped on its reply.
#[derive(Clone, Copy, Debug)]
pub struct Remaining {
    minute: u32,
    day: u32,
    app_minute: u32,
}

impl Remaining {
    pub fn stamp(self, mut reply: Response) -> Response {
        let headers = reply.headers_mut();
        headers.insert("X-MinLimit-Remaining", HeaderValue::from(self.minute));
        headers.insert("X-DayLimit-Remaining", HeaderValue::from(self.day));
        headers.insert(
            "X-AppMinLimit-Remaining",
            HeaderValue::from(self.app_minute),
        );
        reply
    }
}

/// A call refused for a limit.
#[derive(Debug)]
pub struct Rejected {
    /// Xero's `X-Rate-Limit-Problem` value.
    problem: &'static str,
    retry_after_secs: u64,
    remaining: Remaining,
}

impl Rejected {
    /// The minute limit's refusal with `Retry-After: 1`, for an injected fault.
    pub fn injected(remaining: Remaining) -> Rejected {
        Rejected {
            problem: "minute",
            retry_after_secs: 1,
            remaining,
        }
    }
}

impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        let mut reply = json_reply(
            StatusCode::TOO_MANY_REQUESTS,
            json!({
                "Title": "Too Many Requests",
                "Status": 429,
                "Detail": format!("Rate limit exceeded ({}). Retry after {} seconds.", self.problem, self.retry_after_secs),
            }),
        );
        reply
            .headers_mut()
            .insert("Retry-After", HeaderValue::from(self.retry_after_secs));
        reply.headers_mut().insert(
            "X-Rate-Limit-Problem",
            HeaderValue::from_static(self.problem),
        );
        self.remaining.stamp(reply)
    }
}

/// Holds a tenant's in-flight slot until the reply is ready.
pub struct InFlight {
    sim: Arc<Sim>,
    tenant: Uuid,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut inner = self.sim.lock();
        if let Some(window) = inner.limits.tenants.get_mut(&self.tenant) {
            window.in_flight = window.in_flight.saturating_sub(1);
        }
    }
}

/// Counts the call against every limit, or says which limit it is over. A refused call is not
/// counted, so a client that honours `Retry-After` gets in once the window has moved on.
pub fn admit(sim: &Arc<Sim>, tenant: Uuid) -> Result<(InFlight, Remaining), Rejected> {
    let limits = sim.config.limits;
    let now = Instant::now();
    let mut inner = sim.lock();
    let state = &mut inner.limits;
    prune(&mut state.app_minute, now, MINUTE);
    let app_used = len(&state.app_minute);
    let window = state.tenants.entry(tenant).or_default();
    prune(&mut window.minute, now, MINUTE);
    prune(&mut window.day, now, DAY);
    let remaining = Remaining {
        minute: limits.per_minute.saturating_sub(len(&window.minute)),
        day: limits.per_day.saturating_sub(len(&window.day)),
        app_minute: limits.app_per_minute.saturating_sub(app_used),
    };

    let refuse = |problem, retry_after_secs| Rejected {
        problem,
        retry_after_secs,
        remaining,
    };
    if app_used >= limits.app_per_minute {
        return Err(refuse(
            "appminute",
            retry_after(&state.app_minute, now, MINUTE),
        ));
    }
    if len(&window.day) >= limits.per_day {
        return Err(refuse("day", retry_after(&window.day, now, DAY)));
    }
    if len(&window.minute) >= limits.per_minute {
        return Err(refuse("minute", retry_after(&window.minute, now, MINUTE)));
    }
    if window.in_flight >= limits.concurrent {
        return Err(refuse("concurrent", 1));
    }

    window.in_flight += 1;
    window.minute.push_back(now);
    window.day.push_back(now);
    state.app_minute.push_back(now);
    let remaining = Remaining {
        minute: remaining.minute.saturating_sub(1),
        day: remaining.day.saturating_sub(1),
        app_minute: remaining.app_minute.saturating_sub(1),
    };
    Ok((
        InFlight {
            sim: Arc::clone(sim),
            tenant,
        },
        remaining,
    ))
}

fn len(window: &VecDeque<Instant>) -> u32 {
    u32::try_from(window.len()).unwrap_or(u32::MAX)
}

fn prune(window: &mut VecDeque<Instant>, now: Instant, span: Duration) {
    while window
        .front()
        .is_some_and(|at| now.duration_since(*at) >= span)
    {
        window.pop_front();
    }
}

/// Whole seconds until the oldest call leaves the window (at least 1).
fn retry_after(window: &VecDeque<Instant>, now: Instant, span: Duration) -> u64 {
    let wait = window.front().map_or(Duration::ZERO, |oldest| {
        span.saturating_sub(now.duration_since(*oldest))
    });
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}
