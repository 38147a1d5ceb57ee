//! Deadlines of Directive 23/CT-TTg and of the provincial documents that carry it out, as data
//! (`kb/registry/deadlines.toml`; its comment header documents the format, the duty vocabulary
//! and how dates such as "within March 2023" were read).
//!
//! An organisation is bound, for each duty, by the earliest due date among the national sets and
//! the sets attached to it or to an ancestor ([`binding_deadline`]): a province may be stricter
//! than the directive, never more lenient.

use crate::date::{date_serde, date_value};
use crate::level::{check_id, nonempty};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;

/// The deadline file, relative to the knowledge-base root.
pub const DEADLINES_FILE: &str = "registry/deadlines.toml";

/// The newest deadline-file schema this code understands.
const SCHEMA: u32 = 1;

/// What must be done by a deadline (the fixed vocabulary of the status engine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Duty {
    /// The security level of each information system that uses cameras is determined and
    /// approved (Decree 85/2016 Arts. 12–17).
    LevelApproved,
    /// The level's security plan is fully deployed for systems in operation.
    PlanDeployed,
    /// A report of the results is sent to the body that asked for it.
    ReportSubmitted,
    /// Cameras are checked and assessed for network security (on purchase and periodically).
    CamerasReviewed,
    /// The periodic security testing and risk assessment of a system is done.
    AssessmentDone,
    /// The internal security regulation (quy chế) is issued or revised to cover cameras.
    RegulationIssued,
}

impl Duty {
    pub const ALL: [Duty; 6] = [
        Duty::LevelApproved,
        Duty::PlanDeployed,
        Duty::ReportSubmitted,
        Duty::CamerasReviewed,
        Duty::AssessmentDone,
        Duty::RegulationIssued,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Duty::LevelApproved => "level-approved",
            Duty::PlanDeployed => "plan-deployed",
            Duty::ReportSubmitted => "report-submitted",
            Duty::CamerasReviewed => "cameras-reviewed",
            Duty::AssessmentDone => "assessment-done",
            Duty::RegulationIssued => "regulation-issued",
        }
    }
}

impl fmt::Display for Duty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Duty {
    type Err = DeadlineError;

    fn from_str(s: &str) -> Result<Duty, DeadlineError> {
        Duty::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| DeadlineError::UnknownDuty(s.to_string()))
    }
}

/// What went wrong with the deadline file.
#[derive(Debug, thiserror::Error)]
pub enum DeadlineError {
    #[error("deadline file {file}: {message}")]
    Parse { file: String, message: String },
    #[error(
        "unknown duty `{0}`; expected one of: level-approved, plan-deployed, report-submitted, \
         cameras-reviewed, assessment-done, regulation-issued"
    )]
    UnknownDuty(String),
}

/// One dated duty of one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Stable id, unique across the file (`ct23-level-approved`).
    pub id: String,
    /// The id of the [`DeadlineSet`] it belongs to.
    pub set: String,
    pub duty: Duty,
    /// The last day on which the duty is still on time.
    #[serde(with = "date_serde")]
    pub due: Date,
    pub title_vi: String,
    pub title_en: String,
    /// Document number, date and paragraph.
    pub source: String,
    /// How the date was read from the text, or a caveat.
    pub note: Option<String>,
}

/// The deadlines of one document for one jurisdiction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineSet {
    pub id: String,
    pub jurisdiction_vi: String,
    pub jurisdiction_en: String,
    /// Binds every organisation (`applies = "national"`); otherwise only those attached to it.
    pub national: bool,
    pub deadlines: Vec<Deadline>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema: u32,
    #[expect(
        dead_code,
        reason = "read by serde to check the file's shape; the loader checks schema only"
    )]
    version: String,
    #[serde(default)]
    set: Vec<RawSet>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSet {
    id: String,
    jurisdiction_vi: String,
    jurisdiction_en: String,
    applies: String,
    #[serde(default)]
    deadline: Vec<RawDeadline>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    id: String,
    duty: String,
    due: toml::Value,
    title_vi: String,
    title_en: String,
    source: String,
    #[serde(default)]
    note: Option<String>,
}

/// Parses and validates the deadline file: unique set and deadline ids, known duties and
/// `applies` values, real dates, no empty texts.
pub fn parse_deadlines(file_name: &str, text: &str) -> Result<Vec<DeadlineSet>, DeadlineError> {
    parse(text).map_err(|message| DeadlineError::Parse {
        file: file_name.to_string(),
        message,
    })
}

