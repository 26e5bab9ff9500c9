//! Price increases across active proposals: raise chosen services by a percentage or an amount,
//! with a rounding rule, from a given month. The preview is a dry run (it writes nothing); applying
//! writes, in one transaction, an amended version of each affected accepted proposal (and, if
//! asked, the new catalogue prices), every change logged.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::terms;
use super::{Snapshot, ValidLine, get_proposal, insert, write_lines};
use crate::catalog::{self, Pricing, Tier};
use crate::error::{Error, Problems, Result};
use crate::money::{AmountError, Currency, parse_amount};
use crate::practice::require_practice;
use crate::store::{Source, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IncreaseKind {
    /// `value` is a percentage (5 for 5 %).
    Percent,
    /// `value` is an amount added to each price.
    Amount,
}

/// How new fixed prices and hourly rates are rounded (per-unit prices always round to the cent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RoundingRule {
    /// To the currency's places (cents).
    None,
    /// Up to the next whole dollar: 126.01 → 127.
    UpToWhole,
    /// To the nearest whole dollar: 126.49 → 126, 126.50 → 127.
    NearestWhole,
    /// Up to the next multiple of five: 126.01 → 130.
    UpToFive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PriceIncrease {
    #[ts(type = "number[]")]
    pub service_ids: Vec<i64>,
    pub kind: IncreaseKind,
    pub value: String,
    pub rounding: RoundingRule,
    /// `YYYY-MM`: the month the new prices start.
    pub effective_from: String,
    /// Also raise the catalogue prices, so new proposals use them.
    pub update_catalogue: bool,
    /// Accept the amendments at once (the engagement terms allow price changes with notice);
    /// otherwise they are drafts to send.
    pub accept: bool,
}

/// One line's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LineChange {
    pub service: String,
    pub frequency: catalog::Frequency,
    #[ts(as = "String")]
    pub before: Decimal,
    #[ts(as = "String")]
    pub after: Decimal,
}

