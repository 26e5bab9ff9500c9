//! The view-model a caller fills in: every piece of text is final (money, dates and quantities are
//! formatted by the caller), so the template only lays it out.

use serde::{Deserialize, Serialize};

/// A proposal / letter of engagement, ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalDocument {
    /// The firm sending the proposal.
    pub practice: Party,
    /// The client or prospect it is addressed to.
    pub client: Party,
    /// The firm's brand colour as `#RRGGBB` (or `#RGB`), used for headings and accents only.
    pub brand_colour: String,
    /// The firm's logo, printed at the top of the first page.
    pub logo: Option<Logo>,
    /// e.g. "Proposal and letter of engagement".
    pub title: String,
    /// e.g. "P-2026-0042".
    pub number: String,
    /// 1, 2… (amendments); "Version N" is shown when N > 1.
    pub version: u32,
    /// Pre-formatted issue date, e.g. "22 November 2026".
    pub date: String,
    /// The same date as a calendar date: the PDF's creation date (PDF/A requires one), so the
    /// same proposal version always gives the same file.
    pub issued_on: CalendarDate,
    /// Pre-formatted expiry date, e.g. "22 December 2026".
    pub valid_until: String,
    /// Paragraphs separated by blank lines.
    pub introduction: String,
    /// What the engagement covers.
    pub scope_in: Vec<ScopeItem>,
    /// The packages to choose from, side by side (none, or two or three).
    #[serde(default)]
    pub options: Vec<OptionColumn>,
    /// What is NOT included.
    pub scope_out: Vec<String>,
    /// Fees grouped by frequency.
    pub fee_groups: Vec<FeeGroup>,
    /// Summary figures, e.g. ("Monthly recurring", "$1,250.00").
    pub totals: Vec<Total>,
    /// Engagement terms with placeholders already filled: paragraphs separated by blank lines; a
    /// line starting with "## " is a heading.
    pub terms: String,
    /// e.g. "Jane Doe, Harbour Bookkeeping".
    pub practice_signatory: String,
    /// e.g. "Sam Lee, Acme Plumbing"; may be empty (a blank name line is printed).
    pub client_signatory: String,
    /// e.g. "All amounts in AUD, excluding GST."
    pub currency_note: String,
}

/// One package of a proposal that offers a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionColumn {
    /// e.g. "Growth".
    pub name: String,
    pub description: String,
    /// Its services, e.g. "Payroll · 12 employees — $180.00 / month".
    pub services: Vec<String>,
    /// What it comes to with the common services, e.g. ("Monthly", "$1,250.00").
    pub totals: Vec<Total>,
    /// The option the client accepted.
    pub chosen: bool,
}

/// A day of the calendar (no time, no zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDate {
    pub year: i32,
    /// 1–12.
    pub month: u8,
    /// 1–31.
    pub day: u8,
}

/// A firm or a client as printed on the letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Trading name.
    pub name: String,
    /// Registered name; printed when it differs from `name`.
    pub legal_name: String,
    /// Address lines, email, phone, "ABN 51 824 753 556"…
    pub lines: Vec<String>,
}

/// An image printed at the top of the first page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logo {
    pub bytes: Vec<u8>,
    pub format: LogoFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogoFormat {
    Png,
    Jpeg,
}

/// One line of "What's included".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeItem {
    pub service: String,
    pub description: String,
    /// e.g. "250 transactions", or "".
    pub quantity: String,
    /// e.g. "Monthly".
    pub frequency: String,
    /// e.g. "From December 2026" or "December 2026 – March 2027".
    pub starts: String,
    /// e.g. "$425.00".
    pub price: String,
    /// How the price was reached, when the line shows one: "Quality of the books: poor (× 1.3)
    /// · 10% discount", or "".
    #[serde(default)]
    pub note: String,
    /// An optional line the client may choose.
    pub optional: bool,
}

/// Fees of one frequency ("Monthly", "Quarterly", "One-off"…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeGroup {
    pub label: String,
    pub lines: Vec<FeeLine>,
    pub total: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    pub name: String,
    pub amount: String,
    /// e.g. "10% discount", or "".
    pub note: String,
}

/// A figure of the totals summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Total {
    pub label: String,
    pub value: String,
}
