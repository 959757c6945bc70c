//! The claim sets of the tokens baton signs and of `/userinfo`, built as ordered JSON maps whose
//! key order is Okta's (`serde_json` with `preserve_order`): access tokens (okta-surface.md §7.2,
//! xaa.md §6 for jwt-bearer), ID tokens (§7.3), userinfo (§6.3 with the §7.3 table), and the
//! custom claims of a custom AS (§11.4) in `custom`. Pure: the caller picks the times (JWT
//! seconds), the subject and the scopes; nothing here reads a clock or a store.
//!
//! Custom claims never override the claims baton sets itself (xaa.md §6): a custom claim whose
//! name is already taken is dropped.

mod custom;
mod standard;

pub use custom::{evaluate_claims, validate_expression, validate_group_filter, MAX_GROUPS};
pub use standard::userinfo_claims;

use crate::domain::ids::new_secret;
use crate::domain::{Group, User};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Why a claim set cannot be built; the request fails (`server_error` at the endpoint).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    /// A stored EXPRESSION claim that `validate_expression` would reject.
    #[error("claim {claim}: unsupported expression {value:?}")]
    InvalidExpression { claim: String, value: String },
    /// A GROUPS claim with an unknown `group_filter_type` or a REGEX that does not compile.
    #[error("claim {claim}: invalid group filter: {detail}")]
    InvalidGroupFilter { claim: String, detail: String },
    /// More than `MAX_GROUPS` group names (okta-surface.md §7.3: over 100 fails the request).
    #[error("claim {claim}: {count} groups, at most 100 fit in a token")]
    TooManyGroups { claim: String, count: usize },
}

/// The `amr` baton records: password sign-in is the only method (okta-surface.md §4.3).
pub const AMR: &[&str] = &["pwd"];

/// Who an access token is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSubject<'a> {
    /// A user: `uid` is the id, `sub` the `profile.login`.
    User { id: &'a str, login: &'a str },
    /// A client (client credentials, or a machine subject of jwt-bearer): `sub` is its client
    /// id, no `uid`.
    Client { client_id: &'a str },
}

/// The claims only a jwt-bearer (ID-JAG redemption) access token has, besides `scope`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct JwtBearerClaims<'a> {
    /// The ID-JAG's `act`, copied verbatim.
    pub act: Option<&'a Value>,
    /// The ID-JAG's `sub_profile`, copied verbatim.
    pub sub_profile: Option<&'a str>,
}

/// Inputs of an access token (okta-surface.md §7.2).
#[derive(Debug, Clone, Copy)]
pub struct AccessTokenInput<'a> {
    pub issuer: &'a str,
    /// Custom AS: `audiences[0]` or the bound `resource`; org AS: `{base}`.
    pub audience: &'a str,
    /// Epoch seconds.
    pub iat: i64,
    /// Epoch seconds: `iat` + the rule's access-token lifetime.
    pub exp: i64,
    /// The client the token is issued to (`cid`).
    pub client_id: &'a str,
    pub subject: TokenSubject<'a>,
    /// Granted scopes, in order (`scp`).
    pub scopes: &'a [String],
    /// Epoch seconds of the user's sign-in; `None` for client tokens (and ID-JAGs without one).
    pub auth_time: Option<i64>,
    /// RESOURCE claims, already evaluated (`evaluate_claims`).
    pub resource_claims: &'a Map<String, Value>,
    /// `Some` for jwt-bearer tokens: adds `scope` (string), `act` and `sub_profile`.
    pub jwt_bearer: Option<JwtBearerClaims<'a>>,
}

/// An access token's claims in Okta's order: `ver jti iss aud iat exp cid uid scp [scope]
/// auth_time sub [act sub_profile]`, then the RESOURCE claims. The fresh `jti` (`AT.` + 43) is
/// in the map for the caller to record.
#[must_use]
pub fn access_token_claims(a: &AccessTokenInput) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("ver".into(), json!(1));
    m.insert("jti".into(), json!(format!("AT.{}", new_secret())));
    m.insert("iss".into(), json!(a.issuer));
    m.insert("aud".into(), json!(a.audience));
    m.insert("iat".into(), json!(a.iat));
    m.insert("exp".into(), json!(a.exp));
    m.insert("cid".into(), json!(a.client_id));
    if let TokenSubject::User { id, .. } = a.subject {
        m.insert("uid".into(), json!(id));
    }
    m.insert("scp".into(), json!(a.scopes));
    if a.jwt_bearer.is_some() {
        m.insert("scope".into(), json!(a.scopes.join(" ")));
    }
    if let Some(t) = a.auth_time {
        m.insert("auth_time".into(), json!(t));
    }
    let sub = match a.subject {
        TokenSubject::User { login, .. } => login,
        TokenSubject::Client { client_id } => client_id,
    };
    m.insert("sub".into(), json!(sub));
    if let Some(jb) = a.jwt_bearer {
        if let Some(act) = jb.act {
            m.insert("act".into(), act.clone());
        }
        if let Some(p) = jb.sub_profile {
            m.insert("sub_profile".into(), json!(p));
        }
    }
    merge_custom(&mut m, a.resource_claims);
    m
}

