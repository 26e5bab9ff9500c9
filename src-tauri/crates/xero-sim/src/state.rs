//! The simulator's whole state behind one lock: organisations and their data, identity
//! (codes, grants, tokens), queued faults, rate-limit windows, idempotency replies, counters.
//!
//! One `std::sync::Mutex` is enough: every critical section is short and never awaits. There is
//! no lock held across a whole request: calls (writes included) run side by side as in Xero,
//! limited only per organisation (`Limits::concurrent`), so a client's races show up here too.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::SimConfig;
use crate::accounting::contacts::Contact;
use crate::accounting::idempotency::IdempotencyStore;
use crate::accounting::invoices::Invoice;
use crate::accounting::settings::{
    Account, BrandingTheme, Organisation, TaxRate, TrackingCategory,
};
use crate::admin::Stats;
use crate::faults::FaultQueue;
use crate::limits::LimitState;
use crate::oauth::Identity;

/// Shared by every handler.
pub struct Sim {
    pub config: SimConfig,
    pub base_url: String,
    pub client_id: String,
    inner: Mutex<Inner>,
}

pub struct Inner {
    pub orgs: BTreeMap<Uuid, Org>,
    pub identity: Identity,
    pub faults: FaultQueue,
    pub limits: LimitState,
    pub idempotency: IdempotencyStore,
    pub stats: Stats,
    /// The app's registered redirect URIs (matched exactly at authorize).
    pub redirect_uris: Vec<String>,
    /// Added to the real clock for "now" in the accounting API (`POST /__admin/clock`), so tests
    /// can put the simulator at a chosen moment, e.g. just after midnight in Sydney.
    pub clock_offset: chrono::Duration,
}

/// One Xero organisation (a "tenant") and everything Scopebook reads or writes in it.
#[derive(Clone)]
pub struct Org {
    pub organisation: Organisation,
    pub accounts: Vec<Account>,
    pub tax_rates: Vec<TaxRate>,
    pub branding_themes: Vec<BrandingTheme>,
    pub tracking_categories: Vec<TrackingCategory>,
    pub contacts: Vec<Contact>,
    pub invoices: Vec<Invoice>,
    /// Next number for auto-numbered sales invoices (`INV-0001`, …).
    pub next_invoice_number: u32,
    pub counters: WriteCounters,
}

/// Writes made through the API, so tests can assert "exactly once".
#[derive(Clone, Default, Debug, serde::Serialize)]
pub struct WriteCounters {
    pub contacts_created: u64,
    pub contacts_updated: u64,
    pub invoices_created: u64,
    pub invoices_updated: u64,
    pub payments: u64,
}

impl Org {
    pub fn tenant_id(&self) -> Uuid {
        self.organisation.organisation_id
    }
}

impl Sim {
    pub fn new(config: SimConfig, base_url: String, client_id: String) -> Self {
        let now = Utc::now();
        let inner = Inner {
            orgs: seeded_orgs(&config, now),
            identity: Identity::default(),
            faults: FaultQueue::default(),
            limits: LimitState::default(),
            idempotency: IdempotencyStore::default(),
            stats: Stats::default(),
            redirect_uris: config.redirect_uris.clone(),
            clock_offset: chrono::Duration::zero(),
        };
        Self {
            config,
            base_url,
            client_id,
            inner: Mutex::new(inner),
        }
    }

    /// Registers one more redirect URI for the app (exact string; duplicates are ignored).
    pub fn register_redirect_uri(&self, uri: &str) {
        let mut inner = self.lock();
        if !inner.redirect_uris.iter().any(|known| known == uri) {
            inner.redirect_uris.push(uri.to_string());
        }
    }

    /// The simulator's "now": the real clock, moved by the admin API's clock offset.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.lock().clock_offset
    }

    /// A poisoned lock only means a handler panicked mid-way; the sim keeps serving.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Back to the seeded data and the real clock. Grants, tokens and registered redirect URIs
    /// survive so a connected app stays connected.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.orgs = seeded_orgs(&self.config, Utc::now());
        inner.faults = FaultQueue::default();
        inner.limits = LimitState::default();
        inner.idempotency = IdempotencyStore::default();
        inner.stats = Stats::default();
        inner.clock_offset = chrono::Duration::zero();
    }
}

fn seeded_orgs(config: &SimConfig, now: DateTime<Utc>) -> BTreeMap<Uuid, Org> {
    if !config.seed {
        return BTreeMap::new();
    }
    crate::seed::organisations(now)
        .into_iter()
        .map(|org| (org.tenant_id(), org))
        .collect()
}
