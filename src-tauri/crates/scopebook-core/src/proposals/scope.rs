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

/// The proposals in force for `client_id` (every client when `None`) in `month`: accepted
/// ones, and superseded ones whose amendment takes over only after `month`.
fn proposals_in_force(store: &Store, client_id: Option<i64>, month: &str) -> Result<Vec<Proposal>> {
    let ids: Vec<i64> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT p.id FROM proposals p
             WHERE (?1 IS NULL OR p.client_id = ?1) AND (
                p.status = 'accepted' OR (p.status = 'superseded' AND EXISTS (
                    SELECT 1 FROM proposals n WHERE n.supersedes_id = p.id AND n.status = 'accepted'
                      AND n.effective_from > ?2)))
             ORDER BY p.client_id, p.accepted_at",
        )?;
        stmt.query_map(params![client_id, month], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    ids.into_iter().map(|id| get_proposal(store, id)).collect()
}

/// Whether `line` of `proposal` is engaged in `month`: included, started, not ended, and its
/// version in force.
fn in_force(proposal: &Proposal, line: &ProposalLine, month: &str) -> bool {
    line.included()
        && line.start_month.as_str() <= month
        && line.end_month.as_deref().is_none_or(|end| end >= month)
        && proposal
            .effective_from
            .as_deref()
            .is_none_or(|from| from <= month)
}

/// Every client's engaged lines in `month`: (client id, proposal label, line), by client.
pub fn lines_in_force(store: &Store, month: &str) -> Result<Vec<(i64, ScopeLine)>> {
    let mut out = Vec::new();
    for p in proposals_in_force(store, None, month)? {
        for line in p.lines.iter().filter(|l| in_force(&p, l, month)) {
            out.push((
                p.client_id,
                ScopeLine {
                    proposal: p.label(),
                    line: line.clone(),
                },
            ));
        }
    }
    Ok(out)
}

pub fn client_scope(store: &Store, client_id: i64, month: &str) -> Result<ClientScope> {
    let currency = require_practice(store)?.currency();
    let mut in_scope = Vec::new();
    let mut out_of_scope: Vec<String> = Vec::new();
    for p in proposals_in_force(store, Some(client_id), month)? {
        for line in p.lines.iter().filter(|l| in_force(&p, l, month)) {
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
