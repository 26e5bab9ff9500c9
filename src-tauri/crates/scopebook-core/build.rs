//! Embeds `migrations/NNNN_name.sql` from the repository root, in order, so the schema has
//! exactly one source and a missing or misnumbered file fails the build.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(i64, String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let version = name
                .split('_')
                .next()
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or_else(|| {
                    panic!("migration {name} must start with its number, e.g. 0002_")
                });
            println!("cargo:rerun-if-changed={}", path.display());
            (version, name, path)
        })
        .collect();
    files.sort();
    let mut code = String::from("pub const MIGRATIONS: &[Migration] = &[\n");
    for (index, (version, name, path)) in files.iter().enumerate() {
        assert_eq!(
            *version,
            index as i64 + 1,
            "migrations must be numbered 1, 2, 3… without gaps; {name} is out of place"
        );
        let path = path
            .canonicalize()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        writeln!(
            code,
            "    Migration {{ version: {version}, name: {name:?}, sql: include_str!({:?}) }},",
            path.display().to_string()
        )
        .unwrap_or_default();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("migrations.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
