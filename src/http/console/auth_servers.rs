//! `/admin/auth-servers`: custom authorization servers (okta-surface.md §11.4) — list, create,
//! view (issuer, audience, status), edit, activate, deactivate, delete; their scopes (add,
//! edit, delete), claims (`as_claims`), access policies with their clients (add, edit, delete;
//! activate and deactivate in `as_lifecycle`) and rules with people, grant types, scopes and token
//! lifetimes (add, edit, delete). Every write
//! goes through the Management API's own functions (`crate::http::api::auth_servers`).

use super::apps::{failed, lines};
use super::{
    checked_grants, grant_choices, redirect_with_flash, render_status, ConsoleAdmin, ConsoleForm, ConsoleResult,
    GrantChoice, Layout,
};
use crate::domain::{Status, TextEnum};
use crate::http::api::auth_servers::{load_server, policies, rules, scopes, servers};
use crate::http::api::body::malformed;
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::Page;
use askama::Template;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

const SECTION: &str = "/admin/auth-servers";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/auth-servers", get(list).post(create))
        .route("/admin/auth-servers/{id}", get(show).post(update))
        .route("/admin/auth-servers/{id}/lifecycle/{action}", post(lifecycle))
        .route("/admin/auth-servers/{id}/scopes", post(add_scope))
        .route("/admin/auth-servers/{id}/scopes/{scope_id}", post(edit_scope))
        .route("/admin/auth-servers/{id}/scopes/{scope_id}/delete", post(delete_scope))
        .route("/admin/auth-servers/{id}/policies", post(add_policy))
        .route("/admin/auth-servers/{id}/policies/{policy_id}", post(edit_policy))
        .route("/admin/auth-servers/{id}/policies/{policy_id}/delete", post(delete_policy))
        .route("/admin/auth-servers/{id}/policies/{policy_id}/rules", post(add_rule))
        .route("/admin/auth-servers/{id}/policies/{policy_id}/rules/{rule_id}", post(edit_rule))
        .route("/admin/auth-servers/{id}/policies/{policy_id}/rules/{rule_id}/delete", post(delete_rule))
}

/// The API's body struct from the JSON the form fields make.
fn body<T: DeserializeOwned>(v: Value) -> Result<T, OktaError> {
    serde_json::from_value(v).map_err(|_| malformed())
}

pub struct ServerRow {
    pub id: String,
    pub name: String,
    pub audience: String,
    pub issuer: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "console/auth_servers.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ServerRow>,
    name: String,
    description: String,
    audience: String,
}

async fn list_page(
    state: &AppState,
    admin: &ConsoleAdmin,
    error: Option<&OktaError>,
    f: Option<&ConsoleForm>,
) -> ConsoleResult {
    let rows = state.store.list_auth_servers(&Page { after: None, limit: 1000 }).await?;
    let rows = rows
        .into_iter()
        .map(|s| ServerRow {
            issuer: state.custom_issuer(&s.id),
            audience: s.audiences.join(" "),
            status: s.status.as_str().to_owned(),
            id: s.id,
            name: s.name,
        })
        .collect();
    let (l, status) = failed(admin.layout("Authorization servers", SECTION), error);
    let text = |k: &str| f.map(|f| f.text(k).to_owned()).unwrap_or_default();
    let page = ListPage { l, rows, name: text("name"), description: text("description"), audience: text("audience") };
    Ok(render_status(admin, status, &page))
}

async fn list(State(state): State<AppState>, admin: ConsoleAdmin) -> ConsoleResult {
    list_page(&state, &admin, None, None).await
}

fn server_body(f: &ConsoleForm) -> Result<servers::ServerBody, OktaError> {
    let audiences: Vec<&str> = if f.text("audience").is_empty() { vec![] } else { vec![f.text("audience")] };
    body(json!({"name": f.text("name"), "description": f.text("description"), "audiences": audiences}))
}

async fn create(State(state): State<AppState>, f: ConsoleForm) -> ConsoleResult {
    let r = match server_body(&f) {
        Ok(b) => servers::create(&state, &f.admin, b).await,
        Err(e) => Err(e),
    };
    match r {
        Ok((server, _)) => Ok(redirect_with_flash(
            &state,
            &format!("/admin/auth-servers/{}", server.id),
            "Authorization server created.",
        )),
        Err(e) => list_page(&state, &f.admin, Some(&e), Some(&f)).await,
    }
}

pub struct ScopeRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub consent: String,
    pub system: bool,
}

pub struct RuleRow {
    pub id: String,
    pub name: String,
    pub priority: i64,
    pub status: String,
    pub users: String,
    pub groups: String,
    pub grant_types: String,
    pub scopes: String,
    pub access_minutes: i64,
    pub refresh_minutes: i64,
    pub system: bool,
}

pub struct PolicyRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub priority: i64,
    pub status: String,
    pub clients: String,
    pub system: bool,
    pub rules: Vec<RuleRow>,
}

