//! The monthly billing plan: for an invoice month, each client's invoice from the accepted
//! proposals in force, with the month's adjustments, the amounts as Xero will compute them, what
//! would stop it being posted, and how each client's recurring fees moved since last month.
//!
//! The plan is read from the data file alone (the organisation's accounts, tax rates, themes and
//! tracking options as last fetched); it calls nobody.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use ts_rs::TS;

use super::adjustments::{Adjustment, AdjustmentKind, adjustments};
use super::arithmetic::{
    InvoiceTotals, LineAmounts, LineMoney, LineMonths, days_in_month, invoice_totals, line_money,
    monthly_value, periods_due, round,
};
use super::settings::{Timing, billing_settings};
use crate::catalog::Frequency;
use crate::clients::{Client, LineDetail, TrackingChoice, list_clients};
use crate::connection::{XeroLists, cached_lists};
use crate::error::{Error, Result};
use crate::practice::{Practice, TaxTreatment, require_practice};
use crate::proposals::terms::{month_text, require_month, shift_months as shift};
use crate::proposals::{LineInForce, lines_in_force};
use crate::store::Store;

/// Where a line comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum LineSource {
    /// A line of an accepted proposal.
    Proposal {
        proposal: String,
        #[ts(type = "number")]
        line_id: i64,
    },
    /// A line added for this month only.
    Adjustment {
        #[ts(type = "number")]
        adjustment_id: i64,
    },
}

/// One service on a client's invoice this month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlannedLine {
    pub source: LineSource,
    pub name: String,
    pub description: String,
    pub category: String,
    pub frequency: Option<Frequency>,
    /// Resolved: the client's, else the service's, else the practice's recurring or one-off code.
    pub account_code: String,
    pub tax_type: String,
    /// Xero's quantity and unit amount (a weekly line: the weeks starting this month).
    pub money: LineMoney,
    /// What the quantity counts, in words ("5 weeks starting in March").
    pub quantity_note: Option<String>,
}

/// A line as the invoice sent to Xero carries it (after the client's line detail grouped them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvoiceLine {
    pub description: String,
    pub account_code: String,
    pub tax_type: String,
    pub money: LineMoney,
    pub tracking: Vec<TrackingChoice>,
}

crate::db_enum! {
    /// What happens to a client's invoice this month.
    #[ts(export)]
    pub enum PlanState: "plan state" {
        /// Will be posted.
        Ready = "ready",
        /// Something must be fixed first (see its warnings).
        Blocked = "blocked",
        /// Held this month: kept, not posted until released.
        Held = "held",
        /// Skipped this month.
        Skipped = "skipped",
    }
}

crate::db_enum! {
    /// How a client's recurring fees moved since the month before.
    #[ts(export)]
    pub enum Movement: "revenue movement" {
        New = "new",
        Expansion = "expansion",
        Contraction = "contraction",
        Churn = "churn",
        Unchanged = "unchanged",
    }
}

impl Movement {
    /// How a client's recurring fees moved from `before` to `now` (a month apart).
    pub fn between(before: Decimal, now: Decimal) -> Movement {
        match (before.is_zero(), now.is_zero()) {
            (true, false) => Movement::New,
            (false, true) => Movement::Churn,
            _ if now > before => Movement::Expansion,
            _ if now < before => Movement::Contraction,
            _ => Movement::Unchanged,
        }
    }
}

impl Movements {
    /// The total of one kind of movement.
    pub fn of(&mut self, movement: Movement) -> &mut MovementTotal {
        match movement {
            Movement::New => &mut self.new,
            Movement::Expansion => &mut self.expansion,
            Movement::Contraction => &mut self.contraction,
            Movement::Churn => &mut self.churn,
            Movement::Unchanged => &mut self.unchanged,
        }
    }

    /// Each kind's amount rounded to `places`.
    pub fn rounded(mut self, places: u32) -> Movements {
        for m in Movement::ALL {
            let total = self.of(*m);
            total.amount = round(total.amount, places);
        }
        self
    }
}

