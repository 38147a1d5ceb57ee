//! The registry's store: one boundary, two implementations.
//!
//! [`Store`] is the only way camguard reads or writes the registry. It speaks to an embedded
//! SQLite file (the default: one file, WAL journal, foreign keys on) or to PostgreSQL
//! (`postgres://…`), through sqlx's `Any` driver, with one set of SQL statements written in the
//! subset both understand:
//!
//! * numbered placeholders (`$1`), which SQLite accepts too;
//! * `BIGINT` integers and `TEXT` everywhere else (timestamps RFC 3339 UTC, dates `YYYY-MM-DD`,
//!   booleans 0/1, JSON documents as text), so that both decode to the same Rust types;
//! * one schema text per migration, with the primary-key spelling substituted per backend.
//!
//! Migrations run when a store is opened; a database whose schema is newer than this binary is
//! refused (an old binary must not write into a newer layout).
//!
//! Accounts (`account.rs`: users, API tokens, sessions; hashing in `camguard-auth`) and the
//! hash-chained audit log (`audit.rs`) live here too.
//!
//! The same contract test suite (`tests/contract.rs`) runs against both backends.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

mod account;
mod audit;
mod camera;
mod catalogue;
mod changes;
mod charts;
mod jobs;
mod org;
mod reach;
mod reach_registry;
mod rows;
mod scan;
mod schema;
mod scope;
mod status;
mod system;
mod tally;
mod tree;

pub use account::{MAX_TOKEN_DAYS, NewSession, NewToken, SessionUser, TokenRow, User};
pub use audit::{Actor, AuditBreak, AuditCheck, AuditEntry, AuditProblem, NewAudit};
pub use camera::{CameraFilter, CameraRow, ImportReport};
pub use camguard_auth::{Password, Role, WeakPassword};
pub use catalogue::CatalogueRow;
pub use charts::ChartFacts;
pub use jobs::ScanProgress;
pub use org::{Org, OrgKind};
pub use reach::{CameraQuery, FindingChange, FindingQuery, MAX_PAGE, Page, Reach};
pub use reach_registry::{NewOrg, NewRegulation, NewSystem};
pub use scan::{FindingRow, FindingState, SCAN_LEASE, ScanRow, ScanState, StoredScan};
pub use schema::SCHEMA_VERSION;
pub use scope::{HostOutsideScope, RowWarning};
pub use system::{DossierChange, DossierState, LevelChange, SystemRow};
pub use tally::FindingTally;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::time::Duration;

/// Which database a store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A store error: what went wrong, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the registry database {url}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error(
        "the registry database has schema version {found}, newer than this camguard understands ({SCHEMA_VERSION}); upgrade camguard (the database was not changed)"
    )]
    SchemaTooNew { found: i64 },
    #[error(
        "no registry database at {path} (check --database / CAMGUARD_DATABASE; commands that add data, such as `camguard org add` or `camguard org import`, create it)"
    )]
    Missing { path: String },
    #[error(
        "{path} is not a camguard registry: it is not an SQLite database (nothing was changed)"
    )]
    NotADatabase { path: String },
    #[error(
        "{path} is not a camguard registry: it holds other tables ({tables}) and none of camguard's; give a new or a camguard database (nothing was changed)"
    )]
    Foreign { path: String, tables: String },
    #[error(
        "scan {scan} is being run by another camguard ({holder}, lease until {until}); wait for it to finish, or, if that process is gone, retry after the lease expires"
    )]
    ScanBusy {
        scan: i64,
        holder: String,
        until: String,
    },
    #[error(
        "scan {scan} was taken over by another camguard (this one lost its lease); this run stops storing"
    )]
    LeaseLost { scan: i64 },
    #[error("{0}")]
    OutsideScope(HostOutsideScope),
    /// A target of a scan to queue that the organisation's scope does not allow (outside its
    /// networks, or in a block that is never scanned): nothing was queued.
    #[error("{0}")]
    TargetRefused(camguard_model::scope::Refusal),
    #[error("the registry database holds a corrupt record: {0}")]
    Corrupt(String),
    #[error("registry database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// A password the policy refuses (`WeakPassword::vi` gives the reason in Vietnamese).
    #[error("weak password: {0}")]
    WeakPassword(camguard_auth::WeakPassword),
    #[error("{0}")]
    Auth(#[from] camguard_auth::AuthError),
}

