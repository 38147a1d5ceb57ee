//! The questionnaire: questions, their options, and conditions over the answers.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::base::Answers;

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
    /// `RuleSet::decide` refuses answers that leave it unanswered.
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
    pub(super) fn questions<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Condition::All(cs) | Condition::Any(cs) | Condition::NoneOf(cs) => {
                for c in cs {
                    c.questions(out);
                }
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
