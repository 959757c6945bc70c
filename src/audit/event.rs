//! Okta LogEvent builder. Secrets never enter an event: only ids and `jti`s do.

use crate::clock::iso8601;
use crate::domain::{LogRecord, Millis};
use serde_json::{json, Map, Value};

/// Where an event comes from: one HTTP request (one `transaction.id`), or the CLI/seed.
#[derive(Debug, Clone)]
pub struct Context {
    pub transaction_id: String,
    pub transaction_type: &'static str,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_uri: Option<String>,
    pub api_token_id: Option<String>,
}

impl Context {
    /// A context for writes that no HTTP request caused (seed files, CLI commands).
    #[must_use]
    pub fn system() -> Self {
        Self {
            transaction_id: crate::domain::ids::new_id(crate::domain::ids::Prefix::ErrorId),
            transaction_type: "JOB",
            ip: None,
            user_agent: None,
            request_uri: None,
            api_token_id: None,
        }
    }
}

/// `actor` / `target[]` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub kind: String,
    pub alternate_id: String,
    pub display_name: String,
}

pub type Target = Actor;

impl Actor {
    #[must_use]
    pub fn new(id: &str, kind: &str, alternate_id: &str, display_name: &str) -> Self {
        Self { id: id.into(), kind: kind.into(), alternate_id: alternate_id.into(), display_name: display_name.into() }
    }

    /// The principal behind writes that no person made (seed, CLI, bootstrap).
    #[must_use]
    pub fn system() -> Self {
        Self::new("baton", "SystemPrincipal", "system@baton", "baton")
    }

    fn to_json(&self) -> Value {
        json!({"id": self.id, "type": self.kind, "alternateId": self.alternate_id, "displayName": self.display_name, "detailEntry": null})
    }
}

#[derive(Debug, Clone)]
pub struct Event {
    kind: String,
    display_message: String,
    actor: Actor,
    targets: Vec<Target>,
    failure: Option<String>,
    client_id: Option<String>,
    debug: Map<String, Value>,
    session_id: Option<String>,
}

impl Event {
    #[must_use]
    pub fn new(event_type: &str, display_message: &str, actor: Actor) -> Self {
        Self {
            kind: event_type.into(),
            display_message: display_message.into(),
            actor,
            targets: Vec::new(),
            failure: None,
            client_id: None,
            debug: Map::new(),
            session_id: None,
        }
    }

    #[must_use]
    pub fn target(mut self, target: Target) -> Self {
        self.targets.push(target);
        self
    }

    /// Marks the event FAILURE (severity WARN) with `outcome.reason`.
    #[must_use]
    pub fn failure(mut self, reason: &str) -> Self {
        self.failure = Some(reason.into());
        self
    }

    #[must_use]
    pub fn client(mut self, client_id: &str) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    #[must_use]
    pub fn session(mut self, session_id: &str) -> Self {
        self.session_id = Some(session_id.into());
        self
    }

    /// Adds a `debugContext.debugData` entry (values are always strings).
    #[must_use]
    pub fn debug(mut self, key: &str, value: impl Into<String>) -> Self {
        self.debug.insert(key.into(), Value::String(value.into()));
        self
    }

    /// The stored record, with the full LogEvent body in Okta's shape.
    #[must_use]
    pub fn build(self, ctx: &Context, now: Millis) -> LogRecord {
        let uuid = uuid::Uuid::new_v4().to_string();
        let (result, severity) = if self.failure.is_some() { ("FAILURE", "WARN") } else { ("SUCCESS", "INFO") };
        let mut debug = self.debug;
        debug.insert("requestId".into(), json!(ctx.transaction_id));
        if let Some(uri) = &ctx.request_uri {
            debug.insert("requestUri".into(), json!(uri));
        }
        let mut detail = Map::new();
        if let Some(t) = &ctx.api_token_id {
            detail.insert("requestApiTokenId".into(), json!(t));
        }
        let ip = ctx.ip.clone();
        let body = json!({
            "uuid": uuid,
            "published": iso8601(now),
            "eventType": self.kind,
            "version": "0",
            "severity": severity,
            "legacyEventType": null,
            "displayMessage": self.display_message,
            "outcome": {"result": result, "reason": self.failure},
            "actor": self.actor.to_json(),
            "client": {
                "userAgent": ctx.user_agent.as_ref().map(|ua| json!({"rawUserAgent": ua, "os": "Unknown", "browser": "UNKNOWN"})),
                "zone": null, "device": "Unknown", "id": self.client_id, "ipAddress": ip, "geographicalContext": null
            },
            "authenticationContext": {
                "authenticationProvider": null, "credentialProvider": null, "credentialType": null, "issuer": null,
                "interface": null, "authenticationStep": 0, "rootSessionId": self.session_id, "externalSessionId": self.session_id
            },
            "securityContext": {"asNumber": null, "asOrg": null, "isp": null, "domain": null, "isProxy": null},
            "debugContext": {"debugData": debug},
            "transaction": {"type": ctx.transaction_type, "id": ctx.transaction_id, "detail": detail},
            "request": {"ipChain": ip.iter().map(|ip| json!({"ip": ip, "geographicalContext": null,
                "version": if ip.contains(':') { "V6" } else { "V4" }, "source": null})).collect::<Vec<_>>()},
            "target": self.targets.iter().map(Actor::to_json).collect::<Vec<_>>(),
        });
        LogRecord {
            uuid,
            published: now,
            event_type: body["eventType"].as_str().unwrap_or_default().to_owned(),
            severity: severity.into(),
            outcome_result: result.into(),
            actor_id: self.actor.id.clone(),
            client_id: self.client_id,
            transaction_id: ctx.transaction_id.clone(),
            targets: self.targets.iter().map(|t| (t.id.clone(), t.kind.clone())).collect(),
            body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_event_has_okta_shape() {
        let ctx = Context::system();
        let rec = Event::new(
            "app.oauth2.as.token.grant",
            "OAuth2 token grant",
            Actor::new("0oa1", "PublicClientApp", "0oa1", "App"),
        )
        .target(Target::new("default", "AuthorizationServer", "http://x/oauth2/default", "default"))
        .client("0oa1")
        .debug("grant_type", "authorization_code")
        .failure("invalid_grant")
        .build(&ctx, 1_772_357_462_353);
        assert_eq!(rec.severity, "WARN");
        assert_eq!(rec.body["version"], "0");
        assert_eq!(rec.body["outcome"], json!({"result": "FAILURE", "reason": "invalid_grant"}));
        assert_eq!(rec.body["published"], "2026-03-01T09:31:02.353Z");
        assert_eq!(rec.body["debugContext"]["debugData"]["grant_type"], "authorization_code");
        assert_eq!(rec.body["debugContext"]["debugData"]["requestId"], json!(ctx.transaction_id));
        assert_eq!(rec.targets, vec![("default".to_owned(), "AuthorizationServer".to_owned())]);
    }
}
