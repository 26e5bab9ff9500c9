//! Contacts: list with Xero's filters and paging, read one, create (PUT) and create-or-update
//! (POST) with Xero's validation rules.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::Mode;
use super::query::{Params, SortKey, modified_since, parse_where, sort_by_order};
use super::{
    Tenant, drop_nulls, envelope, not_found, ok_json, unknown_tenant, validation_exception,
    with_errors, with_ok, write_elements,
};
use crate::state::{Org, Sim};
use crate::wire::ms_date;

/// A contact as stored in one organisation.
#[derive(Clone, Debug)]
pub struct Contact {
    pub contact_id: Uuid,
    pub contact_number: Option<String>,
    pub account_number: Option<String>,
    /// `ACTIVE` or `ARCHIVED`.
    pub status: String,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email_address: Option<String>,
    pub company_number: Option<String>,
    pub bank_account_details: Option<String>,
    pub tax_number: Option<String>,
    pub accounts_receivable_tax_type: Option<String>,
    pub accounts_payable_tax_type: Option<String>,
    pub default_currency: Option<String>,
    pub addresses: Vec<Address>,
    pub phones: Vec<Phone>,
    pub is_supplier: bool,
    pub is_customer: bool,
    /// Set when a bookkeeper merged this contact into another one in Xero.
    pub merged_to: Option<Uuid>,
    pub updated: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_line4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention_to: Option<String>,
}

