//! CORS (okta-surface.md §2.3) on discovery, JWKS, token, introspection, revocation and
//! userinfo of both kinds of AS: allowed origins echoed with `Vary: Origin`, preflights
//! answered 204 with the requested headers echoed, other origins and other routes untouched.

use crate::common;

use common::oauth::*;
use common::{Backend, TestServer};
use reqwest::Method;

const ALLOWED: &str = "http://localhost:3000";
const OTHER: &str = "http://localhost:4000";

async fn request(s: &TestServer, method: Method, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = s.http.request(method, s.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    Reply::from(req.send().await.unwrap()).await
}

const COVERED_GET: &[&str] = &[
    "/.well-known/openid-configuration",
    "/.well-known/oauth-authorization-server",
    "/oauth2/default/.well-known/openid-configuration",
    "/oauth2/default/.well-known/oauth-authorization-server",
    "/.well-known/oauth-authorization-server/oauth2/default",
    "/oauth2/v1/keys",
    "/oauth2/default/v1/keys",
    "/oauth2/v1/userinfo",
    "/oauth2/default/v1/userinfo",
];

const COVERED_POST: &[&str] = &[
    "/oauth2/v1/token",
    "/oauth2/default/v1/token",
    "/oauth2/v1/introspect",
    "/oauth2/default/v1/introspect",
    "/oauth2/v1/revoke",
    "/oauth2/default/v1/revoke",
];

async fn allowed_origins_are_echoed(backend: Backend) {
    let Some(s) = seeded_with(backend, |c| c.cors_origins = vec![ALLOWED.into(), "https://app.example/".into()]).await
    else {
        return;
    };
    for path in COVERED_GET {
        let r = request(&s, Method::GET, path, &[("origin", ALLOWED)]).await;
        assert_eq!(r.header("access-control-allow-origin"), Some(ALLOWED), "{path}");
        assert_eq!(r.header("vary"), Some("Origin"), "{path}");
        assert_eq!(r.header("access-control-allow-credentials"), None, "{path}");
        let r = request(&s, Method::GET, path, &[("origin", OTHER)]).await;
        assert_eq!(r.header("access-control-allow-origin"), None, "{path}");
        assert!(r.headers.keys().all(|k| !k.as_str().starts_with("access-control-")), "{path}");
    }
    // The allow-list entry's trailing slash does not matter; the scheme does.
    let r = request(&s, Method::GET, "/oauth2/v1/keys", &[("origin", "https://app.example")]).await;
    assert_eq!(r.header("access-control-allow-origin"), Some("https://app.example"));
    let r = request(&s, Method::GET, "/oauth2/v1/keys", &[("origin", "http://app.example")]).await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    // Responses of the POST endpoints, errors included, carry the header too.
    for path in COVERED_POST {
        let r = s.post_form(path, &[("origin", ALLOWED)], &[("grant_type", "authorization_code")]).await;
        assert_eq!(r.status, 401, "{path}: {}", r.text);
        assert_eq!(r.header("access-control-allow-origin"), Some(ALLOWED), "{path}");
        assert_eq!(r.header("vary"), Some("Origin"), "{path}");
    }
    let r = request(&s, Method::GET, "/oauth2/default/v1/userinfo", &[("origin", ALLOWED)]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("access-control-allow-origin"), Some(ALLOWED));
    // Routes outside the list never get CORS headers.
    for path in ["/", "/healthz", "/oauth2/default/v1/authorize", "/oauth2/default/v1/logout"] {
        let r = request(&s, Method::GET, path, &[("origin", ALLOWED)]).await;
        assert_eq!(r.header("access-control-allow-origin"), None, "{path}");
    }
}

async fn preflights(backend: Backend) {
    let Some(s) = seeded_with(backend, |c| c.cors_origins = vec![ALLOWED.into()]).await else { return };
    let requested = "x-okta-user-agent-extended, content-type, authorization";
    for path in COVERED_GET.iter().chain(COVERED_POST) {
        let r = request(
            &s,
            Method::OPTIONS,
            path,
            &[
                ("origin", ALLOWED),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", requested),
            ],
        )
        .await;
        assert_eq!(r.status, 204, "{path}: {}", r.text);
        assert_eq!(r.text, "");
        assert_eq!(r.header("access-control-allow-origin"), Some(ALLOWED), "{path}");
        assert_eq!(r.header("access-control-allow-methods"), Some("GET, POST, DELETE, OPTIONS"), "{path}");
        assert_eq!(r.header("access-control-allow-headers"), Some(requested), "{path}");
        assert_eq!(r.header("access-control-max-age"), Some("600"), "{path}");
        assert_eq!(r.header("vary"), Some("Origin"), "{path}");
        let r =
            request(&s, Method::OPTIONS, path, &[("origin", OTHER), ("access-control-request-method", "POST")]).await;
        assert_eq!(r.status, 204, "{path}");
        assert!(r.headers.keys().all(|k| !k.as_str().starts_with("access-control-")), "{path}");
    }
    // Not a preflight: the usual method-not-allowed envelope (with CORS for the allowed origin).
    let r = request(&s, Method::OPTIONS, "/oauth2/default/v1/token", &[("origin", ALLOWED)]).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.body["errorCode"], "E0000022");
    assert_eq!(r.header("access-control-allow-origin"), Some(ALLOWED));
    let r = request(&s, Method::GET, "/oauth2/default/v1/token", &[]).await;
    assert_eq!((r.status, r.body["errorCode"].as_str()), (405, Some("E0000022")));
    // No allow-list: nobody gets CORS.
    let Some(plain) = seeded(backend).await else { return };
    let r = request(
        &plain,
        Method::OPTIONS,
        "/oauth2/default/v1/token",
        &[("origin", ALLOWED), ("access-control-request-method", "POST")],
    )
    .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

backend_tests!(allowed_origins_are_echoed, preflights);
