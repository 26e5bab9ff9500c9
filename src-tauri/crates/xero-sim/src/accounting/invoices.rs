//! Invoices: list with Xero's filters (including `where Reference=="…"`, which the posting
//! engine uses to reconcile uncertain sends), read one, create (PUT), create-or-update drafts
//! (POST), with Xero's validation and arithmetic: per line, rounded half away from zero.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::contacts::Contact;
use super::query::{Params, modified_since, parse_where};
use super::query::{SortKey, sort_by_order};
use super::{Caller, Mode};
use super::{
    Tenant, drop_nulls, envelope, not_found, ok_json, unknown_tenant, validation_exception,
    with_errors, with_ok, write_elements,
};
use crate::clock::local_day;
use crate::state::{Org, Sim};
use crate::wire::{day_string, money_json, ms_date, ms_day, parse_day, round, ser_opt_money};

#[derive(Clone, Debug)]
pub struct Invoice {
    pub invoice_id: Uuid,
    /// `ACCREC` (sales invoice) or `ACCPAY` (bill).
    pub invoice_type: String,
    /// Empty for a bill without a number.
    pub invoice_number: String,
    pub reference: Option<String>,
    pub contact_id: Uuid,
    pub date: NaiveDate,
    pub due_date: NaiveDate,
    pub status: String,
    pub line_amount_types: String,
    pub line_items: Vec<LineItem>,
    pub sub_total: Decimal,
    pub total_tax: Decimal,
    pub total: Decimal,
    pub total_discount: Decimal,
    pub amount_paid: Decimal,
    pub currency_code: String,
    pub branding_theme_id: Option<Uuid>,
    pub url: Option<String>,
    pub sent_to_contact: bool,
    /// How many times Xero emailed it to the contact (`POST /Invoices/{id}/Email`).
    pub emailed: u32,
    pub payments: Vec<Payment>,
    /// Credit notes a bookkeeper allocated to this invoice in Xero.
    pub credit_notes: Vec<CreditAllocation>,
    pub fully_paid_on: Option<NaiveDate>,
    /// The client id of the app that created it through the API (`createdByMyApp`).
    pub created_by: Option<String>,
    pub updated: DateTime<Utc>,
}

/// A credit note (of the same contact) allocated to an invoice.
#[derive(Clone, Debug)]
pub struct CreditAllocation {
    pub credit_note_id: Uuid,
    pub credit_note_number: String,
    pub date: NaiveDate,
    pub amount: Decimal,
}

/// How an invoice is shown: `unitdp`, and whether line items and payments are included
/// (Xero leaves line items out of unpaged lists, and heavy parts out of `summaryOnly`).
#[derive(Clone, Copy, Debug)]
pub struct View {
    pub unit_places: u32,
    pub line_items: bool,
    pub summary: bool,
}

