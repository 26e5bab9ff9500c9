//! Billing: the monthly plan driven by the accepted proposals, the month's adjustments, and
//! posting the month's invoices to Xero exactly once.

pub(crate) mod adjustments;
pub mod arithmetic;
mod live;
mod plan;
mod posting;
mod repost;
mod settings;

pub use adjustments::{
    Adjustment, AdjustmentDraft, AdjustmentKind, OnInvoice, add_adjustment, adjustments,
    remove_adjustment,
};
pub use live::{PaymentsReport, PostingDryRun, dry_run_post, refresh_payments};
pub use plan::{
    BillingPlan, InvoiceLine, InvoiceRow, LineSource, Movement, MovementTotal, Movements,
    PlanFigures, PlanState, PlannedInvoice, PlannedLine, billing_plan, billing_plan_with,
    planned_invoice,
};
pub(crate) use posting::billing_month_of;
pub use posting::{
    BillingMonth, OutboxInvoice, OutboxState, PostOptions, PostingProgress, PostingReport,
    billing_month, outbox, overdue_invoices, post_month, xero_invoice,
};
pub use repost::repost_voided;
pub use settings::{BillingSettings, PostAs, Timing, billing_settings, save_billing_settings};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod posting_sim;

#[cfg(test)]
use posting::posting_queue_for_tests;
