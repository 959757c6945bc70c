//! Access-policy decisions (okta-surface.md §4.5) over the seeded default policy and variations.

use super::*;
use crate::domain::auth_server::{IncludeExclude, IncludeOnly, People};
use crate::domain::{GroupType, RuleConditions};
use crate::policy::fixtures::strings;

const CLIENT: &str = "0oa1b2c3d4E5f6G7h8i9";
const OTHER_CLIENT: &str = "0oaOtherClient000000";
const USER: &str = "00ub0oNGTSWTBKOLGLNR";
const ENGINEERS: &str = "00gEngineers00000000";
const CONTRACTORS: &str = "00gContractors000000";
const AUTH_CODE: &str = "authorization_code";
const CLIENT_CREDS: &str = "client_credentials";

fn user() -> User {
    crate::policy::fixtures::user(USER)
}

fn group(id: &str, name: &str) -> Group {
    Group {
        id: id.into(),
        group_type: GroupType::OktaGroup,
        name: name.into(),
        description: None,
        created: 0,
        last_updated: 0,
        last_membership_updated: 0,
    }
}

fn scope(name: &str) -> Scope {
    Scope { system: is_oidc_scope(name), ..Scope::custom(format!("scp_{name}"), "default", name, 0) }
}

/// The system scopes plus `orders:read` and `orders:write`.
fn server_scopes() -> Vec<Scope> {
    ["openid", "profile", "email", "address", "phone", "offline_access", "orders:read", "orders:write"]
        .into_iter()
        .map(scope)
        .collect()
}

fn policy(id: &str, priority: i64, clients: &[&str]) -> Policy {
    Policy { clients: strings(clients), ..Policy::new(id.into(), "default", id, priority, 0) }
}

