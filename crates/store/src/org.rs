//! Organisations: a tree (province or ministry → agencies → units), each with its authorised
//! address scope, the deadline sets that bind it, its internal regulation and duty records.

use crate::audit::{Actor, NewAudit, append_in};
use crate::{Result, Store, StoreError, now, parse_date_text};
use ipnet::IpNet;
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// What kind of body an organisation is (for display and roll-ups; rules do not depend on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// Province or centrally-run city (UBND tỉnh / thành phố).
    Province,
    /// Ministry or ministry-level body.
    Ministry,
    /// Department, agency, district or commune People's Committee.
    Agency,
    /// State enterprise.
    Enterprise,
    /// Internet service provider.
    Isp,
    /// Any other unit.
    Unit,
}

impl OrgKind {
    pub const ALL: &[OrgKind] = &[
        OrgKind::Province,
        OrgKind::Ministry,
        OrgKind::Agency,
        OrgKind::Enterprise,
        OrgKind::Isp,
        OrgKind::Unit,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Province => "province",
            OrgKind::Ministry => "ministry",
            OrgKind::Agency => "agency",
            OrgKind::Enterprise => "enterprise",
            OrgKind::Isp => "isp",
            OrgKind::Unit => "unit",
        }
    }
}

impl std::str::FromStr for OrgKind {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        OrgKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                StoreError::invalid(format!(
                    "unknown organisation kind {s:?} (expected one of: {})",
                    OrgKind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }
}

/// An organisation as stored.
#[derive(Clone, Debug, Serialize)]
pub struct Org {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub parent: Option<String>,
    #[serde(skip)]
    pub parent_id: Option<i64>,
    pub scopes: Vec<IpNet>,
    pub deadline_sets: Vec<String>,
    pub created_at: String,
}

/// The latest internal security regulation of a unit.
#[derive(Clone, Debug, Serialize)]
pub struct Regulation {
    pub number: String,
    pub issued_on: String,
    pub covers_cameras: bool,
    pub note: Option<String>,
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Store {
    /// Add an organisation. A unit's scope must lie inside its parent's scope when the parent
    /// has one (an agency cannot authorise more than its province).
    pub async fn add_org(
        &self,
        code: &str,
        name: &str,
        kind: OrgKind,
        parent: Option<&str>,
        scopes: &[IpNet],
        deadline_sets: &[String],
    ) -> Result<Org> {
        self.add_org_audited(code, name, kind, parent, scopes, deadline_sets, None)
            .await
    }

    /// [`Store::add_org`], recorded (`org.add`) for `actor` in the same transaction when
    /// given: the organisation and its audit entry are both stored, or neither.
    #[expect(clippy::too_many_arguments, reason = "add_org's fields and the actor")]
    pub(crate) async fn add_org_audited(
        &self,
        code: &str,
        name: &str,
        kind: OrgKind,
        parent: Option<&str>,
        scopes: &[IpNet],
        deadline_sets: &[String],
        actor: Option<&Actor>,
    ) -> Result<Org> {
        if !valid_code(code) {
            return Err(StoreError::invalid(format!(
                "bad organisation code {code:?}: use 1-64 letters, digits, '-', '_' or '.'"
            )));
        }
        if name.trim().is_empty() {
            return Err(StoreError::invalid("an organisation needs a name (--name)"));
        }
        let parent = match parent {
            Some(p) => Some(self.org(p).await?),
            None => None,
        };
        if let Some(p) = &parent {
            check_within(scopes, &p.scopes, &p.code)?;
        }
        let mut tx = self.begin_write().await?;
        let exists = sqlx::query("SELECT id FROM orgs WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "organisation {code} already exists"
            )));
        }
        let row = sqlx::query(
            "INSERT INTO orgs (code, name, kind, parent_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(code)
        .bind(name.trim())
        .bind(kind.as_str())
        .bind(parent.as_ref().map(|p| p.id))
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        for net in scopes {
            sqlx::query("INSERT INTO org_scopes (org_id, cidr) VALUES ($1, $2)")
                .bind(id)
                .bind(net.trunc().to_string())
                .execute(&mut *tx)
                .await?;
        }
        for set in deadline_sets {
            sqlx::query("INSERT INTO org_deadline_sets (org_id, set_id) VALUES ($1, $2)")
                .bind(id)
                .bind(set.as_str())
                .execute(&mut *tx)
                .await?;
        }
        let org = load_orgs_on(&mut tx, Some(code))
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("organisation {code} vanished")))?;
        if let Some(actor) = actor {
            append_in(
                &mut tx,
                &NewAudit {
                    actor,
                    action: "org.add",
                    subject: &format!("org:{}", org.code),
                    before: None,
                    after: Some(
                        serde_json::to_value(&org)
                            .map_err(|e| StoreError::invalid(e.to_string()))?,
                    ),
                    org_id: Some(org.id),
                },
            )
            .await?;
        }
        tx.commit().await?;
        self.trees().forget();
        Ok(org)
    }

    /// Add address ranges to an organisation's scope.
    pub async fn add_scopes(&self, code: &str, scopes: &[IpNet]) -> Result<Org> {
        let org = self.org(code).await?;
        if let Some(parent) = &org.parent {
            let p = self.org(parent).await?;
            check_within(scopes, &p.scopes, &p.code)?;
        }
        let mut tx = self.begin_write().await?;
        for net in scopes {
            let net = net.trunc().to_string();
            if !org.scopes.iter().any(|s| s.to_string() == net) {
                sqlx::query("INSERT INTO org_scopes (org_id, cidr) VALUES ($1, $2)")
                    .bind(org.id)
                    .bind(net)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        self.org(code).await
    }

    /// Bind deadline sets (ids from kb/registry/deadlines.toml) to an organisation.
    pub async fn attach_deadline_sets(&self, code: &str, sets: &[String]) -> Result<Org> {
        let org = self.org(code).await?;
        for set in sets {
            if !org.deadline_sets.contains(set) {
                sqlx::query("INSERT INTO org_deadline_sets (org_id, set_id) VALUES ($1, $2)")
                    .bind(org.id)
                    .bind(set.as_str())
                    .execute(self.pool())
                    .await?;
            }
        }
        self.org(code).await
    }

    /// One organisation by code.
    pub async fn org(&self, code: &str) -> Result<Org> {
        let orgs = self.load_orgs(Some(code)).await?;
        orgs.into_iter().next().ok_or_else(|| {
            StoreError::not_found(format!(
                "no organisation {code:?} in the registry (add it with `camguard org add {code} --name NAME`)"
            ))
        })
    }

    /// Every organisation, parents before children.
    pub async fn orgs(&self) -> Result<Vec<Org>> {
        self.load_orgs(None).await
    }

    async fn load_orgs(&self, only: Option<&str>) -> Result<Vec<Org>> {
        let mut conn = self.pool().acquire().await?;
        load_orgs_on(&mut conn, only).await
    }

    /// A unit's latest regulation.
    pub async fn regulation(&self, code: &str) -> Result<Option<Regulation>> {
        let org = self.org(code).await?;
        let row = sqlx::query(
            "SELECT number, issued_on, covers_cameras, note FROM regulations WHERE org_id = $1 ORDER BY issued_on DESC, id DESC LIMIT 1",
        )
        .bind(org.id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| -> Result<Regulation> {
            Ok(Regulation {
                number: r.try_get("number")?,
                issued_on: r.try_get("issued_on")?,
                covers_cameras: r.try_get::<i64, _>("covers_cameras")? != 0,
                note: r.try_get("note")?,
            })
        })
        .transpose()
    }
}

/// The organisations (one, by code, or all, parents before children), read on one connection
/// (a transaction's, to read what it wrote).
async fn load_orgs_on(conn: &mut sqlx::AnyConnection, only: Option<&str>) -> Result<Vec<Org>> {
    let rows = match only {
        Some(code) => {
            sqlx::query(
                "SELECT id, code, name, kind, parent_id, created_at FROM orgs WHERE code = $1",
            )
            .bind(code)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query("SELECT id, code, name, kind, parent_id, created_at FROM orgs ORDER BY id")
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let mut orgs = Vec::with_capacity(rows.len());
    for r in rows {
        let kind: String = r.try_get("kind")?;
        orgs.push(Org {
            id: r.try_get("id")?,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            kind: kind.parse().unwrap_or(OrgKind::Unit),
            parent: None,
            parent_id: r.try_get("parent_id")?,
            scopes: Vec::new(),
            deadline_sets: Vec::new(),
            created_at: r.try_get("created_at")?,
        });
    }
    if orgs.is_empty() {
        return Ok(orgs);
    }
    // Parent codes, scopes and deadline sets: whole tables for a full listing, the one
    // organisation otherwise.
    let codes: HashMap<i64, String> = if only.is_some() {
        let mut m = HashMap::new();
        if let Some(pid) = orgs[0].parent_id {
            let r = sqlx::query("SELECT code FROM orgs WHERE id = $1")
                .bind(pid)
                .fetch_one(&mut *conn)
                .await?;
            m.insert(pid, r.try_get::<String, _>("code")?);
        }
        m
    } else {
        orgs.iter().map(|o| (o.id, o.code.clone())).collect()
    };
    let filter = if only.is_some() {
        " WHERE org_id = $1"
    } else {
        ""
    };
    let first = orgs[0].id;
    let mut scopes: BTreeMap<i64, Vec<IpNet>> = BTreeMap::new();
    let sql = format!("SELECT org_id, cidr FROM org_scopes{filter} ORDER BY cidr");
    let mut q = sqlx::query(&sql);
    if only.is_some() {
        q = q.bind(first);
    }
    for r in q.fetch_all(&mut *conn).await? {
        let cidr: String = r.try_get("cidr")?;
        if let Ok(net) = cidr.parse() {
            scopes.entry(r.try_get("org_id")?).or_default().push(net);
        }
    }
    let mut sets: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    let sql = format!("SELECT org_id, set_id FROM org_deadline_sets{filter} ORDER BY set_id");
    let mut q = sqlx::query(&sql);
    if only.is_some() {
        q = q.bind(first);
    }
    for r in q.fetch_all(&mut *conn).await? {
        sets.entry(r.try_get("org_id")?)
            .or_default()
            .push(r.try_get("set_id")?);
    }
    for o in &mut orgs {
        o.parent = o.parent_id.and_then(|p| codes.get(&p).cloned());
        o.scopes = scopes.remove(&o.id).unwrap_or_default();
        o.deadline_sets = sets.remove(&o.id).unwrap_or_default();
    }
    Ok(orgs)
}

/// Every range of `scopes` must lie inside one of `parent` (when the parent has a scope).
fn check_within(scopes: &[IpNet], parent: &[IpNet], parent_code: &str) -> Result<()> {
    if parent.is_empty() {
        return Ok(());
    }
    for s in scopes {
        if !parent.iter().any(|p| p.contains(s)) {
            return Err(StoreError::invalid(format!(
                "scope {s} is outside the scope of the parent organisation {parent_code} ({})",
                parent
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

pub(crate) fn opt_date(s: Option<String>) -> Option<time::Date> {
    s.as_deref().and_then(parse_date_text)
}
