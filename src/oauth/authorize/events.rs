//! System Log events of `/authorize` (okta-surface.md §12, §14). The user is the actor (an
//! `unknown` actor before anyone signed in); targets are the user and the AS; `client.id` is
//! the client. A custom AS logs `app.oauth2.as.authorize` for the request (SUCCESS or FAILURE
//! with the reason), `app.oauth2.as.authorize.code` for the code and
//! `app.oauth2.as.authorize.scope_denied` when policy narrowed the scopes; the org AS logs
//! `app.oauth2.authorize.code` for both the code and a failure. A code also logs
//! `user.authentication.sso`.

use super::access::Granted;
use super::request::AuthorizeRequest;
use crate::audit::{Actor, Event, Target};
use crate::authn::events::user_actor;
use crate::domain::{App, Session, User};
use crate::oauth::error::OAuthError;
use crate::oauth::server::Issuer;
use crate::policy::join;

/// The request event type of this AS: where failures are logged.
fn request_event(issuer: &Issuer) -> &'static str {
    if issuer.is_org() {
        "app.oauth2.authorize.code"
    } else {
        "app.oauth2.as.authorize"
    }
}

fn base(kind: &str, message: &str, issuer: &Issuer, user: Option<&User>) -> Event {
    let actor = user.map_or_else(|| Actor::new("unknown", "User", "unknown", "unknown"), user_actor);
    let mut e = Event::new(kind, message, actor);
    if let Some(user) = user {
        e = e.target(user_actor(user));
    }
    e.target(issuer.target()).debug("authorization_server", issuer.id())
}

/// A failed request: `outcome.reason` = the OAuth `error`, `debugData.error` = Okta's name.
#[must_use]
pub fn failure(issuer: &Issuer, client_id: Option<&str>, user: Option<&User>, error: &OAuthError) -> Event {
    let mut e = base(request_event(issuer), "OAuth2 authorization request", issuer, user)
        .failure(error.error)
        .debug("error", error.reason)
        .debug("error_description", error.description.clone());
    if let Some(client_id) = client_id {
        e = e.client(client_id);
    }
    e
}

/// The events written with a new code: request (custom AS), scope denial, code, SSO.
#[must_use]
pub fn code_issued(req: &AuthorizeRequest, user: &User, session: &Session, granted: &Granted) -> Vec<Event> {
    let issuer = req.issuer();
    let app = req.app();
    let with_common = |e: Event| {
        e.client(&app.client_id)
            .session(&session.id)
            .debug("requested_scopes", join(&req.scopes))
            .debug("granted_scopes", join(&granted.scopes))
            .debug("response_type", "code")
    };
    let mut out = Vec::new();
    if !issuer.is_org() {
        out.push(with_common(base("app.oauth2.as.authorize", "OAuth2 authorization request", issuer, Some(user))));
    }
    if !granted.denied.is_empty() {
        let description = format!(
            "Some of the requested scopes were denied by the policy. Denied scopes: [{}].",
            granted.denied.join(", ")
        );
        out.push(
            with_common(base(
                "app.oauth2.as.authorize.scope_denied",
                "OAuth2 authorization request scope denied",
                issuer,
                Some(user),
            ))
            .failure("access_denied")
            .debug("error", "scope_denied")
            .debug("error_description", description)
            .debug("denied_scopes", join(&granted.denied)),
        );
    }
    let code_kind = if issuer.is_org() { "app.oauth2.authorize.code" } else { "app.oauth2.as.authorize.code" };
    let mut code = with_common(base(code_kind, "OAuth2 authorization code request", issuer, Some(user)));
    if let (Some(policy), Some(rule)) = (&granted.policy_id, &granted.rule_id) {
        code = code.debug("policy", policy.clone()).debug("rule", rule.clone());
    }
    out.push(code);
    out.push(sso(app, user, session));
    out
}

/// `user.authentication.sso`: the user reached an app.
fn sso(app: &App, user: &User, session: &Session) -> Event {
    Event::new("user.authentication.sso", "User single sign on to app", user_actor(user))
        .target(Target::new(&app.id, "AppInstance", &app.label, &app.label))
        .target(user_actor(user))
        .client(&app.client_id)
        .session(&session.id)
        .debug("client_id", app.client_id.clone())
}

/// `app.oauth2.as.consent.grant`: the user approved scopes for the client.
#[must_use]
pub fn consent_granted(req: &AuthorizeRequest, user: &User, session: &Session, scopes: &[String]) -> Event {
    base("app.oauth2.as.consent.grant", "User granted consent to an OAuth2 client", req.issuer(), Some(user))
        .client(&req.app().client_id)
        .session(&session.id)
        .debug("scopes", join(scopes))
        .debug("source", "END_USER")
}
