//! Scope creep, caught and billed: work done for a client is logged and checked against what the
//! client accepted — covered by a service in scope, explicitly not included, or not covered at
//! all — and out-of-scope work can go on the month's invoice as an extra line.

use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::billing::adjustments::{check_adjustment, write_adjustment};
use crate::billing::{AdjustmentDraft, AdjustmentKind};
use crate::catalog::{Pricing, quote};
use crate::error::{Error, Problems, Result};
use crate::proposals::{ScopeLine, client_scope};
use crate::store::{Source, Store};

crate::db_enum! {
    /// Whether the client's accepted scope covers a piece of work.
    #[ts(export)]
    pub enum Coverage: "scope coverage" {
        /// A service the client accepted covers it.
        InScope = "in_scope",
        /// The proposal says it isn't included.
        OutOfScope = "out_of_scope",
        /// Nothing in the accepted scope mentions it.
        NotCovered = "not_covered",
    }
}

/// The words of a text that carry meaning (lower case, no punctuation, no small words).
fn words(text: &str) -> Vec<String> {
    const SMALL: &[&str] = &["a", "an", "and", "the", "of", "for", "to", "in", "on", "&"];
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !SMALL.contains(w))
        .map(str::to_string)
        .collect()
}

/// Whether every meaningful word of `phrase` appears in `text`.
fn mentions(text: &[String], phrase: &str) -> bool {
    let wanted = words(phrase);
    !wanted.is_empty() && wanted.iter().all(|w| text.contains(w))
}

/// Classifies a piece of work against a client's scope that month (pure): the service it was
/// logged against, else what its description mentions; "not included" wins over a vague match.
pub fn classify(
    description: &str,
    service_id: Option<i64>,
    in_scope: &[ScopeLine],
    not_included: &[String],
) -> (Coverage, String) {
    if let Some(line) =
        service_id.and_then(|id| in_scope.iter().find(|s| s.line.service_id == Some(id)))
    {
        return (
            Coverage::InScope,
            format!(
                "Covered by \u{201c}{}\u{201d} in {}.",
                line.line.name, line.proposal
            ),
        );
    }
    let said = words(description);
    if let Some(item) = not_included.iter().find(|item| mentions(&said, item)) {
        return (
            Coverage::OutOfScope,
            format!("The accepted proposal says \u{201c}{item}\u{201d} isn't included."),
        );
    }
    if service_id.is_none()
        && let Some(line) = in_scope.iter().find(|s| mentions(&said, &s.line.name))
    {
        return (
            Coverage::InScope,
            format!(
                "Covered by \u{201c}{}\u{201d} in {}.",
                line.line.name, line.proposal
            ),
        );
    }
    (
        Coverage::NotCovered,
        if in_scope.is_empty() {
            "The client has no accepted scope that month.".to_string()
        } else {
            "Nothing in the accepted scope covers it.".to_string()
        },
    )
}

/// Work as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct WorkDraft {
    #[ts(type = "number")]
    pub client_id: i64,
    /// `YYYY-MM-DD`; blank for today.
    pub done_on: String,
    pub description: String,
    pub done_by: String,
    pub minutes: String,
    #[ts(type = "number | null")]
    pub service_id: Option<i64>,
}

/// A logged piece of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Work {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub done_on: String,
    pub description: String,
    pub done_by: String,
    pub minutes: u32,
    #[ts(type = "number | null")]
    pub service_id: Option<i64>,
    pub coverage: Coverage,
    pub coverage_reason: String,
    /// The month's extra line it became, once billed.
    #[ts(type = "number | null")]
    pub billed_adjustment_id: Option<i64>,
    /// The amendment proposal that adds a service to cover it, once gathered into one.
    #[ts(type = "number | null")]
    pub proposal_id: Option<i64>,
}

const WORK_COLUMNS: &str = "w.id, w.client_id, c.display_name AS client_name, w.done_on,
    w.description, w.done_by, w.minutes, w.service_id, w.coverage, w.coverage_reason,
    w.billed_adjustment_id, w.proposal_id";

