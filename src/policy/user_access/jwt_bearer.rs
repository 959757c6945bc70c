//! The user access policy for redeeming an ID-JAG with the jwt-bearer grant (xaa.md §6.3). It
//! differs from the authorization-code evaluation (`evaluate`): a rule wins only when it
//! **fully** matches, scopes included, so a rule that matches on grant type and people but not
//! on scopes hands over to the next rule and policy.
//!
//! - Policies: ACTIVE, ascending `priority`, applying to the client or `ALL_CLIENTS`; rules:
//!   ACTIVE, ascending `priority`.
//! - Grant type: `grantTypes.include` holds the jwt-bearer URN. People as for `evaluate`,
//!   skipped for a machine subject. Scopes: `scopes.include` holds at least one candidate;
//!   `*` stands for every scope defined on this AS (the OIDC scopes get no free pass here).
//! - `granted` = candidates ∩ the winning rule's scopes, in candidate order.
//! - No full match: `NoScopeAllowed` if some rule matched on grant type and people, else
//!   `NoMatchingPolicy`.

use super::{applies_to_client, people_match, AccessDenied, ANY_SCOPE};
use crate::domain::{Group, Policy, PolicyRule, Scope, Status, User};

/// The jwt-bearer grant type a rule must list.
pub const GRANT_TYPE: &str = crate::domain::grant_type::JWT_BEARER;

/// Everything the jwt-bearer decision looks at; the caller loads it.
#[derive(Debug, Clone, Copy)]
pub struct JwtBearerInput<'a> {
    pub client_id: &'a str,
    /// The user and all of their groups; `None` for a machine subject (people skipped).
    pub user: Option<(&'a User, &'a [Group])>,
    /// The ID-JAG scopes, intersected with the request `scope` when one was given.
    pub candidates: &'a [String],
    /// Every scope of the authorization server (what `*` stands for).
    pub server_scopes: &'a [Scope],
    /// The server's policies, each with its rules, in any order.
    pub policies: &'a [(Policy, Vec<PolicyRule>)],
}

/// The fully matching rule and what it grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtBearerDecision {
    pub policy_id: String,
    pub rule_id: String,
    /// Candidates the rule allows, in candidate order, never empty.
    pub granted: Vec<String>,
    /// The rule's access-token lifetime in minutes.
    pub access_token_minutes: i64,
}

/// Applies xaa.md §6.3 to one redemption.
#[tracing::instrument(name = "policy.user_access", level = "debug", skip_all)]
pub fn evaluate_jwt_bearer(input: &JwtBearerInput) -> Result<JwtBearerDecision, AccessDenied> {
    let mut policies: Vec<&(Policy, Vec<PolicyRule>)> = input
        .policies
        .iter()
        .filter(|(p, _)| p.status == Status::Active && applies_to_client(p, input.client_id))
        .collect();
    policies.sort_by_key(|(p, _)| p.priority);
    let mut partial = false;
    for (policy, rules) in policies {
        let mut rules: Vec<&PolicyRule> = rules.iter().filter(|r| r.status == Status::Active).collect();
        rules.sort_by_key(|r| r.priority);
        for rule in rules {
            let grant_ok = rule.conditions.grant_types.include.iter().any(|g| g == GRANT_TYPE);
            let people_ok = input.user.is_none_or(|(user, groups)| people_match(rule, user, groups));
            if !(grant_ok && people_ok) {
                continue;
            }
            let granted: Vec<String> =
                input.candidates.iter().filter(|s| rule_allows(rule, s, input.server_scopes)).cloned().collect();
            if granted.is_empty() {
                partial = true;
                continue;
            }
            return Ok(JwtBearerDecision {
                policy_id: policy.id.clone(),
                rule_id: rule.id.clone(),
                granted,
                access_token_minutes: rule.token.access_token_minutes,
            });
        }
    }
    Err(if partial { AccessDenied::NoScopeAllowed } else { AccessDenied::NoMatchingPolicy })
}

