//! `/v1/userinfo` (okta-surface.md §6.3, §7.3): the claims of the granted scopes plus IDENTITY
//! claims, and the header-only errors, on both backends.

use crate::common;

use baton::domain::ids::{new_id, Prefix};
use baton::domain::{Claim, ClaimType, UserStatus};
use common::oauth::*;
use common::{Backend, TestServer};
use serde_json::{json, Value};

const INVALID: &str = "Bearer error=\"invalid_token\", error_description=\"The access token is invalid\"";
const INSUFFICIENT: &str = "Bearer error=\"insufficient_scope\", error_description=\"The access token must provide \
                            access to at least one of these scopes - profile, email, address or phone\"";

async fn userinfo(s: &TestServer, path: &str, token: Option<&str>, post: bool) -> Reply {
    let mut req = if post { s.http.post(s.url(path)) } else { s.http.get(s.url(path)) };
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    Reply::from(req.send().await.unwrap()).await
}

#[track_caller]
fn assert_challenge(r: &Reply, status: u16, header: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.text, "", "userinfo errors have an empty body");
    assert_eq!(r.header("www-authenticate"), Some(header));
}

async fn token_for(s: &TestServer, auth_server: Option<&str>, scopes: &str) -> String {
    let spec = match auth_server {
        Some(_) => CodeSpec::chat_default(s, scopes).await,
        None => CodeSpec::chat_org(s, scopes),
    };
    let code = spec.create(s).await;
    let r = s
        .chat_token(
            auth_server,
            &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CHAT_REDIRECT)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["access_token"].as_str().unwrap().to_owned()
}

async fn claims_of_granted_scopes(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let store = s.state.store.as_ref();
    let mut user = store.find_user(USER).await.unwrap().unwrap();
    for (k, v) in [
        ("middleName", "Q"),
        ("nickName", "demo"),
        ("locale", "en_US"),
        ("timezone", "America/Los_Angeles"),
        ("streetAddress", "1 Main St"),
        ("city", "Springfield"),
        ("zipCode", "12345"),
        ("countryCode", "US"),
        ("mobilePhone", "+1 555 0100"),
        ("department", "R&D"),
    ] {
        user.profile.0.insert(k.into(), json!(v));
    }
    store.update_user(&user, &[]).await.unwrap();
    let now = s.clock.now_ms();
    for (name, value, scopes, always) in [
        ("department", "user.department", vec!["profile".to_owned()], false),
        ("motto", "'stream on'", vec!["phone".to_owned()], true),
    ] {
        let claim = Claim {
            value: value.into(),
            scopes,
            always_include_in_token: always,
            ..Claim::new(new_id(Prefix::Claim), "default", name, ClaimType::Identity, now)
        };
        store.create_claim(&claim, &[]).await.unwrap();
    }
    let user = store.find_user(USER).await.unwrap().unwrap();
    let token = token_for(&s, Some("default"), "openid profile email address").await;
    let expected = json!({
        "sub": USER, "name": "Demo User", "given_name": "Demo", "middle_name": "Q", "family_name": "User",
        "nickname": "demo", "preferred_username": LOGIN, "zoneinfo": "America/Los_Angeles", "locale": "en_US",
        "updated_at": user.last_updated / 1000, "email": LOGIN, "email_verified": true,
        "address": {"street_address": "1 Main St", "locality": "Springfield", "postal_code": "12345", "country": "US"},
        "department": "R&D",
    });
    for post in [false, true] {
        let r = userinfo(&s, "/oauth2/default/v1/userinfo", Some(&token), post).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.body, expected);
    }
    // phone only: the phone claim and the IDENTITY claim conditioned on phone.
    let token = token_for(&s, Some("default"), "openid phone").await;
    let r = userinfo(&s, "/oauth2/default/v1/userinfo", Some(&token), false).await;
    assert_eq!(r.body, json!({"sub": USER, "phone_number": "+1 555 0100", "motto": "stream on"}));
    // The org AS: groups with the groups scope, never custom claims.
    let token = token_for(&s, None, "openid email groups").await;
    let r = userinfo(&s, "/oauth2/v1/userinfo", Some(&token), false).await;
    assert_eq!(r.body, json!({"sub": USER, "email": LOGIN, "email_verified": true, "groups": ["Everyone"]}));
    // sub matches the ID token's sub (okta-auth-js checks it).
    let tokens = chat_tokens(&s, "openid email").await;
    let (_, id) = decode(tokens["id_token"].as_str().unwrap());
    let r = userinfo(&s, "/oauth2/default/v1/userinfo", tokens["access_token"].as_str(), false).await;
    assert_eq!(r.body["sub"], id["sub"]);
}

async fn header_errors(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let store = s.state.store.as_ref();
    let path = "/oauth2/default/v1/userinfo";
    assert_challenge(&userinfo(&s, path, None, false).await, 401, INVALID);
    assert_challenge(&userinfo(&s, path, Some("junk"), false).await, 401, INVALID);
    let r =
        Reply::from(s.http.get(s.url(path)).header("authorization", basic(CHAT, CHAT_SECRET)).send().await.unwrap())
            .await;
    assert_challenge(&r, 401, INVALID);
    // Another AS's token.
    let org_token = token_for(&s, None, "openid profile").await;
    assert_challenge(&userinfo(&s, path, Some(&org_token), false).await, 401, INVALID);
    // Scopes: openid plus at least one of profile, email, address, phone.
    let no_openid = token_for(&s, Some("default"), "profile email").await;
    assert_challenge(&userinfo(&s, path, Some(&no_openid), false).await, 403, INSUFFICIENT);
    let openid_only = token_for(&s, Some("default"), "openid offline_access").await;
    assert_challenge(&userinfo(&s, path, Some(&openid_only), true).await, 403, INSUFFICIENT);
    // Revoked, user no longer ACTIVE, expired.
    let good = token_for(&s, Some("default"), "openid email").await;
    assert_eq!(userinfo(&s, path, Some(&good), false).await.status, 200);
    let revoked = token_for(&s, Some("default"), "openid email").await;
    let r = s.chat_call(Some("default"), "revoke", &[("token", &revoked)]).await;
    assert_eq!(r.status, 200);
    assert_challenge(&userinfo(&s, path, Some(&revoked), false).await, 401, INVALID);
    let mut user = store.find_user(USER).await.unwrap().unwrap();
    user.status = UserStatus::Suspended;
    store.update_user(&user, &[]).await.unwrap();
    assert_challenge(&userinfo(&s, path, Some(&good), false).await, 401, INVALID);
    user.status = UserStatus::Active;
    store.update_user(&user, &[]).await.unwrap();
    assert_eq!(userinfo(&s, path, Some(&good), false).await.status, 200);
    s.clock.advance(3601 * 1000);
    assert_challenge(&userinfo(&s, path, Some(&good), false).await, 401, INVALID);
    // Unknown AS: the JSON 404 envelope.
    let r = userinfo(&s, "/oauth2/ausNope/v1/userinfo", Some(&good), false).await;
    assert_eq!(r.status, 404);
    let body: &Value = &r.body;
    assert_eq!(body["errorCode"], "E0000007");
}

backend_tests!(claims_of_granted_scopes, header_errors);
