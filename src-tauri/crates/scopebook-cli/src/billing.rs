//! `scopebook billing …`, `scopebook post` and `scopebook payments refresh`: the monthly plan,
//! its adjustments, posting the month's invoices (for a scheduler too) and payments back.

use std::io::Write;
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use scopebook_core::billing::{
    self, AdjustmentDraft, AdjustmentKind, BillingSettings, PostAs, PostOptions, Timing,
};
use scopebook_core::connection;
use scopebook_core::store::{SharedStore, lock};
use scopebook_core::{Error, Result};

use crate::xero::{EndpointFlags, prepare};

/// A posting run that paused (a rate limit, an outage, the day's calls): run again later.
pub const PAUSED: u8 = 8;
/// Xero refused some invoices: fix what they say, then run again.
pub const REFUSED: u8 = 9;

#[derive(Subcommand, Debug)]
pub enum BillingCommand {
    /// The month's invoices from the accepted proposals, with changes since last month.
    Plan {
        /// The invoice month, YYYY-MM.
        #[arg(long)]
        month: String,
    },
    /// Shows the billing settings, or changes those given.
    Settings {
        #[arg(long, value_enum)]
        timing: Option<TimingArg>,
        /// The day of the month invoices are dated (1-31; a short month uses its last day).
        #[arg(long)]
        invoice_day: Option<u32>,
        #[arg(long, value_enum)]
        post_as: Option<StatusArg>,
        /// Ask Xero to email approved invoices to each client (one call per invoice).
        #[arg(long)]
        email_invoices: Option<bool>,
    },
    /// Skips a client this month (no invoice).
    Skip {
        client: String,
        #[arg(long)]
        month: String,
    },
    /// Holds a client's invoice this month (not posted until the hold is removed).
    Hold {
        client: String,
        #[arg(long)]
        month: String,
    },
    /// Adds a one-off line to a client's invoice this month.
    AddLine {
        client: String,
        #[arg(long)]
        month: String,
        #[arg(long)]
        description: String,
        /// The unit amount, in the practice's way of writing numbers.
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "1")]
        quantity: String,
        /// On a new invoice beside the month's, posted separately with its own Reference.
        #[arg(long, conflicts_with = "invoice")]
        separate: bool,
        /// On separate invoice N, started earlier this month with `--separate`.
        #[arg(long)]
        invoice: Option<u32>,
    },
    /// Lists the month's adjustments.
    Adjustments {
        #[arg(long)]
        month: String,
    },
    /// Removes an adjustment (its number from `billing adjustments`).
    RemoveAdjustment { id: i64 },
    /// Posts again, as a new invoice, one that was voided in Xero (its outbox number from
    /// `post --json`); the next `post` sends it.
    Repost { id: i64 },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TimingArg {
    Advance,
    Arrears,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StatusArg {
    Draft,
    Authorised,
}

impl From<StatusArg> for PostAs {
    fn from(value: StatusArg) -> Self {
        match value {
            StatusArg::Draft => PostAs::Draft,
            StatusArg::Authorised => PostAs::Authorised,
        }
    }
}

fn io(e: std::io::Error) -> Error {
    Error::io("Couldn't write the output", e)
}

fn json_out(out: &mut impl Write, value: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)
        .map_err(|e| Error::io("Couldn't write the output", std::io::Error::other(e)))?;
    writeln!(out).map_err(io)
}

