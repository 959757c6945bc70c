//! Helpers for the OAuth endpoint tests: the Streamward seed, form posts, authorization codes
//! written straight into the store (as `/authorize` would), PKCE pairs, client assertions
//! signed with josekit, JWT decoding and System Log queries.

use super::{Backend, TestServer};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use baton::config::Config;
use baton::domain::ids::{hash_secret, new_id, new_secret, Prefix};
use baton::domain::{
    App, AppStatus, AuthMethod, AuthorizationCode, ClientKey, ClientKeyStatus, ClientSecret, ConsentMethod,
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub const USER: &str = "00u1rsjejbueuQNhB1d7";
pub const LOGIN: &str = "demouser@streamward.com";
pub const CHAT: &str = "0oarbboyj0J3R67xy1d7";
pub const CHAT_SECRET: &str = "streamward-chat-demo-secret-not-for-production";
pub const CHAT_REDIRECT: &str = "http://localhost:3000/callback";
pub const ORCHESTRATOR: &str = "wlps2fwpkzi3raviM1d7";
pub const CKA: &str = "wlpzantde10QGRrpF1d7";
pub const KNOWLEDGE: &str = "aus1JGp4q34ckplLYGbL";
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub fn streamward() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/streamward.yaml")
}

/// `keys/streamward/{name}.pem`.
pub fn key_pem(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("keys/streamward/{name}.pem"))).unwrap()
}

/// A server with the Streamward seed applied.
pub async fn seeded(backend: Backend) -> Option<TestServer> {
    seeded_with(backend, |_| {}).await
}

pub async fn seeded_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestServer> {
    TestServer::start_with(backend, |c| {
        c.seed = Some(streamward());
        tweak(c);
    })
    .await
}

/// `/oauth2/v1/{endpoint}` (org) or `/oauth2/{as}/v1/{endpoint}`.
pub fn path(auth_server: Option<&str>, endpoint: &str) -> String {
    match auth_server {
        Some(id) => format!("/oauth2/{id}/v1/{endpoint}"),
        None => format!("/oauth2/v1/{endpoint}"),
    }
}

fn pct(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

/// `Basic base64(urlenc(id):urlenc(secret))`.
pub fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{}:{}", pct(id), pct(secret))))
}

/// `Basic base64(text)`, verbatim.
pub fn basic_raw(text: &str) -> String {
    format!("Basic {}", STANDARD.encode(text))
}

/// An HTTP answer: status, headers, the raw body and its JSON (`Null` when not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Reply {
    pub async fn from(r: reqwest::Response) -> Self {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self { status, headers, text, body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an OAuth error response: status, `error`, exact description, no-store.
    #[track_caller]
    pub fn assert_error(&self, status: u16, error: &str, description: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.body["error"], error, "{}", self.text);
        assert_eq!(self.body["error_description"], description, "{}", self.text);
        assert_eq!(self.body.as_object().unwrap().len(), 2, "{}", self.text);
        assert_eq!(self.header("cache-control"), Some("no-store"));
        assert_eq!(self.header("content-type"), Some("application/json"));
    }
}

impl TestServer {
    /// POSTs a form with extra headers.
    pub async fn post_form(&self, path: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let mut req =
            self.http.post(self.url(path)).header("content-type", "application/x-www-form-urlencoded").body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Reply::from(req.send().await.unwrap()).await
    }

    /// The chat app (`client_secret_basic`) at the token endpoint of `auth_server`.
    pub async fn chat_token(&self, auth_server: Option<&str>, form: &[(&str, &str)]) -> Reply {
        let auth = basic(CHAT, CHAT_SECRET);
        self.post_form(&path(auth_server, "token"), &[("authorization", &auth)], form).await
    }

    /// The chat app calling `/introspect` or `/revoke`.
    pub async fn chat_call(&self, auth_server: Option<&str>, endpoint: &str, form: &[(&str, &str)]) -> Reply {
        let auth = basic(CHAT, CHAT_SECRET);
        self.post_form(&path(auth_server, endpoint), &[("authorization", &auth)], form).await
    }