/// A client's invoice for the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlannedInvoice {
    #[ts(type = "number")]
    pub client_id: i64,
    /// 1: the client's invoice for the month; 2, 3, …: a separate invoice the bookkeeper added.
    pub seq: u32,
    pub client_name: String,
    pub contact_id: Option<String>,
    pub state: PlanState,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub due_date: String,
    /// Readable by the client, unique per client and month.
    pub reference: String,
    pub currency: String,
    pub line_amounts: LineAmounts,
    pub branding_theme_id: Option<String>,
    pub line_detail: LineDetail,
    /// The services, one by one.
    pub lines: Vec<PlannedLine>,
    /// The lines as Xero will show them.
    pub invoice_lines: Vec<InvoiceLine>,
    pub totals: InvoiceTotals,
    /// Why it can't be posted, or what to look at, in words.
    pub warnings: Vec<String>,
    /// Whether the warnings block posting.
    pub blocked: bool,
    /// How the client's recurring fees moved; `None` on a separate invoice, which carries only
    /// lines added for the month.
    pub movement: Option<Movement>,
    /// Recurring fees per month now and the month before (zero on a separate invoice).
    #[ts(as = "String")]
    pub recurring: Decimal,
    #[ts(as = "String")]
    pub recurring_before: Decimal,
    /// `recurring - recurring_before`.
    #[ts(as = "String")]
    pub recurring_change: Decimal,
}

/// The firm's movement of one kind: clients and the change in recurring fees per month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct MovementTotal {
    pub clients: u32,
    #[ts(as = "String")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Movements {
    pub new: MovementTotal,
    pub expansion: MovementTotal,
    pub contraction: MovementTotal,
    pub churn: MovementTotal,
    pub unchanged: MovementTotal,
}

/// A month's plan in figures: when it is dated, what is ready and blocked, and how the recurring
/// fees moved since the month before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlanFigures {
    /// The invoice month, `YYYY-MM`.
    pub month: String,
    /// The month of the services it bills (the invoice month in advance, the one before in
    /// arrears).
    pub service_month: String,
    pub timing: Timing,
    pub invoice_date: String,
    /// Invoices that will be posted, and their total.
    pub ready: u32,
    #[ts(as = "String")]
    pub ready_total: Decimal,
    pub blocked: u32,
    /// Recurring fees per month, this month and the month before.
    #[ts(as = "String")]
    pub recurring: Decimal,
    #[ts(as = "String")]
    pub recurring_before: Decimal,
    pub movements: Movements,
    /// When the organisation's lists were last fetched (tax rates, accounts…); `None`: never.
    pub lists_fetched_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BillingPlan {
    #[serde(flatten)]
    #[ts(flatten)]
    pub figures: PlanFigures,
    pub invoices: Vec<PlannedInvoice>,
}

/// A planned invoice as a row of the Billing screen's table: who, how much, what changed and
/// what is wrong. The invoice in full (its lines, as Xero will get them) is read when the row is
/// opened ([`planned_invoice`]): the month's 2,000 invoices in full are ten times the size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvoiceRow {
    #[ts(type = "number")]
    pub client_id: i64,
    pub seq: u32,
    pub client_name: String,
    pub state: PlanState,
    pub due_date: String,
    pub reference: String,
    /// The services' names, in the invoice's order.
    pub services: Vec<String>,
    #[ts(as = "String")]
    pub total: Decimal,
    pub warnings: Vec<String>,
    pub movement: Option<Movement>,
    #[ts(as = "String")]
    pub recurring_change: Decimal,
}

impl From<&PlannedInvoice> for InvoiceRow {
    fn from(invoice: &PlannedInvoice) -> InvoiceRow {
        InvoiceRow {
            client_id: invoice.client_id,
            seq: invoice.seq,
            client_name: invoice.client_name.clone(),
            state: invoice.state,
            due_date: invoice.due_date.clone(),
            reference: invoice.reference.clone(),
            services: invoice.lines.iter().map(|l| l.name.clone()).collect(),
            total: invoice.totals.total,
            warnings: invoice.warnings.clone(),
            movement: invoice.movement,
            recurring_change: invoice.recurring_change,
        }
    }
}

/// One invoice of `month`'s plan, in full: the client's invoice for the month (`seq` 1) or a
/// separate one.
pub fn planned_invoice(
    store: &Store,
    month: &str,
    client_id: i64,
    seq: u32,
) -> Result<PlannedInvoice> {
    billing_plan(store, month)?
        .invoices
        .into_iter()
        .find(|i| i.client_id == client_id && i.seq == seq)
        .ok_or_else(|| {
            Error::invalid(
                "invoice",
                format!(
                    "This month's plan has no such invoice any more (client {client_id}, \
                     invoice {seq}): it changed since the list was shown."
                ),
            )
        })
}

