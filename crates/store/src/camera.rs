//! The camera inventory and its certificates.

use crate::audit::{Actor, NewAudit, append_in};
use crate::org::opt_date;
use crate::scope::{RowWarning, effective_scopes};
use crate::{Result, Store, batch_rows, date_text, now};
use camguard_registry::inventory::{CameraRecord, ParsedRow, RejectedRow};
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    pub rejected: Vec<RejectedRow>,
    /// Rows kept with a warning (an address outside the unit's scope), by line.
    pub warnings: Vec<RowWarning>,
}

/// A stored camera.
#[derive(Clone, Debug, Serialize)]
pub struct CameraRow {
    pub id: i64,
    #[serde(flatten)]
    pub record: CameraRecord,
    #[serde(skip)]
    pub org_id: i64,
    #[serde(skip)]
    pub system_id: Option<i64>,
    #[serde(skip)]
    pub vendor_key: String,
    #[serde(skip)]
    pub model_key: String,
}

/// Which cameras to list.
#[derive(Clone, Debug, Default)]
pub struct CameraFilter {
    /// An organisation and its subtree.
    pub org: Option<String>,
    pub system: Option<String>,
    pub limit: Option<usize>,
}

const COLS: usize = 22;

/// The columns of a [`CameraRow`] (`c` the camera, `o` its organisation, `s` its system).
pub(crate) const CAMERAS: crate::rows::Columns = crate::rows::Columns {
    list: CAMERA_COLUMNS,
    from: "FROM cameras c JOIN orgs o ON o.id = c.org_id LEFT JOIN systems s ON s.id = c.system_id",
    order: "c.id",
};

const CAMERA_COLUMNS: &[(&str, &str)] = &[
    ("id", "c.id"),
    ("org_id", "c.org_id"),
    ("system_id", "c.system_id"),
    ("org_code", "o.code"),
    ("system_code", "s.code"),
    ("vendor", "c.vendor"),
    ("vendor_key", "c.vendor_key"),
    ("brand", "c.brand"),
    ("model", "c.model"),
    ("model_key", "c.model_key"),
    ("firmware", "c.firmware"),
    ("serial", "c.serial"),
    ("mac", "c.mac"),
    ("ip", "c.ip"),
    ("location", "c.location"),
    ("installed_on", "c.installed_on"),
    ("cert_origin", "c.cert_origin"),
    ("cert_quality", "c.cert_quality"),
    ("cert_conformity", "c.cert_conformity"),
    ("cert_conformity_standard", "c.cert_conformity_standard"),
    ("cert_conformity_body", "c.cert_conformity_body"),
    ("cert_conformity_date", "c.cert_conformity_date"),
    ("attributes", "c.attributes"),
];

/// `SELECT` of a [`CameraRow`]'s columns, one row per camera, for [`camera_row`].
pub(crate) static CAMERA_SELECT: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| CAMERAS.select());

/// A [`CameraRow`]'s columns as read.
#[derive(serde::Deserialize)]
pub(crate) struct CameraColumns {
    id: i64,
    org_id: i64,
    system_id: Option<i64>,
    org_code: String,
    system_code: Option<String>,
    vendor: String,
    vendor_key: String,
    brand: Option<String>,
    model: String,
    model_key: String,
    firmware: Option<String>,
    serial: Option<String>,
    mac: Option<String>,
    ip: Option<String>,
    location: Option<String>,
    installed_on: Option<String>,
    cert_origin: Option<String>,
    cert_quality: Option<String>,
    cert_conformity: Option<String>,
    cert_conformity_standard: Option<String>,
    cert_conformity_body: Option<String>,
    cert_conformity_date: Option<String>,
    attributes: Option<String>,
}

impl From<CameraColumns> for CameraRow {
    fn from(c: CameraColumns) -> CameraRow {
        let attributes: BTreeMap<String, String> = c
            .attributes
            .and_then(|a| serde_json::from_str(&a).ok())
            .unwrap_or_default();
        CameraRow {
            id: c.id,
            record: CameraRecord {
                org: c.org_code,
                system: c.system_code,
                vendor: c.vendor,
                brand: c.brand,
                model: c.model,
                firmware: c.firmware,
                serial: c.serial,
                mac: c.mac,
                ip: c.ip.and_then(|i| i.parse().ok()),
                location: c.location,
                installed_on: opt_date(c.installed_on),
                cert_origin: c.cert_origin,
                cert_quality: c.cert_quality,
                cert_conformity: c.cert_conformity,
                cert_conformity_standard: c.cert_conformity_standard,
                cert_conformity_body: c.cert_conformity_body,
                cert_conformity_date: opt_date(c.cert_conformity_date),
                attributes,
            },
            org_id: c.org_id,
            system_id: c.system_id,
            vendor_key: c.vendor_key,
            model_key: c.model_key,
        }
    }
}