/// One client's change (one accepted proposal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientChange {
    #[ts(type = "number")]
    pub client_id: i64,
    pub client_name: String,
    pub proposal: String,
    pub lines: Vec<LineChange>,
    #[ts(as = "String")]
    pub annual_before: Decimal,
    #[ts(as = "String")]
    pub annual_after: Decimal,
    #[ts(as = "String")]
    pub annual_difference: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PriceIncreasePreview {
    pub clients: Vec<ClientChange>,
    #[ts(as = "String")]
    pub annual_before: Decimal,
    #[ts(as = "String")]
    pub annual_after: Decimal,
    /// Proposals left alone, and why (e.g. an amendment is already open).
    pub skipped: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PriceIncreaseResult {
    /// The amended versions made ("P-2026-0003 v2").
    pub amendments: Vec<String>,
    pub services_updated: u32,
}

struct Planned {
    proposal_id: i64,
    number: String,
    version: u32,
    draft: super::ProposalDraft,
    lines: Vec<ValidLine>,
}

fn round_price(amount: Decimal, rule: RoundingRule, currency: Currency) -> Decimal {
    let whole = |strategy| {
        let mut r = amount.round_dp_with_strategy(0, strategy);
        r.rescale(currency.places);
        r
    };
    match rule {
        RoundingRule::None => currency.round(amount),
        RoundingRule::UpToWhole => whole(RoundingStrategy::AwayFromZero),
        RoundingRule::NearestWhole => whole(RoundingStrategy::MidpointAwayFromZero),
        RoundingRule::UpToFive => {
            let fives = (amount / Decimal::from(5))
                .round_dp_with_strategy(0, RoundingStrategy::AwayFromZero);
            let mut r = fives * Decimal::from(5);
            r.rescale(currency.places);
            r
        }
    }
}

fn raise(amount: Decimal, increase: &PriceIncrease, value: Decimal) -> Decimal {
    match increase.kind {
        IncreaseKind::Percent => amount * (Decimal::ONE_HUNDRED + value) / Decimal::ONE_HUNDRED,
        IncreaseKind::Amount => amount + value,
    }
}

/// The service's pricing with every price raised.
pub fn raised_pricing(
    pricing: &Pricing,
    increase: &PriceIncrease,
    value: Decimal,
    currency: Currency,
) -> Pricing {
    let headline =
        |amount: Decimal| round_price(raise(amount, increase, value), increase.rounding, currency);
    match pricing {
        Pricing::Fixed { price } => Pricing::Fixed {
            price: headline(*price),
        },
        Pricing::Minimum { price } => Pricing::Minimum {
            price: headline(*price),
        },
        Pricing::Included => Pricing::Included,
        Pricing::Range { low, high } => Pricing::Range {
            low: headline(*low),
            high: headline(*high),
        },
        Pricing::Banded { set, prices, band } => Pricing::Banded {
            set: *set,
            prices: prices
                .iter()
                .map(|p| catalog::BandPrice {
                    price: headline(p.price),
                    ..p.clone()
                })
                .collect(),
            band: *band,
        },
        Pricing::Hourly {
            rate,
            estimated_hours,
        } => Pricing::Hourly {
            rate: headline(*rate),
            estimated_hours: *estimated_hours,
        },
        Pricing::PerUnit {
            unit_name,
            tiers,
            default_quantity,
        } => Pricing::PerUnit {
            unit_name: unit_name.clone(),
            tiers: tiers
                .iter()
                .map(|t| Tier {
                    up_to: t.up_to,
                    unit_price: currency.round(raise(t.unit_price, increase, value)),
                })
                .collect(),
            default_quantity: *default_quantity,
        },
    }
}

fn check(store: &Store, increase: &PriceIncrease) -> Result<Decimal> {
    let mut problems = Problems::new();
    if increase.service_ids.is_empty() {
        problems.add("service_ids", "Choose the services whose prices go up.");
    }
    for id in &increase.service_ids {
        if catalog::get_service(store, *id).is_err() {
            problems.add(
                "service_ids",
                "One of the chosen services no longer exists.",
            );
            break;
        }
    }
    let numbers = require_practice(store)?.number_format();
    let value = parse_amount(increase.value.trim_end_matches('%'), numbers);
    match &value {
        Ok(v)
            if *v > Decimal::ZERO
                && (increase.kind == IncreaseKind::Amount || *v <= Decimal::ONE_HUNDRED) => {}
        Err(
            error @ (AmountError::MisplacedSeparator { .. }
            | AmountError::TwoDecimalSeparators { .. }
            | AmountError::Ambiguous { .. }),
        ) => problems.add("value", error.to_string()),
        _ => problems.add(
            "value",
            match increase.kind {
                IncreaseKind::Percent => "Enter a percentage above 0 and up to 100, e.g. 5.",
                IncreaseKind::Amount => "Enter an amount above zero, e.g. 10.",
            },
        ),
    }
    if terms::parse_month(&increase.effective_from).is_none() {
        problems.add(
            "effective_from",
            "Choose the month the new prices start (YYYY-MM).",
        );
    }
    problems.into_result()?;
    value.map_err(|_| Error::invalid("value", "Enter the increase."))
}

fn plan(store: &Store, increase: &PriceIncrease) -> Result<(Vec<Planned>, PriceIncreasePreview)> {
    let value = check(store, increase)?;
    let practice = require_practice(store)?;
    let (currency, numbers) = (practice.currency(), practice.number_format());
    let accepted: Vec<i64> = {
        let mut stmt = store.conn().prepare(
            "SELECT id FROM proposals WHERE status = 'accepted' ORDER BY number, version",
        )?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut planned = Vec::new();
    let mut clients = Vec::new();
    let mut skipped = Vec::new();
    for id in accepted {
        let proposal = get_proposal(store, id)?;
        let affected = proposal.lines.iter().any(|l| {
            l.service_id
                .is_some_and(|s| increase.service_ids.contains(&s))
        });
        if !affected {
            continue;
        }
        let open: bool = store.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM proposals WHERE supersedes_id = ?1 AND status IN ('draft', 'sent'))",
            [id],
            |r| r.get(0),
        )?;
        if open {
            skipped.push(format!(
                "{} ({}): an amendment is already open",
                proposal.label(),
                proposal.client_name
            ));
            continue;
        }
        let mut changes = Vec::new();
        let mut lines = Vec::new();
        // The amendment carries what was agreed: the chosen option's lines become common lines,
        // the other options' lines are left behind.
        for line in proposal
            .lines
            .iter()
            .filter(|l| !l.top_up && (l.option.is_none() || l.option == proposal.chosen_option))
        {
            let raised = line
                .service_id
                .is_some_and(|s| increase.service_ids.contains(&s));
            let pricing = if raised {
                raised_pricing(&line.pricing, increase, value, currency)
            } else {
                line.pricing.clone()
            };
            let quote = catalog::quote(&pricing, line.quantity, currency)
                .map_err(|e| Error::invalid("value", e.to_string()))?;
            let priced = catalog::line_price(
                &quote,
                &line.drivers,
                line.discount_percent,
                practice.price_rounding,
                currency,
                numbers,
            );
            let price = priced.price;
            if raised {
                changes.push(LineChange {
                    service: line.name.clone(),
                    frequency: line.frequency,
                    before: line.price,
                    after: price,
                });
            }
            let start_month = if line.start_month.as_str() < increase.effective_from.as_str() {
                increase.effective_from.clone()
            } else {
                line.start_month.clone()
            };
            lines.push(ValidLine {
                snapshot: Snapshot {
                    service_id: line.service_id,
                    name: line.name.clone(),
                    description: line.description.clone(),
                    category: line.category.clone(),
                    pricing,
                    drivers: line.drivers.iter().map(|d| d.driver.clone()).collect(),
                    terms: line.terms.clone(),
                    frequency: line.frequency,
                    account_code: line.account_code.clone(),
                    tax_type: line.tax_type.clone(),
                    estimated_minutes: line.estimated_minutes,
                },
                drivers: line.drivers.clone(),
                quantity: line.quantity,
                discount: line.discount_percent,
                price,
                price_high: priced.high,
                steps: priced.steps,
                start_month,
                anchor_month: line.anchor_month.clone(),
                end_month: line.end_month.clone(),
                optional: line.optional && line.option.is_none(),
                chosen: line.chosen && line.option.is_none(),
                top_up: false,
                option: None,
            });
        }
        let lines =
            super::validation::with_top_up(lines, practice.minimum_monthly_fee, currency, numbers);
        let annual = |ls: &[ValidLine]| {
            terms::totals(
                &ls.iter()
                    .map(|l| l.priced(!l.optional || l.chosen))
                    .collect::<Vec<_>>(),
                currency,
            )
            .annual
        };
        let annual_after = annual(&lines);
        clients.push(ClientChange {
            client_id: proposal.client_id,
            client_name: proposal.client_name.clone(),
            proposal: proposal.label(),
            lines: changes,
            annual_before: proposal.totals.annual,
            annual_after,
            annual_difference: annual_after - proposal.totals.annual,
        });
        let version: u32 = store.conn().query_row(
            "SELECT max(version) + 1 FROM proposals WHERE number = ?1",
            [&proposal.number],
            |r| r.get(0),
        )?;
        let mut draft = proposal.settled_draft();
        draft.title = format!(
            "{} — price review from {}",
            proposal.title, increase.effective_from
        );
        planned.push(Planned {
            proposal_id: id,
            number: proposal.number.clone(),
            version,
            draft,
            lines,
        });
    }
    let preview = PriceIncreasePreview {
        annual_before: clients.iter().map(|c| c.annual_before).sum(),
        annual_after: clients.iter().map(|c| c.annual_after).sum(),
        clients,
        skipped,
    };
    Ok((planned, preview))
}

