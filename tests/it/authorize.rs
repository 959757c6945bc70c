//! `/v1/authorize` through the real pages (okta-surface.md §4): sign-in, code issuance and what
//! the code row and System Log record, SSO with the session cookie, response modes, and the
//! org AS.

use crate::browser;
use crate::common;

use baton::domain::ids::hash_secret;
use baton::store::CodeUse;
use browser::{
    authorize_url, challenge, chat_request, events, seeded, with, Browser, CHAT, CHAT_REDIRECT, LOGIN, PASSWORD,
    USER_ID, VERIFIER,
};
use common::{Backend, TestServer};
use serde_json::json;

/// The stored row behind a code (consuming it).
async fn code_row(s: &TestServer, code: &str) -> baton::domain::AuthorizationCode {
    assert_eq!(code.len(), 43, "opaque 43-character code");
    match s.state.store.consume_code(&hash_secret(code), s.clock.now_ms()).await.unwrap() {
        CodeUse::Fresh(row) => row,
        other => panic!("code not stored as fresh: {other:?}"),
    }
}

async fn code_flow_through_the_sign_in_page(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let url = authorize_url(Some("default"), &chat_request("openid profile email"));
    let page = b.get(&url).await;
    assert!(page.is_sign_in_page(), "{}", page.body);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(page.header("access-control-allow-origin").is_none());
    let csrf = page.set_cookie("baton_csrf").expect("CSRF cookie");
    assert!(csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict") && !csrf.contains("Secure"), "{csrf}");
    let form = page.form();
    assert_eq!(form.action, s.url("/login"));
    assert_eq!(form.get("as"), Some("default"));
    assert_eq!(form.get("csrf_token"), Some(b.cookies["baton_csrf"].as_str()));
    let carried: Vec<(String, String)> =
        url::form_urlencoded::parse(form.get("authorize").unwrap().as_bytes()).into_owned().collect();
    assert!(
        carried.contains(&("client_id".into(), CHAT.into()))
            && carried.contains(&("nonce".into(), "n-0S6_WzA2Mj".into()))
    );
    assert!(page.body.contains("Streamward Chat"));

    let before = s.clock.now_ms();
    let done = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert_eq!(done.header("referrer-policy"), Some("no-referrer"));
    let sid = done.set_cookie("baton_sid").expect("session cookie");
    assert!(
        sid.contains("HttpOnly") && sid.contains("SameSite=Lax") && sid.contains("Path=/") && !sid.contains("Secure")
    );
    assert!(done.location().starts_with(&format!("{CHAT_REDIRECT}?")));
    let p = done.redirect_params();
    assert_eq!(p["state"], "st-123_abc.X,Y");
    let row = code_row(&s, &p["code"]).await;
    let policies = s.state.store.list_policies("default").await.unwrap();
    let rules = s.state.store.list_rules(&policies[0].id).await.unwrap();
    assert_eq!(row.auth_server_id, "default");
    assert_eq!(row.client_id, CHAT);
    assert_eq!(row.user_id, USER_ID);
    assert_eq!(row.redirect_uri, CHAT_REDIRECT);
    assert_eq!(row.scopes, vec!["openid", "profile", "email"]);
    assert_eq!(row.nonce.as_deref(), Some("n-0S6_WzA2Mj"));
    assert_eq!(row.code_challenge, Some(challenge(VERIFIER)));
    assert_eq!(row.code_challenge_method.as_deref(), Some("S256"));
    assert_eq!(row.policy_id.as_deref(), Some(policies[0].id.as_str()));
    assert_eq!(row.rule_id.as_deref(), Some(rules[0].id.as_str()));
    assert_eq!(row.expires - row.created, 300_000);
    assert!(row.auth_time >= before && row.auth_time <= row.created);
    let session = s.state.store.find_session(row.session_id.as_deref().unwrap()).await.unwrap().unwrap();
    assert_eq!(session.token_hash, hash_secret(&b.cookies["baton_sid"]), "the cookie is stored as its hash");
    assert_eq!((session.user_id.as_str(), session.amr.clone()), (USER_ID, vec!["pwd".to_owned()]));
    assert_eq!(session.expires - session.created, 2 * 3600 * 1000);
    let user = s.state.store.find_user(USER_ID).await.unwrap().unwrap();
    assert!(user.last_login.is_some_and(|t| t >= before));

    let start = events(&s, "user.session.start").await;
    assert_eq!(start.len(), 1);
    assert_eq!(start[0]["outcome"]["result"], "SUCCESS");
    assert_eq!(start[0]["actor"]["alternateId"], LOGIN);
    assert_eq!(start[0]["authenticationContext"]["rootSessionId"], json!(session.id));
    let authorize = events(&s, "app.oauth2.as.authorize").await;
    assert_eq!((authorize.len(), authorize[0]["outcome"]["result"].clone()), (1, json!("SUCCESS")));
    let code = events(&s, "app.oauth2.as.authorize.code").await;
    assert_eq!(code.len(), 1);
    let debug = &code[0]["debugContext"]["debugData"];
    assert_eq!(debug["requested_scopes"], "openid profile email");
    assert_eq!(debug["granted_scopes"], "openid profile email");
    assert_eq!(debug["policy"], json!(policies[0].id));
    assert_eq!(debug["rule"], json!(rules[0].id));
    assert_eq!(code[0]["client"]["id"], CHAT);
    assert_eq!(code[0]["actor"]["id"], USER_ID);
    assert_eq!(code[0]["target"][1]["id"], "default");
    assert_eq!(code[0]["transaction"]["id"], authorize[0]["transaction"]["id"], "one transaction per request");
    let sso = events(&s, "user.authentication.sso").await;
    assert_eq!((sso.len(), sso[0]["target"][0]["type"].clone()), (1, json!("AppInstance")));
    assert!(events(&s, "app.oauth2.as.authorize.scope_denied").await.is_empty());

    // The session cookie signs the next request in without a page.
    let again = b.get(&url).await;
    assert_eq!(again.status, 302, "{}", again.body);
    let row2 = code_row(&s, &again.redirect_params()["code"]).await;
    assert_eq!(row2.session_id, row.session_id);
    assert_eq!(row2.auth_time, row.auth_time);
    assert_eq!(events(&s, "user.session.start").await.len(), 1, "SSO is no new sign-in");
    assert_eq!(events(&s, "user.authentication.sso").await.len(), 2);
}

async fn org_as_code_flow(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    b.sign_in_directly(LOGIN, PASSWORD).await;
    let params = with(chat_request("openid groups offline_access"), "nonce", None);
    let done = b.get(&authorize_url(None, &params)).await;
    assert_eq!(done.status, 302, "{}", done.body);
    let row = code_row(&s, &done.redirect_params()["code"]).await;
    assert_eq!(row.auth_server_id, s.state.org.id);
    assert_eq!(row.scopes, vec!["openid", "groups", "offline_access"]);
    assert_eq!((row.policy_id, row.rule_id, row.nonce), (None, None, None));
    let code = events(&s, "app.oauth2.authorize.code").await;
    assert_eq!((code.len(), code[0]["outcome"]["result"].clone()), (1, json!("SUCCESS")));
    assert_eq!(code[0]["target"][1]["id"], json!(s.state.org.id));
    assert!(events(&s, "app.oauth2.as.authorize").await.is_empty(), "the org AS logs no custom-AS events");
    // The POST form of the request works the same; Okta's IdP and display hints are ignored.
    let mut params = params;
    for (k, v) in [
        ("idp", "0oaIdp"),
        ("idp_scope", "x"),
        ("display", "page"),
        ("acr_values", "urn:okta:loa:1fa:pwd"),
        ("enroll_amr_values", "pwd"),
    ] {
        params.push((k.into(), v.into()));
    }
    let posted = b.post("/oauth2/v1/authorize", &params).await;
    assert_eq!(posted.status, 302, "{}", posted.body);
    assert!(posted.redirect_params().contains_key("code"));
}

async fn response_modes(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    b.sign_in_directly(LOGIN, PASSWORD).await;
    let fragment =
        b.get(&authorize_url(Some("default"), &with(chat_request("openid"), "response_mode", Some("fragment")))).await;
    assert_eq!(fragment.status, 302);
    assert!(fragment.location().starts_with(&format!("{CHAT_REDIRECT}#code=")), "{}", fragment.location());
    assert_eq!(fragment.redirect_params()["state"], "st-123_abc.X,Y");

    let posted =
        b.get(&authorize_url(Some("default"), &with(chat_request("openid"), "response_mode", Some("form_post")))).await;
    assert_eq!(posted.status, 200);
    assert_eq!(posted.header("referrer-policy"), Some("no-referrer"));
    assert!(posted.body.contains("document.forms[0].submit()"));
    let form = posted.form();
    assert_eq!(form.action, CHAT_REDIRECT);
    assert_eq!(form.get("state"), Some("st-123_abc.X,Y"));
    code_row(&s, form.get("code").unwrap()).await;

    // Errors use the requested mode too.
    let bad = with(with(chat_request("openid"), "response_mode", Some("fragment")), "prompt", Some("bogus"));
    let r = b.get(&authorize_url(Some("default"), &bad)).await;
    assert!(r.location().starts_with(&format!("{CHAT_REDIRECT}#error=invalid_request")), "{}", r.location());
    let bad = with(with(chat_request("openid"), "response_mode", Some("form_post")), "scope", Some("nope"));
    let r = b.get(&authorize_url(Some("default"), &bad)).await;
    assert_eq!((r.status, r.form().get("error")), (200, Some("invalid_scope")));
}

backend_tests!(code_flow_through_the_sign_in_page, org_as_code_flow, response_modes);
