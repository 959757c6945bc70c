//! `/api/v1/users` (okta-surface.md §11.1) and `/api/v1/users/{id}/grants` (§11.5): shapes,
//! validation, lookups, updates, every lifecycle transition and its error, two-step delete,
//! list/filter/search/q with Link paging, events, the 403 of a non-administrator's token, and
//! deactivation ending sessions and tokens.

use crate::common;

use baton::domain::ids::{hash_secret, new_id, Prefix};
use baton::domain::{ApiToken, ConsentGrant, Session};
use common::api::{api_server, ADMIN_TOKEN};
use common::oauth::{chat_tokens, seeded_with, CHAT, USER};
use common::Backend;
use reqwest::Method;
use serde_json::{json, Value};

fn profile(login: &str, first: &str, last: &str) -> Value {
    json!({"login": login, "email": login, "firstName": first, "lastName": last})
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn link_names(v: &Value) -> Vec<String> {
    keys(&v["_links"])
}

async fn create_shapes_statuses_and_events(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let mut p = profile("isaac.brock@example.com", "Isaac", "Brock");
    p["department"] = json!("Music");
    let u = s
        .api_post("/api/v1/users", &json!({"profile": p, "credentials": {"password": {"value": "Tr0ub4dor&3"}}}))
        .await
        .expect(200);
    assert_eq!(
        keys(&u),
        [
            "_links",
            "activated",
            "created",
            "credentials",
            "id",
            "lastLogin",
            "lastUpdated",
            "passwordChanged",
            "profile",
            "status",
            "statusChanged"
        ]
    );
    let id = u["id"].as_str().unwrap();
    assert!(id.starts_with("00u") && id.len() == 20);
    assert_eq!(u["status"], "ACTIVE");
    assert_eq!(u["profile"], p, "custom attributes are kept");
    assert_eq!(u["credentials"], json!({"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}}));
    assert!(u["activated"].is_string() && u["passwordChanged"].is_string());
    assert_eq!(u["lastLogin"], Value::Null);
    let url = s.url(&format!("/api/v1/users/{id}"));
    assert_eq!(
        u["_links"],
        json!({"self": {"href": url}, "suspend": {"href": format!("{url}/lifecycle/suspend"), "method": "POST"},
               "deactivate": {"href": format!("{url}/lifecycle/deactivate"), "method": "POST"}})
    );
    let created = s.events_of_type("user.lifecycle.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0]["target"][0],
        json!({"id": id, "type": "User", "alternateId": "isaac.brock@example.com", "displayName": "Isaac Brock", "detailEntry": null})
    );
    assert_eq!(s.events_of_type("user.lifecycle.activate").await.len(), 1);

    // No password: PROVISIONED, no password key; activate=false: STAGED.
    let g = s.api_post("/api/v1/groups", &json!({"profile": {"name": "Engineering"}})).await.expect(200);
    let p2 = s
        .api_post(
            "/api/v1/users",
            &json!({"profile": profile("nopass@example.com", "No", "Pass"), "groupIds": [g["id"]]}),
        )
        .await
        .expect(200);
    assert_eq!(p2["status"], "PROVISIONED");
    assert_eq!(p2["activated"], Value::Null);
    assert_eq!(p2["credentials"], json!({"provider": {"type": "OKTA", "name": "OKTA"}}));
    assert_eq!(link_names(&p2), ["activate", "deactivate", "self"]);
    let members = s.api_get(&format!("/api/v1/groups/{}/users", g["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(members[0]["id"], p2["id"]);
    let add = s.events_of_type("group.user_membership.add").await;
    assert_eq!(add.len(), 1);
    assert_eq!(add[0]["target"][1]["id"], g["id"]);
    let st = s
        .api_post(
            "/api/v1/users?activate=false",
            &json!({"profile": profile("staged@example.com", "Sta", "Ged"), "credentials": {"password": {"value": "pw-123456"}}}),
        )
        .await
        .expect(200);
    assert_eq!(st["status"], "STAGED");
    assert_eq!(st["statusChanged"], Value::Null);
    assert_eq!(s.events_of_type("user.lifecycle.activate").await.len(), 2, "STAGED users are not activated");
    // Groups of a user: Everyone first.
    let groups = s.api_get(&format!("/api/v1/users/{}/groups", p2["id"].as_str().unwrap())).await.expect(200);
    let names: Vec<&str> = groups.as_array().unwrap().iter().map(|g| g["profile"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Everyone", "Engineering"]);
}

async fn validation_errors(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let e = s.api_post("/api/v1/users", &json!({"profile": {"login": "abc"}})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: login, email, firstName, lastName");
    let causes: Vec<&str> =
        e["errorCauses"].as_array().unwrap().iter().map(|c| c["errorSummary"].as_str().unwrap()).collect();
    assert_eq!(
        causes,
        [
            "login: The field must be between 5 and 100 characters",
            "email: The field cannot be left blank",
            "firstName: The field cannot be left blank",
            "lastName: The field cannot be left blank"
        ]
    );
    let mut long = profile("long@example.com", "L", "x");
    long["lastName"] = json!("x".repeat(51));
    let e = s.api_post("/api/v1/users", &json!({"profile": long})).await.okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: lastName");
    s.api_post("/api/v1/users", &json!({"profile": profile("dup@example.com", "D", "Up")})).await.expect(200);
    let e = s
        .api_post("/api/v1/users", &json!({"profile": profile("DUP@example.com", "D", "Up")}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: login");
    assert_eq!(
        e["errorCauses"],
        json!([{"errorSummary": "login: An object with this field already exists in the current organization"}])
    );
    s.api_post("/api/v1/users?activate=maybe", &json!({"profile": profile("m@example.com", "M", "M")}))
        .await
        .okta_error(400, "E0000001");
    s.api_post("/api/v1/users", &json!({"profile": profile("g@example.com", "G", "G"), "groupIds": ["00gnope"]}))
        .await
        .okta_error(400, "E0000001");
    s.api_post("/api/v1/users", &json!({"profile": "nope"})).await.okta_error(400, "E0000003");
    assert_eq!(s.events_of_type("user.lifecycle.create").await.len(), 1);
}

async fn lookups_updates_and_passwords(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let mut p = profile("ann.lee@example.com", "Ann", "Lee");
    p["nickName"] = json!("annie");
    let u = s.api_post("/api/v1/users", &json!({"profile": p})).await.expect(200);
    let id = u["id"].as_str().unwrap().to_owned();
    s.api_post("/api/v1/users", &json!({"profile": profile("bob@example.com", "Bob", "B")})).await.expect(200);
    s.api_post("/api/v1/users", &json!({"profile": profile("bob@other.example", "Bob", "O")})).await.expect(200);
    for key in [id.as_str(), "ann.lee@example.com", "ANN.LEE@example.com", "ann.lee"] {
        assert_eq!(s.api_get(&format!("/api/v1/users/{key}")).await.expect(200)["id"], json!(id), "{key}");
    }
    // An ambiguous shortname and an unknown user are 404.
    let e = s.api_get("/api/v1/users/bob").await.okta_error(404, "E0000007");
    assert_eq!(e["errorSummary"], "Not found: Resource not found: bob (User)");
    s.api_get("/api/v1/users/00unope").await.okta_error(404, "E0000007");

    // Partial update keeps what is not named; the password is write-only and logged.
    let before = s.api_get(&format!("/api/v1/users/{id}")).await.expect(200);
    s.clock.advance(5000);
    let up = s
        .api_post(
            &format!("/api/v1/users/{id}"),
            &json!({"profile": {"firstName": "Anne"}, "credentials": {"password": {"value": "n3w-Passw0rd"}}}),
        )
        .await
        .expect(200);
    assert_eq!(up["profile"]["firstName"], "Anne");
    assert_eq!(up["profile"]["nickName"], "annie");
    assert_eq!(up["credentials"]["password"], json!({}));
    assert_ne!(up["lastUpdated"], before["lastUpdated"]);
    assert!(up["passwordChanged"].is_string());
    let stored = s.state.store.find_user(&id).await.unwrap().unwrap();
    assert!(baton::authn::password::verify(stored.password_hash.clone(), "n3w-Passw0rd".into()).await);
    let pw = s.events_of_type("user.account.update_password").await;
    assert_eq!(pw.len(), 1);
    assert_eq!(pw[0]["target"][0]["id"], json!(id));
    assert!(!pw[0].to_string().contains("n3w-Passw0rd"), "no secret in events");
    assert_eq!(s.events_of_type("user.account.update_profile").await.len(), 1);

    // PUT replaces: unnamed attributes are gone, and required ones must be present.
    let e = s
        .api_put(&format!("/api/v1/users/{id}"), &json!({"profile": {"firstName": "Anne"}}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(e["errorSummary"], "Api validation failed: login, email, lastName");
    let put = s
        .api_put(&format!("/api/v1/users/{id}"), &json!({"profile": profile("ann.lee@example.com", "Anne", "Lee")}))
        .await
        .expect(200);
    assert_eq!(put["profile"], profile("ann.lee@example.com", "Anne", "Lee"));
    // Renaming onto another login is a conflict.
    let e = s
        .api_post(&format!("/api/v1/users/{id}"), &json!({"profile": {"login": "bob@example.com"}}))
        .await
        .okta_error(400, "E0000001");
    assert_eq!(
        e["errorCauses"][0]["errorSummary"],
        "login: An object with this field already exists in the current organization"
    );
}

async fn lifecycle_transitions(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let pw = json!({"password": {"value": "Sup3r-secret"}});
    let staged = s
        .api_post(
            "/api/v1/users?activate=false",
            &json!({"profile": profile("a@example.com", "A", "A"), "credentials": pw}),
        )
        .await
        .expect(200);
    let id = staged["id"].as_str().unwrap().to_owned();
    let path = |op: &str| format!("/api/v1/users/{id}/lifecycle/{op}");
    let status = || async { s.api_get(&format!("/api/v1/users/{id}")).await.expect(200)["status"].clone() };
    // STAGED: suspend/unsuspend not allowed.
    s.api_post(&path("suspend"), &json!({})).await.okta_error(403, "E0000038");
    s.api_post(&path("unsuspend"), &json!({})).await.okta_error(403, "E0000038");
    // STAGED → ACTIVE (password set), with an activation token.
    let activation = s.api_post(&path("activate"), &json!({})).await.expect(200);
    assert_eq!(keys(&activation), ["activationToken", "activationUrl"]);
    assert!(activation["activationUrl"].as_str().unwrap().starts_with(&s.base));
    assert_eq!(status().await, "ACTIVE");
    let e = s.api_post(&path("activate"), &json!({})).await.okta_error(403, "E0000016");
    assert_eq!(e["errorSummary"], "Activation failed because the user is already active");
    s.api_post(&path("unsuspend"), &json!({})).await.okta_error(403, "E0000038");
    // ACTIVE → SUSPENDED → ACTIVE.
    assert_eq!(s.api_post(&path("suspend"), &json!({})).await.expect(200), json!({}));
    assert_eq!(status().await, "SUSPENDED");
    let u = s.api_get(&format!("/api/v1/users/{id}")).await.expect(200);
    assert_eq!(link_names(&u), ["deactivate", "self", "unsuspend"]);
    s.api_post(&path("suspend"), &json!({})).await.okta_error(403, "E0000038");
    let e = s.api_post(&path("activate"), &json!({})).await.okta_error(403, "E0000038");
    assert_eq!(e["errorSummary"], "This operation is not allowed in the user's current status.");
    s.api_post(&path("unsuspend"), &json!({})).await.expect(200);
    assert_eq!(status().await, "ACTIVE");
    // ACTIVE → DEPROVISIONED; deactivating again is not allowed.
    s.api_post(&path("deactivate"), &json!({})).await.expect(200);
    assert_eq!(status().await, "DEPROVISIONED");
    let u = s.api_get(&format!("/api/v1/users/{id}")).await.expect(200);
    assert_eq!(link_names(&u), ["activate", "delete", "self"]);
    s.api_post(&path("deactivate"), &json!({})).await.okta_error(403, "E0000038");
    s.api_post(&path("suspend"), &json!({})).await.okta_error(403, "E0000038");
    // DEPROVISIONED → ACTIVE again.
    s.api_post(&path("activate"), &json!({})).await.expect(200);
    assert_eq!(status().await, "ACTIVE");
    // PROVISIONED (no password): activate keeps it PROVISIONED; deactivate works from there.
    let provisioned =
        s.api_post("/api/v1/users", &json!({"profile": profile("p@example.com", "P", "P")})).await.expect(200);
    let pid = provisioned["id"].as_str().unwrap();
    s.api_post(&format!("/api/v1/users/{pid}/lifecycle/activate"), &json!({})).await.expect(200);
    assert_eq!(s.api_get(&format!("/api/v1/users/{pid}")).await.expect(200)["status"], "PROVISIONED");
    s.api_post(&format!("/api/v1/users/{pid}/lifecycle/suspend"), &json!({})).await.okta_error(403, "E0000038");
    s.api_post(&format!("/api/v1/users/{pid}/lifecycle/deactivate"), &json!({})).await.expect(200);
    for (kind, n) in [
        ("user.lifecycle.activate", 4),
        ("user.lifecycle.suspend", 1),
        ("user.lifecycle.unsuspend", 1),
        ("user.lifecycle.deactivate", 2),
    ] {
        let ev = s.events_of_type(kind).await;
        assert_eq!(ev.len(), n, "{kind}");
        assert_eq!(ev[0]["target"][0]["type"], "User");
    }
    s.api_post("/api/v1/users/00unope/lifecycle/activate", &json!({})).await.okta_error(404, "E0000007");
}

async fn delete_deactivates_then_deletes(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let u =
        s.api_post("/api/v1/users", &json!({"profile": profile("gone@example.com", "Gone", "Soon")})).await.expect(200);
    let id = u["id"].as_str().unwrap();
    let r = s.api_delete(&format!("/api/v1/users/{id}")).await;
    assert_eq!(r.status, 204);
    assert_eq!(s.api_get(&format!("/api/v1/users/{id}")).await.expect(200)["status"], "DEPROVISIONED");
    assert_eq!(s.events_of_type("user.lifecycle.deactivate").await.len(), 1);
    assert!(s.events_of_type("user.lifecycle.delete.initiated").await.is_empty());
    assert_eq!(s.api_delete(&format!("/api/v1/users/{id}")).await.status, 204);
    s.api_get(&format!("/api/v1/users/{id}")).await.okta_error(404, "E0000007");
    for kind in ["user.lifecycle.delete.initiated", "user.lifecycle.delete.completed"] {
        let ev = s.events_of_type(kind).await;
        assert_eq!(ev.len(), 1, "{kind}");
        assert_eq!(ev[0]["target"][0]["alternateId"], "gone@example.com");
    }
    s.api_delete(&format!("/api/v1/users/{id}")).await.okta_error(404, "E0000007");
}

async fn list_paging_filter_search_and_q(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let people = [("amy", "Adams"), ("ben", "Baker"), ("cat", "Carter"), ("dan", "Adler"), ("eve", "Evans")];
    let mut ids = Vec::new();
    for (first, last) in people {
        let u = s
            .api_post("/api/v1/users", &json!({"profile": profile(&format!("{first}@example.com"), first, last)}))
            .await
            .expect(200);
        ids.push(u["id"].as_str().unwrap().to_owned());
    }
    s.api_post(&format!("/api/v1/users/{}/lifecycle/deactivate", ids[4]), &json!({})).await.expect(200);
    // Link paging to the end.
    let first = s.api_get("/api/v1/users?limit=2").await;
    assert_eq!(first.links()[0], format!("<{}>; rel=\"self\"", s.url("/api/v1/users?limit=2")));
    let mut seen: Vec<String> = Vec::new();
    let mut reply = first;
    loop {
        assert_eq!(reply.status, 200);
        let next = reply.next();
        seen.extend(reply.body.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()));
        match next {
            Some(n) => reply = s.api_get(&n).await,
            None => break,
        }
    }
    // Every user but the DEPROVISIONED one, as Okta lists without a filter.
    let mut sorted: Vec<String> = ids.iter().filter(|id| **id != ids[4]).cloned().collect();
    sorted.sort();
    assert_eq!(seen, sorted);
    let gone = s.api_get("/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22").await.expect(200);
    assert_eq!(gone.as_array().unwrap().iter().map(|u| u["id"].clone()).collect::<Vec<_>>(), vec![json!(ids[4])]);
    // filter, paged.
    let ids_of = |v: &Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect()
    };
    let f = s.api_get("/api/v1/users?filter=status%20eq%20%22PROVISIONED%22&limit=3").await;
    let next = f.next().expect("a second page");
    let mut active = ids_of(&f.body);
    active.extend(ids_of(&s.api_get(&next).await.expect(200)));
    let mut want: Vec<String> = ids[..4].to_vec();
    want.sort();
    assert_eq!(active, want);
    let f = s
        .api_get("/api/v1/users?filter=profile.lastName%20eq%20%22adams%22%20or%20profile.firstName%20eq%20%22cat%22")
        .await
        .expect(200);
    let mut got = ids_of(&f);
    got.sort();
    let mut want = vec![ids[0].clone(), ids[2].clone()];
    want.sort();
    assert_eq!(got, want);
    let f = s.api_get("/api/v1/users?filter=lastUpdated%20gt%20%222000-01-01T00:00:00.000Z%22").await.expect(200);
    assert_eq!(f.as_array().unwrap().len(), 5);
    for bad in ["profile.lastName%20sw%20%22A%22", "status%20eq", "nope%20eq%20%22x%22", "(status"] {
        let e = s.api_get(&format!("/api/v1/users?filter={bad}")).await.okta_error(400, "E0000031");
        assert_eq!(e["errorSummary"], "Invalid search criteria.");
    }
    // search: the System Log grammar, any profile attribute, sorted.
    let r = s
        .api_get("/api/v1/users?search=profile.lastName%20sw%20%22Ad%22&sortBy=profile.firstName&sortOrder=desc")
        .await
        .expect(200);
    assert_eq!(ids_of(&r), [ids[3].clone(), ids[0].clone()]);
    let r = s.api_get("/api/v1/users?search=status%20eq%20%22PROVISIONED%22&sortBy=profile.lastName&limit=3").await;
    let next = r.next().expect("next page of a sorted search");
    let mut got = ids_of(&r.body);
    got.extend(ids_of(&s.api_get(&next).await.expect(200)));
    assert_eq!(got, [ids[0].clone(), ids[3].clone(), ids[1].clone(), ids[2].clone()]);
    s.api_get("/api/v1/users?search=bogus%20eq%20%221%22").await.okta_error(400, "E0000031");
    // q: prefix on names and email, never DEPROVISIONED, no next link.
    let r = s.api_get("/api/v1/users?q=ad").await;
    assert!(r.next().is_none());
    let mut got = ids_of(&r.body);
    got.sort();
    let mut want = vec![ids[0].clone(), ids[3].clone()];
    want.sort();
    assert_eq!(got, want);
    assert!(ids_of(&s.api_get("/api/v1/users?q=eve").await.expect(200)).is_empty());
}

async fn non_administrator_token_is_forbidden(backend: Backend) {
    let Some(s) = api_server(backend).await else { return };
    let u = s
        .api_post("/api/v1/users", &json!({"profile": profile("ops@example.com", "Op", "S"), "credentials": {"password": {"value": "pw-ops-123"}}}))
        .await
        .expect(200);
    let uid = u["id"].as_str().unwrap();
    let now = s.clock.now_ms();
    let token = ApiToken {
        id: new_id(Prefix::ApiToken),
        name: "ops".into(),
        user_id: Some(uid.into()),
        client_name: "test".into(),
        token_hash: hash_secret("ops-token-value-0123456789"),
        super_admin: false,
        created: now,
        last_updated: now,
        expires: None,
        last_used: None,
        token_window: "P30D".into(),
    };
    s.state.store.create_api_token(&token, &[]).await.unwrap();
    let e =
        s.api_as("ops-token-value-0123456789", Method::GET, "/api/v1/users", None).await.okta_error(403, "E0000006");
    assert_eq!(e["errorSummary"], "You do not have permission to perform the requested action");
    let admins = s.api_post("/api/v1/groups", &json!({"profile": {"name": "Administrators"}})).await.expect(200);
    assert_eq!(
        s.api_put(&format!("/api/v1/groups/{}/users/{uid}", admins["id"].as_str().unwrap()), &json!({})).await.status,
        204
    );
    s.api_as("ops-token-value-0123456789", Method::GET, "/api/v1/users", None).await.expect(200);
    // The events of that token name the user as actor.
    s.api_as(
        "ops-token-value-0123456789",
        Method::POST,
        "/api/v1/users",
        Some(&json!({"profile": profile("x@example.com", "X", "X")})),
    )
    .await
    .expect(200);
    let ev = s.events_of_type("user.lifecycle.create").await;
    assert_eq!(ev[1]["actor"]["id"], json!(uid));
    assert_eq!(ev[1]["transaction"]["detail"]["requestApiTokenId"], json!(token.id));
    // Suspending the owner makes their own token invalid.
    s.api_post(&format!("/api/v1/users/{uid}/lifecycle/suspend"), &json!({})).await.expect(200);
    s.api_as("ops-token-value-0123456789", Method::GET, "/api/v1/users", None).await.okta_error(401, "E0000011");
    let _ = ADMIN_TOKEN;
}

async fn deactivation_ends_sessions_and_tokens(backend: Backend) {
    let Some(s) = seeded_with(backend, |c| c.admin_api_token = Some(ADMIN_TOKEN.into())).await else { return };
    let now = s.clock.now_ms();
    let session = Session {
        id: new_id(Prefix::Session),
        token_hash: hash_secret("cookie-value"),
        user_id: USER.into(),
        created: now,
        last_seen: now,
        expires: now + 3_600_000,
        auth_time: now,
        amr: vec!["pwd".into()],
        ended: None,
    };
    s.state.store.create_session(&session, &[]).await.unwrap();
    let tokens = chat_tokens(&s, "openid offline_access").await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let introspect = |t: String| {
        let s = &s;
        async move { s.chat_call(Some("default"), "introspect", &[("token", &t)]).await.body["active"].clone() }
    };
    assert_eq!(introspect(access.clone()).await, json!(true));
    s.api_post(&format!("/api/v1/users/{USER}/lifecycle/deactivate"), &json!({})).await.expect(200);
    let ended = s.state.store.find_session(&session.id).await.unwrap().unwrap();
    assert!(ended.ended.is_some(), "leaving ACTIVE ends the user's sessions");
    assert!(s.state.store.find_live_session(&session.token_hash, s.clock.now_ms()).await.unwrap().is_none());
    assert_eq!(introspect(access).await, json!(false));
    if let Some(rt) = tokens["refresh_token"].as_str() {
        assert_eq!(introspect(rt.to_owned()).await, json!(false));
    }
}

async fn consent_grants(backend: Backend) {
    let Some(s) = seeded_with(backend, |c| c.admin_api_token = Some(ADMIN_TOKEN.into())).await else { return };
    let scopes = s.state.store.list_scopes("default").await.unwrap();
    let now = s.clock.now_ms();
    let grants: Vec<ConsentGrant> = ["openid", "email"]
        .iter()
        .map(|name| {
            let scope = scopes.iter().find(|sc| sc.name == *name).unwrap();
            ConsentGrant {
                id: new_id(Prefix::ConsentGrant),
                user_id: USER.into(),
                client_id: CHAT.into(),
                auth_server_id: "default".into(),
                scope_id: scope.id.clone(),
                scope_name: scope.name.clone(),
                source: "END_USER".into(),
                created: now,
                last_updated: now,
            }
        })
        .collect();
    s.state.store.create_consent_grants(&grants, &[]).await.unwrap();
    let list = s.api_get(&format!("/api/v1/users/{USER}/grants")).await.expect(200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let one = s.api_get(&format!("/api/v1/users/{USER}/grants/{}", grants[0].id)).await.expect(200);
    assert_eq!(
        keys(&one),
        [
            "_links",
            "clientId",
            "created",
            "createdBy",
            "id",
            "issuer",
            "lastUpdated",
            "scopeId",
            "source",
            "status",
            "userId"
        ]
    );
    assert_eq!(one["issuer"], json!(s.url("/oauth2/default")));
    assert_eq!(one["scopeId"], json!(grants[0].scope_id));
    assert_eq!(one["clientId"], CHAT);
    assert_eq!(one["createdBy"], json!({"id": USER, "type": "User"}));
    assert_eq!(one["status"], "ACTIVE");
    assert_eq!(one["source"], "END_USER");
    assert_eq!(one["_links"]["self"]["href"], json!(s.url(&format!("/api/v1/users/{USER}/grants/{}", grants[0].id))));
    s.api_get(&format!("/api/v1/users/{USER}/grants/oagnope")).await.okta_error(404, "E0000007");
    s.api_get("/api/v1/users/00unope/grants").await.okta_error(404, "E0000007");
    assert_eq!(s.api_delete(&format!("/api/v1/users/{USER}/grants/{}", grants[0].id)).await.status, 204);
    assert_eq!(s.api_get(&format!("/api/v1/users/{USER}/grants")).await.expect(200).as_array().unwrap().len(), 1);
    s.api_delete(&format!("/api/v1/users/{USER}/grants/{}", grants[0].id)).await.okta_error(404, "E0000007");
    s.create_more(&grants).await;
    assert_eq!(s.api_delete(&format!("/api/v1/users/{USER}/grants")).await.status, 204);
    assert_eq!(s.api_get(&format!("/api/v1/users/{USER}/grants")).await.expect(200), json!([]));
    let ev = s.events_of_type("app.oauth2.as.consent.revoke").await;
    assert_eq!(ev.len(), 3, "one event per revoked grant");
    assert_eq!(ev[0]["target"][0]["id"], USER);
}

trait More {
    async fn create_more(&self, grants: &[ConsentGrant]);
}

impl More for common::TestServer {
    /// Re-creates the first grant so "revoke all" has two to revoke.
    async fn create_more(&self, grants: &[ConsentGrant]) {
        let mut g = grants[0].clone();
        g.id = new_id(Prefix::ConsentGrant);
        self.state.store.create_consent_grants(&[g], &[]).await.unwrap();
    }
}

backend_tests!(
    create_shapes_statuses_and_events,
    validation_errors,
    lookups_updates_and_passwords,
    lifecycle_transitions,
    delete_deactivates_then_deletes,
    list_paging_filter_search_and_q,
    non_administrator_token_is_forbidden,
    deactivation_ends_sessions_and_tokens,
    consent_grants,
);