impl Address {
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Phone {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_area_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_country_code: Option<String>,
}

impl Phone {
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Contact {
    /// A new active contact with only a name.
    pub fn named(name: &str, now: DateTime<Utc>) -> Self {
        Self {
            contact_id: Uuid::new_v4(),
            contact_number: None,
            account_number: None,
            status: "ACTIVE".into(),
            name: name.to_string(),
            first_name: None,
            last_name: None,
            email_address: None,
            company_number: None,
            bank_account_details: None,
            tax_number: None,
            accounts_receivable_tax_type: None,
            accounts_payable_tax_type: None,
            default_currency: None,
            addresses: Vec::new(),
            phones: Vec::new(),
            is_supplier: false,
            is_customer: false,
            merged_to: None,
            updated: now,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == "ACTIVE"
    }

    pub fn to_json(&self) -> Value {
        drop_nulls(json!({
            "ContactID": self.contact_id,
            "ContactNumber": self.contact_number,
            "AccountNumber": self.account_number,
            "ContactStatus": self.status,
            "Name": self.name,
            "FirstName": self.first_name,
            "LastName": self.last_name,
            "EmailAddress": self.email_address,
            "CompanyNumber": self.company_number,
            "BankAccountDetails": self.bank_account_details,
            "TaxNumber": self.tax_number,
            "AccountsReceivableTaxType": self.accounts_receivable_tax_type,
            "AccountsPayableTaxType": self.accounts_payable_tax_type,
            "Addresses": self.addresses.iter().map(Address::to_json).collect::<Vec<_>>(),
            "Phones": self.phones.iter().map(Phone::to_json).collect::<Vec<_>>(),
            "UpdatedDateUTC": ms_date(self.updated),
            "ContactGroups": [],
            "IsSupplier": self.is_supplier,
            "IsCustomer": self.is_customer,
            "MergedToContactID": self.merged_to,
            "DefaultCurrency": self.default_currency,
            "HasAttachments": false,
            "HasValidationErrors": false,
        }))
    }

    /// `summaryOnly=true`: Xero leaves out the heavier parts.
    pub fn to_summary_json(&self) -> Value {
        let mut value = self.to_json();
        if let Value::Object(map) = &mut value {
            for heavy in [
                "Addresses",
                "Phones",
                "ContactGroups",
                "BankAccountDetails",
                "AccountsReceivableTaxType",
                "AccountsPayableTaxType",
                "DefaultCurrency",
            ] {
                map.remove(heavy);
            }
        }
        value
    }

    /// The compact contact embedded in an invoice.
    pub fn to_invoice_json(&self) -> Value {
        drop_nulls(json!({
            "ContactID": self.contact_id,
            "ContactNumber": self.contact_number,
            "Name": self.name,
            "EmailAddress": self.email_address,
            "ContactStatus": self.status,
            "HasValidationErrors": false,
        }))
    }
}

/// A contact as a client sends it. Every field is optional so that one bad element yields a
/// validation message instead of failing the whole request; unknown fields are ignored.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContactInput {
    #[serde(rename = "ContactID", skip_serializing_if = "Option::is_none")]
    contact_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_account_details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accounts_receivable_tax_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accounts_payable_tax_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    addresses: Option<Vec<Address>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phones: Option<Vec<Phone>>,
}

/// The query parameters of `GET /Contacts` in Xero's spec.
const LIST_PARAMS: &[&str] = &[
    "where",
    "order",
    "IDs",
    "page",
    "pageSize",
    "includeArchived",
    "summaryOnly",
    "searchTerm",
];

const ORDERABLE: &[&str] = &[
    "Name",
    "FirstName",
    "LastName",
    "EmailAddress",
    "ContactNumber",
    "AccountNumber",
    "ContactStatus",
    "TaxNumber",
    "UpdatedDateUTC",
];

const FILTERABLE: &[&str] = &[
    "Name",
    "ContactNumber",
    "EmailAddress",
    "ContactStatus",
    "TaxNumber",
    "AccountNumber",
    "ContactID",
];

/// `GET /Contacts`.
pub async fn list(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Query(raw): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let params = match Params::only(raw, LIST_PARAMS) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    let order = match params.order(ORDERABLE) {
        Ok(order) => order,
        Err(reply) => return reply,
    };
    let since = match modified_since(&headers) {
        Ok(since) => since,
        Err(reply) => return reply,
    };
    let paging = match params.paging() {
        Ok(paging) => paging,
        Err(reply) => return reply,
    };
    let ids = match params.uuid_list("IDs") {
        Ok(ids) => ids,
        Err(reply) => return reply,
    };
    let conditions = match params
        .get("where")
        .map(|text| parse_where(text, FILTERABLE))
        .transpose()
    {
        Ok(conditions) => conditions.unwrap_or_default(),
        Err(reply) => return reply,
    };
    let search = params.get("searchTerm").map(str::to_lowercase);
    // An explicit id lookup shows archived contacts too: the caller asked for those records.
    let include_archived = params.flag("includeArchived") || ids.is_some();
    let summary = params.flag("summaryOnly");

    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    let mut found: Vec<&Contact> = org
        .contacts
        .iter()
        .filter(|c| include_archived || c.is_active())
        .filter(|c| since.is_none_or(|since| c.updated > since))
        .filter(|c| ids.as_ref().is_none_or(|ids| ids.contains(&c.contact_id)))
        .filter(|c| search.as_ref().is_none_or(|term| matches_search(c, term)))
        .filter(|c| {
            conditions
                .iter()
                .all(|cond| field(c, &cond.field).is_some_and(|v| v == cond.value))
        })
        .collect();
    found.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.contact_id.cmp(&b.contact_id))
    });
    sort_by_order(&mut found, &order, |c, field| sort_key(c, field));

    let render = |c: &&Contact| {
        if summary {
            c.to_summary_json()
        } else {
            c.to_json()
        }
    };
    match paging {
        Some(paging) => {
            let (page, pagination) = paging.apply(found);
            let mut body = envelope("Contacts", page.iter().map(render).collect());
            if let Value::Object(map) = &mut body {
                map.insert("pagination".into(), pagination);
            }
            ok_json(body)
        }
        None => ok_json(envelope("Contacts", found.iter().map(render).collect())),
    }
}

fn sort_key(contact: &Contact, field: &str) -> SortKey {
    match field {
        "UpdatedDateUTC" => SortKey::Time(contact.updated),
        other => SortKey::text(field_value(contact, other).as_deref()),
    }
}

