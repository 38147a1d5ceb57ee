//! Shared data types of camguard.
//!
//! Two families live here:
//!
//! * [`Observation`]: a raw fact a probe saw on the wire (an HTTP `Server` header, an RTSP
//!   realm, an ONVIF manufacturer, a telnet banner). Probes produce them, the fingerprint engine
//!   consumes them. Keys are plain strings (`"http.server"`, `"rtsp.realm"`, …, see
//!   [`keys`]) so that fingerprint data files can name them without a code change.
//! * The scan-output contract of `docs/spec/scan-output.md`: [`ScanDocument`], [`HostReport`],
//!   [`OpenPort`], [`Finding`]. Field names here are a public contract: extend, never rename.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

pub mod redact;
pub mod scope;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Well-known observation keys. Probes may add others (`http.header.<name>`), and fingerprint
/// files may match any key by exact name or by a trailing `*` glob.
pub mod keys {
    pub const PORT_OPEN: &str = "port.open";
    pub const HTTP_STATUS: &str = "http.status";
    pub const HTTP_SERVER: &str = "http.server";
    pub const HTTP_TITLE: &str = "http.title";
    pub const HTTP_BODY: &str = "http.body";
    pub const HTTP_REALM: &str = "http.realm";
    pub const HTTP_AUTH_SCHEME: &str = "http.auth_scheme";
    pub const HTTP_LOCATION: &str = "http.location";
    pub const HTTP_COOKIE: &str = "http.set_cookie";
    pub const HTTP_FAVICON_MD5: &str = "http.favicon.md5";
    pub const HTTP_FAVICON_MMH3: &str = "http.favicon.mmh3";
    /// Prefix: `http.header.<lower-case name>`.
    pub const HTTP_HEADER_PREFIX: &str = "http.header.";
    /// Prefix: `http.path.<path>` holds the body of a vendor endpoint fetched by path.
    pub const HTTP_PATH_PREFIX: &str = "http.path.";
    pub const TLS_SUBJECT: &str = "tls.subject";
    pub const TLS_ISSUER: &str = "tls.issuer";
    pub const RTSP_SERVER: &str = "rtsp.server";
    pub const RTSP_REALM: &str = "rtsp.realm";
    pub const RTSP_AUTH_SCHEME: &str = "rtsp.auth_scheme";
    pub const RTSP_PUBLIC: &str = "rtsp.public";
    pub const RTSP_STATUS: &str = "rtsp.status";
    pub const RTSP_SDP: &str = "rtsp.sdp";
    pub const ONVIF_MANUFACTURER: &str = "onvif.manufacturer";
    pub const ONVIF_MODEL: &str = "onvif.model";
    pub const ONVIF_FIRMWARE: &str = "onvif.firmware";
    pub const ONVIF_SERIAL: &str = "onvif.serial";
    pub const ONVIF_HARDWARE_ID: &str = "onvif.hardware_id";
    pub const ONVIF_DATETIME: &str = "onvif.datetime";
    pub const ONVIF_FAULT: &str = "onvif.fault";
    pub const ONVIF_SCOPE: &str = "onvif.scope";
    pub const WSD_SCOPE: &str = "wsd.scope";
    pub const WSD_TYPES: &str = "wsd.types";
    pub const WSD_XADDRS: &str = "wsd.xaddrs";
    pub const BANNER_TELNET: &str = "banner.telnet";
    pub const BANNER_FTP: &str = "banner.ftp";
    pub const BANNER_SSH: &str = "banner.ssh";
    /// Bytes a server sent unprompted on a port with no better classification (escaped).
    pub const BANNER_RAW: &str = "banner.raw";
    /// Bytes a proprietary SDK port answered to its vendor's hello (escaped).
    pub const SDK_REPLY: &str = "sdk.reply";
    /// `SERVER` header of a unicast SSDP `M-SEARCH` reply (UDP 1900 of the scanned host).
    pub const SSDP_SERVER: &str = "ssdp.server";
    /// `LOCATION` of an SSDP reply: where the device says its UPnP description is.
    pub const SSDP_LOCATION: &str = "ssdp.location";
    /// `ST` / `USN` of an SSDP reply.
    pub const SSDP_ST: &str = "ssdp.st";
    pub const SSDP_USN: &str = "ssdp.usn";
    /// UPnP device description (UPnP Device Architecture 1.0 §2.3): the root device's
    /// `deviceType` and those of its embedded devices, one observation each.
    pub const UPNP_DEVICE_TYPE: &str = "upnp.device_type";
    pub const UPNP_FRIENDLY_NAME: &str = "upnp.friendly_name";
    pub const UPNP_MANUFACTURER: &str = "upnp.manufacturer";
    pub const UPNP_MANUFACTURER_URL: &str = "upnp.manufacturer_url";
    pub const UPNP_MODEL_NAME: &str = "upnp.model_name";
    pub const UPNP_MODEL_NUMBER: &str = "upnp.model_number";
    pub const UPNP_MODEL_DESCRIPTION: &str = "upnp.model_description";
    pub const UPNP_SERIAL: &str = "upnp.serial";
}

