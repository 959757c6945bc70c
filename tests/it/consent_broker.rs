//! Brokered consent of the token exchange (xaa.md §5, §4.8, §8): a connection with
//! `consentRequired` answers `consent_required` with a `consent_uri`; the user signs in through
//! baton's real page, approves or denies, may revoke; the agent's retries see each state.

use crate::browser;
use crate::common;

use baton::domain::{ConsentRequestStatus, User};
use browser::{Browser, Resp};
use common::oauth::{
    assertion_claims, chat_tokens, decode, seeded, sign_assertion, Reply, CHAT, KNOWLEDGE, ORCHESTRATOR, USER,
};
use common::{Backend, TestServer};
use serde_json::{Map, Value};

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_JAG: &str = "urn:ietf:params:oauth:token-type:id-jag";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const KNOWLEDGE_RESOURCE: &str = "https://streamward.com/corp/knowledge";
const EXECUTE: &str = "Corp-Knowledge-Agent:execute";
const CONNECTION: &str = "mcn779QRUFT7nbQ759nd";
const LOGIN: &str = "demouser@streamward.com";
const PASSWORD: &str = "Streamward-Demo-2026!";
const NEEDS_CONSENT: &str = "The following scopes require user consent: [Corp-Knowledge-Agent:execute]";
const DENIED: &str = "The resource owner or authorization server denied the request.";

/// A server whose Knowledge AS connection requires consent.
async fn consenting(backend: Backend) -> Option<TestServer> {
    let s = seeded(backend).await?;
    let mut conn = s.state.store.find_connection(CONNECTION).await.unwrap().unwrap();
    conn.consent_required = true;
    s.state.store.update_connection(&conn, &[]).await.unwrap();
    Some(s)
}

/// Hop 3: the orchestrator exchanges `subject_token` (a fresh client assertion each time).
async fn exchange(s: &TestServer, subject_token: &str) -> Reply {
    let assertion = sign_assertion(
        "orchestrator",
        None,
        &assertion_claims(ORCHESTRATOR, &s.url("/oauth2/v1/token"), s.clock.now_s()),
    );
    let audience = s.url(&format!("/oauth2/{KNOWLEDGE}"));
    let form = [
        ("grant_type", TOKEN_EXCHANGE),
        ("client_assertion_type", common::oauth::ASSERTION_TYPE),
        ("client_assertion", assertion.as_str()),
        ("requested_token_type", ID_JAG),
        ("subject_token", subject_token),
        ("subject_token_type", ACCESS_TOKEN),
        ("audience", audience.as_str()),
        ("resource", KNOWLEDGE_RESOURCE),
        ("scope", EXECUTE),
    ];
    s.post_form("/oauth2/v1/token", &[], &form).await
}

async fn t1(s: &TestServer) -> String {
    chat_tokens(s, "openid profile email").await["access_token"].as_str().unwrap().to_owned()
}

