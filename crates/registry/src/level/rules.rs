//! A legal instrument's rule set: its criteria and level table, deciding a level from the
//! answers, and loading the rule files of the knowledge base.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use super::base::{Answers, LevelError};
use super::questionnaire::{Condition, Question, QuestionKind};
use crate::date::date_serde;

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

/// The rule set in force on `on`: the one with the latest `effective` on or before it.
pub fn ruleset_in_force(sets: &[RuleSet], on: Date) -> Option<&RuleSet> {
    sets.iter()
        .filter(|s| s.effective <= on)
        .max_by_key(|s| s.effective)
}
