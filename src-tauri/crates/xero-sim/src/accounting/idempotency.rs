//! `Idempotency-Key` on writes: the same key with the same request within 24 hours replays the
//! stored reply without writing again; the same key with a different request is refused, and
//! the same key while its first request still runs is a 409.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{bad_request, json_reply};
use crate::state::Sim;

/// How long Xero remembers a key.
const KEY_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// Larger request bodies are refused (Xero's limit is 3.5 MB).
const MAX_BODY: usize = 10 * 1024 * 1024;

/// Xero refuses longer keys.
const MAX_KEY_LENGTH: usize = 128;

#[derive(Default)]
pub struct IdempotencyStore {
    replies: HashMap<(Uuid, String), StoredReply>,
    /// Keys whose first request is still being processed.
    in_progress: HashSet<(Uuid, String)>,
}

struct StoredReply {
    fingerprint: [u8; 32],
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
    at: Instant,
}

/// A write's hold on its key while it runs; dropping it (fault, dropped connection) frees the
/// key without storing a reply.
pub struct Claim {
    sim: Arc<Sim>,
    key: (Uuid, String),
    fingerprint: [u8; 32],
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.sim.lock().idempotency.in_progress.remove(&self.key);
    }
}

impl Claim {
    /// Remembers the reply for later requests with the same key and hands it on.
    pub async fn store(self, reply: Response) -> Response {
        let (parts, body) = reply.into_parts();
        let Ok(body) = to_bytes(body, MAX_BODY).await else {
            return json_reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"Title": "Reply too large"}),
            );
        };
        let stored = StoredReply {
            fingerprint: self.fingerprint,
            status: parts.status,
            content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
            body: body.clone(),
            at: Instant::now(),
        };
        self.sim
            .lock()
            .idempotency
            .replies
            .insert(self.key.clone(), stored);
        Response::from_parts(parts, Body::from(body))
    }
}

/// Checks a write's `Idempotency-Key`: a stored reply for the same request is replayed, a key
/// used for a different request is a 400, and a key whose first request is still running is a
/// 409 (as Xero answers). Otherwise the key is claimed until the write's reply is stored.
/// A write without a key runs unguarded, so two identical writes both happen, as in Xero.
pub async fn claim(
    sim: &Arc<Sim>,
    tenant: Uuid,
    request: Request,
) -> Result<(Request, Option<Claim>), Response> {
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(|key| key.trim().to_string())
        .filter(|key| !key.is_empty());
    let Some(key) = key else {
        return Ok((request, None));
    };
    if key.chars().count() > MAX_KEY_LENGTH {
        return Err(json_reply(
            StatusCode::BAD_REQUEST,
            json!({
                "Title": "Invalid Idempotency-Key",
                "Status": 400,
                "Detail": format!("The Idempotency-Key must be at most {MAX_KEY_LENGTH} characters."),
            }),
        ));
    }
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return Err(bad_request("The request body is too large"));
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b"\n");
    hasher.update(
        parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or_default(),
    );
    hasher.update(b"\n");
    hasher.update(&body);
    let fingerprint: [u8; 32] = hasher.finalize().into();

    let key = (tenant, key);
    let mut inner = sim.lock();
    let store = &mut inner.idempotency;
    store
        .replies
        .retain(|_, stored| stored.at.elapsed() < KEY_LIFETIME);
    if let Some(stored) = store.replies.get(&key) {
        if stored.fingerprint != fingerprint {
            return Err(json_reply(
                StatusCode::BAD_REQUEST,
                json!({
                    "Title": "Idempotency key reused",
                    "Status": 400,
                    "Detail": format!("The Idempotency-Key '{}' was already used with a different request.", key.1),
                }),
            ));
        }
        return Err(replay(stored));
    }
    if !store.in_progress.insert(key.clone()) {
        return Err(json_reply(
            StatusCode::CONFLICT,
            json!({
                "Title": "Conflict",
                "Status": 409,
                "Detail": format!("A request with the Idempotency-Key '{}' is still being processed.", key.1),
            }),
        ));
    }
    drop(inner);
    Ok((
        Request::from_parts(parts, Body::from(body)),
        Some(Claim {
            sim: Arc::clone(sim),
            key,
            fingerprint,
        }),
    ))
}

fn replay(stored: &StoredReply) -> Response {
    let mut reply = Response::new(Body::from(stored.body.clone()));
    *reply.status_mut() = stored.status;
    if let Some(content_type) = &stored.content_type {
        reply
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    reply
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    reply
}
