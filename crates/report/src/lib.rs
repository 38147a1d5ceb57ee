//! Reports of the registry (issue 11): a unit's assessment report, the provincial report on
//! carrying out Directive 23/CT-TTg, and the pre-purchase / pre-operation assessment record of
//! one site.
//!
//! Two steps, so that the command line and the service share them:
//!
//! * **gather** ([`gather_unit`], [`gather_province`], [`gather_site`]): read the store within a
//!   caller's [`camguard_store::Reach`] (plus the knowledge base and the compliance status the
//!   caller computed) into a plain, serialisable [`Report`];
//! * **render** ([`to_pdf`], [`to_xlsx`]): the PDF is typst compiled in-process from embedded
//!   templates (`templates/*.typ`, versioned data, overridable by a directory) with embedded
//!   fonts (Liberation Serif: Vietnamese complete, metric-compatible with Times New Roman); the
//!   report's data reaches the templates only as a JSON file (`/data.json`), never spliced into
//!   markup, so a device's hostile model name stays text. The XLSX annex holds the same tables.
//!
//! Evidence in a report is the stored evidence, already redacted when it was stored, passed
//! once more through `camguard_model::redact::url_credentials`.
#![forbid(clippy::print_stdout, clippy::print_stderr)]

mod gather;
mod labels;
pub mod model;
mod pdf;
#[cfg(test)]
mod tests;
mod xlsx;

pub use gather::{DocOptions, changes, gather_province, gather_site, gather_unit};
pub use labels::Templates;
pub use model::Report;
pub use pdf::embedded_fonts;

/// The language of a report's texts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] camguard_store::StoreError),
    /// The organisation (or scan) has nothing the report could be about.
    #[error("{0}")]
    Empty(String),
    /// A template did not compile (a broken override directory, or a bug).
    #[error("report template: {0}")]
    Template(String),
    /// A template directory or labels file could not be read.
    #[error("report templates: {0}")]
    Templates(String),
    #[error("report data: {0}")]
    Data(String),
    #[error("XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The report as a PDF document, with the embedded templates.
pub fn to_pdf(report: &Report, lang: Lang) -> Result<Vec<u8>, ReportError> {
    to_pdf_with(report, lang, &Templates::embedded())
}

/// The report as a PDF document, with the given templates.
pub fn to_pdf_with(
    report: &Report,
    lang: Lang,
    templates: &Templates,
) -> Result<Vec<u8>, ReportError> {
    let (data, today) = pdf_data(report, lang, templates)?;
    pdf::compile(
        templates,
        &format!("{}.typ", report.kind()),
        &data,
        today,
        lang,
    )
}

/// What the templates read as `/data.json` (language, labels, report), and the document's day.
fn pdf_data(
    report: &Report,
    lang: Lang,
    templates: &Templates,
) -> Result<(serde_json::Value, time::Date), ReportError> {
    let labels = templates.labels(lang)?;
    let report = &with_defaults(report, &labels);
    let data = serde_json::json!({
        "lang": lang.code(),
        "labels": labels,
        "report": report,
    });
    let today = time::Date::parse(
        &report.head().date,
        &time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or(time::Date::MIN);
    Ok((data, today))
}

/// The report's tables as an XLSX workbook (one sheet per table, header rows in the
/// report's language), with the embedded labels.
pub fn to_xlsx(report: &Report, lang: Lang) -> Result<Vec<u8>, ReportError> {
    to_xlsx_with(report, lang, &Templates::embedded())
}

/// The report's tables as an XLSX workbook, with the given templates' labels.
pub fn to_xlsx_with(
    report: &Report,
    lang: Lang,
    templates: &Templates,
) -> Result<Vec<u8>, ReportError> {
    let labels = templates.labels(lang)?;
    xlsx::write(&with_defaults(report, &labels), &labels)
}

/// The report with the document texts left empty filled from the labels: subject, place,
/// recipients, signer's title.
fn with_defaults(report: &Report, labels: &labels::Labels) -> Report {
    let mut r = report.clone();
    let kind = r.kind();
    let head = match &mut r {
        Report::Unit(x) => &mut x.head,
        Report::Province(x) => &mut x.head,
        Report::Site(x) => &mut x.head,
    };
    if head.subject.is_empty() {
        head.subject = labels.get(&format!("{kind}-subject"));
    }
    if head.place.is_empty() {
        head.place = "……".to_string();
    }
    if head.recipients.is_empty() {
        head.recipients = labels.list("recipients-default");
    }
    if head.signer_title.is_empty() {
        head.signer_title = labels.get("signer-default");
    }
    // Evidence as people read it, in the report's language.
    let findings: Box<dyn Iterator<Item = &mut model::FindingEntry>> = match &mut r {
        Report::Unit(x) => Box::new(x.cameras.iter_mut().flat_map(|c| c.findings.iter_mut())),
        Report::Site(x) => Box::new(
            x.hosts
                .iter_mut()
                .flat_map(|h| h.camera.findings.iter_mut()),
        ),
        Report::Province(_) => Box::new(std::iter::empty()),
    };
    for f in findings {
        f.evidence = labels.evidence(&f.evidence, gather::MAX_EVIDENCE);
    }
    r
}
