//! The whole Streamward chain of xaa.md §9 with real tokens only: hop 1 signs the demo user in
//! through the real sign-in page (authorization code + PKCE) → T1; hop 3 exchanges T1 → J1;
//! hop 4 redeems J1 → T2; hop 7 exchanges T2 → J2; hop 8 redeems J2 → T3. Every claim of every
//! token is checked against the §9 examples, every signature against the JWKS of the AS that
//! must have signed it, the four hops are found in the System Log with one query (§8, §9
//! "Log"), and the §9 "Variations that must fail" are replayed with these same tokens.

// Short names (`s` server, `r` reply, `c` claims, `e` event, `d` debugData) keep the rows readable.
#![allow(clippy::many_single_char_names)]

use crate::browser;
use crate::common;

use baton::domain::ids::new_operation_id;
use baton::domain::{AgentStatus, Operation};
use baton::store::LogQuery;
use browser::{authorize_url, chat_request, with, Browser, PASSWORD};
use common::oauth::{
    assert_jti, assertion_claims, basic, path, pkce, seeded, seeded_with, sign_assertion, Reply, ASSERTION_TYPE, CHAT,
    CHAT_REDIRECT, CHAT_SECRET, CKA, KNOWLEDGE, LOGIN, ORCHESTRATOR, USER,
};
use common::{Backend, TestServer};
use serde_json::{json, Map, Value};

const AURORA: &str = "ausDqjwbmWqxUvljogI0";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ID_JAG: &str = "urn:ietf:params:oauth:token-type:id-jag";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const TYP: &str = "oauth-id-jag+jwt";
const KNOWLEDGE_AUD: &str = "https://streamward.com/corp/knowledge";
const AURORA_AUD: &str = "https://streamward.com/auroradb/mcp";
const EXECUTE: &str = "Corp-Knowledge-Agent:execute";
const READ: &str = "Aurora-DB:read";
const ID_JAG_EVENT: &str = "app.oauth2.token.grant.id_jag";
const AT_EVENT: &str = "app.oauth2.as.token.grant.access_token";

fn keys_of(m: &Map<String, Value>) -> Vec<&str> {
    m.keys().map(String::as_str).collect()
}

fn pem_of(agent: &str) -> &'static str {
    if agent == ORCHESTRATOR {
        "orchestrator"
    } else {
        "corp-knowledge-agent"
    }
}

fn issuer(s: &TestServer, auth_server: Option<&str>) -> String {
    auth_server.map_or_else(|| s.base.clone(), |id| s.url(&format!("/oauth2/{id}")))
}

fn j1_act() -> Value {
    json!({"sub": ORCHESTRATOR, "sub_profile": "ai_agent", "act": {"sub": CHAT, "sub_profile": "web_app"}})
}

fn j2_act() -> Value {
    json!({"sub": CKA, "sub_profile": "ai_agent", "act": j1_act()})
}

/// POSTs `form` to `url_path` with a fresh `private_key_jwt` assertion of `agent` (signed with
/// its key file, `aud` = the endpoint URL).
async fn as_agent(s: &TestServer, agent: &str, pem: &str, url_path: &str, form: &[(&str, &str)]) -> Reply {
    let ca = sign_assertion(pem, None, &assertion_claims(agent, &s.url(url_path), s.clock.now_s()));
    let mut all = vec![("client_assertion_type", ASSERTION_TYPE), ("client_assertion", ca.as_str())];
    all.extend_from_slice(form);
    s.post_form(url_path, &[], &all).await
}

/// Leg 1 (hops 3 and 7): `agent` exchanges `subject` for an ID-JAG for `audience_as`.
async fn exchange(
    s: &TestServer,
    agent: &str,
    subject: &str,
    audience_as: &str,
    resource: Option<&str>,
    scope: &str,
) -> Reply {
    let audience = issuer(s, Some(audience_as));
    let mut form = vec![
        ("grant_type", TOKEN_EXCHANGE),
        ("requested_token_type", ID_JAG),
        ("subject_token", subject),
        ("subject_token_type", ACCESS_TOKEN),
        ("audience", audience.as_str()),
    ];
    if let Some(resource) = resource {
        form.push(("resource", resource));
    }
    form.push(("scope", scope));
    as_agent(s, agent, pem_of(agent), &path(None, "token"), &form).await
}

