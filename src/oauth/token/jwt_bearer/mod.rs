//! Leg 2 of Cross-App Access: redeeming an ID-JAG with the jwt-bearer grant at a custom AS
//! (RFC 7523 §2.1; ID-JAG draft -04 §4.4; xaa.md §6). The org AS does not serve it
//! (`unsupported_grant_type`, from the dispatch). Only confidential clients: an app whose method
//! is `none` is refused with `invalid_client` before the grant's parameters (xaa.md §3).
//!
//! Order: the assertion's steps 1–12 (`assertion`), 13 the subject (an ACTIVE `00u…` user,
//! else an ACTIVE client as a machine subject), 14 every `act.sub` of an org-issued ID-JAG
//! ACTIVE, 15 at least one scope; then the user access policy (xaa.md §6.3,
//! `evaluate_jwt_bearer`) picks the granted scopes and the lifetime. The access token (§6.4)
//! carries `scp` and `scope`, `aud` = the effective resource else the AS audience, and the
//! ID-JAG's `act` and `sub_profile` verbatim; no refresh token, no ID token. The request writes
//! one `app.oauth2.as.token.grant.access_token` event, success or failure (xaa.md §8).

pub mod assertion;
pub mod errors;

use self::assertion::IdJag;
use self::errors::Invalid;
use super::errors::{no_matching_policy, no_scope_allowed, unsupported_grant_type};
use super::issue::{self, groups_of, Plan, Redeemed};
use super::log::{user_target, GrantLog};
use super::registry::{self, GrantDescriptor};
use super::{Grant, TokenRequest};
use crate::audit::Target;
use crate::domain::{grant_type, Group, User};
use crate::jose::claims::JwtBearerClaims;
use crate::jose::{act, KeyRing};
use crate::oauth::client::Client;
use crate::oauth::discovery::Kind;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::remote_jwks::RemoteJwks;
use crate::policy::{evaluate_jwt_bearer, parse_scope, AccessDenied, JwtBearerDecision, JwtBearerInput};
use crate::store::{Issuance, Store, StoreResult};
use axum::response::Response;

pub const GRANT_TYPE: &str = grant_type::JWT_BEARER;

/// Served by custom authorization servers only (the org AS answers `unsupported_grant_type`),
/// never to a public (`none`) client (xaa.md §3).
pub const DESCRIPTOR: GrantDescriptor = GrantDescriptor {
    grant_type: GRANT_TYPE,
    name: "jwt_bearer",
    label: "JWT bearer",
    served_by: &[Kind::Custom],
    elsewhere: None,
    repeatable: &[],
    confidential_only: true,
    from_browser: false,
    in_rules: true,
    agents: true,
    parse: |params| Request::parse(params).map(Grant::JwtBearer),
};

/// The grant's parameters (xaa.md §6.1).
#[derive(Debug)]
pub struct Request {
    assertion: String,
    /// Requested scopes; empty when `scope` was absent or empty.
    scope: Vec<String>,
    resource: Option<String>,
}

impl Request {
    pub fn parse(params: &Params) -> Result<Self, OAuthError> {
        let assertion = params.require("assertion")?;
        if assertion.is_empty() {
            return Err(OAuthError::missing("assertion"));
        }
        Ok(Self {
            assertion: assertion.to_owned(),
            scope: parse_scope(params.get("scope")),
            resource: params.get("resource").filter(|r| !r.is_empty()).map(str::to_owned),
        })
    }
}

/// Who the access token is about.
#[derive(Debug)]
enum Subject {
    User(User, Vec<Group>),
    /// A client named by the ID-JAG's `sub`: `sub` = its client id, no `uid`.
    Machine(Client),
}

impl Subject {
    fn target(&self) -> Target {
        match self {
            Self::User(user, _) => user_target(user),
            Self::Machine(client) => client.actor(),
        }
    }

    /// The user and their groups, for the policy's people and the claims.
    fn user(&self) -> Option<(&User, &[Group])> {
        match self {
            Self::User(u, groups) => Some((u, groups.as_slice())),
            Self::Machine(_) => None,
        }
    }

    fn minted(&self) -> issue::Subject<'_> {
        match self {
            Self::User(user, groups) => issue::Subject::NamedUser { user, groups },
            Self::Machine(client) => issue::Subject::Client(client.client_id()),
        }
    }
}

