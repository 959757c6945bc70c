//! Identifiers: 3-character Okta prefix + 17 base62 characters (okta-surface.md §0), `op-` + 20
//! for operations, opaque 43-character base64url secrets (32 random bytes), and SHA-256 hashing
//! of every secret that is stored (codes, tokens, client secrets, API tokens).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::{distributions::Alphanumeric, Rng, RngCore};
use sha2::{Digest, Sha256};

/// Object kinds and their id prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    User,
    Group,
    App,
    Org,
    AuthServer,
    Policy,
    Rule,
    Scope,
    Claim,
    ClientSecret,
    ConsentGrant,
    ApiToken,
    Agent,
    Connection,
    DelegationLink,
    Session,
    TrustedIssuer,
    ConsentRequest,
    ErrorId,
}

impl Prefix {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "00u",
            Self::Group => "00g",
            Self::App => "0oa",
            Self::Org => "00o",
            Self::AuthServer => "aus",
            Self::Policy => "00p",
            Self::Rule => "0pr",
            Self::Scope => "scp",
            Self::Claim => "ocl",
            Self::ClientSecret => "ocs",
            Self::ConsentGrant => "oag",
            Self::ApiToken => "00T",
            Self::Agent => "wlp",
            Self::Connection => "mcn",
            Self::DelegationLink => "dlk",
            Self::Session => "102",
            Self::TrustedIssuer => "tis",
            Self::ConsentRequest => "ocr",
            Self::ErrorId => "oae",
        }
    }
}

fn base62(n: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(n).map(char::from).collect()
}

/// A new 20-character object id (`errorId` is the exception: `oae` + 22).
#[must_use]
pub fn new_id(prefix: Prefix) -> String {
    let len = if prefix == Prefix::ErrorId { 22 } else { 17 };
    format!("{}{}", prefix.as_str(), base62(len))
}

/// A new operation id for the AI-agent API (`op-` + 20 base62).
#[must_use]
pub fn new_operation_id() -> String {
    format!("op-{}", base62(20))
}

/// 32 random bytes as 43 base64url characters: codes, refresh tokens, secrets, jti bodies.
#[must_use]
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a secret, hex encoded: the only form in which secrets reach storage.
#[must_use]
pub fn hash_secret(secret: &str) -> String {
    use std::fmt::Write;
    Sha256::digest(secret.as_bytes()).iter().fold(String::with_capacity(64), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Constant-time equality of two secret hashes or secrets.
#[must_use]
pub fn secrets_equal(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_length() {
        let id = new_id(Prefix::User);
        assert!(id.starts_with("00u"));
        assert_eq!(id.len(), 20);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(new_id(Prefix::ErrorId).len(), 25);
        assert_eq!(new_operation_id().len(), 23);
    }

    #[test]
    fn secrets_are_43_base64url_and_hash_stably() {
        let s = new_secret();
        assert_eq!(s.len(), 43);
        assert_ne!(s, new_secret());
        assert_eq!(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(secrets_equal(&hash_secret("x"), &hash_secret("x")));
        assert!(!secrets_equal(&hash_secret("x"), &hash_secret("y")));
    }
}
