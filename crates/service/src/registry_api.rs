//! The registry's information systems (the Decree 85 questionnaire and the level dossier),
//! the catalogue of certified and warned models, and the deadline sets (docs/spec/api.md):
//! the same behaviour as `camguard system`, `camguard catalogue` and `camguard deadline`, on
//! the caller's reach.

use crate::AppState;
use crate::api::{cursor, date, limit, object};
use crate::auth::Caller;
use crate::dto::{Paging, RequiredOrg, RowProblem, RowWarningView};
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use camguard_auth::Action;
use camguard_registry::catalogue::{Catalogue, CatalogueEntry, CatalogueVerdict};
use camguard_registry::deadline::{Deadline, DeadlineSet, Duty, binding_deadline};
use camguard_registry::level::{Answers, RuleSet, load_rulesets, ruleset_in_force};
use camguard_store::{CatalogueRow, DossierChange, DossierState, LevelChange, Page, SystemRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

type ApiResult<T> = Result<T, ApiError>;

fn day_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn kb_error(e: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "knowledge base");
    ApiError::internal()
}

// ---------------------------------------------------------------------------------------------
// Systems

/// An information system that uses cameras, with its security level and dossier.
#[derive(Serialize, ToSchema)]
pub struct SystemView {
    pub code: String,
    pub name: String,
    /// The owner (chủ quản).
    pub org: String,
    /// The operating unit, when not the owner.
    pub operator: Option<String>,
    pub purpose: Option<String>,
    /// 1 to 5 (null until the questionnaire is answered).
    pub level: Option<u8>,
    pub ruleset: Option<String>,
    pub ruleset_version: Option<String>,
    /// The questionnaire's answers, by question id.
    #[schema(value_type = Option<Object>)]
    pub answers: Option<serde_json::Value>,
    /// The criteria behind the level (`level`, `article`, `text_vi`, `text_en`).
    #[schema(value_type = Option<Vec<Object>>)]
    pub reasons: Option<serde_json::Value>,
    /// `draft`, `submitted`, `appraised` or `approved`.
    #[schema(example = "draft")]
    pub dossier_state: String,
    pub submitted_on: Option<String>,
    pub appraised_on: Option<String>,
    pub appraised_by: Option<String>,
    pub approved_on: Option<String>,
    pub approved_by: Option<String>,
    pub approval_ref: Option<String>,
    pub plan_deployed_on: Option<String>,
    /// Months between periodic assessments (null: the level's default).
    pub assessment_interval_months: Option<u32>,
    /// Cameras registered to the system.
    pub cameras: i64,
}

impl From<SystemRow> for SystemView {
    fn from(s: SystemRow) -> SystemView {
        SystemView {
            code: s.code,
            name: s.name,
            org: s.org,
            operator: s.operator,
            purpose: s.purpose,
            level: s.level,
            ruleset: s.ruleset,
            ruleset_version: s.ruleset_version,
            answers: s.answers,
            reasons: s.reasons,
            dossier_state: s.dossier_state.as_str().to_string(),
            submitted_on: s.submitted_on.map(day_text),
            appraised_on: s.appraised_on.map(day_text),
            appraised_by: s.appraised_by,
            approved_on: s.approved_on.map(day_text),
            approved_by: s.approved_by,
            approval_ref: s.approval_ref,
            plan_deployed_on: s.plan_deployed_on.map(day_text),
            assessment_interval_months: s.assessment_interval_months,
            cameras: s.cameras,
        }
    }
}

/// One page of systems; pass `next_cursor` as `cursor` for the next (null on the last page).
#[derive(Serialize, ToSchema)]
pub struct SystemPage {
    pub items: Vec<SystemView>,
    pub next_cursor: Option<String>,
}

impl From<Page<SystemRow>> for SystemPage {
    fn from(p: Page<SystemRow>) -> SystemPage {
        SystemPage {
            items: p.items.into_iter().map(Into::into).collect(),
            next_cursor: p.next.map(|n| n.to_string()),
        }
    }
}

/// One step of the dossier's history.
#[derive(Serialize, ToSchema)]
pub struct DossierEvent {
    /// When it was recorded (RFC 3339).
    pub at: String,
    pub state: String,
    /// The date of the step (`YYYY-MM-DD`).
    pub on: Option<String>,
    /// Who appraised or approved.
    pub actor: Option<String>,
    pub note: Option<String>,
}

