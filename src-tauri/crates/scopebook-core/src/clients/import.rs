//! Clients from and to CSV. An import is previewed first (each row: fine, a warning such as a
//! likely duplicate, or an error), written all-or-nothing in one batch, and can be undone as a
//! whole while nothing has been done with the imported clients since.

use std::collections::HashMap;
use std::io::Write;

use rusqlite::OptionalExtension;
use serde::Serialize;
use ts_rs::TS;

use super::{
    ClientDraft, ClientFilter, ClientKind, ClientStatusFilter, insert_client, list_clients,
    validate_client,
};
use crate::csv_input::CsvInput;
use crate::error::{Error, Result};
use crate::matching::normalize::{compare_names, email_key, name_key, tax_key};
use crate::reference::Country;
use crate::store::{Source, Store};

const COLUMNS: [&str; 21] = [
    "display_name",
    "kind",
    "legal_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "tax_number",
    "account_number",
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
    "notes",
];

/// Header names spreadsheets use for our columns.
fn canonical(header: &str) -> String {
    let h = header.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match h.as_str() {
        "name" | "client" | "client_name" | "contact_name" | "display" => "display_name".into(),
        "type" | "status" => "kind".into(),
        // Xero's own contacts export.
        "*contactname" | "contactname" => "display_name".into(),
        "emailaddress" => "email".into(),
        "phonenumber" => "phone".into(),
        "mobilenumber" | "mobile_number" => "mobile".into(),
        "taxnumber" => "tax_number".into(),
        "accountnumber" => "account_number".into(),
        "legalname" => "legal_name".into(),
        x if x.starts_with("poaddressline") => format!("postal_line{}", &x[13..]),
        "pocity" => "postal_city".into(),
        "poregion" => "postal_region".into(),
        "popostalcode" => "postal_postcode".into(),
        "pocountry" => "postal_country".into(),
        x if x.starts_with("saaddressline") => format!("street_line{}", &x[13..]),
        "sacity" => "street_city".into(),
        "saregion" => "street_region".into(),
        "sapostalcode" => "street_postcode".into(),
        "first" | "firstname" => "first_name".into(),
        "last" | "lastname" | "surname" => "last_name".into(),
        "email_address" | "e_mail" => "email".into(),
        "abn" | "tax_id" | "gst_number" | "vat_number" | "ein" => "tax_number".into(),
        "address" | "address_line1" | "address1" => "postal_line1".into(),
        "city" | "suburb" => "postal_city".into(),
        "state" | "region" => "postal_region".into(),
        "postcode" | "zip" | "postal_code" => "postal_postcode".into(),
        "country" => "postal_country".into(),
        _ => h,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RowStatus {
    Ok,
    /// Will be imported, but look: e.g. probably the same as an existing client.
    Warning,
    /// Won't be imported until fixed; nothing is imported while any row has an error.
    Error,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviewRow {
    /// The line in the file (the header is line 1).
    pub line: u32,
    pub display_name: String,
    pub email: String,
    pub status: RowStatus,
    pub messages: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    pub rows: Vec<PreviewRow>,
    pub errors: u32,
    pub warnings: u32,
    /// Columns in the file Scopebook doesn't know (ignored).
    pub ignored_columns: Vec<String>,
    /// How the file was read: "UTF-8", "Windows-1252" or "UTF-16", and its separator
    /// ("commas", "semicolons", "tabs").
    pub encoding: String,
    pub delimiter: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ClientImport {
    pub batch: String,
    pub imported: u32,
}

/// The one definition of a similar name, shared with matching clients to Xero contacts.
pub use crate::matching::normalize::normalized_name;

/// The clients already there and the lines read so far, by the keys a duplicate shares, each
/// with how to call it ("“Acme Plumbing”", "line 3") and its name.
#[derive(Default)]
struct Earlier {
    by_name: HashMap<String, (String, String)>,
    by_email: HashMap<String, (String, String)>,
    by_tax: HashMap<String, (String, String)>,
}

impl Earlier {
    fn remember(&mut self, label: &str, name: &str, email: &str, tax_number: &str) {
        for (map, key) in [
            (&mut self.by_name, name_key(name)),
            (&mut self.by_email, email_key(email)),
            (&mut self.by_tax, tax_key(tax_number)),
        ] {
            if !key.is_empty() {
                map.entry(key)
                    .or_insert_with(|| (label.to_string(), name.to_string()));
            }
        }
    }

    /// Why a client is probably one seen before, in words; the first reason found.
    fn duplicate(&self, name: &str, email: &str, tax_number: &str) -> Option<String> {
        fn find(map: &HashMap<String, (String, String)>, key: String) -> Option<&(String, String)> {
            map.get(&key).filter(|_| !key.is_empty())
        }
        if let Some((other, other_name)) = find(&self.by_name, name_key(name)) {
            let how = compare_names(name, other_name).describe("name");
            return Some(format!("Probably the same as {other}: {how}."));
        }
        if let Some((other, _)) = find(&self.by_email, email_key(email)) {
            return Some(format!("Same email as {other}."));
        }
        find(&self.by_tax, tax_key(tax_number))
            .map(|(other, _)| format!("Same tax number as {other}."))
    }
}

struct Parsed {
    preview: ImportPreview,
    drafts: Vec<ClientDraft>,
}

fn parse(store: &Store, bytes: &[u8]) -> Result<Parsed> {
    let country = crate::practice::get_practice(store)?.and_then(|p| Country::find(&p.country));
    let input = CsvInput::decode(bytes);
    let mut reader = input.reader();
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("file", format!("The file isn't readable CSV: {e}")))?
        .iter()
        .map(canonical)
        .collect();
    if !headers.iter().any(|h| h == "display_name") {
        return Err(Error::invalid(
            "file",
            "The first row must name the columns, with one called \u{201c}display_name\u{201d} (or \u{201c}name\u{201d}).",
        ));
    }
    let ignored_columns = headers
        .iter()
        .filter(|h| {
            !COLUMNS.contains(&h.as_str())
                && !h.starts_with("street_country")
                && !matches!(
                    h.as_str(),
                    "postal_line3" | "postal_line4" | "street_line3" | "street_line4" | "mobile"
                )
        })
        .cloned()
        .collect();

    // What is already there, to spot duplicates.
    let existing = list_clients(
        store,
        &ClientFilter {
            search: None,
            status: Some(ClientStatusFilter::All),
        },
    )?;
    let mut earlier = Earlier::default();
    for c in &existing {
        let d = &c.details;
        earlier.remember(
            &format!("\u{201c}{}\u{201d}", d.display_name),
            &d.display_name,
            &d.email,
            &d.tax_number,
        );
    }
    let mut exact_names: HashMap<String, u32> = existing
        .iter()
        .map(|c| (c.details.display_name.to_lowercase(), 0))
        .collect();

    let mut rows = Vec::new();
    let mut drafts = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u32 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(PreviewRow {
                    line,
                    display_name: String::new(),
                    email: String::new(),
                    status: RowStatus::Error,
                    messages: vec![format!("This line can't be read: {e}")],
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_string()
        };
        let mut messages = Vec::new();
        let mut status = RowStatus::Ok;
        let kind = match get("kind") {
            k if k.is_empty() => Some(ClientKind::Client),
            k => ClientKind::from_user_text(&k),
        };
        if kind.is_none() {
            messages.push("Kind must be client or prospect.".to_string());
            status = RowStatus::Error;
        }
        let mut draft = ClientDraft::blank();
        draft.kind = kind.unwrap_or(ClientKind::Client);
        draft.display_name = get("display_name");
        draft.legal_name = get("legal_name");
        draft.first_name = get("first_name");
        draft.last_name = get("last_name");
        draft.email = get("email");
        draft.phone = match get("phone") {
            phone if phone.is_empty() => get("mobile"),
            phone => phone,
        };
        draft.tax_number = get("tax_number");
        draft.account_number = get("account_number");
        draft.notes = get("notes");
        draft.postal_address.line1 = get("postal_line1");
        draft.postal_address.line2 = joined(&[
            get("postal_line2"),
            get("postal_line3"),
            get("postal_line4"),
        ]);
        draft.postal_address.city = get("postal_city");
        draft.postal_address.region = get("postal_region");
        draft.postal_address.postcode = get("postal_postcode");
        draft.postal_address.country = get("postal_country");
        draft.street_address.line1 = get("street_line1");
        draft.street_address.line2 = joined(&[
            get("street_line2"),
            get("street_line3"),
            get("street_line4"),
        ]);
        draft.street_address.city = get("street_city");
        draft.street_address.region = get("street_region");
        draft.street_address.postcode = get("street_postcode");
        match validate_client(&draft, country) {
            Ok(clean) => draft = clean,
            Err(Error::Invalid(problems)) => {
                status = RowStatus::Error;
                messages.extend(problems.fields().iter().map(|f| f.message.clone()));
            }
            Err(other) => return Err(other),
        }
        let exact = draft.display_name.to_lowercase();
        if !exact.is_empty() {
            match exact_names.get_mut(&exact) {
                Some(0) => {
                    status = RowStatus::Error;
                    messages.push(format!(
                        "A client called \u{201c}{}\u{201d} already exists.",
                        draft.display_name
                    ));
                }
                Some(first_line) => {
                    status = RowStatus::Error;
                    messages.push(format!("Line {first_line} has the same name."));
                }
                None => {
                    exact_names.insert(exact, line);
                }
            }
        }
        if status != RowStatus::Error {
            if let Some(warning) =
                earlier.duplicate(&draft.display_name, &draft.email, &draft.tax_number)
            {
                messages.push(warning);
                status = RowStatus::Warning;
            }
            earlier.remember(
                &format!("line {line}"),
                &draft.display_name,
                &draft.email,
                &draft.tax_number,
            );
        }
        rows.push(PreviewRow {
            line,
            display_name: draft.display_name.clone(),
            email: draft.email.clone(),
            status,
            messages,
        });
        drafts.push(draft);
    }
    let count = |s: RowStatus| rows.iter().filter(|r| r.status == s).count() as u32;
    let preview = ImportPreview {
        errors: count(RowStatus::Error),
        warnings: count(RowStatus::Warning),
        rows,
        ignored_columns,
        encoding: input.encoding.to_string(),
        delimiter: input.delimiter_name().to_string(),
    };
    Ok(Parsed { preview, drafts })
}

/// Address lines 2–4 (Xero's export has four) in our second line.
fn joined(lines: &[String]) -> String {
    lines
        .iter()
        .filter(|l| !l.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a CSV file's bytes (any of the encodings and separators `CsvInput` reads) without
/// writing anything.
pub fn preview_import(store: &Store, bytes: impl AsRef<[u8]>) -> Result<ImportPreview> {
    Ok(parse(store, bytes.as_ref())?.preview)
}

/// Imports every row, or none if any row has an error (then the preview is the error).
pub fn import_clients(store: &mut Store, bytes: impl AsRef<[u8]>) -> Result<ClientImport> {
    let parsed = parse(store, bytes.as_ref())?;
    if parsed.preview.errors > 0 {
        let first = parsed
            .preview
            .rows
            .iter()
            .find(|r| r.status == RowStatus::Error)
            .map(|r| format!("line {}: {}", r.line, r.messages.join(" ")))
            .unwrap_or_default();
        return Err(Error::invalid(
            "file",
            format!(
                "Nothing was imported: {} line(s) need fixing (first, {first}).",
                parsed.preview.errors
            ),
        ));
    }
    if parsed.drafts.is_empty() {
        return Err(Error::invalid("file", "The file has no clients in it."));
    }
    let batch = format!(
        "import-clients-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f")
    );
    store.write(Source::Import, |tx| {
        tx.set_batch(batch.clone());
        for draft in &parsed.drafts {
            insert_client(tx, draft)?;
        }
        Ok(())
    })?;
    Ok(ClientImport {
        batch,
        imported: parsed.drafts.len() as u32,
    })
}

/// Removes every client an import created, as long as none has changed since or has anything
/// attached; otherwise nothing is removed and the reason says which.
pub fn undo_import(store: &mut Store, batch: &str) -> Result<u32> {
    let undo_batch = format!("undo-{batch}");
    let undone_at: Option<String> = store.conn().query_row(
        "SELECT min(at) FROM changes WHERE batch = ?1",
        [&undo_batch],
        |r| r.get(0),
    )?;
    if let Some(at) = undone_at {
        return Err(Error::AlreadyDone(format!(
            "That import was already undone ({}). Nothing was changed.",
            at.replace('T', " ").trim_end_matches('Z')
        )));
    }
    let ids: Vec<i64> = {
        let mut stmt = store.conn().prepare(
            "SELECT entity_id FROM changes WHERE batch = ?1 AND entity = 'client' AND action = 'create'",
        )?;
        stmt.query_map([batch], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    if ids.is_empty() {
        return Err(Error::invalid(
            "batch",
            "There is nothing to undo for that import.",
        ));
    }
    store.write(Source::Import, |tx| {
        tx.set_batch(undo_batch.clone());
        let mut blocked = Vec::new();
        let mut removed = 0;
        for id in &ids {
            let name: Option<String> = tx
                .query_row(
                    "SELECT display_name FROM clients WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(name) = name else {
                // Deleted by hand since the import: nothing left to undo for it.
                continue;
            };
            let later: i64 = tx.query_row(
                "SELECT count(*) FROM changes WHERE entity = 'client' AND entity_id = ?1
                   AND (batch IS NOT ?2)",
                rusqlite::params![id, batch],
                |r| r.get(0),
            )?;
            let attached = crate::clients::attachments(tx, *id)?;
            if !attached.is_empty() {
                blocked.push(format!(
                    "\u{201c}{name}\u{201d}: {}",
                    attached.join(" and ")
                ));
                continue;
            }
            if later > 0 {
                blocked.push(format!("\u{201c}{name}\u{201d}: it has been changed since"));
                continue;
            }
            tx.execute("DELETE FROM clients WHERE id = ?1", [id])?;
            tx.log(
                "client",
                *id,
                "undo_import",
                &serde_json::json!({ "batch": batch, "display_name": name }),
            )?;
            removed += 1;
        }
        if !blocked.is_empty() {
            return Err(Error::InUse(format!(
                "The import can't be undone, because {} imported client(s) are in use: {}. \
                 Nothing was removed.",
                blocked.len(),
                blocked.join("; ")
            )));
        }
        Ok(removed)
    })
}

/// Writes clients (active, or `filter`) as CSV with the columns an import reads.
pub fn export_clients(store: &Store, filter: &ClientFilter, out: impl Write) -> Result<usize> {
    let clients = list_clients(store, filter)?;
    let mut writer = ::csv::Writer::from_writer(out);
    let csv_error = |e: ::csv::Error| Error::io("Couldn't write the CSV", std::io::Error::other(e));
    writer.write_record(COLUMNS).map_err(csv_error)?;
    for c in &clients {
        let d = &c.details;
        writer
            .write_record([
                &d.display_name,
                d.kind.as_str(),
                &d.legal_name,
                &d.first_name,
                &d.last_name,
                &d.email,
                &d.phone,
                &d.tax_number,
                &d.account_number,
                &d.postal_address.line1,
                &d.postal_address.line2,
                &d.postal_address.city,
                &d.postal_address.region,
                &d.postal_address.postcode,
                &d.postal_address.country,
                &d.street_address.line1,
                &d.street_address.line2,
                &d.street_address.city,
                &d.street_address.region,
                &d.street_address.postcode,
                &d.notes,
            ])
            .map_err(csv_error)?;
    }
    writer
        .flush()
        .map_err(|e| Error::io("Couldn't write the CSV", e))?;
    Ok(clients.len())
}
