//! `camguard catalogue`: certified and warned models.

use super::{
    CATALOGUE_UNKNOWN, CATALOGUE_WARNED, REJECTED_ROWS, Table, create_store, fmt_day, json,
    open_store,
};
use crate::cli_registry::{CatalogueArgs, CatalogueCommand, OutFormat};
use crate::errors::{BadInput, OrExit};
use crate::exit;
use camguard_registry::catalogue::{Catalogue, CatalogueVerdict, model_key, vendor_key};
use camguard_store::{CameraFilter, Store};

pub(super) async fn load_catalogue(
    store: &Store,
    kb: &camguard_kb::Kb,
) -> anyhow::Result<Catalogue> {
    let rows = store.catalogue().await.or_exit()?;
    Ok(Catalogue::new(
        rows.into_iter().map(|r| r.entry).collect(),
        &kb.vendors,
    ))
}

pub async fn catalogue(args: CatalogueArgs) -> anyhow::Result<u8> {
    let kb = crate::cmd::load_kb(&Default::default())?;
    // Importing the catalogue adds data: it may create a new registry; the rest reads one.
    let store = match args.command {
        CatalogueCommand::Import { .. } => create_store(&args.db).await?,
        _ => open_store(&args.db).await?,
    };
    match args.command {
        CatalogueCommand::Import { file, format } => {
            let parsed =
                camguard_registry::catalogue::read_catalogue(&file).usage_in(file.display())?;
            if format == OutFormat::Table {
                for r in &parsed.rejected {
                    eprintln!("{}:{}: rejected: {}", file.display(), r.line, r.reason);
                }
                for w in &parsed.warnings {
                    eprintln!("{}:{}: warning: {}", file.display(), w.line, w.warning);
                }
            }
            let entries: Vec<_> = parsed.entries.into_iter().map(|(_, e)| e).collect();
            let vendors = &kb.vendors;
            let n = store
                .import_catalogue(&entries, &|e| {
                    (vendor_key(&e.vendor, vendors), model_key(&e.model))
                })
                .await
                .or_exit()?;
            super::record(
                &store,
                "catalogue.import",
                &format!("file:{}", file.display()),
                None,
                serde_json::json!({"imported": n, "rejected": parsed.rejected.len()}),
            )
            .await?;
            if format == OutFormat::Json {
                json(&serde_json::json!({
                    "file": file.display().to_string(),
                    "rows": entries.len() + parsed.rejected.len(),
                    "imported": n,
                    "rejected": parsed.rejected,
                    "warnings": parsed
                        .warnings
                        .iter()
                        .map(|w| serde_json::json!({"line": w.line, "warning": w.warning}))
                        .collect::<Vec<_>>(),
                }))?;
            }
            eprintln!(
                "camguard: {}: {}",
                file.display(),
                crate::tr!(
                    "import-catalogue-summary",
                    n = n,
                    rejected = parsed.rejected.len()
                )
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
            let rows = store.catalogue().await.or_exit()?;
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
                .or_exit()?;
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
