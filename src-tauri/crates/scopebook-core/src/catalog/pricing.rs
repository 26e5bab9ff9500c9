//! How a service is priced, and what a quantity of it costs. Pure functions over plain data.
//!
//! Per-unit services use *graduated* tiers: each tier prices only the units inside its own band
//! (1–100 at 2.00, 101–500 at 1.50, …), like a tax scale. Each band's amount is rounded to the
//! currency's places, half away from zero, and the total is the sum of the rounded bands, so the
//! worked example always adds up and matches what one invoice line per band would give in Xero.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Problems, Result};
use crate::money::{AmountError, Currency, NumberFormat, parse_amount};

/// One graduated band of a per-unit price. `up_to` is the band's inclusive upper bound; the last
/// band has none (it covers everything above the previous bound).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Tier {
    #[ts(as = "Option<String>")]
    pub up_to: Option<Decimal>,
    #[ts(as = "String")]
    pub unit_price: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Pricing {
    /// One price for the service each period (a quantity multiplies it).
    Fixed {
        #[ts(as = "String")]
        price: Decimal,
    },
    /// A price per unit ("transactions", "employees"), in graduated tiers.
    PerUnit {
        unit_name: String,
        tiers: Vec<Tier>,
        /// The typical quantity: the worked example, and a proposal line's starting quantity.
        #[ts(as = "String")]
        default_quantity: Decimal,
    },
    /// An hourly rate times the hours it usually takes.
    Hourly {
        #[ts(as = "String")]
        rate: Decimal,
        #[ts(as = "String")]
        estimated_hours: Decimal,
    },
    /// A starting price, shown as "from $X" and billed at $X (a quantity multiplies it).
    Minimum {
        #[ts(as = "String")]
        price: Decimal,
    },
    /// Part of the engagement at no separate charge: shown as "Included", never invoiced.
    Included,
    /// An estimate from `low` to `high` ("$400–$600"): the proposal shows the range, and the
    /// line is billed only once its price is confirmed (within the range).
    Range {
        #[ts(as = "String")]
        low: Decimal,
        #[ts(as = "String")]
        high: Decimal,
    },
    /// A price for each band of the practice's band set `set` (1: annual revenue, 2: the second
    /// set); a proposal line is priced at its proposal's band (`band`).
    Banded {
        set: u8,
        prices: Vec<BandPrice>,
        #[ts(type = "number | null")]
        band: Option<i64>,
    },
}

/// A banded service's price in one band (the band's name kept with it, for the letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct BandPrice {
    #[ts(type = "number")]
    pub band_id: i64,
    pub band: String,
    #[ts(as = "String")]
    pub price: Decimal,
}

crate::db_enum! {
    /// How a service is priced.
    #[ts(export)]
    pub enum PricingKind: "pricing" {
        Fixed = "fixed",
        PerUnit = "per_unit",
        Hourly = "hourly",
        /// Stored as a fixed price with price type `minimum` (see [`Pricing::stored_as`]).
        Minimum = "minimum",
        /// Stored as a fixed price of 0 with price type `included`.
        Included = "included",
        /// Stored as a fixed price (the lower end) with price type `range` and `price_high`.
        Range = "range",
        /// Stored as a fixed service with price type `banded`, its prices per band.
        Banded = "banded",
    }
}

crate::db_enum! {
    /// How a fixed service's price is meant (services.price_type).
    pub enum PriceType: "price type" {
        Exact = "exact",
        Minimum = "minimum",
        Included = "included",
        Range = "range",
        Banded = "banded",
    }
}

impl PricingKind {
    /// Reads what a person or a spreadsheet might say ("per unit", "Unit").
    pub fn from_user_text(text: &str) -> Option<PricingKind> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "fixed" => Some(PricingKind::Fixed),
            "per_unit" | "unit" => Some(PricingKind::PerUnit),
            "hourly" => Some(PricingKind::Hourly),
            "minimum" | "from" => Some(PricingKind::Minimum),
            "included" | "no_charge" => Some(PricingKind::Included),
            "range" | "estimate" => Some(PricingKind::Range),
            "banded" | "by_band" | "per_band" => Some(PricingKind::Banded),
            _ => None,
        }
    }
}

