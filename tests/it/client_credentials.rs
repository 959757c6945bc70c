//! The `client_credentials` grant at a custom AS (okta-surface.md §4.4, §4.5, §5.2, §7.2):
//! token shape, default scopes, scope validation, all-or-nothing policy decisions and consent,
//! with their System Log events, on both backends.

use crate::common;

use baton::domain::ids::{new_id, Prefix};
use baton::domain::{App, AuthMethod, Claim, ClaimType, ConsentType, Scope};
use common::oauth::*;
use common::{Backend, TestServer};
use serde_json::{json, Value};

const SECRET: &str = "service-secret-0123456789abcdef";

/// A seeded server with `orders:read` (default), `orders:write` and `orders:admin` (consent
/// REQUIRED) on `default`, and a service app allowed `client_credentials`.
async fn setup(backend: Backend) -> Option<(TestServer, App)> {
    let s = seeded(backend).await?;
    add_scope(&s, "orders:read", true, ConsentType::Implicit).await;
    add_scope(&s, "orders:write", false, ConsentType::Flexible).await;
    add_scope(&s, "orders:admin", false, ConsentType::Required).await;
    let service =
        app("Orders worker", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], s.clock.now_ms());
    create_app(&s, &service, Some(SECRET)).await;
    Some((s, service))
}

async fn cc(s: &TestServer, service: &App, auth_server: &str, scope: Option<&str>) -> Reply {
    let auth = basic(&service.client_id, SECRET);
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    s.post_form(&path(Some(auth_server), "token"), &[("authorization", &auth)], &form).await
}

