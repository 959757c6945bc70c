//! First start and every start after it: the org, the built-in `Everyone` group, the `default`
//! custom AS with its Default Policy and rule, signing keys for every AS, and the admin API
//! token from `BATON_ADMIN_API_TOKEN`. Each step only creates what is missing, so a restart
//! keeps ids and keys.

use crate::audit::{Actor, Context, Event, Target};
use crate::domain::auth_server::{IncludeOnly, People, SYSTEM_SCOPES};
use crate::domain::ids::{hash_secret, new_id, Prefix};
use crate::domain::{
    ApiToken, AuthServer, Group, GroupType, LogRecord, Millis, Org, Policy, PolicyRule, RuleConditions, Scope,
    SigningAlg, SigningKeyStatus, User, UserProfile, UserStatus,
};
use crate::jose::keys::KeyMaterial;
use crate::jose::KeyRing;
use crate::oauth::token::registry::rule_grant_types;
use crate::store::{Page, Store};

pub const DEFAULT_AS: &str = "default";
pub const ADMIN_TOKEN_NAME: &str = "BATON_ADMIN_API_TOKEN";
/// Display name of the org authorization server in logs and the console.
pub const ORG_AS_NAME: &str = "org";

/// Signing keys a seed pins for the servers bootstrap creates (`orgSigningKeys` and the
/// `default` entry's `signingKeys`), read before bootstrap so that a fresh database starts with
/// them instead of generated keys (RSA generation is most of a cold start). Each list holds the
/// ACTIVE key first and at most one NEXT key; empty means "generate".
#[derive(Default)]
pub struct PinnedKeys {
    pub org: Vec<(KeyMaterial, SigningKeyStatus)>,
    pub default_as: Vec<(KeyMaterial, SigningKeyStatus)>,
}

/// Runs every first-start step that is still missing; returns the org.
pub async fn bootstrap(
    store: &dyn Store,
    keys: &KeyRing,
    issuer: &str,
    admin_token: Option<&str>,
    now: Millis,
) -> anyhow::Result<Org> {
    bootstrap_with(store, keys, issuer, admin_token, &PinnedKeys::default(), now).await
}

/// `bootstrap`, giving a server that has no keys yet the `pinned` ones.
pub async fn bootstrap_with(
    store: &dyn Store,
    keys: &KeyRing,
    issuer: &str,
    admin_token: Option<&str>,
    pinned: &PinnedKeys,
    now: Millis,
) -> anyhow::Result<Org> {
    let org = if let Some(org) = store.find_org().await? {
        org
    } else {
        let host = url::Url::parse(issuer).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        let org = Org {
            id: new_id(Prefix::Org),
            company_name: "baton".into(),
            subdomain: host,
            created: now,
            last_updated: now,
        };
        store.create_org(&org, &[]).await?;
        org
    };
    if !pinned.org.is_empty() && store.list_signing_keys(&org.id).await?.is_empty() {
        for key in keys.initial_keys_from(&org.id, SigningAlg::Rs256, &pinned.org, now).await? {
            store.create_signing_key(&key, &[]).await?;
        }
    }
    keys.ensure_keys(store, &org.id, SigningAlg::Rs256, now).await?;
    if store.find_group_by_name(crate::domain::user::EVERYONE).await?.is_none() {
        let group = Group {
            id: new_id(Prefix::Group),
            group_type: GroupType::BuiltIn,
            name: crate::domain::user::EVERYONE.into(),
            description: Some("All users in your organization".into()),
            created: now,
            last_updated: now,
            last_membership_updated: now,
        };
        store.create_group(&group, &[]).await?;
    }
    if store.find_auth_server(DEFAULT_AS).await?.is_none() {
        create_default_server(store, keys, &pinned.default_as, now).await?;
    }
    for server in store.list_auth_servers(&Page::first(i64::MAX)).await? {
        keys.ensure_keys(store, &server.id, server.signing_alg, now).await?;
    }
    if let Some(token) = admin_token {
        upsert_admin_token(store, token, now).await?;
    }
    Ok(org)
}

