//! Security levels of information systems (cấp độ 1–5), decided from a questionnaire.
//!
//! The criteria are data: each legal instrument is one rule file `kb/registry/levels-<id>.toml`
//! (today `levels-nd85-2016.toml`, Decree 85/2016/NĐ-CP Arts. 5–20; Decree 331/2026 can be added
//! beside it). A file holds the questions, the rules (one per criterion of the decree, with its
//! article) and a per-level table of who prepares, appraises and approves the dossier and how
//! often the system is assessed. The file's comment header documents the format.
//!
//! [`RuleSet::decide`] proposes the level: the highest level among the rules whose condition
//! holds for the answers. A composite system takes the highest level of its components
//! ([`composite_level`], Art. 5(2)). The result is a proposal for the level dossier; the
//! competent body decides.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use time::Date;

/// Rule files are the kb files whose path starts with this and ends in `.toml`.
pub const RULESET_PREFIX: &str = "registry/levels-";

/// The newest rule-file schema this code understands.
const SCHEMA: u32 = 1;

/// How deeply condition groups may nest (a guard against hostile files).
const MAX_DEPTH: usize = 16;

/// Question id → answer: a string (choice), an array of strings (set), a number or a bool.
/// `null` counts as not answered.
pub type Answers = BTreeMap<String, serde_json::Value>;

/// What went wrong with a rule file or with a set of answers.
#[derive(Debug, thiserror::Error)]
pub enum LevelError {
    #[error("security-level rule file {file}: {message}")]
    Parse { file: String, message: String },
    #[error("unknown question `{0}`")]
    UnknownQuestion(String),
    #[error("answer to question `{question}`: {message}")]
    BadAnswer { question: String, message: String },
    #[error("question `{0}` must be answered to decide the level")]
    MissingAnswer(String),
    #[error(
        "the answers meet none of the criteria of {ruleset}, so no level can be proposed{}; \
         the decree has no criterion for this combination, argue the level by hand from the \
         impact definitions of Law 86/2015/QH13 Art. 21",
        unanswered_hint(.unanswered)
    )]
    NoCriterion {
        ruleset: String,
        /// Questions left unanswered, which might have matched a criterion.
        unanswered: Vec<String>,
    },
}

fn unanswered_hint(unanswered: &[String]) -> String {
    if unanswered.is_empty() {
        String::new()
    } else {
        format!(" (unanswered: {})", unanswered.join(", "))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// One option id (a JSON string).
    Choice,
    /// Any number of option ids (a JSON array of strings).
    Set,
    /// A count, `>= 0` (a JSON number).
    Number,
    /// A JSON bool.
    Bool,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Choice => "choice",
            QuestionKind::Set => "set",
            QuestionKind::Number => "number",
            QuestionKind::Bool => "bool",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnswerOption {
    pub id: String,
    pub label_vi: String,
    pub label_en: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub prompt_vi: String,
    pub prompt_en: String,
    /// For [`QuestionKind::Choice`] and [`QuestionKind::Set`]; empty otherwise.
    pub options: Vec<AnswerOption>,
    /// [`RuleSet::decide`] refuses answers that leave it unanswered.
    pub required: bool,
    /// The question only matters when this holds (a form may skip it otherwise).
    pub ask_if: Option<Condition>,
}

impl Question {
    pub fn option(&self, id: &str) -> Option<&AnswerOption> {
        self.options.iter().find(|o| o.id == id)
    }

    /// Does the question matter, given the answers so far?
    pub fn is_asked(&self, answers: &Answers) -> bool {
        self.ask_if.as_ref().is_none_or(|c| c.holds(answers))
    }
}

/// A condition over answers (the `all` / `any` / `none` of a rule).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Every condition holds (true when empty).
    All(Vec<Condition>),
    /// At least one condition holds.
    Any(Vec<Condition>),
    /// No condition holds.
    #[serde(rename = "none")]
    NoneOf(Vec<Condition>),
    /// A test of one answer; false when the question is not answered.
    #[serde(untagged)]
    Test {
        question: String,
        #[serde(flatten)]
        test: Test,
    },
}

/// The operator of a [`Condition::Test`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// The answer is exactly this (an option id, a bool or a number).
    Equals(Scalar),
    /// (choice) The answer is one of these options.
    In(Vec<String>),
    /// (set) The answer includes this option.
    Contains(String),
    /// (set) The answer includes at least one of these options.
    ContainsAny(Vec<String>),
    /// (set) The answer is not empty and includes nothing but these options.
    SubsetOf(Vec<String>),
    /// (number) The answer is at least this.
    Gte(f64),
    /// (number) The answer is below this.
    Lt(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Bool(bool),
    Number(f64),
}

impl Condition {
    /// Does the condition hold for these answers? An unanswered question fails every test.
    pub fn holds(&self, answers: &Answers) -> bool {
        match self {
            Condition::All(cs) => cs.iter().all(|c| c.holds(answers)),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(answers)),
            Condition::NoneOf(cs) => !cs.iter().any(|c| c.holds(answers)),
            Condition::Test { question, test } => match answers.get(question) {
                None | Some(serde_json::Value::Null) => false,
                Some(v) => test.holds(v),
            },
        }
    }

    /// Every question id the condition tests.
    fn questions<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Condition::All(cs) | Condition::Any(cs) | Condition::NoneOf(cs) => {
                cs.iter().for_each(|c| c.questions(out))
            }
            Condition::Test { question, .. } => {
                out.insert(question);
            }
        }
    }
}

