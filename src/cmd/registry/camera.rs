//! `camguard camera`: the inventory (import/export CSV and XLSX), list, history.

use super::{REJECTED_ROWS, Table, json, open_store};
use crate::cli_registry::{CameraArgs, CameraCommand, ListFormat, OutFormat};
use crate::errors::{BadInput, OrExit};
use crate::exit;
use camguard_registry::catalogue::{model_key, vendor_key};
use camguard_registry::inventory::{CameraRecord, read_inventory};
use camguard_store::CameraFilter;

pub async fn camera(args: CameraArgs) -> anyhow::Result<u8> {
    let store = open_store(&args.db).await?;
    match args.command {
        CameraCommand::Import { file, org, format } => {
            let kb = crate::cmd::load_kb(&Default::default())?;
            let parsed = read_inventory(&file, org.as_deref()).usage_in(file.display())?;
            let total = parsed.rows.len() + parsed.rejected.len();
            let mut rejected = parsed.rejected;
            // Unknown columns and rows that cannot be matched on re-import (registry), then
            // the store's (an address outside the unit's scope), by line.
            let mut warnings: Vec<(usize, String)> = parsed
                .warnings
                .into_iter()
                .map(|w| (w.line, w.warning))
                .collect();
            let vendors = &kb.vendors;
            let keys = |r: &CameraRecord| (vendor_key(&r.vendor, vendors), model_key(&r.model));
            let t0 = std::time::Instant::now();
            let mut report = store.import_cameras(parsed.rows, &keys).await.or_exit()?;
            super::record(
                &store,
                "camera.import",
                &format!("file:{}", file.display()),
                org.as_deref(),
                serde_json::json!({"inserted": report.inserted, "updated": report.updated, "rejected": report.rejected.len()}),
            )
            .await?;
            rejected.append(&mut report.rejected);
            rejected.sort_by_key(|r| r.line);
            warnings.extend(report.warnings.iter().map(|w| (w.line, w.warning.clone())));
            warnings.sort_by_key(|w| w.0);
            let took = t0.elapsed();
            match format {
                OutFormat::Json => json(&serde_json::json!({
                    "file": file.display().to_string(),
                    "rows": total,
                    "inserted": report.inserted,
                    "updated": report.updated,
                    "rejected": rejected,
                    "warnings": warnings
                        .iter()
                        .map(|(line, warning)| serde_json::json!({"line": line, "warning": warning}))
                        .collect::<Vec<_>>(),
                }))?,
                OutFormat::Table => {
                    for r in &rejected {
                        eprintln!("{}:{}: rejected: {}", file.display(), r.line, r.reason);
                    }
                    for (line, warning) in &warnings {
                        eprintln!("{}:{}: warning: {}", file.display(), line, warning);
                    }
                }
            }
            eprintln!(
                "camguard: {}: {}",
                file.display(),
                crate::tr!(
                    "import-cameras-summary",
                    rows = total,
                    imported = report.inserted + report.updated,
                    new = report.inserted,
                    updated = report.updated,
                    rejected = rejected.len(),
                    secs = format!("{:.2}", took.as_secs_f64())
                )
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
                .or_exit()?;
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
                            r.ip.map_or_else(|| "-".into(), |i| i.to_string()),
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
                    org: org.clone(),
                    ..Default::default()
                })
                .await
                .or_exit()?;
            let records: Vec<CameraRecord> = cams.into_iter().map(|c| c.record).collect();
            camguard_registry::inventory::write_inventory(&file, &records)
                .usage_in(file.display())?;
            super::record(
                &store,
                "camera.export",
                &format!("file:{}", file.display()),
                org.as_deref(),
                serde_json::json!({"cameras": records.len()}),
            )
            .await?;
            if format == OutFormat::Json {
                json(&serde_json::json!({
                    "file": file.display().to_string(),
                    "cameras": records.len(),
                }))?;
            }
            eprintln!(
                "camguard: {}",
                crate::tr!(
                    "export-cameras-summary",
                    n = records.len(),
                    path = file.display().to_string()
                )
            );
        }
        CameraCommand::History { id, format } => {
            let h = store.camera_history(id).await.or_exit()?;
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