/// What the practice's data says about tax: each tax type's rate in percent.
fn tax_rates(lists: &XeroLists) -> HashMap<String, Decimal> {
    lists
        .tax_rates
        .iter()
        .filter(|r| r.status.as_deref().is_none_or(|s| s == "ACTIVE"))
        .map(|r| (r.tax_type.clone(), r.effective_rate.unwrap_or_default()))
        .collect()
}

/// A client's recurring fees per month in `month`, from the lines in force.
fn recurring_of(lines: &[&LineInForce]) -> Decimal {
    lines
        .iter()
        .map(|l| monthly_value(l.line.frequency, l.line.price))
        .sum()
}

/// The plan for invoice month `month` (`YYYY-MM`), checked against the organisation's lists as
/// last fetched.
pub fn billing_plan(store: &Store, month: &str) -> Result<BillingPlan> {
    billing_plan_with(store, month, cached_lists(store)?)
}

/// The plan, checked against `lists` (e.g. as Xero has them now, for a dry run).
pub fn billing_plan_with(store: &Store, month: &str, lists: XeroLists) -> Result<BillingPlan> {
    let practice = require_practice(store)?;
    let settings = billing_settings(store)?;
    let invoice_month = require_month("month", month)?;
    let service_month = match settings.timing {
        Timing::Advance => invoice_month,
        Timing::Arrears => shift(invoice_month, -1),
    };
    let previous_month = shift(service_month, -1);
    let day = settings.invoice_day.min(days_in_month(invoice_month));
    let invoice_date = invoice_month.with_day(day).unwrap_or(invoice_month);

    let rates = tax_rates(&lists);
    let clients: Vec<Client> = list_clients(store, &Default::default())?;
    let in_force = lines_in_force(store, previous_month, service_month)?;
    let mut by_client: HashMap<i64, Vec<&LineInForce>> = HashMap::new();
    let mut before_by_client: HashMap<i64, Vec<&LineInForce>> = HashMap::new();
    for line in &in_force {
        if line.engaged_in(service_month) {
            by_client.entry(line.client_id).or_default().push(line);
        }
        if line.engaged_in(previous_month) {
            before_by_client
                .entry(line.client_id)
                .or_default()
                .push(line);
        }
    }
    let adjusted = adjustments(store, month)?;
    let mut adjusted_by_client: HashMap<i64, Vec<&Adjustment>> = HashMap::new();
    for a in &adjusted {
        adjusted_by_client.entry(a.client_id).or_default().push(a);
    }

    let context = Context {
        practice: &practice,
        lists: &lists,
        rates: &rates,
        income: lists
            .income_accounts
            .iter()
            .filter_map(|a| a.code.as_deref())
            .collect(),
        service_month,
        month_name: service_month.format("%B").to_string(),
        month_and_year: service_month.format("%B %Y").to_string(),
        reference_month: service_month.format("%b %Y").to_string(),
        invoice_date,
    };
    let mut figures = PlanFigures {
        month: month_text(invoice_month),
        service_month: month_text(service_month),
        timing: settings.timing,
        invoice_date: invoice_date.format("%Y-%m-%d").to_string(),
        ready: 0,
        ready_total: Decimal::ZERO,
        blocked: 0,
        recurring: Decimal::ZERO,
        recurring_before: Decimal::ZERO,
        movements: Movements::default(),
        lists_fetched_at: lists.fetched_at.clone(),
    };
    let mut invoices = Vec::new();
    for client in &clients {
        let none = Vec::new();
        let now = by_client.get(&client.id).unwrap_or(&none);
        let before = before_by_client.get(&client.id).unwrap_or(&none);
        let mine = adjusted_by_client
            .get(&client.id)
            .map_or(&[][..], Vec::as_slice);
        if now.is_empty() && before.is_empty() && mine.is_empty() {
            continue;
        }
        // The month's invoice, then any separate ones (a skip or hold applies to them all).
        let on = |seq: u32| -> Vec<&Adjustment> {
            mine.iter()
                .copied()
                .filter(|a| a.invoice_seq == seq || a.kind != AdjustmentKind::ExtraLine)
                .collect()
        };
        let invoice = context.invoice(client, 1, now, before, &on(1));
        figures.recurring += invoice.recurring;
        figures.recurring_before += invoice.recurring_before;
        if let Some(movement) = invoice.movement {
            let total = figures.movements.of(movement);
            total.clients += 1;
            total.amount += invoice.recurring - invoice.recurring_before;
        }
        let mut separate: Vec<u32> = mine
            .iter()
            .map(|a| a.invoice_seq)
            .filter(|seq| *seq > 1)
            .collect();
        separate.sort_unstable();
        separate.dedup();
        let all = std::iter::once(invoice).chain(
            separate
                .into_iter()
                .map(|seq| context.invoice(client, seq, &[], &[], &on(seq))),
        );
        for invoice in all {
            // A churned client with nothing to bill this month shows in the movements only.
            if invoice.lines.is_empty() && invoice.state != PlanState::Skipped {
                continue;
            }
            match invoice.state {
                PlanState::Ready => {
                    figures.ready += 1;
                    figures.ready_total += invoice.totals.total;
                }
                PlanState::Blocked => figures.blocked += 1,
                _ => {}
            }
            invoices.push(invoice);
        }
    }
    let places = practice.currency_places;
    figures.recurring = round(figures.recurring, places);
    figures.recurring_before = round(figures.recurring_before, places);
    figures.movements = std::mem::take(&mut figures.movements).rounded(places);
    Ok(BillingPlan { figures, invoices })
}