async fn client_token_has_no_user(backend: Backend) {
    let Some((s, service)) = setup(backend).await else { return };
    let now = s.clock.now_ms();
    for (name, value) in [("tier", "'gold'"), ("mail", "user.email")] {
        let claim = Claim {
            value: value.into(),
            ..Claim::new(new_id(Prefix::Claim), "default", name, ClaimType::Resource, now)
        };
        s.state.store.create_claim(&claim, &[]).await.unwrap();
    }
    let r = cc(&s, &service, "default", Some("orders:write orders:read")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let body = r.body.as_object().unwrap();
    assert_eq!(body.keys().collect::<Vec<_>>(), ["token_type", "expires_in", "access_token", "scope"]);
    assert_eq!(body["scope"], "orders:write orders:read");
    assert_eq!(body["expires_in"], json!(3600));
    let (header, claims) = decode(body["access_token"].as_str().unwrap());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(
        claims.keys().collect::<Vec<_>>(),
        ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "scp", "sub", "tier"],
        "no uid, no auth_time; user claims are omitted without a user"
    );
    assert_jti(&claims, "AT.");
    assert_eq!(claims["iss"], json!(format!("{}/oauth2/default", s.base)));
    assert_eq!(claims["aud"], "api://default");
    assert_eq!(claims["cid"], json!(service.client_id));
    assert_eq!(claims["sub"], json!(service.client_id));
    assert_eq!(claims["scp"], json!(["orders:write", "orders:read"]));
    assert_eq!(claims["tier"], "gold");
    let record = s.state.store.find_access_token(claims["jti"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!((record.user_id, record.grant_id), (None, None));

    let grant = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(grant.len(), 1);
    let event = &grant[0];
    assert_eq!(event["outcome"]["result"], "SUCCESS");
    assert_eq!(event["actor"]["id"], json!(service.client_id));
    assert_eq!(
        event["target"][0],
        json!({"id": service.client_id, "type": "PublicClientApp", "alternateId": service.client_id, "displayName": "Orders worker", "detailEntry": null})
    );
    assert_eq!(event["target"][1]["id"], "default");
    let d = &event["debugContext"]["debugData"];
    assert_eq!(d["grant_type"], "client_credentials");
    assert_eq!(d["granted_scopes"], "orders:write orders:read");
    let (policy, rule) = default_rule(&s).await;
    assert_eq!((d["policy"].clone(), d["rule"].clone()), (json!(policy), json!(rule)));
    assert_eq!(s.events("app.oauth2.as.token.grant.access_token").await.len(), 1);
    assert!(s.events("app.oauth2.as.token.grant.id_token").await.is_empty());
    // The client may introspect its own token: active, without username or uid.
    let auth = basic(&service.client_id, SECRET);
    let introspection = s
        .post_form(
            "/oauth2/default/v1/introspect",
            &[("authorization", &auth)],
            &[("token", body["access_token"].as_str().unwrap())],
        )
        .await;
    assert_eq!(introspection.body["active"], json!(true), "{}", introspection.text);
    assert!(introspection.body.get("username").is_none() && introspection.body.get("uid").is_none());
    assert_eq!(introspection.body["tier"], "gold");
}

async fn default_scopes_and_scope_rows(backend: Backend) {
    let Some((s, service)) = setup(backend).await else { return };
    let r = cc(&s, &service, "default", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["scope"], "orders:read", "the server's default scopes");
    let invalid =
        "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.";
    for scope in ["openid", "orders:read profile", "orders:unknown", "groups"] {
        cc(&s, &service, "default", Some(scope)).await.assert_error(400, "invalid_scope", invalid);
    }
    // No default scope left: nothing was requested.
    let store = s.state.store.as_ref();
    let mut read = store.list_scopes("default").await.unwrap().into_iter().find(|s| s.name == "orders:read").unwrap();
    read.default = false;
    store.update_scope(&read, &[]).await.unwrap();
    cc(&s, &service, "default", None).await.assert_error(400, "invalid_scope", "No scopes were requested.");
    let e = s.events("app.oauth2.as.token.grant").await;
    let reasons: Vec<&str> = e.iter().filter_map(|e| e["debugContext"]["debugData"]["error"].as_str()).collect();
    assert_eq!(reasons, ["invalid_scope", "invalid_scope", "invalid_scope", "invalid_scope", "missing_scopes"]);
    assert_eq!(e[1]["debugContext"]["debugData"]["requested_scopes"], "openid");
}

async fn policy_rows(backend: Backend) {
    let Some((s, service)) = setup(backend).await else { return };
    let store = s.state.store.as_ref();
    // Consent REQUIRED cannot be given without a user.
    cc(&s, &service, "default", Some("orders:read orders:admin")).await.assert_error(
        400,
        "consent_required",
        "The following scopes require user consent: [orders:admin].",
    );
    // The rule allows orders:read only: a partial grant fails as a whole.
    let (policy, rule_id) = default_rule(&s).await;
    let mut rule = store.find_rule(&policy, &rule_id).await.unwrap().unwrap();
    rule.conditions.scopes.include = vec!["orders:read".into()];
    rule.token.access_token_minutes = 30;
    store.update_rule(&rule, &[]).await.unwrap();
    cc(&s, &service, "default", Some("orders:read orders:write orders:admin")).await.assert_error(
        400,
        "access_denied",
        "Some of the requested scopes were denied by the policy. Denied scopes: [orders:write, orders:admin].",
    );
    cc(&s, &service, "default", Some("orders:write")).await.assert_error(
        400,
        "access_denied",
        "Policy evaluation succeeded, but all the requested scopes were rejected.",
    );
    let ok = cc(&s, &service, "default", Some("orders:read")).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["expires_in"], json!(1800), "the matched rule's lifetime");
    // The Knowledge AS has no policy for this client.
    let now = s.clock.now_ms();
    let scope = Scope::custom(new_id(Prefix::Scope), KNOWLEDGE, "kb:read", now);
    store.create_scope(&scope, &[]).await.unwrap();
    cc(&s, &service, KNOWLEDGE, Some("kb:read")).await.assert_error(
        401,
        "access_denied",
        "Policy evaluation failed for this request, please check the policy configurations.",
    );
    let e = s.events("app.oauth2.as.token.grant").await;
    let failures: Vec<&Value> = e.iter().filter(|e| e["outcome"]["result"] == "FAILURE").collect();
    let reasons: Vec<(&str, &str)> = failures
        .iter()
        .map(|e| (e["outcome"]["reason"].as_str().unwrap(), e["debugContext"]["debugData"]["error"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("consent_required", "consent_required"),
            ("access_denied", "scope_denied"),
            ("access_denied", "no_scope_allowed"),
            ("access_denied", "no_matching_policy"),
        ]
    );
    let denied = &failures[1]["debugContext"]["debugData"];
    assert_eq!(denied["denied_scopes"], "orders:write orders:admin");
    assert_eq!(denied["requested_scopes"], "orders:read orders:write orders:admin");
    assert_eq!(denied["rule"], json!(rule_id));
    assert_eq!(failures[2]["debugContext"]["debugData"]["denied_scopes"], "orders:write");
    assert_eq!(failures[3]["target"][1]["id"], KNOWLEDGE);
}

backend_tests!(client_token_has_no_user, default_scopes_and_scope_rows, policy_rows);
