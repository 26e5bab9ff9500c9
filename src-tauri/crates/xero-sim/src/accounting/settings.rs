//! Read-only organisation settings: Organisation, Accounts, TaxRates, BrandingThemes,
//! TrackingCategories. Invoices validate against these.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use super::contacts::{Address, Phone};
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
    pub fn to_json(&self) -> Value {
        json!({
            "TrackingCategoryID": self.tracking_category_id,
            "Name": self.name,
            "Status": self.status,
            "Options": self.options.iter().map(|option| json!({
                "TrackingOptionID": option.tracking_option_id,
                "Name": option.name,
                "Status": option.status,
            })).collect::<Vec<_>>(),
        })
    }
}

pub async fn organisation(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
) -> Response {
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    ok_json(envelope("Organisations", vec![org.organisation.to_json()]))
}

pub async fn accounts(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
) -> Response {
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    ok_json(envelope(
        "Accounts",
        org.accounts.iter().map(Account::to_json).collect(),
    ))
}

pub async fn tax_rates(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
) -> Response {
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    ok_json(envelope(
        "TaxRates",
        org.tax_rates.iter().map(TaxRate::to_json).collect(),
    ))
}

pub async fn branding_themes(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
) -> Response {
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

pub async fn tracking_categories(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
) -> Response {
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    ok_json(envelope(
        "TrackingCategories",
        org.tracking_categories
            .iter()
            .map(TrackingCategory::to_json)
            .collect(),
    ))
}
