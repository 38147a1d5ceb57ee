//! What the API answers, field by field: the contract of docs/spec/api.md, described in the
//! OpenAPI document. Built from the store's rows, so that a new column in the store never
//! leaks into the API without being written here.

use camguard_store::{AuditEntry, CameraRow, FindingRow, Org, Page, ScanRow, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `{"status": "ok"}`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// The logged-in account, with the token to send back in `X-CSRF-Token` on every change.
#[derive(Serialize, ToSchema)]
pub struct LoginAnswer {
    pub username: String,
    #[schema(example = "unit")]
    pub role: String,
    pub org: Option<String>,
    pub csrf_token: String,
}

/// The calling account.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    pub role: String,
    pub org: Option<String>,
}

impl From<&User> for Me {
    fn from(u: &User) -> Me {
        Me {
            username: u.username.clone(),
            role: u.role.as_str().to_string(),
            org: u.org.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct TokenRequest {
    /// Days the token lives (1 to 3650; 90 when not given).
    #[schema(value_type = Option<u32>, minimum = 1, maximum = 3650)]
    pub days: Option<serde_json::Number>,
}

/// A new API token: shown once, stored only as a hash.
#[derive(Serialize, ToSchema)]
pub struct TokenAnswer {
    pub token: String,
    pub expires_at: String,
}

/// An organisation.
#[derive(Serialize, ToSchema)]
pub struct OrgView {
    pub code: String,
    pub name: String,
    #[schema(example = "unit")]
    pub kind: String,
    pub parent: Option<String>,
    /// Authorised address scope (CIDR).
    pub scopes: Vec<String>,
    pub deadline_sets: Vec<String>,
    pub created_at: String,
}

impl From<&Org> for OrgView {
    fn from(o: &Org) -> OrgView {
        OrgView {
            code: o.code.clone(),
            name: o.name.clone(),
            kind: o.kind.as_str().to_string(),
            parent: o.parent.clone(),
            scopes: o.scopes.iter().map(ToString::to_string).collect(),
            deadline_sets: o.deadline_sets.clone(),
            created_at: o.created_at.clone(),
        }
    }
}

/// An organisation with its children.
#[derive(Serialize, ToSchema)]
pub struct OrgDetail {
    #[serde(flatten)]
    pub org: OrgView,
    /// Codes of the organisations directly below.
    pub children: Vec<String>,
}

/// A camera of the inventory.
#[derive(Serialize, ToSchema)]
pub struct CameraView {
    pub id: i64,
    pub org: String,
    pub system: Option<String>,
    pub vendor: String,
    pub brand: Option<String>,
    pub model: String,
    pub firmware: Option<String>,
    pub serial: Option<String>,
    pub mac: Option<String>,
    pub ip: Option<String>,
    pub location: Option<String>,
    /// `YYYY-MM-DD`.
    pub installed_on: Option<String>,
    pub cert_origin: Option<String>,
    pub cert_quality: Option<String>,
    pub cert_conformity: Option<String>,
    pub cert_conformity_standard: Option<String>,
    pub cert_conformity_body: Option<String>,
    /// `YYYY-MM-DD`.
    pub cert_conformity_date: Option<String>,
    pub attributes: std::collections::BTreeMap<String, String>,
}

fn day(d: Option<time::Date>) -> Option<String> {
    d.map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
}

impl From<CameraRow> for CameraView {
    fn from(c: CameraRow) -> CameraView {
        let r = c.record;
        CameraView {
            id: c.id,
            org: r.org,
            system: r.system,
            vendor: r.vendor,
            brand: r.brand,
            model: r.model,
            firmware: r.firmware,
            serial: r.serial,
            mac: r.mac,
            ip: r.ip.map(|i| i.to_string()),
            location: r.location,
            installed_on: day(r.installed_on),
            cert_origin: r.cert_origin,
            cert_quality: r.cert_quality,
            cert_conformity: r.cert_conformity,
            cert_conformity_standard: r.cert_conformity_standard,
            cert_conformity_body: r.cert_conformity_body,
            cert_conformity_date: day(r.cert_conformity_date),
            attributes: r.attributes,
        }
    }
}

/// A finding with its lifecycle.
#[derive(Serialize, ToSchema)]
pub struct FindingView {
    pub id: i64,
    pub org: String,
    /// `camera:<id>` for registered cameras, `ip:<address>` for hosts not in the inventory.
    pub subject: String,
    pub camera_id: Option<i64>,
    pub ip: String,
    /// The finding's id in the baseline (e.g. `default-credentials`).
    pub finding: String,
    pub port: Option<u16>,
    #[schema(example = "high")]
    pub severity: String,
    /// `open`, `fixed`, `verified` or `accepted`.
    pub state: String,
    pub first_seen: String,
    pub last_seen: String,
    pub first_scan: i64,
    pub last_scan: i64,
    pub fixed_on: Option<String>,
    pub verified_scan: Option<i64>,
    pub accepted_reason: Option<String>,
    pub accepted_until: Option<String>,
}

impl From<FindingRow> for FindingView {
    fn from(f: FindingRow) -> FindingView {
        FindingView {
            id: f.id,
            org: f.org,
            subject: f.subject,
            camera_id: f.camera_id,
            ip: f.ip,
            finding: f.finding,
            port: f.port,
            severity: f.severity,
            state: f.state.as_str().to_string(),
            first_seen: f.first_seen,
            last_seen: f.last_seen,
            first_scan: f.first_scan,
            last_scan: f.last_scan,
            fixed_on: f.fixed_on,
            verified_scan: f.verified_scan,
            accepted_reason: f.accepted_reason,
            accepted_until: f.accepted_until,
        }
    }
}

/// An audit log entry.
#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    /// The client's address (`local` for the command line).
    pub client: Option<String>,
    #[schema(example = "finding.fix")]
    pub action: String,
    pub subject: String,
    pub org: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> AuditView {
        AuditView {
            id: e.id,
            at: e.at,
            actor: e.actor,
            client: e.client,
            action: e.action,
            subject: e.subject,
            org: e.org,
            before: e.before,
            after: e.after,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// A scan: its state, progress counts and times.
#[derive(Serialize, ToSchema)]
pub struct ScanView {
    pub id: i64,
    pub org: String,
    pub targets: Vec<String>,
    pub profile: String,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub state: String,
    pub operator: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// Hosts stored so far.
    pub hosts: i64,
    /// Cameras among them.
    pub cameras: i64,
}

impl From<ScanRow> for ScanView {
    fn from(s: ScanRow) -> ScanView {
        ScanView {
            id: s.id,
            org: s.org,
            targets: s.targets,
            profile: s.profile,
            state: s.state.as_str().to_string(),
            operator: s.operator,
            started_at: s.started_at,
            finished_at: s.finished_at,
            hosts: s.hosts,
            cameras: s.cameras,
        }
    }
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        /// One page; pass `next_cursor` as `cursor` for the next (null on the last page).
        #[derive(Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            pub next_cursor: Option<String>,
        }
        impl<T: Into<$item>> From<Page<T>> for $name {
            fn from(p: Page<T>) -> $name {
                $name {
                    items: p.items.into_iter().map(Into::into).collect(),
                    next_cursor: p.next.map(|n| n.to_string()),
                }
            }
        }
    };
}

page_type!(CameraPage, CameraView);
page_type!(FindingPage, FindingView);
page_type!(AuditPage, AuditView);

/// Organisations the caller can see.
#[derive(Serialize, ToSchema)]
pub struct OrgPage {
    pub items: Vec<OrgView>,
    pub next_cursor: Option<String>,
}

/// `limit` (1 to 1000, 100 when not given) and `cursor` (from the previous page).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items per page (100 when not given).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgParam {
    /// An organisation's code: its subtree (everything the caller can see when not given).
    pub org: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequiredOrg {
    /// The organisation's code.
    pub org: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingFilter {
    pub org: Option<String>,
    /// `open`, `fixed`, `verified` or `accepted`.
    #[param(pattern = "^(open|fixed|verified|accepted)$")]
    pub state: Option<String>,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// RFC 3339 time: entries at or after it.
    #[param(format = DateTime)]
    pub since: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct FixRequest {
    /// `YYYY-MM-DD` (today when not given).
    #[schema(format = Date, min_length = 10, max_length = 10)]
    pub on: Option<String>,
    pub note: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct AcceptRequest {
    /// Why the risk is accepted (not empty).
    #[schema(min_length = 1, pattern = "\\S")]
    pub reason: String,
    /// `YYYY-MM-DD`, in the future.
    #[schema(format = Date, min_length = 10, max_length = 10)]
    pub expires_on: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ReopenRequest {
    pub note: Option<String>,
}

/// The upload of `POST /api/v1/cameras/import`.
#[derive(ToSchema)]
pub struct ImportForm {
    /// The inventory file: CSV (UTF-8, with or without BOM) or a workbook (XLSX, XLS, ODS).
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// A row refused by an import.
#[derive(Serialize, ToSchema)]
pub struct RowProblem {
    pub line: usize,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct RowWarningView {
    pub line: usize,
    pub warning: String,
}

/// The same report as `camguard camera import --format json`.
#[derive(Serialize, ToSchema)]
pub struct ImportAnswer {
    pub file: String,
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub rejected: Vec<RowProblem>,
    pub warnings: Vec<RowWarningView>,
}

/// `POST /api/v1/orgs`: a new organisation.
#[derive(Deserialize, ToSchema, Default)]
pub struct OrgRequest {
    /// 1–64 letters, digits, `-`, `_` or `.`.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,64}$")]
    pub code: String,
    #[schema(min_length = 1)]
    pub name: String,
    /// `province`, `ministry`, `agency`, `enterprise`, `isp` or `unit`.
    #[schema(pattern = "^(province|ministry|agency|enterprise|isp|unit)$")]
    pub kind: String,
    /// The organisation it sits under.
    pub parent: Option<String>,
    /// Authorised address scope (CIDR), inside the parent's when the parent has one.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Deadline sets of the knowledge base that bind it (e.g. a province's own dates).
    #[serde(default)]
    pub deadline_sets: Vec<String>,
}

/// `POST /api/v1/orgs/{code}/duties`: a duty done that no other record shows.
#[derive(Deserialize, ToSchema, Default)]
pub struct DutyRequest {
    /// `level-approved`, `plan-deployed`, `report-submitted`, `cameras-reviewed`,
    /// `assessment-done` or `regulation-issued`.
    #[schema(
        pattern = "^(level-approved|plan-deployed|report-submitted|cameras-reviewed|assessment-done|regulation-issued)$"
    )]
    pub duty: String,
    /// When it was done (`YYYY-MM-DD`).
    #[schema(format = Date, min_length = 10, max_length = 10)]
    pub date: String,
    /// The document that shows it (a report's number …).
    pub reference: Option<String>,
}

/// `POST /api/v1/orgs/{code}/regulation`: the internal security regulation (quy chế).
#[derive(Deserialize, ToSchema, Default)]
pub struct RegulationRequest {
    /// The document's number, e.g. `05/QĐ-STTTT`.
    #[schema(min_length = 1)]
    pub number: String,
    /// Issue date (`YYYY-MM-DD`).
    #[schema(format = Date, min_length = 10, max_length = 10)]
    pub issued_on: String,
    /// Whether it has provisions on cameras.
    #[serde(default)]
    pub covers_cameras: bool,
    pub note: Option<String>,
}

/// What was recorded.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    pub org: String,
    /// `org.duty` or `org.regulation`, as the audit log names it.
    pub recorded: String,
}
