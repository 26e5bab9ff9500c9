//! What the window may do, read from the shipped configuration: the content security policy
//! and the capabilities. A page that is compromised (a pasted proposal text, a bad PDF) must not
//! be able to post forms, rebase URLs, embed plugins or name files for Rust to write.

// A failed expectation should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

fn read_json(relative: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn csp_directives() -> Vec<(String, Vec<String>)> {
    let config = read_json("../tauri.conf.json");
    let csp = config["app"]["security"]["csp"]
        .as_str()
        .expect("tauri.conf.json sets a CSP string");
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_string();
            Some((name, words.map(str::to_string).collect()))
        })
        .collect()
}

fn directive(name: &str) -> Vec<String> {
    csp_directives()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("the CSP has no {name}"))
}

#[test]
fn the_csp_forbids_base_rewrites_form_posts_and_plugins() {
    assert_eq!(directive("base-uri"), ["'none'"]);
    assert_eq!(directive("form-action"), ["'none'"]);
    assert_eq!(directive("object-src"), ["'none'"]);
    // The in-app PDF preview is a data: URL in an iframe; nothing else is framed.
    assert_eq!(directive("frame-src"), ["data:"]);
    assert_eq!(directive("script-src"), ["'self'"]);
}

#[test]
fn the_window_cannot_open_file_dialogs_or_name_files() {
    let capability = read_json("capabilities/default.json");
    let permissions: Vec<&str> = capability["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert_eq!(permissions, ["core:default"]);
}
