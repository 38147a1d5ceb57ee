//! `fingerprints/*.toml`: rules that turn observations into vendor, brand, model, firmware and
//! device type.
//!
//! ```toml
//! schema = 1
//! version = "2026.11.1"
//!
//! [[rule]]
//! id = "hikvision-http-server"          # unique across all files
//! key = "http.server"                   # observation key; a trailing `*` matches a prefix
//! pattern = '^(?:Hikvision|DNVRS|DVRDVS)-Webs$'   # regex, case-insensitive
//! vendor = "hikvision"                  # optional: what a match says
//! brand = "hilook"                      # optional
//! device_type = "camera"                # optional: camera | nvr | dvr | other
//! model = "${model}"                    # optional: template over the regex's captures
//! firmware = "${fw}"
//! weight = 80                           # 1–100: how much a match says
//! camera = true                         # optional: a match alone makes the host a camera
//! source = "Rapid7 Recog http_servers.xml"   # public provenance of the fact
//! ```

use crate::{KbError, Vendor};
use camguard_model::DeviceType;
use regex::Regex;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: String,
    pub key: String,
    pub pattern: String,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub device_type: Option<DeviceType>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub firmware: Option<String>,
    #[serde(default = "default_weight")]
    pub weight: u8,
    #[serde(default)]
    pub camera: Option<bool>,
    #[serde(default)]
    pub source: String,
}

fn default_weight() -> u8 {
    50
}

/// A compiled fingerprint rule.
#[derive(Clone, Debug)]
pub struct FingerprintRule {
    pub raw: RawRule,
    pub regex: Regex,
    /// File the rule came from.
    pub file: String,
}

impl FingerprintRule {
    /// Does this rule look at observations with `key`?
    pub fn applies_to(&self, key: &str) -> bool {
        match self.raw.key.strip_suffix('*') {
            Some(prefix) => key.starts_with(prefix),
            None => key == self.raw.key,
        }
    }
}

#[derive(Deserialize)]
struct File {
    #[allow(dead_code)]
    schema: u32,
    #[allow(dead_code)]
    #[serde(default)]
    version: String,
    #[serde(default)]
    rule: Vec<RawRule>,
}

pub(crate) fn parse(name: &str, text: &str) -> Result<Vec<FingerprintRule>, KbError> {
    let f: File = toml::from_str(text).map_err(|e| KbError::invalid(name, e))?;
    f.rule
        .into_iter()
        .map(|raw| {
            if raw.weight == 0 || raw.weight > 100 {
                return Err(KbError::invalid(name, format!("rule {}: weight must be 1–100", raw.id)));
            }
            let regex = regex::RegexBuilder::new(&raw.pattern)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| KbError::invalid(name, format!("rule {}: bad pattern: {e}", raw.id)))?;
            Ok(FingerprintRule { raw, regex, file: name.to_string() })
        })
        .collect()
}

/// Cross-file checks: unique ids, known vendor ids.
pub(crate) fn validate(rules: &[FingerprintRule], vendors: &[Vendor]) -> Result<(), KbError> {
    let mut seen = std::collections::HashSet::new();
    for r in rules {
        if !seen.insert(r.raw.id.as_str()) {
            return Err(KbError::invalid(&r.file, format!("duplicate rule id {}", r.raw.id)));
        }
        if let Some(v) = &r.raw.vendor {
            if !vendors.iter().any(|known| &known.id == v) {
                return Err(KbError::invalid(&r.file, format!("rule {}: unknown vendor id {v:?} (add it to vendors.toml)", r.raw.id)));
            }
        }
    }
    Ok(())
}
