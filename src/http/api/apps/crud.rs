//! List, create, read, replace and delete apps.

use super::super::auth::{Admin, Audit};
use super::super::body::{store_error, ApiJson, ApiQuery, Validation};
use super::super::paging;
use super::super::routes::ApiRoutes;
use super::settings::{self, uses_secret, Draft};
use super::{find, target, view};
use crate::audit::filter::{self, Expr, Op};
use crate::domain::ids::{hash_secret, new_id, new_secret, secrets_equal, Prefix};
use crate::domain::{App, AppStatus, ClientKey, ClientKeyStatus, ClientSecret, TextEnum};
use crate::http::error::OktaError;
use crate::state::AppState;
use crate::store::apps::AppChanges;
use crate::store::Page;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

#[must_use]
pub(super) fn routes(r: ApiRoutes) -> ApiRoutes {
    r.get("/api/v1/apps", "List apps", list)
        .post("/api/v1/apps", "Create an OIDC app", 200, create)
        .get("/api/v1/apps/{appId}", "Get an app", get_app)
        .put("/api/v1/apps/{appId}", "Replace an app", 200, replace)
        .delete("/api/v1/apps/{appId}", "Delete an INACTIVE app", 204, delete)
}

/// 400 `E0000031`.
fn invalid_search() -> OktaError {
    OktaError::new(StatusCode::BAD_REQUEST, "E0000031", "Invalid search criteria.")
}

/// `filter`: `eq` on `status` and `name`, joined by `and` / `or`.
fn parse_filter(text: &str) -> Result<Expr, OktaError> {
    let expr = filter::parse(text).map_err(|_| invalid_search())?;
    if expr.comparisons().iter().any(|(attr, op)| !matches!(*attr, "status" | "name") || *op != Op::Eq) {
        return Err(invalid_search());
    }
    Ok(expr)
}

async fn list(State(state): State<AppState>, _admin: Admin, query: ApiQuery, uri: Uri) -> Result<Response, OktaError> {
    // Default: every app; `limit` at most 200 (okta-surface.md §10).
    let page = paging::page(&query, i64::MAX, 200)?;
    let expr = query.get("filter").filter(|f| !f.trim().is_empty()).map(parse_filter).transpose()?;
    let q = query.get("q").map(str::to_lowercase).filter(|q| !q.is_empty());
    let apps = state.store.list_apps(&Page { after: None, limit: i64::MAX }).await?;
    let rows: Vec<App> = apps
        .into_iter()
        .filter(|a| page.after.as_ref().is_none_or(|after| a.id > *after))
        .filter(|a| q.as_ref().is_none_or(|q| a.label.to_lowercase().starts_with(q.as_str())))
        .filter(|a| {
            expr.as_ref().is_none_or(|e| {
                filter::matches(e, &|attr| match attr {
                    "status" => vec![a.status.as_str().to_owned()],
                    "name" => vec!["oidc_client".to_owned()],
                    _ => Vec::new(),
                })
            })
        })
        .collect();
    let (rows, next) = paging::split(rows, &page, |a| a.id.clone());
    let mut items = Vec::with_capacity(rows.len());
    for a in &rows {
        items.push(view::app(&state, a, &state.store.list_client_keys(&a.id).await?, None));
    }
    Ok(paging::list(state.base(), &uri, &items, next.as_deref()))
}

fn new_client_secret(app_id: &str, plain: &str, now: i64) -> ClientSecret {
    ClientSecret {
        id: new_id(Prefix::ClientSecret),
        app_id: app_id.to_owned(),
        secret_hash: hash_secret(plain),
        status: AppStatus::Active,
        created: now,
        last_updated: now,
    }
}

fn new_keys(app_id: &str, jwks: &[(String, Value)], now: i64) -> Vec<ClientKey> {
    jwks.iter()
        .map(|(kid, jwk)| ClientKey {
            client_id: app_id.to_owned(),
            kid: kid.clone(),
            jwk: jwk.clone(),
            status: ClientKeyStatus::Active,
            created: now,
            last_updated: now,
        })
        .collect()
}

