#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Renders proposals end to end and reads the PDFs back with poppler (`pdftotext`, `pdfinfo`,
//! `pdftoppm`, `pdfimages`). PDFs and page images are kept in `target/pdf-artifacts/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use scopebook_pdf::{
    CalendarDate, FeeGroup, FeeLine, Logo, LogoFormat, OptionColumn, Party, PdfError,
    ProposalDocument, ScopeItem, Total, render_pdf,
};

/// Typst markup and code syntax that must come out as the characters typed.
const HOSTILE: &str = r#"#set page(width: 1cm) $x^2$ *bold* _em_ <tag> @ref `raw` \ [link] // no comment = not a heading ~ #{ 1 + 1 } "quoted" 'single' -- --- end"#;

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/pdf-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Rendered {
    pdf: PathBuf,
    /// Extracted text with whitespace runs collapsed to one space and zero-width spaces removed.
    text: String,
    pages: usize,
}

fn render(name: &str, doc: &ProposalDocument) -> Rendered {
    let bytes = render_pdf(doc).unwrap_or_else(|err| panic!("{name}: {err}"));
    assert!(bytes.starts_with(b"%PDF"), "{name}: not a PDF");
    let pdf = artifacts().join(format!("{name}.pdf"));
    std::fs::write(&pdf, &bytes).unwrap();

    let raw = run("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]);
    let text = raw
        .replace('\u{200B}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
    let pages = info
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints the page count");
    Rendered { pdf, text, pages }
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("{program} (poppler-utils) must be installed: {err}"));
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Writes page 1 as `<name>.png` next to the PDF, for looking at.
fn keep_first_page_png(rendered: &Rendered, name: &str) -> PathBuf {
    let prefix = artifacts().join(name);
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            rendered.pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let png = prefix.with_extension("png");
    assert!(png.exists(), "{} was not written", png.display());
    png
}

#[track_caller]
fn assert_prints(rendered: &Rendered, expected: &str) {
    let expected = expected.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        rendered.text.contains(&expected),
        "the PDF does not print {expected:?}; it prints:\n{}",
        rendered.text
    );
}

fn assert_page_numbers(rendered: &Rendered) {
    for page in 1..=rendered.pages {
        assert_prints(rendered, &format!("Page {page} of {}", rendered.pages));
    }
}

#[test]
fn sample_prints_every_line_figure_and_exclusion_on_two_pages() {
    let doc = ProposalDocument::sample();
    let rendered = render("sample", &doc);
    let png = keep_first_page_png(&rendered, "sample-page1");
    println!("first page: {}", png.display());

    assert_eq!(rendered.pages, 2, "the sample is a two-page proposal");
    assert_prints(&rendered, "Page 1 of 2");
    assert_prints(&rendered, "Page 2 of 2");
    assert_prints(&rendered, &doc.client.name);
    assert_prints(&rendered, &doc.client.legal_name);
    assert_prints(&rendered, &doc.practice.name);
    assert_prints(&rendered, &doc.title);
    assert_prints(&rendered, &doc.number);
    assert_prints(&rendered, &doc.date);
    assert_prints(&rendered, &doc.valid_until);
    for item in &doc.scope_in {
        assert_prints(&rendered, &item.service);
        assert_prints(&rendered, &item.price);
        assert_prints(&rendered, &item.frequency);
    }
    assert_prints(&rendered, "Optional");
    for excluded in &doc.scope_out {
        assert_prints(&rendered, excluded);
    }
    for group in &doc.fee_groups {
        assert_prints(&rendered, &group.label);
        for line in &group.lines {
            assert_prints(&rendered, &line.name);
            assert_prints(&rendered, &line.amount);
        }
    }
    for total in &doc.totals {
        assert_prints(&rendered, &total.label.to_uppercase());
        assert_prints(&rendered, &total.value);
    }
    assert_prints(&rendered, "10% discount");
    assert_prints(&rendered, &doc.currency_note);
    assert_prints(&rendered, "Fees and payment");
    assert_prints(&rendered, &doc.practice_signatory);
    assert_prints(&rendered, &doc.client_signatory);
    assert!(
        !rendered.text.contains("Version"),
        "version 1 is not labelled"
    );
    assert!(
        !rendered.text.contains("## "),
        "heading markers are not printed"
    );
}

#[test]
fn sample_pdf_is_tagged_a4_and_embeds_its_fonts() {
    let rendered = render("sample-metadata", &ProposalDocument::sample());
    let info = run("pdfinfo", &[rendered.pdf.to_str().unwrap()]);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("(A4)"), "{info}");
    assert!(info.contains("Title:           Proposal and letter of engagement P-2026-0042"));
    let fonts = run("pdffonts", &[rendered.pdf.to_str().unwrap()]);
    let font_lines: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_lines.is_empty());
    for line in font_lines {
        assert!(
            line.contains("Inter"),
            "only the bundled Inter is used: {line}"
        );
        assert!(
            line.contains(" yes yes yes "),
            "font not embedded and subset: {line}"
        );
    }
}

