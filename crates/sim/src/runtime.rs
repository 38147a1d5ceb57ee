//! The running fleet: listeners, accept loops with a global connection budget, per-daemon caps,
//! shutdown.

use crate::auth::{Lockout, NonceBook};
use crate::plan::HostPlan;
use crate::profile::{HttpMode, Role, ServiceDef};
use crate::{FleetStats, SimError, http, misc, rtsp, tls, wsd};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinHandle;

/// Listen backlog of every simulated daemon.
const BACKLOG: i32 = 128;
/// Upper bound of concurrently accepted connections, whatever the fd budget.
const MAX_CONN_CAP: usize = 4096;
/// File descriptors kept free for the runtime, TLS, RTP sockets, the test harness.
const FD_RESERVE: usize = 1024;
/// Default per-daemon connection cap (RTSP 6, telnet/FTP/SSH 4, web servers 16).
const DEFAULT_MAX_CONN: usize = 8;
const WEB_MAX_CONN: usize = 16;

/// Shared by every task.
pub(crate) struct Ctx {
    pub shutdown: watch::Receiver<bool>,
    pub sem: Arc<Semaphore>,
    /// Signalled whenever a connection ends (a permit is back).
    pub freed: Notify,
    pub tracker: Arc<Tracker>,
}

/// Counts live connection tasks.
#[derive(Default)]
pub(crate) struct Tracker {
    n: AtomicUsize,
}

pub(crate) struct TrackGuard(Arc<Tracker>);

impl Tracker {
    fn enter(self: &Arc<Self>) -> TrackGuard {
        self.n.fetch_add(1, Ordering::SeqCst);
        TrackGuard(self.clone())
    }
    fn live(&self) -> usize {
        self.n.load(Ordering::SeqCst)
    }
}

