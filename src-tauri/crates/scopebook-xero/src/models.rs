//! The parts of Xero's accounting and identity models Scopebook uses, named as in Xero's
//! OpenAPI spec. Unknown fields in replies are ignored; absent ones default, so a reply with
//! less than we expect still reads.
//!
//! Writes send only what they mean: a field left `None` or empty is not sent (so a partial
//! update keeps what Xero has), and read-only fields (`IsCustomer`, totals, dates Xero sets)
//! are never sent.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An organisation this app's grant can reach (`GET /connections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Connection {
    pub id: String,
    #[serde(default)]
    pub auth_event_id: Option<String>,
    pub tenant_id: String,
    #[serde(default)]
    pub tenant_type: String,
    #[serde(default)]
    pub tenant_name: Option<String>,
    #[serde(default)]
    pub created_date_utc: Option<String>,
    #[serde(default)]
    pub updated_date_utc: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Organisation {
    #[serde(rename = "OrganisationID", default)]
    pub organisation_id: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "LegalName", default)]
    pub legal_name: Option<String>,
    #[serde(rename = "BaseCurrency", default)]
    pub base_currency: Option<String>,
    #[serde(rename = "CountryCode", default)]
    pub country_code: Option<String>,
    #[serde(rename = "ShortCode", default)]
    pub short_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Account {
    #[serde(rename = "AccountID", default)]
    pub account_id: String,
    #[serde(rename = "Code", default)]
    pub code: Option<String>,
    #[serde(rename = "Name", default)]
    pub name: String,
    /// REVENUE, SALES, OTHERINCOME, EXPENSE, BANK, …
    #[serde(rename = "Type", default)]
    pub account_type: Option<String>,
    /// ACTIVE or ARCHIVED.
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
    #[serde(rename = "TaxType", default)]
    pub tax_type: Option<String>,
    /// ASSET, EQUITY, EXPENSE, LIABILITY, REVENUE.
    #[serde(rename = "Class", default)]
    pub class: Option<String>,
}

impl Account {
    /// Income accounts an invoice line can post to.
    pub fn is_revenue(&self) -> bool {
        self.class.as_deref() == Some("REVENUE")
            || matches!(
                self.account_type.as_deref(),
                Some("REVENUE" | "SALES" | "OTHERINCOME")
            )
    }

