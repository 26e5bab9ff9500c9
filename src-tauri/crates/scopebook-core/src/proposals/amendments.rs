//! New versions and copies: an accepted proposal is amended by a new version that supersedes
//! it from a month (history kept); any proposal can be duplicated as a new draft.

use super::*;

/// A copy as a new draft with a new number (for the same or another client).
pub fn duplicate_proposal(store: &mut Store, id: i64, client_id: Option<i64>) -> Result<Proposal> {
    let original = get_proposal(store, id)?;
    let mut draft = original.draft();
    if let Some(client) = client_id {
        draft.client_id = client;
    }
    let blank = blank_proposal(store, draft.client_id)?;
    draft.valid_until = blank.valid_until;
    // For another client: priced at that client's bands.
    if draft.client_id != original.client_id {
        draft.band_1_id = blank.band_1_id;
        draft.band_2_id = blank.band_2_id;
    }
    let mut lines = validate(store, &draft, &original.lines)?;
    // A new engagement: each line's cycle starts with it.
    for line in &mut lines {
        line.anchor_month = line.start_month.clone();
    }
    let new_id = store.write(Source::User, |tx| {
        let number = next_number(tx)?;
        insert(tx, &number, 1, &draft, None, None)?;
        let new_id = tx.last_insert_rowid();
        write_lines(tx, new_id, &lines)?;
        tx.log(
            "proposal",
            new_id,
            "duplicate",
            &serde_json::json!({ "from": original.label() }),
        )?;
        Ok(new_id)
    })?;
    get_proposal(store, new_id)
}

/// Starts an amendment of an accepted proposal: a new version (a draft) that will supersede it
/// from `effective_from` (`YYYY-MM`) once accepted. History is kept.
pub fn amend_proposal(store: &mut Store, id: i64, effective_from: &str) -> Result<Proposal> {
    amend_with(store, id, effective_from, |_| Ok(()), |_, _| Ok(()))
}

/// [`amend_proposal`], with the new version's draft changed by `change` before it is checked,
/// and `also` written in the same transaction (given the new version's id).
pub(crate) fn amend_with(
    store: &mut Store,
    id: i64,
    effective_from: &str,
    change: impl FnOnce(&mut ProposalDraft) -> Result<()>,
    also: impl FnOnce(&Tx<'_>, i64) -> Result<()>,
) -> Result<Proposal> {
    let original = get_proposal(store, id)?;
    if original.status != ProposalStatus::Accepted {
        return Err(Error::invalid(
            "status",
            "Only an accepted proposal is amended; edit or duplicate this one instead.",
        ));
    }
    if terms::parse_month(effective_from).is_none() {
        return Err(Error::invalid(
            "effective_from",
            "Choose the month the amendment takes effect.",
        ));
    }
    let open: Option<String> = store
        .conn()
        .query_row(
            "SELECT number || ' v' || version FROM proposals WHERE supersedes_id = ?1 AND status IN ('draft', 'sent')",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(label) = open {
        return Err(Error::invalid(
            "status",
            format!("An amendment is already open: {label}."),
        ));
    }
    let mut draft = original.settled_draft();
    draft.valid_until = blank_proposal(store, draft.client_id)?.valid_until;
    // Lines keep their snapshots; they run from the amendment's month.
    for line in &mut draft.lines {
        if line.start_month.as_str() < effective_from {
            line.start_month = effective_from.to_string();
        }
    }
    change(&mut draft)?;
    let mut lines = validate(store, &draft, &original.lines)?;
    // A moved start keeps the line's cycle: a quarterly or annual line bills on its old anchor
    // months, and a one-off line that was billed is not billed again.
    for (valid, typed) in lines.iter_mut().zip(&draft.lines) {
        if let Some(kept) = typed
            .line_id
            .and_then(|id| original.lines.iter().find(|l| l.id == id))
        {
            valid.anchor_month = kept.anchor_month.clone();
        }
    }
    let version: u32 = store.conn().query_row(
        "SELECT max(version) + 1 FROM proposals WHERE number = ?1",
        [&original.number],
        |r| r.get(0),
    )?;
    let new_id = store.write(Source::User, |tx| {
        insert(
            tx,
            &original.number,
            version,
            &draft,
            Some(id),
            Some(effective_from),
        )?;
        let new_id = tx.last_insert_rowid();
        write_lines(tx, new_id, &lines)?;
        tx.log(
            "proposal",
            new_id,
            "amend",
            &serde_json::json!({ "supersedes": id, "effective_from": effective_from }),
        )?;
        also(tx, new_id)?;
        Ok(new_id)
    })?;
    get_proposal(store, new_id)
}
