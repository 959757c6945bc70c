//! `AppStore`: apps with their secrets and keys, and user and group assignments.

use crate::fixtures::{
    agent, app, assert_conflict, client_key, ev, everyone, group, logged, not_logged, open, operation, secret, sorted,
    user, NOW,
};
use crate::Backend;
use baton::domain::{App, AppStatus, AuthMethod, ClientKeyStatus, ConsentMethod, User};
use baton::store::Page;
use std::slice::from_ref;

crate::backend_tests!(
    app_round_trip_and_pages,
    delete_app_cascades,
    client_secrets,
    client_keys,
    assignments,
    client_ids_are_one_namespace_with_agents
);

fn app_ids(apps: &[App]) -> Vec<String> {
    apps.iter().map(|a| a.id.clone()).collect()
}

fn user_ids(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.id.clone()).collect()
}

async fn app_round_trip_and_pages(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let web = app("0oaweb");
    let secrets = [secret(&web.id, NOW), secret(&web.id, NOW + 1)];
    let created = ev("application.lifecycle.create", &web.id);
    store.create_app(&web, &secrets, from_ref(&created)).await.unwrap();
    assert_eq!(store.find_app(&web.id).await.unwrap(), Some(web.clone()));
    assert_eq!(store.find_app_by_client_id("0oaweb").await.unwrap(), Some(web.clone()));
    assert_eq!(store.list_client_secrets(&web.id).await.unwrap(), secrets.to_vec());
    assert_eq!(store.find_app("0oaabsent").await.unwrap(), None);
    assert_eq!(store.find_app_by_client_id("0oaabsent").await.unwrap(), None);

    // A duplicate client id is rejected whole: no app, no secrets, no event.
    let dup = app("0oaweb");
    let rejected = ev("application.lifecycle.create", &dup.id);
    assert_conflict(store.create_app(&dup, &[secret(&dup.id, NOW)], from_ref(&rejected)).await, "client_id");
    assert_eq!(store.find_app(&dup.id).await.unwrap(), None);
    assert!(store.list_client_secrets(&dup.id).await.unwrap().is_empty());
    not_logged(&store, &rejected).await;

    let mut changed = web.clone();
    changed.label = "Web (renamed)".into();
    changed.status = AppStatus::Inactive;
    changed.application_type = "service".into();
    changed.token_endpoint_auth_method = AuthMethod::PrivateKeyJwt;
    changed.pkce_required = false;
    changed.consent_method = ConsentMethod::Trusted;
    changed.redirect_uris = vec![];
    changed.post_logout_redirect_uris = vec!["https://other.test/bye".into()];
    changed.response_types = vec!["token".into(), "code".into()];
    changed.grant_types = vec!["client_credentials".into()];
    changed.refresh_rotation = "STATIC".into();
    changed.refresh_leeway = 0;
    changed.auto_key_rotation = false;
    changed.last_updated = NOW + 5;
    let updated = ev("application.lifecycle.update", &web.id);
    store.update_app(&changed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_app(&web.id).await.unwrap(), Some(changed.clone()));

    let native = app("0oanative");
    let spa = app("0oaspa");
    store.create_app(&native, &[], &[]).await.unwrap();
    store.create_app(&spa, &[], &[]).await.unwrap();
    let mut clash = spa.clone();
    clash.client_id = "0oanative".into();
    assert_conflict(store.update_app(&clash, &[]).await, "client_id");
    assert_eq!(store.find_app(&spa.id).await.unwrap(), Some(spa.clone()));

    let expected = sorted(vec![web.id.clone(), native.id.clone(), spa.id.clone()]);
    let first = store.list_apps(&Page::first(2)).await.unwrap();
    assert_eq!(app_ids(&first), expected[..2]);
    let rest = store.list_apps(&Page { after: Some(first[1].id.clone()), limit: 2 }).await.unwrap();
    assert_eq!(app_ids(&rest), expected[2..]);
    logged(&store, &[created, updated]).await;
}

