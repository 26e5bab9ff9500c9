//! The billing settings: in advance or in arrears, the invoice day, DRAFT or AUTHORISED, and
//! whether Xero emails approved invoices.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Problems, Result};
use crate::store::{Source, Store};

crate::db_enum! {
    /// Which month's services an invoice bills.
    #[ts(export)]
    pub enum Timing: "billing timing" {
        /// The invoice's own month (the default).
        Advance = "advance",
        /// The month before the invoice's.
        Arrears = "arrears",
    }
}

crate::db_enum! {
    /// How invoices land in Xero.
    #[ts(export)]
    pub enum PostAs: "invoice status to post" {
        /// For review in Xero before approving.
        Draft = "draft",
        /// Approved: ready to send (and to pay).
        Authorised = "authorised",
    }
}

impl PostAs {
    /// Xero's `Status`.
    pub fn xero_status(self) -> &'static str {
        match self {
            PostAs::Draft => "DRAFT",
            PostAs::Authorised => "AUTHORISED",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BillingSettings {
    pub timing: Timing,
    /// The day of the month invoices are dated (a short month uses its last day).
    pub invoice_day: u32,
    pub post_as: PostAs,
    /// Ask Xero to email approved invoices to the client.
    pub email_invoices: bool,
}

impl Default for BillingSettings {
    fn default() -> Self {
        BillingSettings {
            timing: Timing::Advance,
            invoice_day: 1,
            post_as: PostAs::Draft,
            email_invoices: false,
        }
    }
}

pub fn billing_settings(store: &Store) -> Result<BillingSettings> {
    Ok(store
        .conn()
        .query_row(
            "SELECT timing, invoice_day, post_as, email_invoices FROM billing_settings WHERE id = 1",
            [],
            |r| {
                Ok(BillingSettings {
                    timing: r.get("timing")?,
                    invoice_day: r.get("invoice_day")?,
                    post_as: r.get("post_as")?,
                    email_invoices: r.get("email_invoices")?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

pub fn save_billing_settings(
    store: &mut Store,
    settings: &BillingSettings,
) -> Result<BillingSettings> {
    let mut problems = Problems::new();
    if !(1..=31).contains(&settings.invoice_day) {
        problems.add(
            "invoice_day",
            "Choose a day from 1 to 31 (a short month uses its last day).",
        );
    }
    problems.into_result()?;
    store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO billing_settings (id, timing, invoice_day, post_as, email_invoices, updated_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET timing = excluded.timing,
                invoice_day = excluded.invoice_day, post_as = excluded.post_as,
                email_invoices = excluded.email_invoices, updated_at = excluded.updated_at",
            params![
                settings.timing,
                settings.invoice_day,
                settings.post_as,
                settings.email_invoices,
                crate::now()
            ],
        )?;
        tx.log("billing_settings", 1, "update", settings)
    })?;
    billing_settings(store)
}
