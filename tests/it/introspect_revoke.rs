//! `/v1/introspect` and `/v1/revoke` (okta-surface.md §6.1, §6.2; xaa.md §7): response shapes,
//! who may introspect what, the kill switch (users, apps and every `act.sub`), revocation
//! semantics and their events, on both backends.

use crate::common;

use baton::domain::ids::{new_operation_id, new_secret};
use baton::domain::{AccessTokenRecord, AgentStatus, App, AppStatus, AuthMethod, Operation, UserStatus};
use common::oauth::*;
use common::{Backend, TestServer};
use serde_json::{json, Map, Value};

const SERVICE_SECRET: &str = "resource-server-secret-0123456789";

fn s_(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap().to_owned()
}

/// A confidential app standing for a resource server that checks tokens.
async fn resource_server(s: &TestServer) -> App {
    let rs = app("Resource server", AuthMethod::ClientSecretPost, "service", &["client_credentials"], s.clock.now_ms());
    create_app(s, &rs, Some(SERVICE_SECRET)).await;
    rs
}

async fn introspect_as(s: &TestServer, client: &App, auth_server: Option<&str>, form: &[(&str, &str)]) -> Reply {
    let mut form = form.to_vec();
    form.extend([("client_id", client.client_id.as_str()), ("client_secret", SERVICE_SECRET)]);
    s.post_form(&path(auth_server, "introspect"), &[], &form).await
}

