//! The subject token of a token exchange (xaa.md §4.3), checked in order: kind, issuer,
//! signature/expiry/revocation, binding to X (delegation links), principals ACTIVE and the
//! shape of its `act`. Yields the user (or machine subject), the subject client C, P (its
//! `act`), `auth_time` and the `email` the ID-JAG may carry.

use super::errors;
use super::Deps;
use crate::domain::ids::hash_secret;
use crate::domain::{ConnectionStatus, LinkTokenType, Millis, RefreshFamily, RefreshToken, Status, User};
use crate::jose::act;
use crate::jose::jwt::peek;
use crate::oauth::client::Client;
use crate::oauth::client_assertion::LEEWAY_S;
use crate::oauth::error::OAuthError;
use crate::oauth::server::custom_issuer;
use crate::oauth::server::Issuer;
use crate::oauth::token::log::{user_target, GrantLog};
use crate::oauth::token::TokenRequest;
use crate::oauth::verify::verify_own;
use crate::store::Store;
use serde_json::{Map, Value};

/// `subject_token_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Id,
    Access,
    Refresh,
}

impl Kind {
    /// The supported types; `saml2` and anything else is `None`.
    #[must_use]
    pub fn from_urn(urn: &str) -> Option<Self> {
        match urn {
            "urn:ietf:params:oauth:token-type:id_token" => Some(Self::Id),
            "urn:ietf:params:oauth:token-type:access_token" => Some(Self::Access),
            "urn:ietf:params:oauth:token-type:refresh_token" => Some(Self::Refresh),
            _ => None,
        }
    }
}

/// What the subject token establishes.
#[derive(Debug)]
pub struct Subject {
    /// The human subject, ACTIVE.
    pub user: Option<User>,
    /// A machine subject (an access token without `uid`), ACTIVE.
    pub machine: Option<Client>,
    /// C, ACTIVE.
    pub client: Client,
    /// P: the subject token's `act`, well-formed.
    pub act: Option<Value>,
    /// Seconds.
    pub auth_time: Option<i64>,
    pub email: Option<String>,
}

pub async fn check(
    deps: Deps<'_>,
    req: &TokenRequest<'_>,
    kind: Kind,
    token: &str,
    log: &mut GrantLog,
) -> Result<Subject, OAuthError> {
    match kind {
        Kind::Refresh => refresh(deps.store, req, token, log).await,
        Kind::Id | Kind::Access => jwt(deps, req, kind, token, log).await,
    }
}

fn str_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// The baton AS that issued a token: the org AS or an ACTIVE custom AS.
async fn issuing_server(store: &dyn Store, req: &TokenRequest<'_>, iss: &str) -> Result<Issuer, OAuthError> {
    let base = req.org_issuer;
    if iss == base {
        return Ok(Issuer::org_under(base, req.org_id));
    }
    let Some(id) = iss.strip_prefix(&format!("{base}/oauth2/")) else {
        return Err(errors::issuer_not_allowed());
    };
    match store.find_auth_server(id).await? {
        Some(server) if custom_issuer(base, &server.id) != iss => Err(errors::issuer_not_allowed()),
        Some(server) if server.status == Status::Active => Ok(Issuer::custom_under(base, server)),
        Some(_) => Err(errors::issuing_server_inactive()),
        None => Err(errors::issuer_not_allowed()),
    }
}

