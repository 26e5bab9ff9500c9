//! The proposal as a document: every text filled in and every amount formatted here, in Rust,
//! then laid out by `scopebook-pdf`.

use chrono::Datelike;
use rust_decimal::Decimal;
use scopebook_pdf::{
    CalendarDate, FeeGroup, FeeLine, Logo, LogoFormat, OptionColumn, Party, ProposalDocument,
    ScopeItem, Total,
};

use super::terms::{PLACEHOLDERS, fill_placeholders, parse_month};
use super::{BillingStart, FeeDisplay, Proposal, ProposalLine, ProposalTotals, get_proposal};
use crate::catalog::{Frequency, Pricing};
use crate::clients::{Client, get_client};
use crate::error::{Error, Result};
use crate::money::{Currency, NumberFormat, format_money};
use crate::practice::{Practice, TaxTreatment, logo, require_practice};
use crate::reference::Country;
use crate::store::{SharedStore, Store};

pub(crate) fn long_date(date: chrono::NaiveDate, country: &str) -> String {
    if country == "US" {
        date.format("%B %-d, %Y").to_string()
    } else {
        date.format("%-d %B %Y").to_string()
    }
}

fn month_name(month: &str) -> String {
    parse_month(month).map_or_else(|| month.to_string(), |d| d.format("%B %Y").to_string())
}

fn frequency_label(f: Frequency) -> &'static str {
    match f {
        Frequency::OneOff => "One-off",
        Frequency::Weekly => "Weekly",
        Frequency::Monthly => "Monthly",
        Frequency::Quarterly => "Quarterly",
        Frequency::Annually => "Annually",
    }
}

fn quantity_text(line: &ProposalLine) -> String {
    let q = line.quantity.normalize();
    match &line.pricing {
        Pricing::PerUnit { unit_name, .. } => format!("{q} {unit_name}"),
        Pricing::Hourly { .. } => format!("{q} hours"),
        // The band it is priced at ("Revenue $250k–$1m").
        Pricing::Banded { prices, band, .. } => {
            let name = prices
                .iter()
                .find(|p| Some(p.band_id) == *band)
                .map(|p| p.band.clone())
                .unwrap_or_default();
            if q == Decimal::ONE {
                name
            } else {
                format!("{name} × {q}")
            }
        }
        Pricing::Fixed { .. }
        | Pricing::Minimum { .. }
        | Pricing::Included
        | Pricing::Range { .. }
            if q == Decimal::ONE =>
        {
            String::new()
        }
        Pricing::Fixed { .. }
        | Pricing::Minimum { .. }
        | Pricing::Included
        | Pricing::Range { .. } => format!("× {q}"),
    }
}

/// A line's price as the letter prints it: "$450.00", "From $450.00", "$400.00 – $600.00
/// (estimate)", or "Included". A range whose price is confirmed prints the confirmed price.
fn price_text(line: &ProposalLine, money: impl Fn(Decimal) -> String) -> String {
    match (&line.pricing, line.price_high, line.confirmed_price) {
        (Pricing::Included, ..) => "Included".to_string(),
        (Pricing::Minimum { .. }, ..) => format!("From {}", money(line.price)),
        (_, Some(_), Some(confirmed)) => money(confirmed),
        (_, Some(high), None) => {
            format!("{} – {} (estimate)", money(line.price), money(high))
        }
        _ => money(line.price),
    }
}

/// A total as the letter prints it: "From $1,200.00" when some of its lines are estimates
/// (`one_off`: the one-off total, else a recurring one).
fn total_text(
    totals: &ProposalTotals,
    one_off: bool,
    amount: Decimal,
    money: impl Fn(Decimal) -> String,
) -> String {
    let estimated = if one_off {
        totals.one_off_estimated
    } else {
        totals.estimated
    };
    if estimated {
        format!("From {}", money(amount))
    } else {
        money(amount)
    }
}

fn period_text(line: &ProposalLine) -> String {
    match (&line.end_month, line.frequency) {
        (_, Frequency::OneOff) => month_name(&line.start_month),
        (Some(end), _) => format!("{} – {}", month_name(&line.start_month), month_name(end)),
        (None, _) => format!("From {}", month_name(&line.start_month)),
    }
}

