//! The admin console over plain HTTP: sign-in and who may use it, the security
//! headers, and CSRF on every form (a POST without its token is a 403 and changes nothing).

use crate::common;
use crate::console;

use common::Backend;
use console::{console_server, Client, ADMIN_LOGIN, ADMIN_PASSWORD};

backend_tests!(anonymous_is_sent_to_sign_in, admin_signs_in_and_out);

async fn anonymous_is_sent_to_sign_in(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::new(&s);
    let page = c.get("/admin/users?q=a").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/admin/login?next=%2Fadmin%2Fusers%3Fq%3Da");
    let login = c.get("/admin/login?next=%2Fadmin%2Fusers").await;
    login.expect(200);
    assert!(login.body.contains(r#"name="next" value="/admin/users""#), "{}", login.body);
    let evil = c.get("/admin/login?next=https://evil.example/").await;
    assert!(evil.body.contains(r#"name="next" value="/admin""#));
}

async fn admin_signs_in_and_out(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::new(&s);
    c.get("/admin/login").await.expect(200);
    let page = c
        .post("/admin/login", &[("username", ADMIN_LOGIN), ("password", ADMIN_PASSWORD), ("next", "/admin/users")])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), "/admin/users");
    let dash = c.get("/admin").await;
    assert!(dash.expect(200).contains(ADMIN_LOGIN));
    let out = c.post("/admin/logout", &[]).await;
    assert_eq!((out.status, out.location()), (303, "/admin/login"));
    assert_eq!(c.get("/admin").await.status, 303);
}

backend_tests!(
    non_admins_get_403,
    security_headers_on_every_page,
    every_form_rejects_a_post_without_its_csrf_token,
    users_groups_tokens_and_keys_through_the_forms,
    bootstrap_admin_is_idempotent,
);

/// An ACTIVE user with a password who is in no group.
async fn plain_user(s: &common::TestServer, login: &str) -> String {
    let body = serde_json::json!({
        "profile": {"login": login, "email": login, "firstName": "Plain", "lastName": "User"},
        "credentials": {"password": {"value": "Plain-User-Pass-1"}},
    });
    s.api_post("/api/v1/users", &body).await.expect(200)["id"].as_str().unwrap().to_owned()
}

async fn non_admins_get_403(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    plain_user(&s, "plain@example.com").await;
    let mut c = Client::new(&s);
    let page = c.sign_in("plain@example.com", "Plain-User-Pass-1").await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("not an administrator"));
    assert!(!c.cookies.contains_key("baton_sid"), "no session for a non-admin");
    // Signed in on the user sign-in page, then at the console: 403, for pages and forms.
    c.get("/login").await.expect(200);
    let page = c.post("/login", &[("username", "plain@example.com"), ("password", "Plain-User-Pass-1")]).await;
    page.expect(200);
    assert!(c.cookies.contains_key("baton_sid"));
    for path in ["/admin", "/admin/users", "/admin/groups", "/admin/api-tokens", "/admin/keys"] {
        let page = c.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("Administrators"), "{path}");
    }
    let before = s.state.store.list_groups(&baton::store::Page::first(100)).await.unwrap().len();
    assert_eq!(c.post("/admin/groups", &[("name", "Sneaky")]).await.status, 403);
    assert_eq!(s.state.store.list_groups(&baton::store::Page::first(100)).await.unwrap().len(), before);
    // A wrong password is the generic failure, on the form again (200), logged as a failure.
    let mut c = Client::new(&s);
    let page = c.sign_in(ADMIN_LOGIN, "wrong-password").await;
    assert!(page.expect(200).contains("Unable to sign in"));
}

