//! `/admin/api-tokens`: list, create (owned by the signed-in admin; the token is shown once,
//! only its hash is stored) and revoke. Events: `system.api_token.create` and
//! `system.api_token.revoke`, as the Management API and `baton api-tokens create` write them.
//! The token set by `BATON_ADMIN_API_TOKEN` comes back at every start, so it is not revocable here.

use super::{redirect_with_flash, render_status, ConsoleAdmin, ConsoleForm, ConsoleResult, Layout};
use crate::bootstrap::ADMIN_TOKEN_NAME;
use crate::clock::iso8601;
use crate::domain::ids::{hash_secret, new_id, new_secret, Prefix};
use crate::domain::ApiToken;
use crate::http::api::api_tokens::target;
use crate::http::error::OktaError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/api-tokens", get(list).post(create))
        .route("/admin/api-tokens/{id}/revoke", post(revoke))
}

const SECTION: &str = "/admin/api-tokens";

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub client: String,
    pub created: String,
    pub last_used: String,
    pub revocable: bool,
}

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    l: Layout,
    rows: Vec<TokenRow>,
    new_secret: Option<String>,
    name: String,
}

async fn page(
    state: &AppState,
    admin: &ConsoleAdmin,
    status: StatusCode,
    new_secret: Option<String>,
    error: Option<String>,
    name: String,
) -> ConsoleResult {
    let mut rows = Vec::new();
    for t in state.store.list_api_tokens().await? {
        let owner = match &t.user_id {
            None => "super-admin (no user)".to_owned(),
            Some(id) => state.store.find_user(id).await?.map_or_else(|| id.clone(), |u| u.profile.login().to_owned()),
        };
        rows.push(TokenRow {
            revocable: t.name != ADMIN_TOKEN_NAME,
            id: t.id,
            name: t.name,
            owner,
            client: t.client_name,
            created: iso8601(t.created),
            last_used: t.last_used.map_or_else(|| "never".to_owned(), iso8601),
        });
    }
    let mut l = admin.layout("API tokens", SECTION);
    l.error = error;
    Ok(render_status(admin, status, &TokensPage { l, rows, new_secret, name }))
}

async fn list(State(state): State<AppState>, admin: ConsoleAdmin) -> ConsoleResult {
    page(&state, &admin, StatusCode::OK, None, None, String::new()).await
}

async fn create(State(state): State<AppState>, f: ConsoleForm) -> ConsoleResult {
    let name = f.text("name").to_owned();
    let problem = if name.is_empty() {
        Some("Name: the field cannot be left blank.".to_owned())
    } else if name.chars().count() > 255 {
        Some("Name: the field must be at most 255 characters.".to_owned())
    } else if name == ADMIN_TOKEN_NAME {
        Some(format!("Name: {ADMIN_TOKEN_NAME} is reserved for the token set by the environment."))
    } else if state.store.find_api_token_by_name(&name).await?.is_some() {
        Some("Name: an API token with this name already exists.".to_owned())
    } else {
        None
    };
    if let Some(problem) = problem {
        return page(&state, &f.admin, StatusCode::BAD_REQUEST, None, Some(problem), name).await;
    }
    let now = state.clock.now_ms();
    let secret = format!("00{}", new_secret());
    let token = ApiToken {
        id: new_id(Prefix::ApiToken),
        name,
        user_id: Some(f.admin.user.id.clone()),
        client_name: "baton admin console".into(),
        token_hash: hash_secret(&secret),
        super_admin: false,
        created: now,
        last_updated: now,
        expires: None,
        last_used: None,
        token_window: "P30D".into(),
    };
    let event =
        f.admin.record(f.admin.event("system.api_token.create", "Create API token").target(target(&token)), now);
    state.store.create_api_token(&token, &[event]).await?;
    let mut l_flash = f.admin.clone();
    l_flash.flash = Some(format!("API token {} created.", token.name));
    page(&state, &l_flash, StatusCode::OK, Some(secret), None, String::new()).await
}

async fn revoke(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let token = state.store.find_api_token(&id).await?.ok_or_else(|| OktaError::not_found(&id, "ApiToken"))?;
    if token.name == ADMIN_TOKEN_NAME {
        let message = Some(format!("{ADMIN_TOKEN_NAME} is set by the environment; unset it there."));
        return page(&state, &f.admin, StatusCode::BAD_REQUEST, None, message, String::new()).await;
    }
    let now = state.clock.now_ms();
    let event =
        f.admin.record(f.admin.event("system.api_token.revoke", "Revoke API token").target(target(&token)), now);
    state.store.revoke_api_token(&token.id, &[event]).await?;
    Ok(redirect_with_flash(&state, SECTION, &format!("API token {} revoked.", token.name)))
}
