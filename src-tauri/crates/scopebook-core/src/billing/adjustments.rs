//! A month's adjustments to a client's invoice, leaving its proposal alone: skip the client, hold
//! the invoice, add a one-off line, or change a line's description — each saved and logged.

use rusqlite::params;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Problems, Result};
use crate::money::{AmountError, parse_amount};
use crate::practice::require_practice;
use crate::proposals::terms::parse_month;
use crate::store::{Source, Store, optional_decimal_column};

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
}

/// The adjustments of invoice month `month`.
pub fn adjustments(store: &Store, month: &str) -> Result<Vec<Adjustment>> {
    let mut stmt = store.conn().prepare_cached(
        "SELECT id, month, client_id, kind, line_id, description, quantity, unit_amount,
                account_code, tax_type
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
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Saves an adjustment (checked field by field); a second skip, hold or description of the same
/// line replaces nothing and says so.
pub fn add_adjustment(store: &mut Store, draft: &AdjustmentDraft) -> Result<Adjustment> {
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
    problems.into_result()?;
    let id = store.write(Source::User, |tx| {
        let taken = tx.execute(
            "INSERT INTO billing_adjustments (month, client_id, kind, line_id, description,
                quantity, unit_amount, account_code, tax_type, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
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
                crate::now()
            ],
        )?;
        if taken == 0 {
            return Err(Error::AlreadyDone(
                "That client already has that change this month. Remove it first to change it."
                    .into(),
            ));
        }
        let id = tx.last_insert_rowid();
        tx.log(
            "billing_adjustment",
            id,
            "add",
            &serde_json::json!({
                "month": month, "client_id": draft.client_id, "kind": kind,
            }),
        )?;
        Ok(id)
    })?;
    adjustments(store, month)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(Error::NotFound {
            entity: "billing adjustment",
            id,
        })
}

/// Removes an adjustment (the month goes back to what the proposals say).
pub fn remove_adjustment(store: &mut Store, id: i64) -> Result<()> {
    store.write(Source::User, |tx| {
        let removed = tx.execute("DELETE FROM billing_adjustments WHERE id = ?1", [id])?;
        if removed == 0 {
            return Err(Error::AlreadyDone(
                "That change was already removed.".into(),
            ));
        }
        tx.log("billing_adjustment", id, "remove", &serde_json::json!({}))
    })
}
