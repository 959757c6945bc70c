//! Custom claim evaluation (okta-surface.md §11.4): selection, expressions, group filters.

use super::*;
use crate::domain::{GroupType, UserProfile, UserStatus};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn user() -> User {
    let Value::Object(profile) = json!({
        "login": "isaac.brock@example.com", "department": "R&D", "costCenter": 42,
        "manager": null, "tags": ["a", "b"]
    }) else {
        unreachable!()
    };
    User {
        id: "00ub0oNGTSWTBKOLGLNR".into(),
        status: UserStatus::Active,
        profile: UserProfile(profile),
        password_hash: None,
        created: 0,
        activated: None,
        status_changed: None,
        last_login: None,
        last_updated: 0,
        password_changed: None,
    }
}

fn groups(names: &[&str]) -> Vec<Group> {
    names
        .iter()
        .map(|n| Group {
            id: format!("00g{n}"),
            group_type: GroupType::OktaGroup,
            name: (*n).into(),
            description: None,
            created: 0,
            last_updated: 0,
            last_membership_updated: 0,
        })
        .collect()
}

fn claim(name: &str, kind: ClaimType, value: &str) -> Claim {
    Claim { value: value.into(), ..Claim::new(format!("ocl{name}"), "default", name, kind, 0) }
}

fn groups_claim(filter: &str, pattern: &str) -> Claim {
    Claim {
        value_type: ClaimValueType::Groups,
        group_filter_type: Some(filter.into()),
        ..claim("groups", ClaimType::Resource, pattern)
    }
}

const MEMBER_OF: &[&str] = &["Everyone", "Engineers", "Eng-Leads", "Sales", "Pre-Engineering"];

/// Evaluates RESOURCE claims for the test user in `MEMBER_OF`, with scope `orders:read`.
fn resource(claims: &[Claim]) -> Result<Map<String, Value>, ClaimError> {
    let u = user();
    let g = groups(MEMBER_OF);
    evaluate_claims(claims, ClaimType::Resource, &strings(&["openid", "orders:read"]), Some((&u, &g)), false)
}

fn as_json(m: &Map<String, Value>) -> String {
    serde_json::to_string(m).unwrap()
}

#[test]
fn expressions_accepted_by_the_management_api() {
    for ok in
        ["user.department", "user.firstName", " user.cost_center2 ", "user._x", "\"R&D\"", "'R&D'", "\"\"", "'it\"s'"]
    {
        assert!(validate_expression(ok), "{ok}");
    }
    for bad in [
        "user.",
        "user.a.b",
        "user.first-name",
        "user.2fa",
        "appuser.department",
        "user.department + 'x'",
        "String.toUpperCase(user.login)",
        "\"unterminated",
        "'mixed\"",
        "\"a\"b\"",
        "R&D",
        "",
        "isMemberOfGroupName(\"x\")",
    ] {
        assert!(!validate_expression(bad), "{bad}");
    }
}

#[test]
fn user_attribute_and_literals_in_claim_order() {
    let claims = [
        claim("department", ClaimType::Resource, "user.department"),
        claim("tier", ClaimType::Resource, "\"gold\""),
        claim("region", ClaimType::Resource, "'eu-west'"),
        claim("cost", ClaimType::Resource, "user.costCenter"),
        claim("tags", ClaimType::Resource, "user.tags"),
    ];
    assert_eq!(
        as_json(&resource(&claims).unwrap()),
        r#"{"department":"R&D","tier":"gold","region":"eu-west","cost":42,"tags":["a","b"]}"#
    );
}

