//! Findings counted, not read: how many live findings each organisation in reach has, by the
//! vendor of the camera they are on, severity and state — one grouped query, so that a
//! provincial report over a million findings reads a few thousand rows instead of a million
//! (BENCHMARKS §11).

use crate::reach::Reach;
use crate::scan::FindingState;
use crate::{Result, Store};
use sqlx::Row;

/// Live findings (open, accepted or fixed; not verified) of one organisation with one vendor,
/// severity and state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingTally {
    /// The organisation's code.
    pub org: String,
    /// The vendor recorded for the inventory camera the findings are on (as written in the
    /// inventory); `None` for findings on hosts not in the inventory.
    pub vendor: Option<String>,
    pub severity: String,
    pub state: FindingState,
    pub count: u64,
}

impl Store {
    /// The live findings in `reach` (narrowed to `org`'s subtree when given), counted by
    /// organisation, camera vendor, severity and state, ordered by those.
    pub async fn finding_tally_in(
        &self,
        reach: &Reach,
        org: Option<&str>,
    ) -> Result<Vec<FindingTally>> {
        let reach = self.narrowed(reach, org).await?;
        let rows = sqlx::query(&format!(
            "SELECT o.code AS org, t.vendor AS vendor, t.severity AS severity, \
                    t.state AS state, t.n AS n \
             FROM (SELECT f.org_id AS org_id, c.vendor AS vendor, f.severity AS severity, \
                          f.state AS state, COUNT(*) AS n \
                   FROM findings f LEFT JOIN cameras c ON c.id = f.camera_id \
                   WHERE {} AND f.state <> 'verified' \
                   GROUP BY f.org_id, c.vendor, f.severity, f.state) t \
             JOIN orgs o ON o.id = t.org_id",
            reach.condition("f.org_id")
        ))
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let state: String = r.try_get("state")?;
            let Some(state) = FindingState::from_name(&state) else {
                continue;
            };
            out.push(FindingTally {
                org: r.try_get("org")?,
                vendor: r.try_get("vendor")?,
                severity: r.try_get("severity")?,
                state,
                count: u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
            });
        }
        out.sort_by(|a, b| {
            (&a.org, &a.vendor, &a.severity, a.state.as_str()).cmp(&(
                &b.org,
                &b.vendor,
                &b.severity,
                b.state.as_str(),
            ))
        });
        Ok(out)
    }
}
