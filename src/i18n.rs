//! The language of what camguard prints for people (`--lang vi|en`, `CAMGUARD_LANG`, else the
//! locale: `LC_ALL`/`LC_MESSAGES`/`LANG` starting with `en` gives English, anything else
//! Vietnamese, the product's first language). Terminal messages are Fluent messages in
//! `locales/{vi,en}/cli.ftl`; finding texts come with the findings (`locales/*/findings.ftl`).
//! Machine outputs (json, jsonl, csv) carry both languages or ids, as their contracts say, and do
//! not depend on this setting.

use camguard_assess::i18n::Messages;
pub use camguard_assess::i18n::{Arg, Lang};
use camguard_model::LocalizedText;
use std::sync::OnceLock;

pub const VI_FTL: &str = include_str!("../locales/vi/cli.ftl");
pub const EN_FTL: &str = include_str!("../locales/en/cli.ftl");

static LANG: OnceLock<Lang> = OnceLock::new();

fn messages() -> &'static Messages {
    static M: OnceLock<Messages> = OnceLock::new();
    M.get_or_init(|| Messages::new(VI_FTL, EN_FTL))
}

/// The language of a locale name (`en_US.UTF-8` → English; `vi_VN`, `C`, `POSIX`, none →
/// Vietnamese).
pub fn from_locale(locale: Option<&str>) -> Lang {
    match locale {
        Some(l) if l.to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Vi,
    }
}

/// Set the language once, at start-up: the option (or `CAMGUARD_LANG`, which clap reads for
/// it), else the locale.
pub fn init(flag: Option<crate::cli::LangArg>) -> Lang {
    let lang = match flag {
        Some(crate::cli::LangArg::Vi) => Lang::Vi,
        Some(crate::cli::LangArg::En) => Lang::En,
        None => from_locale(crate::env::messages_locale().as_deref()),
    };
    *LANG.get_or_init(|| lang)
}

/// The language chosen at start-up (Vietnamese if none was).
pub fn lang() -> Lang {
    LANG.get().copied().unwrap_or(Lang::Vi)
}

/// A terminal message in the chosen language, with arguments (`{ $name }`); English when the
/// Vietnamese text is missing, the id itself when both are.
pub fn tr_args(id: &str, args: &[(&str, Arg)]) -> String {
    let m = messages();
    m.get(lang(), id, args)
        .or_else(|| m.get(Lang::En, id, args))
        .unwrap_or_else(|| id.to_string())
}

/// A terminal message without arguments.
pub fn tr(id: &str) -> String {
    tr_args(id, &[])
}

/// `tr!("id")` or `tr!("id", name = value, …)`.
#[macro_export]
macro_rules! tr {
    ($id:expr) => {
        $crate::i18n::tr($id)
    };
    ($id:expr, $($k:ident = $v:expr),+ $(,)?) => {
        $crate::i18n::tr_args($id, &[$((stringify!($k), $crate::i18n::Arg::from($v))),+])
    };
}

/// One of a pair of texts from the knowledge base (`title_vi` / `title_en`, …); the other when
/// the chosen one is empty.
pub fn pick<'a>(vi: &'a str, en: &'a str) -> &'a str {
    match lang() {
        Lang::Vi if !vi.trim().is_empty() => vi,
        Lang::En if !en.trim().is_empty() => en,
        Lang::Vi => en,
        Lang::En => vi,
    }
}

/// A finding's text in the chosen language.
pub fn text(t: &LocalizedText) -> &str {
    pick(&t.vi, &t.en)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_string()))
            .collect()
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_messages() {
        for text in [VI_FTL, EN_FTL] {
            assert_eq!(Messages::parse_errors(text), Vec::<String>::new());
        }
        let (mut vi, mut en) = (ids(VI_FTL), ids(EN_FTL));
        vi.sort();
        en.sort();
        assert!(vi.len() > 20, "{vi:?}");
        assert_eq!(
            vi, en,
            "locales/vi/cli.ftl and locales/en/cli.ftl differ in ids"
        );
    }

    #[test]
    fn every_message_id_used_in_the_source_exists() {
        let known = ids(EN_FTL);
        let re = regex::Regex::new(r#"tr!\(\s*"([a-z0-9-]+)""#).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![dir];
        let mut used = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("i18n.rs") {
                    let s = std::fs::read_to_string(&p).unwrap();
                    for c in re.captures_iter(&s) {
                        used += 1;
                        assert!(
                            known.contains(&c[1].to_string()),
                            "{}: no message {:?}",
                            p.display(),
                            &c[1]
                        );
                    }
                }
            }
        }
        assert!(used > 10);
    }

    #[test]
    fn the_locale_decides_the_default() {
        assert_eq!(from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(from_locale(Some("en")), Lang::En);
        assert_eq!(from_locale(Some("vi_VN.UTF-8")), Lang::Vi);
        assert_eq!(from_locale(Some("C.UTF-8")), Lang::Vi);
        assert_eq!(from_locale(None), Lang::Vi);
    }
}