fn work_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Work> {
    Ok(Work {
        id: r.get("id")?,
        client_id: r.get("client_id")?,
        client_name: r.get("client_name")?,
        done_on: r.get("done_on")?,
        description: r.get("description")?,
        done_by: r.get("done_by")?,
        minutes: r.get("minutes")?,
        service_id: r.get("service_id")?,
        coverage: r.get("coverage")?,
        coverage_reason: r.get("coverage_reason")?,
        billed_adjustment_id: r.get("billed_adjustment_id")?,
        proposal_id: r.get("proposal_id")?,
    })
}

/// Logs a piece of work (checked field by field) and says whether the client's scope covers it.
pub fn log_work(store: &mut Store, draft: &WorkDraft) -> Result<Work> {
    let client = crate::clients::get_client(store, draft.client_id)?;
    let mut problems = Problems::new();
    // Left blank: today.
    let day = match draft.done_on.trim() {
        "" => Some(chrono::Local::now().date_naive()),
        text => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
    };
    if day.is_none() {
        problems.add("done_on", "Enter the day the work was done, as YYYY-MM-DD.");
    }
    if draft.description.trim().is_empty() {
        problems.add("description", "Say what was done.");
    }
    let minutes = match draft.minutes.trim().parse::<u32>() {
        Ok(m) if m > 0 && m <= 24 * 60 => Some(m),
        _ => {
            problems.add(
                "minutes",
                "Enter the minutes spent, a whole number from 1 to 1440.",
            );
            None
        }
    };
    problems.into_result()?;
    let (Some(day), Some(minutes)) = (day, minutes) else {
        return Err(Error::BadRequest("checked above".into()));
    };
    let scope = client_scope(store, client.id, &day.format("%Y-%m").to_string())?;
    let (coverage, reason) = classify(
        &draft.description,
        draft.service_id,
        &scope.in_scope,
        &scope.out_of_scope,
    );
    let id = store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO work_log (client_id, done_on, description, done_by, minutes, service_id,
                coverage, coverage_reason, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                client.id,
                day.format("%Y-%m-%d").to_string(),
                draft.description.trim(),
                draft.done_by.trim(),
                minutes,
                draft.service_id,
                coverage,
                reason,
                crate::now()
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.log(
            "work",
            id,
            "log",
            &serde_json::json!({
                "client_id": client.id, "minutes": minutes, "coverage": coverage,
            }),
        )?;
        Ok(id)
    })?;
    get_work(store, id)
}

pub fn get_work(store: &Store, id: i64) -> Result<Work> {
    store
        .conn()
        .query_row(
            &format!("SELECT {WORK_COLUMNS} FROM work_log w JOIN clients c ON c.id = w.client_id WHERE w.id = ?1"),
            [id],
            work_from_row,
        )
        .map_err(|_| Error::NotFound { entity: "work", id })
}

/// Logged work, newest first (one client's when given).
pub fn work_list(store: &Store, client_id: Option<i64>) -> Result<Vec<Work>> {
    let mut stmt = store.conn().prepare(&format!(
        "SELECT {WORK_COLUMNS} FROM work_log w JOIN clients c ON c.id = w.client_id
         WHERE (?1 IS NULL OR w.client_id = ?1) ORDER BY w.done_on DESC, w.id DESC"
    ))?;
    let rows = stmt.query_map([client_id], work_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What out-of-scope work is billed at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "by", rename_all = "snake_case")]
#[ts(export)]
pub enum BillAt {
    /// The hours spent × a rate typed in the practice's locale.
    HourlyRate { rate: String },
    /// A catalogue service's price: an hourly service's rate × the hours spent; any other, its
    /// price for its usual quantity. The line takes the service's account code and tax type.
    Service {
        #[ts(type = "number")]
        service_id: i64,
    },
}

