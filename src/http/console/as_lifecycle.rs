//! Activate and deactivate an authorization server's access policies and their rules, through
//! the Management API's own status functions (same `policy.lifecycle.*` and `policy.rule.*`
//! events). An INACTIVE policy or rule is skipped when tokens are issued.

use super::auth_servers::show_page;
use super::{redirect_with_flash, ConsoleForm, ConsoleResult};
use crate::domain::Status;
use crate::http::api::auth_servers::{policies, rules};
use crate::http::error::OktaError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/auth-servers/{id}/policies/{policy_id}/lifecycle/{action}", post(policy_lifecycle))
        .route("/admin/auth-servers/{id}/policies/{policy_id}/rules/{rule_id}/lifecycle/{action}", post(rule_lifecycle))
}

/// `activate` or `deactivate` as a status; anything else is a 404.
fn status_of(action: &str) -> Result<(Status, &'static str), OktaError> {
    match action {
        "activate" => Ok((Status::Active, "Activated.")),
        "deactivate" => Ok((Status::Inactive, "Deactivated.")),
        _ => Err(OktaError::not_found(action, "Action")),
    }
}

async fn done(state: &AppState, f: &ConsoleForm, id: &str, r: Result<&str, OktaError>) -> ConsoleResult {
    match r {
        Ok(message) => Ok(redirect_with_flash(state, &format!("/admin/auth-servers/{id}"), message)),
        Err(e) => show_page(state, &f.admin, id, Some(&e)).await,
    }
}

async fn policy_lifecycle(
    State(state): State<AppState>,
    Path((id, policy_id, action)): Path<(String, String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match status_of(&action) {
        Ok((status, message)) => policies::set_status(&state, &f.admin, &id, &policy_id, status).await.map(|_| message),
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r).await
}

async fn rule_lifecycle(
    State(state): State<AppState>,
    Path((id, policy_id, rule_id, action)): Path<(String, String, String, String)>,
    f: ConsoleForm,
) -> ConsoleResult {
    let r = match status_of(&action) {
        Ok((status, message)) => {
            let ids = (id.clone(), policy_id, rule_id);
            rules::set_status(&state, &f.admin, &ids, status).await.map(|_| message)
        }
        Err(e) => Err(e),
    };
    done(&state, &f, &id, r).await
}
