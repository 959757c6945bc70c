//! Scopes, claims and trusted issuers of a custom AS (okta-surface.md §11.4; xaa.md §6).
//! Scopes are matched by id or by name within their server, claims by id or by (name, claim
//! type), trusted issuers by id or by issuer.

use super::servers::server_target;
use super::util::{check_id, check_url, non_empty, one_of, parse_enum, pick};
use super::{Outcome, Run};
use crate::audit::Target;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, Claim, ClaimType, ClaimValueType, Scope, TrustedIssuer};
use crate::jose::keys::public_members;
use crate::seed::schema::{ClaimSpec, ScopeSpec, TrustedIssuerSpec};
use anyhow::{anyhow, bail, Result};
use serde_json::Value;

fn overlay_scope(scope: &mut Scope, spec: &ScopeSpec, path: &str) -> Result<()> {
    non_empty(&spec.name, &format!("{path}.name"))?;
    if spec.name.chars().any(char::is_whitespace) {
        bail!("{path}.name: a scope name cannot contain spaces");
    }
    scope.name.clone_from(&spec.name);
    if spec.description.is_some() {
        scope.description.clone_from(&spec.description);
    }
    if spec.display_name.is_some() {
        scope.display_name.clone_from(&spec.display_name);
    }
    if let Some(c) = &spec.consent {
        scope.consent = parse_enum(c, None, &format!("{path}.consent"))?;
    }
    if let Some(d) = spec.default {
        scope.default = d;
    }
    if let Some(o) = spec.optional {
        scope.optional = o;
    }
    if let Some(m) = &spec.metadata_publish {
        scope.metadata_publish = one_of(m, &["ALL_CLIENTS", "NO_CLIENTS"], &format!("{path}.metadataPublish"))?;
    }
    Ok(())
}

pub(super) fn check_scope(spec: &ScopeSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::Scope, path)?;
    }
    overlay_scope(&mut Scope::custom(String::new(), "", "", 0), spec, path)
}

fn scope_target(s: &Scope) -> Target {
    Target::new(&s.id, "OAuth2Scope", &s.name, &s.name)
}

pub(super) async fn apply_scopes(
    run: &mut Run<'_>,
    server: &AuthServer,
    specs: &[ScopeSpec],
    path: &str,
) -> Result<()> {
    if specs.is_empty() {
        return Ok(());
    }
    let current = run.store.list_scopes(&server.id).await?;
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("{path}.scopes[{i}]");
        let by_id = spec.id.as_ref().and_then(|id| current.iter().find(|s| s.id == *id));
        let by_name = current.iter().find(|s| s.name == spec.name);
        let key = format!("scope name \"{}\"", spec.name);
        let now = run.now;
        let targets = |s: &Scope| [scope_target(s), server_target(server)];
        match pick(&path, spec.id.as_deref(), by_id, by_name, |s| &s.id, &key)? {
            None => {
                let id = spec.id.clone().unwrap_or_else(|| new_id(Prefix::Scope));
                let mut scope = Scope::custom(id, &server.id, "", now);
                overlay_scope(&mut scope, spec, &path)?;
                let ev = run.event("oauth2.scope.created", "Create OAuth2 scope", &targets(&scope));
                run.store.create_scope(&scope, &[ev]).await?;
                run.count(Outcome::Created);
            }
            Some(existing) => {
                let mut scope = existing.clone();
                overlay_scope(&mut scope, spec, &path)?;
                if scope == *existing {
                    run.count(Outcome::Unchanged);
                    continue;
                }
                scope.last_updated = now;
                let ev = run.event("oauth2.scope.updated", "Update OAuth2 scope", &targets(&scope));
                run.store.update_scope(&scope, &[ev]).await?;
                run.count(Outcome::Updated);
            }
        }
    }
    Ok(())
}

fn overlay_claim(claim: &mut Claim, spec: &ClaimSpec, path: &str) -> Result<()> {
    let f = |name: &str| format!("{path}.{name}");
    non_empty(&spec.name, &f("name"))?;
    claim.name.clone_from(&spec.name);
    claim.claim_type = parse_enum(&spec.claim_type, None, &f("claimType"))?;
    if let Some(v) = &spec.value_type {
        let allowed = [ClaimValueType::Expression, ClaimValueType::Groups];
        claim.value_type = parse_enum(v, Some(&allowed), &f("valueType"))?;
    }
    non_empty(&spec.value, &f("value"))?;
    claim.value.clone_from(&spec.value);
    if let Some(g) = &spec.group_filter_type {
        claim.group_filter_type =
            Some(one_of(g, &["STARTS_WITH", "EQUALS", "CONTAINS", "REGEX"], &f("groupFilterType"))?);
    }
    if let Some(s) = &spec.scopes {
        claim.scopes.clone_from(s);
    }
    if let Some(a) = spec.always_include_in_token {
        claim.always_include_in_token = a;
    }
    if let Some(s) = &spec.status {
        claim.status = parse_enum(s, None, &f("status"))?;
    }
    match claim.value_type {
        ClaimValueType::Groups if claim.group_filter_type.is_none() => {
            bail!("{path}.groupFilterType: required for a GROUPS claim");
        }
        ClaimValueType::Expression => {
            if claim.group_filter_type.is_some() {
                bail!("{path}.groupFilterType: only GROUPS claims have one");
            }
            check_expression(&claim.value, &f("value"))?;
        }
        _ => {}
    }
    if claim.claim_type == ClaimType::Resource && !claim.always_include_in_token {
        bail!("{path}.alwaysIncludeInToken: RESOURCE claims are always included");
    }
    Ok(())
}

