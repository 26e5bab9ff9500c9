//! What a client is engaged for in a month: the lines of its proposals in force then.

use std::rc::Rc;

use chrono::NaiveDate;

use super::terms::parse_month;
use super::*;
use crate::store::enums::UnknownValue;
use crate::store::{optional_str_column, str_column};

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
    effective_from: Option<NaiveDate>,
    /// When an accepted amendment takes over from it.
    replaced_from: Option<NaiveDate>,
}

/// The months a line runs, and whether it is in the engagement at all (an optional line only
/// once chosen).
#[derive(Debug, Clone, Copy)]
struct Span {
    included: bool,
    start: NaiveDate,
    end: Option<NaiveDate>,
}

impl Span {
    fn of(line: &ProposalLine) -> Result<Span> {
        Ok(Span {
            included: line.included(),
            start: stored_month(&line.start_month)?,
            end: line.end_month.as_deref().map(stored_month).transpose()?,
        })
    }
}

/// A month read from the data file: `YYYY-MM`, or the file holds something this version doesn't
/// know — an error, never skipped.
fn stored_month(text: &str) -> rusqlite::Result<NaiveDate> {
    parse_month(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(UnknownValue {
                what: "month",
                value: text.to_string(),
            }),
        )
    })
}

impl Candidate {
    /// Accepted, or superseded by an amendment that takes over only after `month`.
    fn in_force(&self, month: NaiveDate) -> bool {
        match self.status {
            ProposalStatus::Accepted => true,
            ProposalStatus::Superseded => self.replaced_from.is_some_and(|from| from > month),
            _ => false,
        }
    }