impl Pricing {
    pub fn kind(&self) -> PricingKind {
        match self {
            Pricing::Fixed { .. } => PricingKind::Fixed,
            Pricing::PerUnit { .. } => PricingKind::PerUnit,
            Pricing::Hourly { .. } => PricingKind::Hourly,
            Pricing::Minimum { .. } => PricingKind::Minimum,
            Pricing::Included => PricingKind::Included,
            Pricing::Range { .. } => PricingKind::Range,
            Pricing::Banded { .. } => PricingKind::Banded,
        }
    }

    /// How the services table keeps it: its `pricing_kind` and `price_type` columns.
    pub fn stored_as(&self) -> (PricingKind, PriceType) {
        match self {
            Pricing::Minimum { .. } => (PricingKind::Fixed, PriceType::Minimum),
            Pricing::Included => (PricingKind::Fixed, PriceType::Included),
            Pricing::Range { .. } => (PricingKind::Fixed, PriceType::Range),
            Pricing::Banded { .. } => (PricingKind::Fixed, PriceType::Banded),
            other => (other.kind(), PriceType::Exact),
        }
    }

    /// The quantity a line starts with: 1 of a fixed service, the typical number of units, or
    /// the estimated hours.
    pub fn default_quantity(&self) -> Decimal {
        match self {
            Pricing::Fixed { .. }
            | Pricing::Minimum { .. }
            | Pricing::Included
            | Pricing::Range { .. }
            | Pricing::Banded { .. } => Decimal::ONE,
            Pricing::PerUnit {
                default_quantity, ..
            } => *default_quantity,
            Pricing::Hourly {
                estimated_hours, ..
            } => *estimated_hours,
        }
    }
}

/// One band of a calculation: `quantity` units between `from` and `to` at `unit_price`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Band {
    #[ts(as = "String")]
    pub from: Decimal,
    #[ts(as = "Option<String>")]
    pub to: Option<Decimal>,
    #[ts(as = "String")]
    pub quantity: Decimal,
    #[ts(as = "String")]
    pub unit_price: Decimal,
    #[ts(as = "String")]
    pub amount: Decimal,
}

/// What a quantity of a service costs, band by band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Quote {
    #[ts(as = "String")]
    pub quantity: Decimal,
    pub bands: Vec<Band>,
    #[ts(as = "String")]
    pub total: Decimal,
    /// A range's upper end for the quantity (`total` is its lower end).
    #[ts(as = "Option<String>")]
    pub high: Option<Decimal>,
}

/// Why a calculation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PriceError {
    #[error("The quantity must be more than zero.")]
    QuantityNotPositive,
    #[error("This service has no price tiers.")]
    NoTiers,
    #[error("Pick the client's band on the proposal: this service is priced by band.")]
    NoBand,
    #[error("This service has no price for the client's band; add one on the service.")]
    NoBandPrice,
}

/// What `quantity` of a service priced by `pricing` costs in `currency`.
pub fn quote(
    pricing: &Pricing,
    quantity: Decimal,
    currency: Currency,
) -> Result<Quote, PriceError> {
    if quantity <= Decimal::ZERO {
        return Err(PriceError::QuantityNotPositive);
    }
    let single = |unit_price: Decimal| {
        let amount = currency.round(unit_price * quantity);
        Quote {
            quantity,
            bands: vec![Band {
                from: Decimal::ZERO,
                to: None,
                quantity,
                unit_price,
                amount,
            }],
            total: amount,
            high: None,
        }
    };
    match pricing {
        Pricing::Fixed { price } | Pricing::Minimum { price } => Ok(single(*price)),
        Pricing::Hourly { rate, .. } => Ok(single(*rate)),
        Pricing::Included => Ok(Quote {
            quantity,
            bands: Vec::new(),
            total: currency.round(Decimal::ZERO),
            high: None,
        }),
        Pricing::Range { low, high } => Ok(Quote {
            high: Some(currency.round(*high * quantity)),
            ..single(*low)
        }),
        Pricing::Banded { prices, band, .. } => {
            let band = band.ok_or(PriceError::NoBand)?;
            let price = prices
                .iter()
                .find(|p| p.band_id == band)
                .ok_or(PriceError::NoBandPrice)?;
            Ok(single(price.price))
        }
        Pricing::PerUnit { tiers, .. } => {
            if tiers.is_empty() {
                return Err(PriceError::NoTiers);
            }
            let mut bands = Vec::new();
            let mut lower = Decimal::ZERO;
            for tier in tiers {
                if quantity <= lower {
                    break;
                }
                let upper = tier.up_to.map_or(quantity, |up_to| up_to.min(quantity));
                let in_band = upper - lower;
                if in_band > Decimal::ZERO {
                    bands.push(Band {
                        from: lower,
                        to: tier.up_to,
                        quantity: in_band,
                        unit_price: tier.unit_price,
                        amount: currency.round(in_band * tier.unit_price),
                    });
                }
                match tier.up_to {
                    Some(up_to) => lower = up_to,
                    None => break,
                }
            }
            let total = bands.iter().map(|b| b.amount).sum::<Decimal>();
            Ok(Quote {
                quantity,
                bands,
                total: currency.round(total),
                high: None,
            })
        }
    }
}

