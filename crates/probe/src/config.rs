//! Bounds and identity of the probes.

use crate::budget::ByteBudget;
use std::time::Duration;
use tokio::time::Instant;

/// Bounds and identity of the probes.
#[derive(Clone, Debug)]
pub struct ProbeConfig {
    /// TCP connect bound.
    pub connect_timeout: Duration,
    /// Bound of each read.
    pub read_timeout: Duration,
    /// Bound of one whole exchange (connect, TLS, request, reply).
    pub step_timeout: Duration,
    /// Cap of a response body (and of what a connection buffers beyond a head).
    pub max_response_bytes: usize,
    pub user_agent: String,
    /// The byte budget every connection buffer draws on beyond a small allowance (see
    /// [`ByteBudget`]); clones of a config share it, and so do all default configs.
    pub budget: ByteBudget,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            connect_timeout: Duration::from_millis(1500),
            read_timeout: Duration::from_secs(2),
            step_timeout: Duration::from_secs(4),
            max_response_bytes: 64 * 1024,
            user_agent: format!("camguard/{}", env!("CARGO_PKG_VERSION")),
            budget: ByteBudget::process(),
        }
    }
}

/// Deadline of a step that starts now.
pub(crate) fn step(cfg: &ProbeConfig) -> Instant {
    Instant::now() + cfg.step_timeout
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = ProbeConfig::default();
        assert_eq!(c.connect_timeout, Duration::from_millis(1500));
        assert_eq!(c.max_response_bytes, 65536);
        assert!(c.user_agent.starts_with("camguard/"));
    }
}
