//! Scopebook's desktop shell: window, app state and one thin command per use case.
//!
//! Rules: commands parse the request, call `scopebook-core`, map the error. Nothing here decides
//! anything about the business; if a command grows such an `if`, it belongs in core.

mod commands;
mod state;

use std::path::PathBuf;

pub use state::AppState;

/// `--data-dir <path>` or `--data-dir=<path>` from the command line, if given.
fn data_dir_argument() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix("--data-dir=") {
            return Some(PathBuf::from(path));
        }
    }
    None
}

pub fn run() {
    let state = AppState::open(data_dir_argument().as_deref());
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("Scopebook could not start its window: {error}");
        std::process::exit(1);
    }
}
