//! Errors with stable codes: the UI and the CLI branch on [`ErrorCode`] and show the sentence.

use serde::Serialize;
use ts_rs::TS;

/// The stable code of an error. The UI branches on it; the wording may change, the code may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// Input did not pass validation; `fields` says where.
    Invalid,
    NotFound,
    /// The data file was written by a newer Scopebook.
    NewerDatabase,
    /// The data file is not a readable Scopebook database.
    UnreadableDatabase,
    /// The practice has not been set up yet (first run).
    NotSetUp,
    /// Something else went wrong in the database (the detail is in the log, not the sentence).
    Database,
    /// Another process held the data file's write lock for too long.
    Busy,
    /// The request from the window was malformed (a bug or a stale window, not the user's input).
    BadRequest,
    /// The thing asked for has already been done (an import already undone).
    AlreadyDone,
    /// It can't be done while other records depend on it; the sentence lists them.
    InUse,
    /// A file could not be read or written.
    Io,
    /// Scopebook has no Xero connection (or no Xero app client id yet).
    XeroNotConnected,
    /// Xero no longer accepts the connection: connect again.
    XeroUnauthorised,
    /// Xero refused access to the organisation.
    XeroForbidden,
    XeroNotFound,
    /// Xero asked us to slow down, or the daily limit is spent.
    XeroRateLimited,
    /// The organisation's daily budget of Xero calls is spent (counted over a rolling 24 hours).
    XeroDailyBudgetSpent,
    /// The connection lacks a permission (scope) or Xero locked the endpoint; reconnecting the
    /// same app does not help.
    XeroPermissionMissing,
    /// Scopebook built a request Xero would refuse (a bug).
    XeroInvalidRequest,
    /// Xero refused the data; the message carries Xero's reasons.
    XeroValidation,
    /// Xero is down or answered 5xx.
    XeroUnavailable,
    /// A write whose outcome is unknown; it is looked up before any resend.
    XeroUncertain,
    /// Xero could not be reached (offline).
    XeroNetwork,
    XeroInvalidReply,
    /// The sign-in with Xero did not complete.
    XeroAuthorization,
    /// The OS keychain could not be used.
    Keychain,
    /// The user cancelled.
    Cancelled,
    /// An email could not be sent (server unreachable, sign-in refused, message refused).
    Email,
}

