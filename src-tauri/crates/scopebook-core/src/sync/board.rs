//! The connections board: every client with its Xero state, and counts per state.

use serde::Serialize;
use ts_rs::TS;

use super::ReviewItem;
use crate::connection::require_tenant;
use crate::error::Result;
use crate::store::Store;

crate::db_enum! {
    /// A client's state against the organisation connected now.
    #[ts(export)]
    pub enum BoardState: "connection state" {
        Linked = "linked",
        NotLinked = "not_linked",
        NeedsReview = "needs_review",
        /// A detail changed here and in Xero since the last sync.
        Conflict = "conflict",
        ArchivedInXero = "archived_in_xero",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BoardRow {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub state: BoardState,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    /// What waits for a decision about this client, oldest first.
    pub reviews: Vec<ReviewItem>,
    /// What the reviews say, in words, one sentence each.
    pub review_notes: Vec<String>,
    /// The contact a review suggests linking to (the best candidate), if the client has none.
    pub suggestion: Option<Suggestion>,
}

/// A contact to link a client to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Suggestion {
    pub contact_id: String,
    pub name: String,
    pub reasons: String,
}

/// A review item in words.
fn review_note(review: &ReviewItem) -> String {
    let detail = &review.detail;
    match review.kind {
        super::ReviewKind::ContactArchived => "Its contact was archived in Xero.".to_string(),
        super::ReviewKind::ContactMerged => {
            "Its contact was merged into one linked to another client.".to_string()
        }
        super::ReviewKind::Conflict => {
            let fields: Vec<super::FieldConflict> =
                serde_json::from_value(detail["fields"].clone()).unwrap_or_default();
            let said: Vec<String> = fields
                .iter()
                .map(|f| {
                    format!(
                        "{} is \u{201c}{}\u{201d} here and \u{201c}{}\u{201d} in Xero",
                        f.label, f.here, f.xero
                    )
                })
                .collect();
            if said.is_empty() {
                "A detail changed both here and in Xero.".to_string()
            } else {
                format!("Changed on both sides: {}.", said.join("; "))
            }
        }
        super::ReviewKind::AmbiguousMatch => match detail["possible_duplicate"].as_str() {
            Some(name) => format!(
                "\u{201c}{name}\u{201d} in Xero {}.",
                detail["reason"]
                    .as_str()
                    .unwrap_or("may be the same client")
            ),
            None => {
                let n = detail["candidates"].as_array().map_or(0, Vec::len);
                format!(
                    "{n} possible {} in Xero.",
                    if n == 1 { "match" } else { "matches" }
                )
            }
        },
    }
}

/// The best candidate any of the reviews lists.
fn suggestion_of(reviews: &[ReviewItem]) -> Option<Suggestion> {
    reviews.iter().find_map(|r| {
        let best = r.detail["candidates"].as_array()?.first()?;
        Some(Suggestion {
            contact_id: best["contact_id"].as_str()?.to_string(),
            name: best["name"].as_str()?.to_string(),
            reasons: best["reasons"]
                .as_array()
                .map(|reasons| {
                    reasons
                        .iter()
                        .filter_map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
        })
    })
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ConnectionsBoard {
    pub organisation: String,
    pub rows: Vec<BoardRow>,
    pub linked: u32,
    pub not_linked: u32,
    pub needs_review: u32,
    pub conflict: u32,
    pub archived_in_xero: u32,
    /// Contacts kept from Xero (the last sync), linked or not.
    pub contacts_in_mirror: u32,
}

/// Every active client with its link and open review items, from the data file alone.
pub fn connections_board(store: &Store) -> Result<ConnectionsBoard> {
    let tenant = require_tenant(store)?;
    let organisation: String = store.conn().query_row(
        "SELECT tenant_name FROM xero_connection WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    let reviews = super::open_reviews(store)?;
    let mut stmt = store.conn().prepare(
        "SELECT c.id AS client_id, c.display_name AS client_name, l.contact_id, l.state,
                m.name AS contact_name
         FROM clients c
         LEFT JOIN xero_links l ON l.client_id = c.id AND l.tenant_id = ?1
         LEFT JOIN xero_contacts m ON m.tenant_id = ?1 AND m.contact_id = l.contact_id
         WHERE c.archived_at IS NULL
         ORDER BY lower(c.display_name)",
    )?;
    let rows = stmt
        .query_map([&tenant], |r| {
            let link_state: Option<super::LinkState> = r.get("state")?;
            Ok((
                r.get::<_, i64>("client_id")?,
                r.get::<_, String>("client_name")?,
                r.get::<_, Option<String>>("contact_id")?,
                r.get::<_, Option<String>>("contact_name")?,
                link_state,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut board = ConnectionsBoard {
        organisation,
        contacts_in_mirror: store.conn().query_row(
            "SELECT count(*) FROM xero_contacts WHERE tenant_id = ?1",
            [&tenant],
            |r| r.get(0),
        )?,
        ..ConnectionsBoard::default()
    };
    for (client_id, client_name, contact_id, contact_name, link_state) in rows {
        let mine: Vec<ReviewItem> = reviews
            .iter()
            .filter(|r| r.client_id == Some(client_id))
            .cloned()
            .collect();
        let state = if mine.iter().any(|r| r.kind == super::ReviewKind::Conflict) {
            BoardState::Conflict
        } else if !mine.is_empty() {
            BoardState::NeedsReview
        } else {
            match link_state {
                Some(super::LinkState::Linked) => BoardState::Linked,
                Some(super::LinkState::ArchivedInXero) => BoardState::ArchivedInXero,
                None => BoardState::NotLinked,
            }
        };
        match state {
            BoardState::Linked => board.linked += 1,
            BoardState::NotLinked => board.not_linked += 1,
            BoardState::NeedsReview => board.needs_review += 1,
            BoardState::Conflict => board.conflict += 1,
            BoardState::ArchivedInXero => board.archived_in_xero += 1,
        }
        let suggestion = contact_id.is_none().then(|| suggestion_of(&mine)).flatten();
        board.rows.push(BoardRow {
            client_id,
            client_name,
            state,
            contact_id,
            contact_name,
            review_notes: mine.iter().map(review_note).collect(),
            suggestion,
            reviews: mine,
        });
    }
    Ok(board)
}

/// Closes the client's open review items (the bookkeeper decided: linked, or left alone).
pub fn resolve_reviews(store: &mut Store, client_id: i64) -> Result<u32> {
    let tenant = require_tenant(store)?;
    store.write(crate::store::Source::User, |tx| {
        super::mirror::close_reviews(tx, &tenant, client_id, None)
    })
}

/// One client's row of the connections board.
pub fn board_row(store: &Store, client_id: i64) -> Result<BoardRow> {
    connections_board(store)?
        .rows
        .into_iter()
        .find(|r| r.client_id == client_id)
        .ok_or(crate::error::Error::NotFound {
            entity: "client",
            id: client_id,
        })
}
