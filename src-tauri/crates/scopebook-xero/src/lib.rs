//! Scopebook's Xero client.
//!
//! Rules of this crate:
//! - It owns everything about talking to Xero: typed models (with Xero's `/Date(…)/` dates),
//!   OAuth 2.0 + PKCE with a loopback redirect, the token store (OS keychain in the app, memory in
//!   unit tests), the per-organisation rate limiter, retries and idempotency keys, typed errors.
//! - Every call is recorded in a [`CallLog`] (the database in the app and the CLI), which the
//!   daily budget is counted from.
//! - It knows nothing of Scopebook's clients, proposals or tables.
//! - Tokens never leave the [`tokens::TokenStore`]: not in errors, logs or `Debug` output.
//! - Every URL is configuration ([`XeroUrls`]), so tests and the demo use `xero-sim`.

pub mod auth;
pub mod calls;
pub mod client;
pub mod config;
pub mod date;
pub mod error;
mod limiter;
pub mod models;
mod number;
pub mod tokens;

pub use auth::{Authorization, Session, begin_authorization};
pub use calls::{CallCount, CallLog, CallRecord, MemoryCallLog};
pub use client::{ContactQuery, InvoiceQuery, Page, XeroClient};
pub use config::{DEFAULT_DAILY_BUDGET, Limits, RetryPolicy, XeroConfig, XeroUrls};
pub use error::{LimitProblem, Result, XeroError};
pub use tokens::{KeyringTokenStore, MemoryTokenStore, TokenSet, TokenStore};
