//! Deterministic fleet layout: which address runs which profile in which variant, with which
//! model, firmware, serial, MAC and passwords — and the ground truth that follows from it.

use crate::profile::{
    CredMode, FwChoice, HttpMode, OnvifAuth, Profile, ProfileKind, ProfileSet, Role, RouteAuth,
    Scheme, ServiceDef, TlsKind, VariantDef, vuln_finding_id,
};
use crate::template::{Rng, Vars, render};
use crate::{HostKind, Truth, TruthCredential, TruthHost};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Share of addresses per kind when the fleet is filled at random.
pub const P_CAMERA: f64 = 0.10;
pub const P_DECOY: f64 = 0.03;
pub const P_TARPIT: f64 = 0.0015;
pub const P_RTSP_ANY: f64 = 0.003;

/// Everything about one simulated host.
#[derive(Clone, Debug)]
pub struct HostPlan {
    /// Offset from the fleet's base address.
    #[expect(
        dead_code,
        reason = "the device's place in the fleet, kept for debugging output"
    )]
    pub index: u32,
    pub ip: Ipv4Addr,
    pub kind: HostKind,
    pub profile: Arc<Profile>,
    pub variant: VariantDef,
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub newest_firmware: bool,
    /// The model's newest firmware is a sourced public version (`newest_source`), so an older
    /// one is an expected `outdated-firmware` finding.
    pub newest_known: bool,
    pub cves: Vec<String>,
    pub user: String,
    pub password: String,
    pub telnet: (String, String),
    /// Enabled TCP services.
    pub services: Vec<ServiceDef>,
    /// ONVIF served (on `profile.onvif.port`), with WS-Discovery on UDP 3702.
    pub onvif: bool,
    pub flags: BTreeSet<String>,
    pub vars: Vars,
}

impl HostPlan {
    /// Is this route active for this host (its `when` flags all hold)?
    pub fn flags_hold(&self, when: &[String]) -> bool {
        when.iter().all(|w| match w.strip_prefix('!') {
            Some(n) => !self.flags.contains(n),
            None => self.flags.contains(w),
        })
    }

    /// The ONVIF port, when ONVIF is served.
    pub fn onvif_port(&self) -> Option<u16> {
        if self.onvif {
            self.profile.def.onvif.as_ref().map(|o| o.port)
        } else {
            None
        }
    }

    /// TCP ports with a listener (services plus a dedicated ONVIF port).
    pub fn tcp_ports(&self) -> Vec<u16> {
        let mut v: Vec<u16> = self.services.iter().map(|s| s.port).collect();
        if let Some(p) = self.onvif_port()
            && !v.contains(&p)
        {
            v.push(p);
        }
        v.sort_unstable();
        v.dedup();
        v
    }

    pub fn udp_ports(&self) -> Vec<u16> {
        if self.onvif { vec![3702] } else { Vec::new() }
    }
}