/// Bills a piece of work that the scope doesn't cover: an extra line on `month`'s invoice at
/// `at`, written with the link from the work to it in one transaction.
pub fn bill_work(store: &mut Store, work_id: i64, month: &str, at: &BillAt) -> Result<Work> {
    let work = get_work(store, work_id)?;
    if work.coverage == Coverage::InScope {
        return Err(Error::invalid(
            "work",
            format!(
                "\u{201c}{}\u{201d} is in the client's scope: its fee covers it.",
                work.description
            ),
        ));
    }
    if work.billed_adjustment_id.is_some() {
        return Err(Error::AlreadyDone(format!(
            "\u{201c}{}\u{201d} is on an invoice already.",
            work.description
        )));
    }
    let hours = (Decimal::from(work.minutes) / Decimal::from(60)).round_dp(2);
    let mut draft = AdjustmentDraft {
        month: month.to_string(),
        client_id: work.client_id,
        kind: Some(AdjustmentKind::ExtraLine),
        description: format!(
            "Additional work on {}: {} ({} min)",
            work.done_on, work.description, work.minutes
        ),
        ..AdjustmentDraft::default()
    };
    match at {
        BillAt::HourlyRate { rate } => {
            draft.quantity = hours.to_string();
            draft.unit_amount = rate.clone();
        }
        BillAt::Service { service_id } => {
            let service = crate::catalog::get_service(store, *service_id)?;
            let currency = crate::practice::require_practice(store)?.currency();
            let (quantity, unit) = match &service.pricing {
                Pricing::Hourly { rate, .. } => (hours, *rate),
                pricing => (
                    Decimal::ONE,
                    quote(pricing, pricing.default_quantity(), currency)
                        .map(|q| q.total)
                        .map_err(|e| Error::invalid("service", e.to_string()))?,
                ),
            };
            let format = crate::practice::require_practice(store)?.number_format();
            draft.quantity = crate::money::format_number(quantity, format);
            draft.unit_amount = crate::money::format_number(unit, format);
            draft.description = format!("{} \u{2014} {}", draft.description, service.name);
            draft.account_code = service.account_code.clone();
            draft.tax_type = service.tax_type.clone();
        }
    }
    let checked = check_adjustment(store, &draft).map_err(|e| match e {
        // The rate is this form's field.
        Error::Invalid(problems) => {
            let mut renamed = Problems::new();
            for p in problems.fields() {
                let field = if p.field == "unit_amount" {
                    "hourly_rate"
                } else {
                    p.field.as_str()
                };
                renamed.add(field, p.message.clone());
            }
            Error::Invalid(renamed)
        }
        other => other,
    })?;
    store.write(Source::User, |tx| {
        let line = write_adjustment(tx, &checked)?;
        tx.execute(
            "UPDATE work_log SET billed_adjustment_id = ?2 WHERE id = ?1",
            params![work_id, line],
        )?;
        tx.log(
            "work",
            work_id,
            "bill",
            &serde_json::json!({ "adjustment": line, "month": month }),
        )
    })?;
    get_work(store, work_id)
}

/// Out-of-scope work to gather into an amendment of the client's accepted proposal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[ts(export)]
pub struct WorkProposalDraft {
    #[ts(type = "number")]
    pub client_id: i64,
    #[ts(type = "Array<number>")]
    pub work_ids: Vec<i64>,
    /// The catalogue service that will cover such work from now on.
    #[ts(type = "number")]
    pub service_id: i64,
    /// `YYYY-MM`: when the amendment takes over.
    pub effective_from: String,
}

