//! Roles (docs/spec/api.md) and usernames.

use serde::Serialize;

/// What an account may see and do (docs/spec/api.md, "Accounts and roles").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including accounts. The only role without an organisation.
    Admin,
    /// A province's or ministry's subtree: reads all, urges units, approves dossiers.
    Regulator,
    /// Its organisation's subtree: inventory, systems, scans inside its scope, findings.
    Unit,
    /// Its ISP organisation: scans inside its scope, subscribers, notifications.
    Isp,
    /// The organisations it is assigned to: scans and assessment reports.
    Assessor,
    /// Its organisation's subtree, read-only, and the audit log.
    Auditor,
}

/// A role name that is none of [`Role::ALL`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown role {0:?} (expected one of: admin, regulator, unit, isp, assessor, auditor)")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: &[Role] = &[
        Role::Admin,
        Role::Regulator,
        Role::Unit,
        Role::Isp,
        Role::Assessor,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Regulator => "regulator",
            Role::Unit => "unit",
            Role::Isp => "isp",
            Role::Assessor => "assessor",
            Role::Auditor => "auditor",
        }
    }

    /// Whether accounts of this role belong to an organisation (every role but `admin`).
    pub fn needs_org(self) -> bool {
        self != Role::Admin
    }
}

/// What a caller asks to do on something within its reach (docs/spec/api.md). Reach decides
/// *which* organisations a caller sees; the action decides what its role may do there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the registry: organisations, status, inventory, findings, scans.
    Read,
    /// Import an inventory file.
    ImportInventory,
    /// Mark findings fixed, accept their risk, reopen them.
    ChangeFindings,
    /// Start and cancel scans.
    Scan,
    /// Read the audit log.
    ReadAudit,
    /// Answer a system's security-level questionnaire, submit or withdraw its dossier.
    ManageSystems,
    /// Appraise, approve or return a level dossier (the regulator's part).
    ApproveDossiers,
    /// Import the catalogue of certified and warned models.
    ManageCatalogue,
    /// Add organisations (the administrator's part).
    ManageOrgs,
    /// Record an organisation's own duties done and its internal regulation.
    RecordDuties,
}

impl Role {
    /// Whether this role may do `action` on what it can reach (the table of docs/spec/api.md).
    pub fn may(self, action: Action) -> bool {
        use Action::{
            ApproveDossiers, ChangeFindings, ImportInventory, ManageCatalogue, ManageSystems, Read,
            ReadAudit, RecordDuties, Scan,
        };
        match self {
            Role::Admin => true,
            Role::Regulator => matches!(
                action,
                Read | ApproveDossiers | ManageCatalogue | RecordDuties
            ),
            Role::Unit => matches!(
                action,
                Read | ImportInventory | ChangeFindings | Scan | ManageSystems | RecordDuties
            ),
            Role::Isp | Role::Assessor => matches!(action, Read | Scan),
            Role::Auditor => matches!(action, Read | ReadAudit),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        Role::ALL
            .iter()
            .copied()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// A username as stored: lower case, 1-64 of ASCII letters, digits, '.', '_', '-' and '@'
/// (so that an e-mail address fits). None when the name does not fit.
pub fn valid_username(name: &str) -> Option<String> {
    let n = name.trim().to_ascii_lowercase();
    let ok = !n.is_empty()
        && n.len() <= 64
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    ok.then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_print() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        assert_eq!("Auditor".parse::<Role>().unwrap(), Role::Auditor);
        assert!("root".parse::<Role>().is_err());
        assert!(!Role::Admin.needs_org());
        assert!(Role::Unit.needs_org());
    }

    #[test]
    fn usernames_are_folded_and_bounded() {
        assert_eq!(valid_username(" Alice ").as_deref(), Some("alice"));
        assert_eq!(
            valid_username("it.officer@ag.gov.vn").as_deref(),
            Some("it.officer@ag.gov.vn")
        );
        assert_eq!(valid_username(""), None);
        assert_eq!(valid_username("a b"), None);
        assert_eq!(valid_username("nguyễn"), None);
        assert_eq!(valid_username(&"a".repeat(65)), None);
    }
}
