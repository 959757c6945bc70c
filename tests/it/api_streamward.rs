//! The whole Streamward setup (xaa.md §9) built through the Management and AI-agent APIs
//! alone, on a server started without a seed file, and then the chain run against it with real
//! tokens: sign-in and code flow at the default AS (T1), the orchestrator's exchange (J1) and
//! redemption at Corp Knowledge (T2), the knowledge agent's exchange (J2) and redemption at
//! Aurora DB (T3), with the act chain growing hop by hop.

use crate::browser;
use crate::common;

use browser::{Browser, PASSWORD};
use common::api::api_server;
use common::oauth::{assertion_claims, basic, decode, key_pem, path, pkce, sign_assertion, Reply, ASSERTION_TYPE};
use common::{Backend, TestServer};
use serde_json::{json, Value};

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ID_JAG: &str = "urn:ietf:params:oauth:token-type:id-jag";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const LOGIN: &str = "demouser@streamward.com";
const REDIRECT: &str = "http://localhost:3000/callback";
const KNOWLEDGE_AUD: &str = "https://streamward.com/corp/knowledge";
const AURORA_AUD: &str = "https://streamward.com/auroradb/mcp";

/// What the API handed back while building the setup.
struct Setup {
    user: String,
    chat: String,
    chat_secret: String,
    orchestrator: String,
    knowledge_agent: String,
    knowledge: String,
    aurora: String,
}

fn public_jwk(pem: &str) -> Value {
    let material = baton::jose::keys::from_pem(baton::domain::SigningAlg::Rs256, &key_pem(pem)).unwrap();
    material.public_jwk
}

/// `POST` to the AI-agent API answers 202 with the `Location` of a COMPLETED operation that
/// names the agent.
async fn register_agent(s: &TestServer, body: &Value) -> String {
    let r = s.api_post("/workload-principals/api/v1/ai-agents", body).await;
    let location = r.headers["location"].to_str().unwrap().to_owned();
    r.expect(202);
    let op = s.api_get(&location).await.expect(200);
    assert_eq!(op["status"], "COMPLETED");
    op["resource"]["id"].as_str().unwrap().to_owned()
}

async fn agent_with_key(s: &TestServer, body: &Value, pem: &str) -> String {
    let id = register_agent(s, body).await;
    let key =
        s.api_post(&format!("/workload-principals/api/v1/ai-agents/{id}/credentials/jwks"), &public_jwk(pem)).await;
    assert_eq!(key.expect(201)["status"], "ACTIVE");
    let r = s.api_post(&format!("/workload-principals/api/v1/ai-agents/{id}/lifecycle/activate"), &json!({})).await;
    r.expect(202);
    id
}

/// A custom AS with one scope and a policy for `client` whose rule lets EVERYONE redeem
/// ID-JAGs (jwt-bearer) for that scope.
async fn resource_server(s: &TestServer, name: &str, audience: &str, scope: &str, client: &str) -> String {
    let server = s
        .api_post("/api/v1/authorizationServers", &json!({"name": name, "description": name, "audiences": [audience]}))
        .await
        .expect(201);
    let id = server["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/authorizationServers/{id}");
    s.api_post(&format!("{base}/scopes"), &json!({"name": scope, "description": scope})).await.expect(201);
    let policy = s
        .api_post(
            &format!("{base}/policies"),
            &json!({"type": "OAUTH_AUTHORIZATION_POLICY", "name": format!("{name} clients"), "description": "agents",
                    "priority": 1, "conditions": {"clients": {"include": [client]}}}),
        )
        .await
        .expect(201);
    let rule = json!({
        "name": format!("{name} ID-JAG redemption"), "type": "RESOURCE_ACCESS", "priority": 1,
        "conditions": {"people": {"groups": {"include": ["EVERYONE"]}},
                       "grantTypes": {"include": [JWT_BEARER]}, "scopes": {"include": [scope]}},
        "actions": {"token": {"accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0,
                              "refreshTokenWindowMinutes": 10080}}
    });
    s.api_post(&format!("{base}/policies/{}/rules", policy["id"].as_str().unwrap()), &rule).await.expect(201);
    id
}

