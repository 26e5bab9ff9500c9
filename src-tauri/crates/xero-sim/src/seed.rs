//! The seeded organisations. Ids are fixed (tenants) or derived from names (everything else),
//! so tests and the demo can refer to them across runs and after `/__admin/reset`.
//! Timestamps are relative to the moment of seeding, spread over the last five months.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::accounting::Mode;
use crate::accounting::contacts::{Address, Contact, Phone};
use crate::accounting::invoices::{Batch, record_payment, write_to_org};
use crate::accounting::settings::{
    Account, BrandingTheme, Organisation, TaxRate, TrackingCategory, TrackingOption,
};
use crate::state::{Org, WriteCounters};

/// "Demo Company (AU)", AUD — ~50 contacts with the near-duplicates a matcher must handle, and
/// three invoices (INV-0001 paid, INV-0002 approved, INV-0003 draft).
pub const DEMO_COMPANY_AU: Uuid = Uuid::from_u128(0x7f3c1b52_9d4e_4a8b_8c21_5e6f70a1b201);
/// "Harbour Bookkeeping Pty Ltd", AUD — a few contacts, no invoices.
pub const HARBOUR_BOOKKEEPING: Uuid = Uuid::from_u128(0x2d9e5a13_4c7b_4f0e_9a3d_8b1c6e2f7a02);
/// "Northwind Advisory Ltd", NZD (GST 15%) — a few contacts, no invoices.
pub const NORTHWIND_ADVISORY: Uuid = Uuid::from_u128(0xc81a4e97_3b2d_4e5f_8a6c_1d0b9f3e5a03);

/// A stable, v5-shaped id for a seeded record of `kind` named `key` in `tenant`.
pub fn stable_id(tenant: Uuid, kind: &str, key: &str) -> Uuid {
    let digest = Sha256::digest(format!("xero-sim/{tenant}/{kind}/{key}"));
    let bytes: [u8; 16] = std::array::from_fn(|i| digest.get(i).copied().unwrap_or_default());
    uuid::Builder::from_sha1_bytes(bytes).into_uuid()
}

/// The ContactID of the seeded contact first named `seeded_name` in `tenant`.
pub fn contact_id(tenant: Uuid, seeded_name: &str) -> Uuid {
    stable_id(tenant, "contact", seeded_name)
}

