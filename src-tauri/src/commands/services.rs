use scopebook_core::catalog::{self, PricePreview, Service, ServiceDraft, ServiceFilter};
use tauri::State;

use super::Reply;
use crate::AppState;

#[tauri::command]
pub async fn list_services(
    state: State<'_, AppState>,
    filter: ServiceFilter,
) -> Reply<Vec<Service>> {
    state
        .with_store(move |store| catalog::list_services(store, &filter))
        .await
}

#[tauri::command]
pub async fn service_categories(state: State<'_, AppState>) -> Reply<Vec<String>> {
    state
        .with_store(|store| catalog::service_categories(store))
        .await
}

#[tauri::command]
pub async fn get_service(state: State<'_, AppState>, id: i64) -> Reply<Service> {
    state
        .with_store(move |store| catalog::get_service(store, id))
        .await
}

#[tauri::command]
pub fn blank_service_draft() -> ServiceDraft {
    ServiceDraft::blank()
}

#[tauri::command]
pub async fn service_draft(state: State<'_, AppState>, id: i64) -> Reply<ServiceDraft> {
    state
        .with_store(move |store| Ok(catalog::get_service(store, id)?.draft()))
        .await
}

#[tauri::command]
pub async fn create_service(state: State<'_, AppState>, draft: ServiceDraft) -> Reply<Service> {
    state
        .with_store(move |store| catalog::create_service(store, &draft))
        .await
}

#[tauri::command]
pub async fn update_service(
    state: State<'_, AppState>,
    id: i64,
    draft: ServiceDraft,
) -> Reply<Service> {
    state
        .with_store(move |store| catalog::update_service(store, id, &draft))
        .await
}

#[tauri::command]
pub async fn duplicate_service(state: State<'_, AppState>, id: i64) -> Reply<Service> {
    state
        .with_store(move |store| catalog::duplicate_service(store, id))
        .await
}

#[tauri::command]
pub async fn archive_service(state: State<'_, AppState>, id: i64) -> Reply<Service> {
    state
        .with_store(move |store| catalog::archive_service(store, id))
        .await
}

#[tauri::command]
pub async fn restore_service(state: State<'_, AppState>, id: i64) -> Reply<Service> {
    state
        .with_store(move |store| catalog::restore_service(store, id))
        .await
}

#[tauri::command]
pub async fn preview_price(
    state: State<'_, AppState>,
    draft: ServiceDraft,
    quantity: Option<String>,
) -> Reply<PricePreview> {
    state
        .with_store(move |store| catalog::preview_price(store, &draft, quantity.as_deref()))
        .await
}
