//! Read-only organisation settings: Organisation, Accounts, TaxRates, BrandingThemes,
//! TrackingCategories. Invoices validate against these.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use super::contacts::{Address, Phone};
use super::query::{Params, SortKey, parse_where, sort_by_order};
use super::{Tenant, drop_nulls, envelope, ok_json, unknown_tenant};
use crate::state::Sim;
use crate::wire::{money_json, ms_date};

#[derive(Clone, Debug)]
pub struct Organisation {
    pub organisation_id: Uuid,
    pub name: String,
    pub legal_name: String,
    /// `AU` or `NZ` — also picks the tax system.
    pub version: String,
    pub base_currency: String,
    pub country_code: String,
    pub is_demo_company: bool,
    pub registration_number: String,
    pub tax_number: String,
    pub sales_tax_basis: String,
    pub sales_tax_period: String,
    pub timezone: String,
    pub short_code: String,
    pub line_of_business: String,
    pub created: DateTime<Utc>,
    pub address: Address,
    pub phone: Phone,
    /// Sales invoices fall due this many days after their date unless a DueDate is sent.
    pub sales_due_days: i64,
    /// Bills fall due this many days after their date unless a DueDate is sent.
    pub bills_due_days: i64,
}

impl Organisation {
    pub fn to_json(&self) -> Value {
        drop_nulls(json!({
            "OrganisationID": self.organisation_id,
            "APIKey": "",
            "Name": self.name,
            "LegalName": self.legal_name,
            "PaysTax": true,
            "Version": self.version,
            "OrganisationType": "COMPANY",
            "BaseCurrency": self.base_currency,
            "CountryCode": self.country_code,
            "IsDemoCompany": self.is_demo_company,
            "OrganisationStatus": "ACTIVE",
            "RegistrationNumber": self.registration_number,
            "TaxNumber": self.tax_number,
            "FinancialYearEndDay": if self.version == "NZ" { 31 } else { 30 },
            "FinancialYearEndMonth": if self.version == "NZ" { 3 } else { 6 },
            "SalesTaxBasis": self.sales_tax_basis,
            "SalesTaxPeriod": self.sales_tax_period,
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Inclusive",
            "CreatedDateUTC": ms_date(self.created),
            "Timezone": self.timezone,
            "OrganisationEntityType": "COMPANY",
            "ShortCode": self.short_code,
            "Class": "PREMIUM",
            "Edition": "BUSINESS",
            "LineOfBusiness": self.line_of_business,
            "Addresses": [self.address.to_json()],
            "Phones": [self.phone.to_json()],
            "ExternalLinks": [],
            "PaymentTerms": {
                "Bills": { "Day": self.bills_due_days, "Type": "DAYSAFTERBILLDATE" },
                "Sales": { "Day": self.sales_due_days, "Type": "DAYSAFTERBILLDATE" },
            },
        }))
    }
}

#[derive(Clone, Debug)]
pub struct Account {
    pub account_id: Uuid,
    pub code: String,
    pub name: String,
    /// Xero's account type, e.g. `REVENUE`, `BANK`, `EXPENSE`.
    pub account_type: String,
    /// `ACTIVE` or `ARCHIVED`; only active accounts may be used on invoices.
    pub status: String,
    pub class: String,
    pub tax_type: String,
    pub system_account: Option<String>,
    pub bank_account_number: Option<String>,
    pub updated: DateTime<Utc>,
}

impl Account {
    pub fn to_json(&self) -> Value {
        let is_bank = self.account_type == "BANK";
        drop_nulls(json!({
            "AccountID": self.account_id,
            "Code": self.code,
            "Name": self.name,
            "Status": self.status,
            "Type": self.account_type,
            "TaxType": self.tax_type,
            "Class": self.class,
            "SystemAccount": self.system_account,
            "BankAccountNumber": self.bank_account_number,
            "BankAccountType": if is_bank { Some("BANK") } else { None },
            "EnablePaymentsToAccount": is_bank,
            "ShowInExpenseClaims": self.class == "EXPENSE",
            "ReportingCode": reporting_code(&self.class),
            "ReportingCodeName": reporting_name(&self.class),
            "HasAttachments": false,
            "AddToWatchlist": false,
            "UpdatedDateUTC": ms_date(self.updated),
        }))
    }
}

fn reporting_code(class: &str) -> &'static str {
    match class {
        "ASSET" => "ASS",
        "EQUITY" => "EQU",
        "EXPENSE" => "EXP",
        "LIABILITY" => "LIA",
        _ => "REV",
    }
}

fn reporting_name(class: &str) -> &'static str {
    match class {
        "ASSET" => "Assets",
        "EQUITY" => "Equity",
        "EXPENSE" => "Expenses",
        "LIABILITY" => "Liabilities",
        _ => "Revenue",
    }
}

#[derive(Clone, Debug)]
pub struct TaxRate {
    pub name: String,
    pub tax_type: String,
    pub report_tax_type: String,
    /// Percent, e.g. 10 for GST on Income.
    pub rate: Decimal,
    pub status: String,
}