async fn introspection_shapes(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let tokens = chat_tokens(&s, "openid profile offline_access").await;
    let access = s_(&tokens, "access_token");
    let (_, claims) = decode(&access);
    let r = s.chat_call(Some("default"), "introspect", &[("token", &access)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let expected = json!({
        "active": true, "token_type": "Bearer", "scope": "openid profile offline_access", "client_id": CHAT,
        "username": LOGIN, "exp": claims["exp"], "iat": claims["iat"], "sub": LOGIN, "aud": "api://default",
        "iss": format!("{}/oauth2/default", s.base), "jti": claims["jti"], "uid": USER,
    });
    assert_eq!(r.body, expected);
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["active", "token_type", "scope", "client_id", "username", "exp", "iat", "sub", "aud", "iss", "jti", "uid"]
    );
    // The hint is only a hint.
    let r =
        s.chat_call(Some("default"), "introspect", &[("token", &access), ("token_type_hint", "refresh_token")]).await;
    assert_eq!(r.body["active"], json!(true));

    let refresh = s_(&tokens, "refresh_token");
    let r =
        s.chat_call(Some("default"), "introspect", &[("token", &refresh), ("token_type_hint", "refresh_token")]).await;
    let body = r.body.as_object().unwrap();
    assert_eq!(
        body.keys().collect::<Vec<_>>(),
        ["active", "token_type", "scope", "client_id", "username", "exp", "sub", "uid"]
    );
    assert_eq!(body["active"], json!(true));
    assert_eq!(body["scope"], "openid profile offline_access");
    assert_eq!(body["client_id"], CHAT);
    assert_eq!(
        (body["username"].clone(), body["sub"].clone(), body["uid"].clone()),
        (json!(LOGIN), json!(LOGIN), json!(USER))
    );
    // Unlimited lifetime: the idle window (7 days) bounds it.
    let exp = body["exp"].as_i64().unwrap();
    assert!((exp - (s.clock.now_s() + 7 * 24 * 3600)).abs() <= 2, "{exp}");
    let r =
        s.chat_call(Some("default"), "introspect", &[("token", &refresh), ("token_type_hint", "access_token")]).await;
    assert_eq!(r.body["active"], json!(true));

    let id_token = s_(&tokens, "id_token");
    let r = s.chat_call(Some("default"), "introspect", &[("token", &id_token), ("token_type_hint", "id_token")]).await;
    assert_eq!(r.body["active"], json!(true), "{}", r.text);
    assert_eq!(r.body["sub"], USER);
    assert_eq!(r.body["aud"], CHAT);

    for junk in ["junk", "a.b.c", &format!("{access}x")] {
        let r = s.chat_call(Some("default"), "introspect", &[("token", junk)]).await;
        assert_eq!((r.status, r.body.clone()), (200, json!({"active": false})));
    }
    // Another AS's token is not this AS's.
    let r = s.chat_call(None, "introspect", &[("token", &access)]).await;
    assert_eq!(r.body, json!({"active": false}));
    let r = s.chat_call(Some("default"), "introspect", &[]).await;
    r.assert_error(400, "invalid_request", "The request is missing a required parameter: 'token'.");
    let r = s.chat_call(Some("default"), "introspect", &[("token", "a"), ("token", "b")]).await;
    r.assert_error(400, "invalid_request", "The 'token' parameter was repeated.");
    let r = s.chat_call(Some("ausNope"), "introspect", &[("token", "a")]).await;
    assert_eq!((r.status, r.body["errorCode"].as_str()), (404, Some("E0000007")));
}

async fn who_may_introspect(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let tokens = chat_tokens(&s, "openid offline_access").await;
    let (access, refresh) = (s_(&tokens, "access_token"), s_(&tokens, "refresh_token"));
    // Any authenticated client may check an access token; only the owner a refresh token.
    let rs = resource_server(&s).await;
    let r = introspect_as(&s, &rs, Some("default"), &[("token", &access)]).await;
    assert_eq!(r.body["active"], json!(true), "{}", r.text);
    assert_eq!(r.body["client_id"], CHAT);
    let r = introspect_as(&s, &rs, Some("default"), &[("token", &refresh)]).await;
    assert_eq!(r.body, json!({"active": false}));

    // A public client: client_id in the body, in the query, or Basic without a colon.
    let spa = app("SPA", AuthMethod::None, "browser", &["authorization_code"], s.clock.now_ms());
    create_app(&s, &spa, None).await;
    let r =
        s.post_form("/oauth2/default/v1/introspect", &[], &[("token", &access), ("client_id", &spa.client_id)]).await;
    assert_eq!(r.body["active"], json!(true), "{}", r.text);
    let r = s
        .post_form(&format!("/oauth2/default/v1/introspect?client_id={}", spa.client_id), &[], &[("token", &access)])
        .await;
    assert_eq!(r.body["active"], json!(true), "{}", r.text);
    let auth = basic_raw(&spa.client_id);
    let r = s.post_form("/oauth2/default/v1/introspect", &[("authorization", &auth)], &[("token", &access)]).await;
    assert_eq!(r.body["active"], json!(true), "{}", r.text);
    // A public client may not pass for a confidential one.
    let auth = basic_raw(CHAT);
    let r = s.post_form("/oauth2/default/v1/introspect", &[("authorization", &auth)], &[("token", &access)]).await;
    r.assert_error(
        401,
        "invalid_client",
        "Client authentication failed. Either the client or the client credentials are invalid.",
    );
    let r = s.post_form("/oauth2/default/v1/introspect", &[], &[("token", &access)]).await;
    r.assert_error(401, "invalid_client", "No client credentials found");
    let failures = s.events("app.oauth2.invalid_client_credentials").await;
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0]["actor"]["id"], CHAT);
    assert_eq!(failures[0]["debugContext"]["debugData"]["client_auth_type"], "none");
    assert_eq!(failures[0]["debugContext"]["debugData"]["requestUri"], "/oauth2/default/v1/introspect");
}

/// Signs and records an access token of `default` carrying an `act` chain.
async fn delegated_token(s: &TestServer) -> String {
    let now = s.clock.now_s();
    let mut claims = Map::new();
    let jti = format!("AT.{}", new_secret());
    for (k, v) in [
        ("ver", json!(1)),
        ("jti", json!(jti)),
        ("iss", json!(format!("{}/oauth2/default", s.base))),
        ("aud", json!("api://default")),
        ("iat", json!(now)),
        ("exp", json!(now + 3600)),
        ("cid", json!(CKA)),
        ("uid", json!(USER)),
        ("scp", json!(["kb:read"])),
        ("scope", json!("kb:read")),
        ("sub", json!(LOGIN)),
        (
            "act",
            json!({"sub": CKA, "sub_profile": "ai_agent", "act": {"sub": ORCHESTRATOR, "sub_profile": "ai_agent"}}),
        ),
        ("sub_profile", json!("user")),
        ("department", json!("R&D")),
    ] {
        claims.insert(k.into(), v);
    }
    let store = s.state.store.as_ref();
    let jwt = s.state.keys.sign(store, "default", &claims, None).await.unwrap();
    let record = AccessTokenRecord {
        jti,
        auth_server_id: "default".into(),
        client_id: CKA.into(),
        user_id: Some(USER.into()),
        grant_id: None,
        created: now * 1000,
        expires: (now + 3600) * 1000,
        revoked: None,
    };
    store
        .record_issuance(&baton::store::Issuance { access_token: Some(&record), ..Default::default() }, &[])
        .await
        .unwrap();
    jwt
}

