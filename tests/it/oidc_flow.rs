//! End-to-end OIDC sign-in: authorization code + PKCE through the real HTML pages,
//! driven by a cookie-jar client that fills in the sign-in form, then the token endpoint,
//! `/userinfo`, `/introspect`, a refresh and the System Log, asserting every claim of every
//! token field by field (okta-surface.md §4, §5.3, §6.1–§6.3, §7, §14; xaa.md §9 hop 1), on
//! both backends. Signatures are checked with josekit against the published JWKS.

use crate::browser;
use crate::common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use baton::store::LogQuery;
use browser::{authorize_url, chat_request, seeded, Browser, CHAT, CHAT_REDIRECT, LOGIN, PASSWORD, USER_ID, VERIFIER};
use common::oauth::{basic, Reply, CHAT_SECRET};
use common::{Backend, TestServer};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

const STATE: &str = "st-123_abc.X,Y";
const NONCE: &str = "n-0S6_WzA2Mj";

fn keys_of(m: &Map<String, Value>) -> Vec<&str> {
    m.keys().map(String::as_str).collect()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

/// `/oauth2/v1/{name}` (org AS) or `/oauth2/{as}/v1/{name}`.
fn path(auth_server: Option<&str>, name: &str) -> String {
    browser::endpoint(auth_server, name)
}

/// The issuer of the org AS (`{base}`) or of a custom AS.
fn issuer(s: &TestServer, auth_server: Option<&str>) -> String {
    auth_server.map_or_else(|| s.base.clone(), |id| format!("{}/oauth2/{id}", s.base))
}

/// Asserts 43 base64url characters.
#[track_caller]
fn assert_opaque_43(value: &str) {
    assert_eq!(value.len(), 43, "{value}");
    assert!(value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{value}");
}

/// Asserts `jti` = prefix + 43 base64url characters.
#[track_caller]
fn assert_jti(claims: &Map<String, Value>, prefix: &str) {
    let jti = claims["jti"].as_str().unwrap();
    assert_opaque_43(jti.strip_prefix(prefix).unwrap_or_else(|| panic!("{jti} lacks {prefix}")));
}

/// `at_hash` computed here: base64url of the left half of SHA-256 of the access token.
fn at_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16])
}

/// Decodes one base64url JSON segment, keeping the key order.
fn segment(part: &str) -> Map<String, Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("a JSON object")
}

/// Checks the header (`{kid, alg: RS256}` exactly, the kid published at `{AS}/v1/keys`),
/// verifies the signature with that JWK through josekit, and returns the claims.
async fn verified_claims(s: &TestServer, auth_server: Option<&str>, jwt: &str) -> Map<String, Value> {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "compact JWS");
    let header = segment(parts[0]);
    assert_eq!(keys_of(&header), ["kid", "alg"], "no typ on access and ID tokens");
    assert_eq!(header["alg"], "RS256");
    let (status, jwks) = s.get_json(&path(auth_server, "keys")).await;
    assert_eq!(status, 200);
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap_or_else(|| panic!("kid {} not in {jwks}", header["kid"]));
    let jwk = josekit::jwk::Jwk::from_map(jwk.as_object().unwrap().clone()).expect("a JWK");
    let verifier = josekit::jws::RS256.verifier_from_jwk(&jwk).expect("an RS256 key");
    let (payload, jws_header) = josekit::jws::deserialize_compact(jwt, &verifier).expect("the signature verifies");
    assert_eq!(jws_header.key_id(), header["kid"].as_str());
    let claims: Map<String, Value> = serde_json::from_slice(&payload).unwrap();
    assert_eq!(claims, segment(parts[1]));
    assert!(!claims.contains_key("nbf"), "no token carries nbf");
    claims
}

