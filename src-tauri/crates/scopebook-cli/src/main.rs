//! `scopebook`: Scopebook's use cases without the window, for scripting and scheduled jobs.
//! Every command calls the same `scopebook-core` function the app does; none decides anything.

mod backup;
mod billing;
mod work;
mod xero;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use scopebook_core::catalog::{
    self, DriverChoiceDraft, DriverDraft, DriverOp, Frequency, PricingDraft, PricingKind, Service,
    ServiceDraft, ServiceFilter, TierDraft,
};
use scopebook_core::clients::import::{self as client_import, RowStatus};
use scopebook_core::clients::{self, ClientFilter, ClientStatusFilter};
use scopebook_core::error::ErrorCode;
use scopebook_core::practice::{self, PracticeSetup};
use scopebook_core::proposals::{self, ProposalFilter};
use scopebook_core::{DATA_DIR_ENV, Error, Store};

/// What a script can branch on: the process's exit code for each kind of failure.
const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  something else went wrong
  2  the command line itself is wrong (unknown command or flag, missing value)
  3  bad input: a field, a CSV row or a file's content needs fixing
  4  not found: the client, service or proposal named doesn't exist
  5  conflict: already done, in use by other records, or the data file is busy
  6  Xero, the keychain, email or the network
  7  the data file or another file can't be read or written
  8  post: the run paused (Xero's limits, an outage, the day's calls): run again later
  9  post: Xero refused some invoices (see their messages): fix them, then run again

