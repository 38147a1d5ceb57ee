//! Header names: folding for comparison, and the column a header names.

/// Folds a header for comparison: lower case, Vietnamese (and common Latin) diacritics and
/// combining marks removed, `_` as a space, runs of white space as one space, trimmed.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        let c = base_letter(c);
        if c.is_whitespace() || c == '_' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// The base letter of a lower-case letter with diacritics (Vietnamese and Latin-1).
fn base_letter(c: char) -> char {
    // U+1EA0..=U+1EF9: Vietnamese letters, upper and lower case alternating.
    const VI: &[u8; 45] = b"aaaaaaaaaaaaeeeeeeeeiioooooooooooouuuuuuuyyyy";
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ă' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ơ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ư' => 'u',
        'ý' | 'ÿ' => 'y',
        'đ' => 'd',
        'ç' => 'c',
        'ñ' => 'n',
        '\u{1ea0}'..='\u{1ef9}' => VI[(c as usize - 0x1ea0) / 2] as char,
        _ => c,
    }
}

/// The schema column a header names, if any.
pub(crate) fn resolve_header(folded: &[(String, String)], header: &str) -> Option<usize> {
    let find = |h: &str| {
        let h = fold(h);
        if h.is_empty() {
            return None;
        }
        folded.iter().position(|(en, vi)| *en == h || *vi == h)
    };
    if let Some(i) = find(header) {
        return Some(i);
    }
    // "Đơn vị (org)" or "org (Đơn vị)"
    let inner_end = header.trim_end().strip_suffix(')')?;
    let open = inner_end.rfind('(')?;
    find(&inner_end[open + 1..]).or_else(|| find(&inner_end[..open]))
}

/// The columns of a kind of file.
pub(crate) struct Schema {
    /// `inventory` or `catalogue`: the section of `kb/registry/columns.toml` and the word in
    /// messages.
    pub kind: &'static str,
    /// What happens to the values of an unknown column, for the warning.
    pub unknown_columns: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
    pub required: &'static [&'static str],
}

impl Schema {
    pub(crate) fn folded(&self) -> Vec<(String, String)> {
        self.columns
            .iter()
            .map(|(en, vi)| (fold(en), fold(vi)))
            .collect()
    }
}
