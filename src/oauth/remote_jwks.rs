//! Keys of external issuers published at a `jwks_uri` (a custom AS's `TrustedIssuer`), fetched
//! over HTTP and cached in this process's memory, per URI.
//!
//! - Only `http` and `https` URLs; a GET with a 5 s timeout, at most 3 redirects, and a body
//!   of at most 256 KiB. The body is a JSON object `{"keys":[…]}` of RSA or EC public JWKs;
//!   a document with a private member, or a key of another type, is refused whole.
//! - A fetched set is kept for the response's `Cache-Control: max-age`, clamped to
//!   60 s..1 h (5 min when absent). Times come from the caller (`AppState.clock`).
//! - When an assertion names a `kid` the cached set lacks, [`RemoteJwks::refresh`] refetches,
//!   at most once per 30 s per URI, so forged `kid`s cannot turn baton into a request
//!   amplifier.
//! - The reqwest build has no TLS backend (it is the plain-http client of `baton demo`), so an
//!   `https` fetch fails like any other fetch failure until a TLS feature is enabled.

use crate::domain::Millis;
use crate::jose::keys::public_members;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Time limit of one fetch, connection included.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest accepted JWKS document.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Cache lifetime without a usable `max-age`.
pub const DEFAULT_TTL_MS: Millis = 5 * 60 * 1000;
/// Bounds of a `max-age`.
pub const MIN_TTL_MS: Millis = 60 * 1000;
pub const MAX_TTL_MS: Millis = 60 * 60 * 1000;
/// Least time between two refetches for an unknown `kid`, per URI.
pub const REFRESH_INTERVAL_MS: Millis = 30 * 1000;

/// Why a JWKS could not be obtained (logged, never shown to the client).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("jwks_uri is not an http(s) URL")]
    Scheme,
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("body exceeds {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("body is not a JSON object with a \"keys\" array")]
    NotJwks,
    #[error("unusable key: {0}")]
    Key(String),
}

#[derive(Debug, Clone)]
struct Entry {
    keys: Arc<Vec<Value>>,
    expires_ms: Millis,
    /// When the last refetch for an unknown `kid` started.
    refreshed_ms: Option<Millis>,
}

/// The fetcher and its cache; one per process, shared through `AppState`.
#[derive(Debug)]
pub struct RemoteJwks {
    http: reqwest::Client,
    cache: Mutex<HashMap<String, Entry>>,
}

impl Default for RemoteJwks {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .unwrap_or_default();
        Self { http, cache: Mutex::default() }
    }
}

impl RemoteJwks {
    /// The keys at `uri`: the cached set while fresh, else a new fetch.
    pub async fn keys(&self, uri: &str, now_ms: Millis) -> Result<Arc<Vec<Value>>, FetchError> {
        if let Some(e) = self.entry(uri).filter(|e| now_ms < e.expires_ms) {
            return Ok(e.keys);
        }
        self.fetch_and_store(uri, now_ms, None).await
    }

    /// Refetches `uri` because an assertion named a `kid` the cached set lacks; `Ok(None)` when
    /// a refetch for an unknown `kid` already happened in the last 30 s.
    pub async fn refresh(&self, uri: &str, now_ms: Millis) -> Result<Option<Arc<Vec<Value>>>, FetchError> {
        {
            let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(e) = cache.get_mut(uri) {
                if e.refreshed_ms.is_some_and(|t| now_ms - t < REFRESH_INTERVAL_MS) {
                    return Ok(None);
                }
                // Claimed before the fetch, so that a failing or slow endpoint is rate-limited too.
                e.refreshed_ms = Some(now_ms);
            }
        }
        self.fetch_and_store(uri, now_ms, Some(now_ms)).await.map(Some)
    }

    fn entry(&self, uri: &str) -> Option<Entry> {
        self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(uri).cloned()
    }

    async fn fetch_and_store(
        &self,
        uri: &str,
        now_ms: Millis,
        refreshed_ms: Option<Millis>,
    ) -> Result<Arc<Vec<Value>>, FetchError> {
        let (keys, ttl_ms) = self.fetch(uri).await?;
        let keys = Arc::new(keys);
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let refreshed_ms = refreshed_ms.or_else(|| cache.get(uri).and_then(|e| e.refreshed_ms));
        cache.insert(uri.to_owned(), Entry { keys: keys.clone(), expires_ms: now_ms + ttl_ms, refreshed_ms });
        Ok(keys)
    }

