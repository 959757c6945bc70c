//! Password verification against the Argon2id PHC string of `User.password_hash`, on tokio's
//! blocking pool (an Argon2 run takes tens of milliseconds and must not stall the runtime).
//!
//! A user without a password, or no user at all, is checked against a dummy hash of the same
//! cost, so the answer takes as long whether or not the account exists: the response time
//! must not reveal which usernames are real.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

/// True when `password` matches `hash`. `None` (unknown user, no password) is always false
/// but costs one Argon2 verification all the same.
pub async fn verify(hash: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let matches =
            PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok());
        real && matches
    })
    .await
    .unwrap_or(false)
}

/// Argon2id with the default parameters and a random salt, as a PHC string, on the blocking
/// pool; `None` only if hashing itself fails.
pub async fn hash(password: String) -> Option<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut salt);
        let salt = SaltString::encode_b64(&salt).ok()?;
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).ok()
    })
    .await
    .ok()
    .flatten()
}

/// A hash of a random password with the default parameters (those `seed` and the admin API
/// use), made once per process.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut salt = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut salt);
        let password = crate::domain::ids::new_secret();
        let Ok(salt) = SaltString::encode_b64(&salt) else { return String::new() };
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(password: &str) -> String {
        let salt = SaltString::from_b64("c2FsdHNhbHRzYWx0c2FsdA").expect("salt");
        Argon2::default().hash_password(password.as_bytes(), &salt).expect("hash").to_string()
    }

    #[tokio::test]
    async fn verifies_phc_strings() {
        let h = hash("correct horse");
        assert!(verify(Some(h.clone()), "correct horse".into()).await);
        assert!(!verify(Some(h), "Correct horse".into()).await);
        assert!(!verify(None, "anything".into()).await);
        assert!(!verify(Some("not a phc string".into()), "x".into()).await);
    }
}
