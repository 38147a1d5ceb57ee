//! The compliance status's explanations (why a duty is in its state) as Fluent messages of
//! `locales/{vi,en}/status.ftl`, so that the dashboard, the reports and the terminal say them
//! in the reader's language; the English rendering is the status document's `detail`.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::OnceLock;

const VI_FTL: &str = include_str!("../../../locales/vi/status.ftl");
const EN_FTL: &str = include_str!("../../../locales/en/status.ftl");

/// A language of the messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

/// A value given to a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Number(u64),
    Text(String),
    /// A text that exists in both languages (a deadline's title).
    Localized {
        vi: String,
        en: String,
    },
    /// Messages rendered in the same language and joined with ", ".
    List(Vec<Message>),
}

/// One message: its id in `status.ftl` and its arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(id: &'static str) -> Message {
        Message {
            id,
            args: Vec::new(),
        }
    }

    #[must_use]
    pub fn num(mut self, name: &'static str, n: u64) -> Message {
        self.args.push((name, Arg::Number(n)));
        self
    }

    #[must_use]
    pub fn text(mut self, name: &'static str, s: impl Into<String>) -> Message {
        self.args.push((name, Arg::Text(s.into())));
        self
    }

    #[must_use]
    pub fn localized(mut self, name: &'static str, vi: &str, en: &str) -> Message {
        self.args.push((
            name,
            Arg::Localized {
                vi: vi.to_string(),
                en: en.to_string(),
            },
        ));
        self
    }

    #[must_use]
    pub fn list(mut self, name: &'static str, items: Vec<Message>) -> Message {
        self.args.push((name, Arg::List(items)));
        self
    }

    /// The message in `lang` (its id when the catalogue lacks it, which a test rules out).
    pub fn render(&self, lang: Lang) -> String {
        let b = match lang {
            Lang::Vi => &bundles().0,
            Lang::En => &bundles().1,
        };
        let Some(pattern) = b.get_message(self.id).and_then(|m| m.value()) else {
            return self.id.to_string();
        };
        let mut args = FluentArgs::new();
        for (k, v) in &self.args {
            match v {
                Arg::Number(n) => args.set(*k, *n as f64),
                Arg::Text(s) => args.set(*k, s.clone()),
                Arg::Localized { vi, en } => args.set(
                    *k,
                    match lang {
                        Lang::Vi => vi.clone(),
                        Lang::En => en.clone(),
                    },
                ),
                Arg::List(items) => args.set(
                    *k,
                    items
                        .iter()
                        .map(|m| m.render(lang))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            }
        }
        let mut errors = Vec::new();
        b.format_pattern(pattern, Some(&args), &mut errors)
            .trim()
            .to_string()
    }
}

/// Several messages rendered one after the other (a duty's explanation and its notes).
pub fn render_all(messages: &[Message], lang: Lang) -> String {
    messages
        .iter()
        .map(|m| m.render(lang))
        .collect::<Vec<_>>()
        .join(" ")
}

fn bundle(lang: &str, text: &str) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks: the texts go into JSON, terminals, PDF and spreadsheets.
    b.set_use_isolating(false);
    let res = match FluentResource::try_new(text.to_string()) {
        Ok(r) => r,
        Err((r, _)) => r, // a test asserts the catalogues parse without errors
    };
    let _ = b.add_resource(res);
    b
}

fn bundles() -> &'static (FluentBundle<FluentResource>, FluentBundle<FluentResource>) {
    static B: OnceLock<(FluentBundle<FluentResource>, FluentBundle<FluentResource>)> =
        OnceLock::new();
    B.get_or_init(|| (bundle("vi", VI_FTL), bundle("en", EN_FTL)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        let mut v: Vec<String> = text
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '*', '[']) && l.contains(" ="))
            .map(|l| l.split(" =").next().unwrap_or("").to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn both_catalogues_parse_and_hold_the_same_ids() {
        for text in [VI_FTL, EN_FTL] {
            assert!(FluentResource::try_new(text.to_string()).is_ok());
        }
        assert_eq!(ids(VI_FTL), ids(EN_FTL));
    }

    #[test]
    fn arguments_lists_and_localized_texts_render_per_language() {
        let m = Message::new("detail-assessment-overdue").list(
            "systems",
            vec![
                Message::new("detail-assessment-never").text("code", "S1"),
                Message::new("detail-assessment-last")
                    .text("code", "S2")
                    .text("date", "2025-01-02")
                    .num("months", 12),
            ],
        );
        assert_eq!(
            m.render(Lang::En),
            "overdue: S1 (never assessed), S2 (last 2025-01-02 , every 12 months)"
        );
        let vi = m.render(Lang::Vi);
        assert!(
            vi.contains("S1") && vi.contains("chưa") && vi.contains("12 tháng"),
            "{vi}"
        );
        let r = Message::new("detail-recorded-missing").localized("title", "Báo cáo", "Report");
        assert!(r.render(Lang::Vi).starts_with("Báo cáo"));
        assert!(r.render(Lang::En).starts_with("Report"));
        // Numbers are written plainly (no grouping, no isolation marks).
        let c = Message::new("detail-critical-open").num("count", 12345);
        assert_eq!(c.render(Lang::En), "12345 critical/high findings open");
    }
}
