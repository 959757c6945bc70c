//! Building, signing and answering with tokens, shared by every grant that issues access
//! tokens (okta-surface.md §5.3, §7; xaa.md §6.4): the access token (`AT.` jti, `scp` array,
//! RESOURCE claims of a custom AS, no `nbf`; for a redeemed ID-JAG also `scope`, its `act` and
//! `sub_profile` and the effective resource as `aud`), the ID token when `openid` was granted
//! to a signed-in user (60 min, `nonce`, `at_hash`, IDENTITY claims with
//! `alwaysIncludeInToken`, `groups` on the org AS), the stored record of the access token, the
//! success events, and the JSON response with `no-store`.

use super::log::{GrantLog, Issued};
use super::TokenRequest;
use crate::domain::ids::{hash_secret, new_secret};
use crate::domain::{AccessTokenRecord, ClaimType, Group, LogRecord, Millis, RefreshToken, TokenLifetimes, User};
use crate::jose::claims::{
    access_token_claims, evaluate_claims, id_token_claims, AccessTokenInput, ClaimError, IdTokenInput, JwtBearerClaims,
    TokenSubject,
};
use crate::jose::KeyRing;
use crate::oauth::error::{no_store, OAuthError};
use crate::oauth::server::Issuer;
use crate::store::{Store, StoreResult};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// ID tokens live 60 minutes on both kinds of AS (okta-surface.md §7.4).
pub const ID_TOKEN_SECONDS: i64 = 3600;
/// Org AS: access tokens 60 minutes, refresh tokens 90 days (okta-surface.md §7.4).
pub const ORG_LIFETIMES: TokenLifetimes = TokenLifetimes {
    access_token_minutes: 60,
    refresh_token_minutes: 90 * 24 * 60,
    refresh_token_window_minutes: 90 * 24 * 60,
};

/// Who the tokens are about.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A signed-in user (code and refresh grants): `auth_time` of the sign-in, an ID token
    /// when `openid` is granted.
    User {
        user: &'a User,
        /// The user's groups, `Everyone` included (`groups_of`).
        groups: &'a [Group],
        auth_time_ms: Millis,
        /// The authorize request's `nonce` (code grant only).
        nonce: Option<&'a str>,
    },
    /// A user a redeemed ID-JAG names (jwt-bearer): never an ID token.
    NamedUser {
        user: &'a User,
        /// The user's groups, `Everyone` included (`groups_of`).
        groups: &'a [Group],
    },
    /// A client: `sub` = this client id, no `uid`, never an ID token. The caller itself
    /// (`client_credentials`), or a client a redeemed ID-JAG names (jwt-bearer).
    Client(&'a str),
}

/// What a jwt-bearer access token takes from the ID-JAG it redeems (xaa.md §6.4).
#[derive(Debug, Clone, Copy)]
pub struct Redeemed<'a> {
    /// The effective resource, the token's `aud` instead of the AS's audience.
    pub resource: Option<&'a str>,
    /// The ID-JAG's `auth_time`, if it carried one.
    pub auth_time: Option<i64>,
    /// Its `act` and `sub_profile`, copied verbatim (with `scope` as a string).
    pub claims: JwtBearerClaims<'a>,
}

/// What to mint.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    pub subject: Subject<'a>,
    pub scopes: &'a [String],
    pub access_minutes: i64,
    /// The code hash or refresh family the access token comes from (revocation reaches it).
    pub grant_id: Option<&'a str>,
    /// The ID-JAG a jwt-bearer token redeems.
    pub redeemed: Option<Redeemed<'a>>,
}

/// Signed tokens, not yet recorded.
#[derive(Debug, Clone)]
pub struct Minted {
    pub access_token: String,
    pub record: AccessTokenRecord,
    pub id_token: Option<(String, String)>,
    pub expires_in: i64,
}

/// The rule's lifetimes for a grant of a custom AS (evaluated once, at authorization); the
/// org AS has fixed ones. A rule deleted since then falls back to the default rule's values.
pub async fn lifetimes(
    store: &dyn Store,
    issuer: &Issuer,
    policy_id: Option<&str>,
    rule_id: Option<&str>,
) -> StoreResult<TokenLifetimes> {
    if issuer.is_org() {
        return Ok(ORG_LIFETIMES);
    }
    let (Some(policy_id), Some(rule_id)) = (policy_id, rule_id) else { return Ok(TokenLifetimes::default()) };
    Ok(store.find_rule(policy_id, rule_id).await?.map(|r| r.token).unwrap_or_default())
}

/// The user's groups for claims, the built-in `Everyone` included (Okta lists it).
pub async fn groups_of(store: &dyn Store, user_id: &str) -> StoreResult<Vec<Group>> {
    let mut groups = store.list_user_groups(user_id).await?;
    if !groups.iter().any(|g| g.name == crate::domain::user::EVERYONE) {
        if let Some(everyone) = store.find_group_by_name(crate::domain::user::EVERYONE).await? {
            groups.insert(0, everyone);
        }
    }
    Ok(groups)
}

pub fn claim_error(e: &ClaimError) -> OAuthError {
    tracing::error!(error = %e, "a custom claim could not be evaluated");
    OAuthError::server_error("server_error", "The server encountered an internal error.")
}

