//! `/api/v1/groups` (okta-surface.md §11.2): shapes, create/get/replace/delete with their
//! events, the built-in `Everyone`, memberships with Link paging, list q/filter/search, and
//! the apps assigned to a group.

use crate::common;

use baton::domain::AuthMethod;
use common::api::api_server;
use common::oauth::{app, create_app};
use common::Backend;
use serde_json::{json, Value};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn ids_of(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap().to_owned()).collect()
}

async fn everyone(s: &common::TestServer) -> Value {
    let r = s.api_get("/api/v1/groups?q=Every").await.expect(200);
    r.as_array().unwrap()[0].clone()
}

async fn crud_shapes_and_events(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let g = s
        .api_post("/api/v1/groups", &json!({"profile": {"name": "Engineering", "description": "All engineers"}}))
        .await
        .expect(200);
    assert_eq!(
        keys(&g),
        ["_links", "created", "id", "lastMembershipUpdated", "lastUpdated", "objectClass", "profile", "type"]
    );
    let id = g["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("00g"));
    let url = s.url(&format!("/api/v1/groups/{id}"));
    assert_eq!(g["objectClass"], json!(["okta:user_group"]));
    assert_eq!(g["type"], "OKTA_GROUP");
    assert_eq!(g["profile"], json!({"name": "Engineering", "description": "All engineers"}));
    assert_eq!(
        g["_links"],
        json!({"self": {"href": url}, "users": {"href": format!("{url}/users")}, "apps": {"href": format!("{url}/apps")}})
    );
    assert_eq!(s.api_get(&format!("/api/v1/groups/{id}")).await.expect(200), g);
    let e =
        s.api_post("/api/v1/groups", &json!({"profile": {"name": "Engineering"}})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: name");
    assert_eq!(
        e["errorCauses"][0]["errorSummary"],
        "name: An object with this field already exists in the current organization"
    );
    let e = s.api_post("/api/v1/groups", &json!({"profile": {"description": "x"}})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorCauses"][0]["errorSummary"], "name: The field cannot be left blank");
    s.api_post("/api/v1/groups", &json!([1])).await.okta_error(400, "E0000003");
    let ev = s.events_of_type("group.lifecycle.create").await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["target"][0]["id"], json!(id));
    assert_eq!(ev[0]["target"][0]["type"], "UserGroup");
    // PUT replaces the profile.
    let other = s.api_post("/api/v1/groups", &json!({"profile": {"name": "Sales"}})).await.expect(200);
    let put = s.api_put(&format!("/api/v1/groups/{id}"), &json!({"profile": {"name": "Platform"}})).await.expect(200);
    assert_eq!(put["profile"], json!({"name": "Platform", "description": null}));
    s.api_put(&format!("/api/v1/groups/{id}"), &json!({"profile": {"name": "Sales"}}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(s.events_of_type("group.profile.update").await.len(), 1);
    // DELETE.
    assert_eq!(s.api_delete(&format!("/api/v1/groups/{id}")).await.status, 204);
    let e = s.api_get(&format!("/api/v1/groups/{id}")).await.okta_error(404, "E0000007");
    assert_eq!(e["errorSummary"], format!("Not found: Resource not found: {id} (UserGroup)"));
    s.api_delete(&format!("/api/v1/groups/{id}")).await.okta_error(404, "E0000007");
    let ev = s.events_of_type("group.lifecycle.delete").await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["target"][0]["alternateId"], "Platform");
    assert_eq!(s.api_get(&format!("/api/v1/groups/{}", other["id"].as_str().unwrap())).await.status, 200);
}

async fn everyone_is_built_in(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let e = everyone(&s).await;
    assert_eq!(e["type"], "BUILT_IN");
    assert_eq!(e["profile"]["name"], "Everyone");
    let id = e["id"].as_str().unwrap().to_owned();
    let u = s
        .api_post("/api/v1/users", &json!({"profile": {"login": "u1@example.com", "email": "u1@example.com", "firstName": "U", "lastName": "One"}}))
        .await
        .expect(200);
    let uid = u["id"].as_str().unwrap();
    s.api_put(&format!("/api/v1/groups/{id}"), &json!({"profile": {"name": "All"}})).await.okta_error(403, "E0000006");
    s.api_delete(&format!("/api/v1/groups/{id}")).await.okta_error(403, "E0000006");
    s.api_put(&format!("/api/v1/groups/{id}/users/{uid}"), &json!({})).await.okta_error(403, "E0000006");
    s.api_delete(&format!("/api/v1/groups/{id}/users/{uid}")).await.okta_error(403, "E0000006");
    // It holds every user implicitly.
    assert_eq!(ids_of(&s.api_get(&format!("/api/v1/groups/{id}/users")).await.expect(200)), [uid.to_owned()]);
    assert!(s.events_of_type("group.user_membership.add").await.is_empty());
}

async fn memberships_with_paging(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let g = s.api_post("/api/v1/groups", &json!({"profile": {"name": "Team"}})).await.expect(200);
    let gid = g["id"].as_str().unwrap().to_owned();
    let mut uids = Vec::new();
    for i in 0..5 {
        let login = format!("member{i}@example.com");
        let u = s
            .api_post(
                "/api/v1/users",
                &json!({"profile": {"login": login, "email": login, "firstName": "M", "lastName": "X"}}),
            )
            .await
            .expect(200);
        let uid = u["id"].as_str().unwrap().to_owned();
        assert_eq!(s.api_put(&format!("/api/v1/groups/{gid}/users/{uid}"), &json!({})).await.status, 204);
        uids.push(uid);
    }
    // Idempotent: adding again writes nothing.
    assert_eq!(s.api_put(&format!("/api/v1/groups/{gid}/users/{}", uids[0]), &json!({})).await.status, 204);
    let add = s.events_of_type("group.user_membership.add").await;
    assert_eq!(add.len(), 5);
    assert_eq!(add[0]["target"][0]["type"], "User");
    assert_eq!(add[0]["target"][0]["id"], json!(uids[0]));
    assert_eq!(
        add[0]["target"][1],
        json!({"id": gid, "type": "UserGroup", "alternateId": "Team", "displayName": "Team", "detailEntry": null})
    );
    let mut seen = Vec::new();
    let mut r = s.api_get(&format!("/api/v1/groups/{gid}/users?limit=2")).await;
    let mut pages = 0;
    loop {
        pages += 1;
        let next = r.next();
        seen.extend(ids_of(&r.body));
        match next {
            Some(n) => r = s.api_get(&n).await,
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut sorted = uids.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(s.api_delete(&format!("/api/v1/groups/{gid}/users/{}", uids[1])).await.status, 204);
    assert_eq!(s.api_delete(&format!("/api/v1/groups/{gid}/users/{}", uids[1])).await.status, 204);
    let rm = s.events_of_type("group.user_membership.remove").await;
    assert_eq!(rm.len(), 1);
    assert_eq!(rm[0]["target"][0]["id"], json!(uids[1]));
    assert_eq!(s.api_get(&format!("/api/v1/groups/{gid}/users")).await.expect(200).as_array().unwrap().len(), 4);
    let groups = s.api_get(&format!("/api/v1/users/{}/groups", uids[1])).await.expect(200);
    assert_eq!(groups.as_array().unwrap().len(), 1, "only Everyone");
    s.api_put(&format!("/api/v1/groups/{gid}/users/00unope"), &json!({})).await.okta_error(404, "E0000007");
    s.api_put(&format!("/api/v1/groups/00gnope/users/{}", uids[0]), &json!({})).await.okta_error(404, "E0000007");
    s.api_get("/api/v1/groups/00gnope/users").await.okta_error(404, "E0000007");
}

async fn list_q_filter_search(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let mut ids = Vec::new();
    for name in ["Alpha", "Alps", "Beta", "Gamma"] {
        ids.push(
            s.api_post("/api/v1/groups", &json!({"profile": {"name": name}})).await.expect(200)["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let all = s.api_get("/api/v1/groups").await;
    assert_eq!(all.links(), [format!("<{}>; rel=\"self\"", s.url("/api/v1/groups"))]);
    assert_eq!(all.body.as_array().unwrap().len(), 5, "Everyone included");
    let mut seen = Vec::new();
    let mut r = s.api_get("/api/v1/groups?limit=2").await;
    loop {
        let next = r.next();
        seen.extend(ids_of(&r.body));
        match next {
            Some(n) => r = s.api_get(&n).await,
            None => break,
        }
    }
    assert_eq!(seen, ids_of(&all.body));
    let names = |v: Value| -> Vec<String> {
        let mut n: Vec<String> =
            v.as_array().unwrap().iter().map(|g| g["profile"]["name"].as_str().unwrap().to_owned()).collect();
        n.sort();
        n
    };
    assert_eq!(names(s.api_get("/api/v1/groups?q=al").await.expect(200)), ["Alpha", "Alps"]);
    let q = s.api_get("/api/v1/groups?q=al&limit=1").await;
    assert!(q.next().is_some());
    assert_eq!(names(s.api_get("/api/v1/groups?filter=type%20eq%20%22BUILT_IN%22").await.expect(200)), ["Everyone"]);
    let f = format!("/api/v1/groups?filter=id%20eq%20%22{}%22%20or%20id%20eq%20%22{}%22", ids[0], ids[3]);
    assert_eq!(names(s.api_get(&f).await.expect(200)), ["Alpha", "Gamma"]);
    assert_eq!(names(s.api_get("/api/v1/groups?filter=lastUpdated%20gt%20%222000-01-01T00:00:00.000Z%22%20and%20type%20eq%20%22OKTA_GROUP%22").await.expect(200)).len(), 4);
    assert_eq!(names(s.api_get("/api/v1/groups?search=profile.name%20sw%20%22B%22").await.expect(200)), ["Beta"]);
    for bad in [
        "filter=profile.name%20eq%20%22Beta%22",
        "filter=type%20sw%20%22O%22",
        "search=nope%20eq%20%221%22",
        "filter=(type",
    ] {
        s.api_get(&format!("/api/v1/groups?{bad}")).await.okta_error(400, "E0000031");
    }
}

async fn apps_of_a_group(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let g = s.api_post("/api/v1/groups", &json!({"profile": {"name": "Readers"}})).await.expect(200);
    let gid = g["id"].as_str().unwrap();
    assert_eq!(s.api_get(&format!("/api/v1/groups/{gid}/apps")).await.expect(200), json!([]));
    let now = s.clock.now_ms();
    let a = app("Orders SPA", AuthMethod::None, "browser", &["authorization_code"], now);
    create_app(&s, &a, None).await;
    let b = app("Other", AuthMethod::None, "browser", &["authorization_code"], now);
    create_app(&s, &b, None).await;
    s.state.store.assign_group(&a.id, gid, 0, now, &[]).await.unwrap();
    let apps = s.api_get(&format!("/api/v1/groups/{gid}/apps")).await.expect(200);
    assert_eq!(ids_of(&apps), vec![a.id.clone()]);
    assert_eq!(apps[0]["label"], "Orders SPA");
    assert_eq!(apps[0]["_links"]["self"]["href"], json!(s.url(&format!("/api/v1/apps/{}", a.id))));
    s.api_get("/api/v1/groups/00gnope/apps").await.okta_error(404, "E0000007");
}

backend_tests!(
    crud_shapes_and_events,
    everyone_is_built_in,
    memberships_with_paging,
    list_q_filter_search,
    apps_of_a_group
);
