//! `assess/*.toml`: the data the assessment stage works from — default credentials, RTSP
//! routes, known vulnerabilities, newest firmware per model family and baseline clauses.
//!
//! Every file is parsed into typed entries (`deny_unknown_fields`: a misspelt key is an error,
//! not a silently ignored field) and validated; an error names the file and the entry
//! (`cve CVE-2017-7921: …`, `credential #3 (vendor "dahua", user "default"): …`). The header
//! comment of each data file is the contract these types follow.
//!
//! Checks that need another file (vendor ids and brands of `vendors.toml`) run once the whole
//! knowledge base is loaded, in `validate`.

pub mod baseline;
pub mod credentials;
pub mod cves;
pub mod firmware;
pub mod routes;
pub mod version;

pub use baseline::Clause;
pub use credentials::Credential;
pub use cves::{Affected, Certainty, Check, Cve, MatchDetail, MatchMode};
pub use firmware::LatestFirmware;
pub use routes::RtspRoute;
pub use version::{BuildDate, FirmwareVersion, VersionSpec};

use crate::{Kb, KbError, Vendor};
use regex::Regex;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// File names (relative to the knowledge-base root) of the assessment data.
pub const CREDENTIALS_FILE: &str = "assess/credentials.toml";
pub const RTSP_ROUTES_FILE: &str = "assess/rtsp-routes.toml";
pub const CVES_FILE: &str = "assess/cves.toml";
pub const FIRMWARE_FILE: &str = "assess/firmware.toml";
pub const BASELINE_FILE: &str = "assess/baseline.toml";

/// Protocols a credential can apply to (the `<proto>` of `default-credential:<proto>`).
pub const PROTOCOLS: [&str; 7] = ["http", "rtsp", "onvif", "telnet", "ftp", "ssh", "sdk"];

/// Finding ids of `docs/spec/scan-output.md` without a variable part, plus `ssh-enabled`.
/// `default-credential:<proto>`, `cve:<CVE-ID>` and `known-vuln:<id>` are families, see
/// [`is_known_finding_id`].
pub const FINDING_IDS: [&str; 17] = [
    "unauthenticated-rtsp-stream",
    "unauthenticated-onvif",
    "unauthenticated-snapshot",
    "unauthenticated-config",
    "cleartext-management-http",
    "http-basic-auth-cleartext",
    "rtsp-basic-auth-cleartext",
    "telnet-enabled",
    "ftp-enabled",
    "ssh-enabled",
    "upnp-exposed",
    "vendor-sdk-port-exposed",
    "self-signed-tls",
    "weak-tls",
    "expired-tls-cert",
    "no-login-lockout",
    "outdated-firmware",
];

/// Is `id` a finding id of the scan-output contract (or `ssh-enabled`)?
///
/// Families: `default-credential:<proto>` with `<proto>` one of [`PROTOCOLS`],
/// `cve:CVE-YYYY-NNNN…`, `known-vuln:<id>` with a lower-case id (`uniview-2017-main-cgi`).
pub fn is_known_finding_id(id: &str) -> bool {
    if FINDING_IDS.contains(&id) {
        return true;
    }
    if let Some(proto) = id.strip_prefix("default-credential:") {
        return PROTOCOLS.contains(&proto);
    }
    if let Some(cve) = id.strip_prefix("cve:") {
        return is_cve_id(cve);
    }
    if let Some(slug) = id.strip_prefix("known-vuln:") {
        return is_slug(slug);
    }
    false
}

/// Is `pattern` a finding id, or a prefix pattern (`default-credential:*`, `cve:*`,
/// `known-vuln:*`, …) that can match at least one finding id?
pub fn is_known_finding_pattern(pattern: &str) -> bool {
    let Some(prefix) = pattern.strip_suffix('*') else {
        return is_known_finding_id(pattern);
    };
    if prefix.is_empty() || prefix.contains('*') {
        return false;
    }
    const FAMILIES: [&str; 2] = ["cve:", "known-vuln:"];
    FINDING_IDS.iter().any(|k| k.starts_with(prefix))
        || PROTOCOLS
            .iter()
            .any(|p| format!("default-credential:{p}").starts_with(prefix))
        || FAMILIES
            .iter()
            .any(|f| f.starts_with(prefix) || prefix.starts_with(f))
}