/// One fact seen on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// TCP (or UDP for WS-Discovery) port the fact came from; 0 when not port-bound.
    pub port: u16,
    /// What the fact is, see [`keys`].
    pub key: String,
    /// The value, already decoded to text and truncated by the probe.
    pub value: String,
}

impl Observation {
    pub fn new(port: u16, key: impl Into<String>, value: impl Into<String>) -> Self {
        Observation {
            port,
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Kind of device, per the scan-output contract.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "lowercase")]
pub enum DeviceType {
    Camera,
    Nvr,
    Dvr,
    #[default]
    Other,
}

impl DeviceType {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceType::Camera => "camera",
            DeviceType::Nvr => "nvr",
            DeviceType::Dvr => "dvr",
            DeviceType::Other => "other",
        }
    }

    /// Cameras, NVRs and DVRs are all "camera systems" for the directive.
    pub fn is_camera_system(self) -> bool {
        !matches!(self, DeviceType::Other)
    }
}

impl fmt::Display for DeviceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Finding severity, per the scan-output contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Transport of an open port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    Tcp,
    Udp,
}

/// An open port and the service found on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPort {
    pub port: u16,
    pub transport: Transport,
    /// Service name: `http`, `https`, `rtsp`, `onvif`, `telnet`, `ftp`, `ssh`, `ws-discovery`,
    /// `hikvision-sdk`, `dahua-sdk`, `xiongmai-sdk`, …, or `unknown`.
    pub service: String,
}

/// Why the identification concluded what it did: one rule that fired on one observation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conclusion {
    /// Which field this supports: `vendor`, `brand`, `model`, `firmware`, `device_type`.
    pub field: String,
    /// The value the rule produced.
    pub value: String,
    /// Id of the fingerprint rule.
    pub rule: String,
    /// Port and key of the observation, and an excerpt of it.
    pub port: u16,
    pub source: String,
    pub excerpt: String,
    /// Weight the rule gave (0–100).
    pub weight: u8,
}

/// What the fingerprint engine concluded about one host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identification {
    pub is_camera: bool,
    pub device_type: DeviceType,
    pub vendor: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub cpe: Option<String>,
    /// 0–100: how sure the engine is of `vendor` (or, with no vendor, of `is_camera`).
    pub confidence: u8,
    pub evidence: Vec<Conclusion>,
}

/// One finding of the assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Request/response excerpts; secrets are already redacted (`"****"`) unless the scan was
    /// told to reveal them.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub evidence: serde_json::Value,
    /// Ids of the baseline clauses this finding is evidence against.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<String>,
    /// Localised title (contract extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<LocalizedText>,
    /// Localised description (contract extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<LocalizedText>,
    /// Localised remediation (contract extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<LocalizedText>,
}

