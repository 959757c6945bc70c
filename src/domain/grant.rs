//! Per-grant state: browser sessions, one-time session tokens, authorization codes, refresh
//! token families, issued access tokens, consent, and API tokens. Every secret here is held as
//! its SHA-256 hash (`ids::hash_secret`); the raw value exists only in the response that issued it.

use super::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Public id (`102…`), shown by `/api/v1/sessions/me`.
    pub id: String,
    /// Hash of the cookie value.
    pub token_hash: String,
    pub user_id: String,
    pub created: Millis,
    pub last_seen: Millis,
    pub expires: Millis,
    pub auth_time: Millis,
    pub amr: Vec<String>,
    pub ended: Option<Millis>,
}

/// The one-time `sessionToken` of `/api/v1/authn`, redeemable once at `/authorize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionToken {
    pub token_hash: String,
    pub user_id: String,
    pub created: Millis,
    pub expires: Millis,
}

/// What an authorization code stands for; single use, 300 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub code_hash: String,
    /// Custom AS id, or the org id for the org AS.
    pub auth_server_id: String,
    pub client_id: String,
    pub user_id: String,
    pub session_id: Option<String>,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub auth_time: Millis,
    pub policy_id: Option<String>,
    pub rule_id: Option<String>,
    pub created: Millis,
    pub expires: Millis,
    pub consumed: Option<Millis>,
}

/// A refresh-token family: every rotation of one grant. Revoking it revokes every token in it
/// and every access token issued from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshFamily {
    pub id: String,
    pub auth_server_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scopes: Vec<String>,
    pub policy_id: Option<String>,
    pub rule_id: Option<String>,
    pub session_id: Option<String>,
    /// The authorization code (hash) the family came from, so that code reuse reaches it.
    pub grant_id: Option<String>,
    pub auth_time: Millis,
    pub created: Millis,
    pub last_used: Millis,
    /// End of the family's lifetime; `None` = unlimited.
    pub expires: Option<Millis>,
    /// Idle window: a token unused this long expires.
    pub idle_window_ms: i64,
    pub revoked: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: String,
    pub family_id: String,
    pub created: Millis,
    /// When a newer token replaced this one (rotation); `None` while it is the current one.
    pub rotated: Option<Millis>,
}

/// An issued access (or ID-JAG-redeemed) token, remembered by `jti` so that introspection can
/// report revocation, and code reuse or family revocation can reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenRecord {
    pub jti: String,
    pub auth_server_id: String,
    pub client_id: String,
    pub user_id: Option<String>,
    /// The code hash or refresh family it came from, if any.
    pub grant_id: Option<String>,
    pub created: Millis,
    pub expires: Millis,
    pub revoked: Option<Millis>,
}

/// A remembered consent decision: one per user, client, AS and scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentGrant {
    pub id: String,
    pub user_id: String,
    pub client_id: String,
    pub auth_server_id: String,
    pub scope_id: String,
    pub scope_name: String,
    /// `END_USER` or `ADMIN`.
    pub source: String,
    pub created: Millis,
    pub last_updated: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentRequestStatus {
    Pending,
    Approved,
    Denied,
    /// An approval the user (or an admin) withdrew; later exchanges ask again.
    Revoked,
}

impl super::TextEnum for ConsentRequestStatus {
    const ALL: &'static [(Self, &'static str)] = &[
        (Self::Pending, "PENDING"),
        (Self::Approved, "APPROVED"),
        (Self::Denied, "DENIED"),
        (Self::Revoked, "REVOKED"),
    ];
}

/// Brokered consent (xaa.md §5): an agent asked to act for a user through a connection that
/// requires the user's approval. Once APPROVED it is the remembered approval for (user, X,
/// audience AS, scopes) until REVOKED.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRequest {
    /// `ocr` + 43 base64url characters (256 random bits): the id is the capability in
    /// `consent_uri`, so it is not a guessable 17-character object id.
    pub id: String,
    pub user_id: String,
    /// X, the client that made the exchange.
    pub client_id: String,
    /// A, the current actor (the agent named by `actor_token`, else X).
    pub actor_id: Option<String>,
    /// C, the subject client.
    pub subject_client_id: Option<String>,
    pub connection_id: String,
    pub auth_server_id: String,
    pub scopes: Vec<String>,
    pub status: ConsentRequestStatus,
    pub created: Millis,
    /// End of the pending (or denied) state; an approval outlives it.
    pub expires: Millis,
    pub decided: Option<Millis>,
    pub revoked: Option<Millis>,
}

/// An SSWS API token for the Management API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub user_id: Option<String>,
    pub client_name: String,
    pub token_hash: String,
    /// Super-admin tokens may call every Management API endpoint.
    pub super_admin: bool,
    pub created: Millis,
    pub last_updated: Millis,
    pub expires: Option<Millis>,
    pub last_used: Option<Millis>,
    /// ISO 8601 duration of idle expiry, e.g. `P30D`.
    pub token_window: String,
}
