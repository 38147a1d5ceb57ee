//! `camguard baseline list|show`: the clauses findings are judged against.

use crate::cli::{BaselineAction, BaselineArgs};
use crate::{exit, usage};

pub fn run(args: BaselineArgs) -> anyhow::Result<u8> {
    let kb = super::load_kb(&Default::default())?;
    let vi = match args.lang.as_str() {
        "vi" => true,
        "en" => false,
        other => return Err(usage(format!("--lang {other:?}: expected vi or en"))),
    };
    match args.action {
        BaselineAction::List { standard } => {
            let wanted: Vec<_> = kb
                .baseline
                .iter()
                .filter(|c| {
                    standard
                        .as_deref()
                        .is_none_or(|s| c.standard.to_lowercase().contains(&s.to_lowercase()))
                })
                .collect();
            if args.json {
                let v: Vec<_> = wanted
                    .iter()
                    .map(|c| {
                        serde_json::json!({"id": c.id, "standard": c.standard, "ref": c.reference, "remote": c.remote,
                            "title_vi": c.title_vi, "title_en": c.title_en, "findings": c.findings})
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!(
                    "{:<18} {:<22} {:<10} {:<7} TITLE",
                    "ID", "STANDARD", "REF", "REMOTE"
                );
                for c in wanted {
                    let title = if vi { &c.title_vi } else { &c.title_en };
                    println!(
                        "{:<18} {:<22} {:<10} {:<7} {title}",
                        c.id,
                        c.standard,
                        c.reference,
                        if c.remote { "yes" } else { "no" }
                    );
                }
            }
        }
        BaselineAction::Show { id } => {
            let c = kb.clause(&id).ok_or_else(|| {
                usage(format!(
                    "no baseline clause {id:?}; see `camguard baseline list`"
                ))
            })?;
            if args.json {
                let v = serde_json::json!({"id": c.id, "standard": c.standard, "ref": c.reference, "remote": c.remote,
                    "title_vi": c.title_vi, "title_en": c.title_en, "findings": c.findings, "note": c.note});
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{} — {} {}", c.id, c.standard, c.reference);
                println!("  vi: {}\n  en: {}", c.title_vi, c.title_en);
                if c.remote {
                    println!(
                        "  Tested over the network. A host fails this clause when any of these findings is present:"
                    );
                    for f in &c.findings {
                        println!("    {f}");
                    }
                } else {
                    println!(
                        "  Not testable remotely: it is reported as \"not-testable\" and must be checked on site or from documents."
                    );
                }
                if let Some(n) = c.note.as_deref().filter(|n| !n.is_empty()) {
                    println!("  Note: {n}");
                }
            }
        }
    }
    Ok(exit::OK)
}
