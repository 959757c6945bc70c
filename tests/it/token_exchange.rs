//! Leg 1 of Cross-App Access (xaa.md §4, §8, §9): the token exchange at the org AS that issues
//! ID-JAGs. Hop 3 and hop 7 of the Streamward chain reproduced claim by claim, then one test per
//! reachable row of the §4.8 error table, the response headers and the System Log event.

use crate::common;

use baton::domain::ids::new_secret;
use baton::domain::{AgentStatus, ConnectionStatus, Operation, ResourceConnection, Status, UserStatus};
use baton::oauth::server::Issuer;
use common::oauth::{
    assert_jti, assertion_claims, chat_tokens, decode, seeded, sign_assertion, Reply, CHAT, CKA, KNOWLEDGE, LOGIN,
    ORCHESTRATOR, USER,
};
use common::{Backend, TestServer};
use serde_json::{json, Map, Value};

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_JAG: &str = "urn:ietf:params:oauth:token-type:id-jag";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const REFRESH_TOKEN: &str = "urn:ietf:params:oauth:token-type:refresh_token";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
const AURORA: &str = "ausDqjwbmWqxUvljogI0";
const KNOWLEDGE_RESOURCE: &str = "https://streamward.com/corp/knowledge";
const EXECUTE: &str = "Corp-Knowledge-Agent:execute";

/// The agent's key file under `keys/streamward/`.
fn pem_of(agent: &str) -> &'static str {
    if agent == ORCHESTRATOR {
        "orchestrator"
    } else {
        "corp-knowledge-agent"
    }
}

/// A fresh client assertion of `agent` for the org token endpoint.
fn agent_assertion(s: &TestServer, agent: &str) -> String {
    sign_assertion(pem_of(agent), None, &assertion_claims(agent, &s.url("/oauth2/v1/token"), s.clock.now_s()))
}

/// `POST /oauth2/v1/token` as `agent` (`private_key_jwt`) with the token-exchange grant and `form`.
async fn exchange_as(s: &TestServer, agent: &str, form: &[(&str, &str)]) -> Reply {
    let assertion = agent_assertion(s, agent);
    let mut all = vec![
        ("grant_type", TOKEN_EXCHANGE),
        ("client_assertion_type", common::oauth::ASSERTION_TYPE),
        ("client_assertion", assertion.as_str()),
    ];
    all.extend_from_slice(form);
    s.post_form("/oauth2/v1/token", &[], &all).await
}

fn knowledge_issuer(s: &TestServer) -> String {
    s.url(&format!("/oauth2/{KNOWLEDGE}"))
}

fn aurora_issuer(s: &TestServer) -> String {
    s.url(&format!("/oauth2/{AURORA}"))
}

/// T1 of hop 1: the chat app's access token from `default` for `openid profile email`.
async fn t1(s: &TestServer) -> String {
    chat_tokens(s, "openid profile email").await["access_token"].as_str().unwrap().to_owned()
}

/// Hop 3's form with `subject_token`.
fn hop3_form<'a>(audience: &'a str, subject_token: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("requested_token_type", ID_JAG),
        ("subject_token", subject_token),
        ("subject_token_type", ACCESS_TOKEN),
        ("audience", audience),
        ("resource", KNOWLEDGE_RESOURCE),
        ("scope", EXECUTE),
    ]
}

/// Signs `claims` with the ACTIVE key of `key_owner` (a custom AS id, or the org id).
async fn mint(s: &TestServer, key_owner: &str, claims: &Value) -> String {
    let claims: Map<String, Value> = claims.as_object().unwrap().clone();
    s.state.keys.sign(s.state.store.as_ref(), key_owner, &claims, None).await.unwrap()
}

/// T2 of hop 4 as the Knowledge AS would mint it, with `act` as given.
async fn t2_with(s: &TestServer, aud: &str, act: &Value) -> String {
    let now = s.clock.now_s();
    let claims = json!({
        "ver": 1, "jti": format!("AT.{}", new_secret()), "iss": knowledge_issuer(s), "aud": aud,
        "iat": now, "exp": now + 3600, "cid": ORCHESTRATOR, "uid": USER,
        "scp": [EXECUTE], "scope": EXECUTE, "auth_time": now - 60, "sub": LOGIN,
        "act": act, "sub_profile": "user"
    });
    mint(s, KNOWLEDGE, &claims).await
}

