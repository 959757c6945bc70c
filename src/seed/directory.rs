//! The directory part of a seed: the org's company name, groups, users (with Argon2id
//! passwords and group memberships) and API tokens (okta-surface.md §10, §11.0–§11.2).

use super::util::{check_id, non_empty, parse_enum, pick};
use super::{Outcome, Run};
use crate::audit::Target;
use crate::bootstrap::ADMIN_TOKEN_NAME;
use crate::domain::ids::{hash_secret, new_id, Prefix};
use crate::domain::{ApiToken, Group, GroupType, User, UserProfile, UserStatus};
use crate::seed::schema::{ApiTokenSpec, GroupSpec, OrgSpec, UserSpec};
use anyhow::{anyhow, bail, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use serde_json::Value;
use std::collections::HashSet;

pub(super) fn user_target(u: &User) -> Target {
    Target::new(&u.id, "User", u.profile.login(), &u.profile.display_name())
}

fn group_target(g: &Group) -> Target {
    Target::new(&g.id, "UserGroup", &g.name, &g.name)
}

pub(super) async fn apply_org(run: &mut Run<'_>, spec: &OrgSpec) -> Result<()> {
    let Some(name) = &spec.company_name else { return Ok(()) };
    let current = run.store.find_org().await?.unwrap_or_else(|| run.org.clone());
    if current.company_name == *name {
        run.count(Outcome::Unchanged);
        return Ok(());
    }
    let next = crate::domain::Org { company_name: name.clone(), last_updated: run.now, ..current };
    run.store.update_org(&next, &[]).await?;
    run.count(Outcome::Updated);
    Ok(())
}

pub(super) fn check_org(spec: &OrgSpec) -> Result<()> {
    if let Some(name) = &spec.company_name {
        non_empty(name, "org.companyName")?;
    }
    Ok(())
}

pub(super) fn check_group(spec: &GroupSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::Group, path)?;
    }
    non_empty(&spec.name, &format!("{path}.name"))
}

pub(super) async fn apply_group(run: &mut Run<'_>, spec: &GroupSpec, path: &str) -> Result<()> {
    let by_id = match &spec.id {
        Some(id) => run.store.find_group(id).await?,
        None => None,
    };
    let by_name = run.store.find_group_by_name(&spec.name).await?;
    let existing = pick(path, spec.id.as_deref(), by_id, by_name, |g| &g.id, &format!("group name \"{}\"", spec.name))?;
    let Some(existing) = existing else {
        let now = run.now;
        let group = Group {
            id: spec.id.clone().unwrap_or_else(|| new_id(Prefix::Group)),
            group_type: GroupType::OktaGroup,
            name: spec.name.clone(),
            description: spec.description.clone(),
            created: now,
            last_updated: now,
            last_membership_updated: now,
        };
        let ev = run.event("group.lifecycle.create", "Create Okta group", &[group_target(&group)]);
        run.store.create_group(&group, &[ev]).await?;
        run.count(Outcome::Created);
        return Ok(());
    };
    if existing.group_type == GroupType::BuiltIn {
        bail!("{path}: \"{}\" is the built-in group that holds every user; it cannot be seeded", existing.name);
    }
    let mut next = existing.clone();
    next.name.clone_from(&spec.name);
    if spec.description.is_some() {
        next.description.clone_from(&spec.description);
    }
    if next == existing {
        run.count(Outcome::Unchanged);
        return Ok(());
    }
    next.last_updated = run.now;
    let ev = run.event("group.profile.update", "Update Okta group profile", &[group_target(&next)]);
    run.store.update_group(&next, &[ev]).await?;
    run.count(Outcome::Updated);
    Ok(())
}

fn blank_user(id: String, now: i64) -> User {
    User {
        id,
        status: UserStatus::Active,
        profile: UserProfile::default(),
        password_hash: None,
        created: now,
        activated: None,
        status_changed: None,
        last_login: None,
        last_updated: now,
        password_changed: None,
    }
}

/// Sets what the seed states on `user`: status and the profile keys it names (other stored
/// profile keys are kept).
fn overlay_user(user: &mut User, spec: &UserSpec, path: &str) -> Result<()> {
    if let Some(s) = &spec.status {
        user.status = parse_enum(s, None, &format!("{path}.status"))?;
    }
    for (k, v) in &spec.profile {
        user.profile.0.insert(k.clone(), v.clone());
    }
    check_profile(&user.profile, path)
}

