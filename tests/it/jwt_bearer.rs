//! Leg 2 of Cross-App Access (xaa.md §6): redeeming ID-JAGs with the jwt-bearer grant at the
//! custom ASs of the Streamward seed. ID-JAGs are minted here with the org AS key ring, as leg 1
//! would, with J1's and J2's claim sets from xaa.md §9 (fresh `jti`, `iat`, `exp`).

// Short names (`s` server, `r` reply, `c` claims, `e` event, `d` debugData) keep the rows readable.
#![allow(clippy::many_single_char_names)]

use crate::common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use baton::domain::ids::new_secret;
use baton::domain::{AppStatus, AuthMethod, SigningKeyStatus, TrustedIssuer, UserStatus};
use common::oauth::{
    assert_jti, assertion_claims, decode, key_pem, path, seeded, sign_assertion, Reply, ASSERTION_TYPE, CHAT, CKA,
    KNOWLEDGE, LOGIN, ORCHESTRATOR, USER,
};
use common::{Backend, TestServer};
use serde_json::{json, Map, Value};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const AURORA: &str = "ausDqjwbmWqxUvljogI0";
const KNOWLEDGE_AUD: &str = "https://streamward.com/corp/knowledge";
const AURORA_AUD: &str = "https://streamward.com/auroradb/mcp";
const EXECUTE: &str = "Corp-Knowledge-Agent:execute";
const TYP: &str = "oauth-id-jag+jwt";
const EVENT: &str = "app.oauth2.as.token.grant.access_token";

fn obj(v: Value) -> Map<String, Value> {
    let Value::Object(m) = v else { panic!("not an object: {v}") };
    m
}

fn j1_act() -> Value {
    json!({"sub":ORCHESTRATOR,"sub_profile":"ai_agent","act":{"sub":CHAT,"sub_profile":"web_app"}})
}

fn j2_act() -> Value {
    json!({"sub":CKA,"sub_profile":"ai_agent","act":{"sub":ORCHESTRATOR,"sub_profile":"ai_agent",
        "act":{"sub":CHAT,"sub_profile":"web_app"}}})
}

/// J1 of xaa.md §9 hop 3, fresh.
fn j1(s: &TestServer) -> Map<String, Value> {
    let now = s.clock.now_s();
    obj(json!({"jti": format!("IDAAG.{}", new_secret()), "iss": s.base,
        "aud": format!("{}/oauth2/{KNOWLEDGE}", s.base), "iat": now, "exp": now + 300,
        "sub": USER, "email": LOGIN, "client_id": ORCHESTRATOR,
        "resource": KNOWLEDGE_AUD, "sub_profile": "user", "scope": EXECUTE, "auth_time": now - 51,
        "act": j1_act()}))
}

/// J2 of xaa.md §9 hop 7, fresh.
fn j2(s: &TestServer) -> Map<String, Value> {
    let now = s.clock.now_s();
    obj(json!({"jti": format!("IDAAG.{}", new_secret()), "iss": s.base,
        "aud": format!("{}/oauth2/{AURORA}", s.base), "iat": now, "exp": now + 300,
        "sub": USER, "client_id": CKA, "sub_profile": "user", "scope": "Aurora-DB:read", "auth_time": now - 60,
        "act": j2_act()}))
}

/// Signs with the org AS key ring, `typ` as given.
async fn sign_org(s: &TestServer, claims: &Map<String, Value>, typ: Option<&str>) -> String {
    s.state.keys.sign(s.state.store.as_ref(), &s.state.org.id, claims, typ).await.unwrap()
}

async fn jag(s: &TestServer, claims: &Map<String, Value>) -> String {
    sign_org(s, claims, Some(TYP)).await
}

