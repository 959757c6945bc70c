//! OIDC apps (clients), their secrets and public keys (okta-surface.md §11.3). Agents share the
//! key table: a `ClientKey` belongs to an app or an agent by `client_id`.

use super::{Millis, TextEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppStatus {
    Active,
    Inactive,
}

impl TextEnum for AppStatus {
    const ALL: &'static [(Self, &'static str)] = &[(Self::Active, "ACTIVE"), (Self::Inactive, "INACTIVE")];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    None,
}

impl TextEnum for AuthMethod {
    const ALL: &'static [(Self, &'static str)] = &[
        (Self::ClientSecretBasic, "client_secret_basic"),
        (Self::ClientSecretPost, "client_secret_post"),
        (Self::PrivateKeyJwt, "private_key_jwt"),
        (Self::None, "none"),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentMethod {
    Trusted,
    Required,
}

impl TextEnum for ConsentMethod {
    const ALL: &'static [(Self, &'static str)] = &[(Self::Trusted, "TRUSTED"), (Self::Required, "REQUIRED")];
}

/// Application types and the `sub_profile` they map to (xaa.md §1.2).
pub const APPLICATION_TYPES: &[(&str, &str)] =
    &[("web", "web_app"), ("service", "service"), ("browser", "browser_app"), ("native", "native_app")];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub id: String,
    pub client_id: String,
    pub label: String,
    pub status: AppStatus,
    pub application_type: String,
    pub token_endpoint_auth_method: AuthMethod,
    pub pkce_required: bool,
    pub consent_method: ConsentMethod,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub response_types: Vec<String>,
    pub grant_types: Vec<String>,
    /// `ROTATE` (default) or `STATIC`.
    pub refresh_rotation: String,
    /// Seconds a rotated refresh token stays usable, 0–60.
    pub refresh_leeway: i64,
    pub auto_key_rotation: bool,
    pub created: Millis,
    pub last_updated: Millis,
}

impl App {
    /// `sub_profile` of this app in an `act` chain (xaa.md §1.2).
    #[must_use]
    pub fn sub_profile(&self) -> &'static str {
        APPLICATION_TYPES.iter().find(|(t, _)| *t == self.application_type).map_or("web_app", |(_, p)| p)
    }

    #[must_use]
    pub fn allows_grant(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSecret {
    pub id: String,
    pub app_id: String,
    /// SHA-256 hex of the secret (`ids::hash_secret`).
    pub secret_hash: String,
    pub status: AppStatus,
    pub created: Millis,
    pub last_updated: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl TextEnum for KeyStatus {
    const ALL: &'static [(Self, &'static str)] = &[(Self::Active, "ACTIVE"), (Self::Inactive, "INACTIVE")];
}

/// A public JWK registered for client authentication (`private_key_jwt`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientKey {
    /// The app id or agent id that owns the key (also its OAuth client id for agents).
    pub client_id: String,
    pub kid: String,
    /// The public JWK as registered (private members rejected before storage).
    pub jwk: serde_json::Value,
    pub status: KeyStatus,
    pub created: Millis,
    pub last_updated: Millis,
}

/// A direct user assignment of an app (`/api/v1/apps/{appId}/users`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppUserAssignment {
    pub user_id: String,
    /// The app-specific username (`credentials.userName`).
    pub user_name: String,
    pub created: Millis,
}

/// A group assignment of an app (`/api/v1/apps/{appId}/groups`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppGroupAssignment {
    pub group_id: String,
    pub priority: i64,
    pub created: Millis,
}

/// A response type Okta accepts for this kind of app. `token` and `id_token` are the implicit
/// flow's, which baton does not serve, except on a service app, where Okta documents
/// `response_types: ["token"]` with `client_credentials` (no flow reads it there).
pub fn check_response_type(application_type: &str, response_type: &str) -> Result<(), String> {
    match response_type {
        "code" => Ok(()),
        "token" | "id_token" if application_type == "service" => Ok(()),
        "token" | "id_token" => Err(format!("'{response_type}' needs the implicit grant, which baton does not serve")),
        other => Err(format!("'{other}' is not a supported response type")),
    }
}
