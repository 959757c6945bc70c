//! Builders the policy unit tests share (`user_access`, its JWT-bearer evaluator, the access
//! graph): plain domain values with every field not under test at its zero.

use crate::domain::{Scope, User, UserProfile, UserStatus};

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// An ACTIVE user `id` with an empty profile.
pub fn user(id: &str) -> User {
    User {
        id: id.into(),
        status: UserStatus::Active,
        profile: UserProfile::default(),
        password_hash: None,
        created: 0,
        activated: None,
        status_changed: None,
        last_login: None,
        last_updated: 0,
        password_changed: None,
    }
}

/// A custom (not system), non-default, IMPLICIT scope `name` of server `aus`.
pub fn scope(name: &str) -> Scope {
    Scope::custom(format!("scp_{name}"), "aus", name, 0)
}