With --json, a failure prints {\"code\", \"message\", \"fields\"} as JSON on standard output.";

#[derive(Parser)]
#[command(
    name = "scopebook",
    version,
    about = "Scopebook from the command line",
    after_help = EXIT_CODES
)]
struct Cli {
    /// The data folder (default: $SCOPEBOOK_DATA_DIR, else the app's own folder).
    #[arg(long, global = true, env = DATA_DIR_ENV)]
    data_dir: Option<PathBuf>,
    /// Prints results, and any error, as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(flatten)]
    xero: xero::EndpointFlags,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The practice's settings.
    #[command(subcommand)]
    Practice(PracticeCommand),
    /// The services & pricing catalogue.
    #[command(subcommand)]
    Services(ServicesCommand),
    /// Clients and prospects.
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Proposals and letters of engagement.
    #[command(subcommand)]
    Proposals(ProposalsCommand),
    /// The Xero connection.
    #[command(subcommand)]
    Xero(xero::XeroCommand),
    /// Syncs clients with the connected organisation's contacts, both ways: Xero's changes come
    /// here, the changes of clients whose "push my changes to Xero" is on go there (new ones
    /// are created, unless a contact may be them already), and a detail changed on both sides
    /// waits as a conflict (`xero resolve`). Calls: one per 1,000 contacts changed in Xero
    /// (one when nothing changed), one per 50 clients sent.
    Sync {
        /// Show what would change on each side, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The monthly billing plan, its settings and a month's adjustments.
    #[command(subcommand)]
    Billing(billing::BillingCommand),
    /// Posts the month's invoices to Xero, each exactly once (safe to run again, and from a
    /// scheduler: exit code 8 means "paused, run again later", 9 "Xero refused some").
    Post {
        /// The invoice month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Check against Xero now (reads only) and show what would be posted.
        #[arg(long)]
        dry_run: bool,
        /// DRAFT or AUTHORISED for this run (the billing setting otherwise).
        #[arg(long, value_enum)]
        status: Option<billing::StatusArg>,
    },
    /// Payments back from Xero.
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// Work done for clients, checked against their accepted scope.
    #[command(subcommand)]
    Work(work::WorkCommand),
    /// Reports.
    #[command(subcommand)]
    Report(work::ReportCommand),
    /// Takes a backup of the data file now (into the data folder's `backups`), keeping the
    /// newest N; `--list` shows them.
    Backup(backup::BackupArgs),
    /// Puts a backup back as the data file (the current file is backed up first). Works on a
    /// data file that no longer opens: it is moved aside, never deleted.
    Restore(backup::RestoreArgs),
    /// Writes one zip archive with every table as CSV, the data file and every proposal's PDF.
    ExportAll(backup::ExportArgs),
}

#[derive(Subcommand)]
enum PaymentsCommand {
    /// Brings back the status of the posted invoices (only what changed in Xero).
    Refresh,
}

#[derive(Subcommand)]
enum ProposalsCommand {
    /// Lists proposals, newest first.
    List {
        /// Only those matching all of these words.
        #[arg(long)]
        search: Option<String>,
    },
    /// Shows one proposal ("P-2026-0042", or "P-2026-0042 v2" for a version).
    Show { number: String },
    /// Writes a proposal as PDF.
    Pdf {
        number: String,
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum ClientsCommand {
    /// Lists clients and prospects.
    List {
        /// Only those matching all of these words.
        #[arg(long)]
        search: Option<String>,
        /// all (active clients and prospects), prospects, clients or archived.
        #[arg(long, default_value = "all", value_parser = parse_status)]
        status: ClientStatusFilter,
    },
    /// Imports clients from a CSV file: every line, or none if any is wrong.
    Import {
        #[arg(long)]
        csv: PathBuf,
        /// Checks and reports each line, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Removes every client an import created (if none has changed since).
    UndoImport { batch: String },
    /// Writes clients as CSV.
    Export {
        #[arg(long, required = true)]
        csv: bool,
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

fn parse_status(text: &str) -> Result<ClientStatusFilter, String> {
    match text {
        "all" => Ok(ClientStatusFilter::All),
        "prospects" => Ok(ClientStatusFilter::Prospects),
        "clients" => Ok(ClientStatusFilter::Clients),
        "archived" => Ok(ClientStatusFilter::Archived),
        _ => Err("use all, prospects, clients or archived".into()),
    }
}

#[derive(Subcommand)]
enum PracticeCommand {
    /// Shows the practice's settings.
    Show,
    /// Sets up a new practice (what the app's first-run screen does).
    Setup {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "AU")]
        country: String,
        #[arg(long, default_value = "AUD")]
        currency: String,
    },
}

// Parsed once per run: the size of the largest variant doesn't matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum ServicesCommand {
    /// Lists services.
    List {
        /// Only services matching all of these words (name, description, category, unit).
        #[arg(long)]
        search: Option<String>,
        /// Only services in this category.
        #[arg(long)]
        category: Option<String>,
        /// Lists archived services instead of active ones.
        #[arg(long)]
        archived: bool,
    },
    /// Adds a service.
    Add(Box<AddService>),
    /// Writes the active catalogue as CSV.
    Export {
        /// CSV is the only format; the flag makes scripts say what they expect.
        #[arg(long, required = true)]
        csv: bool,
        /// The file to write (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Reads services from a CSV file: all rows or none.
    Import {
        /// The CSV file to read.
        #[arg(long)]
        csv: PathBuf,
        /// Checks every row and reports, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Args)]
struct AddService {
    #[arg(long)]
    name: String,
    #[arg(long, default_value = "")]
    category: String,
    #[arg(long, default_value = "")]
    description: String,
    /// fixed, per_unit or hourly.
    #[arg(long, value_parser = parse_kind)]
    pricing: PricingKind,
    /// The fixed price, the hourly rate, or a flat price per unit.
    #[arg(long, default_value = "")]
    price: String,
    /// What a per-unit service counts ("transactions").
    #[arg(long, default_value = "")]
    unit: String,
    /// A graduated tier as UP_TO:PRICE, the last as rest:PRICE; repeat for each tier.
    #[arg(long = "tier")]
    tiers: Vec<String>,
    /// A price driver as NAME:OPERATION:CHOICE=VALUE,CHOICE=VALUE… (operation multiply, add,
    /// subtract or percent; the first choice is the default), e.g.
    /// "Quality of the books:multiply:good=1,average=1.15,poor=1.3"; repeat for each, in order.
    #[arg(long = "driver", value_parser = parse_driver)]
    drivers: Vec<DriverDraft>,
    /// The service's own terms, printed in the letter of engagement when it is in scope.
    #[arg(long, default_value = "")]
    terms: String,
    /// The typical quantity of a per-unit service.
    #[arg(long, default_value = "1")]
    quantity: String,
    /// A range's highest estimate (`--price` is the lowest), with `--pricing range`.
    #[arg(long, default_value = "")]
    price_high: String,
    /// Estimated hours of an hourly service.
    #[arg(long, default_value = "")]
    hours: String,
    /// one_off, weekly, monthly, quarterly or annually.
    #[arg(long, value_parser = parse_frequency, default_value = "monthly")]
    frequency: Frequency,
    #[arg(long, default_value = "")]
    account_code: String,
    #[arg(long, default_value = "")]
    tax_type: String,
    /// Staff minutes each period.
    #[arg(long, default_value = "")]
    minutes: String,
}

fn parse_kind(text: &str) -> Result<PricingKind, String> {
    PricingKind::from_user_text(text)
        .ok_or_else(|| "use fixed, per_unit, hourly, minimum, range or included".to_string())
}

fn parse_frequency(text: &str) -> Result<Frequency, String> {
    Frequency::from_user_text(text)
        .ok_or_else(|| "use one_off, weekly, monthly, quarterly or annually".to_string())
}

/// The exit code for each kind of failure (listed in `--help`, see [`EXIT_CODES`]).
fn exit_code(code: ErrorCode) -> u8 {
    use ErrorCode as C;
    match code {
        C::Invalid | C::NotSetUp | C::BadRequest => INVALID,
        C::NotFound => 4,
        C::AlreadyDone | C::InUse | C::Busy => 5,
        C::XeroNotConnected
        | C::XeroUnauthorised
        | C::XeroForbidden
        | C::XeroNotFound
        | C::XeroRateLimited
        | C::XeroValidation
        | C::XeroUnavailable
        | C::XeroUncertain
        | C::XeroNetwork
        | C::XeroInvalidReply
        | C::XeroAuthorization
        | C::Keychain
        | C::Email => 6,
        C::NewerDatabase | C::UnreadableDatabase | C::Database | C::Io => 7,
        _ => 1,
    }
}

/// Bad input: also what an import with bad rows ends with.
const INVALID: u8 = 3;

fn main() -> ExitCode {
    // Known before parsing, so that a usage error is JSON too when asked.
    let json = std::env::args_os().any(|a| a == "--json");
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if json && error.use_stderr() => {
            let report = serde_json::json!({
                "code": "usage",
                "message": error.kind().to_string(),
                "fields": [],
                "detail": error.render().to_string(),
            });
            println!("{report}");
            return ExitCode::from(2);
        }
        Err(error) => error.exit(),
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            let report = error.report();
            if json {
                match serde_json::to_string(&report) {
                    Ok(text) => println!("{text}"),
                    Err(_) => eprintln!("error: {error}"),
                }
            }
            eprintln!("error: {}", report.message);
            if report.fields.len() > 1 {
                for field in &report.fields {
                    eprintln!("  {}: {}", field.field, field.message);
                }
            }
            ExitCode::from(exit_code(report.code))
        }
    }
}

fn run(cli: Cli) -> scopebook_core::Result<ExitCode> {
    let json = cli.json;
    let dir = scopebook_core::data_dir(cli.data_dir.as_deref())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // These open the data file themselves (a restore must work when it doesn't open).
    let command = match cli.command {
        Command::Backup(args) => {
            backup::backup(&dir, args, json, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Restore(args) => {
            backup::restore(&dir, args, json, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::ExportAll(args) => {
            backup::export_all(&dir, args, json, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        other => other,
    };
    let mut store = Store::open_in(&dir)?;
    let command = match command {
        Command::Xero(command) => {
            let shared = std::sync::Arc::new(std::sync::Mutex::new(store));
            xero::run(shared, &cli.xero, command, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Sync { dry_run } => {
            let shared = std::sync::Arc::new(std::sync::Mutex::new(store));
            xero::sync(shared, &cli.xero, cli.json, dry_run, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Billing(command) => {
            let shared = std::sync::Arc::new(std::sync::Mutex::new(store));
            billing::run(shared, command, cli.json, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Post {
            month,
            dry_run,
            status,
        } => {
            let shared = std::sync::Arc::new(std::sync::Mutex::new(store));
            return billing::post(
                shared, &cli.xero, &month, dry_run, status, cli.json, &mut out,
            );
        }
        Command::Payments(PaymentsCommand::Refresh) => {
            let shared = std::sync::Arc::new(std::sync::Mutex::new(store));
            billing::refresh_payments(shared, &cli.xero, cli.json, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        other => other,
    };
    let write_error = |e: std::io::Error| Error::io("Couldn't write the output", e);
    match command {
        Command::Work(command) => work::run(&mut store, command, json, &mut out)?,
        Command::Report(command) => work::report(&store, command, json, &mut out)?,
        Command::Xero(_)
        | Command::Sync { .. }
        | Command::Billing(_)
        | Command::Post { .. }
        | Command::Payments(_)
        | Command::Backup(_)
        | Command::Restore(_)
        | Command::ExportAll(_) => {}
        Command::Proposals(ProposalsCommand::List { search }) => {
            proposals::expire_overdue(&mut store)?;
            let list = proposals::list_proposals(
                &store,
                &ProposalFilter {
                    search,
                    ..Default::default()
                },
            )?;
            if json {
                print_json(&mut out, &list)?;
            } else if list.is_empty() {
                writeln!(out, "No proposals.").map_err(write_error)?;
            } else {
                let currency = practice::require_practice(&store)?.base_currency;
                writeln!(
                    out,
                    "{:<16} {:<30} {:<10} {:>16} {:>16}",
                    "NUMBER", "CLIENT", "STATUS", "MONTHLY", "ONE-OFF"
                )
                .map_err(write_error)?;
                for p in &list {
                    writeln!(
                        out,
                        "{:<16} {:<30} {:<10} {:>16} {:>16}",
                        p.label(),
                        truncate(&p.client_name, 30),
                        p.status.as_str(),
                        format!("{currency} {}", p.totals.monthly),
                        format!("{currency} {}", p.totals.one_off)
                    )
                    .map_err(write_error)?;
                }
            }
        }
        Command::Proposals(ProposalsCommand::Show { number }) => {
            let p = proposals::find_by_number(&store, &number)?;
            if json {
                print_json(&mut out, &p)?;
            } else {
                let practice = practice::require_practice(&store)?;
                let (currency, numbers) = (practice.currency(), practice.number_format());
                let money = |d| scopebook_core::money::format_money(d, currency, numbers);
                writeln!(
                    out,
                    "{} — {} ({})",
                    p.label(),
                    p.client_name,
                    p.status.as_str()
                )
                .map_err(write_error)?;
                writeln!(out, "{}  · valid until {}", p.title, p.valid_until)
                    .map_err(write_error)?;
                for l in &p.lines {
                    writeln!(
                        out,
                        "  {:<32} {:>10} {:<10} from {:<8} {:>14}{}",
                        truncate(&l.name, 32),
                        l.quantity.normalize().to_string(),
                        l.frequency.as_str(),
                        l.start_month,
                        money(l.price),
                        if l.optional {
                            if l.chosen {
                                "  (optional, chosen)"
                            } else {
                                "  (optional)"
                            }
                        } else {
                            ""
                        }
                    )
                    .map_err(write_error)?;
                }
                for item in &p.scope_out {
                    writeln!(out, "  not included: {item}").map_err(write_error)?;
                }
                writeln!(
                    out,
                    "Monthly {}  ·  annual {}  ·  one-off {}",
                    money(p.totals.monthly),
                    money(p.totals.annual),
                    money(p.totals.one_off)
                )
                .map_err(write_error)?;
            }
        }
        Command::Proposals(ProposalsCommand::Pdf { number, output }) => {
            let p = proposals::find_by_number(&store, &number)?;
            let pdf = proposals::document::render_proposal_pdf(&store, p.id)?;
            std::fs::write(&output, &pdf)
                .map_err(|e| Error::io(format!("Couldn't write {}", output.display()), e))?;
            writeln!(
                out,
                "Wrote {} ({} KB) to {}",
                p.label(),
                pdf.len().div_ceil(1024),
                output.display()
            )
            .map_err(write_error)?;
        }
        Command::Clients(ClientsCommand::List { search, status }) => {
            let list = clients::list_clients(
                &store,
                &ClientFilter {
                    search,
                    status: Some(status),
                },
            )?;
            if json {
                print_json(&mut out, &list)?;
            } else if list.is_empty() {
                writeln!(out, "No clients.").map_err(write_error)?;
            } else {
                writeln!(
                    out,
                    "{:>4}  {:<36} {:<9} {:<32} TAX NUMBER",
                    "ID", "NAME", "STATUS", "EMAIL"
                )
                .map_err(write_error)?;
                for c in &list {
                    let d = &c.details;
                    writeln!(
                        out,
                        "{:>4}  {:<36} {:<9} {:<32} {}",
                        c.id,
                        truncate(&d.display_name, 36),
                        if c.archived {
                            "archived"
                        } else {
                            d.kind.as_str()
                        },
                        truncate(&d.email, 32),
                        d.tax_number
                    )
                    .map_err(write_error)?;
                }
            }
        }
        Command::Clients(ClientsCommand::Import { csv, dry_run }) => {
            let bytes = std::fs::read(&csv)
                .map_err(|e| Error::io(format!("Couldn't read {}", csv.display()), e))?;
            let preview = client_import::preview_import(&store, &bytes)?;
            eprintln!(
                "Read {} as {}, separated by {}.",
                csv.display(),
                preview.encoding,
                preview.delimiter
            );
            for row in preview.rows.iter().filter(|r| r.status != RowStatus::Ok) {
                let label = if row.status == RowStatus::Error {
                    "error"
                } else {
                    "check"
                };
                writeln!(
                    out,
                    "  line {:>4}  {:<6} {:<32} {}",
                    row.line,
                    label,
                    truncate(&row.display_name, 32),
                    row.messages.join(" ")
                )
                .map_err(write_error)?;
            }
            if preview.errors > 0 {
                writeln!(
                    out,
                    "Nothing was imported: {} line(s) to fix.",
                    preview.errors
                )
                .map_err(write_error)?;
                return Ok(ExitCode::from(INVALID));
            }
            if dry_run {
                writeln!(
                    out,
                    "All {} lines are ready ({} to check); nothing was written (dry run).",
                    preview.rows.len(),
                    preview.warnings
                )
                .map_err(write_error)?;
            } else {
                let done = client_import::import_clients(&mut store, &bytes)?;
                writeln!(
                    out,
                    "Imported {} clients. To undo: scopebook clients undo-import {}",
                    done.imported, done.batch
                )
                .map_err(write_error)?;
            }
        }
        Command::Clients(ClientsCommand::UndoImport { batch }) => {
            let removed = client_import::undo_import(&mut store, &batch)?;
            writeln!(out, "Removed the {removed} clients that import created.")
                .map_err(write_error)?;
        }
        Command::Clients(ClientsCommand::Export { csv: _, output }) => {
            let filter = ClientFilter::default();
            match output {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .map_err(|e| Error::io(format!("Couldn't create {}", path.display()), e))?;
                    let count = client_import::export_clients(&store, &filter, file)?;
                    eprintln!("Exported {count} clients to {}", path.display());
                }
                None => {
                    client_import::export_clients(&store, &filter, &mut out)?;
                }
            }
        }
        Command::Practice(PracticeCommand::Show) => {
            let practice = practice::require_practice(&store)?;
            if json {
                print_json(&mut out, &practice)?;
            } else {
                let rows = [
                    ("Practice", practice.firm_name.clone()),
                    ("Legal name", practice.legal_name.clone()),
                    ("Tax number", practice.tax_number.clone()),
                    ("Country", practice.country.clone()),
                    ("Currency", practice.base_currency.clone()),
                    ("Email", practice.email.clone()),
                    (
                        "Payment terms",
                        format!("{} days", practice.payment_terms_days),
                    ),
                    ("Recurring account", practice.recurring_account_code.clone()),
                    ("One-off account", practice.one_off_account_code.clone()),
                    ("Hourly cost", practice.hourly_cost.to_string()),
                    ("Data folder", dir.display().to_string()),
                ];
                for (label, value) in rows {
                    writeln!(out, "{label:<18} {value}").map_err(write_error)?;
                }
            }
        }
        Command::Practice(PracticeCommand::Setup {
            name,
            country,
            currency,
        }) => {
            let practice = practice::setup_practice(
                &mut store,
                PracticeSetup {
                    firm_name: name,
                    country,
                    base_currency: currency,
                },
            )?;
            writeln!(
                out,
                "Set up {} ({})",
                practice.firm_name, practice.base_currency
            )
            .map_err(write_error)?;
        }
        Command::Services(ServicesCommand::List {
            search,
            category,
            archived,
        }) => {
            let filter = ServiceFilter {
                search,
                category,
                archived: Some(archived),
            };
            let services = catalog::list_services(&store, &filter)?;
            if json {
                print_json(&mut out, &services)?;
            } else {
                let currency = practice::require_practice(&store)?.base_currency;
                print_services(&mut out, &services, &currency).map_err(write_error)?;
            }
        }
        Command::Services(ServicesCommand::Add(add)) => {
            let service = catalog::create_service(&mut store, &add.into_draft())?;
            writeln!(out, "Added service #{}: {}", service.id, service.name)
                .map_err(write_error)?;
        }
        Command::Services(ServicesCommand::Export { csv: _, output }) => match output {
            Some(path) => {
                let file = std::fs::File::create(&path)
                    .map_err(|e| Error::io(format!("Couldn't create {}", path.display()), e))?;
                let count = catalog::csv::export_services(&store, file)?;
                eprintln!("Exported {count} services to {}", path.display());
            }
            None => {
                catalog::csv::export_services(&store, &mut out)?;
            }
        },
        Command::Services(ServicesCommand::Import { csv, dry_run }) => {
            let file = std::fs::File::open(&csv)
                .map_err(|e| Error::io(format!("Couldn't open {}", csv.display()), e))?;
            let report = catalog::csv::import_services(&mut store, file, dry_run)?;
            if !report.problems.is_empty() {
                writeln!(
                    out,
                    "Nothing was imported: {} problem(s) in {} row(s) read.",
                    report.problems.len(),
                    report.rows
                )
                .map_err(write_error)?;
                for problem in &report.problems {
                    writeln!(
                        out,
                        "  row {:>4}  {:<18} {}",
                        problem.row, problem.column, problem.message
                    )
                    .map_err(write_error)?;
                }
                return Ok(ExitCode::from(INVALID));
            }
            if dry_run {
                writeln!(
                    out,
                    "All {} rows are good; nothing was written (dry run).",
                    report.rows
                )
                .map_err(write_error)?;
            } else {
                writeln!(out, "Imported {} services.", report.imported).map_err(write_error)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

impl AddService {
    fn into_draft(self) -> ServiceDraft {
        let tiers = if self.tiers.is_empty() {
            vec![TierDraft {
                up_to: String::new(),
                unit_price: self.price.clone(),
            }]
        } else {
            self.tiers
                .iter()
                .map(|t| {
                    let (up_to, price) = t.split_once(':').unwrap_or(("", t));
                    TierDraft {
                        up_to: if up_to.eq_ignore_ascii_case("rest") {
                            String::new()
                        } else {
                            up_to.to_string()
                        },
                        unit_price: price.to_string(),
                    }
                })
                .collect()
        };
        ServiceDraft {
            name: self.name,
            description: self.description,
            category: self.category,
            pricing: PricingDraft {
                kind: self.pricing,
                price: self.price,
                unit_name: self.unit,
                tiers,
                default_quantity: self.quantity,
                estimated_hours: self.hours,
                price_high: self.price_high,
                band_set: 1,
                band_prices: Vec::new(),
            },
            drivers: self.drivers,
            terms: self.terms,
            frequency: self.frequency,
            account_code: self.account_code,
            tax_type: self.tax_type,
            estimated_minutes: self.minutes,
        }
    }
}

/// Reads `--driver NAME:OPERATION:CHOICE=VALUE,…`; the values are checked with the rest of the
/// service (the same messages as the form's).
fn parse_driver(text: &str) -> Result<DriverDraft, String> {
    let mut parts = text.splitn(3, ':');
    let (Some(name), Some(op), Some(choices)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("write a driver as NAME:OPERATION:CHOICE=VALUE,CHOICE=VALUE".into());
    };
    let op = match op.trim().to_ascii_lowercase().as_str() {
        "multiply" | "x" | "×" => DriverOp::Multiply,
        "add" | "+" => DriverOp::Add,
        "subtract" | "-" => DriverOp::Subtract,
        "percent" | "%" => DriverOp::Percent,
        other => {
            return Err(format!(
                "\"{other}\" is not an operation: use multiply, add, subtract or percent"
            ));
        }
    };
    let choices = choices
        .split(',')
        .map(|choice| {
            let (name, value) = choice
                .split_once('=')
                .ok_or_else(|| format!("\"{choice}\" needs a value, like poor=1.3"))?;
            Ok(DriverChoiceDraft {
                name: name.trim().to_string(),
                value: value.trim().to_string(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(DriverDraft {
        name: name.trim().to_string(),
        op,
        choices,
    })
}

pub(crate) fn print_json(
    out: &mut impl Write,
    value: &impl serde::Serialize,
) -> scopebook_core::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)
        .map_err(|e| Error::io("Couldn't write JSON", std::io::Error::other(e)))?;
    writeln!(out).map_err(|e| Error::io("Couldn't write JSON", e))
}

fn print_services(
    out: &mut impl Write,
    services: &[Service],
    currency: &str,
) -> std::io::Result<()> {
    if services.is_empty() {
        return writeln!(out, "No services.");
    }
    writeln!(
        out,
        "{:>4}  {:<32} {:<16} {:<10} {:<10} {:>16}",
        "ID", "NAME", "CATEGORY", "PRICING", "BILLED", "TYPICAL PRICE"
    )?;
    for s in services {
        let price = s
            .typical_total
            .map(|t| format!("{currency} {t}"))
            .unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{:>4}  {:<32} {:<16} {:<10} {:<10} {:>16}",
            s.id,
            truncate(&s.name, 32),
            truncate(&s.category, 16),
            s.pricing.kind().as_str(),
            s.frequency.as_str(),
            price
        )?;
    }
    Ok(())
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}
