//! The report model: plain, serialisable data, gathered from the store once and rendered to PDF
//! and XLSX alike. Every string in it is data (never markup): the PDF templates read it as JSON.

use serde::{Deserialize, Serialize};

/// The head of a Vietnamese administrative document (Decree 30/2020/NĐ-CP, Appendix I): who
/// issues it, its number and symbol, place and date, subject, recipients and signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentHead {
    /// The issuing body's parent ("cơ quan chủ quản"), when it has one.
    pub parent: Option<String>,
    /// The issuing body (the organisation the report is about, or the one issuing it).
    pub issuer: String,
    /// The number and symbol without "Số:" (`  /BC-AG`: the number is left blank for the
    /// clerk unless given).
    pub number: String,
    /// Place of issue ("An Giang"); blank dots when unknown.
    pub place: String,
    /// Date of issue, `YYYY-MM-DD`; also the date the report's data is "as of".
    pub date: String,
    /// The subject line after "V/v".
    pub subject: String,
    /// "Nơi nhận:" lines.
    pub recipients: Vec<String>,
    /// Title of the signer ("GIÁM ĐỐC", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC").
    pub signer_title: String,
    /// Full name of the signer (blank when not given).
    pub signer_name: String,
}

/// An organisation as a report names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRef {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

/// Findings counted by severity (open, accepted, fixed-but-not-yet-verified).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCount {
    pub severity: String,
    pub open: u64,
    pub accepted: u64,
    pub fixed: u64,
}

/// One finding on one camera.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingEntry {
    /// The stored finding's id.
    pub id: i64,
    /// The finding's kind (`default-credentials`).
    pub kind: String,
    pub severity: String,
    /// `open`, `fixed`, `accepted` (verified ones are closed and not listed).
    pub state: String,
    pub port: Option<u16>,
    pub title: String,
    pub remediation: String,
    /// The evidence as stored (already redacted), as compact text, shortened.
    pub evidence: String,
    pub first_seen: String,
    pub last_seen: String,
    pub accepted_reason: Option<String>,
    pub accepted_until: Option<String>,
}

/// A baseline clause a camera failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseEntry {
    pub clause: String,
    pub standard: String,
    pub reference: String,
    pub title: String,
}

/// One camera of a unit with what the assessment found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraEntry {
    /// Inventory id; `None` for a camera found by a scan and not registered.
    pub id: Option<i64>,
    pub org: String,
    pub system: Option<String>,
    pub ip: String,
    pub vendor: String,
    pub model: String,
    pub firmware: String,
    pub serial: String,
    pub location: String,
    /// `certified`, `warned` or `unknown` (the catalogue's verdict on the model).
    pub catalogue: String,
    /// The catalogue document behind the verdict (certificate or warning).
    pub catalogue_document: String,
    /// The overall baseline verdict of the latest assessment (`pass`/`fail`), if assessed.
    pub verdict: Option<String>,
    pub findings: Vec<FindingEntry>,
    pub clauses_failed: Vec<ClauseEntry>,
}

/// A completed scan a report relies on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRef {
    pub id: i64,
    pub org: String,
    pub profile: String,
    pub operator: String,
    pub started_at: String,
    pub finished_at: String,
    pub hosts: i64,
    pub cameras: i64,
}

/// One duty of one unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyCell {
    pub duty: String,
    /// `done`, `late`, `overdue`, `failing`, `missing`, `pending`, `not-applicable`.
    pub state: String,
    pub due: Option<String>,
    /// Days past the due date for a duty overdue (not done, deadline passed), as of the report.
    pub days_late: Option<i64>,
    pub detail: String,
}

/// The unit's assessment report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitReport {
    pub head: DocumentHead,
    pub org: OrgRef,
    /// The unit's own duties (empty when the caller passed no status for it).
    pub duties: Vec<DutyCell>,
    /// The latest completed scan of each unit of the subtree.
    pub scans: Vec<ScanRef>,
    pub severities: Vec<SeverityCount>,
    /// Registered cameras, then cameras found by scans and not registered.
    pub cameras: Vec<CameraEntry>,
}

