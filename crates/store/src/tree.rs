//! The organisation tree, kept in memory: who is below whom, for every reach and every
//! "this organisation and its subtree" a request asks for.
//!
//! Organisations are only ever added (no row of `orgs` is updated in its parent or deleted), so
//! a tree read a moment ago is right about every organisation it holds and can only miss one
//! added since. The store reads the tree again after [`FRESH`] (another process, such as the
//! command line, may have added organisations), at once after this store added one, and when a
//! request names a code the tree does not hold (at most once per [`MISS_RELOAD`], so that
//! requests for codes that do not exist cannot make it read the table on every request).
//! Reading it is one query over `orgs` (1 ms at 1,000 organisations, BENCHMARKS §10c); a
//! request then needs no recursive query for its reach or for `org=CODE`. When the tree gets
//! old under load, one request reads it again and the others go on with the one held: before
//! that, every request of the second read its own copy, and the lists' p99 at 64 connections
//! was three times their p50 (BENCHMARKS §10e).

use crate::{Result, Store};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a tree read from the database is used before it is read again.
pub(crate) const FRESH: Duration = Duration::from_secs(1);
/// At most one re-read per this much time because a request named an unknown code.
const MISS_RELOAD: Duration = Duration::from_millis(100);

/// Organisations by code, their children, and their codes and names in id order.
#[derive(Debug, Default)]
pub(crate) struct OrgTree {
    ids: HashMap<String, i64>,
    children: HashMap<i64, Vec<i64>>,
    /// (id, code, name) of every organisation, in id order.
    names: Vec<(i64, String, String)>,
}

impl OrgTree {
    fn build(rows: impl IntoIterator<Item = (i64, String, String, Option<i64>)>) -> OrgTree {
        let mut tree = OrgTree::default();
        for (id, code, name, parent) in rows {
            tree.ids.insert(code.clone(), id);
            tree.names.push((id, code, name));
            if let Some(p) = parent {
                tree.children.entry(p).or_default().push(id);
            }
        }
        for c in tree.children.values_mut() {
            c.sort_unstable();
        }
        tree.names.sort_unstable_by_key(|n| n.0);
        tree
    }

    /// (code, name) of the organisations `keep` accepts (by id), in id order.
    pub(crate) fn names(&self, keep: impl Fn(i64) -> bool) -> Vec<(String, String)> {
        self.names
            .iter()
            .filter(|n| keep(n.0))
            .map(|(_, code, name)| (code.clone(), name.clone()))
            .collect()
    }

    /// How many organisations the tree holds.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The id of the organisation with this code.
    pub(crate) fn id(&self, code: &str) -> Option<i64> {
        self.ids.get(code).copied()
    }

    /// `roots` and every organisation below any of them, each once, roots first.
    pub(crate) fn subtree(&self, roots: &[i64]) -> Vec<i64> {
        let mut out: Vec<i64> = Vec::with_capacity(roots.len());
        let mut seen = std::collections::HashSet::new();
        for r in roots {
            if seen.insert(*r) {
                out.push(*r);
            }
        }
        let mut i = 0;
        while i < out.len() {
            if let Some(c) = self.children.get(&out[i]) {
                for id in c {
                    if seen.insert(*id) {
                        out.push(*id);
                    }
                }
            }
            i += 1;
        }
        out
    }
}

/// A tree and when it was read.
type Dated = (Instant, Arc<OrgTree>);

/// The tree held, and how many times it was dropped (a read that started before a drop must
/// not put back what it read).
#[derive(Debug, Default)]
struct Slot {
    tree: Option<Dated>,
    generation: u64,
}

/// The cached tree of one [`Store`] (shared by its clones).
#[derive(Clone, Debug, Default)]
pub(crate) struct TreeCache {
    slot: Arc<RwLock<Slot>>,
    /// Held by the one task reading the tree again, so that the requests that find it old
    /// at the same moment do not all read it (they go on with the old one meanwhile).
    reading: Arc<tokio::sync::Mutex<()>>,
}

impl TreeCache {
    fn slot(&self) -> std::sync::RwLockReadGuard<'_, Slot> {
        self.slot
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, max_age: Duration) -> Option<Arc<OrgTree>> {
        self.slot()
            .tree
            .as_ref()
            .filter(|(at, _)| at.elapsed() < max_age)
            .map(|(_, t)| Arc::clone(t))
    }

    /// The tree held, however old.
    fn held(&self) -> Option<Arc<OrgTree>> {
        self.slot().tree.as_ref().map(|(_, t)| Arc::clone(t))
    }

    fn generation(&self) -> u64 {
        self.slot().generation
    }

    /// Keep `tree`, read when the generation was `generation`, unless dropped since.
    fn put(&self, tree: Arc<OrgTree>, generation: u64) {
        let mut slot = self
            .slot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.generation == generation {
            slot.tree = Some((Instant::now(), tree));
        }
    }

    /// Drop the tree (this store just added an organisation).
    pub(crate) fn forget(&self) {
        let mut slot = self
            .slot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.tree = None;
        slot.generation += 1;
    }
}

