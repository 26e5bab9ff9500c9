//! One thin command per use case. Every command returns `Result<T, ErrorReport>`: the UI gets
//! the stable code, the sentence, and the fields to highlight.

mod practice;
mod services;
mod xero;

use scopebook_core::ErrorReport;

type Reply<T> = Result<T, ErrorReport>;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        practice::app_info,
        practice::reference_data,
        practice::setup_practice,
        practice::update_practice,
        practice::practice_draft,
        practice::set_practice_logo,
        practice::clear_practice_logo,
        practice::practice_logo,
        services::list_services,
        services::service_categories,
        services::get_service,
        services::blank_service_draft,
        services::service_draft,
        services::create_service,
        services::update_service,
        services::duplicate_service,
        services::archive_service,
        services::restore_service,
        services::preview_price,
        xero::xero_status,
        xero::set_xero_client_id,
        xero::connect_xero,
        xero::cancel_xero_connect,
        xero::choose_xero_organisation,
        xero::xero_lists,
        xero::refresh_xero_lists,
        xero::disconnect_xero,
        xero::switch_demo,
    ]
}
