//! The crate's modules import each other without cycles, and none imports from `lib.rs` (which
//! declares the modules and re-exports them, so an import from it is a cycle through the root).
//! The same holds for camguard-scan.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The first path segment of every `crate::…` reference in `src`, including each name of a
/// `use crate::{a, b::c}` group.
fn crate_refs(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let code: String = src
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // e.g. `camguard_probe::crate::` never happens, `mycrate::` does
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut end = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let mut depth = 0;
            let mut item = String::new();
            for c in group[..end].chars().chain([',']) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let name: String = item
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !name.is_empty() {
                            out.insert(name);
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// Module → modules it imports, for the files directly in `src/`.
fn graph(src_dir: &Path) -> (BTreeMap<String, BTreeSet<String>>, Vec<String>) {
    let mut modules = BTreeMap::new();
    for e in std::fs::read_dir(src_dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rs") {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            modules.insert(name, std::fs::read_to_string(&p).unwrap());
        }
    }
    let mut edges = BTreeMap::new();
    let mut from_root = Vec::new();
    for (name, text) in &modules {
        if name == "lib" {
            continue;
        }
        let mut to = BTreeSet::new();
        for r in crate_refs(text) {
            if r == *name {
                continue;
            }
            if modules.contains_key(&r) {
                to.insert(r);
            } else {
                from_root.push(format!("{name}.rs uses crate::{r} (an item of lib.rs)"));
            }
        }
        edges.insert(name.clone(), to);
    }
    (edges, from_root)
}

/// One cycle, if any (depth-first search).
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut c = stack[start..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, edges, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

fn check(crate_dir: &Path) {
    let (edges, from_root) = graph(&crate_dir.join("src"));
    assert!(
        from_root.is_empty(),
        "{}: modules import from lib.rs: {from_root:#?}",
        crate_dir.display()
    );
    if let Some(c) = find_cycle(&edges) {
        panic!("{}: import cycle {}", crate_dir.display(), c.join(" -> "));
    }
}

#[test]
fn parser_sees_groups_and_paths() {
    let r = crate_refs(
        "use crate::{a, b::{c, d}, e as f};\nlet x = crate::g::h(); // crate::nope\nuse crate::i;",
    );
    assert_eq!(r.into_iter().collect::<Vec<_>>(), ["a", "b", "e", "g", "i"]);
    let mut e = BTreeMap::new();
    e.insert("x".to_string(), BTreeSet::from(["y".to_string()]));
    e.insert("y".to_string(), BTreeSet::from(["x".to_string()]));
    assert!(find_cycle(&e).is_some());
    e.insert("y".to_string(), BTreeSet::new());
    assert!(find_cycle(&e).is_none());
}

#[test]
fn probe_modules_have_no_cycle() {
    check(Path::new(env!("CARGO_MANIFEST_DIR")));
}

#[test]
fn scan_modules_have_no_cycle() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../scan"));
}
