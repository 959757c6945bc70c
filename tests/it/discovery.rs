//! Discovery documents, JWKS, health, the Okta error envelope, and restart stability, through
//! the real router on both backends.

use crate::common;

use common::{Backend, TestServer};
use serde_json::{json, Value};

async fn org_and_default_discovery(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (status, org) = s.get_json("/.well-known/openid-configuration").await;
    assert_eq!(status, 200);
    assert_eq!(org["issuer"], json!(s.base));
    assert_eq!(org["jwks_uri"], json!(format!("{}/oauth2/v1/keys", s.base)));
    assert!(org["scopes_supported"].as_array().unwrap().contains(&json!("groups")));
    let (_, org_oauth) = s.get_json("/.well-known/oauth-authorization-server").await;
    assert_eq!(org_oauth["issuer"], json!(s.base));

    let issuer = format!("{}/oauth2/default", s.base);
    for path in [
        "/oauth2/default/.well-known/openid-configuration",
        "/oauth2/default/.well-known/oauth-authorization-server",
        "/.well-known/oauth-authorization-server/oauth2/default",
    ] {
        let r = s.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "application/json");
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["issuer"], json!(issuer), "{path}");
        assert_eq!(doc["jwks_uri"], json!(format!("{issuer}/v1/keys")));
        let scopes = doc["scopes_supported"].as_array().unwrap();
        for scope in ["openid", "profile", "email", "address", "phone", "offline_access"] {
            assert!(scopes.contains(&json!(scope)), "{path} lacks {scope}");
        }
        assert!(!scopes.contains(&json!("groups")));
    }
    // Nothing is advertised that the server does not serve yet.
    let (_, doc) = s.get_json("/oauth2/default/.well-known/openid-configuration").await;
    for key in doc.as_object().unwrap().keys() {
        if key.ends_with("_endpoint") {
            let path = doc[key].as_str().unwrap().trim_start_matches(&s.base).to_owned();
            assert_ne!(s.get(&path).await.status(), 404, "{key} is advertised but 404");
        }
    }
}

async fn unknown_and_inactive_servers_are_404(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else { return };
    for path in [
        "/oauth2/ausNope/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server/oauth2/ausNope",
        "/oauth2/ausNope/v1/keys",
    ] {
        let r = s.get(path).await;
        assert_eq!(r.status(), 404, "{path}");
        let request_id = r.headers()["x-okta-request-id"].to_str().unwrap().to_owned();
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errorCode"], "E0000007");
        assert_eq!(body["errorSummary"], "Not found: Resource not found: ausNope (AuthorizationServer)");
        assert_eq!(body["errorLink"], "E0000007");
        assert_eq!(body["errorId"], json!(request_id));
        assert!(request_id.starts_with("oae") && request_id.len() == 25);
        assert_eq!(body["errorCauses"], json!([]));
    }
    let store = s.state.store.as_ref();
    let mut server = store.find_auth_server("default").await.unwrap().unwrap();
    server.status = baton::domain::Status::Inactive;
    store.update_auth_server(&server, &[]).await.unwrap();
    let (status, body) = s.get_json("/oauth2/default/.well-known/openid-configuration").await;
    assert_eq!((status, body["errorCode"].clone()), (404, json!("E0000007")));
    assert_eq!(s.get("/oauth2/default/v1/keys").await.status(), 404);
}

async fn jwks_publish_active_and_next_with_cache_headers(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else { return };
    for path in ["/oauth2/v1/keys", "/oauth2/default/v1/keys"] {
        let r = s.get(path).await;
        assert_eq!(r.status(), 200);
        let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
        let max_age: i64 =
            cache.strip_prefix("max-age=").unwrap().strip_suffix(", must-revalidate").unwrap().parse().unwrap();
        assert!(max_age > 89 * 24 * 3600 && max_age <= 90 * 24 * 3600, "{cache}");
        let jwks: Value = r.json().await.unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2, "ACTIVE and NEXT");
        for k in keys {
            assert_eq!(k["kty"], "RSA");
            assert_eq!(k["alg"], "RS256");
            assert_eq!(k["use"], "sig");
            assert_eq!(k["e"], "AQAB");
            let kid = k["kid"].as_str().unwrap();
            assert_eq!(kid, baton::jose::keys::thumbprint(k.as_object().unwrap()).unwrap());
            assert!(k.get("d").is_none());
        }
    }
    // The org AS and the default AS never share a key.
    let (_, org) = s.get_json("/oauth2/v1/keys").await;
    let (_, def) = s.get_json("/oauth2/default/v1/keys").await;
    for k in org["keys"].as_array().unwrap() {
        assert!(!def["keys"].as_array().unwrap().iter().any(|d| d["kid"] == k["kid"]));
    }
    // ?client_id= is accepted for known clients and refused for unknown ones.
    let (status, body) = s.get_json("/oauth2/default/.well-known/openid-configuration?client_id=0oaUnknown").await;
    assert_eq!(status, 400);
    assert_eq!(body["errorCode"], "invalid_client");
    assert_eq!(body["errorSummary"], "Invalid value for `client_id` parameter");
}