pub fn run(
    store: SharedStore,
    command: BillingCommand,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let mut store = lock(&store);
    match command {
        BillingCommand::Plan { month } => {
            let plan = billing::billing_plan(&store, &month)?;
            if json {
                return json_out(out, &plan);
            }
            writeln!(
                out,
                "{} invoices dated {} for the services of {} ({}).",
                plan.figures.month,
                plan.figures.invoice_date,
                plan.figures.service_month,
                plan.figures.timing.as_str()
            )
            .map_err(io)?;
            for i in &plan.invoices {
                writeln!(
                    out,
                    "{:<6} {:<36} {:<8} {:>12.2} {:<11} {}",
                    i.client_id,
                    if i.seq > 1 {
                        format!("{} (invoice {})", i.client_name, i.seq)
                    } else {
                        i.client_name.clone()
                    },
                    i.state.as_str(),
                    i.totals.total,
                    i.movement.map_or("separate", |m| m.as_str()),
                    i.warnings.join(" ")
                )
                .map_err(io)?;
            }
            writeln!(
                out,
                "{} ready ({:.2}), {} blocked. Recurring fees a month: {:.2} (was {:.2}).",
                plan.figures.ready,
                plan.figures.ready_total,
                plan.figures.blocked,
                plan.figures.recurring,
                plan.figures.recurring_before
            )
            .map_err(io)?;
            let m = &plan.figures.movements;
            writeln!(
                out,
                "New {} ({}), expansion {} ({}), contraction {} ({}), churn {} ({}), unchanged {}.",
                m.new.clients,
                m.new.amount,
                m.expansion.clients,
                m.expansion.amount,
                m.contraction.clients,
                m.contraction.amount,
                m.churn.clients,
                m.churn.amount,
                m.unchanged.clients
            )
            .map_err(io)?;
        }
        BillingCommand::Settings {
            timing,
            invoice_day,
            post_as,
            email_invoices,
        } => {
            let mut settings: BillingSettings = billing::billing_settings(&store)?;
            if let Some(email) = email_invoices {
                settings.email_invoices = email;
            }
            if timing.is_some()
                || invoice_day.is_some()
                || post_as.is_some()
                || email_invoices.is_some()
            {
                if let Some(t) = timing {
                    settings.timing = match t {
                        TimingArg::Advance => Timing::Advance,
                        TimingArg::Arrears => Timing::Arrears,
                    };
                }
                if let Some(day) = invoice_day {
                    settings.invoice_day = day;
                }
                if let Some(p) = post_as {
                    settings.post_as = p.into();
                }
                settings = billing::save_billing_settings(&mut store, &settings)?;
            }
            if json {
                return json_out(out, &settings);
            }
            writeln!(
                out,
                "Billing in {}, invoices dated on day {}, posted as {}{}.",
                settings.timing.as_str(),
                settings.invoice_day,
                settings.post_as.xero_status(),
                if settings.email_invoices {
                    ", emailed by Xero when approved"
                } else {
                    ""
                }
            )
            .map_err(io)?;
        }
        BillingCommand::Skip { client, month } => {
            mark(&mut store, &client, &month, AdjustmentKind::Skip, out)?;
        }
        BillingCommand::Hold { client, month } => {
            mark(&mut store, &client, &month, AdjustmentKind::Hold, out)?;
        }
        BillingCommand::AddLine {
            client,
            month,
            description,
            amount,
            quantity,
            separate,
            invoice,
        } => {
            let client = scopebook_core::clients::find_client(&store, &client)?;
            let on = match (separate, invoice) {
                (true, _) => billing::OnInvoice::Separate,
                (false, Some(n)) => billing::OnInvoice::Existing(n),
                (false, None) => billing::OnInvoice::Month,
            };
            let added = billing::add_adjustment(
                &mut store,
                &AdjustmentDraft {
                    month,
                    client_id: client.id,
                    kind: Some(AdjustmentKind::ExtraLine),
                    description,
                    quantity,
                    unit_amount: amount,
                    invoice: on,
                    ..AdjustmentDraft::default()
                },
            )?;
            let on_what = match added.invoice_seq {
                1 => "the month's invoice".to_string(),
                n => format!("separate invoice {n}"),
            };
            writeln!(
                out,
                "Added line {} to {} ({on_what}).",
                added.id, client.details.display_name
            )
            .map_err(io)?;
        }
        BillingCommand::Adjustments { month } => {
            let list = billing::adjustments(&store, &month)?;
            if json {
                return json_out(out, &list);
            }
            for a in &list {
                writeln!(
                    out,
                    "{:<5} client {:<6} {:<12} {}",
                    a.id,
                    a.client_id,
                    a.kind.as_str(),
                    a.description
                )
                .map_err(io)?;
            }
        }
        BillingCommand::Repost { id } => {
            let again = billing::repost_voided(&mut store, id)?;
            writeln!(out, "{} will be posted by the next run.", again.reference).map_err(io)?;
        }
        BillingCommand::RemoveAdjustment { id } => {
            billing::remove_adjustment(&mut store, id)?;
            writeln!(out, "Removed.").map_err(io)?;
        }
    }
    Ok(())
}