fn practice_party(p: &Practice, country: Option<Country>) -> Party {
    let town = [p.city.as_str(), p.region.as_str(), p.postcode.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let tax = (!p.tax_number.is_empty()).then(|| {
        format!(
            "{} {}",
            country.map_or("Tax number", |c| c.tax_number_label),
            p.tax_number
        )
    });
    let lines = [
        Some(p.address_line1.clone()),
        Some(p.address_line2.clone()),
        Some(town),
        Some(p.email.clone()),
        Some(p.phone.clone()),
        tax,
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    .collect();
    Party {
        name: p.firm_name.clone(),
        legal_name: p.legal_name.clone(),
        lines,
    }
}

fn created_on(proposal: &Proposal) -> chrono::NaiveDate {
    chrono::DateTime::parse_from_rfc3339(&proposal.created_at)
        .map(|d| d.date_naive())
        .unwrap_or_else(|_| chrono::Local::now().date_naive())
}

fn valid_until_text(proposal: &Proposal, practice: &Practice) -> String {
    chrono::NaiveDate::parse_from_str(&proposal.valid_until, "%Y-%m-%d")
        .map(|d| long_date(d, &practice.country))
        .unwrap_or_else(|_| proposal.valid_until.clone())
}

/// The value of every `{{placeholder}}` for a proposal: the document's texts and the email
/// templates are filled from this one list.
pub fn placeholder_values(
    proposal: &Proposal,
    practice: &Practice,
    client: &Client,
) -> Vec<(&'static str, String)> {
    let money =
        |amount: Decimal| format_money(amount, practice.currency(), practice.number_format());
    let contact = client.contact_name();
    PLACEHOLDERS
        .iter()
        .map(|name| {
            let value = match *name {
                "client" => client.details.display_name.clone(),
                "client_contact" => {
                    if contact.is_empty() {
                        client.details.display_name.clone()
                    } else {
                        contact.clone()
                    }
                }
                "practice" => practice.firm_name.clone(),
                "number" => proposal.label(),
                "date" => long_date(created_on(proposal), &practice.country),
                "valid_until" => valid_until_text(proposal, practice),
                "monthly_fee" => money(proposal.totals.monthly),
                "annual_fee" => money(proposal.totals.annual),
                "one_off_fee" => money(proposal.totals.one_off),
                _ => String::new(),
            };
            (*name, value)
        })
        .collect()
}

/// Builds the document for proposal `id`.
pub fn proposal_document(store: &Store, id: i64) -> Result<ProposalDocument> {
    let proposal = get_proposal(store, id)?;
    let practice = require_practice(store)?;
    let client = get_client(store, proposal.client_id)?;
    let currency = practice.currency();
    let country = Country::find(&practice.country);
    let numbers = practice.number_format();
    let money = |amount: Decimal| format_money(amount, currency, numbers);
    let created = created_on(&proposal);
    let valid_until = valid_until_text(&proposal, &practice);
    let contact = client.contact_name();
    let values = placeholder_values(&proposal, &practice, &client);
    let fill = |text: &str| fill_placeholders(text, &values).0;

    let scope_in = proposal
        .lines
        .iter()
        .filter(|l| l.option.is_none() || l.chosen)
        .map(|l| ScopeItem {
            service: l.name.clone(),
            description: l.description.clone(),
            quantity: quantity_text(l),
            frequency: frequency_label(l.frequency).to_string(),
            starts: period_text(l),
            // Line prices, and how each was reached, are printed only in the full breakdown.
            price: if proposal.fee_display == FeeDisplay::Breakdown {
                price_text(l, money)
            } else {
                String::new()
            },
            note: if proposal.fee_display == FeeDisplay::Breakdown {
                price_note(l, currency, numbers)
            } else {
                String::new()
            },
            optional: l.optional,
        })
        .collect();
    let fee_groups = [
        Frequency::Weekly,
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::Annually,
        Frequency::OneOff,
    ]
    .iter()
    .filter_map(|f| match proposal.fee_display {
        FeeDisplay::Breakdown => group(&proposal, *f, currency, numbers),
        FeeDisplay::Categories => category_group(&proposal, *f, currency, numbers),
        FeeDisplay::Totals => None,
    })
    .collect();
    let mut totals = Vec::new();
    // With options still to choose from, each option carries its own totals.
    let undecided = !proposal.options.is_empty() && proposal.chosen_option.is_none();
    if !undecided && proposal.totals.annual > Decimal::ZERO {
        totals.push(Total {
            label: "Monthly recurring".into(),
            value: total_text(&proposal.totals, false, proposal.totals.monthly, money),
        });
        totals.push(Total {
            label: "Annual value".into(),
            value: total_text(&proposal.totals, false, proposal.totals.annual, money),
        });
    }
    if !undecided && proposal.totals.one_off > Decimal::ZERO {
        totals.push(Total {
            label: "One-off".into(),
            value: total_text(&proposal.totals, true, proposal.totals.one_off, money),
        });
    }
    let tax_word = match practice.country.as_str() {
        "GB" | "IE" | "ZA" => "VAT",
        "US" | "CA" | "HK" | "MY" => "tax",
        _ => "GST",
    };
    let logo = pdf_logo(store)?;
    let mut client_lines = Vec::new();
    if !contact.is_empty() {
        client_lines.push(format!("Attention: {contact}"));
    }
    client_lines.extend(client.details.postal_address.lines());
    if !client.details.email.is_empty() {
        client_lines.push(client.details.email.clone());
    }
    Ok(ProposalDocument {
        practice: practice_party(&practice, country),
        client: Party {
            name: client.details.display_name.clone(),
            legal_name: client.details.legal_name.clone(),
            lines: client_lines,
        },
        brand_colour: practice.brand_colour.clone(),
        logo,
        title: proposal.title.clone(),
        number: proposal.number.clone(),
        version: proposal.version,
        date: long_date(created, &practice.country),
        issued_on: CalendarDate {
            year: created.year(),
            month: u8::try_from(created.month()).unwrap_or(1),
            day: u8::try_from(created.day()).unwrap_or(1),
        },
        valid_until,
        introduction: fill(&proposal.introduction),
        scope_in,
        options: option_columns(&proposal, money),
        scope_out: proposal.scope_out.clone(),
        fee_groups,
        totals,
        terms: with_service_terms(fill(&proposal.terms), &proposal),
        practice_signatory: practice.firm_name.clone(),
        client_signatory: match (&proposal.accepted_by, contact.is_empty()) {
            (Some(by), _) => format!("{by}, {}", client.details.display_name),
            (None, false) => format!("{contact}, {}", client.details.display_name),
            (None, true) => client.details.display_name.clone(),
        },
        currency_note: format!(
            "All amounts in {}, {} {tax_word}.{}",
            currency.code,
            if practice.tax_treatment == TaxTreatment::Inclusive {
                "including"
            } else {
                "excluding"
            },
            match (proposal.billing_start, proposal.free_months) {
                (BillingStart::FromMonth, _) => String::new(),
                (BillingStart::OnAcceptance, _) => {
                    " Billing starts in the month you accept this proposal.".to_string()
                }
                (BillingStart::FreeMonths, 1) => {
                    " Your first month is free: billing starts the month after you accept."
                        .to_string()
                }
                (BillingStart::FreeMonths, n) => format!(
                    " Your first {n} months are free: billing starts {n} months after the month you accept."
                ),
            }
        ),
    })
}

/// The fees of one frequency in the full breakdown: its total (each line's price, and how it was
/// reached, is printed on the line in the scope above; the letter does not list them twice).
fn group(
    proposal: &Proposal,
    frequency: Frequency,
    currency: Currency,
    numbers: NumberFormat,
) -> Option<FeeGroup> {
    let lines: Vec<&ProposalLine> = proposal
        .lines
        .iter()
        // An option's lines are shown with their option, until it is chosen.
        .filter(|l| l.frequency == frequency && (l.option.is_none() || l.chosen))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let total: Decimal = lines
        .iter()
        .filter(|l| !l.optional || l.chosen)
        .map(|l| l.billed_price())
        .sum();
    Some(FeeGroup {
        label: frequency_label(frequency).to_string(),
        lines: Vec::new(),
        total: format_money(total, currency, numbers),
    })
}

/// The packages side by side: each option's services with their prices, and what the proposal
/// comes to with it (the common services included).
fn option_columns(
    proposal: &Proposal,
    money: impl Fn(Decimal) -> String + Copy,
) -> Vec<OptionColumn> {
    proposal
        .options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let number = i as u8 + 1;
            let services = proposal
                .lines
                .iter()
                .filter(|l| l.option == Some(number))
                .map(|l| {
                    let quantity = quantity_text(l);
                    let name = if quantity.is_empty() {
                        l.name.clone()
                    } else {
                        format!("{} · {quantity}", l.name)
                    };
                    let per = match l.frequency {
                        Frequency::OneOff => String::new(),
                        f => format!(" {}", per_period(f)),
                    };
                    format!("{name} — {}{per}", price_text(l, money))
                })
                .collect();
            let totals = proposal.option_totals.get(i).cloned().unwrap_or_default();
            let mut lines = Vec::new();
            if totals.annual > Decimal::ZERO {
                lines.push(Total {
                    label: "Monthly".into(),
                    value: total_text(&totals, false, totals.monthly, money),
                });
                lines.push(Total {
                    label: "Annual".into(),
                    value: total_text(&totals, false, totals.annual, money),
                });
            }
            if totals.one_off > Decimal::ZERO {
                lines.push(Total {
                    label: "One-off".into(),
                    value: total_text(&totals, true, totals.one_off, money),
                });
            }
            OptionColumn {
                name: option.name.clone(),
                description: option.description.clone(),
                services,
                totals: lines,
                chosen: proposal.chosen_option == Some(number),
            }
        })
        .collect()
}