impl View {
    /// One invoice in full, unit amounts at `unit_places` (2 unless `unitdp=4`).
    pub fn full(unit_places: u32) -> Self {
        Self {
            unit_places,
            line_items: true,
            summary: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct LineItem {
    pub line_item_id: Uuid,
    pub description: Option<String>,
    pub quantity: Decimal,
    pub unit_amount: Decimal,
    pub item_code: Option<String>,
    pub account_code: Option<String>,
    pub account_id: Option<Uuid>,
    pub tax_type: Option<String>,
    pub tax_amount: Decimal,
    pub line_amount: Decimal,
    pub discount_rate: Option<Decimal>,
    pub tracking: Vec<LineTracking>,
}

#[derive(Clone, Debug)]
pub struct LineTracking {
    pub category_id: Uuid,
    pub option_id: Uuid,
    pub name: String,
    pub option: String,
}

#[derive(Clone, Debug)]
pub struct Payment {
    pub payment_id: Uuid,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub updated: DateTime<Utc>,
}

impl Invoice {
    pub fn amount_due(&self) -> Decimal {
        self.total - self.amount_paid - self.amount_credited()
    }

    pub fn amount_credited(&self) -> Decimal {
        self.credit_notes.iter().map(|c| c.amount).sum()
    }

    pub fn to_json(&self, org: &Org, view: View) -> Value {
        let contact = org
            .contacts
            .iter()
            .find(|c| c.contact_id == self.contact_id)
            .map(|c| c.to_invoice_json())
            .unwrap_or_else(|| json!({"ContactID": self.contact_id}));
        drop_nulls(json!({
            "Type": self.invoice_type,
            "InvoiceID": self.invoice_id,
            "InvoiceNumber": self.invoice_number,
            "Reference": self.reference,
            "Contact": contact,
            "Date": ms_day(self.date),
            "DateString": day_string(self.date),
            "DueDate": ms_day(self.due_date),
            "DueDateString": day_string(self.due_date),
            "Status": self.status,
            "LineAmountTypes": self.line_amount_types,
            "LineItems": (view.line_items && !view.summary).then(|| {
                self.line_items.iter().map(|l| l.to_json(view.unit_places)).collect::<Vec<_>>()
            }),
            "SubTotal": money_json(self.sub_total),
            "TotalTax": money_json(self.total_tax),
            "Total": money_json(self.total),
            "TotalDiscount": (!self.total_discount.is_zero()).then(|| money_json(self.total_discount)),
            "AmountDue": money_json(self.amount_due()),
            "AmountPaid": money_json(self.amount_paid),
            "AmountCredited": money_json(self.amount_credited()),
            "CurrencyCode": self.currency_code,
            "CurrencyRate": 1,
            "BrandingThemeID": self.branding_theme_id,
            "Url": self.url,
            "SentToContact": self.sent_to_contact,
            "IsDiscounted": !self.total_discount.is_zero(),
            "HasAttachments": false,
            "HasErrors": false,
            "Payments": (!view.summary).then(|| self.payments.iter().map(|p| json!({
                "PaymentID": p.payment_id,
                "Date": ms_day(p.date),
                "Amount": money_json(p.amount),
                "CurrencyRate": 1,
                "HasAccount": false,
                "HasValidationErrors": false,
                "UpdatedDateUTC": ms_date(p.updated),
            })).collect::<Vec<_>>()),
            "CreditNotes": (!view.summary).then(|| self.credit_notes.iter().map(|c| json!({
                "CreditNoteID": c.credit_note_id,
                "CreditNoteNumber": c.credit_note_number,
                "Date": ms_day(c.date),
                "AppliedAmount": money_json(c.amount),
                "Total": money_json(c.amount),
            })).collect::<Vec<_>>()),
            "FullyPaidOnDate": self.fully_paid_on.map(ms_day),
            "UpdatedDateUTC": ms_date(self.updated),
        }))
    }
}

impl LineItem {
    /// Without `unitdp=4` Xero shows unit amounts rounded to 2 places.
    fn to_json(&self, unit_places: u32) -> Value {
        drop_nulls(json!({
            "LineItemID": self.line_item_id,
            "Description": self.description,
            "Quantity": money_json(self.quantity),
            "UnitAmount": money_json(round(self.unit_amount, unit_places)),
            "ItemCode": self.item_code,
            "AccountCode": self.account_code,
            "AccountID": self.account_id,
            "TaxType": self.tax_type,
            "TaxAmount": money_json(self.tax_amount),
            "LineAmount": money_json(self.line_amount),
            "DiscountRate": self.discount_rate.map(money_json),
            "Tracking": self.tracking.iter().map(|t| json!({
                "TrackingCategoryID": t.category_id,
                "TrackingOptionID": t.option_id,
                "Name": t.name,
                "Option": t.option,
            })).collect::<Vec<_>>(),
        }))
    }

    /// The line as a client would send it, so an update that omits LineItems recomputes the
    /// existing lines under the new settings.
    fn to_input(&self) -> LineItemInput {
        LineItemInput {
            line_item_id: Some(self.line_item_id.to_string()),
            description: self.description.clone(),
            quantity: Some(self.quantity),
            unit_amount: Some(self.unit_amount),
            item_code: self.item_code.clone(),
            account_code: self.account_code.clone(),
            tax_type: self.tax_type.clone(),
            tax_amount: None,
            line_amount: None,
            discount_rate: self.discount_rate,
            tracking: Some(
                self.tracking
                    .iter()
                    .map(|t| TrackingInput {
                        tracking_category_id: Some(t.category_id.to_string()),
                        tracking_option_id: Some(t.option_id.to_string()),
                        name: Some(t.name.clone()),
                        option: Some(t.option.clone()),
                    })
                    .collect(),
            ),
        }
    }
}

/// An invoice as a client sends it; all optional so each problem becomes a message.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InvoiceInput {
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    invoice_type: Option<String>,
    #[serde(rename = "InvoiceID", skip_serializing_if = "Option::is_none")]
    invoice_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<ContactRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line_items: Option<Vec<LineItemInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line_amount_types: Option<String>,
    #[serde(rename = "BrandingThemeID", skip_serializing_if = "Option::is_none")]
    branding_theme_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_to_contact: Option<bool>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContactRef {
    #[serde(rename = "ContactID", skip_serializing_if = "Option::is_none")]
    contact_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LineItemInput {
    #[serde(rename = "LineItemID", skip_serializing_if = "Option::is_none")]
    line_item_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(
        serialize_with = "ser_opt_money",
        skip_serializing_if = "Option::is_none"
    )]
    quantity: Option<Decimal>,
    #[serde(
        serialize_with = "ser_opt_money",
        skip_serializing_if = "Option::is_none"
    )]
    unit_amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_type: Option<String>,
    #[serde(
        serialize_with = "ser_opt_money",
        skip_serializing_if = "Option::is_none"
    )]
    tax_amount: Option<Decimal>,
    #[serde(
        serialize_with = "ser_opt_money",
        skip_serializing_if = "Option::is_none"
    )]
    line_amount: Option<Decimal>,
    #[serde(
        serialize_with = "ser_opt_money",
        skip_serializing_if = "Option::is_none"
    )]
    discount_rate: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tracking: Option<Vec<TrackingInput>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrackingInput {
    #[serde(rename = "TrackingCategoryID", skip_serializing_if = "Option::is_none")]
    tracking_category_id: Option<String>,
    #[serde(rename = "TrackingOptionID", skip_serializing_if = "Option::is_none")]
    tracking_option_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    option: Option<String>,
}

const FILTERABLE: &[&str] = &[
    "Reference",
    "InvoiceNumber",
    "InvoiceID",
    "Status",
    "Type",
    "Contact.ContactID",
    "Contact.Name",
];

/// The query parameters of `GET /Invoices` in Xero's spec.
const LIST_PARAMS: &[&str] = &[
    "where",
    "order",
    "IDs",
    "InvoiceNumbers",
    "ContactIDs",
    "Statuses",
    "page",
    "pageSize",
    "includeArchived",
    "createdByMyApp",
    "unitdp",
    "summaryOnly",
    "searchTerm",
];

const ORDERABLE: &[&str] = &[
    "Date",
    "DueDate",
    "InvoiceNumber",
    "Reference",
    "Status",
    "Type",
    "Total",
    "SubTotal",
    "AmountDue",
    "AmountPaid",
    "UpdatedDateUTC",
    "Contact.Name",
];

/// The query parameters of invoice writes.
const WRITE_PARAMS: &[&str] = &["summarizeErrors", "unitdp"];