/// Drives `/authorize` → the sign-in page → the filled-in form → the redirect to the client.
/// Returns the code and the sign-in POST's `transaction.id` (`X-Okta-Request-Id`).
async fn sign_in_for_code(b: &mut Browser<'_>, auth_server: Option<&str>, scope: &str) -> (String, String) {
    let page = b.get(&authorize_url(auth_server, &chat_request(scope))).await;
    assert!(page.is_sign_in_page(), "expected the sign-in page ({}): {}", page.status, page.body);
    let form = page.form();
    assert_eq!(form.action, b.s.url("/login"));
    let done = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(done.location().starts_with(&format!("{CHAT_REDIRECT}?")), "{}", done.location());
    let params = done.redirect_params();
    assert_eq!(params.keys().map(String::as_str).collect::<Vec<_>>(), ["code", "state"]);
    assert_eq!(params["state"], STATE);
    assert_opaque_43(&params["code"]);
    let txn = done.header("x-okta-request-id").expect("request id").to_owned();
    (params["code"].clone(), txn)
}

/// The chat app (`client_secret_basic`, demo secret) at a token endpoint.
async fn token(s: &TestServer, auth_server: Option<&str>, form: &[(&str, &str)]) -> Reply {
    let auth = basic(CHAT, CHAT_SECRET);
    s.post_form(&path(auth_server, "token"), &[("authorization", &auth)], form).await
}

async fn redeem(s: &TestServer, auth_server: Option<&str>, code: &str) -> Reply {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CHAT_REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    token(s, auth_server, &form).await
}

/// Asserts the §5.3 response shape; returns the body.
#[track_caller]
fn assert_token_response(r: &Reply, scope: &str, keys: &[&str]) -> Map<String, Value> {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let body = r.body.as_object().unwrap().clone();
    assert_eq!(keys_of(&body), keys, "{}", r.text);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], json!(3600), "expires_in is the number 3600");
    assert_eq!(body["scope"], scope);
    for jwt in ["access_token", "id_token"] {
        if let Some(v) = body.get(jwt) {
            assert_eq!(v.as_str().unwrap().split('.').count(), 3, "{jwt} is a compact JWS");
        }
    }
    if let Some(refresh) = body.get("refresh_token") {
        assert_opaque_43(refresh.as_str().unwrap());
    }
    body
}

async fn userinfo(s: &TestServer, auth_server: Option<&str>, access_token: &str) -> Reply {
    let r = s
        .http
        .get(s.url(&path(auth_server, "userinfo")))
        .header("authorization", format!("Bearer {access_token}"))
        .send()
        .await
        .unwrap();
    Reply::from(r).await
}

async fn introspect(s: &TestServer, auth_server: Option<&str>, token: &str, hint: &str) -> Reply {
    let auth = basic(CHAT, CHAT_SECRET);
    let form = [("token", token), ("token_type_hint", hint)];
    s.post_form(&path(auth_server, "introspect"), &[("authorization", &auth)], &form).await
}

/// Every event of one HTTP request, in storage order: (eventType, body).
async fn transaction(s: &TestServer, txn: &str) -> Vec<(String, Value)> {
    let q = LogQuery { transaction_id: Some(txn.to_owned()), storage_order: true, limit: 1000, ..LogQuery::default() };
    s.state.store.list_events(&q).await.unwrap().into_iter().map(|(_, e)| (e.event_type, e.body)).collect()
}

fn types(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(t, _)| t.as_str()).collect()
}

fn event<'a>(events: &'a [(String, Value)], event_type: &str) -> &'a Value {
    &events.iter().find(|(t, _)| t == event_type).unwrap_or_else(|| panic!("no {event_type} in {events:?}")).1
}

/// Asserts the event's `target` list is the user, then the authorization server.
#[track_caller]
fn assert_user_and_as_targets(e: &Value, as_id: &str, as_issuer: &str) {
    let targets = e["target"].as_array().unwrap();
    assert_eq!(targets.len(), 2, "{e}");
    assert_eq!(
        (&targets[0]["id"], &targets[0]["type"], &targets[0]["alternateId"]),
        (&json!(USER_ID), &json!("User"), &json!(LOGIN)),
        "{e}"
    );
    assert_eq!(
        (&targets[1]["id"], &targets[1]["type"], &targets[1]["alternateId"]),
        (&json!(as_id), &json!("AuthorizationServer"), &json!(as_issuer)),
        "{e}"
    );
}

