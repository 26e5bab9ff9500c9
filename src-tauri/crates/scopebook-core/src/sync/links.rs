//! Linking a client to a Xero contact, and unlinking it.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

use super::undo::imaged;
use crate::clients::get_client;
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::store::{Source, Store};

crate::db_enum! {
    /// Where a link stands.
    #[ts(export)]
    pub enum LinkState: "Xero link state" {
        Linked = "linked",
        /// The contact was archived in Xero; the client is kept, nothing is pushed to it.
        ArchivedInXero = "archived_in_xero",
    }
}

/// A client's link to a contact of the organisation connected now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct XeroLink {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub contact_id: String,
    /// The contact's name as Xero last sent it (`None` until it has been pulled).
    pub contact_name: Option<String>,
    pub state: LinkState,
    pub linked_at: String,
}

const LINK_COLUMNS: &str = "l.client_id, c.display_name AS client_name, l.contact_id,
    m.name AS contact_name, l.state, l.linked_at";

const LINK_FROM: &str = "xero_links l
    JOIN clients c ON c.id = l.client_id
    LEFT JOIN xero_contacts m ON m.tenant_id = l.tenant_id AND m.contact_id = l.contact_id";

fn link_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<XeroLink> {
    Ok(XeroLink {
        client_id: r.get("client_id")?,
        client_name: r.get("client_name")?,
        contact_id: r.get("contact_id")?,
        contact_name: r.get("contact_name")?,
        state: r.get("state")?,
        linked_at: r.get("linked_at")?,
    })
}