/// Asserts the `consent_required` answer and returns its `consent_uri`.
#[track_caller]
fn consent_uri(s: &TestServer, r: &Reply) -> String {
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let body = r.body.as_object().unwrap();
    assert_eq!(body.len(), 3, "{}", r.text);
    assert_eq!(body["error"], "consent_required");
    assert_eq!(body["error_description"], NEEDS_CONSENT);
    let uri = body["consent_uri"].as_str().unwrap().to_owned();
    let id = uri.strip_prefix(&s.url("/consent/requests/")).expect("consent_uri under the issuer");
    assert!(id.starts_with("ocr") && id.len() == 46, "{id}: ocr + 43 base64url characters (256 bits)");
    assert!(id[3..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{id}");
    uri
}

async fn last_id_jag_event(s: &TestServer) -> Value {
    s.events("app.oauth2.token.grant.id_jag").await.pop().expect("an id_jag event")
}

/// A signed-in browser of the demo user on the request's page (through the real sign-in).
async fn signed_in_on<'a>(s: &'a TestServer, uri: &str) -> (Browser<'a>, Resp) {
    let mut b = Browser::new(s);
    let page = b.get(uri).await;
    assert!(page.is_sign_in_page(), "{}: {}", page.status, page.body);
    let after = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!(after.status, 302, "{}", after.body);
    assert_eq!(after.location(), uri, "back to the request after signing in");
    let page = b.get(uri).await;
    assert!(page.is_consent_page(), "{}: {}", page.status, page.body);
    (b, page)
}

/// Another ACTIVE user with the demo user's password.
async fn other_user(s: &TestServer) -> String {
    let demo = s.state.store.find_user(USER).await.unwrap().unwrap();
    let mut profile = demo.profile.clone();
    let login = "other@streamward.com";
    profile.0.insert("login".into(), login.into());
    profile.0.insert("email".into(), login.into());
    let user = User { id: "00uOtherUser00000001".into(), profile, ..demo };
    s.state.store.create_user(&user, &[], &[]).await.unwrap();
    login.to_owned()
}

fn without(fields: &[(String, String)], name: &str) -> Vec<(String, String)> {
    fields.iter().filter(|(k, _)| k != name).cloned().collect()
}

async fn approve_then_revoke(backend: Backend) {
    let Some(s) = consenting(backend).await else { return };
    let t1 = t1(&s).await;
    let uri = consent_uri(&s, &exchange(&s, &t1).await);
    let id = uri.rsplit('/').next().unwrap().to_owned();
    let ev = last_id_jag_event(&s).await;
    assert_eq!(ev["outcome"]["result"], "FAILURE", "{ev}");
    assert_eq!(ev["outcome"]["reason"], "consent_required");
    assert_eq!(ev["debugContext"]["debugData"]["error"], "consent_required_token_exchange");
    assert_eq!(ev["debugContext"]["debugData"]["consent_request_id"], id.as_str());
    // Pending: the same answer and the same consent_uri; no second request.
    assert_eq!(consent_uri(&s, &exchange(&s, &t1).await), uri);
    assert_eq!(s.events("app.oauth2.token.grant.id_jag").await.len(), 2, "one event per exchange");
    let pending = s.state.store.list_pending_consent_requests(USER, s.clock.now_ms()).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!((pending[0].client_id.as_str(), pending[0].auth_server_id.as_str()), (ORCHESTRATOR, KNOWLEDGE));
    assert_eq!(pending[0].scopes, [EXECUTE]);

    // The page names A (X), C, the audience AS and the scopes.
    let (mut b, page) = signed_in_on(&s, &uri).await;
    let text = browser::unescape(&page.body);
    for expected in [ORCHESTRATOR, CHAT, "Corp Knowledge", EXECUTE, LOGIN] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let form = page.form();
    assert_eq!(form.action, uri);

    // Another signed-in user may neither see nor decide it.
    let other_login = other_user(&s).await;
    let mut intruder = Browser::new(&s);
    let signed = intruder.sign_in_directly(&other_login, PASSWORD).await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    let description = "This consent request belongs to another user. Only that user may see or decide it.";
    intruder.get(&uri).await.assert_error_page(403, "access_denied", description);
    let intruder_page = intruder.get("/login").await;
    let csrf = intruder_page.form().get("csrf_token").unwrap().to_owned();
    let fields = vec![("csrf_token".to_owned(), csrf), ("decision".to_owned(), "allow".to_owned())];
    intruder.post(&uri, &fields).await.assert_error_page(403, "access_denied", description);

    // Without the CSRF token: 403, nothing decided.
    let resp = b.post(&uri, &without(&form.set("decision", "allow"), "csrf_token")).await;
    assert_eq!(resp.status, 403, "{}", resp.body);
    let mut wrong = form.set("decision", "allow");
    wrong.retain(|(k, _)| k != "csrf_token");
    wrong.push(("csrf_token".into(), baton::domain::ids::new_secret()));
    assert_eq!(b.post(&uri, &wrong).await.status, 403);
    let bad = b.post(&uri, &form.set("decision", "maybe")).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(s.state.store.find_consent_request(&id).await.unwrap().unwrap().status, ConsentRequestStatus::Pending);

    let done = b.decide(&page, "allow").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Access approved"), "{}", done.body);
    assert_eq!(b.decide(&page, "deny").await.status, 409, "decided once");
    let grants = s.events("app.oauth2.as.consent.grant").await;
    assert_eq!(grants.len(), 1);
    let grant = &grants[0];
    assert_eq!(grant["outcome"]["result"], "SUCCESS", "{grant}");
    assert_eq!(grant["actor"]["id"], USER);
    assert_eq!(grant["client"]["id"], ORCHESTRATOR);
    assert_eq!(grant["debugContext"]["debugData"]["consent_request_id"], id.as_str());
    assert_eq!(grant["debugContext"]["debugData"]["scopes"], EXECUTE);
    let targets: Vec<&str> = grant["target"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(targets, [USER, KNOWLEDGE, ORCHESTRATOR]);

    // Approved: the normal 200 and the ID-JAG, now and on later exchanges.
    for _ in 0..2 {
        let resp = exchange(&s, &t1).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        assert_eq!(resp.body["issued_token_type"], ID_JAG);
        assert_eq!(resp.body["scope"], EXECUTE);
        let (_, claims) = decode(resp.body["access_token"].as_str().unwrap());
        assert_eq!(claims["sub"], USER);
        assert_eq!(claims["scope"], EXECUTE);
        assert_eq!(claims["aud"], s.url(&format!("/oauth2/{KNOWLEDGE}")));
    }
    let ev = last_id_jag_event(&s).await;
    assert_eq!(ev["outcome"]["result"], "SUCCESS", "{ev}");
    assert_eq!(ev["debugContext"]["debugData"]["consent_request_id"], id.as_str());
    let approvals = s.state.store.list_consent_approvals(USER).await.unwrap();
    assert_eq!(approvals.iter().map(|resp| resp.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);

    // Revoke: from the page (now showing the approval), CSRF required, only the user.
    let page = b.get(&uri).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let revoke = page.form();
    assert_eq!(revoke.action, format!("{uri}/revoke"));
    assert_eq!(b.post(&revoke.action, &without(&revoke.fields, "csrf_token")).await.status, 403);
    intruder.post(&revoke.action, &fields).await.assert_error_page(403, "access_denied", description);
    let resp = b.post(&revoke.action, &revoke.fields).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert!(resp.body.contains("Access revoked"), "{}", resp.body);
    assert_eq!(b.post(&revoke.action, &revoke.fields).await.status, 409, "revoked once");
    let revokes = s.events("app.oauth2.as.consent.revoke").await;
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0]["outcome"]["result"], "SUCCESS");
    assert_eq!(revokes[0]["debugContext"]["debugData"]["consent_request_id"], id.as_str());
    assert!(s.state.store.list_consent_approvals(USER).await.unwrap().is_empty());

    // The next exchange asks again, with a new request.
    let again = consent_uri(&s, &exchange(&s, &t1).await);
    assert_ne!(again, uri);
    assert_eq!(s.events("app.oauth2.as.consent.grant").await.len(), 1, "intruders and CSRF failures logged nothing");
}

async fn deny_until_expiry(backend: Backend) {
    let Some(s) = consenting(backend).await else { return };
    let t1 = t1(&s).await;
    let uri = consent_uri(&s, &exchange(&s, &t1).await);
    let (mut b, page) = signed_in_on(&s, &uri).await;
    let done = b.decide(&page, "deny").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Access denied"), "{}", done.body);
    let denials = s.events("app.oauth2.as.consent.grant").await;
    assert_eq!(denials.len(), 1);
    assert_eq!(denials[0]["outcome"]["result"], "FAILURE", "{}", denials[0]);
    assert_eq!(denials[0]["outcome"]["reason"], "access_denied");
    assert_eq!(denials[0]["severity"], "WARN");
    assert_eq!(denials[0]["debugContext"]["debugData"]["error"], "consent_denied");

    // Denied: access_denied until the request expires.
    for _ in 0..2 {
        let r = exchange(&s, &t1).await;
        r.assert_error(400, "access_denied", DENIED);
        let e = last_id_jag_event(&s).await;
        assert_eq!(e["debugContext"]["debugData"]["error"], "consent_denied", "{e}");
    }
    s.clock.advance(9 * 60 * 1000);
    exchange(&s, &t1).await.assert_error(400, "access_denied", DENIED);
    s.clock.advance(60 * 1000 + 1);
    // Expired: the old page is gone, a retry opens a new request.
    b.get(&uri).await.assert_error_page(
        404,
        "not_found",
        "This consent request does not exist or has expired. Ask the agent to try again.",
    );
    let fresh = consent_uri(&s, &exchange(&s, &t1).await);
    assert_ne!(fresh, uri);
    let page = b.get(&fresh).await;
    assert!(page.is_consent_page(), "the session still holds: {}", page.body);
    assert_eq!(b.decide(&page, "allow").await.status, 200);
    assert_eq!(exchange(&s, &t1).await.status, 200);
}

async fn unknown_requests_and_machine_subjects(backend: Backend) {
    let Some(s) = consenting(backend).await else { return };
    let mut b = Browser::new(&s);
    let gone = "This consent request does not exist or has expired. Ask the agent to try again.";
    let unknown = format!("/consent/requests/ocr{}", baton::domain::ids::new_secret());
    for path in [unknown.as_str(), "/consent/requests/ocr123", "/consent/requests/%00%ff", "/consent/requests/x"] {
        b.get(path).await.assert_error_page(404, "not_found", gone);
    }
    // A POST to an unknown request: CSRF first, then 404; never a 500.
    let login = b.get("/login").await;
    let csrf = login.form().get("csrf_token").unwrap().to_owned();
    let fields = vec![("csrf_token".to_owned(), csrf), ("decision".to_owned(), "allow".to_owned())];
    b.post(&unknown, &fields).await.assert_error_page(404, "not_found", gone);
    b.post(&format!("{unknown}/revoke"), &fields).await.assert_error_page(404, "not_found", gone);
    assert_eq!(b.post(&unknown, &without(&fields, "csrf_token")).await.status, 403);

    // A signed-out browser posting a decision is sent to the page (which signs in).
    let t1 = t1(&s).await;
    let uri = consent_uri(&s, &exchange(&s, &t1).await);
    let r = b.post(&uri, &fields).await;
    assert_eq!((r.status, r.location()), (302, uri.as_str()));

    // A machine subject (an access token without `uid`) is never asked.
    let (_, claims) = decode(&t1);
    let mut machine: Map<String, Value> = claims.clone();
    machine.remove("uid");
    machine.insert("sub".into(), CHAT.into());
    machine.insert("jti".into(), format!("AT.{}", baton::domain::ids::new_secret()).into());
    let token = s.state.keys.sign(s.state.store.as_ref(), "default", &machine, None).await.unwrap();
    let r = exchange(&s, &token).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, jag) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(jag["sub"], CHAT);
    assert_eq!(s.state.store.list_pending_consent_requests(USER, s.clock.now_ms()).await.unwrap().len(), 1);
}

