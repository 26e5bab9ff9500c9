//! Drives the real Scopebook window: the built app (bundled front end) started by
//! `tauri-driver` + `WebKitWebDriver` under the X display in `$DISPLAY`, each test with its own
//! fresh data folder.
//!
//! Needs: `target/debug/scopebook-app` built with the bundled UI (`tests/run-all` builds it), and
//! `tauri-driver` on the PATH or in `$TAURI_DRIVER`. Screenshots go to `target/e2e-artifacts/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The workspace's root folder.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Where screenshots and printed figures go: `target/e2e-artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    target_dir().join("e2e-artifacts")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

/// The built desktop app.
pub fn app_binary() -> PathBuf {
    std::env::var_os("SCOPEBOOK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug").join("scopebook-app"))
}

/// The built `scopebook` CLI, used to prepare and inspect data folders.
pub fn cli_binary() -> PathBuf {
    target_dir().join("debug").join("scopebook")
}

/// Runs the CLI against `data_dir` and returns its standard output; panics with its error.
pub fn cli(data_dir: &Path, args: &[&str]) -> String {
    cli_with(data_dir, args, &[])
}

/// [`cli`] with more environment (e.g. `SCOPEBOOK_XERO_BASE_URL`).
pub fn cli_with(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(cli_binary())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli_binary().display()));
    assert!(
        out.status.success(),
        "scopebook {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh data folder whose practice (Harbour Bookkeeping, Australia, AUD) is already set up
/// through the CLI, for tests that are not about the first-run screen.
pub fn practice_folder() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    cli(
        dir.path(),
        &[
            "practice",
            "setup",
            "--name",
            "Harbour Bookkeeping",
            "--country",
            "AU",
            "--currency",
            "AUD",
        ],
    );
    Ok(dir)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(4444)
}

/// One running app window under WebDriver.
pub struct App {
    pub client: Client,
    driver: Child,
    port: u16,
    args: Vec<String>,
    /// The folder the app claims (one window per data folder), to wait until it let go.
    folder: PathBuf,
    /// The last screenshot taken, to tell a fresh capture from a stale one.
    last_capture: std::sync::Mutex<Vec<u8>>,
}

impl App {
    /// Starts the app on `data_dir` and waits for its first screen.
    pub async fn launch(data_dir: &Path) -> Result<App> {
        App::launch_with(data_dir, &[]).await
    }

    /// Starts the app with extra environment variables (they reach the app through
    /// tauri-driver and WebKitWebDriver). Everything the app and the drivers print goes to
    /// `<data_dir>/app-output.log`, so tests can check what would reach a log.
    pub async fn launch_with(data_dir: &Path, env: &[(&str, &str)]) -> Result<App> {
        App::launch_full(data_dir, &[], env).await
    }

    /// Starts the app with extra command-line arguments and environment variables.
    pub async fn launch_full(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<App> {
        let app = app_binary();
        if !app.exists() {
            return Err(format!(
                "{} is missing: build it first (cargo build -p scopebook-app --bin scopebook-app, after npm run build in ui/)",
                app.display()
            )
            .into());
        }
        let driver_bin = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let port = free_port();
        let native_port = free_port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data_dir.join("app-output.log"))?;
        let driver = Command::new(&driver_bin)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver ({driver_bin:?}): {e}; install it with `cargo install tauri-driver --locked`"))?;
        let mut app_args = vec!["--data-dir".to_string(), data_dir.display().to_string()];
        app_args.extend(args.iter().map(|a| a.to_string()));
        let app_handle = App {
            client: connect(port, &app, &app_args).await?,
            driver,
            port,
            folder: if args.contains(&"--demo") {
                data_dir.join("demo")
            } else {
                data_dir.to_path_buf()
            },
            args: app_args,
            last_capture: std::sync::Mutex::new(Vec::new()),
        };
        app_handle.wait_for("#app > *").await?;
        Ok(app_handle)
    }

    /// Closes the window (the app exits) and starts it again on the same data folder.
    pub async fn restart(mut self) -> Result<App> {
        self.client.clone().close().await?;
        self.wait_until_exited().await?;
        self.client = connect(self.port, &app_binary(), &self.args).await?;
        self.wait_for("#app > *").await?;
        Ok(self)
    }

    pub async fn close(mut self) -> Result {
        self.client.clone().close().await?;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        self.wait_until_exited().await
    }

