//! Desktop notifications: payments back from Xero. A computer without a notification service
//! (a server, a test session) simply shows none; the Billing screen says the same.

use scopebook_core::billing::PaymentsReport;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

/// Says which invoices were paid, and which were voided in Xero, since the last refresh.
pub fn payments(app: &AppHandle, report: &PaymentsReport) {
    let paid = report.paid.len();
    if paid > 0 {
        let total: rust_decimal::Decimal = report.paid.iter().map(|i| i.total).sum();
        let names: Vec<&str> = report
            .paid
            .iter()
            .take(3)
            .map(|i| i.client_name.as_str())
            .collect();
        let more = if paid > 3 {
            format!(" and {} more", paid - 3)
        } else {
            String::new()
        };
        show(
            app,
            &format!(
                "{paid} {} paid",
                if paid == 1 { "invoice" } else { "invoices" }
            ),
            &format!("{}{more} — {total} in all.", names.join(", ")),
        );
    }
    let voided = report.voided.len();
    if voided > 0 {
        let names: Vec<&str> = report
            .voided
            .iter()
            .take(3)
            .map(|i| i.client_name.as_str())
            .collect();
        show(
            app,
            &format!(
                "{voided} {} voided in Xero",
                if voided == 1 { "invoice" } else { "invoices" }
            ),
            &format!(
                "{}. Scopebook won't post them again unless you choose to.",
                names.join(", ")
            ),
        );
    }
}

fn show(app: &AppHandle, title: &str, body: &str) {
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        eprintln!("Scopebook: no desktop notification ({e}): {title}");
    }
}
