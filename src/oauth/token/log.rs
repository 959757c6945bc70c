//! System Log events of the token, introspection and revocation endpoints (okta-surface.md §12,
//! §14; xaa.md §8). A `GrantLog` collects what one grant attempt learns (the client, the user,
//! scopes, policy and rule) and renders the request event, success or failure, and the
//! `.access_token` / `.id_token` / `.refresh_token` events. The actor is always the client,
//! even one that failed to authenticate; tokens never enter an event, only their `jti`s.

use crate::audit::{Actor, Context, Event, Target};
use crate::domain::{LogRecord, Millis, User};
use crate::oauth::client::Client;
use crate::oauth::error::OAuthError;
use crate::oauth::server::Issuer;
use crate::store::Store;

/// Event-type prefix of token events: custom AS or org AS.
#[must_use]
pub fn prefix(issuer: &Issuer) -> &'static str {
    if issuer.is_org() {
        "app.oauth2.token"
    } else {
        "app.oauth2.as.token"
    }
}

/// The System Log target for a user.
#[must_use]
pub fn user_target(user: &User) -> Target {
    Target::new(&user.id, "User", user.profile.login(), &user.profile.display_name())
}

/// The actor for a client id that was claimed but may not exist: the client if it does, else
/// a `PublicClientApp` (`AIAgent` for `wlp…`) named by the id itself.
pub async fn claimed_actor(store: &dyn Store, claimed: Option<&str>) -> Actor {
    let Some(id) = claimed else { return Actor::new("unknown", "PublicClientApp", "unknown", "unknown") };
    match Client::find(store, id).await {
        Ok(Some(client)) => client.actor(),
        _ => Actor::new(id, if id.starts_with("wlp") { "AIAgent" } else { "PublicClientApp" }, id, id),
    }
}

/// `app.oauth2.invalid_client_credentials`: a failed client authentication at any endpoint.
#[must_use]
pub fn invalid_client_credentials(
    actor: Actor,
    issuer: &Issuer,
    attempted: &str,
    error: &OAuthError,
    ctx: &Context,
    now: Millis,
) -> LogRecord {
    let client_id = actor.id.clone();
    Event::new("app.oauth2.invalid_client_credentials", "Invalid OAuth client credentials", actor)
        .target(issuer.target())
        .client(&client_id)
        .debug("client_auth_type", attempted)
        .debug("authorization_server", issuer.id())
        .debug("error", error.reason)
        .debug("error_description", error.description.clone())
        .failure(error.error)
        .build(ctx, now)
}

/// What one token request has learnt so far, for its events.
#[derive(Debug)]
pub struct GrantLog {
    prefix: &'static str,
    actor: Actor,
    client_id: Option<String>,
    subject: Option<Target>,
    server: Target,
    session_id: Option<String>,
    debug: Vec<(&'static str, String)>,
    /// Events to write with the failure event (a failed client authentication).
    pending: Vec<LogRecord>,
    /// True once the grant wrote its request event itself: with its tokens on success, or with
    /// a state change on failure (code reuse, refresh-token reuse). The endpoint writes the
    /// failure event only while this is false.
    pub logged: bool,
}

impl GrantLog {
    #[must_use]
    pub fn new(issuer: &Issuer) -> Self {
        Self {
            prefix: prefix(issuer),
            actor: Actor::new("unknown", "PublicClientApp", "unknown", "unknown"),
            client_id: None,
            subject: None,
            server: issuer.target(),
            session_id: None,
            debug: vec![("authorization_server", issuer.id().to_owned())],
            pending: Vec::new(),
            logged: false,
        }
    }

    pub fn actor(&mut self, actor: Actor) {
        self.client_id = Some(actor.id.clone());
        self.actor = actor;
    }

    pub fn subject(&mut self, target: Target) {
        self.subject = Some(target);
    }

    /// The authorization server named as a target (leg 1: the audience AS, xaa.md §8).
    pub fn server(&mut self, target: Target) {
        self.server = target;
    }

