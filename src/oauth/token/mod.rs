//! `POST /v1/token` (RFC 6749 §3.2; okta-surface.md §5): the checks every grant shares, run
//! once, then dispatch to one module per grant. Order: the form (repeated parameters →
//! `invalid_request` naming them), client authentication (`client_auth`; a failure also logs
//! `app.oauth2.invalid_client_credentials`), `grant_type` (missing, unknown or not served by
//! this kind of AS → `unsupported_grant_type…`; a `none` client for an XAA grant →
//! `invalid_client`; from a browser only the code and refresh grants; the app must list it →
//! `unauthorized_client`), then the grant parses its own
//! parameters and runs. Every attempt writes its `….token.grant` event, success or failure.
//!
//! A grant is a unit: its module holds its `DESCRIPTOR` (grant type, where it is served, who
//! may use it, its parameters) and its handler; `registry::GRANTS` is the one place they are
//! registered, and every list of grant types is derived from it.

pub mod authorization_code;
pub mod client_credentials;
pub mod errors;
pub mod issue;
pub mod jwt_bearer;
pub mod log;
pub mod refresh_token;
pub mod registry;
pub mod token_exchange;

use self::log::{claimed_actor, invalid_client_credentials, GrantLog};
use crate::audit::Context;
use crate::domain::{Millis, TextEnum};
use crate::metrics::XaaLeg;
use crate::oauth::client::Client;
use crate::oauth::client_auth::{authenticate, claimed_client_id, Endpoint};
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::server::Issuer;
use crate::state::AppState;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

/// What every grant handler knows about the request once the client is authenticated.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    pub issuer: &'a Issuer,
    pub client: &'a Client,
    /// The org id (`idp` of ID tokens).
    pub org_id: &'a str,
    /// The org AS's issuer, `{base}` (baton's own ID-JAGs carry it).
    pub org_issuer: &'a str,
    /// The request carried an `Origin` header (okta-surface.md §5.2).
    pub browser: bool,
    pub now_ms: Millis,
    pub ctx: &'a Context,
}

impl TokenRequest<'_> {
    /// A `web` app asking for `offline_access` from a browser (okta-surface.md §5.2).
    pub fn check_browser_scopes(&self, scopes: &[String]) -> Result<(), OAuthError> {
        let web = matches!(self.client, Client::App(app) if app.application_type == "web");
        if self.browser && web && scopes.iter().any(|s| s == "offline_access") {
            return Err(errors::browser_offline_access());
        }
        Ok(())
    }
}

/// A parsed token request, one variant per grant (each grant's `DESCRIPTOR.parse` builds it).
#[derive(Debug)]
pub enum Grant {
    AuthorizationCode(authorization_code::Request),
    RefreshToken(refresh_token::Request),
    ClientCredentials(client_credentials::Request),
    TokenExchange(token_exchange::Request),
    JwtBearer(jwt_bearer::Request),
}

impl Grant {
    /// Finds `grant_type` in the registry, runs the rows every grant shares
    /// (`GrantDescriptor::admit`), then parses the grant's own parameters.
    fn parse(
        grant_type: &str,
        issuer: &Issuer,
        browser: bool,
        client: &Client,
        params: &Params,
    ) -> Result<Self, OAuthError> {
        let kind = issuer.server_kind();
        let Some(grant) = registry::find(grant_type) else {
            return Err(errors::unsupported_grant_type(&registry::served_at(kind)));
        };
        grant.admit(kind, client, browser)?;
        (grant.parse)(params)
    }
}