impl Finding {
    /// A finding with no evidence, clauses or texts yet.
    pub fn new(id: impl Into<String>, severity: Severity, port: Option<u16>) -> Self {
        Finding {
            id: id.into(),
            severity,
            port,
            evidence: serde_json::Value::Null,
            clauses: Vec::new(),
            title: None,
            description: None,
            remediation: None,
        }
    }
}

/// A text in Vietnamese and English.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedText {
    pub vi: String,
    pub en: String,
}

/// The verdict on one baseline clause for one host.
///
/// `pass`, `fail` and `not-testable` (not testable remotely) are the basic values; two more
/// follow the baseline data contract (`kb/assess/baseline.toml`): `no-evidence` for clauses
/// only partly testable remotely and with no finding against them, and `not-tested` for clauses
/// whose only evidence comes from an opt-in check that did not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClauseStatus {
    Pass,
    Fail,
    NotTestable,
    NoEvidence,
    NotTested,
}

impl ClauseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClauseStatus::Pass => "pass",
            ClauseStatus::Fail => "fail",
            ClauseStatus::NotTestable => "not-testable",
            ClauseStatus::NoEvidence => "no-evidence",
            ClauseStatus::NotTested => "not-tested",
        }
    }
}

/// One baseline clause and how the host fared against it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseVerdict {
    /// Stable clause id of `kb/assess/baseline.toml` (`etsi-5.1-1`).
    pub clause: String,
    pub standard: String,
    /// The clause as its source numbers it.
    pub reference: String,
    pub title_vi: String,
    pub title_en: String,
    pub verdict: ClauseStatus,
    /// Finding ids that are evidence of failing it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
}

/// A secret (a password found on a device). `Debug` and `Display` print `****`, and so does
/// serialisation: a secret reaches an output only through [`Secret::expose`] or [`Revealed`],
/// i.e. when the user asked for it (`--reveal-secrets`).
#[derive(Clone, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

/// What a redacted secret looks like.
pub const REDACTED: &str = "****";

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The JSON value for evidence: the secret when `reveal`, else `"****"`.
    pub fn to_json(&self, reveal: bool) -> serde_json::Value {
        serde_json::Value::String(if reveal {
            self.0.clone()
        } else {
            REDACTED.to_string()
        })
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// Serialises the secret in clear: wrap a [`Secret`] in it only when secrets are to be revealed.
pub struct Revealed<'a>(pub &'a Secret);

impl Serialize for Revealed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.0)
    }
}

/// One host of a scan, per the scan-output contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostReport {
    pub ip: IpAddr,
    /// The hostname the host was given as, when it was given by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    pub is_camera: bool,
    pub device_type: DeviceType,
    pub vendor: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    pub cpe: Option<String>,
    /// Serial number, when the device told it (ONVIF GetDeviceInformation, unauthenticated or
    /// with a credential the assessment found); used to match the host to the inventory (contract extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// MAC address the device told (ONVIF `GetNetworkInterfaces`, a vendor's device
    /// information after a login), lower-case `aa:bb:cc:dd:ee:ff`; used to match the host to
    /// the inventory (contract extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    pub confidence: u8,
    pub open_ports: Vec<OpenPort>,
    pub findings: Vec<Finding>,
    /// Baseline verdicts, clause by clause (contract extension; empty when not assessed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baseline: Vec<ClauseVerdict>,
    /// Overall baseline verdict, `pass` or `fail` (contract extension; absent when not assessed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// The rules behind each conclusion.
    #[serde(default)]
    pub evidence: Vec<Conclusion>,
    /// Ports that answered a connect but then misbehaved (no reply, garbage), per step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub scanned_at: String,
    pub duration_ms: u64,
}

impl HostReport {
    pub fn new(
        ip: IpAddr,
        id: Identification,
        open_ports: Vec<OpenPort>,
        scanned_at: String,
    ) -> Self {
        HostReport {
            ip,
            hostname: None,
            is_camera: id.is_camera,
            device_type: id.device_type,
            vendor: id.vendor,
            brand: id.brand,
            model: id.model,
            firmware: id.firmware,
            cpe: id.cpe,
            serial: None,
            mac: None,
            confidence: id.confidence,
            open_ports,
            findings: Vec::new(),
            baseline: Vec::new(),
            verdict: None,
            evidence: id.evidence,
            notes: Vec::new(),
            scanned_at,
            duration_ms: 0,
        }
    }
}