/// Leg 2 (hops 4 and 8): `agent`, signing with `pem`, redeems `jag` at `server`.
async fn redeem(s: &TestServer, server: &str, agent: &str, pem: &str, jag: &str) -> Reply {
    as_agent(s, agent, pem, &path(Some(server), "token"), &[("grant_type", JWT_BEARER), ("assertion", jag)]).await
}

/// Introspects `token` at `server` as `agent`.
async fn introspect(s: &TestServer, server: &str, agent: &str, token: &str) -> Reply {
    as_agent(s, agent, pem_of(agent), &path(Some(server), "introspect"), &[("token", token)]).await
}

/// The kids published by each AS of the chain, keyed by AS id (`None` = org).
async fn all_kids(s: &TestServer) -> Vec<(Option<&'static str>, Vec<String>)> {
    let mut out = Vec::new();
    for server in [None, Some("default"), Some(KNOWLEDGE), Some(AURORA)] {
        let (status, jwks) = s.get_json(&path(server, "keys")).await;
        assert_eq!(status, 200);
        let kids = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect();
        out.push((server, kids));
    }
    out
}

/// Checks the JOSE header (`kid`, `alg`, and `typ` only on ID-JAGs), that the kid is published
/// by `signer` and by no other AS, verifies the signature with josekit against `signer`'s JWKS,
/// and returns the claims in emission order.
async fn verified(s: &TestServer, signer: Option<&str>, jwt: &str, typ: Option<&str>) -> Map<String, Value> {
    let t = baton::jose::jwt::peek(jwt).unwrap();
    let header = t.header;
    match typ {
        Some(typ) => {
            assert_eq!(keys_of(&header), ["kid", "alg", "typ"], "{header:?}");
            assert_eq!(header["typ"], typ);
        }
        None => assert_eq!(keys_of(&header), ["kid", "alg"], "no typ on access tokens: {header:?}"),
    }
    assert_eq!(header["alg"], "RS256");
    let kid = header["kid"].as_str().unwrap();
    for (server, kids) in all_kids(s).await {
        assert_eq!(kids.iter().any(|k| k == kid), server == signer, "kid {kid} in the JWKS of {server:?}");
    }
    let (_, jwks) = s.get_json(&path(signer, "keys")).await;
    let jwk = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).unwrap();
    let jwk = josekit::jwk::Jwk::from_map(jwk.as_object().unwrap().clone()).unwrap();
    let verifier = josekit::jws::RS256.verifier_from_jwk(&jwk).unwrap();
    let (payload, _) = josekit::jws::deserialize_compact(jwt, &verifier).expect("the signature verifies");
    let claims: Map<String, Value> = serde_json::from_slice(&payload).unwrap();
    assert_eq!(claims, t.claims);
    claims
}

fn int(c: &Map<String, Value>, name: &str) -> i64 {
    c[name].as_i64().unwrap_or_else(|| panic!("{name} is not an integer in {c:?}"))
}

/// Hop 1: the demo user signs in on the real page; the chat app redeems the code (with PKCE).
/// Returns the token response and the sign-in window in seconds.
async fn hop1(s: &TestServer) -> (Reply, i64, i64) {
    let (verifier, challenge) = pkce();
    let params = with(chat_request("openid profile email"), "code_challenge", Some(&challenge));
    let mut b = Browser::new(s);
    let before = s.clock.now_s();
    let page = b.get(&authorize_url(Some("default"), &params)).await;
    let done = b.sign_in(&page, LOGIN, PASSWORD).await;
    let after = s.clock.now_s();
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(done.location().starts_with(&format!("{CHAT_REDIRECT}?")), "{}", done.location());
    let code = done.redirect_params()["code"].clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CHAT_REDIRECT),
        ("code_verifier", verifier.as_str()),
    ];
    let auth = basic(CHAT, CHAT_SECRET);
    let r = s.post_form(&path(Some("default"), "token"), &[("authorization", &auth)], &form).await;
    (r, before, after)
}

