//! `/v1/logout` (okta-surface.md §6.4): the `id_token_hint` (expired is fine), the registered
//! post-logout URI with `state`, ending the session of the hint's subject, and the HTML error
//! pages.

use crate::browser;
use crate::common;

use browser::{events, seeded, Browser, CHAT, LOGIN, PASSWORD, USER_ID};
use common::{Backend, TestServer};
use serde_json::{json, Map, Value};

const SIGNED_OUT: &str = "http://localhost:3000/signed-out";
type Pairs<'a> = Vec<(&'a str, &'a str)>;

const INVALID_HINT: &str = "The 'id_token_hint' parameter is not a valid ID token of this authorization server.";

/// An ID token as `owner`'s AS would issue it (already expired).
async fn id_token(s: &TestServer, owner: &str, iss: &str, sub: &str, aud: &str) -> String {
    let now = s.clock.now_s();
    let claims: Map<String, Value> =
        json!({"sub": sub, "ver": 1, "iss": iss, "aud": aud, "iat": now - 7200, "exp": now - 3600})
            .as_object()
            .unwrap()
            .clone();
    s.state.keys.sign(s.state.store.as_ref(), owner, &claims, None).await.unwrap()
}

async fn default_hint(s: &TestServer, sub: &str) -> String {
    id_token(s, "default", &s.url("/oauth2/default"), sub, CHAT).await
}

async fn register_post_logout(s: &TestServer) {
    let mut chat = s.state.store.find_app_by_client_id(CHAT).await.unwrap().unwrap();
    chat.post_logout_redirect_uris = vec![SIGNED_OUT.into()];
    s.state.store.update_app(&chat, &[]).await.unwrap();
}

fn query(pairs: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    q.finish()
}

async fn logout_ends_the_session(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    register_post_logout(&s).await;
    let mut b = Browser::new(&s);
    b.sign_in_directly(LOGIN, PASSWORD).await;
    let me: Value = serde_json::from_str(&b.get("/api/v1/sessions/me").await.body).unwrap();
    let hint = default_hint(&s, USER_ID).await;
    let url = format!(
        "/oauth2/default/v1/logout?{}",
        query(&[("id_token_hint", &hint), ("post_logout_redirect_uri", SIGNED_OUT), ("state", "bye-1")])
    );
    let r = b.get(&url).await;
    assert_eq!(r.status, 302, "{}", r.body);
    assert_eq!(r.location(), format!("{SIGNED_OUT}?state=bye-1"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert!(r.set_cookie("baton_sid").unwrap().contains("Max-Age=0"));
    let session = s.state.store.find_session(me["id"].as_str().unwrap()).await.unwrap().unwrap();
    assert!(session.ended.is_some());
    let ended = events(&s, "user.session.end").await;
    assert_eq!((ended.len(), ended[0]["debugContext"]["debugData"]["endedBy"].clone()), (1, json!("logout")));
    assert_eq!(b.get("/api/v1/sessions/me").await.status, 404);

    // No session left: the same redirect, nothing else. POST works like GET; without a
    // post-logout URI the browser lands on baton's sign-in page.
    let r = b.post("/oauth2/default/v1/logout", &[("id_token_hint".into(), hint.clone())]).await;
    assert_eq!((r.status, r.location()), (302, s.url("/login").as_str()));
    assert!(r.set_cookie("baton_sid").is_none());
    assert_eq!(events(&s, "user.session.end").await.len(), 1);

    // The org AS, with its own keys.
    b.sign_in_directly(LOGIN, PASSWORD).await;
    let org_hint = id_token(&s, &s.state.org.id, &s.base, USER_ID, CHAT).await;
    let r = b.get(&format!("/oauth2/v1/logout?{}", query(&[("id_token_hint", &org_hint)]))).await;
    assert_eq!(r.location(), s.url("/login"));
    assert_eq!(events(&s, "user.session.end").await.len(), 2);
}

async fn another_subject_keeps_the_session(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    b.sign_in_directly(LOGIN, PASSWORD).await;
    let hint = default_hint(&s, "00uSomeoneElse000001").await;
    let r = b.get(&format!("/oauth2/default/v1/logout?{}", query(&[("id_token_hint", &hint)]))).await;
    assert_eq!(r.status, 302);
    assert!(r.set_cookie("baton_sid").is_none());
    assert_eq!(b.get("/api/v1/sessions/me").await.status, 200, "not the hint's session");
    assert!(events(&s, "user.session.end").await.is_empty());
}

async fn logout_errors_are_pages(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    register_post_logout(&s).await;
    let mut b = Browser::new(&s);
    b.sign_in_directly(LOGIN, PASSWORD).await;
    let good = default_hint(&s, USER_ID).await;
    let org_hint = id_token(&s, &s.state.org.id, &s.base, USER_ID, CHAT).await;
    let unknown_aud = id_token(&s, "default", &s.url("/oauth2/default"), USER_ID, "0oaNoSuchApp00000001").await;
    let (head, rest) = good.split_once('.').unwrap();
    let (payload, _) = rest.split_once('.').unwrap();
    let forged = format!("{head}.{payload}.{}", "A".repeat(342));
    let rows: Vec<(Pairs, &str, &str)> = vec![
        (vec![], "invalid_request", "The request is missing a required parameter: 'id_token_hint'."),
        (vec![("id_token_hint", "not-a-jwt")], "invalid_request", INVALID_HINT),
        (vec![("id_token_hint", &org_hint)], "invalid_request", INVALID_HINT),
        (vec![("id_token_hint", &forged)], "invalid_request", INVALID_HINT),
        (vec![("id_token_hint", &unknown_aud)], "invalid_request", INVALID_HINT),
        (
            vec![("id_token_hint", &good), ("post_logout_redirect_uri", "http://localhost:3000/elsewhere")],
            "invalid_request",
            "The 'post_logout_redirect_uri' parameter must be a Logout redirect URI in the client app settings.",
        ),
        (
            vec![("id_token_hint", &good), ("id_token_hint", &good)],
            "invalid_request",
            "The 'id_token_hint' parameter was repeated.",
        ),
    ];
    for (params, error, description) in &rows {
        let r = b.get(&format!("/oauth2/default/v1/logout?{}", query(params))).await;
        r.assert_error_page(400, error, description);
    }
    let r = b.get(&format!("/oauth2/nope/v1/logout?{}", query(&[("id_token_hint", &good)]))).await;
    r.assert_error_page(404, "E0000007", "Not found: Resource not found: nope (AuthorizationServer)");
    assert_eq!(b.get("/api/v1/sessions/me").await.status, 200, "no error ended the session");
}

backend_tests!(logout_ends_the_session, another_subject_keeps_the_session, logout_errors_are_pages);
