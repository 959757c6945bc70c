//! Row shapes as the database returns them, and their checked conversion into domain
//! entities. Lists and documents are TEXT holding JSON; enums are TEXT in Okta's spelling.

use crate::domain::{
    AccessTokenRecord, Agent, ApiToken, App, AuthServer, AuthorizationCode, Claim, ClientKey, ClientSecret,
    ConsentGrant, ConsentRequest, DelegationLink, Group, LogRecord, Operation, Org, Policy, PolicyRule, RefreshFamily,
    RefreshToken, ResourceConnection, Scope, Session, SessionToken, SigningKey, TextEnum, TokenLifetimes,
    TrustedIssuer, User, UserProfile,
};
use crate::store::{StoreError, StoreResult};
use serde::de::DeserializeOwned;

pub fn enum_of<T: TextEnum>(s: &str) -> StoreResult<T> {
    T::parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown enum value {s:?}")))
}

pub fn json_of<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("bad JSON column: {e}")))
}

pub fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// Declares a row struct and its conversion into a domain type in one place.
macro_rules! row {
    ($row:ident => $ty:ty { $($field:ident : $fty:ty),* $(,)? } |$r:ident| $conv:expr) => {
        #[derive(sqlx::FromRow)]
        pub struct $row { $(pub $field: $fty),* }
        impl TryFrom<$row> for $ty {
            type Error = StoreError;
            fn try_from($r: $row) -> StoreResult<$ty> { Ok($conv) }
        }
    };
}

row!(OrgRow => Org { id: String, company_name: String, subdomain: String, created: i64, last_updated: i64 }
    |r| Org { id: r.id, company_name: r.company_name, subdomain: r.subdomain, created: r.created, last_updated: r.last_updated });

row!(UserRow => User {
    id: String, status: String, profile: String, password_hash: Option<String>, created: i64,
    activated: Option<i64>, status_changed: Option<i64>, last_login: Option<i64>, last_updated: i64,
    password_changed: Option<i64>,
} |r| User {
    id: r.id, status: enum_of(&r.status)?, profile: UserProfile(json_of(&r.profile)?), password_hash: r.password_hash,
    created: r.created, activated: r.activated, status_changed: r.status_changed, last_login: r.last_login,
    last_updated: r.last_updated, password_changed: r.password_changed,
});

row!(GroupRow => Group {
    id: String, group_type: String, name: String, description: Option<String>, created: i64, last_updated: i64,
    last_membership_updated: i64,
} |r| Group {
    id: r.id, group_type: enum_of(&r.group_type)?, name: r.name, description: r.description, created: r.created,
    last_updated: r.last_updated, last_membership_updated: r.last_membership_updated,
});

row!(AppRow => App {
    id: String, client_id: String, label: String, status: String, application_type: String,
    token_endpoint_auth_method: String, pkce_required: bool, consent_method: String, redirect_uris: String,
    post_logout_redirect_uris: String, response_types: String, grant_types: String, refresh_rotation: String,
    refresh_leeway: i64, auto_key_rotation: bool, created: i64, last_updated: i64,
} |r| App {
    id: r.id, client_id: r.client_id, label: r.label, status: enum_of(&r.status)?, application_type: r.application_type,
    token_endpoint_auth_method: enum_of(&r.token_endpoint_auth_method)?, pkce_required: r.pkce_required,
    consent_method: enum_of(&r.consent_method)?, redirect_uris: json_of(&r.redirect_uris)?,
    post_logout_redirect_uris: json_of(&r.post_logout_redirect_uris)?, response_types: json_of(&r.response_types)?,
    grant_types: json_of(&r.grant_types)?, refresh_rotation: r.refresh_rotation, refresh_leeway: r.refresh_leeway,
    auto_key_rotation: r.auto_key_rotation, created: r.created, last_updated: r.last_updated,
});

row!(ClientSecretRow => ClientSecret { id: String, app_id: String, secret_hash: String, status: String, created: i64, last_updated: i64 }
    |r| ClientSecret { id: r.id, app_id: r.app_id, secret_hash: r.secret_hash, status: enum_of(&r.status)?, created: r.created, last_updated: r.last_updated });

