//! Faults injected through the admin API; each applies to one upcoming accounting call.

use std::collections::VecDeque;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::accounting::json_reply;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 500 with Xero's JSON error body; nothing is written.
    Status500,
    /// 503 with a plain-text body, as Xero's edge sends during an outage; nothing is written.
    Plain503,
    /// The reply is delayed this many milliseconds (the call itself runs normally).
    Delay(u64),
    /// The call runs and commits, then the connection is closed without a reply.
    DropAfterCommit,
    /// 429 for the minute limit with `Retry-After: 1`, as if other calls had used the minute up;
    /// nothing is written.
    Status429,
    /// The call runs and commits what it can, then the reply is a 400 validation error: a batch
    /// Xero partly saved while saying it failed.
    PartialThen400,
}

/// Body of `POST /__admin/faults`.
#[derive(Debug, Deserialize)]
pub struct FaultRequest {
    pub kind: String,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub delay_ms: u64,
}

fn one() -> u32 {
    1
}

impl FaultRequest {
    pub fn fault(&self) -> Result<Fault, String> {
        match self.kind.as_str() {
            "status_500" => Ok(Fault::Status500),
            "plain_503" => Ok(Fault::Plain503),
            "delay" => Ok(Fault::Delay(self.delay_ms)),
            "drop_after_commit" => Ok(Fault::DropAfterCommit),
            "status_429" => Ok(Fault::Status429),
            "partial_400" => Ok(Fault::PartialThen400),
            other => Err(format!(
                "unknown fault kind '{other}'; use status_500, plain_503, status_429, partial_400, delay or drop_after_commit"
            )),
        }
    }
}

/// Faults waiting for calls, in order.
#[derive(Default, Debug)]
pub struct FaultQueue {
    pending: VecDeque<Fault>,
}

impl FaultQueue {
    pub fn push(&mut self, fault: Fault, count: u32) {
        for _ in 0..count {
            self.pending.push_back(fault);
        }
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// The fault for the call being handled now, if any.
    pub fn next(&mut self) -> Option<Fault> {
        self.pending.pop_front()
    }
}

pub fn status_500() -> Response {
    json_reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({
            "Title": "An error occurred",
            "Status": 500,
            "Detail": "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current service status.",
        }),
    )
}

/// Xero's 400 for a request it found invalid.
pub fn status_400() -> Response {
    json_reply(
        StatusCode::BAD_REQUEST,
        json!({
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{ "ValidationErrors": [{ "Message": "One or more invoices could not be saved." }] }],
        }),
    )
}

pub fn plain_503() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain")],
        "Service Unavailable",
    )
        .into_response()
}
