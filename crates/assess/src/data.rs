//! The assessment's own data files, `kb/assess/findings.toml` (severity per finding id) and
//! `kb/assess/http-endpoints.toml` (snapshot, configuration, auth paths and vendor logins).
//!
//! Both are embedded at build time here and loaded, with the user's overlays, by the
//! knowledge-base loader (`camguard-kb`), which keeps their text; [`AssessData::from_kb`] parses
//! what it loaded.

use camguard_model::Severity;
use serde::Deserialize;
use std::sync::OnceLock;

const FINDINGS_TOML: &str = include_str!("../../../kb/assess/findings.toml");
const ENDPOINTS_TOML: &str = include_str!("../../../kb/assess/http-endpoints.toml");
const POLICY_TOML: &str = include_str!("../../../kb/assess/password-policy.toml");

/// Newest schema of these files this code reads.
const SCHEMA: u32 = 1;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingSeverity {
    pub id: String,
    pub severity: Severity,
    #[serde(default)]
    pub rationale: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingsFile {
    schema: u32,
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "read by serde to check the file's shape; the loader checks schema only"
    )]
    version: String,
    #[serde(default)]
    finding: Vec<FindingSeverity>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub vendor: String,
    pub path: String,
    pub source: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigEndpoint {
    pub vendor: String,
    pub path: String,
    pub body_contains: Vec<String>,
    #[serde(default)]
    pub sensitive: bool,
    pub source: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthPath {
    pub vendor: String,
    pub path: String,
    #[serde(default)]
    pub success_contains: Vec<String>,
    pub source: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginKind {
    Form,
    Json,
    DahuaRpc2,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub vendor: String,
    pub kind: LoginKind,
    pub path: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub success_contains: Vec<String>,
    #[serde(default)]
    pub failure_contains: Vec<String>,
    pub source: String,
}

/// How a device-information endpoint writes its facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InfoFormat {
    /// `key=value` lines (Dahua's CGI API).
    KeyValue,
    /// XML elements, named without their namespace prefix (Hikvision ISAPI).
    Xml,
}

/// A read-only GET that returns the device's own facts, read with the credential the
/// default-credential check found. The facts are templates over the keys the response holds:
/// `"{firmwareVersion} {firmwareReleasedDate}"`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInfoEndpoint {
    pub vendor: String,
    pub path: String,
    pub format: InfoFormat,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub firmware: Option<String>,
    #[serde(default)]
    pub serial: Option<String>,
    #[serde(default)]
    pub mac: Option<String>,
    pub source: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointsFile {
    schema: u32,
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "read by serde to check the file's shape; the loader checks schema only"
    )]
    version: String,
    #[serde(default)]
    snapshot: Vec<Snapshot>,
    #[serde(default)]
    config: Vec<ConfigEndpoint>,
    #[serde(default)]
    auth_path: Vec<AuthPath>,
    #[serde(default)]
    login: Vec<Login>,
    #[serde(default)]
    device_info: Vec<DeviceInfoEndpoint>,
}

/// The assessment's data files (`kb/assess/*.toml`, embedded or overlaid) cannot be used: the
/// message names the file and the entry.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DataError(String);

/// Both files, parsed and checked.
#[derive(Clone, Debug)]
pub struct AssessData {
    pub severities: Vec<FindingSeverity>,
    pub snapshots: Vec<Snapshot>,
    pub configs: Vec<ConfigEndpoint>,
    pub auth_paths: Vec<AuthPath>,
    pub logins: Vec<Login>,
    pub device_info: Vec<DeviceInfoEndpoint>,
    /// `kb/assess/password-policy.toml`.
    pub policies: Vec<crate::policy::PasswordPolicy>,
}

