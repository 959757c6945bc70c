//! §4.5: may this user have a code for this client, and with which scopes. The app must be
//! assigned to the user or one of its groups (`user_not_assigned`). The org AS then grants the
//! requested OIDC scopes; a custom AS asks `policy::user_access` with grant type
//! `authorization_code` (`no_matching_policy`, `no_scope_allowed`; a partial denial narrows).

use super::request::AuthorizeRequest;
use super::Stop;
use crate::domain::User;
use crate::oauth::error::OAuthError;
use crate::policy::{evaluate, AccessDenied, AccessInput};
use crate::state::AppState;
use axum::http::StatusCode;

/// What the code will carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granted {
    pub scopes: Vec<String>,
    /// Requested scopes the policy dropped.
    pub denied: Vec<String>,
    pub policy_id: Option<String>,
    pub rule_id: Option<String>,
}

pub async fn decide(state: &AppState, req: &AuthorizeRequest, user: &User) -> Result<Granted, Stop> {
    let app = req.app();
    if !state.store.is_user_assigned(&app.id, &user.id).await? {
        return Err(Stop::Client(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "access_denied",
            "user_not_assigned",
            "User is not assigned to the client application.",
        )));
    }
    let Some(server) = req.issuer().server() else {
        return Ok(Granted { scopes: req.scopes.clone(), denied: Vec::new(), policy_id: None, rule_id: None });
    };
    let mut policies = Vec::new();
    for policy in state.store.list_policies(&server.id).await? {
        let rules = state.store.list_rules(&policy.id).await?;
        policies.push((policy, rules));
    }
    let groups = state.store.list_user_groups(&user.id).await?;
    let input = AccessInput {
        client_id: &app.client_id,
        grant_type: "authorization_code",
        user: Some((user, &groups)),
        requested: &req.scopes,
        server_scopes: &req.server_scopes,
        policies: &policies,
    };
    match evaluate(&input) {
        Ok(d) => {
            Ok(Granted { scopes: d.granted, denied: d.denied, policy_id: Some(d.policy_id), rule_id: Some(d.rule_id) })
        }
        Err(AccessDenied::NoMatchingPolicy) => Err(Stop::Client(OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "no_matching_policy",
            "Policy evaluation failed for this request, please check the policy configurations.",
        ))),
        Err(AccessDenied::NoScopeAllowed) => Err(Stop::Client(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "access_denied",
            "no_scope_allowed",
            "Policy evaluation succeeded, but all the requested scopes were rejected.",
        ))),
    }
}
