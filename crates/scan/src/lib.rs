//! The scan pipeline.
//!
//! ```text
//! TargetSet ──(permuted, streamed)──▶ host tasks (≤ hosts_in_flight)
//!    each host: connect discovery ─▶ probes per open port (≤ probe_per_host at once)
//!               + unicast WS-Discovery + unicast SSDP (and the UPnP description at its
//!               LOCATION on the same address) ─▶ identify ─▶ vendor endpoints and UPnP
//!               description paths ─▶ identify
//!               ─▶ assessment (optional: camera systems, own deadline; observations are
//!                  dropped afterwards) ─▶ HostReport ──▶ channel (written out as it arrives)
//! ```
//!
//! Invariants:
//! * memory is bounded by `hosts_in_flight`, not by the number of targets;
//! * every socket holds a permit of the discovery scanner's socket budget;
//! * a host's probe stage is cut at `host_timeout`, keeping what it learned, so a tarpit
//!   costs one task slot for a bounded time and never stalls the scan;
//! * a stop ([`StopFlag::stop`], Ctrl-C) ends the scan within moments: no host starts, the
//!   discovery's waits end (rate limit included), each host in flight is cut where it is and
//!   sent with what it learned, marked partial ([`Progress::is_partial`]); a partial host's
//!   position stays below the watermark, so a resumed scan does it again. Hosts that do not
//!   wrap up within [`STOP_GRACE`] are dropped (and redone on resume as well).

#![forbid(clippy::print_stdout, clippy::print_stderr)]

pub use camguard_assess::{AssessOptions, Intrusive, Profile};
use camguard_discovery::{PortScanner, TargetSet};
use camguard_kb::Kb;
use camguard_model::{HostReport, Identification, Observation, OpenPort, Transport, keys};
use camguard_probe::{PortReport, ProbeConfig};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

/// How a scan runs.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub ports: Vec<u16>,
    pub probe: ProbeConfig,
    /// Upper bound on one host's probe stage.
    pub host_timeout: Duration,
    /// Hosts being worked on at once.
    pub hosts_in_flight: usize,
    /// Simultaneous probe connections to one host (embedded daemons serve few clients).
    pub probe_per_host: usize,
    /// Seed of the target order.
    pub seed: u64,
    /// Stop after discovery: open ports only, no probes, no identification.
    pub discovery_only: bool,
    /// Send a unicast WS-Discovery probe to hosts with an open port.
    pub wsd: bool,
    /// Send a unicast SSDP `M-SEARCH` to hosts with an open port (UDP 1900 of the host only)
    /// and read the UPnP description its `LOCATION` names on the same address.
    pub ssdp: bool,
    /// Assess identified camera systems (findings, baseline verdicts). `None`: identification
    /// only. The assessment of a host gets its own deadline (`AssessOptions::deadline`) after
    /// the identification's `host_timeout`.
    pub assess: Option<AssessOptions>,
    /// Resume: start at this position of the seeded target order (a stored scan's watermark).
    pub resume_from: u64,
    /// Resume: addresses already done past the watermark, not scanned again.
    pub skip: Option<Arc<std::collections::HashSet<IpAddr>>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            ports: Vec::new(),
            probe: ProbeConfig::default(),
            host_timeout: Duration::from_secs(12),
            hosts_in_flight: 1024,
            probe_per_host: 2,
            seed: 0,
            discovery_only: false,
            wsd: true,
            ssdp: true,
            assess: None,
            resume_from: 0,
            skip: None,
        }
    }
}

/// Live counters, for progress bars and the summary.
#[derive(Debug, Default)]
pub struct Progress {
    pub addresses_total: AtomicU64,
    pub addresses_done: AtomicU64,
    pub hosts_up: AtomicU64,
    pub cameras: AtomicU64,
    pub open_ports: AtomicU64,
    /// Positions of the target order being worked on (see [`Progress::watermark`]).
    inflight: std::sync::Mutex<std::collections::BTreeSet<u64>>,
    /// Positions handed out so far.
    dispatched: AtomicU64,
    /// Hosts sent before they were finished (the scan was stopped).
    partial: std::sync::Mutex<std::collections::HashSet<IpAddr>>,
}

