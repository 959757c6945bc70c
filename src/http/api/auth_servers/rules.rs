//! Rules of an access policy (`RESOURCE_ACCESS`): who, which grant types and scopes, and the
//! token lifetimes (okta-surface.md §1, §7.4). Every bound violated is its own cause.

use super::policies::{load_policy, policy_target};
use super::{load_server, reprioritize, server_target, views, BASE};
use crate::audit::Target;
use crate::domain::auth_server::{IncludeExclude, IncludeOnly, People};
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, Policy, PolicyRule, RuleConditions, Status, TextEnum, TokenLifetimes};
use crate::http::api::auth::{forbidden, Admin, Audit};
use crate::http::api::body::{store_error, ApiJson, Validation};
use crate::http::api::routes::ApiRoutes;
use crate::http::error::OktaError;
use crate::oauth::token::registry::rule_grant_types;
use crate::policy::EVERYONE;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

pub(crate) type Ids = (String, String, String);

pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    let all = format!("{BASE}/{{authServerId}}/policies/{{policyId}}/rules");
    let one = format!("{all}/{{ruleId}}");
    r.get(&all, "List all policy rules", list_rules)
        .post(&all, "Create a policy rule", 201, create_rule)
        .get(&one, "Retrieve a policy rule", get_rule)
        .put(&one, "Replace a policy rule", 200, replace_rule)
        .delete(&one, "Delete a policy rule", 204, delete_rule)
        .post(&format!("{one}/lifecycle/activate"), "Activate a policy rule", 204, activate)
        .post(&format!("{one}/lifecycle/deactivate"), "Deactivate a policy rule", 204, deactivate)
}

fn rule_target(r: &PolicyRule) -> Target {
    Target::new(&r.id, "PolicyRule", &r.name, &r.name)
}

async fn parents(state: &AppState, id: &str, policy_id: &str) -> Result<(AuthServer, Policy), OktaError> {
    let server = load_server(state, id).await?;
    let policy = load_policy(state, &server, policy_id).await?;
    Ok((server, policy))
}

async fn load_rule(state: &AppState, ids: &Ids) -> Result<(AuthServer, Policy, PolicyRule), OktaError> {
    let (server, policy) = parents(state, &ids.0, &ids.1).await?;
    let rule =
        state.store.find_rule(&policy.id, &ids.2).await?.ok_or_else(|| OktaError::not_found(&ids.2, "PolicyRule"))?;
    Ok((server, policy, rule))
}

async fn list_rules(
    State(state): State<AppState>,
    _admin: Admin,
    Path((id, policy_id)): Path<(String, String)>,
) -> Result<Json<Value>, OktaError> {
    let (_, policy) = parents(&state, &id, &policy_id).await?;
    let rules = state.store.list_rules(&policy.id).await?;
    Ok(Json(Value::Array(rules.iter().map(|r| views::rule(&state, r)).collect())))
}

#[derive(Deserialize, Default)]
struct PeopleBody {
    users: Option<IncludeExclude>,
    groups: Option<IncludeExclude>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ConditionsBody {
    people: Option<PeopleBody>,
    grant_types: Option<IncludeOnly>,
    scopes: Option<IncludeOnly>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_field_names)] // Okta's field names
struct TokenBody {
    access_token_lifetime_minutes: Option<i64>,
    refresh_token_lifetime_minutes: Option<i64>,
    refresh_token_window_minutes: Option<i64>,
}

#[derive(Deserialize, Default)]
struct ActionsBody {
    token: Option<TokenBody>,
}

#[derive(Deserialize)]
pub(crate) struct RuleBody {
    #[serde(rename = "type")]
    kind: Option<String>,
    name: Option<String>,
    priority: Option<i64>,
    status: Option<String>,
    conditions: Option<ConditionsBody>,
    actions: Option<ActionsBody>,
}

async fn check_people(state: &AppState, v: &mut Validation, people: &People) -> Result<(), OktaError> {
    for (field, ids) in [("users.include", &people.users.include), ("users.exclude", &people.users.exclude)] {
        for id in ids {
            if state.store.find_user(id).await?.is_none() {
                v.error(&format!("conditions.people.{field}"), &format!("{id} is not a user of this org"));
            }
        }
    }
    for (field, ids) in [("groups.include", &people.groups.include), ("groups.exclude", &people.groups.exclude)] {
        for id in ids.iter().filter(|g| *g != EVERYONE) {
            if state.store.find_group(id).await?.is_none() {
                v.error(&format!("conditions.people.{field}"), &format!("{id} is not a group of this org"));
            }
        }
    }
    Ok(())
}

