//! Access policies and their rules within a custom AS (okta-surface.md §1, §4.5, §11.4;
//! xaa.md §6.3). Policies are matched by id or name within their server, rules by id or name
//! within their policy. A new policy or rule without a priority goes last. People references
//! resolve to ids (`EVERYONE`, or the built-in group's name, stays `EVERYONE`).

use super::servers::server_target;
use super::util::{check_id, non_empty, parse_enum, pick};
use super::{Outcome, Run};
use crate::audit::Target;
use crate::domain::auth_server::{IncludeExclude, People};
use crate::domain::grant_type;
use crate::domain::ids::{new_id, Prefix};
use crate::domain::{AuthServer, GroupType, Policy, PolicyRule, Status};
use crate::oauth::token::registry::rule_grant_types;
use crate::seed::schema::{IncludeExcludeSpec, PolicySpec, RuleSpec};
use anyhow::{bail, Result};

const ALL_CLIENTS: &str = "ALL_CLIENTS";
const EVERYONE: &str = "EVERYONE";

pub(super) fn check_policy(spec: &PolicySpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::Policy, path)?;
    }
    non_empty(&spec.name, &format!("{path}.name"))?;
    if spec.clients.is_empty() {
        bail!("{path}.clients: at least one client (or ALL_CLIENTS) is required");
    }
    for (i, c) in spec.clients.iter().enumerate() {
        non_empty(c, &format!("{path}.clients[{i}]"))?;
    }
    check_priority(spec.priority, path)?;
    if let Some(s) = &spec.status {
        parse_enum::<Status>(s, None, &format!("{path}.status"))?;
    }
    for (i, r) in spec.rules.iter().enumerate() {
        check_rule(r, &format!("{path}.rules[{i}]"))?;
    }
    Ok(())
}

fn check_priority(priority: Option<i64>, path: &str) -> Result<()> {
    if priority.is_some_and(|p| p < 1) {
        bail!("{path}.priority: must be 1 or more");
    }
    Ok(())
}

fn check_rule(spec: &RuleSpec, path: &str) -> Result<()> {
    if let Some(id) = &spec.id {
        check_id(id, Prefix::Rule, path)?;
    }
    overlay_rule(&mut PolicyRule::new(String::new(), "", "", "", 1, 0), spec, path)
}

pub(super) async fn apply_policies(
    run: &mut Run<'_>,
    server: &AuthServer,
    specs: &[PolicySpec],
    path: &str,
) -> Result<()> {
    if specs.is_empty() {
        return Ok(());
    }
    let scope_names: Vec<String> = run.store.list_scopes(&server.id).await?.into_iter().map(|s| s.name).collect();
    let mut current = run.store.list_policies(&server.id).await?;
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("{path}.policies[{i}]");
        let mut clients = Vec::new();
        for (j, r) in spec.clients.iter().enumerate() {
            let c = if r == ALL_CLIENTS {
                ALL_CLIENTS.to_owned()
            } else {
                run.client_ref(r, &format!("{path}.clients[{j}]")).await?.client_id().to_owned()
            };
            if !clients.contains(&c) {
                clients.push(c);
            }
        }
        let by_id = spec.id.as_ref().and_then(|id| current.iter().find(|p| p.id == *id)).cloned();
        let by_name = current.iter().find(|p| p.name == spec.name).cloned();
        let key = format!("policy name \"{}\"", spec.name);
        let policy = match pick(&path, spec.id.as_deref(), by_id, by_name, |p| &p.id, &key)? {
            None => {
                let priority =
                    spec.priority.unwrap_or_else(|| current.iter().map(|p| p.priority).max().unwrap_or(0) + 1);
                let policy = create_policy(run, server, spec, clients, priority).await?;
                current.push(policy.clone());
                policy
            }
            Some(existing) => update_policy(run, server, spec, clients, existing).await?,
        };
        apply_rules(run, server, &policy, &spec.rules, &scope_names, &path).await?;
    }
    Ok(())
}

fn policy_targets(p: &Policy, server: &AuthServer) -> [Target; 2] {
    [Target::new(&p.id, "PolicyEntity", &p.name, &p.name), server_target(server)]
}

