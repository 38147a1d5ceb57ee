//! Device profiles: TOML data files describing what a simulated device is and says.
//!
//! Every `profiles/*.toml` is embedded at build time; a user directory (`FleetConfig::profiles_dir`)
//! can replace an embedded file (same file name) or add new ones. `_variants.toml` holds the shared
//! configuration variants (hardened, weak, …); a profile may override fields of a variant under
//! `[variants.<name>]`, restrict the set with `variant_set`, or add its own variants.
//!
//! The engine is generic: nothing in the code knows a vendor; all vendor behaviour is here.

use crate::SimError;
use camguard_model::DeviceType;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

include!(concat!(env!("OUT_DIR"), "/embedded_profiles.rs"));

/// The newest profile schema this code understands.
pub const SCHEMA: u32 = 1;

/// Port that belongs to the machine on every 127.x address: never used.
pub const FORBIDDEN_PORT: u16 = 2024;

/// Vendor ids of `docs/spec/scan-output.md`.
pub const VENDOR_IDS: &[&str] = &[
    "hikvision",
    "dahua",
    "xiongmai",
    "uniview",
    "axis",
    "hanwha",
    "tp-link",
    "reolink",
    "vivotek",
    "bosch",
    "avtech",
    "geovision",
    "foscam",
    "mobotix",
    "tvt",
    "milesight",
    "tiandy",
    "gwell",
    "generic-onvif",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileKind {
    Camera,
    Decoy,
    Tarpit,
    RtspAny,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    pub schema: u32,
    pub kind: ProfileKind,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub device_type: DeviceType,
    /// Relative frequency among profiles of the same kind when the fleet is filled at random.
    #[serde(default = "one")]
    pub weight: f64,
    /// Where the distinctive strings come from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Extra template variables (models and firmware entries may override them).
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    #[serde(default)]
    pub identity: Identity,
    #[serde(default)]
    pub models: Vec<ModelDef>,
    /// Firmware choices when the profile has no models.
    #[serde(default)]
    pub firmware: Vec<FirmwareDef>,
    /// Where the newest entry of the top-level `firmware` list was read (see
    /// [`ModelDef::newest_source`]).
    #[serde(default)]
    pub firmware_newest_source: Option<String>,
    #[serde(default)]
    pub credentials: Credentials,
    #[serde(default)]
    pub services: Vec<ServiceDef>,
    #[serde(default)]
    pub sites: BTreeMap<String, SiteDef>,
    #[serde(default)]
    pub rtsp: Option<RtspDef>,
    #[serde(default)]
    pub onvif: Option<OnvifDef>,
    #[serde(default)]
    pub tls: TlsDef,
    /// Which variants apply (default: every shared variant for this kind).
    #[serde(default)]
    pub variant_set: Option<Vec<String>>,
    /// Per-variant overrides (fields of `VariantDef`).
    #[serde(default)]
    pub variants: BTreeMap<String, toml::Table>,
}

fn one() -> f64 {
    1.0
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// ONVIF `Manufacturer`.
    #[serde(default)]
    pub manufacturer: String,
    #[serde(default)]
    pub hardware_id: String,
    /// Serial number template; builtins `{digits9}`, `{alnum15}`, `{hex12}`, `{yyyymmdd}`, `{model}`.
    #[serde(default)]
    pub serial: String,
    /// MAC prefixes (OUI) to draw from, `aa:bb:cc`.
    #[serde(default)]
    pub mac_oui: Vec<String>,
    /// Device name (ONVIF hostname, web titles).
    #[serde(default)]
    pub device_name: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelDef {
    pub name: String,
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Oldest first; the last entry is the newest firmware the simulator knows for the model.
    pub firmware: Vec<FirmwareDef>,
    /// Where the last `firmware` entry was read as the vendor's newest package for this model
    /// (a public release list). Only then is an older firmware an expected `outdated-firmware`
    /// finding: without a public newest version a scanner could only call a device outdated
    /// with invented data, so the ground truth does not expect it.
    #[serde(default)]
    pub newest_source: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum FirmwareDef {
    Plain(String),
    Full {
        version: String,
        #[serde(default)]
        vars: BTreeMap<String, String>,
        /// Vulnerabilities this exact firmware is known to be affected by (only ranges one is
        /// sure of): CVE ids (`cve:<id>` findings) or camguard ids of known vulnerabilities
        /// without a CVE (`known-vuln:<id>`, e.g. `uniview-2017-main-cgi`).
        #[serde(default)]
        cves: Vec<String>,
    },
}

impl FirmwareDef {
    pub fn version(&self) -> &str {
        match self {
            FirmwareDef::Plain(v) => v,
            FirmwareDef::Full { version, .. } => version,
        }
    }
    pub fn vars(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            FirmwareDef::Plain(_) => None,
            FirmwareDef::Full { vars, .. } => Some(vars),
        }
    }
    pub fn cves(&self) -> &[String] {
        match self {
            FirmwareDef::Plain(_) => &[],
            FirmwareDef::Full { cves, .. } => cves,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The device's account name (HTTP, RTSP, ONVIF, FTP).
    #[serde(default = "admin")]
    pub user: String,
    /// Vendor default or common weak passwords for that account; a "default" variant uses one.
    #[serde(default)]
    pub defaults: Vec<String>,
    /// Fixed telnet accounts of the firmware (user, password) used by "default" variants.
    #[serde(default)]
    pub telnet: Vec<[String; 2]>,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            user: admin(),
            defaults: Vec::new(),
            telnet: Vec::new(),
        }
    }
}

fn admin() -> String {
    "admin".into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Plain HTTP management (also carries ONVIF when `onvif.port` equals its port).
    Web,
    /// HTTPS management.
    WebTls,
    Rtsp,
    Telnet,
    Ftp,
    Ssh,
    /// A vendor's proprietary control port.
    Sdk,
    /// Accepts and keeps silent (printer raw port …).
    Raw,
    /// Accepts and never answers.
    Tarpit,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Web => "web",
            Role::WebTls => "web-tls",
            Role::Rtsp => "rtsp",
            Role::Telnet => "telnet",
            Role::Ftp => "ftp",
            Role::Ssh => "ssh",
            Role::Sdk => "sdk",
            Role::Raw => "raw",
            Role::Tarpit => "tarpit",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SdkMode {
    /// Reads whatever comes and never answers.
    Silent,
    /// Reads a hello and closes.
    Close,
    /// Sends `banner` at once, then reads until the peer goes.
    Banner,
    /// Waits up to `delay_ms` for a hello, then sends `banner` and keeps reading.
    DelayedBanner,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDef {
    pub role: Role,
    pub port: u16,
    /// Label variants can enable it by (defaults to the role).
    #[serde(default)]
    pub name: Option<String>,
    /// HTTP site for web roles (default "main").
    #[serde(default)]
    pub site: Option<String>,
    /// Concurrent connections this daemon accepts; more are closed at once.
    #[serde(default)]
    pub max_conn: Option<usize>,
    /// Banner (telnet/ftp/ssh/sdk); `\xNN`, `\r`, `\n` escapes; templates allowed.
    #[serde(default)]
    pub banner: Option<String>,
    #[serde(default)]
    pub login_prompt: Option<String>,
    #[serde(default)]
    pub password_prompt: Option<String>,
    #[serde(default)]
    pub shell_prompt: Option<String>,
    #[serde(default)]
    pub login_failed: Option<String>,
    #[serde(default)]
    pub sdk_mode: Option<SdkMode>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Model the service speaks, for the ground truth (`hikvision-sdk`, `ipp`, …).
    #[serde(default)]
    pub service: Option<String>,
}

impl ServiceDef {
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(self.role.as_str())
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteDef {
    /// `Server` header template; absent means no `Server` header at all.
    #[serde(default)]
    pub server: Option<String>,
    /// Full ordered list of base headers; values may use `{date}`, `{server}`,
    /// `{content_length}`, `{content_type}`. Default: Date, Server (if any), Content-Type,
    /// Content-Length, Connection.
    #[serde(default)]
    pub headers: Option<Vec<[String; 2]>>,
    #[serde(default = "default_realm")]
    pub realm: String,
    #[serde(default = "default_basic")]
    pub basic_challenge: String,
    #[serde(default = "default_digest")]
    pub digest_challenge: String,
    #[serde(default)]
    pub nonce_upper: bool,
    #[serde(default)]
    pub unauthorized: Option<ResponseDef>,
    #[serde(default)]
    pub not_found: Option<ResponseDef>,
    #[serde(default = "default_redirect")]
    pub https_redirect: String,
    #[serde(default = "default_redirect_status")]
    pub https_redirect_status: u16,
    /// Whether this site is a management interface (cameras: yes; plain HTTP without redirect
    /// is then `cleartext-management-http`).
    #[serde(default = "yes")]
    pub management: bool,
    /// Match route paths ignoring ASCII case.
    #[serde(default)]
    pub case_insensitive: bool,
    /// Force the status-line version (`HTTP/1.0` for old embedded servers); default: echo.
    #[serde(default)]
    pub http_version: Option<String>,
    /// Vulnerabilities of the web server software itself (same ids as a firmware's `cves`),
    /// expected on every host that serves this site, whatever its firmware.
    #[serde(default)]
    pub cves: Vec<String>,
    #[serde(default)]
    pub routes: Vec<RouteDef>,
}

fn default_realm() -> String {
    "{model}".into()
}
fn default_basic() -> String {
    "Basic realm=\"{realm}\"".into()
}
fn default_digest() -> String {
    "Digest realm=\"{realm}\", qop=\"auth\", nonce=\"{nonce}\", algorithm=MD5".into()
}
fn default_redirect() -> String {
    "https://{ip}{path}".into()
}
fn default_redirect_status() -> u16 {
    302
}
fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseDef {
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub headers: Vec<[String; 2]>,
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteAuth {
    #[default]
    None,
    Required,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteDef {
    /// Exact path; a trailing `*` matches a prefix.
    pub path: String,
    #[serde(default = "get_head")]
    pub methods: Vec<String>,
    /// Substring the (percent-decoded) query must contain.
    #[serde(default)]
    pub query: Option<String>,
    /// Flags that must all hold (`!flag` negates): variant flags, `old-firmware`,
    /// `newest-firmware`, `cve:<ID>`, `variant:<name>`.
    #[serde(default)]
    pub when: Vec<String>,
    #[serde(default)]
    pub auth: RouteAuth,
    /// `snapshot` or `config`: served without credentials this is a finding.
    #[serde(default)]
    pub exposes: Option<String>,
    #[serde(default = "ok200")]
    pub status: u16,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub headers: Vec<[String; 2]>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub body_base64: Option<String>,
    /// `jpeg`: a tiny valid JPEG image.
    #[serde(default)]
    pub body_builtin: Option<String>,
    #[serde(default)]
    pub login: Option<LoginDef>,
}

fn get_head() -> Vec<String> {
    vec!["GET".into(), "HEAD".into()]
}
fn ok200() -> u16 {
    200
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginKind {
    /// `application/x-www-form-urlencoded` fields.
    Form,
    /// JSON body; fields are JSON pointers.
    Json,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginDef {
    pub kind: LoginKind,
    pub user_field: String,
    pub pass_field: String,
    pub ok_body: String,
    pub fail_body: String,
    #[serde(default = "ok200")]
    pub ok_status: u16,
    #[serde(default = "ok200")]
    pub fail_status: u16,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RtspDef {
    #[serde(default)]
    pub server: Option<String>,
    #[serde(default = "default_realm")]
    pub realm: String,
    #[serde(default = "default_basic")]
    pub basic_challenge: String,
    #[serde(default = "default_rtsp_digest")]
    pub digest_challenge: String,
    #[serde(default)]
    pub nonce_upper: bool,
    #[serde(default = "default_public")]
    pub public: String,
    /// Stream paths (query ignored unless given); a trailing `*` matches a prefix.
    #[serde(default)]
    pub routes: Vec<String>,
    #[serde(default)]
    pub case_insensitive: bool,
    /// Answer 401 before looking the path up (many cameras do).
    #[serde(default)]
    pub auth_before_route: bool,
    /// SDP template (`{ip}`, `{url}`, `{sess}` …); line ends become CRLF.
    #[serde(default)]
    pub sdp: Option<String>,
    #[serde(default = "default_content_base")]
    pub content_base: String,
    /// Extra headers on every reply; `{date}` available.
    #[serde(default)]
    pub headers: Vec<[String; 2]>,
    /// Credentials may be given in the path (`user=…&password=…`).
    #[serde(default)]
    pub url_credentials: bool,
    #[serde(default = "default_not_found")]
    pub not_found_status: u16,
    /// Main and sub stream paths (ONVIF GetStreamUri).
    #[serde(default)]
    pub main_stream: Option<String>,
    #[serde(default)]
    pub sub_stream: Option<String>,
    /// Send RTP after PLAY (false only for dummy servers).
    #[serde(default = "yes")]
    pub send_rtp: bool,
}

fn default_rtsp_digest() -> String {
    "Digest realm=\"{realm}\", nonce=\"{nonce}\"".into()
}
fn default_public() -> String {
    "OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER".into()
}
fn default_content_base() -> String {
    "{url}/".into()
}
fn default_not_found() -> u16 {
    404
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnvifDef {
    pub port: u16,
    /// Path prefixes served as ONVIF SOAP endpoints.
    #[serde(default = "default_onvif_paths")]
    pub paths: Vec<String>,
    /// Path advertised in XAddrs.
    #[serde(default = "default_device_service")]
    pub device_service: String,
    #[serde(default = "default_media_service")]
    pub media_service: String,
    /// WS-Discovery scopes (templates).
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub snapshot_uri: Option<String>,
    #[serde(default)]
    pub accept_password_text: bool,
    #[serde(default = "default_fault_status")]
    pub fault_status: u16,
    #[serde(default = "default_prefix")]
    pub envelope_prefix: String,
    /// `Server` header of a dedicated ONVIF port (absent: none).
    #[serde(default)]
    pub server: Option<String>,
    #[serde(default = "default_skew")]
    pub max_skew_secs: u64,
}

fn default_onvif_paths() -> Vec<String> {
    vec!["/onvif/".into()]
}
fn default_device_service() -> String {
    "/onvif/device_service".into()
}
fn default_media_service() -> String {
    "/onvif/Media".into()
}
fn default_fault_status() -> u16 {
    400
}
fn default_prefix() -> String {
    "SOAP-ENV".into()
}
fn default_skew() -> u64 {
    600
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsDef {
    /// Subject CN of this profile's certificates.
    #[serde(default = "default_cn")]
    pub cn: String,
    #[serde(default)]
    pub org: Option<String>,
}

impl Default for TlsDef {
    fn default() -> Self {
        TlsDef {
            cn: default_cn(),
            org: None,
        }
    }
}

fn default_cn() -> String {
    "IP Camera".into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HttpMode {
    /// Plain HTTP serves the management interface.
    Serve,
    /// Plain HTTP redirects everything but ONVIF to HTTPS.
    Redirect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    None,
    Basic,
    Digest,
    Both,
}

impl Scheme {
    pub fn basic(self) -> bool {
        matches!(self, Scheme::Basic | Scheme::Both)
    }
    pub fn digest(self) -> bool {
        matches!(self, Scheme::Digest | Scheme::Both)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnvifAuth {
    None,
    Wsse,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredMode {
    Default,
    Strong,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FwChoice {
    Newest,
    Oldest,
    Older,
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsKind {
    /// Issued by the simulated site CA, valid.
    Ca,
    SelfSigned,
    /// Issued by the site CA, expired.
    Expired,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantDef {
    pub name: String,
    #[serde(default = "one")]
    pub weight: f64,
    #[serde(default = "camera_only")]
    pub applies_to: Vec<ProfileKind>,
    /// Roles or service names enabled; `*` enables all; `onvif` enables ONVIF (and WS-Discovery).
    pub services: Vec<String>,
    pub http_mode: HttpMode,
    pub http_auth: Scheme,
    pub rtsp_auth: Scheme,
    pub onvif_auth: OnvifAuth,
    pub credential: CredMode,
    pub firmware: FwChoice,
    pub tls: TlsKind,
    #[serde(default)]
    pub lockout: bool,
    #[serde(default)]
    pub flags: Vec<String>,
}

fn camera_only() -> Vec<ProfileKind> {
    vec![ProfileKind::Camera]
}

impl VariantDef {
    pub fn enables(&self, s: &ServiceDef) -> bool {
        self.services
            .iter()
            .any(|x| x == "*" || x == s.role.as_str() || Some(x.as_str()) == s.name.as_deref())
    }
    pub fn enables_onvif(&self) -> bool {
        self.services.iter().any(|x| x == "*" || x == "onvif")
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantsFile {
    schema: u32,
    #[serde(default)]
    variant: Vec<toml::Table>,
}

/// A loaded, validated profile.
#[derive(Clone, Debug)]
pub struct Profile {
    pub id: String,
    pub def: ProfileFile,
    pub variants: Vec<VariantDef>,
}

impl Profile {
    pub fn variant(&self, name: &str) -> Option<&VariantDef> {
        self.variants.iter().find(|v| v.name == name)
    }
}

/// Every profile of a fleet.
#[derive(Clone, Debug)]
pub struct ProfileSet {
    pub profiles: Vec<Arc<Profile>>,
}

impl ProfileSet {
    /// The embedded profiles, with `dir` (if any) laid over them.
    pub fn load(dir: Option<&Path>) -> Result<ProfileSet, SimError> {
        let mut files: BTreeMap<String, String> = EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        if let Some(dir) = dir {
            let rd = std::fs::read_dir(dir).map_err(|e| SimError::Profile {
                file: dir.display().to_string(),
                message: e.to_string(),
            })?;
            for e in rd {
                let p = e
                    .map_err(|e| SimError::Profile {
                        file: dir.display().to_string(),
                        message: e.to_string(),
                    })?
                    .path();
                if p.extension().is_some_and(|x| x == "toml") {
                    let text = std::fs::read_to_string(&p).map_err(|e| SimError::Profile {
                        file: p.display().to_string(),
                        message: e.to_string(),
                    })?;
                    files.insert(
                        p.file_name()
                            .unwrap_or_default()
                            .to_string_lossy()
                            .to_string(),
                        text,
                    );
                }
            }
        }
        Self::from_texts(&files)
    }

    pub fn from_texts(files: &BTreeMap<String, String>) -> Result<ProfileSet, SimError> {
        let vtext = files
            .get("_variants.toml")
            .ok_or_else(|| SimError::Profile {
                file: "_variants.toml".into(),
                message: "missing".into(),
            })?;
        let vf: VariantsFile = toml::from_str(vtext).map_err(|e| SimError::Profile {
            file: "_variants.toml".into(),
            message: e.to_string(),
        })?;
        if vf.schema > SCHEMA {
            return Err(SimError::Profile {
                file: "_variants.toml".into(),
                message: format!("schema {} is newer than {SCHEMA}", vf.schema),
            });
        }
        let mut shared: Vec<(String, toml::Table)> = Vec::new();
        for t in vf.variant {
            let name = t
                .get("name")
                .and_then(|v| v.as_str())
                .ok_or_else(|| SimError::Profile {
                    file: "_variants.toml".into(),
                    message: "variant without name".into(),
                })?;
            shared.push((name.to_string(), t.clone()));
        }
        let mut profiles = Vec::new();
        for (name, text) in files {
            if name.starts_with('_') {
                continue;
            }
            let id = name.trim_end_matches(".toml").to_string();
            let err = |m: String| SimError::Profile {
                file: name.clone(),
                message: m,
            };
            let def: ProfileFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
            if def.schema > SCHEMA {
                return Err(err(format!("schema {} is newer than {SCHEMA}", def.schema)));
            }
            let variants = resolve_variants(&def, &shared).map_err(err)?;
            let p = Profile { id, def, variants };
            validate(&p).map_err(err)?;
            profiles.push(Arc::new(p));
        }
        Ok(ProfileSet { profiles })
    }

    pub fn of_kind(&self, kind: ProfileKind) -> Vec<Arc<Profile>> {
        self.profiles
            .iter()
            .filter(|p| p.def.kind == kind)
            .cloned()
            .collect()
    }
}

fn resolve_variants(
    def: &ProfileFile,
    shared: &[(String, toml::Table)],
) -> Result<Vec<VariantDef>, String> {
    let kind_str = match def.kind {
        ProfileKind::Camera => "camera",
        ProfileKind::Decoy => "decoy",
        ProfileKind::Tarpit => "tarpit",
        ProfileKind::RtspAny => "rtsp-any",
    };
    let applies = |t: &toml::Table| match t.get("applies_to").and_then(|v| v.as_array()) {
        Some(a) => a.iter().any(|x| x.as_str() == Some(kind_str)),
        None => kind_str == "camera",
    };
    let mut names: Vec<String> = match &def.variant_set {
        Some(s) => s.clone(),
        None => shared
            .iter()
            .filter(|(_, t)| applies(t))
            .map(|(n, _)| n.clone())
            .collect(),
    };
    for n in def.variants.keys() {
        if !names.contains(n) && !shared.iter().any(|(s, _)| s == n) {
            names.push(n.clone());
        }
    }
    let mut out = Vec::new();
    for n in names {
        let mut table = shared
            .iter()
            .find(|(s, _)| *s == n)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        if let Some(ov) = def.variants.get(&n) {
            for (k, v) in ov {
                table.insert(k.clone(), v.clone());
            }
        }
        table.insert("name".into(), toml::Value::String(n.clone()));
        if !table.contains_key("applies_to") {
            table.insert(
                "applies_to".into(),
                toml::Value::Array(vec![toml::Value::String(kind_str.into())]),
            );
        }
        let v: VariantDef = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| format!("variant {n}: {e}"))?;
        out.push(v);
    }
    if out.is_empty() {
        return Err("no variant applies to this profile".into());
    }
    Ok(out)
}

/// A CVE id (`CVE-2021-36260`) or a camguard id of a vulnerability without one (a lower-case
/// slug such as `uniview-2017-main-cgi`).
pub fn is_vuln_id(c: &str) -> bool {
    if let Some(rest) = c.strip_prefix("CVE-") {
        let parts: Vec<&str> = rest.split('-').collect();
        return parts.len() == 2
            && parts
                .iter()
                .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()));
    }
    !c.is_empty()
        && c.bytes().any(|b| b.is_ascii_lowercase())
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The finding id of a vulnerability id: `cve:<id>` or `known-vuln:<id>`.
pub fn vuln_finding_id(c: &str) -> String {
    if c.starts_with("CVE-") {
        format!("cve:{c}")
    } else {
        format!("known-vuln:{c}")
    }
}

fn validate(p: &Profile) -> Result<(), String> {
    let d = &p.def;
    let id_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    };
    match d.kind {
        ProfileKind::Camera => {
            let v = d
                .vendor
                .as_deref()
                .ok_or("a camera profile needs a vendor")?;
            if !VENDOR_IDS.contains(&v) {
                return Err(format!("vendor {v:?} is not a vendor id of scan-output.md"));
            }
            if !d.device_type.is_camera_system() {
                return Err("a camera profile needs device_type camera, nvr or dvr".into());
            }
            if d.models.is_empty() && d.firmware.is_empty() {
                return Err("a camera profile needs models or firmware".into());
            }
        }
        ProfileKind::Decoy | ProfileKind::Tarpit => {
            if d.vendor.is_some() || d.brand.is_some() {
                return Err("decoys and tarpits have no vendor or brand".into());
            }
            if d.device_type != DeviceType::Other {
                return Err("decoys and tarpits have device_type other".into());
            }
        }
        ProfileKind::RtspAny => {
            if d.rtsp.is_none() {
                return Err("an rtsp-any profile needs [rtsp]".into());
            }
        }
    }
    if let Some(b) = &d.brand
        && !id_ok(b)
    {
        return Err(format!("brand {b:?} must be a lower-case id"));
    }
    if d.weight.is_nan() || d.weight < 0.0 {
        return Err("weight must be ≥ 0".into());
    }
    for m in &d.models {
        if m.firmware.is_empty() {
            return Err(format!("model {} has no firmware", m.name));
        }
    }
    for c in d
        .models
        .iter()
        .flat_map(|m| m.firmware.iter())
        .chain(d.firmware.iter())
        .flat_map(FirmwareDef::cves)
        .chain(d.sites.values().flat_map(|s| s.cves.iter()))
    {
        if !is_vuln_id(c) {
            return Err(format!("bad vulnerability id {c:?}"));
        }
    }
    for (name, src) in d
        .models
        .iter()
        .filter_map(|m| m.newest_source.as_ref().map(|s| (m.name.as_str(), s)))
        .chain(d.firmware_newest_source.as_ref().map(|s| ("(firmware)", s)))
    {
        if src.trim().is_empty() {
            return Err(format!("{name}: newest_source is empty"));
        }
    }
    if d.firmware_newest_source.is_some() && d.firmware.is_empty() {
        return Err("firmware_newest_source needs a top-level firmware list".into());
    }
    let mut ports = BTreeSet::new();
    for s in &d.services {
        if s.port == 0 || s.port == FORBIDDEN_PORT {
            return Err(format!("port {} may not be used", s.port));
        }
        if !ports.insert(s.port) {
            return Err(format!("port {} declared twice", s.port));
        }
        match s.role {
            Role::Web | Role::WebTls => {
                let site = s.site.as_deref().unwrap_or("main");
                if !d.sites.contains_key(site) {
                    return Err(format!(
                        "service on port {} uses missing site {site:?}",
                        s.port
                    ));
                }
            }
            Role::Rtsp => {
                if d.rtsp.is_none() {
                    return Err("an rtsp service needs [rtsp]".into());
                }
            }
            Role::Telnet | Role::Ftp | Role::Ssh => {
                if s.banner.is_none() {
                    return Err(format!(
                        "{} service on port {} needs a banner",
                        s.role.as_str(),
                        s.port
                    ));
                }
            }
            Role::Sdk => {
                let mode = s.sdk_mode.unwrap_or(SdkMode::Close);
                if matches!(mode, SdkMode::Banner | SdkMode::DelayedBanner) && s.banner.is_none() {
                    return Err(format!("sdk service on port {} needs a banner", s.port));
                }
            }
            Role::Raw | Role::Tarpit => {}
        }
    }
    if let Some(o) = &d.onvif {
        if o.port == 0 || o.port == FORBIDDEN_PORT {
            return Err("bad onvif port".into());
        }
        let on_web = d
            .services
            .iter()
            .any(|s| s.port == o.port && matches!(s.role, Role::Web));
        if !on_web && ports.contains(&o.port) {
            return Err(format!(
                "onvif port {} clashes with a non-web service",
                o.port
            ));
        }
        if o.paths.is_empty() {
            return Err("onvif needs at least one path".into());
        }
    }
    for (name, site) in &d.sites {
        for r in &site.routes {
            if !r.path.starts_with('/') {
                return Err(format!(
                    "site {name}: route path {:?} must start with /",
                    r.path
                ));
            }
            if let Some(e) = &r.exposes
                && e != "snapshot"
                && e != "config"
            {
                return Err(format!("site {name}: exposes must be snapshot or config"));
            }
            if let Some(b) = &r.body_builtin
                && b != "jpeg"
            {
                return Err(format!("site {name}: unknown body_builtin {b:?}"));
            }
            if let Some(b) = &r.body_base64 {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|e| format!("site {name}: body_base64: {e}"))?;
            }
        }
    }
    for v in &p.variants {
        for s in &v.services {
            let known = s == "*"
                || s == "onvif"
                || d.services
                    .iter()
                    .any(|x| x.role.as_str() == s || x.name.as_deref() == Some(s.as_str()))
                || [
                    "web", "web-tls", "rtsp", "telnet", "ftp", "ssh", "sdk", "raw", "tarpit",
                ]
                .contains(&s.as_str());
            if !known {
                return Err(format!("variant {} names unknown service {s:?}", v.name));
            }
        }
        if v.weight.is_nan() || v.weight < 0.0 {
            return Err(format!("variant {} weight must be ≥ 0", v.name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_profile_parses_and_validates() {
        let set = ProfileSet::load(None).expect("embedded profiles");
        assert!(
            set.profiles.len() >= 20,
            "only {} profiles",
            set.profiles.len()
        );
        for p in &set.profiles {
            assert!(!p.variants.is_empty(), "{}", p.id);
            assert!(!p.def.sources.is_empty(), "{} cites no source", p.id);
            if p.def.kind == ProfileKind::Camera {
                assert!(p.variant("hardened").is_some(), "{} lacks hardened", p.id);
                assert!(p.variant("weak").is_some(), "{} lacks weak", p.id);
            }
        }
        let vendors: BTreeSet<_> = set
            .of_kind(ProfileKind::Camera)
            .iter()
            .filter_map(|p| p.def.vendor.clone())
            .collect();
        for v in [
            "hikvision",
            "dahua",
            "xiongmai",
            "uniview",
            "axis",
            "hanwha",
            "tp-link",
            "reolink",
            "generic-onvif",
        ] {
            assert!(vendors.contains(v), "no profile for {v}");
        }
        assert!(!set.of_kind(ProfileKind::Decoy).is_empty());
        assert_eq!(set.of_kind(ProfileKind::Tarpit).len(), 1);
        assert!(!set.of_kind(ProfileKind::RtspAny).is_empty());
    }

    #[test]
    fn bad_profiles_are_refused() {
        let base = ProfileSet::load(None).unwrap();
        let _ = base;
        let mut files: BTreeMap<String, String> = EMBEDDED
            .iter()
            .filter(|(n, _)| *n == "_variants.toml")
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        files.insert(
            "bad.toml".into(),
            "schema = 1\nkind = \"camera\"\nvendor = \"acme\"\ndevice_type = \"camera\"\nfirmware = [\"1\"]\n".into(),
        );
        let e = ProfileSet::from_texts(&files).unwrap_err().to_string();
        assert!(e.contains("vendor"), "{e}");
        files.insert(
            "bad.toml".into(),
            "schema = 1\nkind = \"decoy\"\n[[services]]\nrole = \"raw\"\nport = 2024\n".into(),
        );
        let e = ProfileSet::from_texts(&files).unwrap_err().to_string();
        assert!(e.contains("2024"), "{e}");
        files.insert("bad.toml".into(), "schema = 9\nkind = \"decoy\"\n".into());
        let e = ProfileSet::from_texts(&files).unwrap_err().to_string();
        assert!(e.contains("schema"), "{e}");
        files.insert(
            "bad.toml".into(),
            "schema = 1\nkind = \"decoy\"\nunknown_key = 1\n".into(),
        );
        assert!(ProfileSet::from_texts(&files).is_err());
    }

    #[test]
    fn variant_overrides_merge() {
        let set = ProfileSet::load(None).unwrap();
        let tapo = set
            .profiles
            .iter()
            .find(|p| p.id == "tplink-tapo")
            .expect("tapo profile");
        let h = tapo.variant("hardened").unwrap();
        assert_eq!(h.onvif_auth, OnvifAuth::Wsse);
    }
}
