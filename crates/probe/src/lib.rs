//! camguard-probe: harmless, bounded protocol probes that turn an open port into
//! [`Observation`]s.
//!
//! Every request is read-only (GET, RTSP OPTIONS/DESCRIBE, ONVIF `Get*` without credentials,
//! WS-Discovery Probe sent unicast); nothing logs in or writes. Every read is bounded in bytes
//! ([`ProbeConfig::max_response_bytes`]) and time (`read_timeout` per read, `step_timeout` per
//! exchange), so a tarpit costs at most one step and garbage yields a note, never a panic.
//!
//! # Flows ([`probe_port`], by hint)
//! * `http` / `https` / `onvif`: `GET /` (TLS when hinted, or when a plain request gets a TLS
//!   record or an "HTTP sent to HTTPS port" 400; plain when an `https` handshake fails), one
//!   same-host redirect, `GET /favicon.ico`, ONVIF `GetSystemDateAndTime` and, if that answers
//!   SOAP, `GetDeviceInformation` and `GetScopes`. An RTSP reply hands over to the RTSP flow;
//!   garbage or an immediate close falls back to RTSP, then to `banner.raw`.
//! * `rtsp`: `OPTIONS` + `DESCRIBE` on one connection. An HTTP reply hands over to the HTTP
//!   flow, a TLS record to HTTPS, garbage is checked with `GET /` and kept as `banner.raw`.
//! * `telnet` / `ftp` / `ssh` / `sdk:<vendor>` / `rtmp` / `unknown`: wait for an unprompted
//!   banner (telnet negotiation refused with WONT/DONT until the prompt), classify it by content;
//!   if nothing comes, one `GET /` on the same connection decides between HTTP, RTSP, TLS and
//!   the fallback service (`<vendor>-sdk` or `unknown`).
//!
//! Hand-overs happen at most twice per port and never back to a flow already run.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

pub mod auth;
mod banner;
pub mod chunked;
pub mod client;
mod error;
pub mod favicon;
pub mod head;
pub mod html;
mod http;
mod net;
mod rtsp;
pub mod soap;
pub mod telnet;
mod util;
mod wsd;

pub use auth::{Challenge, parse_www_authenticate};
pub use camguard_model::Observation;
pub use chunked::{Chunked, decode_chunked};
pub use client::{RtpPacket, RtspSession, http_request, legacy_tls_server_hello};
pub use error::{ParseError, ProbeError};
pub use favicon::{favicon_md5, favicon_mmh3, murmur3_32};
pub use head::{Head, Protocol, parse_head};
pub use html::extract_title;
pub use http::{
    HttpResponse, http_get, http_path_observations, onvif_call, onvif_envelope,
    response_observations, tls_observations,
};
pub use net::TlsInfo;
pub use rtsp::rtsp_request;
pub use soap::{
    DeviceInformation, ProbeMatch, SoapFault, SoapResponse, SystemDateTime, parse_probe_matches,
    parse_soap,
};
pub use telnet::{TelnetDecoder, strip_iac};
pub use util::{escape_bytes, hex};
pub use wsd::{WSD_PORT, probe_message, wsd_probe};

use std::net::IpAddr;
use std::time::Duration;
use tokio::time::Instant;

/// Observation keys: everything in [`camguard_model::keys`] plus the ones only this crate
/// produces.
pub mod keys {
    pub use camguard_model::keys::*;
    /// Negotiated TLS version (`TLSv1.2`, `TLSv1.3`).
    pub const TLS_VERSION: &str = "tls.version";
    /// Negotiated cipher suite (rustls name).
    pub const TLS_CIPHER: &str = "tls.cipher";
    /// The leaf certificate, DER, standard base64 (for later TLS checks).
    pub const TLS_CERT_DER_B64: &str = "tls.cert.der_b64";
    /// Validity bounds of the leaf certificate, RFC 3339.
    pub const TLS_NOT_BEFORE: &str = "tls.not_before";
    pub const TLS_NOT_AFTER: &str = "tls.not_after";
    /// `true` when subject and issuer of the leaf certificate are the same name.
    pub const TLS_SELF_SIGNED: &str = "tls.self_signed";
    /// Status of the RTSP `OPTIONS` reply (`rtsp.status` is the `DESCRIBE` one).
    pub const RTSP_OPTIONS_STATUS: &str = "rtsp.options_status";
    /// POSIX TZ string from `GetSystemDateAndTime`.
    pub const ONVIF_TIMEZONE: &str = "onvif.timezone";
    /// `NTP` or `Manual`, from `GetSystemDateAndTime`.
    pub const ONVIF_DATETIME_TYPE: &str = "onvif.datetime_type";
    /// Prefix: `http.path_status.<path>` holds the status of a vendor endpoint fetched by path
    /// (its body is `http.path.<path>`, recorded for 2xx replies only).
    pub const HTTP_PATH_STATUS_PREFIX: &str = "http.path_status.";
    /// WS-Discovery endpoint reference address (`urn:uuid:…`).
    pub const WSD_ADDRESS: &str = "wsd.address";
}

