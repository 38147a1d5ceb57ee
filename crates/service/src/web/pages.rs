//! The pages of the registry: home, province overview (with the urge action), unit, system
//! (questionnaire and dossier), audit log. Every read goes through the store's `Reach`-taking
//! functions; nothing is filtered here or in a template.

use super::svg::{Bar, Series, bars, columns, fill};
use super::{Ctx, PageError, Viewer, field, render, see_other};
use crate::AppState;
use crate::error::{ApiError, Lang};
use crate::registry_api::{DossierRequest, LevelRequest, decide_level, move_dossier};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use camguard_auth::{Action, Role};
use camguard_registry::level::{QuestionKind, load_rulesets, ruleset_in_force};
use camguard_registry::status::UnitStatus;
use camguard_store::{
    AuditEntry, DossierState, FindingQuery, FindingRow, FindingState, NewAudit, SystemRow,
};
use serde_json::json;

type Fields = Vec<(String, String)>;

fn day_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    /// (code, name) of the organisations in reach.
    orgs: Vec<(String, String)>,
}

/// `GET /`: a unit's officer goes to its unit, a regulator to the overview; others see the
/// organisations in reach.
pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let user = &viewer.caller.user;
    match (user.role, user.org.as_deref()) {
        (Role::Unit, Some(org)) => {
            return Ok(see_other(&format!("/units/{}", super::encode(org))));
        }
        (Role::Regulator, _) => return Ok(see_other("/overview")),
        _ => {}
    }
    viewer.require(Action::Read)?;
    let orgs = state.store.org_names_in(&viewer.caller.reach).await?;
    render(
        StatusCode::OK,
        &HomePage {
            ctx: viewer.ctx(),
            orgs,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Province overview

/// One cell of the units × duties matrix.
pub struct Cell {
    /// The state's id (`done`, `overdue` …), also its CSS class; empty: the duty is not listed
    /// for this unit.
    pub state: &'static str,
    pub label: String,
    /// Days past the deadline, for an overdue duty.
    pub days_late: Option<i64>,
    pub title: String,
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub depth: usize,
    pub problems: usize,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    ctx: Ctx,
    as_of: String,
    /// (duty id, its label).
    duties: Vec<(String, String)>,
    rows: Vec<Row>,
    units: usize,
    units_with_problems: usize,
    problems: usize,
    /// (code, name, problems).
    to_urge: Vec<(String, String, usize)>,
    /// Units to urge beyond those listed.
    more_to_urge: usize,
    may_urge: bool,
    duties_chart: String,
    charts: Charts,
    /// The matrix's filters and its page.
    filter: MatrixFilter,
    /// Units matching the filter, and the positions among them (1-based) of this page's rows.
    matched: usize,
    range: String,
    /// The query strings of the previous and next pages, when there are such pages.
    prev: Option<String>,
    next: Option<String>,
}

/// Rows of the units × duties matrix on one page of the overview.
const MATRIX_PAGE: usize = 50;
/// Units listed under "units to urge" (the others: the matrix filtered to units with problems).
const URGE_LIST: usize = 20;

/// `GET /overview?q=&late=1&page=N`: the matrix filtered by a code or name and to units with
/// problems, a page at a time.
#[derive(serde::Deserialize, Default)]
pub struct OverviewParams {
    q: Option<String>,
    late: Option<String>,
    page: Option<String>,
}

/// The matrix's filters as the form shows them.
pub struct MatrixFilter {
    pub q: String,
    pub late: bool,
}

impl MatrixFilter {
    fn matches(&self, u: &UnitStatus) -> bool {
        if self.late && u.problems == 0 {
            return false;
        }
        if self.q.is_empty() {
            return true;
        }
        let q = self.q.to_lowercase();
        u.org.to_lowercase().contains(&q) || u.name.to_lowercase().contains(&q)
    }

    /// The query string of this filter on page `page` (HTML-escaped `&`).
    fn query(&self, page: usize) -> String {
        let mut qs = Vec::new();
        if !self.q.is_empty() {
            qs.push(format!("q={}", super::encode(&self.q)));
        }
        if self.late {
            qs.push("late=1".to_string());
        }
        if page > 1 {
            qs.push(format!("page={page}"));
        }
        qs.join("&amp;")
    }
}

fn parse_day(s: &str) -> Option<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn state_label(ctx: &Ctx, state: &str) -> String {
    ctx.t(&format!("state-{state}"))
}

fn duty_label(ctx: &Ctx, duty: &str) -> String {
    let key = format!("duty-{duty}");
    if super::i18n::has(&key) {
        ctx.t(&key)
    } else {
        duty.to_string()
    }
}

fn flatten<'a>(
    units: impl IntoIterator<Item = &'a UnitStatus>,
    depth: usize,
    out: &mut Vec<(usize, &'a UnitStatus)>,
) {
    for u in units {
        out.push((depth, u));
        flatten(&u.children, depth + 1, out);
    }
}

fn may_urge(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Regulator)
}

/// The severities in display order, each with its fill (the page's state colours).
const SEVERITIES: [(&str, &str); 5] = [
    ("critical", "#8b0000"),
    ("high", "#b35000"),
    ("medium", "#8a6d00"),
    ("low", "#4a4a4a"),
    ("info", "#6b6b6b"),
];

fn severity_fill(s: &str) -> &'static str {
    SEVERITIES
        .iter()
        .find(|(id, _)| *id == s)
        .map_or("#4a4a4a", |(_, f)| f)
}

