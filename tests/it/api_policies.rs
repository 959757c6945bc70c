//! Access policies and rules of a custom AS through `/api/v1/authorizationServers/{as}/policies`
//! (okta-surface.md §1, §7.4, §11.4): exact shapes, validation with one cause per field,
//! priority shifting, lifecycle, System Log events (§14), and a policy made through the API
//! governing real token requests.

use crate::common;

use baton::domain::AuthMethod;
use common::api::api_server;
use common::oauth::{app, basic, create_app, decode, path};
use common::{Backend, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const AS: &str = "/api/v1/authorizationServers";
const SECRET: &str = "service-secret-0123456789abcdef";

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

async fn new_server(s: &TestServer) -> String {
    let body = json!({"name": "Orders", "description": "Orders API", "audiences": ["api://orders"]});
    let server = s.api_post(AS, &body).await.expect(201);
    let id = server["id"].as_str().unwrap().to_owned();
    s.api_post(&format!("{AS}/{id}/scopes"), &json!({"name": "orders:read"})).await.expect(201);
    s.api_post(&format!("{AS}/{id}/scopes"), &json!({"name": "orders:write"})).await.expect(201);
    id
}

fn policy_body(name: &str, priority: Option<i64>) -> Value {
    let mut b = json!({"type": "OAUTH_AUTHORIZATION_POLICY", "name": name, "description": format!("{name} policy"),
                       "conditions": {"clients": {"include": ["ALL_CLIENTS"]}}});
    if let Some(p) = priority {
        b["priority"] = json!(p);
    }
    b
}

fn rule_body(name: &str, grants: &[&str], scopes: &[&str]) -> Value {
    json!({"type": "RESOURCE_ACCESS", "name": name,
           "conditions": {"people": {"groups": {"include": ["EVERYONE"]}},
                          "grantTypes": {"include": grants}, "scopes": {"include": scopes}},
           "actions": {"token": {"accessTokenLifetimeMinutes": 30, "refreshTokenLifetimeMinutes": 0,
                                 "refreshTokenWindowMinutes": 10080}}})
}

/// `(name, priority)` of every item of a list, in list order.
fn order(list: &Value) -> Vec<(String, i64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["priority"].as_i64().unwrap()))
        .collect()
}

fn named(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(n, p)| ((*n).to_owned(), *p)).collect()
}

