//! A client's standing in Xero — outstanding, overdue, last invoice, last payment — and the
//! deep link that opens its contact in Xero. Asked for by the bookkeeper (a button), never
//! in the background.
//!
//! Calls: one `GET /Invoices` (the contact's authorised and paid invoices, newest first, one
//! page of 100); the first deep link of an organisation costs one `GET /Organisation` (its
//! ShortCode is kept).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use scopebook_xero::{InvoiceQuery, XeroClient};
use serde::Serialize;
use ts_rs::TS;

use super::link_of;
use crate::connection::require_tenant;
use crate::error::{Error, Result};
use crate::store::{SharedStore, Source, lock};

/// Xero's page of invoices.
const PAGE: usize = 100;

/// An invoice at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvoiceGlance {
    pub number: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    #[ts(as = "String")]
    pub total: Decimal,
    pub status: String,
}

/// A payment at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PaymentGlance {
    /// `YYYY-MM-DD`.
    pub date: String,
    #[ts(as = "String")]
    pub amount: Decimal,
}

/// What Xero says about a client's contact now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ContactSummary {
    #[ts(type = "number")]
    pub client_id: i64,
    pub contact_id: String,
    pub currency: Option<String>,
    /// Owed on authorised invoices.
    #[ts(as = "String")]
    pub outstanding: Decimal,
    /// Of that, past its due date.
    #[ts(as = "String")]
    pub overdue: Decimal,
    pub unpaid_invoices: u32,
    pub overdue_invoices: u32,
    pub last_invoice: Option<InvoiceGlance>,
    pub last_payment: Option<PaymentGlance>,
    /// The contact has more than 100 such invoices: the figures cover the latest 100.
    pub partial: bool,
    pub fetched_at: String,
}

/// The figures from a page of invoices, newest first (pure).
pub(crate) fn summarise(
    client_id: i64,
    contact_id: &str,
    invoices: &[scopebook_xero::models::Invoice],
    today: NaiveDate,
) -> ContactSummary {
    let mut summary = ContactSummary {
        client_id,
        contact_id: contact_id.to_string(),
        currency: None,
        outstanding: Decimal::ZERO,
        overdue: Decimal::ZERO,
        unpaid_invoices: 0,
        overdue_invoices: 0,
        last_invoice: None,
        last_payment: None,
        partial: invoices.len() >= PAGE,
        fetched_at: crate::now(),
    };
    for invoice in invoices {
        let due = invoice.amount_due.unwrap_or_default();
        if summary.currency.is_none() {
            summary.currency = invoice.currency_code.clone();
        }
        if invoice.status.as_deref() == Some("AUTHORISED") && due > Decimal::ZERO {
            summary.outstanding += due;
            summary.unpaid_invoices += 1;
            if invoice.due_date.is_some_and(|d| d < today) {
                summary.overdue += due;
                summary.overdue_invoices += 1;
            }
        }
        let newer = |current: &Option<InvoiceGlance>, date: NaiveDate| {
            current
                .as_ref()
                .is_none_or(|c| c.date < date.format("%Y-%m-%d").to_string())
        };
        if let Some(date) = invoice.date
            && newer(&summary.last_invoice, date)
        {
            summary.last_invoice = Some(InvoiceGlance {
                number: invoice.invoice_number.clone().unwrap_or_default(),
                date: date.format("%Y-%m-%d").to_string(),
                total: invoice.total.unwrap_or_default(),
                status: invoice.status.clone().unwrap_or_default(),
            });
        }
        for payment in invoice.payments.iter().flatten() {
            let Some(date) = payment.date else { continue };
            let day = date.format("%Y-%m-%d").to_string();
            if summary.last_payment.as_ref().is_none_or(|p| p.date < day) {
                summary.last_payment = Some(PaymentGlance {
                    date: day,
                    amount: payment.amount.unwrap_or_default(),
                });
            }
        }
    }
    summary
}

/// The client's contact in Xero, summarised (one call).
pub async fn contact_summary(
    store: &SharedStore,
    xero: &XeroClient,
    client_id: i64,
) -> Result<ContactSummary> {
    let (tenant, contact_id) = linked_contact(store, client_id)?;
    let query = InvoiceQuery {
        page: Some(1),
        contact_ids: vec![contact_id.clone()],
        statuses: vec!["AUTHORISED".into(), "PAID".into()],
        order: Some("Date DESC".into()),
        ..InvoiceQuery::default()
    };
    let invoices = xero.invoices(&tenant, &query).await?.items;
    let sales: Vec<_> = invoices
        .into_iter()
        .filter(|i| i.invoice_type == "ACCREC")
        .collect();
    Ok(summarise(
        client_id,
        &contact_id,
        &sales,
        chrono::Local::now().date_naive(),
    ))
}

