//! `camguard report unit|province|site ORG`: documents from the registry (camguard-report).

use crate::cli_report::{ReportArgs, ReportFormat, ReportKind};
use crate::cmd::registry::{compute_status, day_or_today, open_store};
use crate::errors::{BadInput, OrExit};
use crate::exit;
use camguard_report::{DocOptions, Lang, Report, ReportError, Templates};
use camguard_store::Reach;
use std::io::Write;

/// A report error as an exit status: what the user gave (an organisation, a scan, a template
/// directory) is a usage error.
fn report_err(e: ReportError) -> anyhow::Error {
    match e {
        ReportError::Store(e) => crate::errors::store_err(e),
        e @ (ReportError::Empty(_) | ReportError::Templates(_)) => crate::usage(e),
        e => anyhow::Error::new(e),
    }
}

pub async fn run(args: ReportArgs) -> anyhow::Result<u8> {
    let kb = crate::cmd::load_kb(&Default::default())?;
    let store = open_store(&args.db).await?;
    let date = day_or_today(&args.date, "--date")?;
    let lang = match crate::i18n::lang() {
        crate::i18n::Lang::En => Lang::En,
        crate::i18n::Lang::Vi => Lang::Vi,
    };
    let templates = match &args.templates {
        Some(dir) => Templates::with_overrides(dir).map_err(report_err)?,
        None => Templates::embedded(),
    };
    let opts = DocOptions {
        date,
        lang,
        number: args.number.clone(),
        place: args.place.clone(),
        recipients: args.recipients.clone(),
        signer_title: args.signer_title.clone(),
        signer_name: args.signer_name.clone(),
    };
    // The command line reaches every organisation (as `camguard status` does).
    let reach = Reach::All;
    let report = match args.kind {
        ReportKind::Unit | ReportKind::Province => {
            // The organisation's own status tree (a unit's duties; the province's matrix).
            store.org(&args.org).await.or_exit()?;
            let status = compute_status(&store, &kb, Some(&args.org), date).await?;
            if args.kind == ReportKind::Unit {
                camguard_report::gather_unit(&store, &kb, &reach, &args.org, &status, &opts).await
            } else {
                let previous = match &args.previous {
                    None => None,
                    Some(path) => {
                        let text = std::fs::read(path).usage_in(path.display())?;
                        match serde_json::from_slice::<Report>(&text).usage_in(path.display())? {
                            Report::Province(p) => Some(p),
                            _ => {
                                return Err(crate::usage(format!(
                                    "{}: not a provincial report",
                                    path.display()
                                )));
                            }
                        }
                    }
                };
                camguard_report::gather_province(
                    &store,
                    &kb,
                    &reach,
                    &args.org,
                    &status,
                    previous.as_ref(),
                    &opts,
                )
                .await
            }
        }
        ReportKind::Site => {
            camguard_report::gather_site(&store, &kb, &reach, &args.org, args.scan, &opts).await
        }
    }
    .map_err(report_err)?;
    let bytes = match args.format {
        ReportFormat::Pdf => camguard_report::to_pdf_with(&report, lang, &templates),
        ReportFormat::Xlsx => camguard_report::to_xlsx_with(&report, lang, &templates),
        ReportFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&report)?;
            v.push(b'\n');
            Ok(v)
        }
    }
    .map_err(report_err)?;
    // Every export is recorded (who, which report, which organisation; never its content).
    let kind = match args.kind {
        ReportKind::Unit => "unit",
        ReportKind::Province => "province",
        ReportKind::Site => "site",
    };
    let format = match args.format {
        ReportFormat::Pdf => "pdf",
        ReportFormat::Xlsx => "xlsx",
        ReportFormat::Json => "json",
    };
    crate::cmd::registry::record(
        &store,
        "report.export",
        &format!("report:{kind}:{}", args.org),
        Some(&args.org),
        serde_json::json!({"format": format, "bytes": bytes.len()}),
    )
    .await?;
    if args.output.as_os_str() == "-" {
        std::io::stdout().lock().write_all(&bytes)?;
    } else {
        std::fs::write(&args.output, &bytes).usage_in(args.output.display())?;
        eprintln!(
            "{}",
            crate::tr!(
                "report-written",
                file = args.output.display().to_string(),
                bytes = bytes.len().to_string()
            )
        );
    }
    store.close().await;
    Ok(exit::OK)
}