/// A camera read with [`CAMERA_SELECT`].
pub(crate) fn camera_row(r: &sqlx::any::AnyRow) -> Result<CameraRow> {
    camera_columns(r).map(CameraRow::from)
}

/// A camera's columns read with [`CAMERA_SELECT`].
pub(crate) fn camera_columns(r: &sqlx::any::AnyRow) -> Result<CameraColumns> {
    Ok(CameraColumns {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        system_id: r.try_get("system_id")?,
        org_code: r.try_get("org_code")?,
        system_code: r.try_get("system_code")?,
        vendor: r.try_get("vendor")?,
        vendor_key: r.try_get("vendor_key")?,
        brand: r.try_get("brand")?,
        model: r.try_get("model")?,
        model_key: r.try_get("model_key")?,
        firmware: r.try_get("firmware")?,
        serial: r.try_get("serial")?,
        mac: r.try_get("mac")?,
        ip: r.try_get("ip")?,
        location: r.try_get("location")?,
        installed_on: r.try_get("installed_on")?,
        cert_origin: r.try_get("cert_origin")?,
        cert_quality: r.try_get("cert_quality")?,
        cert_conformity: r.try_get("cert_conformity")?,
        cert_conformity_standard: r.try_get("cert_conformity_standard")?,
        cert_conformity_body: r.try_get("cert_conformity_body")?,
        cert_conformity_date: r.try_get("cert_conformity_date")?,
        attributes: r.try_get("attributes")?,
    })
}

fn none_if_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|v| !v.is_empty())
}

impl Store {
    /// Import validated inventory rows in one transaction: a row naming an unknown organisation
    /// or system, or repeating an earlier row's serial/MAC in the same organisation, is rejected
    /// with its line; the others are written, or nothing is (on a database error). A row whose
    /// serial (else MAC) matches a camera of the same organisation updates that camera.
    ///
    /// `keys` gives the catalogue keys (vendor id, model key) of a record.
    pub async fn import_cameras(
        &self,
        rows: Vec<ParsedRow>,
        keys: &(dyn Fn(&CameraRecord) -> (String, String) + Sync),
    ) -> Result<ImportReport> {
        self.import_cameras_audited(rows, keys, None).await
    }

