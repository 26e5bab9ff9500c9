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

pub mod backup;
pub mod billing;
pub mod catalog;
pub mod clients;
pub mod connection;
pub mod csv_input;
pub mod data_folder;
pub mod email;
pub mod error;
pub mod export;
pub mod matching;
pub mod money;
pub mod practice;
pub mod proposals;
pub mod reference;
pub mod reports;
pub mod scope_creep;
pub mod store;
pub mod sync;
pub mod xero_calls;

pub use data_folder::{APP_IDENTIFIER, DATA_DIR_ENV, data_dir, secrets_for, secrets_of};
pub use error::{Error, ErrorCode, ErrorReport, FieldError, Result};
pub use store::{Source, Store};

/// The current time as stored in the database: RFC 3339, UTC, seconds.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
