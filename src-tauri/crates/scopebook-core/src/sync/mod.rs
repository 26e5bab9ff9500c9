//! Clients ⇄ Xero contacts: links per organisation, the local mirror of the organisation's
//! contacts, the pull cursor and the review list.
//!
//! Rules of this module:
//! - A link ties one client to one contact of one organisation, one to one (the schema's
//!   UNIQUE constraints make it so; [`link_client`] explains a refusal in words first).
//! - Links of another organisation are kept but not used: switching organisation never points a
//!   client at a contact of the wrong books.
//! - Every write is logged (`client` / `xero_link`), with the source of whoever made it.

mod board;
mod conflicts;
mod create;
mod fields;
mod first_import;
mod links;
mod mirror;
mod pull;
mod run;
mod summary;
mod undo;

use scopebook_xero::{ContactQuery, XeroClient};

use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::store::{SharedStore, Source, lock};

pub use board::{
    BoardRow, BoardState, ConnectionsBoard, Suggestion, board_row, connections_board,
    resolve_reviews,
};
pub use conflicts::{ConflictChoice, Side, resolve_conflict};
pub use create::create_xero_contact;
pub use fields::{FieldChange, FieldConflict, SharedDetails, SyncField};
pub use first_import::{
    ClientPlan, ContactPlan, FirstImportOptions, FirstImportPreview, FirstImportResult,
    ImportAction, apply_first_import, preview_first_import, undo_first_import,
};
pub use links::{LinkState, XeroLink, link_client, link_of, links, unlink_client};
pub use mirror::{
    MirroredContact, ReviewItem, ReviewKind, mirrored_contact, open_reviews, save_contacts,
};
pub use pull::{PullReport, pull_contacts};
use run::new_batch;
pub use run::{
    ClientChanges, ClientConflict, ClientProblem, SyncOptions, SyncPhase, SyncProgress, SyncReport,
    sync_contacts,
};
pub use summary::{
    ContactSummary, InvoiceGlance, PaymentGlance, contact_summary, deep_link, open_in_xero_link,
    xero_link,
};
pub use undo::{SyncBatch, sync_batches, undo_sync};

/// Links a client to a contact that exists in the connected organisation: the contact is looked
/// up in Xero (one call: it may be newer than the mirror, or archived), kept in the mirror, then
/// linked, and the client's open review items are closed. The store is not held during the call.
pub async fn link_to_xero_contact(
    store: &SharedStore,
    xero: &XeroClient,
    client_id: i64,
    contact_id: &str,
) -> Result<XeroLink> {
    let tenant = require_tenant(&lock(store))?;
    let query = ContactQuery {
        ids: vec![contact_id.trim().to_string()],
        include_archived: true,
        ..ContactQuery::default()
    };
    let found = xero.contacts(&tenant, &query).await?.items;
    if found.is_empty() {
        return Err(Error::invalid(
            "contact_id",
            format!(
                "The connected Xero organisation has no contact with the id {}.",
                contact_id.trim()
            ),
        ));
    }
    let mut store = lock(store);
    store.write(Source::Sync, |tx| save_contacts(tx, &tenant, &found))?;
    let link = link_client(&mut store, Source::User, client_id, contact_id)?;
    // Linked: what waited for a decision about this client is decided.
    resolve_reviews(&mut store, client_id)?;
    Ok(link)
}

/// Contacts of the connected organisation whose name, number or email contains `text` (one
/// call: Xero's `searchTerm`), archived ones too, as the mirror would keep them — for linking a
/// client by hand.
pub async fn search_xero_contacts(
    store: &SharedStore,
    xero: &XeroClient,
    text: &str,
) -> Result<Vec<MirroredContact>> {
    let text = text.trim();
    if text.chars().count() < 2 {
        return Err(Error::invalid(
            "search",
            "Type at least two letters of the contact's name or email.",
        ));
    }
    let tenant = require_tenant(&lock(store))?;
    let query = ContactQuery {
        search_term: Some(text.to_string()),
        include_archived: true,
        page: Some(1),
        ..ContactQuery::default()
    };
    let now = crate::now();
    Ok(xero
        .contacts(&tenant, &query)
        .await?
        .items
        .iter()
        .filter_map(|c| mirror::mirrored_from(c, &now))
        .collect())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) mod against_sim;

#[cfg(test)]
mod sync_sim;
