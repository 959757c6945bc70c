//! OIDC apps of a seed with their client secret, public keys and assignments
//! (okta-surface.md §11.3).

use super::client_keys::{apply_client_keys, draft, KeyOwner};
use super::directory::user_target;
use super::util::{check_id, check_urls, lifecycle_event, non_empty, one_of, parse_enum, pick};
use super::{Outcome, Run};
use crate::audit::Target;
use crate::domain::app::APPLICATION_TYPES;
use crate::domain::ids::{hash_secret, new_id, Prefix};
use crate::domain::{App, AppStatus, AuthMethod, ClientSecret, ConsentMethod};
use crate::oauth::token::registry::app_grant_types;
use crate::seed::schema::AppSpec;
use crate::store::Page;
use anyhow::{bail, Result};
use std::collections::HashSet;
use std::path::Path;

pub(super) fn app_target(app: &App) -> Target {
    Target::new(&app.id, "AppInstance", &app.label, &app.label)
}

fn blank_app(id: String, client_id: String, now: i64) -> App {
    App {
        id,
        client_id,
        label: String::new(),
        status: AppStatus::Active,
        application_type: "web".into(),
        token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
        pkce_required: true,
        consent_method: ConsentMethod::Trusted,
        redirect_uris: Vec::new(),
        post_logout_redirect_uris: Vec::new(),
        response_types: vec!["code".into()],
        grant_types: vec!["authorization_code".into()],
        refresh_rotation: "ROTATE".into(),
        refresh_leeway: 30,
        auto_key_rotation: true,
        created: now,
        last_updated: now,
    }
}

/// Every grant type is one an app may list (okta-surface.md §5.2), as the Management API
/// requires: a grant baton does not serve (`device_code`) is refused, not stored.
fn check_grant_types(grants: &[String], field: &str) -> Result<()> {
    let allowed = app_grant_types();
    for (i, g) in grants.iter().enumerate() {
        if !allowed.contains(&g.as_str()) {
            bail!("{field}[{i}]: \"{g}\" is not a supported grant type; an app may list {}", allowed.join(", "));
        }
    }
    Ok(())
}

/// Sets what the seed states on `app` (fields the seed leaves out keep their value).
fn overlay_app(app: &mut App, spec: &AppSpec, path: &str) -> Result<()> {
    let f = |name: &str| format!("{path}.{name}");
    non_empty(&spec.label, &f("label"))?;
    app.label.clone_from(&spec.label);
    if let Some(s) = &spec.status {
        app.status = parse_enum(s, None, &f("status"))?;
    }
    if let Some(t) = &spec.application_type {
        let types: Vec<&str> = APPLICATION_TYPES.iter().map(|(t, _)| *t).collect();
        app.application_type = one_of(t, &types, &f("applicationType"))?;
    }
    if let Some(m) = &spec.token_endpoint_auth_method {
        app.token_endpoint_auth_method = parse_enum(m, None, &f("tokenEndpointAuthMethod"))?;
    }
    if let Some(p) = spec.pkce_required {
        app.pkce_required = p;
    }
    if let Some(c) = &spec.consent_method {
        app.consent_method = parse_enum(c, None, &f("consentMethod"))?;
    }
    if let Some(a) = spec.auto_key_rotation {
        app.auto_key_rotation = a;
    }
    if let Some(u) = &spec.redirect_uris {
        check_urls(u, &f("redirectUris"))?;
        app.redirect_uris.clone_from(u);
    }
    if let Some(u) = &spec.post_logout_redirect_uris {
        check_urls(u, &f("postLogoutRedirectUris"))?;
        app.post_logout_redirect_uris.clone_from(u);
    }
    if let Some(r) = &spec.response_types {
        for t in r {
            crate::domain::app::check_response_type(&app.application_type, t)
                .map_err(|e| anyhow::anyhow!("{}: {e}", f("responseTypes")))?;
        }
        app.response_types.clone_from(r);
    }
    if let Some(g) = &spec.grant_types {
        check_grant_types(g, &f("grantTypes"))?;
        app.grant_types.clone_from(g);
    }
    if let Some(r) = &spec.refresh_token {
        if let Some(t) = &r.rotation_type {
            app.refresh_rotation = one_of(t, &["ROTATE", "STATIC"], &f("refreshToken.rotationType"))?;
        }
        if let Some(l) = r.leeway {
            if !(0..=60).contains(&l) {
                bail!("{path}.refreshToken.leeway: must be between 0 and 60 seconds");
            }
            app.refresh_leeway = l;
        }
    }
    Ok(())
}

