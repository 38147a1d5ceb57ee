//! The catalogue of certified and warned models: search (a page at a time), the procurement
//! check (the API's own `registry_api::check_model`) and the import (admins and regulators,
//! `registry_api::import_catalogue_file`) with its per-row report.

use super::{Ctx, PageError, Viewer, field, render};
use crate::AppState;
use crate::error::{ApiError, Lang};
use crate::registry_api::{CatalogueImportAnswer, CheckAnswer};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use camguard_auth::Action;
use camguard_store::CatalogueRow;

type Fields = Vec<(String, String)>;

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    ctx: Ctx,
    q: String,
    q_query: String,
    entries: Vec<CatalogueRow>,
    next: Option<String>,
    first: bool,
    may_import: bool,
    vendor: String,
    model: String,
    check: Option<CheckAnswer>,
    check_error: Option<String>,
    report: Option<CatalogueImportAnswer>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "catalogue_check.html")]
struct CheckFragment {
    ctx: Ctx,
    check: Option<CheckAnswer>,
    check_error: Option<String>,
}

#[derive(Template)]
#[template(path = "catalogue_report.html")]
struct ReportFragment {
    ctx: Ctx,
    report: Option<CatalogueImportAnswer>,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    cursor: Option<String>,
}

/// What the page shows besides the list.
#[derive(Default)]
struct Extra {
    vendor: String,
    model: String,
    check: Option<CheckAnswer>,
    check_error: Option<String>,
    report: Option<CatalogueImportAnswer>,
    error: Option<String>,
}

async fn catalogue_page(
    state: &AppState,
    viewer: &Viewer,
    q: String,
    cursor: Option<String>,
    extra: Extra,
    status: StatusCode,
) -> Result<Response, PageError> {
    viewer.require(Action::Read)?;
    let cursor = crate::api::cursor(&crate::dto::Paging {
        limit: None,
        cursor: cursor.filter(|c| !c.is_empty()),
    })?;
    let page = state.store.catalogue_search_page(&q, 50, cursor).await?;
    render(
        status,
        &CataloguePage {
            ctx: viewer.ctx(),
            q_query: super::encode(q.trim()),
            q,
            entries: page.items,
            next: page.next.map(|n| n.to_string()),
            first: cursor.is_none(),
            may_import: viewer.caller.user.role.may(Action::ManageCatalogue),
            vendor: extra.vendor,
            model: extra.model,
            check: extra.check,
            check_error: extra.check_error,
            report: extra.report,
            error: extra.error,
        },
    )
}

/// `GET /catalogue?q=…`: the entries whose vendor or model holds the text.
pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    catalogue_page(
        &state,
        &viewer,
        p.q.unwrap_or_default(),
        p.cursor,
        Extra::default(),
        StatusCode::OK,
    )
    .await
}

fn message(lang: Lang, e: ApiError) -> String {
    match lang {
        Lang::Vi => e.vi,
        Lang::En => e.en,
    }
}

/// `POST /catalogue/check`: certified, warned or unknown, as `POST /api/v1/catalogue/check`.
pub async fn check(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    viewer.require(Action::Read)?;
    let vendor = field(&form, "vendor")
        .unwrap_or_default()
        .trim()
        .to_string();
    let model = field(&form, "model").unwrap_or_default().trim().to_string();
    let (check, check_error, status) =
        match crate::registry_api::check_model(&state, vendor.clone(), model.clone()).await {
            Ok(a) => (Some(a), None, StatusCode::OK),
            Err(e) if e.status == StatusCode::BAD_REQUEST => {
                (None, Some(message(viewer.lang, e)), StatusCode::BAD_REQUEST)
            }
            Err(e) => return Err(e.into()),
        };
    if headers.contains_key("hx-request") {
        return render(
            StatusCode::OK,
            &CheckFragment {
                ctx: viewer.ctx(),
                check,
                check_error,
            },
        );
    }
    catalogue_page(
        &state,
        &viewer,
        String::new(),
        None,
        Extra {
            vendor,
            model,
            check,
            check_error,
            ..Extra::default()
        },
        status,
    )
    .await
}

/// `POST /catalogue/import` (multipart `file`; the CSRF token in `X-CSRF-Token`, as htmx
/// sends it): admins and regulators; the per-row report.
pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, PageError> {
    viewer.require(Action::ManageCatalogue)?;
    let result = match crate::api::read_upload(&mut form, "catalogue.csv").await {
        Ok(Some((name, bytes))) if !bytes.is_empty() => {
            crate::registry_api::import_catalogue_file(&state, &viewer.caller, name, bytes).await
        }
        Ok(_) => Err(ApiError::bad_request(
            "Chưa chọn tệp danh mục thiết bị.",
            "No catalogue file was chosen.",
        )),
        Err(e) => Err(e),
    };
    let (report, error, status) = match result {
        Ok(r) => (Some(r), None, StatusCode::OK),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            (None, Some(message(viewer.lang, e)), StatusCode::BAD_REQUEST)
        }
        Err(e) => return Err(e.into()),
    };
    if headers.contains_key("hx-request") {
        return render(
            StatusCode::OK,
            &ReportFragment {
                ctx: viewer.ctx(),
                report,
                error,
            },
        );
    }
    catalogue_page(
        &state,
        &viewer,
        String::new(),
        None,
        Extra {
            report,
            error,
            ..Extra::default()
        },
        status,
    )
    .await
}
