//! Custom claims of a custom AS, stored exactly as the token code evaluates them
//! (`jose::claims::evaluate_claims`): EXPRESSION values are `user.<attr>` or a quoted
//! literal, GROUPS claims a filter type and pattern; SYSTEM is reserved.

use super::{load_server, server_target, views, BASE};
use crate::audit::Target;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, Claim, ClaimType, ClaimValueType, Status, TextEnum};
use crate::http::api::auth::{forbidden, Admin, Audit};
use crate::http::api::body::{conflict, ApiJson, Validation};
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::jose::claims::{validate_expression, validate_group_filter};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

/// Claims baton (or the JWT itself) sets; a custom claim may not take these names.
const RESERVED: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "ver",
    "cid",
    "uid",
    "scp",
    "scope",
    "auth_time",
    "amr",
    "idp",
    "nonce",
    "at_hash",
    "c_hash",
    "act",
    "sub_profile",
    "client_id",
];

pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    let all = format!("{BASE}/{{authServerId}}/claims");
    let one = format!("{all}/{{claimId}}");
    r.get(&all, "List all custom token claims", list_claims)
        .post(&all, "Create a custom token claim", 201, create_claim)
        .get(&one, "Retrieve a custom token claim", get_claim)
        .put(&one, "Replace a custom token claim", 200, replace_claim)
        .delete(&one, "Delete a custom token claim", 204, delete_claim)
}

fn claim_target(c: &Claim) -> Target {
    Target::new(&c.id, "OAuth2Claim", &c.name, &c.name)
}

async fn load_claim(state: &AppState, server: &AuthServer, id: &str) -> Result<Claim, OktaError> {
    state.store.find_claim(&server.id, id).await?.ok_or_else(|| OktaError::not_found(id, "OAuth2Claim"))
}

async fn list_claims(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    let claims = state.store.list_claims(&server.id).await?;
    Ok(Json(Value::Array(claims.iter().map(|c| views::claim(&state, c)).collect())))
}