fn per_period(frequency: Frequency) -> &'static str {
    match frequency {
        Frequency::Weekly => "a week",
        Frequency::Monthly => "a month",
        Frequency::Quarterly => "a quarter",
        Frequency::Annually => "a year",
        Frequency::OneOff => "",
    }
}

/// A frequency's fees as one line per category (the category's subtotal and how many services it
/// holds): the "subtotals per category" fee display. Optional lines not chosen are left out.
fn category_group(
    proposal: &Proposal,
    frequency: Frequency,
    currency: Currency,
    numbers: NumberFormat,
) -> Option<FeeGroup> {
    let mut categories: Vec<(String, Decimal, usize)> = Vec::new();
    for line in proposal
        .lines
        .iter()
        .filter(|l| l.frequency == frequency && (!l.optional || l.chosen))
    {
        let name = if line.category.trim().is_empty() {
            "Other services".to_string()
        } else {
            line.category.trim().to_string()
        };
        match categories.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, total, count)) => {
                *total += line.billed_price();
                *count += 1;
            }
            None => categories.push((name, line.billed_price(), 1)),
        }
    }
    if categories.is_empty() {
        return None;
    }
    let total: Decimal = categories.iter().map(|(_, t, _)| *t).sum();
    Some(FeeGroup {
        label: frequency_label(frequency).to_string(),
        lines: categories
            .into_iter()
            .map(|(name, amount, count)| FeeLine {
                name,
                amount: format_money(amount, currency, numbers),
                note: if count == 1 {
                    "1 service".to_string()
                } else {
                    format!("{count} services")
                },
            })
            .collect(),
        total: format_money(total, currency, numbers),
    })
}

