//! The webview engine's settings. Scopebook's screens are tables, forms and a few charts drawn
//! as SVG, loaded once from the app's own files; the engine's defaults are a web browser's.

/// On Linux (WebKitGTK): no GPU compositing, and a document viewer's caches.
///
/// WebKitGTK's accelerated compositing keeps a GL context, the GL driver and its layer buffers in
/// the web process: about 100 MB of the web process's 233 MB at the first screen with a firm's
/// data (`bash tests/figures.sh`), for effects these screens don't use. A document viewer's
/// caches: no back-forward page cache (one page, never left) and a small memory cache.
#[cfg(target_os = "linux")]
pub fn lean(window: &tauri::WebviewWindow) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    let applied = window.with_webview(|webview| {
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
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
