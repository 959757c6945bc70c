//! The `refresh_token` grant (okta-surface.md §5.2, §7.4): rotation with its leeway, reuse
//! revoking the family, `STATIC` rotation, scope narrowing, family lifetime and idle window,
//! and the user/app/client checks, on both backends.

use crate::common;

use baton::domain::ids::hash_secret;
use baton::domain::{AppStatus, UserStatus};
use common::oauth::*;
use common::{Backend, TestServer};
use serde_json::{json, Value};

const MINUTE: i64 = 60_000;

async fn refresh(s: &TestServer, auth_server: Option<&str>, token: &str, scope: Option<&str>) -> Reply {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    s.chat_token(auth_server, &form).await
}

async fn active(s: &TestServer, auth_server: Option<&str>, token: &str) -> bool {
    let r = s.chat_call(auth_server, "introspect", &[("token", token)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["active"] == json!(true)
}

fn rt(body: &Value) -> String {
    body["refresh_token"].as_str().unwrap().to_owned()
}

fn at(body: &Value) -> String {
    body["access_token"].as_str().unwrap().to_owned()
}

async fn rotation_leeway_and_reuse(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    s.clock.freeze_at(s.clock.now_ms());
    let first = chat_tokens(&s, "openid profile offline_access").await;
    let rt0 = rt(&first);
    let (_, family) = s.state.store.find_refresh_token(&hash_secret(&rt0)).await.unwrap().unwrap();

    s.clock.advance(1_000);
    let second = refresh(&s, Some("default"), &rt0, None).await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.header("cache-control"), Some("no-store"));
    let rt1 = rt(&second.body);
    assert_ne!(rt1, rt0);
    assert_eq!(second.body["scope"], "openid profile offline_access");
    assert_eq!(second.body["expires_in"], json!(3600));
    let (_, claims) = decode(&at(&second.body));
    assert_eq!(claims["scp"], json!(["openid", "profile", "offline_access"]));
    assert_eq!(claims["uid"], USER);
    let (_, first_claims) = decode(&at(&first));
    assert_eq!(claims["auth_time"], first_claims["auth_time"], "auth_time is the original sign-in");
    let record = s.state.store.find_access_token(claims["jti"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(record.grant_id.as_deref(), Some(family.id.as_str()), "grant id = family id");
    let (_, id) = decode(second.body["id_token"].as_str().unwrap());
    assert_eq!(id["at_hash"], json!(baton::jose::claims::at_hash(&at(&second.body))));
    assert!(!id.contains_key("nonce"), "a refreshed ID token carries no nonce");
    assert_eq!(id["auth_time"], first_claims["auth_time"]);
    let (stored, same) = s.state.store.find_refresh_token(&hash_secret(&rt1)).await.unwrap().unwrap();
    assert_eq!((same.id, stored.rotated), (family.id.clone(), None));

    // Within the leeway (30 s from the first rotation) the old token still works.
    s.clock.advance(20_000);
    let third = refresh(&s, Some("default"), &rt0, None).await;
    assert_eq!(third.status, 200, "{}", third.text);
    let rt2 = rt(&third.body);
    // Past it, presenting it again is reuse: the whole family dies.
    s.clock.advance(11_000);
    let reuse = refresh(&s, Some("default"), &rt0, None).await;
    reuse.assert_error(400, "invalid_grant", "The refresh token is invalid or expired.");
    for token in [&rt1, &rt2] {
        refresh(&s, Some("default"), token, None).await.assert_error(
            400,
            "invalid_grant",
            "The refresh token is invalid or expired.",
        );
    }
    for body in [&first, &second.body, &third.body] {
        assert!(!active(&s, Some("default"), &at(body)).await, "every access token of the family is revoked");
    }
    let detect = s.events("app.oauth2.as.token.detect_reuse").await;
    assert_eq!(detect.len(), 1);
    assert_eq!(detect[0]["actor"]["id"], CHAT);
    assert_eq!(detect[0]["severity"], "WARN");
    assert_eq!(detect[0]["target"][0]["id"], USER);
    assert_eq!(detect[0]["target"][1]["id"], "default");
    let grants = s.events("app.oauth2.as.token.grant").await;
    let reuse_event = grants.iter().find(|e| e["transaction"]["id"] == detect[0]["transaction"]["id"]).unwrap();
    assert_eq!(reuse_event["outcome"], json!({"result": "FAILURE", "reason": "invalid_grant"}));
    assert_eq!(reuse_event["debugContext"]["debugData"]["error"], "invalid_refresh_token");
    assert_eq!(reuse_event["debugContext"]["debugData"]["grant_type"], "refresh_token");
    let success = &grants[1];
    assert_eq!(success["debugContext"]["debugData"]["requested_scopes"], "openid profile offline_access");
    let (policy, rule) = default_rule(&s).await;
    assert_eq!(success["debugContext"]["debugData"]["policy"], json!(policy));
    assert_eq!(success["debugContext"]["debugData"]["rule"], json!(rule));
    assert_eq!(s.events("app.oauth2.as.token.grant.refresh_token").await.len(), 3);
    for e in s.events("app.oauth2.as.token.grant.refresh_token").await {
        for token in [&rt0, &rt1, &rt2] {
            assert!(!e.to_string().contains(token.as_str()));
        }
    }
}

/// The chat app set to rotate without leeway, the clock frozen, and a refresh token from a code.
async fn zero_leeway_refresh_token(s: &TestServer) -> String {
    let mut app = s.state.store.find_app(CHAT).await.unwrap().unwrap();
    app.refresh_leeway = 0;
    s.state.store.update_app(&app, &[]).await.unwrap();
    s.clock.freeze_at(s.clock.now_ms());
    let code = CodeSpec::chat_org(s, "openid offline_access").create(s).await;
    let r = s
        .chat_token(None, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CHAT_REDIRECT)])
        .await;
    rt(&r.body)
}

async fn org_reuse_with_zero_leeway(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let rt0 = zero_leeway_refresh_token(&s).await;
    s.clock.advance(5);
    let next = refresh(&s, None, &rt0, None).await;
    assert_eq!(next.status, 200, "{}", next.text);
    s.clock.advance(5);
    refresh(&s, None, &rt0, None).await.assert_error(400, "invalid_grant", "The refresh token is invalid or expired.");
    assert!(!active(&s, None, &at(&next.body)).await);
    assert_eq!(s.events("app.oauth2.token.detect_reuse").await.len(), 1);
    assert!(s.events("app.oauth2.as.token.detect_reuse").await.is_empty());
}

/// Without a leeway a refresh token rotates exactly once, however many uses race for it and
/// even when they all carry the same clock reading (the frozen clock): the others are reuse,
/// which revokes the family (RFC 9700 §4.14.2).
async fn zero_leeway_rotates_once_under_concurrency(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let rt0 = zero_leeway_refresh_token(&s).await;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("grant_type", "refresh_token"), ("refresh_token", rt0.as_str())])
        .finish();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let request = s
                .http
                .post(s.url("/oauth2/v1/token"))
                .header("authorization", basic(CHAT, CHAT_SECRET))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone());
            tokio::spawn(async move { Reply::from(request.send().await.unwrap()).await })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        replies.push(t.await.unwrap());
    }
    let won: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(won.len(), 1, "{:?}", replies.iter().map(|r| (r.status, &r.text)).collect::<Vec<_>>());
    assert!(replies.iter().filter(|r| r.status != 200).all(|r| r.status == 400));
    // Sequential reuse in the same millisecond is reuse too.
    refresh(&s, None, &rt0, None).await.assert_error(400, "invalid_grant", "The refresh token is invalid or expired.");
    assert!(!active(&s, None, &at(&won[0].body)).await, "the family is revoked");
}

