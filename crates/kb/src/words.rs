//! `identify/*.toml`: what a device says it is, whoever made it, and who makes surveillance
//! devices. Both compile to ordinary fingerprint rules (appended after `fingerprints/*.toml`),
//! so the engine weighs them like any other rule.
//!
//! ```toml
//! [[words]]                       # device words: a device naming itself
//! id = "camera"                   # rule ids become `word-<id>-<key>`
//! terms = ["IP Camera", "đầu ghi"]  # literal phrases, case-insensitive, at word boundaries;
//!                                 #   a space also matches `-`, `_` or nothing
//! patterns = ['\bDS-\d']          # optional regexes (same boundaries)
//! camera = true                   # true: camera evidence; false: evidence of a non-camera
//! device_type = "nvr"             # optional
//! keys = { "http.title" = 60, "http.body" = 30 }   # where, and how much a match says
//! source = "…"
//!
//! maker_glue = ['webs?', '\d{2,5}']  # what may be glued onto a maker's name (names of 5+ letters)
//!
//! [maker_keys]                    # where a maker's name counts, and how much
//! "http.title" = 55
//!
//! [model_keys]                    # where a product line's model number counts (entries with
//! "onvif.model" = 60              #   patterns and no names; default: maker_keys)
//!
//! [[maker]]                       # the maker dictionary
//! id = "hikvision-name"           # optional rule-id tag (default: brand, else vendor)
//! vendor = "hikvision"            # vendor id (vendors.toml)
//! brand = "ezviz"                 # optional: a brand the vendor lists
//! names = ["EZVIZ"]               # how the maker or brand is written in evidence
//! patterns = ['CS-C\d\w*']         # optional model-prefix regexes (same boundaries)
//! surveillance = true             # makes surveillance devices only: its name is camera evidence
//! camera_hint = 30                # or, for a maker that also sells other things: the weak camera
//!                                 #   evidence its name gives (below the camera threshold, so a
//!                                 #   surveillance word must come with it; rule `maker-<tag>-<key>-hint`)
//! device_type = "nvr"             # optional (a recorder product line)
//! source = "…"
//!
//! [[maker_set]]                   # many makers in one rule per key (one compiled pattern):
//! id = "ispy"                     #   rule ids `makers-<id>-<key>`
//! names = { "Kkmoon" = "kkmoon", "Neo CoolCam" = "neo-coolcam" }   # name → vendor id
//! camera_hint = 40                # or surveillance = true, as for [[maker]]
//! source = "…"
//! ```

use crate::{FingerprintRule, KbError, fingerprint::RawRule};
use camguard_model::DeviceType;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Words {
    id: String,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    camera: Option<bool>,
    #[serde(default)]
    device_type: Option<DeviceType>,
    keys: BTreeMap<String, u8>,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Maker {
    /// Rule-id tag when a vendor has several entries (default: the brand, else the vendor).
    #[serde(default)]
    id: Option<String>,
    vendor: String,
    #[serde(default)]
    brand: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    /// Model-prefix regexes of the maker's product lines (`GXV36\d\d`, `DS-2CD\w*`).
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    surveillance: bool,
    /// A maker that also sells other things: camera evidence its name gives, weaker than
    /// [`MAX_CAMERA_HINT`], so that it calls a camera only beside another camera sign.
    #[serde(default)]
    camera_hint: Option<u8>,
    #[serde(default)]
    device_type: Option<DeviceType>,
    /// Keys (with weights) that replace `maker_keys` (or `model_keys`) for this entry.
    #[serde(default)]
    keys: Option<BTreeMap<String, u8>>,
    source: String,
}

/// Many makers in one rule per key: a device naming any of them names its vendor. One compiled
/// pattern for hundreds of names costs one automaton (and one cache per thread) instead of
/// hundreds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MakerSet {
    id: String,
    /// Name as written in evidence → vendor id.
    names: BTreeMap<String, String>,
    #[serde(default)]
    surveillance: bool,
    #[serde(default)]
    camera_hint: Option<u8>,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    // `schema` and `version` are checked by the loader (`Header`); named here only
    // because unknown fields are refused.
    #[serde(rename = "schema")]
    _schema: serde::de::IgnoredAny,
    #[serde(rename = "version", default)]
    _version: serde::de::IgnoredAny,
    #[serde(default)]
    words: Vec<Words>,
    #[serde(default)]
    maker_keys: BTreeMap<String, u8>,
    /// Keys of a model-line entry (patterns, no names) that gives none; `maker_keys` if absent.
    #[serde(default)]
    model_keys: Option<BTreeMap<String, u8>>,
    /// Regexes a device may glue straight onto a maker's name (`HikvisionWeb`, `AvtechServer`,
    /// `Vivotek8130`); they apply to names of at least [`GLUE_MIN_LEN`] Latin letters or digits.
    #[serde(default)]
    maker_glue: Vec<String>,
    #[serde(default)]
    maker: Vec<Maker>,
    #[serde(default)]
    maker_set: Vec<MakerSet>,
}