fn check_token(v: &mut Validation, t: &TokenLifetimes) {
    v.check(
        (5..=1440).contains(&t.access_token_minutes),
        "actions.token.accessTokenLifetimeMinutes",
        "must be between 5 and 1440",
    );
    v.check(
        t.refresh_token_minutes == 0 || t.refresh_token_minutes >= t.access_token_minutes,
        "actions.token.refreshTokenLifetimeMinutes",
        "must be 0 (unlimited) or at least the access token lifetime",
    );
    v.check(
        (10..=2_628_000).contains(&t.refresh_token_window_minutes),
        "actions.token.refreshTokenWindowMinutes",
        "must be between 10 and 2628000",
    );
}

/// Applies a validated body to `rule`; returns the priority asked for.
async fn apply(state: &AppState, rule: &mut PolicyRule, body: RuleBody) -> Result<Option<i64>, OktaError> {
    let mut v = Validation::default();
    match body.kind.as_deref() {
        None => v.error("type", "The field cannot be left blank"),
        Some(k) => v.check(k == "RESOURCE_ACCESS", "type", "must be RESOURCE_ACCESS"),
    }
    let name = body.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    v.require(name.as_ref(), "name");
    v.check(name.as_ref().is_none_or(|n| n.chars().count() <= 255), "name", "must be at most 255 characters");
    v.check(body.priority.is_none_or(|p| p >= 1), "priority", "must be 1 or more");
    let status = body.status.as_deref().map_or(Some(rule.status), Status::parse);
    v.check(status.is_some(), "status", "must be ACTIVE or INACTIVE");
    v.require(body.conditions.as_ref(), "conditions");
    let c = body.conditions.unwrap_or_default();
    let people = c.people.map_or_else(People::everyone, |p| People {
        users: p.users.unwrap_or_default(),
        groups: p.groups.unwrap_or_default(),
    });
    check_people(state, &mut v, &people).await?;
    let grants = c.grant_types.unwrap_or_default().include;
    v.check(!grants.is_empty(), "conditions.grantTypes.include", "The field cannot be left blank");
    let allowed = rule_grant_types();
    for g in grants.iter().filter(|g| !allowed.contains(&g.as_str())) {
        v.error("conditions.grantTypes.include", &format!("{g} is not a grant type a rule can allow"));
    }
    let scopes = c.scopes.unwrap_or_default().include;
    v.check(!scopes.is_empty(), "conditions.scopes.include", "The field cannot be left blank");
    if !scopes.iter().any(|s| s == "*") {
        let known = state.store.list_scopes(&rule.auth_server_id).await?;
        for s in scopes.iter().filter(|s| !known.iter().any(|k| k.name == **s)) {
            v.error("conditions.scopes.include", &format!("{s} is not a scope of this authorization server"));
        }
    }
    let t = body.actions.unwrap_or_default().token.unwrap_or_default();
    let d = TokenLifetimes::default();
    let token = TokenLifetimes {
        access_token_minutes: t.access_token_lifetime_minutes.unwrap_or(d.access_token_minutes),
        refresh_token_minutes: t.refresh_token_lifetime_minutes.unwrap_or(d.refresh_token_minutes),
        refresh_token_window_minutes: t.refresh_token_window_minutes.unwrap_or(d.refresh_token_window_minutes),
    };
    check_token(&mut v, &token);
    v.finish()?;
    rule.name = name.unwrap_or_default();
    rule.status = status.unwrap_or(Status::Active);
    rule.conditions = RuleConditions {
        people,
        grant_types: IncludeOnly { include: grants },
        scopes: IncludeOnly { include: scopes },
    };
    rule.token = token;
    Ok(body.priority)
}

/// Places `rule` at `wanted` among its policy's other rules and saves it with the shifted ones.
async fn save(
    state: &AppState,
    admin: &impl Audit,
    (server, policy): (&AuthServer, &Policy),
    rule: &mut PolicyRule,
    wanted: Option<i64>,
    create: bool,
) -> Result<(), OktaError> {
    let siblings: Vec<(String, i64)> = state
        .store
        .list_rules(&policy.id)
        .await?
        .into_iter()
        .filter(|r| r.id != rule.id)
        .map(|r| (r.id, r.priority))
        .collect();
    let keep = (!create && wanted.is_none()).then_some(rule.priority);
    let (priority, shifted) = reprioritize(&siblings, wanted.or(keep));
    rule.priority = priority;
    let now = state.clock.now_ms();
    rule.last_updated = now;
    let (kind, message) =
        if create { ("policy.rule.add", "Add policy rule") } else { ("policy.rule.update", "Update policy rule") };
    let event = admin
        .event(kind, message)
        .target(rule_target(rule))
        .target(policy_target(policy))
        .target(server_target(state, server));
    state
        .store
        .save_rule(rule, create, &shifted, &[admin.record(event, now)])
        .await
        .map_err(|e| store_error(e, "policy"))
}

