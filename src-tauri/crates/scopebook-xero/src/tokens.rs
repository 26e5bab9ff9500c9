//! Where Xero's tokens live: the secrets store (`scopebook-secrets`: the OS keychain in the app —
//! Secret Service, macOS Keychain, Windows Credential Manager — namespaced by data folder),
//! memory in unit tests. Never SQLite, logs, errors, events or the UI.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use scopebook_secrets::{Namespace, Secrets, SecretsError, Sensitive};
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
    /// When Xero issued the refresh token (each refresh issues a new one). Xero ends a refresh
    /// token unused for 60 days; `None` for tokens saved before this was kept.
    #[serde(default)]
    pub refresh_issued_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("refresh_issued_at", &self.refresh_issued_at)
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

/// Tokens in the secrets store (the OS keychain in the app), one entry per Xero app (key
/// `xero:<client id>`), stored as one JSON secret so the access and refresh tokens always
/// change together. The store's namespace keeps each data folder's tokens apart.
pub struct KeyringTokenStore {
    secrets: Secrets,
    key: String,
}

/// The keychain service of the default data folder's entries (the app's identifier).
pub const KEYCHAIN_SERVICE: &str = scopebook_secrets::APP_IDENTIFIER;

impl KeyringTokenStore {
    /// The tokens of the Xero app `client_id` in `secrets` (the data folder's namespace).
    pub fn new(secrets: Secrets, client_id: &str) -> Self {
        KeyringTokenStore {
            secrets,
            key: format!("xero:{client_id}"),
        }
    }

    /// The entry for the Xero app `client_id`, in the OS keychain under the default data
    /// folder's service (taking over entries left under the old one).
    pub fn for_client(client_id: &str) -> Self {
        KeyringTokenStore::new(Secrets::os_keychain(Namespace::app()), client_id)
    }

    /// An entry under another service name (tests use their own, to never touch real ones).
    pub fn with_service(service: &str, client_id: &str) -> Self {
        KeyringTokenStore::new(Secrets::os_keychain(Namespace::named(service)), client_id)
    }
}

fn keychain_error(error: SecretsError) -> XeroError {
    XeroError::Keychain(error.to_string())
}

impl TokenStore for KeyringTokenStore {
    fn load(&self) -> Result<Option<TokenSet>> {
        match self.secrets.retrieve(&self.key).map_err(keychain_error)? {
            Some(secret) => serde_json::from_str(secret.expose())
                .map(Some)
                .map_err(|_| {
                    XeroError::Keychain(
                        "the saved Xero connection is unreadable; connect again".into(),
                    )
                }),
            None => Ok(None),
        }
    }

    fn save(&self, tokens: &TokenSet) -> Result<()> {
        let secret = serde_json::to_string(tokens)
            .map_err(|e| XeroError::Keychain(format!("couldn't encode the tokens ({e})")))?;
        self.secrets
            .persist(&self.key, &Sensitive::new(secret))
            .map_err(keychain_error)
    }

    fn clear(&self) -> Result<()> {
        self.secrets.delete(&self.key).map_err(keychain_error)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use scopebook_secrets::MemoryKeychain;

    use super::*;

    fn tokens() -> TokenSet {
        TokenSet {
            access_token: "secret-access".into(),
            refresh_token: "secret-refresh".into(),
            expires_at: Utc::now() + chrono::Duration::minutes(30),
            scope: Some("offline_access".into()),
            refresh_issued_at: None,
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
    fn each_data_folder_keeps_its_own_tokens() {
        let keychain = Arc::new(MemoryKeychain::new());
        let folders = tempfile::tempdir().unwrap();
        let (firm, demo) = (
            folders.path().join("firm"),
            folders.path().join("firm/demo"),
        );
        let store = |dir: &std::path::Path| {
            KeyringTokenStore::new(
                Secrets::new(keychain.clone(), Namespace::for_data_dir(dir, Some(&firm))),
                "CLIENT",
            )
        };
        let saved = tokens();
        store(&firm).save(&saved).unwrap();
        assert!(store(&demo).load().unwrap().is_none());
        store(&demo).clear().unwrap();
        assert_eq!(store(&firm).load().unwrap(), Some(saved));
    }

    #[test]
    fn tokens_under_the_old_service_are_taken_over() {
        let keychain = Arc::new(MemoryKeychain::new());
        let saved = tokens();
        KeyringTokenStore::new(
            Secrets::new(keychain.clone(), Namespace::named("com.scopebook.app")),
            "CLIENT",
        )
        .save(&saved)
        .unwrap();
        let store =
            KeyringTokenStore::new(Secrets::new(keychain.clone(), Namespace::app()), "CLIENT");
        assert_eq!(store.load().unwrap(), Some(saved));
        assert_eq!(
            keychain.entries(),
            [(
                "com.scopebook.desktop".to_string(),
                "xero:CLIENT".to_string()
            )]
        );
    }

    #[test]
    fn expiry_margin() {
        let mut t = tokens();
        assert!(!t.expires_within(chrono::Duration::seconds(60)));
        t.expires_at = Utc::now() + chrono::Duration::seconds(30);
        assert!(t.expires_within(chrono::Duration::seconds(60)));
    }
}