impl Progress {
    /// Every position of the target order below this one is done and its host, if any, was
    /// sent to the scan's channel *before* this value could be read: a consumer that reads the
    /// watermark, then drains the channel, has everything below it. A stored scan resumes here.
    pub fn watermark(&self) -> u64 {
        let inflight = self
            .inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        inflight
            .first()
            .copied()
            .unwrap_or_else(|| self.dispatched.load(Ordering::SeqCst))
    }

    /// Was this host's report sent before the host was finished (the scan was stopped while
    /// it was in flight)? Such a report holds what was learned so far; its position stays
    /// below the watermark, so a resumed scan does the host again: a stored scan should not
    /// keep it. Known before the report reaches the channel.
    pub fn is_partial(&self, ip: IpAddr) -> bool {
        self.partial
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&ip)
    }
}

/// How long hosts in flight get, after a stop, to send what they learned before they are
/// dropped. They cut their own work short at once; this bounds what cannot be cut.
pub const STOP_GRACE: Duration = Duration::from_secs(2);

/// The note a partial host report carries.
pub const PARTIAL_NOTE: &str =
    "scan stopped before this host was finished; this is what was learned until then";

/// Ask a running scan to stop: no new host starts, and the hosts in flight are cut short
/// (see the crate docs). Cheap to clone; every clone sees the stop.
#[derive(Clone, Debug)]
pub struct StopFlag(Arc<watch::Sender<bool>>);

impl Default for StopFlag {
    fn default() -> Self {
        StopFlag(Arc::new(watch::Sender::new(false)))
    }
}

impl StopFlag {
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }
    /// Resolves once [`StopFlag::stop`] was called.
    pub async fn stopped(&self) {
        let mut rx = self.0.subscribe();
        // The sender lives in `self`: the channel cannot close while this waits.
        let _ = rx.wait_for(|s| *s).await;
    }
}

/// One host's outcome: its report (when a port was open) and whether it was finished.
struct HostOutcome {
    report: Option<HostReport>,
    complete: bool,
}

/// The scanner: knowledge base, options and the shared socket budget.
#[derive(Clone)]
pub struct Scanner {
    kb: Arc<Kb>,
    opts: Arc<ScanOptions>,
    ports: PortScanner,
}

impl Scanner {
    pub fn new(kb: Arc<Kb>, opts: ScanOptions, ports: PortScanner) -> Self {
        Scanner {
            kb,
            opts: Arc::new(opts),
            ports,
        }
    }

    pub fn port_scanner(&self) -> &PortScanner {
        &self.ports
    }