/// The jwt-bearer form for `client` (`private_key_jwt` with `keys/streamward/{pem}.pem`).
fn form(
    s: &TestServer,
    server: &str,
    pem: &str,
    client: &str,
    assertion: &str,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let url = format!("{}{}", s.base, path(Some(server), "token"));
    let ca = sign_assertion(pem, None, &assertion_claims(client, &url, s.clock.now_s()));
    let mut f: Vec<(String, String)> = vec![
        ("grant_type".into(), JWT_BEARER.into()),
        ("assertion".into(), assertion.into()),
        ("client_assertion_type".into(), ASSERTION_TYPE.into()),
        ("client_assertion".into(), ca),
    ];
    f.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    f
}

async fn post(http: &reqwest::Client, url: &str, form: &[(String, String)]) -> Reply {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let r = http.post(url).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
    Reply::from(r).await
}

/// The orchestrator redeems `assertion` at the Knowledge AS.
async fn orch(s: &TestServer, assertion: &str, extra: &[(&str, &str)]) -> Reply {
    let f = form(s, KNOWLEDGE, "orchestrator", ORCHESTRATOR, assertion, extra);
    post(&s.http, &s.url(&path(Some(KNOWLEDGE), "token")), &f).await
}

/// The orchestrator introspects `token` at the Knowledge AS.
async fn introspect(s: &TestServer, token: &str) -> Reply {
    let url = s.url(&path(Some(KNOWLEDGE), "introspect"));
    let ca = sign_assertion("orchestrator", None, &assertion_claims(ORCHESTRATOR, &url, s.clock.now_s()));
    let f: Vec<(String, String)> =
        [("client_assertion_type", ASSERTION_TYPE), ("client_assertion", ca.as_str()), ("token", token)]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
    post(&s.http, &url, &f).await
}

/// A fresh `jti` on `claims`.
fn fresh(mut claims: Map<String, Value>) -> Map<String, Value> {
    claims.insert("jti".into(), json!(format!("IDAAG.{}", new_secret())));
    claims
}

async fn active_kid(s: &TestServer, owner: &str) -> String {
    let keys = s.state.store.list_signing_keys(owner).await.unwrap();
    keys.into_iter().find(|k| k.status == SigningKeyStatus::Active).unwrap().kid
}

const CLAIM_ORDER: &[&str] =
    &["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "scope", "auth_time", "sub", "act", "sub_profile"];

/// Asserts a leg-2 success: response shape, header, and every claim of the access token.
/// What a leg-2 token must say besides the fixed claims.
struct Expected<'a> {
    server: &'a str,
    aud: &'a str,
    cid: &'a str,
    scope: &'a str,
    act: Value,
    auth_time: i64,
}

async fn assert_token(s: &TestServer, r: &Reply, x: Expected<'_>) -> Map<String, Value> {
    let Expected { server, aud, cid, scope, act, auth_time } = x;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let body = r.body.as_object().unwrap();
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["access_token", "expires_in", "scope", "token_type"]);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], scope);
    let (header, claims) = decode(body["access_token"].as_str().unwrap());
    assert_eq!(Value::Object(header), json!({"kid": active_kid(s, server).await, "alg": "RS256"}));
    let names: Vec<&str> = claims.keys().map(String::as_str).collect();
    assert_eq!(names, CLAIM_ORDER);
    assert_jti(&claims, "AT.");
    let now = s.clock.now_s();
    let iat = claims["iat"].as_i64().unwrap();
    assert!((now - 5..=now + 1).contains(&iat), "{iat} vs {now}");
    let expected = json!({"ver":1,"jti":claims["jti"],"iss":format!("{}/oauth2/{server}", s.base),"aud":aud,
        "iat":iat,"exp":iat + 3600,"cid":cid,"uid":USER,"scp":[scope],"scope":scope,"auth_time":auth_time,
        "sub":LOGIN,"act":act,"sub_profile":"user"});
    assert_eq!(Value::Object(claims.clone()), expected);
    claims
}

