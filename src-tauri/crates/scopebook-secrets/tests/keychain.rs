//! The secrets store against the real Secret Service (gnome-keyring under `dbus-run-session`, as
//! tests/test-all.sh runs it). Ignored by a plain `cargo test`, which may run where no keychain
//! is unlocked; the test script runs it with `--ignored`.

// A failed step should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use scopebook_secrets::{Namespace, Secrets, Sensitive};

fn secret_tool_lookup(service: &str, account: &str) -> String {
    let found = std::process::Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .unwrap();
    String::from_utf8_lossy(&found.stdout).into_owned()
}

#[test]
#[ignore = "needs an unlocked Secret Service; tests/test-all.sh runs it"]
fn a_secret_saved_for_one_data_folder_is_invisible_to_another() {
    let folders = tempfile::tempdir().unwrap();
    let firm = folders.path().join("firm");
    let demo = firm.join("demo");
    std::fs::create_dir_all(&demo).unwrap();
    // Neither is the OS app-data folder, so the firm's real entries are never touched.
    let in_firm = Secrets::os_keychain(Namespace::for_data_dir(&firm, None));
    let in_demo = Secrets::os_keychain(Namespace::for_data_dir(&demo, None));
    let account = "smtp:ledger@127.0.0.1";

    in_firm
        .persist(account, &Sensitive::from("firm-password"))
        .unwrap();
    assert_eq!(in_demo.retrieve(account).unwrap(), None);
    in_demo
        .persist(account, &Sensitive::from("sandbox-password"))
        .unwrap();
    in_demo.delete(account).unwrap();
    assert_eq!(
        in_firm.retrieve(account).unwrap(),
        Some(Sensitive::from("firm-password"))
    );

    // Really in the Secret Service, under the firm folder's service only.
    let service = in_firm.namespace().service();
    assert!(service.starts_with("com.scopebook.desktop."), "{service}");
    assert_eq!(secret_tool_lookup(service, account), "firm-password");
    assert_eq!(
        secret_tool_lookup(in_demo.namespace().service(), account),
        ""
    );

    in_firm.delete(account).unwrap();
    assert_eq!(in_firm.retrieve(account).unwrap(), None);
}

#[test]
#[ignore = "needs an unlocked Secret Service; tests/test-all.sh runs it"]
fn entries_under_an_old_service_move_once() {
    let pid = std::process::id();
    let old = format!("com.scopebook.test.old.{pid}");
    let new = format!("com.scopebook.test.new.{pid}");
    let account = "xero:TEST-CLIENT";
    let before = Secrets::os_keychain(Namespace::named(&old));
    before
        .persist(account, &Sensitive::from("tokens-from-before"))
        .unwrap();

    let after = Secrets::os_keychain(Namespace::named(&new).taking_over(&old));
    assert_eq!(
        after.retrieve(account).unwrap(),
        Some(Sensitive::from("tokens-from-before"))
    );
    assert_eq!(secret_tool_lookup(&new, account), "tokens-from-before");
    assert_eq!(secret_tool_lookup(&old, account), "");
    after.delete(account).unwrap();
    assert_eq!(secret_tool_lookup(&new, account), "");
}
