//! The one place a proposal changes status. The user's buttons ([`change_status`]), emailing
//! (marks a draft sent), price increases (accept an amendment) and acceptance all go through
//! [`apply_action`], inside the caller's transaction, so the rules can't drift apart.

use chrono::Datelike;
use rusqlite::params;
use serde_json::json;

use super::terms::{self, ProposalAction, ProposalStatus};
use super::{Proposal, get_proposal};
use crate::clients;
use crate::error::{Error, Result};
use crate::store::{Source, Store, Tx};

/// Who accepted, which option they chose (when the proposal offers options) and which optional
/// lines (acceptance only).
#[derive(Debug, Clone, Copy, Default)]
pub struct Acceptance<'a> {
    pub accepted_by: &'a str,
    pub chosen_option: Option<u8>,
    pub chosen_lines: &'a [i64],
}

/// Moves proposal `id` by `action` inside `tx` and logs it; returns the new status.
///
/// Accepting makes the prospect a client, records the chosen optional lines, and supersedes
/// the accepted version this one amends.
pub(crate) fn apply_action(
    tx: &Tx<'_>,
    id: i64,
    action: ProposalAction,
    acceptance: Acceptance<'_>,
    detail: serde_json::Value,
) -> Result<ProposalStatus> {
    let (from, client_id, supersedes, effective_from): (
        ProposalStatus,
        i64,
        Option<i64>,
        Option<String>,
    ) = tx
        .query_row(
            "SELECT status, client_id, supersedes_id, effective_from FROM proposals WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get("status")?,
                    r.get("client_id")?,
                    r.get("supersedes_id")?,
                    r.get("effective_from")?,
                ))
            },
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                entity: "proposal",
                id,
            },
            other => other.into(),
        })?;
    let next = terms::transition(from, action).map_err(|m| Error::invalid("status", m))?;
    let now = crate::now();
    match action {
        ProposalAction::Send => {
            tx.execute(
                "UPDATE proposals SET status = ?2, sent_at = ?3, updated_at = ?3 WHERE id = ?1",
                params![id, next, now],
            )?;
        }
        ProposalAction::Accept => {
            let accepted_by = acceptance.accepted_by.trim();
            if accepted_by.is_empty() {
                return Err(Error::invalid(
                    "accepted_by",
                    "Enter who accepted the proposal, as they signed.",
                ));
            }
            let options: u8 = tx.query_row(
                "SELECT json_array_length(options) FROM proposals WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            match acceptance.chosen_option {
                None if options > 0 => {
                    return Err(Error::invalid(
                        "chosen_option",
                        "Choose the option the client accepted.",
                    ));
                }
                Some(option) if option == 0 || option > options => {
                    return Err(Error::invalid(
                        "chosen_option",
                        "Choose one of the proposal's options.",
                    ));
                }
                _ => {}
            }
            tx.execute(
                "UPDATE proposals SET status = ?2, accepted_at = ?3, accepted_by = ?4, decided_at = ?3,
                    updated_at = ?3, chosen_option = ?5 WHERE id = ?1",
                params![id, next, now, accepted_by, acceptance.chosen_option],
            )?;
            // Billing that starts on acceptance (or free months after it) moves every line that
            // would start earlier to that month.
            let (billing_start, free_months): (terms::BillingStart, u32) = tx.query_row(
                "SELECT billing_start, free_months FROM proposals WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if billing_start != terms::BillingStart::FromMonth {
                let this_month = chrono::Local::now()
                    .date_naive()
                    .with_day(1)
                    .unwrap_or_else(|| chrono::Local::now().date_naive());
                let first = this_month
                    .checked_add_months(chrono::Months::new(free_months))
                    .unwrap_or(this_month)
                    .format("%Y-%m")
                    .to_string();
                tx.execute(
                    "UPDATE proposal_lines SET start_month = ?2, anchor_month = ?2,
                        end_month = CASE WHEN end_month < ?2 THEN ?2 ELSE end_month END
                     WHERE proposal_id = ?1 AND start_month < ?2",
                    params![id, first],
                )?;
            }
            // The chosen option's lines, and the add-ons the client ticked; nothing else.
            tx.execute(
                "UPDATE proposal_lines SET chosen = CASE
                        WHEN option_no IS NULL THEN id IN (SELECT value FROM json_each(?2))
                        ELSE option_no IS ?3
                    END
                 WHERE proposal_id = ?1 AND optional",
                params![
                    id,
                    serde_json::to_string(acceptance.chosen_lines).unwrap_or_default(),
                    acceptance.chosen_option,
                ],
            )?;
            clients::make_client(tx, client_id)?;
            // The bands the proposal was priced at become the client's.
            let bands: (Option<i64>, Option<i64>) = tx.query_row(
                "SELECT COALESCE(p.band_1_id, c.band_1_id), COALESCE(p.band_2_id, c.band_2_id)
                 FROM proposals p JOIN clients c ON c.id = p.client_id WHERE p.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            crate::catalog::bands::write_client_bands(tx, client_id, [bands.0, bands.1])?;
            if let Some(previous) = supersedes {
                apply_action(
                    tx,
                    previous,
                    ProposalAction::Supersede,
                    Acceptance::default(),
                    json!({ "by": id, "from": effective_from }),
                )?;
            }
        }
        ProposalAction::Supersede => {
            tx.execute(
                "UPDATE proposals SET status = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, next, now],
            )?;
        }
        ProposalAction::Decline | ProposalAction::Expire | ProposalAction::Withdraw => {
            tx.execute(
                "UPDATE proposals SET status = ?2, decided_at = ?3, updated_at = ?3 WHERE id = ?1",
                params![id, next, now],
            )?;
        }
    }
    let mut detail = detail;
    if let Some(map) = detail.as_object_mut() {
        map.insert("from".into(), json!(from));
        if action == ProposalAction::Accept {
            map.insert("accepted_by".into(), json!(acceptance.accepted_by.trim()));
            map.insert("chosen_lines".into(), json!(acceptance.chosen_lines));
            map.insert("chosen_option".into(), json!(acceptance.chosen_option));
        }
    }
    tx.log("proposal", id, next.as_str(), &detail)?;
    Ok(next)
}

