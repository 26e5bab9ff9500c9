//! The webview engine's settings. Scopebook's screens are one page of tables, forms and a few
//! charts drawn as SVG, loaded once from the app's own files; the engine's defaults are a web
//! browser's.

/// On Linux (WebKitGTK): a document viewer's caches — no back-forward page cache (the one page
/// is never left) and a small memory cache.
///
/// GPU compositing stays on. Turned off (`HardwareAccelerationPolicy::Never`) it saved ~100 MB
/// of the web process at the first screen, but WebKitGTK 2.50 then stopped painting after a
/// theme change (the end-to-end tests' screenshots waited forever): a frozen window costs a
/// bookkeeper more than the memory.
#[cfg(target_os = "linux")]
pub fn lean(window: &tauri::WebviewWindow) {
    use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
    let applied = window.with_webview(|webview| {
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_page_cache(false);
        }
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
    if let Err(error) = applied {
        eprintln!("Scopebook: the webview's settings weren't applied: {error}");
    }
}

/// Elsewhere the system webview's defaults stand.
#[cfg(not(target_os = "linux"))]
pub fn lean(_window: &tauri::WebviewWindow) {}