async fn delete_app_cascades(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let a = app("0oagone");
    let keep = app("0oakeep");
    store.create_app(&a, &[secret(&a.id, NOW)], &[]).await.unwrap();
    store.create_app(&keep, &[secret(&keep.id, NOW)], &[]).await.unwrap();
    store.create_client_key(&client_key(&a.client_id, "k1", NOW), &[]).await.unwrap();
    store.create_client_key(&client_key(&keep.client_id, "k1", NOW), &[]).await.unwrap();
    let u = user("assigned@example.com");
    let g = group("Assigned");
    store.create_group(&g, &[]).await.unwrap();
    store.create_user(&u, from_ref(&g.id), &[]).await.unwrap();
    store.assign_user(&a.id, &u.id, "assigned", NOW, &[]).await.unwrap();
    store.assign_group(&a.id, &g.id, 0, NOW, &[]).await.unwrap();

    let deleted = ev("application.lifecycle.delete", &a.id);
    assert!(store.delete_app(&a.id, from_ref(&deleted)).await.unwrap());
    assert_eq!(store.find_app(&a.id).await.unwrap(), None);
    assert!(store.list_client_secrets(&a.id).await.unwrap().is_empty());
    assert!(store.list_client_keys(&a.client_id).await.unwrap().is_empty());
    assert!(store.list_app_users(&a.id, &Page::first(10)).await.unwrap().is_empty());
    assert!(store.list_app_groups(&a.id).await.unwrap().is_empty());
    assert!(!store.is_user_assigned(&a.id, &u.id).await.unwrap());
    assert!(store.find_user(&u.id).await.unwrap().is_some() && store.find_group(&g.id).await.unwrap().is_some());
    // The other app keeps what is its own.
    assert_eq!(store.list_client_secrets(&keep.id).await.unwrap().len(), 1);
    assert_eq!(store.list_client_keys(&keep.client_id).await.unwrap().len(), 1);
    assert!(!store.delete_app(&a.id, &[]).await.unwrap(), "absent app");
    logged(&store, &[deleted]).await;
}

async fn client_secrets(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let a = app("0oasecrets");
    let old = secret(&a.id, NOW);
    store.create_app(&a, from_ref(&old), &[]).await.unwrap();
    let newer = secret(&a.id, NOW + 10);
    let created = ev("application.credentials.create", &newer.id);
    store.create_client_secret(&newer, from_ref(&created)).await.unwrap();
    assert_eq!(store.list_client_secrets(&a.id).await.unwrap(), vec![old.clone(), newer.clone()]);

    let deactivated = ev("application.credentials.deactivate", &old.id);
    assert!(store
        .update_client_secret_status(&old.id, AppStatus::Inactive, NOW + 20, from_ref(&deactivated))
        .await
        .unwrap());
    let listed = store.list_client_secrets(&a.id).await.unwrap();
    assert_eq!(listed[0].status, AppStatus::Inactive);
    assert_eq!(listed[0].last_updated, NOW + 20);
    assert_eq!(listed[0].secret_hash, old.secret_hash);
    assert!(!store.update_client_secret_status("ocsabsent", AppStatus::Active, NOW, &[]).await.unwrap());

    let deleted = ev("application.credentials.delete", &old.id);
    assert!(store.delete_client_secret(&old.id, from_ref(&deleted)).await.unwrap());
    assert!(!store.delete_client_secret(&old.id, &[]).await.unwrap(), "already deleted");
    assert_eq!(store.list_client_secrets(&a.id).await.unwrap(), vec![newer]);
    assert!(store.list_client_secrets("0oaabsent").await.unwrap().is_empty());
    logged(&store, &[created, deactivated, deleted]).await;
}

