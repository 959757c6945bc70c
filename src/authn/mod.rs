//! Classic authentication: who the browser is (okta-surface.md §4.3, §9). Password sign-in
//! with Argon2id on the blocking pool, throttling of failed attempts per user (counted from
//! the System Log, so it holds across replicas) and per client address (in memory), browser
//! sessions behind the `baton_sid` cookie (2 h idle, sliding), and the System Log events of
//! sign-in and sign-out (`user.session.start`, `user.session.end`, §14).
//!
//! The HTTP pages and APIs (`/login`, `/api/v1/authn`, `/api/v1/sessions/me`) and the
//! authorize pipeline call into this module; it knows nothing about axum.

pub mod events;
pub mod password;
pub mod session;
pub mod signin;
pub mod throttle;

pub use session::SESSION_COOKIE;
pub use signin::{verify_credentials, SignInError};
pub use throttle::SignInLimiter;
