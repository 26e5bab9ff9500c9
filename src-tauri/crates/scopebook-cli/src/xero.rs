//! `scopebook xero …`: the Xero connection from the command line. Tokens are shared with the
//! app through the OS keychain.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Args, Subcommand};
use scopebook_core::connection::{self, XeroEndpoint};
use scopebook_core::store::{SharedStore, lock};
use scopebook_core::{Error, Result};

/// The heading every subcommand's `--help` lists the Xero flags under, apart from its own.
pub const XERO_FLAGS_HEADING: &str = "Xero connection (advanced)";

/// Where Xero is; every URL can also come from the environment (`SCOPEBOOK_XERO_*`).
#[derive(Args, Debug, Clone, Default)]
pub struct EndpointFlags {
    /// A server laid out like xero-sim (all URLs under one base).
    #[arg(long, global = true, env = "SCOPEBOOK_XERO_BASE_URL", help_heading = XERO_FLAGS_HEADING)]
    xero_base_url: Option<String>,
    /// Xero's sign-in page.
    #[arg(long, global = true, env = "SCOPEBOOK_XERO_AUTHORIZE_URL", help_heading = XERO_FLAGS_HEADING)]
    xero_authorize_url: Option<String>,
    /// Xero's token endpoint.
    #[arg(long, global = true, env = "SCOPEBOOK_XERO_TOKEN_URL", help_heading = XERO_FLAGS_HEADING)]
    xero_token_url: Option<String>,
    /// Xero's list of connected organisations.
    #[arg(long, global = true, env = "SCOPEBOOK_XERO_CONNECTIONS_URL", help_heading = XERO_FLAGS_HEADING)]
    xero_connections_url: Option<String>,
    /// Xero's accounting API.
    #[arg(long, global = true, env = "SCOPEBOOK_XERO_API_URL", help_heading = XERO_FLAGS_HEADING)]
    xero_api_url: Option<String>,
    /// Overrides the client id saved in Settings.
    #[arg(long, global = true, env = "SCOPEBOOK_XERO_CLIENT_ID", help_heading = XERO_FLAGS_HEADING)]
    xero_client_id: Option<String>,
}

