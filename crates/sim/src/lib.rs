//! camguard-sim: a simulated fleet of IP cameras, NVRs/DVRs, decoys and tarpits, in one process,
//! on 127.0.0.0/8 only.
//!
//! ```no_run
//! # async fn demo() -> Result<(), camguard_sim::SimError> {
//! use camguard_sim::{Fleet, FleetConfig};
//! let fleet = Fleet::start(FleetConfig::new("127.66.0.0".parse().unwrap(), 16384, 1)).await?;
//! println!("{} hosts answer", fleet.truth().entries.len());
//! fleet.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! What each device is and says lives in data files (`profiles/*.toml`, embedded; a directory can
//! replace or add files): vendor, models and firmware, ports and protocols, HTTP routes, RTSP and
//! ONVIF behaviour, banners, default credentials, and configuration variants (hardened, weak, …).
//! The code is a generic engine: HTTP/1.1 (+TLS), RTSP/1.0 with RTP, ONVIF SOAP 1.2 with
//! WS-Security, WS-Discovery (unicast), telnet, FTP, SSH banners, vendor SDK ports, tarpits.
//!
//! Safety: every socket binds and sends only on 127.0.0.0/8; port 2024 is never used; there is
//! no multicast.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

mod auth;
mod http;
mod misc;
mod onvif;
mod plan;
mod profile;
mod rtsp;
mod runtime;
mod template;
mod tls;
mod wsd;

use camguard_model::DeviceType;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

pub use profile::{Profile, ProfileKind, ProfileSet};

/// Errors of the simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid fleet configuration: {0}")]
    Config(String),
    #[error("profile {file}: {message}")]
    Profile { file: String, message: String },
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("TLS setup: {0}")]
    Tls(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// What the fleet looks like.
#[derive(Clone, Debug)]
pub struct FleetConfig {
    /// First address; must lie in 127.0.0.0/8, as must `base + hosts - 1`.
    pub base: Ipv4Addr,
    /// Number of consecutive addresses.
    pub hosts: u32,
    /// Same seed → same fleet.
    pub seed: u64,
    /// Extra or overriding profile files (`*.toml`).
    pub profiles_dir: Option<PathBuf>,
}

impl FleetConfig {
    pub fn new(base: Ipv4Addr, hosts: u32, seed: u64) -> Self {
        FleetConfig {
            base,
            hosts,
            seed,
            profiles_dir: None,
        }
    }

    fn check(&self) -> Result<(), SimError> {
        if self.base.octets()[0] != 127 {
            return Err(SimError::Config(format!(
                "base {} is not in 127.0.0.0/8",
                self.base
            )));
        }
        if self.hosts == 0 {
            return Err(SimError::Config("hosts must be > 0".into()));
        }
        let last = u32::from(self.base)
            .checked_add(self.hosts - 1)
            .map(Ipv4Addr::from);
        match last {
            Some(l) if l.octets()[0] == 127 => Ok(()),
            _ => Err(SimError::Config(format!(
                "{} hosts from {} leave 127.0.0.0/8",
                self.hosts, self.base
            ))),
        }
    }
}

/// What a simulated address is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKind {
    Camera,
    Decoy,
    Tarpit,
    /// A camera whose RTSP server answers 200 to any path (its streams carry no media).
    RtspAny,
}

/// A credential a simulated device accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthCredential {
    /// `http`, `rtsp`, `onvif`, `telnet`, `ftp`.
    pub service: String,
    pub username: String,
    pub password: String,
}

/// Ground truth for one address that has something listening.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TruthHost {
    pub ip: Ipv4Addr,
    pub kind: HostKind,
    pub is_camera: bool,
    pub device_type: DeviceType,
    pub vendor: Option<String>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub firmware: Option<String>,
    /// Serial number the device reports (ONVIF GetDeviceInformation, web pages), if its
    /// profile gives it one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// MAC address the device reports (ONVIF GetNetworkInterfaces, UPnP), lower-case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Profile file (without `.toml`).
    pub profile: String,
    /// Configuration variant: `hardened`, `weak`, `default-password`, …
    pub config: String,
    /// Listening TCP ports.
    pub open_ports: Vec<u16>,
    /// Listening UDP ports (3702 for WS-Discovery).
    pub udp_ports: Vec<u16>,
    /// Finding ids (scan-output.md) this configuration implies.
    pub expected_findings: Vec<String>,
    pub credentials: Vec<TruthCredential>,
}

/// Ground truth for the whole fleet.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Truth {
    pub seed: u64,
    pub base: Ipv4Addr,
    pub hosts: u32,
    /// Addresses with something listening, in address order.
    pub entries: Vec<TruthHost>,
}

impl Truth {
    pub fn get(&self, ip: Ipv4Addr) -> Option<&TruthHost> {
        self.entries
            .binary_search_by(|e| e.ip.cmp(&ip))
            .ok()
            .map(|i| &self.entries[i])
    }
}

/// Statistics of a running fleet.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FleetStats {
    pub tcp_listeners: usize,
    pub udp_sockets: usize,
    /// Global cap on concurrently accepted connections.
    pub connection_cap: usize,
    pub start_ms: u64,
}

/// A running fleet.
pub struct Fleet {
    truth: Truth,
    rt: runtime::Running,
}

impl Fleet {
    /// Binds every listener; returns when all are up.
    pub async fn start(cfg: FleetConfig) -> Result<Fleet, SimError> {
        cfg.check()?;
        let set = ProfileSet::load(cfg.profiles_dir.as_deref())?;
        let plans = plan::plan(cfg.base, cfg.hosts, cfg.seed, &set);
        let truth = plan::truth(cfg.base, cfg.hosts, cfg.seed, &plans);
        let rt = runtime::start(plans).await?;
        Ok(Fleet { truth, rt })
    }

    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    pub fn stats(&self) -> FleetStats {
        self.rt.stats.clone()
    }

    /// Closes every listener and connection.
    pub async fn shutdown(self) {
        self.rt.shutdown().await;
    }
}

/// The ground truth a configuration would produce, without starting anything.
pub fn plan_truth(cfg: &FleetConfig) -> Result<Truth, SimError> {
    cfg.check()?;
    let set = ProfileSet::load(cfg.profiles_dir.as_deref())?;
    let plans = plan::plan(cfg.base, cfg.hosts, cfg.seed, &set);
    Ok(plan::truth(cfg.base, cfg.hosts, cfg.seed, &plans))
}

/// Starts the fleet, writes the truth (pretty JSON) to `truth_path`, waits for `shutdown`, then
/// shuts down cleanly.
pub async fn run_until(
    cfg: FleetConfig,
    truth_path: Option<&Path>,
    shutdown: impl Future<Output = ()>,
) -> Result<Truth, SimError> {
    let fleet = Fleet::start(cfg).await?;
    if let Some(p) = truth_path {
        let json = serde_json::to_string_pretty(fleet.truth())
            .map_err(|e| SimError::Io(std::io::Error::other(e)))?;
        if let Err(e) = std::fs::write(p, json) {
            fleet.shutdown().await;
            return Err(SimError::Io(e));
        }
    }
    shutdown.await;
    let truth = fleet.truth().clone();
    fleet.shutdown().await;
    Ok(truth)
}
