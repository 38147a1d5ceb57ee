//! `camguard serve`: the shared, multi-user service over the registry store.
//!
//! ```text
//! request ─▶ localize (errors as JSON, vi/en) ─▶ limits (body, time) ─▶ router
//!            ├─ /api/v1/… (JSON)        └─ /… the dashboard's pages ([`web`], HTML)
//!            └─ Caller (session cookie + CSRF, or bearer token) ─▶ role check ─▶ store(reach)
//! ```
//!
//! The API is the contract of docs/spec/api.md; its OpenAPI 3.1 document is generated from
//! the handlers ([`openapi`]) and committed as `docs/openapi.json`. Tenancy is enforced in the
//! store's queries (`camguard_store::Reach`), not here.
#![forbid(clippy::print_stdout, clippy::print_stderr)]

pub mod api;
pub mod auth;
pub mod dto;
pub mod error;
pub mod kept;
pub mod registry_api;
pub mod reports;
pub mod scans;
pub mod views;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use camguard_store::Store;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use auth::ThrottleConfig;

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
    #[error("scan jobs: {0}")]
    Jobs(String),
}

/// How to serve.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    /// Certificate chain and private key (PEM) for HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// How long a login session lives.
    pub session_ttl: Duration,
    /// The largest request body (an inventory upload is the largest expected).
    pub body_limit: usize,
    /// The longest a request may take (server-sent event streams excepted).
    pub request_timeout: Duration,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub grace: Duration,
    pub throttle: ThrottleConfig,
    /// Scan workers in this process (0: only queue; `camguard-worker` processes run them).
    pub workers: usize,
    /// How often workers tell the queue they are alive; a worker silent for two of these is
    /// taken for dead and its scans are resumed by another.
    pub heartbeat: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls: None,
            session_ttl: Duration::from_secs(8 * 3600),
            body_limit: 32 << 20,
            request_timeout: Duration::from_secs(60),
            grace: Duration::from_secs(30),
            throttle: ThrottleConfig::default(),
            workers: 2,
            heartbeat: Duration::from_secs(30),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub kb: Arc<camguard_kb::Kb>,
    pub throttle: Arc<auth::LoginThrottle>,
    pub config: Arc<StateConfig>,
    pub jobs: camguard_jobs::Jobs,
    /// The computed compliance status, shared by callers ([`views::StatusCache`]).
    pub status: Arc<views::StatusCache>,
}

impl AppState {
    /// Everything handlers share, with the job queue opened on the store's database.
    pub async fn new(
        store: Store,
        kb: camguard_kb::Kb,
        config: &ServeConfig,
    ) -> Result<AppState, ServiceError> {
        let kb = Arc::new(kb);
        let jobs = camguard_jobs::Jobs::open_with(
            &store,
            camguard_jobs::JobConfig {
                heartbeat: config.heartbeat,
                kb: Some(kb.clone()),
                ..camguard_jobs::JobConfig::default()
            },
        )
        .await
        .map_err(|e| ServiceError::Jobs(e.to_string()))?;
        Ok(AppState {
            store,
            kb,
            jobs,
            status: Arc::new(views::StatusCache::default()),
            throttle: Arc::new(auth::LoginThrottle::new(config.throttle)),
            config: Arc::new(StateConfig {
                session_ttl: config.session_ttl,
                tls: config.tls.is_some(),
            }),
        })
    }
}

/// The settings handlers read.
#[derive(Debug)]
pub struct StateConfig {
    pub session_ttl: Duration,
    /// Cookies get `Secure`.
    pub tls: bool,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "camguard",
        description = "The HTTP API of `camguard serve` (docs/spec/api.md): the camera registry, findings, scans and the audit log of Directive 23/CT-TTg, for units, regulators, ISPs, assessors and auditors. Errors are `{\"error\": {\"code\", \"message\"}}`, the message in Vietnamese or English by `Accept-Language`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&Security),
    tags(
        (name = "service", description = "Health and the API description"),
        (name = "session", description = "Logging in and API tokens"),
        (name = "registry", description = "Organisations, status, inventory"),
        (name = "findings", description = "Findings and their lifecycle"),
        (name = "scans", description = "Scans as durable jobs"),
        (name = "audit", description = "The audit log"),
        (name = "reports", description = "Reports to hand upward (PDF and XLSX)")
    )
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(auth::SESSION_COOKIE))),
        );
        // OpenAPI 3.1 requires every response to have a description: the status's reason
        // phrase where the handler gives none.
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                for (code, r) in &mut op.responses.responses {
                    if let utoipa::openapi::RefOr::T(r) = r
                        && r.description.is_empty()
                    {
                        r.description = code
                            .parse::<u16>()
                            .ok()
                            .and_then(|c| axum::http::StatusCode::from_u16(c).ok())
                            .and_then(|c| c.canonical_reason())
                            .unwrap_or("Answer")
                            .to_string();
                    }
                }
            }
        }
        openapi.security = Some(vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(api::healthz))
        .routes(routes!(api::login))
        .routes(routes!(api::logout))
        .routes(routes!(api::me))
        .routes(routes!(api::create_token))
        .routes(routes!(api::orgs, api::create_org))
        .routes(routes!(api::org))
        .routes(routes!(api::record_duty))
        .routes(routes!(api::set_regulation))
        .routes(routes!(api::status))
        .routes(routes!(api::cameras))
        .routes(routes!(api::import_cameras))
        .routes(routes!(api::findings))
        .routes(routes!(api::fix))
        .routes(routes!(api::accept))
        .routes(routes!(api::reopen))
        .routes(routes!(api::audit))
        .routes(routes!(scans::create, scans::list))
        .routes(routes!(scans::get, scans::cancel))
        .routes(routes!(scans::hosts))
        .routes(routes!(scans::events))
        .routes(routes!(registry_api::systems, registry_api::create_system))
        .routes(routes!(registry_api::plan))
        .routes(routes!(registry_api::system))
        .routes(routes!(registry_api::level))
        .routes(routes!(registry_api::dossier))
        .routes(routes!(registry_api::catalogue))
        .routes(routes!(registry_api::check))
        .routes(routes!(registry_api::import_catalogue))
        .routes(routes!(registry_api::deadlines))
        .routes(routes!(reports::unit))
        .routes(routes!(reports::province))
}

