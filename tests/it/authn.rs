//! Classic authentication (okta-surface.md §9): `POST /api/v1/authn`, its `sessionToken` at
//! `/authorize` (single use, 300 s), `GET|DELETE /api/v1/sessions/me`, and CORS with
//! credentials for both (§2.3).

use crate::browser;
use crate::common;

use baton::domain::ids::hash_secret;
use baton::store::CodeUse;
use browser::{authorize_url, chat_request, events, seeded, with, Browser, LOGIN, PASSWORD, USER_ID};
use common::{Backend, TestServer};
use serde_json::{json, Value};

async fn authn(s: &TestServer, body: &Value) -> (u16, Value) {
    let r = s.http.post(s.url("/api/v1/authn")).json(body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn session_token(s: &TestServer) -> String {
    let (status, body) = authn(s, &json!({"username": LOGIN, "password": PASSWORD})).await;
    assert_eq!(status, 200, "{body}");
    body["sessionToken"].as_str().unwrap().to_owned()
}

async fn authn_api(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let frozen = 1_772_357_400_000;
    s.clock.freeze_at(frozen);
    let options = json!({"multiOptionalFactorEnroll": false, "warnBeforePasswordExpired": false});
    let (status, body) = authn(&s, &json!({"username": LOGIN, "password": PASSWORD, "options": options})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "SUCCESS");
    assert_eq!(body["expiresAt"], json!(baton::clock::iso8601(frozen + 300_000)));
    let token = body["sessionToken"].as_str().unwrap();
    assert_eq!(token.len(), 43);
    let user = &body["_embedded"]["user"];
    assert_eq!(user["id"], USER_ID);
    assert_eq!(user["profile"], json!({"login": LOGIN, "firstName": "Demo", "lastName": "User"}));
    let start = events(&s, "user.session.start").await;
    assert_eq!((start.len(), start[0]["outcome"]["result"].clone()), (1, json!("SUCCESS")));
    assert!(!start[0].to_string().contains(token), "the token is never logged");

    for bad in
        [json!({"username": LOGIN, "password": "nope"}), json!({"username": "ghost@x.com", "password": PASSWORD})]
    {
        let (status, body) = authn(&s, &bad).await;
        assert_eq!(status, 401);
        assert_eq!(body["errorCode"], "E0000004");
        assert_eq!(body["errorSummary"], "Authentication failed");
        assert_eq!(body["errorLink"], "E0000004");
        assert!(body["errorId"].as_str().unwrap().starts_with("oae"));
        assert_eq!(body["errorCauses"], json!([]));
    }
    let failures: Vec<_> =
        events(&s, "user.session.start").await.into_iter().filter(|e| e["outcome"]["result"] == "FAILURE").collect();
    assert_eq!(failures.len(), 2);

    let r =
        s.http.post(s.url("/api/v1/authn")).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["errorCode"], "E0000003");
    let (status, body) = authn(&s, &json!({"username": LOGIN})).await;
    assert_eq!(
        (status, body["errorCode"].clone(), body["errorSummary"].clone()),
        (400, json!("E0000001"), json!("Api validation failed: password"))
    );
    // The token is stored only as its hash, and is single use.
    let token = session_token(&s).await;
    let now = s.clock.now_ms();
    let row = s.state.store.consume_session_token(&hash_secret(&token), now).await.unwrap().unwrap();
    assert_eq!((row.user_id.as_str(), row.expires - row.created), (USER_ID, 300_000));
    assert!(s.state.store.consume_session_token(&hash_secret(&token), now).await.unwrap().is_none());
}

async fn session_token_at_authorize(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let before = s.clock.now_ms();
    let token = session_token(&s).await;
    let after = s.clock.now_ms();
    s.clock.advance(5000);
    let mut b = Browser::new(&s);
    let with_token = with(chat_request("openid"), "sessionToken", Some(&token));
    let r = b.get(&authorize_url(Some("default"), &with(with_token.clone(), "prompt", Some("login")))).await;
    assert_eq!(r.status, 302, "a sessionToken is a fresh sign-in: {}", r.body);
    assert!(r.set_cookie("baton_sid").is_some_and(|c| c.contains("HttpOnly")));
    let code = r.redirect_params()["code"].clone();
    let CodeUse::Fresh(row) = s.state.store.consume_code(&hash_secret(&code), s.clock.now_ms()).await.unwrap() else {
        panic!("code")
    };
    assert!(row.auth_time >= before && row.auth_time <= after, "auth_time is when the password was checked");
    let session = s.state.store.find_session(row.session_id.as_deref().unwrap()).await.unwrap().unwrap();
    assert_eq!(session.token_hash, hash_secret(&b.cookies["baton_sid"]));
    // The cookie now signs the browser in.
    assert_eq!(
        b.get(&authorize_url(Some("default"), &with(chat_request("openid"), "prompt", Some("none")))).await.status,
        302
    );

    // Used once already: a new browser gets the sign-in page, which never carries the token.
    let mut other = Browser::new(&s);
    let page = other.get(&authorize_url(Some("default"), &with_token)).await;
    assert!(page.is_sign_in_page());
    assert!(!page.body.contains(&token) && !page.form().get("authorize").unwrap().contains("sessionToken"));
    // Expired after 300 s.
    let late = session_token(&s).await;
    s.clock.advance(300_001);
    let none = with(with(chat_request("openid"), "sessionToken", Some(&late)), "prompt", Some("none"));
    let r = Browser::new(&s).get(&authorize_url(None, &none)).await;
    r.assert_client_error(
        "login_required",
        "The client specified not to prompt, but the user is not logged in.",
        Some("st-123_abc.X,Y"),
    );
}

async fn sessions_me(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let mut b = Browser::new(&s);
    let r = b.get("/api/v1/sessions/me").await;
    assert_eq!(r.status, 404);
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (body["errorCode"].clone(), body["errorSummary"].clone()),
        (json!("E0000007"), json!("Not found: Resource not found: me (Session)"))
    );

    b.sign_in_directly(LOGIN, PASSWORD).await;
    let r = b.get("/api/v1/sessions/me").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let me: Value = serde_json::from_str(&r.body).unwrap();
    assert!(me["id"].as_str().unwrap().starts_with("102"));
    assert_eq!(me["userId"], USER_ID);
    assert_eq!(me["login"], LOGIN);
    assert_eq!(me["status"], "ACTIVE");
    assert_eq!(me["amr"], json!(["pwd"]));
    assert_eq!(me["lastFactorVerification"], Value::Null);
    assert_eq!(me["mfaActive"], false);
    assert_eq!(me["idp"], json!({"id": s.state.org.id, "type": "OKTA"}));
    assert_eq!(me["_links"]["self"]["href"], s.url("/api/v1/sessions/me"));
    for key in ["createdAt", "expiresAt", "lastPasswordVerification"] {
        assert!(me[key].as_str().unwrap().ends_with('Z'), "{key}");
    }

    let cookie = b.cookies["baton_sid"].clone();
    let r = s
        .http
        .delete(s.url("/api/v1/sessions/me"))
        .header("cookie", format!("baton_sid={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.headers()["set-cookie"].to_str().unwrap().starts_with("baton_sid=; Max-Age=0"));
    let ended = events(&s, "user.session.end").await;
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["authenticationContext"]["rootSessionId"], me["id"]);
    assert_eq!(ended[0]["actor"]["id"], USER_ID);
    assert_eq!(b.get("/api/v1/sessions/me").await.status, 404);
    let r = s
        .http
        .delete(s.url("/api/v1/sessions/me"))
        .header("cookie", format!("baton_sid={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "already ended");
    let none = with(chat_request("openid"), "prompt", Some("none"));
    assert!(b.get(&authorize_url(Some("default"), &none)).await.location().contains("error=login_required"));
}

async fn cors_with_credentials(backend: Backend) {
    let allowed = "http://app.example:3000";
    let seed = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/streamward.yaml");
    let Some(s) = TestServer::start_with(backend, |c| {
        c.cors_origins = vec![allowed.into()];
        c.seed = Some(seed);
    })
    .await
    else {
        return;
    };
    for (path, method) in [("/api/v1/authn", "POST"), ("/api/v1/sessions/me", "DELETE"), ("/api/v1/sessions/me", "GET")]
    {
        let r = s
            .http
            .request(reqwest::Method::OPTIONS, s.url(path))
            .header("origin", allowed)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "content-type,x-okta-user-agent-extended")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "{path}");
        let h = r.headers();
        assert_eq!(h["access-control-allow-origin"], allowed);
        assert_eq!(h["access-control-allow-credentials"], "true");
        assert_eq!(h["access-control-allow-methods"], "GET, POST, DELETE, OPTIONS");
        assert_eq!(h["access-control-allow-headers"], "content-type,x-okta-user-agent-extended");
        assert_eq!(h["access-control-max-age"], "600");
        assert_eq!(h["vary"], "Origin");
    }
    let r = s
        .http
        .post(s.url("/api/v1/authn"))
        .header("origin", allowed)
        .json(&json!({"username": LOGIN, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], allowed);
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    let r = s.http.get(s.url("/api/v1/sessions/me")).header("origin", "http://evil.example").send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.headers()["vary"], "Origin");
    // /authorize is navigation only.
    let r = s
        .http
        .get(s.url(&authorize_url(Some("default"), &chat_request("openid"))))
        .header("origin", allowed)
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

backend_tests!(authn_api, session_token_at_authorize, sessions_me, cors_with_credentials);