async fn build(s: &TestServer) -> Setup {
    let org = s.api_get("/api/v1/org").await.expect(200)["id"].as_str().unwrap().to_owned();
    let user = s
        .api_post(
            "/api/v1/users?activate=true",
            &json!({"profile": {"login": LOGIN, "email": LOGIN, "firstName": "Demo", "lastName": "User"},
                    "credentials": {"password": {"value": PASSWORD}}}),
        )
        .await
        .expect(200);
    assert_eq!(user["status"], "ACTIVE");
    let user = user["id"].as_str().unwrap().to_owned();

    let chat = s
        .api_post(
            "/api/v1/apps",
            &json!({"name": "oidc_client", "label": "Streamward Chat", "signOnMode": "OPENID_CONNECT",
                    "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
                    "settings": {"oauthClient": {"redirect_uris": [REDIRECT], "response_types": ["code"],
                        "grant_types": ["authorization_code", "refresh_token", TOKEN_EXCHANGE],
                        "application_type": "web"}}}),
        )
        .await
        .expect(200);
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let chat_client = chat["credentials"]["oauthClient"]["client_id"].as_str().unwrap().to_owned();
    let chat_secret = chat["credentials"]["oauthClient"]["client_secret"].as_str().unwrap().to_owned();
    let everyone = s.api_get("/api/v1/groups?q=Everyone").await.expect(200)[0]["id"].as_str().unwrap().to_owned();
    s.api_put(&format!("/api/v1/apps/{chat_id}/groups/{everyone}"), &json!({"priority": 0})).await.expect(200);

    let orchestrator = agent_with_key(
        s,
        &json!({"profile": {"name": "Orchestrator", "description": "Plans and delegates"}, "appId": chat_id,
                "owners": [user]}),
        "orchestrator",
    )
    .await;
    let knowledge_agent = agent_with_key(
        s,
        &json!({"profile": {"name": "Corp-Knowledge-Agent", "description": "Answers from the knowledge base"},
                "appId": chat_id, "resourceUrl": KNOWLEDGE_AUD, "owners": [user]}),
        "corp-knowledge-agent",
    )
    .await;

    let knowledge =
        resource_server(s, "Corp Knowledge", KNOWLEDGE_AUD, "Corp-Knowledge-Agent:execute", &orchestrator).await;
    let aurora = resource_server(s, "Aurora DB", AURORA_AUD, "Aurora-DB:read", &knowledge_agent).await;

    let agent_orn = |id: &str| format!("orn:okta:directory:{org}:workload-principals:ai-agents:{id}");
    let links = [
        (format!("orn:okta:idp:{org}:apps:oidc:{chat_client}"), &orchestrator),
        (agent_orn(&orchestrator), &knowledge_agent),
    ];
    for (from, to) in links {
        s.api_post(
            "/workload-principals/api/v1/delegation-links",
            &json!({"from": {"type": "OKTA_AUTHORIZATION_SERVER", "clientOrn": from, "tokenType": "ACCESS_TOKEN"},
                    "to": {"resourceOrn": agent_orn(to)}}),
        )
        .await
        .expect(201);
    }
    let connections = [
        (&orchestrator, &knowledge, Some(KNOWLEDGE_AUD), "Corp-Knowledge-Agent:execute"),
        (&knowledge_agent, &aurora, None, "Aurora-DB:read"),
    ];
    for (owner, server, resource, scope) in connections {
        let mut body = json!({"connectionType": "IDENTITY_ASSERTION_CUSTOM_AS",
            "authorizationServer": {"orn": format!("orn:okta:idp:{org}:authorization_servers:{server}")},
            "scopeCondition": "INCLUDE_ONLY", "scopes": [scope]});
        if let Some(r) = resource {
            body["resourceIndicator"] = json!(r);
        }
        s.api_post(&format!("/workload-principals/api/v1/ai-agents/{owner}/connections"), &body).await.expect(201);
    }
    Setup { user, chat: chat_client, chat_secret, orchestrator, knowledge_agent, knowledge, aurora }
}

async fn as_agent(s: &TestServer, agent: &str, pem: &str, url_path: &str, form: &[(&str, &str)]) -> Reply {
    let ca = sign_assertion(pem, None, &assertion_claims(agent, &s.url(url_path), s.clock.now_s()));
    let mut all = vec![("client_assertion_type", ASSERTION_TYPE), ("client_assertion", ca.as_str())];
    all.extend_from_slice(form);
    s.post_form(url_path, &[], &all).await
}

