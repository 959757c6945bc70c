//! The error rows of `/v1/authorize` (okta-surface.md §4.2, §8): HTML pages until the client
//! and its redirect URI are proven, then errors at the redirect URI in Okta's order, each with
//! its exact description, the state only when valid, and a FAILURE event.

use crate::browser;
use crate::common;

use baton::domain::Status;
use browser::{authorize_url, chat_request, events, new_app, request_for, seeded, with, Browser, CHAT, CHAT_REDIRECT};
use common::Backend;
use serde_json::json;

const STATE: &str = "st-123_abc.X,Y";

type Params = Vec<(String, String)>;

async fn errors_before_the_redirect_uri_is_proven_are_pages(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let ok = chat_request("openid");
    let r = b.get(&authorize_url(Some("nope"), &ok)).await;
    r.assert_error_page(404, "E0000007", "Not found: Resource not found: nope (AuthorizationServer)");
    let mut knowledge = s.state.store.find_auth_server("aus1JGp4q34ckplLYGbL").await.unwrap().unwrap();
    knowledge.status = Status::Inactive;
    s.state.store.update_auth_server(&knowledge, &[]).await.unwrap();
    let r = b.get(&authorize_url(Some("aus1JGp4q34ckplLYGbL"), &ok)).await;
    r.assert_error_page(404, "E0000007", "Not found: Resource not found: aus1JGp4q34ckplLYGbL (AuthorizationServer)");

    let invalid_client = ("invalid_client", "Invalid value for 'client_id' parameter.");
    let mut inactive = new_app(&s, "0oaInactiveApp000001", &["authorization_code"], true).await;
    inactive.status = baton::domain::AppStatus::Inactive;
    s.state.store.update_app(&inactive, &[]).await.unwrap();
    let rows: Vec<(Params, (&str, &str))> = vec![
        (
            with(ok.clone(), "client_id", None),
            ("invalid_request", "The request is missing a required parameter: 'client_id'."),
        ),
        (with(ok.clone(), "client_id", Some("0oaUnknownClient0001")), invalid_client),
        (with(ok.clone(), "client_id", Some("wlps2fwpkzi3raviM1d7")), invalid_client), // an agent
        (with(ok.clone(), "client_id", Some(&inactive.client_id)), invalid_client),
        (
            with(ok.clone(), "redirect_uri", None),
            ("invalid_request", "The request is missing a required parameter: 'redirect_uri'."),
        ),
        (
            with(ok.clone(), "redirect_uri", Some("http://localhost:3000/callback/evil")),
            (
                "invalid_request",
                "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
            ),
        ),
        (
            [ok.clone(), vec![("client_id".into(), CHAT.into())]].concat(),
            ("invalid_request", "The 'client_id' parameter was repeated."),
        ),
    ];
    for (params, (error, description)) in &rows {
        let r = b.get(&authorize_url(Some("default"), params)).await;
        r.assert_error_page(400, error, description);
    }
    // A POST body that is not a form cannot prove anything either.
    let r = s.http.post(s.url("/oauth2/default/v1/authorize")).json(&json!({"client_id": CHAT})).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));

    let failures = events(&s, "app.oauth2.as.authorize").await;
    assert_eq!(failures.len(), rows.len(), "every rejected request of a known AS is logged");
    let illegal = failures.iter().find(|e| e["debugContext"]["debugData"]["error"] == "illegal_redirect_uri").unwrap();
    assert_eq!(illegal["outcome"], json!({"result": "FAILURE", "reason": "invalid_request"}));
    assert_eq!(illegal["client"]["id"], CHAT);
    assert_eq!(illegal["severity"], "WARN");
}

/// (parameter changes, error, description, state echoed)
type Row = (Vec<(&'static str, Option<&'static str>)>, &'static str, &'static str, bool);