/// Skips or holds a client's invoice for the month.
fn mark(
    store: &mut scopebook_core::Store,
    client: &str,
    month: &str,
    kind: AdjustmentKind,
    out: &mut impl Write,
) -> Result<()> {
    let client = scopebook_core::clients::find_client(store, client)?;
    let added = billing::add_adjustment(
        store,
        &AdjustmentDraft {
            month: month.to_string(),
            client_id: client.id,
            kind: Some(kind),
            ..AdjustmentDraft::default()
        },
    )?;
    let what = match kind {
        AdjustmentKind::Skip => "skipped",
        _ => "held",
    };
    writeln!(
        out,
        "{} is {what} in {month} (adjustment {}; `billing remove-adjustment {}` undoes it).",
        client.details.display_name, added.id, added.id
    )
    .map_err(io)
}

/// `scopebook post`: the month's invoices to Xero (or, with `--dry-run`, what would go).
pub fn post(
    store: SharedStore,
    flags: &EndpointFlags,
    month: &str,
    dry_run: bool,
    status: Option<StatusArg>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let (endpoint, runtime) = prepare(flags)?;
    runtime.block_on(async {
        let xero = connection::xero_client(&store, &endpoint)?;
        if dry_run {
            let dry = billing::dry_run_post(&store, &xero, month).await?;
            if json {
                json_out(out, &dry)?;
            } else {
                for i in &dry.invoices {
                    writeln!(out, "{:<36} {:>12.2}  {}", i.client_name, i.totals.total, i.reference)
                        .map_err(io)?;
                }
                for i in &dry.blocked {
                    writeln!(out, "{:<36} blocked: {}", i.client_name, i.warnings.join(" "))
                        .map_err(io)?;
                }
                writeln!(
                    out,
                    "Dry run: nothing was sent. {} invoice(s) would be posted in {} call(s); {} call(s) left today.",
                    dry.invoices.len(),
                    dry.calls_needed,
                    dry.calls_left_today
                )
                .map_err(io)?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        let holder = format!("scopebook post (process {})", std::process::id());
        let never = std::sync::atomic::AtomicBool::new(false);
        let options = PostOptions {
            post_as: status.map(PostAs::from),
        };
        let report = billing::post_month(&store, &xero, month, options, &holder, &never, |p| {
            eprintln!("{} of {} done ({} posted, {} refused)", p.done, p.total, p.posted, p.failed);
        })
        .await?;
        if json {
            json_out(out, &report)?;
        } else {
            for i in &report.invoices {
                writeln!(
                    out,
                    "{:<36} {:<9} {:<12} {:>12.2}  {}",
                    i.client_name,
                    i.state.as_str(),
                    i.invoice_number.as_deref().unwrap_or(""),
                    i.total,
                    i.messages.join(" ")
                )
                .map_err(io)?;
            }
            writeln!(
                out,
                "Posted {}, found already in Xero {}, refused {}, still to post {}, emailed {}; {} call(s).",
                report.posted,
                report.reconciled,
                report.failed,
                report.remaining,
                report.emailed,
                report.calls
            )
            .map_err(io)?;
            if let Some(why) = &report.paused {
                writeln!(out, "Paused: {why}").map_err(io)?;
            }
        }
        let refused = report
            .invoices
            .iter()
            .any(|i| i.state == billing::OutboxState::Failed);
        Ok(if report.paused.is_some() || report.remaining > 0 {
            ExitCode::from(PAUSED)
        } else if refused {
            ExitCode::from(REFUSED)
        } else {
            ExitCode::SUCCESS
        })
    })
}

/// `scopebook payments refresh`.
pub fn refresh_payments(
    store: SharedStore,
    flags: &EndpointFlags,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let (endpoint, runtime) = prepare(flags)?;
    runtime.block_on(async {
        let xero = connection::xero_client(&store, &endpoint)?;
        let report = billing::refresh_payments(&store, &xero).await?;
        if json {
            return json_out(out, &report);
        }
        for (what, list) in [
            ("Paid", &report.paid),
            ("Part-paid", &report.part_paid),
            ("Voided", &report.voided),
        ] {
            for i in list {
                writeln!(
                    out,
                    "{what:<10} {:<12} {:<36} {}",
                    i.invoice_number.as_deref().unwrap_or(""),
                    i.client_name,
                    i.total
                )
                .map_err(io)?;
            }
        }
        writeln!(
            out,
            "{} invoice(s) changed in Xero; {} call(s).",
            report.changed, report.calls
        )
        .map_err(io)
    })
}