async fn hop4_redeems_j1_as_t2(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let claims = j1(&s);
    let auth_time = claims["auth_time"].as_i64().unwrap();
    let jti = claims["jti"].as_str().unwrap().to_owned();
    let r = orch(&s, &jag(&s, &claims).await, &[]).await;
    let t2 = assert_token(
        &s,
        &r,
        Expected { server: KNOWLEDGE, aud: KNOWLEDGE_AUD, cid: ORCHESTRATOR, scope: EXECUTE, act: j1_act(), auth_time },
    )
    .await;
    // Introspection reports `act` and `sub_profile`, and applies the kill switch.
    let token = r.body["access_token"].as_str().unwrap();
    let i = introspect(&s, token).await;
    assert_eq!(i.status, 200, "{}", i.text);
    assert_eq!(i.body["active"], true);
    assert_eq!(i.body["act"], j1_act());
    assert_eq!(i.body["sub_profile"], "user");
    assert_eq!(i.body["username"], LOGIN);
    assert_eq!(i.body["jti"], t2["jti"]);
    // The one event of the request.
    let events = s.events(EVENT).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["outcome"]["result"], "SUCCESS");
    assert_eq!(e["actor"]["id"], ORCHESTRATOR);
    assert_eq!(e["actor"]["type"], "AIAgent");
    assert_eq!(e["target"][0]["id"], USER);
    assert_eq!(e["target"][0]["type"], "User");
    assert_eq!(e["target"][1]["id"], KNOWLEDGE);
    assert_eq!(e["target"][1]["type"], "AuthorizationServer");
    let d = &e["debugContext"]["debugData"];
    assert_eq!(d["grant_type"], JWT_BEARER);
    assert_eq!(d["requested_scopes"], EXECUTE);
    assert_eq!(d["granted_scopes"], EXECUTE);
    assert!(d.get("denied_scopes").is_none());
    assert_eq!(d["client_auth_type"], "private_key_jwt");
    assert_eq!(d["resource"], KNOWLEDGE_AUD);
    assert_eq!(d["authorization_server"], KNOWLEDGE);
    assert_eq!(d["policy"], "00pN3dnMlMvvC1fvUr8k");
    assert_eq!(d["rule"], "0prhSnzGszJ8nYvBsaUR");
    assert_eq!(serde_json::from_str::<Value>(d["actor"].as_str().unwrap()).unwrap(), j1_act());
    assert!(!d["actor"].as_str().unwrap().contains(' '));
    assert_eq!(d["id_jag_jti"], jti.as_str());
    assert!(d.get("error").is_none());
    // Replay: the second redemption fails, and its event says why.
    let again = orch(&s, &jag(&s, &claims).await, &[]).await;
    again.assert_error(400, "invalid_grant", "The id-jag was already used.");
    let events = s.events(EVENT).await;
    let e = &events[1];
    assert_eq!(e["outcome"]["result"], "FAILURE");
    assert_eq!(e["outcome"]["reason"], "invalid_grant");
    assert_eq!(e["severity"], "WARN");
    assert_eq!(e["debugContext"]["debugData"]["error"], "id_jag_replayed");
    assert_eq!(e["debugContext"]["debugData"]["error_description"], "The id-jag was already used.");
    assert_eq!(e["debugContext"]["debugData"]["id_jag_jti"], jti.as_str());
    // Kill switch: the chat app (an actor of T2) is deactivated → inactive.
    let store = s.state.store.as_ref();
    let mut chat = store.find_app_by_client_id(CHAT).await.unwrap().unwrap();
    chat.status = AppStatus::Inactive;
    store.update_app(&chat, &[]).await.unwrap();
    let i = introspect(&s, token).await;
    assert_eq!(i.body, json!({"active": false}));
}

