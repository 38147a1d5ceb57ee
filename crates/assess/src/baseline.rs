//! Baseline verdicts per clause of `kb/assess/baseline.toml`, following its verdict contract:
//! not testable remotely (`remote = false`); fail (a listed finding is present); not tested
//! (the clause's evidence comes only from an opt-in check that did not run); no evidence of
//! failure (clauses only partly testable remotely); pass.

use camguard_kb::Kb;
use camguard_model::{ClauseStatus, ClauseVerdict, Finding};

/// The overall baseline verdict of a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Pass,
    Fail,
    /// Not a camera system (or nothing open): no assessment ran.
    NotAssessed,
}

impl Verdict {
    /// `"pass"`, `"fail"`, or `None` when not assessed (the `HostReport::verdict` value).
    pub fn as_report(self) -> Option<String> {
        match self {
            Verdict::Pass => Some("pass".into()),
            Verdict::Fail => Some("fail".into()),
            Verdict::NotAssessed => None,
        }
    }
}

/// Finding ids produced only by opt-in checks.
const OPT_IN_ONLY: [&str; 1] = ["no-login-lockout"];

pub(crate) fn verdicts(
    kb: &Kb,
    findings: &[Finding],
    lockout_ran: bool,
) -> (Vec<ClauseVerdict>, Verdict) {
    let mut out = Vec::new();
    let mut fail = false;
    for c in kb.baseline.iter().filter(|c| c.superseded_by.is_none()) {
        let mut matched: Vec<String> = findings
            .iter()
            .filter(|f| c.matches_finding(&f.id))
            .map(|f| f.id.clone())
            .collect();
        matched.dedup();
        let verdict = if !c.remote {
            ClauseStatus::NotTestable
        } else if !matched.is_empty() {
            fail = true;
            ClauseStatus::Fail
        } else if !lockout_ran && c.findings.iter().all(|p| OPT_IN_ONLY.contains(&p.as_str())) {
            ClauseStatus::NotTested
        } else if c.is_partial() {
            ClauseStatus::NoEvidence
        } else {
            ClauseStatus::Pass
        };
        out.push(ClauseVerdict {
            clause: c.id.clone(),
            standard: c.standard.clone(),
            reference: c.reference.clone(),
            title_vi: c.title_vi.clone(),
            title_en: c.title_en.clone(),
            verdict,
            findings: matched,
        });
    }
    (out, if fail { Verdict::Fail } else { Verdict::Pass })
}

#[cfg(test)]
mod tests {
    use super::*;
    use camguard_model::Severity;

    fn status(v: &[ClauseVerdict], id: &str) -> ClauseStatus {
        v.iter()
            .find(|c| c.clause == id)
            .unwrap_or_else(|| panic!("{id}"))
            .verdict
    }

    #[test]
    fn clean_host_passes_and_a_finding_fails_its_clauses() {
        let kb = Kb::embedded().unwrap();
        let (v, overall) = verdicts(&kb, &[], false);
        assert_eq!(overall, Verdict::Pass);
        assert_eq!(status(&v, "qcvn135-g4"), ClauseStatus::NotTestable);
        assert_eq!(status(&v, "qcvn135-g5"), ClauseStatus::Pass);
        assert_eq!(
            status(&v, "qcvn135-g1"),
            ClauseStatus::NoEvidence,
            "partial clause"
        );
        assert_eq!(
            status(&v, "qd724-2a"),
            ClauseStatus::NotTested,
            "lockout check did not run"
        );
        let (v, _) = verdicts(&kb, &[], true);
        assert_ne!(status(&v, "qd724-2a"), ClauseStatus::NotTested);

        let f = vec![Finding::new(
            "default-credential:rtsp",
            Severity::High,
            Some(554),
        )];
        let (v, overall) = verdicts(&kb, &f, false);
        assert_eq!(overall, Verdict::Fail);
        assert_eq!(status(&v, "etsi-5.1-1"), ClauseStatus::Fail);
        let c = v.iter().find(|c| c.clause == "etsi-5.1-1").unwrap();
        assert_eq!(c.findings, ["default-credential:rtsp"]);
        assert_eq!(status(&v, "qcvn135-g5"), ClauseStatus::Pass);
    }
}
