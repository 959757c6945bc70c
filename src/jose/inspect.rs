//! The admin console's token inspector, pure part: decode a pasted compact JWT, check it
//! against baton's signing keys, read its expiry, and unfold its `act` chain into the order a
//! person reads it, from the human (`sub`) through the first actor (innermost `act`) to the
//! latest one (outermost). Nothing here stores or logs the token.

use super::jwt::{peek, verify_with_jwk};
use crate::domain::{Millis, SigningKey};
use serde_json::{Map, Value};

/// Longest token the inspector accepts (a JWT with a deep chain is a few kilobytes).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub header_json: String,
    pub claims_json: String,
}

/// The header and claims of `token` (surrounding whitespace ignored), or why it is no JWT.
pub fn decode(token: &str) -> Result<Decoded, &'static str> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_BYTES {
        return Err("The token is too long.");
    }
    let peeked = peek(token).map_err(|_| "This is not a compact JWS: three base64url parts of JSON objects.")?;
    let pretty = |m: &Map<String, Value>| serde_json::to_string_pretty(m).unwrap_or_default();
    Ok(Decoded {
        header_json: pretty(&peeked.header),
        claims_json: pretty(&peeked.claims),
        header: peeked.header,
        claims: peeked.claims,
    })
}

/// What baton's keys say about the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The key `kid` of `owner_id` (an authorization server id, or the org's) verifies it.
    Verified { kid: String, owner_id: String },
    /// baton holds the key the header names, but the signature does not verify with it.
    Invalid { kid: String, owner_id: String },
    /// No baton key has the header's `kid` (or, without a `kid`, none verifies it).
    UnknownKey { kid: Option<String> },
}

