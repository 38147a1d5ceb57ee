//! Storing a scan as it streams: the one implementation the command line (`scan --org --save`,
//! `scan --resume`) and the queue's workers share.
//!
//! Hosts are buffered and written in batches (256 hosts or one second), each batch with the
//! watermark read *before* the channel was drained (see `Progress::watermark`), so the stored
//! watermark only ever covers stored hosts. A host cut short by a stop is not stored: its
//! position stays below the watermark and a resumed run does it again, in full.

use camguard_model::HostReport;
use camguard_scan::Progress;
use camguard_store::{ScanState, Store, StoreError, StoredScan};
use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Hosts buffered before a write.
const BATCH: usize = 256;
/// Longest time a host waits in the buffer.
const EVERY: Duration = Duration::from_secs(1);

/// The registry side of a scan: where hosts are stored as they stream in.
#[derive(Debug)]
pub struct SavedScan {
    store: Store,
    scan: i64,
    pending: Vec<HostReport>,
    last_flush: Instant,
}

impl SavedScan {
    pub fn new(store: Store, scan: i64) -> Self {
        SavedScan {
            store,
            scan,
            pending: Vec::new(),
            last_flush: Instant::now(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn scan(&self) -> i64 {
        self.scan
    }

    /// Take a host from the scan's stream: kept for the next write unless it was cut short.
    pub fn push(&mut self, host: HostReport, progress: &Progress) {
        if !progress.is_partial(host.ip) {
            self.pending.push(host);
        }
    }

    /// Time for a write: enough hosts, or one waited long enough. The caller then reads the
    /// watermark, drains what the channel holds into [`SavedScan::push`], and calls
    /// [`SavedScan::flush`] with that watermark.
    pub fn due(&self) -> bool {
        self.pending.len() >= BATCH || self.last_flush.elapsed() >= EVERY
    }

    /// Write what is pending, with a watermark read before the channel was drained.
    pub async fn flush(&mut self, watermark: u64) -> Result<(), StoreError> {
        self.store
            .add_scan_hosts(self.scan, &self.pending, watermark)
            .await?;
        self.pending.clear();
        self.last_flush = Instant::now();
        Ok(())
    }

    /// The last write (the scan has ended: its channel is closed), then close the scan in
    /// `state`: hosts matched to the inventory, findings through their lifecycle, lease
    /// released.
    pub async fn finish(
        mut self,
        progress: &Progress,
        state: ScanState,
    ) -> Result<StoredScan, StoreError> {
        self.flush(progress.watermark()).await?;
        self.store.finish_scan(self.scan, state).await
    }
}

/// Where a stored scan resumes: its watermark, and the addresses stored past it (not scanned
/// again).
pub async fn resume_point(
    store: &Store,
    scan: i64,
    resume_from: i64,
) -> Result<(u64, Arc<HashSet<IpAddr>>), StoreError> {
    let done = store.scan_host_addresses(scan).await?;
    let done: HashSet<IpAddr> = done.iter().filter_map(|a| a.parse().ok()).collect();
    Ok((u64::try_from(resume_from).unwrap_or(0), Arc::new(done)))
}
