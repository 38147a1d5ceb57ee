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
//!
//! Host-level probes, beside the port flows: unicast WS-Discovery ([`wsd_probe`]) and unicast
//! SSDP with the UPnP device description it points to on the same address ([`ssdp_probe`];
//! [`upnp::body_observations`] reads a description fetched from a scanned HTTP port).

#![forbid(clippy::print_stdout, clippy::print_stderr)]

// Module layering (no cycles; `tests/structure.rs` checks it): leaves (`util`, `error`,
// `keys`, `config`, `budget`, parsers) ← `net` (bounded connections) ← `exchange` (one
// request/reply) ← the flows (`http`, `rtsp`, `banner`) ← `flow` (hand-overs). `lib.rs` only
// declares modules and re-exports; no module imports from it.

pub mod auth;
mod banner;
pub mod budget;
pub mod chunked;
pub mod client;
mod config;
mod error;
mod exchange;
pub mod favicon;
mod flow;
pub mod head;
pub mod html;
mod http;
pub mod keys;
mod net;
mod report;
mod rtsp;
pub mod soap;
pub mod telnet;
pub mod upnp;
mod util;
mod wsd;

pub use auth::{Challenge, parse_www_authenticate};
pub use budget::ByteBudget;
pub use camguard_model::Observation;
pub use chunked::{Chunked, decode_chunked};
pub use client::{RtpPacket, RtspSession, http_request, legacy_tls_server_hello};
pub use config::ProbeConfig;
pub use error::{ParseError, ProbeError};
pub use exchange::HttpResponse;
pub use favicon::{favicon_md5, favicon_mmh3, murmur3_32};
pub use flow::probe_port;
pub use head::{Head, Protocol, parse_head};
pub use html::extract_title;
pub use http::{
    http_get, http_path_observations, onvif_call, onvif_envelope, response_observations,
    tls_observations,
};
pub use net::TlsInfo;
pub use report::PortReport;
pub use rtsp::{rtsp_describe_observations, rtsp_options_observations, rtsp_request};
pub use soap::{
    DeviceInformation, ProbeMatch, SoapFault, SoapResponse, SystemDateTime, parse_probe_matches,
    parse_soap,
};
pub use telnet::{TelnetDecoder, strip_iac};
pub use upnp::{DeviceDescription, SSDP_PORT, parse_description, ssdp_probe};
pub use util::{escape_bytes, hex};
pub use wsd::{WSD_PORT, probe_message, wsd_probe};
