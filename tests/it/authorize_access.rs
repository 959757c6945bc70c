//! Assignment, access policy and consent at `/v1/authorize` (okta-surface.md §4.4, §4.5):
//! `user_not_assigned`, `no_matching_policy`, `no_scope_allowed`, narrowing with
//! `scope_denied`, and the consent page (deny, allow, remembered grants, `prompt=consent`,
//! `prompt=none`).

use crate::browser;
use crate::common;

use baton::domain::ids::{hash_secret, new_id, Prefix};
use baton::domain::{ConsentMethod, ConsentType, Policy, PolicyRule, Scope};
use baton::store::CodeUse;
use browser::{
    authorize_url, chat_request, events, new_app, request_for, seeded, with, Browser, CHAT, LOGIN, PASSWORD, USER_ID,
};
use common::{Backend, TestServer};
use serde_json::json;

const STATE: &str = "st-123_abc.X,Y";
const KNOWLEDGE: &str = "aus1JGp4q34ckplLYGbL";
const EXECUTE: &str = "Corp-Knowledge-Agent:execute";

async fn add_scope(s: &TestServer, server: &str, name: &str, consent: ConsentType, display: Option<&str>) -> Scope {
    let now = s.clock.now_ms();
    let scope = Scope {
        description: Some(format!("Lets the app {name}")),
        display_name: display.map(str::to_owned),
        consent,
        ..Scope::custom(new_id(Prefix::Scope), server, name, now)
    };
    s.state.store.create_scope(&scope, &[]).await.unwrap();
    scope
}

/// A policy for `client` on the Knowledge AS with one authorization-code rule for everyone.
async fn add_policy(s: &TestServer, client: &str, scopes: &[&str]) -> (String, String) {
    let now = s.clock.now_ms();
    let policy =
        Policy { clients: vec![client.into()], ..Policy::new(new_id(Prefix::Policy), KNOWLEDGE, "Chat", 2, now) };
    s.state.store.create_policy(&policy, &[]).await.unwrap();
    let mut rule = PolicyRule::new(new_id(Prefix::Rule), &policy.id, KNOWLEDGE, "Chat users", 1, now);
    rule.conditions.grant_types.include = vec!["authorization_code".into()];
    rule.conditions.scopes.include = scopes.iter().map(|s| (*s).to_owned()).collect();
    s.state.store.create_rule(&rule, &[]).await.unwrap();
    (policy.id, rule.id)
}

async fn signed_in(s: &TestServer) -> Browser<'_> {
    let mut b = Browser::new(s);
    b.sign_in_directly(LOGIN, PASSWORD).await;
    b
}

async fn assignment_and_policy(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = signed_in(&s).await;
    let unassigned = new_app(&s, "0oaNotAssigned000001", &["authorization_code"], false).await;
    b.get(&authorize_url(Some("default"), &request_for(&unassigned.client_id, "openid"))).await.assert_client_error(
        "access_denied",
        "User is not assigned to the client application.",
        Some(STATE),
    );
    // Org AS too (assignment is §4.5 step 1 for both kinds).
    let r = b.get(&authorize_url(None, &request_for(&unassigned.client_id, "openid"))).await;
    r.assert_client_error("access_denied", "User is not assigned to the client application.", Some(STATE));
    let failure = events(&s, "app.oauth2.as.authorize").await;
    assert_eq!(failure[0]["actor"]["id"], USER_ID, "the signed-in user is the actor");
    assert_eq!(failure[0]["debugContext"]["debugData"]["error"], "user_not_assigned");

    // The Knowledge AS has a policy for the orchestrator only.
    let r = b.get(&authorize_url(Some(KNOWLEDGE), &chat_request("openid"))).await;
    r.assert_client_error(
        "access_denied",
        "Policy evaluation failed for this request, please check the policy configurations.",
        Some(STATE),
    );
    add_scope(&s, KNOWLEDGE, "kb:write", ConsentType::Implicit, None).await;
    let (policy, rule) = add_policy(&s, CHAT, &[EXECUTE]).await;
    let r = b.get(&authorize_url(Some(KNOWLEDGE), &chat_request("kb:write"))).await;
    r.assert_client_error(
        "access_denied",
        "Policy evaluation succeeded, but all the requested scopes were rejected.",
        Some(STATE),
    );
    // Partly denied: narrowed, and the denial is logged.
    let r = b.get(&authorize_url(Some(KNOWLEDGE), &chat_request(&format!("openid {EXECUTE} kb:write")))).await;
    assert_eq!(r.status, 302, "{}", r.body);
    let code = r.redirect_params()["code"].clone();
    let CodeUse::Fresh(row) = s.state.store.consume_code(&hash_secret(&code), s.clock.now_ms()).await.unwrap() else {
        panic!("no code row")
    };
    assert_eq!(row.scopes, vec!["openid".to_owned(), EXECUTE.to_owned()]);
    assert_eq!((row.policy_id.as_deref(), row.rule_id.as_deref()), (Some(policy.as_str()), Some(rule.as_str())));
    assert_eq!(row.auth_server_id, KNOWLEDGE);
    let denied = events(&s, "app.oauth2.as.authorize.scope_denied").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["debugContext"]["debugData"]["denied_scopes"], "kb:write");
    assert_eq!(
        denied[0]["debugContext"]["debugData"]["error_description"],
        "Some of the requested scopes were denied by the policy. Denied scopes: [kb:write]."
    );
    let issued = events(&s, "app.oauth2.as.authorize.code").await;
    assert_eq!(issued[0]["debugContext"]["debugData"]["granted_scopes"], json!(format!("openid {EXECUTE}")));
    assert_eq!(issued[0]["debugContext"]["debugData"]["requested_scopes"], json!(format!("openid {EXECUTE} kb:write")));
}

