//! Tenancy: what an account may reach, enforced where the data is read.
//!
//! Every read the service makes on behalf of a caller goes through a function here that takes
//! the caller's [`Reach`] and puts it in the query itself, so that no handler can forget it. A
//! row outside the reach is answered exactly as a row that does not exist
//! ([`StoreError::NotFound`]): its existence is not revealed.
//!
//! * `admin`: every organisation;
//! * `assessor`: the subtrees of the organisations it is assigned to ([`Store::assign_org`]);
//! * every other role: the subtree of its own organisation.

use crate::audit::{Actor, AuditEntry, NewAudit, append_in};
use crate::camera::{CAMERA_SELECT, CAMERAS, camera_columns, camera_row};
use crate::scan::{FINDING_SELECT, FINDINGS, finding_columns, finding_row};
use crate::{CameraRow, FindingRow, FindingState, Org, Result, ScanRow, Store, StoreError, User};
use camguard_auth::Role;
use serde_json::json;
use sqlx::Row;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

/// The organisations a caller may see and act on (by id). Closed under "is below": when an
/// organisation is in the reach, so is its whole subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Every organisation (an admin, or the command line).
    All,
    /// These organisations only (possibly none).
    Orgs(Arc<BTreeSet<i64>>),
}

impl Reach {
    /// Whether an organisation is within the reach.
    pub fn contains(&self, org_id: i64) -> bool {
        match self {
            Reach::All => true,
            Reach::Orgs(ids) => ids.contains(&org_id),
        }
    }

    /// A SQL condition on an organisation-id column. The ids are integers read from the
    /// database, written as literals (no text from a request ever reaches this).
    pub(crate) fn condition(&self, column: &str) -> String {
        match self {
            Reach::All => "1 = 1".to_string(),
            Reach::Orgs(ids) if ids.is_empty() => "1 = 0".to_string(),
            Reach::Orgs(ids) => {
                let mut s = format!("{column} IN (");
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    let _ = write!(s, "{id}");
                }
                s.push(')');
                s
            }
        }
    }

    /// The part of this reach that lies in `subtree`.
    fn within(&self, subtree: &[i64]) -> Reach {
        Reach::Orgs(Arc::new(
            subtree
                .iter()
                .copied()
                .filter(|i| self.contains(*i))
                .collect(),
        ))
    }
}

/// One page of a list, in id order; `next` is the id to continue after.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<i64>,
}

/// Which findings to list.
#[derive(Clone, Debug, Default)]
pub struct FindingQuery {
    /// An organisation and its subtree (all in reach when `None`).
    pub org: Option<String>,
    pub state: Option<FindingState>,
    pub severity: Option<String>,
}

/// Which cameras to list (the dashboard's filters); every condition is optional.
#[derive(Clone, Debug, Default)]
pub struct CameraQuery {
    /// An organisation and its subtree (all in reach when `None`).
    pub org: Option<String>,
    /// The vendor's key (`catalogue::vendor_key`), exactly.
    pub vendor_key: Option<String>,
    /// The start of the model's key (`catalogue::model_key`).
    pub model_key: Option<String>,
    /// Only models a catalogue warning matches (vendor key equal, model key by the warning's
    /// `*` wildcards).
    pub warned: bool,
    /// Only cameras without a conformity certificate.
    pub uncertified: bool,
    /// Only cameras with an open finding.
    pub open_findings: bool,
}

/// A change in a finding's lifecycle.
#[derive(Clone, Debug)]
pub enum FindingChange {
    /// The owner says it is fixed; the next complete scan verifies it (or reopens it).
    Fixed {
        on: time::Date,
        note: Option<String>,
    },
    /// The risk is accepted, for a reason, until a date.
    Accepted { reason: String, until: time::Date },
    /// Open again.
    Reopened { note: Option<String> },
}

impl FindingChange {
    fn action(&self) -> &'static str {
        match self {
            FindingChange::Fixed { .. } => "finding.fix",
            FindingChange::Accepted { .. } => "finding.accept",
            FindingChange::Reopened { .. } => "finding.reopen",
        }
    }
}

