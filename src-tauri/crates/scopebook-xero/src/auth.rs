//! Connecting to Xero: OAuth 2.0 authorization code with PKCE (S256) in the system browser, the
//! redirect caught by a one-shot listener on 127.0.0.1; then the session that keeps the access
//! token fresh.
//!
//! Refreshing is serialized (one writer), and the new refresh token is written to the store
//! before the new access token is used: if Scopebook dies in between, the old refresh token is
//! still accepted by Xero for 30 minutes, so the next start refreshes again and carries on.
//!
//! The app and the CLI share one token pair in the keychain. When Xero refuses our refresh token
//! (`invalid_grant`), the other process may have rotated it: the store is read again, and if it
//! holds a different (newer) refresh token, that one is used — once.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    RevocationUrl, Scope, TokenResponse, TokenUrl,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::config::XeroConfig;
use crate::error::{Result, XeroError};
use crate::tokens::{TokenSet, TokenStore};

type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointSet, EndpointSet>;

fn oauth_client(config: &XeroConfig, redirect_uri: Option<&str>) -> Result<OAuthClient> {
    let bad = |what: &str, e: url::ParseError| {
        XeroError::Authorization(format!("the {what} URL is invalid ({e})"))
    };
    let mut client = BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(AuthUrl::new(config.urls.authorize.clone()).map_err(|e| bad("authorize", e))?)
        .set_token_uri(TokenUrl::new(config.urls.token.clone()).map_err(|e| bad("token", e))?)
        .set_revocation_url(
            RevocationUrl::new(config.urls.revocation.clone()).map_err(|e| bad("revocation", e))?,
        )
        // A PKCE app has no secret: the client id goes in the form body.
        .set_auth_type(AuthType::RequestBody);
    if let Some(uri) = redirect_uri {
        client = client
            .set_redirect_uri(RedirectUrl::new(uri.to_string()).map_err(|e| bad("redirect", e))?);
    }
    Ok(client)
}

/// The HTTP client for identity calls: no redirects (OAuth's advice), bounded time.
pub(crate) fn identity_http(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(|e| XeroError::Network {
            detail: e.to_string(),
        })
}

fn token_set(response: &BasicTokenResponse, previous: Option<&TokenSet>) -> Result<TokenSet> {
    let (refresh_token, refresh_issued_at) = match response.refresh_token() {
        Some(fresh) => (fresh.secret().clone(), Some(Utc::now())),
        None => previous
            .map(|p| (p.refresh_token.clone(), p.refresh_issued_at))
            .ok_or_else(|| {
                XeroError::Authorization(
                    "Xero sent no refresh token; is offline_access allowed?".into(),
                )
            })?,
    };
    let lifetime = response.expires_in().unwrap_or(Duration::from_secs(1800));
    Ok(TokenSet {
        access_token: response.access_token().secret().clone(),
        refresh_token,
        expires_at: Utc::now()
            + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::minutes(30)),
        scope: response
            .scopes()
            .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" ")),
        refresh_issued_at,
    })
}

fn token_error<RE: std::error::Error + 'static>(
    error: RequestTokenError<RE, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
) -> XeroError {
    match error {
        RequestTokenError::ServerResponse(response) => match response.error() {
            BasicErrorResponseType::InvalidGrant => XeroError::Unauthorised,
            other => XeroError::Authorization(format!("Xero answered {}", other.as_ref())),
        },
        RequestTokenError::Request(e) => XeroError::Network {
            detail: e.to_string(),
        },
        RequestTokenError::Parse(e, _) => XeroError::InvalidReply {
            detail: e.to_string(),
        },
        RequestTokenError::Other(e) => XeroError::InvalidReply { detail: e },
    }
}

/// A connection attempt in progress: the URL to open in the browser, and the listener that
/// waits for Xero to send the browser back.
pub struct Authorization {
    config: XeroConfig,
    url: String,
    state: String,
    verifier: PkceCodeVerifier,
    redirect_uri: String,
    listener: TcpListener,
}