impl StoreError {
    pub(crate) fn not_found(what: impl std::fmt::Display) -> Self {
        StoreError::NotFound(what.to_string())
    }
    pub(crate) fn invalid(what: impl std::fmt::Display) -> Self {
        StoreError::Invalid(what.to_string())
    }
    /// True when the store refused something outside an organisation's scope (exit status 3
    /// in the contract, like the scan command's own scope refusals).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            StoreError::OutsideScope(_) | StoreError::TargetRefused(_)
        )
    }
    /// True for errors caused by the request or the setup (unknown organisation, bad value,
    /// duplicate code, a database that cannot be opened or is too new), as opposed to the
    /// database failing mid-way.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::Open { .. }
                | StoreError::Missing { .. }
                | StoreError::NotADatabase { .. }
                | StoreError::Foreign { .. }
                | StoreError::ScanBusy { .. }
                | StoreError::OutsideScope(_)
                | StoreError::TargetRefused(_)
                | StoreError::NotFound(_)
                | StoreError::Invalid(_)
                | StoreError::Conflict(_)
                | StoreError::WeakPassword(_)
                | StoreError::SchemaTooNew { .. }
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The registry store.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
    /// Saved scans this process holds (see [`Store::begin_scan`]).
    leases: scan::Leases,
    /// How to connect (with the password, never printed), for [`Store::native_pool`].
    connect: ConnectUrl,
    native: std::sync::Arc<tokio::sync::OnceCell<NativePool>>,
    /// The organisation tree, read at most once a second (`tree.rs`).
    trees: tree::TreeCache,
}

/// A connection URL that may hold a password: `Debug` shows it redacted.
#[derive(Clone)]
struct ConnectUrl(String);

impl std::fmt::Debug for ConnectUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

/// A native pool of the store's back end, beside the store's own `Any` pool, for libraries
/// that need one (a job queue such as apalis takes a `PgPool` or a `SqlitePool`). Same
/// database, same SQLite pragmas; the registry's own tables are read and written through
/// [`Store`] only.
#[derive(Clone, Debug)]
pub enum NativePool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Which backend a database argument names: `postgres://…` / `postgresql://…`, else SQLite
/// (`sqlite:PATH`, `sqlite://PATH` or a plain file path).
pub fn backend_of(database: &str) -> Backend {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// The database argument with any password replaced, for messages and logs (the one rule,
/// `camguard_model::redact`).
pub fn redact_url(database: &str) -> String {
    camguard_model::redact::url_credentials(database)
}

fn sqlite_url(path: &Path) -> String {
    // sqlx percent-decodes the path part; encode what would otherwise be read as syntax.
    let mut s = String::from("sqlite://");
    for ch in path.to_string_lossy().chars() {
        match ch {
            '%' | '?' | '#' | ' ' => s.push_str(&format!("%{:02X}", ch as u32)),
            c => s.push(c),
        }
    }
    s.push_str("?mode=rwc");
    s
}

/// Whether opening a registry may create it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the SQLite file (and its folder) when it does not exist: for commands that add
    /// data (`org add`, `org import`, a saved scan of the demo …).
    Create,
    /// The registry must exist: for commands that read or change what is there, so that a
    /// mistyped path is named instead of answered from a new, empty registry.
    Existing,
}

/// The SQLite file a database argument names.
fn sqlite_path(database: &str) -> &Path {
    Path::new(
        database
            .strip_prefix("sqlite://")
            .or_else(|| database.strip_prefix("sqlite:"))
            .unwrap_or(database),
    )
}