impl Store {
    /// The organisation tree, read again when older than [`FRESH`]: by one task, while the
    /// others use the tree held (a second old); when none is held (at the start, or this store
    /// just added an organisation), every caller waits for that one read.
    pub(crate) async fn tree(&self) -> Result<Arc<OrgTree>> {
        let cache = self.trees();
        if let Some(t) = cache.get(FRESH) {
            return Ok(t);
        }
        if let Some(old) = cache.held() {
            return match cache.reading.try_lock() {
                Ok(_reading) => self.read_tree().await,
                Err(_) => Ok(old),
            };
        }
        let _reading = cache.reading.lock().await;
        if let Some(t) = cache.get(FRESH) {
            return Ok(t);
        }
        self.read_tree().await
    }

    /// The id of an organisation's code, reading the tree again when it does not hold it
    /// (an organisation added since by another process), with the tree used.
    pub(crate) async fn tree_with(&self, code: &str) -> Result<(Arc<OrgTree>, Option<i64>)> {
        let tree = self.tree().await?;
        if let Some(id) = tree.id(code) {
            return Ok((tree, Some(id)));
        }
        if self.trees().get(MISS_RELOAD).is_some() {
            return Ok((tree, None));
        }
        let tree = self.read_tree().await?;
        let id = tree.id(code);
        Ok((tree, id))
    }

    async fn read_tree(&self) -> Result<Arc<OrgTree>> {
        let generation = self.trees().generation();
        let rows = sqlx::query("SELECT id, code, name, parent_id FROM orgs")
            .fetch_all(self.pool())
            .await?;
        let rows = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<String, _>("code")?,
                    r.try_get::<String, _>("name")?,
                    r.try_get::<Option<i64>, _>("parent_id")?,
                ))
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
        let tree = Arc::new(OrgTree::build(rows));
        self.trees().put(Arc::clone(&tree), generation);
        Ok(tree)
    }

    /// The ids of an organisation and all its descendants.
    pub(crate) async fn subtree_ids(&self, root: i64) -> Result<Vec<i64>> {
        Ok(self.tree().await?.subtree(&[root]))
    }
}

#[cfg(test)]
mod tests {
    use super::{FRESH, OrgTree, TreeCache};
    use std::sync::Arc;

    #[test]
    fn a_tree_read_before_a_drop_is_not_kept() {
        let cache = TreeCache::default();
        let before = cache.generation();
        // This store adds an organisation while a read of the tree is under way...
        cache.forget();
        // ...which then finishes: what it read may lack the new organisation.
        cache.put(Arc::new(tree()), before);
        assert!(cache.held().is_none());
        let now = cache.generation();
        cache.put(Arc::new(tree()), now);
        assert!(cache.get(FRESH).is_some());
        assert_eq!(cache.held().unwrap().len(), 5);
    }

    fn tree() -> OrgTree {
        // P ─ A ─ U1
        //   └ U2      Q (another root)
        OrgTree::build([
            (1, "P".to_string(), "Org P".to_string(), None),
            (2, "A".to_string(), "Org A".to_string(), Some(1)),
            (3, "U1".to_string(), "Org U1".to_string(), Some(2)),
            (4, "U2".to_string(), "Org U2".to_string(), Some(1)),
            (5, "Q".to_string(), "Org Q".to_string(), None),
        ])
    }

    #[test]
    fn subtree_holds_every_descendant_once() {
        let t = tree();
        let mut s = t.subtree(&[1]);
        s.sort_unstable();
        assert_eq!(s, [1, 2, 3, 4]);
        assert_eq!(t.subtree(&[2]), [2, 3]);
        assert_eq!(t.subtree(&[5]), [5]);
        let mut both = t.subtree(&[2, 1, 3]);
        both.sort_unstable();
        assert_eq!(both, [1, 2, 3, 4]);
        assert_eq!(t.id("U2"), Some(4));
        assert_eq!(t.id("u2"), None);
        assert_eq!(t.len(), 5);
        assert_eq!(
            t.names(|id| id % 2 == 0),
            [
                ("A".to_string(), "Org A".to_string()),
                ("U2".to_string(), "Org U2".to_string())
            ]
        );
    }
}
