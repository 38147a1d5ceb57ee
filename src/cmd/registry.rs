//! The registry commands: `org`, `system`, `camera`, `catalogue`, `assess`, `deadline`,
//! `status`. Each opens the store (`--database` / `CAMGUARD_DATABASE`, else the embedded SQLite
//! file), does one thing, and prints a table or JSON.

use crate::cli_registry::*;
use crate::{exit, usage};
use anyhow::Context;
use camguard_registry::catalogue::{Catalogue, CatalogueVerdict, model_key, vendor_key};
use camguard_registry::deadline::{DeadlineSet, Duty, load_deadlines};
use camguard_registry::inventory::{
    CameraRecord, RejectedRow, format_date, parse_date, read_inventory,
};
use camguard_registry::level::{Answers, QuestionKind, RuleSet, load_rulesets, ruleset_in_force};
use camguard_store::{CameraFilter, DossierState, FindingState, OrgKind, Store, StoreError};
use serde::Serialize;
use std::io::{IsTerminal, Write};

/// Exit status of `camera import` when some rows were rejected.
pub const REJECTED_ROWS: u8 = 4;
/// Exit statuses of `catalogue check`.
pub const CATALOGUE_WARNED: u8 = 5;
pub const CATALOGUE_UNKNOWN: u8 = 6;

/// The database named by the options, the environment, or the default file.
pub fn database_url(db: &DbOpts) -> String {
    db.database
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| {
            camguard_store::default_database_path()
                .display()
                .to_string()
        })
}

pub async fn open_store(db: &DbOpts) -> anyhow::Result<Store> {
    let url = database_url(db);
    Store::open(&url).await.map_err(store_err)
}

/// A store error as an exit status: the user's mistakes are usage errors (2).
pub fn store_err(e: StoreError) -> anyhow::Error {
    if e.is_user_error() {
        usage(e)
    } else {
        anyhow::Error::new(e)
    }
}

fn day(s: &str, what: &str) -> anyhow::Result<time::Date> {
    parse_date(s).ok_or_else(|| {
        usage(format!(
            "{what}: {s:?} is not a date (use YYYY-MM-DD or DD/MM/YYYY)"
        ))
    })
}

fn day_or_today(s: &Option<String>, what: &str) -> anyhow::Result<time::Date> {
    match s {
        Some(s) => day(s, what),
        None => Ok(camguard_store::today()),
    }
}

fn fmt_day(d: Option<time::Date>) -> String {
    d.map(format_date).unwrap_or_else(|| "-".into())
}

fn json<T: Serialize>(v: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// What a command that changed one record prints: the record as JSON, or one line for people.
fn changed<T: Serialize>(
    format: OutFormat,
    record: &T,
    line: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    match format {
        OutFormat::Json => json(record),
        OutFormat::Table => {
            println!("{}", line());
            Ok(())
        }
    }
}

/// Aligned columns.
struct Table {
    head: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(head: &[&'static str]) -> Self {
        Table {
            head: head.to_vec(),
            rows: Vec::new(),
        }
    }
    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
    fn print(&self) -> anyhow::Result<()> {
        let mut w: Vec<usize> = self.head.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if i < w.len() {
                    w[i] = w[i].max(c.chars().count()).min(60);
                }
            }
        }
        let mut out = std::io::stdout().lock();
        let line = |cells: Vec<String>, out: &mut dyn Write| -> std::io::Result<()> {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                let c: String = c.chars().take(60).collect();
                if i + 1 == cells.len() {
                    s.push_str(&c);
                } else {
                    let pad = w[i].saturating_sub(c.chars().count());
                    s.push_str(&c);
                    s.push_str(&" ".repeat(pad + 2));
                }
            }
            writeln!(out, "{}", s.trim_end())
        };
        line(self.head.iter().map(|h| h.to_string()).collect(), &mut out)?;
        for r in &self.rows {
            line(r.clone(), &mut out)?;
        }
        Ok(())
    }
}

fn kind(k: OrgKindArg) -> OrgKind {
    match k {
        OrgKindArg::Province => OrgKind::Province,
        OrgKindArg::Ministry => OrgKind::Ministry,
        OrgKindArg::Agency => OrgKind::Agency,
        OrgKindArg::Enterprise => OrgKind::Enterprise,
        OrgKindArg::Isp => OrgKind::Isp,
        OrgKindArg::Unit => OrgKind::Unit,
    }
}

fn parse_nets(cidrs: &[String]) -> anyhow::Result<Vec<ipnet::IpNet>> {
    cidrs
        .iter()
        .map(|c| {
            let c = c.trim();
            c.parse::<ipnet::IpNet>()
                .or_else(|_| c.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| usage(format!("--scope: {c:?} is not an address or CIDR")))
        })
        .collect()
}

