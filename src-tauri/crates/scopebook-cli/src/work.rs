//! `scopebook work …` and `scopebook report scope-creep`: work done for clients, checked against
//! their accepted scope, and out-of-scope work billed.

use std::io::Write;

use clap::Subcommand;
use scopebook_core::reports;
use scopebook_core::scope_creep::{self, WorkDraft};
use scopebook_core::{Error, Result, Store, clients};

#[derive(Subcommand, Debug)]
pub enum WorkCommand {
    /// Logs work done for a client and says whether its accepted scope covers it.
    Log {
        client: String,
        /// What was done.
        #[arg(long)]
        what: String,
        #[arg(long)]
        minutes: String,
        /// The day it was done, YYYY-MM-DD (today when left out).
        #[arg(long)]
        on: Option<String>,
        /// Who did it.
        #[arg(long, default_value = "")]
        by: String,
        /// The catalogue service it was (its number), when it was one.
        #[arg(long)]
        service: Option<i64>,
    },
    /// Lists logged work, newest first.
    List {
        #[arg(long)]
        client: Option<String>,
    },
    /// Gathers out-of-scope work into an amendment of the client's accepted proposal that adds a
    /// service to cover it (a draft to review and send).
    Propose {
        client: String,
        /// The work's numbers (from `work list`), comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        work: Vec<i64>,
        /// The catalogue service (its number) that will cover it.
        #[arg(long)]
        service: i64,
        /// The month the amendment takes over, YYYY-MM.
        #[arg(long)]
        from: String,
    },
    /// Puts out-of-scope work on a month's invoice: its hours at an hourly rate, or at a
    /// catalogue service's price.
    Bill {
        id: i64,
        #[arg(long)]
        month: String,
        /// An hourly rate for the hours spent.
        #[arg(long, required_unless_present = "service", conflicts_with = "service")]
        rate: Option<String>,
        /// The catalogue service (its number) whose price it is billed at.
        #[arg(long)]
        service: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The clients with the most unbilled out-of-scope time.
    ScopeCreep {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// As CSV.
        #[arg(long)]
        csv: bool,
    },
    /// Recurring revenue month by month and its movements (new, expansion, contraction, churn).
    Revenue(ReportArgs),
    /// Revenue by service and by category: per month, share of the total, growth.
    Services(ReportArgs),
    /// Profitability per service per client: fee, staff time, cost, margin, hourly rate.
    Profitability(ReportArgs),
}

/// What a report covers (the default range: the last 12 months and the next 3).
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The first month, YYYY-MM.
    #[arg(long, default_value = "")]
    from: String,
    /// The last month, YYYY-MM (months after this one are a forecast).
    #[arg(long, default_value = "")]
    to: String,
    /// Only this category of services.
    #[arg(long)]
    category: Option<String>,
    /// Only this catalogue service (its number, as `services list` shows it).
    #[arg(long)]
    service: Option<i64>,
    /// Which clients: all (archived too), active or archived.
    #[arg(long, value_enum, default_value = "all")]
    clients: ClientsArg,
    /// As CSV.
    #[arg(long, conflicts_with = "pdf")]
    csv: bool,
    /// Printed to this PDF file (the firm's name, colour and logo) instead.
    #[arg(long)]
    pdf: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ClientsArg {
    All,
    Active,
    Archived,
}

impl ReportArgs {
    fn filter(&self, store: &Store) -> Result<reports::ReportFilter> {
        let service_id = match self.service {
            Some(id) => Some(scopebook_core::catalog::get_service(store, id)?.id),
            None => None,
        };
        Ok(reports::ReportFilter {
            from: self.from.clone(),
            to: self.to.clone(),
            category: self.category.clone(),
            service_id,
            clients: match self.clients {
                ClientsArg::All => reports::ReportClients::All,
                ClientsArg::Active => reports::ReportClients::Active,
                ClientsArg::Archived => reports::ReportClients::Archived,
            },
        })
    }
}

/// Prints the report to `args.pdf` and says where.
fn print_pdf(
    store: &Store,
    out: &mut impl Write,
    kind: reports::ReportKind,
    filter: &reports::ReportFilter,
    args: &ReportArgs,
) -> Result<()> {
    let Some(path) = &args.pdf else {
        return Ok(());
    };
    let pdf = reports::report_pdf(store, kind, filter, reports::today())?;
    std::fs::write(path, &pdf)
        .map_err(|e| Error::io(format!("Couldn't write {}", path.display()), e))?;
    writeln!(
        out,
        "Printed to {} ({} KB).",
        path.display(),
        pdf.len().div_ceil(1024)
    )
    .map_err(io)
}

/// A report's table as CSV, or as aligned text with its title.
fn print_table(out: &mut impl Write, table: &reports::ReportTable, csv: bool) -> Result<()> {
    if csv {
        return write!(out, "{}", table.csv()?).map_err(io);
    }
    writeln!(out, "{}\n{}\n", table.title, table.subtitle).map_err(io)?;
    let widths: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .map(|(at, c)| {
            table
                .rows
                .iter()
                .filter_map(|r| r.get(at))
                .map(|v| v.chars().count())
                .chain([c.name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&table.columns)
            .zip(&widths)
            .map(|((v, c), w)| {
                if c.kind != reports::ColumnKind::Text {
                    format!("{v:>w$}")
                } else {
                    format!("{v:<w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(
        out,
        "{}",
        line(table.columns.iter().map(|c| c.name.as_str()).collect())
    )
    .map_err(io)?;
    for row in &table.rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect())).map_err(io)?;
    }
    Ok(())
}

fn io(e: std::io::Error) -> Error {
    Error::io("Couldn't write the output", e)
}

pub fn run(
    store: &mut Store,
    command: WorkCommand,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    match command {
        WorkCommand::Log {
            client,
            what,
            minutes,
            on,
            by,
            service,
        } => {
            let client = clients::find_client(store, &client)?;
            let work = scope_creep::log_work(
                store,
                &WorkDraft {
                    client_id: client.id,
                    done_on: on.unwrap_or_default(),
                    description: what,
                    done_by: by,
                    minutes,
                    service_id: service,
                },
            )?;
            if json {
                return crate::print_json(out, &work);
            }
            writeln!(
                out,
                "Logged {} ({} min): {} {}",
                work.id,
                work.minutes,
                work.coverage.as_str().replace('_', " "),
                work.coverage_reason
            )
            .map_err(io)
        }
        WorkCommand::List { client } => {
            let client = client
                .map(|c| clients::find_client(store, &c))
                .transpose()?;
            let list = scope_creep::work_list(store, client.map(|c| c.id))?;
            if json {
                return crate::print_json(out, &list);
            }
            for w in &list {
                writeln!(
                    out,
                    "{:<5} {} {:<28} {:>5} min  {:<12} {}{}",
                    w.id,
                    w.done_on,
                    w.client_name,
                    w.minutes,
                    w.coverage.as_str(),
                    w.description,
                    if w.billed_adjustment_id.is_some() {
                        "  (billed)"
                    } else {
                        ""
                    }
                )
                .map_err(io)?;
            }
            Ok(())
        }
        WorkCommand::Propose {
            client,
            work,
            service,
            from,
        } => {
            let client = clients::find_client(store, &client)?;
            let proposal = scope_creep::propose_work(
                store,
                &scope_creep::WorkProposalDraft {
                    client_id: client.id,
                    work_ids: work,
                    service_id: service,
                    effective_from: from,
                },
            )?;
            if json {
                return crate::print_json(out, &proposal);
            }
            writeln!(
                out,
                "Drafted {} v{} for {}: review and send it.",
                proposal.number, proposal.version, client.details.display_name
            )
            .map_err(io)
        }
        WorkCommand::Bill {
            id,
            month,
            rate,
            service,
        } => {
            let at = match (service, rate) {
                (Some(service_id), _) => scope_creep::BillAt::Service { service_id },
                (None, rate) => scope_creep::BillAt::HourlyRate {
                    rate: rate.unwrap_or_default(),
                },
            };
            let work = scope_creep::bill_work(store, id, &month, &at)?;
            writeln!(
                out,
                "{} is on {}'s {month} invoice.",
                work.description, work.client_name
            )
            .map_err(io)
        }
    }
}

pub fn report(
    store: &Store,
    command: ReportCommand,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    match command {
        ReportCommand::ScopeCreep { from, to, csv } => {
            let rows = scope_creep::scope_creep_report(store, &from, &to)?;
            if json {
                return crate::print_json(out, &rows);
            }
            if csv {
                writeln!(out, "client,unbilled_minutes,entries").map_err(io)?;
                for r in &rows {
                    let name = r.client_name.replace('"', "\"\"");
                    writeln!(out, "\"{name}\",{},{}", r.unbilled_minutes, r.entries).map_err(io)?;
                }
                return Ok(());
            }
            for r in &rows {
                writeln!(
                    out,
                    "{:<36} {:>6} min unbilled in {} entr{}",
                    r.client_name,
                    r.unbilled_minutes,
                    r.entries,
                    if r.entries == 1 { "y" } else { "ies" }
                )
                .map_err(io)?;
            }
            Ok(())
        }
        ReportCommand::Revenue(args) => {
            let filter = args.filter(store)?;
            if args.pdf.is_some() {
                return print_pdf(store, out, reports::ReportKind::Revenue, &filter, &args);
            }
            let report = reports::revenue_report(store, &filter, reports::today())?;
            if json {
                return crate::print_json(out, &report);
            }
            print_table(out, &report.table, args.csv)
        }
        ReportCommand::Services(args) => {
            let filter = args.filter(store)?;
            if args.pdf.is_some() {
                return print_pdf(store, out, reports::ReportKind::Services, &filter, &args);
            }
            let report = reports::services_report(store, &filter, reports::today())?;
            if json {
                return crate::print_json(out, &report);
            }
            print_table(out, &report.table, args.csv)
        }
        ReportCommand::Profitability(args) => {
            let filter = args.filter(store)?;
            if args.pdf.is_some() {
                return print_pdf(
                    store,
                    out,
                    reports::ReportKind::Profitability,
                    &filter,
                    &args,
                );
            }
            let report = reports::profitability_report(store, &filter, reports::today())?;
            if json {
                return crate::print_json(out, &report);
            }
            print_table(out, &report.table, args.csv)
        }
    }
}