/// Starts connecting: binds the first free redirect port on 127.0.0.1 and builds the
/// authorize URL with a fresh PKCE challenge and `state`.
pub async fn begin_authorization(config: &XeroConfig) -> Result<Authorization> {
    let mut bound = None;
    for port in &config.redirect_ports {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", *port)).await {
            bound = Some((listener, *port));
            break;
        }
    }
    let (listener, port) = bound.ok_or_else(|| {
        XeroError::Authorization(format!(
            "ports {:?} on this computer are all in use; close the program using them and try again",
            config.redirect_ports
        ))
    })?;
    let redirect_uri = format!("http://localhost:{port}/callback");
    let client = oauth_client(config, Some(&redirect_uri))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(config.scopes.iter().map(|s| Scope::new(s.clone())))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Authorization {
        config: config.clone(),
        url: url.to_string(),
        state: state.secret().clone(),
        verifier,
        redirect_uri,
        listener,
    })
}

/// What the browser lands on after Xero.
const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Scopebook</title>\
<body style=\"font:16px system-ui;margin:15vh auto;max-width:420px;text-align:center;color:#18202c\">\
<h1 style=\"font-size:22px\">Scopebook is connected to Xero</h1>\
<p>You can close this window and go back to Scopebook.</p></body>";

fn failed_page(reason: &str) -> String {
    format!(
        "<!doctype html><meta charset=utf-8><title>Scopebook</title>\
<body style=\"font:16px system-ui;margin:15vh auto;max-width:420px;text-align:center;color:#18202c\">\
<h1 style=\"font-size:22px\">Scopebook wasn't connected</h1><p>{reason}</p>\
<p>You can close this window and try again from Scopebook.</p></body>"
    )
}

impl Authorization {
    /// Open this in the system browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits (at most `timeout`) for Xero's redirect, checks `state`, and exchanges the code
    /// for tokens. The listener accepts one good callback and then closes.
    pub async fn finish(self, timeout: Duration) -> Result<TokenSet> {
        let code = tokio::time::timeout(timeout, self.wait_for_code())
            .await
            .map_err(|_| {
                XeroError::Authorization("no answer from Xero in time; try connecting again".into())
            })??;
        let client = oauth_client(&self.config, Some(&self.redirect_uri))?;
        let http = identity_http(self.config.timeout)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(self.verifier)
            .request_async(&http)
            .await
            .map_err(token_error)?;
        token_set(&response, None)
    }

    async fn wait_for_code(&self) -> Result<String> {
        loop {
            let (mut stream, _) = self.listener.accept().await.map_err(|e| {
                XeroError::Authorization(format!("the local listener failed ({e})"))
            })?;
            let Some(target) = read_request_target(&mut stream).await else {
                continue;
            };
            match callback(&target, &self.state) {
                Callback::NotUnderstood => {
                    respond(
                        &mut stream,
                        400,
                        &failed_page("The request wasn't understood."),
                    )
                    .await;
                }
                Callback::NotFound => respond(&mut stream, 404, "Not found").await,
                // Not our request (or a replay): refuse it and keep waiting for the real one.
                Callback::WrongState => {
                    respond(
                        &mut stream,
                        400,
                        &failed_page("This sign-in link isn't the one Scopebook opened."),
                    )
                    .await;
                }
                Callback::Refused(error) => {
                    let cancelled = error == "access_denied";
                    let reason = if cancelled {
                        "Access was not allowed."
                    } else {
                        "Xero reported a problem."
                    };
                    respond(&mut stream, 200, &failed_page(reason)).await;
                    return Err(if cancelled {
                        XeroError::Cancelled
                    } else {
                        XeroError::Authorization(format!("Xero answered {error}"))
                    });
                }
                Callback::NoCode => {
                    respond(
                        &mut stream,
                        400,
                        &failed_page("Xero sent no authorization code."),
                    )
                    .await;
                }
                Callback::Code(code) => {
                    respond(&mut stream, 200, DONE_PAGE).await;
                    return Ok(code);
                }
            }
        }
    }
}

/// What a request to the loopback listener says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Callback {
    /// Not a URL path at all.
    NotUnderstood,
    /// Not `/callback`.
    NotFound,
    /// Not the sign-in Scopebook opened (another `state`, or none).
    WrongState,
    /// Xero's `error` (e.g. `access_denied`).
    Refused(String),
    NoCode,
    Code(String),
}

