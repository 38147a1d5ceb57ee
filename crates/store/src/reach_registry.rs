//! The registry's systems, catalogue and deadline sets on behalf of a caller: every read and
//! change takes the caller's [`Reach`] (see `reach.rs`); a system outside it is answered
//! exactly as one that does not exist. Every change is recorded in the audit log (who, before,
//! after; never a secret).

use crate::audit::{Actor, NewAudit};
use crate::reach::page;
use crate::system::{DossierChange, LevelChange, SELECT, SystemAudit, row_to_system};
use crate::{CatalogueRow, MAX_PAGE, Page, Reach, Result, Store, StoreError, SystemRow};
use camguard_registry::catalogue::{CatalogueEntry, CatalogueStatus};
use serde_json::json;
use sqlx::Row;

/// A code no row can have: PostgreSQL refuses a NUL in text (an error, not "no row"), so it is
/// answered as not found before any query.
fn impossible_code(code: &str) -> bool {
    code.contains('\0')
}

fn not_found_system(code: &str) -> StoreError {
    StoreError::not_found(format!("no system {code:?} in the registry"))
}

fn limit_sql(limit: usize) -> i64 {
    i64::try_from(limit + 1).unwrap_or(i64::MAX)
}

/// What the audit log keeps of a system: its level and dossier, not the answers' text.
fn system_audit(s: &SystemRow) -> serde_json::Value {
    json!({
        "level": s.level,
        "ruleset": s.ruleset,
        "ruleset_version": s.ruleset_version,
        "dossier_state": s.dossier_state.as_str(),
        "submitted_on": s.submitted_on.map(crate::date_text),
        "appraised_on": s.appraised_on.map(crate::date_text),
        "approved_on": s.approved_on.map(crate::date_text),
        "approval_ref": s.approval_ref,
        "plan_deployed_on": s.plan_deployed_on.map(crate::date_text),
        "assessment_interval_months": s.assessment_interval_months,
    })
}

