//! One window per data folder: a second launch on the same folder brings the running window to
//! the front and exits, so two processes never work on the same file through the window.
//!
//! The first process holds an OS lock on `<data folder>/scopebook.window.lock` for as long as it
//! runs (the OS releases it if the process dies) and writes there the loopback port it listens on
//! and a random token. A later process that can't take the lock sends the token to that port; the
//! first one shows and focuses its window. Per folder, not per app: the demo's folder and a test's
//! folder are separate instances. (The CLI beside the app is a different matter: writers queue
//! in SQLite.)

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager};

const LOCK_FILE: &str = "scopebook.window.lock";

/// This process owns the folder's window: keeps the lock and answers later launches.
pub struct Owner {
    _lock: File,
    listener: TcpListener,
    token: String,
}

pub enum Claim {
    /// Go on starting.
    First(Owner),
    /// Another Scopebook has this folder open; it was asked to show its window.
    Running,
}

/// Takes the folder, or asks the process that has it to come to the front.
pub fn claim(data_dir: &Path) -> std::io::Result<Claim> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => {
            let listener = TcpListener::bind(("127.0.0.1", 0))?;
            let token = token();
            file.set_len(0)?;
            file.rewind()?;
            writeln!(file, "{} {token}", listener.local_addr()?.port())?;
            file.sync_all()?;
            Ok(Claim::First(Owner {
                _lock: file,
                listener,
                token,
            }))
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            wake_the_running_one(&mut file)?;
            Ok(Claim::Running)
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// A token only this user can read (it sits in their data folder).
fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut token = String::new();
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        h.write_u32(std::process::id());
        token.push_str(&format!("{:016x}", h.finish()));
    }
    token
}

/// Sends the running process its token. It may be starting this very moment and not have
/// written its port yet: read again for a little while.
fn wake_the_running_one(file: &mut File) -> std::io::Result<()> {
    let started = Instant::now();
    loop {
        let mut text = String::new();
        file.rewind()?;
        file.read_to_string(&mut text)?;
        if let Some((port, token)) = text.trim().split_once(' ')
            && let Ok(port) = port.parse::<u16>()
        {
            let mut stream = TcpStream::connect_timeout(
                &(([127, 0, 0, 1], port).into()),
                Duration::from_secs(2),
            )?;
            writeln!(stream, "{token}")?;
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(5) {
            return Err(std::io::Error::other(
                "another Scopebook holds this data folder but didn't say where it listens",
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Owner {
    /// Answers later launches for as long as the app runs: each valid one shows the window.
    pub fn answer(self, app: AppHandle) {
        let Owner {
            _lock: lock,
            listener,
            token,
        } = self;
        std::thread::spawn(move || {
            // Held by this thread, which runs as long as the process does.
            let _held = lock;
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut line = String::new();
                if BufReader::new(stream).read_line(&mut line).is_ok()
                    && line.trim() == token
                    && let Some(window) = app.get_webview_window("main")
                {
                    let _ = window.unminimize();
                    let _ = window.show();
                    let _ = window.set_focus();
                }
            }
        });
    }
}
