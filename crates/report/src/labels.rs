//! The templates and labels: embedded in the binary, optionally overridden file by file from a
//! directory (`--templates DIR`: `common.typ`, `unit.typ`, `province.typ`, `site.typ`,
//! `labels.toml`).

use crate::{Lang, ReportError};
use std::collections::BTreeMap;
use std::path::Path;

const EMBEDDED: &[(&str, &str)] = &[
    ("common.typ", include_str!("../templates/common.typ")),
    ("unit.typ", include_str!("../templates/unit.typ")),
    ("province.typ", include_str!("../templates/province.typ")),
    ("site.typ", include_str!("../templates/site.typ")),
    ("labels.toml", include_str!("../templates/labels.toml")),
];

/// The labels file's schema this binary reads.
const LABELS_SCHEMA: i64 = 1;
/// Largest template file read from an override directory.
const MAX_TEMPLATE: u64 = 1 << 20;

/// The report templates (typst files and the labels).
#[derive(Clone, Debug)]
pub struct Templates {
    files: BTreeMap<String, String>,
}

impl Templates {
    /// The templates embedded in the binary.
    pub fn embedded() -> Templates {
        Templates {
            files: EMBEDDED
                .iter()
                .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
                .collect(),
        }
    }

    /// The embedded templates, with each of the known files that `dir` holds in place of the
    /// embedded one (other files in `dir` are ignored).
    pub fn with_overrides(dir: &Path) -> Result<Templates, ReportError> {
        let mut t = Templates::embedded();
        if !dir.is_dir() {
            return Err(ReportError::Templates(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        for (name, _) in EMBEDDED {
            let path = dir.join(name);
            match std::fs::metadata(&path) {
                Ok(m) if m.len() > MAX_TEMPLATE => {
                    return Err(ReportError::Templates(format!(
                        "{}: larger than {MAX_TEMPLATE} bytes",
                        path.display()
                    )));
                }
                Ok(_) => {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| ReportError::Templates(format!("{}: {e}", path.display())))?;
                    t.files.insert((*name).to_string(), text);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(ReportError::Templates(format!("{}: {e}", path.display())));
                }
            }
        }
        t.labels(Lang::Vi)?;
        Ok(t)
    }

    pub(crate) fn file(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// The labels of one language: every key of the language's table (strings or lists of
    /// strings), over the Vietnamese ones for keys a language lacks.
    pub(crate) fn labels(&self, lang: Lang) -> Result<Labels, ReportError> {
        let text = self.file("labels.toml").unwrap_or_default();
        let doc: toml::Table = toml::from_str(text)
            .map_err(|e| ReportError::Templates(format!("labels.toml: {e}")))?;
        let schema = doc
            .get("schema")
            .and_then(toml::Value::as_integer)
            .unwrap_or(0);
        if schema != LABELS_SCHEMA {
            return Err(ReportError::Templates(format!(
                "labels.toml: schema {schema}, this camguard reads schema {LABELS_SCHEMA}"
            )));
        }
        let mut out = serde_json::Map::new();
        for table in ["vi", lang.code()] {
            if let Some(t) = doc.get(table).and_then(toml::Value::as_table) {
                for (k, v) in t {
                    let v = serde_json::to_value(v)
                        .map_err(|e| ReportError::Templates(format!("labels.toml: {e}")))?;
                    out.insert(k.clone(), v);
                }
            }
        }
        Ok(Labels(out))
    }
}

/// The labels of one language, as the templates read them.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(transparent)]
pub(crate) struct Labels(serde_json::Map<String, serde_json::Value>);

impl Labels {
    /// A label, or its key when missing.
    pub(crate) fn get(&self, key: &str) -> String {
        match self.0.get(key) {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => key.to_string(),
        }
    }

    /// Evidence as people read it: the stored JSON's fields as `label: value` in the report's
    /// language (label `ev-<field>`, else the field's name with spaces), a nested object's in
    /// parentheses, lists joined by commas, shortened to `max` characters between words. Text
    /// that is not JSON is kept as it is (shortened).
    pub(crate) fn evidence(&self, stored: &str, max: usize) -> String {
        let text = match serde_json::from_str::<serde_json::Value>(stored) {
            Ok(v) => self.evidence_value(&v, &self.list("evidence-order")),
            Err(_) => stored.to_string(),
        };
        shorten(&text, max)
    }

    /// `v` as text; `order` is `evidence-order`, read once per evidence.
    fn evidence_value(&self, v: &serde_json::Value, order: &[String]) -> String {
        use serde_json::Value;
        match v {
            Value::Null => String::new(),
            Value::Bool(b) => self.get(if *b { "ev-yes" } else { "ev-no" }),
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    Value::Object(_) => format!("({})", self.evidence_value(x, order)),
                    _ => self.evidence_value(x, order),
                })
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(m) => {
                // The fields in the order `evidence-order` gives (where to look first), the
                // others after them in name order.
                let rank = |k: &str| order.iter().position(|o| o == k).unwrap_or(order.len());
                let mut fields: Vec<(&String, &Value)> =
                    m.iter().filter(|(_, v)| !v.is_null()).collect();
                fields.sort_by_key(|(k, _)| rank(k));
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        let inner = self.evidence_value(v, order);
                        let label = match self.0.get(&format!("ev-{k}")) {
                            Some(Value::String(s)) => s.clone(),
                            _ => k.replace('_', " "),
                        };
                        match v {
                            Value::Object(_) => format!("{label}: ({inner})"),
                            _ => format!("{label}: {inner}"),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        }
    }

    /// A list label (`recipients-default`).
    pub(crate) fn list(&self, key: &str) -> Vec<String> {
        match self.0.get(key) {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// `s` cut to `max` characters, between words (a key cut to "pass…" reads like a value), with
/// "…" when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    let next_is_word = s
        .chars()
        .nth(max)
        .is_some_and(|c| c.is_alphanumeric() || c == '_');
    if next_is_word {
        let keep = t
            .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_')
            .len();
        t.truncate(keep);
    }
    t.push('…');
    t
}