/// Step 4: the client the subject token was issued to, bound to the caller: itself (an ID
/// token only) or through an ACTIVE delegation link of the token's kind; an agent with a
/// `resourceUrl` takes only access tokens for it.
async fn binding<'c>(
    store: &dyn Store,
    x: &Client,
    kind: Kind,
    claims: &'c Map<String, Value>,
    log: &mut GrantLog,
) -> Result<&'c str, OAuthError> {
    let (subject_client_id, link) = match kind {
        Kind::Id => {
            let Some(aud) = str_claim(claims, "aud") else { return Err(errors::subject_token()) };
            log.debug("subject_token_client_id", aud);
            if aud == x.client_id() {
                (aud, None)
            } else {
                let link = active_link(store, aud, LinkTokenType::IdToken, x.client_id()).await?;
                (aud, Some(link.ok_or_else(errors::client_not_registered)?))
            }
        }
        Kind::Access | Kind::Refresh => {
            let cid = str_claim(claims, "cid").unwrap_or_default();
            log.debug("subject_token_client_id", cid);
            let link = active_link(store, cid, LinkTokenType::AccessToken, x.client_id()).await?;
            let link = link.ok_or_else(errors::no_delegation_link)?;
            if let Client::Agent(agent) = x {
                if agent.resource_url.as_deref().is_some_and(|url| str_claim(claims, "aud") != Some(url)) {
                    return Err(errors::no_delegation_link());
                }
            }
            (cid, Some(link))
        }
    };
    if let Some(link) = link {
        log.debug("delegation_link_id", link);
    }
    Ok(subject_client_id)
}

async fn jwt(
    deps: Deps<'_>,
    req: &TokenRequest<'_>,
    kind: Kind,
    token: &str,
    log: &mut GrantLog,
) -> Result<Subject, OAuthError> {
    let store = deps.store;
    // 1. Kind.
    let Ok(peeked) = peek(token) else { return Err(errors::subject_token()) };
    let jti = str_claim(&peeked.claims, "jti").unwrap_or_default();
    let cid = peeked.claims.get("cid");
    let kind_ok = match kind {
        Kind::Id => jti.starts_with("ID.") && cid.is_none(),
        Kind::Access | Kind::Refresh => jti.starts_with("AT.") && cid.is_some_and(Value::is_string),
    };
    if !kind_ok {
        return Err(errors::subject_token());
    }
    // 2. Issuer.
    let Some(iss) = str_claim(&peeked.claims, "iss") else { return Err(errors::subject_token()) };
    log.debug("subject_token_issuer", iss);
    let issuer = issuing_server(store, req, iss).await?;
    // 3. Signature, expiry, revocation.
    let Ok(claims) = verify_own(store, req.now_ms, &issuer, token, true).await? else {
        return Err(errors::subject_token());
    };
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or_default();
    if exp <= req.now_ms.div_euclid(1000) - LEEWAY_S {
        return Err(errors::subject_token_expired());
    }
    if kind == Kind::Access && store.find_access_token(jti).await?.is_some_and(|r| r.revoked.is_some()) {
        return Err(errors::subject_token_expired());
    }
    // 4. Binding.
    let subject_client_id = binding(store, req.client, kind, &claims, log).await?;
    // 5. Principals and `act`.
    let (user, machine) = match (kind, str_claim(&claims, "uid")) {
        (Kind::Id, _) => (Some(active_user(store, str_claim(&claims, "sub"), log).await?), None),
        (_, Some(uid)) => (Some(active_user(store, Some(uid), log).await?), None),
        (_, None) => {
            let sub = str_claim(&claims, "sub").unwrap_or_default();
            let machine = active_client(store, sub).await?;
            log.subject(machine.actor());
            (None, Some(machine))
        }
    };
    let client = active_client(store, subject_client_id).await?;
    let act = claims.get("act").cloned();
    check_act(store, act.as_ref(), deps.config.max_act_depth).await?;
    let email = match kind {
        Kind::Id => str_claim(&claims, "email").map(str::to_owned),
        Kind::Access | Kind::Refresh => {
            let scopes = claims.get("scp").and_then(Value::as_array);
            let has_email = scopes.is_some_and(|s| s.iter().any(|v| v.as_str() == Some("email")));
            user.as_ref().filter(|_| has_email).map(|u| u.profile.email().to_owned())
        }
    };
    Ok(Subject {
        user,
        machine,
        client,
        act,
        auth_time: claims.get("auth_time").and_then(Value::as_i64),
        email: email.filter(|e| !e.is_empty()),
    })
}

