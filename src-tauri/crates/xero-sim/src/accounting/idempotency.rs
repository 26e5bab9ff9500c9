//! `Idempotency-Key` on writes: the same key with the same request within 24 hours replays the
//! stored reply without writing again; the same key with a different request is refused.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
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

#[derive(Default)]
pub struct IdempotencyStore {
    replies: HashMap<(Uuid, String), StoredReply>,
}

struct StoredReply {
    fingerprint: [u8; 32],
    status: StatusCode,
    content_type: Option<HeaderValue>,
    body: Bytes,
    at: Instant,
}

/// Runs a write with its idempotency record, holding the write gate so that a retry racing
/// the original can't slip in between the check and the save.
pub async fn run_write(sim: &Sim, tenant: Uuid, request: Request, next: Next) -> Response {
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(|key| key.trim().to_string())
        .filter(|key| !key.is_empty());
    let Some(key) = key else {
        let _gate = sim.write_gate.lock().await;
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return bad_request("The request body is too large");
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

    let _gate = sim.write_gate.lock().await;
    {
        let mut inner = sim.lock();
        let store = &mut inner.idempotency.replies;
        store.retain(|_, stored| stored.at.elapsed() < KEY_LIFETIME);
        if let Some(stored) = store.get(&(tenant, key.clone())) {
            if stored.fingerprint != fingerprint {
                return json_reply(
                    StatusCode::BAD_REQUEST,
                    json!({
                        "Title": "Idempotency key reused",
                        "Status": 400,
                        "Detail": format!("The Idempotency-Key '{key}' was already used with a different request."),
                    }),
                );
            }
            return replay(stored);
        }
    }

    let reply = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (parts, body) = reply.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return json_reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"Title": "Reply too large"}),
        );
    };
    let stored = StoredReply {
        fingerprint,
        status: parts.status,
        content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
        body: body.clone(),
        at: Instant::now(),
    };
    sim.lock().idempotency.replies.insert((tenant, key), stored);
    Response::from_parts(parts, Body::from(body))
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
