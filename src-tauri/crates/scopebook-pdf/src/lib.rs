//! Proposal / letter-of-engagement PDFs, and report PDFs for the partners' meeting.
//!
//! Owns: the view-model ([`ProposalDocument`]), the typst template (`templates/proposal.typ`) and
//! the fonts it prints with, and [`render_pdf`].
//!
//! Rules:
//! - No database, no Tauri, no clock, no system fonts, no file system: the same document gives the
//!   same PDF on every OS.
//! - Every text arrives formatted (money, dates, quantities); the template never formats numbers.
//! - User text never becomes typst source. The template is fixed; the document travels as JSON in a
//!   virtual file (`/data.json`), so a client called `#set page(...)` prints exactly that.

mod document;
mod report;
mod sample;
mod template_data;
pub use template_data::check_logo;
mod world;

pub use document::{
    CalendarDate, FeeGroup, FeeLine, Logo, LogoFormat, OptionColumn, Party, ProposalDocument,
    ScopeItem, Total,
};
pub use report::{ReportColumn, ReportDocument, render_report_pdf};

use typst::diag::SourceDiagnostic;
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::template_data::TemplateData;
use crate::world::{ASSETS, DocWorld, Main};

/// Why a proposal could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The brand colour is not `#RGB` or `#RRGGBB`.
    #[error("the brand colour \"{0}\" is not a colour like #2F6FD6")]
    BrandColour(String),
    /// The logo's bytes are not an image of the format it claims.
    #[error("the logo is not a valid {0} image")]
    Logo(&'static str),
    /// The issue date is not a day of the calendar.
    #[error("the issue date {0}-{1:02}-{2:02} is not a calendar date")]
    Date(i32, u8, u8),
    /// The document could not be handed to the template.
    #[error("could not prepare the proposal data for the template: {0}")]
    Data(#[from] serde_json::Error),
    /// The renderer could not be set up (fonts, template); a bug in this crate.
    #[error("the PDF renderer could not start: {0}")]
    Setup(String),
    /// Typst stopped while laying out the document.
    #[error("the proposal could not be laid out: {0}")]
    Layout(String),
    /// Typst could not write the PDF.
    #[error("the proposal PDF could not be written: {0}")]
    Export(String),
}

/// How many renders a cached layout survives without being used (typst's `comemo` cache). Keeps
/// warm renders fast while bounding memory in a long-running app.
pub(crate) const CACHE_MAX_AGE: usize = 10;

/// Renders between two sweeps of typst's cache: a sweep walks every cached layout (a few
/// milliseconds after a long proposal), so it is done on every fourth render, not on each.
const EVICT_EVERY: usize = 4;

/// Drops cached layouts unused for about [`CACHE_MAX_AGE`] renders, sweeping every
/// [`EVICT_EVERY`] renders (typst counts an entry's age in sweeps).
pub(crate) fn evict_now_and_then() {
    static RENDERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if RENDERS
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        .is_multiple_of(EVICT_EVERY)
    {
        typst::comemo::evict(CACHE_MAX_AGE.div_ceil(EVICT_EVERY));
    }
}

/// The standards every proposal PDF conforms to, checked by typst as it writes the file (a
/// document that can't conform is an error, never a quietly non-conforming file): PDF/A-2b, so
/// the letter can be kept and reproduced for the seven years a firm keeps its records, and PDF/UA-1,
/// so a screen reader can read it (tagged structure, title, language, alt text).
pub const PROPOSAL_STANDARDS: [PdfStandard; 2] = [PdfStandard::A_2b, PdfStandard::Ua_1];

/// Renders the proposal as an A4 PDF: PDF/A-2b and PDF/UA-1 ([`PROPOSAL_STANDARDS`]), fonts
/// embedded, created on the proposal's issue date.
pub fn render_pdf(doc: &ProposalDocument) -> Result<Vec<u8>, PdfError> {
    render_pdf_timed(doc).map(|(pdf, _)| pdf)
}

/// How long a render spent in each phase: typst's layout (`compile`) and writing the PDF with
/// its tagging and standards checks (`export`). For the render benchmark.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderPhases {
    /// Turning the document into the template's data and the typst world.
    pub data: std::time::Duration,
    pub compile: std::time::Duration,
    pub export: std::time::Duration,
    /// Dropping cached layouts older than [`CACHE_MAX_AGE`] renders.
    pub evict: std::time::Duration,
}