/// `GET /Invoices`. As in Xero, an unpaged list leaves out line items (page through, or get
/// one invoice, to see them); `includeArchived` is accepted but changes nothing, since no
/// invoice here is ever archived.
pub async fn list(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Extension(Caller(caller)): Extension<Caller>,
    Query(raw): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let params = match Params::only(raw, LIST_PARAMS) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    let (order, unit_places) = match (params.order(ORDERABLE), params.unit_places()) {
        (Ok(order), Ok(places)) => (order, places),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    let mine_only = params.flag("createdByMyApp");
    let summary = params.flag("summaryOnly");
    let search = params.get("searchTerm").map(str::to_lowercase);
    let since = match modified_since(&headers) {
        Ok(since) => since,
        Err(reply) => return reply,
    };
    let paging = match params.paging() {
        Ok(paging) => paging,
        Err(reply) => return reply,
    };
    let (ids, contact_ids) = match (params.uuid_list("IDs"), params.uuid_list("ContactIDs")) {
        (Ok(ids), Ok(contact_ids)) => (ids, contact_ids),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    let conditions = match params
        .get("where")
        .map(|text| parse_where(text, FILTERABLE))
        .transpose()
    {
        Ok(conditions) => conditions.unwrap_or_default(),
        Err(reply) => return reply,
    };
    let numbers = params.list("InvoiceNumbers");
    let statuses = params
        .list("Statuses")
        .map(|s| s.iter().map(|s| s.to_ascii_uppercase()).collect::<Vec<_>>());

    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    let mut found: Vec<&Invoice> = org
        .invoices
        .iter()
        .filter(|i| since.is_none_or(|since| i.updated > since))
        .filter(|i| !mine_only || i.created_by.as_deref() == Some(caller.as_str()))
        .filter(|i| {
            search.as_ref().is_none_or(|term| {
                i.invoice_number.to_lowercase().contains(term)
                    || i.reference
                        .as_ref()
                        .is_some_and(|r| r.to_lowercase().contains(term))
            })
        })
        .filter(|i| ids.as_ref().is_none_or(|ids| ids.contains(&i.invoice_id)))
        .filter(|i| {
            contact_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&i.contact_id))
        })
        .filter(|i| {
            numbers
                .as_ref()
                .is_none_or(|numbers| numbers.contains(&i.invoice_number))
        })
        .filter(|i| {
            statuses
                .as_ref()
                .is_none_or(|statuses| statuses.contains(&i.status))
        })
        .filter(|i| {
            conditions
                .iter()
                .all(|cond| where_field(org, i, &cond.field).is_some_and(|v| v == cond.value))
        })
        .collect();
    sort_by_order(&mut found, &order, |i, field| sort_key(org, i, field));
    let view = View {
        unit_places,
        line_items: paging.is_some(),
        summary,
    };
    let render = |i: &&Invoice| i.to_json(org, view);
    match paging {
        Some(paging) => {
            let (page, pagination) = paging.apply(found);
            let mut body = envelope("Invoices", page.iter().map(render).collect());
            if let Value::Object(map) = &mut body {
                map.insert("pagination".into(), pagination);
            }
            ok_json(body)
        }
        None => ok_json(envelope("Invoices", found.iter().map(render).collect())),
    }
}

fn sort_key(org: &Org, invoice: &Invoice, field: &str) -> SortKey {
    let day =
        |d: NaiveDate| SortKey::Time(Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)));
    match field {
        "Date" => day(invoice.date),
        "DueDate" => day(invoice.due_date),
        "Total" => SortKey::Number(invoice.total),
        "SubTotal" => SortKey::Number(invoice.sub_total),
        "AmountDue" => SortKey::Number(invoice.amount_due()),
        "AmountPaid" => SortKey::Number(invoice.amount_paid),
        "UpdatedDateUTC" => SortKey::Time(invoice.updated),
        other => SortKey::text(where_field(org, invoice, other).as_deref()),
    }
}

fn where_field(org: &Org, invoice: &Invoice, field: &str) -> Option<String> {
    match field {
        "Reference" => invoice.reference.clone(),
        "InvoiceNumber" => Some(invoice.invoice_number.clone()),
        "InvoiceID" => Some(invoice.invoice_id.to_string()),
        "Status" => Some(invoice.status.clone()),
        "Type" => Some(invoice.invoice_type.clone()),
        "Contact.ContactID" => Some(invoice.contact_id.to_string()),
        "Contact.Name" => org
            .contacts
            .iter()
            .find(|c| c.contact_id == invoice.contact_id)
            .map(|c| c.name.clone()),
        _ => None,
    }
}

/// Finds an invoice by InvoiceID or by InvoiceNumber, as Xero's `/Invoices/{id}` does.
fn find(invoices: &[Invoice], id: &str) -> Option<usize> {
    let by_id = Uuid::parse_str(id).ok();
    invoices.iter().position(|i| {
        Some(i.invoice_id) == by_id || (!i.invoice_number.is_empty() && i.invoice_number == id)
    })
}

/// `GET /Invoices/{InvoiceID or InvoiceNumber}`.
pub async fn one(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(id): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let unit_places = match Params::only(raw, &["unitdp"]).and_then(|p| p.unit_places()) {
        Ok(places) => places,
        Err(reply) => return reply,
    };
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    match find(&org.invoices, &id).and_then(|index| org.invoices.get(index)) {
        Some(invoice) => ok_json(envelope(
            "Invoices",
            vec![invoice.to_json(org, View::full(unit_places))],
        )),
        None => not_found(),
    }
}

/// `POST /Invoices/{InvoiceID}/Email`: Xero emails the invoice to its contact (204). Only an
/// approved sales invoice whose contact has an email address can be emailed.
pub async fn email(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(id): Path<String>,
) -> Response {
    let mut inner = sim.lock();
    let Some(org) = inner.orgs.get_mut(&tenant) else {
        return unknown_tenant();
    };
    let Some(index) = find(&org.invoices, &id) else {
        return not_found();
    };
    let (status, contact_id, invoice_type) = match org.invoices.get(index) {
        Some(i) => (i.status.clone(), i.contact_id, i.invoice_type.clone()),
        None => return not_found(),
    };
    let mut errors = Vec::new();
    if invoice_type != "ACCREC" || !["AUTHORISED", "PAID"].contains(&status.as_str()) {
        errors.push(format!(
            "Only approved sales invoices can be emailed; this one is {status}."
        ));
    }
    let email = org
        .contacts
        .iter()
        .find(|c| c.contact_id == contact_id)
        .and_then(|c| c.email_address.clone())
        .filter(|e| !e.trim().is_empty());
    if email.is_none() {
        errors.push("The contact does not have an email address.".into());
    }
    if !errors.is_empty() {
        let messages: Vec<Value> = errors.iter().map(|m| json!({ "Message": m })).collect();
        return super::validation_exception(vec![json!({ "ValidationErrors": messages })]);
    }
    if let Some(invoice) = org.invoices.get_mut(index) {
        invoice.sent_to_contact = true;
        invoice.emailed += 1;
    }
    axum::response::IntoResponse::into_response(axum::http::StatusCode::NO_CONTENT)
}

