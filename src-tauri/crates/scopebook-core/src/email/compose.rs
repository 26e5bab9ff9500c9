//! Composing a proposal's email: filled from the firm's template, checked field by field, with
//! the proposal's PDF.

use scopebook_mail::{Attachment, Email, Mailbox, is_loopback};

use super::settings::{EmailSettings, stored_settings};
use crate::clients::get_client;
use crate::error::{Error, Problems, Result};
use crate::practice::require_practice;
use crate::proposals::document::{placeholder_values, render_proposal_pdf};
use crate::proposals::terms::fill_placeholders;
use crate::proposals::{Proposal, ProposalStatus, get_proposal};
use crate::store::Store;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

pub(super) use crate::proposals::document::safe_file_name;

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
pub(super) fn sender(store: &Store, settings: &EmailSettings) -> Result<Option<Mailbox>> {
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

impl Outgoing {
    /// The email to put together (`scopebook_mail::build_message`), the PDF attached.
    pub fn email(&self) -> Email {
        Email {
            from: self.from.clone(),
            to: self.to.clone(),
            cc: self.cc.clone(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            attachments: vec![Attachment {
                file_name: self.attachment_name.clone(),
                content_type: "application/pdf".to_string(),
                bytes: self.pdf.clone(),
            }],
        }
    }
}

/// Checks the draft field by field, works out the sender and renders the proposal's PDF.
pub fn prepare(store: &Store, settings: &EmailSettings, draft: &EmailDraft) -> Result<Outgoing> {
    let mut outgoing = check_draft(store, settings, draft)?;
    outgoing.pdf = render_proposal_pdf(store, draft.proposal_id)?;
    Ok(outgoing)
}

/// Checks the draft field by field and works out the sender (the PDF is left empty).
pub(super) fn check_draft(
    store: &Store,
    settings: &EmailSettings,
    draft: &EmailDraft,
) -> Result<Outgoing> {
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
