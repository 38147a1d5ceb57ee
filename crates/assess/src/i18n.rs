//! Localised finding texts (Vietnamese and English) from `locales/{vi,en}/findings.ftl`,
//! embedded at build time and rendered with Fluent.
//!
//! Message ids: `finding-<id>-title|-description|-remediation`, with every character outside
//! `[a-z0-9-]` of the finding id replaced by `-`. `cve:<ID>` and `known-vuln:<id>` use the shared
//! `finding-cve-*` / `finding-known-vuln-*` messages with `$id` and `$title` (the vulnerability's
//! title from `kb/assess/cves.toml` in the same language).

use camguard_model::LocalizedText;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::OnceLock;

const EN_FTL: &str = include_str!("../../../locales/en/findings.ftl");
const VI_FTL: &str = include_str!("../../../locales/vi/findings.ftl");

/// A language of the texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

struct Bundles {
    vi: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, text: &str) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.parse().expect("language id");
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around placeables: the texts go into JSON and terminals.
    b.set_use_isolating(false);
    let res = match FluentResource::try_new(text.to_string()) {
        Ok(r) => r,
        Err((r, _errors)) => r, // keep what parsed; the unit test asserts there are no errors
    };
    let _ = b.add_resource(res);
    b
}

fn bundles() -> &'static Bundles {
    static B: OnceLock<Bundles> = OnceLock::new();
    B.get_or_init(|| Bundles {
        vi: bundle("vi", VI_FTL),
        en: bundle("en", EN_FTL),
    })
}

/// The Fluent message id stem of a finding id (`default-credential:rtsp` →
/// `finding-default-credential-rtsp`).
pub fn message_stem(finding_id: &str) -> String {
    if finding_id.starts_with("cve:") {
        return "finding-cve".into();
    }
    if finding_id.starts_with("known-vuln:") {
        return "finding-known-vuln".into();
    }
    let id: String = finding_id
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("finding-{id}")
}

/// One message in one language; `None` when the message does not exist.
pub fn message(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let b = match lang {
        Lang::Vi => &bundles().vi,
        Lang::En => &bundles().en,
    };
    let msg = b.get_message(id)?;
    let pattern = msg.value()?;
    let mut errors = Vec::new();
    let s = b.format_pattern(pattern, args, &mut errors);
    Some(s.trim().to_string())
}

/// Title, description and remediation of a finding in both languages. `vuln` carries the id
/// and the (vi, en) title of a CVE / known vulnerability.
pub struct FindingTexts {
    pub title: Option<LocalizedText>,
    pub description: Option<LocalizedText>,
    pub remediation: Option<LocalizedText>,
}

pub fn finding_texts(finding_id: &str, vuln: Option<(&str, &str, &str)>) -> FindingTexts {
    let stem = message_stem(finding_id);
    let both = |part: &str| -> Option<LocalizedText> {
        let id = format!("{stem}-{part}");
        let args = |title: &str| {
            let mut a = FluentArgs::new();
            if let Some((vid, _, _)) = vuln {
                a.set("id", vid.to_string());
            }
            a.set("title", title.to_string());
            a
        };
        let (vi_title, en_title) = vuln.map_or(("", ""), |(_, vi, en)| (vi, en));
        let vi = message(Lang::Vi, &id, Some(&args(vi_title)))?;
        let en = message(Lang::En, &id, Some(&args(en_title)))?;
        Some(LocalizedText { vi, en })
    };
    FindingTexts {
        title: both("title"),
        description: both("description"),
        remediation: both("remediation"),
    }
}

/// Texts of any finding id, looking up a `cve:` / `known-vuln:` title in the knowledge base.
pub fn for_finding(kb: &camguard_kb::Kb, finding_id: &str) -> FindingTexts {
    let vuln_id = finding_id
        .strip_prefix("cve:")
        .or_else(|| finding_id.strip_prefix("known-vuln:"));
    match vuln_id.and_then(|v| kb.cve(v)) {
        Some(c) => finding_texts(
            finding_id,
            Some((c.id.as_str(), c.title_vi.as_str(), c.title_en.as_str())),
        ),
        None => finding_texts(finding_id, vuln_id.map(|v| (v, "", ""))),
    }
}

