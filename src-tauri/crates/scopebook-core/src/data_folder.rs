//! Where Scopebook keeps its data, and the keychain entries that go with each data folder.
//!
//! The app's identifier ([`APP_IDENTIFIER`], `com.scopebook.desktop`; `tauri.conf.json` says the
//! same, a test checks it) names the OS app-data folder and the keychain service of that
//! folder's entries. It used to be `com.scopebook.app` (a name ending in `.app` confuses macOS):
//! an existing data folder of that name is moved once (see [`move_old_data_folder`]) and the
//! keychain entries follow on first access (`scopebook_secrets::Namespace::app`).

use std::path::{Path, PathBuf};

pub use scopebook_secrets::{APP_IDENTIFIER, OLD_APP_IDENTIFIER};
use scopebook_secrets::{Namespace, Secrets};

use crate::error::{Error, Result};
use crate::store::Store;

/// The environment variable that overrides the data folder (tests, the demo, several firms).
pub const DATA_DIR_ENV: &str = "SCOPEBOOK_DATA_DIR";

/// Where Scopebook keeps its data: `explicit` (`--data-dir`), else `$SCOPEBOOK_DATA_DIR`, else
/// the OS app-data folder (the same one the desktop app's identifier gives Tauri), moved there
/// from its old name first if need be.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let parent = dirs::data_dir().ok_or_else(|| {
        Error::io(
            "Scopebook can't find this computer's application-data folder; start it with --data-dir",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        )
    })?;
    Ok(move_old_data_folder(&parent))
}

/// The OS app-data folder, `<OS data folder>/com.scopebook.desktop` (without moving anything).
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER))
}

/// The data folder under `parent` (the OS data folder): `com.scopebook.desktop`. When only the
/// old `com.scopebook.app` exists, it is renamed to the new name first; when both exist, the
/// new one is used and the old one left alone. If the rename fails, the old folder is used as
/// it is (the firm's data must not seem to vanish) and the move is tried again next start.
pub fn move_old_data_folder(parent: &Path) -> PathBuf {
    let new = parent.join(APP_IDENTIFIER);
    let old = parent.join(OLD_APP_IDENTIFIER);
    let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    if exists(&new) || !old.is_dir() {
        return new;
    }
    match std::fs::rename(&old, &new) {
        Ok(()) => new,
        Err(_) => old,
    }
}

/// The secrets (the OS keychain) of the data folder `data_dir`: the default folder's entries
/// under `com.scopebook.desktop`, any other folder's (the demo's, a test's, a second firm's)
/// under a service of its own, so they never share an entry. The old-named default folder
/// (still in use if it couldn't be moved) counts as the default one.
pub fn secrets_for(data_dir: &Path) -> Secrets {
    let os_data = dirs::data_dir();
    let is_default = os_data.is_some_and(|os| {
        [APP_IDENTIFIER, OLD_APP_IDENTIFIER]
            .iter()
            .any(|name| Namespace::for_data_dir(data_dir, Some(&os.join(name))) == Namespace::app())
    });
    Secrets::os_keychain(if is_default {
        Namespace::app()
    } else {
        Namespace::data_folder(data_dir)
    })
}

/// The secrets of the data folder `store` lives in ([`secrets_for`]); a store in memory gets a
/// namespace of its own, never the firm's.
pub fn secrets_of(store: &Store) -> Secrets {
    match store.path().and_then(Path::parent) {
        Some(dir) => secrets_for(dir),
        None => Secrets::os_keychain(Namespace::named(&format!("{APP_IDENTIFIER}.in-memory"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identifier_is_the_one_in_tauri_conf_json() {
        let conf: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../tauri.conf.json"
        )))
        .unwrap();
        assert_eq!(conf["identifier"], APP_IDENTIFIER);
        assert!(!APP_IDENTIFIER.ends_with(".app"));
    }

    #[test]
    fn an_old_data_folder_is_moved_once() {
        let parent = tempfile::tempdir().unwrap();
        let old = parent.path().join("com.scopebook.app");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join("scopebook.sqlite3"), b"the firm's data").unwrap();

        let dir = move_old_data_folder(parent.path());
        assert_eq!(dir, parent.path().join("com.scopebook.desktop"));
        assert_eq!(
            std::fs::read(dir.join("scopebook.sqlite3")).unwrap(),
            b"the firm's data"
        );
        assert!(!old.exists());
        // Again: nothing more to do.
        assert_eq!(move_old_data_folder(parent.path()), dir);
    }

    #[test]
    fn when_both_folders_exist_the_new_one_is_used_and_the_old_left_alone() {
        let parent = tempfile::tempdir().unwrap();
        let old = parent.path().join("com.scopebook.app");
        let new = parent.path().join("com.scopebook.desktop");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(old.join("scopebook.sqlite3"), b"old").unwrap();
        std::fs::write(new.join("scopebook.sqlite3"), b"new").unwrap();

        assert_eq!(move_old_data_folder(parent.path()), new);
        assert_eq!(
            std::fs::read(old.join("scopebook.sqlite3")).unwrap(),
            b"old"
        );
        assert_eq!(
            std::fs::read(new.join("scopebook.sqlite3")).unwrap(),
            b"new"
        );
    }

    #[test]
    fn a_first_start_uses_the_new_name() {
        let parent = tempfile::tempdir().unwrap();
        assert_eq!(
            move_old_data_folder(parent.path()),
            parent.path().join("com.scopebook.desktop")
        );
        assert!(!parent.path().join("com.scopebook.desktop").exists());
    }

    #[test]
    fn only_the_default_folder_uses_the_apps_own_keychain_service() {
        let folder = tempfile::tempdir().unwrap();
        assert_ne!(secrets_for(folder.path()).namespace(), &Namespace::app());
        let store = Store::open_in(folder.path()).unwrap();
        assert_eq!(
            secrets_of(&store).namespace(),
            &Namespace::data_folder(folder.path())
        );
        let in_memory = Store::open_in_memory().unwrap();
        assert_ne!(secrets_of(&in_memory).namespace(), &Namespace::app());
        if let Some(default) = default_data_dir() {
            assert_eq!(secrets_for(&default).namespace(), &Namespace::app());
            let old = default.with_file_name(OLD_APP_IDENTIFIER);
            assert_eq!(secrets_for(&old).namespace(), &Namespace::app());
            assert_ne!(
                secrets_for(&default.join("demo")).namespace(),
                &Namespace::app()
            );
        }
    }
}
