//! Extractors shared by every OAuth route that exists for the org AS (`/oauth2/v1/…`) and for
//! each custom AS (`/oauth2/{as}/v1/…`): one handler serves both paths.

use super::error::OktaError;
use super::form::Params;
use crate::oauth::error::OAuthError;
use crate::oauth::server::Issuer;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::Method;
use std::convert::Infallible;

/// The `{as}` path segment: `Some(id)` on a custom-AS route, `None` on an org-AS route.
#[derive(Debug, Clone)]
pub struct AsId(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for AsId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let id = match RawPathParams::from_request_parts(parts, state).await {
            Ok(params) => params.iter().find(|(k, _)| *k == "as").map(|(_, v)| v.to_owned()),
            Err(_) => None,
        };
        Ok(Self(id))
    }
}

/// The authorization server of the route: the org AS, or an ACTIVE custom AS; an unknown or
/// INACTIVE one is 404 `E0000007` (okta-surface.md §1).
#[derive(Debug, Clone)]
pub struct Server(pub Issuer);

impl FromRequestParts<AppState> for Server {
    type Rejection = OktaError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Ok(AsId(id)) = AsId::from_request_parts(parts, state).await;
        Ok(Self(Issuer::resolve(state, id.as_deref()).await?))
    }
}

/// Parameters of an endpoint that takes GET (query) and POST (form body only), such as
/// `/authorize` and `/logout`. A malformed POST body is kept as its error for the endpoint
/// to render its own way.
#[derive(Debug)]
pub struct QueryOrForm(pub Result<Params, OAuthError>);

impl<S: Send + Sync> FromRequest<S> for QueryOrForm {
    type Rejection = Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.method() == Method::GET {
            return Ok(Self(Ok(Params::parse(req.uri().query().unwrap_or_default().as_bytes()))));
        }
        Ok(Self(Params::from_request(req, state).await))
    }
}
