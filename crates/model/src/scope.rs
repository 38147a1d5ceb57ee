//! The scope rule, written once: which addresses camguard may touch.
//!
//! Scanning other people's cameras is a crime, so the rule is simple: an address (or a whole
//! range) is allowed when it lies inside the declared scope and outside the blocks that are
//! never scanned whatever the scope says: `0.0.0.0/8`, multicast (`224.0.0.0/4`, `ff00::/8`),
//! the reserved block `240.0.0.0/4` that holds the limited broadcast address
//! `255.255.255.255`, and the unspecified `::`. Without a declared scope, only non-public space
//! may be scanned (loopback, RFC 1918, CGNAT 100.64/10, link-local, IPv6 ULA).
//!
//! Every place that decides whether an address may be (or may have been) scanned uses this
//! module: the scan command's `--scope` and organisation checks (through
//! `camguard-discovery`, which parses scope files and target expressions), the import of a
//! scan done earlier, and the store's checks of an organisation's scope and of stored hosts.
//! The rule works on addresses only; it never resolves a name (a target's name is resolved
//! once, by the target parser, and the addresses it got are both checked and scanned).

use ipnet::IpNet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An inclusive interval of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpRange {
    pub v6: bool,
    pub start: u128,
    pub end: u128,
}

/// An address as (is IPv6, number).
pub fn split(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (false, u128::from(u32::from(a))),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

/// The inverse of [`split`] (an IPv4 number is truncated to 32 bits).
pub fn join(v6: bool, x: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(x))
    } else {
        IpAddr::V4(Ipv4Addr::from(x as u32))
    }
}

impl IpRange {
    pub fn single(ip: IpAddr) -> Self {
        let (v6, x) = split(ip);
        IpRange {
            v6,
            start: x,
            end: x,
        }
    }

    pub fn from_net(net: IpNet) -> Self {
        let (v6, start) = split(net.network());
        let (_, end) = split(net.broadcast());
        IpRange { v6, start, end }
    }

    pub fn len(&self) -> u128 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let (v6, x) = split(ip);
        v6 == self.v6 && self.start <= x && x <= self.end
    }

    pub fn first(&self) -> IpAddr {
        join(self.v6, self.start)
    }

    pub fn last(&self) -> IpAddr {
        join(self.v6, self.end)
    }

    /// Does this range overlap `other`?
    pub fn overlaps(&self, other: &IpRange) -> bool {
        self.v6 == other.v6 && self.start <= other.end && other.start <= self.end
    }

    /// Is this range entirely inside `other`?
    pub fn within(&self, other: &IpRange) -> bool {
        self.v6 == other.v6 && other.start <= self.start && self.end <= other.end
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.first())
        } else {
            write!(f, "{}-{}", self.first(), self.last())
        }
    }
}

/// Sort and merge overlapping or adjacent ranges.
pub fn merge(mut ranges: Vec<IpRange>) -> Vec<IpRange> {
    ranges.sort();
    let mut out: Vec<IpRange> = Vec::with_capacity(ranges.len());
    for r in ranges {
        if let Some(last) = out.last_mut()
            && last.v6 == r.v6
            && r.start <= last.end.saturating_add(1)
        {
            last.end = last.end.max(r.end);
            continue;
        }
        out.push(r);
    }
    out
}

/// Blocks that are never scanned, whatever the scope says, with why.
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

/// Address space that may be scanned without a declared scope.
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

fn builtin(net: &str) -> IpRange {
    // The tables above are constants checked by a unit test.
    IpRange::from_net(net.parse().expect("built-in CIDR"))
}

/// Why `r` touches a block that is never scanned, if it does.
pub fn never_scanned(r: &IpRange) -> Option<String> {
    let (net, why) = NEVER.iter().find(|(net, _)| r.overlaps(&builtin(net)))?;
    Some(if r.start == r.end {
        (*why).to_string()
    } else {
        format!(
            "includes addresses that are never scanned: {net} {}",
            why.trim_start_matches("is ")
        )
    })
}

/// A target (or a stored host) the scope does not allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The target as the user wrote it (with the address it stands for, when it is a name).
    pub target: String,
    /// Why, as the end of a sentence whose subject is the target.
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused: {} {}", self.target, self.reason)
    }
}

impl std::error::Error for Refusal {}

/// An authorised scope: the addresses a scan may touch, minus the never-scanned blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    allowed: Vec<IpRange>,
    /// Where the scope came from, for messages and the audit trail.
    pub source: String,
    explicit: bool,
}

impl Scope {
    /// The implicit scope when none is declared: non-public address space only.
    pub fn non_public() -> Scope {
        Scope {
            allowed: merge(NON_PUBLIC.iter().map(|n| builtin(n)).collect()),
            source: "non-public address space (no --scope given)".into(),
            explicit: false,
        }
    }

    /// A declared scope from ranges (e.g. the lines of a scope file). An empty list allows
    /// nothing.
    pub fn from_ranges(ranges: impl IntoIterator<Item = IpRange>, source: &str) -> Scope {
        Scope {
            allowed: merge(ranges.into_iter().collect()),
            source: source.into(),
            explicit: true,
        }
    }

