//! What the benches against xero-sim share: the simulator with Xero's limits on, a bookkeeper's
//! sign-in over OAuth into one organisation, and the simulator's admin API with its own count of
//! the requests it served (so a figure never rests on Scopebook's count alone).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use scopebook_core::connection::choose_organisation;
use scopebook_core::store::{SharedStore, lock};
use scopebook_xero::{
    MemoryTokenStore, Session, XeroClient, XeroConfig, XeroUrls, begin_authorization,
};
use serde_json::{Value, json};
use xero_sim::{Limits, SimConfig, SimHandle};

pub type Outcome<T> = Result<T, Box<dyn std::error::Error>>;

/// xero-sim with `limits` (Xero's: `Limits::default()`), approving sign-ins at once.
pub async fn start(limits: Limits) -> Outcome<(SimHandle, Admin)> {
    let sim = xero_sim::start(SimConfig {
        auto_approve: true,
        limits,
        ..SimConfig::default()
    })
    .await?;
    let admin = Admin {
        http: reqwest::Client::new(),
        url: sim.admin_url(),
    };
    Ok((sim, admin))
}

/// Signs in as a bookkeeper does — Scopebook waits on a loopback port, the "browser" opens the
/// authorize URL, and the simulator redirects back with a code — and chooses the organisation
/// `tenant`. Every call is recorded in the data file, as in the app.
pub async fn sign_in(sim: &SimHandle, store: &SharedStore, tenant: &str) -> Outcome<XeroClient> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    sim.register_redirect_uri(&format!("http://localhost:{port}/callback"));
    let mut config = XeroConfig::new(sim.client_id(), XeroUrls::simulator(&sim.base_url()));
    config.redirect_ports = vec![port];
    let authorization = begin_authorization(&config).await?;
    let browser = reqwest::get(authorization.url().to_string());
    let (tokens, opened) = tokio::join!(authorization.finish(Duration::from_secs(10)), browser);
    opened?.error_for_status()?;
    let session = Arc::new(Session::new(config, Arc::new(MemoryTokenStore::new()))?);
    session.start(tokens?).await?;
    let xero = XeroClient::with_call_log(session, scopebook_core::xero_calls::call_log(store))?;
    let organisation = xero
        .connections()
        .await?
        .into_iter()
        .find(|o| o.tenant_id == tenant)
        .ok_or_else(|| format!("the sign-in did not reach the organisation {tenant}"))?;
    choose_organisation(&mut lock(store), &organisation)?;
    Ok(xero)
}

/// The simulator's admin API.
pub struct Admin {
    http: reqwest::Client,
    url: String,
}

impl Admin {
    pub async fn post(&self, path: &str, body: Value) -> Outcome<Value> {
        let reply = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await?;
        let status = reply.status();
        let body: Value = reply.json().await?;
        if !status.is_success() {
            return Err(format!("POST /__admin{path}: {status} {body}").into());
        }
        Ok(body)
    }

    /// Puts `contacts` (in Xero's JSON) in the organisation `tenant` at once, without API calls:
    /// a bookkeeper's existing file. Their ContactIDs, in order.
    pub async fn add_contacts(&self, tenant: &str, contacts: Vec<Value>) -> Outcome<Vec<String>> {
        let loaded = self
            .post(
                "/contacts/bulk",
                json!({ "tenant_id": tenant, "contacts": contacts }),
            )
            .await?;
        Ok(loaded["ContactIDs"]
            .as_array()
            .ok_or("the bulk load listed no ContactIDs")?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect())
    }

    /// Requests the simulator has served by its own count, per `METHOD /route` (`/stats`, admin
    /// calls left out).
    pub async fn requests(&self) -> Outcome<Served> {
        let stats: Value = self
            .http
            .get(format!("{}/stats", self.url))
            .send()
            .await?
            .json()
            .await?;
        Ok(stats["requests"]
            .as_object()
            .ok_or("xero-sim's /stats has no requests")?
            .iter()
            .filter_map(|(route, n)| Some((route.clone(), n.as_u64()?)))
            .collect())
    }
}

/// Requests the simulator served, per `METHOD /route`.
pub type Served = BTreeMap<String, u64>;

/// Every route together.
pub fn total(served: &Served) -> u64 {
    served.values().sum()
}

/// Runs `step`, timing it and counting the requests the simulator served meanwhile.
pub async fn measured<T>(
    admin: &Admin,
    step: impl Future<Output = Outcome<T>>,
) -> Outcome<(T, Duration, Served)> {
    let before = admin.requests().await?;
    let started = Instant::now();
    let value = step.await?;
    let took = started.elapsed();
    let after = admin.requests().await?;
    let served = after
        .into_iter()
        .map(|(route, n)| {
            let earlier = before.get(&route).copied().unwrap_or_default();
            (route, n.saturating_sub(earlier))
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    Ok((value, took, served))
}
