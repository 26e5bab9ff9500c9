//! The reports against a scenario whose figures were worked out by hand.
//!
//! Three clients, January to August 2026, "today" 15 June 2026:
//! - Alder: bookkeeping (500 a month, 4 h) and BAS (600 a quarter from January, 3 h) from January;
//! - Birch: bookkeeping from March to June (churns in July), its own estimate 2 h a month;
//! - Cedar: bookkeeping from January; an amendment from May adds payroll (50 a week, 30 min).
//!
//! Recurring revenue a month: Jan 1,200 (Alder 700 = 500 + 600 / 3, Cedar 500), Mar 1,700 (Birch
//! new), May 1,916.67 (payroll 50 × 52 / 12 = 216.67), Jul 1,416.67 (Birch churned).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::billing::{AdjustmentDraft, AdjustmentKind, Movement, add_adjustment};
use crate::catalog::{self, Frequency, PricingDraft, PricingKind, ServiceDraft};
use crate::clients::archive_client;
use crate::proposals::{
    LineDraft, ProposalAction, amend_proposal, blank_proposal, change_status, create_proposal,
    update_proposal,
};
use crate::store::{Source, Store};

struct World {
    store: Store,
    alder: i64,
    birch: i64,
    cedar: i64,
    bookkeeping: i64,
    payroll: i64,
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap_or_default()
}

fn line(service_id: i64, start: &str, end: &str) -> LineDraft {
    LineDraft {
        service_id: Some(service_id),
        line_id: None,
        quantity: "1".into(),
        discount_percent: "0".into(),
        estimated_minutes: String::new(),
        start_month: start.into(),
        end_month: end.into(),
        optional: false,
        driver_choices: Vec::new(),
        option: None,
    }
}

fn accept(store: &mut Store, id: i64) {
    change_status(store, id, ProposalAction::Accept, Some("Sam Lee"), &[]).unwrap();
}

fn world() -> World {
    let mut store = Store::open_in_memory().unwrap();
    crate::practice::set_up_for_tests(&mut store);
    store
        .write(Source::User, |tx| {
            tx.execute(
                "UPDATE practice SET hourly_cost = '60', target_margin = '40'",
                [],
            )?;
            tx.log("practice", 1, "update", &serde_json::json!({}))
        })
        .unwrap();
    let service = |store: &mut Store,
                   name: &str,
                   price: &str,
                   frequency: Frequency,
                   category: &str,
                   minutes: &str| {
        catalog::create_service(
            store,
            &ServiceDraft {
                name: name.into(),
                category: category.into(),
                estimated_minutes: minutes.into(),
                pricing: PricingDraft {
                    price: price.into(),
                    ..PricingDraft::empty(PricingKind::Fixed)
                },
                frequency,
                ..ServiceDraft::blank()
            },
        )
        .unwrap()
        .id
    };
    let bookkeeping = service(
        &mut store,
        "Bookkeeping",
        "500",
        Frequency::Monthly,
        "Bookkeeping",
        "240",
    );
    let bas = service(
        &mut store,
        "BAS",
        "600",
        Frequency::Quarterly,
        "Compliance",
        "180",
    );
    let payroll = service(
        &mut store,
        "Payroll",
        "50",
        Frequency::Weekly,
        "Payroll",
        "30",
    );
    let client = crate::clients::named_for_test;
    let (alder, birch, cedar) = (
        client(&mut store, "Alder Pty Ltd"),
        client(&mut store, "Birch & Co"),
        client(&mut store, "Cedar Cafe"),
    );
    let propose = |store: &mut Store, client: i64, lines: Vec<LineDraft>| {
        let mut draft = blank_proposal(store, client).unwrap();
        draft.lines = lines;
        let p = create_proposal(store, &draft).unwrap();
        accept(store, p.id);
        p.id
    };
    propose(
        &mut store,
        alder,
        vec![line(bookkeeping, "2026-01", ""), line(bas, "2026-01", "")],
    );
    // Birch's books take half the usual time: its proposal line says 120 minutes a month.
    let mut birch_books = line(bookkeeping, "2026-03", "2026-06");
    birch_books.estimated_minutes = "120".into();
    propose(&mut store, birch, vec![birch_books]);
    let cedar_proposal = propose(&mut store, cedar, vec![line(bookkeeping, "2026-01", "")]);
    let amendment = amend_proposal(&mut store, cedar_proposal, "2026-05").unwrap();
    let mut draft = amendment.draft();
    draft.lines.push(line(payroll, "2026-05", ""));
    update_proposal(&mut store, amendment.id, &draft).unwrap();
    accept(&mut store, amendment.id);
    World {
        store,
        alder,
        birch,
        cedar,
        bookkeeping,
        payroll,
    }
}

