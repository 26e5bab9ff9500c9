//! Emailing several proposals in one action, from the pipeline: each composed from the firm's
//! template and sent through the mail server in turn, each with its own result.
//!
//! Nothing is sent twice. Every action has a key (the window makes one per click and keeps it for
//! a retry). Before a proposal's email goes to the server, an `email_sending` entry with the key
//! is written to the change log; when the server takes it, the `emailed` entry (with the status
//! change); when the server refuses it, `email_failed`. A retry with the same key skips what was
//! emailed in that action, tries again what failed, and does not send again one whose sending
//! started but was never settled (Scopebook stopped, or the connection dropped after the server
//! may have taken it): that one is reported, for the bookkeeper to check their Sent folder.
//! No store lock is held while the mail server is talked to.

use rusqlite::OptionalExtension;
use serde::Serialize;
use ts_rs::TS;

use super::compose::{EmailDraft, compose};
use super::send::{SentVia, deliver};
use crate::error::{Error, Result};
use crate::proposals::get_proposal;
use crate::store::{SharedStore, Source, Store, lock};
use scopebook_secrets::Sensitive;

/// What happened to one proposal of the action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum BulkOutcome {
    /// Sent now, to these addresses.
    Sent { to: String },
    /// Sent earlier in this same action (a retry): not sent again.
    AlreadySent,
    /// Its sending started earlier in this action and was never confirmed: not sent again.
    Unsure,
    /// Not sent, and why (no email address, a declined proposal…).
    Skipped { reason: String },
    /// The mail server refused it or couldn't be reached; a retry tries again.
    Failed { reason: String },
}

/// One proposal's line in the action's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BulkResult {
    #[ts(type = "number")]
    pub proposal_id: i64,
    /// "P-2026-0001".
    pub label: String,
    pub client: String,
    pub result: BulkOutcome,
}

/// How far the action has got, for the progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BulkProgress {
    pub done: u32,
    pub total: u32,
    /// What is being sent now ("P-2026-0001 Acme Plumbing"), or "" at the end.
    pub current: String,
}

/// Where proposal `id` stands in action `key`: the last of its sending entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Earlier {
    None,
    Sending,
    Emailed,
    Failed,
}

fn earlier(store: &Store, id: i64, key: &str) -> Result<Earlier> {
    let action: Option<String> = store
        .conn()
        .query_row(
            "SELECT action FROM changes
             WHERE entity = 'proposal' AND entity_id = ?1
               AND action IN ('email_sending', 'emailed', 'email_failed')
               AND json_extract(detail, '$.bulk') = ?2
             ORDER BY id DESC LIMIT 1",
            rusqlite::params![id, key],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match action.as_deref() {
        None => Earlier::None,
        Some("email_sending") => Earlier::Sending,
        Some("emailed") => Earlier::Emailed,
        _ => Earlier::Failed,
    })
}

fn note(store: &SharedStore, id: i64, action: &str, detail: serde_json::Value) -> Result<()> {
    lock(store).write(Source::User, |tx| tx.log("proposal", id, action, &detail))
}

/// What to do with proposal `id`: its email, or the outcome that settles it without sending.
fn plan(
    store: &Store,
    id: i64,
    key: &str,
) -> Result<(String, String, Result<EmailDraft, BulkOutcome>)> {
    let proposal = get_proposal(store, id)?;
    let label = proposal.label();
    let client = proposal.client_name.clone();
    let next = match earlier(store, id, key)? {
        Earlier::Emailed => Err(BulkOutcome::AlreadySent),
        Earlier::Sending => Err(BulkOutcome::Unsure),
        Earlier::None | Earlier::Failed => match compose(store, id) {
            Err(e) => Err(BulkOutcome::Skipped {
                reason: e.to_string(),
            }),
            Ok(composed) if composed.draft.to.trim().is_empty() => Err(BulkOutcome::Skipped {
                reason: format!(
                    "{client} has no email address: add one on the client, then send again."
                ),
            }),
            Ok(composed) => Ok(composed.draft),
        },
    };
    Ok((label, client, next))
}

/// Emails proposals `ids` in order through the firm's mail server, as action `key` (see the
/// module docs), telling `progress` before each one and at the end.
pub async fn send_many(
    store: &SharedStore,
    ids: &[i64],
    key: &str,
    password: Option<&Sensitive<String>>,
    progress: impl Fn(&BulkProgress),
) -> Result<Vec<BulkResult>> {
    if key.trim().is_empty() {
        return Err(Error::BadRequest(
            "a bulk email needs its action's key".into(),
        ));
    }
    let total = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    let mut results = Vec::with_capacity(ids.len());
    for (done, &id) in ids.iter().enumerate() {
        let (label, client, next) = plan(&lock(store), id, key)?;
        progress(&BulkProgress {
            done: u32::try_from(done).unwrap_or(u32::MAX),
            total,
            current: format!("{label} {client}"),
        });
        let result = match next {
            Err(settled) => settled,
            Ok(draft) => {
                note(
                    store,
                    id,
                    "email_sending",
                    serde_json::json!({ "bulk": key }),
                )?;
                match deliver(store, &draft, password, SentVia::Smtp, Some(key)).await {
                    Ok(sent) => BulkOutcome::Sent { to: sent },
                    Err(e) => {
                        note(
                            store,
                            id,
                            "email_failed",
                            serde_json::json!({ "bulk": key, "reason": e.to_string() }),
                        )?;
                        BulkOutcome::Failed {
                            reason: e.to_string(),
                        }
                    }
                }
            }
        };
        results.push(BulkResult {
            proposal_id: id,
            label,
            client,
            result,
        });
    }
    progress(&BulkProgress {
        done: total,
        total,
        current: String::new(),
    });
    Ok(results)
}
