//! The dashboard's messages in Vietnamese and English, from `locales/{vi,en}/web.ftl`
//! (embedded at build time, rendered with Fluent, as crates/assess does for findings).

use crate::error::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::OnceLock;

const VI_FTL: &str = include_str!("../../../../locales/vi/web.ftl");
const EN_FTL: &str = include_str!("../../../../locales/en/web.ftl");

struct Bundles {
    vi: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: &str, text: &str) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // HTML escapes the text; Unicode isolation marks would show in attributes and titles.
    b.set_use_isolating(false);
    let res = match FluentResource::try_new(text.to_string()) {
        Ok(r) | Err((r, _)) => r, // the unit test asserts that both files parse cleanly
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

/// One message, with arguments; the id itself when the message does not exist (so that a
/// missing message shows, rather than an empty place).
pub fn message(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let b = match lang {
        Lang::Vi => &bundles().vi,
        Lang::En => &bundles().en,
    };
    let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else {
        return id.to_string();
    };
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        fa.set(*k, v.clone());
    }
    let mut errors = Vec::new();
    b.format_pattern(pattern, (!args.is_empty()).then_some(&fa), &mut errors)
        .into_owned()
}

/// Whether a message exists (in Vietnamese, the reference language).
pub fn has(id: &str) -> bool {
    bundles().vi.has_message(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        assert!(FluentResource::try_new(text.to_string()).is_ok());
        text.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim().to_string()))
            .collect()
    }

    #[test]
    fn both_languages_parse_and_hold_the_same_messages() {
        let mut vi = ids(VI_FTL);
        let mut en = ids(EN_FTL);
        vi.sort();
        en.sort();
        assert_eq!(vi, en);
        assert!(vi.len() > 20);
        assert_eq!(message(Lang::Vi, "nav-logout", &[]), "Đăng xuất");
        assert_eq!(message(Lang::En, "nav-logout", &[]), "Log out");
        assert_eq!(message(Lang::En, "no-such-message", &[]), "no-such-message");
    }
}