/// The engagement terms, followed by the terms of each service in scope (each once, in the
/// proposal's order): an optional service not chosen brings no terms.
fn with_service_terms(terms: String, proposal: &Proposal) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = terms;
    for line in proposal
        .lines
        .iter()
        .filter(|l| (!l.optional || l.chosen) && !l.terms.trim().is_empty())
    {
        if seen.contains(&line.name.as_str()) {
            continue;
        }
        seen.push(&line.name);
        if !out.trim().is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&format!("## {}\n{}", line.name, line.terms.trim()));
    }
    out
}

/// What the fee table says under a line: how its price was reached (each driver's choice and
/// effect, the discount), and "Optional, not in the total" for an optional line not chosen.
/// How a line's price was reached: each driver's choice, and its discount ("" for neither).
fn price_note(line: &ProposalLine, currency: Currency, numbers: NumberFormat) -> String {
    let mut parts: Vec<String> = line
        .drivers
        .iter()
        .filter_map(|d| {
            let choice = d.driver.choice(&d.choice)?;
            Some(format!(
                "{}: {} ({})",
                d.driver.name,
                choice.name,
                d.driver.op.describe(choice.value, currency, numbers)
            ))
        })
        .collect();
    if !line.discount_percent.is_zero() {
        parts.push(format!("{}% discount", line.discount_percent.normalize()));
    }
    parts.join(" · ")
}

