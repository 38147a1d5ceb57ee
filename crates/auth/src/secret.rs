//! API tokens and session ids: 32 random bytes, shown once, stored only as their SHA-256 hash.

use base64::Engine;
use sha2::{Digest, Sha256};

/// What every API token starts with, so that a leaked one is recognisable (secret scanners,
/// logs) and a token is never mistaken for a session id.
pub const TOKEN_PREFIX: &str = "cgt_";

/// A new secret: the text to hand out once, and the hash to store.
pub struct NewSecret {
    pub text: String,
    pub hash: String,
}

impl std::fmt::Debug for NewSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSecret")
            .field("text", &"****")
            .field("hash", &self.hash)
            .finish()
    }
}

/// 32 random bytes (the operating system's generator, through rand's thread generator) as
/// URL-safe base64 after `prefix`, with its hash.
pub fn new_secret(prefix: &str) -> NewSecret {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let text = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_secret(&text);
    NewSecret { text, hash }
}

/// The stored form of a token or session id: lower-case hex SHA-256 of its text.
pub fn hash_secret(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret(TOKEN_PREFIX);
        let b = new_secret(TOKEN_PREFIX);
        assert_ne!(a.text, b.text);
        assert!(a.text.starts_with("cgt_"));
        assert_eq!(a.text.len(), 4 + 43);
        assert_eq!(a.hash, hash_secret(&a.text));
        assert_eq!(a.hash.len(), 64);
        assert!(!a.hash.contains(&a.text[4..]));
        assert!(!format!("{a:?}").contains(&a.text));
        // SHA-256("abc")
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
