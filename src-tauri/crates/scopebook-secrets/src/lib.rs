//! Scopebook's one secrets store: the Xero tokens and the SMTP password, in the OS keychain
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows).
//!
//! Rules of this crate:
//! - It owns where secrets live and how they are named; it knows nothing of Xero, mail servers,
//!   proposals or the database. Callers pick a key (`xero:<client id>`, `smtp:<user>@<host>`).
//! - Every entry is filed under a [`Namespace`], the keychain's *service*, derived from the data
//!   folder, so the demo sandbox and the firm's real data folder never share an entry:
//!   - the default data folder (the OS app-data folder `…/com.scopebook.desktop`) uses the
//!     service [`APP_IDENTIFIER`], `com.scopebook.desktop`;
//!   - any other data folder (`--data-dir`, `SCOPEBOOK_DATA_DIR`, the demo's `…/demo`) uses
//!     `com.scopebook.desktop.<tag>`, where `<tag>` is the first 8 hex digits of the SHA-256 of
//!     the folder's canonical path (its bytes as the OS gives them), stable across runs.
//! - The default namespace takes over entries left under the old service [`OLD_APP_IDENTIFIER`]
//!   (`com.scopebook.app`) on first access: read, written under the new service, then removed.
//!   Other namespaces take nothing over: entries of the old service may belong to the real firm.
//! - A secret read back is a [`Sensitive`], whose `Debug` and `Display` print `<redacted>`.
//! - Tests use [`MemoryKeychain`], which keeps services apart exactly as the OS keychain does.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// The app's identifier: the bundle identifier in `tauri.conf.json`, the name of the OS
/// app-data folder, and the keychain service of the default data folder.
pub const APP_IDENTIFIER: &str = "com.scopebook.desktop";

/// The identifier used before 0.1 was renamed (a name ending in `.app` confuses macOS). Data
/// folders and keychain entries under it are moved to [`APP_IDENTIFIER`] once.
pub const OLD_APP_IDENTIFIER: &str = "com.scopebook.app";

/// Why the keychain couldn't be used, in words for the sentence "The system keychain couldn't
/// be used: …". Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    #[error("it is locked or unavailable; unlock it (log in again) and retry")]
    Unavailable,
    #[error("the system keychain failed ({0})")]
    Failed(String),
}

pub type Result<T, E = SecretsError> = std::result::Result<T, E>;

impl From<keyring::Error> for SecretsError {
    fn from(error: keyring::Error) -> Self {
        match error {
            keyring::Error::NoStorageAccess(_) => SecretsError::Unavailable,
            keyring::Error::PlatformFailure(e) => SecretsError::Failed(e.to_string()),
            other => SecretsError::Failed(other.to_string()),
        }
    }
}

/// A value that must not be printed: `Debug` and `Display` show `<redacted>`. Read it with
/// [`Sensitive::expose`] only where it is used.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Sensitive(value.to_string())
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which entries a store sees: one keychain service (see the crate docs for the scheme).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Namespace {
    service: String,
    /// An older service whose entries this one takes over on first access.
    takes_over: Option<String>,
}

impl Namespace {
    /// The default data folder's entries (`com.scopebook.desktop`), taking over those left
    /// under `com.scopebook.app`.
    pub fn app() -> Self {
        Namespace {
            service: APP_IDENTIFIER.to_string(),
            takes_over: Some(OLD_APP_IDENTIFIER.to_string()),
        }
    }

    /// The entries of the data folder `dir`, any folder but the default one:
    /// `com.scopebook.desktop.<first 8 hex digits of SHA-256(canonical path)>`.
    pub fn data_folder(dir: &Path) -> Self {
        let digest = Sha256::digest(canonical(dir).as_os_str().as_encoded_bytes());
        let tag: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        Namespace {
            service: format!("{APP_IDENTIFIER}.{tag}"),
            takes_over: None,
        }
    }

    /// The namespace of the data folder `dir`: [`Namespace::app`] when it is `default_dir` (the
    /// OS app-data folder), else [`Namespace::data_folder`].
    pub fn for_data_dir(dir: &Path, default_dir: Option<&Path>) -> Self {
        match default_dir {
            Some(default) if canonical(dir) == canonical(default) => Namespace::app(),
            _ => Namespace::data_folder(dir),
        }
    }

    /// Entries under a service of the caller's choosing (tests use their own, so they never
    /// touch the firm's entries).
    pub fn named(service: &str) -> Self {
        Namespace {
            service: service.to_string(),
            takes_over: None,
        }
    }

    /// This namespace, also taking over the entries left under `old_service`.
    pub fn taking_over(mut self, old_service: &str) -> Self {
        self.takes_over = Some(old_service.to_string());
        self
    }

    /// The keychain service the entries are filed under.
    pub fn service(&self) -> &str {
        &self.service
    }
}