/// Bounds and identity of the probes.
#[derive(Clone, Debug)]
pub struct ProbeConfig {
    /// TCP connect bound.
    pub connect_timeout: Duration,
    /// Bound of each read.
    pub read_timeout: Duration,
    /// Bound of one whole exchange (connect, TLS, request, reply).
    pub step_timeout: Duration,
    /// Cap of a response body (and of what a connection buffers beyond a head).
    pub max_response_bytes: usize,
    pub user_agent: String,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            connect_timeout: Duration::from_millis(1500),
            read_timeout: Duration::from_secs(2),
            step_timeout: Duration::from_secs(4),
            max_response_bytes: 64 * 1024,
            user_agent: format!("camguard/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// What probing one port found.
#[derive(Clone, Debug, Default)]
pub struct PortReport {
    pub port: u16,
    /// What the port actually spoke: `http`, `https`, `rtsp`, `onvif`, `telnet`, `ftp`, `ssh`,
    /// `<vendor>-sdk`, or `unknown` (connected, not recognised). `None`: could not connect.
    pub service: Option<String>,
    pub observations: Vec<Observation>,
    /// What went wrong or was notable, per step ("no reply to GET / within 2.0s", …).
    pub notes: Vec<String>,
}

/// Most notes kept per port.
const MAX_NOTES: usize = 32;
/// Most observations kept per port.
const MAX_OBSERVATIONS: usize = 512;

impl PortReport {
    /// Add an observation unless the same key and value are already there.
    pub(crate) fn add(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if self.observations.len() >= MAX_OBSERVATIONS
            || self
                .observations
                .iter()
                .any(|o| o.key == key && o.value == value)
        {
            return;
        }
        self.observations
            .push(Observation::new(self.port, key, value));
    }

    pub(crate) fn extend(&mut self, obs: Vec<Observation>) {
        for o in obs {
            self.add(&o.key, o.value);
        }
    }

    pub(crate) fn note(&mut self, n: impl Into<String>) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(n.into());
        }
    }

    pub(crate) fn set_service(&mut self, s: &str) {
        self.service = Some(s.to_string());
    }

    /// Values of an observation key, in order.
    pub fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.observations
            .iter()
            .filter(move |o| o.key == key)
            .map(|o| o.value.as_str())
    }

    /// First value of an observation key.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.observations
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.as_str())
    }
}

/// The port hint of `kb/ports.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Hint {
    Http,
    Https,
    Onvif,
    Rtsp,
    Telnet,
    Ftp,
    Ssh,
    /// Vendor id, sanitised.
    Sdk(String),
    Rtmp,
    Unknown,
}

impl Hint {
    pub(crate) fn parse(s: &str) -> Hint {
        let s = s.trim().to_ascii_lowercase();
        match s.as_str() {
            "http" => Hint::Http,
            "https" => Hint::Https,
            "onvif" => Hint::Onvif,
            "rtsp" => Hint::Rtsp,
            "telnet" => Hint::Telnet,
            "ftp" => Hint::Ftp,
            "ssh" => Hint::Ssh,
            "rtmp" => Hint::Rtmp,
            other => match other.strip_prefix("sdk:") {
                Some(v) => {
                    let v: String = v
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .take(32)
                        .collect();
                    Hint::Sdk(if v.is_empty() { "vendor".into() } else { v })
                }
                None => Hint::Unknown,
            },
        }
    }
}

