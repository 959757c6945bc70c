//! AI agents of a seed with their owners and public keys (okta-surface.md §13). Each write
//! records a COMPLETED operation, as the AI-agent API does.

use super::client_keys::{apply_client_keys, draft, KeyOwner};
use super::util::{check_id, check_url, lifecycle_event, non_empty, parse_enum, pick};
use super::{Outcome, Run};
use crate::audit::Target;
use crate::domain::ids::{new_id, new_operation_id, Prefix};
use crate::domain::{Agent, AgentStatus, Operation, TextEnum};
use crate::seed::schema::AgentSpec;
use anyhow::{bail, Result};
use std::path::Path;

pub(super) fn agent_target(a: &Agent) -> Target {
    Target::new(&a.id, "AIAgent", &a.id, &a.name)
}

fn blank_agent(id: String, now: i64) -> Agent {
    Agent {
        id,
        status: AgentStatus::Active,
        app_id: None,
        name: String::new(),
        description: None,
        resource_url: None,
        owners: Vec::new(),
        created: now,
        last_updated: now,
    }
}

/// Sets the fields the seed states that need no lookup (`appId` and `owners` are references).
fn overlay_agent(agent: &mut Agent, spec: &AgentSpec, path: &str) -> Result<()> {
    if spec.name.trim().chars().count() < 3 {
        bail!("{path}.name: must be at least 3 characters long");
    }
    agent.name.clone_from(&spec.name);
    if spec.description.is_some() {
        agent.description.clone_from(&spec.description);
    }
    if let Some(s) = &spec.status {
        agent.status = parse_enum(s, None, &format!("{path}.status"))?;
    }
    if let Some(u) = &spec.resource_url {
        check_url(u, &format!("{path}.resourceUrl"))?;
        agent.resource_url = Some(u.clone());
    }
    Ok(())
}

pub(super) fn check_agent(spec: &AgentSpec, base_dir: &Path, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::Agent, path)?;
    }
    overlay_agent(&mut blank_agent(String::new(), 0), spec, path)?;
    if let Some(app) = &spec.app_id {
        non_empty(app, &format!("{path}.appId"))?;
    }
    for (i, o) in spec.owners.iter().flatten().enumerate() {
        non_empty(o, &format!("{path}.owners[{i}]"))?;
    }
    for (i, k) in spec.keys.iter().enumerate() {
        draft(base_dir, k, &format!("{path}.keys[{i}]"))?;
    }
    Ok(())
}

pub(super) async fn apply_agent(run: &mut Run<'_>, spec: &AgentSpec, path: &str) -> Result<()> {
    let by_id = match &spec.id {
        Some(id) => run.store.find_agent(id).await?,
        None => None,
    };
    let by_name = run.find_agent_by_name(&spec.name, path).await?;
    let existing = pick(path, spec.id.as_deref(), by_id, by_name, |a| &a.id, &format!("agent name \"{}\"", spec.name))?;
    let app_id = match &spec.app_id {
        Some(r) => Some(run.app_ref(r, &format!("{path}.appId")).await?.id),
        None => None,
    };
    let owners = match &spec.owners {
        Some(list) => {
            let mut ids: Vec<String> = Vec::new();
            for (i, r) in list.iter().enumerate() {
                let id = run.user_ref(r, &format!("{path}.owners[{i}]")).await?.id;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Some(ids)
        }
        None => None,
    };
    let agent = match existing {
        None => {
            let mut agent = blank_agent(spec.id.clone().unwrap_or_else(|| new_id(Prefix::Agent)), run.now);
            overlay_agent(&mut agent, spec, path)?;
            agent.app_id = app_id;
            agent.owners = owners.unwrap_or_default();
            let op = operation(run, "ai-agent:Register", &agent);
            let ev = run.event("workload_principal.ai_agent.register", "Register AI agent", &[agent_target(&agent)]);
            run.store.create_agent(&agent, &op, &[ev]).await?;
            run.count(Outcome::Created);
            agent
        }
        Some(existing) => {
            let mut agent = existing.clone();
            overlay_agent(&mut agent, spec, path)?;
            if app_id.is_some() {
                agent.app_id = app_id;
            }
            if let Some(owners) = owners {
                agent.owners = owners;
            }
            update_agent(run, existing, agent).await?
        }
    };
    let target = agent_target(&agent);
    apply_client_keys(run, KeyOwner::Agent, &agent.id, &target, &spec.keys, &format!("{path}.keys")).await
}

async fn update_agent(run: &mut Run<'_>, existing: Agent, mut agent: Agent) -> Result<Agent> {
    if agent == existing {
        run.count(Outcome::Unchanged);
        return Ok(agent);
    }
    agent.last_updated = run.now;
    let target = agent_target(&agent);
    let mut events =
        vec![run.event("workload_principal.ai_agent.update", "Update AI agent", std::slice::from_ref(&target))];
    let active = |a: &Agent| a.status == AgentStatus::Active;
    if let Some(t) = lifecycle_event("workload_principal.ai_agent", active(&existing), active(&agent)) {
        events.push(run.event(&t, "AI agent lifecycle change", &[target]));
    }
    let op = operation(run, "ai-agent:Replace", &agent);
    run.store.update_agent(&agent, &op, &events).await?;
    run.count(Outcome::Updated);
    Ok(agent)
}

/// The operation the AI-agent API would report for this write, already COMPLETED.
fn operation(run: &Run<'_>, op_type: &str, agent: &Agent) -> Operation {
    Operation {
        id: new_operation_id(),
        op_type: op_type.into(),
        status: "COMPLETED".into(),
        resource_id: agent.id.clone(),
        resource_type: "ai_agent".into(),
        resource_status: agent.status.as_str().into(),
        created: run.now,
        started: run.now,
        completed: Some(run.now),
    }
}