/// Severities in display order: the known ones first, then any other seen.
fn ordered_severities(seen: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = SEVERITIES.iter().map(|(s, _)| s.to_string()).collect();
    for s in seen {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Weeks shown by the trend chart.
const TREND_WEEKS: i64 = 12;

/// The charts of a page (overview or unit), and the number of cameras in reach.
pub struct Charts {
    pub severity: String,
    pub trend: String,
    pub vendors: String,
    pub cameras: u64,
    pub open_findings: u64,
}

/// The charts of the organisations in the viewer's reach (`org`'s subtree when given): open
/// findings by severity now and at the end of each of the last weeks, and the vendor mix.
async fn charts(
    state: &AppState,
    viewer: &Viewer,
    ctx: &Ctx,
    org: Option<&str>,
    today: time::Date,
) -> Result<Charts, PageError> {
    let days: Vec<time::Date> = (0..TREND_WEEKS)
        .rev()
        .filter_map(|k| today.checked_sub(time::Duration::weeks(k)))
        .collect();
    let facts = state
        .status
        .charts
        .get(&state.store, &viewer.caller.reach, org, &days)
        .await?;
    let now = facts.open_now();
    let sevs = ordered_severities(now.keys().cloned());
    let max = now.values().copied().max().unwrap_or(0) as f64;
    let severity = bars(
        &ctx.t("overview-chart-severity"),
        &sevs
            .iter()
            .map(|s| {
                let n = now.get(s).copied().unwrap_or(0);
                Bar {
                    label: ctx.t(&format!("severity-{s}")),
                    value: n as f64,
                    max,
                    text: n.to_string(),
                    fill: severity_fill(s),
                }
            })
            .collect::<Vec<_>>(),
    );
    let labels: Vec<String> = facts
        .trend
        .iter()
        .map(|(d, _)| format!("{:02}/{:02}", d.day(), u8::from(d.month())))
        .collect();
    let trend = columns(
        &ctx.t("overview-chart-trend"),
        &labels,
        &sevs
            .iter()
            .map(|s| Series {
                name: ctx.t(&format!("severity-{s}")),
                fill: severity_fill(s),
                values: facts
                    .trend
                    .iter()
                    .map(|(_, by)| by.get(s).copied().unwrap_or(0))
                    .collect(),
            })
            .collect::<Vec<_>>(),
    );
    // The biggest makers, then the rest together.
    const SHOWN: usize = 8;
    let cameras = facts.cameras();
    let mut vendor_bars: Vec<Bar> = facts
        .vendors
        .iter()
        .take(SHOWN)
        .map(|(key, n)| Bar {
            label: if key.is_empty() {
                ctx.t("vendor-unknown")
            } else {
                state
                    .kb
                    .vendor(key)
                    .map_or_else(|| key.clone(), |v| v.name.clone())
            },
            value: *n as f64,
            max: cameras as f64,
            text: n.to_string(),
            fill: "#1f4e79",
        })
        .collect();
    let rest: u64 = facts.vendors.iter().skip(SHOWN).map(|v| v.1).sum();
    if rest > 0 {
        vendor_bars.push(Bar {
            label: ctx.t("vendor-other"),
            value: rest as f64,
            max: cameras as f64,
            text: rest.to_string(),
            fill: "#6b6b6b",
        });
    }
    let vendors = bars(&ctx.t("overview-chart-vendors"), &vendor_bars);
    Ok(Charts {
        severity,
        trend,
        vendors,
        cameras,
        open_findings: now.values().sum(),
    })
}

/// The status's explanations in the page's language.
fn status_lang_of(ctx: &Ctx) -> camguard_registry::message::Lang {
    match ctx.lang {
        Lang::Vi => camguard_registry::message::Lang::Vi,
        Lang::En => camguard_registry::message::Lang::En,
    }
}

/// `GET /overview`: the units × duties matrix of the viewer's reach (the status document of
/// `camguard status`), the units to urge, and the charts.
pub async fn overview(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(params): axum::extract::Query<OverviewParams>,
) -> Result<Response, PageError> {
    viewer.require(Action::Read)?;
    let today = camguard_store::today();
    let status = crate::views::status_roots(
        &state.status,
        &state.store,
        &state.kb,
        &viewer.caller.reach,
        None,
        today,
    )
    .await?;
    let tree = status.roots();
    let ctx = viewer.ctx();
    let status_lang = status_lang_of(&ctx);
    let mut flat = Vec::new();
    flatten(tree.iter().copied(), 0, &mut flat);
    let mut duty_ids: Vec<String> = Vec::new();
    for (_, u) in &flat {
        for d in &u.duties {
            if !duty_ids.contains(&d.duty) {
                duty_ids.push(d.duty.clone());
            }
        }
    }
    let filter = MatrixFilter {
        q: params
            .q
            .as_deref()
            .unwrap_or("")
            .trim()
            .chars()
            .take(100)
            .collect(),
        late: params
            .late
            .as_deref()
            .is_some_and(|s| !s.is_empty() && s != "0"),
    };
    let matching: Vec<&(usize, &UnitStatus)> =
        flat.iter().filter(|(_, u)| filter.matches(u)).collect();
    let pages = matching.len().div_ceil(MATRIX_PAGE).max(1);
    let page_no = params
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let shown = &matching[((page_no - 1) * MATRIX_PAGE).min(matching.len())
        ..(page_no * MATRIX_PAGE).min(matching.len())];
    let rows: Vec<Row> = shown
        .iter()
        .map(|(depth, u)| Row {
            code: u.org.clone(),
            name: u.name.clone(),
            depth: *depth,
            problems: u.problems,
            cells: duty_ids
                .iter()
                .map(|id| match u.duties.iter().find(|d| &d.duty == id) {
                    Some(d) => {
                        let st = d.state.as_str();
                        let days_late = (st == "overdue")
                            .then(|| d.due.as_deref().and_then(parse_day))
                            .flatten()
                            .map(|due| (today - due).whole_days());
                        Cell {
                            state: st,
                            label: state_label(&ctx, st),
                            days_late,
                            title: match &d.due {
                                Some(due) => format!("{} · {due}", d.detail_in(status_lang)),
                                None => d.detail_in(status_lang),
                            },
                        }
                    }
                    None => Cell {
                        state: "",
                        label: "—".into(),
                        days_late: None,
                        title: String::new(),
                    },
                })
                .collect(),
        })
        .collect();
    let own = viewer.caller.user.org.as_deref();
    let mut to_urge: Vec<(String, String, usize)> = flat
        .iter()
        .filter(|(_, u)| u.problems > 0 && Some(u.org.as_str()) != own)
        .map(|(_, u)| (u.org.clone(), u.name.clone(), u.problems))
        .collect();
    to_urge.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let more_to_urge = to_urge.len().saturating_sub(URGE_LIST);
    to_urge.truncate(URGE_LIST);
    // Duties met, for the units of this page of the matrix.
    let duty_bars: Vec<Bar> = shown
        .iter()
        .map(|(_, u)| {
            let applicable = u
                .duties
                .iter()
                .filter(|d| d.state.as_str() != "not-applicable")
                .count();
            let met = u
                .duties
                .iter()
                .filter(|d| d.state.as_str() == "done")
                .count();
            Bar {
                label: u.name.clone(),
                value: met as f64,
                max: applicable as f64,
                text: format!("{met}/{applicable}"),
                fill: fill(if met == applicable { "done" } else { "overdue" }),
            }
        })
        .collect();
    let charts = charts(&state, &viewer, &ctx, None, today).await?;
    let page = OverviewPage {
        as_of: day_text(today),
        duties: duty_ids
            .iter()
            .map(|d| (d.clone(), duty_label(&ctx, d)))
            .collect(),
        units: flat.len(),
        units_with_problems: flat.iter().filter(|(_, u)| u.problems > 0).count(),
        problems: flat.iter().map(|(_, u)| u.problems).sum(),
        matched: matching.len(),
        range: if shown.is_empty() {
            "0".to_string()
        } else {
            let from = (page_no - 1) * MATRIX_PAGE;
            format!("{}–{}", from + 1, from + shown.len())
        },
        prev: (page_no > 1).then(|| filter.query(page_no - 1)),
        next: (page_no < pages).then(|| filter.query(page_no + 1)),
        filter,
        rows,
        to_urge,
        more_to_urge,
        may_urge: may_urge(viewer.caller.user.role),
        duties_chart: bars(&ctx.t("overview-chart-duties"), &duty_bars),
        charts,
        ctx,
    };
    render(StatusCode::OK, &page)
}

/// `POST /units/{code}/urge`: record that the regulator urged a unit (`org.urge` in the audit
/// log, subject the unit, with its open duties); delivery comes with the operations work.
pub async fn urge(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    // Out of reach is 404 whatever the role, as in the API; then the role.
    let org = state.store.org_in(&viewer.caller.reach, &code).await?;
    if !may_urge(viewer.caller.user.role) {
        return Err(ApiError::forbidden().into());
    }
    let status = crate::views::status_cached(
        &state.status,
        &state.store,
        &state.kb,
        &viewer.caller.reach,
        Some(&org.code),
        camguard_store::today(),
    )
    .await?;
    let open: Vec<serde_json::Value> = status
        .first()
        .map(|u| {
            u.duties
                .iter()
                .filter(|d| !matches!(d.state.as_str(), "done" | "not-applicable" | "pending"))
                .map(|d| json!({"duty": d.duty, "state": d.state.as_str(), "due": d.due}))
                .collect()
        })
        .unwrap_or_default();
    state
        .store
        .append_audit(&NewAudit {
            actor: &viewer.caller.actor(),
            action: "org.urge",
            subject: &format!("org:{}", org.code),
            before: None,
            after: Some(json!({"org": org.code, "duties": open})),
            org_id: Some(org.id),
        })
        .await?;
    if headers.contains_key("hx-request") {
        let ctx = viewer.ctx();
        return Ok(super::html(
            StatusCode::OK,
            format!(
                "<span class=\"ok\" role=\"status\">{}</span>",
                html_escape(&ctx.t("overview-urged"))
            ),
        ));
    }
    Ok(see_other("/overview"))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// ---------------------------------------------------------------------------------------------
// Unit

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage<'a> {
    ctx: Ctx,
    code: String,
    name: String,
    status: Option<&'a UnitStatus>,
    duty_rows: Vec<(String, Cell, String)>,
    systems: Vec<SystemRow>,
    cameras: u64,
    open_findings: u64,
    findings: Vec<FindingRow>,
    more_findings: bool,
    children: Vec<(String, String, usize)>,
    charts: Charts,
}

/// `GET /units/{code}`: the unit's own status, systems, cameras, open findings and deadlines.
pub async fn unit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    viewer.require(Action::Read)?;
    let reach = &viewer.caller.reach;
    let org = state.store.org_in(reach, &code).await?;
    let today = camguard_store::today();
    let roots = crate::views::status_roots(
        &state.status,
        &state.store,
        &state.kb,
        reach,
        Some(&org.code),
        today,
    )
    .await?;
    let status = roots.roots().into_iter().next();
    let ctx = viewer.ctx();
    let status_lang = status_lang_of(&ctx);
    let duty_rows = status
        .as_ref()
        .map(|u| {
            u.duties
                .iter()
                .map(|d| {
                    let st = d.state.as_str();
                    let days_late = (st == "overdue")
                        .then(|| d.due.as_deref().and_then(parse_day))
                        .flatten()
                        .map(|due| (today - due).whole_days());
                    (
                        duty_label(&ctx, &d.duty),
                        Cell {
                            state: st,
                            label: state_label(&ctx, st),
                            days_late,
                            title: d.due.clone().unwrap_or_default(),
                        },
                        d.detail_in(status_lang),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let systems = state
        .store
        .systems_page(reach, Some(&org.code), camguard_store::MAX_PAGE, None)
        .await?
        .items;
    let page = state
        .store
        .findings_page(
            reach,
            &FindingQuery {
                org: Some(org.code.clone()),
                state: Some(FindingState::Open),
                severity: None,
            },
            50,
            None,
        )
        .await?;
    let children = status
        .as_ref()
        .map(|u| {
            u.children
                .iter()
                .map(|c| (c.org.clone(), c.name.clone(), c.subtree_problems))
                .collect()
        })
        .unwrap_or_default();
    let charts = charts(&state, &viewer, &ctx, Some(&org.code), today).await?;
    render(
        StatusCode::OK,
        &UnitPage {
            code: org.code,
            name: org.name,
            status,
            duty_rows,
            systems,
            more_findings: page.next.is_some(),
            findings: page.items,
            children,
            cameras: charts.cameras,
            open_findings: charts.open_findings,
            charts,
            ctx,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// System

/// A question of the level questionnaire, as the form shows it.
pub struct FormQuestion {
    pub id: String,
    pub kind: &'static str,
    pub prompt: String,
    pub required: bool,
    /// (option id, label, checked).
    pub options: Vec<(String, String, bool)>,
    /// The current value of a number or bool question.
    pub value: String,
}

/// The decision shown after the questionnaire.
pub struct Decision {
    pub level: u8,
    pub stored: bool,
    /// (level, article, text).
    pub reasons: Vec<(u8, String, String)>,
}

#[derive(Template)]
#[template(path = "system.html")]
struct SystemPage {
    ctx: Ctx,
    sys: SystemRow,
    dossier_label: String,
    /// (level, article, text) of the stored decision.
    reasons: Vec<(u8, String, String)>,
    ruleset: String,
    questions: Vec<FormQuestion>,
    may_answer: bool,
    /// (state id, label) of the moves the viewer's role may make.
    moves: Vec<(String, String)>,
    history: Vec<serde_json::Value>,
    decision: Option<Decision>,
    today: String,
}

fn reasons_of(v: Option<&serde_json::Value>, lang: Lang) -> Vec<(u8, String, String)> {
    v.and_then(serde_json::Value::as_array)
        .map(|a| {
            a.iter()
                .map(|r| {
                    let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                    (
                        r["level"].as_u64().unwrap_or(0) as u8,
                        text("article"),
                        text(if lang == Lang::En {
                            "text_en"
                        } else {
                            "text_vi"
                        }),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn system_page(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    answers: Option<&serde_json::Map<String, serde_json::Value>>,
    decision: Option<Decision>,
    status: StatusCode,
) -> Result<Response, PageError> {
    viewer.require(Action::Read)?;
    let reach = &viewer.caller.reach;
    let sys = state.store.system_in(reach, code).await?;
    let history = state.store.system_history_in(reach, &sys.code).await?;
    let ctx = viewer.ctx();
    let rulesets = load_rulesets(&state.kb).map_err(|e| {
        tracing::error!(error = %e, "knowledge base");
        PageError(ApiError::internal())
    })?;
    let set = ruleset_in_force(&rulesets, camguard_store::today()).or(rulesets.first());
    let stored = sys.answers.as_ref().and_then(serde_json::Value::as_object);
    let answers = answers.or(stored);
    let en = viewer.lang == Lang::En;
    let questions = set
        .map(|s| {
            s.questions
                .iter()
                .map(|q| {
                    let given = answers.and_then(|a| a.get(&q.id));
                    let chosen = |opt: &str| match given {
                        Some(serde_json::Value::String(v)) => v == opt,
                        Some(serde_json::Value::Array(vs)) => {
                            vs.iter().any(|v| v.as_str() == Some(opt))
                        }
                        _ => false,
                    };
                    FormQuestion {
                        id: q.id.clone(),
                        kind: match q.kind {
                            QuestionKind::Choice => "choice",
                            QuestionKind::Set => "set",
                            QuestionKind::Number => "number",
                            QuestionKind::Bool => "bool",
                        },
                        prompt: if en { &q.prompt_en } else { &q.prompt_vi }.clone(),
                        required: q.required,
                        options: q
                            .options
                            .iter()
                            .map(|o| {
                                (
                                    o.id.clone(),
                                    if en { &o.label_en } else { &o.label_vi }.clone(),
                                    chosen(&o.id),
                                )
                            })
                            .collect(),
                        value: match given {
                            Some(serde_json::Value::Number(n)) => n.to_string(),
                            Some(serde_json::Value::Bool(b)) => b.to_string(),
                            _ => String::new(),
                        },
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let role = viewer.caller.user.role;
    let mut moves = Vec::new();
    for (to, allowed) in [
        (DossierState::Submitted, role.may(Action::ManageSystems)),
        (DossierState::Appraised, role.may(Action::ApproveDossiers)),
        (DossierState::Approved, role.may(Action::ApproveDossiers)),
        (
            DossierState::Draft,
            role.may(Action::ManageSystems) || role.may(Action::ApproveDossiers),
        ),
    ] {
        if allowed && to != sys.dossier_state && sys.dossier_state.may_move_to(to, sys.level) {
            moves.push((
                to.as_str().to_string(),
                ctx.t1(
                    "system-move",
                    "state",
                    ctx.t(&format!("dossier-{}", to.as_str())),
                ),
            ));
        }
    }
    let page = SystemPage {
        dossier_label: ctx.t(&format!("dossier-{}", sys.dossier_state.as_str())),
        reasons: reasons_of(sys.reasons.as_ref(), viewer.lang),
        ruleset: set
            .map(|s| if en { &s.title_en } else { &s.title_vi }.clone())
            .unwrap_or_default(),
        questions,
        may_answer: role.may(Action::ManageSystems),
        moves,
        history,
        decision,
        today: day_text(camguard_store::today()),
        sys,
        ctx,
    };
    render(status, &page)
}

/// `GET /systems/{code}`.
pub async fn system(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    system_page(&state, &viewer, &code, None, None, StatusCode::OK).await
}

/// The questionnaire's answers from the form's `q.<id>` fields, by the questions' kinds.
fn answers_from(
    form: &Fields,
    questions: &[camguard_registry::level::Question],
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for q in questions {
        let name = format!("q.{}", q.id);
        let values: Vec<&str> = form
            .iter()
            .filter(|(k, v)| *k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect();
        let v = match q.kind {
            QuestionKind::Set => Some(json!(values)),
            _ if values.is_empty() => None,
            QuestionKind::Choice => Some(json!(values[0])),
            QuestionKind::Bool => Some(json!(values[0] == "true")),
            QuestionKind::Number => Some(
                values[0]
                    .parse::<u64>()
                    .map(|n| json!(n))
                    .or_else(|_| values[0].parse::<f64>().map(|n| json!(n)))
                    .unwrap_or_else(|_| json!(values[0])),
            ),
        };
        if let Some(v) = v {
            out.insert(q.id.clone(), v);
        }
    }
    out
}

/// `POST /systems/{code}/level`: the questionnaire, decided (and stored unless `dry_run`)
/// exactly as `POST /api/v1/systems/{code}/level`; the page shows the level and its reasons.
pub async fn level(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let sys = state.store.system_in(&viewer.caller.reach, &code).await?;
    viewer.require(Action::ManageSystems)?;
    let rulesets = load_rulesets(&state.kb).map_err(|e| {
        tracing::error!(error = %e, "knowledge base");
        PageError(ApiError::internal())
    })?;
    let questions = ruleset_in_force(&rulesets, camguard_store::today())
        .or(rulesets.first())
        .map(|s| s.questions.clone())
        .unwrap_or_default();
    let answers = answers_from(&form, &questions);
    let dry_run = field(&form, "dry_run") == Some("true");
    let code = sys.code.clone();
    let answer = decide_level(
        &state,
        &viewer.caller,
        sys,
        LevelRequest {
            answers: answers.clone(),
            ruleset: None,
            dry_run,
        },
    )
    .await?;
    let decision = Decision {
        level: answer.decision.level,
        stored: answer.stored,
        reasons: answer
            .decision
            .reasons
            .into_iter()
            .map(|r| {
                (
                    r.level,
                    r.article,
                    if viewer.lang == Lang::En {
                        r.text_en
                    } else {
                        r.text_vi
                    },
                )
            })
            .collect(),
    };
    system_page(
        &state,
        &viewer,
        &code,
        Some(&answers),
        Some(decision),
        StatusCode::OK,
    )
    .await
}

/// `POST /systems/{code}/dossier`: a move of the dossier, with the rights of the API's.
pub async fn dossier(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    let sys = state.store.system_in(&viewer.caller.reach, &code).await?;
    let role = viewer.caller.user.role;
    if !(role.may(Action::ManageSystems) || role.may(Action::ApproveDossiers)) {
        return Err(ApiError::forbidden().into());
    }
    let text = |k: &str| {
        field(&form, k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
    };
    move_dossier(
        &state,
        &viewer.caller,
        &sys,
        DossierRequest {
            state: text("state").unwrap_or_default(),
            date: text("date"),
            by: None,
            reference: text("reference"),
        },
    )
    .await?;
    Ok(see_other(&format!("/systems/{}", super::encode(&sys.code))))
}

// ---------------------------------------------------------------------------------------------
// Audit log

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    entries: Vec<AuditEntry>,
    next: Option<String>,
    first: bool,
}

#[derive(serde::Deserialize)]
pub struct CursorParam {
    cursor: Option<String>,
}

/// `GET /audit`: the audit log in reach (auditors and admins), 50 entries a page, with the
/// store's cursor.
pub async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CursorParam>,
) -> Result<Response, PageError> {
    viewer.require(Action::ReadAudit)?;
    let cursor = crate::api::cursor(&crate::dto::Paging {
        limit: None,
        cursor: q.cursor.clone(),
    })?;
    let page = state
        .store
        .audit_page(&viewer.caller.reach, None, 50, cursor)
        .await?;
    render(
        StatusCode::OK,
        &AuditPage {
            ctx: viewer.ctx(),
            entries: page.items,
            next: page.next.map(|n| n.to_string()),
            first: cursor.is_none(),
        },
    )
    .map(IntoResponse::into_response)
}
