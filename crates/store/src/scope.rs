//! The store's scope checks, in one place.
//!
//! Whether an address lies inside an organisation's scope is decided by the project's one scope
//! rule, `camguard_model::scope` (which the scanner uses too), called from here only. The store
//! checks twice: a camera imported with an address outside its unit's scope is kept with a
//! warning (the inventory records what exists, and a wrong scope is as likely as a wrong
//! address), and a scanned host outside the scope of the organisation a scan is stored for is
//! refused (the scan command checks before scanning; this is the second line).

use crate::Org;
use camguard_model::scope::Scope;
use ipnet::IpNet;
use serde::Serialize;
use std::collections::HashMap;
use std::net::IpAddr;

/// An organisation's authorised networks, with the scope rule built from them.
#[derive(Clone, Debug)]
pub(crate) struct OrgScope {
    pub nets: Vec<IpNet>,
    rule: Scope,
}

impl OrgScope {
    pub(crate) fn new(nets: Vec<IpNet>, org: &str) -> Self {
        let rule = Scope::from_nets(&nets, &format!("the scope of organisation {org}"));
        OrgScope { nets, rule }
    }

    /// Whether `ip` may be (or may have been) scanned for the organisation: inside its
    /// networks and outside the blocks that are never scanned. No networks allow nothing.
    pub(crate) fn allows(&self, ip: IpAddr) -> bool {
        self.rule.allows(ip)
    }

    pub(crate) fn describe(&self) -> String {
        self.nets
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The scope that bounds each organisation: its own, else its nearest ancestor's (a unit's
/// scope lies inside its parent's). Organisations with no scope up their chain are absent.
pub(crate) fn effective_scopes(orgs: &[Org]) -> HashMap<i64, OrgScope> {
    let by_id: HashMap<i64, &Org> = orgs.iter().map(|o| (o.id, o)).collect();
    let mut out = HashMap::new();
    for o in orgs {
        let mut cur = Some(o);
        // Bounded by the number of organisations (a cycle cannot be stored, but never loop).
        for _ in 0..=orgs.len() {
            let Some(c) = cur else { break };
            if !c.scopes.is_empty() {
                out.insert(o.id, OrgScope::new(c.scopes.clone(), &c.code));
                break;
            }
            cur = c.parent_id.and_then(|p| by_id.get(&p).copied());
        }
    }
    out
}

/// An imported row kept with a warning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowWarning {
    pub line: usize,
    pub warning: String,
}

/// A scanned host outside the scope of the organisation its scan is stored for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostOutsideScope {
    pub ip: IpAddr,
    pub org: String,
    pub scopes: Vec<IpNet>,
}

impl std::fmt::Display for HostOutsideScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.scopes.is_empty() {
            write!(
                f,
                "host {} is refused: organisation {} has no authorised scope (nothing of this batch was stored)",
                self.ip, self.org
            )
        } else {
            write!(
                f,
                "host {} is outside the scope of organisation {} ({}); nothing of this batch was stored",
                self.ip,
                self.org,
                self.scopes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership() {
        let s = OrgScope::new(vec!["127.80.1.0/24".parse().unwrap()], "AG");
        assert!(s.allows("127.80.1.9".parse().unwrap()));
        assert!(!s.allows("127.80.2.9".parse().unwrap()));
        assert!(!s.allows("::1".parse().unwrap()));
        assert!(!OrgScope::new(Vec::new(), "X").allows("127.80.1.9".parse().unwrap()));
    }
}