async fn hop8_redeems_j2_as_t3(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let claims = j2(&s);
    let auth_time = claims["auth_time"].as_i64().unwrap();
    let f = form(&s, AURORA, "corp-knowledge-agent", CKA, &jag(&s, &claims).await, &[]);
    let r = post(&s.http, &s.url(&path(Some(AURORA), "token")), &f).await;
    assert_token(
        &s,
        &r,
        Expected { server: AURORA, aud: AURORA_AUD, cid: CKA, scope: "Aurora-DB:read", act: j2_act(), auth_time },
    )
    .await;
    let e = s.events(EVENT).await;
    let d = &e[0]["debugContext"]["debugData"];
    assert_eq!(d["policy"], "00p27PMNXRwvu70Qxskf");
    assert_eq!(d["rule"], "0prEnXGkcR6k4YBjxJZ8");
    assert!(d.get("resource").is_none());
    assert_eq!(e[0]["actor"]["id"], CKA);
    // Hop 8 authenticated with the orchestrator's key: client mismatch.
    let f = form(&s, AURORA, "orchestrator", ORCHESTRATOR, &jag(&s, &j2(&s)).await, &[]);
    let r = post(&s.http, &s.url(&path(Some(AURORA), "token")), &f).await;
    r.assert_error(
        400,
        "invalid_grant",
        "The 'client_id' in the JWT Bearer Grant must match the 'client_id' used to authenticate the client.",
    );
    // J1 presented at the Aurora AS: wrong audience.
    let f = form(&s, AURORA, "orchestrator", ORCHESTRATOR, &jag(&s, &j1(&s)).await, &[]);
    let r = post(&s.http, &s.url(&path(Some(AURORA), "token")), &f).await;
    r.assert_error(
        400,
        "invalid_grant",
        "The audience of the JWT Bearer Grant must match the the issuer of the authorization server.",
    );
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

const MALFORMED: &str = "The id-jag is malformed.";
const BAD_SIG: &str = "The signature of the id-jag is invalid.";

/// Every reachable row of xaa.md §6.2, in the table's order.
async fn validation_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let grant = |r: &Reply, desc: &str| r.assert_error(400, "invalid_grant", desc);
    // 1. Malformed: not a JWS, a missing claim, a mistyped claim, a mistyped `act`.
    grant(&orch(&s, "not-a-jwt", &[]).await, MALFORMED);
    grant(&orch(&s, "a.b.c", &[]).await, MALFORMED);
    for name in ["iss", "sub", "aud", "client_id", "jti", "iat", "exp"] {
        let mut c = j1(&s);
        c.remove(name);
        grant(&orch(&s, &jag(&s, &c).await, &[]).await, MALFORMED);
    }
    for (name, value) in [
        ("iat", json!("1")),
        ("exp", json!(1.5)),
        ("aud", json!(7)),
        ("act", json!({"sub": 1})),
        ("scope", json!(["a"])),
    ] {
        let mut c = j1(&s);
        c.insert(name.into(), value);
        grant(&orch(&s, &jag(&s, &c).await, &[]).await, MALFORMED);
    }
    // 2. `typ`.
    for typ in [None, Some("JWT"), Some("OAUTH-ID-JAG+JWT")] {
        grant(
            &orch(&s, &sign_org(&s, &j1(&s), typ).await, &[]).await,
            "The id-jag 'typ' header must be 'oauth-id-jag+jwt'.",
        );
    }
    // 3. `alg` none and HS256.
    let payload = b64(&Value::Object(j1(&s)));
    let none = format!("{}.{payload}.", b64(&json!({"alg":"none","typ":TYP})));
    grant(&orch(&s, &none, &[]).await, BAD_SIG);
    let hs = josekit::jws::HS256.signer_from_bytes(b"0123456789abcdef0123456789abcdef").unwrap();
    let mut h = josekit::jws::JwsHeader::new();
    h.set_token_type(TYP);
    let hs256 = josekit::jws::serialize_compact(&serde_json::to_vec(&j1(&s)).unwrap(), &h, &hs).unwrap();
    grant(&orch(&s, &hs256, &[]).await, BAD_SIG);
    // 4. Untrusted issuer (even signed with the org key).
    let mut c = j1(&s);
    c.insert("iss".into(), json!("https://idp.example.com"));
    grant(&orch(&s, &jag(&s, &c).await, &[]).await, "The issuer of the id-jag is not a trusted authorization server.");
    // 5. Bad signature: another token's signature; an unknown kid.
    let a = jag(&s, &j1(&s)).await;
    let b = jag(&s, &j1(&s)).await;
    let forged = format!("{}.{}", a.rsplit_once('.').unwrap().0, b.rsplit_once('.').unwrap().1);
    grant(&orch(&s, &forged, &[]).await, BAD_SIG);
    let (_, rest) = a.split_once('.').unwrap();
    let (header, _) = decode(&a);
    let mut header = Value::Object(header);
    header["kid"] = json!("unknown-kid");
    grant(&orch(&s, &format!("{}.{rest}", b64(&header)), &[]).await, BAD_SIG);
    // 6. Wrong `aud`; an array of one element is accepted, of two is not.
    let mut c = j1(&s);
    c.insert("aud".into(), json!([format!("{}/oauth2/{KNOWLEDGE}", s.base), "x"]));
    grant(
        &orch(&s, &jag(&s, &c).await, &[]).await,
        "The audience of the JWT Bearer Grant must match the the issuer of the authorization server.",
    );
    let mut c = j1(&s);
    c.insert("aud".into(), json!([format!("{}/oauth2/{KNOWLEDGE}", s.base)]));
    assert_eq!(orch(&s, &jag(&s, &c).await, &[]).await.status, 200);
    // 7. Client mismatch.
    let mut c = j1(&s);
    c.insert("client_id".into(), json!(CKA));
    grant(
        &orch(&s, &jag(&s, &c).await, &[]).await,
        "The 'client_id' in the JWT Bearer Grant must match the 'client_id' used to authenticate the client.",
    );
    // 8. Expired (beyond the leeway), issued in the future (beyond the leeway).
    let now = s.clock.now_s();
    let mut c = j1(&s);
    c.insert("iat".into(), json!(now - 300));
    c.insert("exp".into(), json!(now - 61));
    grant(&orch(&s, &jag(&s, &c).await, &[]).await, "The id-jag is expired.");
    let mut c = j1(&s);
    c.insert("iat".into(), json!(now + 120));
    c.insert("exp".into(), json!(now + 300));
    grant(&orch(&s, &jag(&s, &c).await, &[]).await, "The id-jag is issued in the future.");
    // Not before `nbf` (RFC 7523 §3), with the same leeway; an `nbf` within it is accepted.
    let mut c = j1(&s);
    c.insert("nbf".into(), json!(now + 120));
    grant(&orch(&s, &jag(&s, &c).await, &[]).await, "The id-jag is not yet valid.");
    let mut c = j1(&s);
    c.insert("nbf".into(), json!("soon"));
    grant(&orch(&s, &jag(&s, &c).await, &[]).await, "The id-jag is malformed.");
    let mut c = j1(&s);
    c.insert("nbf".into(), json!(now + 30));
    assert_eq!(orch(&s, &jag(&s, &c).await, &[]).await.status, 200, "nbf within the leeway");
    // Within the leeway both pass.
    let mut c = j1(&s);
    c.insert("iat".into(), json!(now - 330));
    c.insert("exp".into(), json!(now - 30));
    assert_eq!(orch(&s, &jag(&s, &c).await, &[]).await.status, 200);
    // 9. Lifetime over 300 s.
    let mut c = j1(&s);
    c.insert("iat".into(), json!(now));
    c.insert("exp".into(), json!(now + 301));
    grant(&orch(&s, &jag(&s, &c).await, &[]).await, "The lifetime of the id-jag must not exceed 5 minutes.");
    // 10. Replay, even when the first redemption failed after step 10.
    let mut c = j1(&s);
    c.insert("resource".into(), json!("https://elsewhere.example.com"));
    let bad_resource = jag(&s, &c).await;
    grant(
        &orch(&s, &bad_resource, &[]).await,
        "The 'resource' claim in the id-jag is not valid for this authorization server.",
    );
    grant(&orch(&s, &bad_resource, &[]).await, "The id-jag was already used.");
    // 12. Request `resource` differing from the claim.
    grant(
        &orch(&s, &jag(&s, &j1(&s)).await, &[("resource", "https://streamward.com/other")]).await,
        "The 'resource' claim in the id-jag does not match the 'resource' parameter in the request.",
    );
    // Equal: fine.
    assert_eq!(orch(&s, &jag(&s, &j1(&s)).await, &[("resource", KNOWLEDGE_AUD)]).await.status, 200);
    // Only the request carries one: it must be allowed.
    let mut c = j1(&s);
    c.remove("resource");
    orch(&s, &jag(&s, &c).await, &[("resource", "https://streamward.com/other")]).await.assert_error(
        400,
        "invalid_target",
        "'resource' is invalid or not supported.",
    );
    // 13. Unknown subject, inactive user; a machine subject is an ACTIVE client.
    let mut c = j1(&s);
    c.insert("sub".into(), json!("00uUnknownUser000000"));
    grant(&orch(&s, &jag(&s, &c).await, &[]).await, "The 'sub' claim in the id-jag is invalid.");
    let mut c = j1(&s);
    c.insert("sub".into(), json!(CHAT));
    c.insert("sub_profile".into(), json!("web_app"));
    let r = orch(&s, &jag(&s, &c).await, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, t) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(t["sub"], CHAT);
    assert!(t.get("uid").is_none());
    assert_eq!(t["sub_profile"], "web_app");
    // 14. An inactive actor (the chat app at the second level).
    let store = s.state.store.as_ref();
    let mut chat = store.find_app_by_client_id(CHAT).await.unwrap().unwrap();
    chat.status = AppStatus::Inactive;
    store.update_app(&chat, &[]).await.unwrap();
    grant(&orch(&s, &jag(&s, &j1(&s)).await, &[]).await, "The id-jag names an actor that is not active.");
    chat.status = AppStatus::Active;
    store.update_app(&chat, &[]).await.unwrap();
    // 15. No scope.
    let mut c = j1(&s);
    c.remove("scope");
    grant(&orch(&s, &jag(&s, &c).await, &[]).await, "The id-jag must include at least one scope.");
    // 13 again: the user deactivated.
    let mut user = store.find_user(USER).await.unwrap().unwrap();
    user.status = UserStatus::Suspended;
    store.update_user(&user, &[]).await.unwrap();
    grant(&orch(&s, &jag(&s, &j1(&s)).await, &[]).await, "The 'sub' claim in the id-jag is invalid.");
    // Every failure wrote its event with the reason code.
    let events = s.events(EVENT).await;
    let last = events.last().unwrap();
    assert_eq!(last["debugContext"]["debugData"]["error"], "id_jag_invalid_subject");
    assert_eq!(last["outcome"]["result"], "FAILURE");
    let reasons: Vec<&str> = events.iter().filter_map(|e| e["debugContext"]["debugData"]["error"].as_str()).collect();
    for code in [
        "id_jag_malformed",
        "id_jag_invalid_typ",
        "id_jag_invalid_signature",
        "id_jag_untrusted_issuer",
        "jwt_bearer_grant_invalid_audience",
        "id_jag_client_mismatch",
        "id_jag_expired",
        "id_jag_issued_in_future",
        "id_jag_not_yet_valid",
        "id_jag_lifetime_too_long",
        "id_jag_resource_not_allowed_for_as",
        "id_jag_replayed",
        "id_jag_resource_mismatch",
        "invalid_target",
        "id_jag_inactive_actor",
        "id_jag_lacking_scopes",
    ] {
        assert!(reasons.contains(&code), "{code} not logged: {reasons:?}");
    }
}

