//! Documents computed from the registry that the command line and the API both show: one
//! implementation, so that `camguard status CODE --format json` and `GET /api/v1/status` are
//! the same document.

use crate::kept::Kept;
use camguard_registry::catalogue::{Catalogue, CatalogueVerdict};
use camguard_registry::level::{load_rulesets, ruleset_in_force};
use camguard_registry::status::UnitStatus;
use camguard_store::{Reach, Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

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

/// The whole tree's status, computed at most once at a time and kept while the registry does
/// not change ([`Kept`]).
///
/// Computing it reads every camera, finding and scan of the registry (0.4–0.9 s at 1,000 units
/// and 1,000,000 findings, BENCHMARKS §10), so the service keeps one computed tree, shared by
/// every caller (each sees only its reach of it). Every `check` one request has the registry's
/// change counter read in the background and the tree computed again if it moved, meanwhile
/// serving the tree held: changes made elsewhere (the command line, another instance, the scan
/// workers) show within `check` and a computation. Changes made through this service drop it
/// ([`StatusCache::invalidate`]), so their author sees them on the next page.
pub struct StatusCache {
    tree: Arc<Kept<Vec<UnitStatus>>>,
    /// Documents already written from the current tree (by organisation, `*` for the whole
    /// tree): the same bytes for every caller who may see them. Tagged with the tree they
    /// were written from; at most one per organisation.
    rendered: std::sync::Mutex<(usize, std::collections::HashMap<String, axum::body::Bytes>)>,
    /// The dashboard's figures, per reach; dropped with the tree.
    pub charts: ChartCache,
}

impl Default for StatusCache {
    fn default() -> Self {
        StatusCache::new(Duration::from_secs(5), Duration::from_secs(300))
    }
}

impl StatusCache {
    /// Check the change counter every `check`; when it cannot be read, serve a tree at most
    /// `stale` after its last good check.
    pub fn new(check: Duration, stale: Duration) -> StatusCache {
        StatusCache {
            tree: Arc::new(Kept::new(check, stale)),
            rendered: std::sync::Mutex::new((0, std::collections::HashMap::new())),
            charts: ChartCache::new(check.max(Duration::from_secs(30)), stale),
        }
    }

    /// The document for `key` written from `tree`, written once per tree.
    fn rendered(
        &self,
        tree: &Arc<Vec<UnitStatus>>,
        key: &str,
        write: impl FnOnce() -> Vec<u8>,
    ) -> axum::body::Bytes {
        let id = Arc::as_ptr(tree) as usize;
        if let Ok(r) = self.rendered.lock()
            && r.0 == id
            && let Some(b) = r.1.get(key)
        {
            return b.clone();
        }
        let bytes = axum::body::Bytes::from(write());
        if let Ok(mut r) = self.rendered.lock() {
            if r.0 != id {
                *r = (id, std::collections::HashMap::new());
            }
            r.1.insert(key.to_string(), bytes.clone());
        }
        bytes
    }

    /// Forget the computed tree and figures (after a change made through this service).
    pub fn invalidate(&self) {
        self.tree.forget();
        self.charts.invalidate();
    }

    /// The whole tree on `today`.
    pub async fn all(
        self: &Arc<Self>,
        store: &Store,
        kb: &Arc<camguard_kb::Kb>,
        today: time::Date,
    ) -> Result<Arc<Vec<UnitStatus>>, ViewError> {
        let (s, k) = (store.clone(), kb.clone());
        self.tree
            .get(store, today, move || {
                let (store, kb) = (s.clone(), k.clone());
                async move { compute_status(&store, &kb, None, today).await }
            })
            .await
    }
}

/// The status document (`{"as_of", "units"}`, as `camguard status --format json`) a caller may
/// see, as JSON bytes. A document that is the same for every caller who may see it (one
/// organisation's subtree, or the whole tree for an admin) is written once per computed tree.
pub async fn status_document(
    cache: &Arc<StatusCache>,
    store: &Store,
    kb: &Arc<camguard_kb::Kb>,
    reach: &Reach,
    org: Option<&str>,
    today: time::Date,
) -> Result<axum::body::Bytes, ViewError> {
    let as_of = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let write = |units: &[UnitStatus]| {
        serde_json::to_vec(&serde_json::json!({"as_of": as_of, "units": units})).unwrap_or_default()
    };
    let shared_key = match (org, reach) {
        (Some(code), _) => Some(code.to_string()),
        (None, Reach::All) => Some("*".to_string()),
        (None, Reach::Orgs(_)) => None,
    };
    let Some(key) = shared_key else {
        let units = status_cached(cache, store, kb, reach, org, today).await?;
        return Ok(axum::body::Bytes::from(write(&units)));
    };
    if let Some(code) = org {
        store.org_in(reach, code).await?;
    }
    let tree = cache.all(store, kb, today).await?;
    Ok(cache.rendered(&tree, &key, || match org {
        None => write(&tree),
        Some(code) => {
            fn find<'a>(units: &'a [UnitStatus], code: &str) -> Option<&'a UnitStatus> {
                units.iter().find_map(|u| {
                    if u.org == code {
                        Some(u)
                    } else {
                        find(&u.children, code)
                    }
                })
            }
            write(
                find(&tree, code)
                    .map(std::slice::from_ref)
                    .unwrap_or_default(),
            )
        }
    }))
}