    /// [`Store::import_cameras`], recorded (`camera.import`, with the counts) in the same
    /// transaction when `audit` is given: the cameras and the record of their import are both
    /// stored, or neither.
    pub(crate) async fn import_cameras_audited(
        &self,
        rows: Vec<ParsedRow>,
        keys: &(dyn Fn(&CameraRecord) -> (String, String) + Sync),
        audit: Option<ImportAudit<'_>>,
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let orgs = self.org_index().await?;
        let all_orgs = self.orgs().await?;
        let scopes = effective_scopes(&all_orgs);
        let systems: HashMap<String, (i64, i64)> =
            sqlx::query("SELECT id, code, org_id FROM systems")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| -> Result<_> {
                    Ok((
                        r.try_get::<String, _>("code")?,
                        (r.try_get::<i64, _>("id")?, r.try_get::<i64, _>("org_id")?),
                    ))
                })
                .collect::<Result<_>>()?;
        // Existing cameras by (org, serial) and (org, mac), for updates.
        let mut by_serial: HashMap<(i64, String), i64> = HashMap::new();
        let mut by_mac: HashMap<(i64, String), i64> = HashMap::new();
        for r in sqlx::query("SELECT id, org_id, serial, mac FROM cameras")
            .fetch_all(self.pool())
            .await?
        {
            let id: i64 = r.try_get("id")?;
            let org: i64 = r.try_get("org_id")?;
            if let Some(s) = r.try_get::<Option<String>, _>("serial")? {
                by_serial.insert((org, s), id);
            }
            if let Some(m) = r.try_get::<Option<String>, _>("mac")? {
                by_mac.insert((org, m), id);
            }
        }
        let mut seen: HashMap<(i64, &'static str, String), usize> = HashMap::new();
        let mut inserts: Vec<(i64, Option<i64>, CameraRecord)> = Vec::new();
        let mut updates: Vec<(i64, i64, Option<i64>, CameraRecord)> = Vec::new();
        for ParsedRow { line, record } in rows {
            let org_id = match orgs.resolve(&record.org) {
                Ok(id) => id,
                Err(reason) => {
                    report.rejected.push(RejectedRow { line, reason });
                    continue;
                }
            };
            let system_id = match none_if_empty(&record.system) {
                None => None,
                Some(code) => {
                    if let Some((id, _)) = systems.get(code) {
                        Some(*id)
                    } else {
                        report.rejected.push(RejectedRow {
                            line,
                            reason: format!("system: {code:?} is not a registered system"),
                        });
                        continue;
                    }
                }
            };
            // Duplicates inside the file.
            let mut dup = None;
            for (kind, v) in [("serial", &record.serial), ("mac", &record.mac)] {
                if let Some(v) = none_if_empty(v)
                    && let Some(first) = seen.get(&(org_id, kind, v.to_string()))
                {
                    dup = Some(format!("{kind}: {v:?} repeats line {first}"));
                    break;
                }
            }
            if let Some(reason) = dup {
                report.rejected.push(RejectedRow { line, reason });
                continue;
            }
            for (kind, v) in [("serial", &record.serial), ("mac", &record.mac)] {
                if let Some(v) = none_if_empty(v) {
                    seen.insert((org_id, kind, v.to_string()), line);
                }
            }
            let existing = none_if_empty(&record.serial)
                .and_then(|s| by_serial.get(&(org_id, s.to_string())))
                .or_else(|| {
                    none_if_empty(&record.mac).and_then(|m| by_mac.get(&(org_id, m.to_string())))
                })
                .copied();
            if let Some(ip) = record.ip
                && let Some(scope) = scopes.get(&org_id)
                && !scope.allows(ip)
            {
                report.warnings.push(RowWarning {
                    line,
                    warning: format!(
                        "ip: {ip} is outside the scope of {} ({}); the camera is kept, but scans for the unit will not reach it: check the address or the unit's scope (`camguard org scope`)",
                        record.org.trim(),
                        scope.describe()
                    ),
                });
            }
            match existing {
                Some(id) => updates.push((id, org_id, system_id, record)),
                None => inserts.push((org_id, system_id, record)),
            }
        }
        report.rejected.sort_by_key(|r| r.line);
        report.warnings.sort_by_key(|r| r.line);

        let t = now();
        let mut tx = self.begin_write().await?;
        for chunk in inserts.chunks(batch_rows(COLS)) {
            let sql = format!(
                "INSERT INTO cameras (org_id, system_id, vendor, vendor_key, brand, model, model_key, firmware, serial, mac, ip, location, installed_on, cert_origin, cert_quality, cert_conformity, cert_conformity_standard, cert_conformity_body, cert_conformity_date, attributes, created_at, updated_at) VALUES {}",
                self.values(chunk.len(), COLS)
            );
            let mut q = sqlx::query(&sql);
            for (org_id, system_id, rec) in chunk {
                let (vk, mk) = keys(rec);
                q = bind_record(q.bind(*org_id).bind(*system_id), rec, vk, mk)
                    .bind(t.clone())
                    .bind(t.clone());
            }
            q.execute(&mut *tx).await?;
        }
        // Updates in batches too: UPDATE … FROM (VALUES …), which both backends understand
        // (VALUES columns are named column1, column2, … in both).
        for chunk in updates.chunks(batch_rows(COLS)) {
            let sql = format!(
                "UPDATE cameras SET org_id = v.column2, system_id = v.column3, vendor = v.column4, vendor_key = v.column5, brand = v.column6, model = v.column7, model_key = v.column8, firmware = v.column9, serial = v.column10, mac = v.column11, ip = v.column12, location = v.column13, installed_on = v.column14, cert_origin = v.column15, cert_quality = v.column16, cert_conformity = v.column17, cert_conformity_standard = v.column18, cert_conformity_body = v.column19, cert_conformity_date = v.column20, attributes = v.column21, updated_at = v.column22 \
                 FROM (VALUES {}) AS v WHERE cameras.id = v.column1",
                self.values(chunk.len(), COLS)
            );
            let mut q = sqlx::query(&sql);
            for (id, org_id, system_id, rec) in chunk {
                let (vk, mk) = keys(rec);
                q = bind_record(q.bind(*id).bind(*org_id).bind(*system_id), rec, vk, mk)
                    .bind(t.clone());
            }
            q.execute(&mut *tx).await?;
        }
        if let Some(a) = audit {
            append_in(
                &mut tx,
                &NewAudit {
                    actor: a.actor,
                    action: "camera.import",
                    subject: a.subject,
                    before: None,
                    after: Some(serde_json::json!({
                        "inserted": inserts.len(),
                        "updated": updates.len(),
                        "rejected": report.rejected.len() + a.rejected_before,
                    })),
                    org_id: Some(a.org_id),
                },
            )
            .await?;
        }
        tx.commit().await?;
        report.inserted = inserts.len();
        report.updated = updates.len();
        Ok(report)
    }

