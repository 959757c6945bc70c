//! The `authorization_code` grant and the checks every grant shares (okta-surface.md §5, §7, §8,
//! §14) through the real router on both backends. Codes are written into the store the way
//! `/authorize` writes them.

use crate::common;

use baton::domain::ids::{hash_secret, new_id, Prefix};
use baton::domain::{AuthMethod, Claim, ClaimType, Group, GroupType};
use common::oauth::*;
use common::{Backend, TestServer};
use serde_json::{json, Map, Value};

const CODE: &str = "authorization_code";

fn keys_of(m: &Map<String, Value>) -> Vec<&str> {
    m.keys().map(String::as_str).collect()
}

/// Verifies `jwt` with the key its `kid` names in the JWKS at `jwks_path`.
async fn verify_with_published_key(s: &TestServer, jwks_path: &str, jwt: &str) {
    let (header, _) = decode(jwt);
    assert_eq!(keys_of(&header), ["kid", "alg"], "no typ on access and ID tokens");
    assert_eq!(header["alg"], "RS256");
    let (_, jwks) = s.get_json(jwks_path).await;
    let key = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).expect("kid in the JWKS");
    baton::jose::jwt::verify_with_jwk(jwt, key).expect("signature verifies with the published key");
}

async fn add_claim(s: &TestServer, name: &str, claim_type: ClaimType, value: &str, always: bool, scopes: &[&str]) {
    let now = s.clock.now_ms();
    let claim = Claim {
        value: value.into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        always_include_in_token: always,
        ..Claim::new(new_id(Prefix::Claim), "default", name, claim_type, now)
    };
    s.state.store.create_claim(&claim, &[]).await.unwrap();
}

