//! `--dev` test helpers (`/dev/v1/…`, docs/dev-endpoints.md) on both backends: minted tokens
//! verify against the AS's JWKS and introspect active with the chosen scopes, claims and
//! lifetime; the dev clock moves `iat` and expiry; a reset restores the seed and keeps the org
//! and the admin token; without `--dev` every path is a plain 404 `E0000007`.

use crate::common;

use common::oauth::{decode, seeded_with, CHAT, KNOWLEDGE, ORCHESTRATOR};
use common::{Backend, TestServer};
use serde_json::{json, Value};

const DEMO_USER: &str = "00u1rsjejbueuQNhB1d7";
const ADMIN_TOKEN: &str = "dev-endpoints-admin-token-0123456789";

async fn dev_server(backend: Backend) -> Option<TestServer> {
    seeded_with(backend, |c| {
        c.dev = true;
        c.admin_api_token = Some(ADMIN_TOKEN.into());
    })
    .await
}

async fn call(s: &TestServer, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = s.http.request(method, s.url(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn mint(s: &TestServer, body: Value) -> (u16, Value) {
    call(s, reqwest::Method::POST, "/dev/v1/tokens", Some(body)).await
}

async fn introspect(s: &TestServer, token: &str) -> Value {
    let r = s.chat_call(Some(KNOWLEDGE), "introspect", &[("token", token)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// Verifies the JWT's signature with the key its `kid` names in the AS's `/v1/keys`.
async fn verify_with_jwks(s: &TestServer, jwks_path: &str, token: &str) -> serde_json::Map<String, Value> {
    let (header, _) = decode(token);
    let (status, jwks) = s.get_json(jwks_path).await;
    assert_eq!(status, 200);
    let jwk = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).expect("kid in JWKS");
    let jwk = josekit::jwk::Jwk::from_map(jwk.as_object().unwrap().clone()).unwrap();
    let verifier = josekit::jws::RS256.verifier_from_jwk(&jwk).unwrap();
    let (payload, _) = josekit::jwt::decode_with_verifier(token, &verifier).expect("signature verifies");
    payload.claims_set().clone()
}

async fn minted_tokens_verify_and_introspect(backend: Backend) {
    let Some(s) = dev_server(backend).await else { return };
    let (status, body) = mint(
        &s,
        json!({
            "authorizationServer": KNOWLEDGE,
            "clientId": CHAT,
            "userId": DEMO_USER,
            "scopes": ["Corp-Knowledge-Agent:execute", "openid"],
            "claims": {"tenant": "acme", "roles": ["reader"]},
            "lifetimeSeconds": 120,
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 120);
    assert_eq!(body["scope"], "Corp-Knowledge-Agent:execute openid");
    assert_eq!(body["issuer"], s.url(&format!("/oauth2/{KNOWLEDGE}")));
    let claims = verify_with_jwks(&s, &format!("/oauth2/{KNOWLEDGE}/v1/keys"), token).await;
    // Signed with the ACTIVE key, like the token endpoint's tokens.
    let (header, _) = decode(token);
    let keys = s.state.store.list_signing_keys(KNOWLEDGE).await.unwrap();
    let active = keys.iter().find(|k| k.status == baton::domain::SigningKeyStatus::Active).unwrap();
    assert_eq!(header["kid"], json!(active.kid));
    assert_eq!(claims["iss"], body["issuer"]);
    assert_eq!(claims["aud"], "https://streamward.com/corp/knowledge");
    assert_eq!(claims["cid"], CHAT);
    assert_eq!(claims["uid"], DEMO_USER);
    assert_eq!(claims["sub"], "demouser@streamward.com");
    assert_eq!(claims["scp"], json!(["Corp-Knowledge-Agent:execute", "openid"]));
    assert_eq!(claims["tenant"], "acme");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 120);
    assert!(claims["jti"].as_str().unwrap().starts_with("AT."));
    assert_eq!(claims["jti"], body["jti"]);

    let info = introspect(&s, token).await;
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(info["scope"], "Corp-Knowledge-Agent:execute openid");
    assert_eq!(info["client_id"], CHAT);
    assert_eq!(info["uid"], DEMO_USER);
    assert_eq!(info["tenant"], "acme");
    assert_eq!(info["roles"], json!(["reader"]));
    assert_eq!(info["exp"], claims["exp"]);

    let events = s.events("system.dev.token.mint").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["debugContext"]["debugData"]["jti"], claims["jti"]);
    assert_eq!(events[0]["debugContext"]["debugData"]["tokenType"], "access_token");

    // A client token (no user): sub is the client id, no uid; the org AS by name.
    let (status, body) =
        mint(&s, json!({"authorizationServer": "org", "clientId": ORCHESTRATOR, "scopes": ["okta.users.read"]})).await;
    assert_eq!(status, 200, "{body}");
    let claims = verify_with_jwks(&s, "/oauth2/v1/keys", body["access_token"].as_str().unwrap()).await;
    assert_eq!((claims["sub"].as_str(), claims.get("uid")), (Some(ORCHESTRATOR), None));
    assert_eq!(claims["iss"], s.base.as_str());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 3600);

    // An ID token by login, on `default` (the default server).
    let (status, body) = mint(
        &s,
        json!({"clientId": CHAT, "login": "demouser@streamward.com", "scopes": ["openid", "email"], "tokenType": "id_token", "lifetimeSeconds": 300}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("access_token").is_none() && body.get("token_type").is_none());
    let claims = verify_with_jwks(&s, "/oauth2/default/v1/keys", body["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], DEMO_USER);
    assert_eq!(claims["aud"], CHAT);
    assert_eq!(claims["email"], "demouser@streamward.com");
    assert_eq!(claims["iss"], s.url("/oauth2/default"));
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 300);
    assert!(claims["jti"].as_str().unwrap().starts_with("ID."));

    // Bad input is an Okta validation error naming every field.
    let (status, body) = mint(
        &s,
        json!({"authorizationServer": "ausNoSuchServer00000", "tokenType": "id_token", "lifetimeSeconds": 0, "claims": {"exp": 1}}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errorCode"], "E0000001");
    assert_eq!(
        body["errorSummary"],
        "Api validation failed: lifetimeSeconds, claims.exp, authorizationServer, clientId, userId"
    );
    let (status, body) = mint(&s, json!({"clientId": CHAT, "userId": "00uNoSuchUser0000000"})).await;
    assert_eq!((status, body["errorCauses"][0]["errorSummary"].as_str()), (400, Some("userId: no user with this id")));
    let r = s.http.post(s.url("/dev/v1/tokens")).body("{not json").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["errorCode"], "E0000003");
}

async fn clock_moves_token_times(backend: Backend) {
    let Some(s) = dev_server(backend).await else { return };
    let (status, body) =
        call(&s, reqwest::Method::POST, "/dev/v1/clock", Some(json!({"time": "2030-01-01T00:00:00Z"}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"time": "2030-01-01T00:00:00.000Z", "epochSeconds": 1_893_456_000, "frozen": true}));
    assert_eq!(s.clock.now_ms(), 1_893_456_000_000);

    let (_, minted) = mint(&s, json!({"authorizationServer": KNOWLEDGE, "clientId": CHAT, "userId": DEMO_USER, "scopes": ["Corp-Knowledge-Agent:execute"], "lifetimeSeconds": 3600})).await;
    let token = minted["access_token"].as_str().unwrap();
    assert_eq!(minted["issued_at"], "2030-01-01T00:00:00.000Z");
    assert_eq!(minted["expires_at"], "2030-01-01T01:00:00.000Z");
    let (_, claims) = decode(token);
    assert_eq!(claims["iat"], 1_893_456_000);
    assert_eq!(introspect(&s, token).await["active"], true);

    let (status, body) = call(&s, reqwest::Method::POST, "/dev/v1/clock", Some(json!({"advanceSeconds": 3599}))).await;
    assert_eq!((status, &body["time"]), (200, &json!("2030-01-01T00:59:59.000Z")));
    assert_eq!(introspect(&s, token).await["active"], true);
    call(&s, reqwest::Method::POST, "/dev/v1/clock", Some(json!({"advanceSeconds": 2}))).await;
    assert_eq!(introspect(&s, token).await, json!({"active": false}), "expired by the dev clock");
    let (_, body) = call(&s, reqwest::Method::GET, "/dev/v1/clock", None).await;
    assert_eq!(body["time"], "2030-01-01T01:00:01.000Z");

    // A running clock from a set time.
    let (_, body) = call(
        &s,
        reqwest::Method::POST,
        "/dev/v1/clock",
        Some(json!({"time": "2031-06-01T12:00:00Z", "freeze": false})),
    )
    .await;
    assert_eq!(body["frozen"], false);
    assert!((body["epochSeconds"].as_i64().unwrap() - 1_938_081_600).abs() <= 2, "{body}");

    let (status, body) = call(&s, reqwest::Method::DELETE, "/dev/v1/clock", None).await;
    assert_eq!((status, &body["frozen"]), (200, &json!(false)));
    let real = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((body["epochSeconds"].as_i64().unwrap() - real).abs() <= 5);

    for bad in [
        json!({"time": "soon"}),
        json!({}),
        json!({"time": "2030-01-01T00:00:00Z", "advanceSeconds": 1}),
        json!({"advanceSeconds": 1, "freeze": true}),
    ] {
        let (status, body) = call(&s, reqwest::Method::POST, "/dev/v1/clock", Some(bad.clone())).await;
        assert_eq!((status, body["errorCode"].as_str()), (400, Some("E0000001")), "{bad}");
    }
    assert_eq!(s.events("system.dev.clock.set").await.len(), 2);
    assert_eq!(s.events("system.dev.clock.advance").await.len(), 2);
    let reset = s.events("system.dev.clock.reset").await;
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0]["actor"]["type"], "SystemPrincipal");
}

async fn kids(s: &TestServer, owner: &str) -> Vec<String> {
    let mut kids: Vec<String> =
        s.state.store.list_signing_keys(owner).await.unwrap().into_iter().map(|k| k.kid).collect();
    kids.sort();
    kids
}

async fn reset_restores_the_seed(backend: Backend) {
    let Some(s) = dev_server(backend).await else { return };
    let store = s.state.store.as_ref();
    let org_id = s.org_id();
    let (knowledge_kids, org_kids) = (kids(&s, KNOWLEDGE).await, kids(&s, &org_id).await);
    // Change the data: delete the demo user, add a group, mint a token.
    assert!(store.delete_user(DEMO_USER, &[]).await.unwrap());
    let now = s.clock.now_ms();
    let group = baton::domain::Group {
        id: baton::domain::ids::new_id(baton::domain::ids::Prefix::Group),
        group_type: baton::domain::GroupType::OktaGroup,
        name: "Temporary".into(),
        description: None,
        created: now,
        last_updated: now,
        last_membership_updated: now,
    };
    store.create_group(&group, &[]).await.unwrap();
    let (_, minted) = mint(&s, json!({"authorizationServer": KNOWLEDGE, "clientId": CHAT, "scopes": []})).await;

    let (status, body) = call(&s, reqwest::Method::POST, "/dev/v1/reset", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["seed"], json!(common::oauth::streamward().display().to_string()));
    assert!(body["created"].as_u64().unwrap() > 10);

    assert!(store.find_user(DEMO_USER).await.unwrap().is_some(), "the seed's user is back");
    assert!(store.find_group(&group.id).await.unwrap().is_none(), "what the seed lacks is gone");
    assert!(store.find_group_by_name("Everyone").await.unwrap().is_some());
    assert!(store.find_auth_server("default").await.unwrap().is_some());
    assert_eq!(store.find_org().await.unwrap().unwrap().id, org_id, "the org keeps its id");
    assert_eq!(kids(&s, KNOWLEDGE).await, knowledge_kids, "pinned keys come back identical");
    assert_eq!(kids(&s, &org_id).await, org_kids);
    // A token minted before the reset has no record any more: inactive.
    assert_eq!(introspect(&s, minted["access_token"].as_str().unwrap()).await["active"], false);
    // The admin API token still works.
    let r =
        s.http.get(s.url("/api/v1/org")).header("authorization", format!("SSWS {ADMIN_TOKEN}")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // The System Log starts over with the reset.
    assert_eq!(s.events("system.dev.token.mint").await.len(), 0);
    let reset = s.events("system.dev.reset").await;
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0]["debugContext"]["debugData"]["seed"], body["seed"]);
    // Keyword search sees the new log and nothing of the old (SQLite's FTS index of the log is
    // kept in step by triggers, not wiped as a table).
    for (q, want) in [("system.dev.reset", vec!["system.dev.reset"]), ("system.dev.token.mint", vec![])] {
        let r =
            s.http.get(s.url(&format!("/api/v1/logs?q={q}"))).header("authorization", format!("SSWS {ADMIN_TOKEN}"));
        let page: Value = r.send().await.unwrap().json().await.unwrap();
        let found: Vec<&str> = page.as_array().unwrap().iter().map(|e| e["eventType"].as_str().unwrap()).collect();
        assert_eq!(found, want, "q={q}");
    }
    // Everything works as before.
    let (status, _) = s.get_json(&format!("/oauth2/{KNOWLEDGE}/.well-known/openid-configuration")).await;
    assert_eq!(status, 200);
    let (status, body) =
        mint(&s, json!({"authorizationServer": KNOWLEDGE, "clientId": CHAT, "userId": DEMO_USER})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(introspect(&s, body["access_token"].as_str().unwrap()).await["active"], true);
}

async fn dev_routes_are_absent_without_dev(backend: Backend) {
    let Some(s) = seeded_with(backend, |_| {}).await else { return };
    for (method, path) in [
        (reqwest::Method::POST, "/dev/v1/tokens"),
        (reqwest::Method::GET, "/dev/v1/clock"),
        (reqwest::Method::POST, "/dev/v1/clock"),
        (reqwest::Method::DELETE, "/dev/v1/clock"),
        (reqwest::Method::POST, "/dev/v1/reset"),
    ] {
        let (status, body) = call(&s, method.clone(), path, Some(json!({"clientId": CHAT}))).await;
        assert_eq!((status, body["errorCode"].as_str()), (404, Some("E0000007")), "{method} {path}");
    }
    assert!(s.events("system.dev.reset").await.is_empty());
}

/// A token of baton's own issuer that is not yet valid (`nbf` ahead of the clock beyond the
/// leeway) is inactive at introspection and refused at userinfo until `nbf` comes.
async fn not_before_is_honoured_on_own_tokens(backend: Backend) {
    let Some(s) = dev_server(backend).await else { return };
    let later = s.clock.now_s() + 3600;
    let (status, body) = mint(
        &s,
        json!({"authorizationServer": KNOWLEDGE, "clientId": CHAT, "userId": DEMO_USER,
               "scopes": ["Corp-Knowledge-Agent:execute"], "claims": {"nbf": later}, "lifetimeSeconds": 7200}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(introspect(&s, token).await["active"], false);
    s.clock.advance(3600 * 1000);
    assert_eq!(introspect(&s, token).await["active"], true, "valid once nbf has come");
}

backend_tests!(
    not_before_is_honoured_on_own_tokens,
    minted_tokens_verify_and_introspect,
    clock_moves_token_times,
    reset_restores_the_seed,
    dev_routes_are_absent_without_dev
);
