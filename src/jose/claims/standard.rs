//! The standard OIDC claims of `/userinfo` (okta-surface.md §6.3), mapped from the Okta user
//! profile by the table in §7.3 and emitted in that table's order. Absent or empty profile
//! values are omitted, never `null`.

use super::{insert_str, ClaimError, MAX_GROUPS};
use crate::domain::{Group, User, UserProfile};
use serde_json::{json, Map, Value};

/// `profile`-scope claims after `name`: (claim, profile attribute), in the §7.3 table's order.
const PROFILE_CLAIMS: &[(&str, &str)] = &[
    ("given_name", "firstName"),
    ("middle_name", "middleName"),
    ("family_name", "lastName"),
    ("nickname", "nickName"),
    ("preferred_username", "login"),
    ("profile", "profileUrl"),
    ("zoneinfo", "timezone"),
    ("locale", "locale"),
];

/// `address` members: (claim, profile attribute).
const ADDRESS_CLAIMS: &[(&str, &str)] = &[
    ("street_address", "streetAddress"),
    ("locality", "city"),
    ("region", "state"),
    ("postal_code", "zipCode"),
    ("country", "countryCode"),
];

/// `sub` (the user id) and the standard claims of the granted scopes. `groups` (the names of
/// `groups`) is an org-AS claim, only with the `groups` scope. Custom IDENTITY claims are added
/// by the caller (`evaluate_claims` without `for_id_token`, then `merge_custom`).
pub fn userinfo_claims(
    user: &User,
    groups: &[Group],
    scopes: &[String],
    org_as: bool,
) -> Result<Map<String, Value>, ClaimError> {
    let profile = &user.profile;
    let has = |s: &str| scopes.iter().any(|g| g == s);
    let mut m = Map::new();
    m.insert("sub".into(), json!(user.id));
    if has("profile") {
        insert_str(&mut m, "name", &profile.display_name());
        for (claim, attr) in PROFILE_CLAIMS {
            insert_str(&mut m, claim, attr_str(profile, attr));
        }
        // Okta's `updated_at` is the profile's `lastUpdated`, in epoch seconds.
        m.insert("updated_at".into(), json!(user.last_updated.div_euclid(1000)));
    }
    if has("email") && !profile.email().is_empty() {
        m.insert("email".into(), json!(profile.email()));
        m.insert("email_verified".into(), json!(true));
    }
    if has("address") {
        let mut address = Map::new();
        for (claim, attr) in ADDRESS_CLAIMS {
            insert_str(&mut address, claim, attr_str(profile, attr));
        }
        if !address.is_empty() {
            m.insert("address".into(), Value::Object(address));
        }
    }
    if has("phone") {
        insert_str(&mut m, "phone_number", attr_str(profile, "mobilePhone"));
    }
    if org_as && has("groups") {
        m.insert("groups".into(), group_names(groups)?);
    }
    Ok(m)
}

/// The names of `groups` as a JSON array; more than `MAX_GROUPS` fails the request (§7.3).
pub(super) fn group_names(groups: &[Group]) -> Result<Value, ClaimError> {
    if groups.len() > MAX_GROUPS {
        return Err(ClaimError::TooManyGroups { claim: "groups".into(), count: groups.len() });
    }
    Ok(json!(groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>()))
}

fn attr_str<'a>(profile: &'a UserProfile, attr: &str) -> &'a str {
    profile.get_str(attr).unwrap_or_default()
}
