//! Where Xero's tokens live: the OS keychain in the app (Secret Service, macOS Keychain, Windows
//! Credential Manager), memory in unit tests. Never SQLite, logs, errors, events or the UI.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Result, XeroError};

/// The tokens of one grant. `Debug` never prints them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

impl TokenSet {
    /// True when the access token has less than `margin` left.
    pub fn expires_within(&self, margin: chrono::Duration) -> bool {
        self.expires_at - margin <= Utc::now()
    }
}

/// Keeps one grant's tokens. Implementations must be safe to call from several threads.
pub trait TokenStore: Send + Sync {
    fn load(&self) -> Result<Option<TokenSet>>;
    fn save(&self, tokens: &TokenSet) -> Result<()>;
    fn clear(&self) -> Result<()>;
}

/// Tokens in memory, for unit tests.
#[derive(Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<Option<TokenSet>>,
}

impl MemoryTokenStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> Result<Option<TokenSet>> {
        Ok(self
            .tokens
            .lock()
            .map_err(|_| XeroError::Keychain("poisoned".into()))?
            .clone())
    }

    fn save(&self, tokens: &TokenSet) -> Result<()> {
        *self
            .tokens
            .lock()
            .map_err(|_| XeroError::Keychain("poisoned".into()))? = Some(tokens.clone());
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        *self
            .tokens
            .lock()
            .map_err(|_| XeroError::Keychain("poisoned".into()))? = None;
        Ok(())
    }
}

/// Tokens in the OS keychain, one entry per Xero app (client id), stored as one JSON secret so
/// the access and refresh tokens always change together.
pub struct KeyringTokenStore {
    service: String,
    account: String,
}

/// The keychain service name Scopebook's entries are filed under.
pub const KEYCHAIN_SERVICE: &str = "com.scopebook.app";

impl KeyringTokenStore {
    /// The entry for the Xero app `client_id`.
    pub fn for_client(client_id: &str) -> Self {
        KeyringTokenStore {
            service: KEYCHAIN_SERVICE.to_string(),
            account: format!("xero:{client_id}"),
        }
    }

    /// An entry under another service name (tests use their own, to never touch real ones).
    pub fn with_service(service: &str, client_id: &str) -> Self {
        KeyringTokenStore {
            service: service.to_string(),
            account: format!("xero:{client_id}"),
        }
    }

    fn entry(&self) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &self.account).map_err(keychain_error)
    }
}

fn keychain_error(error: keyring::Error) -> XeroError {
    XeroError::Keychain(match error {
        keyring::Error::NoStorageAccess(_) => {
            "it is locked or unavailable; unlock it (log in again) and retry".to_string()
        }
        keyring::Error::PlatformFailure(e) => format!("the system keychain failed ({e})"),
        other => other.to_string(),
    })
}

impl TokenStore for KeyringTokenStore {
    fn load(&self) -> Result<Option<TokenSet>> {
        match self.entry()?.get_password() {
            Ok(secret) => serde_json::from_str(&secret).map(Some).map_err(|_| {
                XeroError::Keychain("the saved Xero connection is unreadable; connect again".into())
            }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn save(&self, tokens: &TokenSet) -> Result<()> {
        let secret = serde_json::to_string(tokens)
            .map_err(|e| XeroError::Keychain(format!("couldn't encode the tokens ({e})")))?;
        self.entry()?.set_password(&secret).map_err(keychain_error)
    }

    fn clear(&self) -> Result<()> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> TokenSet {
        TokenSet {
            access_token: "secret-access".into(),
            refresh_token: "secret-refresh".into(),
            expires_at: Utc::now() + chrono::Duration::minutes(30),
            scope: Some("offline_access".into()),
        }
    }

    #[test]
    fn debug_never_shows_tokens() {
        let text = format!("{:?}", tokens());
        assert!(
            !text.contains("secret-access") && !text.contains("secret-refresh"),
            "{text}"
        );
    }

    #[test]
    fn memory_store_round_trips_and_clears() {
        let store = MemoryTokenStore::new();
        let saved = tokens();
        assert!(store.load().unwrap().is_none());
        store.save(&saved).unwrap();
        assert_eq!(store.load().unwrap(), Some(saved));
        store.clear().unwrap();
        assert!(store.load().unwrap().is_none());
    }

    #[test]
    fn expiry_margin() {
        let mut t = tokens();
        assert!(!t.expires_within(chrono::Duration::seconds(60)));
        t.expires_at = Utc::now() + chrono::Duration::seconds(30);
        assert!(t.expires_within(chrono::Duration::seconds(60)));
    }
}
