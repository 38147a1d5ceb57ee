//! Embeds every file under the repository's `kb/` directory into the binary, so that adding a
//! data file (a new vendor's fingerprints, say) needs no code change.
use std::{env, fs, path::Path};

fn main() {
    // Read when the script runs, not when it was compiled: a build directory shared by two
    // checkouts (a clean clone's `target` linked to another's) runs one compiled script for both.
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest).join("../../kb");
    let root = root
        .canonicalize()
        .expect("kb/ directory next to the workspace root");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    let mut out = String::from(
        "/// Every file of `kb/`, by path relative to it.\npub(crate) static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for rel in &files {
        let abs = root.join(rel);
        println!("cargo:rerun-if-changed={}", abs.display());
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            rel,
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded.rs");
    fs::write(dest, out).unwrap();
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            walk(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}