impl TaxRate {
    pub fn to_json(&self) -> Value {
        json!({
            "Name": self.name,
            "TaxType": self.tax_type,
            "ReportTaxType": self.report_tax_type,
            "Status": self.status,
            "CanApplyToAssets": true,
            "CanApplyToEquity": true,
            "CanApplyToExpenses": true,
            "CanApplyToLiabilities": true,
            "CanApplyToRevenue": true,
            "DisplayTaxRate": money_json(self.rate),
            "EffectiveRate": money_json(self.rate),
            "TaxComponents": [{
                "Name": "GST",
                "Rate": money_json(self.rate),
                "IsCompound": false,
                "IsNonRecoverable": false,
            }],
        })
    }
}

#[derive(Clone, Debug)]
pub struct BrandingTheme {
    pub branding_theme_id: Uuid,
    pub name: String,
    pub sort_order: i64,
    pub created: DateTime<Utc>,
}

impl BrandingTheme {
    pub fn to_json(&self) -> Value {
        json!({
            "BrandingThemeID": self.branding_theme_id,
            "Name": self.name,
            "Type": "INVOICE",
            "SortOrder": self.sort_order,
            "CreatedDateUTC": ms_date(self.created),
        })
    }
}

#[derive(Clone, Debug)]
pub struct TrackingCategory {
    pub tracking_category_id: Uuid,
    pub name: String,
    pub status: String,
    pub options: Vec<TrackingOption>,
}

#[derive(Clone, Debug)]
pub struct TrackingOption {
    pub tracking_option_id: Uuid,
    pub name: String,
    pub status: String,
}

impl TrackingCategory {
    /// `archived`: include archived options too.
    pub fn to_json(&self, archived: bool) -> Value {
        json!({
            "TrackingCategoryID": self.tracking_category_id,
            "Name": self.name,
            "Status": self.status,
            "Options": self.options.iter().filter(|o| archived || o.status == "ACTIVE").map(|option| json!({
                "TrackingOptionID": option.tracking_option_id,
                "Name": option.name,
                "Status": option.status,
            })).collect::<Vec<_>>(),
        })
    }
}

/// A settings list: the rendered records filtered by `where` and sorted by `order` on their
/// top-level fields, after the endpoint's parameters were checked.
fn settings_list(
    raw: HashMap<String, String>,
    known: &[&str],
    fields: &[&str],
    collection: &str,
    items: impl FnOnce(&Params) -> Vec<Value>,
) -> Response {
    let params = match Params::only(raw, known) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    let conditions = match params
        .get("where")
        .map(|text| parse_where(text, fields))
        .transpose()
    {
        Ok(conditions) => conditions.unwrap_or_default(),
        Err(reply) => return reply,
    };
    let order = match params.order(fields) {
        Ok(order) => order,
        Err(reply) => return reply,
    };
    let text = |item: &Value, field: &str| match &item[field] {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let mut found: Vec<Value> = items(&params)
        .into_iter()
        .filter(|item| {
            conditions
                .iter()
                .all(|cond| text(item, &cond.field).is_some_and(|v| v == cond.value))
        })
        .collect();
    sort_by_order(&mut found, &order, |item, field| match &item[field] {
        Value::Number(number) => number
            .to_string()
            .parse()
            .map_or(SortKey::Missing, SortKey::Number),
        other => SortKey::text(other.as_str()),
    });
    ok_json(envelope(collection, found))
}

pub async fn organisation(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    if let Err(reply) = Params::only(raw, &[]) {
        return reply;
    }
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    ok_json(envelope("Organisations", vec![org.organisation.to_json()]))
}

pub async fn accounts(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    settings_list(
        raw,
        &["where", "order"],
        &[
            "Code",
            "Name",
            "Type",
            "Status",
            "Class",
            "TaxType",
            "AccountID",
        ],
        "Accounts",
        |_| org.accounts.iter().map(Account::to_json).collect(),
    )
}

pub async fn tax_rates(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    settings_list(
        raw,
        &["where", "order"],
        &["TaxType", "Name", "Status", "ReportTaxType"],
        "TaxRates",
        |_| org.tax_rates.iter().map(TaxRate::to_json).collect(),
    )
}

pub async fn branding_themes(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    if let Err(reply) = Params::only(raw, &[]) {
        return reply;
    }
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    ok_json(envelope(
        "BrandingThemes",
        org.branding_themes
            .iter()
            .map(BrandingTheme::to_json)
            .collect(),
    ))
}

/// Archived categories and options are left out unless `includeArchived=true`, as in Xero.
pub async fn tracking_categories(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    settings_list(
        raw,
        &["where", "order", "includeArchived"],
        &["Name", "Status", "TrackingCategoryID"],
        "TrackingCategories",
        |params| {
            let archived = params.flag("includeArchived");
            org.tracking_categories
                .iter()
                .filter(|c| archived || c.status == "ACTIVE")
                .map(|c| c.to_json(archived))
                .collect()
        },
    )
}
