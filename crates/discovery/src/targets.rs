//! Target expressions and their randomised, streamed expansion.
//!
//! Accepted forms (IPv4 and IPv6 alike):
//! `192.0.2.7`, `192.0.2.0/24`, `192.0.2.10-192.0.2.20`, `192.0.2.10-20` (last octet),
//! `2001:db8::1`, `2001:db8::/120`, `2001:db8::1-2001:db8::ff`, a hostname, and `@FILE`
//! (one expression per line, `#` starts a comment).
//!
//! Ranges are kept as intervals; [`TargetSet::iter`] walks them through a keyed
//! [`Permutation`] so that consecutive probes land far apart and
//! memory stays flat whatever the size.

use crate::permute::Permutation;
pub use camguard_model::scope::{IpRange, merge};
use camguard_model::scope::{join, split};
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs};
use std::path::Path;

/// Largest number of addresses one scan may cover (2^48: an IPv6 /80, or all of IPv4 65,536
/// times over). Larger sets are refused rather than walked for centuries.
pub const MAX_ADDRESSES: u128 = 1 << 48;

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("bad target {expr:?}: {reason}")]
    Bad { expr: String, reason: String },
    #[error("cannot read target file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

fn bad(expr: &str, reason: impl Into<String>) -> TargetError {
    TargetError::Bad {
        expr: expr.to_string(),
        reason: reason.into(),
    }
}

/// What one expression stands for, before anything is resolved.
enum Expr {
    Range(IpRange),
    /// A well-formed hostname.
    Name(String),
}

/// Parse one expression (not `@file`) without resolving anything.
fn classify(expr: &str) -> Result<Expr, TargetError> {
    let e = expr.trim();
    if e.is_empty() {
        return Err(bad(expr, "empty"));
    }
    if let Ok(ip) = e.parse::<IpAddr>() {
        return Ok(Expr::Range(IpRange::single(ip)));
    }
    if e.contains('/') {
        let net: IpNet = e.parse().map_err(|_| {
            bad(
                expr,
                "not a valid CIDR (expected e.g. 192.0.2.0/24 or 2001:db8::/120)",
            )
        })?;
        // 192.0.2.7/24 means the /24; say nothing, nmap does the same.
        return Ok(Expr::Range(IpRange::from_net(net.trunc())));
    }
    if let Some((a, b)) = e.split_once('-') {
        let (a, b) = (a.trim(), b.trim());
        let start: IpAddr = a
            .parse()
            .map_err(|_| bad(expr, format!("{a:?} is not an IP address")))?;
        let end: IpAddr = match b.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) => match (start, b.parse::<u8>()) {
                (IpAddr::V4(s), Ok(last)) => {
                    let o = s.octets();
                    IpAddr::V4(Ipv4Addr::new(o[0], o[1], o[2], last))
                }
                _ => {
                    return Err(bad(
                        expr,
                        format!("{b:?} is neither an IP address nor a last octet (0-255)"),
                    ));
                }
            },
        };
        let (v6a, x) = split(start);
        let (v6b, y) = split(end);
        if v6a != v6b {
            return Err(bad(expr, "a range cannot mix IPv4 and IPv6"));
        }
        if y < x {
            return Err(bad(expr, "range end is before its start"));
        }
        return Ok(Expr::Range(IpRange {
            v6: v6a,
            start: x,
            end: y,
        }));
    }
    // A hostname. Validate the shape before anyone asks the resolver.
    if e.split('.').all(|l| l.chars().all(|c| c.is_ascii_digit())) {
        return Err(bad(expr, "not an address: each IPv4 octet must be 0-255"));
    }
    let valid = e.len() <= 253
        && e.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
        });
    if !valid {
        return Err(bad(expr, "not an address, CIDR, range or hostname"));
    }
    Ok(Expr::Name(e.to_string()))
}

