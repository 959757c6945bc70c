//! Resource connections and delegation links of the AI-agent API (okta-surface.md §13): exact
//! shapes with ORNs in and out, lifecycle, paging, every validation error, and their events.

use crate::common;

use common::api::ADMIN_TOKEN;
use common::oauth::{seeded_with, CHAT, KNOWLEDGE, ORCHESTRATOR};
use common::{Backend, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const P: &str = "/workload-principals/api/v1";
const AURORA: &str = "ausDqjwbmWqxUvljogI0";

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

async fn server(backend: Backend) -> Option<TestServer> {
    seeded_with(backend, |c| c.admin_api_token = Some(ADMIN_TOKEN.into())).await
}

async fn new_agent(s: &TestServer, name: &str) -> String {
    let r = s.api_post(&format!("{P}/ai-agents"), &json!({"profile": {"name": name}})).await;
    let location = r.headers["location"].to_str().unwrap().to_owned();
    r.expect(202);
    let op = s.api_get(&location).await.expect(200);
    op["resource"]["id"].as_str().unwrap().to_owned()
}

fn as_orn(s: &TestServer, id: &str) -> String {
    format!("orn:okta:idp:{}:authorization_servers:{id}", s.org_id())
}

fn agent_orn(s: &TestServer, id: &str) -> String {
    format!("orn:okta:directory:{}:workload-principals:ai-agents:{id}", s.org_id())
}

async fn count(s: &TestServer, event_type: &str) -> usize {
    s.events_of_type(event_type).await.len()
}

async fn connections(backend: Backend) {
    let Some(s) = server(backend).await else { return };
    let id = new_agent(&s, "Connector").await;
    let url = format!("{P}/ai-agents/{id}/connections");
    let before = count(&s, "workload_principal.resource_connection.create").await;
    let body = json!({"connectionType": "IDENTITY_ASSERTION_CUSTOM_AS", "authorizationServer": {"orn": as_orn(&s, KNOWLEDGE)},
        "resourceIndicator": "https://streamward.com/corp/knowledge", "scopeCondition": "INCLUDE_ONLY",
        "scopes": ["Corp-Knowledge-Agent:execute"]});
    let conn = s.api_post(&url, &body).await.expect(201);
    assert_eq!(
        keys(&conn),
        set(&[
            "id",
            "orn",
            "connectionType",
            "status",
            "authorizationServer",
            "resourceIndicator",
            "scopeCondition",
            "scopes",
            "created",
            "lastUpdated",
            "_links"
        ])
    );
    let cid = conn["id"].as_str().unwrap().to_owned();
    assert!(cid.starts_with("mcn") && cid.len() == 20);
    assert_eq!(conn["orn"], format!("orn:okta:idp:{}:connections:{cid}", s.org_id()));
    assert_eq!(conn["status"], "ACTIVE");
    assert_eq!(
        conn["authorizationServer"],
        json!({"orn": as_orn(&s, KNOWLEDGE), "issuerUrl": s.url(&format!("/oauth2/{KNOWLEDGE}"))})
    );
    assert_eq!(conn["scopes"], json!(["Corp-Knowledge-Agent:execute"]));
    assert_eq!(conn["_links"], json!({"self": {"href": s.url(&format!("{url}/{cid}"))}}));
    assert_eq!(s.api_get(&format!("{url}/{cid}")).await.expect(200), conn);
    assert_eq!(count(&s, "workload_principal.resource_connection.create").await, before + 1);
    // One per (agent, AS).
    let err = s.api_post(&url, &body).await.okta_error(400, "E0000001");
    assert_eq!(err["errorSummary"], "Api validation failed: authorizationServer.orn");
    // Without resourceIndicator and scopeCondition (defaults to INCLUDE_ONLY).
    let aurora_conn = s
        .api_post(
            &url,
            &json!({"connectionType": "IDENTITY_ASSERTION_CUSTOM_AS",
            "authorizationServer": {"orn": as_orn(&s, AURORA)}, "scopes": ["Aurora-DB:read"]}),
        )
        .await
        .expect(201);
    assert!(aurora_conn.get("resourceIndicator").is_none());
    assert_eq!(aurora_conn["scopeCondition"], "INCLUDE_ONLY");
    let page = s.api_get(&format!("{url}?limit=1")).await.expect(200);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let rest = s.api_get(page["_links"]["next"]["href"].as_str().unwrap()).await.expect(200);
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(rest["_links"].get("next").is_none());

    // PATCH: null removes the indicator; scopes replaced.
    let patched = s
        .api_patch(&format!("{url}/{cid}"), &json!({"resourceIndicator": null, "scopes": ["a", "b", "a"]}))
        .await
        .expect(200);
    assert!(patched.get("resourceIndicator").is_none());
    assert_eq!(patched["scopes"], json!(["a", "b"]));
    assert_eq!(count(&s, "workload_principal.resource_connection.update").await, 1);
    // Lifecycle.
    let deactivated = s.api_post(&format!("{url}/{cid}/lifecycle/deactivate"), &json!({})).await.expect(200);
    assert_eq!(deactivated["status"], "INACTIVE");
    let activated = s.api_post(&format!("{url}/{cid}/lifecycle/activate"), &json!({})).await.expect(200);
    assert_eq!(activated["status"], "ACTIVE");
    assert_eq!(count(&s, "workload_principal.resource_connection.deactivate").await, 1);
    assert_eq!(count(&s, "workload_principal.resource_connection.activate").await, 1);

    // Errors.
    let wrong = |patch: Value| {
        let mut b = body.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for (change, field) in [
        (json!({"connectionType": "IDENTITY_ASSERTION_OKTA_AS"}), "connectionType"),
        (json!({"scopeCondition": "EXCLUDE"}), "scopeCondition"),
        (json!({"scopes": []}), "scopes"),
        (json!({"scopes": "x"}), "scopes"),
        (json!({"resourceIndicator": "no uri"}), "resourceIndicator"),
        (json!({"authorizationServer": {"orn": as_orn(&s, "ausNope")}}), "authorizationServer.orn"),
        (
            json!({"authorizationServer": {"orn": format!("orn:okta:idp:00oOther:authorization_servers:{AURORA}")}}),
            "authorizationServer.orn",
        ),
        (json!({"authorizationServer": {"orn": AURORA}}), "authorizationServer.orn"),
        (json!({"authorizationServer": {}}), "authorizationServer.orn"),
    ] {
        let err = s.api_post(&url, &wrong(change.clone())).await.okta_error(400, "E0000001");
        assert_eq!(err["errorSummary"], format!("Api validation failed: {field}"), "{change}");
    }
    let err = s.api_post(&url, &json!({})).await.okta_error(400, "E0000001");
    assert_eq!(err["errorSummary"], "Api validation failed: connectionType, authorizationServer.orn, scopes");
    s.api_get(&format!("{url}/mcnNope")).await.okta_error(404, "E0000007");
    // A connection of another agent is not found under this one.
    let other = new_agent(&s, "Other agent").await;
    s.api_get(&format!("{P}/ai-agents/{other}/connections/{cid}")).await.okta_error(404, "E0000007");
    s.api_post(&format!("{P}/ai-agents/wlpNope/connections"), &body).await.okta_error(404, "E0000007");

    let reply = s.api_delete(&format!("{url}/{cid}")).await;
    assert_eq!(reply.status, 204);
    s.api_get(&format!("{url}/{cid}")).await.okta_error(404, "E0000007");
    assert_eq!(count(&s, "workload_principal.resource_connection.delete").await, 1);
}

async fn delegation_links(backend: Backend) {
    let Some(s) = server(backend).await else { return };
    let org = s.org_id();
    let id = new_agent(&s, "Delegate").await;
    let url = format!("{P}/delegation-links");
    let before = count(&s, "workload_principal.delegation_link.create").await;
    let body = json!({"from": {"type": "OKTA_AUTHORIZATION_SERVER", "clientOrn": format!("orn:okta:idp:{org}:apps:oidc_client:{CHAT}"),
        "tokenType": "ID_TOKEN"}, "to": {"resourceOrn": agent_orn(&s, &id)}});
    let l = s.api_post(&url, &body).await.expect(201);
    assert_eq!(keys(&l), set(&["id", "from", "to", "created", "_links"]));
    let lid = l["id"].as_str().unwrap().to_owned();
    assert!(lid.starts_with("dlk") && lid.len() == 20);
    assert_eq!(
        l["from"],
        json!({"type": "OKTA_AUTHORIZATION_SERVER", "clientOrn": format!("orn:okta:idp:{org}:apps:oidc:{CHAT}"), "tokenType": "ID_TOKEN"})
    );
    assert_eq!(
        l["to"],
        json!({"resourceOrn": agent_orn(&s, &id), "authorizationServerOrn": format!("orn:okta:idp:{org}:authorization_servers:{org}")})
    );
    assert_eq!(l["_links"], json!({"self": {"href": s.url(&format!("{url}/{lid}"))}}));
    assert_eq!(s.api_get(&format!("{url}/{lid}")).await.expect(200), l);
    assert_eq!(count(&s, "workload_principal.delegation_link.create").await, before + 1);
    let stored = s.state.store.find_delegation_link(&lid).await.unwrap().unwrap();
    assert_eq!(stored.from_client_id, CHAT);
    // The same link again.
    s.api_post(&url, &body).await.okta_error(400, "E0000001");
    // From another agent, access tokens.
    let from_agent = json!({"from": {"type": "OKTA_AUTHORIZATION_SERVER", "clientOrn": agent_orn(&s, ORCHESTRATOR),
        "tokenType": "ACCESS_TOKEN"}, "to": {"resourceOrn": agent_orn(&s, &id)}});
    let l2 = s.api_post(&url, &from_agent).await.expect(201);
    assert_eq!(l2["from"]["clientOrn"], agent_orn(&s, ORCHESTRATOR).as_str());

    // Paging to the end (the seed has two links as well).
    let mut total = 0;
    let mut next = Some(s.url(&format!("{url}?limit=1")));
    while let Some(u) = next {
        let page = s.api_get(&u).await.expect(200);
        total += page["data"].as_array().unwrap().len();
        next = page["_links"]["next"]["href"].as_str().map(str::to_owned);
    }
    assert_eq!(total, 4);

    // Errors, each naming its field.
    let with = |path: &[&str], v: Value| {
        let mut b = body.clone();
        let mut at = &mut b;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = v;
        b
    };
    for (b, field) in [
        (with(&["from", "type"], json!("APP")), "from.type"),
        (with(&["from", "tokenType"], json!("REFRESH_TOKEN")), "from.tokenType"),
        (with(&["from", "clientOrn"], json!(format!("orn:okta:idp:{org}:apps:oidc:0oaNope"))), "from.clientOrn"),
        (with(&["from", "clientOrn"], json!(format!("orn:okta:idp:00oOther:apps:oidc:{CHAT}"))), "from.clientOrn"),
        (with(&["from", "clientOrn"], json!(as_orn(&s, KNOWLEDGE))), "from.clientOrn"),
        (with(&["from", "clientOrn"], json!(agent_orn(&s, &id))), "from.clientOrn"),
        (with(&["to", "resourceOrn"], json!(agent_orn(&s, "wlpNope"))), "to.resourceOrn"),
        (with(&["to", "resourceOrn"], json!(format!("orn:okta:idp:{org}:apps:oidc:{CHAT}"))), "to.resourceOrn"),
        (with(&["to", "resourceOrn"], json!("wlp123")), "to.resourceOrn"),
    ] {
        let e = s.api_post(&url, &b).await.okta_error(400, "E0000001");
        assert_eq!(e["errorSummary"], format!("Api validation failed: {field}"), "{b}");
    }
    let e = s.api_post(&url, &json!({})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: from.type, from.clientOrn, from.tokenType, to.resourceOrn");
    s.api_get(&format!("{url}/dlkNope")).await.okta_error(404, "E0000007");
    s.api_delete(&format!("{url}/dlkNope")).await.okta_error(404, "E0000007");

    let r = s.api_delete(&format!("{url}/{lid}")).await;
    assert_eq!(r.status, 204);
    s.api_get(&format!("{url}/{lid}")).await.okta_error(404, "E0000007");
    assert!(s.state.store.find_delegation_link(&lid).await.unwrap().is_none());
    assert_eq!(count(&s, "workload_principal.delegation_link.delete").await, 1);
}

backend_tests!(connections, delegation_links);
