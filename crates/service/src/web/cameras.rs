//! The cameras: a filterable list (a page at a time, by the store's cursor) and a camera's
//! page with its identity, certificate, the scans that saw it and its findings, whose
//! lifecycle (fixed, accepted risk, reopened) changes through the API's own function
//! (`api::change_finding`), the row swapped in place by htmx.

use super::{Ctx, PageError, Viewer, field, render, see_other};
use crate::AppState;
use crate::error::{ApiError, Lang};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use camguard_auth::Action;
use camguard_store::{CameraQuery, CameraRow, FindingRow, FindingState};

type Fields = Vec<(String, String)>;

/// The list's filters, as the form sends them (empty values: no filter).
#[derive(serde::Deserialize, Default)]
pub struct CameraParams {
    org: Option<String>,
    vendor: Option<String>,
    model: Option<String>,
    warned: Option<String>,
    uncertified: Option<String>,
    open: Option<String>,
    cursor: Option<String>,
}

fn given(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn ticked(v: Option<&String>) -> bool {
    v.is_some_and(|s| !s.is_empty() && s != "0")
}

/// The list's filter values, as the form shows them.
pub struct Filters {
    pub org: String,
    pub vendor: String,
    pub model: String,
    pub warned: bool,
    pub uncertified: bool,
    pub open: bool,
    /// The query string of these filters (for the next page's link).
    pub query: String,
}

#[derive(Template)]
#[template(path = "cameras.html")]
struct CamerasPage {
    ctx: Ctx,
    filters: Filters,
    cameras: Vec<CameraRow>,
    next: Option<String>,
    first: bool,
}

/// `GET /cameras`: the inventory in reach, filtered in the store's query.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(p): Query<CameraParams>,
) -> Result<Response, PageError> {
    viewer.require(Action::Read)?;
    let cursor = crate::api::cursor(&crate::dto::Paging {
        limit: None,
        cursor: given(p.cursor.as_ref()),
    })?;
    let vendor = given(p.vendor.as_ref());
    let model = given(p.model.as_ref());
    let query = CameraQuery {
        org: given(p.org.as_ref()),
        vendor_key: vendor
            .as_deref()
            .map(|v| camguard_registry::catalogue::vendor_key(v, &state.kb.vendors)),
        model_key: model
            .as_deref()
            .map(camguard_registry::catalogue::model_key),
        warned: ticked(p.warned.as_ref()),
        uncertified: ticked(p.uncertified.as_ref()),
        open_findings: ticked(p.open.as_ref()),
    };
    let page = state
        .store
        .cameras_query_page(&viewer.caller.reach, &query, 50, cursor)
        .await?;
    let mut qs = Vec::new();
    for (k, v) in [
        ("org", query.org.clone()),
        ("vendor", vendor.clone()),
        ("model", model.clone()),
    ] {
        if let Some(v) = v {
            qs.push(format!("{k}={}", super::encode(&v)));
        }
    }
    for (k, on) in [
        ("warned", query.warned),
        ("uncertified", query.uncertified),
        ("open", query.open_findings),
    ] {
        if on {
            qs.push(format!("{k}=1"));
        }
    }
    let filters = Filters {
        org: query.org.clone().unwrap_or_default(),
        vendor: vendor.unwrap_or_default(),
        model: model.unwrap_or_default(),
        warned: query.warned,
        uncertified: query.uncertified,
        open: query.open_findings,
        query: qs.join("&amp;"),
    };
    render(
        StatusCode::OK,
        &CamerasPage {
            ctx: viewer.ctx(),
            filters,
            cameras: page.items,
            next: page.next.map(|n| n.to_string()),
            first: cursor.is_none(),
        },
    )
}

/// A finding as its row shows it: the stored row, its evidence (as stored: redacted) and the
/// actions the viewer may take.
pub struct FindingItem {
    pub f: FindingRow,
    pub severity: String,
    pub state: String,
    /// The evidence of the last scan that saw it, pretty JSON (empty: none stored).
    pub evidence: String,
    pub may_change: bool,
    /// A refused change's message, shown in the row.
    pub error: Option<String>,
    pub min_expiry: String,
}

impl FindingItem {
    pub fn is_open(&self) -> bool {
        self.f.state == FindingState::Open
    }
}

#[derive(Template)]
#[template(path = "finding_row.html")]
struct FindingRowFragment {
    ctx: Ctx,
    item: FindingItem,
}

#[derive(Template)]
#[template(path = "camera.html")]
struct CameraPage {
    ctx: Ctx,
    cam: CameraRow,
    history: Vec<serde_json::Value>,
    findings: Vec<FindingItem>,
}