fn j1_act() -> Value {
    json!({"sub": ORCHESTRATOR, "sub_profile": "ai_agent", "act": {"sub": CHAT, "sub_profile": "web_app"}})
}

/// The request's single `app.oauth2.token.grant.id_jag` event, the last one written.
async fn last_event(s: &TestServer) -> Value {
    s.events("app.oauth2.token.grant.id_jag").await.pop().expect("an id_jag event")
}

#[track_caller]
fn assert_reason(event: &Value, reason: &str) {
    assert_eq!(event["outcome"]["result"], "FAILURE", "{event}");
    assert_eq!(event["debugContext"]["debugData"]["error"], reason, "{event}");
}

async fn hop3_reproduces_j1(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let t1 = t1(&s).await;
    let audience = knowledge_issuer(&s);
    let r = exchange_as(&s, ORCHESTRATOR, &hop3_form(&audience, &t1)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let body = r.body.as_object().unwrap();
    let members: Vec<&str> = body.keys().map(String::as_str).collect();
    let mut sorted = members.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["access_token", "expires_in", "issued_token_type", "scope", "token_type"]);
    assert_eq!(body["issued_token_type"], ID_JAG);
    assert_eq!(body["token_type"], "N_A");
    assert!(body["expires_in"].is_i64());
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], EXECUTE);

    let j1 = body["access_token"].as_str().unwrap();
    let (header, claims) = decode(j1);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "oauth-id-jag+jwt");
    assert!(header["kid"].is_string());
    assert_eq!(header.len(), 3, "{header:?}");
    let keys: Vec<&str> = claims.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
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
    assert_jti(&claims, "IDAAG.");
    assert_eq!(claims["iss"], s.base);
    assert_eq!(claims["aud"], json!(audience), "aud is one string");
    let iat = claims["iat"].as_i64().unwrap();
    assert!((iat - s.clock.now_s()).abs() <= 2);
    assert_eq!(claims["exp"].as_i64().unwrap(), iat + 300);
    assert_eq!(claims["sub"], USER);
    assert_eq!(claims["email"], LOGIN);
    assert_eq!(claims["client_id"], ORCHESTRATOR);
    assert_eq!(claims["resource"], KNOWLEDGE_RESOURCE);
    assert_eq!(claims["sub_profile"], "user");
    assert_eq!(claims["scope"], EXECUTE);
    let (_, t1_claims) = decode(&t1);
    assert_eq!(claims["auth_time"], t1_claims["auth_time"], "auth_time is copied from T1");
    assert!(claims["auth_time"].as_i64().unwrap() <= iat);
    assert_eq!(claims["act"], j1_act());
    // Signed by the org AS.
    let org = Issuer::org(&s.state);
    let verified = baton::oauth::verify::verify_own(s.state.store.as_ref(), s.clock.now_ms(), &org, j1, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(verified, claims);

    // One SUCCESS event, xaa.md §8.
    let events = s.events("app.oauth2.token.grant.id_jag").await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["outcome"]["result"], "SUCCESS", "{e}");
    assert_eq!(e["severity"], "INFO");
    assert_eq!(e["actor"]["id"], ORCHESTRATOR);
    assert_eq!(e["actor"]["type"], "AIAgent");
    let targets = e["target"].as_array().unwrap();
    assert_eq!(targets.len(), 2, "{e}");
    assert_eq!((targets[0]["id"].as_str(), targets[0]["type"].as_str()), (Some(USER), Some("User")));
    assert_eq!(targets[0]["alternateId"], LOGIN);
    assert_eq!(targets[1]["id"], KNOWLEDGE);
    assert_eq!(targets[1]["type"], "AuthorizationServer");
    assert_eq!(targets[1]["alternateId"], json!(audience));
    let d = &e["debugContext"]["debugData"];
    assert_eq!(d["grant_type"], TOKEN_EXCHANGE);
    assert_eq!(d["client_auth_type"], "private_key_jwt");
    assert_eq!(d["requested_token_type"], ID_JAG);
    assert_eq!(d["subject_token_type"], ACCESS_TOKEN);
    assert_eq!(d["subject_token_issuer"], s.url("/oauth2/default"));
    assert_eq!(d["subject_token_client_id"], CHAT);
    assert_eq!(d["resource"], KNOWLEDGE_RESOURCE);
    assert_eq!(d["authorization_server"], KNOWLEDGE);
    assert_eq!(d["delegation_link_id"], "dlkgUbrsUPuyWHNb3HAW");
    assert_eq!(d["resource_connection_id"], "mcn779QRUFT7nbQ759nd");
    assert_eq!(d["requested_scopes"], EXECUTE);
    assert_eq!(d["granted_scopes"], EXECUTE);
    assert!(d.get("denied_scopes").is_none());
    assert_eq!(d["actor"], j1_act().to_string());
    assert_eq!(d["id_jag_jti"], claims["jti"]);
    assert!(d.get("error").is_none());
    assert!(!e.to_string().contains(&t1), "tokens are never logged");
    assert_eq!(s.events("app.oauth2.token.grant").await.len(), 0, "one event per request");

    // Variations that still succeed: a trailing `/` on the audience, an empty `scope=`
    // (→ the connection's scopes) and no `resource` (→ no claim).
    let slash = format!("{audience}/");
    let form = [
        ("requested_token_type", ID_JAG),
        ("subject_token", t1.as_str()),
        ("subject_token_type", ACCESS_TOKEN),
        ("audience", slash.as_str()),
        ("scope", ""),
    ];
    let r = exchange_as(&s, ORCHESTRATOR, &form).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["scope"], EXECUTE);
    let (_, claims) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], json!(audience), "canonical issuer");
    assert!(claims.get("resource").is_none());
}

