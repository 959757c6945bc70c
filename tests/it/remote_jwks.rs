//! Leg 2 with an external trusted issuer that publishes its keys at a `jwks_uri` (xaa.md §6.2
//! steps 4–5): the keys are fetched, cached for the response's `max-age`, refetched once for an
//! unknown `kid` (at most every 30 s), and a failed fetch is a 400 `invalid_grant`, never a 500.

use crate::common;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use baton::domain::ids::new_secret;
use baton::domain::TrustedIssuer;
use common::oauth::{
    assertion_claims, decode, path, seeded, sign_assertion, Reply, ASSERTION_TYPE, KNOWLEDGE, ORCHESTRATOR, USER,
};
use common::{Backend, TestServer};
use josekit::jwk::alg::rsa::RsaKeyPair;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const KNOWLEDGE_AUD: &str = "https://streamward.com/corp/knowledge";
const EXECUTE: &str = "Corp-Knowledge-Agent:execute";
const IDP: &str = "https://idp.remote.example";
const UNTRUSTED: &str = "The issuer of the id-jag is not a trusted authorization server.";
const BAD_SIG: &str = "The signature of the id-jag is invalid.";

/// What the fake identity provider serves at `/jwks`.
#[derive(Clone)]
enum Serve {
    Jwks(Value),
    Garbage,
    Error,
    Huge,
}

#[derive(Clone)]
struct Idp {
    serve: Arc<Mutex<Serve>>,
    hits: Arc<AtomicUsize>,
}

impl Idp {
    fn set(&self, serve: Serve) {
        *self.serve.lock().unwrap() = serve;
    }
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn jwks(axum::extract::State(idp): axum::extract::State<Idp>) -> axum::response::Response {
    idp.hits.fetch_add(1, Ordering::SeqCst);
    let serve = idp.serve.lock().unwrap().clone();
    match serve {
        Serve::Jwks(v) => ([(header::CACHE_CONTROL, "public, max-age=600")], axum::Json(v)).into_response(),
        Serve::Garbage => ([(header::CONTENT_TYPE, "application/json")], "<html>not a jwks</html>").into_response(),
        Serve::Error => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        Serve::Huge => axum::Json(json!({"keys": [], "pad": "x".repeat(300 * 1024)})).into_response(),
    }
}

/// Starts the fake identity provider on 127.0.0.1:0; returns it and its `jwks_uri`.
async fn start_idp(serve: Serve) -> (Idp, String, tokio::task::JoinHandle<()>) {
    let idp = Idp { serve: Arc::new(Mutex::new(serve)), hits: Arc::default() };
    let app = axum::Router::new().route("/jwks", axum::routing::get(jwks)).with_state(idp.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}/jwks", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (idp, uri, task)
}

/// A fresh RSA key with `kid`: the key pair and its public JWK.
fn rsa(kid: &str) -> (RsaKeyPair, Value) {
    let pair = josekit::jws::RS256.generate_key_pair(2048).unwrap();
    let mut public = pair.to_jwk_public_key();
    public.set_key_id(kid);
    public.set_algorithm("RS256");
    (pair, Value::Object(public.as_ref().clone()))
}

/// An ID-JAG from `iss` for the orchestrator at the Knowledge AS, fresh `jti`.
fn id_jag(s: &TestServer, iss: &str, pair: &RsaKeyPair, kid: &str) -> String {
    let now = s.clock.now_s();
    let claims = json!({"jti": format!("IDAAG.{}", new_secret()), "iss": iss,
        "aud": format!("{}/oauth2/{KNOWLEDGE}", s.base), "iat": now, "exp": now + 300,
        "sub": USER, "client_id": ORCHESTRATOR, "resource": KNOWLEDGE_AUD, "scope": EXECUTE});
    let signer = josekit::jws::RS256.signer_from_pem(pair.to_pem_private_key()).unwrap();
    let mut h = josekit::jws::JwsHeader::new();
    h.set_token_type("oauth-id-jag+jwt");
    h.set_key_id(kid);
    josekit::jws::serialize_compact(&serde_json::to_vec(&claims).unwrap(), &h, &signer).unwrap()
}

/// The orchestrator redeems `assertion` at the Knowledge AS.
async fn redeem(s: &TestServer, assertion: &str) -> Reply {
    let token_path = path(Some(KNOWLEDGE), "token");
    let ca =
        sign_assertion("orchestrator", None, &assertion_claims(ORCHESTRATOR, &s.url(&token_path), s.clock.now_s()));
    s.post_form(
        &token_path,
        &[],
        &[
            ("grant_type", JWT_BEARER),
            ("assertion", assertion),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", &ca),
        ],
    )
    .await
}

async fn trust(s: &TestServer, id: &str, iss: &str, jwks_uri: &str) {
    let trusted = TrustedIssuer {
        id: id.into(),
        auth_server_id: KNOWLEDGE.into(),
        issuer: iss.into(),
        jwks_uri: Some(jwks_uri.into()),
        jwks: None,
        created: s.clock.now_ms(),
    };
    s.state.store.create_trusted_issuer(&trusted, &[]).await.unwrap();
}

fn assert_ok(r: &Reply) {
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, t) = decode(r.body["access_token"].as_str().unwrap());
    assert_eq!(t["uid"], USER);
}

