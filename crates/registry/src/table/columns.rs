//! Headers that are not a column of the file's kind: a misspelling of one (refused, with the
//! right name suggested) or a column of the user's own (kept, with a warning).
//!
//! The other names people give the columns are data, `kb/registry/columns.toml`; a header is
//! a misspelling when it is one of them, or is within a small edit distance (letters inserted,
//! removed, replaced or swapped) of a column's key, Vietnamese header or other name.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::header::{Schema, fold};

/// The data file, in the knowledge base.
pub const ALIASES_FILE: &str = "registry/columns.toml";

#[derive(Deserialize, Default)]
struct AliasFile {
    #[serde(default)]
    inventory: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    catalogue: BTreeMap<String, Vec<String>>,
}

/// Other names of the columns, by file kind and then key (folded).
fn aliases() -> &'static AliasFile {
    static ALIASES: OnceLock<AliasFile> = OnceLock::new();
    ALIASES.get_or_init(|| {
        camguard_kb::embedded_files()
            .find(|(name, _)| *name == ALIASES_FILE)
            .and_then(|(_, text)| toml::from_str::<AliasFile>(text).ok())
            .map(|mut f| {
                for names in f.inventory.values_mut().chain(f.catalogue.values_mut()) {
                    for n in names.iter_mut() {
                        *n = fold(n);
                    }
                }
                f
            })
            .unwrap_or_default()
    })
}

/// Optimal string alignment distance (Levenshtein plus swaps of neighbours), in characters,
/// stopping early once it exceeds `max`.
fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}

/// How far a header may be from a name of `len` characters and still be taken for it: none
/// for names of up to 3 (`ip` is not `id`), one letter up to 8 (`seral`), two beyond.
fn tolerance(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    }
}

/// The column (index into the schema) a header that names none seems meant for.
pub(crate) fn suggest(schema: &Schema, header: &str) -> Option<usize> {
    let h = fold(header);
    if h.is_empty() {
        return None;
    }
    let kind = match schema.kind {
        "catalogue" => &aliases().catalogue,
        _ => &aliases().inventory,
    };
    let mut best: Option<(usize, usize)> = None;
    for (i, (key, vi)) in schema.columns.iter().enumerate() {
        let mut names = vec![fold(key), fold(vi)];
        names.extend(kind.get(*key).into_iter().flatten().cloned());
        for name in names {
            let tol = tolerance(name.chars().count());
            if let Some(d) = distance(&h, &name, tol)
                && best.is_none_or(|(bd, _)| d < bd)
            {
                best = Some((d, i));
            }
        }
    }
    best.map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("seral", "serial", 1), Some(1));
        assert_eq!(distance("vendro", "vendor", 1), Some(1));
        assert_eq!(distance("firmware 2", "firmware", 1), None);
        assert_eq!(distance("abc", "abc", 0), Some(0));
    }
}