fn rows() -> Vec<Row> {
    let unsupported_rt =
        "The response type is not supported by the authorization server. Configured response types: [code].";
    let bad_state = "The authentication request has an invalid 'state' parameter.";
    let bad_prompt =
        "Invalid value for 'prompt' parameter. Supported values: [none, login, consent, login consent, consent login]";
    let method = "PKCE code challenge method is not supported. Valid values: [S256]";
    let missing_challenge = "PKCE code challenge is required by the application.";
    let invalid_scope =
        "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.";
    let openid_required = "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.";
    vec![
        (vec![("response_type", Some("token"))], "unsupported_response_type", unsupported_rt, true),
        (vec![("response_type", Some("code id_token"))], "unsupported_response_type", unsupported_rt, true),
        (vec![("response_type", None)], "invalid_request", "The request is missing a required parameter: 'response_type'.", true),
        (vec![("state", None)], "invalid_request", bad_state, false),
        (vec![("state", Some("a b"))], "invalid_request", bad_state, false),
        (vec![("state", Some("x<y>"))], "invalid_request", bad_state, false),
        (
            vec![("response_mode", Some("okta_post_message"))],
            "unsupported_response_mode",
            "'okta_post_message' response mode cannot be used with the 'code' response type.",
            true,
        ),
        (
            vec![("response_mode", Some("web_message"))],
            "unsupported_response_mode",
            "The response mode is not supported by the authorization server. Configured response modes: [query, fragment, form_post].",
            true,
        ),
        (vec![("prompt", Some("select_account"))], "invalid_request", bad_prompt, true),
        (vec![("prompt", Some("none login"))], "invalid_request", bad_prompt, true),
        (
            vec![("max_age", Some("-5"))],
            "invalid_request",
            "The 'max_age' parameter must be a non-negative integer number of seconds.",
            true,
        ),
        (vec![("code_challenge", None), ("code_challenge_method", None)], "invalid_request", missing_challenge, true),
        (vec![("code_challenge", None)], "invalid_request", missing_challenge, true),
        (vec![("code_challenge_method", Some("plain"))], "invalid_request", method, true),
        (vec![("code_challenge_method", None)], "invalid_request", method, true),
        (
            vec![("code_challenge", Some("abc+def/ghi=jklmnopqrstuvwxyz0123456789ABCDEFG"))],
            "invalid_request",
            "PKCE code challenge contains illegal characters.",
            true,
        ),
        (vec![("scope", Some("openid nope"))], "invalid_scope", invalid_scope, true),
        (vec![("scope", Some("openid groups"))], "invalid_scope", invalid_scope, true),
        (vec![("scope", None)], "invalid_scope", "No scopes were requested.", true),
        (vec![("scope", Some("profile email"))], "invalid_scope", openid_required, true),
        // Okta's order: response_type before state (a bad state is never echoed), prompt
        // before PKCE, PKCE before scopes.
        (vec![("response_type", Some("token")), ("state", Some("a b"))], "unsupported_response_type", unsupported_rt, false),
        (vec![("prompt", Some("bogus")), ("code_challenge", None)], "invalid_request", bad_prompt, true),
        (vec![("code_challenge_method", Some("plain")), ("scope", Some("nope"))], "invalid_request", method, true),
    ]
}

async fn errors_after_the_redirect_uri_go_to_the_client_in_order(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let rows = rows();
    for (changes, error, description, echo_state) in &rows {
        let mut params = chat_request("openid profile");
        for (name, value) in changes {
            params = with(params, name, *value);
        }
        let r = b.get(&authorize_url(Some("default"), &params)).await;
        r.assert_client_error(error, description, echo_state.then_some(STATE));
    }
    let repeated = [chat_request("openid"), vec![("scope".into(), "email".into())]].concat();
    let r = b.get(&authorize_url(Some("default"), &repeated)).await;
    r.assert_client_error("invalid_request", "The 'scope' parameter was repeated.", Some(STATE));
    let failures = events(&s, "app.oauth2.as.authorize").await;
    assert_eq!(failures.len(), rows.len() + 1);
    let pkce = &failures[rows.iter().position(|r| r.2.contains("illegal characters")).unwrap()];
    assert_eq!(pkce["outcome"]["reason"], "invalid_request");
    assert_eq!(pkce["debugContext"]["debugData"]["error"], "pkce_invalid_challenge");
    assert_eq!(pkce["actor"]["id"], "unknown", "nobody has signed in");
}

async fn org_as_rows_and_app_grant(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let invalid_scope =
        "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.";
    let r = b.get(&authorize_url(None, &chat_request("openid Corp-Knowledge-Agent:execute"))).await;
    r.assert_client_error("invalid_scope", invalid_scope, Some(STATE));
    let r = b.get(&authorize_url(None, &chat_request("groups"))).await;
    r.assert_client_error(
        "invalid_scope",
        "Requests for ID tokens or access tokens with OpenID scopes require the 'openid' scope.",
        Some(STATE),
    );
    // offline_access alone needs no openid; the request goes on to sign-in.
    assert!(b.get(&authorize_url(None, &chat_request("offline_access"))).await.is_sign_in_page());
    let org = events(&s, "app.oauth2.authorize.code").await;
    assert_eq!(org.len(), 2);
    assert_eq!(org[0]["outcome"]["result"], "FAILURE");

    let app = new_app(&s, "0oaServiceOnly000001", &["client_credentials", "refresh_token"], true).await;
    let r = b.get(&authorize_url(Some("default"), &request_for(&app.client_id, "openid"))).await;
    r.assert_client_error(
        "unauthorized_client",
        "The client is not authorized to use the provided grant type. Configured grant types: [client_credentials, refresh_token].",
        Some(STATE),
    );
    assert!(r.location().starts_with(CHAT_REDIRECT));

    // A confidential app may turn PKCE off; a public (`none`) app never can.
    let mut relaxed = new_app(&s, "0oaNoPkceNeeded00001", &["authorization_code"], true).await;
    relaxed.pkce_required = false;
    s.state.store.update_app(&relaxed, &[]).await.unwrap();
    let no_pkce =
        with(with(request_for(&relaxed.client_id, "openid"), "code_challenge", None), "code_challenge_method", None);
    assert!(b.get(&authorize_url(Some("default"), &no_pkce)).await.is_sign_in_page());
    relaxed.token_endpoint_auth_method = baton::domain::AuthMethod::None;
    s.state.store.update_app(&relaxed, &[]).await.unwrap();
    b.get(&authorize_url(Some("default"), &no_pkce)).await.assert_client_error(
        "invalid_request",
        "PKCE code challenge is required by the application.",
        Some(STATE),
    );
}

backend_tests!(
    errors_before_the_redirect_uri_is_proven_are_pages,
    errors_after_the_redirect_uri_go_to_the_client_in_order,
    org_as_rows_and_app_grant,
);
