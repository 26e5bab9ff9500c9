//! Proposal numbers: P-2026-0001 (after the firm's prefix), and finding a proposal by one.

use super::*;

/// The next number this year, after the prefix set in Settings → Proposals: P-2026-0001,
/// P-2026-0002, … (or LOE-2026-0001 with the prefix LOE).
pub(super) fn next_number(tx: &Tx<'_>) -> Result<String> {
    let year = chrono::Local::now().year();
    let firm_prefix: String = tx
        .query_row(
            "SELECT number_prefix FROM proposal_settings WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(default_number_prefix);
    let prefix = format!("{firm_prefix}-{year}-");
    let last: Option<String> = tx
        .query_row(
            "SELECT max(number) FROM proposals WHERE number LIKE ?1 || '%'",
            [&prefix],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let next = last
        .and_then(|n| n.rsplit('-').next().and_then(|s| s.parse::<u32>().ok()))
        .unwrap_or(0)
        + 1;
    Ok(format!("{prefix}{next:04}"))
}

/// Finds a proposal by its number ("P-2026-0042", newest version, or "P-2026-0042 v2").
pub fn find_by_number(store: &Store, label: &str) -> Result<Proposal> {
    let (number, version) = match label.trim().split_once(" v") {
        Some((n, v)) => (n.trim().to_string(), v.trim().parse::<u32>().ok()),
        None => (label.trim().to_string(), None),
    };
    let id: Option<i64> = store
        .conn()
        .query_row(
            "SELECT id FROM proposals WHERE number = ?1 AND (?2 IS NULL OR version = ?2)
             ORDER BY version DESC LIMIT 1",
            params![number, version],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => get_proposal(store, id),
        None => Err(Error::invalid(
            "number",
            format!("There is no proposal {label}."),
        )),
    }
}
