//! The first import after connecting: what happens to each Xero contact and each local client
//! (link, new client, new prospect, needs review, skip), previewed from the mirror (pull first),
//! then applied in one transaction under one batch id that [`undo_first_import`] takes back.
//!
//! Matching is [`crate::matching`]'s: a client is linked only on an unambiguous strong match; a
//! contact that plausibly is a client is never made into a second one.

use std::collections::{HashMap, HashSet};

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clients::{ClientDraft, ClientKind, insert_client, list_clients, validate_client};
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::matching::{
    Candidate, ContactIndex, Decision, MatchClient, MatchContact, MatchOptions, match_clients,
};
use crate::store::{Source, Store};

use super::mirror::{MirroredContact, ReviewKind, all_mirrored};

crate::db_enum! {
    /// What the import does with one Xero contact.
    #[ts(export)]
    pub enum ImportAction: "import action" {
        /// Linked to the local client it unambiguously is.
        Link = "link",
        /// A customer in Xero with no local client: becomes a client.
        NewClient = "new_client",
        /// Neither customer nor supplier, when asked for: becomes a prospect.
        NewProspect = "new_prospect",
        /// Plausibly one of the local clients, but not unambiguously: the bookkeeper decides.
        Review = "review",
        /// Left out (a supplier, archived, merged, not a customer, or linked already).
        Skip = "skip",
    }
}

/// What to bring in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct FirstImportOptions {
    /// Contacts that are neither customers nor suppliers become prospects (left out by default).
    pub include_non_customers: bool,
    /// Contacts that are only suppliers are considered too (left out by default).
    pub include_suppliers: bool,
}

/// One contact's fate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ContactPlan {
    pub contact_id: String,
    pub contact_name: String,
    pub action: ImportAction,
    /// The local client it is linked to, or may be (review).
    #[ts(type = "number | null")]
    pub client_id: Option<i64>,
    pub client_name: Option<String>,
    /// Why, in words.
    pub reason: String,
}

