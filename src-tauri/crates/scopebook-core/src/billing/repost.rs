//! Posting a voided invoice again — only when the bookkeeper asks for it: a new invoice in the
//! outbox (the next number for that client and month, its own Reference), sent by the next run.

use rusqlite::{OptionalExtension, params};

use super::posting::{OutboxInvoice, outbox};
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::store::{Source, Store};

/// The outbox row of the invoice to post again.
struct Voided {
    month: String,
    client_id: i64,
    reference: String,
    contact_id: String,
    invoice: String,
    total: String,
    status: Option<String>,
}

/// Queues a new copy of a posted invoice that was voided or deleted in Xero. Refused for an
/// invoice Xero still holds (it would be a duplicate).
pub fn repost_voided(store: &mut Store, outbox_id: i64) -> Result<OutboxInvoice> {
    let tenant = require_tenant(store)?;
    let row: Option<Voided> = store
        .conn()
        .query_row(
            "SELECT month, client_id, reference, contact_id, invoice, total, xero_status
             FROM outbox WHERE id = ?1 AND tenant_id = ?2",
            params![outbox_id, tenant],
            |r| {
                Ok(Voided {
                    month: r.get(0)?,
                    client_id: r.get(1)?,
                    reference: r.get(2)?,
                    contact_id: r.get(3)?,
                    invoice: r.get(4)?,
                    total: r.get(5)?,
                    status: r.get(6)?,
                })
            },
        )
        .optional()?;
    let Some(Voided {
        month,
        client_id,
        reference,
        contact_id,
        invoice,
        total,
        status,
    }) = row
    else {
        return Err(Error::NotFound {
            entity: "posted invoice",
            id: outbox_id,
        });
    };
    if !matches!(status.as_deref(), Some("VOIDED" | "DELETED")) {
        return Err(Error::invalid(
            "invoice",
            format!(
                "{reference} is still in Xero ({}): posting it again would bill the client twice. \
                 Void it in Xero first.",
                status.as_deref().unwrap_or("not posted yet").to_lowercase()
            ),
        ));
    }
    let seq: i64 = store.conn().query_row(
        "SELECT max(seq) + 1 FROM outbox WHERE tenant_id = ?1 AND month = ?2 AND client_id = ?3",
        params![tenant, month, client_id],
        |r| r.get(0),
    )?;
    let base = reference
        .rsplit_once(" (")
        .map_or(reference.as_str(), |(b, _)| b);
    let new_reference = format!("{base} ({seq})");
    let mut body: serde_json::Value = serde_json::from_str(&invoice).unwrap_or_default();
    body["Reference"] = serde_json::Value::from(new_reference.clone());
    let id = store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO outbox (tenant_id, month, client_id, seq, reference, contact_id, invoice,
                total, state, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9)",
            params![
                tenant,
                month,
                client_id,
                seq,
                new_reference,
                contact_id,
                body.to_string(),
                total,
                crate::now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.log(
            "outbox",
            id,
            "repost",
            &serde_json::json!({ "voided": outbox_id, "reference": new_reference }),
        )?;
        Ok(id)
    })?;
    outbox(store, &month)?
        .into_iter()
        .find(|i| i.id == id)
        .ok_or(Error::NotFound {
            entity: "posted invoice",
            id,
        })
}