struct Context<'a> {
    practice: &'a Practice,
    lists: &'a XeroLists,
    rates: &'a HashMap<String, Decimal>,
    /// The codes of the organisation's income accounts.
    income: Vec<&'a str>,
    service_month: NaiveDate,
    /// The service month in words, as the invoice says it: "December", "December 2026", and
    /// "Dec 2026" in its Reference.
    month_name: String,
    month_and_year: String,
    reference_month: String,
    invoice_date: NaiveDate,
}

impl Context<'_> {
    fn line_amounts(&self) -> LineAmounts {
        match self.practice.tax_treatment {
            TaxTreatment::Exclusive => LineAmounts::Exclusive,
            TaxTreatment::Inclusive => LineAmounts::Inclusive,
        }
    }

    fn rate(&self, tax_type: &str) -> Decimal {
        self.rates.get(tax_type).copied().unwrap_or_default()
    }

    fn account_for(
        &self,
        client: &Client,
        service_code: &str,
        frequency: Option<Frequency>,
    ) -> String {
        let client_code = client.details.invoicing.account_code.trim();
        if !client_code.is_empty() {
            return client_code.to_string();
        }
        if !service_code.trim().is_empty() {
            return service_code.trim().to_string();
        }
        match frequency {
            Some(Frequency::OneOff) | None => self.practice.one_off_account_code.clone(),
            Some(_) => self.practice.recurring_account_code.clone(),
        }
    }

    fn tax_type_for(&self, line_tax: &str) -> String {
        if line_tax.trim().is_empty() {
            self.practice.default_tax_type.clone()
        } else {
            line_tax.trim().to_string()
        }
    }

    /// "Dec 2026 fees C12", and "Dec 2026 fees C12 (2)" for a separate invoice.
    fn reference(&self, client: &Client, seq: u32) -> String {
        let code = match client.details.account_number.trim() {
            "" => format!("C{}", client.id),
            number => number.to_string(),
        };
        let base = format!("{} fees {}", self.reference_month, code);
        numbered_reference(&base, seq)
    }

    fn invoice(
        &self,
        client: &Client,
        seq: u32,
        now: &[&LineInForce],
        before: &[&LineInForce],
        adjustments: &[&Adjustment],
    ) -> PlannedInvoice {
        let amounts = self.line_amounts();
        let mut lines = Vec::new();
        // Price ranges due this month whose price the firm has not confirmed.
        let mut unconfirmed = Vec::new();
        for in_force in now {
            let l = &in_force.line;
            let months = LineMonths {
                start: l.start,
                anchor: l.anchor,
                end: l.end,
            };
            let Some(periods) = periods_due(l.frequency, months, self.service_month) else {
                continue;
            };
            // A service included at no charge (or discounted to nothing) is scope, not an
            // invoice line: Xero would print a line of 0.00.
            if l.price.is_zero() && !l.awaiting_confirmation {
                continue;
            }
            if l.awaiting_confirmation {
                unconfirmed.push(format!(
                    "Confirm the price of \u{201c}{}\u{201d} on {} (it was agreed as a range) before it is invoiced.",
                    l.name, in_force.proposal
                ));
            }
            let described = adjustments
                .iter()
                .find(|a| a.kind == AdjustmentKind::Description && a.line_id == Some(l.id));
            let tax_type = self.tax_type_for(&l.tax_type);
            let quantity_note = (l.frequency == Frequency::Weekly)
                .then(|| format!("{periods} weeks starting in {}", self.month_name));
            lines.push(PlannedLine {
                source: LineSource::Proposal {
                    proposal: in_force.proposal.to_string(),
                    line_id: l.id,
                },
                name: l.name.clone(),
                description: described
                    .map(|a| a.description.clone())
                    .unwrap_or_else(|| line_text(&l.name, &l.description)),
                category: l.category.clone(),
                frequency: Some(l.frequency),
                account_code: self.account_for(client, &l.account_code, Some(l.frequency)),
                money: line_money(periods, l.price, self.rate(&tax_type), amounts),
                tax_type,
                quantity_note,
            });
        }
        for a in adjustments
            .iter()
            .filter(|a| a.kind == AdjustmentKind::ExtraLine)
        {
            let tax_type = self.tax_type_for(&a.tax_type);
            lines.push(PlannedLine {
                source: LineSource::Adjustment {
                    adjustment_id: a.id,
                },
                name: a.description.clone(),
                description: a.description.clone(),
                category: String::new(),
                frequency: None,
                account_code: self.account_for(client, &a.account_code, None),
                money: line_money(
                    a.quantity.unwrap_or(Decimal::ONE),
                    a.unit_amount.unwrap_or_default(),
                    self.rate(&tax_type),
                    amounts,
                ),
                tax_type,
                quantity_note: None,
            });
        }
        let tracking: Vec<TrackingChoice> = client
            .details
            .invoicing
            .tracking
            .iter()
            .filter(|t| !t.category.trim().is_empty())
            .take(2)
            .cloned()
            .collect();
        let invoice_lines = group_lines(
            &lines,
            client.details.invoicing.line_detail,
            &tracking,
            &self.month_and_year,
            |tax| self.rate(tax),
            amounts,
        );
        let money: Vec<LineMoney> = invoice_lines.iter().map(|l| l.money).collect();
        let totals = invoice_totals(&money, amounts);
        let terms: i64 = client
            .details
            .invoicing
            .payment_terms_days
            .trim()
            .parse()
            .unwrap_or(i64::from(self.practice.payment_terms_days));
        let theme = match client.details.invoicing.branding_theme_id.trim() {
            "" => self.practice.default_branding_theme_id.trim().to_string(),
            id => id.to_string(),
        };
        let recurring = round(recurring_of(now), self.practice.currency_places);
        let recurring_before = round(recurring_of(before), self.practice.currency_places);
        let movement = (seq == 1).then(|| Movement::between(recurring_before, recurring));
        let mut invoice = PlannedInvoice {
            client_id: client.id,
            seq,
            client_name: client.details.display_name.clone(),
            contact_id: client.xero_contact_id.clone(),
            state: PlanState::Ready,
            // `YYYY-MM-DD`, as a date displays.
            date: self.invoice_date.to_string(),
            due_date: (self.invoice_date + chrono::Duration::days(terms)).to_string(),
            reference: self.reference(client, seq),
            currency: self.practice.base_currency.clone(),
            line_amounts: amounts,
            branding_theme_id: (!theme.is_empty()).then_some(theme),
            line_detail: client.details.invoicing.line_detail,
            lines,
            invoice_lines,
            totals,
            warnings: Vec::new(),
            blocked: false,
            movement,
            recurring,
            recurring_before,
            recurring_change: recurring - recurring_before,
        };
        self.check(&mut invoice);
        if !unconfirmed.is_empty() {
            invoice.warnings.extend(unconfirmed);
            invoice.blocked = true;
        }
        if adjustments.iter().any(|a| a.kind == AdjustmentKind::Skip) {
            invoice.state = PlanState::Skipped;
        } else if adjustments.iter().any(|a| a.kind == AdjustmentKind::Hold) {
            invoice.state = PlanState::Held;
        } else if invoice.blocked {
            invoice.state = PlanState::Blocked;
        }
        invoice
    }

    /// What would stop the invoice, checked against the organisation's lists as last fetched.
    fn check(&self, invoice: &mut PlannedInvoice) {
        let block = |w: String, warnings: &mut Vec<String>| warnings.push(w);
        let mut warnings = Vec::new();
        if invoice.contact_id.is_none() {
            block(
                "Not linked to a Xero contact: link it on Clients \u{2192} Xero connections."
                    .into(),
                &mut warnings,
            );
        }
        if self.lists.fetched_at.is_none() {
            block(
                "Xero's accounts and tax rates haven't been fetched: refresh them in Settings \u{2192} Integrations.".into(),
                &mut warnings,
            );
        } else {
            for line in &invoice.invoice_lines {
                if line.account_code.is_empty() {
                    block(
                        format!(
                            "\u{201c}{}\u{201d} has no account code: set the practice's default in Settings.",
                            line.description
                        ),
                        &mut warnings,
                    );
                } else if !self.income.contains(&line.account_code.as_str()) {
                    block(
                        format!(
                            "Account {} isn't an active income account in Xero.",
                            line.account_code
                        ),
                        &mut warnings,
                    );
                }
                if !line.tax_type.is_empty() && !self.rates.contains_key(&line.tax_type) {
                    block(
                        format!("Tax rate {} isn't active in Xero.", line.tax_type),
                        &mut warnings,
                    );
                }
                for t in &line.tracking {
                    let found = self.lists.tracking_categories.iter().any(|c| {
                        c.name == t.category && c.options.iter().any(|o| o.name == t.option)
                    });
                    if !found {
                        block(
                            format!(
                                "Tracking {} \u{2192} {} isn't active in Xero.",
                                t.category, t.option
                            ),
                            &mut warnings,
                        );
                    }
                }
            }
            if let Some(theme) = &invoice.branding_theme_id
                && !self
                    .lists
                    .branding_themes
                    .iter()
                    .any(|b| &b.branding_theme_id == theme)
            {
                block(
                    "Its branding theme is no longer in Xero.".into(),
                    &mut warnings,
                );
            }
        }
        if invoice.totals.total < Decimal::ZERO {
            block("The invoice total is negative.".into(), &mut warnings);
        }
        warnings.dedup();
        invoice.blocked = !warnings.is_empty();
        invoice.warnings = warnings;
    }
}

