//! The store conformance suite: every method of every store trait (`src/store/*.rs`), run
//! against `SQLite` and Postgres through `baton::store::connect`, checked against the contract
//! in the traits' doc comments. Each test opens a fresh, migrated database of its own.

#[path = "it/common/mod.rs"]
mod common;

#[path = "store_conformance/agents.rs"]
mod agents;
#[path = "store_conformance/apps.rs"]
mod apps;
#[path = "store_conformance/auth_servers.rs"]
mod auth_servers;
#[path = "store_conformance/consent.rs"]
mod consent;
#[path = "store_conformance/fixtures.rs"]
mod fixtures;
#[path = "store_conformance/grants.rs"]
mod grants;
#[path = "store_conformance/keys.rs"]
mod keys;
#[path = "store_conformance/logs.rs"]
mod logs;
#[path = "store_conformance/org.rs"]
mod org;
#[path = "store_conformance/policies.rs"]
mod policies;
#[path = "store_conformance/refresh.rs"]
mod refresh;
#[path = "store_conformance/sessions.rs"]
mod sessions;
#[path = "store_conformance/users.rs"]
mod users;

use common::{Backend, TestDb};