async fn exchange(
    s: &TestServer,
    agent: &str,
    pem: &str,
    subject: &str,
    server: &str,
    resource: Option<&str>,
    scope: &str,
) -> Reply {
    let audience = s.url(&format!("/oauth2/{server}"));
    let mut form = vec![
        ("grant_type", TOKEN_EXCHANGE),
        ("requested_token_type", ID_JAG),
        ("subject_token", subject),
        ("subject_token_type", ACCESS_TOKEN),
        ("audience", audience.as_str()),
        ("scope", scope),
    ];
    if let Some(r) = resource {
        form.push(("resource", r));
    }
    as_agent(s, agent, pem, &path(None, "token"), &form).await
}

fn token(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["access_token"].as_str().unwrap().to_owned()
}

/// Hop 1: the user signs in through the real page; the chat app redeems the code at `default`.
async fn user_token(s: &TestServer, setup: &Setup) -> String {
    let (verifier, challenge) = pkce();
    let url = format!(
        "/oauth2/default/v1/authorize?client_id={}&response_type=code&scope=openid%20profile%20email&redirect_uri={}&state=st&nonce=n&code_challenge={challenge}&code_challenge_method=S256",
        setup.chat,
        urlencoding(REDIRECT)
    );
    let mut b = Browser::new(s);
    let page = b.get(&url).await;
    let done = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!(done.status, 302, "{}", done.body);
    let code = done.redirect_params()["code"].clone();
    let auth = basic(&setup.chat, &setup.chat_secret);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
    ];
    token(&s.post_form(&path(Some("default"), "token"), &[("authorization", &auth)], &form).await)
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn streamward_built_through_the_api(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let setup = build(&s).await;

    let t1 = user_token(&s, &setup).await;
    let j1 = token(
        &exchange(
            &s,
            &setup.orchestrator,
            "orchestrator",
            &t1,
            &setup.knowledge,
            Some(KNOWLEDGE_AUD),
            "Corp-Knowledge-Agent:execute",
        )
        .await,
    );
    let (header, c) = decode(&j1);
    assert_eq!(header["typ"], "oauth-id-jag+jwt");
    assert_eq!(c["sub"], json!(setup.user), "an ID-JAG names the user by id");
    let j1_act = json!({"sub": setup.orchestrator, "sub_profile": "ai_agent",
                        "act": {"sub": setup.chat, "sub_profile": "web_app"}});
    assert_eq!(c["act"], j1_act);

    let redeem = |server: String, agent: String, pem: &'static str, jag: String| {
        let s = &s;
        async move {
            as_agent(s, &agent, pem, &path(Some(&server), "token"), &[("grant_type", JWT_BEARER), ("assertion", &jag)])
                .await
        }
    };
    let t2 = token(&redeem(setup.knowledge.clone(), setup.orchestrator.clone(), "orchestrator", j1).await);
    let (_, c2) = decode(&t2);
    assert_eq!(c2["aud"], json!(KNOWLEDGE_AUD));
    assert_eq!(c2["scp"], json!(["Corp-Knowledge-Agent:execute"]));
    assert_eq!(c2["uid"], json!(setup.user));

    let j2 = token(
        &exchange(&s, &setup.knowledge_agent, "corp-knowledge-agent", &t2, &setup.aurora, None, "Aurora-DB:read").await,
    );
    let t3 = token(&redeem(setup.aurora.clone(), setup.knowledge_agent.clone(), "corp-knowledge-agent", j2).await);
    let (_, c3) = decode(&t3);
    assert_eq!(c3["aud"], json!(AURORA_AUD));
    assert_eq!(c3["scp"], json!(["Aurora-DB:read"]));
    assert_eq!(c3["sub"], json!(LOGIN));
    assert_eq!(c3["act"], json!({"sub": setup.knowledge_agent, "sub_profile": "ai_agent", "act": j1_act}));

    // The API's own writes and the chain's grants are all in the System Log.
    for event_type in [
        "user.lifecycle.create",
        "application.lifecycle.create",
        "workload_principal.ai_agent.register",
        "workload_principal.resource_connection.create",
        "workload_principal.delegation_link.create",
        "oauth2.as.created",
        "policy.rule.add",
        "app.oauth2.token.grant.id_jag",
    ] {
        let r = s.api_get(&format!("/api/v1/logs?filter=eventType%20eq%20%22{event_type}%22")).await;
        let events = r.expect(200);
        assert!(!events.as_array().unwrap().is_empty(), "no {event_type} event");
    }
}

backend_tests!(streamward_built_through_the_api);