/// Parse an address, a CIDR or a range. A name is refused, never resolved: where this is used
/// (scope files, organisation scopes) an address must mean the same thing at every use.
pub fn parse_range(expr: &str) -> Result<IpRange, TargetError> {
    match classify(expr)? {
        Expr::Range(r) => Ok(r),
        Expr::Name(_) => Err(bad(
            expr,
            "a name is not allowed here, only addresses, CIDRs or ranges (names are not resolved)",
        )),
    }
}

/// One target expression with the addresses it stands for.
///
/// A hostname is resolved exactly once, when the target is parsed; the scope check
/// ([`crate::scope::check`]) and the scan ([`TargetSet::iter`]) both read the addresses kept
/// here, so a name whose answer changes between lookups (DNS rebinding) cannot make the scan
/// connect to an address that was not checked.
#[derive(Clone, Debug)]
pub struct Target {
    /// The expression as given.
    pub label: String,
    /// The hostname, when the target was given by name.
    pub name: Option<String>,
    /// The addresses: one range for an address, CIDR or range; one single-address range per
    /// address the name resolved to.
    pub ranges: Vec<IpRange>,
}

impl Target {
    /// Parse one expression (not `@file`); a hostname is resolved here, once.
    pub fn parse(expr: &str) -> Result<Target, TargetError> {
        let label = expr.trim().to_string();
        match classify(expr)? {
            Expr::Range(r) => Ok(Target {
                label,
                name: None,
                ranges: vec![r],
            }),
            Expr::Name(name) => {
                let mut addrs: Vec<IpAddr> = (name.as_str(), 0u16)
                    .to_socket_addrs()
                    .map_err(|err| bad(expr, format!("cannot resolve hostname: {err}")))?
                    .map(|sa| sa.ip())
                    .collect();
                addrs.sort();
                addrs.dedup();
                if addrs.is_empty() {
                    return Err(bad(expr, "hostname has no address"));
                }
                Ok(Target {
                    label,
                    ranges: addrs.into_iter().map(IpRange::single).collect(),
                    name: Some(name),
                })
            }
        }
    }

    /// How one of this target's ranges is named in messages: the expression itself, or with
    /// the addresses when it stands for several ranges or is a name.
    pub fn describe(&self, r: &IpRange) -> String {
        if self.ranges.len() > 1 || self.name.is_some() {
            format!("{} ({r})", self.label)
        } else {
            self.label.clone()
        }
    }
}

/// Expand `@file` references into their expressions.
pub fn expand_files(exprs: &[String]) -> Result<Vec<String>, TargetError> {
    let mut out = Vec::new();
    for e in exprs {
        if let Some(path) = e.strip_prefix('@') {
            let text =
                std::fs::read_to_string(Path::new(path)).map_err(|source| TargetError::File {
                    path: path.to_string(),
                    source,
                })?;
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or("").trim();
                if line.is_empty() {
                    continue;
                }
                if line.starts_with('@') {
                    return Err(bad(
                        line,
                        format!("target files cannot include other files (in {path})"),
                    ));
                }
                out.extend(
                    line.split([',', ' ', '\t'])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
            }
        } else {
            out.extend(
                e.split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().to_string()),
            );
        }
    }
    Ok(out)
}

/// The set of addresses of a scan: targets minus exclusions.
#[derive(Clone, Debug, Default)]
pub struct TargetSet {
    /// The expressions as given (after `@file` expansion), for the report.
    pub labels: Vec<String>,
    /// Each expression with the addresses it stands for (names resolved once, here).
    pub targets: Vec<Target>,
    /// Merged target ranges, IPv4 first: the union of `targets`' ranges, and what is walked.
    pub ranges: Vec<IpRange>,
    /// Merged excluded ranges.
    pub excluded: Vec<IpRange>,
    /// Addresses that were given by name.
    pub hostnames: HashMap<IpAddr, String>,
    pub(crate) total: u128,
}

