//! TCP connect discovery.
//!
//! A full `connect()` is what an unprivileged scanner can do and what every camera answers.
//! The scanner keeps three budgets:
//!
//! * **sockets**: a global semaphore sized below the open-file limit, shared with the probe
//!   stage, so the process can never hit `EMFILE` (the limit on the reference machine is
//!   20,000 and cannot be raised);
//! * **rate**: an optional global limit on connection attempts per second (`--rate`);
//! * **politeness**: at most `per_host` simultaneous connections to one host; embedded RTSP
//!   daemons serve only a handful of clients and drop the rest.
//!
//! Discovery sockets are closed with `SO_LINGER 0` (a reset): no TIME_WAIT state piles up on
//! either side, and the device's single-threaded daemon is not kept waiting for a FIN.
//!
//! **Stopping.** [`PortScanner::cancel`] ends every wait of the scanner at once (the rate
//! limiter, the socket budget, a connect in progress): attempts not yet made report
//! [`PortState::Cancelled`], and [`PortScanner::scan_ports`] returns the ports found open so
//! far, marked incomplete. A scan with a low `--rate` thus stops within moments of Ctrl-C
//! instead of finishing every address already started.
//!
//! **Self-connects.** When the target is the scanner's own address and the port is free, Linux
//! may pick that very port as the ephemeral source port; the SYN then meets itself and the
//! "connection" succeeds with no listener at all (TCP simultaneous open). RustScan reports such
//! ports as open. We compare the local and peer addresses of every successful connect and
//! count a match as closed.

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpSocket;
use tokio::sync::{Semaphore, watch};

/// Outcome of probing one port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortState {
    Open,
    /// Refused (RST): nothing listens.
    Closed,
    /// No answer within the timeout, after retries.
    Filtered,
    /// The connect met itself; nothing listens (see module docs).
    SelfConnect,
    /// Not probed (or not to the end): the scanner was cancelled.
    Cancelled,
}

/// What [`PortScanner::scan_ports`] learned about one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostPorts {
    /// Ports found open, sorted.
    pub open: Vec<u16>,
    /// Every port was probed to the end (false when the scanner was cancelled midway).
    pub complete: bool,
}

/// Discovery settings.
#[derive(Clone, Debug)]
pub struct ConnectConfig {
    pub timeout: Duration,
    /// Extra attempts after a timeout (a refusal is final).
    pub retries: u32,
    /// Connection attempts per second over the whole scan; `None` for no limit.
    pub rate: Option<u32>,
    /// Simultaneous sockets over the whole scan (discovery and probes together).
    pub max_sockets: usize,
    /// Simultaneous connections to one host.
    pub per_host: usize,
}

impl Default for ConnectConfig {
    fn default() -> Self {
        ConnectConfig {
            timeout: Duration::from_millis(1500),
            retries: 1,
            rate: None,
            max_sockets: default_max_sockets(),
            per_host: 8,
        }
    }
}

/// Sockets we allow ourselves: the open-file limit minus a reserve for files, the runtime and
/// the output, capped at 8,192.
pub fn default_max_sockets() -> usize {
    let limit = crate::open_file_limit();
    (limit.saturating_sub(256) as usize).clamp(32, 8192)
}

/// Counters for progress and benchmarks.
#[derive(Debug, Default)]
pub struct Counters {
    pub attempts: AtomicU64,
    pub open: AtomicU64,
    pub self_connects: AtomicU64,
    pub timeouts: AtomicU64,
}

/// The connect scanner; cheap to clone (shared budgets).
#[derive(Clone)]
pub struct PortScanner {
    cfg: ConnectConfig,
    sockets: Arc<Semaphore>,
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    /// Raised once by [`PortScanner::cancel`]; shared by every clone.
    cancel: Arc<watch::Sender<bool>>,
    pub counters: Arc<Counters>,
}

impl PortScanner {
    pub fn new(cfg: ConnectConfig) -> Self {
        let limiter = cfg.rate.and_then(NonZeroU32::new).map(|r| {
            // A burst of a tenth of a second keeps the rate smooth without starving the pipeline.
            let burst = NonZeroU32::new((r.get() / 10).max(1)).unwrap_or(NonZeroU32::MIN);
            Arc::new(RateLimiter::direct(Quota::per_second(r).allow_burst(burst)))
        });
        let sockets = Arc::new(Semaphore::new(cfg.max_sockets.max(1)));
        PortScanner {
            cfg,
            sockets,
            limiter,
            cancel: Arc::new(watch::Sender::new(false)),
            counters: Arc::default(),
        }
    }

