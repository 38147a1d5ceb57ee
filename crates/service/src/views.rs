//! Documents computed from the registry that the command line and the API both show: one
//! implementation, so that `camguard status CODE --format json` and `GET /api/v1/status` are
//! the same document.

use camguard_registry::catalogue::{Catalogue, CatalogueVerdict};
use camguard_registry::level::{load_rulesets, ruleset_in_force};
use camguard_registry::status::UnitStatus;
use camguard_store::{Reach, Store, StoreError};
use std::collections::HashSet;

/// Why a view could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The knowledge base's rules or deadlines do not load.
    #[error("knowledge base: {0}")]
    Kb(String),
}

/// The compliance status of every unit, or of `org`'s subtree, on `today`.
pub async fn compute_status(
    store: &Store,
    kb: &camguard_kb::Kb,
    org: Option<&str>,
    today: time::Date,
) -> Result<Vec<UnitStatus>, ViewError> {
    let sets = camguard_registry::deadline::load_deadlines(kb)
        .map_err(|e| ViewError::Kb(e.to_string()))?;
    let rulesets = load_rulesets(kb).map_err(|e| ViewError::Kb(e.to_string()))?;
    let in_force = ruleset_in_force(&rulesets, today).or(rulesets.first());
    let cat = Catalogue::new(
        store
            .catalogue()
            .await?
            .into_iter()
            .map(|r| r.entry)
            .collect(),
        &kb.vendors,
    );
    let warned = |vk: &str, mk: &str| matches!(cat.check(vk, mk), CatalogueVerdict::Warned(_));
    let interval = |level: Option<u8>| {
        level
            .and_then(|l| in_force.and_then(|s| s.level(l)))
            .or_else(|| in_force.and_then(|s| s.level(1)))
            .map_or(24, |i| i.assessment_interval_months)
    };
    let facts = store.status_facts(&warned, &interval, today).await?;
    let root = match org {
        Some(code) => Some(store.org(code).await?.id),
        None => None,
    };
    Ok(camguard_registry::status::compute(
        &facts, &sets, today, root,
    ))
}

/// The status a caller may see: `org`'s subtree when it is in reach (`404` otherwise), else
/// the highest units in reach with their subtrees.
pub async fn status_in(
    store: &Store,
    kb: &camguard_kb::Kb,
    reach: &Reach,
    org: Option<&str>,
    today: time::Date,
) -> Result<Vec<UnitStatus>, ViewError> {
    if let Some(code) = org {
        store.org_in(reach, code).await?;
        return compute_status(store, kb, Some(code), today).await;
    }
    let all = compute_status(store, kb, None, today).await?;
    if *reach == Reach::All {
        return Ok(all);
    }
    let visible: HashSet<String> = store
        .orgs_in(reach)
        .await?
        .into_iter()
        .map(|o| o.code)
        .collect();
    let mut out = Vec::new();
    fn keep(u: UnitStatus, visible: &HashSet<String>, out: &mut Vec<UnitStatus>) {
        if visible.contains(&u.org) {
            out.push(u);
        } else {
            for c in u.children {
                keep(c, visible, out);
            }
        }
    }
    for u in all {
        keep(u, &visible, &mut out);
    }
    Ok(out)
}