/// The system scopes every new custom AS starts with.
#[must_use]
pub fn system_scopes(auth_server_id: &str, now: Millis) -> Vec<Scope> {
    SYSTEM_SCOPES
        .iter()
        .map(|name| Scope::system(new_id(Prefix::Scope), auth_server_id, name, system_scope_description(name), now))
        .collect()
}

fn system_scope_description(name: &str) -> &'static str {
    match name {
        "openid" => "Signals that a request is an OpenID request.",
        "profile" => "Allows access to the end user's default profile claims.",
        "email" => "Allows access to the end user's email address.",
        "address" => "Allows access to the end user's address.",
        "phone" => "Allows access to the end user's phone number.",
        _ => "Allows the client to obtain refresh tokens.",
    }
}

async fn create_default_server(
    store: &dyn Store,
    keys: &KeyRing,
    pinned: &[(KeyMaterial, SigningKeyStatus)],
    now: Millis,
) -> anyhow::Result<()> {
    let server = AuthServer {
        description: Some("Default Authorization Server".into()),
        audiences: vec!["api://default".into()],
        ..AuthServer::new(DEFAULT_AS.into(), "default", now)
    };
    let initial_keys = keys.initial_keys_from(DEFAULT_AS, SigningAlg::Rs256, pinned, now).await?;
    store.create_auth_server(&server, &system_scopes(DEFAULT_AS, now), &initial_keys, &[]).await?;
    let policy = Policy {
        description: Some("Default policy for the default authorization server".into()),
        clients: vec!["ALL_CLIENTS".into()],
        ..Policy::new(new_id(Prefix::Policy), DEFAULT_AS, "Default Policy", 1, now)
    };
    store.create_policy(&policy, &[]).await?;
    let rule = PolicyRule {
        conditions: RuleConditions {
            people: People::everyone(),
            // Okta's Default Policy Rule names every grant type a rule may (okta-surface.md §1).
            grant_types: IncludeOnly { include: rule_grant_types().into_iter().map(str::to_owned).collect() },
            scopes: IncludeOnly { include: vec!["*".into()] },
        },
        ..PolicyRule::new(new_id(Prefix::Rule), &policy.id, DEFAULT_AS, "Default Policy Rule", 1, now)
    };
    store.create_rule(&rule, &[]).await?;
    Ok(())
}

/// Creates or updates the super-admin token whose value is exactly `BATON_ADMIN_API_TOKEN`.
async fn upsert_admin_token(store: &dyn Store, token: &str, now: Millis) -> anyhow::Result<()> {
    let hash = hash_secret(token);
    let ctx = Context::system();
    match store.find_api_token_by_name(ADMIN_TOKEN_NAME).await? {
        Some(existing) if existing.token_hash == hash => {}
        Some(mut existing) => {
            existing.token_hash = hash;
            existing.last_updated = now;
            store.update_api_token(&existing, &[]).await?;
        }
        None => {
            let api_token = ApiToken {
                id: new_id(Prefix::ApiToken),
                name: ADMIN_TOKEN_NAME.into(),
                user_id: None,
                client_name: "baton".into(),
                token_hash: hash,
                super_admin: true,
                created: now,
                last_updated: now,
                expires: None,
                last_used: None,
                token_window: "P30D".into(),
            };
            let event = Event::new("system.api_token.create", "Create API token", Actor::system())
                .target(Target::new(&api_token.id, "Token", &api_token.name, &api_token.name))
                .build(&ctx, now);
            store.create_api_token(&api_token, &[event]).await?;
        }
    }
    Ok(())
}

pub use crate::config::DEFAULT_ADMIN_LOGIN;