    /// Waits (up to 10 s) until the app let go of its data folder: it has exited, so a
    /// relaunch on the folder starts afresh instead of showing this window.
    async fn wait_until_exited(&self) -> Result {
        let lock = self.folder.join("scopebook.window.lock");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let free = match std::fs::OpenOptions::new().write(true).open(&lock) {
                Ok(file) => file.try_lock().is_ok(),
                Err(_) => true,
            };
            if free {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("the app still holds {} after closing", lock.display()).into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits up to 10 s for an element to appear.
    pub async fn wait_for(&self, css: &str) -> Result<Element> {
        let found = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => Ok(element),
            Err(e) => {
                self.failure_screenshot(css).await;
                Err(format!("waiting for {css}: {e}").into())
            }
        }
    }

    /// Waits up to 10 s until the element's text contains `expected`; returns the text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                last = element.text().await.unwrap_or_default();
                if last.is_empty() {
                    // WebKitWebDriver reports "" for some clipped (ellipsis) text; the DOM knows.
                    last = element
                        .prop("textContent")
                        .await
                        .ok()
                        .flatten()
                        .unwrap_or_default();
                }
                if last.contains(expected) {
                    return Ok(last);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.failure_screenshot(css).await;
        Err(format!("{css} never showed {expected:?}; it shows {last:?}").into())
    }

    /// Keeps what the window showed when an expectation failed, to see why.
    async fn failure_screenshot(&self, css: &str) {
        let slug: String = css
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let _ = self.raw_screenshot(&format!("failed-{slug}")).await;
    }

    pub async fn click(&self, css: &str) -> Result {
        let element = self.wait_for(css).await?;
        if let Err(e) = element.click().await {
            self.failure_screenshot(css).await;
            return Err(format!("clicking {css}: {e}").into());
        }
        Ok(())
    }

    /// Types into an input as a person would (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) -> Result {
        let input = self.wait_for(css).await?;
        // WebKitWebDriver's clear fails (with an empty message) on a field below the fold, where
        // its click would have scrolled: bring the field into view first.
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' });",
                vec![serde_json::to_value(&input)?],
            )
            .await?;
        let typed = async {
            input.clear().await?;
            input.send_keys(text).await
        };
        if let Err(e) = typed.await {
            self.failure_screenshot(css).await;
            return Err(format!("typing into {css}: {e}").into());
        }
        Ok(())
    }

    /// Presses keys with the focus where it is (not in a field): shortcuts. WebDriver key
    /// codes work too, e.g. `"\u{e00c}"` for Escape.
    pub async fn press(&self, keys: &str) -> Result {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Waits up to 10 s for an element to go away.
    pub async fn wait_gone(&self, css: &str) -> Result {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !self.exists(css).await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.failure_screenshot(css).await;
        Err(format!("{css} is still there").into())
    }

    /// Chooses a file in an `<input type=file>`, as the OS file dialog would.
    pub async fn upload(&self, css: &str, file: &Path) -> Result {
        let input = self.wait_for(css).await?;
        input.send_keys(&file.display().to_string()).await?;
        Ok(())
    }

    /// Chooses the first option of a `<select>` whose label contains `text`.
    pub async fn select_text(&self, css: &str, text: &str) -> Result {
        let select = self.wait_for(css).await?;
        for option in select.find_all(Locator::Css("option")).await? {
            let label = option.prop("textContent").await?.unwrap_or_default();
            if label.contains(text) {
                let value = option.prop("value").await?.unwrap_or_default();
                select.select_by_value(&value).await?;
                return Ok(());
            }
        }
        self.failure_screenshot(css).await;
        Err(format!("{css} has no option like {text:?}").into())
    }

    /// Runs JavaScript in the window and returns its result.
    pub async fn script(&self, js: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(js, Vec::new()).await?)
    }

    pub async fn value(&self, css: &str) -> Result<String> {
        Ok(self
            .wait_for(css)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// Turns the theme toggle (Auto → Light → Dark → Auto) until it says `preference`: the
    /// webview remembers the choice between runs, so a test can't count clicks.
    pub async fn theme(&self, preference: &str) -> Result {
        for _ in 0..3 {
            if self.text("[data-testid=theme-toggle]").await?.trim() == preference {
                return Ok(());
            }
            self.click("[data-testid=theme-toggle]").await?;
        }
        let now = self.text("[data-testid=theme-toggle]").await?;
        Err(format!("the theme toggle says {now:?}, never {preference:?}").into())
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Chooses an option of a `<select>` by its value.
    pub async fn select(&self, css: &str, value: &str) -> Result {
        self.wait_for(css).await?.select_by_value(value).await?;
        Ok(())
    }

    /// Saves a screenshot as `target/e2e-artifacts/<name>.png` once it shows `showing` — an
    /// element that stays (a toast fades out and is no anchor for a picture).
    ///
    /// WebKitWebDriver can capture a frame painted before the last DOM change, so a screenshot
    /// whose test passed may show an earlier screen. Here the capture waits for two animation
    /// frames (the change is painted), checks at capture time that `showing` is on screen, and
    /// retakes a capture identical to the previous one until the screen moves on; a capture that
    /// never shows the state fails the test instead of keeping a misleading picture.
    pub async fn screenshot(&self, name: &str, showing: &str) -> Result {
        self.wait_for(showing).await?;
        // The asserted state belongs in the picture: bring it into view if the page scrolled.
        self.client
            .execute(
                "const e = document.querySelector(arguments[0]);
                 if (e) e.scrollIntoView({ block: 'nearest', inline: 'nearest' });",
                vec![serde_json::Value::from(showing)],
            )
            .await?;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            self.client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                    Vec::new(),
                )
                .await?;
            let png = self.client.screenshot().await?;
            let on_screen = self
                .client
                .execute(
                    "const e = document.querySelector(arguments[0]);
                     if (!e) return false;
                     const r = e.getBoundingClientRect();
                     const s = getComputedStyle(e);
                     return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight
                       && s.visibility !== 'hidden' && s.display !== 'none';",
                    vec![serde_json::Value::from(showing)],
                )
                .await?
                .as_bool()
                .unwrap_or(false);
            let stale = {
                let last = self.last_capture.lock().unwrap_or_else(|p| p.into_inner());
                *last == png
            };
            let timed_out = Instant::now() > deadline;
            if on_screen && (!stale || timed_out) {
                // Still identical after the wait: the screen really didn't change (the same
                // state shown twice), and `showing` is on it.
                let dir = target_dir().join("e2e-artifacts");
                std::fs::create_dir_all(&dir)?;
                std::fs::write(dir.join(format!("{name}.png")), &png)?;
                *self.last_capture.lock().unwrap_or_else(|p| p.into_inner()) = png;
                return Ok(());
            }
            if timed_out {
                let _ = self.raw_screenshot(&format!("failed-{name}")).await;
                return Err(format!("screenshot {name}: {showing} is not on screen").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Keeps what the window shows now, whatever it is (for a failure).
    async fn raw_screenshot(&self, name: &str) -> Result {
        let png = self.client.screenshot().await?;
        let dir = target_dir().join("e2e-artifacts");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(format!("{name}.png")), png)?;
        Ok(())
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

async fn connect(port: u16, app: &Path, args: &[String]) -> Result<Client> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({
            "application": app,
            "args": args,
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Ok(client),
            Err(e) if Instant::now() > deadline => {
                return Err(format!("cannot open a WebDriver session on {url}: {e}").into());
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// A `xero-sim` process on a free loopback port (it outlives app restarts, as Xero would).
pub struct Sim {
    child: Child,
    pub base_url: String,
}

impl Sim {
    /// Starts `target/debug/xero-sim --auto-approve` and waits until it answers.
    pub async fn start() -> Result<Sim> {
        let port = free_port();
        let binary = target_dir().join("debug").join("xero-sim");
        let child = Command::new(&binary)
            .args(["--port", &port.to_string(), "--auto-approve"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {}: {e} (build it: cargo build -p xero-sim)",
                    binary.display()
                )
            })?;
        let sim = Sim {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("xero-sim did not start listening".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(sim)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the OS keychain holds for a Xero client id (via `secret-tool`), as JSON.
pub fn keychain_tokens(service: &str, client_id: &str) -> Option<serde_json::Value> {
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            service,
            "username",
            &format!("xero:{client_id}"),
        ])
        .output()
        .ok()?;
    serde_json::from_slice(&out.stdout).ok()
}

/// A minimal SMTP server on 127.0.0.1 that accepts any login and keeps every message it
/// receives (the raw DATA), for tests that email.
pub struct SmtpInbox {
    pub port: u16,
    messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl SmtpInbox {
    pub async fn start() -> Result<SmtpInbox> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 inbox.test ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                if let Ok(mut all) = kept.lock() {
                                    all.push(std::mem::take(body));
                                }
                                data = None;
                                let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                            } else {
                                body.push_str(line.strip_prefix('.').unwrap_or(&line));
                                body.push_str("\r\n");
                            }
                            continue;
                        }
                        let verb = line
                            .split_whitespace()
                            .next()
                            .unwrap_or("")
                            .to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-inbox.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n",
                            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                            "AUTH" => b"235 2.7.0 Authentication successful\r\n",
                            "DATA" => {
                                data = Some(String::new());
                                b"354 End data with <CR><LF>.<CR><LF>\r\n"
                            }
                            "QUIT" => {
                                let _ = write.write_all(b"221 Bye\r\n").await;
                                break;
                            }
                            _ => b"502 Not implemented\r\n",
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        Ok(SmtpInbox { port, messages })
    }

    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }
}
