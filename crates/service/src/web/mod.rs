//! The dashboard: server-rendered pages (askama templates compiled in, `templates/`) with
//! htmx for the small interactive parts, beside the JSON API of `/api/v1`.
//!
//! ```text
//! GET page ─▶ Viewer (session cookie, else 303 /login) ─▶ store(reach) ─▶ template ─▶ HTML
//! POST     ─▶ csrf (session's token, from `_csrf` or X-CSRF-Token) ─▶ Viewer ─▶ … ─▶ 303/fragment
//! errors   ─▶ PageError ─▶ error page in the viewer's language (cookie `camguard_lang`)
//! ```
//!
//! The pages use the same session, CSRF token, login throttle and store functions as the API
//! (`api::sign_in`, `Store::*_in(&Reach, …)`): an object outside the viewer's reach is a 404
//! page exactly as the API answers 404, and no template filters anything. Every asset is
//! embedded ([`assets`]); pages reference nothing outside the service.

pub mod assets;
mod cameras;
mod catalogue;
mod i18n;
mod inventory;
mod pages;
mod scans;
mod session;
mod svg;

use crate::AppState;
use crate::auth::{Caller, SESSION_COOKIE, Via, client_addr, cookie};
use crate::error::{ApiError, Lang};
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use camguard_auth::{Action, Role};
use camguard_store::StoreError;
use subtle::ConstantTimeEq;

/// The cookie that keeps the chosen language (`vi` or `en`; Vietnamese when absent).
pub const LANG_COOKIE: &str = "camguard_lang";
/// The anti-forgery token of a browser that is not signed in (the login and language forms).
pub const PRE_COOKIE: &str = "camguard_pre";
/// The form field that carries the CSRF token of a plain form.
pub const CSRF_FIELD: &str = "_csrf";

/// The security policy of every page: only this service's own scripts, styles and forms.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The dashboard's routes (mounted at `/`, beside `/api/v1`; not in the OpenAPI document).
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route(
            "/password",
            get(session::password_page).post(session::change_password),
        )
        .route("/lang", post(session::set_lang))
        .route(
            "/tokens",
            get(session::tokens_page).post(session::create_token),
        )
        .route("/tokens/{id}/revoke", post(session::revoke_token))
        .route("/overview", get(pages::overview))
        .route("/units/{code}", get(pages::unit))
        .route("/units/{code}/urge", post(pages::urge))
        .route("/systems/{code}", get(pages::system))
        .route("/systems/{code}/level", post(pages::level))
        .route("/systems/{code}/dossier", post(pages::dossier))
        .route("/audit", get(pages::audit))
        // Cameras, scans, inventory import, catalogue (web/{cameras,scans,inventory,catalogue}.rs).
        .route("/cameras", get(cameras::list))
        .route("/cameras/{id}", get(cameras::camera))
        .route("/findings/{id}/{action}", post(cameras::change))
        .route("/scans", get(scans::list).post(scans::launch))
        .route("/scans/{id}", get(scans::scan))
        .route("/scans/{id}/progress", get(scans::progress_fragment))
        .route("/import", get(inventory::page).post(inventory::upload))
        .route("/catalogue", get(catalogue::search))
        .route("/catalogue/check", post(catalogue::check))
        .route("/catalogue/import", post(catalogue::import))
        .route_layer(axum::middleware::from_fn_with_state(state, csrf))
        .route_layer(axum::middleware::from_fn(error_pages))
        .route("/assets/{hash}/{name}", get(assets::serve))
}

/// The answer to a path no route serves: an error page for a browser (one that accepts
/// `text/html`) outside `/api/`, the API's JSON `not_found` otherwise.
pub async fn fallback(req: Request) -> Response {
    let browser = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !browser || req.uri().path().starts_with("/api/") {
        return ApiError::not_found("no such route").into_response();
    }
    let lang = lang_of(req.headers());
    error_page(&ApiError::not_found("no such page"), lang)
}

// ---------------------------------------------------------------------------------------------
// Language and layout

/// The viewer's language: the cookie's, Vietnamese by default.
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    }
}

/// What the layout of every page needs.
pub struct Ctx {
    pub lang: Lang,
    /// The CSRF token forms and htmx requests carry (empty: no form on the page).
    pub csrf: String,
    pub user: Option<NavUser>,
    /// This page's path (the language switch comes back to it).
    pub path: String,
}

/// The signed-in account, as the navigation shows it.
pub struct NavUser {
    pub username: String,
    pub role: Role,
    pub org: Option<String>,
}

impl Ctx {
    /// A message in the page's language.
    pub fn t(&self, id: &str) -> String {
        i18n::message(self.lang, id, &[])
    }

