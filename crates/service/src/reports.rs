//! Reports as files (docs/spec/api.md): `GET /api/v1/reports/unit/{code}.pdf|.xlsx` (the unit's
//! assessment report) and `GET /api/v1/reports/province/{code}.pdf|.xlsx` (the provincial report
//! on carrying out Directive 23/CT-TTg), built by camguard-report within the caller's reach
//! and recorded in the audit log (`report.export`). The dashboard links to the same routes.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Lang};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use camguard_auth::Action;
use camguard_report::{DocOptions, Report, ReportError};
use camguard_store::{NewAudit, StoreError};

/// Which report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Unit,
    Province,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Unit => "unit",
            Kind::Province => "province",
        }
    }
}

/// The file's format, from its name's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Xlsx,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
    fn ext(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

/// `CODE.pdf` or `CODE.xlsx`; any other name is not a report (404, as an unknown route).
fn split(file: &str) -> Result<(&str, Format), ApiError> {
    let (code, ext) = file
        .rsplit_once('.')
        .ok_or_else(|| ApiError::not_found("no such report"))?;
    let format = match ext.to_ascii_lowercase().as_str() {
        "pdf" => Format::Pdf,
        "xlsx" => Format::Xlsx,
        _ => return Err(ApiError::not_found("no such report")),
    };
    if code.is_empty() {
        return Err(ApiError::not_found("no such report"));
    }
    Ok((code, format))
}

fn report_error(e: ReportError) -> ApiError {
    match e {
        ReportError::Store(e) => e.into(),
        ReportError::Empty(what) => ApiError::not_found(what),
        e => {
            tracing::error!(error = %e, "report");
            ApiError::internal()
        }
    }
}

/// Build one report for a caller: its bytes and the file name to offer.
pub async fn build(
    state: &AppState,
    caller: &Caller,
    kind: Kind,
    code: &str,
    format: Format,
    lang: Lang,
) -> Result<(Vec<u8>, String), ApiError> {
    // Out of reach is 404 whatever the role; every role that reads may take the report.
    let org = state.store.org_in(&caller.reach, code).await?;
    caller.require(Action::Read)?;
    let today = camguard_store::today();
    let status = crate::views::status_cached(
        &state.status,
        &state.store,
        &state.kb,
        &caller.reach,
        Some(&org.code),
        today,
    )
    .await
    .map_err(|e| match e {
        crate::views::ViewError::Store(e) => ApiError::from(e),
        e @ crate::views::ViewError::Kb(_) => {
            tracing::error!(error = %e, "status for a report");
            ApiError::internal()
        }
    })?;
    let lang = match lang {
        Lang::En => camguard_report::Lang::En,
        Lang::Vi => camguard_report::Lang::Vi,
    };
    let opts = DocOptions::new(today, lang);
    let report: Report = match kind {
        Kind::Unit => {
            camguard_report::gather_unit(
                &state.store,
                &state.kb,
                &caller.reach,
                &org.code,
                &status,
                &opts,
            )
            .await
        }
        Kind::Province => {
            camguard_report::gather_province(
                &state.store,
                &state.kb,
                &caller.reach,
                &org.code,
                &status,
                None,
                &opts,
            )
            .await
        }
    }
    .map_err(report_error)?;
    // Laying out a PDF is seconds of CPU for a province: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Pdf => camguard_report::to_pdf(&report, lang),
        Format::Xlsx => camguard_report::to_xlsx(&report, lang),
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(report_error)?;
    let name = format!(
        "camguard-{}-{}-{today}.{}",
        kind.as_str(),
        org.code,
        format.ext()
    );
    state
        .store
        .append_audit(&NewAudit {
            actor: &caller.actor(),
            action: "report.export",
            subject: &format!("report:{}:{}", kind.as_str(), org.code),
            before: None,
            after: Some(serde_json::json!({"format": format.ext(), "bytes": bytes.len()})),
            org_id: Some(org.id),
        })
        .await
        .map_err(|e: StoreError| ApiError::from(e))?;
    Ok((bytes, name))
}

/// The report as a download.
pub fn file(bytes: Vec<u8>, name: &str, format: Format) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    // Codes are ASCII letters, digits, '-', '_' and '.': the name needs no quoting rules.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn serve(
    state: AppState,
    caller: Caller,
    headers: HeaderMap,
    kind: Kind,
    file_name: String,
) -> Result<Response, ApiError> {
    let (code, format) = split(&file_name)?;
    let (bytes, name) = build(
        &state,
        &caller,
        kind,
        code,
        format,
        Lang::from_headers(&headers),
    )
    .await?;
    Ok(file(bytes, &name, format))
}

/// The unit's assessment report: each camera, its findings, the baseline clauses failed and
/// the remediation, laid out as a Vietnamese administrative document (PDF) or as an annex
/// (XLSX). Vietnamese, or English with `Accept-Language: en`.
#[utoipa::path(get, path = "/api/v1/reports/unit/{file}", tag = "reports",
    params(("file" = String, Path, description = "`CODE.pdf` or `CODE.xlsx`: the organisation's code and the format")),
    responses(
        (status = 200, description = "The report", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn unit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    serve(state, caller, headers, Kind::Unit, file).await
}

/// The provincial report on carrying out Directive 23/CT-TTg: every unit's duties and state,
/// late units, findings by severity and by vendor, cameras uncertified or warned (PDF or XLSX).
#[utoipa::path(get, path = "/api/v1/reports/province/{file}", tag = "reports",
    params(("file" = String, Path, description = "`CODE.pdf` or `CODE.xlsx`: the organisation's code and the format")),
    responses(
        (status = 200, description = "The report", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn province(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    serve(state, caller, headers, Kind::Province, file).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_code_and_format() {
        assert_eq!(split("AG-U.pdf").unwrap(), ("AG-U", Format::Pdf));
        assert_eq!(split("A.B.XLSX").unwrap(), ("A.B", Format::Xlsx));
        assert!(split("AG.docx").is_err());
        assert!(split(".pdf").is_err());
        assert!(split("AG").is_err());
    }
}
