//! `camguard assess`: stored scans and the lifecycle of their findings.

use super::{Table, changed, day, day_or_today, join, json, open_store, or_dash};
use crate::cli_registry::{AssessArgs, AssessCommand, FindingStateArg, OutFormat};
use crate::errors::{BadInput, OrExit};
use crate::{exit, usage};
use camguard_store::{FindingChange, FindingState, Reach, Store};

pub async fn assess(args: AssessArgs) -> anyhow::Result<u8> {
    let store = open_store(&args.db).await?;
    match args.command {
        AssessCommand::Import {
            file,
            org,
            operator,
            profile,
            format,
        } => return assess_import(&store, &file, &org, operator, profile, format).await,
        AssessCommand::List { org, format } => {
            let scans = store.scans(org.as_deref()).await.or_exit()?;
            match format {
                OutFormat::Json => json(&scans)?,
                OutFormat::Table => {
                    let mut t = Table::new(&[
                        "SCAN", "ORG", "STATE", "PROFILE", "STARTED", "HOSTS", "CAMERAS",
                        "OPERATOR", "TARGETS",
                    ]);
                    for s in &scans {
                        t.row(vec![
                            s.id.to_string(),
                            s.org.clone(),
                            s.state.as_str().into(),
                            s.profile.clone(),
                            s.started_at.clone(),
                            s.hosts.to_string(),
                            s.cameras.to_string(),
                            s.operator.clone(),
                            s.targets.join(" "),
                        ]);
                    }
                    t.print()?;
                }
            }
        }
        AssessCommand::Show { scan, format } => {
            let s = store.scan(scan).await.or_exit()?;
            let unregistered = store.unregistered_cameras(scan).await.or_exit()?;
            match format {
                OutFormat::Json => {
                    json(&serde_json::json!({"scan": s, "unregistered": unregistered}))?;
                }
                OutFormat::Table => {
                    println!(
                        "scan {} of {} ({}), {} profile, by {}: {} hosts, {} cameras, started {}, finished {}",
                        s.id,
                        s.org,
                        s.state.as_str(),
                        s.profile,
                        s.operator,
                        s.hosts,
                        s.cameras,
                        s.started_at,
                        s.finished_at.as_deref().unwrap_or("-")
                    );
                    println!("targets: {}", s.targets.join(" "));
                    println!(
                        "cameras found but not in the inventory: {}",
                        unregistered.len()
                    );
                    for u in &unregistered {
                        println!(
                            "  {}  {} {} {}",
                            u["ip"].as_str().unwrap_or(""),
                            u["vendor"].as_str().unwrap_or("?"),
                            u["model"].as_str().unwrap_or(""),
                            u["firmware"].as_str().unwrap_or("")
                        );
                    }
                }
            }
        }
        AssessCommand::Findings { org, state, format } => {
            let st = state.map(|s| match s {
                FindingStateArg::Open => FindingState::Open,
                FindingStateArg::Fixed => FindingState::Fixed,
                FindingStateArg::Verified => FindingState::Verified,
                FindingStateArg::Accepted => FindingState::Accepted,
            });
            let f = store.findings(org.as_deref(), st).await.or_exit()?;
            match format {
                OutFormat::Json => json(&f)?,
                OutFormat::Table => {
                    let mut t = Table::new(&[
                        "ID",
                        "ORG",
                        "SUBJECT",
                        "IP",
                        "FINDING",
                        "PORT",
                        "SEVERITY",
                        "STATE",
                        "FIRST SEEN",
                        "LAST SEEN",
                    ]);
                    for x in &f {
                        t.row(vec![
                            x.id.to_string(),
                            x.org.clone(),
                            x.subject.clone(),
                            x.ip.clone(),
                            x.finding.clone(),
                            x.port.map_or_else(|| "-".into(), |p| p.to_string()),
                            x.severity.clone(),
                            x.state.as_str().into(),
                            x.first_seen.clone(),
                            x.last_seen.clone(),
                        ]);
                    }
                    t.print()?;
                }
            }
        }
        AssessCommand::Fix {
            finding,
            date,
            note,
            format,
        } => {
            let change = FindingChange::Fixed {
                on: day_or_today(&date, "--date")?,
                note,
            };
            let f = store
                .change_finding_in(&Reach::All, finding, &change, &super::cli_actor())
                .await
                .or_exit()?;
            changed(format, &f, || {
                format!(
                    "finding {finding}: fixed; the next complete scan of it verifies (or reopens) it"
                )
            })?;
        }
        AssessCommand::Accept {
            finding,
            reason,
            until,
            format,
        } => {
            let change = FindingChange::Accepted {
                until: day(&until, "--until")?,
                reason,
            };
            let f = store
                .change_finding_in(&Reach::All, finding, &change, &super::cli_actor())
                .await
                .or_exit()?;
            changed(format, &f, || {
                format!("finding {finding}: risk accepted until {until}")
            })?;
        }
        AssessCommand::Reopen {
            finding,
            note,
            format,
        } => {
            let change = FindingChange::Reopened { note };
            let f = store
                .change_finding_in(&Reach::All, finding, &change, &super::cli_actor())
                .await
                .or_exit()?;
            changed(format, &f, || format!("finding {finding}: open"))?;
        }
        AssessCommand::History { finding, format } => {
            let h = store.finding_history(finding).await.or_exit()?;
            if h.is_empty() {
                return Err(usage(format!("no finding {finding} in the registry")));
            }
            match format {
                OutFormat::Json => json(&h)?,
                OutFormat::Table => {
                    for e in &h {
                        println!(
                            "{}  {:<9} {} {}",
                            e["at"].as_str().unwrap_or(""),
                            e["state"].as_str().unwrap_or(""),
                            e["scan"]
                                .as_i64()
                                .map(|s| format!("scan {s}"))
                                .unwrap_or_default(),
                            e["note"].as_str().unwrap_or("")
                        );
                    }
                }
            }
        }
    }
    Ok(exit::OK)
}

