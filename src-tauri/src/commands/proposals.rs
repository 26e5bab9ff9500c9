use scopebook_core::proposals::{
    self, ClientScope, LineDraft, Proposal, ProposalAction, ProposalDraft, ProposalFilter,
    ProposalPreview,
};
use tauri::State;

use super::Reply;
use crate::AppState;

#[tauri::command]
pub async fn list_proposals(
    state: State<'_, AppState>,
    filter: ProposalFilter,
    first: Option<u32>,
) -> Reply<proposals::ProposalList> {
    state
        .with_store(move |store| {
            proposals::expire_overdue(store)?;
            proposals::proposal_list(store, &filter, first)
        })
        .await
}

#[tauri::command]
pub async fn get_proposal(state: State<'_, AppState>, id: i64) -> Reply<Proposal> {
    state
        .with_store(move |store| proposals::get_proposal(store, id))
        .await
}

#[tauri::command]
pub async fn blank_proposal(state: State<'_, AppState>, client_id: i64) -> Reply<ProposalDraft> {
    state
        .with_store(move |store| proposals::blank_proposal(store, client_id))
        .await
}

#[tauri::command]
pub async fn proposal_line_for_service(
    state: State<'_, AppState>,
    service_id: i64,
    client_id: Option<i64>,
) -> Reply<LineDraft> {
    state
        .with_store(move |store| match client_id {
            Some(client_id) => proposals::line_for_client(store, service_id, client_id),
            None => proposals::line_for_service(store, service_id),
        })
        .await
}

#[tauri::command]
pub async fn create_proposal(state: State<'_, AppState>, draft: ProposalDraft) -> Reply<Proposal> {
    state
        .with_store(move |store| proposals::create_proposal(store, &draft))
        .await
}

#[tauri::command]
pub async fn update_proposal(
    state: State<'_, AppState>,
    id: i64,
    draft: ProposalDraft,
) -> Reply<Proposal> {
    state
        .with_store(move |store| proposals::update_proposal(store, id, &draft))
        .await
}

#[tauri::command]
pub async fn change_proposal_status(
    state: State<'_, AppState>,
    id: i64,
    action: ProposalAction,
    accepted_by: Option<String>,
    chosen_option: Option<u8>,
    chosen_lines: Vec<i64>,
) -> Reply<Proposal> {
    let proposal = state
        .with_store(move |store| {
            proposals::change_status_choosing(
                store,
                id,
                action,
                accepted_by.as_deref(),
                chosen_option,
                &chosen_lines,
            )
        })
        .await?;
    if action == ProposalAction::Accept {
        // The letter as agreed is kept now, rendered off the store lock. If this fails (or the
        // app stops first) the acceptance stands, and the PDF is kept the next time it is asked for.
        let store = state.store()?;
        if let Err(e) = proposals::document::proposal_pdf(&store, id).await {
            eprintln!("Scopebook: the accepted PDF of proposal {id} was not kept yet: {e}");
        }
    }
    Ok(proposal)
}

#[tauri::command]
pub async fn duplicate_proposal(state: State<'_, AppState>, id: i64) -> Reply<Proposal> {
    state
        .with_store(move |store| proposals::duplicate_proposal(store, id, None))
        .await
}

#[tauri::command]
pub async fn amend_proposal(
    state: State<'_, AppState>,
    id: i64,
    effective_from: String,
) -> Reply<Proposal> {
    state
        .with_store(move |store| proposals::amend_proposal(store, id, &effective_from))
        .await
}

#[tauri::command]
pub async fn client_scope(
    state: State<'_, AppState>,
    client_id: i64,
    month: String,
) -> Reply<ClientScope> {
    state
        .with_store(move |store| proposals::client_scope(store, client_id, &month))
        .await
}

#[tauri::command]
pub async fn preview_proposal(
    state: State<'_, AppState>,
    id: Option<i64>,
    draft: ProposalDraft,
) -> Reply<ProposalPreview> {
    state
        .with_store(move |store| proposals::preview_proposal(store, id, &draft))
        .await
}