async fn client_keys(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let a = app("0oakeys");
    store.create_app(&a, &[], &[]).await.unwrap();
    let bot = agent("bot");
    store.create_agent(&bot, &operation("ai-agent:Register", &bot.id), &[]).await.unwrap();

    let k1 = client_key(&a.client_id, "k1", NOW);
    let k2 = client_key(&a.client_id, "k2", NOW + 1);
    let created = ev("application.credentials.key.create", "k1");
    store.create_client_key(&k2, &[]).await.unwrap();
    store.create_client_key(&k1, from_ref(&created)).await.unwrap();
    // Agents keep their keys in the same place, under their own id.
    let agent_key = client_key(&bot.id, "k1", NOW);
    store.create_client_key(&agent_key, &[]).await.unwrap();

    let dup = client_key(&a.client_id, "k1", NOW + 2);
    let rejected = ev("application.credentials.key.create", "k1-dup");
    assert_conflict(store.create_client_key(&dup, from_ref(&rejected)).await, "kid");
    not_logged(&store, &rejected).await;

    assert_eq!(store.list_client_keys(&a.client_id).await.unwrap(), vec![k1.clone(), k2.clone()]);
    assert_eq!(store.list_client_keys(&bot.id).await.unwrap(), vec![agent_key.clone()]);
    assert!(store.list_client_keys("0oanobody").await.unwrap().is_empty());

    let deactivated = ev("application.credentials.key.deactivate", "k1");
    assert!(store
        .update_client_key_status(&a.client_id, "k1", ClientKeyStatus::Inactive, NOW + 5, from_ref(&deactivated))
        .await
        .unwrap());
    let listed = store.list_client_keys(&a.client_id).await.unwrap();
    assert_eq!(
        (listed[0].status, listed[0].last_updated, &listed[0].jwk),
        (ClientKeyStatus::Inactive, NOW + 5, &k1.jwk)
    );
    assert_eq!(store.list_client_keys(&bot.id).await.unwrap(), vec![agent_key.clone()], "same kid, other owner");
    assert!(!store.update_client_key_status(&a.client_id, "nope", ClientKeyStatus::Active, NOW, &[]).await.unwrap());

    let deleted = ev("application.credentials.key.delete", "k2");
    assert!(store.delete_client_key(&a.client_id, "k2", from_ref(&deleted)).await.unwrap());
    assert!(!store.delete_client_key(&a.client_id, "k2", &[]).await.unwrap(), "already deleted");
    assert_eq!(store.list_client_keys(&a.client_id).await.unwrap().len(), 1);
    assert_eq!(store.list_client_keys(&bot.id).await.unwrap(), vec![agent_key]);
    logged(&store, &[created, deactivated, deleted]).await;
}

async fn assignments(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let a = app("0oaassign");
    let b = app("0oaother");
    store.create_app(&a, &[], &[]).await.unwrap();
    store.create_app(&b, &[], &[]).await.unwrap();
    let users: Vec<User> = (0..3).map(|i| user(&format!("u{i}@example.com"))).collect();
    for u in &users {
        store.create_user(u, &[], &[]).await.unwrap();
    }
    let outsider = user("outsider@example.com");
    store.create_user(&outsider, &[], &[]).await.unwrap();

    // Direct assignments, idempotent.
    let assigned = ev("application.user_membership.add", &users[0].id);
    assert!(store.assign_user(&a.id, &users[0].id, "u0", NOW, from_ref(&assigned)).await.unwrap());
    assert!(!store.assign_user(&a.id, &users[0].id, "u0", NOW + 1, &[]).await.unwrap(), "repeat is a no-op");
    for u in &users[1..] {
        assert!(store.assign_user(&a.id, &u.id, "someone", NOW, &[]).await.unwrap());
    }
    let expected = sorted(user_ids(&users));
    let first = store.list_app_users(&a.id, &Page::first(2)).await.unwrap();
    assert_eq!(user_ids(&first), expected[..2]);
    let rest = store.list_app_users(&a.id, &Page { after: Some(first[1].id.clone()), limit: 2 }).await.unwrap();
    assert_eq!(user_ids(&rest), expected[2..]);
    assert!(store.is_user_assigned(&a.id, &users[0].id).await.unwrap());
    assert!(!store.is_user_assigned(&b.id, &users[0].id).await.unwrap(), "assigned to another app");
    assert!(!store.is_user_assigned(&a.id, &outsider.id).await.unwrap());

    let unassigned = ev("application.user_membership.remove", &users[0].id);
    assert!(store.unassign_user(&a.id, &users[0].id, from_ref(&unassigned)).await.unwrap());
    assert!(!store.unassign_user(&a.id, &users[0].id, &[]).await.unwrap(), "not assigned");
    assert!(!store.is_user_assigned(&a.id, &users[0].id).await.unwrap());

    // Through a group: listed by priority.
    let low = group("Low");
    let high = group("High");
    for g in [&low, &high] {
        store.create_group(g, &[]).await.unwrap();
    }
    store.add_group_member(&high.id, &users[0].id, NOW, &[]).await.unwrap();
    let group_assigned = ev("application.group_membership.add", &high.id);
    assert!(store.assign_group(&b.id, &low.id, 5, NOW, &[]).await.unwrap());
    assert!(store.assign_group(&b.id, &high.id, 1, NOW, from_ref(&group_assigned)).await.unwrap());
    assert!(!store.assign_group(&b.id, &high.id, 1, NOW + 1, &[]).await.unwrap(), "repeat is a no-op");
    assert_eq!(store.list_app_groups(&b.id).await.unwrap(), vec![high.clone(), low.clone()]);
    assert!(store.is_user_assigned(&b.id, &users[0].id).await.unwrap(), "through High");
    assert!(!store.is_user_assigned(&b.id, &outsider.id).await.unwrap());
    assert!(store.list_app_users(&b.id, &Page::first(10)).await.unwrap().is_empty(), "only direct assignments");

    let group_unassigned = ev("application.group_membership.remove", &high.id);
    assert!(store.unassign_group(&b.id, &high.id, from_ref(&group_unassigned)).await.unwrap());
    assert!(!store.unassign_group(&b.id, &high.id, &[]).await.unwrap(), "not assigned");
    assert!(!store.is_user_assigned(&b.id, &users[0].id).await.unwrap());
    assert_eq!(store.list_app_groups(&b.id).await.unwrap(), vec![low]);

    // The built-in Everyone group holds every user without member rows.
    let all = everyone();
    store.create_group(&all, &[]).await.unwrap();
    assert!(store.assign_group(&b.id, &all.id, 0, NOW, &[]).await.unwrap());
    assert!(store.is_user_assigned(&b.id, &outsider.id).await.unwrap());
    assert!(!store.is_user_assigned(&a.id, &outsider.id).await.unwrap());
    logged(&store, &[assigned, unassigned, group_assigned, group_unassigned]).await;
}