/// Read a scan output file: one JSON document, or JSON lines of hosts.
fn read_scan_file(
    file: &std::path::Path,
) -> anyhow::Result<(
    Vec<camguard_model::HostReport>,
    Option<camguard_model::ScanInfo>,
)> {
    let text =
        std::fs::read_to_string(file).usage_in(format_args!("cannot read {}", file.display()))?;
    if let Ok(doc) = serde_json::from_str::<camguard_model::ScanDocument>(&text) {
        return Ok((doc.hosts, Some(doc.scan)));
    }
    let mut hosts = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let h = serde_json::from_str::<camguard_model::HostReport>(line).map_err(|e| {
            usage(format!(
                "{}:{}: not a camguard host record ({e}); nothing was stored",
                file.display(),
                i + 1
            ))
        })?;
        hosts.push(h);
    }
    Ok((hosts, None))
}

/// `assess import`: store a scan done earlier.
async fn assess_import(
    store: &Store,
    file: &std::path::Path,
    org: &str,
    operator: Option<String>,
    profile: String,
    format: OutFormat,
) -> anyhow::Result<u8> {
    let t0 = std::time::Instant::now();
    let (hosts, info) = read_scan_file(file)?;
    let o = store.org(org).await.or_exit()?;
    // The one scope rule (camguard_model::scope): the organisation's nets minus the blocks that
    // are never scanned, the same rule `scan --org` and the store apply.
    let scope = camguard_model::scope::Scope::from_nets(
        &o.scopes,
        &format!("the scope of organisation {org}"),
    );
    if let Some((h, why)) = hosts
        .iter()
        .find_map(|h| scope.check_ip(h.ip).err().map(|why| (h, why)))
    {
        return Err(crate::refused(format!(
            "{}: host {} is outside the scope of organisation {org} ({}): {why}; nothing was stored",
            file.display(),
            h.ip,
            or_dash(join(&o.scopes))
        )));
    }
    let operator = operator
        .or_else(crate::env::user)
        .unwrap_or_else(|| "unknown".into());
    let (targets, profile, interrupted) = match &info {
        Some(i) => (i.targets.clone(), i.profile.clone(), i.interrupted),
        None => (Vec::new(), profile, false),
    };
    let scan = store
        .begin_scan(
            org,
            &targets,
            &operator,
            &profile,
            &serde_json::json!({ "imported_from": file.display().to_string() }),
        )
        .await
        .or_exit()?;
    for chunk in hosts.chunks(1000) {
        store.add_scan_hosts(scan.id, chunk, 0).await.or_exit()?;
    }
    let state = if interrupted {
        camguard_store::ScanState::Interrupted
    } else {
        camguard_store::ScanState::Complete
    };
    let stored = store.finish_scan(scan.id, state).await.or_exit()?;
    super::record(
        store,
        "scan.import",
        &format!("scan:{}", scan.id),
        Some(org),
        serde_json::json!({"file": file.display().to_string(), "hosts": stored.hosts, "findings_open": stored.findings_open}),
    )
    .await?;
    if format == OutFormat::Json {
        let mut report = serde_json::to_value(&stored)?;
        report["org"] = org.into();
        report["file"] = file.display().to_string().into();
        json(&report)?;
    }
    eprintln!(
        "camguard: {}: {}; {}",
        crate::tr!(
            "assess-import-stored",
            path = file.display().to_string(),
            id = stored.scan,
            org = org
        ),
        stored.describe(),
        crate::tr!(
            "took-secs",
            secs = format!("{:.2}", t0.elapsed().as_secs_f64())
        )
    );
    Ok(exit::OK)
}
