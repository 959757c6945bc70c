//! Resource connections and delegation links: the objects that gate leg 1 of Cross-App
//! Access (xaa.md §1.4, §4.3, §4.4; okta-surface.md §13). A connection is matched by id or by
//! (owner, AS), of which there is at most one; a link by id or by (from, tokenType, to).

use super::agents::agent_target;
use super::servers::server_target;
use super::util::{check_id, check_url, lifecycle_event, non_empty, parse_enum, pick};
use super::{Outcome, Run};
use crate::audit::Target;
use crate::domain::auth_server::SYSTEM_SCOPES;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, ConnectionStatus, DelegationLink, LinkTokenType, ResourceConnection, TextEnum};
use crate::seed::schema::{ConnectionSpec, LinkSpec};
use anyhow::{bail, Result};

pub(super) fn check_connection(spec: &ConnectionSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::Connection, path)?;
    }
    non_empty(&spec.owner, &format!("{path}.owner"))?;
    non_empty(&spec.authorization_server, &format!("{path}.authorizationServer"))?;
    if spec.scopes.is_empty() {
        bail!("{path}.scopes: at least one scope is required");
    }
    if let Some(r) = &spec.resource_indicator {
        check_url(r, &format!("{path}.resourceIndicator"))?;
    }
    if let Some(s) = &spec.status {
        parse_enum::<ConnectionStatus>(s, None, &format!("{path}.status"))?;
    }
    Ok(())
}

/// The connection's scopes are the server's own, never system scopes, and its
/// `resourceIndicator` is one of the server's resources.
fn check_against_server(spec: &ConnectionSpec, server: &AuthServer, scope_names: &[String], path: &str) -> Result<()> {
    for (i, s) in spec.scopes.iter().enumerate() {
        if SYSTEM_SCOPES.contains(&s.as_str()) {
            bail!("{path}.scopes[{i}]: system scopes are never granted through a connection (xaa.md §4.4)");
        }
        if !scope_names.contains(s) {
            bail!("{path}.scopes[{i}]: authorization server {} has no scope \"{s}\"", server.id);
        }
    }
    if let Some(r) = &spec.resource_indicator {
        if !server.allowed_resources().contains(&r.as_str()) {
            bail!(
                "{path}.resourceIndicator: \"{r}\" is not a resource of {} (allowed: {})",
                server.id,
                server.allowed_resources().join(", ")
            );
        }
    }
    Ok(())
}

pub(super) async fn apply_connection(run: &mut Run<'_>, spec: &ConnectionSpec, path: &str) -> Result<()> {
    let owner = run.client_ref(&spec.owner, &format!("{path}.owner")).await?;
    let server = run.server_ref(&spec.authorization_server, &format!("{path}.authorizationServer")).await?;
    let scope_names: Vec<String> = run.store.list_scopes(&server.id).await?.into_iter().map(|s| s.name).collect();
    check_against_server(spec, &server, &scope_names, path)?;
    let status = match &spec.status {
        Some(s) => Some(parse_enum(s, None, &format!("{path}.status"))?),
        None => None,
    };
    let by_id = match &spec.id {
        Some(id) => run.store.find_connection(id).await?,
        None => None,
    };
    if let Some(c) = &by_id {
        if c.owner_id != owner.id() || c.auth_server_id != server.id {
            bail!(
                "{path}: connection {} joins {} to {}; the owner and server of a connection cannot change",
                c.id,
                c.owner_id,
                c.auth_server_id
            );
        }
    }
    let by_key = run.store.find_connection_to(owner.id(), &server.id).await?;
    let key = format!("the connection of {} to {}", owner.id(), server.id);
    let now = run.now;
    let targets =
        |c: &ResourceConnection| [Target::new(&c.id, "ResourceConnection", &c.id, &c.id), server_target(&server)];
    let Some(existing) = pick(path, spec.id.as_deref(), by_id, by_key, |c| &c.id, &key)? else {
        let conn = ResourceConnection {
            id: spec.id.clone().unwrap_or_else(|| new_id(Prefix::Connection)),
            owner_id: owner.id().to_owned(),
            connection_type: "IDENTITY_ASSERTION_CUSTOM_AS".into(),
            auth_server_id: server.id.clone(),
            resource_indicator: spec.resource_indicator.clone(),
            scope_condition: "INCLUDE_ONLY".into(),
            scopes: spec.scopes.clone(),
            target_client_id: spec.target_client_id.clone(),
            consent_required: spec.consent_required.unwrap_or(false),
            status: status.unwrap_or(ConnectionStatus::Active),
            created: now,
            last_updated: now,
        };
        let ev =
            run.event("workload_principal.resource_connection.create", "Create resource connection", &targets(&conn));
        run.store.create_connection(&conn, &[ev]).await?;
        run.count(Outcome::Created);
        return Ok(());
    };
    let mut conn = existing.clone();
    conn.scopes.clone_from(&spec.scopes);
    if spec.resource_indicator.is_some() {
        conn.resource_indicator.clone_from(&spec.resource_indicator);
    }
    if spec.target_client_id.is_some() {
        conn.target_client_id.clone_from(&spec.target_client_id);
    }
    conn.consent_required = spec.consent_required.unwrap_or(conn.consent_required);
    conn.status = status.unwrap_or(conn.status);
    if conn == existing {
        run.count(Outcome::Unchanged);
        return Ok(());
    }
    conn.last_updated = now;
    let t = targets(&conn);
    let mut events = vec![run.event("workload_principal.resource_connection.update", "Update resource connection", &t)];
    let active = |c: &ResourceConnection| c.status == ConnectionStatus::Active;
    if let Some(e) = lifecycle_event("workload_principal.resource_connection", active(&existing), active(&conn)) {
        events.push(run.event(&e, "Resource connection lifecycle change", &t));
    }
    run.store.update_connection(&conn, &events).await?;
    run.count(Outcome::Updated);
    Ok(())
}