impl TargetSet {
    /// Parse targets and exclusions (`@file` is allowed in both), resolving every name once.
    pub fn parse(targets: &[String], excludes: &[String]) -> Result<TargetSet, TargetError> {
        let labels = expand_files(targets)?;
        if labels.is_empty() {
            return Err(TargetError::Other("no targets given".into()));
        }
        let targets = labels
            .iter()
            .map(|l| Target::parse(l))
            .collect::<Result<Vec<_>, _>>()?;
        let mut hostnames = HashMap::new();
        for t in &targets {
            if let Some(name) = &t.name {
                for r in &t.ranges {
                    hostnames.insert(r.first(), name.clone());
                }
            }
        }
        let mut ex = Vec::new();
        for l in expand_files(excludes)? {
            ex.extend(Target::parse(&l)?.ranges);
        }
        let ranges = merge(
            targets
                .iter()
                .flat_map(|t| t.ranges.iter().copied())
                .collect(),
        );
        let total: u128 = ranges.iter().map(IpRange::len).sum();
        if total > MAX_ADDRESSES {
            return Err(TargetError::Other(format!(
                "targets cover {total} addresses, more than the {MAX_ADDRESSES} one scan may walk; split the scan"
            )));
        }
        Ok(TargetSet {
            labels,
            targets,
            ranges,
            excluded: merge(ex),
            hostnames,
            total,
        })
    }

    /// Number of addresses before exclusions.
    pub fn total(&self) -> u128 {
        self.total
    }

    /// Number of addresses that will actually be probed.
    pub fn count(&self) -> u128 {
        let mut n = self.total;
        for r in &self.ranges {
            for x in &self.excluded {
                if r.overlaps(x) {
                    n -= r.end.min(x.end) - r.start.max(x.start) + 1;
                }
            }
        }
        n
    }

    pub fn is_excluded(&self, ip: IpAddr) -> bool {
        let (v6, x) = split(ip);
        // excluded is sorted by (v6, start) and non-overlapping: binary search.
        let idx = self
            .excluded
            .partition_point(|r| (r.v6, r.start) <= (v6, x));
        idx > 0 && self.excluded[idx - 1].contains(ip)
    }

    /// Walk every non-excluded address once, in an order chosen by `seed`.
    pub fn iter(&self, seed: u64) -> TargetIter<'_> {
        let mut starts = Vec::with_capacity(self.ranges.len());
        let mut acc = 0u128;
        for r in &self.ranges {
            starts.push(acc);
            acc += r.len();
        }
        TargetIter {
            set: self,
            starts,
            perm: Permutation::new(self.total as u64, seed),
            next: 0,
        }
    }
}

/// Iterator of [`TargetSet::iter`].
pub struct TargetIter<'a> {
    set: &'a TargetSet,
    starts: Vec<u128>,
    perm: Permutation,
    next: u64,
}

impl TargetIter<'_> {
    /// How many positions of the (seeded) order have been walked, excluded addresses included.
    /// The address last returned by `next` sits at `position() - 1`.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// Continue from a position of the order (to resume a scan with the same seed).
    pub fn skip_to(&mut self, position: u64) {
        self.next = position.min(self.perm.len());
    }
}