/// The most camera evidence a dual-use maker's name may give: two such weak signs (noisy-or of
/// 45 and 45 is 70) call a camera, one alone never does (the engine's threshold is 50).
pub const MAX_CAMERA_HINT: u8 = 45;

/// Shorter names (`TVT`, `UNV`, `CNB`) would turn glued words into false makers.
const GLUE_MIN_LEN: usize = 5;

/// A maker's names as (terms, patterns) for [`alternation`]: the names long enough to glue become
/// one pattern followed by the file's glue suffixes; the others stay terms (CJK names are
/// matched anywhere).
fn glued_names(names: &[String], glue: &[String]) -> (Vec<String>, Vec<String>) {
    if glue.is_empty() {
        return (names.to_vec(), Vec::new());
    }
    let suffix = glue.join("|");
    let (terms, long): (Vec<String>, Vec<String>) = names.iter().cloned().partition(|n| {
        is_cjk_term(n) || n.chars().filter(char::is_ascii_alphanumeric).count() < GLUE_MIN_LEN
    });
    if long.is_empty() {
        return (terms, Vec::new());
    }
    // One glue group for all the names: the suffix alternation written once per maker, not
    // once per name, keeps each compiled regex (and the caches each thread fills for it) small.
    let names = long.iter().map(|n| phrase(n)).collect::<Vec<_>>().join("|");
    (terms, vec![format!("(?:{names})(?:{suffix})?")])
}

/// A literal phrase as a regex: case and the separators between words are free.
fn phrase(term: &str) -> String {
    term.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(r"[\s_-]?")
}

/// Whether a term is written in Han characters, kana, Hangul or Thai only (Chinese, Japanese,
/// Korean, Thai): such text puts no space between words (Thai) or glues words and particles
/// together (Korean `네트워크카메라를`), so a term is matched wherever it occurs in a run of them.
fn is_cjk_term(term: &str) -> bool {
    let mut any = false;
    for c in term.chars().filter(|c| !c.is_whitespace()) {
        let cjk = matches!(c, '\u{0E00}'..='\u{0E7F}' | '\u{1100}'..='\u{11FF}' | '\u{3040}'..='\u{30FF}' | '\u{3130}'..='\u{318F}' | '\u{3400}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}');
        if !cjk {
            return false;
        }
        any = true;
    }
    any
}

/// One alternation of phrases and patterns, bounded so that a word never matches inside
/// another word (`NVR` not in `NVRAM`'s neighbour `xNVR`, `camera` not in `cameraman`).
/// Chinese and Japanese terms ([`is_cjk_term`]) are not bounded: `摄像头` is found in
/// `同为数码网络摄像头`. A space in such a term is optional (Korean writes `실시간 영상` and
/// `실시간영상`).
fn alternation(terms: &[String], patterns: &[String]) -> String {
    let (cjk, spaced): (Vec<&String>, Vec<&String>) = terms.iter().partition(|t| is_cjk_term(t));
    let alts: Vec<String> = spaced
        .iter()
        .map(|t| phrase(t))
        .chain(patterns.iter().map(|p| ascii_classes(p)))
        .filter(|a| !a.is_empty())
        .collect();
    // The boundary is an ASCII character that is not a letter or digit, or a Han / kana /
    // Hangul / Thai character (these scripts put no space between a Latin word and the next:
    // `科达DVR接入网关`, `IP카메라`); every other non-ASCII character counts as a letter (Vietnamese words
    // stay whole), and the class stays a few bytes instead of the Unicode letter tables
    // (hundreds of kilobytes per compiled rule).
    const EDGE: &str = r"[\x00-/:-@\[-`{-\x7F\x{0E00}-\x{0E7F}\x{1100}-\x{11FF}\x{3040}-\x{30FF}\x{3130}-\x{318F}\x{3400}-\x{9FFF}\x{AC00}-\x{D7AF}\x{F900}-\x{FAFF}]";
    let bounded = if alts.is_empty() {
        None
    } else {
        Some(format!("(?:^|{EDGE})(?:{})(?:$|{EDGE})", alts.join("|")))
    };
    let free = if cjk.is_empty() {
        None
    } else {
        Some(format!(
            "(?:{})",
            cjk.iter()
                .map(|t| {
                    t.split_whitespace()
                        .map(regex::escape)
                        .collect::<Vec<_>>()
                        .join(r"\s*")
                })
                .collect::<Vec<_>>()
                .join("|")
        ))
    };
    match (bounded, free) {
        (Some(b), Some(f)) => format!("{b}|{f}"),
        (Some(b), None) => b,
        (None, Some(f)) => f,
        (None, None) => String::new(),
    }
}