pub struct ClaimRow {
    pub id: String,
    pub system: bool,
    pub name: String,
    pub claim_type: String,
    pub value_type: String,
    pub value: String,
    pub group_filter_type: String,
    pub scopes: String,
    pub always: bool,
}

#[derive(Template)]
#[template(path = "console/auth_server.html")]
struct ShowPage {
    l: Layout,
    id: String,
    name: String,
    description: String,
    audience: String,
    issuer: String,
    status: String,
    scopes: Vec<ScopeRow>,
    claims: Vec<ClaimRow>,
    policies: Vec<PolicyRow>,
    grants: Vec<GrantChoice>,
}

pub(super) async fn show_page(
    state: &AppState,
    admin: &ConsoleAdmin,
    id: &str,
    error: Option<&OktaError>,
) -> ConsoleResult {
    let server = load_server(state, id).await?;
    let scope_rows = state.store.list_scopes(&server.id).await?;
    let claims = state.store.list_claims(&server.id).await?;
    let mut policy_rows = Vec::new();
    for p in state.store.list_policies(&server.id).await? {
        let rule_rows = state.store.list_rules(&p.id).await?;
        policy_rows.push(PolicyRow {
            rules: rule_rows
                .into_iter()
                .map(|r| RuleRow {
                    status: r.status.as_str().to_owned(),
                    users: r.conditions.people.users.include.join(" "),
                    groups: r.conditions.people.groups.include.join(" "),
                    grant_types: r.conditions.grant_types.include.join(" "),
                    scopes: r.conditions.scopes.include.join(" "),
                    access_minutes: r.token.access_token_minutes,
                    refresh_minutes: r.token.refresh_token_minutes,
                    id: r.id,
                    name: r.name,
                    priority: r.priority,
                    system: r.system,
                })
                .collect(),
            status: p.status.as_str().to_owned(),
            clients: p.clients.join(" "),
            description: p.description.unwrap_or_default(),
            id: p.id,
            name: p.name,
            priority: p.priority,
            system: p.system,
        });
    }
    let (l, status) = failed(admin.layout(&server.name, SECTION), error);
    let page = ShowPage {
        l,
        issuer: state.custom_issuer(&server.id),
        audience: server.audiences.join(" "),
        status: server.status.as_str().to_owned(),
        description: server.description.clone().unwrap_or_default(),
        scopes: scope_rows
            .into_iter()
            .map(|s| ScopeRow {
                consent: s.consent.as_str().to_owned(),
                description: s.description.unwrap_or_default(),
                id: s.id,
                name: s.name,
                system: s.system,
            })
            .collect(),
        claims: claims
            .iter()
            .map(|c| ClaimRow {
                id: c.id.clone(),
                system: c.system,
                name: c.name.clone(),
                claim_type: c.claim_type.as_str().to_owned(),
                value_type: c.value_type.as_str().to_owned(),
                value: c.value.clone(),
                group_filter_type: c.group_filter_type.clone().unwrap_or_default(),
                scopes: c.scopes.join(" "),
                always: c.always_include_in_token,
            })
            .collect(),
        policies: policy_rows,
        grants: grant_choices(),
        id: server.id,
        name: server.name,
    };
    Ok(render_status(admin, status, &page))
}

async fn show(State(state): State<AppState>, admin: ConsoleAdmin, Path(id): Path<String>) -> ConsoleResult {
    show_page(&state, &admin, &id, None).await
}

/// Back to the server's page with `message`, or the page again with the error.
async fn done<T>(state: &AppState, f: &ConsoleForm, id: &str, r: Result<T, OktaError>, message: &str) -> ConsoleResult {
    match r {
        Ok(_) => Ok(redirect_with_flash(state, &format!("/admin/auth-servers/{id}"), message)),
        Err(e) => show_page(state, &f.admin, id, Some(&e)).await,
    }
}

