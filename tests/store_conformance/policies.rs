//! `AuthServerStore` policies and rules: priority order, scoping to their parent, and deleting
//! a policy with its rules.

use crate::fixtures::{auth_server, ev, logged, open, policy, rule, NOW};
use crate::Backend;
use baton::domain::auth_server::{IncludeExclude, IncludeOnly};
use baton::domain::{Policy, PolicyRule, Status, TokenLifetimes};
use std::slice::from_ref;

crate::backend_tests!(policies_by_priority, delete_policy_removes_rules, rules_by_priority, save_renumbers_siblings);

fn policy_names(list: &[Policy]) -> Vec<&str> {
    list.iter().map(|p| p.name.as_str()).collect()
}

fn rule_names(list: &[PolicyRule]) -> Vec<&str> {
    list.iter().map(|r| r.name.as_str()).collect()
}

async fn policies_by_priority(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = auth_server("mcp");
    let crm = auth_server("crm");
    store.create_auth_server(&mcp, &[], &[], &[]).await.unwrap();
    store.create_auth_server(&crm, &[], &[], &[]).await.unwrap();
    let third = policy(&mcp.id, "third", 3);
    let first = policy(&mcp.id, "first", 1);
    let second = policy(&mcp.id, "second", 2);
    let created = ev("oauth2.as.policy.created", &third.id);
    store.create_policy(&third, from_ref(&created)).await.unwrap();
    for p in [&first, &second] {
        store.create_policy(p, &[]).await.unwrap();
    }
    store.create_policy(&policy(&crm.id, "elsewhere", 0), &[]).await.unwrap();

    assert_eq!(store.list_policies(&mcp.id).await.unwrap(), vec![first.clone(), second.clone(), third.clone()]);
    assert_eq!(store.find_policy(&mcp.id, &second.id).await.unwrap(), Some(second.clone()));
    assert_eq!(store.find_policy(&crm.id, &second.id).await.unwrap(), None, "scoped to its server");

    let mut changed = third.clone();
    changed.name = "now first".into();
    changed.description = None;
    changed.priority = 0;
    changed.status = Status::Inactive;
    changed.clients = vec!["0oaone".into(), "wlptwo".into()];
    changed.last_updated = NOW + 1;
    let updated = ev("oauth2.as.policy.updated", &third.id);
    store.update_policy(&changed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_policy(&mcp.id, &third.id).await.unwrap(), Some(changed.clone()));
    assert_eq!(policy_names(&store.list_policies(&mcp.id).await.unwrap()), ["now first", "first", "second"]);
    logged(&store, &[created, updated]).await;
}

async fn delete_policy_removes_rules(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = auth_server("mcp");
    store.create_auth_server(&mcp, &[], &[], &[]).await.unwrap();
    let gone = policy(&mcp.id, "gone", 1);
    let keep = policy(&mcp.id, "keep", 2);
    for p in [&gone, &keep] {
        store.create_policy(p, &[]).await.unwrap();
    }
    let gone_rules = [rule(&gone, "a", 1), rule(&gone, "b", 2)];
    for r in &gone_rules {
        store.create_rule(r, &[]).await.unwrap();
    }
    let kept_rule = rule(&keep, "kept", 1);
    store.create_rule(&kept_rule, &[]).await.unwrap();

    let deleted = ev("oauth2.as.policy.deleted", &gone.id);
    assert!(!store.delete_policy("ausother", &gone.id, &[]).await.unwrap(), "wrong server");
    assert!(store.delete_policy(&mcp.id, &gone.id, from_ref(&deleted)).await.unwrap());
    assert_eq!(store.find_policy(&mcp.id, &gone.id).await.unwrap(), None);
    assert!(store.list_rules(&gone.id).await.unwrap().is_empty());
    assert_eq!(store.find_rule(&gone.id, &gone_rules[0].id).await.unwrap(), None);
    assert_eq!(store.list_policies(&mcp.id).await.unwrap(), vec![keep.clone()]);
    assert_eq!(store.list_rules(&keep.id).await.unwrap(), vec![kept_rule]);
    assert!(!store.delete_policy(&mcp.id, &gone.id, &[]).await.unwrap(), "already deleted");
    logged(&store, &[deleted]).await;
}