fn finding_audit(f: &FindingRow) -> serde_json::Value {
    json!({
        "state": f.state.as_str(),
        "fixed_on": f.fixed_on,
        "accepted_reason": f.accepted_reason,
        "accepted_until": f.accepted_until,
    })
}

/// The longest page a list returns.
pub const MAX_PAGE: usize = 1000;

fn not_found_org(code: &str) -> StoreError {
    StoreError::not_found(format!("no organisation {code:?} in the registry"))
}

impl Store {
    /// What an account may reach.
    pub async fn reach_of(&self, user: &User) -> Result<Reach> {
        let roots: Vec<i64> = match (user.role, user.org_id) {
            (Role::Admin, _) => return Ok(Reach::All),
            (Role::Assessor, _) => {
                let rows = sqlx::query("SELECT org_id FROM user_orgs WHERE user_id = $1")
                    .bind(user.id)
                    .fetch_all(self.pool())
                    .await?;
                rows.iter()
                    .map(|r| r.try_get::<i64, _>("org_id"))
                    .collect::<std::result::Result<_, _>>()?
            }
            (_, Some(org)) => vec![org],
            (_, None) => Vec::new(),
        };
        Ok(Reach::Orgs(Arc::new(
            self.tree().await?.subtree(&roots).into_iter().collect(),
        )))
    }

