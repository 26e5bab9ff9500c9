//! `scopebook backup`, `restore` and `export-all`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use scopebook_core::backup::{self, Backup, BackupReason};
use scopebook_core::store::DATABASE_FILE;
use scopebook_core::{Error, ErrorCode, Store};

use crate::print_json;

#[derive(Args)]
pub struct BackupArgs {
    /// List the backups (newest first) instead of taking one.
    #[arg(long)]
    pub list: bool,
    /// How many backups to keep from now on (the practice's setting).
    #[arg(long)]
    pub keep: Option<u32>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file: a file name from `backup --list`, or a path to a Scopebook data file.
    #[arg(required_unless_present = "newest", conflicts_with = "newest")]
    pub file: Option<String>,
    /// The newest backup that reads as sound (for a data file that no longer opens).
    #[arg(long)]
    pub newest: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The archive to write (.zip).
    pub out: PathBuf,
}

fn write_error(e: std::io::Error) -> Error {
    Error::io("Couldn't write the output", e)
}

fn describe(out: &mut impl Write, backup: &Backup) -> scopebook_core::Result<()> {
    let contents = match &backup.contents {
        Some(c) => format!(
            "{} clients, {} prospects, {} services, {} proposals, {} invoices posted",
            c.clients, c.prospects, c.services, c.proposals, c.invoices_posted
        ),
        None => "unreadable".into(),
    };
    writeln!(
        out,
        "{:<48} {:<20} {:<8} {:>10}  {contents}",
        backup.file_name,
        backup.taken_at,
        backup.reason.as_str(),
        format!("{} KB", backup.size_bytes.div_ceil(1024)),
    )
    .map_err(write_error)
}

pub fn backup(
    dir: &Path,
    args: BackupArgs,
    json: bool,
    out: &mut impl Write,
) -> scopebook_core::Result<()> {
    let db = dir.join(DATABASE_FILE);
    if args.list {
        let list = backup::list_backups(&db)?;
        if json {
            return print_json(out, &list);
        }
        if list.is_empty() {
            writeln!(out, "No backups yet.").map_err(write_error)?;
        }
        for b in &list {
            describe(out, b)?;
        }
        return Ok(());
    }
    let mut store = Store::open_in(dir)?;
    if let Some(keep) = args.keep {
        backup::set_backups_kept(&mut store, keep)?;
    }
    let kept = backup::backups_kept(&store)?;
    drop(store);
    let taken = backup::back_up(&db, BackupReason::Manual, kept)?;
    if json {
        return print_json(out, &taken);
    }
    writeln!(
        out,
        "Backed up to {} (the newest {kept} are kept).",
        taken.path
    )
    .map_err(write_error)
}

pub fn restore(
    dir: &Path,
    args: RestoreArgs,
    json: bool,
    out: &mut impl Write,
) -> scopebook_core::Result<()> {
    let db = dir.join(DATABASE_FILE);
    let from = match (&args.file, args.newest) {
        (_, true) => match backup::newest_good_backup(&db)? {
            Some(b) => PathBuf::from(b.path),
            None => {
                return Err(Error::invalid(
                    "file",
                    "There is no sound backup to restore.",
                ));
            }
        },
        (Some(file), false) => backup::listed(&db, file).unwrap_or_else(|_| PathBuf::from(file)),
        (None, false) => return Err(Error::invalid("file", "Name the backup to restore.")),
    };
    let restored = match Store::open_in(dir) {
        Ok(mut store) => backup::restore(&mut store, &from)?,
        Err(e) if e.code() == ErrorCode::UnreadableDatabase && db.exists() => {
            backup::restore_damaged(&db, &from)?.1
        }
        Err(e) => return Err(e),
    };
    if json {
        return print_json(out, &restored);
    }
    writeln!(
        out,
        "Restored {} (taken {}).",
        restored.from.file_name, restored.from.taken_at
    )
    .map_err(write_error)?;
    if let Some(previous) = &restored.previous {
        writeln!(
            out,
            "The file as it was is kept as {}; restore it to undo.",
            previous.file_name
        )
        .map_err(write_error)?;
    }
    Ok(())
}

pub fn export_all(
    dir: &Path,
    args: ExportArgs,
    json: bool,
    out: &mut impl Write,
) -> scopebook_core::Result<()> {
    // Opening checks (and upgrades) the file before it is exported.
    drop(Store::open_in(dir)?);
    let summary = scopebook_core::export::export_all(&dir.join(DATABASE_FILE), &args.out, |p| {
        if !json && p.total > 0 {
            eprint!("\r{:>3} % {:<60}", p.done * 100 / p.total, p.step);
        }
    })?;
    if json {
        return print_json(out, &summary);
    }
    eprintln!();
    writeln!(
        out,
        "Exported {} tables ({} rows), the data file and {} proposal PDFs to {} ({} KB).",
        summary.tables,
        summary.rows,
        summary.proposals,
        summary.path,
        summary.size_bytes.div_ceil(1024)
    )
    .map_err(write_error)
}
