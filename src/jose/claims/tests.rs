//! Token and userinfo claim sets against the examples of okta-surface.md §7.2, §7.3 and xaa.md.

use super::*;
use crate::domain::{GroupType, UserProfile, UserStatus};

const ISS: &str = "{base}/oauth2/default";
const CLIENT: &str = "0oa1b2c3d4E5f6G7h8i9";
const USER_ID: &str = "00ub0oNGTSWTBKOLGLNR";
const LOGIN: &str = "isaac.brock@example.com";
const ORG: &str = "00o1n8sbwArJ7OQRw406";

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn user(profile: Value) -> User {
    User {
        id: USER_ID.into(),
        status: UserStatus::Active,
        profile: UserProfile(object(profile)),
        password_hash: None,
        created: 0,
        activated: None,
        status_changed: None,
        last_login: None,
        last_updated: 1_767_220_000_999,
        password_changed: None,
    }
}

fn isaac() -> User {
    user(json!({"login": LOGIN, "email": LOGIN, "firstName": "Isaac", "lastName": "Brock"}))
}

fn group(name: &str) -> Group {
    Group {
        id: format!("00g{name}"),
        group_type: GroupType::OktaGroup,
        name: name.into(),
        description: None,
        created: 0,
        last_updated: 0,
        last_membership_updated: 0,
    }
}

/// Checks the random `jti` (`prefix` + 43 base64url characters), then pins it for comparison.
fn pin_jti(m: &mut Map<String, Value>, prefix: &str, pinned: &str) {
    let jti = m["jti"].as_str().unwrap();
    let body = jti.strip_prefix(prefix).unwrap_or_else(|| panic!("{jti} lacks {prefix}"));
    assert_eq!(body.len(), 43, "{jti}");
    assert!(body.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{jti}");
    m["jti"] = json!(pinned);
}

fn access_input<'a>(scopes: &'a [String], resource: &'a Map<String, Value>) -> AccessTokenInput<'a> {
    AccessTokenInput {
        issuer: ISS,
        audience: "api://default",
        iat: 1_767_222_000,
        exp: 1_767_225_600,
        client_id: CLIENT,
        subject: TokenSubject::User { id: USER_ID, login: LOGIN },
        scopes,
        auth_time: Some(1_767_221_900),
        resource_claims: resource,
        jwt_bearer: None,
    }
}

#[test]
fn access_token_matches_the_spec_example() {
    let scopes = strings(&["openid", "email"]);
    let resource = object(json!({"department": "R&D"}));
    let mut m = access_token_claims(&access_input(&scopes, &resource));
    pin_jti(&mut m, "AT.", "AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE");
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"ver":1,"jti":"AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE","iss":"{base}/oauth2/default","aud":"api://default","iat":1767222000,"exp":1767225600,"cid":"0oa1b2c3d4E5f6G7h8i9","uid":"00ub0oNGTSWTBKOLGLNR","scp":["openid","email"],"auth_time":1767221900,"sub":"isaac.brock@example.com","department":"R&D"}"#
    );
}

#[test]
fn access_jtis_are_fresh() {
    let scopes = strings(&["openid"]);
    let none = Map::new();
    let a = access_token_claims(&access_input(&scopes, &none));
    let b = access_token_claims(&access_input(&scopes, &none));
    assert_ne!(a["jti"], b["jti"]);
}

#[test]
fn client_credentials_token_has_no_uid_or_auth_time_and_sub_is_the_client() {
    let scopes = strings(&["orders:read"]);
    let none = Map::new();
    let input = AccessTokenInput {
        subject: TokenSubject::Client { client_id: CLIENT },
        auth_time: None,
        ..access_input(&scopes, &none)
    };
    let mut m = access_token_claims(&input);
    pin_jti(&mut m, "AT.", "AT.x");
    assert_eq!(
        Value::Object(m).to_string(),
        r#"{"ver":1,"jti":"AT.x","iss":"{base}/oauth2/default","aud":"api://default","iat":1767222000,"exp":1767225600,"cid":"0oa1b2c3d4E5f6G7h8i9","scp":["orders:read"],"sub":"0oa1b2c3d4E5f6G7h8i9"}"#
    );
}