/// A tier as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TierDraft {
    /// Empty on the last, open-ended tier.
    pub up_to: String,
    pub unit_price: String,
}

/// Pricing as typed in the form; [`parse_pricing`] turns it into [`Pricing`] or field problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PricingDraft {
    pub kind: PricingKind,
    /// The fixed price, or the hourly rate.
    pub price: String,
    pub unit_name: String,
    pub tiers: Vec<TierDraft>,
    pub default_quantity: String,
    pub estimated_hours: String,
    /// A range's upper end (`price` is its lower end).
    #[serde(default)]
    pub price_high: String,
    /// A banded price's band set (1 or 2).
    #[serde(default)]
    pub band_set: u8,
    /// A banded price: the price typed for each band of the set.
    #[serde(default)]
    pub band_prices: Vec<BandPriceDraft>,
}

/// A band's price as typed in the service form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BandPriceDraft {
    #[ts(type = "number")]
    pub band_id: i64,
    pub band: String,
    pub price: String,
}

impl PricingDraft {
    pub fn empty(kind: PricingKind) -> Self {
        PricingDraft {
            kind,
            price: String::new(),
            unit_name: String::new(),
            tiers: vec![TierDraft::default()],
            default_quantity: String::new(),
            estimated_hours: String::new(),
            price_high: String::new(),
            band_set: 1,
            band_prices: Vec::new(),
        }
    }
}

/// An amount as the form shows it: `1.5` reads as `1.50`, whole amounts stay whole, and three
/// decimals get a fourth (`1.1250`) so that no locale can read them as a thousands group.
pub(crate) fn amount_text(amount: Decimal) -> String {
    let mut amount = amount;
    match amount.scale() {
        1 => amount.rescale(2),
        3 => amount.rescale(4),
        _ => {}
    }
    amount.to_string()
}

impl Pricing {
    /// The form pre-filled with this pricing.
    pub fn draft(&self) -> PricingDraft {
        let mut draft = PricingDraft::empty(self.kind());
        match self {
            Pricing::Fixed { price } | Pricing::Minimum { price } => {
                draft.price = amount_text(*price)
            }
            Pricing::Included => {}
            Pricing::Range { low, high } => {
                draft.price = amount_text(*low);
                draft.price_high = amount_text(*high);
            }
            Pricing::Banded { set, prices, .. } => {
                draft.band_set = *set;
                draft.band_prices = prices
                    .iter()
                    .map(|p| BandPriceDraft {
                        band_id: p.band_id,
                        band: p.band.clone(),
                        price: amount_text(p.price),
                    })
                    .collect();
            }
            Pricing::Hourly {
                rate,
                estimated_hours,
            } => {
                draft.price = amount_text(*rate);
                draft.estimated_hours = estimated_hours.to_string();
            }
            Pricing::PerUnit {
                unit_name,
                tiers,
                default_quantity,
            } => {
                draft.unit_name = unit_name.clone();
                draft.default_quantity = default_quantity.to_string();
                draft.tiers = tiers
                    .iter()
                    .map(|t| TierDraft {
                        up_to: t.up_to.map(|u| u.to_string()).unwrap_or_default(),
                        unit_price: amount_text(t.unit_price),
                    })
                    .collect();
            }
        }
        draft
    }
}

