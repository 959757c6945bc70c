//! Builders the policy unit tests share (`user_access`, its JWT-bearer evaluator, the access
//! graph): plain domain values with every field not under test at its zero.

use crate::domain::{ConsentType, Scope, User, UserProfile, UserStatus};

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
    Scope {
        id: format!("scp_{name}"),
        auth_server_id: "aus".into(),
        name: name.into(),
        description: None,
        display_name: None,
        system: false,
        default: false,
        optional: false,
        consent: ConsentType::Implicit,
        metadata_publish: "NO_CLIENTS".into(),
        created: 0,
        last_updated: 0,
    }
}
