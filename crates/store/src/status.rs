//! Gathering the facts the compliance status is computed from, in a fixed number of grouped
//! queries whatever the number of units (the computation itself is
//! `camguard_registry::status`).

use crate::org::opt_date;
use crate::{Result, Store, date_text, parse_date_text};
use camguard_registry::status::{SystemFacts, UnitFacts};
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// Facts for every organisation.
    ///
    /// * `warned(vendor_key, model_key)`: whether a model is on a warning list;
    /// * `interval(level)`: the default months between periodic assessments for a level.
    pub async fn status_facts(
        &self,
        warned: &(dyn Fn(&str, &str) -> bool + Sync),
        interval: &(dyn Fn(Option<u8>) -> u32 + Sync),
        today: time::Date,
    ) -> Result<Vec<UnitFacts>> {
        let pool = self.pool();
        let mut units: Vec<UnitFacts> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        for r in sqlx::query("SELECT id, code, name, parent_id FROM orgs ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            let id: i64 = r.try_get("id")?;
            index.insert(id, units.len());
            units.push(UnitFacts {
                id,
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                parent: r.try_get("parent_id")?,
                ..Default::default()
            });
        }
        let unit = |id: i64| index.get(&id).copied();

        for r in sqlx::query("SELECT org_id, set_id FROM org_deadline_sets")
            .fetch_all(pool)
            .await?
        {
            if let Some(i) = unit(r.try_get("org_id")?) {
                units[i].deadline_sets.push(r.try_get("set_id")?);
            }
        }

        let mut last: HashMap<i64, time::Date> = HashMap::new();
        for r in sqlx::query(
            "SELECT c.system_id AS sid, MAX(s.started_at) AS last FROM scan_hosts h \
             JOIN cameras c ON c.id = h.camera_id JOIN scans s ON s.id = h.scan_id \
             WHERE s.state = 'complete' AND c.system_id IS NOT NULL GROUP BY c.system_id",
        )
        .fetch_all(pool)
        .await?
        {
            if let Some(d) = r
                .try_get::<Option<String>, _>("last")?
                .as_deref()
                .and_then(parse_date_text)
            {
                last.insert(r.try_get("sid")?, d);
            }
        }
        for r in sqlx::query(
            "SELECT id, org_id, code, level, approved_on, plan_deployed_on, assessment_interval_months FROM systems ORDER BY code",
        )
        .fetch_all(pool)
        .await?
        {
            let Some(i) = unit(r.try_get("org_id")?) else {
                continue;
            };
            let level = r
                .try_get::<Option<i64>, _>("level")?
                .and_then(|l| u8::try_from(l).ok());
            let own = r
                .try_get::<Option<i64>, _>("assessment_interval_months")?
                .and_then(|m| u32::try_from(m).ok());
            let id: i64 = r.try_get("id")?;
            units[i].systems.push(SystemFacts {
                code: r.try_get("code")?,
                level,
                approved_on: opt_date(r.try_get("approved_on")?),
                plan_deployed_on: opt_date(r.try_get("plan_deployed_on")?),
                interval_months: own.unwrap_or_else(|| interval(level)),
                last_assessed: last.get(&id).copied(),
            });
        }

        for r in sqlx::query(
            "SELECT org_id, vendor_key, model_key, COUNT(*) AS n, \
             CAST(SUM(CASE WHEN cert_conformity IS NOT NULL AND cert_conformity <> '' THEN 1 ELSE 0 END) AS BIGINT) AS certified \
             FROM cameras GROUP BY org_id, vendor_key, model_key",
        )
        .fetch_all(pool)
        .await?
        {
            let Some(i) = unit(r.try_get("org_id")?) else {
                continue;
            };
            let n = r.try_get::<i64, _>("n")? as u64;
            units[i].cameras += n;
            units[i].cameras_certified += r.try_get::<i64, _>("certified")? as u64;
            let vk: String = r.try_get("vendor_key")?;
            let mk: String = r.try_get("model_key")?;
            if warned(&vk, &mk) {
                units[i].cameras_warned += n;
            }
        }

        for r in sqlx::query(
            "SELECT org_id, COUNT(*) AS n FROM findings WHERE severity IN ('critical', 'high') \
             AND (state = 'open' OR (state = 'accepted' AND accepted_until < $1)) GROUP BY org_id",
        )
        .bind(date_text(today))
        .fetch_all(pool)
        .await?
        {
            if let Some(i) = unit(r.try_get("org_id")?) {
                units[i].critical_open = r.try_get::<i64, _>("n")? as u64;
            }
        }

        for r in sqlx::query(
            "SELECT s.org_id, COUNT(*) AS n FROM scan_hosts h JOIN scans s ON s.id = h.scan_id \
             WHERE h.is_camera = 1 AND h.camera_id IS NULL \
             AND s.id IN (SELECT MAX(id) FROM scans WHERE state = 'complete' GROUP BY org_id) \
             GROUP BY s.org_id",
        )
        .fetch_all(pool)
        .await?
        {
            if let Some(i) = unit(r.try_get("org_id")?) {
                units[i].unregistered = r.try_get::<i64, _>("n")? as u64;
            }
        }

        for r in sqlx::query(
            "SELECT org_id, number, issued_on, covers_cameras FROM regulations ORDER BY issued_on, id",
        )
        .fetch_all(pool)
        .await?
        {
            let Some(i) = unit(r.try_get("org_id")?) else {
                continue;
            };
            let issued: String = r.try_get("issued_on")?;
            if let Some(d) = parse_date_text(&issued) {
                units[i].regulation = Some((
                    r.try_get("number")?,
                    d,
                    r.try_get::<i64, _>("covers_cameras")? != 0,
                ));
            }
        }

        for r in sqlx::query("SELECT org_id, duty, done_on FROM duty_records")
            .fetch_all(pool)
            .await?
        {
            let Some(i) = unit(r.try_get("org_id")?) else {
                continue;
            };
            let duty: String = r.try_get("duty")?;
            let done: String = r.try_get("done_on")?;
            if let (Ok(duty), Some(d)) = (duty.parse(), parse_date_text(&done)) {
                units[i].duty_records.push((duty, d));
            }
        }
        Ok(units)
    }
}
