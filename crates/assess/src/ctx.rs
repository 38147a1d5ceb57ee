//! Shared state of one host's assessment: what the identification saw, the options, the
//! deadline, and what the checks found so far. Every check module takes a [`Ctx`]; `Ctx`
//! knows no check.

use crate::budget;
use crate::candidates::candidate_credentials;
use crate::creds::{Cred, Target};
use crate::data::AssessData;
use crate::evidence;
use crate::facts::DeviceFacts;
use crate::options::AssessOptions;
use camguard_kb::Kb;
use camguard_model::{Finding, HostReport, Observation};
use camguard_probe::ProbeConfig;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Most body bytes one host's GET cache keeps.
const HTTP_CACHE_BYTES: usize = 64 * 1024;

/// A credential that worked, and where (for the opt-in lockout check).
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub target: Target,
    pub cred: Cred,
}

/// Shared state of one host's assessment.
pub(crate) struct Ctx<'a> {
    pub kb: &'a Kb,
    pub data: &'a AssessData,
    pub report: &'a HostReport,
    pub obs: &'a [Observation],
    pub opts: &'a AssessOptions,
    pub ip: IpAddr,
    pub deadline: Instant,
    findings: Mutex<Vec<Finding>>,
    notes: Mutex<Vec<String>>,
    http_cache: Mutex<HashMap<(u16, bool, String), Option<camguard_probe::HttpResponse>>>,
    pub found: Mutex<BTreeMap<String, Found>>,
    /// Stream paths ONVIF `GetStreamUri` named: (RTSP port, path and query).
    pub stream_paths: Mutex<Vec<(u16, String)>>,
    /// What the device told about itself during the checks.
    learned: Mutex<DeviceFacts>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        kb: &'a Kb,
        data: &'a AssessData,
        report: &'a HostReport,
        obs: &'a [Observation],
        opts: &'a AssessOptions,
        deadline: Instant,
    ) -> Self {
        Ctx {
            kb,
            data,
            report,
            obs,
            opts,
            ip: report.ip,
            deadline,
            findings: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
            http_cache: Mutex::new(HashMap::new()),
            found: Mutex::new(BTreeMap::new()),
            stream_paths: Mutex::new(Vec::new()),
            learned: Mutex::new(DeviceFacts::default()),
        }
    }

    /// Remember what the device told about itself (the first value of each fact wins).
    pub fn learn(&self, facts: DeviceFacts) {
        if facts.is_empty() {
            return;
        }
        if let Ok(mut l) = self.learned.lock() {
            l.merge(facts);
        }
    }

    /// The model: identification's, else what the device told the checks.
    pub fn model(&self) -> Option<String> {
        self.report
            .model
            .clone()
            .or_else(|| self.learned.lock().ok().and_then(|l| l.model.clone()))
    }

    /// The firmware: identification's, else what the device told the checks, with how it
    /// was read.
    pub fn firmware(&self) -> Option<(String, Option<String>)> {
        if let Some(f) = &self.report.firmware {
            return Some((f.clone(), None));
        }
        let l = self.learned.lock().ok()?;
        l.firmware
            .clone()
            .map(|f| (f, l.read_by.get("firmware").cloned()))
    }

    pub fn vendor(&self) -> Option<&str> {
        self.report.vendor.as_deref()
    }

    /// Values of an observation key on a port.
    pub fn obs_on<'b>(&'b self, port: u16, key: &'b str) -> impl Iterator<Item = &'b str> + 'b {
        self.obs
            .iter()
            .filter(move |o| o.port == port && o.key == key)
            .map(|o| o.value.as_str())
    }

    /// Values of an observation key on any port.
    pub fn obs_any<'b>(&'b self, key: &'b str) -> impl Iterator<Item = (u16, &'b str)> + 'b {
        self.obs
            .iter()
            .filter(move |o| o.key == key)
            .map(|o| (o.port, o.value.as_str()))
    }

    /// Open TCP ports whose service is one of `services`.
    pub fn ports_with(&self, services: &[&str]) -> Vec<u16> {
        self.report
            .open_ports
            .iter()
            .filter(|p| {
                p.transport == camguard_model::Transport::Tcp
                    && services.contains(&p.service.as_str())
            })
            .map(|p| p.port)
            .collect()
    }

    /// Web ports: (port, tls), plain HTTP first.
    pub fn web_ports(&self) -> Vec<(u16, bool)> {
        let mut v: Vec<(u16, bool)> = self
            .ports_with(&["http"])
            .into_iter()
            .map(|p| (p, false))
            .collect();
        v.extend(self.ports_with(&["https"]).into_iter().map(|p| (p, true)));
        v
    }

    pub fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    pub fn expired(&self) -> bool {
        budget::expired(self.deadline)
    }

    /// Probe bounds, never past the deadline.
    pub fn cfg(&self) -> ProbeConfig {
        let mut c = self.opts.probe.clone();
        let left = self.left();
        c.step_timeout = c.step_timeout.min(left);
        c.read_timeout = c.read_timeout.min(left);
        c.connect_timeout = c.connect_timeout.min(left);
        c
    }

    pub fn note(&self, n: impl Into<String>) {
        if let Ok(mut v) = self.notes.lock()
            && v.len() < 64
        {
            v.push(n.into());
        }
    }

    /// Add a finding (one per id and port); severity, clauses and texts are filled in here.
    pub fn add(&self, id: &str, port: Option<u16>, evidence: serde_json::Value) {
        let severity = self
            .data
            .severity(id)
            .unwrap_or(camguard_model::Severity::Medium);
        self.push(evidence::finding(
            self.kb, id, severity, port, evidence, None,
        ));
    }

    /// Add a `cve:` / `known-vuln:` finding; an existing one of the same id gets the new
    /// evidence merged (a confirmed check upgrades a version match).
    pub fn add_vuln(&self, cve: &camguard_kb::Cve, port: Option<u16>, evidence: serde_json::Value) {
        let id = cve.finding_id();
        if let Ok(mut v) = self.findings.lock()
            && let Some(f) = v.iter_mut().find(|f| f.id == id)
        {
            if let (Some(old), Some(new)) = (f.evidence.as_object_mut(), evidence.as_object()) {
                for (k, val) in new {
                    old.insert(k.clone(), val.clone());
                }
            }
            if f.port.is_none() {
                f.port = port;
            }
            return;
        }
        self.push(evidence::finding(
            self.kb,
            &id,
            cve.severity,
            port,
            evidence,
            Some(cve),
        ));
    }

    fn push(&self, f: Finding) {
        if let Ok(mut v) = self.findings.lock()
            && !v.iter().any(|x| x.id == f.id && x.port == f.port)
        {
            v.push(f);
        }
    }

    /// A GET (cached per port and path) without credentials.
    pub async fn get(
        &self,
        port: u16,
        tls: bool,
        path: &str,
    ) -> Option<camguard_probe::HttpResponse> {
        let key = (port, tls, path.to_string());
        if let Some(r) = self
            .http_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return r;
        }
        if self.expired() {
            return None;
        }
        let r =
            camguard_probe::http_request(self.ip, port, tls, "GET", path, &[], &[], &self.cfg())
                .await
                .ok();
        // Kept for the next check only while the host's cached bodies stay small: a hostile
        // device answering every path with an endless body would otherwise hold a full
        // response per path for the whole assessment (most of the scan's memory).
        if let Ok(mut c) = self.http_cache.lock() {
            let held: usize = c.values().flatten().map(|r| r.body.len()).sum();
            if held + r.as_ref().map_or(0, |r| r.body.len()) <= HTTP_CACHE_BYTES {
                c.insert(key, r.clone());
            }
        }
        r
    }

    /// What the checks produced: findings, notes and device facts. Unless secrets are revealed,
    /// every password that worked is redacted from every finding's evidence and every note,
    /// wherever a check (or a device's reply quoted in evidence) put it.
    pub(crate) fn finish(self) -> (Vec<Finding>, Vec<String>, DeviceFacts) {
        let mut findings = self.findings.into_inner().unwrap_or_default();
        let mut notes = self.notes.into_inner().unwrap_or_default();
        if !self.opts.reveal_secrets {
            let found = self.found.into_inner().unwrap_or_default();
            let secrets: Vec<&str> = found.values().map(|f| f.cred.password.expose()).collect();
            for f in &mut findings {
                evidence::redact_secrets(&mut f.evidence, &secrets);
            }
            for n in &mut notes {
                *n = evidence::redact_secrets_in(n, &secrets);
            }
        }
        (
            findings,
            notes,
            self.learned.into_inner().unwrap_or_default(),
        )
    }

    /// Credentials to try for `protocol`, in order (see [`candidate_credentials`]).
    pub fn creds(&self, protocol: &str) -> Vec<Cred> {
        candidate_credentials(
            self.kb,
            &self.data.policies,
            self.vendor(),
            self.report.brand.as_deref(),
            self.report.model.as_deref(),
            protocol,
        )
    }
}
