//! Builders for every entity the store holds (fresh ids, a fixed clock) and the assertions the
//! conformance tests share: System Log lookups by transaction and `Conflict` checks.

use crate::{Backend, TestDb};
use baton::audit::{Actor, Context, Event, Target};
use baton::domain::auth_server::{IncludeExclude, IncludeOnly, People};
use baton::domain::ids::{hash_secret, new_id, new_operation_id, new_secret, Prefix};
use baton::domain::{
    AccessTokenRecord, Agent, AgentStatus, ApiToken, App, AppStatus, AuthMethod, AuthServer, AuthorizationCode,
    Claim, ClaimType, ClaimValueType, ClientKey, ClientKeyStatus, ClientSecret, ConnectionStatus, ConsentGrant,
    ConsentMethod, ConsentRequest, ConsentRequestStatus, ConsentType, DelegationLink, Group, GroupType,
    LinkTokenType, LogRecord, Millis, Operation, Org, Policy, PolicyRule, RefreshFamily, RefreshToken,
    ResourceConnection, RuleConditions, Scope, Session, SessionToken, SigningAlg, SigningKey, SigningKeyStatus,
    Status, TokenLifetimes, TrustedIssuer, User, UserProfile, UserStatus,
};
use baton::store::{DynStore, LogQuery, StoreError, StoreResult};
use serde_json::json;
use std::fmt::Debug;

/// The fixed "now" of every test (2026-05-28); later instants are `NOW + n`.
pub const NOW: Millis = 1_780_000_000_000;
pub const MINUTE: Millis = 60_000;
pub const HOUR: Millis = 60 * MINUTE;

/// A fresh, migrated store on `backend`; None when Postgres is unavailable (the test is skipped).
/// The `TestDb` must outlive the store (it owns the `SQLite` files).
pub async fn open(backend: Backend) -> Option<(TestDb, DynStore)> {
    let db = TestDb::new(backend).await?;
    let store = baton::store::connect(&db.url).await.expect("connect and migrate");
    Some((db, store))
}

/// One System Log event on its own transaction, targeting `target_id`.
pub fn ev(event_type: &str, target_id: &str) -> LogRecord {
    Event::new(event_type, event_type, Actor::system())
        .target(Target::new(target_id, "Test", target_id, target_id))
        .build(&Context::system(), NOW)
}

/// Every event is stored, exactly as written, under its own transaction id.
pub async fn logged(store: &DynStore, events: &[LogRecord]) {
    for event in events {
        let found = by_transaction(store, &event.transaction_id).await;
        assert_eq!(found, vec![event.clone()], "{} was not logged as written", event.event_type);
    }
}

/// The event's transaction left nothing in the System Log (its write was rolled back).
pub async fn not_logged(store: &DynStore, event: &LogRecord) {
    let found = by_transaction(store, &event.transaction_id).await;
    assert!(found.is_empty(), "a failed write left {} in the System Log", event.event_type);
}

async fn by_transaction(store: &DynStore, transaction_id: &str) -> Vec<LogRecord> {
    let query = LogQuery { transaction_id: Some(transaction_id.to_owned()), limit: 100, ..LogQuery::default() };
    store.list_events(&query).await.expect("list_events").into_iter().map(|(_, e)| e).collect()
}

/// The write failed with `Conflict(field)`.
pub fn assert_conflict<T: Debug>(result: StoreResult<T>, field: &str) {
    match result {
        Err(StoreError::Conflict(f)) => assert_eq!(f, field, "conflict names the wrong field"),
        other => panic!("expected Conflict({field:?}), got {other:?}"),
    }
}

/// Ids in the order the store pages them (byte order, as `ORDER BY id` with the C collation).
pub fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

pub fn org() -> Org {
    Org { id: new_id(Prefix::Org), company_name: "baton".into(), subdomain: "baton.test".into(), created: NOW, last_updated: NOW }
}