    pub fn is_active(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s == "ACTIVE")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TaxRate {
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "TaxType", default)]
    pub tax_type: String,
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
    /// A percentage (10 for 10 %).
    #[serde(rename = "EffectiveRate", default, with = "crate::number")]
    #[ts(type = "number | null")]
    pub effective_rate: Option<Decimal>,
    #[serde(rename = "CanApplyToRevenue", default)]
    pub can_apply_to_revenue: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BrandingTheme {
    #[serde(rename = "BrandingThemeID", default)]
    pub branding_theme_id: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "SortOrder", default)]
    pub sort_order: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrackingOption {
    #[serde(rename = "TrackingOptionID", default)]
    pub tracking_option_id: Option<String>,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrackingCategory {
    #[serde(rename = "TrackingCategoryID", default)]
    pub tracking_category_id: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
    #[serde(rename = "Options", default)]
    pub options: Vec<TrackingOption>,
}

/// A message Xero attached to an element it refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ValidationError {
    #[serde(rename = "Message", default)]
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(
        rename = "AddressType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub address_type: Option<String>,
    #[serde(
        rename = "AddressLine1",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub address_line1: Option<String>,
    #[serde(
        rename = "AddressLine2",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub address_line2: Option<String>,
    #[serde(rename = "City", default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(rename = "Region", default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(
        rename = "PostalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub postal_code: Option<String>,
    #[serde(rename = "Country", default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    #[serde(rename = "PhoneType", default, skip_serializing_if = "Option::is_none")]
    pub phone_type: Option<String>,
    #[serde(
        rename = "PhoneNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
    #[serde(
        rename = "PhoneAreaCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_area_code: Option<String>,
    #[serde(
        rename = "PhoneCountryCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_country_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    #[serde(rename = "ContactID", default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Scopebook writes its own client id here, so a contact can always be matched back.
    #[serde(
        rename = "ContactNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub contact_number: Option<String>,
    #[serde(
        rename = "AccountNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub account_number: Option<String>,
    /// ACTIVE, ARCHIVED or GDPRREQUEST.
    #[serde(
        rename = "ContactStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub contact_status: Option<String>,
    /// Empty: not sent (a partial update keeps the name Xero has).
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(rename = "FirstName", default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "LastName", default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(
        rename = "EmailAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub email_address: Option<String>,
    #[serde(rename = "TaxNumber", default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    #[serde(rename = "Addresses", default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    #[serde(rename = "Phones", default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
    /// Read-only in Xero (it becomes true once the contact has a sales invoice): never sent.
    #[serde(rename = "IsCustomer", default, skip_serializing)]
    pub is_customer: Option<bool>,
    /// Read-only in Xero (true once the contact has a bill): never sent.
    #[serde(rename = "IsSupplier", default, skip_serializing)]
    pub is_supplier: Option<bool>,
    /// Set by Xero when a bookkeeper merged this contact into another: follow it.
    #[serde(rename = "MergedToContactID", default, skip_serializing)]
    pub merged_to_contact_id: Option<String>,
    #[serde(
        rename = "UpdatedDateUTC",
        default,
        with = "crate::date::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_date_utc: Option<DateTime<Utc>>,
    #[serde(rename = "HasValidationErrors", default, skip_serializing)]
    pub has_validation_errors: Option<bool>,
    #[serde(rename = "ValidationErrors", default, skip_serializing)]
    pub validation_errors: Vec<ValidationError>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItemTracking {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Option")]
    pub option: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    #[serde(
        rename = "LineItemID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub line_item_id: Option<String>,
    #[serde(
        rename = "Description",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    #[serde(
        rename = "Quantity",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::number"
    )]
    pub quantity: Option<Decimal>,
    #[serde(
        rename = "UnitAmount",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::number"
    )]
    pub unit_amount: Option<Decimal>,
    #[serde(
        rename = "AccountCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub account_code: Option<String>,
    #[serde(rename = "TaxType", default, skip_serializing_if = "Option::is_none")]
    pub tax_type: Option<String>,
    #[serde(
        rename = "TaxAmount",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::number"
    )]
    pub tax_amount: Option<Decimal>,
    #[serde(
        rename = "LineAmount",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::number"
    )]
    pub line_amount: Option<Decimal>,
    #[serde(
        rename = "DiscountRate",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::number"
    )]
    pub discount_rate: Option<Decimal>,
    #[serde(rename = "Tracking", default, skip_serializing_if = "Vec::is_empty")]
    pub tracking: Vec<LineItemTracking>,
}

