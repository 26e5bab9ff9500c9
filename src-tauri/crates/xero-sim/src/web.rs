//! The pages a person opens from Scopebook's "open in Xero" deep links, at Xero's own path
//! (`/organisationlogin/default.aspx?shortcode=…&redirecturl=/Contacts/View/{id}`): a plain
//! page naming the organisation and the contact, so the demo's links lead somewhere real.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::state::Sim;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font:16px system-ui,sans-serif;margin:3rem auto;max-width:40rem;color:#1b2530}}\
         small{{color:#5d6b7a}}</style></head><body><small>Xero sandbox (xero-sim)</small>\
         <h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    );
    (status, Html(html)).into_response()
}

/// `GET /organisationlogin/default.aspx`: the organisation by ShortCode, then the contact.
pub async fn organisation_login(
    State(sim): State<Arc<Sim>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let code = query.get("shortcode").map(String::as_str).unwrap_or("");
    let target = query.get("redirecturl").map(String::as_str).unwrap_or("");
    let inner = sim.lock();
    let Some(org) = inner
        .orgs
        .values()
        .find(|o| o.organisation.short_code == code)
    else {
        return page(
            StatusCode::NOT_FOUND,
            "Organisation not found",
            "<p>No organisation has that short code.</p>",
        );
    };
    if let Some(id) = target.strip_prefix("/AccountsReceivable/View.aspx?InvoiceID=")
        && let Ok(id) = uuid::Uuid::parse_str(id)
        && let Some(invoice) = org.invoices.iter().find(|i| i.invoice_id == id)
    {
        return page(
            StatusCode::OK,
            &format!("Invoice {}", invoice.invoice_number),
            &format!(
                "<p>{} in <strong>{}</strong>: {}.</p><p><small>{}</small></p>",
                escape(invoice.reference.as_deref().unwrap_or("")),
                escape(&org.organisation.name),
                escape(&invoice.status),
                invoice.invoice_id
            ),
        );
    }
    let contact = target
        .strip_prefix("/Contacts/View/")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .and_then(|id| org.contacts.iter().find(|c| c.contact_id == id));
    match contact {
        Some(contact) => page(
            StatusCode::OK,
            &contact.name,
            &format!(
                "<p>Contact in <strong>{}</strong>.</p><p><small>{}</small></p>",
                escape(&org.organisation.name),
                contact.contact_id
            ),
        ),
        None => page(
            StatusCode::NOT_FOUND,
            "Contact not found",
            &format!(
                "<p>{} has no contact at {}.</p>",
                escape(&org.organisation.name),
                escape(target)
            ),
        ),
    }
}
