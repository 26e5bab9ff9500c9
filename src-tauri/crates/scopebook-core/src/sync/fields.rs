//! The details a client and its Xero contact share, and the three-way comparison that tells
//! which side changed a detail since the last sync: pure functions, no store, no Xero.
//!
//! A link keeps, per detail, the value each side had when they last agreed (its "base",
//! `xero_links.synced_fields`). A detail changed only here goes to Xero (when the client's
//! "push my changes" is on), one changed only in Xero comes here, one changed on both sides to
//! different values is a conflict for the bookkeeper, and one changed to the same value on both
//! sides is simply agreed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::MirroredContact;
use crate::clients::ClientDraft;

crate::db_enum! {
    /// A detail kept in step between a client and its Xero contact.
    #[ts(export)]
    pub enum SyncField: "synced detail" {
        Name = "name",
        FirstName = "first_name",
        LastName = "last_name",
        Email = "email",
        Phone = "phone",
        TaxNumber = "tax_number",
        AccountNumber = "account_number",
    }
}

impl SyncField {
    /// The detail's name on the client form.
    pub fn label(self) -> &'static str {
        match self {
            SyncField::Name => "Name",
            SyncField::FirstName => "Contact first name",
            SyncField::LastName => "Contact last name",
            SyncField::Email => "Email",
            SyncField::Phone => "Phone",
            SyncField::TaxNumber => "Tax number",
            SyncField::AccountNumber => "Account number",
        }
    }

    /// The client form's field that holds this detail (where a validation problem is shown).
    pub fn form_field(self) -> &'static str {
        match self {
            SyncField::Name => "display_name",
            SyncField::FirstName => "first_name",
            SyncField::LastName => "last_name",
            SyncField::Email => "email",
            SyncField::Phone => "phone",
            SyncField::TaxNumber => "tax_number",
            SyncField::AccountNumber => "account_number",
        }
    }

    /// Two values that mean the same: spaces around them never count, an email's case never
    /// does, and a phone number is its digits.
    pub fn same(self, a: &str, b: &str) -> bool {
        let (a, b) = (a.trim(), b.trim());
        match self {
            SyncField::Email => a.eq_ignore_ascii_case(b),
            SyncField::Phone => {
                let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
                digits(a) == digits(b) && (a.is_empty() == b.is_empty())
            }
            _ => a == b,
        }
    }
}

/// The shared details of one side, as text ("" when the side has none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SharedDetails {
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub tax_number: String,
    pub account_number: String,
}

impl SharedDetails {
    pub fn of_client(draft: &ClientDraft) -> SharedDetails {
        let t = |s: &str| s.trim().to_string();
        SharedDetails {
            name: t(&draft.display_name),
            first_name: t(&draft.first_name),
            last_name: t(&draft.last_name),
            email: t(&draft.email),
            phone: t(&draft.phone),
            tax_number: t(&draft.tax_number),
            account_number: t(&draft.account_number),
        }
    }

    pub fn of_contact(contact: &MirroredContact) -> SharedDetails {
        let t = |s: &Option<String>| s.as_deref().unwrap_or("").trim().to_string();
        SharedDetails {
            name: contact.name.trim().to_string(),
            first_name: t(&contact.first_name),
            last_name: t(&contact.last_name),
            email: t(&contact.email),
            phone: t(&contact.phone),
            tax_number: t(&contact.tax_number),
            account_number: t(&contact.account_number),
        }
    }

    pub fn get(&self, field: SyncField) -> &str {
        match field {
            SyncField::Name => &self.name,
            SyncField::FirstName => &self.first_name,
            SyncField::LastName => &self.last_name,
            SyncField::Email => &self.email,
            SyncField::Phone => &self.phone,
            SyncField::TaxNumber => &self.tax_number,
            SyncField::AccountNumber => &self.account_number,
        }
    }

    pub fn set(&mut self, field: SyncField, value: &str) {
        let slot = match field {
            SyncField::Name => &mut self.name,
            SyncField::FirstName => &mut self.first_name,
            SyncField::LastName => &mut self.last_name,
            SyncField::Email => &mut self.email,
            SyncField::Phone => &mut self.phone,
            SyncField::TaxNumber => &mut self.tax_number,
            SyncField::AccountNumber => &mut self.account_number,
        };
        *slot = value.trim().to_string();
    }

