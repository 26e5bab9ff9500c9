//! Posting a voided invoice again — only when the bookkeeper asks for it: a new invoice in the
//! outbox (the next number for that client and month, its own Reference), sent by the next run.

use rusqlite::{OptionalExtension, params};

use super::adjustments::next_invoice_seq;
use super::plan::numbered_reference;
use super::posting::{OutboxInvoice, outbox};
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::store::{Source, Store};

/// The outbox row of the invoice to post again.
struct Voided {
    month: String,
    client_id: i64,
    plan_seq: u32,
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
            "SELECT month, client_id, plan_seq, reference, contact_id, invoice, total, xero_status
             FROM outbox WHERE id = ?1 AND tenant_id = ?2",
            params![outbox_id, tenant],
            |r| {
                Ok(Voided {
                    month: r.get(0)?,
                    client_id: r.get(1)?,
                    plan_seq: r.get(2)?,
                    reference: r.get(3)?,
                    contact_id: r.get(4)?,
                    invoice: r.get(5)?,
                    total: r.get(6)?,
                    status: r.get(7)?,
                })
            },
        )
        .optional()?;
    let Some(Voided {
        month,
        client_id,
        plan_seq,
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
    let mut body: serde_json::Value = serde_json::from_str(&invoice).map_err(|e| {
        Error::io(
            format!("The outbox copy of {reference} can't be read"),
            std::io::Error::other(e),
        )
    })?;
    let base = reference
        .rsplit_once(" (")
        .map_or(reference.as_str(), |(b, _)| b)
        .to_string();
    let id = store.write(Source::User, |tx| {
        let seq = next_invoice_seq(tx, &month, client_id)?;
        let new_reference = numbered_reference(&base, seq);
        body["Reference"] = serde_json::Value::from(new_reference.clone());
        tx.execute(
            "INSERT INTO outbox (tenant_id, month, client_id, seq, plan_seq, reference, contact_id,
                invoice, total, state, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10)",
            params![
                tenant,
                month,
                client_id,
                seq,
                plan_seq,
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
