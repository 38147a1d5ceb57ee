//! The handlers of `/api/v1` (docs/spec/api.md). Each takes the [`Caller`], checks the role's
//! right to act ([`Caller::require`]) and hands the caller's reach to the store, which applies
//! it in the query.

use crate::AppState;
use crate::auth::{Caller, SESSION_COOKIE, client_addr};
use crate::dto::{
    AcceptRequest, AuditFilter, AuditPage, CameraPage, DutyRequest, FindingFilter, FindingPage,
    FindingView, FixRequest, Health, ImportAnswer, LoginAnswer, LoginRequest, Me, OrgDetail,
    OrgPage, OrgParam, OrgRequest, OrgView, Paging, Recorded, RegulationRequest, ReopenRequest,
    RequiredOrg, RowProblem, RowWarningView, TokenAnswer, TokenRequest,
};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use camguard_auth::{Action, Password};
use camguard_store::{Actor, FindingChange, FindingQuery, FindingState, NewAudit};

type ApiResult<T> = Result<T, ApiError>;

pub(crate) fn limit(p: &Paging) -> ApiResult<usize> {
    match p.limit {
        None => Ok(100),
        Some(n) if (1..=camguard_store::MAX_PAGE as i64).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::bad_request(
            format!(
                "limit phải từ 1 đến {} (không phải {n}).",
                camguard_store::MAX_PAGE
            ),
            format!("limit must be 1 to {} (not {n}).", camguard_store::MAX_PAGE),
        )),
    }
}

pub(crate) fn cursor(p: &Paging) -> ApiResult<Option<i64>> {
    match p.cursor.as_deref() {
        None => Ok(None),
        Some(c) => Some(c)
            .filter(|c| (1..=18).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|c| c.parse::<i64>().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad_request(
                    format!("Con trỏ trang không hợp lệ: {c:?}."),
                    format!("Bad cursor {c:?}: pass the next_cursor of the previous page."),
                )
            }),
    }
}

/// A JSON body that must be an object (serde would also read a struct from an array); an
/// absent or `null` body reads as `T::default()` where the body is optional.
pub(crate) fn object<T: serde::de::DeserializeOwned + Default>(
    body: Option<serde_json::Value>,
    optional: bool,
) -> ApiResult<T> {
    // PostgreSQL refuses a NUL in text: a NUL in a string becomes U+FFFD, so that a note or a
    // name holding one is stored (or not found) rather than failing.
    fn without_nul(v: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match v {
            Value::String(s) if s.contains('\0') => Value::String(s.replace('\0', "\u{FFFD}")),
            Value::Array(a) => Value::Array(a.into_iter().map(without_nul).collect()),
            Value::Object(o) => Value::Object(
                o.into_iter()
                    .map(|(k, v)| (k.replace('\0', "\u{FFFD}"), without_nul(v)))
                    .collect(),
            ),
            other => other,
        }
    }
    let body = body.map(without_nul);
    match body {
        None | Some(serde_json::Value::Null) if optional => Ok(T::default()),
        Some(v @ serde_json::Value::Object(_)) => serde_json::from_value(v).map_err(|e| {
            ApiError::bad_request(
                format!("Nội dung JSON không hợp lệ: {e}"),
                format!("Bad JSON body: {e}"),
            )
        }),
        _ => Err(ApiError::bad_request(
            "Nội dung phải là một đối tượng JSON.",
            "The body must be a JSON object.",
        )),
    }
}

/// A `YYYY-MM-DD` date of a request, or a 400 naming the field.
pub(crate) fn date(s: &str, what: &str) -> ApiResult<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt).map_err(|_| {
        ApiError::bad_request(
            format!("{what}: ngày không hợp lệ {s:?} (dạng YYYY-MM-DD)."),
            format!("{what}: bad date {s:?} (expected YYYY-MM-DD)."),
        )
    })
}

