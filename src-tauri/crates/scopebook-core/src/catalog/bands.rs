//! The practice's bands: its annual revenue ranges ("Under $250k", "$250k–$1m", …) and,
//! optionally, a second set (e.g. the number of entities). A service can be priced per band of
//! one set; a client's band in each set lives on the client, and a proposal is priced at the
//! bands picked on it (the client's, to start with).

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::pricing::Pricing;
use crate::error::{Problems, Result};
use crate::store::{Source, Store, Tx};

/// At most this many bands in a set.
pub const MAX_BANDS: usize = 12;

/// One band of a set, as the practice named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RevenueBand {
    #[ts(type = "number")]
    pub id: i64,
    /// 1: annual revenue; 2: the second set.
    pub set: u8,
    pub name: String,
}

/// The practice's band sets and their bands, in order (archived bands are left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BandSets {
    pub set_1_name: String,
    /// Empty when the practice has no second set.
    pub set_2_name: String,
    pub bands: Vec<RevenueBand>,
}

impl BandSets {
    /// The bands of `set`, in order.
    pub fn of(&self, set: u8) -> impl Iterator<Item = &RevenueBand> {
        self.bands.iter().filter(move |b| b.set == set)
    }

    /// The set's name ("Annual revenue").
    pub fn name_of(&self, set: u8) -> &str {
        if set == 2 {
            &self.set_2_name
        } else {
            &self.set_1_name
        }
    }
}

/// A band as typed in Settings: `id` for one that exists (renamed or moved), `None` for a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BandDraft {
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub set: u8,
    pub name: String,
}

/// The Settings form for the bands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BandSetsDraft {
    pub set_1_name: String,
    pub set_2_name: String,
    pub bands: Vec<BandDraft>,
}

pub fn band_sets(store: &Store) -> Result<BandSets> {
    band_sets_in(store.conn())
}