/// The pattern with its `\w`, `\d` and `\s` classes made ASCII (`[0-9A-Za-z_]`, `[0-9]`,
/// ASCII white space), inside and outside brackets. Model numbers and web-server names are
/// ASCII, and a Unicode `\w` costs hundreds of kilobytes in every compiled rule (the maker
/// dictionary compiles hundreds). Other escapes are kept as written.
fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let at_start = std::mem::take(&mut class_start);
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push(c);
                    break;
                };
                let set = match n {
                    'w' => Some("0-9A-Za-z_"),
                    'd' => Some("0-9"),
                    's' => Some(r"\t\n\x0B\x0C\r "),
                    _ => None,
                };
                match (set, in_class) {
                    (Some(set), true) => out.push_str(set),
                    (Some(set), false) => {
                        out.push('[');
                        out.push_str(set);
                        out.push(']');
                    }
                    (None, _) => {
                        out.push(c);
                        out.push(n);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
            }
            ']' if in_class && !at_start => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Compiled patterns by text: an entry gives one rule per key, all with the same pattern, and a
/// regex with Unicode word classes costs hundreds of kilobytes, so each is compiled once and
/// shared (`Regex` clones share the compiled program).
type Compiled = std::collections::HashMap<std::sync::Arc<str>, std::sync::Arc<regex::Regex>>;

fn rule(name: &str, raw: RawRule, compiled: &mut Compiled) -> Result<FingerprintRule, KbError> {
    if raw.weight == 0 || raw.weight > 100 {
        return Err(KbError::invalid(
            name,
            format!("{}: weight must be 1–100", raw.id),
        ));
    }
    let regex = if let Some(r) = compiled.get(&*raw.pattern) {
        r.clone()
    } else {
        let r = std::sync::Arc::new(
            regex::RegexBuilder::new(&raw.pattern)
                .case_insensitive(true)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| KbError::invalid(name, format!("{}: bad pattern: {e}", raw.id)))?,
        );
        compiled.insert(raw.pattern.clone(), r.clone());
        r
    };
    Ok(FingerprintRule {
        raw,
        regex,
        file: name.to_string(),
    })
}

/// One rule of an entry. `pattern` and `source` are shared by every rule the entry makes (one per
/// key, and a camera hint per key): hundreds of makers × twenty keys would otherwise hold
/// thousands of copies of the same long strings.
fn blank(
    id: String,
    key: &str,
    pattern: std::sync::Arc<str>,
    weight: u8,
    source: &std::sync::Arc<str>,
) -> RawRule {
    RawRule {
        id,
        key: key.to_string(),
        pattern,
        vendor: None,
        brand: None,
        device_type: None,
        model: None,
        firmware: None,
        weight,
        camera: None,
        ports: Vec::new(),
        absent: Vec::new(),
        requires: Vec::new(),
        unless: Vec::new(),
        if_vendor: None,
        source: source.clone(),
        examples: Vec::new(),
        group: None,
        makers: None,
    }
}

/// The keys (with weights) a maker entry's rules look at: its own, else `model_keys` for a model
/// line (patterns and no names), else `maker_keys`.
fn keys_of<'a>(f: &'a File, m: &'a Maker) -> &'a BTreeMap<String, u8> {
    m.keys.as_ref().unwrap_or(match &f.model_keys {
        Some(model_keys) if m.names.is_empty() => model_keys,
        _ => &f.maker_keys,
    })
}

