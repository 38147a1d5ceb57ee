//! `camguard scan`: targets → scope check → pipeline → writer.

use crate::cli::{Format, IntrusiveArg, ProfileArg, ScanArgs};
use crate::output::Writer;
use crate::{exit, refused, usage};
use anyhow::Context;
use camguard_discovery::{ConnectConfig, PortScanner, Scope, TargetSet};
use camguard_model::{HostReport, ScanInfo};
use camguard_scan::{Progress, ScanOptions, Scanner, StopFlag, now_rfc3339};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Parse a port list: `default`, `all-known`, or `80,554,8000-8010`.
pub fn parse_ports(spec: &str, kb: &camguard_kb::Kb) -> anyhow::Result<Vec<u16>> {
    match spec.trim() {
        "default" => return Ok(kb.ports.defaults()),
        "all-known" => return Ok(kb.ports.all()),
        _ => {}
    }
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let parse = |s: &str| -> anyhow::Result<u16> {
            match s.trim().parse::<u16>() {
                Ok(0) | Err(_) => Err(usage(format!(
                    "bad port {s:?} in --ports (expected 1-65535, e.g. 80,554,8000-8010)"
                ))),
                Ok(p) => Ok(p),
            }
        };
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (parse(a)?, parse(b)?);
                if b < a {
                    return Err(usage(format!("bad port range {part:?}: end before start")));
                }
                out.extend(a..=b);
            }
            None => out.push(parse(part)?),
        }
    }
    if out.is_empty() {
        return Err(usage("--ports names no port"));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(*p));
    Ok(out)
}

pub fn profile_name(p: ProfileArg) -> &'static str {
    match p {
        ProfileArg::Quick => "quick",
        ProfileArg::Default => "default",
        ProfileArg::Thorough => "thorough",
    }
}

/// Assessment settings from the command line.
fn assess_options(
    args: &ScanArgs,
    kb: &camguard_kb::Kb,
) -> anyhow::Result<camguard_scan::AssessOptions> {
    use camguard_scan::{AssessOptions, Intrusive, Profile};
    let profile = match args.profile {
        ProfileArg::Quick => Profile::Quick,
        ProfileArg::Default => Profile::Default,
        ProfileArg::Thorough => Profile::Thorough,
    };
    let mut o = AssessOptions::for_profile(profile);
    for i in &args.intrusive {
        o.intrusive.insert(match i {
            IntrusiveArg::Lockout => Intrusive::Lockout,
            IntrusiveArg::Cve => Intrusive::Cve,
        });
    }
    if !o.intrusive.is_empty() && !args.quiet {
        eprintln!(
            "camguard: WARNING: intrusive checks enabled ({}). They may lock accounts for minutes or create sessions on the devices; run them only with the owner's agreement.",
            args.intrusive
                .iter()
                .map(|i| format!("{i:?}").to_lowercase())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    o.reveal_secrets = args.reveal_secrets;
    o.assess_all = args.assess_all;
    if let Some(b) = args.credential_budget {
        o.credential_budget = b;
    }
    // The assessment's own data files come through the same loader (and overlays) as the rest
    // of the knowledge base.
    let data = camguard_assess::AssessData::from_kb(kb)
        .map_err(|e| usage(format!("knowledge base: {e}")))?;
    o.data = Some(Arc::new(data));
    Ok(o)
}

fn resolve_format(args: &ScanArgs) -> Format {
    if let Some(f) = args.format {
        return f;
    }
    if let Some(path) = &args.output {
        return match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl") | Some("ndjson") => Format::Jsonl,
            Some("csv") => Format::Csv,
            Some("txt") => Format::Table,
            _ => Format::Json,
        };
    }
    if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Json
    }
}