impl Store {
    /// A page of the systems owned in reach (of `org`'s subtree when given), in id order
    /// after `after`.
    pub async fn systems_page(
        &self,
        reach: &Reach,
        org: Option<&str>,
        limit: usize,
        after: Option<i64>,
    ) -> Result<Page<SystemRow>> {
        let reach = self.narrowed(reach, org).await?;
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE {} AND s.id > $1 ORDER BY s.id LIMIT $2",
            reach.condition("s.org_id")
        ))
        .bind(after.unwrap_or(0))
        .bind(limit_sql(limit))
        .fetch_all(self.pool())
        .await?;
        let items = rows.iter().map(row_to_system).collect::<Result<Vec<_>>>()?;
        Ok(page(items, limit, |s| s.id))
    }

    /// One system, when its owner is in reach.
    pub async fn system_in(&self, reach: &Reach, code: &str) -> Result<SystemRow> {
        if impossible_code(code) {
            return Err(not_found_system(code));
        }
        let row = sqlx::query(&format!(
            "{SELECT} WHERE s.code = $1 AND {}",
            reach.condition("s.org_id")
        ))
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => row_to_system(&r),
            None => Err(not_found_system(code)),
        }
    }

    /// The dossier's history of a system in reach.
    pub async fn system_history_in(
        &self,
        reach: &Reach,
        code: &str,
    ) -> Result<Vec<serde_json::Value>> {
        let s = self.system_in(reach, code).await?;
        self.system_history(&s.code).await
    }

    /// The audit entry of a change of `before` (kept as the entry's `before`).
    fn system_audit_entry<'a>(
        action: &'a str,
        before: &SystemRow,
        actor: &'a Actor,
    ) -> SystemAudit<'a> {
        SystemAudit {
            actor,
            action,
            before: Some(system_audit(before)),
            after: |s| Ok(system_audit(s)),
        }
    }

    /// Store the level of a system in reach ([`Store::set_level`]); recorded (`system.level`).
    pub async fn set_level_in(
        &self,
        reach: &Reach,
        code: &str,
        change: &LevelChange<'_>,
        actor: &Actor,
    ) -> Result<SystemRow> {
        let before = self.system_in(reach, code).await?;
        let audit = Self::system_audit_entry("system.level", &before, actor);
        self.set_level_audited(&before.code, change, Some(audit))
            .await
    }

    /// Move the dossier of a system in reach ([`Store::advance_dossier`], with its rules);
    /// recorded (`system.dossier`).
    pub async fn advance_dossier_in(
        &self,
        reach: &Reach,
        code: &str,
        change: &DossierChange<'_>,
        actor: &Actor,
    ) -> Result<SystemRow> {
        let before = self.system_in(reach, code).await?;
        let audit = Self::system_audit_entry("system.dossier", &before, actor);
        self.advance_dossier_audited(&before.code, change, Some(audit))
            .await
    }

    /// Record the protection plan's deployment or the assessment interval of a system in
    /// reach ([`Store::update_system_plan`]); recorded (`system.plan`).
    pub async fn update_system_plan_in(
        &self,
        reach: &Reach,
        code: &str,
        plan_deployed_on: Option<time::Date>,
        interval_months: Option<u32>,
        actor: &Actor,
    ) -> Result<SystemRow> {
        let before = self.system_in(reach, code).await?;
        let audit = Self::system_audit_entry("system.plan", &before, actor);
        self.update_system_plan_audited(
            &before.code,
            plan_deployed_on,
            interval_months,
            Some(audit),
        )
        .await
    }

    /// A page of the catalogue (public procurement data: every caller reads all of it), in id
    /// order after `after`.
    pub async fn catalogue_page(
        &self,
        limit: usize,
        after: Option<i64>,
    ) -> Result<Page<CatalogueRow>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(
            "SELECT id, status, vendor, model, document, issued_by, issued_on, certificate, note \
             FROM catalogue WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after.unwrap_or(0))
        .bind(limit_sql(limit))
        .fetch_all(self.pool())
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let status: String = r.try_get("status")?;
            let document: Option<String> = r.try_get("document")?;
            items.push(CatalogueRow {
                id: r.try_get("id")?,
                entry: CatalogueEntry {
                    status: status.parse().unwrap_or(CatalogueStatus::Warned),
                    vendor: r.try_get("vendor")?,
                    model: r.try_get("model")?,
                    document: document.filter(|d| !d.is_empty()),
                    issued_by: r.try_get("issued_by")?,
                    date: crate::org::opt_date(r.try_get("issued_on")?),
                    certificate: r.try_get("certificate")?,
                    note: r.try_get("note")?,
                },
            });
        }
        Ok(page(items, limit, |c| c.id))
    }

    /// A page of the catalogue entries whose vendor or model contains `text` (any case), in
    /// id order after `after`; an empty `text` is the whole catalogue ([`Store::catalogue_page`]).
    pub async fn catalogue_search_page(
        &self,
        text: &str,
        limit: usize,
        after: Option<i64>,
    ) -> Result<Page<CatalogueRow>> {
        let text = text
            .trim()
            .to_lowercase()
            .replace(['%', '_', '\\', '\0'], "");
        if text.is_empty() {
            return self.catalogue_page(limit, after).await;
        }
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = sqlx::query(
            "SELECT id FROM catalogue WHERE id > $1 AND (LOWER(vendor) LIKE $2 OR LOWER(model) LIKE $2 \
             OR LOWER(vendor_key) LIKE $2 OR LOWER(model_key) LIKE $2) ORDER BY id LIMIT $3",
        )
        .bind(after.unwrap_or(0))
        .bind(format!("%{text}%"))
        .bind(limit_sql(limit))
        .fetch_all(self.pool())
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            // One entry: the page of one after its predecessor id.
            if let Some(row) = self.catalogue_page(1, Some(id - 1)).await?.items.pop() {
                items.push(row);
            }
        }
        Ok(page(items, limit, |c| c.id))
    }

    /// Import catalogue entries ([`Store::import_catalogue`]); recorded (`catalogue.import`,
    /// with the counts; it concerns no one organisation).
    pub async fn import_catalogue_as(
        &self,
        entries: &[CatalogueEntry],
        keys: &(dyn Fn(&CatalogueEntry) -> (String, String) + Sync),
        rejected: usize,
        actor: &Actor,
    ) -> Result<usize> {
        // Every entry is written (or none), so the counts are known before.
        let n = entries.len();
        let warned = entries
            .iter()
            .filter(|e| e.status == CatalogueStatus::Warned)
            .count();
        let audit = NewAudit {
            actor,
            action: "catalogue.import",
            subject: "catalogue",
            before: None,
            after: Some(json!({
                "imported": n,
                "warned": warned,
                "certified": n - warned,
                "rejected": rejected,
            })),
            org_id: None,
        };
        self.import_catalogue_audited(entries, keys, Some(&audit))
            .await
    }

    /// The deadline sets attached to an organisation in reach or to any of its ancestors (set
    /// ids, in the order attached from the root down); the national sets bind everyone and
    /// are not listed here.
    pub async fn deadline_sets_in(&self, reach: &Reach, code: &str) -> Result<Vec<String>> {
        if impossible_code(code) {
            return Err(StoreError::not_found(format!(
                "no organisation {code:?} in the registry"
            )));
        }
        let org = self.org_in(reach, code).await?;
        let all = self.orgs().await?;
        let mut chain = Vec::new();
        let mut at = Some(org.id);
        // Bounded by the number of organisations (a cycle cannot loop).
        while let Some(id) = at {
            if chain.len() > all.len() {
                break;
            }
            let Some(o) = all.iter().find(|o| o.id == id) else {
                break;
            };
            chain.push(o);
            at = o.parent_id;
        }
        let mut sets: Vec<String> = Vec::new();
        for o in chain.iter().rev() {
            for s in &o.deadline_sets {
                if !sets.contains(s) {
                    sets.push(s.clone());
                }
            }
        }
        Ok(sets)
    }
}

