//! Documents computed from the whole registry, kept while the registry does not change.
//!
//! The compliance status of every unit and the dashboard's figures each take about a second
//! at 1,000 units and 1,000,000 findings on SQLite. Computing them again every few seconds,
//! whether or not anything changed, loaded both cores and the store's four connections for
//! that second, and every page view queued behind it (the page p99 of BENCHMARKS §11). A
//! [`Kept`] value is instead checked against the registry's change counter
//! ([`Store::registry_changes`], one read of a tiny table) and computed again only when the
//! counter moved, the day turned, or this process changed the registry ([`Kept::forget`]).
//!
//! While a check or a computation runs in the background, callers get the value held: a page
//! never waits for the registry to be read again, except for the first computation (or after a
//! change made through this service, so that its author sees it at once).

use crate::views::ViewError;
use camguard_store::Store;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A value computed from the registry on one day, and the change counter it was computed at.
struct Held<T> {
    value: Arc<T>,
    day: time::Date,
    changes: i64,
    /// When the counter was last found equal to `changes`.
    checked: Instant,
}

/// One kept value (see the [module](self)).
pub struct Kept<T> {
    /// How long a value is served without reading the counter.
    check: Duration,
    /// How long a value is served when the counter cannot be read (then it is computed again,
    /// and callers wait).
    stale: Duration,
    held: Mutex<(Option<Held<T>>, u64)>,
    /// One computation at a time; callers that find nothing held wait for it.
    computing: tokio::sync::Mutex<()>,
    /// Set while one background task checks the counter (and computes again if it moved).
    checking: AtomicBool,
}