#[test]
fn jwt_bearer_token_matches_the_xaa_example() {
    let scopes = strings(&["Corp-Knowledge-Agent:execute"]);
    let act = json!({"sub":"wlps2fwpkzi3raviM1d7","sub_profile":"ai_agent",
        "act":{"sub":"0oarbboyj0J3R67xy1d7","sub_profile":"web_app"}});
    let resource = object(json!({"sub": "overridden?", "team": "knowledge"}));
    let input = AccessTokenInput {
        issuer: "http://127.0.0.1:8080/oauth2/aus1JGp4q34ckplLYGbL",
        audience: "https://streamward.com/corp/knowledge",
        iat: 1_780_117_452,
        exp: 1_780_121_052,
        client_id: "wlps2fwpkzi3raviM1d7",
        subject: TokenSubject::User { id: "00u1rsjejbueuQNhB1d7", login: "demouser@streamward.com" },
        scopes: &scopes,
        auth_time: Some(1_780_117_400),
        resource_claims: &resource,
        jwt_bearer: Some(JwtBearerClaims { act: Some(&act), sub_profile: Some("user") }),
    };
    let mut m = access_token_claims(&input);
    pin_jti(&mut m, "AT.", "AT.THp0w4AKQh2N4SL_sLvYvnnFTwlh9fkhSMeHNoWsdoE");
    // The example of xaa.md hop 4, plus one RESOURCE claim; the custom `sub` is dropped.
    assert_eq!(
        Value::Object(m).to_string(),
        concat!(
            r#"{"ver":1,"jti":"AT.THp0w4AKQh2N4SL_sLvYvnnFTwlh9fkhSMeHNoWsdoE","iss":"http://127.0.0.1:8080/oauth2/aus1JGp4q34ckplLYGbL","#,
            r#""aud":"https://streamward.com/corp/knowledge","iat":1780117452,"exp":1780121052,"cid":"wlps2fwpkzi3raviM1d7","#,
            r#""uid":"00u1rsjejbueuQNhB1d7","scp":["Corp-Knowledge-Agent:execute"],"scope":"Corp-Knowledge-Agent:execute","#,
            r#""auth_time":1780117400,"sub":"demouser@streamward.com","#,
            r#""act":{"sub":"wlps2fwpkzi3raviM1d7","sub_profile":"ai_agent","act":{"sub":"0oarbboyj0J3R67xy1d7","sub_profile":"web_app"}},"#,
            r#""sub_profile":"user","team":"knowledge"}"#
        )
    );
}

#[test]
fn jwt_bearer_machine_subject_has_no_uid() {
    let scopes = strings(&["Aurora-DB:read", "Aurora-DB:write"]);
    let none = Map::new();
    let input = AccessTokenInput {
        subject: TokenSubject::Client { client_id: "wlpzantde10QGRrpF1d7" },
        auth_time: None,
        jwt_bearer: Some(JwtBearerClaims { act: None, sub_profile: Some("ai_agent") }),
        ..access_input(&scopes, &none)
    };
    let m = access_token_claims(&input);
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(keys, ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "scp", "scope", "sub", "sub_profile"]);
    assert_eq!(m["scope"], "Aurora-DB:read Aurora-DB:write");
    assert_eq!(m["sub"], "wlpzantde10QGRrpF1d7");
}

fn id_input<'a>(user: &'a User, scopes: &'a [String], identity: &'a Map<String, Value>) -> IdTokenInput<'a> {
    IdTokenInput {
        issuer: ISS,
        client_id: CLIENT,
        org_id: ORG,
        user,
        groups: &[],
        org_as: false,
        scopes,
        iat: 1_767_222_000,
        exp: 1_767_225_600,
        auth_time: 1_767_221_900,
        nonce: None,
        access_token: None,
        identity_claims: identity,
    }
}

