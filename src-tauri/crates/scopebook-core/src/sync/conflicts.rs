//! Resolving a conflict: for each detail changed on both sides, the bookkeeper keeps
//! Scopebook's value or takes Xero's.

use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use ts_rs::TS;

use super::fields::{FieldConflict, SharedDetails, SyncBase};
use super::mirror::{ReviewKind, close_reviews, mirrored_in};
use super::undo::imaged;
use crate::clients::{client_in, practice_country, validate_client};
use crate::connection::require_tenant;
use crate::error::{Error, Problems, Result};
use crate::store::{Source, Store};

/// Which side's value a detail keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Side {
    /// Scopebook's value stays here, and goes to Xero at the next sync when the client's
    /// "push my changes" is on.
    Here,
    /// Xero's value comes here.
    Xero,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct ConflictChoice {
    pub field: super::SyncField,
    pub keep: Side,
}

/// Settles the client's open conflict with one choice per conflicting detail, in one
/// transaction: Xero's values are written to the client (checked like the client form), the
/// link's base records the decision, and the conflict leaves the review list.
pub fn resolve_conflict(
    store: &mut Store,
    client_id: i64,
    choices: &[ConflictChoice],
) -> Result<()> {
    let tenant = require_tenant(store)?;
    let client = client_in(store.conn(), client_id)?;
    let name = client.details.display_name.clone();
    let open: Option<(String, serde_json::Value)> = store
        .conn()
        .query_row(
            "SELECT contact_id, detail FROM xero_review WHERE tenant_id = ?1 AND client_id = ?2
                AND kind = ?3 AND resolved_at IS NULL ORDER BY id DESC LIMIT 1",
            params![tenant, client_id, ReviewKind::Conflict],
            |r| {
                Ok((
                    r.get("contact_id")?,
                    crate::store::json_column(r, "detail")?,
                ))
            },
        )
        .optional()?;
    let Some((contact_id, detail)) = open else {
        return Err(Error::AlreadyDone(format!(
            "\u{201c}{name}\u{201d} has no conflict with Xero to resolve."
        )));
    };
    let conflicts: Vec<FieldConflict> =
        serde_json::from_value(detail["fields"].clone()).map_err(|e| {
            Error::Database(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                Box::new(e),
            ))
        })?;
    let mut missing = Problems::new();
    for conflict in &conflicts {
        if !choices.iter().any(|c| c.field == conflict.field) {
            missing.add(
                conflict.field.form_field(),
                format!(
                    "Choose which {} to keep.",
                    conflict.field.label().to_lowercase()
                ),
            );
        }
    }
    missing.into_result()?;
    let (link_id, base_text): (i64, Option<String>) = store.conn().query_row(
        "SELECT id, synced_fields FROM xero_links WHERE tenant_id = ?1 AND client_id = ?2",
        params![tenant, client_id],
        |r| Ok((r.get("id")?, r.get("synced_fields")?)),
    )?;
    let contact = mirrored_in(store.conn(), &tenant, &contact_id)?.ok_or_else(|| {
        Error::invalid(
            "contact_id",
            "The Xero contact isn't in the last sync any more. Sync again, then resolve.",
        )
    })?;
    let here = SharedDetails::of_client(&client.details);
    let xero = SharedDetails::of_contact(&contact);
    let mut base: SyncBase = base_text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| SyncBase {
            here: here.clone(),
            xero: xero.clone(),
        });
    let push = client.details.invoicing.push_to_xero;
    let mut draft = client.details.clone();
    let mut taken = SharedDetails::of_client(&draft);
    for conflict in &conflicts {
        let field = conflict.field;
        let keep = choices
            .iter()
            .find(|c| c.field == field)
            .map_or(Side::Here, |c| c.keep);
        match keep {
            Side::Xero => {
                taken.set(field, xero.get(field));
                taken.write_into(field, &mut draft);
                base.here.set(field, xero.get(field));
                base.xero.set(field, xero.get(field));
            }
            Side::Here => {
                // Xero's value is seen; this side's counts as changed (and is sent at the next
                // sync) when pushing, else the two are agreed to differ.
                base.xero.set(field, xero.get(field));
                base.here.set(
                    field,
                    if push {
                        xero.get(field)
                    } else {
                        here.get(field)
                    },
                );
            }
        }
    }
    let clean = validate_client(&draft, practice_country(store)?)?;
    let changed = clean != client.details;
    store.write(Source::User, |tx| {
        if changed {
            if crate::clients::name_taken(tx, &clean.display_name, Some(client_id))? {
                return Err(crate::clients::name_taken_error(&clean.display_name));
            }
            imaged(
                tx,
                "clients",
                Some(client_id),
                ("client", client_id, "conflict_resolved"),
                serde_json::json!({ "choices": choices.iter().map(|c| (c.field, c.keep == Side::Xero)).collect::<Vec<_>>() }),
                |tx| {
                    crate::clients::write_client(tx, client_id, &clean)?;
                    Ok(client_id)
                },
            )?;
        }
        super::run::set_base(tx, link_id, client_id, &base)?;
        close_reviews(tx, &tenant, client_id, Some(ReviewKind::Conflict))?;
        Ok(())
    })
}
