//! The `client_credentials` grant at a custom AS (RFC 6749 §4.4; okta-surface.md §4.4, §4.5,
//! §5.2). Scopes: the `scope` parameter, else the server's `default: true` scopes, else
//! `missing_scopes`; OIDC scopes and scopes the server does not have are `invalid_scope`. The
//! access policy is evaluated without a user (`policy::evaluate`); unlike user flows the grant
//! is all or nothing, so a partial denial fails with `scope_denied` naming the denied scopes.
//! A scope whose `consent` is `REQUIRED` cannot be granted without a user: `consent_required`.
//! The token's `sub` and `cid` are the client id; it has no `uid`, no `auth_time`, no refresh
//! token and no ID token.

use super::errors::{
    client_credentials_at_org, consent_required, missing_scopes, no_matching_policy, no_scope_allowed, scope_denied,
};
use super::issue::{self, Plan, Subject};
use super::log::GrantLog;
use super::registry::GrantDescriptor;
use super::{Grant, TokenRequest};
use crate::domain::grant_type;
use crate::domain::{ConsentType, Policy, PolicyRule, Scope};
use crate::jose::KeyRing;
use crate::oauth::discovery::Kind;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::policy::{evaluate, is_oidc_scope, parse_scope, AccessDenied, AccessInput};
use crate::store::{Issuance, Store, StoreResult};
use axum::response::Response;

pub const GRANT_TYPE: &str = grant_type::CLIENT_CREDENTIALS;

/// Served by custom authorization servers only; the org AS answers with Okta's own row.
pub const DESCRIPTOR: GrantDescriptor = GrantDescriptor {
    grant_type: GRANT_TYPE,
    name: "client_credentials",
    label: "Client credentials",
    served_by: &[Kind::Custom],
    elsewhere: Some(client_credentials_at_org),
    repeatable: &[],
    confidential_only: false,
    from_browser: false,
    in_rules: true,
    agents: false,
    parse: |params| Ok(Grant::ClientCredentials(Request::parse(params))),
};

/// The grant's parameters.
#[derive(Debug)]
pub struct Request {
    /// Requested scopes in order; empty when `scope` was absent.
    scope: Vec<String>,
}

impl Request {
    #[must_use]
    pub fn parse(params: &Params) -> Self {
        Self { scope: parse_scope(params.get("scope")) }
    }
}

/// The server's policies, each with its rules.
pub async fn load_policies(store: &dyn Store, auth_server_id: &str) -> StoreResult<Vec<(Policy, Vec<PolicyRule>)>> {
    let mut out = Vec::new();
    for policy in store.list_policies(auth_server_id).await? {
        let rules = store.list_rules(&policy.id).await?;
        out.push((policy, rules));
    }
    Ok(out)
}

pub async fn exchange(
    store: &dyn Store,
    keys: &KeyRing,
    req: &TokenRequest<'_>,
    grant: Request,
    log: &mut GrantLog,
) -> Result<Response, OAuthError> {
    // Dispatch only sends this grant to a custom AS.
    let Some(server) = req.issuer.server() else { return Err(super::errors::client_credentials_at_org()) };
    log.subject(req.client.actor());
    let server_scopes = store.list_scopes(&server.id).await?;
    let requested = if grant.scope.is_empty() {
        server_scopes.iter().filter(|s| s.default).map(|s| s.name.clone()).collect()
    } else {
        grant.scope
    };
    log.scopes("requested_scopes", &requested);
    if requested.is_empty() {
        return Err(missing_scopes());
    }
    let known = |name: &String| server_scopes.iter().any(|s| &s.name == name);
    if requested.iter().any(|s| is_oidc_scope(s) || !known(s)) {
        return Err(OAuthError::invalid_scope());
    }
    let policies = load_policies(store, &server.id).await?;
    let input = AccessInput {
        client_id: req.client.client_id(),
        grant_type: GRANT_TYPE,
        user: None,
        requested: &requested,
        server_scopes: &server_scopes,
        policies: &policies,
    };
    let decision = match evaluate(&input) {
        Ok(d) => d,
        Err(AccessDenied::NoMatchingPolicy) => return Err(no_matching_policy()),
        Err(AccessDenied::NoScopeAllowed) => {
            log.scopes("denied_scopes", &requested);
            return Err(no_scope_allowed());
        }
    };
    log.policy(Some(&decision.policy_id), Some(&decision.rule_id));
    if !decision.denied.is_empty() {
        log.scopes("denied_scopes", &decision.denied);
        return Err(scope_denied(&decision.denied));
    }
    let needs_consent = consent_scopes(&server_scopes, &decision.granted);
    if !needs_consent.is_empty() {
        return Err(consent_required(&needs_consent));
    }
    log.scopes("granted_scopes", &decision.granted);
    let plan = Plan {
        subject: Subject::Client(req.client.client_id()),
        scopes: &decision.granted,
        access_minutes: decision.lifetimes.access_token_minutes,
        grant_id: None,
        redeemed: None,
    };
    let minted = issue::mint(store, keys, req, &plan).await?;
    let events = issue::success_records(log, &minted, false, req);
    store.record_issuance(&Issuance { access_token: Some(&minted.record), ..Issuance::default() }, &events).await?;
    log.logged = true;
    Ok(issue::response(&minted, &decision.granted, None))
}

/// Granted scopes whose `consent` is `REQUIRED`: no user can approve them here (§4.4).
fn consent_scopes(server_scopes: &[Scope], granted: &[String]) -> Vec<String> {
    granted
        .iter()
        .filter(|name| server_scopes.iter().any(|s| &s.name == *name && s.consent == ConsentType::Required))
        .cloned()
        .collect()
}
