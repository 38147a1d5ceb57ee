//! Information systems that use cameras: owner, operating unit, purpose, security level with
//! the questionnaire answers and reasons, and the level dossier's state.

use crate::audit::{Actor, NewAudit, append_in};
use crate::org::opt_date;
use crate::{Result, Store, StoreError, date_text, now};
use serde::Serialize;
use sqlx::Row;

/// The level dossier's state (Decree 85/2016 Arts. 14–17).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DossierState {
    Draft,
    Submitted,
    Appraised,
    Approved,
}

impl DossierState {
    /// Whether a dossier in this state may move to `to` for a system at `level`: draft →
    /// submitted (once the level is decided) → appraised → approved; levels 1–2 may be approved
    /// straight after submission; back to draft from anywhere.
    pub fn may_move_to(self, to: DossierState, level: Option<u8>) -> bool {
        use DossierState::{Appraised, Approved, Draft, Submitted};
        match (self, to) {
            (_, Draft) => true,
            (Draft, Submitted) => level.is_some(),
            (Submitted, Appraised) | (Appraised, Approved) => true,
            (Submitted, Approved) => level.is_some_and(|l| l <= 2),
            _ => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DossierState::Draft => "draft",
            DossierState::Submitted => "submitted",
            DossierState::Appraised => "appraised",
            DossierState::Approved => "approved",
        }
    }
}

impl std::str::FromStr for DossierState {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "draft" => DossierState::Draft,
            "submitted" => DossierState::Submitted,
            "appraised" => DossierState::Appraised,
            "approved" => DossierState::Approved,
            _ => {
                return Err(StoreError::invalid(format!(
                    "unknown dossier state {s:?} (expected draft, submitted, appraised or approved)"
                )));
            }
        })
    }
}

/// A system as stored.
#[derive(Clone, Debug, Serialize)]
pub struct SystemRow {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The owner (chủ quản).
    pub org: String,
    #[serde(skip)]
    pub org_id: i64,
    /// The operating unit (đơn vị vận hành), when not the owner.
    pub operator: Option<String>,
    pub purpose: Option<String>,
    pub level: Option<u8>,
    pub ruleset: Option<String>,
    pub ruleset_version: Option<String>,
    pub answers: Option<serde_json::Value>,
    pub reasons: Option<serde_json::Value>,
    pub dossier_state: DossierState,
    #[serde(serialize_with = "crate::ser_date")]
    pub submitted_on: Option<time::Date>,
    #[serde(serialize_with = "crate::ser_date")]
    pub appraised_on: Option<time::Date>,
    pub appraised_by: Option<String>,
    #[serde(serialize_with = "crate::ser_date")]
    pub approved_on: Option<time::Date>,
    pub approved_by: Option<String>,
    pub approval_ref: Option<String>,
    #[serde(serialize_with = "crate::ser_date")]
    pub plan_deployed_on: Option<time::Date>,
    /// Months between periodic assessments; `None`: the level's default.
    pub assessment_interval_months: Option<u32>,
    pub cameras: i64,
}

pub(crate) const SELECT: &str = "SELECT s.id, s.code, s.name, o.code AS org, s.org_id, op.code AS operator, s.purpose, \
    s.level, s.ruleset, s.ruleset_version, s.answers, s.reasons, s.dossier_state, s.submitted_on, \
    s.appraised_on, s.appraised_by, s.approved_on, s.approved_by, s.approval_ref, s.plan_deployed_on, \
    s.assessment_interval_months, \
    (SELECT COUNT(*) FROM cameras c WHERE c.system_id = s.id) AS cameras \
    FROM systems s JOIN orgs o ON o.id = s.org_id LEFT JOIN orgs op ON op.id = s.operator_org_id";

pub(crate) fn row_to_system(r: &sqlx::any::AnyRow) -> Result<SystemRow> {
    let json = |c: &str| -> Result<Option<serde_json::Value>> {
        Ok(r.try_get::<Option<String>, _>(c)?
            .and_then(|s| serde_json::from_str(&s).ok()))
    };
    let state: String = r.try_get("dossier_state")?;
    Ok(SystemRow {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        org: r.try_get("org")?,
        org_id: r.try_get("org_id")?,
        operator: r.try_get("operator")?,
        purpose: r.try_get("purpose")?,
        level: r
            .try_get::<Option<i64>, _>("level")?
            .and_then(|l| u8::try_from(l).ok()),
        ruleset: r.try_get("ruleset")?,
        ruleset_version: r.try_get("ruleset_version")?,
        answers: json("answers")?,
        reasons: json("reasons")?,
        dossier_state: state.parse().unwrap_or(DossierState::Draft),
        submitted_on: opt_date(r.try_get("submitted_on")?),
        appraised_on: opt_date(r.try_get("appraised_on")?),
        appraised_by: r.try_get("appraised_by")?,
        approved_on: opt_date(r.try_get("approved_on")?),
        approved_by: r.try_get("approved_by")?,
        approval_ref: r.try_get("approval_ref")?,
        plan_deployed_on: opt_date(r.try_get("plan_deployed_on")?),
        assessment_interval_months: r
            .try_get::<Option<i64>, _>("assessment_interval_months")?
            .and_then(|m| u32::try_from(m).ok()),
        cameras: r.try_get("cameras")?,
    })
}

