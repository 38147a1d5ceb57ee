//! One byte budget shared by every read of a scan.
//!
//! Each read is capped ([`crate::ProbeConfig::max_response_bytes`]), but a cap per read alone
//! lets memory grow with the number of connections: a thousand hosts in flight that all send
//! endless bodies would each fill their buffers to the cap at once. Every connection buffer
//! therefore takes the bytes it grows beyond a small free allowance from one shared
//! semaphore of bytes; when the budget is spent, a read waits (within its own time bound) for
//! another connection to give bytes back, exactly as it would wait for a slow peer. The bytes
//! are returned when the connection is dropped. So the bytes buffered by all reads together
//! never exceed the budget plus one allowance per open socket (itself bounded by the socket
//! budget), whatever the devices send.

use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bytes a connection may buffer without drawing on the budget: one read, enough for most
/// heads and small replies, so that a connection always makes progress.
pub const FREE_BYTES: usize = 8 * 1024;
/// The budget every [`crate::ProbeConfig`] shares by default.
pub const DEFAULT_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// A semaphore of bytes; cheap to clone (clones share the budget).
#[derive(Clone, Debug)]
pub struct ByteBudget {
    sem: Arc<Semaphore>,
    total: usize,
}

impl ByteBudget {
    /// A new, separate budget of `bytes` (at least one connection's worth).
    pub fn new(bytes: usize) -> Self {
        let total = bytes.clamp(64 * 1024, Semaphore::MAX_PERMITS);
        ByteBudget {
            sem: Arc::new(Semaphore::new(total)),
            total,
        }
    }

    /// The budget of the process ([`DEFAULT_BUDGET_BYTES`]), shared by every default
    /// [`crate::ProbeConfig`]: the scan's probes and the assessment draw on the same bytes.
    pub fn process() -> Self {
        static SHARED: OnceLock<ByteBudget> = OnceLock::new();
        SHARED
            .get_or_init(|| ByteBudget::new(DEFAULT_BUDGET_BYTES))
            .clone()
    }

    /// Size of the budget.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Bytes not held by any connection right now.
    pub fn available(&self) -> usize {
        self.sem.available_permits()
    }

    /// Take `bytes` more for `held`, waiting at most `wait`. `false`: not granted in time.
    pub(crate) async fn grow(&self, held: &mut Held, bytes: usize, wait: Duration) -> bool {
        if bytes == 0 {
            return true;
        }
        let Ok(n) = u32::try_from(bytes) else {
            return false;
        };
        if bytes > self.total {
            return false;
        }
        let permit = match self.sem.clone().try_acquire_many_owned(n) {
            Ok(p) => p,
            Err(_) => {
                match tokio::time::timeout(wait, self.sem.clone().acquire_many_owned(n)).await {
                    Ok(Ok(p)) => p,
                    _ => return false,
                }
            }
        };
        match &mut held.0 {
            Some(p) => p.merge(permit),
            None => held.0 = Some(permit),
        }
        true
    }
}

impl Default for ByteBudget {
    fn default() -> Self {
        ByteBudget::process()
    }
}

/// Bytes one connection holds; given back on drop.
#[derive(Debug, Default)]
pub(crate) struct Held(Option<OwnedSemaphorePermit>);

impl Held {
    pub(crate) fn bytes(&self) -> usize {
        self.0.as_ref().map_or(0, OwnedSemaphorePermit::num_permits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bytes_come_back_on_drop() {
        let b = ByteBudget::new(100 * 1024);
        let mut h = Held::default();
        assert!(b.grow(&mut h, 60 * 1024, Duration::ZERO).await);
        assert!(b.grow(&mut h, 30 * 1024, Duration::ZERO).await);
        assert_eq!(h.bytes(), 90 * 1024);
        let mut other = Held::default();
        assert!(
            !b.grow(&mut other, 20 * 1024, Duration::from_millis(1))
                .await
        );
        drop(h);
        assert_eq!(b.available(), 100 * 1024);
        assert!(b.grow(&mut other, 20 * 1024, Duration::ZERO).await);
    }

    #[test]
    fn default_budgets_are_one() {
        let a = ByteBudget::default();
        let b = ByteBudget::default();
        assert!(Arc::ptr_eq(&a.sem, &b.sem));
        assert_eq!(a.total(), DEFAULT_BUDGET_BYTES);
    }
}