/// Inputs of an ID token (okta-surface.md §7.3).
#[derive(Debug, Clone, Copy)]
pub struct IdTokenInput<'a> {
    pub issuer: &'a str,
    /// The client the token is issued to (`aud`, a string).
    pub client_id: &'a str,
    /// The org id (`idp`).
    pub org_id: &'a str,
    pub user: &'a User,
    /// The user's groups; only read for the org AS `groups` scope.
    pub groups: &'a [Group],
    /// True on the org AS, where the `groups` scope adds the `groups` claim.
    pub org_as: bool,
    /// Granted scopes.
    pub scopes: &'a [String],
    /// Epoch seconds; `exp` is `iat` + 3600 (okta-surface.md §7.4).
    pub iat: i64,
    pub exp: i64,
    pub auth_time: i64,
    /// The authorize request's `nonce`, if it had one.
    pub nonce: Option<&'a str>,
    /// The access token issued alongside, for `at_hash`.
    pub access_token: Option<&'a str>,
    /// IDENTITY claims with `alwaysIncludeInToken`, already evaluated (`evaluate_claims` with
    /// `for_id_token`).
    pub identity_claims: &'a Map<String, Value>,
}

/// An ID token's claims in Okta's order: `sub [name] [email] ver iss aud iat exp jti amr idp
/// [nonce] [preferred_username] auth_time [at_hash] [groups]`, then the IDENTITY claims. Only
/// the thin scope set is here; the rest of the profile is at `/userinfo`.
pub fn id_token_claims(i: &IdTokenInput) -> Result<Map<String, Value>, ClaimError> {
    let profile = &i.user.profile;
    let has = |s: &str| i.scopes.iter().any(|g| g == s);
    let mut m = Map::new();
    m.insert("sub".into(), json!(i.user.id));
    if has("profile") {
        insert_str(&mut m, "name", &profile.display_name());
    }
    if has("email") {
        insert_str(&mut m, "email", profile.email());
    }
    m.insert("ver".into(), json!(1));
    m.insert("iss".into(), json!(i.issuer));
    m.insert("aud".into(), json!(i.client_id));
    m.insert("iat".into(), json!(i.iat));
    m.insert("exp".into(), json!(i.exp));
    m.insert("jti".into(), json!(format!("ID.{}", new_secret())));
    m.insert("amr".into(), json!(AMR));
    m.insert("idp".into(), json!(i.org_id));
    if let Some(nonce) = i.nonce {
        m.insert("nonce".into(), json!(nonce));
    }
    if has("profile") {
        insert_str(&mut m, "preferred_username", profile.login());
    }
    m.insert("auth_time".into(), json!(i.auth_time));
    if let Some(token) = i.access_token {
        m.insert("at_hash".into(), json!(at_hash(token)));
    }
    if i.org_as && has("groups") {
        m.insert("groups".into(), standard::group_names(i.groups)?);
    }
    merge_custom(&mut m, i.identity_claims);
    Ok(m)
}

/// `at_hash` (OIDC Core §3.1.3.6): base64url of the left half of the SHA-256 of the access
/// token's ASCII octets (RS256 and ES256 both hash with SHA-256).
#[must_use]
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// Adds custom claims to a claim set without overriding any claim already there.
pub fn merge_custom(target: &mut Map<String, Value>, custom: &Map<String, Value>) {
    for (name, value) in custom {
        if !target.contains_key(name) {
            target.insert(name.clone(), value.clone());
        }
    }
}

/// Inserts a string claim unless the value is empty (absent values are omitted, never null).
fn insert_str(m: &mut Map<String, Value>, name: &str, value: &str) {
    if !value.is_empty() {
        m.insert(name.into(), json!(value));
    }
}

#[cfg(test)]
mod tests;
