//! `camguard demo`: a small simulated fleet, scanned, with the result and how well it matched
//! the fleet's ground truth.

use crate::cli::DemoArgs;
use crate::exit;
use anyhow::Context;
use camguard_discovery::{ConnectConfig, PortScanner, TargetSet};
use camguard_model::HostReport;
use camguard_scan::{Progress, ScanOptions, Scanner, StopFlag};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub async fn run(args: DemoArgs) -> anyhow::Result<u8> {
    if args.base.octets()[0] != 127 || args.hosts == 0 || args.hosts > 65_536 {
        return Err(crate::usage(
            "the demo runs on 1–65,536 loopback addresses (127.0.0.0/8)",
        ));
    }
    let kb = Arc::new(super::load_kb(&Default::default())?);
    eprintln!(
        "▶ Starting a simulated fleet of {} addresses on {} (seed {}) …",
        args.hosts, args.base, args.seed
    );
    let fleet = camguard_sim::Fleet::start(camguard_sim::FleetConfig::new(
        args.base, args.hosts, args.seed,
    ))
    .await
    .context("starting the simulated fleet")?;
    let truth = fleet.truth().clone();
    let last = std::net::Ipv4Addr::from(u32::from(args.base) + args.hosts - 1);
    let range = format!("{}-{}", args.base, last);
    eprintln!("▶ Scanning {range} for cameras …");

    let targets =
        Arc::new(TargetSet::parse(std::slice::from_ref(&range), &[]).map_err(crate::usage)?);
    let opts = ScanOptions {
        ports: kb.ports.defaults(),
        seed: args.seed,
        host_timeout: Duration::from_secs(8),
        assess: Some(camguard_scan::AssessOptions::for_profile(
            camguard_scan::Profile::Default,
        )),
        ..ScanOptions::default()
    };
    let scanner = Scanner::new(kb, opts, PortScanner::new(ConnectConfig::default()));
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let t0 = Instant::now();
    let run = {
        let scanner = scanner.clone();
        let targets = targets.clone();
        tokio::spawn(async move {
            scanner
                .run(
                    targets,
                    tx,
                    Arc::new(Progress::default()),
                    StopFlag::default(),
                )
                .await
        })
    };
    let mut hosts: Vec<HostReport> = Vec::new();
    while let Some(h) = rx.recv().await {
        hosts.push(h);
    }
    run.await?;
    let took = t0.elapsed();
    hosts.sort_by_key(|h| h.ip);

    let mut stdout = std::io::stdout();
    crate::output::write_table(&mut stdout, &hosts)?;

    // How the scan compares with what the simulator knows it is running.
    let truth_cams: Vec<_> = truth.entries.iter().filter(|t| t.is_camera).collect();
    let found = |ip: std::net::Ipv4Addr| hosts.iter().find(|h| h.ip == std::net::IpAddr::V4(ip));
    let cams_found = truth_cams
        .iter()
        .filter(|t| found(t.ip).is_some_and(|h| h.is_camera))
        .count();
    let vendor_right = truth_cams
        .iter()
        .filter(|t| found(t.ip).is_some_and(|h| h.vendor == t.vendor))
        .count();
    let false_cams = truth
        .entries
        .iter()
        .filter(|t| !t.is_camera)
        .filter(|t| found(t.ip).is_some_and(|h| h.is_camera))
        .count();
    // Findings against the simulator's expected findings.
    let (mut expected, mut matched, mut extra) = (0usize, 0usize, 0usize);
    for t in &truth.entries {
        let got: Vec<&str> = found(t.ip)
            .map(|h| h.findings.iter().map(|f| f.id.as_str()).collect())
            .unwrap_or_default();
        expected += t.expected_findings.len();
        matched += t
            .expected_findings
            .iter()
            .filter(|e| got.contains(&e.as_str()))
            .count();
        extra += got
            .iter()
            .filter(|g| !t.expected_findings.iter().any(|e| e == *g))
            .count();
    }
    let failing = hosts
        .iter()
        .filter(|h| h.verdict.as_deref() == Some("fail"))
        .count();
    eprintln!(
        "\n✔ Scanned {} addresses in {:.1} s: {} hosts up; {}/{} cameras found, vendor right for {}/{}; {} non-cameras called cameras.",
        args.hosts,
        took.as_secs_f64(),
        hosts.len(),
        cams_found,
        truth_cams.len(),
        vendor_right,
        truth_cams.len(),
        false_cams
    );
    eprintln!(
        "✔ Assessment: {failing} hosts fail the baseline; {matched}/{expected} seeded weaknesses found; {extra} further findings (see FINDINGS above)."
    );
    if let Some(path) = &args.output {
        let doc = camguard_model::ScanDocument {
            camguard_version: env!("CARGO_PKG_VERSION").into(),
            scan: camguard_model::ScanInfo {
                id: "demo".into(),
                started_at: camguard_scan::now_rfc3339(),
                finished_at: Some(camguard_scan::now_rfc3339()),
                targets: vec![range],
                addresses_probed: args.hosts as u64,
                profile: "default".into(),
                ports: Vec::new(),
                hosts_up: hosts.len() as u64,
                cameras: hosts.iter().filter(|h| h.is_camera).count() as u64,
                interrupted: false,
            },
            hosts,
        };
        std::fs::write(path, serde_json::to_vec_pretty(&doc)?)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("  JSON written to {}", path.display());
    }
    eprintln!(
        "  Try: camguard sim --hosts 1024 --truth truth.json   (in one terminal)\n       camguard scan 127.66.0.0/22                    (in another)"
    );
    fleet.shutdown().await;
    Ok(exit::OK)
}
