//! `camguard system`: information systems, the security-level questionnaire and the dossier.

use super::{Table, changed, day, day_or_today, fmt_day, json, open_store};
use crate::cli_registry::{DossierArg, OutFormat, SystemArgs, SystemCommand};
use crate::errors::{BadInput, OrExit};
use crate::i18n::pick;
use crate::tr;
use crate::{exit, usage};
use camguard_registry::level::{Answers, QuestionKind, RuleSet, load_rulesets, ruleset_in_force};
use camguard_store::DossierState;
use std::io::IsTerminal;

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
            .usage_in(format_args!("cannot read {}", path.display()))?;
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
    let kb = crate::cmd::load_kb(&Default::default())?;
    let rulesets = load_rulesets(&kb).usage_in("knowledge base")?;
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
                .add_system_in(
                    &camguard_store::Reach::All,
                    &camguard_store::NewSystem {
                        code: &code,
                        name: &name,
                        org: &org,
                        operator: operator.as_deref(),
                        purpose: purpose.as_deref(),
                    },
                    &super::cli_actor(),
                )
                .await
                .or_exit()?;
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
            let sys = store.system(&code).await.or_exit()?;
            let mut a = parse_answers(set, &answers, &answers_file)?;
            if answers.is_empty() && answers_file.is_none() {
                if !std::io::stdin().is_terminal() {
                    return Err(usage(
                        "no answers: give --answer ID=VALUE or --answers FILE (see `camguard system questions`), or run on a terminal to be asked",
                    ));
                }
                a = ask(set, a)?;
            }
            let decision = set.decide(&a).usage_in("questionnaire")?;
            if !dry_run {
                store
                    .set_level_in(
                        &camguard_store::Reach::All,
                        &sys.code,
                        &camguard_store::LevelChange {
                            level: decision.level,
                            ruleset: &decision.ruleset,
                            ruleset_version: &decision.ruleset_version,
                            answers: &serde_json::to_value(&a)?,
                            reasons: &serde_json::to_value(&decision.reasons)?,
                        },
                        &super::cli_actor(),
                    )
                    .await
                    .or_exit()?;
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
                        "{}",
                        tr!(
                            "level-decided",
                            system = sys.code.as_str(),
                            level = decision.level,
                            ruleset = format!("{} {}", decision.ruleset, decision.ruleset_version)
                        )
                    );
                    for r in &decision.reasons {
                        println!(
                            "  {}",
                            tr!(
                                "level-reason",
                                level = r.level,
                                article = r.article.as_str(),
                                text = pick(&r.text_vi, &r.text_en)
                            )
                        );
                    }
                    if let Some(info) = set.level(decision.level) {
                        println!(
                            "  {}",
                            tr!(
                                "level-duties",
                                prepares = pick(&info.prepares_vi, &info.prepares_en),
                                appraises = pick(&info.appraises_vi, &info.appraises_en),
                                approves = pick(&info.approves_vi, &info.approves_en),
                                months = info.assessment_interval_months
                            )
                        );
                    }
                    if dry_run {
                        println!("  {}", tr!("level-dry-run"));
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
            let on = day_or_today(&date, "--date")?;
            let s = store
                .advance_dossier_in(
                    &camguard_store::Reach::All,
                    &code,
                    &camguard_store::DossierChange {
                        to,
                        on,
                        by: by.as_deref(),
                        reference: reference.as_deref(),
                    },
                    &super::cli_actor(),
                )
                .await
                .or_exit()?;
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
                .update_system_plan_in(
                    &camguard_store::Reach::All,
                    &code,
                    d,
                    interval,
                    &super::cli_actor(),
                )
                .await
                .or_exit()?;
            changed(format, &s, || {
                format!(
                    "{}: plan deployed {}, assessment every {} months",
                    s.code,
                    fmt_day(s.plan_deployed_on),
                    s.assessment_interval_months
                        .map_or_else(|| "(level default)".into(), |m| m.to_string())
                )
            })?;
        }
        SystemCommand::List { org, format } => {
            let systems = store.systems(org.as_deref()).await.or_exit()?;
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
                            s.level.map_or_else(|| "-".into(), |l| l.to_string()),
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
            let s = store.system(&code).await.or_exit()?;
            let history = store.system_history(&code).await.or_exit()?;
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
                            .map_or_else(|| "not determined".into(), |l| l.to_string()),
                        s.ruleset.as_deref().unwrap_or("-"),
                        s.ruleset_version.as_deref().unwrap_or("")
                    );
                    if let Some(serde_json::Value::Array(reasons)) = &s.reasons {
                        for r in reasons {
                            println!(
                                "  {} — {}",
                                r["article"].as_str().unwrap_or(""),
                                pick(
                                    r["text_vi"].as_str().unwrap_or(""),
                                    r["text_en"].as_str().unwrap_or("")
                                )
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
