//! The Okta User and Group JSON shapes (okta-surface.md §11.1, §11.2) and the System Log
//! targets naming them.

use super::super::paging::{action, href};
use crate::audit::Target;
use crate::clock::iso8601;
use crate::domain::{Group, GroupType, TextEnum, User, UserStatus};
use serde_json::{json, Map, Value};

/// `{base}/api/v1/users/{id}`, the canonical URL of a user (never its login).
#[must_use]
pub fn user_url(base: &str, id: &str) -> String {
    format!("{base}/api/v1/users/{id}")
}

/// The Okta User object, with `_links` for the lifecycle operations valid in its status.
#[must_use]
pub fn user(base: &str, u: &User) -> Value {
    let url = user_url(base, &u.id);
    let mut links = Map::new();
    links.insert("self".into(), href(&url));
    let lifecycle = |op: &str| action(format!("{url}/lifecycle/{op}"), "POST");
    match u.status {
        UserStatus::Staged | UserStatus::Provisioned => {
            links.insert("activate".into(), lifecycle("activate"));
            links.insert("deactivate".into(), lifecycle("deactivate"));
        }
        UserStatus::Active => {
            links.insert("suspend".into(), lifecycle("suspend"));
            links.insert("deactivate".into(), lifecycle("deactivate"));
        }
        UserStatus::LockedOut => {
            links.insert("unlock".into(), lifecycle("unlock"));
            links.insert("deactivate".into(), lifecycle("deactivate"));
        }
        UserStatus::Suspended => {
            links.insert("unsuspend".into(), lifecycle("unsuspend"));
            links.insert("deactivate".into(), lifecycle("deactivate"));
        }
        UserStatus::Deprovisioned => {
            links.insert("activate".into(), lifecycle("activate"));
            links.insert("delete".into(), action(&url, "DELETE"));
        }
    }
    let mut credentials = Map::new();
    if u.password_hash.is_some() {
        credentials.insert("password".into(), json!({}));
    }
    credentials.insert("provider".into(), json!({"type": "OKTA", "name": "OKTA"}));
    json!({
        "id": u.id,
        "status": u.status.as_str(),
        "created": iso8601(u.created),
        "activated": u.activated.map(iso8601),
        "statusChanged": u.status_changed.map(iso8601),
        "lastLogin": u.last_login.map(iso8601),
        "lastUpdated": iso8601(u.last_updated),
        "passwordChanged": u.password_changed.map(iso8601),
        "profile": u.profile,
        "credentials": credentials,
        "_links": links,
    })
}

/// The System Log target of a user.
#[must_use]
pub fn user_target(u: &User) -> Target {
    Target::new(&u.id, "User", u.profile.login(), &u.profile.display_name())
}

/// `{base}/api/v1/groups/{id}`.
#[must_use]
pub fn group_url(base: &str, id: &str) -> String {
    format!("{base}/api/v1/groups/{id}")
}

/// The Okta Group object.
#[must_use]
pub fn group(base: &str, g: &Group) -> Value {
    let url = group_url(base, &g.id);
    let description = match (&g.description, g.group_type) {
        (Some(d), _) => Value::String(d.clone()),
        (None, GroupType::BuiltIn) => json!("All users in your organization"),
        (None, GroupType::OktaGroup) => Value::Null,
    };
    json!({
        "id": g.id,
        "created": iso8601(g.created),
        "lastUpdated": iso8601(g.last_updated),
        "lastMembershipUpdated": iso8601(g.last_membership_updated),
        "objectClass": ["okta:user_group"],
        "type": g.group_type.as_str(),
        "profile": {"name": g.name, "description": description},
        "_links": {
            "self": href(&url),
            "users": href(format!("{url}/users")),
            "apps": href(format!("{url}/apps")),
        },
    })
}

/// The System Log target of a group.
#[must_use]
pub fn group_target(g: &Group) -> Target {
    Target::new(&g.id, "UserGroup", &g.name, &g.name)
}
