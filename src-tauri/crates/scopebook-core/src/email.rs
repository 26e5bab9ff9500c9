//! Emailing proposals: the firm's email template and SMTP settings, composing the email for a
//! proposal, and getting it out either through the firm's mail server (SMTP) or as a ready
//! `.eml` draft the default mail app opens.
//!
//! Rules of this module:
//! - The SMTP password lives in the OS keychain only (service `com.scopebook.app`, account
//!   `smtp:<username>@<host>`), never in SQLite, the change log, errors or replies. The use
//!   cases that send take it as an argument; [`Keychain`] is where the app gets it from.
//! - Building the message is pure ([`build_message`]); the only network call is [`send_smtp`],
//!   and no store lock is held across it.
//! - A proposal emailed from here is marked sent (if it was a draft) and the change log records
//!   who it went to ([`record_sent`]).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::clients::get_client;
use crate::error::{Error, Problems, Result};
use crate::practice::{check_email, require_practice};
use crate::proposals::document::{placeholder_values, render_proposal_pdf};
use crate::proposals::terms::{PLACEHOLDERS, fill_placeholders};
use crate::proposals::{self, Proposal, ProposalAction, ProposalStatus, get_proposal};
use crate::store::{SharedStore, Source, Store, lock};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (usually port 587).
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: only to a server on this computer.
    None,
}

impl SmtpSecurity {
    fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }

    fn parse(text: &str) -> SmtpSecurity {
        match text {
            "tls" => SmtpSecurity::Tls,
            "none" => SmtpSecurity::None,
            _ => SmtpSecurity::Starttls,
        }
    }
}

/// The firm's email settings as saved. The password is not here: `has_password` says whether
/// the keychain holds one for this username and server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EmailSettings {
    /// Empty until sending by SMTP is set up.
    pub smtp_host: String,
    pub smtp_port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub from_address: String,
    pub from_name: String,
    pub subject_template: String,
    pub body_template: String,
    pub has_password: bool,
    /// The placeholders the templates may use.
    pub placeholders: Vec<String>,
    pub updated_at: String,
}

impl EmailSettings {
    /// The form as typed, from what is saved.
    pub fn draft(&self) -> EmailSettingsDraft {
        EmailSettingsDraft {
            smtp_host: self.smtp_host.clone(),
            smtp_port: self.smtp_port.to_string(),
            security: self.security,
            username: self.username.clone(),
            from_address: self.from_address.clone(),
            from_name: self.from_name.clone(),
            subject_template: self.subject_template.clone(),
            body_template: self.body_template.clone(),
        }
    }

    /// True once a server and a from address are saved.
    pub fn smtp_ready(&self) -> bool {
        !self.smtp_host.is_empty() && !self.from_address.is_empty()
    }

    /// The keychain account of the SMTP password: `smtp:<username>@<host>`.
    pub fn password_account(&self) -> Option<String> {
        password_account(&self.username, &self.smtp_host)
    }
}

fn password_account(username: &str, host: &str) -> Option<String> {
    (!username.is_empty() && !host.is_empty()).then(|| format!("smtp:{username}@{host}"))
}

/// The settings form as typed (the port as text, so a typo is a message beside its field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EmailSettingsDraft {
    pub smtp_host: String,
    pub smtp_port: String,
    pub security: SmtpSecurity,
    pub username: String,
    pub from_address: String,
    pub from_name: String,
    pub subject_template: String,
    pub body_template: String,
}

/// The email for one proposal, as the bookkeeper edits it. `to` and `cc` are lists of
/// addresses separated by commas or semicolons (`Jo Citizen <jo@acme.example>` is fine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EmailDraft {
    #[ts(type = "number")]
    pub proposal_id: i64,
    pub to: String,
    pub cc: String,
    pub subject: String,
    pub body: String,
}

/// What the Email proposal dialog opens with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ComposedEmail {
    pub draft: EmailDraft,
    /// Who it comes from (`Ledger & Co <hello@ledger.example>`), or "" if no address is known.
    pub from: String,
    /// The PDF's file name, `P-2026-0001 Acme Plumbing.pdf`.
    pub attachment_name: String,
    /// `smtp.example.com:587` when sending by SMTP is set up; none otherwise.
    pub smtp_server: Option<String>,
    pub proposal_status: ProposalStatus,
}

/// How a proposal left the practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentVia {
    /// Sent by Scopebook through the firm's mail server.
    Smtp,
    /// Opened as a draft in the mail app; the bookkeeper said it went.
    MailApp,
}

// ---------------------------------------------------------------------------------------------
// Settings

const COLUMNS: &str = "smtp_host, smtp_port, security, username, from_address, from_name, \
                       subject_template, body_template, updated_at";

/// The saved settings (the migration creates the row with the default templates).
pub fn get_settings(store: &Store, passwords: &dyn PasswordStore) -> Result<EmailSettings> {
    let mut settings = stored_settings(store)?;
    // Best effort: a locked keychain must not stop the settings screen from showing.
    settings.has_password = settings
        .password_account()
        .is_some_and(|account| matches!(passwords.load(&account), Ok(Some(_))));
    Ok(settings)
}