    /// A declared scope from networks (an organisation's authorised CIDRs).
    pub fn from_nets(nets: &[IpNet], source: &str) -> Scope {
        Scope::from_ranges(nets.iter().map(|n| IpRange::from_net(n.trunc())), source)
    }

    /// Was the scope declared (a file, an organisation), rather than the non-public default?
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// The allowed ranges, merged (sorted, disjoint).
    pub fn ranges(&self) -> &[IpRange] {
        &self.allowed
    }

    /// Is all of `r` inside the scope? (The never-scanned blocks are not considered: use this
    /// to compare scopes, e.g. a unit's scope with its parent's; use [`Scope::check_range`]
    /// for addresses to scan.)
    pub fn covers(&self, r: &IpRange) -> bool {
        // Merged pieces are disjoint and not adjacent, so a range inside the scope is inside
        // one piece.
        self.allowed.iter().any(|a| r.within(a))
    }

    /// May every address of `r` be scanned? `label` names the range in the refusal.
    pub fn check_range(&self, r: &IpRange, label: &str) -> Result<(), Refusal> {
        if let Some(reason) = never_scanned(r) {
            return Err(Refusal {
                target: label.into(),
                reason,
            });
        }
        if !self.covers(r) {
            let reason = if self.explicit {
                format!("is outside the authorised scope ({})", self.source)
            } else {
                "is public address space; declare your authorisation with --scope FILE (one CIDR per line) to scan it".into()
            };
            return Err(Refusal {
                target: label.into(),
                reason,
            });
        }
        Ok(())
    }

    /// May `ip` be scanned (or have been: a stored or imported host)?
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Refusal> {
        self.check_range(&IpRange::single(ip), &ip.to_string())
    }

    /// [`Scope::check_ip`] as a yes or no.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.check_ip(ip).is_ok()
    }

    /// May every address of `net` be scanned?
    pub fn check_net(&self, net: &IpNet) -> Result<(), Refusal> {
        self.check_range(&IpRange::from_net(net.trunc()), &net.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn builtin_tables_parse() {
        for (net, _) in NEVER {
            assert!(net.parse::<IpNet>().is_ok(), "{net}");
        }
        for net in NON_PUBLIC {
            assert!(net.parse::<IpNet>().is_ok(), "{net}");
        }
    }

    #[test]
    fn never_scanned_blocks_are_refused_inside_any_scope() {
        let all = Scope::from_nets(
            &["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()],
            "t",
        );
        for a in ["224.0.0.1", "255.255.255.255", "0.1.2.3", "ff02::1", "::"] {
            let err = all.check_ip(ip(a)).unwrap_err();
            assert!(err.reason.contains("never scanned"), "{a}: {err}");
            assert_eq!(err.target, a);
        }
        assert!(all.check_ip(ip("8.8.8.8")).is_ok());
        let err = all.check_net(&"192.0.0.0/2".parse().unwrap()).unwrap_err();
        assert!(err.reason.contains("includes addresses"), "{err}");
    }

    #[test]
    fn organisation_scopes_and_the_default() {
        let org = Scope::from_nets(&["127.66.0.0/16".parse().unwrap()], "the scope of HN");
        assert!(org.check_ip(ip("127.66.200.1")).is_ok());
        let err = org.check_ip(ip("127.67.0.1")).unwrap_err().to_string();
        assert_eq!(
            err,
            "refused: 127.67.0.1 is outside the authorised scope (the scope of HN)"
        );
        assert!(org.covers(&IpRange::from_net("127.66.3.0/24".parse().unwrap())));
        assert!(!org.covers(&IpRange::from_net("127.0.0.0/8".parse().unwrap())));
        // A non-normalised CIDR means its network.
        let odd = Scope::from_nets(&["127.66.0.9/24".parse().unwrap()], "t");
        assert!(odd.check_ip(ip("127.66.0.1")).is_ok());

        let default = Scope::non_public();
        for a in ["127.0.0.1", "10.1.2.3", "192.168.1.1", "fd00::1", "::1"] {
            assert!(default.check_ip(ip(a)).is_ok(), "{a}");
        }
        let err = default.check_ip(ip("198.51.100.7")).unwrap_err();
        assert!(err.reason.contains("--scope"), "{err}");
        assert!(
            Scope::from_ranges([], "empty")
                .check_ip(ip("127.0.0.1"))
                .is_err()
        );
    }

    #[test]
    fn merge_joins_adjacent_and_keeps_families_apart() {
        let r = |a: &str, b: &str| IpRange {
            v6: false,
            start: split(ip(a)).1,
            end: split(ip(b)).1,
        };
        let m = merge(vec![
            r("10.0.0.5", "10.0.0.9"),
            r("10.0.0.0", "10.0.0.4"),
            IpRange::single(ip("::5")),
        ]);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].to_string(), "10.0.0.0-10.0.0.9");
        assert_eq!(m[1].to_string(), "::5");
    }
}