row!(ClientKeyRow => ClientKey { client_id: String, kid: String, jwk: String, status: String, created: i64, last_updated: i64 }
    |r| ClientKey { client_id: r.client_id, kid: r.kid, jwk: json_of(&r.jwk)?, status: enum_of(&r.status)?, created: r.created, last_updated: r.last_updated });

row!(AgentRow => Agent {
    id: String, status: String, app_id: Option<String>, name: String, description: Option<String>,
    resource_url: Option<String>, owners: String, created: i64, last_updated: i64,
} |r| Agent {
    id: r.id, status: enum_of(&r.status)?, app_id: r.app_id, name: r.name, description: r.description,
    resource_url: r.resource_url, owners: json_of(&r.owners)?, created: r.created, last_updated: r.last_updated,
});

row!(OperationRow => Operation {
    id: String, op_type: String, status: String, resource_id: String, resource_type: String, resource_status: String,
    created: i64, started: i64, completed: Option<i64>,
} |r| Operation {
    id: r.id, op_type: r.op_type, status: r.status, resource_id: r.resource_id, resource_type: r.resource_type,
    resource_status: r.resource_status, created: r.created, started: r.started, completed: r.completed,
});

row!(ConnectionRow => ResourceConnection {
    id: String, owner_id: String, connection_type: String, auth_server_id: String, resource_indicator: Option<String>,
    scope_condition: String, scopes: String, target_client_id: Option<String>, consent_required: bool, status: String,
    created: i64, last_updated: i64,
} |r| ResourceConnection {
    id: r.id, owner_id: r.owner_id, connection_type: r.connection_type, auth_server_id: r.auth_server_id,
    resource_indicator: r.resource_indicator, scope_condition: r.scope_condition, scopes: json_of(&r.scopes)?,
    target_client_id: r.target_client_id, consent_required: r.consent_required, status: enum_of(&r.status)?,
    created: r.created, last_updated: r.last_updated,
});

row!(LinkRow => DelegationLink {
    id: String, from_client_id: String, token_type: String, to_agent_id: String, status: String, created: i64,
    last_updated: i64,
} |r| DelegationLink {
    id: r.id, from_client_id: r.from_client_id, token_type: enum_of(&r.token_type)?, to_agent_id: r.to_agent_id,
    status: enum_of(&r.status)?, created: r.created, last_updated: r.last_updated,
});

row!(AuthServerRow => AuthServer {
    id: String, name: String, description: Option<String>, audiences: String, resources: String, issuer_mode: String,
    status: String, signing_alg: String, rotation_mode: String, created: i64, last_updated: i64,
} |r| AuthServer {
    id: r.id, name: r.name, description: r.description, audiences: json_of(&r.audiences)?,
    resources: json_of(&r.resources)?, issuer_mode: r.issuer_mode, status: enum_of(&r.status)?,
    signing_alg: enum_of(&r.signing_alg)?, rotation_mode: r.rotation_mode, created: r.created,
    last_updated: r.last_updated,
});

row!(TrustedIssuerRow => TrustedIssuer {
    id: String, auth_server_id: String, issuer: String, jwks_uri: Option<String>, jwks: Option<String>, created: i64,
} |r| TrustedIssuer {
    id: r.id, auth_server_id: r.auth_server_id, issuer: r.issuer, jwks_uri: r.jwks_uri,
    jwks: r.jwks.as_deref().map(json_of).transpose()?, created: r.created,
});

row!(ScopeRow => Scope {
    id: String, auth_server_id: String, name: String, description: Option<String>, display_name: Option<String>,
    system: bool, is_default: bool, optional: bool, consent: String, metadata_publish: String, created: i64,
    last_updated: i64,
} |r| Scope {
    id: r.id, auth_server_id: r.auth_server_id, name: r.name, description: r.description,
    display_name: r.display_name, system: r.system, default: r.is_default, optional: r.optional,
    consent: enum_of(&r.consent)?, metadata_publish: r.metadata_publish, created: r.created,
    last_updated: r.last_updated,
});