/// Rules on the combination of settings, checked on the app as it will be stored.
fn validate_app(app: &App, spec: &AppSpec, path: &str) -> Result<()> {
    if app.grant_types.is_empty() {
        bail!("{path}.grantTypes: at least one grant type is required");
    }
    if app.token_endpoint_auth_method == AuthMethod::None && !app.pkce_required {
        bail!("{path}.pkceRequired: must be true for tokenEndpointAuthMethod none");
    }
    if app.application_type == "service" && app.token_endpoint_auth_method == AuthMethod::None {
        bail!("{path}.tokenEndpointAuthMethod: service apps cannot use none");
    }
    if app.allows_grant("authorization_code") && app.redirect_uris.is_empty() {
        bail!("{path}.redirectUris: required for the authorization_code grant");
    }
    if spec.client_secret.is_some() && !uses_secret(app.token_endpoint_auth_method) {
        bail!(
            "{path}.clientSecret: not used by tokenEndpointAuthMethod {}",
            crate::domain::TextEnum::as_str(app.token_endpoint_auth_method)
        );
    }
    Ok(())
}

fn uses_secret(m: AuthMethod) -> bool {
    matches!(m, AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost)
}

/// `client_id` rules of okta-surface.md §11.3.
fn check_client_id(client_id: &str, path: &str) -> Result<()> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "$-_.+!*'(),".contains(c);
    if !(6..=100).contains(&client_id.len()) || !client_id.chars().all(ok_char) || client_id == "ALL_CLIENTS" {
        bail!("{path}.clientId: \"{client_id}\" must be 6 to 100 characters of A-Z a-z 0-9 $ - _ . + ! * ' ( ) and not ALL_CLIENTS");
    }
    Ok(())
}

fn seed_client_id(spec: &AppSpec) -> Option<&str> {
    spec.client_id.as_deref().or(spec.id.as_deref())
}

pub(super) fn check_app(spec: &AppSpec, base_dir: &Path, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::App, path)?;
    }
    let Some(client_id) = seed_client_id(spec) else {
        bail!("{path}: give id or clientId, so that the app is found again on the next run");
    };
    check_client_id(client_id, path)?;
    if let Some(secret) = &spec.client_secret {
        non_empty(secret, &format!("{path}.clientSecret"))?;
    }
    overlay_app(&mut blank_app(String::new(), client_id.to_owned(), 0), spec, path)?;
    for (i, k) in spec.jwks.iter().enumerate() {
        draft(base_dir, k, &format!("{path}.jwks[{i}]"))?;
    }
    Ok(())
}

pub(super) async fn apply_app(run: &mut Run<'_>, spec: &AppSpec, path: &str) -> Result<()> {
    let client_id = seed_client_id(spec).unwrap_or_default();
    let by_id = match &spec.id {
        Some(id) => run.store.find_app(id).await?,
        None => None,
    };
    let by_key = run.store.find_app_by_client_id(client_id).await?;
    let existing = pick(path, spec.id.as_deref(), by_id, by_key, |a| &a.id, &format!("client id \"{client_id}\""))?;
    let app = match existing {
        None => create_app(run, spec, path, client_id).await?,
        Some(existing) => update_app(run, spec, path, existing).await?,
    };
    let target = app_target(&app);
    apply_client_keys(run, KeyOwner::App, &app.id, &target, &spec.jwks, &format!("{path}.jwks")).await?;
    if app.token_endpoint_auth_method == AuthMethod::PrivateKeyJwt
        && run.store.list_client_keys(&app.id).await?.is_empty()
    {
        bail!("{path}.jwks: private_key_jwt needs at least one key");
    }
    apply_assignments(run, &app, spec, path).await
}

async fn create_app(run: &mut Run<'_>, spec: &AppSpec, path: &str, client_id: &str) -> Result<App> {
    let now = run.now;
    let id = spec.id.clone().unwrap_or_else(|| new_id(Prefix::App));
    let mut app = blank_app(id, client_id.to_owned(), now);
    overlay_app(&mut app, spec, path)?;
    validate_app(&app, spec, path)?;
    let secrets: Vec<ClientSecret> = spec.client_secret.iter().map(|s| new_secret(&app.id, s, now)).collect();
    if uses_secret(app.token_endpoint_auth_method) && secrets.is_empty() {
        bail!(
            "{path}.clientSecret: required for tokenEndpointAuthMethod {}",
            crate::domain::TextEnum::as_str(app.token_endpoint_auth_method)
        );
    }
    let ev = run.event("application.lifecycle.create", "Add application", &[app_target(&app)]);
    run.store.create_app(&app, &secrets, &[ev]).await?;
    // The app and its secret are two entries, as on later runs.
    for _ in 0..=secrets.len() {
        run.count(Outcome::Created);
    }
    Ok(app)
}

