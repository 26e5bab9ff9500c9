//! The local mirror of the organisation's contacts (what matching and the connections board
//! read, offline) and the review list.

use rusqlite::{OptionalExtension, params};
use scopebook_xero::models::Contact;
use serde::Serialize;
use ts_rs::TS;

use super::undo::imaged;
use crate::connection::require_tenant;
use crate::error::Result;
use crate::store::{Store, Tx};

/// A Xero contact as the mirror keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MirroredContact {
    pub contact_id: String,
    pub name: String,
    pub contact_number: Option<String>,
    pub account_number: Option<String>,
    pub tax_number: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    /// ACTIVE, ARCHIVED or GDPRREQUEST, as Xero says.
    pub status: String,
    pub is_customer: bool,
    pub is_supplier: bool,
    pub merged_to_contact_id: Option<String>,
    pub updated_date_utc: String,
}

/// The first phone Xero lists with a number, as one string.
fn phone_of(contact: &Contact) -> Option<String> {
    contact
        .phones
        .iter()
        .filter_map(|p| {
            let number = p.phone_number.as_deref()?.trim();
            if number.is_empty() {
                return None;
            }
            let parts = [
                p.phone_country_code.as_deref().unwrap_or(""),
                p.phone_area_code.as_deref().unwrap_or(""),
                number,
            ];
            Some(
                parts
                    .iter()
                    .filter(|s| !s.trim().is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })
        .next()
}

/// The postcode of the postal address, else of any address.
fn postcode_of(contact: &Contact) -> Option<String> {
    let postal = contact
        .addresses
        .iter()
        .find(|a| a.address_type.as_deref() == Some("POBOX"));
    postal
        .into_iter()
        .chain(contact.addresses.iter())
        .filter_map(|a| a.postal_code.clone())
        .find(|p| !p.trim().is_empty())
}

/// A contact as Xero sent it, as the mirror keeps it (`None` without a ContactID). A contact
/// without `UpdatedDateUTC` counts as updated `now`.
pub(super) fn mirrored_from(contact: &Contact, now: &str) -> Option<MirroredContact> {
    Some(MirroredContact {
        contact_id: contact.contact_id.clone()?,
        name: contact.name.clone(),
        contact_number: contact.contact_number.clone(),
        account_number: contact.account_number.clone(),
        tax_number: contact.tax_number.clone(),
        email: contact.email_address.clone(),
        first_name: contact.first_name.clone(),
        last_name: contact.last_name.clone(),
        phone: phone_of(contact),
        postcode: postcode_of(contact),
        status: contact
            .contact_status
            .clone()
            .unwrap_or_else(|| "ACTIVE".to_string()),
        is_customer: contact.is_customer.unwrap_or(false),
        is_supplier: contact.is_supplier.unwrap_or(false),
        merged_to_contact_id: contact.merged_to_contact_id.clone(),
        updated_date_utc: contact
            .updated_date_utc
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_else(|| now.to_string()),
    })
}

/// Keeps `contacts` (as Xero sent them) in the mirror of `tenant`, inside the caller's
/// transaction; returns how many were new or changed (a contact whose `UpdatedDateUTC` is the
/// one kept already is left alone), with one change record for them all. Contacts without an
/// id are skipped.
pub fn save_contacts(tx: &Tx<'_>, tenant: &str, contacts: &[Contact]) -> Result<usize> {
    let now = crate::now();
    let mut saved = 0;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO xero_contacts (tenant_id, contact_id, name, contact_number, account_number,
                tax_number, email, first_name, last_name, phone, postcode, status, is_customer,
                is_supplier, merged_to_contact_id, updated_date_utc, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
             ON CONFLICT (tenant_id, contact_id) DO UPDATE SET
                name = excluded.name, contact_number = excluded.contact_number,
                account_number = excluded.account_number, tax_number = excluded.tax_number,
                email = excluded.email, first_name = excluded.first_name,
                last_name = excluded.last_name, phone = excluded.phone,
                postcode = excluded.postcode, status = excluded.status,
                is_customer = excluded.is_customer, is_supplier = excluded.is_supplier,
                merged_to_contact_id = excluded.merged_to_contact_id,
                updated_date_utc = excluded.updated_date_utc, fetched_at = excluded.fetched_at
             WHERE excluded.updated_date_utc IS NOT xero_contacts.updated_date_utc",
        )?;
        for contact in contacts.iter().filter_map(|c| mirrored_from(c, &now)) {
            saved += stmt.execute(params![
                tenant,
                contact.contact_id,
                contact.name,
                contact.contact_number,
                contact.account_number,
                contact.tax_number,
                contact.email,
                contact.first_name,
                contact.last_name,
                contact.phone,
                contact.postcode,
                contact.status,
                contact.is_customer,
                contact.is_supplier,
                contact.merged_to_contact_id,
                contact.updated_date_utc,
                now,
            ])?;
        }
    }
    if saved > 0 {
        tx.log(
            "xero_contacts",
            0,
            "pulled",
            &serde_json::json!({ "tenant_id": tenant, "contacts": saved }),
        )?;
    }
    Ok(saved)
}

fn contact_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MirroredContact> {
    Ok(MirroredContact {
        contact_id: r.get("contact_id")?,
        name: r.get("name")?,
        contact_number: r.get("contact_number")?,
        account_number: r.get("account_number")?,
        tax_number: r.get("tax_number")?,
        email: r.get("email")?,
        first_name: r.get("first_name")?,
        last_name: r.get("last_name")?,
        phone: r.get("phone")?,
        postcode: r.get("postcode")?,
        status: r.get("status")?,
        is_customer: r.get("is_customer")?,
        is_supplier: r.get("is_supplier")?,
        merged_to_contact_id: r.get("merged_to_contact_id")?,
        updated_date_utc: r.get("updated_date_utc")?,
    })
}

/// Every mirrored contact of `tenant`, by name.
pub(super) fn all_mirrored(store: &Store, tenant: &str) -> Result<Vec<MirroredContact>> {
    let mut stmt = store.conn().prepare(
        "SELECT * FROM xero_contacts WHERE tenant_id = ?1 ORDER BY lower(name), contact_id",
    )?;
    let rows = stmt.query_map([tenant], contact_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A contact of the organisation connected now, as the mirror has it.
pub fn mirrored_contact(store: &Store, contact_id: &str) -> Result<Option<MirroredContact>> {
    let tenant = require_tenant(store)?;
    mirrored_in(store.conn(), &tenant, contact_id)
}

/// A contact of `tenant` as the mirror has it, through any connection.
pub(super) fn mirrored_in(
    conn: &rusqlite::Connection,
    tenant: &str,
    contact_id: &str,
) -> Result<Option<MirroredContact>> {
    Ok(conn
        .query_row(
            "SELECT * FROM xero_contacts WHERE tenant_id = ?1 AND contact_id = ?2",
            params![tenant, contact_id],
            contact_from_row,
        )
        .optional()?)
}

crate::db_enum! {
    /// Why something waits for the bookkeeper's decision.
    #[ts(export)]
    pub enum ReviewKind: "review reason" {
        /// Several Xero contacts could be this client (or one contact several clients).
        AmbiguousMatch = "ambiguous_match",
        /// A field changed on both sides since the last sync.
        Conflict = "conflict",
        /// The linked contact was archived in Xero.
        ContactArchived = "contact_archived",
        /// The linked contact was merged into another in Xero.
        ContactMerged = "contact_merged",
    }
}

/// One open item of the review list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ReviewItem {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: ReviewKind,
    #[ts(type = "number | null")]
    pub client_id: Option<i64>,
    pub client_name: Option<String>,
    pub contact_id: Option<String>,
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
    pub created_at: String,
}

/// What needs a decision in the organisation connected now, oldest first.
pub fn open_reviews(store: &Store) -> Result<Vec<ReviewItem>> {
    let tenant = require_tenant(store)?;
    let mut stmt = store.conn().prepare(
        "SELECT r.id, r.kind, r.client_id, c.display_name AS client_name, r.contact_id, r.detail,
                r.created_at
         FROM xero_review r LEFT JOIN clients c ON c.id = r.client_id
         WHERE r.tenant_id = ?1 AND r.resolved_at IS NULL ORDER BY r.id",
    )?;
    let rows = stmt.query_map([&tenant], |r| {
        Ok(ReviewItem {
            id: r.get("id")?,
            kind: r.get("kind")?,
            client_id: r.get("client_id")?,
            client_name: r.get("client_name")?,
            contact_id: r.get("contact_id")?,
            detail: crate::store::json_column(r, "detail")?,
            created_at: r.get("created_at")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds an item to the client's review list (logged with its image, so undoing the batch takes
/// it back). When the same kind is open for the client and contact already, its detail is
/// brought up to date instead. Returns whether a new item was opened.
pub(super) fn open_review(
    tx: &Tx<'_>,
    tenant: &str,
    client_id: i64,
    contact_id: Option<&str>,
    kind: ReviewKind,
    detail: serde_json::Value,
) -> Result<bool> {
    let open: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, detail FROM xero_review WHERE tenant_id = ?1 AND client_id = ?2
                AND contact_id IS ?3 AND kind = ?4 AND resolved_at IS NULL",
            params![tenant, client_id, contact_id, kind],
            |r| Ok((r.get("id")?, r.get("detail")?)),
        )
        .optional()?;
    let detail_text = detail.to_string();
    let logged = serde_json::json!({ "kind": kind, "contact_id": contact_id });
    match open {
        Some((_, same)) if same == detail_text => Ok(false),
        Some((id, _)) => {
            imaged(
                tx,
                "xero_review",
                Some(id),
                ("client", client_id, "xero_review_updated"),
                logged,
                |tx| {
                    tx.execute(
                        "UPDATE xero_review SET detail = ?2 WHERE id = ?1",
                        params![id, detail_text],
                    )?;
                    Ok(id)
                },
            )?;
            Ok(false)
        }
        None => {
            imaged(
                tx,
                "xero_review",
                None,
                ("client", client_id, "xero_review"),
                logged,
                |tx| {
                    tx.execute(
                        "INSERT INTO xero_review (tenant_id, client_id, contact_id, kind, detail,
                        created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            tenant,
                            client_id,
                            contact_id,
                            kind,
                            detail_text,
                            crate::now()
                        ],
                    )?;
                    Ok(tx.last_insert_rowid())
                },
            )?;
            Ok(true)
        }
    }
}

/// Closes the client's open review items of `kind` (all kinds when `None`), each logged with
/// its image. Returns how many were closed.
pub(super) fn close_reviews(
    tx: &Tx<'_>,
    tenant: &str,
    client_id: i64,
    kind: Option<ReviewKind>,
) -> Result<u32> {
    let ids: Vec<i64> = tx
        .prepare(
            "SELECT id FROM xero_review WHERE tenant_id = ?1 AND client_id = ?2
                AND resolved_at IS NULL AND (?3 IS NULL OR kind = ?3)",
        )?
        .query_map(params![tenant, client_id, kind], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for &id in &ids {
        imaged(
            tx,
            "xero_review",
            Some(id),
            ("client", client_id, "xero_review_resolved"),
            serde_json::json!({ "review": id }),
            |tx| {
                tx.execute(
                    "UPDATE xero_review SET resolved_at = ?2 WHERE id = ?1",
                    params![id, crate::now()],
                )?;
                Ok(id)
            },
        )?;
    }
    Ok(ids.len() as u32)
}