async fn code_grant_at_default_issues_okta_shaped_tokens(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    add_claim(&s, "department", ClaimType::Resource, "'R&D'", true, &[]).await;
    add_claim(&s, "team", ClaimType::Identity, "'Streaming'", true, &["profile"]).await;
    add_claim(&s, "hidden", ClaimType::Identity, "'userinfo only'", false, &[]).await;
    let (verifier, challenge) = pkce();
    let mut spec = CodeSpec::chat_default(&s, "openid profile email offline_access").await;
    spec.challenge = Some(challenge);
    let code = spec.create(&s).await;
    let r = s
        .chat_token(
            Some("default"),
            &[("grant_type", CODE), ("code", &code), ("redirect_uri", CHAT_REDIRECT), ("code_verifier", &verifier)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body = r.body.as_object().unwrap();
    assert_eq!(keys_of(body), ["token_type", "expires_in", "access_token", "scope", "refresh_token", "id_token"]);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], json!(3600));
    assert_eq!(body["scope"], "openid profile email offline_access");
    let refresh = body["refresh_token"].as_str().unwrap();
    assert_eq!(refresh.len(), 43);
    assert!(refresh.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));

    let issuer = format!("{}/oauth2/default", s.base);
    let access = body["access_token"].as_str().unwrap();
    verify_with_published_key(&s, "/oauth2/default/v1/keys", access).await;
    let (_, at) = decode(access);
    assert_eq!(
        keys_of(&at),
        ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "auth_time", "sub", "department"]
    );
    assert_jti(&at, "AT.");
    assert_eq!(at["ver"], json!(1));
    assert_eq!(at["iss"], json!(issuer));
    assert_eq!(at["aud"], "api://default");
    let iat = at["iat"].as_i64().unwrap();
    assert!((iat - s.clock.now_s()).abs() <= 2);
    assert_eq!(at["exp"].as_i64().unwrap() - iat, 3600);
    assert_eq!(at["cid"], CHAT);
    assert_eq!(at["uid"], USER);
    assert_eq!(at["scp"], json!(["openid", "profile", "email", "offline_access"]));
    assert_eq!(at["auth_time"], json!(spec.auth_time / 1000));
    assert_eq!(at["sub"], LOGIN);
    assert_eq!(at["department"], "R&D");
    assert!(!at.contains_key("nbf"));

    let id_token = body["id_token"].as_str().unwrap();
    verify_with_published_key(&s, "/oauth2/default/v1/keys", id_token).await;
    let (_, id) = decode(id_token);
    assert_eq!(
        keys_of(&id),
        [
            "sub",
            "name",
            "email",
            "ver",
            "iss",
            "aud",
            "iat",
            "exp",
            "jti",
            "amr",
            "idp",
            "nonce",
            "preferred_username",
            "auth_time",
            "at_hash",
            "team"
        ]
    );
    assert_eq!(id["sub"], USER);
    assert_eq!(id["name"], "Demo User");
    assert_eq!(id["email"], LOGIN);
    assert_eq!(id["ver"], json!(1));
    assert_eq!(id["iss"], json!(issuer));
    assert_eq!(id["aud"], CHAT);
    assert_eq!(id["iat"], json!(iat));
    assert_eq!(id["exp"], json!(iat + 3600));
    assert_jti(&id, "ID.");
    assert_eq!(id["amr"], json!(["pwd"]));
    assert_eq!(id["idp"], json!(s.org_id()));
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["preferred_username"], LOGIN);
    assert_eq!(id["auth_time"], json!(spec.auth_time / 1000));
    assert_eq!(id["at_hash"], json!(baton::jose::claims::at_hash(access)));
    assert_eq!(id["team"], "Streaming");

    // Hashes at rest: the refresh token and the code are found by their hashes only.
    let (stored, family) = s.state.store.find_refresh_token(&hash_secret(refresh)).await.unwrap().expect("stored");
    assert_eq!(stored.rotated, None);
    assert_eq!(family.grant_id.as_deref(), Some(hash_secret(&code).as_str()));
    assert_eq!((family.client_id.as_str(), family.user_id.as_str()), (CHAT, USER));
    assert_eq!(family.expires, None, "refreshTokenLifetimeMinutes 0 is unlimited");
    assert_eq!(family.idle_window_ms, 10_080 * 60_000);
    assert_eq!(family.scopes, strings("openid profile email offline_access"));
    let record = s.state.store.find_access_token(at["jti"].as_str().unwrap()).await.unwrap().expect("recorded");
    assert_eq!(record.grant_id.as_deref(), Some(hash_secret(&code).as_str()));
    assert_eq!((record.client_id.as_str(), record.user_id.as_deref()), (CHAT, Some(USER)));

    // One request event and one per token, all naming the client, the user and the AS.
    let (policy, rule) = default_rule(&s).await;
    let grant = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(grant.len(), 1);
    let e = &grant[0];
    assert_eq!(e["outcome"], json!({"result": "SUCCESS", "reason": null}));
    assert_eq!(e["severity"], "INFO");
    assert_eq!(e["actor"]["id"], CHAT);
    assert_eq!(e["actor"]["type"], "PublicClientApp");
    assert_eq!(e["actor"]["displayName"], "Streamward Chat");
    assert_eq!(e["client"]["id"], CHAT);
    assert_eq!(e["target"][0]["id"], USER);
    assert_eq!(e["target"][0]["type"], "User");
    assert_eq!(e["target"][0]["alternateId"], LOGIN);
    assert_eq!(e["target"][1]["id"], "default");
    assert_eq!(e["target"][1]["type"], "AuthorizationServer");
    assert_eq!(e["target"][1]["alternateId"], json!(issuer));
    let d = &e["debugContext"]["debugData"];
    assert_eq!(d["grant_type"], CODE);
    assert_eq!(d["client_auth_type"], "client_secret_basic");
    assert_eq!(d["requested_scopes"], "openid profile email offline_access");
    assert_eq!(d["granted_scopes"], "openid profile email offline_access");
    assert_eq!(d["authorization_server"], "default");
    assert_eq!(d["policy"], json!(policy));
    assert_eq!(d["rule"], json!(rule));
    assert_eq!(d["requestUri"], "/oauth2/default/v1/token");
    let access_events = s.events("app.oauth2.as.token.grant.access_token").await;
    assert_eq!(access_events.len(), 1);
    assert_eq!(access_events[0]["debugContext"]["debugData"]["jti"], at["jti"]);
    assert_eq!(access_events[0]["transaction"]["id"], e["transaction"]["id"]);
    let id_events = s.events("app.oauth2.as.token.grant.id_token").await;
    assert_eq!(id_events[0]["debugContext"]["debugData"]["jti"], id["jti"]);
    assert_eq!(s.events("app.oauth2.as.token.grant.refresh_token").await.len(), 1);
    // Never a token or a secret in the log.
    for event in grant.iter().chain(&access_events).chain(&id_events) {
        let text = event.to_string();
        for secret in [access, id_token, refresh, &code, CHAT_SECRET, &verifier] {
            assert!(!text.contains(secret), "an event leaks a secret");
        }
    }
}