pub fn api_token(name: &str) -> ApiToken {
    ApiToken {
        id: new_id(Prefix::ApiToken),
        name: name.into(),
        user_id: None,
        client_name: "baton".into(),
        token_hash: hash_secret(&new_secret()),
        super_admin: false,
        created: NOW,
        last_updated: NOW,
        expires: Some(NOW + 30 * 24 * HOUR),
        last_used: None,
        token_window: "P30D".into(),
    }
}

pub fn user(login: &str) -> User {
    let profile = json!({
        "login": login, "email": login.to_lowercase(), "firstName": "Ada", "lastName": "Lovelace",
        "costCenter": "R&D", "nickNames": ["ada"],
    });
    User {
        id: new_id(Prefix::User),
        status: UserStatus::Active,
        profile: UserProfile(profile.as_object().cloned().expect("object")),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into()),
        created: NOW,
        activated: Some(NOW),
        status_changed: Some(NOW),
        last_login: None,
        last_updated: NOW,
        password_changed: Some(NOW),
    }
}

pub fn group(name: &str) -> Group {
    Group {
        id: new_id(Prefix::Group),
        group_type: GroupType::OktaGroup,
        name: name.into(),
        description: Some(format!("{name} people")),
        created: NOW,
        last_updated: NOW,
        last_membership_updated: NOW,
    }
}

/// The built-in group that implicitly holds every user.
pub fn everyone() -> Group {
    Group { group_type: GroupType::BuiltIn, ..group(baton::domain::user::EVERYONE) }
}

pub fn app(client_id: &str) -> App {
    App {
        id: new_id(Prefix::App),
        client_id: client_id.into(),
        label: format!("App {client_id}"),
        status: AppStatus::Active,
        application_type: "web".into(),
        token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
        pkce_required: true,
        consent_method: ConsentMethod::Required,
        redirect_uris: vec!["https://app.test/cb".into(), "https://app.test/cb2".into()],
        post_logout_redirect_uris: vec!["https://app.test/".into()],
        response_types: vec!["code".into()],
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        refresh_rotation: "ROTATE".into(),
        refresh_leeway: 30,
        auto_key_rotation: true,
        created: NOW,
        last_updated: NOW,
    }
}

pub fn secret(app_id: &str, created: Millis) -> ClientSecret {
    ClientSecret {
        id: new_id(Prefix::ClientSecret),
        app_id: app_id.into(),
        secret_hash: hash_secret(&new_secret()),
        status: AppStatus::Active,
        created,
        last_updated: created,
    }
}

pub fn client_key(client_id: &str, kid: &str, created: Millis) -> ClientKey {
    ClientKey {
        client_id: client_id.into(),
        kid: kid.into(),
        jwk: json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "use": "sig"}),
        status: ClientKeyStatus::Active,
        created,
        last_updated: created,
    }
}

pub fn agent(name: &str) -> Agent {
    Agent {
        id: new_id(Prefix::Agent),
        status: AgentStatus::Active,
        app_id: None,
        name: name.into(),
        description: Some(format!("{name} does things")),
        resource_url: Some(format!("https://agents.test/{name}")),
        owners: vec![new_id(Prefix::User)],
        created: NOW,
        last_updated: NOW,
    }
}

pub fn operation(op_type: &str, agent_id: &str) -> Operation {
    Operation {
        id: new_operation_id(),
        op_type: op_type.into(),
        status: "COMPLETED".into(),
        resource_id: agent_id.into(),
        resource_type: "ai-agent".into(),
        resource_status: "ACTIVE".into(),
        created: NOW,
        started: NOW,
        completed: Some(NOW),
    }
}

pub fn connection(owner_id: &str, auth_server_id: &str, created: Millis) -> ResourceConnection {
    ResourceConnection {
        id: new_id(Prefix::Connection),
        owner_id: owner_id.into(),
        connection_type: "IDENTITY_ASSERTION_CUSTOM_AS".into(),
        auth_server_id: auth_server_id.into(),
        resource_indicator: Some("https://api.test".into()),
        scope_condition: "INCLUDE_ONLY".into(),
        scopes: vec!["read".into(), "write".into()],
        target_client_id: None,
        consent_required: false,
        status: ConnectionStatus::Active,
        created,
        last_updated: created,
    }
}