const STRONG: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/// Lays the fleet out. Same `(base, hosts, seed, profiles)` → same plan.
pub fn plan(base: Ipv4Addr, hosts: u32, seed: u64, set: &ProfileSet) -> Vec<HostPlan> {
    let mut cams = set.of_kind(ProfileKind::Camera);
    cams.sort_by(|a, b| a.id.cmp(&b.id));
    let mut decoys = set.of_kind(ProfileKind::Decoy);
    decoys.sort_by(|a, b| a.id.cmp(&b.id));
    let mut tarpits = set.of_kind(ProfileKind::Tarpit);
    tarpits.sort_by(|a, b| a.id.cmp(&b.id));
    let mut anys = set.of_kind(ProfileKind::RtspAny);
    anys.sort_by(|a, b| a.id.cmp(&b.id));

    // The first addresses hold one of everything: each camera profile (alternately weak and
    // hardened, so both appear), each decoy, a tarpit, an rtsp-any host.
    let mut fixed: Vec<(Arc<Profile>, Option<&str>)> = Vec::new();
    for (i, p) in cams.iter().enumerate() {
        fixed.push((
            p.clone(),
            Some(if i % 2 == 0 { "weak" } else { "hardened" }),
        ));
    }
    for p in &decoys {
        fixed.push((p.clone(), None));
    }
    if let Some(p) = tarpits.first() {
        fixed.push((p.clone(), None));
    }
    if let Some(p) = anys.first() {
        fixed.push((p.clone(), None));
    }

    let cam_w: Vec<f64> = cams.iter().map(|p| p.def.weight).collect();
    let dec_w: Vec<f64> = decoys.iter().map(|p| p.def.weight).collect();
    let b = u32::from(base);
    let mut out = Vec::new();
    for idx in 0..hosts {
        let ip = Ipv4Addr::from(b.wrapping_add(idx));
        let mut rng = Rng::derive(seed, u64::from(idx), 0x5157);
        let choice: Option<(Arc<Profile>, Option<&str>)> = if (idx as usize) < fixed.len() {
            Some(fixed[idx as usize].clone())
        } else {
            let u = rng.f64();
            if u < P_CAMERA && !cams.is_empty() {
                Some((cams[rng.weighted(&cam_w)].clone(), None))
            } else if u < P_CAMERA + P_DECOY && !decoys.is_empty() {
                Some((decoys[rng.weighted(&dec_w)].clone(), None))
            } else if u < P_CAMERA + P_DECOY + P_TARPIT && !tarpits.is_empty() {
                Some((tarpits[rng.below(tarpits.len())].clone(), None))
            } else if u < P_CAMERA + P_DECOY + P_TARPIT + P_RTSP_ANY && !anys.is_empty() {
                Some((anys[rng.below(anys.len())].clone(), None))
            } else {
                None
            }
        };
        if let Some((p, v)) = choice {
            out.push(make_host(idx, ip, p, v, &mut rng));
        }
    }
    out
}