/// "Approvals are listed and revocable": `GET /consent/requests` signs the user in, lists only
/// their approvals, and each Revoke (CSRF-protected) returns to the list.
async fn approvals_listed_and_revocable(backend: Backend) {
    let Some(s) = consenting(backend).await else { return };
    let list = s.url("/consent/requests");
    let empty = r#"id="empty""#;

    // Without a session: the sign-in page, which comes back to the list.
    let mut b = Browser::new(&s);
    let page = b.get(&list).await;
    assert!(page.is_sign_in_page(), "{}: {}", page.status, page.body);
    assert_eq!(page.form().get("consent_request"), Some("list"));
    let after = b.sign_in(&page, LOGIN, PASSWORD).await;
    assert_eq!((after.status, after.location()), (302, list.as_str()), "{}", after.body);
    let page = b.get(&list).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(empty), "{}", page.body);
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert!(page.header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));

    // Approve a request through the real pages; a pending one is not listed.
    let t1 = t1(&s).await;
    let uri = consent_uri(&s, &exchange(&s, &t1).await);
    let id = uri.rsplit('/').next().unwrap().to_owned();
    assert!(b.get(&list).await.body.contains(empty), "pending requests are not approvals");
    let page = b.get(&uri).await;
    assert!(page.is_consent_page(), "{}: {}", page.status, page.body);
    assert!(page.body.contains(&format!(r#"href="{list}""#)), "the request page links to the list");
    assert_eq!(b.decide(&page, "allow").await.status, 200);
    assert_eq!(exchange(&s, &t1).await.status, 200);

    // The list shows it: agent, subject client, audience AS and issuer, scopes, when.
    let page = b.get(&list).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains(empty), "{}", page.body);
    let decided = s.state.store.find_consent_request(&id).await.unwrap().unwrap().decided.unwrap();
    let text = browser::unescape(&page.body);
    let issuer = s.url(&format!("/oauth2/{KNOWLEDGE}"));
    let approved = baton::clock::iso8601(decided);
    for expected in [ORCHESTRATOR, CHAT, "Corp Knowledge", issuer.as_str(), EXECUTE, LOGIN, approved.as_str()] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    let form = page.form();
    assert_eq!(form.action, format!("{uri}/revoke"));
    assert_eq!(form.get("return"), Some("list"));

    // Another user's list does not show it, and they cannot revoke it.
    let other_login = other_user(&s).await;
    let mut intruder = Browser::new(&s);
    assert_eq!(intruder.sign_in_directly(&other_login, PASSWORD).await.status, 200);
    let theirs = intruder.get(&list).await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert!(theirs.body.contains(empty), "{}", theirs.body);
    assert!(!theirs.body.contains(&id) && !theirs.body.contains(ORCHESTRATOR), "{}", theirs.body);
    assert!(browser::unescape(&theirs.body).contains(&other_login));
    let csrf = intruder.get("/login").await.form().get("csrf_token").unwrap().to_owned();
    let fields = vec![("csrf_token".to_owned(), csrf), ("return".to_owned(), "list".to_owned())];
    assert_eq!(intruder.post(&form.action, &fields).await.status, 403);

    // Revoke from the list: CSRF required, then 303 back to the list, now empty.
    assert_eq!(b.post(&form.action, &without(&form.fields, "csrf_token")).await.status, 403);
    let r = b.post(&form.action, &form.fields).await;
    assert_eq!((r.status, r.location()), (303, list.as_str()), "{}", r.body);
    let page = b.get(&list).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(empty), "{}", page.body);
    assert_eq!(s.events("app.oauth2.as.consent.revoke").await.len(), 1);
    assert!(s.state.store.list_consent_approvals(USER).await.unwrap().is_empty());

    // The next exchange asks again.
    let again = consent_uri(&s, &exchange(&s, &t1).await);
    assert_ne!(again, uri);
}

backend_tests!(
    approve_then_revoke,
    deny_until_expiry,
    unknown_requests_and_machine_subjects,
    approvals_listed_and_revocable
);
