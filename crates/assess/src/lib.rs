//! camguard-assess: harmless checks that turn an identified host into findings and baseline
//! verdicts.
//!
//! ```text
//! HostReport + Observations ─▶ checks (per protocol, concurrently) ─▶ findings
//!                                                                  ─▶ baseline verdicts
//! ```
//!
//! # Safety rules (enforced here, not left to callers)
//! * Only read-only requests: GET/HEAD, RTSP OPTIONS/DESCRIBE/SETUP/PLAY/TEARDOWN, ONVIF `Get*`,
//!   the login exchange a device's own web interface performs (Dahua `RPC2_Login`, XiongMai
//!   `Login.htm`, Reolink `cmd=Login`), telnet/FTP logins that are closed right after the
//!   prompt. Nothing writes to a device or runs a command on it.
//! * Credentials: at most `credential_budget` failed attempts per protocol per device, never
//!   [`budget::LOCKOUT_FAILURES`] failures within 30 s on one protocol (QĐ 724 lockout), stop at
//!   the first success. A success is only a success status (2xx, `230`, a shell prompt); a
//!   device that also accepts a random user and password is not reported.
//! * Opt-in classes ([`Intrusive`]) are the only exceptions: the lockout test deliberately sends
//!   six wrong passwords, and CVE checks marked intrusive (logins) run.
//! * Assessment runs only on hosts identified as camera systems (unless
//!   [`AssessOptions::assess_all`]); other hosts get no findings.
//! * Evidence never carries a password or an `Authorization` header unless
//!   [`AssessOptions::reveal_secrets`] is set.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

mod auth;
mod baseline;
pub mod budget;
pub mod creds;
pub mod data;
mod device_info;
mod evidence;
mod exposure;
mod http;
pub mod i18n;
mod lockout;
mod onvif;
pub mod policy;
mod rtsp;
mod shell;
mod tls;
mod vulns;

use camguard_kb::Kb;
use camguard_model::{ClauseVerdict, Finding, HostReport, Observation, Secret};
use camguard_probe::ProbeConfig;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

pub use creds::Target as LoginTarget;
pub use data::AssessData;

/// How much the assessment tries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Few routes, two failed logins per protocol, no frame check.
    Quick,
    /// About twenty routes, four failed logins per protocol, frame check on answering streams.
    #[default]
    Default,
    /// Every route, four failed logins per 30-second window (paced), frame check.
    Thorough,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Quick => "quick",
            Profile::Default => "default",
            Profile::Thorough => "thorough",
        }
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "quick" => Ok(Profile::Quick),
            "default" => Ok(Profile::Default),
            "thorough" => Ok(Profile::Thorough),
            other => Err(format!(
                "unknown profile {other:?} (quick, default, thorough)"
            )),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Opt-in check classes. Default scans run none of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Intrusive {
    /// Six wrong passwords within 30 s on one protocol, then the working credential: the
    /// device may lock its logins for minutes (`no-login-lockout`).
    Lockout,
    /// CVE checks marked `intrusive` in `kb/assess/cves.toml` (they log in / open a session).
    Cve,
}

impl Intrusive {
    pub fn as_str(self) -> &'static str {
        match self {
            Intrusive::Lockout => "lockout",
            Intrusive::Cve => "cve",
        }
    }
}

impl FromStr for Intrusive {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lockout" => Ok(Intrusive::Lockout),
            "cve" => Ok(Intrusive::Cve),
            other => Err(format!(
                "unknown intrusive check class {other:?} (lockout, cve)"
            )),
        }
    }
}