pub async fn create(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Extension(caller): Extension<Caller>,
    Query(raw): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    write(&sim, tenant, &caller, raw, &body, Mode::Create, None)
}

pub async fn create_or_update(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Extension(caller): Extension<Caller>,
    Query(raw): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    write(
        &sim,
        tenant,
        &caller,
        raw,
        &body,
        Mode::CreateOrUpdate,
        None,
    )
}

/// `POST /Invoices/{InvoiceID or InvoiceNumber}` updates that invoice.
pub async fn update_one(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    write(
        &sim,
        tenant,
        &caller,
        raw,
        &body,
        Mode::CreateOrUpdate,
        Some(id),
    )
}

fn write(
    sim: &Sim,
    tenant: Uuid,
    Caller(caller): &Caller,
    raw: HashMap<String, String>,
    body: &[u8],
    mode: Mode,
    path_id: Option<String>,
) -> Response {
    let params = match Params::only(raw, WRITE_PARAMS) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    // `unitdp=4` keeps unit amounts to 4 places; Xero's default is 2.
    let unit_places = match params.unit_places() {
        Ok(places) => places,
        Err(reply) => return reply,
    };
    let elements = match write_elements(body, "Invoices") {
        Ok(elements) => elements,
        Err(reply) => return reply,
    };
    let summarize = params.summarize_errors();
    let now = sim.now();
    let mut inner = sim.lock();
    let Some(org) = inner.orgs.get_mut(&tenant) else {
        return unknown_tenant();
    };
    let path_invoice = match &path_id {
        Some(id) => match find(&org.invoices, id).and_then(|index| org.invoices.get(index)) {
            Some(invoice) => Some(invoice.invoice_id),
            None => return not_found(),
        },
        None => None,
    };
    let batch = Batch {
        mode,
        summarize,
        unit_places,
        path_invoice,
        created_by: Some(caller.clone()),
        now,
    };
    match write_to_org(org, elements, &batch) {
        Written::Saved(replies) => ok_json(envelope("Invoices", replies)),
        Written::Rejected(failed) => validation_exception(failed),
    }
}

pub enum Written {
    /// What the reply's `Invoices` array holds (saved ones, and with `summarizeErrors=false`
    /// also the failed ones marked with their errors).
    Saved(Vec<Value>),
    /// Some elements failed under `summarizeErrors` (the default): the valid ones were saved
    /// all the same, as in Xero; these are the failed elements for the 400's `Elements`.
    Rejected(Vec<Value>),
}

/// How a batch of invoice elements is written.
pub struct Batch {
    pub mode: Mode,
    pub summarize: bool,
    pub unit_places: u32,
    pub path_invoice: Option<Uuid>,
    /// The app writing (for `createdByMyApp`); `None` for the seed.
    pub created_by: Option<String>,
    pub now: DateTime<Utc>,
}

/// Validates and saves a batch. Elements apply in order; each valid one is saved whether or not
/// others fail, as Xero does (even under `summarizeErrors`, where the reply then lists only the
/// failures).
pub fn write_to_org(org: &mut Org, elements: Vec<Value>, batch: &Batch) -> Written {
    let view = View::full(batch.unit_places);
    let (mut replies, mut failed) = (Vec::new(), Vec::new());
    for element in elements {
        let outcome = serde_json::from_value::<InvoiceInput>(element.clone())
            .map_err(|error| {
                (
                    element.clone(),
                    vec![format!("The invoice could not be read: {error}")],
                )
            })
            .and_then(|mut input| {
                if let Some(id) = batch.path_invoice {
                    input.invoice_id = Some(id.to_string());
                }
                let mut echo = serde_json::to_value(&input).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut echo {
                    map.entry("InvoiceID").or_insert(json!(Uuid::nil()));
                }
                build(org, input, batch).map_err(|errors| (echo, errors))
            });
        match outcome {
            Ok(built) => {
                if let Some(contact) = built.new_contact {
                    org.contacts.push(contact);
                    org.counters.contacts_created += 1;
                }
                org.next_invoice_number = built.next_number;
                let invoice = built.invoice;
                mark_customer_or_supplier(org, &invoice);
                let mut reply = invoice.to_json(org, view);
                if !batch.summarize {
                    reply = with_ok(reply);
                }
                replies.push(reply);
                match built.index {
                    Some(index) => {
                        if let Some(slot) = org.invoices.get_mut(index) {
                            *slot = invoice;
                        }
                        org.counters.invoices_updated += 1;
                    }
                    None => {
                        org.invoices.push(invoice);
                        org.counters.invoices_created += 1;
                    }
                }
            }
            Err((echo, errors)) => {
                let element = with_errors(echo, &errors, "HasErrors");
                replies.push(element.clone());
                failed.push(element);
            }
        }
    }
    if batch.summarize && !failed.is_empty() {
        return Written::Rejected(failed);
    }
    Written::Saved(replies)
}

/// Xero marks a contact as customer/supplier once it has an approved transaction.
fn mark_customer_or_supplier(org: &mut Org, invoice: &Invoice) {
    if invoice.status != "AUTHORISED" && invoice.status != "PAID" {
        return;
    }
    if let Some(contact) = org
        .contacts
        .iter_mut()
        .find(|c| c.contact_id == invoice.contact_id)
    {
        if invoice.invoice_type == "ACCREC" {
            contact.is_customer = true;
        } else {
            contact.is_supplier = true;
        }
    }
}