/// Does a finding pattern (exact id, or prefix with a trailing `*`) match finding `id`?
pub fn finding_pattern_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// `CVE-YYYY-NNNN` (four or more digits in the sequence number).
pub(crate) fn is_cve_id(s: &str) -> bool {
    let mut it = s.splitn(3, '-');
    let (Some("CVE"), Some(year), Some(seq)) = (it.next(), it.next(), it.next()) else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && seq.len() >= 4
        && seq.bytes().all(|b| b.is_ascii_digit())
}

/// Lower-case letters, digits and single inner dashes.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A date written `YYYY-MM-DD`.
pub(crate) fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|t| t.parse::<u32>().ok())
    };
    matches!((num(0..4), num(5..7), num(8..10)), (Some(y), Some(m), Some(d)) if (1990..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// A compiled regular expression from a data file: always case-insensitive and size-limited,
/// and never one that matches an empty value (that would match every device).
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "String")]
pub struct Pattern {
    source: String,
    regex: Regex,
}

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, PatternError> {
        let regex = regex::RegexBuilder::new(source)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| PatternError::Invalid {
                source_text: source.to_string(),
                reason: e.to_string(),
            })?;
        if regex.is_match("") {
            return Err(PatternError::MatchesEverything {
                source_text: source.to_string(),
            });
        }
        Ok(Pattern {
            source: source.to_string(),
            regex,
        })
    }

    /// The pattern as written in the data file.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn regex(&self) -> &Regex {
        &self.regex
    }

    pub fn is_match(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }
}

/// A data file's pattern that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    #[error("bad regex {source_text:?}: {reason}")]
    Invalid { source_text: String, reason: String },
    #[error(
        "regex {source_text:?} matches an empty value, i.e. everything; omit the field instead"
    )]
    MatchesEverything { source_text: String },
}

impl TryFrom<String> for Pattern {
    type Error = PatternError;
    fn try_from(s: String) -> Result<Self, PatternError> {
        Pattern::new(&s)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Parse the array of tables `[[key]]` of a data file, one entry at a time, so that an error
/// names the entry it is in. Top-level keys other than `schema`, `version` and `key` are refused.
/// `label` names an entry from its raw table and 1-based position.
pub(crate) fn entries<T: DeserializeOwned>(
    file: &str,
    text: &str,
    key: &str,
    label: impl Fn(&toml::Table, usize) -> String,
) -> Result<Vec<T>, KbError> {
    let doc: toml::Table = toml::from_str(text).map_err(|e| KbError::invalid(file, e))?;
    for k in doc.keys() {
        if k != "schema" && k != "version" && k != key {
            return Err(KbError::invalid(
                file,
                format!(
                    "unknown top-level key {k:?} (expected schema, version and [[{key}]] entries)"
                ),
            ));
        }
    }
    let Some(value) = doc.get(key) else {
        return Ok(Vec::new());
    };
    let toml::Value::Array(items) = value else {
        return Err(KbError::invalid(
            file,
            format!("`{key}` must be an array of tables ([[{key}]])"),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let toml::Value::Table(table) = item else {
                return Err(KbError::invalid(
                    file,
                    format!("{key} #{}: not a table", i + 1),
                ));
            };
            toml::Value::Table(table.clone())
                .try_into::<T>()
                .map_err(|e| {
                    KbError::invalid(
                        file,
                        format!("{}: {}", label(table, i + 1), e.to_string().trim()),
                    )
                })
        })
        .collect()
}

/// A string field of a raw entry, for labels.
pub(crate) fn raw_str<'a>(table: &'a toml::Table, key: &str) -> Option<&'a str> {
    table.get(key).and_then(|v| v.as_str())
}

/// Is `id` a vendor id of `vendors.toml`?
pub(crate) fn vendor_known(vendors: &[Vendor], id: &str) -> bool {
    vendors.iter().any(|v| v.id == id)
}

/// Cross-file checks of the assessment data against `vendors.toml`.
pub(crate) fn validate(kb: &Kb) -> Result<(), KbError> {
    credentials::validate_vendors(&kb.credentials, &kb.vendors)?;
    routes::validate_vendors(&kb.rtsp_routes, &kb.vendors)?;
    cves::validate_vendors(&kb.cves, &kb.vendors)?;
    firmware::validate_vendors(&kb.firmware, &kb.vendors)?;
    Ok(())
}

/// Lookups of the assessment engine, on the loaded knowledge base.
impl Kb {
    /// Credentials to try for `protocol` on a device of `vendor`, in try order
    /// (see [`credentials::for_vendor`]).
    pub fn credentials_for(&self, vendor: Option<&str>, protocol: &str) -> Vec<&Credential> {
        credentials::for_vendor(&self.credentials, vendor, protocol)
    }