async fn update(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let r = match server_body(&f) {
        Ok(b) => servers::replace(&state, &f.admin, &id, b).await,
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Authorization server saved.").await
}

async fn lifecycle(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let (r, message) = match action.as_str() {
        "activate" => (servers::set_status(&state, &f.admin, &id, Status::Active).await.map(|_| ()), "Activated."),
        "deactivate" => {
            (servers::set_status(&state, &f.admin, &id, Status::Inactive).await.map(|_| ()), "Deactivated.")
        }
        "delete" => match servers::delete(&state, &f.admin, &id).await {
            Ok(()) => return Ok(redirect_with_flash(&state, SECTION, "Authorization server deleted.")),
            Err(e) => (Err(e), ""),
        },
        _ => (Err(OktaError::not_found(&action, "Action")), ""),
    };
    done(&state, &f, &id, r, message).await
}

fn scope_body(f: &ConsoleForm) -> Result<scopes::ScopeBody, OktaError> {
    let consent = if f.text("consent").is_empty() { "IMPLICIT" } else { f.text("consent") };
    body(json!({
        "name": f.text("name"),
        "description": f.text("description"),
        "consent": consent,
        "default": !f.text("default").is_empty(),
        "metadataPublish": if f.text("publish").is_empty() { "NO_CLIENTS" } else { "ALL_CLIENTS" },
    }))
}

async fn add_scope(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let r = match scope_body(&f) {
        Ok(b) => scopes::create(&state, &f.admin, &id, b).await,
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Scope added.").await
}

async fn edit_scope(
    State(state): State<AppState>,
    Path((id, scope_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match scope_body(&f) {
        Ok(b) => scopes::replace(&state, &f.admin, &id, &scope_id, b).await,
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Scope saved.").await
}

async fn delete_scope(
    State(state): State<AppState>,
    Path((id, scope_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = scopes::delete(&state, &f.admin, &id, &scope_id).await;
    done(&state, &f, &id, r, "Scope deleted.").await
}

fn policy_body(f: &ConsoleForm) -> Result<policies::PolicyBody, OktaError> {
    let clients = if f.text("clients").is_empty() { vec!["ALL_CLIENTS".to_owned()] } else { lines(f.text("clients")) };
    let mut b = json!({
        "type": "OAUTH_AUTHORIZATION_POLICY",
        "name": f.text("name"),
        "description": f.text("description"),
        "conditions": {"clients": {"include": clients}},
    });
    if let Ok(p) = f.text("priority").parse::<i64>() {
        b["priority"] = json!(p);
    }
    body(b)
}

async fn add_policy(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let r = match policy_body(&f) {
        Ok(b) => policies::create(&state, &f.admin, &id, b).await,
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Policy added.").await
}

async fn edit_policy(
    State(state): State<AppState>,
    Path((id, policy_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match policy_body(&f) {
        Ok(b) => policies::replace(&state, &f.admin, &id, &policy_id, b).await,
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Policy saved.").await
}

async fn delete_policy(
    State(state): State<AppState>,
    Path((id, policy_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = policies::delete(&state, &f.admin, &id, &policy_id).await;
    done(&state, &f, &id, r, "Policy deleted.").await
}

/// Group names or ids; a name of an existing group becomes its id (`EVERYONE` stays).
async fn group_ids(state: &AppState, text: &str) -> Result<Vec<String>, OktaError> {
    let mut out = Vec::new();
    for g in lines(text) {
        match state.store.find_group_by_name(&g).await? {
            Some(group) if g != "EVERYONE" => out.push(group.id),
            _ => out.push(g),
        }
    }
    Ok(out)
}

async fn rule_body(state: &AppState, f: &ConsoleForm) -> Result<rules::RuleBody, OktaError> {
    let grants = checked_grants(f);
    let groups = if f.text("groups").is_empty() && f.text("users").is_empty() {
        vec!["EVERYONE".to_owned()]
    } else {
        group_ids(state, f.text("groups")).await?
    };
    let scopes = if f.text("scopes").is_empty() { vec!["*".to_owned()] } else { lines(f.text("scopes")) };
    let mut token = json!({});
    for (field, key) in [
        ("access_minutes", "accessTokenLifetimeMinutes"),
        ("refresh_minutes", "refreshTokenLifetimeMinutes"),
        ("refresh_window_minutes", "refreshTokenWindowMinutes"),
    ] {
        if !f.text(field).is_empty() {
            match f.text(field).parse::<i64>() {
                Ok(n) => token[key] = json!(n),
                Err(_) => return Err(crate::http::api::body::Validation::one(key, "must be a number of minutes")),
            }
        }
    }
    let mut b = json!({
        "type": "RESOURCE_ACCESS",
        "name": f.text("name"),
        "conditions": {
            "people": {"users": {"include": lines(f.text("users"))}, "groups": {"include": groups}},
            "grantTypes": {"include": grants},
            "scopes": {"include": scopes},
        },
        "actions": {"token": token},
    });
    if let Ok(p) = f.text("priority").parse::<i64>() {
        b["priority"] = json!(p);
    }
    body(b)
}

async fn add_rule(
    State(state): State<AppState>,
    Path((id, policy_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match rule_body(&state, &f).await {
        Ok(b) => rules::create(&state, &f.admin, &id, &policy_id, b).await,
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Rule added.").await
}

async fn edit_rule(
    State(state): State<AppState>,
    Path((id, policy_id, rule_id)): Path<(String, String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match rule_body(&state, &f).await {
        Ok(b) => rules::replace(&state, &f.admin, &(id.clone(), policy_id, rule_id), b).await,
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Rule saved.").await
}

async fn delete_rule(
    State(state): State<AppState>,
    Path((id, policy_id, rule_id)): Path<(String, String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = rules::delete(&state, &f.admin, &(id.clone(), policy_id, rule_id)).await;
    done(&state, &f, &id, r, "Rule deleted.").await
}
