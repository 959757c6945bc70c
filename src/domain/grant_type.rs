//! The `grant_type` values baton knows (RFC 6749 §4, RFC 8693, RFC 7523, RFC 8628), spelled
//! once. Which of them are served, where and to whom is the grant registry's business
//! (`oauth::token::registry`); rules and policies below `oauth` name them from here.

pub const AUTHORIZATION_CODE: &str = "authorization_code";
pub const REFRESH_TOKEN: &str = "refresh_token";
pub const CLIENT_CREDENTIALS: &str = "client_credentials";
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Not served: Okta's Default Policy Rule names it, so a rule may too (okta-surface.md §1).
pub const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