/// A valid element: where it goes (existing index or new), the invoice, the contact it creates
/// (an unknown contact Name) and the next free invoice number.
struct Built {
    index: Option<usize>,
    invoice: Invoice,
    new_contact: Option<Contact>,
    next_number: u32,
}

/// Builds the invoice an element describes, or every reason it can't be saved.
fn build(org: &Org, input: InvoiceInput, batch: &Batch) -> Result<Built, Vec<String>> {
    let (mode, unit_places, now) = (batch.mode, batch.unit_places, batch.now);
    let working = &org.invoices;
    let mut next_number = org.next_invoice_number;
    let mut errors = Vec::new();
    let index = match (mode, &input.invoice_id) {
        (Mode::Create, Some(id))
            if !id.is_empty() && Uuid::parse_str(id).ok() != Some(Uuid::nil()) =>
        {
            return Err(vec![format!(
                "InvoiceID {id} was sent to create an invoice; use POST to update an invoice"
            )]);
        }
        (Mode::CreateOrUpdate, Some(id)) if !id.is_empty() => match Uuid::parse_str(id) {
            Ok(uuid) => match working.iter().position(|i| i.invoice_id == uuid) {
                Some(index) => Some(index),
                None => {
                    return Err(vec![format!(
                        "The invoice with InvoiceID {id} could not be found"
                    )]);
                }
            },
            Err(_) => return Err(vec![format!("The InvoiceID '{id}' is not a valid id")]),
        },
        (Mode::CreateOrUpdate, _) => input
            .invoice_number
            .as_ref()
            .filter(|n| !n.is_empty())
            .and_then(|n| {
                working
                    .iter()
                    .position(|i| i.invoice_type == "ACCREC" && &i.invoice_number == n)
            }),
        (Mode::Create, _) => None,
    };
    let existing = index.and_then(|index| working.get(index));

    if let Some(existing) = existing
        && existing.status != "DRAFT"
        && existing.status != "SUBMITTED"
    {
        // Beyond drafts the only change allowed is voiding an unpaid approved invoice.
        let wants_void = input
            .status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("VOIDED"));
        if existing.status == "AUTHORISED" && wants_void && existing.amount_paid.is_zero() {
            let mut voided = existing.clone();
            voided.status = "VOIDED".into();
            voided.updated = now;
            return Ok(Built {
                index,
                invoice: voided,
                new_contact: None,
                next_number,
            });
        }
        return Err(vec![format!(
            "This document cannot be edited as it has a status of {}; only draft invoices can be updated",
            existing.status
        )]);
    }

    let invoice_type = input
        .invoice_type
        .clone()
        .or_else(|| existing.map(|e| e.invoice_type.clone()))
        .map(|t| t.to_ascii_uppercase());
    match invoice_type.as_deref() {
        Some("ACCREC" | "ACCPAY") => {}
        Some(other) => errors.push(format!(
            "'{other}' is not a valid invoice Type; use ACCREC or ACCPAY"
        )),
        None => errors.push("Invoice Type must be specified".into()),
    }
    let invoice_type = invoice_type.unwrap_or_default();
    let is_sale = invoice_type == "ACCREC";

    let status = match input.status.as_deref().map(str::to_ascii_uppercase) {
        None => existing.map_or_else(|| "DRAFT".to_string(), |e| e.status.clone()),
        Some(status) => {
            let allowed: &[&str] = if existing.is_some() {
                &["DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"]
            } else {
                &["DRAFT", "SUBMITTED", "AUTHORISED"]
            };
            if !allowed.contains(&status.as_str()) {
                errors.push(format!(
                    "'{status}' is not a valid status here; use one of {}",
                    allowed.join(", ")
                ));
            }
            status
        }
    };

    let (contact_id, new_contact) = match resolve_contact(
        org,
        input.contact.as_ref(),
        existing.map(|e| e.contact_id),
        &mut errors,
        now,
    ) {
        Some(Resolved::Existing(id)) => (Some(id), None),
        Some(Resolved::New(contact)) => (Some(contact.contact_id), Some(*contact)),
        None => (None, None),
    };

    // "Today" is the organisation's day, not UTC's.
    let today = local_day(&org.organisation.timezone, now);
    let date = match &input.date {
        Some(text) => parse_day(text).unwrap_or_else(|| {
            errors.push(format!("The Date '{text}' is not a valid date"));
            today
        }),
        None => existing.map_or(today, |e| e.date),
    };
    let terms = if is_sale {
        org.organisation.sales_due_days
    } else {
        org.organisation.bills_due_days
    };
    let due_date = match &input.due_date {
        Some(text) => parse_day(text).unwrap_or_else(|| {
            errors.push(format!("The DueDate '{text}' is not a valid date"));
            date
        }),
        None => existing.map(|e| e.due_date).unwrap_or_else(|| {
            date.checked_add_days(Days::new(terms.unsigned_abs()))
                .unwrap_or(date)
        }),
    };

    let line_amount_types = match input.line_amount_types.as_deref() {
        None => existing.map_or_else(|| "Exclusive".to_string(), |e| e.line_amount_types.clone()),
        Some(text) => match ["Exclusive", "Inclusive", "NoTax"]
            .iter()
            .find(|t| t.eq_ignore_ascii_case(text))
        {
            Some(kind) => (*kind).to_string(),
            None => {
                errors.push(format!(
                    "'{text}' is not a valid LineAmountTypes; use Exclusive, Inclusive or NoTax"
                ));
                "Exclusive".to_string()
            }
        },
    };

    let currency_code = input
        .currency_code
        .clone()
        .or_else(|| existing.map(|e| e.currency_code.clone()))
        .unwrap_or_else(|| org.organisation.base_currency.clone());
    if !currency_code.eq_ignore_ascii_case(&org.organisation.base_currency) {
        errors.push(format!(
            "The organisation is not subscribed to currency {currency_code}"
        ));
    }

    let branding_theme_id = match &input.branding_theme_id {
        Some(text) if !text.is_empty() => {
            match Uuid::parse_str(text).ok().filter(|id| {
                org.branding_themes
                    .iter()
                    .any(|t| t.branding_theme_id == *id)
            }) {
                Some(id) => Some(id),
                None => {
                    errors.push(format!(
                        "The BrandingThemeID '{text}' does not match a branding theme"
                    ));
                    None
                }
            }
        }
        Some(_) => None,
        None => existing.and_then(|e| e.branding_theme_id),
    };

    // Invoice number: sales invoices are numbered uniquely, auto-numbered when absent.
    let mut invoice_number = input
        .invoice_number
        .clone()
        .or_else(|| existing.map(|e| e.invoice_number.clone()))
        .unwrap_or_default();
    if invoice_number.chars().count() > 255 {
        errors.push("The InvoiceNumber must not be longer than 255 characters.".into());
    }
    if is_sale {
        if invoice_number.is_empty() {
            invoice_number = next_free_number(working, &mut next_number);
        } else if working.iter().enumerate().any(|(i, other)| {
            Some(i) != index
                && other.invoice_type == "ACCREC"
                && other.invoice_number.eq_ignore_ascii_case(&invoice_number)
        }) {
            errors.push("Invoice # must be unique.".into());
        }
    }

    let inputs = match input.line_items {
        Some(lines) => lines,
        None => existing
            .map(|e| e.line_items.iter().map(LineItem::to_input).collect())
            .unwrap_or_default(),
    };
    if inputs.is_empty() && status != "DRAFT" && status != "DELETED" {
        errors.push("Invoices must have at least one line item to be submitted or approved".into());
    }
    let mut line_items = Vec::new();
    for (number, line) in inputs.into_iter().enumerate() {
        match build_line(
            org,
            line,
            number + 1,
            &line_amount_types,
            is_sale,
            &status,
            unit_places,
        ) {
            Ok(line) => line_items.push(line),
            Err(mut line_errors) => errors.append(&mut line_errors),
        }
    }

    let line_total: Decimal = line_items.iter().map(|l| l.line_amount).sum();
    let total_tax: Decimal = line_items.iter().map(|l| l.tax_amount).sum();
    let (sub_total, total) = match line_amount_types.as_str() {
        "Inclusive" => (line_total - total_tax, line_total),
        _ => (line_total, line_total + total_tax),
    };
    let total_discount: Decimal = line_items
        .iter()
        .map(|l| round(l.quantity * l.unit_amount, 2) - l.line_amount)
        .sum();
    if total < Decimal::ZERO {
        errors.push("The invoice total must not be negative".into());
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Built {
        index,
        new_contact,
        next_number,
        invoice: Invoice {
            invoice_id: existing.map_or_else(Uuid::new_v4, |e| e.invoice_id),
            invoice_type,
            invoice_number,
            reference: input
                .reference
                .or_else(|| existing.and_then(|e| e.reference.clone())),
            contact_id: contact_id.unwrap_or_default(),
            date,
            due_date,
            status,
            line_amount_types,
            line_items,
            sub_total,
            total_tax,
            total,
            total_discount,
            amount_paid: existing.map_or(Decimal::ZERO, |e| e.amount_paid),
            currency_code: currency_code.to_ascii_uppercase(),
            branding_theme_id,
            url: input.url.or_else(|| existing.and_then(|e| e.url.clone())),
            sent_to_contact: input
                .sent_to_contact
                .or_else(|| existing.map(|e| e.sent_to_contact))
                .unwrap_or(false),
            emailed: existing.map_or(0, |e| e.emailed),
            payments: existing.map(|e| e.payments.clone()).unwrap_or_default(),
            credit_notes: existing.map(|e| e.credit_notes.clone()).unwrap_or_default(),
            fully_paid_on: None,
            created_by: existing.map_or_else(|| batch.created_by.clone(), |e| e.created_by.clone()),
            updated: now,
        },
    })
}

