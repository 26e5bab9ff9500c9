//! Writes the sample proposal to the path given (default `sample-proposal.pdf`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample-proposal.pdf".into());
    let pdf = scopebook_pdf::render_pdf(&scopebook_pdf::ProposalDocument::sample())
        .unwrap_or_else(|err| panic!("{err}"));
    std::fs::write(&path, pdf).expect("write the PDF");
    println!("wrote {path}");
}
