//! Shared data types of camguard.
//!
//! Two families live here:
//!
//! * [`Observation`]: a raw fact a probe saw on the wire (an HTTP `Server` header, an RTSP
//!   realm, an ONVIF manufacturer, a telnet banner). Probes produce them, the fingerprint engine
//!   consumes them. Keys are plain strings (`"http.server"`, `"rtsp.realm"`, …, see
//!   [`keys`]) so that fingerprint data files can name them without a code change.
//! * The scan-output contract of `shared/spec/scan-output.md`: [`ScanDocument`], [`HostReport`],
//!   [`OpenPort`], [`Finding`]. Field names here are a public contract: extend, never rename.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

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
        Observation { port, key: key.into(), value: value.into() }
    }
}

/// Kind of device, per the scan-output contract.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
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

/// One finding (assessment results; the scanner of the foundation issue emits none yet
/// except where stated).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub evidence: serde_json::Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<String>,
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
    pub confidence: u8,
    pub open_ports: Vec<OpenPort>,
    pub findings: Vec<Finding>,
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
    pub fn new(ip: IpAddr, id: Identification, open_ports: Vec<OpenPort>, scanned_at: String) -> Self {
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
            confidence: id.confidence,
            open_ports,
            findings: Vec::new(),
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
        assert_eq!(serde_json::to_string(&Severity::Critical).unwrap(), "\"critical\"");
    }

    #[test]
    fn host_report_has_contract_fields() {
        let id = Identification { vendor: Some("hikvision".into()), is_camera: true, device_type: DeviceType::Camera, ..Default::default() };
        let h = HostReport::new("127.0.0.1".parse().unwrap(), id, vec![OpenPort { port: 554, transport: Transport::Tcp, service: "rtsp".into() }], "2026-01-01T00:00:00Z".into());
        let v = serde_json::to_value(&h).unwrap();
        for k in ["ip", "is_camera", "device_type", "vendor", "brand", "model", "firmware", "cpe", "open_ports", "findings"] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["model"], serde_json::Value::Null);
        assert_eq!(v["open_ports"][0]["transport"], "tcp");
    }
}