async fn rotation_promotes_next_and_keeps_expired_published(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, before) = s.get_json("/oauth2/default/v1/keys").await;
    let store = s.state.store.as_ref();
    let keys = store.list_signing_keys("default").await.unwrap();
    let status_of =
        |keys: &[baton::domain::SigningKey], kid: &str| keys.iter().find(|k| k.kid == kid).map(|k| k.status);
    let active = keys.iter().find(|k| k.status == baton::domain::SigningKeyStatus::Active).unwrap().kid.clone();
    let next = keys.iter().find(|k| k.status == baton::domain::SigningKeyStatus::Next).unwrap().kid.clone();
    let now = s.clock.now_ms();
    s.state.keys.rotate(store, "default", baton::domain::SigningAlg::Rs256, now, &[]).await.unwrap();
    let keys = store.list_signing_keys("default").await.unwrap();
    assert_eq!(status_of(&keys, &active), Some(baton::domain::SigningKeyStatus::Expired));
    assert_eq!(status_of(&keys, &next), Some(baton::domain::SigningKeyStatus::Active));
    let (_, after) = s.get_json("/oauth2/default/v1/keys").await;
    assert_eq!(after["keys"].as_array().unwrap().len(), 3);
    assert_ne!(before, after);
    // Tokens are now signed by the promoted key.
    let jwt = s.state.keys.sign(store, "default", &serde_json::Map::new(), None).await.unwrap();
    let header = baton::jose::jwt::peek(&jwt).unwrap().header;
    assert_eq!(header["kid"], json!(next));
    // A day later the expired key leaves the JWKS.
    s.clock.advance(25 * 3600 * 1000);
    let (_, later) = s.get_json("/oauth2/default/v1/keys").await;
    assert_eq!(later["keys"].as_array().unwrap().len(), 2);
}

async fn health_and_envelopes_for_unknown_routes(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else { return };
    assert_eq!(s.get_json("/healthz").await, (200, json!({"status": "ok"})));
    let (status, ready) = s.get_json("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(ready["database"], json!(if backend == Backend::Sqlite { "sqlite" } else { "postgres" }));
    let (status, body) = s.get_json("/api/v1/nothing-here").await;
    assert_eq!((status, body["errorCode"].clone()), (404, json!("E0000007")));
    let r = s.http.post(s.url("/oauth2/v1/keys")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "E0000022");
    assert_eq!(body["errorSummary"], "The endpoint does not support the provided HTTP method");
}

async fn restart_keeps_ids_and_keys(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let (_, keys_before) = s.get_json("/oauth2/default/v1/keys").await;
    let (_, org_keys_before) = s.get_json("/oauth2/v1/keys").await;
    let org_before = s.state.org.id.clone();
    // A second process on the same database, as after a restart.
    let config = (*s.state.config).clone();
    let again = baton::server::prepare(config, baton::clock::Clock::default()).await.unwrap();
    assert_eq!(again.org.id, org_before);
    let default = again.store.list_signing_keys("default").await.unwrap();
    let kids: Vec<&str> = default.iter().map(|k| k.kid.as_str()).collect();
    for k in keys_before["keys"].as_array().unwrap() {
        assert!(kids.contains(&k["kid"].as_str().unwrap()));
    }
    assert_eq!(default.len(), 2);
    assert_eq!(
        again.store.list_signing_keys(&org_before).await.unwrap().len(),
        org_keys_before["keys"].as_array().unwrap().len()
    );
    let policies = again.store.list_policies("default").await.unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].name, "Default Policy");
    let rules = again.store.list_rules(&policies[0].id).await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].name, "Default Policy Rule");
    assert_eq!(rules[0].token.refresh_token_window_minutes, 10080);
}

/// `GET /`, the newcomer's index page, sends the same security headers as every other page
/// (the middleware applies them to every HTML response); JSON only gets `nosniff`.
async fn index_page_sends_security_headers(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else { return };
    let r = s.get("/").await;
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    let r = s.get("/.well-known/openid-configuration").await;
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers().get("content-security-policy").is_none());
}

backend_tests!(
    index_page_sends_security_headers,
    org_and_default_discovery,
    unknown_and_inactive_servers_are_404,
    jwks_publish_active_and_next_with_cache_headers,
    rotation_promotes_next_and_keeps_expired_published,
    health_and_envelopes_for_unknown_routes,
    restart_keeps_ids_and_keys,
);
