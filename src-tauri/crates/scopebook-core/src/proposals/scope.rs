//! What a client is engaged for in a month: the lines of its proposals in force then.

use super::*;

/// One service in a client's current scope.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ScopeLine {
    pub proposal: String,
    pub line: ProposalLine,
}

/// What a client has engaged the firm for in `month` (`YYYY-MM`): the lines of its proposals in
/// force then, and what they say is out of scope.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClientScope {
    pub month: String,
    pub in_scope: Vec<ScopeLine>,
    pub out_of_scope: Vec<String>,
    pub totals: ProposalTotals,
}

/// A proposal that may be in force: accepted, or superseded.
struct Candidate {
    id: i64,
    client_id: i64,
    label: String,
    status: ProposalStatus,
    effective_from: Option<String>,
    /// When an accepted amendment takes over from it.
    replaced_from: Option<String>,
}

impl Candidate {
    /// Accepted, or superseded by an amendment that takes over only after `month`.
    fn in_force(&self, month: &str) -> bool {
        match self.status {
            ProposalStatus::Accepted => true,
            ProposalStatus::Superseded => self
                .replaced_from
                .as_deref()
                .is_some_and(|from| from > month),
            _ => false,
        }
    }

    /// Whether its `line` is engaged in `month`: the proposal in force, the line included,
    /// started, not ended, and this version in force.
    fn engages(&self, line: &ProposalLine, month: &str) -> bool {
        self.in_force(month)
            && line.included()
            && line.start_month.as_str() <= month
            && line.end_month.as_deref().is_none_or(|end| end >= month)
            && self
                .effective_from
                .as_deref()
                .is_none_or(|from| from <= month)
    }
}

/// The proposals that may be in force for `client_id` (every client when `None`), by client and
/// in the order they were accepted.
fn candidates(store: &Store, client_id: Option<i64>) -> Result<Vec<Candidate>> {
    // Only a superseded proposal looks for its amendment: the look-up scans the proposals.
    let mut stmt = store.conn().prepare_cached(
        "SELECT p.id, p.client_id, p.number, p.version, p.status, p.effective_from,
            CASE WHEN p.status = 'superseded' THEN (SELECT max(n.effective_from) FROM proposals n
                WHERE n.supersedes_id = p.id AND n.status = 'accepted') END AS replaced_from
         FROM proposals p
         WHERE (?1 IS NULL OR p.client_id = ?1) AND p.status IN ('accepted', 'superseded')
         ORDER BY p.client_id, p.accepted_at, p.id",
    )?;
    let rows = stmt.query_map([client_id], |r| {
        Ok(Candidate {
            id: r.get("id")?,
            client_id: r.get("client_id")?,
            label: label(&r.get::<_, String>("number")?, r.get("version")?),
            status: r.get("status")?,
            effective_from: r.get("effective_from")?,
            replaced_from: r.get("replaced_from")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A client's line engaged in at least one of the months asked about.
#[derive(Debug, Clone)]
pub struct LineInForce<const MONTHS: usize> {
    pub client_id: i64,
    pub scope: ScopeLine,
    /// Whether it is engaged in each month asked about, in their order.
    pub engaged: [bool; MONTHS],
}

/// Every client's lines engaged in any of `months` (`YYYY-MM`), by client, proposal (in the order
/// they were accepted) and position. Two reads for them all — the proposals, then every line —
/// since the billing plan asks this of every client for two months: a proposal at a time would be
/// several queries per client.
pub fn lines_in_force<const MONTHS: usize>(
    store: &Store,
    months: [&str; MONTHS],
) -> Result<Vec<LineInForce<MONTHS>>> {
    let candidates = candidates(store, None)?;
    let order: HashMap<i64, usize> = candidates
        .iter()
        .enumerate()
        .map(|(at, c)| (c.id, at))
        .collect();
    // The line's columns from 2 on, read by position (see `line_from_row`). Unsorted: SQLite
    // sorting the lines costs more than putting each in its proposal's place here.
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT l.proposal_id, l.position, {LINE_COLUMNS} FROM proposal_lines l"
    ))?;
    let mut rows = stmt.query([])?;
    let mut pricings = HashMap::new();
    let mut by_proposal: Vec<Vec<(i64, LineInForce<MONTHS>)>> =
        candidates.iter().map(|_| Vec::new()).collect();
    while let Some(r) = rows.next()? {
        let proposal: i64 = r.get(0)?;
        let Some((candidate, lines)) = order
            .get(&proposal)
            .and_then(|at| Some((candidates.get(*at)?, by_proposal.get_mut(*at)?)))
        else {
            continue;
        };
        let line = line_from_row(r, 2, &mut pricings)?;
        let engaged = months.map(|month| candidate.engages(&line, month));
        if engaged.contains(&true) {
            lines.push((
                r.get(1)?,
                LineInForce {
                    client_id: candidate.client_id,
                    scope: ScopeLine {
                        proposal: candidate.label.clone(),
                        line,
                    },
                    engaged,
                },
            ));
        }
    }
    Ok(by_proposal
        .into_iter()
        .flat_map(|mut lines| {
            lines.sort_by_key(|(position, _)| *position);
            lines.into_iter().map(|(_, line)| line)
        })
        .collect())
}

/// `client_id`'s proposals in force in `month`, in the order they were accepted.
fn proposals_in_force(
    store: &Store,
    client_id: i64,
    month: &str,
) -> Result<Vec<(Candidate, Proposal)>> {
    candidates(store, Some(client_id))?
        .into_iter()
        .filter(|c| c.in_force(month))
        .map(|c| {
            let proposal = get_proposal(store, c.id)?;
            Ok((c, proposal))
        })
        .collect()
}

pub fn client_scope(store: &Store, client_id: i64, month: &str) -> Result<ClientScope> {
    let currency = require_practice(store)?.currency();
    let mut in_scope = Vec::new();
    let mut out_of_scope: Vec<String> = Vec::new();
    for (candidate, p) in proposals_in_force(store, client_id, month)? {
        for line in p.lines.iter().filter(|l| candidate.engages(l, month)) {
            in_scope.push(ScopeLine {
                proposal: p.label(),
                line: line.clone(),
            });
        }
        for item in &p.scope_out {
            if !out_of_scope.contains(item) {
                out_of_scope.push(item.clone());
            }
        }
    }
    let lines: Vec<ProposalLine> = in_scope.iter().map(|s| s.line.clone()).collect();
    Ok(ClientScope {
        month: month.to_string(),
        totals: totals_of(&lines, currency),
        in_scope,
        out_of_scope,
    })
}