/// The expressions baton evaluates: `user.<profile attribute>` or a double-quoted literal.
fn check_expression(value: &str, field: &str) -> Result<()> {
    let attr = value.strip_prefix("user.").filter(|a| {
        a.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    let literal =
        value.len() >= 2 && value.starts_with('"') && value.ends_with('"') && !value[1..value.len() - 1].contains('"');
    if attr.is_none() && !literal {
        bail!("{field}: \"{value}\" is not an expression baton evaluates (user.<attribute> or a \"quoted\" literal)");
    }
    Ok(())
}

pub(super) fn check_claim(spec: &ClaimSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::Claim, path)?;
    }
    overlay_claim(&mut Claim::new(String::new(), "", "", ClaimType::Resource, 0), spec, path)
}

pub(super) async fn apply_claims(
    run: &mut Run<'_>,
    server: &AuthServer,
    specs: &[ClaimSpec],
    path: &str,
) -> Result<()> {
    if specs.is_empty() {
        return Ok(());
    }
    let scope_names: Vec<String> = run.store.list_scopes(&server.id).await?.into_iter().map(|s| s.name).collect();
    let current = run.store.list_claims(&server.id).await?;
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("{path}.claims[{i}]");
        for (j, s) in spec.scopes.iter().flatten().enumerate() {
            if !scope_names.contains(s) {
                bail!("{path}.scopes[{j}]: the server has no scope \"{s}\"");
            }
        }
        let claim_type: ClaimType = parse_enum(&spec.claim_type, None, &format!("{path}.claimType"))?;
        let by_id = spec.id.as_ref().and_then(|id| current.iter().find(|c| c.id == *id));
        let by_key = current.iter().find(|c| c.name == spec.name && c.claim_type == claim_type);
        let key = format!("claim name \"{}\" ({})", spec.name, spec.claim_type);
        let now = run.now;
        let targets = |c: &Claim| [Target::new(&c.id, "OAuth2Claim", &c.name, &c.name), server_target(server)];
        match pick(&path, spec.id.as_deref(), by_id, by_key, |c| &c.id, &key)? {
            None => {
                let id = spec.id.clone().unwrap_or_else(|| new_id(Prefix::Claim));
                let mut claim = Claim::new(id, &server.id, "", ClaimType::Resource, now);
                overlay_claim(&mut claim, spec, &path)?;
                let ev = run.event("oauth2.claim.created", "Create OAuth2 claim", &targets(&claim));
                run.store.create_claim(&claim, &[ev]).await?;
                run.count(Outcome::Created);
            }
            Some(existing) => {
                let mut claim = existing.clone();
                overlay_claim(&mut claim, spec, &path)?;
                if claim == *existing {
                    run.count(Outcome::Unchanged);
                    continue;
                }
                claim.last_updated = now;
                let ev = run.event("oauth2.claim.updated", "Update OAuth2 claim", &targets(&claim));
                run.store.update_claim(&claim, &[ev]).await?;
                run.count(Outcome::Updated);
            }
        }
    }
    Ok(())
}

pub(super) fn check_trusted_issuer(spec: &TrustedIssuerSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::TrustedIssuer, path)?;
    }
    check_url(&spec.issuer, &format!("{path}.issuer"))?;
    if let Some(u) = &spec.jwks_uri {
        check_url(u, &format!("{path}.jwksUri"))?;
    }
    if let Some(jwks) = &spec.jwks {
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| anyhow!("{path}.jwks: expected {{\"keys\": [...]}}"))?;
        for (i, k) in keys.iter().enumerate() {
            let map = k.as_object().ok_or_else(|| anyhow!("{path}.jwks.keys[{i}]: not an object"))?;
            public_members(map).map_err(|e| anyhow!("{path}.jwks.keys[{i}]: {e}"))?;
        }
    }
    if spec.jwks_uri.is_none() && spec.jwks.is_none() {
        bail!("{path}: give jwksUri or jwks, to verify the issuer's assertions");
    }
    Ok(())
}

/// Adds missing trusted issuers. The store cannot update one, so a changed entry is an error.
pub(super) async fn apply_trusted_issuers(
    run: &mut Run<'_>,
    server: &AuthServer,
    specs: &[TrustedIssuerSpec],
    path: &str,
) -> Result<()> {
    if specs.is_empty() {
        return Ok(());
    }
    let current = run.store.list_trusted_issuers(&server.id).await?;
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("{path}.trustedIssuers[{i}]");
        let by_id = spec.id.as_ref().and_then(|id| current.iter().find(|t| t.id == *id));
        let by_key = current.iter().find(|t| t.issuer == spec.issuer);
        let key = format!("issuer \"{}\"", spec.issuer);
        match pick(&path, spec.id.as_deref(), by_id, by_key, |t| &t.id, &key)? {
            None => {
                let issuer = TrustedIssuer {
                    id: spec.id.clone().unwrap_or_else(|| new_id(Prefix::TrustedIssuer)),
                    auth_server_id: server.id.clone(),
                    issuer: spec.issuer.clone(),
                    jwks_uri: spec.jwks_uri.clone(),
                    jwks: spec.jwks.clone(),
                    created: run.now,
                };
                let ev = run.event("oauth2.as.updated", "Update authorization server", &[server_target(server)]);
                run.store.create_trusted_issuer(&issuer, &[ev]).await?;
                run.count(Outcome::Created);
            }
            Some(t) if t.issuer == spec.issuer && t.jwks_uri == spec.jwks_uri && t.jwks == spec.jwks => {
                run.count(Outcome::Unchanged);
            }
            Some(t) => bail!(
                "{path}: trusted issuer {} exists with other settings; trusted issuers cannot be updated, delete it first",
                t.id
            ),
        }
    }
    Ok(())
}