/// A short note in both languages (`finding-cve-kev-note`, `verdict-fail`, …).
pub fn note(id: &str) -> Option<LocalizedText> {
    Some(LocalizedText {
        vi: message(Lang::Vi, id, None)?,
        en: message(Lang::En, id, None)?,
    })
}

/// A value given to a message (`{ $name }`); numbers select plural forms.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
macro_rules! number_arg {
    (lossless: $($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Number(f64::from(n))
            }
        }
    )*};
    // Counts shown in messages: far below 2^52, so the nearest f64 is the number itself.
    (wide: $($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_arg!(lossless: u8, u16, u32, i32, f64);
number_arg!(wide: u64, usize, i64);

/// A Vietnamese and an English catalogue of Fluent messages given as text (the binary's own
/// terminal messages, `locales/*/cli.ftl`), rendered like the finding texts.
pub struct Messages {
    vi: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl Messages {
    pub fn new(vi: &str, en: &str) -> Self {
        Messages {
            vi: bundle("vi", vi),
            en: bundle("en", en),
        }
    }

    /// The syntax errors of a Fluent text (for the tests of the catalogues).
    pub fn parse_errors(text: &str) -> Vec<String> {
        match FluentResource::try_new(text.to_string()) {
            Ok(_) => Vec::new(),
            Err((_, errors)) => errors
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
        }
    }

    /// One message; `None` when it does not exist in that language.
    pub fn get(&self, lang: Lang, id: &str, args: &[(&str, Arg)]) -> Option<String> {
        let b = match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        };
        let pattern = b.get_message(id)?.value()?;
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            match v {
                Arg::Text(s) => fa.set(*k, s.clone()),
                Arg::Number(n) => fa.set(*k, *n),
            }
        }
        let mut errors = Vec::new();
        Some(
            b.format_pattern(pattern, Some(&fa), &mut errors)
                .into_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_parse_without_errors() {
        for text in [EN_FTL, VI_FTL] {
            assert!(FluentResource::try_new(text.to_string()).is_ok());
        }
    }

    #[test]
    fn every_finding_id_has_texts_in_both_languages() {
        let mut ids: Vec<String> = camguard_kb::assess::FINDING_IDS
            .iter()
            .map(std::string::ToString::to_string)
            .collect();
        ids.extend(
            camguard_kb::assess::PROTOCOLS
                .iter()
                .map(|p| format!("default-credential:{p}")),
        );
        for id in &ids {
            let t = finding_texts(id, None);
            for (part, v) in [
                ("title", &t.title),
                ("description", &t.description),
                ("remediation", &t.remediation),
            ] {
                let v = v.as_ref().unwrap_or_else(|| panic!("{id}: no {part}"));
                assert!(!v.vi.is_empty() && !v.en.is_empty(), "{id} {part}");
                assert_ne!(
                    v.vi, v.en,
                    "{id} {part}: the Vietnamese text is not the English one"
                );
            }
        }
    }

    #[test]
    fn cve_texts_carry_id_and_title() {
        let t = finding_texts(
            "cve:CVE-2017-7921",
            Some((
                "CVE-2017-7921",
                "Vượt qua xác thực",
                "Authentication bypass",
            )),
        );
        let title = t.title.unwrap();
        assert_eq!(title.en, "Known vulnerability CVE-2017-7921");
        assert!(!title.en.contains('\u{2068}'), "no isolation marks");
        assert!(t.description.unwrap().en.contains("Authentication bypass"));
        let k = finding_texts(
            "known-vuln:uniview-2017-main-cgi",
            Some(("uniview-2017-main-cgi", "v", "e")),
        );
        assert!(k.title.unwrap().vi.contains("uniview-2017-main-cgi"));
        assert_eq!(
            message_stem("default-credential:rtsp"),
            "finding-default-credential-rtsp"
        );
        assert!(note("finding-cve-kev-note").is_some());
        let kb = camguard_kb::Kb::embedded().unwrap();
        let t = for_finding(&kb, "cve:CVE-2021-36260");
        assert!(t.description.unwrap().vi.contains("/SDK/webLanguage"));
        assert!(for_finding(&kb, "telnet-enabled").title.is_some());
        assert_eq!(
            note("verdict-not-testable").unwrap().en,
            "Not testable remotely"
        );
    }
}
