//! Clients and prospects: who they are, how to reach them, and how they are invoiced.

pub mod import;

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Problems, Result};
use crate::practice::{check_account_code, check_email, get_practice};
use crate::reference::Country;
use crate::store::{Source, Store, Tx};

crate::db_enum! {
    /// Prospect or client.
    #[ts(export)]
    pub enum ClientKind: "client kind" {
        /// Not yet engaged: proposals may be sent, nothing is billed.
        Prospect = "prospect",
        /// Engaged: has (or had) an accepted proposal.
        Client = "client",
    }
}

impl ClientKind {
    /// Reads what a person or a spreadsheet might say ("Lead", "customer").
    pub fn from_user_text(text: &str) -> Option<ClientKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "prospect" | "lead" => Some(ClientKind::Prospect),
            "client" | "customer" => Some(ClientKind::Client),
            _ => None,
        }
    }
}

crate::db_enum! {
    /// How a client's monthly invoice lists the work.
    #[ts(export)]
    pub enum LineDetail: "invoice line detail" {
        /// One line per service.
        PerService = "per_service",
        /// One summary line for everything.
        Summary = "summary",
        /// One line per service category.
        ByCategory = "by_category",
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postcode: String,
    pub country: String,
}

impl Address {
    fn trimmed(&self) -> Address {
        let t = |s: &str| s.trim().to_string();
        Address {
            line1: t(&self.line1),
            line2: t(&self.line2),
            city: t(&self.city),
            region: t(&self.region),
            postcode: t(&self.postcode),
            country: t(&self.country),
        }
    }

    /// The address as printed lines ("12 Harbour St", "Sydney NSW 2000").
    pub fn lines(&self) -> Vec<String> {
        let town = [
            self.city.as_str(),
            self.region.as_str(),
            self.postcode.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
        [
            self.line1.clone(),
            self.line2.clone(),
            town,
            self.country.clone(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
    }
}

/// A tracking category and option from Xero ("Region" / "North").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrackingChoice {
    pub category: String,
    pub option: String,
}

/// How a client is invoiced. Blank fields use the practice's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Invoicing {
    pub line_detail: LineDetail,
    pub account_code: String,
    pub branding_theme_id: String,
    /// At most two (Xero's limit per line).
    pub tracking: Vec<TrackingChoice>,
    /// Overrides the practice's payment terms; empty for the default.
    pub payment_terms_days: String,
    /// Where invoices go, if not the main email.
    pub invoice_email: String,
    /// May Scopebook push this client's detail changes to Xero?
    pub push_to_xero: bool,
}

impl Default for Invoicing {
    fn default() -> Self {
        Invoicing {
            line_detail: LineDetail::PerService,
            account_code: String::new(),
            branding_theme_id: String::new(),
            tracking: Vec::new(),
            payment_terms_days: String::new(),
            invoice_email: String::new(),
            push_to_xero: false,
        }
    }
}

/// The client form as typed (also what a client is saved as: every field is text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClientDraft {
    pub kind: ClientKind,
    pub display_name: String,
    pub legal_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub postal_address: Address,
    pub street_address: Address,
    pub tax_number: String,
    pub account_number: String,
    pub notes: String,
    pub invoicing: Invoicing,
}

impl ClientDraft {
    pub fn blank() -> ClientDraft {
        ClientDraft {
            kind: ClientKind::Prospect,
            display_name: String::new(),
            legal_name: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            phone: String::new(),
            postal_address: Address::default(),
            street_address: Address::default(),
            tax_number: String::new(),
            account_number: String::new(),
            notes: String::new(),
            invoicing: Invoicing::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Client {
    #[ts(type = "number")]
    pub id: i64,
    #[serde(flatten)]
    #[ts(flatten)]
    pub details: ClientDraft,
    /// The Xero contact it is linked to in the organisation connected now.
    pub xero_contact_id: Option<String>,
    /// The client's band in the practice's first set (annual revenue), set on the client or
    /// by accepting a proposal priced at it.
    #[ts(type = "number | null")]
    pub band_1_id: Option<i64>,
    /// The client's band in the practice's second set.
    #[ts(type = "number | null")]
    pub band_2_id: Option<i64>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A client as the clients list and the pickers show it: who they are and how to reach them,
/// without the addresses, notes and invoicing settings the editor reads (`get_client`). A list
/// of 2,000 is a quarter of the size to send to the window and to read there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ClientRow {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: ClientKind,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub tax_number: String,
    /// The Xero contact it is linked to in the organisation connected now.
    pub xero_contact_id: Option<String>,
    pub archived: bool,
    pub created_at: String,
}

impl From<Client> for ClientRow {
    fn from(c: Client) -> ClientRow {
        let d = c.details;
        ClientRow {
            id: c.id,
            kind: d.kind,
            display_name: d.display_name,
            first_name: d.first_name,
            last_name: d.last_name,
            email: d.email,
            phone: d.phone,
            tax_number: d.tax_number,
            xero_contact_id: c.xero_contact_id,
            archived: c.archived,
            created_at: c.created_at,
        }
    }
}

impl Client {
    pub fn contact_name(&self) -> String {
        format!("{} {}", self.details.first_name, self.details.last_name)
            .trim()
            .to_string()
    }
}

/// Checks a client form; every problem is reported, field by field. Returns the draft with
/// surrounding spaces removed.
pub fn validate_client(draft: &ClientDraft, country: Option<Country>) -> Result<ClientDraft> {
    let mut problems = Problems::new();
    let mut clean = draft.clone();
    let t = |s: &str| s.trim().to_string();
    clean.display_name = t(&draft.display_name);
    clean.legal_name = t(&draft.legal_name);
    clean.first_name = t(&draft.first_name);
    clean.last_name = t(&draft.last_name);
    clean.email = t(&draft.email);
    clean.phone = t(&draft.phone);
    clean.tax_number = t(&draft.tax_number);
    clean.account_number = t(&draft.account_number);
    clean.notes = draft.notes.trim().to_string();
    clean.postal_address = draft.postal_address.trimmed();
    clean.street_address = draft.street_address.trimmed();
    clean.invoicing.account_code = t(&draft.invoicing.account_code);
    clean.invoicing.branding_theme_id = t(&draft.invoicing.branding_theme_id);
    clean.invoicing.invoice_email = t(&draft.invoicing.invoice_email);
    clean.invoicing.payment_terms_days = t(&draft.invoicing.payment_terms_days);
    clean.invoicing.tracking = draft
        .invoicing
        .tracking
        .iter()
        .map(|c| TrackingChoice {
            category: t(&c.category),
            option: t(&c.option),
        })
        .filter(|c| !c.category.is_empty() || !c.option.is_empty())
        .collect();

    if clean.display_name.is_empty() {
        problems.add("display_name", "Enter the name the client is known by.");
    } else if clean.display_name.chars().count() > 255 {
        problems.add(
            "display_name",
            "Keep the name under 255 characters (Xero's limit).",
        );
    }
    if clean.legal_name.chars().count() > 255 {
        problems.add("legal_name", "Keep the legal name under 255 characters.");
    }
    check_email(&mut problems, "email", &clean.email);
    check_email(
        &mut problems,
        "invoicing.invoice_email",
        &clean.invoicing.invoice_email,
    );
    if clean.phone.chars().count() > 50 {
        problems.add("phone", "Keep the phone number under 50 characters.");
    }
    if let Some(country) = country
        && let Err(message) = country.check_tax_number(&clean.tax_number)
    {
        problems.add("tax_number", message);
    }
    if clean.account_number.chars().count() > 50 {
        problems.add(
            "account_number",
            "Keep the account number under 50 characters (Xero's limit).",
        );
    }
    check_account_code(
        &mut problems,
        "invoicing.account_code",
        &clean.invoicing.account_code,
    );
    if !clean.invoicing.payment_terms_days.is_empty()
        && clean
            .invoicing
            .payment_terms_days
            .parse::<u32>()
            .ok()
            .filter(|d| *d <= 365)
            .is_none()
    {
        problems.add(
            "invoicing.payment_terms_days",
            "Enter a number of days from 0 to 365, or leave it blank for the practice's terms.",
        );
    }
    if clean.invoicing.tracking.len() > 2 {
        problems.add(
            "invoicing.tracking",
            "Xero allows at most two tracking categories on an invoice line.",
        );
    }
    for (i, choice) in clean.invoicing.tracking.iter().enumerate() {
        if choice.category.is_empty() || choice.option.is_empty() {
            problems.add(
                format!("invoicing.tracking.{i}"),
                "Choose both the tracking category and its option.",
            );
        }
    }
    if let [a, b] = clean.invoicing.tracking.as_slice()
        && a.category.eq_ignore_ascii_case(&b.category)
    {
        problems.add(
            "invoicing.tracking.1",
            "Choose two different tracking categories.",
        );
    }
    problems.into_result()?;
    Ok(clean)
}

/// Which clients a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClientStatusFilter {
    /// Active clients and prospects.
    #[default]
    All,
    Prospects,
    Clients,
    Archived,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ClientFilter {
    pub search: Option<String>,
    pub status: Option<ClientStatusFilter>,
}

const CLIENT_COLUMNS: &str =
    "id, kind, display_name, legal_name, first_name, last_name, email, phone,
    postal_line1, postal_line2, postal_city, postal_region, postal_postcode, postal_country,
    street_line1, street_line2, street_city, street_region, street_postcode, street_country,
    tax_number, account_number, notes, line_detail, account_code, branding_theme_id,
    tracking1_category, tracking1_option, tracking2_category, tracking2_option,
    payment_terms_days, invoice_email, push_to_xero,
    (SELECT l.contact_id FROM xero_links l JOIN xero_connection x ON x.tenant_id = l.tenant_id
      WHERE l.client_id = clients.id) AS xero_contact_id,
    archived_at IS NOT NULL AS archived, created_at, updated_at, band_1_id, band_2_id";

/// The columns [`CLIENT_COLUMNS`] selects, in order. Rows are read by these names, resolved to
/// positions when compiling (a list of 2,000 clients would otherwise look each name up in
/// SQLite's column list for every field of every row); a test checks they match the SELECT.
const CLIENT_COLUMN_NAMES: [&str; 39] = [
    "id",
    "kind",
    "display_name",
    "legal_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postal_line1",
    "postal_line2",
    "postal_city",
    "postal_region",
    "postal_postcode",
    "postal_country",
    "street_line1",
    "street_line2",
    "street_city",
    "street_region",
    "street_postcode",
    "street_country",
    "tax_number",
    "account_number",
    "notes",
    "line_detail",
    "account_code",
    "branding_theme_id",
    "tracking1_category",
    "tracking1_option",
    "tracking2_category",
    "tracking2_option",
    "payment_terms_days",
    "invoice_email",
    "push_to_xero",
    "xero_contact_id",
    "archived",
    "created_at",
    "updated_at",
    "band_1_id",
    "band_2_id",
];

/// The position of column `name` in [`CLIENT_COLUMN_NAMES`]; an unknown name fails the build.
const fn col(name: &str) -> usize {
    let mut i = 0;
    while i < CLIENT_COLUMN_NAMES.len() {
        let (a, b) = (CLIENT_COLUMN_NAMES[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not a client column")
}

fn client_from_row(r: &Row<'_>) -> rusqlite::Result<Client> {
    let address = |first: usize| -> rusqlite::Result<Address> {
        Ok(Address {
            line1: r.get(first)?,
            line2: r.get(first + 1)?,
            city: r.get(first + 2)?,
            region: r.get(first + 3)?,
            postcode: r.get(first + 4)?,
            country: r.get(first + 5)?,
        })
    };
    let tracking = [
        (
            const { col("tracking1_category") },
            const { col("tracking1_option") },
        ),
        (
            const { col("tracking2_category") },
            const { col("tracking2_option") },
        ),
    ]
    .iter()
    .map(|&(category, option)| -> rusqlite::Result<TrackingChoice> {
        Ok(TrackingChoice {
            category: r.get(category)?,
            option: r.get(option)?,
        })
    })
    .collect::<rusqlite::Result<Vec<_>>>()?
    .into_iter()
    .filter(|c| !c.category.is_empty())
    .collect();
    let terms: Option<u32> = r.get(const { col("payment_terms_days") })?;
    Ok(Client {
        id: r.get(const { col("id") })?,
        details: ClientDraft {
            kind: r.get(const { col("kind") })?,
            display_name: r.get(const { col("display_name") })?,
            legal_name: r.get(const { col("legal_name") })?,
            first_name: r.get(const { col("first_name") })?,
            last_name: r.get(const { col("last_name") })?,
            email: r.get(const { col("email") })?,
            phone: r.get(const { col("phone") })?,
            postal_address: address(const { col("postal_line1") })?,
            street_address: address(const { col("street_line1") })?,
            tax_number: r.get(const { col("tax_number") })?,
            account_number: r.get(const { col("account_number") })?,
            notes: r.get(const { col("notes") })?,
            invoicing: Invoicing {
                line_detail: r.get(const { col("line_detail") })?,
                account_code: r.get(const { col("account_code") })?,
                branding_theme_id: r.get(const { col("branding_theme_id") })?,
                tracking,
                payment_terms_days: terms.map(|d| d.to_string()).unwrap_or_default(),
                invoice_email: r.get(const { col("invoice_email") })?,
                push_to_xero: r.get(const { col("push_to_xero") })?,
            },
        },
        xero_contact_id: r.get(const { col("xero_contact_id") })?,
        band_1_id: r.get(const { col("band_1_id") })?,
        band_2_id: r.get(const { col("band_2_id") })?,
        archived: r.get(const { col("archived") })?,
        created_at: r.get(const { col("created_at") })?,
        updated_at: r.get(const { col("updated_at") })?,
    })
}

pub fn get_client(store: &Store, id: i64) -> Result<Client> {
    client_in(store.conn(), id)
}

/// A client, read through any connection (inside a write transaction too).
pub(crate) fn client_in(conn: &rusqlite::Connection, id: i64) -> Result<Client> {
    conn.query_row(
        &format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE id = ?1"),
        [id],
        client_from_row,
    )
    .optional()?
    .ok_or(Error::NotFound {
        entity: "client",
        id,
    })
}

/// Finds a client by its number or its exact name (any case), as a person types it on the
/// command line. Two clients of that name is an error that lists their numbers.
pub fn find_client(store: &Store, text: &str) -> Result<Client> {
    let text = text.trim();
    if let Ok(id) = text.parse::<i64>() {
        return get_client(store, id);
    }
    let ids: Vec<i64> = store
        .conn()
        .prepare("SELECT id FROM clients WHERE lower(display_name) = lower(?1) ORDER BY id")?
        .query_map([text], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [] => Err(Error::invalid(
            "client",
            format!(
                "No client is called \u{201c}{text}\u{201d}. Check the name, or use its number from `scopebook clients list`."
            ),
        )),
        [id] => get_client(store, *id),
        several => Err(Error::invalid(
            "client",
            format!(
                "Several clients are called \u{201c}{text}\u{201d} (numbers {}): use the number.",
                several
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

pub fn list_clients(store: &Store, filter: &ClientFilter) -> Result<Vec<Client>> {
    let condition = match filter.status.unwrap_or_default() {
        ClientStatusFilter::All => "archived_at IS NULL",
        ClientStatusFilter::Prospects => "archived_at IS NULL AND kind = 'prospect'",
        ClientStatusFilter::Clients => "archived_at IS NULL AND kind = 'client'",
        ClientStatusFilter::Archived => "archived_at IS NOT NULL",
    };
    let mut stmt = store.conn().prepare_cached(&format!(
        "SELECT {CLIENT_COLUMNS} FROM clients WHERE {condition} ORDER BY lower(display_name)"
    ))?;
    let words: Vec<String> = filter
        .search
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let clients = stmt
        .query_map([], client_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if words.is_empty() {
        return Ok(clients);
    }
    Ok(clients
        .into_iter()
        .filter(|c| {
            let d = &c.details;
            let haystack = format!(
                "{} {} {} {} {} {} {} {}",
                d.display_name,
                d.legal_name,
                d.first_name,
                d.last_name,
                d.email,
                d.tax_number,
                d.account_number,
                d.phone
            )
            .to_lowercase();
            words.iter().all(|w| haystack.contains(w.as_str()))
        })
        .collect())
}

/// The clients matching `filter` as the list shows them ([`ClientRow`]), searched like
/// [`list_clients`].
pub fn list_client_rows(store: &Store, filter: &ClientFilter) -> Result<Vec<ClientRow>> {
    Ok(list_clients(store, filter)?
        .into_iter()
        .map(ClientRow::from)
        .collect())
}

pub(crate) fn name_taken(tx: &Tx<'_>, name: &str, except: Option<i64>) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM clients WHERE archived_at IS NULL AND lower(display_name) = lower(?1)
                        AND id IS NOT ?2)",
        params![name, except],
        |r| r.get(0),
    )?)
}

pub(crate) fn name_taken_error(name: &str) -> Error {
    Error::invalid(
        "display_name",
        format!(
            "There is already a client called \u{201c}{name}\u{201d}. Names must be unique (as in Xero)."
        ),
    )
}

pub(crate) fn write_client(tx: &Tx<'_>, id: i64, d: &ClientDraft) -> Result<()> {
    let tracking = |i: usize| d.invoicing.tracking.get(i).cloned().unwrap_or_default();
    let (t1, t2) = (tracking(0), tracking(1));
    let terms: Option<u32> = d.invoicing.payment_terms_days.parse().ok();
    let p = &d.postal_address;
    let s = &d.street_address;
    tx.execute(
        "UPDATE clients SET kind = ?2, display_name = ?3, legal_name = ?4, first_name = ?5,
            last_name = ?6, email = ?7, phone = ?8,
            postal_line1 = ?9, postal_line2 = ?10, postal_city = ?11, postal_region = ?12,
            postal_postcode = ?13, postal_country = ?14,
            street_line1 = ?15, street_line2 = ?16, street_city = ?17, street_region = ?18,
            street_postcode = ?19, street_country = ?20,
            tax_number = ?21, account_number = ?22, notes = ?23, line_detail = ?24,
            account_code = ?25, branding_theme_id = ?26, tracking1_category = ?27,
            tracking1_option = ?28, tracking2_category = ?29, tracking2_option = ?30,
            payment_terms_days = ?31, invoice_email = ?32, push_to_xero = ?33, updated_at = ?34
         WHERE id = ?1",
        params![
            id,
            d.kind.as_str(),
            d.display_name,
            d.legal_name,
            d.first_name,
            d.last_name,
            d.email,
            d.phone,
            p.line1,
            p.line2,
            p.city,
            p.region,
            p.postcode,
            p.country,
            s.line1,
            s.line2,
            s.city,
            s.region,
            s.postcode,
            s.country,
            d.tax_number,
            d.account_number,
            d.notes,
            d.invoicing.line_detail.as_str(),
            d.invoicing.account_code,
            d.invoicing.branding_theme_id,
            t1.category,
            t1.option,
            t2.category,
            t2.option,
            terms,
            d.invoicing.invoice_email,
            d.invoicing.push_to_xero,
            crate::now(),
        ],
    )?;
    Ok(())
}

/// Inserts a checked client inside an open transaction; returns its id.
pub(crate) fn insert_client(tx: &Tx<'_>, draft: &ClientDraft) -> Result<i64> {
    if name_taken(tx, &draft.display_name, None)? {
        return Err(name_taken_error(&draft.display_name));
    }
    tx.execute(
        "INSERT INTO clients (display_name, created_at, updated_at) VALUES (?1, ?2, ?2)",
        params![draft.display_name, crate::now()],
    )?;
    let id = tx.last_insert_rowid();
    write_client(tx, id, draft)?;
    tx.log("client", id, "create", draft)?;
    Ok(id)
}

pub(crate) fn practice_country(store: &Store) -> Result<Option<Country>> {
    Ok(get_practice(store)?.and_then(|p| Country::find(&p.country)))
}

pub fn create_client(store: &mut Store, draft: &ClientDraft) -> Result<Client> {
    let clean = validate_client(draft, practice_country(store)?)?;
    let id = store.write(Source::User, |tx| insert_client(tx, &clean))?;
    get_client(store, id)
}

pub fn update_client(store: &mut Store, id: i64, draft: &ClientDraft) -> Result<Client> {
    let before = get_client(store, id)?;
    let clean = validate_client(draft, practice_country(store)?)?;
    store.write(Source::User, |tx| {
        if !before.archived && name_taken(tx, &clean.display_name, Some(id))? {
            return Err(name_taken_error(&clean.display_name));
        }
        write_client(tx, id, &clean)?;
        tx.log(
            "client",
            id,
            "update",
            &serde_json::json!({ "before": before.details, "after": clean }),
        )
    })?;
    get_client(store, id)
}

pub fn archive_client(store: &mut Store, id: i64) -> Result<Client> {
    get_client(store, id)?;
    store.write(Source::User, |tx| {
        tx.set_archived("clients", "client", id, true)
    })?;
    get_client(store, id)
}

pub fn restore_client(store: &mut Store, id: i64) -> Result<Client> {
    let client = get_client(store, id)?;
    store.write(Source::User, |tx| {
        if name_taken(tx, &client.details.display_name, Some(id))? {
            return Err(Error::invalid(
                "display_name",
                format!(
                    "An active client is already called \u{201c}{}\u{201d}. Rename one of them first.",
                    client.details.display_name
                ),
            ));
        }
        tx.set_archived("clients", "client", id, false)
    })?;
    get_client(store, id)
}

/// What is attached to a client and stops it being deleted (proposals, invoices, a Xero link),
/// in words: "it is linked to a Xero contact", "it has 2 proposals".
pub(crate) fn attachments(conn: &rusqlite::Connection, id: i64) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let linked: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM xero_links WHERE client_id = ?1)",
        [id],
        |r| r.get(0),
    )?;
    if linked {
        found.push("it is linked to a Xero contact".to_string());
    }
    let proposals: i64 = conn.query_row(
        "SELECT count(*) FROM proposals WHERE client_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    match proposals {
        0 => {}
        1 => found.push("it has a proposal".to_string()),
        n => found.push(format!("it has {n} proposals")),
    }
    Ok(found)
}

/// Deletes a client that has nothing attached; otherwise explains what (archive it instead).
pub fn delete_client(store: &mut Store, id: i64) -> Result<()> {
    let client = get_client(store, id)?;
    store.write(Source::User, |tx| {
        let attached = attachments(tx, id)?;
        if !attached.is_empty() {
            return Err(Error::invalid(
                "delete",
                format!(
                    "\u{201c}{}\u{201d} can't be deleted because {}. Archive it instead.",
                    client.details.display_name,
                    attached.join(" and ")
                ),
            ));
        }
        tx.execute("DELETE FROM clients WHERE id = ?1", [id])?;
        tx.log("client", id, "delete", &client.details)
    })
}

/// Turns a prospect into a client (on accepting a proposal).
pub(crate) fn make_client(tx: &Tx<'_>, id: i64) -> Result<()> {
    let changed = tx.execute(
        "UPDATE clients SET kind = 'client', updated_at = ?2 WHERE id = ?1 AND kind = 'prospect'",
        params![id, crate::now()],
    )?;
    if changed > 0 {
        tx.log("client", id, "became_client", &serde_json::json!({}))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// A client (a prospect) with only a name, for tests.
#[cfg(test)]
pub(crate) fn named_for_test(store: &mut Store, name: &str) -> i64 {
    #[allow(clippy::unwrap_used)]
    create_client(
        store,
        &ClientDraft {
            display_name: name.into(),
            ..ClientDraft::blank()
        },
    )
    .unwrap()
    .id
}
