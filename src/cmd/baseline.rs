//! `camguard baseline list|show`: the clauses findings are judged against.

use crate::cli::{BaselineAction, BaselineArgs};
use crate::{exit, usage};
use std::io::Write;

pub fn run(args: BaselineArgs) -> anyhow::Result<u8> {
    // Written with `?` so that a closed pipe (`| head`) ends quietly instead of panicking.
    let mut out = std::io::stdout().lock();
    let kb = super::load_kb(&Default::default())?;
    let json = args.json || args.format == crate::cli_registry::OutFormat::Json;
    if args.json {
        eprintln!("camguard: {}", crate::tr!("baseline-json-deprecated"));
    }
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
            if json {
                let v: Vec<_> = wanted
                    .iter()
                    .map(|c| {
                        serde_json::json!({"id": c.id, "standard": c.standard, "ref": c.reference, "remote": c.remote,
                            "title_vi": c.title_vi, "title_en": c.title_en, "findings": c.findings})
                    })
                    .collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                writeln!(
                    out,
                    "{:<18} {:<22} {:<10} {:<7} {}",
                    crate::tr!("baseline-col-id"),
                    crate::tr!("baseline-col-standard"),
                    crate::tr!("baseline-col-ref"),
                    crate::tr!("baseline-col-remote"),
                    crate::tr!("baseline-col-title"),
                )?;
                for c in wanted {
                    let title = crate::i18n::pick(&c.title_vi, &c.title_en);
                    writeln!(
                        out,
                        "{:<18} {:<22} {:<10} {:<7} {title}",
                        c.id,
                        c.standard,
                        c.reference,
                        if c.remote {
                            crate::tr!("baseline-yes")
                        } else {
                            crate::tr!("baseline-no")
                        }
                    )?;
                }
            }
        }
        BaselineAction::Show { id } => {
            let c = kb.clause(&id).ok_or_else(|| {
                usage(format!(
                    "no baseline clause {id:?}; see `camguard baseline list`"
                ))
            })?;
            if json {
                let v = serde_json::json!({"id": c.id, "standard": c.standard, "ref": c.reference, "remote": c.remote,
                    "title_vi": c.title_vi, "title_en": c.title_en, "findings": c.findings, "note": c.note});
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                writeln!(out, "{} — {} {}", c.id, c.standard, c.reference)?;
                writeln!(out, "  vi: {}\n  en: {}", c.title_vi, c.title_en)?;
                if c.remote {
                    writeln!(
                        out,
                        "  Tested over the network. A host fails this clause when any of these findings is present:"
                    )?;
                    for f in &c.findings {
                        writeln!(out, "    {f}")?;
                    }
                } else {
                    writeln!(
                        out,
                        "  Not testable remotely: it is reported as \"not-testable\" and must be checked on site or from documents."
                    )?;
                }
                if let Some(n) = c.note.as_deref().filter(|n| !n.is_empty()) {
                    writeln!(out, "  Note: {n}")?;
                }
            }
        }
    }
    Ok(exit::OK)
}
