//! The error rows of the token endpoint (okta-surface.md §5, §8): codes that are unknown,
//! expired, another AS's or another client's, redirect URI and PKCE mismatches, grant types
//! (missing, unknown, unserved, unauthorized), repeated parameters, the browser rules, and
//! unknown servers, each with its System Log event, on both backends.

use crate::common;

use baton::domain::{AuthMethod, Status, UserStatus};
use common::oauth::*;
use common::Backend;
use serde_json::{json, Value};

const CODE: &str = "authorization_code";

async fn code_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let store = s.state.store.as_ref();
    let exchange = |code: String, redirect: &'static str| {
        let s = &s;
        async move {
            s.chat_token(Some("default"), &[("grant_type", CODE), ("code", &code), ("redirect_uri", redirect)]).await
        }
    };
    let invalid = "The authorization code is invalid or has expired.";
    exchange("not-a-code".into(), CHAT_REDIRECT).await.assert_error(400, "invalid_grant", invalid);
    // Expired (300 s).
    let code = CodeSpec::chat_default(&s, "openid").await.create(&s).await;
    s.clock.advance(301_000);
    exchange(code, CHAT_REDIRECT).await.assert_error(400, "invalid_grant", invalid);
    s.clock.reset();
    // A code of another AS.
    let code = CodeSpec::chat_org(&s, "openid").create(&s).await;
    exchange(code, CHAT_REDIRECT).await.assert_error(400, "invalid_grant", invalid);
    // Another client's code.
    let now = s.clock.now_ms();
    let other = app("Other", AuthMethod::ClientSecretBasic, "web", &["authorization_code"], now);
    create_app(&s, &other, Some("other-secret-0123456789")).await;
    let mut spec = CodeSpec::chat_default(&s, "openid").await;
    spec.client_id = other.client_id.clone();
    exchange(spec.create(&s).await, CHAT_REDIRECT).await.assert_error(
        400,
        "invalid_grant",
        "The grant was issued to another client. Ensure that the `client_id` matches the one used at the authorize request.",
    );
    // Another redirect URI than the one bound at /authorize.
    let code = CodeSpec::chat_default(&s, "openid").await.create(&s).await;
    exchange(code, "http://127.0.0.1:8080/demo/callback").await.assert_error(
        400,
        "invalid_grant",
        "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
    );
    // The user left ACTIVE after authorizing.
    let code = CodeSpec::chat_default(&s, "openid").await.create(&s).await;
    let mut user = store.find_user(USER).await.unwrap().unwrap();
    user.status = UserStatus::Suspended;
    store.update_user(&user, &[]).await.unwrap();
    exchange(code, CHAT_REDIRECT).await.assert_error(400, "invalid_grant", invalid);
    // Missing parameters name themselves.
    let r = s.chat_token(Some("default"), &[("grant_type", CODE), ("redirect_uri", CHAT_REDIRECT)]).await;
    r.assert_error(400, "invalid_request", "The request is missing a required parameter: 'code'.");
    let r = s.chat_token(Some("default"), &[("grant_type", CODE), ("code", "abc"), ("redirect_uri", "")]).await;
    r.assert_error(400, "invalid_request", "The request is missing a required parameter: 'redirect_uri'.");
    let failures: Vec<Value> = s
        .events("app.oauth2.as.token.grant")
        .await
        .into_iter()
        .filter(|e| e["outcome"]["result"] == "FAILURE")
        .collect();
    assert_eq!(failures.len(), 8);
    let reasons: Vec<&str> =
        failures.iter().map(|e| e["debugContext"]["debugData"]["error"].as_str().unwrap()).collect();
    assert_eq!(
        reasons,
        [
            "invalid_authorization_code",
            "invalid_authorization_code",
            "invalid_authorization_code",
            "client_mismatch",
            "mismatched_redirect_uri",
            "invalid_authorization_code",
            "missing_parameter",
            "missing_parameter"
        ]
    );
}

async fn pkce_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let now = s.clock.now_ms();
    let spa = app("SPA", AuthMethod::None, "browser", &["authorization_code", "refresh_token"], now);
    create_app(&s, &spa, None).await;
    let (verifier, challenge) = pkce();
    let with_challenge = || {
        let mut spec = CodeSpec::new(&s, "default", &spa.client_id, "openid offline_access", None, None);
        spec.challenge = Some(challenge.clone());
        spec
    };
    let post = |code: String, verifier: Option<String>| {
        let (s, client_id) = (&s, spa.client_id.clone());
        async move {
            let mut form = vec![
                ("grant_type", CODE.to_owned()),
                ("code", code),
                ("redirect_uri", CHAT_REDIRECT.to_owned()),
                ("client_id", client_id),
            ];
            if let Some(v) = verifier {
                form.push(("code_verifier", v));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            s.post_form("/oauth2/default/v1/token", &[], &form).await
        }
    };
    post(with_challenge().create(&s).await, None).await.assert_error(
        400,
        "invalid_request",
        "PKCE code verifier is required by the application.",
    );
    post(with_challenge().create(&s).await, Some(pkce().0)).await.assert_error(
        400,
        "invalid_grant",
        "PKCE verification failed.",
    );
    let plain = CodeSpec::new(&s, "default", &spa.client_id, "openid", None, None);
    post(plain.create(&s).await, Some(verifier.clone())).await.assert_error(
        400,
        "invalid_request",
        "PKCE code challenge should be specified in the authorize request for code verification.",
    );
    let ok = post(with_challenge().create(&s).await, Some(verifier)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.body["refresh_token"].is_string(), "a browser app gets refresh tokens");
    let e = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(e.last().unwrap()["debugContext"]["debugData"]["client_auth_type"], "none");
}