/// Asserts a §4.7 leg-1 response; returns the ID-JAG.
#[track_caller]
fn id_jag_of(r: &Reply, scope: &str) -> String {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let body = r.body.as_object().unwrap();
    let mut names = keys_of(body);
    names.sort_unstable();
    assert_eq!(names, ["access_token", "expires_in", "issued_token_type", "scope", "token_type"]);
    assert_eq!(
        (&body["issued_token_type"], &body["token_type"], &body["expires_in"], &body["scope"]),
        (&json!(ID_JAG), &json!("N_A"), &json!(300), &json!(scope))
    );
    body["access_token"].as_str().unwrap().to_owned()
}

/// Asserts a §6.4 leg-2 response; returns the access token.
#[track_caller]
fn access_token_of(r: &Reply, scope: &str) -> String {
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let body = r.body.as_object().unwrap();
    let mut names = keys_of(body);
    names.sort_unstable();
    assert_eq!(names, ["access_token", "expires_in", "scope", "token_type"], "no refresh or ID token");
    assert_eq!(
        (&body["token_type"], &body["expires_in"], &body["scope"]),
        (&json!("Bearer"), &json!(3600), &json!(scope))
    );
    body["access_token"].as_str().unwrap().to_owned()
}

/// The five tokens of one run of the chain and their verified claims.
struct Chain {
    t1: String,
    j1: String,
    t2: String,
    j2: String,
    t3: String,
    c: [Map<String, Value>; 5],
    /// A `published` lower bound (ms) after every event of hop 1 and before any of hop 3.
    after_hop1_ms: i64,
}

