//! Report PDFs for the partners' meeting: a title, what the report covers, and its table, on the
//! firm's brand colour and logo. Same rules as the proposal: every text arrives formatted, and
//! none of it becomes typst source.

use serde::Serialize;
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use crate::template_data::Brand;
use crate::world::{ASSETS, Assets, DocWorld, Main};
use crate::{Logo, PdfError, describe};

/// A report as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDocument {
    /// The firm's trading name.
    pub practice: String,
    pub brand_colour: String,
    pub logo: Option<Logo>,
    pub title: String,
    /// What it covers, e.g. "January 2026 to March 2027, all clients".
    pub subtitle: String,
    /// The day it was printed, formatted.
    pub printed: String,
    pub columns: Vec<ReportColumn>,
    /// Formatted cells, one per column.
    pub rows: Vec<Vec<String>>,
    /// A line under the table (e.g. "Amounts in AUD, excluding GST."); may be empty.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportColumn {
    pub name: String,
    /// Right-aligned, in tabular figures.
    pub numeric: bool,
}

#[derive(Serialize)]
struct ReportData<'a> {
    practice: &'a str,
    brand: Brand,
    logo: Option<&'static str>,
    title: &'a str,
    subtitle: &'a str,
    printed: &'a str,
    columns: &'a [ReportColumn],
    rows: &'a [Vec<String>],
    note: &'a str,
    /// Wide tables print across the page.
    landscape: bool,
}

/// Renders the report as an A4 PDF (landscape for more than six columns).
pub fn render_report_pdf(doc: &ReportDocument) -> Result<Vec<u8>, PdfError> {
    let assets = ASSETS
        .as_ref()
        .map_err(|err| PdfError::Setup(err.clone()))?;
    if let Some(logo) = &doc.logo {
        crate::template_data::check_logo(logo)?;
    }
    if let Some(row) = doc.rows.iter().find(|r| r.len() != doc.columns.len()) {
        return Err(PdfError::Layout(format!(
            "a row has {} cells for {} columns",
            row.len(),
            doc.columns.len()
        )));
    }
    let data = serde_json::to_vec(&ReportData {
        practice: &doc.practice,
        brand: Brand::parse(&doc.brand_colour)?,
        logo: doc.logo.as_ref().map(|l| Assets::logo_path(l.format)),
        title: &doc.title,
        subtitle: &doc.subtitle,
        printed: &doc.printed,
        columns: &doc.columns,
        rows: &doc.rows,
        note: &doc.note,
        landscape: doc.columns.len() > 6,
    })?;
    let logo = doc.logo.as_ref().map(|l| (l.format, l.bytes.clone()));
    let world = DocWorld::new(assets, Main::Report, data, logo);
    let result = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| PdfError::Layout(describe(&errors)))
        .and_then(|paged| {
            let options = PdfOptions {
                ident: Smart::Custom(format!("{}/{}", doc.title, doc.subtitle)),
                ..PdfOptions::default()
            };
            typst_pdf::pdf(&paged, &options).map_err(|errors| PdfError::Export(describe(&errors)))
        });
    crate::evict_now_and_then();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(rows: usize) -> ReportDocument {
        ReportDocument {
            practice: "Harbour Bookkeeping".into(),
            brand_colour: "#2F6FD6".into(),
            logo: None,
            title: "Recurring revenue".into(),
            subtitle: "January 2026 to December 2026, all clients".into(),
            printed: "1 December 2026".into(),
            columns: ["Month", "Recurring revenue", "New", "Churn"]
                .iter()
                .enumerate()
                .map(|(i, name)| ReportColumn {
                    name: (*name).into(),
                    numeric: i > 0,
                })
                .collect(),
            rows: (0..rows)
                .map(|i| {
                    vec![
                        format!("2026-{:02}", i % 12 + 1),
                        "1,916.67".into(),
                        "216.67".into(),
                        "-500.00".into(),
                    ]
                })
                .collect(),
            note: "Amounts in AUD, excluding GST.".into(),
        }
    }

    #[test]
    fn a_report_prints_its_table_over_as_many_pages_as_it_needs() {
        let one = render_report_pdf(&document(12)).unwrap();
        assert!(one.starts_with(b"%PDF-"));
        let long = render_report_pdf(&document(400)).unwrap();
        assert!(long.starts_with(b"%PDF-"));
        assert!(long.len() > one.len(), "400 rows run over more pages");
    }

    #[test]
    fn a_text_that_looks_like_markup_is_printed_as_text() {
        let mut doc = document(1);
        doc.title = "#set page(width: 1pt) *bold*".into();
        doc.rows[0][0] = "]) #panic(\"no\")".into();
        assert!(render_report_pdf(&doc).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn a_row_of_the_wrong_width_is_refused() {
        let mut doc = document(2);
        doc.rows[1].pop();
        assert!(matches!(render_report_pdf(&doc), Err(PdfError::Layout(_))));
    }
}
