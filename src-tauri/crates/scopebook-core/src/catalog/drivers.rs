//! Price drivers: up to five adjustments a service makes to its price, in order, each with named
//! choices ("Quality of the books": good ×1.0 / average ×1.15 / poor ×1.3). A proposal line picks
//! one choice per driver; [`line_price`] is the one place a line's price is worked out.
//!
//! Money stays `Decimal` throughout and is rounded once, at the end: to the currency's places, or
//! up to the practice's rounding step (1, 5 or 10). The result is never below zero.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::pricing::Quote;
use crate::error::Problems;
use crate::money::{Currency, NumberFormat, format_money, parse_amount};

/// At most this many drivers on a service.
pub const MAX_DRIVERS: usize = 5;
/// At most this many choices on a driver.
pub const MAX_CHOICES: usize = 8;

/// What a driver's chosen value does to the price so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DriverOp {
    /// × value ("poor books ×1.3").
    Multiply,
    /// + an amount ("+ $50 clean-up").
    Add,
    /// − an amount.
    Subtract,
    /// + value % (negative for a reduction: "−10 %").
    Percent,
}

impl DriverOp {
    fn apply(self, amount: Decimal, value: Decimal) -> Decimal {
        match self {
            DriverOp::Multiply => amount * value,
            DriverOp::Add => amount + value,
            DriverOp::Subtract => amount - value,
            DriverOp::Percent => amount + amount * value / Decimal::ONE_HUNDRED,
        }
    }

    /// "× 1.3", "+ $50.00", "− $20.00", "+ 15 %", "− 10 %".
    pub fn describe(self, value: Decimal, currency: Currency, numbers: NumberFormat) -> String {
        let plain = |v: Decimal| v.normalize().to_string();
        match self {
            DriverOp::Multiply => format!("× {}", plain(value)),
            DriverOp::Add => format!("+ {}", format_money(value, currency, numbers)),
            DriverOp::Subtract => format!("− {}", format_money(value, currency, numbers)),
            DriverOp::Percent if value < Decimal::ZERO => format!("− {} %", plain(-value)),
            DriverOp::Percent => format!("+ {} %", plain(value)),
        }
    }
}

/// One named choice of a driver and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct DriverChoice {
    pub name: String,
    #[ts(as = "String")]
    pub value: Decimal,
}

/// A driver as a service carries it. The first choice is the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Driver {
    pub name: String,
    pub op: DriverOp,
    pub choices: Vec<DriverChoice>,
}

impl Driver {
    /// The choice called `name`, or the default (the first) when `name` is empty.
    pub fn choice(&self, name: &str) -> Option<&DriverChoice> {
        if name.trim().is_empty() {
            self.choices.first()
        } else {
            self.choices.iter().find(|c| c.name == name.trim())
        }
    }
}

/// A driver as a proposal line holds it: the service's driver when the line was made (a
/// snapshot, like the line's pricing) and the choice made for this client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct LineDriver {
    pub driver: Driver,
    pub choice: String,
}

impl LineDriver {
    pub fn value(&self) -> Decimal {
        self.driver
            .choice(&self.choice)
            .map_or(Decimal::ZERO, |c| c.value)
    }
}

/// A choice as typed in the service form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DriverChoiceDraft {
    pub name: String,
    pub value: String,
}

/// A driver as typed in the service form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DriverDraft {
    pub name: String,
    pub op: DriverOp,
    pub choices: Vec<DriverChoiceDraft>,
}

impl Driver {
    pub fn draft(&self) -> DriverDraft {
        DriverDraft {
            name: self.name.clone(),
            op: self.op,
            choices: self
                .choices
                .iter()
                .map(|c| DriverChoiceDraft {
                    name: c.name.clone(),
                    value: c.value.normalize().to_string(),
                })
                .collect(),
        }
    }
}

