//! The firm's engagement-letter template (Settings → Proposals): introduction, terms,
//! validity and the number prefix every new proposal starts from.

use super::*;

/// The firm's engagement-letter template: what every new proposal starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProposalTemplates {
    pub introduction: String,
    pub terms: String,
    /// How many days a new proposal is valid for.
    pub validity_days: String,
    /// What proposal numbers start with: `P` gives P-2026-0001.
    #[serde(default = "default_number_prefix")]
    pub number_prefix: String,
}

pub(super) fn default_number_prefix() -> String {
    "P".into()
}

pub fn proposal_templates(store: &Store) -> Result<ProposalTemplates> {
    Ok(store
        .conn()
        .query_row(
            "SELECT introduction, terms, validity_days, number_prefix FROM proposal_settings WHERE id = 1",
            [],
            |r| {
                Ok(ProposalTemplates {
                    introduction: r.get(0)?,
                    terms: r.get(1)?,
                    validity_days: r.get::<_, u32>(2)?.to_string(),
                    number_prefix: r.get(3)?,
                })
            },
        )
        .optional()?
        .unwrap_or_else(|| ProposalTemplates {
            introduction: terms::DEFAULT_INTRODUCTION.into(),
            terms: terms::DEFAULT_TERMS.into(),
            validity_days: "30".into(),
            number_prefix: default_number_prefix(),
        }))
}

/// Saves the firm's template. Placeholders must be ones Scopebook knows.
pub fn save_proposal_templates(
    store: &mut Store,
    templates: &ProposalTemplates,
) -> Result<ProposalTemplates> {
    let mut problems = Problems::new();
    let known: Vec<(&str, String)> = terms::PLACEHOLDERS
        .iter()
        .map(|p| (*p, String::new()))
        .collect();
    let braces = |names: &[String]| {
        names
            .iter()
            .map(|u| format!("{{{{{u}}}}}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (field, text) in [
        ("introduction", &templates.introduction),
        ("terms", &templates.terms),
    ] {
        let (_, unknown) = terms::fill_placeholders(text, &known);
        if !unknown.is_empty() {
            let all: Vec<String> = terms::PLACEHOLDERS.iter().map(|p| p.to_string()).collect();
            problems.add(
                field,
                format!(
                    "Scopebook doesn't know {}. Use {}.",
                    braces(&unknown),
                    braces(&all)
                ),
            );
        }
    }
    if templates.terms.trim().is_empty() {
        problems.add(
            "terms",
            "Write the terms of engagement (the letter's body).",
        );
    }
    let days = templates
        .validity_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=365).contains(d));
    if days.is_none() {
        problems.add("validity_days", "Enter a number of days from 1 to 365.");
    }
    let prefix = templates.number_prefix.trim();
    if prefix.is_empty()
        || prefix.chars().count() > 10
        || !prefix.chars().all(|c| c.is_ascii_alphanumeric())
    {
        problems.add(
            "number_prefix",
            "Use 1 to 10 letters or digits, like P or LOE.",
        );
    }
    problems.into_result()?;
    let days = days.unwrap_or(30);
    store.write(Source::User, |tx| {
        tx.execute(
            "INSERT INTO proposal_settings (id, validity_days, introduction, terms, number_prefix, updated_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET validity_days = excluded.validity_days,
                introduction = excluded.introduction, terms = excluded.terms,
                number_prefix = excluded.number_prefix, updated_at = excluded.updated_at",
            params![days, templates.introduction.trim(), templates.terms.trim(), prefix, crate::now()],
        )?;
        tx.log("proposal_settings", 1, "update", templates)
    })?;
    proposal_templates(store)
}