/// xaa.md §6.3: down-scoping and the two "no rule fully matches" rows.
async fn policy_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    // The ID-JAG carries a scope the rule does not allow: only the allowed one is granted.
    let mut c = j1(&s);
    c.insert("scope".into(), json!(format!("{EXECUTE} other:scope")));
    let r = orch(&s, &jag(&s, &fresh(c.clone())).await, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["scope"], EXECUTE);
    let e = s.events(EVENT).await;
    let d = &e[0]["debugContext"]["debugData"];
    assert_eq!(d["requested_scopes"], format!("{EXECUTE} other:scope"));
    assert_eq!(d["granted_scopes"], EXECUTE);
    assert_eq!(d["denied_scopes"], "other:scope");
    // The request `scope` narrows; an empty one is absent.
    let r = orch(&s, &jag(&s, &fresh(c.clone())).await, &[("scope", EXECUTE)]).await;
    assert_eq!(r.body["scope"], EXECUTE, "{}", r.text);
    let r = orch(&s, &jag(&s, &fresh(c.clone())).await, &[("scope", "")]).await;
    assert_eq!(r.body["scope"], EXECUTE, "{}", r.text);
    // Narrowed to nothing the rule allows: the rule matches on people, not on scopes.
    let no_scope = "Policy evaluation succeeded, but all the requested scopes were rejected.";
    orch(&s, &jag(&s, &fresh(c.clone())).await, &[("scope", "other:scope")]).await.assert_error(
        400,
        "access_denied",
        no_scope,
    );
    let mut c = j1(&s);
    c.insert("scope".into(), json!("other:scope"));
    orch(&s, &jag(&s, &fresh(c.clone())).await, &[]).await.assert_error(400, "access_denied", no_scope);
    let e = s.events(EVENT).await;
    assert_eq!(e.last().unwrap()["debugContext"]["debugData"]["error"], "no_scope_allowed");
    // Corp-Knowledge-Agent at the Knowledge AS: no policy admits it.
    let mut c = j1(&s);
    c.insert("client_id".into(), json!(CKA));
    let f = form(&s, KNOWLEDGE, "corp-knowledge-agent", CKA, &jag(&s, &fresh(c.clone())).await, &[]);
    let r = post(&s.http, &s.url(&path(Some(KNOWLEDGE), "token")), &f).await;
    r.assert_error(
        401,
        "access_denied",
        "Policy evaluation failed for this request, please check the policy configurations.",
    );
    let e = s.events(EVENT).await;
    assert_eq!(e.last().unwrap()["debugContext"]["debugData"]["error"], "no_matching_policy");
}

