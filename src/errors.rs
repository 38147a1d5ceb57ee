//! Library errors as the command line's errors, in one place. Library crates return typed
//! errors (thiserror); the commands turn them into `anyhow` errors that carry an exit status
//! (`crate::Exit`): the user's mistakes are usage errors (2), anything else is internal (1).

use crate::usage;
use camguard_store::StoreError;

/// A store error as an exit status: refusals outside a scope are 3, the user's mistakes are
/// usage errors (2).
pub fn store_err(e: StoreError) -> anyhow::Error {
    if e.is_refusal() {
        crate::refused(e)
    } else if e.is_user_error() {
        usage(e)
    } else {
        anyhow::Error::new(e)
    }
}

/// `.or_exit()?` on a library result: the library's own classification of its error decides the
/// exit status.
pub trait OrExit<T> {
    fn or_exit(self) -> anyhow::Result<T>;
}

impl<T> OrExit<T> for Result<T, StoreError> {
    fn or_exit(self) -> anyhow::Result<T> {
        self.map_err(store_err)
    }
}

/// `.usage_in(what)?`: an error caused by what the user gave (a file, an option, a data file),
/// named by it, exits with status 2 (`what: error`).
pub trait BadInput<T> {
    fn usage_in(self, what: impl std::fmt::Display) -> anyhow::Result<T>;
}

impl<T, E: std::fmt::Display> BadInput<T> for Result<T, E> {
    fn usage_in(self, what: impl std::fmt::Display) -> anyhow::Result<T> {
        self.map_err(|e| usage(format!("{what}: {e}")))
    }
}