async fn hop7_grows_the_chain(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let t2 = t2_with(&s, KNOWLEDGE_RESOURCE, &j1_act()).await;
    let audience = aurora_issuer(&s);
    let form = [
        ("requested_token_type", ID_JAG),
        ("subject_token", t2.as_str()),
        ("subject_token_type", ACCESS_TOKEN),
        ("audience", audience.as_str()),
        ("scope", "Aurora-DB:read"),
    ];
    let r = exchange_as(&s, CKA, &form).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["scope"], "Aurora-DB:read");
    let (_, claims) = decode(r.body["access_token"].as_str().unwrap());
    let keys: Vec<&str> = claims.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["jti", "iss", "aud", "iat", "exp", "sub", "client_id", "sub_profile", "scope", "auth_time", "act"]
    );
    let j2_act = json!({"sub": CKA, "sub_profile": "ai_agent", "act": j1_act()});
    assert_eq!(claims["act"], j2_act);
    assert_eq!(claims["client_id"], CKA);
    assert_eq!(claims["aud"], json!(audience));
    let d = last_event(&s).await["debugContext"]["debugData"].clone();
    assert_eq!(d["subject_token_issuer"], json!(knowledge_issuer(&s)));
    assert_eq!(d["subject_token_client_id"], ORCHESTRATOR);
    assert_eq!(d["delegation_link_id"], "dlkBRD5CqpJ3SbnnRQhC");
    assert_eq!(d["resource_connection_id"], "mcnbJBZqg0Y27zDz4R2O");
    assert_eq!(d["actor"], j2_act.to_string());

    // §9 variations: T1 instead of T2 (no link from the chat app to CKA); scope=openid.
    let t1 = t1(&s).await;
    let mut with_t1 = form;
    with_t1[1].1 = &t1;
    exchange_as(&s, CKA, &with_t1).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid: no delegation policy authorizes this token.",
    );
    assert_reason(&last_event(&s).await, "invalid_subject_token_no_delegation_link");
    let mut openid = form;
    openid[4].1 = "openid";
    exchange_as(&s, CKA, &openid).await.assert_error(
        400,
        "invalid_scope",
        "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.",
    );
    let e = last_event(&s).await;
    assert_reason(&e, "invalid_scope");
    assert_eq!(e["debugContext"]["debugData"]["denied_scopes"], "openid");
    // T2 whose aud is not CKA's resourceUrl.
    let other_aud = t2_with(&s, "api://default", &j1_act()).await;
    let mut wrong = form;
    wrong[1].1 = &other_aud;
    exchange_as(&s, CKA, &wrong).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid: no delegation policy authorizes this token.",
    );
    // The orchestrator deactivated between hops 4 and 7 (it is C and in act).
    let mut orch = s.state.store.find_agent(ORCHESTRATOR).await.unwrap().unwrap();
    orch.status = AgentStatus::Inactive;
    let now = s.clock.now_ms();
    let op = Operation {
        id: new_secret(),
        op_type: "ai-agent:Patch".into(),
        status: "COMPLETED".into(),
        resource_id: ORCHESTRATOR.into(),
        resource_type: "ai-agent".into(),
        resource_status: "INACTIVE".into(),
        created: now,
        started: now,
        completed: Some(now),
    };
    s.state.store.update_agent(&orch, &op, &[]).await.unwrap();
    exchange_as(&s, CKA, &form).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid: the client application referenced in the token is not active.",
    );
    assert_reason(&last_event(&s).await, "invalid_subject_token_client_inactive");
}

