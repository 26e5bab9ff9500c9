//! Getting a proposal's email out: through the firm's mail server (`scopebook-mail`), or as an
//! `.eml` draft in the app's own cache folder for the mail app; then marking it sent.

use std::path::{Path, PathBuf};

use scopebook_mail::{Email, MailError, Mailbox, Message, build_message};
use scopebook_secrets::Sensitive;

use super::compose::{EmailDraft, Outgoing, check_draft, prepare, sender};
use super::settings::{EmailSettings, stored_settings};
use crate::error::{Error, Result};
use crate::practice::require_practice;
use crate::proposals::{self, Proposal, ProposalAction, get_proposal};
use crate::store::{SharedStore, Source, Store, lock};

/// How a proposal left the practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentVia {
    /// Sent by Scopebook through the firm's mail server.
    Smtp,
    /// Opened as a draft in the mail app; the bookkeeper said it went.
    MailApp,
}

fn mail_error(error: MailError) -> Error {
    match error {
        MailError::Unencrypted => Error::invalid("security", error.to_string()),
        other => Error::Email(other.to_string()),
    }
}

fn message(email: &Email, unsent: bool) -> Result<Message> {
    build_message(email, unsent).map_err(mail_error)
}

/// Sends `message` through the firm's mail server (SMTP), once it is set up.
async fn send_smtp(
    settings: &EmailSettings,
    password: Option<&Sensitive<String>>,
    message: &Message,
) -> Result<()> {
    if !settings.smtp_ready() {
        return Err(Error::Email(
            "Sending by email isn't set up yet. Enter your mail server under Settings → \
             Integrations → Email, or open the proposal in your mail app instead."
                .to_string(),
        ));
    }
    scopebook_mail::send(&settings.smtp_server(), password, message)
        .await
        .map_err(mail_error)
}

/// Sends the proposal by SMTP, then marks it sent and records who it went to. Nothing is
/// marked when the server refuses it.
pub async fn send_proposal(
    store: &SharedStore,
    draft: &EmailDraft,
    password: Option<&Sensitive<String>>,
) -> Result<Proposal> {
    deliver(store, draft, password, SentVia::Smtp, None).await?;
    get_proposal(&lock(store), draft.proposal_id)
}

/// Sends the proposal by SMTP and records it (as part of bulk action `bulk`, if any); returns
/// who it went to.
pub(super) async fn deliver(
    store: &SharedStore,
    draft: &EmailDraft,
    password: Option<&Sensitive<String>>,
    via: SentVia,
    bulk: Option<&str>,
) -> Result<String> {
    let (settings, outgoing) = prepare_off_the_lock(store, draft).await?;
    let message = message(&outgoing.email(), false)?;
    send_smtp(&settings, password, &message).await?;
    record(&mut lock(store), draft.proposal_id, &outgoing, via, bulk)?;
    Ok(outgoing
        .to
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(", "))
}

/// A short message to the from address, to check the settings work.
pub async fn send_test_email(
    store: &SharedStore,
    password: Option<&Sensitive<String>>,
) -> Result<String> {
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
        let note = Email {
            from: from.clone(),
            to: vec![from],
            cc: Vec::new(),
            subject: format!("Scopebook test email for {}", practice.firm_name),
            body: format!(
                "This is a test from Scopebook. Proposals emailed from Scopebook will be sent \
                 through {}:{} as {}.",
                settings.smtp_host, settings.smtp_port, settings.from_address
            ),
            attachments: Vec::new(),
        };
        (settings, message(&note, false)?)
    };
    send_smtp(&settings, password, &message).await?;
    Ok(settings.from_address)
}

/// Where `.eml` drafts go: the app's own cache folder inside the data folder,
/// `<data dir>/cache/email-drafts` (not a shared, predictable folder in the temp directory).
pub fn drafts_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("cache").join("email-drafts")
}

/// Creates `dir` (and missing parents) readable by this user only (0700 on Unix), and makes an
/// existing one so.
fn private_folder(dir: &Path) -> Result<()> {
    let failed = |e| Error::io(format!("Couldn't create the folder {}", dir.display()), e);
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir).map_err(failed)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
    }
    #[cfg(not(unix))]
    builder.create(dir).map_err(failed)?;
    Ok(())
}