async fn set_agent_status(s: &TestServer, id: &str, status: AgentStatus) {
    let store = s.state.store.as_ref();
    let mut agent = store.find_agent(id).await.unwrap().unwrap();
    agent.status = status;
    let now = s.clock.now_ms();
    let op = Operation {
        id: new_operation_id(),
        op_type: "ai-agent:Deactivate".into(),
        status: "COMPLETED".into(),
        resource_id: id.into(),
        resource_type: "ai_agent".into(),
        resource_status: "INACTIVE".into(),
        created: now,
        started: now,
        completed: Some(now),
    };
    store.update_agent(&agent, &op, &[]).await.unwrap();
}

async fn kill_switch(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let store = s.state.store.as_ref();
    let rs = resource_server(&s).await;
    let tokens = chat_tokens(&s, "openid offline_access").await;
    let (access, refresh) = (s_(&tokens, "access_token"), s_(&tokens, "refresh_token"));
    let delegated = delegated_token(&s).await;
    let check = |token: String| {
        let (s, rs) = (&s, &rs);
        async move { introspect_as(s, rs, Some("default"), &[("token", &token)]).await.body }
    };
    let r = check(delegated.clone()).await;
    assert_eq!(r["active"], json!(true), "{r}");
    assert_eq!(
        r["act"],
        json!({"sub": CKA, "sub_profile": "ai_agent", "act": {"sub": ORCHESTRATOR, "sub_profile": "ai_agent"}})
    );
    assert_eq!(r["sub_profile"], "user");
    assert_eq!(r["department"], "R&D", "RESOURCE claims pass through");
    assert_eq!(r["scope"], "kb:read");
    // A deactivated agent anywhere in the act chain kills the token, at once.
    set_agent_status(&s, ORCHESTRATOR, AgentStatus::Inactive).await;
    assert_eq!(check(delegated.clone()).await, json!({"active": false}));
    set_agent_status(&s, ORCHESTRATOR, AgentStatus::Active).await;
    assert_eq!(check(delegated.clone()).await["active"], json!(true));
    // …and so does its client.
    set_agent_status(&s, CKA, AgentStatus::Inactive).await;
    assert_eq!(check(delegated).await, json!({"active": false}));

    // The user leaves ACTIVE: access and refresh tokens are inactive; back, they are active.
    let mut user = store.find_user(USER).await.unwrap().unwrap();
    user.status = UserStatus::Suspended;
    store.update_user(&user, &[]).await.unwrap();
    assert_eq!(check(access.clone()).await, json!({"active": false}));
    let r = s.chat_call(Some("default"), "introspect", &[("token", &refresh)]).await;
    assert_eq!(r.body, json!({"active": false}));
    user.status = UserStatus::Active;
    store.update_user(&user, &[]).await.unwrap();
    assert_eq!(check(access.clone()).await["active"], json!(true));
    // The app is deactivated: its tokens are inactive for everyone else.
    let mut chat = store.find_app(CHAT).await.unwrap().unwrap();
    chat.status = AppStatus::Inactive;
    store.update_app(&chat, &[]).await.unwrap();
    assert_eq!(check(access.clone()).await, json!({"active": false}));
    chat.status = AppStatus::Active;
    store.update_app(&chat, &[]).await.unwrap();
    assert_eq!(check(access.clone()).await["active"], json!(true));
    // Expiry.
    s.clock.advance(3601 * 1000);
    assert_eq!(check(access).await, json!({"active": false}));
}