    /// Writes these details into a client form.
    pub fn write_into(&self, field: SyncField, draft: &mut ClientDraft) {
        let value = self.get(field).to_string();
        match field {
            SyncField::Name => draft.display_name = value,
            SyncField::FirstName => draft.first_name = value,
            SyncField::LastName => draft.last_name = value,
            SyncField::Email => draft.email = value,
            SyncField::Phone => draft.phone = value,
            SyncField::TaxNumber => draft.tax_number = value,
            SyncField::AccountNumber => draft.account_number = value,
        }
    }
}

/// What both sides had when they last agreed (`xero_links.synced_fields`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncBase {
    /// The client's details.
    pub here: SharedDetails,
    /// The contact's details in Xero.
    pub xero: SharedDetails,
}

/// A detail changed on both sides to different values since they last agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldConflict {
    pub field: SyncField,
    pub label: String,
    /// What both had at the last sync (Scopebook's side).
    pub was: String,
    pub here: String,
    pub xero: String,
}

/// One detail going from one side to the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldChange {
    pub field: SyncField,
    pub label: String,
    pub from: String,
    pub to: String,
}

/// What a sync does with one link's details.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPlan {
    /// Xero's changes to bring here.
    pub to_here: Vec<FieldChange>,
    /// This side's changes to send to Xero (only when pushing is on).
    pub to_xero: Vec<FieldChange>,
    pub conflicts: Vec<FieldConflict>,
    /// The base once the details brought here (and those agreed) are recorded; pushed
    /// details are recorded only once Xero took them.
    pub base: SyncBase,
}

#[cfg(test)]
impl FieldPlan {
    fn is_quiet(&self) -> bool {
        self.to_here.is_empty() && self.to_xero.is_empty() && self.conflicts.is_empty()
    }
}

/// The three-way comparison of one link. Without a base (a link made before Scopebook kept
/// one), both sides as they are now become the base and nothing moves.
pub fn plan_fields(
    base: Option<&SyncBase>,
    here: &SharedDetails,
    xero: &SharedDetails,
    push: bool,
) -> FieldPlan {
    let Some(base) = base else {
        return FieldPlan {
            base: SyncBase {
                here: here.clone(),
                xero: xero.clone(),
            },
            ..FieldPlan::default()
        };
    };
    let mut plan = FieldPlan {
        base: base.clone(),
        ..FieldPlan::default()
    };
    for &field in SyncField::ALL {
        let (was_here, was_xero) = (base.here.get(field), base.xero.get(field));
        let (now_here, now_xero) = (here.get(field), xero.get(field));
        let changed_here = !field.same(was_here, now_here);
        let changed_xero = !field.same(was_xero, now_xero);
        let change = |from: &str, to: &str| FieldChange {
            field,
            label: field.label().to_string(),
            from: from.to_string(),
            to: to.to_string(),
        };
        match (changed_here, changed_xero) {
            (false, false) => {}
            (true, false) => {
                if push {
                    plan.to_xero.push(change(now_xero, now_here));
                }
            }
            (false, true) => {
                if !field.same(now_here, now_xero) {
                    plan.to_here.push(change(now_here, now_xero));
                }
                plan.base.here.set(field, now_xero);
                plan.base.xero.set(field, now_xero);
            }
            (true, true) => {
                if field.same(now_here, now_xero) {
                    plan.base.here.set(field, now_here);
                    plan.base.xero.set(field, now_xero);
                } else {
                    plan.conflicts.push(FieldConflict {
                        field,
                        label: field.label().to_string(),
                        was: was_here.to_string(),
                        here: now_here.to_string(),
                        xero: now_xero.to_string(),
                    });
                }
            }
        }
    }
    plan
}

