//! Authorization decisions as pure functions over domain values: which access policy and rule
//! of a custom authorization server apply to a request and what they grant (okta-surface.md
//! §4.5 steps 2–4, §5.2), whether the consent page must be shown (§4.4), and the scope
//! parameter helpers every endpoint shares (RFC 6749 §3.3). No I/O: callers load the policies,
//! rules, scopes, user and groups, and act on the decision (errors, logs, storage).

pub mod access_graph;
pub mod consent;
#[cfg(test)]
mod fixtures;
pub mod scopes;
pub mod user_access;

pub use consent::consent_needed;
pub use scopes::{is_oidc_scope, join, parse_scope, OIDC_SCOPES};
pub use user_access::jwt_bearer::{evaluate_jwt_bearer, JwtBearerDecision, JwtBearerInput};
pub use user_access::{evaluate, AccessDecision, AccessDenied, AccessInput, ALL_CLIENTS, EVERYONE};
