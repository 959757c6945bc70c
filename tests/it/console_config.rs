//! The admin console's configuration pages over plain HTTP, signed in through the
//! real sign-in form: an app created through the form shows its client secret exactly once
//! (and that secret authenticates); an agent registered, keyed (PEM), activated, connected and
//! linked only through the console can do the token exchange; an authorization server with a
//! scope, policy and rule built through the forms; CSRF on every form; System Log events with
//! the admin as actor.

use crate::common;
use crate::console;

use baton::domain::TextEnum;
use common::oauth::{assertion_claims, chat_tokens, ASSERTION_TYPE, CHAT, KNOWLEDGE};
use common::{Backend, TestServer};
use console::{console_server, Client, Page, ADMIN_LOGIN, ADMIN_PASSWORD};
use serde_json::Value;

backend_tests!(
    app_secret_is_shown_once,
    agent_built_in_console_can_exchange,
    auth_server_forms,
    edits_assignments_and_claims,
    forms_need_csrf
);

/// The text of the element with `id` (no nested tags).
fn text_of(body: &str, id: &str) -> Option<String> {
    let start = body.find(&format!("id=\"{id}\""))?;
    let rest = &body[start..];
    let open = rest.find('>')? + 1;
    let close = rest[open..].find('<')?;
    Some(rest[open..open + close].trim().to_owned())
}

/// The id in a `Location: {prefix}{id}` of a redirect.
fn id_after(page: &Page, prefix: &str) -> String {
    assert_eq!(page.status, 303, "{}", page.body);
    page.location().strip_prefix(prefix).unwrap_or_else(|| panic!("{} lacks {prefix}", page.location())).to_owned()
}

/// Events of `event_type` written by the console's admin (a `User` actor).
async fn admin_events(s: &TestServer, event_type: &str) -> Vec<Value> {
    let events = s.events_of_type(event_type).await;
    let mine: Vec<Value> = events.into_iter().filter(|e| e["actor"]["alternateId"] == ADMIN_LOGIN).collect();
    for e in &mine {
        assert_eq!(e["actor"]["type"], "User", "{e}");
    }
    mine
}