/// Where a flow hands over to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    Done,
    Http,
    Https,
    Rtsp,
}

/// Deadline of a step that starts now.
pub(crate) fn step(cfg: &ProbeConfig) -> Instant {
    Instant::now() + cfg.step_timeout
}

/// Probe one open TCP port. `hint` is the service the knowledge base expects there (`http`,
/// `https`, `rtsp`, `onvif`, `telnet`, `ftp`, `ssh`, `sdk:<vendor>`, `rtmp`, `unknown`); the
/// report says what the port actually spoke. Never panics, never hangs: each step is bounded
/// by `step_timeout`, and the whole probe by a backstop of twelve steps.
pub async fn probe_port(ip: IpAddr, port: u16, hint: &str, cfg: &ProbeConfig) -> PortReport {
    let mut rep = PortReport {
        port,
        ..Default::default()
    };
    let backstop = cfg
        .step_timeout
        .saturating_mul(12)
        .saturating_add(cfg.connect_timeout);
    let hint = Hint::parse(hint);
    if tokio::time::timeout(backstop, run(ip, port, hint, cfg, &mut rep))
        .await
        .is_err()
    {
        rep.note(format!(
            "probe abandoned after {:.1}s",
            backstop.as_secs_f64()
        ));
    }
    rep
}

async fn run(ip: IpAddr, port: u16, hint: Hint, cfg: &ProbeConfig, rep: &mut PortReport) {
    #[derive(PartialEq)]
    enum Flow {
        Http(Hint),
        Rtsp,
        Banner(Hint),
    }
    let mut flow = match hint {
        Hint::Http | Hint::Https | Hint::Onvif => Flow::Http(hint),
        Hint::Rtsp => Flow::Rtsp,
        other => Flow::Banner(other),
    };
    let mut ran: Vec<&'static str> = Vec::new();
    for _ in 0..3 {
        let (name, next) = match flow {
            Flow::Http(h) => {
                let name = if h == Hint::Https { "https" } else { "http" };
                (name, http::probe_http(ip, port, h, cfg, rep).await)
            }
            Flow::Rtsp => ("rtsp", rtsp::probe_rtsp(ip, port, cfg, rep).await),
            Flow::Banner(h) => ("banner", banner::probe_banner(ip, port, h, cfg, rep).await),
        };
        ran.push(name);
        flow = match next {
            Next::Done => return,
            Next::Http => Flow::Http(Hint::Http),
            Next::Https => Flow::Http(Hint::Https),
            Next::Rtsp => Flow::Rtsp,
        };
        let next_name = match &flow {
            Flow::Http(Hint::Https) => "https",
            Flow::Http(_) => "http",
            Flow::Rtsp => "rtsp",
            Flow::Banner(_) => "banner",
        };
        if ran.contains(&next_name) {
            rep.note(format!(
                "{next_name} already tried; giving up on classification"
            ));
            if rep.service.is_none() {
                rep.set_service("unknown");
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints() {
        assert_eq!(Hint::parse("sdk:hikvision"), Hint::Sdk("hikvision".into()));
        assert_eq!(Hint::parse("SDK:Da hua!"), Hint::Sdk("dahua".into()));
        assert_eq!(Hint::parse("sdk:"), Hint::Sdk("vendor".into()));
        assert_eq!(Hint::parse("HTTPS"), Hint::Https);
        assert_eq!(Hint::parse("gopher"), Hint::Unknown);
    }

    #[test]
    fn defaults() {
        let c = ProbeConfig::default();
        assert_eq!(c.connect_timeout, Duration::from_millis(1500));
        assert_eq!(c.max_response_bytes, 65536);
        assert!(c.user_agent.starts_with("camguard/"));
    }

    #[test]
    fn report_dedupes() {
        let mut r = PortReport {
            port: 80,
            ..Default::default()
        };
        r.add("k", "v");
        r.add("k", "v");
        r.add("k", "w");
        assert_eq!(r.values("k").collect::<Vec<_>>(), ["v", "w"]);
        assert_eq!(r.observations[0].port, 80);
    }
}