impl<T: Send + Sync + 'static> Kept<T> {
    pub fn new(check: Duration, stale: Duration) -> Kept<T> {
        Kept {
            check,
            stale,
            held: Mutex::new((None, 0)),
            computing: tokio::sync::Mutex::new(()),
            checking: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Option<Held<T>>, u64)> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Drop the value (this process changed the registry): the next caller computes it.
    pub fn forget(&self) {
        let mut held = self.lock();
        held.0 = None;
        held.1 += 1;
    }

    /// The value held for `today` when it may be served, and whether its counter is due for a
    /// check.
    fn servable(&self, today: time::Date) -> Option<(Arc<T>, bool)> {
        let held = self.lock();
        let h = held.0.as_ref().filter(|h| h.day == today)?;
        let age = h.checked.elapsed();
        (age <= self.stale).then(|| (h.value.clone(), age > self.check))
    }

    /// The value on `today`: held (checked against the registry's change counter at most
    /// every `check`, in the background), or computed by `compute` when none is held.
    pub async fn get<F, Fut>(
        self: &Arc<Self>,
        store: &Store,
        today: time::Date,
        compute: F,
    ) -> Result<Arc<T>, ViewError>
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, ViewError>> + Send + 'static,
    {
        if let Some((value, due)) = self.servable(today) {
            if due && !self.checking.swap(true, Ordering::AcqRel) {
                let (me, store) = (self.clone(), store.clone());
                tokio::spawn(async move {
                    if let Err(e) = me.revalidate(&store, today, &compute).await {
                        tracing::warn!(error = %e, "checking a kept document");
                    }
                    me.checking.store(false, Ordering::Release);
                });
            }
            return Ok(value);
        }
        let _one = self.computing.lock().await;
        // Computed by another caller while this one waited.
        if let Some((value, _)) = self.servable(today) {
            return Ok(value);
        }
        self.compute(store, today, &compute).await
    }

    /// Read the counter; compute again when it moved since the value held.
    async fn revalidate<F, Fut>(
        &self,
        store: &Store,
        today: time::Date,
        compute: &F,
    ) -> Result<(), ViewError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ViewError>>,
    {
        let changes = store.registry_changes().await?;
        {
            let mut held = self.lock();
            if let Some(h) = held
                .0
                .as_mut()
                .filter(|h| h.day == today && h.changes == changes)
            {
                h.checked = Instant::now();
                return Ok(());
            }
        }
        let _one = self.computing.lock().await;
        self.compute(store, today, compute).await.map(|_| ())
    }

    /// Compute the value and hold it, unless it was forgotten meanwhile (a change made through
    /// this process while it was read: the next caller computes it again). The caller holds
    /// `computing`.
    async fn compute<F, Fut>(
        &self,
        store: &Store,
        today: time::Date,
        compute: &F,
    ) -> Result<Arc<T>, ViewError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ViewError>>,
    {
        let generation = self.lock().1;
        // The counter first: a change committed after this read shows as a different counter
        // at the next check, whether or not the computation saw it.
        let changes = store.registry_changes().await?;
        let value = Arc::new(compute().await?);
        let mut held = self.lock();
        if held.1 == generation {
            held.0 = Some(Held {
                value: value.clone(),
                day: today,
                changes,
                checked: Instant::now(),
            });
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("r.db").display().to_string();
        let store = Store::open(&url).await.unwrap();
        (dir, store)
    }

    fn counting(
        n: &Arc<AtomicUsize>,
    ) -> impl Fn() -> std::future::Ready<Result<usize, ViewError>> + Send + Sync + 'static {
        let n = n.clone();
        move || std::future::ready(Ok(n.fetch_add(1, Ordering::SeqCst) + 1))
    }

    /// Wait until the background check (if any) is over.
    async fn settle<T: Send + Sync + 'static>(kept: &Kept<T>) {
        for _ in 0..200 {
            if !kept.checking.load(Ordering::Acquire) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the background check did not end");
    }

    #[tokio::test]
    async fn a_value_is_computed_again_only_when_the_registry_changed() {
        let (_dir, store) = store().await;
        let today = time::macros::date!(2026 - 12 - 05);
        let kept = Arc::new(Kept::new(Duration::ZERO, Duration::from_secs(300)));
        let n = Arc::new(AtomicUsize::new(0));
        assert_eq!(*kept.get(&store, today, counting(&n)).await.unwrap(), 1);
        // Due for a check at every call (check = 0); nothing changed: the same value, no
        // second computation.
        for _ in 0..3 {
            assert_eq!(*kept.get(&store, today, counting(&n)).await.unwrap(), 1);
            settle(&kept).await;
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
        // A change in the registry: the held value is served once more while the background
        // task computes the new one.
        store
            .add_org(
                "AG",
                "An Giang",
                camguard_store::OrgKind::Province,
                None,
                &[],
                &[],
            )
            .await
            .unwrap();
        assert_eq!(*kept.get(&store, today, counting(&n)).await.unwrap(), 1);
        settle(&kept).await;
        assert_eq!(*kept.get(&store, today, counting(&n)).await.unwrap(), 2);
        settle(&kept).await;
        assert_eq!(n.load(Ordering::SeqCst), 2);
        // Another day: computed again, and the caller waits for it.
        let tomorrow = today.next_day().unwrap();
        assert_eq!(*kept.get(&store, tomorrow, counting(&n)).await.unwrap(), 3);
        // Forgotten (a change made here): the next caller gets it computed again.
        kept.forget();
        assert_eq!(*kept.get(&store, tomorrow, counting(&n)).await.unwrap(), 4);
    }

    #[tokio::test]
    async fn a_value_is_not_checked_before_its_time() {
        let (_dir, store) = store().await;
        let today = time::macros::date!(2026 - 12 - 05);
        let kept = Arc::new(Kept::new(
            Duration::from_secs(3600),
            Duration::from_secs(7200),
        ));
        let n = Arc::new(AtomicUsize::new(0));
        kept.get(&store, today, counting(&n)).await.unwrap();
        store
            .add_org(
                "AG",
                "An Giang",
                camguard_store::OrgKind::Province,
                None,
                &[],
                &[],
            )
            .await
            .unwrap();
        assert_eq!(*kept.get(&store, today, counting(&n)).await.unwrap(), 1);
        assert!(!kept.checking.load(Ordering::Acquire));
    }
}