/// `/oauth2/v1/revoke` with HTTP Basic client authentication: 200 when it authenticates.
async fn revoke_status(s: &TestServer, client_id: &str, secret: &str) -> u16 {
    let r = s
        .http
        .post(s.url("/oauth2/v1/revoke"))
        .basic_auth(client_id, Some(secret))
        .form(&[("token", "not-a-token")])
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

async fn app_secret_is_shown_once(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    c.get("/admin/apps/new").await.expect(200);

    // A validation error comes back on the form with the API's causes, nothing created.
    let bad =
        c.post("/admin/apps", &[("label", ""), ("application_type", "web"), ("grant_client_credentials", "on")]).await;
    let body = bad.expect(400);
    assert!(body.contains("Api validation failed"), "{body}");
    assert!(body.contains("label: The field cannot be left blank"), "{body}");
    assert!(s.events_of_type("application.lifecycle.create").await.is_empty());

    let page = c
        .post(
            "/admin/apps",
            &[
                ("label", "Console app"),
                ("application_type", "web"),
                ("token_endpoint_auth_method", "client_secret_basic"),
                ("redirect_uris", "https://app.example/callback\nhttps://app.example/other"),
                ("grant_authorization_code", "on"),
                ("grant_client_credentials", "on"),
                ("pkce_required", "on"),
            ],
        )
        .await;
    let body = page.expect(200).to_owned();
    assert!(body.contains("Copy the client secret now"), "{body}");
    let secret = text_of(&body, "client-secret").unwrap();
    let client_id = text_of(&body, "client-id").unwrap();
    assert!(secret.len() >= 32, "{secret}");
    let app = s.state.store.find_app_by_client_id(&client_id).await.unwrap().unwrap();
    assert_eq!(app.label, "Console app");
    assert_eq!(app.redirect_uris, ["https://app.example/callback", "https://app.example/other"]);
    assert_eq!(app.grant_types, ["authorization_code", "client_credentials"]);

    // The secret works; the app's page never shows it again.
    assert_eq!(revoke_status(&s, &client_id, &secret).await, 200);
    assert_eq!(revoke_status(&s, &client_id, "wrong-secret-wrong-secret").await, 401);
    let view = c.get(&format!("/admin/apps/{}", app.id)).await;
    assert!(!view.expect(200).contains(&secret));
    assert!(view.body.contains("Console app"));
    let list = c.get("/admin/apps?q=console").await;
    assert!(list.expect(200).contains(&format!("/admin/apps/{}", app.id)));
    assert!(!list.body.contains(&secret));
    assert!(!c.get("/admin/apps?q=zzz").await.expect(200).contains(&format!("/admin/apps/{}", app.id)));

    let created = admin_events(&s, "application.lifecycle.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["target"][0]["id"], app.id.as_str());
    assert!(!created[0].to_string().contains(&secret), "no secret in the log");

    // A second secret is shown once too; both work.
    let rotated = c.post(&format!("/admin/apps/{}/secrets", app.id), &[]).await;
    let second = text_of(rotated.expect(200), "client-secret").unwrap();
    assert_ne!(second, secret);
    assert_eq!(revoke_status(&s, &client_id, &second).await, 200);
    assert!(!c.get(&format!("/admin/apps/{}", app.id)).await.body.contains(&second));

    // Delete needs INACTIVE: the API's error shows on the page; deactivate, then delete.
    let refused = c.post(&format!("/admin/apps/{}/lifecycle/delete", app.id), &[]).await;
    assert!(refused.expect(403).contains("must be deactivated"), "{}", refused.body);
    let r = c.post(&format!("/admin/apps/{}/lifecycle/deactivate", app.id), &[]).await;
    assert_eq!(r.location(), format!("/admin/apps/{}", app.id));
    assert_eq!(revoke_status(&s, &client_id, &secret).await, 401);
    assert_eq!(admin_events(&s, "application.lifecycle.deactivate").await.len(), 1);
    let r = c.post(&format!("/admin/apps/{}/lifecycle/delete", app.id), &[]).await;
    assert_eq!(r.status, 303);
    assert!(s.state.store.find_app(&app.id).await.unwrap().is_none());
    assert_eq!(admin_events(&s, "application.lifecycle.delete").await.len(), 1);
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

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!("{}/keys/streamward/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

async fn agent_built_in_console_can_exchange(backend: Backend) {
    let Some(s) = console::seeded_console_server(backend).await else {
        return;
    };
    let mut c = Client::admin(&s).await;
    c.get("/admin/agents/new").await.expect(200);
    let bad = c.post("/admin/agents", &[("name", "ab")]).await;
    assert!(bad.expect(400).contains("profile.name: must be at least 3 characters long"), "{}", bad.body);

    let r = c
        .post(
            "/admin/agents",
            &[
                ("name", "Console research agent"),
                ("description", "Built in the console"),
                ("app_id", CHAT),
                ("owners", ADMIN_LOGIN),
            ],
        )
        .await;
    let id = id_after(&r, "/admin/agents/");
    let agent = s.state.store.find_agent(&id).await.unwrap().unwrap();
    assert_eq!(agent.name, "Console research agent");
    assert_eq!(agent.app_id.as_deref(), Some(CHAT));
    assert_eq!(agent.owners.len(), 1);
    assert_eq!(admin_events(&s, "workload_principal.ai_agent.register").await.len(), 1);
    let page = c.get(&format!("/admin/agents/{id}")).await;
    assert!(page.expect(200).contains("STAGED"));
    assert!(page.body.contains(ADMIN_LOGIN), "owners shown by login");

    // A private key is refused with the reason; the public PEM is accepted.
    let bad = c.post(&format!("/admin/agents/{id}/keys"), &[("key", &key_file("orchestrator.pem"))]).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    let r = c.post(&format!("/admin/agents/{id}/keys"), &[("key", &key_file("orchestrator.pub.pem"))]).await;
    assert_eq!(r.location(), format!("/admin/agents/{id}"), "{}", r.body);
    let keys = s.state.store.list_client_keys(&id).await.unwrap();
    assert_eq!(keys.len(), 1);
    let kid = keys[0].kid.clone();
    assert_eq!(admin_events(&s, "workload_principal.ai_agent.credential.create").await.len(), 1);

    let r = c
        .post(
            &format!("/admin/agents/{id}/connections"),
            &[("auth_server", KNOWLEDGE), ("scopes", "Corp-Knowledge-Agent:execute")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(admin_events(&s, "workload_principal.resource_connection.create").await.len(), 1);
    let r = c
        .post("/admin/connections", &[("from", &format!("app:{CHAT}")), ("token_type", "ACCESS_TOKEN"), ("to", &id)])
        .await;
    assert_eq!(r.location(), "/admin/connections", "{}", r.body);
    assert_eq!(admin_events(&s, "workload_principal.delegation_link.create").await.len(), 1);
    let links = c.get("/admin/connections").await;
    assert!(links.expect(200).contains("Console research agent"));

    let pem = String::from_utf8(common::oauth::key_pem("orchestrator")).unwrap();
    let t1 = chat_tokens(&s, "openid profile email").await["access_token"].as_str().unwrap().to_owned();
    // STAGED: cannot authenticate yet.
    assert_eq!(exchange(&s, &id, &pem, &kid, &t1).await.status, 401);
    let r = c.post(&format!("/admin/agents/{id}/lifecycle/activate"), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(admin_events(&s, "workload_principal.ai_agent.activate").await.len(), 1);
    let r = exchange(&s, &id, &pem, &kid, &t1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["issued_token_type"], "urn:ietf:params:oauth:token-type:id-jag");
    assert_eq!(r.body["scope"], "Corp-Knowledge-Agent:execute");

    // The key deactivated in the console: the exchange fails; an ACTIVE key cannot be deleted.
    let refused = c.post(&format!("/admin/agents/{id}/keys/{kid}/delete"), &[]).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    c.post(&format!("/admin/agents/{id}/keys/{kid}/deactivate"), &[]).await;
    assert_eq!(exchange(&s, &id, &pem, &kid, &t1).await.status, 401);
    assert_eq!(admin_events(&s, "workload_principal.ai_agent.credential.deactivate").await.len(), 1);
}

async fn auth_server_forms(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    c.get("/admin/auth-servers").await.expect(200);
    let bad = c.post("/admin/auth-servers", &[("name", "Console AS")]).await;
    assert!(bad.expect(400).contains("audiences"), "{}", bad.body);
    let r = c
        .post("/admin/auth-servers", &[("name", "Console AS"), ("description", "d"), ("audience", "api://console")])
        .await;
    let id = id_after(&r, "/admin/auth-servers/");
    let page = c.get(&format!("/admin/auth-servers/{id}")).await;
    assert!(page.expect(200).contains(&s.url(&format!("/oauth2/{id}"))), "issuer shown");
    assert_eq!(admin_events(&s, "oauth2.as.created").await.len(), 1);

    let r =
        c.post(&format!("/admin/auth-servers/{id}/scopes"), &[("name", "console:read"), ("consent", "REQUIRED")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let scopes = s.state.store.list_scopes(&id).await.unwrap();
    let scope = scopes.iter().find(|x| x.name == "console:read").unwrap();
    assert_eq!(scope.consent.as_str(), "REQUIRED");
    assert_eq!(admin_events(&s, "oauth2.scope.created").await.len(), 1);
    let dup = c.post(&format!("/admin/auth-servers/{id}/scopes"), &[("name", "console:read")]).await;
    assert!(dup.expect(400).contains("already exists"), "{}", dup.body);

    let r = c.post(&format!("/admin/auth-servers/{id}/policies"), &[("name", "Console policy")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let policies = s.state.store.list_policies(&id).await.unwrap();
    let policy = policies.iter().find(|p| p.name == "Console policy").unwrap();
    assert_eq!(policy.clients, ["ALL_CLIENTS"]);
    assert_eq!(admin_events(&s, "policy.lifecycle.create").await.len(), 1);

    let r = c
        .post(
            &format!("/admin/auth-servers/{id}/policies/{}/rules", policy.id),
            &[
                ("name", "Console rule"),
                ("groups", "EVERYONE"),
                ("grant_authorization_code", "on"),
                ("grant_client_credentials", "on"),
                ("scopes", "openid console:read"),
                ("access_minutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let rules = s.state.store.list_rules(&policy.id).await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].name, "Console rule");
    assert_eq!(rules[0].conditions.grant_types.include, ["authorization_code", "client_credentials"]);
    assert_eq!(rules[0].conditions.scopes.include, ["openid", "console:read"]);
    assert_eq!(rules[0].token.access_token_minutes, 30);
    assert_eq!(admin_events(&s, "policy.rule.add").await.len(), 1);
    let bad = c
        .post(
            &format!("/admin/auth-servers/{id}/policies/{}/rules", policy.id),
            &[("name", "x"), ("access_minutes", "1")],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);

    let page = c.get(&format!("/admin/auth-servers/{id}")).await;
    assert!(page.expect(200).contains("Console rule") && page.body.contains("console:read"));

    // Rule and policy deleted, server deactivated and deleted.
    let r = c.post(&format!("/admin/auth-servers/{id}/policies/{}/rules/{}/delete", policy.id, rules[0].id), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(admin_events(&s, "policy.rule.delete").await.len(), 1);
    c.post(&format!("/admin/auth-servers/{id}/lifecycle/deactivate"), &[]).await;
    assert_eq!(admin_events(&s, "oauth2.as.deactivated").await.len(), 1);
    let r = c.post(&format!("/admin/auth-servers/{id}/lifecycle/delete"), &[]).await;
    assert_eq!(r.location(), "/admin/auth-servers");
    assert!(s.state.store.find_auth_server(&id).await.unwrap().is_none());
}

async fn log_count(s: &TestServer) -> usize {
    let since = baton::clock::iso8601(s.clock.now_ms() - 3_600_000);
    s.api_get(&format!("/api/v1/logs?limit=1000&since={since}")).await.expect(200).as_array().unwrap().len()
}

/// Every form of these pages: a POST without the CSRF token is a 403 and changes nothing.
async fn forms_need_csrf(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    // Real objects to aim at.
    let page = c
        .post(
            "/admin/apps",
            &[("label", "CSRF app"), ("application_type", "service"), ("grant_client_credentials", "on")],
        )
        .await;
    let client_id = text_of(page.expect(200), "client-id").unwrap();
    let app = s.state.store.find_app_by_client_id(&client_id).await.unwrap().unwrap().id;
    let agent = id_after(&c.post("/admin/agents", &[("name", "CSRF agent")]).await, "/admin/agents/");
    let server = id_after(
        &c.post("/admin/auth-servers", &[("name", "CSRF AS"), ("audience", "api://x")]).await,
        "/admin/auth-servers/",
    );
    let before = log_count(&s).await;
    let paths = [
        "/admin/apps".to_owned(),
        format!("/admin/apps/{app}"),
        format!("/admin/apps/{app}/lifecycle/deactivate"),
        format!("/admin/apps/{app}/secrets"),
        "/admin/agents".to_owned(),
        format!("/admin/agents/{agent}/lifecycle/activate"),
        format!("/admin/agents/{agent}/keys"),
        format!("/admin/agents/{agent}/connections"),
        "/admin/connections".to_owned(),
        "/admin/connections/links/x/delete".to_owned(),
        "/admin/auth-servers".to_owned(),
        format!("/admin/auth-servers/{server}"),
        format!("/admin/auth-servers/{server}/lifecycle/deactivate"),
        format!("/admin/auth-servers/{server}/scopes"),
        format!("/admin/auth-servers/{server}/policies"),
        format!("/admin/auth-servers/{server}/claims"),
        format!("/admin/apps/{app}/users"),
        format!("/admin/apps/{app}/groups"),
    ];
    for path in &paths {
        let r = c.post_raw(path, &[("label", "x"), ("name", "Changed name"), ("audience", "api://y")]).await;
        assert_eq!(r.status, 403, "{path}: {}", r.body);
        let wrong = c.post_raw(path, &[("csrf_token", "forged"), ("name", "Changed name")]).await;
        assert_eq!(wrong.status, 403, "{path}");
    }
    assert_eq!(log_count(&s).await, before, "nothing written");
    assert_eq!(s.state.store.find_auth_server(&server).await.unwrap().unwrap().name, "CSRF AS");
}

/// Edit forms (app, scope, policy, rule), app assignments and claims, each logged like the API.
async fn edits_assignments_and_claims(backend: Backend) {
    let Some(s) = console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    let page = c
        .post(
            "/admin/apps",
            &[
                ("label", "Edit me"),
                ("application_type", "web"),
                ("token_endpoint_auth_method", "client_secret_post"),
                ("redirect_uris", "https://edit.example/cb"),
                ("grant_authorization_code", "on"),
                ("pkce_required", "on"),
            ],
        )
        .await;
    let client_id = text_of(page.expect(200), "client-id").unwrap();
    let app = s.state.store.find_app_by_client_id(&client_id).await.unwrap().unwrap();

    // Edit: the API's replace (client_secret kept: no new secret page).
    let r = c
        .post(
            &format!("/admin/apps/{}", app.id),
            &[
                ("label", "Edited"),
                ("application_type", "web"),
                ("token_endpoint_auth_method", "client_secret_post"),
                ("redirect_uris", "https://edit.example/cb2"),
                ("grant_authorization_code", "on"),
                ("grant_refresh_token", "on"),
                ("pkce_required", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let edited = s.state.store.find_app(&app.id).await.unwrap().unwrap();
    assert_eq!(edited.label, "Edited");
    assert_eq!(edited.redirect_uris, ["https://edit.example/cb2"]);
    assert_eq!(edited.grant_types, ["authorization_code", "refresh_token"]);
    assert_eq!(admin_events(&s, "application.lifecycle.update").await.len(), 1);
    let bad = c.post(&format!("/admin/apps/{}", app.id), &[("label", "Edited"), ("application_type", "web")]).await;
    assert!(bad.expect(400).contains("grant_types"), "{}", bad.body);

    // Assignments by login and by group name.
    let r = c.post(&format!("/admin/apps/{}/users", app.id), &[("user", ADMIN_LOGIN)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(admin_events(&s, "application.user_membership.add").await.len(), 1);
    let r = c.post(&format!("/admin/apps/{}/groups", app.id), &[("group", "Administrators"), ("priority", "2")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let groups = s.state.store.list_app_group_assignments(&app.id).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].priority, 2);
    assert_eq!(admin_events(&s, "group.application_assignment.add").await.len(), 1);
    let view = c.get(&format!("/admin/apps/{}", app.id)).await;
    assert!(view.expect(200).contains(ADMIN_LOGIN) && view.body.contains("Administrators"));
    let missing = c.post(&format!("/admin/apps/{}/users", app.id), &[("user", "nobody@example.com")]).await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    let admin_id = s.state.store.find_user_by_login(ADMIN_LOGIN).await.unwrap().unwrap().id;
    let r = c.post(&format!("/admin/apps/{}/users/{admin_id}/delete", app.id), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(admin_events(&s, "application.user_membership.remove").await.len(), 1);
    let r = c.post(&format!("/admin/apps/{}/groups/{}/delete", app.id, groups[0].group_id), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(admin_events(&s, "group.application_assignment.remove").await.len(), 1);

    // Authorization server: scope, policy and rule edited; a claim added and deleted.
    let id = id_after(
        &c.post("/admin/auth-servers", &[("name", "Edit AS"), ("audience", "api://edit")]).await,
        "/admin/auth-servers/",
    );
    c.post(&format!("/admin/auth-servers/{id}/scopes"), &[("name", "edit:read")]).await;
    let scope = s.state.store.list_scopes(&id).await.unwrap().into_iter().find(|x| x.name == "edit:read").unwrap();
    let r = c
        .post(
            &format!("/admin/auth-servers/{id}/scopes/{}", scope.id),
            &[("name", "edit:read"), ("description", "Read things"), ("consent", "REQUIRED")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let scope = s.state.store.find_scope(&id, &scope.id).await.unwrap().unwrap();
    assert_eq!(scope.description.as_deref(), Some("Read things"));
    assert_eq!(admin_events(&s, "oauth2.scope.updated").await.len(), 1);

    c.post(&format!("/admin/auth-servers/{id}/policies"), &[("name", "P1")]).await;
    let policy = s.state.store.list_policies(&id).await.unwrap().remove(0);
    let r = c
        .post(
            &format!("/admin/auth-servers/{id}/policies/{}", policy.id),
            &[("name", "P1 renamed"), ("clients", &client_id)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let policy = s.state.store.find_policy(&id, &policy.id).await.unwrap().unwrap();
    assert_eq!(policy.name, "P1 renamed");
    assert_eq!(policy.clients, [client_id.as_str()]);
    assert_eq!(admin_events(&s, "policy.lifecycle.update").await.len(), 1);
    let rules_path = format!("/admin/auth-servers/{id}/policies/{}/rules", policy.id);
    c.post(&rules_path, &[("name", "R1"), ("grant_authorization_code", "on")]).await;
    let rule = s.state.store.list_rules(&policy.id).await.unwrap().remove(0);
    assert_eq!(rule.conditions.people.groups.include, ["EVERYONE"]);
    let r = c
        .post(
            &format!("{rules_path}/{}", rule.id),
            &[
                ("name", "R1 edited"),
                ("groups", "Administrators"),
                ("grant_client_credentials", "on"),
                ("scopes", "edit:read"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let rule = s.state.store.find_rule(&policy.id, &rule.id).await.unwrap().unwrap();
    assert_eq!(rule.name, "R1 edited");
    assert_eq!(rule.conditions.grant_types.include, ["client_credentials"]);
    let admins = s.state.store.find_group_by_name("Administrators").await.unwrap().unwrap();
    assert_eq!(rule.conditions.people.groups.include, [admins.id]);
    assert_eq!(admin_events(&s, "policy.rule.update").await.len(), 1);

    let bad = c
        .post(
            &format!("/admin/auth-servers/{id}/claims"),
            &[("name", "sub"), ("claim_type", "RESOURCE"), ("value", "user.email")],
        )
        .await;
    assert!(bad.expect(400).contains("reserved"), "{}", bad.body);
    let r = c
        .post(
            &format!("/admin/auth-servers/{id}/claims"),
            &[("name", "email_addr"), ("claim_type", "RESOURCE"), ("value", "user.email"), ("scopes", "edit:read")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let claim = s.state.store.list_claims(&id).await.unwrap().into_iter().find(|x| x.name == "email_addr").unwrap();
    assert_eq!(claim.scopes, ["edit:read"]);
    assert_eq!(admin_events(&s, "oauth2.claim.created").await.len(), 1);
    let r = c.post(&format!("/admin/auth-servers/{id}/claims/{}/delete", claim.id), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(admin_events(&s, "oauth2.claim.deleted").await.len(), 1);
}

/// The configuration pages in headless Chromium (SQLite only; skipped without Chromium):
/// an app created through the form shows its secret once; screenshots
/// `target/screenshots/config-*.png` of every page; no script needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_pages_in_a_browser() {
    let Some(s) = console::seeded_console_server(Backend::Sqlite).await else {
        return;
    };
    let Some(b) = console::browser::Browser::start(&s.url("")).await else { return };
    b.sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;

    b.goto("/admin/apps/new").await;
    b.shot("config-app-new").await;
    b.fill("#label", "Browser app").await;
    b.fill("#redirect_uris", "https://browser.example/cb").await;
    b.click("#app-submit").await;
    let secret = b.text("#client-secret").await;
    assert!(secret.len() >= 32, "{}", b.body().await);
    b.shot("config-app-secret").await;
    b.goto("/admin/apps?q=browser").await;
    b.shot("config-apps").await;
    b.click("td a").await;
    assert!(!b.body().await.contains(&secret), "shown once");
    b.shot("config-app").await;

    b.goto("/admin/agents").await;
    b.shot("config-agents").await;
    b.goto(&format!("/admin/agents/{}", common::oauth::ORCHESTRATOR)).await;
    b.shot("config-agent").await;
    b.click("#edit-profile").await;
    b.fill("#description", "Edited in a browser").await;
    b.shot("config-agent-edit").await;
    b.click("#agent-submit").await;
    assert!(b.body().await.contains("Edited in a browser"));
    b.goto("/admin/agents/new").await;
    b.shot("config-agent-new").await;
    b.goto("/admin/connections").await;
    b.shot("config-links").await;
    b.goto("/admin/auth-servers").await;
    b.shot("config-auth-servers").await;
    b.goto(&format!("/admin/auth-servers/{KNOWLEDGE}")).await;
    assert!(b.body().await.contains("Corp-Knowledge-Agent:execute"));
    b.shot("config-auth-server").await;
}
