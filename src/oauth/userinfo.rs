//! `GET|POST /v1/userinfo` (OIDC Core §5.3; okta-surface.md §6.3). The caller presents an
//! access token of this AS as `Authorization: Bearer …` (RFC 6750 §2.1). Errors carry an empty
//! body and a `WWW-Authenticate` header (RFC 6750 §3) with Okta's exact descriptions: 401
//! `invalid_token` for a missing, malformed, foreign, expired or revoked token, or one whose
//! user or client is no longer ACTIVE; 403 `insufficient_scope` without `openid` or without any
//! of `profile email address phone`. The answer is `sub` plus the claims of the granted scopes
//! and every IDENTITY claim of a custom AS whose scope condition holds.

use super::error::no_store;
use super::introspect::parties_active;
use super::server::Issuer;
use super::token::issue::{claim_error, groups_of};
use super::verify::verify_own;
use crate::domain::ClaimType;
use crate::jose::claims::{evaluate_claims, merge_custom, userinfo_claims};
use crate::state::AppState;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};

const INVALID_TOKEN: &str = "Bearer error=\"invalid_token\", error_description=\"The access token is invalid\"";
const INSUFFICIENT_SCOPE: &str = "Bearer error=\"insufficient_scope\", error_description=\"The access token must \
                                  provide access to at least one of these scopes - profile, email, address or phone\"";

/// Scopes of which at least one must be granted besides `openid`.
const CLAIM_SCOPES: &[&str] = &["profile", "email", "address", "phone"];

fn challenge(status: StatusCode, value: &'static str) -> Response {
    let mut response = status.into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
    no_store(&mut response);
    response
}

fn invalid_token() -> Response {
    challenge(StatusCode::UNAUTHORIZED, INVALID_TOKEN)
}

/// The bearer token of an `Authorization` header (scheme case-insensitive).
fn bearer(authorization: Option<&str>) -> Option<&str> {
    let value = authorization?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub async fn userinfo(state: &AppState, issuer: &Issuer, authorization: Option<&str>) -> Response {
    match claims(state, issuer, authorization).await {
        Ok(body) => {
            let mut response = Json(Value::Object(body)).into_response();
            no_store(&mut response);
            response
        }
        Err(response) => response,
    }
}

async fn claims(
    state: &AppState,
    issuer: &Issuer,
    authorization: Option<&str>,
) -> Result<Map<String, Value>, Response> {
    let store = state.store.as_ref();
    let internal = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "userinfo failed");
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    };
    let token = bearer(authorization).ok_or_else(invalid_token)?;
    let claims = verify_own(state.store.as_ref(), state.clock.now_ms(), issuer, token, false)
        .await
        .map_err(|e| internal(&e))?
        .map_err(|_| invalid_token())?;
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default();
    let record = store.find_access_token(jti).await.map_err(|e| internal(&e))?;
    if record.is_none_or(|r| r.revoked.is_some() || r.auth_server_id != issuer.id()) {
        return Err(invalid_token());
    }
    let scopes: Vec<String> = claims
        .get("scp")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let has = |s: &str| scopes.iter().any(|g| g == s);
    if !has("openid") || !CLAIM_SCOPES.iter().any(|s| has(s)) {
        return Err(challenge(StatusCode::FORBIDDEN, INSUFFICIENT_SCOPE));
    }
    let Some(uid) = claims.get("uid").and_then(Value::as_str) else { return Err(invalid_token()) };
    if !parties_active(store, &claims).await.map_err(|e| internal(&e))? {
        return Err(invalid_token());
    }
    let Some(user) = store.find_user(uid).await.map_err(|e| internal(&e))? else { return Err(invalid_token()) };
    let groups = groups_of(store, &user.id).await.map_err(|e| internal(&e))?;
    let mut body =
        userinfo_claims(&user, &groups, &scopes, issuer.is_org()).map_err(|e| claim_error(&e).into_response())?;
    if let Some(server) = issuer.server() {
        let custom = store.list_claims(&server.id).await.map_err(|e| internal(&e))?;
        let identity = evaluate_claims(&custom, ClaimType::Identity, &scopes, Some((&user, &groups)), false)
            .map_err(|e| claim_error(&e).into_response())?;
        merge_custom(&mut body, &identity);
    }
    Ok(body)
}
