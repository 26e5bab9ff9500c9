//! One thin command per use case. Every command returns `Result<T, ErrorReport>`: the UI gets
//! the stable code, the sentence, and the fields to highlight.

mod clients;
mod email;
mod files;
mod practice;
mod proposals;
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
        services::export_services_csv,
        services::choose_services_csv,
        services::import_services_csv,
        clients::list_clients,
        clients::get_client,
        clients::blank_client_draft,
        clients::create_client,
        clients::update_client,
        clients::archive_client,
        clients::restore_client,
        clients::delete_client,
        clients::preview_client_import,
        clients::import_clients,
        clients::undo_client_import,
        clients::export_clients_csv,
        proposals::list_proposals,
        proposals::get_proposal,
        proposals::blank_proposal,
        proposals::proposal_line_for_service,
        proposals::create_proposal,
        proposals::update_proposal,
        proposals::change_proposal_status,
        proposals::duplicate_proposal,
        proposals::amend_proposal,
        proposals::client_scope,
        proposals::preview_proposal,
        proposals::proposal_pdf,
        proposals::export_proposal_pdf,
        proposals::preview_price_increase,
        proposals::apply_price_increase,
        proposals::proposal_templates,
        proposals::save_proposal_templates,
        xero::xero_status,
        xero::set_xero_client_id,
        xero::connect_xero,
        xero::cancel_xero_connect,
        xero::choose_xero_organisation,
        xero::xero_lists,
        xero::refresh_xero_lists,
        xero::disconnect_xero,
        xero::sync_xero_contacts,
        xero::connections_board,
        xero::preview_xero_import,
        xero::apply_xero_import,
        xero::undo_xero_import,
        xero::link_xero_contact,
        xero::unlink_xero_contact,
        xero::create_xero_contact,
        xero::switch_demo,
        email::email_settings,
        email::save_email_settings,
        email::send_test_email,
        email::compose_proposal_email,
        email::send_proposal_email,
        email::open_proposal_email_draft,
        email::mark_proposal_emailed,
    ]
}