/// Checks the drivers of a service form; problems go to `drivers.N.…` fields.
pub fn parse_drivers(
    drafts: &[DriverDraft],
    currency: Currency,
    numbers: NumberFormat,
    problems: &mut Problems,
) -> Option<Vec<Driver>> {
    let before = problems.fields().len();
    if drafts.len() > MAX_DRIVERS {
        problems.add(
            "drivers",
            format!("A service can have up to {MAX_DRIVERS} price drivers."),
        );
    }
    let mut drivers = Vec::with_capacity(drafts.len());
    for (i, draft) in drafts.iter().enumerate() {
        let field = |rest: &str| format!("drivers.{i}.{rest}");
        let name = draft.name.trim();
        if name.is_empty() {
            problems.add(field("name"), "Name the driver, e.g. Quality of the books.");
        } else if name.chars().count() > 60 {
            problems.add(field("name"), "Keep the driver's name under 60 characters.");
        } else if drafts[..i].iter().any(|d| d.name.trim() == name) {
            problems.add(field("name"), "Two drivers have this name.");
        }
        if draft.choices.is_empty() || draft.choices.len() > MAX_CHOICES {
            problems.add(
                field("choices"),
                format!("Give the driver 1 to {MAX_CHOICES} choices."),
            );
        }
        let mut choices = Vec::with_capacity(draft.choices.len());
        for (k, choice) in draft.choices.iter().enumerate() {
            let choice_name = choice.name.trim();
            if choice_name.is_empty() {
                problems.add(field(&format!("choices.{k}.name")), "Name the choice.");
            } else if choice_name.chars().count() > 40 {
                problems.add(
                    field(&format!("choices.{k}.name")),
                    "Keep the choice's name under 40 characters.",
                );
            } else if draft.choices[..k]
                .iter()
                .any(|c| c.name.trim() == choice_name)
            {
                problems.add(
                    field(&format!("choices.{k}.name")),
                    "Two choices have this name.",
                );
            }
            let value = parse_amount(choice.value.trim().trim_end_matches('%'), numbers)
                .ok()
                .filter(|v| value_allowed(draft.op, *v, currency));
            match value {
                Some(value) => choices.push(DriverChoice {
                    name: choice_name.to_string(),
                    value,
                }),
                None => problems.add(
                    field(&format!("choices.{k}.value")),
                    match draft.op {
                        DriverOp::Multiply => "Enter a multiplier from 0 to 100, like 1.15.",
                        DriverOp::Add | DriverOp::Subtract => {
                            "Enter an amount of 0 or more, like 50."
                        }
                        DriverOp::Percent => {
                            "Enter a percentage from −100 to 1000, like 15 or −10."
                        }
                    },
                ),
            }
        }
        drivers.push(Driver {
            name: name.to_string(),
            op: draft.op,
            choices,
        });
    }
    (problems.fields().len() == before).then_some(drivers)
}

fn value_allowed(op: DriverOp, value: Decimal, currency: Currency) -> bool {
    match op {
        DriverOp::Multiply => value >= Decimal::ZERO && value <= Decimal::ONE_HUNDRED,
        DriverOp::Add | DriverOp::Subtract => {
            value >= Decimal::ZERO
                && value <= Decimal::from(10_000_000)
                && value.scale() <= currency.places
        }
        DriverOp::Percent => value >= -Decimal::ONE_HUNDRED && value <= Decimal::from(1000),
    }
}

crate::db_enum! {
    /// Where the practice rounds a line's price: to the cent (the currency's places), or up to
    /// the next whole 1, 5 or 10.
    #[ts(export)]
    pub enum PriceRounding: "price rounding" {
        Cent = "cent",
        One = "1",
        Five = "5",
        Ten = "10",
    }
}

impl PriceRounding {
    fn step(self) -> Option<Decimal> {
        match self {
            PriceRounding::Cent => None,
            PriceRounding::One => Some(Decimal::ONE),
            PriceRounding::Five => Some(Decimal::from(5)),
            PriceRounding::Ten => Some(Decimal::TEN),
        }
    }

