//! Checking the editor's form: every line priced from its service snapshot, months, discounts
//! and validity, with every problem named by its field.

use super::*;

/// A line ready to be stored.
pub(super) struct ValidLine {
    pub(super) snapshot: Snapshot,
    /// The snapshot's drivers with the choices made.
    pub(super) drivers: Vec<LineDriver>,
    pub(super) quantity: Decimal,
    pub(super) discount: Decimal,
    pub(super) price: Decimal,
    /// A range's upper end (`price` is its lower end).
    pub(super) price_high: Option<Decimal>,
    /// How `price` was reached (for the editor's worked example).
    pub(super) steps: Vec<catalog::PriceStep>,
    pub(super) start_month: String,
    /// The month a quarterly, annual or one-off line's cycle counts from (kept through
    /// amendments, which move the start month but not the cycle).
    pub(super) anchor_month: String,
    pub(super) end_month: Option<String>,
    pub(super) optional: bool,
    /// For an optional line: already chosen by the client (kept through amendments).
    pub(super) chosen: bool,
    /// The minimum monthly fee's top-up, added by [`with_top_up`], never typed.
    pub(super) top_up: bool,
    /// The option (1–3) the line belongs to; its lines are optional until the option is chosen.
    pub(super) option: Option<u8>,
}

impl ValidLine {
    /// The line as the totals see it, counted when `included`; a range at its lower end.
    pub(super) fn priced(&self, included: bool) -> terms::PricedLine {
        terms::PricedLine {
            frequency: self.snapshot.frequency,
            price: self.price,
            included,
            estimate: self.price_high.is_some(),
        }
    }
}

/// The name of the line that brings a proposal up to the practice's minimum monthly fee.
pub const TOP_UP_NAME: &str = "Minimum monthly fee top-up";

/// `lines` and, when their monthly recurring total is above zero but under the practice's
/// `minimum` monthly fee, a visible monthly line for the difference: running from the first
/// recurring service's start month, to the last one's end if every recurring service ends.
/// With options, each option is weighed on its own (the common lines and its own), and an
/// option that comes in under the minimum gets its own top-up, which becomes scope only if the
/// client chooses that option.
/// Any top-up already among `lines` is dropped first, so it is worked out afresh on every save.
pub(super) fn with_top_up(
    mut lines: Vec<ValidLine>,
    minimum: Decimal,
    currency: Currency,
    numbers: crate::money::NumberFormat,
) -> Vec<ValidLine> {
    lines.retain(|l| !l.top_up);
    if minimum <= Decimal::ZERO {
        return lines;
    }
    let options: std::collections::BTreeSet<u8> = lines.iter().filter_map(|l| l.option).collect();
    let groups: Vec<Option<u8>> = if options.is_empty() {
        vec![None]
    } else {
        options.into_iter().map(Some).collect()
    };
    let top_ups: Vec<ValidLine> = groups
        .into_iter()
        .filter_map(|group| top_up_for(&lines, group, minimum, currency, numbers))
        .collect();
    lines.extend(top_ups);
    lines
}

/// The top-up the lines of `group` (the common lines, and option `group`'s) need, if any.
fn top_up_for(
    lines: &[ValidLine],
    group: Option<u8>,
    minimum: Decimal,
    currency: Currency,
    numbers: crate::money::NumberFormat,
) -> Option<ValidLine> {
    let recurring: Vec<&ValidLine> = lines
        .iter()
        .filter(|l| l.snapshot.frequency.is_recurring())
        .filter(|l| match l.option {
            None => !l.optional || l.chosen,
            Some(option) => group == Some(option),
        })
        .collect();
    let priced: Vec<terms::PricedLine> = recurring.iter().map(|l| l.priced(true)).collect();
    let monthly = terms::totals(&priced, currency).monthly;
    if monthly <= Decimal::ZERO || monthly >= minimum {
        return None;
    }
    let gap = currency.round(minimum - monthly);
    let start = recurring.iter().map(|l| l.start_month.clone()).min()?;
    let ends = recurring
        .iter()
        .map(|l| l.end_month.clone())
        .collect::<Option<Vec<String>>>();
    Some(ValidLine {
        snapshot: Snapshot {
            service_id: None,
            name: TOP_UP_NAME.to_string(),
            description: format!(
                "Brings the monthly fee up to the practice's minimum of {}.",
                crate::money::format_money(minimum, currency, numbers)
            ),
            category: String::new(),
            pricing: Pricing::Fixed { price: gap },
            drivers: Vec::new(),
            terms: String::new(),
            frequency: Frequency::Monthly,
            account_code: String::new(),
            tax_type: String::new(),
            estimated_minutes: 0,
        },
        drivers: Vec::new(),
        quantity: Decimal::ONE,
        discount: Decimal::ZERO,
        price: gap,
        price_high: None,
        steps: Vec::new(),
        anchor_month: start.clone(),
        start_month: start,
        end_month: ends.and_then(|ends| ends.into_iter().max()),
        // An option's top-up is scope only if the client chooses the option.
        optional: group.is_some(),
        chosen: false,
        top_up: true,
        option: group,
    })
}

