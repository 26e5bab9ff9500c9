//! Pulling the organisation's contacts into the mirror: only what changed since the last
//! complete pull (`If-Modified-Since`), page by page in `UpdatedDateUTC` order, each page saved
//! in its own transaction with the cursor, so an interrupted pull resumes where it stopped.
//!
//! Calls: one per page of up to 1,000 contacts; an unchanged organisation costs one call.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};
use scopebook_xero::{ContactQuery, XeroClient};
use serde::Serialize;
use ts_rs::TS;

use super::mirror::save_contacts;
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::store::{SharedStore, Source, Store, lock};

/// Xero's largest page.
const PAGE_SIZE: u32 = 1000;

/// How far before the pull's start the next pull looks again: a contact changed while this pull
/// was paging may have moved past the page being read, and the two clocks may differ a little.
const OVERLAP: Duration = Duration::minutes(5);

/// What a pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PullReport {
    /// Pages read (= calls to Xero).
    pub pages: u32,
    /// Contacts Xero sent.
    pub received: u32,
    /// Contacts that were new or changed in the mirror.
    pub changed: u32,
    /// The page this pull resumed at, when an earlier one was interrupted.
    pub resumed_at_page: Option<u32>,
    /// A contact changed in Xero while this pull was paging (it came twice: it moved to the
    /// end of the order, shifting others onto pages already read), so the next pull reads the
    /// same window again and none is missed.
    pub read_again_next: bool,
}

/// Where the next pull starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Cursor {
    modified_since: Option<DateTime<Utc>>,
    resume_page: Option<u32>,
    /// When the interrupted pull started (kept so the resumed one ends on the same mark).
    started_at: Option<DateTime<Utc>>,
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn cursor(store: &Store, tenant: &str) -> Result<Cursor> {
    Ok(store
        .conn()
        .query_row(
            "SELECT contacts_modified_since, resume_page, pull_started_at
             FROM xero_sync_cursors WHERE tenant_id = ?1",
            [tenant],
            |r| {
                Ok(Cursor {
                    modified_since: parse_time(r.get("contacts_modified_since")?),
                    resume_page: r.get("resume_page")?,
                    started_at: parse_time(r.get("pull_started_at")?),
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Pulls what changed in the organisation's contacts since the last complete pull into the
/// mirror. `cancelled` is checked between pages (what was saved stays; the next pull resumes);
/// `progress` hears after each page. The store is never held during a call to Xero.
/// What Xero says about linked contacts (archived, merged) is applied to their links as one
/// sync batch, which can be undone here.
pub async fn pull_contacts(
    store: &SharedStore,
    xero: &XeroClient,
    cancelled: &std::sync::atomic::AtomicBool,
    progress: impl FnMut(&PullReport),
) -> Result<PullReport> {
    let batch = super::new_batch();
    let pulled = pull_in_pages(
        store,
        xero,
        PAGE_SIZE,
        Pull::Save(&batch),
        cancelled,
        progress,
    );
    Ok(pulled.await?.0)
}

/// Whether a pull keeps what it reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pull<'b> {
    /// Into the mirror, page by page, under this batch id (links follow archived and merged
    /// contacts; the cursor moves).
    Save(&'b str),
    /// Nothing written: the contacts are handed back (a dry run).
    Look,
}

pub(super) async fn pull_in_pages(
    store: &SharedStore,
    xero: &XeroClient,
    page_size: u32,
    mode: Pull<'_>,
    cancelled: &std::sync::atomic::AtomicBool,
    mut progress: impl FnMut(&PullReport),
) -> Result<(PullReport, Vec<scopebook_xero::models::Contact>)> {
    let mut seen = Vec::new();
    let (tenant, cursor) = {
        let store = lock(store);
        let tenant = require_tenant(&store)?;
        let cursor = cursor(&store, &tenant)?;
        (tenant, cursor)
    };
    let started_at = cursor.started_at.unwrap_or_else(Utc::now);
    let mut report = PullReport {
        resumed_at_page: cursor.resume_page,
        ..PullReport::default()
    };
    let mut page = cursor.resume_page.unwrap_or(1);
    let mut ids = std::collections::HashSet::new();
    loop {
        if cancelled.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::Xero(scopebook_xero::XeroError::Cancelled));
        }
        let query = ContactQuery {
            order: Some("UpdatedDateUTC ASC".into()),
            page: Some(page),
            page_size: Some(page_size),
            modified_since: cursor.modified_since,
            include_archived: true,
            ..ContactQuery::default()
        };
        let batch = xero.contacts(&tenant, &query).await?;
        report.pages += 1;
        let count = batch.items.len() as u32;
        report.received += count;
        // Changed during this pull: it came twice, or Xero stamped it after the pull began
        // (which catches it across a resumed pull too).
        for contact in &batch.items {
            let twice = contact
                .contact_id
                .as_deref()
                .is_some_and(|id| !ids.insert(id.to_string()));
            let since_start = contact.updated_date_utc.is_some_and(|at| at > started_at);
            if twice || since_start {
                report.read_again_next = true;
            }
        }
        let last = match batch.pagination {
            Some(p) if p.page_count > 0 => page >= p.page_count,
            _ => count < page_size,
        };
        if let Pull::Look = mode {
            seen.extend(batch.items);
        } else if let Pull::Save(batch_id) = mode {
            let mut store = lock(store);
            let changed = store.write(Source::Sync, |tx| {
                tx.set_batch(batch_id);
                let changed = if batch.items.is_empty() {
                    0
                } else {
                    save_contacts(tx, &tenant, &batch.items)?
                };
                super::links::follow_contacts(tx, &tenant, &batch.items)?;
                // Done: the next pull asks for what changed since this one started (less the
                // overlap). Not done: resume at the next page, with the same question.
                let (since, resume) = if last && report.read_again_next {
                    (cursor.modified_since.map(stamp), None)
                } else if last {
                    (Some(stamp(started_at - OVERLAP)), None)
                } else {
                    (cursor.modified_since.map(stamp), Some(page + 1))
                };
                tx.execute(
                    "INSERT INTO xero_sync_cursors (tenant_id, contacts_modified_since, resume_page,
                        pull_started_at, last_sync_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (tenant_id) DO UPDATE SET
                        contacts_modified_since = excluded.contacts_modified_since,
                        resume_page = excluded.resume_page,
                        pull_started_at = excluded.pull_started_at,
                        last_sync_at = coalesce(excluded.last_sync_at, last_sync_at)",
                    params![
                        tenant,
                        since,
                        resume,
                        (!last).then(|| stamp(started_at)),
                        last.then(crate::now),
                    ],
                )?;
                Ok(changed)
            })?;
            report.changed += changed as u32;
        }
        progress(&report);
        if last {
            return Ok((report, seen));
        }
        page += 1;
    }
}