/// One local client's fate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientPlan {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    /// Link, Review, or Skip (stays local: nothing in Xero is it).
    pub action: ImportAction,
    /// For a review: the contacts it may be, best first, with their reasons.
    pub candidates: Vec<Candidate>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FirstImportPreview {
    pub contacts: Vec<ContactPlan>,
    pub clients: Vec<ClientPlan>,
    pub links: u32,
    pub new_clients: u32,
    pub new_prospects: u32,
    pub reviews: u32,
    pub skipped: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FirstImportResult {
    /// Undo takes this whole batch back.
    pub batch: String,
    pub links: u32,
    pub new_clients: u32,
    pub new_prospects: u32,
    pub reviews: u32,
}

/// A client as matching sees it. The ContactNumber Scopebook writes on a contact it creates is
/// the client's id.
pub(super) fn match_client(c: &crate::clients::Client, linked: Option<String>) -> MatchClient {
    MatchClient {
        id: c.id,
        display_name: c.details.display_name.clone(),
        legal_name: c.details.legal_name.clone(),
        emails: [&c.details.email, &c.details.invoicing.invoice_email]
            .into_iter()
            .filter(|e| !e.is_empty())
            .cloned()
            .collect(),
        phone: c.details.phone.clone(),
        tax_number: c.details.tax_number.clone(),
        account_number: c.details.account_number.clone(),
        postcode: c.details.postal_address.postcode.clone(),
        linked_contact_id: linked,
        contact_number: c.id.to_string(),
    }
}

pub(super) fn match_contact(c: &MirroredContact) -> MatchContact {
    MatchContact {
        contact_id: c.contact_id.clone(),
        name: c.name.clone(),
        contact_number: c.contact_number.clone().unwrap_or_default(),
        account_number: c.account_number.clone().unwrap_or_default(),
        tax_number: c.tax_number.clone().unwrap_or_default(),
        email: c.email.clone().unwrap_or_default(),
        phones: c.phone.clone().into_iter().collect(),
        postcode: c.postcode.clone().unwrap_or_default(),
        archived: c.status != "ACTIVE",
        is_customer: c.is_customer,
        is_supplier: c.is_supplier,
        merged_to_contact_id: c.merged_to_contact_id.clone(),
    }
}

/// What the import would do, from the mirror and the clients; writes nothing.
pub fn preview_first_import(
    store: &Store,
    options: FirstImportOptions,
) -> Result<FirstImportPreview> {
    let tenant = require_tenant(store)?;
    let mirrored = all_mirrored(store, &tenant)?;
    let linked: HashMap<i64, String> = store
        .conn()
        .prepare("SELECT client_id, contact_id FROM xero_links WHERE tenant_id = ?1")?
        .query_map([&tenant], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let clients = list_clients(store, &crate::clients::ClientFilter::default())?;
    let match_clients_in: Vec<MatchClient> = clients
        .iter()
        .map(|c| match_client(c, linked.get(&c.id).cloned()))
        .collect();
    let contacts: Vec<MatchContact> = mirrored.iter().map(match_contact).collect();
    let match_options = MatchOptions {
        include_suppliers_only: options.include_suppliers,
    };
    let decisions = match_clients(&match_clients_in, &contacts, match_options);
    let index = ContactIndex::new(&contacts, match_options).with_clients(&match_clients_in);
    let name_of: HashMap<i64, &str> = clients
        .iter()
        .map(|c| (c.id, c.details.display_name.as_str()))
        .collect();
    let mut preview = FirstImportPreview::default();
    // Contacts a client claims (linked, to be linked, or in a client's review).
    let mut claimed: HashMap<String, (ImportAction, i64, String)> = HashMap::new();
    let already: HashSet<&str> = linked.values().map(String::as_str).collect();
    for m in &decisions {
        let client_name = name_of.get(&m.client_id).copied().unwrap_or("").to_string();
        let (action, candidates) = match &m.decision {
            Decision::AutoLink { contact } => {
                if !already.contains(contact.contact_id.as_str()) {
                    claimed.insert(
                        contact.contact_id.clone(),
                        (ImportAction::Link, m.client_id, contact.reasons_text()),
                    );
                }
                (ImportAction::Link, vec![contact.clone()])
            }
            Decision::Review { candidates } => {
                for c in candidates {
                    claimed.entry(c.contact_id.clone()).or_insert((
                        ImportAction::Review,
                        m.client_id,
                        c.reasons_text(),
                    ));
                }
                (ImportAction::Review, candidates.clone())
            }
            Decision::NoMatch => (ImportAction::Skip, Vec::new()),
        };
        // A client linked before this import keeps its link: nothing to do.
        if linked.contains_key(&m.client_id) {
            continue;
        }
        preview.clients.push(ClientPlan {
            client_id: m.client_id,
            client_name,
            action,
            candidates,
        });
    }
    // A contact that plausibly is a client linked to another contact (a near-duplicate in
    // Xero) is never made into a second client: the bookkeeper looks at it.
    for client in &match_clients_in {
        let name = name_of.get(&client.id).copied().unwrap_or("");
        for candidate in index.candidates(client) {
            if already.contains(candidate.contact_id.as_str()) {
                continue;
            }
            claimed.entry(candidate.contact_id.clone()).or_insert((
                ImportAction::Review,
                client.id,
                format!("may be the same as {name}: {}", candidate.reasons_text()),
            ));
        }
    }
    for c in &mirrored {
        let (action, client_id, reason) = if already.contains(c.contact_id.as_str()) {
            (ImportAction::Skip, None, "already linked".to_string())
        } else if let Some((action, client, reason)) = claimed.get(&c.contact_id) {
            (*action, Some(*client), reason.clone())
        } else if c.merged_to_contact_id.is_some() {
            (
                ImportAction::Skip,
                None,
                "merged into another contact in Xero".into(),
            )
        } else if c.status != "ACTIVE" {
            (ImportAction::Skip, None, "archived in Xero".into())
        } else if c.is_supplier && !c.is_customer && !options.include_suppliers {
            (ImportAction::Skip, None, "a supplier".into())
        } else if c.is_customer {
            (ImportAction::NewClient, None, "a customer in Xero".into())
        } else if options.include_non_customers {
            (
                ImportAction::NewProspect,
                None,
                "not yet invoiced in Xero".into(),
            )
        } else {
            (ImportAction::Skip, None, "not a customer in Xero".into())
        };
        match action {
            ImportAction::Link => preview.links += 1,
            ImportAction::NewClient => preview.new_clients += 1,
            ImportAction::NewProspect => preview.new_prospects += 1,
            ImportAction::Review => preview.reviews += 1,
            ImportAction::Skip => preview.skipped += 1,
        }
        preview.contacts.push(ContactPlan {
            contact_id: c.contact_id.clone(),
            contact_name: c.name.clone(),
            action,
            client_name: client_id.and_then(|id| name_of.get(&id).map(|n| n.to_string())),
            client_id,
            reason,
        });
    }
    Ok(preview)
}

/// A client made from a Xero contact. Details Scopebook would refuse (a tax number that fails
/// its check digits, a malformed email) are left out rather than losing the contact.
fn draft_from(contact: &MirroredContact, kind: ClientKind, store: &Store) -> Result<ClientDraft> {
    let country = crate::practice::get_practice(store)?
        .and_then(|p| crate::reference::Country::find(&p.country));
    let mut draft = ClientDraft {
        kind,
        display_name: contact.name.clone(),
        first_name: contact.first_name.clone().unwrap_or_default(),
        last_name: contact.last_name.clone().unwrap_or_default(),
        email: contact.email.clone().unwrap_or_default(),
        phone: contact.phone.clone().unwrap_or_default(),
        tax_number: contact.tax_number.clone().unwrap_or_default(),
        account_number: contact.account_number.clone().unwrap_or_default(),
        ..ClientDraft::blank()
    };
    draft.postal_address.postcode = contact.postcode.clone().unwrap_or_default();
    match validate_client(&draft, country) {
        Ok(clean) => Ok(clean),
        Err(Error::Invalid(problems)) => {
            for p in problems.fields() {
                match p.field.as_str() {
                    "email" => draft.email.clear(),
                    "phone" => draft.phone.clear(),
                    "tax_number" => draft.tax_number.clear(),
                    "account_number" => draft.account_number.clear(),
                    "first_name" => draft.first_name.clear(),
                    "last_name" => draft.last_name.clear(),
                    _ => draft.postal_address = Default::default(),
                }
            }
            validate_client(&draft, country)
        }
        Err(other) => Err(other),
    }
}

/// Applies the preview (computed again, so what is applied is what the data says now) in one
/// transaction tagged with a batch id.
pub fn apply_first_import(
    store: &mut Store,
    options: FirstImportOptions,
) -> Result<FirstImportResult> {
    let tenant = require_tenant(store)?;
    let preview = preview_first_import(store, options)?;
    let mirrored: HashMap<String, MirroredContact> = all_mirrored(store, &tenant)?
        .into_iter()
        .map(|c| (c.contact_id.clone(), c))
        .collect();
    let mut new_clients = Vec::new();
    for plan in &preview.contacts {
        let kind = match plan.action {
            ImportAction::NewClient => ClientKind::Client,
            ImportAction::NewProspect => ClientKind::Prospect,
            _ => continue,
        };
        if let Some(contact) = mirrored.get(&plan.contact_id) {
            new_clients.push((plan.contact_id.clone(), draft_from(contact, kind, store)?));
        }
    }
    let batch = format!(
        "xero-import-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f")
    );
    let mut result = FirstImportResult {
        batch: batch.clone(),
        links: 0,
        new_clients: 0,
        new_prospects: 0,
        reviews: 0,
    };
    store.write(Source::Sync, |tx| {
        tx.set_batch(batch.clone());
        let link = |client_id: i64, contact_id: &str| {
            super::links::insert_link(tx, &tenant, client_id, contact_id)
        };
        let open_ambiguous =
            |client_id: i64, contact_id: Option<&str>, detail: serde_json::Value| -> Result<()> {
                super::mirror::open_review(
                    tx,
                    &tenant,
                    client_id,
                    contact_id,
                    ReviewKind::AmbiguousMatch,
                    detail,
                )
                .map(|_| ())
            };
        for plan in preview.contacts.iter().filter(|p| p.action == ImportAction::Link) {
            if let Some(client_id) = plan.client_id {
                link(client_id, &plan.contact_id)?;
                result.links += 1;
            }
        }
        for (contact_id, draft) in &new_clients {
            let id = insert_client(tx, draft)?;
            link(id, contact_id)?;
            match draft.kind {
                ClientKind::Client => result.new_clients += 1,
                ClientKind::Prospect => result.new_prospects += 1,
            }
        }
        for plan in preview.clients.iter().filter(|p| p.action == ImportAction::Review) {
            let detail = serde_json::json!({ "candidates": plan.candidates });
            open_ambiguous(plan.client_id, None, detail)?;
            result.reviews += 1;
        }
        // Contacts that may duplicate a client matched to another contact.
        let reviewing: HashSet<i64> = preview
            .clients
            .iter()
            .filter(|p| p.action == ImportAction::Review)
            .map(|p| p.client_id)
            .collect();
        for plan in preview.contacts.iter().filter(|p| p.action == ImportAction::Review) {
            let Some(client_id) = plan.client_id.filter(|id| !reviewing.contains(id)) else {
                continue;
            };
            let detail = serde_json::json!({ "possible_duplicate": plan.contact_name, "reason": plan.reason });
            open_ambiguous(client_id, Some(plan.contact_id.as_str()), detail)?;
            result.reviews += 1;
        }
        Ok(())
    })?;
    Ok(result)
}

/// Takes a whole first import back: its links and review items go, and the clients it created
/// are deleted — unless one has been changed or used since, which is refused in words, with
/// nothing undone. A second undo says it was already undone.
pub fn undo_first_import(store: &mut Store, batch: &str) -> Result<u32> {
    let undo_batch = super::undo::not_undone_yet(store, batch, "That import from Xero")?;
    let changes: Vec<(String, i64, String, serde_json::Value)> = store
        .conn()
        .prepare(
            "SELECT entity, entity_id, action, detail FROM changes WHERE batch = ?1 ORDER BY id",
        )?
        .query_map([batch], |r| {
            Ok((
                r.get("entity")?,
                r.get("entity_id")?,
                r.get("action")?,
                crate::store::json_column(r, "detail")?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    if changes.is_empty() {
        return Err(Error::invalid(
            "batch",
            "There is nothing to undo for that import.",
        ));
    }
    let images = super::undo::images_of(store, batch)?;
    let created: Vec<i64> = changes
        .iter()
        .filter(|(e, _, a, _)| e == "client" && a == "create")
        .map(|(_, id, _, _)| *id)
        .collect();
    store.write(Source::Sync, |tx| {
        tx.set_batch(undo_batch.clone());
        let mut blocked = Vec::new();
        for id in &created {
            let later: i64 = tx.query_row(
                "SELECT count(*) FROM changes WHERE entity = 'client' AND entity_id = ?1
                   AND batch IS NOT ?2",
                params![id, batch],
                |r| r.get(0),
            )?;
            let proposals: i64 = tx.query_row(
                "SELECT count(*) FROM proposals WHERE client_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            if later > 0 || proposals > 0 {
                let name: String = tx
                    .query_row(
                        "SELECT display_name FROM clients WHERE id = ?1",
                        [id],
                        |r| r.get(0),
                    )
                    .unwrap_or_default();
                blocked.push(name);
            }
        }
        if !blocked.is_empty() {
            return Err(Error::InUse(format!(
                "The import from Xero can't be undone, because these clients have been changed or \
                 used since: {}. Nothing was undone.",
                blocked.join(", ")
            )));
        }
        super::undo::put_back(tx, batch, &images, "The import from Xero")?;
        let undone = images
            .iter()
            .filter(|(_, _, _, image)| image["table"] == "xero_links")
            .count() as u32;
        for id in &created {
            tx.execute("DELETE FROM clients WHERE id = ?1", [id])?;
            tx.log(
                "client",
                *id,
                "undo_import",
                &serde_json::json!({ "batch": batch }),
            )?;
        }
        Ok(undone)
    })
}
