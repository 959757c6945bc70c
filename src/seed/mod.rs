//! Seed files: a YAML description of users, groups, apps, AI agents, custom authorization
//! servers (scopes, claims, policies, rules, pinned keys), resource connections, delegation
//! links and API tokens, applied idempotently at start (`--seed`) or by `baton seed`. The
//! schema is `schema::SeedFile`, documented in docs/seed.md; examples/streamward.yaml builds
//! the chain of xaa.md §9.
//!
//! Applying a seed first checks every entry without touching the database (ids, enumerations,
//! bounds, key files, duplicates), then walks the entries in dependency order. Each entry is
//! matched by id when it gives one, otherwise by its natural key; a missing entity is created,
//! a different one updated, an equal one left alone. Nothing is ever deleted. Every write
//! carries its System Log event, all under one `Context::system()` transaction id.

mod agents;
mod apps;
mod check;
mod client_keys;
mod directory;
pub(crate) mod pem;
mod policies;
mod refs;
pub mod schema;
mod server_parts;
mod servers;
mod signing;
mod util;
mod xaa;

#[cfg(test)]
mod tests;

pub use schema::SeedFile;

use crate::audit::{Actor, Context, Event, Target};
use crate::domain::{LogRecord, Millis, Org};
use crate::jose::KeyRing;
use crate::store::Store;
use std::path::{Path, PathBuf};

/// What applying a seed did, counted per entry (memberships, assignments, keys and secrets
/// count as entries of their own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Reads, parses and applies the seed file at `path`. Key files named in it are looked up
/// relative to the file's directory first, then as given.
pub async fn apply_file(
    store: &dyn Store,
    keys: &KeyRing,
    org: &Org,
    path: &Path,
    now: Millis,
) -> anyhow::Result<SeedReport> {
    // The file name leads every message, and the cause stays in the plain `Display` text.
    let in_file = |e: anyhow::Error| anyhow::anyhow!("seed file {}: {e:#}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| in_file(e.into()))?;
    let seed = parse(&text).map_err(in_file)?;
    let base_dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    apply(store, keys, org, &seed, base_dir, now).await.map_err(in_file)
}

/// Reads the seed file at `path` for the signing keys it pins for the servers bootstrap
/// creates (`bootstrap::bootstrap_with`), so that a fresh start generates none for them.
pub fn bootstrap_keys(path: &Path) -> anyhow::Result<crate::bootstrap::PinnedKeys> {
    let in_file = |e: anyhow::Error| anyhow::anyhow!("seed file {}: {e:#}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| in_file(e.into()))?;
    let seed = parse(&text).map_err(in_file)?;
    let base_dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    signing::bootstrap_keys(&seed, base_dir).map_err(in_file)
}

/// Parses seed YAML. An empty document is an empty seed.
pub fn parse(text: &str) -> anyhow::Result<SeedFile> {
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---") {
        return Ok(SeedFile::default());
    }
    Ok(serde_yaml_ng::from_str(text)?)
}

/// Applies a parsed seed. `base_dir` is where relative key-file paths are looked up first.
pub async fn apply(
    store: &dyn Store,
    keys: &KeyRing,
    org: &Org,
    seed: &SeedFile,
    base_dir: &Path,
    now: Millis,
) -> anyhow::Result<SeedReport> {
    check::check(seed, base_dir)?;
    let mut run = Run { store, keys, org, base_dir, now, ctx: Context::system(), report: SeedReport::default() };
    if let Some(spec) = &seed.org {
        directory::apply_org(&mut run, spec).await.map_err(at("org"))?;
    }
    for (i, spec) in seed.groups.iter().enumerate() {
        let path = format!("groups[{i}]");
        directory::apply_group(&mut run, spec, &path).await.map_err(at(&path))?;
    }
    for (i, spec) in seed.users.iter().enumerate() {
        let path = format!("users[{i}]");
        directory::apply_user(&mut run, spec, &path).await.map_err(at(&path))?;
    }
    for (i, spec) in seed.apps.iter().enumerate() {
        let path = format!("apps[{i}]");
        apps::apply_app(&mut run, spec, &path).await.map_err(at(&path))?;
    }
    for (i, spec) in seed.agents.iter().enumerate() {
        let path = format!("agents[{i}]");
        agents::apply_agent(&mut run, spec, &path).await.map_err(at(&path))?;
    }
    if !seed.org_signing_keys.is_empty() {
        let (org_id, path) = (run.org.id.clone(), "orgSigningKeys");
        let alg = crate::domain::SigningAlg::Rs256;
        signing::install_pinned(&mut run, &org_id, alg, &seed.org_signing_keys, path).await.map_err(at(path))?;
    }
    for (i, spec) in seed.authorization_servers.iter().enumerate() {
        let path = format!("authorizationServers[{i}]");
        servers::apply_server(&mut run, spec, &path).await.map_err(at(&path))?;
    }
    for (i, spec) in seed.connections.iter().enumerate() {
        let path = format!("connections[{i}]");
        xaa::apply_connection(&mut run, spec, &path).await.map_err(at(&path))?;
    }
    for (i, spec) in seed.delegation_links.iter().enumerate() {
        let path = format!("delegationLinks[{i}]");
        xaa::apply_link(&mut run, spec, &path).await.map_err(at(&path))?;
    }
    for (i, spec) in seed.api_tokens.iter().enumerate() {
        let path = format!("apiTokens[{i}]");
        directory::apply_api_token(&mut run, spec, &path).await.map_err(at(&path))?;
    }
    Ok(run.report)
}

/// Names the entry in errors that do not already (a store or key error): every seed error
/// starts with the path of the entry it concerns.
fn at(path: &str) -> impl FnOnce(anyhow::Error) -> anyhow::Error + '_ {
    move |e| {
        if e.to_string().starts_with(path) {
            e
        } else {
            anyhow::anyhow!("{path}: {e:#}")
        }
    }
}

/// What happened to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// One seed run: the services it writes through and what it has done so far.
struct Run<'a> {
    store: &'a dyn Store,
    keys: &'a KeyRing,
    org: &'a Org,
    base_dir: &'a Path,
    now: Millis,
    ctx: Context,
    report: SeedReport,
}

impl Run<'_> {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Created => self.report.created += 1,
            Outcome::Updated => self.report.updated += 1,
            Outcome::Unchanged => self.report.unchanged += 1,
        }
    }

    /// A SUCCESS event by the system principal about `targets`.
    fn event(&self, event_type: &str, message: &str, targets: &[Target]) -> LogRecord {
        targets
            .iter()
            .fold(Event::new(event_type, message, Actor::system()), |e, t| e.target(t.clone()))
            .build(&self.ctx, self.now)
    }
}

/// `base_dir/p` if that exists, else `p` as given (relative to the working directory).
fn resolve_path(base_dir: &Path, p: &Path) -> PathBuf {
    let joined = base_dir.join(p);
    if joined.exists() {
        joined
    } else {
        p.to_path_buf()
    }
}