/// The access-token claims of a user token, field by field (§7.2).
#[track_caller]
fn assert_access_claims(at: &Map<String, Value>, iss: &str, aud: &str, scopes: &[&str], auth_time: i64, now_s: i64) {
    assert_eq!(keys_of(at), ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "auth_time", "sub"]);
    assert_eq!(at["ver"], json!(1));
    assert_jti(at, "AT.");
    assert_eq!(at["iss"], json!(iss));
    assert_eq!(at["aud"], json!(aud));
    let iat = at["iat"].as_i64().unwrap();
    assert!((iat - now_s).abs() <= 5, "iat {iat} vs now {now_s}");
    assert_eq!(at["exp"], json!(iat + 3600));
    assert_eq!(at["cid"], CHAT);
    assert_eq!(at["uid"], USER_ID);
    assert_eq!(at["scp"], json!(scopes));
    assert_eq!(at["auth_time"], json!(auth_time));
    assert_eq!(at["sub"], LOGIN);
}

/// The base ID-token claims (§7.3) shared by every ID token of these flows.
#[track_caller]
fn assert_id_base(id: &Map<String, Value>, s: &TestServer, iss: &str, access_token: &str, iat: i64, auth_time: i64) {
    assert_eq!(id["sub"], USER_ID, "ID-token sub is the user id");
    assert_eq!(id["ver"], json!(1));
    assert_eq!(id["iss"], json!(iss));
    assert_eq!(id["aud"], json!(CHAT), "aud is the client id as a string");
    assert_eq!(id["iat"], json!(iat));
    assert_eq!(id["exp"], json!(iat + 3600));
    assert_jti(id, "ID.");
    assert_eq!(id["amr"], json!(["pwd"]));
    assert_eq!(id["idp"], json!(s.state.org.id));
    assert_eq!(id["auth_time"], json!(auth_time));
    assert_eq!(id["at_hash"], json!(at_hash(access_token)));
}