#[derive(Clone)]
pub(super) struct Snapshot {
    pub(super) service_id: Option<i64>,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) category: String,
    pub(super) pricing: Pricing,
    pub(super) drivers: Vec<catalog::Driver>,
    pub(super) terms: String,
    pub(super) frequency: Frequency,
    pub(super) account_code: String,
    pub(super) tax_type: String,
    pub(super) estimated_minutes: u32,
}

/// An option with no line of its own yet: refused on save, shown (without stopping the prices)
/// while the proposal is being built.
pub(super) fn empty_options(draft: &ProposalDraft) -> Problems {
    let mut problems = Problems::new();
    for i in 0..draft.options.len() {
        let number = i as u8 + 1;
        if !draft.lines.iter().any(|l| l.option == Some(number)) {
            problems.add(
                format!("options.{i}.name"),
                "Put at least one service in this option.",
            );
        }
    }
    problems
}

/// Up to three named options; every line's option one of them.
fn check_options(draft: &ProposalDraft, problems: &mut Problems) {
    if draft.options.len() > MAX_OPTIONS {
        problems.add("options", format!("Offer at most {MAX_OPTIONS} options."));
    }
    if draft.options.len() == 1 {
        problems.add(
            "options",
            "Offer two or three options, or none: one option is no choice.",
        );
    }
    for (i, option) in draft.options.iter().enumerate() {
        let name = option.name.trim();
        if name.is_empty() {
            problems.add(format!("options.{i}.name"), "Name the option, e.g. Growth.");
        } else if name.chars().count() > 40 {
            problems.add(
                format!("options.{i}.name"),
                "Keep the option's name under 40 characters.",
            );
        } else if draft.options[..i].iter().any(|o| o.name.trim() == name) {
            problems.add(format!("options.{i}.name"), "Two options have this name.");
        }
        if option.description.chars().count() > 1000 {
            problems.add(
                format!("options.{i}.description"),
                "Keep the option's description under 1,000 characters.",
            );
        }
    }
    for (i, line) in draft.lines.iter().enumerate() {
        if let Some(option) = line.option
            && (option == 0 || usize::from(option) > draft.options.len())
        {
            problems.add(
                format!("lines.{i}.option"),
                "Choose one of the proposal's options, or make the line common to all.",
            );
        }
    }
}

/// Checks the form as it is saved: [`price_draft`] and no option without lines, every problem
/// reported together.
pub(super) fn validate(
    store: &Store,
    draft: &ProposalDraft,
    existing: &[ProposalLine],
) -> Result<Vec<ValidLine>> {
    let empty = empty_options(draft);
    match price_draft(store, draft, existing) {
        Ok(_) if !empty.is_empty() => Err(Error::Invalid(empty)),
        Err(Error::Invalid(mut problems)) => {
            for problem in empty.fields() {
                problems.add(problem.field.clone(), problem.message.clone());
            }
            Err(Error::Invalid(problems))
        }
        other => other,
    }
}

