//! The MIME message: text, attachments, and `X-Unsent: 1` for drafts.

use std::net::IpAddr;

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};

use crate::{MailError, Result};

/// A file attached to an email.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The name the recipient sees, `P-2026-0001 Acme Plumbing.pdf`.
    pub file_name: String,
    /// `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// An email ready to put together: checked addresses, a plain-text body, attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
}

/// True for `localhost`, `127.0.0.1`, `::1` (and `[::1]`): a server on this computer.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
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

/// The message: the text, and the attachments if any. `unsent` marks it as a draft for the mail
/// app (`X-Unsent: 1`). `message.formatted()` is the `.eml` file's content.
pub fn build_message(email: &Email, unsent: bool) -> Result<Message> {
    let mut builder = Message::builder()
        .from(email.from.clone())
        .subject(email.subject.clone());
    for to in &email.to {
        builder = builder.to(to.clone());
    }
    for cc in &email.cc {
        builder = builder.cc(cc.clone());
    }
    if unsent {
        builder = builder.header(XUnsent);
    }
    let together = |e: lettre::error::Error| {
        MailError::Message(format!("Couldn't put the email together ({e})"))
    };
    if email.attachments.is_empty() {
        return builder
            .singlepart(SinglePart::plain(email.body.clone()))
            .map_err(together);
    }
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(email.body.clone()));
    for attachment in &email.attachments {
        let content_type = ContentType::parse(&attachment.content_type).map_err(|e| {
            MailError::Message(format!("Couldn't attach {} ({e})", attachment.file_name))
        })?;
        parts = parts.singlepart(
            MimeAttachment::new(attachment.file_name.clone())
                .body(attachment.bytes.clone(), content_type),
        );
    }
    builder.multipart(parts).map_err(together)
}

#[cfg(test)]
mod tests {
    use mail_parser::{MessageParser, MimeHeaders};

    use super::*;

    fn email() -> Email {
        Email {
            from: "Ledger & Co <hello@ledger.example>".parse().unwrap(),
            to: vec!["accounts@acme.example".parse().unwrap()],
            cc: vec![
                "Boss <boss@acme.example>".parse().unwrap(),
                "books@acme.example".parse().unwrap(),
            ],
            subject: "Proposal P-2026-0001 from Ledger & Co".into(),
            body: "Dear Jo Citizen,\n\nOur proposal is attached.".into(),
            attachments: vec![Attachment {
                file_name: "P-2026-0001 Acme Plumbing.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.7 not really".to_vec(),
            }],
        }
    }

    #[test]
    fn the_message_has_the_headers_the_body_and_the_attachment() {
        let message = build_message(&email(), false).unwrap();
        let raw = message.formatted();
        let text = String::from_utf8_lossy(&raw);
        for header in [
            "Subject: Proposal P-2026-0001 from Ledger & Co\r\n",
            "To: accounts@acme.example\r\n",
            "Cc: Boss <boss@acme.example>, books@acme.example\r\n",
            "MIME-Version: 1.0\r\n",
            "Content-Type: multipart/mixed;",
            "Content-Type: application/pdf",
        ] {
            assert!(text.contains(header), "{header} in {text}");
        }
        assert!(!text.contains("X-Unsent"));
        let parsed = MessageParser::default().parse(&raw).unwrap();
        let from = parsed.from().and_then(|a| a.first()).unwrap();
        assert_eq!(
            (from.name(), from.address()),
            (Some("Ledger & Co"), Some("hello@ledger.example"))
        );
        assert!(parsed.body_text(0).unwrap().starts_with("Dear Jo Citizen,"));
        let attachment = parsed.attachments().next().unwrap();
        assert_eq!(
            attachment.attachment_name(),
            Some("P-2026-0001 Acme Plumbing.pdf")
        );
        assert_eq!(attachment.contents(), b"%PDF-1.7 not really");
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
    fn a_draft_is_marked_unsent_and_a_note_has_no_parts() {
        let raw = build_message(&email(), true).unwrap().formatted();
        let parsed = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.header_raw("X-Unsent").map(str::trim), Some("1"));

        let note = Email {
            attachments: Vec::new(),
            ..email()
        };
        let raw = build_message(&note, false).unwrap().formatted();
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("Content-Type: text/plain"), "{text}");
        assert!(!text.contains("multipart"), "{text}");
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "::1", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["smtp.example.com", "10.0.0.1", "localhost.example.com"] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