/// The proposal's PDF, base64-encoded, for the in-app preview.
#[tauri::command]
pub async fn proposal_pdf(state: State<'_, AppState>, id: i64) -> Reply<String> {
    use base64::Engine;
    let store = state.store()?;
    let pdf = proposals::document::proposal_pdf(&store, id)
        .await
        .map_err(|e| e.report())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(pdf))
}

/// Asks where to save (the native dialog, opened here) and writes the proposal's PDF there.
/// The PDF renders off the store lock. `false` when the bookkeeper cancelled.
#[tauri::command]
pub async fn export_proposal_pdf(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> Reply<bool> {
    let store = state.store()?;
    let file_name = state
        .with_store(move |store| {
            proposals::get_proposal(store, id).map(|p| proposals::document::pdf_file_name(&p))
        })
        .await?;
    let save_as = super::files::SaveAs {
        title: "Export proposal PDF",
        file_name: &file_name,
        filter_name: "PDF",
        extension: "pdf",
    };
    let Some(path) = super::files::choose_save_path(app, save_as).await? else {
        return Ok(false);
    };
    let pdf = proposals::document::proposal_pdf(&store, id)
        .await
        .map_err(|e| e.report())?;
    std::fs::write(&path, pdf).map_err(|e| {
        scopebook_core::Error::io(format!("Couldn't save {}", path.display()), e).report()
    })?;
    Ok(true)
}

#[tauri::command]
pub async fn preview_price_increase(
    state: State<'_, AppState>,
    increase: proposals::price_increase::PriceIncrease,
) -> Reply<proposals::price_increase::PriceIncreasePreview> {
    state
        .with_store(move |store| {
            proposals::price_increase::preview_price_increase(store, &increase)
        })
        .await
}

#[tauri::command]
pub async fn apply_price_increase(
    state: State<'_, AppState>,
    increase: proposals::price_increase::PriceIncrease,
) -> Reply<proposals::price_increase::PriceIncreaseResult> {
    state
        .with_store(move |store| proposals::price_increase::apply_price_increase(store, &increase))
        .await
}

#[tauri::command]
pub async fn proposal_templates(state: State<'_, AppState>) -> Reply<proposals::ProposalTemplates> {
    state
        .with_store(|store| proposals::proposal_templates(store))
        .await
}

#[tauri::command]
pub async fn save_proposal_templates(
    state: State<'_, AppState>,
    templates: proposals::ProposalTemplates,
) -> Reply<proposals::ProposalTemplates> {
    state
        .with_store(move |store| proposals::save_proposal_templates(store, &templates))
        .await
}

/// Saves proposal `id`'s structure as a template called `name`.
#[tauri::command]
pub async fn save_proposal_structure(
    state: State<'_, AppState>,
    id: i64,
    name: String,
) -> Reply<proposals::ProposalStructure> {
    state
        .with_store(move |store| proposals::save_structure(store, id, &name))
        .await
}

#[tauri::command]
pub async fn proposal_structures(
    state: State<'_, AppState>,
) -> Reply<Vec<proposals::ProposalStructure>> {
    state
        .with_store(|store| proposals::list_structures(store))
        .await
}

#[tauri::command]
pub async fn delete_proposal_structure(state: State<'_, AppState>, id: i64) -> Reply<()> {
    state
        .with_store(move |store| proposals::delete_structure(store, id))
        .await
}

/// A new proposal's form for `client_id` from template `id` (nothing is saved yet).
#[tauri::command]
pub async fn start_from_structure(
    state: State<'_, AppState>,
    id: i64,
    client_id: i64,
) -> Reply<proposals::StartedFromStructure> {
    state
        .with_store(move |store| proposals::start_from_structure(store, id, client_id))
        .await
}

/// Confirms the price of an accepted proposal's price-range line; it is billed from then on.
#[tauri::command]
pub async fn confirm_line_price(
    state: State<'_, AppState>,
    line_id: i64,
    price: String,
) -> Reply<Proposal> {
    state
        .with_store(move |store| proposals::confirm_line_price(store, line_id, &price))
        .await
}
