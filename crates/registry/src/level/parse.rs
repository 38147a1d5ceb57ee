//! The rule-file format (`kb/registry/levels-*.toml`) and its validation.

use super::base::{LevelError, MAX_DEPTH, RULESET_PREFIX, SCHEMA};
use super::questionnaire::{AnswerOption, Condition, Question, QuestionKind, Scalar, Test};
use super::rules::{LevelInfo, Rule, RuleSet};
use crate::date::date_serde;
use crate::date::date_value;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema: u32,
    version: String,
    id: String,
    title_vi: String,
    title_en: String,
    effective: toml::Value,
    #[serde(default)]
    superseded: Option<toml::Value>,
    #[serde(default)]
    question: Vec<RawQuestion>,
    #[serde(default)]
    rule: Vec<RawRule>,
    #[serde(default)]
    level: Vec<RawLevel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    kind: QuestionKind,
    #[serde(default)]
    required: bool,
    prompt_vi: String,
    prompt_en: String,
    #[serde(default)]
    ask_if: Option<Vec<toml::Value>>,
    #[serde(default)]
    option: Vec<RawOption>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    id: String,
    label_vi: String,
    label_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    level: i64,
    article: String,
    article_vi: String,
    text_vi: String,
    text_en: String,
    #[serde(default)]
    all: Option<Vec<toml::Value>>,
    #[serde(default)]
    any: Option<Vec<toml::Value>>,
    #[serde(default)]
    none: Option<Vec<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    level: i64,
    prepares_vi: String,
    prepares_en: String,
    appraises_vi: String,
    appraises_en: String,
    approves_vi: String,
    approves_en: String,
    #[serde(default)]
    appraisal_days: Option<u32>,
    #[serde(default)]
    approval_days: Option<u32>,
    assessment_interval_months: u32,
    #[serde(default)]
    assessment_interval_configurable: bool,
}