row!(ClaimRow => Claim {
    id: String, auth_server_id: String, name: String, status: String, claim_type: String, value_type: String,
    value: String, group_filter_type: Option<String>, scopes: String, always_include: bool, system: bool,
    created: i64, last_updated: i64,
} |r| Claim {
    id: r.id, auth_server_id: r.auth_server_id, name: r.name, status: enum_of(&r.status)?,
    claim_type: enum_of(&r.claim_type)?, value_type: enum_of(&r.value_type)?, value: r.value,
    group_filter_type: r.group_filter_type, scopes: json_of(&r.scopes)?, always_include_in_token: r.always_include,
    system: r.system, created: r.created, last_updated: r.last_updated,
});

row!(PolicyRow => Policy {
    id: String, auth_server_id: String, name: String, description: Option<String>, priority: i64, status: String,
    system: bool, clients: String, created: i64, last_updated: i64,
} |r| Policy {
    id: r.id, auth_server_id: r.auth_server_id, name: r.name, description: r.description, priority: r.priority,
    status: enum_of(&r.status)?, system: r.system, clients: json_of(&r.clients)?, created: r.created,
    last_updated: r.last_updated,
});

row!(RuleRow => PolicyRule {
    id: String, policy_id: String, auth_server_id: String, name: String, priority: i64, status: String, system: bool,
    conditions: String, access_token_minutes: i64, refresh_token_minutes: i64, refresh_window_minutes: i64,
    created: i64, last_updated: i64,
} |r| PolicyRule {
    id: r.id, policy_id: r.policy_id, auth_server_id: r.auth_server_id, name: r.name, priority: r.priority,
    status: enum_of(&r.status)?, system: r.system, conditions: json_of(&r.conditions)?,
    token: TokenLifetimes {
        access_token_minutes: r.access_token_minutes, refresh_token_minutes: r.refresh_token_minutes,
        refresh_token_window_minutes: r.refresh_window_minutes,
    },
    created: r.created, last_updated: r.last_updated,
});

row!(SigningKeyRow => SigningKey {
    kid: String, owner_id: String, alg: String, status: String, private_key_enc: String, public_jwk: String,
    created: i64, activated: Option<i64>, expired: Option<i64>,
} |r| SigningKey {
    kid: r.kid, owner_id: r.owner_id, alg: enum_of(&r.alg)?, status: enum_of(&r.status)?,
    private_key_enc: r.private_key_enc, public_jwk: json_of(&r.public_jwk)?, created: r.created,
    activated: r.activated, expired: r.expired,
});

row!(SessionRow => Session {
    id: String, token_hash: String, user_id: String, created: i64, last_seen: i64, expires: i64, auth_time: i64,
    amr: String, ended: Option<i64>,
} |r| Session {
    id: r.id, token_hash: r.token_hash, user_id: r.user_id, created: r.created, last_seen: r.last_seen,
    expires: r.expires, auth_time: r.auth_time, amr: json_of(&r.amr)?, ended: r.ended,
});

row!(SessionTokenRow => SessionToken { token_hash: String, user_id: String, created: i64, expires: i64 }
    |r| SessionToken { token_hash: r.token_hash, user_id: r.user_id, created: r.created, expires: r.expires });

row!(CodeRow => AuthorizationCode {
    code_hash: String, auth_server_id: String, client_id: String, user_id: String, session_id: Option<String>,
    redirect_uri: String, scopes: String, nonce: Option<String>, code_challenge: Option<String>,
    code_challenge_method: Option<String>, auth_time: i64, policy_id: Option<String>, rule_id: Option<String>,
    created: i64, expires: i64, consumed: Option<i64>,
} |r| AuthorizationCode {
    code_hash: r.code_hash, auth_server_id: r.auth_server_id, client_id: r.client_id, user_id: r.user_id,
    session_id: r.session_id, redirect_uri: r.redirect_uri, scopes: json_of(&r.scopes)?, nonce: r.nonce,
    code_challenge: r.code_challenge, code_challenge_method: r.code_challenge_method, auth_time: r.auth_time,
    policy_id: r.policy_id, rule_id: r.rule_id, created: r.created, expires: r.expires, consumed: r.consumed,
});