/// A level decided by the questionnaire, to store.
#[derive(Clone, Copy, Debug)]
pub struct LevelChange<'a> {
    pub level: u8,
    pub ruleset: &'a str,
    pub ruleset_version: &'a str,
    pub answers: &'a serde_json::Value,
    pub reasons: &'a serde_json::Value,
}

/// A move of a system's dossier.
#[derive(Clone, Copy, Debug)]
pub struct DossierChange<'a> {
    pub to: DossierState,
    pub on: time::Date,
    /// The authority that appraised or approved (recorded with the state).
    pub by: Option<&'a str>,
    /// The approval decision's reference.
    pub reference: Option<&'a str>,
}

impl Store {
    /// Register an information system (its dossier starts as a draft, without a level).
    pub async fn add_system(
        &self,
        code: &str,
        name: &str,
        owner: &str,
        operator: Option<&str>,
        purpose: Option<&str>,
    ) -> Result<SystemRow> {
        self.add_system_audited(code, name, owner, operator, purpose, None)
            .await
    }

    /// [`Store::add_system`], with the audit entry (when given) in the same transaction.
    pub(crate) async fn add_system_audited(
        &self,
        code: &str,
        name: &str,
        owner: &str,
        operator: Option<&str>,
        purpose: Option<&str>,
        audit: Option<SystemAudit<'_>>,
    ) -> Result<SystemRow> {
        if code.trim().is_empty() || name.trim().is_empty() {
            return Err(StoreError::invalid("a system needs a code and a name"));
        }
        let owner = self.org(owner).await?;
        let operator = match operator {
            Some(o) => Some(self.org(o).await?.id),
            None => None,
        };
        let mut tx = self.begin_write().await?;
        if system_tx(&mut tx, code).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "system {code} already exists"
            )));
        }
        let t = now();
        sqlx::query(
            "INSERT INTO systems (code, name, org_id, operator_org_id, purpose, dossier_state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $6)",
        )
        .bind(code.trim())
        .bind(name.trim())
        .bind(owner.id)
        .bind(operator)
        .bind(purpose)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        finish(tx, code.trim(), audit).await
    }

    pub async fn system(&self, code: &str) -> Result<SystemRow> {
        self.system_opt(code).await?.ok_or_else(|| no_system(code))
    }

    async fn system_opt(&self, code: &str) -> Result<Option<SystemRow>> {
        let sql = format!("{SELECT} WHERE s.code = $1");
        let row = sqlx::query(&sql)
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_to_system).transpose()
    }

    /// Systems owned by an organisation or its subtree (all when `org` is `None`).
    pub async fn systems(&self, org: Option<&str>) -> Result<Vec<SystemRow>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY s.code"))
            .fetch_all(self.pool())
            .await?;
        let keep = match org {
            Some(code) => {
                let o = self.org(code).await?;
                Some(self.subtree_ids(o.id).await?)
            }
            None => None,
        };
        let mut out = Vec::new();
        for r in &rows {
            let s = row_to_system(r)?;
            if keep.as_ref().is_none_or(|k| k.contains(&s.org_id)) {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Store the level decided by the questionnaire, with the answers and reasons. A system whose
    /// level changes goes back to a draft dossier (re-classification follows the same procedure,
    /// Decree 85/2016 Art. 18).
    pub async fn set_level(
        &self,
        code: &str,
        level: u8,
        ruleset: &str,
        ruleset_version: &str,
        answers: &serde_json::Value,
        reasons: &serde_json::Value,
    ) -> Result<SystemRow> {
        let change = LevelChange {
            level,
            ruleset,
            ruleset_version,
            answers,
            reasons,
        };
        self.set_level_audited(code, &change, None).await
    }

    /// [`Store::set_level`], with the audit entry (when given) in the same transaction.
    pub(crate) async fn set_level_audited(
        &self,
        code: &str,
        change: &LevelChange<'_>,
        audit: Option<SystemAudit<'_>>,
    ) -> Result<SystemRow> {
        let LevelChange {
            level,
            ruleset,
            ruleset_version,
            answers,
            reasons,
        } = *change;
        if !(1..=5).contains(&level) {
            return Err(StoreError::invalid(format!("level {level} is not 1-5")));
        }
        let mut tx = self.begin_write().await?;
        let sys = system_tx(&mut tx, code)
            .await?
            .ok_or_else(|| no_system(code))?;
        let reset =
            sys.level.is_some_and(|l| l != level) && sys.dossier_state != DossierState::Draft;
        sqlx::query(
            "UPDATE systems SET level = $1, ruleset = $2, ruleset_version = $3, answers = $4, reasons = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(i64::from(level))
        .bind(ruleset)
        .bind(ruleset_version)
        .bind(answers.to_string())
        .bind(reasons.to_string())
        .bind(now())
        .bind(sys.id)
        .execute(&mut *tx)
        .await?;
        if reset {
            sqlx::query(
                "UPDATE systems SET dossier_state = 'draft', submitted_on = NULL, appraised_on = NULL, appraised_by = NULL, approved_on = NULL, approved_by = NULL, approval_ref = NULL WHERE id = $1",
            )
            .bind(sys.id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO system_events (system_id, at, state, on_date, actor, note) VALUES ($1, $2, $3, NULL, NULL, $4)",
        )
        .bind(sys.id)
        .bind(now())
        .bind(if reset { "draft" } else { sys.dossier_state.as_str() })
        .bind(format!("level {level} ({ruleset} {ruleset_version})"))
        .execute(&mut *tx)
        .await?;
        finish(tx, &sys.code, audit).await
    }

    /// Move the dossier on: draft → submitted → appraised → approved. Approval of levels 1–2
    /// may follow submission directly (the dedicated unit both appraises and approves); levels
    /// 3–5 need the appraisal first. Going back to `draft` (dossier returned) is always allowed.
    pub async fn advance_dossier(
        &self,
        code: &str,
        to: DossierState,
        on: time::Date,
        actor: Option<&str>,
        reference: Option<&str>,
    ) -> Result<SystemRow> {
        let change = DossierChange {
            to,
            on,
            by: actor,
            reference,
        };
        self.advance_dossier_audited(code, &change, None).await
    }

    /// [`Store::advance_dossier`], with the audit entry (when given) in the same transaction.
    pub(crate) async fn advance_dossier_audited(
        &self,
        code: &str,
        change: &DossierChange<'_>,
        audit: Option<SystemAudit<'_>>,
    ) -> Result<SystemRow> {
        let DossierChange {
            to,
            on,
            by: actor,
            reference,
        } = *change;
        let mut tx = self.begin_write().await?;
        let sys = system_tx(&mut tx, code)
            .await?
            .ok_or_else(|| no_system(code))?;
        let level = sys.level;
        use DossierState::{Appraised, Approved, Draft, Submitted};
        let ok = sys.dossier_state.may_move_to(to, level);
        if !ok {
            let why = if level.is_none() {
                " (determine the level first: `camguard system level CODE`)".to_string()
            } else if to == Approved && sys.dossier_state == Submitted {
                format!(" (level {} needs the appraisal first)", level.unwrap_or(0))
            } else {
                String::new()
            };
            return Err(StoreError::invalid(format!(
                "system {code}: cannot go from {} to {}{why}",
                sys.dossier_state.as_str(),
                to.as_str()
            )));
        }
        let day = date_text(on);
        let column = match to {
            Draft => None,
            Submitted => Some(("submitted_on", None)),
            Appraised => Some(("appraised_on", Some("appraised_by"))),
            Approved => Some(("approved_on", Some("approved_by"))),
        };
        match column {
            None => {
                sqlx::query(
                    "UPDATE systems SET dossier_state = 'draft', submitted_on = NULL, appraised_on = NULL, appraised_by = NULL, approved_on = NULL, approved_by = NULL, approval_ref = NULL, updated_at = $1 WHERE id = $2",
                )
                .bind(now())
                .bind(sys.id)
                .execute(&mut *tx)
                .await?;
            }
            Some((date_col, actor_col)) => {
                let actor_set = actor_col.map(|c| format!(", {c} = $5")).unwrap_or_default();
                let ref_set = if to == Approved {
                    ", approval_ref = $6"
                } else {
                    ""
                };
                let sql = format!(
                    "UPDATE systems SET dossier_state = $1, {date_col} = $2, updated_at = $3{actor_set}{ref_set} WHERE id = $4"
                );
                let mut q = sqlx::query(&sql)
                    .bind(to.as_str())
                    .bind(day.clone())
                    .bind(now())
                    .bind(sys.id);
                if actor_col.is_some() {
                    q = q.bind(actor);
                }
                if to == Approved {
                    q = q.bind(reference);
                }
                q.execute(&mut *tx).await?;
            }
        }
        sqlx::query(
            "INSERT INTO system_events (system_id, at, state, on_date, actor, note) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(sys.id)
        .bind(now())
        .bind(to.as_str())
        .bind(day)
        .bind(actor)
        .bind(reference)
        .execute(&mut *tx)
        .await?;
        finish(tx, &sys.code, audit).await
    }

    /// Record the protection plan's deployment date, or the assessment interval.
    pub async fn update_system_plan(
        &self,
        code: &str,
        plan_deployed_on: Option<time::Date>,
        interval_months: Option<u32>,
    ) -> Result<SystemRow> {
        self.update_system_plan_audited(code, plan_deployed_on, interval_months, None)
            .await
    }

    /// [`Store::update_system_plan`], with the audit entry (when given) in the same
    /// transaction.
    pub(crate) async fn update_system_plan_audited(
        &self,
        code: &str,
        plan_deployed_on: Option<time::Date>,
        interval_months: Option<u32>,
        audit: Option<SystemAudit<'_>>,
    ) -> Result<SystemRow> {
        // A bad interval refuses the whole change, the date included.
        if let Some(m) = interval_months
            && (m == 0 || m > 120)
        {
            return Err(StoreError::invalid(
                "the assessment interval must be 1-120 months",
            ));
        }
        let mut tx = self.begin_write().await?;
        let sys = system_tx(&mut tx, code)
            .await?
            .ok_or_else(|| no_system(code))?;
        if let Some(d) = plan_deployed_on {
            sqlx::query("UPDATE systems SET plan_deployed_on = $1, updated_at = $2 WHERE id = $3")
                .bind(date_text(d))
                .bind(now())
                .bind(sys.id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(m) = interval_months {
            sqlx::query(
                "UPDATE systems SET assessment_interval_months = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(i64::from(m))
            .bind(now())
            .bind(sys.id)
            .execute(&mut *tx)
            .await?;
        }
        finish(tx, &sys.code, audit).await
    }

    /// The dossier's history: (at, state, date, actor, note).
    pub async fn system_history(&self, code: &str) -> Result<Vec<serde_json::Value>> {
        let sys = self.system(code).await?;
        let rows = sqlx::query(
            "SELECT at, state, on_date, actor, note FROM system_events WHERE system_id = $1 ORDER BY id",
        )
        .bind(sys.id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(serde_json::json!({
                    "at": r.try_get::<String, _>("at")?,
                    "state": r.try_get::<String, _>("state")?,
                    "on": r.try_get::<Option<String>, _>("on_date")?,
                    "actor": r.try_get::<Option<String>, _>("actor")?,
                    "note": r.try_get::<Option<String>, _>("note")?,
                }))
            })
            .collect()
    }
}

/// The audit entry a change of a system records in the change's own transaction: both are
/// stored, or neither.
pub(crate) struct SystemAudit<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    /// What the entry keeps of the system after the change.
    pub after: fn(&SystemRow) -> Result<serde_json::Value>,
}

fn no_system(code: &str) -> StoreError {
    StoreError::not_found(format!(
        "no system {code:?} in the registry (add it with `camguard system add {code} --name NAME --org ORG`)"
    ))
}

/// One system, read inside a transaction.
async fn system_tx(conn: &mut sqlx::AnyConnection, code: &str) -> Result<Option<SystemRow>> {
    let row = sqlx::query(&format!("{SELECT} WHERE s.code = $1"))
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(row_to_system).transpose()
}

/// Read the changed system, append its audit entry (when given) and commit.
async fn finish(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    code: &str,
    audit: Option<SystemAudit<'_>>,
) -> Result<SystemRow> {
    let after = system_tx(&mut tx, code)
        .await?
        .ok_or_else(|| no_system(code))?;
    if let Some(a) = audit {
        append_in(
            &mut tx,
            &NewAudit {
                actor: a.actor,
                action: a.action,
                subject: &format!("system:{}", after.code),
                before: a.before,
                after: Some((a.after)(&after)?),
                org_id: Some(after.org_id),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after)
}
