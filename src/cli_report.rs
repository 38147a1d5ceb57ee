//! `camguard report`: the documents that go upward (issue 11).

use crate::cli_registry::DbOpts;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// The unit's assessment report: each camera, its findings, the baseline clauses failed,
    /// remediation (the organisation and every unit below it)
    Unit,
    /// The provincial report on carrying out Directive 23/CT-TTg: every unit's duties, late
    /// units with days late, findings by severity and vendor, cameras uncertified or warned,
    /// what changed since the previous report (--previous)
    Province,
    /// The pre-purchase / pre-operation assessment record of one site: one stored scan of the
    /// organisation (--scan ID, default its newest complete scan), host by host, with a
    /// pass/fail conclusion
    Site,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A PDF laid out as a Vietnamese administrative document (Decree 30/2020/NĐ-CP)
    #[default]
    Pdf,
    /// The XLSX annex: the same data, one sheet per table
    Xlsx,
    /// The report's data as JSON (keep a provincial report's JSON for the next --previous)
    Json,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  camguard report province AG -o bao-cao.pdf --place \"An Giang\" --number 12\n  camguard report province AG --format json -o 2026-12.json\n  camguard report province AG --previous 2026-12.json -o 2027-01.pdf\n  camguard report unit AG-CA --format xlsx -o phu-luc.xlsx\n  camguard report site AG-CA --scan 7 -o bien-ban.pdf\n\nTexts are Vietnamese unless --lang en."
)]
pub struct ReportArgs {
    #[command(flatten)]
    pub db: DbOpts,
    /// Which report
    #[arg(value_enum)]
    pub kind: ReportKind,
    /// The organisation the report is about (and issued by)
    pub org: String,
    /// Output format
    #[arg(long, value_enum, default_value = "pdf")]
    pub format: ReportFormat,
    /// Write the report to FILE (`-` for standard output)
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Date of the document and of its data (default today)
    #[arg(long)]
    pub date: Option<String>,
    /// The document's number (default blank, for the clerk to fill in); the symbol
    /// (BC-ORG, BB-ORG for a site record) is added
    #[arg(long)]
    pub number: Option<String>,
    /// Place of issue, as in "An Giang, ngày … tháng … năm …" (default blank dots)
    #[arg(long)]
    pub place: Option<String>,
    /// A recipient ("Nơi nhận"); repeat for more (default "Như trên", "Lưu: VT")
    #[arg(long = "recipient", value_name = "TEXT")]
    pub recipients: Vec<String>,
    /// Title of the signer, e.g. "GIÁM ĐỐC" (default "THỦ TRƯỞNG CƠ QUAN")
    #[arg(long)]
    pub signer_title: Option<String>,
    /// Name of the signer (default blank)
    #[arg(long)]
    pub signer_name: Option<String>,
    /// site: the stored scan to record (default the organisation's newest complete scan)
    #[arg(long, value_name = "ID")]
    pub scan: Option<i64>,
    /// province: the previous report's JSON (`--format json`), for "what changed since the
    /// last report"; without it the report says it is the first
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// A directory whose common.typ, unit.typ, province.typ, site.typ or labels.toml replace
    /// the embedded templates (each file optional)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}