    /// Stop: every wait ends now and no new connection is attempted, in this scanner and all
    /// its clones. Irreversible.
    pub fn cancel(&self) {
        self.cancel.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    /// Resolves when [`PortScanner::cancel`] was called.
    pub async fn cancelled(&self) {
        let mut rx = self.cancel.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = rx.wait_for(|c| *c).await;
    }

    pub fn config(&self) -> &ConnectConfig {
        &self.cfg
    }

    /// The global socket budget, for the probe stage to share.
    pub fn sockets(&self) -> Arc<Semaphore> {
        self.sockets.clone()
    }

    /// Wait for the rate limiter (if any).
    pub async fn pace(&self) {
        if let Some(l) = &self.limiter {
            l.until_ready().await;
        }
    }

    /// Probe one port, with retries on timeout; [`PortState::Cancelled`] once cancelled.
    pub async fn probe(&self, addr: SocketAddr) -> PortState {
        let mut attempt = 0;
        loop {
            match self.attempt(addr).await {
                PortState::Filtered if attempt < self.cfg.retries => attempt += 1,
                s => return s,
            }
        }
    }

    async fn attempt(&self, addr: SocketAddr) -> PortState {
        tokio::select! {
            biased;
            () = self.cancelled() => PortState::Cancelled,
            s = self.attempt_now(addr) => s,
        }
    }

    async fn attempt_now(&self, addr: SocketAddr) -> PortState {
        self.pace().await;
        let Ok(_permit) = self.sockets.acquire().await else {
            return PortState::Filtered;
        };
        self.counters.attempts.fetch_add(1, Ordering::Relaxed);
        let mut transient = 0u32;
        loop {
            let sock = match if addr.is_ipv4() {
                TcpSocket::new_v4()
            } else {
                TcpSocket::new_v6()
            } {
                Ok(s) => s,
                Err(e) if is_resource_exhaustion(&e) && transient < 50 => {
                    transient += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                Err(_) => return PortState::Filtered,
            };
            // Reset on close; no TIME_WAIT. tokio deprecates set_linger because a *non-zero*
            // linger blocks the thread in close(); a zero linger aborts at once and never blocks.
            #[expect(
                deprecated,
                reason = "SO_LINGER 0 on a non-blocking socket is what we want: an RST instead of TIME_WAIT"
            )]
            let _ = sock.set_linger(Some(Duration::ZERO));
            match tokio::time::timeout(self.cfg.timeout, sock.connect(addr)).await {
                Ok(Ok(stream)) => {
                    let (local, peer) = (stream.local_addr().ok(), stream.peer_addr().ok());
                    drop(stream);
                    if local.is_some() && local == peer {
                        self.counters.self_connects.fetch_add(1, Ordering::Relaxed);
                        return PortState::SelfConnect;
                    }
                    self.counters.open.fetch_add(1, Ordering::Relaxed);
                    return PortState::Open;
                }
                Ok(Err(e)) => {
                    if is_resource_exhaustion(&e) && transient < 50 {
                        // Out of ephemeral ports or fds for a moment: wait, do not misreport.
                        transient += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    return match e.kind() {
                        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset => {
                            PortState::Closed
                        }
                        _ => PortState::Filtered,
                    };
                }
                Err(_) => {
                    self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
                    return PortState::Filtered;
                }
            }
        }
    }

    /// Probe `ports` of one host, at most `per_host` at a time; returns the open ones, sorted.
    pub async fn open_ports(&self, ip: IpAddr, ports: &[u16]) -> Vec<u16> {
        self.scan_ports(ip, ports).await.open
    }

    /// Probe `ports` of one host, at most `per_host` at a time: the open ones, and whether
    /// every port was probed (a cancel cuts the host short, keeping what was found).
    pub async fn scan_ports(&self, ip: IpAddr, ports: &[u16]) -> HostPorts {
        let per_host = self.cfg.per_host.max(1);
        let mut out = HostPorts {
            open: Vec::new(),
            complete: true,
        };
        let mut pending = tokio::task::JoinSet::new();
        let mut iter = ports.iter().copied();
        loop {
            while pending.len() < per_host && !self.is_cancelled() {
                let Some(port) = iter.next() else { break };
                let me = self.clone();
                pending.spawn(async move { (port, me.probe(SocketAddr::new(ip, port)).await) });
            }
            match pending.join_next().await {
                Some(Ok((port, PortState::Open))) => out.open.push(port),
                Some(Ok((_, PortState::Cancelled)) | Err(_)) => out.complete = false,
                Some(_) => {}
                None => break,
            }
        }
        if iter.next().is_some() {
            out.complete = false;
        }
        out.open.sort_unstable();
        out
    }
}

fn is_resource_exhaustion(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::EADDRNOTAVAIL | libc::ENOBUFS)
    ) || e.kind() == ErrorKind::AddrNotAvailable
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn open_closed_and_self_connect() {
        let l = TcpListener::bind("127.88.0.1:0").await.unwrap();
        let open = l.local_addr().unwrap().port();
        let s = PortScanner::new(ConnectConfig {
            timeout: Duration::from_millis(500),
            ..Default::default()
        });
        assert_eq!(
            s.probe(SocketAddr::new("127.88.0.1".parse().unwrap(), open))
                .await,
            PortState::Open
        );
        // Nothing listens on 127.88.0.2.
        assert_eq!(
            s.probe(SocketAddr::new("127.88.0.2".parse().unwrap(), open))
                .await,
            PortState::Closed
        );
        let got = s
            .open_ports("127.88.0.1".parse().unwrap(), &[open, 1, 9])
            .await;
        assert_eq!(got, vec![open]);
    }

    #[tokio::test]
    async fn self_connect_is_not_an_open_port() {
        // Force the race: bind the source to the destination address and port ourselves, which
        // is exactly what the kernel does by accident when it picks ephemeral port == dport.
        let port = {
            let l = std::net::TcpListener::bind("127.88.1.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let addr: SocketAddr = format!("127.88.1.1:{port}").parse().unwrap();
        let sock = TcpSocket::new_v4().unwrap();
        sock.set_reuseaddr(true).unwrap();
        sock.bind(addr).unwrap();
        let stream = sock
            .connect(addr)
            .await
            .expect("simultaneous open connects to itself");
        assert_eq!(stream.local_addr().unwrap(), stream.peer_addr().unwrap());
        drop(stream);
        // Our classifier uses the same comparison.
        let s = PortScanner::new(ConnectConfig::default());
        assert_eq!(
            s.probe(addr).await,
            PortState::Closed,
            "nothing listens there"
        );
    }

    #[tokio::test]
    async fn socket_budget_is_respected() {
        let s = PortScanner::new(ConnectConfig {
            max_sockets: 3,
            ..Default::default()
        });
        assert_eq!(s.sockets().available_permits(), 3);
        let ip: IpAddr = "127.88.2.1".parse().unwrap();
        let ports: Vec<u16> = (40000..40050).collect();
        assert!(s.open_ports(ip, &ports).await.is_empty());
        assert_eq!(s.sockets().available_permits(), 3);
        assert_eq!(s.counters.attempts.load(Ordering::Relaxed), 50);
    }

    #[tokio::test]
    async fn cancel_ends_rate_limited_waits_and_keeps_what_was_found() {
        // One attempt per second: without the cancel, 30 ports take half a minute and every
        // one of them is attempted.
        let s = PortScanner::new(ConnectConfig {
            rate: Some(1),
            timeout: Duration::from_millis(500),
            retries: 0,
            // One port at a time, in order: the open port is probed first.
            per_host: 1,
            ..Default::default()
        });
        let l = TcpListener::bind("127.88.4.1:0").await.unwrap();
        let open = l.local_addr().unwrap().port();
        let ip: IpAddr = "127.88.4.1".parse().unwrap();
        let ports: Vec<u16> = std::iter::once(open).chain(40000..40029).collect();
        let task = tokio::spawn({
            let s = s.clone();
            async move { s.scan_ports(ip, &ports).await }
        });
        // Cancel once the open port was found (the counter moves in the same step as the
        // probe's result), while the closed ones wait for the rate limiter.
        while s.counters.open.load(Ordering::Relaxed) < 1 {
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        s.cancel();
        let at_cancel = s.counters.attempts.load(Ordering::Relaxed);
        let got = task.await.unwrap();
        assert!(!got.complete);
        assert_eq!(
            got.open,
            vec![open],
            "what was found before the cancel is kept"
        );
        assert!(
            s.counters.attempts.load(Ordering::Relaxed) <= at_cancel + 1,
            "attempts went on after the cancel"
        );
        // Cancelled: nothing more is attempted, and the probe says so.
        assert_eq!(
            s.probe(SocketAddr::new(ip, open)).await,
            PortState::Cancelled
        );
        let later = s.scan_ports(ip, &[open]).await;
        assert!(!later.complete && later.open.is_empty());
    }

    #[tokio::test]
    async fn rate_limit_paces_attempts() {
        let s = PortScanner::new(ConnectConfig {
            rate: Some(100),
            ..Default::default()
        });
        let ip: IpAddr = "127.88.3.1".parse().unwrap();
        let ports: Vec<u16> = (40000..40040).collect();
        let t = std::time::Instant::now();
        s.open_ports(ip, &ports).await;
        // 40 attempts at 100/s with a burst of 10 need at least 0.3 s.
        assert!(
            t.elapsed() >= Duration::from_millis(250),
            "{:?}",
            t.elapsed()
        );
    }
}