async fn revocation(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let first = chat_tokens(&s, "openid offline_access").await;
    let second = chat_tokens(&s, "openid offline_access").await;
    let rs = resource_server(&s).await;

    // An access token alone.
    let r = s
        .chat_call(
            Some("default"),
            "revoke",
            &[("token", &s_(&first, "access_token")), ("token_type_hint", "access_token")],
        )
        .await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    let r = s.chat_call(Some("default"), "introspect", &[("token", &s_(&first, "access_token"))]).await;
    assert_eq!(r.body, json!({"active": false}));
    let r = s
        .chat_token(
            Some("default"),
            &[("grant_type", "refresh_token"), ("refresh_token", &s_(&first, "refresh_token"))],
        )
        .await;
    assert_eq!(r.status, 200, "revoking an access token leaves its refresh token alone: {}", r.text);

    // A refresh token takes its family and the access tokens issued from it.
    let r = s.chat_call(Some("default"), "revoke", &[("token", &s_(&second, "refresh_token"))]).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    let r = s
        .chat_token(
            Some("default"),
            &[("grant_type", "refresh_token"), ("refresh_token", &s_(&second, "refresh_token"))],
        )
        .await;
    r.assert_error(400, "invalid_grant", "The refresh token is invalid or expired.");
    let r = s.chat_call(Some("default"), "introspect", &[("token", &s_(&second, "access_token"))]).await;
    assert_eq!(r.body, json!({"active": false}));

    // Another client's tokens: 200, nothing happens.
    let third = chat_tokens(&s, "openid offline_access").await;
    for token in [s_(&third, "access_token"), s_(&third, "refresh_token")] {
        let r = s
            .post_form(
                "/oauth2/default/v1/revoke",
                &[],
                &[("token", &token), ("client_id", &rs.client_id), ("client_secret", SERVICE_SECRET)],
            )
            .await;
        assert_eq!((r.status, r.text.as_str()), (200, ""));
        let r = s.chat_call(Some("default"), "introspect", &[("token", &token)]).await;
        assert_eq!(r.body["active"], json!(true), "another client cannot revoke it");
    }
    // Unknown, already revoked, expired, another AS: 200.
    for token in ["unknown", &s_(&first, "access_token")] {
        let r = s.chat_call(Some("default"), "revoke", &[("token", token)]).await;
        assert_eq!((r.status, r.text.as_str()), (200, ""));
    }
    s.clock.advance(3601 * 1000);
    let r = s.chat_call(Some("default"), "revoke", &[("token", &s_(&third, "access_token"))]).await;
    assert_eq!(r.status, 200);
    let r = s.chat_call(None, "revoke", &[("token", &s_(&third, "refresh_token"))]).await;
    assert_eq!(r.status, 200);
    s.clock.reset();
    let r = s.chat_call(Some("default"), "introspect", &[("token", &s_(&third, "refresh_token"))]).await;
    assert_eq!(r.body["active"], json!(true), "the org AS does not revoke a default-AS token");

    // Errors.
    let r = s.post_form("/oauth2/default/v1/revoke", &[], &[("token", "x")]).await;
    r.assert_error(401, "invalid_client", "No client credentials found");
    let r = s.chat_call(Some("default"), "revoke", &[]).await;
    r.assert_error(400, "invalid_request", "The request is missing a required parameter: 'token'.");
    let wrong = basic(CHAT, "nope");
    let r = s.post_form("/oauth2/default/v1/revoke", &[("authorization", &wrong)], &[("token", "x")]).await;
    r.assert_error(401, "invalid_client", "The client secret supplied for a confidential client is invalid.");
    assert_eq!(r.header("www-authenticate"), Some("Basic realm=\"baton\""));

    let events = s.events("app.oauth2.as.token.revoke").await;
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["actor"]["id"].as_str().unwrap(), e["debugContext"]["debugData"]["token_type"].as_str().unwrap()))
        .collect();
    let rs_id = rs.client_id.as_str();
    assert_eq!(
        kinds,
        [
            (CHAT, "access_token"),
            (CHAT, "refresh_token"),
            (rs_id, "unknown"),
            (rs_id, "unknown"),
            (CHAT, "unknown"),
            (CHAT, "access_token"),
            (CHAT, "access_token"),
        ]
    );
    let (_, first_claims) = decode(&s_(&first, "access_token"));
    assert_eq!(events[0]["debugContext"]["debugData"]["jti"], first_claims["jti"]);
    assert_eq!(events[0]["debugContext"]["debugData"]["token_type_hint"], "access_token");
    assert_eq!(events[0]["target"][0]["id"], "default");
    assert_eq!(s.events("app.oauth2.token.revoke").await.len(), 1);
    assert_eq!(s.events("app.oauth2.invalid_client_credentials").await.len(), 2);
    for e in &events {
        assert!(!e.to_string().contains(&s_(&second, "refresh_token")));
    }
}

backend_tests!(introspection_shapes, who_may_introspect, kill_switch, revocation);
