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
//!
//! Files: `questionnaire` (questions and conditions over answers), `rules` (the rule set,
//! deciding and loading), `parse` (the rule-file format and its validation).

mod parse;
mod questionnaire;
mod rules;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub(crate) use parse::{check_id, nonempty};
pub use questionnaire::{AnswerOption, Condition, Question, QuestionKind, Scalar, Test};
pub use rules::{
    LevelDecision, LevelInfo, Reason, Rule, RuleSet, composite_level, load_rulesets,
    ruleset_in_force,
};

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
