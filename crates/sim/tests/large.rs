//! 16,384 addresses in one process: start-up time and file descriptors.

mod common;

use camguard_sim::{Fleet, FleetConfig, HostKind};
use std::time::Instant;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, std::iter::Iterator::count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_thousand_hosts_fit_the_fd_budget() {
    let before = open_fds();
    let t0 = Instant::now();
    let f = Fleet::start(FleetConfig::new("127.92.0.0".parse().unwrap(), 16384, 2026))
        .await
        .expect("fleet starts");
    let took = t0.elapsed();
    let fds = open_fds();
    let stats = f.stats();
    let t = f.truth().clone();
    let cams = t
        .entries
        .iter()
        .filter(|e| e.kind == HostKind::Camera)
        .count();
    eprintln!(
        "16384 hosts: {} entries, {cams} cameras, {} TCP listeners, {} UDP sockets, connection cap {}, {fds} fds open (before {before}), start {:?}",
        t.entries.len(),
        stats.tcp_listeners,
        stats.udp_sockets,
        stats.connection_cap,
        took
    );
    assert!(fds < 14_000, "{fds} fds");
    assert!((1400..1800).contains(&cams), "{cams} cameras");
    assert!(took.as_secs() < 60, "start took {took:?}");
    // A few hosts answer.
    for e in t
        .entries
        .iter()
        .filter(|e| e.kind == HostKind::Camera)
        .step_by(97)
        .take(10)
    {
        let _ = common::connect(e.ip, e.open_ports[0]).await;
    }
    let t1 = Instant::now();
    f.shutdown().await;
    eprintln!("shutdown {:?}", t1.elapsed());
    assert!(open_fds() < before + 200, "fds released");
}
