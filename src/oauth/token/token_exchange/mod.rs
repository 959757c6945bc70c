//! Leg 1 of Cross-App Access: the token-exchange grant at the org AS issues ID-JAGs (RFC 8693;
//! ID-JAG draft -04 §4.3; xaa.md §4). Checks run in the exact order of xaa.md §4.2 and stop at
//! the first failure: client authentication (done by the endpoint; `DESCRIPTOR` adds the
//! custom-AS and `none` rows) → `requested_token_type` → `subject_token_type`, `subject_token`,
//! the actor-token pair → `actor_token` → `audience` → the subject token (`subject`) →
//! connection, `resource`, scopes (`access`) → brokered consent (`consent`, xaa.md §5) → the
//! `act` chain, signing (`id_jag`), the `app.oauth2.token.grant.id_jag` event and the response.

mod access;
pub mod consent;
pub mod errors;
mod id_jag;
mod subject;

use super::log::GrantLog;
use super::registry::GrantDescriptor;
use super::{Grant, TokenRequest};
use crate::config::Config;
use crate::domain::{grant_type, AuthServer, Status};
use crate::jose::act::{self, ActError, Principal};
use crate::jose::KeyRing;
use crate::oauth::client::Client;
use crate::oauth::client_assertion;
use crate::oauth::discovery;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::server::{custom_issuer, Issuer};
use crate::oauth::ID_JAG_TYPE;
use crate::policy::parse_scope;
use crate::store::Store;
use axum::response::Response;
use subject::Kind;

pub const GRANT_TYPE: &str = grant_type::TOKEN_EXCHANGE;
/// The only `actor_token_type` accepted (xaa.md §4.1).
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

/// Served by the org AS only, never to a public (`none`) client (xaa.md §3.1, §4.1).
/// `audience` and `resource` may arrive repeated, so that the grant answers them with its own
/// rows (`invalid_target`).
pub const DESCRIPTOR: GrantDescriptor = GrantDescriptor {
    grant_type: GRANT_TYPE,
    name: "token_exchange",
    label: "Token exchange",
    served_by: &[discovery::Kind::Org],
    elsewhere: Some(errors::at_custom_as),
    repeatable: &["audience", "resource"],
    confidential_only: true,
    from_browser: false,
    in_rules: true,
    agents: true,
    parse: |params| Ok(Grant::TokenExchange(Request::parse(params))),
};

/// The grant's parameters, read as sent; every check runs in `exchange`, in order.
#[derive(Debug)]
pub struct Request {
    requested_token_type: Option<String>,
    subject_token: Option<String>,
    subject_token_type: Option<String>,
    actor_token: Option<String>,
    actor_token_type: Option<String>,
    audience: Option<String>,
    audience_repeated: bool,
    resource: Option<String>,
    resource_repeated: bool,
    /// Requested scopes in order; empty when `scope` was absent or empty.
    scope: Vec<String>,
}

impl Request {
    #[must_use]
    pub fn parse(params: &Params) -> Self {
        let get = |name: &str| params.get(name).map(str::to_owned);
        Self {
            requested_token_type: get("requested_token_type"),
            subject_token: get("subject_token"),
            subject_token_type: get("subject_token_type"),
            actor_token: get("actor_token"),
            actor_token_type: get("actor_token_type"),
            audience: get("audience"),
            audience_repeated: params.is_repeated("audience"),
            resource: get("resource"),
            resource_repeated: params.is_repeated("resource"),
            scope: parse_scope(params.get("scope")),
        }
    }
}

/// What a token exchange uses besides the request: the store, the signing keys, and the
/// settings for `act` depth and consent requests.
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    pub store: &'a dyn Store,
    pub keys: &'a KeyRing,
    pub config: &'a Config,
}

