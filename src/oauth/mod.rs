//! The OAuth 2.0 / OIDC protocol layer: one file per endpoint and per grant. Discovery is
//! derived from `SERVED` and the grant registry (`token::registry`), so the metadata never
//! advertises an endpoint or grant that is not implemented (okta-surface.md §2.1: the
//! documents grow as features land).

pub mod authorize;
pub mod caller;
pub mod client;
pub mod client_assertion;
pub mod client_auth;
pub mod discovery;
pub mod error;
pub mod introspect;
pub mod logout;
pub mod params;
pub mod remote_jwks;
pub mod revoke;
pub mod server;
pub mod token;
pub mod userinfo;
pub mod verify;

/// What the protocol layer serves today, per authorization server kind.
// One flag per optional endpoint is the clearest shape for a capability table.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy)]
pub struct Served {
    /// `/v1/authorize` with `response_type=code` (and therefore ID tokens).
    pub authorize: bool,
    pub userinfo: bool,
    pub introspect: bool,
    pub revoke: bool,
    pub logout: bool,
}

/// The endpoints served today; each flips its entry when it lands (grants are registered in
/// `token::registry`).
pub const SERVED: Served = Served { authorize: true, userinfo: true, introspect: true, revoke: true, logout: true };

pub use crate::domain::grant_type::{JWT_BEARER, TOKEN_EXCHANGE};
pub const ID_JAG_TYPE: &str = "urn:ietf:params:oauth:token-type:id-jag";
pub const ID_JAG_PROFILE: &str = "urn:ietf:params:oauth:grant-profile:id-jag";