/// Sends hop 3 with `form` replacing or adding parameters; returns the reply.
async fn hop3_with(s: &TestServer, t1: &str, changes: &[(&str, Option<&str>)]) -> Reply {
    let audience = knowledge_issuer(s);
    let mut form: Vec<(&str, &str)> = hop3_form(&audience, t1);
    for (name, value) in changes {
        form.retain(|(k, _)| k != name);
        if let Some(v) = value {
            form.push((name, v));
        }
    }
    exchange_as(s, ORCHESTRATOR, &form).await
}

async fn request_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let t1 = t1(&s).await;
    let rtt = "'requested_token_type' is invalid or not supported.";
    let stt = "'subject_token_type' is invalid or not supported.";
    let att = "'actor_token_type' is invalid or not supported.";
    let aud = "Token Exchange requests must include a valid audience of the authorization server.";
    for (changes, error, description, reason) in [
        (vec![("requested_token_type", None)], "invalid_request", rtt, "invalid_requested_token_type"),
        (vec![("requested_token_type", Some(ACCESS_TOKEN))], "invalid_request", rtt, "invalid_requested_token_type"),
        (vec![("subject_token_type", None)], "invalid_request", stt, "invalid_subject_token_type"),
        (
            vec![("subject_token_type", Some("urn:ietf:params:oauth:token-type:saml2"))],
            "invalid_request",
            stt,
            "invalid_subject_token_type",
        ),
        (vec![("subject_token", None)], "invalid_request", "'subject_token' is invalid.", "invalid_subject_token"),
        (vec![("actor_token_type", Some(JWT))], "invalid_request", att, "invalid_actor_token_type"),
        (vec![("actor_token", Some("x"))], "invalid_request", att, "invalid_actor_token_type"),
        (
            vec![("actor_token", Some("x")), ("actor_token_type", Some(ID_TOKEN))],
            "invalid_request",
            att,
            "invalid_actor_token_type",
        ),
        (
            vec![("actor_token", Some("not-a-jwt")), ("actor_token_type", Some(JWT))],
            "invalid_request",
            "'actor_token' is invalid.",
            "invalid_actor_token",
        ),
        (vec![("audience", None)], "invalid_target", aud, "token_exchange_invalid_audience"),
        (vec![("audience", Some("api://default"))], "invalid_target", aud, "token_exchange_invalid_audience"),
        (vec![("audience", Some(&s.base))], "invalid_target", aud, "token_exchange_invalid_audience"),
        (
            vec![("audience", Some(&s.url("/oauth2/ausNoSuchServer00000")))],
            "invalid_target",
            aud,
            "token_exchange_invalid_audience",
        ),
    ] {
        let r = hop3_with(&s, &t1, &changes).await;
        r.assert_error(400, error, description);
        assert_eq!(r.header("pragma"), Some("no-cache"));
        assert_reason(&last_event(&s).await, reason);
    }
    // An actor token of another agent when X is an agent; a valid one naming X is accepted.
    let cka = agent_assertion(&s, CKA);
    hop3_with(&s, &t1, &[("actor_token", Some(&cka)), ("actor_token_type", Some(JWT))]).await.assert_error(
        400,
        "invalid_request",
        "'actor_token' is invalid.",
    );
    let own = agent_assertion(&s, ORCHESTRATOR);
    let r = hop3_with(&s, &t1, &[("actor_token", Some(&own)), ("actor_token_type", Some(JWT))]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Repeated audience.
    let audience = knowledge_issuer(&s);
    let mut form = hop3_form(&audience, &t1);
    form.push(("audience", &audience));
    exchange_as(&s, ORCHESTRATOR, &form).await.assert_error(400, "invalid_target", aud);
    // INACTIVE audience AS.
    let mut server = s.state.store.find_auth_server(KNOWLEDGE).await.unwrap().unwrap();
    server.status = Status::Inactive;
    s.state.store.update_auth_server(&server, &[]).await.unwrap();
    hop3_with(&s, &t1, &[]).await.assert_error(400, "invalid_target", aud);
    // Token exchange at a custom AS.
    let assertion = sign_assertion(
        "orchestrator",
        None,
        &assertion_claims(ORCHESTRATOR, &s.url("/oauth2/default/v1/token"), s.clock.now_s()),
    );
    let r = s
        .post_form(
            "/oauth2/default/v1/token",
            &[],
            &[
                ("grant_type", TOKEN_EXCHANGE),
                ("client_assertion_type", common::oauth::ASSERTION_TYPE),
                ("client_assertion", &assertion),
            ],
        )
        .await;
    r.assert_error(
        400,
        "unsupported_grant_type",
        "'urn:ietf:params:oauth:grant-type:token-exchange' grant type is not supported.",
    );
}