/// Reads a request target (`/callback?code=…&state=…`) against the `state` Scopebook sent.
fn callback(target: &str, state: &str) -> Callback {
    let Ok(url) = url::Url::parse(&format!("http://localhost{target}")) else {
        return Callback::NotUnderstood;
    };
    if url.path() != "/callback" {
        return Callback::NotFound;
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(state) {
        return Callback::WrongState;
    }
    if let Some(error) = param("error") {
        return Callback::Refused(error);
    }
    match param("code") {
        Some(code) => Callback::Code(code),
        None => Callback::NoCode,
    }
}

/// Reads an HTTP request head and returns its target (`/callback?code=…`).
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::with_capacity(2048);
    let mut chunk = [0u8; 1024];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") && buffer.len() < 16 * 1024 {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buffer);
    let mut parts = head.lines().next()?.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_string()),
        _ => None,
    }
}

async fn respond(stream: &mut TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let reply = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The live connection: hands out a valid access token, refreshing when needed.
pub struct Session {
    config: XeroConfig,
    http: reqwest::Client,
    store: Arc<dyn TokenStore>,
    current: tokio::sync::Mutex<Option<TokenSet>>,
}

/// Refresh a little before Xero would refuse the token.
const EXPIRY_MARGIN_SECONDS: i64 = 60;

impl Session {
    pub fn new(config: XeroConfig, store: Arc<dyn TokenStore>) -> Result<Session> {
        Ok(Session {
            http: identity_http(config.timeout)?,
            config,
            store,
            current: tokio::sync::Mutex::new(None),
        })
    }

    pub fn config(&self) -> &XeroConfig {
        &self.config
    }

    async fn load(&self) -> Result<Option<TokenSet>> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.load())
            .await
            .map_err(|e| XeroError::Keychain(e.to_string()))?
    }

    async fn save(&self, tokens: TokenSet) -> Result<()> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.save(&tokens))
            .await
            .map_err(|e| XeroError::Keychain(e.to_string()))?
    }

    /// Keeps a freshly granted token set (after [`Authorization::finish`]).
    pub async fn start(&self, tokens: TokenSet) -> Result<()> {
        let mut current = self.current.lock().await;
        self.save(tokens.clone()).await?;
        *current = Some(tokens);
        Ok(())
    }

    /// Whether tokens are stored (without calling Xero).
    pub async fn is_connected(&self) -> Result<bool> {
        let current = self.current.lock().await;
        Ok(current.is_some() || self.load().await?.is_some())
    }

    /// A valid access token, refreshed first if it is about to expire.
    pub async fn access_token(&self) -> Result<String> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.load().await?;
        }
        let tokens = current.as_ref().ok_or(XeroError::NotConnected)?;
        if !tokens.expires_within(chrono::Duration::seconds(EXPIRY_MARGIN_SECONDS)) {
            return Ok(tokens.access_token.clone());
        }
        let refreshed = self.refresh_locked(tokens).await?;
        let access = refreshed.access_token.clone();
        *current = Some(refreshed);
        Ok(access)
    }

    /// After Xero refused `rejected` (401): refresh once, unless another request already has.
    pub async fn refresh_after_rejection(&self, rejected: &str) -> Result<String> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.load().await?;
        }
        let tokens = current.as_ref().ok_or(XeroError::NotConnected)?;
        if tokens.access_token != rejected {
            return Ok(tokens.access_token.clone());
        }
        let refreshed = self.refresh_locked(tokens).await?;
        let access = refreshed.access_token.clone();
        *current = Some(refreshed);
        Ok(access)
    }

    /// How long ago Xero issued the refresh token: Xero ends one left unused for 60 days.
    /// `None` when not connected, or for tokens saved before this was kept.
    pub async fn refresh_token_age(&self) -> Result<Option<chrono::Duration>> {
        let mut current = self.current.lock().await;
        if current.is_none() {
            *current = self.load().await?;
        }
        Ok(current
            .as_ref()
            .and_then(|t| t.refresh_issued_at)
            .map(|issued| Utc::now() - issued))
    }

    /// Called with the lock held: one refresh at a time. The new pair is in the store before
    /// anyone can use the new access token. If Xero refuses the refresh token and the store
    /// holds another one (the CLI or the app refreshed meanwhile), that one is used, once.
    async fn refresh_locked(&self, tokens: &TokenSet) -> Result<TokenSet> {
        match self.exchange_refresh(tokens).await {
            Err(XeroError::Unauthorised) => {
                let stored = self.load().await?;
                match stored {
                    Some(newer) if newer.refresh_token != tokens.refresh_token => {
                        if newer.expires_within(chrono::Duration::seconds(EXPIRY_MARGIN_SECONDS)) {
                            self.exchange_refresh(&newer).await
                        } else {
                            Ok(newer)
                        }
                    }
                    _ => Err(XeroError::Unauthorised),
                }
            }
            other => other,
        }
    }

    async fn exchange_refresh(&self, tokens: &TokenSet) -> Result<TokenSet> {
        let client = oauth_client(&self.config, None)?;
        let response = client
            .exchange_refresh_token(&RefreshToken::new(tokens.refresh_token.clone()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let refreshed = token_set(&response, Some(tokens))?;
        self.save(refreshed.clone()).await?;
        Ok(refreshed)
    }

    /// Revokes the grant at Xero (best effort) and forgets the tokens.
    pub async fn sign_out(&self) -> Result<()> {
        let mut current = self.current.lock().await;
        let tokens = match current.take() {
            Some(t) => Some(t),
            None => self.load().await?,
        };
        if let Some(tokens) = tokens {
            // RFC 7009 revocation, sent directly: the oauth2 crate refuses a non-HTTPS
            // revocation URL, which the simulator has. Forgetting locally matters more than
            // Xero's answer: a failed revoke still leaves no tokens behind on this computer.
            let _ = self
                .http
                .post(&self.config.urls.revocation)
                .form(&[
                    ("token", tokens.refresh_token.as_str()),
                    ("token_type_hint", "refresh_token"),
                    ("client_id", self.config.client_id.as_str()),
                ])
                .send()
                .await;
        }
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || store.clear())
            .await
            .map_err(|e| XeroError::Keychain(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn target(pairs: &[(&str, &str)]) -> String {
        let mut url =
            url::Url::parse("http://localhost/callback").unwrap_or_else(|_| unreachable!());
        url.query_pairs_mut().extend_pairs(pairs);
        format!("{}?{}", url.path(), url.query().unwrap_or_default())
    }

    #[test]
    fn the_callback_is_read_against_the_state_sent() {
        assert_eq!(
            callback(&target(&[("code", "abc"), ("state", "s1")]), "s1"),
            Callback::Code("abc".into())
        );
        assert_eq!(
            callback(&target(&[("code", "abc"), ("state", "other")]), "s1"),
            Callback::WrongState
        );
        assert_eq!(
            callback(&target(&[("code", "abc")]), "s1"),
            Callback::WrongState
        );
        assert_eq!(
            callback(
                &target(&[("error", "access_denied"), ("state", "s1")]),
                "s1"
            ),
            Callback::Refused("access_denied".into())
        );
        assert_eq!(
            callback(&target(&[("state", "s1")]), "s1"),
            Callback::NoCode
        );
        assert_eq!(callback("/favicon.ico", "s1"), Callback::NotFound);
        assert_eq!(callback(":99999/callback", "s1"), Callback::NotUnderstood);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Any code and state, however encoded on the way, come back exactly.
        #[test]
        fn codes_round_trip_through_the_query(code in "\\PC{1,60}", state in "[A-Za-z0-9_-]{8,43}") {
            let t = target(&[("state", state.as_str()), ("code", code.as_str())]);
            prop_assert_eq!(callback(&t, &state), Callback::Code(code));
        }

        /// A request that doesn't carry the state sent never yields a code, whatever else it
        /// holds; and no request target makes the reader panic.
        #[test]
        fn only_the_state_sent_yields_a_code(text in "/\\PC{0,80}", state in "[A-Za-z0-9]{16}") {
            if let Callback::Code(_) = callback(&text, &state) {
                let url = url::Url::parse(&format!("http://localhost{text}")).unwrap_or_else(|_| unreachable!());
                prop_assert!(url.query_pairs().any(|(k, v)| k == "state" && v == state.as_str()));
            }
        }
    }
}
