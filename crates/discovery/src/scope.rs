//! Scope: the addresses a scan is authorised to touch.
//!
//! Scanning other people's cameras is a crime, so the rule is simple and checked before the
//! first packet: every target range must lie entirely inside the declared scope. Some
//! addresses are never scanned whatever the scope says: `0.0.0.0/8`, multicast
//! (`224.0.0.0/4`, `ff00::/8`), the reserved block `240.0.0.0/4` that holds the limited
//! broadcast address `255.255.255.255`, and the unspecified `::`.
//!
//! Without a scope file, only non-public space may be scanned (loopback, RFC 1918, CGNAT
//! 100.64/10, link-local, IPv6 ULA): a public address needs an explicit `--scope` declaring
//! the operator's authorisation.

use crate::targets::{IpRange, TargetSet, merge, parse_expr};
use ipnet::IpNet;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    /// The scope file itself is broken (a usage error, exit 2).
    #[error("scope file {path}: line {line}: {reason}")]
    BadFile {
        path: String,
        line: usize,
        reason: String,
    },
    #[error("cannot read scope file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// A target is not allowed (exit 3).
    #[error("refused: {target} {reason}")]
    Refused { target: String, reason: String },
}

impl ScopeError {
    /// True when the error is a refusal (as opposed to a broken scope file).
    pub fn is_refusal(&self) -> bool {
        matches!(self, ScopeError::Refused { .. })
    }
}

const NEVER: &[(&str, &str)] = &[
    (
        "0.0.0.0/8",
        "is in 0.0.0.0/8 (\"this network\"), which is never scanned",
    ),
    ("224.0.0.0/4", "is multicast, which is never scanned"),
    (
        "240.0.0.0/4",
        "is reserved or broadcast (240.0.0.0/4, 255.255.255.255), which is never scanned",
    ),
    ("ff00::/8", "is IPv6 multicast, which is never scanned"),
    (
        "::/128",
        "is the unspecified address, which is never scanned",
    ),
];

const NON_PUBLIC: &[&str] = &[
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
];

fn ranges(list: &[&str]) -> Vec<IpRange> {
    list.iter()
        .map(|s| IpRange::from_net(s.parse::<IpNet>().expect("built-in CIDR")))
        .collect()
}

/// The authorised scope.
#[derive(Clone, Debug)]
pub struct Scope {
    allowed: Vec<IpRange>,
    /// Where the scope came from, for messages and the audit trail.
    pub source: String,
    explicit: bool,
}

impl Scope {
    /// The implicit scope when no file is given: non-public address space only.
    pub fn non_public() -> Scope {
        Scope {
            allowed: merge(ranges(NON_PUBLIC)),
            source: "non-public address space (no --scope given)".into(),
            explicit: false,
        }
    }

    /// A scope from explicit ranges (CIDRs, addresses or ranges).
    pub fn from_exprs<S: AsRef<str>>(exprs: &[S], source: &str) -> Result<Scope, ScopeError> {
        let mut allowed = Vec::new();
        for (i, e) in exprs.iter().enumerate() {
            let e = e.as_ref();
            let looks_like_address =
                e.parse::<std::net::IpAddr>().is_ok() || e.contains('/') || e.contains('-');
            if !looks_like_address {
                return Err(ScopeError::BadFile {
                    path: source.into(),
                    line: i + 1,
                    reason: format!("{e:?}: a scope lists addresses, CIDRs or ranges, not names"),
                });
            }
            let (r, _) = parse_expr(e).map_err(|err| ScopeError::BadFile {
                path: source.into(),
                line: i + 1,
                reason: err.to_string(),
            })?;
            allowed.extend(r);
        }
        Ok(Scope {
            allowed: merge(allowed),
            source: source.into(),
            explicit: true,
        })
    }

