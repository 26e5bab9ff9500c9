//! The keychain token store against the real Secret Service (gnome-keyring under
//! `dbus-run-session`, as tests/test-all.sh runs it). Ignored by a plain `cargo test`, which may
//! run where no keychain is unlocked; the test script runs it with `--ignored`.

// A failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use scopebook_xero::{KeyringTokenStore, TokenSet, TokenStore};

#[test]
#[ignore = "needs an unlocked Secret Service; tests/test-all.sh runs it"]
fn tokens_round_trip_through_the_secret_service() {
    let service = format!("com.scopebook.test.{}", std::process::id());
    let store = KeyringTokenStore::with_service(&service, "TEST-CLIENT");
    store.clear().unwrap();
    assert!(store.load().unwrap().is_none());
    let tokens = TokenSet {
        access_token: "access-from-keychain-test".into(),
        refresh_token: "refresh-from-keychain-test".into(),
        expires_at: Utc::now(),
        scope: Some("offline_access".into()),
        refresh_issued_at: None,
    };
    store.save(&tokens).unwrap();

    // Another handle (another process would do the same) reads what was stored.
    let again = KeyringTokenStore::with_service(&service, "TEST-CLIENT");
    assert_eq!(again.load().unwrap(), Some(tokens));

    // It really is in the Secret Service, where secret-tool finds it.
    let found = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            &service,
            "username",
            "xero:TEST-CLIENT",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&found.stdout).contains("refresh-from-keychain-test"));

    store.clear().unwrap();
    assert!(again.load().unwrap().is_none());
}
