//! `assess/baseline.toml`: clauses of the baseline standards and the findings that are
//! evidence of failing them.
//!
//! Verdict rule (the file's contract, applied by the baseline stage): `remote = false` → not
//! testable remotely; any listed finding → fail; otherwise pass, or "no evidence of failure"
//! for clauses whose note says "partial".

use super::{entries, finding_pattern_matches, is_known_finding_pattern, raw_str};
use crate::KbError;
use serde::Deserialize;
use std::collections::HashMap;

/// The standards a clause may belong to.
pub const STANDARDS: [&str; 4] = [
    "QCVN 135:2024/BTTTT",
    "QCVN 11:2026/BCA",
    "QĐ 724/QĐ-BTTTT",
    "ETSI EN 303 645",
];

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Stable camguard id (never renumbered).
    pub id: String,
    /// One of [`STANDARDS`].
    pub standard: String,
    /// The clause / item / provision as the source gives it (`5.1-1`, `group 1 (reconstructed)`).
    #[serde(rename = "ref")]
    pub reference: String,
    pub title_vi: String,
    pub title_en: String,
    /// Can a network scan produce evidence against it?
    pub remote: bool,
    /// Finding ids that are evidence of failing it; a trailing `*` matches a prefix.
    #[serde(default)]
    pub findings: Vec<String>,
    /// What the remote evidence does and does not cover.
    #[serde(default)]
    pub note: Option<String>,
    /// The clause that replaces this one (when an official text replaces a reconstruction).
    #[serde(default)]
    pub superseded_by: Option<String>,
}

impl Clause {
    /// Is finding `id` evidence against this clause?
    pub fn matches_finding(&self, id: &str) -> bool {
        self.findings.iter().any(|p| finding_pattern_matches(p, id))
    }

    /// Only part of the requirement is testable remotely (the note starts with "partial"):
    /// a clean scan is "no evidence of failure", not "pass".
    pub fn is_partial(&self) -> bool {
        self.note
            .as_deref()
            .is_some_and(|n| n.trim_start().to_ascii_lowercase().starts_with("partial"))
    }
}

/// The clauses finding `id` is evidence against, in file order; superseded clauses are left out.
pub fn clauses_for_finding<'a>(clauses: &'a [Clause], id: &str) -> Vec<&'a Clause> {
    clauses
        .iter()
        .filter(|c| c.superseded_by.is_none() && c.matches_finding(id))
        .collect()
}

pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Clause>, KbError> {
    let clauses: Vec<Clause> = entries(file, text, "clause", |t, n| match raw_str(t, "id") {
        Some(id) if !id.is_empty() => format!("clause {id}"),
        _ => format!("clause #{n}"),
    })?;
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, c) in clauses.iter().enumerate() {
        let bad = |msg: String| {
            KbError::invalid(
                file,
                format!(
                    "clause {}: {msg}",
                    if c.id.is_empty() {
                        format!("#{}", i + 1)
                    } else {
                        c.id.clone()
                    }
                ),
            )
        };
        let id_ok = !c.id.is_empty()
            && c.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !id_ok {
            return Err(bad(
                "id must be lower-case letters, digits, '-' and '.'".into()
            ));
        }
        if let Some(prev) = ids.insert(&c.id, i + 1) {
            return Err(bad(format!("duplicate id (also entry #{prev})")));
        }
        if !STANDARDS.contains(&c.standard.as_str()) {
            return Err(bad(format!(
                "unknown standard {:?} (known: {})",
                c.standard,
                STANDARDS.join(" | ")
            )));
        }
        if c.reference.trim().is_empty()
            || c.title_vi.trim().is_empty()
            || c.title_en.trim().is_empty()
        {
            return Err(bad("ref, title_vi and title_en are required".into()));
        }
        match (c.remote, c.findings.is_empty()) {
            (false, false) => return Err(bad(
                "remote = false but findings are listed (a clause not testable remotely has none)"
                    .into(),
            )),
            (true, true) => {
                return Err(bad(
                    "remote = true needs the findings that are evidence against it".into(),
                ));
            }
            _ => {}
        }
        for (k, f) in c.findings.iter().enumerate() {
            if !is_known_finding_pattern(f) {
                return Err(bad(format!(
                    "finding {f:?} is not a finding id of docs/spec/scan-output.md (or a prefix pattern such as \"cve:*\")"
                )));
            }
            if c.findings[..k].contains(f) {
                return Err(bad(format!("finding {f:?} listed twice")));
            }
        }
    }
    for c in &clauses {
        if let Some(next) = &c.superseded_by
            && (next == &c.id || !ids.contains_key(next.as_str()))
        {
            return Err(KbError::invalid(
                file,
                format!(
                    "clause {}: superseded_by {next:?} names no other clause",
                    c.id
                ),
            ));
        }
    }
    Ok(clauses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kb;

    fn ids<'a>(list: &[&'a Clause]) -> Vec<&'a str> {
        list.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn embedded_baseline_loads() {
        let kb = Kb::embedded().unwrap();
        assert!(kb.baseline.len() >= 50, "{}", kb.baseline.len());
        for s in STANDARDS {
            assert!(kb.baseline.iter().any(|c| c.standard == s), "{s}");
        }
        let c = kb.clause("etsi-5.1-1").unwrap();
        assert_eq!(
            (c.standard.as_str(), c.reference.as_str()),
            ("ETSI EN 303 645", "5.1-1")
        );
        assert!(kb.clause("qcvn135-g1").unwrap().is_partial());
        assert!(!kb.clause("qcvn135-g5").unwrap().is_partial());
        assert!(!kb.clause("qcvn135-g4").unwrap().remote);
    }

    #[test]
    fn default_credential_rtsp_maps_to_etsi_and_qcvn() {
        let kb = Kb::embedded().unwrap();
        let list = kb.clauses_for_finding("default-credential:rtsp");
        let ids = ids(&list);
        assert!(ids.contains(&"etsi-5.1-1"), "{ids:?}");
        assert!(
            list.iter().any(|c| c.standard.starts_with("QCVN")),
            "{ids:?}"
        );
        assert!(
            ids.contains(&"qcvn135-g1") && ids.contains(&"qd724-2b"),
            "{ids:?}"
        );
        assert!(
            !ids.contains(&"etsi-5.4-3"),
            "that clause lists telnet and ssh only"
        );
        assert!(
            super::super::baseline::clauses_for_finding(&kb.baseline, "default-credential:telnet")
                .iter()
                .any(|c| c.id == "etsi-5.4-3")
        );
    }

    #[test]
    fn prefix_patterns_and_unknown_ids() {
        let kb = Kb::embedded().unwrap();
        let cve = ids(&kb.clauses_for_finding("cve:CVE-2017-7921"));
        assert!(
            cve.contains(&"qcvn135-g2") && cve.contains(&"etsi-5.3-8"),
            "{cve:?}"
        );
        assert!(
            ids(&kb.clauses_for_finding("known-vuln:uniview-2017-main-cgi")).contains(&"qd724-3")
        );
        assert!(ids(&kb.clauses_for_finding("ssh-enabled")).contains(&"etsi-5.6-1"));
        assert!(kb.clauses_for_finding("no-such-finding").is_empty());
        assert!(
            kb.clauses_for_finding("cve").is_empty(),
            "prefix patterns need the whole prefix"
        );
        // Every finding id of the contract is evidence against at least one clause.
        for id in super::super::FINDING_IDS {
            assert!(
                !kb.clauses_for_finding(id).is_empty(),
                "{id} maps to no clause"
            );
        }
    }

    fn one(body: &str) -> Result<Vec<Clause>, KbError> {
        parse("assess/baseline.toml", &format!("schema = 1\n{body}"))
    }

    const OK: &str = "[[clause]]\nid = \"x-1\"\nstandard = \"ETSI EN 303 645\"\nref = \"5.1-1\"\ntitle_vi = \"v\"\ntitle_en = \"e\"\nremote = true\nfindings = [\"telnet-enabled\"]\n";

    #[test]
    fn superseded_clauses_are_left_out() {
        let text = format!(
            "{}{}",
            OK.replace("remote = true", "superseded_by = \"x-2\"\nremote = true"),
            OK.replace("x-1", "x-2")
        );
        let list = one(&text).unwrap();
        assert_eq!(ids(&clauses_for_finding(&list, "telnet-enabled")), ["x-2"]);
    }

    #[test]
    fn rejects_bad_entries() {
        assert_eq!(one(OK).unwrap().len(), 1);
        let cases = [
            (
                OK.replace("telnet-enabled", "telnet-open"),
                "not a finding id",
            ),
            (
                OK.replace("telnet-enabled", "default-credential:smtp"),
                "not a finding id",
            ),
            (OK.replace("telnet-enabled", "cve*:"), "not a finding id"),
            (
                OK.replace("[\"telnet-enabled\"]", "[]"),
                "remote = true needs",
            ),
            (
                OK.replace("remote = true", "remote = false"),
                "remote = false",
            ),
            (
                OK.replace("ETSI EN 303 645", "ETSI EN 303 646"),
                "unknown standard",
            ),
            (
                OK.replace("remote = true", "remote = true\nsuperseded_by = \"zz\""),
                "superseded_by",
            ),
            (
                OK.replace("remote = true", "remote = true\nnotes = \"n\""),
                "unknown field",
            ),
            (format!("{OK}{OK}"), "duplicate id"),
        ];
        for (text, want) in cases {
            let err = one(&text).unwrap_err().to_string();
            assert!(
                err.contains("assess/baseline.toml")
                    && err.contains("clause x-1")
                    && err.contains(want),
                "{want}: {err}"
            );
        }
    }
}
