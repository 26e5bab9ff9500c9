//! Scopebook's core: the domain, the SQLite store and the use cases.
//!
//! Rules of this crate:
//! - It owns money, the catalogue, practice settings (and later clients, proposals, billing,
//!   posting, sync, reports) and the store. The desktop app, the `scopebook` CLI and the tests
//!   call the same use-case functions here; none of them holds business logic of its own.
//! - It knows nothing of Tauri, windows or HTTP.
//! - Money is `rust_decimal::Decimal`, rounded explicitly ([`money`]); never a float.
//! - Every write goes through [`store::Store::write`]: one transaction, logged with its source.
//! - Errors carry a stable [`ErrorCode`] and a sentence a bookkeeper understands.

pub mod catalog;
pub mod clients;
pub mod connection;
pub mod email;
pub mod error;
pub mod money;
pub mod practice;
pub mod proposals;
pub mod reference;
pub mod store;

use std::path::{Path, PathBuf};

pub use error::{Error, ErrorCode, ErrorReport, FieldError, Result};
pub use store::{Source, Store};

/// The current time as stored in the database: RFC 3339, UTC, seconds.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The environment variable that overrides the data folder (tests, the demo, several firms).
pub const DATA_DIR_ENV: &str = "SCOPEBOOK_DATA_DIR";

/// Where Scopebook keeps its data: `explicit` (`--data-dir`), else `$SCOPEBOOK_DATA_DIR`, else
/// the OS app-data folder (the same one the desktop app's identifier gives Tauri).
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join("com.scopebook.app"))
        .ok_or_else(|| {
            Error::io(
                "Scopebook can't find this computer's application-data folder; start it with --data-dir",
                std::io::Error::from(std::io::ErrorKind::NotFound),
            )
        })
}
