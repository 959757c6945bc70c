//! Steps 1–12 of xaa.md §6.2 on the ID-JAG, in order: shape, `typ`, `alg`, trusted issuer,
//! signature, `aud`, `client_id`, times, lifetime, single use (the `jti` is consumed in the
//! shared database as soon as step 10 passes), then the `resource` claim against this AS and
//! the request. Steps 13–15 need the directory and live in the grant module.
//!
//! Issuers: baton's own org issuer is always trusted and verified with the org AS's published
//! keys. An external issuer is trusted when this AS lists it as a `TrustedIssuer`, with an inline
//! `jwks` (preferred when both are set) or a `jwks_uri` whose keys are fetched and cached by
//! `oauth::remote_jwks` and then used exactly like inline ones. Fetch failures, with a warning
//! in the log:
//! - no usable keys can be obtained (unreachable, timeout, non-2xx, too large, not a JWKS, a
//!   private or unsupported key) → step 4, `id_jag_untrusted_issuer`: the issuer is not
//!   configured "with its JWKS" in any usable sense, as with no keys at all;
//! - the cached set lacks the assertion's `kid` and the single refetch fails or is rate-limited
//!   → step 5, `id_jag_invalid_signature`: the issuer's keys are known and none verifies.

use super::errors::Invalid;
use crate::domain::Millis;
use crate::jose::act;
use crate::jose::jwks::published;
use crate::jose::jwt::{check_not_before, peek, verify_with_jwk, NotBefore};
use crate::oauth::error::OAuthError;
use crate::oauth::remote_jwks::RemoteJwks;
use crate::oauth::server::Issuer;
use crate::store::Store;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The exact `typ` of an ID-JAG (ID-JAG draft -04 §3.1).
pub const ID_JAG_TYP: &str = "oauth-id-jag+jwt";
/// Clock-skew leeway of every time comparison (xaa.md §0).
pub const LEEWAY_S: i64 = 60;
/// Longest accepted `exp − iat`.
pub const MAX_LIFETIME_S: i64 = 300;

/// A verified, not yet replayed ID-JAG.
#[derive(Debug, Clone)]
pub struct IdJag {
    pub iss: String,
    pub sub: String,
    pub jti: String,
    /// True when `iss` is baton's own org issuer.
    pub from_org: bool,
    /// The `scope` claim, split (empty when absent).
    pub scopes: Vec<String>,
    pub resource: Option<String>,
    pub auth_time: Option<i64>,
    pub act: Option<Value>,
    pub sub_profile: Option<String>,
}

/// What the checks need from the request.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub issuer: &'a Issuer,
    /// baton's own org issuer (`{base}`), always trusted, and the org id its keys are under.
    pub org_issuer: &'a str,
    pub org_id: &'a str,
    pub client_id: &'a str,
    pub now_ms: Millis,
}