/// The archival and accessibility claims, read back from the file's XMP metadata and info
/// dictionary as a PDF/A validator starts: PDF/A-2b (`pdfaid:part` 2, conformance B), PDF/UA-1
/// (`pdfuaid:part` 1), the title, author, language and the issue date as the creation date.
#[test]
fn proposals_declare_pdf_a_2b_and_pdf_ua_1_with_their_metadata() {
    let mut doc = ProposalDocument::sample();
    doc.logo = Some(Logo {
        bytes: tiny_png(96, 32),
        format: LogoFormat::Png,
    });
    let rendered = render("archival", &doc);
    let path = rendered.pdf.to_str().unwrap();
    let meta = run("pdfinfo", &["-meta", path]);
    for claim in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<pdfuaid:part>1</pdfuaid:part>",
        "Proposal and letter of engagement P-2026-0042",
        "Harbour Bookkeeping",
        "2026-11-22",
    ] {
        assert!(
            meta.contains(claim),
            "the XMP metadata lacks {claim}: {meta}"
        );
    }
    let info = run("pdfinfo", &[path]);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Author:          Harbour Bookkeeping"),
        "{info}"
    );
    assert!(info.contains("CreationDate:    Sun Nov 22"), "{info}");
    let raw = std::fs::read(&rendered.pdf).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains("/Lang(en-AU)"),
        "the document declares its language"
    );
    assert!(
        raw.contains("/S/Figure") && raw.contains("/Alt(Harbour Bookkeeping logo)"),
        "the logo is a figure with alt text for screen readers"
    );
    // The structure a screen reader walks: headings in order, the fee tables as tables.
    let structure = run("pdfinfo", &["-struct", path]);
    for element in [
        "H1 \"Proposal and letter of engagement\"",
        "H2 \"What's included\"",
        "Table",
        "Figure",
    ] {
        assert!(
            structure.contains(element),
            "no {element} in the structure tree: {structure}"
        );
    }
    assert!(
        raw.contains("/OutputIntents"),
        "PDF/A names its colour space"
    );
}

/// Three packages side by side, in order, each with its services and totals; the chosen one says so.
#[test]
fn options_print_side_by_side() {
    let mut doc = ProposalDocument::sample();
    doc.options = ["Essentials", "Growth", "Complete"]
        .iter()
        .enumerate()
        .map(|(i, name)| OptionColumn {
            name: (*name).into(),
            description: format!("For businesses that want {name}"),
            services: (0..=i)
                .map(|k| format!("Service {k} — ${}00.00 a month", k + 2))
                .collect(),
            totals: vec![Total {
                label: "Monthly".into(),
                value: format!("${}50.00", i + 3),
            }],
            chosen: i == 1,
        })
        .collect();
    doc.totals.clear();
    let rendered = render("options", &doc);
    keep_first_page_png(&rendered, "options");
    let layout = run(
        "pdftotext",
        &["-layout", rendered.pdf.to_str().unwrap(), "-"],
    );
    let row = layout
        .lines()
        .find(|l| l.contains("Essentials") && l.contains("Growth") && l.contains("Complete"))
        .unwrap_or_else(|| panic!("the options are not side by side:\n{layout}"));
    assert!(
        row.find("Essentials") < row.find("Growth") && row.find("Growth") < row.find("Complete")
    );
    assert_prints(&rendered, "Chosen");
    assert_prints(&rendered, "$450.00");
}