pub(super) fn check_link(spec: &LinkSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::DelegationLink, path)?;
    }
    non_empty(&spec.from, &format!("{path}.from"))?;
    non_empty(&spec.to, &format!("{path}.to"))?;
    parse_enum::<LinkTokenType>(&spec.token_type, None, &format!("{path}.tokenType"))?;
    if let Some(s) = &spec.status {
        parse_enum::<ConnectionStatus>(s, None, &format!("{path}.status"))?;
    }
    Ok(())
}

/// Adds a missing link. The store has no update for links, so a seed asking for another
/// status than the stored one is an error rather than a silent no-op.
pub(super) async fn apply_link(run: &mut Run<'_>, spec: &LinkSpec, path: &str) -> Result<()> {
    let from = run.client_ref(&spec.from, &format!("{path}.from")).await?;
    let to = run.agent_ref(&spec.to, &format!("{path}.to")).await?;
    let token_type: LinkTokenType = parse_enum(&spec.token_type, None, &format!("{path}.tokenType"))?;
    let status: Option<ConnectionStatus> =
        spec.status.as_deref().map(|s| parse_enum(s, None, &format!("{path}.status"))).transpose()?;
    let by_id = match &spec.id {
        Some(id) => run.store.find_delegation_link(id).await?,
        None => None,
    };
    if let Some(l) = &by_id {
        if l.from_client_id != from.client_id() || l.token_type != token_type || l.to_agent_id != to.id {
            bail!(
                "{path}: delegation link {} runs from {} ({}) to {}; a link's ends cannot change",
                l.id,
                l.from_client_id,
                l.token_type.as_str(),
                l.to_agent_id
            );
        }
    }
    let by_key = run.store.find_delegation_link_for(from.client_id(), token_type, &to.id).await?;
    let key = format!("the {} link from {} to {}", token_type.as_str(), from.client_id(), to.id);
    match pick(path, spec.id.as_deref(), by_id, by_key, |l| &l.id, &key)? {
        None => {
            let now = run.now;
            let link = DelegationLink {
                id: spec.id.clone().unwrap_or_else(|| new_id(Prefix::DelegationLink)),
                from_client_id: from.client_id().to_owned(),
                token_type,
                to_agent_id: to.id.clone(),
                status: status.unwrap_or(ConnectionStatus::Active),
                created: now,
                last_updated: now,
            };
            let targets = [Target::new(&link.id, "DelegationLink", &link.id, &link.id), agent_target(&to)];
            let ev = run.event("workload_principal.delegation_link.create", "Create delegation link", &targets);
            run.store.create_delegation_link(&link, &[ev]).await?;
            run.count(Outcome::Created);
        }
        Some(l) if status.is_some_and(|s| s != l.status) => bail!(
            "{path}.status: link {} is {}; the status of an existing link cannot be changed by a seed",
            l.id,
            l.status.as_str()
        ),
        Some(_) => run.count(Outcome::Unchanged),
    }
    Ok(())
}
