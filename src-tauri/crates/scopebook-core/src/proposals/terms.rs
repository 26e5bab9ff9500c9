//! Pure parts of proposals: totals by frequency, status transitions, months, placeholders.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::Frequency;
use crate::money::Currency;

crate::db_enum! {
    /// When a proposal's billing starts: each service's own start month, the month the client
    /// accepts, or a number of free months after that.
    #[ts(export)]
    pub enum BillingStart: "billing start" {
        FromMonth = "from_month",
        OnAcceptance = "on_acceptance",
        FreeMonths = "free_months",
    }
}

crate::db_enum! {
    /// How a proposal shows its fees: every line's price, a subtotal per category, or only the
    /// totals. The practice's setting is each new proposal's default.
    #[ts(export)]
    pub enum FeeDisplay: "fee display" {
        Breakdown = "breakdown",
        Categories = "categories",
        Totals = "totals",
    }
}

crate::db_enum! {
    /// Where a proposal is in its life; [`transition`] is the one place that moves it.
    #[ts(export)]
    pub enum ProposalStatus: "proposal status" {
        Draft = "draft",
        Sent = "sent",
        Accepted = "accepted",
        Declined = "declined",
        Expired = "expired",
        Withdrawn = "withdrawn",
        /// Replaced by an accepted amendment (still in force before the amendment's month).
        Superseded = "superseded",
    }
}

/// What the user asks to do to a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProposalAction {
    Send,
    Accept,
    Decline,
    Expire,
    Withdraw,
    Supersede,
}

/// The status after `action`, or why it can't be done.
pub fn transition(from: ProposalStatus, action: ProposalAction) -> Result<ProposalStatus, String> {
    use ProposalAction as A;
    use ProposalStatus as S;
    match (from, action) {
        (S::Draft, A::Send) => Ok(S::Sent),
        // Accepting straight from a draft covers an engagement signed in the meeting.
        (S::Draft | S::Sent, A::Accept) => Ok(S::Accepted),
        (S::Sent, A::Decline) => Ok(S::Declined),
        (S::Sent, A::Expire) => Ok(S::Expired),
        (S::Draft | S::Sent, A::Withdraw) => Ok(S::Withdrawn),
        (S::Accepted, A::Supersede) => Ok(S::Superseded),
        (S::Accepted, _) => Err(
            "This proposal has been accepted and can't change; make an amendment instead."
                .to_string(),
        ),
        (from, action) => Err(format!(
            "A {} proposal can't be {}.",
            from.as_str(),
            match action {
                A::Send => "sent",
                A::Accept => "accepted",
                A::Decline => "declined",
                A::Expire => "expired",
                A::Withdraw => "withdrawn",
                A::Supersede => "superseded",
            }
        )),
    }
}

/// What may be done to a proposal in its status: the buttons the editor shows. Derived from
/// [`transition`], so a button can't offer what the rules refuse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AllowedActions {
    /// Its lines and wording may be edited (drafts only; accepted ones are amended).
    pub edit: bool,
    pub send: bool,
    pub accept: bool,
    pub decline: bool,
    pub withdraw: bool,
    /// A new version may amend it from a month.
    pub amend: bool,
    /// It may be emailed to the client (a draft is marked sent once it goes).
    pub email: bool,
}

pub fn allowed_actions(status: ProposalStatus) -> AllowedActions {
    let can = |action| transition(status, action).is_ok();
    AllowedActions {
        edit: status == ProposalStatus::Draft,
        send: can(ProposalAction::Send),
        accept: can(ProposalAction::Accept),
        decline: can(ProposalAction::Decline),
        withdraw: can(ProposalAction::Withdraw),
        amend: can(ProposalAction::Supersede),
        email: matches!(
            status,
            ProposalStatus::Draft | ProposalStatus::Sent | ProposalStatus::Accepted
        ),
    }
}

/// How many times a year a service is billed.
pub fn periods_per_year(frequency: Frequency) -> Decimal {
    match frequency {
        Frequency::OneOff => Decimal::ZERO,
        Frequency::Weekly => Decimal::from(52),
        Frequency::Monthly => Decimal::from(12),
        Frequency::Quarterly => Decimal::from(4),
        Frequency::Annually => Decimal::ONE,
    }
}

