//! A queued scan's settings (the `options` JSON given to `Store::queue_scan`), turned into the
//! pipeline's options. Every field is optional; the defaults are those of `camguard scan`.

use camguard_discovery::ConnectConfig;
use camguard_scan::{AssessOptions, Profile, ScanOptions};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct JobOptions {
    /// Ports: a list, or `None` for the profile's set (`thorough`: every known camera port).
    pub ports: Option<Vec<u16>>,
    /// Connection attempts per second (`None` or 0: no limit).
    pub rate: Option<u32>,
    /// Connect timeout, milliseconds.
    pub timeout_ms: Option<u64>,
    pub retries: Option<u32>,
    /// Hosts worked on at once.
    pub hosts: Option<usize>,
    /// One host's probe stage, seconds.
    pub host_timeout: Option<u64>,
    pub max_sockets: Option<usize>,
    pub per_host: Option<usize>,
    /// Addresses, networks or ranges not to scan.
    pub exclude: Vec<String>,
    /// No unicast WS-Discovery or SSDP probe.
    pub no_wsd: bool,
    /// Identify only, assess nothing.
    pub no_assess: bool,
    /// Assess every host, not only camera systems.
    pub assess_all: bool,
    pub credential_budget: Option<usize>,
    /// Seed of the target order (default: derived from the scan's id, so that every run of
    /// the scan walks the same order).
    pub seed: Option<u64>,
}

/// A seed fixed by the scan's id (splitmix64).
pub(crate) fn seed_for(scan: i64) -> u64 {
    let mut z = (scan as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl JobOptions {
    pub(crate) fn connect(&self) -> ConnectConfig {
        let defaults = ConnectConfig::default();
        ConnectConfig {
            timeout: self
                .timeout_ms
                .map_or(defaults.timeout, |ms| Duration::from_millis(ms.max(1))),
            retries: self.retries.unwrap_or(defaults.retries),
            rate: self.rate.filter(|r| *r > 0),
            max_sockets: self
                .max_sockets
                .unwrap_or_else(camguard_discovery::connect::default_max_sockets)
                .max(1),
            per_host: self.per_host.unwrap_or(defaults.per_host).max(1),
        }
    }

    pub(crate) fn scan_options(
        &self,
        kb: &camguard_kb::Kb,
        profile: &str,
        scan: i64,
    ) -> Result<ScanOptions, String> {
        let profile = match profile {
            "quick" => Profile::Quick,
            "thorough" => Profile::Thorough,
            _ => Profile::Default,
        };
        let ports = match &self.ports {
            Some(p) if p.contains(&0) => return Err("port 0 in the scan's ports".into()),
            Some(p) if !p.is_empty() => p.clone(),
            _ if profile == Profile::Thorough => kb.ports.all(),
            _ => kb.ports.defaults(),
        };
        let assess = if self.no_assess {
            None
        } else {
            let mut o = AssessOptions::for_profile(profile);
            o.assess_all = self.assess_all;
            if let Some(b) = self.credential_budget {
                o.credential_budget = b;
            }
            let data = camguard_assess::AssessData::from_kb(kb).map_err(|e| e.to_string())?;
            o.data = Some(Arc::new(data));
            Some(o)
        };
        let defaults = ScanOptions::default();
        Ok(ScanOptions {
            ports,
            host_timeout: self
                .host_timeout
                .map_or(defaults.host_timeout, |s| Duration::from_secs(s.max(1))),
            hosts_in_flight: self.hosts.unwrap_or(defaults.hosts_in_flight).max(1),
            seed: self.seed.unwrap_or_else(|| seed_for(scan)),
            wsd: !self.no_wsd,
            ssdp: !self.no_wsd,
            assess,
            ..defaults
        })
    }
}