/// Runs hops 1, 3, 4, 7 and 8, asserting every header, signature and claim.
async fn run_chain(s: &TestServer) -> Chain {
    // Hop 1: user → chat assistant.
    let (r, before, after) = hop1(s).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let body = r.body.as_object().unwrap();
    assert_eq!(keys_of(body), ["token_type", "expires_in", "access_token", "scope", "id_token"]);
    assert_eq!(body["scope"], "openid profile email");
    let t1 = body["access_token"].as_str().unwrap().to_owned();
    let c1 = verified(s, Some("default"), &t1, None).await;
    // xaa.md §9 shows a `scope` string in T1, but okta-surface.md §7.2 (which baton follows)
    // puts `scope` only in jwt-bearer access tokens: an authorization-code token has `scp` alone.
    assert_eq!(keys_of(&c1), ["ver", "jti", "iss", "aud", "iat", "exp", "cid", "uid", "scp", "auth_time", "sub"]);
    assert_jti(&c1, "AT.");
    let (iat1, auth_time) = (int(&c1, "iat"), int(&c1, "auth_time"));
    assert!((before..=after).contains(&auth_time), "auth_time {auth_time} is the sign-in");
    assert!(auth_time <= iat1 && iat1 <= s.clock.now_s());
    assert_eq!(
        Value::Object(c1.clone()),
        json!({"ver":1,"jti":c1["jti"],"iss":issuer(s, Some("default")),"aud":"api://default",
            "iat":iat1,"exp":iat1 + 3600,"cid":CHAT,"uid":USER,
            "scp":["openid","profile","email"],"auth_time":auth_time,"sub":LOGIN})
    );

    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let after_hop1_ms = s.clock.now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;

    // Hop 3: orchestrator → org AS (leg 1), T1 → J1.
    let j1 = id_jag_of(&exchange(s, ORCHESTRATOR, &t1, KNOWLEDGE, Some(KNOWLEDGE_AUD), EXECUTE).await, EXECUTE);
    let cj1 = verified(s, None, &j1, Some(TYP)).await;
    assert_eq!(
        keys_of(&cj1),
        [
            "jti",
            "iss",
            "aud",
            "iat",
            "exp",
            "sub",
            "email",
            "client_id",
            "resource",
            "sub_profile",
            "scope",
            "auth_time",
            "act"
        ]
    );
    assert_jti(&cj1, "IDAAG.");
    let iat = int(&cj1, "iat");
    assert!(iat1 <= iat && iat <= s.clock.now_s());
    assert_eq!(
        Value::Object(cj1.clone()),
        json!({"jti":cj1["jti"],"iss":s.base,"aud":issuer(s, Some(KNOWLEDGE)),"iat":iat,"exp":iat + 300,
            "sub":USER,"email":LOGIN,"client_id":ORCHESTRATOR,"resource":KNOWLEDGE_AUD,"sub_profile":"user",
            "scope":EXECUTE,"auth_time":auth_time,"act":j1_act()})
    );
    assert!(cj1["aud"].is_string(), "aud is one string, never an array");

    // Hop 4: orchestrator → Knowledge AS (leg 2), J1 → T2.
    let t2 = access_token_of(&redeem(s, KNOWLEDGE, ORCHESTRATOR, "orchestrator", &j1).await, EXECUTE);
    let c2 = access_claims(s, &t2, KNOWLEDGE, int(&cj1, "iat")).await;
    assert_eq!(
        Value::Object(c2.clone()),
        json!({"ver":1,"jti":c2["jti"],"iss":issuer(s, Some(KNOWLEDGE)),"aud":KNOWLEDGE_AUD,
            "iat":c2["iat"],"exp":int(&c2, "iat") + 3600,"cid":ORCHESTRATOR,"uid":USER,
            "scp":[EXECUTE],"scope":EXECUTE,"auth_time":auth_time,"sub":LOGIN,"act":j1_act(),"sub_profile":"user"})
    );

    // Hop 7: gateway as Corp-Knowledge-Agent → org AS (leg 1), T2 → J2. No `resource` is sent
    // and T2 carries no `email` scope, so J2 has neither claim.
    let j2 = id_jag_of(&exchange(s, CKA, &t2, AURORA, None, READ).await, READ);
    let cj2 = verified(s, None, &j2, Some(TYP)).await;
    assert_eq!(
        keys_of(&cj2),
        ["jti", "iss", "aud", "iat", "exp", "sub", "client_id", "sub_profile", "scope", "auth_time", "act"]
    );
    assert_jti(&cj2, "IDAAG.");
    let iat = int(&cj2, "iat");
    assert!(int(&c2, "iat") <= iat && iat <= s.clock.now_s());
    assert_eq!(
        Value::Object(cj2.clone()),
        json!({"jti":cj2["jti"],"iss":s.base,"aud":issuer(s, Some(AURORA)),"iat":iat,"exp":iat + 300,
            "sub":USER,"client_id":CKA,"sub_profile":"user","scope":READ,"auth_time":auth_time,"act":j2_act()})
    );

    // Hop 8: gateway → Aurora AS (leg 2), J2 → T3. No `resource`: `aud` is the AS audience.
    let t3 = access_token_of(&redeem(s, AURORA, CKA, "corp-knowledge-agent", &j2).await, READ);
    let c3 = access_claims(s, &t3, AURORA, int(&cj2, "iat")).await;
    assert_eq!(
        Value::Object(c3.clone()),
        json!({"ver":1,"jti":c3["jti"],"iss":issuer(s, Some(AURORA)),"aud":AURORA_AUD,
            "iat":c3["iat"],"exp":int(&c3, "iat") + 3600,"cid":CKA,"uid":USER,
            "scp":[READ],"scope":READ,"auth_time":auth_time,"sub":LOGIN,"act":j2_act(),"sub_profile":"user"})
    );

    // One sign-in, five tokens: the same auth_time throughout, five distinct jti values.
    let c = [c1, cj1, c2, cj2, c3];
    for claims in &c {
        assert_eq!(claims["auth_time"], json!(auth_time));
        assert!(!claims.contains_key("nbf"));
    }
    let mut jtis: Vec<&str> = c.iter().map(|m| m["jti"].as_str().unwrap()).collect();
    jtis.sort_unstable();
    jtis.dedup();
    assert_eq!(jtis.len(), 5);
    Chain { t1, j1, t2, j2, t3, c, after_hop1_ms }
}

