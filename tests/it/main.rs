//! The integration tests, one binary (one link instead of one per feature): a module per
//! feature, each test run against the real router or the real binary, every backend test on
//! SQLite and Postgres (`backend_tests!`). The store conformance suite is its own binary
//! (`tests/store_conformance.rs`). Run one feature with `cargo test --test it login::`.

// A test is one scenario read top to bottom (each step's assertions right after it); the
// 80-line limit of `too_many_lines` is for the server's code, not for these scripts.
#![allow(clippy::too_many_lines)]

#[macro_use]
mod common;
mod browser;
mod console;

mod api_agents;
mod api_app_connections;
mod api_apps;
mod api_auth_servers;
mod api_connections;
mod api_core;
mod api_groups;
mod api_logs;
mod api_policies;
mod api_streamward;
mod api_tokens;
mod api_users;
mod authn;
mod authorize;
mod authorize_access;
mod authorize_errors;
mod authorize_prompts;
mod cancellation;
mod cli;
mod client_auth;
mod client_credentials;
mod consent_broker;
mod console_agent_profile;
mod console_browser;
mod console_config;
mod console_crawl;
mod console_flow;
mod console_insight;
mod console_lists;
mod console_pages;
mod console_policies;
mod cors;
mod demo;
mod dev_endpoints;
mod discovery;
mod docs;
mod fuzz;
mod introspect_revoke;
mod jwt_bearer;
mod layers;
mod login;
mod logout;
mod nul_text;
mod observability;
mod oidc_flow;
mod operations;
mod pg_tls;
mod remote_jwks;
mod replicas;
mod seed;
mod streamward_chain;
mod tls;
mod token_code;
mod token_errors;
mod token_exchange;
mod token_refresh;
mod userinfo;