fn parse(text: &str) -> Result<Vec<DeadlineSet>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    if raw.schema > SCHEMA {
        return Err(format!(
            "schema {} is newer than this camguard understands ({SCHEMA}); upgrade camguard",
            raw.schema
        ));
    }
    let mut sets: Vec<DeadlineSet> = Vec::with_capacity(raw.set.len());
    let mut deadline_ids: Vec<String> = Vec::new();
    for s in raw.set {
        check_id("set id", &s.id)?;
        let ctx = format!("set `{}`", s.id);
        if sets.iter().any(|have| have.id == s.id) {
            return Err(format!("{ctx} is defined twice"));
        }
        nonempty(&format!("{ctx}: jurisdiction_vi"), &s.jurisdiction_vi)?;
        nonempty(&format!("{ctx}: jurisdiction_en"), &s.jurisdiction_en)?;
        let national = match s.applies.as_str() {
            "national" => true,
            "province" => false,
            other => {
                return Err(format!(
                    "{ctx}: applies = \"{other}\"; expected \"national\" or \"province\""
                ));
            }
        };
        if s.deadline.is_empty() {
            return Err(format!("{ctx} has no [[set.deadline]]"));
        }
        let mut deadlines = Vec::with_capacity(s.deadline.len());
        for d in s.deadline {
            check_id(&format!("{ctx}: deadline id"), &d.id)?;
            let dctx = format!("deadline `{}`", d.id);
            if deadline_ids.contains(&d.id) {
                return Err(format!(
                    "{dctx} is defined twice (ids are unique in the file)"
                ));
            }
            deadline_ids.push(d.id.clone());
            let duty: Duty = d.duty.parse().map_err(|e| format!("{dctx}: {e}"))?;
            let due = date_value(&d.due).map_err(|e| format!("{dctx}: due: {e}"))?;
            for (field, value) in [
                ("title_vi", &d.title_vi),
                ("title_en", &d.title_en),
                ("source", &d.source),
            ] {
                nonempty(&format!("{dctx}: {field}"), value)?;
            }
            let note = d.note.filter(|n| !n.trim().is_empty());
            deadlines.push(Deadline {
                id: d.id,
                set: s.id.clone(),
                duty,
                due,
                title_vi: d.title_vi,
                title_en: d.title_en,
                source: d.source,
                note,
            });
        }
        sets.push(DeadlineSet {
            id: s.id,
            jurisdiction_vi: s.jurisdiction_vi,
            jurisdiction_en: s.jurisdiction_en,
            national,
            deadlines,
        });
    }
    if sets.is_empty() {
        return Err("no [[set]]".into());
    }
    Ok(sets)
}

/// The deadline sets of the knowledge base (`registry/deadlines.toml`, embedded or overlaid).
pub fn load_deadlines(kb: &camguard_kb::Kb) -> Result<Vec<DeadlineSet>, DeadlineError> {
    let text = kb
        .file(DEADLINES_FILE)
        .ok_or_else(|| DeadlineError::Parse {
            file: DEADLINES_FILE.to_string(),
            message: "not in the knowledge base".into(),
        })?;
    parse_deadlines(DEADLINES_FILE, text)
}

