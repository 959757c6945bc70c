//! The OAuth 2.0 / OIDC protocol layer: one file per endpoint and per grant. Discovery is
//! derived from `SERVED`, so the metadata never advertises an endpoint or grant that is not
//! implemented (okta-surface.md §2.1: the documents grow as features land).

pub mod discovery;

/// What the protocol layer serves today, per authorization server kind.
// One flag per optional endpoint is the clearest shape for a capability table.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy)]
pub struct Served {
    /// `/v1/authorize` with `response_type=code` (and therefore ID tokens).
    pub authorize: bool,
    /// Grant types accepted at the org AS token endpoint.
    pub org_grants: &'static [&'static str],
    /// Grant types accepted at a custom AS token endpoint.
    pub custom_grants: &'static [&'static str],
    pub userinfo: bool,
    pub introspect: bool,
    pub revoke: bool,
    pub logout: bool,
}

/// The foundation serves keys and discovery only; each grant flips its entry when it lands.
pub const SERVED: Served = Served {
    authorize: false,
    org_grants: &[],
    custom_grants: &[],
    userinfo: false,
    introspect: false,
    revoke: false,
    logout: false,
};

pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
pub const ID_JAG_TYPE: &str = "urn:ietf:params:oauth:token-type:id-jag";
pub const ID_JAG_PROFILE: &str = "urn:ietf:params:oauth:grant-profile:id-jag";