pub async fn exchange(
    store: &dyn Store,
    keys: &KeyRing,
    remote_jwks: &RemoteJwks,
    req: &TokenRequest<'_>,
    grant: Request,
    log: &mut GrantLog,
) -> Result<Response, OAuthError> {
    let Some(server) = req.issuer.server() else {
        return Err(unsupported_grant_type(&registry::served_at(req.issuer.server_kind())));
    };
    if !grant.scope.is_empty() {
        log.scopes("requested_scopes", &grant.scope);
    }
    let ctx = assertion::Context {
        issuer: req.issuer,
        org_issuer: req.org_issuer,
        org_id: req.org_id,
        client_id: req.client.client_id(),
        now_ms: req.now_ms,
    };
    let jag = assertion::validate(store, remote_jwks, &ctx, &grant.assertion, |j| {
        log.debug("id_jag_jti", j.jti.clone());
        if let Some(a) = &j.act {
            log.debug("actor", a.to_string());
        }
    })
    .await?;
    let requested = if grant.scope.is_empty() { jag.scopes.clone() } else { grant.scope.clone() };
    log.scopes("requested_scopes", &requested);
    // 11, 12 and the request-only `resource` rule.
    let resource = assertion::effective_resource(req.issuer, jag.resource.as_deref(), grant.resource.as_deref())?;
    if let Some(r) = &resource {
        log.debug("resource", r.clone());
    }
    let subject = subject_and_actors(store, &jag, log).await?;
    // xaa.md §6.3.
    let candidates: Vec<String> = if grant.scope.is_empty() {
        jag.scopes.clone()
    } else {
        jag.scopes.iter().filter(|s| grant.scope.contains(s)).cloned().collect()
    };
    let policies = super::client_credentials::load_policies(store, &server.id).await?;
    let server_scopes = store.list_scopes(&server.id).await?;
    let input = JwtBearerInput {
        client_id: req.client.client_id(),
        user: subject.user(),
        candidates: &candidates,
        server_scopes: &server_scopes,
        policies: &policies,
    };
    let decision = decide(&input, &requested, log)?;
    // xaa.md §6.4.
    let plan = Plan {
        subject: subject.minted(),
        scopes: &decision.granted,
        access_minutes: decision.access_token_minutes,
        grant_id: None,
        redeemed: Some(Redeemed {
            resource: resource.as_deref(),
            auth_time: jag.auth_time,
            claims: JwtBearerClaims { act: jag.act.as_ref(), sub_profile: jag.sub_profile.as_deref() },
        }),
    };
    let minted = issue::mint(store, keys, req, &plan).await?;
    let events = [log.request(None, req.ctx, req.now_ms)];
    store.record_issuance(&Issuance { access_token: Some(&minted.record), ..Issuance::default() }, &events).await?;
    log.logged = true;
    Ok(issue::response(&minted, &decision.granted, None))
}

/// Steps 13–15: the subject, every actor of an org-issued chain, at least one scope.
async fn subject_and_actors(store: &dyn Store, jag: &IdJag, log: &mut GrantLog) -> Result<Subject, OAuthError> {
    // 13. The subject.
    let subject = resolve_subject(store, &jag.sub).await?.ok_or(Invalid::Subject)?;
    log.subject(subject.target());
    // 14. Every actor of an org-issued chain.
    if let (true, Some(chain)) = (jag.from_org, &jag.act) {
        for sub in act::subjects(chain) {
            if !principal_active(store, sub).await? {
                return Err(Invalid::InactiveActor.into());
            }
        }
    }
    // 15. At least one scope.
    if jag.scopes.is_empty() {
        return Err(Invalid::LackingScopes.into());
    }
    Ok(subject)
}

/// The user access policy's decision (xaa.md §6.3), with the granted and denied scopes logged.
fn decide(
    input: &JwtBearerInput<'_>,
    requested: &[String],
    log: &mut GrantLog,
) -> Result<JwtBearerDecision, OAuthError> {
    let decision = match evaluate_jwt_bearer(input) {
        Ok(d) => d,
        Err(AccessDenied::NoMatchingPolicy) => return Err(no_matching_policy()),
        Err(AccessDenied::NoScopeAllowed) => {
            log.scopes("denied_scopes", requested);
            return Err(no_scope_allowed());
        }
    };
    log.policy(Some(&decision.policy_id), Some(&decision.rule_id));
    log.scopes("granted_scopes", &decision.granted);
    let denied: Vec<String> = requested.iter().filter(|s| !decision.granted.contains(s)).cloned().collect();
    if !denied.is_empty() {
        log.scopes("denied_scopes", &denied);
    }
    Ok(decision)
}

/// Step 13: an ACTIVE `00u…` user (with its groups), else an ACTIVE client.
async fn resolve_subject(store: &dyn Store, sub: &str) -> StoreResult<Option<Subject>> {
    if sub.starts_with("00u") {
        let Some(user) = store.find_user(sub).await?.filter(User::is_active) else { return Ok(None) };
        let groups = groups_of(store, &user.id).await?;
        return Ok(Some(Subject::User(user, groups)));
    }
    Ok(Client::find(store, sub).await?.filter(Client::is_active).map(Subject::Machine))
}

/// Step 14: an actor is an ACTIVE client (app or agent) or an ACTIVE user.
async fn principal_active(store: &dyn Store, sub: &str) -> StoreResult<bool> {
    if Client::find(store, sub).await?.is_some_and(|c| c.is_active()) {
        return Ok(true);
    }
    Ok(store.find_user(sub).await?.is_some_and(|u| u.is_active()))
}
