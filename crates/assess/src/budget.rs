//! The failed-login budget of one protocol on one device.
//!
//! Two rules, both hard:
//! * at most `max_failures` failed attempts in the whole assessment (the profile's
//!   `credential_budget`);
//! * never [`LOCKOUT_FAILURES`] failures within [`LOCKOUT_WINDOW`] (QĐ 724/QĐ-BTTTT asks
//!   devices to lock logins for 5 minutes after 5 failures in 30 seconds): once
//!   [`WINDOW_MAX`] failures lie inside the window (plus a safety margin), the next attempt
//!   waits until the oldest leaves it — or is not made when that would pass the deadline.
//!
//! Every attempt that may fail is counted before it is sent, so an attempt whose answer never
//! arrived still counts.

use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

/// QĐ 724: failures that lock a device…
pub const LOCKOUT_FAILURES: usize = 5;
/// …within this window.
pub const LOCKOUT_WINDOW: Duration = Duration::from_secs(30);
/// Failures camguard allows itself within one window (one fewer than lock out).
pub const WINDOW_MAX: usize = LOCKOUT_FAILURES - 1;
/// Extra room added to the window (clock differences, network delay).
pub const WINDOW_MARGIN: Duration = Duration::from_secs(2);
/// Time left below which an assessment starts nothing new.
pub const DEADLINE_MARGIN: Duration = Duration::from_millis(200);

/// Is less than [`DEADLINE_MARGIN`] left before `deadline`?
pub fn expired(deadline: Instant) -> bool {
    deadline.saturating_duration_since(Instant::now()) < DEADLINE_MARGIN
}

#[derive(Clone, Debug)]
pub struct Budget {
    max_failures: usize,
    interval: Duration,
    /// Send times of attempts that failed (or whose outcome is unknown).
    failures: VecDeque<Instant>,
    total_failures: usize,
    last_attempt: Option<Instant>,
    /// An attempt was counted and not yet settled.
    pending: Option<Instant>,
    pub attempts: usize,
}

/// Why no attempt may be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The profile's failure budget is used up.
    Exhausted,
    /// Waiting for the lockout window would pass the deadline.
    Deadline,
}

impl Budget {
    pub fn new(max_failures: usize, interval: Duration) -> Self {
        Budget {
            max_failures,
            interval,
            failures: VecDeque::new(),
            total_failures: 0,
            last_attempt: None,
            pending: None,
            attempts: 0,
        }
    }

    pub fn failures(&self) -> usize {
        self.total_failures
    }

    /// The most failed attempts allowed (the profile's `credential_budget`).
    pub fn max_failures(&self) -> usize {
        self.max_failures
    }

    /// How long to wait at `now` before an attempt may be sent, or why it may not.
    pub fn wait_needed(&self, now: Instant) -> Result<Duration, Refusal> {
        if self.total_failures + usize::from(self.pending.is_some()) >= self.max_failures {
            return Err(Refusal::Exhausted);
        }
        let window = LOCKOUT_WINDOW + WINDOW_MARGIN;
        let in_window: Vec<&Instant> = self
            .failures
            .iter()
            .filter(|t| now.saturating_duration_since(**t) < window)
            .collect();
        let mut wait = Duration::ZERO;
        if in_window.len() >= WINDOW_MAX {
            // The oldest failure that must leave the window before one more is allowed.
            let k = in_window.len() + 1 - WINDOW_MAX;
            let oldest = *in_window[k - 1];
            wait = (oldest + window).saturating_duration_since(now);
        }
        if let Some(last) = self.last_attempt {
            wait = wait.max((last + self.interval).saturating_duration_since(now));
        }
        Ok(wait)
    }

    /// Wait (if pacing asks for it) and count one attempt that may fail. Call
    /// [`Budget::succeeded`] when it turned out to be a success.
    pub async fn acquire(&mut self, deadline: Instant) -> Result<(), Refusal> {
        self.settle();
        let now = Instant::now();
        let wait = self.wait_needed(now)?;
        if now + wait >= deadline {
            return Err(Refusal::Deadline);
        }
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        let t = Instant::now();
        self.pending = Some(t);
        self.last_attempt = Some(t);
        self.attempts += 1;
        Ok(())
    }