/// [`render_pdf`], with the time of each phase.
pub fn render_pdf_timed(doc: &ProposalDocument) -> Result<(Vec<u8>, RenderPhases), PdfError> {
    let mut phases = RenderPhases::default();
    let started = std::time::Instant::now();
    let assets = ASSETS
        .as_ref()
        .map_err(|err| PdfError::Setup(err.clone()))?;
    let mut data = serde_json::to_value(TemplateData::from_document(doc)?)?;
    breakable_runs(&mut data);
    let data = serde_json::to_vec(&data)?;
    let logo = match &doc.logo {
        Some(logo) => {
            template_data::check_logo(logo)?;
            Some((logo.format, logo.bytes.clone()))
        }
        None => None,
    };
    let world = DocWorld::new(assets, Main::Proposal, data, logo);

    phases.data = started.elapsed();
    let started = std::time::Instant::now();
    let compiled = typst::compile::<PagedDocument>(&world).output;
    phases.compile = started.elapsed();
    let started = std::time::Instant::now();
    let result = compiled
        .map_err(|errors| PdfError::Layout(describe(&errors)))
        .and_then(|paged| {
            let standards = PdfStandards::new(&PROPOSAL_STANDARDS)
                .map_err(|err| PdfError::Setup(err.message().to_string()))?;
            let issued = doc.issued_on;
            let date = Datetime::from_ymd(issued.year, issued.month, issued.day)
                .ok_or(PdfError::Date(issued.year, issued.month, issued.day))?;
            let options = PdfOptions {
                // A stable identifier per proposal version, so re-rendering gives the same PDF id.
                ident: Smart::Custom(format!("{}/v{}", doc.number, doc.version)),
                timestamp: Some(Timestamp::new_utc(date)),
                standards,
                ..PdfOptions::default()
            };
            typst_pdf::pdf(&paged, &options).map_err(|errors| PdfError::Export(describe(&errors)))
        });
    phases.export = started.elapsed();
    let started = std::time::Instant::now();
    evict_now_and_then();
    phases.evict = started.elapsed();
    result.map(|pdf| (pdf, phases))
}

/// The shortest run of non-space characters that may break anywhere.
const LONG_RUN: usize = 28;

/// Lets every long unbroken run in the letter's texts (an account number, a URL, pasted text)
/// break anywhere rather than run off the page: a zero-width space between the grapheme
/// clusters of each run of [`LONG_RUN`] or more non-space characters. Done on the data, not by a
/// show rule in the template: a regex rule over all text was a fifth of a long proposal's layout.
fn breakable_runs(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let Some(broken) = break_long_runs(text) {
                *text = broken;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(breakable_runs),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(breakable_runs),
        _ => {}
    }
}

/// `text` with its long runs breakable, or `None` when it has none (the common case).
fn break_long_runs(text: &str) -> Option<String> {
    use unicode_segmentation::UnicodeSegmentation;
    let long = |run: &str| run.chars().count() >= LONG_RUN;
    if !text.split(char::is_whitespace).any(long) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if long(run) {
            out.push_str(&run.graphemes(true).collect::<Vec<_>>().join("\u{200B}"));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut run, &mut out);
            out.push(c);
        } else {
            run.push(c);
        }
    }
    flush(&mut run, &mut out);
    Some(out)
}

pub(crate) fn describe(errors: &[SourceDiagnostic]) -> String {
    let messages: Vec<String> = errors
        .iter()
        .map(|error| {
            let hints: Vec<&str> = error.hints.iter().map(|hint| hint.v.as_str()).collect();
            if hints.is_empty() {
                error.message.to_string()
            } else {
                format!("{} (hint: {})", error.message, hints.join("; "))
            }
        })
        .collect();
    messages.join("; ")
}

#[cfg(test)]
mod breaking_tests {
    use super::break_long_runs;

    #[test]
    fn only_runs_of_28_or_more_become_breakable() {
        assert_eq!(break_long_runs("Acme Plumbing Pty Ltd"), None);
        let url = "https://example.com/a/very/long/path/to/a/page";
        let broken = break_long_runs(&format!("See {url} today")).unwrap();
        assert!(broken.starts_with("See h\u{200B}t\u{200B}t"));
        assert!(broken.ends_with("e today"));
        assert_eq!(broken.replace('\u{200B}', ""), format!("See {url} today"));
        // A combining accent stays on its letter.
        let accented = "e\u{301}".repeat(30);
        let broken = break_long_runs(&accented).unwrap();
        assert!(
            broken
                .split('\u{200B}')
                .all(|cluster| cluster == "e\u{301}")
        );
    }
}
