//! The window opens where and as large as it was left: size, position (in the screen's pixels)
//! and whether it was maximised, kept in `<data folder>/window.json` (per folder, like the data). Saved a moment
//! after the window stops moving or resizing, so a killed process loses at most that moment.
//! A position no longer on any screen (a monitor unplugged) is dropped and the window centred.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tauri::{PhysicalPosition, PhysicalSize, WebviewWindow, WindowEvent};

const FILE: &str = "window.json";

/// What is remembered, in the screen's pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Geometry {
    pub width: u32,
    pub height: u32,
    pub x: Option<i32>,
    pub y: Option<i32>,
    pub maximized: bool,
}

fn read(path: &Path) -> Option<Geometry> {
    let text = std::fs::read_to_string(path).ok()?;
    let g: Geometry = serde_json::from_str(&text).ok()?;
    (g.width >= 200 && g.height >= 200).then_some(g)
}

fn write(path: &Path, geometry: &Geometry) {
    let Ok(text) = serde_json::to_string_pretty(geometry) else {
        return;
    };
    let partial = path.with_extension("json.partial");
    if std::fs::write(&partial, text).is_ok() {
        let _ = std::fs::rename(&partial, path);
    }
}

fn current(window: &WebviewWindow) -> Option<Geometry> {
    let maximized = window.is_maximized().unwrap_or(false);
    let size = window.inner_size().ok()?;
    let position = window.outer_position().ok();
    Some(Geometry {
        width: size.width,
        height: size.height,
        x: position.map(|p| p.x),
        y: position.map(|p| p.y),
        maximized,
    })
}

/// Whether the window's top-left corner lies on one of the monitors (with a little slack for
/// window frames, and room left to grab the title bar).
fn on_a_screen(window: &WebviewWindow, x: i32, y: i32) -> bool {
    let Ok(monitors) = window.available_monitors() else {
        return true;
    };
    monitors.iter().any(|m| {
        let (left, top) = (m.position().x, m.position().y);
        let right = left.saturating_add(i32::try_from(m.size().width).unwrap_or(i32::MAX));
        let bottom = top.saturating_add(i32::try_from(m.size().height).unwrap_or(i32::MAX));
        x >= left.saturating_sub(8)
            && y >= top.saturating_sub(8)
            && x < right.saturating_sub(40)
            && y < bottom.saturating_sub(40)
    })
}

/// Restores the window from the folder's file (if any), then saves it as it changes.
pub fn remember(window: &WebviewWindow, data_dir: &Path) {
    let path: PathBuf = data_dir.join(FILE);
    if let Some(g) = read(&path) {
        let _ = window.set_size(PhysicalSize::new(g.width, g.height));
        match (g.x, g.y) {
            (Some(x), Some(y)) if on_a_screen(window, x, y) => {
                let _ = window.set_position(PhysicalPosition::new(x, y));
            }
            _ => {
                let _ = window.center();
            }
        }
        if g.maximized {
            let _ = window.maximize();
        }
    }

    // Events arrive in bursts while dragging; the saver writes once they stop.
    let (changed, quiet) = mpsc::channel::<()>();
    let watched = window.clone();
    std::thread::spawn(move || {
        let mut last: Option<Geometry> = None;
        while quiet.recv().is_ok() {
            while quiet.recv_timeout(Duration::from_millis(400)).is_ok() {}
            let Some(mut now) = current(&watched) else {
                continue;
            };
            if now.maximized {
                // Keep the size to come back to when un-maximised.
                if let Some(before) = last {
                    now = Geometry {
                        maximized: true,
                        ..before
                    };
                }
            }
            if last != Some(now) {
                write(&path, &now);
                last = Some(now);
            }
        }
    });
    let closing = window.clone();
    let saved = data_dir.join(FILE);
    window.on_window_event(move |event| match event {
        WindowEvent::Resized(_) | WindowEvent::Moved(_) => {
            let _ = changed.send(());
        }
        // Closing: written now, not after the pause (the process may be gone by then).
        WindowEvent::CloseRequested { .. } => {
            if let Some(now) = current(&closing) {
                let keep = match (now.maximized, read(&saved)) {
                    (true, Some(before)) => Geometry {
                        maximized: true,
                        ..before
                    },
                    _ => now,
                };
                write(&saved, &keep);
            }
        }
        _ => {}
    });
}
