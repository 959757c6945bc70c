//! `POST /v1/introspect` (RFC 7662; okta-surface.md §6.1; xaa.md §7). Any authenticated client
//! may introspect an access token of this AS (a resource server checks tokens minted for
//! others: the kill switch relies on it); a refresh token only by the client it was issued to.
//! A token is active only when it verifies against this AS's keys with this issuer, has not
//! expired, its record is not revoked, and its client (`cid`), user (`uid`), machine subject
//! and every `act.sub` of the (nested) delegation chain are still ACTIVE. Anything else, a
//! malformed or foreign token included, is `{"active":false}`. `token_type_hint` only decides
//! which kind is tried first.

use super::caller::authenticate_caller;
use super::client::Client;
use super::error::{no_store, OAuthError};
use super::server::Issuer;
use super::verify::verify_own;
use crate::audit::Context;
use crate::domain::ids::hash_secret;
use crate::domain::{Millis, RefreshFamily, RefreshToken, User};
use crate::oauth::params::Params;
use crate::state::AppState;
use crate::store::{Store, StoreResult};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// Claims with a fixed place in the response; anything else in an access token is a custom
/// RESOURCE claim and is passed through.
const STANDARD_CLAIMS: &[&str] =
    &["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "scope", "auth_time", "sub", "act", "sub_profile"];

/// Longest `act` chain followed; deeper chains are not baton's and are inactive.
const MAX_ACT_DEPTH: usize = 32;

pub async fn introspect(
    state: &AppState,
    issuer: &Issuer,
    ctx: &Context,
    authorization: Option<&str>,
    params: &Params,
) -> Result<Response, OAuthError> {
    let store = state.store.as_ref();
    let now = state.clock.now_ms();
    let caller = authenticate_caller(store, issuer, "introspect", authorization, params, ctx, now).await?;
    let token = params.require("token")?;
    let refresh_first = params.get("token_type_hint") == Some("refresh_token");
    let mut body = None;
    for refresh in [refresh_first, !refresh_first] {
        body = if refresh {
            refresh_token(store, issuer, &caller.client, token, now).await?
        } else {
            jwt(state, issuer, token).await?
        };
        if body.is_some() {
            break;
        }
    }
    let body = body.unwrap_or_else(|| {
        let mut m = Map::new();
        m.insert("active".into(), json!(false));
        m
    });
    let mut response = Json(Value::Object(body)).into_response();
    no_store(&mut response);
    Ok(response)
}

/// Whether a user is ACTIVE.
async fn user_active(store: &dyn Store, user_id: &str) -> StoreResult<Option<User>> {
    Ok(store.find_user(user_id).await?.filter(User::is_active))
}

async fn client_active(store: &dyn Store, client_id: &str) -> StoreResult<bool> {
    Ok(Client::find(store, client_id).await?.is_some_and(|c| c.is_active()))
}

/// xaa.md §7: the token's client, its user (or machine subject) and every actor of its `act`
/// chain are ACTIVE. An actor may be an app, an agent or a user.
pub async fn parties_active(store: &dyn Store, claims: &Map<String, Value>) -> StoreResult<bool> {
    let str_claim = |name: &str| claims.get(name).and_then(Value::as_str);
    let Some(cid) = str_claim("cid") else { return Ok(false) };
    if !client_active(store, cid).await? {
        return Ok(false);
    }
    match (str_claim("uid"), str_claim("sub")) {
        (Some(uid), _) => {
            if user_active(store, uid).await?.is_none() {
                return Ok(false);
            }
        }
        (None, Some(sub)) if sub != cid => {
            if !client_active(store, sub).await? {
                return Ok(false);
            }
        }
        (None, Some(_)) => {}
        (None, None) => return Ok(false),
    }
    let Some(act) = claims.get("act") else { return Ok(true) };
    if !crate::jose::act::depth(act).is_ok_and(|d| d <= MAX_ACT_DEPTH) {
        return Ok(false);
    }
    for sub in crate::jose::act::subjects(act) {
        if !(client_active(store, sub).await? || user_active(store, sub).await?.is_some()) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// An access or ID token of this AS; `None` when it is not one (or not active).
async fn jwt(state: &AppState, issuer: &Issuer, token: &str) -> Result<Option<Map<String, Value>>, OAuthError> {
    let Ok(claims) = verify_own(state.store.as_ref(), state.clock.now_ms(), issuer, token, false).await? else {
        return Ok(None);
    };
    let store = state.store.as_ref();
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default();
    if jti.starts_with("ID.") {
        return id_token(store, claims).await.map_err(Into::into);
    }
    let Some(record) = store.find_access_token(jti).await? else { return Ok(None) };
    if record.revoked.is_some() || record.auth_server_id != issuer.id() || !parties_active(store, &claims).await? {
        return Ok(None);
    }
    let mut m = Map::new();
    m.insert("active".into(), json!(true));
    m.insert("token_type".into(), json!("Bearer"));
    let scopes: Vec<&str> = claims
        .get("scp")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    m.insert("scope".into(), json!(scopes.join(" ")));
    m.insert("client_id".into(), claims.get("cid").cloned().unwrap_or(Value::Null));
    if claims.contains_key("uid") {
        if let Some(sub) = claims.get("sub") {
            m.insert("username".into(), sub.clone());
        }
    }
    for name in ["exp", "iat", "sub", "aud", "iss", "jti", "uid", "act", "sub_profile"] {
        if let Some(v) = claims.get(name) {
            m.insert(name.into(), v.clone());
        }
    }
    for (name, value) in &claims {
        if !STANDARD_CLAIMS.contains(&name.as_str()) && !m.contains_key(name) {
            m.insert(name.clone(), value.clone());
        }
    }
    Ok(Some(m))
}

/// An ID token: active while its user and its client (`aud`) are ACTIVE.
async fn id_token(store: &dyn Store, claims: Map<String, Value>) -> StoreResult<Option<Map<String, Value>>> {
    let (Some(sub), Some(aud)) = (claims.get("sub").and_then(Value::as_str), claims.get("aud").and_then(Value::as_str))
    else {
        return Ok(None);
    };
    let Some(user) = user_active(store, sub).await? else { return Ok(None) };
    if !client_active(store, aud).await? {
        return Ok(None);
    }
    let mut m = Map::new();
    m.insert("active".into(), json!(true));
    m.insert("token_type".into(), json!("Bearer"));
    m.insert("client_id".into(), json!(aud));
    m.insert("username".into(), json!(user.profile.login()));
    for name in ["exp", "iat", "sub", "aud", "iss", "jti"] {
        if let Some(v) = claims.get(name) {
            m.insert(name.into(), v.clone());
        }
    }
    m.insert("uid".into(), json!(user.id));
    Ok(Some(m))
}

/// A refresh token of the calling client at this AS, live and unrevoked, whose user is ACTIVE.
async fn refresh_token(
    store: &dyn Store,
    issuer: &Issuer,
    caller: &Client,
    token: &str,
    now: Millis,
) -> Result<Option<Map<String, Value>>, OAuthError> {
    let Some((stored, family)) = store.find_refresh_token(&hash_secret(token)).await? else { return Ok(None) };
    if family.client_id != caller.client_id() || family.auth_server_id != issuer.id() {
        return Ok(None);
    }
    let Client::App(app) = caller else { return Ok(None) };
    let Some(exp) = live_until(&stored, &family, app.refresh_leeway.clamp(0, 60) * 1000, now) else { return Ok(None) };
    let Some(user) = user_active(store, &family.user_id).await? else { return Ok(None) };
    let mut m = Map::new();
    m.insert("active".into(), json!(true));
    m.insert("token_type".into(), json!("Bearer"));
    m.insert("scope".into(), json!(family.scopes.join(" ")));
    m.insert("client_id".into(), json!(family.client_id));
    m.insert("username".into(), json!(user.profile.login()));
    m.insert("exp".into(), json!(exp.div_euclid(1000)));
    m.insert("sub".into(), json!(user.profile.login()));
    m.insert("uid".into(), json!(user.id));
    Ok(Some(m))
}

/// When a refresh token stops working (the earlier of the family's lifetime and its idle
/// window), or `None` if it already has: revoked family, or rotated longer ago than the leeway.
fn live_until(token: &RefreshToken, family: &RefreshFamily, leeway_ms: i64, now: Millis) -> Option<Millis> {
    if family.revoked.is_some() || token.rotated.is_some_and(|r| r < now - leeway_ms) {
        return None;
    }
    let idle_end = family.last_used + family.idle_window_ms;
    let end = family.expires.map_or(idle_end, |e| e.min(idle_end));
    (now < end).then_some(end)
}