fn stored_settings(store: &Store) -> Result<EmailSettings> {
    Ok(store.conn().query_row(
        &format!("SELECT {COLUMNS} FROM email_settings WHERE id = 1"),
        [],
        |r| {
            Ok(EmailSettings {
                smtp_host: r.get(0)?,
                smtp_port: r.get(1)?,
                security: SmtpSecurity::parse(&r.get::<_, String>(2)?),
                username: r.get(3)?,
                from_address: r.get(4)?,
                from_name: r.get(5)?,
                subject_template: r.get(6)?,
                body_template: r.get(7)?,
                has_password: false,
                placeholders: PLACEHOLDERS.iter().map(|p| p.to_string()).collect(),
                updated_at: r.get(8)?,
            })
        },
    )?)
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn check_template(problems: &mut Problems, field: &str, template: &str) {
    let (_, unknown) = fill_placeholders(template, &[]);
    let unknown: Vec<String> = unknown
        .into_iter()
        .filter(|name| !PLACEHOLDERS.contains(&name.as_str()))
        .map(|name| format!("{{{{{name}}}}}"))
        .collect();
    if !unknown.is_empty() {
        problems.add(
            field,
            format!(
                "Scopebook doesn't know {}. Use {}.",
                unknown.join(", "),
                PLACEHOLDERS
                    .iter()
                    .map(|p| format!("{{{{{p}}}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}

/// Checks the settings form field by field; returns it with spaces trimmed and the port read.
pub fn validate_settings(
    draft: &EmailSettingsDraft,
    password: Option<&str>,
) -> Result<(EmailSettingsDraft, u16)> {
    let mut problems = Problems::new();
    let mut clean = draft.clone();
    clean.smtp_host = draft.smtp_host.trim().to_string();
    clean.smtp_port = draft.smtp_port.trim().to_string();
    clean.username = draft.username.trim().to_string();
    clean.from_address = draft.from_address.trim().to_string();
    clean.from_name = draft.from_name.trim().to_string();
    clean.subject_template = draft.subject_template.trim().to_string();
    clean.body_template = draft.body_template.trim_end().to_string();
    let host = clean.smtp_host.as_str();
    let smtp = !host.is_empty();

    if host.contains("://") || host.contains('/') || host.contains(char::is_whitespace) {
        problems.add(
            "smtp_host",
            "Enter just the server's name, like smtp.office365.com or smtp.gmail.com.",
        );
    }
    let port = match clean.smtp_port.parse::<u16>() {
        Ok(port) if port > 0 => port,
        _ if !smtp && clean.smtp_port.is_empty() => 587,
        _ => {
            problems.add(
                "smtp_port",
                "Enter the server's port: usually 587 for STARTTLS or 465 for TLS.",
            );
            0
        }
    };
    if smtp && clean.security == SmtpSecurity::None && !is_loopback(host) {
        problems.add(
            "security",
            "Sending without encryption is only allowed to a server on this computer \
             (localhost or 127.0.0.1). Choose STARTTLS or TLS.",
        );
    }
    if clean.username.contains(['\r', '\n']) {
        problems.add("username", "The username must be on one line.");
    }
    if password.is_some_and(|p| !p.is_empty()) && (clean.username.is_empty() || !smtp) {
        problems.add(
            "username",
            "Enter the server and the username this password belongs to.",
        );
    }
    check_email(&mut problems, "from_address", &clean.from_address);
    if smtp && clean.from_address.is_empty() {
        problems.add(
            "from_address",
            "Enter the address proposals are sent from, like hello@yourfirm.com.",
        );
    }
    if clean.from_name.contains(['\r', '\n']) || clean.from_name.chars().count() > 200 {
        problems.add("from_name", "Keep the name to one line.");
    }
    if clean.subject_template.is_empty() {
        problems.add("subject_template", "Enter the subject line.");
    } else if clean.subject_template.contains(['\r', '\n']) {
        problems.add("subject_template", "Keep the subject to one line.");
    }
    check_template(&mut problems, "subject_template", &clean.subject_template);
    if clean.body_template.trim().is_empty() {
        problems.add("body_template", "Enter the email's text.");
    }
    check_template(&mut problems, "body_template", &clean.body_template);
    problems.into_result()?;
    Ok((clean, port))
}

/// Saves the settings; a non-empty `password` goes to the keychain (an empty one keeps the
/// saved password). When the username or server changes, the old password is forgotten.
pub fn save_settings(
    store: &mut Store,
    draft: &EmailSettingsDraft,
    password: Option<&str>,
    passwords: &dyn PasswordStore,
) -> Result<EmailSettings> {
    let (clean, port) = validate_settings(draft, password)?;
    let before = stored_settings(store)?;
    let account = password_account(&clean.username, &clean.smtp_host);
    let new_password = password.filter(|p| !p.is_empty());
    // The keychain first: if it refuses, nothing is saved and the form says why.
    if let (Some(account), Some(password)) = (&account, new_password) {
        passwords.save(account, password)?;
    }
    store.write(Source::User, |tx| {
        tx.execute(
            "UPDATE email_settings SET smtp_host = ?1, smtp_port = ?2, security = ?3,
                username = ?4, from_address = ?5, from_name = ?6, subject_template = ?7,
                body_template = ?8, updated_at = ?9
             WHERE id = 1",
            params![
                clean.smtp_host,
                port,
                clean.security.as_str(),
                clean.username,
                clean.from_address,
                clean.from_name,
                clean.subject_template,
                clean.body_template,
                crate::now()
            ],
        )?;
        tx.log(
            "email_settings",
            1,
            "update",
            &serde_json::json!({
                "smtp_host": clean.smtp_host,
                "smtp_port": port,
                "security": clean.security.as_str(),
                "username": clean.username,
                "from_address": clean.from_address,
                "from_name": clean.from_name,
                "password_changed": new_password.is_some(),
            }),
        )
    })?;
    if let Some(old) = before.password_account()
        && Some(&old) != account.as_ref()
    {
        passwords.delete(&old)?;
    }
    get_settings(store, passwords)
}

/// The SMTP password for the saved settings, from `passwords` (the keychain in the app).
pub fn saved_password(store: &Store, passwords: &dyn PasswordStore) -> Result<Option<String>> {
    match stored_settings(store)?.password_account() {
        Some(account) => passwords.load(&account),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------------------
// The SMTP password in the keychain

/// Where SMTP passwords are kept. The app uses [`Keychain`]; tests keep them in memory.
pub trait PasswordStore: Send + Sync {
    fn load(&self, account: &str) -> Result<Option<String>>;
    fn save(&self, account: &str, password: &str) -> Result<()>;
    fn delete(&self, account: &str) -> Result<()>;
}

/// The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager).
pub struct Keychain {
    service: String,
}

impl Keychain {
    /// Scopebook's own entries (`com.scopebook.app`).
    pub fn app() -> Self {
        Keychain::with_service(scopebook_xero::tokens::KEYCHAIN_SERVICE)
    }

    /// Entries under another service name (tests use their own, to never touch real ones).
    pub fn with_service(service: &str) -> Self {
        Keychain {
            service: service.to_string(),
        }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, account).map_err(keychain_error)
    }
}

fn keychain_error(error: keyring::Error) -> Error {
    Error::Keychain(match error {
        keyring::Error::NoStorageAccess(_) => {
            "it is locked or unavailable; unlock it (log in again) and retry".to_string()
        }
        keyring::Error::PlatformFailure(e) => format!("the system keychain failed ({e})"),
        other => other.to_string(),
    })
}

impl PasswordStore for Keychain {
    fn load(&self, account: &str) -> Result<Option<String>> {
        match self.entry(account)?.get_password() {
            Ok(password) => Ok(Some(password)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn save(&self, account: &str, password: &str) -> Result<()> {
        self.entry(account)?
            .set_password(password)
            .map_err(keychain_error)
    }

    fn delete(&self, account: &str) -> Result<()> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Composing

/// A file name without characters that Windows, macOS or mail apps refuse.
fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_end_matches('.').trim();
    if trimmed.is_empty() {
        "Proposal".to_string()
    } else {
        trimmed.to_string()
    }
}

/// `P-2026-0001 Acme Plumbing` (the attachment's and the draft's name, without extension).
fn file_stem(proposal: &Proposal) -> String {
    safe_file_name(&format!("{} {}", proposal.label(), proposal.client_name))
}

fn refuse_closed(proposal: &Proposal) -> Result<()> {
    match proposal.status {
        ProposalStatus::Draft | ProposalStatus::Sent | ProposalStatus::Accepted => Ok(()),
        other => Err(Error::invalid(
            "status",
            format!(
                "This proposal is {}, so it can't be emailed. Duplicate it to send a new one.",
                other.as_str()
            ),
        )),
    }
}

/// The sender: the from address in the settings, else the practice's email, named after the
/// from name or the practice.
fn sender(store: &Store, settings: &EmailSettings) -> Result<Option<Mailbox>> {
    let practice = require_practice(store)?;
    let address = if settings.from_address.is_empty() {
        practice.email.trim().to_string()
    } else {
        settings.from_address.clone()
    };
    if address.is_empty() {
        return Ok(None);
    }
    let name = if settings.from_name.is_empty() {
        practice.firm_name.clone()
    } else {
        settings.from_name.clone()
    };
    let address = address.parse().map_err(|_| {
        Error::invalid(
            "from",
            format!("The from address {address} isn't a valid email address."),
        )
    })?;
    Ok(Some(Mailbox::new(Some(name), address)))
}

/// The email for proposal `id`, filled from the firm's template: to the client's invoice email
/// (or their email), subject and body with the placeholders filled.
pub fn compose(store: &Store, id: i64) -> Result<ComposedEmail> {
    let proposal = get_proposal(store, id)?;
    refuse_closed(&proposal)?;
    let practice = require_practice(store)?;
    let client = get_client(store, proposal.client_id)?;
    let settings = stored_settings(store)?;
    let values = placeholder_values(&proposal, &practice, &client);
    let fill = |text: &str| fill_placeholders(text, &values).0;
    let to = [
        &client.details.invoicing.invoice_email,
        &client.details.email,
    ]
    .into_iter()
    .map(|e| e.trim())
    .find(|e| !e.is_empty())
    .unwrap_or_default();
    let to = match (client.contact_name(), to.is_empty()) {
        (_, true) => String::new(),
        (name, false) if name.is_empty() => to.to_string(),
        // Only the main email belongs to the contact person; the invoice inbox doesn't.
        (name, false) if to == client.details.email.trim() => match to.parse() {
            Ok(address) => Mailbox::new(Some(name), address).to_string(),
            Err(_) => to.to_string(),
        },
        (_, false) => to.to_string(),
    };
    Ok(ComposedEmail {
        draft: EmailDraft {
            proposal_id: id,
            to,
            cc: String::new(),
            subject: one_line(&fill(&settings.subject_template)),
            body: fill(&settings.body_template),
        },
        from: sender(store, &settings)?
            .map(|m| m.to_string())
            .unwrap_or_default(),
        attachment_name: format!("{}.pdf", file_stem(&proposal)),
        smtp_server: settings
            .smtp_ready()
            .then(|| format!("{}:{}", settings.smtp_host, settings.smtp_port)),
        proposal_status: proposal.status,
    })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_addresses(problems: &mut Problems, field: &str, text: &str) -> Vec<Mailbox> {
    let mut mailboxes = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.parse::<Mailbox>() {
            Ok(mailbox)
                if mailbox.email.domain().contains('.') || is_loopback(mailbox.email.domain()) =>
            {
                mailboxes.push(mailbox)
            }
            _ => {
                problems.add(
                    field,
                    format!("“{part}” isn't an email address. Enter addresses like accounts@client.com, separated by commas."),
                );
                return mailboxes;
            }
        }
    }
    mailboxes
}

/// A proposal email ready to build: checked addresses and the PDF.
#[derive(Clone)]
pub struct Outgoing {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    pub body: String,
    pub attachment_name: String,
    pub pdf: Vec<u8>,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("cc", &self.cc)
            .field("subject", &self.subject)
            .field("attachment_name", &self.attachment_name)
            .field("pdf_bytes", &self.pdf.len())
            .finish_non_exhaustive()
    }
}

/// Checks the draft field by field, works out the sender and renders the proposal's PDF.
pub fn prepare(store: &Store, settings: &EmailSettings, draft: &EmailDraft) -> Result<Outgoing> {
    let mut outgoing = check_draft(store, settings, draft)?;
    outgoing.pdf = render_proposal_pdf(store, draft.proposal_id)?;
    Ok(outgoing)
}

/// Checks the draft field by field and works out the sender (the PDF is left empty).
fn check_draft(store: &Store, settings: &EmailSettings, draft: &EmailDraft) -> Result<Outgoing> {
    let proposal = get_proposal(store, draft.proposal_id)?;
    refuse_closed(&proposal)?;
    let mut problems = Problems::new();
    let to = parse_addresses(&mut problems, "to", &draft.to);
    if to.is_empty() && problems.is_empty() {
        problems.add("to", "Enter who the proposal goes to.");
    }
    let cc = parse_addresses(&mut problems, "cc", &draft.cc);
    let subject = one_line(&draft.subject);
    if subject.is_empty() {
        problems.add("subject", "Enter a subject.");
    }
    if draft.body.trim().is_empty() {
        problems.add("body", "Write a few words to go with the proposal.");
    }
    let from = sender(store, settings)?;
    if from.is_none() {
        problems.add(
            "from",
            "Scopebook needs an address to send from: enter the practice's email in Settings, \
             or a from address under Settings → Integrations → Email.",
        );
    }
    problems.into_result()?;
    let from = from.ok_or_else(|| Error::invalid("from", "Enter a from address."))?;
    Ok(Outgoing {
        from,
        to,
        cc,
        subject,
        body: draft.body.trim_end().to_string(),
        attachment_name: format!("{}.pdf", file_stem(&proposal)),
        pdf: Vec::new(),
    })
}

/// `X-Unsent: 1`: Outlook and Apple Mail open such a message as a draft to edit and send.
#[derive(Clone)]
struct XUnsent;

impl Header for XUnsent {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Unsent")
    }

    fn parse(_: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(XUnsent)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "1".to_string())
    }
}

/// The message: the text, and the proposal PDF attached. `unsent` marks it as a draft for
/// the mail app (`X-Unsent: 1`).
pub fn build_message(outgoing: &Outgoing, unsent: bool) -> Result<Message> {
    let mut builder = Message::builder()
        .from(outgoing.from.clone())
        .subject(outgoing.subject.clone());
    for to in &outgoing.to {
        builder = builder.to(to.clone());
    }
    for cc in &outgoing.cc {
        builder = builder.cc(cc.clone());
    }
    if unsent {
        builder = builder.header(XUnsent);
    }
    let pdf = ContentType::parse("application/pdf")
        .map_err(|e| Error::Email(format!("Couldn't attach the PDF ({e})")))?;
    builder
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(outgoing.body.clone()))
                .singlepart(
                    Attachment::new(outgoing.attachment_name.clone())
                        .body(outgoing.pdf.clone(), pdf),
                ),
        )
        .map_err(|e| Error::Email(format!("Couldn't put the email together ({e})")))
}

// ---------------------------------------------------------------------------------------------
// Sending

/// How long the mail server may take to answer each step.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends `message` through the firm's mail server. `password` is required when a username is
/// set. Errors say in plain words what the server did; they never contain the password.
pub async fn send_smtp(
    settings: &EmailSettings,
    password: Option<&str>,
    message: &Message,
) -> Result<()> {
    let host = settings.smtp_host.as_str();
    let port = settings.smtp_port;
    if !settings.smtp_ready() {
        return Err(Error::Email(
            "Sending by email isn't set up yet. Enter your mail server under Settings → \
             Integrations → Email, or open the proposal in your mail app instead."
                .to_string(),
        ));
    }
    let tls = |host: &str| {
        TlsParameters::new(host.to_string()).map_err(|e| {
            Error::Email(format!(
                "Couldn't prepare a secure connection to {host} ({e})."
            ))
        })
    };
    let tls = match settings.security {
        SmtpSecurity::Starttls => Tls::Required(tls(host)?),
        SmtpSecurity::Tls => Tls::Wrapper(tls(host)?),
        SmtpSecurity::None if is_loopback(host) => Tls::None,
        SmtpSecurity::None => {
            return Err(Error::invalid(
                "security",
                "Sending without encryption is only allowed to a server on this computer.",
            ));
        }
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .tls(tls)
        .timeout(Some(SMTP_TIMEOUT));
    if !settings.username.is_empty() {
        let Some(password) = password.filter(|p| !p.is_empty()) else {
            return Err(Error::Email(format!(
                "There's no password saved for {} at {host}. Enter it under Settings → \
                 Integrations → Email.",
                settings.username
            )));
        };
        transport = transport
            .credentials(Credentials::new(
                settings.username.clone(),
                password.to_string(),
            ))
            .authentication(vec![Mechanism::Plain, Mechanism::Login]);
    }
    transport
        .build()
        .send(message.clone())
        .await
        .map(|_| ())
        .map_err(|e| smtp_error(settings, &e))
}

/// The mail server's failure in a bookkeeper's words.
fn smtp_error(settings: &EmailSettings, error: &lettre::transport::smtp::Error) -> Error {
    let host = &settings.smtp_host;
    let port = settings.smtp_port;
    let code = error.status().map(|c| c.to_string()).unwrap_or_default();
    // The server's own words (never our credentials): "535 5.7.8 Authentication failed".
    let said = std::error::Error::source(error)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(" The server said: “{}”.", said.trim())
    };
    let message = if is_auth_reply(&code) && !settings.username.is_empty() {
        format!(
            "The mail server refused the password for {} at {host}. Check the username and \
             password under Settings → Integrations → Email.{said}",
            settings.username
        )
    } else if error.is_timeout() {
        format!(
            "{host} didn't answer in time (port {port}). Check the server and port, and try again."
        )
    } else if error.is_tls() {
        format!(
            "Couldn't make a secure connection to {host} on port {port}. Check the security \
             setting: STARTTLS usually uses port 587, TLS port 465."
        )
    } else if error.is_permanent() || error.is_transient() {
        let again = if error.is_transient() {
            " Try again in a few minutes."
        } else {
            ""
        };
        format!("The mail server {host} refused the email ({code}).{said}{again}")
    } else if error.is_client() {
        format!(
            "Scopebook and {host} couldn't agree how to send ({said}). Check the security setting and port."
        )
    } else {
        format!(
            "Couldn't reach {host} on port {port}. Check the server name and port, and that \
             this computer is online."
        )
    };
    Error::Email(message)
}

fn is_auth_reply(code: &str) -> bool {
    // 535 bad credentials, 534 mechanism too weak, 530 authentication required, 454 temporary
    // authentication failure.
    matches!(code, "535" | "534" | "530" | "454")
}

/// Sends the proposal by SMTP, then marks it sent and records who it went to. Nothing is
/// marked when the server refuses it.
pub async fn send_proposal(
    store: &SharedStore,
    draft: &EmailDraft,
    password: Option<&str>,
) -> Result<Proposal> {
    let (settings, message, outgoing) = {
        let store = lock(store);
        let settings = stored_settings(&store)?;
        let outgoing = prepare(&store, &settings, draft)?;
        (settings, build_message(&outgoing, false)?, outgoing)
    };
    send_smtp(&settings, password, &message).await?;
    record_sent(
        &mut lock(store),
        draft.proposal_id,
        &outgoing,
        SentVia::Smtp,
    )
}

/// A short message to the from address, to check the settings work.
pub async fn send_test_email(store: &SharedStore, password: Option<&str>) -> Result<String> {
    let (settings, message) = {
        let store = lock(store);
        let settings = stored_settings(&store)?;
        let practice = require_practice(&store)?;
        let from = sender(&store, &settings)?;
        let (Some(from), true) = (from, settings.smtp_ready()) else {
            return Err(Error::Email(
                "Enter and save the mail server and from address first.".to_string(),
            ));
        };
        let message = Message::builder()
            .from(from.clone())
            .to(from)
            .subject(format!("Scopebook test email for {}", practice.firm_name))
            .header(ContentType::TEXT_PLAIN)
            .body(format!(
                "This is a test from Scopebook. Proposals emailed from Scopebook will be sent \
                 through {}:{} as {}.",
                settings.smtp_host, settings.smtp_port, settings.from_address
            ))
            .map_err(|e| Error::Email(format!("Couldn't put the email together ({e})")))?;
        (settings, message)
    };
    send_smtp(&settings, password, &message).await?;
    Ok(settings.from_address)
}

/// Writes the proposal email as an `.eml` draft (with `X-Unsent: 1` and the PDF) into `dir`,
/// for the default mail app to open. Nothing is marked sent: the bookkeeper says so afterwards.
pub fn write_eml(store: &Store, draft: &EmailDraft, dir: &Path) -> Result<PathBuf> {
    let settings = stored_settings(store)?;
    let outgoing = prepare(store, &settings, draft)?;
    let message = build_message(&outgoing, true)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("Couldn't create the folder {}", dir.display()), e))?;
    let stem = outgoing.attachment_name.trim_end_matches(".pdf");
    let path = dir.join(format!("{stem}.eml"));
    std::fs::write(&path, message.formatted())
        .map_err(|e| Error::io(format!("Couldn't write {}", path.display()), e))?;
    Ok(path)
}

/// Marks the proposal sent (if it was a draft) and records who it went to in the change log.
pub fn record_sent(
    store: &mut Store,
    proposal_id: i64,
    outgoing: &Outgoing,
    via: SentVia,
) -> Result<Proposal> {
    let proposal = get_proposal(store, proposal_id)?;
    if proposal.status == ProposalStatus::Draft {
        proposals::change_status(store, proposal_id, ProposalAction::Send, None, &[])?;
    }
    let list = |m: &[Mailbox]| m.iter().map(|m| m.to_string()).collect::<Vec<_>>();
    store.write(Source::User, |tx| {
        tx.log(
            "proposal",
            proposal_id,
            "emailed",
            &serde_json::json!({
                "to": list(&outgoing.to),
                "cc": list(&outgoing.cc),
                "subject": outgoing.subject,
                "attachment": outgoing.attachment_name,
                "via": match via { SentVia::Smtp => "smtp", SentVia::MailApp => "mail_app" },
            }),
        )
    })?;
    get_proposal(store, proposal_id)
}

/// After the mail-app route: the bookkeeper says they sent it.
pub fn mark_emailed(store: &mut Store, draft: &EmailDraft) -> Result<Proposal> {
    let settings = stored_settings(store)?;
    let outgoing = check_draft(store, &settings, draft)?;
    record_sent(store, draft.proposal_id, &outgoing, SentVia::MailApp)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    use base64::Engine;
    use mail_parser::{MessageParser, MimeHeaders};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    use super::*;
    use crate::catalog::{self, Frequency, PricingDraft, PricingKind, ServiceDraft};
    use crate::clients::{ClientDraft, create_client};
    use crate::practice::{PracticeSetup, setup_practice, update_practice};
    use crate::proposals::{LineDraft, blank_proposal, create_proposal};
    use crate::store::history;

    /// Passwords in memory, standing in for the keychain.
    #[derive(Default)]
    struct MemoryPasswords(Mutex<HashMap<String, String>>);

    impl PasswordStore for MemoryPasswords {
        fn load(&self, account: &str) -> Result<Option<String>> {
            Ok(self.0.lock().unwrap().get(account).cloned())
        }
        fn save(&self, account: &str, password: &str) -> Result<()> {
            self.0
                .lock()
                .unwrap()
                .insert(account.into(), password.into());
            Ok(())
        }
        fn delete(&self, account: &str) -> Result<()> {
            self.0.lock().unwrap().remove(account);
            Ok(())
        }
    }

    const PASSWORD: &str = "s3cret-Pa55word";

    /// A practice with an email, a client with a contact person, an email and an invoice
    /// email, and a draft proposal for $425 a month.
    fn world() -> (Store, i64) {
        let mut store = Store::open_in_memory().unwrap();
        setup_practice(
            &mut store,
            PracticeSetup {
                firm_name: "Ledger & Co".into(),
                country: "AU".into(),
                base_currency: "AUD".into(),
            },
        )
        .unwrap();
        let mut practice = require_practice(&store).unwrap().draft();
        practice.email = "hello@ledger.example".into();
        update_practice(&mut store, practice).unwrap();
        let mut client = ClientDraft {
            display_name: "Acme Plumbing".into(),
            first_name: "Jo".into(),
            last_name: "Citizen".into(),
            email: "jo@acme.example".into(),
            ..ClientDraft::blank()
        };
        client.invoicing.invoice_email = "accounts@acme.example".into();
        let client = create_client(&mut store, &client).unwrap().id;
        let service = catalog::create_service(
            &mut store,
            &ServiceDraft {
                name: "Bookkeeping".into(),
                pricing: PricingDraft {
                    price: "425".into(),
                    ..PricingDraft::empty(PricingKind::Fixed)
                },
                frequency: Frequency::Monthly,
                ..ServiceDraft::blank()
            },
        )
        .unwrap()
        .id;
        let mut draft = blank_proposal(&store, client).unwrap();
        draft.valid_until = "2026-12-31".into();
        draft.lines = vec![LineDraft {
            service_id: Some(service),
            line_id: None,
            quantity: "1".into(),
            discount_percent: "0".into(),
            start_month: "2026-12".into(),
            end_month: String::new(),
            optional: false,
        }];
        let proposal = create_proposal(&mut store, &draft).unwrap().id;
        (store, proposal)
    }

    fn smtp_settings(port: u16) -> EmailSettingsDraft {
        EmailSettingsDraft {
            smtp_host: "127.0.0.1".into(),
            smtp_port: port.to_string(),
            security: SmtpSecurity::None,
            username: "ledger".into(),
            from_address: "proposals@ledger.example".into(),
            from_name: "Ledger & Co Proposals".into(),
            ..stored_settings(&Store::open_in_memory().unwrap())
                .unwrap()
                .draft()
        }
    }

    #[test]
    fn compose_fills_the_template_and_picks_the_invoice_email() {
        let (store, id) = world();
        let composed = compose(&store, id).unwrap();
        let number = get_proposal(&store, id).unwrap().number;
        assert_eq!(composed.draft.to, "accounts@acme.example");
        assert_eq!(composed.draft.cc, "");
        assert_eq!(
            composed.draft.subject,
            format!("Proposal {number} from Ledger & Co")
        );
        let body = &composed.draft.body;
        assert!(body.starts_with("Dear Jo Citizen,"), "{body}");
        assert!(body.contains(&format!("our proposal {number}")), "{body}");
        assert!(body.contains("31 December 2026"), "{body}");
        assert!(body.trim_end().ends_with("Ledger & Co"), "{body}");
        assert!(!body.contains("{{"), "{body}");
        assert_eq!(
            composed.attachment_name,
            format!("{number} Acme Plumbing.pdf")
        );
        assert_eq!(composed.from, "Ledger & Co <hello@ledger.example>");
        assert_eq!(composed.smtp_server, None);
        assert_eq!(composed.proposal_status, ProposalStatus::Draft);
    }

    #[test]
    fn compose_falls_back_to_the_contacts_email_and_uses_the_template() {
        let (mut store, id) = world();
        let client_id = get_proposal(&store, id).unwrap().client_id;
        let mut client = get_client(&store, client_id).unwrap().details;
        client.invoicing.invoice_email = String::new();
        crate::clients::update_client(&mut store, client_id, &client).unwrap();
        let mut settings = stored_settings(&store).unwrap().draft();
        settings.subject_template = "{{client}}: {{monthly_fee}} a month".into();
        settings.body_template = "Hi {{client_contact}}".into();
        save_settings(&mut store, &settings, None, &MemoryPasswords::default()).unwrap();
        let composed = compose(&store, id).unwrap();
        assert_eq!(composed.draft.to, "Jo Citizen <jo@acme.example>");
        assert_eq!(composed.draft.subject, "Acme Plumbing: $425.00 a month");
        assert_eq!(composed.draft.body, "Hi Jo Citizen");
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let mut store = Store::open_in_memory().unwrap();
        let passwords = MemoryPasswords::default();
        let bad = EmailSettingsDraft {
            smtp_host: "smtp://mail.example.com".into(),
            smtp_port: "99999".into(),
            security: SmtpSecurity::None,
            username: "me".into(),
            from_address: "not an address".into(),
            from_name: "Ledger".into(),
            subject_template: "Proposal {{numbr}}".into(),
            body_template: "  ".into(),
        };
        let err = save_settings(&mut store, &bad, Some(PASSWORD), &passwords).unwrap_err();
        let report = err.report();
        assert_eq!(report.code, crate::ErrorCode::Invalid);
        let fields: Vec<&str> = report.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "smtp_host",
                "smtp_port",
                "security",
                "from_address",
                "subject_template",
                "body_template"
            ]
        );
        assert!(report.fields[4].message.contains("{{numbr}}"));
        assert!(passwords.0.lock().unwrap().is_empty(), "nothing kept");

        // Unencrypted is fine to this computer only; a real server needs a from address.
        let mut ok = smtp_settings(2525);
        ok.smtp_host = "localhost".into();
        assert!(validate_settings(&ok, None).is_ok());
        ok.smtp_host = "smtp.example.com".into();
        ok.security = SmtpSecurity::Starttls;
        ok.from_address = String::new();
        let err = validate_settings(&ok, None).unwrap_err().report();
        assert_eq!(err.fields[0].field, "from_address");
        // No server at all is fine (the mail-app route), and the port defaults.
        let none = EmailSettingsDraft {
            smtp_host: String::new(),
            smtp_port: String::new(),
            username: String::new(),
            from_address: String::new(),
            ..ok
        };
        assert_eq!(validate_settings(&none, None).unwrap().1, 587);
        let err = validate_settings(&none, Some("pw")).unwrap_err().report();
        assert_eq!(err.fields[0].field, "username");
    }

    #[test]
    fn the_password_goes_to_the_keychain_only() {
        let mut store = Store::open_in_memory().unwrap();
        let passwords = MemoryPasswords::default();
        let mut draft = smtp_settings(2525);
        let saved = save_settings(&mut store, &draft, Some(PASSWORD), &passwords).unwrap();
        assert!(saved.has_password);
        assert_eq!(saved.smtp_port, 2525);
        assert_eq!(
            passwords
                .0
                .lock()
                .unwrap()
                .get("smtp:ledger@127.0.0.1")
                .unwrap(),
            PASSWORD
        );
        assert_eq!(
            saved_password(&store, &passwords).unwrap().as_deref(),
            Some(PASSWORD)
        );
        // Nothing in the database holds it: settings, change log, anything.
        let dump: String = store
            .conn()
            .query_row("SELECT group_concat(detail, ' ') FROM changes", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(!dump.contains(PASSWORD));
        let row: String = store
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM email_settings").replace(", ", " || ' ' || "),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!row.contains(PASSWORD));
        assert!(!format!("{saved:?}").contains(PASSWORD));

        // Saving without a password keeps it; changing the username forgets the old one.
        assert!(
            save_settings(&mut store, &draft, None, &passwords)
                .unwrap()
                .has_password
        );
        draft.username = "someone-else".into();
        let saved = save_settings(&mut store, &draft, Some(""), &passwords).unwrap();
        assert!(!saved.has_password);
        assert!(passwords.0.lock().unwrap().is_empty());
    }

    fn outgoing(store: &Store, id: i64) -> Outgoing {
        let settings = stored_settings(store).unwrap();
        let mut draft = compose(store, id).unwrap().draft;
        draft.cc = "Boss <boss@acme.example>; books@acme.example".into();
        prepare(store, &settings, &draft).unwrap()
    }

    fn assert_is_the_proposal_email(raw: &[u8], number: &str) {
        let message = MessageParser::default().parse(raw).unwrap();
        let from = message.from().and_then(|a| a.first()).unwrap();
        assert_eq!(
            (from.name(), from.address()),
            (Some("Ledger & Co"), Some("hello@ledger.example"))
        );
        assert_eq!(
            message.subject(),
            Some(format!("Proposal {number} from Ledger & Co").as_str())
        );
        assert_eq!(
            message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address()),
            Some("accounts@acme.example")
        );
        let cc: Vec<_> = message
            .cc()
            .unwrap()
            .iter()
            .filter_map(|a| a.address())
            .collect();
        assert_eq!(cc, ["boss@acme.example", "books@acme.example"]);
        assert!(
            message
                .body_text(0)
                .unwrap()
                .starts_with("Dear Jo Citizen,")
        );
        let attachments: Vec<_> = message.attachments().collect();
        assert_eq!(attachments.len(), 1);
        let pdf = attachments[0];
        let content_type = pdf.content_type().unwrap();
        assert_eq!(
            (content_type.ctype(), content_type.subtype()),
            ("application", Some("pdf"))
        );
        assert_eq!(
            pdf.attachment_name(),
            Some(format!("{number} Acme Plumbing.pdf").as_str())
        );
        assert!(pdf.contents().starts_with(b"%PDF"));
    }

    #[test]
    fn the_message_has_the_headers_the_body_and_the_pdf() {
        let (store, id) = world();
        let number = get_proposal(&store, id).unwrap().number;
        let message = build_message(&outgoing(&store, id), false).unwrap();
        let raw = message.formatted();
        let text = String::from_utf8_lossy(&raw);
        for header in [
            "From: ".to_string(),
            format!("Subject: Proposal {number} from Ledger & Co\r\n"),
            "To: accounts@acme.example\r\n".to_string(),
            "Cc: Boss <boss@acme.example>, books@acme.example\r\n".to_string(),
            "MIME-Version: 1.0\r\n".to_string(),
            "Content-Type: multipart/mixed;".to_string(),
        ] {
            assert!(text.contains(&header), "{header} in {text}");
        }
        assert!(text.contains("Content-Type: application/pdf"), "{text}");
        assert!(!text.contains("X-Unsent"));
        assert_is_the_proposal_email(&raw, &number);
        let envelope: Vec<String> = message
            .envelope()
            .to()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            envelope,
            [
                "accounts@acme.example",
                "boss@acme.example",
                "books@acme.example"
            ]
        );
    }

    #[test]
    fn the_draft_is_checked_field_by_field() {
        let (store, id) = world();
        let settings = stored_settings(&store).unwrap();
        let draft = EmailDraft {
            proposal_id: id,
            to: "accounts@acme.example, not-an-address".into(),
            cc: "x@y".into(),
            subject: " ".into(),
            body: String::new(),
        };
        let report = prepare(&store, &settings, &draft).unwrap_err().report();
        let fields: Vec<&str> = report.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["to", "cc", "subject", "body"]);
        assert!(report.fields[0].message.contains("not-an-address"));
    }

    #[test]
    fn the_eml_draft_opens_unsent_with_the_pdf_and_marks_nothing() {
        let (mut store, id) = world();
        let number = get_proposal(&store, id).unwrap().number;
        let dir = tempfile::tempdir().unwrap();
        let mut draft = compose(&store, id).unwrap().draft;
        draft.cc = "Boss <boss@acme.example>; books@acme.example".into();
        let path = write_eml(&store, &draft, dir.path()).unwrap();
        assert_eq!(
            path.file_name().unwrap().to_string_lossy(),
            format!("{number} Acme Plumbing.eml")
        );
        let raw = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("\r\nX-Unsent: 1\r\n"), "{text}");
        assert_is_the_proposal_email(&raw, &number);
        let message = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(message.header_raw("X-Unsent").map(str::trim), Some("1"));
        assert_eq!(
            get_proposal(&store, id).unwrap().status,
            ProposalStatus::Draft
        );

        // "Did you send it?" — yes: sent, and the log says to whom.
        let proposal = mark_emailed(&mut store, &draft).unwrap();
        assert_eq!(proposal.status, ProposalStatus::Sent);
        let log = history(store.conn(), "proposal", id, 5).unwrap();
        assert_eq!(log[0].action, "emailed");
        assert_eq!(log[0].detail["via"], "mail_app");
        assert_eq!(log[0].detail["to"][0], "accounts@acme.example");
        assert_eq!(log[1].action, "sent");
    }

    #[test]
    fn closed_proposals_are_not_emailed() {
        let (mut store, id) = world();
        proposals::change_status(&mut store, id, ProposalAction::Withdraw, None, &[]).unwrap();
        let err = compose(&store, id).unwrap_err().report();
        assert_eq!(err.fields[0].field, "status");
    }

    #[test]
    fn file_names_lose_characters_mail_apps_refuse() {
        assert_eq!(
            safe_file_name("P-2026-0001 Smith/Jones: \"Co\"."),
            "P-2026-0001 Smith-Jones- -Co-"
        );
        assert_eq!(safe_file_name(" ... "), "Proposal");
    }

    // -----------------------------------------------------------------------------------------
    // A real SMTP conversation on 127.0.0.1

    #[derive(Debug, Default)]
    struct Received {
        auth: Vec<String>,
        mail_from: String,
        rcpt_to: Vec<String>,
        data: Vec<u8>,
    }

    /// A tiny SMTP server for one connection: 220, EHLO (AUTH PLAIN LOGIN), AUTH → `auth_reply`,
    /// MAIL, RCPT, DATA … `.`, QUIT. Returns its port and what it received.
    async fn smtp_server(auth_reply: &'static str) -> (u16, tokio::task::JoinHandle<Received>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read);
            let mut got = Received::default();
            write
                .write_all(b"220 test.local ESMTP ready\r\n")
                .await
                .unwrap();
            let mut line = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap() == 0 {
                    break;
                }
                let command = line.trim_end().to_string();
                let upper = command.to_ascii_uppercase();
                let reply: &str = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                    "250-test.local\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
                } else if upper.starts_with("AUTH PLAIN") {
                    let mut credentials = command[10..].trim().to_string();
                    if credentials.is_empty() {
                        write.write_all(b"334 \r\n").await.unwrap();
                        line.clear();
                        lines.read_line(&mut line).await.unwrap();
                        credentials = line.trim().to_string();
                    }
                    got.auth.push(credentials);
                    auth_reply
                } else if upper.starts_with("MAIL FROM:") {
                    got.mail_from = command[10..].to_string();
                    "250 2.1.0 OK\r\n"
                } else if upper.starts_with("RCPT TO:") {
                    got.rcpt_to.push(command[8..].to_string());
                    "250 2.1.5 OK\r\n"
                } else if upper == "DATA" {
                    write.write_all(b"354 go ahead\r\n").await.unwrap();
                    loop {
                        line.clear();
                        lines.read_line(&mut line).await.unwrap();
                        if line == ".\r\n" || line.is_empty() {
                            break;
                        }
                        let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                        got.data.extend_from_slice(unstuffed.as_bytes());
                    }
                    "250 2.0.0 queued\r\n"
                } else if upper == "QUIT" {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                } else if upper == "RSET" || upper == "NOOP" {
                    "250 OK\r\n"
                } else {
                    "502 not implemented\r\n"
                };
                write.write_all(reply.as_bytes()).await.unwrap();
            }
            got
        });
        (port, task)
    }

    fn shared_world_with_smtp(port: u16) -> (SharedStore, i64) {
        let (mut store, id) = world();
        save_settings(
            &mut store,
            &smtp_settings(port),
            None,
            &MemoryPasswords::default(),
        )
        .unwrap();
        (Arc::new(Mutex::new(store)), id)
    }

    #[tokio::test]
    async fn a_proposal_goes_out_through_a_real_smtp_server_and_is_marked_sent() {
        let (port, server) = smtp_server("235 2.7.0 Authentication successful\r\n").await;
        let (store, id) = shared_world_with_smtp(port);
        let composed = compose(&lock(&store), id).unwrap();
        assert_eq!(composed.smtp_server, Some(format!("127.0.0.1:{port}")));
        let proposal = send_proposal(&store, &composed.draft, Some(PASSWORD))
            .await
            .unwrap();
        assert_eq!(proposal.status, ProposalStatus::Sent);

        let got = server.await.unwrap();
        let credentials = base64::engine::general_purpose::STANDARD
            .decode(&got.auth[0])
            .unwrap();
        assert_eq!(credentials, format!("\0ledger\0{PASSWORD}").as_bytes());
        assert_eq!(got.mail_from, "<proposals@ledger.example>");
        assert_eq!(got.rcpt_to, ["<accounts@acme.example>"]);
        let message = MessageParser::default().parse(&got.data).unwrap();
        assert_eq!(
            message.subject(),
            Some(format!("Proposal {} from Ledger & Co", proposal.number).as_str())
        );
        assert_eq!(
            message
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.address()),
            Some("proposals@ledger.example")
        );
        assert_eq!(
            message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address()),
            Some("accounts@acme.example")
        );
        let pdf = message.attachments().next().unwrap();
        assert_eq!(pdf.content_type().unwrap().subtype(), Some("pdf"));
        assert!(pdf.contents().starts_with(b"%PDF"));
        // The wire carries it base64-encoded; decoded by hand too, to be sure.
        let raw = String::from_utf8_lossy(&got.data);
        let encoded: String = raw
            .split("Content-Transfer-Encoding: base64")
            .nth(1)
            .unwrap()
            .trim_start()
            .lines()
            .take_while(|l| !l.is_empty() && !l.starts_with("--"))
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert!(bytes.starts_with(b"%PDF"));

        let store = lock(&store);
        let log = history(store.conn(), "proposal", id, 5).unwrap();
        assert_eq!(log[0].action, "emailed");
        assert_eq!(log[0].detail["via"], "smtp");
        assert_eq!(log[0].detail["to"][0], "accounts@acme.example");
        assert_eq!(log[1].action, "sent");
        assert!(!log[0].detail.to_string().contains(PASSWORD));
    }

    #[tokio::test]
    async fn a_refused_password_is_a_clear_error_and_marks_nothing() {
        let (port, server) = smtp_server("535 5.7.8 Authentication credentials invalid\r\n").await;
        let (store, id) = shared_world_with_smtp(port);
        let draft = compose(&lock(&store), id).unwrap().draft;
        let err = send_proposal(&store, &draft, Some(PASSWORD))
            .await
            .unwrap_err();
        let report = err.report();
        assert_eq!(report.code, crate::ErrorCode::Email);
        assert!(
            report
                .message
                .starts_with("The mail server refused the password for ledger at 127.0.0.1."),
            "{}",
            report.message
        );
        assert!(!report.message.contains(PASSWORD));
        assert!(!format!("{err:?}").contains(PASSWORD));
        let got = server.await.unwrap();
        assert!(got.data.is_empty(), "no message was sent");
        let store = lock(&store);
        assert_eq!(
            get_proposal(&store, id).unwrap().status,
            ProposalStatus::Draft
        );
        let log = history(store.conn(), "proposal", id, 5).unwrap();
        assert!(
            log.iter()
                .all(|c| c.action != "emailed" && c.action != "send")
        );
    }

    #[tokio::test]
    async fn an_unreachable_server_and_a_missing_password_are_clear_errors() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let (store, id) = shared_world_with_smtp(port);
        let draft = compose(&lock(&store), id).unwrap().draft;
        let err = send_proposal(&store, &draft, Some(PASSWORD))
            .await
            .unwrap_err()
            .report();
        assert_eq!(err.code, crate::ErrorCode::Email);
        assert!(
            err.message
                .starts_with(&format!("Couldn't reach 127.0.0.1 on port {port}.")),
            "{}",
            err.message
        );
        let err = send_proposal(&store, &draft, None)
            .await
            .unwrap_err()
            .report();
        assert!(
            err.message.contains("no password saved for ledger"),
            "{}",
            err.message
        );
        assert_eq!(
            get_proposal(&lock(&store), id).unwrap().status,
            ProposalStatus::Draft
        );
    }

    /// The real OS keychain (run inside a keyring session: `tests/test-all.sh`).
    #[test]
    #[ignore = "needs the OS keychain (Secret Service)"]
    fn the_keychain_keeps_the_smtp_password() {
        let keychain = Keychain::with_service("com.scopebook.test.email");
        let account = "smtp:ledger@127.0.0.1";
        keychain.delete(account).unwrap();
        assert_eq!(keychain.load(account).unwrap(), None);
        keychain.save(account, PASSWORD).unwrap();
        assert_eq!(keychain.load(account).unwrap().as_deref(), Some(PASSWORD));
        let mut store = Store::open_in_memory().unwrap();
        let saved = save_settings(&mut store, &smtp_settings(2525), None, &keychain).unwrap();
        assert!(saved.has_password);
        keychain.delete(account).unwrap();
        assert_eq!(keychain.load(account).unwrap(), None);
    }
}