/// The deadline binding an organisation for one duty: among the national sets and the sets
/// attached to the organisation or any ancestor (`attached`, as set ids), the one with the
/// EARLIEST due date (a province may be stricter than the directive). On a tie the first in
/// file order wins (the national set comes first in the shipped file). `None` when no set
/// dates that duty.
pub fn binding_deadline<'a>(
    sets: &'a [DeadlineSet],
    attached: &[&str],
    duty: Duty,
) -> Option<&'a Deadline> {
    sets.iter()
        .filter(|s| s.national || attached.contains(&s.id.as_str()))
        .flat_map(|s| s.deadlines.iter())
        .filter(|d| d.duty == duty)
        .min_by_key(|d| d.due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn real() -> Vec<DeadlineSet> {
        let kb = camguard_kb::Kb::embedded().expect("embedded kb loads");
        load_deadlines(&kb).expect("embedded deadline file parses")
    }

    fn find<'a>(sets: &'a [DeadlineSet], id: &str) -> &'a Deadline {
        sets.iter()
            .flat_map(|s| &s.deadlines)
            .find(|d| d.id == id)
            .unwrap_or_else(|| panic!("deadline {id}"))
    }

    #[test]
    fn embedded_file_holds_the_seed_deadlines() {
        let sets = real();
        let ids: Vec<&str> = sets.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "national",
                "an-giang",
                "vinh-long",
                "dien-bien",
                "dien-bien-dic"
            ]
        );
        assert_eq!(sets.iter().filter(|s| s.national).count(), 1);
        let expect = [
            (
                "ct23-level-approved",
                Duty::LevelApproved,
                date!(2023 - 03 - 31),
            ),
            (
                "ct23-plan-deployed",
                Duty::PlanDeployed,
                date!(2023 - 09 - 30),
            ),
            (
                "ag-level-approved",
                Duty::LevelApproved,
                date!(2023 - 05 - 11),
            ),
            (
                "ag-plan-deployed",
                Duty::PlanDeployed,
                date!(2023 - 09 - 30),
            ),
            (
                "vl-level-dossier-submitted",
                Duty::LevelApproved,
                date!(2023 - 04 - 25),
            ),
            (
                "vl-plan-deployed",
                Duty::PlanDeployed,
                date!(2023 - 09 - 20),
            ),
            (
                "db-level-approved",
                Duty::LevelApproved,
                date!(2023 - 03 - 31),
            ),
            (
                "db-plan-deployed",
                Duty::PlanDeployed,
                date!(2023 - 09 - 30),
            ),
            (
                "db-dic-report",
                Duty::ReportSubmitted,
                date!(2023 - 10 - 04),
            ),
        ];
        for (id, duty, due) in expect {
            let d = find(&sets, id);
            assert_eq!((d.duty, d.due), (duty, due), "{id}");
            assert!(!d.source.is_empty());
        }
        let n: usize = sets.iter().map(|s| s.deadlines.len()).sum();
        assert_eq!(n, expect.len(), "every deadline is checked above");
        assert!(
            find(&sets, "ct23-level-approved")
                .source
                .contains("23/CT-TTg ngày 26/12/2022")
        );
        assert!(
            find(&sets, "vl-plan-deployed")
                .source
                .contains("05/CT-UBND")
        );
        assert!(
            find(&sets, "db-dic-report")
                .source
                .contains("05/UBND-KTN ngày 03/01/2023")
        );
        assert_eq!(find(&sets, "db-dic-report").set, "dien-bien-dic");
        // Every interpreted date says so.
        for id in ["ct23-level-approved", "ag-level-approved", "db-dic-report"] {
            assert!(find(&sets, id).note.is_some(), "{id}");
        }
    }

    #[test]
    fn binding_deadline_picks_the_stricter_provincial_date() {
        let sets = real();
        // Vĩnh Long's 20/09/2023 is stricter than the directive's end of September.
        let d = binding_deadline(&sets, &["vinh-long"], Duty::PlanDeployed).unwrap();
        assert_eq!(
            (d.id.as_str(), d.due),
            ("vl-plan-deployed", date!(2023 - 09 - 20))
        );
        // An ancestor's set counts the same way.
        let d = binding_deadline(&sets, &["some-district", "vinh-long"], Duty::PlanDeployed);
        assert_eq!(d.unwrap().id, "vl-plan-deployed");
        // An Giang's later date does not extend the directive's.
        let d = binding_deadline(&sets, &["an-giang"], Duty::LevelApproved).unwrap();
        assert_eq!(
            (d.id.as_str(), d.due),
            ("ct23-level-approved", date!(2023 - 03 - 31))
        );
        // Same date as the directive: the directive (first in the file) is named.
        let d = binding_deadline(&sets, &["dien-bien"], Duty::PlanDeployed).unwrap();
        assert_eq!(d.id, "ct23-plan-deployed");
        // No attachment: the national set only.
        let d = binding_deadline(&sets, &[], Duty::PlanDeployed).unwrap();
        assert_eq!(d.id, "ct23-plan-deployed");
    }

    #[test]
    fn provincial_only_duties_bind_only_their_set() {
        let sets = real();
        assert!(binding_deadline(&sets, &[], Duty::ReportSubmitted).is_none());
        assert!(binding_deadline(&sets, &["dien-bien"], Duty::ReportSubmitted).is_none());
        let d = binding_deadline(
            &sets,
            &["dien-bien", "dien-bien-dic"],
            Duty::ReportSubmitted,
        );
        assert_eq!(d.unwrap().due, date!(2023 - 10 - 04));
        assert!(binding_deadline(&sets, &["vinh-long"], Duty::CamerasReviewed).is_none());
    }

    #[test]
    fn duty_names_round_trip() {
        for duty in Duty::ALL {
            assert_eq!(duty.as_str().parse::<Duty>().unwrap(), duty);
            assert_eq!(duty.to_string(), duty.as_str());
            let json = serde_json::to_string(&duty).unwrap();
            assert_eq!(json, format!("\"{}\"", duty.as_str()));
            assert_eq!(serde_json::from_str::<Duty>(&json).unwrap(), duty);
        }
        let err = "level_approved".parse::<Duty>().unwrap_err().to_string();
        assert!(
            err.contains("level_approved") && err.contains("level-approved"),
            "{err}"
        );
    }

    #[test]
    fn deadline_round_trips_through_json() {
        let sets = real();
        let json = serde_json::to_value(&sets).unwrap();
        assert_eq!(json[0]["deadlines"][0]["due"], "2023-03-31");
        assert_eq!(json[0]["deadlines"][0]["duty"], "level-approved");
        let back: Vec<DeadlineSet> = serde_json::from_value(json).unwrap();
        assert_eq!(back, sets);
    }

    #[test]
    fn broken_files_give_clear_errors() {
        let ok = "schema = 1\nversion = \"t\"\n[[set]]\nid = \"national\"\n\
                  jurisdiction_vi = \"a\"\njurisdiction_en = \"a\"\napplies = \"national\"\n\
                  [[set.deadline]]\nid = \"x-1\"\nduty = \"plan-deployed\"\ndue = \"2023-09-30\"\n\
                  title_vi = \"t\"\ntitle_en = \"t\"\nsource = \"s\"\n";
        let sets = parse_deadlines("registry/deadlines.toml", ok).unwrap();
        assert_eq!(sets[0].deadlines[0].note, None);
        // A bare TOML date is accepted too.
        let bare = ok.replace("\"2023-09-30\"", "2023-09-30");
        assert_eq!(
            parse_deadlines("f", &bare).unwrap()[0].deadlines[0].due,
            date!(2023 - 09 - 30)
        );
        let second = "[[set.deadline]]\nid = \"x-1\"\nduty = \"plan-deployed\"\n\
                      due = \"2023-09-30\"\ntitle_vi = \"t\"\ntitle_en = \"t\"\nsource = \"s\"\n";
        let cases: Vec<(String, &str)> = vec![
            ("schema = 1\n[[set]\n".into(), "TOML parse error"),
            (
                ok.replace("plan-deployed", "plan-done"),
                "unknown duty `plan-done`",
            ),
            (ok.replace("2023-09-30", "2023-09-31"), "not a valid date"),
            (ok.replace("2023-09-30", "30/09/2023"), "not a valid date"),
            (
                ok.replace("\"2023-09-30\"", "2023-09-30T00:00:00"),
                "without a time",
            ),
            (
                ok.replace("\"national\"\n[[", "\"country\"\n[["),
                "applies = \"country\"",
            ),
            (format!("{ok}{second}"), "deadline `x-1` is defined twice"),
            (
                ok.replace("source = \"s\"", "source = \" \""),
                "source is empty",
            ),
            (
                ok.replace("source = \"s\"", "source = \"s\"\nwho = \"dic\""),
                "unknown field `who`",
            ),
            (
                ok.replace("id = \"national\"", "id = \"An Giang\""),
                "set id",
            ),
            (ok.replace("schema = 1", "schema = 2"), "newer"),
            ("schema = 1\nversion = \"t\"\n".into(), "no [[set]]"),
        ];
        for (text, expected) in cases {
            let err = parse_deadlines("registry/deadlines.toml", &text)
                .unwrap_err()
                .to_string();
            assert!(err.contains("registry/deadlines.toml"), "{err}");
            assert!(err.contains(expected), "expected {expected:?} in: {err}");
        }
    }

    #[test]
    fn overlay_replaces_the_embedded_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("registry")).unwrap();
        std::fs::write(
            dir.path().join("registry/deadlines.toml"),
            "schema = 1\nversion = \"t\"\n[[set]]\nid = \"national\"\njurisdiction_vi = \"a\"\n\
             jurisdiction_en = \"a\"\napplies = \"national\"\n[[set.deadline]]\nid = \"n-1\"\n\
             duty = \"level-approved\"\ndue = 2024-01-31\ntitle_vi = \"t\"\ntitle_en = \"t\"\n\
             source = \"s\"\n",
        )
        .unwrap();
        let kb = camguard_kb::Kb::builder()
            .overlay_dir(dir.path())
            .build()
            .unwrap();
        let sets = load_deadlines(&kb).unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0].deadlines[0].due, date!(2024 - 01 - 31));
    }
}
