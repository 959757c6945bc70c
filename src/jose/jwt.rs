//! Compact JWS signing and verification with an `alg` allow-list (RFC 8725 §3.1).

use super::keys::jwk_from_value;
use super::JoseError;
use crate::domain::SigningAlg;
use josekit::jws::{JwsHeader, JwsSigner, JwsVerifier, ES256, ES384, ES512, RS256, RS384, RS512};
use serde_json::{Map, Value};

/// Signs `claims` with `signer`; the header carries `kid` and `alg`, plus `typ` when given
/// (only the ID-JAG has one). Okta puts `kid` first; so do we.
pub fn sign(
    claims: &Map<String, Value>,
    signer: &dyn JwsSigner,
    kid: &str,
    typ: Option<&str>,
) -> Result<String, JoseError> {
    let mut header = JwsHeader::new();
    header.set_key_id(kid);
    header.set_algorithm(signer.algorithm().name());
    if let Some(typ) = typ {
        header.set_token_type(typ);
    }
    let payload = serde_json::to_vec(claims).map_err(|e| JoseError::Jwt(e.to_string()))?;
    Ok(josekit::jws::serialize_compact(&payload, &header, signer)?)
}

/// A signer for a PEM private key.
pub fn signer_from_pem(alg: SigningAlg, pem: &[u8]) -> Result<Box<dyn JwsSigner>, JoseError> {
    Ok(match alg {
        SigningAlg::Rs256 => Box::new(RS256.signer_from_pem(pem)?),
        SigningAlg::Es256 => Box::new(ES256.signer_from_pem(pem)?),
    })
}

/// Algorithms baton accepts on JWTs it verifies (client assertions, ID-JAGs, subject tokens).
pub const ALLOWED_ALGS: &[&str] = &["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];

/// Why a JWT's `nbf` refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotBefore {
    /// `nbf` is later than now plus the leeway.
    NotYetValid,
    /// `nbf` is present but not an integer.
    Malformed,
}

/// RFC 7519 §4.1.5 (and RFC 7523 §3): a JWT is not accepted before its `nbf`, if it has one,
/// allowing `leeway_s` of clock skew.
pub fn check_not_before(claims: &Map<String, Value>, now_s: i64, leeway_s: i64) -> Result<(), NotBefore> {
    match claims.get("nbf").map(Value::as_i64) {
        Some(None) => Err(NotBefore::Malformed),
        Some(Some(nbf)) if nbf > now_s + leeway_s => Err(NotBefore::NotYetValid),
        None | Some(Some(_)) => Ok(()),
    }
}

/// The decoded header and claims of a compact JWT, before any signature check.
#[derive(Debug, Clone)]
pub struct Unverified {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
}

/// Splits and decodes a compact JWS without verifying it (to pick a key by `kid`/`iss`).
pub fn peek(token: &str) -> Result<Unverified, JoseError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JoseError::Jwt("not a compact JWS".into()));
    };
    let decode = |s: &str| -> Result<Map<String, Value>, JoseError> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| JoseError::Jwt("bad base64url".into()))?;
        serde_json::from_slice(&bytes).map_err(|_| JoseError::Jwt("not a JSON object".into()))
    };
    Ok(Unverified { header: decode(h)?, claims: decode(p)? })
}

/// Verifies the signature of `token` with one public JWK, refusing any `alg` outside
/// `ALLOWED_ALGS` or different from the JWK's own `alg` when it has one.
pub fn verify_with_jwk(token: &str, jwk: &Value) -> Result<Map<String, Value>, JoseError> {
    let peeked = peek(token)?;
    let alg = peeked.header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if !ALLOWED_ALGS.contains(&alg) {
        return Err(JoseError::Jwt(format!("algorithm {alg:?} is not allowed")));
    }
    if jwk.get("alg").and_then(Value::as_str).is_some_and(|a| a != alg) {
        return Err(JoseError::Jwt("algorithm does not match the key".into()));
    }
    // Callers pick the key (by `kid` when the token names one, else by trying each); josekit
    // would otherwise refuse a token without `kid` against a JWK that has one.
    let mut unnamed = jwk.clone();
    if let Some(members) = unnamed.as_object_mut() {
        members.remove("kid");
    }
    let key = jwk_from_value(&unnamed)?;
    let verifier: Box<dyn JwsVerifier> = match alg {
        "RS256" => Box::new(RS256.verifier_from_jwk(&key)?),
        "RS384" => Box::new(RS384.verifier_from_jwk(&key)?),
        "RS512" => Box::new(RS512.verifier_from_jwk(&key)?),
        "ES256" => Box::new(ES256.verifier_from_jwk(&key)?),
        "ES384" => Box::new(ES384.verifier_from_jwk(&key)?),
        _ => Box::new(ES512.verifier_from_jwk(&key)?),
    };
    josekit::jws::deserialize_compact(token, verifier.as_ref())
        .map_err(|_| JoseError::Jwt("signature is invalid".into()))?;
    Ok(peeked.claims)
}