    /// Read a scope file: one CIDR, address or range per line, `#` comments.
    pub fn from_file(path: &Path) -> Result<Scope, ScopeError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScopeError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut allowed = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let one =
                Scope::from_exprs(&[line], &path.display().to_string()).map_err(|e| match e {
                    ScopeError::BadFile { path, reason, .. } => ScopeError::BadFile {
                        path,
                        line: i + 1,
                        reason,
                    },
                    other => other,
                })?;
            allowed.extend(one.allowed);
        }
        if allowed.is_empty() {
            return Err(ScopeError::BadFile {
                path: path.display().to_string(),
                line: 0,
                reason: "the scope is empty".into(),
            });
        }
        Ok(Scope {
            allowed: merge(allowed),
            source: path.display().to_string(),
            explicit: true,
        })
    }

    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    pub fn ranges(&self) -> &[IpRange] {
        &self.allowed
    }

    /// Check one range against the never-scanned blocks and this scope.
    pub fn check_range(&self, r: &IpRange, label: &str) -> Result<(), ScopeError> {
        for (net, why) in NEVER {
            let never = IpRange::from_net(net.parse().expect("built-in CIDR"));
            if r.overlaps(&never) {
                let reason = if r.start == r.end {
                    why.to_string()
                } else {
                    format!(
                        "includes addresses that are never scanned: {net} {}",
                        why.trim_start_matches("is ")
                    )
                };
                return Err(ScopeError::Refused {
                    target: label.into(),
                    reason,
                });
            }
        }
        // A merged scope is sorted and disjoint, so a range inside the scope is inside one piece.
        if !self.allowed.iter().any(|a| r.within(a)) {
            let reason = if self.explicit {
                format!("is outside the authorised scope ({})", self.source)
            } else {
                "is public address space; declare your authorisation with --scope FILE (one CIDR per line) to scan it".into()
            };
            return Err(ScopeError::Refused {
                target: label.into(),
                reason,
            });
        }
        Ok(())
    }

    /// Check every target of a set (exclusions do not make an out-of-scope target acceptable:
    /// the operator must name only what they may scan).
    pub fn check(&self, targets: &TargetSet) -> Result<(), ScopeError> {
        for label in &targets.labels {
            let (ranges, _) = parse_expr(label).map_err(|e| ScopeError::Refused {
                target: label.clone(),
                reason: e.to_string(),
            })?;
            for r in &ranges {
                let shown = if ranges.len() > 1
                    || label.parse::<std::net::IpAddr>().is_err()
                        && !label.contains('/')
                        && !label.contains('-')
                {
                    format!("{label} ({r})")
                } else {
                    label.clone()
                };
                self.check_range(r, &shown)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(t: &[&str]) -> TargetSet {
        TargetSet::parse(&t.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &[]).unwrap()
    }

    #[test]
    fn never_scanned_blocks_are_refused_even_inside_scope() {
        let scope = Scope::from_exprs(&["0.0.0.0/0", "::/0"], "test").unwrap();
        for t in [
            "224.0.0.1",
            "255.255.255.255",
            "0.1.2.3",
            "239.255.255.250",
            "ff02::1",
            "0.0.0.0/0",
            "223.255.255.0-224.0.0.5",
        ] {
            let err = scope.check(&targets(&[t])).unwrap_err();
            assert!(err.is_refusal(), "{t}");
            assert!(err.to_string().contains(t), "{err}");
        }
        scope.check(&targets(&["127.66.0.0/16", "::1"])).unwrap();
    }

    #[test]
    fn targets_outside_an_explicit_scope_are_refused() {
        let scope = Scope::from_exprs(&["127.66.0.0/16"], "scope.txt").unwrap();
        scope
            .check(&targets(&["127.66.3.0/24", "127.66.0.1-127.66.0.9"]))
            .unwrap();
        let err = scope
            .check(&targets(&["127.66.255.0-127.67.0.5"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("outside the authorised scope (scope.txt)"),
            "{err}"
        );
        let err = scope
            .check(&targets(&["127.67.0.1"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("127.67.0.1"), "{err}");
    }

    #[test]
    fn public_space_needs_a_scope() {
        let scope = Scope::non_public();
        scope
            .check(&targets(&[
                "127.0.0.1",
                "10.1.0.0/16",
                "192.168.1.0/24",
                "fd00::1",
            ]))
            .unwrap();
        let err = scope.check(&targets(&["8.8.8.8"])).unwrap_err().to_string();
        assert!(err.contains("--scope"), "{err}");
    }

    #[test]
    fn scope_file_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("scope.txt");
        std::fs::write(&p, "# mine\n127.66.0.0/16\n127.66.0.0/99\n").unwrap();
        let err = Scope::from_file(&p).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        std::fs::write(&p, "# nothing\n").unwrap();
        assert!(
            Scope::from_file(&p)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        std::fs::write(&p, "127.66.0.0/16 # lab\n::1\n").unwrap();
        let s = Scope::from_file(&p).unwrap();
        assert_eq!(s.ranges().len(), 2);
    }
}
