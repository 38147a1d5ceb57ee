//! `camguard scan`: targets → scope check → pipeline → writer.

use crate::cli::{Format, IntrusiveArg, ProfileArg, ScanArgs};
use crate::output::Writer;
use crate::{exit, refused, usage};
use anyhow::Context;
use camguard_discovery::{ConnectConfig, PortScanner, Scope, ScopeError, TargetSet, scope};
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
        let checks = args
            .intrusive
            .iter()
            .map(|i| format!("{i:?}").to_lowercase())
            .collect::<Vec<_>>()
            .join(", ");
        eprintln!(
            "camguard: {}",
            crate::tr!("scan-intrusive-warning", checks = checks)
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
            Some("jsonl" | "ndjson") => Format::Jsonl,
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

/// The registry side of a scan: the saved scan, stored as it streams by the implementation the
/// queue's workers use too (`camguard_jobs::saving`).
struct Saving {
    scan: camguard_store::ScanRow,
    saved: camguard_jobs::saving::SavedScan,
}

impl Saving {
    fn new(store: camguard_store::Store, scan: camguard_store::ScanRow) -> Self {
        let saved = camguard_jobs::saving::SavedScan::new(store, scan.id);
        Saving { scan, saved }
    }
    fn store(&self) -> &camguard_store::Store {
        self.saved.store()
    }
}

/// The command line to store with a saved scan, to resume it with: without the database
/// (it may hold a password), the output options (a resumed run chooses its own), and with the
/// seed made explicit (the resumed run must walk the same order).
fn resumable_argv(seed: u64) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = std::env::args().skip(1);
    let mut has_seed = false;
    while let Some(a) = it.next() {
        let with_value = ["--database", "--output", "-o", "--format", "-f"];
        if with_value.contains(&a.as_str()) {
            it.next();
            continue;
        }
        if with_value.iter().any(|w| a.starts_with(&format!("{w}="))) || a == "-q" || a == "--quiet"
        {
            continue;
        }
        has_seed |= a == "--seed" || a.starts_with("--seed=");
        out.push(a);
    }
    if !has_seed {
        out.push("--seed".into());
        out.push(seed.to_string());
    }
    out
}

/// `scan --resume ID`: the stored scan's settings, with this run's output options.
async fn resumed_args(
    args: ScanArgs,
) -> anyhow::Result<(ScanArgs, camguard_store::Store, camguard_store::ScanRow)> {
    use clap::Parser;
    let id = args.resume.unwrap_or_default();
    let store = super::registry::open_store(&args.db).await?;
    let row = store.scan(id).await.map_err(super::registry::store_err)?;
    let argv: Vec<String> = serde_json::from_value(row.args["argv"].clone()).map_err(|_| {
        usage(format!(
            "scan {id} was stored without its settings; it cannot be resumed"
        ))
    })?;
    let cli = crate::cli::Cli::try_parse_from(std::iter::once("camguard".to_string()).chain(argv))
        .map_err(|e| usage(format!("scan {id}: stored settings no longer parse: {e}")))?;
    let crate::cli::Command::Scan(mut stored) = cli.command else {
        return Err(usage(format!("scan {id}: stored settings are not a scan")));
    };
    let row = store
        .resume_scan(id)
        .await
        .map_err(super::registry::store_err)?;
    stored.output = args.output;
    stored.format = args.format;
    stored.quiet = args.quiet;
    stored.db = args.db;
    stored.resume = Some(id);
    Ok((stored, store, row))
}

pub async fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let (args, mut saving) = if args.resume.is_some() {
        let (args, store, scan) = resumed_args(args).await?;
        (args, Some(Saving::new(store, scan)))
    } else {
        (args, None)
    };
    if args.save && args.reveal_secrets {
        return Err(usage(
            "--save with --reveal-secrets: the registry never stores revealed credentials; drop one of them",
        ));
    }
    let kb = Arc::new(super::load_kb(&args.kb)?);
    // Every name is resolved here, once; the checks below and the scan read the addresses the
    // set holds, so the address checked is the address connected to.
    let targets = TargetSet::parse(&args.targets, &args.exclude).map_err(usage)?;
    let refusal = |e: ScopeError| if e.is_refusal() { refused(e) } else { usage(e) };
    let scope = match &args.scope {
        Some(path) => scope::from_file(path).map_err(usage)?,
        None => Scope::non_public(),
    };
    scope::check(&scope, &targets).map_err(refusal)?;
    // A scan for an organisation is confined to its authorised scope as well.
    if let Some(code) = &args.org {
        let store = match &saving {
            Some(s) => s.store().clone(),
            None => super::registry::open_store(&args.db).await?,
        };
        let org = store.org(code).await.map_err(super::registry::store_err)?;
        if org.scopes.is_empty() {
            return Err(refused(format!(
                "organisation {code} has no authorised scope; add one with `camguard org scope {code} CIDR`"
            )));
        }
        let org_scope = Scope::from_nets(&org.scopes, &format!("the scope of organisation {code}"));
        scope::check(&org_scope, &targets).map_err(refusal)?;
        if args.save && saving.is_none() {
            let operator = args
                .operator
                .clone()
                .or_else(crate::env::user)
                .unwrap_or_else(|| "unknown".into());
            let seed = args.seed.unwrap_or_else(rand::random);
            let argv = resumable_argv(seed);
            let scan = store
                .begin_scan(
                    code,
                    &targets.labels,
                    &operator,
                    profile_name(args.profile),
                    &serde_json::json!({ "argv": argv }),
                )
                .await
                .map_err(super::registry::store_err)?;
            if !args.quiet {
                eprintln!(
                    "camguard: {}",
                    crate::tr!(
                        "scan-storing",
                        id = scan.id,
                        org = code.as_str(),
                        store = store.url()
                    )
                );
            }
            saving = Some(Saving::new(store, scan));
            return run_scan(args, kb, targets, Some(seed), saving).await;
        }
    }
    let seed = args.seed;
    run_scan(args, kb, targets, seed, saving).await
}