#[test]
fn rendering_is_deterministic() {
    let doc = ProposalDocument::sample();
    assert_eq!(render_pdf(&doc).unwrap(), render_pdf(&doc).unwrap());
}

/// pdftotext joins a line that ends in "-" with the next one and drops the hyphen, so text is
/// compared without whitespace and ASCII hyphens (an en dash made of "--" would still show).
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

#[test]
fn typst_markup_in_any_field_prints_literally() {
    let mut doc = ProposalDocument::sample();
    doc.client.name = HOSTILE.into();
    doc.client.lines.push(HOSTILE.into());
    doc.practice.name = format!("Practice {HOSTILE}");
    doc.title = format!("Title {HOSTILE}");
    doc.number = "P-#1 $ * _ < @".into();
    doc.introduction = format!("Intro {HOSTILE}\n\n= Also not a heading\n- nor a list");
    doc.scope_in[0].service = format!("Service {HOSTILE}");
    doc.scope_in[1].description = format!("Description {HOSTILE}");
    doc.scope_out.push(format!("Excluded {HOSTILE}"));
    doc.fee_groups[0].lines[0].note = format!("Note {HOSTILE}");
    doc.totals[0].value = "$1,250.00 #strong[x]".into();
    doc.terms = format!("## Heading {HOSTILE}\nTerms {HOSTILE}\n\n#pagebreak()");
    doc.client_signatory = format!("Signed {HOSTILE}");
    doc.currency_note = format!("Currency {HOSTILE}");

    let rendered = render("hostile-markup", &doc);
    let info = run("pdfinfo", &[rendered.pdf.to_str().unwrap()]);
    assert!(
        info.contains("(A4)"),
        "a client's `#set page` must not change the page: {info}"
    );
    for expected in [
        HOSTILE.to_string(),
        format!("Practice {HOSTILE}"),
        format!("Title {HOSTILE}"),
        "P-#1 $ * _ < @".to_string(),
        format!("Intro {HOSTILE}"),
        "= Also not a heading".to_string(),
        "- nor a list".to_string(),
        format!("Service {HOSTILE}"),
        format!("Description {HOSTILE}"),
        format!("Excluded {HOSTILE}"),
        format!("Note {HOSTILE}"),
        "$1,250.00 #strong[x]".to_string(),
        format!("Heading {HOSTILE}"),
        format!("Terms {HOSTILE}"),
        "#pagebreak()".to_string(),
        format!("Signed {HOSTILE}"),
        format!("Currency {HOSTILE}"),
    ] {
        assert!(
            squash(&rendered.text).contains(&squash(&expected)),
            "the PDF does not print {expected:?}; it prints:\n{}",
            rendered.text
        );
    }
    assert_page_numbers(&rendered);
}

#[test]
fn a_very_long_unbroken_word_wraps_instead_of_failing() {
    let word = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch".repeat(5);
    let mut doc = ProposalDocument::sample();
    doc.client.name = word.clone();
    doc.scope_in[0].description = format!("See {word} for details.");
    doc.scope_in[2].service = word.clone();
    doc.fee_groups[0].lines[1].name = word.clone();
    doc.terms = format!("## Terms\n{word}");
    let rendered = render("long-word", &doc);
    keep_first_page_png(&rendered, "long-word-page1");
    let joined: String = rendered.text.split_whitespace().collect();
    assert!(
        joined.matches(word.as_str()).count() >= 4,
        "{}",
        rendered.text
    );
    assert_page_numbers(&rendered);
}

fn scope_line(n: usize) -> ScopeItem {
    ScopeItem {
        service: format!("Service {n:02}"),
        description: format!("Description of service number {n}, long enough to wrap once."),
        quantity: if n.is_multiple_of(3) {
            format!("{n} units")
        } else {
            String::new()
        },
        frequency: "Monthly".into(),
        starts: "From January 2027".into(),
        price: format!("${n},000.00"),
        note: if n.is_multiple_of(5) {
            "Quality of the books: poor (× 1.3)".into()
        } else {
            String::new()
        },
        optional: n.is_multiple_of(7),
    }
}