async fn create_rule(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, policy_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<RuleBody>,
) -> Result<impl IntoResponse, OktaError> {
    let rule = create(&state, &admin, &id, &policy_id, body).await?;
    Ok((StatusCode::CREATED, Json(views::rule(&state, &rule))))
}

/// Adds the rule `body` describes to policy `policy_id` of server `id`.
pub(crate) async fn create(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    policy_id: &str,
    body: RuleBody,
) -> Result<PolicyRule, OktaError> {
    let (server, policy) = parents(state, id, policy_id).await?;
    let now = state.clock.now_ms();
    let mut rule = PolicyRule::new(new_id(Prefix::Rule), &policy.id, &server.id, "", 1, now);
    let wanted = apply(state, &mut rule, body).await?;
    save(state, admin, (&server, &policy), &mut rule, wanted, true).await?;
    Ok(rule)
}

async fn get_rule(
    State(state): State<AppState>,
    _admin: Admin,
    Path(ids): Path<Ids>,
) -> Result<Json<Value>, OktaError> {
    let (_, _, rule) = load_rule(&state, &ids).await?;
    Ok(Json(views::rule(&state, &rule)))
}

async fn replace_rule(
    State(state): State<AppState>,
    admin: Admin,
    Path(ids): Path<Ids>,
    ApiJson(body): ApiJson<RuleBody>,
) -> Result<Json<Value>, OktaError> {
    Ok(Json(views::rule(&state, &replace(&state, &admin, &ids, body).await?)))
}

/// Replaces rule `(server, policy, rule)` with `body`.
pub(crate) async fn replace(
    state: &AppState,
    admin: &impl Audit,
    ids: &Ids,
    body: RuleBody,
) -> Result<PolicyRule, OktaError> {
    let (server, policy, mut rule) = load_rule(state, ids).await?;
    let wanted = apply(state, &mut rule, body).await?;
    save(state, admin, (&server, &policy), &mut rule, wanted, false).await?;
    Ok(rule)
}

async fn delete_rule(
    State(state): State<AppState>,
    admin: Admin,
    Path(ids): Path<Ids>,
) -> Result<StatusCode, OktaError> {
    delete(&state, &admin, &ids).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes rule `(server, policy, rule)`; a system rule is 403 `E0000006`.
pub(crate) async fn delete(state: &AppState, admin: &impl Audit, ids: &Ids) -> Result<(), OktaError> {
    let (server, policy, rule) = load_rule(state, ids).await?;
    if rule.system {
        return Err(forbidden());
    }
    let now = state.clock.now_ms();
    let event = admin
        .event("policy.rule.delete", "Delete policy rule")
        .target(rule_target(&rule))
        .target(policy_target(&policy))
        .target(server_target(state, &server));
    state.store.delete_rule(&policy.id, &rule.id, &[admin.record(event, now)]).await?;
    Ok(())
}

/// Activates or deactivates the rule `ids` names (a no-op when it already is).
pub(crate) async fn set_status(
    state: &AppState,
    admin: &impl Audit,
    ids: &Ids,
    status: Status,
) -> Result<StatusCode, OktaError> {
    let (server, policy, mut rule) = load_rule(state, ids).await?;
    if rule.status == status {
        return Ok(StatusCode::NO_CONTENT);
    }
    let now = state.clock.now_ms();
    rule.status = status;
    rule.last_updated = now;
    let (kind, message) = if status == Status::Active {
        ("policy.rule.activate", "Activate policy rule")
    } else {
        ("policy.rule.deactivate", "Deactivate policy rule")
    };
    let event = admin
        .event(kind, message)
        .target(rule_target(&rule))
        .target(policy_target(&policy))
        .target(server_target(state, &server));
    state.store.update_rule(&rule, &[admin.record(event, now)]).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn activate(State(state): State<AppState>, admin: Admin, Path(ids): Path<Ids>) -> Result<StatusCode, OktaError> {
    set_status(&state, &admin, &ids, Status::Active).await
}

async fn deactivate(
    State(state): State<AppState>,
    admin: Admin,
    Path(ids): Path<Ids>,
) -> Result<StatusCode, OktaError> {
    set_status(&state, &admin, &ids, Status::Inactive).await
}