fn deadline_sets(kb: &camguard_kb::Kb) -> anyhow::Result<Vec<DeadlineSet>> {
    load_deadlines(kb).map_err(|e| usage(format!("knowledge base: {e}")))
}

fn check_sets(sets: &[String], known: &[DeadlineSet]) -> anyhow::Result<()> {
    for s in sets {
        if !known.iter().any(|k| &k.id == s) {
            return Err(usage(format!(
                "unknown deadline set {s:?} (known: {})",
                known
                    .iter()
                    .map(|k| k.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// org

pub async fn org(args: OrgArgs) -> anyhow::Result<u8> {
    let store = open_store(&args.db).await?;
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
            let kb = super::load_kb(&Default::default())?;
            check_sets(&deadlines, &deadline_sets(&kb)?)?;
            let nets = parse_nets(&scope)?;
            let org = store
                .add_org(&code, &name, kind(k), parent.as_deref(), &nets, &deadlines)
                .await
                .map_err(store_err)?;
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
            let orgs = store.orgs().await.map_err(store_err)?;
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
            let org = store.org(&code).await.map_err(store_err)?;
            let regulation = store.regulation(&code).await.map_err(store_err)?;
            let systems = store.systems(Some(&code)).await.map_err(store_err)?;
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
                .map_err(store_err)?;
            changed(format, &org, || {
                format!("{}: scope {}", org.code, join(&org.scopes))
            })?;
        }
        OrgCommand::Deadlines { code, sets, format } => {
            let kb = super::load_kb(&Default::default())?;
            check_sets(&sets, &deadline_sets(&kb)?)?;
            let org = store
                .attach_deadline_sets(&code, &sets)
                .await
                .map_err(store_err)?;
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
                .set_regulation(
                    &code,
                    &number,
                    day(&date, "--date")?,
                    covers_cameras,
                    note.as_deref(),
                )
                .await
                .map_err(store_err)?;
            let regulation = store.regulation(&code).await.map_err(store_err)?;
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
                .record_duty(&code, d.as_str(), on, reference.as_deref())
                .await
                .map_err(store_err)?;
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
    let kb = super::load_kb(&Default::default())?;
    let known = deadline_sets(&kb)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .map_err(|e| usage(format!("{}: {e}", file.display())))?;
    let head: Vec<String> = rdr
        .headers()
        .map_err(|e| usage(format!("{}: {e}", file.display())))?
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
                let line = e.position().map_or(0, |p| p.line());
                reject(line, file.display().to_string(), e.to_string());
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
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
    if format == OutFormat::Json {
        json(&serde_json::json!({
            "file": file.display().to_string(),
            "rows": rows,
            "added": added,
            "rejected": rejected,
        }))?;
    }
    eprintln!(
        "camguard: {}: {added} organisations added, {} rejected, in {:.2} s",
        file.display(),
        rejected.len(),
        t0.elapsed().as_secs_f64()
    );
    Ok(if rejected.is_empty() {
        exit::OK
    } else {
        REJECTED_ROWS
    })
}

fn join<T: std::fmt::Display>(v: &[T]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "-".into() } else { s }
}

// ---------------------------------------------------------------------------------------------
// system

fn pick_ruleset<'a>(sets: &'a [RuleSet], id: &Option<String>) -> anyhow::Result<&'a RuleSet> {
    match id {
        Some(id) => sets.iter().find(|s| &s.id == id).ok_or_else(|| {
            usage(format!(
                "unknown rule set {id:?} (known: {})",
                sets.iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }),
        None => ruleset_in_force(sets, camguard_store::today())
            .ok_or_else(|| usage("no level rule set is in force today")),
    }
}

/// `ID=VALUE` answers, typed by the question's kind.
fn parse_answers(
    set: &RuleSet,
    raw: &[String],
    file: &Option<std::path::PathBuf>,
) -> anyhow::Result<Answers> {
    let mut answers = Answers::new();
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(usage)?;
        answers = serde_json::from_str(&text).map_err(|e| {
            usage(format!(
                "{}: not a JSON object of answers: {e}",
                path.display()
            ))
        })?;
    }
    for a in raw {
        let (id, value) = a
            .split_once('=')
            .ok_or_else(|| usage(format!("--answer {a:?}: expected ID=VALUE")))?;
        let q = set.question(id.trim()).ok_or_else(|| {
            usage(format!(
                "--answer: no question {:?} in {} (see `camguard system questions`)",
                id.trim(),
                set.id
            ))
        })?;
        let v = value.trim();
        let json = match q.kind {
            QuestionKind::Choice => serde_json::Value::String(v.into()),
            QuestionKind::Set => serde_json::Value::Array(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| serde_json::Value::String(s.into()))
                    .collect(),
            ),
            QuestionKind::Number => serde_json::Value::from(
                v.parse::<u64>()
                    .map_err(|_| usage(format!("--answer {id}: {v:?} is not a number")))?,
            ),
            QuestionKind::Bool => serde_json::Value::Bool(match v.to_lowercase().as_str() {
                "yes" | "true" | "1" | "có" => true,
                "no" | "false" | "0" | "không" => false,
                _ => return Err(usage(format!("--answer {id}: {v:?} is not yes/no"))),
            }),
        };
        answers.insert(q.id.clone(), json);
    }
    Ok(answers)
}

/// Ask the questions on the terminal (skipping those that do not apply).
fn ask(set: &RuleSet, mut answers: Answers) -> anyhow::Result<Answers> {
    let stdin = std::io::stdin();
    for q in &set.questions {
        if answers.contains_key(&q.id) || !q.is_asked(&answers) {
            continue;
        }
        eprintln!("\n{}\n  ({})", q.prompt_vi, q.prompt_en);
        for (i, o) in q.options.iter().enumerate() {
            eprintln!("  {}. {} — {}", i + 1, o.label_vi, o.label_en);
        }
        let hint = match q.kind {
            QuestionKind::Choice => "number",
            QuestionKind::Set => "numbers separated by commas",
            QuestionKind::Number => "a number",
            QuestionKind::Bool => "y/n",
        };
        loop {
            eprint!(
                "> [{hint}{}] ",
                if q.required { "" } else { ", empty to skip" }
            );
            let mut line = String::new();
            if stdin.read_line(&mut line)? == 0 {
                return Err(usage("questionnaire interrupted"));
            }
            let v = line.trim();
            if v.is_empty() && !q.required {
                break;
            }
            let pick = |s: &str| -> Option<String> {
                s.trim()
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| q.options.get(i.wrapping_sub(1)))
                    .map(|o| o.id.clone())
            };
            let value = match q.kind {
                QuestionKind::Choice => pick(v).map(serde_json::Value::String),
                QuestionKind::Set => v
                    .split(',')
                    .map(pick)
                    .collect::<Option<Vec<_>>>()
                    .map(|ids| ids.into_iter().map(serde_json::Value::String).collect()),
                QuestionKind::Number => v.parse::<u64>().ok().map(serde_json::Value::from),
                QuestionKind::Bool => match v.to_lowercase().as_str() {
                    "y" | "yes" | "c" | "có" => Some(serde_json::Value::Bool(true)),
                    "n" | "no" | "k" | "không" => Some(serde_json::Value::Bool(false)),
                    _ => None,
                },
            };
            match value {
                Some(v) => {
                    answers.insert(q.id.clone(), v);
                    break;
                }
                None => eprintln!("  ? not understood"),
            }
        }
    }
    Ok(answers)
}

pub async fn system(args: SystemArgs) -> anyhow::Result<u8> {
    let kb = super::load_kb(&Default::default())?;
    let rulesets = load_rulesets(&kb).map_err(|e| usage(format!("knowledge base: {e}")))?;
    if let SystemCommand::Questions { ruleset, format } = &args.command {
        let set = pick_ruleset(&rulesets, ruleset)?;
        match format {
            OutFormat::Json => json(set)?,
            OutFormat::Table => {
                println!(
                    "{} — {} (effective {})",
                    set.id,
                    set.title_en,
                    fmt_day(Some(set.effective))
                );
                for q in &set.questions {
                    println!(
                        "\n{} [{}{}]",
                        q.id,
                        q.kind.as_str(),
                        if q.required { ", required" } else { "" }
                    );
                    println!("  {}\n  {}", q.prompt_vi, q.prompt_en);
                    for o in &q.options {
                        println!("    {:<24} {} — {}", o.id, o.label_vi, o.label_en);
                    }
                }
            }
        }
        return Ok(exit::OK);
    }
    let store = open_store(&args.db).await?;
    match args.command {
        SystemCommand::Questions { .. } => unreachable!("handled above"),
        SystemCommand::Add {
            code,
            name,
            org,
            operator,
            purpose,
            format,
        } => {
            let s = store
                .add_system(&code, &name, &org, operator.as_deref(), purpose.as_deref())
                .await
                .map_err(store_err)?;
            changed(format, &s, || {
                format!(
                    "added system {} ({}) owned by {}; next: `camguard system level {}`",
                    s.code, s.name, s.org, s.code
                )
            })?;
        }
        SystemCommand::Level {
            code,
            answers,
            answers_file,
            ruleset,
            dry_run,
            format,
        } => {
            let set = pick_ruleset(&rulesets, &ruleset)?;
            let sys = store.system(&code).await.map_err(store_err)?;
            let mut a = parse_answers(set, &answers, &answers_file)?;
            if answers.is_empty() && answers_file.is_none() {
                if !std::io::stdin().is_terminal() {
                    return Err(usage(
                        "no answers: give --answer ID=VALUE or --answers FILE (see `camguard system questions`), or run on a terminal to be asked",
                    ));
                }
                a = ask(set, a)?;
            }
            let decision = set
                .decide(&a)
                .map_err(|e| usage(format!("questionnaire: {e}")))?;
            if !dry_run {
                store
                    .set_level(
                        &sys.code,
                        decision.level,
                        &decision.ruleset,
                        &decision.ruleset_version,
                        &serde_json::to_value(&a)?,
                        &serde_json::to_value(&decision.reasons)?,
                    )
                    .await
                    .map_err(store_err)?;
            }
            match format {
                OutFormat::Json => json(&serde_json::json!({
                    "system": sys.code,
                    "decision": decision,
                    "answers": a,
                    "level_info": set.level(decision.level),
                    "stored": !dry_run,
                }))?,
                OutFormat::Table => {
                    println!(
                        "{}: level {} ({} {})",
                        sys.code, decision.level, decision.ruleset, decision.ruleset_version
                    );
                    for r in &decision.reasons {
                        println!("  level {} — {}: {}", r.level, r.article, r.text_en);
                    }
                    if let Some(info) = set.level(decision.level) {
                        println!(
                            "  prepares: {}\n  appraises: {}\n  approves: {}\n  periodic assessment: every {} months",
                            info.prepares_en,
                            info.appraises_en,
                            info.approves_en,
                            info.assessment_interval_months
                        );
                    }
                    if dry_run {
                        println!("  (dry run: not stored)");
                    }
                }
            }
        }
        SystemCommand::Dossier {
            code,
            state,
            date,
            by,
            reference,
            format,
        } => {
            let to = match state {
                DossierArg::Draft => DossierState::Draft,
                DossierArg::Submitted => DossierState::Submitted,
                DossierArg::Appraised => DossierState::Appraised,
                DossierArg::Approved => DossierState::Approved,
            };
            let s = store
                .advance_dossier(
                    &code,
                    to,
                    day_or_today(&date, "--date")?,
                    by.as_deref(),
                    reference.as_deref(),
                )
                .await
                .map_err(store_err)?;
            changed(format, &s, || {
                format!("{}: dossier {}", s.code, s.dossier_state.as_str())
            })?;
        }
        SystemCommand::Plan {
            code,
            deployed,
            interval,
            format,
        } => {
            let d = deployed
                .as_deref()
                .map(|d| day(d, "--deployed"))
                .transpose()?;
            if d.is_none() && interval.is_none() {
                return Err(usage("give --deployed DATE and/or --interval MONTHS"));
            }
            let s = store
                .update_system_plan(&code, d, interval)
                .await
                .map_err(store_err)?;
            changed(format, &s, || {
                format!(
                    "{}: plan deployed {}, assessment every {} months",
                    s.code,
                    fmt_day(s.plan_deployed_on),
                    s.assessment_interval_months
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| "(level default)".into())
                )
            })?;
        }
        SystemCommand::List { org, format } => {
            let systems = store.systems(org.as_deref()).await.map_err(store_err)?;
            match format {
                OutFormat::Json => json(&systems)?,
                OutFormat::Table => {
                    let mut t = Table::new(&[
                        "CODE", "OWNER", "LEVEL", "DOSSIER", "APPROVED", "PLAN", "CAMERAS", "NAME",
                    ]);
                    for s in &systems {
                        t.row(vec![
                            s.code.clone(),
                            s.org.clone(),
                            s.level.map(|l| l.to_string()).unwrap_or_else(|| "-".into()),
                            s.dossier_state.as_str().into(),
                            fmt_day(s.approved_on),
                            fmt_day(s.plan_deployed_on),
                            s.cameras.to_string(),
                            s.name.clone(),
                        ]);
                    }
                    t.print()?;
                }
            }
        }
        SystemCommand::Show { code, format } => {
            let s = store.system(&code).await.map_err(store_err)?;
            let history = store.system_history(&code).await.map_err(store_err)?;
            match format {
                OutFormat::Json => json(&serde_json::json!({"system": s, "history": history}))?,
                OutFormat::Table => {
                    println!("{} — {}", s.code, s.name);
                    println!(
                        "owner: {}   operator: {}",
                        s.org,
                        s.operator.as_deref().unwrap_or("-")
                    );
                    println!("purpose: {}", s.purpose.as_deref().unwrap_or("-"));
                    println!(
                        "level: {}   rule set: {} {}",
                        s.level
                            .map(|l| l.to_string())
                            .unwrap_or_else(|| "not determined".into()),
                        s.ruleset.as_deref().unwrap_or("-"),
                        s.ruleset_version.as_deref().unwrap_or("")
                    );
                    if let Some(serde_json::Value::Array(reasons)) = &s.reasons {
                        for r in reasons {
                            println!(
                                "  {} — {}",
                                r["article"].as_str().unwrap_or(""),
                                r["text_en"].as_str().unwrap_or("")
                            );
                        }
                    }
                    println!(
                        "dossier: {}   submitted {}   appraised {} by {}   approved {} by {} ({})",
                        s.dossier_state.as_str(),
                        fmt_day(s.submitted_on),
                        fmt_day(s.appraised_on),
                        s.appraised_by.as_deref().unwrap_or("-"),
                        fmt_day(s.approved_on),
                        s.approved_by.as_deref().unwrap_or("-"),
                        s.approval_ref.as_deref().unwrap_or("-"),
                    );
                    println!(
                        "plan deployed: {}   cameras: {}",
                        fmt_day(s.plan_deployed_on),
                        s.cameras
                    );
                    for h in &history {
                        println!(
                            "  {}  {:<10} {} {}",
                            h["at"].as_str().unwrap_or(""),
                            h["state"].as_str().unwrap_or(""),
                            h["actor"].as_str().unwrap_or(""),
                            h["note"].as_str().unwrap_or("")
                        );
                    }
                }
            }
        }
    }
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------------------
// camera

pub async fn camera(args: CameraArgs) -> anyhow::Result<u8> {
    let store = open_store(&args.db).await?;
    match args.command {
        CameraCommand::Import { file, org, format } => {
            let kb = super::load_kb(&Default::default())?;
            let parsed = read_inventory(&file, org.as_deref())
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            let total = parsed.rows.len() + parsed.rejected.len();
            let mut rejected = parsed.rejected;
            let vendors = &kb.vendors;
            let keys = |r: &CameraRecord| (vendor_key(&r.vendor, vendors), model_key(&r.model));
            let t0 = std::time::Instant::now();
            let mut report = store
                .import_cameras(parsed.rows, &keys)
                .await
                .map_err(store_err)?;
            rejected.append(&mut report.rejected);
            rejected.sort_by_key(|r| r.line);
            let took = t0.elapsed();
            match format {
                OutFormat::Json => json(&serde_json::json!({
                    "file": file.display().to_string(),
                    "rows": total,
                    "inserted": report.inserted,
                    "updated": report.updated,
                    "rejected": rejected,
                }))?,
                OutFormat::Table => {
                    for r in &rejected {
                        eprintln!("{}:{}: rejected: {}", file.display(), r.line, r.reason);
                    }
                }
            }
            eprintln!(
                "camguard: {}: {} rows, {} imported ({} new, {} updated), {} rejected, in {:.2} s",
                file.display(),
                total,
                report.inserted + report.updated,
                report.inserted,
                report.updated,
                rejected.len(),
                took.as_secs_f64()
            );
            return Ok(if rejected.is_empty() {
                exit::OK
            } else {
                REJECTED_ROWS
            });
        }
        CameraCommand::List {
            org,
            system,
            limit,
            format,
        } => {
            let cams = store
                .cameras(&CameraFilter { org, system, limit })
                .await
                .map_err(store_err)?;
            match format {
                ListFormat::Json => json(&cams)?,
                ListFormat::Csv => {
                    let records: Vec<CameraRecord> = cams.into_iter().map(|c| c.record).collect();
                    camguard_registry::inventory::write_inventory_csv(
                        std::io::stdout().lock(),
                        &records,
                    )
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                ListFormat::Table => {
                    let mut t = Table::new(&[
                        "ID",
                        "ORG",
                        "SYSTEM",
                        "VENDOR",
                        "MODEL",
                        "FIRMWARE",
                        "SERIAL",
                        "IP",
                        "CONFORMITY",
                        "LOCATION",
                    ]);
                    for c in &cams {
                        let r = &c.record;
                        t.row(vec![
                            c.id.to_string(),
                            r.org.clone(),
                            r.system.clone().unwrap_or_else(|| "-".into()),
                            r.vendor.clone(),
                            r.model.clone(),
                            r.firmware.clone().unwrap_or_else(|| "-".into()),
                            r.serial.clone().unwrap_or_else(|| "-".into()),
                            r.ip.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                            r.cert_conformity.clone().unwrap_or_else(|| "-".into()),
                            r.location.clone().unwrap_or_else(|| "-".into()),
                        ]);
                    }
                    t.print()?;
                }
            }
        }
        CameraCommand::Export { file, org, format } => {
            let cams = store
                .cameras(&CameraFilter {
                    org,
                    ..Default::default()
                })
                .await
                .map_err(store_err)?;
            let records: Vec<CameraRecord> = cams.into_iter().map(|c| c.record).collect();
            camguard_registry::inventory::write_inventory(&file, &records)
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            if format == OutFormat::Json {
                json(&serde_json::json!({
                    "file": file.display().to_string(),
                    "cameras": records.len(),
                }))?;
            }
            eprintln!(
                "camguard: wrote {} cameras to {}",
                records.len(),
                file.display()
            );
        }
        CameraCommand::History { id, format } => {
            let h = store.camera_history(id).await.map_err(store_err)?;
            match format {
                OutFormat::Json => json(&h)?,
                OutFormat::Table => {
                    let mut t = Table::new(&[
                        "SCAN",
                        "AT",
                        "IP",
                        "MATCHED BY",
                        "VERDICT",
                        "FIRMWARE",
                        "FINDINGS",
                    ]);
                    for e in &h {
                        t.row(vec![
                            e["scan"].to_string(),
                            e["at"].as_str().unwrap_or("").into(),
                            e["ip"].as_str().unwrap_or("").into(),
                            e["matched_by"].as_str().unwrap_or("-").into(),
                            e["verdict"].as_str().unwrap_or("-").into(),
                            e["firmware"].as_str().unwrap_or("-").into(),
                            e["findings"]
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|x| x.as_str())
                                        .collect::<Vec<_>>()
                                        .join(",")
                                })
                                .unwrap_or_default(),
                        ]);
                    }
                    t.print()?;
                }
            }
        }
    }
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------------------
// catalogue

async fn load_catalogue(store: &Store, kb: &camguard_kb::Kb) -> anyhow::Result<Catalogue> {
    let rows = store.catalogue().await.map_err(store_err)?;
    Ok(Catalogue::new(
        rows.into_iter().map(|r| r.entry).collect(),
        &kb.vendors,
    ))
}

pub async fn catalogue(args: CatalogueArgs) -> anyhow::Result<u8> {
    let kb = super::load_kb(&Default::default())?;
    let store = open_store(&args.db).await?;
    match args.command {
        CatalogueCommand::Import { file, format } => {
            let parsed = camguard_registry::catalogue::read_catalogue(&file)
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            if format == OutFormat::Table {
                for r in &parsed.rejected {
                    eprintln!("{}:{}: rejected: {}", file.display(), r.line, r.reason);
                }
            }
            let entries: Vec<_> = parsed.entries.into_iter().map(|(_, e)| e).collect();
            let vendors = &kb.vendors;
            let n = store
                .import_catalogue(&entries, &|e| {
                    (vendor_key(&e.vendor, vendors), model_key(&e.model))
                })
                .await
                .map_err(store_err)?;
            if format == OutFormat::Json {
                json(&serde_json::json!({
                    "file": file.display().to_string(),
                    "rows": entries.len() + parsed.rejected.len(),
                    "imported": n,
                    "rejected": parsed.rejected,
                }))?;
            }
            eprintln!(
                "camguard: {}: {} entries imported, {} rejected",
                file.display(),
                n,
                parsed.rejected.len()
            );
            return Ok(if parsed.rejected.is_empty() {
                exit::OK
            } else {
                REJECTED_ROWS
            });
        }
        CatalogueCommand::Check {
            vendor,
            model,
            format,
        } => {
            let cat = load_catalogue(&store, &kb).await?;
            let (answer, entry, code) = match cat.check(&vendor, &model) {
                CatalogueVerdict::Certified(e) => ("certified", Some(e.clone()), exit::OK),
                CatalogueVerdict::Warned(e) => ("warned", Some(e.clone()), CATALOGUE_WARNED),
                CatalogueVerdict::Unknown => ("unknown", None, CATALOGUE_UNKNOWN),
            };
            match format {
                OutFormat::Json => json(&serde_json::json!({
                    "vendor": vendor, "model": model, "answer": answer, "entry": entry,
                }))?,
                OutFormat::Table => {
                    print!("{vendor} {model}: {answer}");
                    if let Some(e) = &entry {
                        print!(
                            " ({}{}{})",
                            e.document.as_deref().unwrap_or("no document"),
                            e.date
                                .map(|d| format!(", {}", fmt_day(Some(d))))
                                .unwrap_or_default(),
                            e.note
                                .as_deref()
                                .map(|n| format!(": {n}"))
                                .unwrap_or_default()
                        );
                    } else {
                        print!(" (in neither the certified nor the warned list)");
                    }
                    println!();
                }
            }
            return Ok(code);
        }
        CatalogueCommand::List { format } => {
            let rows = store.catalogue().await.map_err(store_err)?;
            match format {
                OutFormat::Json => json(&rows)?,
                OutFormat::Table => {
                    let mut t =
                        Table::new(&["STATUS", "VENDOR", "MODEL", "DOCUMENT", "DATE", "NOTE"]);
                    for r in &rows {
                        let e = &r.entry;
                        t.row(vec![
                            e.status.to_string(),
                            e.vendor.clone(),
                            e.model.clone(),
                            e.document.clone().unwrap_or_else(|| "-".into()),
                            fmt_day(e.date),
                            e.note.clone().unwrap_or_default(),
                        ]);
                    }
                    t.print()?;
                }
            }
        }
        CatalogueCommand::Inventory { org, format } => {
            let cat = load_catalogue(&store, &kb).await?;
            let cams = store
                .cameras(&CameraFilter {
                    org,
                    ..Default::default()
                })
                .await
                .map_err(store_err)?;
            let mut rows = Vec::new();
            let (mut certified, mut warned, mut unknown) = (0, 0, 0);
            for c in &cams {
                let answer = match cat.check(&c.record.vendor, &c.record.model) {
                    CatalogueVerdict::Certified(_) => {
                        certified += 1;
                        "certified"
                    }
                    CatalogueVerdict::Warned(_) => {
                        warned += 1;
                        "warned"
                    }
                    CatalogueVerdict::Unknown => {
                        unknown += 1;
                        "unknown"
                    }
                };
                rows.push(serde_json::json!({
                    "id": c.id, "org": c.record.org, "vendor": c.record.vendor,
                    "model": c.record.model, "answer": answer,
                    "conformity_certificate": c.record.cert_conformity,
                }));
            }
            match format {
                OutFormat::Json => json(&serde_json::json!({
                    "certified": certified, "warned": warned, "unknown": unknown, "cameras": rows,
                }))?,
                OutFormat::Table => {
                    let mut t =
                        Table::new(&["ID", "ORG", "VENDOR", "MODEL", "CATALOGUE", "CONFORMITY"]);
                    for r in rows.iter().filter(|r| r["answer"] != "certified") {
                        t.row(vec![
                            r["id"].to_string(),
                            r["org"].as_str().unwrap_or("").into(),
                            r["vendor"].as_str().unwrap_or("").into(),
                            r["model"].as_str().unwrap_or("").into(),
                            r["answer"].as_str().unwrap_or("").into(),
                            r["conformity_certificate"].as_str().unwrap_or("-").into(),
                        ]);
                    }
                    t.print()?;
                    println!(
                        "{} cameras: {certified} certified, {warned} warned, {unknown} unknown",
                        cams.len()
                    );
                }
            }
        }
    }
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------------------
// assess

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
            let scans = store.scans(org.as_deref()).await.map_err(store_err)?;
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
            let s = store.scan(scan).await.map_err(store_err)?;
            let unregistered = store.unregistered_cameras(scan).await.map_err(store_err)?;
            match format {
                OutFormat::Json => {
                    json(&serde_json::json!({"scan": s, "unregistered": unregistered}))?
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
            let f = store
                .findings(org.as_deref(), st)
                .await
                .map_err(store_err)?;
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
                            x.port.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
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
            store
                .mark_fixed(finding, day_or_today(&date, "--date")?, note.as_deref())
                .await
                .map_err(store_err)?;
            let f = store.finding(finding).await.map_err(store_err)?;
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
            store
                .accept_risk(finding, &reason, day(&until, "--until")?)
                .await
                .map_err(store_err)?;
            let f = store.finding(finding).await.map_err(store_err)?;
            changed(format, &f, || {
                format!("finding {finding}: risk accepted until {until}")
            })?;
        }
        AssessCommand::Reopen {
            finding,
            note,
            format,
        } => {
            store
                .reopen_finding(finding, note.as_deref())
                .await
                .map_err(store_err)?;
            let f = store.finding(finding).await.map_err(store_err)?;
            changed(format, &f, || format!("finding {finding}: open"))?;
        }
        AssessCommand::History { finding, format } => {
            let h = store.finding_history(finding).await.map_err(store_err)?;
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
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {}", file.display()))
        .map_err(usage)?;
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
    let o = store.org(org).await.map_err(store_err)?;
    if let Some(h) = hosts
        .iter()
        .find(|h| !o.scopes.iter().any(|n| n.contains(&h.ip)))
    {
        return Err(crate::refused(format!(
            "{}: host {} is outside the scope of organisation {org} ({}); nothing was stored",
            file.display(),
            h.ip,
            or_dash(join(&o.scopes))
        )));
    }
    let operator = operator
        .or_else(|| std::env::var("USER").ok())
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
        .map_err(store_err)?;
    for chunk in hosts.chunks(1000) {
        store
            .add_scan_hosts(scan.id, chunk, 0)
            .await
            .map_err(store_err)?;
    }
    let state = if interrupted {
        camguard_store::ScanState::Interrupted
    } else {
        camguard_store::ScanState::Complete
    };
    let stored = store.finish_scan(scan.id, state).await.map_err(store_err)?;
    if format == OutFormat::Json {
        let mut report = serde_json::to_value(&stored)?;
        report["org"] = org.into();
        report["file"] = file.display().to_string().into();
        json(&report)?;
    }
    eprintln!(
        "camguard: stored {} as scan {} of {org}: {}; in {:.2} s",
        file.display(),
        stored.scan,
        stored.describe(),
        t0.elapsed().as_secs_f64()
    );
    Ok(exit::OK)
}

// ---------------------------------------------------------------------------------------------
// deadline, status

pub fn deadline(args: DeadlineArgs) -> anyhow::Result<u8> {
    let kb = super::load_kb(&Default::default())?;
    let sets = deadline_sets(&kb)?;
    match args.format {
        OutFormat::Json => json(&sets)?,
        OutFormat::Table => {
            let mut t = Table::new(&["SET", "DEADLINE", "DUTY", "DUE", "SOURCE", "TITLE"]);
            for s in &sets {
                for d in &s.deadlines {
                    t.row(vec![
                        s.id.clone(),
                        d.id.clone(),
                        d.duty.as_str().into(),
                        fmt_day(Some(d.due)),
                        d.source.clone(),
                        d.title_en.clone(),
                    ]);
                }
            }
            t.print()?;
        }
    }
    Ok(exit::OK)
}

/// The facts and the computed status (shared by `status` and the benchmark).
pub async fn compute_status(
    store: &Store,
    kb: &camguard_kb::Kb,
    org: Option<&str>,
    today: time::Date,
) -> anyhow::Result<Vec<camguard_registry::status::UnitStatus>> {
    let sets = deadline_sets(kb)?;
    let rulesets = load_rulesets(kb).map_err(|e| usage(format!("knowledge base: {e}")))?;
    let in_force = ruleset_in_force(&rulesets, today).or(rulesets.first());
    let cat = load_catalogue(store, kb).await?;
    let warned = |vk: &str, mk: &str| matches!(cat.check(vk, mk), CatalogueVerdict::Warned(_));
    let interval = |level: Option<u8>| {
        level
            .and_then(|l| in_force.and_then(|s| s.level(l)))
            .or_else(|| in_force.and_then(|s| s.level(1)))
            .map(|i| i.assessment_interval_months)
            .unwrap_or(24)
    };
    let facts = store
        .status_facts(&warned, &interval, today)
        .await
        .map_err(store_err)?;
    let root = match org {
        Some(code) => Some(store.org(code).await.map_err(store_err)?.id),
        None => None,
    };
    Ok(camguard_registry::status::compute(
        &facts, &sets, today, root,
    ))
}

pub async fn status(args: StatusArgs) -> anyhow::Result<u8> {
    let kb = super::load_kb(&Default::default())?;
    let store = open_store(&args.db).await?;
    let today = day_or_today(&args.date, "--date")?;
    let mut units = compute_status(&store, &kb, args.org.as_deref(), today).await?;
    if args.summary {
        for u in &mut units {
            u.children.clear();
        }
    }
    match args.format {
        OutFormat::Json => json(&serde_json::json!({
            "as_of": fmt_day(Some(today)),
            "units": units,
        }))?,
        OutFormat::Table => {
            if units.is_empty() {
                println!("no organisations in the registry (add one with `camguard org add`)");
            }
            let mut t = Table::new(&[
                "UNIT",
                "PROBLEMS",
                "LEVEL",
                "PLAN",
                "ASSESSED",
                "CERTIFIED",
                "FINDINGS",
                "REGISTERED",
                "REGULATION",
                "OTHER",
            ]);
            fn walk(u: &camguard_registry::status::UnitStatus, depth: usize, t: &mut Table) {
                let state = |id: &str| {
                    u.duties
                        .iter()
                        .find(|d| d.duty == id)
                        .map(|d| d.state.as_str().to_string())
                        .unwrap_or_else(|| "-".into())
                };
                let fixed = [
                    "level-approved",
                    "plan-deployed",
                    "periodic-assessment",
                    "cameras-certified",
                    "critical-findings",
                    "cameras-registered",
                    "regulation",
                ];
                let other: Vec<String> = u
                    .duties
                    .iter()
                    .filter(|d| !fixed.contains(&d.duty.as_str()))
                    .map(|d| format!("{}={}", d.duty, d.state.as_str()))
                    .collect();
                t.row(vec![
                    format!("{}{}", "  ".repeat(depth), u.org),
                    if u.units > 1 {
                        format!(
                            "{} ({}/{} units)",
                            u.problems, u.units_with_problems, u.units
                        )
                    } else {
                        u.problems.to_string()
                    },
                    state("level-approved"),
                    state("plan-deployed"),
                    state("periodic-assessment"),
                    state("cameras-certified"),
                    state("critical-findings"),
                    state("cameras-registered"),
                    state("regulation"),
                    other.join(" "),
                ]);
                for c in &u.children {
                    walk(c, depth + 1, t);
                }
            }
            for u in &units {
                walk(u, 0, &mut t);
            }
            t.print()?;
            println!(
                "as of {} — `camguard status ORG --format json` gives every duty's detail",
                fmt_day(Some(today))
            );
        }
    }
    Ok(exit::OK)
}
