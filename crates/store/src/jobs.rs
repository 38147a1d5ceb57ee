//! Scans as durable jobs (schema 4): the store's half.
//!
//! A scan asked for through the HTTP API is stored first, in state `queued`, after its targets
//! were checked against the organisation's scope ([`Store::queue_scan`]: a refused target
//! queues nothing). The job queue (crate `camguard-jobs`) carries only the scan's id; a worker
//! takes the scan's lease ([`Store::start_queued_scan`]), runs it, stores hosts as they stream
//! ([`Store::add_scan_hosts`], with the watermark) and closes it ([`Store::finish_scan`], or
//! [`Store::fail_scan`]). States: `queued → running → complete | failed | cancelled`; a worker
//! that shuts down puts its scan back to `queued` ([`Store::requeue_scan`]); one that dies
//! leaves it `running` with a lease that expires, and the next worker takes it over.

use crate::audit::{Actor, NewAudit, append_in};
use crate::scan::ScanState;
use crate::{Result, ScanRow, Store, StoreError, now};
use camguard_model::HostReport;
use camguard_model::scope::{IpRange, Refusal, Scope, merge};
use serde::Serialize;
use sqlx::Row;
use std::net::IpAddr;

/// A scan's state and progress, as the API shows it (`GET /api/v1/scans/{id}`).
#[derive(Clone, Debug, Serialize)]
pub struct ScanProgress {
    pub id: i64,
    pub org: String,
    /// The API's name of the state ([`ScanState::api_name`]).
    pub state: &'static str,
    #[serde(skip)]
    pub stored_state: ScanState,
    pub targets: Vec<String>,
    pub profile: String,
    pub requested_by: Option<String>,
    pub cancel_requested: bool,
    /// Why the scan failed.
    pub error: Option<String>,
    /// Addresses the targets hold.
    pub targets_total: i64,
    /// Addresses finished with so far.
    pub addresses_done: i64,
    pub hosts: i64,
    pub cameras: i64,
    pub queued_at: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// The most addresses one queued scan may hold (a /8 of IPv4; an IPv6 /64 is refused).
const MAX_TARGET_ADDRESSES: u128 = 1 << 24;
/// The most targets one queued scan may list.
const MAX_TARGETS: usize = 10_000;

/// A target of a queued scan as an address range: an address, a network (CIDR) or
/// `first-last`. Names are refused: the caller resolves them (once) and queues addresses, so
/// the address checked is the address scanned.
fn target_range(t: &str) -> Result<IpRange> {
    let t = t.trim();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Ok(IpRange::single(ip));
    }
    if let Ok(net) = t.parse::<ipnet::IpNet>() {
        return Ok(IpRange::from_net(net.trunc()));
    }
    if let Some((a, b)) = t.split_once('-')
        && let (Ok(a), Ok(b)) = (a.trim().parse::<IpAddr>(), b.trim().parse::<IpAddr>())
    {
        let (ra, rb) = (IpRange::single(a), IpRange::single(b));
        if ra.v6 == rb.v6 && ra.start <= rb.start {
            return Ok(IpRange {
                v6: ra.v6,
                start: ra.start,
                end: rb.start,
            });
        }
        return Err(StoreError::invalid(format!(
            "target {t:?}: a range goes from the lower to the higher address of one family"
        )));
    }
    Err(StoreError::invalid(format!(
        "target {t:?} is not an address, a network (CIDR) or a range (first-last); a queued scan takes addresses (resolve names first)"
    )))
}

impl Store {
    /// Queue a scan for an organisation: every target must lie inside the organisation's
    /// scope (and outside the blocks never scanned), else [`StoreError::TargetRefused`] and
    /// nothing is stored. `options` are the scan's settings (ports, rate …) for the worker.
    pub async fn queue_scan(
        &self,
        org: &str,
        targets: &[String],
        profile: &str,
        options: &serde_json::Value,
        actor: &str,
    ) -> Result<ScanRow> {
        self.queue_scan_audited(org, targets, profile, options, actor, None)
            .await
    }

    /// [`Store::queue_scan`] on behalf of `audit` (the account requesting it), recorded
    /// (`scan.queue`) in the same transaction: the queued scan and its audit entry are both
    /// stored, or neither.
    pub async fn queue_scan_as(
        &self,
        org: &str,
        targets: &[String],
        profile: &str,
        options: &serde_json::Value,
        requested_by: &str,
        audit: &Actor,
    ) -> Result<ScanRow> {
        self.queue_scan_audited(org, targets, profile, options, requested_by, Some(audit))
            .await
    }