/// An ACTIVE delegation link `{from, tokenType, to}`; its id.
async fn active_link(
    store: &dyn Store,
    from: &str,
    token_type: LinkTokenType,
    to: &str,
) -> Result<Option<String>, OAuthError> {
    let link = store.find_delegation_link_for(from, token_type, to).await?;
    Ok(link.filter(|l| l.status == ConnectionStatus::Active).map(|l| l.id))
}

async fn active_user(store: &dyn Store, id: Option<&str>, log: &mut GrantLog) -> Result<User, OAuthError> {
    let Some(id) = id else { return Err(errors::user_inactive()) };
    let user = store.find_user(id).await?;
    if let Some(u) = &user {
        log.subject(user_target(u));
    }
    user.filter(User::is_active).ok_or_else(errors::user_inactive)
}

async fn active_client(store: &dyn Store, id: &str) -> Result<Client, OAuthError> {
    Client::find(store, id).await?.filter(Client::is_active).ok_or_else(errors::client_inactive)
}

/// Every actor of P is an ACTIVE client or user, and P is well-formed.
async fn check_act(store: &dyn Store, act: Option<&Value>, max_depth: usize) -> Result<(), OAuthError> {
    let Some(act) = act else { return Ok(()) };
    // Well-formed first (xaa.md §4.5): a level with an empty or missing `sub` is malformed,
    // not an inactive actor.
    act::depth(act).map_err(|_| errors::act_malformed())?;
    // Bounded: a chain longer than any baton builds is refused before its actors are looked up.
    let subjects = act::subjects(act);
    if subjects.len() > 4 * max_depth {
        return Err(errors::act_too_deep());
    }
    for sub in subjects {
        let client = Client::find(store, sub).await?.is_some_and(|c| c.is_active());
        if !client && !store.find_user(sub).await?.is_some_and(|u| u.is_active()) {
            return Err(errors::client_inactive());
        }
    }
    Ok(())
}

async fn refresh(
    store: &dyn Store,
    req: &TokenRequest<'_>,
    token: &str,
    log: &mut GrantLog,
) -> Result<Subject, OAuthError> {
    // 1. Kind: an opaque token baton issued.
    let Some((stored, family)) = store.find_refresh_token(&hash_secret(token)).await? else {
        return Err(errors::subject_token());
    };
    // 2. Issuer.
    let issuer = if family.auth_server_id == req.org_id {
        Issuer::org_under(req.org_issuer, req.org_id)
    } else {
        match store.find_auth_server(&family.auth_server_id).await? {
            Some(server) if server.status == Status::Active => Issuer::custom_under(req.org_issuer, server),
            Some(_) => return Err(errors::issuing_server_inactive()),
            None => return Err(errors::issuer_not_allowed()),
        }
    };
    log.debug("subject_token_issuer", issuer.issuer.clone());
    log.debug("subject_token_client_id", family.client_id.clone());
    // 3. Expired or revoked.
    let leeway_ms = match req.client {
        Client::App(app) => app.refresh_leeway.clamp(0, 60) * 1000,
        Client::Agent(_) => 0,
    };
    if !live(&stored, &family, leeway_ms, req.now_ms) {
        return Err(errors::subject_token_expired());
    }
    // 4. Bound to X.
    if family.client_id != req.client.client_id() {
        return Err(errors::subject_token());
    }
    // 5. Principals.
    let user = active_user(store, Some(&family.user_id), log).await?;
    let email = family.scopes.iter().any(|s| s == "email").then(|| user.profile.email().to_owned());
    Ok(Subject {
        user: Some(user),
        machine: None,
        client: req.client.clone(),
        act: None,
        auth_time: Some(family.auth_time.div_euclid(1000)),
        email: email.filter(|e| !e.is_empty()),
    })
}

/// Not revoked, not rotated longer ago than the leeway, within its lifetime and idle window.
fn live(token: &RefreshToken, family: &RefreshFamily, leeway_ms: i64, now: Millis) -> bool {
    family.revoked.is_none()
        && token.rotated.is_none_or(|r| r >= now - leeway_ms)
        && family.expires.is_none_or(|end| now < end)
        && now - family.last_used <= family.idle_window_ms
}