#[test]
fn absent_or_null_attributes_omit_the_claim() {
    let claims = [
        claim("manager", ClaimType::Resource, "user.manager"),
        claim("title", ClaimType::Resource, "user.title"),
        claim("department", ClaimType::Resource, "user.department"),
    ];
    assert_eq!(as_json(&resource(&claims).unwrap()), r#"{"department":"R&D"}"#);
}

#[test]
fn scope_conditions_status_and_type_select_claims() {
    let mut other_scope = claim("a", ClaimType::Resource, "'a'");
    other_scope.scopes = strings(&["orders:write"]);
    let mut matching_scope = claim("b", ClaimType::Resource, "'b'");
    matching_scope.scopes = strings(&["orders:write", "orders:read"]);
    let mut inactive = claim("c", ClaimType::Resource, "'c'");
    inactive.status = Status::Inactive;
    let identity = claim("d", ClaimType::Identity, "'d'");
    let always = claim("e", ClaimType::Resource, "'e'");
    let claims = [other_scope, matching_scope, inactive, identity, always];
    assert_eq!(as_json(&resource(&claims).unwrap()), r#"{"b":"b","e":"e"}"#);
}

#[test]
fn id_tokens_take_only_always_included_identity_claims() {
    let mut on_request = claim("nickname2", ClaimType::Identity, "'ike'");
    on_request.always_include_in_token = false;
    let always = claim("department", ClaimType::Identity, "user.department");
    let claims = [on_request, always, claim("res", ClaimType::Resource, "'r'")];
    let u = user();
    let scopes = strings(&["openid"]);
    let id = evaluate_claims(&claims, ClaimType::Identity, &scopes, Some((&u, &[])), true).unwrap();
    assert_eq!(as_json(&id), r#"{"department":"R&D"}"#);
    let userinfo = evaluate_claims(&claims, ClaimType::Identity, &scopes, Some((&u, &[])), false).unwrap();
    assert_eq!(as_json(&userinfo), r#"{"nickname2":"ike","department":"R&D"}"#);
}

#[test]
fn without_a_user_only_literals_remain() {
    let claims = [
        claim("department", ClaimType::Resource, "user.department"),
        groups_claim("REGEX", ".*"),
        claim("tier", ClaimType::Resource, "\"gold\""),
    ];
    let out = evaluate_claims(&claims, ClaimType::Resource, &strings(&["orders:read"]), None, false).unwrap();
    assert_eq!(as_json(&out), r#"{"tier":"gold"}"#);
}

#[test]
fn first_claim_of_a_name_wins() {
    let claims = [claim("x", ClaimType::Resource, "user.missing"), claim("x", ClaimType::Resource, "'second'")];
    assert_eq!(as_json(&resource(&claims).unwrap()), r#"{"x":"second"}"#);
    let claims = [claim("x", ClaimType::Resource, "'first'"), claim("x", ClaimType::Resource, "'second'")];
    assert_eq!(as_json(&resource(&claims).unwrap()), r#"{"x":"first"}"#);
}

#[test]
fn stored_invalid_expression_fails() {
    let claims = [claim("bad", ClaimType::Resource, "user.a + user.b")];
    assert_eq!(
        resource(&claims),
        Err(ClaimError::InvalidExpression { claim: "bad".into(), value: "user.a + user.b".into() })
    );
}

#[test]
fn system_claims_yield_nothing() {
    let claims = [Claim { value_type: ClaimValueType::System, ..claim("sys", ClaimType::Resource, "'x'") }];
    assert!(resource(&claims).unwrap().is_empty());
}

fn filtered(filter: &str, pattern: &str) -> Option<Value> {
    resource(&[groups_claim(filter, pattern)]).unwrap().remove("groups")
}

#[test]
fn group_filters_select_names_in_group_order() {
    assert_eq!(filtered("STARTS_WITH", "Eng"), Some(json!(["Engineers", "Eng-Leads"])));
    assert_eq!(filtered("EQUALS", "Sales"), Some(json!(["Sales"])));
    assert_eq!(filtered("CONTAINS", "Eng"), Some(json!(["Engineers", "Eng-Leads", "Pre-Engineering"])));
    assert_eq!(filtered("REGEX", ".*"), Some(json!(MEMBER_OF)));
    assert_eq!(filtered("REGEX", "Eng.*|Sales"), Some(json!(["Engineers", "Eng-Leads", "Sales"])));
}

#[test]
fn group_filters_are_case_sensitive_and_regex_matches_whole_names() {
    assert_eq!(filtered("EQUALS", "sales"), None);
    assert_eq!(filtered("STARTS_WITH", "eng"), None);
    assert_eq!(filtered("REGEX", "Eng"), None);
    assert_eq!(filtered("REGEX", "Sale"), None);
    assert_eq!(filtered("REGEX", "(?i)sales"), Some(json!(["Sales"])));
}

#[test]
fn no_matching_group_omits_the_claim() {
    assert_eq!(filtered("STARTS_WITH", "Finance"), None);
    let u = user();
    let out = evaluate_claims(&[groups_claim("REGEX", ".*")], ClaimType::Resource, &[], Some((&u, &[])), false);
    assert!(out.unwrap().is_empty());
}

#[test]
fn bad_group_filters_fail() {
    assert!(matches!(resource(&[groups_claim("REGEX", "(")]), Err(ClaimError::InvalidGroupFilter { .. })));
    assert!(matches!(resource(&[groups_claim("ENDS_WITH", "x")]), Err(ClaimError::InvalidGroupFilter { .. })));
    let no_filter = Claim { group_filter_type: None, ..groups_claim("REGEX", ".*") };
    assert!(matches!(resource(&[no_filter]), Err(ClaimError::InvalidGroupFilter { .. })));
}

#[test]
fn more_than_100_matching_groups_fail() {
    let names: Vec<String> = (0..=MAX_GROUPS).map(|i| format!("team-{i}")).collect();
    let many = groups(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let u = user();
    let claims = [groups_claim("STARTS_WITH", "team-")];
    let out = evaluate_claims(&claims, ClaimType::Resource, &[], Some((&u, &many)), false);
    assert_eq!(out, Err(ClaimError::TooManyGroups { claim: "groups".into(), count: 101 }));
    let out = evaluate_claims(&claims, ClaimType::Resource, &[], Some((&u, &many[1..])), false).unwrap();
    assert_eq!(out["groups"].as_array().unwrap().len(), 100);
}

#[test]
fn group_filter_validation_for_the_management_api() {
    for (filter, value) in
        [("STARTS_WITH", "Eng"), ("EQUALS", "("), ("CONTAINS", ""), ("REGEX", ".*"), ("REGEX", "a|b")]
    {
        assert!(validate_group_filter(filter, value), "{filter} {value}");
    }
    for (filter, value) in [("REGEX", "("), ("REGEX", "[z-a]"), ("ENDS_WITH", "x"), ("regex", ".*")] {
        assert!(!validate_group_filter(filter, value), "{filter} {value}");
    }
}