/// Every link of the organisation connected now, by client name.
pub fn links(store: &Store) -> Result<Vec<XeroLink>> {
    let tenant = require_tenant(store)?;
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {LINK_COLUMNS} FROM {LINK_FROM} WHERE l.tenant_id = ?1 ORDER BY lower(c.display_name)"
    ))?;
    let rows = stmt.query_map([&tenant], link_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The client's link in the organisation connected now, if any.
pub fn link_of(store: &Store, client_id: i64) -> Result<Option<XeroLink>> {
    let tenant = require_tenant(store)?;
    Ok(store
        .conn()
        .query_row(
            &format!(
                "SELECT {LINK_COLUMNS} FROM {LINK_FROM} WHERE l.tenant_id = ?1 AND l.client_id = ?2"
            ),
            params![tenant, client_id],
            link_from_row,
        )
        .optional()?)
}

fn link_of_contact(store: &Store, tenant: &str, contact_id: &str) -> Result<Option<XeroLink>> {
    Ok(store
        .conn()
        .query_row(
            &format!(
                "SELECT {LINK_COLUMNS} FROM {LINK_FROM} WHERE l.tenant_id = ?1 AND l.contact_id = ?2"
            ),
            params![tenant, contact_id],
            link_from_row,
        )
        .optional()?)
}

/// Links `client_id` to the Xero contact `contact_id` of the organisation connected now. A
/// contact already linked to another client, or a client already linked to another contact, is
/// refused in words (unlink first): a link is one to one.
pub fn link_client(
    store: &mut Store,
    source: Source,
    client_id: i64,
    contact_id: &str,
) -> Result<XeroLink> {
    let tenant = require_tenant(store)?;
    let client = get_client(store, client_id)?;
    let contact_id = contact_id.trim();
    if contact_id.is_empty() {
        return Err(Error::invalid(
            "contact_id",
            "Choose the Xero contact to link.",
        ));
    }
    if let Some(existing) = link_of_contact(store, &tenant, contact_id)? {
        if existing.client_id == client_id {
            return Ok(existing);
        }
        return Err(Error::invalid(
            "contact_id",
            format!(
                "That Xero contact is already linked to \u{201c}{}\u{201d}. Unlink it there first.",
                existing.client_name
            ),
        ));
    }
    if let Some(existing) = link_of(store, client_id)? {
        return Err(Error::invalid(
            "contact_id",
            format!(
                "\u{201c}{}\u{201d} is already linked to the Xero contact {}. Unlink it first.",
                client.details.display_name,
                existing.contact_name.unwrap_or(existing.contact_id)
            ),
        ));
    }
    store.write(source, |tx| insert_link(tx, &tenant, client_id, contact_id))?;
    link_of(store, client_id)?.ok_or(Error::NotFound {
        entity: "Xero link",
        id: client_id,
    })
}

/// Writes a link (the schema refuses a second one for the contact or the client) and logs it.
/// Both sides' details as they are now (the contact's from the mirror) become the link's sync
/// base: what differs between them at linking is left as it is, and only later changes move.
pub(super) fn insert_link(
    tx: &crate::store::Tx<'_>,
    tenant: &str,
    client_id: i64,
    contact_id: &str,
) -> Result<()> {
    let base = base_now(tx, tenant, client_id, contact_id)?;
    imaged(
        tx,
        "xero_links",
        None,
        ("client", client_id, "xero_link"),
        serde_json::json!({ "tenant_id": tenant, "contact_id": contact_id }),
        |tx| {
            tx.execute(
                "INSERT INTO xero_links (tenant_id, client_id, contact_id, linked_at, synced_fields,
                    synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
                params![tenant, client_id, contact_id, crate::now(), base],
            )?;
            Ok(tx.last_insert_rowid())
        },
    )?;
    Ok(())
}

/// Both sides' shared details now, as a link's base (JSON); `None` when the contact hasn't been
/// pulled yet (the first sync then starts the base).
fn base_now(
    tx: &crate::store::Tx<'_>,
    tenant: &str,
    client_id: i64,
    contact_id: &str,
) -> Result<Option<String>> {
    let Some(contact) = super::mirror::mirrored_in(tx, tenant, contact_id)? else {
        return Ok(None);
    };
    let client = crate::clients::client_in(tx, client_id)?;
    let base = super::fields::SyncBase {
        here: super::fields::SharedDetails::of_client(&client.details),
        xero: super::fields::SharedDetails::of_contact(&contact),
    };
    Ok(Some(serde_json::to_string(&base).unwrap_or_default()))
}

/// Removes the client's link in the organisation connected now (the contact stays in Xero).
pub fn unlink_client(store: &mut Store, source: Source, client_id: i64) -> Result<()> {
    let tenant = require_tenant(store)?;
    let client = get_client(store, client_id)?;
    let Some(link) = link_of(store, client_id)? else {
        return Err(Error::AlreadyDone(format!(
            "\u{201c}{}\u{201d} isn't linked to a Xero contact.",
            client.details.display_name
        )));
    };
    store.write(source, |tx| {
        tx.execute(
            "DELETE FROM xero_links WHERE tenant_id = ?1 AND client_id = ?2",
            params![tenant, client_id],
        )?;
        tx.log(
            "client",
            client_id,
            "xero_unlink",
            &serde_json::json!({ "tenant_id": tenant, "contact_id": link.contact_id }),
        )
    })
}

/// What Xero says about linked contacts, applied to their links inside the pull's transaction:
/// an archived contact marks its link archived (the client stays; a restored one is linked
/// again), and a contact merged into another moves the link to the one it was merged into —
/// unless that one is linked to another client, which goes to the review list.
pub(super) fn follow_contacts(
    tx: &crate::store::Tx<'_>,
    tenant: &str,
    contacts: &[scopebook_xero::models::Contact],
) -> Result<()> {
    for contact in contacts {
        let Some(contact_id) = contact.contact_id.as_deref() else {
            continue;
        };
        let linked: Option<(i64, i64, LinkState)> = tx
            .query_row(
                "SELECT id, client_id, state FROM xero_links WHERE tenant_id = ?1 AND contact_id = ?2",
                params![tenant, contact_id],
                |r| Ok((r.get("id")?, r.get("client_id")?, r.get("state")?)),
            )
            .optional()?;
        let Some((link_id, client_id, state)) = linked else {
            continue;
        };
        if let Some(into) = contact
            .merged_to_contact_id
            .as_deref()
            .filter(|into| !into.is_empty() && *into != contact_id)
        {
            let taken: Option<i64> = tx
                .query_row(
                    "SELECT client_id FROM xero_links WHERE tenant_id = ?1 AND contact_id = ?2",
                    params![tenant, into],
                    |r| r.get(0),
                )
                .optional()?;
            match taken {
                None => {
                    imaged(
                        tx,
                        "xero_links",
                        Some(link_id),
                        ("client", client_id, "xero_link_merged"),
                        serde_json::json!({ "from": contact_id, "to": into }),
                        |tx| {
                            tx.execute(
                                // A new contact: what the old one agreed on says nothing of it,
                                // so the next sync starts the base afresh.
                                "UPDATE xero_links SET contact_id = ?2, state = 'linked',
                                synced_fields = NULL, synced_at = NULL WHERE id = ?1",
                                params![link_id, into],
                            )?;
                            Ok(link_id)
                        },
                    )?;
                }
                Some(other) if other != client_id => {
                    super::mirror::open_review(
                        tx,
                        tenant,
                        client_id,
                        Some(contact_id),
                        super::ReviewKind::ContactMerged,
                        serde_json::json!({ "merged_into": into, "linked_to_client": other }),
                    )?;
                }
                Some(_) => {}
            }
            continue;
        }
        let archived = contact.contact_status.as_deref() == Some("ARCHIVED");
        let next = if archived {
            LinkState::ArchivedInXero
        } else {
            LinkState::Linked
        };
        if next != state {
            let action = if archived {
                "xero_contact_archived"
            } else {
                "xero_contact_restored"
            };
            imaged(
                tx,
                "xero_links",
                Some(link_id),
                ("client", client_id, action),
                serde_json::json!({ "contact_id": contact_id }),
                |tx| {
                    tx.execute(
                        "UPDATE xero_links SET state = ?2 WHERE id = ?1",
                        params![link_id, next],
                    )?;
                    Ok(link_id)
                },
            )?;
            if archived {
                super::mirror::open_review(
                    tx,
                    tenant,
                    client_id,
                    Some(contact_id),
                    super::ReviewKind::ContactArchived,
                    serde_json::json!({}),
                )?;
            }
        }
    }
    Ok(())
}
