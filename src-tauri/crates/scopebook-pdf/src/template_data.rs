//! What the template reads from `/data.json`: the document's text as given, plus the few things
//! the template should not have to work out (paragraph structure, the version label, which ink
//! suits the brand colour, where the logo is).

use serde::Serialize;

use crate::PdfError;
use crate::document::{
    FeeGroup, Logo, LogoFormat, OptionColumn, Party, ProposalDocument, ScopeItem, Total,
};
use crate::world::Assets;

#[derive(Debug, Serialize)]
pub(crate) struct TemplateData<'a> {
    practice: &'a Party,
    client: &'a Party,
    brand: Brand,
    /// Virtual path of the logo, if there is one.
    logo: Option<&'static str>,
    title: &'a str,
    number: &'a str,
    /// "Version 2" for amendments; absent for the first version.
    version: Option<String>,
    date: &'a str,
    valid_until: &'a str,
    introduction: Vec<Block<'a>>,
    scope_in: &'a [ScopeItem],
    options: &'a [OptionColumn],
    scope_out: &'a [String],
    fee_groups: &'a [FeeGroup],
    totals: &'a [Total],
    terms: Vec<Block<'a>>,
    practice_signatory: &'a str,
    client_signatory: &'a str,
    currency_note: &'a str,
}

impl<'a> TemplateData<'a> {
    pub(crate) fn from_document(doc: &'a ProposalDocument) -> Result<Self, PdfError> {
        Ok(Self {
            practice: &doc.practice,
            client: &doc.client,
            brand: Brand::parse(&doc.brand_colour)?,
            logo: doc.logo.as_ref().map(|logo| Assets::logo_path(logo.format)),
            title: &doc.title,
            number: &doc.number,
            version: (doc.version > 1).then(|| format!("Version {}", doc.version)),
            date: &doc.date,
            valid_until: &doc.valid_until,
            introduction: blocks(&doc.introduction),
            scope_in: &doc.scope_in,
            options: &doc.options,
            scope_out: &doc.scope_out,
            fee_groups: &doc.fee_groups,
            totals: &doc.totals,
            terms: blocks(&doc.terms),
            practice_signatory: &doc.practice_signatory,
            client_signatory: &doc.client_signatory,
            currency_note: &doc.currency_note,
        })
    }
}

/// The brand colour and whether it is light enough that text on it must be dark (and headings in
/// it must be darkened to stay readable on white).
#[derive(Debug, Serialize)]
pub(crate) struct Brand {
    colour: String,
    light: bool,
}

impl Brand {
    pub(crate) fn parse(text: &str) -> Result<Self, PdfError> {
        let invalid = || PdfError::BrandColour(text.to_owned());
        let hex = text.trim().strip_prefix('#').ok_or_else(invalid)?;
        let digits: Vec<u8> = hex
            .chars()
            .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
            .collect::<Option<_>>()
            .ok_or_else(invalid)?;
        let (r, g, b) = match digits.as_slice() {
            [r, g, b] => (r * 17, g * 17, b * 17),
            [r1, r0, g1, g0, b1, b0] => (r1 * 16 + r0, g1 * 16 + g0, b1 * 16 + b0),
            _ => return Err(invalid()),
        };
        // Perceived brightness (ITU-R BT.601 weights) in 0..=255_000.
        let brightness = 299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b);
        Ok(Self {
            colour: format!("#{r:02X}{g:02X}{b:02X}"),
            light: brightness > 165_000,
        })
    }
}

/// A paragraph (its lines, kept as the author broke them) or a heading.
#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub(crate) enum Block<'a> {
    Heading(&'a str),
    Paragraph(Vec<&'a str>),
}

/// Splits text into paragraphs at blank lines; a line starting with "## " is a heading of its own.
pub(crate) fn blocks(text: &str) -> Vec<Block<'_>> {
    fn flush<'t>(lines: &mut Vec<&'t str>, blocks: &mut Vec<Block<'t>>) {
        if !lines.is_empty() {
            blocks.push(Block::Paragraph(std::mem::take(lines)));
        }
    }
    let mut blocks = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if let Some(heading) = line.trim_start().strip_prefix("## ") {
            flush(&mut lines, &mut blocks);
            blocks.push(Block::Heading(heading.trim()));
        } else if line.trim().is_empty() {
            flush(&mut lines, &mut blocks);
        } else {
            lines.push(line);
        }
    }
    flush(&mut lines, &mut blocks);
    blocks
}

/// Rejects a logo that is not a whole image of the format it claims: the bytes must start like
/// the format and decode (a truncated or damaged file is caught here, when the bookkeeper picks
/// it, not later when a proposal is rendered).
pub fn check_logo(logo: &Logo) -> Result<(), PdfError> {
    use typst::foundations::{Bytes, Smart};
    use typst::visualize::{ExchangeFormat, RasterImage};
    let (name, exchange) = match logo.format {
        LogoFormat::Png if logo.bytes.starts_with(b"\x89PNG\r\n\x1a\n") => {
            ("PNG", ExchangeFormat::Png)
        }
        LogoFormat::Jpeg if logo.bytes.starts_with(&[0xFF, 0xD8, 0xFF]) => {
            ("JPEG", ExchangeFormat::Jpg)
        }
        LogoFormat::Png => return Err(PdfError::Logo("PNG")),
        LogoFormat::Jpeg => return Err(PdfError::Logo("JPEG")),
    };
    RasterImage::new(Bytes::new(logo.bytes.clone()), exchange, Smart::Auto)
        .map(|_| ())
        .map_err(|_| PdfError::Logo(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_split_paragraphs_and_headings() {
        let text =
            "## Fees\nWe invoice monthly.\nPay in 7 days.\n\n\n  \nSecond.\n## Privacy\nKept.";
        assert_eq!(
            blocks(text),
            vec![
                Block::Heading("Fees"),
                Block::Paragraph(vec!["We invoice monthly.", "Pay in 7 days."]),
                Block::Paragraph(vec!["Second."]),
                Block::Heading("Privacy"),
                Block::Paragraph(vec!["Kept."]),
            ]
        );
        assert!(blocks("").is_empty());
        assert_eq!(
            blocks("##No space"),
            vec![Block::Paragraph(vec!["##No space"])]
        );
    }

    #[test]
    fn brand_colours_are_normalised_and_judged() {
        let blue = Brand::parse("#2f6fd6").map_err(|e| e.to_string());
        assert!(matches!(blue, Ok(Brand { ref colour, light: false }) if colour == "#2F6FD6"));
        let yellow = Brand::parse(" #fe0 ").map_err(|e| e.to_string());
        assert!(matches!(yellow, Ok(Brand { ref colour, light: true }) if colour == "#FFEE00"));
        for bad in ["2F6FD6", "#2F6FD", "#GGGGGG", "", "#", "blue", "#2F6FD6FF"] {
            assert!(
                matches!(Brand::parse(bad), Err(PdfError::BrandColour(_))),
                "{bad}"
            );
        }
    }
}