/// Checks and prices every line of the form; an option still without lines is not a problem
/// here (the editor prices a proposal while it is being built).
pub(super) fn price_draft(
    store: &Store,
    draft: &ProposalDraft,
    existing: &[ProposalLine],
) -> Result<Vec<ValidLine>> {
    let practice = require_practice(store)?;
    let (currency, numbers) = (practice.currency(), practice.number_format());
    let mut problems = Problems::new();
    if clients::get_client(store, draft.client_id).is_err() {
        problems.add(
            "client_id",
            "Choose the client or prospect this proposal is for.",
        );
    }
    if draft.title.trim().is_empty() {
        problems.add("title", "Give the proposal a title.");
    }
    if chrono::NaiveDate::parse_from_str(draft.valid_until.trim(), "%Y-%m-%d").is_err() {
        problems.add("valid_until", "Enter the date the proposal is valid until.");
    }
    if draft.lines.is_empty() {
        problems.add("lines", "Add at least one service.");
    }
    check_options(draft, &mut problems);
    let bands = catalog::band_sets(store)?;
    catalog::bands::check_bands(&bands, [draft.band_1_id, draft.band_2_id], &mut problems);
    if draft.billing_start == Some(BillingStart::FreeMonths)
        && !(1..=24).contains(&draft.free_months)
    {
        problems.add("free_months", "Give 1 to 24 free months.");
    }
    let mut lines = Vec::new();
    for (i, line) in draft.lines.iter().enumerate() {
        let field = |name: &str| format!("lines.{i}.{name}");
        let kept = line
            .line_id
            .and_then(|id| existing.iter().find(|l| l.id == id));
        // The top-up is worked out afresh below, never taken from the form.
        if kept.is_some_and(|k| k.top_up) {
            continue;
        }
        let chosen = kept.is_some_and(|l| l.chosen);
        let snapshot = match (kept, line.service_id) {
            (Some(kept), _) => Some(Snapshot {
                service_id: kept.service_id,
                name: kept.name.clone(),
                description: kept.description.clone(),
                category: kept.category.clone(),
                pricing: kept.pricing.clone(),
                drivers: kept.drivers.iter().map(|d| d.driver.clone()).collect(),
                terms: kept.terms.clone(),
                frequency: kept.frequency,
                account_code: kept.account_code.clone(),
                tax_type: kept.tax_type.clone(),
                estimated_minutes: kept.estimated_minutes,
            }),
            (None, Some(service_id)) => match catalog::get_service(store, service_id) {
                Ok(s) => Some(Snapshot {
                    service_id: Some(s.id),
                    name: s.name,
                    description: s.description,
                    category: s.category,
                    pricing: s.pricing,
                    drivers: s.drivers,
                    terms: s.terms,
                    frequency: s.frequency,
                    account_code: s.account_code,
                    tax_type: s.tax_type,
                    estimated_minutes: s.estimated_minutes,
                }),
                Err(_) => {
                    problems.add(
                        field("service_id"),
                        "That service is no longer in the catalogue.",
                    );
                    None
                }
            },
            (None, None) => {
                problems.add(field("service_id"), "Choose a service.");
                None
            }
        };
        let quantity = match parse_amount(&line.quantity, numbers) {
            Ok(q) if q > Decimal::ZERO => Some(q),
            Err(
                error @ (AmountError::MisplacedSeparator { .. }
                | AmountError::TwoDecimalSeparators { .. }
                | AmountError::Ambiguous { .. }),
            ) => {
                problems.add(field("quantity"), error.to_string());
                None
            }
            _ => {
                problems.add(field("quantity"), "Enter a quantity above zero.");
                None
            }
        };
        let discount = if line.discount_percent.trim().is_empty() {
            Some(Decimal::ZERO)
        } else {
            match parse_amount(line.discount_percent.trim_end_matches('%'), numbers) {
                Ok(d) if d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED => Some(d),
                _ => {
                    problems.add(
                        field("discount_percent"),
                        "Enter a discount from 0 to 100 %.",
                    );
                    None
                }
            }
        };
        // The client's own estimate of the time a period takes, when given.
        let minutes = match line.estimated_minutes.trim() {
            "" => Some(None),
            text => match text.parse::<u32>() {
                Ok(m) if m <= 100_000 => Some(Some(m)),
                _ => {
                    problems.add(
                        field("estimated_minutes"),
                        "Enter the minutes a period takes for this client, like 90.",
                    );
                    None
                }
            },
        };
        let mut snapshot = match (snapshot, minutes) {
            (Some(mut snapshot), Some(Some(m))) => {
                snapshot.estimated_minutes = m;
                Some(snapshot)
            }
            (snapshot, Some(None)) => snapshot,
            (None, _) | (_, None) => None,
        };
        // A service priced by band is priced at the proposal's band of its set.
        if let Some(s) = snapshot.as_mut()
            && let Pricing::Banded { set, band, prices } = &mut s.pricing
        {
            *band = if *set == 2 {
                draft.band_2_id
            } else {
                draft.band_1_id
            };
            match *band {
                None => problems.add(
                    format!("band_{set}_id"),
                    format!(
                        "Pick the client's band ({}): \u{201c}{}\u{201d} is priced by it.",
                        bands.name_of(*set),
                        s.name
                    ),
                ),
                Some(id) if !prices.iter().any(|p| p.band_id == id) => problems.add(
                    field("service_id"),
                    format!(
                        "\u{201c}{}\u{201d} has no price for this band; give it one on the service, then add the service again.",
                        s.name
                    ),
                ),
                Some(_) => {}
            }
        }
        let start = terms::parse_month(&line.start_month);
        if start.is_none() {
            problems.add(field("start_month"), "Choose the month the service starts.");
        }
        let end = if line.end_month.trim().is_empty() {
            Some(None)
        } else {
            match (terms::parse_month(&line.end_month), start) {
                (Some(end), Some(start)) if end >= start => {
                    Some(Some(line.end_month.trim().to_string()))
                }
                (Some(_), Some(_)) => {
                    problems.add(
                        field("end_month"),
                        "The end month can't be before the start month.",
                    );
                    None
                }
                _ => {
                    problems.add(
                        field("end_month"),
                        "Choose the last month, or leave it empty.",
                    );
                    None
                }
            }
        };
        // Each driver's choice must be one of its choices (empty: the default).
        let drivers = snapshot.as_ref().and_then(|snapshot| {
            let mut known = true;
            for (k, chosen) in line.driver_choices.iter().enumerate() {
                let driver = snapshot.drivers.get(k);
                if !chosen.trim().is_empty() && driver.is_none_or(|d| d.choice(chosen).is_none()) {
                    problems.add(
                        field(&format!("driver_choices.{k}")),
                        match driver {
                            Some(d) => format!("Choose one of the choices for {}.", d.name),
                            None => "This service has no such price driver.".to_string(),
                        },
                    );
                    known = false;
                }
            }
            known.then(|| catalog::drivers::choose(&snapshot.drivers, &line.driver_choices))
        });
        if let (
            Some(snapshot),
            Some(drivers),
            Some(quantity),
            Some(discount),
            Some(_),
            Some(end_month),
        ) = (snapshot, drivers, quantity, discount, start, end)
        {
            match catalog::quote(&snapshot.pricing, quantity, currency) {
                Ok(quote) => {
                    let priced = catalog::line_price(
                        &quote,
                        &drivers,
                        discount,
                        practice.price_rounding,
                        currency,
                        numbers,
                    );
                    lines.push(ValidLine {
                        snapshot,
                        drivers,
                        price: priced.price,
                        price_high: priced.high,
                        steps: priced.steps,
                        quantity,
                        discount,
                        start_month: line.start_month.trim().to_string(),
                        anchor_month: kept
                            .filter(|k| k.start_month == line.start_month.trim())
                            .map_or_else(
                                || line.start_month.trim().to_string(),
                                |k| k.anchor_month.clone(),
                            ),
                        end_month,
                        // An option's lines are optional until the client chooses the option.
                        optional: line.optional || line.option.is_some(),
                        chosen: chosen && (line.optional || line.option.is_some()),
                        top_up: false,
                        option: line.option,
                    });
                }
                // Said above, on the band.
                Err(
                    catalog::pricing::PriceError::NoBand
                    | catalog::pricing::PriceError::NoBandPrice,
                ) => {}
                Err(e) => problems.add(field("quantity"), e.to_string()),
            }
        }
    }
    problems.into_result()?;
    Ok(with_top_up(
        lines,
        practice.minimum_monthly_fee,
        currency,
        numbers,
    ))
}
