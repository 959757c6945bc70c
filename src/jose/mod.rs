//! Signing keys and JWTs: key generation (RSA-2048/RS256 by default, P-256/ES256 on request),
//! RFC 7638 thumbprint `kid`s, encryption of private keys at rest, the key ring that signs for
//! each authorization server, and JWKS views. No axum, no sqlx.

pub mod act;
pub mod claims;
pub mod inspect;
pub mod jwks;
pub mod jwt;
pub mod kek;
pub mod keyring;
pub mod keys;

pub use kek::Kek;
pub use keyring::KeyRing;

#[derive(Debug, thiserror::Error)]
pub enum JoseError {
    #[error("key material: {0}")]
    Key(String),
    #[error("JWT: {0}")]
    Jwt(String),
    #[error("no ACTIVE signing key for {0}")]
    NoActiveKey(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<josekit::JoseError> for JoseError {
    fn from(e: josekit::JoseError) -> Self {
        Self::Key(e.to_string())
    }
}