impl Test {
    fn holds(&self, v: &serde_json::Value) -> bool {
        use serde_json::Value;
        let set = || -> Vec<&str> {
            v.as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default()
        };
        match self {
            Test::Equals(Scalar::Text(s)) => v.as_str() == Some(s.as_str()),
            Test::Equals(Scalar::Bool(b)) => v.as_bool() == Some(*b),
            Test::Equals(Scalar::Number(n)) => v.as_f64() == Some(*n),
            Test::In(list) => v.as_str().is_some_and(|s| list.iter().any(|o| o == s)),
            Test::Contains(o) => set().contains(&o.as_str()),
            Test::ContainsAny(list) => set().iter().any(|s| list.iter().any(|o| o == s)),
            Test::SubsetOf(list) => {
                let s = set();
                !s.is_empty() && s.iter().all(|s| list.iter().any(|o| o == s))
            }
            Test::Gte(n) => v.as_f64().is_some_and(|x| x >= *n),
            Test::Lt(n) => v.as_f64().is_some_and(|x| x < *n),
        }
    }
}

/// One criterion of the instrument.
#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `nd85-art9-3`.
    pub id: String,
    pub level: u8,
    /// `Art. 9(3)` style.
    pub article: String,
    /// `Điều 9 khoản 3` style.
    pub article_vi: String,
    pub text_vi: String,
    pub text_en: String,
    /// The rule's `all`, `any` and `none`, combined.
    pub when: Condition,
}

/// Who prepares, appraises and approves the level dossier, and how often the system is
/// assessed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelInfo {
    pub level: u8,
    pub prepares_vi: String,
    pub prepares_en: String,
    pub appraises_vi: String,
    pub appraises_en: String,
    pub approves_vi: String,
    pub approves_en: String,
    /// Appraisal time limit in days ("ngày", Decree 85 Art. 16(2)); `None` where none is set.
    pub appraisal_days: Option<u32>,
    /// Approval time limit in working days (Decree 85 Art. 17(2)); `None` where none is set.
    pub approval_days: Option<u32>,
    /// Periodic security testing and risk assessment (Decree 85 Art. 20(2)(c)).
    pub assessment_interval_months: u32,
    /// The interval is camguard's default, not a per-level rule of the decree: a registry may
    /// set its own (levels 1–2, where the decree only fixes the organisation-wide 2 years).
    #[serde(default)]
    pub assessment_interval_configurable: bool,
}

/// One legal instrument's questionnaire, rules and level table.
#[derive(Clone, Debug, Serialize)]
pub struct RuleSet {
    pub id: String,
    /// The data file's `version`.
    pub version: String,
    #[serde(with = "date_serde")]
    pub effective: Date,
    /// First day the instrument no longer applies, when known.
    #[serde(with = "date_serde::option")]
    pub superseded: Option<Date>,
    pub title_vi: String,
    pub title_en: String,
    pub questions: Vec<Question>,
    pub rules: Vec<Rule>,
    /// Levels 1 to 5, in order.
    pub levels: Vec<LevelInfo>,
}

/// Why a level was proposed: one matching rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub level: u8,
    pub article: String,
    pub text_vi: String,
    pub text_en: String,
}

