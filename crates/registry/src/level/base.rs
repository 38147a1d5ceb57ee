//! The vocabulary every file of the level module shares: answers, limits, errors.

use std::collections::BTreeMap;

/// Rule files are the kb files whose path starts with this and ends in `.toml`.
pub const RULESET_PREFIX: &str = "registry/levels-";

/// The newest rule-file schema this code understands.
pub(crate) const SCHEMA: u32 = 1;

/// How deeply condition groups may nest (a guard against hostile files).
pub(crate) const MAX_DEPTH: usize = 16;

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