/// Just enough of a contact to point an invoice at it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRef {
    #[serde(rename = "ContactID", default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(rename = "Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ContactRef {
    pub fn is_empty(&self) -> bool {
        self.contact_id.is_none() && self.name.is_none()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    #[serde(rename = "InvoiceID", default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// ACCREC for a sales invoice. Empty: not sent.
    #[serde(rename = "Type", default, skip_serializing_if = "String::is_empty")]
    pub invoice_type: String,
    /// Not sent when neither id nor name is set (a partial update keeps the contact).
    #[serde(
        rename = "Contact",
        default,
        skip_serializing_if = "ContactRef::is_empty"
    )]
    pub contact: ContactRef,
    /// Empty: not sent (a partial update keeps the lines Xero has).
    #[serde(rename = "LineItems", default, skip_serializing_if = "Vec::is_empty")]
    pub line_items: Vec<LineItem>,
    #[serde(
        rename = "Date",
        default,
        with = "crate::date::optional_day",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<NaiveDate>,
    #[serde(
        rename = "DueDate",
        default,
        with = "crate::date::optional_day",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_date: Option<NaiveDate>,
    /// Exclusive, Inclusive or NoTax.
    #[serde(
        rename = "LineAmountTypes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub line_amount_types: Option<String>,
    #[serde(
        rename = "InvoiceNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub invoice_number: Option<String>,
    #[serde(rename = "Reference", default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(
        rename = "BrandingThemeID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub branding_theme_id: Option<String>,
    #[serde(
        rename = "CurrencyCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub currency_code: Option<String>,
    /// DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED, DELETED.
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(rename = "SubTotal", default, skip_serializing, with = "crate::number")]
    pub sub_total: Option<Decimal>,
    #[serde(rename = "TotalTax", default, skip_serializing, with = "crate::number")]
    pub total_tax: Option<Decimal>,
    #[serde(rename = "Total", default, skip_serializing, with = "crate::number")]
    pub total: Option<Decimal>,
    #[serde(
        rename = "AmountDue",
        default,
        skip_serializing,
        with = "crate::number"
    )]
    pub amount_due: Option<Decimal>,
    #[serde(
        rename = "AmountPaid",
        default,
        skip_serializing,
        with = "crate::number"
    )]
    pub amount_paid: Option<Decimal>,
    #[serde(
        rename = "UpdatedDateUTC",
        default,
        with = "crate::date::optional",
        skip_serializing
    )]
    pub updated_date_utc: Option<DateTime<Utc>>,
    /// The payments on the invoice (read only; left out of summary replies).
    #[serde(rename = "Payments", default, skip_serializing)]
    pub payments: Option<Vec<InvoicePayment>>,
    /// The day the last payment settled it (read only).
    #[serde(
        rename = "FullyPaidOnDate",
        default,
        with = "crate::date::optional_day",
        skip_serializing
    )]
    pub fully_paid_on_date: Option<NaiveDate>,
    #[serde(rename = "HasErrors", default, skip_serializing)]
    pub has_errors: Option<bool>,
    #[serde(rename = "ValidationErrors", default, skip_serializing)]
    pub validation_errors: Vec<ValidationError>,
}

/// A payment as an invoice lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoicePayment {
    #[serde(rename = "PaymentID", default)]
    pub payment_id: Option<String>,
    #[serde(rename = "Date", default, with = "crate::date::optional_day")]
    pub date: Option<NaiveDate>,
    #[serde(rename = "Amount", default, with = "crate::number")]
    pub amount: Option<Decimal>,
}