/// Runs steps 1–10; `seen` is called with the `jti` once it is known to be genuine, before
/// the later checks can fail (for the log).
pub async fn validate(
    store: &dyn Store,
    remote_jwks: &RemoteJwks,
    ctx: &Context<'_>,
    assertion: &str,
    mut seen: impl FnMut(&IdJag),
) -> Result<IdJag, OAuthError> {
    // 1. A compact JWS with the required claims, correctly typed.
    let token = peek(assertion).map_err(|_| Invalid::Malformed)?;
    let mut jag = shape(&token.claims).ok_or(Invalid::Malformed)?;
    jag.from_org = jag.iss == ctx.org_issuer;
    let (iat, exp) = times(&token.claims).ok_or(Invalid::Malformed)?;
    // 2. `typ`.
    if token.header.get("typ").and_then(Value::as_str) != Some(ID_JAG_TYP) {
        return Err(Invalid::Typ.into());
    }
    // 3. `alg`.
    let alg = token.header.get("alg").and_then(Value::as_str).unwrap_or_default();
    let kty = match alg {
        "RS256" => "RSA",
        "ES256" => "EC",
        _ => return Err(Invalid::Signature.into()),
    };
    // 4. A trusted issuer, with its keys.
    let keys = issuer_keys(store, remote_jwks, ctx, &jag.iss).await?.ok_or(Invalid::UntrustedIssuer)?;
    // 5. The signature, with the key named by `kid`, else every key of the matching `kty`.
    let kid = token.header.get("kid").and_then(Value::as_str);
    let mut verified = verifies(assertion, keys.keys(), kid, kty);
    // A remote set that lacks the `kid` may predate a key rotation: refetch once.
    if let (false, IssuerKeys::Remote { uri, keys }, Some(kid)) = (verified, &keys, kid) {
        if !keys.iter().any(|k| k.get("kid").and_then(Value::as_str) == Some(kid)) {
            match remote_jwks.refresh(uri, ctx.now_ms).await {
                Ok(Some(fresh)) => verified = verifies(assertion, &fresh, Some(kid), kty),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(issuer = %jag.iss, jwks_uri = %uri, error = %e, "refetching the trusted issuer's jwks failed");
                }
            }
        }
    }
    if !verified {
        return Err(Invalid::Signature.into());
    }
    seen(&jag);
    // 6. `aud`: this AS's issuer, a string or an array of exactly one element.
    let aud_ok = match token.claims.get("aud") {
        Some(Value::String(a)) => *a == ctx.issuer.issuer,
        Some(Value::Array(a)) => a.len() == 1 && a[0].as_str() == Some(ctx.issuer.issuer.as_str()),
        _ => false,
    };
    if !aud_ok {
        return Err(Invalid::Audience.into());
    }
    // 7. `client_id`.
    if token.claims.get("client_id").and_then(Value::as_str) != Some(ctx.client_id) {
        return Err(Invalid::ClientMismatch.into());
    }
    // 8. `exp`, `iat` and `nbf` (RFC 7523 §3: not accepted before `nbf`), with the leeway.
    let now = ctx.now_ms.div_euclid(1000);
    if exp <= now - LEEWAY_S {
        return Err(Invalid::Expired.into());
    }
    if iat > now + LEEWAY_S {
        return Err(Invalid::IssuedInFuture.into());
    }
    check_not_before(&token.claims, now, LEEWAY_S).map_err(|e| match e {
        NotBefore::NotYetValid => Invalid::NotYetValid,
        NotBefore::Malformed => Invalid::Malformed,
    })?;
    // 9. Lifetime.
    if exp - iat > MAX_LIFETIME_S {
        return Err(Invalid::LifetimeTooLong.into());
    }
    // 10. Single use, across replicas: the database's primary key decides.
    let namespace = format!("id_jag:{}", jag.iss);
    let expires = exp.saturating_add(LEEWAY_S).saturating_mul(1000);
    if !store.consume_jti(&namespace, &jag.jti, expires).await? {
        return Err(Invalid::Replayed.into());
    }
    Ok(jag)
}

/// Steps 11 and 12, then the §6.1 rule for a request `resource` alone; returns the effective
/// resource (the claim, else the request's).
pub fn effective_resource(
    issuer: &Issuer,
    claim: Option<&str>,
    requested: Option<&str>,
) -> Result<Option<String>, OAuthError> {
    let allowed = issuer.server().map(crate::domain::AuthServer::allowed_resources).unwrap_or_default();
    if let Some(claim) = claim {
        if !allowed.contains(&claim) {
            return Err(Invalid::ResourceNotAllowed.into());
        }
        if requested.is_some_and(|r| r != claim) {
            return Err(Invalid::ResourceMismatch.into());
        }
        return Ok(Some(claim.to_owned()));
    }
    match requested {
        Some(r) if !allowed.contains(&r) => Err(super::errors::invalid_target()),
        r => Ok(r.map(str::to_owned)),
    }
}