fn range(from: &str, to: &str) -> ReportFilter {
    ReportFilter {
        from: from.into(),
        to: to.into(),
        ..ReportFilter::default()
    }
}

#[test]
fn recurring_revenue_moves_month_by_month_and_the_movements_add_up() {
    let w = world();
    let report = revenue_report(&w.store, &range("2026-01", "2026-08"), today()).unwrap();
    let recurring: Vec<(String, Decimal)> = report
        .months
        .iter()
        .map(|m| (m.month.clone(), m.recurring))
        .collect();
    let expected = [
        ("2026-01", dec!(1200)),
        ("2026-02", dec!(1200)),
        ("2026-03", dec!(1700)),
        ("2026-04", dec!(1700)),
        ("2026-05", dec!(1916.67)),
        ("2026-06", dec!(1916.67)),
        ("2026-07", dec!(1416.67)),
        ("2026-08", dec!(1416.67)),
    ];
    assert_eq!(
        recurring,
        expected
            .iter()
            .map(|(m, v)| (m.to_string(), *v))
            .collect::<Vec<_>>()
    );
    assert_eq!(report.recurring_before, Decimal::ZERO);
    let month = |m: &str| report.months.iter().find(|x| x.month == m).unwrap();
    assert_eq!(
        (
            month("2026-01").movements.new.clients,
            month("2026-01").movements.new.amount
        ),
        (2, dec!(1200))
    );
    assert_eq!(month("2026-05").movements.expansion.amount, dec!(216.67));
    assert_eq!(
        (
            month("2026-07").movements.churn.clients,
            month("2026-07").movements.churn.amount
        ),
        (1, dec!(-500))
    );
    assert_eq!(month("2026-02").movements.unchanged.clients, 2);
    // Every month's movements are its change, to the cent; the range's, the whole change.
    let mut before = report.recurring_before;
    for m in &report.months {
        let moved = m.movements.new.amount
            + m.movements.expansion.amount
            + m.movements.contraction.amount
            + m.movements.churn.amount;
        assert_eq!(moved, m.change, "{}", m.month);
        assert_eq!(m.change, m.recurring - before, "{}", m.month);
        before = m.recurring;
    }
    let t = &report.totals;
    assert_eq!(
        t.new.amount + t.expansion.amount + t.contraction.amount + t.churn.amount,
        dec!(1416.67)
    );
    assert_eq!((t.new.clients, t.churn.clients), (3, 1));
    // After this month, a forecast from accepted scope.
    let forecast: Vec<&str> = report
        .months
        .iter()
        .filter(|m| m.forecast)
        .map(|m| m.month.as_str())
        .collect();
    assert_eq!(forecast, ["2026-07", "2026-08"]);
    assert_eq!(report.table.rows.len(), 8);
    assert!(
        report.table.subtitle.contains("forecast"),
        "{}",
        report.table.subtitle
    );
    let csv = report.table.csv().unwrap();
    assert!(
        csv.starts_with("Month,Recurring revenue,Clients,New,"),
        "{csv}"
    );
    assert!(
        csv.contains("2026-05,1916.67,3,0,216.67,0,0,216.67,\n"),
        "{csv}"
    );
}

#[test]
fn the_clients_behind_a_bar() {
    let w = world();
    let churned = revenue_clients(
        &w.store,
        &ReportFilter::default(),
        "2026-07",
        Some(Movement::Churn),
        today(),
    )
    .unwrap();
    assert_eq!(churned.len(), 1);
    assert_eq!(
        (
            churned[0].client_id,
            churned[0].change,
            churned[0].recurring
        ),
        (w.birch, dec!(-500), Decimal::ZERO)
    );
    let everyone =
        revenue_clients(&w.store, &ReportFilter::default(), "2026-05", None, today()).unwrap();
    assert_eq!(everyone.len(), 3);
    assert_eq!(everyone[0].client_id, w.cedar, "the largest change first");
    assert_eq!(everyone[0].movement, Movement::Expansion);
    let wrong = revenue_clients(&w.store, &ReportFilter::default(), "July", None, today());
    assert!(wrong.is_err());
}

