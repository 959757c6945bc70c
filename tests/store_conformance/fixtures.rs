//! Builders for every entity the store holds (fresh ids, a fixed clock) and the assertions the
//! conformance tests share: System Log lookups by transaction and `Conflict` checks. Builders
//! of authorization-server, session and grant state live in `oauth_fixtures.rs`.

#[path = "oauth_fixtures.rs"]
mod oauth;

pub use oauth::{
    access_token, auth_server, claim, code, consent_grant, consent_request, family, policy, refresh_token, rule, scope,
    session, session_token, signing_key, trusted_issuer,
};

use crate::{Backend, TestDb};
use baton::audit::{Actor, Context, Event, Target};
use baton::domain::ids::{hash_secret, new_id, new_operation_id, new_secret, Prefix};
use baton::domain::{
    Agent, AgentStatus, ApiToken, App, AppStatus, AuthMethod, ClientKey, ClientKeyStatus, ClientSecret,
    ConnectionStatus, ConsentMethod, DelegationLink, Group, GroupType, LinkTokenType, LogRecord, Millis, Operation,
    Org, RefreshToken, ResourceConnection, User, UserProfile, UserStatus,
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
    Org {
        id: new_id(Prefix::Org),
        company_name: "baton".into(),
        subdomain: "baton.test".into(),
        created: NOW,
        last_updated: NOW,
    }
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

/// Rotates `old` to `new` with nothing else issued and no events.
pub async fn rotate(store: &DynStore, old: &str, new: &RefreshToken, now: Millis, rotated_after: Millis) -> bool {
    let issuance = baton::store::Issuance { refresh_token: Some(new), ..baton::store::Issuance::default() };
    store.rotate_refresh_token(old, now, Some(rotated_after), &issuance, &[]).await.unwrap()
}