/// The proposed level and the criteria behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelDecision {
    /// [`RuleSet::id`].
    pub ruleset: String,
    /// [`RuleSet::version`].
    pub ruleset_version: String,
    pub level: u8,
    /// Every matching rule: those of the proposed level first, then lower ones (also met, kept
    /// for the dossier's justification), each group in file order.
    pub reasons: Vec<Reason>,
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

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The level table row of `level`.
    pub fn level(&self, level: u8) -> Option<&LevelInfo> {
        self.levels.iter().find(|l| l.level == level)
    }

    /// Checks every answer against its question: known question, right type, known options.
    /// Unanswered questions are fine here (see [`RuleSet::decide`]).
    pub fn validate(&self, answers: &Answers) -> Result<(), LevelError> {
        use serde_json::Value;
        for (id, value) in answers {
            let q = self
                .question(id)
                .ok_or_else(|| LevelError::UnknownQuestion(id.clone()))?;
            let bad = |message: String| LevelError::BadAnswer {
                question: id.clone(),
                message,
            };
            let option_ids = || {
                q.options
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match (q.kind, value) {
                (_, Value::Null) => {}
                (QuestionKind::Choice, Value::String(s)) => {
                    if q.option(s).is_none() {
                        return Err(bad(format!(
                            "unknown option `{s}`; expected one of: {}",
                            option_ids()
                        )));
                    }
                }
                (QuestionKind::Set, Value::Array(items)) => {
                    let mut seen = BTreeSet::new();
                    for item in items {
                        let Some(s) = item.as_str() else {
                            return Err(bad(format!(
                                "expected option ids (strings), found {item}; options: {}",
                                option_ids()
                            )));
                        };
                        if q.option(s).is_none() {
                            return Err(bad(format!(
                                "unknown option `{s}`; expected some of: {}",
                                option_ids()
                            )));
                        }
                        if !seen.insert(s) {
                            return Err(bad(format!("option `{s}` is given twice")));
                        }
                    }
                }
                (QuestionKind::Number, Value::Number(n)) => match n.as_f64() {
                    Some(x) if x.is_finite() && x >= 0.0 => {}
                    _ => return Err(bad(format!("expected a count of 0 or more, found {n}"))),
                },
                (QuestionKind::Bool, Value::Bool(_)) => {}
                (kind, v) => {
                    let expected = match kind {
                        QuestionKind::Choice => {
                            format!("one option id (a string) of: {}", option_ids())
                        }
                        QuestionKind::Set => {
                            format!("an array of option ids of: {}", option_ids())
                        }
                        QuestionKind::Number => "a number".to_string(),
                        QuestionKind::Bool => "true or false".to_string(),
                    };
                    return Err(bad(format!("expected {expected}, found {v}")));
                }
            }
        }
        Ok(())
    }

    /// Proposes the level: the highest level among the matching rules, with every matching rule
    /// as a reason. Validates the answers first, and requires the questions marked `required`
    /// (system type and information types in `nd85-2016`). A missing answer to any other
    /// question only makes the rules that test it not match. When no rule matches at all the
    /// decree gives no level and this returns [`LevelError::NoCriterion`].
    pub fn decide(&self, answers: &Answers) -> Result<LevelDecision, LevelError> {
        self.validate(answers)?;
        for q in self.questions.iter().filter(|q| q.required) {
            let answered = match answers.get(&q.id) {
                None | Some(serde_json::Value::Null) => false,
                Some(serde_json::Value::Array(a)) => !a.is_empty(),
                Some(_) => true,
            };
            if !answered {
                return Err(LevelError::MissingAnswer(q.id.clone()));
            }
        }
        let mut matched: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| r.when.holds(answers))
            .collect();
        let Some(level) = matched.iter().map(|r| r.level).max() else {
            let mut tested = BTreeSet::new();
            for r in &self.rules {
                r.when.questions(&mut tested);
            }
            let unanswered = self
                .questions
                .iter()
                .filter(|q| tested.contains(q.id.as_str()))
                .filter(|q| q.is_asked(answers))
                .filter(|q| matches!(answers.get(&q.id), None | Some(serde_json::Value::Null)))
                .map(|q| q.id.clone())
                .collect();
            return Err(LevelError::NoCriterion {
                ruleset: self.id.clone(),
                unanswered,
            });
        };
        // Stable: file order within a level.
        matched.sort_by_key(|r| std::cmp::Reverse(r.level));
        Ok(LevelDecision {
            ruleset: self.id.clone(),
            ruleset_version: self.version.clone(),
            level,
            reasons: matched
                .into_iter()
                .map(|r| Reason {
                    level: r.level,
                    article: r.article.clone(),
                    text_vi: r.text_vi.clone(),
                    text_en: r.text_en.clone(),
                })
                .collect(),
        })
    }
}

/// Decree 85/2016 Art. 5(2): a system made of component systems of different levels takes the
/// highest of them. `None` for no components or a level outside 1–5.
pub fn composite_level(levels: &[u8]) -> Option<u8> {
    if levels.iter().any(|l| !(1..=5).contains(l)) {
        return None;
    }
    levels.iter().copied().max()
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

/// The rule set in force on `on`: the one with the latest `effective` on or before it.
pub fn ruleset_in_force(sets: &[RuleSet], on: Date) -> Option<&RuleSet> {
    sets.iter()
        .filter(|s| s.effective <= on)
        .max_by_key(|s| s.effective)
}

// ---------------------------------------------------------------------------------------------
// Parsing

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

fn parse(text: &str) -> Result<RuleSet, String> {
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

/// A date given as `"YYYY-MM-DD"` or as a bare TOML date.
pub(crate) fn date_value(v: &toml::Value) -> Result<Date, String> {
    match v {
        toml::Value::String(s) => date_serde::parse(s),
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                let month = time::Month::try_from(d.month)
                    .map_err(|_| format!("{dt} is not a valid date"))?;
                Date::from_calendar_date(i32::from(d.year), month, d.day)
                    .map_err(|_| format!("{dt} is not a valid date"))
            }
            _ => Err(format!("{dt} must be a date without a time (YYYY-MM-DD)")),
        },
        other => Err(format!(
            "expected a date \"YYYY-MM-DD\", found {}",
            other.type_str()
        )),
    }
}

