//! Proposal templates: a proposal's structure (options, lines with their quantities, discounts
//! and driver choices, introduction, terms, what isn't included, fee display) saved under a name,
//! and a new proposal started from one in a click — for another client, starting next month,
//! valid for the firm's usual days. Services since archived or deleted are left out, and said.

use super::*;

/// A saved structure, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProposalStructure {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// How many lines and options it holds, e.g. "6 services in 3 options".
    pub summary: String,
    pub updated_at: String,
}

/// A new proposal's form from a template, and what could not be carried over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StartedFromStructure {
    pub draft: ProposalDraft,
    /// e.g. "Payroll is no longer in the catalogue, so it was left out."
    pub notes: Vec<String>,
}

fn summary_of(draft: &ProposalDraft) -> String {
    let services = match draft.lines.len() {
        1 => "1 service".to_string(),
        n => format!("{n} services"),
    };
    match draft.options.len() {
        0 => services,
        n => format!("{services} in {n} options"),
    }
}

/// Saves proposal `id`'s structure as template `name` (replacing a template of that name).
pub fn save_structure(store: &mut Store, id: i64, name: &str) -> Result<ProposalStructure> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Error::invalid(
            "name",
            "Name the template in up to 80 characters, e.g. Sole trader essentials.",
        ));
    }
    let mut draft = get_proposal(store, id)?.draft();
    // The structure only: no client, no kept lines, no dates.
    draft.client_id = 0;
    draft.valid_until = String::new();
    for line in &mut draft.lines {
        line.line_id = None;
        line.start_month = String::new();
        line.end_month = String::new();
    }
    draft.lines.retain(|l| l.service_id.is_some());
    let json = serde_json::to_string(&draft).unwrap_or_default();
    let now = crate::now();
    let saved_id = store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO proposal_structures (name, structure, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (lower(name)) DO UPDATE SET structure = ?2, updated_at = ?3",
            params![name, json, now],
        )?;
        let saved_id: i64 = tx.query_row(
            "SELECT id FROM proposal_structures WHERE lower(name) = lower(?1)",
            [name],
            |r| r.get(0),
        )?;
        tx.log(
            "proposal_structure",
            saved_id,
            "save",
            &serde_json::json!({ "name": name, "from": id }),
        )?;
        Ok(saved_id)
    })?;
    Ok(ProposalStructure {
        id: saved_id,
        name: name.to_string(),
        summary: summary_of(&draft),
        updated_at: now,
    })
}

fn stored(store: &Store, id: i64) -> Result<(String, ProposalDraft)> {
    let (name, text): (String, String) = store
        .conn()
        .query_row(
            "SELECT name, structure FROM proposal_structures WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(Error::NotFound {
            entity: "proposal template",
            id,
        })?;
    let draft: ProposalDraft = crate::store::json_text(&text, "structure")?;
    Ok((name, draft))
}

/// The saved templates, by name.
pub fn list_structures(store: &Store) -> Result<Vec<ProposalStructure>> {
    let mut stmt = store.conn().prepare(
        "SELECT id, name, structure, updated_at FROM proposal_structures ORDER BY lower(name)",
    )?;
    let rows = stmt.query_map([], |r| {
        let text: String = r.get(2)?;
        let draft: ProposalDraft = crate::store::json_text(&text, "structure")?;
        Ok(ProposalStructure {
            id: r.get(0)?,
            name: r.get(1)?,
            summary: summary_of(&draft),
            updated_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn delete_structure(store: &mut Store, id: i64) -> Result<()> {
    let (name, _) = stored(store, id)?;
    store.write(Source::User, |tx| {
        tx.execute("DELETE FROM proposal_structures WHERE id = ?1", [id])?;
        tx.log(
            "proposal_structure",
            id,
            "delete",
            &serde_json::json!({ "name": name }),
        )
    })
}

/// A new proposal's form for `client_id` from template `id`: the firm's validity, every line from
/// next month, lines of services no longer in the catalogue (or archived) left out and noted, and
/// an option left without lines dropped.
pub fn start_from_structure(
    store: &Store,
    id: i64,
    client_id: i64,
) -> Result<StartedFromStructure> {
    let (_, saved) = stored(store, id)?;
    let blank = blank_proposal(store, client_id)?;
    let mut notes = Vec::new();
    let mut lines = Vec::new();
    for line in saved.lines {
        let Some(service_id) = line.service_id else {
            continue;
        };
        match catalog::get_service(store, service_id) {
            Ok(service) if !service.archived => {
                let fresh = line_for_service(store, service_id)?;
                lines.push(LineDraft {
                    start_month: fresh.start_month,
                    ..line
                });
            }
            Ok(service) => notes.push(format!("{} is archived, so it was left out.", service.name)),
            Err(_) => notes.push("A service no longer in the catalogue was left out.".into()),
        }
    }
    // Options keep their numbers only if each still has a line; otherwise they close up.
    let mut options = Vec::new();
    for (i, option) in saved.options.into_iter().enumerate() {
        let old = i as u8 + 1;
        if lines.iter().any(|l| l.option == Some(old)) {
            let new = options.len() as u8 + 1;
            for line in lines.iter_mut().filter(|l| l.option == Some(old)) {
                line.option = Some(new);
            }
            options.push(option);
        } else {
            notes.push(format!(
                "The option {} has none of its services left, so it was left out.",
                option.name
            ));
        }
    }
    if options.len() == 1 {
        // One option is no choice: its lines become common lines.
        for line in lines.iter_mut().filter(|l| l.option.is_some()) {
            line.option = None;
        }
        options.clear();
    }
    Ok(StartedFromStructure {
        draft: ProposalDraft {
            client_id,
            valid_until: blank.valid_until,
            // Priced at this client's bands, not those of the proposal it was saved from.
            band_1_id: blank.band_1_id,
            band_2_id: blank.band_2_id,
            lines,
            options,
            ..saved
        },
        notes,
    })
}