fn field_value(contact: &Contact, name: &str) -> Option<String> {
    match name {
        "FirstName" => contact.first_name.clone(),
        "LastName" => contact.last_name.clone(),
        other => field(contact, other),
    }
}

/// Xero's `searchTerm` for contacts: Name, FirstName, LastName, ContactNumber, CompanyNumber
/// and EmailAddress, case-insensitively.
fn matches_search(contact: &Contact, term: &str) -> bool {
    [
        Some(&contact.name),
        contact.first_name.as_ref(),
        contact.last_name.as_ref(),
        contact.contact_number.as_ref(),
        contact.company_number.as_ref(),
        contact.email_address.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|value| value.to_lowercase().contains(term))
}

fn field(contact: &Contact, name: &str) -> Option<String> {
    match name {
        "Name" => Some(contact.name.clone()),
        "ContactNumber" => contact.contact_number.clone(),
        "EmailAddress" => contact.email_address.clone(),
        "ContactStatus" => Some(contact.status.clone()),
        "TaxNumber" => contact.tax_number.clone(),
        "AccountNumber" => contact.account_number.clone(),
        "ContactID" => Some(contact.contact_id.to_string()),
        _ => None,
    }
}

/// The query parameter of contact writes.
const WRITE_PARAMS: &[&str] = &["summarizeErrors"];

/// `GET /Contacts/{ContactID or ContactNumber}`.
pub async fn one(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(id): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    if let Err(reply) = Params::only(raw, &[]) {
        return reply;
    }
    let inner = sim.lock();
    let Some(org) = inner.orgs.get(&tenant) else {
        return unknown_tenant();
    };
    let by_id = Uuid::parse_str(&id).ok();
    let found = org
        .contacts
        .iter()
        .find(|c| Some(c.contact_id) == by_id || c.contact_number.as_deref() == Some(id.as_str()));
    match found {
        Some(contact) => ok_json(envelope("Contacts", vec![contact.to_json()])),
        None => not_found(),
    }
}

pub async fn create(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Query(raw): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let params = match Params::only(raw, WRITE_PARAMS) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    write(&sim, tenant, &params, &body, Mode::Create, None)
}

pub async fn create_or_update(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Query(raw): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let params = match Params::only(raw, WRITE_PARAMS) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    write(&sim, tenant, &params, &body, Mode::CreateOrUpdate, None)
}

/// `POST /Contacts/{ContactID}` updates that contact.
pub async fn update_one(
    State(sim): State<Arc<Sim>>,
    Extension(Tenant(tenant)): Extension<Tenant>,
    Path(id): Path<String>,
    Query(raw): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let params = match Params::only(raw, WRITE_PARAMS) {
        Ok(params) => params,
        Err(reply) => return reply,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return not_found();
    };
    write(&sim, tenant, &params, &body, Mode::CreateOrUpdate, Some(id))
}

fn write(
    sim: &Sim,
    tenant: Uuid,
    params: &Params,
    body: &[u8],
    mode: Mode,
    path_id: Option<Uuid>,
) -> Response {
    let elements = match write_elements(body, "Contacts") {
        Ok(elements) => elements,
        Err(reply) => return reply,
    };
    let summarize = params.summarize_errors();
    let now = sim.now();
    let mut inner = sim.lock();
    let Some(org) = inner.orgs.get_mut(&tenant) else {
        return unknown_tenant();
    };
    if let Some(id) = path_id
        && !org.contacts.iter().any(|c| c.contact_id == id)
    {
        return not_found();
    }

    // Elements apply in order to a working copy, so a batch can't create two contacts with the
    // same name. As in Xero, the valid elements are saved even when others fail: with
    // `summarizeErrors` (the default) the 400 then lists only the failures, and the saved
    // ones are not in the reply at all.
    let mut working = org.contacts.clone();
    let (mut replies, mut failed) = (Vec::new(), Vec::new());
    let (mut created, mut updated) = (0, 0);
    for element in &elements {
        match apply_element(org, &working, element, mode, path_id, now) {
            Ok((index, contact)) => {
                replies.push(contact.to_json());
                match index {
                    Some(index) => {
                        working[index] = contact;
                        updated += 1;
                    }
                    None => {
                        working.push(contact);
                        created += 1;
                    }
                }
            }
            Err((echo, errors)) => {
                let element = with_errors(echo, &errors, "HasValidationErrors");
                replies.push(element.clone());
                failed.push(element);
            }
        }
    }

    org.contacts = working;
    org.counters.contacts_created += created;
    org.counters.contacts_updated += updated;
    if summarize && !failed.is_empty() {
        return validation_exception(failed);
    }
    let replies = if summarize {
        replies
    } else {
        replies
            .into_iter()
            .map(|r| {
                if r.get("HasValidationErrors") == Some(&json!(true)) {
                    r
                } else {
                    with_ok(r)
                }
            })
            .collect()
    };
    ok_json(envelope("Contacts", replies))
}

