//! baton's sign-in page (okta-surface.md §4.3): generic errors, only ACTIVE users, CSRF on
//! every form, throttling per (account, address) and per address (memory), trusted proxies,
//! the password policy's lockout (from the System Log, as another replica would see it) and
//! its unlock, and cookie attributes.

use crate::browser;
use crate::common;

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
    b.cookies.insert("baton_csrf".into(), cookie.clone());
    forbidden(&b.post("/consent", &[("decision".into(), "allow".into())]).await);
    // Login CSRF: a token the attacker chose, planted as the cookie and sent in the form.
    let chosen = format!("{}.{}", baton::domain::ids::new_secret(), baton::domain::ids::new_secret());
    b.cookies.insert("baton_csrf".into(), chosen.clone());
    forbidden(&b.post("/login", &with(filled.clone(), "csrf_token", Some(&chosen))).await);
    b.cookies.insert("baton_csrf".into(), cookie);
    assert!(events(&s, "user.session.start").await.is_empty(), "rejected before any credential check");
    let ok = b.post("/login", &filled).await;
    assert_eq!(ok.status, 200);
    assert_eq!(text_of(&ok.body, "message").as_deref(), Some(&*format!("You are signed in as {LOGIN}.")));
    assert!(b.cookies.contains_key("baton_sid"));
}