#[test]
fn filters_narrow_every_report() {
    let mut w = world();
    let payroll_only = ReportFilter {
        service_id: Some(w.payroll),
        ..range("2026-01", "2026-08")
    };
    let report = revenue_report(&w.store, &payroll_only, today()).unwrap();
    assert_eq!(report.months[4].recurring, dec!(216.67));
    assert_eq!(report.months[3].recurring, Decimal::ZERO);
    let compliance = ReportFilter {
        category: Some("compliance".into()),
        ..range("2026-01", "2026-08")
    };
    let report = revenue_report(&w.store, &compliance, today()).unwrap();
    assert!(report.months.iter().all(|m| m.recurring == dec!(200)));
    // Birch archived: gone from "active", alone in "archived", its history kept in "all".
    archive_client(&mut w.store, w.birch).unwrap();
    let active = ReportFilter {
        clients: ReportClients::Active,
        ..range("2026-03", "2026-03")
    };
    assert_eq!(
        revenue_report(&w.store, &active, today()).unwrap().months[0].recurring,
        dec!(1200)
    );
    let archived = ReportFilter {
        clients: ReportClients::Archived,
        ..range("2026-03", "2026-03")
    };
    assert_eq!(
        revenue_report(&w.store, &archived, today()).unwrap().months[0].recurring,
        dec!(500)
    );
    // A range the wrong way round or too long is said, field by field.
    let backwards = revenue_report(&w.store, &range("2026-08", "2026-01"), today());
    assert!(backwards.unwrap_err().to_string().contains("swap"));
    let long = revenue_report(&w.store, &range("2010-01", "2026-01"), today());
    assert!(long.unwrap_err().to_string().contains("at most 120 months"));
    // The default range: the last twelve months and the next three.
    let default = revenue_report(&w.store, &ReportFilter::default(), today()).unwrap();
    assert_eq!(
        (default.from.as_str(), default.to.as_str()),
        ("2025-07", "2026-09")
    );
}

#[test]
fn revenue_by_service_bills_as_the_plan_does_with_shares_and_growth() {
    let mut w = world();
    add_adjustment(
        &mut w.store,
        &AdjustmentDraft {
            month: "2026-02".into(),
            client_id: w.alder,
            kind: Some(AdjustmentKind::ExtraLine),
            description: "Catch-up".into(),
            quantity: "2".into(),
            unit_amount: "150".into(),
            ..AdjustmentDraft::default()
        },
    )
    .unwrap();
    let report = services_report(&w.store, &range("2026-01", "2026-06"), today()).unwrap();
    let service = |name: &str| report.services.iter().find(|s| s.name == name).unwrap();
    // Bookkeeping: Alder 6 + Cedar 6 + Birch 4 months of 500.
    assert_eq!(service("Bookkeeping").total, dec!(8000));
    assert_eq!(service("Bookkeeping").clients, 3);
    // BAS bills in January and April only.
    let bas = service("BAS");
    assert_eq!(
        bas.per_month,
        [dec!(600), dec!(0), dec!(0), dec!(600), dec!(0), dec!(0)]
    );
    // Payroll: the Mondays of May (4) and June (5), 50 each.
    assert_eq!(service("Payroll").total, dec!(450));
    assert_eq!(
        service("Payroll").growth,
        None,
        "none in January to grow from"
    );
    assert_eq!(service("Added for the month").total, dec!(300));
    assert_eq!(
        report.total,
        dec!(8000) + dec!(1200) + dec!(450) + dec!(300)
    );
    assert_eq!(report.per_month.iter().sum::<Decimal>(), report.total);
    // Bookkeeping grew from 1,000 a month in January to 1,500 in June: 50 %.
    assert_eq!(service("Bookkeeping").growth, Some(dec!(50)));
    assert_eq!(
        service("Bookkeeping").share,
        Some(dec!(80.4)),
        "8,000 of 9,950"
    );
    let shares: Decimal = report.categories.iter().filter_map(|c| c.share).sum();
    assert!((shares - dec!(100)).abs() <= dec!(0.2), "{shares}");
    assert_eq!(report.categories[0].name, "Bookkeeping");
    assert_eq!(report.services[0].name, "Bookkeeping", "largest first");
    let _ = w.bookkeeping;
}