    /// `amount` rounded as the practice says: up to the step, or to the currency's places.
    pub fn round(self, amount: Decimal, currency: Currency) -> Decimal {
        match self.step() {
            Some(step) => currency.round((amount / step).ceil() * step),
            None => currency.round(amount),
        }
    }
}

/// One step of how a line's price was reached, as the line and the PDF show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PriceStep {
    /// "Quality of the books: poor", "Discount", "Rounded up to the next 5".
    pub label: String,
    /// "× 1.3", "+ $50.00", "− 10 %", or "" for the starting price.
    pub effect: String,
    /// The price after this step (not rounded, except the last).
    #[ts(as = "String")]
    pub amount: Decimal,
}

/// A line's price per billing period and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LinePrice {
    pub steps: Vec<PriceStep>,
    #[ts(as = "String")]
    pub price: Decimal,
    /// A range's upper end, taken through the same drivers, discount and rounding (`price` is
    /// its lower end).
    #[ts(as = "Option<String>")]
    pub high: Option<Decimal>,
}

/// The one calculation of a line's price: the quote's total, each driver in order, the
/// discount, never below zero, then rounded once as the practice says. A range's upper end goes
/// through the same steps.
pub fn line_price(
    quote: &Quote,
    drivers: &[LineDriver],
    discount_percent: Decimal,
    rounding: PriceRounding,
    currency: Currency,
    numbers: NumberFormat,
) -> LinePrice {
    let mut priced = price_steps(
        quote.total,
        drivers,
        discount_percent,
        rounding,
        currency,
        numbers,
    );
    priced.high = quote.high.map(|high| {
        price_steps(high, drivers, discount_percent, rounding, currency, numbers).price
    });
    priced
}

fn price_steps(
    start: Decimal,
    drivers: &[LineDriver],
    discount_percent: Decimal,
    rounding: PriceRounding,
    currency: Currency,
    numbers: NumberFormat,
) -> LinePrice {
    let mut amount = start;
    let mut steps = vec![PriceStep {
        label: "Price".into(),
        effect: String::new(),
        amount,
    }];
    for line_driver in drivers {
        let Some(choice) = line_driver.driver.choice(&line_driver.choice) else {
            continue;
        };
        amount = line_driver.driver.op.apply(amount, choice.value);
        steps.push(PriceStep {
            label: format!("{}: {}", line_driver.driver.name, choice.name),
            effect: line_driver
                .driver
                .op
                .describe(choice.value, currency, numbers),
            amount,
        });
    }
    if !discount_percent.is_zero() {
        amount = amount * (Decimal::ONE_HUNDRED - discount_percent) / Decimal::ONE_HUNDRED;
        steps.push(PriceStep {
            label: "Discount".into(),
            effect: format!("− {} %", discount_percent.normalize()),
            amount,
        });
    }
    if amount < Decimal::ZERO {
        amount = Decimal::ZERO;
        steps.push(PriceStep {
            label: "Not below zero".into(),
            effect: String::new(),
            amount,
        });
    }
    let rounded = rounding.round(amount, currency);
    if rounded != amount {
        let label = match rounding.step() {
            Some(step) => format!("Rounded up to the next {step}"),
            None => "Rounded".to_string(),
        };
        steps.push(PriceStep {
            label,
            effect: String::new(),
            amount: rounded,
        });
    }
    LinePrice {
        steps,
        price: rounded,
        high: None,
    }
}

