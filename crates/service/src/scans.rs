//! Scans as durable jobs (docs/spec/api.md): queue one (targets checked against the
//! organisation's scope before anything is stored or sent), follow it (state, progress,
//! server-sent events), read its hosts, cancel it. Workers (`camguard_jobs`) run them.

use crate::AppState;
use crate::auth::Caller;
use crate::dto::Paging;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use camguard_auth::Action;
use camguard_store::{NewAudit, ScanProgress, StoreError};
use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::convert::Infallible;
use std::time::Duration;
use utoipa::ToSchema;

type ApiResult<T> = Result<T, ApiError>;

/// `POST /api/v1/scans`.
#[derive(Deserialize, ToSchema, Default)]
pub struct ScanRequest {
    /// The organisation the scan is for: every target must lie in its scope.
    pub org: String,
    /// Addresses, CIDR blocks (`127.0.0.0/24`) or ranges (`a-b`); not names.
    #[schema(min_items = 1, max_items = 10000)]
    pub targets: Vec<String>,
    /// `quick`, `default` or `thorough`.
    #[schema(pattern = "^(quick|default|thorough)$")]
    pub profile: Option<String>,
    /// Scan settings (ports, rate, timeout_ms …), as `camguard scan` takes them.
    #[schema(value_type = Option<Object>)]
    pub options: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct ScanQueued {
    pub id: i64,
    /// `queued`.
    pub state: String,
}

/// A scan's state, progress counts and times.
#[derive(Serialize, ToSchema)]
pub struct ScanStatus {
    pub id: i64,
    pub org: String,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub state: String,
    pub targets: Vec<String>,
    pub profile: String,
    pub requested_by: Option<String>,
    pub cancel_requested: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// Addresses the targets hold, and how many are finished.
    pub targets_total: i64,
    pub addresses_done: i64,
    /// Hosts stored so far, and cameras among them.
    pub hosts: i64,
    pub cameras: i64,
    pub queued_at: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
}

impl From<ScanProgress> for ScanStatus {
    fn from(p: ScanProgress) -> ScanStatus {
        ScanStatus {
            id: p.id,
            org: p.org,
            state: p.state.to_string(),
            targets: p.targets,
            profile: p.profile,
            requested_by: p.requested_by,
            cancel_requested: p.cancel_requested,
            error: p.error,
            targets_total: p.targets_total,
            addresses_done: p.addresses_done,
            hosts: p.hosts,
            cameras: p.cameras,
            queued_at: p.queued_at,
            started_at: p.started_at,
            finished_at: p.finished_at,
        }
    }
}

/// One server-sent event of `GET /api/v1/scans/{id}/events`.
#[derive(ToSchema)]
pub struct ProgressEvent {
    /// `progress`.
    #[schema(example = "progress")]
    pub event: String,
    /// A [`ScanStatus`] document, as JSON text.
    pub data: String,
}

/// A page of a scan's hosts: host objects as in docs/spec/scan-output.md, secrets redacted.
#[derive(Serialize, ToSchema)]
pub struct HostPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
    pub next_cursor: Option<String>,
}

fn job_error(e: camguard_jobs::JobError) -> ApiError {
    match e {
        camguard_jobs::JobError::Store(s) => s.into(),
        other => {
            tracing::error!(error = %other, "job queue");
            ApiError::internal()
        }
    }
}

/// The scan, when the caller may see it.
async fn progress(state: &AppState, caller: &Caller, id: i64) -> ApiResult<ScanProgress> {
    state.store.scan_in(&caller.reach, id).await?;
    Ok(state.store.scan_progress(id).await?)
}

/// Queue a scan. Targets outside the organisation's scope are refused (`403 out_of_scope`)
/// before anything is stored and before any packet.
#[utoipa::path(post, path = "/api/v1/scans", tag = "scans", request_body = ScanRequest,
    responses((status = 202, body = ScanQueued), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<ScanQueued>)> {
    let req: ScanRequest = crate::api::object(Some(body), false)?;
    Ok((
        StatusCode::ACCEPTED,
        Json(queue(&state, &caller, req).await?),
    ))
}

