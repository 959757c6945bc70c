//! `AppState`: everything a request needs, passed explicitly (no globals), so that each test
//! can run on its own database with its own clock.

use crate::authn::SignInLimiter;
use crate::clock::Clock;
use crate::config::Config;
use crate::domain::Org;
use crate::jose::KeyRing;
use crate::metrics::Metrics;
use crate::oauth::remote_jwks::RemoteJwks;
use crate::store::DynStore;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: DynStore,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub keys: KeyRing,
    pub org: Arc<Org>,
    /// Failed sign-ins per client address and typed username, in this process's memory.
    pub sign_in_limiter: Arc<SignInLimiter>,
    /// JWKS of external trusted issuers fetched from their `jwks_uri`, cached in memory.
    pub remote_jwks: Arc<RemoteJwks>,
    /// This server's Prometheus registry (`GET /metrics`).
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// `{base}`: the issuer of the org AS, the prefix of every URL baton emits.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.config.issuer
    }

    /// Issuer of a custom AS.
    #[must_use]
    pub fn custom_issuer(&self, auth_server_id: &str) -> String {
        format!("{}/oauth2/{auth_server_id}", self.base())
    }
}
