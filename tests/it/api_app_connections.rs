//! App-owned resource connections through the API (`/api/v1/apps/{id}/connections`, baton's
//! addition beside Okta's agent connections; xaa.md §1.4): the same shapes, validation,
//! lifecycle and events as an agent's, plus `targetClientId` and `consentRequired`; and the
//! connection made here is what lets the chat app exchange its user's ID token for an ID-JAG.

use crate::common;

use common::api::ADMIN_TOKEN;
use common::oauth::{chat_tokens, decode, seeded_with, Reply, CHAT, KNOWLEDGE, ORCHESTRATOR};
use common::{Backend, TestServer};
use serde_json::{json, Value};

backend_tests!(app_connection_lets_the_app_exchange);

const EXECUTE: &str = "Corp-Knowledge-Agent:execute";

/// The chat app exchanges its user's ID token at the org AS for an ID-JAG for the Knowledge AS.
async fn exchange(s: &TestServer, id_token: &str) -> Reply {
    let audience = s.url(&format!("/oauth2/{KNOWLEDGE}"));
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("requested_token_type", "urn:ietf:params:oauth:token-type:id-jag"),
        ("subject_token", id_token),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:id_token"),
        ("audience", &audience),
    ];
    s.chat_token(None, &form).await
}

async fn app_connection_lets_the_app_exchange(backend: Backend) {
    let Some(s) = seeded_with(backend, |c| c.admin_api_token = Some(ADMIN_TOKEN.into())).await else { return };
    let tokens = chat_tokens(&s, "openid profile email").await;
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let refused = exchange(&s, &id_token).await;
    assert_eq!((refused.status, &refused.body["error"]), (400, &json!("invalid_target")), "{}", refused.text);

    let url = format!("/api/v1/apps/{CHAT}/connections");
    let orn = format!("orn:okta:idp:{}:authorization_servers:{KNOWLEDGE}", s.org_id());
    let bad = s
        .api_post(
            &url,
            &json!({"connectionType": "IDENTITY_ASSERTION_CUSTOM_AS", "authorizationServer": {"orn": orn},
                    "scopes": [EXECUTE], "targetClientId": "", "consentRequired": "yes"}),
        )
        .await
        .okta_error(400, "E0000001");
    let causes: Vec<&str> =
        bad["errorCauses"].as_array().unwrap().iter().map(|c| c["errorSummary"].as_str().unwrap()).collect();
    assert_eq!(causes, ["targetClientId: must be a client id", "consentRequired: must be true or false"]);
    s.api_post("/api/v1/apps/0oaNoSuchApp00000000/connections", &json!({})).await.okta_error(404, "E0000007");

    let body = json!({"connectionType": "IDENTITY_ASSERTION_CUSTOM_AS", "authorizationServer": {"orn": orn},
                      "scopeCondition": "INCLUDE_ONLY", "scopes": [EXECUTE], "targetClientId": ORCHESTRATOR});
    let created = s.api_post(&url, &body).await.expect(201);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["targetClientId"], ORCHESTRATOR);
    assert!(created.get("consentRequired").is_none(), "shown only when true");
    assert_eq!(created["_links"]["self"]["href"], json!(s.url(&format!("{url}/{id}"))));
    assert_eq!(s.api_get(&format!("{url}/{id}")).await.expect(200), created);
    assert_eq!(s.api_get(&url).await.expect(200)["data"], json!([created]));
    let events = s.events_of_type("workload_principal.resource_connection.create").await;
    let events: Vec<&Value> = events.iter().filter(|e| e["target"][1]["id"] == json!(id)).collect();
    assert_eq!(events.len(), 1, "the seed's two connections logged theirs too");
    assert_eq!((&events[0]["target"][0]["id"], &events[0]["target"][0]["type"]), (&json!(CHAT), &json!("AppInstance")));
    assert_eq!(events[0]["target"][1]["id"], json!(id));
    // One connection per (owner, AS).
    s.api_post(&url, &body).await.okta_error(400, "E0000001");

    let granted = exchange(&s, &id_token).await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    let (_, jag) = decode(granted.body["access_token"].as_str().unwrap());
    assert_eq!((&jag["client_id"], &jag["scope"]), (&json!(ORCHESTRATOR), &json!(EXECUTE)));

    // Deactivated: refused again; active again: granted; patched: consent now required.
    let off: Value = s.api_post(&format!("{url}/{id}/lifecycle/deactivate"), &json!({})).await.expect(200);
    assert_eq!(off["status"], "INACTIVE");
    assert_eq!(exchange(&s, &id_token).await.body["error"], "invalid_target");
    s.api_post(&format!("{url}/{id}/lifecycle/activate"), &json!({})).await.expect(200);
    assert_eq!(exchange(&s, &id_token).await.status, 200);
    let patched = s.api_patch(&format!("{url}/{id}"), &json!({"consentRequired": true, "targetClientId": null})).await;
    let patched = patched.expect(200);
    assert_eq!((patched["consentRequired"].clone(), patched.get("targetClientId")), (json!(true), None));
    let stored = s.state.store.find_connection(&id).await.unwrap().unwrap();
    assert!(stored.consent_required && stored.target_client_id.is_none());
    let waiting = exchange(&s, &id_token).await;
    assert_ne!(waiting.status, 200, "the user has not approved: {}", waiting.text);

    // Documented in the OpenAPI document, with the apps.
    let doc = s.api_get("/api/v1/openapi.json").await.expect(200);
    assert_eq!(doc["paths"]["/api/v1/apps/{id}/connections"]["post"]["tags"], json!(["Application"]));
    let links = &doc["paths"]["/workload-principals/api/v1/delegation-links"]["get"]["tags"];
    assert_eq!(links, &json!(["AIAgent"]));

    // Only under its owner; deleted, gone.
    let agent_url = format!("/workload-principals/api/v1/ai-agents/{ORCHESTRATOR}/connections/{id}");
    s.api_get(&agent_url).await.okta_error(404, "E0000007");
    assert_eq!(s.api_delete(&format!("{url}/{id}")).await.status, 204);
    s.api_get(&format!("{url}/{id}")).await.okta_error(404, "E0000007");
    for t in ["update", "activate", "deactivate", "delete"] {
        let events = s.events_of_type(&format!("workload_principal.resource_connection.{t}")).await;
        assert_eq!(events.len(), 1, "{t}");
        assert_eq!(events[0]["target"][0]["type"], "AppInstance", "{t}");
    }
}