/// Apps and AI agents share one namespace of client ids, enforced by the store whatever path
/// writes (xaa.md §1: a client id names exactly one principal): an app can neither be created
/// with an agent's `wlp…` id nor renamed to it, an agent cannot take an app's client id, and a
/// deleted principal's id is free again.
async fn client_ids_are_one_namespace_with_agents(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let a = agent("Orchestrator");
    store.create_agent(&a, &operation("CREATE", &a.id), &[]).await.unwrap();
    let poser = app(&a.id);
    let rejected = ev("application.lifecycle.create", &poser.id);
    assert_conflict(store.create_app(&poser, &[secret(&poser.id, NOW)], from_ref(&rejected)).await, "client_id");
    assert_eq!(store.find_app_by_client_id(&a.id).await.unwrap(), None);
    assert!(store.list_client_secrets(&poser.id).await.unwrap().is_empty());
    not_logged(&store, &rejected).await;

    let honest = app("0oahonest");
    store.create_app(&honest, &[], &[]).await.unwrap();
    let mut renamed = honest.clone();
    renamed.client_id.clone_from(&a.id);
    assert_conflict(store.update_app(&renamed, &[]).await, "client_id");
    assert_eq!(store.find_app(&honest.id).await.unwrap(), Some(honest.clone()));

    let mut squatter = agent("Squatter");
    squatter.id = "0oahonest".into();
    assert_conflict(store.create_agent(&squatter, &operation("CREATE", &squatter.id), &[]).await, "id");
    assert_eq!(store.find_agent("0oahonest").await.unwrap(), None);

    // Renaming an app frees its old id; deleting an agent frees its id.
    let mut moved = honest.clone();
    moved.client_id = "0oamoved".into();
    store.update_app(&moved, &[]).await.unwrap();
    store.create_agent(&squatter, &operation("CREATE", &squatter.id), &[]).await.unwrap();
    assert!(store.delete_agent(&a.id, &operation("DELETE", &a.id), &[]).await.unwrap());
    store.create_app(&poser, &[], &[]).await.unwrap();
    assert_eq!(store.find_app_by_client_id(&a.id).await.unwrap(), Some(poser));
}