/// The bootstrap admin (`BATON_ADMIN_LOGIN` / `BATON_ADMIN_PASSWORD`): an ACTIVE user with
/// exactly this password, member of the `Administrators` group (created when missing). Each
/// change is logged with the system as actor; a restart with nothing to change writes nothing.
pub async fn ensure_admin_user(store: &dyn Store, login: &str, password: &str, now: Millis) -> anyhow::Result<()> {
    let user = match store.find_user_by_login(login).await? {
        Some(user) => update_admin(store, user, password, now).await?,
        None => create_admin(store, login, password, now).await?,
    };
    let group = ensure_admins_group(store, now).await?;
    if !store.list_user_groups(&user.id).await?.iter().any(|g| g.id == group.id) {
        let targets = [admin_target(&user), Target::new(&group.id, "UserGroup", &group.name, &group.name)];
        let event = system_event("group.user_membership.add", "Add user to group membership", &targets, now);
        store.add_group_member(&group.id, &user.id, now, &[event]).await?;
    }
    Ok(())
}

/// An event with the system as actor.
fn system_event(kind: &str, message: &str, targets: &[Target], now: Millis) -> LogRecord {
    targets
        .iter()
        .fold(Event::new(kind, message, Actor::system()), |e, t| e.target(t.clone()))
        .build(&Context::system(), now)
}

fn admin_target(u: &User) -> Target {
    Target::new(&u.id, "User", u.profile.login(), &u.profile.display_name())
}

async fn hash_password(password: &str) -> anyhow::Result<String> {
    crate::authn::password::hash(password.to_owned())
        .await
        .ok_or_else(|| anyhow::anyhow!("hashing the admin password failed"))
}

/// The existing admin user with exactly `password`, ACTIVE.
async fn update_admin(store: &dyn Store, mut user: User, password: &str, now: Millis) -> anyhow::Result<User> {
    let mut events = Vec::new();
    if !crate::authn::password::verify(user.password_hash.clone(), password.to_owned()).await {
        user.password_hash = Some(hash_password(password).await?);
        user.password_changed = Some(now);
        events.push(system_event(
            "user.account.update_password",
            "Update password for user",
            &[admin_target(&user)],
            now,
        ));
    }
    if user.status != UserStatus::Active {
        user.status = UserStatus::Active;
        user.activated = Some(now);
        user.status_changed = Some(now);
        events.push(system_event("user.lifecycle.activate", "Activate Okta user", &[admin_target(&user)], now));
    }
    if !events.is_empty() {
        user.last_updated = now;
        store.update_user(&user, &events).await?;
    }
    Ok(user)
}

/// A new ACTIVE admin user; its email is the login when that is an address.
async fn create_admin(store: &dyn Store, login: &str, password: &str, now: Millis) -> anyhow::Result<User> {
    let email = if login.contains('@') { login.to_owned() } else { DEFAULT_ADMIN_LOGIN.to_owned() };
    let mut profile = serde_json::Map::new();
    profile.insert("login".into(), login.into());
    profile.insert("email".into(), email.into());
    profile.insert("firstName".into(), "baton".into());
    profile.insert("lastName".into(), "Admin".into());
    let user = User {
        id: new_id(Prefix::User),
        status: UserStatus::Active,
        profile: UserProfile(profile),
        password_hash: Some(hash_password(password).await?),
        created: now,
        activated: Some(now),
        status_changed: Some(now),
        last_login: None,
        last_updated: now,
        password_changed: Some(now),
    };
    let events = [
        system_event("user.lifecycle.create", "Create Okta user", &[admin_target(&user)], now),
        system_event("user.lifecycle.activate", "Activate Okta user", &[admin_target(&user)], now),
    ];
    store.create_user(&user, &[], &events).await?;
    Ok(user)
}

/// The `Administrators` group, created when missing.
async fn ensure_admins_group(store: &dyn Store, now: Millis) -> anyhow::Result<Group> {
    let admins = crate::domain::user::ADMINISTRATORS_GROUP;
    if let Some(group) = store.find_group_by_name(admins).await? {
        return Ok(group);
    }
    let group = Group {
        id: new_id(Prefix::Group),
        group_type: GroupType::OktaGroup,
        name: admins.into(),
        description: Some("Administrators of baton (admin console and Management API)".into()),
        created: now,
        last_updated: now,
        last_membership_updated: now,
    };
    let target = Target::new(&group.id, "UserGroup", &group.name, &group.name);
    store.create_group(&group, &[system_event("group.lifecycle.create", "Create Okta group", &[target], now)]).await?;
    Ok(group)
}