/// Gathers out-of-scope work into an amendment of the client's accepted proposal (a draft new
/// version, from `effective_from`) that adds `service_id` to the scope, its introduction listing
/// the work asked for; the work is marked as proposed, in the same transaction.
pub fn propose_work(
    store: &mut Store,
    draft: &WorkProposalDraft,
) -> Result<crate::proposals::Proposal> {
    if draft.work_ids.is_empty() {
        return Err(Error::invalid("work_ids", "Choose the work to propose."));
    }
    let mut work = Vec::with_capacity(draft.work_ids.len());
    for id in &draft.work_ids {
        let w = get_work(store, *id)?;
        let refusal = if w.client_id != draft.client_id {
            Some("is another client's")
        } else if w.coverage == Coverage::InScope {
            Some("is already in the client's scope")
        } else if w.billed_adjustment_id.is_some() {
            Some("is billed already")
        } else if w.proposal_id.is_some() {
            Some("is in a proposal already")
        } else {
            None
        };
        if let Some(why) = refusal {
            return Err(Error::invalid(
                "work_ids",
                format!("\u{201c}{}\u{201d} {why}.", w.description),
            ));
        }
        work.push(w);
    }
    let accepted: Option<i64> = store
        .conn()
        .query_row(
            "SELECT id FROM proposals WHERE client_id = ?1 AND status = 'accepted'
             ORDER BY accepted_at DESC, id DESC LIMIT 1",
            [draft.client_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(accepted) = accepted else {
        return Err(Error::invalid(
            "client_id",
            "The client has no accepted proposal to amend: send it a proposal for the service.",
        ));
    };
    let mut line = crate::proposals::line_for_service(store, draft.service_id)?;
    line.start_month = draft.effective_from.trim().to_string();
    let service = crate::catalog::get_service(store, draft.service_id)?;
    let asked: Vec<String> = work
        .iter()
        .map(|w| format!("- {} ({}, {} min)", w.description, w.done_on, w.minutes))
        .collect();
    let ids = draft.work_ids.clone();
    crate::proposals::amend_with(
        store,
        accepted,
        draft.effective_from.trim(),
        |proposal| {
            proposal.lines.push(line);
            proposal.introduction = format!(
                "{}\n\nThis amendment adds {} to your engagement, to cover work you have asked us \
                 for that it didn't include:\n{}",
                proposal.introduction.trim_end(),
                service.name,
                asked.join("\n")
            );
            Ok(())
        },
        |tx, proposal_id| {
            for id in &ids {
                tx.execute(
                    "UPDATE work_log SET proposal_id = ?2 WHERE id = ?1",
                    params![id, proposal_id],
                )?;
                tx.log(
                    "work",
                    *id,
                    "propose",
                    &serde_json::json!({ "proposal": proposal_id }),
                )?;
            }
            Ok(())
        },
    )
}

/// A client's unbilled out-of-scope time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CreepRow {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    /// Minutes of work out of scope or not covered, not yet on an invoice.
    pub unbilled_minutes: u32,
    pub entries: u32,
}

/// The clients with the most unbilled out-of-scope time between two months (inclusive).
pub fn scope_creep_report(store: &Store, from: &str, to: &str) -> Result<Vec<CreepRow>> {
    let mut stmt = store.conn().prepare(
        "SELECT w.client_id, c.display_name AS client_name, sum(w.minutes) AS minutes,
                count(*) AS entries
         FROM work_log w JOIN clients c ON c.id = w.client_id
         WHERE w.coverage <> 'in_scope' AND w.billed_adjustment_id IS NULL
           AND substr(w.done_on, 1, 7) BETWEEN ?1 AND ?2
         GROUP BY w.client_id ORDER BY minutes DESC, lower(c.display_name)",
    )?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok(CreepRow {
            client_id: r.get("client_id")?,
            client_name: r.get("client_name")?,
            unbilled_minutes: r.get("minutes")?,
            entries: r.get("entries")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposals::ProposalLine;

    fn scope(name: &str, service_id: i64) -> ScopeLine {
        ScopeLine {
            proposal: "P-2026-0001".into(),
            line: ProposalLine {
                id: 1,
                service_id: Some(service_id),
                name: name.into(),
                description: String::new(),
                category: String::new(),
                pricing: crate::catalog::Pricing::Fixed {
                    price: Decimal::ONE,
                },
                drivers: Vec::new(),
                terms: String::new(),
                frequency: crate::catalog::Frequency::Monthly,
                account_code: String::new(),
                tax_type: String::new(),
                estimated_minutes: 0,
                quantity: Decimal::ONE,
                discount_percent: Decimal::ZERO,
                price: Decimal::ONE,
                price_high: None,
                confirmed_price: None,
                start_month: "2026-12".into(),
                anchor_month: "2026-12".into(),
                end_month: None,
                optional: false,
                chosen: false,
                top_up: false,
                option: None,
            },
        }
    }

    #[test]
    fn work_is_in_scope_out_of_it_or_not_covered_and_says_why() {
        let in_scope = vec![scope("Monthly bookkeeping", 7), scope("BAS lodgement", 8)];
        let not_included = vec!["Payroll".to_string(), "Audit support".to_string()];
        let (c, why) = classify(
            "Reconciled the bank feeds",
            Some(7),
            &in_scope,
            &not_included,
        );
        assert_eq!(c, Coverage::InScope);
        assert!(why.contains("Monthly bookkeeping"), "{why}");
        let (c, why) = classify(
            "Ran the payroll for December",
            None,
            &in_scope,
            &not_included,
        );
        assert_eq!(c, Coverage::OutOfScope);
        assert!(why.contains("Payroll"), "{why}");
        let (c, _) = classify(
            "Prepared the BAS lodgement pack",
            None,
            &in_scope,
            &not_included,
        );
        assert_eq!(c, Coverage::InScope);
        let (c, why) = classify(
            "Helped with a bank loan application",
            None,
            &in_scope,
            &not_included,
        );
        assert_eq!(c, Coverage::NotCovered);
        assert!(why.contains("Nothing"), "{why}");
        // "Not included" wins over a vague mention.
        let (c, _) = classify(
            "Audit support for the bookkeeping",
            None,
            &in_scope,
            &not_included,
        );
        assert_eq!(c, Coverage::OutOfScope);
        let (c, why) = classify("Anything", None, &[], &[]);
        assert_eq!(c, Coverage::NotCovered);
        assert!(why.contains("no accepted scope"), "{why}");
    }

    #[test]
    fn out_of_scope_work_is_billed_on_the_months_invoice_and_leaves_the_report() {
        use crate::catalog::{self, Frequency, PricingDraft, PricingKind, ServiceDraft};
        use crate::clients::{ClientDraft, create_client};
        use crate::proposals::{
            LineDraft, ProposalAction, blank_proposal, change_status, create_proposal,
        };
        let mut store = Store::open_in_memory().unwrap();
        crate::practice::set_up_for_tests(&mut store);
        let client = create_client(
            &mut store,
            &ClientDraft {
                display_name: "Acme Plumbing".into(),
                ..ClientDraft::blank()
            },
        )
        .unwrap()
        .id;
        let service = catalog::create_service(
            &mut store,
            &ServiceDraft {
                name: "Monthly bookkeeping".into(),
                pricing: PricingDraft {
                    price: "400".into(),
                    ..PricingDraft::empty(PricingKind::Fixed)
                },
                frequency: Frequency::Monthly,
                ..ServiceDraft::blank()
            },
        )
        .unwrap()
        .id;
        let mut draft = blank_proposal(&store, client).unwrap();
        draft.scope_out = vec!["Payroll".into()];
        draft.lines = vec![LineDraft {
            service_id: Some(service),
            line_id: None,
            quantity: "1".into(),
            discount_percent: "0".into(),
            estimated_minutes: String::new(),
            start_month: "2026-12".into(),
            end_month: String::new(),
            optional: false,
            driver_choices: Vec::new(),
            option: None,
        }];
        let p = create_proposal(&mut store, &draft).unwrap();
        change_status(
            &mut store,
            p.id,
            ProposalAction::Accept,
            Some("Sam Lee"),
            &[],
        )
        .unwrap();

        let log = |store: &mut Store, what: &str, minutes: &str| {
            log_work(
                store,
                &WorkDraft {
                    client_id: client,
                    done_on: "2026-12-03".into(),
                    description: what.into(),
                    done_by: "Jo".into(),
                    minutes: minutes.into(),
                    service_id: None,
                },
            )
        };
        let bad = log(&mut store, "", "0").unwrap_err();
        let Error::Invalid(problems) = bad else {
            panic!("{bad:?}")
        };
        let fields: Vec<&str> = problems.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["description", "minutes"]);

        let payroll = log(&mut store, "Ran the December payroll", "90").unwrap();
        assert_eq!(payroll.coverage, Coverage::OutOfScope);
        let loan = log(&mut store, "Bank loan forms", "30").unwrap();
        assert_eq!(loan.coverage, Coverage::NotCovered);
        let books = log(&mut store, "Monthly bookkeeping catch-up", "45").unwrap();
        assert_eq!(books.coverage, Coverage::InScope);

        let report = scope_creep_report(&store, "2026-12", "2026-12").unwrap();
        assert_eq!((report[0].unbilled_minutes, report[0].entries), (120, 2));

        let refused = bill_work(
            &mut store,
            books.id,
            "2026-12",
            &BillAt::HourlyRate { rate: "120".into() },
        )
        .unwrap_err();
        assert!(
            refused.to_string().contains("in the client's scope"),
            "{refused}"
        );
        let rate = bill_work(
            &mut store,
            payroll.id,
            "2026-12",
            &BillAt::HourlyRate { rate: "1,5".into() },
        )
        .unwrap_err();
        let Error::Invalid(problems) = rate else {
            panic!("{rate:?}")
        };
        assert_eq!(problems.fields()[0].field, "hourly_rate");
        let billed = bill_work(
            &mut store,
            payroll.id,
            "2026-12",
            &BillAt::HourlyRate { rate: "120".into() },
        )
        .unwrap();
        assert!(billed.billed_adjustment_id.is_some());
        let twice = bill_work(
            &mut store,
            payroll.id,
            "2026-12",
            &BillAt::HourlyRate { rate: "120".into() },
        )
        .unwrap_err();
        assert_eq!(twice.code(), crate::ErrorCode::AlreadyDone);

        // 1.5 hours at 120 on December's invoice, beside the proposal's 400.
        let plan = crate::billing::billing_plan(&store, "2026-12").unwrap();
        let invoice = &plan.invoices[0];
        assert_eq!(invoice.totals.sub_total, Decimal::from(580));
        assert!(
            invoice.lines[1]
                .description
                .contains("Ran the December payroll")
        );
        let report = scope_creep_report(&store, "2026-12", "2026-12").unwrap();
        assert_eq!(report[0].unbilled_minutes, 30);

        // At a service's price: an hourly one bills the hours spent at its rate, on its account.
        let advice = crate::catalog::create_service(
            &mut store,
            &crate::catalog::ServiceDraft {
                name: "Advisory".into(),
                account_code: "270".into(),
                pricing: crate::catalog::PricingDraft {
                    price: "200".into(),
                    estimated_hours: "1".into(),
                    ..crate::catalog::PricingDraft::empty(crate::catalog::PricingKind::Hourly)
                },
                frequency: crate::catalog::Frequency::OneOff,
                ..crate::catalog::ServiceDraft::blank()
            },
        )
        .unwrap();
        let at_service = BillAt::Service {
            service_id: advice.id,
        };
        bill_work(&mut store, loan.id, "2026-12", &at_service).unwrap();
        let plan = crate::billing::billing_plan(&store, "2026-12").unwrap();
        let line = plan.invoices[0]
            .lines
            .iter()
            .find(|l| l.description.contains("Bank loan forms"))
            .unwrap();
        // 30 minutes: 0.5 h × 200.
        assert_eq!(line.money.line_amount, Decimal::from(100));
        assert_eq!(line.account_code, "270");
        assert!(
            line.description.ends_with("Advisory"),
            "{}",
            line.description
        );
        assert!(
            scope_creep_report(&store, "2026-12", "2026-12")
                .unwrap()
                .is_empty()
        );

        // Asked for again and again: gathered into an amendment that adds payroll from January.
        let january = log(&mut store, "Payroll for January", "60").unwrap();
        assert_eq!(january.coverage, Coverage::OutOfScope);
        let payroll_service = catalog::create_service(
            &mut store,
            &ServiceDraft {
                name: "Payroll".into(),
                pricing: PricingDraft {
                    price: "150".into(),
                    ..PricingDraft::empty(PricingKind::Fixed)
                },
                frequency: Frequency::Monthly,
                ..ServiceDraft::blank()
            },
        )
        .unwrap()
        .id;
        let proposal = |work_ids: Vec<i64>| WorkProposalDraft {
            client_id: client,
            work_ids,
            service_id: payroll_service,
            effective_from: "2027-01".into(),
        };
        let covered = propose_work(&mut store, &proposal(vec![books.id])).unwrap_err();
        assert!(
            covered
                .to_string()
                .contains("already in the client's scope"),
            "{covered}"
        );
        let amendment = propose_work(&mut store, &proposal(vec![january.id])).unwrap();
        assert_eq!(
            (amendment.status, amendment.version),
            (crate::proposals::ProposalStatus::Draft, 2)
        );
        assert!(
            amendment
                .lines
                .iter()
                .any(|l| l.name == "Payroll" && l.start_month == "2027-01"),
            "{:?}",
            amendment.lines
        );
        assert!(
            amendment
                .introduction
                .contains("- Payroll for January (2026-12-03, 60 min)")
        );
        assert_eq!(
            get_work(&store, january.id).unwrap().proposal_id,
            Some(amendment.id)
        );
        let twice = propose_work(&mut store, &proposal(vec![january.id])).unwrap_err();
        assert!(
            twice.to_string().contains("in a proposal already"),
            "{twice}"
        );
    }
}