async fn public_clients_are_refused(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let now = s.clock.now_ms();
    let spa = common::oauth::app("Spa", baton::domain::AuthMethod::None, "browser", &[TOKEN_EXCHANGE], now);
    common::oauth::create_app(&s, &spa, None).await;
    let r = s
        .post_form(
            "/oauth2/v1/token",
            &[],
            &[("grant_type", TOKEN_EXCHANGE), ("client_id", &spa.client_id), ("requested_token_type", ID_JAG)],
        )
        .await;
    r.assert_error(
        401,
        "invalid_client",
        "Client authentication failed. Either the client or the client credentials are invalid.",
    );
    let e = last_event(&s).await;
    assert_eq!(e["debugContext"]["debugData"]["client_auth_type"], "none");
    assert_eq!(e["actor"]["type"], "PublicClientApp");
}

async fn subject_token_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let t1 = t1(&s).await;
    let invalid = "'subject_token' is invalid.";
    // Garbage, and a token of the wrong kind.
    hop3_with(&s, &t1, &[("subject_token", Some("garbage"))]).await.assert_error(400, "invalid_request", invalid);
    assert_reason(&last_event(&s).await, "invalid_subject_token");
    hop3_with(&s, &t1, &[("subject_token_type", Some(ID_TOKEN))]).await.assert_error(400, "invalid_request", invalid);
    hop3_with(&s, &t1, &[("subject_token_type", Some(REFRESH_TOKEN))]).await.assert_error(
        400,
        "invalid_request",
        invalid,
    );
    // Tampered signature.
    let tampered = format!("{}x", &t1[..t1.len() - 1]);
    let tampered = if tampered == t1 { format!("{}y", &t1[..t1.len() - 1]) } else { tampered };
    hop3_with(&s, &t1, &[("subject_token", Some(&tampered))]).await.assert_error(400, "invalid_request", invalid);
    // An issuer that is not baton.
    let (_, mut claims) = decode(&t1);
    claims.insert("iss".into(), json!("https://idp.example.com"));
    let foreign = mint(&s, "default", &Value::Object(claims.clone())).await;
    hop3_with(&s, &t1, &[("subject_token", Some(&foreign))]).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid: the token issuer is not allowed for this exchange.",
    );
    assert_reason(&last_event(&s).await, "invalid_subject_token_issuer_not_allowed");
    // A resourceUrl mismatch is covered in hop 7; an access token without a link (T1 at CKA too).
    // A malformed act, and a chain that would grow past five levels.
    let (_, base) = decode(&t1);
    let with_act = |act: Value| {
        let mut c = base.clone();
        c.insert("jti".into(), json!(format!("AT.{}", new_secret())));
        c.insert("act".into(), act);
        Value::Object(c)
    };
    let malformed = mint(&s, "default", &with_act(json!({"sub": CHAT, "act": "x"}))).await;
    hop3_with(&s, &t1, &[("subject_token", Some(&malformed))]).await.assert_error(
        400,
        "invalid_request",
        "The 'subject_token' 'act' claim is malformed.",
    );
    assert_reason(&last_event(&s).await, "invalid_subject_token_act_claim_malformed");
    // A level with an empty `sub` is malformed too, not an inactive actor (xaa.md §4.5).
    let empty = mint(&s, "default", &with_act(json!({"sub": "", "sub_profile": "web_app"}))).await;
    hop3_with(&s, &t1, &[("subject_token", Some(&empty))]).await.assert_error(
        400,
        "invalid_request",
        "The 'subject_token' 'act' claim is malformed.",
    );
    assert_reason(&last_event(&s).await, "invalid_subject_token_act_claim_malformed");
    let mut deep = json!({"sub": CHAT, "sub_profile": "web_app"});
    for _ in 0..4 {
        deep = json!({"sub": CKA, "sub_profile": "ai_agent", "act": deep});
    }
    let deep = mint(&s, "default", &with_act(deep)).await;
    hop3_with(&s, &t1, &[("subject_token", Some(&deep))]).await.assert_error(
        400,
        "invalid_request",
        "The 'subject_token' 'act' claim contains too many nested actors.",
    );
    assert_reason(&last_event(&s).await, "invalid_subject_token_act_claim_depth");
    let unknown_actor = mint(&s, "default", &with_act(json!({"sub": "wlpNobody0000000000x"}))).await;
    hop3_with(&s, &t1, &[("subject_token", Some(&unknown_actor))]).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid: the client application referenced in the token is not active.",
    );
    // Resource and connection rows.
    hop3_with(&s, &t1, &[("resource", Some("https://other.example"))]).await.assert_error(
        400,
        "invalid_target",
        "'resource' is invalid or not supported.",
    );
    assert_reason(&last_event(&s).await, "token_exchange_invalid_resource");
    let aurora = aurora_issuer(&s);
    hop3_with(&s, &t1, &[("audience", Some(&aurora)), ("resource", None)]).await.assert_error(
        400,
        "invalid_target",
        "The resource app is not completely configured or user is not assigned to the app.",
    );
    assert_reason(&last_event(&s).await, "token_exchange_incomplete_resource_configuration");
    hop3_with(&s, &t1, &[("scope", Some("openid email"))]).await.assert_error(
        400,
        "invalid_scope",
        "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner.",
    );
    // A connection that needs brokered consent: consent_required with a consent_uri (the
    // whole flow is in tests/it/consent_broker.rs).
    let mut conn = s.state.store.find_connection("mcn779QRUFT7nbQ759nd").await.unwrap().unwrap();
    conn.consent_required = true;
    s.state.store.update_connection(&conn, &[]).await.unwrap();
    let r = hop3_with(&s, &t1, &[]).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["error"], "consent_required");
    assert_eq!(
        r.body["error_description"],
        "The following scopes require user consent: [Corp-Knowledge-Agent:execute]"
    );
    assert!(r.body["consent_uri"].as_str().unwrap().starts_with(&s.url("/consent/requests/ocr")), "{}", r.text);
    assert_reason(&last_event(&s).await, "consent_required_token_exchange");
    conn.consent_required = false;
    conn.status = ConnectionStatus::Inactive;
    s.state.store.update_connection(&conn, &[]).await.unwrap();
    hop3_with(&s, &t1, &[]).await.assert_error(
        400,
        "invalid_target",
        "The resource app is not completely configured or user is not assigned to the app.",
    );
    conn.status = ConnectionStatus::Active;
    s.state.store.update_connection(&conn, &[]).await.unwrap();
    assert_eq!(hop3_with(&s, &t1, &[]).await.status, 200);

    // An ID token of the chat app: no ID_TOKEN link to the orchestrator.
    let tokens = chat_tokens(&s, "openid profile email").await;
    let id_token = tokens["id_token"].as_str().unwrap();
    hop3_with(&s, &t1, &[("subject_token", Some(id_token)), ("subject_token_type", Some(ID_TOKEN))])
        .await
        .assert_error(
            400,
            "invalid_request",
            "'subject_token' is invalid: the client application is not registered for delegation to this agent.",
        );
    assert_reason(&last_event(&s).await, "invalid_subject_token_client_not_registered");

    // The user deactivated.
    let mut user = s.state.store.find_user(USER).await.unwrap().unwrap();
    user.status = UserStatus::Suspended;
    s.state.store.update_user(&user, &[]).await.unwrap();
    hop3_with(&s, &t1, &[]).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid: the user account is not active.",
    );
    assert_reason(&last_event(&s).await, "invalid_subject_token_user_inactive");
    user.status = UserStatus::Active;
    s.state.store.update_user(&user, &[]).await.unwrap();

    // Revoked, then expired.
    let r = s.chat_call(Some("default"), "revoke", &[("token", &t1)]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let expired = "The 'subject_token' either expired or the session associated with it was terminated.";
    hop3_with(&s, &t1, &[]).await.assert_error(400, "invalid_grant", expired);
    assert_reason(&last_event(&s).await, "token_exchange_subject_token_expired");
    let fresh =
        common::oauth::chat_tokens(&s, "openid profile email").await["access_token"].as_str().unwrap().to_owned();
    s.clock.advance(3600 * 1000 + 61_000);
    hop3_with(&s, &fresh, &[("subject_token", Some(&fresh))]).await.assert_error(400, "invalid_grant", expired);
}