impl AssessData {
    /// The embedded files (parsed once).
    pub fn embedded() -> &'static AssessData {
        static DATA: OnceLock<AssessData> = OnceLock::new();
        DATA.get_or_init(|| {
            AssessData::parse(FINDINGS_TOML, ENDPOINTS_TOML)
                .expect("embedded kb/assess data files are valid")
        })
    }

    /// The files as the knowledge base loaded them: embedded, or replaced by the user's
    /// installed updates and `--kb DIR`, with the same overlay rules as every other kb file.
    pub fn from_kb(kb: &camguard_kb::Kb) -> Result<AssessData, DataError> {
        AssessData::from_kb_inner(kb).map_err(DataError)
    }

    fn from_kb_inner(kb: &camguard_kb::Kb) -> Result<AssessData, String> {
        let mut d = AssessData::parse_inner(
            kb.file("assess/findings.toml").unwrap_or(FINDINGS_TOML),
            kb.file("assess/http-endpoints.toml")
                .unwrap_or(ENDPOINTS_TOML),
        )?;
        d.policies = crate::policy::parse(
            kb.file("assess/password-policy.toml")
                .unwrap_or(POLICY_TOML),
            SCHEMA,
        )?;
        Ok(d)
    }

    /// The findings and endpoints files; the password policies are the embedded ones.
    pub fn parse(findings: &str, endpoints: &str) -> Result<AssessData, DataError> {
        AssessData::parse_inner(findings, endpoints).map_err(DataError)
    }

    fn parse_inner(findings: &str, endpoints: &str) -> Result<AssessData, String> {
        let f: FindingsFile =
            toml::from_str(findings).map_err(|e| format!("assess/findings.toml: {e}"))?;
        let e: EndpointsFile =
            toml::from_str(endpoints).map_err(|e| format!("assess/http-endpoints.toml: {e}"))?;
        if f.schema > SCHEMA || e.schema > SCHEMA {
            return Err(format!(
                "assess data files have a newer schema than this camguard understands ({SCHEMA}); upgrade camguard"
            ));
        }
        for s in &f.finding {
            let known = camguard_kb::assess::is_known_finding_pattern(&s.id);
            if !known {
                return Err(format!(
                    "assess/findings.toml: {:?} is not a finding id",
                    s.id
                ));
            }
        }
        let paths = e
            .snapshot
            .iter()
            .map(|x| &x.path)
            .chain(e.config.iter().map(|x| &x.path))
            .chain(e.auth_path.iter().map(|x| &x.path))
            .chain(e.login.iter().map(|x| &x.path))
            .chain(e.device_info.iter().map(|x| &x.path));
        for p in paths {
            if !p.starts_with('/') || p.chars().any(|c| c.is_control() || c == ' ') {
                return Err(format!(
                    "assess/http-endpoints.toml: path {p:?} must start with '/' and hold no spaces"
                ));
            }
        }
        if let Some(c) = e
            .config
            .iter()
            .find(|c| c.body_contains.iter().all(std::string::String::is_empty))
        {
            return Err(format!(
                "assess/http-endpoints.toml: config {}: body_contains must name at least one string",
                c.path
            ));
        }
        for d in &e.device_info {
            let fields = [&d.model, &d.firmware, &d.serial, &d.mac];
            if fields.iter().all(|f| f.is_none())
                || fields
                    .iter()
                    .filter_map(|f| f.as_deref())
                    .any(|t| !t.contains('{'))
            {
                return Err(format!(
                    "assess/http-endpoints.toml: device_info {}: needs model, firmware, serial or mac, each a template naming a key (\"{{version}}\")",
                    d.path
                ));
            }
        }
        for l in &e.login {
            if l.kind != LoginKind::DahuaRpc2 && l.body.is_none() {
                return Err(format!(
                    "assess/http-endpoints.toml: login {}: a {:?} login needs a body",
                    l.path, l.kind
                ));
            }
            if l.success_contains.is_empty() && l.failure_contains.is_empty() {
                return Err(format!(
                    "assess/http-endpoints.toml: login {}: needs success_contains or failure_contains",
                    l.path
                ));
            }
        }
        Ok(AssessData {
            severities: f.finding,
            snapshots: e.snapshot,
            configs: e.config,
            auth_paths: e.auth_path,
            logins: e.login,
            device_info: e.device_info,
            policies: crate::policy::parse(POLICY_TOML, SCHEMA)?,
        })
    }

    /// Severity of a finding id: an exact entry, else the longest family pattern.
    pub fn severity(&self, id: &str) -> Option<Severity> {
        if let Some(s) = self.severities.iter().find(|s| s.id == id) {
            return Some(s.severity);
        }
        self.severities
            .iter()
            .filter(|s| {
                s.id.ends_with('*') && camguard_kb::assess::finding_pattern_matches(&s.id, id)
            })
            .max_by_key(|s| s.id.len())
            .map(|s| s.severity)
    }

    /// Entries of `vendor` first, then the generic ones.
    pub fn for_vendor<'a, T>(
        list: &'a [T],
        vendor: Option<&str>,
        get: impl Fn(&T) -> &str,
    ) -> Vec<&'a T> {
        let mut out: Vec<&T> = list
            .iter()
            .filter(|x| vendor.is_some_and(|v| get(x) == v))
            .collect();
        out.extend(list.iter().filter(|x| get(x) == "*"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_is_valid_and_complete() {
        let d = AssessData::embedded();
        for id in camguard_kb::assess::FINDING_IDS {
            assert!(d.severity(id).is_some(), "no severity for {id}");
        }
        for p in camguard_kb::assess::PROTOCOLS {
            assert!(
                d.severity(&format!("default-credential:{p}")).is_some(),
                "{p}"
            );
        }
        assert_eq!(d.severity("telnet-enabled"), Some(Severity::High));
        assert!(
            !d.snapshots.is_empty()
                && !d.configs.is_empty()
                && !d.auth_paths.is_empty()
                && !d.logins.is_empty()
        );
        let hik = AssessData::for_vendor(&d.auth_paths, Some("hikvision"), |a| &a.vendor);
        assert_eq!(hik[0].path, "/ISAPI/Security/userCheck");
        assert_eq!(hik.last().unwrap().vendor, "*");
    }

    #[test]
    fn rejects_bad_files() {
        let bad = AssessData::parse(
            "schema = 1\n[[finding]]\nid = \"nope\"\nseverity = \"low\"\n",
            ENDPOINTS_TOML,
        );
        assert!(bad.unwrap_err().to_string().contains("not a finding id"));
        let bad = AssessData::parse(
            FINDINGS_TOML,
            "schema = 1\n[[snapshot]]\nvendor = \"*\"\npath = \"x\"\nsource = \"s\"\n",
        );
        assert!(bad.unwrap_err().to_string().contains("must start with"));
        let bad = AssessData::parse("schema = 9\n", ENDPOINTS_TOML);
        assert!(bad.unwrap_err().to_string().contains("newer schema"));
    }
}