    /// The attempt just counted was a success: it does not count as a failure.
    pub fn succeeded(&mut self) {
        self.pending = None;
    }

    /// The attempt just counted failed (also implied by the next `acquire`).
    pub fn settle(&mut self) {
        if let Some(t) = self.pending.take() {
            self.failures.push_back(t);
            self.total_failures += 1;
            while self.failures.len() > 64 {
                self.failures.pop_front();
            }
        }
    }

    /// Failures within the lockout window at `now` (for tests and evidence).
    pub fn failures_in_window(&self, now: Instant) -> usize {
        self.failures
            .iter()
            .filter(|t| now.saturating_duration_since(**t) < LOCKOUT_WINDOW)
            .count()
            + usize::from(self.pending.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail_at(b: &mut Budget, t: Instant) {
        b.pending = Some(t);
        b.last_attempt = Some(t);
        b.settle();
    }

    #[test]
    fn budget_is_never_exceeded() {
        let mut b = Budget::new(4, Duration::ZERO);
        let t0 = Instant::now();
        for i in 0..4 {
            assert_eq!(b.wait_needed(t0), Ok(Duration::ZERO), "attempt {i}");
            fail_at(&mut b, t0);
        }
        assert_eq!(b.wait_needed(t0), Err(Refusal::Exhausted));
        assert_eq!(b.failures(), 4);
    }

    #[test]
    fn a_success_does_not_use_the_budget() {
        let mut b = Budget::new(2, Duration::ZERO);
        let t0 = Instant::now();
        b.pending = Some(t0);
        b.succeeded();
        b.settle();
        assert_eq!(b.failures(), 0);
        fail_at(&mut b, t0);
        assert!(b.wait_needed(t0).is_ok());
        fail_at(&mut b, t0);
        assert_eq!(b.wait_needed(t0), Err(Refusal::Exhausted));
    }

    #[test]
    fn never_five_failures_in_thirty_seconds() {
        // A large budget: pacing alone must keep every 30-second window below 5 failures.
        let mut b = Budget::new(40, Duration::ZERO);
        let mut now = Instant::now();
        let mut times = Vec::new();
        for _ in 0..20 {
            let w = b.wait_needed(now).unwrap();
            now += w;
            fail_at(&mut b, now);
            times.push(now);
        }
        for (i, t) in times.iter().enumerate() {
            let n = times[i..]
                .iter()
                .filter(|x| x.duration_since(*t) < LOCKOUT_WINDOW)
                .count();
            assert!(
                n < LOCKOUT_FAILURES,
                "{n} failures within 30 s starting at attempt {i}"
            );
        }
        // and the pacing is not wasteful: 4 at once, then the next window
        assert!(times[3] == times[0] && times[4] >= times[0] + LOCKOUT_WINDOW);
    }

    #[test]
    fn interval_is_respected() {
        let mut b = Budget::new(10, Duration::from_millis(500));
        let t0 = Instant::now();
        fail_at(&mut b, t0);
        assert_eq!(
            b.wait_needed(t0 + Duration::from_millis(200)),
            Ok(Duration::from_millis(300))
        );
    }

    #[tokio::test]
    async fn acquire_refuses_past_the_deadline() {
        let mut b = Budget::new(10, Duration::ZERO);
        let t0 = Instant::now();
        for _ in 0..WINDOW_MAX {
            fail_at(&mut b, t0);
        }
        assert_eq!(
            b.acquire(Instant::now() + Duration::from_secs(1)).await,
            Err(Refusal::Deadline)
        );
        let mut b = Budget::new(1, Duration::ZERO);
        assert_eq!(
            b.acquire(Instant::now() + Duration::from_secs(1)).await,
            Ok(())
        );
        assert_eq!(
            b.acquire(Instant::now() + Duration::from_secs(1)).await,
            Err(Refusal::Exhausted),
            "the unsettled attempt counts"
        );
    }
}
