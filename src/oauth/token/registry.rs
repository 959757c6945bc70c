//! The grant registry: one descriptor per grant module, and every list of grant types derived
//! from it — the token endpoint's checks and dispatch, `grant_types_supported` in discovery,
//! the grant types an app, an agent or a policy rule may name (Management API, seed, console).
//! A new grant is one module with its `DESCRIPTOR` and one line in `GRANTS`.

use super::{authorization_code, client_credentials, errors, jwt_bearer, refresh_token, token_exchange, Grant};
use crate::domain::grant_type::DEVICE_CODE;
use crate::domain::AuthMethod;
use crate::oauth::client::Client;
use crate::oauth::discovery::Kind;
use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;

/// What the token endpoint and the lists of grant types need to know about a grant.
// One flag per property is the clearest shape for a capability table.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy)]
pub struct GrantDescriptor {
    /// The `grant_type` value.
    pub grant_type: &'static str,
    /// The grant's module name (`token_exchange`), e.g. for form fields.
    pub name: &'static str,
    /// How the console names it.
    pub label: &'static str,
    /// The kinds of authorization server whose token endpoint serves it.
    pub served_by: &'static [Kind],
    /// Okta's own answer at a kind of AS that does not serve it; `None` gives the generic
    /// `unsupported_grant_type` listing what that AS serves.
    pub elsewhere: Option<fn() -> OAuthError>,
    /// Parameters that may arrive repeated, so that the grant answers them with its own rows
    /// instead of the generic repeated-parameter error.
    pub repeatable: &'static [&'static str],
    /// Refused to a public (`none`) client with `invalid_client` (xaa.md §3.1).
    pub confidential_only: bool,
    /// Accepted from a browser (a request with `Origin`, okta-surface.md §5.2).
    pub from_browser: bool,
    /// A policy rule may name it (a refresh is judged by the rule that issued the token).
    pub in_rules: bool,
    /// AI agents may use it (xaa.md §3: both XAA grants).
    pub agents: bool,
    /// Reads the grant's own parameters.
    pub parse: fn(&Params) -> Result<Grant, OAuthError>,
}

/// Every grant baton serves, in the order lists show them.
pub const GRANTS: &[GrantDescriptor] = &[
    authorization_code::DESCRIPTOR,
    refresh_token::DESCRIPTOR,
    client_credentials::DESCRIPTOR,
    token_exchange::DESCRIPTOR,
    jwt_bearer::DESCRIPTOR,
];

/// Grant types a rule may name although baton serves them nowhere: Okta's Default Policy Rule
/// names `device_code` (okta-surface.md §1).
const RULE_ONLY: &[&str] = &[DEVICE_CODE];

impl GrantDescriptor {
    #[must_use]
    pub fn serves(&self, kind: Kind) -> bool {
        self.served_by.contains(&kind)
    }

    /// The rows every grant shares before its own parameters, in order: the kind of AS, a
    /// public client, a browser, the client's configured grant types.
    pub fn admit(&self, kind: Kind, client: &Client, browser: bool) -> Result<(), OAuthError> {
        if !self.serves(kind) {
            return Err(self.elsewhere.map_or_else(|| errors::unsupported_grant_type(&served_at(kind)), |e| e()));
        }
        if self.confidential_only && client.auth_method() == AuthMethod::None {
            return Err(errors::public_client());
        }
        if browser && !self.from_browser {
            return Err(errors::browser_grant());
        }
        let configured = client.grant_types();
        if !configured.iter().any(|g| g == self.grant_type) {
            return Err(errors::unauthorized_client(&configured));
        }
        Ok(())
    }
}

/// The descriptor of `grant_type`, if baton serves it anywhere.
#[must_use]
pub fn find(grant_type: &str) -> Option<&'static GrantDescriptor> {
    GRANTS.iter().find(|g| g.grant_type == grant_type)
}

/// The grant types the token endpoint of this kind of AS answers (`grant_types_supported`).
#[must_use]
pub fn served_at(kind: Kind) -> Vec<&'static str> {
    GRANTS.iter().filter(|g| g.serves(kind)).map(|g| g.grant_type).collect()
}

/// The parameters of `grant_type` that may arrive repeated.
#[must_use]
pub fn repeatable(grant_type: Option<&str>) -> &'static [&'static str] {
    grant_type.and_then(find).map_or(&[], |g| g.repeatable)
}

/// The grant types an app may list (okta-surface.md §5.2): every grant baton serves.
#[must_use]
pub fn app_grant_types() -> Vec<&'static str> {
    GRANTS.iter().map(|g| g.grant_type).collect()
}

/// The grant types of every AI agent.
#[must_use]
pub fn agent_grant_types() -> Vec<&'static str> {
    GRANTS.iter().filter(|g| g.agents).map(|g| g.grant_type).collect()
}

/// The grant types a policy rule may name, sorted as Okta lists them in its Default Policy
/// Rule (okta-surface.md §1), which names all of them.
#[must_use]
pub fn rule_grant_types() -> Vec<&'static str> {
    let mut out: Vec<&str> =
        GRANTS.iter().filter(|g| g.in_rules).map(|g| g.grant_type).chain(RULE_ONLY.iter().copied()).collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_okta_order() {
        assert_eq!(
            served_at(Kind::Org),
            ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:token-exchange"]
        );
        assert_eq!(
            served_at(Kind::Custom),
            [
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:jwt-bearer"
            ]
        );
        assert_eq!(
            rule_grant_types(),
            [
                "authorization_code",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:device_code",
                "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ]
        );
        assert_eq!(
            agent_grant_types(),
            ["urn:ietf:params:oauth:grant-type:token-exchange", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
        );
        assert!(!app_grant_types().contains(&DEVICE_CODE), "no app may list a grant baton does not serve");
    }

    #[test]
    fn only_token_exchange_takes_repeated_parameters() {
        assert_eq!(repeatable(Some(token_exchange::GRANT_TYPE)), ["audience", "resource"]);
        assert!(repeatable(Some(jwt_bearer::GRANT_TYPE)).is_empty());
        assert!(repeatable(None).is_empty());
    }
}