async fn create(
    State(state): State<AppState>,
    admin: Admin,
    query: ApiQuery,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, OktaError> {
    let activate = query.flag("activate", true)?;
    let (app, keys, plain) = create_app(&state, &admin, &body, activate).await?;
    Ok(Json(view::app(&state, &app, &keys, plain.as_deref())))
}

/// Creates the app `body` describes (the API's JSON shape), ACTIVE when `activate`. Returns it
/// with its keys and the plain client secret (shown once) when its method uses one.
pub(crate) async fn create_app(
    state: &AppState,
    admin: &impl Audit,
    body: &Value,
    activate: bool,
) -> Result<(App, Vec<ClientKey>, Option<String>), OktaError> {
    let now = state.clock.now_ms();
    let Draft { mut app, client_secret, jwks } = settings::read(body, None, now)?;
    app.id = new_id(Prefix::App);
    if app.client_id.is_empty() {
        app.client_id.clone_from(&app.id);
    }
    app.status = if activate { AppStatus::Active } else { AppStatus::Inactive };
    let plain = uses_secret(app.token_endpoint_auth_method).then(|| client_secret.unwrap_or_else(new_secret));
    let secrets: Vec<ClientSecret> = plain.iter().map(|p| new_client_secret(&app.id, p, now)).collect();
    let keys = new_keys(&app.id, jwks.as_deref().unwrap_or_default(), now);
    let mut events =
        vec![admin.record(admin.event("application.lifecycle.create", "Add application").target(target(&app)), now)];
    if activate {
        let ev = admin.event("application.lifecycle.activate", "Activate application").target(target(&app));
        events.push(admin.record(ev, now));
    }
    let changes = AppChanges { create: true, secrets: &secrets, keys: &keys, ..AppChanges::default() };
    state.store.save_app(&app, &changes, &events).await.map_err(|e| store_error(e, "client_id"))?;
    Ok((app, keys, plain))
}

async fn get_app(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, OktaError> {
    let app = find(&state, &id).await?;
    let keys = state.store.list_client_keys(&app.id).await?;
    Ok(Json(view::app(&state, &app, &keys, None)))
}

/// Full replacement. Absent fields take their defaults, except `client_id` (immutable) and the
/// keys (kept unless `jwks` is given, which then is the whole key set). A secret is generated
/// when the method needs one and none is ACTIVE; a `client_secret` that is not already an
/// ACTIVE secret replaces every secret. A new secret is shown in this response only.
async fn replace(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<Value>, OktaError> {
    let (app, keys, plain) = replace_app(&state, &admin, &id, &body).await?;
    Ok(Json(view::app(&state, &app, &keys, plain.as_deref())))
}

/// Replaces app `id` with `body` (the API's JSON shape); returns it with its keys and a new
/// plain client secret if one was made.
pub(crate) async fn replace_app(
    state: &AppState,
    admin: &impl Audit,
    id: &str,
    body: &Value,
) -> Result<(App, Vec<ClientKey>, Option<String>), OktaError> {
    let existing = find(state, id).await?;
    let now = state.clock.now_ms();
    let Draft { app, client_secret, jwks } = settings::read(body, Some(&existing), now)?;
    let current_keys = state.store.list_client_keys(&app.id).await?;
    let (keys, drop_kids) = match &jwks {
        None => (Vec::new(), Vec::new()),
        Some(given) => {
            let mut v = Validation::default();
            for (kid, jwk) in given {
                if current_keys.iter().any(|k| k.kid == *kid && k.jwk != *jwk) {
                    v.error("jwks", &format!("kid '{kid}' is already registered with other key material"));
                }
            }
            v.finish()?;
            let added: Vec<(String, Value)> =
                given.iter().filter(|(kid, _)| !current_keys.iter().any(|k| k.kid == *kid)).cloned().collect();
            let dropped: Vec<String> = current_keys
                .iter()
                .filter(|k| !given.iter().any(|(kid, _)| *kid == k.kid))
                .map(|k| k.kid.clone())
                .collect();
            (new_keys(&app.id, &added, now), dropped)
        }
    };
    let remaining = current_keys.iter().filter(|k| !drop_kids.contains(&k.kid)).count() + keys.len();
    if app.token_endpoint_auth_method == crate::domain::AuthMethod::PrivateKeyJwt && remaining == 0 {
        return Err(Validation::one(
            "jwks",
            "private_key_jwt requires settings.oauthClient.jwks with at least one key",
        ));
    }
    let secrets = state.store.list_client_secrets(&app.id).await?;
    let active: Vec<&ClientSecret> = secrets.iter().filter(|s| s.status == AppStatus::Active).collect();
    let is_active = |given: &str| active.iter().any(|s| secrets_equal(&s.secret_hash, &hash_secret(given)));
    let (plain, replace_secrets) = match client_secret.filter(|_| uses_secret(app.token_endpoint_auth_method)) {
        Some(given) if !is_active(&given) => (Some(given), true),
        None if uses_secret(app.token_endpoint_auth_method) && active.is_empty() => (Some(new_secret()), false),
        _ => (None, false),
    };
    let new_secrets: Vec<ClientSecret> = plain.iter().map(|p| new_client_secret(&app.id, p, now)).collect();
    let mut ev = admin.event("application.lifecycle.update", "Update application").target(target(&app));
    if plain.is_some() {
        ev = ev.debug("credentialChange", "client_secret.create");
    }
    let changes =
        AppChanges { create: false, secrets: &new_secrets, replace_secrets, keys: &keys, drop_kids: &drop_kids };
    state.store.save_app(&app, &changes, &[admin.record(ev, now)]).await.map_err(|e| store_error(e, "jwks"))?;
    let keys = state.store.list_client_keys(&app.id).await?;
    Ok((app, keys, plain))
}

/// Only an INACTIVE app can be deleted; an ACTIVE one is 403 `E0000056` as in Okta.
async fn delete(State(state): State<AppState>, admin: Admin, Path(id): Path<String>) -> Result<Response, OktaError> {
    delete_app(&state, &admin, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Deletes app `id`; 403 `E0000056` while it is ACTIVE.
pub(crate) async fn delete_app(state: &AppState, admin: &impl Audit, id: &str) -> Result<(), OktaError> {
    let app = find(state, id).await?;
    if app.status == AppStatus::Active {
        let mut e = OktaError::new(StatusCode::FORBIDDEN, "E0000056", "Delete application forbidden.");
        e.causes.push("The application must be deactivated before deletion.".into());
        return Err(e);
    }
    let now = state.clock.now_ms();
    let ev = admin.event("application.lifecycle.delete", "Delete application").target(target(&app));
    state.store.delete_app(&app.id, &[admin.record(ev, now)]).await?;
    Ok(())
}
