//! Scans as durable jobs.
//!
//! `POST /api/v1/scans` stores the scan ([`camguard_store::Store::queue_scan`]: targets checked
//! against the organisation's scope before anything is stored) and submits its id here
//! ([`Jobs::submit_scan`]). Workers ([`Jobs::run`]) take jobs from an apalis queue kept in the
//! registry's own database (SQLite: tables `Jobs` and `Workers`; PostgreSQL: schema `apalis`),
//! run the scan pipeline, store hosts as they stream with the resume watermark
//! ([`saving::SavedScan`], shared with `camguard scan --save`) and close the scan.
//!
//! Durability: apalis workers send heartbeats; the job of a worker that stops sending them
//! (killed, machine lost) is put back in the queue by any live worker after
//! `heartbeat × missed_heartbeats`, and the scan's own lease in the store expires after the
//! same time. The next worker takes the lease over and resumes at the stored watermark, skipping
//! hosts stored past it: no host is lost or stored twice (`scan_hosts` is unique per scan and
//! address), and findings are written only when the scan is closed, in the closing transaction.
//! A worker asked to stop ([`Jobs::run`]'s `shutdown`) stops its scans, stores what is finished,
//! puts them back to `queued` and lets apalis retry the job on the next start.
//!
//! Versions: apalis-sqlite and apalis-postgres 1.0 are built on sqlx 0.9, the store on sqlx
//! 0.8.6, so the queue opens its own pool on the store's database
//! ([`camguard_store::Store::connect_url`]) rather than the store's `native_pool()`; both sqlx
//! versions link the same libsqlite3-sys (0.30.1).

#![forbid(clippy::print_stdout, clippy::print_stderr)]

mod options;
pub mod saving;
mod worker;

pub use options::JobOptions;

use apalis::prelude::{Data, TaskBuilder, TaskSink, WorkerBuilder};
use apalis_postgres::{PgPool, PostgresStorage};
use apalis_sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteStorage};
use camguard_store::{Backend, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The queue's name in apalis' tables.
pub const QUEUE: &str = "camguard-scans";
/// Attempts of one job (a shutdown, or a database error, costs one).
pub const MAX_ATTEMPTS: usize = 25;

/// A job error: what went wrong, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("job queue: {0}")]
    Queue(String),
    #[error("knowledge base: {0}")]
    Kb(String),
}

/// The job a queue entry carries: only the scan's id (everything else is in the store).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScanJob {
    pub scan: i64,
}

/// Queue settings.
#[derive(Clone, Debug)]
pub struct JobConfig {
    /// How often a worker tells the queue it is alive (apalis heartbeat).
    pub heartbeat: Duration,
    /// Heartbeats a worker may miss before its jobs are given to others.
    pub missed_heartbeats: usize,
    /// How often a running scan looks for a cancel (and reports progress).
    pub poll: Duration,
    /// The knowledge base scans use (the embedded one when `None`).
    pub kb: Option<Arc<camguard_kb::Kb>>,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            heartbeat: Duration::from_secs(30),
            missed_heartbeats: 2,
            poll: Duration::from_secs(1),
            kb: None,
        }
    }
}

impl JobConfig {
    /// How long a silent worker keeps its jobs (and its scans' leases).
    pub fn orphan_after(&self) -> Duration {
        self.heartbeat * u32::try_from(self.missed_heartbeats.max(1)).unwrap_or(u32::MAX)
    }
    fn apalis_sqlite(&self) -> apalis_sqlite::Config {
        apalis_sqlite::Config::default()
            .queue(QUEUE)
            .batch_size(1)
            .heartbeat_interval(self.heartbeat)
            .missed_heartbeats(self.missed_heartbeats)
    }
    fn apalis_postgres(&self) -> apalis_postgres::Config {
        apalis_postgres::Config::default()
            .queue(QUEUE)
            .batch_size(1)
            .heartbeat_interval(self.heartbeat)
            .missed_heartbeats(self.missed_heartbeats)
    }
}

#[derive(Clone, Debug)]
enum Queue {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The scan queue over a registry store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Jobs {
    store: Store,
    queue: Queue,
    config: Arc<JobConfig>,
}

fn queue_err(e: impl std::fmt::Display) -> JobError {
    JobError::Queue(camguard_store::redact_url(&e.to_string()))
}

impl Jobs {
    /// Open the queue on the store's database (creating apalis' tables when needed).
    pub async fn open(store: &Store) -> Result<Jobs, JobError> {
        Jobs::open_with(store, JobConfig::default()).await
    }

