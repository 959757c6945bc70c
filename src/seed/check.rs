//! The pass that runs before anything is written: every entry's ids, enumerations, bounds and
//! key files, and duplicates within the file (two entries with one natural key would undo each
//! other on every run). References to other entries are resolved later, against the database.

use super::agents::check_agent;
use super::apps::check_app;
use super::directory::{check_api_token, check_group, check_org, check_user, seed_login};
use super::servers::check_server;
use super::signing::load_pinned;
use super::xaa::{check_connection, check_link};
use super::SeedFile;
use crate::domain::SigningAlg;
use anyhow::{bail, Result};
use std::collections::HashMap;
use std::path::Path;

/// Keys seen so far, each with the entry that used it first.
#[derive(Default)]
struct Seen(HashMap<String, String>);

impl Seen {
    fn add(&mut self, key: String, what: &str, path: &str) -> Result<()> {
        if let Some(first) = self.0.get(&key) {
            bail!("{path}: {what} is already used by {first}");
        }
        self.0.insert(key, path.to_owned());
        Ok(())
    }

    fn add_id(&mut self, id: Option<&String>, path: &str) -> Result<()> {
        match id {
            Some(id) => self.add(format!("id {id}"), &format!("id {id}"), path),
            None => Ok(()),
        }
    }
}

pub(super) fn check(seed: &SeedFile, base_dir: &Path) -> Result<()> {
    let mut ids = Seen::default();
    let mut kids = Seen::default();
    if let Some(org) = &seed.org {
        check_org(org)?;
    }
    let mut names = Seen::default();
    for (i, g) in seed.groups.iter().enumerate() {
        let path = format!("groups[{i}]");
        check_group(g, &path)?;
        ids.add_id(g.id.as_ref(), &path)?;
        names.add(g.name.clone(), &format!("group name \"{}\"", g.name), &path)?;
    }
    let mut names = Seen::default();
    for (i, u) in seed.users.iter().enumerate() {
        let path = format!("users[{i}]");
        check_user(u, &path)?;
        ids.add_id(u.id.as_ref(), &path)?;
        let login = seed_login(u);
        names.add(login.to_lowercase(), &format!("login \"{login}\""), &path)?;
    }
    let mut names = Seen::default();
    for (i, a) in seed.apps.iter().enumerate() {
        let path = format!("apps[{i}]");
        check_app(a, base_dir, &path)?;
        ids.add_id(a.id.as_ref(), &path)?;
        if let Some(c) = a.client_id.as_ref().or(a.id.as_ref()) {
            names.add(c.clone(), &format!("client id \"{c}\""), &path)?;
        }
    }
    let mut names = Seen::default();
    for (i, a) in seed.agents.iter().enumerate() {
        let path = format!("agents[{i}]");
        check_agent(a, base_dir, &path)?;
        ids.add_id(a.id.as_ref(), &path)?;
        names.add(a.name.clone(), &format!("agent name \"{}\"", a.name), &path)?;
    }
    for (i, p) in load_pinned(base_dir, SigningAlg::Rs256, &seed.org_signing_keys, "orgSigningKeys")?.iter().enumerate()
    {
        kids.add(p.material.kid.clone(), "signing key", &format!("orgSigningKeys[{i}]"))?;
    }
    check_servers(seed, base_dir, &mut ids, &mut kids)?;
    let mut names = Seen::default();
    for (i, c) in seed.connections.iter().enumerate() {
        let path = format!("connections[{i}]");
        check_connection(c, &path)?;
        ids.add_id(c.id.as_ref(), &path)?;
        let key = format!("connection of \"{}\" to \"{}\"", c.owner, c.authorization_server);
        names.add(key.clone(), &key, &path)?;
    }
    let mut names = Seen::default();
    for (i, l) in seed.delegation_links.iter().enumerate() {
        let path = format!("delegationLinks[{i}]");
        check_link(l, &path)?;
        ids.add_id(l.id.as_ref(), &path)?;
        let key = format!("{} link from \"{}\" to \"{}\"", l.token_type, l.from, l.to);
        names.add(key.clone(), &key, &path)?;
    }
    let mut names = Seen::default();
    for (i, t) in seed.api_tokens.iter().enumerate() {
        let path = format!("apiTokens[{i}]");
        check_api_token(t, &path)?;
        ids.add_id(t.id.as_ref(), &path)?;
        names.add(t.name.clone(), &format!("API token name \"{}\"", t.name), &path)?;
    }
    Ok(())
}

fn check_servers(seed: &SeedFile, base_dir: &Path, ids: &mut Seen, kids: &mut Seen) -> Result<()> {
    let mut names = Seen::default();
    for (i, s) in seed.authorization_servers.iter().enumerate() {
        let path = format!("authorizationServers[{i}]");
        check_server(s, base_dir, &path)?;
        ids.add_id(s.id.as_ref(), &path)?;
        if let Some(n) = &s.name {
            names.add(n.clone(), &format!("authorization server name \"{n}\""), &path)?;
        }
        let alg = match s.signing_alg.as_deref() {
            Some("ES256") => SigningAlg::Es256,
            _ => SigningAlg::Rs256,
        };
        for (j, p) in load_pinned(base_dir, alg, &s.signing_keys, "")?.iter().enumerate() {
            kids.add(p.material.kid.clone(), "signing key", &format!("{path}.signingKeys[{j}]"))?;
        }
        let mut scopes = Seen::default();
        for (j, sc) in s.scopes.iter().enumerate() {
            let p = format!("{path}.scopes[{j}]");
            ids.add_id(sc.id.as_ref(), &p)?;
            scopes.add(sc.name.clone(), &format!("scope name \"{}\"", sc.name), &p)?;
        }
        let mut claims = Seen::default();
        for (j, c) in s.claims.iter().enumerate() {
            let p = format!("{path}.claims[{j}]");
            ids.add_id(c.id.as_ref(), &p)?;
            let key = format!("claim \"{}\" ({})", c.name, c.claim_type);
            claims.add(key.clone(), &key, &p)?;
        }
        let mut issuers = Seen::default();
        for (j, t) in s.trusted_issuers.iter().enumerate() {
            let p = format!("{path}.trustedIssuers[{j}]");
            ids.add_id(t.id.as_ref(), &p)?;
            issuers.add(t.issuer.clone(), &format!("issuer \"{}\"", t.issuer), &p)?;
        }
        let mut policies = Seen::default();
        for (j, pol) in s.policies.iter().enumerate() {
            let p = format!("{path}.policies[{j}]");
            ids.add_id(pol.id.as_ref(), &p)?;
            policies.add(pol.name.clone(), &format!("policy name \"{}\"", pol.name), &p)?;
            let mut rules = Seen::default();
            for (k, r) in pol.rules.iter().enumerate() {
                let rp = format!("{p}.rules[{k}]");
                ids.add_id(r.id.as_ref(), &rp)?;
                rules.add(r.name.clone(), &format!("rule name \"{}\"", r.name), &rp)?;
            }
        }
    }
    Ok(())
}
