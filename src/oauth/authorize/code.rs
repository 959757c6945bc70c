//! §4.2 step 6: the authorization code. 43 random base64url characters, stored only as its
//! SHA-256 hash with everything the token endpoint needs (client, redirect URI, PKCE challenge,
//! nonce, granted scopes, session, `auth_time`, policy and rule); single use, valid 300 s
//! (§7.4). Its events (`app.oauth2.as.authorize`, `…authorize.code`, `…scope_denied`,
//! `user.authentication.sso`) are written in the same store call.

use super::access::Granted;
use super::authenticate::Authenticated;
use super::events;
use super::outcome::ClientReply;
use super::request::AuthorizeRequest;
use crate::audit::Context;
use crate::domain::ids::{hash_secret, new_secret};
use crate::domain::AuthorizationCode;
use crate::state::AppState;
use crate::store::StoreResult;

/// Lifetime of an authorization code.
pub const CODE_LIFETIME_MS: i64 = 300 * 1000;

pub async fn issue(
    state: &AppState,
    ctx: &Context,
    req: &AuthorizeRequest,
    auth: &Authenticated,
    granted: &Granted,
) -> StoreResult<ClientReply> {
    let now = state.clock.now_ms();
    let code = new_secret();
    let row = AuthorizationCode {
        code_hash: hash_secret(&code),
        auth_server_id: req.issuer().id().to_owned(),
        client_id: req.app().client_id.clone(),
        user_id: auth.user.id.clone(),
        session_id: Some(auth.session.id.clone()),
        redirect_uri: req.proven.redirect_uri.clone(),
        scopes: granted.scopes.clone(),
        nonce: req.nonce.clone(),
        code_challenge: req.pkce.as_ref().map(|p| p.challenge.clone()),
        code_challenge_method: req.pkce.as_ref().map(|p| p.method.clone()),
        auth_time: auth.session.auth_time,
        policy_id: granted.policy_id.clone(),
        rule_id: granted.rule_id.clone(),
        created: now,
        expires: now + CODE_LIFETIME_MS,
        consumed: None,
    };
    let records: Vec<_> =
        events::code_issued(req, &auth.user, &auth.session, granted).into_iter().map(|e| e.build(ctx, now)).collect();
    state.store.create_code(&row, &records).await?;
    Ok(ClientReply {
        redirect_uri: req.proven.redirect_uri.clone(),
        mode: req.proven.mode,
        params: vec![("code", code), ("state", req.state.clone())],
    })
}