async fn update_app(run: &mut Run<'_>, spec: &AppSpec, path: &str, existing: App) -> Result<App> {
    let mut app = existing.clone();
    overlay_app(&mut app, spec, path)?;
    validate_app(&app, spec, path)?;
    if app == existing {
        run.count(Outcome::Unchanged);
    } else {
        app.last_updated = run.now;
        let target = app_target(&app);
        let mut events =
            vec![run.event("application.lifecycle.update", "Update application", std::slice::from_ref(&target))];
        let active = |a: &App| a.status == AppStatus::Active;
        if let Some(t) = lifecycle_event("application.lifecycle", active(&existing), active(&app)) {
            events.push(run.event(&t, "Application lifecycle change", &[target]));
        }
        run.store.update_app(&app, &events).await?;
        run.count(Outcome::Updated);
    }
    apply_secret(run, &app, spec, path).await?;
    Ok(app)
}

fn new_secret(app_id: &str, secret: &str, now: i64) -> ClientSecret {
    ClientSecret {
        id: new_id(Prefix::ClientSecret),
        app_id: app_id.to_owned(),
        secret_hash: hash_secret(secret),
        status: AppStatus::Active,
        created: now,
        last_updated: now,
    }
}

/// The seed's secret must be an ACTIVE secret of the app; other secrets are left alone.
async fn apply_secret(run: &mut Run<'_>, app: &App, spec: &AppSpec, path: &str) -> Result<()> {
    let secrets = run.store.list_client_secrets(&app.id).await?;
    let target = app_target(app);
    let Some(secret) = &spec.client_secret else {
        if uses_secret(app.token_endpoint_auth_method) && !secrets.iter().any(|s| s.status == AppStatus::Active) {
            bail!("{path}.clientSecret: required, the app has no ACTIVE client secret");
        }
        return Ok(());
    };
    let hash = hash_secret(secret);
    match secrets.iter().find(|s| s.secret_hash == hash) {
        Some(s) if s.status == AppStatus::Active => run.count(Outcome::Unchanged),
        Some(s) => {
            let ev = run.event("application.lifecycle.update", "Update application", &[target]);
            run.store.update_client_secret_status(&s.id, AppStatus::Active, run.now, &[ev]).await?;
            run.count(Outcome::Updated);
        }
        None => {
            let ev = run.event("application.lifecycle.update", "Update application", &[target]);
            run.store.create_client_secret(&new_secret(&app.id, secret, run.now), &[ev]).await?;
            run.count(Outcome::Created);
        }
    }
    Ok(())
}

/// Adds the user and group assignments the seed names that are missing; never removes one.
async fn apply_assignments(run: &mut Run<'_>, app: &App, spec: &AppSpec, path: &str) -> Result<()> {
    let target = app_target(app);
    if !spec.assignments.users.is_empty() {
        let assigned: HashSet<String> =
            run.store.list_app_users(&app.id, &Page::first(i64::MAX)).await?.into_iter().map(|u| u.id).collect();
        for (i, r) in spec.assignments.users.iter().enumerate() {
            let user = run.user_ref(r, &format!("{path}.assignments.users[{i}]")).await?;
            if assigned.contains(&user.id) {
                run.count(Outcome::Unchanged);
                continue;
            }
            let ev = run.event(
                "application.user_membership.add",
                "Add user to application membership",
                &[user_target(&user), target.clone()],
            );
            run.store.assign_user(&app.id, &user.id, user.profile.login(), run.now, &[ev]).await?;
            run.count(Outcome::Created);
        }
    }
    if !spec.assignments.groups.is_empty() {
        let assigned: HashSet<String> = run.store.list_app_groups(&app.id).await?.into_iter().map(|g| g.id).collect();
        for (i, r) in spec.assignments.groups.iter().enumerate() {
            let group = run.group_ref(r, &format!("{path}.assignments.groups[{i}]")).await?;
            if assigned.contains(&group.id) {
                run.count(Outcome::Unchanged);
                continue;
            }
            let group_target = Target::new(&group.id, "UserGroup", &group.name, &group.name);
            let ev = run.event(
                "group.application_assignment.add",
                "Add assigned application to group",
                &[group_target, target.clone()],
            );
            run.store.assign_group(&app.id, &group.id, 0, run.now, &[ev]).await?;
            run.count(Outcome::Created);
        }
    }
    Ok(())
}
