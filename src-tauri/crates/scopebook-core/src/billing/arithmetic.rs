//! When a line is due, and an invoice's amounts as Xero works them out: pure functions.
//!
//! Which months a line bills in:
//! - monthly: every month it is in force;
//! - quarterly and annually: its start month, then every 3 or 12 months;
//! - one-off: its start month only;
//! - weekly: every month, with the number of weeks that **start** in the month (its Mondays,
//!   4 or 5) as the quantity — the line's price is per week.
//!
//! Xero's arithmetic (what it shows on the invoice, to the cent): quantity to 4 places, unit
//! amount to 4 (Scopebook sends `unitdp=4`), line amount = quantity × unit amount rounded to 2;
//! tax per line, rounded to 2 — on top of the line amount when amounts are tax-exclusive, or the
//! part of it that is tax when tax-inclusive; the invoice's totals are the sums of the lines.
//! Half a cent rounds away from zero.

use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use ts_rs::TS;

use crate::catalog::Frequency;

crate::db_enum! {
    /// How an invoice's line amounts treat tax (Xero's `LineAmountTypes`).
    #[ts(export)]
    pub enum LineAmounts: "line amount types" {
        /// Amounts before tax; tax is added.
        Exclusive = "Exclusive",
        /// Amounts include tax.
        Inclusive = "Inclusive",
        /// No tax at all.
        NoTax = "NoTax",
    }
}

pub fn round(amount: Decimal, places: u32) -> Decimal {
    amount.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Whole months from `start` to `month` (both first days of months); negative before it.
pub fn months_between(start: NaiveDate, month: NaiveDate) -> i32 {
    (month.year() - start.year()) * 12 + month.month() as i32 - start.month() as i32
}

/// The weeks that start (on a Monday) in `month`.
pub fn weeks_starting_in(month: NaiveDate) -> u32 {
    let first = month.with_day(1).unwrap_or(month);
    let days = days_in_month(first);
    (1..=days)
        .filter_map(|d| first.with_day(d))
        .filter(|d| d.weekday() == Weekday::Mon)
        .count() as u32
}

pub fn days_in_month(month: NaiveDate) -> u32 {
    let first = month.with_day(1).unwrap_or(month);
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .map_or(28, |last| last.day())
}

/// The months a line runs: its first billable month, the month its cycle counts from (an
/// amendment moves the start, not the anchor), and its last month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMonths {
    pub start: NaiveDate,
    pub anchor: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// How many of the line's periods fall in `month` (`None`: it doesn't bill then): quarterly and
/// annual lines bill every 3 or 12 months from their anchor, one-off lines in their anchor month
/// only — never before the start or after the end.
pub fn periods_due(frequency: Frequency, months: LineMonths, month: NaiveDate) -> Option<Decimal> {
    if months_between(months.start, month) < 0
        || months.end.is_some_and(|end| months_between(end, month) > 0)
    {
        return None;
    }
    let cycle = months_between(months.anchor, month);
    match frequency {
        Frequency::Monthly => Some(Decimal::ONE),
        Frequency::Quarterly => (cycle.rem_euclid(3) == 0).then_some(Decimal::ONE),
        Frequency::Annually => (cycle.rem_euclid(12) == 0).then_some(Decimal::ONE),
        Frequency::OneOff => (cycle == 0).then_some(Decimal::ONE),
        Frequency::Weekly => Some(Decimal::from(weeks_starting_in(month))),
    }
}

/// A line's amounts as Xero computes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LineMoney {
    #[ts(as = "String")]
    pub quantity: Decimal,
    #[ts(as = "String")]
    pub unit_amount: Decimal,
    #[ts(as = "String")]
    pub line_amount: Decimal,
    #[ts(as = "String")]
    pub tax_amount: Decimal,
}

/// `rate`: the tax rate in percent (10 for 10 %).
pub fn line_money(
    quantity: Decimal,
    unit_amount: Decimal,
    rate: Decimal,
    amounts: LineAmounts,
) -> LineMoney {
    let quantity = round(quantity, 4);
    let unit_amount = round(unit_amount, 4);
    let line_amount = round(quantity * unit_amount, 2);
    let hundred = Decimal::ONE_HUNDRED;
    let tax_amount = match amounts {
        LineAmounts::Exclusive => round(line_amount * rate / hundred, 2),
        LineAmounts::Inclusive => round(
            line_amount - line_amount / (Decimal::ONE + rate / hundred),
            2,
        ),
        LineAmounts::NoTax => Decimal::ZERO,
    };
    LineMoney {
        quantity,
        unit_amount,
        line_amount,
        tax_amount,
    }
}

/// An invoice's totals from its lines, as Xero adds them up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InvoiceTotals {
    #[ts(as = "String")]
    pub sub_total: Decimal,
    #[ts(as = "String")]
    pub total_tax: Decimal,
    #[ts(as = "String")]
    pub total: Decimal,
}

pub fn invoice_totals(lines: &[LineMoney], amounts: LineAmounts) -> InvoiceTotals {
    let line_total: Decimal = lines.iter().map(|l| l.line_amount).sum();
    let total_tax: Decimal = lines.iter().map(|l| l.tax_amount).sum();
    match amounts {
        LineAmounts::Inclusive => InvoiceTotals {
            sub_total: line_total - total_tax,
            total_tax,
            total: line_total,
        },
        _ => InvoiceTotals {
            sub_total: line_total,
            total_tax,
            total: line_total + total_tax,
        },
    }
}

