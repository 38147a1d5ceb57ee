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
//! Files, each depending only on those before it: `base` (answers, limits, errors),
//! `questionnaire` (questions and conditions over answers), `rules` (the rule set,
//! deciding and loading), `parse` (the rule-file format, its validation, loading the files).

mod base;
mod parse;
mod questionnaire;
mod rules;
#[cfg(test)]
mod tests;

pub use base::{Answers, LevelError, RULESET_PREFIX};
pub use parse::load_rulesets;
pub(crate) use parse::{check_id, nonempty};
pub use questionnaire::{AnswerOption, Condition, Question, QuestionKind, Scalar, Test};
pub use rules::{
    LevelDecision, LevelInfo, Reason, Rule, RuleSet, composite_level, ruleset_in_force,
};