/// Look at an existing SQLite file without changing it (read-only connection, no journal
/// change): is it a database, and if so, is it camguard's and not newer than this binary?
/// Returns false when there is no file yet.
async fn inspect_sqlite_file(path: &Path, shown: &str, mode: OpenMode) -> Result<bool> {
    use sqlx::ConnectOptions;
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match mode {
                OpenMode::Create => Ok(false),
                OpenMode::Existing => Err(StoreError::Missing {
                    path: shown.to_string(),
                }),
            };
        }
        Err(e) => {
            return Err(StoreError::Open {
                url: shown.to_string(),
                source: sqlx::Error::Io(e),
            });
        }
        Ok(m) if m.is_dir() => {
            return Err(StoreError::invalid(format!(
                "{shown} is a folder; the registry is a file (e.g. {shown}/registry.db)"
            )));
        }
        Ok(_) => {}
    }
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        .connect()
        .await
        .map_err(|source| StoreError::Open {
            url: shown.to_string(),
            source,
        })?;
    let layout = schema::sqlite_layout(&mut conn).await;
    let _ = sqlx::Connection::close(conn).await;
    let layout = layout.map_err(|e| {
        if is_not_a_database(&e) {
            StoreError::NotADatabase {
                path: shown.to_string(),
            }
        } else {
            StoreError::Open {
                url: shown.to_string(),
                source: e,
            }
        }
    })?;
    layout.check(shown)?;
    Ok(true)
}

/// SQLite's SQLITE_NOTADB (26): the file is something else (text, an image …).
fn is_not_a_database(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(sqlx::error::DatabaseError::code)
        .is_some_and(|c| c == "26")
}

impl Store {
    /// Open (creating when needed) and migrate the registry named by `database`.
    pub async fn open(database: &str) -> Result<Store> {
        Store::open_with(database, OpenMode::Create).await
    }

    /// Open and migrate the registry named by `database`. Before anything is written (the WAL
    /// switch included), an existing database is checked: a file that is not a database, a
    /// database with tables but none of camguard's, and a schema newer than this binary are
    /// refused, unchanged. With [`OpenMode::Existing`], a missing SQLite file is refused and
    /// nothing (no folder) is created.
    pub async fn open_with(database: &str, mode: OpenMode) -> Result<Store> {
        install_default_drivers();
        let backend = backend_of(database);
        let (url, shown) = match backend {
            Backend::Postgres => (database.to_string(), redact_url(database)),
            Backend::Sqlite => {
                let path = sqlite_path(database);
                let shown = path.display().to_string();
                let exists = inspect_sqlite_file(path, &shown, mode).await?;
                if !exists && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                        url: database.to_string(),
                        source: sqlx::Error::Io(e),
                    })?;
                }
                (sqlite_url(path), shown)
            }
        };
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(30))
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            });
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                         PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                         PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = options
            .connect(&url)
            .await
            .map_err(|source| StoreError::Open {
                url: shown.clone(),
                source,
            })?;
        let store = Store {
            pool,
            backend,
            url: shown,
            leases: scan::Leases::default(),
            connect: ConnectUrl(url),
            native: Default::default(),
            trees: tree::TreeCache::default(),
        };
        schema::migrate(&store).await?;
        Ok(store)
    }

    /// The native pool of this store's back end (opened on first use, then shared): see
    /// [`NativePool`] and the driver decision in ARCHITECTURE.md.
    pub async fn native_pool(&self) -> Result<NativePool> {
        let pool = self
            .native
            .get_or_try_init(|| async {
                let url = &self.connect.0;
                let open = |source| StoreError::Open {
                    url: self.url.clone(),
                    source,
                };
                Ok::<_, StoreError>(match self.backend {
                    Backend::Sqlite => {
                        use sqlx::sqlite::{
                            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions,
                            SqliteSynchronous,
                        };
                        let options = <SqliteConnectOptions as std::str::FromStr>::from_str(url)
                            .map_err(open)?
                            .journal_mode(SqliteJournalMode::Wal)
                            .foreign_keys(true)
                            .busy_timeout(Duration::from_secs(10))
                            .synchronous(SqliteSynchronous::Normal);
                        NativePool::Sqlite(
                            SqlitePoolOptions::new()
                                .max_connections(4)
                                .acquire_timeout(Duration::from_secs(30))
                                .connect_with(options)
                                .await
                                .map_err(open)?,
                        )
                    }
                    Backend::Postgres => NativePool::Postgres(
                        sqlx::postgres::PgPoolOptions::new()
                            .max_connections(8)
                            .acquire_timeout(Duration::from_secs(30))
                            .connect(url)
                            .await
                            .map_err(open)?,
                    ),
                })
            })
            .await?;
        Ok(pool.clone())
    }

    /// Begin a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that two writers wait for each other (busy timeout) instead of
    /// one failing with "database is locked" when its read turns into a write.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database to connect to, password included, for a library that opens its own
    /// connections to the same database (the job queue, whose sqlx differs from the store's).
    /// Never print or log it: [`Store::url`] is the redacted form.
    pub fn connect_url(&self) -> &str {
        &self.connect.0
    }

    /// The database, password redacted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Keep the query planner's statistics current: SQLite's `PRAGMA optimize` (which
    /// analyses only the tables whose size changed much since; a long-running service calls it
    /// now and then, as SQLite recommends, besides the one each connection runs when it opens).
    /// PostgreSQL's autovacuum does this by itself: nothing to do.
    pub async fn optimize(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA optimize").execute(&self.pool).await?;
        }
        Ok(())
    }

    pub(crate) fn trees(&self) -> &tree::TreeCache {
        &self.trees
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Multi-row VALUES placeholders in this backend's fastest numbered form.
    pub(crate) fn values(&self, rows: usize, cols: usize) -> String {
        values_placeholders(
            rows,
            cols,
            match self.backend {
                Backend::Sqlite => '?',
                Backend::Postgres => '$',
            },
        )
    }

    /// Close the pool (waits for connections to be returned); scan leases still held stop
    /// being renewed and expire.
    pub async fn close(&self) {
        self.leases.stop_all();
        if let Some(native) = self.native.get() {
            match native {
                NativePool::Sqlite(p) => p.close().await,
                NativePool::Postgres(p) => p.close().await,
            }
        }
        self.pool.close().await;
    }
}