/// Refuses a `camera_hint` on a surveillance-only maker, or one that calls a camera alone.
fn check_hint(hint: Option<u8>, surveillance: bool) -> Result<(), String> {
    match hint {
        Some(h) if surveillance || h == 0 || h > MAX_CAMERA_HINT => Err(format!(
            "camera_hint is for makers that are not surveillance-only, 1–{MAX_CAMERA_HINT}"
        )),
        _ => Ok(()),
    }
}

/// The camera-hint rule beside rule `{prefix}-{key}`: camera evidence only (the vendor is named by
/// the rule beside it), never above the key's weight, and one evidence group per entry, so that a
/// maker named in three fields is still one weak sign.
fn hint_rule(
    prefix: &str,
    key: &str,
    pattern: &std::sync::Arc<str>,
    hint: u8,
    weight: u8,
    source: &std::sync::Arc<str>,
) -> RawRule {
    let mut raw = blank(
        format!("{prefix}-{key}-hint"),
        key,
        pattern.clone(),
        hint.min(weight),
        source,
    );
    raw.camera = Some(true);
    raw.group = Some(format!("{prefix}-hint"));
    raw
}

/// Parse one `identify/*.toml` file into fingerprint rules.
pub(crate) fn parse(name: &str, text: &str) -> Result<Vec<FingerprintRule>, KbError> {
    let f: File = toml::from_str(text).map_err(|e| KbError::invalid(name, e))?;
    // One rule per entry and key (and a hint rule per key of a hinted maker): sized up front, as
    // a doubling vector of thousands of rules would hold twice their size at its peak.
    let rules = f.words.iter().map(|w| w.keys.len()).sum::<usize>()
        + f.maker
            .iter()
            .map(|m| keys_of(&f, m).len() * if m.camera_hint.is_some() { 2 } else { 1 })
            .sum::<usize>()
        + f.maker_set.len() * f.maker_keys.len() * 2;
    let mut out = Vec::with_capacity(rules);
    let mut compiled = Compiled::new();
    for w in &f.words {
        if w.terms.is_empty() && w.patterns.is_empty() {
            return Err(KbError::invalid(
                name,
                format!("words {}: no terms or patterns", w.id),
            ));
        }
        if w.terms.iter().any(|t| phrase(t).is_empty()) {
            return Err(KbError::invalid(
                name,
                format!("words {}: an empty term", w.id),
            ));
        }
        let pattern: std::sync::Arc<str> = alternation(&w.terms, &w.patterns).into();
        let source: std::sync::Arc<str> = w.source.as_str().into();
        for (key, weight) in &w.keys {
            let mut raw = blank(
                format!("word-{}-{key}", w.id),
                key,
                pattern.clone(),
                *weight,
                &source,
            );
            raw.camera = w.camera;
            raw.device_type = w.device_type;
            out.push(rule(name, raw, &mut compiled)?);
        }
    }
    for m in &f.maker {
        if (m.names.is_empty() && m.patterns.is_empty())
            || m.names.iter().any(|n| phrase(n).is_empty())
            || m.patterns.iter().any(|p| p.trim().is_empty())
        {
            return Err(KbError::invalid(
                name,
                format!(
                    "maker {}: names or patterns must be given, none empty",
                    m.vendor
                ),
            ));
        }
        check_hint(m.camera_hint, m.surveillance)
            .map_err(|why| KbError::invalid(name, format!("maker {}: {why}", m.vendor)))?;
        let (terms, mut patterns) = glued_names(&m.names, &f.maker_glue);
        patterns.extend(m.patterns.iter().cloned());
        let pattern: std::sync::Arc<str> = alternation(&terms, &patterns).into();
        let source: std::sync::Arc<str> = m.source.as_str().into();
        let tag = m.id.as_deref().or(m.brand.as_deref()).unwrap_or(&m.vendor);
        let prefix = format!("maker-{tag}");
        for (key, weight) in keys_of(&f, m) {
            let mut raw = blank(
                format!("{prefix}-{key}"),
                key,
                pattern.clone(),
                *weight,
                &source,
            );
            raw.vendor = Some(m.vendor.clone());
            raw.brand.clone_from(&m.brand);
            raw.camera = m.surveillance.then_some(true);
            raw.device_type = m.device_type;
            out.push(rule(name, raw, &mut compiled)?);
            if let Some(hint) = m.camera_hint {
                let raw = hint_rule(&prefix, key, &pattern, hint, *weight, &source);
                out.push(rule(name, raw, &mut compiled)?);
            }
        }
    }
    for set in &f.maker_set {
        out.extend(maker_set(name, set, &f.maker_keys, &mut compiled)?);
    }
    Ok(out)
}

