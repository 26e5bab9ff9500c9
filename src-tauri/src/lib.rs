//! Scopebook's desktop shell: window, app state and one thin command per use case.
//!
//! Rules: commands parse the request, call `scopebook-core`, map the error. Nothing here decides
//! anything about the business; if a command grows such an `if`, it belongs in core.

mod commands;
mod instance;
mod notify;
mod state;
pub mod webview;
mod window_state;

use std::ffi::OsString;
use std::path::PathBuf;

use scopebook_core::connection::XeroEndpoint;
pub use state::AppState;
use state::Demo;
use tauri::Manager;

/// `--data-dir <path>` or `--data-dir=<path>`, and `--demo`, from the command line.
struct Arguments {
    data_dir: Option<PathBuf>,
    demo: bool,
}

fn arguments() -> Arguments {
    let mut parsed = Arguments {
        data_dir: None,
        demo: false,
    };
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == "--data-dir" {
            parsed.data_dir = args.next().map(PathBuf::from);
        } else if let Some(path) = text.strip_prefix("--data-dir=") {
            parsed.data_dir = Some(PathBuf::from(path));
        } else if text == "--demo" {
            parsed.demo = true;
        }
    }
    parsed
}

/// Starts the Xero simulator for the demo ("Try with the Xero sandbox").
fn start_demo() -> Result<(Demo, XeroEndpoint), String> {
    // The sandbox approves at once: the browser says "connected" and the app asks which
    // demo organisation to use.
    let config = xero_sim::SimConfig {
        auto_approve: true,
        ..xero_sim::SimConfig::default()
    };
    let sim = tauri::async_runtime::block_on(xero_sim::start(config))
        .map_err(|e| format!("the Xero sandbox couldn't start: {e}"))?;
    let endpoint = XeroEndpoint {
        base_url: Some(sim.base_url()),
        client_id: Some(sim.client_id().to_string()),
        ..XeroEndpoint::default()
    };
    Ok((Demo { sim }, endpoint))
}

/// Restarts Scopebook with `extra` arguments (entering or leaving the demo).
pub(crate) fn relaunch(demo: bool) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let mut args: Vec<OsString> = std::env::args_os()
        .skip(1)
        .filter(|a| a != "--demo")
        .collect();
    if demo {
        args.push("--demo".into());
    }
    std::process::Command::new(exe).args(args).spawn()?;
    Ok(())
}

/// Xero's URLs from the environment, if they are safe to use; otherwise Xero itself.
fn endpoint_from_env() -> XeroEndpoint {
    match XeroEndpoint::from_env().checked() {
        Ok(endpoint) => {
            if let Some(warning) = endpoint.warning() {
                eprintln!("Scopebook: {warning}");
            }
            endpoint
        }
        Err(error) => {
            eprintln!("Scopebook: {error} The override is ignored; Scopebook uses Xero.");
            XeroEndpoint::default()
        }
    }
}

/// When `run` began, for the start-up figure ([`startup_time`]).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// How long ago this process started: from the kernel's record of its start where there is one
/// (Linux: `/proc/self/stat` against `/proc/uptime`, 10 ms resolution), else from `run`.
pub(crate) fn startup_time() -> commands::StartupTime {
    let since_main = STARTED.get().map(|t| t.elapsed()).unwrap_or_default();
    commands::StartupTime {
        since_process_start_ms: since_process_start_ms(),
        since_main_ms: u32::try_from(since_main.as_millis()).unwrap_or(u32::MAX),
    }
}

fn since_process_start_ms() -> Option<u32> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at field 3; field 22 is the
    // start time in clock ticks after boot (USER_HZ, 100 on Linux).
    let after_name = stat.rsplit_once(')')?.1;
    let ticks: u64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    let (seconds, hundredths) = uptime.split_whitespace().next()?.split_once('.')?;
    let now: u64 = seconds.parse::<u64>().ok()? * 100 + hundredths.parse::<u64>().ok()?;
    u32::try_from(now.saturating_sub(ticks) * 10).ok()
}

pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    let args = arguments();
    let data_dir = AppState::data_folder(args.data_dir.as_deref(), args.demo);
    // One window per data folder: a second launch shows the first one's window and stops here.
    let owner = match data_dir.as_deref().map(instance::claim) {
        Ok(Ok(instance::Claim::First(owner))) => Some(owner),
        Ok(Ok(instance::Claim::Running)) => {
            println!("Scopebook is already open with this data folder; its window is in front.");
            return;
        }
        Ok(Err(error)) => {
            eprintln!("Scopebook: couldn't check for another window on this data folder: {error}");
            None
        }
        // The window says why there is no data folder.
        Err(_) => None,
    };
    let (demo, endpoint) = if args.demo {
        match start_demo() {
            Ok((demo, endpoint)) => (Some(demo), endpoint),
            Err(message) => {
                eprintln!("Scopebook: {message}");
                (None, endpoint_from_env())
            }
        }
    } else {
        (None, endpoint_from_env())
    };
    let window_dir = data_dir.as_ref().ok().cloned();
    let state = AppState::open(data_dir, endpoint, demo);
    state.warm_up();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            if let Some(owner) = owner {
                owner.answer(app.handle().clone());
            }
            if let Some(window) = app.get_webview_window("main") {
                webview::lean(&window);
                if let Some(dir) = window_dir {
                    window_state::remember(&window, &dir);
                }
            }
            Ok(())
        })
        .manage(state)
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("Scopebook could not start its window: {error}");
        std::process::exit(1);
    }
}
