//! The inventory import by upload: the API's own import (`api::import_inventory`), its report
//! shown in full: every rejected row with its line and reason, and the warnings.

use super::{Ctx, PageError, Viewer, render};
use crate::AppState;
use crate::dto::ImportAnswer;
use crate::error::{ApiError, Lang};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use camguard_auth::Action;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: Ctx,
    /// (code, name) of the organisations in reach.
    orgs: Vec<(String, String)>,
    org: String,
    report: Option<ImportAnswer>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "import_report.html")]
struct ImportReport {
    ctx: Ctx,
    report: Option<ImportAnswer>,
    error: Option<String>,
}

/// `GET /import`.
pub async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    viewer.require(Action::ImportInventory)?;
    import_page(&state, &viewer, String::new(), None, None, StatusCode::OK).await
}

async fn import_page(
    state: &AppState,
    viewer: &Viewer,
    org: String,
    report: Option<ImportAnswer>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let orgs = state.store.org_names_in(&viewer.caller.reach).await?;
    let org = if org.is_empty() {
        viewer.caller.user.org.clone().unwrap_or_default()
    } else {
        org
    };
    render(
        status,
        &ImportPage {
            ctx: viewer.ctx(),
            orgs,
            org,
            report,
            error,
        },
    )
}

/// `POST /import` (multipart: `org`, `file`; the CSRF token in `X-CSRF-Token`, as htmx sends
/// it, or in the form's `_csrf` field without script): the import of `POST /api/v1/cameras/import`. htmx gets the report fragment.
pub async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let mut org = String::new();
    let mut file = None;
    while let Some(f) = form
        .next_field()
        .await
        .map_err(|e| crate::api::unreadable(&e))?
    {
        match f.name() {
            Some("org") => {
                org = f
                    .text()
                    .await
                    .map_err(|e| crate::api::unreadable(&e))?
                    .trim()
                    .to_string();
            }
            Some("file") => {
                let name = f.file_name().unwrap_or("inventory.csv").to_string();
                let bytes = f.bytes().await.map_err(|e| crate::api::unreadable(&e))?;
                if !bytes.is_empty() {
                    file = Some((name, bytes));
                }
            }
            _ => {}
        }
    }
    // Out of reach is 404 whatever the role; then the role's right (as the API).
    state.store.org_in(&viewer.caller.reach, &org).await?;
    viewer.require(Action::ImportInventory)?;
    let result = match file {
        Some((name, bytes)) => {
            crate::api::import_inventory(&state, &viewer.caller, &org, name, bytes).await
        }
        None => Err(ApiError::bad_request(
            "Chưa chọn tệp danh mục camera.",
            "No inventory file was chosen.",
        )),
    };
    let (report, error, status) = match result {
        Ok(r) => (Some(r), None, StatusCode::OK),
        Err(e) if e.status == StatusCode::BAD_REQUEST => {
            let msg = match viewer.lang {
                Lang::Vi => e.vi,
                Lang::En => e.en,
            };
            (None, Some(msg), StatusCode::BAD_REQUEST)
        }
        Err(e) => return Err(e.into()),
    };
    if headers.contains_key("hx-request") {
        // htmx swaps a 2xx answer only: a refused file is the report with its message.
        return render(
            StatusCode::OK,
            &ImportReport {
                ctx: viewer.ctx(),
                report,
                error,
            },
        );
    }
    import_page(&state, &viewer, org, report, error, status).await
}

impl Ctx {
    /// The inventory import is in the navigation (the roles that may import).
    pub fn may_import(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.may(Action::ImportInventory))
    }
}