/// The user's status change; `accepted_by` and `chosen_lines` only matter for acceptance. A
/// proposal is superseded only by accepting its amendment.
pub fn change_status(
    store: &mut Store,
    id: i64,
    action: ProposalAction,
    accepted_by: Option<&str>,
    chosen_lines: &[i64],
) -> Result<Proposal> {
    change_status_choosing(store, id, action, accepted_by, None, chosen_lines)
}

/// [`change_status`], accepting with the option the client chose (1–3), which a proposal that
/// offers options needs.
pub fn change_status_choosing(
    store: &mut Store,
    id: i64,
    action: ProposalAction,
    accepted_by: Option<&str>,
    chosen_option: Option<u8>,
    chosen_lines: &[i64],
) -> Result<Proposal> {
    if action == ProposalAction::Supersede {
        return Err(Error::invalid(
            "status",
            "A proposal is superseded by accepting its amendment.",
        ));
    }
    store.write(Source::User, |tx| {
        apply_action(
            tx,
            id,
            action,
            Acceptance {
                accepted_by: accepted_by.unwrap_or(""),
                chosen_option,
                chosen_lines,
            },
            json!({}),
        )
    })?;
    get_proposal(store, id)
}

/// Marks sent proposals whose validity has passed as expired: an automatic step, logged with
/// the `system` source. The app runs it when the proposals list opens; the CLI before listing.
pub fn expire_overdue(store: &mut Store) -> Result<usize> {
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let overdue: Vec<i64> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM proposals WHERE status = 'sent' AND valid_until < ?1")?;
        stmt.query_map([&today], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    if overdue.is_empty() {
        return Ok(0);
    }
    store.write(Source::System, |tx| {
        for id in &overdue {
            apply_action(
                tx,
                *id,
                ProposalAction::Expire,
                Acceptance::default(),
                serde_json::json!({ "valid_until_before": today }),
            )?;
        }
        Ok(overdue.len())
    })
}
