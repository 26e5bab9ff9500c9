//! "Export everything": one zip archive the firm can keep or open anywhere — every table as CSV,
//! the SQLite data file itself, and every proposal's PDF.
//!
//! The export reads a snapshot: the data file is first copied with SQLite's backup API (see
//! [`crate::backup`]) and everything in the archive comes from that copy, so the archive is
//! consistent while the app goes on working, and the store's lock is never held. The archive is
//! written under a temporary name and renamed when complete.

use std::io::Write;
use std::path::Path;

use rusqlite::types::ValueRef;
use serde::Serialize;
use ts_rs::TS;
use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};
use crate::proposals::document::{pdf_file_name, render_proposal_pdf};
use crate::store::{DATABASE_FILE, Store};

/// Where an export is (for a progress bar).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportProgress {
    /// Steps done and in all: one per table, one for the data file, one per proposal.
    pub done: u32,
    pub total: u32,
    /// What is being written now, in words.
    pub step: String,
}

/// What went into the archive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportSummary {
    pub path: String,
    pub tables: u32,
    #[ts(type = "number")]
    pub rows: u64,
    pub proposals: u32,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

const README: &str = "Scopebook — everything the firm keeps in it, exported.

tables/*.csv      every table of the data file, one CSV each (UTF-8, a header row, empty for
                  no value; binary values such as the logo as base64:...)
scopebook.sqlite3 the data file itself (SQLite); Scopebook can restore it (Settings > Backups)
proposals/*.pdf   every proposal and letter of engagement as it prints today

Amounts are stored as exact decimal text; dates as ISO 8601 (UTC for times).
";

/// Writes the archive for the data file at `db_path` to `out`. `progress` hears after each step.
pub fn export_all(
    db_path: &Path,
    out: &Path,
    mut progress: impl FnMut(&ExportProgress),
) -> Result<ExportSummary> {
    let scratch = tempfile::tempdir()
        .map_err(|e| Error::io("Scopebook can't make a folder for the export", e))?;
    let snapshot_path = scratch.path().join(DATABASE_FILE);
    crate::backup::copy_database(db_path, &snapshot_path)?;
    let snapshot = Store::open(&snapshot_path)?;

    let tables = table_names(&snapshot)?;
    let proposals: Vec<i64> = {
        let mut stmt = snapshot
            .conn()
            .prepare("SELECT id FROM proposals ORDER BY id")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut state = ExportProgress {
        done: 0,
        total: (tables.len() + 1 + proposals.len()) as u32,
        step: "Starting".into(),
    };
    progress(&state);

    let partial = out.with_extension("partial");
    let file = std::fs::File::create(&partial)
        .map_err(|e| Error::io(format!("Scopebook can't write {}", out.display()), e))?;
    let written = (|| -> Result<ExportSummary> {
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let mut summary = ExportSummary {
            path: out.display().to_string(),
            ..ExportSummary::default()
        };
        zip.start_file("README.txt", options).map_err(zip_error)?;
        zip.write_all(README.as_bytes()).map_err(write_error(out))?;

        for table in &tables {
            state.step = format!("Table {table}");
            zip.start_file(format!("tables/{table}.csv"), options)
                .map_err(zip_error)?;
            summary.rows += write_table(&snapshot, table, &mut zip)?;
            summary.tables += 1;
            state.done += 1;
            progress(&state);
        }

        state.step = "The data file".into();
        zip.start_file(DATABASE_FILE, options).map_err(zip_error)?;
        let mut data = std::fs::File::open(&snapshot_path)
            .map_err(|e| Error::io("Scopebook can't read its snapshot for the export", e))?;
        std::io::copy(&mut data, &mut zip).map_err(write_error(out))?;
        state.done += 1;
        progress(&state);

        let mut used = std::collections::HashSet::new();
        for id in proposals {
            let proposal = crate::proposals::get_proposal(&snapshot, id)?;
            let mut name = pdf_file_name(&proposal);
            if !used.insert(name.clone()) {
                name = format!("{} ({id}).pdf", name.trim_end_matches(".pdf"));
                used.insert(name.clone());
            }
            state.step = format!("Proposal {}", proposal.label());
            let pdf = render_proposal_pdf(&snapshot, id)?;
            zip.start_file(format!("proposals/{name}"), options)
                .map_err(zip_error)?;
            zip.write_all(&pdf).map_err(write_error(out))?;
            summary.proposals += 1;
            state.done += 1;
            progress(&state);
        }
        zip.finish()
            .map_err(zip_error)?
            .flush()
            .map_err(write_error(out))?;
        Ok(summary)
    })();
    let mut summary = match written {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out)
        .map_err(|e| Error::io(format!("Scopebook can't write {}", out.display()), e))?;
    summary.size_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(summary)
}

fn zip_error(e: zip::result::ZipError) -> Error {
    Error::io(
        "Scopebook couldn't write the export archive",
        std::io::Error::other(e),
    )
}

fn write_error(out: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(format!("Scopebook can't write {}", out.display()), e)
}

/// Every table of the data file, by name (SQLite's own excluded).
fn table_names(store: &Store) -> Result<Vec<String>> {
    let mut stmt = store.conn().prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         ORDER BY name",
    )?;
    Ok(stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// One table as CSV into `out`; the number of rows.
fn write_table(store: &Store, table: &str, out: &mut impl Write) -> Result<u64> {
    // The name comes from sqlite_schema, quoted as an identifier all the same.
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    let mut stmt = store
        .conn()
        .prepare(&format!("SELECT * FROM {quoted} ORDER BY rowid"))
        .or_else(|_| store.conn().prepare(&format!("SELECT * FROM {quoted}")))?;
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut csv = csv::Writer::from_writer(out);
    let csv_error = |e: csv::Error| {
        Error::io(
            "Scopebook couldn't write the export archive",
            std::io::Error::other(e),
        )
    };
    csv.write_record(&columns).map_err(csv_error)?;
    let mut rows = stmt.query([])?;
    let mut count = 0;
    let mut record = Vec::with_capacity(columns.len());
    while let Some(row) = rows.next()? {
        record.clear();
        for i in 0..columns.len() {
            record.push(match row.get_ref(i)? {
                ValueRef::Null => String::new(),
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Real(x) => x.to_string(),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                ValueRef::Blob(b) => {
                    use base64::Engine;
                    format!(
                        "base64:{}",
                        base64::engine::general_purpose::STANDARD.encode(b)
                    )
                }
            });
        }
        csv.write_record(&record).map_err(csv_error)?;
        count += 1;
    }
    csv.flush()
        .map_err(|e| Error::io("Scopebook couldn't write the export archive", e))?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_archive_holds_every_table_the_data_file_and_every_proposals_pdf() {
        let dir = tempfile::tempdir().unwrap();
        let (memory, id) = crate::proposals::tests::store_with_a_proposal();
        let db = dir.path().join(DATABASE_FILE);
        memory
            .conn()
            .backup(
                rusqlite::MAIN_DB,
                &db,
                None::<fn(rusqlite::backup::Progress)>,
            )
            .unwrap();
        let store = Store::open(&db).unwrap();
        let proposal = crate::proposals::get_proposal(&store, id).unwrap();
        let out = dir.path().join("export.zip");
        let mut steps = Vec::new();
        let summary = export_all(&db, &out, |p| steps.push(p.clone())).unwrap();

        let expected_tables: u32 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(summary.tables, expected_tables);
        assert_eq!(summary.proposals, 1);
        let last = steps.last().unwrap();
        assert_eq!(
            (last.done, last.total),
            (expected_tables + 2, expected_tables + 2)
        );
        assert!(!dir.path().join("export.partial").exists());

        let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        let mut read = |name: &str| {
            let mut text = Vec::new();
            zip.by_name(name).unwrap().read_to_end(&mut text).unwrap();
            text
        };
        let clients = String::from_utf8(read("tables/clients.csv")).unwrap();
        let mut lines = clients.lines();
        assert!(lines.next().unwrap().starts_with("id,kind,display_name,"));
        assert!(clients.contains(&proposal.client_name), "{clients}");
        let pdf = read(&format!("proposals/{}", pdf_file_name(&proposal)));
        assert!(pdf.starts_with(b"%PDF-"));
        let data = read(DATABASE_FILE);
        assert!(data.starts_with(b"SQLite format 3\0"));
        // The data file in the archive opens, and holds the same clients.
        let copy = dir.path().join("copy.sqlite3");
        std::fs::write(&copy, &data).unwrap();
        let contents = crate::backup::check(&copy).unwrap();
        assert_eq!(contents.proposals, 1);
        assert!(
            String::from_utf8(read("README.txt"))
                .unwrap()
                .contains("tables/")
        );
    }

    #[test]
    fn an_archive_that_cannot_be_written_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let db = store.path().unwrap().to_path_buf();
        let out = dir.path().join("no-such-folder").join("export.zip");
        let error = export_all(&db, &out, |_| {}).unwrap_err();
        assert!(error.to_string().contains("can't write"), "{error}");
        assert!(!out.exists());
    }
}