pub fn organisations(now: DateTime<Utc>) -> Vec<Org> {
    let mut demo = org(
        DEMO_COMPANY_AU,
        "Demo Company (AU)",
        "Demo Company (AU) Pty Ltd",
        "AU",
        "11 222 333 444",
        "Sydney",
        true,
        DEMO_CONTACTS,
        now,
    );
    seed_invoices(&mut demo, now);
    vec![
        demo,
        org(
            HARBOUR_BOOKKEEPING,
            "Harbour Bookkeeping Pty Ltd",
            "Harbour Bookkeeping Pty Ltd",
            "AU",
            "53 004 085 616",
            "Balmain",
            false,
            HARBOUR_CONTACTS,
            now,
        ),
        org(
            NORTHWIND_ADVISORY,
            "Northwind Advisory Ltd",
            "Northwind Advisory Limited",
            "NZ",
            "123-456-789",
            "Wellington",
            false,
            NORTHWIND_CONTACTS,
            now,
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
fn org(
    tenant: Uuid,
    name: &str,
    legal_name: &str,
    version: &str,
    tax_number: &str,
    city: &str,
    is_demo: bool,
    contacts: &[SeedContact],
    now: DateTime<Utc>,
) -> Org {
    let nz = version == "NZ";
    let created = Utc
        .with_ymd_and_hms(2019, 3, 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let organisation = Organisation {
        organisation_id: tenant,
        name: name.into(),
        legal_name: legal_name.into(),
        version: version.into(),
        base_currency: if nz { "NZD" } else { "AUD" }.into(),
        country_code: version.into(),
        is_demo_company: is_demo,
        registration_number: tax_number.into(),
        tax_number: tax_number.into(),
        sales_tax_basis: if nz { "INVOICE" } else { "ACCRUALS" }.into(),
        sales_tax_period: if nz { "TWOMONTHS" } else { "QUARTERLY1" }.into(),
        timezone: if nz {
            "NEWZEALANDSTANDARDTIME"
        } else {
            "AUSEASTERNSTANDARDTIME"
        }
        .into(),
        short_code: format!("!{}", &tenant.simple().to_string()[..5]),
        line_of_business: "Accounting and bookkeeping".into(),
        created,
        address: Address {
            address_type: Some("STREET".into()),
            address_line1: Some("23 Main Street".into()),
            city: Some(city.into()),
            region: Some(if nz { "Wellington" } else { "NSW" }.into()),
            postal_code: Some(if nz { "6011" } else { "2000" }.into()),
            country: Some(if nz { "New Zealand" } else { "Australia" }.into()),
            ..Address::default()
        },
        phone: Phone {
            phone_type: Some("OFFICE".into()),
            phone_number: Some("5550 1000".into()),
            phone_area_code: Some(if nz { "04" } else { "02" }.into()),
            phone_country_code: Some(if nz { "64" } else { "61" }.into()),
        },
        sales_due_days: 14,
        bills_due_days: 30,
    };
    Org {
        organisation,
        accounts: accounts(tenant, nz, created),
        tax_rates: tax_rates(nz),
        branding_themes: ["Standard", "Special Projects"]
            .iter()
            .zip(0..)
            .map(|(name, sort_order)| BrandingTheme {
                branding_theme_id: stable_id(tenant, "branding-theme", name),
                name: (*name).into(),
                sort_order,
                created,
            })
            .collect(),
        tracking_categories: vec![
            tracking(tenant, "Region", &["North", "South", "East", "West"], &[]),
            tracking(
                tenant,
                "Service line",
                &["Bookkeeping", "Tax", "Advisory"],
                &["Payroll"],
            ),
        ],
        contacts: contacts
            .iter()
            .enumerate()
            .map(|(i, seed)| seed.contact(tenant, i, nz, now))
            .collect(),
        invoices: Vec::new(),
        next_invoice_number: 1,
        counters: WriteCounters::default(),
    }
}

/// Which tax type an account uses by default, in each tax system.
#[derive(Clone, Copy)]
enum Tax {
    Output,
    Input,
    ExemptOutput,
    ExemptInput,
    Excluded,
}

impl Tax {
    fn code(self, nz: bool) -> &'static str {
        match (self, nz) {
            (Tax::Output, false) => "OUTPUT",
            (Tax::Input, false) => "INPUT",
            (Tax::ExemptOutput, false) => "EXEMPTOUTPUT",
            (Tax::ExemptInput, false) => "EXEMPTEXPENSES",
            (Tax::Excluded, false) => "BASEXCLUDED",
            (Tax::Output, true) => "OUTPUT2",
            (Tax::Input, true) => "INPUT2",
            (Tax::ExemptOutput, true) => "ZERORATED",
            (Tax::ExemptInput | Tax::Excluded, true) => "NONE",
        }
    }
}

/// (code, name, type, class, tax, system account, archived)
type AccountRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Tax,
    Option<&'static str>,
    bool,
);

fn accounts(tenant: Uuid, nz: bool, updated: DateTime<Utc>) -> Vec<Account> {
    use Tax::*;
    let chart: &[AccountRow] = &[
        (
            "090",
            "Business Bank Account",
            "BANK",
            "ASSET",
            Excluded,
            None,
            false,
        ),
        (
            "091",
            "Business Savings Account",
            "BANK",
            "ASSET",
            Excluded,
            None,
            false,
        ),
        ("200", "Sales", "REVENUE", "REVENUE", Output, None, false),
        (
            "201",
            "Bookkeeping Fees",
            "REVENUE",
            "REVENUE",
            Output,
            None,
            false,
        ),
        (
            "202",
            "Tax Return Fees",
            "REVENUE",
            "REVENUE",
            Output,
            None,
            false,
        ),
        (
            "203",
            "Advisory Fees",
            "REVENUE",
            "REVENUE",
            Output,
            None,
            false,
        ),
        (
            "205",
            "Sales - Legacy",
            "REVENUE",
            "REVENUE",
            Output,
            None,
            true,
        ),
        (
            "260",
            "Other Revenue",
            "REVENUE",
            "REVENUE",
            Output,
            None,
            false,
        ),
        (
            "270",
            "Interest Income",
            "REVENUE",
            "REVENUE",
            ExemptOutput,
            None,
            false,
        ),
        (
            "310",
            "Cost of Goods Sold",
            "DIRECTCOSTS",
            "EXPENSE",
            Input,
            None,
            false,
        ),
        (
            "400",
            "Advertising",
            "EXPENSE",
            "EXPENSE",
            Input,
            None,
            false,
        ),
        (
            "404",
            "Bank Fees",
            "EXPENSE",
            "EXPENSE",
            ExemptInput,
            None,
            false,
        ),
        ("408", "Cleaning", "EXPENSE", "EXPENSE", Input, None, false),
        (
            "412",
            "Consulting & Accounting",
            "EXPENSE",
            "EXPENSE",
            Input,
            None,
            false,
        ),
        (
            "420",
            "Entertainment",
            "EXPENSE",
            "EXPENSE",
            Excluded,
            None,
            false,
        ),
        (
            "429",
            "General Expenses",
            "EXPENSE",
            "EXPENSE",
            Input,
            None,
            false,
        ),
        ("433", "Insurance", "EXPENSE", "EXPENSE", Input, None, false),
        (
            "445",
            "Light, Power, Heating",
            "EXPENSE",
            "EXPENSE",
            Input,
            None,
            false,
        ),
        ("469", "Rent", "EXPENSE", "EXPENSE", Input, None, false),
        (
            "489",
            "Telephone & Internet",
            "EXPENSE",
            "EXPENSE",
            Input,
            None,
            false,
        ),
        (
            "493",
            "Travel - National",
            "EXPENSE",
            "EXPENSE",
            Input,
            None,
            false,
        ),
        (
            "610",
            "Accounts Receivable",
            "CURRENT",
            "ASSET",
            Excluded,
            Some("DEBTORS"),
            false,
        ),
        (
            "800",
            "Accounts Payable",
            "CURRLIAB",
            "LIABILITY",
            Excluded,
            Some("CREDITORS"),
            false,
        ),
        (
            "820",
            "GST",
            "CURRLIAB",
            "LIABILITY",
            Excluded,
            Some("GST"),
            false,
        ),
        (
            "960",
            "Retained Earnings",
            "EQUITY",
            "EQUITY",
            Excluded,
            Some("RETAINEDEARNINGS"),
            false,
        ),
    ];
    chart
        .iter()
        .map(
            |(code, name, account_type, class, tax, system, archived)| Account {
                account_id: stable_id(tenant, "account", code),
                code: (*code).into(),
                name: (*name).into(),
                account_type: (*account_type).into(),
                status: if *archived { "ARCHIVED" } else { "ACTIVE" }.into(),
                class: (*class).into(),
                tax_type: tax.code(nz).into(),
                system_account: system.map(Into::into),
                bank_account_number: (*account_type == "BANK")
                    .then(|| format!("062-000 1234{code}")),
                updated,
            },
        )
        .collect()
}

fn tax_rates(nz: bool) -> Vec<TaxRate> {
    // (name, tax type, report tax type, percent, status)
    let rates: &[(&str, &str, &str, i64, &str)] = if nz {
        &[
            ("GST on Income", "OUTPUT2", "OUTPUT", 15, "ACTIVE"),
            ("GST on Expenses", "INPUT2", "INPUT", 15, "ACTIVE"),
            ("Zero Rated", "ZERORATED", "ZERORATEDOUTPUT", 0, "ACTIVE"),
            ("No GST", "NONE", "NONE", 0, "ACTIVE"),
            (
                "GST on Imports",
                "GSTONIMPORTS",
                "GSTONIMPORTS",
                0,
                "ACTIVE",
            ),
        ]
    } else {
        &[
            ("GST on Income", "OUTPUT", "OUTPUT", 10, "ACTIVE"),
            ("GST on Expenses", "INPUT", "INPUT", 10, "ACTIVE"),
            (
                "GST Free Income",
                "EXEMPTOUTPUT",
                "EXEMPTOUTPUT",
                0,
                "ACTIVE",
            ),
            (
                "GST Free Expenses",
                "EXEMPTEXPENSES",
                "EXEMPTEXPENSES",
                0,
                "ACTIVE",
            ),
            ("BAS Excluded", "BASEXCLUDED", "BASEXCLUDED", 0, "ACTIVE"),
            (
                "GST on Imports",
                "GSTONIMPORTS",
                "GSTONIMPORTS",
                0,
                "ACTIVE",
            ),
            ("Input Taxed", "INPUTTAXED", "INPUTTAXED", 0, "ACTIVE"),
            (
                "GST on Capital (old)",
                "CAPEXINPUT",
                "CAPEXINPUT",
                10,
                "ARCHIVED",
            ),
        ]
    };
    rates
        .iter()
        .map(|(name, tax_type, report, percent, status)| TaxRate {
            name: (*name).into(),
            tax_type: (*tax_type).into(),
            report_tax_type: (*report).into(),
            rate: Decimal::from(*percent),
            status: (*status).into(),
        })
        .collect()
}

fn tracking(tenant: Uuid, name: &str, active: &[&str], archived: &[&str]) -> TrackingCategory {
    let option = |option: &&str, status: &str| TrackingOption {
        tracking_option_id: stable_id(tenant, "tracking-option", &format!("{name}/{option}")),
        name: (*option).into(),
        status: status.into(),
    };
    TrackingCategory {
        tracking_category_id: stable_id(tenant, "tracking-category", name),
        name: name.into(),
        status: "ACTIVE".into(),
        options: active
            .iter()
            .map(|o| option(o, "ACTIVE"))
            .chain(archived.iter().map(|o| option(o, "ARCHIVED")))
            .collect(),
    }
}

/// One seeded contact; `""` means "not set".
struct SeedContact {
    name: &'static str,
    archived: bool,
    first: &'static str,
    last: &'static str,
    email: &'static str,
    number: &'static str,
    tax_number: &'static str,
    phone: &'static str,
    city: &'static str,
    supplier: bool,
}

/// Seed rows read as a table, so the positional arguments are the point.
#[allow(clippy::too_many_arguments)]
const fn c(
    name: &'static str,
    first: &'static str,
    last: &'static str,
    email: &'static str,
    number: &'static str,
    tax_number: &'static str,
    phone: &'static str,
    city: &'static str,
) -> SeedContact {
    SeedContact {
        name,
        archived: false,
        first,
        last,
        email,
        number,
        tax_number,
        phone,
        city,
        supplier: false,
    }
}

const fn archived(mut seed: SeedContact) -> SeedContact {
    seed.archived = true;
    seed
}

const fn supplier(mut seed: SeedContact) -> SeedContact {
    seed.supplier = true;
    seed
}

fn opt(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

impl SeedContact {
    fn contact(&self, tenant: Uuid, index: usize, nz: bool, now: DateTime<Utc>) -> Contact {
        // Spread over ~5 months, a few hours apart within the day so ordering is unambiguous.
        let step = i64::try_from(index).unwrap_or_default();
        let updated = now - Duration::days(step * 3 + 1) - Duration::hours((step * 7) % 24);
        let street = Address {
            address_type: Some("STREET".into()),
            address_line1: Some(format!(
                "{} {} Street",
                10 + index,
                if index.is_multiple_of(2) {
                    "George"
                } else {
                    "King"
                }
            )),
            city: opt(self.city),
            region: Some(if nz { "" } else { "NSW" }.to_string()).filter(|r| !r.is_empty()),
            postal_code: Some(if nz { "1010" } else { "2000" }.into()),
            country: Some(if nz { "New Zealand" } else { "Australia" }.into()),
            ..Address::default()
        };
        Contact {
            contact_id: contact_id(tenant, self.name),
            contact_number: opt(self.number),
            account_number: None,
            status: if self.archived { "ARCHIVED" } else { "ACTIVE" }.into(),
            name: self.name.into(),
            first_name: opt(self.first),
            last_name: opt(self.last),
            email_address: opt(self.email),
            company_number: None,
            bank_account_details: None,
            tax_number: opt(self.tax_number),
            accounts_receivable_tax_type: None,
            accounts_payable_tax_type: None,
            default_currency: None,
            addresses: if self.city.is_empty() {
                Vec::new()
            } else {
                vec![
                    Address {
                        address_type: Some("POBOX".into()),
                        ..Address::default()
                    },
                    street,
                ]
            },
            phones: opt(self.phone)
                .map(|number| {
                    vec![Phone {
                        phone_type: Some("DEFAULT".into()),
                        phone_number: Some(number),
                        phone_area_code: Some(if nz { "09" } else { "02" }.into()),
                        phone_country_code: None,
                    }]
                })
                .unwrap_or_default(),
            is_supplier: self.supplier,
            is_customer: false,
            merged_to: None,
            updated,
        }
    }
}

const DEMO_CONTACTS: &[SeedContact] = &[
    // Case: only one of each pair may be active.
    c(
        "Acme Plumbing",
        "Alan",
        "Nguyen",
        "accounts@acmeplumbing.com.au",
        "SB-0001",
        "51 824 753 556",
        "9555 0101",
        "Sydney",
    ),
    archived(c(
        "ACME Plumbing",
        "",
        "",
        "old@acmeplumbing.com.au",
        "",
        "51 824 753 556",
        "",
        "Sydney",
    )),
    // Punctuation.
    c(
        "O'Brien & Sons",
        "Pat",
        "O'Brien",
        "pat@obrienandsons.com.au",
        "SB-0002",
        "33 102 417 032",
        "9555 0102",
        "Parramatta",
    ),
    c(
        "OBrien and Sons",
        "Pat",
        "OBrien",
        "pat.obrien@example.com",
        "",
        "",
        "",
        "Parramatta",
    ),
    // Company suffixes.
    c(
        "Harbourside Cafe Pty Ltd",
        "Mia",
        "Rossi",
        "hello@harboursidecafe.com.au",
        "SB-0003",
        "12 004 044 937",
        "9555 0103",
        "Manly",
    ),
    c(
        "Harbourside Cafe",
        "Mia",
        "Rossi",
        "mia@harboursidecafe.com.au",
        "",
        "",
        "",
        "Manly",
    ),
    c(
        "Blue Gum Landscaping Limited",
        "Tom",
        "Baker",
        "tom@bluegum.com.au",
        "",
        "45 000 111 222",
        "9555 0104",
        "Hornsby",
    ),
    c(
        "Blue Gum Landscaping Ltd",
        "Tom",
        "Baker",
        "",
        "",
        "",
        "",
        "Hornsby",
    ),
    c(
        "Pinnacle Investments Pty. Ltd.",
        "Grace",
        "Lee",
        "grace@pinnacleinvest.com.au",
        "",
        "76 543 210 987",
        "",
        "Sydney",
    ),
    c(
        "Pinnacle Investments Pty Ltd",
        "",
        "",
        "admin@pinnacleinvest.com.au",
        "",
        "",
        "",
        "Sydney",
    ),
    c(
        "The Good Grocer",
        "Sam",
        "Patel",
        "sam@goodgrocer.com.au",
        "",
        "",
        "9555 0105",
        "Leichhardt",
    ),
    c(
        "Good Grocer, The",
        "",
        "",
        "orders@goodgrocer.com.au",
        "",
        "",
        "",
        "Leichhardt",
    ),
    // Two contacts sharing an email address.
    c(
        "Smith & Co Electrical",
        "Jane",
        "Smith",
        "accounts@smithelectrical.com.au",
        "SB-0004",
        "22 333 444 555",
        "9555 0106",
        "Penrith",
    ),
    c(
        "Smith Electrical Services",
        "John",
        "Smith",
        "accounts@smithelectrical.com.au",
        "",
        "",
        "",
        "Penrith",
    ),
    // Two contacts sharing an ABN.
    c(
        "Coastal Physio",
        "Priya",
        "Shah",
        "priya@coastalphysio.com.au",
        "",
        "98 765 432 109",
        "9555 0107",
        "Cronulla",
    ),
    c(
        "Coastal Physiotherapy Pty Ltd",
        "",
        "",
        "reception@coastalphysio.com.au",
        "",
        "98 765 432 109",
        "",
        "Cronulla",
    ),
    // Case, with the lower-case one archived.
    c(
        "Greenleaf Organics",
        "Ava",
        "Green",
        "ava@greenleaf.com.au",
        "SB-0005",
        "",
        "9555 0108",
        "Newtown",
    ),
    archived(c("greenleaf organics", "", "", "", "", "", "", "")),
    c(
        "Bondi Bakery",
        "Luca",
        "Bianchi",
        "luca@bondibakery.com.au",
        "SB-0006",
        "61 234 567 890",
        "9555 0109",
        "Bondi",
    ),
    c(
        "Carlton Dental Group",
        "Emma",
        "Carlton",
        "emma@carltondental.com.au",
        "",
        "62 345 678 901",
        "9555 0110",
        "Carlton",
    ),
    c(
        "Eastwood Motors",
        "Raj",
        "Kumar",
        "service@eastwoodmotors.com.au",
        "",
        "63 456 789 012",
        "",
        "Eastwood",
    ),
    c(
        "Fitzroy Yoga Studio",
        "Chloe",
        "Martin",
        "chloe@fitzroyyoga.com.au",
        "",
        "",
        "",
        "Fitzroy",
    ),
    c(
        "Glebe Legal",
        "Oliver",
        "Hughes",
        "oliver@glebelegal.com.au",
        "SB-0007",
        "64 567 890 123",
        "9555 0111",
        "Glebe",
    ),
    c(
        "Hunter Valley Wines Pty Ltd",
        "Isla",
        "Fraser",
        "cellar@huntervalleywines.com.au",
        "",
        "65 678 901 234",
        "",
        "Pokolbin",
    ),
    c(
        "Inner West Architects",
        "Noah",
        "Walker",
        "noah@iwarch.com.au",
        "",
        "",
        "9555 0112",
        "Marrickville",
    ),
    c(
        "Jacaranda Childcare",
        "Ruby",
        "Hall",
        "ruby@jacarandachildcare.com.au",
        "",
        "66 789 012 345",
        "",
        "Chatswood",
    ),
    c(
        "Kirribilli Consulting",
        "Jack",
        "Young",
        "jack@kirribilliconsulting.com.au",
        "SB-0008",
        "",
        "",
        "Kirribilli",
    ),
    c(
        "Lane Cove Vets",
        "Zoe",
        "King",
        "frontdesk@lanecovevets.com.au",
        "",
        "67 890 123 456",
        "9555 0113",
        "Lane Cove",
    ),
    c(
        "Marrickville Brewing Co",
        "Leo",
        "Wright",
        "leo@marrickvillebrewing.com.au",
        "",
        "",
        "",
        "Marrickville",
    ),
    c(
        "Newtown Print Shop",
        "Ella",
        "Scott",
        "print@newtownprint.com.au",
        "",
        "",
        "",
        "Newtown",
    ),
    c(
        "Ocean Breeze Motel",
        "Henry",
        "Adams",
        "stay@oceanbreezemotel.com.au",
        "",
        "68 901 234 567",
        "",
        "Terrigal",
    ),
    c(
        "Paddington Florist",
        "Lily",
        "Baker",
        "lily@paddingtonflorist.com.au",
        "",
        "",
        "9555 0114",
        "Paddington",
    ),
    c(
        "Queen St Pharmacy",
        "Max",
        "Nelson",
        "max@queenstpharmacy.com.au",
        "SB-0009",
        "69 012 345 678",
        "",
        "Woollahra",
    ),
    c(
        "Redfern Removals",
        "Mason",
        "Carter",
        "bookings@redfernremovals.com.au",
        "",
        "",
        "",
        "Redfern",
    ),
    c(
        "Surry Hills Design Studio",
        "Aria",
        "Mitchell",
        "aria@shds.com.au",
        "",
        "",
        "",
        "Surry Hills",
    ),
    c(
        "Tamarama Surf School",
        "Finn",
        "Perez",
        "finn@tamaramasurf.com.au",
        "",
        "",
        "",
        "Tamarama",
    ),
    c(
        "Ultimo IT Services",
        "Ethan",
        "Roberts",
        "support@ultimoit.com.au",
        "SB-0010",
        "70 123 456 789",
        "9555 0115",
        "Ultimo",
    ),
    c(
        "Vaucluse Property Group",
        "Sophie",
        "Turner",
        "sophie@vaucluseproperty.com.au",
        "",
        "71 234 567 890",
        "",
        "Vaucluse",
    ),
    c(
        "Waverley Pilates",
        "Harper",
        "Phillips",
        "hello@waverleypilates.com.au",
        "",
        "",
        "",
        "Waverley",
    ),
    c(
        "Xavier Tiling",
        "Xavier",
        "Campbell",
        "xavier@xaviertiling.com.au",
        "",
        "",
        "0412 555 016",
        "Blacktown",
    ),
    c(
        "Yarra Catering",
        "Amelia",
        "Parker",
        "events@yarracatering.com.au",
        "",
        "",
        "",
        "Richmond",
    ),
    c(
        "Zetland Fitness",
        "Lucas",
        "Evans",
        "lucas@zetlandfitness.com.au",
        "",
        "",
        "",
        "Zetland",
    ),
    c(
        "Li Chen",
        "Li",
        "Chen",
        "li.chen@example.com",
        "SB-0011",
        "",
        "0412 555 017",
        "Hurstville",
    ),
    c(
        "Dr Sarah Wilson",
        "Sarah",
        "Wilson",
        "sarah.wilson@example.com",
        "",
        "72 345 678 901",
        "",
        "Mosman",
    ),
    c(
        "Mark & Julie Thompson",
        "Mark",
        "Thompson",
        "thompsons@example.com",
        "",
        "",
        "",
        "Epping",
    ),
    c(
        "Nguyen Family Trust",
        "Minh",
        "Nguyen",
        "minh.nguyen@example.com",
        "",
        "73 456 789 012",
        "",
        "Cabramatta",
    ),
    archived(c(
        "Riverside Medical Centre",
        "Grace",
        "Morris",
        "admin@riversidemedical.com.au",
        "",
        "74 567 890 123",
        "",
        "Ryde",
    )),
    supplier(c(
        "Summit Accounting Software",
        "",
        "",
        "billing@summitsoftware.example",
        "",
        "",
        "",
        "",
    )),
    supplier(c("Officeworks", "", "", "", "", "", "", "")),
    supplier(c("Telstra", "", "", "", "", "", "", "")),
    supplier(c("AGL Energy", "", "", "", "", "", "", "")),
];

const HARBOUR_CONTACTS: &[SeedContact] = &[
    c(
        "Harbour Dental",
        "Nina",
        "Lopez",
        "nina@harbourdental.com.au",
        "",
        "80 111 222 333",
        "9555 0201",
        "Balmain",
    ),
    c(
        "Pier 9 Restaurant",
        "Omar",
        "Haddad",
        "omar@pier9.com.au",
        "",
        "",
        "",
        "Pyrmont",
    ),
    c(
        "Ferry Street Books",
        "Ivy",
        "Chen",
        "ivy@ferrystreetbooks.com.au",
        "",
        "",
        "",
        "Balmain",
    ),
    c(
        "Mosman Wellness",
        "Kate",
        "Doyle",
        "kate@mosmanwellness.com.au",
        "",
        "81 222 333 444",
        "",
        "Mosman",
    ),
    c(
        "Balmain Boat Hire",
        "Ben",
        "Ross",
        "ben@balmainboats.com.au",
        "",
        "",
        "",
        "Balmain",
    ),
    c(
        "Circular Quay Tours",
        "Ana",
        "Silva",
        "tours@cqtours.com.au",
        "",
        "",
        "",
        "Sydney",
    ),
    c(
        "Acme Plumbing",
        "Alan",
        "Nguyen",
        "accounts@acmeplumbing.com.au",
        "",
        "51 824 753 556",
        "",
        "Sydney",
    ),
];

const NORTHWIND_CONTACTS: &[SeedContact] = &[
    c(
        "Kiwi Orchard Ltd",
        "Aroha",
        "Ngata",
        "aroha@kiwiorchard.co.nz",
        "",
        "111-222-333",
        "555 0301",
        "Tauranga",
    ),
    c(
        "Ponsonby Coffee Roasters",
        "Sione",
        "Tupou",
        "sione@ponsonbycoffee.co.nz",
        "",
        "",
        "",
        "Auckland",
    ),
    c(
        "Wellington Wharf Co",
        "Hannah",
        "Reid",
        "hannah@wellingtonwharf.co.nz",
        "",
        "222-333-444",
        "",
        "Wellington",
    ),
    c(
        "Taupo Adventures Limited",
        "Tane",
        "Walker",
        "tane@taupoadventures.co.nz",
        "",
        "",
        "",
        "Taupo",
    ),
    c(
        "Auckland Legal Partners",
        "Olivia",
        "Brown",
        "olivia@aklegal.co.nz",
        "",
        "333-444-555",
        "",
        "Auckland",
    ),
    c(
        "Rotorua Spa & Resort",
        "Mere",
        "Kingi",
        "mere@rotoruaspa.co.nz",
        "",
        "",
        "",
        "Rotorua",
    ),
];

/// A paid, an approved and a draft invoice in the demo organisation, made through the same
/// code path as the API so they are consistent with it.
fn seed_invoices(org: &mut Org, now: DateTime<Utc>) {
    let day = |days_ago: i64| (now - Duration::days(days_ago)).date_naive();
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let acme = contact_id(org.tenant_id(), "Acme Plumbing");
    let cafe = contact_id(org.tenant_id(), "Harbourside Cafe Pty Ltd");
    let bakery = contact_id(org.tenant_id(), "Bondi Bakery");
    let elements = vec![
        json!({
            "Type": "ACCREC", "Contact": {"ContactID": acme}, "Date": date(day(60)), "Status": "AUTHORISED",
            "Reference": "SB-DEMO-0001", "LineAmountTypes": "Exclusive",
            "LineItems": [{"Description": "Monthly bookkeeping", "Quantity": 1, "UnitAmount": 450, "AccountCode": "201", "TaxType": "OUTPUT"}],
        }),
        json!({
            "Type": "ACCREC", "Contact": {"ContactID": cafe}, "Date": date(day(20)), "Status": "AUTHORISED",
            "Reference": "SB-DEMO-0002", "LineAmountTypes": "Exclusive",
            "LineItems": [
                {"Description": "Monthly bookkeeping", "Quantity": 1, "UnitAmount": 380, "AccountCode": "201",
                 "Tracking": [{"Name": "Region", "Option": "East"}, {"Name": "Service line", "Option": "Bookkeeping"}]},
                {"Description": "BAS preparation", "Quantity": 1.5, "UnitAmount": 165, "AccountCode": "202",
                 "Tracking": [{"Name": "Service line", "Option": "Tax"}]},
            ],
        }),
        json!({
            "Type": "ACCREC", "Contact": {"ContactID": bakery}, "Date": date(day(2)), "Status": "DRAFT",
            "Reference": "SB-DEMO-0003", "LineAmountTypes": "Inclusive",
            "LineItems": [{"Description": "Advisory session", "Quantity": 2, "UnitAmount": 247.5, "AccountCode": "203"}],
        }),
    ];
    // The seed data is fixed and valid; a failure here would show up in every test at once.
    let batch = Batch {
        mode: Mode::Create,
        summarize: true,
        unit_places: 2,
        path_invoice: None,
        created_by: None,
        now,
    };
    let _ = write_to_org(org, elements, &batch);
    let _ = record_payment(org, "INV-0001", Decimal::from(495), Some(day(45)), now);
    // Seeding is not an API write.
    org.counters = WriteCounters::default();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Other crates' tests may hard-code these; they must never drift.
    #[test]
    fn seeded_ids_are_stable() {
        assert_eq!(
            contact_id(DEMO_COMPANY_AU, "Acme Plumbing").to_string(),
            "48dfadd6-85fd-5b0f-bda7-590c8c89ae61"
        );
        assert_eq!(
            contact_id(DEMO_COMPANY_AU, "Bondi Bakery").to_string(),
            "4e85672c-6874-57a4-a16c-63340d2b3ea1"
        );
        assert_eq!(
            DEMO_COMPANY_AU.to_string(),
            "7f3c1b52-9d4e-4a8b-8c21-5e6f70a1b201"
        );
    }

    #[test]
    fn seed_is_consistent() {
        let orgs = organisations(Utc::now());
        let demo = &orgs[0];
        assert_eq!(
            demo.invoices.len(),
            3,
            "every seeded invoice passed validation"
        );
        assert_eq!(demo.invoices[0].status, "PAID");
        assert!(demo.contacts.len() >= 50);
        for org in &orgs {
            let mut active: Vec<String> = org
                .contacts
                .iter()
                .filter(|c| c.is_active())
                .map(|c| c.name.to_lowercase())
                .collect();
            let count = active.len();
            active.sort();
            active.dedup();
            assert_eq!(
                active.len(),
                count,
                "active names are unique in {}",
                org.organisation.name
            );
        }
    }
}
