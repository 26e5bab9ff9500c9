//! A month's adjustments to a client's invoice, leaving its proposal alone: skip the client, hold
//! the invoice, add a one-off line, or change a line's description — each saved and logged.

use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Problems, Result};
use crate::money::{AmountError, parse_amount};
use crate::practice::require_practice;
use crate::proposals::terms::parse_month;
use crate::store::{Source, Store, Tx, optional_decimal_column};

crate::db_enum! {
    #[ts(export)]
    pub enum AdjustmentKind: "billing adjustment" {
        /// No invoice for the client this month.
        Skip = "skip",
        /// The invoice is kept but not posted until the hold is removed.
        Hold = "hold",
        /// A one-off line on this month's invoice.
        ExtraLine = "extra_line",
        /// A proposal line described differently this month.
        Description = "description",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Adjustment {
    #[ts(type = "number")]
    pub id: i64,
    pub month: String,
    #[ts(type = "number")]
    pub client_id: i64,
    pub kind: AdjustmentKind,
    #[ts(type = "number | null")]
    pub line_id: Option<i64>,
    pub description: String,
    #[ts(as = "Option<String>")]
    pub quantity: Option<Decimal>,
    #[ts(as = "Option<String>")]
    pub unit_amount: Option<Decimal>,
    pub account_code: String,
    pub tax_type: String,
    /// The invoice it changes: 1 the month's invoice; 2, 3, … a separate one (an added line only).
    pub invoice_seq: u32,
}

/// Which invoice an added line goes on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OnInvoice {
    /// The client's invoice for the month.
    #[default]
    Month,
    /// A new invoice beside it, posted separately with its own Reference.
    Separate,
    /// A separate invoice already started this month (its number).
    Existing(u32),
}

/// An adjustment as typed: amounts as text in the practice's locale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct AdjustmentDraft {
    pub month: String,
    #[ts(type = "number")]
    pub client_id: i64,
    pub kind: Option<AdjustmentKind>,
    #[ts(type = "number | null")]
    pub line_id: Option<i64>,
    pub description: String,
    pub quantity: String,
    pub unit_amount: String,
    pub account_code: String,
    pub tax_type: String,
    #[serde(default)]
    pub invoice: OnInvoice,
}

/// The next invoice number free for `client_id` in `month`: past every number its outbox rows
/// (any organisation) and its separate invoices already use. The one place numbers are taken.
pub(crate) fn next_invoice_seq(
    conn: &rusqlite::Connection,
    month: &str,
    client_id: i64,
) -> Result<u32> {
    Ok(conn.query_row(
        "SELECT max(1,
            (SELECT coalesce(max(seq), 0) FROM outbox WHERE month = ?1 AND client_id = ?2),
            (SELECT coalesce(max(invoice_seq), 0) FROM billing_adjustments
                WHERE month = ?1 AND client_id = ?2)) + 1",
        params![month, client_id],
        |r| r.get(0),
    )?)
}

/// How invoice `seq` of `client_id`'s `month` reads in Xero ("INV-0042", or its Reference while
/// Xero's answer is awaited) once it has been sent: from then on it is changed in Xero, not here.
fn sent_as(
    conn: &rusqlite::Connection,
    month: &str,
    client_id: i64,
    seq: u32,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT coalesce(invoice_number, reference) FROM outbox
             WHERE month = ?1 AND client_id = ?2 AND plan_seq = ?3
                AND state IN ('sending', 'posted', 'uncertain')
             ORDER BY seq DESC LIMIT 1",
            params![month, client_id, seq],
            |r| r.get(0),
        )
        .optional()?)
}

fn already_sent(number: &str) -> Error {
    Error::invalid(
        "invoice",
        format!(
            "That invoice is already in Xero as {number}: change it there, or add the line on a \
             separate invoice."
        ),
    )
}

