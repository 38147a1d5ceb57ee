//! `camguard deadline`: the directive's and provinces' deadlines.

use super::{Table, deadline_sets, fmt_day, json};
use crate::cli_registry::{DeadlineArgs, OutFormat};
use crate::exit;
use crate::tr;

pub fn deadline(args: DeadlineArgs) -> anyhow::Result<u8> {
    let kb = crate::cmd::load_kb(&Default::default())?;
    let sets = deadline_sets(&kb)?;
    match args.format {
        OutFormat::Json => json(&sets)?,
        OutFormat::Table => {
            let mut t = Table::new(&[
                tr!("deadline-col-set"),
                tr!("deadline-col-deadline"),
                tr!("deadline-col-duty"),
                tr!("deadline-col-due"),
                tr!("deadline-col-source"),
                tr!("deadline-col-title"),
            ]);
            for s in &sets {
                for d in &s.deadlines {
                    t.row(vec![
                        s.id.clone(),
                        d.id.clone(),
                        d.duty.as_str().into(),
                        fmt_day(Some(d.due)),
                        d.source.clone(),
                        crate::i18n::pick(&d.title_vi, &d.title_en).to_string(),
                    ]);
                }
            }
            t.print()?;
        }
    }
    Ok(exit::OK)
}