/// The service is up and its database open.
#[utoipa::path(get, path = "/healthz", tag = "service", security(()),
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.ping().await.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Không kết nối được cơ sở dữ liệu.",
            "The database cannot be reached.",
        )
    })?;
    Ok(Json(Health {
        status: "ok".into(),
    }))
}

/// The client's address, for handlers that run before there is a caller.
pub struct Client(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_addr(parts)))
    }
}

/// Log in: a session cookie (`HttpOnly`, `SameSite=Strict`, `Secure` under TLS) and the CSRF
/// token. A wrong username and a wrong password get the same answer; repeated attempts for one
/// account or from one address get `429`.
#[utoipa::path(post, path = "/api/v1/login", tag = "session", security(()), request_body = LoginRequest,
    responses((status = 200, body = LoginAnswer,
        headers(("set-cookie" = String, description = "camguard_session"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<Response> {
    let req: LoginRequest = object(Some(body), false)?;
    let (user, session) = sign_in(&state, client, &req.username, req.password).await?;
    let cookie = session_cookie(&state, &session.id)?;
    let mut res = Json(LoginAnswer {
        username: user.username.clone(),
        role: user.role.as_str().to_string(),
        org: user.org.clone(),
        csrf_token: session.csrf_token,
    })
    .into_response();
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Check a username and password (throttled per account and address) and open a session;
/// both the outcome and a failure are recorded (`login`, `login.fail`). The API's login and
/// the dashboard's login form share it.
pub(crate) async fn sign_in(
    state: &AppState,
    client: std::net::IpAddr,
    username: &str,
    password: String,
) -> ApiResult<(camguard_store::User, camguard_store::NewSession)> {
    state.throttle.attempt(username, client)?;
    let password = Password::new(password);
    let name_shown = camguard_auth::valid_username(username).unwrap_or_else(|| "?".into());
    let actor = Actor {
        name: name_shown.clone(),
        client: Some(client.to_string()),
    };
    let Some(user) = state.store.verify_password(username, &password).await? else {
        state
            .store
            .append_audit(&NewAudit {
                actor: &actor,
                action: "login.fail",
                subject: &format!("user:{name_shown}"),
                before: None,
                after: None,
                org_id: None,
            })
            .await?;
        return Err(ApiError::unauthenticated());
    };
    let session = state
        .store
        .create_session(&user.username, state.config.session_ttl)
        .await?;
    state
        .store
        .append_audit(&NewAudit {
            actor: &actor,
            action: "login",
            subject: &format!("user:{}", user.username),
            before: None,
            after: None,
            org_id: user.org_id,
        })
        .await?;
    Ok((user, session))
}

/// The `Set-Cookie` value of a new session (`HttpOnly`, `SameSite=Strict`, `Secure` under TLS).
pub(crate) fn session_cookie(state: &AppState, id: &str) -> ApiResult<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        state.config.session_ttl.as_secs(),
        if state.config.tls { "; Secure" } else { "" }
    ))
    .map_err(|_| ApiError::internal())
}

/// The `Set-Cookie` value that ends a session in the browser.
pub(crate) const CLEAR_SESSION_COOKIE: &str =
    "camguard_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";

/// End the session named by the request's cookie and record it (`logout`).
pub(crate) async fn sign_out(
    state: &AppState,
    caller: &Caller,
    headers: &axum::http::HeaderMap,
) -> ApiResult<()> {
    if let Some(id) = crate::auth::cookie(headers, SESSION_COOKIE) {
        state.store.end_session(id).await?;
    }
    state
        .store
        .append_audit(&NewAudit {
            actor: &caller.actor(),
            action: "logout",
            subject: &format!("user:{}", caller.user.username),
            before: None,
            after: None,
            org_id: caller.user.org_id,
        })
        .await?;
    Ok(())
}

/// End the session (the cookie is cleared).
#[utoipa::path(post, path = "/api/v1/logout", tag = "session",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    sign_out(&state, &caller, &headers).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(CLEAR_SESSION_COOKIE),
    );
    Ok(res)
}

