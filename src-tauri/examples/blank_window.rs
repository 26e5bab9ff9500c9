//! The floor under the app's memory figure: a Tauri 2 window on this machine's webview (WebKitGTK
//! on Linux), with the app's window settings and engine settings, showing a page of one line (an
//! empty `about:blank` would start no web process at all).
//! `bash tests/figures.sh` measures it beside the app, so the figures say which part of the
//! memory is the engine's and which is Scopebook's.
//!
//! Built only for the figures: `cargo build --release -p scopebook-app --features figures
//! --example blank_window`.

use tauri::Manager;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut context = tauri::generate_context!("../tauri.conf.json");
    let blank: tauri::Url = "blank://localhost/".parse()?;
    for window in &mut context.config_mut().app.windows {
        window.url = tauri::WebviewUrl::CustomProtocol(blank.clone());
    }
    tauri::Builder::default()
        .register_uri_scheme_protocol("blank", |_, _| {
            tauri::http::Response::builder()
                .header("Content-Type", "text/html")
                .body(b"<!doctype html><meta charset=utf-8><p>Scopebook</p>".to_vec())
                .unwrap_or_default()
        })
        .setup(|app| {
            if let Some(window) = app.get_webview_window("main") {
                scopebook_app_lib::webview::lean(&window);
            }
            Ok(())
        })
        .run(context)?;
    Ok(())
}