/// The OpenAPI 3.1 document of the API (served at `/api/v1/openapi.json`, committed as
/// `docs/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

/// The whole application.
pub fn app(state: AppState, config: &ServeConfig) -> Router {
    let (router, doc) = api_router().split_for_parts();
    let doc = Arc::new(doc.to_pretty_json().unwrap_or_default());
    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        doc.as_str().to_owned(),
                    )
                }
            }),
        )
        // The dashboard's pages at `/` (not in the OpenAPI document).
        .merge(web::router(state.clone()))
        .fallback(web::fallback)
        .with_state(state)
        .layer(axum::middleware::from_fn(no_nul))
        .layer(axum::middleware::from_fn(error::localize))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            config.body_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            config.request_timeout,
            time_limit,
        ))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "no-referrer"))
        .layer(header("cache-control", "no-store"))
        .layer(header(
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Answer `408` to a request that takes longer than the limit; server-sent event streams
/// (`…/events`) run as long as their scan.
/// Refuse (`400`) a path or query holding an encoded NUL: no name, code or filter holds one,
/// and PostgreSQL refuses it in text (a `500` otherwise).
async fn no_nul(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri = req.uri();
    let nul = |s: &str| s.to_ascii_lowercase().contains("%00") || s.contains('\0');
    if nul(uri.path()) || uri.query().is_some_and(nul) {
        return error::ApiError::bad_request(
            "Địa chỉ yêu cầu chứa ký tự NUL.",
            "The request's path or query contains a NUL character.",
        )
        .into_response();
    }
    next.run(req).await
}

async fn time_limit(
    axum::extract::State(limit): axum::extract::State<Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if req.uri().path().ends_with("/events") {
        return next.run(req).await;
    }
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => axum::http::StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

/// A bound, not yet serving, service.
pub struct Server {
    listener: std::net::TcpListener,
    config: ServeConfig,
    state: AppState,
}

impl Server {
    /// Open the job queue and bind the listening socket (so that the caller can print the
    /// address before serving).
    pub async fn bind(
        store: Store,
        kb: camguard_kb::Kb,
        config: ServeConfig,
    ) -> Result<Server, ServiceError> {
        let state = AppState::new(store, kb, &config).await?;
        let listener =
            std::net::TcpListener::bind(config.listen).map_err(|source| ServiceError::Bind {
                addr: config.listen,
                source,
            })?;
        listener.set_nonblocking(true)?;
        Ok(Server {
            listener,
            config,
            state,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serve until `shutdown` resolves; then stop accepting, let in-flight requests finish
    /// (up to the grace period) and return.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServiceError> {
        let app = app(self.state.clone(), &self.config)
            .into_make_service_with_connect_info::<SocketAddr>();
        let handle = axum_server::Handle::new();
        let grace = self.config.grace;
        let h = handle.clone();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stop_tx = Arc::new(stop_tx);
        let stop = stop_tx.clone();
        tokio::spawn(async move {
            shutdown.await;
            h.graceful_shutdown(Some(grace));
            let _ = stop.send(true);
        });
        // Scan workers stop with the service: running scans are checkpointed and put back in
        // the queue, and the next start resumes them.
        let workers = (self.config.workers > 0).then(|| {
            let jobs = self.state.jobs.clone();
            let n = self.config.workers;
            let mut rx = stop_rx.clone();
            tokio::spawn(async move {
                let stop = async move {
                    let _ = rx.wait_for(|s| *s).await;
                };
                if let Err(e) = jobs.run(n, stop).await {
                    tracing::error!(error = %e, "scan workers stopped");
                }
            })
        });
        let throttle = self.state.throttle.clone();
        let store = self.state.store.clone();
        let sweeper = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            let mut minutes = 0u32;
            loop {
                tick.tick().await;
                throttle.forget_idle();
                // The query planner's statistics, hourly (imports and scans change the tables'
                // sizes by orders of magnitude; SQLite's advice for long-lived processes).
                minutes += 1;
                if minutes.is_multiple_of(60)
                    && let Err(e) = store.optimize().await
                {
                    tracing::warn!(error = %e, "PRAGMA optimize");
                }
            }
        });
        let served = match &self.config.tls {
            Some((cert, key)) => {
                // One process-wide provider (ring, as the scanner's TLS uses); already set is fine.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                    .await
                    .map_err(|e| {
                        ServiceError::Tls(format!("{} / {}: {e}", cert.display(), key.display()))
                    })?;
                axum_server::from_tcp_rustls(self.listener, tls)?
                    .handle(handle)
                    .serve(app)
                    .await
            }
            None => {
                axum_server::from_tcp(self.listener)?
                    .handle(handle)
                    .serve(app)
                    .await
            }
        };
        sweeper.abort();
        // However the server stopped, the workers stop with it.
        let _ = stop_tx.send(true);
        if let Some(w) = workers {
            let _ = w.await;
        }
        served.map_err(ServiceError::Io)
    }
}
