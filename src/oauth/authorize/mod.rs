//! `/v1/authorize` (okta-surface.md §4; RFC 6749 §4.1; OIDC Core §3.1.2) as one pipeline,
//! `run`, that every step of the browser interaction calls: the authorize request itself (GET
//! query or POST form), the sign-in form and the consent form. Each call re-validates the
//! request from scratch (the forms carry its parameters, which are never trusted) and is told
//! what just happened (`Happened`): a sign-in that just succeeded satisfies `prompt=login` and
//! `max_age`, an approval just given satisfies `prompt=consent`, so neither loops.
//!
//! Steps, in Okta's order (§4.2): prove the AS, client and redirect URI (`request::prove`, HTML
//! error pages) → the remaining parameter checks (`request::check`, errors to the client) →
//! authentication (`authenticate`, §4.3) → assignment and access policy (`access`, §4.5) →
//! consent (`consent`, §4.4) → the code (`code`). Errors after the redirect URI is proven go to
//! it by `response_mode` and are logged with their reason (`events`).

pub mod access;
pub mod authenticate;
pub mod checks;
pub mod code;
pub mod consent;
pub mod events;
pub mod outcome;
pub mod request;
pub mod response;
pub mod scopes;

pub use outcome::{ClientReply, ConsentScope, Flow, Interaction, Outcome, PageError};
pub use request::AuthorizeRequest;
pub use response::ResponseMode;

use crate::audit::Context;
use crate::domain::{Session, User};
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;
use crate::oauth::server::Issuer;
use crate::state::AppState;
use crate::store::StoreError;
use axum::http::StatusCode;
use request::Proven;

/// What the browser just did, as the caller knows it.
#[derive(Debug, Clone, Default)]
pub struct Happened {
    /// The user signed in during this interaction (the sign-in form, or recently enough before
    /// the consent form): `prompt=login` and `max_age` are satisfied.
    pub authenticated_now: bool,
    /// The user pressed Allow on the consent page.
    pub consented_now: bool,
    /// The user pressed Deny on the consent page.
    pub denied_now: bool,
    /// The sign-in form was rejected: show it again with this username and message.
    pub sign_in_failed: Option<SignInRetry>,
}

#[derive(Debug, Clone)]
pub struct SignInRetry {
    pub username: String,
    pub message: String,
}

/// One call of the pipeline.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// The custom AS id from the path (or the `as` form field); `None` for the org AS.
    pub auth_server_id: Option<&'a str>,
    pub params: &'a Params,
    /// The browser's live session (from its cookie, or just created by the sign-in form).
    pub session: Option<Session>,
    pub happened: Happened,
}

/// Why the pipeline stopped before issuing a code.
#[derive(Debug)]
pub enum Stop {
    /// An error for the client's redirect URI.
    Client(OAuthError),
    /// A page of baton's (sign-in or consent).
    Show(Outcome),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Self::Client(e.into())
    }
}

/// What the pipeline learnt on the way, needed whatever the outcome.
#[derive(Debug, Default)]
pub struct Progress {
    pub user: Option<User>,
    pub new_session_cookie: Option<String>,
}

/// Runs the authorize pipeline once.
pub async fn run(state: &AppState, ctx: &Context, input: Input<'_>) -> Flow {
    let session_user = input.session.as_ref().map(|s| s.user_id.clone());
    let proven = match request::prove(state, input.auth_server_id, input.params).await {
        Ok(proven) => proven,
        Err(unproven) => {
            if let (Some(issuer), Some(error)) = (&unproven.issuer, &unproven.error) {
                let user = load_user(state, session_user.as_deref()).await;
                log_failure(state, ctx, issuer, unproven.client_id.as_deref(), user.as_ref(), error).await;
            }
            return Outcome::Page(unproven.page).into();
        }
    };
    let req = match request::check(state, proven, input.params).await {
        Ok(req) => req,
        Err((proven, error)) => {
            let user = load_user(state, session_user.as_deref()).await;
            log_failure(state, ctx, &proven.issuer, Some(&proven.app.client_id), user.as_ref(), &error).await;
            return Outcome::Client(error_reply(&proven, &error)).into();
        }
    };
    let mut progress = Progress::default();
    let outcome = match proceed(state, ctx, &req, input.session, &input.happened, &mut progress).await {
        Ok(reply) => Outcome::Client(reply),
        Err(Stop::Show(page)) => page,
        Err(Stop::Client(error)) => {
            let user = match progress.user.take() {
                Some(user) => Some(user),
                None => load_user(state, session_user.as_deref()).await,
            };
            log_failure(state, ctx, req.issuer(), Some(&req.app().client_id), user.as_ref(), &error).await;
            Outcome::Client(error_reply(&req.proven, &error))
        }
    };
    Flow { outcome, new_session_cookie: progress.new_session_cookie }
}

/// §4.2 steps 5–6 for a valid request.
async fn proceed(
    state: &AppState,
    ctx: &Context,
    req: &AuthorizeRequest,
    session: Option<Session>,
    happened: &Happened,
    progress: &mut Progress,
) -> Result<ClientReply, Stop> {
    if let Some(retry) = &happened.sign_in_failed {
        let page = authenticate::sign_in_page(req, Some(&retry.username), Some(retry.message.clone()));
        return Err(Stop::Show(Outcome::SignIn(page)));
    }
    if happened.denied_now {
        return Err(Stop::Client(OAuthError::bad(
            "access_denied",
            "The resource owner or authorization server denied the request.",
        )));
    }
    let auth = authenticate::authenticate(state, ctx, req, session, happened, progress).await?;
    let granted = access::decide(state, req, &auth.user).await?;
    consent::ensure(state, ctx, req, &auth, &granted.scopes, happened).await?;
    Ok(code::issue(state, ctx, req, &auth, &granted).await?)
}

/// An error for the client: `error`, `error_description`, and `state` unless it was rejected.
fn error_reply(proven: &Proven, error: &OAuthError) -> ClientReply {
    let mut params = vec![("error", error.error.to_owned()), ("error_description", error.description.clone())];
    if let Some(state) = &proven.state {
        params.push(("state", state.clone()));
    }
    ClientReply { redirect_uri: proven.redirect_uri.clone(), mode: proven.mode, params }
}

async fn load_user(state: &AppState, user_id: Option<&str>) -> Option<User> {
    state.store.find_user(user_id?).await.ok().flatten()
}

/// Logs a rejected request. Failing to log does not change the answer (it is reported).
async fn log_failure(
    state: &AppState,
    ctx: &Context,
    issuer: &Issuer,
    client_id: Option<&str>,
    user: Option<&User>,
    error: &OAuthError,
) {
    if error.status == StatusCode::INTERNAL_SERVER_ERROR {
        return;
    }
    let event = events::failure(issuer, client_id, user, error).build(ctx, state.clock.now_ms());
    if let Err(e) = state.store.append_events(&[event]).await {
        tracing::error!(error = %e, "could not log an authorize failure");
    }
}
