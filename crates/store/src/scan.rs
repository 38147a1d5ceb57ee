//! Scans stored as assessments: hosts written as they stream in, matched to the inventory, and
//! findings carried through their lifecycle.
//!
//! Finding lifecycle (one record per organisation, subject, finding id and port; the subject is
//! the inventory camera when the host matched one, else its address):
//!
//! * seen for the first time → `open`;
//! * `fixed` (the owner says so) or `verified` and seen again → `open` (a regression);
//! * `open` or `fixed` and not seen by a later *complete* scan that assessed the same subject
//!   with a profile at least as thorough as the one that last saw it → `verified`;
//! * `accepted` (risk accepted with a reason and an expiry) stays accepted; after the expiry it
//!   counts as open again in the status.

use crate::scope::{HostOutsideScope, OrgScope};
use crate::{FindingChange, Result, Store, StoreError, batch_rows, now};
use camguard_model::HostReport;
use ipnet::IpNet;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a saved scan's lease lasts without renewal (the holder renews it every third of
/// this); a holder that died is taken over at most this long after its last renewal.
pub const SCAN_LEASE: Duration = Duration::from_secs(60);

/// The saved scans this process holds, and the background renewals of their leases.
#[derive(Clone, Debug)]
pub(crate) struct Leases {
    inner: Arc<Mutex<LeaseState>>,
}

#[derive(Debug)]
struct LeaseState {
    /// Who holds a lease: this store's process and a random part (two stores of one process
    /// are two holders).
    holder: String,
    duration: Duration,
    renewals: HashMap<i64, tokio::task::JoinHandle<()>>,
}

impl Default for Leases {
    fn default() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        // A per-store random part without a dependency: the address of a fresh allocation
        // mixed with the clock.
        let salt = Box::new(0u8);
        let salt = std::ptr::from_ref(salt.as_ref()) as usize as u128;
        let tag = (nanos ^ salt.rotate_left(64)) as u64;
        Leases {
            inner: Arc::new(Mutex::new(LeaseState {
                holder: format!("process {} ({tag:016x})", std::process::id()),
                duration: SCAN_LEASE,
                renewals: HashMap::new(),
            })),
        }
    }
}

impl Leases {
    fn lock(&self) -> std::sync::MutexGuard<'_, LeaseState> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    pub(crate) fn holder(&self) -> String {
        self.lock().holder.clone()
    }
    fn duration(&self) -> Duration {
        self.lock().duration
    }
    /// The lease's expiry if taken now, in ms since the epoch.
    pub(crate) fn until(&self) -> i64 {
        now_ms().saturating_add(i64::try_from(self.duration().as_millis()).unwrap_or(i64::MAX))
    }
    pub(crate) fn stop(&self, scan: i64) {
        if let Some(h) = self.lock().renewals.remove(&scan) {
            h.abort();
        }
    }
    pub(crate) fn stop_all(&self) {
        for (_, h) in self.lock().renewals.drain() {
            h.abort();
        }
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn ms_text(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

/// A stored scan's state. The stored texts are `as_str`; the HTTP API names them by
/// [`ScanState::api_name`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanState {
    /// Waiting for a worker (a scan queued through the API, or one whose worker shut down).
    Queued,
    Running,
    /// Stopped before the end by its operator (Ctrl-C on the command line); resumable with
    /// `scan --resume`.
    Interrupted,
    Complete,
    /// A queued scan that could not run (the reason is stored with it).
    Failed,
    /// A queued scan cancelled through the API; hosts found before the cancel are kept.
    Cancelled,
}

impl ScanState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanState::Queued => "queued",
            ScanState::Running => "running",
            ScanState::Interrupted => "interrupted",
            ScanState::Complete => "complete",
            ScanState::Failed => "failed",
            ScanState::Cancelled => "cancelled",
        }
    }
    /// The state as the HTTP API names it (`docs/spec/api.md`: queued, running, done, failed,
    /// cancelled). `complete` is `done`; `interrupted` (a command-line scan stopped by its
    /// operator, not running and not finished) is `cancelled`: a person stopped it, and
    /// nothing runs it until someone resumes it.
    pub fn api_name(self) -> &'static str {
        match self {
            ScanState::Queued => "queued",
            ScanState::Running => "running",
            ScanState::Complete => "done",
            ScanState::Failed => "failed",
            ScanState::Interrupted | ScanState::Cancelled => "cancelled",
        }
    }
    /// Finished for good: nothing will run it again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ScanState::Complete | ScanState::Failed | ScanState::Cancelled
        )
    }
    pub(crate) fn parse(s: &str) -> ScanState {
        match s {
            "complete" => ScanState::Complete,
            "running" => ScanState::Running,
            "queued" => ScanState::Queued,
            "failed" => ScanState::Failed,
            "cancelled" => ScanState::Cancelled,
            _ => ScanState::Interrupted,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingState {
    Open,
    Fixed,
    Verified,
    Accepted,
}

impl FindingState {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::Open => "open",
            FindingState::Fixed => "fixed",
            FindingState::Verified => "verified",
            FindingState::Accepted => "accepted",
        }
    }
    /// A state by its name (`open`, `fixed`, `verified`, `accepted`).
    pub fn from_name(s: &str) -> Option<FindingState> {
        [
            FindingState::Open,
            FindingState::Fixed,
            FindingState::Verified,
            FindingState::Accepted,
        ]
        .into_iter()
        .find(|f| f.as_str() == s.trim())
    }
    fn parse(s: &str) -> FindingState {
        match s {
            "fixed" => FindingState::Fixed,
            "verified" => FindingState::Verified,
            "accepted" => FindingState::Accepted,
            _ => FindingState::Open,
        }
    }
}