async fn custom_as_sign_in_yields_okta_tokens(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let scope = "openid profile email offline_access";
    let scopes = ["openid", "profile", "email", "offline_access"];
    let iss = issuer(&s, Some("default"));
    let mut b = Browser::new(&s);
    let before_s = s.clock.now_s();
    let (code, sign_in_txn) = sign_in_for_code(&mut b, Some("default"), scope).await;
    let after_s = s.clock.now_s();

    let r = redeem(&s, Some("default"), &code).await;
    let token_txn = r.header("x-okta-request-id").expect("request id").to_owned();
    let body = assert_token_response(
        &r,
        scope,
        &["token_type", "expires_in", "access_token", "scope", "refresh_token", "id_token"],
    );
    let access = str_of(&r.body, "access_token");
    let id_token = str_of(&r.body, "id_token");
    let refresh = str_of(&r.body, "refresh_token");

    // Access token (§7.2).
    let at = verified_claims(&s, Some("default"), access).await;
    let auth_time = at["auth_time"].as_i64().unwrap();
    assert!((before_s..=after_s).contains(&auth_time), "auth_time {auth_time} is the sign-in");
    assert_access_claims(&at, &iss, "api://default", &scopes, auth_time, s.clock.now_s());
    let iat = at["iat"].as_i64().unwrap();
    assert!(iat >= auth_time);

    // ID token (§7.3).
    let id = verified_claims(&s, Some("default"), id_token).await;
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
            "at_hash"
        ]
    );
    assert_id_base(&id, &s, &iss, access, iat, auth_time);
    assert_eq!(id["name"], "Demo User");
    assert_eq!(id["email"], LOGIN);
    assert_eq!(id["nonce"], NONCE);
    assert_eq!(id["preferred_username"], LOGIN);

    // /userinfo: sub plus the profile and email claims the demo user has (§6.3, §7.3 table).
    let user = s.state.store.find_user(USER_ID).await.unwrap().unwrap();
    let info = userinfo(&s, Some("default"), access).await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.header("content-type"), Some("application/json"));
    assert_eq!(
        info.body,
        json!({
            "sub": USER_ID, "name": "Demo User", "given_name": "Demo", "family_name": "User",
            "preferred_username": LOGIN, "updated_at": user.last_updated / 1000,
            "email": LOGIN, "email_verified": true,
        })
    );
    assert_eq!(info.body["sub"], id["sub"], "okta-auth-js: userinfo sub = ID-token sub");

    // /introspect (§6.1): the exact key set.
    let intro = introspect(&s, Some("default"), access, "access_token").await;
    assert_eq!(intro.status, 200, "{}", intro.text);
    assert_eq!(intro.header("cache-control"), Some("no-store"));
    let ib = intro.body.as_object().unwrap();
    assert_eq!(
        keys_of(ib),
        ["active", "token_type", "scope", "client_id", "username", "exp", "iat", "sub", "aud", "iss", "jti", "uid"]
    );
    assert_eq!(
        intro.body,
        json!({
            "active": true, "token_type": "Bearer", "scope": scope, "client_id": CHAT, "username": LOGIN,
            "exp": at["exp"], "iat": at["iat"], "sub": LOGIN, "aud": "api://default", "iss": iss,
            "jti": at["jti"], "uid": USER_ID,
        })
    );
    let intro = introspect(&s, Some("default"), refresh, "refresh_token").await;
    assert_eq!(intro.status, 200, "{}", intro.text);
    assert_eq!(
        keys_of(intro.body.as_object().unwrap()),
        ["active", "token_type", "scope", "client_id", "username", "exp", "sub", "uid"]
    );
    assert_eq!(intro.body["active"], json!(true));
    assert_eq!(intro.body["token_type"], "Bearer", "§6.1 leaves it open; baton answers Bearer");
    let exp = intro.body["exp"].as_i64().unwrap();
    assert!((exp - (s.clock.now_s() + 7 * 24 * 3600)).abs() <= 5, "the 7-day idle window bounds it: {exp}");
    assert_eq!(
        (&intro.body["scope"], &intro.body["client_id"], &intro.body["username"]),
        (&json!(scope), &json!(CHAT), &json!(LOGIN))
    );
    assert_eq!((&intro.body["sub"], &intro.body["uid"]), (&json!(LOGIN), &json!(USER_ID)));

    // The System Log: the sign-in request and the token request, each one transaction.
    let signed_in = transaction(&s, &sign_in_txn).await;
    assert_eq!(
        types(&signed_in),
        ["user.session.start", "app.oauth2.as.authorize", "app.oauth2.as.authorize.code", "user.authentication.sso"],
        "{signed_in:?}"
    );
    let start = event(&signed_in, "user.session.start");
    assert_eq!(start["outcome"]["result"], "SUCCESS");
    assert_eq!((&start["actor"]["id"], &start["actor"]["type"]), (&json!(USER_ID), &json!("User")));
    assert_eq!(start["actor"]["alternateId"], LOGIN);
    let authorize_code = event(&signed_in, "app.oauth2.as.authorize.code");
    assert_eq!(authorize_code["outcome"]["result"], "SUCCESS");
    assert_eq!((&authorize_code["actor"]["id"], &authorize_code["actor"]["type"]), (&json!(USER_ID), &json!("User")));
    assert_eq!(authorize_code["client"]["id"], CHAT);
    assert_eq!(authorize_code["target"][1]["id"], "default");
    assert_eq!(authorize_code["debugContext"]["debugData"]["granted_scopes"], scope);
    for (_, e) in &signed_in {
        assert_eq!(e["transaction"]["id"], json!(sign_in_txn));
    }

    let issued = transaction(&s, &token_txn).await;
    assert_eq!(
        types(&issued),
        [
            "app.oauth2.as.token.grant",
            "app.oauth2.as.token.grant.access_token",
            "app.oauth2.as.token.grant.id_token",
            "app.oauth2.as.token.grant.refresh_token"
        ],
        "{issued:?}"
    );
    for (event_type, e) in &issued {
        assert_eq!(e["outcome"]["result"], "SUCCESS", "{event_type}");
        assert_eq!(e["actor"]["id"], CHAT, "{event_type}");
        assert_eq!(e["actor"]["displayName"], "Streamward Chat", "{event_type}");
        assert_eq!(e["client"]["id"], CHAT, "{event_type}");
        assert_user_and_as_targets(e, "default", &iss);
        assert_eq!(e["transaction"]["id"], json!(token_txn));
        for secret in [access, id_token, refresh, code.as_str(), CHAT_SECRET, VERIFIER] {
            assert!(!e.to_string().contains(secret), "{event_type} leaks a secret");
        }
    }
    assert_eq!(event(&issued, "app.oauth2.as.token.grant.access_token")["debugContext"]["debugData"]["jti"], at["jti"]);
    assert_eq!(event(&issued, "app.oauth2.as.token.grant.id_token")["debugContext"]["debugData"]["jti"], id["jti"]);
    let grant = &event(&issued, "app.oauth2.as.token.grant")["debugContext"]["debugData"];
    assert_eq!((&grant["grant_type"], &grant["granted_scopes"]), (&json!("authorization_code"), &json!(scope)));

    // A refresh: a new access token, a rotated refresh token, a new ID token.
    let r = token(&s, Some("default"), &[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    let refreshed = assert_token_response(
        &r,
        scope,
        &["token_type", "expires_in", "access_token", "scope", "refresh_token", "id_token"],
    );
    let access2 = str_of(&r.body, "access_token");
    let refresh2 = str_of(&r.body, "refresh_token");
    assert_ne!(access2, access);
    assert_ne!(refresh2, refresh, "ROTATE");
    assert_ne!(refreshed["id_token"], body["id_token"]);
    let at2 = verified_claims(&s, Some("default"), access2).await;
    assert_access_claims(&at2, &iss, "api://default", &scopes, auth_time, s.clock.now_s());
    assert_ne!(at2["jti"], at["jti"]);
    let id2 = verified_claims(&s, Some("default"), str_of(&r.body, "id_token")).await;
    assert_eq!(
        keys_of(&id2),
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
            "preferred_username",
            "auth_time",
            "at_hash"
        ],
        "a refreshed ID token carries no nonce"
    );
    assert_id_base(&id2, &s, &iss, access2, at2["iat"].as_i64().unwrap(), auth_time);
    assert_ne!(id2["jti"], id["jti"]);
    assert_eq!(
        (&id2["name"], &id2["email"], &id2["preferred_username"]),
        (&id["name"], &id["email"], &id["preferred_username"])
    );
    let refresh_txn = r.header("x-okta-request-id").unwrap().to_owned();
    let refresh_events = transaction(&s, &refresh_txn).await;
    assert_eq!(types(&refresh_events), types(&issued));
    assert_eq!(
        event(&refresh_events, "app.oauth2.as.token.grant")["debugContext"]["debugData"]["grant_type"],
        "refresh_token"
    );
    assert_eq!(userinfo(&s, Some("default"), access2).await.body, info.body);
}