pub async fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let kb = Arc::new(super::load_kb(&args.kb)?);
    let targets = TargetSet::parse(&args.targets, &args.exclude).map_err(usage)?;
    let scope = match &args.scope {
        Some(path) => Scope::from_file(path).map_err(usage)?,
        None => Scope::non_public(),
    };
    scope
        .check(&targets)
        .map_err(|e| if e.is_refusal() { refused(e) } else { usage(e) })?;
    let ports = match (args.ports.as_str(), args.profile) {
        ("default", ProfileArg::Thorough) => kb.ports.all(),
        (spec, _) => parse_ports(spec, &kb)?,
    };
    let assess = if args.no_assess || args.discovery_only {
        None
    } else {
        Some(assess_options(&args, &kb)?)
    };
    let format = resolve_format(&args);

    let connect = ConnectConfig {
        timeout: Duration::from_millis(args.timeout.max(1)),
        retries: args.retries,
        rate: (args.rate > 0).then_some(args.rate),
        max_sockets: args
            .max_sockets
            .unwrap_or_else(camguard_discovery::connect::default_max_sockets)
            .max(1),
        per_host: args.per_host.max(1),
    };
    let seed = args.seed.unwrap_or_else(rand::random);
    let opts = ScanOptions {
        ports: ports.clone(),
        host_timeout: Duration::from_secs(args.host_timeout.max(1)),
        hosts_in_flight: args.hosts.max(1),
        seed,
        discovery_only: args.discovery_only,
        wsd: !args.no_wsd && !args.discovery_only,
        assess,
        ..ScanOptions::default()
    };
    let out: Box<dyn std::io::Write + Send> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create output file {}", path.display()))
                .map_err(usage)?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let mut writer = Writer::new(format, out)?;

    let scanner = Scanner::new(kb, opts, PortScanner::new(connect));
    let progress = Arc::new(Progress::default());
    let stop = StopFlag::default();
    let started_at = now_rfc3339();
    let t0 = Instant::now();
    let total = u64::try_from(targets.count()).unwrap_or(u64::MAX);
    let targets = Arc::new(targets);
    let labels = targets.labels.clone();

    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let bar = show_progress.then(|| progress_bar(total));

    let (tx, mut rx) = tokio::sync::mpsc::channel::<HostReport>(1024);
    let run = {
        let (scanner, targets, progress, stop) = (
            scanner.clone(),
            targets.clone(),
            progress.clone(),
            stop.clone(),
        );
        tokio::spawn(async move { scanner.run(targets, tx, progress, stop).await })
    };
    let signal = {
        let stop = stop.clone();
        tokio::spawn(async move {
            super::shutdown_signal().await;
            stop.stop();
        })
    };
    let mut ticker = tokio::time::interval(Duration::from_millis(200));
    let mut vendors: BTreeMap<String, u64> = BTreeMap::new();
    loop {
        tokio::select! {
            host = rx.recv() => {
                let Some(host) = host else { break };
                if host.is_camera {
                    *vendors.entry(host.vendor.clone().unwrap_or_else(|| "unknown".into())).or_default() += 1;
                }
                if !args.cameras_only || host.is_camera {
                    writer.host(&host)?;
                }
            }
            _ = ticker.tick() => {
                if let Some(b) = &bar {
                    update_bar(b, &progress);
                }
            }
        }
    }
    run.await.context("scan task")?;
    signal.abort();
    if let Some(b) = &bar {
        update_bar(b, &progress);
        b.finish_and_clear();
    }
    let interrupted = stop.is_stopped();
    let info = ScanInfo {
        id: format!("{:016x}", rand::random::<u64>()),
        started_at,
        finished_at: Some(now_rfc3339()),
        targets: labels,
        addresses_probed: progress.addresses_done.load(Ordering::Relaxed),
        profile: profile_name(args.profile).into(),
        ports,
        hosts_up: progress.hosts_up.load(Ordering::Relaxed),
        cameras: progress.cameras.load(Ordering::Relaxed),
        interrupted,
    };
    let summary = summary_line(&info, t0.elapsed(), &vendors, scanner.port_scanner());
    writer.finish(info)?;
    if !args.quiet {
        eprintln!("{summary}");
    }
    Ok(if interrupted {
        exit::INTERRUPTED
    } else {
        exit::OK
    })
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} addr {per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

fn update_bar(bar: &indicatif::ProgressBar, p: &Progress) {
    bar.set_position(p.addresses_done.load(Ordering::Relaxed));
    bar.set_message(format!(
        "up {} cameras {}",
        p.hosts_up.load(Ordering::Relaxed),
        p.cameras.load(Ordering::Relaxed)
    ));
}

fn summary_line(
    info: &ScanInfo,
    took: Duration,
    vendors: &BTreeMap<String, u64>,
    ports: &PortScanner,
) -> String {
    let secs = took.as_secs_f64().max(0.001);
    let c = &ports.counters;
    let mut s = format!(
        "camguard: {} addresses in {:.1} s ({:.0} connects/s): {} hosts up, {} cameras/NVR/DVR",
        info.addresses_probed,
        secs,
        c.attempts.load(Ordering::Relaxed) as f64 / secs,
        info.hosts_up,
        info.cameras,
    );
    if !vendors.is_empty() {
        let v: Vec<String> = vendors.iter().map(|(k, n)| format!("{k} {n}")).collect();
        s.push_str(&format!(" ({})", v.join(", ")));
    }
    let sc = c.self_connects.load(Ordering::Relaxed);
    if sc > 0 {
        s.push_str(&format!("; {sc} TCP self-connects ignored"));
    }
    if info.interrupted {
        s.push_str("; INTERRUPTED, results are partial");
    }
    s
}