    /// The org id (`auth_server_id` of org-AS codes).
    pub fn org_id(&self) -> String {
        self.state.org.id.clone()
    }

    /// Events of one type, oldest first.
    pub async fn events(&self, event_type: &str) -> Vec<Value> {
        let q = baton::store::LogQuery {
            event_type: Some(event_type.into()),
            storage_order: true,
            limit: 1000,
            ..Default::default()
        };
        self.state.store.list_events(&q).await.unwrap().into_iter().map(|(_, r)| r.body).collect()
    }
}

/// An authorization code as `/authorize` stores it.
#[derive(Debug, Clone)]
pub struct CodeSpec {
    pub auth_server_id: String,
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub challenge: Option<String>,
    pub policy_id: Option<String>,
    pub rule_id: Option<String>,
    pub auth_time: i64,
    pub session_id: Option<String>,
}

pub fn strings(s: &str) -> Vec<String> {
    s.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

impl CodeSpec {
    /// The chat app and the demo user at the `default` AS under its Default Policy Rule.
    pub async fn chat_default(s: &TestServer, scopes: &str) -> Self {
        let (policy_id, rule_id) = default_rule(s).await;
        Self::new(s, "default", CHAT, scopes, Some(policy_id), Some(rule_id))
    }

    /// The chat app and the demo user at the org AS.
    pub fn chat_org(s: &TestServer, scopes: &str) -> Self {
        Self::new(s, &s.org_id(), CHAT, scopes, None, None)
    }

    pub fn new(
        s: &TestServer,
        auth_server_id: &str,
        client_id: &str,
        scopes: &str,
        policy_id: Option<String>,
        rule_id: Option<String>,
    ) -> Self {
        Self {
            auth_server_id: auth_server_id.into(),
            client_id: client_id.into(),
            user_id: USER.into(),
            redirect_uri: CHAT_REDIRECT.into(),
            scopes: strings(scopes),
            nonce: Some("n-0S6_WzA2Mj".into()),
            challenge: None,
            policy_id,
            rule_id,
            auth_time: s.clock.now_ms() - 100_000,
            session_id: Some(new_id(Prefix::Session)),
        }
    }

    /// Stores the code; returns the raw code.
    pub async fn create(&self, s: &TestServer) -> String {
        let raw = new_secret();
        let now = s.clock.now_ms();
        let code = AuthorizationCode {
            code_hash: hash_secret(&raw),
            auth_server_id: self.auth_server_id.clone(),
            client_id: self.client_id.clone(),
            user_id: self.user_id.clone(),
            session_id: self.session_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            scopes: self.scopes.clone(),
            nonce: self.nonce.clone(),
            code_challenge: self.challenge.clone(),
            code_challenge_method: self.challenge.as_ref().map(|_| "S256".to_owned()),
            auth_time: self.auth_time,
            policy_id: self.policy_id.clone(),
            rule_id: self.rule_id.clone(),
            created: now,
            expires: now + 300_000,
            consumed: None,
        };
        s.state.store.create_code(&code, &[]).await.unwrap();
        raw
    }
}

/// The Default Policy and Default Policy Rule of the `default` AS.
pub async fn default_rule(s: &TestServer) -> (String, String) {
    let store = s.state.store.as_ref();
    let policy = store.list_policies("default").await.unwrap().remove(0);
    let rule = store.list_rules(&policy.id).await.unwrap().remove(0);
    (policy.id, rule.id)
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce() -> (String, String) {
    let verifier = format!("{}{}", new_secret(), new_secret());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// Exchanges a fresh code of the chat app at `default` for tokens; returns the 200 body.
pub async fn chat_tokens(s: &TestServer, scopes: &str) -> Value {
    let code = CodeSpec::chat_default(s, scopes).await.create(s).await;
    let r = s
        .chat_token(
            Some("default"),
            &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CHAT_REDIRECT)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// The JOSE header and claims of a compact JWT.
pub fn decode(jwt: &str) -> (Map<String, Value>, Map<String, Value>) {
    let t = baton::jose::jwt::peek(jwt).unwrap();
    (t.header, t.claims)
}

/// Asserts `jti` = prefix + 43 base64url characters.
#[track_caller]
pub fn assert_jti(claims: &Map<String, Value>, prefix: &str) {
    let jti = claims["jti"].as_str().unwrap();
    let body = jti.strip_prefix(prefix).unwrap_or_else(|| panic!("{jti} lacks {prefix}"));
    assert_eq!(body.len(), 43, "{jti}");
    assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{jti}");
}

/// An app (`0oa…`, client id = id) ready to be stored.
pub fn app(label: &str, method: AuthMethod, application_type: &str, grants: &[&str], now: i64) -> App {
    let id = new_id(Prefix::App);
    App {
        client_id: id.clone(),
        id,
        label: label.into(),
        status: AppStatus::Active,
        application_type: application_type.into(),
        token_endpoint_auth_method: method,
        pkce_required: true,
        consent_method: ConsentMethod::Trusted,
        redirect_uris: vec![CHAT_REDIRECT.into()],
        post_logout_redirect_uris: vec![],
        response_types: vec!["code".into()],
        grant_types: grants.iter().map(|g| (*g).to_owned()).collect(),
        refresh_rotation: "ROTATE".into(),
        refresh_leeway: 30,
        auto_key_rotation: true,
        created: now,
        last_updated: now,
    }
}

/// Stores `app` with one ACTIVE secret when given.
pub async fn create_app(s: &TestServer, app: &App, secret: Option<&str>) {
    let now = s.clock.now_ms();
    let secrets: Vec<ClientSecret> = secret
        .map(|secret| ClientSecret {
            id: new_id(Prefix::ClientSecret),
            app_id: app.id.clone(),
            secret_hash: hash_secret(secret),
            status: AppStatus::Active,
            created: now,
            last_updated: now,
        })
        .into_iter()
        .collect();
    s.state.store.create_app(app, &secrets, &[]).await.unwrap();
}

/// Registers the public half of `keys/streamward/{pem}.pem` for `owner`; returns its kid.
pub async fn register_key(s: &TestServer, owner: &str, pem: &str) -> String {
    let material = baton::jose::keys::from_pem(baton::domain::SigningAlg::Rs256, &key_pem(pem)).unwrap();
    let now = s.clock.now_ms();
    let key = ClientKey {
        client_id: owner.into(),
        kid: material.kid.clone(),
        jwk: material.public_jwk,
        status: ClientKeyStatus::Active,
        created: now,
        last_updated: now,
    };
    s.state.store.create_client_key(&key, &[]).await.unwrap();
    material.kid
}

/// A client assertion signed RS256 with `keys/streamward/{pem}.pem` (josekit), with `claims`
/// as given and `kid` in the header when given.
pub fn sign_assertion(pem: &str, kid: Option<&str>, claims: &Value) -> String {
    let signer = josekit::jws::RS256.signer_from_pem(key_pem(pem)).unwrap();
    let mut header = josekit::jws::JwsHeader::new();
    header.set_token_type("JWT");
    if let Some(kid) = kid {
        header.set_key_id(kid);
    }
    let payload = serde_json::to_vec(claims).unwrap();
    josekit::jws::serialize_compact(&payload, &header, &signer).unwrap()
}

/// Standard assertion claims for `client` at `aud`, valid for five minutes from `now_s`.
pub fn assertion_claims(client: &str, aud: &str, now_s: i64) -> Value {
    serde_json::json!({"iss": client, "sub": client, "aud": aud, "iat": now_s, "exp": now_s + 300, "jti": new_secret()})
}

/// A scope `name` on `default` (the `client_credentials` tests' `orders:*`).
pub async fn add_scope(s: &TestServer, name: &str, default: bool, consent: baton::domain::ConsentType) {
    let now = s.clock.now_ms();
    let scope = baton::domain::Scope {
        default,
        consent,
        ..baton::domain::Scope::custom(new_id(Prefix::Scope), "default", name, now)
    };
    s.state.store.create_scope(&scope, &[]).await.unwrap();
}