/// A file name without characters that Windows, macOS or mail apps refuse.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_end_matches('.').trim();
    if trimmed.is_empty() {
        "Proposal".to_string()
    } else {
        trimmed.to_string()
    }
}

/// `P-2026-0001 Acme Plumbing.pdf` (`P-2026-0001 v2 …` for a later version): the name the PDF
/// is offered under when exported and attached under when emailed.
pub fn pdf_file_name(proposal: &Proposal) -> String {
    format!(
        "{}.pdf",
        safe_file_name(&format!("{} {}", proposal.label(), proposal.client_name))
    )
}

/// The practice's logo as the PDFs print it, if it has one.
pub(crate) fn pdf_logo(store: &Store) -> Result<Option<Logo>> {
    Ok(logo(store)?.map(|(mime, bytes)| Logo {
        bytes,
        format: if mime == "image/jpeg" {
            LogoFormat::Jpeg
        } else {
            LogoFormat::Png
        },
    }))
}

/// The proposal as PDF bytes on the caller's thread (the CLI; export everything; tests): the PDF
/// kept when it was accepted, else a fresh render ([`super::archive`]).
pub fn render_proposal_pdf(store: &Store, id: i64) -> Result<Vec<u8>> {
    super::archive::pdf_now(store, id)
}

/// Lays out a document read earlier: needs no store.
pub fn render_document(document: &ProposalDocument) -> Result<Vec<u8>> {
    scopebook_pdf::render_pdf(document).map_err(|e| {
        Error::io(
            "Couldn't make the PDF",
            std::io::Error::other(e.to_string()),
        )
    })
}

/// The proposal as PDF bytes, for the app: what the PDF needs is copied under the store lock,
/// the lock is released, and the render runs on a blocking thread — so other requests go on
/// while a PDF renders, and the async runtime is never blocked. An accepted proposal's PDF is
/// kept the first time and served as kept after ([`super::archive`]).
pub async fn proposal_pdf(store: &SharedStore, id: i64) -> Result<Vec<u8>> {
    super::archive::pdf(store, id).await
}

#[cfg(test)]
mod render_off_the_lock {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// A render that takes as long as the test wants: the store must stay free meanwhile.
    #[tokio::test]
    async fn other_requests_use_the_store_while_a_pdf_renders() {
        let (store, id) = crate::proposals::tests::store_with_a_proposal();
        let store: SharedStore = std::sync::Arc::new(std::sync::Mutex::new(store));
        let (started_tx, started) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let rendering = tokio::spawn({
            let store = store.clone();
            async move {
                super::super::archive::pdf_with(&store, id, move |document| {
                    started_tx.send(document.number.clone()).ok();
                    released
                        .recv_timeout(Duration::from_secs(10))
                        .map_err(|_| Error::io("test", std::io::Error::other("never released")))?;
                    Ok(b"%PDF-slow".to_vec())
                })
                .await
            }
        });
        let number =
            tokio::task::spawn_blocking(move || started.recv_timeout(Duration::from_secs(10)))
                .await
                .unwrap()
                .expect("the render started");
        // The render is under way and waiting: the store must not be locked by it.
        {
            let guard = store
                .try_lock()
                .expect("the store is free while the PDF renders");
            let p = crate::proposals::get_proposal(&guard, id).unwrap();
            assert_eq!(p.number, number);
        }
        release.send(()).unwrap();
        assert_eq!(rendering.await.unwrap().unwrap(), b"%PDF-slow");
    }
}
