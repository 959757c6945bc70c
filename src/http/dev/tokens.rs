//! `POST /dev/v1/tokens`: mints a token as the token endpoint would, skipping the grant: the
//! claims come from the same builders (`access_token_claims`, `id_token_claims`, RESOURCE and
//! IDENTITY custom claims of the AS), the token is signed with the AS's ACTIVE key, and an
//! access token is recorded like any issued one, so it verifies against `/v1/keys`,
//! introspects active and can be revoked. No policy, scope or assignment is checked.
//!
//! Body: `authorizationServer` (custom AS id, or `org`; default `default`), `clientId`,
//! `userId` or `login` (absent: a client token, `sub` = `cid`), `scopes`, `claims` (added to or
//! replacing the built ones, but not `iss`, `iat`, `exp`, `jti`), `lifetimeSeconds` (default
//! 3600), `tokenType` (`access_token` or `id_token`).

use super::event;
use crate::domain::{AccessTokenRecord, ClaimType, Group, User};
use crate::http::api::body::{ApiJson, Validation};
use crate::http::context::RequestContext;
use crate::http::error::OktaError;
use crate::jose::claims::{
    access_token_claims, evaluate_claims, id_token_claims, AccessTokenInput, ClaimError, IdTokenInput, TokenSubject,
};
use crate::oauth::client::Client;
use crate::oauth::server::Issuer;
use crate::oauth::token::issue::groups_of;
use crate::oauth::token::log::user_target;
use crate::state::AppState;
use crate::store::{Issuance, Store};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Claims baton sets itself; the lifetime and the dev clock decide `iat`/`exp`.
const RESERVED: &[&str] = &["iss", "iat", "exp", "jti"];
const DEFAULT_LIFETIME_SECONDS: i64 = 3600;
/// One year.
const MAX_LIFETIME_SECONDS: i64 = 366 * 24 * 3600;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MintRequest {
    authorization_server: Option<String>,
    client_id: Option<String>,
    user_id: Option<String>,
    login: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    claims: Map<String, Value>,
    lifetime_seconds: Option<i64>,
    token_type: Option<String>,
}

fn claim_failure(e: &ClaimError) -> OktaError {
    Validation::one("claims", &format!("a custom claim of the authorization server failed: {e}"))
}

pub async fn mint(
    State(state): State<AppState>,
    RequestContext(ctx): RequestContext,
    ApiJson(req): ApiJson<MintRequest>,
) -> Result<Json<Value>, OktaError> {
    let store = state.store.as_ref();
    let mut v = Validation::default();
    let (id_token, lifetime) = check_request(&req, &mut v);
    let issuer = find_issuer(&state, req.authorization_server.as_deref(), &mut v).await?;
    let client = match req.client_id.as_deref() {
        None => {
            v.require::<String>(None, "clientId");
            None
        }
        Some(id) => {
            let client = Client::find(store, id).await?;
            v.check(client.is_some(), "clientId", "no app or agent with this client id");
            client
        }
    };
    let user = find_user(store, &req, id_token, &mut v).await?;
    v.finish()?;
    let (Some(issuer), Some(client)) = (issuer, client) else { return Err(Validation::one("clientId", "missing")) };
    let groups: Vec<Group> = match &user {
        Some(u) => groups_of(store, &u.id).await?,
        None => Vec::new(),
    };
    let now_ms = state.clock.now_ms();
    let iat = now_ms.div_euclid(1000);
    let minting = Minting {
        issuer: &issuer,
        client_id: client.client_id(),
        org_id: &state.org.id,
        user: user.as_ref().map(|u| (u, groups.as_slice())),
        scopes: &req.scopes,
        iat,
        exp: iat + lifetime,
    };
    let mut claims = build_claims(store, &minting, id_token).await?;
    for (name, value) in req.claims {
        claims.insert(name, value);
    }
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default().to_owned();
    let token = state.keys.sign(store, &issuer.key_owner, &claims, None).await.map_err(|e| OktaError::internal(&e))?;
    let kind = if id_token { "id_token" } else { "access_token" };
    let mut ev = event("system.dev.token.mint", "Mint a token with the dev helper")
        .target(issuer.target())
        .client(minting.client_id)
        .debug("tokenType", kind)
        .debug("jti", jti.clone())
        .debug("scopes", req.scopes.join(" "));
    if let Some(u) = &user {
        ev = ev.target(user_target(u));
    }
    let events = [ev.build(&ctx, now_ms)];
    if id_token {
        store.append_events(&events).await?;
    } else {
        let record = AccessTokenRecord {
            jti: jti.clone(),
            auth_server_id: issuer.id().to_owned(),
            client_id: minting.client_id.to_owned(),
            user_id: user.as_ref().map(|u| u.id.clone()),
            grant_id: None,
            created: now_ms,
            expires: minting.exp * 1000,
            revoked: None,
        };
        store.record_issuance(&Issuance { access_token: Some(&record), ..Issuance::default() }, &events).await?;
    }
    Ok(Json(response(&minting, kind, &token, lifetime, &jti)))
}