/// The seeded "Default Policy Rule" (okta-surface.md §1) under another id and priority.
fn rule(id: &str, priority: i64) -> PolicyRule {
    PolicyRule {
        conditions: RuleConditions {
            people: People::everyone(),
            grant_types: IncludeOnly {
                include: strings(&[
                    AUTH_CODE,
                    CLIENT_CREDS,
                    "urn:ietf:params:oauth:grant-type:device_code",
                    "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                ]),
            },
            scopes: IncludeOnly { include: strings(&["*"]) },
        },
        ..PolicyRule::new(id.into(), "", "default", id, priority, 0)
    }
}

fn people(users: &[&str], users_ex: &[&str], groups: &[&str], groups_ex: &[&str]) -> People {
    People {
        users: IncludeExclude { include: strings(users), exclude: strings(users_ex) },
        groups: IncludeExclude { include: strings(groups), exclude: strings(groups_ex) },
    }
}

struct Case {
    client_id: &'static str,
    grant_type: &'static str,
    with_user: bool,
    groups: Vec<Group>,
    requested: Vec<String>,
    scopes: Vec<Scope>,
    policies: Vec<(Policy, Vec<PolicyRule>)>,
}

impl Case {
    /// A user with no groups asks the default policy for `requested` by authorization code.
    fn new(requested: &str) -> Self {
        Self {
            client_id: CLIENT,
            grant_type: AUTH_CODE,
            with_user: true,
            groups: vec![],
            requested: crate::policy::parse_scope(Some(requested)),
            scopes: server_scopes(),
            policies: vec![(policy("00pDefault", 1, &[ALL_CLIENTS]), vec![rule("0prDefault", 1)])],
        }
    }

    fn run(&self) -> Result<AccessDecision, AccessDenied> {
        let user = user();
        evaluate(&AccessInput {
            client_id: self.client_id,
            grant_type: self.grant_type,
            user: self.with_user.then_some((&user, self.groups.as_slice())),
            requested: &self.requested,
            server_scopes: &self.scopes,
            policies: &self.policies,
        })
    }

    fn rule_id(&self) -> Result<String, AccessDenied> {
        self.run().map(|d| d.rule_id)
    }

    fn rule_mut(&mut self) -> &mut PolicyRule {
        &mut self.policies[0].1[0]
    }
}

#[test]
fn default_policy_grants_requested_scopes_that_exist() {
    let d = Case::new("openid email orders:read").run().unwrap();
    assert_eq!(
        d,
        AccessDecision {
            policy_id: "00pDefault".into(),
            rule_id: "0prDefault".into(),
            granted: strings(&["openid", "email", "orders:read"]),
            denied: vec![],
            lifetimes: TokenLifetimes {
                access_token_minutes: 60,
                refresh_token_minutes: 0,
                refresh_token_window_minutes: 10080
            },
        }
    );
}

#[test]
fn unknown_scopes_are_denied_and_order_is_kept_without_duplicates() {
    let mut case = Case::new("orders:write nope openid");
    case.requested.extend(strings(&["nope", "orders:write", "groups"]));
    let d = case.run().unwrap();
    assert_eq!(d.granted, strings(&["orders:write", "openid"]));
    assert_eq!(d.denied, strings(&["nope", "groups"]));
}

#[test]
fn rule_scopes_narrow_but_oidc_scopes_always_pass_the_rule() {
    let mut case = Case::new("openid profile offline_access orders:read orders:write");
    case.rule_mut().conditions.scopes.include = strings(&["orders:read"]);
    let d = case.run().unwrap();
    assert_eq!(d.granted, strings(&["openid", "profile", "offline_access", "orders:read"]));
    assert_eq!(d.denied, strings(&["orders:write"]));
}

#[test]
fn oidc_scope_missing_from_the_server_is_denied() {
    let mut case = Case::new("openid phone orders:read");
    case.scopes.retain(|s| s.name != "phone");
    let d = case.run().unwrap();
    assert_eq!(d.granted, strings(&["openid", "orders:read"]));
    assert_eq!(d.denied, strings(&["phone"]));
}

#[test]
fn nothing_granted_is_no_scope_allowed() {
    let mut case = Case::new("orders:write unknown");
    case.rule_mut().conditions.scopes.include = strings(&["orders:read"]);
    assert_eq!(case.run(), Err(AccessDenied::NoScopeAllowed));
    assert_eq!(Case::new("").run(), Err(AccessDenied::NoScopeAllowed));
    assert_eq!(AccessDenied::NoScopeAllowed.to_string(), "no_scope_allowed");
}

#[test]
fn policy_for_other_clients_does_not_match() {
    let mut case = Case::new("openid");
    case.policies[0].0.clients = strings(&[OTHER_CLIENT]);
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
    case.policies[0].0.clients = strings(&[OTHER_CLIENT, CLIENT]);
    assert_eq!(case.rule_id().unwrap(), "0prDefault");
    assert_eq!(AccessDenied::NoMatchingPolicy.to_string(), "no_matching_policy");
}

#[test]
fn no_policies_is_no_matching_policy() {
    let mut case = Case::new("openid");
    case.policies.clear();
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
}

#[test]
fn inactive_policies_and_rules_are_skipped() {
    let mut case = Case::new("openid");
    case.policies[0].0.status = Status::Inactive;
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));

    let mut case = Case::new("openid");
    case.policies[0].1 = vec![rule("0prFirst", 1), rule("0prSecond", 2)];
    case.rule_mut().status = Status::Inactive;
    assert_eq!(case.rule_id().unwrap(), "0prSecond");
    case.policies[0].1[1].status = Status::Inactive;
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
}