#[test]
fn id_token_with_nonce_and_at_hash_in_okta_order() {
    let u = isaac();
    let scopes = strings(&["openid", "profile", "email"]);
    let identity = object(json!({"department": "R&D", "iss": "ignored"}));
    let token = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJ2ZXIiOjF9.c2ln";
    let input =
        IdTokenInput { nonce: Some("n-0S6_WzA2Mj"), access_token: Some(token), ..id_input(&u, &scopes, &identity) };
    let mut m = id_token_claims(&input).unwrap();
    pin_jti(&mut m, "ID.", "ID.x");
    let expected_hash = {
        let digest = Sha256::digest(token.as_bytes());
        URL_SAFE_NO_PAD.encode(&digest[..16])
    };
    assert_eq!(
        Value::Object(m).to_string(),
        format!(
            concat!(
                r#"{{"sub":"00ub0oNGTSWTBKOLGLNR","name":"Isaac Brock","email":"isaac.brock@example.com","ver":1,"#,
                r#""iss":"{{base}}/oauth2/default","aud":"0oa1b2c3d4E5f6G7h8i9","iat":1767222000,"exp":1767225600,"#,
                r#""jti":"ID.x","amr":["pwd"],"idp":"00o1n8sbwArJ7OQRw406","nonce":"n-0S6_WzA2Mj","#,
                r#""preferred_username":"isaac.brock@example.com","auth_time":1767221900,"at_hash":"{}","department":"R&D"}}"#
            ),
            expected_hash
        )
    );
}

#[test]
fn id_token_base_claims_only_without_profile_or_email() {
    let u = isaac();
    let scopes = strings(&["openid", "address", "groups"]);
    let none = Map::new();
    let m = id_token_claims(&id_input(&u, &scopes, &none)).unwrap();
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(keys, ["sub", "ver", "iss", "aud", "iat", "exp", "jti", "amr", "idp", "auth_time"]);
    assert!(m["jti"].as_str().unwrap().starts_with("ID."));
}

#[test]
fn id_token_display_name_wins_and_absent_email_is_omitted() {
    let u = user(json!({"login": "bot@example.com", "displayName": "Build Bot", "firstName": "B"}));
    let scopes = strings(&["openid", "profile", "email"]);
    let none = Map::new();
    let m = id_token_claims(&id_input(&u, &scopes, &none)).unwrap();
    assert_eq!(m["name"], "Build Bot");
    assert!(!m.contains_key("email"));
    assert_eq!(m["preferred_username"], "bot@example.com");
}

#[test]
fn org_as_id_token_carries_groups_after_at_hash() {
    let u = isaac();
    let scopes = strings(&["openid", "groups"]);
    let groups = [group("Everyone"), group("Engineers")];
    let none = Map::new();
    let input = IdTokenInput { org_as: true, groups: &groups, access_token: Some("t"), ..id_input(&u, &scopes, &none) };
    let m = id_token_claims(&input).unwrap();
    let keys: Vec<&str> = m.keys().rev().take(2).map(String::as_str).collect();
    assert_eq!(keys, ["groups", "at_hash"]);
    assert_eq!(m["groups"], json!(["Everyone", "Engineers"]));

    // A custom AS has no `groups` scope claim of its own.
    let custom = id_token_claims(&IdTokenInput { org_as: false, ..input }).unwrap();
    assert!(!custom.contains_key("groups"));
}

#[test]
fn more_than_100_groups_fail() {
    let u = isaac();
    let scopes = strings(&["openid", "groups"]);
    let groups: Vec<Group> = (0..=100).map(|i| group(&format!("g{i}"))).collect();
    let none = Map::new();
    let input = IdTokenInput { org_as: true, groups: &groups, ..id_input(&u, &scopes, &none) };
    assert_eq!(id_token_claims(&input), Err(ClaimError::TooManyGroups { claim: "groups".into(), count: 101 }));
    assert!(id_token_claims(&IdTokenInput { groups: &groups[..100], ..input }).is_ok());
    assert!(userinfo_claims(&u, &groups, &scopes, true).is_err());
}