    /// A message with one argument.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        i18n::message(
            self.lang,
            id,
            &[(name, fluent_bundle::FluentValue::from(value.to_string()))],
        )
    }

    /// A message with a number argument (plural forms).
    pub fn tn(&self, id: &str, name: &str, n: impl std::fmt::Display) -> String {
        // Templates pass references of any depth; a number prints as itself.
        let n: i64 = n.to_string().parse().unwrap_or_default();
        i18n::message(
            self.lang,
            id,
            &[(name, fluent_bundle::FluentValue::from(n))],
        )
    }

    /// `vi` or `en`, for `<html lang>`.
    pub fn lang_code(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The other language's code and name, for the switch.
    pub fn other_lang(&self) -> (&'static str, &'static str) {
        match self.lang {
            Lang::Vi => ("en", "English"),
            Lang::En => ("vi", "Tiếng Việt"),
        }
    }

    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }

    /// The `hx-headers` attribute's JSON: htmx sends the CSRF token with every request.
    pub fn hx_headers(&self) -> String {
        format!("{{\"{}\": \"{}\"}}", crate::auth::CSRF_HEADER, self.csrf)
    }

    fn role_may(&self, action: Action) -> bool {
        self.user.as_ref().is_some_and(|u| u.role.may(action))
    }

    /// The audit log is in the navigation (auditors and admins).
    pub fn may_audit(&self) -> bool {
        self.role_may(Action::ReadAudit)
    }

    /// The province overview is in the navigation (every role but a unit's officer).
    pub fn sees_overview(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role != Role::Unit)
    }

    /// The viewer's own organisation (its unit page is in the navigation).
    pub fn own_org(&self) -> Option<&str> {
        self.user.as_ref().and_then(|u| u.org.as_deref())
    }

    pub fn username(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.username.as_str())
    }

    pub fn role_name(&self) -> String {
        self.user.as_ref().map_or_else(String::new, |u| {
            self.t(&format!("role-{}", u.role.as_str()))
        })
    }
}

/// An HTML page (`text/html`, the page security policy, never cached).
pub fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Render a template as a page.
pub fn render(status: StatusCode, t: &impl Template) -> Result<Response, PageError> {
    let body = t.render().map_err(|e| {
        tracing::error!(error = %e, "template");
        PageError(ApiError::internal())
    })?;
    Ok(html(status, body))
}

/// `303 See Other` to a path of this service (after a form's POST).
pub fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// A path to come back to after logging in: only a path of this service.
pub fn local_path(next: Option<&str>) -> String {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && n.len() <= 512
            && n.bytes().all(|b| b.is_ascii_graphic())
    })
    .unwrap_or("/")
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A failed page: rendered as an error page in the viewer's language by `error_pages`.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        PageError(e)
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        PageError(ApiError::from(e))
    }
}

impl From<crate::views::ViewError> for PageError {
    fn from(e: crate::views::ViewError) -> PageError {
        match e {
            crate::views::ViewError::Store(s) => PageError::from(s),
            crate::views::ViewError::Kb(k) => {
                tracing::error!(error = %k, "knowledge base");
                PageError(ApiError::internal())
            }
        }
    }
}

/// The mark of a response [`error_pages`] writes.
#[derive(Clone)]
struct ErrorMark(ApiError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut r = self.0.status.into_response();
        r.extensions_mut().insert(ErrorMark(self.0));
        r
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: Ctx,
    status: u16,
    title: String,
    message: &'a str,
}

fn error_page(e: &ApiError, lang: Lang) -> Response {
    let ctx = Ctx {
        lang,
        csrf: String::new(),
        user: None,
        path: "/".into(),
    };
    let title = ctx.t(&format!("error-{}", e.status.as_u16()));
    let title = if title.starts_with("error-") {
        ctx.t("error-other")
    } else {
        title
    };
    let page = ErrorPage {
        status: e.status.as_u16(),
        title,
        message: match lang {
            Lang::Vi => &e.vi,
            Lang::En => &e.en,
        },
        ctx,
    };
    let body = page.render().unwrap_or_else(|_| e.en.clone());
    let mut r = html(e.status, body);
    if let Some(s) = e.retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    r
}

/// Write a [`PageError`] as an error page in the viewer's language.
async fn error_pages(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let res = next.run(req).await;
    match res.extensions().get::<ErrorMark>() {
        Some(ErrorMark(e)) => error_page(e, lang),
        None => res,
    }
}

// ---------------------------------------------------------------------------------------------
// The page session

/// A signed-in viewer of pages: the caller (as the API sees it), its session's CSRF token and
/// language. Not signed in: `303` to the login page (htmx: `HX-Redirect`).
pub struct Viewer {
    pub caller: Caller,
    pub csrf: String,
    pub lang: Lang,
    pub path: String,
}