impl fmt::Display for Intrusive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one host is assessed.
#[derive(Clone, Debug)]
pub struct AssessOptions {
    pub profile: Profile,
    /// Most failed login attempts per protocol per device.
    pub credential_budget: usize,
    /// Least time between two login attempts on one protocol.
    pub attempt_interval: Duration,
    /// Opt-in check classes.
    pub intrusive: BTreeSet<Intrusive>,
    /// Put found passwords (and authorization headers) into evidence in clear.
    pub reveal_secrets: bool,
    /// Confirm open RTSP streams by receiving one RTP packet (SETUP + PLAY, at most 2 s).
    pub frame_check: bool,
    /// RTSP routes tried per port (besides the root and one random route).
    pub rtsp_routes: usize,
    pub probe: ProbeConfig,
    /// Upper bound of one host's assessment.
    pub deadline: Duration,
    /// Assess every host with an open port, not only those identified as camera systems
    /// (`--assess-all`; for testing against servers that are not cameras).
    pub assess_all: bool,
    /// The assessment's own data files (`assess/findings.toml`, `assess/http-endpoints.toml`);
    /// `None`: the embedded ones. For `--kb DIR`: `AssessData::with_overlay(DIR)`.
    pub data: Option<std::sync::Arc<AssessData>>,
}

impl AssessOptions {
    pub fn for_profile(p: Profile) -> Self {
        let probe = ProbeConfig::default();
        match p {
            Profile::Quick => AssessOptions {
                profile: p,
                credential_budget: 2,
                attempt_interval: Duration::from_millis(100),
                intrusive: BTreeSet::new(),
                reveal_secrets: false,
                frame_check: false,
                rtsp_routes: 5,
                probe,
                deadline: Duration::from_secs(30),
                assess_all: false,
                data: None,
            },
            Profile::Default => AssessOptions {
                profile: p,
                credential_budget: 4,
                attempt_interval: Duration::from_millis(250),
                intrusive: BTreeSet::new(),
                reveal_secrets: false,
                frame_check: true,
                rtsp_routes: 20,
                probe,
                deadline: Duration::from_secs(60),
                assess_all: false,
                data: None,
            },
            Profile::Thorough => AssessOptions {
                profile: p,
                credential_budget: 12,
                attempt_interval: Duration::from_secs(1),
                intrusive: BTreeSet::new(),
                reveal_secrets: false,
                frame_check: true,
                rtsp_routes: usize::MAX,
                probe,
                deadline: Duration::from_secs(240),
                assess_all: false,
                data: None,
            },
        }
    }
}

impl Default for AssessOptions {
    fn default() -> Self {
        AssessOptions::for_profile(Profile::Default)
    }
}

/// The overall baseline verdict of a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    Pass,
    Fail,
    /// Not a camera system (or nothing open): no assessment ran.
    NotAssessed,
}

impl Verdict {
    /// `"pass"`, `"fail"`, or `None` when not assessed (the `HostReport::verdict` value).
    pub fn as_report(self) -> Option<String> {
        match self {
            Verdict::Pass => Some("pass".into()),
            Verdict::Fail => Some("fail".into()),
            Verdict::NotAssessed => None,
        }
    }
}

/// What the assessment of one host produced.
#[derive(Clone, Debug)]
pub struct Assessment {
    pub findings: Vec<Finding>,
    pub baseline: Vec<ClauseVerdict>,
    pub verdict: Verdict,
    /// What was skipped or could not be concluded, for people.
    pub notes: Vec<String>,
    /// What the device told about itself during the checks (after a login with a credential
    /// the checks found, or without one), beyond what identification saw.
    pub device: DeviceFacts,
}

/// Facts a device tells about itself to a read-only query of the assessment (ONVIF
/// `GetDeviceInformation` and `GetNetworkInterfaces`, answered without WS-Security or with the
/// default credential the checks found). Many cameras show their firmware, serial number and
/// MAC address only to a logged-in user; knowing them makes the outdated-firmware and CVE
/// checks and the inventory matching work on those cameras too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceFacts {
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub serial: Option<String>,
    /// Lower-case `aa:bb:cc:dd:ee:ff`, whatever form the device wrote it in.
    pub mac: Option<String>,
    /// How each fact was read, by field name (`"firmware"` → `"ONVIF GetDeviceInformation
    /// with the credential found"`).
    pub read_by: BTreeMap<&'static str, String>,
}

impl DeviceFacts {
    fn is_empty(&self) -> bool {
        self.model.is_none()
            && self.firmware.is_none()
            && self.serial.is_none()
            && self.mac.is_none()
    }