async fn rules_by_priority(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = auth_server("mcp");
    store.create_auth_server(&mcp, &[], &[], &[]).await.unwrap();
    let p = policy(&mcp.id, "p", 1);
    let other = policy(&mcp.id, "other", 2);
    for x in [&p, &other] {
        store.create_policy(x, &[]).await.unwrap();
    }
    let late = rule(&p, "late", 5);
    let early = rule(&p, "early", 1);
    let created = ev("oauth2.as.rule.created", &late.id);
    store.create_rule(&late, from_ref(&created)).await.unwrap();
    store.create_rule(&early, &[]).await.unwrap();
    store.create_rule(&rule(&other, "elsewhere", 0), &[]).await.unwrap();

    assert_eq!(store.list_rules(&p.id).await.unwrap(), vec![early.clone(), late.clone()]);
    assert_eq!(store.find_rule(&p.id, &late.id).await.unwrap(), Some(late.clone()));
    assert_eq!(store.find_rule(&other.id, &late.id).await.unwrap(), None, "scoped to its policy");

    let mut changed = late.clone();
    changed.name = "now first".into();
    changed.priority = 0;
    changed.status = Status::Inactive;
    changed.conditions.people.users = IncludeExclude { include: vec!["00uone".into()], exclude: vec!["00utwo".into()] };
    changed.conditions.people.groups = IncludeExclude::default();
    changed.conditions.grant_types = IncludeOnly { include: vec!["client_credentials".into()] };
    changed.conditions.scopes = IncludeOnly { include: vec!["mcp:read".into(), "openid".into()] };
    changed.token =
        TokenLifetimes { access_token_minutes: 5, refresh_token_minutes: 1440, refresh_token_window_minutes: 60 };
    changed.last_updated = NOW + 1;
    let updated = ev("oauth2.as.rule.updated", &late.id);
    store.update_rule(&changed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_rule(&p.id, &late.id).await.unwrap(), Some(changed.clone()));
    assert_eq!(rule_names(&store.list_rules(&p.id).await.unwrap()), ["now first", "early"]);

    let deleted = ev("oauth2.as.rule.deleted", &early.id);
    assert!(!store.delete_rule(&other.id, &early.id, &[]).await.unwrap(), "wrong policy");
    assert!(store.delete_rule(&p.id, &early.id, from_ref(&deleted)).await.unwrap());
    assert!(!store.delete_rule(&p.id, &early.id, &[]).await.unwrap(), "already deleted");
    assert_eq!(store.list_rules(&p.id).await.unwrap(), vec![changed]);
    logged(&store, &[created, updated, deleted]).await;
}

/// `save_policy` / `save_rule`: the siblings' new priorities and the object in one write.
async fn save_renumbers_siblings(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mcp = auth_server("mcp");
    store.create_auth_server(&mcp, &[], &[], &[]).await.unwrap();
    let a = policy(&mcp.id, "a", 1);
    store.create_policy(&a, &[]).await.unwrap();
    let b = policy(&mcp.id, "b", 1);
    let created = ev("policy.lifecycle.create", &b.id);
    store.save_policy(&b, true, &[(a.id.clone(), 2)], from_ref(&created)).await.unwrap();
    assert_eq!(policy_names(&store.list_policies(&mcp.id).await.unwrap()), ["b", "a"]);
    assert_eq!(store.find_policy(&mcp.id, &a.id).await.unwrap().unwrap().priority, 2);
    let mut moved = b.clone();
    moved.priority = 2;
    moved.name = "b2".into();
    let updated = ev("policy.lifecycle.update", &b.id);
    store.save_policy(&moved, false, &[(a.id.clone(), 1)], from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_policy(&mcp.id, &b.id).await.unwrap(), Some(moved));
    assert_eq!(policy_names(&store.list_policies(&mcp.id).await.unwrap()), ["a", "b2"]);

    let r1 = rule(&a, "r1", 1);
    store.create_rule(&r1, &[]).await.unwrap();
    let r0 = rule(&a, "r0", 1);
    let added = ev("policy.rule.add", &r0.id);
    store.save_rule(&r0, true, &[(r1.id.clone(), 2)], from_ref(&added)).await.unwrap();
    assert_eq!(rule_names(&store.list_rules(&a.id).await.unwrap()), ["r0", "r1"]);
    let mut last = r0.clone();
    last.priority = 2;
    store.save_rule(&last, false, &[(r1.id.clone(), 1)], &[]).await.unwrap();
    assert_eq!(store.find_rule(&a.id, &r0.id).await.unwrap(), Some(last));
    assert_eq!(rule_names(&store.list_rules(&a.id).await.unwrap()), ["r1", "r0"]);
    logged(&store, &[created, updated, added]).await;
}
