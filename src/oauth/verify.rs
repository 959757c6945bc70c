//! Verification of tokens baton itself issued: signature by a published key of the issuing
//! AS (ACTIVE, NEXT or recently EXPIRED), `alg` from the allow-list, exact `iss`, and expiry
//! unless the caller accepts expired tokens (a logout `id_token_hint` may have expired).

use super::client_assertion::LEEWAY_S;
use super::server::Issuer;
use crate::domain::Millis;
use crate::jose::jwks::published;
use crate::jose::jwt::{check_not_before, peek, verify_with_jwk};
use crate::state::AppState;
use crate::store::{Store, StoreResult};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    /// Not a JWT, unknown `kid`, bad signature, disallowed `alg`, or another issuer.
    Invalid,
    /// Valid but past `exp`.
    Expired,
}

/// Verifies `jwt` as a token of `issuer`; returns its claims. The outer error is the store's
/// (an outage is a server error, never an invalid token).
pub async fn verify_own(
    store: &dyn Store,
    now_ms: Millis,
    issuer: &Issuer,
    jwt: &str,
    allow_expired: bool,
) -> StoreResult<Result<Map<String, Value>, VerifyError>> {
    let Ok(token) = peek(jwt) else { return Ok(Err(VerifyError::Invalid)) };
    let Some(kid) = token.header.get("kid").and_then(Value::as_str) else { return Ok(Err(VerifyError::Invalid)) };
    let keys = store.list_signing_keys(&issuer.key_owner).await?;
    Ok(check(now_ms, issuer, jwt, kid, &keys, allow_expired))
}

fn check(
    now_ms: Millis,
    issuer: &Issuer,
    jwt: &str,
    kid: &str,
    keys: &[crate::domain::SigningKey],
    allow_expired: bool,
) -> Result<Map<String, Value>, VerifyError> {
    let key = published(keys, now_ms).into_iter().find(|k| k.kid == kid).ok_or(VerifyError::Invalid)?;
    let claims = verify_with_jwk(jwt, &key.public_jwk).map_err(|_| VerifyError::Invalid)?;
    if claims.get("iss").and_then(Value::as_str) != Some(issuer.issuer.as_str()) {
        return Err(VerifyError::Invalid);
    }
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(VerifyError::Invalid)?;
    if !allow_expired && exp <= now_ms / 1000 {
        return Err(VerifyError::Expired);
    }
    // Not before `nbf`: baton never sets one, but a token minted with extra claims by the dev
    // helpers may.
    check_not_before(&claims, now_ms / 1000, LEEWAY_S).map_err(|_| VerifyError::Invalid)?;
    Ok(claims)
}

/// The issuer named by a token's `iss`, if it is the org AS or an ACTIVE custom AS of this
/// baton (used where a token may come from any of them, e.g. a token exchange).
pub async fn issuer_of(state: &AppState, jwt: &str) -> Option<Issuer> {
    let iss = peek(jwt).ok()?.claims.get("iss")?.as_str()?.to_owned();
    if iss == state.base() {
        return Some(Issuer::org(state));
    }
    let id = iss.strip_prefix(&format!("{}/oauth2/", state.base()))?;
    Issuer::resolve(state, Some(id)).await.ok()
}