impl Viewer {
    pub fn ctx(&self) -> Ctx {
        Ctx {
            lang: self.lang,
            csrf: self.csrf.clone(),
            user: Some(NavUser {
                username: self.caller.user.username.clone(),
                role: self.caller.user.role,
                org: self.caller.user.org.clone(),
            }),
            path: self.path.clone(),
        }
    }

    /// Refuse (403 page) an action the viewer's role does not allow.
    pub fn require(&self, action: Action) -> Result<(), PageError> {
        self.caller.require(action).map_err(PageError)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", axum::http::uri::PathAndQuery::as_str)
            .to_string();
        let session = match cookie(&parts.headers, SESSION_COOKIE).filter(|c| c.len() <= 256) {
            Some(id) => state
                .store
                .session(id)
                .await
                .map_err(|e| PageError::from(e).into_response())?,
            None => None,
        };
        let Some(s) = session else {
            let back = if parts.method == Method::GET {
                format!("/login?next={}", encode(&path))
            } else {
                "/login".to_string()
            };
            if parts.headers.contains_key("hx-request") {
                let mut r = StatusCode::NO_CONTENT.into_response();
                if let Ok(v) = HeaderValue::from_str(&back) {
                    r.headers_mut().insert("hx-redirect", v);
                }
                return Err(r);
            }
            return Err(see_other(&back));
        };
        let reach = state
            .store
            .reach_of(&s.user)
            .await
            .map_err(|e| PageError::from(e).into_response())?;
        Ok(Viewer {
            caller: Caller {
                user: s.user,
                reach,
                client: client_addr(parts),
                via: Via::Session,
            },
            csrf: s.csrf_token,
            lang,
            path,
        })
    }
}

/// Percent-encode a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Decode a percent-encoded form value (`+` is a space).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every POST of a page carries the anti-forgery token: the session's (the one the API's
/// `X-CSRF-Token` checks), or before login the `camguard_pre` cookie's; sent as the
/// `X-CSRF-Token` header (htmx, `hx-headers`) or the `_csrf` field of a plain form.
async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let session = match cookie(req.headers(), SESSION_COOKIE).filter(|c| c.len() <= 256) {
        Some(id) => match state.store.session(id).await {
            Ok(s) => s.map(|s| s.csrf_token),
            Err(e) => return PageError::from(e).into_response(),
        },
        None => None,
    };
    let expected = session.or_else(|| {
        cookie(req.headers(), PRE_COOKIE)
            .filter(|c| (16..=128).contains(&c.len()))
            .map(String::from)
    });
    let header_token = req
        .headers()
        .get(crate::auth::CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("multipart/form-data"))
        .and_then(|v| multer::parse_boundary(v).ok());
    let (req, sent) = match header_token {
        Some(t) => (req, Some(t)),
        // An upload sent without script (a plain multipart form): the token is its `_csrf`
        // field. The body is already bounded by the service's body limit (an outer layer).
        None if boundary.is_some() => {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
                return PageError(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "Nội dung gửi lên vượt quá giới hạn.",
                    "The request body is over the size limit.",
                ))
                .into_response();
            };
            let sent = match boundary {
                Some(b) => multipart_token(bytes.clone(), b).await,
                None => None,
            };
            (
                Request::from_parts(parts, axum::body::Body::from(bytes)),
                sent,
            )
        }
        None if form => {
            let (parts, body) = req.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
                return PageError(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "Nội dung gửi lên vượt quá giới hạn.",
                    "The request body is over the size limit.",
                ))
                .into_response();
            };
            let sent = String::from_utf8_lossy(&bytes)
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == CSRF_FIELD)
                .map(|(_, v)| decode(v));
            (
                Request::from_parts(parts, axum::body::Body::from(bytes)),
                sent,
            )
        }
        None => (req, None),
    };
    let ok = match (expected, sent) {
        (Some(e), Some(s)) => bool::from(e.as_bytes().ct_eq(s.as_bytes())),
        _ => false,
    };
    if !ok {
        return PageError(ApiError::csrf()).into_response();
    }
    next.run(req).await
}

/// The `_csrf` field of a multipart body (the forms put it first; the parts before it are
/// skipped, not kept).
async fn multipart_token(body: axum::body::Bytes, boundary: String) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut parts = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = parts.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok().filter(|t| t.len() <= 256);
        }
    }
    None
}

/// The form value of a urlencoded body's field (after the `csrf` layer has checked the token).
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(local_path(Some("/units/HN?x=1")), "/units/HN?x=1");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn form_values_are_decoded() {
        assert_eq!(decode("a+b%2Fc%"), "a b/c%");
        assert_eq!(decode("%C3%A0"), "à");
        assert_eq!(encode("/a b?c=d"), "/a%20b%3Fc%3Dd");
    }
}