    /// Whether a line running `span` is engaged in `month`: the proposal in force, the line
    /// included, started, not ended, and this version in force.
    fn engages(&self, span: Span, month: NaiveDate) -> bool {
        self.engaged(span)
            .is_some_and(|(from, until)| from <= month && until.is_none_or(|u| month <= u))
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
    let mut rows = stmt.query([client_id])?;
    let mut candidates = Vec::new();
    // By position: `SELECT` above, in its order.
    while let Some(r) = rows.next()? {
        let month = |at: usize| -> rusqlite::Result<Option<NaiveDate>> {
            optional_str_column(r, at)?.map(stored_month).transpose()
        };
        candidates.push(Candidate {
            id: r.get(0)?,
            client_id: r.get(1)?,
            label: label(str_column(r, 2)?, r.get(3)?),
            status: r.get(4)?,
            effective_from: month(5)?,
            replaced_from: month(6)?,
        });
    }
    Ok(candidates)
}

/// A proposal line as billing and the reports read it: what the invoice says, what it costs, the
/// time it takes, and the months it runs (parsed once, here).
#[derive(Debug, Clone)]
pub struct BillableLine {
    pub id: i64,
    pub service_id: Option<i64>,
    pub name: String,
    pub description: String,
    pub category: String,
    pub frequency: Frequency,
    pub account_code: String,
    pub tax_type: String,
    /// The line's price per period, after quantity and discount (a range's confirmed price).
    pub price: Decimal,
    /// A price range not confirmed yet: never billed as it is.
    pub awaiting_confirmation: bool,
    /// Staff time per period, as estimated for this client's line.
    pub estimated_minutes: u32,
    pub start: NaiveDate,
    /// The month its cycle counts from.
    pub anchor: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// A client's line, and the months it is engaged: from `from` to `until` (open-ended when
/// `None`). They are always one run of months — the later of the line's start and its version's
/// effective month, to the earlier of its end and the month before an amendment takes over.
#[derive(Debug, Clone)]
pub struct LineInForce {
    pub client_id: i64,
    /// The proposal's number (and version).
    pub proposal: Rc<str>,
    pub line: BillableLine,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl LineInForce {
    pub fn engaged_in(&self, month: NaiveDate) -> bool {
        self.from <= month && self.until.is_none_or(|until| month <= until)
    }
}

impl Candidate {
    /// The months a line running `span` is engaged, when any: see [`LineInForce`].
    fn engaged(&self, span: Span) -> Option<(NaiveDate, Option<NaiveDate>)> {
        if !span.included {
            return None;
        }
        let from = self
            .effective_from
            .map_or(span.start, |effective| effective.max(span.start));
        let replaced = match self.status {
            ProposalStatus::Accepted => None,
            ProposalStatus::Superseded => Some(
                self.replaced_from?
                    .checked_sub_months(chrono::Months::new(1))?,
            ),
            _ => return None,
        };
        let until = match (span.end, replaced) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        until
            .is_none_or(|until| from <= until)
            .then_some((from, until))
    }
}

/// Every client's lines engaged in any month from `first` to `last`, by client, proposal (in the
/// order they were accepted) and position. Two reads for them all — the proposals, then every
/// included line — since the billing plan and the reports ask this of every client: a proposal
/// at a time would be several queries per client.
pub fn lines_in_force(
    store: &Store,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<LineInForce>> {
    let candidates = candidates(store, None)?;
    let labels: Vec<Rc<str>> = candidates
        .iter()
        .map(|c| Rc::from(c.label.as_str()))
        .collect();
    let order: HashMap<i64, usize> = candidates
        .iter()
        .enumerate()
        .map(|(at, c)| (c.id, at))
        .collect();
    // Read by position, only what an invoice needs, the strings borrowed until the line is
    // known to be engaged. Unsorted: SQLite sorting the lines costs more than putting each in its
    // proposal's place here.
    let mut stmt = store.conn().prepare_cached(
        "SELECT l.proposal_id, l.position, l.id, l.name, l.description, l.category, l.frequency,
            l.account_code, l.tax_type, COALESCE(l.confirmed_price, l.price), l.start_month,
            l.end_month, l.anchor_month, l.service_id, l.estimated_minutes,
            l.price_high IS NOT NULL AND l.confirmed_price IS NULL
         FROM proposal_lines l WHERE l.optional = 0 OR l.chosen = 1",
    )?;
    let mut rows = stmt.query([])?;
    let mut by_proposal: Vec<Vec<(i64, LineInForce)>> =
        candidates.iter().map(|_| Vec::new()).collect();
    while let Some(r) = rows.next()? {
        let proposal: i64 = r.get(0)?;
        let Some(at) = order.get(&proposal).copied() else {
            continue;
        };
        let (Some(candidate), Some(lines)) = (candidates.get(at), by_proposal.get_mut(at)) else {
            continue;
        };
        let text = |at: usize| str_column(r, at);
        let span = Span {
            included: true,
            start: stored_month(text(10)?)?,
            end: optional_str_column(r, 11)?.map(stored_month).transpose()?,
        };
        let Some((from, until)) = candidate.engaged(span) else {
            continue;
        };
        if from > last || until.is_some_and(|until| until < first) {
            continue;
        }
        lines.push((
            r.get(1)?,
            LineInForce {
                client_id: candidate.client_id,
                proposal: labels.get(at).cloned().unwrap_or_else(|| Rc::from("")),
                line: BillableLine {
                    id: r.get(2)?,
                    service_id: r.get(13)?,
                    name: text(3)?.to_string(),
                    description: text(4)?.to_string(),
                    category: text(5)?.to_string(),
                    frequency: r.get(6)?,
                    account_code: text(7)?.to_string(),
                    tax_type: text(8)?.to_string(),
                    price: decimal_column(r, 9)?,
                    awaiting_confirmation: r.get(15)?,
                    estimated_minutes: r.get(14)?,
                    start: span.start,
                    anchor: stored_month(text(12)?)?,
                    end: span.end,
                },
                from,
                until,
            },
        ));
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
    month: NaiveDate,
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
    let first_day = terms::require_month("month", month)?;
    let mut in_scope = Vec::new();
    let mut out_of_scope: Vec<String> = Vec::new();
    for (candidate, p) in proposals_in_force(store, client_id, first_day)? {
        for line in &p.lines {
            if !candidate.engages(Span::of(line)?, first_day) {
                continue;
            }
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