/// A new organisation ([`Store::add_org_in`]).
#[derive(Clone, Debug)]
pub struct NewOrg<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: crate::OrgKind,
    /// The organisation it sits under (required unless the caller reaches everything).
    pub parent: Option<&'a str>,
    pub scopes: &'a [ipnet::IpNet],
    pub deadline_sets: &'a [String],
}

/// A new information system ([`Store::add_system_in`]).
#[derive(Clone, Debug)]
pub struct NewSystem<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// The owner (chủ quản).
    pub org: &'a str,
    /// The operating unit, when not the owner.
    pub operator: Option<&'a str>,
    pub purpose: Option<&'a str>,
}

impl Store {
    /// Add an organisation under one in reach ([`Store::add_org`], with its scope rule); only
    /// a caller that reaches everything adds a top-level one. Recorded (`org.add`).
    pub async fn add_org_in(
        &self,
        reach: &Reach,
        new: &NewOrg<'_>,
        actor: &Actor,
    ) -> Result<crate::Org> {
        match new.parent {
            Some(p) => {
                self.org_in(reach, p).await?;
            }
            None if *reach != Reach::All => {
                return Err(StoreError::invalid(
                    "a new organisation needs a parent within your reach",
                ));
            }
            None => {}
        }
        self.add_org_audited(
            new.code,
            new.name,
            new.kind,
            new.parent,
            new.scopes,
            new.deadline_sets,
            Some(actor),
        )
        .await
    }

    /// Register an information system owned by (and, when given, operated by) organisations
    /// in reach ([`Store::add_system`]). Recorded (`system.add`).
    pub async fn add_system_in(
        &self,
        reach: &Reach,
        new: &NewSystem<'_>,
        actor: &Actor,
    ) -> Result<SystemRow> {
        self.org_in(reach, new.org).await?;
        if let Some(op) = new.operator {
            self.org_in(reach, op).await?;
        }
        if impossible_code(new.code) {
            return Err(StoreError::invalid("a system code cannot hold a NUL"));
        }
        let audit = SystemAudit {
            actor,
            action: "system.add",
            before: None,
            after: |s| serde_json::to_value(s).map_err(|e| StoreError::invalid(e.to_string())),
        };
        self.add_system_audited(
            new.code,
            new.name,
            new.org,
            new.operator,
            new.purpose,
            Some(audit),
        )
        .await
    }
}

/// An internal security regulation to record ([`Store::set_regulation_in`]).
#[derive(Clone, Debug)]
pub struct NewRegulation<'a> {
    /// The document's number, e.g. "05/QĐ-STTTT".
    pub number: &'a str,
    pub issued_on: time::Date,
    /// Whether it has provisions on cameras.
    pub covers_cameras: bool,
    pub note: Option<&'a str>,
}

impl Store {
    /// Record that an organisation in reach did a duty no other record shows; recorded
    /// (`org.duty`) in the audit log in the same transaction.
    pub async fn record_duty_in(
        &self,
        reach: &Reach,
        code: &str,
        duty: &str,
        done_on: time::Date,
        reference: Option<&str>,
        actor: &Actor,
    ) -> Result<()> {
        let org = self.org_in(reach, code).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO duty_records (org_id, duty, done_on, reference, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org.id)
        .bind(duty)
        .bind(crate::date_text(done_on))
        .bind(reference)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        crate::audit::append_in(
            &mut tx,
            &NewAudit {
                actor,
                action: "org.duty",
                subject: &format!("org:{}", org.code),
                before: None,
                after: Some(json!({
                    "org": org.code, "duty": duty,
                    "date": crate::date_text(done_on), "reference": reference,
                })),
                org_id: Some(org.id),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Record an organisation's internal security regulation (the latest one counts);
    /// recorded (`org.regulation`) in the audit log in the same transaction.
    pub async fn set_regulation_in(
        &self,
        reach: &Reach,
        code: &str,
        regulation: &NewRegulation<'_>,
        actor: &Actor,
    ) -> Result<()> {
        let org = self.org_in(reach, code).await?;
        if regulation.number.trim().is_empty() {
            return Err(StoreError::invalid("a regulation needs its number"));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO regulations (org_id, number, issued_on, covers_cameras, note, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org.id)
        .bind(regulation.number.trim())
        .bind(crate::date_text(regulation.issued_on))
        .bind(i64::from(regulation.covers_cameras))
        .bind(regulation.note)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        crate::audit::append_in(
            &mut tx,
            &NewAudit {
                actor,
                action: "org.regulation",
                subject: &format!("org:{}", org.code),
                before: None,
                after: Some(json!({
                    "number": regulation.number.trim(),
                    "issued_on": crate::date_text(regulation.issued_on),
                    "covers_cameras": regulation.covers_cameras,
                    "note": regulation.note,
                })),
                org_id: Some(org.id),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