/// The status a caller may see, from the shared computed tree: `org`'s subtree when it is in
/// reach (`404` otherwise), else the highest units in reach with their subtrees.
pub async fn status_cached(
    cache: &Arc<StatusCache>,
    store: &Store,
    kb: &Arc<camguard_kb::Kb>,
    reach: &Reach,
    org: Option<&str>,
    today: time::Date,
) -> Result<Vec<UnitStatus>, ViewError> {
    Ok(status_roots(cache, store, kb, reach, org, today)
        .await?
        .roots()
        .into_iter()
        .cloned()
        .collect())
}

/// What [`status_cached`] selects, borrowed from the shared tree instead of copied (a page
/// reads a few rows of a province's 1,000 units; copying the subtree was most of its cost).
pub struct StatusRoots {
    all: Arc<Vec<UnitStatus>>,
    /// The codes of the roots selected, in the tree's order; `None`: every root of the tree.
    codes: Option<Vec<String>>,
}

impl StatusRoots {
    /// The selected units, each with its subtree.
    pub fn roots(&self) -> Vec<&UnitStatus> {
        let Some(codes) = &self.codes else {
            return self.all.iter().collect();
        };
        fn walk<'a>(units: &'a [UnitStatus], codes: &[String], out: &mut Vec<&'a UnitStatus>) {
            for u in units {
                if codes.contains(&u.org) {
                    out.push(u);
                } else {
                    walk(&u.children, codes, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.all, codes, &mut out);
        out
    }
}

/// The roots of [`status_cached`]'s answer, without copying them.
pub async fn status_roots(
    cache: &Arc<StatusCache>,
    store: &Store,
    kb: &Arc<camguard_kb::Kb>,
    reach: &Reach,
    org: Option<&str>,
    today: time::Date,
) -> Result<StatusRoots, ViewError> {
    if let Some(code) = org {
        store.org_in(reach, code).await?;
    }
    let all = cache.all(store, kb, today).await?;
    if let Some(code) = org {
        // Found or not: in reach (checked above), so a unit the tree lacks shows no status.
        return Ok(StatusRoots {
            all,
            codes: Some(vec![code.to_string()]),
        });
    }
    if *reach == Reach::All {
        return Ok(StatusRoots { all, codes: None });
    }
    let visible: HashSet<String> = store
        .org_names_in(reach)
        .await?
        .into_iter()
        .map(|o| o.0)
        .collect();
    fn keep(u: &UnitStatus, visible: &HashSet<String>, out: &mut Vec<String>) {
        if visible.contains(&u.org) {
            out.push(u.org.clone());
        } else {
            for c in &u.children {
                keep(c, visible, out);
            }
        }
    }
    let mut codes = Vec::new();
    for u in all.iter() {
        keep(u, &visible, &mut codes);
    }
    Ok(StatusRoots {
        all,
        codes: Some(codes),
    })
}

/// The dashboard's figures ([`camguard_store::ChartFacts`]) by reach, each computed once at a
/// time and kept while the registry does not change ([`Kept`], checked every `check`).
///
/// One grouped pass over the findings in reach (about a second for an admin at 1,000,000
/// findings on SQLite) is too much for every page view: the first callers for a reach wait for
/// one computation; later ones get the figures held while they are checked (and computed
/// again, if the registry changed) in the background.
pub struct ChartCache {
    check: Duration,
    stale: Duration,
    slots:
        std::sync::Mutex<std::collections::HashMap<String, Arc<Kept<camguard_store::ChartFacts>>>>,
}

impl ChartCache {
    /// At most this many reaches are kept; all are dropped when one more is asked for.
    const MAX_SLOTS: usize = 1024;

    pub fn new(check: Duration, stale: Duration) -> ChartCache {
        ChartCache {
            check,
            stale,
            slots: Default::default(),
        }
    }

    pub fn invalidate(&self) {
        for slot in self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
        {
            slot.forget();
        }
    }

    /// The figures for `reach` (narrowed to `org`), open findings on each of `days` (the last
    /// is today).
    pub async fn get(
        &self,
        store: &Store,
        reach: &Reach,
        org: Option<&str>,
        days: &[time::Date],
    ) -> Result<Arc<camguard_store::ChartFacts>, ViewError> {
        // The whole reach is the key (never a hash of it: two reaches must never share).
        let key = format!(
            "{}|{}|{}",
            org.unwrap_or("*"),
            days.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            match reach {
                Reach::All => "all".to_string(),
                Reach::Orgs(ids) => ids
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            }
        );
        let slot = {
            let mut slots = self
                .slots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !slots.contains_key(&key) && slots.len() >= Self::MAX_SLOTS {
                slots.clear();
            }
            slots
                .entry(key)
                .or_insert_with(|| Arc::new(Kept::new(self.check, self.stale)))
                .clone()
        };
        let today = days.last().copied().unwrap_or(time::Date::MIN);
        let (s, r, o, d) = (
            store.clone(),
            reach.clone(),
            org.map(String::from),
            days.to_vec(),
        );
        slot.get(store, today, move || {
            let (store, reach, org, days) = (s.clone(), r.clone(), o.clone(), d.clone());
            async move { Ok(store.chart_facts_in(&reach, org.as_deref(), &days).await?) }
        })
        .await
    }
}