    /// One GET: the public keys and the cache lifetime.
    async fn fetch(&self, uri: &str) -> Result<(Vec<Value>, Millis), FetchError> {
        let url = url::Url::parse(uri).map_err(|_| FetchError::Scheme)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme);
        }
        let mut response = self.http.get(url).header("accept", "application/json").send().await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let cache_control: Vec<&str> =
            response.headers().get_all("cache-control").iter().filter_map(|v| v.to_str().ok()).collect();
        let ttl_ms = ttl_ms(Some(cache_control.join(",").as_str()).filter(|s| !s.is_empty()));
        if response.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok((parse_jwks(&body)?, ttl_ms))
    }
}

/// The keys of a JWKS document, each an RSA or EC public key.
pub fn parse_jwks(body: &[u8]) -> Result<Vec<Value>, FetchError> {
    let doc: Value = serde_json::from_slice(body).map_err(|_| FetchError::NotJwks)?;
    let keys = doc.get("keys").and_then(Value::as_array).ok_or(FetchError::NotJwks)?;
    for key in keys {
        let map = key.as_object().ok_or(FetchError::NotJwks)?;
        public_members(map).map_err(|e| FetchError::Key(e.to_string()))?;
    }
    Ok(keys.clone())
}

/// The cache lifetime a `Cache-Control` value asks for: `max-age` clamped to 60 s..1 h, else
/// 5 min.
#[must_use]
pub fn ttl_ms(cache_control: Option<&str>) -> Millis {
    let max_age = cache_control.into_iter().flat_map(|v| v.split(',')).find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        value.trim().trim_matches('"').parse::<u64>().ok()
    });
    match max_age {
        Some(s) => (i64::try_from(s).unwrap_or(i64::MAX).saturating_mul(1000)).clamp(MIN_TTL_MS, MAX_TTL_MS),
        None => DEFAULT_TTL_MS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_from_cache_control() {
        assert_eq!(ttl_ms(None), DEFAULT_TTL_MS);
        assert_eq!(ttl_ms(Some("no-cache")), DEFAULT_TTL_MS);
        assert_eq!(ttl_ms(Some("max-age=600")), 600_000);
        assert_eq!(ttl_ms(Some("public, Max-Age=900, must-revalidate")), 900_000);
        assert_eq!(ttl_ms(Some("max-age=\"120\"")), 120_000);
        assert_eq!(ttl_ms(Some("max-age=0")), MIN_TTL_MS);
        assert_eq!(ttl_ms(Some("max-age=5")), MIN_TTL_MS);
        assert_eq!(ttl_ms(Some("max-age=86400")), MAX_TTL_MS);
        assert_eq!(ttl_ms(Some("max-age=99999999999999999999")), DEFAULT_TTL_MS);
        assert_eq!(ttl_ms(Some("max-age=-5")), DEFAULT_TTL_MS);
        assert_eq!(ttl_ms(Some("max-age=abc, s-maxage=10")), DEFAULT_TTL_MS);
    }

    #[test]
    fn jwks_documents() {
        let rsa = serde_json::json!({"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"});
        let ok = serde_json::to_vec(&serde_json::json!({"keys":[rsa]})).unwrap();
        assert_eq!(parse_jwks(&ok).unwrap().len(), 1);
        assert!(matches!(parse_jwks(b"not json"), Err(FetchError::NotJwks)));
        assert!(matches!(parse_jwks(b"{\"keys\":{}}"), Err(FetchError::NotJwks)));
        assert!(matches!(parse_jwks(b"[]"), Err(FetchError::NotJwks)));
        let private = serde_json::json!({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB"}]});
        assert!(matches!(parse_jwks(&serde_json::to_vec(&private).unwrap()), Err(FetchError::Key(_))));
        let oct = serde_json::json!({"keys":[{"kty":"oct","k":"c2VjcmV0"}]});
        assert!(matches!(parse_jwks(&serde_json::to_vec(&oct).unwrap()), Err(FetchError::Key(_))));
    }
}
