//! Sending through the firm's mail server.

use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use scopebook_secrets::Sensitive;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::message::is_loopback;
use crate::{MailError, Result};

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
    pub const ALL: [SmtpSecurity; 3] = [
        SmtpSecurity::Starttls,
        SmtpSecurity::Tls,
        SmtpSecurity::None,
    ];

    /// The name stored and sent to the UI: `starttls`, `tls`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::None => "none",
        }
    }
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;

    /// The name from [`SmtpSecurity::as_str`]; anything else is an error, never a default.
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        SmtpSecurity::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| format!("“{text}” isn't a mail server security setting"))
    }
}

/// The firm's mail server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Empty when the server takes mail without signing in.
    pub username: String,
}

/// How long the mail server may take to answer each step.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends `message` through `server`. `password` is required when a username is set. Errors say
/// in plain words what the server did; they never contain the password.
pub async fn send(
    server: &SmtpServer,
    password: Option<&Sensitive<String>>,
    message: &Message,
) -> Result<()> {
    let host = server.host.as_str();
    let tls = |host: &str| {
        TlsParameters::new(host.to_string()).map_err(|e| {
            MailError::Server(format!(
                "Couldn't prepare a secure connection to {host} ({e})."
            ))
        })
    };
    let tls = match server.security {
        SmtpSecurity::Starttls => Tls::Required(tls(host)?),
        SmtpSecurity::Tls => Tls::Wrapper(tls(host)?),
        SmtpSecurity::None if is_loopback(host) => Tls::None,
        SmtpSecurity::None => return Err(MailError::Unencrypted),
    };
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(server.port)
        .tls(tls)
        .timeout(Some(SMTP_TIMEOUT));
    if !server.username.is_empty() {
        let Some(password) = password.filter(|p| !p.expose().is_empty()) else {
            return Err(MailError::NoPassword {
                username: server.username.clone(),
                host: host.to_string(),
            });
        };
        transport = transport
            .credentials(Credentials::new(
                server.username.clone(),
                password.expose().clone(),
            ))
            .authentication(vec![Mechanism::Plain, Mechanism::Login]);
    }
    transport
        .build()
        .send(message.clone())
        .await
        .map(|_| ())
        .map_err(|e| smtp_error(server, &e))
}

/// The mail server's failure in a bookkeeper's words.
fn smtp_error(server: &SmtpServer, error: &lettre::transport::smtp::Error) -> MailError {
    let host = &server.host;
    let port = server.port;
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
    let message = if is_auth_reply(&code) && !server.username.is_empty() {
        format!(
            "The mail server refused the password for {} at {host}. Check the username and \
             password under Settings → Integrations → Email.{said}",
            server.username
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
    MailError::Server(message)
}

fn is_auth_reply(code: &str) -> bool {
    // 535 bad credentials, 534 mechanism too weak, 530 authentication required, 454 temporary
    // authentication failure.
    matches!(code, "535" | "534" | "530" | "454")
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use mail_parser::MessageParser;

    use super::*;
    use crate::test_server::smtp_server;
    use crate::{Attachment, Email, build_message};

    const PASSWORD: &str = "s3cret-Pa55word";

    fn server(port: u16) -> SmtpServer {
        SmtpServer {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            username: "ledger".into(),
        }
    }

    fn message() -> Message {
        build_message(
            &Email {
                from: "Ledger & Co <proposals@ledger.example>".parse().unwrap(),
                to: vec!["accounts@acme.example".parse().unwrap()],
                cc: Vec::new(),
                subject: "Proposal P-2026-0001".into(),
                body: "Attached.".into(),
                attachments: vec![Attachment {
                    file_name: "P-2026-0001.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.7 test".to_vec(),
                }],
            },
            false,
        )
        .unwrap()
    }

    fn password() -> Sensitive<String> {
        Sensitive::from(PASSWORD)
    }

    #[tokio::test]
    async fn an_email_goes_out_through_a_real_smtp_conversation() {
        let (port, received) = smtp_server("235 2.7.0 Authentication successful\r\n")
            .await
            .unwrap();
        send(&server(port), Some(&password()), &message())
            .await
            .unwrap();
        let got = received.await.unwrap().unwrap();
        let credentials = base64::engine::general_purpose::STANDARD
            .decode(&got.auth[0])
            .unwrap();
        assert_eq!(credentials, format!("\0ledger\0{PASSWORD}").as_bytes());
        assert_eq!(got.mail_from, "<proposals@ledger.example>");
        assert_eq!(got.rcpt_to, ["<accounts@acme.example>"]);
        let parsed = MessageParser::default().parse(&got.data).unwrap();
        assert_eq!(parsed.subject(), Some("Proposal P-2026-0001"));
        assert_eq!(
            parsed.attachments().next().unwrap().contents(),
            b"%PDF-1.7 test"
        );
    }

    #[tokio::test]
    async fn a_refused_password_is_said_plainly_and_never_shown() {
        let (port, received) = smtp_server("535 5.7.8 Authentication credentials invalid\r\n")
            .await
            .unwrap();
        let err = send(&server(port), Some(&password()), &message())
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("The mail server refused the password for ledger at 127.0.0.1."),
            "{text}"
        );
        assert!(!text.contains(PASSWORD) && !format!("{err:?}").contains(PASSWORD));
        assert!(received.await.unwrap().unwrap().data.is_empty());
    }

    #[tokio::test]
    async fn unreachable_unencrypted_and_passwordless_are_clear_errors() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let err = send(&server(port), Some(&password()), &message())
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("Couldn't reach 127.0.0.1 on port {port}.")),
            "{err}"
        );
        let err = send(&server(port), None, &message()).await.unwrap_err();
        assert_eq!(
            err,
            MailError::NoPassword {
                username: "ledger".into(),
                host: "127.0.0.1".into()
            }
        );
        let remote = SmtpServer {
            host: "smtp.example.com".into(),
            ..server(port)
        };
        let err = send(&remote, Some(&password()), &message())
            .await
            .unwrap_err();
        assert_eq!(err, MailError::Unencrypted);
    }

    #[test]
    fn security_names_round_trip_and_unknown_is_an_error() {
        for security in SmtpSecurity::ALL {
            assert_eq!(security.as_str().parse::<SmtpSecurity>(), Ok(security));
            assert_eq!(
                serde_json_name(security),
                format!("\"{}\"", security.as_str())
            );
        }
        assert!("ssl".parse::<SmtpSecurity>().is_err());
    }

    fn serde_json_name(security: SmtpSecurity) -> String {
        serde_json::to_string(&security).unwrap()
    }
}