#[test]
fn policies_and_rules_are_tried_by_priority_not_list_order() {
    let mut case = Case::new("openid");
    let mut late = rule("0prPolicy2Rule", 1);
    late.token.access_token_minutes = 5;
    let mut low = rule("0prP1Low", 7);
    low.token.access_token_minutes = 15;
    let mut high = rule("0prP1High", 3);
    high.token.access_token_minutes = 30;
    case.policies =
        vec![(policy("00pSecond", 2, &[ALL_CLIENTS]), vec![late]), (policy("00pFirst", 1, &[CLIENT]), vec![low, high])];
    let d = case.run().unwrap();
    assert_eq!((d.policy_id.as_str(), d.rule_id.as_str()), ("00pFirst", "0prP1High"));
    assert_eq!(d.lifetimes.access_token_minutes, 30);
}

#[test]
fn a_policy_whose_rules_all_miss_hands_over_to_the_next() {
    let mut case = Case::new("openid");
    let mut only_others = rule("0prOthers", 1);
    only_others.conditions.people = people(&["00uSomeoneElse000000"], &[], &[], &[]);
    case.policies.insert(0, (policy("00pFirst", 0, &[CLIENT]), vec![only_others]));
    let d = case.run().unwrap();
    assert_eq!((d.policy_id.as_str(), d.rule_id.as_str()), ("00pDefault", "0prDefault"));
}

#[test]
fn people_include_by_user_id_or_group_id() {
    let mut case = Case::new("openid");
    case.rule_mut().conditions.people = people(&[USER], &[], &[], &[]);
    assert!(case.run().is_ok());

    case.rule_mut().conditions.people = people(&[], &[], &[ENGINEERS], &[]);
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
    case.groups = vec![group(CONTRACTORS, "Contractors"), group(ENGINEERS, "Engineers")];
    assert!(case.run().is_ok());
}

#[test]
fn empty_people_include_matches_nobody() {
    let mut case = Case::new("openid");
    case.groups = vec![group(ENGINEERS, "Engineers")];
    case.rule_mut().conditions.people = People::default();
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
}

#[test]
fn exclusions_win_over_inclusions() {
    let mut case = Case::new("openid");
    case.groups = vec![group(ENGINEERS, "Engineers"), group(CONTRACTORS, "Contractors")];
    case.rule_mut().conditions.people = people(&[], &[USER], &[EVERYONE], &[]);
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
    case.rule_mut().conditions.people = people(&[USER], &[], &[ENGINEERS], &[CONTRACTORS]);
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
    case.rule_mut().conditions.people = people(&[USER], &[], &[], &[EVERYONE]);
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
    case.rule_mut().conditions.people = people(&[], &[], &[EVERYONE], &["00gSomeOtherGroup000"]);
    assert!(case.run().is_ok());
}

#[test]
fn grant_type_must_be_listed_by_the_rule() {
    let mut case = Case::new("orders:read");
    case.rule_mut().conditions.grant_types.include = strings(&[AUTH_CODE]);
    case.grant_type = CLIENT_CREDS;
    case.with_user = false;
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
    case.grant_type = AUTH_CODE;
    case.with_user = true;
    assert!(case.run().is_ok());
}

#[test]
fn refresh_token_never_matches_a_rule() {
    let mut case = Case::new("openid");
    case.rule_mut().conditions.grant_types.include.push(REFRESH_TOKEN.into());
    case.grant_type = REFRESH_TOKEN;
    assert_eq!(case.run(), Err(AccessDenied::NoMatchingPolicy));
}

#[test]
fn client_credentials_ignores_the_people_condition() {
    let mut case = Case::new("orders:read orders:write");
    case.grant_type = CLIENT_CREDS;
    case.with_user = false;
    case.rule_mut().conditions.people = people(&["00uSomeoneElse000000"], &[], &[], &[EVERYONE]);
    case.rule_mut().conditions.scopes.include = strings(&["orders:read"]);
    case.rule_mut().token.access_token_minutes = 5;
    let d = case.run().unwrap();
    assert_eq!(d.granted, strings(&["orders:read"]));
    assert_eq!(d.denied, strings(&["orders:write"]));
    assert_eq!(d.lifetimes.access_token_minutes, 5);
}