fn band_sets_in(conn: &rusqlite::Connection) -> Result<BandSets> {
    let names: Option<(String, String)> = conn
        .query_row(
            "SELECT band_set_1_name, band_set_2_name FROM practice WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (set_1_name, set_2_name) = names.unwrap_or_else(|| ("Annual revenue".into(), "".into()));
    let mut stmt = conn.prepare_cached(
        "SELECT id, band_set, name FROM revenue_bands WHERE archived_at IS NULL
         ORDER BY band_set, position, id",
    )?;
    let bands = stmt
        .query_map([], |r| {
            Ok(RevenueBand {
                id: r.get(0)?,
                set: r.get(1)?,
                name: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(BandSets {
        set_1_name,
        set_2_name,
        bands,
    })
}

/// Saves the Settings form: the sets' names and their bands in order. A band left out of the
/// form is archived (services, clients and proposals that used it keep their record of it).
pub fn save_band_sets(store: &mut Store, draft: &BandSetsDraft) -> Result<BandSets> {
    let before = band_sets(store)?;
    let mut problems = Problems::new();
    let set_1_name = draft.set_1_name.trim();
    let set_2_name = draft.set_2_name.trim();
    if set_1_name.is_empty() {
        problems.add("set_1_name", "Name the first set, e.g. Annual revenue.");
    } else if set_1_name.chars().count() > 60 {
        problems.add("set_1_name", "Keep the set's name under 60 characters.");
    }
    if set_2_name.chars().count() > 60 {
        problems.add("set_2_name", "Keep the set's name under 60 characters.");
    }
    for set in [1u8, 2] {
        let in_set: Vec<(usize, &BandDraft)> = draft
            .bands
            .iter()
            .enumerate()
            .filter(|(_, b)| b.set == set)
            .collect();
        if set == 2 && set_2_name.is_empty() && !in_set.is_empty() {
            problems.add(
                "set_2_name",
                "Name the second set (e.g. Number of entities), or remove its bands.",
            );
        }
        if in_set.len() > MAX_BANDS {
            problems.add(
                format!("set_{set}_name"),
                format!("Keep to {MAX_BANDS} bands in a set."),
            );
        }
        let mut seen = HashSet::new();
        for (i, band) in in_set {
            let name = band.name.trim();
            let field = format!("bands.{i}.name");
            if name.is_empty() {
                problems.add(field, "Name the band, e.g. Under $250k.");
            } else if name.chars().count() > 60 {
                problems.add(field, "Keep the band's name under 60 characters.");
            } else if !seen.insert(name.to_lowercase()) {
                problems.add(field, "Two bands in this set have this name.");
            }
        }
    }
    for (i, band) in draft.bands.iter().enumerate() {
        if !matches!(band.set, 1 | 2) {
            problems.add(format!("bands.{i}.name"), "A band belongs to set 1 or 2.");
        }
        if let Some(id) = band.id
            && !before.bands.iter().any(|b| b.id == id && b.set == band.set)
        {
            problems.add(
                format!("bands.{i}.name"),
                "This band is no longer in the practice's bands; reload Settings.",
            );
        }
    }
    problems.into_result()?;
    store.write(Source::User, |tx| {
        tx.execute(
            "UPDATE practice SET band_set_1_name = ?1, band_set_2_name = ?2, updated_at = ?3
             WHERE id = 1",
            params![set_1_name, set_2_name, crate::now()],
        )?;
        let kept: HashSet<i64> = draft.bands.iter().filter_map(|b| b.id).collect();
        let now = crate::now();
        for gone in before.bands.iter().filter(|b| !kept.contains(&b.id)) {
            tx.execute(
                "UPDATE revenue_bands SET archived_at = ?2 WHERE id = ?1",
                params![gone.id, now],
            )?;
        }
        // Names are unique among active bands: park the kept ones first, so two bands can swap
        // names in one save.
        for id in &kept {
            tx.execute(
                "UPDATE revenue_bands SET name = '#' || id WHERE id = ?1",
                [id],
            )?;
        }
        for (position, band) in draft.bands.iter().enumerate() {
            match band.id {
                Some(id) => tx.execute(
                    "UPDATE revenue_bands SET name = ?2, position = ?3 WHERE id = ?1",
                    params![id, band.name.trim(), position as i64],
                )?,
                None => tx.execute(
                    "INSERT INTO revenue_bands (band_set, position, name) VALUES (?1, ?2, ?3)",
                    params![band.set, position as i64, band.name.trim()],
                )?,
            };
        }
        let after = band_sets_in(tx)?;
        tx.log(
            "practice",
            1,
            "bands",
            &serde_json::json!({ "before": before, "after": after }),
        )?;
        Ok(())
    })?;
    band_sets(store)
}

/// A banded price must name the active bands of its set, every one of them, each once.
pub(crate) fn check_band_prices(pricing: &Pricing, sets: &BandSets, problems: &mut Problems) {
    let Pricing::Banded { set, prices, .. } = pricing else {
        return;
    };
    let bands: Vec<&RevenueBand> = sets.of(*set).collect();
    if bands.is_empty() {
        problems.add(
            "band_prices",
            "The practice has no bands in this set yet: add them in Settings \u{2192} Bands.",
        );
        return;
    }
    for (i, price) in prices.iter().enumerate() {
        if !bands.iter().any(|b| b.id == price.band_id) {
            problems.add(
                format!("band_prices.{i}.price"),
                format!(
                    "\u{201c}{}\u{201d} is no longer one of the practice's bands; reload the form.",
                    price.band
                ),
            );
        }
    }
    for band in bands {
        if !prices.iter().any(|p| p.band_id == band.id) {
            problems.add(
                "band_prices",
                format!("Give a price for \u{201c}{}\u{201d}.", band.name),
            );
        }
    }
}

/// Puts `bands` (set 1, set 2) on client `client_id`; each must be an active band of its set.
pub fn set_client_bands(
    store: &mut Store,
    client_id: i64,
    bands: [Option<i64>; 2],
) -> Result<crate::clients::Client> {
    let mut problems = Problems::new();
    check_bands(&band_sets(store)?, bands, &mut problems);
    problems.into_result()?;
    crate::clients::get_client(store, client_id)?;
    store.write(Source::User, |tx| write_client_bands(tx, client_id, bands))?;
    crate::clients::get_client(store, client_id)
}

/// Each of `bands` an active band of its own set (1, then 2), or none.
pub(crate) fn check_bands(sets: &BandSets, bands: [Option<i64>; 2], problems: &mut Problems) {
    for (i, band) in bands.iter().enumerate() {
        let set = i as u8 + 1;
        if let Some(id) = band
            && !sets.of(set).any(|b| b.id == *id)
        {
            problems.add(
                format!("band_{set}_id"),
                format!("Choose one of the practice's {} bands.", sets.name_of(set)),
            );
        }
    }
}

/// Writes a client's bands (acceptance puts the proposal's bands on its client through this).
pub(crate) fn write_client_bands(
    tx: &Tx<'_>,
    client_id: i64,
    bands: [Option<i64>; 2],
) -> Result<()> {
    let before: (Option<i64>, Option<i64>) = tx.query_row(
        "SELECT band_1_id, band_2_id FROM clients WHERE id = ?1",
        [client_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if before == (bands[0], bands[1]) {
        return Ok(());
    }
    tx.execute(
        "UPDATE clients SET band_1_id = ?2, band_2_id = ?3, updated_at = ?4 WHERE id = ?1",
        params![client_id, bands[0], bands[1], crate::now()],
    )?;
    tx.log(
        "client",
        client_id,
        "bands",
        &serde_json::json!({ "before": [before.0, before.1], "after": bands }),
    )?;
    Ok(())
}
