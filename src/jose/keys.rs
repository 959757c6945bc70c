//! Key pairs: generation, PEM import, public JWKs with RFC 7638 thumbprint `kid`s.

use super::JoseError;
use crate::domain::SigningAlg;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jwk::alg::ec::{EcCurve, EcKeyPair};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::{Jwk, KeyPair};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// A private key in PKCS#8 PEM with its public JWK (`kty`, `alg`, `use`, `kid`, …).
#[derive(Debug, Clone)]
pub struct KeyMaterial {
    pub private_pem: String,
    pub public_jwk: Value,
    pub kid: String,
}

/// A fresh key for `alg`: RSA-2048 for RS256, P-256 for ES256.
pub fn generate(alg: SigningAlg) -> Result<KeyMaterial, JoseError> {
    let pair: Box<dyn KeyPair> = match alg {
        SigningAlg::Rs256 => Box::new(RsaKeyPair::generate(2048)?),
        SigningAlg::Es256 => Box::new(EcKeyPair::generate(EcCurve::P256)?),
    };
    material(alg, pair.as_ref())
}

/// Imports a PEM private key (PKCS#8 or traditional) for `alg`.
pub fn from_pem(alg: SigningAlg, pem: &[u8]) -> Result<KeyMaterial, JoseError> {
    let pair: Box<dyn KeyPair> = match alg {
        SigningAlg::Rs256 => Box::new(RsaKeyPair::from_pem(pem)?),
        SigningAlg::Es256 => Box::new(EcKeyPair::from_pem(pem, Some(EcCurve::P256))?),
    };
    material(alg, pair.as_ref())
}

fn material(alg: SigningAlg, pair: &dyn KeyPair) -> Result<KeyMaterial, JoseError> {
    let private_pem = String::from_utf8(pair.to_pem_private_key()).map_err(|e| JoseError::Key(e.to_string()))?;
    let public = public_members(pair.to_jwk_public_key().as_ref())?;
    let kid = thumbprint(&public)?;
    let mut jwk = Map::new();
    jwk.insert("kty".into(), public["kty"].clone());
    jwk.insert("alg".into(), json!(crate::domain::TextEnum::as_str(alg)));
    jwk.insert("kid".into(), json!(kid));
    jwk.insert("use".into(), json!("sig"));
    for (k, v) in &public {
        if k != "kty" {
            jwk.insert(k.clone(), v.clone());
        }
    }
    Ok(KeyMaterial { private_pem, public_jwk: Value::Object(jwk), kid })
}

/// The required public members of an RSA or EC JWK (RFC 7638 §3.2), or an error if the JWK
/// is of another type or carries private members.
pub fn public_members(jwk: &Map<String, Value>) -> Result<Map<String, Value>, JoseError> {
    let members: &[&str] = match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => &["e", "kty", "n"],
        Some("EC") => &["crv", "kty", "x", "y"],
        Some(other) => return Err(JoseError::Key(format!("unsupported key type {other}"))),
        None => return Err(JoseError::Key("JWK has no kty".into())),
    };
    if ["d", "p", "q", "dp", "dq", "qi", "k"].iter().any(|m| jwk.contains_key(*m)) {
        return Err(JoseError::Key("JWK contains private key members".into()));
    }
    let mut out = Map::new();
    for m in members {
        let v = jwk.get(*m).and_then(Value::as_str).ok_or_else(|| JoseError::Key(format!("JWK lacks {m}")))?;
        out.insert((*m).to_owned(), Value::String(v.to_owned()));
    }
    Ok(out)
}

/// RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order, base64url.
pub fn thumbprint(jwk: &Map<String, Value>) -> Result<String, JoseError> {
    let members = public_members(jwk)?;
    // serde_json with preserve_order keeps insertion order; public_members inserts sorted keys.
    let canonical = serde_json::to_string(&members).map_err(|e| JoseError::Key(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}

/// A josekit `Jwk` from a JSON value.
pub fn jwk_from_value(v: &Value) -> Result<Jwk, JoseError> {
    let map = v.as_object().ok_or_else(|| JoseError::Key("JWK is not an object".into()))?;
    Ok(Jwk::from_map(map.clone())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1 example key and its thumbprint.
        let jwk = json!({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"});
        assert_eq!(thumbprint(jwk.as_object().unwrap()).unwrap(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }

    #[test]
    fn generated_keys_have_kid_alg_use_and_no_private_part() {
        for alg in [SigningAlg::Rs256, SigningAlg::Es256] {
            let k = generate(alg).unwrap();
            assert_eq!(k.public_jwk["kid"], json!(k.kid));
            assert_eq!(k.public_jwk["use"], "sig");
            assert_eq!(k.kid.len(), 43);
            assert!(k.public_jwk.get("d").is_none());
            let again = from_pem(alg, k.private_pem.as_bytes()).unwrap();
            assert_eq!(again.kid, k.kid);
        }
    }

    #[test]
    fn private_members_are_refused() {
        let jwk = json!({"kty":"EC","crv":"P-256","x":"a","y":"b","d":"secret"});
        assert!(public_members(jwk.as_object().unwrap()).is_err());
    }
}
