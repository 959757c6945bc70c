//! `/api/v1/api-tokens` (okta-surface.md §10): list, get, revoke by id and `current` (then
//! 401), with `system.api_token.revoke`; and `baton api-tokens create|list` through the real
//! binary, whose token works against the server only while its owner is an administrator.

use crate::common;

use baton::domain::ids::{hash_secret, new_id, Prefix};
use baton::domain::ApiToken;
use common::api::{api_server, ADMIN_TOKEN};
use common::{Backend, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use std::process::{Command, Output};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

async fn store_token(s: &TestServer, name: &str, value: &str) -> ApiToken {
    let now = s.clock.now_ms();
    let t = ApiToken {
        id: new_id(Prefix::ApiToken),
        name: name.into(),
        user_id: None,
        client_name: "test".into(),
        token_hash: hash_secret(value),
        super_admin: true,
        created: now,
        last_updated: now,
        expires: None,
        last_used: None,
        token_window: "P30D".into(),
    };
    s.state.store.create_api_token(&t, &[]).await.unwrap();
    t
}

async fn list_get_and_revoke(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let list = s.api_get("/api/v1/api-tokens").await.expect(200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let t = &list[0];
    assert_eq!(
        keys(t),
        [
            "_links",
            "clientName",
            "created",
            "expiresAt",
            "id",
            "lastUpdated",
            "lastUsed",
            "name",
            "tokenWindow",
            "userId"
        ]
    );
    let id = t["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("00T"));
    assert_eq!(t["name"], "BATON_ADMIN_API_TOKEN");
    assert_eq!(t["userId"], Value::Null);
    assert_eq!(t["tokenWindow"], "P30D");
    assert_eq!(t["_links"], json!({"self": {"href": s.url(&format!("/api/v1/api-tokens/{id}"))}}));
    assert!(!list.to_string().contains(ADMIN_TOKEN), "the token value never leaves");
    assert_eq!(s.api_get(&format!("/api/v1/api-tokens/{id}")).await.expect(200)["id"], json!(id));
    let e = s.api_get("/api/v1/api-tokens/00Tnope").await.okta_error(404, "E0000007");
    assert_eq!(e["errorSummary"], "Not found: Resource not found: 00Tnope (ApiToken)");
    s.api_delete("/api/v1/api-tokens/00Tnope").await.okta_error(404, "E0000007");

    // Revoke by id: the token then gets 401.
    let second = store_token(&s, "second", "second-token-0123456789abcdef").await;
    s.api_as("second-token-0123456789abcdef", Method::GET, "/api/v1/org", None).await.expect(200);
    assert_eq!(s.api_delete(&format!("/api/v1/api-tokens/{}", second.id)).await.status, 204);
    s.api_as("second-token-0123456789abcdef", Method::GET, "/api/v1/org", None).await.okta_error(401, "E0000011");
    let ev = s.events_of_type("system.api_token.revoke").await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["target"][0]["id"], json!(second.id));
    assert_eq!(ev[0]["target"][0]["type"], "Token");
    assert_eq!(ev[0]["transaction"]["detail"]["requestApiTokenId"], json!(id));

    // Revoke the calling token.
    let third = store_token(&s, "third", "third-token-0123456789abcdef").await;
    let r = s.api_as("third-token-0123456789abcdef", Method::DELETE, "/api/v1/api-tokens/current", None).await;
    assert_eq!(r.status, 204);
    s.api_as("third-token-0123456789abcdef", Method::GET, "/api/v1/org", None).await.okta_error(401, "E0000011");
    let ev = s.events_of_type("system.api_token.revoke").await;
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[1]["target"][0]["id"], json!(third.id));
    assert_eq!(ev[1]["actor"]["id"], json!(third.id));
    let ids: Vec<Value> =
        s.api_get("/api/v1/api-tokens").await.expect(200).as_array().unwrap().iter().map(|t| t["id"].clone()).collect();
    assert_eq!(ids, [json!(id)]);
}

fn baton(s: &TestServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .env("DATABASE_URL", &s.db.url)
        .env("BATON_KEYS_DIR", s.db.keys_dir())
        .env("BATON_ISSUER", &s.base)
        .env("BATON_KEY_ENCRYPTION_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
        .env_remove("BATON_ADMIN_API_TOKEN")
        .env_remove("BATON_LISTEN")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run baton")
}

async fn cli_creates_and_lists_tokens(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let login = "ops.admin@example.com";
    let u = s
        .api_post(
            "/api/v1/users",
            &json!({"profile": {"login": login, "email": login, "firstName": "Ops", "lastName": "Admin"}, "credentials": {"password": {"value": "Ops-admin-123"}}}),
        )
        .await
        .expect(200);
    let uid = u["id"].as_str().unwrap().to_owned();

    // A user token: printed once, stored hashed, logged; 403 until the owner is an administrator.
    let out = baton(&s, &["api-tokens", "create", "--name", "ci", "--user", login]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.len() > 40, "{token}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Administrators"));
    let stored = s.state.store.find_api_token_by_hash(&hash_secret(&token)).await.unwrap().expect("stored by hash");
    assert_eq!(stored.name, "ci");
    assert_eq!(stored.user_id.as_deref(), Some(uid.as_str()));
    assert!(!stored.super_admin);
    let ev = s.events_of_type("system.api_token.create").await;
    let created: Vec<&Value> = ev.iter().filter(|e| e["target"][0]["id"] == json!(stored.id)).collect();
    assert_eq!(created.len(), 1);
    assert!(!ev.iter().any(|e| e.to_string().contains(&token)), "no secret in events");
    s.api_as(&token, Method::GET, "/api/v1/users", None).await.okta_error(403, "E0000006");
    let admins = s.api_post("/api/v1/groups", &json!({"profile": {"name": "Administrators"}})).await.expect(200);
    s.api_put(&format!("/api/v1/groups/{}/users/{uid}", admins["id"].as_str().unwrap()), &json!({})).await;
    let listed = s.api_as(&token, Method::GET, "/api/v1/api-tokens", None).await.expect(200);
    let ci = listed.as_array().unwrap().iter().find(|t| t["name"] == "ci").unwrap().clone();
    assert_eq!(ci["userId"], json!(uid));
    assert_eq!(ci["clientName"], "baton CLI");

    // Without --user: a super-admin token.
    let out = baton(&s, &["api-tokens", "create", "--name", "automation"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let auto = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    s.api_as(&auto, Method::GET, "/api/v1/org", None).await.expect(200);

    // Errors: duplicate name, unknown user, reserved name.
    for args in [
        vec!["api-tokens", "create", "--name", "ci"],
        vec!["api-tokens", "create", "--name", "x", "--user", "nobody@example.com"],
        vec!["api-tokens", "create", "--name", "BATON_ADMIN_API_TOKEN"],
    ] {
        let out = baton(&s, &args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty());
    }

    // list: one line per token, never a value.
    let out = baton(&s, &["api-tokens", "list"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().any(|l| l.starts_with(&format!("{}\tci\t{uid}\t", stored.id))), "{text}");
    assert!(!text.contains(&token) && !text.contains(&auto));
}

backend_tests!(list_get_and_revoke, cli_creates_and_lists_tokens);