pub(super) fn parse(text: &str) -> Result<RuleSet, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    if raw.schema > SCHEMA {
        return Err(format!(
            "schema {} is newer than this camguard understands ({SCHEMA}); upgrade camguard",
            raw.schema
        ));
    }
    check_id("rule set id", &raw.id)?;
    nonempty("version", &raw.version)?;
    nonempty("title_vi", &raw.title_vi)?;
    nonempty("title_en", &raw.title_en)?;
    let effective = date_value(&raw.effective).map_err(|e| format!("effective: {e}"))?;
    let superseded = match &raw.superseded {
        None => None,
        Some(v) => {
            let d = date_value(v).map_err(|e| format!("superseded: {e}"))?;
            if d <= effective {
                return Err("superseded must come after effective".into());
            }
            Some(d)
        }
    };

    // Questions first (without ask_if, which may refer to any question).
    let mut questions = Vec::with_capacity(raw.question.len());
    for q in &raw.question {
        let ctx = format!("question `{}`", q.id);
        check_id("question id", &q.id)?;
        if questions.iter().any(|have: &Question| have.id == q.id) {
            return Err(format!("{ctx} is defined twice"));
        }
        nonempty(&format!("{ctx}: prompt_vi"), &q.prompt_vi)?;
        nonempty(&format!("{ctx}: prompt_en"), &q.prompt_en)?;
        let has_options = matches!(q.kind, QuestionKind::Choice | QuestionKind::Set);
        if has_options && q.option.is_empty() {
            return Err(format!(
                "{ctx}: a {} question needs options",
                q.kind.as_str()
            ));
        }
        if !has_options && !q.option.is_empty() {
            return Err(format!("{ctx}: only choice and set questions have options"));
        }
        let mut options: Vec<AnswerOption> = Vec::with_capacity(q.option.len());
        for o in &q.option {
            check_id(&format!("{ctx}: option id"), &o.id)?;
            if options.iter().any(|have| have.id == o.id) {
                return Err(format!("{ctx}: option `{}` is defined twice", o.id));
            }
            nonempty(&format!("{ctx}: option `{}` label_vi", o.id), &o.label_vi)?;
            nonempty(&format!("{ctx}: option `{}` label_en", o.id), &o.label_en)?;
            options.push(AnswerOption {
                id: o.id.clone(),
                label_vi: o.label_vi.clone(),
                label_en: o.label_en.clone(),
            });
        }
        questions.push(Question {
            id: q.id.clone(),
            kind: q.kind,
            prompt_vi: q.prompt_vi.clone(),
            prompt_en: q.prompt_en.clone(),
            options,
            required: q.required,
            ask_if: None,
        });
    }
    for (i, q) in raw.question.iter().enumerate() {
        if let Some(items) = &q.ask_if {
            let ctx = format!("question `{}`: ask_if", q.id);
            let c = group(items, 0, &questions).map_err(|e| format!("{ctx}: {e}"))?;
            questions[i].ask_if = Some(Condition::All(c));
        }
    }

    let mut rules: Vec<Rule> = Vec::with_capacity(raw.rule.len());
    for r in &raw.rule {
        let ctx = format!("rule `{}`", r.id);
        check_id("rule id", &r.id)?;
        if rules.iter().any(|have| have.id == r.id) {
            return Err(format!("{ctx} is defined twice"));
        }
        let level = level_number(r.level).map_err(|e| format!("{ctx}: {e}"))?;
        for (field, value) in [
            ("article", &r.article),
            ("article_vi", &r.article_vi),
            ("text_vi", &r.text_vi),
            ("text_en", &r.text_en),
        ] {
            nonempty(&format!("{ctx}: {field}"), value)?;
        }
        if r.all.is_none() && r.any.is_none() && r.none.is_none() {
            return Err(format!(
                "{ctx} has no condition: give `all`, `any` or `none`"
            ));
        }
        let mut parts = Vec::new();
        for (key, items) in [("all", &r.all), ("any", &r.any), ("none", &r.none)] {
            let Some(items) = items else { continue };
            if items.is_empty() {
                return Err(format!("{ctx}: `{key}` is empty"));
            }
            let cs = group(items, 0, &questions).map_err(|e| format!("{ctx}: {key}: {e}"))?;
            parts.push(match key {
                "all" => Condition::All(cs),
                "any" => Condition::Any(cs),
                _ => Condition::NoneOf(cs),
            });
        }
        let when = if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Condition::All(parts)
        };
        rules.push(Rule {
            id: r.id.clone(),
            level,
            article: r.article.clone(),
            article_vi: r.article_vi.clone(),
            text_vi: r.text_vi.clone(),
            text_en: r.text_en.clone(),
            when,
        });
    }
    if rules.is_empty() {
        return Err("no [[rule]]".into());
    }

    let mut levels: Vec<LevelInfo> = Vec::with_capacity(5);
    for l in &raw.level {
        let level = level_number(l.level).map_err(|e| format!("[[level]]: {e}"))?;
        let ctx = format!("[[level]] {level}");
        if levels.iter().any(|have| have.level == level) {
            return Err(format!("{ctx} is defined twice"));
        }
        for (field, value) in [
            ("prepares_vi", &l.prepares_vi),
            ("prepares_en", &l.prepares_en),
            ("appraises_vi", &l.appraises_vi),
            ("appraises_en", &l.appraises_en),
            ("approves_vi", &l.approves_vi),
            ("approves_en", &l.approves_en),
        ] {
            nonempty(&format!("{ctx}: {field}"), value)?;
        }
        if l.assessment_interval_months == 0 {
            return Err(format!(
                "{ctx}: assessment_interval_months must be at least 1"
            ));
        }
        levels.push(LevelInfo {
            level,
            prepares_vi: l.prepares_vi.clone(),
            prepares_en: l.prepares_en.clone(),
            appraises_vi: l.appraises_vi.clone(),
            appraises_en: l.appraises_en.clone(),
            approves_vi: l.approves_vi.clone(),
            approves_en: l.approves_en.clone(),
            appraisal_days: l.appraisal_days,
            approval_days: l.approval_days,
            assessment_interval_months: l.assessment_interval_months,
            assessment_interval_configurable: l.assessment_interval_configurable,
        });
    }
    let missing: Vec<String> = (1..=5u8)
        .filter(|n| !levels.iter().any(|l| l.level == *n))
        .map(|n| n.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "[[level]] table lacks level {} (levels 1 to 5 must each appear once)",
            missing.join(", ")
        ));
    }
    levels.sort_by_key(|l| l.level);

    Ok(RuleSet {
        id: raw.id,
        version: raw.version,
        effective,
        superseded,
        title_vi: raw.title_vi,
        title_en: raw.title_en,
        questions,
        rules,
        levels,
    })
}

