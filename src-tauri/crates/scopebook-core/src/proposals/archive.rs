//! The PDF a client accepted, kept with the proposal, so the firm can produce exactly what was
//! agreed years later — whatever has since changed in the catalogue, the practice's details or
//! Scopebook's template.
//!
//! Kept once per proposal version (table `accepted_pdfs`, which refuses updates and deletes): as
//! the proposal is accepted, rendered off the store lock and written after; if Scopebook stopped in
//! between, the first time the accepted proposal's PDF is asked for. Every later request for that
//! proposal's PDF (preview, export, email, export everything) gets the kept file.

use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

use scopebook_pdf::ProposalDocument;

use super::document::{proposal_document, render_document};
use crate::error::{Error, Result};
use crate::store::{SharedStore, Source, Store, lock};

/// The standards the kept PDFs conform to (see `scopebook_pdf::PROPOSAL_STANDARDS`).
pub const STANDARDS: &str = "PDF/A-2b, PDF/UA-1";

/// A proposal's kept PDF and what is known of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedPdf {
    pub pdf: Vec<u8>,
    /// Hex SHA-256 of `pdf`, to show the file is the one kept.
    pub sha256: String,
    pub standards: String,
    pub rendered_at: String,
}

/// The PDF kept when proposal `id` was accepted, if there is one.
pub fn accepted_pdf(store: &Store, id: i64) -> Result<Option<AcceptedPdf>> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT pdf, sha256, standards, rendered_at FROM accepted_pdfs WHERE proposal_id = ?1",
    )?;
    let mut rows = stmt.query([id])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let kept = AcceptedPdf {
        pdf: row.get(0)?,
        sha256: row.get(1)?,
        standards: row.get(2)?,
        rendered_at: row.get(3)?,
    };
    if sha256_hex(&kept.pdf) != kept.sha256 {
        return Err(Error::io(
            format!("The PDF kept when proposal {id} was accepted no longer matches its checksum"),
            std::io::Error::other(
                "the data file is damaged; restore a backup (Settings → Backups)",
            ),
        ));
    }
    Ok(Some(kept))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Keeps `pdf` as proposal `id`'s accepted letter when the proposal has been accepted and has
/// none kept yet. Returns whether it was kept now.
pub(crate) fn keep(store: &mut Store, id: i64, pdf: &[u8]) -> Result<bool> {
    let sha256 = sha256_hex(pdf);
    store.write(Source::System, |tx| {
        let kept = tx.execute(
            "INSERT INTO accepted_pdfs (proposal_id, pdf, sha256, standards, rendered_at)
             SELECT id, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM proposals
             WHERE id = ?1 AND accepted_at IS NOT NULL
             ON CONFLICT (proposal_id) DO NOTHING",
            rusqlite::params![id, pdf, sha256, STANDARDS],
        )?;
        if kept == 1 {
            tx.log(
                "proposal",
                id,
                "accepted_pdf_kept",
                &serde_json::json!({ "sha256": sha256, "bytes": pdf.len(), "standards": STANDARDS }),
            )?;
        }
        Ok(kept == 1)
    })
}

/// What a request for a proposal's PDF starts from, read under the lock: the kept file, or the
/// document to render (and whether the render is to be kept).
enum Start {
    Kept(Vec<u8>),
    Render {
        document: Box<ProposalDocument>,
        keep: bool,
    },
}

fn start(store: &Store, id: i64) -> Result<Start> {
    if let Some(kept) = accepted_pdf(store, id)? {
        return Ok(Start::Kept(kept.pdf));
    }
    let keep = store
        .conn()
        .query_row(
            "SELECT accepted_at IS NOT NULL FROM proposals WHERE id = ?1",
            [id],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false);
    Ok(Start::Render {
        document: Box::new(proposal_document(store, id)?),
        keep,
    })
}

/// Proposal `id`'s PDF on the caller's thread (the CLI, export everything, tests): the kept one
/// if the proposal was accepted, else a fresh render. Never writes.
pub fn pdf_now(store: &Store, id: i64) -> Result<Vec<u8>> {
    match start(store, id)? {
        Start::Kept(pdf) => Ok(pdf),
        Start::Render { document, .. } => render_document(&document),
    }
}

/// Renders and keeps proposal `id`'s accepted PDF now, unless one is kept (the CLI, as it
/// accepts). Returns whether it was kept now.
pub fn keep_now(store: &mut Store, id: i64) -> Result<bool> {
    match start(store, id)? {
        Start::Kept(_) | Start::Render { keep: false, .. } => Ok(false),
        Start::Render {
            document,
            keep: true,
        } => {
            let pdf = render_document(&document)?;
            keep(store, id, &pdf)
        }
    }
}

/// Proposal `id`'s PDF for the app: the kept one, or rendered off the store lock (a blocking
/// thread; other requests go on meanwhile) and, for an accepted proposal, kept.
pub async fn pdf(store: &SharedStore, id: i64) -> Result<Vec<u8>> {
    pdf_with(store, id, render_document).await
}

pub(super) async fn pdf_with(
    store: &SharedStore,
    id: i64,
    render: impl FnOnce(&ProposalDocument) -> Result<Vec<u8>> + Send + 'static,
) -> Result<Vec<u8>> {
    let started = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || start(&lock(&store), id))
            .await
            .map_err(Error::worker_stopped)??
    };
    let (document, keep_it) = match started {
        Start::Kept(pdf) => return Ok(pdf),
        Start::Render { document, keep } => (document, keep),
    };
    let pdf = tokio::task::spawn_blocking(move || render(&document))
        .await
        .map_err(Error::worker_stopped)??;
    if !keep_it {
        return Ok(pdf);
    }
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let mut store = lock(&store);
        keep(&mut store, id, &pdf)?;
        // Whatever is kept is what every later request gets (one render may have raced another).
        match accepted_pdf(&store, id)? {
            Some(kept) => Ok(kept.pdf),
            None => Ok(pdf),
        }
    })
    .await
    .map_err(Error::worker_stopped)?
}