    async fn queue_scan_audited(
        &self,
        org: &str,
        targets: &[String],
        profile: &str,
        options: &serde_json::Value,
        actor: &str,
        audit: Option<&Actor>,
    ) -> Result<ScanRow> {
        let o = self.org(org).await?;
        if targets.is_empty() {
            return Err(StoreError::invalid("a scan needs at least one target"));
        }
        if targets.len() > MAX_TARGETS {
            return Err(StoreError::invalid(format!(
                "a scan takes at most {MAX_TARGETS} targets"
            )));
        }
        if !matches!(profile, "quick" | "default" | "thorough") {
            return Err(StoreError::invalid(format!(
                "unknown profile {profile:?} (quick, default or thorough)"
            )));
        }
        let ranges = targets
            .iter()
            .map(|t| target_range(t))
            .collect::<Result<Vec<_>>>()?;
        if o.scopes.is_empty() {
            return Err(StoreError::TargetRefused(Refusal {
                target: targets[0].clone(),
                reason: format!("is outside the authorised scope: organisation {org} has none"),
            }));
        }
        let scope = Scope::from_nets(&o.scopes, &format!("the scope of organisation {org}"));
        for (r, t) in ranges.iter().zip(targets) {
            scope
                .check_range(r, t.trim())
                .map_err(StoreError::TargetRefused)?;
        }
        let total: u128 = merge(ranges).iter().map(IpRange::len).sum();
        if total > MAX_TARGET_ADDRESSES {
            return Err(StoreError::invalid(format!(
                "the targets hold {total} addresses; a queued scan takes at most {MAX_TARGET_ADDRESSES}"
            )));
        }
        let labels: Vec<String> = targets.iter().map(|t| t.trim().to_string()).collect();
        let t = now();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO scans (org_id, targets, operator, profile, args, state, started_at, resume_from, hosts, cameras, camguard_version, requested_by, cancel_requested, targets_total, addresses_done, queued_at) \
             VALUES ($1, $2, $3, $4, $5, 'queued', $6, 0, 0, 0, $7, $8, 0, $9, 0, $6) RETURNING id",
        )
        .bind(o.id)
        .bind(serde_json::to_string(&labels).unwrap_or_default())
        .bind(actor)
        .bind(profile)
        .bind(serde_json::json!({ "options": options }).to_string())
        .bind(t)
        .bind(env!("CARGO_PKG_VERSION"))
        .bind(actor)
        .bind(i64::try_from(total).unwrap_or(i64::MAX))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        if let Some(by) = audit {
            append_in(
                &mut tx,
                &NewAudit {
                    actor: by,
                    action: "scan.queue",
                    subject: &format!("scan:{id}"),
                    before: None,
                    after: Some(serde_json::json!({
                        "org": o.code,
                        "targets": labels,
                        "profile": profile,
                    })),
                    org_id: Some(o.id),
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.scan(id).await
    }

    /// A worker starts (or takes over) a queued scan: takes its lease (refused with
    /// [`StoreError::ScanBusy`] while another live holder has it) and marks it running. A scan
    /// that is already final is refused with [`StoreError::Invalid`].
    pub async fn start_queued_scan(&self, scan: i64) -> Result<ScanRow> {
        let s = self.scan(scan).await?;
        if s.state.is_final() {
            return Err(StoreError::invalid(format!(
                "scan {scan} is {}; there is nothing to run",
                s.state.as_str()
            )));
        }
        self.take_lease(scan).await?;
        sqlx::query(
            "UPDATE scans SET state = 'running', finished_at = NULL, started_at = CASE WHEN state = 'queued' AND resume_from = 0 THEN $3 ELSE started_at END \
             WHERE id = $1 AND lease_holder = $2",
        )
        .bind(scan)
        .bind(self.leases.holder())
        .bind(now())
        .execute(self.pool())
        .await?;
        self.scan(scan).await
    }

    /// A worker shutting down hands its scan back: state `queued`, lease released, hosts and
    /// watermark kept, so that the next worker resumes it at once.
    pub async fn requeue_scan(&self, scan: i64) -> Result<()> {
        let n = sqlx::query(
            "UPDATE scans SET state = 'queued', lease_holder = NULL, lease_until = NULL WHERE id = $1 AND lease_holder = $2 AND state = 'running'",
        )
        .bind(scan)
        .bind(self.leases.holder())
        .execute(self.pool())
        .await?
        .rows_affected();
        self.leases.stop(scan);
        if n == 0 {
            return Err(StoreError::LeaseLost { scan });
        }
        Ok(())
    }

    /// Ask for a scan to be cancelled. A queued scan is cancelled at once; a running one is
    /// flagged and its worker stops it within moments (keeping the hosts found). A final scan
    /// is left as it is. Returns the state after the request.
    pub async fn request_cancel(&self, scan: i64) -> Result<ScanState> {
        let t = now();
        sqlx::query(
            "UPDATE scans SET state = 'cancelled', cancel_requested = 1, finished_at = $2 WHERE id = $1 AND state = 'queued'",
        )
        .bind(scan)
        .bind(t)
        .execute(self.pool())
        .await?;
        sqlx::query(
            "UPDATE scans SET cancel_requested = 1 WHERE id = $1 AND state IN ('running', 'interrupted')",
        )
        .bind(scan)
        .execute(self.pool())
        .await?;
        Ok(self.scan(scan).await?.state)
    }

    /// Whether a cancel was asked for (the worker polls this).
    pub async fn cancel_requested(&self, scan: i64) -> Result<bool> {
        let row = sqlx::query("SELECT cancel_requested FROM scans WHERE id = $1")
            .bind(scan)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found(format!("no scan {scan} in the registry")))?;
        Ok(row.try_get::<i64, _>("cancel_requested")? != 0)
    }

    /// The worker's progress: addresses finished with (only the lease holder writes).
    pub async fn set_scan_progress(&self, scan: i64, addresses_done: u64) -> Result<()> {
        sqlx::query("UPDATE scans SET addresses_done = $1 WHERE id = $2 AND lease_holder = $3")
            .bind(i64::try_from(addresses_done).unwrap_or(i64::MAX))
            .bind(scan)
            .bind(self.leases.holder())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Close a scan that could not run, with the reason; its lease is released. Hosts stored
    /// so far are kept; findings are not changed.
    pub async fn fail_scan(&self, scan: i64, error: &str) -> Result<()> {
        let error = camguard_model::redact::url_credentials(error);
        let error: String = error.chars().take(2000).collect();
        let n = sqlx::query(
            "UPDATE scans SET state = 'failed', error = $1, finished_at = $2, lease_holder = NULL, lease_until = NULL \
             WHERE id = $3 AND state IN ('queued', 'running', 'interrupted') AND (lease_holder IS NULL OR lease_holder = $4)",
        )
        .bind(error)
        .bind(now())
        .bind(scan)
        .bind(self.leases.holder())
        .execute(self.pool())
        .await?
        .rows_affected();
        self.leases.stop(scan);
        if n == 0 {
            self.scan(scan).await?;
            return Err(StoreError::LeaseLost { scan });
        }
        Ok(())
    }

    /// A scan's state and progress.
    pub async fn scan_progress(&self, scan: i64) -> Result<ScanProgress> {
        let r = sqlx::query(
            "SELECT s.id, o.code AS org, s.state, s.targets, s.profile, s.requested_by, s.cancel_requested, s.error, s.targets_total, s.addresses_done, s.hosts, s.cameras, s.queued_at, s.started_at, s.finished_at \
             FROM scans s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1",
        )
        .bind(scan)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::not_found(format!("no scan {scan} in the registry")))?;
        let state = ScanState::parse(&r.try_get::<String, _>("state")?);
        let targets: String = r.try_get("targets")?;
        Ok(ScanProgress {
            id: r.try_get("id")?,
            org: r.try_get("org")?,
            state: state.api_name(),
            stored_state: state,
            targets: serde_json::from_str(&targets).unwrap_or_default(),
            profile: r.try_get("profile")?,
            requested_by: r.try_get("requested_by")?,
            cancel_requested: r.try_get::<i64, _>("cancel_requested")? != 0,
            error: r.try_get("error")?,
            targets_total: r.try_get("targets_total")?,
            addresses_done: r.try_get("addresses_done")?,
            hosts: r.try_get("hosts")?,
            cameras: r.try_get("cameras")?,
            queued_at: r.try_get("queued_at")?,
            started_at: r.try_get("started_at")?,
            finished_at: r.try_get("finished_at")?,
        })
    }

    /// The hosts stored for a scan (redacted reports, as stored), ordered by address text.
    pub async fn scan_hosts(&self, scan: i64) -> Result<Vec<HostReport>> {
        let rows = sqlx::query("SELECT ip, report FROM scan_hosts WHERE scan_id = $1 ORDER BY id")
            .bind(scan)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let report: String = r.try_get("report")?;
                serde_json::from_str(&report).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "scan {scan}, host {}: {e}",
                        r.try_get::<String, _>("ip").unwrap_or_default()
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_addresses_networks_or_ranges() {
        assert_eq!(target_range("127.140.0.1").unwrap().len(), 1);
        assert_eq!(target_range("127.140.0.0/30").unwrap().len(), 4);
        assert_eq!(
            target_range(" 127.140.0.1-127.140.0.10 ").unwrap().len(),
            10
        );
        assert!(target_range("127.140.0.10-127.140.0.1").is_err());
        assert!(target_range("127.140.0.1-::1").is_err());
        assert!(target_range("camera.example").is_err());
    }
}