fn next_free_number(working: &[Invoice], next_number: &mut u32) -> String {
    loop {
        let candidate = format!("INV-{:04}", *next_number);
        *next_number += 1;
        if !working.iter().any(|i| {
            i.invoice_type == "ACCREC" && i.invoice_number.eq_ignore_ascii_case(&candidate)
        }) {
            return candidate;
        }
    }
}

/// The contact of an invoice: an existing one, or one the invoice creates.
enum Resolved {
    Existing(Uuid),
    New(Box<Contact>),
}

/// The contact is required: by ContactID or ContactNumber it must exist; by Name it is the
/// active contact of that name or, as in Xero, a new contact of that name is created with the
/// invoice (so a client that loses track of a ContactID makes duplicates here as in Xero).
fn resolve_contact(
    org: &Org,
    reference: Option<&ContactRef>,
    existing: Option<Uuid>,
    errors: &mut Vec<String>,
    now: DateTime<Utc>,
) -> Option<Resolved> {
    let Some(reference) = reference else {
        if existing.is_none() {
            errors.push("A Contact must be specified for this type of transaction".into());
        }
        return existing.map(Resolved::Existing);
    };
    let found = if let Some(id) = reference.contact_id.as_deref().filter(|id| !id.is_empty()) {
        let found = Uuid::parse_str(id)
            .ok()
            .and_then(|id| org.contacts.iter().find(|c| c.contact_id == id));
        if found.is_none() {
            errors.push(format!(
                "The contact with ContactID {id} could not be found"
            ));
        }
        found
    } else if let Some(number) = reference
        .contact_number
        .as_deref()
        .filter(|n| !n.is_empty())
    {
        let found = org
            .contacts
            .iter()
            .find(|c| c.contact_number.as_deref() == Some(number));
        if found.is_none() {
            errors.push(format!(
                "The contact with ContactNumber {number} could not be found"
            ));
        }
        found
    } else if let Some(name) = reference.name.as_deref().filter(|n| !n.trim().is_empty()) {
        let name = name.trim();
        let same_name = |c: &&Contact| c.name.eq_ignore_ascii_case(name);
        match org
            .contacts
            .iter()
            .filter(same_name)
            .find(|c| c.is_active())
            .or_else(|| org.contacts.iter().find(same_name))
        {
            Some(found) => Some(found),
            None => {
                if name.chars().count() > 255 {
                    errors.push("The contact name must not be longer than 255 characters.".into());
                    return None;
                }
                return Some(Resolved::New(Box::new(Contact::named(name, now))));
            }
        }
    } else {
        errors.push("A Contact must be specified for this type of transaction".into());
        None
    };
    let found = found?;
    if !found.is_active() {
        errors.push(format!(
            "The contact '{}' is archived and cannot be used on a new transaction",
            found.name
        ));
    }
    Some(Resolved::Existing(found.contact_id))
}