async fn security_headers_on_every_page(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    let csp = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";
    for path in ["/admin", "/admin/users", "/admin/users/new", "/admin/groups", "/admin/api-tokens", "/admin/keys"] {
        let page = c.get(path).await;
        page.expect(200);
        assert_eq!(page.header("content-security-policy"), csp, "{path}");
        assert_eq!(page.header("x-frame-options"), "DENY", "{path}");
        assert_eq!(page.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(page.header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(page.header("cache-control"), "no-store", "{path}");
        assert_eq!(page.header("content-type"), "text/html; charset=utf-8", "{path}");
        assert!(!page.body.contains("<style") && !page.body.contains("style=") && !page.body.contains("<script"));
        assert!(page.body.contains(r#"<link rel="stylesheet" href="/assets/baton.css">"#));
    }
    let redirect = Client::new(&s).get("/admin").await;
    assert_eq!(redirect.header("content-security-policy"), csp);
    let login = Client::new(&s).get("/admin/login").await;
    assert_eq!(login.header("x-frame-options"), "DENY");
    // The user sign-in page holds the same CSP: no inline style any more.
    let user_login = Client::new(&s).get("/login").await;
    assert_eq!(user_login.header("content-security-policy"), csp);
    assert!(!user_login.body.contains("<style"));
    let css = Client::new(&s).get("/assets/baton.css").await;
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert_eq!(css.header("cache-control"), "public, max-age=86400");
    assert!(css.expect(200).contains("nav.side"));
}

async fn every_form_rejects_a_post_without_its_csrf_token(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    let uid = plain_user(&s, "target@example.com").await;
    let gid = s.api_post("/api/v1/groups", &serde_json::json!({"profile": {"name": "Team"}})).await.expect(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.api_put(&format!("/api/v1/groups/{gid}/users/{uid}"), &serde_json::json!({})).await;
    let tokens = s.state.store.list_api_tokens().await.unwrap();
    let tid = tokens[0].id.clone();
    let keys_before = s.state.store.list_signing_keys("default").await.unwrap();
    let events_before =
        s.state.store.list_events(&baton::store::LogQuery { limit: 10_000, ..Default::default() }).await;
    let events_before = events_before.unwrap().len();
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/admin/users".into(),
            vec![("login", "new@example.com"), ("email", "new@example.com"), ("firstName", "N"), ("lastName", "U")],
        ),
        (
            format!("/admin/users/{uid}"),
            vec![("login", "target@example.com"), ("email", "x@example.com"), ("firstName", "X"), ("lastName", "Y")],
        ),
        (format!("/admin/users/{uid}/lifecycle/suspend"), vec![]),
        (format!("/admin/users/{uid}/lifecycle/deactivate"), vec![]),
        (format!("/admin/users/{uid}/delete"), vec![]),
        ("/admin/groups".into(), vec![("name", "Other")]),
        (format!("/admin/groups/{gid}"), vec![("name", "Renamed")]),
        (format!("/admin/groups/{gid}/delete"), vec![]),
        (format!("/admin/groups/{gid}/members"), vec![("user", "admin@baton.local")]),
        (format!("/admin/groups/{gid}/members/{uid}/remove"), vec![]),
        ("/admin/api-tokens".into(), vec![("name", "sneaky")]),
        (format!("/admin/api-tokens/{tid}/revoke"), vec![]),
        ("/admin/keys/default/rotate".into(), vec![]),
        ("/admin/logout".into(), vec![]),
        ("/admin/login".into(), vec![("username", ADMIN_LOGIN), ("password", ADMIN_PASSWORD)]),
    ];
    let wrong = "A".repeat(43);
    for (path, fields) in &forms {
        let page = c.post_raw(path, fields).await;
        assert_eq!(page.status, 403, "{path} without a token: {}", page.body);
        let mut with_wrong = fields.clone();
        with_wrong.push(("csrf_token", &wrong));
        assert_eq!(c.post_raw(path, &with_wrong).await.status, 403, "{path} with a wrong token");
    }
    // Nothing changed: no event, the user, group, membership, token, keys and session as they were.
    let events_after = s.state.store.list_events(&baton::store::LogQuery { limit: 10_000, ..Default::default() }).await;
    assert_eq!(events_after.unwrap().len(), events_before);
    let user = s.state.store.find_user(&uid).await.unwrap().unwrap();
    assert_eq!((user.status.as_str(), user.profile.get_str("email")), ("ACTIVE", Some("target@example.com")));
    let group = s.state.store.find_group(&gid).await.unwrap().unwrap();
    assert_eq!(group.name, "Team");
    let members = s.state.store.list_group_members(&gid, &baton::store::Page::first(10)).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(s.state.store.list_api_tokens().await.unwrap().len(), tokens.len());
    let keys_after = s.state.store.list_signing_keys("default").await.unwrap();
    assert_eq!(
        keys_after.iter().map(|k| (&k.kid, k.status)).collect::<Vec<_>>(),
        keys_before.iter().map(|k| (&k.kid, k.status)).collect::<Vec<_>>()
    );
    c.get("/admin").await.expect(200);
}

use baton::domain::TextEnum;

async fn users_groups_tokens_and_keys_through_the_forms(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    let admin_id = s.state.store.find_user_by_login(ADMIN_LOGIN).await.unwrap().unwrap().id;
    // Create a user; a validation error shows the form again with the API's causes.
    let bad = c.post("/admin/users", &[("login", "x"), ("email", "new@example.com"), ("firstName", "N")]).await;
    assert!(bad.expect(400).contains("Api validation failed: login, lastName"), "{}", bad.body);
    let fields = [
        ("login", "new@example.com"),
        ("email", "new@example.com"),
        ("firstName", "New"),
        ("lastName", "Person"),
        ("password", "New-Person-Pass-1"),
        ("activate", "true"),
    ];
    let page = c.post("/admin/users", &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let uid = page.location().trim_start_matches("/admin/users/").to_owned();
    let user = s.state.store.find_user(&uid).await.unwrap().unwrap();
    assert_eq!(user.status.as_str(), "ACTIVE");
    let created = s.events_of_type("user.lifecycle.create").await;
    let created = created.iter().find(|e| e["target"][0]["id"] == uid.as_str()).expect("create event");
    assert_eq!(created["actor"]["id"], admin_id.as_str());
    assert_eq!(created["actor"]["type"], "User");
    let shown = c.get(page.location()).await;
    assert!(shown.expect(200).contains("User new@example.com created (ACTIVE)."), "flash");
    assert!(!c.get(&format!("/admin/users/{uid}")).await.body.contains("created (ACTIVE)"), "flash shown once");
    // The list and its search.
    assert!(c.get("/admin/users?q=person").await.expect(200).contains("new@example.com"));
    assert!(!c.get("/admin/users?q=nobody-matches").await.body.contains("new@example.com"));
    // Edit, suspend, unsuspend.
    let edit =
        [("login", "new@example.com"), ("email", "new2@example.com"), ("firstName", "Newer"), ("lastName", "Person")];
    assert_eq!(c.post(&format!("/admin/users/{uid}"), &edit).await.status, 303);
    let user = s.state.store.find_user(&uid).await.unwrap().unwrap();
    assert_eq!(user.profile.get_str("firstName"), Some("Newer"));
    assert_eq!(c.post(&format!("/admin/users/{uid}/lifecycle/suspend"), &[]).await.status, 303);
    assert_eq!(s.state.store.find_user(&uid).await.unwrap().unwrap().status.as_str(), "SUSPENDED");
    let again = c.post(&format!("/admin/users/{uid}/lifecycle/suspend"), &[]).await;
    assert!(again.expect(400).contains("E0000038") || again.body.contains("not allowed"), "{}", again.body);
    assert_eq!(c.post(&format!("/admin/users/{uid}/lifecycle/unsuspend"), &[]).await.status, 303);
    assert_eq!(s.events_of_type("user.lifecycle.suspend").await.len(), 1);
    // An admin cannot lock themselves out.
    assert_eq!(c.post(&format!("/admin/users/{admin_id}/lifecycle/deactivate"), &[]).await.status, 400);
    // Groups: create, duplicate name, add and remove a member, rename, delete.
    let page = c.post("/admin/groups", &[("name", "Support"), ("description", "Helpdesk")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let gid = page.location().trim_start_matches("/admin/groups/").to_owned();
    assert!(c.post("/admin/groups", &[("name", "Support")]).await.expect(400).contains("already exists"));
    assert_eq!(c.post(&format!("/admin/groups/{gid}/members"), &[("user", "new2@example.com")]).await.status, 400);
    assert_eq!(c.post(&format!("/admin/groups/{gid}/members"), &[("user", "new@example.com")]).await.status, 303);
    assert!(c.get(&format!("/admin/groups/{gid}")).await.expect(200).contains("new@example.com"));
    assert_eq!(
        s.events_of_type("group.user_membership.add")
            .await
            .iter()
            .filter(|e| e["target"][1]["id"] == gid.as_str())
            .count(),
        1
    );
    assert_eq!(c.post(&format!("/admin/groups/{gid}/members/{uid}/remove"), &[]).await.status, 303);
    assert_eq!(s.events_of_type("group.user_membership.remove").await.len(), 1);
    assert_eq!(c.post(&format!("/admin/groups/{gid}"), &[("name", "Support team")]).await.status, 303);
    assert_eq!(s.state.store.find_group(&gid).await.unwrap().unwrap().name, "Support team");
    let everyone = s.state.store.find_group_by_name("Everyone").await.unwrap().unwrap();
    assert_eq!(c.post(&format!("/admin/groups/{}/delete", everyone.id), &[]).await.status, 403);
    assert_eq!(c.post(&format!("/admin/groups/{gid}/delete"), &[]).await.status, 303);
    assert!(s.state.store.find_group(&gid).await.unwrap().is_none());
    assert_eq!(s.events_of_type("group.lifecycle.delete").await[0]["actor"]["id"], admin_id.as_str());
    // Delete the user: deactivated and deleted in one go.
    assert_eq!(c.post(&format!("/admin/users/{uid}/delete"), &[]).await.status, 303);
    assert!(s.state.store.find_user(&uid).await.unwrap().is_none());
    assert_eq!(s.events_of_type("user.lifecycle.delete.completed").await.len(), 1);
    // API tokens: created, shown once, works, revoked.
    let page = c.post("/admin/api-tokens", &[("name", "ci")]).await;
    let body = page.expect(200).to_owned();
    let secret = body.split(r#"id="token-secret">"#).nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(secret.starts_with("00") && secret.len() > 40);
    let token = s.state.store.find_api_token_by_name("ci").await.unwrap().unwrap();
    assert_eq!(token.user_id.as_deref(), Some(admin_id.as_str()));
    let api =
        s.http.get(s.url("/api/v1/users")).header("authorization", format!("SSWS {secret}")).send().await.unwrap();
    assert_eq!(api.status(), 200);
    assert!(!c.get("/admin/api-tokens").await.body.contains(&secret), "shown once");
    assert!(c.post("/admin/api-tokens", &[("name", "ci")]).await.expect(400).contains("already exists"));
    assert_eq!(c.post(&format!("/admin/api-tokens/{}/revoke", token.id), &[]).await.status, 303);
    let api =
        s.http.get(s.url("/api/v1/users")).header("authorization", format!("SSWS {secret}")).send().await.unwrap();
    assert_eq!(api.status(), 401);
    assert_eq!(s.events_of_type("system.api_token.revoke").await[0]["actor"]["id"], admin_id.as_str());
    // Keys: rotation makes NEXT active.
    let next = s
        .state
        .store
        .list_signing_keys("default")
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.status.as_str() == "NEXT")
        .unwrap();
    assert!(c.get("/admin/keys").await.expect(200).contains(&next.kid));
    assert_eq!(c.post("/admin/keys/default/rotate", &[]).await.status, 303);
    let keys = s.state.store.list_signing_keys("default").await.unwrap();
    assert_eq!(keys.iter().find(|k| k.kid == next.kid).unwrap().status.as_str(), "ACTIVE");
    let rollover = s.events_of_type("oauth2.as.key.rollover").await;
    assert_eq!(rollover.last().unwrap()["actor"]["id"], admin_id.as_str());
    assert_eq!(c.post("/admin/keys/nope/rotate", &[]).await.status, 404);
    // The dashboard shows counts and the latest events.
    let dash = c.get("/admin").await;
    assert!(dash.expect(200).contains("oauth2.as.key.rollover"));
}

async fn bootstrap_admin_is_idempotent(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let admin = s.state.store.find_user_by_login(ADMIN_LOGIN).await.unwrap().unwrap();
    let groups = s.state.store.list_user_groups(&admin.id).await.unwrap();
    assert_eq!(groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["Administrators"]);
    assert_eq!(s.events_of_type("user.lifecycle.create").await.len(), 1);
    assert_eq!(s.events_of_type("group.user_membership.add").await.len(), 1);
    let now = s.clock.now_ms();
    baton::bootstrap::ensure_admin_user(s.state.store.as_ref(), ADMIN_LOGIN, ADMIN_PASSWORD, now).await.unwrap();
    assert_eq!(s.events_of_type("user.lifecycle.create").await.len(), 1);
    assert_eq!(s.events_of_type("user.account.update_password").await.len(), 0);
    // A new password and a deactivated admin come back ACTIVE with that password.
    s.api_post(&format!("/api/v1/users/{}/lifecycle/deactivate", admin.id), &serde_json::json!({})).await.expect(200);
    baton::bootstrap::ensure_admin_user(s.state.store.as_ref(), ADMIN_LOGIN, "Another-Pass-42", now).await.unwrap();
    assert_eq!(s.events_of_type("user.account.update_password").await.len(), 1);
    Client::signed_in(&s, ADMIN_LOGIN, "Another-Pass-42").await;
}