/// The token endpoint of `issuer`. `params` is the form, or why it could not be read.
pub async fn token(
    state: &AppState,
    issuer: &Issuer,
    ctx: &Context,
    headers: &HeaderMap,
    params: Result<Params, OAuthError>,
) -> Response {
    let now = state.clock.now_ms();
    let mut log = GrantLog::new(issuer);
    let (grant_type, leg) = metric_labels(params.as_ref().ok());
    match run(state, issuer, ctx, headers, params, now, &mut log).await {
        Ok(response) => {
            state.metrics.token(grant_type, leg, Ok(()));
            response
        }
        Err(error) => {
            state.metrics.token(grant_type, leg, Err(error.error));
            if !log.logged {
                let records = log.failure_records(&error, ctx, now);
                if let Err(e) = state.store.append_events(&records).await {
                    tracing::error!(error = %e, "could not write the token failure events");
                }
            }
            error.into_response()
        }
    }
}

/// The grant type as `/metrics` counts it (a registered one, `none` or `unsupported`, so the
/// series stay few) and the XAA leg the request is, if any.
fn metric_labels(params: Option<&Params>) -> (&'static str, Option<XaaLeg>) {
    let Some(given) = params.and_then(|p| p.get("grant_type")) else { return ("none", None) };
    let Some(grant) = registry::find(given) else { return ("unsupported", None) };
    let leg = if grant.grant_type == jwt_bearer::DESCRIPTOR.grant_type {
        Some(XaaLeg::Redemption)
    } else if grant.grant_type == token_exchange::DESCRIPTOR.grant_type
        && params.and_then(|p| p.get("requested_token_type")) == Some(crate::oauth::ID_JAG_TYPE)
    {
        Some(XaaLeg::Exchange)
    } else {
        None
    };
    (grant.grant_type, leg)
}

async fn run(
    state: &AppState,
    issuer: &Issuer,
    ctx: &Context,
    headers: &HeaderMap,
    params: Result<Params, OAuthError>,
    now: Millis,
    log: &mut GrantLog,
) -> Result<Response, OAuthError> {
    let store = state.store.as_ref();
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let params = match params {
        Ok(p) => p,
        Err(e) => {
            log.actor(claimed_actor(store, None).await);
            return Err(e);
        }
    };
    if let Some(grant_type) = params.get("grant_type") {
        log.debug("grant_type", grant_type);
    }
    if let Err(e) = params.ensure_unique(registry::repeatable(params.get("grant_type"))) {
        log.actor(claimed_actor(store, claimed_client_id(authorization, &params).as_deref()).await);
        return Err(e);
    }
    let url = issuer.endpoint("token");
    let endpoint = Endpoint { url: &url, issuer: &issuer.issuer, now_ms: now };
    let authenticated = match authenticate(store, authorization, &params, &endpoint).await {
        Ok(a) => a,
        Err(failure) => {
            let claimed = failure.claimed_client_id.clone().or_else(|| claimed_client_id(authorization, &params));
            let actor = claimed_actor(store, claimed.as_deref()).await;
            log.actor(actor.clone());
            log.debug("client_auth_type", failure.attempted);
            log.pending(invalid_client_credentials(actor, issuer, failure.attempted, &failure.error, ctx, now));
            return Err(failure.error);
        }
    };
    let client = &authenticated.client;
    log.actor(client.actor());
    log.debug("client_auth_type", authenticated.method.as_str());
    let grant_type = params.require("grant_type")?;
    let browser = headers.contains_key(header::ORIGIN);
    let grant = Grant::parse(grant_type, issuer, browser, client, &params)?;
    let req =
        TokenRequest { issuer, client, org_id: &state.org.id, org_issuer: state.base(), browser, now_ms: now, ctx };
    let keys = &state.keys;
    match grant {
        Grant::AuthorizationCode(g) => authorization_code::exchange(store, keys, &req, g, log).await,
        Grant::RefreshToken(g) => refresh_token::exchange(store, keys, &req, g, log).await,
        Grant::ClientCredentials(g) => client_credentials::exchange(store, keys, &req, g, log).await,
        Grant::TokenExchange(g) => {
            let deps = token_exchange::Deps { store, keys, config: &state.config };
            token_exchange::exchange(deps, &req, g, log).await
        }
        Grant::JwtBearer(g) => jwt_bearer::exchange(store, keys, &state.remote_jwks, &req, g, log).await,
    }
}