/// A leg-2 access token: header and signature (`server`'s JWKS), the §6.4 claim order, the jti
/// shape, `iat` no earlier than the redeemed ID-JAG's.
async fn access_claims(s: &TestServer, token: &str, server: &str, jag_iat: i64) -> Map<String, Value> {
    let c = verified(s, Some(server), token, None).await;
    assert_eq!(
        keys_of(&c),
        [
            "ver",
            "jti",
            "iss",
            "aud",
            "iat",
            "exp",
            "cid",
            "uid",
            "scp",
            "scope",
            "auth_time",
            "sub",
            "act",
            "sub_profile"
        ]
    );
    assert_jti(&c, "AT.");
    let iat = int(&c, "iat");
    assert!(jag_iat <= iat && iat <= s.clock.now_s());
    c
}

async fn chain_with_real_tokens_and_one_log_query(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let chain = run_chain(&s).await;
    assert_eq!(chain.t3.split('.').count(), 3);

    // `/metrics` counted the chain: hop 1's code, two legs 1 and two legs 2, by route template.
    let r = s.get("/metrics").await;
    assert_eq!(r.headers()["content-type"], "application/openmetrics-text; version=1.0.0; charset=utf-8");
    let metrics = r.text().await.unwrap();
    for line in [
        r#"baton_tokens_issued_total{grant_type="authorization_code"} 1"#,
        r#"baton_tokens_issued_total{grant_type="urn:ietf:params:oauth:grant-type:token-exchange"} 2"#,
        r#"baton_tokens_issued_total{grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer"} 2"#,
        r#"baton_id_jag_exchanges_total{result="issued"} 2"#,
        r#"baton_id_jag_redemptions_total{result="issued"} 2"#,
        r#"baton_http_requests_total{method="POST",route="/oauth2/v1/token",status="200"} 2"#,
        r#"baton_http_requests_total{method="POST",route="/oauth2/{as}/v1/token",status="200"} 3"#,
        "baton_store_write_queue_depth 0",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    assert!(!metrics.contains("refused_total{"), "{metrics}");
    assert!(metrics.contains("baton_signing_key_age_seconds{kid=\""), "{metrics}");
    assert!(metrics.contains(&format!(
        r#"baton_build_info{{version="{}",database="{}"}} 1"#,
        env!("CARGO_PKG_VERSION"),
        s.state.store.backend()
    )));

    // T2 is what Corp-Knowledge-Agent checks at hop 5: active at the Knowledge AS, with the chain.
    let i = introspect(&s, KNOWLEDGE, CKA, &chain.t2).await;
    assert_eq!(i.status, 200, "{}", i.text);
    assert_eq!((&i.body["active"], &i.body["act"], &i.body["sub_profile"]), (&json!(true), &j1_act(), &json!("user")));

    // Each hop is found in the System Log with one query: every event since hop 1 that names
    // the demo user as a target, in storage order.
    let q = LogQuery {
        target_id: Some(USER.into()),
        since: Some(chain.after_hop1_ms),
        storage_order: true,
        limit: 1000,
        ..LogQuery::default()
    };
    let hops: Vec<Value> = s.state.store.list_events(&q).await.unwrap().into_iter().map(|(_, e)| e.body).collect();
    let types: Vec<&str> = hops.iter().map(|e| e["eventType"].as_str().unwrap()).collect();
    assert_eq!(types, [ID_JAG_EVENT, AT_EVENT, ID_JAG_EVENT, AT_EVENT], "{hops:#?}");
    let expected = [
        (ORCHESTRATOR, KNOWLEDGE, &chain.c[1]),
        (ORCHESTRATOR, KNOWLEDGE, &chain.c[1]),
        (CKA, AURORA, &chain.c[3]),
        (CKA, AURORA, &chain.c[3]),
    ];
    for (e, (actor, server, jag)) in hops.iter().zip(expected) {
        assert_eq!((&e["outcome"]["result"], &e["severity"]), (&json!("SUCCESS"), &json!("INFO")), "{e}");
        assert_eq!((&e["actor"]["id"], &e["actor"]["type"]), (&json!(actor), &json!("AIAgent")), "{e}");
        assert_eq!((&e["target"][0]["id"], &e["target"][0]["alternateId"]), (&json!(USER), &json!(LOGIN)), "{e}");
        assert_eq!((&e["target"][1]["id"], &e["target"][1]["type"]), (&json!(server), &json!("AuthorizationServer")));
        assert_eq!(e["debugContext"]["debugData"]["id_jag_jti"], jag["jti"], "{e}");
    }

    // Hop 7's debugData, xaa.md §9 "Log" and §8.
    let d = hops[2]["debugContext"]["debugData"].as_object().unwrap();
    let mut names = keys_of(d);
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "actor",
            "authorization_server",
            "client_auth_type",
            "delegation_link_id",
            "grant_type",
            "granted_scopes",
            "id_jag_jti",
            "requestId",
            "requestUri",
            "requested_scopes",
            "requested_token_type",
            "resource_connection_id",
            "subject_token_client_id",
            "subject_token_issuer",
            "subject_token_type"
        ],
        "{d:?}"
    );
    assert_eq!(d["subject_token_issuer"], json!(issuer(&s, Some(KNOWLEDGE))));
    assert_eq!(d["subject_token_client_id"], ORCHESTRATOR);
    assert_eq!(d["delegation_link_id"], "dlkBRD5CqpJ3SbnnRQhC");
    assert_eq!(d["resource_connection_id"], "mcnbJBZqg0Y27zDz4R2O");
    let actor = d["actor"].as_str().unwrap();
    assert_eq!(actor, serde_json::to_string(&chain.c[3]["act"]).unwrap(), "J2's act as compact JSON");
    assert_eq!(serde_json::from_str::<Value>(actor).unwrap(), j2_act());
    assert_eq!(
        (&d["grant_type"], &d["client_auth_type"], &d["subject_token_type"], &d["requested_token_type"]),
        (&json!(TOKEN_EXCHANGE), &json!("private_key_jwt"), &json!(ACCESS_TOKEN), &json!(ID_JAG))
    );
    assert_eq!((&d["requested_scopes"], &d["granted_scopes"]), (&json!(READ), &json!(READ)));
    assert_eq!(d["authorization_server"], AURORA);
    // Tokens are never logged in full (§8).
    let all = serde_json::to_string(&hops).unwrap();
    for token in [&chain.t1, &chain.j1, &chain.t2, &chain.j2, &chain.t3] {
        assert!(!all.contains(token.as_str()));
    }
}

