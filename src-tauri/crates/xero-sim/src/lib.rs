//! `xero-sim`: a Xero API simulator — a real axum HTTP server on 127.0.0.1 that behaves like
//! Xero for what Scopebook uses, as strictly as Xero does.
//!
//! **Owns:** Xero's identity service (OAuth 2.0 authorization code + PKCE, redirect URIs matched
//! exactly against the app's registered list, scopes checked against the app's age, refresh-token
//! rotation, revocation, `/connections`), the Accounting API endpoints Scopebook calls
//! (Organisation, Accounts, TaxRates, BrandingThemes, TrackingCategories, Contacts, Invoices)
//! with Xero's JSON shapes (checked against Xero's OpenAPI spec, vendored in `tests/spec/`),
//! scopes per endpoint (401 `AuthorizationUnsuccessful`), validation messages, unknown query
//! parameters refused, `where`/`order`/`searchTerm`/`summaryOnly`/`includeArchived`/
//! `createdByMyApp`/`unitdp`/paging, `If-Modified-Since`, `summarizeErrors` (valid elements are
//! saved even when the reply is a 400), `Idempotency-Key` (409 while the first call runs),
//! calls that run to the end when their caller disconnects (a killed client's write commits),
//! invoices that create their contact by Name, dates in the organisation's time zone, rate
//! limits with `Retry-After` (Starter tier: 1,000 calls a day), injected faults, seeded demo
//! organisations, and an admin API under `/__admin` for tests: faults, the clock, redirect
//! URIs, an organisation's existing contacts in bulk, and a bookkeeper's work in Xero
//! (edit/archive/merge contacts, void/delete invoices, payments, credit notes).
//!
//! **Must not:** be used by production code paths — only by tests, benchmarks and the app's
//! demo mode. It keeps everything in memory, trusts its loopback callers (the admin API has no
//! auth) and issues tokens that prove nothing. It holds no Scopebook logic: it is Xero, not us.
//!
//! **Still different from Xero** (so a test passing here can still fail there):
//! - Only the endpoints above exist; any other path is a 404 (Xero has many more).
//! - `where` understands only `Field=="value"` joined by `AND` (anything richer is a 400 here,
//!   where Xero would evaluate it); `order` takes plain field names only.
//! - Time zones: only the seeded organisations' zones (`AUSEASTERNSTANDARDTIME`,
//!   `NEWZEALANDSTANDARDTIME`, with daylight saving) are known; any other counts as UTC.
//! - No invoice is ever `ARCHIVED`, so `includeArchived` on invoices changes nothing; the
//!   default invoice order is creation order, contacts by name.
//! - Credit notes and payments exist only as made through the admin API (no `/CreditNotes`,
//!   `/Payments` endpoints); a contact merge only archives the merged contact and moves its
//!   invoices.
//! - The 401/403/409/429 bodies follow Xero's documented shape, but their wording is ours;
//!   some validation messages are worded by us where Xero's exact text isn't documented.
//! - Limits: one app, one user; `X-AppMinLimit` counts this simulator's calls only. Currency is
//!   always the organisation's base currency (no foreign-currency invoices).
//! - Tokens are opaque random strings and the id token is unsigned; nothing is persisted.
//!
//! Start one with [`start`]; point the Xero client at the URLs of the returned [`SimHandle`].

// Helpers return ready-made HTTP replies as their error (`Result<_, Response>`); a reply is
// 128 bytes and these paths are not hot, so boxing would only add noise.
#![allow(clippy::result_large_err)]

mod accounting;
mod admin;
mod clock;
mod config;
mod faults;
mod limits;
mod listener;
mod oauth;
pub mod seed;
mod state;
mod web;
mod wire;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{delete, get, post};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{Limits, SimConfig};

use listener::{Connection, KillableListener};
use state::Sim;

/// The client id registered with the simulator (a public PKCE client: no secret).
pub const CLIENT_ID: &str = "SCOPEBOOK-TEST-CLIENT";

/// Namespace for starting a simulator; [`start`] does the same.
pub struct XeroSim;

impl XeroSim {
    pub async fn start(config: SimConfig) -> io::Result<SimHandle> {
        start(config).await
    }
}

/// Binds 127.0.0.1 on a free port and serves in a tokio task.
pub async fn start(config: SimConfig) -> io::Result<SimHandle> {
    start_on_port(config, 0).await
}

/// Like [`start`] on a chosen port (0 = any free port).
pub async fn start_on_port(config: SimConfig, port: u16) -> io::Result<SimHandle> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    let address = listener.local_addr()?;
    let base_url = format!("http://{address}");
    let sim = Arc::new(Sim::new(config, base_url.clone(), CLIENT_ID.to_string()));
    let app = router(Arc::clone(&sim));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<Connection>();
        let serving =
            axum::serve(KillableListener::new(listener), service).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
        if let Err(error) = serving.await {
            eprintln!("xero-sim stopped: {error}");
        }
    });
    Ok(SimHandle {
        base_url,
        sim,
        stop: Some(stop),
        task: Some(task),
    })
}

fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/identity/connect/authorize", get(oauth::authorize))
        .route("/identity/connect/authorize/consent", post(oauth::consent))
        .route("/connect/token", post(oauth::token))
        .route("/connect/revocation", post(oauth::revocation))
        // Xero serves both spellings.
        .route("/connections", get(oauth::connections))
        .route("/connections/{id}", delete(oauth::delete_connection))
        .route("/Connections", get(oauth::connections))
        .route("/Connections/{id}", delete(oauth::delete_connection))
        .nest("/api.xro/2.0", accounting::router(Arc::clone(&sim)))
        .nest("/__admin", admin::router())
        .route(
            "/organisationlogin/default.aspx",
            get(web::organisation_login),
        )
        .layer(middleware::from_fn_with_state(
            Arc::clone(&sim),
            admin::count_requests,
        ))
        .with_state(sim)
}

/// A running simulator.
pub struct SimHandle {
    base_url: String,
    sim: Arc<Sim>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Xero: `https://login.xero.com/identity/connect/authorize`.
    pub fn authorize_url(&self) -> String {
        format!("{}/identity/connect/authorize", self.base_url)
    }

    /// Xero: `https://identity.xero.com/connect/token`.
    pub fn token_url(&self) -> String {
        format!("{}/connect/token", self.base_url)
    }

    /// Xero: `https://identity.xero.com/connect/revocation`.
    pub fn revocation_url(&self) -> String {
        format!("{}/connect/revocation", self.base_url)
    }

    /// Xero: `https://api.xero.com/connections`.
    pub fn connections_url(&self) -> String {
        format!("{}/connections", self.base_url)
    }

    /// Xero: `https://api.xero.com/api.xro/2.0`.
    pub fn api_url(&self) -> String {
        format!("{}/api.xro/2.0", self.base_url)
    }

    /// The admin API (tests and demo only).
    pub fn admin_url(&self) -> String {
        format!("{}/__admin", self.base_url)
    }

    /// The registered client id.
    pub fn client_id(&self) -> &str {
        &self.sim.client_id
    }

    /// Registers one more redirect URI for the app, as adding it at developer.xero.com does
    /// (authorize accepts only registered URIs, matched exactly).
    pub fn register_redirect_uri(&self, uri: &str) {
        self.sim.register_redirect_uri(uri);
    }

    /// Back to the seeded state, as `POST /__admin/reset`.
    pub fn reset(&self) {
        self.sim.reset();
    }

    /// Stops accepting connections and waits for the server task to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    /// A handle dropped without `shutdown` still stops its server.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