/// Queue a scan for the caller (404 outside its reach, then the role's right; targets outside
/// the organisation's scope refused with `403 out_of_scope` before anything is stored): the
/// API's `POST /api/v1/scans` and the dashboard's launch form.
pub(crate) async fn queue(
    state: &AppState,
    caller: &Caller,
    req: ScanRequest,
) -> ApiResult<ScanQueued> {
    let org = state.store.org_in(&caller.reach, &req.org).await?;
    caller.require(Action::Scan)?;
    let profile = req.profile.as_deref().unwrap_or("default");
    if !["quick", "default", "thorough"].contains(&profile) {
        return Err(ApiError::bad_request(
            format!("Hồ sơ quét không hợp lệ {profile:?} (quick, default, thorough)."),
            format!("Unknown profile {profile:?} (quick, default, thorough)."),
        ));
    }
    let options = req.options.unwrap_or_else(|| json!({}));
    // The worker reads them; refuse what it would refuse, now.
    serde_json::from_value::<camguard_jobs::JobOptions>(options.clone()).map_err(|e| {
        ApiError::bad_request(
            format!("Tuỳ chọn quét không hợp lệ: {e}"),
            format!("Bad scan options: {e}"),
        )
    })?;
    let scan = match state
        .store
        .queue_scan_as(
            &org.code,
            &req.targets,
            profile,
            &options,
            &caller.user.username,
            &caller.actor(),
        )
        .await
    {
        Ok(s) => s,
        Err(e @ StoreError::TargetRefused(_)) => {
            let text = e.to_string();
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "out_of_scope",
                format!("Mục tiêu ngoài phạm vi được phép của tổ chức; không quét: {text}"),
                text,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    state.jobs.submit_scan(scan.id).await.map_err(job_error)?;
    Ok(ScanQueued {
        id: scan.id,
        state: "queued".into(),
    })
}

/// A scan's state, progress counts and times.
#[utoipa::path(get, path = "/api/v1/scans/{id}", tag = "scans", params(("id" = i64, Path)),
    responses((status = 200, body = ScanStatus), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ScanStatus>> {
    caller.require(Action::Read)?;
    Ok(Json(progress(&state, &caller, id).await?.into()))
}

/// Cancel a scan: a queued one never runs; a running one stops, keeping the hosts found.
#[utoipa::path(delete, path = "/api/v1/scans/{id}", tag = "scans", params(("id" = i64, Path)),
    responses((status = 202, body = ScanStatus), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<ScanStatus>)> {
    let before = progress(&state, &caller, id).await?;
    caller.require(Action::Scan)?;
    state.jobs.cancel_scan(id).await.map_err(job_error)?;
    let after = state.store.scan_progress(id).await?;
    let org = state.store.org_in(&caller.reach, &after.org).await?;
    state
        .store
        .append_audit(&NewAudit {
            actor: &caller.actor(),
            action: "scan.cancel",
            subject: &format!("scan:{id}"),
            before: Some(json!({"state": before.state})),
            after: Some(json!({"state": after.state, "cancel_requested": after.cancel_requested})),
            org_id: Some(org.id),
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(after.into())))
}

/// The hosts a scan stored, a page at a time (as `camguard scan --format json` writes them,
/// passwords redacted).
#[utoipa::path(get, path = "/api/v1/scans/{id}/hosts", tag = "scans",
    params(("id" = i64, Path), Paging),
    responses((status = 200, body = HostPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn hosts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<HostPage>> {
    caller.require(Action::Read)?;
    state.store.scan_in(&caller.reach, id).await?;
    let limit = crate::api::limit(&p)?;
    let after = crate::api::cursor(&p)?.unwrap_or(0);
    let all = state.store.scan_hosts(id).await?;
    let start = usize::try_from(after).unwrap_or(usize::MAX).min(all.len());
    let end = start.saturating_add(limit).min(all.len());
    let items = all[start..end]
        .iter()
        .map(|h| serde_json::to_value(h).unwrap_or_default())
        .collect();
    Ok(Json(HostPage {
        items,
        next_cursor: (end < all.len()).then(|| end.to_string()),
    }))
}

/// Progress as server-sent events: a `progress` event (the scan's state document) whenever it
/// changes, then a final one when the scan is done, failed or cancelled, and the stream ends.
#[utoipa::path(get, path = "/api/v1/scans/{id}/events", tag = "scans", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/event-stream", body = ProgressEvent,
        description = "`event: progress` with a ScanStatus document as data, until the scan ends"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    caller.require(Action::Read)?;
    let first = progress(&state, &caller, id).await?;
    let store = state.store.clone();
    let stream = futures::stream::unfold(
        (Some(first), String::new(), false),
        move |(next, last, ended)| {
            let store = store.clone();
            async move {
                if ended {
                    return None;
                }
                let mut next = next;
                loop {
                    let p = if let Some(p) = next.take() {
                        p
                    } else {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        store.scan_progress(id).await.ok()?
                    };
                    let done = p.stored_state.is_final();
                    let doc = serde_json::to_string(&ScanStatus::from(p)).unwrap_or_default();
                    if doc != last || done {
                        let ev = Event::default().event("progress").data(doc.clone());
                        return Some((Ok(ev), (None, doc, done)));
                    }
                }
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `limit`, `cursor` and `org` for the list of scans.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScanFilter {
    /// An organisation's code: its subtree.
    pub org: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ScanPage {
    pub items: Vec<ScanStatus>,
    pub next_cursor: Option<String>,
}

/// Scans the caller can see, newest first.
#[utoipa::path(get, path = "/api/v1/scans", tag = "scans", params(ScanFilter, Paging),
    responses((status = 200, body = ScanPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(f): Query<ScanFilter>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<ScanPage>> {
    caller.require(Action::Read)?;
    let limit = crate::api::limit(&p)?;
    let before = crate::api::cursor(&p)?;
    let page = state
        .store
        .scans_page(&caller.reach, f.org.as_deref(), limit, before)
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for s in page.items {
        items.push(state.store.scan_progress(s.id).await?.into());
    }
    Ok(Json(ScanPage {
        items,
        next_cursor: page.next.map(|n| n.to_string()),
    }))
}
