//! The ID-JAG itself (ID-JAG draft -04 §3.1; xaa.md §4.6) and the leg-1 response (§4.7).

use super::errors;
use super::subject::Subject;
use super::Deps;
use crate::domain::ids::new_secret;
use crate::oauth::error::{no_store, OAuthError};
use crate::oauth::token::TokenRequest;
use crate::oauth::ID_JAG_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// An ID-JAG lives five minutes.
pub const LIFETIME_S: i64 = 300;
/// The JOSE `typ` of an ID-JAG.
pub const TYP: &str = "oauth-id-jag+jwt";

/// What goes into one ID-JAG besides the request's time and issuer.
#[derive(Debug)]
pub struct Plan<'a> {
    /// The audience AS issuer, canonical.
    pub audience: &'a str,
    /// The connection's `targetClientId`, else X.
    pub client_id: &'a str,
    pub resource: Option<&'a str>,
    pub scopes: &'a [String],
    pub subject: &'a Subject,
    pub act: &'a Value,
}

/// The claims in the order of xaa.md §9: `jti iss aud iat exp sub [email] client_id [resource]
/// sub_profile scope [auth_time] act`.
#[must_use]
pub fn claims(p: &Plan<'_>, issuer: &str, iat: i64) -> Map<String, Value> {
    let s = p.subject;
    let (sub, sub_profile) = match (&s.user, &s.machine) {
        (Some(user), _) => (user.id.as_str(), "user"),
        (None, Some(machine)) => (machine.client_id(), machine.sub_profile()),
        (None, None) => (s.client.client_id(), s.client.sub_profile()),
    };
    let mut m = Map::new();
    m.insert("jti".into(), json!(format!("IDAAG.{}", new_secret())));
    m.insert("iss".into(), json!(issuer));
    m.insert("aud".into(), json!(p.audience));
    m.insert("iat".into(), json!(iat));
    m.insert("exp".into(), json!(iat + LIFETIME_S));
    m.insert("sub".into(), json!(sub));
    if let (Some(email), Some(_)) = (&s.email, &s.user) {
        m.insert("email".into(), json!(email));
    }
    m.insert("client_id".into(), json!(p.client_id));
    if let Some(resource) = p.resource {
        m.insert("resource".into(), json!(resource));
    }
    m.insert("sub_profile".into(), json!(sub_profile));
    m.insert("scope".into(), json!(p.scopes.join(" ")));
    if let Some(auth_time) = s.auth_time {
        m.insert("auth_time".into(), json!(auth_time));
    }
    m.insert("act".into(), p.act.clone());
    m
}

/// Signs the ID-JAG with the org AS key; returns it with its `jti`.
pub async fn sign(deps: Deps<'_>, req: &TokenRequest<'_>, plan: &Plan<'_>) -> Result<(String, String), OAuthError> {
    let claims = claims(plan, &req.issuer.issuer, req.now_ms.div_euclid(1000));
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default().to_owned();
    match deps.keys.sign(deps.store, &req.issuer.key_owner, &claims, Some(TYP)).await {
        Ok(jwt) => Ok((jwt, jti)),
        Err(e) => {
            tracing::error!(error = %e, "could not sign an ID-JAG");
            Err(errors::not_generated())
        }
    }
}

/// Exactly 200 with the five members of xaa.md §4.7 and the no-store headers.
#[must_use]
pub fn response(jwt: &str, scopes: &[String]) -> Response {
    let body = json!({
        "issued_token_type": ID_JAG_TYPE,
        "access_token": jwt,
        "token_type": "N_A",
        "expires_in": LIFETIME_S,
        "scope": scopes.join(" "),
    });
    let mut response = Json(body).into_response();
    no_store(&mut response);
    response
}