/// The most a single price may be: a guard against a slipped key (1200000 for 1200.00).
const MAX_PRICE: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 0);

fn money_field(
    problems: &mut Problems,
    field: &str,
    text: &str,
    what: &str,
    currency: Currency,
    numbers: NumberFormat,
) -> Option<Decimal> {
    let value = match parse_amount(text, numbers) {
        Ok(value) => value,
        Err(AmountError::Empty) => {
            problems.add(field, format!("Enter the {what}."));
            return None;
        }
        Err(AmountError::NotANumber(_)) => {
            problems.add(
                field,
                format!("Enter the {what} as a number, like 120 or 120.50."),
            );
            return None;
        }
        Err(error) => {
            problems.add(field, error.to_string());
            return None;
        }
    };
    if value.is_sign_negative() && !value.is_zero() {
        problems.add(field, format!("The {what} can't be negative."));
        return None;
    }
    if value > MAX_PRICE {
        problems.add(
            field,
            format!("The {what} looks too large; check the amount."),
        );
        return None;
    }
    if value.scale() > currency.places.max(4) {
        problems.add(
            field,
            format!(
                "Use at most {} decimal places for the {what}.",
                currency.places.max(4)
            ),
        );
        return None;
    }
    Some(value)
}

fn quantity_field(
    problems: &mut Problems,
    field: &str,
    text: &str,
    what: &str,
    numbers: NumberFormat,
) -> Option<Decimal> {
    match parse_amount(text, numbers) {
        Err(AmountError::Empty) => problems.add(field, format!("Enter the {what}.")),
        Err(AmountError::NotANumber(_)) => problems.add(
            field,
            format!("Enter the {what} as a number, like 40 or 2.5."),
        ),
        Err(error) => problems.add(field, error.to_string()),
        Ok(q) if q <= Decimal::ZERO => {
            problems.add(field, format!("The {what} must be more than zero."))
        }
        Ok(q) if q.scale() > 4 => problems.add(
            field,
            format!("Use at most 4 decimal places for the {what}."),
        ),
        Ok(q) => return Some(q),
    }
    None
}

/// Checks the pricing part of a service form. Field names are those of the form
/// (`price`, `unit_name`, `tiers.2.up_to`, …).
pub fn parse_pricing(
    draft: &PricingDraft,
    currency: Currency,
    numbers: NumberFormat,
    problems: &mut Problems,
) -> Option<Pricing> {
    match draft.kind {
        PricingKind::Fixed => {
            money_field(problems, "price", &draft.price, "price", currency, numbers)
                .map(|price| Pricing::Fixed { price })
        }
        PricingKind::Minimum => money_field(
            problems,
            "price",
            &draft.price,
            "starting price",
            currency,
            numbers,
        )
        .map(|price| Pricing::Minimum { price }),
        PricingKind::Included => Some(Pricing::Included),
        PricingKind::Range => {
            let low = money_field(
                problems,
                "price",
                &draft.price,
                "lowest estimate",
                currency,
                numbers,
            );
            let high = money_field(
                problems,
                "price_high",
                &draft.price_high,
                "highest estimate",
                currency,
                numbers,
            );
            match (low, high) {
                (Some(low), Some(high)) if high > low => Some(Pricing::Range { low, high }),
                (Some(_), Some(_)) => {
                    problems.add(
                        "price_high",
                        "The highest estimate must be above the lowest; for one price, choose Fixed.",
                    );
                    None
                }
                _ => None,
            }
        }
        PricingKind::Banded => parse_band_prices(draft, currency, numbers, problems),
        PricingKind::Hourly => {
            let rate = money_field(
                problems,
                "price",
                &draft.price,
                "hourly rate",
                currency,
                numbers,
            );
            let hours = quantity_field(
                problems,
                "estimated_hours",
                &draft.estimated_hours,
                "estimated hours",
                numbers,
            );
            Some(Pricing::Hourly {
                rate: rate?,
                estimated_hours: hours?,
            })
        }
        PricingKind::PerUnit => {
            let unit_name = draft.unit_name.trim();
            if unit_name.is_empty() {
                problems.add(
                    "unit_name",
                    "Say what is counted, e.g. transactions or employees.",
                );
            } else if unit_name.chars().count() > 40 {
                problems.add("unit_name", "Keep the unit name under 40 characters.");
            }
            let quantity = quantity_field(
                problems,
                "default_quantity",
                &draft.default_quantity,
                "typical quantity",
                numbers,
            );
            let tiers = parse_tiers(&draft.tiers, currency, numbers, problems);
            if unit_name.is_empty() || unit_name.chars().count() > 40 {
                return None;
            }
            Some(Pricing::PerUnit {
                unit_name: unit_name.to_string(),
                tiers: tiers?,
                default_quantity: quantity?,
            })
        }
    }
}