/// Required profile attributes and their lengths (okta-surface.md §11.1).
fn check_profile(profile: &UserProfile, path: &str) -> Result<()> {
    for (key, min, max) in [("login", 5, 100), ("email", 5, 100), ("firstName", 1, 50), ("lastName", 1, 50)] {
        match profile.0.get(key) {
            Some(Value::String(s)) if (min..=max).contains(&s.chars().count()) => {}
            Some(Value::String(_)) => bail!("{path}.profile.{key}: must be {min} to {max} characters long"),
            Some(_) => bail!("{path}.profile.{key}: must be a string"),
            None => bail!("{path}.profile.{key}: required"),
        }
    }
    if !profile.email().contains('@') {
        bail!("{path}.profile.email: \"{}\" is not an email address", profile.email());
    }
    Ok(())
}

pub(super) fn check_user(spec: &UserSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::User, path)?;
    }
    if let Some(pw) = &spec.password {
        if pw.chars().count() < 8 {
            bail!("{path}.password: must be at least 8 characters long");
        }
    }
    overlay_user(&mut blank_user(String::new(), 0), spec, path)
}

/// The seed's login, once `check_user` has passed.
pub(super) fn seed_login(spec: &UserSpec) -> &str {
    spec.profile.get("login").and_then(Value::as_str).unwrap_or_default()
}

pub(super) async fn apply_user(run: &mut Run<'_>, spec: &UserSpec, path: &str) -> Result<()> {
    let login = seed_login(spec);
    let by_id = match &spec.id {
        Some(id) => run.store.find_user(id).await?,
        None => None,
    };
    let by_login = run.store.find_user_by_login(login).await?;
    let existing = pick(path, spec.id.as_deref(), by_id, by_login, |u| &u.id, &format!("login \"{login}\""))?;
    let user = match existing {
        None => create_user(run, spec, path).await?,
        Some(existing) => update_user(run, spec, path, existing).await?,
    };
    apply_memberships(run, &user, &spec.groups, path).await
}

async fn create_user(run: &mut Run<'_>, spec: &UserSpec, path: &str) -> Result<User> {
    let now = run.now;
    let mut user = blank_user(spec.id.clone().unwrap_or_else(|| new_id(Prefix::User)), now);
    overlay_user(&mut user, spec, path)?;
    if user.status == UserStatus::Active {
        user.activated = Some(now);
        user.status_changed = Some(now);
    }
    if let Some(pw) = &spec.password {
        user.password_hash = Some(hash_password(pw).await?);
        user.password_changed = Some(now);
    }
    let ev = run.event("user.lifecycle.create", "Create Okta user", &[user_target(&user)]);
    run.store.create_user(&user, &[], &[ev]).await?;
    run.count(Outcome::Created);
    Ok(user)
}

async fn update_user(run: &mut Run<'_>, spec: &UserSpec, path: &str, existing: User) -> Result<User> {
    let now = run.now;
    let mut user = existing.clone();
    overlay_user(&mut user, spec, path)?;
    let mut events = Vec::new();
    let target = user_target(&user);
    if let Some(pw) = &spec.password {
        // Keep a hash that already verifies: re-hashing on every start would change the row.
        if !password_matches(existing.password_hash.as_deref(), pw).await? {
            user.password_hash = Some(hash_password(pw).await?);
            user.password_changed = Some(now);
            events.push(run.event(
                "user.account.update_password",
                "User update password for Okta",
                std::slice::from_ref(&target),
            ));
        }
    }
    if user.profile != existing.profile {
        events.push(run.event(
            "user.account.update_profile",
            "Update user profile for Okta",
            std::slice::from_ref(&target),
        ));
    }
    if user.status != existing.status {
        user.status_changed = Some(now);
        if user.status == UserStatus::Active && user.activated.is_none() {
            user.activated = Some(now);
        }
        let (event_type, message) = status_event(existing.status, user.status);
        events.push(run.event(event_type, message, &[target]));
    }
    if events.is_empty() {
        run.count(Outcome::Unchanged);
        return Ok(existing);
    }
    user.last_updated = now;
    run.store.update_user(&user, &events).await?;
    if existing.is_active() && !user.is_active() {
        // Leaving ACTIVE ends the user's sessions (okta-surface.md §11.1).
        run.store.end_user_sessions(&user.id, now, &[]).await?;
    }
    run.count(Outcome::Updated);
    Ok(user)
}

