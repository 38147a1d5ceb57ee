//! CPE 2.3 names for identified firmware, and the normalisations they need.

use camguard_kb::Kb;

/// The numeric version a CPE carries for a firmware string.
///
/// The version is the dotted head of the string, lower-cased:
/// * a leading `V`/`v` before a digit is dropped, and the result must start with a digit;
/// * dot-separated components are kept while they look like version parts: digits with an
///   optional single letter and more digits (`82`, `0000000`, `349f17`), or a 1–3 letter tag
///   with optional digits (`R`, `R02`, `b`);
/// * it stops at the first space, comma, underscore, parenthesis, empty component (`..`) or
///   word (`build`, `Dahua`); digits glued to a word keep their digits (`5build` → `5`).
///
/// | firmware | version |
/// |---|---|
/// | `V5.5.82 build 190220` (Hikvision) | `5.5.82` |
/// | `2.800.0000000.16.R, Build Date 2021-06-04` (Dahua) | `2.800.0000000.16.r` |
/// | `V5.00.R02.00030747.10010.349f17..ONVIF 16.12` (XiongMai) | `5.00.r02.00030747.10010.349f17` |
/// | `1.4.2 Build 250725 Rel.72234n` (Tapo) | `1.4.2` |
/// | `v3.1.0.2368_23062700` (Reolink) | `3.1.0.2368` |
/// | `IPC_G6103-B0005P60D1902` (no numeric head) | none |
pub fn normalize_firmware(firmware: &str) -> Option<String> {
    let s = firmware.trim();
    let s = match s.strip_prefix(['V', 'v']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => s,
    };
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let head: &str = s
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .next()
        .unwrap_or("");
    let mut parts: Vec<String> = Vec::new();
    for (i, comp) in head.split('.').enumerate() {
        let comp = comp.to_ascii_lowercase();
        if comp.is_empty() {
            break;
        }
        if is_numeric_part(&comp) || (i > 0 && is_tag_part(&comp)) {
            parts.push(comp);
            continue;
        }
        // Digits glued to a word: keep the digits, then stop.
        let digits: String = comp.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            parts.push(digits);
        }
        break;
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("."))
    }
}

/// `82`, `0000000`, `349f17`, `1a`: digits, optionally one letter and more digits.
fn is_numeric_part(c: &str) -> bool {
    let b = c.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == 0 {
        return false;
    }
    if i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    i == b.len()
}

/// `r`, `r02`, `b`, `rc1`: a 1–3 letter tag with optional digits.
fn is_tag_part(c: &str) -> bool {
    let letters = c.chars().take_while(char::is_ascii_alphabetic).count();
    (1..=3).contains(&letters) && c[letters..].chars().all(|c| c.is_ascii_digit())
}

/// The model as it goes into a CPE product name: lower case, runs of white space as one `_`,
/// characters outside printable ASCII dropped.
pub fn normalize_model(model: &str) -> Option<String> {
    let mut out = String::new();
    for word in model.split_whitespace() {
        let word: String = word
            .chars()
            .filter(char::is_ascii_graphic)
            .collect::<String>()
            .to_ascii_lowercase();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word);
    }
    if out.is_empty() { None } else { Some(out) }
}

/// Quote a CPE 2.3 formatted-string component: letters, digits, `_`, `-` and `.` stay, white
/// space becomes `_`, every other printable ASCII character gets a backslash, anything else is
/// dropped (`iDS-7208HUHI-M1/FA` →
/// `ids-7208huhi-m1\/fa`).
pub fn escape_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
            out.push(c);
        } else if c.is_whitespace() {
            out.push('_');
        } else if c.is_ascii_graphic() {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

/// `cpe:2.3:o:<cpe_vendor>:<product>:<version>:*:*:*:*:*:*:*` for a vendor id of
/// `vendors.toml`, or `None` when the vendor has no CPE naming or model / version are missing.
pub fn cpe_for(kb: &Kb, vendor: &str, model: &str, firmware: &str) -> Option<String> {
    let v = kb.vendor(vendor)?;
    let cpe_vendor = v.cpe_vendor.as_deref()?;
    let template = v.cpe_product.as_deref()?;
    let model = normalize_model(model)?;
    let version = normalize_firmware(firmware)?;
    let product = template.replace("{model}", &model).to_ascii_lowercase();
    Some(format!(
        "cpe:2.3:o:{}:{}:{}:*:*:*:*:*:*:*",
        escape_component(&cpe_vendor.to_ascii_lowercase()),
        escape_component(&product),
        escape_component(&version)
    ))
}
