//! baton: a self-hosted, Okta-compatible authorization server for AI agents.
//!
//! Layers (dependencies point down): `http` → `oauth` → `policy`, `jose`, `audit`, `store`
//! traits → `domain`. See ARCHITECTURE.md.

pub mod audit; // System Log events in Okta's LogEvent shape
pub mod authn; // passwords, sign-in throttling, browser sessions
pub mod bootstrap; // first-start org, default AS, keys, admin token
pub mod clock; // settable server clock, ISO 8601 rendering
pub mod config; // typed configuration: defaults < TOML < env < flags
pub mod connections; // accepting connections: timeouts, 503 until ready, drain deadline
pub mod domain; // entities and ids; no I/O
pub mod http; // axum router, extractors, error envelopes, routes
pub mod jobs; // background jobs: purge, automatic key rotation
pub mod jose; // keys, JWTs, JWKS
pub mod metrics; // Prometheus registry: counters, histograms, scrape-time gauges
pub mod oauth; // protocol: discovery, endpoints, grants
pub mod policy; // access policy, scopes and consent decisions; pure functions
pub mod seed; // seed files
pub mod server; // start-up: connect, migrate, bootstrap, seed, serve
pub mod state; // AppState
pub mod store; // storage traits, Postgres and SQLite
pub mod telemetry; // logging and OTLP traces: the subscriber `baton` installs
pub mod tls; // `serve --tls`: local CA, rustls listener