/// The folder's canonical path (symlinks resolved), or its absolute path while it doesn't
/// exist yet.
fn canonical(dir: &Path) -> std::path::PathBuf {
    std::fs::canonicalize(dir)
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf())
}

/// A keychain: secrets by service and account. [`OsKeychain`] in the app, [`MemoryKeychain`]
/// in unit tests. Implementations must be safe to call from several threads.
pub trait Keychain: Send + Sync {
    fn get(&self, service: &str, account: &str) -> Result<Option<String>>;
    fn set(&self, service: &str, account: &str, secret: &str) -> Result<()>;
    /// Removing an entry that isn't there is not an error.
    fn remove(&self, service: &str, account: &str) -> Result<()>;
}

/// The OS keychain, through the `keyring` crate.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsKeychain;

impl Keychain for OsKeychain {
    fn get(&self, service: &str, account: &str) -> Result<Option<String>> {
        match keyring::Entry::new(service, account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn set(&self, service: &str, account: &str, secret: &str) -> Result<()> {
        Ok(keyring::Entry::new(service, account)?.set_password(secret)?)
    }

    fn remove(&self, service: &str, account: &str) -> Result<()> {
        match keyring::Entry::new(service, account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A keychain in memory for unit tests: entries by (service, account), like the real one.
#[derive(Debug, Default)]
pub struct MemoryKeychain {
    entries: Mutex<HashMap<(String, String), String>>,
}

impl MemoryKeychain {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every (service, account) held, sorted (what a test inspects).
    pub fn entries(&self) -> Vec<(String, String)> {
        let mut keys: Vec<_> = self
            .entries
            .lock()
            .map(|map| map.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    fn map(&self) -> Result<std::sync::MutexGuard<'_, HashMap<(String, String), String>>> {
        self.entries
            .lock()
            .map_err(|_| SecretsError::Failed("the in-memory keychain was poisoned".into()))
    }
}

impl Keychain for MemoryKeychain {
    fn get(&self, service: &str, account: &str) -> Result<Option<String>> {
        Ok(self
            .map()?
            .get(&(service.to_string(), account.to_string()))
            .cloned())
    }

    fn set(&self, service: &str, account: &str, secret: &str) -> Result<()> {
        self.map()?.insert(
            (service.to_string(), account.to_string()),
            secret.to_string(),
        );
        Ok(())
    }

    fn remove(&self, service: &str, account: &str) -> Result<()> {
        self.map()?
            .remove(&(service.to_string(), account.to_string()));
        Ok(())
    }
}

/// The secrets of one data folder: a keychain and a namespace. Cheap to clone.
#[derive(Clone)]
pub struct Secrets {
    keychain: Arc<dyn Keychain>,
    namespace: Namespace,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl Secrets {
    /// The OS keychain, in `namespace`.
    pub fn os_keychain(namespace: Namespace) -> Self {
        Secrets::new(Arc::new(OsKeychain), namespace)
    }

    /// A fresh in-memory keychain, in `namespace` (unit tests).
    pub fn in_memory(namespace: Namespace) -> Self {
        Secrets::new(Arc::new(MemoryKeychain::new()), namespace)
    }

    pub fn new(keychain: Arc<dyn Keychain>, namespace: Namespace) -> Self {
        Secrets {
            keychain,
            namespace,
        }
    }

    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    /// Saves `secret` under `key`, replacing what was there.
    pub fn persist(&self, key: &str, secret: &Sensitive<String>) -> Result<()> {
        self.keychain
            .set(&self.namespace.service, key, secret.expose())
    }

    /// The secret saved under `key`, if any. In a namespace that takes over an older service,
    /// an entry found only there is moved here first.
    pub fn retrieve(&self, key: &str) -> Result<Option<Sensitive<String>>> {
        if let Some(secret) = self.keychain.get(&self.namespace.service, key)? {
            return Ok(Some(Sensitive(secret)));
        }
        let Some(old) = &self.namespace.takes_over else {
            return Ok(None);
        };
        let Some(secret) = self.keychain.get(old, key)? else {
            return Ok(None);
        };
        self.keychain.set(&self.namespace.service, key, &secret)?;
        self.keychain.remove(old, key)?;
        Ok(Some(Sensitive(secret)))
    }

    /// Forgets the secret under `key` (also under the older service it takes over, so a
    /// forgotten secret can't come back). Deleting what isn't there is not an error.
    pub fn delete(&self, key: &str) -> Result<()> {
        self.keychain.remove(&self.namespace.service, key)?;
        if let Some(old) = &self.namespace.takes_over {
            self.keychain.remove(old, key)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn secret(text: &str) -> Sensitive<String> {
        Sensitive::from(text)
    }

    #[test]
    fn sensitive_never_prints_its_value() {
        let password = secret("hunter2-pa55");
        assert_eq!(format!("{password:?}"), "<redacted>");
        assert_eq!(format!("{password}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&password)), "Some(<redacted>)");
        assert_eq!(password.expose(), "hunter2-pa55");
    }

    #[test]
    fn persist_retrieve_delete() {
        let secrets = Secrets::in_memory(Namespace::named("com.scopebook.test"));
        assert_eq!(secrets.retrieve("smtp:me@host").unwrap(), None);
        secrets.persist("smtp:me@host", &secret("pw")).unwrap();
        assert_eq!(
            secrets.retrieve("smtp:me@host").unwrap(),
            Some(secret("pw"))
        );
        secrets.persist("smtp:me@host", &secret("pw2")).unwrap();
        assert_eq!(
            secrets.retrieve("smtp:me@host").unwrap(),
            Some(secret("pw2"))
        );
        secrets.delete("smtp:me@host").unwrap();
        secrets.delete("smtp:me@host").unwrap();
        assert_eq!(secrets.retrieve("smtp:me@host").unwrap(), None);
    }

    #[test]
    fn two_data_folders_never_share_an_entry() {
        let keychain = Arc::new(MemoryKeychain::new());
        let folders = tempfile::tempdir().unwrap();
        let firm = folders.path().join("firm");
        let demo = firm.join("demo");
        std::fs::create_dir_all(&demo).unwrap();
        let in_firm = Secrets::new(
            keychain.clone(),
            Namespace::for_data_dir(&firm, Some(&firm)),
        );
        let in_demo = Secrets::new(
            keychain.clone(),
            Namespace::for_data_dir(&demo, Some(&firm)),
        );
        assert_eq!(in_firm.namespace(), &Namespace::app());
        assert_ne!(in_firm.namespace(), in_demo.namespace());

        in_firm.persist("smtp:me@host", &secret("real")).unwrap();
        assert_eq!(in_demo.retrieve("smtp:me@host").unwrap(), None);
        in_demo.persist("smtp:me@host", &secret("sandbox")).unwrap();
        in_demo.delete("smtp:me@host").unwrap();
        assert_eq!(
            in_firm.retrieve("smtp:me@host").unwrap(),
            Some(secret("real"))
        );
        assert_eq!(keychain.entries().len(), 1);
    }

    #[test]
    fn a_folder_has_one_stable_namespace_however_it_is_written() {
        let folders = tempfile::tempdir().unwrap();
        let dir = folders.path().join("books");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let again = dir.join("sub").join("..");
        let one = Namespace::data_folder(&dir);
        assert_eq!(one, Namespace::data_folder(&again));
        assert_eq!(one, Namespace::for_data_dir(&dir, None));
        let tag = one
            .service()
            .strip_prefix("com.scopebook.desktop.")
            .unwrap();
        assert!(
            tag.len() == 8 && tag.chars().all(|c| c.is_ascii_hexdigit()),
            "{tag}"
        );
        assert_ne!(one, Namespace::data_folder(&dir.join("sub")));
    }

    #[test]
    fn the_default_namespace_takes_over_the_old_service_once() {
        let keychain = Arc::new(MemoryKeychain::new());
        keychain
            .set("com.scopebook.app", "xero:CLIENT", "old-tokens")
            .unwrap();
        keychain
            .set("com.scopebook.app", "smtp:me@host", "old-password")
            .unwrap();
        let secrets = Secrets::new(keychain.clone(), Namespace::app());

        assert_eq!(
            secrets.retrieve("xero:CLIENT").unwrap(),
            Some(secret("old-tokens"))
        );
        assert_eq!(
            keychain.entries(),
            [
                ("com.scopebook.app".into(), "smtp:me@host".into()),
                ("com.scopebook.desktop".into(), "xero:CLIENT".into()),
            ]
        );
        // The new entry wins over an old one; deleting removes both.
        secrets.persist("smtp:me@host", &secret("new")).unwrap();
        assert_eq!(
            secrets.retrieve("smtp:me@host").unwrap(),
            Some(secret("new"))
        );
        secrets.delete("smtp:me@host").unwrap();
        assert_eq!(secrets.retrieve("smtp:me@host").unwrap(), None);
        assert_eq!(
            keychain.entries(),
            [("com.scopebook.desktop".into(), "xero:CLIENT".into())]
        );
    }

    #[test]
    fn other_folders_take_nothing_from_the_old_service() {
        let keychain = Arc::new(MemoryKeychain::new());
        keychain
            .set("com.scopebook.app", "smtp:me@host", "firm-password")
            .unwrap();
        let folder = tempfile::tempdir().unwrap();
        let demo = Secrets::new(keychain.clone(), Namespace::data_folder(folder.path()));
        assert_eq!(demo.retrieve("smtp:me@host").unwrap(), None);
        demo.delete("smtp:me@host").unwrap();
        assert_eq!(
            keychain.get("com.scopebook.app", "smtp:me@host").unwrap(),
            Some("firm-password".into())
        );
    }
}