/// The adjustments of invoice month `month`.
pub fn adjustments(store: &Store, month: &str) -> Result<Vec<Adjustment>> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, month, client_id, kind, line_id, description, quantity, unit_amount,
                account_code, tax_type, invoice_seq
         FROM billing_adjustments WHERE month = ?1 ORDER BY client_id, id",
    )?;
    let rows = stmt.query_map([month], |r| {
        Ok(Adjustment {
            id: r.get("id")?,
            month: r.get("month")?,
            client_id: r.get("client_id")?,
            kind: r.get("kind")?,
            line_id: r.get("line_id")?,
            description: r.get("description")?,
            quantity: optional_decimal_column(r, "quantity")?,
            unit_amount: optional_decimal_column(r, "unit_amount")?,
            account_code: r.get("account_code")?,
            tax_type: r.get("tax_type")?,
            invoice_seq: r.get("invoice_seq")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Saves an adjustment (checked field by field); a second skip, hold or description of the same
/// line replaces nothing and says so.
pub fn add_adjustment(store: &mut Store, draft: &AdjustmentDraft) -> Result<Adjustment> {
    let checked = check_adjustment(store, draft)?;
    let id = store.write(Source::User, |tx| write_adjustment(tx, &checked))?;
    adjustments(store, &checked.month)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(Error::NotFound {
            entity: "billing adjustment",
            id,
        })
}

/// An adjustment that passed every check, ready to be written.
pub(crate) struct CheckedAdjustment {
    month: String,
    kind: AdjustmentKind,
    quantity: Option<Decimal>,
    unit_amount: Option<Decimal>,
    draft: AdjustmentDraft,
}

/// Checks an adjustment field by field (reads only).
pub(crate) fn check_adjustment(
    store: &Store,
    draft: &AdjustmentDraft,
) -> Result<CheckedAdjustment> {
    let practice = require_practice(store)?;
    let format = practice.number_format();
    let mut problems = Problems::new();
    let month = draft.month.trim();
    if parse_month(month).is_none() {
        problems.add("month", "Choose the month, as YYYY-MM.");
    }
    crate::clients::get_client(store, draft.client_id)?;
    let Some(kind) = draft.kind else {
        problems.add("kind", "Choose what to change this month.");
        return Err(Error::Invalid(problems));
    };
    let amount = |text: &str, field: &str, problems: &mut Problems| -> Option<Decimal> {
        match parse_amount(text, format) {
            Ok(value) => Some(value),
            Err(AmountError::Empty) => {
                problems.add(field, "Enter an amount.");
                None
            }
            Err(e) => {
                problems.add(field, e.to_string());
                None
            }
        }
    };
    let (mut quantity, mut unit_amount) = (None, None);
    match kind {
        AdjustmentKind::ExtraLine => {
            if draft.description.trim().is_empty() {
                problems.add(
                    "description",
                    "Describe the line, as the client will read it.",
                );
            }
            quantity = if draft.quantity.trim().is_empty() {
                Some(Decimal::ONE)
            } else {
                amount(&draft.quantity, "quantity", &mut problems)
            };
            if quantity.is_some_and(|q| q <= Decimal::ZERO) {
                problems.add("quantity", "The quantity must be more than zero.");
            }
            unit_amount = amount(&draft.unit_amount, "unit_amount", &mut problems);
        }
        AdjustmentKind::Description => {
            if draft.line_id.is_none() {
                problems.add("line_id", "Choose the line to describe.");
            }
            if draft.description.trim().is_empty() {
                problems.add("description", "Enter the description for this month.");
            }
        }
        AdjustmentKind::Skip | AdjustmentKind::Hold => {}
    }
    if kind != AdjustmentKind::ExtraLine && draft.invoice != OnInvoice::Month {
        problems.add(
            "invoice",
            "Only an added line can go on a separate invoice: skipping, holding and descriptions \
             change the month's invoice.",
        );
    }
    problems.into_result()?;
    Ok(CheckedAdjustment {
        month: month.to_string(),
        kind,
        quantity,
        unit_amount,
        draft: draft.clone(),
    })
}

/// Writes a checked adjustment in `tx` (with its change record); its id. Refused for an invoice
/// already in Xero, and for a second skip, hold or description of the same thing.
pub(crate) fn write_adjustment(tx: &Tx<'_>, checked: &CheckedAdjustment) -> Result<i64> {
    let CheckedAdjustment {
        month,
        kind,
        quantity,
        unit_amount,
        draft,
    } = checked;
    let (month, kind, quantity, unit_amount) = (month.as_str(), *kind, *quantity, *unit_amount);
    let invoice_seq = match draft.invoice {
        OnInvoice::Month => 1,
        OnInvoice::Separate => next_invoice_seq(tx, month, draft.client_id)?,
        OnInvoice::Existing(seq) => {
            let started: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM billing_adjustments
                        WHERE month = ?1 AND client_id = ?2 AND invoice_seq = ?3)",
                params![month, draft.client_id, seq],
                |r| r.get(0),
            )?;
            if seq < 2 || !started {
                return Err(Error::invalid(
                    "invoice",
                    format!("There is no separate invoice {seq} for this client in {month}."),
                ));
            }
            seq
        }
    };
    if let Some(number) = sent_as(tx, month, draft.client_id, invoice_seq)? {
        return Err(already_sent(&number));
    }
    let taken = tx.execute(
        "INSERT INTO billing_adjustments (month, client_id, kind, line_id, description,
                quantity, unit_amount, account_code, tax_type, created_at, invoice_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT DO NOTHING",
        params![
            month,
            draft.client_id,
            kind,
            (kind == AdjustmentKind::Description)
                .then_some(draft.line_id)
                .flatten(),
            draft.description.trim(),
            quantity.map(|q| q.to_string()),
            unit_amount.map(|u| u.to_string()),
            draft.account_code.trim(),
            draft.tax_type.trim(),
            crate::now(),
            invoice_seq
        ],
    )?;
    if taken == 0 {
        return Err(Error::AlreadyDone(
            "That client already has that change this month. Remove it first to change it.".into(),
        ));
    }
    let id = tx.last_insert_rowid();
    tx.log(
        "billing_adjustment",
        id,
        "add",
        &serde_json::json!({
            "month": month, "client_id": draft.client_id, "kind": kind,
            "invoice_seq": invoice_seq,
        }),
    )?;
    Ok(id)
}

/// Removes an adjustment (the month goes back to what the proposals say).
pub fn remove_adjustment(store: &mut Store, id: i64) -> Result<()> {
    store.write(Source::User, |tx| {
        let target: Option<(String, i64, u32)> = tx
            .query_row(
                "SELECT month, client_id, invoice_seq FROM billing_adjustments WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((month, client_id, seq)) = target
            && let Some(number) = sent_as(tx, &month, client_id, seq)?
        {
            return Err(Error::invalid(
                "invoice",
                format!("That invoice is already in Xero as {number}: change it there."),
            ));
        }
        let removed = tx.execute("DELETE FROM billing_adjustments WHERE id = ?1", [id])?;
        if removed == 0 {
            return Err(Error::AlreadyDone(
                "That change was already removed.".into(),
            ));
        }
        tx.log("billing_adjustment", id, "remove", &serde_json::json!({}))
    })
}
