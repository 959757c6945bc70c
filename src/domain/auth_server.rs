//! Custom authorization servers, their scopes, claims, access policies and rules, trusted
//! external issuers, and the signing keys of every AS (org and custom) (okta-surface.md §1,
//! §11.4; xaa.md §1).

use super::{Millis, Status, TextEnum};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlg {
    Rs256,
    Es256,
}

impl TextEnum for SigningAlg {
    const ALL: &'static [(Self, &'static str)] = &[(Self::Rs256, "RS256"), (Self::Es256, "ES256")];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthServer {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Exactly one audience (Okta allows one per server).
    pub audiences: Vec<String>,
    /// Extra resource indicators a jwt-bearer request may bind, besides the audience.
    pub resources: Vec<String>,
    pub issuer_mode: String,
    pub status: Status,
    pub signing_alg: SigningAlg,
    /// `AUTO` (rotate every 90 days) or `MANUAL`.
    pub rotation_mode: String,
    pub created: Millis,
    pub last_updated: Millis,
}

impl AuthServer {
    /// An ACTIVE server with Okta's defaults: `ORG_URL` issuer, RS256 keys rotated `AUTO`, no audience.
    #[must_use]
    pub fn new(id: String, name: &str, now: Millis) -> Self {
        Self {
            id,
            name: name.into(),
            description: None,
            audiences: Vec::new(),
            resources: Vec::new(),
            issuer_mode: "ORG_URL".into(),
            status: Status::Active,
            signing_alg: SigningAlg::Rs256,
            rotation_mode: "AUTO".into(),
            created: now,
            last_updated: now,
        }
    }

    /// The audience plus the extra resources: what a `resource` parameter may name.
    #[must_use]
    pub fn allowed_resources(&self) -> Vec<&str> {
        self.audiences.iter().chain(&self.resources).map(String::as_str).collect()
    }
}

/// An issuer other than baton whose ID-JAGs this custom AS redeems (xaa.md §6).
#[derive(Debug, Clone, PartialEq)]
pub struct TrustedIssuer {
    pub id: String,
    pub auth_server_id: String,
    pub issuer: String,
    pub jwks_uri: Option<String>,
    pub jwks: Option<serde_json::Value>,
    pub created: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentType {
    Implicit,
    Required,
    Flexible,
}

impl TextEnum for ConsentType {
    const ALL: &'static [(Self, &'static str)] =
        &[(Self::Implicit, "IMPLICIT"), (Self::Required, "REQUIRED"), (Self::Flexible, "FLEXIBLE")];
}

/// The OIDC scopes every custom AS has (`system: true`, cannot be deleted).
pub const SYSTEM_SCOPES: &[&str] = &["openid", "profile", "email", "address", "phone", "offline_access"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub id: String,
    pub auth_server_id: String,
    pub name: String,
    pub description: Option<String>,
    pub display_name: Option<String>,
    pub system: bool,
    pub default: bool,
    pub optional: bool,
    pub consent: ConsentType,
    /// `ALL_CLIENTS` (listed in discovery) or `NO_CLIENTS`.
    pub metadata_publish: String,
    pub created: Millis,
    pub last_updated: Millis,
}

impl Scope {
    /// A custom scope with Okta's defaults: not default or optional, IMPLICIT consent, `NO_CLIENTS`.
    #[must_use]
    pub fn custom(id: String, auth_server_id: &str, name: &str, now: Millis) -> Self {
        Self {
            id,
            auth_server_id: auth_server_id.into(),
            name: name.into(),
            description: None,
            display_name: None,
            system: false,
            default: false,
            optional: false,
            consent: ConsentType::Implicit,
            metadata_publish: "NO_CLIENTS".into(),
            created: now,
            last_updated: now,
        }
    }

    /// One of the `SYSTEM_SCOPES` as Okta creates it: `system`, described, published to `ALL_CLIENTS`.
    #[must_use]
    pub fn system(id: String, auth_server_id: &str, name: &str, description: &str, now: Millis) -> Self {
        Self {
            description: Some(description.into()),
            system: true,
            metadata_publish: "ALL_CLIENTS".into(),
            ..Self::custom(id, auth_server_id, name, now)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimType {
    Identity,
    Resource,
}

impl TextEnum for ClaimType {
    const ALL: &'static [(Self, &'static str)] = &[(Self::Identity, "IDENTITY"), (Self::Resource, "RESOURCE")];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimValueType {
    Expression,
    Groups,
    System,
}

impl TextEnum for ClaimValueType {
    const ALL: &'static [(Self, &'static str)] =
        &[(Self::Expression, "EXPRESSION"), (Self::Groups, "GROUPS"), (Self::System, "SYSTEM")];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: String,
    pub auth_server_id: String,
    pub name: String,
    pub status: Status,
    pub claim_type: ClaimType,
    pub value_type: ClaimValueType,
    pub value: String,
    /// `STARTS_WITH`, `EQUALS`, `CONTAINS` or `REGEX` for GROUPS claims.
    pub group_filter_type: Option<String>,
    /// Scopes that trigger the claim; empty = always.
    pub scopes: Vec<String>,
    pub always_include_in_token: bool,
    pub system: bool,
    pub created: Millis,
    pub last_updated: Millis,
}