/// The body's own fields: `tokenType` (true for an ID token), `lifetimeSeconds`, no reserved
/// claim, scope names.
fn check_request(req: &MintRequest, v: &mut Validation) -> (bool, i64) {
    let id_token = match req.token_type.as_deref() {
        None | Some("access_token") => false,
        Some("id_token") => true,
        Some(_) => {
            v.error("tokenType", "must be access_token or id_token");
            false
        }
    };
    let lifetime = req.lifetime_seconds.unwrap_or(DEFAULT_LIFETIME_SECONDS);
    v.check((1..=MAX_LIFETIME_SECONDS).contains(&lifetime), "lifetimeSeconds", "must be between 1 and 31622400");
    for name in RESERVED {
        v.check(!req.claims.contains_key(*name), &format!("claims.{name}"), "is set by baton");
    }
    v.check(req.scopes.iter().all(|s| !s.is_empty() && !s.contains(' ')), "scopes", "must be scope names");
    (id_token, lifetime)
}

/// `authorizationServer`: `org`, or an ACTIVE custom AS (default `default`).
async fn find_issuer(state: &AppState, id: Option<&str>, v: &mut Validation) -> Result<Option<Issuer>, OktaError> {
    let as_id = id.unwrap_or(crate::bootstrap::DEFAULT_AS);
    if as_id == "org" {
        return Ok(Some(Issuer::org(state)));
    }
    Ok(match state.store.find_auth_server(as_id).await? {
        Some(server) if server.status == crate::domain::Status::Active => Some(Issuer::custom(state, server)),
        _ => {
            v.error("authorizationServer", "no ACTIVE authorization server with this id (or `org`)");
            None
        }
    })
}

/// `userId` or `login`, not both; neither gives a client token (never an ID token).
async fn find_user(
    store: &dyn Store,
    req: &MintRequest,
    id_token: bool,
    v: &mut Validation,
) -> Result<Option<User>, OktaError> {
    Ok(match (&req.user_id, &req.login) {
        (Some(_), Some(_)) => {
            v.error("userId", "give userId or login, not both");
            None
        }
        (Some(id), None) => {
            let user = store.find_user(id).await?;
            v.check(user.is_some(), "userId", "no user with this id");
            user
        }
        (None, Some(login)) => {
            let user = store.find_user_by_login(login).await?;
            v.check(user.is_some(), "login", "no user with this login");
            user
        }
        (None, None) => {
            v.check(!id_token, "userId", "an ID token is about a user: give userId or login");
            None
        }
    })
}

/// What the token is built from, once the request is valid.
struct Minting<'a> {
    issuer: &'a Issuer,
    client_id: &'a str,
    org_id: &'a str,
    user: Option<(&'a User, &'a [Group])>,
    scopes: &'a [String],
    iat: i64,
    exp: i64,
}

/// The claims the token endpoint would build: an ID token's for a user when asked, else an
/// access token's (`sub` = `cid` without a user).
async fn build_claims(store: &dyn Store, m: &Minting<'_>, id_token: bool) -> Result<Map<String, Value>, OktaError> {
    let custom_claims = match m.issuer.server() {
        Some(server) => store.list_claims(&server.id).await?,
        None => Vec::new(),
    };
    if let (true, Some((user, groups))) = (id_token, m.user) {
        let identity = evaluate_claims(&custom_claims, ClaimType::Identity, m.scopes, m.user, true)
            .map_err(|e| claim_failure(&e))?;
        return id_token_claims(&IdTokenInput {
            issuer: &m.issuer.issuer,
            client_id: m.client_id,
            org_id: m.org_id,
            user,
            groups,
            org_as: m.issuer.is_org(),
            scopes: m.scopes,
            iat: m.iat,
            exp: m.exp,
            auth_time: m.iat,
            nonce: None,
            access_token: None,
            identity_claims: &identity,
        })
        .map_err(|e| claim_failure(&e));
    }
    let resource =
        evaluate_claims(&custom_claims, ClaimType::Resource, m.scopes, m.user, false).map_err(|e| claim_failure(&e))?;
    let subject = match m.user {
        Some((u, _)) => TokenSubject::User { id: &u.id, login: u.profile.login() },
        None => TokenSubject::Client { client_id: m.client_id },
    };
    Ok(access_token_claims(&AccessTokenInput {
        issuer: &m.issuer.issuer,
        audience: &m.issuer.audience(),
        iat: m.iat,
        exp: m.exp,
        client_id: m.client_id,
        subject,
        scopes: m.scopes,
        auth_time: m.user.map(|_| m.iat),
        resource_claims: &resource,
        jwt_bearer: None,
    }))
}

/// The answer: the token under its kind, its times, scope, issuer and `jti`.
fn response(m: &Minting<'_>, kind: &str, token: &str, lifetime: i64, jti: &str) -> Value {
    let mut body = Map::new();
    if kind == "access_token" {
        body.insert("token_type".into(), json!("Bearer"));
    }
    body.insert(kind.into(), json!(token));
    body.insert("expires_in".into(), json!(lifetime));
    body.insert("issued_at".into(), json!(crate::clock::iso8601(m.iat * 1000)));
    body.insert("expires_at".into(), json!(crate::clock::iso8601(m.exp * 1000)));
    body.insert("scope".into(), json!(m.scopes.join(" ")));
    body.insert("issuer".into(), json!(m.issuer.issuer));
    body.insert("jti".into(), json!(jti));
    Value::Object(body)
}
