//! CSV files as firms really have them: saved by Excel in Windows-1252 ("Café Müller"), as
//! UTF-16, with a byte-order mark, or separated by semicolons (Excel in much of Europe and
//! South Africa) or tabs. Both imports (clients and services) read their bytes through here, so
//! they accept the same files and say the same things about them.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::Serialize;
use ts_rs::TS;

/// A CSV file the bookkeeper chose in the native open dialog (opened by Rust, never a path
/// from the window), read and checked; its bytes stay in Rust under `token` until the
/// bookkeeper confirms the import.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChosenCsv<T> {
    pub token: String,
    /// The file's name (not its folder), to show.
    pub file_name: String,
    pub preview: T,
}

/// A CSV file decoded to text, with what was found out about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvInput {
    pub text: String,
    /// The encoding the bytes were in, as a bookkeeper would recognise it: `UTF-8`,
    /// `UTF-16`, `Windows-1252`.
    pub encoding: &'static str,
    /// What separates the columns: `,`, `;` or a tab.
    pub delimiter: u8,
}

impl CsvInput {
    /// Decodes `bytes`: UTF-8 (a byte-order mark is dropped) if they are valid UTF-8, else
    /// UTF-16 if they start with its byte-order mark, else Windows-1252 (what Excel on Windows
    /// saves as "CSV"), which every byte sequence is. The column separator is the one of `,`,
    /// `;` and tab that the header line uses most outside quotes.
    pub fn decode(bytes: &[u8]) -> CsvInput {
        let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            match std::str::from_utf8(rest) {
                Ok(text) => (text.to_string(), "UTF-8"),
                Err(_) => (
                    WINDOWS_1252
                        .decode_without_bom_handling(rest)
                        .0
                        .into_owned(),
                    "Windows-1252",
                ),
            }
        } else if let Ok(text) = std::str::from_utf8(bytes) {
            (text.to_string(), "UTF-8")
        } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
            (
                UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
                "UTF-16",
            )
        } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
            (
                UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
                "UTF-16",
            )
        } else {
            (
                WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned(),
                "Windows-1252",
            )
        };
        let delimiter = detect_delimiter(&text);
        CsvInput {
            text,
            encoding,
            delimiter,
        }
    }

    /// A reader over the text with the detected separator; fields are trimmed and rows may
    /// have fewer or more fields than the header (each import reports what is missing).
    pub fn reader(&self) -> ::csv::Reader<&[u8]> {
        ::csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .trim(::csv::Trim::All)
            .flexible(true)
            .from_reader(self.text.as_bytes())
    }

    /// The separator in words, for a preview: "commas", "semicolons", "tabs".
    pub fn delimiter_name(&self) -> &'static str {
        match self.delimiter {
            b';' => "semicolons",
            b'\t' => "tabs",
            _ => "commas",
        }
    }
}

/// Counts `,`, `;` and tabs in the first line (a newline inside quotes does not end it, and
/// separators inside quotes don't count); the most frequent wins, commas on a tie or none.
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' | ';' | '\t' if !quoted => {
                for (delimiter, count) in counts.iter_mut() {
                    if char::from(*delimiter) == c {
                        *count += 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut best = counts[0];
    for candidate in &counts[1..] {
        if candidate.1 > best.1 {
            best = *candidate;
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &CsvInput) -> Vec<Vec<String>> {
        let mut reader = input.reader();
        let mut out = vec![
            reader
                .headers()
                .unwrap()
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>(),
        ];
        for record in reader.records() {
            out.push(record.unwrap().iter().map(str::to_string).collect());
        }
        out
    }

    #[test]
    fn reads_a_windows_1252_file_from_excel() {
        // "Café Müller" as Excel on Windows saves it: é = 0xE9, ü = 0xFC, not UTF-8.
        let bytes = b"name;email\r\nCaf\xE9 M\xFCller;cafe@example.com\r\n";
        let input = CsvInput::decode(bytes);
        assert_eq!(input.encoding, "Windows-1252");
        assert_eq!(input.delimiter, b';');
        assert_eq!(rows(&input)[1], ["Café Müller", "cafe@example.com"]);
    }

    #[test]
    fn reads_utf8_with_and_without_a_byte_order_mark() {
        let plain = "name,email\nCafé Müller,a@b.co\n".as_bytes();
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(plain);
        for bytes in [plain, &with_bom[..]] {
            let input = CsvInput::decode(bytes);
            assert_eq!(input.encoding, "UTF-8");
            assert_eq!(rows(&input)[0], ["name", "email"]);
            assert_eq!(rows(&input)[1][0], "Café Müller");
        }
    }

    #[test]
    fn reads_utf16_with_a_byte_order_mark() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "name\temail\r\nCafé Müller\ta@b.co\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let input = CsvInput::decode(&bytes);
        assert_eq!(input.encoding, "UTF-16");
        assert_eq!(input.delimiter, b'\t');
        assert_eq!(rows(&input)[1], ["Café Müller", "a@b.co"]);
    }

    #[test]
    fn the_separator_is_the_header_lines_outside_quotes() {
        assert_eq!(detect_delimiter("a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(detect_delimiter("\"a,b,c\";d\n"), b';');
        assert_eq!(
            detect_delimiter("\"first\nsecond, third\";x;y\n1,2,3,4"),
            b';'
        );
        assert_eq!(detect_delimiter("name\n"), b',');
        let input = CsvInput::decode(b"name;tiers\n\"Payroll\";\"100:2,00; rest:1,50\"\n");
        assert_eq!(rows(&input)[1], ["Payroll", "100:2,00; rest:1,50"]);
        assert_eq!(input.delimiter_name(), "semicolons");
    }
}