    /// Cameras, in inventory order.
    pub async fn cameras(&self, filter: &CameraFilter) -> Result<Vec<CameraRow>> {
        let keep_orgs = match &filter.org {
            Some(code) => {
                let o = self.org(code).await?;
                Some(self.subtree_ids(o.id).await?)
            }
            None => None,
        };
        let keep_system = match &filter.system {
            Some(code) => Some(self.system(code).await?.id),
            None => None,
        };
        let rows = sqlx::query(&format!("{} ORDER BY c.id", *CAMERA_SELECT))
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let org_id: i64 = r.try_get("org_id")?;
            let system_id: Option<i64> = r.try_get("system_id")?;
            if keep_orgs.as_ref().is_some_and(|k| !k.contains(&org_id)) {
                continue;
            }
            if keep_system.is_some() && system_id != keep_system {
                continue;
            }
            out.push(camera_row(r)?);
            if filter.limit.is_some_and(|l| out.len() >= l) {
                break;
            }
        }
        Ok(out)
    }

    /// Organisation codes and names → ids, for resolving the `org` column.
    pub(crate) async fn org_index(&self) -> Result<OrgIndex> {
        let mut idx = OrgIndex::default();
        for r in sqlx::query("SELECT id, code, name FROM orgs")
            .fetch_all(self.pool())
            .await?
        {
            let id: i64 = r.try_get("id")?;
            idx.by_code.insert(r.try_get::<String, _>("code")?, id);
            let name: String = r.try_get("name")?;
            idx.by_name
                .entry(name.trim().to_lowercase())
                .or_default()
                .push(id);
        }
        Ok(idx)
    }
}

#[derive(Default)]
pub(crate) struct OrgIndex {
    by_code: HashMap<String, i64>,
    by_name: HashMap<String, Vec<i64>>,
}

impl OrgIndex {
    /// An organisation by code, else by name (case-insensitive; an ambiguous name is an error).
    pub(crate) fn resolve(&self, org: &str) -> Result<i64, String> {
        let org = org.trim();
        if let Some(id) = self.by_code.get(org) {
            return Ok(*id);
        }
        match self.by_name.get(&org.to_lowercase()).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some(_) => Err(format!(
                "org: {org:?} names several organisations; use the code"
            )),
            None => Err(format!("org: {org:?} is not a registered organisation")),
        }
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind_record<'q>(q: AnyQuery<'q>, rec: &CameraRecord, vk: String, mk: String) -> AnyQuery<'q> {
    let s = |v: &Option<String>| v.clone().filter(|x| !x.is_empty());
    let d = |v: &Option<time::Date>| v.map(date_text);
    let attrs = (!rec.attributes.is_empty())
        .then(|| serde_json::to_string(&rec.attributes).unwrap_or_default());
    q.bind(rec.vendor.clone())
        .bind(vk)
        .bind(s(&rec.brand))
        .bind(rec.model.clone())
        .bind(mk)
        .bind(s(&rec.firmware))
        .bind(s(&rec.serial))
        .bind(s(&rec.mac))
        .bind(rec.ip.map(|i| i.to_string()))
        .bind(s(&rec.location))
        .bind(d(&rec.installed_on))
        .bind(s(&rec.cert_origin))
        .bind(s(&rec.cert_quality))
        .bind(s(&rec.cert_conformity))
        .bind(s(&rec.cert_conformity_standard))
        .bind(s(&rec.cert_conformity_body))
        .bind(d(&rec.cert_conformity_date))
        .bind(attrs)
}

/// Who imports an inventory, and for which organisation ([`Store::import_cameras_in`]).
pub(crate) struct ImportAudit<'a> {
    pub actor: &'a Actor,
    /// `org:<code>`.
    pub subject: &'a str,
    pub org_id: i64,
    /// Rows the caller rejected before the import (outside its reach).
    pub rejected_before: usize,
}