/// `YYYY-MM-DD` (de)serialisation of [`time::Date`] (the workspace does not enable `time`'s
/// serde feature).
pub(crate) mod date_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]");

    pub(crate) fn format(d: Date) -> String {
        crate::inventory::format_date(d)
    }

    pub(crate) fn parse(s: &str) -> Result<Date, String> {
        Date::parse(s.trim(), FORMAT)
            .map_err(|_| format!("`{s}` is not a valid date (expected YYYY-MM-DD)"))
    }

    pub(crate) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }

    pub(crate) mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        pub(crate) fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&super::format(*d)),
                None => s.serialize_none(),
            }
        }

        #[allow(dead_code)]
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Date>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| super::parse(&s).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    const FILE: &str = "registry/levels-nd85-2016.toml";

    /// The embedded `nd85-2016` rule set (the kb is loaded once for all tests).
    fn nd85() -> RuleSet {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| {
            let kb = camguard_kb::Kb::embedded().expect("embedded kb loads");
            let sets = load_rulesets(&kb).expect("embedded rule files parse");
            sets.into_iter()
                .find(|s| s.id == "nd85-2016")
                .expect("nd85-2016 is embedded")
        })
        .clone()
    }

    fn answers(v: serde_json::Value) -> Answers {
        serde_json::from_value(v).unwrap()
    }

    fn articles(d: &LevelDecision, level: u8) -> Vec<&str> {
        d.reasons
            .iter()
            .filter(|r| r.level == level)
            .map(|r| r.article.as_str())
            .collect()
    }

    fn parse_err(text: &str) -> String {
        match RuleSet::parse("registry/levels-test.toml", text) {
            Err(e @ LevelError::Parse { .. }) => e.to_string(),
            Err(e) => panic!("expected a parse error, got {e}"),
            Ok(_) => panic!("expected a parse error, the file parsed"),
        }
    }

    /// A small valid file to break in the hostile-file tests.
    fn mini(rule_condition: &str) -> String {
        let levels: String = (1..=5)
            .map(|n| {
                format!(
                    "[[level]]\nlevel = {n}\nprepares_vi = \"a\"\nprepares_en = \"a\"\n\
                     appraises_vi = \"a\"\nappraises_en = \"a\"\napproves_vi = \"a\"\n\
                     approves_en = \"a\"\nassessment_interval_months = 12\n\n"
                )
            })
            .collect();
        format!(
            "schema = 1\nversion = \"t\"\nid = \"test\"\ntitle_vi = \"t\"\ntitle_en = \"t\"\n\
             effective = \"2027-07-01\"\n\n\
             [[question]]\nid = \"kind\"\nkind = \"choice\"\nrequired = true\n\
             prompt_vi = \"p\"\nprompt_en = \"p\"\n\
             [[question.option]]\nid = \"a\"\nlabel_vi = \"a\"\nlabel_en = \"a\"\n\
             [[question.option]]\nid = \"b\"\nlabel_vi = \"b\"\nlabel_en = \"b\"\n\n\
             [[question]]\nid = \"count\"\nkind = \"number\"\nprompt_vi = \"p\"\nprompt_en = \"p\"\n\n\
             [[rule]]\nid = \"r1\"\nlevel = 2\narticle = \"Art. 1\"\narticle_vi = \"Điều 1\"\n\
             text_vi = \"t\"\ntext_en = \"t\"\n{rule_condition}\n\n{levels}"
        )
    }

    #[test]
    fn embedded_rule_file_parses_with_all_levels() {
        let set = nd85();
        assert_eq!(set.effective, date!(2016 - 07 - 01));
        assert_eq!(set.superseded, None);
        assert_eq!(set.version, "2026.11.1");
        assert_eq!(
            set.levels.iter().map(|l| l.level).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5]
        );
        for id in ["system-type", "info"] {
            assert!(set.question(id).unwrap().required, "{id} is required");
        }
        for level in 1..=5 {
            assert!(
                set.rules.iter().any(|r| r.level == level),
                "a rule for level {level}"
            );
        }
        // Art. 20(2)(c): 6 months at level 5, yearly at 3-4, 2 years (configurable) at 1-2.
        let months: Vec<(u32, bool)> = set
            .levels
            .iter()
            .map(|l| {
                (
                    l.assessment_interval_months,
                    l.assessment_interval_configurable,
                )
            })
            .collect();
        assert_eq!(
            months,
            [(24, true), (24, true), (12, false), (12, false), (6, false)]
        );
        // Art. 16(2): 15 days at level 3, 30 at 4-5; Art. 17(2): 7 working days.
        assert_eq!(set.level(3).unwrap().appraisal_days, Some(15));
        assert_eq!(set.level(4).unwrap().appraisal_days, Some(30));
        assert_eq!(set.level(1).unwrap().appraisal_days, None);
        assert_eq!(set.level(2).unwrap().approval_days, Some(7));
        assert!(set.level(3).unwrap().approves_en.contains("owner"));
        assert!(set.level(5).unwrap().approves_en.contains("Prime Minister"));
        assert!(set.level(6).is_none());
        // The whole set serialises (the CLI prints it as JSON).
        let json = serde_json::to_value(&set).unwrap();
        assert_eq!(json["effective"], "2016-07-01");
        assert_eq!(
            json["rules"][0]["when"]["all"][0]["question"],
            "system-type"
        );
        assert_eq!(json["rules"][0]["when"]["all"][0]["equals"], "internal");
    }

    #[test]
    fn agency_internal_cctv_recording_people_is_level_2() {
        let d = nd85()
            .decide(&answers(json!({
                "system-type": "internal",
                "info": ["personal", "private"],
            })))
            .unwrap();
        assert_eq!(d.level, 2);
        assert_eq!(d.ruleset, "nd85-2016");
        assert_eq!(d.ruleset_version, "2026.11.1");
        assert_eq!(articles(&d, 2), ["Art. 8(1)"]);
        assert_eq!(d.reasons.len(), 1);
    }

    #[test]
    fn internal_system_with_public_information_only_is_level_1() {
        let d = nd85()
            .decide(&answers(json!({
                "system-type": "internal",
                "info": ["public"],
                "defence-damage": "none",
                "always-on": false,
            })))
            .unwrap();
        assert_eq!(d.level, 1);
        assert_eq!(articles(&d, 1), ["Art. 7"]);
    }

    #[test]
    fn province_wide_shared_camera_platform_is_level_3() {
        let d = nd85()
            .decide(&answers(json!({
                "system-type": "infrastructure",
                "info": ["personal"],
                "infra-reach": "regional",
                "always-on": true,
            })))
            .unwrap();
        assert_eq!(d.level, 3);
        assert_eq!(articles(&d, 3), ["Art. 9(3)"]);
        assert_eq!(d.reasons[0].level, 3);
    }

    #[test]
    fn nationwide_24_7_platform_is_level_4_and_lists_the_lower_criterion() {
        let d = nd85()
            .decide(&answers(json!({
                "system-type": "infrastructure",
                "info": ["personal", "private"],
                "infra-reach": "nationwide",
                "always-on": true,
            })))
            .unwrap();
        assert_eq!(d.level, 4);
        assert_eq!(articles(&d, 4), ["Art. 10(3)"]);
        assert_eq!(articles(&d, 3), ["Art. 9(3)"]);
        assert_eq!(
            d.reasons[0].article, "Art. 10(3)",
            "the decided level first"
        );

        // Without the 24/7 requirement the same platform is level 3.
        let d = nd85()
            .decide(&answers(json!({
                "system-type": "infrastructure",
                "info": ["personal"],
                "infra-reach": "nationwide",
                "always-on": false,
            })))
            .unwrap();
        assert_eq!(d.level, 3);
    }

    #[test]
    fn defence_system_with_especially_serious_damage_is_level_5() {
        let d = nd85()
            .decide(&answers(json!({
                "system-type": "other",
                "info": ["state-secret", "personal"],
                "defence-damage": "especially-serious",
            })))
            .unwrap();
        assert_eq!(d.level, 5);
        assert_eq!(articles(&d, 5), ["Art. 11(1)"]);
        assert_eq!(articles(&d, 4), ["Art. 10(1)"]);
        assert_eq!(articles(&d, 3), ["Art. 9(1)"]);
    }

    #[test]
    fn state_secrets_lift_an_internal_system_to_level_3() {
        let d = nd85()
            .decide(&answers(json!({
                "system-type": "internal",
                "info": ["personal", "state-secret"],
            })))
            .unwrap();
        assert_eq!(d.level, 3);
        assert_eq!(articles(&d, 3), ["Art. 9(1)"]);
        // Art. 8(1) excludes state secrets, so it is not a reason.
        assert!(articles(&d, 2).is_empty());
    }

    #[test]
    fn citizen_service_thresholds() {
        let set = nd85();
        let level = |users: u32, conditional: bool| {
            set.decide(&answers(json!({
                "system-type": "citizen-services",
                "info": ["personal"],
                "users": users,
                "conditional-business": conditional,
            })))
            .unwrap()
            .level
        };
        assert_eq!(level(9_999, false), 2);
        assert_eq!(level(10_000, false), 3);
        assert_eq!(level(50, true), 3);
    }

    #[test]
    fn industrial_control_grades() {
        let set = nd85();
        let level = |grade: &str| {
            set.decide(&answers(json!({
                "system-type": "industrial-control",
                "info": ["private"],
                "ics-grade": grade,
            })))
            .unwrap()
            .level
        };
        assert_eq!(level("grade-iv"), 3);
        assert_eq!(level("grade-i"), 4);
        assert_eq!(level("special"), 5);
        assert_eq!(level("national-security"), 5);
    }

    #[test]
    fn no_criterion_is_an_error_not_a_guess() {
        let err = nd85()
            .decide(&answers(json!({
                "system-type": "other",
                "info": ["personal"],
            })))
            .unwrap_err();
        let LevelError::NoCriterion {
            ruleset,
            unanswered,
        } = &err
        else {
            panic!("{err}");
        };
        assert_eq!(ruleset, "nd85-2016");
        // Questions without ask_if that could still match are named.
        assert!(
            unanswered.contains(&"defence-damage".to_string()),
            "{unanswered:?}"
        );
        assert!(
            !unanswered.contains(&"ics-grade".to_string()),
            "{unanswered:?}"
        );
        assert!(err.to_string().contains("Art. 21"), "{err}");
    }

    #[test]
    fn core_questions_are_required() {
        let set = nd85();
        let err = set
            .decide(&answers(json!({ "system-type": "internal" })))
            .unwrap_err();
        assert!(
            matches!(&err, LevelError::MissingAnswer(q) if q == "info"),
            "{err}"
        );
        let err = set
            .decide(&answers(json!({ "system-type": "internal", "info": [] })))
            .unwrap_err();
        assert!(
            matches!(&err, LevelError::MissingAnswer(q) if q == "info"),
            "{err}"
        );
        let err = set
            .decide(&answers(json!({ "info": ["public"], "system-type": null })))
            .unwrap_err();
        assert!(
            matches!(&err, LevelError::MissingAnswer(q) if q == "system-type"),
            "{err}"
        );
        assert!(err.to_string().contains("system-type"));
    }

    #[test]
    fn validation_errors_name_the_question() {
        let set = nd85();
        let cases = [
            (json!({ "colour": "red" }), "colour"),
            (json!({ "system-type": "cloud" }), "system-type"),
            (json!({ "system-type": ["internal"] }), "system-type"),
            (json!({ "info": "public" }), "info"),
            (json!({ "info": ["public", "secret"] }), "info"),
            (json!({ "info": ["public", "public"] }), "info"),
            (json!({ "info": [1] }), "info"),
            (json!({ "users": "many" }), "users"),
            (json!({ "users": -1 }), "users"),
            (json!({ "always-on": "yes" }), "always-on"),
        ];
        for (value, question) in cases {
            let a = answers(value.clone());
            let err = set.validate(&a).unwrap_err();
            let named = match &err {
                LevelError::UnknownQuestion(q) => q,
                LevelError::BadAnswer { question, .. } => question,
                other => panic!("{value}: unexpected {other}"),
            };
            assert_eq!(named, question, "{value}");
            assert!(err.to_string().contains(question), "{err}");
            // decide validates first.
            assert!(set.decide(&a).is_err());
        }
        assert!(
            set.validate(&answers(json!({
                "system-type": "internal", "info": ["public"], "users": 12.0,
                "always-on": true, "ics-grade": null,
            })))
            .is_ok()
        );
        let err = set
            .validate(&answers(json!({ "system-type": "cloud" })))
            .unwrap_err()
            .to_string();
        assert!(err.contains("internal") && err.contains("cloud"), "{err}");
    }

    #[test]
    fn ask_if_follows_the_system_type() {
        let set = nd85();
        let q = set.question("ics-grade").unwrap();
        assert!(!q.is_asked(&answers(json!({ "system-type": "internal" }))));
        assert!(q.is_asked(&answers(json!({ "system-type": "industrial-control" }))));
        assert!(set.question("info").unwrap().is_asked(&Answers::new()));
    }

    #[test]
    fn composite_takes_the_highest_level() {
        assert_eq!(composite_level(&[2, 3, 1]), Some(3));
        assert_eq!(composite_level(&[5]), Some(5));
        assert_eq!(composite_level(&[]), None);
        assert_eq!(composite_level(&[2, 0]), None);
        assert_eq!(composite_level(&[2, 6]), None);
    }

    #[test]
    fn ruleset_in_force_picks_the_latest_effective() {
        let old = nd85();
        let new = RuleSet::parse(
            "registry/levels-test.toml",
            &mini("all = [{ question = \"kind\", equals = \"a\" }]"),
        )
        .unwrap();
        assert_eq!(new.effective, date!(2027 - 07 - 01));
        let sets = [old, new];
        assert_eq!(
            ruleset_in_force(&sets, date!(2023 - 03 - 31)).unwrap().id,
            "nd85-2016"
        );
        assert_eq!(
            ruleset_in_force(&sets, date!(2027 - 06 - 30)).unwrap().id,
            "nd85-2016"
        );
        assert_eq!(
            ruleset_in_force(&sets, date!(2027 - 07 - 01)).unwrap().id,
            "test"
        );
        assert!(ruleset_in_force(&sets, date!(2016 - 06 - 30)).is_none());
    }

    #[test]
    fn overlay_rule_file_is_loaded_beside_the_embedded_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("registry")).unwrap();
        std::fs::write(
            dir.path().join("registry/levels-test.toml"),
            mini("all = [{ question = \"kind\", equals = \"a\" }]"),
        )
        .unwrap();
        let kb = camguard_kb::Kb::builder()
            .overlay_dir(dir.path())
            .build()
            .unwrap();
        let sets = load_rulesets(&kb).unwrap();
        let ids: Vec<&str> = sets.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["nd85-2016", "test"], "ordered by effective");

        // A second file reusing an id is refused, naming the file.
        std::fs::write(
            dir.path().join("registry/levels-copy.toml"),
            mini("all = [{ question = \"kind\", equals = \"a\" }]"),
        )
        .unwrap();
        let kb = camguard_kb::Kb::builder()
            .overlay_dir(dir.path())
            .build()
            .unwrap();
        let err = load_rulesets(&kb).unwrap_err().to_string();
        assert!(err.contains("levels-") && err.contains("`test`"), "{err}");
    }

    #[test]
    fn small_rule_file_decides() {
        let set = RuleSet::parse(
            "registry/levels-test.toml",
            &mini(
                "all = [{ question = \"kind\", equals = \"a\" }, { any = [\
                 { question = \"count\", gte = 5 }, { none = [{ question = \"count\", lt = 100 }] }] }]",
            ),
        )
        .unwrap();
        let level = |v: serde_json::Value| set.decide(&answers(v)).map(|d| d.level);
        assert_eq!(level(json!({ "kind": "a", "count": 7 })).unwrap(), 2);
        assert!(level(json!({ "kind": "a", "count": 1 })).is_err());
        // An unanswered count fails `lt`, so `none` holds.
        assert_eq!(level(json!({ "kind": "a" })).unwrap(), 2);
        assert!(level(json!({ "kind": "b", "count": 7 })).is_err());
    }

    #[test]
    fn hostile_or_broken_rule_files_give_clear_errors() {
        let cases: Vec<(String, &str)> = vec![
            ("schema = 1\nid = [".into(), "TOML parse error"),
            ("schema = 1\n".into(), "missing field"),
            (
                mini("all = [{ question = \"colour\", equals = \"a\" }]"),
                "unknown question `colour`",
            ),
            (
                mini("all = [{ question = \"kind\", equals = \"c\" }]"),
                "has no option `c`",
            ),
            (
                mini("all = [{ question = \"kind\", gte = 3 }]"),
                "does not apply to `kind`",
            ),
            (
                mini("all = [{ question = \"count\", like = 3 }]"),
                "unknown operator `like`",
            ),
            (
                mini("all = [{ question = \"count\", gte = 3, lt = 4 }]"),
                "exactly one operator",
            ),
            (
                mini("all = [{ question = \"count\" }]"),
                "exactly one operator",
            ),
            (mini("all = [\"kind\"]"), "expected a table"),
            (mini("all = []"), "`all` is empty"),
            (mini("all = [{ every = [] }]"), "unknown group `every`"),
            (mini(""), "has no condition"),
            (
                mini("all = [{ question = \"kind\", equals = \"a\" }]")
                    .replace("level = 2", "level = 7"),
                "level 7",
            ),
            (
                mini("all = [{ question = \"kind\", equals = \"a\" }]")
                    .replace("[[level]]\nlevel = 5", "[[level]]\nlevel = 4"),
                "defined twice",
            ),
            (
                mini("all = [{ question = \"kind\", equals = \"a\" }]").replacen(
                    "id = \"kind\"",
                    "id = \"Kind!\"",
                    1,
                ),
                "a-z",
            ),
            (
                mini("all = [{ question = \"kind\", equals = \"a\" }]")
                    .replace("effective = \"2027-07-01\"", "effective = \"2027-02-30\""),
                "not a valid date",
            ),
            (
                mini("all = [{ question = \"kind\", equals = \"a\" }]")
                    .replace("schema = 1", "schema = 9"),
                "newer",
            ),
            (
                mini("all = [{ question = \"kind\", equals = \"a\" }]")
                    .replace("text_en = \"t\"", "text_en = \"t\"\nsecret = 1"),
                "unknown field `secret`",
            ),
        ];
        for (text, expected) in cases {
            let err = parse_err(&text);
            assert!(err.contains("registry/levels-test.toml"), "{err}");
            assert!(err.contains(expected), "expected {expected:?} in: {err}");
        }

        // Deep nesting is refused (by our depth limit, or first by the TOML parser's), never a
        // stack overflow.
        let nested = |n: usize| {
            format!(
                "all = [{}{{ question = \"kind\", equals = \"a\" }}{}]",
                "{ all = [".repeat(n),
                "] }".repeat(n)
            )
        };
        assert!(RuleSet::parse("t", &mini(&nested(MAX_DEPTH - 1))).is_ok());
        let err = parse_err(&mini(&nested(MAX_DEPTH)));
        assert!(err.contains("deeper than 16"), "{err}");
        let err = parse_err(&mini(&nested(5_000)));
        assert!(err.contains("TOML parse error"), "{err}");
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_err(&mini(&format!("all = {deep}")));
        assert!(err.contains("TOML parse error"), "{err}");
    }

    #[test]
    fn the_real_file_refers_only_to_known_questions_and_options() {
        // parse() checks this; here we check the file's own claims about ids stay stable.
        let set = nd85();
        let ids: Vec<&str> = set.questions.iter().map(|q| q.id.as_str()).collect();
        for id in [
            "system-type",
            "info",
            "public-service-level",
            "conditional-business",
            "users",
            "infra-reach",
            "always-on",
            "national-egov",
            "defence-damage",
            "ics-grade",
            "national-critical-data",
            "pm-decision",
        ] {
            assert!(ids.contains(&id), "question {id}");
        }
        let info = set.question("info").unwrap();
        assert_eq!(info.kind, QuestionKind::Set);
        let opts: Vec<&str> = info.options.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(opts, ["public", "private", "personal", "state-secret"]);
        assert!(FILE.starts_with(RULESET_PREFIX));
    }

    #[test]
    fn decision_round_trips_through_json() {
        let d = nd85()
            .decide(&answers(
                json!({ "system-type": "internal", "info": ["personal"] }),
            ))
            .unwrap();
        let back: LevelDecision =
            serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// A plausible answer (or none) for each question of the real file.
        fn answers_for(set: &RuleSet) -> Vec<BoxedStrategy<serde_json::Value>> {
            set.questions
                .iter()
                .map(|q| {
                    let ids: Vec<String> = q.options.iter().map(|o| o.id.clone()).collect();
                    let answer = match q.kind {
                        QuestionKind::Choice => proptest::sample::select(ids)
                            .prop_map(serde_json::Value::from)
                            .boxed(),
                        QuestionKind::Set => {
                            let n = ids.len();
                            proptest::sample::subsequence(ids, 0..=n)
                                .prop_map(serde_json::Value::from)
                                .boxed()
                        }
                        QuestionKind::Number => {
                            (0u32..30_000).prop_map(serde_json::Value::from).boxed()
                        }
                        QuestionKind::Bool => {
                            any::<bool>().prop_map(serde_json::Value::from).boxed()
                        }
                    };
                    prop_oneof![1 => Just(serde_json::Value::Null), 3 => answer].boxed()
                })
                .collect()
        }

        proptest! {
            #[test]
            fn decide_never_panics_and_is_consistent(values in answers_for(&nd85())) {
                let set = nd85();
                let a: Answers = set
                    .questions
                    .iter()
                    .zip(values)
                    .map(|(q, v)| (q.id.clone(), v))
                    .collect();
                prop_assert!(set.validate(&a).is_ok());
                match set.decide(&a) {
                    Ok(d) => {
                        prop_assert!((1..=5).contains(&d.level));
                        prop_assert!(!d.reasons.is_empty());
                        prop_assert_eq!(d.reasons[0].level, d.level);
                        prop_assert!(d.reasons.iter().all(|r| r.level <= d.level));
                        // Adding state secrets never lowers the level, and lifts it to 3 at
                        // least (Art. 9(1)).
                        let mut more = a.clone();
                        let mut info: Vec<String> =
                            serde_json::from_value(a["info"].clone()).unwrap();
                        if !info.iter().any(|i| i == "state-secret") {
                            info.push("state-secret".into());
                        }
                        more.insert("info".into(), serde_json::json!(info));
                        let higher = set.decide(&more).unwrap();
                        prop_assert!(higher.level >= d.level.max(3));
                    }
                    Err(LevelError::MissingAnswer(q)) => {
                        prop_assert!(set.question(&q).unwrap().required);
                    }
                    Err(LevelError::NoCriterion { .. }) => {}
                    Err(e) => prop_assert!(false, "unexpected error {}", e),
                }
            }
        }
    }
}