/// Reads one element of a write (`path_id`: the contact the URL names) and validates it against
/// the working set. A refused element comes back as the reply echoes it, with its messages.
fn apply_element(
    org: &Org,
    working: &[Contact],
    element: &Value,
    mode: Mode,
    path_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(Option<usize>, Contact), (Value, Vec<String>)> {
    let mut input = ContactInput::deserialize(element).map_err(|error| {
        (
            element.clone(),
            vec![format!("The contact could not be read: {error}")],
        )
    })?;
    if let Some(id) = path_id {
        input.contact_id = Some(id.to_string());
    }
    let echo = serde_json::to_value(&input).unwrap_or(Value::Null);
    apply(org, working, input, mode, now).map_err(|errors| (echo, errors))
}

/// Validates one element against the working set; returns where it goes (existing index or new)
/// and the contact as it will be stored.
fn apply(
    org: &Org,
    working: &[Contact],
    input: ContactInput,
    mode: Mode,
    now: DateTime<Utc>,
) -> Result<(Option<usize>, Contact), Vec<String>> {
    let mut errors = Vec::new();
    let target = match (&input.contact_id, mode) {
        (Some(id), Mode::Create) => {
            return Err(vec![format!(
                "ContactID {id} was sent to create a contact; use POST to update a contact"
            )]);
        }
        (Some(id), Mode::CreateOrUpdate) => {
            let Ok(id) = Uuid::parse_str(id) else {
                return Err(vec![format!("The ContactID '{id}' is not a valid id")]);
            };
            match working.iter().position(|c| c.contact_id == id) {
                Some(index) => Some(index),
                None => {
                    return Err(vec![format!(
                        "The contact with ContactID {id} could not be found"
                    )]);
                }
            }
        }
        (None, Mode::CreateOrUpdate) => input
            .contact_number
            .as_ref()
            .filter(|number| !number.is_empty())
            .and_then(|number| {
                working
                    .iter()
                    .position(|c| c.contact_number.as_ref() == Some(number))
            }),
        (None, Mode::Create) => None,
    };

    let mut contact = match target.and_then(|index| working.get(index)) {
        Some(existing) => existing.clone(),
        None => Contact::named("", now),
    };
    if let Some(name) = input.name {
        contact.name = name.trim().to_string();
    }
    set(&mut contact.contact_number, input.contact_number);
    set(&mut contact.account_number, input.account_number);
    set(&mut contact.first_name, input.first_name);
    set(&mut contact.last_name, input.last_name);
    set(&mut contact.email_address, input.email_address);
    set(&mut contact.company_number, input.company_number);
    set(
        &mut contact.bank_account_details,
        input.bank_account_details,
    );
    set(&mut contact.tax_number, input.tax_number);
    set(
        &mut contact.accounts_receivable_tax_type,
        input.accounts_receivable_tax_type,
    );
    set(
        &mut contact.accounts_payable_tax_type,
        input.accounts_payable_tax_type,
    );
    set(&mut contact.default_currency, input.default_currency);
    if let Some(addresses) = input.addresses {
        contact.addresses = addresses;
    }
    if let Some(phones) = input.phones {
        contact.phones = phones;
    }
    if let Some(status) = input.contact_status {
        match status.to_ascii_uppercase().as_str() {
            status @ ("ACTIVE" | "ARCHIVED") => contact.status = status.to_string(),
            _ => errors.push(format!(
                "'{status}' is not a valid contact status; use ACTIVE or ARCHIVED"
            )),
        }
    }
    contact.updated = now;

    if contact.name.is_empty() {
        errors.push("The contact name must be specified".into());
    }
    check_length(&mut errors, "Name", Some(&contact.name), 255);
    check_length(
        &mut errors,
        "ContactNumber",
        contact.contact_number.as_ref(),
        50,
    );
    check_length(
        &mut errors,
        "AccountNumber",
        contact.account_number.as_ref(),
        50,
    );
    check_length(&mut errors, "FirstName", contact.first_name.as_ref(), 255);
    check_length(&mut errors, "LastName", contact.last_name.as_ref(), 255);
    check_length(
        &mut errors,
        "EmailAddress",
        contact.email_address.as_ref(),
        255,
    );
    check_length(&mut errors, "TaxNumber", contact.tax_number.as_ref(), 50);
    check_length(
        &mut errors,
        "CompanyNumber",
        contact.company_number.as_ref(),
        50,
    );
    if let Some(email) = &contact.email_address
        && !is_well_formed_email(email)
    {
        errors.push("Email address must be valid.".into());
    }
    for address in &contact.addresses {
        if let Some(kind) = &address.address_type
            && kind != "POBOX"
            && kind != "STREET"
        {
            errors.push(format!(
                "'{kind}' is not a valid AddressType; use POBOX or STREET"
            ));
        }
    }
    for phone in &contact.phones {
        if let Some(kind) = &phone.phone_type
            && !["DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE"].contains(&kind.as_str())
        {
            errors.push(format!("'{kind}' is not a valid PhoneType"));
        }
    }
    for tax_type in [
        &contact.accounts_receivable_tax_type,
        &contact.accounts_payable_tax_type,
    ]
    .into_iter()
    .flatten()
    {
        if !org
            .tax_rates
            .iter()
            .any(|rate| &rate.tax_type == tax_type && rate.status == "ACTIVE")
        {
            errors.push(format!(
                "The TaxType code '{tax_type}' does not exist or cannot be used for this contact."
            ));
        }
    }
    let others = || {
        working
            .iter()
            .enumerate()
            .filter(move |(index, _)| Some(*index) != target)
            .map(|(_, c)| c)
    };
    if contact.is_active()
        && !contact.name.is_empty()
        && others().any(|c| c.is_active() && c.name.trim().eq_ignore_ascii_case(&contact.name))
    {
        errors.push(format!(
            "The contact name {} is already assigned to another contact. The contact name must be unique across all active contacts.",
            contact.name
        ));
    }
    if let Some(number) = &contact.contact_number
        && others().any(|c| c.contact_number.as_ref() == Some(number))
    {
        errors.push(format!(
            "The contact number {number} is already assigned to another contact. The contact number must be unique across all contacts."
        ));
    }

    if errors.is_empty() {
        Ok((target, contact))
    } else {
        Err(errors)
    }
}

/// A field sent as `""` clears it, as in Xero; a field not sent is left alone.
fn set(target: &mut Option<String>, input: Option<String>) {
    if let Some(value) = input {
        let value = value.trim().to_string();
        *target = if value.is_empty() { None } else { Some(value) };
    }
}

fn check_length(errors: &mut Vec<String>, field: &str, value: Option<&String>, max: usize) {
    if let Some(value) = value
        && value.chars().count() > max
    {
        errors.push(format!(
            "The {field} must not be longer than {max} characters."
        ));
    }
}

fn is_well_formed_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// A bookkeeper's edit in Xero: `changes` (Xero's field names, e.g. `{"EmailAddress": …}` or
/// `{"ContactStatus": "ARCHIVED"}`) applied to the contact with the API's validation.
pub fn edit_contact(
    org: &mut Org,
    id: Uuid,
    changes: Value,
    now: DateTime<Utc>,
) -> Result<Value, String> {
    let mut input = serde_json::from_value::<ContactInput>(changes)
        .map_err(|error| format!("The changes could not be read: {error}"))?;
    input.contact_id = Some(id.to_string());
    let working = org.contacts.clone();
    let (index, contact) =
        apply(org, &working, input, Mode::CreateOrUpdate, now).map_err(|e| e.join(" "))?;
    let reply = contact.to_json();
    match index.and_then(|index| org.contacts.get_mut(index)) {
        Some(slot) => *slot = contact,
        None => return Err(format!("No contact {id} in this organisation")),
    }
    Ok(reply)
}

/// Contacts the organisation already has (a bookkeeper's existing Xero file), added at once
/// without API calls. Each element is what `PUT /Contacts` takes (Xero's field names) and is
/// checked as it checks one, plus `IsCustomer` / `IsSupplier`, which Xero works out from the
/// file's invoices and bills. All or nothing: one refused element adds none, and the error says
/// which and why. Not counted as writes made through the API.
pub fn add_existing_contacts(
    org: &mut Org,
    elements: &[Value],
    now: DateTime<Utc>,
) -> Result<Value, String> {
    const NAMED: usize = 5;
    let mut working = org.contacts.clone();
    let mut ids = Vec::with_capacity(elements.len());
    let mut refused = Vec::new();
    for (index, element) in elements.iter().enumerate() {
        let flag = |name: &str| element.get(name).and_then(Value::as_bool).unwrap_or(false);
        match apply_element(org, &working, element, Mode::Create, None, now) {
            Ok((_, mut contact)) => {
                contact.is_customer = flag("IsCustomer");
                contact.is_supplier = flag("IsSupplier");
                ids.push(contact.contact_id);
                working.push(contact);
            }
            Err((_, errors)) => refused.push(format!("#{} {}", index + 1, errors.join(" "))),
        }
    }
    if !refused.is_empty() {
        let more = refused.len().saturating_sub(NAMED);
        refused.truncate(NAMED);
        let more = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        return Err(format!(
            "No contact was added: {}{more}",
            refused.join("; ")
        ));
    }
    org.contacts = working;
    Ok(json!({ "ContactIDs": ids }))
}

/// Merges contact `from` into `into` as Xero's "Merge contacts" does: `from`'s invoices move
/// to `into`, and `from` is archived with `MergedToContactID` set. Both are bumped.
pub fn merge_contacts(
    org: &mut Org,
    from: Uuid,
    into: Uuid,
    now: DateTime<Utc>,
) -> Result<Value, String> {
    if from == into {
        return Err("A contact cannot be merged into itself".into());
    }
    let target = org
        .contacts
        .iter_mut()
        .find(|c| c.contact_id == into)
        .ok_or_else(|| format!("No contact {into} in this organisation"))?;
    if !target.is_active() {
        return Err(format!(
            "'{}' is archived; merge into an active contact",
            target.name
        ));
    }
    target.updated = now;
    let source = org
        .contacts
        .iter_mut()
        .find(|c| c.contact_id == from)
        .ok_or_else(|| format!("No contact {from} in this organisation"))?;
    source.status = "ARCHIVED".into();
    source.merged_to = Some(into);
    source.updated = now;
    let reply = source.to_json();
    crate::accounting::invoices::move_invoices(org, from, into, now);
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        assert!(is_well_formed_email("accounts@acme.com.au"));
        assert!(!is_well_formed_email("accounts.acme.com.au"));
        assert!(!is_well_formed_email("a b@acme.com"));
        assert!(!is_well_formed_email("a@acme"));
    }
}
