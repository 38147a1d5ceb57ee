//! One scan job: take the scan's lease, check its targets again, run the pipeline, store hosts
//! as they stream, close the scan.

use crate::options::JobOptions;
use crate::saving::{SavedScan, resume_point};
use camguard_discovery::{PortScanner, Scope, TargetSet, scope};
use camguard_model::HostReport;
use camguard_scan::{Progress, Scanner, StopFlag};
use camguard_store::{ScanState, Store, StoreError};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Scans one process runs at once, at most (a bound for the shutdown's wait).
pub(crate) const SLOTS: u32 = 1024;

/// What every worker of a [`crate::Jobs::run`] shares.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    pub store: Store,
    pub kb: Arc<camguard_kb::Kb>,
    pub poll: Duration,
    pub lease: Duration,
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// One permit per scan in hand (the shutdown waits for all of them).
    pub active: Arc<tokio::sync::Semaphore>,
}

/// A job to try again later (apalis records the attempt and gives the job out again): the
/// worker shut down, or the database failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Retry(String);

fn retry(e: impl std::fmt::Display) -> Retry {
    Retry(camguard_store::redact_url(&e.to_string()))
}

/// Resolves once the worker is asked to shut down.
async fn shut_down(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// How a scan's run ended.
enum End {
    Done,
    Cancelled,
    ShutDown,
}

pub(crate) async fn run_job(ctx: &Context, scan: i64) -> Result<(), Retry> {
    let Ok(_slot) = ctx.active.clone().acquire_owned().await else {
        return Err(Retry("the worker is shutting down".into()));
    };
    if *ctx.shutdown.borrow() {
        return Err(Retry("the worker is shutting down".into()));
    }
    let store = &ctx.store;
    let s = match store.scan(scan).await {
        Ok(s) => s,
        // The scan was deleted: nothing to do.
        Err(StoreError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(retry(e)),
    };
    if s.state.is_final() {
        return Ok(());
    }
    // Take the scan's lease; a dead holder's lease expires after the time apalis gives a silent
    // worker, so a job given out again waits at most about that long.
    let deadline = Instant::now() + ctx.lease * 2 + Duration::from_secs(5);
    let s = loop {
        match store.start_queued_scan(scan).await {
            Ok(s) => break s,
            Err(StoreError::ScanBusy { .. }) if Instant::now() < deadline => {
                let mut shutdown = ctx.shutdown.clone();
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    () = shut_down(&mut shutdown) => {
                        return Err(Retry("the worker is shutting down".into()));
                    }
                }
            }
            // Final meanwhile (cancelled while queued).
            Err(StoreError::Invalid(_)) => return Ok(()),
            Err(e) => return Err(retry(e)),
        }
    };
    if store.cancel_requested(scan).await.map_err(retry)? {
        return finish(store, scan, ScanState::Cancelled).await;
    }
    let options: JobOptions = match serde_json::from_value(s.args["options"].clone()) {
        Ok(o) => o,
        Err(e) => return fail(store, scan, &format!("the scan's options: {e}")).await,
    };
    // Defence in depth: the targets are checked again against the organisation's scope as it
    // is now, before the first packet.
    let targets = match TargetSet::parse(&s.targets, &options.exclude) {
        Ok(t) => t,
        Err(e) => return fail(store, scan, &format!("targets: {e}")).await,
    };
    let org = store.org(&s.org).await.map_err(retry)?;
    if org.scopes.is_empty() {
        return fail(
            store,
            scan,
            &format!("organisation {} has no authorised scope", s.org),
        )
        .await;
    }
    let org_scope = Scope::from_nets(&org.scopes, &format!("the scope of organisation {}", s.org));
    if let Err(e) = scope::check(&org_scope, &targets) {
        return fail(store, scan, &e.to_string()).await;
    }
    let mut opts = match options.scan_options(&ctx.kb, &s.profile, scan) {
        Ok(o) => o,
        Err(e) => return fail(store, scan, &e).await,
    };
    let (resume_from, skip) = resume_point(store, scan, s.resume_from)
        .await
        .map_err(retry)?;
    if resume_from > 0 || !skip.is_empty() {
        tracing::info!(
            scan,
            resume_from,
            stored = skip.len(),
            "resuming a scan at its stored watermark"
        );
    }
    opts.resume_from = resume_from;
    opts.skip = Some(skip);

    let scanner = Scanner::new(ctx.kb.clone(), opts, PortScanner::new(options.connect()));
    let progress = Arc::new(Progress::default());
    let stop = StopFlag::default();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<HostReport>(1024);
    let run = {
        let (scanner, targets, progress, stop) =
            (scanner, Arc::new(targets), progress.clone(), stop.clone());
        tokio::spawn(async move { scanner.run(targets, tx, progress, stop).await })
    };
    let mut saved = SavedScan::new(store.clone(), scan);
    let mut ticker = tokio::time::interval(ctx.poll);
    let mut shutdown = ctx.shutdown.clone();
    let mut end = End::Done;
    let outcome: Result<(), StoreError> = async {
        loop {
            tokio::select! {
                host = rx.recv() => {
                    let Some(host) = host else { break };
                    saved.push(host, &progress);
                    if saved.due() {
                        let watermark = progress.watermark();
                        while let Ok(h) = rx.try_recv() {
                            saved.push(h, &progress);
                        }
                        saved.flush(watermark).await?;
                    }
                }
                _ = ticker.tick() => {
                    let done = progress.addresses_done.load(Ordering::Relaxed)
                        .saturating_add(resume_from);
                    store.set_scan_progress(scan, done).await?;
                    if !stop.is_stopped() && store.cancel_requested(scan).await? {
                        end = End::Cancelled;
                        stop.stop();
                    }
                }
                () = shut_down(&mut shutdown), if !stop.is_stopped() => {
                    end = End::ShutDown;
                    stop.stop();
                }
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = outcome {
        stop.stop();
        run.abort();
        return match e {
            // Another worker has the scan now.
            StoreError::LeaseLost { .. } => Ok(()),
            e => Err(retry(e)),
        };
    }
    let _ = run.await;
    match end {
        End::ShutDown => {
            saved.flush(progress.watermark()).await.map_err(retry)?;
            store.requeue_scan(scan).await.map_err(retry)?;
            Err(Retry(
                "the worker shut down; the scan is queued again".into(),
            ))
        }
        End::Cancelled => close(saved, &progress, resume_from, ScanState::Cancelled).await,
        End::Done => close(saved, &progress, resume_from, ScanState::Complete).await,
    }
}

async fn close(
    saved: SavedScan,
    progress: &Progress,
    resume_from: u64,
    state: ScanState,
) -> Result<(), Retry> {
    let scan = saved.scan();
    let store = saved.store().clone();
    // The last count, not the last tick's: a finished scan shows every address it went
    // through (a scan that ends between two ticks showed 13/16 done).
    let done = progress
        .addresses_done
        .load(Ordering::Relaxed)
        .saturating_add(resume_from);
    let finished = match store.set_scan_progress(scan, done).await {
        Ok(()) => saved.finish(progress, state).await,
        Err(e) => Err(e),
    };
    match finished {
        Ok(stored) => {
            tracing::info!(scan, state = state.as_str(), "{}", stored.describe());
            Ok(())
        }
        Err(StoreError::LeaseLost { .. }) => Ok(()),
        Err(e @ (StoreError::OutsideScope(_) | StoreError::Corrupt(_))) => {
            fail(&store, scan, &e.to_string()).await
        }
        Err(e) => Err(retry(e)),
    }
}

async fn finish(store: &Store, scan: i64, state: ScanState) -> Result<(), Retry> {
    match store.finish_scan(scan, state).await {
        Ok(_) | Err(StoreError::LeaseLost { .. }) => Ok(()),
        Err(e) => Err(retry(e)),
    }
}

/// The scan cannot run: record why; the job is done (retrying would fail the same way).
async fn fail(store: &Store, scan: i64, why: &str) -> Result<(), Retry> {
    tracing::warn!(scan, reason = why, "scan failed");
    match store.fail_scan(scan, why).await {
        Ok(()) | Err(StoreError::LeaseLost { .. }) => Ok(()),
        Err(e) => Err(retry(e)),
    }
}
