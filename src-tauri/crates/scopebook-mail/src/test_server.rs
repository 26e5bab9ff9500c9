//! A tiny SMTP server on 127.0.0.1 for tests (this crate's, and other crates' with the
//! `test-server` feature): 220, EHLO (AUTH PLAIN LOGIN), AUTH, MAIL, RCPT, DATA … `.`, QUIT.
//! [`smtp_server`] holds one conversation; [`Inbox`] takes every connection and keeps every
//! message.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server received in one conversation.
#[derive(Debug, Default, Clone)]
pub struct Received {
    /// The base64 credentials of each `AUTH PLAIN`.
    pub auth: Vec<String>,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent (dot-stuffing undone).
    pub data: Vec<u8>,
}

/// Starts the server; `auth_reply` is its answer to AUTH (e.g. `"235 2.7.0 OK\r\n"` or
/// `"535 5.7.8 Authentication credentials invalid\r\n"`). Returns its port and what it
/// received once the client has quit.
pub async fn smtp_server(
    auth_reply: &'static str,
) -> std::io::Result<(u16, JoinHandle<std::io::Result<Received>>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await?;
        session(socket, auth_reply, &Mutex::new(None)).await
    });
    Ok((port, task))
}

/// One SMTP conversation on `socket`. A `RCPT TO` containing the text in `refuse_once` is refused
/// with 550, once (the text is then cleared).
async fn session(
    socket: TcpStream,
    auth_reply: &'static str,
    refuse_once: &Mutex<Option<String>>,
) -> std::io::Result<Received> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let mut got = Received::default();
    write.write_all(b"220 test.local ESMTP ready\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            break;
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply: &str = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-test.local\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
        } else if let Some(rest) = upper.strip_prefix("AUTH PLAIN") {
            let mut credentials = command[command.len() - rest.len()..].trim().to_string();
            if credentials.is_empty() {
                write.write_all(b"334 \r\n").await?;
                line.clear();
                lines.read_line(&mut line).await?;
                credentials = line.trim().to_string();
            }
            got.auth.push(credentials);
            auth_reply
        } else if upper.starts_with("MAIL FROM:") {
            got.mail_from = command["MAIL FROM:".len()..].to_string();
            "250 2.1.0 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            let to = command["RCPT TO:".len()..].to_string();
            let refused = refuse_once
                .lock()
                .map(|mut once| match once.as_deref() {
                    Some(text) if to.contains(text) => once.take().is_some(),
                    _ => false,
                })
                .unwrap_or(false);
            if refused {
                "550 5.1.1 mailbox unavailable\r\n"
            } else {
                got.rcpt_to.push(to);
                "250 2.1.5 OK\r\n"
            }
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            loop {
                line.clear();
                lines.read_line(&mut line).await?;
                if line == ".\r\n" || line.is_empty() {
                    break;
                }
                let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                got.data.extend_from_slice(unstuffed.as_bytes());
            }
            "250 2.0.0 queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            break;
        } else if upper == "RSET" || upper == "NOOP" {
            "250 OK\r\n"
        } else {
            "502 not implemented\r\n"
        };
        write.write_all(reply.as_bytes()).await?;
    }
    Ok(got)
}

/// An SMTP server on 127.0.0.1 that takes every connection and keeps each conversation that
/// delivered a message, for tests that send several.
pub struct Inbox {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Inbox {
    /// Starts it; `refuse_once` as in [`session`]: the first recipient containing that text is
    /// refused, and later ones accepted.
    pub async fn start(refuse_once: Option<&str>) -> std::io::Result<Inbox> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(Mutex::new(refuse_once.map(str::to_string)));
        let kept = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (kept, refuse) = (kept.clone(), refuse.clone());
                tokio::spawn(async move {
                    let got = session(socket, "235 2.7.0 OK\r\n", &refuse).await;
                    if let (Ok(got), Ok(mut all)) = (got, kept.lock())
                        && !got.data.is_empty()
                    {
                        all.push(got);
                    }
                });
            }
        });
        Ok(Inbox { port, received })
    }

    /// The conversations that delivered a message, in the order they ended.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}