/// One line: its account, tax type, tracking and Xero's per-line arithmetic.
fn build_line(
    org: &Org,
    line: LineItemInput,
    number: usize,
    line_amount_types: &str,
    is_sale: bool,
    status: &str,
    unit_places: u32,
) -> Result<LineItem, Vec<String>> {
    let mut errors = Vec::new();
    let hundred = Decimal::ONE_HUNDRED;

    let account = match line.account_code.as_deref().filter(|code| !code.is_empty()) {
        Some(code) => match org
            .accounts
            .iter()
            .find(|a| a.code.eq_ignore_ascii_case(code))
        {
            Some(account) if account.status == "ACTIVE" => Some(account),
            Some(_) => {
                errors.push(format!(
                    "Account code '{code}' has been archived, or deleted. Each line item must reference a valid account."
                ));
                None
            }
            None => {
                errors.push(format!(
                    "Account code '{code}' is not a valid code for this document."
                ));
                None
            }
        },
        None => {
            if status != "DRAFT" && status != "DELETED" {
                errors.push(format!("Line {number}: an AccountCode must be specified to submit or approve an invoice"));
            }
            None
        }
    };

    let tax_type = line
        .tax_type
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| account.map(|a| a.tax_type.clone()));
    let rate = match &tax_type {
        Some(tax_type) => match org
            .tax_rates
            .iter()
            .find(|r| r.tax_type.eq_ignore_ascii_case(tax_type) && r.status == "ACTIVE")
        {
            Some(rate) => rate.rate,
            None => {
                errors.push(format!(
                    "The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction."
                ));
                Decimal::ZERO
            }
        },
        None => Decimal::ZERO,
    };

    let discount_rate = line.discount_rate.filter(|d| !d.is_zero());
    if let Some(discount) = discount_rate {
        if !is_sale {
            errors.push(format!(
                "Line {number}: discounts are only supported on sales invoices (ACCREC)"
            ));
        }
        if discount < Decimal::ZERO || discount > hundred {
            errors.push(format!(
                "Line {number}: DiscountRate must be between 0 and 100"
            ));
        }
    }
    let keep = (hundred - discount_rate.unwrap_or_default()) / hundred;

    // Xero keeps quantities to 4 places and unit amounts to 2 (4 with unitdp=4).
    let quantity = round(line.quantity.unwrap_or(Decimal::ONE), 4);
    let unit_amount = match (line.unit_amount, line.line_amount) {
        (Some(unit), _) => round(unit, unit_places),
        // Only a LineAmount: Xero works the unit amount out.
        (None, Some(amount)) if !(quantity * keep).is_zero() => {
            round(amount / (quantity * keep), unit_places)
        }
        _ => Decimal::ZERO,
    };
    let line_amount = round(quantity * unit_amount * keep, 2);
    if let Some(sent) = line.line_amount
        && line.unit_amount.is_some()
        && round(sent, 2) != line_amount
    {
        errors.push(format!(
            "Line {number}: the LineAmount {sent} does not match Quantity × UnitAmount{} ({line_amount}).",
            if discount_rate.is_some() { " less the discount" } else { "" }
        ));
    }

    let tax_amount = match line_amount_types {
        "Exclusive" => round(line_amount * rate / hundred, 2),
        "Inclusive" => round(
            line_amount - line_amount / (Decimal::ONE + rate / hundred),
            2,
        ),
        _ => Decimal::ZERO,
    };
    if let Some(sent) = line.tax_amount
        && round(sent, 2) != tax_amount
    {
        errors.push(format!(
            "Line {number}: the TaxAmount {sent} does not match the tax calculated ({tax_amount})."
        ));
    }

    let tracking = build_tracking(org, line.tracking.unwrap_or_default(), number, &mut errors);

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LineItem {
        line_item_id: line
            .line_item_id
            .and_then(|id| Uuid::parse_str(&id).ok())
            .unwrap_or_else(Uuid::new_v4),
        description: line.description,
        quantity,
        unit_amount,
        item_code: line.item_code,
        account_code: account.map(|a| a.code.clone()),
        account_id: account.map(|a| a.account_id),
        tax_type: if line_amount_types == "NoTax" && tax_type.is_none() {
            None
        } else {
            tax_type
        },
        tax_amount,
        line_amount,
        discount_rate,
        tracking,
    })
}