fn level_number(n: i64) -> Result<u8, String> {
    match u8::try_from(n) {
        Ok(l @ 1..=5) => Ok(l),
        _ => Err(format!("level {n} is not between 1 and 5")),
    }
}

pub(crate) fn nonempty(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(())
    }
}

/// Ids are lower-case kebab-case ASCII: `system-type`, `nd85-art9-3`.
pub(crate) fn check_id(what: &str, id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what} `{id}` must be 1-64 characters of a-z, 0-9 and inner `-`"
        ))
    }
}

fn group(items: &[toml::Value], depth: usize, qs: &[Question]) -> Result<Vec<Condition>, String> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| condition(v, depth, qs).map_err(|e| format!("item {}: {e}", i + 1)))
        .collect()
}

fn condition(v: &toml::Value, depth: usize, qs: &[Question]) -> Result<Condition, String> {
    if depth >= MAX_DEPTH {
        return Err(format!("conditions nest deeper than {MAX_DEPTH} levels"));
    }
    let toml::Value::Table(t) = v else {
        return Err(format!(
            "expected a table such as {{ question = \"…\", equals = … }}, found {}",
            v.type_str()
        ));
    };
    let Some(question) = t.get("question") else {
        // A group.
        let keys: Vec<&str> = t.keys().map(String::as_str).collect();
        let [key] = keys.as_slice() else {
            return Err(format!(
                "a condition is either a test (with `question`) or a group with exactly one of \
                 `all`, `any`, `none`; found keys: {}",
                keys.join(", ")
            ));
        };
        let make: fn(Vec<Condition>) -> Condition = match *key {
            "all" => Condition::All,
            "any" => Condition::Any,
            "none" => Condition::NoneOf,
            other => {
                return Err(format!(
                    "unknown group `{other}`; expected `all`, `any` or `none` (or a test with \
                     `question`)"
                ));
            }
        };
        let toml::Value::Array(items) = &t[*key] else {
            return Err(format!("`{key}` must be an array of conditions"));
        };
        if items.is_empty() {
            return Err(format!("`{key}` is empty"));
        }
        let cs = group(items, depth + 1, qs).map_err(|e| format!("{key}: {e}"))?;
        return Ok(make(cs));
    };
    let toml::Value::String(qid) = question else {
        return Err("`question` must be a question id (a string)".into());
    };
    let q = qs
        .iter()
        .find(|q| &q.id == qid)
        .ok_or_else(|| format!("unknown question `{qid}`"))?;
    let ops: Vec<(&str, &toml::Value)> = t
        .iter()
        .filter(|(k, _)| k.as_str() != "question")
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let [(op, arg)] = ops.as_slice() else {
        return Err(format!(
            "a test of `{qid}` needs exactly one operator (equals, in, contains, contains_any, \
             subset_of, gte, lt); found {}",
            if ops.is_empty() {
                "none".to_string()
            } else {
                ops.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            }
        ));
    };
    let (op, arg) = (*op, *arg);
    let kind_err = || {
        format!(
            "operator `{op}` does not apply to `{qid}`, a {} question",
            q.kind.as_str()
        )
    };
    let option = |v: &toml::Value| -> Result<String, String> {
        let toml::Value::String(s) = v else {
            return Err(format!("`{op}` on `{qid}` takes option ids (strings)"));
        };
        if q.option(s).is_none() {
            return Err(format!("`{qid}` has no option `{s}`"));
        }
        Ok(s.clone())
    };
    let options = |v: &toml::Value| -> Result<Vec<String>, String> {
        let toml::Value::Array(items) = v else {
            return Err(format!("`{op}` takes an array of option ids"));
        };
        if items.is_empty() {
            return Err(format!("`{op}` on `{qid}` is empty"));
        }
        items.iter().map(option).collect()
    };
    let number = |v: &toml::Value| -> Result<f64, String> {
        let x = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) if f.is_finite() => *f,
            _ => return Err(format!("`{op}` on `{qid}` takes a number")),
        };
        Ok(x)
    };
    let test = match (op, q.kind) {
        ("equals", QuestionKind::Choice) => Test::Equals(Scalar::Text(option(arg)?)),
        ("equals", QuestionKind::Bool) => match arg {
            toml::Value::Boolean(b) => Test::Equals(Scalar::Bool(*b)),
            _ => return Err(format!("`equals` on `{qid}` takes true or false")),
        },
        ("equals", QuestionKind::Number) => Test::Equals(Scalar::Number(number(arg)?)),
        ("in", QuestionKind::Choice) => Test::In(options(arg)?),
        ("contains", QuestionKind::Set) => Test::Contains(option(arg)?),
        ("contains_any", QuestionKind::Set) => Test::ContainsAny(options(arg)?),
        ("subset_of", QuestionKind::Set) => Test::SubsetOf(options(arg)?),
        ("gte", QuestionKind::Number) => Test::Gte(number(arg)?),
        ("lt", QuestionKind::Number) => Test::Lt(number(arg)?),
        ("equals" | "in" | "contains" | "contains_any" | "subset_of" | "gte" | "lt", _) => {
            return Err(kind_err());
        }
        (other, _) => {
            return Err(format!(
                "unknown operator `{other}`; expected equals, in, contains, contains_any, \
                 subset_of, gte or lt"
            ));
        }
    };
    Ok(Condition::Test {
        question: qid.clone(),
        test,
    })
}