/// A `[[maker_set]]` as rules: per key of `maker_keys`, one rule whose `maker` group names the
/// maker (the engine looks its vendor up in the rule's table), and a camera-hint rule.
fn maker_set(
    name: &str,
    set: &MakerSet,
    keys: &BTreeMap<String, u8>,
    compiled: &mut Compiled,
) -> Result<Vec<FingerprintRule>, KbError> {
    let bad = |why: &str| KbError::invalid(name, format!("maker_set {}: {why}", set.id));
    if set.names.is_empty() || set.names.keys().any(|n| phrase(n).is_empty()) {
        return Err(bad("names must be given, none empty"));
    }
    check_hint(set.camera_hint, set.surveillance).map_err(|why| bad(&why))?;
    let mut table = std::collections::HashMap::new();
    for (n, v) in &set.names {
        let key = crate::fingerprint::maker_key(n);
        if table.insert(key, v.clone()).is_some_and(|old| &old != v) {
            return Err(bad(&format!(
                "{n:?} is written like another name of another vendor"
            )));
        }
    }
    let table = std::sync::Arc::new(table);
    let names: Vec<String> = set.names.keys().cloned().collect();
    let pattern: std::sync::Arc<str> = format!("(?P<maker>{})", alternation(&names, &[])).into();
    let source: std::sync::Arc<str> = set.source.as_str().into();
    let prefix = format!("makers-{}", set.id);
    let mut out = Vec::new();
    for (key, weight) in keys {
        let mut raw = blank(
            format!("{prefix}-{key}"),
            key,
            pattern.clone(),
            *weight,
            &source,
        );
        raw.makers = Some(table.clone());
        raw.camera = set.surveillance.then_some(true);
        out.push(rule(name, raw, compiled)?);
        if let Some(hint) = set.camera_hint {
            let raw = hint_rule(&prefix, key, &pattern, hint, *weight, &source);
            out.push(rule(name, raw, compiled)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn classes_in_patterns_are_made_ascii() {
        assert_eq!(ascii_classes(r"DS-\d{4}\w*"), "DS-[0-9]{4}[0-9A-Za-z_]*");
        assert_eq!(
            ascii_classes(r"[\w._-]+\s"),
            r"[0-9A-Za-z_._-]+[\t\n\x0B\x0C\r ]"
        );
        assert_eq!(ascii_classes(r"[^\d]\.\W\\d"), r"[^0-9]\.\W\\d");
        assert_eq!(ascii_classes(r"[]\d]x"), r"[]0-9]x");
        // Compiled, the made-ASCII pattern matches the model numbers it did.
        let rules = parse(
            "identify/t.toml",
            "schema = 1\n[[maker]]\nvendor = \"hikvision\"\npatterns = ['DS-2CD\\d{4}\\w*']\nkeys = { \"http.title\" = 60 }\nsource = \"t\"\n",
        )
        .unwrap();
        assert!(rules[0].regex.is_match("HIKVISION DS-2CD2143G0-I camera"));
        assert!(!rules[0].regex.is_match("DS-2CD٣٤٥٦"));
    }

    use super::*;

    fn one(text: &str) -> Result<Vec<FingerprintRule>, KbError> {
        parse("identify/t.toml", &format!("schema = 1\n{text}"))
    }

    #[test]
    fn words_compile_to_one_rule_per_key_with_word_boundaries() {
        let rules = one(r#"
[[words]]
id = "cam"
terms = ["IP Camera", "đầu ghi", "NVR"]
camera = true
device_type = "nvr"
keys = { "http.title" = 60, "http.body" = 30 }
source = "test"
"#)
        .unwrap();
        assert_eq!(rules.len(), 2);
        let t = rules.iter().find(|r| r.raw.key == "http.title").unwrap();
        assert_eq!(
            (t.raw.id.as_str(), t.raw.weight, t.raw.camera),
            ("word-cam-http.title", 60, Some(true))
        );
        assert_eq!(t.raw.device_type, Some(DeviceType::Nvr));
        for yes in [
            "IP Camera",
            "ip-camera login",
            "IPCAMERA",
            "Đầu ghi hình",
            "NVR",
            "(NVR)",
        ] {
            assert!(t.regex.is_match(yes), "{yes}");
        }
        for no in ["NVRAM", "xipcamera", "cameras", "đầu", ""] {
            assert!(!t.regex.is_match(no), "{no}");
        }
    }

    #[test]
    fn chinese_terms_match_inside_unspaced_text_other_terms_stay_bounded() {
        let title_rule = |terms: &str| {
            let text = format!(
                "[[words]]\nid = \"cam\"\nterms = [{terms}]\ncamera = true\nkeys = {{ \"http.title\" = 60 }}\nsource = \"test\"\n"
            );
            one(&text).unwrap().remove(0)
        };
        let t = &title_rule(r#""摄像头", "IP Camera", "đầu ghi""#);
        for yes in [
            "同为数码网络摄像头",
            "摄像头",
            "IP Camera 摄像头登录",
            "ip-camera",
            "科达IP Camera接入",
        ] {
            assert!(t.regex.is_match(yes), "{yes}");
        }
        for no in ["摄像", "xipcamera", "đầu ghiz", "网络摄像机"] {
            assert!(!t.regex.is_match(no), "{no}");
        }
        let t = &title_rule(r#""카메라", "กล้องวงจรปิด", "видеокамера""#);
        for yes in [
            "네트워크카메라를",
            "IP카메라",
            "ระบบกล้องวงจรปิด",
            "Видеокамера RVi",
            "IP-видеокамера",
        ] {
            assert!(t.regex.is_match(yes), "{yes}");
        }
        for no in ["видеокамеры", "камера", "กล้อง"] {
            assert!(!t.regex.is_match(no), "{no}");
        }
        // A space inside a Korean or Chinese term is optional, both ways of writing it match.
        let t = &title_rule(r#""실시간 영상""#);
        for yes in ["실시간 영상", "실시간영상", "IP 카메라 실시간  영상 보기"]
        {
            assert!(t.regex.is_match(yes), "{yes}");
        }
        for no in ["실시간", "영상 실시간"] {
            assert!(!t.regex.is_match(no), "{no}");
        }
        assert!(is_cjk_term("视频 监控"));
        assert!(!is_cjk_term("camera 摄像头"));
        assert!(!is_cjk_term("đầu ghi"));
        assert!(!is_cjk_term(" "));
    }

    #[test]
    fn makers_point_to_vendor_and_brand_and_only_surveillance_makers_are_camera_evidence() {
        let rules = one(r#"
[maker_keys]
"http.realm" = 55
"tls.subject" = 50
[[maker]]
vendor = "hikvision"
brand = "ezviz"
names = ["EZVIZ"]
surveillance = true
source = "s"
[[maker]]
vendor = "tp-link"
names = ["TP-LINK"]
keys = { "http.title" = 40 }
source = "s"
"#)
        .unwrap();
        assert_eq!(rules.len(), 3);
        let e = rules
            .iter()
            .find(|r| r.raw.id == "maker-ezviz-http.realm")
            .unwrap();
        assert_eq!(
            (
                e.raw.vendor.as_deref(),
                e.raw.brand.as_deref(),
                e.raw.camera
            ),
            (Some("hikvision"), Some("ezviz"), Some(true))
        );
        let t = rules
            .iter()
            .find(|r| r.raw.id == "maker-tp-link-http.title")
            .unwrap();
        assert_eq!((t.raw.camera, t.raw.weight), (None, 40));
        assert!(t.regex.is_match("TP-LINK Wireless Router") && t.regex.is_match("tplink"));
    }

    #[test]
    fn a_dual_use_makers_camera_hint_is_a_weak_camera_rule_beside_its_vendor_rule() {
        let rules = one(r#"
[maker_keys]
"http.title" = 55
"tls.subject" = 30
[[maker]]
vendor = "kedacom"
names = ["KEDACOM"]
camera_hint = 35
source = "s"
"#)
        .unwrap();
        let ids: Vec<_> = rules.iter().map(|r| r.raw.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "maker-kedacom-http.title",
                "maker-kedacom-http.title-hint",
                "maker-kedacom-tls.subject",
                "maker-kedacom-tls.subject-hint"
            ]
        );
        let named = |id: &str| rules.iter().find(|r| r.raw.id == id).unwrap();
        let vendor = named("maker-kedacom-http.title");
        assert_eq!(
            (
                vendor.raw.vendor.as_deref(),
                vendor.raw.camera,
                vendor.raw.weight
            ),
            (Some("kedacom"), None, 55)
        );
        let hint = named("maker-kedacom-http.title-hint");
        assert_eq!(
            (hint.raw.vendor.as_deref(), hint.raw.camera, hint.raw.weight),
            (None, Some(true), 35)
        );
        assert!(hint.regex.is_match("KEDACOM Phoenix"));
        // Every key's hint is one piece of evidence (the engine counts a group once).
        assert_eq!(hint.raw.group.as_deref(), Some("maker-kedacom-hint"));
        assert_eq!(
            named("maker-kedacom-tls.subject-hint").raw.group,
            hint.raw.group
        );
        assert_eq!(vendor.raw.group, None);
        // Never above the key's own weight.
        assert_eq!(named("maker-kedacom-tls.subject-hint").raw.weight, 30);
        // Refused: on a surveillance-only maker, zero, or strong enough to call a camera alone.
        for bad in [
            "surveillance = true\ncamera_hint = 30",
            "camera_hint = 0",
            "camera_hint = 46",
        ] {
            let text = format!(
                "[[maker]]\nvendor = \"kedacom\"\nnames = [\"KEDACOM\"]\n{bad}\nsource = \"s\"\n"
            );
            assert!(one(&text).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_maker_set_is_one_pattern_per_key_with_a_vendor_table() {
        let rules = one(r#"
[maker_keys]
"http.title" = 55
"http.realm" = 55
[[maker_set]]
id = "t"
names = { "Neo CoolCam" = "neo-coolcam", "Kkmoon" = "kkmoon" }
camera_hint = 40
source = "s"
"#)
        .unwrap();
        let ids: Vec<_> = rules.iter().map(|r| r.raw.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "makers-t-http.realm",
                "makers-t-http.realm-hint",
                "makers-t-http.title",
                "makers-t-http.title-hint"
            ]
        );
        let t = &rules[2];
        let table = t.raw.makers.as_ref().unwrap();
        assert_eq!(
            table.get("neocoolcam").map(String::as_str),
            Some("neo-coolcam")
        );
        assert_eq!((t.raw.vendor.as_deref(), t.raw.camera), (None, None));
        // The `maker` group is what the engine looks up, however the device writes the name.
        for (text, key) in [("NEO-COOLCAM login", "neocoolcam"), ("kkmoon", "kkmoon")] {
            let m = t
                .regex
                .captures(text)
                .unwrap()
                .name("maker")
                .unwrap()
                .as_str();
            assert_eq!(crate::fingerprint::maker_key(m), key, "{text}");
        }
        assert!(!t.regex.is_match("kkmoonlight"));
        // All the set's hint rules are one group, and all share one compiled pattern.
        assert_eq!(rules[1].raw.group, rules[3].raw.group);
        assert!(std::sync::Arc::ptr_eq(&rules[0].regex, &rules[3].regex));
        // Two names that look alike may not point to two vendors; hints stay below 46.
        for bad in [
            r#"names = { "Neo CoolCam" = "a", "neo-coolcam" = "b" }"#,
            "names = { \"X Cam\" = \"x\" }\ncamera_hint = 46",
            "names = {}",
        ] {
            let text = format!("[[maker_set]]\nid = \"t\"\n{bad}\nsource = \"s\"\n");
            assert!(one(&text).is_err(), "{bad}");
        }
    }

    #[test]
    fn model_lines_take_model_keys_unless_they_name_their_own() {
        let rules = one(r#"
[maker_keys]
"http.title" = 55
[model_keys]
"onvif.model" = 60
"*.scope" = 60
[[maker]]
vendor = "hikvision"
names = ["Hikvision"]
source = "s"
[[maker]]
id = "hikvision-model"
vendor = "hikvision"
patterns = ['DS-2CD\w*']
source = "s"
[[maker]]
id = "tvt-model"
vendor = "tvt"
patterns = ['TD-9\d{3}\w*']
keys = { "http.realm" = 50 }
source = "s"
"#)
        .unwrap();
        let mut ids: Vec<(&str, u8)> = rules
            .iter()
            .map(|r| (r.raw.id.as_str(), r.raw.weight))
            .collect();
        ids.sort_unstable();
        assert_eq!(
            ids,
            [
                ("maker-hikvision-http.title", 55),
                ("maker-hikvision-model-*.scope", 60),
                ("maker-hikvision-model-onvif.model", 60),
                ("maker-tvt-model-http.realm", 50),
            ]
        );
    }

    #[test]
    fn maker_model_prefix_patterns_name_the_vendor_and_device_type_at_word_boundaries() {
        let rules = one(r#"
[[maker]]
id = "grandstream-gxv-camera"
vendor = "grandstream"
patterns = ['GXV3[56]\d\d\w*']
surveillance = true
keys = { "banner.telnet" = 60 }
source = "s"
[[maker]]
id = "dlink-dnr"
vendor = "d-link"
patterns = ['DNR-\d{3}\w*']
surveillance = true
device_type = "nvr"
keys = { "http.realm" = 60 }
source = "s"
"#)
        .unwrap();
        let g = rules
            .iter()
            .find(|r| r.raw.id == "maker-grandstream-gxv-camera-banner.telnet")
            .unwrap();
        assert_eq!(
            (g.raw.vendor.as_deref(), g.raw.camera, g.raw.weight),
            (Some("grandstream"), Some(true), 60)
        );
        assert!(g.regex.is_match("Grandstream GXV3674_FHD_VF Shell Command"));
        // A video phone (GXV32xx) and a longer word are not the camera line.
        for no in ["Grandstream GXV3275 Shell", "XGXV3674", "GXV36"] {
            assert!(!g.regex.is_match(no), "{no}");
        }
        let d = rules
            .iter()
            .find(|r| r.raw.id == "maker-dlink-dnr-http.realm")
            .unwrap();
        assert_eq!(d.raw.device_type, Some(DeviceType::Nvr));
        assert!(d.regex.is_match("DNR-322L") && !d.regex.is_match("DNR-32"));
    }

    #[test]
    fn maker_glue_joins_long_names_only() {
        let rules = one(r#"
maker_glue = ['webs?', 'server', '\d{2,5}']
[maker_keys]
"http.title" = 55
[[maker]]
vendor = "hikvision"
names = ["Hikvision", "海康"]
surveillance = true
source = "s"
[[maker]]
vendor = "axis"
names = ["AXIS"]
surveillance = true
source = "s"
"#)
        .unwrap();
        let hik = &rules[0].regex;
        for yes in [
            "HikvisionWeb",
            "hikvision-webs",
            "HIKVISION2120",
            "Hikvision",
            "海康威视",
        ] {
            assert!(hik.is_match(yes), "{yes}");
        }
        // The glue is one suffix, bounded like the name: no longer word, no glue before it.
        for no in ["HikvisionWebcamx", "MyHikvision", "Hikvisionary"] {
            assert!(!hik.is_match(no), "{no}");
        }
        // Names shorter than five letters take no glue ('Axis2' is Apache Axis2).
        let axis = &rules[1].regex;
        assert!(axis.is_match("AXIS M1011") && !axis.is_match("Apache Axis2"));
        assert!(!axis.is_match("AxisServer"));
    }

    #[test]
    fn rejects_bad_entries() {
        assert!(
            one("[[words]]\nid = \"a\"\nkeys = { \"http.title\" = 50 }\nsource = \"s\"\n").is_err()
        );
        assert!(one("[[words]]\nid = \"a\"\nterms = [\" \"]\nkeys = { \"http.title\" = 50 }\nsource = \"s\"\n").is_err());
        assert!(one("[[words]]\nid = \"a\"\nterms = [\"x\"]\nkeys = { \"http.title\" = 0 }\nsource = \"s\"\n").is_err());
        assert!(one("[[words]]\nid = \"a\"\npatterns = [\"(\"]\nkeys = { \"http.title\" = 5 }\nsource = \"s\"\n").is_err());
        assert!(one("[[maker]]\nvendor = \"x\"\nnames = []\nsource = \"s\"\n").is_err());
        assert!(one("[[maker]]\nvendor = \"x\"\npatterns = [\" \"]\nsource = \"s\"\n").is_err());
        assert!(one("[[maker]]\nvendor = \"x\"\npatterns = [\"(\"]\nkeys = { \"http.title\" = 5 }\nsource = \"s\"\n").is_err());
        assert!(
            one("[[words]]\nid = \"a\"\nterms = [\"x\"]\nkeys = {}\nsource = \"s\"\nbogus = 1\n")
                .is_err()
        );
    }
}