#[allow(clippy::many_single_char_names)]
async fn policy_crud_and_priorities(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let id = new_server(&s).await;
    let base = format!("{AS}/{id}/policies");
    let a = s.api_post(&base, &policy_body("A", None)).await.expect(201);
    let pid = a["id"].as_str().unwrap().to_owned();
    assert!(pid.starts_with("00p"));
    let url = s.url(&format!("{base}/{pid}"));
    assert_eq!(
        a,
        json!({"type": "OAUTH_AUTHORIZATION_POLICY", "id": pid, "status": "ACTIVE", "name": "A",
               "description": "A policy", "priority": 1, "system": false,
               "conditions": {"clients": {"include": ["ALL_CLIENTS"]}},
               "created": a["created"], "lastUpdated": a["lastUpdated"],
               "_links": {"self": {"href": url}, "rules": {"href": format!("{url}/rules")},
                          "deactivate": {"href": format!("{url}/lifecycle/deactivate"), "method": "POST"}}})
    );
    assert!(a["created"].as_str().unwrap().ends_with('Z'));
    assert_eq!(s.api_get(&format!("{base}/{pid}")).await.expect(200), a);
    // Appending, then inserting at a taken priority shifts the others down.
    s.api_post(&base, &policy_body("B", None)).await.expect(201);
    let c = s.api_post(&base, &policy_body("C", Some(1))).await.expect(201);
    assert_eq!(c["priority"], 1);
    assert_eq!(order(&s.api_get(&base).await.expect(200)), named(&[("C", 1), ("A", 2), ("B", 3)]));
    let d = s.api_post(&base, &policy_body("D", Some(99))).await.expect(201);
    assert_eq!(d["priority"], 4, "a priority past the end appends");
    // Moving one by PUT renumbers the rest; PUT without a priority keeps its place.
    let mut moved = policy_body("B", Some(1));
    moved["conditions"]["clients"]["include"] = json!(["ALL_CLIENTS"]);
    let b_id = s.api_get(&base).await.expect(200)[2]["id"].as_str().unwrap().to_owned();
    s.api_put(&format!("{base}/{b_id}"), &moved).await.expect(200);
    assert_eq!(order(&s.api_get(&base).await.expect(200)), named(&[("B", 1), ("C", 2), ("A", 3), ("D", 4)]));
    let put = s.api_put(&format!("{base}/{pid}"), &policy_body("A2", None)).await.expect(200);
    assert_eq!((put["name"].as_str(), put["priority"].as_i64()), (Some("A2"), Some(3)));
    // Validation: every wrong field its own cause.
    let e = s
        .api_post(&base, &json!({"type": "OKTA_SIGN_ON", "priority": 0, "conditions": {"clients": {"include": []}}}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: type, name, priority, conditions.clients.include");
    assert_eq!(e["errorCauses"].as_array().unwrap().len(), 4);
    let mut unknown = policy_body("X", None);
    unknown["conditions"]["clients"]["include"] = json!(["0oanosuchclient00000"]);
    let e = s.api_post(&base, &unknown).await.okta_error(400, "E0000001");
    assert_eq!(
        e["errorCauses"],
        json!([{"errorSummary": "conditions.clients.include: 0oanosuchclient00000 is not a client of this org"}])
    );
    s.api_post(&base, &json!({"type": "OAUTH_AUTHORIZATION_POLICY", "name": "n"})).await.okta_error(400, "E0000001");
    s.api_post(&base, &json!("x")).await.okta_error(400, "E0000003");
    // Lifecycle.
    assert_eq!(s.api_post(&format!("{base}/{pid}/lifecycle/deactivate"), &json!({})).await.status, 204);
    let got = s.api_get(&format!("{base}/{pid}")).await.expect(200);
    assert_eq!(got["status"], "INACTIVE");
    assert_eq!(got["_links"]["activate"]["href"], json!(format!("{url}/lifecycle/activate")));
    assert!(got["_links"].get("deactivate").is_none());
    assert_eq!(s.api_post(&format!("{base}/{pid}/lifecycle/activate"), &json!({})).await.status, 204);
    // Delete.
    assert_eq!(s.api_delete(&format!("{base}/{pid}")).await.status, 204);
    s.api_get(&format!("{base}/{pid}")).await.okta_error(404, "E0000007");
    s.api_delete(&format!("{base}/{pid}")).await.okta_error(404, "E0000007");
    s.api_get(&format!("{AS}/nope/policies")).await.okta_error(404, "E0000007");
    s.api_get(&format!("{AS}/default/policies/{b_id}")).await.okta_error(404, "E0000007");
    for (t, n) in [
        ("policy.lifecycle.create", 4),
        ("policy.lifecycle.update", 2),
        ("policy.lifecycle.deactivate", 1),
        ("policy.lifecycle.activate", 1),
        ("policy.lifecycle.delete", 1),
    ] {
        let e = s.events_of_type(t).await;
        assert_eq!(e.len(), n, "{t}");
        assert_eq!(e[0]["target"][0]["type"], "PolicyEntity", "{t}");
        assert_eq!(e[0]["target"][1]["id"], json!(id), "{t}");
    }
}

async fn rules_crud_validation_and_priorities(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    // The seeded rule has exactly §1's shape.
    let policies = s.api_get(&format!("{AS}/default/policies")).await.expect(200);
    assert_eq!(policies.as_array().unwrap().len(), 1);
    let seeded_policy = &policies[0];
    assert_eq!(seeded_policy["name"], "Default Policy");
    let dp = seeded_policy["id"].as_str().unwrap();
    let rules = s.api_get(&format!("{AS}/default/policies/{dp}/rules")).await.expect(200);
    let mut seeded = rules[0].clone();
    let rid = seeded["id"].as_str().unwrap().to_owned();
    assert!(rid.starts_with("0pr"));
    let url = s.url(&format!("{AS}/default/policies/{dp}/rules/{rid}"));
    assert_eq!(
        seeded["_links"],
        json!({"self": {"href": url}, "deactivate": {"href": format!("{url}/lifecycle/deactivate"), "method": "POST"}})
    );
    for k in ["id", "created", "lastUpdated", "_links"] {
        seeded.as_object_mut().unwrap().remove(k);
    }
    // §1 verbatim.
    assert_eq!(
        seeded,
        json!({"type":"RESOURCE_ACCESS","name":"Default Policy Rule","priority":1,"status":"ACTIVE","system":false,
          "conditions":{"people":{"users":{"include":[],"exclude":[]},"groups":{"include":["EVERYONE"],"exclude":[]}},
            "grantTypes":{"include":["authorization_code","client_credentials","urn:ietf:params:oauth:grant-type:device_code","urn:ietf:params:oauth:grant-type:jwt-bearer","urn:ietf:params:oauth:grant-type:token-exchange"]},
            "scopes":{"include":["*"]}},
          "actions":{"token":{"accessTokenLifetimeMinutes":60,"refreshTokenLifetimeMinutes":0,"refreshTokenWindowMinutes":10080}}})
    );
    // Create on a new server.
    let id = new_server(&s).await;
    let p = s.api_post(&format!("{AS}/{id}/policies"), &policy_body("P", None)).await.expect(201);
    let base = format!("{AS}/{id}/policies/{}/rules", p["id"].as_str().unwrap());
    let r1 = s.api_post(&base, &rule_body("R1", &["client_credentials"], &["orders:read"])).await.expect(201);
    assert_eq!(
        keys(&r1),
        [
            "type",
            "id",
            "name",
            "priority",
            "status",
            "system",
            "conditions",
            "actions",
            "created",
            "lastUpdated",
            "_links"
        ]
        .iter()
        .map(|k| (*k).to_owned())
        .collect()
    );
    assert_eq!(r1["priority"], 1);
    assert_eq!(
        r1["conditions"],
        json!({"people": {"users": {"include": [], "exclude": []}, "groups": {"include": ["EVERYONE"], "exclude": []}},
               "grantTypes": {"include": ["client_credentials"]}, "scopes": {"include": ["orders:read"]}})
    );
    assert_eq!(
        r1["actions"],
        json!({"token": {
            "accessTokenLifetimeMinutes": 30, "refreshTokenLifetimeMinutes": 0, "refreshTokenWindowMinutes": 10080
        }})
    );
    let r1_id = r1["id"].as_str().unwrap().to_owned();
    assert_eq!(s.api_get(&format!("{base}/{r1_id}")).await.expect(200), r1);
    // Priorities shift.
    s.api_post(&base, &rule_body("R2", &["client_credentials"], &["*"])).await.expect(201);
    let mut r0 = rule_body("R0", &["authorization_code"], &["*"]);
    r0["priority"] = json!(1);
    s.api_post(&base, &r0).await.expect(201);
    assert_eq!(order(&s.api_get(&base).await.expect(200)), named(&[("R0", 1), ("R1", 2), ("R2", 3)]));
    let mut again = rule_body("R1", &["client_credentials"], &["orders:read"]);
    again["priority"] = json!(3);
    s.api_put(&format!("{base}/{r1_id}"), &again).await.expect(200);
    assert_eq!(order(&s.api_get(&base).await.expect(200)), named(&[("R0", 1), ("R2", 2), ("R1", 3)]));
    // Validation: each violation its own cause, in one E0000001.
    let mut bad = rule_body("", &["password", "refresh_token"], &["nope:scope"]);
    bad["type"] = json!("ACCESS");
    bad["actions"]["token"] =
        json!({"accessTokenLifetimeMinutes": 4, "refreshTokenLifetimeMinutes": 3, "refreshTokenWindowMinutes": 9});
    bad["conditions"]["people"] =
        json!({"users": {"include": ["00unosuchuser0000000"]}, "groups": {"include": ["00gnosuchgroup000000"]}});
    let e = s.api_post(&base, &bad).await.okta_error(400, "E0000001");
    assert_eq!(
        e["errorSummary"],
        "Api validation failed: type, name, conditions.people.users.include, conditions.people.groups.include, \
         conditions.grantTypes.include, conditions.scopes.include, actions.token.accessTokenLifetimeMinutes, \
         actions.token.refreshTokenLifetimeMinutes, actions.token.refreshTokenWindowMinutes"
    );
    let causes: Vec<&str> =
        e["errorCauses"].as_array().unwrap().iter().map(|c| c["errorSummary"].as_str().unwrap()).collect();
    assert!(causes.contains(&"conditions.grantTypes.include: password is not a grant type a rule can allow"));
    assert!(causes.contains(&"conditions.grantTypes.include: refresh_token is not a grant type a rule can allow"));
    assert!(causes.contains(&"actions.token.accessTokenLifetimeMinutes: must be between 5 and 1440"));
    assert!(causes.contains(&"actions.token.refreshTokenWindowMinutes: must be between 10 and 2628000"));
    assert_eq!(causes.len(), 10, "{causes:?}");
    let mut short = rule_body("S", &["client_credentials"], &["*"]);
    short["actions"]["token"] = json!({
        "accessTokenLifetimeMinutes": 1441,
        "refreshTokenLifetimeMinutes": 60,
        "refreshTokenWindowMinutes": 2_628_001,
    });
    let e = s.api_post(&base, &short).await.okta_error(400, "E0000001");
    assert_eq!(e["errorCauses"].as_array().unwrap().len(), 3, "{e}");
    let mut refresh = rule_body("S", &["client_credentials"], &["*"]);
    refresh["actions"]["token"]["refreshTokenLifetimeMinutes"] = json!(20);
    let e = s.api_post(&base, &refresh).await.okta_error(400, "E0000001");
    assert_eq!(
        e["errorCauses"],
        json!([{"errorSummary":
            "actions.token.refreshTokenLifetimeMinutes: must be 0 (unlimited) or at least the access token lifetime"}])
    );
    refresh["actions"]["token"]["refreshTokenLifetimeMinutes"] = json!(30);
    s.api_post(&base, &refresh).await.expect(201);
    let e = s.api_post(&base, &json!({"type": "RESOURCE_ACCESS", "name": "n"})).await.okta_error(400, "E0000001");
    assert!(e["errorSummary"].as_str().unwrap().starts_with("Api validation failed: conditions"));
    // Lifecycle and delete.
    assert_eq!(s.api_post(&format!("{base}/{r1_id}/lifecycle/deactivate"), &json!({})).await.status, 204);
    assert_eq!(s.api_get(&format!("{base}/{r1_id}")).await.expect(200)["status"], "INACTIVE");
    assert_eq!(s.api_post(&format!("{base}/{r1_id}/lifecycle/activate"), &json!({})).await.status, 204);
    assert_eq!(s.api_delete(&format!("{base}/{r1_id}")).await.status, 204);
    s.api_get(&format!("{base}/{r1_id}")).await.okta_error(404, "E0000007");
    s.api_get(&format!("{AS}/{id}/policies/00pnosuchpolicy00000/rules")).await.okta_error(404, "E0000007");
    for (t, n) in [
        ("policy.rule.add", 4),
        ("policy.rule.update", 1),
        ("policy.rule.deactivate", 1),
        ("policy.rule.activate", 1),
        ("policy.rule.delete", 1),
    ] {
        let e = s.events_of_type(t).await;
        assert_eq!(e.len(), n, "{t}");
        assert_eq!(e[0]["target"][0]["type"], "PolicyRule", "{t}");
        assert_eq!(e[0]["target"][1]["type"], "PolicyEntity", "{t}");
        assert_eq!(e[0]["target"][2]["id"], json!(id), "{t}");
    }
}

async fn cc(s: &TestServer, client: &str, auth_server: &str, scope: &str) -> common::oauth::Reply {
    let auth = basic(client, SECRET);
    let form = [("grant_type", "client_credentials"), ("scope", scope)];
    s.post_form(&path(Some(auth_server), "token"), &[("authorization", &auth)], &form).await
}

async fn api_policy_governs_tokens(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let id = new_server(&s).await;
    let worker = app("Worker", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], s.clock.now_ms());
    create_app(&s, &worker, Some(SECRET)).await;
    let client = worker.client_id.clone();
    // A new server has no policy: nothing is granted.
    cc(&s, &client, &id, "orders:read").await.assert_error(
        401,
        "access_denied",
        "Policy evaluation failed for this request, please check the policy configurations.",
    );
    let mut body = policy_body("Workers", None);
    body["conditions"]["clients"]["include"] = json!([client]);
    let p = s.api_post(&format!("{AS}/{id}/policies"), &body).await.expect(201);
    let base = format!("{AS}/{id}/policies/{}/rules", p["id"].as_str().unwrap());
    let rule = s.api_post(&base, &rule_body("Read", &["client_credentials"], &["orders:read"])).await.expect(201);
    let rule_url = format!("{base}/{}", rule["id"].as_str().unwrap());
    let ok = cc(&s, &client, &id, "orders:read").await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["expires_in"], json!(1800), "the rule's 30 minutes");
    let (_, claims) = decode(ok.body["access_token"].as_str().unwrap());
    assert_eq!(claims["iss"], json!(s.url(&format!("/oauth2/{id}"))));
    assert_eq!(claims["aud"], "api://orders");
    assert_eq!(claims["scp"], json!(["orders:read"]));
    // The rule's scopes bound what is granted.
    cc(&s, &client, &id, "orders:write").await.assert_error(
        400,
        "access_denied",
        "Policy evaluation succeeded, but all the requested scopes were rejected.",
    );
    // Its grant types too.
    s.api_put(&rule_url, &rule_body("Read", &["authorization_code"], &["orders:read"])).await.expect(200);
    assert_eq!(cc(&s, &client, &id, "orders:read").await.status, 401);
    s.api_put(&rule_url, &rule_body("Read", &["client_credentials"], &["*"])).await.expect(200);
    assert_eq!(cc(&s, &client, &id, "orders:write").await.status, 200);
    // An inactive rule or policy grants nothing.
    s.api_post(&format!("{rule_url}/lifecycle/deactivate"), &json!({})).await;
    assert_eq!(cc(&s, &client, &id, "orders:read").await.status, 401);
    s.api_post(&format!("{rule_url}/lifecycle/activate"), &json!({})).await;
    assert_eq!(cc(&s, &client, &id, "orders:read").await.status, 200);
    let policy_url = format!("{AS}/{id}/policies/{}", p["id"].as_str().unwrap());
    s.api_post(&format!("{policy_url}/lifecycle/deactivate"), &json!({})).await;
    assert_eq!(cc(&s, &client, &id, "orders:read").await.status, 401);
    // A policy for other clients does not cover this one.
    s.api_post(&format!("{policy_url}/lifecycle/activate"), &json!({})).await;
    let other = app("Other", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], s.clock.now_ms());
    create_app(&s, &other, Some(SECRET)).await;
    assert_eq!(cc(&s, &other.client_id, &id, "orders:read").await.status, 401);
    assert_eq!(cc(&s, &client, &id, "orders:read").await.status, 200);
}

backend_tests!(policy_crud_and_priorities, rules_crud_validation_and_priorities, api_policy_governs_tokens);