/// The Reference of invoice `seq` of a client's month: the month's own for 1, numbered after it
/// for a separate invoice or one posted again ("Dec 2026 fees C12 (3)").
pub(crate) fn numbered_reference(base: &str, seq: u32) -> String {
    if seq <= 1 {
        base.to_string()
    } else {
        format!("{base} ({seq})")
    }
}

/// A line's text on the invoice: its name, and its description when it has one.
fn line_text(name: &str, description: &str) -> String {
    match description.trim() {
        "" => name.to_string(),
        d => format!("{name} \u{2014} {d}"),
    }
}

/// The services as the client's invoice lists them: one line each, one summary line, or one
/// per category — never mixing account codes or tax types on one line.
fn group_lines(
    lines: &[PlannedLine],
    detail: LineDetail,
    tracking: &[TrackingChoice],
    month_and_year: &str,
    rate: impl Fn(&str) -> Decimal,
    amounts: LineAmounts,
) -> Vec<InvoiceLine> {
    let per_line = || {
        lines
            .iter()
            .map(|l| InvoiceLine {
                description: match &l.quantity_note {
                    Some(note) => format!("{} ({note})", l.description),
                    None => l.description.clone(),
                },
                account_code: l.account_code.clone(),
                tax_type: l.tax_type.clone(),
                money: l.money,
                tracking: tracking.to_vec(),
            })
            .collect()
    };
    let key = |l: &PlannedLine| -> String {
        match detail {
            LineDetail::ByCategory => l.category.clone(),
            _ => String::new(),
        }
    };
    match detail {
        LineDetail::PerService => per_line(),
        LineDetail::Summary | LineDetail::ByCategory => {
            let mut groups: BTreeMap<(String, String, String), Vec<&PlannedLine>> = BTreeMap::new();
            for l in lines {
                groups
                    .entry((key(l), l.account_code.clone(), l.tax_type.clone()))
                    .or_default()
                    .push(l);
            }
            groups
                .into_iter()
                .map(|((category, account_code, tax_type), members)| {
                    let amount: Decimal = members.iter().map(|l| l.money.line_amount).sum();
                    let heading = match (detail, category.trim()) {
                        (LineDetail::ByCategory, c) if !c.is_empty() => c.to_string(),
                        _ => "Accounting and bookkeeping services".to_string(),
                    };
                    let names: Vec<&str> = members.iter().map(|l| l.name.as_str()).collect();
                    InvoiceLine {
                        description: format!("{heading}, {month_and_year}: {}", names.join(", ")),
                        money: line_money(Decimal::ONE, amount, rate(&tax_type), amounts),
                        account_code,
                        tax_type,
                        tracking: tracking.to_vec(),
                    }
                })
                .collect()
        }
    }
}
