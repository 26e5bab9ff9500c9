//! Emailing proposals: the email settings (the SMTP password goes to the OS keychain, never
//! back to the UI), composing a proposal's email, sending it by SMTP or opening it as a draft
//! in the default mail app.

use scopebook_core::email::{self, ComposedEmail, EmailDraft, EmailSettings, EmailSettingsDraft};
use scopebook_core::proposals::Proposal;
use scopebook_core::{Error, ErrorReport, secrets_of};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use super::Reply;
use crate::AppState;

#[tauri::command]
pub async fn email_settings(state: State<'_, AppState>) -> Reply<EmailSettings> {
    state
        .with_store(|store| email::get_settings(store, &secrets_of(store)))
        .await
}

/// Saves the settings; a non-empty `password` is stored in the keychain.
#[tauri::command]
pub async fn save_email_settings(
    state: State<'_, AppState>,
    draft: EmailSettingsDraft,
    password: Option<String>,
) -> Reply<EmailSettings> {
    state
        .with_store(move |store| {
            email::save_settings(store, &draft, password.as_deref(), &secrets_of(store))
        })
        .await
}

async fn saved_password(
    state: &AppState,
) -> Result<Option<scopebook_core::email::Sensitive<String>>, ErrorReport> {
    state
        .with_store(|store| email::saved_password(store, &secrets_of(store)))
        .await
}

/// Sends a test email to the from address; returns that address.
#[tauri::command]
pub async fn send_test_email(state: State<'_, AppState>) -> Reply<String> {
    let password = saved_password(&state).await?;
    email::send_test_email(&state.store()?, password.as_ref())
        .await
        .map_err(|e| e.report())
}

#[tauri::command]
pub async fn compose_proposal_email(
    state: State<'_, AppState>,
    proposal_id: i64,
) -> Reply<ComposedEmail> {
    state
        .with_store(move |store| email::compose(store, proposal_id))
        .await
}

/// Sends the proposal by SMTP; it is then marked sent.
#[tauri::command]
pub async fn send_proposal_email(state: State<'_, AppState>, draft: EmailDraft) -> Reply<Proposal> {
    let password = saved_password(&state).await?;
    email::send_proposal(&state.store()?, &draft, password.as_ref())
        .await
        .map_err(|e| e.report())
}

/// Emails proposals `ids` in one action, `key` kept by the window for a retry (nothing is sent
/// twice); `progress` hears before each proposal and at the end.
#[tauri::command]
pub async fn email_proposals(
    state: State<'_, AppState>,
    ids: Vec<i64>,
    key: String,
    progress: tauri::ipc::Channel<email::BulkProgress>,
) -> Reply<Vec<email::BulkResult>> {
    let password = saved_password(&state).await?;
    email::send_many(&state.store()?, &ids, &key, password.as_ref(), |p| {
        let _ = progress.send(p.clone());
    })
    .await
    .map_err(|e| e.report())
}

/// Writes the proposal email as an `.eml` draft and opens it in the default mail app.
/// Returns the draft's path (shown if the mail app doesn't open).
#[tauri::command]
pub async fn open_proposal_email_draft(
    app: AppHandle,
    state: State<'_, AppState>,
    draft: EmailDraft,
) -> Reply<String> {
    let path = email::write_draft(&state.store()?, &draft)
        .await
        .map_err(|e| e.report())?;
    let shown = path.display().to_string();
    app.opener()
        .open_path(shown.clone(), None::<&str>)
        .map_err(|e| {
            Error::io(
                format!("Couldn't open your mail app; the draft is saved at {shown}"),
                std::io::Error::other(e.to_string()),
            )
            .report()
        })?;
    Ok(shown)
}

/// After the mail-app route, the bookkeeper confirms they sent it.
#[tauri::command]
pub async fn mark_proposal_emailed(
    state: State<'_, AppState>,
    draft: EmailDraft,
) -> Reply<Proposal> {
    state
        .with_store(move |store| email::mark_emailed(store, &draft))
        .await
}
