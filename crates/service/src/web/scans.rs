//! Scans: the list, the launch form (the API's own `scans::queue`: a target outside the
//! organisation's scope is refused before anything is queued, shown as the form's error), a
//! scan's page with its progress (an htmx fragment polled every 2 s until the scan ends) and
//! its results (hosts, cameras, findings, cameras not in the inventory).

use super::{Ctx, PageError, Viewer, field, render, see_other};
use crate::AppState;
use crate::error::Lang;
use crate::scans::ScanRequest;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use camguard_auth::Action;
use camguard_model::HostReport;
use camguard_store::ScanProgress;

type Fields = Vec<(String, String)>;

/// The launch form's values and its error.
#[derive(Default)]
pub struct LaunchForm {
    pub org: String,
    pub targets: String,
    pub profile: String,
    pub error: Option<String>,
}

impl LaunchForm {
    pub fn is_profile(&self, p: &str) -> bool {
        self.profile == p
    }
}

#[derive(Template)]
#[template(path = "scans.html")]
struct ScansPage {
    ctx: Ctx,
    scans: Vec<ScanProgress>,
    next: Option<String>,
    first: bool,
    may_scan: bool,
    /// (code, name) of the organisations in reach.
    orgs: Vec<(String, String)>,
    form: LaunchForm,
}

#[derive(serde::Deserialize)]
pub struct CursorParam {
    cursor: Option<String>,
}

async fn scans_page(
    state: &AppState,
    viewer: &Viewer,
    cursor: Option<String>,
    form: LaunchForm,
    status: StatusCode,
) -> Result<Response, PageError> {
    viewer.require(Action::Read)?;
    let reach = &viewer.caller.reach;
    let cursor = crate::api::cursor(&crate::dto::Paging {
        limit: None,
        cursor: cursor.filter(|c| !c.is_empty()),
    })?;
    let page = state.store.scans_page(reach, None, 50, cursor).await?;
    let mut scans = Vec::with_capacity(page.items.len());
    for s in &page.items {
        scans.push(state.store.scan_progress(s.id).await?);
    }
    let orgs = state.store.org_names_in(reach).await?;
    let mut form = form;
    if form.org.is_empty() {
        form.org = viewer.caller.user.org.clone().unwrap_or_default();
    }
    if form.profile.is_empty() {
        form.profile = "default".into();
    }
    render(
        status,
        &ScansPage {
            ctx: viewer.ctx(),
            scans,
            next: page.next.map(|n| n.to_string()),
            first: cursor.is_none(),
            may_scan: viewer.caller.user.role.may(Action::Scan),
            orgs,
            form,
        },
    )
}

/// `GET /scans`.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CursorParam>,
) -> Result<Response, PageError> {
    scans_page(
        &state,
        &viewer,
        q.cursor,
        LaunchForm::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /scans`: queue a scan exactly as `POST /api/v1/scans`; a refusal (a target outside
/// the scope, a bad target or profile) is the form again with its message, nothing queued.
pub async fn launch(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let org = field(&form, "org").unwrap_or_default().trim().to_string();
    let targets_text = field(&form, "targets").unwrap_or_default().to_string();
    let profile = field(&form, "profile")
        .unwrap_or("default")
        .trim()
        .to_string();
    let targets: Vec<String> = targets_text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    let req = ScanRequest {
        org: org.clone(),
        targets,
        profile: Some(profile.clone()),
        options: None,
    };
    match crate::scans::queue(&state, &viewer.caller, req).await {
        Ok(q) => Ok(see_other(&format!("/scans/{}", q.id))),
        Err(e) if matches!(e.status.as_u16(), 400 | 403) && e.code != "forbidden" => {
            let msg = match viewer.lang {
                Lang::Vi => e.vi.clone(),
                Lang::En => e.en.clone(),
            };
            scans_page(
                &state,
                &viewer,
                None,
                LaunchForm {
                    org,
                    targets: targets_text,
                    profile,
                    error: Some(msg),
                },
                e.status,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A scan's progress as the page shows it.
pub struct Progress {
    pub p: ScanProgress,
    pub state: String,
    /// Percent of the addresses done.
    pub percent: i64,
    pub done: bool,
}

fn progress_of(ctx: &Ctx, p: ScanProgress) -> Progress {
    let percent = if p.targets_total > 0 {
        (p.addresses_done * 100 / p.targets_total).clamp(0, 100)
    } else {
        0
    };
    Progress {
        state: ctx.t(&format!("scan-state-{}", p.state)),
        percent,
        done: p.stored_state.is_final(),
        p,
    }
}

#[derive(Template)]
#[template(path = "scan_progress.html")]
struct ProgressFragment {
    ctx: Ctx,
    progress: Progress,
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage {
    ctx: Ctx,
    progress: Progress,
    hosts: Vec<HostReport>,
    cameras: usize,
    findings: usize,
    unregistered: Vec<serde_json::Value>,
}

/// The scan, when the viewer may see it.
async fn progress(state: &AppState, viewer: &Viewer, id: i64) -> Result<ScanProgress, PageError> {
    viewer.require(Action::Read)?;
    state.store.scan_in(&viewer.caller.reach, id).await?;
    Ok(state.store.scan_progress(id).await?)
}

/// `GET /scans/{id}`: progress and results.
pub async fn scan(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = progress(&state, &viewer, id).await?;
    let hosts = state.store.scan_hosts(id).await?;
    let unregistered = state.store.unregistered_cameras(id).await?;
    let ctx = viewer.ctx();
    render(
        StatusCode::OK,
        &ScanPage {
            cameras: hosts.iter().filter(|h| h.is_camera).count(),
            findings: hosts.iter().map(|h| h.findings.len()).sum(),
            hosts,
            unregistered,
            progress: progress_of(&ctx, p),
            ctx,
        },
    )
}

/// `GET /scans/{id}/progress`: the progress fragment htmx polls (it stops polling once the
/// scan has ended; the page is then reloaded for the results).
pub async fn progress_fragment(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = progress(&state, &viewer, id).await?;
    let ctx = viewer.ctx();
    let done = p.stored_state.is_final();
    let mut r = render(
        StatusCode::OK,
        &ProgressFragment {
            progress: progress_of(&ctx, p),
            ctx,
        },
    )?;
    // The scan has ended while the page polled: htmx reloads it, with the results.
    if done && headers.contains_key("hx-request") {
        r.headers_mut()
            .insert("hx-refresh", axum::http::HeaderValue::from_static("true"));
    }
    Ok(r)
}
