//! Admin console insight pages and the user's self-service pages: the
//! System Log viewer (filters, pagination, transaction view), the token inspector (a real
//! baton-signed token with a three-actor chain, a tampered one, garbage), the Streamward
//! access graph, and `/me` (revoke a consent, approve a pending agent request, sign out
//! everywhere). Every form rejects a POST without its CSRF token.

use crate::browser;
use crate::common;
use crate::console;

use baton::domain::ids::{new_id, new_secret, Prefix};
use baton::domain::{ConsentGrant, ConsentRequest, ConsentRequestStatus};
use browser::{events, unescape, Browser, CHAT, LOGIN, PASSWORD, USER_ID};
use common::{Backend, TestServer};
use console::{Client, ADMIN_LOGIN, ADMIN_PASSWORD};
use serde_json::{json, Value};

const KNOWLEDGE: &str = "aus1JGp4q34ckplLYGbL";
const AURORA: &str = "ausDqjwbmWqxUvljogI0";
const ORCH: &str = "wlps2fwpkzi3raviM1d7";
const CKA: &str = "wlpzantde10QGRrpF1d7";

/// The Streamward seed plus the console's bootstrap admin and the API token.
async fn server(backend: Backend) -> Option<TestServer> {
    console::seeded_console_server(backend).await
}

/// The byte offset of `needle` in `body` (panics when absent).
#[track_caller]
fn at(body: &str, needle: &str) -> usize {
    body.find(needle).unwrap_or_else(|| panic!("{needle:?} not in page: {body}"))
}