/// The recurring value of a line per month (weekly × 52 ÷ 12, quarterly ÷ 3, annually ÷ 12);
/// one-off lines have none.
pub fn monthly_value(frequency: Frequency, price: Decimal) -> Decimal {
    match frequency {
        Frequency::Weekly => price * Decimal::from(52) / Decimal::from(12),
        Frequency::Monthly => price,
        Frequency::Quarterly => price / Decimal::from(3),
        Frequency::Annually => price / Decimal::from(12),
        Frequency::OneOff => Decimal::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn m(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").unwrap()
    }

    fn months(start: &str, anchor: &str, end: Option<&str>) -> LineMonths {
        LineMonths {
            start: m(start),
            anchor: m(anchor),
            end: end.map(m),
        }
    }

    /// The months of 2027 in which a line starting `start` bills.
    fn billing_months(frequency: Frequency, start: &str, end: Option<&str>) -> Vec<u32> {
        (1..=12)
            .filter(|month| {
                periods_due(
                    frequency,
                    months(start, start, end),
                    m(&format!("2027-{month:02}")),
                )
                .is_some()
            })
            .collect()
    }

    #[test]
    fn an_amendment_moves_the_start_not_the_cycle() {
        // An annual fee first billed in July 2026, amended from March 2027: next due July 2027.
        let amended = months("2027-03", "2026-07", None);
        let due: Vec<u32> = (1..=12)
            .filter(|month| {
                periods_due(Frequency::Annually, amended, m(&format!("2027-{month:02}"))).is_some()
            })
            .collect();
        assert_eq!(due, vec![7]);
        // A one-off fee billed in 2026 is never billed again by the amendment.
        let one_off = months("2027-03", "2026-12", None);
        assert!((1..=12).all(|month| {
            periods_due(Frequency::OneOff, one_off, m(&format!("2027-{month:02}"))).is_none()
        }));
    }

    #[test]
    fn every_frequency_across_a_year() {
        assert_eq!(
            billing_months(Frequency::Monthly, "2027-03", None),
            (3..=12).collect::<Vec<_>>()
        );
        assert_eq!(
            billing_months(Frequency::Quarterly, "2026-11", None),
            vec![2, 5, 8, 11]
        );
        assert_eq!(
            billing_months(Frequency::Annually, "2026-07", None),
            vec![7]
        );
        assert_eq!(billing_months(Frequency::OneOff, "2027-04", None), vec![4]);
        assert_eq!(
            billing_months(Frequency::OneOff, "2026-04", None),
            Vec::<u32>::new()
        );
        assert_eq!(billing_months(Frequency::Weekly, "2027-01", None).len(), 12);
        // End months are billed, the month after is not.
        assert_eq!(
            billing_months(Frequency::Monthly, "2027-01", Some("2027-06")),
            (1..=6).collect::<Vec<_>>()
        );
        assert_eq!(
            billing_months(Frequency::Quarterly, "2027-01", Some("2027-06")),
            vec![1, 4]
        );
    }

    #[test]
    fn weekly_lines_count_the_mondays_of_the_month() {
        // March 2027 starts on a Monday: 1, 8, 15, 22, 29.
        assert_eq!(weeks_starting_in(m("2027-03")), 5);
        assert_eq!(weeks_starting_in(m("2027-02")), 4);
        assert_eq!(
            periods_due(
                Frequency::Weekly,
                months("2027-01", "2027-01", None),
                m("2027-03")
            ),
            Some(dec!(5))
        );
        let weeks: u32 = (1..=12)
            .map(|month| weeks_starting_in(m(&format!("2027-{month:02}"))))
            .sum();
        assert_eq!(weeks, 52, "every week of 2027 is billed once");
    }

    #[test]
    fn amounts_as_xero_rounds_them_exclusive_and_inclusive() {
        let a = line_money(dec!(3), dec!(33.335), dec!(10), LineAmounts::Exclusive);
        assert_eq!(
            (a.unit_amount, a.line_amount, a.tax_amount),
            (dec!(33.335), dec!(100.01), dec!(10.00))
        );
        let b = line_money(dec!(1), dec!(0.05), dec!(10), LineAmounts::Exclusive);
        assert_eq!(
            b.tax_amount,
            dec!(0.01),
            "half a cent rounds away from zero"
        );
        let exclusive = invoice_totals(&[a, b], LineAmounts::Exclusive);
        assert_eq!(exclusive.total, dec!(100.06) + dec!(10.01));

        let c = line_money(dec!(1), dec!(110), dec!(10), LineAmounts::Inclusive);
        assert_eq!(c.tax_amount, dec!(10.00));
        let d = line_money(dec!(1), dec!(99.99), dec!(15), LineAmounts::Inclusive);
        assert_eq!(d.tax_amount, dec!(13.04));
        let inclusive = invoice_totals(&[c, d], LineAmounts::Inclusive);
        assert_eq!(inclusive.total, dec!(209.99));
        assert_eq!(inclusive.sub_total + inclusive.total_tax, inclusive.total);
        assert_eq!(inclusive.total_tax, dec!(23.04));
    }

    #[test]
    fn recurring_value_per_month() {
        assert_eq!(monthly_value(Frequency::Quarterly, dec!(300)), dec!(100));
        assert_eq!(monthly_value(Frequency::Weekly, dec!(120)), dec!(520));
        assert_eq!(monthly_value(Frequency::OneOff, dec!(999)), dec!(0));
    }
}