    /// Assign an assessor account to an organisation (its reach grows by that subtree).
    /// Recorded (`user.assign`).
    pub async fn assign_org(&self, username: &str, org: &str, actor: &Actor) -> Result<User> {
        let user = self.user(username).await?;
        if user.role != Role::Assessor {
            return Err(StoreError::invalid(format!(
                "only assessor accounts are assigned to organisations; {} is {}",
                user.username, user.role
            )));
        }
        let org = self.org(org).await?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO user_orgs (user_id, org_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, org_id) DO NOTHING",
        )
        .bind(user.id)
        .bind(org.id)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            append_in(
                &mut tx,
                &NewAudit {
                    actor,
                    action: "user.assign",
                    subject: &format!("user:{}", user.username),
                    before: None,
                    after: Some(json!({"username": user.username, "assigned_org": org.code})),
                    org_id: Some(org.id),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    /// The organisations an assessor is assigned to (codes).
    pub async fn assignments(&self, username: &str) -> Result<Vec<String>> {
        let user = self.user(username).await?;
        let rows = sqlx::query(
            "SELECT o.code FROM user_orgs u JOIN orgs o ON o.id = u.org_id WHERE u.user_id = $1 ORDER BY o.code",
        )
        .bind(user.id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("code").map_err(StoreError::from))
            .collect()
    }

    /// The organisations in reach, parents before children.
    pub async fn orgs_in(&self, reach: &Reach) -> Result<Vec<Org>> {
        Ok(self
            .orgs()
            .await?
            .into_iter()
            .filter(|o| reach.contains(o.id))
            .collect())
    }

    /// (code, name) of the organisations in reach, in id order: the choices of a form, from
    /// the tree in memory.
    pub async fn org_names_in(&self, reach: &Reach) -> Result<Vec<(String, String)>> {
        Ok(self.tree().await?.names(|id| reach.contains(id)))
    }

    /// One organisation, when it is in reach.
    pub async fn org_in(&self, reach: &Reach, code: &str) -> Result<Org> {
        // No code holds a NUL (PostgreSQL refuses one in text): not found, not a database error.
        if code.contains('\0') {
            return Err(not_found_org(code));
        }
        match self.org(code).await {
            Ok(o) if reach.contains(o.id) => Ok(o),
            Ok(_) | Err(StoreError::NotFound(_)) => Err(not_found_org(code)),
            Err(e) => Err(e),
        }
    }

    /// The organisation column as a page in id order should test it for `reach`.
    ///
    /// A page is chosen by ids alone (`WHERE x.id IN (SELECT x.id FROM table x WHERE … ORDER
    /// BY x.id LIMIT n)`, with no join that the planner could start from), then its rows are
    /// read with their joins. SQLite, without statistics, reads the ids of every organisation
    /// in reach through the `(org_id, id)` index and sorts them: fine for a unit, slow for a
    /// province (25,000 cameras or 250,000 findings sorted for 100: 23 and 134 ms). When the
    /// reach is a large part of the registry, `+` makes it walk the ids in order instead and
    /// skip the rows outside (a few per row returned: 0.2 and 0.3 ms); for a small part the
    /// index is right (BENCHMARKS §10). PostgreSQL chooses by its statistics.
    pub(crate) async fn paging_column(&self, reach: &Reach, column: &str) -> Result<String> {
        if self.backend() != crate::Backend::Sqlite {
            return Ok(column.to_string());
        }
        let many = match reach {
            Reach::All => false,
            Reach::Orgs(ids) if ids.len() <= 32 => false,
            Reach::Orgs(ids) => ids.len() * 8 >= self.tree().await?.len(),
        };
        Ok(if many {
            format!("+{column}")
        } else {
            column.to_string()
        })
    }

    /// The reach narrowed to one organisation's subtree (`None`: the whole reach). An
    /// organisation out of reach is not found, as one that does not exist.
    pub(crate) async fn narrowed(&self, reach: &Reach, org: Option<&str>) -> Result<Reach> {
        match org {
            None => Ok(reach.clone()),
            Some(code) => {
                let (tree, id) = self.tree_with(code).await?;
                match id {
                    Some(id) if reach.contains(id) => Ok(reach.within(&tree.subtree(&[id]))),
                    _ => Err(not_found_org(code)),
                }
            }
        }
    }

    /// A page of the inventory in reach (of `org`'s subtree when given), in id order after
    /// `after`.
    pub async fn cameras_page(
        &self,
        reach: &Reach,
        org: Option<&str>,
        limit: usize,
        after: Option<i64>,
    ) -> Result<Page<CameraRow>> {
        let reach = self.narrowed(reach, org).await?;
        let limit = limit.clamp(1, MAX_PAGE);
        let column = self.paging_column(&reach, "c.org_id").await?;
        let sql = CAMERAS.query(
            self.backend(),
            &format!(
                "c.id IN (SELECT c.id FROM cameras c WHERE {} AND c.id > $1 \
                 ORDER BY c.id LIMIT $2)",
                reach.condition(&column)
            ),
        );
        let query = sqlx::query(&sql)
            .bind(after.unwrap_or(0))
            .bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
        let items = CAMERAS.read(self, query, camera_columns).await?;
        Ok(page(items, limit, |c| c.id))
    }

    /// A page of the inventory in reach that meets `query`, in id order after `after`.
    pub async fn cameras_query_page(
        &self,
        reach: &Reach,
        query: &CameraQuery,
        limit: usize,
        after: Option<i64>,
    ) -> Result<Page<CameraRow>> {
        let reach = self.narrowed(reach, query.org.as_deref()).await?;
        let limit = limit.clamp(1, MAX_PAGE);
        let mut cond = reach.condition(&self.paging_column(&reach, "c.org_id").await?);
        if query.warned {
            cond.push_str(
                " AND EXISTS (SELECT 1 FROM catalogue k WHERE k.status = 'warned' \
                 AND k.vendor_key = c.vendor_key AND c.model_key LIKE REPLACE(k.model_key, '*', '%'))",
            );
        }
        if query.uncertified {
            cond.push_str(" AND (c.cert_conformity IS NULL OR c.cert_conformity = '')");
        }
        if query.open_findings {
            cond.push_str(
                " AND EXISTS (SELECT 1 FROM findings f WHERE f.camera_id = c.id AND f.state = 'open')",
            );
        }
        // `%` and `_` in a typed model are literal: the keys hold neither (model_key keeps
        // letters and digits), so they are simply removed.
        let model = query
            .model_key
            .as_deref()
            .unwrap_or("")
            .replace(['%', '_', '\\'], "");
        let sql = CAMERAS.query(
            self.backend(),
            &format!(
                "c.id IN (SELECT c.id FROM cameras c WHERE {cond} AND c.id > $1 \
                 AND ($2 = '' OR c.vendor_key = $2) AND ($3 = '' OR c.model_key LIKE $4) \
                 ORDER BY c.id LIMIT $5)"
            ),
        );
        let q = sqlx::query(&sql)
            .bind(after.unwrap_or(0))
            .bind(query.vendor_key.clone().unwrap_or_default())
            .bind(model.clone())
            .bind(format!("{model}%"))
            .bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
        let items = CAMERAS.read(self, q, camera_columns).await?;
        Ok(page(items, limit, |c| c.id))
    }

    /// One camera, when it is in reach.
    pub async fn camera_in(&self, reach: &Reach, id: i64) -> Result<CameraRow> {
        let row = sqlx::query(&format!(
            "{} WHERE c.id = $1 AND {}",
            *CAMERA_SELECT,
            reach.condition("c.org_id")
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => camera_row(&r),
            None => Err(StoreError::not_found(format!(
                "no camera {id} in the registry"
            ))),
        }
    }

    /// The findings of a camera in reach (every state), in id order.
    pub async fn camera_findings_in(&self, reach: &Reach, camera: i64) -> Result<Vec<FindingRow>> {
        let rows = sqlx::query(&format!(
            "{} WHERE f.camera_id = $1 AND {} ORDER BY f.id LIMIT $2",
            *FINDING_SELECT,
            reach.condition("f.org_id")
        ))
        .bind(camera)
        .bind(i64::try_from(MAX_PAGE).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(finding_row).collect()
    }

    /// A page of findings in reach, in id order after `after`.
    pub async fn findings_page(
        &self,
        reach: &Reach,
        query: &FindingQuery,
        limit: usize,
        after: Option<i64>,
    ) -> Result<Page<FindingRow>> {
        let reach = self.narrowed(reach, query.org.as_deref()).await?;
        let limit = limit.clamp(1, MAX_PAGE);
        let column = self.paging_column(&reach, "f.org_id").await?;
        let sql = FINDINGS.query(
            self.backend(),
            &format!(
                "f.id IN (SELECT f.id FROM findings f WHERE {} AND f.id > $1 \
                 AND ($2 = '' OR f.state = $2) AND ($3 = '' OR f.severity = $3) \
                 ORDER BY f.id LIMIT $4)",
                reach.condition(&column)
            ),
        );
        let q = sqlx::query(&sql)
            .bind(after.unwrap_or(0))
            .bind(query.state.map_or("", FindingState::as_str))
            .bind(query.severity.as_deref().unwrap_or(""))
            .bind(i64::try_from(limit + 1).unwrap_or(i64::MAX));
        let items = FINDINGS.read(self, q, finding_columns).await?;
        Ok(page(items, limit, |f| f.id))
    }

    /// One finding, when it is in reach.
    pub async fn finding_in(&self, reach: &Reach, id: i64) -> Result<FindingRow> {
        let row = sqlx::query(&format!(
            "{} WHERE f.id = $1 AND {}",
            *FINDING_SELECT,
            reach.condition("f.org_id")
        ))
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

    /// Change a finding in reach, and record the change (who, before, after) in the audit log.
    pub async fn change_finding_in(
        &self,
        reach: &Reach,
        id: i64,
        change: &FindingChange,
        actor: &Actor,
    ) -> Result<FindingRow> {
        let before = self.finding_in(reach, id).await?;
        // The change and its audit entry in one transaction: both or neither.
        let mut tx = self.begin_write().await?;
        crate::scan::change_finding_in(&mut tx, id, change).await?;
        let row = sqlx::query(&format!("{} WHERE f.id = $1", *FINDING_SELECT))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let after = finding_row(&row)?;
        let org_id: i64 = row.try_get("org_id")?;
        append_in(
            &mut tx,
            &NewAudit {
                actor,
                action: change.action(),
                subject: &format!("finding:{id}"),
                before: Some(finding_audit(&before)),
                after: Some(finding_audit(&after)),
                org_id: Some(org_id),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Import inventory rows on behalf of a caller: a row naming an organisation outside the
    /// reach is rejected exactly as one naming no organisation; the others go through
    /// [`Store::import_cameras`]. Recorded (`camera.import`, with the counts) against `org`.
    pub async fn import_cameras_in(
        &self,
        reach: &Reach,
        org: &str,
        rows: Vec<camguard_registry::inventory::ParsedRow>,
        keys: &(dyn Fn(&camguard_registry::inventory::CameraRecord) -> (String, String) + Sync),
        actor: &Actor,
    ) -> Result<crate::ImportReport> {
        let target = self.org_in(reach, org).await?;
        let index = self.org_index().await?;
        let mut inside = Vec::with_capacity(rows.len());
        let mut rejected = Vec::new();
        for row in rows {
            match index.resolve(&row.record.org) {
                Ok(id) if reach.contains(id) => inside.push(row),
                Ok(_) => rejected.push(camguard_registry::table::RejectedRow {
                    line: row.line,
                    reason: format!(
                        "org: {:?} is not a registered organisation",
                        row.record.org.trim()
                    ),
                }),
                // The store names the problem itself.
                Err(_) => inside.push(row),
            }
        }
        let subject = format!("org:{}", target.code);
        let audit = crate::camera::ImportAudit {
            actor,
            subject: &subject,
            org_id: target.id,
            rejected_before: rejected.len(),
        };
        let mut report = self
            .import_cameras_audited(inside, keys, Some(audit))
            .await?;
        report.rejected.append(&mut rejected);
        report.rejected.sort_by_key(|r| r.line);
        Ok(report)
    }

    /// A page of the scans in reach (of `org`'s subtree when given), newest first, before
    /// the scan `before`.
    pub async fn scans_page(
        &self,
        reach: &Reach,
        org: Option<&str>,
        limit: usize,
        before: Option<i64>,
    ) -> Result<Page<ScanRow>> {
        let reach = self.narrowed(reach, org).await?;
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(&format!(
            "SELECT id FROM scans WHERE {} AND id < $1 ORDER BY id DESC LIMIT $2",
            reach.condition("org_id")
        ))
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            items.push(self.scan(r.try_get("id")?).await?);
        }
        Ok(page(items, limit, |s| s.id))
    }

    /// One scan, when it is in reach.
    pub async fn scan_in(&self, reach: &Reach, id: i64) -> Result<ScanRow> {
        let org: Option<i64> = sqlx::query("SELECT org_id FROM scans WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get("org_id"))
            .transpose()?;
        match org {
            Some(o) if reach.contains(o) => self.scan(id).await,
            _ => Err(StoreError::not_found(format!(
                "no scan {id} in the registry"
            ))),
        }
    }

    /// A page of the audit log from `since` (RFC 3339 UTC text) on, in id order after `after`.
    /// Outside [`Reach::All`], only the entries that concern an organisation in reach.
    pub async fn audit_page(
        &self,
        reach: &Reach,
        since: Option<&str>,
        limit: usize,
        after: Option<i64>,
    ) -> Result<Page<AuditEntry>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let cond = reach.condition("a.org_id");
        let items = self
            .audit_where(
                &format!("{cond} AND a.id > $1 AND a.at >= $2 ORDER BY a.id LIMIT $3"),
                after.unwrap_or(0),
                since.unwrap_or(""),
                i64::try_from(limit + 1).unwrap_or(i64::MAX),
            )
            .await?;
        Ok(page(items, limit, |e| e.id))
    }
}

pub(crate) fn page<T>(mut items: Vec<T>, limit: usize, id: impl Fn(&T) -> i64) -> Page<T> {
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(&id)
    } else {
        None
    };
    Page { items, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reach_is_a_closed_condition() {
        let r = Reach::Orgs(Arc::new([3, 1, 2].into_iter().collect()));
        assert_eq!(r.condition("c.org_id"), "c.org_id IN (1,2,3)");
        assert!(r.contains(2) && !r.contains(4));
        assert_eq!(Reach::Orgs(Arc::default()).condition("x"), "1 = 0");
        assert_eq!(Reach::All.condition("x"), "1 = 1");
        assert_eq!(r.within(&[2, 5]), Reach::Orgs(Arc::new([2].into())));
    }

    #[test]
    fn a_page_names_its_last_id_only_when_more_follow() {
        let p = page(vec![1, 2, 3], 2, |x| *x);
        assert_eq!((p.items, p.next), (vec![1, 2], Some(2)));
        let p = page(vec![1, 2], 2, |x| *x);
        assert_eq!((p.items, p.next), (vec![1, 2], None));
    }
}