impl RuleSet {
    /// Parses and validates a rule file: ids, kinds and options; every rule refers to existing
    /// questions and options with an operator that fits the question's kind; levels 1–5 each
    /// appear once in the level table.
    pub fn parse(file_name: &str, text: &str) -> Result<RuleSet, LevelError> {
        parse(text).map_err(|message| LevelError::Parse {
            file: file_name.to_string(),
            message,
        })
    }
}

/// Every rule file of the knowledge base (`registry/levels-*.toml`, embedded or overlaid),
/// ordered by `effective`. An error if there is none, or two share an id.
pub fn load_rulesets(kb: &camguard_kb::Kb) -> Result<Vec<RuleSet>, LevelError> {
    let mut sets: Vec<RuleSet> = Vec::new();
    for source in &kb.sources {
        let name = source.name.as_str();
        if !(name.starts_with(RULESET_PREFIX) && name.ends_with(".toml")) {
            continue;
        }
        let text = kb.file(name).ok_or_else(|| LevelError::Parse {
            file: name.to_string(),
            message: "listed by the knowledge base but its text is not loaded".into(),
        })?;
        let set = RuleSet::parse(name, text)?;
        if let Some(other) = sets.iter().find(|s| s.id == set.id) {
            return Err(LevelError::Parse {
                file: name.to_string(),
                message: format!(
                    "rule set id `{}` is already used by another file (effective {})",
                    other.id,
                    date_serde::format(other.effective)
                ),
            });
        }
        sets.push(set);
    }
    if sets.is_empty() {
        return Err(LevelError::Parse {
            file: format!("{RULESET_PREFIX}*.toml"),
            message: "the knowledge base holds no security-level rule file".into(),
        });
    }
    sets.sort_by_key(|s| s.effective);
    Ok(sets)
}
