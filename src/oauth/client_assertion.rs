//! `private_key_jwt` client assertions (RFC 7523 §3; xaa.md §3.2), in the order of the spec's
//! table. The signature is verified before the `jti` is consumed, so a forged assertion can
//! never burn a legitimate one's `jti`. `validate` is shared with the `actor_token` of a token
//! exchange, which maps failures to its own error.

use super::client::Client;
use super::client_auth::{Authenticated, Endpoint, Failure, ASSERTION_TYPE};
use super::error::OAuthError;
use crate::domain::{AuthMethod, ClientKeyStatus};
use crate::jose::jwt::{check_not_before, peek, verify_with_jwk, NotBefore, ALLOWED_ALGS};
use crate::oauth::params::Params;
use crate::store::{Store, StoreError};
use serde_json::{Map, Value};

/// Clock-skew leeway for every time comparison, in seconds (xaa.md §0).
pub const LEEWAY_S: i64 = 60;
/// Assertions may expire at most this far ahead.
pub const MAX_LIFETIME_S: i64 = 3600;

/// A rejected assertion: Okta's internal name and the description sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: &'static str,
    pub description: &'static str,
    /// The `iss` it claimed, when it could be read.
    pub claimed: Option<String>,
}

/// Why an assertion was not accepted: it is invalid, or the store could not be asked (an
/// outage is a server error, never a credential failure).
#[derive(Debug)]
pub enum AssertionError {
    Invalid(Rejection),
    Store(StoreError),
}

impl From<Rejection> for AssertionError {
    fn from(r: Rejection) -> Self {
        Self::Invalid(r)
    }
}

impl From<StoreError> for AssertionError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn reject(reason: &'static str, description: &'static str, claimed: Option<&str>) -> Rejection {
    Rejection { reason, description, claimed: claimed.map(str::to_owned) }
}

/// Authenticates a client by `client_assertion` (the `client_assertion_type` included).
pub async fn authenticate(
    store: &dyn Store,
    params: &Params,
    endpoint: &Endpoint<'_>,
) -> Result<Authenticated, Failure> {
    let claimed = params.get("client_id");
    if params.get("client_assertion_type") != Some(ASSERTION_TYPE) {
        let e = OAuthError::invalid_request("client_assertion_type_invalid", "The client_assertion_type is invalid.");
        return Err(Failure { error: e, claimed_client_id: claimed.map(str::to_owned), attempted: "private_key_jwt" });
    }
    let Some(jwt) = params.get("client_assertion") else {
        return Err(Failure {
            error: OAuthError::missing("client_assertion"),
            claimed_client_id: claimed.map(str::to_owned),
            attempted: "private_key_jwt",
        });
    };
    let audiences = [endpoint.url, endpoint.issuer];
    let to_failure = |r: Rejection| Failure {
        error: OAuthError::invalid_client(r.reason, r.description),
        claimed_client_id: r.claimed.or(claimed.map(str::to_owned)),
        attempted: "private_key_jwt",
    };
    let (client, _) = validate(store, jwt, &audiences, endpoint.now_ms / 1000).await.map_err(|e| match e {
        AssertionError::Invalid(r) => to_failure(r),
        AssertionError::Store(e) => {
            Failure { error: e.into(), claimed_client_id: claimed.map(str::to_owned), attempted: "private_key_jwt" }
        }
    })?;
    // RFC 7521 §4.2: a body client_id must name the same client.
    if claimed.is_some_and(|c| c != client.client_id()) {
        return Err(to_failure(reject("client_assertion_invalid_issuer", ISSUER, claimed)));
    }
    if client.auth_method() != AuthMethod::PrivateKeyJwt {
        let e = OAuthError::invalid_client(
            "invalid_client",
            "Client authentication failed. Either the client or the client credentials are invalid.",
        );
        return Err(Failure {
            error: e,
            claimed_client_id: Some(client.client_id().to_owned()),
            attempted: "private_key_jwt",
        });
    }
    Ok(Authenticated { client, method: AuthMethod::PrivateKeyJwt })
}

const ISSUER: &str = "The issuer claim for client_assertion is not a valid client_id.";

fn int_claim(claims: &Map<String, Value>, name: &str) -> Option<i64> {
    claims.get(name).and_then(Value::as_i64)
}

