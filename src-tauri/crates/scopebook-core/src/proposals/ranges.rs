//! Price ranges after acceptance: a line agreed as an estimate ("$400–$600") is billed only once
//! the firm confirms its price, within the range the client agreed.

use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;

use super::terms::ProposalStatus;
use super::{Proposal, get_proposal};
use crate::error::{Error, Result};
use crate::money::{format_money, parse_amount};
use crate::practice::require_practice;
use crate::store::{Source, Store, decimal_column, optional_decimal_column};

/// A line as confirming reads it: its proposal, name, price (a range's lower end), the range's
/// upper end, and the price confirmed so far.
type RangeLine = (i64, String, Decimal, Option<Decimal>, Option<Decimal>);

/// Confirms the price per billing period of range line `line_id` of an accepted proposal:
/// `price`, typed in the practice's number format, from the range's lower to its upper end.
/// From then on the line is billed at it (a correction is confirmed the same way).
pub fn confirm_line_price(store: &mut Store, line_id: i64, price: &str) -> Result<Proposal> {
    let practice = require_practice(store)?;
    let (currency, numbers) = (practice.currency(), practice.number_format());
    let line: Option<RangeLine> = store
        .conn()
        .query_row(
            "SELECT proposal_id, name, price, price_high, confirmed_price FROM proposal_lines
             WHERE id = ?1",
            [line_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    decimal_column(r, 2)?,
                    optional_decimal_column(r, "price_high")?,
                    optional_decimal_column(r, "confirmed_price")?,
                ))
            },
        )
        .optional()?;
    let Some((proposal_id, name, low, high, before)) = line else {
        return Err(Error::NotFound {
            entity: "proposal line",
            id: line_id,
        });
    };
    let Some(high) = high else {
        return Err(Error::invalid(
            "price",
            format!("\u{201c}{name}\u{201d} has a set price; there is nothing to confirm."),
        ));
    };
    let proposal = get_proposal(store, proposal_id)?;
    if proposal.status != ProposalStatus::Accepted {
        return Err(Error::invalid(
            "price",
            "A price is confirmed once the client has accepted the proposal.",
        ));
    }
    let range = format!(
        "{} to {}",
        format_money(low, currency, numbers),
        format_money(high, currency, numbers)
    );
    let confirmed = match parse_amount(price, numbers) {
        Ok(amount) if amount.scale() <= currency.places => amount,
        Ok(_) => {
            return Err(Error::invalid(
                "price",
                format!("Use at most {} decimal places.", currency.places),
            ));
        }
        Err(error) => {
            return Err(Error::invalid(
                "price",
                format!("{error} Enter the price, from {range}."),
            ));
        }
    };
    if confirmed < low || confirmed > high {
        return Err(Error::invalid(
            "price",
            format!(
                "The client agreed to {range}: confirm a price in that range, or make an amendment to charge more."
            ),
        ));
    }
    store.write(Source::User, |tx| {
        tx.execute(
            "UPDATE proposal_lines SET confirmed_price = ?2, confirmed_at = ?3 WHERE id = ?1",
            params![line_id, confirmed.to_string(), crate::now()],
        )?;
        tx.log(
            "proposal",
            proposal_id,
            "price_confirmed",
            &serde_json::json!({
                "line_id": line_id,
                "service": name,
                "before": before,
                "after": confirmed,
            }),
        )
    })?;
    get_proposal(store, proposal_id)
}