/// What the increase would change, client by client. Writes nothing.
pub fn preview_price_increase(
    store: &Store,
    increase: &PriceIncrease,
) -> Result<PriceIncreasePreview> {
    Ok(plan(store, increase)?.1)
}

/// Applies the increase: one transaction, every amendment and catalogue change logged.
pub fn apply_price_increase(
    store: &mut Store,
    increase: &PriceIncrease,
) -> Result<PriceIncreaseResult> {
    let (planned, _) = plan(store, increase)?;
    let value = check(store, increase)?;
    let currency = require_practice(store)?.currency();
    let services: Vec<catalog::Service> = increase
        .service_ids
        .iter()
        .map(|id| catalog::get_service(store, *id))
        .collect::<Result<_>>()?;
    let batch = format!(
        "price-increase-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f")
    );
    store.write(Source::User, |tx| {
        tx.set_batch(batch.clone());
        let mut amendments = Vec::new();
        for p in &planned {
            insert(tx, &p.number, p.version, &p.draft, Some(p.proposal_id), Some(&increase.effective_from))?;
            let new_id = tx.last_insert_rowid();
            write_lines(tx, new_id, &p.lines)?;
            tx.log("proposal", new_id, "price_increase", &serde_json::json!({
                "supersedes": p.proposal_id, "effective_from": increase.effective_from,
                "kind": increase.kind, "value": increase.value, "rounding": increase.rounding,
            }))?;
            if increase.accept {
                let chosen: Vec<i64> = tx
                    .prepare("SELECT id FROM proposal_lines WHERE proposal_id = ?1 AND optional AND chosen")?
                    .query_map([new_id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                super::lifecycle::apply_action(
                    tx,
                    new_id,
                    super::ProposalAction::Accept,
                    super::lifecycle::Acceptance {
                        accepted_by: "Price change under the engagement terms",
                        chosen_option: None,
                        chosen_lines: &chosen,
                    },
                    serde_json::json!({ "by": "price_increase" }),
                )?;
            }
            amendments.push(format!("{} v{}", p.number, p.version));
        }
        let mut updated = 0;
        if increase.update_catalogue {
            for service in &services {
                let pricing = raised_pricing(&service.pricing, increase, value, currency);
                catalog::write_pricing(tx, service.id, &pricing)?;
                tx.log("service", service.id, "price_increase", &serde_json::json!({
                    "before": service.pricing, "after": pricing,
                }))?;
                updated += 1;
            }
        }
        Ok(PriceIncreaseResult {
            amendments,
            services_updated: updated,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn aud() -> Currency {
        Currency::find("AUD").unwrap()
    }

    #[test]
    fn rounding_rules() {
        assert_eq!(
            round_price(dec!(126.001), RoundingRule::None, aud()).to_string(),
            "126.00"
        );
        assert_eq!(
            round_price(dec!(126.01), RoundingRule::UpToWhole, aud()).to_string(),
            "127.00"
        );
        assert_eq!(
            round_price(dec!(126.00), RoundingRule::UpToWhole, aud()).to_string(),
            "126.00"
        );
        assert_eq!(
            round_price(dec!(126.49), RoundingRule::NearestWhole, aud()).to_string(),
            "126.00"
        );
        assert_eq!(
            round_price(dec!(126.50), RoundingRule::NearestWhole, aud()).to_string(),
            "127.00"
        );
        assert_eq!(
            round_price(dec!(126.01), RoundingRule::UpToFive, aud()).to_string(),
            "130.00"
        );
        assert_eq!(
            round_price(dec!(125.00), RoundingRule::UpToFive, aud()).to_string(),
            "125.00"
        );
    }

    fn increase(kind: IncreaseKind, value: &str, rounding: RoundingRule) -> PriceIncrease {
        PriceIncrease {
            service_ids: vec![1],
            kind,
            value: value.into(),
            rounding,
            effective_from: "2027-01".into(),
            update_catalogue: false,
            accept: false,
        }
    }

    #[test]
    fn raises_every_price_in_a_pricing() {
        let fixed = Pricing::Fixed { price: dec!(120) };
        let five = increase(IncreaseKind::Percent, "5", RoundingRule::UpToWhole);
        assert_eq!(
            raised_pricing(&fixed, &five, dec!(5), aud()),
            Pricing::Fixed {
                price: dec!(126.00)
            }
        );
        let tiers = Pricing::PerUnit {
            unit_name: "transactions".into(),
            tiers: vec![
                Tier {
                    up_to: Some(dec!(100)),
                    unit_price: dec!(2),
                },
                Tier {
                    up_to: None,
                    unit_price: dec!(1.50),
                },
            ],
            default_quantity: dec!(250),
        };
        // Per-unit prices round to the cent, whatever the rule.
        let Pricing::PerUnit { tiers, .. } = raised_pricing(&tiers, &five, dec!(5), aud()) else {
            panic!()
        };
        assert_eq!(
            (tiers[0].unit_price, tiers[1].unit_price),
            (dec!(2.10), dec!(1.58))
        );
        let ten = increase(IncreaseKind::Amount, "10", RoundingRule::None);
        let hourly = Pricing::Hourly {
            rate: dec!(150),
            estimated_hours: dec!(2),
        };
        assert_eq!(
            raised_pricing(&hourly, &ten, dec!(10), aud()),
            Pricing::Hourly {
                rate: dec!(160.00),
                estimated_hours: dec!(2)
            }
        );
    }
}
