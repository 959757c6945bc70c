//! `/admin/auth-servers/{id}/claims`: add, edit and delete an authorization server's custom
//! claims through the Management API's own claim functions.

use super::apps::lines;
use super::auth_servers::show_page;
use super::{redirect_with_flash, ConsoleForm, ConsoleResult};
use crate::http::api::auth_servers::claims;
use crate::http::api::body::malformed;
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::Router;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/auth-servers/{id}/claims", post(add_claim))
        .route("/admin/auth-servers/{id}/claims/{claim_id}", post(edit_claim))
        .route("/admin/auth-servers/{id}/claims/{claim_id}/delete", post(delete_claim))
}

async fn done(state: &AppState, f: &ConsoleForm, id: &str, r: Result<(), OktaError>, message: &str) -> ConsoleResult {
    match r {
        Ok(()) => Ok(redirect_with_flash(state, &format!("/admin/auth-servers/{id}"), message)),
        Err(e) => show_page(state, &f.admin, id, Some(&e)).await,
    }
}

/// The API's claim body from the form: an access-token (RESOURCE) claim is always included.
fn claim_body(f: &ConsoleForm) -> Result<claims::ClaimBody, OktaError> {
    let mut body = json!({
        "name": f.text("name"),
        "claimType": f.text("claim_type"),
        "valueType": if f.text("value_type").is_empty() { "EXPRESSION" } else { f.text("value_type") },
        "value": f.text("value"),
        "alwaysIncludeInToken": f.text("claim_type") == "RESOURCE" || !f.text("always").is_empty(),
        "conditions": {"scopes": lines(f.text("scopes"))},
    });
    if !f.text("group_filter_type").is_empty() {
        body["group_filter_type"] = json!(f.text("group_filter_type"));
    }
    serde_json::from_value(body).map_err(|_| malformed())
}

async fn add_claim(State(state): State<AppState>, Path(id): Path<String>, f: ConsoleForm) -> ConsoleResult {
    let r = match claim_body(&f) {
        Ok(b) => claims::create(&state, &f.admin, &id, b).await.map(|_| ()),
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Claim added.").await
}

async fn edit_claim(
    State(state): State<AppState>,
    Path((id, claim_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match claim_body(&f) {
        Ok(b) => claims::replace(&state, &f.admin, &id, &claim_id, b).await.map(|_| ()),
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r, "Claim saved.").await
}

async fn delete_claim(
    State(state): State<AppState>,
    Path((id, claim_id)): Path<(String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = claims::delete(&state, &f.admin, &id, &claim_id).await;
    done(&state, &f, &id, r, "Claim deleted.").await
}
