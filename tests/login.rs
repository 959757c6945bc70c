//! baton's sign-in page (okta-surface.md §4.3): generic errors, only ACTIVE users, CSRF on
//! every form, throttling per address (memory) and per user (from the System Log, as another
//! replica would see it), and cookie attributes.

mod browser;
mod common;

use baton::audit::Context;
use baton::authn::events::{session_start_failure, INVALID_CREDENTIALS};
use baton::domain::UserStatus;
use browser::{authorize_url, chat_request, events, seeded, text_of, with, Browser, LOGIN, PASSWORD, USER_ID};
use common::{Backend, TestServer};
use serde_json::json;
use std::path::PathBuf;

const GENERIC: &str = "Unable to sign in. Check your username and password.";
const THROTTLED: &str = "Too many failed sign-in attempts. Try again in 15 minutes.";

fn error_of(page: &browser::Resp) -> Option<String> {
    text_of(&page.body, "sign-in-error")
}

async fn failures_are_generic(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let page = b.get(&authorize_url(Some("default"), &chat_request("openid"))).await;
    let wrong = b.sign_in(&page, LOGIN, "not-the-password").await;
    assert!(wrong.is_sign_in_page());
    assert_eq!(error_of(&wrong).as_deref(), Some(GENERIC));
    assert_eq!(wrong.form().get("username"), Some(LOGIN), "the typed username stays");
    assert!(wrong.set_cookie("baton_sid").is_none());
    let unknown = b.sign_in(&wrong, "nobody@streamward.com", PASSWORD).await;
    assert_eq!(error_of(&unknown).as_deref(), Some(GENERIC));

    let mut user = s.state.store.find_user(USER_ID).await.unwrap().unwrap();
    user.status = UserStatus::Suspended;
    s.state.store.update_user(&user, &[]).await.unwrap();
    let suspended = b.sign_in(&unknown, LOGIN, PASSWORD).await;
    assert_eq!(error_of(&suspended).as_deref(), Some(GENERIC), "right password, but not ACTIVE");
    assert!(!b.cookies.contains_key("baton_sid"));

    let logged = events(&s, "user.session.start").await;
    let summary: Vec<_> = logged
        .iter()
        .map(|e| {
            (
                e["outcome"]["result"].clone(),
                e["outcome"]["reason"].clone(),
                e["debugContext"]["debugData"]["error"].clone(),
                e["actor"]["alternateId"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (json!("FAILURE"), json!("INVALID_CREDENTIALS"), json!("wrong_password"), json!(LOGIN)),
            (json!("FAILURE"), json!("INVALID_CREDENTIALS"), json!("unknown_user"), json!("nobody@streamward.com")),
            (json!("FAILURE"), json!("INVALID_CREDENTIALS"), json!("user_not_active"), json!(LOGIN)),
        ]
    );
    assert_eq!(logged[1]["actor"]["id"], "unknown");
    assert_eq!(logged[0]["target"][0]["id"], USER_ID);
    assert!(!logged.iter().any(|e| e.to_string().contains(PASSWORD)), "no password in the log");
}

async fn forms_need_the_csrf_token(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let page = b.get("/login").await;
    let form = page.form();
    let filled = with(form.set("username", LOGIN), "password", Some(PASSWORD));
    let forbidden = |r: &browser::Resp| {
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.set_cookie("baton_sid").is_none());
    };
    forbidden(&b.post("/login", &with(filled.clone(), "csrf_token", None)).await);
    forbidden(&b.post("/login", &with(filled.clone(), "csrf_token", Some(&baton::domain::ids::new_secret()))).await);
    let cookie = b.cookies.remove("baton_csrf").unwrap();
    forbidden(&b.post("/login", &filled).await);
    b.cookies.insert("baton_csrf".into(), cookie);
    forbidden(&b.post("/consent", &[("decision".into(), "allow".into())]).await);
    assert!(events(&s, "user.session.start").await.is_empty(), "rejected before any credential check");
    let ok = b.post("/login", &filled).await;
    assert_eq!(ok.status, 200);
    assert_eq!(text_of(&ok.body, "message").as_deref(), Some(&*format!("You are signed in as {LOGIN}.")));
    assert!(b.cookies.contains_key("baton_sid"));
}

async fn throttled_per_address(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let mut page = b.get("/login").await;
    for i in 0..5 {
        page = b.sign_in(&page, &format!("guess{i}@streamward.com"), "wrong-password").await;
        assert_eq!(error_of(&page).as_deref(), Some(GENERIC));
    }
    // Same address: refused even for the right password, which is not even checked.
    let refused = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!(error_of(&refused).as_deref(), Some(THROTTLED));
    assert!(!b.cookies.contains_key("baton_sid"));
    let last = events(&s, "user.session.start").await.pop().unwrap();
    assert_eq!(last["outcome"]["reason"], "LOCKED_OUT");
    s.clock.advance(15 * 60 * 1000);
    let ok = b.sign_in(&refused, LOGIN, PASSWORD).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(b.cookies.contains_key("baton_sid"), "open again after the cooling period");
}

/// Failures another replica recorded: only the shared log knows them.
async fn add_remote_failures(s: &TestServer, n: i64) {
    let user = s.state.store.find_user(USER_ID).await.unwrap().unwrap();
    let now = s.clock.now_ms();
    let records: Vec<_> = (0..n)
        .map(|i| {
            session_start_failure(Some(&user), LOGIN, INVALID_CREDENTIALS, "wrong_password")
                .build(&Context::system(), now - (n - i) * 1000)
        })
        .collect();
    s.state.store.append_events(&records).await.unwrap();
}

async fn throttled_per_user_across_replicas(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    add_remote_failures(&s, 4).await;
    let mut b = Browser::new(&s);
    let page = b.get("/login").await;
    let ok = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert!(b.cookies.remove("baton_sid").is_some(), "four failures do not throttle: {}", ok.body);
    add_remote_failures(&s, 1).await;
    let refused = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!(error_of(&refused).as_deref(), Some(THROTTLED));
    assert!(!b.cookies.contains_key("baton_sid"));
    // The API refuses too, with Okta's rate-limit shape.
    let r = s
        .http
        .post(s.url("/api/v1/authn"))
        .json(&json!({"username": LOGIN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    let reset: i64 = r.headers()["x-rate-limit-reset"].to_str().unwrap().parse().unwrap();
    assert!(reset > s.clock.now_s() && reset <= s.clock.now_s() + 15 * 60);
    assert!(r.headers().contains_key("date"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["errorCode"], "E0000047");
    s.clock.advance(15 * 60 * 1000);
    let ok = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!(ok.status, 200);
    assert!(b.cookies.contains_key("baton_sid"), "the refused attempts did not extend the lock");
}

async fn cookies_are_secure_under_https(backend: Backend) {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/streamward.yaml");
    let Some(s) = TestServer::start_with(backend, |c| {
        c.issuer = "https://baton.example".into();
        c.seed = Some(seed);
    })
    .await
    else {
        return;
    };
    let mut b = Browser::new(&s);
    let page = b.get("/login").await;
    assert!(page.set_cookie("baton_csrf").unwrap().contains("; Secure"));
    assert_eq!(page.form().action, "https://baton.example/login");
    // The action names the external issuer; this server listens on plain HTTP.
    let fields = with(page.form().set("username", LOGIN), "password", Some(PASSWORD));
    let done = b.post("/login", &fields).await;
    let sid = done.set_cookie("baton_sid").unwrap();
    assert!(sid.contains("; Secure") && sid.contains("HttpOnly") && sid.contains("SameSite=Lax"), "{sid}");
}

backend_tests!(
    failures_are_generic,
    forms_need_the_csrf_token,
    throttled_per_address,
    throttled_per_user_across_replicas,
    cookies_are_secure_under_https,
);
