//! Scopebook's email: the MIME message and sending it through the firm's mail server (SMTP).
//!
//! Rules of this crate:
//! - It owns putting an email together ([`build_message`], with attachments and the
//!   `X-Unsent: 1` header that makes a mail app open it as a draft) and the SMTP conversation
//!   ([`send`]), with lettre.
//! - It knows nothing of proposals, clients, settings screens' storage or the database: callers
//!   hand it an [`Email`] and an [`SmtpServer`].
//! - The password arrives as a [`Sensitive`] and never reaches an error, a log or `Debug` output.
//! - Errors are sentences a bookkeeper understands ([`MailError`]).

mod message;
mod smtp;
#[cfg(any(test, feature = "test-server"))]
pub mod test_server;

pub use lettre::Address;
pub use lettre::Message;
pub use lettre::message::Mailbox;
pub use message::{Attachment, Email, build_message, is_loopback};
pub use scopebook_secrets::Sensitive;
pub use smtp::{SmtpSecurity, SmtpServer, send};

/// Why an email couldn't be put together or sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// No encryption to a server that isn't this computer (the security setting is the fix).
    #[error("Sending without encryption is only allowed to a server on this computer.")]
    Unencrypted,
    /// The server needs a username and password, and there is no password.
    #[error(
        "There's no password saved for {username} at {host}. Enter it under Settings → \
         Integrations → Email."
    )]
    NoPassword { username: String, host: String },
    /// The message couldn't be put together.
    #[error("{0}")]
    Message(String),
    /// The mail server couldn't be reached, or refused the email; the sentence says which.
    #[error("{0}")]
    Server(String),
}

pub type Result<T, E = MailError> = std::result::Result<T, E>;