    /// [`Jobs::open`] with settings. The store's scan lease is set to
    /// [`JobConfig::orphan_after`], so that a dead worker's scan can be taken over when its
    /// job is given to another worker.
    pub async fn open_with(store: &Store, config: JobConfig) -> Result<Jobs, JobError> {
        let url = store.connect_url();
        let queue = match store.backend() {
            Backend::Sqlite => {
                let options = <SqliteConnectOptions as std::str::FromStr>::from_str(url)
                    .map_err(queue_err)?
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await
                    .map_err(queue_err)?;
                SqliteStorage::setup(&pool).await.map_err(queue_err)?;
                Queue::Sqlite(pool)
            }
            Backend::Postgres => {
                let pool = apalis_postgres::PgPool::connect(url)
                    .await
                    .map_err(queue_err)?;
                PostgresStorage::setup(&pool).await.map_err(queue_err)?;
                Queue::Postgres(pool)
            }
        };
        store.set_scan_lease(config.orphan_after());
        Ok(Jobs {
            store: store.clone(),
            queue,
            config: Arc::new(config),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Put a scan stored with [`Store::queue_scan`] in the queue.
    pub async fn submit_scan(&self, scan_id: i64) -> Result<(), JobError> {
        // The scan must exist (and not be final) before a job names it.
        let s = self.store.scan(scan_id).await?;
        if s.state.is_final() {
            return Err(JobError::Store(StoreError::Invalid(format!(
                "scan {scan_id} is {}; there is nothing to run",
                s.state.as_str()
            ))));
        }
        let task = TaskBuilder::new(ScanJob { scan: scan_id })
            .max_attempts(MAX_ATTEMPTS)
            .build();
        match &self.queue {
            Queue::Sqlite(pool) => {
                let mut s =
                    SqliteStorage::<ScanJob>::new(pool).with_config(self.config.apalis_sqlite());
                s.push_task(task).await.map_err(queue_err)?;
            }
            Queue::Postgres(pool) => {
                let mut s = PostgresStorage::<ScanJob>::new(pool)
                    .with_config(self.config.apalis_postgres());
                s.push_task(task).await.map_err(queue_err)?;
            }
        }
        Ok(())
    }

    /// Cancel a scan: a queued one at once, a running one within moments (its worker polls
    /// the store), keeping the hosts found. A finished scan is left as it is.
    pub async fn cancel_scan(&self, scan_id: i64) -> Result<(), JobError> {
        self.store.request_cancel(scan_id).await?;
        Ok(())
    }

    /// A scan's state and progress.
    pub async fn progress(&self, scan_id: i64) -> Result<camguard_store::ScanProgress, JobError> {
        Ok(self.store.scan_progress(scan_id).await?)
    }

    /// Run `workers` scan workers until `shutdown` resolves; on shutdown running scans are
    /// checkpointed (hosts finished are stored, the scan is `queued` again) and picked up
    /// again by the next start.
    pub async fn run(
        &self,
        workers: usize,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), JobError> {
        let kb = match &self.config.kb {
            Some(kb) => kb.clone(),
            None => Arc::new(camguard_kb::Kb::embedded().map_err(|e| JobError::Kb(e.to_string()))?),
        };
        let stop = tokio::sync::watch::Sender::new(false);
        let ctx = worker::Context {
            store: self.store.clone(),
            kb,
            poll: self.config.poll,
            lease: self.config.orphan_after(),
            shutdown: stop.subscribe(),
            active: Arc::new(tokio::sync::Semaphore::new(worker::SLOTS as usize)),
        };
        // Each apalis worker stops once our scans have handed their work back.
        let (done_tx, done_rx) = tokio::sync::watch::channel(false);
        let tag = format!("{:08x}", rand::random::<u32>());
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map_or_else(|_| "host".into(), |h| h.trim().to_string());
        let mut set = tokio::task::JoinSet::new();
        for i in 0..workers.max(1) {
            let name = format!("camguard-{host}-{}-{tag}-{i}", std::process::id());
            let mut done = done_rx.clone();
            let signal = async move {
                let _ = done.wait_for(|d| *d).await;
                Ok::<(), std::io::Error>(())
            };
            let data = ctx.clone();
            match &self.queue {
                Queue::Sqlite(pool) => {
                    let backend = SqliteStorage::<ScanJob>::new(pool)
                        .with_config(self.config.apalis_sqlite());
                    let w = WorkerBuilder::new(name)
                        .backend(backend)
                        .data(data)
                        .build(handle);
                    set.spawn(async move { w.run_until(signal).await.map_err(queue_err) });
                }
                Queue::Postgres(pool) => {
                    let backend = PostgresStorage::<ScanJob>::new(pool)
                        .with_config(self.config.apalis_postgres());
                    let w = WorkerBuilder::new(name)
                        .backend(backend)
                        .data(data)
                        .build(handle);
                    set.spawn(async move { w.run_until(signal).await.map_err(queue_err) });
                }
            }
        }
        let active = ctx.active.clone();
        let stopper = tokio::spawn(async move {
            shutdown.await;
            stop.send_replace(true);
            // Wait for scans in hand to be handed back (bounded), then stop the workers.
            let _ =
                tokio::time::timeout(Duration::from_secs(60), active.acquire_many(worker::SLOTS))
                    .await;
            done_tx.send_replace(true);
        });
        let mut first_err = None;
        while let Some(r) = set.join_next().await {
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "a scan worker stopped");
                    first_err.get_or_insert(e);
                }
                Err(e) => {
                    first_err.get_or_insert(queue_err(e));
                }
            }
        }
        stopper.abort();
        first_err.map_or(Ok(()), Err)
    }
}

/// The apalis handler: one scan job.
async fn handle(job: ScanJob, ctx: Data<worker::Context>) -> Result<(), worker::Retry> {
    worker::run_job(&ctx, job.scan).await
}

#[expect(dead_code, reason = "compile-time check")]
fn handler_is_send(ctx: Data<worker::Context>) {
    fn is_send<T: Send>(_: T) {}
    is_send(handle(ScanJob { scan: 0 }, ctx));
}