fn day_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The evidence of a finding from the report of the last scan that saw it (the store keeps
/// reports redacted). The scan is read only when it is in the viewer's reach.
async fn evidence_of(
    state: &AppState,
    viewer: &Viewer,
    f: &FindingRow,
    cache: &mut std::collections::HashMap<i64, Vec<camguard_model::HostReport>>,
) -> Result<String, PageError> {
    if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry(f.last_scan) {
        let hosts = match state.store.scan_in(&viewer.caller.reach, f.last_scan).await {
            Ok(_) => state.store.scan_hosts(f.last_scan).await?,
            Err(camguard_store::StoreError::NotFound(_)) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        slot.insert(hosts);
    }
    let ev = cache[&f.last_scan]
        .iter()
        .filter(|h| h.ip.to_string() == f.ip)
        .flat_map(|h| h.findings.iter())
        .find(|x| x.id == f.finding && x.port == f.port)
        .map(|x| x.evidence.clone())
        .filter(|e| !e.is_null());
    Ok(ev
        .map(|e| serde_json::to_string_pretty(&e).unwrap_or_default())
        .unwrap_or_default())
}

fn item(ctx: &Ctx, viewer: &Viewer, f: FindingRow, evidence: String) -> FindingItem {
    FindingItem {
        severity: ctx.t(&format!("severity-{}", f.severity)),
        state: ctx.t(&format!("finding-state-{}", f.state.as_str())),
        evidence,
        may_change: viewer.caller.user.role.may(Action::ChangeFindings),
        error: None,
        min_expiry: day_text(
            camguard_store::today()
                .next_day()
                .unwrap_or(time::Date::MAX),
        ),
        f,
    }
}

/// `GET /cameras/{id}`.
pub async fn camera(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    camera_page(&state, &viewer, id, None, StatusCode::OK).await
}

async fn camera_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    error: Option<(i64, String)>,
    status: StatusCode,
) -> Result<Response, PageError> {
    viewer.require(Action::Read)?;
    let reach = &viewer.caller.reach;
    let cam = state.store.camera_in(reach, id).await?;
    let history = state.store.camera_history(cam.id).await?;
    let ctx = viewer.ctx();
    let mut cache = Default::default();
    let mut findings = Vec::new();
    for f in state.store.camera_findings_in(reach, cam.id).await? {
        let ev = evidence_of(state, viewer, &f, &mut cache).await?;
        let mut it = item(&ctx, viewer, f, ev);
        if let Some((fid, msg)) = &error
            && *fid == it.f.id
        {
            it.error = Some(msg.clone());
        }
        findings.push(it);
    }
    render(
        status,
        &CameraPage {
            ctx,
            cam,
            history,
            findings,
        },
    )
}

/// `POST /findings/{id}/{fix|accept|reopen}`: the API's change, with its rules (404 outside the
/// reach, then the role; a reason and a future expiry to accept). htmx gets the finding's row
/// (a refusal shown in it); a plain form goes back to the camera's page.
pub async fn change(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let before = state.store.finding_in(&viewer.caller.reach, id).await?;
    let text = |k: &str| {
        field(&form, k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    let change = match action.as_str() {
        "fix" => crate::api::fix_change(text("on").as_deref(), text("note")),
        "accept" => crate::api::accept_change(
            text("reason").unwrap_or_default(),
            &text("expires_on").unwrap_or_default(),
        ),
        "reopen" => Ok(camguard_store::FindingChange::Reopened { note: text("note") }),
        _ => return Err(ApiError::not_found("no such action").into()),
    };
    let result = match change {
        Ok(c) => crate::api::change_finding(&state, &viewer.caller, id, c).await,
        Err(e) => {
            // The role before the body, as the API: a refused role is 403 whatever it sent.
            viewer.require(Action::ChangeFindings)?;
            Err(e)
        }
    };
    let htmx = headers.contains_key("hx-request");
    let (row, error) = match result {
        Ok(f) => (f, None),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            let msg = match viewer.lang {
                Lang::Vi => e.vi.clone(),
                Lang::En => e.en.clone(),
            };
            (before, Some(msg))
        }
        Err(e) => return Err(e.into()),
    };
    let Some(camera) = row.camera_id else {
        return Ok(see_other("/cameras"));
    };
    if !htmx {
        return match error {
            None => Ok(see_other(&format!("/cameras/{camera}#finding-{id}"))),
            Some(msg) => {
                camera_page(
                    &state,
                    &viewer,
                    camera,
                    Some((id, msg)),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
        };
    }
    let ctx = viewer.ctx();
    let ev = evidence_of(&state, &viewer, &row, &mut Default::default()).await?;
    let mut it = item(&ctx, &viewer, row, ev);
    it.error = error;
    // htmx swaps a 2xx answer only: a refusal is the row with its message (role="alert").
    render(StatusCode::OK, &FindingRowFragment { ctx, item: it })
}