pub fn link(from_client_id: &str, token_type: LinkTokenType, to_agent_id: &str) -> DelegationLink {
    DelegationLink {
        id: new_id(Prefix::DelegationLink),
        from_client_id: from_client_id.into(),
        token_type,
        to_agent_id: to_agent_id.into(),
        status: ConnectionStatus::Active,
        created: NOW,
        last_updated: NOW,
    }
}

pub fn auth_server(name: &str) -> AuthServer {
    AuthServer {
        id: new_id(Prefix::AuthServer),
        name: name.into(),
        description: Some(format!("{name} server")),
        audiences: vec![format!("api://{name}")],
        resources: vec![format!("https://{name}.test/mcp")],
        issuer_mode: "ORG_URL".into(),
        status: Status::Active,
        signing_alg: SigningAlg::Rs256,
        rotation_mode: "AUTO".into(),
        created: NOW,
        last_updated: NOW,
    }
}

pub fn scope(auth_server_id: &str, name: &str, created: Millis) -> Scope {
    Scope {
        id: new_id(Prefix::Scope),
        auth_server_id: auth_server_id.into(),
        name: name.into(),
        description: Some(format!("Allows {name}")),
        display_name: Some(name.to_uppercase()),
        system: false,
        default: false,
        optional: true,
        consent: ConsentType::Required,
        metadata_publish: "ALL_CLIENTS".into(),
        created,
        last_updated: created,
    }
}

pub fn claim(auth_server_id: &str, name: &str, created: Millis) -> Claim {
    Claim {
        id: new_id(Prefix::Claim),
        auth_server_id: auth_server_id.into(),
        name: name.into(),
        status: Status::Active,
        claim_type: ClaimType::Resource,
        value_type: ClaimValueType::Expression,
        value: "user.email".into(),
        group_filter_type: None,
        scopes: vec!["email".into()],
        always_include_in_token: true,
        system: false,
        created,
        last_updated: created,
    }
}

pub fn policy(auth_server_id: &str, name: &str, priority: i64) -> Policy {
    Policy {
        id: new_id(Prefix::Policy),
        auth_server_id: auth_server_id.into(),
        name: name.into(),
        description: Some(format!("{name} policy")),
        priority,
        status: Status::Active,
        system: false,
        clients: vec!["ALL_CLIENTS".into()],
        created: NOW,
        last_updated: NOW,
    }
}

pub fn rule(policy: &Policy, name: &str, priority: i64) -> PolicyRule {
    PolicyRule {
        id: new_id(Prefix::Rule),
        policy_id: policy.id.clone(),
        auth_server_id: policy.auth_server_id.clone(),
        name: name.into(),
        priority,
        status: Status::Active,
        system: false,
        conditions: RuleConditions {
            people: People {
                users: IncludeExclude::default(),
                groups: IncludeExclude { include: vec!["EVERYONE".into()], exclude: vec![] },
            },
            grant_types: IncludeOnly { include: vec!["authorization_code".into()] },
            scopes: IncludeOnly { include: vec!["*".into()] },
        },
        token: TokenLifetimes::default(),
        created: NOW,
        last_updated: NOW,
    }
}

pub fn trusted_issuer(auth_server_id: &str, issuer: &str, created: Millis) -> TrustedIssuer {
    TrustedIssuer {
        id: new_id(Prefix::TrustedIssuer),
        auth_server_id: auth_server_id.into(),
        issuer: issuer.into(),
        jwks_uri: Some(format!("{issuer}/keys")),
        jwks: Some(json!({"keys": [{"kty": "EC", "kid": "k1"}]})),
        created,
    }
}