/// `"pagination"` on paged replies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    #[serde(default)]
    pub page: u32,
    #[serde(default)]
    pub page_size: u32,
    #[serde(default)]
    pub page_count: u32,
    #[serde(default)]
    pub item_count: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_contact_update_sends_only_what_is_set() {
        let update = Contact {
            contact_id: Some("c-1".into()),
            email_address: Some("accounts@example.com".into()),
            is_customer: Some(true),
            ..Contact::default()
        };
        let json = serde_json::to_value(&update).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "ContactID": "c-1", "EmailAddress": "accounts@example.com" })
        );
    }

    #[test]
    fn is_customer_is_read_but_never_written() {
        let read: Contact = serde_json::from_str(r#"{"Name":"Acme","IsCustomer":true}"#).unwrap();
        assert_eq!(read.is_customer, Some(true));
        let written = serde_json::to_value(&read).unwrap();
        assert!(written.get("IsCustomer").is_none(), "{written}");
        assert_eq!(written["Name"], "Acme");
    }

    #[test]
    fn a_partial_invoice_update_sends_no_empty_lines_type_or_contact() {
        let update = Invoice {
            invoice_id: Some("i-1".into()),
            status: Some("AUTHORISED".into()),
            ..Invoice::default()
        };
        let json = serde_json::to_value(&update).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "InvoiceID": "i-1", "Status": "AUTHORISED" })
        );
    }

    mod properties {
        //! Any invoice Scopebook writes reads back as itself; any JSON at all, read as Xero's
        //! shapes, is a value or an error — never a panic. proptest prints the failing input
        //! (shrunk) and keeps its seed in proptest-regressions/.

        use proptest::prelude::*;

        use super::*;

        fn text() -> impl Strategy<Value = String> {
            "[ -~\u{a0}-\u{17f}\u{2013}\u{20ac}]{0,24}"
        }

        fn money() -> impl Strategy<Value = Decimal> {
            (-10_000_000_000i64..10_000_000_000i64, 0u32..=4).prop_map(|(n, s)| Decimal::new(n, s))
        }

        fn day() -> impl Strategy<Value = NaiveDate> {
            (1990i32..2100, 1u32..=12, 1u32..=28)
                .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default())
        }

        fn line() -> impl Strategy<Value = LineItem> {
            (
                proptest::option::of(text()),
                proptest::option::of(money()),
                proptest::option::of(money()),
                proptest::option::of("[0-9]{3}"),
                proptest::option::of(money()),
                proptest::collection::vec((text(), text()), 0..2),
            )
                .prop_map(
                    |(
                        description,
                        quantity,
                        unit_amount,
                        account_code,
                        discount_rate,
                        tracking,
                    )| LineItem {
                        description,
                        quantity,
                        unit_amount,
                        account_code,
                        discount_rate,
                        tracking: tracking
                            .into_iter()
                            .map(|(name, option)| LineItemTracking { name, option })
                            .collect(),
                        ..LineItem::default()
                    },
                )
        }

        /// An invoice as Scopebook sends it: only the fields a write carries.
        fn invoice() -> impl Strategy<Value = Invoice> {
            (
                proptest::option::of("[0-9a-f-]{36}"),
                proptest::collection::vec(line(), 0..4),
                proptest::option::of(day()),
                proptest::option::of(day()),
                proptest::option::of(text()),
                proptest::option::of(prop_oneof![Just("DRAFT"), Just("AUTHORISED")]),
            )
                .prop_map(
                    |(contact_id, line_items, date, due_date, reference, status)| Invoice {
                        invoice_type: "ACCREC".into(),
                        contact: ContactRef {
                            contact_id,
                            name: None,
                        },
                        line_items,
                        date,
                        due_date,
                        reference,
                        line_amount_types: Some("Exclusive".into()),
                        status: status.map(str::to_string),
                        ..Invoice::default()
                    },
                )
        }

        /// Any JSON value, a few levels deep, with Xero's field names among the keys.
        fn json() -> impl Strategy<Value = serde_json::Value> {
            let leaf = prop_oneof![
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(serde_json::Value::Bool),
                any::<i64>().prop_map(|n| serde_json::json!(n)),
                any::<f64>().prop_map(|x| serde_json::json!(x)),
                text().prop_map(serde_json::Value::String),
                Just(serde_json::json!("/Date(1764547200000+0000)/")),
            ];
            let key = prop_oneof![
                Just("InvoiceID".to_string()),
                Just("Contact".to_string()),
                Just("ContactID".to_string()),
                Just("LineItems".to_string()),
                Just("Quantity".to_string()),
                Just("UnitAmount".to_string()),
                Just("Date".to_string()),
                Just("DueDate".to_string()),
                Just("Total".to_string()),
                Just("AmountDue".to_string()),
                Just("Status".to_string()),
                Just("Addresses".to_string()),
                Just("Phones".to_string()),
                Just("UpdatedDateUTC".to_string()),
                text(),
            ];
            leaf.prop_recursive(4, 48, 6, move |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..4)
                        .prop_map(serde_json::Value::Array),
                    proptest::collection::btree_map(key.clone(), inner, 0..6)
                        .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn an_invoice_as_written_reads_back_as_itself(invoice in invoice()) {
                let sent = serde_json::to_string(&invoice).unwrap_or_default();
                let read: Invoice = serde_json::from_str(&sent)
                    .map_err(|e| TestCaseError::fail(format!("{e}: {sent}")))?;
                prop_assert_eq!(read, invoice, "{}", sent);
            }

            #[test]
            fn any_json_reads_as_xero_shapes_or_is_refused_without_a_panic(value in json()) {
                let text = value.to_string();
                let _ = serde_json::from_str::<Invoice>(&text);
                let _ = serde_json::from_str::<Contact>(&text);
                let _ = serde_json::from_str::<Vec<Invoice>>(&text);
                let _ = serde_json::from_str::<Organisation>(&text);
                let _ = serde_json::from_str::<Pagination>(&text);
            }

            #[test]
            fn any_bytes_read_as_an_invoice_are_refused_without_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
                let _ = serde_json::from_slice::<Invoice>(&bytes);
                let _ = serde_json::from_slice::<Contact>(&bytes);
            }
        }
    }
}