/// Header of a scan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanInfo {
    pub id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub targets: Vec<String>,
    pub addresses_probed: u64,
    pub profile: String,
    #[serde(default)]
    pub ports: Vec<u16>,
    #[serde(default)]
    pub hosts_up: u64,
    #[serde(default)]
    pub cameras: u64,
    #[serde(default)]
    pub interrupted: bool,
}

/// The whole JSON document of `camguard scan --format json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanDocument {
    pub camguard_version: String,
    pub scan: ScanInfo,
    pub hosts: Vec<HostReport>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_type_serialises_lowercase() {
        assert_eq!(serde_json::to_string(&DeviceType::Nvr).unwrap(), "\"nvr\"");
        assert!(DeviceType::Dvr.is_camera_system());
        assert!(!DeviceType::Other.is_camera_system());
    }

    #[test]
    fn severity_orders_by_gravity() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Info < Severity::Low);
        assert_eq!(
            serde_json::to_string(&Severity::Critical).unwrap(),
            "\"critical\""
        );
    }

    #[test]
    fn secret_is_redacted_everywhere() {
        let s = Secret::new("12345");
        assert_eq!(format!("{s}"), "****");
        assert_eq!(format!("{s:?}"), "****");
        assert_eq!(format!("{:?}", Some(&s)), "Some(****)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"****\"");
        assert_eq!(serde_json::to_string(&Revealed(&s)).unwrap(), "\"12345\"");
        assert_eq!(s.expose(), "12345");
        assert_eq!(s.to_json(false), serde_json::json!("****"));
        assert_eq!(s.to_json(true), serde_json::json!("12345"));
        #[derive(Serialize)]
        struct Cred {
            user: String,
            password: Secret,
        }
        let c = Cred {
            user: "admin".into(),
            password: s.clone(),
        };
        assert!(!serde_json::to_string(&c).unwrap().contains("12345"));
        let back: Secret = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(back.expose(), "x");
    }

    #[test]
    fn extensions_are_skipped_when_empty() {
        let f = Finding::new("telnet-enabled", Severity::High, Some(23));
        let v = serde_json::to_value(&f).unwrap();
        assert!(
            v.get("title").is_none() && v.get("evidence").is_none() && v.get("clauses").is_none()
        );
        let mut f = f;
        f.title = Some(LocalizedText {
            vi: "a".into(),
            en: "b".into(),
        });
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["title"]["en"], "b");
        let back: Finding = serde_json::from_value(v).unwrap();
        assert_eq!(back, f);
        let cv = ClauseVerdict {
            clause: "etsi-5.1-1".into(),
            standard: "ETSI EN 303 645".into(),
            reference: "5.1-1".into(),
            title_vi: "v".into(),
            title_en: "e".into(),
            verdict: ClauseStatus::NotTestable,
            findings: vec![],
        };
        assert_eq!(
            serde_json::to_value(&cv).unwrap()["verdict"],
            "not-testable"
        );
    }

    #[test]
    fn host_report_has_contract_fields() {
        let id = Identification {
            vendor: Some("hikvision".into()),
            is_camera: true,
            device_type: DeviceType::Camera,
            ..Default::default()
        };
        let h = HostReport::new(
            "127.0.0.1".parse().unwrap(),
            id,
            vec![OpenPort {
                port: 554,
                transport: Transport::Tcp,
                service: "rtsp".into(),
            }],
            "2026-01-01T00:00:00Z".into(),
        );
        let v = serde_json::to_value(&h).unwrap();
        for k in [
            "ip",
            "is_camera",
            "device_type",
            "vendor",
            "brand",
            "model",
            "firmware",
            "cpe",
            "open_ports",
            "findings",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["model"], serde_json::Value::Null);
        assert_eq!(v["open_ports"][0]["transport"], "tcp");
        assert!(
            v.get("baseline").is_none() && v.get("verdict").is_none(),
            "skipped when empty"
        );
        let back: HostReport = serde_json::from_value(v).unwrap();
        assert_eq!(back, h);
    }
}

