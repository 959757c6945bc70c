//! Access policy of a custom authorization server (okta-surface.md §4.5 steps 2–4): which
//! policy and rule apply to a request, which scopes they grant, and the token lifetimes the
//! rule stamps on the grant.
//!
//! - Policies are tried in `priority` order, ACTIVE ones only, when `conditions.clients.include`
//!   holds the client id or `ALL_CLIENTS`. Inside a policy the first ACTIVE rule by `priority`
//!   whose people and grant-type conditions match wins. As Okta's access-policy documentation
//!   puts it, processing stops "after the first policy and rule match": a policy whose rules all
//!   miss hands over to the next policy. Nothing matched → `no_matching_policy`.
//! - People: the user's id in `users.include`, or one of the user's group ids or `EVERYONE` in
//!   `groups.include`; a hit in either `exclude` list wins over any include. Client-credentials
//!   requests have no user, and the people condition is ignored, as Okta does.
//! - `refresh_token` is never a rule grant type: a refresh is judged by the rule that issued the
//!   family (§4.5 step 4), so it never matches here.
//! - Granted = requested ∩ (rule `scopes.include`, `*` = all) ∩ the server's scopes, where the
//!   OIDC scopes always pass the rule. Nothing left → `no_scope_allowed`. Whether a partial
//!   grant narrows (user flows) or fails (`scope_denied` for `client_credentials`) is the
//!   caller's call; `denied` tells it what was dropped.

use super::scopes::is_oidc_scope;
use crate::domain::{Group, Policy, PolicyRule, Scope, Status, TokenLifetimes, User};

/// `conditions.clients.include` entry matching every client.
pub const ALL_CLIENTS: &str = "ALL_CLIENTS";
/// `conditions.people.groups` entry matching every user (the built-in `Everyone` group).
pub const EVERYONE: &str = "EVERYONE";
/// `conditions.scopes.include` entry matching every scope.
pub const ANY_SCOPE: &str = "*";
const REFRESH_TOKEN: &str = "refresh_token";

/// Everything the policy decision looks at; the caller loads it.
#[derive(Debug, Clone, Copy)]
pub struct AccessInput<'a> {
    pub client_id: &'a str,
    /// The request's grant type; for `/authorize` that is `authorization_code`.
    pub grant_type: &'a str,
    /// The user and all of their groups; `None` for `client_credentials` (people ignored).
    pub user: Option<(&'a User, &'a [Group])>,
    /// Requested scopes in request order (`scopes::parse_scope`).
    pub requested: &'a [String],
    /// Every scope of the authorization server.
    pub server_scopes: &'a [Scope],
    /// The server's policies, each with its rules, in any order.
    pub policies: &'a [(Policy, Vec<PolicyRule>)],
}

/// The rule that applies and what it grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDecision {
    pub policy_id: String,
    pub rule_id: String,
    /// Granted scopes in request order, without duplicates.
    pub granted: Vec<String>,
    /// Requested scopes that were not granted, in request order, without duplicates.
    pub denied: Vec<String>,
    /// The rule's lifetimes, stamped on the code or refresh family.
    pub lifetimes: TokenLifetimes,
}

/// Why no token may be issued; the OAuth error each variant maps to is in its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    /// No ACTIVE policy for this client has an ACTIVE rule matching the user and grant type.
    #[error("no_matching_policy")]
    NoMatchingPolicy,
    /// A rule matched but none of the requested scopes is both allowed and on the server.
    #[error("no_scope_allowed")]
    NoScopeAllowed,
}

/// Applies the access policy of a custom AS to one request (okta-surface.md §4.5).
#[tracing::instrument(name = "policy.user_access", level = "debug", skip_all)]
pub fn evaluate(input: &AccessInput) -> Result<AccessDecision, AccessDenied> {
    let (policy, rule) = matching_rule(input).ok_or(AccessDenied::NoMatchingPolicy)?;
    let mut granted: Vec<String> = Vec::new();
    let mut denied: Vec<String> = Vec::new();
    for scope in input.requested {
        if granted.contains(scope) || denied.contains(scope) {
            continue;
        }
        let allowed = rule_allows_scope(rule, scope) && input.server_scopes.iter().any(|s| &s.name == scope);
        if allowed { &mut granted } else { &mut denied }.push(scope.clone());
    }
    if granted.is_empty() {
        return Err(AccessDenied::NoScopeAllowed);
    }
    Ok(AccessDecision {
        policy_id: policy.id.clone(),
        rule_id: rule.id.clone(),
        granted,
        denied,
        lifetimes: rule.token,
    })
}

/// The first (policy, rule) pair, in priority order, that applies to the request.
fn matching_rule<'a>(input: &AccessInput<'a>) -> Option<(&'a Policy, &'a PolicyRule)> {
    let mut policies: Vec<&(Policy, Vec<PolicyRule>)> = input
        .policies
        .iter()
        .filter(|(p, _)| p.status == Status::Active && applies_to_client(p, input.client_id))
        .collect();
    policies.sort_by_key(|(p, _)| p.priority);
    policies.into_iter().find_map(|(policy, rules)| {
        let mut rules: Vec<&PolicyRule> = rules.iter().filter(|r| r.status == Status::Active).collect();
        rules.sort_by_key(|r| r.priority);
        rules.into_iter().find(|r| rule_matches(r, input)).map(|r| (policy, r))
    })
}

fn applies_to_client(policy: &Policy, client_id: &str) -> bool {
    policy.clients.iter().any(|c| c == ALL_CLIENTS || c == client_id)
}

fn rule_matches(rule: &PolicyRule, input: &AccessInput) -> bool {
    let grant_ok =
        input.grant_type != REFRESH_TOKEN && rule.conditions.grant_types.include.iter().any(|g| g == input.grant_type);
    grant_ok && input.user.is_none_or(|(user, groups)| people_match(rule, user, groups))
}

/// Users and groups of the rule's people condition; an exclusion wins over any inclusion.
fn people_match(rule: &PolicyRule, user: &User, groups: &[Group]) -> bool {
    let people = &rule.conditions.people;
    let in_groups = |list: &[String]| list.iter().any(|g| g == EVERYONE || groups.iter().any(|group| &group.id == g));
    let in_users = |list: &[String]| list.contains(&user.id);
    let excluded = in_users(&people.users.exclude) || in_groups(&people.groups.exclude);
    let included = in_users(&people.users.include) || in_groups(&people.groups.include);
    included && !excluded
}

fn rule_allows_scope(rule: &PolicyRule, scope: &str) -> bool {
    is_oidc_scope(scope) || rule.conditions.scopes.include.iter().any(|s| s == ANY_SCOPE || s == scope)
}

pub mod jwt_bearer;

#[cfg(test)]
mod tests;
