//! JWKS views of an authorization server's keys (okta-surface.md §2.2).

use super::keyring::ROTATION_MS;
use crate::domain::{Millis, SigningKey, SigningKeyStatus};
use serde_json::{json, Value};

/// How long after expiry an EXPIRED key stays published: the longest token lifetime baton
/// issues (a custom-AS access token lives at most 1440 minutes).
pub const EXPIRED_KEY_GRACE_MS: i64 = 24 * 3600 * 1000;

/// The published keys: ACTIVE, NEXT, and EXPIRED ones still within the grace period.
#[must_use]
pub fn published(keys: &[SigningKey], now: Millis) -> Vec<&SigningKey> {
    keys.iter()
        .filter(|k| match k.status {
            SigningKeyStatus::Active | SigningKeyStatus::Next => true,
            SigningKeyStatus::Expired => k.expired.is_some_and(|e| now - e < EXPIRED_KEY_GRACE_MS),
        })
        .collect()
}

/// `{"keys":[…]}` for the JWKS endpoint.
#[must_use]
pub fn document(keys: &[SigningKey], now: Millis) -> Value {
    json!({ "keys": published(keys, now).iter().map(|k| k.public_jwk.clone()).collect::<Vec<_>>() })
}

/// When the ACTIVE key is due to rotate under `AUTO` rotation.
#[must_use]
pub fn next_rotation(keys: &[SigningKey]) -> Option<Millis> {
    keys.iter().find(|k| k.status == SigningKeyStatus::Active).map(|k| k.activated.unwrap_or(k.created) + ROTATION_MS)
}

/// `max-age` for the JWKS response: seconds until the next scheduled rotation (`AUTO`), or one
/// day for `MANUAL` servers (their NEXT key is published ahead, so a day-old copy still verifies
/// tokens after a manual rotation).
#[must_use]
pub fn max_age_seconds(keys: &[SigningKey], rotation_mode: &str, now: Millis) -> i64 {
    if rotation_mode == "MANUAL" {
        return 86_400;
    }
    next_rotation(keys).map_or(0, |at| ((at - now) / 1000).max(0))
}
