//! The audit context of a request: its transaction id (the request id), the peer address,
//! the user agent and the path. Every System Log event a request writes shares it.

use super::request_id;
use crate::audit::Context;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

/// Extracts the `audit::Context` of the current request.
#[derive(Debug, Clone)]
pub struct RequestContext(pub Context);

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        let user_agent =
            parts.headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Ok(Self(Context {
            transaction_id: request_id::current(),
            transaction_type: "WEB",
            ip,
            user_agent,
            request_uri: Some(parts.uri.path().to_owned()),
            api_token_id: None,
        }))
    }
}
