//! The password policy and Argon2id hashing.

use crate::AuthError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters (a bound, not a recommendation).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// OWASP's Argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// A hash with our parameters that matches no password (its hash part is arbitrary bytes):
/// verifying against it costs what a real verification costs.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$Y2FtZ3VhcmQtZHVtbXktc2FsdA$3q2+7w0QyqDgCpyFvKp2m9mU1oK1TWqfzZ6L0cX7s4A";

/// A password in memory: `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(text: impl Into<String>) -> Password {
        Password(text.into())
    }
    /// The password itself, for hashing and checking only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(****)")
    }
}

/// Why a password is refused. `Display` is English; [`WeakPassword::vi`] is Vietnamese.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error(
        "the password is too short: {got} characters, at least {MIN_PASSWORD_CHARS} are needed"
    )]
    TooShort { got: usize },
    #[error("the password is too long: {got} characters, at most {MAX_PASSWORD_CHARS}")]
    TooLong { got: usize },
    #[error(
        "the password is one of the most common passwords (or one with digits or symbols added); choose a longer phrase of unrelated words"
    )]
    Common,
    #[error("the password must not be or contain the username")]
    ContainsUsername,
}

impl WeakPassword {
    /// The reason in Vietnamese.
    pub fn vi(&self) -> String {
        match self {
            WeakPassword::TooShort { got } => format!(
                "mật khẩu quá ngắn: {got} ký tự, cần ít nhất {MIN_PASSWORD_CHARS} ký tự"
            ),
            WeakPassword::TooLong { got } => {
                format!("mật khẩu quá dài: {got} ký tự, tối đa {MAX_PASSWORD_CHARS} ký tự")
            }
            WeakPassword::Common => "mật khẩu nằm trong danh sách mật khẩu phổ biến (hoặc chỉ thêm số, ký hiệu vào một mật khẩu phổ biến); hãy chọn một cụm từ dài gồm các từ không liên quan".into(),
            WeakPassword::ContainsUsername => {
                "mật khẩu không được trùng hoặc chứa tên đăng nhập".into()
            }
        }
    }
    /// The reason in English (the same as `Display`).
    pub fn en(&self) -> String {
        self.to_string()
    }
}

/// The embedded list of common passwords and the words they are built from.
static COMMON: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    include_str!("../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// Refuse weak passwords: shorter than [`MIN_PASSWORD_CHARS`], longer than
/// [`MAX_PASSWORD_CHARS`], a common password or a common word with digits and symbols around it,
/// or the username (or containing it).
pub fn check_password(username: &str, password: &Password) -> Result<(), WeakPassword> {
    let pw = password.expose();
    let got = pw.chars().count();
    if got < MIN_PASSWORD_CHARS {
        return Err(WeakPassword::TooShort { got });
    }
    if got > MAX_PASSWORD_CHARS {
        return Err(WeakPassword::TooLong { got });
    }
    let lower = pw.to_lowercase();
    let user = username.trim().to_lowercase();
    if !user.is_empty() && lower.contains(&user) {
        return Err(WeakPassword::ContainsUsername);
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    if COMMON.contains(&lower) || COMMON.contains(core) {
        return Err(WeakPassword::Common);
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// At most one hash per core at a time: each takes 19 MiB and a core for a while.
static PERMITS: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

/// Run `work` on tokio's blocking pool under one of the hashing permits.
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AuthError> {
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| AuthError::Task(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AuthError::Task(e.to_string()))
}

/// The Argon2id PHC string of `password` with a fresh random salt. Does not check the policy
/// (see [`check_password`]).
pub async fn hash_password(password: &Password) -> Result<String, AuthError> {
    let pw = password.clone();
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    off_runtime(move || {
        let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Hash(e.to_string()))?;
        argon2()
            .hash_password(pw.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Hash(e.to_string()))
    })
    .await?
}

/// Whether `password` matches the stored PHC string (argon2's constant-time comparison).
pub async fn verify_password(stored: &str, password: &Password) -> Result<bool, AuthError> {
    let stored = stored.to_string();
    let pw = password.clone();
    off_runtime(move || {
        let parsed =
            PasswordHash::new(&stored).map_err(|e| AuthError::BadStoredHash(e.to_string()))?;
        Ok(argon2()
            .verify_password(pw.expose().as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

/// The work of [`verify_password`] for a username that does not exist (or an account that may
/// not log in): always false, taking the same time as a real check.
pub async fn verify_unknown_user(password: &Password) -> Result<bool, AuthError> {
    verify_password(DUMMY_HASH, password).await.map(|_| false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::new(s)
    }

    #[test]
    fn the_policy_names_its_reason() {
        assert_eq!(
            check_password("alice", &pw("short")),
            Err(WeakPassword::TooShort { got: 5 })
        );
        // Characters, not bytes: 11 Vietnamese letters are too short.
        assert_eq!(
            check_password("alice", &pw("mậtkhẩuđẹpq")),
            Err(WeakPassword::TooShort { got: 11 })
        );
        assert_eq!(
            check_password("alice", &pw(&"x".repeat(300))),
            Err(WeakPassword::TooLong { got: 300 })
        );
        for common in [
            "password1234",
            "Password2024!",
            "QWERTYUIOP123",
            "123456789012",
            "matkhau123456",
            "!!anhyeuem2025",
        ] {
            assert_eq!(
                check_password("alice", &pw(common)),
                Err(WeakPassword::Common),
                "{common}"
            );
        }
        assert_eq!(
            check_password("nguyenvana", &pw("NguyenVanA-2025")),
            Err(WeakPassword::ContainsUsername)
        );
        assert!(check_password("alice", &pw("correct horse battery staple")).is_ok());
        assert!(check_password("alice", &pw("Sông Hậu mùa nước nổi")).is_ok());
    }

    #[test]
    fn reasons_are_given_in_both_languages() {
        let w = WeakPassword::TooShort { got: 5 };
        assert!(w.en().contains("at least 12"), "{}", w.en());
        assert!(w.vi().contains("ít nhất 12"), "{}", w.vi());
        assert!(WeakPassword::Common.vi().contains("phổ biến"));
        assert!(
            WeakPassword::ContainsUsername
                .vi()
                .contains("tên đăng nhập")
        );
    }

    #[test]
    fn passwords_do_not_show_in_debug() {
        let shown = format!("{:?}", pw("hunter2hunter2"));
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn the_common_list_is_lower_case_data() {
        assert!(COMMON.len() > 50);
        assert!(COMMON.iter().all(|w| *w == w.to_lowercase()));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let p = pw("correct horse battery staple");
        let h1 = hash_password(&p).await.unwrap();
        let h2 = hash_password(&p).await.unwrap();
        assert!(h1.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h1}");
        assert_ne!(h1, h2, "a fresh salt each time");
        assert!(!h1.contains("correct horse"));
        assert!(verify_password(&h1, &p).await.unwrap());
        assert!(
            !verify_password(&h1, &pw("correct horse battery stapl"))
                .await
                .unwrap()
        );
        assert!(!verify_unknown_user(&p).await.unwrap());
        assert!(matches!(
            verify_password("not a hash", &p).await,
            Err(AuthError::BadStoredHash(_))
        ));
    }

    #[test]
    fn the_dummy_hash_parses_with_our_parameters() {
        let h = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(h.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&h).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (MEMORY_KIB, PASSES, LANES)
        );
    }
}