async fn run_scan(
    args: ScanArgs,
    kb: Arc<camguard_kb::Kb>,
    targets: TargetSet,
    seed: Option<u64>,
    mut saving: Option<Saving>,
) -> anyhow::Result<u8> {
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
    let seed = seed.unwrap_or_else(rand::random);
    // Resuming: start at the stored watermark, skip hosts stored past it.
    let (resume_from, skip) = match &saving {
        Some(s) if args.resume.is_some() => {
            let (resume_from, done) =
                camguard_jobs::saving::resume_point(s.store(), s.scan.id, s.scan.resume_from)
                    .await
                    .map_err(super::registry::store_err)?;
            if !args.quiet {
                eprintln!(
                    "camguard: resuming scan {} at address {} of its order, {} hosts already stored",
                    s.scan.id,
                    s.scan.resume_from,
                    done.len()
                );
            }
            (resume_from, Some(done))
        }
        _ => (0, None),
    };
    let opts = ScanOptions {
        resume_from,
        skip,
        ports: ports.clone(),
        host_timeout: Duration::from_secs(args.host_timeout.max(1)),
        hosts_in_flight: args.hosts.max(1),
        seed,
        discovery_only: args.discovery_only,
        wsd: !args.no_wsd && !args.discovery_only,
        ssdp: !args.no_wsd && !args.discovery_only,
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
    // Ctrl-C (or SIGTERM) stops the scan within moments, keeping what was found; a second
    // one quits at once.
    let signal = {
        let (stop, quiet) = (stop.clone(), args.quiet);
        tokio::spawn(async move {
            super::shutdown_signal().await;
            stop.stop();
            if !quiet {
                eprintln!("camguard: {}", crate::tr!("scan-stopping"));
            }
            super::shutdown_signal().await;
            eprintln!("camguard: {}", crate::tr!("scan-interrupted-again"));
            std::process::exit(i32::from(exit::INTERRUPTED));
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
                if let Some(s) = &mut saving {
                    // A host cut short by a stop is shown, not stored: its position stays
                    // below the watermark and `--resume` does it again, in full.
                    s.saved.push(host, &progress);
                    if s.saved.due() {
                        let watermark = progress.watermark();
                        while let Ok(h) = rx.try_recv() {
                            if !args.cameras_only || h.is_camera {
                                writer.host(&h)?;
                            }
                            s.saved.push(h, &progress);
                        }
                        s.saved.flush(watermark).await.map_err(super::registry::store_err)?;
                    }
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
    if let Some(s) = saving {
        let state = if interrupted {
            camguard_store::ScanState::Interrupted
        } else {
            camguard_store::ScanState::Complete
        };
        let store = s.saved.store().clone();
        let stored = s
            .saved
            .finish(&progress, state)
            .await
            .map_err(super::registry::store_err)?;
        super::registry::record(
            &store,
            "scan.save",
            &format!("scan:{}", stored.scan),
            Some(&s.scan.org),
            serde_json::json!({"state": state.as_str(), "targets": s.scan.targets, "hosts": stored.hosts, "findings_open": stored.findings_open}),
        )
        .await?;
        if !args.quiet {
            eprintln!(
                "camguard: {}: {}",
                crate::tr!(
                    "scan-stored",
                    id = stored.scan,
                    state = state.as_str(),
                    org = s.scan.org.as_str()
                ),
                stored.describe(),
            );
            if interrupted {
                eprintln!(
                    "camguard: {}",
                    crate::tr!("scan-resume-hint", id = stored.scan)
                );
            }
        }
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
        "camguard: {}",
        crate::tr!(
            "scan-summary",
            addresses = info.addresses_probed,
            secs = format!("{secs:.1}"),
            rate = format!("{:.0}", c.attempts.load(Ordering::Relaxed) as f64 / secs),
            up = info.hosts_up,
            cameras = info.cameras,
        )
    );
    if !vendors.is_empty() {
        let v: Vec<String> = vendors.iter().map(|(k, n)| format!("{k} {n}")).collect();
        s.push_str(&format!(" ({})", v.join(", ")));
    }
    let sc = c.self_connects.load(Ordering::Relaxed);
    if sc > 0 {
        s.push_str("; ");
        s.push_str(&crate::tr!("scan-self-connects", n = sc));
    }
    if info.interrupted {
        s.push_str("; ");
        s.push_str(&crate::tr!("scan-interrupted"));
    }
    s
}
