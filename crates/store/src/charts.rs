//! The figures the dashboard draws: open findings by severity over time, and the vendor mix of
//! the inventory, within a caller's reach — each in one grouped query whatever the number of
//! findings or cameras.
//!
//! The history of "open" is read from each finding's row, not replayed from its events: a
//! finding counts as open from its `first_seen` until it left the open set — its `fixed_on`
//! day, or the last change of its row (`updated_at`) for one verified or accepted — and a
//! finding open now counts as open throughout (one reopened after a fix is not shown closed
//! for the days in between). That is one pass over the findings in reach, grouped; replaying
//! `finding_events` would be exact for reopened findings at the cost of a join over every event.

use crate::reach::Reach;
use crate::{Result, Store, date_text};
use sqlx::Row;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Open findings by severity on each of a list of days, and cameras by vendor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartFacts {
    /// The days asked for, each with its open findings by severity (every severity seen in
    /// reach is present on every day, possibly with 0).
    pub trend: Vec<(time::Date, BTreeMap<String, u64>)>,
    /// Cameras by vendor key (empty key: no vendor recorded), most first, ties by key.
    pub vendors: Vec<(String, u64)>,
}

impl ChartFacts {
    /// Cameras in reach.
    pub fn cameras(&self) -> u64 {
        self.vendors.iter().map(|v| v.1).sum()
    }

    /// Findings open on the last day asked for, by severity.
    pub fn open_now(&self) -> BTreeMap<String, u64> {
        self.trend.last().map(|t| t.1.clone()).unwrap_or_default()
    }
}

/// `CASE WHEN {expr} < 'day after d0' THEN 0 WHEN … ELSE n END`: the index of the first day
/// by the end of which `expr` (an ISO date or RFC 3339 time, compared as text) had happened.
fn bucket(expr: &str, days: &[time::Date]) -> String {
    let mut s = String::from("CASE");
    for (i, d) in days.iter().enumerate() {
        let end = d.next_day().unwrap_or(*d);
        // A date written by this code, never text from a request.
        let _ = write!(s, " WHEN {expr} < '{}' THEN {i}", date_text(end));
    }
    let _ = write!(s, " ELSE {} END", days.len());
    s
}

impl Store {
    /// The dashboard's figures for the organisations in `reach` (narrowed to `org`'s subtree
    /// when given): open findings by severity at the end of each of `days` (in ascending
    /// order; at most 366 of them), and cameras by vendor.
    pub async fn chart_facts_in(
        &self,
        reach: &Reach,
        org: Option<&str>,
        days: &[time::Date],
    ) -> Result<ChartFacts> {
        let reach = self.narrowed(reach, org).await?;
        let mut days: Vec<time::Date> = days.iter().copied().take(366).collect();
        days.sort();
        days.dedup();
        let n = days.len();
        let opened = bucket("f.first_seen", &days);
        let closed = format!(
            "CASE WHEN f.state = 'open' THEN {n} ELSE {} END",
            bucket("COALESCE(f.fixed_on, f.updated_at)", &days)
        );
        let rows = sqlx::query(&format!(
            "SELECT f.severity AS severity, {opened} AS opened, {closed} AS closed, COUNT(*) AS n \
             FROM findings f WHERE {} GROUP BY 1, 2, 3",
            reach.condition("f.org_id")
        ))
        .fetch_all(self.pool())
        .await?;
        let mut trend: Vec<(time::Date, BTreeMap<String, u64>)> =
            days.iter().map(|d| (*d, BTreeMap::new())).collect();
        for r in &rows {
            let severity: String = r.try_get("severity")?;
            let opened = usize::try_from(r.try_get::<i64, _>("opened")?).unwrap_or(n);
            let closed = usize::try_from(r.try_get::<i64, _>("closed")?).unwrap_or(n);
            let count = u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0);
            for (k, (_, by)) in trend.iter_mut().enumerate() {
                let e = by.entry(severity.clone()).or_insert(0);
                // Open at the end of day k: opened by then, not yet closed.
                if opened <= k && k < closed {
                    *e += count;
                }
            }
        }
        let mut vendors: Vec<(String, u64)> = Vec::new();
        for r in sqlx::query(&format!(
            "SELECT c.vendor_key AS vendor, COUNT(*) AS n FROM cameras c WHERE {} GROUP BY c.vendor_key",
            reach.condition("c.org_id")
        ))
        .fetch_all(self.pool())
        .await?
        {
            vendors.push((
                r.try_get("vendor")?,
                u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
            ));
        }
        vendors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(ChartFacts { trend, vendors })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_compare_with_the_day_after() {
        let d = |s: &str| crate::parse_date_text(s).unwrap();
        let b = bucket("x", &[d("2026-01-01"), d("2026-01-08")]);
        assert_eq!(
            b,
            "CASE WHEN x < '2026-01-02' THEN 0 WHEN x < '2026-01-09' THEN 1 ELSE 2 END"
        );
    }
}