row!(FamilyRow => RefreshFamily {
    id: String, auth_server_id: String, client_id: String, user_id: String, scopes: String,
    policy_id: Option<String>, rule_id: Option<String>, session_id: Option<String>, grant_id: Option<String>,
    auth_time: i64, created: i64, last_used: i64, expires: Option<i64>, idle_window_ms: i64, revoked: Option<i64>,
} |r| RefreshFamily {
    id: r.id, auth_server_id: r.auth_server_id, client_id: r.client_id, user_id: r.user_id,
    scopes: json_of(&r.scopes)?, policy_id: r.policy_id, rule_id: r.rule_id, session_id: r.session_id,
    grant_id: r.grant_id, auth_time: r.auth_time, created: r.created, last_used: r.last_used, expires: r.expires,
    idle_window_ms: r.idle_window_ms, revoked: r.revoked,
});

row!(RefreshTokenRow => RefreshToken { token_hash: String, family_id: String, created: i64, rotated: Option<i64> }
    |r| RefreshToken { token_hash: r.token_hash, family_id: r.family_id, created: r.created, rotated: r.rotated });

row!(AccessTokenRow => AccessTokenRecord {
    jti: String, auth_server_id: String, client_id: String, user_id: Option<String>, grant_id: Option<String>,
    created: i64, expires: i64, revoked: Option<i64>,
} |r| AccessTokenRecord {
    jti: r.jti, auth_server_id: r.auth_server_id, client_id: r.client_id, user_id: r.user_id, grant_id: r.grant_id,
    created: r.created, expires: r.expires, revoked: r.revoked,
});

row!(ConsentGrantRow => ConsentGrant {
    id: String, user_id: String, client_id: String, auth_server_id: String, scope_id: String, scope_name: String,
    source: String, created: i64, last_updated: i64,
} |r| ConsentGrant {
    id: r.id, user_id: r.user_id, client_id: r.client_id, auth_server_id: r.auth_server_id, scope_id: r.scope_id,
    scope_name: r.scope_name, source: r.source, created: r.created, last_updated: r.last_updated,
});

row!(ConsentRequestRow => ConsentRequest {
    id: String, user_id: String, client_id: String, actor_id: Option<String>, subject_client_id: Option<String>,
    connection_id: String, auth_server_id: String, scopes: String, status: String, created: i64, expires: i64,
    decided: Option<i64>, revoked: Option<i64>,
} |r| ConsentRequest {
    id: r.id, user_id: r.user_id, client_id: r.client_id, actor_id: r.actor_id,
    subject_client_id: r.subject_client_id, connection_id: r.connection_id, auth_server_id: r.auth_server_id,
    scopes: json_of(&r.scopes)?, status: enum_of(&r.status)?, created: r.created, expires: r.expires,
    decided: r.decided, revoked: r.revoked,
});

row!(ApiTokenRow => ApiToken {
    id: String, name: String, user_id: Option<String>, client_name: String, token_hash: String, super_admin: bool,
    created: i64, last_updated: i64, expires: Option<i64>, last_used: Option<i64>, token_window: String,
} |r| ApiToken {
    id: r.id, name: r.name, user_id: r.user_id, client_name: r.client_name, token_hash: r.token_hash,
    super_admin: r.super_admin, created: r.created, last_updated: r.last_updated, expires: r.expires,
    last_used: r.last_used, token_window: r.token_window,
});

row!(LogRow => (i64, LogRecord) {
    seq: i64, uuid: String, published: i64, event_type: String, severity: String, outcome_result: String,
    actor_id: String, client_id: Option<String>, transaction_id: String, body: String,
} |r| (r.seq, LogRecord {
    uuid: r.uuid, published: r.published, event_type: r.event_type, severity: r.severity,
    outcome_result: r.outcome_result, actor_id: r.actor_id, client_id: r.client_id, transaction_id: r.transaction_id,
    targets: Vec::new(), body: json_of(&r.body)?,
}));

/// Converts a vector of rows, failing on the first corrupt one.
pub fn all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Converts an optional row.
pub fn one<R, T>(row: Option<R>) -> StoreResult<Option<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    row.map(T::try_from).transpose()
}