/// A line as the totals see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricedLine {
    pub frequency: Frequency,
    /// Per billing period, after discount.
    pub price: Decimal,
    /// Counts towards the totals (not optional, or optional and chosen).
    pub included: bool,
    /// A range not yet confirmed: counted at its lower end.
    pub estimate: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FrequencyTotal {
    pub frequency: Option<Frequency>,
    #[ts(as = "String")]
    pub total: Decimal,
    /// Some of its lines are price ranges not yet confirmed, counted at their lower end.
    pub estimated: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProposalTotals {
    /// Recurring fees as a monthly figure (annual value ÷ 12).
    #[ts(as = "String")]
    pub monthly: Decimal,
    /// Recurring fees over a year.
    #[ts(as = "String")]
    pub annual: Decimal,
    #[ts(as = "String")]
    pub one_off: Decimal,
    /// Per billing frequency, in the order weekly, monthly, quarterly, annually, one-off.
    pub by_frequency: Vec<FrequencyTotal>,
    /// Some of the recurring lines are price ranges, counted at their lower end: the monthly
    /// and annual figures read "from $X".
    pub estimated: bool,
    /// The same for the one-off lines.
    pub one_off_estimated: bool,
}

/// Totals of the included lines, rounded to the currency's places.
pub fn totals(lines: &[PricedLine], currency: Currency) -> ProposalTotals {
    let included = || lines.iter().filter(|l| l.included);
    let annual: Decimal = included()
        .map(|l| l.price * periods_per_year(l.frequency))
        .sum();
    let one_off: Decimal = included()
        .filter(|l| l.frequency == Frequency::OneOff)
        .map(|l| l.price)
        .sum();
    let order = [
        Frequency::Weekly,
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::Annually,
        Frequency::OneOff,
    ];
    let by_frequency = order
        .iter()
        .filter_map(|f| {
            let matching: Vec<&PricedLine> = included().filter(|l| l.frequency == *f).collect();
            if matching.is_empty() {
                return None;
            }
            Some(FrequencyTotal {
                frequency: Some(*f),
                total: currency.round(matching.iter().map(|l| l.price).sum()),
                estimated: matching.iter().any(|l| l.estimate),
            })
        })
        .collect();
    ProposalTotals {
        monthly: currency.round(annual / Decimal::from(12)),
        annual: currency.round(annual),
        one_off: currency.round(one_off),
        by_frequency,
        estimated: included().any(|l| l.estimate && l.frequency != Frequency::OneOff),
        one_off_estimated: included().any(|l| l.estimate && l.frequency == Frequency::OneOff),
    }
}

/// Reads `YYYY-MM` as typed by the bookkeeper: the month's first day, or an error for `field`
/// saying how to write it.
pub fn require_month(field: &str, text: &str) -> crate::error::Result<chrono::NaiveDate> {
    parse_month(text).ok_or_else(|| {
        crate::error::Error::invalid(
            field,
            format!("\u{201c}{text}\u{201d} isn't a month. Write it as YYYY-MM, e.g. 2026-11."),
        )
    })
}

/// A month as stored and exchanged: `YYYY-MM`.
pub fn month_text(month: chrono::NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

/// `month` moved `by` months (back when negative); unchanged past the calendar's ends.
pub fn shift_months(month: chrono::NaiveDate, by: i32) -> chrono::NaiveDate {
    if by >= 0 {
        month.checked_add_months(chrono::Months::new(by.unsigned_abs()))
    } else {
        month.checked_sub_months(chrono::Months::new(by.unsigned_abs()))
    }
    .unwrap_or(month)
}

/// Reads `YYYY-MM`.
pub fn parse_month(text: &str) -> Option<chrono::NaiveDate> {
    // By hand rather than through a format string: the billing plan reads thousands of these.
    let (year, month) = text.trim().split_once('-')?;
    let digits = |part: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(year, 4..=4) || !digits(month, 1..=2) {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

/// Replaces `{{name}}` placeholders; returns the text and the names it didn't know.
pub fn fill_placeholders(template: &str, values: &[(&str, String)]) -> (String, Vec<String>) {
    let mut out = String::with_capacity(template.len());
    let mut unknown = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = after[..end].trim();
        match values.iter().find(|(k, _)| *k == name) {
            Some((_, value)) => out.push_str(value),
            None => {
                unknown.push(name.to_string());
                out.push_str(&rest[start..start + 2 + end + 2]);
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    (out, unknown)
}

/// The placeholders templates may use, for the editor's help text.
pub const PLACEHOLDERS: &[&str] = &[
    "client",
    "client_contact",
    "practice",
    "number",
    "date",
    "valid_until",
    "monthly_fee",
    "annual_fee",
    "one_off_fee",
];

pub const DEFAULT_INTRODUCTION: &str = "Thank you for the opportunity to work with {{client}}. \
This proposal sets out the services {{practice}} will provide, what is and isn't included, and our fees.\n\n\
Once you accept it, this proposal becomes our letter of engagement.";

pub const DEFAULT_TERMS: &str = "## Our engagement\n\
This letter confirms the terms on which {{practice}} will provide the services described above to {{client}}, \
from the start month of each service until either of us ends the engagement with 30 days' written notice.\n\n\
## Fees and payment\n\
Recurring fees of {{monthly_fee}} a month ({{annual_fee}} a year) and one-off fees of {{one_off_fee}} are invoiced \
as each service falls due. Invoices are payable within the terms shown on them. Work outside the scope above \
is quoted separately before we start.\n\n\
## Your responsibilities\n\
You are responsible for the accuracy and completeness of the records and information you give us, and for \
keeping them for the periods the law requires.\n\n\
## Confidentiality and privacy\n\
We keep your information confidential and handle personal information in line with applicable privacy law.\n\n\
## Acceptance\n\
This proposal ({{number}}) is valid until {{valid_until}}. Signing below, or confirming by email, accepts it.";

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn the_buttons_offered_are_exactly_what_the_transitions_allow() {
        let draft = allowed_actions(ProposalStatus::Draft);
        assert!(draft.edit && draft.send && draft.accept && draft.withdraw && draft.email);
        assert!(!draft.decline && !draft.amend);
        let sent = allowed_actions(ProposalStatus::Sent);
        assert!(!sent.edit && !sent.send && sent.accept && sent.decline && sent.withdraw);
        let accepted = allowed_actions(ProposalStatus::Accepted);
        assert_eq!(
            accepted,
            AllowedActions {
                amend: true,
                email: true,
                ..AllowedActions::default()
            }
        );
        for closed in [
            ProposalStatus::Declined,
            ProposalStatus::Expired,
            ProposalStatus::Withdrawn,
            ProposalStatus::Superseded,
        ] {
            assert_eq!(
                allowed_actions(closed),
                AllowedActions::default(),
                "{closed}"
            );
        }
        // Whatever a status offers, the transition accepts; whatever it refuses, it doesn't offer.
        for status in ProposalStatus::ALL {
            let allowed = allowed_actions(*status);
            for (action, offered) in [
                (ProposalAction::Send, allowed.send),
                (ProposalAction::Accept, allowed.accept),
                (ProposalAction::Decline, allowed.decline),
                (ProposalAction::Withdraw, allowed.withdraw),
            ] {
                assert_eq!(
                    transition(*status, action).is_ok(),
                    offered,
                    "{status} {action:?}"
                );
            }
        }
    }

    fn aud() -> Currency {
        Currency::find("AUD").unwrap()
    }

    fn line(frequency: Frequency, price: Decimal, included: bool) -> PricedLine {
        PricedLine {
            frequency,
            price,
            included,
            estimate: false,
        }
    }

    #[test]
    fn totals_per_frequency_monthly_annual_and_one_off() {
        let lines = [
            line(Frequency::Monthly, dec!(425.00), true),
            line(Frequency::Quarterly, dec!(330.00), true),
            line(Frequency::Annually, dec!(1200.00), true),
            line(Frequency::Weekly, dec!(50.00), true),
            line(Frequency::OneOff, dec!(450.00), true),
            line(Frequency::Monthly, dec!(999.00), false), // an optional line not chosen
        ];
        let t = totals(&lines, aud());
        // 425×12 + 330×4 + 1200 + 50×52 = 5100 + 1320 + 1200 + 2600 = 10220
        assert_eq!(t.annual, dec!(10220.00));
        assert_eq!(t.monthly.to_string(), "851.67"); // 10220 / 12 = 851.666…
        assert_eq!(t.one_off, dec!(450.00));
        let freq: Vec<_> = t
            .by_frequency
            .iter()
            .map(|f| (f.frequency, f.total))
            .collect();
        assert_eq!(
            freq,
            [
                (Some(Frequency::Weekly), dec!(50.00)),
                (Some(Frequency::Monthly), dec!(425.00)),
                (Some(Frequency::Quarterly), dec!(330.00)),
                (Some(Frequency::Annually), dec!(1200.00)),
                (Some(Frequency::OneOff), dec!(450.00)),
            ]
        );
    }

    #[test]
    fn no_lines_no_totals() {
        let t = totals(&[], aud());
        assert_eq!(
            (t.monthly, t.annual, t.one_off),
            (dec!(0), dec!(0), dec!(0))
        );
        assert!(t.by_frequency.is_empty());
    }

    #[test]
    fn transitions_follow_the_lifecycle() {
        use ProposalAction as A;
        use ProposalStatus as S;
        assert_eq!(transition(S::Draft, A::Send), Ok(S::Sent));
        assert_eq!(transition(S::Sent, A::Accept), Ok(S::Accepted));
        assert_eq!(transition(S::Draft, A::Accept), Ok(S::Accepted));
        assert_eq!(transition(S::Sent, A::Decline), Ok(S::Declined));
        assert_eq!(transition(S::Sent, A::Expire), Ok(S::Expired));
        assert_eq!(transition(S::Draft, A::Withdraw), Ok(S::Withdrawn));
        assert_eq!(transition(S::Accepted, A::Supersede), Ok(S::Superseded));
        for refused in [
            (S::Draft, A::Decline),
            (S::Declined, A::Accept),
            (S::Expired, A::Send),
            (S::Withdrawn, A::Send),
            (S::Superseded, A::Accept),
            (S::Accepted, A::Withdraw),
            (S::Accepted, A::Send),
        ] {
            assert!(transition(refused.0, refused.1).is_err(), "{refused:?}");
        }
        assert!(
            transition(S::Accepted, A::Withdraw)
                .unwrap_err()
                .contains("amendment")
        );
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_reported() {
        let values = [
            ("client", "Acme".to_string()),
            ("monthly_fee", "$425.00".to_string()),
        ];
        let (text, unknown) = fill_placeholders(
            "Dear {{ client }}, {{monthly_fee}} a month. {{oops}} {{",
            &values,
        );
        assert_eq!(text, "Dear Acme, $425.00 a month. {{oops}} {{");
        assert_eq!(unknown, ["oops"]);
        let (terms, unknown) = fill_placeholders(
            DEFAULT_TERMS,
            &PLACEHOLDERS
                .iter()
                .map(|p| (*p, format!("<{p}>")))
                .collect::<Vec<_>>(),
        );
        assert!(unknown.is_empty(), "{unknown:?}");
        assert!(terms.contains("<monthly_fee> a month"));
    }

    #[test]
    fn months_read_as_year_and_month() {
        assert_eq!(
            parse_month("2026-12").map(|d| d.to_string()),
            Some("2026-12-01".into())
        );
        assert_eq!(
            parse_month(" 2027-3 ").map(|d| d.to_string()),
            Some("2027-03-01".into())
        );
        for wrong in [
            "2026-13", "2026-00", "December", "26-12", "2026-123", "2026-1a", "2026", "",
        ] {
            assert!(parse_month(wrong).is_none(), "{wrong}");
        }
    }
}