/// A stored scan.
#[derive(Clone, Debug, Serialize)]
pub struct ScanRow {
    pub id: i64,
    pub org: String,
    pub targets: Vec<String>,
    pub operator: String,
    pub profile: String,
    pub state: ScanState,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub hosts: i64,
    pub cameras: i64,
    /// Addresses (in the scan's order) known to be done; a resumed scan starts there.
    pub resume_from: i64,
    /// The command-line settings, to resume with.
    pub args: serde_json::Value,
}

/// What storing a finished scan did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StoredScan {
    pub scan: i64,
    pub hosts: i64,
    pub cameras: i64,
    pub matched: i64,
    /// Cameras found that are not in the inventory.
    pub unregistered: i64,
    pub findings_new: i64,
    pub findings_reopened: i64,
    pub findings_verified: i64,
    pub findings_open: i64,
}

impl StoredScan {
    /// One line for people: hosts, cameras, matching and what happened to findings.
    pub fn describe(&self) -> String {
        format!(
            "{} hosts, {} cameras ({} matched to the inventory, {} NOT registered); findings: {} new, {} reopened, {} verified fixed, {} open",
            self.hosts,
            self.cameras,
            self.matched,
            self.unregistered,
            self.findings_new,
            self.findings_reopened,
            self.findings_verified,
            self.findings_open
        )
    }
}

/// A finding as stored.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRow {
    pub id: i64,
    pub org: String,
    pub subject: String,
    pub camera_id: Option<i64>,
    pub ip: String,
    pub finding: String,
    pub port: Option<u16>,
    pub severity: String,
    pub state: FindingState,
    pub first_seen: String,
    pub last_seen: String,
    pub first_scan: i64,
    pub last_scan: i64,
    pub fixed_on: Option<String>,
    pub verified_scan: Option<i64>,
    pub accepted_reason: Option<String>,
    pub accepted_until: Option<String>,
}

fn profile_rank(p: &str) -> u8 {
    match p {
        "quick" => 0,
        "thorough" => 2,
        _ => 1,
    }
}

const HOST_COLS: usize = 11;

/// The columns of a [`FindingRow`] (`f` the finding, `o` its organisation).
pub(crate) const FINDINGS: crate::rows::Columns = crate::rows::Columns {
    list: &[
        ("id", "f.id"),
        ("org", "o.code"),
        ("org_id", "f.org_id"),
        ("subject", "f.subject"),
        ("camera_id", "f.camera_id"),
        ("ip", "f.ip"),
        ("finding", "f.finding"),
        ("port", "f.port"),
        ("severity", "f.severity"),
        ("state", "f.state"),
        ("first_seen", "f.first_seen"),
        ("last_seen", "f.last_seen"),
        ("first_scan_id", "f.first_scan_id"),
        ("last_scan_id", "f.last_scan_id"),
        ("fixed_on", "f.fixed_on"),
        ("verified_scan_id", "f.verified_scan_id"),
        ("accepted_reason", "f.accepted_reason"),
        ("accepted_until", "f.accepted_until"),
    ],
    from: "FROM findings f JOIN orgs o ON o.id = f.org_id",
    order: "f.id",
};

/// `SELECT` of a [`FindingRow`]'s columns, one row per finding, for [`finding_row`].
pub(crate) static FINDING_SELECT: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| FINDINGS.select());

/// A [`FindingRow`]'s columns as read.
#[derive(serde::Deserialize)]
pub(crate) struct FindingColumns {
    id: i64,
    org: String,
    subject: String,
    camera_id: Option<i64>,
    ip: String,
    finding: String,
    port: i64,
    severity: String,
    state: String,
    first_seen: String,
    last_seen: String,
    first_scan_id: i64,
    last_scan_id: i64,
    fixed_on: Option<String>,
    verified_scan_id: Option<i64>,
    accepted_reason: Option<String>,
    accepted_until: Option<String>,
}