#[test]
fn forty_scope_lines_flow_over_several_numbered_pages() {
    let mut doc = ProposalDocument::sample();
    doc.scope_in = (1..=40).map(scope_line).collect();
    let rendered = render("forty-lines", &doc);
    assert!(
        rendered.pages >= 3,
        "40 lines take several pages, got {}",
        rendered.pages
    );
    assert_page_numbers(&rendered);
    for item in &doc.scope_in {
        assert_prints(&rendered, &item.service);
        assert_prints(&rendered, &item.price);
    }
}

#[test]
fn empty_optional_fields_render() {
    let doc = ProposalDocument {
        practice: Party {
            name: "Solo Books".into(),
            legal_name: String::new(),
            lines: vec![],
        },
        client: Party {
            name: "Prospect".into(),
            legal_name: String::new(),
            lines: vec![],
        },
        brand_colour: "#000".into(),
        logo: None,
        title: "Proposal".into(),
        number: "P-1".into(),
        version: 1,
        date: "1 December 2026".into(),
        issued_on: CalendarDate {
            year: 2026,
            month: 12,
            day: 1,
        },
        valid_until: String::new(),
        introduction: String::new(),
        options: Vec::new(),
        scope_in: vec![ScopeItem {
            service: "Bookkeeping".into(),
            description: String::new(),
            quantity: String::new(),
            frequency: String::new(),
            starts: String::new(),
            price: String::new(),
            note: String::new(),
            optional: false,
        }],
        scope_out: vec![],
        fee_groups: vec![FeeGroup {
            label: "Monthly".into(),
            lines: vec![],
            total: String::new(),
        }],
        totals: vec![],
        terms: String::new(),
        practice_signatory: String::new(),
        client_signatory: String::new(),
        currency_note: String::new(),
    };
    let rendered = render("empty-fields", &doc);
    assert_eq!(rendered.pages, 1);
    assert_prints(&rendered, "Page 1 of 1");
    assert_prints(&rendered, "Prospect");
    assert_prints(&rendered, "Bookkeeping");
    assert!(!rendered.text.contains("Not included"));
    assert!(!rendered.text.contains("Terms of engagement"));

    let bare = ProposalDocument {
        scope_in: vec![],
        fee_groups: vec![],
        ..doc
    };
    let rendered = render("bare", &bare);
    assert_prints(&rendered, "Acceptance");
}

#[test]
fn amendments_show_their_version() {
    let doc = ProposalDocument {
        version: 3,
        ..ProposalDocument::sample()
    };
    let rendered = render("version-3", &doc);
    assert_prints(&rendered, "Version 3");
}

#[test]
fn png_and_jpeg_logos_are_embedded() {
    let png = Logo {
        bytes: tiny_png(96, 32),
        format: LogoFormat::Png,
    };
    let jpeg = Logo {
        bytes: include_bytes!("fixtures/logo-wide.jpg").to_vec(),
        format: LogoFormat::Jpeg,
    };
    for (name, logo) in [("logo-png", png), ("logo-jpeg", jpeg)] {
        let doc = ProposalDocument {
            logo: Some(logo),
            ..ProposalDocument::sample()
        };
        let rendered = render(name, &doc);
        keep_first_page_png(&rendered, &format!("{name}-page1"));
        let images = run("pdfimages", &["-list", rendered.pdf.to_str().unwrap()]);
        assert_eq!(
            images.lines().skip(2).count(),
            1,
            "{name}: one image expected\n{images}"
        );
        // With a logo, the firm's name moves into the address block.
        assert_prints(&rendered, &doc.practice.name);
    }
}

#[test]
fn icon_png_from_the_app_works_as_a_logo() {
    let icon = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../icons/32x32.png");
    let Ok(bytes) = std::fs::read(&icon) else {
        eprintln!("skipped: {} is missing", icon.display());
        return;
    };
    let doc = ProposalDocument {
        logo: Some(Logo {
            bytes,
            format: LogoFormat::Png,
        }),
        ..ProposalDocument::sample()
    };
    render("logo-icon", &doc);
}