impl Drop for TrackGuard {
    fn drop(&mut self) {
        self.0.n.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Failed-login throttles of one host, per protocol (only when the variant enables lockout).
pub(crate) struct Locks {
    pub http: Option<Lockout>,
    pub rtsp: Option<Lockout>,
    pub onvif: Option<Lockout>,
    pub telnet: Option<Lockout>,
    pub ftp: Option<Lockout>,
}

/// One simulated host at run time.
pub(crate) struct HostRt {
    pub plan: HostPlan,
    pub nonces: NonceBook,
    pub locks: Locks,
}

impl HostRt {
    fn new(plan: HostPlan) -> Self {
        let mk = || {
            if plan.variant.lockout {
                // QĐ 724/QĐ-BTTTT: lock for 5 minutes after 5 failures within 30 seconds.
                Some(Lockout::new(
                    5,
                    Duration::from_secs(30),
                    Duration::from_secs(300),
                ))
            } else {
                None
            }
        };
        let locks = Locks {
            http: mk(),
            rtsp: mk(),
            onvif: mk(),
            telnet: mk(),
            ftp: mk(),
        };
        HostRt {
            plan,
            nonces: NonceBook::default(),
            locks,
        }
    }
}

pub(crate) enum SvcKind {
    Web {
        tls: Option<tokio_rustls::TlsAcceptor>,
        site: String,
        onvif: bool,
        redirect: bool,
    },
    OnvifOnly,
    Rtsp,
    Telnet,
    Ftp,
    Ssh,
    Sdk,
    Raw,
    Tarpit,
}

/// One listening daemon.
pub(crate) struct SvcRt {
    pub host: Arc<HostRt>,
    pub port: u16,
    pub kind: SvcKind,
    pub def: Option<ServiceDef>,
    active: AtomicUsize,
    max_conn: usize,
}

pub(crate) struct SvcGuard(Arc<SvcRt>);

impl SvcRt {
    fn try_enter(self: &Arc<Self>) -> Option<SvcGuard> {
        let mut cur = self.active.load(Ordering::SeqCst);
        loop {
            if cur >= self.max_conn {
                return None;
            }
            match self
                .active
                .compare_exchange(cur, cur + 1, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return Some(SvcGuard(self.clone())),
                Err(x) => cur = x,
            }
        }
    }

    pub fn site(&self) -> Option<&crate::profile::SiteDef> {
        match &self.kind {
            SvcKind::Web { site, .. } => self.host.plan.profile.def.sites.get(site),
            _ => None,
        }
    }
}

impl Drop for SvcGuard {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(crate) struct Running {
    shutdown_tx: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
    tracker: Arc<Tracker>,
    pub stats: FleetStats,
}

impl Running {
    pub async fn shutdown(self) {
        let _ = self.shutdown_tx.send(true);
        for h in self.handles {
            let _ = h.await;
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.tracker.live() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// The soft `RLIMIT_NOFILE` (read from /proc, the crate forbids `unsafe`).
pub(crate) fn fd_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(1024)
}

pub(crate) fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, std::iter::Iterator::count)
}

fn is_sim_addr(ip: Ipv4Addr, port: u16) -> bool {
    ip.octets()[0] == 127 && port != crate::profile::FORBIDDEN_PORT
}

fn bind_tcp(ip: Ipv4Addr, port: u16) -> Result<TcpListener, SimError> {
    let addr = SocketAddrV4::new(ip, port);
    assert!(is_sim_addr(ip, port), "refusing to bind {addr}");
    let err = |e: std::io::Error| SimError::Bind {
        addr: addr.to_string(),
        source: e,
    };
    let s = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).map_err(err)?;
    s.set_reuse_address(true).map_err(err)?;
    s.set_nonblocking(true).map_err(err)?;
    s.bind(&SockAddr::from(addr)).map_err(err)?;
    s.listen(BACKLOG).map_err(err)?;
    TcpListener::from_std(s.into()).map_err(err)
}

fn bind_udp(ip: Ipv4Addr, port: u16) -> Result<UdpSocket, SimError> {
    let addr = SocketAddrV4::new(ip, port);
    assert!(is_sim_addr(ip, port), "refusing to bind {addr}");
    let err = |e: std::io::Error| SimError::Bind {
        addr: format!("udp {addr}"),
        source: e,
    };
    let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).map_err(err)?;
    s.set_reuse_address(true).map_err(err)?;
    s.set_nonblocking(true).map_err(err)?;
    s.bind(&SockAddr::from(addr)).map_err(err)?;
    UdpSocket::from_std(s.into()).map_err(err)
}

/// Binds a UDP socket for RTP on the host's own address (ephemeral port).
pub(crate) fn bind_udp_ephemeral(ip: Ipv4Addr) -> std::io::Result<UdpSocket> {
    assert!(ip.octets()[0] == 127);
    let s = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    s.set_nonblocking(true)?;
    s.bind(&SockAddr::from(SocketAddrV4::new(ip, 0)))?;
    UdpSocket::from_std(s.into())
}

pub(crate) async fn start(plans: Vec<HostPlan>) -> Result<Running, SimError> {
    let t0 = Instant::now();
    let n_tcp: usize = plans.iter().map(|h| h.tcp_ports().len()).sum();
    let n_udp: usize = plans.iter().filter(|h| h.onvif).count();
    let limit = fd_limit();
    let budget = limit.saturating_sub(open_fds() + n_tcp + n_udp + FD_RESERVE);
    if budget < 32 {
        return Err(SimError::Config(format!(
            "{n_tcp} TCP listeners and {n_udp} UDP sockets do not fit the open-file limit {limit} (with {FD_RESERVE} kept free)"
        )));
    }
    let cap = budget.min(MAX_CONN_CAP);
    let (tx, rx) = watch::channel(false);
    let tracker = Arc::new(Tracker::default());
    let ctx = Arc::new(Ctx {
        shutdown: rx,
        sem: Arc::new(Semaphore::new(cap)),
        freed: Notify::new(),
        tracker: tracker.clone(),
    });
    let mut certs = tls::CertStore::new()?;

    // Bind everything first, so that a failure leaves nothing behind.
    let mut tcp: Vec<(TcpListener, Arc<SvcRt>)> = Vec::with_capacity(n_tcp);
    let mut udp: Vec<(UdpSocket, Arc<HostRt>)> = Vec::with_capacity(n_udp);
    for plan in plans {
        let host = Arc::new(HostRt::new(plan));
        let p = &host.plan;
        let onvif_port = p.onvif_port();
        let mut onvif_attached = false;
        for s in &p.services {
            let kind = match s.role {
                Role::Web | Role::WebTls => {
                    let tls = if s.role == Role::WebTls {
                        Some(certs.acceptor(&p.profile, p.variant.tls)?)
                    } else {
                        None
                    };
                    let onvif = s.role == Role::Web && onvif_port == Some(s.port);
                    onvif_attached |= onvif;
                    SvcKind::Web {
                        tls,
                        site: s.site.clone().unwrap_or_else(|| "main".into()),
                        onvif,
                        redirect: s.role == Role::Web && p.variant.http_mode == HttpMode::Redirect,
                    }
                }
                Role::Rtsp => SvcKind::Rtsp,
                Role::Telnet => SvcKind::Telnet,
                Role::Ftp => SvcKind::Ftp,
                Role::Ssh => SvcKind::Ssh,
                Role::Sdk => SvcKind::Sdk,
                Role::Raw => SvcKind::Raw,
                Role::Tarpit => SvcKind::Tarpit,
            };
            let max_conn = s.max_conn.unwrap_or(match s.role {
                Role::Web | Role::WebTls => WEB_MAX_CONN,
                Role::Rtsp => 6,
                Role::Telnet | Role::Ftp | Role::Ssh => 4,
                _ => DEFAULT_MAX_CONN,
            });
            let svc = Arc::new(SvcRt {
                host: host.clone(),
                port: s.port,
                kind,
                def: Some(s.clone()),
                active: AtomicUsize::new(0),
                max_conn,
            });
            tcp.push((bind_tcp(p.ip, s.port)?, svc));
        }
        if let (Some(port), false) = (onvif_port, onvif_attached) {
            let svc = Arc::new(SvcRt {
                host: host.clone(),
                port,
                kind: SvcKind::OnvifOnly,
                def: None,
                active: AtomicUsize::new(0),
                max_conn: WEB_MAX_CONN,
            });
            tcp.push((bind_tcp(p.ip, port)?, svc));
        }
        if p.onvif {
            udp.push((bind_udp(p.ip, 3702)?, host.clone()));
        }
    }

    let stats = FleetStats {
        tcp_listeners: tcp.len(),
        udp_sockets: udp.len(),
        connection_cap: cap,
        start_ms: 0,
    };
    let mut handles = Vec::with_capacity(tcp.len() + udp.len());
    for (l, svc) in tcp {
        handles.push(tokio::spawn(accept_loop(l, svc, ctx.clone())));
    }
    for (s, host) in udp {
        handles.push(tokio::spawn(wsd::run(s, host, ctx.clone())));
    }
    let stats = FleetStats {
        start_ms: t0.elapsed().as_millis() as u64,
        ..stats
    };
    tracing::info!(
        listeners = stats.tcp_listeners,
        udp = stats.udp_sockets,
        cap,
        ms = stats.start_ms,
        "simulated fleet up"
    );
    Ok(Running {
        shutdown_tx: tx,
        handles,
        tracker,
        stats,
    })
}

fn is_fd_exhaustion(e: &std::io::Error) -> bool {
    // EMFILE (24) and ENFILE (23); ENOBUFS/ENOMEM are treated alike.
    matches!(e.raw_os_error(), Some(23 | 24 | 105 | 12))
}

async fn accept_loop(l: TcpListener, svc: Arc<SvcRt>, ctx: Arc<Ctx>) {
    let mut sd = ctx.shutdown.clone();
    loop {
        if *sd.borrow() {
            break;
        }
        // At the global cap, stop accepting until a connection ends.
        if ctx.sem.available_permits() == 0 {
            let freed = ctx.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            if ctx.sem.available_permits() == 0 {
                tokio::select! {
                    _ = sd.changed() => break,
                    () = freed => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            continue;
        }
        let r = tokio::select! {
            _ = sd.changed() => break,
            r = l.accept() => r,
        };
        match r {
            Ok((stream, peer)) => {
                if !matches!(peer, SocketAddr::V4(a) if a.ip().octets()[0] == 127) {
                    continue;
                }
                let Ok(permit) = ctx.sem.clone().try_acquire_owned() else {
                    continue;
                };
                let Some(guard) = svc.try_enter() else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let svc2 = svc.clone();
                let ctx2 = ctx.clone();
                let track = ctx.tracker.enter();
                tokio::spawn(async move {
                    let _guard = guard;
                    let _track = track;
                    let mut sd = ctx2.shutdown.clone();
                    if !*sd.borrow() {
                        tokio::select! {
                            _ = sd.changed() => {}
                            () = dispatch(svc2, stream, peer) => {}
                        }
                    }
                    drop(permit);
                    ctx2.freed.notify_waiters();
                });
            }
            Err(e) => {
                let pause = if is_fd_exhaustion(&e) {
                    Duration::from_millis(100)
                } else {
                    Duration::from_millis(5)
                };
                tokio::select! {
                    _ = sd.changed() => break,
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
    }
}

async fn dispatch(svc: Arc<SvcRt>, stream: TcpStream, peer: SocketAddr) {
    match &svc.kind {
        SvcKind::Web { tls: Some(acc), .. } => {
            let acc = acc.clone();
            if let Ok(Ok(s)) =
                tokio::time::timeout(Duration::from_secs(10), acc.accept(stream)).await
            {
                http::serve(s, &svc, peer, true).await;
            }
        }
        SvcKind::Web { tls: None, .. } | SvcKind::OnvifOnly => {
            http::serve(stream, &svc, peer, false).await;
        }
        SvcKind::Rtsp => rtsp::serve(stream, &svc, peer).await,
        SvcKind::Telnet => misc::telnet(stream, &svc).await,
        SvcKind::Ftp => misc::ftp(stream, &svc).await,
        SvcKind::Ssh => misc::ssh(stream, &svc).await,
        SvcKind::Sdk => misc::sdk(stream, &svc).await,
        SvcKind::Raw => misc::raw(stream).await,
        SvcKind::Tarpit => misc::tarpit(stream).await,
    }
}
