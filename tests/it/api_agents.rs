//! The AI-agent API (okta-surface.md §13): agents and their operations, search and envelope
//! paging, JWKS credentials, and the end-to-end proof that an agent set up only through this
//! API can do the token exchange (xaa.md §4) and stops being able to once deactivated.

use crate::common;

use baton::domain::SigningAlg;
use baton::jose::keys::generate;
use common::api::{api_server, ADMIN_TOKEN};
use common::oauth::{assertion_claims, chat_tokens, decode, seeded_with, ASSERTION_TYPE, CHAT, KNOWLEDGE};
use common::{Backend, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const P: &str = "/workload-principals/api/v1";

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// Registers an agent; returns (operation, agent id) after checking the 202 shape: an empty
/// body and the `Location` of the operation, which is already COMPLETED.
async fn register(s: &TestServer, body: &Value) -> (Value, String) {
    let r = s.api_post(&format!("{P}/ai-agents"), body).await;
    let location = r.headers.get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap();
    assert_eq!(r.expect(202), Value::Null, "empty body");
    assert!(location.starts_with(&s.url(&format!("{P}/operations/op-"))), "{location}");
    let op = s.api_get(&location).await.expect(200);
    assert_eq!(location, s.url(&format!("{P}/operations/{}", op["id"].as_str().unwrap())));
    let id = op["resource"]["id"].as_str().unwrap().to_owned();
    (op, id)
}

/// Events of `event_type` that name `id` among their targets.
async fn events_for(s: &TestServer, event_type: &str, id: &str) -> Vec<Value> {
    let all = s.events_of_type(event_type).await;
    all.into_iter().filter(|e| e["target"].as_array().is_some_and(|t| t.iter().any(|t| t["id"] == id))).collect()
}

#[track_caller]
fn assert_operation(op: &Value, op_type: &str, agent: &str, status: &str, s: &TestServer) {
    assert_eq!(keys(op), set(&["id", "type", "status", "created", "started", "completed", "resource"]), "{op}");
    let id = op["id"].as_str().unwrap();
    assert!(id.starts_with("op-") && id.len() == 23, "{id}");
    assert_eq!(op["type"], op_type);
    assert_eq!(op["status"], "COMPLETED");
    assert_eq!(
        op["resource"],
        json!({"id": agent, "type": "ai_agent", "status": status,
               "_links": {"self": {"href": s.url(&format!("{P}/ai-agents/{agent}"))}}})
    );
}

async fn agent_lifecycle(backend: Backend) {
    let Some(s) = common::oauth::seeded_with(backend, |c| c.admin_api_token = Some(ADMIN_TOKEN.into())).await else {
        return;
    };
    let user = common::oauth::USER;
    let body = json!({"profile": {"name": "Trip planner", "description": "Books travel"}, "appId": CHAT,
                      "resourceUrl": "https://streamward.com/trips", "owners": [user, user]});
    let (op, id) = register(&s, &body).await;
    assert_operation(&op, "ai-agent:Register", &id, "STAGED", &s);
    assert!(id.starts_with("wlp") && id.len() == 20);
    let got = s.api_get(&format!("{P}/operations/{}", op["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(got, op);

    let agent = s.api_get(&format!("{P}/ai-agents/{id}")).await.expect(200);
    assert_eq!(
        keys(&agent),
        set(&["id", "status", "created", "lastUpdated", "appId", "profile", "owners", "resourceUrl", "_links"])
    );
    assert_eq!(agent["status"], "STAGED");
    assert_eq!(agent["appId"], CHAT);
    assert_eq!(agent["profile"], json!({"name": "Trip planner", "description": "Books travel"}));
    assert_eq!(agent["owners"], json!([user]));
    assert_eq!(agent["resourceUrl"], "https://streamward.com/trips");
    assert_eq!(agent["_links"], json!({"self": {"href": s.url(&format!("{P}/ai-agents/{id}"))}}));
    let e = events_for(&s, "workload_principal.ai_agent.register", &id).await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["target"][0]["id"], id.as_str());
    assert!(e[0]["transaction"]["detail"]["requestApiTokenId"].as_str().unwrap().starts_with("00T"));

    // JSON Merge Patch: null removes, absent keeps.
    let r = s
        .api_patch(&format!("{P}/ai-agents/{id}"), &json!({"profile": {"description": null}, "resourceUrl": null}))
        .await;
    assert_operation(&r.expect(202), "ai-agent:Patch", &id, "STAGED", &s);
    let agent = s.api_get(&format!("{P}/ai-agents/{id}")).await.expect(200);
    assert_eq!(agent["profile"], json!({"name": "Trip planner"}));
    assert!(agent.get("resourceUrl").is_none());
    assert_eq!(agent["appId"], CHAT);
    // PUT replaces: fields not given are cleared.
    let r = s.api_put(&format!("{P}/ai-agents/{id}"), &json!({"profile": {"name": "Planner 2"}})).await;
    assert_operation(&r.expect(202), "ai-agent:Replace", &id, "STAGED", &s);
    let agent = s.api_get(&format!("{P}/ai-agents/{id}")).await.expect(200);
    assert_eq!(agent["appId"], Value::Null);
    assert_eq!(agent["owners"], json!([]));
    assert_eq!(events_for(&s, "workload_principal.ai_agent.update", &id).await.len(), 2);

    // Lifecycle: STAGED → ACTIVE → INACTIVE → ACTIVE.
    let act = |to: &'static str| format!("{P}/ai-agents/{id}/lifecycle/{to}");
    assert_operation(
        &s.api_post(&act("activate"), &json!({})).await.expect(202),
        "ai-agent:Activate",
        &id,
        "ACTIVE",
        &s,
    );
    s.api_delete(&format!("{P}/ai-agents/{id}")).await.okta_error(400, "E0000001");
    let op = s.api_post(&act("deactivate"), &json!({})).await.expect(202);
    assert_operation(&op, "ai-agent:Deactivate", &id, "INACTIVE", &s);
    assert_operation(
        &s.api_post(&act("activate"), &json!({})).await.expect(202),
        "ai-agent:Activate",
        &id,
        "ACTIVE",
        &s,
    );
    assert_eq!(s.api_get(&format!("{P}/ai-agents/{id}")).await.expect(200)["status"], "ACTIVE");
    // Activating an ACTIVE agent changes nothing and logs no second event.
    s.api_post(&act("activate"), &json!({})).await.expect(202);
    assert_eq!(events_for(&s, "workload_principal.ai_agent.activate", &id).await.len(), 2);
    assert_eq!(events_for(&s, "workload_principal.ai_agent.deactivate", &id).await.len(), 1);

    s.api_post(&act("deactivate"), &json!({})).await.expect(202);
    let op = s.api_delete(&format!("{P}/ai-agents/{id}")).await.expect(202);
    assert_operation(&op, "ai-agent:Delete", &id, "INACTIVE", &s);
    s.api_get(&format!("{P}/ai-agents/{id}")).await.okta_error(404, "E0000007");
    assert_eq!(events_for(&s, "workload_principal.ai_agent.delete", &id).await.len(), 1);
    // A STAGED agent can be deleted too.
    let (_, staged) = register(&s, &json!({"profile": {"name": "Staged one"}})).await;
    s.api_delete(&format!("{P}/ai-agents/{staged}")).await.expect(202);
}

async fn agent_errors(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let url = format!("{P}/ai-agents");
    let e = s.api_post(&url, &json!({})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: profile.name");
    let e = s.api_post(&url, &json!({"profile": {"name": "ab"}})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorCauses"][0]["errorSummary"], "profile.name: must be at least 3 characters long");
    let e = s
        .api_post(
            &url,
            &json!({"profile": {"name": "Agent"}, "appId": "0oanope", "owners": ["00unope"],
                                "resourceUrl": "not a url"}),
        )
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: appId, resourceUrl, owners");
    s.api_post(&url, &json!({"profile": 5})).await.okta_error(400, "E0000001");
    s.api_post(&url, &json!([1])).await.okta_error(400, "E0000003");
    let r = s.http.post(s.url(&url)).header("authorization", format!("SSWS {ADMIN_TOKEN}")).body("{").send().await;
    assert_eq!(r.unwrap().status(), 400);
    s.api_as("wrong", reqwest::Method::GET, &url, None).await.okta_error(401, "E0000011");
    for path in ["/ai-agents/wlpnope", "/operations/op-nope", "/ai-agents/wlpnope/credentials/jwks"] {
        s.api_get(&format!("{P}{path}")).await.okta_error(404, "E0000007");
    }
    let e = s.api_patch(&format!("{P}/ai-agents/wlpnope"), &json!({})).await.okta_error(404, "E0000007");
    assert_eq!(e["errorSummary"], "Not found: Resource not found: wlpnope (AIAgent)");
    s.api_post(&format!("{P}/ai-agents/wlpnope/lifecycle/activate"), &json!({})).await.okta_error(404, "E0000007");
    let (_, id) = register(&s, &json!({"profile": {"name": "Valid"}})).await;
    let e = s.api_patch(&format!("{P}/ai-agents/{id}"), &json!({"profile": {"name": null}})).await;
    e.okta_error(400, "E0000001");
    s.api_get(&format!("{url}?search=id%20eq%20%22x%22")).await.okta_error(400, "E0000031");
    s.api_get(&format!("{url}?limit=0")).await.okta_error(400, "E0000001");
    assert!(s.events_of_type("workload_principal.ai_agent.update").await.is_empty());
}

async fn list_search_and_paging(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let mut ids = Vec::new();
    for i in 0..5 {
        let name = if i % 2 == 0 { format!("Alpha {i}") } else { format!("Beta {i}") };
        ids.push(register(&s, &json!({"profile": {"name": name}})).await.1);
    }
    s.api_post(&format!("{P}/ai-agents/{}/lifecycle/activate", ids[0]), &json!({})).await.expect(202);
    // Default page holds all; envelope shape.
    let page = s.api_get(&format!("{P}/ai-agents")).await.expect(200);
    assert_eq!(keys(&page), set(&["data", "_links"]));
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
    assert_eq!(page["_links"], json!({"self": {"href": s.url(&format!("{P}/ai-agents"))}}));
    // limit=2: follow next to the end.
    let mut seen = Vec::new();
    let mut next = Some(s.url(&format!("{P}/ai-agents?limit=2")));
    let mut pages = 0;
    while let Some(url) = next {
        let body = s.api_get(&url).await.expect(200);
        assert_eq!(body["_links"]["self"]["href"], url.as_str());
        seen.extend(body["data"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()));
        next = body["_links"]["next"]["href"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 3);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(seen, sorted);

    let search = |q: &str| {
        let q = url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
        format!("{P}/ai-agents?search={q}")
    };
    let names = |v: &Value| -> Vec<String> {
        let mut n: Vec<String> =
            v["data"].as_array().unwrap().iter().map(|a| a["profile"]["name"].as_str().unwrap().to_owned()).collect();
        n.sort();
        n
    };
    let r = s.api_get(&search(r#"profile.name sw "alpha""#)).await.expect(200);
    assert_eq!(names(&r), ["Alpha 0", "Alpha 2", "Alpha 4"]);
    let r = s.api_get(&search(r#"profile.name co "ta 3""#)).await.expect(200);
    assert_eq!(names(&r), ["Beta 3"]);
    let r = s.api_get(&search(r#"profile.name eq "Beta 1""#)).await.expect(200);
    assert_eq!(names(&r), ["Beta 1"]);
    let r = s.api_get(&search(r#"status eq "ACTIVE""#)).await.expect(200);
    assert_eq!(names(&r), ["Alpha 0"]);
    let r = s.api_get(&search(r#"status eq "STAGED" and profile.name sw "Alpha""#)).await.expect(200);
    assert_eq!(names(&r), ["Alpha 2", "Alpha 4"]);
    let r = s.api_get(&search(r#"appId eq "0oanone""#)).await.expect(200);
    assert_eq!(r["data"], json!([]));
    // Search with paging: 3 matches, limit 2 → two pages.
    let first = s.api_get(&format!("{}&limit=2", search(r#"profile.name sw "Alpha""#))).await.expect(200);
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let next = first["_links"]["next"]["href"].as_str().unwrap().to_owned();
    let second = s.api_get(&next).await.expect(200);
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert!(second["_links"].get("next").is_none());

    // Operations list: one per write (5 registrations + 1 activation), paged.
    let ops = s.api_get(&format!("{P}/operations?limit=4")).await.expect(200);
    assert_eq!(ops["data"].as_array().unwrap().len(), 4);
    let rest = s.api_get(ops["_links"]["next"]["href"].as_str().unwrap()).await.expect(200);
    assert_eq!(rest["data"].as_array().unwrap().len(), 2);
    assert!(rest["_links"].get("next").is_none());
}

/// The public JWK of a fresh key without `kid` (so the thumbprint is used), and its private PEM.
fn fresh_key(alg: SigningAlg) -> (Value, String, String) {
    let k = generate(alg).unwrap();
    let mut jwk = k.public_jwk.clone();
    jwk.as_object_mut().unwrap().remove("kid");
    (jwk, k.private_pem, k.kid)
}

async fn credentials(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let (_, id) = register(&s, &json!({"profile": {"name": "Key holder"}})).await;
    let url = format!("{P}/ai-agents/{id}/credentials/jwks");
    let (jwk, _, thumb) = fresh_key(SigningAlg::Rs256);
    let key = s.api_post(&url, &jwk).await.expect(201);
    assert_eq!(
        keys(&key),
        set(&["id", "kid", "kty", "alg", "use", "e", "n", "status", "created", "lastUpdated", "_links"])
    );
    assert_eq!(key["id"], thumb.as_str());
    assert_eq!(key["kid"], thumb.as_str());
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["status"], "ACTIVE");
    assert_eq!(key["n"], jwk["n"]);
    assert_eq!(key["_links"], json!({"self": {"href": s.url(&format!("{url}/{thumb}"))}}));
    assert_eq!(s.api_get(&format!("{url}/{thumb}")).await.expect(200), key);
    // EC with its own kid.
    let (mut ec, _, _) = fresh_key(SigningAlg::Es256);
    ec["kid"] = json!("my-ec-key");
    let ec_key = s.api_post(&url, &ec).await.expect(201);
    assert_eq!(
        keys(&ec_key),
        set(&["id", "kid", "kty", "alg", "use", "crv", "x", "y", "status", "created", "lastUpdated", "_links"])
    );
    assert_eq!(ec_key["id"], "my-ec-key");
    assert_eq!(ec_key["alg"], "ES256");
    let list = s.api_get(&url).await.expect(200);
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let page = s.api_get(&format!("{url}?limit=1")).await.expect(200);
    let rest = s.api_get(page["_links"]["next"]["href"].as_str().unwrap()).await.expect(200);
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(rest["_links"].get("next").is_none());

    // Errors.
    let e = s.api_post(&url, &jwk).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: kid");
    let mut private = jwk.clone();
    private["d"] = json!("c2VjcmV0");
    let e = s.api_post(&url, &private).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: d");
    s.api_post(&url, &json!({"kty": "oct", "k": "abc"})).await.okta_error(400, "E0000001");
    s.api_post(&url, &json!({"kty": "OKP", "crv": "Ed25519", "x": "abc"})).await.okta_error(400, "E0000001");
    let mut wrong_alg = jwk.clone();
    wrong_alg["alg"] = json!("ES256");
    let e = s.api_post(&url, &wrong_alg).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: alg");
    let mut short = jwk.clone();
    short["n"] = json!("AQAB");
    s.api_post(&url, &short).await.okta_error(400, "E0000001");
    let mut enc = jwk.clone();
    enc["use"] = json!("enc");
    s.api_post(&url, &enc).await.okta_error(400, "E0000001");
    s.api_get(&format!("{url}/nope")).await.okta_error(404, "E0000007");

    // Lifecycle and delete (INACTIVE only).
    let e = s.api_delete(&format!("{url}/{thumb}")).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: status");
    let k = s.api_post(&format!("{url}/{thumb}/lifecycle/deactivate"), &json!({})).await.expect(200);
    assert_eq!(k["status"], "INACTIVE");
    let k = s.api_post(&format!("{url}/{thumb}/lifecycle/activate"), &json!({})).await.expect(200);
    assert_eq!(k["status"], "ACTIVE");
    s.api_post(&format!("{url}/{thumb}/lifecycle/deactivate"), &json!({})).await.expect(200);
    let r = s.api_delete(&format!("{url}/{thumb}")).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.body, Value::Null);
    s.api_get(&format!("{url}/{thumb}")).await.okta_error(404, "E0000007");
    for (t, n) in [("create", 2), ("activate", 1), ("deactivate", 2), ("delete", 1)] {
        let e = s.events_of_type(&format!("workload_principal.ai_agent.credential.{t}")).await;
        assert_eq!(e.len(), n, "{t}");
        assert_eq!(e[0]["target"][0]["id"], id.as_str());
    }
}

/// A client assertion of `agent` for the org token endpoint signed with `pem` under `kid`.
fn assertion(s: &TestServer, agent: &str, pem: &str, kid: &str) -> String {
    let claims = assertion_claims(agent, &s.url("/oauth2/v1/token"), s.clock.now_s());
    let signer = josekit::jws::RS256.signer_from_pem(pem.as_bytes()).unwrap();
    let mut header = josekit::jws::JwsHeader::new();
    header.set_key_id(kid);
    josekit::jws::serialize_compact(&serde_json::to_vec(&claims).unwrap(), &header, &signer).unwrap()
}

async fn exchange(s: &TestServer, agent: &str, pem: &str, kid: &str, t1: &str) -> common::oauth::Reply {
    let a = assertion(s, agent, pem, kid);
    let audience = s.url(&format!("/oauth2/{KNOWLEDGE}"));
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("requested_token_type", "urn:ietf:params:oauth:token-type:id-jag"),
        ("subject_token", t1),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ("audience", audience.as_str()),
        ("scope", "Corp-Knowledge-Agent:execute"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", a.as_str()),
    ];
    s.post_form("/oauth2/v1/token", &[], &form).await
}

/// An agent registered, keyed, activated, connected and linked only through the API exchanges
/// the chat app's access token for an ID-JAG; deactivated through the API, it no longer can.
async fn api_built_agent_can_exchange(backend: Backend) {
    let Some(s) = seeded_with(backend, |c| c.admin_api_token = Some(ADMIN_TOKEN.into())).await else { return };
    let org = s.org_id();
    let (_, id) = register(&s, &json!({"profile": {"name": "Research agent"}, "appId": CHAT})).await;
    let (jwk, pem, kid) = fresh_key(SigningAlg::Rs256);
    s.api_post(&format!("{P}/ai-agents/{id}/credentials/jwks"), &jwk).await.expect(201);
    let conn = json!({"connectionType": "IDENTITY_ASSERTION_CUSTOM_AS",
        "authorizationServer": {"orn": format!("orn:okta:idp:{org}:authorization_servers:{KNOWLEDGE}")},
        "scopeCondition": "INCLUDE_ONLY", "scopes": ["Corp-Knowledge-Agent:execute"]});
    s.api_post(&format!("{P}/ai-agents/{id}/connections"), &conn).await.expect(201);
    let link = json!({"from": {"type": "OKTA_AUTHORIZATION_SERVER", "clientOrn": format!("orn:okta:idp:{org}:apps:oidc:{CHAT}"),
        "tokenType": "ACCESS_TOKEN"}, "to": {"resourceOrn": format!("orn:okta:directory:{org}:workload-principals:ai-agents:{id}")}});
    s.api_post(&format!("{P}/delegation-links"), &link).await.expect(201);
    let t1 = chat_tokens(&s, "openid profile email").await["access_token"].as_str().unwrap().to_owned();

    // STAGED: cannot authenticate.
    let r = exchange(&s, &id, &pem, &kid, &t1).await;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.body["error"], "invalid_client");

    s.api_post(&format!("{P}/ai-agents/{id}/lifecycle/activate"), &json!({})).await.expect(202);
    let r = exchange(&s, &id, &pem, &kid, &t1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["issued_token_type"], "urn:ietf:params:oauth:token-type:id-jag");
    assert_eq!(r.body["scope"], "Corp-Knowledge-Agent:execute");
    let (header, claims) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(header["typ"], "oauth-id-jag+jwt");
    assert_eq!(claims["client_id"], id.as_str());
    assert_eq!(claims["aud"], s.url(&format!("/oauth2/{KNOWLEDGE}")).as_str());
    assert_eq!(
        claims["act"],
        json!({"sub": id, "sub_profile": "ai_agent", "act": {"sub": CHAT, "sub_profile": "web_app"}})
    );

    // The key deactivated: the assertion no longer verifies; reactivated: it does.
    s.api_post(&format!("{P}/ai-agents/{id}/credentials/jwks/{kid}/lifecycle/deactivate"), &json!({}))
        .await
        .expect(200);
    assert_eq!(exchange(&s, &id, &pem, &kid, &t1).await.status, 401);
    s.api_post(&format!("{P}/ai-agents/{id}/credentials/jwks/{kid}/lifecycle/activate"), &json!({})).await.expect(200);
    assert_eq!(exchange(&s, &id, &pem, &kid, &t1).await.status, 200);

    // Deactivated through the API: the next exchange fails.
    s.api_post(&format!("{P}/ai-agents/{id}/lifecycle/deactivate"), &json!({})).await.expect(202);
    let r = exchange(&s, &id, &pem, &kid, &t1).await;
    r.assert_error(401, "invalid_client", "The issuer claim for client_assertion is not a valid client_id.");
}

backend_tests!(agent_lifecycle, agent_errors, list_search_and_paging, credentials, api_built_agent_can_exchange);