fn make_host(
    index: u32,
    ip: Ipv4Addr,
    profile: Arc<Profile>,
    variant: Option<&str>,
    rng: &mut Rng,
) -> HostPlan {
    let d = &profile.def;
    let variant = if let Some(v) = variant.and_then(|n| profile.variant(n)) {
        v.clone()
    } else {
        let w: Vec<f64> = profile.variants.iter().map(|v| v.weight).collect();
        profile.variants[rng.weighted(&w)].clone()
    };
    let kind = match d.kind {
        ProfileKind::Camera => HostKind::Camera,
        ProfileKind::Decoy => HostKind::Decoy,
        ProfileKind::Tarpit => HostKind::Tarpit,
        ProfileKind::RtspAny => HostKind::RtspAny,
    };

    // Model and firmware.
    let (model, fw_list, model_vars, newest_known) = if d.models.is_empty() {
        (None, &d.firmware, None, d.firmware_newest_source.is_some())
    } else {
        // A variant on the newest firmware (hardened, factory state, …) gets a model whose
        // newest firmware is not known-vulnerable, when the profile has one.
        let current: Vec<&crate::profile::ModelDef> = d
            .models
            .iter()
            .filter(|m| m.firmware.last().is_none_or(|f| f.cves().is_empty()))
            .collect();
        let m = if variant.firmware == FwChoice::Newest && !current.is_empty() {
            *rng.pick(&current)
        } else {
            rng.pick(&d.models)
        };
        (
            Some(m.name.clone()),
            &m.firmware,
            Some(&m.vars),
            m.newest_source.is_some(),
        )
    };
    let fw_idx = if fw_list.is_empty() {
        None
    } else {
        let n = fw_list.len();
        Some(match variant.firmware {
            FwChoice::Newest => n - 1,
            FwChoice::Oldest => 0,
            FwChoice::Older => {
                if n > 1 {
                    rng.below(n - 1)
                } else {
                    0
                }
            }
            FwChoice::Any => rng.below(n),
        })
    };
    let fw = fw_idx.map(|i| &fw_list[i]);
    let newest_firmware = match fw_idx {
        Some(i) => i + 1 == fw_list.len(),
        None => true,
    };
    let cves: Vec<String> = fw.map(|f| f.cves().to_vec()).unwrap_or_default();

    // Accounts.
    let user = d.credentials.user.clone();
    let strong = rng.string(16, STRONG);
    let password = match variant.credential {
        CredMode::Default if !d.credentials.defaults.is_empty() => {
            rng.pick(&d.credentials.defaults).clone()
        }
        _ => strong.clone(),
    };
    let telnet = match variant.credential {
        CredMode::Default if !d.credentials.telnet.is_empty() => {
            let t = rng.pick(&d.credentials.telnet);
            (t[0].clone(), t[1].clone())
        }
        _ => (user.clone(), password.clone()),
    };

    // Identity.
    let mut builtins = Vars::new();
    let ymd = format!(
        "{:04}{:02}{:02}",
        2015 + rng.below(9),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    builtins.insert("digits9".into(), rng.string(9, b"0123456789"));
    builtins.insert(
        "alnum15".into(),
        rng.string(15, b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ"),
    );
    builtins.insert("hex12".into(), rng.hex(12));
    builtins.insert("yyyymmdd".into(), ymd);
    builtins.insert("model".into(), model.clone().unwrap_or_default());
    let oui = if d.identity.mac_oui.is_empty() {
        "02:00:00".to_string()
    } else {
        rng.pick(&d.identity.mac_oui).to_ascii_lowercase()
    };
    let mac = format!(
        "{oui}:{:02x}:{:02x}:{:02x}",
        rng.below(256),
        rng.below(256),
        rng.below(256)
    );
    // Serial templates may use the MAC address (Axis: the serial number is the MAC).
    builtins.insert("mac".into(), mac.clone());
    builtins.insert("MAC".into(), mac.replace(':', "").to_ascii_uppercase());
    let serial = if d.identity.serial.is_empty() {
        String::new()
    } else {
        render(&d.identity.serial, &builtins)
    };
    let uuid = {
        let h = rng.hex(32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    };

    let mut vars = Vars::new();
    vars.insert("ip".into(), ip.to_string());
    vars.insert("model".into(), model.clone().unwrap_or_default());
    let fwv = fw.map(|f| f.version().to_string()).unwrap_or_default();
    let (fw_version, fw_build) = match fwv.split_once(" build ") {
        Some((a, b)) => (a.to_string(), format!("build {b}")),
        None => (fwv.clone(), String::new()),
    };
    vars.insert("firmware".into(), fwv.clone());
    vars.insert("firmware_version".into(), fw_version);
    vars.insert("firmware_build".into(), fw_build);
    vars.insert("serial".into(), serial);
    vars.insert("mac".into(), mac.clone());
    vars.insert("MAC".into(), mac.replace(':', "").to_ascii_uppercase());
    vars.insert("mac_upper".into(), mac.to_ascii_uppercase());
    vars.insert("manufacturer".into(), d.identity.manufacturer.clone());
    vars.insert("hardware_id".into(), d.identity.hardware_id.clone());
    vars.insert("device_name".into(), d.identity.device_name.clone());
    vars.insert("user".into(), user.clone());
    vars.insert("password".into(), password.clone());
    vars.insert("uuid".into(), uuid);
    vars.insert("hexid24".into(), rng.hex(24));
    vars.insert("vendor".into(), d.vendor.clone().unwrap_or_default());
    // Profile, model and firmware variables, in increasing precedence; rendered against the
    // builtins so they can refer to `{model}` and the like.
    let mut layered: Vec<(String, String)> =
        d.vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    if let Some(mv) = model_vars {
        layered.extend(mv.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    if let Some(fv) = fw.and_then(|f| f.vars()) {
        layered.extend(fv.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for (k, v) in &layered {
        vars.insert(k.clone(), v.clone());
    }
    // Second pass so that variables may refer to each other (one level).
    for (k, _) in &layered {
        let v = render(&vars[k], &vars);
        vars.insert(k.clone(), v);
    }
    for k in ["device_name", "manufacturer", "hardware_id"] {
        let v = render(&vars[k], &vars);
        vars.insert(k.into(), v);
    }

    let services: Vec<ServiceDef> = d
        .services
        .iter()
        .filter(|s| variant.enables(s))
        .cloned()
        .collect();
    let onvif = d.onvif.is_some() && variant.enables_onvif();

    let mut flags: BTreeSet<String> = variant.flags.iter().cloned().collect();
    flags.insert(format!("variant:{}", variant.name));
    flags.insert(if newest_firmware {
        "newest-firmware".into()
    } else {
        "old-firmware".into()
    });
    for c in &cves {
        flags.insert(format!("cve:{c}"));
    }
    if variant.http_mode == HttpMode::Redirect {
        flags.insert("http-redirect".into());
    }

    let firmware = fw.map(|f| f.version().to_string());
    HostPlan {
        index,
        ip,
        kind,
        profile: profile.clone(),
        variant,
        model,
        firmware,
        newest_firmware,
        newest_known,
        cves,
        user,
        password,
        telnet,
        services,
        onvif,
        flags,
        vars,
    }
}

/// Does any active route of the sites served by enabled web services need credentials, and
/// which routes are public and expose something?
struct WebFacts {
    any_web: bool,
    plain_web: bool,
    tls_web: bool,
    plain_management: bool,
    auth_routes: bool,
    login_routes: bool,
    exposes: BTreeSet<String>,
    /// Vulnerabilities of the web server software of the sites served.
    server_vulns: BTreeSet<String>,
}

fn web_facts(h: &HostPlan) -> WebFacts {
    let d = &h.profile.def;
    let mut f = WebFacts {
        any_web: false,
        plain_web: false,
        tls_web: false,
        plain_management: false,
        auth_routes: false,
        login_routes: false,
        exposes: BTreeSet::new(),
        server_vulns: BTreeSet::new(),
    };
    for s in h
        .services
        .iter()
        .filter(|s| matches!(s.role, Role::Web | Role::WebTls))
    {
        let Some(site) = d.sites.get(s.site.as_deref().unwrap_or("main")) else {
            continue;
        };
        f.any_web = true;
        f.server_vulns.extend(site.cves.iter().cloned());
        let plain = s.role == Role::Web;
        if plain {
            f.plain_web = true;
            if h.variant.http_mode == HttpMode::Serve && site.management {
                f.plain_management = true;
            }
        } else {
            f.tls_web = true;
        }
        // On a redirecting plain port nothing of the site is reachable.
        if plain && h.variant.http_mode == HttpMode::Redirect {
            continue;
        }
        for r in site.routes.iter().filter(|r| h.flags_hold(&r.when)) {
            if r.auth == RouteAuth::Required {
                f.auth_routes = true;
            } else if let Some(e) = &r.exposes {
                f.exposes.insert(e.clone());
            }
            if r.login.is_some() {
                f.login_routes = true;
            }
        }
    }
    f
}

/// The finding ids (scan-output.md) this host's configuration implies.
pub fn expected_findings(h: &HostPlan) -> Vec<String> {
    if h.kind != HostKind::Camera {
        return Vec::new();
    }
    let d = &h.profile.def;
    let v = &h.variant;
    let default = v.credential == CredMode::Default && !d.credentials.defaults.is_empty();
    let mut out: BTreeSet<String> = BTreeSet::new();
    let w = web_facts(h);
    if w.plain_management {
        out.insert("cleartext-management-http".into());
    }
    if w.plain_web && v.http_mode == HttpMode::Serve && w.auth_routes && v.http_auth.basic() {
        out.insert("http-basic-auth-cleartext".into());
    }
    if w.any_web && default && (w.auth_routes || w.login_routes) {
        out.insert("default-credential:http".into());
    }
    if w.tls_web {
        match v.tls {
            TlsKind::SelfSigned => {
                out.insert("self-signed-tls".into());
            }
            TlsKind::Expired => {
                out.insert("expired-tls-cert".into());
            }
            TlsKind::Ca => {}
        }
    }
    if w.exposes.contains("snapshot") {
        out.insert("unauthenticated-snapshot".into());
    }
    if w.exposes.contains("config") {
        out.insert("unauthenticated-config".into());
    }
    if h.services.iter().any(|s| s.role == Role::Rtsp) {
        match v.rtsp_auth {
            Scheme::None => {
                out.insert("unauthenticated-rtsp-stream".into());
            }
            s => {
                if default {
                    out.insert("default-credential:rtsp".into());
                }
                if s.basic() {
                    out.insert("rtsp-basic-auth-cleartext".into());
                }
            }
        }
    }
    if h.onvif {
        match v.onvif_auth {
            OnvifAuth::None => {
                out.insert("unauthenticated-onvif".into());
            }
            OnvifAuth::Wsse => {
                if default {
                    out.insert("default-credential:onvif".into());
                }
            }
        }
    }
    if h.services.iter().any(|s| s.role == Role::Telnet) {
        out.insert("telnet-enabled".into());
        if v.credential == CredMode::Default && (!d.credentials.telnet.is_empty() || default) {
            out.insert("default-credential:telnet".into());
        }
    }
    if h.services.iter().any(|s| s.role == Role::Ftp) {
        out.insert("ftp-enabled".into());
        if default {
            out.insert("default-credential:ftp".into());
        }
    }
    if h.services.iter().any(|s| s.role == Role::Ssh) {
        out.insert("ssh-enabled".into());
    }
    if h.services.iter().any(|s| s.role == Role::Sdk) {
        out.insert("vendor-sdk-port-exposed".into());
    }
    if !h.newest_firmware && h.newest_known {
        out.insert("outdated-firmware".into());
    }
    for c in h.cves.iter().chain(&w.server_vulns) {
        out.insert(vuln_finding_id(c));
    }
    out.into_iter().collect()
}

/// The credentials each checking service accepts.
pub fn credentials(h: &HostPlan) -> Vec<TruthCredential> {
    let mut out = Vec::new();
    let cred = |service: &str, u: &str, p: &str| TruthCredential {
        service: service.into(),
        username: u.into(),
        password: p.into(),
    };
    let w = web_facts(h);
    if w.auth_routes || w.login_routes {
        out.push(cred("http", &h.user, &h.password));
    }
    if h.services.iter().any(|s| s.role == Role::Rtsp)
        && h.variant.rtsp_auth != Scheme::None
        && h.kind != HostKind::RtspAny
    {
        out.push(cred("rtsp", &h.user, &h.password));
    }
    if h.onvif && h.variant.onvif_auth == OnvifAuth::Wsse {
        out.push(cred("onvif", &h.user, &h.password));
    }
    if h.services.iter().any(|s| s.role == Role::Telnet) {
        out.push(cred("telnet", &h.telnet.0, &h.telnet.1));
    }
    if h.services.iter().any(|s| s.role == Role::Ftp) {
        out.push(cred("ftp", &h.user, &h.password));
    }
    out
}

pub fn truth_host(h: &HostPlan) -> TruthHost {
    let d = &h.profile.def;
    let is_camera = matches!(h.kind, HostKind::Camera | HostKind::RtspAny);
    TruthHost {
        ip: h.ip,
        kind: h.kind,
        is_camera,
        device_type: if is_camera && !d.device_type.is_camera_system() {
            camguard_model::DeviceType::Camera
        } else {
            d.device_type
        },
        vendor: d.vendor.clone(),
        brand: d.brand.clone(),
        model: h.model.clone(),
        firmware: h.firmware.clone(),
        serial: h.vars.get("serial").filter(|s| !s.is_empty()).cloned(),
        mac: h.vars.get("mac").filter(|s| !s.is_empty()).cloned(),
        profile: h.profile.id.clone(),
        config: h.variant.name.clone(),
        open_ports: h.tcp_ports(),
        udp_ports: h.udp_ports(),
        expected_findings: expected_findings(h),
        credentials: credentials(h),
    }
}

pub fn truth(base: Ipv4Addr, hosts: u32, seed: u64, plans: &[HostPlan]) -> Truth {
    Truth {
        seed,
        base,
        hosts,
        entries: plans.iter().map(truth_host).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> ProfileSet {
        ProfileSet::load(None).unwrap()
    }

    #[test]
    fn same_seed_same_truth() {
        let s = set();
        let a = truth(
            Ipv4Addr::new(127, 50, 0, 0),
            4096,
            42,
            &plan(Ipv4Addr::new(127, 50, 0, 0), 4096, 42, &s),
        );
        let b = truth(
            Ipv4Addr::new(127, 50, 0, 0),
            4096,
            42,
            &plan(Ipv4Addr::new(127, 50, 0, 0), 4096, 42, &s),
        );
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        let c = truth(
            Ipv4Addr::new(127, 50, 0, 0),
            4096,
            43,
            &plan(Ipv4Addr::new(127, 50, 0, 0), 4096, 43, &s),
        );
        assert_ne!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&c).unwrap()
        );
    }

    /// Every identity variable is rendered (an Axis serial is its MAC address), and serial
    /// numbers and MAC addresses are unique in a fleet, as they are in a real inventory.
    #[test]
    fn identities_are_rendered_and_unique() {
        let s = set();
        let base = Ipv4Addr::new(127, 52, 0, 0);
        let plans = plan(base, 4096, 3, &s);
        let mut seen = BTreeSet::new();
        for h in &plans {
            for k in ["serial", "mac", "MAC", "model", "firmware"] {
                let v = h.vars.get(k).map_or("", String::as_str);
                assert!(!v.contains('{'), "{} {}: {k} = {v:?}", h.ip, h.profile.id);
            }
            for k in ["serial", "mac"] {
                if let Some(v) = h.vars.get(k).filter(|v| !v.is_empty()) {
                    assert!(seen.insert((k, v.clone())), "{} repeats {k} {v}", h.ip);
                }
            }
        }
        let axis = plans.iter().find(|h| h.profile.id == "axis").unwrap();
        assert_eq!(axis.vars["serial"], axis.vars["MAC"]);
    }

    #[test]
    fn small_fleet_has_every_kind() {
        let s = set();
        let base = Ipv4Addr::new(127, 51, 0, 0);
        let t = truth(base, 64, 1, &plan(base, 64, 1, &s));
        let kinds: BTreeSet<_> = t.entries.iter().map(|e| e.kind).collect();
        for k in [
            HostKind::Camera,
            HostKind::Decoy,
            HostKind::Tarpit,
            HostKind::RtspAny,
        ] {
            assert!(kinds.contains(&k), "no {k:?}");
        }
        let profiles: BTreeSet<_> = t.entries.iter().map(|e| e.profile.as_str()).collect();
        for p in &s.profiles {
            if p.def.kind != ProfileKind::Tarpit && p.def.kind != ProfileKind::RtspAny {
                assert!(profiles.contains(p.id.as_str()), "profile {} missing", p.id);
            }
        }
        assert!(
            t.entries
                .iter()
                .any(|e| e.kind == HostKind::Camera && e.config == "hardened")
        );
        assert!(
            t.entries
                .iter()
                .any(|e| e.kind == HostKind::Camera && e.config == "weak")
        );
        for e in &t.entries {
            assert!(!e.open_ports.is_empty(), "{} has no port", e.ip);
            assert!(!e.open_ports.contains(&2024));
            match e.kind {
                HostKind::Decoy | HostKind::Tarpit => {
                    assert!(
                        !e.is_camera && e.vendor.is_none() && e.expected_findings.is_empty(),
                        "{e:?}"
                    );
                    assert_eq!(e.device_type, camguard_model::DeviceType::Other);
                }
                HostKind::Camera if e.config == "hardened" => assert!(
                    e.expected_findings.is_empty(),
                    "hardened {} {}: {:?}",
                    e.ip,
                    e.profile,
                    e.expected_findings
                ),
                HostKind::Camera if e.config == "weak" => assert!(
                    !e.expected_findings.is_empty(),
                    "weak {} has no finding",
                    e.profile
                ),
                _ => {}
            }
            if e.kind == HostKind::Camera {
                assert!(e.is_camera);
            }
        }
    }

    /// `outdated-firmware` only where the model's newest version is sourced; vulnerabilities of
    /// a web server only where that site is served; ids without a CVE become `known-vuln:`.
    #[test]
    fn outdated_firmware_and_vulnerabilities_follow_the_data() {
        let s = set();
        let base = Ipv4Addr::new(127, 53, 0, 0);
        let plans = plan(base, 16384, 3, &s);
        let (mut outdated, mut unsourced_old, mut uc_httpd, mut uniview_old) = (0, 0, 0, 0);
        for h in plans.iter().filter(|h| h.kind == HostKind::Camera) {
            let e = expected_findings(h);
            let has = |id: &str| e.iter().any(|x| x == id);
            let d = &h.profile.def;
            let sourced = match &h.model {
                Some(m) => d
                    .models
                    .iter()
                    .find(|x| &x.name == m)
                    .unwrap()
                    .newest_source
                    .is_some(),
                None => d.firmware_newest_source.is_some(),
            };
            assert_eq!(
                has("outdated-firmware"),
                sourced && !h.newest_firmware,
                "{} {:?} {:?}",
                h.profile.id,
                h.model,
                h.firmware
            );
            outdated += usize::from(has("outdated-firmware"));
            unsourced_old += usize::from(!sourced && !h.newest_firmware);
            let web = h
                .services
                .iter()
                .any(|s| matches!(s.role, Role::Web | Role::WebTls));
            if h.profile.id.starts_with("xiongmai-") {
                assert_eq!(has("cve:CVE-2018-10088"), web, "{}", h.ip);
                assert_eq!(has("cve:CVE-2017-16725"), web, "{}", h.ip);
                uc_httpd += usize::from(web);
            }
            if h.profile.id == "uniview-ipc" {
                assert_eq!(
                    has("known-vuln:uniview-2017-main-cgi"),
                    !h.newest_firmware,
                    "{}",
                    h.ip
                );
                uniview_old += usize::from(!h.newest_firmware);
            }
            assert!(!e.iter().any(|x| x.starts_with("cve:uniview")));
        }
        assert!(outdated > 50 && unsourced_old > 50 && uc_httpd > 50 && uniview_old > 5);
        assert_eq!(vuln_finding_id("CVE-2021-36260"), "cve:CVE-2021-36260");
        assert_eq!(
            vuln_finding_id("uniview-2017-main-cgi"),
            "known-vuln:uniview-2017-main-cgi"
        );
        assert!(crate::profile::is_vuln_id("uniview-2017-main-cgi"));
        assert!(!crate::profile::is_vuln_id("CVE-2021"));
        assert!(!crate::profile::is_vuln_id("Not An Id"));
    }

    #[test]
    fn large_fleet_proportions() {
        let s = set();
        let base = Ipv4Addr::new(127, 52, 0, 0);
        let t = truth(base, 16384, 7, &plan(base, 16384, 7, &s));
        let count = |k: HostKind| t.entries.iter().filter(|e| e.kind == k).count();
        let cams = count(HostKind::Camera);
        assert!((1450..1800).contains(&cams), "cameras {cams}");
        let decoys = count(HostKind::Decoy);
        assert!((400..600).contains(&decoys), "decoys {decoys}");
        assert!((10..50).contains(&count(HostKind::Tarpit)));
        assert!((25..90).contains(&count(HostKind::RtspAny)));
        for e in t
            .entries
            .iter()
            .filter(|e| e.config == "hardened" || e.kind == HostKind::Decoy)
        {
            assert!(
                e.expected_findings.is_empty(),
                "{} {} {}: {:?}",
                e.ip,
                e.profile,
                e.config,
                e.expected_findings
            );
        }
        let tcp: usize = t
            .entries
            .iter()
            .map(|e| e.open_ports.len() + e.udp_ports.len())
            .sum();
        assert!(tcp < 12_000, "{tcp} sockets");
        // Every finding id is one of the contract's.
        let allowed_prefix = ["default-credential:", "cve:", "known-vuln:"];
        let allowed = [
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
        for e in &t.entries {
            for f in &e.expected_findings {
                assert!(
                    allowed.contains(&f.as_str())
                        || allowed_prefix.iter().any(|p| f.starts_with(p)),
                    "{f}"
                );
                if let Some(p) = f.strip_prefix("default-credential:") {
                    assert!(
                        ["http", "rtsp", "onvif", "telnet", "ftp", "ssh", "sdk"].contains(&p),
                        "{f}"
                    );
                }
            }
        }
    }
}