#[test]
fn at_hash_is_left_half_of_sha256_base64url() {
    // Computed independently: base64url(sha256(token)[:16]) with Python's hashlib.
    assert_eq!(at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNXQdJfNYrjmvv7Oyj6UF8X2RZRRUMCD7YJ0eOO6"), "eNM2fUyqBRLD0EaG7nZFHw");
    let token = "eyJraWQiOiJrMSJ9.e30.sig";
    let digest = Sha256::digest(token.as_bytes());
    assert_eq!(at_hash(token), URL_SAFE_NO_PAD.encode(&digest[..16]));
    assert_eq!(at_hash(token).len(), 22);
}

fn full_profile() -> User {
    user(json!({
        "login": LOGIN, "email": LOGIN, "firstName": "Isaac", "middleName": "K", "lastName": "Brock",
        "nickName": "Ike", "displayName": null, "profileUrl": "https://example.com/isaac",
        "timezone": "America/Los_Angeles", "locale": "en-US", "mobilePhone": "+1 555 0100",
        "streetAddress": "1 Main St", "city": "Portland", "state": "OR", "zipCode": "97201", "countryCode": "US",
        "department": "R&D"
    }))
}

#[test]
fn userinfo_with_every_scope_follows_the_table() {
    let scopes = strings(&["openid", "profile", "email", "address", "phone", "orders:read"]);
    let m = userinfo_claims(&full_profile(), &[group("Engineers")], &scopes, false).unwrap();
    assert_eq!(
        Value::Object(m).to_string(),
        concat!(
            r#"{"sub":"00ub0oNGTSWTBKOLGLNR","name":"Isaac Brock","given_name":"Isaac","middle_name":"K","family_name":"Brock","#,
            r#""nickname":"Ike","preferred_username":"isaac.brock@example.com","profile":"https://example.com/isaac","#,
            r#""zoneinfo":"America/Los_Angeles","locale":"en-US","updated_at":1767220000,"#,
            r#""email":"isaac.brock@example.com","email_verified":true,"#,
            r#""address":{"street_address":"1 Main St","locality":"Portland","region":"OR","postal_code":"97201","country":"US"},"#,
            r#""phone_number":"+1 555 0100"}"#
        )
    );
}

#[test]
fn userinfo_omits_absent_values_never_null() {
    let u =
        user(json!({"login": LOGIN, "firstName": "Isaac", "lastName": null, "city": "Portland", "mobilePhone": null}));
    let scopes = strings(&["openid", "profile", "email", "address", "phone"]);
    let m = userinfo_claims(&u, &[], &scopes, false).unwrap();
    assert_eq!(
        Value::Object(m).to_string(),
        r#"{"sub":"00ub0oNGTSWTBKOLGLNR","name":"Isaac","given_name":"Isaac","preferred_username":"isaac.brock@example.com","updated_at":1767220000,"address":{"locality":"Portland"}}"#
    );
}

#[test]
fn userinfo_with_openid_only_is_sub() {
    let m = userinfo_claims(&full_profile(), &[], &strings(&["openid"]), true).unwrap();
    assert_eq!(Value::Object(m).to_string(), r#"{"sub":"00ub0oNGTSWTBKOLGLNR"}"#);
}

#[test]
fn userinfo_groups_only_on_the_org_as() {
    let scopes = strings(&["openid", "email", "groups"]);
    let groups = [group("Everyone"), group("Engineers")];
    let org = userinfo_claims(&isaac(), &groups, &scopes, true).unwrap();
    assert_eq!(
        Value::Object(org).to_string(),
        r#"{"sub":"00ub0oNGTSWTBKOLGLNR","email":"isaac.brock@example.com","email_verified":true,"groups":["Everyone","Engineers"]}"#
    );
    let custom = userinfo_claims(&isaac(), &groups, &scopes, false).unwrap();
    assert!(!custom.contains_key("groups"));
}

#[test]
fn merge_custom_never_overrides() {
    let mut m = object(json!({"sub": "a", "ver": 1}));
    merge_custom(&mut m, &object(json!({"sub": "b", "team": "x", "ver": 2})));
    assert_eq!(Value::Object(m).to_string(), r#"{"sub":"a","ver":1,"team":"x"}"#);
}
