//! Discovery: which addresses to scan, whether we may, and which ports answer.
//!
//! * [`targets`]: parse target expressions (addresses, CIDRs, ranges, hostnames, `@file`,
//!   exclusions) into address ranges, and walk them in a pseudo-random order **without
//!   materialising them** — a /8 costs a few words of memory, not 16 M entries.
//! * [`scope`]: the authorisation check. A scan may only touch addresses inside the declared
//!   scope; multicast, broadcast and 0/8 are never scanned (the rule itself is
//!   [`camguard_model::scope`], shared with the store). Names are resolved once, by the
//!   target parser; the addresses checked are the addresses scanned.
//! * [`connect`]: asynchronous TCP connect discovery with a global rate limit, a global socket
//!   budget derived from the open-file limit, per-host politeness, timeouts, retries and
//!   detection of TCP self-connects.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

pub mod connect;
pub mod permute;
pub mod scope;
pub mod targets;

pub use connect::{ConnectConfig, PortScanner, PortState};
pub use scope::{Refusal, Scope, ScopeError};
pub use targets::{Target, TargetError, TargetSet};

/// The soft open-file limit of this process (RLIMIT_NOFILE), or a conservative guess.
pub fn open_file_limit() -> u64 {
    #[cfg(unix)]
    {
        let mut rl = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we own; no other memory is touched.
        #[expect(unsafe_code, reason = "getrlimit(2) has no safe wrapper in std")]
        let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut rl) };
        if rc == 0 {
            #[expect(
                clippy::unnecessary_cast,
                reason = "rlim_t is not u64 on every platform"
            )]
            return rl.rlim_cur as u64;
        }
    }
    1024
}