/// The drivers a new line of a service starts with: each at the choice named in `chosen` (by
/// position), else the default.
pub fn choose(drivers: &[Driver], chosen: &[String]) -> Vec<LineDriver> {
    drivers
        .iter()
        .enumerate()
        .map(|(i, driver)| {
            let wanted = chosen.get(i).map(String::as_str).unwrap_or("");
            let choice = driver
                .choice(wanted)
                .or_else(|| driver.choices.first())
                .map(|c| c.name.clone())
                .unwrap_or_default();
            LineDriver {
                driver: driver.clone(),
                choice,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::catalog::pricing::{Pricing, Tier, quote};
    use crate::money::CURRENCIES;

    fn aud() -> Currency {
        Currency::find("AUD").unwrap()
    }

    fn numbers() -> NumberFormat {
        NumberFormat::for_locale("en-AU")
    }

    fn driver(name: &str, op: DriverOp, choices: &[(&str, Decimal)]) -> Driver {
        Driver {
            name: name.into(),
            op,
            choices: choices
                .iter()
                .map(|(n, v)| DriverChoice {
                    name: (*n).into(),
                    value: *v,
                })
                .collect(),
        }
    }

    /// Quality of the books (×), clean-up (+), loyalty (%), as a firm would set them up.
    fn firm_drivers() -> Vec<Driver> {
        vec![
            driver(
                "Quality of the books",
                DriverOp::Multiply,
                &[
                    ("good", dec!(1.0)),
                    ("average", dec!(1.15)),
                    ("poor", dec!(1.3)),
                ],
            ),
            driver(
                "Clean-up",
                DriverOp::Add,
                &[("none", dec!(0)), ("light", dec!(50)), ("heavy", dec!(150))],
            ),
            driver(
                "Loyalty",
                DriverOp::Percent,
                &[("none", dec!(0)), ("loyal", dec!(-5))],
            ),
        ]
    }

    fn fixed(price: Decimal) -> Quote {
        quote(&Pricing::Fixed { price }, Decimal::ONE, aud()).unwrap()
    }

    /// The line's price with no discount, rounded as `rounding` says.
    fn price_of(quote: &Quote, line: &[LineDriver], rounding: PriceRounding) -> LinePrice {
        line_price(quote, line, Decimal::ZERO, rounding, aud(), numbers())
    }

    fn chosen(names: &[&str]) -> Vec<LineDriver> {
        choose(
            &firm_drivers(),
            &names.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        )
    }

    /// $400 × 1.3 = $520; + $50 = $570; − 5 % = $541.50; − 10 % discount = $487.35.
    #[test]
    fn drivers_stack_in_order_then_the_discount_then_one_rounding() {
        let drivers = chosen(&["poor", "light", "loyal"]);
        let priced = line_price(
            &fixed(dec!(400)),
            &drivers,
            dec!(10),
            PriceRounding::Cent,
            aud(),
            numbers(),
        );
        let amounts: Vec<Decimal> = priced.steps.iter().map(|s| s.amount).collect();
        assert_eq!(
            amounts,
            [dec!(400), dec!(520), dec!(570), dec!(541.5), dec!(487.35)]
        );
        let labels: Vec<String> = priced
            .steps
            .iter()
            .map(|s| format!("{} {}", s.label, s.effect).trim().to_string())
            .collect();
        assert_eq!(
            labels,
            [
                "Price",
                "Quality of the books: poor × 1.3",
                "Clean-up: light + $50.00",
                "Loyalty: loyal − 5 %",
                "Discount − 10 %",
            ]
        );
        assert_eq!(priced.price, dec!(487.35));
        for (rounding, expected) in [
            (PriceRounding::One, dec!(488)),
            (PriceRounding::Five, dec!(490)),
            (PriceRounding::Ten, dec!(490)),
        ] {
            let priced = line_price(
                &fixed(dec!(400)),
                &drivers,
                dec!(10),
                rounding,
                aud(),
                numbers(),
            );
            assert_eq!(priced.price, expected, "{rounding:?}");
            assert_eq!(
                priced.steps.last().unwrap().label,
                format!("Rounded up to the next {}", rounding.as_str())
            );
        }
    }

    /// The order is the service's: + $50 before × 1.3 gives $585, not $570.
    #[test]
    fn the_order_of_the_drivers_matters() {
        let mut drivers = firm_drivers();
        drivers.swap(0, 1);
        let line = choose(&drivers, &["light".into(), "poor".into()]);
        let priced = price_of(&fixed(dec!(400)), &line, PriceRounding::Cent);
        assert_eq!(priced.price, dec!(585.00));
    }

    /// Defaults are each driver's first choice; a good set of books at no clean-up is the price.
    #[test]
    fn the_default_choices_leave_the_price_alone() {
        let line = choose(&firm_drivers(), &[]);
        assert_eq!(
            line.iter().map(|d| d.choice.as_str()).collect::<Vec<_>>(),
            ["good", "none", "none"]
        );
        let priced = price_of(&fixed(dec!(400)), &line, PriceRounding::Cent);
        assert_eq!(priced.price, dec!(400.00));
    }

    /// Graduated tiers first (250 transactions: 100 × $2 + 150 × $1.50 = $425), then × 1.15 =
    /// $488.75, rounded up to the next 5: $490.
    #[test]
    fn drivers_apply_to_a_tiered_quote() {
        let pricing = Pricing::PerUnit {
            unit_name: "transactions".into(),
            tiers: vec![
                Tier {
                    up_to: Some(dec!(100)),
                    unit_price: dec!(2),
                },
                Tier {
                    up_to: None,
                    unit_price: dec!(1.5),
                },
            ],
            default_quantity: dec!(100),
        };
        let q = quote(&pricing, dec!(250), aud()).unwrap();
        assert_eq!(q.total, dec!(425.00));
        let line = chosen(&["average"]);
        let priced = price_of(&q, &line, PriceRounding::Five);
        assert_eq!(priced.steps[1].amount, dec!(488.75));
        assert_eq!(priced.price, dec!(490));
    }

    /// A subtraction larger than the price stops at zero, and says so.
    #[test]
    fn a_price_never_goes_below_zero() {
        let drivers = vec![driver("Credit", DriverOp::Subtract, &[("big", dec!(50))])];
        let line = choose(&drivers, &[]);
        let priced = price_of(&fixed(dec!(30)), &line, PriceRounding::Ten);
        assert_eq!(priced.price, Decimal::ZERO);
        assert!(priced.steps.iter().any(|s| s.label == "Not below zero"));
    }

    #[test]
    fn a_service_form_with_bad_drivers_names_each_field() {
        let draft = |name: &str, op, choices: &[(&str, &str)]| DriverDraft {
            name: name.into(),
            op,
            choices: choices
                .iter()
                .map(|(n, v)| DriverChoiceDraft {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        };
        let mut problems = Problems::new();
        let parsed = parse_drivers(
            &[
                draft(
                    "Books",
                    DriverOp::Multiply,
                    &[("good", "1"), ("poor", "-2")],
                ),
                draft("Books", DriverOp::Add, &[("x", "12.345")]),
                draft("", DriverOp::Percent, &[]),
            ],
            aud(),
            numbers(),
            &mut problems,
        );
        assert_eq!(parsed, None);
        let fields: Vec<&str> = problems.fields().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "drivers.0.choices.1.value",
                "drivers.1.name",
                "drivers.1.choices.0.value",
                "drivers.2.name",
                "drivers.2.choices",
            ]
        );
        let six: Vec<DriverDraft> = (0..6)
            .map(|i| draft(&format!("D{i}"), DriverOp::Add, &[("a", "1")]))
            .collect();
        let mut problems = Problems::new();
        assert_eq!(parse_drivers(&six, aud(), numbers(), &mut problems), None);
        assert_eq!(problems.fields()[0].field, "drivers");
        let mut problems = Problems::new();
        let ok = parse_drivers(&six[..5], aud(), numbers(), &mut problems).unwrap();
        assert_eq!(ok.len(), 5);
    }

    /// A driver stored with an operation this version doesn't know is an error, not a default.
    #[test]
    fn an_unknown_operation_on_disk_is_an_error() {
        let text = r#"[{"driver":{"name":"X","op":"divide","choices":[]},"choice":""}]"#;
        assert!(serde_json::from_str::<Vec<LineDriver>>(text).is_err());
        let extra = r#"[{"name":"X","op":"add","choices":[],"colour":"red"}]"#;
        assert!(serde_json::from_str::<Vec<Driver>>(extra).is_err());
    }

    fn any_driver() -> impl Strategy<Value = Driver> {
        let op = prop_oneof![
            Just(DriverOp::Multiply),
            Just(DriverOp::Add),
            Just(DriverOp::Subtract),
            Just(DriverOp::Percent),
        ];
        (
            op,
            proptest::collection::vec(0i64..1_000_000, 1..=MAX_CHOICES),
        )
            .prop_map(|(op, raw)| {
                let value = |r: i64| match op {
                    DriverOp::Multiply => Decimal::new(r % 100_000, 3), // 0 to 99.999
                    DriverOp::Add | DriverOp::Subtract => Decimal::new(r, 2), // up to 9,999.99
                    DriverOp::Percent => Decimal::new(r % 110_000 - 10_000, 2), // −100 to 1,000
                };
                Driver {
                    name: "D".into(),
                    op,
                    choices: raw
                        .iter()
                        .enumerate()
                        .map(|(i, r)| DriverChoice {
                            name: format!("c{i}"),
                            value: value(*r),
                        })
                        .collect(),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the drivers and choices, the price is never negative and is rounded: to
        /// the currency's places, and to a whole multiple of the practice's step.
        #[test]
        fn a_driver_set_never_gives_a_negative_or_unrounded_price(
            drivers in proptest::collection::vec(any_driver(), 0..=MAX_DRIVERS),
            picks in proptest::collection::vec(0usize..MAX_CHOICES, MAX_DRIVERS),
            base in 0i64..100_000_000,
            discount in 0i64..=10_000,
            rounding in proptest::sample::select(PriceRounding::ALL),
            currency in proptest::sample::select(CURRENCIES),
        ) {
            let names: Vec<String> = drivers
                .iter()
                .zip(&picks)
                .map(|(d, p)| d.choices[p % d.choices.len()].name.clone())
                .collect();
            let line = choose(&drivers, &names);
            let q = quote(&Pricing::Fixed { price: Decimal::new(base, 2) }, Decimal::ONE, currency).unwrap();
            let priced = line_price(&q, &line, Decimal::new(discount, 2), rounding, currency, numbers());
            prop_assert!(priced.price >= Decimal::ZERO, "{}", priced.price);
            prop_assert_eq!(currency.round(priced.price), priced.price);
            if let Some(step) = rounding.step() {
                prop_assert!((priced.price % step).is_zero(), "{} not a multiple of {}", priced.price, step);
            }
            prop_assert_eq!(priced.steps.last().map(|s| s.amount), Some(priced.price));
        }

        /// A price range goes through the same drivers at both ends: the top is never below
        /// the bottom, and both are rounded and never negative.
        #[test]
        fn a_ranges_ends_stay_in_order_through_any_drivers(
            drivers in proptest::collection::vec(any_driver(), 0..=MAX_DRIVERS),
            picks in proptest::collection::vec(0usize..MAX_CHOICES, MAX_DRIVERS),
            low in 0i64..10_000_000,
            spread in 1i64..10_000_000,
            discount in 0i64..=10_000,
            rounding in proptest::sample::select(PriceRounding::ALL),
        ) {
            let names: Vec<String> = drivers
                .iter()
                .zip(&picks)
                .map(|(d, p)| d.choices[p % d.choices.len()].name.clone())
                .collect();
            let line = choose(&drivers, &names);
            let range = Pricing::Range { low: Decimal::new(low, 2), high: Decimal::new(low + spread, 2) };
            let q = quote(&range, Decimal::ONE, aud()).unwrap();
            let priced = line_price(&q, &line, Decimal::new(discount, 2), rounding, aud(), numbers());
            let high = priced.high.expect("a range has a top");
            prop_assert!(priced.price >= Decimal::ZERO);
            prop_assert!(high >= priced.price, "{} below {}", high, priced.price);
            prop_assert_eq!(aud().round(high), high);
        }
    }
}