async fn org_as_sign_in_yields_org_tokens(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let scope = "openid profile email groups";
    let iss = issuer(&s, None);
    let mut b = Browser::new(&s);
    let (code, sign_in_txn) = sign_in_for_code(&mut b, None, scope).await;
    let r = redeem(&s, None, &code).await;
    let token_txn = r.header("x-okta-request-id").unwrap().to_owned();
    assert_token_response(&r, scope, &["token_type", "expires_in", "access_token", "scope", "id_token"]);
    let access = str_of(&r.body, "access_token");

    let at = verified_claims(&s, None, access).await;
    let auth_time = at["auth_time"].as_i64().unwrap();
    assert_access_claims(&at, &iss, &s.base, &["openid", "profile", "email", "groups"], auth_time, s.clock.now_s());
    let iat = at["iat"].as_i64().unwrap();

    let id = verified_claims(&s, None, str_of(&r.body, "id_token")).await;
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
            "groups"
        ]
    );
    assert_id_base(&id, &s, &iss, access, iat, auth_time);
    assert_eq!(
        (&id["name"], &id["email"], &id["preferred_username"]),
        (&json!("Demo User"), &json!(LOGIN), &json!(LOGIN))
    );
    assert_eq!(id["nonce"], NONCE);
    assert_eq!(id["groups"], json!(["Everyone"]), "the demo user is only in the built-in Everyone");

    let user = s.state.store.find_user(USER_ID).await.unwrap().unwrap();
    let u = userinfo(&s, None, access).await;
    assert_eq!(u.status, 200, "{}", u.text);
    assert_eq!(
        u.body,
        json!({
            "sub": USER_ID, "name": "Demo User", "given_name": "Demo", "family_name": "User",
            "preferred_username": LOGIN, "updated_at": user.last_updated / 1000,
            "email": LOGIN, "email_verified": true, "groups": ["Everyone"],
        })
    );

    let signed_in = transaction(&s, &sign_in_txn).await;
    assert_eq!(types(&signed_in), ["user.session.start", "app.oauth2.authorize.code", "user.authentication.sso"]);
    assert_eq!(event(&signed_in, "app.oauth2.authorize.code")["target"][1]["id"], json!(s.state.org.id));
    let issued = transaction(&s, &token_txn).await;
    assert_eq!(
        types(&issued),
        ["app.oauth2.token.grant", "app.oauth2.token.grant.access_token", "app.oauth2.token.grant.id_token"]
    );
    for (_, e) in &issued {
        assert_eq!((&e["actor"]["id"], &e["outcome"]["result"]), (&json!(CHAT), &json!("SUCCESS")));
        assert_user_and_as_targets(e, &s.state.org.id, &iss);
    }
}

