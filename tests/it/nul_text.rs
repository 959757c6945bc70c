//! A NUL character anywhere a request carries text (path, query, form, JSON) never makes a
//! 500. Postgres refuses NUL in text (SQLSTATE 22021); baton answers that with a 400:
//! `E0000001` on the APIs and the console, `invalid_request` on the OAuth endpoints and pages.
//! SQLite stores such text, so there the same requests may succeed or fail for their own
//! reasons (a cursor that sorts first, an unknown id).

use crate::common;
use crate::console;

use common::oauth::CHAT;
use common::Backend;
use console::{seeded_console_server, Client};
use serde_json::json;

backend_tests!(nul_characters_are_bad_input);

#[track_caller]
fn client_error(what: &str, status: u16, body: &str) {
    assert!(status < 500, "{what}: {status} {body}");
}

async fn nul_characters_are_bad_input(backend: Backend) {
    let Some(s) = seeded_console_server(backend).await else { return };
    let mut c = Client::admin(&s).await;
    for path in [
        "/admin/users?after=%00x",
        "/admin/users/%00",
        "/admin/groups?after=%00",
        "/admin/groups/%00",
        "/admin/apps?after=%00",
        "/admin/apps/%00",
        "/admin/agents?after=%00",
        "/admin/agents/%00/edit",
        "/admin/auth-servers/%00",
        "/admin/logs?transaction=%00",
        "/admin/users/%00/access",
        "/consent/requests/%00",
        "/oauth2/%00/.well-known/openid-configuration",
        "/oauth2/%00/v1/keys",
        "/oauth2/v1/authorize?client_id=%00&response_type=code&scope=openid&redirect_uri=x&state=s",
        &format!("/oauth2/default/v1/authorize?client_id={CHAT}&response_type=code&scope=openid%00&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&login_hint=%00"),
    ] {
        let page = c.get(path).await;
        client_error(path, page.status, &page.body);
    }
    let posted = c.post("/admin/users", &[("login", "a\0@example.com"), ("email", "a@example.com")]).await;
    client_error("POST /admin/users", posted.status, &posted.body);
    let posted = c.post("/admin/groups", &[("name", "Team\0")]).await;
    client_error("POST /admin/groups", posted.status, &posted.body);
    let posted = c.post("/admin/inspector", &[("token", "a\0.b.c")]).await;
    client_error("POST /admin/inspector", posted.status, &posted.body);

    for path in ["/api/v1/users/%00", "/api/v1/users?after=%00", "/api/v1/groups/%00", "/api/v1/apps/%00"] {
        let r = s.api_get(path).await;
        client_error(path, r.status, &r.body.to_string());
    }
    let filter = "/api/v1/logs?filter=eventType%20eq%20%22%00%22";
    let r = s.api_get(filter).await;
    client_error(filter, r.status, &r.body.to_string());
    let r = s
        .api_post("/api/v1/users", &json!({"profile": {"login": "a\u{0}@example.com", "email": "a@example.com"}}))
        .await;
    client_error("POST /api/v1/users", r.status, &r.body.to_string());
    let r = s.api_post("/api/v1/groups", &json!({"profile": {"name": "Team\u{0}"}})).await;
    client_error("POST /api/v1/groups", r.status, &r.body.to_string());
    let r = s.api_post("/workload-principals/api/v1/ai-agents", &json!({"profile": {"name": "Agent\u{0}"}})).await;
    client_error("POST ai-agents", r.status, &r.body.to_string());

    let token = [("grant_type", "client_credentials"), ("client_id", "\0"), ("client_secret", "x")];
    let r = s.post_form("/oauth2/default/v1/token", &[], &token).await;
    client_error("token, client_id", r.status, &r.text);
    // The refused grant is still logged, the NUL shown as U+FFFD.
    let grants = s.events_of_type("app.oauth2.as.token.grant").await;
    let refused = grants.iter().find(|e| e["actor"]["id"] == "\u{FFFD}").expect("the refused grant's event");
    assert_eq!(refused["outcome"]["result"], "FAILURE");
    let r = s.post_form("/oauth2/default/v1/introspect", &[], &[("token", "\0"), ("client_id", CHAT)]).await;
    client_error("introspect", r.status, &r.text);
    let authn = s.http.post(s.url("/api/v1/authn")).json(&json!({"username": "\u{0}", "password": "x"})).send().await;
    let authn = authn.unwrap();
    client_error("authn", authn.status().as_u16(), &authn.text().await.unwrap());
}