    /// RTSP routes to try on a device of `vendor`, in try order (see [`routes::for_vendor`]).
    pub fn rtsp_routes_for(&self, vendor: Option<&str>) -> Vec<&RtspRoute> {
        routes::for_vendor(&self.rtsp_routes, vendor)
    }

    pub fn cve(&self, id: &str) -> Option<&Cve> {
        self.cves.iter().find(|c| c.id == id)
    }

    /// The newest known firmware for a model (see [`firmware::kb_newest_for`]).
    pub fn kb_newest_for(&self, vendor: &str, model: &str) -> Option<&LatestFirmware> {
        firmware::kb_newest_for(&self.firmware, vendor, model)
    }

    /// The newer package when `firmware` is older than the newest known one for the model
    /// (see [`firmware::outdated`]).
    pub fn outdated_firmware(
        &self,
        vendor: &str,
        model: &str,
        firmware: &str,
    ) -> Option<&LatestFirmware> {
        firmware::outdated(&self.firmware, vendor, model, firmware)
    }

    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.baseline.iter().find(|c| c.id == id)
    }

    /// The baseline clauses a finding is evidence against (see [`baseline::clauses_for_finding`]).
    pub fn clauses_for_finding(&self, finding_id: &str) -> Vec<&Clause> {
        baseline::clauses_for_finding(&self.baseline, finding_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_ids_and_patterns() {
        for id in [
            "default-credential:rtsp",
            "default-credential:sdk",
            "ssh-enabled",
            "cve:CVE-2017-7921",
            "cve:CVE-2024-11120",
            "known-vuln:uniview-2017-main-cgi",
            "outdated-firmware",
        ] {
            assert!(is_known_finding_id(id), "{id}");
            assert!(is_known_finding_pattern(id), "{id}");
        }
        for id in [
            "default-credential:smtp",
            "cve:2017-7921",
            "cve:CVE-17-1",
            "known-vuln:Foo Bar",
            "telnet",
            "",
            "*",
        ] {
            assert!(!is_known_finding_id(id), "{id}");
        }
        for p in [
            "default-credential:*",
            "cve:*",
            "known-vuln:*",
            "unauthenticated-*",
            "cve:CVE-2021-*",
        ] {
            assert!(is_known_finding_pattern(p), "{p}");
        }
        for p in [
            "*",
            "nope-*",
            "default-credential:smtp*",
            "c*ve:*",
            "telnet-enabled-x",
        ] {
            assert!(!is_known_finding_pattern(p), "{p}");
        }
        assert!(finding_pattern_matches(
            "default-credential:*",
            "default-credential:rtsp"
        ));
        assert!(finding_pattern_matches("cve:*", "cve:CVE-2017-7921"));
        assert!(!finding_pattern_matches("cve:*", "known-vuln:x"));
        assert!(finding_pattern_matches("telnet-enabled", "telnet-enabled"));
        assert!(!finding_pattern_matches(
            "telnet-enabled",
            "telnet-enabled-2"
        ));
    }

    #[test]
    fn patterns_are_case_insensitive_and_never_match_everything() {
        let p = Pattern::new("^ds-2cd").unwrap();
        assert!(p.is_match("DS-2CD2032-I"));
        assert!(Pattern::new("(").is_err());
        assert!(Pattern::new(".*").is_err());
        assert!(Pattern::new("x?").is_err());
        assert!(Pattern::new("a{1000}{1000}").is_err(), "size limit");
    }

    /// An overlay directory with `assess/<file>` = `text`.
    fn overlay(file: &str, text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("assess")).unwrap();
        std::fs::write(dir.path().join("assess").join(file), text).unwrap();
        dir
    }

    fn overlay_err(file: &str, text: &str) -> String {
        let dir = overlay(file, text);
        match Kb::builder().overlay_dir(dir.path()).build() {
            Ok(_) => panic!("overlay {file} was accepted:\n{text}"),
            Err(e) => {
                assert!(matches!(e, KbError::Invalid { .. }), "{e:?}");
                e.to_string()
            }
        }
    }

    #[test]
    fn embedded_assessment_data_loads() {
        let kb = Kb::embedded().unwrap();
        assert!(!kb.credentials.is_empty() && !kb.rtsp_routes.is_empty() && !kb.cves.is_empty());
        assert!(!kb.firmware.is_empty() && !kb.baseline.is_empty());
        for f in [
            CREDENTIALS_FILE,
            RTSP_ROUTES_FILE,
            CVES_FILE,
            FIRMWARE_FILE,
            BASELINE_FILE,
        ] {
            assert!(
                kb.sources
                    .iter()
                    .any(|s| s.name == f && s.version == "2026.11.1"),
                "{f} not listed"
            );
        }
    }

    #[test]
    fn overlay_replaces_an_assessment_file() {
        let dir = overlay(
            "firmware.toml",
            "schema = 1\nversion = \"local\"\n[[latest]]\nvendor = \"dahua\"\nmodels = '^IPC-HDW'\nversion = \"2.840\"\nreleased = \"2026-01-01\"\nsource = \"local test\"\n",
        );
        let kb = Kb::builder().overlay_dir(dir.path()).build().unwrap();
        assert_eq!(kb.firmware.len(), 1);
        assert!(
            kb.outdated_firmware(
                "dahua",
                "IPC-HDW3441T-ZS",
                "2.800.0000000.16.R, Build Date 2021-06-04"
            )
            .is_some()
        );
        assert!(kb.sources.iter().any(|s| s.name == FIRMWARE_FILE
            && s.version == "local"
            && s.origin != crate::Origin::Embedded));
        assert!(!kb.cves.is_empty(), "the other files stay embedded");
    }

    #[test]
    fn overlay_with_bad_regex_names_file_and_entry() {
        let text = r#"schema = 1
[[cve]]
id = "CVE-2099-1234"
vendor = "hikvision"
title_en = "t"
title_vi = "t"
severity = "low"
[[cve.affected]]
models = '^DS-(2CD'
"#;
        let err = overlay_err("cves.toml", text);
        assert!(
            err.contains("assess/cves.toml")
                && err.contains("CVE-2099-1234")
                && err.contains("bad regex"),
            "{err}"
        );
    }

    #[test]
    fn overlay_with_unknown_vendor_names_file_and_entry() {
        let text = "schema = 1\n[[credential]]\nvendor = \"acme\"\nusername = \"admin\"\npassword = \"acme\"\npriority = 1\nsource = \"s\"\n";
        let err = overlay_err("credentials.toml", text);
        assert!(
            err.contains("assess/credentials.toml")
                && err.contains("credential #1")
                && err.contains("\"acme\""),
            "{err}"
        );

        let text = "schema = 1\n[[route]]\npath = \"/x\"\nvendors = [\"acme\"]\npriority = 1\nsource = \"s\"\n";
        let err = overlay_err("rtsp-routes.toml", text);
        assert!(
            err.contains("assess/rtsp-routes.toml")
                && err.contains("route #1 (\"/x\")")
                && err.contains("acme"),
            "{err}"
        );

        let text = "schema = 1\n[[latest]]\nvendor = \"acme\"\nmodels = 'x'\nversion = \"1.0\"\nreleased = \"2026-01-01\"\nsource = \"s\"\n";
        let err = overlay_err("firmware.toml", text);
        assert!(
            err.contains("assess/firmware.toml")
                && err.contains("latest #1")
                && err.contains("acme"),
            "{err}"
        );

        let text = "schema = 1\n[[cve]]\nid = \"CVE-2099-0007\"\nvendor = \"acme\"\ntitle_en = \"t\"\ntitle_vi = \"t\"\nseverity = \"low\"\n[[cve.affected]]\n";
        let err = overlay_err("cves.toml", text);
        assert!(
            err.contains("assess/cves.toml")
                && err.contains("CVE-2099-0007")
                && err.contains("acme"),
            "{err}"
        );
    }

    #[test]
    fn overlay_with_post_check_without_intrusive_names_file_and_entry() {
        let text = r#"schema = 1
[[cve]]
id = "CVE-2099-0002"
vendor = "dahua"
title_en = "t"
title_vi = "t"
severity = "critical"
match = "check"
[[cve.affected]]
[cve.check]
method = "POST"
path = "/RPC2_Login"
body = "{}"
status = 200
body_contains = ["session"]
"#;
        let err = overlay_err("cves.toml", text);
        assert!(
            err.contains("assess/cves.toml")
                && err.contains("CVE-2099-0002")
                && err.contains("POST")
                && err.contains("intrusive"),
            "{err}"
        );
        // the same check marked intrusive is accepted
        let dir = overlay(
            "cves.toml",
            &text.replace("method = \"POST\"", "method = \"POST\"\nintrusive = true"),
        );
        let kb = Kb::builder().overlay_dir(dir.path()).build().unwrap();
        assert!(
            !kb.cve("CVE-2099-0002")
                .unwrap()
                .check
                .as_ref()
                .unwrap()
                .is_read_only()
        );
    }

    #[test]
    fn overlay_with_unknown_field_or_finding_names_file_and_entry() {
        let text = "schema = 1\n[[route]]\npath = \"/x\"\nvendors = []\npriority = 1\nsource = \"s\"\nweight = 3\n";
        let err = overlay_err("rtsp-routes.toml", text);
        assert!(
            err.contains("assess/rtsp-routes.toml")
                && err.contains("route #1")
                && err.contains("weight"),
            "{err}"
        );
        let text = "schema = 1\n[[clause]]\nid = \"c-1\"\nstandard = \"ETSI EN 303 645\"\nref = \"5.1-1\"\ntitle_vi = \"v\"\ntitle_en = \"e\"\nremote = true\nfindings = [\"default-password\"]\n";
        let err = overlay_err("baseline.toml", text);
        assert!(
            err.contains("assess/baseline.toml")
                && err.contains("clause c-1")
                && err.contains("default-password"),
            "{err}"
        );
    }

    #[test]
    fn dates_and_ids() {
        assert!(is_iso_date("2021-06-04"));
        assert!(!is_iso_date("2021-13-04"));
        assert!(!is_iso_date("21-06-04"));
        assert!(!is_iso_date("2021-06-0x"));
        assert!(is_cve_id("CVE-2021-36260"));
        assert!(!is_cve_id("CVE-2021-360"));
        assert!(!is_cve_id("cve-2021-36260"));
        assert!(is_slug("uniview-2017-main-cgi"));
        assert!(!is_slug("Uniview"));
        assert!(!is_slug("a--b"));
    }
}
