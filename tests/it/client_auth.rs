//! Client authentication at the token, introspection and revocation endpoints (okta-surface.md
//! §5.1; xaa.md §3): Basic percent-decoding, `client_secret_post`, public clients, multiple
//! credentials, unknown and inactive clients, and every `private_key_jwt` row of xaa.md §3.2,
//! with the `app.oauth2.invalid_client_credentials` events, on both backends.

use crate::common;

use baton::domain::ids::new_secret;
use baton::domain::{AgentStatus, App, AppStatus, AuthMethod, ConsentType, Operation};
use common::oauth::*;
use common::{Backend, TestServer};
use serde_json::{json, Value};

const INVALID: &str = "Client authentication failed. Either the client or the client credentials are invalid.";

async fn cc(s: &TestServer, headers: &[(&str, &str)], extra: &[(&str, &str)]) -> Reply {
    let mut form = vec![("grant_type", "client_credentials")];
    form.extend_from_slice(extra);
    s.post_form("/oauth2/default/v1/token", headers, &form).await
}

async fn secrets_and_basic_decoding(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    add_scope(&s, "orders:read", true, ConsentType::Implicit).await;
    let now = s.clock.now_ms();
    let mut svc = app("Svc", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], now);
    svc.client_id = "svc+app(1)".into();
    let secret = "s3cr:t +%/x";
    create_app(&s, &svc, Some(secret)).await;
    // Both halves percent-decoded (RFC 6749 §2.3.1).
    let ok = cc(&s, &[("authorization", &basic("svc+app(1)", secret))], &[]).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(decode(ok.body["access_token"].as_str().unwrap()).1["cid"], "svc+app(1)");
    // `+` stays a plus: the raw id decodes to itself, never to a space.
    let plus = app("Plus", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], now);
    create_app(&s, &plus, Some("a+b")).await;
    let raw = basic_raw(&format!("{}:a+b", plus.client_id));
    assert_eq!(cc(&s, &[("authorization", &raw)], &[]).await.status, 200);
    let spaced = basic_raw(&format!("{}:a b", plus.client_id));
    let r = cc(&s, &[("authorization", &spaced)], &[]).await;
    r.assert_error(401, "invalid_client", "The client secret supplied for a confidential client is invalid.");
    assert_eq!(r.header("www-authenticate"), Some("Basic realm=\"baton\""));
    // Undecodable: a bad escape, not base64.
    let bad = basic_raw(&format!("{}:%zz", plus.client_id));
    cc(&s, &[("authorization", &bad)], &[]).await.assert_error(401, "invalid_client", INVALID);
    cc(&s, &[("authorization", "Basic !!!")], &[]).await.assert_error(401, "invalid_client", INVALID);

    // An app with a secret takes it in the body or the Basic header, whichever method it was
    // registered with (Okta's "Client secret"); the grant's event records the method used.
    let post = app("Post", AuthMethod::ClientSecretPost, "service", &["client_credentials"], now);
    create_app(&s, &post, Some("post-secret")).await;
    let r = cc(&s, &[], &[("client_id", &post.client_id), ("client_secret", "post-secret")]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = cc(&s, &[], &[("client_id", &plus.client_id), ("client_secret", "a+b")]).await;
    assert_eq!(r.status, 200, "a client_secret_basic app posting its secret: {}", r.text);
    let r = cc(&s, &[("authorization", &basic(&post.client_id, "post-secret"))], &[]).await;
    assert_eq!(r.status, 200, "a client_secret_post app sending Basic: {}", r.text);
    let methods: Vec<String> = s
        .events("app.oauth2.as.token.grant.access_token")
        .await
        .iter()
        .rev()
        .take(2)
        .map(|e| e["debugContext"]["debugData"]["client_auth_type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(methods, ["client_secret_basic", "client_secret_post"], "newest first: the methods used");
    let r = cc(&s, &[], &[("client_id", &plus.client_id), ("client_secret", "wrong")]).await;
    r.assert_error(401, "invalid_client", "The client secret supplied for a confidential client is invalid.");
    assert_eq!(r.header("www-authenticate"), None, "no Basic challenge without a Basic attempt");
    // Several credentials at once; a body client_id that differs from the Basic id.
    let multiple = "Cannot supply multiple client credentials. Use one of the following: credentials in the \
                    Authorization header, credentials in the post body, or a client_assertion in the post body.";
    let auth = basic(&plus.client_id, "a+b");
    cc(&s, &[("authorization", &auth)], &[("client_secret", "a+b")]).await.assert_error(
        400,
        "invalid_request",
        multiple,
    );
    cc(&s, &[], &[("client_id", &post.client_id), ("client_secret", "post-secret"), ("client_assertion", "x.y.z")])
        .await
        .assert_error(400, "invalid_request", multiple);
    let r = cc(&s, &[("authorization", &auth)], &[("client_id", &plus.client_id)]).await;
    assert_eq!(r.status, 200, "the same client_id in the body is not a second credential: {}", r.text);
    cc(&s, &[("authorization", &auth)], &[("client_id", &post.client_id)]).await.assert_error(
        401,
        "invalid_client",
        INVALID,
    );
    // Unknown and INACTIVE clients.
    let unknown = "Invalid value for 'client_id' parameter.";
    cc(&s, &[("authorization", &basic("0oaNobody0000000000", "x"))], &[]).await.assert_error(
        401,
        "invalid_client",
        unknown,
    );
    let mut inactive = s.state.store.find_app(&post.id).await.unwrap().unwrap();
    inactive.status = AppStatus::Inactive;
    s.state.store.update_app(&inactive, &[]).await.unwrap();
    cc(&s, &[], &[("client_id", &post.client_id), ("client_secret", "post-secret")]).await.assert_error(
        401,
        "invalid_client",
        unknown,
    );
    // A public (none) app cannot be used with a secret, nor a confidential one without.
    let spa = app("SPA", AuthMethod::None, "browser", &["authorization_code"], now);
    create_app(&s, &spa, None).await;
    cc(&s, &[], &[("client_id", &spa.client_id), ("client_secret", "x")]).await.assert_error(
        401,
        "invalid_client",
        INVALID,
    );
    cc(&s, &[], &[("client_id", &plus.client_id)]).await.assert_error(401, "invalid_client", INVALID);
    cc(&s, &[], &[]).await.assert_error(401, "invalid_client", "No client credentials found");

    let events = s.events("app.oauth2.invalid_client_credentials").await;
    let rows: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["actor"]["id"].as_str().unwrap(), e["debugContext"]["debugData"]["error"].as_str().unwrap()))
        .collect();
    let (plus_id, post_id, spa_id) = (plus.client_id.as_str(), post.client_id.as_str(), spa.client_id.as_str());
    assert_eq!(
        rows,
        [
            (plus_id, "invalid_client_secret"),
            ("unknown", "invalid_client"),
            ("unknown", "invalid_client"),
            (plus_id, "invalid_client_secret"),
            (plus_id, "multiple_client_credentials"),
            (post_id, "multiple_client_credentials"),
            (plus_id, "invalid_client"),
            ("0oaNobody0000000000", "invalid_client_id"),
            (post_id, "invalid_client_id"),
            (spa_id, "invalid_client"),
            (plus_id, "invalid_client"),
            ("unknown", "invalid_client"),
        ]
    );
    assert_eq!(events[3]["actor"]["displayName"], "Plus");
    assert_eq!(events[7]["actor"]["type"], "PublicClientApp");
    assert_eq!(events[0]["target"][0]["id"], "default");
    for e in &events {
        assert!(!e.to_string().contains("a b") && !e.to_string().contains("post-secret"));
    }
    // Each failure also logs the grant's own failure.
    assert_eq!(
        s.events("app.oauth2.as.token.grant").await.iter().filter(|e| e["outcome"]["result"] == "FAILURE").count(),
        12
    );
}

