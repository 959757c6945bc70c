//! The org, users and groups (okta-surface.md §11.0–§11.2).

use super::{Millis, TextEnum};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: String,
    pub company_name: String,
    pub subdomain: String,
    pub created: Millis,
    pub last_updated: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Staged,
    Provisioned,
    Active,
    Suspended,
    Deprovisioned,
    /// Too many failed sign-ins (the password policy's lockout): password sign-in is refused
    /// until an admin unlocks the user (or the auto-unlock period passes). Sessions and tokens
    /// the user already holds stay valid, as in Okta: a lockout an attacker can cause must not
    /// also revoke the victim's access.
    LockedOut,
}

impl TextEnum for UserStatus {
    const ALL: &'static [(Self, &'static str)] = &[
        (Self::Staged, "STAGED"),
        (Self::Provisioned, "PROVISIONED"),
        (Self::Active, "ACTIVE"),
        (Self::Suspended, "SUSPENDED"),
        (Self::Deprovisioned, "DEPROVISIONED"),
        (Self::LockedOut, "LOCKED_OUT"),
    ];
}

/// An Okta user profile: `login`, `email`, `firstName`, `lastName` plus any custom attribute,
/// kept as one JSON object so custom attributes survive round trips unchanged.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct UserProfile(pub Map<String, Value>);

impl UserProfile {
    #[must_use]
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    #[must_use]
    pub fn login(&self) -> &str {
        self.get_str("login").unwrap_or_default()
    }

    #[must_use]
    pub fn email(&self) -> &str {
        self.get_str("email").unwrap_or_default()
    }

    /// `displayName`, else `firstName lastName` (the OIDC `name` claim, okta-surface.md §7.3).
    #[must_use]
    pub fn display_name(&self) -> String {
        if let Some(name) = self.get_str("displayName").filter(|s| !s.is_empty()) {
            return name.to_owned();
        }
        let parts: Vec<&str> = ["firstName", "lastName"].iter().filter_map(|k| self.get_str(k)).collect();
        parts.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub status: UserStatus,
    pub profile: UserProfile,
    /// Argon2id PHC string; never leaves the store except to be verified.
    pub password_hash: Option<String>,
    pub created: Millis,
    pub activated: Option<Millis>,
    pub status_changed: Option<Millis>,
    pub last_login: Option<Millis>,
    pub last_updated: Millis,
    pub password_changed: Option<Millis>,
}

impl User {
    /// The user may act: hold sessions and tokens, be a token's subject. A `LOCKED_OUT` user
    /// still may; only their password sign-in is refused.
    #[must_use]
    pub fn is_active(&self) -> bool {
        matches!(self.status, UserStatus::Active | UserStatus::LockedOut)
    }

    /// Moves the user to `status` at `now` (its `statusChanged` and `lastUpdated`).
    pub fn set_status(&mut self, status: UserStatus, now: Millis) {
        self.status = status;
        self.status_changed = Some(now);
        self.last_updated = now;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupType {
    OktaGroup,
    BuiltIn,
}

impl TextEnum for GroupType {
    const ALL: &'static [(Self, &'static str)] = &[(Self::OktaGroup, "OKTA_GROUP"), (Self::BuiltIn, "BUILT_IN")];
}

/// Name of the built-in group that implicitly holds every user (`EVERYONE` in rules).
pub const EVERYONE: &str = "Everyone";

/// The group whose ACTIVE members administer the org (and own API tokens that work).
pub const ADMINISTRATORS_GROUP: &str = "Administrators";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub group_type: GroupType,
    pub name: String,
    pub description: Option<String>,
    pub created: Millis,
    pub last_updated: Millis,
    pub last_membership_updated: Millis,
}