async fn inactive_issuing_server(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let t2 = t2_with(&s, KNOWLEDGE_RESOURCE, &j1_act()).await;
    let mut server = s.state.store.find_auth_server(KNOWLEDGE).await.unwrap().unwrap();
    server.status = Status::Inactive;
    s.state.store.update_auth_server(&server, &[]).await.unwrap();
    let audience = aurora_issuer(&s);
    let form = [
        ("requested_token_type", ID_JAG),
        ("subject_token", t2.as_str()),
        ("subject_token_type", ACCESS_TOKEN),
        ("audience", audience.as_str()),
    ];
    exchange_as(&s, CKA, &form).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid: the authorization server that issued it is not valid.",
    );
    assert_reason(&last_event(&s).await, "invalid_subject_token_authorization_server");
}

/// The chat app as X: its own ID token and refresh token (A == C → one level), an
/// `actor_token` naming the orchestrator (two levels), `targetClientId`, and a refresh token of
/// another client.
async fn app_as_client(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let now = s.clock.now_ms();
    let conn = ResourceConnection {
        id: "mcnChatKnowledge0000".into(),
        owner_id: CHAT.into(),
        connection_type: "IDENTITY_ASSERTION_CUSTOM_AS".into(),
        auth_server_id: KNOWLEDGE.into(),
        resource_indicator: None,
        scope_condition: "INCLUDE_ONLY".into(),
        scopes: vec![EXECUTE.into()],
        target_client_id: Some(ORCHESTRATOR.into()),
        consent_required: false,
        status: ConnectionStatus::Active,
        created: now,
        last_updated: now,
    };
    s.state.store.create_connection(&conn, &[]).await.unwrap();
    let tokens = chat_tokens(&s, "openid profile email offline_access").await;
    let audience = knowledge_issuer(&s);
    let chat = |form: Vec<(&'static str, String)>| {
        let audience = audience.clone();
        let s = &s;
        async move {
            let mut all: Vec<(&str, String)> = vec![
                ("grant_type", TOKEN_EXCHANGE.into()),
                ("requested_token_type", ID_JAG.into()),
                ("audience", audience),
            ];
            all.extend(form);
            let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            s.chat_token(None, &pairs).await
        }
    };
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let r = chat(vec![
        ("subject_token", id_token.clone()),
        ("subject_token_type", ID_TOKEN.into()),
        ("resource", KNOWLEDGE_RESOURCE.into()),
    ])
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, claims) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(claims["act"], json!({"sub": CHAT, "sub_profile": "web_app"}));
    assert_eq!(claims["client_id"], ORCHESTRATOR, "targetClientId");
    assert_eq!(claims["email"], LOGIN, "the ID token's email");
    assert_eq!(claims["resource"], KNOWLEDGE_RESOURCE, "one of the AS's allowed resources");
    let e = last_event(&s).await;
    assert_eq!(e["actor"]["type"], "PublicClientApp");
    assert_eq!(e["debugContext"]["debugData"]["client_auth_type"], "client_secret_basic");
    assert!(e["debugContext"]["debugData"].get("delegation_link_id").is_none());

    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let actor = agent_assertion(&s, ORCHESTRATOR);
    let r = chat(vec![
        ("subject_token", refresh.clone()),
        ("subject_token_type", REFRESH_TOKEN.into()),
        ("actor_token", actor),
        ("actor_token_type", JWT.into()),
    ])
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, claims) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(claims["act"], j1_act());
    assert_eq!(claims["sub"], USER);
    assert_eq!(claims["email"], LOGIN);
    assert!(claims["auth_time"].is_i64());

    // A refresh token bound to another client.
    let other = common::oauth::app("Other", baton::domain::AuthMethod::ClientSecretPost, "web", &[TOKEN_EXCHANGE], now);
    common::oauth::create_app(&s, &other, Some("other-secret")).await;
    let form = [
        ("grant_type", TOKEN_EXCHANGE),
        ("client_id", other.client_id.as_str()),
        ("client_secret", "other-secret"),
        ("requested_token_type", ID_JAG),
        ("audience", audience.as_str()),
        ("subject_token", refresh.as_str()),
        ("subject_token_type", REFRESH_TOKEN),
    ];
    s.post_form("/oauth2/v1/token", &[], &form).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid.",
    );
    // An ID token of the chat app is not the other app's either.
    let form = [
        ("grant_type", TOKEN_EXCHANGE),
        ("client_id", other.client_id.as_str()),
        ("client_secret", "other-secret"),
        ("requested_token_type", ID_JAG),
        ("audience", audience.as_str()),
        ("subject_token", id_token.as_str()),
        ("subject_token_type", ID_TOKEN),
    ];
    s.post_form("/oauth2/v1/token", &[], &form).await.assert_error(
        400,
        "invalid_request",
        "'subject_token' is invalid: the client application is not registered for delegation to this agent.",
    );
    // An app that does not list the grant.
    let plain =
        common::oauth::app("Plain", baton::domain::AuthMethod::ClientSecretPost, "web", &["authorization_code"], now);
    common::oauth::create_app(&s, &plain, Some("plain-secret")).await;
    let r = s
        .post_form(
            "/oauth2/v1/token",
            &[],
            &[
                ("grant_type", TOKEN_EXCHANGE),
                ("client_id", plain.client_id.as_str()),
                ("client_secret", "plain-secret"),
            ],
        )
        .await;
    r.assert_error(
        400,
        "unauthorized_client",
        "The client is not authorized to use the provided grant type. Configured grant types: [authorization_code].",
    );
}

backend_tests!(
    hop3_reproduces_j1,
    hop7_grows_the_chain,
    request_rows,
    public_clients_are_refused,
    subject_token_rows,
    inactive_issuing_server,
    app_as_client,
);