/// The org AS does not serve the grant; the discovery documents say so.
async fn org_as_refuses(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let url = format!("{}/oauth2/v1/token", s.base);
    let ca = sign_assertion("orchestrator", None, &assertion_claims(ORCHESTRATOR, &url, s.clock.now_s()));
    let assertion = jag(&s, &j1(&s)).await;
    let f: Vec<(String, String)> = [
        ("grant_type", JWT_BEARER),
        ("assertion", assertion.as_str()),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", ca.as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let r = post(&s.http, &url, &f).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"], "unsupported_grant_type");
    let desc = r.body["error_description"].as_str().unwrap();
    assert!(
        desc.starts_with(
            "The authorization grant type is not supported by the authorization server. Configured grant types: ["
        ),
        "{desc}"
    );
    assert!(!desc.contains("jwt-bearer"), "{desc}");
    let (_, meta) = s.get_json(&format!("/oauth2/{KNOWLEDGE}/.well-known/oauth-authorization-server")).await;
    assert!(meta["grant_types_supported"].as_array().unwrap().contains(&json!(JWT_BEARER)));
    assert_eq!(meta["authorization_grant_profiles_supported"], json!(["urn:ietf:params:oauth:grant-profile:id-jag"]));
    // An unauthenticated (public) request never reaches the grant.
    let f: Vec<(String, String)> =
        [("grant_type", JWT_BEARER), ("assertion", assertion.as_str()), ("client_id", ORCHESTRATOR)]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
    let r = post(&s.http, &s.url(&path(Some(KNOWLEDGE), "token")), &f).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.body["error"], "invalid_client");
    // A public (`none`) app listing the grant is refused: the XAA grants are for confidential clients.
    let public = common::oauth::app("Public", AuthMethod::None, "browser", &[JWT_BEARER], s.clock.now_ms());
    common::oauth::create_app(&s, &public, None).await;
    let mut c = j1(&s);
    c.insert("client_id".into(), json!(public.client_id));
    let assertion = jag(&s, &c).await;
    let f: Vec<(String, String)> =
        [("grant_type", JWT_BEARER), ("assertion", assertion.as_str()), ("client_id", public.client_id.as_str())]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
    let r = post(&s.http, &s.url(&path(Some(KNOWLEDGE), "token")), &f).await;
    r.assert_error(
        401,
        "invalid_client",
        "Client authentication failed. Either the client or the client credentials are invalid.",
    );
}
/// An external issuer configured on the AS with an inline JWKS is trusted; one with only a
/// `jwks_uri` whose keys cannot be fetched is not (fetching itself: `tests/it/remote_jwks.rs`).
async fn external_trusted_issuer(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let idp = "https://idp.streamward.example";
    let material =
        baton::jose::keys::from_pem(baton::domain::SigningAlg::Rs256, &key_pem("corp-knowledge-agent")).unwrap();
    let now_ms = s.clock.now_ms();
    let trusted = TrustedIssuer {
        id: "tisExternalIdp000001".into(),
        auth_server_id: KNOWLEDGE.into(),
        issuer: idp.into(),
        jwks_uri: None,
        jwks: Some(json!({"keys": [material.public_jwk]})),
        created: now_ms,
    };
    s.state.store.create_trusted_issuer(&trusted, &[]).await.unwrap();
    let by_uri = TrustedIssuer {
        id: "tisExternalIdp000002".into(),
        issuer: "https://uri-only.example".into(),
        // A closed loopback port: the fetch fails without leaving the machine.
        jwks_uri: Some("https://127.0.0.1:9/keys".into()),
        jwks: None,
        ..trusted.clone()
    };
    s.state.store.create_trusted_issuer(&by_uri, &[]).await.unwrap();
    let external = |iss: &str| {
        let mut c = j1(&s);
        c.insert("iss".into(), json!(iss));
        c.remove("act");
        let signer = josekit::jws::RS256.signer_from_pem(key_pem("corp-knowledge-agent")).unwrap();
        let mut h = josekit::jws::JwsHeader::new();
        h.set_token_type(TYP);
        josekit::jws::serialize_compact(&serde_json::to_vec(&c).unwrap(), &h, &signer).unwrap()
    };
    let r = orch(&s, &external(idp), &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, t) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(t["uid"], USER);
    assert!(t.get("act").is_none());
    orch(&s, &external("https://uri-only.example"), &[]).await.assert_error(
        400,
        "invalid_grant",
        "The issuer of the id-jag is not a trusted authorization server.",
    );
    // The same ID-JAG signed by the org key is not the external issuer's.
    let mut c = j1(&s);
    c.insert("iss".into(), json!(idp));
    orch(&s, &jag(&s, &c).await, &[]).await.assert_error(400, "invalid_grant", BAD_SIG);
}

