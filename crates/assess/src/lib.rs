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
//!   [`AssessOptions::reveal_secrets`] is set: besides the `****` of the password fields, every
//!   password that worked is redacted from every string of every finding's evidence and from
//!   the notes (a knowledge-base source quoting the pair, a device echoing it), the `username`
//!   field alone kept.
//! * The only address ever connected to is the assessed host's (`HostReport::ip`): every
//!   connection takes `Ctx::ip`, never an address from a reply. Replies that name another
//!   address — HTTP `Location`, RTSP `Content-Base`/`Content-Location` and SDP controls, ONVIF
//!   `GetStreamUri`/`XAddr`s, WS-Discovery `XAddrs` — are used only for their path on this host
//!   (the RTSP ones are sent as request URLs on the connection already open to it). Ports: the
//!   host's ports the scan found open (`HostReport::open_ports`: a stream URI's or an XAddr's
//!   port is used only when it is one of them), plus UDP 1900 of the same host for the unicast
//!   SSDP question; RTP over UDP is received on a local port, from this host only.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

// Module layers (no module imports one above it; `lib.rs` only assembles):
//   leaves:    auth, budget, data (+ policy), evidence (+ i18n), facts, options, web, creds
//   state:     candidates, ctx
//   checks:    login (default credentials, over creds), device_info, vulns,
//              http, onvif, rtsp, shell, tls, exposure
//   on top:    dispatch (an attempt at any target), lockout, baseline
mod auth;
mod baseline;
pub mod budget;
mod candidates;
pub mod creds;
mod ctx;
pub mod data;
mod device_info;
mod dispatch;
mod evidence;
mod exposure;
mod facts;
mod http;
pub mod i18n;
mod lockout;
mod login;
mod onvif;
mod options;
pub mod policy;
mod rtsp;
mod shell;
mod tls;
mod vulns;
mod web;

use camguard_kb::Kb;
use camguard_model::{ClauseVerdict, Finding, HostReport, Observation, Secret};
use ctx::Ctx;
use std::net::IpAddr;
use std::time::Duration;
use tokio::time::Instant;

pub use baseline::Verdict;
pub use candidates::candidate_credentials;
pub use creds::Cred;
pub use creds::Target as LoginTarget;
pub use data::{AssessData, DataError};
pub use facts::DeviceFacts;
pub use options::{AssessOptions, Intrusive, Profile};

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

/// Sockets one host's assessment holds at most at once (one per concurrent check group).
pub const MAX_SOCKETS: usize = 6;

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
    match dispatch::attempt(&ctx, target, user, password).await {
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
    let (mut findings, mut notes, device) = ctx.finish();
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then(a.port.cmp(&b.port))
    });
    let lockout_ran = opts.intrusive.contains(&Intrusive::Lockout);
    let (baseline, verdict) = baseline::verdicts(kb, &findings, lockout_ran);
    notes.dedup();
    Assessment {
        findings,
        baseline,
        verdict,
        notes,
        device,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modules each source file refers to with `crate::…` (the crate root as `lib`).
    fn module_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = std::collections::BTreeMap::new();
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") {
                let name = p.file_stem().unwrap().to_string_lossy().into_owned();
                files.insert(name, std::fs::read_to_string(&p).unwrap());
            }
        }
        let ident = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        let mut out = std::collections::BTreeMap::new();
        for (name, text) in &files {
            let mut deps = std::collections::BTreeSet::new();
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + 7..];
                let names: Vec<String> = match rest.strip_prefix('{') {
                    Some(group) => group[..group.find('}').unwrap_or(0)]
                        .split(',')
                        .map(|x| ident(x.trim()))
                        .collect(),
                    None => vec![ident(rest)],
                };
                for n in names.into_iter().filter(|n| !n.is_empty()) {
                    let m = if files.contains_key(&n) {
                        n
                    } else {
                        "lib".into()
                    };
                    if m != *name {
                        deps.insert(m);
                    }
                }
            }
            out.insert(name.clone(), deps);
        }
        out
    }

    #[test]
    fn every_connection_takes_the_assessed_address() {
        // Calls that open a connection or send a datagram, and what their address argument may
        // be: the context's address (`ctx.ip`; `self.ip` inside `Ctx`), or `ip` inside the SSDP
        // helper whose callers pass `ctx.ip` (checked as a call here too).
        let calls = [
            "http_request(",
            "RtspSession::connect(",
            "TcpStream::connect(",
            "legacy_tls_server_hello(",
            "ssdp_unicast(",
            ".connect(",
            "send_to(",
        ];
        let allowed = ["ctx.ip", "self.ip", "SocketAddr::new(ctx.ip"];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut seen = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            for call in calls {
                for (i, _) in code.match_indices(call) {
                    let line_start = code[..i].rfind('\n').map_or(0, |j| j + 1);
                    let line = &code[line_start..i];
                    if line.contains("fn ") || line.trim_start().starts_with("//") {
                        continue;
                    }
                    let arg: String = code[i + call.len()..]
                        .trim_start()
                        .chars()
                        .take_while(|c| *c != ',' && *c != ')')
                        .collect();
                    let ok = allowed.contains(&arg.trim())
                        || (name == "exposure.rs" && arg.trim() == "SocketAddr::new(ip");
                    assert!(
                        ok,
                        "{name}: {call}{arg}… does not take the assessed address"
                    );
                    seen += 1;
                }
            }
        }
        assert!(seen >= 10, "the calls were found ({seen})");
    }

    #[test]
    fn no_import_cycle_between_the_modules() {
        let g = module_imports();
        // The login control logic is a leaf: no protocol, no shared state.
        assert_eq!(
            g["creds"].iter().map(String::as_str).collect::<Vec<_>>(),
            ["budget", "data"]
        );
        // Kahn's algorithm: what cannot be ordered lies on a cycle.
        let mut left = g.clone();
        loop {
            let free: Vec<String> = left
                .iter()
                .filter(|(_, d)| d.iter().all(|x| !left.contains_key(x)))
                .map(|(n, _)| n.clone())
                .collect();
            if free.is_empty() {
                break;
            }
            for n in free {
                left.remove(&n);
            }
        }
        assert!(left.is_empty(), "modules on an import cycle: {left:?}");
    }

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