fn rule_allows(rule: &PolicyRule, scope: &str, server_scopes: &[Scope]) -> bool {
    rule.conditions
        .scopes
        .include
        .iter()
        .any(|s| s == scope || (s == ANY_SCOPE && server_scopes.iter().any(|d| d.name == scope)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::auth_server::{IncludeExclude, IncludeOnly, People};
    use crate::domain::{RuleConditions, TokenLifetimes};
    use crate::policy::fixtures::{scope, strings, user};
    use crate::policy::{ALL_CLIENTS, EVERYONE};

    const ORCH: &str = "wlps2fwpkzi3raviM1d7";
    const USER: &str = "00u1rsjejbueuQNhB1d7";

    fn policy(id: &str, priority: i64, clients: &[&str]) -> Policy {
        Policy { clients: strings(clients), ..Policy::new(id.into(), "aus", id, priority, 0) }
    }

    fn rule(id: &str, priority: i64, grants: &[&str], users: &[&str], scopes: &[&str], minutes: i64) -> PolicyRule {
        PolicyRule {
            conditions: RuleConditions {
                people: People {
                    users: IncludeExclude { include: strings(users), exclude: vec![] },
                    groups: IncludeExclude {
                        include: if users.is_empty() { strings(&[EVERYONE]) } else { vec![] },
                        exclude: vec![],
                    },
                },
                grant_types: IncludeOnly { include: strings(grants) },
                scopes: IncludeOnly { include: strings(scopes) },
            },
            token: TokenLifetimes { access_token_minutes: minutes, ..TokenLifetimes::default() },
            ..PolicyRule::new(id.into(), "", "aus", id, priority, 0)
        }
    }

    fn run(
        policies: &[(Policy, Vec<PolicyRule>)],
        user_id: Option<&str>,
        candidates: &[&str],
    ) -> Result<JwtBearerDecision, AccessDenied> {
        let u = user_id.map(user);
        let server = vec![scope("kb:execute"), scope("kb:admin"), scope("openid")];
        let candidates = strings(candidates);
        evaluate_jwt_bearer(&JwtBearerInput {
            client_id: ORCH,
            user: u.as_ref().map(|u| (u, &[] as &[Group])),
            candidates: &candidates,
            server_scopes: &server,
            policies,
        })
    }

    #[test]
    fn the_first_fully_matching_rule_wins_with_its_lifetime() {
        let policies = vec![(
            policy("00pA", 1, &[ORCH]),
            vec![
                rule("0prNoScope", 1, &[GRANT_TYPE], &[], &["other"], 5),
                rule("0prFull", 2, &[GRANT_TYPE], &[], &["kb:execute"], 30),
                rule("0prLater", 3, &[GRANT_TYPE], &[], &["*"], 90),
            ],
        )];
        let d = run(&policies, Some(USER), &["kb:execute", "kb:admin"]).unwrap();
        assert_eq!((d.policy_id.as_str(), d.rule_id.as_str()), ("00pA", "0prFull"));
        assert_eq!(d.granted, ["kb:execute"]);
        assert_eq!(d.access_token_minutes, 30);
    }

    #[test]
    fn a_scope_miss_hands_over_to_the_next_policy() {
        let policies = vec![
            (policy("00pB", 2, &[ALL_CLIENTS]), vec![rule("0prStar", 1, &[GRANT_TYPE], &[], &["*"], 60)]),
            (policy("00pA", 1, &[ORCH]), vec![rule("0prNone", 1, &[GRANT_TYPE], &[], &["nope"], 60)]),
        ];
        let d = run(&policies, Some(USER), &["kb:admin", "kb:execute", "undefined"]).unwrap();
        assert_eq!(d.rule_id, "0prStar");
        // `*` covers only scopes defined on the AS.
        assert_eq!(d.granted, ["kb:admin", "kb:execute"]);
    }

    #[test]
    fn grant_type_and_people_must_match() {
        let auth_code_only =
            vec![(policy("00pA", 1, &[ORCH]), vec![rule("0pr1", 1, &["authorization_code"], &[], &["*"], 60)])];
        assert_eq!(run(&auth_code_only, Some(USER), &["kb:execute"]), Err(AccessDenied::NoMatchingPolicy));
        let other_user =
            vec![(policy("00pA", 1, &[ORCH]), vec![rule("0pr1", 1, &[GRANT_TYPE], &["00uOther"], &["*"], 60)])];
        assert_eq!(run(&other_user, Some(USER), &["kb:execute"]), Err(AccessDenied::NoMatchingPolicy));
        // A machine subject skips the people condition.
        assert_eq!(run(&other_user, None, &["kb:execute"]).unwrap().rule_id, "0pr1");
        let other_client =
            vec![(policy("00pA", 1, &["wlpOther"]), vec![rule("0pr1", 1, &[GRANT_TYPE], &[], &["*"], 60)])];
        assert_eq!(run(&other_client, Some(USER), &["kb:execute"]), Err(AccessDenied::NoMatchingPolicy));
    }

    #[test]
    fn a_people_match_without_scopes_is_no_scope_allowed() {
        let policies = vec![(policy("00pA", 1, &[ORCH]), vec![rule("0pr1", 1, &[GRANT_TYPE], &[], &["kb:admin"], 60)])];
        assert_eq!(run(&policies, Some(USER), &["kb:execute"]), Err(AccessDenied::NoScopeAllowed));
        assert_eq!(run(&policies, Some(USER), &[]), Err(AccessDenied::NoScopeAllowed));
    }

    #[test]
    fn inactive_policies_and_rules_are_skipped() {
        let mut p = policy("00pA", 1, &[ORCH]);
        p.status = Status::Inactive;
        let policies = vec![(p, vec![rule("0pr1", 1, &[GRANT_TYPE], &[], &["*"], 60)])];
        assert_eq!(run(&policies, Some(USER), &["kb:execute"]), Err(AccessDenied::NoMatchingPolicy));
        let mut r = rule("0pr1", 1, &[GRANT_TYPE], &[], &["*"], 60);
        r.status = Status::Inactive;
        let policies = vec![(policy("00pA", 1, &[ORCH]), vec![r])];
        assert_eq!(run(&policies, Some(USER), &["kb:execute"]), Err(AccessDenied::NoMatchingPolicy));
    }
}
