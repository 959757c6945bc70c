//! The audit context of a request: its transaction id (the request id), the client address,
//! the user agent and the path. Every System Log event a request writes shares it.
//!
//! The client address is the TCP peer's, unless the peer is one of the configured
//! `trusted_proxies`: then it is the right-most `X-Forwarded-For` entry that is not itself a
//! trusted proxy (each proxy appends the address it saw, so entries left of the first
//! untrusted one could have been written by the client). A header from any other peer is
//! ignored, so a client cannot choose its own address for the sign-in throttle.

use super::request_id;
use crate::audit::Context;
use crate::config::IpNet;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// Extracts the `audit::Context` of the current request.
#[derive(Debug, Clone)]
pub struct RequestContext(pub Context);

impl FromRequestParts<AppState> for RequestContext {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let ip = peer.map(|peer| client_address(peer, &parts.headers, &state.config.trusted_proxies).to_string());
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

/// The client behind `peer`: see the module comment.
#[must_use]
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in forwarded.iter().rev() {
        let Ok(ip) = entry.parse::<IpAddr>() else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // A direct client cannot choose its address.
        assert_eq!(client_address(ip("203.0.113.9"), &xff(&["1.2.3.4"]), &trusted), ip("203.0.113.9"));
        // Through the proxy: the right-most untrusted entry, whatever the client prepended.
        let h = xff(&["6.6.6.6, 198.51.100.7", "10.0.0.2"]);
        assert_eq!(client_address(ip("10.0.0.1"), &h, &trusted), ip("198.51.100.7"));
        // No header, or garbage: the proxy itself.
        assert_eq!(client_address(ip("10.0.0.1"), &HeaderMap::new(), &trusted), ip("10.0.0.1"));
        assert_eq!(client_address(ip("10.0.0.1"), &xff(&["not-an-ip"]), &trusted), ip("10.0.0.1"));
        // Nothing trusted: the header is ignored.
        assert_eq!(client_address(ip("10.0.0.1"), &xff(&["1.2.3.4"]), &[]), ip("10.0.0.1"));
    }
}
