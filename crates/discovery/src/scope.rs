//! Scope: the addresses a scan is authorised to touch.
//!
//! The rule itself (inside the declared ranges, outside the blocks that are never scanned;
//! non-public space only when no scope is declared) has one owner, [`camguard_model::scope`],
//! so that the store and the import of earlier scans apply exactly the same rule. This module
//! reads scope files and checks a [`TargetSet`] against a [`Scope`], before the first packet.
//!
//! Names are never resolved here: a scope lists addresses, CIDRs or ranges, and a target set
//! carries the addresses its names resolved to when it was parsed (once). The addresses
//! checked are therefore exactly the addresses scanned.

use crate::targets::{TargetSet, parse_range};
pub use camguard_model::scope::{Refusal, Scope};
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
    #[error(transparent)]
    Refused(#[from] Refusal),
}

impl ScopeError {
    /// True when the error is a refusal (as opposed to a broken scope file).
    pub fn is_refusal(&self) -> bool {
        matches!(self, ScopeError::Refused(_))
    }
}

/// A declared scope from expressions (CIDRs, addresses or ranges; never names).
pub fn from_exprs<S: AsRef<str>>(exprs: &[S], source: &str) -> Result<Scope, ScopeError> {
    let mut allowed = Vec::with_capacity(exprs.len());
    for (i, e) in exprs.iter().enumerate() {
        let e = e.as_ref();
        let r = parse_range(e).map_err(|err| ScopeError::BadFile {
            path: source.into(),
            line: i + 1,
            reason: err.to_string(),
        })?;
        allowed.push(r);
    }
    Ok(Scope::from_ranges(allowed, source))
}

/// Read a scope file: one CIDR, address or range per line, `#` comments.
pub fn from_file(path: &Path) -> Result<Scope, ScopeError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScopeError::Io {
        path: shown.clone(),
        source,
    })?;
    let mut allowed = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let r = parse_range(line).map_err(|err| ScopeError::BadFile {
            path: shown.clone(),
            line: i + 1,
            reason: err.to_string(),
        })?;
        allowed.push(r);
    }
    if allowed.is_empty() {
        return Err(ScopeError::BadFile {
            path: shown,
            line: 0,
            reason: "the scope is empty".into(),
        });
    }
    Ok(Scope::from_ranges(allowed, &shown))
}

/// Check every address of a target set against the never-scanned blocks and `scope`
/// (exclusions do not make an out-of-scope target acceptable: the operator must name only what
/// they may scan). Reads the addresses the set resolved when it was parsed; resolves nothing.
pub fn check(scope: &Scope, targets: &TargetSet) -> Result<(), ScopeError> {
    for t in &targets.targets {
        for r in &t.ranges {
            scope.check_range(r, &t.describe(r))?;
        }
    }
    // The walked ranges are the union of the targets' ranges; check them too, so that the
    // check and the walk can never drift apart.
    for r in &targets.ranges {
        if !scope.covers(r) {
            scope.check_range(r, &r.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(t: &[&str]) -> TargetSet {
        TargetSet::parse(
            &t.iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>(),
            &[],
        )
        .unwrap()
    }

    #[test]
    fn never_scanned_blocks_are_refused_even_inside_scope() {
        let scope = from_exprs(&["0.0.0.0/0", "::/0"], "test").unwrap();
        for t in [
            "224.0.0.1",
            "255.255.255.255",
            "0.1.2.3",
            "239.255.255.250",
            "ff02::1",
            "0.0.0.0/0",
            "223.255.255.0-224.0.0.5",
        ] {
            let err = check(&scope, &targets(&[t])).unwrap_err();
            assert!(err.is_refusal(), "{t}");
            assert!(err.to_string().contains(t), "{err}");
        }
        check(&scope, &targets(&["127.66.0.0/16", "::1"])).unwrap();
    }

    #[test]
    fn targets_outside_an_explicit_scope_are_refused() {
        let scope = from_exprs(&["127.66.0.0/16"], "scope.txt").unwrap();
        check(
            &scope,
            &targets(&["127.66.3.0/24", "127.66.0.1-127.66.0.9"]),
        )
        .unwrap();
        let err = check(&scope, &targets(&["127.66.255.0-127.67.0.5"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("outside the authorised scope (scope.txt)"),
            "{err}"
        );
        let err = check(&scope, &targets(&["127.67.0.1"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("127.67.0.1"), "{err}");
    }

    #[test]
    fn public_space_needs_a_scope() {
        let scope = Scope::non_public();
        check(
            &scope,
            &targets(&["127.0.0.1", "10.1.0.0/16", "192.168.1.0/24", "fd00::1"]),
        )
        .unwrap();
        let err = check(&scope, &targets(&["8.8.8.8"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--scope"), "{err}");
    }

    #[test]
    fn names_are_checked_at_the_addresses_they_resolved_to_and_never_again() {
        // A set as `TargetSet::parse` leaves it after resolving a name once. The name does not
        // exist: the check must use the stored address, not ask a resolver.
        let name = "camera.invalid";
        let addr: std::net::IpAddr = "198.51.100.7".parse().unwrap();
        let r = crate::targets::IpRange::single(addr);
        let set = TargetSet {
            labels: vec![name.into()],
            targets: vec![crate::targets::Target {
                label: name.into(),
                name: Some(name.into()),
                ranges: vec![r],
            }],
            ranges: vec![r],
            total: 1,
            ..TargetSet::default()
        };
        let err = check(&from_exprs(&["127.0.0.0/8"], "scope.txt").unwrap(), &set)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "refused: camera.invalid (198.51.100.7) is outside the authorised scope (scope.txt)"
        );
        check(
            &from_exprs(&["198.51.100.0/24"], "scope.txt").unwrap(),
            &set,
        )
        .unwrap();
    }

    #[test]
    fn a_scope_lists_addresses_not_names() {
        let err = from_exprs(&["127.0.0.0/8", "localhost"], "scope.txt")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("not resolved"),
            "{err}"
        );
    }

    #[test]
    fn scope_file_errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("scope.txt");
        std::fs::write(&p, "# mine\n127.66.0.0/16\n127.66.0.0/99\n").unwrap();
        let err = from_file(&p).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        std::fs::write(&p, "# nothing\n").unwrap();
        assert!(from_file(&p).unwrap_err().to_string().contains("empty"));
        std::fs::write(&p, "127.66.0.0/16 # lab\n::1\n").unwrap();
        let s = from_file(&p).unwrap();
        assert_eq!(s.ranges().len(), 2);
    }
}