/// Checks `token` against `keys` (every signing key of every owner): by `kid` when the header
/// names one, else by trying each key.
#[must_use]
pub fn verify(token: &str, header: &Map<String, Value>, keys: &[SigningKey]) -> Verification {
    let token = token.trim();
    match header.get("kid").and_then(Value::as_str) {
        Some(kid) => match keys.iter().find(|k| k.kid == kid) {
            Some(key) if verify_with_jwk(token, &key.public_jwk).is_ok() => {
                Verification::Verified { kid: key.kid.clone(), owner_id: key.owner_id.clone() }
            }
            Some(key) => Verification::Invalid { kid: key.kid.clone(), owner_id: key.owner_id.clone() },
            None => Verification::UnknownKey { kid: Some(kid.to_owned()) },
        },
        None => keys.iter().find(|k| verify_with_jwk(token, &k.public_jwk).is_ok()).map_or(
            Verification::UnknownKey { kid: None },
            |k| Verification::Verified { kid: k.kid.clone(), owner_id: k.owner_id.clone() },
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No numeric `exp` claim.
    Missing,
    /// Expired this many seconds ago.
    Expired(i64),
    /// Valid for this many more seconds.
    Remaining(i64),
}

#[must_use]
pub fn expiry(claims: &Map<String, Value>, now: Millis) -> Expiry {
    match claims.get("exp").and_then(Value::as_i64) {
        None => Expiry::Missing,
        Some(exp) if exp * 1000 <= now => Expiry::Expired(now / 1000 - exp),
        Some(exp) => Expiry::Remaining(exp - now / 1000),
    }
}

/// `seconds` as `1h 2m 3s` (days when long).
#[must_use]
pub fn duration(seconds: i64) -> String {
    let (d, h, m, s) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if parts.is_empty() {
        "0s".to_owned()
    } else {
        parts.join(" ")
    }
}

/// One box of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBox {
    /// `subject` for the human (or machine subject), `actor` for each `act` level.
    pub role: &'static str,
    pub id: String,
    pub sub_profile: Option<String>,
}

/// The chain from the subject to the latest actor: `sub` (with `uid` as its id when present),
/// then the `act` levels innermost first. Empty without a string `sub`; levels that are not
/// objects with a string `sub` end the walk.
#[must_use]
pub fn act_chain(claims: &Map<String, Value>) -> Vec<ChainBox> {
    let Some(sub) = claims.get("sub").and_then(Value::as_str) else { return Vec::new() };
    let text = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut actors = Vec::new();
    let mut current = claims.get("act");
    while let Some(Value::Object(level)) = current {
        let Some(id) = text(level, "sub") else { break };
        actors.push(ChainBox { role: "actor", id, sub_profile: text(level, "sub_profile") });
        current = level.get("act");
    }
    actors.reverse();
    let subject = ChainBox {
        role: "subject",
        id: text(claims, "uid").unwrap_or_else(|| sub.to_owned()),
        sub_profile: text(claims, "sub_profile"),
    };
    std::iter::once(subject).chain(actors).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{SigningAlg, SigningKeyStatus};
    use crate::jose::{jwt, keys};
    use serde_json::json;

    fn key(owner: &str) -> (SigningKey, Box<dyn josekit::jws::JwsSigner>) {
        let material = keys::generate(SigningAlg::Es256).unwrap();
        let signer = jwt::signer_from_pem(SigningAlg::Es256, material.private_pem.as_bytes()).unwrap();
        let key = SigningKey {
            kid: material.kid.clone(),
            owner_id: owner.into(),
            alg: SigningAlg::Es256,
            status: SigningKeyStatus::Active,
            private_key_enc: String::new(),
            public_jwk: material.public_jwk.clone(),
            created: 0,
            activated: None,
            expired: None,
        };
        (key, signer)
    }

    fn claims() -> Map<String, Value> {
        json!({
            "sub": "demo@example.com", "uid": "00uUser", "exp": 1_000,
            "act": {"sub": "wlpKb", "sub_profile": "ai_agent",
                    "act": {"sub": "wlpOrch", "sub_profile": "ai_agent",
                            "act": {"sub": "0oaChat", "sub_profile": "web_app"}}}
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn the_chain_reads_from_the_human_to_the_latest_actor() {
        let chain = act_chain(&claims());
        let ids: Vec<(&str, &str)> = chain.iter().map(|b| (b.role, b.id.as_str())).collect();
        assert_eq!(ids, [("subject", "00uUser"), ("actor", "0oaChat"), ("actor", "wlpOrch"), ("actor", "wlpKb")]);
        assert_eq!(chain[1].sub_profile.as_deref(), Some("web_app"));
        let mut no_act = claims();
        no_act.remove("act");
        no_act.remove("uid");
        assert_eq!(
            act_chain(&no_act),
            [ChainBox { role: "subject", id: "demo@example.com".into(), sub_profile: None }]
        );
        assert!(act_chain(&Map::new()).is_empty());
    }

    #[test]
    fn verification_names_the_key_and_its_owner() {
        let (k1, s1) = key("aus1");
        let (k2, _) = key("aus2");
        let token = jwt::sign(&claims(), s1.as_ref(), &k1.kid, None).unwrap();
        let d = decode(&format!("  {token}\n")).unwrap();
        assert!(d.claims_json.contains("\"uid\": \"00uUser\""));
        let keys = [k2.clone(), k1.clone()];
        let ok = Verification::Verified { kid: k1.kid.clone(), owner_id: "aus1".into() };
        assert_eq!(verify(&token, &d.header, &keys), ok);
        assert_eq!(
            verify(&token, &d.header, std::slice::from_ref(&k2)),
            Verification::UnknownKey { kid: Some(k1.kid.clone()) }
        );
        // Another payload under the same signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, b"{\"sub\":\"evil\"}");
        parts[1] = &forged;
        let tampered = parts.join(".");
        let d2 = decode(&tampered).unwrap();
        assert_eq!(
            verify(&tampered, &d2.header, &keys),
            Verification::Invalid { kid: k1.kid, owner_id: "aus1".into() }
        );
        // Without a kid every key is tried.
        let mut header = d.header.clone();
        header.remove("kid");
        assert_eq!(verify(&token, &header, &keys), ok);
    }

    #[test]
    fn garbage_is_refused_and_expiry_is_read() {
        assert!(decode("not.a.jwt").is_err());
        assert!(decode("abc").is_err());
        assert!(decode(&"a".repeat(MAX_TOKEN_BYTES + 1)).is_err());
        assert_eq!(expiry(&claims(), 900_000), Expiry::Remaining(100));
        assert_eq!(expiry(&claims(), 1_000_000), Expiry::Expired(0));
        assert_eq!(expiry(&Map::new(), 0), Expiry::Missing);
        assert_eq!(duration(3723), "1h 2m 3s");
        assert_eq!(duration(0), "0s");
    }
}