    fn fields_mut(&mut self) -> [(&'static str, &mut Option<String>); 4] {
        [
            ("model", &mut self.model),
            ("firmware", &mut self.firmware),
            ("serial", &mut self.serial),
            ("mac", &mut self.mac),
        ]
    }

    /// Record `how` every fact present was read (blank values are dropped).
    pub(crate) fn read_by(mut self, how: &str) -> Self {
        let mut names = Vec::new();
        for (name, v) in self.fields_mut() {
            *v = v
                .take()
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty());
            if v.is_some() {
                names.push(name);
            }
        }
        for name in names {
            self.read_by.insert(name, how.to_string());
        }
        self
    }

    /// Keep the first value of each fact (and how it was read); later reads do not overwrite it.
    fn merge(&mut self, mut other: DeviceFacts) {
        let mut taken = Vec::new();
        for ((name, a), (_, b)) in self.fields_mut().into_iter().zip(other.fields_mut()) {
            if a.is_none() && b.is_some() {
                *a = b.take();
                taken.push(name);
            }
        }
        for name in taken {
            if let Some(how) = other.read_by.remove(name) {
                self.read_by.insert(name, how);
            }
        }
    }
}

impl Assessment {
    /// Copy findings, baseline and verdict into `report` (notes are appended), and fill the
    /// model, firmware, serial number and MAC address the identification did not learn from
    /// what the device told the checks (a note says how each was read).
    pub fn apply_to(self, report: &mut HostReport) {
        report.findings = self.findings;
        report.baseline = self.baseline;
        report.verdict = self.verdict.as_report();
        let d = self.device;
        // (how, what) in field order, facts read the same way together.
        let mut learned: Vec<(String, Vec<String>)> = Vec::new();
        let mut fill =
            |slot: &mut Option<String>, value: Option<String>, name: &str, label: String| {
                if slot.is_none()
                    && let Some(v) = value
                {
                    *slot = Some(v);
                    let how = d
                        .read_by
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| "the assessment".into());
                    match learned.iter_mut().find(|(h, _)| *h == how) {
                        Some((_, what)) => what.push(label),
                        None => learned.push((how, vec![label])),
                    }
                }
            };
        let label = |prefix: &str, v: &Option<String>| {
            format!("{prefix} {}", v.as_deref().unwrap_or_default())
        };
        fill(
            &mut report.model,
            d.model.clone(),
            "model",
            label("model", &d.model),
        );
        fill(
            &mut report.firmware,
            d.firmware.clone(),
            "firmware",
            label("firmware", &d.firmware),
        );
        fill(
            &mut report.serial,
            d.serial.clone(),
            "serial",
            "serial number".into(),
        );
        fill(&mut report.mac, d.mac.clone(), "mac", "MAC address".into());
        for (how, what) in learned {
            report
                .notes
                .push(format!("assess: {} read by {how}", what.join(", ")));
        }
        report
            .notes
            .extend(self.notes.into_iter().map(|n| format!("assess: {n}")));
    }
}

/// Sockets one host's assessment holds at most at once (one per concurrent check group).
pub const MAX_SOCKETS: usize = 6;

/// A credential to try.
#[derive(Clone, Debug)]
pub struct Cred {
    pub user: String,
    pub password: Secret,
    pub source: String,
}