/// xaa.md §9 hop 1: T1 is the `default` access token for `openid profile email`. Its keys are
/// the T1 example's keys less `scope`, which okta-surface.md §7.2 reserves for jwt-bearer
/// tokens (the T1 example in xaa.md shows it: a conflict between the two documents).
async fn hop_1_token_t1(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let (code, _) = sign_in_for_code(&mut b, Some("default"), "openid profile email").await;
    let r = redeem(&s, Some("default"), &code).await;
    assert_token_response(
        &r,
        "openid profile email",
        &["token_type", "expires_in", "access_token", "scope", "id_token"],
    );
    let t1 = verified_claims(&s, Some("default"), str_of(&r.body, "access_token")).await;
    let example: Map<String, Value> = serde_json::from_str(
        r#"{"ver":1,"jti":"AT.YEjdVJ4G9JQmmk2AN94ONhFmbt6THA3UYZ8qojNVlDo","iss":"http://127.0.0.1:8080/oauth2/default","aud":"api://default",
 "iat":1780117420,"exp":1780121020,"cid":"0oarbboyj0J3R67xy1d7","uid":"00u1rsjejbueuQNhB1d7",
 "scp":["openid","profile","email"],"scope":"openid profile email","auth_time":1780117400,"sub":"demouser@streamward.com"}"#,
    )
    .unwrap();
    let expected_keys: Vec<&str> = keys_of(&example).into_iter().filter(|k| *k != "scope").collect();
    assert_eq!(keys_of(&t1), expected_keys);
    assert!(!t1.contains_key("scope"), "scope is a jwt-bearer-only claim (okta-surface.md §7.2)");
    for k in ["ver", "aud", "cid", "uid", "scp", "sub"] {
        assert_eq!(t1[k], example[k], "{k}");
    }
    assert_eq!(t1["iss"], json!(issuer(&s, Some("default"))));
    assert_eq!(
        t1["exp"].as_i64().unwrap() - t1["iat"].as_i64().unwrap(),
        example["exp"].as_i64().unwrap() - example["iat"].as_i64().unwrap()
    );
    assert_jti(&t1, "AT.");
}

backend_tests!(custom_as_sign_in_yields_okta_tokens, org_as_sign_in_yields_org_tokens, hop_1_token_t1);