/// Fetch, cache, refetch on rotation (rate-limited), expiry by `max-age`, and failures.
async fn fetched_cached_and_rotated(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    let (k1, jwk1) = rsa("k1");
    let (idp, uri, task) = start_idp(Serve::Jwks(json!({"keys": [jwk1]}))).await;
    trust(&s, "tisRemoteJwks0000001", IDP, &uri).await;

    // Fetched once, then served from the cache.
    assert_ok(&redeem(&s, &id_jag(&s, IDP, &k1, "k1")).await);
    assert_eq!(idp.hits(), 1);
    assert_ok(&redeem(&s, &id_jag(&s, IDP, &k1, "k1")).await);
    assert_eq!(idp.hits(), 1);

    // Rotation: an unknown `kid` refetches once, and the new key verifies.
    let (k2, jwk2) = rsa("k2");
    idp.set(Serve::Jwks(json!({"keys": [jwk2]})));
    assert_ok(&redeem(&s, &id_jag(&s, IDP, &k2, "k2")).await);
    assert_eq!(idp.hits(), 2);
    assert_ok(&redeem(&s, &id_jag(&s, IDP, &k2, "k2")).await);
    assert_eq!(idp.hits(), 2);

    // Another unknown `kid` within 30 s: no refetch, invalid signature.
    let (k3, _) = rsa("k3");
    redeem(&s, &id_jag(&s, IDP, &k3, "k3")).await.assert_error(400, "invalid_grant", BAD_SIG);
    assert_eq!(idp.hits(), 2);
    // After 30 s it refetches again (still not served: invalid signature).
    s.clock.advance(31_000);
    redeem(&s, &id_jag(&s, IDP, &k3, "k3")).await.assert_error(400, "invalid_grant", BAD_SIG);
    assert_eq!(idp.hits(), 3);
    // A refetch that fails leaves the cached keys: invalid signature, not a 500.
    idp.set(Serve::Error);
    s.clock.advance(31_000);
    redeem(&s, &id_jag(&s, IDP, &k3, "k3")).await.assert_error(400, "invalid_grant", BAD_SIG);
    assert_eq!(idp.hits(), 4);

    // The cached set expires after `max-age` (600 s); every failed fetch is an untrusted issuer.
    for serve in [Serve::Error, Serve::Garbage, Serve::Huge] {
        idp.set(serve);
        s.clock.advance(601_000);
        let before = idp.hits();
        redeem(&s, &id_jag(&s, IDP, &k2, "k2")).await.assert_error(400, "invalid_grant", UNTRUSTED);
        assert_eq!(idp.hits(), before + 1);
    }
    // A private key in the set is refused whole.
    idp.set(Serve::Jwks(json!({"keys": [Value::Object(k2.to_jwk_private_key().as_ref().clone())]})));
    redeem(&s, &id_jag(&s, IDP, &k2, "k2")).await.assert_error(400, "invalid_grant", UNTRUSTED);
    // Served again: fetched and accepted.
    let mut jwk2b = k2.to_jwk_public_key();
    jwk2b.set_key_id("k2b");
    idp.set(Serve::Jwks(json!({"keys": [Value::Object(jwk2b.as_ref().clone())]})));
    assert_ok(&redeem(&s, &id_jag(&s, IDP, &k2, "k2b")).await);

    // The server is down.
    task.abort();
    let _ = task.await;
    s.clock.advance(3_601_000);
    redeem(&s, &id_jag(&s, IDP, &k2, "k2b")).await.assert_error(400, "invalid_grant", UNTRUSTED);
    // A non-http(s) jwks_uri is never fetched.
    trust(&s, "tisRemoteJwks0000002", "https://file.example", "file:///etc/passwd").await;
    redeem(&s, &id_jag(&s, "https://file.example", &k1, "k1")).await.assert_error(400, "invalid_grant", UNTRUSTED);
}

backend_tests!(fetched_cached_and_rotated);