impl From<FindingColumns> for FindingRow {
    fn from(c: FindingColumns) -> FindingRow {
        FindingRow {
            id: c.id,
            org: c.org,
            subject: c.subject,
            camera_id: c.camera_id,
            ip: c.ip,
            finding: c.finding,
            port: u16::try_from(c.port).ok().filter(|p| *p != 0),
            severity: c.severity,
            state: FindingState::parse(&c.state),
            first_seen: c.first_seen,
            last_seen: c.last_seen,
            first_scan: c.first_scan_id,
            last_scan: c.last_scan_id,
            fixed_on: c.fixed_on,
            verified_scan: c.verified_scan_id,
            accepted_reason: c.accepted_reason,
            accepted_until: c.accepted_until,
        }
    }
}

/// A finding read with [`FINDING_SELECT`].
pub(crate) fn finding_row(r: &AnyRow) -> Result<FindingRow> {
    finding_columns(r).map(FindingRow::from)
}

/// A finding's columns read with [`FINDING_SELECT`].
pub(crate) fn finding_columns(r: &AnyRow) -> Result<FindingColumns> {
    Ok(FindingColumns {
        id: r.try_get("id")?,
        org: r.try_get("org")?,
        subject: r.try_get("subject")?,
        camera_id: r.try_get("camera_id")?,
        ip: r.try_get("ip")?,
        finding: r.try_get("finding")?,
        port: r.try_get("port")?,
        severity: r.try_get("severity")?,
        state: r.try_get("state")?,
        first_seen: r.try_get("first_seen")?,
        last_seen: r.try_get("last_seen")?,
        first_scan_id: r.try_get("first_scan_id")?,
        last_scan_id: r.try_get("last_scan_id")?,
        fixed_on: r.try_get("fixed_on")?,
        verified_scan_id: r.try_get("verified_scan_id")?,
        accepted_reason: r.try_get("accepted_reason")?,
        accepted_until: r.try_get("accepted_until")?,
    })
}

impl Store {
    /// Start storing a scan for an organisation.
    pub async fn begin_scan(
        &self,
        org: &str,
        targets: &[String],
        operator: &str,
        profile: &str,
        args: &serde_json::Value,
    ) -> Result<ScanRow> {
        let org = self.org(org).await?;
        let row = sqlx::query(
            "INSERT INTO scans (org_id, targets, operator, profile, args, state, started_at, resume_from, hosts, cameras, camguard_version, lease_holder, lease_until) \
             VALUES ($1, $2, $3, $4, $5, 'running', $6, 0, 0, 0, $7, $8, $9) RETURNING id",
        )
        .bind(org.id)
        .bind(serde_json::to_string(targets).unwrap_or_default())
        .bind(operator)
        .bind(profile)
        .bind(args.to_string())
        .bind(now())
        .bind(env!("CARGO_PKG_VERSION"))
        .bind(self.leases.holder())
        .bind(self.leases.until())
        .fetch_one(self.pool())
        .await?;
        let id: i64 = row.try_get("id")?;
        self.keep_lease(id);
        self.scan(id).await
    }

    /// How long this store's scan leases last (default [`SCAN_LEASE`]); for tests, and for
    /// sites that want a dead holder taken over sooner.
    pub fn set_scan_lease(&self, lease: Duration) {
        self.leases.lock().duration = lease.max(Duration::from_millis(1));
    }