async fn create_policy(
    run: &mut Run<'_>,
    server: &AuthServer,
    spec: &PolicySpec,
    clients: Vec<String>,
    priority: i64,
) -> Result<Policy> {
    let now = run.now;
    let id = spec.id.clone().unwrap_or_else(|| new_id(Prefix::Policy));
    let policy = Policy {
        description: spec.description.clone(),
        status: spec.status.as_deref().map_or(Ok(Status::Active), |s| parse_enum(s, None, "status"))?,
        clients,
        ..Policy::new(id, &server.id, &spec.name, priority, now)
    };
    let ev = run.event("policy.lifecycle.create", "Create policy", &policy_targets(&policy, server));
    run.store.create_policy(&policy, &[ev]).await?;
    run.count(Outcome::Created);
    Ok(policy)
}

async fn update_policy(
    run: &mut Run<'_>,
    server: &AuthServer,
    spec: &PolicySpec,
    clients: Vec<String>,
    existing: Policy,
) -> Result<Policy> {
    let mut policy = existing.clone();
    policy.name.clone_from(&spec.name);
    if spec.description.is_some() {
        policy.description.clone_from(&spec.description);
    }
    if let Some(p) = spec.priority {
        policy.priority = p;
    }
    if let Some(s) = &spec.status {
        policy.status = parse_enum(s, None, "status")?;
    }
    policy.clients = clients;
    if policy == existing {
        run.count(Outcome::Unchanged);
        return Ok(policy);
    }
    policy.last_updated = run.now;
    let targets = policy_targets(&policy, server);
    let mut events = vec![run.event("policy.lifecycle.update", "Update policy", &targets)];
    if let Some(t) = status_event("policy.lifecycle", existing.status, policy.status) {
        events.push(run.event(&t, "Policy lifecycle change", &targets));
    }
    run.store.update_policy(&policy, &events).await?;
    run.count(Outcome::Updated);
    Ok(policy)
}

fn status_event(base: &str, from: Status, to: Status) -> Option<String> {
    super::util::lifecycle_event(base, from == Status::Active, to == Status::Active)
}

/// Sets what the seed states except `people` (references) and `priority` (needs siblings).
fn overlay_rule(rule: &mut PolicyRule, spec: &RuleSpec, path: &str) -> Result<()> {
    non_empty(&spec.name, &format!("{path}.name"))?;
    rule.name.clone_from(&spec.name);
    check_priority(spec.priority, path)?;
    if let Some(s) = &spec.status {
        rule.status = parse_enum(s, None, &format!("{path}.status"))?;
    }
    if spec.grant_types.is_empty() {
        bail!("{path}.grantTypes: at least one grant type is required");
    }
    let allowed = rule_grant_types();
    for (i, g) in spec.grant_types.iter().enumerate() {
        if g == grant_type::REFRESH_TOKEN {
            bail!("{path}.grantTypes[{i}]: refresh_token is not a rule grant type (a refresh is judged by the rule that issued the token)");
        }
        if !allowed.contains(&g.as_str()) {
            bail!("{path}.grantTypes[{i}]: unknown grant type \"{g}\"; expected one of {}", allowed.join(", "));
        }
    }
    rule.conditions.grant_types.include.clone_from(&spec.grant_types);
    if spec.scopes.is_empty() {
        bail!("{path}.scopes: at least one scope (or *) is required");
    }
    rule.conditions.scopes.include.clone_from(&spec.scopes);
    let t = &mut rule.token;
    t.access_token_minutes = spec.access_token_lifetime_minutes.unwrap_or(t.access_token_minutes);
    t.refresh_token_minutes = spec.refresh_token_lifetime_minutes.unwrap_or(t.refresh_token_minutes);
    t.refresh_token_window_minutes = spec.refresh_token_window_minutes.unwrap_or(t.refresh_token_window_minutes);
    // Bounds of okta-surface.md §11.4.
    if !(5..=1440).contains(&t.access_token_minutes) {
        bail!("{path}.accessTokenLifetimeMinutes: must be between 5 and 1440");
    }
    if t.refresh_token_minutes != 0 && t.refresh_token_minutes < t.access_token_minutes {
        bail!("{path}.refreshTokenLifetimeMinutes: must be 0 (unlimited) or at least the access token lifetime");
    }
    if !(10..=2_628_000).contains(&t.refresh_token_window_minutes) {
        bail!("{path}.refreshTokenWindowMinutes: must be between 10 and 2628000");
    }
    Ok(())
}