/// The number of `<li class="log-event">` of a log page.
fn event_count(body: &str) -> usize {
    body.matches(r#"<li class="log-event">"#).count()
}

/// The `href` of the element with `id`.
fn href_of(body: &str, id: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(r#"<a href="([^"]*)" id="{id}""#)).unwrap();
    re.captures(body).map(|c| unescape(&c[1]))
}

async fn create_group(s: &TestServer, name: &str) -> String {
    let r = s.api_post("/api/v1/groups", &json!({"profile": {"name": name}})).await;
    r.expect(200)["id"].as_str().unwrap().to_owned()
}

async fn log_viewer_filters_pages_and_transactions(backend: Backend) {
    let Some(s) = server(backend).await else { return };
    // Only the groups made here: the bootstrap logged group creations of its own.
    s.clock.advance(1000);
    let since = baton::clock::iso8601(s.clock.now_ms());
    let ids = [create_group(&s, "Alpha").await, create_group(&s, "Bravo").await, create_group(&s, "Charlie").await];
    let mut admin = Client::admin(&s).await;

    // Newest first, two per page, then the last one; the cursor is opaque.
    let page1 = admin.get(&format!("/admin/logs?type=group.lifecycle.create&limit=2&since={since}")).await;
    let body = page1.expect(200);
    assert_eq!(event_count(body), 2, "{body}");
    assert!(at(body, &ids[2]) < at(body, &ids[1]), "newest first");
    assert!(!body.contains(&ids[0]));
    assert!(body.contains("<details>") && body.contains(r#"<pre class="json">"#));
    let next = href_of(body, "next-page").expect("a next page");
    assert!(next.contains("type=group.lifecycle.create") && next.contains("after="), "{next}");
    assert!(next.contains("since="), "the filters stay: {next}");
    let page2 = admin.get(&next).await;
    let body2 = page2.expect(200);
    assert_eq!(event_count(body2), 1, "{body2}");
    assert!(body2.contains(&ids[0]));
    assert!(href_of(body2, "next-page").is_none());
    assert!(href_of(body2, "newest-page").is_some());

    // Target, outcome, actor and time filters.
    let by_target = admin.get(&format!("/admin/logs?target={}", ids[1])).await;
    assert_eq!(event_count(by_target.expect(200)), 1, "{}", by_target.body);
    let failures = admin.get("/admin/logs?type=group.lifecycle.create&outcome=FAILURE").await;
    assert_eq!(event_count(failures.expect(200)), 0);
    assert!(failures.body.contains(r#"id="no-events""#));
    let by_actor = admin.get("/admin/logs?type=group.*&actor=nobody@example.com").await;
    assert_eq!(event_count(by_actor.expect(200)), 0);
    let future = admin.get("/admin/logs?type=group.lifecycle.create&since=2999-01-01T00:00").await;
    assert_eq!(event_count(future.expect(200)), 0);
    let past =
        admin.get(&format!("/admin/logs?type=group.lifecycle.create&since={since}&until=2999-01-01T00:00")).await;
    assert_eq!(event_count(past.expect(200)), 3);
    let bad = admin.get("/admin/logs?since=yesterday&outcome=MAYBE").await;
    let bad_body = bad.expect(400);
    assert!(bad_body.contains(r#"id="error""#) && bad_body.contains("From:") && bad_body.contains("Outcome:"));

    // A transaction: every event of one request.
    let record = events(&s, "group.lifecycle.create").await.into_iter().find(|e| e["target"][0]["id"] == ids[1]);
    let tx = record.unwrap()["transaction"]["id"].as_str().unwrap().to_owned();
    let by_tx = admin.get(&format!("/admin/logs?transaction={tx}")).await;
    assert_eq!(event_count(by_tx.expect(200)), 1);
    let view = admin.get(&format!("/admin/logs/transactions/{tx}")).await;
    let view_body = view.expect(200);
    assert!(view_body.contains(&ids[1]) && !view_body.contains(&ids[0]));
    assert!(view_body.contains(&format!(r#"href="/admin/logs/transactions/{tx}""#)));
    admin.get("/admin/logs/transactions/no-such-transaction").await.expect(404);

    // Not signed in: off to the console's sign-in page.
    let anonymous = Client::new(&s).get("/admin/logs").await;
    assert_eq!(anonymous.status, 303);
    assert!(anonymous.location().starts_with("/admin/login"), "{}", anonymous.location());
}

/// A token of the Corp Knowledge AS, signed by baton, whose chain is the Streamward J2.
async fn knowledge_token(s: &TestServer, lifetime: i64) -> String {
    let now = s.clock.now_ms() / 1000;
    let claims = json!({
        "ver": 1, "jti": "AT.inspector-test", "iss": s.url(&format!("/oauth2/{KNOWLEDGE}")),
        "aud": "https://streamward.com/corp/knowledge", "iat": now, "exp": now + lifetime,
        "sub": LOGIN, "uid": USER_ID, "scp": ["Corp-Knowledge-Agent:execute"],
        "act": {"sub": CKA, "sub_profile": "ai_agent",
                "act": {"sub": ORCH, "sub_profile": "ai_agent",
                        "act": {"sub": CHAT, "sub_profile": "web_app"}}}
    });
    let Value::Object(claims) = claims else { unreachable!() };
    s.state.keys.sign(s.state.store.as_ref(), KNOWLEDGE, &claims, None).await.unwrap()
}

async fn inspector_verifies_and_draws_the_chain(backend: Backend) {
    let Some(s) = server(backend).await else { return };
    let token = knowledge_token(&s, 3600).await;
    let mut admin = Client::admin(&s).await;
    admin.get("/admin/inspector").await.expect(200);

    let page = admin.post("/admin/inspector", &[("token", &format!("  {token}\n"))]).await;
    let body = page.expect(200);
    assert!(body.contains(r#"data-verdict="verified""#), "{body}");
    assert!(body.contains("Corp Knowledge"));
    // An hour, give or take the second the request took.
    let valid = regex::Regex::new(r#"id="expiry" class="muted">Valid for (1h|59m \d+s) more\.<"#).unwrap();
    assert!(valid.is_match(&unescape(body)), "{body}");
    assert!(!body.contains(&token), "the token is not echoed");
    // The boxes, from the human to the latest actor, each named.
    let chain = &body[at(body, r#"id="act-chain""#)..];
    let order: Vec<usize> = [USER_ID, CHAT, ORCH, CKA].iter().map(|id| at(chain, id)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    for name in ["Demo User", "Streamward Chat", "Orchestrator", "Corp-Knowledge-Agent"] {
        assert!(chain.contains(name), "{name} missing");
    }
    assert!(chain.contains("web_app") && chain.contains("ai_agent"));
    assert!(body.contains(r#"id="claims-json""#) && body.contains("Corp-Knowledge-Agent:execute"));

    // The alias works the same way.
    let alias = admin.post("/admin/tokens/inspect", &[("token", &token)]).await;
    assert!(alias.expect(200).contains(r#"data-verdict="verified""#));

    // Tampered: another payload under the same header and signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let payload = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &parts[1]).unwrap();
    let forged = String::from_utf8(payload).unwrap().replace(USER_ID, "00uSomeoneElse00000");
    parts[1] = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, forged);
    let tampered = admin.post("/admin/inspector", &[("token", &parts.join("."))]).await;
    let tampered_body = tampered.expect(200);
    assert!(tampered_body.contains(r#"data-verdict="invalid""#), "{tampered_body}");
    assert!(tampered_body.contains("Corp Knowledge"));

    // Expired, per the server's clock.
    let old = knowledge_token(&s, -3600).await;
    let expired = admin.post("/admin/inspector", &[("token", &old)]).await;
    let ago = regex::Regex::new(r#"id="expiry" class="alert">Expired 1h( \d+s)? ago\.<"#).unwrap();
    assert!(ago.is_match(&unescape(expired.expect(200))), "{}", expired.body);

    // Garbage, and a POST without the CSRF token (nothing inspected).
    let garbage = admin.post("/admin/inspector", &[("token", "not-a-jwt")]).await;
    assert!(garbage.expect(400).contains(r#"id="error""#));
    let forged_post = admin.post_raw("/admin/inspector", &[("token", &token)]).await;
    assert_eq!(forged_post.status, 403);
    assert!(!forged_post.body.contains("data-verdict"));
}

async fn access_graph_of_the_streamward_user(backend: Backend) {
    let Some(s) = server(backend).await else { return };
    let user = s.state.store.find_user(USER_ID).await.unwrap().unwrap();
    let graph = baton::http::console::insight::access::load(s.state.store.as_ref(), &user).await.unwrap();
    assert_eq!(graph.edge(USER_ID, CHAT), Some("assigned (group Everyone)"));
    assert!(graph.edge(CHAT, ORCH).unwrap().contains("ACCESS_TOKEN"));
    assert_eq!(graph.edge(ORCH, CKA), Some("ACCESS_TOKEN"));
    assert_eq!(graph.edge(ORCH, KNOWLEDGE), Some("Corp-Knowledge-Agent:execute"));
    assert_eq!(graph.edge(CKA, AURORA), Some("Aurora-DB:read"));

    let mut admin = Client::admin(&s).await;
    let picker = admin.get("/admin/graph").await;
    assert!(picker.expect(200).contains(&format!(r#"href="/admin/users/{USER_ID}/access""#)));
    let page = admin.get(&format!("/admin/users/{USER_ID}/access")).await;
    let body = page.expect(200);
    assert!(body.contains("<svg") && body.contains("</svg>"));
    let reach = &body[at(body, r#"<table id="reach">"#)..];
    let row = |holder: &str, server: &str| {
        reach
            .split("<tr>")
            .find(|r| r.starts_with(&format!("<td>{holder} ")) && r.contains(&format!("<td>{server} ")))
            .unwrap_or_else(|| panic!("no row {holder} → {server}: {reach}"))
            .to_owned()
    };
    assert!(row("Orchestrator", "Corp Knowledge").contains(r#"<td class="granted">Corp-Knowledge-Agent:execute</td>"#));
    assert!(row("Corp-Knowledge-Agent", "Aurora DB").contains(r#"<td class="granted">Aurora-DB:read</td>"#));
    admin.get("/admin/users/00uNoSuchUser0000000/access").await.expect(404);
}

fn grant(scope: &str, now: i64) -> ConsentGrant {
    ConsentGrant {
        id: new_id(Prefix::ConsentGrant),
        user_id: USER_ID.into(),
        client_id: CHAT.into(),
        auth_server_id: "default".into(),
        scope_id: format!("scp{scope}"),
        scope_name: scope.into(),
        source: "END_USER".into(),
        created: now,
        last_updated: now,
    }
}

async fn me_revokes_consents_and_decides_agent_requests(backend: Backend) {
    let Some(s) = server(backend).await else { return };
    let now = s.clock.now_ms();
    let (kept, gone) = (grant("profile", now), grant("email", now));
    s.state.store.create_consent_grants(&[kept.clone(), gone.clone()], &[]).await.unwrap();
    let request = ConsentRequest {
        id: format!("{}{}", Prefix::ConsentRequest.as_str(), new_secret()),
        user_id: USER_ID.into(),
        client_id: ORCH.into(),
        actor_id: None,
        subject_client_id: Some(CHAT.into()),
        connection_id: "mcn779QRUFT7nbQ759nd".into(),
        auth_server_id: KNOWLEDGE.into(),
        scopes: vec!["Corp-Knowledge-Agent:execute".into()],
        status: ConsentRequestStatus::Pending,
        created: now,
        expires: now + 600_000,
        decided: None,
        revoked: None,
    };
    s.state.store.create_consent_request(&request, &[]).await.unwrap();

    // Not signed in: sent to the sign-in page.
    let mut b = Browser::new(&s);
    let anonymous = b.get("/me").await;
    assert!(anonymous.location().ends_with("/login"), "{}", anonymous.location());
    b.sign_in_directly(LOGIN, PASSWORD).await;
    let me = b.get("/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert!(me.body.contains(&format!(r#"id="revoke-{}""#, gone.id)));
    assert!(me.body.contains(&format!(r#"id="revoke-{}""#, kept.id)));
    assert!(me.body.contains("Orchestrator") && me.body.contains("Corp Knowledge"));
    assert!(me.header("content-security-policy").unwrap_or_default().contains("default-src 'self'"));
    let csrf = b.cookies["baton_csrf"].clone();

    // Revoke one consent: without the CSRF token nothing happens.
    let path = format!("/me/consents/{}/revoke", gone.id);
    assert_eq!(b.post(&path, &[]).await.status, 403);
    assert_eq!(s.state.store.list_consent_grants(USER_ID).await.unwrap().len(), 2);
    let done = b.post(&path, &[("csrf_token".into(), csrf.clone())]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(done.location().ends_with("/me"));
    let left: Vec<String> =
        s.state.store.list_consent_grants(USER_ID).await.unwrap().into_iter().map(|g| g.id).collect();
    assert_eq!(left, std::slice::from_ref(&kept.id));
    let revocations = events(&s, "app.oauth2.as.consent.revoke").await;
    assert_eq!(revocations.len(), 1);
    assert_eq!(revocations[0]["actor"]["id"], USER_ID);
    assert_eq!(revocations[0]["debugContext"]["debugData"]["grantId"], gone.id.as_str());
    assert!(b.get("/me").await.body.contains(r#"id="flash""#));
    // Someone else's (or no) grant: 404.
    let unknown = b.post("/me/consents/oagNoSuchGrant0000000/revoke", &[("csrf_token".into(), csrf.clone())]).await;
    assert_eq!(unknown.status, 404);

    // Approve the pending agent request through the brokered-consent handler.
    let approve = b
        .post(
            &format!("/consent/requests/{}", request.id),
            &[("csrf_token".into(), csrf.clone()), ("decision".into(), "allow".into())],
        )
        .await;
    assert_eq!(approve.status, 200, "{}", approve.body);
    let stored = s.state.store.find_consent_request(&request.id).await.unwrap().unwrap();
    assert_eq!(stored.status, ConsentRequestStatus::Approved);
    assert!(b.get("/me").await.body.contains(r#"id="no-requests""#));
}

async fn me_signs_out_everywhere(backend: Backend) {
    let Some(s) = server(backend).await else { return };
    let (mut laptop, mut phone) = (Browser::new(&s), Browser::new(&s));
    laptop.sign_in_directly(LOGIN, PASSWORD).await;
    phone.sign_in_directly(LOGIN, PASSWORD).await;
    assert_eq!(laptop.get("/me").await.status, 200);
    assert_eq!(phone.get("/me").await.status, 200);
    let csrf = laptop.cookies["baton_csrf"].clone();

    assert_eq!(laptop.post("/me/sessions/end", &[]).await.status, 403);
    assert_eq!(phone.get("/me").await.status, 200, "a rejected POST ends nothing");
    let done = laptop.post("/me/sessions/end", &[("csrf_token".into(), csrf)]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("2 session(s) ended"), "{}", done.body);
    assert!(laptop.get("/me").await.location().ends_with("/login"));
    assert!(phone.get("/me").await.location().ends_with("/login"));
    let ended: Vec<Value> = events(&s, "user.session.end")
        .await
        .into_iter()
        .filter(|e| e["debugContext"]["debugData"]["endedBy"] == "everywhere")
        .collect();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["actor"]["id"], USER_ID);

    // An admin page is not for the demo user, and the admin's own session is untouched.
    let mut admin = Client::signed_in(&s, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    admin.get("/admin/logs").await.expect(200);
}

backend_tests!(
    log_viewer_filters_pages_and_transactions,
    inspector_verifies_and_draws_the_chain,
    access_graph_of_the_streamward_user,
    me_revokes_consents_and_decides_agent_requests,
    me_signs_out_everywhere,
);

/// The insight pages in headless Chromium (SQLite only; skipped without Chromium): screenshots
/// `target/screenshots/insight-*.png`, and the pages work without any script.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insight_pages_in_a_browser() {
    let Some(s) = server(Backend::Sqlite).await else { return };
    let Some(b) = console::browser::Browser::start(&s.url("")).await else { return };
    b.sign_in(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    b.goto("/admin/logs").await;
    b.click(".log-event summary").await;
    assert!(b.text(".log-event pre.json").await.contains("\"eventType\""));
    b.shot("insight-logs").await;

    let token = knowledge_token(&s, 3600).await;
    b.goto("/admin/inspector").await;
    b.fill("#token", &token).await;
    b.click("#inspect").await;
    assert!(b.text("#verdict").await.contains("Signature verified"), "{}", b.body().await);
    assert!(b.text("#act-chain").await.contains("Corp-Knowledge-Agent"));
    b.shot("insight-inspector").await;

    b.goto(&format!("/admin/users/{USER_ID}/access")).await;
    assert!(b.text("#reach").await.contains("Aurora-DB:read"));
    b.shot("insight-access-graph").await;

    b.goto("/login").await;
    b.fill("#username", LOGIN).await;
    b.fill("#password", PASSWORD).await;
    b.click("button[type=submit]").await;
    b.goto("/me").await;
    assert_eq!(b.text("#me-login").await, LOGIN);
    b.shot("insight-me").await;
    b.close().await;
}