/// `POST /api/v1/authn` from `client` (an `X-Forwarded-For` value, which only a trusted proxy
/// may set): (status, body).
async fn authn(s: &TestServer, username: &str, password: &str, client: Option<&str>) -> (u16, serde_json::Value) {
    let mut req = s.http.post(s.url("/api/v1/authn")).json(&json!({"username": username, "password": password}));
    if let Some(ip) = client {
        req = req.header("x-forwarded-for", ip);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

/// One address failing on one account throttles that (account, address) pair, not the
/// address: everyone else behind it still signs in. Only a larger per-address budget stops an
/// address spraying many accounts.
async fn throttled_per_account_and_address(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let mut page = b.get("/login").await;
    for _ in 0..5 {
        page = b.sign_in(&page, "guess@streamward.com", "wrong-password").await;
        assert_eq!(error_of(&page).as_deref(), Some(GENERIC));
    }
    let refused = b.sign_in(&page, "guess@streamward.com", "wrong-password").await;
    assert_eq!(error_of(&refused).as_deref(), Some(THROTTLED));
    let last = events(&s, "user.session.start").await.pop().unwrap();
    assert_eq!(last["outcome"]["reason"], "LOCKED_OUT");
    // Same address, another account: signs in (the bootstrap admin behind a proxy included).
    let ok = b.sign_in(&refused, LOGIN, PASSWORD).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(b.cookies.remove("baton_sid").is_some(), "one account's failures do not lock out the address");

    // Spraying: PER_ADDRESS failures over distinct accounts exhaust the address's budget.
    for i in 0..baton::authn::throttle::PER_ADDRESS - 5 {
        assert_eq!(authn(&s, &format!("spray{i}@streamward.com"), "wrong", None).await.0, 401);
    }
    let (status, body) = authn(&s, LOGIN, PASSWORD, None).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["errorCode"], "E0000047");
    s.clock.advance(15 * 60 * 1000);
    assert_eq!(authn(&s, LOGIN, PASSWORD, None).await.0, 200, "open again after the cooling period");
}

/// `X-Forwarded-For` names the client only when the peer is a trusted proxy: behind one, two
/// clients are throttled apart; without one, a client cannot dodge its throttle by inventing
/// addresses.
async fn forwarded_for_only_from_trusted_proxies(backend: Backend) {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/streamward.yaml");
    let Some(s) = TestServer::start_with(backend, |c| {
        c.seed = Some(seed.clone());
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
    else {
        return;
    };
    for _ in 0..5 {
        assert_eq!(authn(&s, "guess@streamward.com", "wrong", Some("198.51.100.1")).await.0, 401);
    }
    assert_eq!(authn(&s, "guess@streamward.com", "wrong", Some("198.51.100.1")).await.0, 429);
    assert_eq!(authn(&s, "guess@streamward.com", "wrong", Some("198.51.100.2")).await.0, 401, "another client");
    let logged = events(&s, "user.session.start").await;
    assert_eq!(logged.last().unwrap()["client"]["ipAddress"], "198.51.100.2");

    let Some(direct) = TestServer::start_with(backend, |c| c.seed = Some(seed)).await else { return };
    for i in 0..5 {
        assert_eq!(authn(&direct, "guess@streamward.com", "wrong", Some(&format!("198.51.100.{i}"))).await.0, 401);
    }
    let (status, _) = authn(&direct, "guess@streamward.com", "wrong", Some("198.51.100.99")).await;
    assert_eq!(status, 429, "an untrusted peer's X-Forwarded-For is ignored");
    let logged = events(&direct, "user.session.start").await;
    assert_eq!(logged.last().unwrap()["client"]["ipAddress"], "127.0.0.1");
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

/// Okta's password-policy lockout: ten consecutive failures, from any address and any replica
/// (counted in the shared System Log), lock the account; the user is told, `/api/v1/authn`
/// answers `LOCKED_OUT`, tokens and sessions stay valid, and an admin unlocks through the API.
async fn locked_out_after_consecutive_failures_until_unlocked(backend: Backend) {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/streamward.yaml");
    let Some(s) = TestServer::start_with(backend, |c| {
        c.seed = Some(seed);
        c.admin_api_token = Some(common::api::ADMIN_TOKEN.into());
    })
    .await
    else {
        return;
    };
    s.clock.advance(10_000);
    add_remote_failures(&s, 8).await;
    let mut b = Browser::new(&s);
    let page = b.get("/login").await;
    let ok = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert!(b.cookies.remove("baton_sid").is_some(), "eight failures do not lock: {}", ok.body);
    // The success reset the count: nine more failures (one here) still do not lock.
    s.clock.advance(10_000);
    add_remote_failures(&s, 8).await;
    assert_eq!(authn(&s, LOGIN, "wrong", Some("198.51.100.1")).await.0, 401);
    assert_eq!(s.state.store.find_user(USER_ID).await.unwrap().unwrap().status, UserStatus::Active);
    // The tenth consecutive failure locks the account, from another address.
    let mut other = Browser::new(&s);
    let page = other.get("/login").await;
    let wrong = other.sign_in(&page, LOGIN, "wrong-again").await;
    assert_eq!(error_of(&wrong).as_deref(), Some(GENERIC));
    assert_eq!(s.state.store.find_user(USER_ID).await.unwrap().unwrap().status, UserStatus::LockedOut);
    let locks = events(&s, "user.account.lock").await;
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0]["target"][0]["id"], USER_ID);
    // The right password no longer signs in; the page and the API say why.
    let locked = other.sign_in(&wrong, LOGIN, PASSWORD).await;
    assert_eq!(error_of(&locked).as_deref(), Some("Your account is locked. Contact your administrator to unlock it."));
    assert!(!other.cookies.contains_key("baton_sid"));
    let (status, body) = authn(&s, LOGIN, PASSWORD, None).await;
    assert_eq!((status, body["status"].clone()), (200, json!("LOCKED_OUT")), "{body}");
    assert!(body.get("sessionToken").is_none());
    s.clock.advance(60 * 60 * 1000);
    assert_eq!(authn(&s, LOGIN, PASSWORD, None).await.1["status"], "LOCKED_OUT", "no auto-unlock by default");
    let user = s.api_get(&format!("/api/v1/users/{USER_ID}")).await.expect(200);
    assert_eq!(user["status"], "LOCKED_OUT");
    assert!(user["_links"]["unlock"]["href"].as_str().unwrap().ends_with("/lifecycle/unlock"));
    // An admin unlocks; unlocking again is refused.
    s.api_post(&format!("/api/v1/users/{USER_ID}/lifecycle/unlock"), &json!({})).await.expect(200);
    s.api_post(&format!("/api/v1/users/{USER_ID}/lifecycle/unlock"), &json!({})).await.okta_error(403, "E0000032");
    assert_eq!(events(&s, "user.account.unlock").await.len(), 1);
    let (status, body) = authn(&s, LOGIN, PASSWORD, None).await;
    assert_eq!((status, body["status"].clone()), (200, json!("SUCCESS")));
    // The failures before the unlock no longer count.
    assert_eq!(authn(&s, LOGIN, "wrong", Some("198.51.100.3")).await.0, 401);
    assert_eq!(s.state.store.find_user(USER_ID).await.unwrap().unwrap().status, UserStatus::Active);
}

/// With `lockout_auto_unlock_minutes`, a locked-out user signs in again once the period passed.
async fn auto_unlock_after_the_configured_period(backend: Backend) {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/streamward.yaml");
    let Some(s) = TestServer::start_with(backend, |c| {
        c.seed = Some(seed);
        c.lockout_attempts = 3;
        c.lockout_auto_unlock_minutes = Some(30);
    })
    .await
    else {
        return;
    };
    for i in 0..3 {
        assert_eq!(authn(&s, LOGIN, "wrong", Some(&format!("198.51.100.{i}"))).await.0, 401);
    }
    assert_eq!(authn(&s, LOGIN, PASSWORD, None).await.1["status"], "LOCKED_OUT");
    s.clock.advance(29 * 60 * 1000);
    assert_eq!(authn(&s, LOGIN, PASSWORD, None).await.1["status"], "LOCKED_OUT");
    s.clock.advance(60 * 1000);
    assert_eq!(authn(&s, LOGIN, PASSWORD, None).await.1["status"], "SUCCESS");
    let unlocks = events(&s, "user.account.unlock").await;
    assert_eq!(unlocks.len(), 1);
    assert_eq!(unlocks[0]["debugContext"]["debugData"]["unlockedBy"], "autoUnlockMinutes");
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
    throttled_per_account_and_address,
    forwarded_for_only_from_trusted_proxies,
    locked_out_after_consecutive_failures_until_unlocked,
    auto_unlock_after_the_configured_period,
    cookies_are_secure_under_https,
);