async fn static_rotation_keeps_the_token(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut app = s.state.store.find_app(CHAT).await.unwrap().unwrap();
    app.refresh_rotation = "STATIC".into();
    s.state.store.update_app(&app, &[]).await.unwrap();
    s.clock.freeze_at(s.clock.now_ms());
    let rt0 = rt(&chat_tokens(&s, "openid offline_access").await);
    for _ in 0..3 {
        s.clock.advance(5 * MINUTE);
        let r = refresh(&s, Some("default"), &rt0, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(rt(&r.body), rt0, "STATIC returns the same refresh token");
    }
    let (token, family) = s.state.store.find_refresh_token(&hash_secret(&rt0)).await.unwrap().unwrap();
    assert_eq!(token.rotated, None);
    assert_eq!(family.last_used, s.clock.now_ms(), "each use counts for the idle window");
    assert!(s.events("app.oauth2.as.token.detect_reuse").await.is_empty());
}

async fn scope_may_only_narrow(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let rt0 = rt(&chat_tokens(&s, "openid profile offline_access").await);
    let r = refresh(&s, Some("default"), &rt0, Some("profile")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["scope"], "profile");
    assert!(r.body.get("id_token").is_none(), "no openid, no ID token");
    assert_eq!(decode(&at(&r.body)).1["scp"], json!(["profile"]));
    let rt1 = rt(&r.body);
    let (_, family) = s.state.store.find_refresh_token(&hash_secret(&rt1)).await.unwrap().unwrap();
    assert_eq!(family.scopes, strings("openid profile offline_access"), "the family keeps its scopes");
    let r = refresh(&s, Some("default"), &rt1, Some("openid email")).await;
    r.assert_error(
        400,
        "access_denied",
        "Some of the scopes requested for the refresh request were not granted in the original authorize request.",
    );
    let e = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(e.last().unwrap()["debugContext"]["debugData"]["error"], "refresh_scopes_denied");
    assert_eq!(e.last().unwrap()["debugContext"]["debugData"]["requested_scopes"], "openid email");
    // A refused widening does not burn the token.
    let r = refresh(&s, Some("default"), &rt1, Some("openid")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["id_token"].is_string());
}

async fn family_lifetime_and_idle_window(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let store = s.state.store.as_ref();
    let (policy, rule_id) = default_rule(&s).await;
    let mut rule = store.find_rule(&policy, &rule_id).await.unwrap().unwrap();
    rule.token.access_token_minutes = 10;
    rule.token.refresh_token_minutes = 120;
    rule.token.refresh_token_window_minutes = 30;
    store.update_rule(&rule, &[]).await.unwrap();
    s.clock.freeze_at(s.clock.now_ms());
    let start = s.clock.now_ms();

    // Idle: unused for longer than the window.
    let idle = rt(&chat_tokens(&s, "openid offline_access").await);
    let (_, family) = store.find_refresh_token(&hash_secret(&idle)).await.unwrap().unwrap();
    assert_eq!(family.expires, Some(start + 120 * MINUTE));
    assert_eq!(family.idle_window_ms, 30 * MINUTE);

    // Lifetime: used every 25 minutes, it still ends 120 minutes after the first issue.
    let mut token = rt(&chat_tokens(&s, "openid offline_access").await);
    for _ in 0..4 {
        s.clock.advance(25 * MINUTE);
        let r = refresh(&s, Some("default"), &token, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["expires_in"], json!(600), "the family's rule sets the access lifetime");
        token = rt(&r.body);
    }
    refresh(&s, Some("default"), &idle, None).await.assert_error(
        400,
        "invalid_grant",
        "The refresh token is invalid or expired.",
    );
    s.clock.advance(21 * MINUTE);
    refresh(&s, Some("default"), &token, None).await.assert_error(
        400,
        "invalid_grant",
        "The refresh token is invalid or expired.",
    );
    // Later policy edits do not touch existing families, and a deleted rule is not needed.
    s.clock.reset();
    let fresh = rt(&chat_tokens(&s, "openid offline_access").await);
    store.delete_rule(&policy, &rule_id, &[]).await.unwrap();
    let r = refresh(&s, Some("default"), &fresh, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["expires_in"], json!(3600), "the default lifetime once the rule is gone");
}

async fn user_app_and_client_checks(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let store = s.state.store.as_ref();
    let token = rt(&chat_tokens(&s, "openid offline_access").await);
    // Unknown token, another AS, another client.
    refresh(&s, Some("default"), "unknown", None).await.assert_error(
        400,
        "invalid_grant",
        "The refresh token is invalid or expired.",
    );
    refresh(&s, None, &token, None).await.assert_error(
        400,
        "invalid_grant",
        "The refresh token is invalid or expired.",
    );
    let now = s.clock.now_ms();
    let other = app(
        "Other",
        baton::domain::AuthMethod::ClientSecretBasic,
        "web",
        &["authorization_code", "refresh_token"],
        now,
    );
    create_app(&s, &other, Some("other-secret-0123456789")).await;
    let auth = basic(&other.client_id, "other-secret-0123456789");
    let r = s
        .post_form(
            "/oauth2/default/v1/token",
            &[("authorization", &auth)],
            &[("grant_type", "refresh_token"), ("refresh_token", &token)],
        )
        .await;
    r.assert_error(400, "invalid_grant", "The refresh token is invalid or expired.");
    // The user leaves ACTIVE: refused; back to ACTIVE: the (unrevoked) family works again.
    let mut user = store.find_user(USER).await.unwrap().unwrap();
    user.status = UserStatus::Deprovisioned;
    store.update_user(&user, &[]).await.unwrap();
    refresh(&s, Some("default"), &token, None).await.assert_error(
        400,
        "invalid_grant",
        "The refresh token is invalid or expired.",
    );
    user.status = UserStatus::Active;
    store.update_user(&user, &[]).await.unwrap();
    let r = refresh(&s, Some("default"), &token, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The app is deactivated: it cannot authenticate at all.
    let mut app = store.find_app(CHAT).await.unwrap().unwrap();
    app.status = AppStatus::Inactive;
    store.update_app(&app, &[]).await.unwrap();
    refresh(&s, Some("default"), &rt(&r.body), None).await.assert_error(
        401,
        "invalid_client",
        "Invalid value for 'client_id' parameter.",
    );
    let e = s.events("app.oauth2.as.token.grant").await;
    let reasons: Vec<&str> = e.iter().filter_map(|e| e["debugContext"]["debugData"]["error"].as_str()).collect();
    assert_eq!(
        reasons,
        ["invalid_refresh_token", "invalid_refresh_token", "invalid_refresh_token", "invalid_client_id"]
    );
    assert_eq!(
        s.events("app.oauth2.token.grant").await[0]["debugContext"]["debugData"]["error"],
        "invalid_refresh_token"
    );
}

backend_tests!(
    rotation_leeway_and_reuse,
    org_reuse_with_zero_leeway,
    zero_leeway_rotates_once_under_concurrency,
    static_rotation_keeps_the_token,
    scope_may_only_narrow,
    family_lifetime_and_idle_window,
    user_app_and_client_checks,
);