pub fn signing_key(owner_id: &str, status: SigningKeyStatus, created: Millis) -> SigningKey {
    let kid = new_secret();
    SigningKey {
        public_jwk: json!({"kty": "RSA", "kid": kid, "n": "sXch", "e": "AQAB", "alg": "RS256", "use": "sig"}),
        kid,
        owner_id: owner_id.into(),
        alg: SigningAlg::Rs256,
        status,
        private_key_enc: format!("enc.{}", new_secret()),
        created,
        activated: (status == SigningKeyStatus::Active).then_some(created),
        expired: None,
    }
}

pub fn session(user_id: &str) -> Session {
    Session {
        id: new_id(Prefix::Session),
        token_hash: hash_secret(&new_secret()),
        user_id: user_id.into(),
        created: NOW,
        last_seen: NOW,
        expires: NOW + 2 * HOUR,
        auth_time: NOW,
        amr: vec!["pwd".into()],
        ended: None,
    }
}

pub fn session_token(user_id: &str, expires: Millis) -> SessionToken {
    SessionToken { token_hash: hash_secret(&new_secret()), user_id: user_id.into(), created: NOW, expires }
}

pub fn code(user_id: &str, expires: Millis) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: hash_secret(&new_secret()),
        auth_server_id: "default".into(),
        client_id: "0oaclient".into(),
        user_id: user_id.into(),
        session_id: Some(new_id(Prefix::Session)),
        redirect_uri: "https://app.test/cb".into(),
        scopes: vec!["openid".into(), "offline_access".into()],
        nonce: Some("n-0S6_WzA2Mj".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        code_challenge_method: Some("S256".into()),
        auth_time: NOW,
        policy_id: Some(new_id(Prefix::Policy)),
        rule_id: Some(new_id(Prefix::Rule)),
        created: NOW,
        expires,
        consumed: None,
    }
}

pub fn family(user_id: &str, grant_id: Option<&str>) -> RefreshFamily {
    RefreshFamily {
        id: new_secret(),
        auth_server_id: "default".into(),
        client_id: "0oaclient".into(),
        user_id: user_id.into(),
        scopes: vec!["openid".into(), "offline_access".into()],
        policy_id: None,
        rule_id: None,
        session_id: None,
        grant_id: grant_id.map(str::to_owned),
        auth_time: NOW,
        created: NOW,
        last_used: NOW,
        expires: None,
        idle_window_ms: 7 * 24 * HOUR,
        revoked: None,
    }
}

pub fn refresh_token(family_id: &str, created: Millis) -> RefreshToken {
    RefreshToken { token_hash: hash_secret(&new_secret()), family_id: family_id.into(), created, rotated: None }
}

pub fn access_token(grant_id: Option<&str>, expires: Millis) -> AccessTokenRecord {
    AccessTokenRecord {
        jti: format!("AT.{}", new_secret()),
        auth_server_id: "default".into(),
        client_id: "0oaclient".into(),
        user_id: Some(new_id(Prefix::User)),
        grant_id: grant_id.map(str::to_owned),
        created: NOW,
        expires,
        revoked: None,
    }
}

pub fn consent_grant(user_id: &str, client_id: &str, auth_server_id: &str, scope_name: &str) -> ConsentGrant {
    ConsentGrant {
        id: new_id(Prefix::ConsentGrant),
        user_id: user_id.into(),
        client_id: client_id.into(),
        auth_server_id: auth_server_id.into(),
        scope_id: new_id(Prefix::Scope),
        scope_name: scope_name.into(),
        source: "END_USER".into(),
        created: NOW,
        last_updated: NOW,
    }
}

pub fn consent_request(user_id: &str, created: Millis, expires: Millis) -> ConsentRequest {
    ConsentRequest {
        id: new_id(Prefix::ConsentRequest),
        user_id: user_id.into(),
        client_id: new_id(Prefix::Agent),
        connection_id: new_id(Prefix::Connection),
        auth_server_id: new_id(Prefix::AuthServer),
        scopes: vec!["read".into()],
        status: ConsentRequestStatus::Pending,
        created,
        expires,
        decided: None,
    }
}