pub async fn exchange(
    deps: Deps<'_>,
    req: &TokenRequest<'_>,
    grant: Request,
    log: &mut GrantLog,
) -> Result<Response, OAuthError> {
    let store = deps.store;
    for (key, value) in [
        ("requested_token_type", &grant.requested_token_type),
        ("subject_token_type", &grant.subject_token_type),
        ("resource", &grant.resource),
    ] {
        if let Some(v) = value {
            log.debug(key, v.clone());
        }
    }
    if !grant.scope.is_empty() {
        log.scopes("requested_scopes", &grant.scope);
    }
    if grant.requested_token_type.as_deref() != Some(ID_JAG_TYPE) {
        return Err(errors::requested_token_type());
    }
    let kind = grant.subject_token_type.as_deref().and_then(Kind::from_urn).ok_or_else(errors::subject_token_type)?;
    let Some(subject_token) = grant.subject_token.as_deref() else { return Err(errors::subject_token()) };
    match (grant.actor_token.as_deref(), grant.actor_token_type.as_deref()) {
        (None, None) | (Some(_), Some(JWT_TOKEN_TYPE)) => {}
        _ => return Err(errors::actor_token_type()),
    }
    let actor = current_actor(store, req, grant.actor_token.as_deref()).await?;
    let server = audience_server(store, req.org_issuer, &grant).await?;
    let audience = Issuer::custom_under(req.org_issuer, server.clone());
    log.debug("authorization_server", server.id.clone());
    log.server(audience.target());

    let subject = subject::check(deps, req, kind, subject_token, log).await?;
    let access = access::evaluate(store, req.client, &server, &grant, log).await?;
    let ask = consent::Ask {
        actor: &actor,
        subject: &subject,
        server: &server,
        connection: &access.connection,
        granted: &access.granted,
    };
    consent::check(deps, req, &ask, log).await?;
    let a = Principal { sub: actor.client_id(), sub_profile: actor.sub_profile() };
    let c = Principal { sub: subject.client.client_id(), sub_profile: subject.client.sub_profile() };
    let chain = act::build(a, c, subject.act.as_ref(), deps.config.max_act_depth).map_err(|e| match e {
        ActError::Malformed => errors::act_malformed(),
        ActError::TooDeep => errors::act_too_deep(),
    })?;
    log.debug("actor", chain.to_string());
    let client_id = access.connection.target_client_id.as_deref().unwrap_or_else(|| req.client.client_id());
    let plan = id_jag::Plan {
        audience: &audience.issuer,
        client_id,
        resource: grant.resource.as_deref(),
        scopes: &access.granted,
        subject: &subject,
        act: &chain,
    };
    let (jwt, jti) = id_jag::sign(deps, req, &plan).await?;
    log.debug("id_jag_jti", jti);
    let record = log.request(None, req.ctx, req.now_ms);
    store.append_events(&[record]).await?;
    log.logged = true;
    Ok(id_jag::response(&jwt, &access.granted))
}

/// A: the agent named by `actor_token` when X is an app that sent one, otherwise X. An
/// `actor_token` is a client assertion of an ACTIVE agent for the org AS; when X is an agent it
/// must name X (xaa.md §4.5).
async fn current_actor(
    store: &dyn Store,
    req: &TokenRequest<'_>,
    actor_token: Option<&str>,
) -> Result<Client, OAuthError> {
    let Some(jwt) = actor_token else { return Ok(req.client.clone()) };
    let url = req.issuer.endpoint("token");
    let audiences = [url.as_str(), req.issuer.issuer.as_str()];
    let named = match client_assertion::validate(store, jwt, &audiences, req.now_ms.div_euclid(1000)).await {
        Ok((named, _)) => named,
        Err(client_assertion::AssertionError::Store(e)) => return Err(e.into()),
        Err(client_assertion::AssertionError::Invalid(_)) => return Err(errors::actor_token()),
    };
    match (&named, req.client) {
        (Client::Agent(_), Client::App(_)) => Ok(named),
        (Client::Agent(a), Client::Agent(x)) if a.id == x.id => Ok(named),
        _ => Err(errors::actor_token()),
    }
}

/// The ACTIVE custom AS whose issuer is `audience` (one trailing `/` tolerated); the org issuer,
/// an unknown or INACTIVE server, a missing or repeated audience are refused.
async fn audience_server(store: &dyn Store, base: &str, grant: &Request) -> Result<AuthServer, OAuthError> {
    if grant.audience_repeated {
        return Err(errors::audience());
    }
    let Some(aud) = grant.audience.as_deref() else { return Err(errors::audience()) };
    let aud = aud.strip_suffix('/').unwrap_or(aud);
    let prefix = format!("{base}/oauth2/");
    let Some(id) = aud.strip_prefix(&prefix) else { return Err(errors::audience()) };
    if id.is_empty() || id.contains('/') {
        return Err(errors::audience());
    }
    match store.find_auth_server(id).await? {
        Some(server) if server.status == Status::Active && custom_issuer(base, &server.id) == aud => Ok(server),
        _ => Err(errors::audience()),
    }
}