#[test]
fn profitability_adds_up_per_client_and_per_service() {
    let mut w = world();
    // Out-of-scope work for Cedar: 90 minutes logged, 2 × 150 billed.
    let work = crate::scope_creep::log_work(
        &mut w.store,
        &crate::scope_creep::WorkDraft {
            client_id: w.cedar,
            description: "Bank loan application".into(),
            done_on: "2026-03-10".into(),
            done_by: "Jo".into(),
            minutes: "90".into(),
            service_id: None,
        },
    )
    .unwrap();
    crate::scope_creep::bill_work(
        &mut w.store,
        work.id,
        "2026-03",
        &crate::scope_creep::BillAt::HourlyRate { rate: "100".into() },
    )
    .unwrap();
    let report = profitability_report(&w.store, &range("2026-01", "2026-06"), today()).unwrap();
    let line = |client: i64, service: &str| {
        report
            .lines
            .iter()
            .find(|l| l.client_id == client && l.service == service)
            .unwrap()
    };
    // Alder's bookkeeping: 6 × 500 = 3,000 for 6 × 4 h at 60 = 1,440: margin 1,560, 52 %, 125/h.
    let alder = line(w.alder, "Bookkeeping");
    assert_eq!(
        (
            alder.profit.fee,
            alder.profit.minutes,
            alder.profit.cost,
            alder.profit.margin
        ),
        (dec!(3000), 1440, dec!(1440), dec!(1560))
    );
    assert_eq!(
        (
            alder.profit.margin_percent,
            alder.profit.hourly_rate,
            alder.profit.below_target
        ),
        (Some(dec!(52)), Some(dec!(125)), false)
    );
    // BAS: 2 × 600 for 2 × 3 h = 360: 70 %.
    assert_eq!(line(w.alder, "BAS").profit.margin_percent, Some(dec!(70)));
    // Payroll: 9 weeks × 50 = 450 for 9 × 30 min = 270 at 60/h: 180, 40 % — not under 40 %.
    let payroll = line(w.cedar, "Payroll");
    assert_eq!(
        (
            payroll.profit.fee,
            payroll.profit.cost,
            payroll.profit.margin_percent
        ),
        (dec!(450), dec!(270), Some(dec!(40)))
    );
    assert!(!payroll.profit.below_target);
    // Cedar's out-of-scope work: 90 min (90 cost) for the 1.5 h × 100 billed: 150, 40 %.
    let added = line(w.cedar, "Added for the month");
    assert_eq!(
        (added.profit.fee, added.profit.minutes, added.profit.cost),
        (dec!(150), 90, dec!(90))
    );
    // Birch's own estimate: 4 months × 2 h = 8 h (480 at 60) against 2,000: 76 %, 250 an hour.
    let birch = line(w.birch, "Bookkeeping");
    assert_eq!(
        (
            birch.profit.minutes,
            birch.profit.cost,
            birch.profit.margin_percent
        ),
        (480, dec!(480), Some(dec!(76)))
    );
    assert_eq!(birch.profit.hourly_rate, Some(dec!(250)));
    // Least profitable first.
    let margins: Vec<Decimal> = report
        .lines
        .iter()
        .filter_map(|l| l.profit.margin_percent)
        .collect();
    assert!(margins.windows(2).all(|p| p[0] <= p[1]), "{margins:?}");
    // It adds up: lines = clients = services = the total.
    let fee = |rows: &[ProfitRollup]| rows.iter().map(|r| r.profit.fee).sum::<Decimal>();
    let line_fees: Decimal = report.lines.iter().map(|l| l.profit.fee).sum();
    assert_eq!(line_fees, report.total.profit.fee);
    assert_eq!(fee(&report.by_client), report.total.profit.fee);
    assert_eq!(fee(&report.by_service), report.total.profit.fee);
    let minutes: u32 = report.by_client.iter().map(|c| c.profit.minutes).sum();
    assert_eq!(minutes, report.total.profit.minutes);
    let cedar = report
        .by_client
        .iter()
        .find(|c| c.id == Some(w.cedar))
        .unwrap();
    assert_eq!(cedar.profit.fee, dec!(3000) + dec!(450) + dec!(150));
    // A target of 55 % flags Alder's bookkeeping (52 %).
    w.store
        .write(Source::User, |tx| {
            tx.execute("UPDATE practice SET target_margin = '55'", [])?;
            tx.log("practice", 1, "update", &serde_json::json!({}))
        })
        .unwrap();
    let strict = profitability_report(&w.store, &range("2026-01", "2026-06"), today()).unwrap();
    assert!(
        strict
            .lines
            .iter()
            .any(|l| l.client_id == w.alder && l.service == "Bookkeeping" && l.profit.below_target)
    );
    assert_eq!(
        strict.below_target,
        strict
            .lines
            .iter()
            .filter(|l| l.profit.below_target)
            .count() as u32
    );
    let csv = strict.table.csv().unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("Client,Service,Category,Fee,Minutes"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), strict.lines.len() + 1);
}