/// The calling account.
#[utoipa::path(get, path = "/api/v1/me", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(Me::from(&caller.user))
}

/// A new API token for the calling account, shown once; use it as `Authorization: Bearer`.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "session", request_body = Option<TokenRequest>,
    responses((status = 201, body = TokenAnswer), (status = 400, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Option<Json<serde_json::Value>>,
) -> ApiResult<(StatusCode, Json<TokenAnswer>)> {
    let body: TokenRequest = object(body.map(|b| b.0), true)?;
    let days = match body.days {
        None => 90,
        // JSON does not tell 90 from 90.0; both are the integer 90.
        Some(n) => n
            .as_f64()
            .filter(|d| {
                d.fract() == 0.0 && (1.0..=f64::from(camguard_store::MAX_TOKEN_DAYS)).contains(d)
            })
            .map(|d| d as u32)
            .ok_or_else(|| {
                ApiError::bad_request(
                    format!(
                        "days phải là số nguyên từ 1 đến {} (không phải {n}).",
                        camguard_store::MAX_TOKEN_DAYS
                    ),
                    format!(
                        "days must be a whole number 1 to {} (not {n}).",
                        camguard_store::MAX_TOKEN_DAYS
                    ),
                )
            })?,
    };
    let t = state
        .store
        .create_token(&caller.user.username, days, &caller.actor())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenAnswer {
            token: t.token,
            expires_at: t.expires_at,
        }),
    ))
}

/// Organisations the caller can see, parents before children.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "registry", params(Paging),
    responses((status = 200, body = OrgPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn orgs(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Paging>,
) -> ApiResult<Json<OrgPage>> {
    caller.require(Action::Read)?;
    let after = cursor(&p)?.unwrap_or(0);
    let n = limit(&p)?;
    let mut items: Vec<_> = state
        .store
        .orgs_in(&caller.reach)
        .await?
        .into_iter()
        .filter(|o| o.id > after)
        .collect();
    items.sort_by_key(|o| o.id);
    let next = (items.len() > n).then(|| items[n - 1].id.to_string());
    items.truncate(n);
    Ok(Json(OrgPage {
        items: items.iter().map(OrgView::from).collect(),
        next_cursor: next,
    }))
}

/// Add an organisation (as `camguard org add`; the administrator's part). Recorded in the
/// audit log (`org.add`).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "registry", request_body = OrgRequest,
    responses((status = 201, body = OrgView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 415, body = ErrorBody)))]