/// Now, as RFC 3339 UTC text (second precision).
pub(crate) fn now() -> String {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Today (UTC).
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

pub(crate) use camguard_registry::inventory::format_date as date_text;

pub(crate) fn parse_date_text(s: &str) -> Option<time::Date> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.get(..10)?, &f).ok()
}

/// Serialise an optional date as `YYYY-MM-DD` (or null).
pub(crate) fn ser_date<S: serde::Serializer>(
    d: &Option<time::Date>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&date_text(*d)),
        None => s.serialize_none(),
    }
}

/// `($1, $2, …), (…)` for a multi-row insert of `rows` rows of `cols` columns, with `prefix`
/// `$` (PostgreSQL), or `?` alone for SQLite: SQLite keeps `$NNN` and `?NNN` parameters in a
/// list searched linearly by name, and sqlx asks for every parameter's name when binding, so a
/// 20,000-parameter statement with numbered parameters binds in quadratic time; anonymous `?`
/// parameters bind positionally in constant time each.
pub(crate) fn values_placeholders(rows: usize, cols: usize, prefix: char) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push(prefix);
            if prefix == '$' {
                s.push_str(&n.to_string());
            }
            n += 1;
        }
        s.push(')');
    }
    s
}

/// Rows per multi-row insert: below SQLite's 32,766 and PostgreSQL's 65,535 parameter limits.
pub(crate) fn batch_rows(cols: usize) -> usize {
    (30_000 / cols.max(1)).clamp(1, 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://cam:s3cret@db.example/registry"),
            "postgres://cam:****@db.example/registry"
        );
        assert_eq!(
            redact_url("postgres://cam@db/registry"),
            "postgres://cam@db/registry"
        );
        assert_eq!(redact_url("/var/lib/camguard.db"), "/var/lib/camguard.db");
    }

    #[test]
    fn connection_urls_print_redacted() {
        let shown = format!(
            "{:?}",
            ConnectUrl("postgres://cam:s3cret@db/registry".into())
        );
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("cam:****@db"), "{shown}");
    }

    #[test]
    fn backends() {
        assert_eq!(backend_of("postgresql://x/y"), Backend::Postgres);
        assert_eq!(backend_of("sqlite:/tmp/a.db"), Backend::Sqlite);
        assert_eq!(backend_of("registry.db"), Backend::Sqlite);
    }

    #[test]
    fn sqlite_paths_are_escaped() {
        assert_eq!(
            sqlite_url(Path::new("/tmp/my db?.sqlite")),
            "sqlite:///tmp/my%20db%3F.sqlite?mode=rwc"
        );
    }

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(values_placeholders(2, 2, '$'), "($1, $2), ($3, $4)");
        assert_eq!(values_placeholders(1, 3, '?'), "(?, ?, ?)");
        assert!(batch_rows(25) * 25 <= 30_000);
    }
}