    pub fn session(&mut self, session_id: Option<&str>) {
        self.session_id = session_id.map(str::to_owned);
    }

    /// Sets a `debugData` entry, replacing an earlier value of the same key.
    pub fn debug(&mut self, key: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.debug.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.debug.push((key, value)),
        }
    }

    pub fn scopes(&mut self, key: &'static str, scopes: &[String]) {
        self.debug(key, scopes.join(" "));
    }

    pub fn policy(&mut self, policy_id: Option<&str>, rule_id: Option<&str>) {
        if let Some(p) = policy_id {
            self.debug("policy", p);
        }
        if let Some(r) = rule_id {
            self.debug("rule", r);
        }
    }

    pub fn pending(&mut self, record: LogRecord) {
        self.pending.push(record);
    }

    /// An event of this grant: `{prefix}{suffix}` with the actor, targets and debug data.
    #[must_use]
    pub fn event(&self, suffix: &str, message: &str) -> Event {
        let mut e = Event::new(&format!("{}{suffix}", self.prefix), message, self.actor.clone());
        if let Some(subject) = &self.subject {
            e = e.target(subject.clone());
        }
        e = e.target(self.server.clone());
        if let Some(c) = &self.client_id {
            e = e.client(c);
        }
        if let Some(s) = &self.session_id {
            e = e.session(s);
        }
        for (k, v) in &self.debug {
            e = e.debug(k, v.clone());
        }
        e
    }

    /// The request event (`….token.grant`), FAILURE with the error when one is given. A
    /// jwt-bearer redemption at a custom AS writes its one event as `….grant.access_token`
    /// instead, success or failure (xaa.md §8, leg 2).
    #[must_use]
    pub fn request(&self, failure: Option<&OAuthError>, ctx: &Context, now: Millis) -> LogRecord {
        let leg2 = self.prefix == "app.oauth2.as.token"
            && self.debug.iter().any(|(k, v)| *k == "grant_type" && v == crate::oauth::JWT_BEARER);
        let leg1 = self.prefix == "app.oauth2.token"
            && self.debug.iter().any(|(k, v)| *k == "grant_type" && v == crate::oauth::TOKEN_EXCHANGE);
        let e = if leg2 {
            self.event(".grant.access_token", "OAuth2 access token is granted")
        } else if leg1 {
            // Leg 1 writes its one event as `….grant.id_jag`, success or failure (xaa.md §8).
            self.event(".grant.id_jag", "OAuth2 ID-JAG is granted")
        } else {
            self.event(".grant", "OAuth2 token grant request")
        };
        match failure {
            Some(err) => e
                .debug("error", err.reason)
                .debug("error_description", err.description.clone())
                .failure(err.error)
                .build(ctx, now),
            None => e.build(ctx, now),
        }
    }

    /// Everything to write for a failed grant: pending events, then the FAILURE request event.
    pub fn failure_records(&mut self, error: &OAuthError, ctx: &Context, now: Millis) -> Vec<LogRecord> {
        let mut out = std::mem::take(&mut self.pending);
        out.push(self.request(Some(error), ctx, now));
        out
    }

    /// `….grant.access_token` / `.id_token` (with their `jti`) and `.refresh_token`.
    #[must_use]
    pub fn issued(&self, kind: Issued<'_>, ctx: &Context, now: Millis) -> LogRecord {
        match kind {
            Issued::AccessToken(jti) => {
                self.event(".grant.access_token", "OAuth2 access token is granted").debug("jti", jti).build(ctx, now)
            }
            Issued::IdToken(jti) => {
                self.event(".grant.id_token", "OAuth2 id token is granted").debug("jti", jti).build(ctx, now)
            }
            Issued::RefreshToken => {
                self.event(".grant.refresh_token", "OAuth2 refresh token is granted").build(ctx, now)
            }
        }
    }
}

/// A token named in a success event.
#[derive(Debug, Clone, Copy)]
pub enum Issued<'a> {
    AccessToken(&'a str),
    IdToken(&'a str),
    RefreshToken,
}