/// One unit's row of the provincial report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
    /// Depth below the report's root (0 for the root).
    pub depth: usize,
    pub duties: Vec<DutyCell>,
    pub problems: usize,
    pub cameras: u64,
    pub open_findings: u64,
}

/// A late duty of a unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateEntry {
    pub code: String,
    pub name: String,
    pub duty: String,
    pub state: String,
    pub due: Option<String>,
    pub days_late: Option<i64>,
    pub detail: String,
}

/// Cameras and findings of one vendor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorRow {
    pub vendor: String,
    pub cameras: u64,
    pub uncertified: u64,
    pub warned: u64,
    pub findings_open: u64,
    pub critical: u64,
    pub high: u64,
}

/// A camera that is not certified, or whose model is on a warning list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedCamera {
    pub org: String,
    pub ip: String,
    pub vendor: String,
    pub model: String,
    pub serial: String,
    /// `warned` or `uncertified`.
    pub flag: String,
    pub document: String,
}

/// Flagged cameras grouped by model (the PDF's table; the XLSX lists every camera).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedModel {
    pub vendor: String,
    pub model: String,
    pub flag: String,
    pub document: String,
    pub cameras: u64,
    pub units: u64,
}

/// What changed since the previous report (a snapshot: the previous report's JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// The previous report's number and date.
    pub previous_number: String,
    pub previous_date: String,
    /// Units with a late duty now that had none then, and the other way round.
    pub newly_late: Vec<String>,
    pub no_longer_late: Vec<String>,
    pub units_added: Vec<String>,
    /// Per severity: open findings then and now.
    pub open_findings: Vec<(String, u64, u64)>,
    pub flagged_then: u64,
    pub flagged_now: u64,
    pub cameras_then: u64,
    pub cameras_now: u64,
}

/// The provincial report on carrying out Directive 23/CT-TTg.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceReport {
    pub head: DocumentHead,
    pub org: OrgRef,
    /// The duty ids of the matrix, in column order.
    pub duty_ids: Vec<String>,
    pub units: Vec<UnitRow>,
    pub late: Vec<LateEntry>,
    pub severities: Vec<SeverityCount>,
    pub vendors: Vec<VendorRow>,
    pub flagged_models: Vec<FlaggedModel>,
    pub flagged: Vec<FlaggedCamera>,
    pub cameras: u64,
    /// `None` on a first report (no previous snapshot given).
    pub changes: Option<Changes>,
}

/// One host of the site's assessment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteHost {
    pub camera: CameraEntry,
    /// Whether the host is in the inventory.
    pub registered: bool,
    pub open_ports: Vec<String>,
    /// Baseline verdicts (all clauses) of this host.
    pub baseline: Vec<(String, String, String)>,
    /// `pass` when the model is not warned, no critical/high finding and every tested
    /// clause passed.
    pub conclusion: String,
}

/// The pre-purchase / pre-operation assessment record of one site (one scan of a unit).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteReport {
    pub head: DocumentHead,
    pub org: OrgRef,
    pub scan: ScanRef,
    pub targets: Vec<String>,
    pub hosts: Vec<SiteHost>,
    pub severities: Vec<SeverityCount>,
    /// `pass` when every host passes, else `fail`.
    pub conclusion: String,
}

/// Any report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Report {
    Unit(UnitReport),
    Province(ProvinceReport),
    Site(SiteReport),
}

impl Report {
    /// `unit`, `province` or `site`: also the name of the report's template.
    pub fn kind(&self) -> &'static str {
        match self {
            Report::Unit(_) => "unit",
            Report::Province(_) => "province",
            Report::Site(_) => "site",
        }
    }

    pub fn head(&self) -> &DocumentHead {
        match self {
            Report::Unit(r) => &r.head,
            Report::Province(r) => &r.head,
            Report::Site(r) => &r.head,
        }
    }
}