async fn consent_page(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    add_scope(&s, "default", "orders:read", ConsentType::Required, Some("Read your orders")).await;
    let mut chat = s.state.store.find_app_by_client_id(CHAT).await.unwrap().unwrap();
    chat.consent_method = ConsentMethod::Required;
    s.state.store.update_app(&chat, &[]).await.unwrap();
    let mut b = Browser::new(&s);
    let url = authorize_url(Some("default"), &chat_request("openid orders:read"));
    let page = b.get(&url).await;
    let consent = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert!(consent.is_consent_page(), "{}", consent.body);
    assert!(consent.body.contains("Read your orders") && consent.body.contains("Lets the app orders:read"));
    assert!(!consent.body.contains("<code>openid</code>"), "IMPLICIT scopes are not listed");
    assert_eq!(consent.header("x-frame-options"), Some("DENY"));
    let denied = b.decide(&consent, "deny").await;
    denied.assert_client_error(
        "access_denied",
        "The resource owner or authorization server denied the request.",
        Some(STATE),
    );
    assert!(s.state.store.list_consent_grants(USER_ID).await.unwrap().is_empty());

    let consent = b.get(&url).await;
    assert!(consent.is_consent_page(), "still not granted");
    let allowed = b.decide(&consent, "allow").await;
    assert_eq!(allowed.status, 302, "{}", allowed.body);
    assert!(allowed.redirect_params().contains_key("code"));
    let grants = s.state.store.list_consent_grants(USER_ID).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!((grants[0].scope_name.as_str(), grants[0].source.as_str()), ("orders:read", "END_USER"));
    assert_eq!((grants[0].client_id.as_str(), grants[0].auth_server_id.as_str()), (CHAT, "default"));
    let logged = events(&s, "app.oauth2.as.consent.grant").await;
    assert_eq!((logged.len(), logged[0]["debugContext"]["debugData"]["scopes"].clone()), (1, json!("orders:read")));

    // Remembered: no page next time.
    assert!(b.get(&url).await.location().contains("code="));
    // prompt=consent asks again, and Allow does not loop.
    let again = b
        .get(&authorize_url(Some("default"), &with(chat_request("openid orders:read"), "prompt", Some("consent"))))
        .await;
    assert!(again.is_consent_page());
    assert!(b.decide(&again, "allow").await.location().contains("code="));
    assert_eq!(events(&s, "app.oauth2.as.consent.grant").await.len(), 2);

    // prompt=none cannot ask.
    s.state.store.revoke_user_consent_grants(USER_ID, &[]).await.unwrap();
    let none = with(chat_request("openid orders:read"), "prompt", Some("none"));
    b.get(&authorize_url(Some("default"), &none)).await.assert_client_error(
        "consent_required",
        "The following scopes require user consent: [orders:read].",
        Some(STATE),
    );
    // prompt=login consent: sign in, then consent, then the code; nothing loops.
    let both = with(chat_request("openid orders:read"), "prompt", Some("login consent"));
    let page = b.get(&authorize_url(Some("default"), &both)).await;
    let consent = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert!(b.decide(&consent, "allow").await.location().contains("code="));
}

async fn consent_post_is_revalidated(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    add_scope(&s, "default", "orders:read", ConsentType::Flexible, None).await;
    let mut chat = s.state.store.find_app_by_client_id(CHAT).await.unwrap().unwrap();
    chat.consent_method = ConsentMethod::Required;
    s.state.store.update_app(&chat, &[]).await.unwrap();
    let mut b = signed_in(&s).await;
    let consent = b.get(&authorize_url(Some("default"), &chat_request("openid orders:read"))).await;
    assert!(consent.is_consent_page());
    // A tampered carried request is checked from scratch: the redirect URI is not proven.
    let form = consent.form();
    let tampered = form.get("authorize").unwrap().replace("localhost%3A3000", "evil.example");
    let r = b.post(&form.action, &with(form.set("decision", "allow"), "authorize", Some(&tampered))).await;
    r.assert_error_page(
        400,
        "invalid_request",
        "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.",
    );
    assert!(s.state.store.list_consent_grants(USER_ID).await.unwrap().is_empty());
    // Without a decision there is nothing to do.
    let r = b.post(&form.action, &form.fields).await;
    r.assert_error_page(400, "invalid_request", "The consent form needs a decision: allow or deny.");
}

backend_tests!(assignment_and_policy, consent_page, consent_post_is_revalidated);
