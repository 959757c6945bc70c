//! Entities of the baton domain and their identifiers, as Okta shapes them (okta-surface.md
//! §11, §13; xaa.md §1.4). Pure data: no I/O, no axum, no sqlx. Times are Unix milliseconds
//! (`Millis`); JWT times are derived from them in `jose`.

pub mod agent;
pub mod app;
pub mod auth_server;
pub mod grant;
pub mod grant_type;
pub mod ids;
pub mod log;
pub mod user;

pub use agent::{Agent, AgentStatus, ConnectionStatus, DelegationLink, LinkTokenType, Operation, ResourceConnection};
pub use app::{App, AppStatus, AuthMethod, ClientKey, ClientSecret, ConsentMethod, KeyStatus as ClientKeyStatus};
pub use auth_server::{
    AuthServer, Claim, ClaimType, ClaimValueType, ConsentType, Policy, PolicyRule, RuleConditions, Scope, SigningAlg,
    SigningKey, SigningKeyStatus, TokenLifetimes, TrustedIssuer,
};
pub use grant::{
    AccessTokenRecord, ApiToken, AuthorizationCode, ConsentGrant, ConsentRequest, ConsentRequestStatus, RefreshFamily,
    RefreshToken, Session, SessionToken,
};
pub use log::LogRecord;
pub use user::{Group, GroupType, Org, User, UserProfile, UserStatus};

/// Unix time in milliseconds. Every stored time uses it; JSON renders it as ISO 8601 with ms.
pub type Millis = i64;

/// Generic ACTIVE/INACTIVE status shared by policies, rules, claims, servers and secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Active,
    Inactive,
}

/// Enums stored as TEXT: one place that maps them to and from their Okta spelling.
pub trait TextEnum: Sized + Copy + 'static {
    const ALL: &'static [(Self, &'static str)];

    fn as_str(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::ALL.iter().find(|(v, _)| *v == self).map_or("", |(_, s)| s)
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, name)| *name == s).map(|(v, _)| *v)
    }
}

impl TextEnum for Status {
    const ALL: &'static [(Self, &'static str)] = &[(Self::Active, "ACTIVE"), (Self::Inactive, "INACTIVE")];
}
