fn main() {
    // The bundled front end is embedded at compile time: rebuild when `npm run build` rewrites it.
    println!("cargo:rerun-if-changed=../ui/dist");
    // tauri.conf.json lives at the repository root (the fixed layout), not beside this crate.
    if let Err(error) =
        tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
    {
        panic!("tauri-build failed: {error:#}");
    }
}
