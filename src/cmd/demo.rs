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
    // The demo's accounts have printed passwords: its service listens on loopback only.
    if !args.no_serve && !args.listen.ip().is_loopback() {
        return Err(crate::usage(
            "the demo serves on a loopback address only (--listen 127.0.0.1:PORT); use `camguard serve` for a real service",
        ));
    }
    let kb = Arc::new(super::load_kb(&Default::default())?);
    eprintln!(
        "▶ {}",
        crate::tr!(
            "demo-starting",
            hosts = args.hosts,
            base = args.base.to_string(),
            seed = args.seed
        )
    );
    let fleet = camguard_sim::Fleet::start(camguard_sim::FleetConfig::new(
        args.base, args.hosts, args.seed,
    ))
    .await
    .context("starting the simulated fleet")?;
    let truth = fleet.truth().clone();
    let last = std::net::Ipv4Addr::from(u32::from(args.base) + args.hosts - 1);
    let range = format!("{}-{}", args.base, last);
    eprintln!("▶ {}", crate::tr!("demo-scanning", range = range.as_str()));

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
    let scanner = Scanner::new(kb.clone(), opts, PortScanner::new(ConnectConfig::default()));
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
                .await;
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
        "\n✔ {}",
        crate::tr!(
            "demo-scanned",
            hosts = args.hosts,
            secs = format!("{:.1}", took.as_secs_f64()),
            up = hosts.len(),
            found = cams_found,
            cameras = truth_cams.len(),
            vendor = vendor_right,
            wrong = false_cams
        )
    );
    eprintln!(
        "✔ {}",
        crate::tr!(
            "demo-assessed",
            failing = failing,
            matched = matched,
            expected = expected,
            extra = extra
        )
    );
    // The registry side: the demo fleet's owner, its inventory and this scan, in a demo
    // database (never the user's own registry).
    let registry = match demo_registry(&args, &kb, &truth, &hosts, &range).await {
        Ok(db) => Some(db),
        Err(e) => {
            eprintln!("  ({}: {e:#})", crate::tr!("demo-registry-skipped"));
            None
        }
    };
    if let Some(path) = &args.output {
        let doc = camguard_model::ScanDocument {
            camguard_version: env!("CARGO_PKG_VERSION").into(),
            scan: camguard_model::ScanInfo {
                id: "demo".into(),
                started_at: camguard_scan::now_rfc3339(),
                finished_at: Some(camguard_scan::now_rfc3339()),
                targets: vec![range],
                addresses_probed: u64::from(args.hosts),
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
        eprintln!(
            "  {}",
            crate::tr!("demo-json-written", path = path.display().to_string())
        );
    }
    eprintln!("  {}", crate::tr!("demo-try"));
    // The dashboard on the demo registry, while the fleet still runs (scans launched from the
    // dashboard reach it), until Ctrl-C or SIGTERM.
    let served = match registry {
        Some(db) if !args.no_serve => serve_demo(&args, &db).await,
        _ => Ok(()),
    };
    fleet.shutdown().await;
    served?;
    Ok(exit::OK)
}

/// One account per role in the demo registry, with random passwords (printed), then the
/// service on `--listen`.
async fn serve_demo(args: &DemoArgs, db: &std::path::Path) -> anyhow::Result<()> {
    use camguard_store::{Actor, Password, Role, Store};
    let store = Store::open(&db.display().to_string()).await?;
    let actor = Actor::cli(Some("demo"));
    let mut accounts = Vec::new();
    for (name, role, org) in [
        ("demo.admin", Role::Admin, None),
        ("demo.regulator", Role::Regulator, Some("DEMO")),
        ("demo.unit", Role::Unit, Some("DEMO-STTTT")),
        ("demo.isp", Role::Isp, Some("DEMO-ISP")),
        ("demo.assessor", Role::Assessor, Some("DEMO")),
        ("demo.auditor", Role::Auditor, Some("DEMO")),
    ] {
        // 15 random characters of a 256-bit secret, in three groups: easy to type, not guessable.
        let s = camguard_auth::new_secret("").text;
        let password = format!("{}-{}-{}", &s[0..5], &s[5..10], &s[10..15]);
        store
            .add_user(name, role, org, &Password::new(password.clone()), &actor)
            .await?;
        if role == Role::Assessor {
            store.assign_org(name, "DEMO-STTTT", &actor).await?;
        }
        accounts.push((name, role, password));
    }
    let kb = super::load_kb(&Default::default())?;
    let mut config = camguard_service::ServeConfig {
        listen: args.listen,
        ..camguard_service::ServeConfig::default()
    };
    let server =
        match camguard_service::Server::bind(store.clone(), kb.clone(), config.clone()).await {
            Ok(s) => s,
            Err(e) => {
                // The port is taken (another service, an earlier demo): any free port will do.
                eprintln!("  ({}: {e})", args.listen);
                config.listen = std::net::SocketAddr::new(args.listen.ip(), 0);
                camguard_service::Server::bind(store.clone(), kb, config).await?
            }
        };
    let addr = server.local_addr()?;
    eprintln!(
        "\n▶ {}",
        crate::tr!("demo-serving", url = format!("http://{addr}/"))
    );
    for (name, role, password) in &accounts {
        eprintln!("    {:<10} {name:<16} {password}", role.as_str());
    }
    eprintln!("  {}", crate::tr!("demo-stop"));
    server.run(super::serve::shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

/// Store the demo scan in a fresh demo registry and print the compliance status.
async fn demo_registry(
    args: &DemoArgs,
    kb: &camguard_kb::Kb,
    truth: &camguard_sim::Truth,
    hosts: &[HostReport],
    range: &str,
) -> anyhow::Result<std::path::PathBuf> {
    use camguard_registry::inventory::{CameraRecord, ParsedRow};
    use camguard_store::{OrgKind, ScanState, Store};
    let dir = std::env::temp_dir().join("camguard-demo");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("registry.db");
    let store = Store::open(&db.display().to_string()).await?;
    let prefix = 32 - (args.hosts.next_power_of_two().trailing_zeros() as u8);
    let net: ipnet::IpNet = format!("{}/{}", args.base, prefix)
        .parse::<ipnet::Ipv4Net>()?
        .trunc()
        .into();
    store
        .add_org(
            "DEMO",
            "UBND tỉnh Demo",
            OrgKind::Province,
            None,
            &[net],
            &["an-giang".into()],
        )
        .await?;
    store
        .add_org(
            "DEMO-STTTT",
            "Sở TTTT Demo",
            OrgKind::Agency,
            Some("DEMO"),
            &[net],
            &[],
        )
        .await?;
    // The ISP whose subscribers' cameras these are (for the isp demo account).
    store
        .add_org("DEMO-ISP", "Nhà mạng Demo", OrgKind::Isp, None, &[net], &[])
        .await?;
    store
        .add_system(
            "DEMO-CCTV",
            "Camera giám sát giao thông",
            "DEMO-STTTT",
            None,
            None,
        )
        .await?;
    let rulesets = camguard_registry::level::load_rulesets(kb)?;
    if let Some(set) = rulesets.first() {
        let answers: camguard_registry::level::Answers = serde_json::from_value(
            serde_json::json!({
                "system-type": "infrastructure", "info": ["personal", "private"], "infra-reach": "regional"
            }),
        )?;
        if let Ok(d) = set.decide(&answers) {
            store
                .set_level(
                    "DEMO-CCTV",
                    d.level,
                    &d.ruleset,
                    &d.ruleset_version,
                    &serde_json::to_value(&answers)?,
                    &serde_json::to_value(&d.reasons)?,
                )
                .await?;
        }
    }
    // The inventory lists every simulated camera but three, most with a conformity certificate.
    let cams: Vec<_> = truth.entries.iter().filter(|t| t.is_camera).collect();
    let rows: Vec<ParsedRow> = cams
        .iter()
        .take(cams.len().saturating_sub(3))
        .enumerate()
        .map(|(i, t)| ParsedRow {
            line: i + 2,
            record: CameraRecord {
                org: "DEMO-STTTT".into(),
                system: Some("DEMO-CCTV".into()),
                vendor: t.vendor.clone().unwrap_or_else(|| "unknown".into()),
                model: t.model.clone().unwrap_or_else(|| "unknown".into()),
                firmware: t.firmware.clone(),
                serial: t.serial.clone(),
                mac: t.mac.clone(),
                ip: Some(std::net::IpAddr::V4(t.ip)),
                cert_conformity: (i % 5 != 0).then(|| format!("QCVN135-DEMO-{i}")),
                ..Default::default()
            },
        })
        .collect();
    let vendors = &kb.vendors;
    let imported = store
        .import_cameras(rows, &|r: &CameraRecord| {
            (
                camguard_registry::catalogue::vendor_key(&r.vendor, vendors),
                camguard_registry::catalogue::model_key(&r.model),
            )
        })
        .await?;
    for r in &imported.rejected {
        eprintln!(
            "camguard demo: {}: {}",
            crate::tr!("demo-row-rejected", line = r.line),
            r.reason
        );
    }
    let scan = store
        .begin_scan(
            "DEMO-STTTT",
            &[range.to_string()],
            "demo",
            "default",
            &serde_json::json!({}),
        )
        .await?;
    store
        .add_scan_hosts(scan.id, hosts, u64::from(args.hosts))
        .await?;
    let stored = store.finish_scan(scan.id, ScanState::Complete).await?;
    eprintln!(
        "\n▶ {}",
        crate::tr!(
            "demo-registry",
            db = db.display().to_string(),
            matched = stored.matched,
            unregistered = stored.unregistered,
            open = stored.findings_open
        )
    );
    store.close().await;
    let status = super::registry::status(crate::cli_registry::StatusArgs {
        db: crate::cli_registry::DbOpts {
            database: Some(db.display().to_string()),
        },
        org: None,
        date: None,
        summary: false,
        format: crate::cli_registry::OutFormat::Table,
    })
    .await;
    status?;
    eprintln!(
        "  {}",
        crate::tr!("demo-explore", db = db.display().to_string())
    );
    Ok(db)
}
