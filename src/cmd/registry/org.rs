//! `camguard org`: organisations, their scopes, regulations and deadline sets.

use super::{
    REJECTED_ROWS, Table, changed, check_sets, create_store, day, deadline_sets, join, json, kind,
    open_store, or_dash, parse_nets,
};
use crate::cli_registry::{OrgArgs, OrgCommand, OutFormat};
use crate::errors::{BadInput, OrExit};
use crate::{exit, usage};
use camguard_registry::deadline::Duty;
use camguard_registry::inventory::{RejectedRow, format_date};
use camguard_store::{OrgKind, Store};

pub async fn org(args: OrgArgs) -> anyhow::Result<u8> {
    // Only the commands that add organisations may create a new registry.
    let store = match args.command {
        OrgCommand::Add { .. } | OrgCommand::Import { .. } => create_store(&args.db).await?,
        _ => open_store(&args.db).await?,
    };
    match args.command {
        OrgCommand::Add {
            code,
            name,
            parent,
            kind: k,
            scope,
            deadlines,
            format,
        } => {
            let kb = crate::cmd::load_kb(&Default::default())?;
            check_sets(&deadlines, &deadline_sets(&kb)?)?;
            let nets = parse_nets(&scope)?;
            let org = store
                .add_org_in(
                    &camguard_store::Reach::All,
                    &camguard_store::NewOrg {
                        code: &code,
                        name: &name,
                        kind: kind(k),
                        parent: parent.as_deref(),
                        scopes: &nets,
                        deadline_sets: &deadlines,
                    },
                    &super::cli_actor(),
                )
                .await
                .or_exit()?;
            changed(format, &org, || {
                format!(
                    "added organisation {} ({}){}",
                    org.code,
                    org.name,
                    if org.scopes.is_empty() {
                        ", no scope yet: scans for it are refused until `camguard org scope` adds one".to_string()
                    } else {
                        format!(", scope {}", join(&org.scopes))
                    }
                )
            })?;
        }
        OrgCommand::Import { file, format } => return org_import(&store, &file, format).await,
        OrgCommand::List { format } => {
            let orgs = store.orgs().await.or_exit()?;
            match format {
                OutFormat::Json => json(&orgs)?,
                OutFormat::Table => {
                    let mut t = Table::new(&["CODE", "KIND", "NAME", "SCOPE", "DEADLINES"]);
                    // Depth-first, children indented under their parent.
                    fn walk(
                        orgs: &[camguard_store::Org],
                        parent: Option<i64>,
                        depth: usize,
                        t: &mut Table,
                    ) {
                        for o in orgs.iter().filter(|o| o.parent_id == parent) {
                            t.row(vec![
                                format!("{}{}", "  ".repeat(depth), o.code),
                                o.kind.as_str().into(),
                                o.name.clone(),
                                join(&o.scopes),
                                o.deadline_sets.join(","),
                            ]);
                            walk(orgs, Some(o.id), depth + 1, t);
                        }
                    }
                    walk(&orgs, None, 0, &mut t);
                    t.print()?;
                }
            }
        }
        OrgCommand::Show { code, format } => {
            let org = store.org(&code).await.or_exit()?;
            let regulation = store.regulation(&code).await.or_exit()?;
            let systems = store.systems(Some(&code)).await.or_exit()?;
            match format {
                OutFormat::Json => json(&serde_json::json!({
                    "org": org,
                    "regulation": regulation,
                    "systems": systems.iter().map(|s| &s.code).collect::<Vec<_>>(),
                }))?,
                OutFormat::Table => {
                    println!("{} — {} ({})", org.code, org.name, org.kind.as_str());
                    println!("parent:     {}", org.parent.as_deref().unwrap_or("-"));
                    println!("scope:      {}", or_dash(join(&org.scopes)));
                    println!(
                        "deadlines:  national{}",
                        org.deadline_sets
                            .iter()
                            .map(|s| format!(", {s}"))
                            .collect::<String>()
                    );
                    match regulation {
                        Some(r) => println!(
                            "regulation: {} of {} ({})",
                            r.number,
                            r.issued_on,
                            if r.covers_cameras {
                                "covers cameras"
                            } else {
                                "does NOT cover cameras"
                            }
                        ),
                        None => println!("regulation: none recorded"),
                    }
                    println!(
                        "systems:    {}",
                        or_dash(
                            systems
                                .iter()
                                .map(|s| s.code.clone())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    );
                }
            }
        }
        OrgCommand::Scope {
            code,
            cidrs,
            format,
        } => {
            let org = store
                .add_scopes(&code, &parse_nets(&cidrs)?)
                .await
                .or_exit()?;
            super::record(
                &store,
                "org.scope",
                &format!("org:{}", org.code),
                Some(&org.code),
                serde_json::json!({"scopes": org.scopes}),
            )
            .await?;
            changed(format, &org, || {
                format!("{}: scope {}", org.code, join(&org.scopes))
            })?;
        }
        OrgCommand::Deadlines { code, sets, format } => {
            let kb = crate::cmd::load_kb(&Default::default())?;
            check_sets(&sets, &deadline_sets(&kb)?)?;
            let org = store.attach_deadline_sets(&code, &sets).await.or_exit()?;
            super::record(
                &store,
                "org.deadlines",
                &format!("org:{}", org.code),
                Some(&org.code),
                serde_json::json!({"deadline_sets": org.deadline_sets}),
            )
            .await?;
            changed(format, &org, || {
                format!(
                    "{}: deadline sets national, {}",
                    org.code,
                    org.deadline_sets.join(", ")
                )
            })?;
        }
        OrgCommand::Regulation {
            code,
            number,
            date,
            covers_cameras,
            note,
            format,
        } => {
            store
                .set_regulation_in(
                    &camguard_store::Reach::All,
                    &code,
                    &camguard_store::NewRegulation {
                        number: &number,
                        issued_on: day(&date, "--date")?,
                        covers_cameras,
                        note: note.as_deref(),
                    },
                    &super::cli_actor(),
                )
                .await
                .or_exit()?;
            let regulation = store.regulation(&code).await.or_exit()?;
            changed(format, &regulation, || {
                format!("{code}: regulation {number} recorded")
            })?;
        }
        OrgCommand::Done {
            code,
            duty,
            date,
            reference,
            format,
        } => {
            let d: Duty = duty.parse().map_err(|_| {
                usage(format!(
                    "unknown duty {duty:?} (expected one of: {})",
                    Duty::ALL
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            let on = day(&date, "--date")?;
            store
                .record_duty_in(
                    &camguard_store::Reach::All,
                    &code,
                    d.as_str(),
                    on,
                    reference.as_deref(),
                    &super::cli_actor(),
                )
                .await
                .or_exit()?;
            let record = serde_json::json!({
                "org": code,
                "duty": d.as_str(),
                "date": format_date(on),
                "reference": reference,
            });
            changed(format, &record, || {
                format!("{code}: {} recorded on {date}", d.as_str())
            })?;
        }
    }
    Ok(exit::OK)
}

/// `org import`: one organisation per CSV row.
async fn org_import(
    store: &Store,
    file: &std::path::Path,
    format: OutFormat,
) -> anyhow::Result<u8> {
    let kb = crate::cmd::load_kb(&Default::default())?;
    let known = deadline_sets(&kb)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .usage_in(file.display())?;
    let head: Vec<String> = rdr
        .headers()
        .usage_in(file.display())?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let col = |name: &str| head.iter().position(|h| h == name);
    let (Some(c_code), Some(c_name)) = (col("code"), col("name")) else {
        return Err(usage(format!(
            "{}: the header needs at least the columns code and name",
            file.display()
        )));
    };
    let (c_parent, c_kind, c_scope, c_dl) =
        (col("parent"), col("kind"), col("scope"), col("deadlines"));
    let (mut rows, mut added, mut rejected) = (0usize, 0usize, Vec::new());
    // Rejected rows are named on stderr as they come, or listed in the JSON report.
    let mut reject = |line: u64, at: String, reason: String| {
        if format == OutFormat::Table {
            eprintln!("{at}: rejected: {reason}");
        }
        rejected.push(RejectedRow {
            line: usize::try_from(line).unwrap_or(usize::MAX),
            reason,
        });
    };
    let t0 = std::time::Instant::now();
    for rec in rdr.records() {
        rows += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                reject(line, file.display().to_string(), e.to_string());
                continue;
            }
        };
        let line = rec.position().map_or(0, csv::Position::line);
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let result: anyhow::Result<()> = async {
            let k: OrgKind = get(c_kind)
                .unwrap_or("unit")
                .parse()
                .map_err(anyhow::Error::new)?;
            let scopes = parse_nets(
                &get(c_scope)
                    .unwrap_or("")
                    .split_whitespace()
                    .map(String::from)
                    .collect::<Vec<_>>(),
            )?;
            let sets: Vec<String> = get(c_dl)
                .unwrap_or("")
                .split_whitespace()
                .map(String::from)
                .collect();
            check_sets(&sets, &known)?;
            store
                .add_org(
                    get(Some(c_code)).unwrap_or(""),
                    get(Some(c_name)).unwrap_or(""),
                    k,
                    get(c_parent),
                    &scopes,
                    &sets,
                )
                .await
                .map_err(anyhow::Error::new)?;
            Ok(())
        }
        .await;
        match result {
            Ok(()) => added += 1,
            Err(e) => reject(line, format!("{}:{line}", file.display()), e.to_string()),
        }
    }
    super::record(
        store,
        "org.import",
        &format!("file:{}", file.display()),
        None,
        serde_json::json!({"rows": rows, "added": added}),
    )
    .await?;
    if format == OutFormat::Json {
        json(&serde_json::json!({
            "file": file.display().to_string(),
            "rows": rows,
            "added": added,
            "rejected": rejected,
        }))?;
    }
    eprintln!(
        "camguard: {}: {}",
        file.display(),
        crate::tr!(
            "import-orgs-summary",
            added = added,
            rejected = rejected.len(),
            secs = format!("{:.2}", t0.elapsed().as_secs_f64())
        )
    );
    Ok(if rejected.is_empty() {
        exit::OK
    } else {
        REJECTED_ROWS
    })
}