/// A credential that worked, and where (for the opt-in lockout check).
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub target: creds::Target,
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
    fn new(
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
        self.left() < Duration::from_millis(200)
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
        if let Ok(mut c) = self.http_cache.lock() {
            c.insert(key, r.clone());
        }
        r
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

/// The credentials to try for `protocol` on a device of `vendor`/`brand`/`model`, in order, before the
/// budget cuts the list: `credentials.toml`'s order (vendor pairs, then generic ones), reshaped
/// by the device's password policy (`password-policy.toml`) when there is one: the vendor's
/// factory pairs first when they predate the rules (or not at all when such devices never had
/// one), then the policy's common weak passwords, then the generic pairs, every pair but the
/// exempt factory ones satisfying the rules.
pub fn candidate_credentials(
    kb: &Kb,
    policies: &[policy::PasswordPolicy],
    vendor: Option<&str>,
    brand: Option<&str>,
    model: Option<&str>,
    protocol: &str,
) -> Vec<Cred> {
    let listed = kb.credentials_for(vendor, protocol);
    let cred = |user: &str, password: &str, source: &str| Cred {
        user: user.to_string(),
        password: Secret::new(password.to_string()),
        source: source.to_string(),
    };
    let Some(p) = policy::for_device(policies, vendor, brand, model, protocol) else {
        return listed
            .into_iter()
            .map(|c| cred(&c.username, &c.password, &c.source))
            .collect();
    };
    let mut out: Vec<Cred> = Vec::new();
    let push = |c: Cred, out: &mut Vec<Cred>| {
        if !out
            .iter()
            .any(|x| x.user == c.user && x.password.expose() == c.password.expose())
        {
            out.push(c);
        }
    };
    let (own, generic): (Vec<_>, Vec<_>) = listed.into_iter().partition(|c| !c.is_generic());
    if p.factory_defaults == policy::FactoryDefaults::Legacy {
        for c in &own {
            push(cred(&c.username, &c.password, &c.source), &mut out);
        }
    }
    // The source names the policy, not its text: that quotes the passwords themselves, and
    // evidence never carries a password (nor a word that is one, like the file's name).
    let weak_source = format!(
        "common weak choice under the {}{} rules (kb/assess policy file, its weak_source)",
        p.vendor,
        p.brand
            .as_deref()
            .map(|b| format!("/{b}"))
            .unwrap_or_default(),
    );
    for w in &p.weak {
        push(cred(&p.weak_user, w, &weak_source), &mut out);
    }
    for c in generic.iter().filter(|c| p.allows(&c.password)) {
        push(cred(&c.username, &c.password, &c.source), &mut out);
    }
    out
}

/// One login attempt with `user`/`password` at `target` on `ip`: `Ok(true)` for a success
/// status, `Ok(false)` when refused, `Err` when there was no usable answer. No budget applies:
/// the caller decides (used to verify a credential, e.g. that a device is not locked out).
pub async fn try_login(
    kb: &Kb,
    ip: IpAddr,
    target: &LoginTarget,
    user: &str,
    password: &Secret,
    opts: &AssessOptions,
) -> Result<bool, String> {
    let report = HostReport::new(
        ip,
        camguard_model::Identification::default(),
        Vec::new(),
        String::new(),
    );
    let data = opts
        .data
        .as_deref()
        .unwrap_or_else(|| AssessData::embedded());
    let ctx = Ctx::new(kb, data, &report, &[], opts, Instant::now() + opts.deadline);
    match creds::attempt(&ctx, target, user, password).await {
        creds::Attempt::Success(_) => Ok(true),
        creds::Attempt::Failure(_) | creds::Attempt::Blocked(_) => Ok(false),
        creds::Attempt::Error(e) => Err(e),
    }
}

/// Assess one host. `observations` are those the identification collected (never part of the
/// output). Hosts not identified as camera systems are not assessed.
pub async fn assess(
    kb: &Kb,
    report: &HostReport,
    observations: &[Observation],
    opts: &AssessOptions,
) -> Assessment {
    let data = opts
        .data
        .as_deref()
        .unwrap_or_else(|| AssessData::embedded());
    assess_with(kb, data, report, observations, opts).await
}

/// [`assess`] with explicit assessment data (for `--kb DIR` overlays and tests).
pub async fn assess_with(
    kb: &Kb,
    data: &AssessData,
    report: &HostReport,
    observations: &[Observation],
    opts: &AssessOptions,
) -> Assessment {
    // Camera systems are assessed; so is any RTSP server (a video source: GStreamer, live555 and
    // other stacks run inside many cameras), whatever identification concluded. Other hosts
    // (web servers, printers, routers) only with --assess-all.
    let video_server = report.open_ports.iter().any(|p| p.service == "rtsp");
    if (!report.is_camera && !video_server && !opts.assess_all) || report.open_ports.is_empty() {
        return Assessment {
            findings: Vec::new(),
            baseline: Vec::new(),
            verdict: Verdict::NotAssessed,
            notes: vec!["not identified as a camera system or RTSP server: not assessed".into()],
            device: DeviceFacts::default(),
        };
    }
    let deadline = Instant::now() + opts.deadline;
    let ctx = Ctx::new(kb, data, report, observations, opts, deadline);
    let work = async {
        tokio::join!(
            http::run(&ctx),
            // ONVIF first: the stream URIs it names are RTSP routes to try.
            async {
                onvif::run(&ctx).await;
                rtsp::run(&ctx).await;
            },
            shell::run(&ctx),
            tls::run(&ctx),
            exposure::run(&ctx),
        );
        if opts.intrusive.contains(&Intrusive::Lockout) {
            lockout::run(&ctx).await;
        }
    };
    if tokio::time::timeout(opts.deadline + Duration::from_secs(5), work)
        .await
        .is_err()
    {
        ctx.note(format!(
            "assessment cut at its {} s deadline; kept what was found",
            opts.deadline.as_secs()
        ));
    }
    vulns::version_matches(&ctx); // idempotent; runs even when the network part was cut
    let mut findings = ctx.findings.into_inner().unwrap_or_default();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then(a.port.cmp(&b.port))
    });
    let lockout_ran = opts.intrusive.contains(&Intrusive::Lockout);
    let (baseline, verdict) = baseline::verdicts(kb, &findings, lockout_ran);
    let mut notes = ctx.notes.into_inner().unwrap_or_default();
    notes.dedup();
    Assessment {
        findings,
        baseline,
        verdict,
        notes,
        device: ctx.learned.into_inner().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_facts_fill_only_what_identification_missed_and_say_how() {
        let mut learned = DeviceFacts {
            firmware: Some(" V5.5.82 build 190220 ".into()),
            serial: Some("DS-2CD2043G2-IU2020".into()),
            model: Some("DS-2CD2043G2-IU".into()),
            ..Default::default()
        }
        .read_by("GET /ISAPI/System/deviceInfo with the credential found");
        // A later read keeps the earlier values and adds what was missing, with its own source.
        learned.merge(
            DeviceFacts {
                firmware: Some("other".into()),
                mac: Some("44:19:b6:01:02:03".into()),
                ..Default::default()
            }
            .read_by("ONVIF GetNetworkInterfaces"),
        );
        assert_eq!(learned.firmware.as_deref(), Some("V5.5.82 build 190220"));
        let mut report = HostReport::new(
            "127.0.0.1".parse().unwrap(),
            camguard_model::Identification {
                model: Some("DS-2CD2043G2-IU".into()),
                ..Default::default()
            },
            Vec::new(),
            String::new(),
        );
        Assessment {
            findings: Vec::new(),
            baseline: Vec::new(),
            verdict: Verdict::Pass,
            notes: Vec::new(),
            device: learned,
        }
        .apply_to(&mut report);
        assert_eq!(report.firmware.as_deref(), Some("V5.5.82 build 190220"));
        assert_eq!(report.serial.as_deref(), Some("DS-2CD2043G2-IU2020"));
        assert_eq!(report.mac.as_deref(), Some("44:19:b6:01:02:03"));
        assert_eq!(
            report.notes,
            [
                "assess: firmware V5.5.82 build 190220, serial number read by GET /ISAPI/System/deviceInfo with the credential found",
                "assess: MAC address read by ONVIF GetNetworkInterfaces"
            ]
        );
    }

    fn order(vendor: &str, brand: Option<&str>, protocol: &str) -> Vec<String> {
        let kb = Kb::embedded().unwrap();
        let data = AssessData::embedded();
        candidate_credentials(&kb, &data.policies, Some(vendor), brand, None, protocol)
            .into_iter()
            .map(|c| format!("{}/{}", c.user, c.password.expose()))
            .collect()
    }

    #[test]
    fn password_policies_order_and_prune_the_candidates() {
        let budget = AssessOptions::for_profile(Profile::Default).credential_budget;
        // Tapo: no factory account, so TP-Link's TL-SC admin/admin and empty passwords are never
        // tried; the common weak passwords come first, within the default budget.
        let tapo = order("tp-link", Some("tapo"), "rtsp");
        assert_eq!(&tapo[..2], ["admin/12345678", "admin/admin123"]);
        assert!(!tapo.iter().any(|c| c.ends_with('/')), "{tapo:?}");
        assert!(!tapo.contains(&"admin/admin".to_string()));
        assert!(tapo[..budget].contains(&"admin/admin123".to_string()));
        // VIGI (activated with a user password): likewise, also when only the model names it.
        assert_eq!(order("tp-link", Some("vigi"), "rtsp")[..2], tapo[..2]);
        let kb = Kb::embedded().unwrap();
        let data = AssessData::embedded();
        let by_model: Vec<String> = candidate_credentials(
            &kb,
            &data.policies,
            Some("tp-link"),
            None,
            Some("VIGI"),
            "onvif",
        )
        .into_iter()
        .map(|c| format!("{}/{}", c.user, c.password.expose()))
        .collect();
        assert_eq!(by_model[..2], tapo[..2]);
        // Other TP-Link devices keep credentials.toml's order.
        assert_eq!(order("tp-link", None, "rtsp")[0], "admin/admin");
        // Dahua: the old firmware's factory pairs first, then what the 8-32 two-kind rule
        // accepts; admin123 is within the budget, 12345678 (digits only) is never tried.
        let dahua = order("dahua", None, "rtsp");
        assert_eq!(&dahua[..2], ["admin/admin", "666666/666666"]);
        assert!(dahua[..budget].contains(&"admin/admin123".to_string()));
        assert!(
            !dahua
                .iter()
                .any(|c| c.ends_with("/12345678") || c.ends_with("/1234"))
        );
        // The policy governs the user accounts, not the firmware's telnet root account.
        assert!(order("dahua", None, "telnet").contains(&"root/vizxv".to_string()));
        // Hikvision: admin/12345 of pre-activation firmware first; activation-valid weak ones next.
        let hik = order("hikvision", None, "http");
        assert_eq!(hik[0], "admin/12345");
        assert!(hik.contains(&"admin/admin12345".to_string()));
        assert!(!hik.contains(&"admin/123456".to_string()) && !hik.contains(&"admin/".to_string()));
        // Evidence carries the source: a policy's weak password must not appear in it.
        let kb = Kb::embedded().unwrap();
        for (v, b) in [
            ("tp-link", Some("tapo")),
            ("dahua", None),
            ("hikvision", None),
        ] {
            let data = AssessData::embedded();
            for c in candidate_credentials(&kb, &data.policies, Some(v), b, None, "rtsp")
                .iter()
                .filter(|c| c.source.starts_with("common weak choice"))
            {
                assert!(!c.source.contains(c.password.expose()), "{}", c.source);
            }
        }
        // EZVIZ: the password is the label's 6-letter code: nothing common fits it.
        assert!(order("hikvision", Some("ezviz"), "rtsp").is_empty());
        // No policy: unchanged.
        let axis = order("axis", None, "http");
        let kb = Kb::embedded().unwrap();
        let listed: Vec<String> = kb
            .credentials_for(Some("axis"), "http")
            .into_iter()
            .map(|c| format!("{}/{}", c.username, c.password))
            .collect();
        assert_eq!(axis, listed);
    }

    #[test]
    fn profiles_parse_and_differ() {
        assert_eq!("QUICK".parse::<Profile>().unwrap(), Profile::Quick);
        assert!("fast".parse::<Profile>().is_err());
        assert_eq!("cve".parse::<Intrusive>().unwrap(), Intrusive::Cve);
        assert!("all".parse::<Intrusive>().is_err());
        let q = AssessOptions::for_profile(Profile::Quick);
        let d = AssessOptions::for_profile(Profile::Default);
        let t = AssessOptions::for_profile(Profile::Thorough);
        assert!(
            q.credential_budget < d.credential_budget && d.credential_budget < t.credential_budget
        );
        assert!(!q.frame_check && d.frame_check && t.frame_check);
        assert!(q.rtsp_routes < d.rtsp_routes && d.rtsp_routes < t.rtsp_routes);
        assert!(
            q.intrusive.is_empty() && d.intrusive.is_empty() && t.intrusive.is_empty(),
            "opt-in only"
        );
        assert!(!d.reveal_secrets);
    }
}