/// Writes the proposal email as an `.eml` draft (with `X-Unsent: 1` and the PDF) into `dir`
/// (see [`drafts_dir`]), created for this user only, for the default mail app to open.
/// Nothing is marked sent: the bookkeeper says so afterwards.
pub fn write_eml(store: &Store, draft: &EmailDraft, dir: &Path) -> Result<PathBuf> {
    let settings = stored_settings(store)?;
    save_eml(&prepare(store, &settings, draft)?, dir)
}

/// What [`prepare`] does, for the app: the draft is checked under the store lock, then the lock
/// is released while the PDF renders on a blocking thread (so the window stays responsive).
async fn prepare_off_the_lock(
    store: &SharedStore,
    draft: &EmailDraft,
) -> Result<(EmailSettings, Outgoing)> {
    let (settings, mut outgoing) = {
        let store = lock(store);
        let settings = stored_settings(&store)?;
        let outgoing = check_draft(&store, &settings, draft)?;
        (settings, outgoing)
    };
    outgoing.pdf = crate::proposals::document::proposal_pdf(store, draft.proposal_id).await?;
    Ok((settings, outgoing))
}

fn save_eml(outgoing: &Outgoing, dir: &Path) -> Result<PathBuf> {
    let message = message(&outgoing.email(), true)?;
    private_folder(dir)?;
    let stem = outgoing.attachment_name.trim_end_matches(".pdf");
    let path = dir.join(format!("{stem}.eml"));
    std::fs::write(&path, message.formatted())
        .map_err(|e| Error::io(format!("Couldn't write {}", path.display()), e))?;
    Ok(path)
}

/// Writes the `.eml` draft into the drafts folder of the store's data folder ([`drafts_dir`]);
/// the PDF renders off the store lock.
pub async fn write_draft(store: &SharedStore, draft: &EmailDraft) -> Result<PathBuf> {
    let data_dir = lock(store)
        .path()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            Error::io(
                "Scopebook has no data folder to keep the email draft in",
                std::io::Error::from(std::io::ErrorKind::NotFound),
            )
        })?;
    let (_, outgoing) = prepare_off_the_lock(store, draft).await?;
    save_eml(&outgoing, &drafts_dir(&data_dir))
}

/// Marks the proposal sent (if it was a draft) and records who it went to in the change log.
pub fn record_sent(
    store: &mut Store,
    proposal_id: i64,
    outgoing: &Outgoing,
    via: SentVia,
) -> Result<Proposal> {
    record(store, proposal_id, outgoing, via, None)?;
    get_proposal(store, proposal_id)
}

fn record(
    store: &mut Store,
    proposal_id: i64,
    outgoing: &Outgoing,
    via: SentVia,
    bulk: Option<&str>,
) -> Result<()> {
    let proposal = get_proposal(store, proposal_id)?;
    if !proposal.allowed.email {
        return Err(Error::invalid(
            "status",
            format!("A {} proposal can't be emailed.", proposal.status.as_str()),
        ));
    }
    let list = |m: &[Mailbox]| m.iter().map(|m| m.to_string()).collect::<Vec<_>>();
    // One transaction: the status change (a draft goes to sent) and the record of the email.
    store.write(Source::User, |tx| {
        if proposal.allowed.send {
            proposals::lifecycle::apply_action(
                tx,
                proposal_id,
                ProposalAction::Send,
                proposals::lifecycle::Acceptance::default(),
                serde_json::json!({ "by": "email" }),
            )?;
        }
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
                "bulk": bulk,
            }),
        )
    })
}

/// After the mail-app route: the bookkeeper says they sent it.
pub fn mark_emailed(store: &mut Store, draft: &EmailDraft) -> Result<Proposal> {
    let settings = stored_settings(store)?;
    let outgoing = check_draft(store, &settings, draft)?;
    record_sent(store, draft.proposal_id, &outgoing, SentVia::MailApp)
}