/// A system with its dossier's history (as `camguard system show --format json`).
#[derive(Serialize, ToSchema)]
pub struct SystemDetail {
    pub system: SystemView,
    pub history: Vec<DossierEvent>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SystemFilter {
    /// An organisation's code: the systems its subtree owns (all in reach when not given).
    pub org: Option<String>,
}

/// List the systems owned in reach, a page at a time.
#[utoipa::path(get, path = "/api/v1/systems", tag = "registry", params(SystemFilter, Paging),
    responses((status = 200, body = SystemPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn systems(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SystemFilter>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<SystemPage>> {
    caller.require(Action::Read)?;
    let page = state
        .store
        .systems_page(&caller.reach, q.org.as_deref(), limit(&p)?, cursor(&p)?)
        .await?;
    Ok(Json(page.into()))
}

/// `POST /api/v1/systems`: a new information system.
#[derive(Deserialize, ToSchema, Default)]
pub struct SystemRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
    #[schema(min_length = 1)]
    pub name: String,
    /// The owner (chủ quản): an organisation in reach.
    pub org: String,
    /// The operating unit, when not the owner: an organisation in reach.
    pub operator: Option<String>,
    pub purpose: Option<String>,
}

/// Register an information system that uses cameras (as `camguard system add`); its dossier
/// starts as a draft, without a level. Recorded in the audit log (`system.add`).
#[utoipa::path(post, path = "/api/v1/systems", tag = "registry", request_body = SystemRequest,
    responses((status = 201, body = SystemView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 415, body = ErrorBody)))]
pub async fn create_system(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<(axum::http::StatusCode, Json<SystemView>)> {
    let req: SystemRequest = object(Some(body), false)?;
    // Out of reach is 404 whatever the role; then the role's right.
    state.store.org_in(&caller.reach, &req.org).await?;
    caller.require(Action::ManageSystems)?;
    if req.code.trim().is_empty() || req.code.trim().chars().count() > 64 {
        return Err(ApiError::bad_request(
            "Mã hệ thống phải có từ 1 đến 64 ký tự.",
            "A system code has 1 to 64 characters.",
        ));
    }
    let s = state
        .store
        .add_system_in(
            &caller.reach,
            &camguard_store::NewSystem {
                code: req.code.trim(),
                name: &req.name,
                org: &req.org,
                operator: req.operator.as_deref().filter(|o| !o.trim().is_empty()),
                purpose: req.purpose.as_deref(),
            },
            &caller.actor(),
        )
        .await?;
    state.status.invalidate();
    Ok((axum::http::StatusCode::CREATED, Json(s.into())))
}

/// `POST /api/v1/systems/{code}/plan`: the protection plan and the assessment interval.
#[derive(Deserialize, ToSchema, Default)]
pub struct PlanRequest {
    /// When the protection plan was deployed (`YYYY-MM-DD`).
    #[schema(format = Date, min_length = 10, max_length = 10)]
    pub plan_deployed_on: Option<String>,
    /// How often the system's cameras are assessed, 1–120 months.
    #[schema(minimum = 1, maximum = 120)]
    pub assessment_interval_months: Option<u32>,
}

/// Record the protection plan's deployment or the periodic assessment interval (as
/// `camguard system plan`). Recorded in the audit log (`system.plan`).
#[utoipa::path(post, path = "/api/v1/systems/{code}/plan", tag = "registry",
    params(("code" = String, Path, description = "The system's code")),
    request_body = PlanRequest,
    responses((status = 200, body = SystemView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<Json<SystemView>> {
    let sys = state.store.system_in(&caller.reach, &code).await?;
    caller.require(Action::ManageSystems)?;
    let req: PlanRequest = object(Some(body), false)?;
    let on = req
        .plan_deployed_on
        .as_deref()
        .map(|d| date(d, "plan_deployed_on"))
        .transpose()?;
    if let Some(m) = req.assessment_interval_months
        && !(1..=120).contains(&m)
    {
        return Err(ApiError::bad_request(
            "Chu kỳ đánh giá phải từ 1 đến 120 tháng.",
            "The assessment interval must be 1-120 months.",
        ));
    }
    if on.is_none() && req.assessment_interval_months.is_none() {
        return Err(ApiError::bad_request(
            "Cần plan_deployed_on hoặc assessment_interval_months.",
            "Give plan_deployed_on or assessment_interval_months.",
        ));
    }
    let s = state
        .store
        .update_system_plan_in(
            &caller.reach,
            &sys.code,
            on,
            req.assessment_interval_months,
            &caller.actor(),
        )
        .await?;
    state.status.invalidate();
    Ok(Json(s.into()))
}

async fn detail(state: &AppState, caller: &Caller, code: &str) -> ApiResult<SystemDetail> {
    let s = state.store.system_in(&caller.reach, code).await?;
    let history = state
        .store
        .system_history_in(&caller.reach, &s.code)
        .await?
        .into_iter()
        .map(|h| {
            let text = |k: &str| h[k].as_str().map(String::from);
            DossierEvent {
                at: text("at").unwrap_or_default(),
                state: text("state").unwrap_or_default(),
                on: text("on"),
                actor: text("actor"),
                note: text("note"),
            }
        })
        .collect();
    Ok(SystemDetail {
        system: s.into(),
        history,
    })
}

/// One system: level, reasons, dossier state and history.
#[utoipa::path(get, path = "/api/v1/systems/{code}", tag = "registry",
    params(("code" = String, Path, description = "The system's code")),
    responses((status = 200, body = SystemDetail), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn system(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<SystemDetail>> {
    caller.require(Action::Read)?;
    Ok(Json(detail(&state, &caller, &code).await?))
}

/// `POST /api/v1/systems/{code}/level`: the questionnaire's answers.
#[derive(Deserialize, ToSchema, Default)]
pub struct LevelRequest {
    /// Answers by question id (`camguard system questions`): an option id, an array of
    /// option ids, a number or a boolean, by the question's kind.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// The rule set (the one in force today when not given).
    pub ruleset: Option<String>,
    /// Decide without storing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A criterion behind the level.
#[derive(Serialize, ToSchema)]
pub struct LevelReason {
    pub level: u8,
    pub article: String,
    pub text_vi: String,
    pub text_en: String,
}

/// The level the questionnaire gives, and why.
#[derive(Serialize, ToSchema)]
pub struct LevelDecisionView {
    pub ruleset: String,
    pub ruleset_version: String,
    pub level: u8,
    pub reasons: Vec<LevelReason>,
}

/// The same document as `camguard system level --format json`.
#[derive(Serialize, ToSchema)]
pub struct LevelAnswer {
    pub system: String,
    pub decision: LevelDecisionView,
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    /// Who prepares, appraises and approves the dossier at that level, and how often the
    /// system is assessed.
    #[schema(value_type = Option<Object>)]
    pub level_info: Option<serde_json::Value>,
    /// Whether the level was stored (false on `dry_run`).
    pub stored: bool,
}

fn pick_ruleset<'a>(sets: &'a [RuleSet], id: Option<&str>) -> ApiResult<&'a RuleSet> {
    match id {
        Some(id) => sets.iter().find(|s| s.id == id).ok_or_else(|| {
            let known = sets
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            ApiError::bad_request(
                format!("Không có bộ quy tắc {id:?} (có: {known})."),
                format!("Unknown rule set {id:?} (known: {known})."),
            )
        }),
        None => ruleset_in_force(sets, camguard_store::today()).ok_or_else(|| {
            ApiError::bad_request(
                "Hôm nay không có bộ quy tắc xác định cấp độ nào có hiệu lực.",
                "No level rule set is in force today.",
            )
        }),
    }
}

/// Answer the Decree 85 questionnaire: the level and the criteria behind it, stored with the
/// answers (as `camguard system level`). A level that changes sends an advanced dossier back
/// to draft.
#[utoipa::path(post, path = "/api/v1/systems/{code}/level", tag = "registry",
    params(("code" = String, Path, description = "The system's code")),
    request_body = LevelRequest,
    responses((status = 200, body = LevelAnswer), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn level(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<Json<LevelAnswer>> {
    // Out of reach is 404 whatever the role; then the role's right; then the body.
    let sys = state.store.system_in(&caller.reach, &code).await?;
    caller.require(Action::ManageSystems)?;
    let req: LevelRequest = object(Some(body), false)?;
    Ok(Json(decide_level(&state, &caller, sys, req).await?))
}

/// Decide (and unless `dry_run` store) a system's level from the questionnaire's answers: the
/// API's `POST …/level` and the dashboard's system page. The caller has been checked: the
/// system is in reach and the role may manage systems.
pub(crate) async fn decide_level(
    state: &AppState,
    caller: &Caller,
    sys: SystemRow,
    req: LevelRequest,
) -> ApiResult<LevelAnswer> {
    let rulesets = load_rulesets(&state.kb).map_err(|e| kb_error(&e))?;
    let set = pick_ruleset(&rulesets, req.ruleset.as_deref())?;
    let answers: Answers = req.answers.into_iter().collect();
    let decision = set.decide(&answers).map_err(|e| {
        ApiError::bad_request(
            format!("Câu trả lời không hợp lệ: {e}"),
            format!("Questionnaire: {e}"),
        )
    })?;
    let answers_json = serde_json::to_value(&answers).map_err(|_| ApiError::internal())?;
    if !req.dry_run {
        let reasons = serde_json::to_value(&decision.reasons).map_err(|_| ApiError::internal())?;
        state
            .store
            .set_level_in(
                &caller.reach,
                &sys.code,
                &LevelChange {
                    level: decision.level,
                    ruleset: &decision.ruleset,
                    ruleset_version: &decision.ruleset_version,
                    answers: &answers_json,
                    reasons: &reasons,
                },
                &caller.actor(),
            )
            .await?;
        state.status.invalidate();
    }
    let level_info = set
        .level(decision.level)
        .map(serde_json::to_value)
        .transpose()
        .map_err(|_| ApiError::internal())?;
    Ok(LevelAnswer {
        system: sys.code,
        decision: LevelDecisionView {
            ruleset: decision.ruleset,
            ruleset_version: decision.ruleset_version,
            level: decision.level,
            reasons: decision
                .reasons
                .into_iter()
                .map(|r| LevelReason {
                    level: r.level,
                    article: r.article,
                    text_vi: r.text_vi,
                    text_en: r.text_en,
                })
                .collect(),
        },
        answers: answers_json,
        level_info,
        stored: !req.dry_run,
    })
}

/// `POST /api/v1/systems/{code}/dossier`: a move of the level dossier.
#[derive(Deserialize, ToSchema, Default)]
pub struct DossierRequest {
    /// `draft` (returned or withdrawn), `submitted`, `appraised` or `approved`.
    #[schema(pattern = "^(draft|submitted|appraised|approved)$")]
    pub state: String,
    /// `YYYY-MM-DD` (today when not given).
    #[schema(format = Date, min_length = 10, max_length = 10)]
    pub date: Option<String>,
    /// The authority that appraised or approved (the caller's organisation when not given).
    pub by: Option<String>,
    /// The approval decision's reference.
    pub reference: Option<String>,
}

/// Move the dossier on (as `camguard system dossier`): draft → submitted → appraised →
/// approved; levels 1–2 may be approved straight after submission; going back to draft is
/// always allowed. The system's owner (`unit`) submits or withdraws; the regulator appraises,
/// approves or returns it.
#[utoipa::path(post, path = "/api/v1/systems/{code}/dossier", tag = "registry",
    params(("code" = String, Path, description = "The system's code")),
    request_body = DossierRequest,
    responses((status = 200, body = SystemView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn dossier(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<Json<SystemView>> {
    let sys = state.store.system_in(&caller.reach, &code).await?;
    // Any role that may change dossiers at all; the exact right depends on the step.
    if !(caller.user.role.may(Action::ManageSystems)
        || caller.user.role.may(Action::ApproveDossiers))
    {
        return Err(ApiError::forbidden());
    }
    let req: DossierRequest = object(Some(body), false)?;
    Ok(Json(move_dossier(&state, &caller, &sys, req).await?))
}

/// Move a system's dossier on, by the rights of the step (the API's `POST …/dossier` and the
/// dashboard's system page). The system is in the caller's reach.
pub(crate) async fn move_dossier(
    state: &AppState,
    caller: &Caller,
    sys: &SystemRow,
    req: DossierRequest,
) -> ApiResult<SystemView> {
    let to: DossierState = req.state.parse().map_err(|_| {
        ApiError::bad_request(
            format!(
                "Trạng thái hồ sơ không hợp lệ {:?} (draft, submitted, appraised, approved).",
                req.state
            ),
            format!(
                "Unknown dossier state {:?} (draft, submitted, appraised, approved).",
                req.state
            ),
        )
    })?;
    match to {
        DossierState::Submitted => caller.require(Action::ManageSystems)?,
        DossierState::Appraised | DossierState::Approved => {
            caller.require(Action::ApproveDossiers)?;
        }
        DossierState::Draft => {}
    }
    let on = match req.date.as_deref() {
        Some(d) => date(d, "date")?,
        None => camguard_store::today(),
    };
    let by = req
        .by
        .filter(|b| !b.trim().is_empty())
        .or_else(|| caller.user.org.clone())
        .unwrap_or_else(|| caller.user.username.clone());
    let s = state
        .store
        .advance_dossier_in(
            &caller.reach,
            &sys.code,
            &DossierChange {
                to,
                on,
                by: Some(&by),
                reference: req.reference.as_deref().filter(|r| !r.trim().is_empty()),
            },
            &caller.actor(),
        )
        .await?;
    state.status.invalidate();
    Ok(s.into())
}

// ---------------------------------------------------------------------------------------------
// Catalogue

/// A catalogue entry: a certified (hợp quy) or warned model.
#[derive(Serialize, ToSchema)]
pub struct CatalogueEntryView {
    /// `certified` or `warned`.
    #[schema(example = "warned")]
    pub status: String,
    pub vendor: String,
    /// The model, possibly with `*` wildcards.
    pub model: String,
    pub document: Option<String>,
    pub issued_by: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub certificate: Option<String>,
    pub note: Option<String>,
}

impl From<&CatalogueEntry> for CatalogueEntryView {
    fn from(e: &CatalogueEntry) -> CatalogueEntryView {
        CatalogueEntryView {
            status: e.status.to_string(),
            vendor: e.vendor.clone(),
            model: e.model.clone(),
            document: e.document.clone(),
            issued_by: e.issued_by.clone(),
            date: e.date.map(day_text),
            certificate: e.certificate.clone(),
            note: e.note.clone(),
        }
    }
}

/// A stored catalogue entry.
#[derive(Serialize, ToSchema)]
pub struct CatalogueItem {
    pub id: i64,
    #[serde(flatten)]
    pub entry: CatalogueEntryView,
}

/// One page of the catalogue; pass `next_cursor` as `cursor` for the next.
#[derive(Serialize, ToSchema)]
pub struct CataloguePage {
    pub items: Vec<CatalogueItem>,
    pub next_cursor: Option<String>,
}

impl From<Page<CatalogueRow>> for CataloguePage {
    fn from(p: Page<CatalogueRow>) -> CataloguePage {
        CataloguePage {
            items: p
                .items
                .iter()
                .map(|r| CatalogueItem {
                    id: r.id,
                    entry: (&r.entry).into(),
                })
                .collect(),
            next_cursor: p.next.map(|n| n.to_string()),
        }
    }
}

/// The catalogue of certified and warned models, a page at a time (public procurement data:
/// every role reads all of it).
#[utoipa::path(get, path = "/api/v1/catalogue", tag = "registry", params(Paging),
    responses((status = 200, body = CataloguePage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn catalogue(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Paging>,
) -> ApiResult<Json<CataloguePage>> {
    caller.require(Action::Read)?;
    let page = state.store.catalogue_page(limit(&p)?, cursor(&p)?).await?;
    Ok(Json(page.into()))
}

/// `POST /api/v1/catalogue/check`.
#[derive(Deserialize, ToSchema, Default)]
pub struct CheckRequest {
    #[schema(min_length = 1)]
    pub vendor: String,
    #[schema(min_length = 1)]
    pub model: String,
}

/// The catalogue's verdict (as `camguard catalogue check --format json`).
#[derive(Serialize, ToSchema)]
pub struct CheckAnswer {
    pub vendor: String,
    pub model: String,
    /// `certified`, `warned` or `unknown` (in neither list).
    #[schema(example = "unknown")]
    pub answer: String,
    /// The most specific matching entry.
    pub entry: Option<CatalogueEntryView>,
}

/// What the catalogue says about a model: warned if any warning matches, else certified if a
/// certificate matches, else unknown.
#[utoipa::path(post, path = "/api/v1/catalogue/check", tag = "registry",
    request_body = CheckRequest,
    responses((status = 200, body = CheckAnswer), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<serde_json::Value>,
) -> ApiResult<Json<CheckAnswer>> {
    caller.require(Action::Read)?;
    let req: CheckRequest = object(Some(body), false)?;
    Ok(Json(check_model(&state, req.vendor, req.model).await?))
}

/// What the catalogue says about a vendor and model (the API's check and the dashboard's).
pub(crate) async fn check_model(
    state: &AppState,
    vendor: String,
    model: String,
) -> ApiResult<CheckAnswer> {
    if vendor.trim().is_empty() || model.trim().is_empty() {
        return Err(ApiError::bad_request(
            "Cần cả hãng (vendor) và mẫu (model).",
            "Give both vendor and model.",
        ));
    }
    let cat = Catalogue::new(
        state
            .store
            .catalogue()
            .await?
            .into_iter()
            .map(|r| r.entry)
            .collect(),
        &state.kb.vendors,
    );
    let (answer, entry) = match cat.check(&vendor, &model) {
        CatalogueVerdict::Certified(e) => ("certified", Some(e.into())),
        CatalogueVerdict::Warned(e) => ("warned", Some(e.into())),
        CatalogueVerdict::Unknown => ("unknown", None),
    };
    Ok(CheckAnswer {
        vendor,
        model,
        answer: answer.into(),
        entry,
    })
}

/// The upload of `POST /api/v1/catalogue/import`.
#[derive(ToSchema)]
pub struct CatalogueForm {
    /// The catalogue file: CSV (UTF-8) or a workbook (XLSX, XLS, ODS).
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<u8>,
}

/// The same report as `camguard catalogue import --format json`.
#[derive(Serialize, ToSchema)]
pub struct CatalogueImportAnswer {
    pub file: String,
    pub rows: usize,
    pub imported: usize,
    pub rejected: Vec<RowProblem>,
    pub warnings: Vec<RowWarningView>,
}

/// Import a catalogue file (multipart field `file`): certified and warned models; an entry
/// already present (same status, vendor, model and document) is replaced. Admin and regulator.
#[utoipa::path(post, path = "/api/v1/catalogue/import", tag = "registry",
    request_body(content_type = "multipart/form-data", content = CatalogueForm),
    responses((status = 200, body = CatalogueImportAnswer), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn import_catalogue(
    State(state): State<AppState>,
    caller: Caller,
    mut form: Multipart,
) -> ApiResult<Json<CatalogueImportAnswer>> {
    caller.require(Action::ManageCatalogue)?;
    let Some((name, bytes)) = crate::api::read_upload(&mut form, "catalogue.csv").await? else {
        return Err(ApiError::bad_request(
            "Thiếu trường `file` (tệp danh mục thiết bị).",
            "Missing the `file` field (the catalogue file).",
        ));
    };
    Ok(Json(
        import_catalogue_file(&state, &caller, name, bytes).await?,
    ))
}

/// Import an uploaded catalogue file (the caller's right checked): the report of
/// `POST /api/v1/catalogue/import`, shared with the dashboard's catalogue page.
pub(crate) async fn import_catalogue_file(
    state: &AppState,
    caller: &Caller,
    name: String,
    bytes: axum::body::Bytes,
) -> ApiResult<CatalogueImportAnswer> {
    caller.require(Action::ManageCatalogue)?;
    let parsed = crate::api::read_spooled(&name, bytes, |path| {
        camguard_registry::catalogue::read_catalogue(path)
    })
    .await?
    .map_err(|e| crate::api::unreadable(&e))?;
    let entries: Vec<CatalogueEntry> = parsed.entries.into_iter().map(|(_, e)| e).collect();
    let vendors = &state.kb.vendors;
    let keys = |e: &CatalogueEntry| {
        (
            camguard_registry::catalogue::vendor_key(&e.vendor, vendors),
            camguard_registry::catalogue::model_key(&e.model),
        )
    };
    let imported = state
        .store
        .import_catalogue_as(&entries, &keys, parsed.rejected.len(), &caller.actor())
        .await?;
    // Warned models change the units' status.
    state.status.invalidate();
    Ok(CatalogueImportAnswer {
        file: name,
        rows: entries.len() + parsed.rejected.len(),
        imported,
        rejected: parsed
            .rejected
            .into_iter()
            .map(|r| RowProblem {
                line: r.line,
                reason: r.reason,
            })
            .collect(),
        warnings: parsed
            .warnings
            .into_iter()
            .map(|w| RowWarningView {
                line: w.line,
                warning: w.warning,
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Deadlines

/// One dated duty of one document.
#[derive(Serialize, ToSchema)]
pub struct DeadlineView {
    pub id: String,
    /// The set it belongs to.
    pub set: String,
    /// `level-approved`, `plan-deployed`, `report-submitted`, `cameras-reviewed`,
    /// `assessment-done` or `regulation-issued`.
    pub duty: String,
    /// The last day on time (`YYYY-MM-DD`).
    pub due: String,
    pub title_vi: String,
    pub title_en: String,
    /// Document number, date and paragraph.
    pub source: String,
    pub note: Option<String>,
}

impl From<&Deadline> for DeadlineView {
    fn from(d: &Deadline) -> DeadlineView {
        DeadlineView {
            id: d.id.clone(),
            set: d.set.clone(),
            duty: d.duty.as_str().to_string(),
            due: day_text(d.due),
            title_vi: d.title_vi.clone(),
            title_en: d.title_en.clone(),
            source: d.source.clone(),
            note: d.note.clone(),
        }
    }
}

/// The deadlines of one document for one jurisdiction.
#[derive(Serialize, ToSchema)]
pub struct DeadlineSetView {
    pub id: String,
    pub jurisdiction_vi: String,
    pub jurisdiction_en: String,
    /// Binds every organisation; otherwise only those attached to it (and their subtrees).
    pub national: bool,
    pub deadlines: Vec<DeadlineView>,
}

impl From<&DeadlineSet> for DeadlineSetView {
    fn from(s: &DeadlineSet) -> DeadlineSetView {
        DeadlineSetView {
            id: s.id.clone(),
            jurisdiction_vi: s.jurisdiction_vi.clone(),
            jurisdiction_en: s.jurisdiction_en.clone(),
            national: s.national,
            deadlines: s.deadlines.iter().map(Into::into).collect(),
        }
    }
}

/// The deadline sets binding an organisation, and for each duty the binding (earliest) date.
#[derive(Serialize, ToSchema)]
pub struct DeadlinesAnswer {
    pub org: String,
    /// The national sets and those attached to the organisation or an ancestor.
    pub sets: Vec<DeadlineSetView>,
    /// Per duty, the deadline that binds: the earliest among the sets.
    pub binding: Vec<DeadlineView>,
}

/// The deadlines binding an organisation (as `camguard deadline list`, narrowed to the sets
/// that bind it).
#[utoipa::path(get, path = "/api/v1/deadlines", tag = "registry", params(RequiredOrg),
    responses((status = 200, body = DeadlinesAnswer), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deadlines(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RequiredOrg>,
) -> ApiResult<Json<DeadlinesAnswer>> {
    caller.require(Action::Read)?;
    let attached = state.store.deadline_sets_in(&caller.reach, &q.org).await?;
    let sets = camguard_registry::deadline::load_deadlines(&state.kb).map_err(|e| kb_error(&e))?;
    let attached: Vec<&str> = attached.iter().map(String::as_str).collect();
    let binding = Duty::ALL
        .into_iter()
        .filter_map(|d| binding_deadline(&sets, &attached, d))
        .map(Into::into)
        .collect();
    Ok(Json(DeadlinesAnswer {
        org: q.org,
        sets: sets
            .iter()
            .filter(|s| s.national || attached.contains(&s.id.as_str()))
            .map(Into::into)
            .collect(),
        binding,
    }))
}