/// At most two categories per line, each an active category with one of its active options.
fn build_tracking(
    org: &Org,
    tracking: Vec<TrackingInput>,
    number: usize,
    errors: &mut Vec<String>,
) -> Vec<LineTracking> {
    if tracking.len() > 2 {
        errors.push(format!(
            "Line {number}: a line item can have at most 2 tracking categories"
        ));
        return Vec::new();
    }
    let mut lines: Vec<LineTracking> = Vec::new();
    for item in tracking {
        let by_id = item
            .tracking_category_id
            .as_deref()
            .and_then(|id| Uuid::parse_str(id).ok());
        let category = org.tracking_categories.iter().find(|c| {
            c.status == "ACTIVE"
                && (Some(c.tracking_category_id) == by_id
                    || item
                        .name
                        .as_deref()
                        .is_some_and(|name| c.name.eq_ignore_ascii_case(name.trim())))
        });
        let Some(category) = category else {
            let label = item.name.or(item.tracking_category_id).unwrap_or_default();
            errors.push(format!(
                "Line {number}: the tracking category '{label}' does not exist"
            ));
            continue;
        };
        let option_id = item
            .tracking_option_id
            .as_deref()
            .and_then(|id| Uuid::parse_str(id).ok());
        let option = category.options.iter().find(|o| {
            o.status == "ACTIVE"
                && (Some(o.tracking_option_id) == option_id
                    || item
                        .option
                        .as_deref()
                        .is_some_and(|name| o.name.eq_ignore_ascii_case(name.trim())))
        });
        let Some(option) = option else {
            let label = item.option.unwrap_or_default();
            errors.push(format!(
                "Line {number}: the option '{label}' is not an active option of tracking category '{}'",
                category.name
            ));
            continue;
        };
        if lines
            .iter()
            .any(|l| l.category_id == category.tracking_category_id)
        {
            errors.push(format!(
                "Line {number}: tracking category '{}' is used twice",
                category.name
            ));
            continue;
        }
        lines.push(LineTracking {
            category_id: category.tracking_category_id,
            option_id: option.tracking_option_id,
            name: category.name.clone(),
            option: option.name.clone(),
        });
    }
    lines
}

/// Records a payment as the bookkeeper would in Xero (used by the admin API and the seed).
pub fn record_payment(
    org: &mut Org,
    invoice: &str,
    amount: Decimal,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Value, String> {
    settle(org, invoice, amount, date, now, Settlement::Payment)
}

/// Voids an approved invoice with nothing paid, as a bookkeeper would in Xero.
pub fn void_invoice(org: &mut Org, invoice: &str, now: DateTime<Utc>) -> Result<Value, String> {
    change_status(org, invoice, now, "VOIDED", &["AUTHORISED"])
}

/// Deletes a draft or submitted invoice, as a bookkeeper would in Xero.
pub fn delete_invoice(org: &mut Org, invoice: &str, now: DateTime<Utc>) -> Result<Value, String> {
    change_status(org, invoice, now, "DELETED", &["DRAFT", "SUBMITTED"])
}

fn change_status(
    org: &mut Org,
    invoice: &str,
    now: DateTime<Utc>,
    status: &str,
    from: &[&str],
) -> Result<Value, String> {
    let index = find(&org.invoices, invoice)
        .ok_or_else(|| format!("No invoice {invoice} in this organisation"))?;
    let target = org.invoices.get_mut(index).ok_or("invoice vanished")?;
    if !from.contains(&target.status.as_str()) {
        return Err(format!(
            "Only {} invoices can be {}; this one is {}",
            from.join(" or "),
            status.to_lowercase(),
            target.status
        ));
    }
    if !target.amount_paid.is_zero() || !target.amount_credited().is_zero() {
        return Err("An invoice with payments or credit notes cannot be voided".into());
    }
    target.status = status.to_string();
    target.updated = now;
    let target = org.invoices.get(index).ok_or("invoice vanished")?;
    Ok(target.to_json(org, View::full(2)))
}

/// Creates an approved credit note of `amount` for the invoice's contact and allocates it to
/// the invoice, as a bookkeeper would in Xero: the amount due falls, and the invoice is PAID
/// once nothing is due.
pub fn allocate_credit_note(
    org: &mut Org,
    invoice: &str,
    amount: Decimal,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Value, String> {
    settle(org, invoice, amount, date, now, Settlement::CreditNote)
}

/// What reduces an approved invoice's amount due.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Settlement {
    Payment,
    CreditNote,
}

/// Pays or credits up to the amount due of an AUTHORISED invoice (dated the organisation's
/// day unless given); the invoice is PAID once nothing is due.
fn settle(
    org: &mut Org,
    invoice: &str,
    amount: Decimal,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
    kind: Settlement,
) -> Result<Value, String> {
    let index = find(&org.invoices, invoice)
        .ok_or_else(|| format!("No invoice {invoice} in this organisation"))?;
    let credit_note_number = org
        .invoices
        .iter()
        .map(|i| i.credit_notes.len())
        .sum::<usize>()
        + 1;
    let today = local_day(&org.organisation.timezone, now);
    let target = org.invoices.get_mut(index).ok_or("invoice vanished")?;
    if target.status != "AUTHORISED" {
        return Err(match kind {
            Settlement::Payment => format!(
                "Only AUTHORISED invoices can be paid; this one is {}",
                target.status
            ),
            Settlement::CreditNote => format!(
                "Credit notes can only be allocated to AUTHORISED invoices; this one is {}",
                target.status
            ),
        });
    }
    let amount = round(amount, 2);
    if amount <= Decimal::ZERO || amount > target.amount_due() {
        let noun = match kind {
            Settlement::Payment => "payment",
            Settlement::CreditNote => "credit",
        };
        return Err(format!(
            "The {noun} must be more than 0 and at most the amount due ({})",
            target.amount_due()
        ));
    }
    let date = date.unwrap_or(today);
    match kind {
        Settlement::Payment => {
            target.payments.push(Payment {
                payment_id: Uuid::new_v4(),
                date,
                amount,
                updated: now,
            });
            target.amount_paid += amount;
        }
        Settlement::CreditNote => target.credit_notes.push(CreditAllocation {
            credit_note_id: Uuid::new_v4(),
            credit_note_number: format!("CN-{credit_note_number:04}"),
            date,
            amount,
        }),
    }
    if target.amount_due().is_zero() {
        target.status = "PAID".into();
        target.fully_paid_on = Some(date);
    }
    target.updated = now;
    if kind == Settlement::Payment {
        org.counters.payments += 1;
    }
    let target = org.invoices.get(index).ok_or("invoice vanished")?;
    Ok(target.to_json(org, View::full(2)))
}

/// Moves every invoice of `from` to `to` (a contact merge in Xero), bumping each one.
pub fn move_invoices(org: &mut Org, from: Uuid, to: Uuid, now: DateTime<Utc>) {
    for invoice in org.invoices.iter_mut().filter(|i| i.contact_id == from) {
        invoice.contact_id = to;
        invoice.updated = now;
    }
}