/// A price for every band of the chosen set (the form lists the practice's active bands).
fn parse_band_prices(
    draft: &PricingDraft,
    currency: Currency,
    numbers: NumberFormat,
    problems: &mut Problems,
) -> Option<Pricing> {
    if !matches!(draft.band_set, 1 | 2) {
        problems.add(
            "band_set",
            "Choose which of the practice's band sets prices it.",
        );
        return None;
    }
    if draft.band_prices.is_empty() {
        problems.add(
            "band_prices",
            "The practice has no bands in this set yet: add them in Settings \u{2192} Bands.",
        );
        return None;
    }
    let before = problems.fields().len();
    let mut prices = Vec::with_capacity(draft.band_prices.len());
    for (i, band) in draft.band_prices.iter().enumerate() {
        let what = format!("price for {}", band.band.trim());
        if let Some(price) = money_field(
            problems,
            &format!("band_prices.{i}.price"),
            &band.price,
            &what,
            currency,
            numbers,
        ) {
            prices.push(BandPrice {
                band_id: band.band_id,
                band: band.band.trim().to_string(),
                price,
            });
        }
    }
    (problems.fields().len() == before).then_some(Pricing::Banded {
        set: draft.band_set,
        prices,
        band: None,
    })
}

fn parse_tiers(
    drafts: &[TierDraft],
    currency: Currency,
    numbers: NumberFormat,
    problems: &mut Problems,
) -> Option<Vec<Tier>> {
    if drafts.is_empty() {
        problems.add("tiers", "Add at least one price per unit.");
        return None;
    }
    let before = problems.fields().len();
    let mut tiers = Vec::with_capacity(drafts.len());
    let mut previous = Decimal::ZERO;
    let last = drafts.len() - 1;
    for (i, draft) in drafts.iter().enumerate() {
        let unit_price = money_field(
            problems,
            &format!("tiers.{i}.unit_price"),
            &draft.unit_price,
            "price per unit",
            currency,
            numbers,
        );
        let field = format!("tiers.{i}.up_to");
        let up_to = if i == last {
            if !draft.up_to.trim().is_empty() {
                problems.add(
                    field,
                    "Leave the last tier open-ended (blank), so every quantity has a price.",
                );
            }
            None
        } else {
            match parse_amount(&draft.up_to, numbers) {
                Err(AmountError::Empty | AmountError::NotANumber(_)) => {
                    problems.add(field, "Enter where this tier ends, e.g. 100.");
                    None
                }
                Err(error) => {
                    problems.add(field, error.to_string());
                    None
                }
                Ok(bound) if bound <= previous => {
                    problems.add(
                        field,
                        if i == 0 {
                            "A tier must end above zero.".to_string()
                        } else {
                            format!("Each tier must end above the one before ({previous}).")
                        },
                    );
                    None
                }
                Ok(bound) => {
                    previous = bound;
                    Some(bound)
                }
            }
        };
        if let Some(unit_price) = unit_price {
            tiers.push(Tier { up_to, unit_price });
        }
    }
    (problems.fields().len() == before).then_some(tiers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn aud() -> Currency {
        Currency::find("AUD").unwrap()
    }

    fn en_au() -> NumberFormat {
        NumberFormat::for_locale("en-AU")
    }

    fn tiered() -> Pricing {
        // 1–100 at 2.00, 101–500 at 1.50, above 500 at 1.00
        Pricing::PerUnit {
            unit_name: "transactions".into(),
            tiers: vec![
                Tier {
                    up_to: Some(dec!(100)),
                    unit_price: dec!(2.00),
                },
                Tier {
                    up_to: Some(dec!(500)),
                    unit_price: dec!(1.50),
                },
                Tier {
                    up_to: None,
                    unit_price: dec!(1.00),
                },
            ],
            default_quantity: dec!(250),
        }
    }

    fn total(pricing: &Pricing, quantity: Decimal) -> Decimal {
        quote(pricing, quantity, aud()).unwrap().total
    }

    #[test]
    fn graduated_tiers_price_each_band_separately() {
        let pricing = tiered();
        assert_eq!(total(&pricing, dec!(1)), dec!(2.00));
        assert_eq!(total(&pricing, dec!(99)), dec!(198.00));
        assert_eq!(total(&pricing, dec!(100)), dec!(200.00)); // top edge of the first band
        assert_eq!(total(&pricing, dec!(101)), dec!(201.50)); // first unit of the second
        assert_eq!(total(&pricing, dec!(500)), dec!(800.00));
        assert_eq!(total(&pricing, dec!(501)), dec!(801.00));
        assert_eq!(total(&pricing, dec!(1000)), dec!(1300.00));
    }

    #[test]
    fn worked_example_lists_bands_that_add_up() {
        let q = quote(&tiered(), dec!(250), aud()).unwrap();
        assert_eq!(q.bands.len(), 2);
        assert_eq!((q.bands[0].from, q.bands[0].to), (dec!(0), Some(dec!(100))));
        assert_eq!(
            (q.bands[0].quantity, q.bands[0].amount),
            (dec!(100), dec!(200.00))
        );
        assert_eq!(
            (q.bands[1].quantity, q.bands[1].amount),
            (dec!(150), dec!(225.00))
        );
        assert_eq!(q.total, q.bands.iter().map(|b| b.amount).sum::<Decimal>());
        assert_eq!(q.total.to_string(), "425.00");
    }

    #[test]
    fn fractional_quantities_round_each_band_half_away_from_zero() {
        let pricing = Pricing::PerUnit {
            unit_name: "hours".into(),
            tiers: vec![
                Tier {
                    up_to: Some(dec!(10)),
                    unit_price: dec!(0.125),
                },
                Tier {
                    up_to: None,
                    unit_price: dec!(0.335),
                },
            ],
            default_quantity: dec!(1),
        };
        // 1 × 0.125 = 0.125 → 0.13 (half away from zero, not banker's 0.12)
        assert_eq!(total(&pricing, dec!(1)), dec!(0.13));
        // 10 × 0.125 = 1.25; 1 × 0.335 = 0.335 → 0.34; total 1.59
        let q = quote(&pricing, dec!(11), aud()).unwrap();
        assert_eq!(q.bands[1].amount, dec!(0.34));
        assert_eq!(q.total, dec!(1.59));
    }

    #[test]
    fn a_single_open_tier_is_a_flat_unit_price() {
        let pricing = Pricing::PerUnit {
            unit_name: "employees".into(),
            tiers: vec![Tier {
                up_to: None,
                unit_price: dec!(12.50),
            }],
            default_quantity: dec!(8),
        };
        assert_eq!(total(&pricing, dec!(8)), dec!(100.00));
    }

    #[test]
    fn fixed_and_hourly_multiply_and_round() {
        let fixed = Pricing::Fixed {
            price: dec!(333.335),
        };
        assert_eq!(total(&fixed, dec!(1)), dec!(333.34));
        assert_eq!(total(&fixed, dec!(3)), dec!(1000.01));
        let hourly = Pricing::Hourly {
            rate: dec!(150),
            estimated_hours: dec!(2.5),
        };
        assert_eq!(total(&hourly, dec!(2.5)), dec!(375.00));
        assert_eq!(hourly.default_quantity(), dec!(2.5));
    }

    #[test]
    fn currency_places_decide_the_rounding() {
        let jpy = Currency::find("JPY").unwrap();
        let fixed = Pricing::Fixed {
            price: dec!(1000.5),
        };
        assert_eq!(
            quote(&fixed, dec!(1), jpy).unwrap().total.to_string(),
            "1001"
        );
    }

    #[test]
    fn zero_and_negative_quantities_are_refused() {
        for q in [dec!(0), dec!(-1), dec!(-0.01)] {
            assert_eq!(
                quote(&tiered(), q, aud()),
                Err(PriceError::QuantityNotPositive)
            );
            assert_eq!(
                quote(&Pricing::Fixed { price: dec!(1) }, q, aud()),
                Err(PriceError::QuantityNotPositive)
            );
        }
    }

    #[test]
    fn no_tiers_is_refused() {
        let pricing = Pricing::PerUnit {
            unit_name: "x".into(),
            tiers: vec![],
            default_quantity: dec!(1),
        };
        assert_eq!(quote(&pricing, dec!(1), aud()), Err(PriceError::NoTiers));
    }

    fn tier(up_to: &str, unit_price: &str) -> TierDraft {
        TierDraft {
            up_to: up_to.into(),
            unit_price: unit_price.into(),
        }
    }

    fn per_unit_draft(tiers: Vec<TierDraft>) -> PricingDraft {
        PricingDraft {
            unit_name: "transactions".into(),
            default_quantity: "250".into(),
            tiers,
            ..PricingDraft::empty(PricingKind::PerUnit)
        }
    }

    fn problems_of(draft: &PricingDraft) -> Vec<String> {
        let mut problems = Problems::new();
        let parsed = parse_pricing(draft, aud(), en_au(), &mut problems);
        assert_eq!(
            parsed.is_none(),
            !problems.is_empty(),
            "a result and problems together"
        );
        problems.fields().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn parses_a_valid_tiered_draft() {
        let draft = per_unit_draft(vec![tier("100", "2"), tier("500", "1.50"), tier("", "1")]);
        let mut problems = Problems::new();
        assert_eq!(
            parse_pricing(&draft, aud(), en_au(), &mut problems),
            Some(tiered())
        );
        assert_eq!(tiered().draft().tiers[2], tier("", "1.00"));
    }

    #[test]
    fn tier_bounds_must_rise_and_the_last_must_be_open() {
        assert_eq!(
            problems_of(&per_unit_draft(vec![
                tier("100", "2"),
                tier("100", "1.5"),
                tier("", "1")
            ])),
            ["tiers.1.up_to"]
        );
        assert_eq!(
            problems_of(&per_unit_draft(vec![tier("0", "2"), tier("", "1")])),
            ["tiers.0.up_to"]
        );
        assert_eq!(
            problems_of(&per_unit_draft(vec![tier("100", "2")])),
            ["tiers.0.up_to"]
        );
        assert_eq!(
            problems_of(&per_unit_draft(vec![tier("abc", "2"), tier("", "x")])),
            ["tiers.0.up_to", "tiers.1.unit_price"]
        );
        assert_eq!(problems_of(&per_unit_draft(vec![])), ["tiers"]);
    }

    #[test]
    fn prices_must_be_plain_non_negative_numbers() {
        let mut draft = PricingDraft::empty(PricingKind::Fixed);
        for bad in [
            "",
            "abc",
            "-10",
            "12..5",
            "100000001",
            "1.23456",
            "2,50",
            "1 234,50",
        ] {
            draft.price = bad.into();
            assert_eq!(problems_of(&draft), ["price"], "{bad:?}");
        }
        for good in ["0", "1,200.50", "$99"] {
            draft.price = good.into();
            assert!(problems_of(&draft).is_empty(), "{good:?}");
        }
    }

    #[test]
    fn hourly_needs_rate_and_positive_hours() {
        let mut draft = PricingDraft::empty(PricingKind::Hourly);
        draft.price = "150".into();
        draft.estimated_hours = "0".into();
        assert_eq!(problems_of(&draft), ["estimated_hours"]);
        draft.price = "x".into();
        draft.estimated_hours = "".into();
        assert_eq!(problems_of(&draft), ["price", "estimated_hours"]);
    }

    #[test]
    fn per_unit_needs_a_unit_name_and_a_typical_quantity() {
        let mut draft = per_unit_draft(vec![tier("", "2")]);
        draft.unit_name = " ".into();
        draft.default_quantity = "-3".into();
        assert_eq!(problems_of(&draft), ["unit_name", "default_quantity"]);
    }
}