/// The string claims and optional claims of step 1; `None` when one is missing or mistyped.
fn shape(claims: &Map<String, Value>) -> Option<IdJag> {
    let string = |name: &str| claims.get(name).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let optional_string = |name: &str| match claims.get(name) {
        None => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    };
    match claims.get("aud")? {
        Value::String(_) => {}
        Value::Array(items) if items.iter().all(Value::is_string) => {}
        _ => return None,
    }
    string("client_id")?;
    let act = match claims.get("act") {
        None => None,
        Some(a) => {
            act::depth(a).ok()?;
            Some(a.clone())
        }
    };
    let auth_time = match claims.get("auth_time") {
        None => None,
        Some(v) => Some(v.as_i64()?),
    };
    let scope = optional_string("scope")?;
    Some(IdJag {
        iss: string("iss")?,
        sub: string("sub")?,
        jti: string("jti")?,
        from_org: false,
        scopes: crate::policy::parse_scope(scope.as_deref()),
        resource: optional_string("resource")?,
        auth_time,
        act,
        sub_profile: optional_string("sub_profile")?,
    })
}

/// `iat` and `exp` as integers.
fn times(claims: &Map<String, Value>) -> Option<(i64, i64)> {
    Some((claims.get("iat")?.as_i64()?, claims.get("exp")?.as_i64()?))
}

/// The public JWKs of a trusted issuer, and where they come from.
enum IssuerKeys {
    Local(Vec<Value>),
    Remote { uri: String, keys: Arc<Vec<Value>> },
}

impl IssuerKeys {
    fn keys(&self) -> &[Value] {
        match self {
            Self::Local(keys) => keys,
            Self::Remote { keys, .. } => keys,
        }
    }
}

/// Whether one of `keys` verifies `assertion`: the key named by `kid`, else every key of `kty`.
fn verifies(assertion: &str, keys: &[Value], kid: Option<&str>, kty: &str) -> bool {
    keys.iter()
        .filter(|k| match kid {
            Some(kid) => k.get("kid").and_then(Value::as_str) == Some(kid),
            None => k.get("kty").and_then(Value::as_str) == Some(kty),
        })
        .any(|key| verify_with_jwk(assertion, key).is_ok())
}

/// The public JWKs of a trusted issuer; `None` when this AS does not trust it, or when the keys
/// at its `jwks_uri` cannot be obtained.
async fn issuer_keys(
    store: &dyn Store,
    remote_jwks: &RemoteJwks,
    ctx: &Context<'_>,
    iss: &str,
) -> Result<Option<IssuerKeys>, OAuthError> {
    if iss == ctx.org_issuer {
        let keys = store.list_signing_keys(ctx.org_id).await?;
        let keys = published(&keys, ctx.now_ms).into_iter().map(|k| k.public_jwk.clone()).collect();
        return Ok(Some(IssuerKeys::Local(keys)));
    }
    let Some(server) = ctx.issuer.server() else { return Ok(None) };
    let trusted = store.list_trusted_issuers(&server.id).await?;
    let Some(t) = trusted.iter().find(|t| t.issuer == iss) else { return Ok(None) };
    if let Some(keys) = t.jwks.as_ref().and_then(|j| j.get("keys")).and_then(Value::as_array) {
        return Ok(Some(IssuerKeys::Local(keys.clone())));
    }
    let Some(uri) = t.jwks_uri.as_deref() else {
        tracing::warn!(issuer = iss, auth_server = %server.id, "trusted issuer has neither jwks nor jwks_uri");
        return Ok(None);
    };
    match remote_jwks.keys(uri, ctx.now_ms).await {
        Ok(keys) => Ok(Some(IssuerKeys::Remote { uri: uri.to_owned(), keys })),
        Err(e) => {
            tracing::warn!(issuer = iss, auth_server = %server.id, jwks_uri = uri, error = %e, "fetching the trusted issuer's jwks failed");
            Ok(None)
        }
    }
}