    /// Take (or take over) the lease of a saved scan: free, expired, or already ours.
    pub(crate) async fn take_lease(&self, scan: i64) -> Result<()> {
        let holder = self.leases.holder();
        let taken = sqlx::query(
            "UPDATE scans SET lease_holder = $1, lease_until = $2 WHERE id = $3 \
             AND (lease_holder IS NULL OR lease_until IS NULL OR lease_holder = $1 OR lease_until < $4)",
        )
        .bind(holder.clone())
        .bind(self.leases.until())
        .bind(scan)
        .bind(now_ms())
        .execute(self.pool())
        .await?
        .rows_affected();
        if taken == 1 {
            self.keep_lease(scan);
            return Ok(());
        }
        let row = sqlx::query("SELECT lease_holder, lease_until FROM scans WHERE id = $1")
            .bind(scan)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found(format!("no scan {scan} in the registry")))?;
        Err(StoreError::ScanBusy {
            scan,
            holder: row
                .try_get::<Option<String>, _>("lease_holder")?
                .unwrap_or_default(),
            until: ms_text(row.try_get::<Option<i64>, _>("lease_until")?.unwrap_or(0)),
        })
    }

    /// Renew a held lease in the background, every third of its duration, until the scan is
    /// finished, the store closed or the process gone (then the lease expires by itself).
    fn keep_lease(&self, scan: i64) {
        let pool = self.pool().clone();
        let leases = self.leases.clone();
        let every = (leases.duration() / 3).max(Duration::from_millis(10));
        let holder = leases.holder();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let renewed = sqlx::query(
                    "UPDATE scans SET lease_until = $1 WHERE id = $2 AND lease_holder = $3",
                )
                .bind(leases.until())
                .bind(scan)
                .bind(holder.clone())
                .execute(&pool)
                .await;
                match renewed {
                    Ok(r) if r.rows_affected() == 1 => {}
                    // Taken over, or the database is gone: the next write says so.
                    Ok(_) => break,
                    Err(e) => tracing::warn!(scan, error = %e, "could not renew the scan lease"),
                }
            }
        });
        if let Some(old) = self.leases.lock().renewals.insert(scan, task) {
            old.abort();
        }
    }

    /// Refuse hosts outside the scope of the organisation the scan is stored for.
    async fn check_hosts_in_scope(&self, scan: i64, hosts: &[HostReport]) -> Result<()> {
        if hosts.is_empty() {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT o.code, c.cidr FROM scans s JOIN orgs o ON o.id = s.org_id \
             LEFT JOIN org_scopes c ON c.org_id = s.org_id WHERE s.id = $1",
        )
        .bind(scan)
        .fetch_all(self.pool())
        .await?;
        let Some(first) = rows.first() else {
            return Err(StoreError::not_found(format!(
                "no scan {scan} in the registry"
            )));
        };
        let org: String = first.try_get("code")?;
        let mut scopes: Vec<IpNet> = Vec::new();
        for r in &rows {
            if let Some(cidr) = r.try_get::<Option<String>, _>("cidr")? {
                scopes.push(cidr.parse().map_err(|e| {
                    StoreError::Corrupt(format!("scope {cidr:?} of organisation {org}: {e}"))
                })?);
            }
        }
        let scope = OrgScope::new(scopes, &org);
        if let Some(h) = hosts.iter().find(|h| !scope.allows(h.ip)) {
            return Err(StoreError::OutsideScope(HostOutsideScope {
                ip: h.ip,
                org,
                scopes: scope.nets,
            }));
        }
        Ok(())
    }

    /// Store hosts as they arrive (a host stored twice keeps its first report). `resume_from`
    /// is the scan's watermark at this point.
    pub async fn add_scan_hosts(
        &self,
        scan: i64,
        hosts: &[HostReport],
        resume_from: u64,
    ) -> Result<()> {
        self.check_hosts_in_scope(scan, hosts).await?;
        let mut tx = self.begin_write().await?;
        for chunk in hosts.chunks(batch_rows(HOST_COLS).min(200)) {
            let sql = format!(
                "INSERT INTO scan_hosts (scan_id, ip, is_camera, vendor, model, firmware, serial, mac, verdict, report, scanned_at) VALUES {} ON CONFLICT (scan_id, ip) DO NOTHING",
                self.values(chunk.len(), HOST_COLS)
            );
            let mut q = sqlx::query(&sql);
            for h in chunk {
                let report = serde_json::to_string(h)
                    .map_err(|e| StoreError::invalid(format!("host report: {e}")))?;
                q = q
                    .bind(scan)
                    .bind(h.ip.to_string())
                    .bind(i64::from(h.is_camera))
                    .bind(h.vendor.clone())
                    .bind(h.model.clone())
                    .bind(h.firmware.clone())
                    .bind(h.serial.clone())
                    // As the inventory stores it, so that matching compares like with like.
                    .bind(
                        h.mac
                            .as_deref()
                            .and_then(camguard_registry::inventory::normalize_mac),
                    )
                    .bind(h.verdict.clone())
                    .bind(report)
                    .bind(h.scanned_at.clone());
            }
            q.execute(&mut *tx).await?;
        }
        // Only the lease holder writes (and so renews its lease); a run whose lease was taken
        // over stores nothing more.
        let n = sqlx::query(
            "UPDATE scans SET resume_from = $1, hosts = (SELECT COUNT(*) FROM scan_hosts WHERE scan_id = $2), \
             cameras = (SELECT COUNT(*) FROM scan_hosts WHERE scan_id = $2 AND is_camera = 1), lease_until = $3 \
             WHERE id = $2 AND lease_holder = $4",
        )
        .bind(i64::try_from(resume_from).unwrap_or(i64::MAX))
        .bind(scan)
        .bind(self.leases.until())
        .bind(self.leases.holder())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            self.scan(scan).await?;
            self.leases.stop(scan);
            return Err(StoreError::LeaseLost { scan });
        }
        tx.commit().await?;
        Ok(())
    }

    /// Addresses already stored for a scan (a resumed scan skips them).
    pub async fn scan_host_addresses(&self, scan: i64) -> Result<HashSet<String>> {
        let rows = sqlx::query("SELECT ip FROM scan_hosts WHERE scan_id = $1")
            .bind(scan)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("ip")?)).collect()
    }

    /// Mark a scan resumed (running again), held by this store: a saved scan is run by one
    /// process at a time. A scan whose holder is alive is refused ([`StoreError::ScanBusy`]);
    /// one whose holder died (its lease expired) is taken over.
    pub async fn resume_scan(&self, scan: i64) -> Result<ScanRow> {
        let s = self.scan(scan).await?;
        if s.state == ScanState::Complete {
            return Err(StoreError::invalid(format!(
                "scan {scan} is complete; there is nothing to resume"
            )));
        }
        self.take_lease(scan).await?;
        sqlx::query(
            "UPDATE scans SET state = 'running', finished_at = NULL WHERE id = $1 AND lease_holder = $2",
        )
        .bind(scan)
        .bind(self.leases.holder())
        .execute(self.pool())
        .await?;
        self.scan(scan).await
    }

    /// Close a scan: match its hosts to the inventory and carry the findings through their
    /// lifecycle. An interrupted scan opens what it saw but verifies nothing (it did not look
    /// everywhere).
    pub async fn finish_scan(&self, scan: i64, state: ScanState) -> Result<StoredScan> {
        let s = self.scan(scan).await?;
        let org = self.org(&s.org).await?;
        let subtree = self.subtree_ids(org.id).await?;
        let t = now();

        // Inventory of the organisation's subtree, indexed by serial, MAC and address.
        let mut by_serial: HashMap<String, i64> = HashMap::new();
        let mut by_mac: HashMap<String, i64> = HashMap::new();
        let mut by_ip: HashMap<String, i64> = HashMap::new();
        let subtree_set: HashSet<i64> = subtree.iter().copied().collect();
        for r in sqlx::query("SELECT id, org_id, serial, mac, ip FROM cameras")
            .fetch_all(self.pool())
            .await?
        {
            if !subtree_set.contains(&r.try_get::<i64, _>("org_id")?) {
                continue;
            }
            let id: i64 = r.try_get("id")?;
            if let Some(v) = r.try_get::<Option<String>, _>("serial")? {
                by_serial.insert(v.to_ascii_uppercase(), id);
            }
            if let Some(v) = r.try_get::<Option<String>, _>("mac")? {
                by_mac.insert(v, id);
            }
            if let Some(v) = r.try_get::<Option<String>, _>("ip")? {
                by_ip.insert(v, id);
            }
        }

        let hosts = sqlx::query(
            "SELECT id, ip, is_camera, serial, mac, verdict, report FROM scan_hosts WHERE scan_id = $1",
        )
        .bind(scan)
        .fetch_all(self.pool())
        .await?;
        let mut out = StoredScan {
            scan,
            ..Default::default()
        };
        let mut tx = self.begin_write().await?;
        // Existing findings of the organisation: (subject, finding, port) -> (id, state, last profile).
        let mut existing: HashMap<(String, String, i64), (i64, FindingState, u8)> = HashMap::new();
        for r in sqlx::query(
            "SELECT f.id, f.subject, f.finding, f.port, f.state, s.profile FROM findings f JOIN scans s ON s.id = f.last_scan_id WHERE f.org_id = $1",
        )
        .bind(org.id)
        .fetch_all(&mut *tx)
        .await?
        {
            let state: String = r.try_get("state")?;
            let profile: String = r.try_get("profile")?;
            existing.insert(
                (r.try_get("subject")?, r.try_get("finding")?, r.try_get("port")?),
                (
                    r.try_get("id")?,
                    FindingState::parse(&state),
                    profile_rank(&profile),
                ),
            );
        }
        let mut seen: HashSet<(String, String, i64)> = HashSet::new();
        let mut assessed_subjects: HashSet<String> = HashSet::new();
        let mut new_rows: Vec<(String, Option<i64>, String, String, i64, String)> = Vec::new();
        let mut events: Vec<(i64, &'static str, Option<String>)> = Vec::new();
        for h in &hosts {
            let host_id: i64 = h.try_get("id")?;
            let ip: String = h.try_get("ip")?;
            let is_camera = h.try_get::<i64, _>("is_camera")? != 0;
            out.hosts += 1;
            let serial: Option<String> = h.try_get("serial")?;
            let mac: Option<String> = h.try_get("mac")?;
            let matched = serial
                .as_ref()
                .and_then(|v| {
                    by_serial
                        .get(&v.to_ascii_uppercase())
                        .map(|id| (*id, "serial"))
                })
                .or_else(|| {
                    mac.as_ref()
                        .and_then(|v| by_mac.get(v).map(|id| (*id, "mac")))
                })
                .or_else(|| by_ip.get(&ip).map(|id| (*id, "ip")));
            if is_camera {
                out.cameras += 1;
                if matched.is_none() {
                    out.unregistered += 1;
                }
            }
            if let Some((camera, how)) = matched {
                out.matched += 1;
                sqlx::query("UPDATE scan_hosts SET camera_id = $1, matched_by = $2 WHERE id = $3")
                    .bind(camera)
                    .bind(how)
                    .bind(host_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let verdict: Option<String> = h.try_get("verdict")?;
            if verdict.is_none() {
                continue; // not assessed: says nothing about findings
            }
            let subject = match matched {
                Some((id, _)) => format!("camera:{id}"),
                None => format!("ip:{ip}"),
            };
            // A subject counts as assessed only with a report that was read: a report that does
            // not parse says nothing, and must never verify the subject's findings as fixed.
            let report: String = h.try_get("report")?;
            let report = serde_json::from_str::<HostReport>(&report).map_err(|e| {
                StoreError::Corrupt(format!(
                    "scan {scan}: the stored report of host {ip} does not parse ({e}); the scan was not closed and no finding changed"
                ))
            })?;
            assessed_subjects.insert(subject.clone());
            for f in &report.findings {
                let port = i64::from(f.port.unwrap_or(0));
                let key = (subject.clone(), f.id.clone(), port);
                if !seen.insert(key.clone()) {
                    continue;
                }
                match existing.get(&key) {
                    None => new_rows.push((
                        subject.clone(),
                        matched.map(|m| m.0),
                        ip.clone(),
                        f.id.clone(),
                        port,
                        f.severity.as_str().to_string(),
                    )),
                    Some((id, st, _)) => {
                        let reopen = matches!(st, FindingState::Fixed | FindingState::Verified);
                        sqlx::query(
                            "UPDATE findings SET last_scan_id = $1, last_seen = $2, ip = $3, updated_at = $2, \
                             state = CASE WHEN state IN ('fixed', 'verified') THEN 'open' ELSE state END, \
                             verified_scan_id = CASE WHEN state IN ('fixed', 'verified') THEN NULL ELSE verified_scan_id END WHERE id = $4",
                        )
                        .bind(scan)
                        .bind(t.clone())
                        .bind(ip.clone())
                        .bind(*id)
                        .execute(&mut *tx)
                        .await?;
                        if reopen {
                            out.findings_reopened += 1;
                            events.push((*id, "open", Some(format!("seen again by scan {scan}"))));
                        }
                    }
                }
            }
        }
        // New findings, in batches; their ids for the history come back from a lookup.
        for chunk in new_rows.chunks(batch_rows(14).min(500)) {
            let sql = format!(
                "INSERT INTO findings (org_id, subject, camera_id, ip, finding, port, severity, state, first_scan_id, last_scan_id, first_seen, last_seen, updated_at, verified_scan_id) VALUES {}",
                self.values(chunk.len(), 14)
            );
            let mut q = sqlx::query(&sql);
            for (subject, camera, ip, finding, port, severity) in chunk {
                q = q
                    .bind(org.id)
                    .bind(subject.clone())
                    .bind(*camera)
                    .bind(ip.clone())
                    .bind(finding.clone())
                    .bind(*port)
                    .bind(severity.clone())
                    .bind("open")
                    .bind(scan)
                    .bind(scan)
                    .bind(t.clone())
                    .bind(t.clone())
                    .bind(t.clone())
                    .bind(None::<i64>);
            }
            q.execute(&mut *tx).await?;
        }
        out.findings_new = new_rows.len() as i64;
        if !new_rows.is_empty() {
            sqlx::query(
                "INSERT INTO finding_events (finding_id, at, state, scan_id, note) SELECT id, $1, 'open', $2, 'first seen' FROM findings WHERE first_scan_id = $2 AND org_id = $3",
            )
            .bind(t.clone())
            .bind(scan)
            .bind(org.id)
            .execute(&mut *tx)
            .await?;
        }
        // Verification: only a complete scan, only subjects it assessed, only when its profile
        // was at least as thorough as the one that last saw the finding.
        if state == ScanState::Complete {
            let rank = profile_rank(&s.profile);
            for (key, (id, st, last_rank)) in &existing {
                if seen.contains(key)
                    || !assessed_subjects.contains(&key.0)
                    || !matches!(st, FindingState::Open | FindingState::Fixed)
                    || rank < *last_rank
                {
                    continue;
                }
                sqlx::query(
                    "UPDATE findings SET state = 'verified', verified_scan_id = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(scan)
                .bind(t.clone())
                .bind(*id)
                .execute(&mut *tx)
                .await?;
                out.findings_verified += 1;
                events.push((*id, "verified", Some(format!("not seen by scan {scan}"))));
            }
        }
        for (id, st, note) in events {
            sqlx::query(
                "INSERT INTO finding_events (finding_id, at, state, scan_id, note) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(t.clone())
            .bind(st)
            .bind(scan)
            .bind(note)
            .execute(&mut *tx)
            .await?;
        }
        // Closing releases the lease; only its holder may close.
        let closed = sqlx::query(
            "UPDATE scans SET state = $1, finished_at = $2, hosts = $3, cameras = $4, lease_holder = NULL, lease_until = NULL \
             WHERE id = $5 AND lease_holder = $6",
        )
        .bind(state.as_str())
        .bind(t.clone())
        .bind(out.hosts)
        .bind(out.cameras)
        .bind(scan)
        .bind(self.leases.holder())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if closed == 0 {
            self.leases.stop(scan);
            return Err(StoreError::LeaseLost { scan });
        }
        let open =
            sqlx::query("SELECT COUNT(*) AS n FROM findings WHERE org_id = $1 AND state = 'open'")
                .bind(org.id)
                .fetch_one(&mut *tx)
                .await?;
        out.findings_open = open.try_get("n")?;
        tx.commit().await?;
        self.leases.stop(scan);
        Ok(out)
    }

    pub async fn scan(&self, id: i64) -> Result<ScanRow> {
        let rows = self.load_scans(Some(id), None).await?;
        rows.into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found(format!("no scan {id} in the registry")))
    }

    /// Scans of an organisation's subtree (all when `None`), newest first.
    pub async fn scans(&self, org: Option<&str>) -> Result<Vec<ScanRow>> {
        let keep = match org {
            Some(code) => Some(self.subtree_ids(self.org(code).await?.id).await?),
            None => None,
        };
        self.load_scans(None, keep.as_deref()).await
    }

    async fn load_scans(&self, id: Option<i64>, orgs: Option<&[i64]>) -> Result<Vec<ScanRow>> {
        let base = "SELECT s.id, o.code AS org, s.org_id, s.targets, s.operator, s.profile, s.state, s.started_at, s.finished_at, s.hosts, s.cameras, s.resume_from, s.args FROM scans s JOIN orgs o ON o.id = s.org_id";
        let rows = match id {
            Some(id) => {
                sqlx::query(&format!("{base} WHERE s.id = $1"))
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                sqlx::query(&format!("{base} ORDER BY s.id DESC"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        let mut out = Vec::new();
        for r in &rows {
            let org_id: i64 = r.try_get("org_id")?;
            if orgs.is_some_and(|o| !o.contains(&org_id)) {
                continue;
            }
            let targets: String = r.try_get("targets")?;
            let args: String = r.try_get("args")?;
            let state: String = r.try_get("state")?;
            out.push(ScanRow {
                id: r.try_get("id")?,
                org: r.try_get("org")?,
                targets: serde_json::from_str(&targets).unwrap_or_default(),
                operator: r.try_get("operator")?,
                profile: r.try_get("profile")?,
                state: ScanState::parse(&state),
                started_at: r.try_get("started_at")?,
                finished_at: r.try_get("finished_at")?,
                hosts: r.try_get("hosts")?,
                cameras: r.try_get("cameras")?,
                resume_from: r.try_get("resume_from")?,
                args: serde_json::from_str(&args).unwrap_or(serde_json::Value::Null),
            });
        }
        Ok(out)
    }

    /// Findings of an organisation's subtree (all when `None`), optionally in one state.
    pub async fn findings(
        &self,
        org: Option<&str>,
        state: Option<FindingState>,
    ) -> Result<Vec<FindingRow>> {
        let keep = match org {
            Some(code) => Some(self.subtree_ids(self.org(code).await?.id).await?),
            None => None,
        };
        let rows = sqlx::query(&format!("{} ORDER BY f.id", *FINDING_SELECT))
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let org_id: i64 = r.try_get("org_id")?;
            if keep.as_ref().is_some_and(|k| !k.contains(&org_id)) {
                continue;
            }
            let f = finding_row(r)?;
            if state.is_none_or(|s| s == f.state) {
                out.push(f);
            }
        }
        Ok(out)
    }

    /// One finding.
    pub async fn finding(&self, id: i64) -> Result<FindingRow> {
        let row = sqlx::query(&format!("{} WHERE f.id = $1", *FINDING_SELECT))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => finding_row(&r),
            None => Err(StoreError::not_found(format!(
                "no finding {id} in the registry"
            ))),
        }
    }

    /// The owner says a finding is fixed; the next complete scan verifies it (or reopens it).
    pub async fn mark_fixed(&self, finding: i64, on: time::Date, note: Option<&str>) -> Result<()> {
        let note = note.map(String::from);
        self.change_finding(finding, &FindingChange::Fixed { on, note })
            .await
    }

    /// Accept the risk of a finding, with a reason, until a date.
    pub async fn accept_risk(&self, finding: i64, reason: &str, until: time::Date) -> Result<()> {
        let reason = reason.to_string();
        self.change_finding(finding, &FindingChange::Accepted { reason, until })
            .await
    }

    /// Reopen a finding (end an accepted risk, or undo a "fixed").
    pub async fn reopen_finding(&self, finding: i64, note: Option<&str>) -> Result<()> {
        let note = note.map(String::from);
        self.change_finding(finding, &FindingChange::Reopened { note })
            .await
    }

    async fn change_finding(&self, finding: i64, change: &FindingChange) -> Result<()> {
        let mut tx = self.begin_write().await?;
        change_finding_in(&mut tx, finding, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A finding's history: (at, state, scan, note).
    pub async fn finding_history(&self, finding: i64) -> Result<Vec<serde_json::Value>> {
        let rows = sqlx::query(
            "SELECT at, state, scan_id, note FROM finding_events WHERE finding_id = $1 ORDER BY id",
        )
        .bind(finding)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(serde_json::json!({
                    "at": r.try_get::<String, _>("at")?,
                    "state": r.try_get::<String, _>("state")?,
                    "scan": r.try_get::<Option<i64>, _>("scan_id")?,
                    "note": r.try_get::<Option<String>, _>("note")?,
                }))
            })
            .collect()
    }

    /// A camera's history: every stored scan that saw it, with what it found.
    pub async fn camera_history(&self, camera: i64) -> Result<Vec<serde_json::Value>> {
        let rows = sqlx::query(
            "SELECT h.scan_id, s.started_at, h.ip, h.matched_by, h.verdict, h.firmware, h.report FROM scan_hosts h JOIN scans s ON s.id = h.scan_id WHERE h.camera_id = $1 ORDER BY h.scan_id",
        )
        .bind(camera)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let report: String = r.try_get("report")?;
                let findings: Vec<String> = serde_json::from_str::<HostReport>(&report)
                    .map(|h| h.findings.into_iter().map(|f| f.id).collect())
                    .unwrap_or_default();
                Ok(serde_json::json!({
                    "scan": r.try_get::<i64, _>("scan_id")?,
                    "at": r.try_get::<String, _>("started_at")?,
                    "ip": r.try_get::<String, _>("ip")?,
                    "matched_by": r.try_get::<Option<String>, _>("matched_by")?,
                    "verdict": r.try_get::<Option<String>, _>("verdict")?,
                    "firmware": r.try_get::<Option<String>, _>("firmware")?,
                    "findings": findings,
                }))
            })
            .collect()
    }

    /// Hosts of a scan that are cameras but matched no inventory entry.
    pub async fn unregistered_cameras(&self, scan: i64) -> Result<Vec<serde_json::Value>> {
        let rows = sqlx::query(
            "SELECT ip, vendor, model, firmware FROM scan_hosts WHERE scan_id = $1 AND is_camera = 1 AND camera_id IS NULL ORDER BY ip",
        )
        .bind(scan)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(serde_json::json!({
                    "ip": r.try_get::<String, _>("ip")?,
                    "vendor": r.try_get::<Option<String>, _>("vendor")?,
                    "model": r.try_get::<Option<String>, _>("model")?,
                    "firmware": r.try_get::<Option<String>, _>("firmware")?,
                }))
            })
            .collect()
    }
}

/// Change a finding's state and record the event, in the caller's transaction. A risk is
/// accepted with a reason, until a day after today.
pub(crate) async fn change_finding_in(
    tx: &mut sqlx::AnyConnection,
    finding: i64,
    change: &FindingChange,
) -> Result<()> {
    let (state, fixed_on, reason, until, note) = match change {
        FindingChange::Fixed { on, note } => (
            "fixed",
            Some(crate::date_text(*on)),
            None,
            None,
            note.as_deref(),
        ),
        FindingChange::Accepted { reason, until } => {
            if reason.trim().is_empty() {
                return Err(StoreError::invalid(
                    "accepting a risk needs a reason (--reason)",
                ));
            }
            if *until <= crate::today() {
                return Err(StoreError::invalid(
                    "the acceptance must expire in the future (--until)",
                ));
            }
            (
                "accepted",
                None,
                Some(reason.trim()),
                Some(crate::date_text(*until)),
                None,
            )
        }
        FindingChange::Reopened { note } => ("open", None, None, None, note.as_deref()),
    };
    let t = now();
    let n = sqlx::query(
        "UPDATE findings SET state = $1, fixed_on = $2, accepted_reason = $3, accepted_until = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(state)
    .bind(fixed_on)
    .bind(reason)
    .bind(until.clone())
    .bind(t.clone())
    .bind(finding)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::not_found(format!(
            "no finding {finding} in the registry"
        )));
    }
    let note = match (reason, until) {
        (Some(r), Some(u)) => Some(format!("{r} (until {u})")),
        _ => note.map(String::from),
    };
    sqlx::query(
        "INSERT INTO finding_events (finding_id, at, state, scan_id, note) VALUES ($1, $2, $3, NULL, $4)",
    )
    .bind(finding)
    .bind(t)
    .bind(state)
    .bind(note)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
