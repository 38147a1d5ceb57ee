//! Embeds every `profiles/*.toml` into the binary, so that adding a vendor profile is a data-only
//! change (the same convention as `crates/kb/build.rs`).
use std::{env, fs, path::Path};

fn main() {
    // Read when the script runs (see crates/kb/build.rs).
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("profiles");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files: Vec<_> = fs::read_dir(&root)
        .expect("crates/sim/profiles directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every file of `crates/sim/profiles/`, by file name.\npub(crate) static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for p in &files {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            name,
            p.display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_profiles.rs"),
        out,
    )
    .unwrap();
}
