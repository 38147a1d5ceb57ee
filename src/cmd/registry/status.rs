//! `camguard status`: compliance status per unit, rolled up to the province.

use super::{Table, day_or_today, fmt_day, json, open_store};
use crate::cli_registry::{OutFormat, StatusArgs};
use crate::errors::OrExit;
use crate::exit;
use crate::tr;
use camguard_store::Store;

/// The facts and the computed status (shared by `status`, the benchmark and the service:
/// `camguard_service::views`).
pub async fn compute_status(
    store: &Store,
    kb: &camguard_kb::Kb,
    org: Option<&str>,
    today: time::Date,
) -> anyhow::Result<Vec<camguard_registry::status::UnitStatus>> {
    match camguard_service::views::compute_status(store, kb, org, today).await {
        Ok(units) => Ok(units),
        Err(camguard_service::views::ViewError::Store(e)) => Err(e).or_exit(),
        Err(e @ camguard_service::views::ViewError::Kb(_)) => Err(crate::usage(e.to_string())),
    }
}

/// A duty's state in the chosen language (`done`, `overdue`, … in JSON).
fn duty_state(s: camguard_registry::status::DutyState) -> String {
    crate::i18n::tr(&format!("duty-state-{}", s.as_str()))
}

pub async fn status(args: StatusArgs) -> anyhow::Result<u8> {
    let kb = crate::cmd::load_kb(&Default::default())?;
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
                println!("{}", tr!("status-no-orgs"));
            }
            let mut t = Table::new(&[
                tr!("status-col-unit"),
                tr!("status-col-problems"),
                tr!("status-col-level"),
                tr!("status-col-plan"),
                tr!("status-col-assessed"),
                tr!("status-col-certified"),
                tr!("status-col-findings"),
                tr!("status-col-registered"),
                tr!("status-col-regulation"),
                tr!("status-col-other"),
            ]);
            fn walk(u: &camguard_registry::status::UnitStatus, depth: usize, t: &mut Table) {
                // A parent's own state, then the worst of the units below it when that differs.
                let state = |id: &str| {
                    let own = u.duties.iter().find(|d| d.duty == id).map(|d| d.state);
                    let text = own.map_or_else(|| "-".into(), duty_state);
                    match u.below.get(id) {
                        Some(worst) if Some(*worst) != own => {
                            tr!("status-duty-below", own = text, worst = duty_state(*worst))
                        }
                        _ => text,
                    }
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
                    .map(|d| format!("{}={}", d.duty, duty_state(d.state)))
                    .chain(u.own_deadlines.iter().map(|d| {
                        tr!(
                            "status-own-deadline",
                            id = d.id.as_str(),
                            due = d.due.as_str()
                        )
                    }))
                    .collect();
                t.row(vec![
                    format!("{}{}", "  ".repeat(depth), u.org),
                    if u.units > 1 {
                        tr!(
                            "status-problems-of-units",
                            problems = u.problems,
                            subtree = u.subtree_problems,
                            with = u.units_with_problems,
                            units = u.units
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
            println!("{}", tr!("status-as-of", date = fmt_day(Some(today))));
        }
    }
    Ok(exit::OK)
}