impl Iterator for TargetIter<'_> {
    type Item = IpAddr;

    fn next(&mut self) -> Option<IpAddr> {
        while self.next < self.perm.len() {
            let idx = u128::from(self.perm.apply(self.next));
            self.next += 1;
            let r = self.starts.partition_point(|s| *s <= idx) - 1;
            let range = &self.set.ranges[r];
            let ip = join(range.v6, range.start + (idx - self.starts[r]));
            if !self.set.is_excluded(ip) {
                return Some(ip);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn set(t: &[&str], x: &[&str]) -> TargetSet {
        TargetSet::parse(
            &t.iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>(),
            &x.iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn forms_parse() {
        assert_eq!(set(&["127.0.0.1"], &[]).count(), 1);
        assert_eq!(set(&["127.66.0.0/24"], &[]).count(), 256);
        assert_eq!(set(&["127.66.0.10-127.66.0.19"], &[]).count(), 10);
        assert_eq!(set(&["127.66.0.10-19"], &[]).count(), 10);
        assert_eq!(set(&["::1"], &[]).count(), 1);
        assert_eq!(set(&["fd00::/120"], &[]).count(), 256);
        assert!(set(&["localhost"], &[]).count() >= 1);
        assert_eq!(
            set(&["127.66.0.7/24"], &[]).ranges[0].first().to_string(),
            "127.66.0.0"
        );
    }

    #[test]
    fn bad_inputs_say_why() {
        for (e, why) in [
            ("127.0.0.300", "not an address"),
            ("10.0.0.0/33", "CIDR"),
            ("10.0.0.9-10.0.0.1", "before its start"),
            ("10.0.0.1-::5", "mix"),
            ("bad host!", "not an address"),
            ("10.0.0.1-300", "last octet"),
        ] {
            let err = TargetSet::parse(&[e.to_string()], &[])
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{e}: {err}");
            assert!(err.contains(e), "{err}");
        }
    }

    #[test]
    fn overlapping_targets_are_walked_once_and_exclusions_hold() {
        let s = set(
            &["127.66.0.0/24", "127.66.0.128/25", "127.66.1.0-127.66.1.9"],
            &["127.66.0.0/26", "127.66.1.5"],
        );
        assert_eq!(s.total(), 266);
        assert_eq!(s.count(), 266 - 64 - 1);
        let seen: Vec<IpAddr> = s.iter(3).collect();
        let uniq: HashSet<_> = seen.iter().collect();
        assert_eq!(seen.len(), 201);
        assert_eq!(uniq.len(), 201);
        assert!(!uniq.contains(&"127.66.1.5".parse::<IpAddr>().unwrap()));
        assert!(!uniq.contains(&"127.66.0.63".parse::<IpAddr>().unwrap()));
        assert!(uniq.contains(&"127.66.0.64".parse::<IpAddr>().unwrap()));
    }

    #[test]
    fn huge_sets_stream_without_materialising() {
        // A /8 is 16 M addresses; taking the first thousand must be instant and small.
        let s = set(&["10.0.0.0/8"], &[]);
        assert_eq!(s.count(), 1 << 24);
        let first: HashSet<IpAddr> = s.iter(1).take(1000).collect();
        assert_eq!(first.len(), 1000);
        let v6 = set(&["fd00::/80"], &[]);
        assert_eq!(v6.count(), 1u128 << 48);
        assert_eq!(v6.iter(1).take(10).count(), 10);
        let err = TargetSet::parse(&["fd00::/64".to_string()], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("split the scan"), "{err}");
    }

    #[test]
    fn target_files_with_comments() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.txt");
        std::fs::write(
            &p,
            "# site A\n127.66.0.1\n\n127.66.0.2  # the NVR\n127.66.1.0/30\n",
        )
        .unwrap();
        let s = set(&[&format!("@{}", p.display())], &[]);
        assert_eq!(s.count(), 6);
        let err = TargetSet::parse(&["@/nonexistent/x".to_string()], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/x"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            // parse_range never resolves a name (no packet leaves this test).
            let _ = parse_range(&s);
        }

        #[test]
        fn every_address_once(start in 0u32..1000, len in 1u32..600, seed in 0u64..1000) {
            let a = std::net::Ipv4Addr::from(0x7f42_0000u32 + start);
            let b = std::net::Ipv4Addr::from(0x7f42_0000u32 + start + len - 1);
            let s = set(&[&format!("{a}-{b}")], &[]);
            let v: HashSet<IpAddr> = s.iter(seed).collect();
            proptest::prop_assert_eq!(v.len() as u32, len);
        }
    }
}
