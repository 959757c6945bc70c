//! Custom authorization servers of a seed (okta-surface.md §11.4): the server itself and its
//! pinned keys here; scopes, claims and trusted issuers in `server_parts`; policies and rules
//! in `policies`. A server the seed creates starts with the system scopes, like one created
//! through the Management API; `default` already exists and may be extended.

use super::policies::{apply_policies, check_policy};
use super::server_parts::{
    apply_claims, apply_scopes, apply_trusted_issuers, check_claim, check_scope, check_trusted_issuer,
};
use super::signing::{initial_keys, install_pinned, load_pinned};
use super::util::{check_id, check_url, check_urls, non_empty, one_of, parse_enum, pick};
use super::{Outcome, Run};
use crate::audit::Target;
use crate::bootstrap::{system_scopes, DEFAULT_AS};
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, SigningAlg, Status, TextEnum};
use crate::seed::schema::AuthServerSpec;
use anyhow::{bail, Result};
use std::path::Path;

pub(super) fn server_target(s: &AuthServer) -> Target {
    Target::new(&s.id, "AuthorizationServer", &s.name, &s.name)
}

fn seed_alg(spec: &AuthServerSpec, path: &str) -> Result<Option<SigningAlg>> {
    spec.signing_alg.as_deref().map(|a| parse_enum(a, None, &format!("{path}.signingAlg"))).transpose()
}

pub(super) fn check_server(spec: &AuthServerSpec, base_dir: &Path, path: &str) -> Result<()> {
    match spec.id.as_deref() {
        Some(DEFAULT_AS) | None => {}
        Some(id) => check_id(id, Prefix::AuthServer, path)?,
    }
    if spec.id.is_none() && spec.name.is_none() {
        bail!("{path}: give id or name, so that the server is found again on the next run");
    }
    overlay_server(&mut AuthServer::new(String::new(), "", 0), spec, path)?;
    let alg = seed_alg(spec, path)?.unwrap_or(SigningAlg::Rs256);
    load_pinned(base_dir, alg, &spec.signing_keys, &format!("{path}.signingKeys"))?;
    for (i, s) in spec.scopes.iter().enumerate() {
        check_scope(s, &format!("{path}.scopes[{i}]"))?;
    }
    for (i, c) in spec.claims.iter().enumerate() {
        check_claim(c, &format!("{path}.claims[{i}]"))?;
    }
    for (i, t) in spec.trusted_issuers.iter().enumerate() {
        check_trusted_issuer(t, &format!("{path}.trustedIssuers[{i}]"))?;
    }
    for (i, p) in spec.policies.iter().enumerate() {
        check_policy(p, &format!("{path}.policies[{i}]"))?;
    }
    Ok(())
}

/// Sets what the seed states; `signingAlg` is handled by the caller (it cannot change).
fn overlay_server(server: &mut AuthServer, spec: &AuthServerSpec, path: &str) -> Result<()> {
    let f = |name: &str| format!("{path}.{name}");
    if let Some(name) = &spec.name {
        non_empty(name, &f("name"))?;
        server.name.clone_from(name);
    }
    if spec.description.is_some() {
        server.description.clone_from(&spec.description);
    }
    if let Some(aud) = &spec.audiences {
        if aud.len() != 1 {
            bail!("{path}.audiences: exactly one audience is allowed");
        }
        check_url(&aud[0], &f("audiences[0]"))?;
        server.audiences.clone_from(aud);
    }
    if let Some(r) = &spec.resources {
        check_urls(r, &f("resources"))?;
        server.resources.clone_from(r);
    }
    if let Some(s) = &spec.status {
        server.status = parse_enum(s, None, &f("status"))?;
    }
    if let Some(m) = &spec.rotation_mode {
        server.rotation_mode = one_of(m, &["AUTO", "MANUAL"], &f("rotationMode"))?;
    }
    Ok(())
}

pub(super) async fn apply_server(run: &mut Run<'_>, spec: &AuthServerSpec, path: &str) -> Result<()> {
    let by_id = match &spec.id {
        Some(id) => run.store.find_auth_server(id).await?,
        None => None,
    };
    let by_name = match &spec.name {
        Some(name) => run.find_server_by_name(name, path).await?,
        None => None,
    };
    let desc = format!("authorization server name \"{}\"", spec.name.as_deref().unwrap_or_default());
    let server = match pick(path, spec.id.as_deref(), by_id, by_name, |s| &s.id, &desc)? {
        None => create_server(run, spec, path).await?,
        Some(existing) => update_server(run, spec, path, existing).await?,
    };
    apply_scopes(run, &server, &spec.scopes, path).await?;
    apply_claims(run, &server, &spec.claims, path).await?;
    apply_trusted_issuers(run, &server, &spec.trusted_issuers, path).await?;
    apply_policies(run, &server, &spec.policies, path).await
}

async fn create_server(run: &mut Run<'_>, spec: &AuthServerSpec, path: &str) -> Result<AuthServer> {
    if spec.name.is_none() {
        bail!("{path}.name: required to create the server");
    }
    if spec.audiences.is_none() {
        bail!("{path}.audiences: required to create the server");
    }
    let now = run.now;
    let id = spec.id.clone().unwrap_or_else(|| new_id(Prefix::AuthServer));
    let mut server = AuthServer::new(id, "", now);
    overlay_server(&mut server, spec, path)?;
    server.signing_alg = seed_alg(spec, path)?.unwrap_or(SigningAlg::Rs256);
    let keys =
        initial_keys(run, &server.id, server.signing_alg, &spec.signing_keys, &format!("{path}.signingKeys")).await?;
    let ev = run.event("oauth2.as.created", "Create authorization server", &[server_target(&server)]);
    run.store.create_auth_server(&server, &system_scopes(&server.id, now), &keys, &[ev]).await?;
    run.count(Outcome::Created);
    Ok(server)
}

async fn update_server(
    run: &mut Run<'_>,
    spec: &AuthServerSpec,
    path: &str,
    existing: AuthServer,
) -> Result<AuthServer> {
    let mut server = existing.clone();
    overlay_server(&mut server, spec, path)?;
    if let Some(alg) = seed_alg(spec, path)? {
        if alg != existing.signing_alg {
            bail!(
                "{path}.signingAlg: the server signs with {}; the algorithm of an existing server cannot change",
                existing.signing_alg.as_str()
            );
        }
    }
    if server == existing {
        run.count(Outcome::Unchanged);
    } else {
        server.last_updated = run.now;
        let target = server_target(&server);
        let mut events =
            vec![run.event("oauth2.as.updated", "Update authorization server", std::slice::from_ref(&target))];
        match (existing.status, server.status) {
            (Status::Inactive, Status::Active) => {
                events.push(run.event("oauth2.as.activated", "Activate authorization server", &[target]));
            }
            (Status::Active, Status::Inactive) => {
                events.push(run.event("oauth2.as.deactivated", "Deactivate authorization server", &[target]));
            }
            _ => {}
        }
        run.store.update_auth_server(&server, &events).await?;
        run.count(Outcome::Updated);
    }
    install_pinned(run, &server.id, server.signing_alg, &spec.signing_keys, &format!("{path}.signingKeys")).await?;
    Ok(server)
}
