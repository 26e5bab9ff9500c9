//! Emailing proposals, one file per job:
//! - [`settings`]: the firm's email template and mail server; the SMTP password in the data
//!   folder's secrets store (`scopebook-secrets`, key `smtp:<username>@<host>`), never in
//!   SQLite, the change log, errors or replies;
//! - [`compose`]: the email for a proposal, filled from the template and checked;
//! - [`bulk`]: several proposals in one action, each once, with a result each;
//! - [`send`]: out through the mail server, or as an `.eml` draft for the mail app, then marked
//!   sent with who it went to in the change log.
//!
//! The MIME message and the SMTP conversation are `scopebook-mail`'s: this module holds no
//! transport code, and no store lock is held while the mail server is talked to.

pub mod bulk;
pub mod compose;
pub mod send;
pub mod settings;
#[cfg(test)]
mod tests;

pub use bulk::{BulkOutcome, BulkProgress, BulkResult, send_many};
pub use compose::{ComposedEmail, EmailDraft, Outgoing, compose, prepare};
pub use scopebook_secrets::Sensitive;
pub use send::{
    SentVia, drafts_dir, mark_emailed, record_sent, send_proposal, send_test_email, write_draft,
    write_eml,
};
pub use settings::{
    EmailSettings, EmailSettingsDraft, SmtpSecurity, get_settings, save_settings, saved_password,
    validate_settings,
};