#[derive(Deserialize, Default)]
struct Conditions {
    scopes: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClaimBody {
    name: Option<String>,
    status: Option<String>,
    claim_type: Option<String>,
    value_type: Option<String>,
    value: Option<String>,
    #[serde(rename = "group_filter_type")]
    group_filter_type: Option<String>,
    conditions: Option<Conditions>,
    always_include_in_token: Option<bool>,
}

/// Applies a validated body to `claim`, one cause per wrong field. A name already used by a
/// claim of the same type on the server is a conflict; condition scopes must exist there.
async fn apply(state: &AppState, claim: &mut Claim, body: ClaimBody) -> Result<(), OktaError> {
    let mut v = Validation::default();
    let name = body.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    v.require(name.as_ref(), "name");
    if let Some(n) = &name {
        v.check(!RESERVED.contains(&n.as_str()), "name", "is a reserved claim name");
        v.check(
            n.len() <= 100 && !n.contains(char::is_whitespace),
            "name",
            "must be at most 100 characters without spaces",
        );
    }
    let status = body.status.as_deref().map_or(Some(Status::Active), Status::parse);
    v.check(status.is_some(), "status", "must be ACTIVE or INACTIVE");
    let claim_type = body.claim_type.as_deref().and_then(ClaimType::parse);
    match &body.claim_type {
        None => v.error("claimType", "The field cannot be left blank"),
        Some(_) => v.check(claim_type.is_some(), "claimType", "must be IDENTITY or RESOURCE"),
    }
    let value_type = body.value_type.as_deref().map_or(Some(ClaimValueType::Expression), ClaimValueType::parse);
    match value_type {
        None => v.error("valueType", "must be EXPRESSION or GROUPS"),
        Some(ClaimValueType::System) => v.error("valueType", "SYSTEM claims are reserved"),
        Some(_) => {}
    }
    let value = body.value.filter(|x| !x.trim().is_empty());
    v.require(value.as_ref(), "value");
    let filter = body.group_filter_type.filter(|f| !f.is_empty());
    if let Some(value) = &value {
        match value_type {
            Some(ClaimValueType::Expression) => {
                v.check(
                    validate_expression(value),
                    "value",
                    &format!("\"{value}\" is not a supported expression (user.<attribute> or a quoted string literal)"),
                );
                v.check(filter.is_none(), "group_filter_type", "only GROUPS claims have a group filter");
            }
            Some(ClaimValueType::Groups) => match &filter {
                None => v.error("group_filter_type", "The field cannot be left blank"),
                Some(f) if !["STARTS_WITH", "EQUALS", "CONTAINS", "REGEX"].contains(&f.as_str()) => {
                    v.error("group_filter_type", "must be one of STARTS_WITH, EQUALS, CONTAINS, REGEX");
                }
                Some(f) => v.check(validate_group_filter(f, value), "value", "is not a valid regular expression"),
            },
            _ => {}
        }
    }
    let always = body.always_include_in_token.unwrap_or(true);
    v.check(
        always || claim_type != Some(ClaimType::Resource),
        "alwaysIncludeInToken",
        "RESOURCE claims are always included in the token",
    );
    let scopes = body.conditions.unwrap_or_default().scopes.unwrap_or_default();
    let known = state.store.list_scopes(&claim.auth_server_id).await?;
    for s in scopes.iter().filter(|s| !known.iter().any(|k| k.name == **s)) {
        v.error("conditions.scopes", &format!("{s} is not a scope of this authorization server"));
    }
    v.finish()?;
    let others = state.store.list_claims(&claim.auth_server_id).await?;
    if others.iter().any(|c| c.id != claim.id && Some(&c.name) == name.as_ref() && Some(c.claim_type) == claim_type) {
        return Err(conflict("name"));
    }
    claim.name = name.unwrap_or_default();
    claim.status = status.unwrap_or(Status::Active);
    claim.claim_type = claim_type.unwrap_or(ClaimType::Resource);
    claim.value_type = value_type.unwrap_or(ClaimValueType::Expression);
    claim.value = value.unwrap_or_default();
    claim.group_filter_type = filter;
    claim.scopes = scopes;
    claim.always_include_in_token = always;
    Ok(())
}

async fn create_claim(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClaimBody>,
) -> Result<impl IntoResponse, OktaError> {
    let claim = create(&state, &admin, &id, body).await?;
    Ok((StatusCode::CREATED, Json(views::claim(&state, &claim))))
}

/// Adds the claim `body` describes to server `id`.
pub(crate) async fn create(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: ClaimBody,
) -> Result<Claim, OktaError> {
    let server = load_server(state, id).await?;
    let now = state.clock.now_ms();
    let mut claim = Claim::new(new_id(Prefix::Claim), &server.id, "", ClaimType::Resource, now);
    apply(state, &mut claim, body).await?;
    let event = admin
        .event("oauth2.claim.created", "Create OAuth2 claim")
        .target(claim_target(&claim))
        .target(server_target(state, &server));
    state.store.create_claim(&claim, &[admin.record(event, now)]).await?;
    Ok(claim)
}

async fn get_claim(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, claim_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let server = load_server(&state, &id).await?;
    Ok(Json(views::claim(&state, &load_claim(&state, &server, &claim_id).await?)))
}

async fn replace_claim(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, claim_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ClaimBody>,
) -> Result<Json<Value>, OktaError> {
    let claim = replace(&state, &admin, &id, &claim_id, body).await?;
    Ok(Json(views::claim(&state, &claim)))
}

/// Replaces custom claim `claim_id` of server `id` with what `body` describes; a system claim
/// is 403 `E0000006`.
pub(crate) async fn replace(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    claim_id: &str,
    body: ClaimBody,
) -> Result<Claim, OktaError> {
    let server = load_server(state, id).await?;
    let mut claim = load_claim(state, &server, claim_id).await?;
    if claim.system {
        return Err(forbidden());
    }
    apply(state, &mut claim, body).await?;
    let now = state.clock.now_ms();
    claim.last_updated = now;
    let event = admin
        .event("oauth2.claim.updated", "Update OAuth2 claim")
        .target(claim_target(&claim))
        .target(server_target(state, &server));
    state.store.update_claim(&claim, &[admin.record(event, now)]).await?;
    Ok(claim)
}

async fn delete_claim(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, claim_id)): Path<(String, String)>,
) -> Result<StatusCode, OktaError> {
    delete(&state, &admin, &id, &claim_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a custom claim; a system claim is 403 `E0000006`.
pub(crate) async fn delete(state: &AppState, admin: &impl Audit, id: &str, claim_id: &str) -> Result<(), OktaError> {
    let server = load_server(state, id).await?;
    let claim = load_claim(state, &server, claim_id).await?;
    if claim.system {
        return Err(forbidden());
    }
    let now = state.clock.now_ms();
    let event = admin
        .event("oauth2.claim.deleted", "Delete OAuth2 claim")
        .target(claim_target(&claim))
        .target(server_target(state, &server));
    state.store.delete_claim(&server.id, &claim.id, &[admin.record(event, now)]).await?;
    Ok(())
}