async fn grant_type_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let r = s.chat_token(Some("default"), &[("code", "x")]).await;
    r.assert_error(400, "invalid_request", "The request is missing a required parameter: 'grant_type'.");
    let r = s.chat_token(Some("default"), &[("grant_type", "password"), ("username", "a"), ("password", "b")]).await;
    r.assert_error(
        400,
        "unsupported_grant_type",
        "The authorization grant type is not supported by the authorization server. Configured grant types: \
         [authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:jwt-bearer].",
    );
    // Token exchange is served by the org AS only (xaa.md §4.1).
    let r = s.chat_token(Some("default"), &[("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")]).await;
    r.assert_error(
        400,
        "unsupported_grant_type",
        "'urn:ietf:params:oauth:grant-type:token-exchange' grant type is not supported.",
    );
    // jwt-bearer is served by custom ASs only (xaa.md §6.1).
    let r = s.chat_token(None, &[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")]).await;
    assert_eq!(r.body["error"], "unsupported_grant_type");
    let r = s.chat_token(None, &[("grant_type", "client_credentials"), ("scope", "okta.users.read")]).await;
    r.assert_error(
        400,
        "unsupported_grant_type",
        "'client_credentials' grant type can only be used with a custom authorization server.",
    );
    let r = s.chat_token(Some("default"), &[("grant_type", "client_credentials"), ("scope", "x")]).await;
    r.assert_error(
        400,
        "unauthorized_client",
        "The client is not authorized to use the provided grant type. Configured grant types: [authorization_code, \
         refresh_token, urn:ietf:params:oauth:grant-type:token-exchange].",
    );
    let r = s.chat_token(Some("default"), &[("grant_type", CODE), ("code", "a"), ("code", "b")]).await;
    r.assert_error(400, "invalid_request", "The 'code' parameter was repeated.");
    // JSON is not a form.
    let r = Reply::from(
        s.http
            .post(s.url("/oauth2/default/v1/token"))
            .header("authorization", basic(CHAT, CHAT_SECRET))
            .json(&json!({"grant_type": CODE}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((r.status, r.body["error"].as_str()), (400, Some("invalid_request")));
    // Unknown and INACTIVE servers are absent.
    let r = s.chat_token(Some("ausNope"), &[("grant_type", CODE)]).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["errorSummary"], "Not found: Resource not found: ausNope (AuthorizationServer)");
    let mut server = s.state.store.find_auth_server(KNOWLEDGE).await.unwrap().unwrap();
    server.status = Status::Inactive;
    s.state.store.update_auth_server(&server, &[]).await.unwrap();
    let r = s.chat_token(Some(KNOWLEDGE), &[("grant_type", CODE)]).await;
    assert_eq!((r.status, r.body["errorCode"].as_str()), (404, Some("E0000007")));
    // POST only.
    let r = s.get("/oauth2/default/v1/token").await;
    assert_eq!(r.status(), 405);
    // Each attempt that reached an AS is logged, naming the error.
    let failures = s.events("app.oauth2.as.token.grant").await;
    let reasons: Vec<(&str, &str)> = failures
        .iter()
        .map(|e| (e["outcome"]["reason"].as_str().unwrap(), e["debugContext"]["debugData"]["error"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("invalid_request", "missing_parameter"),
            ("unsupported_grant_type", "unsupported_grant_type"),
            ("unsupported_grant_type", "unsupported_grant_type"),
            ("unauthorized_client", "unauthorized_client"),
            ("invalid_request", "repeated_parameter"),
            ("invalid_request", "invalid_content_type"),
        ]
    );
    let org = s.events("app.oauth2.token.grant").await;
    assert_eq!(org[1]["debugContext"]["debugData"]["error"], "unsupported_grant_type_client_creds_org_as");
    assert_eq!(org[1]["debugContext"]["debugData"]["grant_type"], "client_credentials");
}

async fn browser_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let origin = [("origin", "http://localhost:3000")];
    // A web app may not take offline_access from a browser.
    let code = CodeSpec::chat_default(&s, "openid offline_access").await.create(&s).await;
    let auth = basic(CHAT, CHAT_SECRET);
    let r = s
        .post_form(
            "/oauth2/default/v1/token",
            &[origin[0], ("authorization", &auth)],
            &[("grant_type", CODE), ("code", &code), ("redirect_uri", CHAT_REDIRECT)],
        )
        .await;
    r.assert_error(
        400,
        "invalid_scope",
        "Browser requests to the token endpoint may not include the offline_access scope.",
    );
    // Without offline_access it may.
    let code = CodeSpec::chat_default(&s, "openid").await.create(&s).await;
    let r = s
        .post_form(
            "/oauth2/default/v1/token",
            &[origin[0], ("authorization", &auth)],
            &[("grant_type", CODE), ("code", &code), ("redirect_uri", CHAT_REDIRECT)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Only the code and refresh grants from a browser.
    let now = s.clock.now_ms();
    let service = app("Service", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], now);
    create_app(&s, &service, Some("service-secret-0123456789")).await;
    let auth = basic(&service.client_id, "service-secret-0123456789");
    let r = s
        .post_form(
            "/oauth2/default/v1/token",
            &[origin[0], ("authorization", &auth)],
            &[("grant_type", "client_credentials")],
        )
        .await;
    r.assert_error(
        400,
        "unauthorized_client",
        "Browser requests to the token endpoint may only use the authorization_code grant_type.",
    );
    let e = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(e[0]["debugContext"]["debugData"]["error"], "unsupported_scope_browser_request");
    assert_eq!(e[2]["debugContext"]["debugData"]["error"], "unsupported_grant_type_browser_request");
}

backend_tests!(code_rows, pkce_rows, grant_type_rows, browser_rows);
