//! The authenticated caller of `/v1/introspect` and `/v1/revoke` (okta-surface.md §6.1, §6.2):
//! the same client authentication as the token endpoint (`client_auth`), with the called
//! endpoint as the assertion audience. A public client proves itself by its `client_id` (body,
//! query, or `Basic base64(client_id)` without a colon). A failure is logged as
//! `app.oauth2.invalid_client_credentials` and answered with the authentication error.

use super::client_auth::{authenticate, claimed_client_id, Authenticated, Endpoint};
use super::error::OAuthError;
use super::server::Issuer;
use super::token::log::{claimed_actor, invalid_client_credentials};
use crate::audit::Context;
use crate::domain::Millis;
use crate::oauth::params::Params;
use crate::store::Store;

/// Authenticates the caller of `{issuer}/v1/{path}`; repeated parameters fail first.
pub async fn authenticate_caller(
    store: &dyn Store,
    issuer: &Issuer,
    path: &str,
    authorization: Option<&str>,
    params: &Params,
    ctx: &Context,
    now: Millis,
) -> Result<Authenticated, OAuthError> {
    params.ensure_unique(&[])?;
    let url = issuer.endpoint(path);
    let endpoint = Endpoint { url: &url, issuer: &issuer.issuer, now_ms: now };
    match authenticate(store, authorization, params, &endpoint).await {
        Ok(authenticated) => Ok(authenticated),
        Err(failure) => {
            let claimed = failure.claimed_client_id.clone().or_else(|| claimed_client_id(authorization, params));
            let actor = claimed_actor(store, claimed.as_deref()).await;
            let event = invalid_client_credentials(actor, issuer, failure.attempted, &failure.error, ctx, now);
            if let Err(e) = store.append_events(&[event]).await {
                tracing::error!(error = %e, "could not log a failed client authentication");
            }
            Err(failure.error)
        }
    }
}