/// Builds and signs the access token (and the ID token when `openid` was granted to a user).
pub async fn mint(
    store: &dyn Store,
    keys: &KeyRing,
    req: &TokenRequest<'_>,
    plan: &Plan<'_>,
) -> Result<Minted, OAuthError> {
    let issuer = req.issuer;
    let iat = req.now_ms.div_euclid(1000);
    let exp = iat + plan.access_minutes * 60;
    let custom_claims = match issuer.server() {
        Some(server) => store.list_claims(&server.id).await?,
        None => Vec::new(),
    };
    let user = match plan.subject {
        Subject::User { user, groups, .. } | Subject::NamedUser { user, groups } => Some((user, groups)),
        Subject::Client(_) => None,
    };
    let resource =
        evaluate_claims(&custom_claims, ClaimType::Resource, plan.scopes, user, false).map_err(|e| claim_error(&e))?;
    let client_id = req.client.client_id();
    let redeemed = plan.redeemed.as_ref();
    let (subject, auth_time) = match plan.subject {
        Subject::User { user, auth_time_ms, .. } => {
            (TokenSubject::User { id: &user.id, login: user.profile.login() }, Some(auth_time_ms.div_euclid(1000)))
        }
        Subject::NamedUser { user, .. } => {
            (TokenSubject::User { id: &user.id, login: user.profile.login() }, redeemed.and_then(|r| r.auth_time))
        }
        Subject::Client(client_id) => (TokenSubject::Client { client_id }, redeemed.and_then(|r| r.auth_time)),
    };
    let audience = redeemed.and_then(|r| r.resource).map_or_else(|| issuer.audience(), str::to_owned);
    let claims = access_token_claims(&AccessTokenInput {
        issuer: &issuer.issuer,
        audience: &audience,
        iat,
        exp,
        client_id,
        subject,
        scopes: plan.scopes,
        auth_time,
        resource_claims: &resource,
        jwt_bearer: redeemed.map(|r| r.claims),
    });
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default().to_owned();
    let access_token = keys.sign(store, &issuer.key_owner, &claims, None).await?;
    let id_token = match plan.subject {
        Subject::User { user, groups, auth_time_ms, nonce } if plan.scopes.iter().any(|s| s == "openid") => {
            let signed = IdTokenPlan { user, groups, auth_time_ms, nonce, access_token: &access_token, iat };
            Some(id_token(store, keys, req, plan.scopes, &custom_claims, &signed).await?)
        }
        _ => None,
    };
    let record = AccessTokenRecord {
        jti,
        auth_server_id: issuer.id().to_owned(),
        client_id: client_id.to_owned(),
        user_id: user.map(|(u, _)| u.id.clone()),
        grant_id: plan.grant_id.map(str::to_owned),
        created: req.now_ms,
        expires: exp * 1000,
        revoked: None,
    };
    Ok(Minted { access_token, record, id_token, expires_in: exp - iat })
}

/// What an ID token is built from, besides the request.
struct IdTokenPlan<'a> {
    user: &'a User,
    groups: &'a [Group],
    auth_time_ms: Millis,
    nonce: Option<&'a str>,
    /// The access token issued alongside (`at_hash`).
    access_token: &'a str,
    iat: i64,
}

/// Signs the ID token (60 minutes) with the IDENTITY claims marked `alwaysIncludeInToken`;
/// returns it with its `jti`.
async fn id_token(
    store: &dyn Store,
    keys: &KeyRing,
    req: &TokenRequest<'_>,
    scopes: &[String],
    custom_claims: &[crate::domain::Claim],
    p: &IdTokenPlan<'_>,
) -> Result<(String, String), OAuthError> {
    let identity = evaluate_claims(custom_claims, ClaimType::Identity, scopes, Some((p.user, p.groups)), true)
        .map_err(|e| claim_error(&e))?;
    let claims = id_token_claims(&IdTokenInput {
        issuer: &req.issuer.issuer,
        client_id: req.client.client_id(),
        org_id: req.org_id,
        user: p.user,
        groups: p.groups,
        org_as: req.issuer.is_org(),
        scopes,
        iat: p.iat,
        exp: p.iat + ID_TOKEN_SECONDS,
        auth_time: p.auth_time_ms.div_euclid(1000),
        nonce: p.nonce,
        access_token: Some(p.access_token),
        identity_claims: &identity,
    })
    .map_err(|e| claim_error(&e))?;
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok((keys.sign(store, &req.issuer.key_owner, &claims, None).await?, jti))
}

/// A fresh opaque refresh token (43 base64url characters) and its stored, hashed form.
#[must_use]
pub fn new_refresh_token(family_id: &str, now: Millis) -> (String, RefreshToken) {
    let raw = new_secret();
    let stored =
        RefreshToken { token_hash: hash_secret(&raw), family_id: family_id.to_owned(), created: now, rotated: None };
    (raw, stored)
}

/// The SUCCESS request event and one event per issued token.
#[must_use]
pub fn success_records(log: &GrantLog, minted: &Minted, refresh: bool, req: &TokenRequest<'_>) -> Vec<LogRecord> {
    let (ctx, now) = (req.ctx, req.now_ms);
    let mut out = vec![log.request(None, ctx, now), log.issued(Issued::AccessToken(&minted.record.jti), ctx, now)];
    if let Some((_, jti)) = &minted.id_token {
        out.push(log.issued(Issued::IdToken(jti), ctx, now));
    }
    if refresh {
        out.push(log.issued(Issued::RefreshToken, ctx, now));
    }
    out
}

/// The token response (okta-surface.md §5.3), `Cache-Control: no-store`, `Pragma: no-cache`.
#[must_use]
pub fn response(minted: &Minted, scopes: &[String], refresh_token: Option<&str>) -> Response {
    let mut body = Map::new();
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(minted.expires_in));
    body.insert("access_token".into(), json!(minted.access_token));
    body.insert("scope".into(), json!(scopes.join(" ")));
    if let Some(rt) = refresh_token {
        body.insert("refresh_token".into(), json!(rt));
    }
    if let Some((id_token, _)) = &minted.id_token {
        body.insert("id_token".into(), json!(id_token));
    }
    let mut response = Json(Value::Object(body)).into_response();
    no_store(&mut response);
    response
}
