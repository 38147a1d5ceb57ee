//! Accounts without storage: roles, the password policy, Argon2id password hashing, API tokens
//! and session ids.
//!
//! * [`check_password`]: at least 12 characters, not a common password (list embedded from
//!   `data/common-passwords.txt`), not the username nor containing it; reasons in Vietnamese
//!   and English.
//! * [`hash_password`] / [`verify_password`]: Argon2id with OWASP's parameters (19 MiB, 2
//!   passes, 1 lane), run on tokio's blocking pool with at most one hash per core at a time, so
//!   that logins neither stall the async runtime nor take unbounded memory.
//!   [`verify_unknown_user`] does the same work against a dummy hash, so that the time a login
//!   takes does not tell whether the username exists.
//! * [`new_secret`]: 32 random bytes as URL-safe text, with the SHA-256 hash that is the only
//!   thing stored.

#![forbid(clippy::print_stdout, clippy::print_stderr)]

mod password;
mod role;
mod secret;

pub use password::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Password, WeakPassword, check_password, hash_password,
    verify_password, verify_unknown_user,
};
pub use role::{Action, Role, UnknownRole, valid_username};
pub use secret::{NewSecret, TOKEN_PREFIX, hash_secret, new_secret};

/// An error of the hashing machinery (never of the password's content: see [`WeakPassword`]).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the stored password hash is not a valid PHC string: {0}")]
    BadStoredHash(String),
    #[error("the password hashing task stopped: {0}")]
    Task(String),
}