impl EndpointFlags {
    fn endpoint(&self) -> XeroEndpoint {
        XeroEndpoint {
            base_url: self.xero_base_url.clone(),
            authorize_url: self.xero_authorize_url.clone(),
            token_url: self.xero_token_url.clone(),
            connections_url: self.xero_connections_url.clone(),
            api_url: self.xero_api_url.clone(),
            client_id: self.xero_client_id.clone(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum XeroCommand {
    /// Saves the Xero app's client id.
    ClientId { client_id: String },
    /// Signs in with Xero: prints the address to open, waits for the browser to come back.
    Connect {
        /// The organisation to connect when the grant reaches several.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Shows the connection, and the Xero calls left today.
    Status,
    /// Sets how many calls to Xero Scopebook makes per organisation per day (1000 on Xero's
    /// Starter tier, 5000 on higher tiers), counted over a rolling 24 hours.
    DailyBudget { calls: u32 },
    /// The organisation's income and other accounts.
    Accounts,
    /// The organisation's branding themes.
    BrandingThemes,
    /// The organisation's tracking categories and options.
    Tracking,
    /// The organisation's contacts.
    Contacts {
        #[arg(long)]
        search: Option<String>,
    },
    /// Links a client (its number or exact name) to a contact of the connected organisation.
    Link { client: String, contact_id: String },
    /// Creates the client's contact in Xero and links it — refused, with the suggestions, while
    /// a contact there may be the client already.
    Create {
        client: String,
        /// The suggested contacts are a different business: create it anyway.
        #[arg(long)]
        confirm: bool,
    },
    /// Removes a client's link to its Xero contact (the contact stays in Xero).
    Unlink { client: String },
    /// Lists what needs a decision: possible matches, conflicts, contacts archived or merged in
    /// Xero.
    Review,
    /// Settles a client's conflict: for each detail changed on both sides, keep Scopebook's
    /// value (`here`) or take Xero's (`xero`), e.g. `--keep name=xero --keep email=here`.
    Resolve {
        client: String,
        /// DETAIL=here|xero; details: name, first_name, last_name, email, phone, tax_number,
        /// account_number.
        #[arg(long = "keep", value_name = "DETAIL=SIDE", required = true)]
        keep: Vec<String>,
    },
    /// Lists the latest syncs that changed something here, and whether they were undone.
    Syncs,
    /// Puts back everything a sync changed here (Xero keeps what was sent to it).
    UndoSync { batch: String },
    /// A client's standing in Xero: outstanding, overdue, last invoice, last payment (one call).
    Summary { client: String },
    /// Prints the address that opens a client's contact in Xero.
    Open { client: String },
    /// The first import after connecting: pulls the contacts, then links each client to the
    /// contact it unambiguously is, makes customers without a client into clients, and lists
    /// what needs a decision. All in one batch that `xero undo-import` takes back.
    Import {
        /// Show what would happen and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also make contacts that are neither customers nor suppliers into prospects.
        #[arg(long)]
        include_prospects: bool,
    },
    /// Takes back a whole import from Xero (its batch id is printed by `xero import`).
    UndoImport { batch: String },
    /// Disconnects and forgets the tokens.
    Disconnect,
}

fn open_browser(url: &str) -> std::result::Result<(), String> {
    eprintln!("Open this address in your browser to connect Scopebook to Xero:\n\n  {url}\n");
    if let Some(browser) = std::env::var_os("SCOPEBOOK_BROWSER") {
        std::process::Command::new(browser)
            .arg(url)
            .spawn()
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Where Xero is (only https, or http to this computer; a warning whenever it isn't Xero) and
/// the runtime the calls run on.
pub(crate) fn prepare(flags: &EndpointFlags) -> Result<(XeroEndpoint, tokio::runtime::Runtime)> {
    let endpoint = flags.endpoint().checked()?;
    if let Some(warning) = endpoint.warning() {
        eprintln!("Warning: {warning}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("Couldn't start", e))?;
    Ok((endpoint, runtime))
}

/// `scopebook sync`: pulls the organisation's contacts, with progress on standard error.
pub fn sync(
    store: SharedStore,
    flags: &EndpointFlags,
    json: bool,
    dry_run: bool,
    out: &mut impl Write,
) -> Result<()> {
    let (endpoint, runtime) = prepare(flags)?;
    let write_error = |e: std::io::Error| Error::io("Couldn't write the output", e);
    runtime.block_on(async {
        let xero = connection::xero_client(&store, &endpoint)?;
        let never = std::sync::atomic::AtomicBool::new(false);
        let options = scopebook_core::sync::SyncOptions { dry_run };
        let report = scopebook_core::sync::sync_contacts(&store, &xero, options, &never, |p| {
            use scopebook_core::sync::SyncPhase;
            match p.phase {
                SyncPhase::Reading => eprintln!("Reading Xero: {} contacts so far", p.done),
                SyncPhase::Comparing => eprintln!("Comparing clients with their contacts"),
                SyncPhase::Sending => eprintln!("Sent {} of {} to Xero", p.done, p.total),
            }
        })
        .await?;
        if json {
            serde_json::to_writer_pretty(&mut *out, &report)
                .map_err(|e| Error::io("Couldn't write the output", std::io::Error::other(e)))?;
            writeln!(out).map_err(write_error)?;
        } else {
            print_sync_report(out, &report).map_err(write_error)?;
        }
        Ok(())
    })
}

fn print_sync_report(
    out: &mut impl Write,
    report: &scopebook_core::sync::SyncReport,
) -> std::io::Result<()> {
    let (would, did) = if report.dry_run {
        ("would ", "Dry run: nothing was changed. ")
    } else {
        ("", "")
    };
    let changes = |list: &[scopebook_core::sync::ClientChanges], out: &mut dyn Write| {
        for c in list {
            let said: Vec<String> = c
                .changes
                .iter()
                .map(|f| {
                    format!(
                        "{} \u{201c}{}\u{201d} \u{2192} \u{201c}{}\u{201d}",
                        f.label, f.from, f.to
                    )
                })
                .collect();
            writeln!(out, "  {}: {}", c.client_name, said.join("; "))?;
        }
        Ok::<(), std::io::Error>(())
    };
    writeln!(
        out,
        "{did}Read {} contacts from Xero ({} changed).",
        report.pull.received, report.pull.changed
    )?;
    if !report.to_here.is_empty() {
        writeln!(out, "From Xero ({would}brought here):")?;
        changes(&report.to_here, out)?;
    }
    if !report.to_xero.is_empty() {
        writeln!(out, "To Xero ({would}sent):")?;
        changes(&report.to_xero, out)?;
    }
    if !report.created.is_empty() {
        writeln!(out, "New in Xero ({would}created and linked):")?;
        for c in &report.created {
            writeln!(out, "  {}", c.client_name)?;
        }
    }
    if !report.conflicts.is_empty() {
        writeln!(
            out,
            "Conflicts (changed on both sides; settle with `scopebook xero resolve`):"
        )?;
        for c in &report.conflicts {
            for f in &c.fields {
                writeln!(
                    out,
                    "  {}: {} is \u{201c}{}\u{201d} here and \u{201c}{}\u{201d} in Xero",
                    c.client_name, f.label, f.here, f.xero
                )?;
            }
        }
    }
    if !report.refused.is_empty() {
        writeln!(out, "Not carried across:")?;
        for r in &report.refused {
            writeln!(out, "  {}: {}", r.client_name, r.problems.join(" "))?;
        }
    }
    if report.new_reviews > 0 {
        writeln!(
            out,
            "{} new to review (`scopebook xero review`).",
            report.new_reviews
        )?;
    }
    if report.is_quiet() {
        writeln!(out, "Everything is in step.")?;
    }
    if report.cancelled {
        writeln!(
            out,
            "Stopped before everything was sent; sync again to finish."
        )?;
    }
    writeln!(out, "{} call(s) to Xero.", report.calls)?;
    if let Some(batch) = report.batch.as_deref().filter(|_| !report.is_quiet()) {
        writeln!(
            out,
            "Batch {batch} (undo here with `scopebook xero undo-sync {batch}`)."
        )?;
    }
    Ok(())
}

/// Reads `name=xero` / `email=here`.
fn parse_choice(text: &str) -> Result<scopebook_core::sync::ConflictChoice> {
    use scopebook_core::sync::{ConflictChoice, Side, SyncField};
    let bad = || {
        Error::invalid(
            "keep",
            format!(
                "\u{201c}{text}\u{201d} isn't a choice. Write DETAIL=here or DETAIL=xero, e.g. name=xero."
            ),
        )
    };
    let (field, side) = text.split_once('=').ok_or_else(bad)?;
    let field: SyncField = field.trim().parse().map_err(|_| bad())?;
    let keep = match side.trim().to_ascii_lowercase().as_str() {
        "here" | "scopebook" => Side::Here,
        "xero" => Side::Xero,
        _ => return Err(bad()),
    };
    Ok(ConflictChoice { field, keep })
}

pub fn run(
    store: SharedStore,
    flags: &EndpointFlags,
    command: XeroCommand,
    out: &mut impl Write,
) -> Result<()> {
    let (endpoint, runtime) = prepare(flags)?;
    let write_error = |e: std::io::Error| Error::io("Couldn't write the output", e);
    runtime.block_on(async {
        match command {
            XeroCommand::ClientId { client_id } => {
                let id = connection::set_client_id(&mut lock(&store), &client_id)?;
                writeln!(out, "Saved the Xero client id {id}.").map_err(write_error)?;
            }
            XeroCommand::Status => {
                let status = connection::status(&lock(&store), &endpoint)?;
                // The keychain says how long the connection has been idle (Xero isn't called).
                let status = match connection::xero_client(&store, &endpoint) {
                    Ok(xero) => connection::with_idle_warning(status, &xero).await,
                    Err(_) => status,
                };
                let client_id = if status.client_id.is_empty() {
                    "(not set)"
                } else {
                    &status.client_id
                };
                writeln!(out, "Endpoint      {}", status.endpoint).map_err(write_error)?;
                writeln!(out, "Client id     {client_id}").map_err(write_error)?;
                match status.organisation {
                    Some(org) => {
                        writeln!(out, "Organisation  {} ({})", org.name, org.tenant_id)
                            .map_err(write_error)?;
                        writeln!(out, "Connected     {}", org.connected_at).map_err(write_error)?;
                        writeln!(
                            out,
                            "Last call     {}",
                            org.last_call_at.unwrap_or_else(|| "never".into())
                        )
                        .map_err(write_error)?;
                        writeln!(
                            out,
                            "Calls left    {} of {} today",
                            status.calls_left_today.unwrap_or(status.daily_call_budget),
                            status.daily_call_budget
                        )
                        .map_err(write_error)?;
                        if let Some(warning) = &status.idle_warning {
                            writeln!(out, "Warning       {warning}").map_err(write_error)?;
                        }
                    }
                    None => writeln!(out, "Organisation  not connected").map_err(write_error)?,
                }
            }
            XeroCommand::DailyBudget { calls } => {
                let budget = scopebook_core::xero_calls::set_daily_call_budget(
                    &mut lock(&store),
                    calls,
                )?;
                writeln!(
                    out,
                    "Scopebook will make at most {budget} calls to Xero per organisation in any 24 hours."
                )
                .map_err(write_error)?;
            }
            XeroCommand::Connect { tenant } => {
                let xero = connection::xero_client(&store, &endpoint)?;
                let organisations = connection::sign_in(&store, &xero, open_browser).await?;
                let chosen = match (tenant, organisations.as_slice()) {
                    (_, []) => {
                        return Err(Error::invalid(
                            "tenant",
                            "Xero gave access to no organisation; connect again and tick one.",
                        ));
                    }
                    (Some(id), _) => id,
                    (None, [only]) => only.tenant_id.clone(),
                    (None, many) if !std::io::stdin().is_terminal() => {
                        // Nobody to ask (a script, a scheduled job): say how to choose.
                        let listed: Vec<String> = many
                            .iter()
                            .map(|org| {
                                format!(
                                    "  {}  {}",
                                    org.tenant_id,
                                    org.tenant_name.as_deref().unwrap_or("(no name)")
                                )
                            })
                            .collect();
                        return Err(Error::invalid(
                            "tenant",
                            format!(
                                "Xero gave access to {} organisations; run the command again with \
                                 --tenant and the id of the one this practice bills from:\n{}",
                                many.len(),
                                listed.join("\n")
                            ),
                        ));
                    }
                    (None, many) => {
                        writeln!(out, "Xero gave access to {} organisations:", many.len())
                            .map_err(write_error)?;
                        for (i, org) in many.iter().enumerate() {
                            writeln!(
                                out,
                                "  {}. {} ({})",
                                i + 1,
                                org.tenant_name.as_deref().unwrap_or("?"),
                                org.tenant_id
                            )
                            .map_err(write_error)?;
                        }
                        write!(
                            out,
                            "Which one does this practice bill from? [1-{}] ",
                            many.len()
                        )
                        .map_err(write_error)?;
                        out.flush().map_err(write_error)?;
                        let mut answer = String::new();
                        std::io::stdin()
                            .lock()
                            .read_line(&mut answer)
                            .map_err(|e| Error::io("Couldn't read the answer", e))?;
                        let index: usize = answer.trim().parse().unwrap_or(0);
                        many.get(index.wrapping_sub(1))
                            .map(|o| o.tenant_id.clone())
                            .ok_or_else(|| {
                                Error::invalid("tenant", "That isn't one of the numbers listed.")
                            })?
                    }
                };
                let org = connection::choose_organisation_by_id(&store, &xero, &chosen).await?;
                writeln!(out, "Connected to {}.", org.name).map_err(write_error)?;
            }
            XeroCommand::Accounts => {
                let lists = connection::refresh_lists(&store, &connection::xero_client(&store, &endpoint)?).await?;
                for a in lists.accounts {
                    writeln!(
                        out,
                        "{:<8} {:<40} {:<12} {}",
                        a.code.unwrap_or_default(),
                        a.name,
                        a.account_type.unwrap_or_default(),
                        a.tax_type.unwrap_or_default()
                    )
                    .map_err(write_error)?;
                }
            }
            XeroCommand::BrandingThemes => {
                let lists = connection::refresh_lists(&store, &connection::xero_client(&store, &endpoint)?).await?;
                for b in lists.branding_themes {
                    writeln!(out, "{}  {}", b.branding_theme_id, b.name).map_err(write_error)?;
                }
            }
            XeroCommand::Tracking => {
                let lists = connection::refresh_lists(&store, &connection::xero_client(&store, &endpoint)?).await?;
                for t in lists.tracking_categories {
                    let options: Vec<String> = t.options.into_iter().map(|o| o.name).collect();
                    writeln!(out, "{}: {}", t.name, options.join(", ")).map_err(write_error)?;
                }
            }
            XeroCommand::Contacts { search } => {
                let contacts = connection::xero_contacts(
                    &store,
                    &connection::xero_client(&store, &endpoint)?,
                    search.as_deref(),
                )
                .await?;
                for c in &contacts {
                    writeln!(
                        out,
                        "{:<38} {:<40} {:<10} {}",
                        c.contact_id.as_deref().unwrap_or(""),
                        c.name,
                        c.contact_number.as_deref().unwrap_or(""),
                        c.email_address.as_deref().unwrap_or("")
                    )
                    .map_err(write_error)?;
                }
                writeln!(out, "{} contacts", contacts.len()).map_err(write_error)?;
            }
            XeroCommand::Link { client, contact_id } => {
                let client = scopebook_core::clients::find_client(&lock(&store), &client)?;
                let xero = connection::xero_client(&store, &endpoint)?;
                let link =
                    scopebook_core::sync::link_to_xero_contact(&store, &xero, client.id, &contact_id)
                        .await?;
                writeln!(
                    out,
                    "Linked {} to the Xero contact {} ({}).",
                    link.client_name,
                    link.contact_name.as_deref().unwrap_or("?"),
                    link.contact_id
                )
                .map_err(write_error)?;
            }
            XeroCommand::Create { client, confirm } => {
                let client = scopebook_core::clients::find_client(&lock(&store), &client)?;
                let xero = connection::xero_client(&store, &endpoint)?;
                let link =
                    scopebook_core::sync::create_xero_contact(&store, &xero, client.id, confirm)
                        .await?;
                writeln!(
                    out,
                    "Created {} in Xero ({}) and linked it.",
                    link.client_name, link.contact_id
                )
                .map_err(write_error)?;
            }
            XeroCommand::Unlink { client } => {
                let mut store = lock(&store);
                let client = scopebook_core::clients::find_client(&store, &client)?;
                scopebook_core::sync::unlink_client(&mut store, scopebook_core::Source::User, client.id)?;
                writeln!(out, "Unlinked {} from Xero.", client.details.display_name)
                    .map_err(write_error)?;
            }
            XeroCommand::Review => {
                use scopebook_core::sync::BoardState;
                let board = scopebook_core::sync::connections_board(&lock(&store))?;
                let waiting: Vec<_> = board
                    .rows
                    .iter()
                    .filter(|r| {
                        matches!(
                            r.state,
                            BoardState::NeedsReview | BoardState::Conflict | BoardState::ArchivedInXero
                        )
                    })
                    .collect();
                for row in &waiting {
                    writeln!(
                        out,
                        "{:<6} {:<40} {:<16} {}",
                        row.client_id,
                        row.client_name,
                        row.state.as_str(),
                        row.review_notes.join(" ")
                    )
                    .map_err(write_error)?;
                    if let Some(best) = &row.suggestion {
                        writeln!(
                            out,
                            "       suggested: {} ({}) — scopebook xero link {} {}",
                            best.name, best.reasons, row.client_id, best.contact_id
                        )
                        .map_err(write_error)?;
                    }
                }
                writeln!(
                    out,
                    "{} linked, {} not linked, {} to review, {} in conflict, {} archived in Xero",
                    board.linked,
                    board.not_linked,
                    board.needs_review,
                    board.conflict,
                    board.archived_in_xero
                )
                .map_err(write_error)?;
            }
            XeroCommand::Resolve { client, keep } => {
                let choices = keep
                    .iter()
                    .map(|k| parse_choice(k))
                    .collect::<Result<Vec<_>>>()?;
                let mut store = lock(&store);
                let client = scopebook_core::clients::find_client(&store, &client)?;
                scopebook_core::sync::resolve_conflict(&mut store, client.id, &choices)?;
                writeln!(out, "Resolved the conflict of {}.", client.details.display_name)
                    .map_err(write_error)?;
            }
            XeroCommand::Syncs => {
                for b in scopebook_core::sync::sync_batches(&lock(&store), 20)? {
                    writeln!(
                        out,
                        "{:<32} {:<22} {:>4} change(s){}",
                        b.batch,
                        b.at,
                        b.changes,
                        if b.undone { "  undone" } else { "" }
                    )
                    .map_err(write_error)?;
                }
            }
            XeroCommand::UndoSync { batch } => {
                let rows = scopebook_core::sync::undo_sync(&mut lock(&store), &batch)?;
                writeln!(
                    out,
                    "Undid that sync here: {rows} record(s) put back. Xero keeps what was sent to it."
                )
                .map_err(write_error)?;
            }
            XeroCommand::Summary { client } => {
                let client = scopebook_core::clients::find_client(&lock(&store), &client)?;
                let xero = connection::xero_client(&store, &endpoint)?;
                let s = scopebook_core::sync::contact_summary(&store, &xero, client.id).await?;
                let currency = s.currency.clone().unwrap_or_default();
                writeln!(
                    out,
                    "{}: {} {} outstanding on {} invoice(s), {} {} overdue on {}.",
                    client.details.display_name,
                    currency,
                    s.outstanding,
                    s.unpaid_invoices,
                    currency,
                    s.overdue,
                    s.overdue_invoices
                )
                .map_err(write_error)?;
                if let Some(i) = &s.last_invoice {
                    writeln!(out, "Last invoice: {} of {} ({} {}, {}).", i.number, i.date, currency, i.total, i.status)
                        .map_err(write_error)?;
                }
                if let Some(p) = &s.last_payment {
                    writeln!(out, "Last payment: {} {} on {}.", currency, p.amount, p.date)
                        .map_err(write_error)?;
                }
            }
            XeroCommand::Open { client } => {
                let client = scopebook_core::clients::find_client(&lock(&store), &client)?;
                let xero = connection::xero_client(&store, &endpoint)?;
                let link =
                    scopebook_core::sync::open_in_xero_link(&store, &xero, &endpoint, client.id)
                        .await?;
                writeln!(out, "{link}").map_err(write_error)?;
            }
            XeroCommand::Import {
                dry_run,
                include_prospects,
            } => {
                let xero = connection::xero_client(&store, &endpoint)?;
                let never = std::sync::atomic::AtomicBool::new(false);
                scopebook_core::sync::pull_contacts(&store, &xero, &never, |_| {}).await?;
                let options = scopebook_core::sync::FirstImportOptions {
                    include_non_customers: include_prospects,
                    include_suppliers: false,
                };
                let preview = scopebook_core::sync::preview_first_import(&lock(&store), options)?;
                for plan in &preview.contacts {
                    writeln!(
                        out,
                        "{:<13} {:<40} {}{}",
                        plan.action.as_str(),
                        plan.contact_name,
                        plan.client_name
                            .as_deref()
                            .map(|c| format!("→ {c}: "))
                            .unwrap_or_default(),
                        plan.reason
                    )
                    .map_err(write_error)?;
                }
                writeln!(
                    out,
                    "{} to link, {} new clients, {} new prospects, {} to review, {} left out",
                    preview.links,
                    preview.new_clients,
                    preview.new_prospects,
                    preview.reviews,
                    preview.skipped
                )
                .map_err(write_error)?;
                if dry_run {
                    writeln!(out, "Dry run: nothing was changed.").map_err(write_error)?;
                } else {
                    let result =
                        scopebook_core::sync::apply_first_import(&mut lock(&store), options)?;
                    writeln!(
                        out,
                        "Imported. To undo: scopebook xero undo-import {}",
                        result.batch
                    )
                    .map_err(write_error)?;
                }
            }
            XeroCommand::UndoImport { batch } => {
                let undone = scopebook_core::sync::undo_first_import(&mut lock(&store), &batch)?;
                writeln!(out, "Import undone: {undone} links removed.").map_err(write_error)?;
            }
            XeroCommand::Disconnect => {
                connection::disconnect(&store, &connection::xero_client(&store, &endpoint)?).await?;
                writeln!(
                    out,
                    "Disconnected from Xero; the tokens were removed from the keychain."
                )
                .map_err(write_error)?;
            }
        }
        Ok(())
    })
}