fn status_event(from: UserStatus, to: UserStatus) -> (&'static str, &'static str) {
    match (from, to) {
        (UserStatus::Suspended, UserStatus::Active) => ("user.lifecycle.unsuspend", "Unsuspend Okta user"),
        (UserStatus::LockedOut, UserStatus::Active) => ("user.account.unlock", "Unlock user account"),
        (_, UserStatus::LockedOut) => ("user.account.lock", "Max sign in attempts exceeded"),
        (_, UserStatus::Active) => ("user.lifecycle.activate", "Activate Okta user"),
        (_, UserStatus::Suspended) => ("user.lifecycle.suspend", "Suspend Okta user"),
        (_, UserStatus::Deprovisioned) => ("user.lifecycle.deactivate", "Deactivate Okta user"),
        _ => ("user.account.update_profile", "Update user profile for Okta"),
    }
}

/// Adds the memberships the seed names that are missing; never removes one. The built-in
/// `Everyone` group holds every user implicitly, so naming it changes nothing.
async fn apply_memberships(run: &mut Run<'_>, user: &User, groups: &[String], path: &str) -> Result<()> {
    if groups.is_empty() {
        return Ok(());
    }
    let current: HashSet<String> = run.store.list_user_groups(&user.id).await?.into_iter().map(|g| g.id).collect();
    for (i, r) in groups.iter().enumerate() {
        let group = run.group_ref(r, &format!("{path}.groups[{i}]")).await?;
        if group.group_type == GroupType::BuiltIn || current.contains(&group.id) {
            run.count(Outcome::Unchanged);
            continue;
        }
        let ev = run.event(
            "group.user_membership.add",
            "Add user to group membership",
            &[user_target(user), group_target(&group)],
        );
        run.store.add_group_member(&group.id, &user.id, run.now, &[ev]).await?;
        run.count(Outcome::Created);
    }
    Ok(())
}

/// Argon2id with the crate's default parameters and a random salt, as a PHC string.
async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow!("password salt: {e}"))?;
        let hash =
            Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| anyhow!("password hash: {e}"))?;
        Ok(hash.to_string())
    })
    .await?
}

async fn password_matches(hash: Option<&str>, password: &str) -> Result<bool> {
    let Some(hash) = hash.map(str::to_owned) else { return Ok(false) };
    let password = password.to_owned();
    Ok(tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await?)
}

pub(super) fn check_api_token(spec: &ApiTokenSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::ApiToken, path)?;
    }
    non_empty(&spec.name, &format!("{path}.name"))?;
    if spec.name == ADMIN_TOKEN_NAME {
        bail!("{path}.name: \"{ADMIN_TOKEN_NAME}\" is reserved for the token set by the environment variable of that name");
    }
    non_empty(&spec.token, &format!("{path}.token"))
}

pub(super) async fn apply_api_token(run: &mut Run<'_>, spec: &ApiTokenSpec, path: &str) -> Result<()> {
    let by_id = match &spec.id {
        Some(id) => run.store.find_api_token(id).await?,
        None => None,
    };
    let by_name = run.store.find_api_token_by_name(&spec.name).await?;
    let existing =
        pick(path, spec.id.as_deref(), by_id, by_name, |t| &t.id, &format!("API token name \"{}\"", spec.name))?;
    let hash = hash_secret(&spec.token);
    if let Some(other) = run.store.find_api_token_by_hash(&hash).await? {
        if existing.as_ref().is_none_or(|e| e.id != other.id) {
            bail!("{path}.token: this value is already the API token \"{}\"", other.name);
        }
    }
    let now = run.now;
    let Some(existing) = existing else {
        let token = ApiToken {
            id: spec.id.clone().unwrap_or_else(|| new_id(Prefix::ApiToken)),
            name: spec.name.clone(),
            user_id: None,
            client_name: "baton seed".into(),
            token_hash: hash,
            super_admin: true,
            created: now,
            last_updated: now,
            expires: None,
            last_used: None,
            token_window: "P30D".into(),
        };
        let ev = run.event("system.api_token.create", "Create API token", &[token_target(&token)]);
        run.store.create_api_token(&token, &[ev]).await?;
        run.count(Outcome::Created);
        return Ok(());
    };
    let next = ApiToken { name: spec.name.clone(), token_hash: hash, super_admin: true, ..existing.clone() };
    if next == existing {
        run.count(Outcome::Unchanged);
        return Ok(());
    }
    let next = ApiToken { last_updated: now, ..next };
    let ev = run.event("system.api_token.update", "Update API token", &[token_target(&next)]);
    run.store.update_api_token(&next, &[ev]).await?;
    run.count(Outcome::Updated);
    Ok(())
}

fn token_target(t: &ApiToken) -> Target {
    Target::new(&t.id, "Token", &t.name, &t.name)
}
