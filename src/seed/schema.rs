//! The seed file's YAML schema (docs/seed.md). Keys are camelCase and every struct denies
//! unknown fields, so a misspelt key is an error rather than a silently ignored setting.
//! Optional fields are `Option`s: absent means "the default when the entry is created, the
//! current value when it already exists". Enumerations stay strings here and are checked
//! against the domain's spelling when the entry is applied, with an error naming the entry.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedFile {
    #[serde(default)]
    pub org: Option<OrgSpec>,
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    #[serde(default)]
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub apps: Vec<AppSpec>,
    #[serde(default)]
    pub agents: Vec<AgentSpec>,
    #[serde(default)]
    pub org_signing_keys: Vec<SigningKeySpec>,
    #[serde(default)]
    pub authorization_servers: Vec<AuthServerSpec>,
    #[serde(default)]
    pub connections: Vec<ConnectionSpec>,
    #[serde(default)]
    pub delegation_links: Vec<LinkSpec>,
    #[serde(default)]
    pub api_tokens: Vec<ApiTokenSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrgSpec {
    pub company_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupSpec {
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSpec {
    pub id: Option<String>,
    pub status: Option<String>,
    /// Plaintext in the seed; stored as an Argon2id PHC string.
    pub password: Option<String>,
    /// `login`, `email`, `firstName`, `lastName` plus any custom attribute.
    pub profile: Map<String, Value>,
    /// Group names or ids.
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppSpec {
    pub id: Option<String>,
    pub client_id: Option<String>,
    pub label: String,
    pub status: Option<String>,
    pub application_type: Option<String>,
    pub token_endpoint_auth_method: Option<String>,
    /// Plaintext in the seed; stored as one client secret row, hashed.
    pub client_secret: Option<String>,
    pub pkce_required: Option<bool>,
    pub consent_method: Option<String>,
    pub auto_key_rotation: Option<bool>,
    pub redirect_uris: Option<Vec<String>>,
    pub post_logout_redirect_uris: Option<Vec<String>>,
    pub response_types: Option<Vec<String>>,
    pub grant_types: Option<Vec<String>>,
    pub refresh_token: Option<RefreshTokenSpec>,
    #[serde(default)]
    pub jwks: Vec<ClientKeySpec>,
    #[serde(default)]
    pub assignments: AssignmentsSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshTokenSpec {
    pub rotation_type: Option<String>,
    pub leeway: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignmentsSpec {
    /// User logins or ids.
    #[serde(default)]
    pub users: Vec<String>,
    /// Group names or ids (`Everyone` included).
    #[serde(default)]
    pub groups: Vec<String>,
}

/// A public key for `private_key_jwt`: exactly one of `publicKeyFile` and `jwk`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientKeySpec {
    /// A PEM `PUBLIC KEY` (`SubjectPublicKeyInfo`), RSA or P-256.
    pub public_key_file: Option<PathBuf>,
    /// An inline public JWK; private members are refused.
    pub jwk: Option<Map<String, Value>>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AgentSpec {
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub status: Option<String>,
    /// App id or client id.
    pub app_id: Option<String>,
    pub resource_url: Option<String>,
    /// User logins or ids.
    pub owners: Option<Vec<String>>,
    #[serde(default)]
    pub keys: Vec<ClientKeySpec>,
}

/// A pinned signing key of an authorization server (private key, PKCS#8 or traditional PEM).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SigningKeySpec {
    pub private_key_file: PathBuf,
    /// `ACTIVE` or `NEXT`.
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthServerSpec {
    pub id: Option<String>,
    /// Required when the server is created.
    pub name: Option<String>,
    pub description: Option<String>,
    /// Exactly one; required when the server is created.
    pub audiences: Option<Vec<String>>,
    pub resources: Option<Vec<String>>,
    pub status: Option<String>,
    pub signing_alg: Option<String>,
    pub rotation_mode: Option<String>,
    #[serde(default)]
    pub signing_keys: Vec<SigningKeySpec>,
    #[serde(default)]
    pub scopes: Vec<ScopeSpec>,
    #[serde(default)]
    pub claims: Vec<ClaimSpec>,
    #[serde(default)]
    pub policies: Vec<PolicySpec>,
    #[serde(default)]
    pub trusted_issuers: Vec<TrustedIssuerSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopeSpec {
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub display_name: Option<String>,
    pub consent: Option<String>,
    pub default: Option<bool>,
    pub optional: Option<bool>,
    pub metadata_publish: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimSpec {
    pub id: Option<String>,
    pub name: String,
    pub claim_type: String,
    pub value_type: Option<String>,
    pub value: String,
    pub group_filter_type: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub always_include_in_token: Option<bool>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicySpec {
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub priority: Option<i64>,
    pub status: Option<String>,
    /// App ids or client ids, agent ids or names, or `ALL_CLIENTS`.
    pub clients: Vec<String>,
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleSpec {
    pub id: Option<String>,
    pub name: String,
    pub priority: Option<i64>,
    pub status: Option<String>,
    pub people: Option<PeopleSpec>,
    pub grant_types: Vec<String>,
    pub scopes: Vec<String>,
    pub access_token_lifetime_minutes: Option<i64>,
    pub refresh_token_lifetime_minutes: Option<i64>,
    pub refresh_token_window_minutes: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeopleSpec {
    /// User logins or ids.
    #[serde(default)]
    pub users: IncludeExcludeSpec,
    /// Group names or ids, or `EVERYONE`.
    #[serde(default)]
    pub groups: IncludeExcludeSpec,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IncludeExcludeSpec {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrustedIssuerSpec {
    pub id: Option<String>,
    pub issuer: String,
    pub jwks_uri: Option<String>,
    pub jwks: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionSpec {
    pub id: Option<String>,
    /// Agent id or name, or app id or client id.
    pub owner: String,
    /// Custom AS id or name.
    pub authorization_server: String,
    pub resource_indicator: Option<String>,
    pub scopes: Vec<String>,
    pub consent_required: Option<bool>,
    pub target_client_id: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkSpec {
    pub id: Option<String>,
    /// App id or client id, or agent id or name.
    pub from: String,
    /// `ID_TOKEN` or `ACCESS_TOKEN`.
    pub token_type: String,
    /// Agent id or name.
    pub to: String,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiTokenSpec {
    pub id: Option<String>,
    pub name: String,
    /// Plaintext in the seed; stored hashed.
    pub token: String,
}