/// A `private_key_jwt` service app holding the orchestrator demo key.
async fn key_app(s: &TestServer) -> (App, String) {
    let pk = app("Signed", AuthMethod::PrivateKeyJwt, "service", &["client_credentials"], s.clock.now_ms());
    create_app(s, &pk, None).await;
    let kid = register_key(s, &pk.id, "orchestrator").await;
    (pk, kid)
}

fn form_with(assertion: &str) -> Vec<(&'static str, String)> {
    vec![("client_assertion_type", ASSERTION_TYPE.to_owned()), ("client_assertion", assertion.to_owned())]
}

async fn with_assertion(s: &TestServer, endpoint: &str, assertion: &str, extra: &[(&str, &str)]) -> Reply {
    let mut form: Vec<(&str, String)> = form_with(assertion);
    form.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    if endpoint == "token" {
        form.push(("grant_type", "client_credentials".into()));
    } else {
        form.push(("token", "x".into()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    s.post_form(&format!("/oauth2/default/v1/{endpoint}"), &[], &form).await
}

async fn private_key_jwt_rows(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    add_scope(&s, "orders:read", true, ConsentType::Implicit).await;
    let (pk, kid) = key_app(&s).await;
    let token_url = format!("{}/oauth2/default/v1/token", s.base);
    // A frozen clock: the rows sit a second or two from their limits.
    s.clock.freeze_at(s.clock.now_ms());
    let now = s.clock.now_s();
    let claims = |f: &dyn Fn(&mut Value)| {
        let mut c = assertion_claims(&pk.client_id, &token_url, now);
        f(&mut c);
        c
    };
    let sign = |c: &Value| sign_assertion("orchestrator", Some(&kid), c);

    // Valid: with or without kid, aud = the issuer, aud as an array, exp within the leeway.
    for c in [
        claims(&|_| {}),
        claims(&|c| c["aud"] = json!(format!("{}/oauth2/default", s.base))),
        claims(&|c| c["aud"] = json!(["https://elsewhere", token_url.clone()])),
        claims(&|c| c["exp"] = json!(now - 30)),
    ] {
        let r = with_assertion(&s, "token", &sign(&c), &[]).await;
        assert_eq!(r.status, 200, "{c}: {}", r.text);
    }
    let no_kid = sign_assertion("orchestrator", None, &claims(&|_| {}));
    assert_eq!(with_assertion(&s, "token", &no_kid, &[]).await.status, 200);
    let e = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(e[0]["debugContext"]["debugData"]["client_auth_type"], "private_key_jwt");

    // Replay, across endpoints too.
    let once = sign(&claims(&|_| {}));
    assert_eq!(with_assertion(&s, "token", &once, &[]).await.status, 200);
    let replay = "The client_assertion token has already been used.";
    with_assertion(&s, "token", &once, &[]).await.assert_error(401, "invalid_client", replay);
    let intro = sign(&claims(&|c| c["aud"] = json!(format!("{}/oauth2/default/v1/introspect", s.base))));
    assert_eq!(with_assertion(&s, "introspect", &intro, &[]).await.status, 200);
    with_assertion(&s, "revoke", &intro, &[]).await.assert_error(
        401,
        "invalid_client",
        "The audience claim for client_assertion must be the endpoint invoked for the request.",
    );

    let rows: Vec<(Value, Option<&str>, &str, &str)> = vec![
        (
            claims(&|c| c["exp"] = json!(now - 61)),
            Some(&kid),
            "client_assertion_expired_token",
            "The client_assertion token is expired.",
        ),
        (
            claims(&|c| c["exp"] = json!(now + 3600 + 61)),
            Some(&kid),
            "client_assertion_expires_too_far_in_future",
            "The client_assertion token has an expiration too far into the future.",
        ),
        (
            claims(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
            Some(&kid),
            "client_assertion_expiration_required",
            "The client_assertion must contain the 'exp' claim as seconds since epoch.",
        ),
        (
            claims(&|c| c["iat"] = json!(now + 120)),
            Some(&kid),
            "client_assertion_issued_at_in_future",
            "The client_assertion token must be issued before the current time.",
        ),
        (
            claims(&|c| c["nbf"] = json!(now + 120)),
            Some(&kid),
            "client_assertion_not_yet_valid",
            "The client_assertion token is not yet valid.",
        ),
        (
            claims(&|c| c["aud"] = json!(format!("{}/oauth2/v1/token", s.base))),
            Some(&kid),
            "client_assertion_invalid_audience",
            "The audience claim for client_assertion must be the endpoint invoked for the request.",
        ),
        (
            claims(&|_| {}),
            Some("unknown-kid"),
            "client_assertion_invalid_kid",
            "The client_assertion JWT kid is invalid.",
        ),
        (
            claims(&|c| c["sub"] = json!(CHAT)),
            Some(&kid),
            "client_assertion_invalid_subject",
            "The subject claim for client_assertion is not a valid client_id.",
        ),
        (
            claims(&|c| {
                c["iss"] = json!("0oaNobody0000000000");
                c["sub"] = json!("0oaNobody0000000000");
            }),
            Some(&kid),
            "client_assertion_invalid_issuer",
            "The issuer claim for client_assertion is not a valid client_id.",
        ),
    ];
    for (c, row_kid, _, description) in &rows {
        let jwt = sign_assertion("orchestrator", *row_kid, c);
        with_assertion(&s, "token", &jwt, &[]).await.assert_error(401, "invalid_client", description);
    }
    // Signed with a key the client does not have.
    let forged = sign_assertion("corp-knowledge-agent", None, &claims(&|_| {}));
    with_assertion(&s, "token", &forged, &[]).await.assert_error(
        401,
        "invalid_client",
        "The client_assertion signature is invalid.",
    );
    // A body client_id naming another client.
    let jwt = sign(&claims(&|_| {}));
    with_assertion(&s, "token", &jwt, &[("client_id", CHAT)]).await.assert_error(
        401,
        "invalid_client",
        "The issuer claim for client_assertion is not a valid client_id.",
    );
    // The wrong assertion type.
    let r = s
        .post_form(
            "/oauth2/default/v1/token",
            &[],
            &[("grant_type", "client_credentials"), ("client_assertion_type", "urn:x"), ("client_assertion", &jwt)],
        )
        .await;
    r.assert_error(400, "invalid_request", "The client_assertion_type is invalid.");
    // A secret app cannot switch to assertions.
    let secret_app = app("Secret", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], s.clock.now_ms());
    create_app(&s, &secret_app, Some("secret-app-secret")).await;
    register_key(&s, &secret_app.id, "corp-knowledge-agent").await;
    let jwt = sign_assertion("corp-knowledge-agent", None, &assertion_claims(&secret_app.client_id, &token_url, now));
    with_assertion(&s, "token", &jwt, &[]).await.assert_error(401, "invalid_client", INVALID);
    // A `typ` other than JWT or client-authentication+jwt; an algorithm off the allow-list.
    let typed = {
        let signer = josekit::jws::RS256.signer_from_pem(key_pem("orchestrator")).unwrap();
        let mut header = josekit::jws::JwsHeader::new();
        header.set_token_type("at+jwt");
        let payload = serde_json::to_vec(&claims(&|_| {})).unwrap();
        josekit::jws::serialize_compact(&payload, &header, &signer).unwrap()
    };
    with_assertion(&s, "token", &typed, &[]).await.assert_error(
        401,
        "invalid_client",
        "The client_assertion is not a valid JWT.",
    );
    let hmac = {
        let signer = josekit::jws::HS256.signer_from_bytes(b"0123456789abcdef0123456789abcdef").unwrap();
        let payload = serde_json::to_vec(&claims(&|_| {})).unwrap();
        josekit::jws::serialize_compact(&payload, &josekit::jws::JwsHeader::new(), &signer).unwrap()
    };
    with_assertion(&s, "token", &hmac, &[]).await.assert_error(
        401,
        "invalid_client",
        "The client_assertion signature algorithm is not allowed.",
    );
    // A private_key_jwt app without keys.
    let keyless = app("Keyless", AuthMethod::PrivateKeyJwt, "service", &["client_credentials"], s.clock.now_ms());
    create_app(&s, &keyless, None).await;
    let jwt = sign_assertion("orchestrator", None, &assertion_claims(&keyless.client_id, &token_url, now));
    with_assertion(&s, "token", &jwt, &[]).await.assert_error(
        401,
        "invalid_client",
        "The client has no JWKS configured.",
    );

    let events = s.events("app.oauth2.invalid_client_credentials").await;
    let reasons: Vec<&str> = events.iter().map(|e| e["debugContext"]["debugData"]["error"].as_str().unwrap()).collect();
    let mut expected = vec!["client_assertion_already_used", "client_assertion_invalid_audience"];
    expected.extend(rows.iter().map(|r| r.2));
    expected.extend([
        "client_assertion_invalid_signature",
        "client_assertion_invalid_issuer",
        "client_assertion_type_invalid",
        "invalid_client",
        "client_assertion_invalid_jwt",
        "client_assertion_invalid_signature_algorithm",
        "client_assertion_jwks_not_configured",
    ]);
    assert_eq!(reasons, expected);
    assert_eq!(events[0]["actor"]["id"], json!(pk.client_id));
    assert_eq!(events[0]["debugContext"]["debugData"]["client_auth_type"], "private_key_jwt");
    assert!(events.iter().all(|e| !e.to_string().contains(&once)));
}

async fn agents_authenticate_while_active(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let token_url = format!("{}/oauth2/default/v1/token", s.base);
    let assertion = || {
        let c = json!({"iss": ORCHESTRATOR, "sub": ORCHESTRATOR, "aud": token_url, "exp": s.clock.now_s() + 60, "jti": new_secret()});
        sign_assertion("orchestrator", None, &c)
    };
    // Authenticated, but agents only hold the XAA grants.
    let r = with_assertion(&s, "token", &assertion(), &[]).await;
    r.assert_error(
        400,
        "unauthorized_client",
        "The client is not authorized to use the provided grant type. Configured grant types: \
         [urn:ietf:params:oauth:grant-type:token-exchange, urn:ietf:params:oauth:grant-type:jwt-bearer].",
    );
    let e = s.events("app.oauth2.as.token.grant").await;
    assert_eq!(e[0]["actor"]["type"], "AIAgent");
    assert_eq!(e[0]["actor"]["displayName"], "Orchestrator");
    // An agent is never a secret client.
    let r = cc(&s, &[("authorization", &basic(ORCHESTRATOR, "x"))], &[]).await;
    r.assert_error(401, "invalid_client", INVALID);
    // Deactivated: it no longer authenticates.
    let store = s.state.store.as_ref();
    let mut agent = store.find_agent(ORCHESTRATOR).await.unwrap().unwrap();
    agent.status = AgentStatus::Inactive;
    let now = s.clock.now_ms();
    let op = Operation {
        id: baton::domain::ids::new_operation_id(),
        op_type: "ai-agent:Deactivate".into(),
        status: "COMPLETED".into(),
        resource_id: ORCHESTRATOR.into(),
        resource_type: "ai_agent".into(),
        resource_status: "INACTIVE".into(),
        created: now,
        started: now,
        completed: Some(now),
    };
    store.update_agent(&agent, &op, &[]).await.unwrap();
    with_assertion(&s, "token", &assertion(), &[]).await.assert_error(
        401,
        "invalid_client",
        "The issuer claim for client_assertion is not a valid client_id.",
    );
    let creds = s.events("app.oauth2.invalid_client_credentials").await;
    assert_eq!(creds.last().unwrap()["actor"]["type"], "AIAgent");
    assert_eq!(creds.last().unwrap()["actor"]["id"], ORCHESTRATOR);
}

backend_tests!(secrets_and_basic_decoding, private_key_jwt_rows, agents_authenticate_while_active);