fn linked_contact(store: &SharedStore, client_id: i64) -> Result<(String, String)> {
    let store = lock(store);
    let tenant = require_tenant(&store)?;
    let client = crate::clients::get_client(&store, client_id)?;
    let link = link_of(&store, client_id)?.ok_or_else(|| {
        Error::invalid(
            "contact_id",
            format!(
                "\u{201c}{}\u{201d} isn't linked to a Xero contact yet.",
                client.details.display_name
            ),
        )
    })?;
    Ok((tenant, link.contact_id))
}

/// Xero's deep link to `target`: through the organisation's login page, so Xero opens the right
/// organisation. `base` is Xero's site (`https://go.xero.com`), or the test server's.
pub fn deep_link(base: &str, short_code: &str, target: &str) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "{}/organisationlogin/default.aspx?shortcode={}&redirecturl={}",
        base.trim_end_matches('/'),
        encode(short_code),
        encode(target)
    )
}

/// The deep link that opens the client's contact in Xero. The organisation's ShortCode is
/// asked of Xero once (one call) and kept.
pub async fn open_in_xero_link(
    store: &SharedStore,
    xero: &XeroClient,
    endpoint: &crate::connection::XeroEndpoint,
    client_id: i64,
) -> Result<String> {
    let (_, contact_id) = linked_contact(store, client_id)?;
    xero_link(
        store,
        xero,
        endpoint,
        &format!("/Contacts/View/{contact_id}"),
    )
    .await
}

/// Xero's deep link to `target` (a path in Xero, e.g. `/Contacts/View/{id}` or
/// `/AccountsReceivable/View.aspx?InvoiceID={id}`) in the connected organisation.
pub async fn xero_link(
    store: &SharedStore,
    xero: &XeroClient,
    endpoint: &crate::connection::XeroEndpoint,
    target: &str,
) -> Result<String> {
    let tenant = require_tenant(&lock(store))?;
    let known: Option<String> = lock(store).conn().query_row(
        "SELECT short_code FROM xero_connection WHERE id = 1",
        [],
        |r| r.get(0),
    )?;
    let short_code = match known.filter(|c| !c.is_empty()) {
        Some(code) => code,
        None => {
            let organisation = xero.organisation(&tenant).await?;
            let code = organisation.short_code.unwrap_or_default();
            if code.is_empty() {
                return Err(Error::Xero(scopebook_xero::XeroError::InvalidReply {
                    detail: "Xero didn't say the organisation's short code".into(),
                }));
            }
            lock(store).write(Source::Sync, |tx| {
                tx.execute(
                    "UPDATE xero_connection SET short_code = ?1 WHERE id = 1",
                    [&code],
                )?;
                tx.log(
                    "xero_connection",
                    1,
                    "short_code",
                    &serde_json::json!({ "short_code": code }),
                )
            })?;
            code
        }
    };
    Ok(deep_link(&endpoint.site(), &short_code, target))
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use scopebook_xero::models::{Invoice, InvoicePayment};

    use super::*;

    fn invoice(number: &str, date: &str, due: &str, status: &str, amount_due: Decimal) -> Invoice {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        Invoice {
            invoice_type: "ACCREC".into(),
            invoice_number: Some(number.into()),
            date: day(date),
            due_date: day(due),
            status: Some(status.into()),
            total: Some(dec!(110)),
            amount_due: Some(amount_due),
            currency_code: Some("AUD".into()),
            ..Invoice::default()
        }
    }

    #[test]
    fn outstanding_overdue_and_the_latest_invoice_and_payment() {
        let mut paid = invoice("INV-1", "2026-09-01", "2026-09-15", "PAID", dec!(0));
        paid.payments = Some(vec![InvoicePayment {
            payment_id: None,
            date: NaiveDate::from_ymd_opt(2026, 9, 10),
            amount: Some(dec!(110)),
        }]);
        let invoices = vec![
            invoice("INV-3", "2026-11-01", "2026-12-15", "AUTHORISED", dec!(110)),
            invoice("INV-2", "2026-10-01", "2026-10-15", "AUTHORISED", dec!(60)),
            paid,
        ];
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let s = summarise(7, "c-1", &invoices, today);
        assert_eq!((s.outstanding, s.unpaid_invoices), (dec!(170), 2));
        assert_eq!((s.overdue, s.overdue_invoices), (dec!(60), 1));
        assert_eq!(s.last_invoice.unwrap().number, "INV-3");
        assert_eq!(s.last_payment.unwrap().date, "2026-09-10");
        assert!(!s.partial);
        assert_eq!(s.currency.as_deref(), Some("AUD"));
    }

    #[test]
    fn a_deep_link_opens_the_contact_in_its_organisation() {
        assert_eq!(
            deep_link("https://go.xero.com/", "!xkbb3", "/Contacts/View/0b1c-2"),
            "https://go.xero.com/organisationlogin/default.aspx?shortcode=%21xkbb3\
             &redirecturl=%2FContacts%2FView%2F0b1c-2"
        );
    }
}