/// Normalises a MAC address to lower-case `aa:bb:cc:dd:ee:ff`. Accepts `aa:bb:cc:dd:ee:ff`
/// (also with single-digit groups), `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff`, `aabbcc-ddeeff`,
/// space-separated pairs and `aabbccddeeff`.
pub fn normalize_mac(s: &str) -> Option<String> {
    let s = s.trim();
    let mut groups: [(u64, usize); 12] = [(0, 0); 12];
    let mut count = 0usize; // groups started
    let mut separator: Option<char> = None;
    let mut in_group = false;
    for c in s.chars() {
        if let Some(d) = c.to_digit(16) {
            if !in_group {
                if count == groups.len() {
                    return None;
                }
                count += 1;
                in_group = true;
            }
            let g = &mut groups[count - 1];
            if g.1 == 12 {
                return None;
            }
            g.0 = (g.0 << 4) | u64::from(d);
            g.1 += 1;
        } else if matches!(c, ':' | '-' | '.' | ' ') {
            if !in_group || separator.is_some_and(|sep| sep != c) {
                return None;
            }
            separator = Some(c);
            in_group = false;
        } else {
            return None;
        }
    }
    if !in_group {
        return None; // empty, or a trailing separator
    }
    let groups = &groups[..count];
    let value = match (count, separator) {
        (1, None) if groups[0].1 == 12 => groups[0].0,
        (6, Some(':' | '-' | ' ')) if groups.iter().all(|g| (1..=2).contains(&g.1)) => {
            groups.iter().fold(0, |acc, g| (acc << 8) | g.0)
        }
        (3, Some(_)) if groups.iter().all(|g| g.1 == 4) => {
            groups.iter().fold(0, |acc, g| (acc << 16) | g.0)
        }
        (2, Some(_)) if groups.iter().all(|g| g.1 == 6) => {
            groups.iter().fold(0, |acc, g| (acc << 24) | g.0)
        }
        _ => return None,
    };
    let b = value.to_be_bytes();
    Some(format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        b[2], b[3], b[4], b[5], b[6], b[7]
    ))
}

#[cfg(test)]
mod mac_tests {
    use super::normalize_mac;

    #[test]
    fn macs() {
        for (input, out) in [
            ("aa:bb:cc:dd:ee:ff", Some("aa:bb:cc:dd:ee:ff")),
            ("AA-BB-CC-DD-EE-FF", Some("aa:bb:cc:dd:ee:ff")),
            ("aabb.ccdd.eeff", Some("aa:bb:cc:dd:ee:ff")),
            ("AABBCCDDEEFF", Some("aa:bb:cc:dd:ee:ff")),
            (" 00:1b:c:d:e:f ", Some("00:1b:0c:0d:0e:0f")),
            ("aabbcc-ddeeff", Some("aa:bb:cc:dd:ee:ff")),
            ("aa bb cc dd ee ff", Some("aa:bb:cc:dd:ee:ff")),
            ("zz:11", None),
            ("", None),
            ("aa:bb:cc:dd:ee", None),
            ("aa:bb:cc:dd:ee:ff:00", None),
            ("aa:bb-cc:dd:ee:ff", None),
            ("aa:bb:cc:dd:ee:ff:", None),
            (":aa:bb:cc:dd:ee:ff", None),
            ("aabbccddeeff00", None),
            ("aab.bccd.deeff", None),
            ("aabb.ccdd.eeff.0011", None),
            ("aaa:bb:cc:dd:ee:ff", None),
            ("gg:bb:cc:dd:ee:ff", None),
            ("aa::cc:dd:ee:ff", None),
        ] {
            assert_eq!(normalize_mac(input).as_deref(), out, "{input:?}");
        }
    }
}