impl Claim {
    /// An ACTIVE EXPRESSION claim with Okta's defaults: always in the token, for any scope, no value.
    #[must_use]
    pub fn new(id: String, auth_server_id: &str, name: &str, claim_type: ClaimType, now: Millis) -> Self {
        Self {
            id,
            auth_server_id: auth_server_id.into(),
            name: name.into(),
            status: Status::Active,
            claim_type,
            value_type: ClaimValueType::Expression,
            value: String::new(),
            group_filter_type: None,
            scopes: Vec::new(),
            always_include_in_token: true,
            system: false,
            created: now,
            last_updated: now,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub id: String,
    pub auth_server_id: String,
    pub name: String,
    pub description: Option<String>,
    pub priority: i64,
    pub status: Status,
    pub system: bool,
    /// Client ids, or `ALL_CLIENTS`.
    pub clients: Vec<String>,
    pub created: Millis,
    pub last_updated: Millis,
}

impl Policy {
    /// An ACTIVE, non-system access policy with Okta's defaults: no description and no clients.
    #[must_use]
    pub fn new(id: String, auth_server_id: &str, name: &str, priority: i64, now: Millis) -> Self {
        Self {
            id,
            auth_server_id: auth_server_id.into(),
            name: name.into(),
            description: None,
            priority,
            status: Status::Active,
            system: false,
            clients: Vec::new(),
            created: now,
            last_updated: now,
        }
    }
}

/// `include` / `exclude` lists of a rule's people condition.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IncludeExclude {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// A rule's `conditions`, stored as one JSON document in Okta's own shape.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RuleConditions {
    pub people: People,
    #[serde(rename = "grantTypes")]
    pub grant_types: IncludeOnly,
    pub scopes: IncludeOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct People {
    #[serde(default)]
    pub users: IncludeExclude,
    #[serde(default)]
    pub groups: IncludeExclude,
}

impl People {
    /// Okta's default people condition: every user (the groups include `EVERYONE`).
    #[must_use]
    pub fn everyone() -> Self {
        Self {
            users: IncludeExclude::default(),
            groups: IncludeExclude { include: vec!["EVERYONE".into()], exclude: Vec::new() },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IncludeOnly {
    #[serde(default)]
    pub include: Vec<String>,
}

/// `actions.token` of a rule, in minutes (okta-surface.md §7.4 bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetimes {
    pub access_token_minutes: i64,
    /// 0 = unlimited.
    pub refresh_token_minutes: i64,
    pub refresh_token_window_minutes: i64,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self { access_token_minutes: 60, refresh_token_minutes: 0, refresh_token_window_minutes: 10080 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRule {
    pub id: String,
    pub policy_id: String,
    pub auth_server_id: String,
    pub name: String,
    pub priority: i64,
    pub status: Status,
    pub system: bool,
    pub conditions: RuleConditions,
    pub token: TokenLifetimes,
    pub created: Millis,
    pub last_updated: Millis,
}

impl PolicyRule {
    /// An ACTIVE rule with Okta's defaults: for everyone, default lifetimes, no grant types or scopes.
    #[must_use]
    pub fn new(id: String, policy_id: &str, auth_server_id: &str, name: &str, priority: i64, now: Millis) -> Self {
        Self {
            id,
            policy_id: policy_id.into(),
            auth_server_id: auth_server_id.into(),
            name: name.into(),
            priority,
            status: Status::Active,
            system: false,
            conditions: RuleConditions { people: People::everyone(), ..RuleConditions::default() },
            token: TokenLifetimes::default(),
            created: now,
            last_updated: now,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningKeyStatus {
    Active,
    Next,
    Expired,
}

impl TextEnum for SigningKeyStatus {
    const ALL: &'static [(Self, &'static str)] =
        &[(Self::Active, "ACTIVE"), (Self::Next, "NEXT"), (Self::Expired, "EXPIRED")];
}

/// A signing key of one AS. `owner_id` is the custom AS id, or the org id for the org AS.
#[derive(Debug, Clone, PartialEq)]
pub struct SigningKey {
    /// RFC 7638 thumbprint of the public key.
    pub kid: String,
    pub owner_id: String,
    pub alg: SigningAlg,
    pub status: SigningKeyStatus,
    /// The private key PEM, encrypted with the key-encryption key (compact JWE, dir + A256GCM).
    pub private_key_enc: String,
    pub public_jwk: serde_json::Value,
    pub created: Millis,
    pub activated: Option<Millis>,
    pub expired: Option<Millis>,
}
