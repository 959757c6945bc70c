//! `POST /v1/revoke` (RFC 7009; okta-surface.md §6.2). Once the client is authenticated the
//! answer is always 200 with an empty body, whether the token was unknown, expired, already
//! revoked or another client's (RFC 7009 §2.2: the client cannot tell): a client only revokes
//! its own tokens. A refresh token takes its whole family with it (and the access tokens issued
//! from it); an access token is revoked by `jti`. Every request logs `….token.revoke` in the
//! same store call as the revocation.

use super::caller::authenticate_caller;
use super::client::Client;
use super::error::{no_store, OAuthError};
use super::server::Issuer;
use super::token::log::prefix;
use super::verify::verify_own;
use crate::audit::{Context, Event};
use crate::domain::ids::hash_secret;
use crate::domain::{Millis, TextEnum};
use crate::oauth::params::Params;
use crate::state::AppState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub async fn revoke(
    state: &AppState,
    issuer: &Issuer,
    ctx: &Context,
    authorization: Option<&str>,
    params: &Params,
) -> Result<Response, OAuthError> {
    let store = state.store.as_ref();
    let now = state.clock.now_ms();
    let caller = authenticate_caller(store, issuer, "revoke", authorization, params, ctx, now).await?;
    let token = params.require("token")?;
    let client = &caller.client;
    let hint = params.get("token_type_hint");
    let mut event =
        Event::new(&format!("{}.revoke", prefix(issuer)), "OAuth2 token revocation request", client.actor())
            .target(issuer.target())
            .client(client.client_id())
            .debug("authorization_server", issuer.id())
            .debug("client_auth_type", caller.method.as_str());
    if let Some(h) = hint {
        event = event.debug("token_type_hint", h);
    }
    let refresh_first = hint == Some("refresh_token");
    for refresh in [refresh_first, !refresh_first] {
        let done = if refresh {
            revoke_refresh(state, issuer, client, token, &event, ctx, now).await?
        } else {
            revoke_access(state, issuer, client, token, &event, ctx, now).await?
        };
        if done {
            return Ok(ok());
        }
    }
    // Nothing of this client's to revoke: still 200, still logged.
    store.append_events(&[event.debug("token_type", "unknown").build(ctx, now)]).await?;
    Ok(ok())
}

fn ok() -> Response {
    let mut response = StatusCode::OK.into_response();
    no_store(&mut response);
    response
}

/// Revokes the family of one of the client's refresh tokens at this AS; false if it is not one.
async fn revoke_refresh(
    state: &AppState,
    issuer: &Issuer,
    client: &Client,
    token: &str,
    event: &Event,
    ctx: &Context,
    now: Millis,
) -> Result<bool, OAuthError> {
    let store = state.store.as_ref();
    let Some((_, family)) = store.find_refresh_token(&hash_secret(token)).await? else { return Ok(false) };
    if family.client_id != client.client_id() || family.auth_server_id != issuer.id() {
        return Ok(false);
    }
    let record = event.clone().debug("token_type", "refresh_token").build(ctx, now);
    store.revoke_refresh_family(&family.id, now, &[record]).await?;
    Ok(true)
}

/// Revokes one of the client's access tokens of this AS (expired ones too); false if the
/// token is not one.
async fn revoke_access(
    state: &AppState,
    issuer: &Issuer,
    client: &Client,
    token: &str,
    event: &Event,
    ctx: &Context,
    now: Millis,
) -> Result<bool, OAuthError> {
    let Ok(claims) = verify_own(state.store.as_ref(), state.clock.now_ms(), issuer, token, true).await? else {
        return Ok(false);
    };
    let Some(jti) = claims.get("jti").and_then(Value::as_str) else { return Ok(false) };
    let store = state.store.as_ref();
    let Some(record) = store.find_access_token(jti).await? else { return Ok(false) };
    if record.client_id != client.client_id() || record.auth_server_id != issuer.id() {
        return Ok(false);
    }
    let log = event.clone().debug("token_type", "access_token").debug("jti", jti).build(ctx, now);
    store.revoke_access_token(jti, now, &[log]).await?;
    Ok(true)
}