/// One problem with one input field. `field` is the path the form uses (`name`, `tiers.1.up_to`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every problem found in one piece of input, collected so a form can show them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> &[FieldError] {
        &self.0
    }

    /// Ok when nothing was found, otherwise an [`Error::Invalid`] carrying every problem.
    pub fn into_result(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", summary(.0))]
    Invalid(Problems),

    #[error("That {entity} no longer exists. It may have been deleted in another window.")]
    NotFound { entity: &'static str, id: i64 },

    #[error(
        "This data file was saved by a newer version of Scopebook (data version {found}; this \
         version reads up to {supported}). Install the latest Scopebook to open it. The file has \
         not been changed."
    )]
    NewerDatabase { found: i64, supported: i64 },

    #[error(
        "Scopebook can't read the data file at {path}: {reason}. The file has not been changed."
    )]
    UnreadableDatabase { path: String, reason: String },

    #[error("The practice hasn't been set up yet. Enter the practice's name and currency first.")]
    NotSetUp,

    /// The sentence never carries SQLite's own text; [`Error::report`] logs that.
    #[error("{}", database_sentence(.0))]
    Database(#[from] rusqlite::Error),

    /// A write changed rows without appending to the change log: a programming error, refused
    /// so that nothing unattributed is ever kept.
    #[error(
        "Scopebook refused to save a change it could not record in the change log ({}). \
         Nothing was changed.", tables.join(", ")
    )]
    Unlogged { tables: Vec<String> },

    /// The window sent a request Scopebook doesn't understand.
    #[error(
        "Scopebook's window sent a request it couldn't read ({0}). Restart Scopebook; nothing was changed."
    )]
    BadRequest(String),

    #[error("{0}")]
    AlreadyDone(String),

    #[error("{0}")]
    InUse(String),

    #[error(transparent)]
    Xero(#[from] scopebook_xero::XeroError),

    /// Sending an email failed; the sentence says what the mail server did.
    #[error("{0}")]
    Email(String),

    /// The OS keychain could not be used (outside the Xero connection).
    #[error("The system keychain couldn't be used: {0}")]
    Keychain(String),

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// A database failure in a bookkeeper's words; SQLite's own text goes to the log only.
fn database_sentence(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    if let rusqlite::Error::FromSqlConversionFailure(_, _, cause) = e
        && let Some(unknown) = cause.downcast_ref::<crate::store::enums::UnknownValue>()
    {
        return format!(
            "The data file holds a value this version of Scopebook doesn't recognise (an \
             unknown {} \"{}\"). It may have been saved by a newer version; install the latest \
             Scopebook. Nothing was changed.",
            unknown.what, unknown.value
        );
    }
    match e.sqlite_error_code() {
        Some(C::DatabaseBusy | C::DatabaseLocked) => "Another Scopebook window or command kept \
            the data file busy for too long. Try again in a moment; nothing was changed."
            .to_string(),
        Some(C::DiskFull) => "The disk holding Scopebook's data is full. Free some space and \
            try again; nothing was changed."
            .to_string(),
        Some(C::ReadOnly | C::PermissionDenied) => "Scopebook's data file can't be written \
            (it is read-only or access was refused). Nothing was changed."
            .to_string(),
        Some(C::ConstraintViolation) => "That change conflicts with what is already saved, \
            so it was not made. Nothing was changed."
            .to_string(),
        _ => "Scopebook couldn't read or save its data. Nothing was changed; the details are \
            in Scopebook's log."
            .to_string(),
    }
}

fn summary(problems: &Problems) -> String {
    match problems.fields() {
        [] => "Please check the highlighted fields.".to_string(),
        [one] => one.message.clone(),
        [first, rest @ ..] => format!("{} (and {} more to fix)", first.message, rest.len()),
    }
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Invalid(_) => ErrorCode::Invalid,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::NewerDatabase { .. } => ErrorCode::NewerDatabase,
            Error::UnreadableDatabase { .. } => ErrorCode::UnreadableDatabase,
            Error::NotSetUp => ErrorCode::NotSetUp,
            Error::Database(e) if is_busy(e) => ErrorCode::Busy,
            Error::Database(_) | Error::Unlogged { .. } => ErrorCode::Database,
            Error::BadRequest(_) => ErrorCode::BadRequest,
            Error::AlreadyDone(_) => ErrorCode::AlreadyDone,
            Error::InUse(_) => ErrorCode::InUse,
            Error::Io { .. } => ErrorCode::Io,
            Error::Email(_) => ErrorCode::Email,
            Error::Keychain(_) => ErrorCode::Keychain,
            Error::Xero(e) => {
                use scopebook_xero::XeroError as X;
                match e {
                    X::NotConnected => ErrorCode::XeroNotConnected,
                    X::Unauthorised => ErrorCode::XeroUnauthorised,
                    X::Forbidden => ErrorCode::XeroForbidden,
                    X::NotFound { .. } => ErrorCode::XeroNotFound,
                    X::RateLimited { .. } => ErrorCode::XeroRateLimited,
                    X::DailyBudgetSpent { .. } => ErrorCode::XeroDailyBudgetSpent,
                    X::PermissionMissing { .. } => ErrorCode::XeroPermissionMissing,
                    X::InvalidRequest(_) => ErrorCode::XeroInvalidRequest,
                    X::CallLog(_) => ErrorCode::Database,
                    X::Validation { .. } => ErrorCode::XeroValidation,
                    X::Unavailable { .. } => ErrorCode::XeroUnavailable,
                    X::Uncertain { .. } => ErrorCode::XeroUncertain,
                    X::Network { .. } => ErrorCode::XeroNetwork,
                    X::InvalidReply { .. } => ErrorCode::XeroInvalidReply,
                    X::Authorization(_) => ErrorCode::XeroAuthorization,
                    X::Keychain(_) => ErrorCode::Keychain,
                    X::Cancelled => ErrorCode::Cancelled,
                }
            }
        }
    }

    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut problems = Problems::new();
        problems.add(field, message);
        Error::Invalid(problems)
    }

    /// A background thread that was doing the work stopped (it panicked or was cancelled).
    pub fn worker_stopped(cause: impl std::fmt::Display) -> Self {
        Error::io(
            "Scopebook's background worker stopped",
            std::io::Error::other(cause.to_string()),
        )
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// What the UI receives: the code, the sentence, and the field problems if any. The
    /// technical detail the sentence leaves out goes to the log.
    pub fn report(&self) -> ErrorReport {
        if let Error::Database(e) = self {
            eprintln!("scopebook: database error: {e}");
        }
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
            fields: match self {
                Error::Invalid(problems) => problems.fields().to_vec(),
                _ => Vec::new(),
            },
        }
    }
}

/// An error as the UI and the CLI's `--json` output see it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorReport {
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