async fn code_grant_at_org_as(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let store = s.state.store.as_ref();
    let now = s.clock.now_ms();
    let group = Group {
        id: new_id(Prefix::Group),
        group_type: GroupType::OktaGroup,
        name: "Engineering".into(),
        description: None,
        created: now,
        last_updated: now,
        last_membership_updated: now,
    };
    store.create_group(&group, &[]).await.unwrap();
    store.add_group_member(&group.id, USER, now, &[]).await.unwrap();
    let code = CodeSpec::chat_org(&s, "openid groups email offline_access").create(&s).await;
    let r = s.chat_token(None, &[("grant_type", CODE), ("code", &code), ("redirect_uri", CHAT_REDIRECT)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["expires_in"], json!(3600));
    let access = r.body["access_token"].as_str().unwrap();
    verify_with_published_key(&s, "/oauth2/v1/keys", access).await;
    let (_, at) = decode(access);
    assert_eq!(at["iss"], json!(s.base));
    assert_eq!(at["aud"], json!(s.base));
    assert_eq!(at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(), 3600);
    let (_, id) = decode(r.body["id_token"].as_str().unwrap());
    assert_eq!(id["iss"], json!(s.base));
    assert_eq!(id["groups"], json!(["Everyone", "Engineering"]));
    assert_eq!(id["email"], LOGIN);
    let refresh = r.body["refresh_token"].as_str().unwrap();
    let (_, family) = store.find_refresh_token(&hash_secret(refresh)).await.unwrap().unwrap();
    assert_eq!(family.auth_server_id, s.org_id());
    assert_eq!(family.expires, Some(family.created + 90 * 24 * 3600 * 1000), "org refresh tokens live 90 days");
    let grant = s.events("app.oauth2.token.grant").await;
    assert_eq!(grant.len(), 1);
    assert_eq!(grant[0]["target"][1]["id"], json!(s.org_id()));
    assert_eq!(grant[0]["target"][1]["alternateId"], json!(s.base));
    assert_eq!(s.events("app.oauth2.token.grant.access_token").await.len(), 1);
    assert_eq!(s.events("app.oauth2.token.grant.id_token").await.len(), 1);
    assert!(s.events("app.oauth2.as.token.grant").await.is_empty());
}

async fn tokens_follow_the_granted_scopes_and_the_rule(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let store = s.state.store.as_ref();
    // The rule that issued the code sets the access-token lifetime.
    let (policy, rule_id) = default_rule(&s).await;
    let mut rule = store.find_rule(&policy, &rule_id).await.unwrap().unwrap();
    rule.token.access_token_minutes = 15;
    store.update_rule(&rule, &[]).await.unwrap();
    // No openid: no ID token; no offline_access: no refresh token.
    let r = s
        .chat_token(
            Some("default"),
            &[
                ("grant_type", CODE),
                ("code", &CodeSpec::chat_default(&s, "email").await.create(&s).await),
                ("redirect_uri", CHAT_REDIRECT),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(keys_of(r.body.as_object().unwrap()), ["token_type", "expires_in", "access_token", "scope"]);
    assert_eq!(r.body["expires_in"], json!(900));
    let (_, at) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(at["exp"].as_i64().unwrap() - at["iat"].as_i64().unwrap(), 900);
    assert_eq!(at["scp"], json!(["email"]));

    // offline_access granted, but the app does not list the refresh_token grant.
    let now = s.clock.now_ms();
    let plain = app("Code only", AuthMethod::ClientSecretPost, "web", &["authorization_code"], now);
    create_app(&s, &plain, Some("code-only-secret-0123456789")).await;
    let mut spec = CodeSpec::chat_default(&s, "openid offline_access").await;
    spec.client_id = plain.client_id.clone();
    let code = spec.create(&s).await;
    let r = s
        .post_form(
            "/oauth2/default/v1/token",
            &[],
            &[
                ("grant_type", CODE),
                ("code", &code),
                ("redirect_uri", CHAT_REDIRECT),
                ("client_id", &plain.client_id),
                ("client_secret", "code-only-secret-0123456789"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body.get("refresh_token").is_none());
    assert!(r.body.get("id_token").is_some());
    let e = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(e.last().unwrap()["debugContext"]["debugData"]["client_auth_type"], "client_secret_post");
    assert_eq!(s.events("app.oauth2.as.token.grant.refresh_token").await.len(), 0);
}

async fn reused_code_revokes_what_the_first_use_issued(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let code = CodeSpec::chat_default(&s, "openid offline_access").await.create(&s).await;
    let form = [("grant_type", CODE), ("code", code.as_str()), ("redirect_uri", CHAT_REDIRECT)];
    let first = s.chat_token(Some("default"), &form).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let access = first.body["access_token"].as_str().unwrap();
    let refresh = first.body["refresh_token"].as_str().unwrap();
    let active = s.chat_call(Some("default"), "introspect", &[("token", access)]).await;
    assert_eq!(active.body["active"], json!(true));

    let second = s.chat_token(Some("default"), &form).await;
    second.assert_error(400, "invalid_grant", "The authorization code is invalid or has expired.");
    let inactive = s.chat_call(Some("default"), "introspect", &[("token", access)]).await;
    assert_eq!(inactive.body, json!({"active": false}));
    let r = s.chat_token(Some("default"), &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    r.assert_error(400, "invalid_grant", "The refresh token is invalid or expired.");

    let events = s.events("app.oauth2.as.token.grant").await;
    let failure = &events[1];
    assert_eq!(failure["severity"], "WARN");
    assert_eq!(failure["outcome"], json!({"result": "FAILURE", "reason": "invalid_grant"}));
    assert_eq!(failure["debugContext"]["debugData"]["error"], "invalid_authorization_code");
    assert_eq!(
        failure["debugContext"]["debugData"]["error_description"],
        "The authorization code is invalid or has expired."
    );
    assert_eq!(failure["target"][0]["id"], USER);
}

async fn failed_client_authentication_is_logged_twice(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let auth = basic(CHAT, "wrong-secret");
    let code = CodeSpec::chat_default(&s, "openid").await.create(&s).await;
    let r = s
        .post_form(
            "/oauth2/default/v1/token",
            &[("authorization", &auth)],
            &[("grant_type", CODE), ("code", &code), ("redirect_uri", CHAT_REDIRECT)],
        )
        .await;
    r.assert_error(401, "invalid_client", "The client secret supplied for a confidential client is invalid.");
    assert_eq!(r.header("www-authenticate"), Some("Basic realm=\"baton\""));
    let creds = s.events("app.oauth2.invalid_client_credentials").await;
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0]["actor"]["id"], CHAT);
    assert_eq!(creds[0]["actor"]["displayName"], "Streamward Chat");
    assert_eq!(creds[0]["outcome"], json!({"result": "FAILURE", "reason": "invalid_client"}));
    assert_eq!(creds[0]["debugContext"]["debugData"]["error"], "invalid_client_secret");
    assert_eq!(creds[0]["debugContext"]["debugData"]["client_auth_type"], "client_secret_basic");
    let grant = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(grant.len(), 1);
    assert_eq!(grant[0]["actor"]["id"], CHAT);
    assert_eq!(grant[0]["debugContext"]["debugData"]["grant_type"], CODE);
    assert_eq!(grant[0]["transaction"]["id"], creds[0]["transaction"]["id"]);
    assert_eq!(grant[0]["transaction"]["id"].as_str(), r.header("x-okta-request-id"));
    assert!(!grant[0].to_string().contains("wrong-secret"));
    // The code was not touched: the right client can still redeem it.
    let ok =
        s.chat_token(Some("default"), &[("grant_type", CODE), ("code", &code), ("redirect_uri", CHAT_REDIRECT)]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

backend_tests!(
    code_grant_at_default_issues_okta_shaped_tokens,
    code_grant_at_org_as,
    tokens_follow_the_granted_scopes_and_the_rule,
    reused_code_revokes_what_the_first_use_issued,
    failed_client_authentication_is_logged_twice,
);
