//! `/api/v1/authorizationServers` (okta-surface.md §11.4): servers, their signing keys, scopes
//! and claims — exact shapes, validation, lifecycle against the OAuth endpoints, key rotation
//! seen by `/v1/keys` and new tokens, claims carried by tokens, and the System Log (§14).

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

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

async fn create(s: &TestServer, name: &str, audience: &str) -> Value {
    s.api_post(AS, &json!({"name": name, "description": format!("{name} API"), "audiences": [audience]}))
        .await
        .expect(201)
}

/// A service app allowed `client_credentials`; returns its client id.
async fn service(s: &TestServer) -> String {
    let a = app("Worker", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], s.clock.now_ms());
    create_app(s, &a, Some(SECRET)).await;
    a.client_id
}

async fn cc(s: &TestServer, client: &str, auth_server: &str, scope: &str) -> common::oauth::Reply {
    let auth = basic(client, SECRET);
    let form = [("grant_type", "client_credentials"), ("scope", scope)];
    s.post_form(&path(Some(auth_server), "token"), &[("authorization", &auth)], &form).await
}

async fn server_crud_and_shape(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    s.clock.freeze_at(s.clock.now_ms());
    let created = create(&s, "Orders", "api://orders").await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("aus") && id.len() == 20, "{id}");
    assert_eq!(
        keys(&created),
        set(&[
            "id",
            "name",
            "description",
            "audiences",
            "issuer",
            "issuerMode",
            "status",
            "created",
            "lastUpdated",
            "credentials",
            "_links"
        ])
    );
    let url = s.url(&format!("{AS}/{id}"));
    let issuer = s.url(&format!("/oauth2/{id}"));
    assert_eq!(created["name"], "Orders");
    assert_eq!(created["description"], "Orders API");
    assert_eq!(created["audiences"], json!(["api://orders"]));
    assert_eq!(created["issuer"], json!(issuer));
    assert_eq!(created["issuerMode"], "ORG_URL");
    assert_eq!(created["status"], "ACTIVE");
    let signing = &created["credentials"]["signing"];
    assert_eq!(keys(signing), set(&["rotationMode", "lastRotated", "nextRotation", "kid"]));
    assert_eq!(signing["rotationMode"], "AUTO");
    let now = s.clock.now_ms();
    assert_eq!(signing["lastRotated"], json!(baton::clock::iso8601(now)));
    assert_eq!(signing["nextRotation"], json!(baton::clock::iso8601(now + 90 * 24 * 3600 * 1000)));
    let links = &created["_links"];
    assert_eq!(keys(links), set(&["self", "scopes", "claims", "policies", "rotateKey", "deactivate", "metadata"]));
    assert_eq!(links["self"]["href"], json!(url));
    assert_eq!(links["scopes"]["href"], json!(format!("{url}/scopes")));
    assert_eq!(links["rotateKey"], json!({"href": format!("{url}/credentials/lifecycle/keyRotate"), "method": "POST"}));
    assert_eq!(links["deactivate"], json!({"href": format!("{url}/lifecycle/deactivate"), "method": "POST"}));
    assert_eq!(
        links["metadata"],
        json!([
            {"name": "oauth-authorization-server", "href": format!("{issuer}/.well-known/oauth-authorization-server")},
            {"name": "openid-configuration", "href": format!("{issuer}/.well-known/openid-configuration")},
        ])
    );
    // System scopes and ACTIVE + NEXT keys, no policy.
    let scopes = s.api_get(&format!("{AS}/{id}/scopes")).await.expect(200);
    let names: BTreeSet<String> =
        scopes.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().into()).collect();
    assert_eq!(names, set(&["openid", "profile", "email", "address", "phone", "offline_access"]));
    assert!(scopes.as_array().unwrap().iter().all(|s| s["system"] == true));
    assert_eq!(s.api_get(&format!("{AS}/{id}/policies")).await.expect(200), json!([]));
    let ks = s.api_get(&format!("{AS}/{id}/credentials/keys")).await.expect(200);
    let statuses: Vec<&str> = ks.as_array().unwrap().iter().map(|k| k["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["ACTIVE", "NEXT"]);
    assert_eq!(ks[0]["kid"], signing["kid"]);
    // GET is the same document; the default server is listed with it.
    assert_eq!(s.api_get(&format!("{AS}/{id}")).await.expect(200), created);
    let all = s.api(reqwest::Method::GET, AS, None).await;
    assert_eq!(all.links(), vec![format!("<{}>; rel=\"self\"", s.url(AS))]);
    let all = all.expect(200);
    let ids: Vec<&str> = all.as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"default") && ids.contains(&id.as_str()));
    let q = s.api_get(&format!("{AS}?q=ord")).await.expect(200);
    assert_eq!(q.as_array().unwrap().len(), 1);
    assert_eq!(q[0]["id"], json!(id));
    // Paging: limit 1 → a next link that leads to the other one.
    let p1 = s.api_get(&format!("{AS}?limit=1")).await;
    let next = p1.next().expect("a next link");
    let first = p1.expect(200);
    let p2 = s.api_get(&next).await;
    assert!(p2.next().is_none());
    let second = p2.expect(200);
    assert_eq!(first.as_array().unwrap().len() + second.as_array().unwrap().len(), 2);
    assert_ne!(first[0]["id"], second[0]["id"]);
    // Validation.
    let e = s.api_post(AS, &json!({"name": "Two", "audiences": ["a", "b"]})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: audiences");
    assert_eq!(e["errorCauses"], json!([{"errorSummary": "audiences: exactly one audience is required"}]));
    let e = s.api_post(AS, &json!({"audiences": []})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: name, audiences");
    assert_eq!(e["errorCauses"].as_array().unwrap().len(), 2);
    let e = s.api_post(AS, &json!({"name": "Orders", "audiences": ["x"]})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: name");
    s.api_post(AS, &json!({"name": "default", "audiences": ["x"]})).await.okta_error(400, "E0000001");
    s.api_post(AS, &json!([1])).await.okta_error(400, "E0000003");
    // Replace.
    s.clock.advance(1000);
    let put = s
        .api_put(&format!("{AS}/{id}"), &json!({"name": "Orders v2", "audiences": ["api://orders2"]}))
        .await
        .expect(200);
    assert_eq!(put["name"], "Orders v2");
    assert_eq!(put["description"], Value::Null);
    assert_eq!(put["audiences"], json!(["api://orders2"]));
    assert_ne!(put["lastUpdated"], created["lastUpdated"]);
    assert_eq!(put["created"], created["created"]);
    s.api_put(&format!("{AS}/{id}"), &json!({"name": "default", "audiences": ["x"]})).await.okta_error(400, "E0000001");
    s.api_put(&format!("{AS}/nope"), &json!({"name": "n", "audiences": ["x"]})).await.okta_error(404, "E0000007");
    // Delete: default is protected.
    let e = s.api_delete(&format!("{AS}/default")).await.okta_error(403, "E0000006");
    assert_eq!(e["errorSummary"], "You do not have permission to perform the requested action");
    assert_eq!(s.api_delete(&format!("{AS}/{id}")).await.status, 204);
    let e = s.api_get(&format!("{AS}/{id}")).await.okta_error(404, "E0000007");
    assert_eq!(e["errorSummary"], format!("Not found: Resource not found: {id} (AuthorizationServer)"));
    assert!(s.state.store.list_signing_keys(&id).await.unwrap().is_empty());
    for t in ["oauth2.as.created", "oauth2.as.updated", "oauth2.as.deleted"] {
        let e = s.events_of_type(t).await;
        assert_eq!(e.len(), 1, "{t}");
        assert_eq!(e[0]["target"][0]["id"], json!(id), "{t}");
        assert_eq!(e[0]["target"][0]["type"], "AuthorizationServer");
        assert!(e[0]["transaction"]["detail"]["requestApiTokenId"].as_str().unwrap().starts_with("00T"));
    }
}

async fn lifecycle_controls_the_oauth_endpoints(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let id = create(&s, "Orders", "api://orders").await["id"].as_str().unwrap().to_owned();
    let discovery = format!("/oauth2/{id}/.well-known/openid-configuration");
    assert_eq!(s.get(&discovery).await.status(), 200);
    let r = s.api_post(&format!("{AS}/{id}/lifecycle/deactivate"), &json!({})).await;
    assert_eq!((r.status, r.body), (204, Value::Null));
    let (status, body) = s.get_json(&discovery).await;
    assert_eq!(status, 404);
    assert_eq!(body["errorCode"], "E0000007");
    let got = s.api_get(&format!("{AS}/{id}")).await.expect(200);
    assert_eq!(got["status"], "INACTIVE");
    assert!(got["_links"].get("deactivate").is_none());
    assert_eq!(got["_links"]["activate"]["href"], json!(s.url(&format!("{AS}/{id}/lifecycle/activate"))));
    assert_eq!(s.api_post(&format!("{AS}/{id}/lifecycle/activate"), &json!({})).await.status, 204);
    assert_eq!(s.get(&discovery).await.status(), 200);
    // The default server can be deactivated too.
    assert_eq!(s.api_post(&format!("{AS}/default/lifecycle/deactivate"), &json!({})).await.status, 204);
    assert_eq!(s.get("/oauth2/default/.well-known/openid-configuration").await.status(), 404);
    s.api_post(&format!("{AS}/nope/lifecycle/activate"), &json!({})).await.okta_error(404, "E0000007");
    assert_eq!(s.events_of_type("oauth2.as.deactivated").await.len(), 2);
    let activated = s.events_of_type("oauth2.as.activated").await;
    assert_eq!(activated.len(), 1);
    assert_eq!(activated[0]["target"][0]["id"], json!(id));
}

async fn keys_and_rotation(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    s.clock.freeze_at(s.clock.now_ms());
    let client = service(&s).await;
    s.api_post(&format!("{AS}/default/scopes"), &json!({"name": "orders:read"})).await.expect(201);
    let base = format!("{AS}/default/credentials");
    let before = s.api_get(&format!("{base}/keys")).await.expect(200);
    let before = before.as_array().unwrap().clone();
    assert_eq!(before.len(), 2);
    let (active, next) = (before[0]["kid"].as_str().unwrap(), before[1]["kid"].as_str().unwrap());
    assert_eq!(keys(&before[0]), set(&["alg", "e", "n", "kid", "kty", "use", "status", "_links"]));
    assert_eq!((before[0]["alg"].as_str(), before[0]["kty"].as_str()), (Some("RS256"), Some("RSA")));
    assert_eq!(before[0]["use"], "sig");
    let one = s.api_get(&format!("{base}/keys/{next}")).await.expect(200);
    assert_eq!(one, before[1]);
    assert_eq!(one["status"], "NEXT");
    assert_eq!(one["_links"]["self"]["href"], json!(s.url(&format!("{base}/keys/{next}"))));
    s.api_get(&format!("{base}/keys/unknown-kid")).await.okta_error(404, "E0000007");
    s.api_get(&format!("{AS}/nope/credentials/keys")).await.okta_error(404, "E0000007");
    // Tokens are signed with the ACTIVE key before.
    let t = cc(&s, &client, "default", "orders:read").await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(decode(t.body["access_token"].as_str().unwrap()).0["kid"], json!(active));
    // Validation of the body.
    let e =
        s.api_post(&format!("{base}/lifecycle/keyRotate"), &json!({"use": "enc"})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorCauses"], json!([{"errorSummary": "use: must be sig"}]));
    s.api_post(&format!("{base}/lifecycle/keyRotate"), &json!({})).await.okta_error(400, "E0000001");
    // Rotate.
    s.clock.advance(60_000);
    let after = s.api_post(&format!("{base}/lifecycle/keyRotate"), &json!({"use": "sig"})).await.expect(200);
    let after = after.as_array().unwrap();
    let status_of = |kid: &str| after.iter().find(|k| k["kid"] == kid).map(|k| k["status"].clone());
    assert_eq!(after.len(), 3);
    assert_eq!(status_of(next), Some(json!("ACTIVE")));
    assert_eq!(status_of(active), Some(json!("EXPIRED")));
    let new_next = after.iter().find(|k| k["status"] == "NEXT").unwrap()["kid"].as_str().unwrap();
    assert!(new_next != active && new_next != next);
    let server = s.api_get(&format!("{AS}/default")).await.expect(200);
    assert_eq!(server["credentials"]["signing"]["kid"], json!(next));
    assert_eq!(server["credentials"]["signing"]["lastRotated"], json!(baton::clock::iso8601(s.clock.now_ms())));
    // /v1/keys publishes the new key, and new tokens carry its kid.
    let (_, jwks) = s.get_json("/oauth2/default/v1/keys").await;
    let published: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(published.contains(&next) && published.contains(&new_next), "{published:?}");
    let t = cc(&s, &client, "default", "orders:read").await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(decode(t.body["access_token"].as_str().unwrap()).0["kid"], json!(next));
    let e = s.events_of_type("oauth2.as.key.rollover").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["target"][0]["id"], "default");
}

#[allow(clippy::many_single_char_names)]
async fn scopes_crud(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let base = format!("{AS}/default/scopes");
    let body = json!({"name": "orders:read", "description": "Read orders", "displayName": "Read your orders"});
    let created = s.api_post(&base, &body).await.expect(201);
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("scp"));
    assert_eq!(
        created,
        json!({"id": id, "name": "orders:read", "description": "Read orders", "displayName": "Read your orders",
               "system": false, "default": false, "optional": false, "consent": "IMPLICIT",
               "metadataPublish": "NO_CLIENTS", "_links": {"self": {"href": s.url(&format!("{base}/{id}"))}}})
    );
    assert_eq!(s.api_get(&format!("{base}/{id}")).await.expect(200), created);
    let e = s.api_post(&base, &json!({"name": "orders:read"})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: name");
    let e = s
        .api_post(&base, &json!({"name": "bad name", "consent": "SOMETIMES", "metadataPublish": "SOME"}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: name, consent, metadataPublish");
    assert_eq!(e["errorCauses"].as_array().unwrap().len(), 3);
    s.api_post(&base, &json!({})).await.okta_error(400, "E0000001");
    let w = s
        .api_post(
            &base,
            &json!({"name": "orders:write", "consent": "REQUIRED", "metadataPublish": "ALL_CLIENTS", "default": true}),
        )
        .await
        .expect(201);
    assert_eq!(
        (w["consent"].as_str(), w["metadataPublish"].as_str(), w["default"].as_bool()),
        (Some("REQUIRED"), Some("ALL_CLIENTS"), Some(true))
    );
    // q, filter and paging.
    let q = s.api_get(&format!("{base}?q=orders")).await.expect(200);
    assert_eq!(q.as_array().unwrap().len(), 2);
    let f = s.api_get(&format!("{base}?filter=name%20eq%20%22orders:write%22")).await.expect(200);
    assert_eq!(f.as_array().unwrap().len(), 1);
    assert_eq!(f[0]["id"], w["id"]);
    let f = s.api_get(&format!("{base}?filter=system%20eq%20true")).await.expect(200);
    assert_eq!(f.as_array().unwrap().len(), 6);
    s.api_get(&format!("{base}?filter=nonsense")).await.okta_error(400, "E0000031");
    let p = s.api_get(&format!("{base}?limit=5")).await;
    let next = p.next().unwrap();
    assert_eq!(p.expect(200).as_array().unwrap().len(), 5);
    let p2 = s.api_get(&next).await;
    assert!(p2.next().is_none());
    assert_eq!(p2.expect(200).as_array().unwrap().len(), 3);
    // Discovery lists ALL_CLIENTS scopes only.
    let (_, doc) = s.get_json("/oauth2/default/.well-known/openid-configuration").await;
    let supported = doc["scopes_supported"].as_array().unwrap();
    assert!(supported.contains(&json!("orders:write")) && !supported.contains(&json!("orders:read")));
    // Replace; rename onto a taken name is a conflict.
    let put =
        s.api_put(&format!("{base}/{id}"), &json!({"name": "orders:list", "consent": "FLEXIBLE"})).await.expect(200);
    assert_eq!(
        (put["name"].as_str(), put["consent"].as_str(), put["description"].clone()),
        (Some("orders:list"), Some("FLEXIBLE"), Value::Null)
    );
    s.api_put(&format!("{base}/{id}"), &json!({"name": "orders:write"})).await.okta_error(400, "E0000001");
    // System scopes stay.
    let openid = s.api_get(&format!("{base}?q=openid")).await.expect(200)[0]["id"].as_str().unwrap().to_owned();
    s.api_delete(&format!("{base}/{openid}")).await.okta_error(403, "E0000006");
    s.api_put(&format!("{base}/{openid}"), &json!({"name": "oid"})).await.okta_error(403, "E0000006");
    assert_eq!(s.api_delete(&format!("{base}/{id}")).await.status, 204);
    s.api_get(&format!("{base}/{id}")).await.okta_error(404, "E0000007");
    s.api_delete(&format!("{base}/{id}")).await.okta_error(404, "E0000007");
    s.api_get(&format!("{AS}/nope/scopes")).await.okta_error(404, "E0000007");
    assert_eq!(s.events_of_type("oauth2.scope.created").await.len(), 2);
    assert_eq!(s.events_of_type("oauth2.scope.updated").await.len(), 1);
    let deleted = s.events_of_type("oauth2.scope.deleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["target"][0]["id"], json!(id));
    assert_eq!(deleted[0]["target"][1]["id"], "default");
}

async fn claims_crud_and_tokens(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let client = service(&s).await;
    s.api_post(&format!("{AS}/default/scopes"), &json!({"name": "orders:read"})).await.expect(201);
    s.api_post(&format!("{AS}/default/scopes"), &json!({"name": "orders:write"})).await.expect(201);
    let base = format!("{AS}/default/claims");
    let body = json!({"name": "tier", "claimType": "RESOURCE", "valueType": "EXPRESSION", "value": "\"gold\"",
                      "conditions": {"scopes": []}, "alwaysIncludeInToken": true});
    let created = s.api_post(&base, &body).await.expect(201);
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("ocl"));
    assert_eq!(
        created,
        json!({"id": id, "name": "tier", "status": "ACTIVE", "claimType": "RESOURCE", "valueType": "EXPRESSION",
               "value": "\"gold\"", "conditions": {"scopes": []}, "system": false, "alwaysIncludeInToken": true,
               "_links": {"self": {"href": s.url(&format!("{base}/{id}"))}}})
    );
    assert_eq!(s.api_get(&format!("{base}/{id}")).await.expect(200), created);
    assert_eq!(s.api_get(&base).await.expect(200), json!([created]));
    // What the API stored is what the token carries.
    let t = cc(&s, &client, "default", "orders:read").await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(decode(t.body["access_token"].as_str().unwrap()).1["tier"], "gold");
    // A scope condition that the grant does not meet leaves it out.
    let put = s
        .api_put(
            &format!("{base}/{id}"),
            &json!({"name": "tier", "claimType": "RESOURCE", "value": "'silver'",
                                                   "conditions": {"scopes": ["orders:read"]}}),
        )
        .await
        .expect(200);
    assert_eq!(put["conditions"], json!({"scopes": ["orders:read"]}));
    let t = cc(&s, &client, "default", "orders:write").await;
    assert!(decode(t.body["access_token"].as_str().unwrap()).1.get("tier").is_none());
    let t = cc(&s, &client, "default", "orders:read").await;
    assert_eq!(decode(t.body["access_token"].as_str().unwrap()).1["tier"], "silver");
    // GROUPS claims show their filter.
    let groups = s
        .api_post(
            &base,
            &json!({"name": "groups", "claimType": "IDENTITY", "valueType": "GROUPS",
                                  "group_filter_type": "REGEX", "value": ".*", "alwaysIncludeInToken": false}),
        )
        .await
        .expect(201);
    assert_eq!(groups["group_filter_type"], "REGEX");
    assert_eq!(groups["alwaysIncludeInToken"], false);
    // Validation: each wrong field its own cause.
    let e = s
        .api_post(&base, &json!({"name": "x", "claimType": "RESOURCE", "value": "user.profile.login + 1"}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: value");
    assert!(e["errorCauses"][0]["errorSummary"].as_str().unwrap().starts_with("value: "));
    let e = s
        .api_post(
            &base,
            &json!({"name": "g", "claimType": "IDENTITY", "valueType": "GROUPS",
                                  "group_filter_type": "REGEX", "value": "(", "alwaysIncludeInToken": true}),
        )
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorCauses"], json!([{"errorSummary": "value: is not a valid regular expression"}]));
    let e = s
        .api_post(
            &base,
            &json!({"name": "g", "claimType": "IDENTITY", "valueType": "GROUPS", "group_filter_type": "LIKE", "value": "a"}),
        )
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: group_filter_type");
    let e = s
        .api_post(&base, &json!({"name": "s", "claimType": "RESOURCE", "valueType": "SYSTEM", "value": "x"}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: valueType");
    let e = s.api_post(&base, &json!({"name": "sub", "value": "'x'"})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: name, claimType");
    let e = s
        .api_post(&base, &json!({"name": "r", "claimType": "RESOURCE", "value": "'x'", "alwaysIncludeInToken": false}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: alwaysIncludeInToken");
    let e = s
        .api_post(&base, &json!({"name": "tier", "claimType": "RESOURCE", "value": "'x'"}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: name", "same name and type");
    s.api_post(&base, &json!({"name": "tier", "claimType": "IDENTITY", "value": "'x'"})).await.expect(201);
    let e = s
        .api_post(
            &base,
            &json!({"name": "c", "claimType": "RESOURCE", "value": "'x'", "conditions": {"scopes": ["nope"]}}),
        )
        .await
        .okta_error(400, "E0000001");
    assert_eq!(
        e["errorCauses"],
        json!([{"errorSummary": "conditions.scopes: nope is not a scope of this authorization server"}])
    );
    // Delete.
    assert_eq!(s.api_delete(&format!("{base}/{id}")).await.status, 204);
    s.api_get(&format!("{base}/{id}")).await.okta_error(404, "E0000007");
    let t = cc(&s, &client, "default", "orders:read").await;
    assert!(decode(t.body["access_token"].as_str().unwrap()).1.get("tier").is_none());
    assert_eq!(s.events_of_type("oauth2.claim.created").await.len(), 3);
    assert_eq!(s.events_of_type("oauth2.claim.updated").await.len(), 1);
    let deleted = s.events_of_type("oauth2.claim.deleted").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["target"][0]["type"], "OAuth2Claim");
}

backend_tests!(
    server_crud_and_shape,
    lifecycle_controls_the_oauth_endpoints,
    keys_and_rotation,
    scopes_crud,
    claims_crud_and_tokens
);