    /// Scan every address of `targets`, sending each host with an open port to `tx` as soon as
    /// it is done. Returns when every address was handled or `stop` was raised.
    pub async fn run(
        &self,
        targets: Arc<TargetSet>,
        tx: mpsc::Sender<HostReport>,
        progress: Arc<Progress>,
        stop: StopFlag,
    ) {
        let total = u64::try_from(targets.count()).unwrap_or(u64::MAX);
        progress.addresses_total.store(total, Ordering::Relaxed);
        // The iterator borrows the set; walk it on this task and hand addresses to workers.
        let mut tasks = JoinSet::new();
        let limit = self.opts.hosts_in_flight.max(1);
        let mut iter = targets.iter(self.opts.seed);
        if self.opts.resume_from > 0 {
            iter.skip_to(self.opts.resume_from);
            progress
                .addresses_done
                .store(self.opts.resume_from.min(total), Ordering::Relaxed);
        }
        progress.dispatched.store(iter.position(), Ordering::SeqCst);
        // A stop cancels the discovery's waits (rate limiter, socket budget, connects).
        let canceller = {
            let (ports, stop) = (self.ports.clone(), stop.clone());
            tokio::spawn(async move {
                stop.stopped().await;
                ports.cancel();
            })
        };
        loop {
            while tasks.len() < limit && !stop.is_stopped() {
                let Some(ip) = iter.next() else {
                    progress.dispatched.store(iter.position(), Ordering::SeqCst);
                    break;
                };
                let position = iter.position() - 1;
                if self.opts.skip.as_ref().is_some_and(|s| s.contains(&ip)) {
                    progress.addresses_done.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                progress
                    .inflight
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(position);
                progress.dispatched.store(iter.position(), Ordering::SeqCst);
                let me = self.clone();
                let tx = tx.clone();
                let progress = progress.clone();
                let stop = stop.clone();
                let hostname = targets.hostnames.get(&ip).cloned();
                tasks.spawn(async move {
                    let outcome = me.scan_host_until(ip, &stop).await;
                    if let Some(mut report) = outcome.report {
                        report.hostname = hostname;
                        if !outcome.complete {
                            report.notes.push(PARTIAL_NOTE.into());
                            progress
                                .partial
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .insert(ip);
                        }
                        progress.hosts_up.fetch_add(1, Ordering::Relaxed);
                        progress
                            .open_ports
                            .fetch_add(report.open_ports.len() as u64, Ordering::Relaxed);
                        if report.is_camera {
                            progress.cameras.fetch_add(1, Ordering::Relaxed);
                        }
                        let _ = tx.send(report).await;
                    }
                    // An unfinished host stays in flight for the watermark: resumed, it is
                    // done again.
                    if outcome.complete {
                        progress
                            .inflight
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .remove(&position);
                        progress.addresses_done.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            if stop.is_stopped() {
                break;
            }
            tokio::select! {
                joined = tasks.join_next() => if joined.is_none() { break },
                () = stop.stopped() => {}
            }
        }
        // Stopped (or done): the hosts in flight cut their work short and send what they
        // learned; what has not wrapped up within the grace is dropped.
        let grace = tokio::time::sleep(STOP_GRACE);
        tokio::pin!(grace);
        loop {
            tokio::select! {
                joined = tasks.join_next() => if joined.is_none() { break },
                () = &mut grace => {
                    tasks.abort_all();
                    while tasks.join_next().await.is_some() {}
                    break;
                }
            }
        }
        canceller.abort();
    }

    /// Scan one host: `None` when no port is open.
    pub async fn scan_host(&self, ip: IpAddr) -> Option<HostReport> {
        self.scan_host_until(ip, &StopFlag::default()).await.report
    }

    /// Scan one host until it is done or `stop` is raised; a stopped host keeps what it
    /// learned (open ports, identification) and is marked incomplete.
    async fn scan_host_until(&self, ip: IpAddr, stop: &StopFlag) -> HostOutcome {
        let started = Instant::now();
        let scanned_at = now_rfc3339();
        let ports = self.ports.scan_ports(ip, &self.opts.ports).await;
        let open = ports.open;
        if open.is_empty() {
            return HostOutcome {
                report: None,
                complete: ports.complete && !stop.is_stopped(),
            };
        }
        let mut complete = ports.complete;
        let mut report = if self.opts.discovery_only || !complete {
            let ports = open
                .iter()
                .map(|&p| OpenPort {
                    port: p,
                    transport: Transport::Tcp,
                    service: camguard_identify::service_for(&self.kb, p, &[]),
                })
                .collect();
            HostReport::new(ip, Identification::default(), ports, scanned_at)
        } else {
            let (mut report, observations, cut) =
                self.probe_and_identify(ip, &open, scanned_at, stop).await;
            complete = !cut;
            if let Some(a) = &self.opts.assess
                && complete
            {
                // Cut short by a stop: the host is sent as identified, without findings.
                tokio::select! {
                    () = self.assess_host(&mut report, &observations, a) => {}
                    () = stop.stopped() => complete = false,
                }
            }
            // The observations end here: they never reach the output.
            report
        };
        report.duration_ms = started.elapsed().as_millis() as u64;
        HostOutcome {
            report: Some(report),
            complete,
        }
    }

    /// Run the assessment on an identified host (camera systems only; others are left as
    /// they are), holding a share of the socket budget for its connections.
    async fn assess_host(
        &self,
        report: &mut HostReport,
        observations: &[Observation],
        opts: &AssessOptions,
    ) {
        let permits =
            camguard_assess::MAX_SOCKETS.min(self.ports.config().max_sockets.max(1)) as u32;
        let _permits = self.ports.sockets().acquire_many_owned(permits).await;
        let a = camguard_assess::assess(&self.kb, report, observations, opts).await;
        if a.verdict != camguard_assess::Verdict::NotAssessed {
            a.apply_to(report);
        }
    }

    /// Probes and identification; the `bool` is true when a stop cut them short.
    async fn probe_and_identify(
        &self,
        ip: IpAddr,
        open: &[u16],
        scanned_at: String,
        stop: &StopFlag,
    ) -> (HostReport, Vec<Observation>, bool) {
        let mut stopped = false;
        let deadline = tokio::time::Instant::now() + self.opts.host_timeout;
        let mut port_reports: Vec<PortReport> = Vec::new();
        let mut notes = Vec::new();
        let mut observations: Vec<Observation> = Vec::new();

        // Stage 1: every open port with its hinted protocol, plus WS-Discovery.
        let mut set = JoinSet::new();
        let mut queue = open.iter().copied();
        let per_host = self.opts.probe_per_host.max(1);
        if self.opts.wsd {
            let cfg = self.opts.probe.clone();
            set.spawn(async move {
                Err::<PortReport, Vec<Observation>>(camguard_probe::wsd_probe(ip, &cfg).await)
            });
        }
        if self.opts.ssdp {
            let cfg = self.opts.probe.clone();
            let sockets = self.ports.sockets();
            set.spawn(async move {
                let _permit = sockets.acquire_owned().await;
                Err::<PortReport, Vec<Observation>>(camguard_probe::ssdp_probe(ip, &cfg).await)
            });
        }
        let side = usize::from(self.opts.wsd) + usize::from(self.opts.ssdp);
        loop {
            while set.len() < per_host + side {
                let Some(port) = queue.next() else { break };
                let hint = self.kb.ports.service(port).to_string();
                let cfg = self.opts.probe.clone();
                let sockets = self.ports.sockets();
                set.spawn(async move {
                    let _permit = sockets.acquire_owned().await;
                    Ok(camguard_probe::probe_port(ip, port, &hint, &cfg).await)
                });
            }
            let joined = tokio::select! {
                j = tokio::time::timeout_at(deadline, set.join_next()) => j,
                () = stop.stopped() => {
                    stopped = true;
                    set.abort_all();
                    break;
                }
            };
            match joined {
                Ok(Some(Ok(Ok(r)))) => port_reports.push(r),
                Ok(Some(Ok(Err(side)))) => observations.extend(side),
                Ok(Some(Err(e))) => notes.push(format!("probe task failed: {e}")),
                Ok(None) => break,
                Err(_) => {
                    notes.push(format!(
                        "host probe stage cut at {} s; kept what was learned",
                        self.opts.host_timeout.as_secs()
                    ));
                    set.abort_all();
                    break;
                }
            }
        }
        for r in &port_reports {
            observations.extend(r.observations.iter().cloned());
            notes.extend(r.notes.iter().map(|n| format!("{}/tcp: {n}", r.port)));
        }
        let mut id = camguard_identify::identify(&self.kb, &observations, open);

        // Stage 2: the vendor's own read-only endpoints, on the ports that spoke HTTP(S).
        let web: Vec<(u16, bool)> = port_reports
            .iter()
            .filter_map(|r| match r.service.as_deref() {
                Some("http" | "onvif") => Some((r.port, false)),
                Some("https") => Some((r.port, true)),
                _ => None,
            })
            .collect();
        // A UPnP description already read (from the SSDP LOCATION) makes the description paths
        // moot; otherwise they are fetched on the ports they name.
        let have_upnp = observations.iter().any(|o| o.key == keys::UPNP_DEVICE_TYPE);
        let extra: Vec<_> =
            camguard_kb::http_probes::for_vendor(&self.kb.http_probes, id.vendor.as_deref())
                .filter(|p| !(have_upnp && p.upnp))
                .collect();
        // Unrestricted endpoints on the first two web ports; port-restricted ones (the UPnP
        // description paths) on every web port they name.
        let jobs: Vec<(u16, bool, &camguard_kb::http_probes::HttpProbe)> = web
            .iter()
            .enumerate()
            .flat_map(|(i, &(port, tls))| {
                extra
                    .iter()
                    .filter(move |p| {
                        if p.ports.is_empty() {
                            i < 2
                        } else {
                            p.ports.contains(&port)
                        }
                    })
                    .map(move |p| (port, tls, *p))
            })
            .collect();
        if !jobs.is_empty() && !stopped && tokio::time::Instant::now() < deadline {
            let mut more = Vec::new();
            let mut got_upnp = have_upnp;
            for (port, tls, p) in jobs {
                if p.upnp && got_upnp {
                    continue;
                }
                let fut = camguard_probe::http_get(ip, port, tls, &p.path, &self.opts.probe);
                let got = tokio::select! {
                    g = tokio::time::timeout_at(deadline, fut) => g,
                    () = stop.stopped() => {
                        stopped = true;
                        break;
                    }
                };
                match got {
                    Ok(Ok(resp)) => {
                        if p.upnp && (200..300).contains(&resp.status) {
                            let found = camguard_probe::upnp::body_observations(port, &resp.body);
                            got_upnp |= !found.is_empty();
                            more.extend(found);
                        }
                        more.extend(camguard_probe::http_path_observations(port, &p.path, &resp));
                    }
                    Ok(Err(_)) => {}
                    Err(_) => break,
                }
            }
            if !more.is_empty() {
                observations.extend(more);
                id = camguard_identify::identify(&self.kb, &observations, open);
            }
        }

        let open_ports = open
            .iter()
            .map(|&p| {
                let obs: Vec<Observation> = observations
                    .iter()
                    .filter(|o| o.port == p)
                    .cloned()
                    .collect();
                let service = port_reports
                    .iter()
                    .find(|r| r.port == p)
                    .and_then(|r| r.service.clone())
                    .unwrap_or_else(|| camguard_identify::service_for(&self.kb, p, &obs));
                OpenPort {
                    port: p,
                    transport: Transport::Tcp,
                    service,
                }
            })
            .collect();
        let mut report = HostReport::new(ip, id, open_ports, scanned_at);
        if observations
            .iter()
            .any(|o| o.key == keys::WSD_XADDRS || o.key == keys::WSD_TYPES)
        {
            report.open_ports.push(OpenPort {
                port: 3702,
                transport: Transport::Udp,
                service: "ws-discovery".into(),
            });
        }
        if observations
            .iter()
            .any(|o| o.port == camguard_probe::SSDP_PORT && o.key.starts_with("ssdp."))
        {
            report.open_ports.push(OpenPort {
                port: camguard_probe::SSDP_PORT,
                transport: Transport::Udp,
                service: "ssdp".into(),
            });
        }
        report.notes = notes;
        report.serial = observations
            .iter()
            .find(|o| o.key == keys::ONVIF_SERIAL)
            .map(|o| o.value.trim().to_string())
            .filter(|v| !v.is_empty() && v.len() <= 128);
        (report, observations, stopped)
    }
}

/// The current time in RFC 3339 (UTC).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