/// Validates a client assertion JWT against `audiences` at `now_s`; on success the `jti` (if
/// any) is consumed and the ACTIVE client and the claims are returned.
pub async fn validate(
    store: &dyn Store,
    jwt: &str,
    audiences: &[&str],
    now_s: i64,
) -> Result<(Client, Map<String, Value>), AssertionError> {
    let Ok(token) = peek(jwt) else {
        return Err(reject("client_assertion_invalid_jwt", "The client_assertion is not a valid JWT.", None).into());
    };
    let claims = token.claims;
    let iss = claims.get("iss").and_then(Value::as_str);
    match token.header.get("typ").and_then(Value::as_str) {
        None | Some("JWT" | "client-authentication+jwt") => {}
        Some(_) => {
            return Err(reject("client_assertion_invalid_jwt", "The client_assertion is not a valid JWT.", iss).into())
        }
    }
    let alg = token.header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if !ALLOWED_ALGS.contains(&alg) {
        return Err(reject(
            "client_assertion_invalid_signature_algorithm",
            "The client_assertion signature algorithm is not allowed.",
            iss,
        )
        .into());
    }
    let client = match iss {
        Some(id) => Client::find(store, id).await?.filter(Client::is_active),
        None => None,
    };
    let Some(client) = client else { return Err(reject("client_assertion_invalid_issuer", ISSUER, iss).into()) };
    if claims.get("sub").and_then(Value::as_str) != iss {
        return Err(reject(
            "client_assertion_invalid_subject",
            "The subject claim for client_assertion is not a valid client_id.",
            iss,
        )
        .into());
    }
    check_audience(&claims, audiences).map_err(|r| Rejection { claimed: iss.map(str::to_owned), ..r })?;
    check_times(&claims, now_s).map_err(|r| Rejection { claimed: iss.map(str::to_owned), ..r })?;
    verify_signature(store, &client, jwt, token.header.get("kid").and_then(Value::as_str)).await.map_err(
        |e| match e {
            AssertionError::Invalid(r) => AssertionError::Invalid(Rejection { claimed: iss.map(str::to_owned), ..r }),
            store @ AssertionError::Store(_) => store,
        },
    )?;
    if let Some(jti) = claims.get("jti").and_then(Value::as_str) {
        // Remembered until exp + L, across all endpoints (xaa.md §3.2).
        let until_ms = (int_claim(&claims, "exp").unwrap_or(now_s) + LEEWAY_S) * 1000;
        let namespace = format!("client_assertion:{}", client.client_id());
        if !store.consume_jti(&namespace, jti, until_ms).await? {
            return Err(reject(
                "client_assertion_already_used",
                "The client_assertion token has already been used.",
                iss,
            )
            .into());
        }
    }
    Ok((client, claims))
}

fn check_audience(claims: &Map<String, Value>, audiences: &[&str]) -> Result<(), Rejection> {
    let ok = match claims.get("aud") {
        Some(Value::String(a)) => audiences.contains(&a.as_str()),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).any(|a| audiences.contains(&a)),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(reject(
            "client_assertion_invalid_audience",
            "The audience claim for client_assertion must be the endpoint invoked for the request.",
            None,
        ))
    }
}

fn check_times(claims: &Map<String, Value>, now: i64) -> Result<(), Rejection> {
    let Some(exp) = int_claim(claims, "exp") else {
        return Err(reject(
            "client_assertion_expiration_required",
            "The client_assertion must contain the 'exp' claim as seconds since epoch.",
            None,
        ));
    };
    if exp <= now - LEEWAY_S {
        return Err(reject("client_assertion_expired_token", "The client_assertion token is expired.", None));
    }
    if exp > now + MAX_LIFETIME_S + LEEWAY_S {
        return Err(reject(
            "client_assertion_expires_too_far_in_future",
            "The client_assertion token has an expiration too far into the future.",
            None,
        ));
    }
    if int_claim(claims, "iat").is_some_and(|iat| iat > now + LEEWAY_S) {
        return Err(reject(
            "client_assertion_issued_at_in_future",
            "The client_assertion token must be issued before the current time.",
            None,
        ));
    }
    check_not_before(claims, now, LEEWAY_S).map_err(|e| match e {
        NotBefore::NotYetValid => {
            reject("client_assertion_not_yet_valid", "The client_assertion token is not yet valid.", None)
        }
        NotBefore::Malformed => {
            reject("client_assertion_invalid_jwt", "The client_assertion is not a valid JWT.", None)
        }
    })
}

async fn verify_signature(
    store: &dyn Store,
    client: &Client,
    jwt: &str,
    kid: Option<&str>,
) -> Result<(), AssertionError> {
    let keys: Vec<Value> = store
        .list_client_keys(client.object_id())
        .await?
        .into_iter()
        .filter(|k| k.status == ClientKeyStatus::Active)
        .map(|k| k.jwk)
        .collect();
    if keys.is_empty() {
        return Err(reject("client_assertion_jwks_not_configured", "The client has no JWKS configured.", None).into());
    }
    let candidates: Vec<&Value> = match kid {
        Some(kid) => {
            let named: Vec<&Value> =
                keys.iter().filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid)).collect();
            if named.is_empty() {
                return Err(
                    reject("client_assertion_invalid_kid", "The client_assertion JWT kid is invalid.", None).into()
                );
            }
            named
        }
        None => keys.iter().collect(),
    };
    if candidates.iter().any(|k| verify_with_jwk(jwt, k).is_ok()) {
        Ok(())
    } else {
        Err(reject("client_assertion_invalid_signature", "The client_assertion signature is invalid.", None).into())
    }
}