#[test]
fn bad_input_gets_a_clear_error() {
    let doc = ProposalDocument {
        logo: Some(Logo {
            bytes: b"GIF89a".to_vec(),
            format: LogoFormat::Png,
        }),
        ..ProposalDocument::sample()
    };
    let err = render_pdf(&doc).unwrap_err();
    assert!(matches!(err, PdfError::Logo("PNG")));
    assert_eq!(err.to_string(), "the logo is not a valid PNG image");

    let doc = ProposalDocument {
        brand_colour: "blue".into(),
        ..ProposalDocument::sample()
    };
    let err = render_pdf(&doc).unwrap_err();
    assert!(matches!(err, PdfError::BrandColour(_)));
    assert_eq!(
        err.to_string(),
        "the brand colour \"blue\" is not a colour like #2F6FD6"
    );

    // Right magic bytes, broken image: caught before layout, as a logo problem.
    let mut truncated = tiny_png(8, 8);
    truncated.truncate(20);
    let doc = ProposalDocument {
        logo: Some(Logo {
            bytes: truncated,
            format: LogoFormat::Png,
        }),
        ..ProposalDocument::sample()
    };
    let err = render_pdf(&doc).unwrap_err();
    assert!(matches!(err, PdfError::Logo("PNG")), "{err}");
}

#[test]
fn a_light_brand_colour_still_renders() {
    let doc = ProposalDocument {
        brand_colour: "#FFE14D".into(),
        ..ProposalDocument::sample()
    };
    let rendered = render("light-brand", &doc);
    keep_first_page_png(&rendered, "light-brand-page1");
    assert_prints(&rendered, "$18,270.00");
}

#[test]
fn the_view_model_round_trips_through_json() {
    let doc = ProposalDocument::sample();
    let json = serde_json::to_string(&doc).unwrap();
    let back: ProposalDocument = serde_json::from_str(&json).unwrap();
    assert_eq!(back, doc);
    let totals: Vec<&Total> = back.totals.iter().collect();
    assert_eq!(totals.len(), 3);
    let _: &FeeLine = &back.fee_groups[0].lines[0];
}

/// A valid RGB PNG (stored, uncompressed deflate): a brand-blue block with a white band.
fn tiny_png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // filter: none
        for _ in 0..width {
            let band = y >= height / 3 && y < 2 * height / 3;
            raw.extend_from_slice(if band {
                &[255, 255, 255]
            } else {
                &[0x2F, 0x6F, 0xD6]
            });
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == chunks.len()));
        let len = u16::try_from(chunk.len()).unwrap();
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(chunk);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(&data);
        png.extend_from_slice(&crc_input);
        png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    png
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

proptest::proptest! {
    // Each case renders a PDF (~50 ms warm): a few dozen random names, made mostly of the
    // characters typst gives a meaning to. proptest prints the failing name, shrunk, and keeps
    // its seed in proptest-regressions/ to replay it.
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    #[test]
    fn any_client_name_prints_as_written(
        name in r#"[A-Za-z0-9#$*_<>@`\\\[\](){}=~"'/+.,;:!?&%^|-]{1,6}( [A-Za-z0-9#$*_<>@`\\\[\](){}=~"'/+.,;:!?&%^|-]{1,6}){0,3}"#
    ) {
        let mut doc = ProposalDocument::sample();
        doc.client.name = name.clone();
        doc.scope_out.push(format!("Not {name}"));
        let rendered = render("property-name", &doc);
        let info = run("pdfinfo", &[rendered.pdf.to_str().unwrap()]);
        proptest::prop_assert!(info.contains("(A4)"), "{info}");
        proptest::prop_assert!(
            squash(&rendered.text).contains(&squash(&name)),
            "the PDF does not print {name:?}; it prints:\n{}",
            rendered.text
        );
        let excluded = format!("Not {name}");
        proptest::prop_assert!(
            squash(&rendered.text).contains(&squash(&excluded)),
            "the PDF does not print {:?}",
            excluded
        );
    }
}
