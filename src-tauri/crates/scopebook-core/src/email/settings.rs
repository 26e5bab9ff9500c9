//! The firm's email settings: the template, the mail server, and its password in the secrets
//! store (never in SQLite, the change log, errors or replies).

use rusqlite::params;
use rusqlite::types::Type;
use scopebook_mail::{SmtpServer, is_loopback};
use scopebook_secrets::{Secrets, Sensitive};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use scopebook_mail::SmtpSecurity;

use crate::error::{Error, Problems, Result};
use crate::practice::check_email;
use crate::proposals::terms::{PLACEHOLDERS, fill_placeholders};
use crate::store::{Source, Store};

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

    /// The secrets-store key of the SMTP password: `smtp:<username>@<host>`.
    pub fn password_account(&self) -> Option<String> {
        password_account(&self.username, &self.smtp_host)
    }

    /// The mail server, for `scopebook_mail::send`.
    pub fn smtp_server(&self) -> SmtpServer {
        SmtpServer {
            host: self.smtp_host.clone(),
            port: self.smtp_port,
            security: self.security,
            username: self.username.clone(),
        }
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

pub(super) const COLUMNS: &str = "smtp_host, smtp_port, security, username, from_address, \
                                  from_name, subject_template, body_template, updated_at";

/// The keychain's failure as the bookkeeper reads it.
pub(super) fn keychain_error(error: scopebook_secrets::SecretsError) -> Error {
    Error::Keychain(error.to_string())
}

/// The saved settings (the migration creates the row with the default templates).
pub fn get_settings(store: &Store, secrets: &Secrets) -> Result<EmailSettings> {
    let mut settings = stored_settings(store)?;
    // Best effort: a locked keychain must not stop the settings screen from showing.
    settings.has_password = settings
        .password_account()
        .is_some_and(|account| matches!(secrets.retrieve(&account), Ok(Some(_))));
    Ok(settings)
}

pub(super) fn stored_settings(store: &Store) -> Result<EmailSettings> {
    Ok(store.conn().query_row(
        &format!("SELECT {COLUMNS} FROM email_settings WHERE id = 1"),
        [],
        |r| {
            let security: String = r.get("security")?;
            Ok(EmailSettings {
                smtp_host: r.get("smtp_host")?,
                smtp_port: r.get("smtp_port")?,
                // An unknown value is an error, never a guess.
                security: security.parse().map_err(|_| {
                    rusqlite::Error::FromSqlConversionFailure(
                        2,
                        Type::Text,
                        Box::new(crate::store::enums::UnknownValue {
                            what: "mail server security setting",
                            value: security.clone(),
                        }),
                    )
                })?,
                username: r.get("username")?,
                from_address: r.get("from_address")?,
                from_name: r.get("from_name")?,
                subject_template: r.get("subject_template")?,
                body_template: r.get("body_template")?,
                has_password: false,
                placeholders: PLACEHOLDERS.iter().map(|p| p.to_string()).collect(),
                updated_at: r.get("updated_at")?,
            })
        },
    )?)
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

/// Saves the settings; a non-empty `password` goes to `secrets` (the data folder's keychain
/// entries; an empty one keeps the saved password). When the username or server changes, the
/// old password is forgotten.
pub fn save_settings(
    store: &mut Store,
    draft: &EmailSettingsDraft,
    password: Option<&str>,
    secrets: &Secrets,
) -> Result<EmailSettings> {
    let (clean, port) = validate_settings(draft, password)?;
    let before = stored_settings(store)?;
    let account = password_account(&clean.username, &clean.smtp_host);
    let new_password = password.filter(|p| !p.is_empty());
    // The keychain first: if it refuses, nothing is saved and the form says why.
    if let (Some(account), Some(password)) = (&account, new_password) {
        secrets
            .persist(account, &Sensitive::from(password))
            .map_err(keychain_error)?;
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
        secrets.delete(&old).map_err(keychain_error)?;
    }
    get_settings(store, secrets)
}

/// The SMTP password for the saved settings, from `secrets` (the data folder's keychain
/// entries in the app).
pub fn saved_password(store: &Store, secrets: &Secrets) -> Result<Option<Sensitive<String>>> {
    match stored_settings(store)?.password_account() {
        Some(account) => secrets.retrieve(&account).map_err(keychain_error),
        None => Ok(None),
    }
}
