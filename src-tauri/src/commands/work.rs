//! Work done for clients, checked against their accepted scope; out-of-scope work billed.

use scopebook_core::proposals::Proposal;
use scopebook_core::scope_creep::{self, BillAt, CreepRow, Work, WorkDraft, WorkProposalDraft};
use tauri::State;

use super::Reply;
use crate::AppState;

#[tauri::command]
pub async fn log_work(state: State<'_, AppState>, draft: WorkDraft) -> Reply<Work> {
    state
        .with_store(move |store| scope_creep::log_work(store, &draft))
        .await
}

#[tauri::command]
pub async fn work_list(state: State<'_, AppState>, client_id: Option<i64>) -> Reply<Vec<Work>> {
    state
        .with_store(move |store| scope_creep::work_list(store, client_id))
        .await
}

#[tauri::command]
pub async fn bill_work(
    state: State<'_, AppState>,
    work_id: i64,
    month: String,
    at: BillAt,
) -> Reply<Work> {
    state
        .with_store(move |store| scope_creep::bill_work(store, work_id, &month, &at))
        .await
}

#[tauri::command]
pub async fn scope_creep_report(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Reply<Vec<CreepRow>> {
    state
        .with_store(move |store| scope_creep::scope_creep_report(store, &from, &to))
        .await
}

/// Gathers out-of-scope work into an amendment of the client's accepted proposal (a draft).
#[tauri::command]
pub async fn propose_work(state: State<'_, AppState>, draft: WorkProposalDraft) -> Reply<Proposal> {
    state
        .with_store(move |store| scope_creep::propose_work(store, &draft))
        .await
}