/// The failure reason of the last event of `event_type`.
async fn last_reason(s: &TestServer, event_type: &str) -> Value {
    let e = s.events(event_type).await.pop().unwrap();
    assert_eq!(e["outcome"]["result"], "FAILURE", "{e}");
    e["debugContext"]["debugData"]["error"].clone()
}

async fn deactivate(s: &TestServer, id: &str) {
    let store = s.state.store.as_ref();
    let mut agent = store.find_agent(id).await.unwrap().unwrap();
    agent.status = AgentStatus::Inactive;
    let now = s.clock.now_ms();
    let op = Operation {
        id: new_operation_id(),
        op_type: "ai-agent:Deactivate".into(),
        status: "COMPLETED".into(),
        resource_id: id.into(),
        resource_type: "ai_agent".into(),
        resource_status: "INACTIVE".into(),
        created: now,
        started: now,
        completed: Some(now),
    };
    store.update_agent(&agent, &op, &[]).await.unwrap();
}

const NO_LINK: &str = "'subject_token' is invalid: no delegation policy authorizes this token.";
const BAD_SCOPE: &str =
    "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.";
const INACTIVE: &str = "'subject_token' is invalid: the client application referenced in the token is not active.";

/// xaa.md §9 "Variations that must fail", each with the real tokens of one run of the chain.
async fn variations_that_must_fail(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let chain = run_chain(&s).await;

    // The orchestrator redeems J1 a second time.
    redeem(&s, KNOWLEDGE, ORCHESTRATOR, "orchestrator", &chain.j1).await.assert_error(
        400,
        "invalid_grant",
        "The id-jag was already used.",
    );
    assert_eq!(last_reason(&s, AT_EVENT).await, "id_jag_replayed");

    // The orchestrator presents a (fresh, real) J1 at the Aurora AS; the failure does not use
    // it up, so the Knowledge AS still redeems it.
    let j1 = id_jag_of(&exchange(&s, ORCHESTRATOR, &chain.t1, KNOWLEDGE, Some(KNOWLEDGE_AUD), EXECUTE).await, EXECUTE);
    redeem(&s, AURORA, ORCHESTRATOR, "orchestrator", &j1).await.assert_error(
        400,
        "invalid_grant",
        "The audience of the JWT Bearer Grant must match the the issuer of the authorization server.",
    );
    assert_eq!(last_reason(&s, AT_EVENT).await, "jwt_bearer_grant_invalid_audience");
    access_token_of(&redeem(&s, KNOWLEDGE, ORCHESTRATOR, "orchestrator", &j1).await, EXECUTE);

    // Hop 7 sends T1 instead of T2: no link from the chat assistant to Corp-Knowledge-Agent.
    exchange(&s, CKA, &chain.t1, AURORA, None, READ).await.assert_error(400, "invalid_request", NO_LINK);
    assert_eq!(last_reason(&s, ID_JAG_EVENT).await, "invalid_subject_token_no_delegation_link");

    // Hop 7 asks for `scope=openid`.
    exchange(&s, CKA, &chain.t2, AURORA, None, "openid").await.assert_error(400, "invalid_scope", BAD_SCOPE);
    assert_eq!(last_reason(&s, ID_JAG_EVENT).await, "invalid_scope");

    // Hop 8 authenticates with the orchestrator's key (a fresh, real J2): client mismatch; J2
    // stays redeemable by Corp-Knowledge-Agent.
    let j2 = id_jag_of(&exchange(&s, CKA, &chain.t2, AURORA, None, READ).await, READ);
    redeem(&s, AURORA, ORCHESTRATOR, "orchestrator", &j2).await.assert_error(
        400,
        "invalid_grant",
        "The 'client_id' in the JWT Bearer Grant must match the 'client_id' used to authenticate the client.",
    );
    assert_eq!(last_reason(&s, AT_EVENT).await, "id_jag_client_mismatch");
    access_token_of(&redeem(&s, AURORA, CKA, "corp-knowledge-agent", &j2).await, READ);

    // The orchestrator is deactivated between hops 4 and 7: hop 7 fails, and T2 (whose `cid`
    // and outer actor it is) introspects as inactive at the Knowledge AS.
    let i = introspect(&s, KNOWLEDGE, CKA, &chain.t2).await;
    assert_eq!(i.body["active"], true, "{}", i.text);
    deactivate(&s, ORCHESTRATOR).await;
    exchange(&s, CKA, &chain.t2, AURORA, None, READ).await.assert_error(400, "invalid_request", INACTIVE);
    assert_eq!(last_reason(&s, ID_JAG_EVENT).await, "invalid_subject_token_client_inactive");
    let i = introspect(&s, KNOWLEDGE, CKA, &chain.t2).await;
    assert_eq!(i.status, 200, "{}", i.text);
    assert_eq!(i.body, json!({"active": false}));
    // T3 names the orchestrator in its `act` chain: the kill switch reaches it too (§7).
    let i = introspect(&s, AURORA, CKA, &chain.t3).await;
    assert_eq!(i.body, json!({"active": false}), "{}", i.text);
}

/// `--max-act-depth 2`: hop 3 (a chain of two) still works, hop 7 (three) fails.
async fn max_act_depth_is_configurable(backend: Backend) {
    let Some(s) = seeded_with(backend, |c| c.max_act_depth = 2).await else { return };
    let (r, _, _) = hop1(&s).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t1 = r.body["access_token"].as_str().unwrap().to_owned();
    let j1 = id_jag_of(&exchange(&s, ORCHESTRATOR, &t1, KNOWLEDGE, Some(KNOWLEDGE_AUD), EXECUTE).await, EXECUTE);
    let t2 = access_token_of(&redeem(&s, KNOWLEDGE, ORCHESTRATOR, "orchestrator", &j1).await, EXECUTE);
    exchange(&s, CKA, &t2, AURORA, None, READ).await.assert_error(
        400,
        "invalid_request",
        "The 'subject_token' 'act' claim contains too many nested actors.",
    );
    assert_eq!(last_reason(&s, ID_JAG_EVENT).await, "invalid_subject_token_act_claim_depth");
}

backend_tests!(chain_with_real_tokens_and_one_log_query, variations_that_must_fail, max_act_depth_is_configurable);