async fn apply_rules(
    run: &mut Run<'_>,
    server: &AuthServer,
    policy: &Policy,
    specs: &[RuleSpec],
    scope_names: &[String],
    path: &str,
) -> Result<()> {
    if specs.is_empty() {
        return Ok(());
    }
    let mut current = run.store.list_rules(&policy.id).await?;
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("{path}.rules[{i}]");
        for (j, s) in spec.scopes.iter().enumerate() {
            if s != "*" && !scope_names.contains(s) {
                bail!("{path}.scopes[{j}]: the server has no scope \"{s}\"");
            }
        }
        let people = match &spec.people {
            Some(p) => Some(People {
                users: resolve_people(run, &p.users, &format!("{path}.people.users"), false).await?,
                groups: resolve_people(run, &p.groups, &format!("{path}.people.groups"), true).await?,
            }),
            None => None,
        };
        let by_id = spec.id.as_ref().and_then(|id| current.iter().find(|r| r.id == *id)).cloned();
        let by_name = current.iter().find(|r| r.name == spec.name).cloned();
        let key = format!("rule name \"{}\"", spec.name);
        let existing = pick(&path, spec.id.as_deref(), by_id, by_name, |r| &r.id, &key)?;
        let now = run.now;
        let mut rule = if let Some(e) = &existing {
            e.clone()
        } else {
            let id = spec.id.clone().unwrap_or_else(|| new_id(Prefix::Rule));
            let priority = current.iter().map(|r| r.priority).max().unwrap_or(0) + 1;
            PolicyRule::new(id, &policy.id, &server.id, "", priority, now)
        };
        overlay_rule(&mut rule, spec, &path)?;
        rule.priority = spec.priority.unwrap_or(rule.priority);
        if let Some(p) = people {
            rule.conditions.people = p;
        }
        let targets = [Target::new(&rule.id, "PolicyRule", &rule.name, &rule.name), server_target(server)];
        match existing {
            None => {
                let ev = run.event("policy.rule.add", "Add policy rule", &targets);
                run.store.create_rule(&rule, &[ev]).await?;
                current.push(rule);
                run.count(Outcome::Created);
            }
            Some(e) if e == rule => run.count(Outcome::Unchanged),
            Some(e) => {
                rule.last_updated = now;
                let mut events = vec![run.event("policy.rule.update", "Update policy rule", &targets)];
                if let Some(t) = status_event("policy.rule", e.status, rule.status) {
                    events.push(run.event(&t, "Policy rule lifecycle change", &targets));
                }
                run.store.update_rule(&rule, &events).await?;
                run.count(Outcome::Updated);
            }
        }
    }
    Ok(())
}

/// User logins or ids → user ids; group names or ids → group ids, `EVERYONE` kept as is.
async fn resolve_people(run: &Run<'_>, spec: &IncludeExcludeSpec, field: &str, groups: bool) -> Result<IncludeExclude> {
    let mut out = IncludeExclude::default();
    for (list, refs, name) in
        [(&mut out.include, &spec.include, "include"), (&mut out.exclude, &spec.exclude, "exclude")]
    {
        for (i, r) in refs.iter().enumerate() {
            let f = format!("{field}.{name}[{i}]");
            let id = if !groups {
                run.user_ref(r, &f).await?.id
            } else if r == EVERYONE {
                EVERYONE.to_owned()
            } else {
                let g = run.group_ref(r, &f).await?;
                if g.group_type == GroupType::BuiltIn {
                    EVERYONE.to_owned()
                } else {
                    g.id
                }
            };
            if !list.contains(&id) {
                list.push(id);
            }
        }
    }
    Ok(out)
}