/// Two replicas on one database: the same ID-JAG is redeemed exactly once.
async fn replay_across_replicas(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let config = (*s.state.config).clone();
    let again = baton::server::prepare(config, baton::clock::Clock::default()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let replica = format!("http://{}", listener.local_addr().unwrap());
    let app = baton::http::app(again).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    let assertion = jag(&s, &j1(&s)).await;
    let token_path = path(Some(KNOWLEDGE), "token");
    let f1 = form(&s, KNOWLEDGE, "orchestrator", ORCHESTRATOR, &assertion, &[]);
    let f2 = form(&s, KNOWLEDGE, "orchestrator", ORCHESTRATOR, &assertion, &[]);
    let (u1, u2) = (s.url(&token_path), format!("{replica}{token_path}"));
    let (r1, r2) = tokio::join!(post(&s.http, &u1, &f1), post(&s.http, &u2, &f2));
    let mut statuses = [r1.status, r2.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400], "{} / {}", r1.text, r2.text);
    let failed = if r1.status == 400 { &r1 } else { &r2 };
    failed.assert_error(400, "invalid_grant", "The id-jag was already used.");
    task.abort();
}

backend_tests!(
    hop4_redeems_j1_as_t2,
    hop8_redeems_j2_as_t3,
    validation_rows,
    policy_rows,
    org_as_refuses,
    external_trusted_issuer,
    replay_across_replicas,
);