pub async fn create_org(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<OrgView>)> {
    caller.require(Action::ManageOrgs)?;
    let req: OrgRequest = object(Some(body), false)?;
    let kind: camguard_store::OrgKind = req.kind.parse().map_err(|_| {
        ApiError::bad_request(
            format!("Loại tổ chức không hợp lệ {:?}.", req.kind),
            format!("Unknown organisation kind {:?}.", req.kind),
        )
    })?;
    let scopes = req
        .scopes
        .iter()
        .map(|s| {
            s.trim()
                .parse::<ipnet::IpNet>()
                .or_else(|_| s.trim().parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    ApiError::bad_request(
                        format!("Dải địa chỉ không hợp lệ {s:?} (dạng CIDR)."),
                        format!("Bad address range {s:?} (expected CIDR)."),
                    )
                })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let known = camguard_registry::deadline::load_deadlines(&state.kb).map_err(|e| {
        tracing::error!(error = %e, "knowledge base");
        ApiError::internal()
    })?;
    if let Some(bad) = req
        .deadline_sets
        .iter()
        .find(|d| !known.iter().any(|k| &k.id == *d))
    {
        return Err(ApiError::bad_request(
            format!("Không có bộ thời hạn {bad:?}."),
            format!("Unknown deadline set {bad:?}."),
        ));
    }
    let org = state
        .store
        .add_org_in(
            &caller.reach,
            &camguard_store::NewOrg {
                code: req.code.trim(),
                name: &req.name,
                kind,
                parent: req.parent.as_deref(),
                scopes: &scopes,
                deadline_sets: &req.deadline_sets,
            },
            &caller.actor(),
        )
        .await?;
    state.status.invalidate();
    Ok((StatusCode::CREATED, Json(OrgView::from(&org))))
}

/// Record that the organisation did a duty no other record shows (as `camguard org done`):
/// a report submitted, cameras reviewed … The status counts it. Recorded in the audit log
/// (`org.duty`).
#[utoipa::path(post, path = "/api/v1/orgs/{code}/duties", tag = "registry",
    params(("code" = String, Path, description = "The organisation's code")),
    request_body = DutyRequest,
    responses((status = 201, body = Recorded), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn record_duty(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Recorded>)> {
    let org = state.store.org_in(&caller.reach, &code).await?;
    caller.require(Action::RecordDuties)?;
    let req: DutyRequest = object(Some(body), false)?;
    let duty: camguard_registry::deadline::Duty = req.duty.parse().map_err(|_| {
        ApiError::bad_request(
            format!("Nhiệm vụ không hợp lệ {:?}.", req.duty),
            format!("Unknown duty {:?}.", req.duty),
        )
    })?;
    let on = date(&req.date, "date")?;
    state
        .store
        .record_duty_in(
            &caller.reach,
            &org.code,
            duty.as_str(),
            on,
            req.reference.as_deref().filter(|r| !r.trim().is_empty()),
            &caller.actor(),
        )
        .await?;
    state.status.invalidate();
    Ok((
        StatusCode::CREATED,
        Json(Recorded {
            org: org.code,
            recorded: "org.duty".into(),
        }),
    ))
}

/// Record the organisation's internal security regulation (as `camguard org regulation`); the
/// latest one counts. Recorded in the audit log (`org.regulation`).
#[utoipa::path(post, path = "/api/v1/orgs/{code}/regulation", tag = "registry",
    params(("code" = String, Path, description = "The organisation's code")),
    request_body = RegulationRequest,
    responses((status = 201, body = Recorded), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn set_regulation(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<Recorded>)> {
    let org = state.store.org_in(&caller.reach, &code).await?;
    caller.require(Action::RecordDuties)?;
    let req: RegulationRequest = object(Some(body), false)?;
    let issued_on = date(&req.issued_on, "issued_on")?;
    state
        .store
        .set_regulation_in(
            &caller.reach,
            &org.code,
            &camguard_store::NewRegulation {
                number: &req.number,
                issued_on,
                covers_cameras: req.covers_cameras,
                note: req.note.as_deref(),
            },
            &caller.actor(),
        )
        .await?;
    state.status.invalidate();
    Ok((
        StatusCode::CREATED,
        Json(Recorded {
            org: org.code,
            recorded: "org.regulation".into(),
        }),
    ))
}

/// One organisation with its scope and children.
#[utoipa::path(get, path = "/api/v1/orgs/{code}", tag = "registry",
    params(("code" = String, Path, description = "The organisation's code")),
    responses((status = 200, body = OrgDetail), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn org(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<OrgDetail>> {
    caller.require(Action::Read)?;
    let o = state.store.org_in(&caller.reach, &code).await?;
    let children = state
        .store
        .orgs_in(&caller.reach)
        .await?
        .into_iter()
        .filter(|c| c.parent_id == Some(o.id))
        .map(|c| c.code)
        .collect();
    Ok(Json(OrgDetail {
        org: OrgView::from(&o),
        children,
    }))
}

/// The compliance status: the same document as `camguard status CODE --format json`.
#[utoipa::path(get, path = "/api/v1/status", tag = "registry", params(OrgParam),
    responses((status = 400, body = ErrorBody), (status = 200, body = Object,
        description = "`{\"as_of\": \"YYYY-MM-DD\", \"units\": [...]}` as `camguard status --format json`"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<OrgParam>,
) -> ApiResult<Response> {
    caller.require(Action::Read)?;
    let doc = crate::views::status_document(
        &state.status,
        &state.store,
        &state.kb,
        &caller.reach,
        q.org.as_deref(),
        camguard_store::today(),
    )
    .await
    .map_err(|e| match e {
        crate::views::ViewError::Store(s) => ApiError::from(s),
        crate::views::ViewError::Kb(k) => {
            tracing::error!(error = %k, "knowledge base");
            ApiError::internal()
        }
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], doc).into_response())
}

/// The inventory, a page at a time.
#[utoipa::path(get, path = "/api/v1/cameras", tag = "registry", params(OrgParam, Paging),
    responses((status = 200, body = CameraPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn cameras(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<OrgParam>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<CameraPage>> {
    caller.require(Action::Read)?;
    let page = state
        .store
        .cameras_page(&caller.reach, q.org.as_deref(), limit(&p)?, cursor(&p)?)
        .await?;
    Ok(Json(page.into()))
}

/// Import an inventory file (CSV or XLSX, multipart field `file`): the same report as
/// `camguard camera import --format json`. Rows with an empty `org` cell belong to `org`.
#[utoipa::path(post, path = "/api/v1/cameras/import", tag = "registry", params(RequiredOrg),
    request_body(content_type = "multipart/form-data", content = crate::dto::ImportForm),
    responses((status = 200, body = ImportAnswer), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn import_cameras(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RequiredOrg>,
    mut form: Multipart,
) -> ApiResult<Json<ImportAnswer>> {
    // Out of reach is 404 whatever the role; then the role's right.
    state.store.org_in(&caller.reach, &q.org).await?;
    caller.require(Action::ImportInventory)?;
    let Some((name, bytes)) = read_upload(&mut form, "inventory.csv").await? else {
        return Err(ApiError::bad_request(
            "Thiếu trường `file` (tệp danh mục camera).",
            "Missing the `file` field (the inventory file).",
        ));
    };
    Ok(Json(
        import_inventory(&state, &caller, &q.org, name, bytes).await?,
    ))
}

/// The `file` field of a multipart upload: its name (else `default`) and bytes.
pub(crate) async fn read_upload(
    form: &mut Multipart,
    default: &str,
) -> ApiResult<Option<(String, axum::body::Bytes)>> {
    let mut upload = None;
    while let Some(field) = form.next_field().await.map_err(|e| unreadable(&e))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or(default).to_string();
            let bytes = field.bytes().await.map_err(|e| unreadable(&e))?;
            upload = Some((name, bytes));
        }
    }
    Ok(upload)
}

pub(crate) fn unreadable(e: &dyn std::fmt::Display) -> ApiError {
    ApiError::bad_request(
        format!("Tệp tải lên không đọc được: {e}"),
        format!("The upload cannot be read: {e}"),
    )
}

/// An upload spooled to a temporary file with a known extension (the readers pick the format
/// by extension, else by content), read by `read` off the async threads.
pub(crate) async fn read_spooled<T: Send + 'static>(
    name: &str,
    bytes: axum::body::Bytes,
    read: impl FnOnce(&std::path::Path) -> T + Send + 'static,
) -> ApiResult<T> {
    let ext = std::path::Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| {
            ["csv", "txt", "tsv", "xlsx", "xlsm", "xlsb", "xls", "ods"].contains(&e.as_str())
        })
        .unwrap_or_else(|| "bin".into());
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(format!("upload.{ext}"));
        std::fs::write(&path, &bytes)?;
        Ok::<_, std::io::Error>(read(&path))
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| {
        tracing::error!(error = %e, "upload spool");
        ApiError::internal()
    })
}

/// Import an uploaded inventory file for `org` (in reach; the caller's right checked): the
/// report of `POST /api/v1/cameras/import`, shared with the dashboard's import page.
pub(crate) async fn import_inventory(
    state: &AppState,
    caller: &Caller,
    org: &str,
    name: String,
    bytes: axum::body::Bytes,
) -> ApiResult<ImportAnswer> {
    let default_org = org.to_string();
    let parsed = read_spooled(&name, bytes, move |path| {
        camguard_registry::inventory::read_inventory(path, Some(&default_org))
    })
    .await?
    .map_err(|e| unreadable(&e))?;
    let total = parsed.rows.len() + parsed.rejected.len();
    let vendors = &state.kb.vendors;
    let keys = |r: &camguard_registry::inventory::CameraRecord| {
        (
            camguard_registry::catalogue::vendor_key(&r.vendor, vendors),
            camguard_registry::catalogue::model_key(&r.model),
        )
    };
    let mut report = state
        .store
        .import_cameras_in(&caller.reach, org, parsed.rows, &keys, &caller.actor())
        .await?;
    state.status.invalidate();
    let mut rejected = parsed.rejected;
    rejected.append(&mut report.rejected);
    rejected.sort_by_key(|r| r.line);
    let mut warnings: Vec<RowWarningView> = parsed
        .warnings
        .into_iter()
        .map(|w| RowWarningView {
            line: w.line,
            warning: w.warning,
        })
        .chain(report.warnings.into_iter().map(|w| RowWarningView {
            line: w.line,
            warning: w.warning,
        }))
        .collect();
    warnings.sort_by_key(|w| w.line);
    Ok(ImportAnswer {
        file: name,
        rows: total,
        inserted: report.inserted,
        updated: report.updated,
        rejected: rejected
            .into_iter()
            .map(|r| RowProblem {
                line: r.line,
                reason: r.reason,
            })
            .collect(),
        warnings,
    })
}

/// Findings, a page at a time.
#[utoipa::path(get, path = "/api/v1/findings", tag = "findings", params(FindingFilter, Paging),
    responses((status = 200, body = FindingPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn findings(
    State(state): State<AppState>,
    caller: Caller,
    Query(f): Query<FindingFilter>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<FindingPage>> {
    caller.require(Action::Read)?;
    let state_filter = match f.state.as_deref() {
        None => None,
        Some(s) => Some(FindingState::from_name(s).ok_or_else(|| {
            ApiError::bad_request(
                format!("Trạng thái không hợp lệ {s:?} (open, fixed, verified, accepted)."),
                format!("Unknown state {s:?} (open, fixed, verified, accepted)."),
            )
        })?),
    };
    let query = FindingQuery {
        org: f.org,
        state: state_filter,
        severity: f.severity.filter(|s| !s.is_empty()),
    };
    let page = state
        .store
        .findings_page(&caller.reach, &query, limit(&p)?, cursor(&p)?)
        .await?;
    Ok(Json(page.into()))
}

/// Change a finding in the caller's reach (404 outside it, whatever the role; then the role's
/// right): the API's fix/accept/reopen and the dashboard's finding actions.
pub(crate) async fn change_finding(
    state: &AppState,
    caller: &Caller,
    id: i64,
    change: FindingChange,
) -> ApiResult<camguard_store::FindingRow> {
    // Existence first: a finding outside the reach is 404 whatever the role.
    state.store.finding_in(&caller.reach, id).await?;
    caller.require(Action::ChangeFindings)?;
    let f = state
        .store
        .change_finding_in(&caller.reach, id, &change, &caller.actor())
        .await?;
    state.status.invalidate();
    Ok(f)
}

async fn change(
    state: &AppState,
    caller: &Caller,
    id: i64,
    change: FindingChange,
) -> ApiResult<Json<FindingView>> {
    Ok(Json(
        change_finding(state, caller, id, change).await?.into(),
    ))
}

/// An accepted risk: a reason, and an expiry date (`YYYY-MM-DD`) after today.
pub(crate) fn accept_change(reason: String, expires_on: &str) -> ApiResult<FindingChange> {
    if reason.trim().is_empty() {
        return Err(ApiError::bad_request(
            "Cần nêu lý do chấp nhận rủi ro (reason).",
            "Accepting a risk needs a reason.",
        ));
    }
    let until = date(expires_on, "expires_on")?;
    if until <= camguard_store::today() {
        return Err(ApiError::bad_request(
            format!("Ngày hết hạn chấp nhận rủi ro phải sau hôm nay (không phải {expires_on})."),
            format!("The acceptance must expire after today (not {expires_on})."),
        ));
    }
    Ok(FindingChange::Accepted { reason, until })
}

/// A "fixed" change on a date (`YYYY-MM-DD`, today when absent).
pub(crate) fn fix_change(on: Option<&str>, note: Option<String>) -> ApiResult<FindingChange> {
    let on = match on {
        Some(d) => date(d, "on")?,
        None => camguard_store::today(),
    };
    Ok(FindingChange::Fixed { on, note })
}

/// The owner says the finding is fixed; the next complete scan verifies it or reopens it.
#[utoipa::path(post, path = "/api/v1/findings/{id}/fix", tag = "findings",
    params(("id" = i64, Path)), request_body = Option<FixRequest>,
    responses((status = 200, body = FindingView), (status = 400, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn fix(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Option<Json<serde_json::Value>>,
) -> ApiResult<Json<FindingView>> {
    let body: FixRequest = object(body.map(|b| b.0), true)?;
    // Not found comes before a bad body.
    state.store.finding_in(&caller.reach, id).await?;
    let fixed = fix_change(body.on.as_deref(), body.note)?;
    change(&state, &caller, id, fixed).await
}

/// Accept the risk of a finding, for a reason, until a date.
#[utoipa::path(post, path = "/api/v1/findings/{id}/accept", tag = "findings",
    params(("id" = i64, Path)), request_body = AcceptRequest,
    responses((status = 200, body = FindingView), (status = 400, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<Json<FindingView>> {
    state.store.finding_in(&caller.reach, id).await?;
    let body: AcceptRequest = object(Some(body), false)?;
    let accepted = accept_change(body.reason, &body.expires_on)?;
    change(&state, &caller, id, accepted).await
}

/// Open a finding again.
#[utoipa::path(post, path = "/api/v1/findings/{id}/reopen", tag = "findings",
    params(("id" = i64, Path)), request_body = Option<ReopenRequest>,
    responses((status = 200, body = FindingView), (status = 400, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    body: Option<Json<serde_json::Value>>,
) -> ApiResult<Json<FindingView>> {
    let note = object::<ReopenRequest>(body.map(|b| b.0), true)?.note;
    change(&state, &caller, id, FindingChange::Reopened { note }).await
}

/// The audit log (admin: all of it; auditor: the entries of its subtree).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter, Paging),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(f): Query<AuditFilter>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<AuditPage>> {
    caller.require(Action::ReadAudit)?;
    let since = match f.since.as_deref() {
        None => None,
        Some(s) => Some(
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .ok()
                .and_then(|t| {
                    t.to_offset(time::UtcOffset::UTC)
                        .replace_nanosecond(0)
                        .ok()?
                        .format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .ok_or_else(|| {
                    ApiError::bad_request(
                        format!("since: thời điểm không hợp lệ {s:?} (RFC 3339)."),
                        format!("since: bad time {s:?} (expected RFC 3339)."),
                    )
                })?,
        ),
    };
    let page = state
        .store
        .audit_page(&caller.reach, since.as_deref(), limit(&p)?, cursor(&p)?)
        .await?;
    Ok(Json(page.into()))
}
