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

pub fn client_scope(store: &Store, client_id: i64, month: &str) -> Result<ClientScope> {
    let currency = require_practice(store)?.currency();
    // Accepted proposals, and superseded ones before their amendment's month.
    let ids: Vec<i64> = {
        let mut stmt = store.conn().prepare(
            "SELECT p.id FROM proposals p
             WHERE p.client_id = ?1 AND (
                p.status = 'accepted' OR (p.status = 'superseded' AND EXISTS (
                    SELECT 1 FROM proposals n WHERE n.supersedes_id = p.id AND n.status = 'accepted'
                      AND n.effective_from > ?2)))
             ORDER BY p.accepted_at",
        )?;
        stmt.query_map(params![client_id, month], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut in_scope = Vec::new();
    let mut out_of_scope: Vec<String> = Vec::new();
    for id in ids {
        let p = get_proposal(store, id)?;
        let in_force = |l: &ProposalLine| {
            l.included()
                && l.start_month.as_str() <= month
                && l.end_month.as_deref().is_none_or(|end| end >= month)
                && p.effective_from.as_deref().is_none_or(|from| from <= month)
        };
        for line in p.lines.iter().filter(|l| in_force(l)) {
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