/// Xero's limits on a contact's details (Name 255 characters, the numbers 50, …), checked before
/// any call so a detail Xero would refuse is named here, in words, for this client alone.
pub fn xero_would_refuse(details: &SharedDetails, fields: &[SyncField]) -> Vec<String> {
    let mut problems = Vec::new();
    for &field in fields {
        let value = details.get(field);
        let limit = match field {
            SyncField::TaxNumber | SyncField::AccountNumber => 50,
            _ => 255,
        };
        if field == SyncField::Name && value.is_empty() {
            problems.push("Xero needs a name for every contact.".to_string());
        }
        if value.chars().count() > limit {
            problems.push(format!(
                "Xero takes at most {limit} characters for the {}.",
                field.label().to_lowercase()
            ));
        }
        if field == SyncField::Email {
            let mut email = crate::error::Problems::default();
            crate::practice::check_email(&mut email, "email", value);
            if !email.is_empty() {
                problems.push(format!(
                    "Xero won't take \u{201c}{value}\u{201d} as an email address."
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(name: &str, email: &str) -> SharedDetails {
        SharedDetails {
            name: name.into(),
            email: email.into(),
            ..SharedDetails::default()
        }
    }

    fn base(here: &SharedDetails, xero: &SharedDetails) -> SyncBase {
        SyncBase {
            here: here.clone(),
            xero: xero.clone(),
        }
    }

    #[test]
    fn a_link_without_a_base_starts_one_and_moves_nothing() {
        let here = details("Acme Pty Ltd", "a@acme.test");
        let xero = details("ACME PTY. LTD.", "");
        let plan = plan_fields(None, &here, &xero, true);
        assert!(plan.is_quiet());
        assert_eq!(plan.base, base(&here, &xero));
    }

    #[test]
    fn a_detail_changed_here_goes_to_xero_only_when_pushing() {
        let was = details("Acme", "a@acme.test");
        let here = details("Acme Holdings", "a@acme.test");
        let plan = plan_fields(Some(&base(&was, &was)), &here, &was, true);
        assert_eq!(plan.to_xero.len(), 1);
        assert_eq!(plan.to_xero[0].field, SyncField::Name);
        assert_eq!(plan.to_xero[0].to, "Acme Holdings");
        assert!(plan.to_here.is_empty() && plan.conflicts.is_empty());
        // The base waits for Xero to take it.
        assert_eq!(plan.base, base(&was, &was));
        let quiet = plan_fields(Some(&base(&was, &was)), &here, &was, false);
        assert!(quiet.is_quiet());
    }

    #[test]
    fn a_detail_changed_in_xero_comes_here_and_becomes_the_base() {
        let was = details("Acme", "a@acme.test");
        let xero = details("Acme", "accounts@acme.test");
        let plan = plan_fields(Some(&base(&was, &was)), &was, &xero, false);
        assert_eq!(plan.to_here.len(), 1);
        assert_eq!(plan.to_here[0].from, "a@acme.test");
        assert_eq!(plan.to_here[0].to, "accounts@acme.test");
        assert_eq!(plan.base, base(&xero, &xero));
    }

    #[test]
    fn a_detail_changed_on_both_sides_differently_is_a_conflict_and_alike_is_agreed() {
        let was = details("Acme", "a@acme.test");
        let here = details("Acme Holdings", "A@ACME.TEST ");
        let xero = details("Acme Group", "a@acme.test");
        let plan = plan_fields(Some(&base(&was, &was)), &here, &xero, true);
        // The email differs only in case and spaces: not a change at all.
        assert_eq!(plan.conflicts.len(), 1);
        let conflict = &plan.conflicts[0];
        assert_eq!(
            (
                conflict.was.as_str(),
                conflict.here.as_str(),
                conflict.xero.as_str()
            ),
            ("Acme", "Acme Holdings", "Acme Group")
        );
        assert!(plan.to_xero.is_empty() && plan.to_here.is_empty());

        let same = details("Acme Group", "a@acme.test");
        let agreed = plan_fields(Some(&base(&was, &was)), &same, &same, true);
        assert!(agreed.is_quiet());
        assert_eq!(agreed.base, base(&same, &same));
    }

    #[test]
    fn a_phone_is_its_digits() {
        assert!(SyncField::Phone.same("02 9999 0000", "(02) 9999-0000"));
        assert!(!SyncField::Phone.same("02 9999 0000", "02 9999 0001"));
        assert!(!SyncField::Phone.same("", "-"));
    }

    #[test]
    fn what_xero_would_refuse_is_named_before_any_call() {
        let mut d = details("", "not an email");
        d.tax_number = "1".repeat(51);
        let problems = xero_would_refuse(&d, SyncField::ALL);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("needs a name"));
        assert!(problems.iter().any(|p| p.contains("email address")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("50 characters for the tax number"))
        );
        assert!(xero_would_refuse(&details("Acme", "a@acme.test"), SyncField::ALL).is_empty());
    }
}
